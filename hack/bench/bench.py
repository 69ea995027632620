"""Drives the renderer benchmark (run it through hack/bench/run.sh, which builds the binaries first).

Usage: python3 hack/bench/bench.py OUTDIR ITERATIONS HOIST_BENCH_CMD HOIST_BIN GTMPL_NG_BIN

1. writes the benchmark charts (gen_charts.py) and packages them with Helm (`helm package`);
2. measures, on the same archives and values, in separate processes one after the other:
   Helm's engine in-process (helm_bench.py), Hoist in-process (the `render` bench of chart-renderer),
   gtmpl-ng on the raw templates of the charts it may render (gtmpl-ng/);
3. checks every Hoist output byte for byte against Helm's (a mismatch fails the run: figures of a wrong
   render are worthless) and counts the gtmpl-ng files that match;
4. measures peak RSS and wall time of one fresh `hoist template` process vs. one fresh Python+Helm
   process (`/usr/bin/time -v`), min wall / max RSS of 3;
5. prints the tables (Markdown) and writes them with the raw figures to OUTDIR/results.{md,json}.
"""

from __future__ import annotations

import json
import re
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RELEASE = "bench"
NAMESPACE = "bench-ns"
# As Argo CD passes them: every group/version and group/version/Kind the cluster serves.
API_VERSIONS = [f"bench{i:03d}.example.com/v1/Kind{i:03d}" for i in range(1000)]
CHARTS = ["libchart-app", "hundred", "hundred-pure", "umbrella"]


def package(charts: Path, archives: Path) -> dict[str, Path]:
    import helm_python as helm

    archives.mkdir(parents=True, exist_ok=True)
    return {c: Path(helm.package(str(charts / c), destination=str(archives))) for c in CHARTS}


def cases(archives: dict[str, Path]) -> list[dict]:
    out = []
    for c in CHARTS:
        out.append({"name": c, "chart": c, "archive": str(archives[c]), "values": {},
                    "release": RELEASE, "namespace": NAMESPACE, "api_versions": []})
    out.append({"name": "umbrella+1000apis", "chart": "umbrella", "archive": str(archives["umbrella"]),
                "values": {}, "release": RELEASE, "namespace": NAMESPACE, "api_versions": API_VERSIONS})
    return out


def run_json(cmd: list[str], **kw) -> dict:
    print("$ " + " ".join(shlex.quote(c) for c in cmd[:6]) + (" …" if len(cmd) > 6 else ""), file=sys.stderr)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True, **kw)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def gtmpl_context(chart_dir: Path) -> dict:
    """What gtmpl-ng gets as its dot: the values as Helm computes them, .Release and .Chart."""
    import helm_python as helm

    chart = helm.Chart.load(str(chart_dir))
    try:
        meta = chart.metadata
        values = chart.merge_values({})
    finally:
        chart.close()
    return {
        "Values": values,
        "Release": {"Name": RELEASE, "Namespace": NAMESPACE, "Service": "Helm", "Revision": 1,
                    "IsInstall": True, "IsUpgrade": False},
        "Chart": {"Name": meta.get("name"), "Version": meta.get("version"),
                  "AppVersion": meta.get("appVersion", "")},
        "Capabilities": {"KubeVersion": {"Version": "v1.20.0"}},
    }


def stats(ns: list[int]) -> dict:
    return {"min_ms": min(ns) / 1e6, "median_ms": statistics.median(ns) / 1e6, "n": len(ns)}


def time_v(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one process, from GNU time."""
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=True)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return seconds, rss


HELM_ONE_RENDER = """
import json, sys
import helm_python as helm
from helm_python import _native
case = json.load(open(sys.argv[1]))
chart = helm.Chart.load_archive(open(case["archive"], "rb").read())
opts = {"name": case["release"], "namespace": case["namespace"]}
if case["api_versions"]:
    opts["api_versions"] = case["api_versions"]
print(len(json.loads(_native.call_string("helm_render", chart._raw(), "{}", json.dumps(opts)))))
"""


def processes(case: dict, out: Path, hoist_bin: str) -> dict:
    case_file = out / f"case-{case['name']}.json"
    case_file.write_text(json.dumps(case))
    hoist = [hoist_bin, "template", case["release"], case["archive"], "-n", case["namespace"]]
    if case["api_versions"]:
        hoist += ["--api-versions", ",".join(case["api_versions"])]
    helm = [sys.executable, "-c", HELM_ONE_RENDER, str(case_file)]
    h = [time_v(hoist) for _ in range(3)]
    p = [time_v(helm) for _ in range(3)]
    return {"hoist_wall_s": min(x[0] for x in h), "hoist_rss_kib": max(x[1] for x in h),
            "helm_wall_s": min(x[0] for x in p), "helm_rss_kib": max(x[1] for x in p)}


def fmt_ms(s: dict | None) -> str:
    if not s:
        return "—"
    return f"{s['min_ms']:.2f} ({s['median_ms']:.2f})"


def ratio(a: dict | None, b: dict | None, key: str = "min_ms") -> str:
    if not a or not b or not b[key]:
        return "—"
    return f"{a[key] / b[key]:.1f}×"


def main() -> int:
    out = Path(sys.argv[1]).resolve()
    iterations = int(sys.argv[2])
    hoist_bench = shlex.split(sys.argv[3])
    hoist_bin = sys.argv[4]
    gtmpl_bin = sys.argv[5]
    charts = out / "charts"
    subprocess.run([sys.executable, str(HERE / "gen_charts.py"), str(charts)], check=True,
                   stdout=subprocess.DEVNULL)
    archives = package(charts, out / "archives")
    all_cases = cases(archives)
    cases_file = out / "cases.json"
    cases_file.write_text(json.dumps(all_cases))
    dumps = {e: out / "out" / e for e in ("helm", "hoist", "gtmpl-ng")}
    for d in dumps.values():
        d.mkdir(parents=True, exist_ok=True)

    helm = run_json([sys.executable, str(HERE / "helm_bench.py"), str(cases_file), str(iterations),
                     str(dumps["helm"])])
    hoist = run_json([*hoist_bench, str(cases_file), str(iterations), str(dumps["hoist"])])

    gtmpl: dict[str, dict] = {}
    for c in CHARTS:
        ctx_file = out / f"gtmpl-context-{c}.json"
        ctx_file.write_text(json.dumps(gtmpl_context(charts / c)))
        gtmpl[c] = run_json([gtmpl_bin, c, str(charts / c), str(ctx_file), str(iterations), str(dumps["gtmpl-ng"])])

    results: dict = {"iterations": iterations, "helm_sdk": helm.get("version"), "cases": []}
    failures = []
    for case in all_cases:
        name = case["name"]
        h = next(r for r in helm["cases"] if r["name"] == name)
        o = next(r for r in hoist["cases"] if r["name"] == name)
        helm_files = json.loads((dumps["helm"] / f"{name}.json").read_text())
        hoist_files = json.loads((dumps["hoist"] / f"{name}.json").read_text())
        identical = helm_files == hoist_files
        if not identical:
            diff = sorted(k for k in set(helm_files) | set(hoist_files) if helm_files.get(k) != hoist_files.get(k))
            failures.append(f"{name}: Hoist differs from Helm in {len(diff)} files, e.g. {diff[:3]}")
        row = {"name": name, "files": len(helm_files), "identical_to_helm": identical,
               "helm": {"cold": stats(h["cold_ns"]), "warm": stats(h["warm_ns"]),
                        "json_decode_ms": h["json_decode_ns"] / 1e6},
               "hoist": {"cold": stats(o["cold_ns"]), "warm": stats(o["warm_ns"]),
                         "cache_bytes": o["cache_bytes"], "template_source_bytes": o["template_source_bytes"]}}
        g = gtmpl.get(name) if not case["api_versions"] else None
        if g is not None:
            if "error" in g:
                row["gtmpl-ng"] = {"error": g["error"]}
            else:
                gfiles = json.loads((dumps["gtmpl-ng"] / f"{name}.json").read_text())
                same = sum(1 for k, v in gfiles.items() if helm_files.get(k) == v)
                row["gtmpl-ng"] = {"cold": stats(g["cold_ns"]), "warm": stats(g["warm_ns"]),
                                   "files": len(gfiles), "files_identical_to_helm": same}
        print(f"processes: {name}", file=sys.stderr)
        row["process"] = processes(case, out, hoist_bin)
        results["cases"].append(row)

    md = table(results)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    (out / "results.md").write_text(md)
    print(md)
    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if failures else 0


def table(results: dict) -> str:
    lines = [
        f"Per render, milliseconds: min of {results['iterations']} (median). Ratios = Helm / Hoist on the minima.",
        "",
        "| chart | files | Helm cold | Helm warm | Hoist cold | Hoist warm | cold ratio | warm ratio | "
        "gtmpl-ng cold | gtmpl-ng warm |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    notes = []
    for r in results["cases"]:
        h, o, g = r["helm"], r["hoist"], r.get("gtmpl-ng")
        if g is None:
            gc = gw = "—"
        elif "error" in g:
            gc = gw = "fails"
            notes.append(f"- gtmpl-ng on `{r['name']}`: {g['error'].splitlines()[0][:160]}")
        else:
            gc, gw = fmt_ms(g["cold"]), fmt_ms(g["warm"])
            notes.append(f"- gtmpl-ng on `{r['name']}`: {g['files_identical_to_helm']}/{g['files']} files identical "
                         "to Helm (raw templates only; cold = parse + render, no archive or values work)")
        mark = "" if r["identical_to_helm"] else " **(differs from Helm!)**"
        lines.append(f"| {r['name']}{mark} | {r['files']} | {fmt_ms(h['cold'])} | {fmt_ms(h['warm'])} | "
                     f"{fmt_ms(o['cold'])} | {fmt_ms(o['warm'])} | {ratio(h['cold'], o['cold'])} | "
                     f"{ratio(h['warm'], o['warm'])} | {gc} | {gw} |")
    lines += ["", *notes, "", "| chart | Hoist cache per parsed chart | its template sources | "
              "`hoist template` wall / peak RSS | Python+Helm wall / peak RSS |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for r in results["cases"]:
        p, o = r["process"], r["hoist"]
        lines.append(f"| {r['name']} | {o['cache_bytes'] / 1024:.0f} KiB | {o['template_source_bytes'] / 1024:.0f} KiB | "
                     f"{p['hoist_wall_s'] * 1e3:.0f} ms / {p['hoist_rss_kib'] / 1024:.1f} MiB | "
                     f"{p['helm_wall_s'] * 1e3:.0f} ms / {p['helm_rss_kib'] / 1024:.1f} MiB |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
