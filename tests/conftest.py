"""Shared pytest setup for the Python suites under tests/ (run through hack/test.sh)."""

from __future__ import annotations

import sys
from pathlib import Path

# Suites import their helper modules by plain name (e.g. `import caselib`).
for suite in ("conformance",):
    path = str(Path(__file__).resolve().parent / suite)
    if path not in sys.path:
        sys.path.insert(0, path)

from support.kube import kube_api  # noqa: E402,F401  (session fixture: the API-server double)
