"""End-to-end: the real `hoist operator` binary ($HOIST_BIN) against a Kubernetes API (`kube_api`).

Runs unchanged against a real cluster (HOIST_E2E_KUBECONFIG): the operator runs out of cluster with
that kubeconfig, every test works in its own namespace, and the suite marks StatefulSets ready itself
(no kubelet on the double or on a bare control plane; on a cluster with nodes the patch is harmless).

Extensions come from chart directories (`--extensions-dir`): the reference Redis chart, and a copy of it
named `broken` whose render always fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOIST = Path(os.environ.get("HOIST_BIN", ROOT / "target" / "release" / "hoist"))
TIMEOUT = float(os.environ.get("HOIST_E2E_TIMEOUT", "30"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, fn, timeout: float = TIMEOUT):
    """Polls `fn` until it returns something truthy; fails with `what` and the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except AssertionError as e:  # kubectl failed (object not there yet)
            last = e
        else:
            if last:
                return last
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


@pytest.fixture(scope="session")
def extensions_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("extensions")
    shutil.copytree(ROOT / "extension-charts" / "redis", d / "redis")
    broken = d / "broken"
    shutil.copytree(ROOT / "extension-charts" / "redis", broken)
    chart = yaml.safe_load((broken / "Chart.yaml").read_text())
    chart["name"] = "broken"
    chart["annotations"]["hoist.dev/type"] = "broken"
    (broken / "Chart.yaml").write_text(yaml.safe_dump(chart, sort_keys=False))
    (broken / "templates" / "zz-broken.yaml").write_text('{{ fail "broken on purpose" }}\n')
    return d


class Operator:
    def __init__(self, kube, proc: subprocess.Popen, health: str, log: Path):
        self.kube, self.proc, self.health, self.log = kube, proc, health, log

    def k(self, *args, **kw) -> str:
        return self.kube.kubectl(*args, **kw)

    def json(self, *args) -> dict:
        return json.loads(self.k("get", *args, "-o", "json"))

    def audit(self) -> list[dict]:
        out = []
        for line in self.log.read_text().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("audit"):
                out.append(rec)
        return out


@pytest.fixture(scope="session")
def operator(kube_api, extensions_dir, tmp_path_factory):
    if not HOIST.exists():
        pytest.skip(f"{HOIST} not built (set HOIST_BIN)")
    kube_api.kubectl("apply", "-f", str(ROOT / "crds"))
    for crd in ("middlewares.hoist.dev", "middlewareextensions.hoist.dev"):
        kube_api.kubectl("wait", "--for=condition=Established", f"crd/{crd}", "--timeout=30s")
    log = tmp_path_factory.mktemp("operator") / "operator.log"
    port = free_port()
    env = dict(os.environ, KUBECONFIG=str(kube_api.kubeconfig), RUST_LOG="info")
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(HOIST), "operator", "--extensions-dir", str(extensions_dir),
             "--health-addr", f"127.0.0.1:{port}", "--leader-elect=true",
             "--lease-namespace", "default"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    op = Operator(kube_api, proc, f"http://127.0.0.1:{port}", log)
    for name, repo in (("e2e-redis", "example.invalid/hoist/redis"),
                       ("e2e-broken", "example.invalid/hoist/broken")):
        op.k("apply", "-f", "-", input=yaml.safe_dump({
            "apiVersion": "hoist.dev/v1alpha1", "kind": "MiddlewareExtension",
            "metadata": {"name": name}, "spec": {"repository": repo, "tag": "0.1.0"}}))
    wait_for("extension loaded", lambda: op.json("mwx", "e2e-redis").get("status", {}).get("type") == "redis")
    yield op
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    for name in ("e2e-redis", "e2e-broken", "e2e-missing"):
        kube_api.kubectl("delete", "mwx", name, "--ignore-not-found", check=False)


@pytest.fixture
def ns(operator):
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    operator.k("create", "namespace", name)
    yield name
    # Leave nothing with a finalizer behind, whatever the test did.
    for mw in operator.json("mw", "-n", name).get("items", []):
        operator.k("patch", "mw", mw["metadata"]["name"], "-n", name, "--type", "merge",
                   "-p", '{"spec":{"terminationPolicy":"Delete"}}', check=False)
    operator.k("delete", "namespace", name, "--wait=false", check=False)


def middleware(name: str, ns: str, **spec) -> str:
    body = {"type": "redis", "replicas": 1, "storage": {"size": "1Gi"},
            "monitoring": {"enabled": False}, "backup": {"enabled": True, "schedule": "0 3 * * *"}}
    body.update(spec)
    return yaml.safe_dump({"apiVersion": "hoist.dev/v1alpha1", "kind": "Middleware",
                           "metadata": {"name": name, "namespace": ns}, "spec": body})


def condition(obj: dict, type_: str) -> dict:
    return next((c for c in obj.get("status", {}).get("conditions", []) if c["type"] == type_), {})


def events(op: Operator, ns: str, name: str) -> list[str]:
    items = op.json("events.events.k8s.io", "-n", ns).get("items", [])
    return [e.get("reason") for e in items if e.get("regarding", {}).get("name") == name]


def mark_ready(op: Operator, ns: str, sts: str):
    """What a kubelet and the StatefulSet controller would report for a healthy StatefulSet."""
    obj = op.json("statefulset", sts, "-n", ns)
    n = obj["spec"].get("replicas", 1)
    status = {"replicas": n, "readyReplicas": n, "updatedReplicas": n, "availableReplicas": n,
              "currentReplicas": n, "observedGeneration": obj["metadata"]["generation"]}
    op.k("patch", "statefulset", sts, "-n", ns, "--subresource=status", "--type", "merge",
         "-p", json.dumps({"status": status}))


def stalled_with(op: Operator, ns: str, name: str, reason: str) -> dict:
    def check():
        mw = op.json("mw", name, "-n", ns)
        c = condition(mw, "Stalled")
        return mw if c.get("status") == "True" and c.get("reason") == reason else None
    mw = wait_for(f"Stalled/{reason}", check)
    wait_for(f"Event {reason}", lambda: reason in events(op, ns, name))
    return mw


def test_lifecycle_create_edit_drift_scale_delete(operator, ns):
    op = operator
    t0 = time.monotonic()
    op.k("apply", "-f", "-", input=middleware("cache", ns, replicas=3, values={"topology": "replication"}))
    sts = wait_for("StatefulSet applied", lambda: op.json("statefulset", "cache", "-n", ns))
    assert sts["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "hoist"
    owner = sts["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "Middleware" and owner["controller"] is True
    managed = json.loads(op.k("get", "statefulset", "cache", "-n", ns, "-o", "json", "--show-managed-fields"))
    assert any(m["manager"] == "hoist" for m in managed["metadata"]["managedFields"])
    mark_ready(op, ns, "cache")
    mw = wait_for("Ready", lambda: (lambda m: m if condition(m, "Ready").get("status") == "True" else None)(
        op.json("mw", "cache", "-n", ns)))
    print(f"create -> Ready: {time.monotonic() - t0:.2f}s")
    st = mw["status"]
    assert st["phase"] == "Running" and st["observedGeneration"] == mw["metadata"]["generation"]
    assert st["readyReplicas"] == 3 and st["extension"]["type"] == "redis"
    inv = {(i["kind"], i["name"]) for i in st["inventory"]}
    assert ("CronJob", "cache-backup") in inv and ("Secret", "cache-auth") in inv
    assert st["connection"]["host"] == f"cache.{ns}.svc"

    # Steady state: nothing is written.
    def versions():
        out = op.k("get", "statefulset,service,configmap,secret,cronjob,mw", "-n", ns,
                   "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}")
        return out
    before = versions()
    time.sleep(6)
    assert versions() == before, "writes at steady state"

    # Edit: backups off → the CronJob is pruned.
    op.k("patch", "mw", "cache", "-n", ns, "--type", "merge", "-p", '{"spec":{"backup":{"enabled":false}}}')
    wait_for("CronJob pruned", lambda: "cache-backup" not in op.k(
        "get", "cronjob", "-n", ns, "-o", "name"))
    assert any(a["what"] == "pruned" and a["object"] == f"CronJob/{ns}/cache-backup" for a in op.audit())

    # Hand edit of a field Hoist owns → taken back, with an Event and an audit line naming kubectl.
    op.k("patch", "statefulset", "cache", "-n", ns, "--type", "merge", "-p", '{"spec":{"replicas":5}}')
    wait_for("replicas reverted", lambda: op.json("statefulset", "cache", "-n", ns)["spec"]["replicas"] == 3)
    wait_for("DriftReverted event", lambda: "DriftReverted" in events(op, ns, "cache"))
    assert any(a["what"] == "drift-reverted" and a["who"] == "kubectl-patch" for a in op.audit())

    # kubectl scale through the scale subresource.
    op.k("scale", "mw/cache", "-n", ns, "--replicas=4")
    wait_for("StatefulSet scaled", lambda: op.json("statefulset", "cache", "-n", ns)["spec"]["replicas"] == 4)
    mark_ready(op, ns, "cache")
    wait_for("4/4", lambda: op.json("mw", "cache", "-n", ns)["status"].get("ready") == "4/4")

    # Delete (default policy): everything goes, including data volumes found by label.
    op.k("apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data-cache-7", "namespace": ns, "labels": {"hoist.dev/middleware": "cache"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}))
    op.k("delete", "mw", "cache", "-n", ns, "--wait=false")
    wait_for("Middleware gone", lambda: "cache" not in op.k("get", "mw", "-n", ns, "-o", "name"))
    left = op.k("get", "statefulset,service,configmap,secret,pvc", "-n", ns, "-o", "name",
                "-l", "hoist.dev/middleware=cache")
    assert left.strip() == "", left


def test_retain_keeps_secrets_and_volumes_without_owner(operator, ns):
    op = operator
    op.k("apply", "-f", "-", input=middleware("keep", ns, terminationPolicy="Retain"))
    wait_for("applied", lambda: op.json("secret", "keep-auth", "-n", ns))
    op.k("delete", "mw", "keep", "-n", ns, "--wait=false")
    wait_for("Middleware gone", lambda: "keep" not in op.k("get", "mw", "-n", ns, "-o", "name"))
    secret = op.json("secret", "keep-auth", "-n", ns)
    assert not secret["metadata"].get("ownerReferences")
    pvc = op.json("pvc", "keep-backup", "-n", ns)
    assert not pvc["metadata"].get("ownerReferences")
    time.sleep(2)  # the garbage collector would act within seconds if an owner reference were left
    op.json("secret", "keep-auth", "-n", ns)
    assert "keep" not in op.k("get", "statefulset", "-n", ns, "-o", "name")


def test_do_not_terminate_refuses_until_the_policy_changes(operator, ns):
    op = operator
    op.k("apply", "-f", "-", input=middleware("safe", ns, terminationPolicy="DoNotTerminate"))
    wait_for("applied", lambda: op.json("statefulset", "safe", "-n", ns))
    op.k("delete", "mw", "safe", "-n", ns, "--wait=false")
    mw = stalled_with(op, ns, "safe", "DeletionRefused")
    assert mw["status"]["phase"] == "Deleting"
    op.json("statefulset", "safe", "-n", ns)  # untouched
    op.k("patch", "mw", "safe", "-n", ns, "--type", "merge", "-p", '{"spec":{"terminationPolicy":"Delete"}}')
    wait_for("Middleware gone", lambda: "safe" not in op.k("get", "mw", "-n", ns, "-o", "name"))


def test_unknown_type(operator, ns):
    operator.k("apply", "-f", "-", input=middleware("x", ns, type="nosuchdb"))
    mw = stalled_with(operator, ns, "x", "ExtensionNotFound")
    assert "nosuchdb" in condition(mw, "Stalled")["message"]
    assert mw["status"]["phase"] == "Failed"


def test_schema_invalid_values_touch_nothing(operator, ns):
    op = operator
    op.k("apply", "-f", "-", input=middleware("v", ns))
    wait_for("applied", lambda: op.json("statefulset", "v", "-n", ns))
    rv = op.json("statefulset", "v", "-n", ns)["metadata"]["resourceVersion"]
    op.k("patch", "mw", "v", "-n", ns, "--type", "merge", "-p", '{"spec":{"values":{"topology":"ring"}}}')
    mw = stalled_with(op, ns, "v", "SchemaInvalid")
    assert "topology" in condition(mw, "Stalled")["message"]
    assert op.json("statefulset", "v", "-n", ns)["metadata"]["resourceVersion"] == rv


def test_chart_that_fails_to_render(operator, ns):
    operator.k("apply", "-f", "-", input=middleware("b", ns, type="broken"))
    mw = stalled_with(operator, ns, "b", "RenderFailed")
    assert "broken on purpose" in condition(mw, "Stalled")["message"]


def test_unpullable_chart(operator):
    op = operator
    op.k("apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "hoist.dev/v1alpha1", "kind": "MiddlewareExtension",
        "metadata": {"name": "e2e-missing"},
        "spec": {"repository": "example.invalid/hoist/missing", "tag": "1.0.0"}}))

    def failed():
        c = condition(op.json("mwx", "e2e-missing"), "Ready")
        return c if c.get("status") == "False" and c.get("reason") in ("PullFailed", "NotFound") else None
    wait_for("PullFailed", failed)
    # Other types are unaffected.
    assert condition(op.json("mwx", "e2e-redis"), "Ready")["status"] == "True"


def test_conflicting_field_owner_stalls_without_forcing(operator, ns):
    op = operator
    op.k("apply", "-f", "-", input=middleware("c", ns))
    wait_for("applied", lambda: op.json("statefulset", "c", "-n", ns))
    # Another controller takes a field Hoist applies.
    op.k("apply", "--server-side", "--force-conflicts", "--field-manager=other-controller", "-f", "-",
         input=yaml.safe_dump({"apiVersion": "apps/v1", "kind": "StatefulSet",
                               "metadata": {"name": "c", "namespace": ns},
                               "spec": {"replicas": 2}}))
    mw = stalled_with(op, ns, "c", "FieldConflict")
    assert "other-controller" in condition(mw, "Stalled")["message"]
    assert op.json("statefulset", "c", "-n", ns)["spec"]["replicas"] == 2
