"""Every extension chart: Helm's real lint, the hoist.dev/ annotations against
their JSON schemas (extension-charts/schema), and a render with Helm's engine
of every case in cases/<chart>/ checked for valid, allowed, hardened
Kubernetes objects."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from conftest import CASES, CHARTS, annotation, documents, existing_charts, render

SCHEMA_DIR = CHARTS / "schema"
CHARTS_PRESENT = existing_charts()

# apiVersion/kind pairs that exist on Kubernetes 1.21 (the oldest supported),
# plus the Prometheus Operator CRD the charts may ship.
KUBE_121 = {
    ("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Service"), ("v1", "ServiceAccount"),
    ("v1", "PersistentVolumeClaim"), ("apps/v1", "StatefulSet"), ("apps/v1", "Deployment"),
    ("policy/v1", "PodDisruptionBudget"), ("batch/v1", "Job"), ("batch/v1", "CronJob"),
    ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("networking.k8s.io/v1", "NetworkPolicy"), ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
}

DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def cases() -> list[tuple[str, str]]:
    out = []
    for chart in CHARTS_PRESENT:
        for f in sorted((CASES / chart).glob("*.yaml")):
            out.append((chart, f.stem))
    return out


def case_values(chart: str, case: str) -> dict:
    return yaml.safe_load((CASES / chart / f"{case}.yaml").read_text()) or {}


def registry() -> Registry:
    resources = []
    for f in SCHEMA_DIR.glob("*.schema.json"):
        schema = json.loads(f.read_text())
        resources.append((f.name, Resource.from_contents(schema)))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def test_every_chart_is_present():
    assert CHARTS_PRESENT == ["redis", "postgresql", "mysql", "kafka"][: len(CHARTS_PRESENT)]
    assert "redis" in CHARTS_PRESENT


@pytest.mark.parametrize("chart", CHARTS_PRESENT)
def test_helm_lint_is_clean(chart):
    import helm_python as helm
    report = helm.lint(str(CHARTS / chart))
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert problems == [] and report["errors"] == []


def test_schemas_are_valid_json_schema():
    for f in SCHEMA_DIR.glob("*.schema.json"):
        jsonschema.Draft7Validator.check_schema(json.loads(f.read_text()))


@pytest.mark.parametrize("chart", CHARTS_PRESENT)
def test_annotations_match_their_schemas(chart):
    meta = yaml.safe_load((CHARTS / chart / "Chart.yaml").read_text())
    parsed = {}
    for key, text in meta["annotations"].items():
        if key.startswith("hoist.dev/"):
            parsed[key] = yaml.safe_load(text) if key not in ("hoist.dev/contract", "hoist.dev/type") else text
    top = json.loads((SCHEMA_DIR / "annotations.schema.json").read_text())
    validator = jsonschema.Draft7Validator(top, registry=registry())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(parsed)]
    assert errors == []
    assert parsed["hoist.dev/type"] == chart


def test_schema_rejects_a_bad_hook():
    """The hook schema is strict: two actions, an unknown target or an
    unknown operation are each an error."""
    validator = jsonschema.Draft7Validator(json.loads((SCHEMA_DIR / "hooks.schema.json").read_text()))
    good = {"reload": {"signal": {"name": "SIGHUP", "container": "db", "target": "all"}}}
    assert list(validator.iter_errors(good)) == []
    two = {"reload": {"signal": {"name": "SIGHUP", "container": "db", "target": "all"},
                      "exec": {"container": "db", "command": ["true"], "target": "all"}}}
    assert list(validator.iter_errors(two))
    assert list(validator.iter_errors({"reload": {"exec": {"container": "db", "command": ["x"], "target": "some"}}}))
    assert list(validator.iter_errors({"defrag": {"signal": {"name": "SIGHUP", "container": "db", "target": "all"}}}))


@pytest.mark.parametrize("chart", CHARTS_PRESENT)
def test_annotations_are_consistent_with_the_chart(chart):
    root = CHARTS / chart
    versions = annotation(chart, "versions")
    listed = [v["version"] for v in versions["versions"]]
    assert versions["default"] in listed
    for v in versions["versions"]:
        assert set(v.get("upgradeTo", [])) <= set(listed), v
    values = yaml.safe_load((root / "values.yaml").read_text())
    default = next(v for v in versions["versions"] if v["version"] == versions["default"])
    assert values["hoist"]["version"] == default["version"]
    assert values["hoist"]["image"] == default["image"]
    schema = json.loads((root / "values.schema.json").read_text())
    assert schema["definitions"]["hoist"]["properties"]["version"]["enum"] == listed

    for op, h in annotation(chart, "hooks").items():
        if "job" in h:
            tpl = root / h["job"]["template"]
            assert tpl.exists(), f"{op}: {tpl} missing"
            assert f'"{op}"' in tpl.read_text(), f"{op}: template is not gated on the operation"
        if "exec" in h:
            for word in h["exec"]["command"]:
                if word.startswith("/hoist/hooks/"):
                    assert (root / "files" / "hooks" / Path(word).name).exists(), word
    kinds = {(k["apiVersion"], k["kind"]) for k in annotation(chart, "allowed-kinds")}
    assert kinds <= KUBE_121, kinds - KUBE_121


@pytest.mark.parametrize("chart,case", cases())
def test_case_renders_valid_allowed_hardened_objects(chart, case):
    values = case_values(chart, case)
    rendered = render(chart, values)
    docs = documents(rendered)
    assert docs, "nothing rendered"
    allowed = {(k["apiVersion"], k["kind"]) for k in annotation(chart, "allowed-kinds")}
    op = (values.get("hoist") or {}).get("operation") or {}
    seen = set()
    for d in docs:
        ident = (d["apiVersion"], d["kind"], d["metadata"]["name"])
        assert ident not in seen, f"duplicate object {ident}"
        seen.add(ident)
        assert (d["apiVersion"], d["kind"]) in allowed, ident
        assert DNS1123.match(d["metadata"]["name"]) and len(d["metadata"]["name"]) <= 63, ident
        assert d["metadata"]["namespace"] == "apps", ident
        labels = d["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/name") == chart, ident
        hook = d["metadata"].get("annotations", {}).get("hoist.dev/hook")
        if hook:
            assert hook == op.get("name"), f"hook object {ident} rendered outside its operation"
        for spec in pod_specs(d):
            check_pod_spec(chart, d, spec)
    if op:
        assert any(d["metadata"].get("annotations", {}).get("hoist.dev/hook") == op["name"] for d in docs)
    # rendering is deterministic for a case (a fixed password)
    assert render(chart, values) == rendered


def pod_specs(d: dict) -> list[dict]:
    if d["kind"] in ("StatefulSet", "Deployment", "Job"):
        return [d["spec"]["template"]["spec"]]
    if d["kind"] == "CronJob":
        return [d["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    return []


def check_pod_spec(chart: str, obj: dict, spec: dict) -> None:
    where = f"{obj['kind']}/{obj['metadata']['name']}"
    psc = spec.get("securityContext", {})
    assert psc.get("runAsNonRoot") is True, where
    assert psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
    assert spec.get("automountServiceAccountToken") is False, where
    writable_root = set(annotation_list(chart, "writableRootContainers"))
    for c in spec.get("initContainers", []) + spec["containers"]:
        csc = c.get("securityContext", {})
        assert csc.get("allowPrivilegeEscalation") is False, (where, c["name"])
        assert csc.get("capabilities", {}).get("drop") == ["ALL"], (where, c["name"])
        assert "add" not in csc.get("capabilities", {}), (where, c["name"])
        if c["name"] not in writable_root:
            assert csc.get("readOnlyRootFilesystem") is True, (where, c["name"])
        res = c.get("resources", {})
        assert res.get("requests", {}).get("memory") and res.get("limits", {}).get("memory"), (where, c["name"])
        assert ":" in c["image"] or "@" in c["image"], (where, c["image"])
    if obj["kind"] == "StatefulSet" and obj["spec"]["replicas"] > 1:
        assert "podAntiAffinity" in spec.get("affinity", {}), where


def annotation_list(chart: str, key: str) -> list:
    # charts whose engine cannot run on a read-only root filesystem say so in
    # tests/extensions/cases/<chart>/expectations.json
    f = CASES / chart / "expectations.json"
    return json.loads(f.read_text()).get(key, []) if f.exists() else []


@pytest.mark.parametrize("chart", CHARTS_PRESENT)
def test_workloads_have_a_pdb_and_services(chart):
    docs = documents(render(chart, {}))
    kinds = [d["kind"] for d in docs]
    assert "PodDisruptionBudget" in kinds and "Service" in kinds and "StatefulSet" in kinds


@pytest.mark.parametrize("chart", CHARTS_PRESENT)
def test_unknown_config_parameter_is_refused(chart):
    import helm_python as helm
    with pytest.raises(helm.HelmError) as err:
        render(chart, {"hoist": {"config": {"no-such-parameter": 1}}})
    assert "no-such-parameter" in str(err.value)


@pytest.mark.parametrize("chart", CHARTS_PRESENT)
def test_values_schema_refuses_bad_values(chart):
    import helm_python as helm
    for bad in ({"hoist": {"replicas": -1}}, {"hoist": {"state": "Paused"}}, {"hoist": {"version": "0.1"}}):
        with pytest.raises(helm.HelmError):
            render(chart, bad)


@pytest.mark.parametrize("chart", CHARTS_PRESENT)
def test_hook_scripts_are_shellcheck_clean(chart):
    assert shutil.which("shellcheck"), "shellcheck is not installed (hack/apt-packages.txt)"
    hooks = CHARTS / chart / "files" / "hooks"
    scripts = sorted(p.name for p in hooks.glob("*.sh"))
    assert scripts
    proc = subprocess.run(["shellcheck", "-x", "-s", "sh", *scripts], cwd=hooks, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("chart", CHARTS_PRESENT)
def test_parameters_land_in_rendered_config(chart):
    """Every parameter definition names a file the chart's config ConfigMap
    actually renders."""
    docs = documents(render(chart, {}))
    files = set()
    for d in docs:
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("-config"):
            files |= set(d.get("data", {}))
    for p in annotation(chart, "parameters"):
        assert p["file"] in files, p


def test_redis_standalone_refuses_more_than_one_member():
    import helm_python as helm
    with pytest.raises(helm.HelmError) as err:
        render("redis", {"hoist": {"replicas": 3}})
    assert "topology: replication" in str(err.value)
    docs = documents(render("redis", {"topology": "replication", "hoist": {"replicas": 3}}))
    sts = next(d for d in docs if d["kind"] == "StatefulSet")
    assert sts["spec"]["replicas"] == 3
    assert [c["name"] for c in sts["spec"]["template"]["spec"]["containers"]] == ["redis", "sentinel"]


def test_kafka_cluster_id_is_a_valid_kraft_id():
    """Without a fixed id the chart generates one Kafka accepts: 22 characters
    of URL-safe base64 (a 128-bit UUID)."""
    import base64
    docs = documents(render("kafka", {}))
    secret = next(d for d in docs if d["kind"] == "Secret")
    cluster_id = base64.b64decode(secret["data"]["cluster-id"]).decode()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id)
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
