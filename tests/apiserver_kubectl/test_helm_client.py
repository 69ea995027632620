"""Helm's real client (helm-python-sdk, Helm v4: server-side apply, release Secrets written in
protobuf) and kubectl's protobuf generators against the API-server double."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import helm_python as helm

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    "templates/all.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
data:
  a: {{ .Values.a | quote }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-dep
spec:
  replicas: 1
  selector: {matchLabels: {app: tiny}}
  template:
    metadata: {labels: {app: tiny}}
    spec: {containers: [{name: c, image: nginx}]}
""",
}


def test_helm_install_upgrade_uninstall(kube_api, tmp_path: Path):
    for rel, text in CHART.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    ns = f"helm-{uuid.uuid4().hex[:8]}"
    kube_api.kubectl("create", "namespace", ns)  # protobuf body
    cfg = helm.Config(kubeconfig_path=str(kube_api.kubeconfig), namespace=ns)
    cfg.install(str(tmp_path), "rel", {"a": "1"})
    cfg.upgrade(str(tmp_path), "rel", {"a": "2"})
    cm = json.loads(kube_api.kubectl("get", "-n", ns, "cm", "rel-cm", "-o", "json"))
    assert cm["data"] == {"a": "2"}
    secrets = kube_api.kubectl("get", "-n", ns, "secrets", "-l", "owner=helm", "-o", "name")
    assert "secret/sh.helm.release.v1.rel.v2" in secrets
    cfg.uninstall("rel")
    out = kube_api.kubectl("get", "-n", ns, "cm", "rel-cm", check=False)
    assert "NotFound" in out
    kube_api.kubectl("delete", "namespace", ns, "--wait=false")


def test_kubectl_generators_send_protobuf(kube_api):
    ns = f"gen-{uuid.uuid4().hex[:8]}"
    kube_api.kubectl("create", "namespace", ns)
    kube_api.kubectl("create", "configmap", "c", "--from-literal=k=v", "-n", ns)
    kube_api.kubectl("create", "secret", "generic", "s", "--from-literal=k=v", "-n", ns)
    kube_api.kubectl("create", "serviceaccount", "sa", "-n", ns)
    cm = json.loads(kube_api.kubectl("get", "-n", ns, "cm", "c", "-o", "json"))
    assert cm["data"] == {"k": "v"}
    s = json.loads(kube_api.kubectl("get", "-n", ns, "secret", "s", "-o", "json"))
    assert s["data"] == {"k": "dg=="} and s["type"] == "Opaque"
    kube_api.kubectl("delete", "namespace", ns, "--wait=false")
