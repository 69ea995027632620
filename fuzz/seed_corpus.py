#!/usr/bin/env python3
"""Fill fuzz/corpus/<target>/ with seeds taken from the repository's own test charts.

    python3 fuzz/seed_corpus.py          # from the repository root or from fuzz/

Seeds (nothing is downloaded):
- template, template_helm: every template file of tests/conformance/charts (helpers and files), plus each chart's
  `_helpers.tpl` joined to one of its files with a NUL byte (the target's helper/main split);
- template_helm also: 200 templates of tests/differential/gen.py (seeds 0-9);
- yaml: every values.yaml, cases/*.yaml and Chart.yaml of those charts, and the documents of
  hack/yaml_cases/*.yaml-cases;
- strvals: every line of cases/*.set, prefixed with each flag-kind byte, and every line of
  chart-renderer/tests/goldens/strvals.json behind its own kind's byte;
- chart_archive: each chart as an uncompressed tar behind mode byte 1 (the harness gzips it), and
  as a real .tgz behind mode byte 0.
"""

from __future__ import annotations

import gzip as gzip_mod
import hashlib
import json
import sys
import io
import tarfile
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
CHARTS = FUZZ.parent / "tests" / "conformance" / "charts"
CORPUS = FUZZ / "corpus"
# The strvals target's first byte picks the flag: Set, String, Json, File, Literal.
KIND_BYTES = {"set": 0, "string": 1, "json": 2, "file": 3, "literal": 4}


def put(target: str, data: bytes) -> None:
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def chart_tar(chart: Path, gzip: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in sorted(chart.rglob("*")):
            if path.is_file() and "cases" not in path.relative_to(chart).parts:
                tar.add(path, arcname=f"{chart.name}/{path.relative_to(chart)}", recursive=False)
    # mtime=0: the same chart gives the same seed on every run.
    return gzip_mod.compress(buf.getvalue(), mtime=0) if gzip else buf.getvalue()


def main() -> None:
    for chart in sorted(p for p in CHARTS.iterdir() if p.is_dir()):
        templates = sorted(p for p in (chart / "templates").rglob("*") if p.is_file()) if (chart / "templates").is_dir() else []
        helpers = [p for p in templates if p.name.startswith("_")]
        for t in templates:
            for target in ("template", "template_helm"):
                put(target, t.read_bytes())
                for h in helpers:
                    if h != t:
                        put(target, h.read_bytes() + b"\0" + t.read_bytes())
        for y in [chart / "values.yaml", chart / "Chart.yaml", *sorted((chart / "cases").glob("*.yaml"))]:
            if y.is_file():
                put("yaml", y.read_bytes())
        for s in sorted((chart / "cases").glob("*.set")):
            for line in s.read_text().splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    for kind in range(5):
                        put("strvals", bytes([kind]) + line.encode())
        put("chart_archive", b"\x01" + chart_tar(chart, gzip=False))
        put("chart_archive", b"\x00" + chart_tar(chart, gzip=True))
    root = FUZZ.parent
    strvals = json.loads((root / "chart-renderer/tests/goldens/strvals.json").read_text())["cases"]
    for kind, cases in strvals.items():
        k = KIND_BYTES.get(kind, 0)
        for case in cases:
            put("strvals", bytes([k]) + case[0].encode())
    for cases in (root / "hack/yaml_cases").glob("*.yaml-cases"):
        for doc in cases.read_text().split("\n=====\n"):
            put("yaml", doc.encode())
    # Helm-function templates from the differential generator (values paths refer to `.Values`, which
    # the target's dot lacks: they still exercise parsing and every function's argument handling).
    sys.path.insert(0, str(root / "tests" / "differential"))
    import gen

    for seed in range(10):
        for text in gen.generate_case(seed)[1].values():
            put("template_helm", text.encode())
    for target in sorted(p.name for p in CORPUS.iterdir()):
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
