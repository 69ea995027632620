"""`hoist render examples/<kind>.yaml` (the README's first command) against Helm.

For every example `Middleware`, the values `hoist render --print-values` derives from the spec are given
to Helm's real engine through `hack/helm-template.py` (which prints exactly what `helm template` prints),
and the manifests must be byte-identical to what `hoist render` prints for that object.
"""

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Generated on first install with randAlphaNum (charts keep them stable by looking the live Secret up):
# the only bytes that may differ between two renders.
RANDOM_SECRET = re.compile(
    r"^(\s*(?:[A-Za-z0-9_.-]*password[A-Za-z0-9_.-]*|cluster-id): )[A-Za-z0-9+/=]{24,}$", re.M)


def mask(text: str) -> str:
    return RANDOM_SECRET.sub(r"\1<random>", text)

ROOT = Path(__file__).resolve().parents[2]
HOIST = Path(os.environ.get("HOIST_BIN", ROOT / "target" / "release" / "hoist"))
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, **kw)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_render_matches_helm(example, tmp_path):
    values = run([str(HOIST), "render", "--print-values", str(example)])
    assert values.returncode == 0, values.stderr
    ours = run([str(HOIST), "render", str(example)])
    assert ours.returncode == 0, ours.stderr
    docs = ours.stdout.split("\n# Middleware/")
    lines = [json.loads(line) for line in values.stdout.splitlines() if line.strip()]
    assert len(lines) == len(docs) >= 1
    for i, (vals, text) in enumerate(zip(lines, docs)):
        header, _, body = text.removeprefix("# Middleware/").partition("\n")
        ns, name = header.split(" ")[0].split("/")
        kind = header.split("(")[1].split(" ")[0]
        vfile = tmp_path / f"values-{i}.json"
        vfile.write_text(json.dumps(vals))
        helm = run([sys.executable, str(ROOT / "hack" / "helm-template.py"), name,
                    str(ROOT / "extension-charts" / kind), "-f", str(vfile), "-n", ns, "--no-hooks"])
        assert helm.returncode == 0, helm.stderr
        assert mask(body) == mask(helm.stdout), f"{example.name} #{i}: hoist render differs from helm template"
        assert RANDOM_SECRET.search(body), "the masking pattern no longer matches: update it"


def test_unknown_type_is_a_clear_error(tmp_path):
    f = tmp_path / "mw.yaml"
    f.write_text("apiVersion: hoist.dev/v1alpha1\nkind: Middleware\nmetadata: {name: x}\nspec: {type: nosuch}\n")
    p = run([str(HOIST), "render", str(f)])
    assert p.returncode == 1
    assert 'Middleware/default/x: spec.type "nosuch": no extension chart at extension-charts/nosuch' in p.stderr


def test_unoffered_version_is_refused(tmp_path):
    f = tmp_path / "mw.yaml"
    f.write_text("apiVersion: hoist.dev/v1alpha1\nkind: Middleware\nmetadata: {name: x, namespace: t}\n"
                 "spec: {type: redis, version: '6.0'}\n")
    p = run([str(HOIST), "render", str(f)])
    assert p.returncode == 1
    assert 'Middleware/t/x: spec.version: "6.0" is not offered by extension redis' in p.stderr
