"""Shared helpers of the Helm conformance suite: case discovery, Helm's side, Hoist's side.

A case is (chart, values file): ``charts/<chart>/cases/<case>.yaml`` holds the values given as
``-f``; an optional ``charts/<chart>/cases/<case>.set`` holds ``--set`` expressions, one per line
(blank lines and lines starting with ``#`` are ignored); an optional ``<case>.args`` holds extra
``hoist template`` flags in ``--flag=value`` form, one per line, from the set Helm's render call
also understands: ``--kube-version=V``, ``--api-versions=G/V[/Kind]`` (repeatable), ``--is-upgrade``.
Cases whose name starts with ``err-`` must make Helm fail; all others must render.
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
    args: tuple[str, ...] = ()

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


def render_options(args: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Helm render options for the extra flags of a case (see module docstring)."""
    opts: dict[str, Any] = {}
    for arg in args:
        flag, _, value = arg.partition("=")
        if flag == "--kube-version" and value:
            opts["kube_version"] = value
        elif flag == "--api-versions" and value:
            opts.setdefault("api_versions", []).extend(value.split(","))
        elif flag == "--is-upgrade" and not value:
            # helm template --is-upgrade: IsUpgrade true, IsInstall false, revision stays 1.
            opts["is_upgrade"] = True
            opts["is_install"] = False
        else:
            raise ValueError(f"unsupported case flag {arg!r}")
    return opts


def read_known_differences(path: Path = HERE / "known-differences.txt") -> dict[str, str]:
    """Case id -> reason, from known-differences.txt (see its header)."""
    known = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        case_id, _, reason = line.partition(" ")
        known[case_id] = reason.strip() or "known difference"
    return known


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
                    args=read_sets(values_file.with_suffix(".args")),
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
    args: tuple[str, ...] | list[str] = (),
) -> Outcome:
    """Render with Helm's real engine. The chart is loaded afresh for every render because Helm's
    dependency processing mutates a loaded chart."""
    import helm_python as helm
    from helm_python import _native

    opts = {"name": release, "namespace": namespace, **render_options(args)}
    try:
        values = helm_values(values_files, sets)
        chart = helm.Chart.load(str(chart_dir))
        try:
            # The SDK's Chart.render() does not expose kube_version/api_versions, but the native
            # render call accepts them in the same options object, so call it directly.
            rendered = _native.call_string("helm_render", chart._raw(), json.dumps(values), json.dumps(opts))
            return Outcome(files=json.loads(rendered))
        finally:
            chart.close()
    except helm.HelmError as err:
        # helm prints "Error: <message>" and one newline; trailing newlines are not compared.
        return Outcome(error=str(err).rstrip("\n"))


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
    return cmd + list(case.args) + ["--output", "json"]


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
    return Outcome(error=error_message(proc.stderr)), proc


def error_message(stderr: str) -> str:
    """The message of helm-style `Error: <message>` output; anything printed before it (warnings)
    is ignored. Without such a line the whole stderr is returned so a mismatch shows it."""
    prefix = "Error: "
    if stderr.startswith(prefix):
        return stderr[len(prefix):].rstrip("\n")
    marker = "\n" + prefix
    at = stderr.find(marker)
    if at >= 0:
        return stderr[at + len(marker):].rstrip("\n")
    return stderr.rstrip("\n")


def is_placeholder(proc: subprocess.CompletedProcess) -> bool:
    """True when the binary is the placeholder that has no `template` command yet."""
    return proc.returncode == 2 and "not yet implemented" in proc.stderr
