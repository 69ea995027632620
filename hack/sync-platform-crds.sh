#!/usr/bin/env bash
# Copies the generated CRDs (crds/*.yaml, written by `hoist crds`) into the platform chart, which
# renders them from platform-chart/files/crds/ as upgradeable templates (platform-chart/README.md,
# "CRDs"). tests/platform_chart fails while the two differ.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$ROOT/crds"
dst="$ROOT/platform-chart/files/crds"
if [ ! -d "$src" ]; then
    echo "sync-platform-crds: $src does not exist (generate it with \`hoist crds\`)" >&2
    exit 1
fi
mkdir -p "$dst"
find "$dst" -maxdepth 1 -name '*.yaml' -delete
cp "$src"/*.yaml "$dst"/
echo "sync-platform-crds: $(find "$dst" -maxdepth 1 -name "*.yaml" | wc -l) CRD file(s) copied to platform-chart/files/crds/"
