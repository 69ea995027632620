"""CI slice of the differential fuzzer: a fixed range of seeds, zero differences allowed.

Longer runs: `python3 tests/differential/difffuzz.py --seeds 0:5000 --keep /tmp/diffs`.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import difffuzz  # noqa: E402

SEEDS = int(os.environ.get("HOIST_DIFFFUZZ_SEEDS", "60"))


def test_random_templates_render_identically():
    if not difffuzz.HOIST.exists():
        pytest.fail(f"{difffuzz.HOIST} is missing: build it with `cargo build --release -p hoist`")
    stats = difffuzz.run(range(SEEDS), templates=10, keep=None)
    report = "\n".join(
        f"seed {d['seed']}:\n--- template\n{d['template']}\n--- helm {d['helm']}\n--- hoist {d['hoist']}"
        for d in stats["diffs"][:5])
    assert stats["differences"] == 0, (
        f"{stats['differences']} of {stats['cases']} random templates differ from Helm:\n{report}")
    # Guard against a generator that only produces failures: both outputs and errors must be exercised.
    assert stats["ok"] > stats["cases"] // 3, stats
    assert stats["errors_both"] > 0, stats
