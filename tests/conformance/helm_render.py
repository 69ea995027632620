#!/usr/bin/env python3
"""Print Helm's rendering of a chart as JSON {template path: text}, using Helm's real engine.

    tests/conformance/helm_render.py CHART [-f VALUES]... [--set EXPR]... [--name N] [-n NS]
        [--kube-version V] [--api-versions G/V]... [--is-upgrade]

This is what `hoist template … --output json` must print. On failure prints `Error: <message>`
to stderr and exits 1, like helm.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import caselib  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chart", type=Path)
    parser.add_argument("-f", "--values", action="append", default=[], type=Path)
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--name", default=caselib.RELEASE_NAME)
    parser.add_argument("-n", "--namespace", default=caselib.NAMESPACE)
    parser.add_argument("--kube-version")
    parser.add_argument("--api-versions", action="append", default=[])
    parser.add_argument("--is-upgrade", action="store_true")
    args = parser.parse_args()
    extra = [f"--api-versions={a}" for a in args.api_versions]
    if args.kube_version:
        extra.append(f"--kube-version={args.kube_version}")
    if args.is_upgrade:
        extra.append("--is-upgrade")
    outcome = caselib.helm_render(args.chart, args.values, args.set, args.name, args.namespace, extra)
    if outcome.error is not None:
        print(f"Error: {outcome.error}", file=sys.stderr)
        return 1
    json.dump(outcome.files, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
