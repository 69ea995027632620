#!/usr/bin/env python3
"""Compare `hoist template` with Helm's engine (hack/helm-template.py) on any chart, byte for byte.

    hack/compare-chart.py CHART_DIR [-f VALUES]... [--set EXPR]... [--name REL] [-n NS] [--out DIR]

Both commands get the same release name, namespace and flags. When the outputs differ, Helm is run a
second time: lines that differ between the two Helm runs (random passwords, generated keys, checksums of
those) are reported as random and masked; every other line must still be identical. Exit 0 when the
outputs match (or match except random lines), 1 otherwise; the outputs and a unified diff go to --out.
Used for the "Real charts" record in docs/renderer.md. HOIST=/path/to/hoist picks the binary (default:
$CARGO_TARGET_DIR/release/hoist, else target/release/hoist).
"""

from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hoist_bin() -> str:
    if os.environ.get("HOIST"):
        return os.environ["HOIST"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "release" / "hoist")


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("chart")
    p.add_argument("-f", "--values", action="append", default=[])
    p.add_argument("--set", action="append", default=[])
    p.add_argument("--name", default="rel")
    p.add_argument("-n", "--namespace", default="ns")
    p.add_argument("--out", default=None)
    o = p.parse_args()
    args = [o.name, o.chart, "-n", o.namespace]
    for v in o.values:
        args += ["-f", v]
    for s in o.set:
        args += ["--set", s]
    label = f"{Path(o.chart).name} {' '.join(Path(v).name for v in o.values) or '(defaults)'}"
    out = Path(o.out or f"/tmp/compare-chart/{Path(o.chart).name}-{len(o.values)}")
    out.mkdir(parents=True, exist_ok=True)

    helm_cmd = [sys.executable, str(ROOT / "hack" / "helm-template.py"), *args]
    hoist = run([hoist_bin(), "template", *args])
    helm = run(helm_cmd)
    for name, r in (("hoist", hoist), ("helm", helm)):
        (out / f"{name}.txt").write_text(r.stdout)
        (out / f"{name}.err").write_text(r.stderr)
    docs = helm.stdout.count("# Source:")
    if helm.returncode != 0:
        last = lambda s: s.strip().splitlines()[-1:]  # noqa: E731
        same = hoist.returncode != 0 and last(hoist.stderr) == last(helm.stderr)
        print(f"{label}: Helm fails; hoist {'fails the same way' if same else 'DIFFERS'}: {helm.stderr.strip()[:300]}")
        return 0 if same else 1
    if hoist.returncode == 0 and hoist.stdout == helm.stdout:
        print(f"{label}: IDENTICAL ({len(helm.stdout)} bytes, {docs} documents)")
        return 0
    helm2 = run(helm_cmd)
    a, b, h = helm.stdout.splitlines(), helm2.stdout.splitlines(), hoist.stdout.splitlines()
    if hoist.returncode == 0 and len(a) == len(b) == len(h) and helm.stdout.endswith("\n") == hoist.stdout.endswith("\n"):
        random_lines = {i for i in range(len(a)) if a[i] != b[i]}
        if all(a[i] == h[i] for i in range(len(a)) if i not in random_lines):
            print(f"{label}: IDENTICAL except {len(random_lines)} random lines (they differ between two Helm "
                  f"runs too) ({len(helm.stdout)} bytes, {docs} documents)")
            return 0
    diff = list(difflib.unified_diff(a, h, "helm", "hoist", lineterm=""))
    (out / "diff.txt").write_text("\n".join(diff) + "\n")
    print(f"{label}: DIFFERENT ({len(diff)} diff lines in {out}/diff.txt); hoist exit {hoist.returncode}: "
          f"{hoist.stderr.strip()[:300]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
