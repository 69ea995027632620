"""Shared helpers for the extension-chart tests.

Everything runs on loopback: engines from Debian packages are started on free
ports in per-test temporary directories and stopped at teardown, whatever the
test outcome.
"""

from __future__ import annotations

import os
import signal
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHARTS = REPO / "extension-charts"
CASES = Path(__file__).resolve().parent / "cases"
CHART_NAMES = ["redis", "postgresql", "mysql", "kafka"]


def existing_charts() -> list[str]:
    return [c for c in CHART_NAMES if (CHARTS / c / "Chart.yaml").exists()]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # the server may not be up yet
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}; last result: {last!r}")


def hook(chart: str, name: str) -> Path:
    return CHARTS / chart / "files" / "hooks" / name


def run_hook(chart: str, name: str, *args: str, env: dict | None = None, check: bool = True,
             timeout: float = 120, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run a chart hook script with /bin/sh exactly as the pod would."""
    full_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    full_env.update(env or {})
    proc = subprocess.run(["sh", str(hook(chart, name)), *args], env=full_env, capture_output=True,
                          timeout=timeout, input=stdin)
    if check and proc.returncode != 0:
        raise AssertionError(f"{name} {args} exited {proc.returncode}\nstdout:\n{proc.stdout.decode()}\n"
                             f"stderr:\n{proc.stderr.decode()}")
    return proc


def render(chart: str, values: dict | None = None, name: str = "demo", namespace: str = "apps") -> dict[str, str]:
    import helm_python as helm
    # Helm's dependency handling mutates a loaded chart: load afresh each time.
    return helm.Chart.load(str(CHARTS / chart)).render(values or {}, name=name, namespace=namespace)


def documents(rendered: dict[str, str]) -> list[dict]:
    docs = []
    for text in rendered.values():
        for doc in yaml.safe_load_all(text):
            if doc:
                docs.append(doc)
    return docs


def find(docs: list[dict], kind: str, name: str | None = None) -> dict:
    for d in docs:
        if d["kind"] == kind and (name is None or d["metadata"]["name"] == name):
            return d
    raise KeyError(f"{kind} {name} not rendered")


def annotation(chart: str, key: str):
    meta = yaml.safe_load((CHARTS / chart / "Chart.yaml").read_text())
    return yaml.safe_load(meta["annotations"][f"hoist.dev/{key}"])


class Procs:
    """Background processes of one test, stopped (TERM, then KILL) at teardown."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, argv: list[str], env: dict | None = None, log: Path | None = None, **kw) -> subprocess.Popen:
        out = open(log, "ab") if log else subprocess.DEVNULL
        p = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def stop(self, p: subprocess.Popen, timeout: float = 20) -> None:
        """TERM (then KILL) the process group this test started for p, so
        servers a start script forked go too."""
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        try:
            os.killpg(p.pid, signal.SIGTERM)  # its own session: pgid == pid
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for p in reversed(self.procs):
            self.stop(p)


@pytest.fixture
def procs():
    p = Procs()
    yield p
    p.stop_all()


def need(*binaries: str) -> None:
    missing = [b for b in binaries if shutil.which(b) is None]
    if missing:
        # A missing engine is a broken machine setup, not a reason to pass.
        pytest.fail(f"not installed (see hack/apt-packages.txt): {', '.join(missing)}")
