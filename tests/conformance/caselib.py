"""Shared helpers of the Helm conformance suite: case discovery, Helm's side, Hoist's side.

A case is (chart, values file): ``charts/<chart>/cases/<case>.yaml`` holds the values given as
``-f``; an optional ``charts/<chart>/cases/<case>.set`` holds ``--set`` expressions, one per line
(blank lines and lines starting with ``#`` are ignored). Cases whose name starts with ``err-`` must
make Helm fail; all others must render.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHARTS_DIR = HERE / "charts"
REPO_ROOT = HERE.parent.parent

RELEASE_NAME = "conf-rel"
NAMESPACE = "conf-ns"


@dataclasses.dataclass(frozen=True)
class Case:
    chart: str
    name: str
    chart_dir: Path
    values_file: Path
    sets: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.chart}/{self.name}"

    @property
    def expects_error(self) -> bool:
        return self.name.startswith("err-")


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a renderer produced: either files (path -> text) or an error message."""

    files: dict[str, str] | None = None
    error: str | None = None


def read_sets(path: Path) -> tuple[str, ...]:
    if not path.exists():
        return ()
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def discover_cases() -> list[Case]:
    cases = []
    for chart_dir in sorted(p for p in CHARTS_DIR.iterdir() if p.is_dir()):
        case_dir = chart_dir / "cases"
        for values_file in sorted(case_dir.glob("*.yaml")):
            cases.append(
                Case(
                    chart=chart_dir.name,
                    name=values_file.stem,
                    chart_dir=chart_dir,
                    values_file=values_file,
                    sets=read_sets(values_file.with_suffix(".set")),
                )
            )
    return cases


# --- Helm's side -------------------------------------------------------------------------------


def merge_set(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Apply parsed ``--set`` values over ``-f`` values: maps merge key by key, anything else is
    replaced. Helm's CLI parses ``--set`` straight into the merged map (strvals.ParseInto); for the
    expressions the cases use (no list indexes into existing lists) that is the same."""
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge_set(base[key], value)
        else:
            base[key] = value
    return base


def helm_values(values_files: list[Path], sets: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Compose user values like ``helm template -f … --set …`` does, using Helm's own parsers.

    Known limit: the SDK takes values as JSON, so integers from ``--set`` reach templates as
    float64 where the helm CLI gives int64 (same printed form for small integers)."""
    import helm_python as helm

    values: dict[str, Any] = {}
    for path in values_files:
        merge_set(values, helm.values_from_yaml(path.read_text(encoding="utf-8")))
    for expression in sets:
        merge_set(values, helm.parse_set_string(expression))
    return values


def helm_render(
    chart_dir: Path,
    values_files: list[Path],
    sets: tuple[str, ...] | list[str] = (),
    release: str = RELEASE_NAME,
    namespace: str = NAMESPACE,
) -> Outcome:
    """Render with Helm's real engine. The chart is loaded afresh for every render because Helm's
    dependency processing mutates a loaded chart."""
    import helm_python as helm

    try:
        values = helm_values(values_files, sets)
        chart = helm.Chart.load(str(chart_dir))
        try:
            return Outcome(files=chart.render(values, name=release, namespace=namespace))
        finally:
            chart.close()
    except helm.HelmError as err:
        return Outcome(error=str(err))


# --- Hoist's side ------------------------------------------------------------------------------


def hoist_bin() -> Path:
    explicit = os.environ.get("HOIST_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target"))
    return target / "release" / "hoist"


def hoist_command(case: Case, binary: Path) -> list[str]:
    cmd = [
        str(binary),
        "template",
        RELEASE_NAME,
        str(case.chart_dir),
        "-n",
        NAMESPACE,
        "-f",
        str(case.values_file),
    ]
    for expression in case.sets:
        cmd += ["--set", expression]
    return cmd + ["--output", "json"]


def hoist_render(case: Case, binary: Path, timeout: float = 60) -> tuple[Outcome, subprocess.CompletedProcess]:
    proc = subprocess.run(
        hoist_command(case, binary),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode == 0:
        try:
            files = json.loads(proc.stdout)
        except json.JSONDecodeError as err:
            raise AssertionError(f"hoist printed invalid JSON ({err}):\n{proc.stdout[:2000]}") from err
        return Outcome(files=files), proc
    stderr = proc.stderr.rstrip("\n")
    prefix = "Error: "
    message = stderr[len(prefix):] if stderr.startswith(prefix) else stderr
    return Outcome(error=message), proc


def is_placeholder(proc: subprocess.CompletedProcess) -> bool:
    """True when the binary is the placeholder that has no `template` command yet."""
    return proc.returncode == 2 and "not yet implemented" in proc.stderr
