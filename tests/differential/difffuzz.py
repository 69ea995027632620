"""Differential fuzzing: random templates rendered by Helm's engine and by `hoist template`, compared.

Usage (long runs, from the repository root):
    python3 tests/differential/difffuzz.py --seeds 0:500 [--templates 10] [--keep DIR]

Each seed gives one values tree and N templates; every template is rendered as its own one-template chart
so a failing template does not hide the others. Output and error text must be byte-identical. A
difference is printed with the template, the values, and both results, and saved under --keep so it can
become a conformance case.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from gen import generate_case  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HOIST = Path(os.environ.get("HOIST_BIN", ROOT / "target" / "release" / "hoist"))


def write_chart(base: Path, name: str, values: dict, text: str) -> Path:
    chart = base / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(yaml.safe_dump(values, allow_unicode=True))
    (chart / "templates" / "t.yaml").write_text(text)
    return chart


def helm_render(chart: Path) -> tuple[str, str]:
    """('ok', json) or ('error', message) from Helm's engine, with a freshly loaded chart."""
    import helm_python as helm

    try:
        out = helm.Chart.load(str(chart)).render({}, name="fuzz", namespace="default")
        return "ok", json.dumps(out, sort_keys=True, ensure_ascii=False)
    except helm.HelmError as e:  # every Helm failure derives from HelmError
        return "error", str(e)


def hoist_render(chart: Path) -> tuple[str, str]:
    p = subprocess.run([str(HOIST), "template", "fuzz", str(chart), "-n", "default", "--output", "json"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode == 0:
        return "ok", json.dumps(json.loads(p.stdout), sort_keys=True, ensure_ascii=False)
    return "error", p.stderr.strip().removeprefix("Error: ")


def normalise_error(msg: str) -> str:
    # The Python wrapper may prefix Helm's message; compare from Helm's own text on.
    for marker in ("template: ", "parse error", "execution error", "error calling", "values don't"):
        i = msg.find(marker)
        if i >= 0:
            return msg[i:].strip()
    return msg.strip()


def run(seeds: range, templates: int, keep: Path | None) -> dict:
    # Go's typed collections ([]string, map[string]string, common.Values, nil slices) are modelled by
    # the value model, so there is no "known" class any more: every difference counts.
    stats = {"cases": 0, "ok": 0, "errors_both": 0, "differences": 0}
    diffs = []
    with tempfile.TemporaryDirectory(prefix="hoist-difffuzz-") as tmp:
        base = Path(tmp)
        for seed in seeds:
            values, tpls = generate_case(seed, templates)
            for tname, text in tpls.items():
                name = f"s{seed}-{tname.removesuffix('.yaml')}"
                chart = write_chart(base, name, values, text)
                hk, hv = helm_render(chart)
                ok, ov = hoist_render(chart)
                stats["cases"] += 1
                same = (hk, normalise_error(hv) if hk == "error" else hv) == (
                    ok, normalise_error(ov) if ok == "error" else ov)
                if same:
                    stats["ok" if hk == "ok" else "errors_both"] += 1
                    continue
                stats["differences"] += 1
                diffs.append({"seed": seed, "template": text, "values": values, "helm": [hk, hv],
                              "hoist": [ok, ov]})
                if keep:
                    keep.mkdir(parents=True, exist_ok=True)
                    (keep / f"{name}.json").write_text(json.dumps(diffs[-1], indent=2, ensure_ascii=False))
    stats["diffs"] = diffs
    return stats


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0:50", help="START:END")
    ap.add_argument("--templates", type=int, default=10)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    start, end = (int(x) for x in args.seeds.split(":"))
    stats = run(range(start, end), args.templates, args.keep)
    for d in stats["diffs"][:20]:
        print(json.dumps(d, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in stats.items() if k != "diffs"}))
    return 1 if stats["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
