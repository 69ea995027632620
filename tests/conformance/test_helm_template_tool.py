"""Checks hack/helm-template.py against Helm itself.

Hooks are rebuilt by the tool from the engine's files (the SDK does not return them). The same
splitting and ordering rules applied to the non-hook documents must give exactly the manifest of
Helm's own dry-run install; this is checked for every conformance case Helm can install.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

import caselib

_SPEC = importlib.util.spec_from_file_location(
    "helm_template_tool", caselib.REPO_ROOT / "hack" / "helm-template.py"
)
assert _SPEC is not None and _SPEC.loader is not None
tool = importlib.util.module_from_spec(_SPEC)
sys.modules["helm_template_tool"] = tool
_SPEC.loader.exec_module(tool)

CASES = [case for case in caselib.discover_cases() if not case.expects_error and not case.args]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rebuilt_manifest_matches_helm(case: caselib.Case) -> None:
    import helm_python as helm

    values = caselib.helm_values([case.values_file], case.sets)
    try:
        release, files, _ = tool.helm_release_and_files(
            str(case.chart_dir), values, caselib.RELEASE_NAME, caselib.NAMESPACE
        )
    except helm.HelmError:
        # Many suite charts render text that is not Kubernetes YAML; Helm's install refuses it.
        # One fixed reason so that pytest reports these skips as one line.
        pytest.skip("Helm's install refuses this case's output (not Kubernetes YAML)")
    _, generic = tool.sort_documents(files)
    assert tool.rebuild_manifest(generic) == release["manifest"]
