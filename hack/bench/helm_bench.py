"""Helm's side of the renderer benchmark: Helm v4's engine in-process through helm-python-sdk.

Usage: python3 hack/bench/helm_bench.py CASES.json ITERATIONS [DUMP_DIR]

For every case (see bench.py) it prints, as one JSON document on stdout:
- `cold_ns`: archive bytes → `Chart.load_archive` → render, ITERATIONS times (the archive is read into
  memory once beforehand, as the Rust side does);
- `warm_ns`: renders of one chart loaded before the loop.

What "warm" can honestly mean for Helm: Helm's engine has no parse cache — every render parses every
template of the chart and its subcharts again — so there is no "already parsed" state to reuse; the
only thing that can be kept is the loaded chart. That is not generally safe either: Helm's dependency
processing (conditions, tags, import-values) mutates the loaded chart, so a second render of the same
object can differ from a fresh one when values change. Here the values never change between renders and
every warm output is checked equal to the cold one, so warm = "render of an already loaded chart with the
same values": Helm's best case, a lower bound for what a Helm-based renderer could do per render.

Both include the SDK's JSON crossing of values and output (Go encodes the rendered map, Python decodes
it), which a Go program calling Helm directly would not pay; `json_decode_ns` reports the decoding part.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import helm_python as helm
from helm_python import _native


def render(chart: helm.Chart, case: dict) -> dict[str, str]:
    opts = {"name": case["release"], "namespace": case["namespace"]}
    if case.get("api_versions"):
        # Chart.render() does not expose api_versions; the native call takes it in the same options.
        opts["api_versions"] = case["api_versions"]
    out = _native.call_string("helm_render", chart._raw(), json.dumps(case.get("values") or {}), json.dumps(opts))
    return json.loads(out)


def run_case(case: dict, iterations: int, dump: Path | None) -> dict:
    data = Path(case["archive"]).read_bytes()
    cold_ns = []
    first = None
    for _ in range(iterations):
        t = time.perf_counter_ns()
        chart = helm.Chart.load_archive(data)
        try:
            out = render(chart, case)
        finally:
            chart.close()
        cold_ns.append(time.perf_counter_ns() - t)
        first = first or out

    chart = helm.Chart.load_archive(data)
    warm_ns = []
    try:
        for _ in range(iterations):
            t = time.perf_counter_ns()
            out = render(chart, case)
            warm_ns.append(time.perf_counter_ns() - t)
            if out != first:
                raise SystemExit(f"{case['name']}: a render of the loaded chart differs from a fresh one")
    finally:
        chart.close()
    raw = json.dumps(first)
    t = time.perf_counter_ns()
    json.loads(raw)
    decode_ns = time.perf_counter_ns() - t
    if dump is not None:
        (dump / f"{case['name']}.json").write_text(json.dumps(first))
    return {"name": case["name"], "files": len(first), "cold_ns": cold_ns, "warm_ns": warm_ns,
            "json_decode_ns": decode_ns}


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cases = json.loads(Path(sys.argv[1]).read_text())
    iterations = max(1, int(sys.argv[2]))
    dump = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    results = []
    for case in cases:
        n = max(1, iterations // case.get("helm_divisor", 1))
        print(f"helm: {case['name']} ({n} iterations)", file=sys.stderr)
        results.append(run_case(case, n, dump))
    print(json.dumps({"engine": "helm", "version": _native.helm_sdk_version(), "cases": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
