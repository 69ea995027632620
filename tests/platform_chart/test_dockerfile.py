"""Static checks of the Dockerfile and .dockerignore (no container runtime on CI machines, so the image
itself is never built here): it parses with BuildKit's own parser (the `dockerfile` package wraps it),
builds the binary that exists, runs non-root, and its build context holds every workspace crate.
"""

from __future__ import annotations

import fnmatch
import glob
import json
import re
import subprocess
import tomllib
from pathlib import Path

import dockerfile
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def instructions():
    return dockerfile.parse_file(str(ROOT / "Dockerfile"))


def stages(instructions):
    out = []
    for ins in instructions:
        if ins.cmd == "FROM":
            out.append([ins])
        elif out:
            out[-1].append(ins)
    return out


def test_multi_stage_with_a_minimal_non_root_final_stage(instructions):
    all_stages = stages(instructions)
    assert len(all_stages) >= 2
    final = all_stages[-1]
    base = final[0].value[0]
    assert base.startswith("gcr.io/distroless/") and base.endswith(":nonroot"), base
    users = [i.value[0] for i in final if i.cmd == "USER"]
    assert users, "the final stage sets USER"
    uid, _, gid = users[-1].partition(":")
    # Numeric, so the kubelet can enforce runAsNonRoot; the platform chart uses the same UID.
    assert uid.isdigit() and int(uid) != 0 and (not gid or int(gid) != 0)
    chart_values = (ROOT / "platform-chart" / "templates" / "deployment.yaml").read_text()
    assert f"runAsUser: {uid}" in chart_values
    assert not any(i.cmd == "RUN" for i in final), "distroless has no shell: no RUN in the final stage"


def test_builds_the_hoist_binary_and_the_kubectl_plugin_name(instructions):
    cargo = tomllib.loads((ROOT / "operator" / "Cargo.toml").read_text())
    bins = {b["name"]: b["path"] for b in cargo.get("bin", [])}
    assert cargo["package"]["name"] == "hoist" and "hoist" in bins
    assert (ROOT / "operator" / bins["hoist"]).is_file()
    build = " ".join(" ".join(i.value) for i in instructions if i.cmd == "RUN" and "cargo build" in " ".join(i.value))
    assert "-p hoist" in build and "--bin hoist" in build and "--locked" in build
    assert "ln -s hoist /out/bin/kubectl-hoist" in build
    copies = [i for i in stages(instructions)[-1] if i.cmd == "COPY"]
    assert [c.value for c in copies] == [("/out/bin/", "/usr/local/bin/")]
    entry = [i for i in instructions if i.cmd == "ENTRYPOINT"][-1]
    assert entry.json and entry.value == ("/usr/local/bin/hoist",)


def test_rust_version_satisfies_the_workspace(instructions):
    arg = next(i.value[0] for i in instructions if i.cmd == "ARG" and i.value[0].startswith("RUST_VERSION="))
    image = tuple(int(x) for x in arg.split("=", 1)[1].split("."))
    workspace = tomllib.loads((ROOT / "Cargo.toml").read_text())
    needed = tuple(int(x) for x in workspace["workspace"]["package"]["rust-version"].split("."))
    assert image >= needed[: len(image)]


def test_builder_and_runtime_share_the_debian_release(instructions):
    """A glibc binary needs a runtime glibc at least as new as the builder's."""
    arg = next(i.value[0] for i in instructions if i.cmd == "ARG" and i.value[0].startswith("DEBIAN_RELEASE="))
    codename = arg.split("=", 1)[1]
    number = {"bullseye": "11", "bookworm": "12", "trixie": "13"}[codename]
    final = stages(instructions)[-1][0].value[0]
    assert f"-debian{number}:" in final


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a parent excludes the tree."""
    parts = path.split("/")
    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if fnmatch.fnmatchcase(prefix, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(parts[depth - 1], pattern[3:])
            ):
                excluded = not negate
                break
    return excluded


def test_build_context_holds_every_workspace_crate():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [re.sub(r"/+$", "", ln.strip()) for ln in lines if ln.strip() and not ln.startswith("#")]
    assert dockerignored("target/release/hoist", patterns) and dockerignored(".git/HEAD", patterns)
    assert dockerignored("chart-renderer/target/x", patterns)
    workspace = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]
    members = [m for pattern in workspace["members"] for m in glob.glob(pattern, root_dir=ROOT)]
    assert members
    needed = ["Cargo.toml", "Cargo.lock"] + [f"{m}/Cargo.toml" for m in members] + [f"{m}/src" for m in members]
    # Path dependencies of the hoist package, from cargo itself (in case one is not a member).
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    for package in json.loads(meta.stdout)["packages"]:
        manifest = Path(package["manifest_path"]).relative_to(ROOT)
        needed.append(str(manifest))
    missing = [p for p in needed if dockerignored(p, patterns)]
    assert missing == [], f".dockerignore excludes what the build needs: {missing}"


def test_image_and_chart_agree_on_port_and_cache():
    text = (ROOT / "Dockerfile").read_text()
    values = yaml.safe_load((ROOT / "platform-chart" / "values.yaml").read_text())
    assert f"EXPOSE {values['operator']['port']}" in text
    assert 'VOLUME ["/var/cache/hoist"]' in text
    deployment = (ROOT / "platform-chart" / "templates" / "deployment.yaml").read_text()
    assert "mountPath: /var/cache/hoist" in deployment and "value: /var/cache/hoist" in deployment
