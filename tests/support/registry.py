"""A real OCI registry for tests: Debian's `docker-registry`, started through `hack/registry.sh`.

`oci_registry` (session scope) is shared by every suite: push what you need under a repository path of
your own (e.g. `oci://<host>/<suite>/…`) so suites do not see each other's charts. Tests that must stop a
registry or corrupt its storage start a private one with `Registry.start(tmp_path)`.

    def test_x(oci_registry):
        helm.push(tgz, f"oci://{oci_registry.host}/mysuite", plain_http=True)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "hack" / "registry.sh"


@dataclass
class Registry:
    host: str          # "127.0.0.1:PORT"
    state_dir: Path    # config, pid, log; blobs under storage/

    @property
    def url(self) -> str:
        """`oci://HOST` (append `/repo`)."""
        return f"oci://{self.host}"

    @property
    def storage(self) -> Path:
        return self.state_dir / "storage"

    @classmethod
    def start(cls, state_dir: Path) -> "Registry":
        p = subprocess.run([str(SCRIPT), "start", str(state_dir)], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"registry.sh start failed: {p.stderr}")
        return cls(host=p.stdout.strip().splitlines()[-1], state_dir=state_dir)

    def stop(self) -> None:
        subprocess.run([str(SCRIPT), "stop", str(self.state_dir)], capture_output=True, text=True, timeout=60)

    def blob_path(self, digest: str) -> Path:
        """Where the registry keeps a blob (distribution's filesystem layout), to corrupt it on purpose."""
        hexd = digest.removeprefix("sha256:")
        return self.storage / "docker/registry/v2/blobs/sha256" / hexd[:2] / hexd / "data"


def registry_available() -> bool:
    return shutil.which("docker-registry") is not None


@pytest.fixture(scope="session")
def oci_registry():
    """One registry for the whole test session; `.host` is `127.0.0.1:PORT` (plain HTTP, no auth)."""
    if not registry_available():
        pytest.fail("docker-registry is not installed (hack/apt-packages.txt; run hack/setup-test-env.sh)")
    state = Path(tempfile.mkdtemp(prefix="hoist-registry-"))
    reg = Registry.start(state)
    try:
        yield reg
    finally:
        reg.stop()
