#!/usr/bin/env bash
# The renderer benchmark in one command (docs/renderer.md, "Benchmarks"):
#   hack/bench/run.sh [ITERATIONS=20] [OUTDIR=$CARGO_TARGET_DIR/bench-run]
# Builds Hoist's bench binary and `hoist` (release), the gtmpl-ng program (its own cargo project, never
# part of the workspace), then runs hack/bench/bench.py: Helm vs. Hoist vs. gtmpl-ng on the same charts,
# a byte-for-byte check of Hoist's output against Helm's, memory, and the tables (OUTDIR/results.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
ITERATIONS="${1:-20}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="${2:-$TARGET_DIR/bench-run}"
PYTHON="${PYTHON:-$( [ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python3 )}"

echo "==> building (release)" >&2
cargo build --release --quiet -p hoist --bin hoist
cargo bench --quiet -p chart-renderer --bench render --no-run
GTMPL_TARGET="${GTMPL_NG_TARGET_DIR:-$TARGET_DIR/gtmpl-ng}"
CARGO_TARGET_DIR="$GTMPL_TARGET" cargo build --release --quiet \
    --manifest-path hack/bench/gtmpl-ng/Cargo.toml

rm -rf "$OUT"
mkdir -p "$OUT"
echo "==> machine: $(nproc) cores, $(uname -srm); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec "$PYTHON" hack/bench/bench.py "$OUT" "$ITERATIONS" \
    "cargo bench --quiet -p chart-renderer --bench render --" \
    "$TARGET_DIR/release/hoist" "$GTMPL_TARGET/release/gtmpl-ng-bench"
