"""Install, upgrade and uninstall the platform chart with Helm's real client (helm-python-sdk) against
the `kube_api` fixture (tests/support/kube.py): the API-server double, or a real cluster when
HOIST_E2E_KUBECONFIG is set.

Nothing runs the operator here (there are no kubelets on the double): the checks are what Helm
creates, changes and leaves behind. The chart copy carries the stand-in CRDs of fixtures/ so that the
CRD path (upgrade, keep on uninstall) is exercised while crds/ is not generated yet.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "platform-chart"
SAMPLE_CRDS = Path(__file__).resolve().parent / "fixtures" / "sample-crd.yaml"


@pytest.fixture(scope="module")
def kube(request):
    """kube_api when the suite has it (it arrives with the API-server double), else a skip."""
    if not (ROOT / "tests" / "support" / "kube.py").exists():
        pytest.skip("the API-server double (tests/support/kube.py, fixture kube_api) is not in the repository yet")
    return request.getfixturevalue("kube_api")


def get(kube, *args):
    return json.loads(kube.kubectl("get", *args, "-o", "json"))


def exists(kube, *args) -> bool:
    out = kube.kubectl("get", *args, "--ignore-not-found", "-o", "name", check=False)
    return out.strip() != "" and "Error" not in out


def make_chart(tmp_path: Path, crd_text: str) -> Path:
    chart = tmp_path / "hoist"
    if chart.exists():
        shutil.rmtree(chart)
    shutil.copytree(CHART, chart)
    # Only the stand-ins: the real hoist.dev CRDs may belong to a Hoist release on a real cluster (or to
    # another suite on the shared double), and a kept CRD would outlive this test.
    for crd in (chart / "files" / "crds").glob("*.yaml"):
        crd.unlink()
    (chart / "files" / "crds" / "sample.yaml").write_text(crd_text)
    return chart


class Helm:
    """Helm's real client against `kube`, with its default release storage (Secrets in the release
    namespace), as `helm install` uses it."""

    def __init__(self, kube, namespace: str):
        import helm_python as helm

        self.helm = helm
        self.namespace = namespace
        self.config = helm.Config(kubeconfig_path=str(kube.kubeconfig), namespace=namespace)

    def run(self, action: str, chart: Path, release: str, values=None, **kw):
        loaded = self.helm.Chart.load(str(chart))
        try:
            return getattr(self.config, action)(loaded, release, values or {}, namespace=self.namespace, **kw)
        finally:
            loaded.close()

    def uninstall(self, release: str):
        return self.config.uninstall(release)

    def close(self):
        self.config.close()


def test_install_upgrade_uninstall(kube, tmp_path):
    # Unique names: the API (a shared double, or a real cluster) may hold other releases, even Hoist.
    suffix = uuid.uuid4().hex[:6]
    release, namespace = f"hoist-test-{suffix}", f"hoist-test-{suffix}"
    original = SAMPLE_CRDS.read_text()
    chart = make_chart(tmp_path, original)
    client = Helm(kube, namespace)
    try:
        run_lifecycle(kube, client, tmp_path, chart, release, namespace, original)
    finally:
        client.close()
        # The stand-in CRDs are kept by design; remove them so no other suite sees them.
        kube.kubectl("delete", "crd", "samples.hoist.dev", "others.hoist.dev", "--ignore-not-found", check=False)
        kube.kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=false", check=False)


def run_lifecycle(kube, client, tmp_path, chart, release, namespace, original):
    # --- install ---
    client.run("install", chart, release, {}, create_namespace=True)
    deployment = get(kube, "-n", namespace, "deployment", release)
    assert deployment["spec"]["replicas"] == 1
    releases = get(kube, "-n", namespace, "secrets", "-l", f"owner=helm,name={release}")["items"]
    assert [r["metadata"]["labels"]["status"] for r in releases] == ["deployed"]
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    for kind in ("serviceaccount", "service", f"configmap/{release}-extensions", f"role/{release}-leader-election",
                 f"rolebinding/{release}-leader-election"):
        target = kind.split("/") if "/" in kind else [kind, release]
        assert exists(kube, "-n", namespace, *target), kind
    role = get(kube, "clusterrole", release)
    assert any("hoist.dev" in r["apiGroups"] for r in role["rules"])
    assert get(kube, "clusterrolebinding", release)["subjects"][0]["namespace"] == namespace
    crd = get(kube, "crd", "samples.hoist.dev")
    assert crd["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert len(crd["spec"]["versions"][0]["additionalPrinterColumns"]) == 1
    # The CRD is served: an object of it can be created (what the operator's users will do).
    kube.kubectl("apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "hoist.dev/v1alpha1", "kind": "Sample",
        "metadata": {"name": "user-data", "namespace": namespace}, "spec": {"type": "redis"}}))

    # --- upgrade: new values and a changed CRD, which Helm's crds/ directory would never apply ---
    changed = original.replace(
        "        - name: Phase\n          type: string\n          jsonPath: .status.phase\n",
        "        - name: Phase\n          type: string\n          jsonPath: .status.phase\n"
        "        - name: Type\n          type: string\n          jsonPath: .spec.type\n")
    assert changed != original
    chart = make_chart(tmp_path, changed)
    client.run("upgrade", chart, release,
               {"replicas": 2, "extensions": {"items": [{"name": "redis", "tag": "9.9.9"}]}})
    deployment = get(kube, "-n", namespace, "deployment", release)
    assert deployment["spec"]["replicas"] == 2
    assert "--leader-elect=true" in deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    registered = get(kube, "-n", namespace, "configmap", f"{release}-extensions")["data"]["extensions.yaml"]
    assert "tag: \"9.9.9\"" in registered and "postgresql" not in registered
    columns = get(kube, "crd", "samples.hoist.dev")["spec"]["versions"][0]["additionalPrinterColumns"]
    assert [c["name"] for c in columns] == ["Phase", "Type"]

    releases = get(kube, "-n", namespace, "secrets", "-l", f"owner=helm,name={release}")["items"]
    assert sorted(r["metadata"]["labels"]["version"] for r in releases) == ["1", "2"]

    # --- uninstall: the operator's objects go, the CRDs and the user's objects stay ---
    client.uninstall(release)
    assert get(kube, "-n", namespace, "secrets", "-l", f"owner=helm,name={release}")["items"] == []
    assert not exists(kube, "-n", namespace, "deployment", release)
    assert not exists(kube, "clusterrole", release)
    assert not exists(kube, "-n", namespace, "configmap", f"{release}-extensions")
    assert exists(kube, "crd", "samples.hoist.dev")
    assert exists(kube, "crd", "others.hoist.dev")
    assert exists(kube, "-n", namespace, "samples", "user-data")

    # --- asked for: crds.keep=false removes them on uninstall ---
    client.run("install", chart, release, {"crds": {"keep": False}})
    assert "helm.sh/resource-policy" not in get(kube, "crd", "others.hoist.dev")["metadata"].get("annotations", {})
    client.uninstall(release)
    assert not exists(kube, "crd", "others.hoist.dev")
