"""`hoist extension package|push|pull|inspect|lint` and `hoist template oci://…` against a real registry
(Debian's docker-registry, tests/support/registry.py) and Helm's real client and engine (helm-python-sdk).

Oracles: `helm.package`, `helm.push`, `helm.pull`, `helm.RegistryClient.resolve` and Helm's engine
(`helm.Chart.load(...).render`); the contract expectations come from parsing each chart's Chart.yaml with
PyYAML here, independently of hoist's parser.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import helm_python as helm
import pytest
import yaml

from support.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
HOIST = Path(os.environ.get("HOIST_BIN", ROOT / "target" / "release" / "hoist"))
CHARTS = ROOT / "extension-charts"
KINDS = ["redis", "postgresql", "mysql", "kafka"]

# Generated on first install with randAlphaNum (charts keep them stable by looking the live Secret up):
# the only bytes that may differ between two renders.
RANDOM_SECRET = re.compile(
    r"^(\s*(?:[A-Za-z0-9_.-]*password[A-Za-z0-9_.-]*|cluster-id): )[A-Za-z0-9+/=]{24,}$", re.M)


def mask(files: dict) -> dict:
    return {k: RANDOM_SECRET.sub(r"\1<random>", v) for k, v in files.items()}


def hoist(*args, cache: Path | None = None, check: bool = True):
    env = dict(os.environ)
    if cache is not None:
        env["HOIST_CACHE_DIR"] = str(cache)
    p = subprocess.run([str(HOIST), *map(str, args)], capture_output=True, text=True, timeout=300,
                       cwd=ROOT, env=env)
    if check:
        assert p.returncode == 0, f"hoist {' '.join(map(str, args))}: {p.stderr}"
    return p


def chart_version(kind: str) -> str:
    return yaml.safe_load((CHARTS / kind / "Chart.yaml").read_text())["version"]


def printed(out: str, key: str) -> str:
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith(f"{key}: "))


# ----------------------------------------------------------------------------------------------------
# package
# ----------------------------------------------------------------------------------------------------

def gzip_header(data: bytes) -> bytes:
    """The gzip member header up to the compressed data (FEXTRA and FCOMMENT included)."""
    assert data[:3] == b"\x1f\x8b\x08"
    flags, pos = data[3], 10
    if flags & 4:
        pos += 2 + int.from_bytes(data[10:12], "little")
    for bit in (8, 16):  # FNAME, FCOMMENT: NUL-terminated
        if flags & bit:
            pos = data.index(b"\0", pos) + 1
    return data[:pos]


@pytest.mark.parametrize("kind", KINDS)
def test_package_like_helm(kind, tmp_path):
    ours_dir, helm_dir = tmp_path / "ours", tmp_path / "helm"
    helm_dir.mkdir()
    out = hoist("extension", "package", CHARTS / kind, "-d", ours_dir).stdout
    ours = ours_dir / f"{kind}-{chart_version(kind)}.tgz"
    assert out.strip() == f"Successfully packaged chart and saved it to: {ours}"
    theirs = Path(helm.package(str(CHARTS / kind), destination=str(helm_dir)))
    assert theirs.name == ours.name
    a, b = ours.read_bytes(), theirs.read_bytes()
    # The tar stream and the gzip header are Helm's byte for byte; only the DEFLATE encoding differs
    # (Go's compress/flate vs. zlib), see operator/src/extension/package.rs.
    assert gzip.decompress(a) == gzip.decompress(b)
    assert gzip_header(a) == gzip_header(b)
    # Deterministic, like Helm's.
    again = tmp_path / "again"
    hoist("extension", "package", CHARTS / kind, "-d", again)
    assert (again / ours.name).read_bytes() == a


# ----------------------------------------------------------------------------------------------------
# push / pull / template oci://
# ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def published(oci_registry, tmp_path_factory):
    """Every chart pushed twice: by Helm (`helm push` of `helm package`) and by `hoist extension push`."""
    tmp = tmp_path_factory.mktemp("published")
    out = {}
    for kind in KINDS:
        tgz = Path(helm.package(str(CHARTS / kind), destination=str(tmp)))
        helm_repo = f"{oci_registry.url}/extcli-helm"
        helm.push(str(tgz), helm_repo, plain_http=True)
        ref = f"{oci_registry.host}/extcli-helm/{kind}:{chart_version(kind)}"
        digest = helm.RegistryClient(plain_http=True).resolve(f"oci://{ref}")
        out[("helm", kind)] = {"ref": ref, "digest": digest, "tgz": tgz.read_bytes()}

        p = hoist("extension", "push", CHARTS / kind, f"{oci_registry.url}/extcli-hoist", "--plain-http")
        ref = printed(p.stdout, "Pushed")
        assert ref == f"{oci_registry.host}/extcli-hoist/{kind}:{chart_version(kind)}"
        out[("hoist", kind)] = {"ref": ref, "digest": printed(p.stdout, "Digest")}
    return out


def resolved_digest(info) -> str:
    d = info["digest"]
    # RegistryClient.resolve returns a descriptor-like dict or the digest string, depending on the SDK.
    if isinstance(d, dict):
        return d.get("digest") or d.get("Digest")
    return getattr(d, "digest", d)


@pytest.mark.parametrize("pusher", ["helm", "hoist"])
@pytest.mark.parametrize("kind", KINDS)
def test_pull_and_render_from_registry(published, pusher, kind, tmp_path):
    info = published[(pusher, kind)]
    cache = tmp_path / "cache"
    # pull: verified archive, digest reported as the registry (and Helm) knows it
    p = hoist("extension", "pull", f"oci://{info['ref']}", "--plain-http", "-d", tmp_path, cache=cache)
    digest = printed(p.stdout, "Digest")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest)
    helm_digest = helm.RegistryClient(plain_http=True).resolve(f"oci://{info['ref']}")
    assert digest in json.dumps(helm_digest, default=str) or digest == resolved_digest({"digest": helm_digest})
    if pusher == "hoist":
        assert digest == info["digest"]
    pulled = tmp_path / f"{kind}-{chart_version(kind)}.tgz"
    if pusher == "helm":
        assert pulled.read_bytes() == info["tgz"], "the chart layer is Helm's archive, unchanged"

    # hoist template oci://… renders exactly what the source directory renders …
    from_oci = hoist("template", "rel", f"oci://{info['ref']}", "--plain-http", "-n", "ns", "-o", "json",
                     cache=cache).stdout
    from_dir = hoist("template", "rel", CHARTS / kind, "-n", "ns", "-o", "json").stdout
    ours = mask(json.loads(from_oci))
    assert ours == mask(json.loads(from_dir))
    # … and what Helm's engine renders from the chart Helm itself pulls.
    helm_dir = tmp_path / "helm-pull"
    helm_dir.mkdir()
    helm.pull(f"oci://{info['ref'].rsplit(':', 1)[0]}", version=chart_version(kind),
              destination=str(helm_dir), plain_http=True)
    helm_tgz = next(helm_dir.glob("*.tgz"))
    theirs = helm.Chart.load(str(helm_tgz)).render({}, name="rel", namespace="ns")
    assert ours == mask(theirs)

    # the same by digest, and --version instead of a tag
    by_digest = f"oci://{info['ref'].rsplit(':', 1)[0]}@{digest}"
    assert mask(json.loads(hoist("template", "rel", by_digest, "--plain-http", "-n", "ns", "-o", "json",
                                 cache=cache).stdout)) == ours
    by_version = hoist("extension", "inspect", f"oci://{info['ref'].rsplit(':', 1)[0]}", "--version",
                       chart_version(kind), "--plain-http", "-o", "json", cache=cache).stdout
    assert json.loads(by_version)["digest"] == digest


def test_publish_extensions_script(tmp_path):
    env = dict(os.environ, HOIST_BIN=str(HOIST), HOIST_REGISTRY_DIR=str(tmp_path / "reg"))
    try:
        p = subprocess.run([str(ROOT / "hack" / "publish-extensions")], capture_output=True, text=True,
                           timeout=300, cwd=ROOT, env=env)
        assert p.returncode == 0, p.stderr
        pushed = re.findall(r"^Pushed: (\S+)$", p.stdout, re.M)
        assert sorted(r.rsplit("/", 1)[1] for r in pushed) == sorted(f"{k}:{chart_version(k)}" for k in KINDS)
        assert len(re.findall(r"^Digest: sha256:[0-9a-f]{64}$", p.stdout, re.M)) == len(KINDS)
        # What was published renders like the source directory.
        ref = next(r for r in pushed if "/redis:" in r)
        ours = hoist("template", "rel", f"oci://{ref}", "--plain-http", "-o", "json", cache=tmp_path / "c").stdout
        assert mask(json.loads(ours)) == mask(json.loads(hoist("template", "rel", CHARTS / "redis", "-o", "json").stdout))
    finally:
        subprocess.run([str(ROOT / "hack" / "registry.sh"), "stop", str(tmp_path / "reg")], capture_output=True)


def test_cache_serves_digest_without_network(tmp_path):
    reg = Registry.start(tmp_path / "reg")
    cache = tmp_path / "cache"
    try:
        hoist("extension", "push", CHARTS / "redis", f"{reg.url}/offline", "--plain-http")
        ref = f"{reg.host}/offline/redis:{chart_version('redis')}"
        digest = printed(hoist("extension", "pull", f"oci://{ref}", "--plain-http", "-d", tmp_path,
                               cache=cache).stdout, "Digest")
        entries = list(cache.glob("sha256-*"))
        assert [e.name for e in entries] == [digest.replace(":", "-")]
    finally:
        reg.stop()
    # Registry gone: a digest reference is served from the cache …
    by_digest = f"oci://{ref.rsplit(':', 1)[0]}@{digest}"
    out = tmp_path / "offline"
    out.mkdir()
    p = hoist("extension", "pull", by_digest, "--plain-http", "-d", out, cache=cache)
    assert printed(p.stdout, "Digest") == digest
    assert (out / f"redis-{chart_version('redis')}.tgz").read_bytes() == \
        (tmp_path / f"redis-{chart_version('redis')}.tgz").read_bytes()
    hoist("template", by_digest, "--plain-http", cache=cache)
    # … while a tag must be re-resolved, so it fails, naming the reference.
    p = hoist("extension", "pull", f"oci://{ref}", "--plain-http", "-d", out, cache=cache, check=False)
    assert p.returncode == 1
    assert f"oci://{ref}: cannot pull:" in p.stderr


def test_corrupt_cache_entry_is_refetched(tmp_path, oci_registry, published):
    info = published[("hoist", "kafka")]
    cache = tmp_path / "cache"
    hoist("extension", "pull", f"oci://{info['ref']}", "--plain-http", "-d", tmp_path, cache=cache)
    [entry] = cache.glob("sha256-*")
    (entry / "chart.tgz").write_bytes(b"tampered")
    p = hoist("extension", "pull", f"oci://{info['ref']}", "--plain-http", "-d", tmp_path, cache=cache)
    assert printed(p.stdout, "Digest") == info["digest"]
    assert (entry / "chart.tgz").read_bytes() != b"tampered"


# ----------------------------------------------------------------------------------------------------
# precise errors
# ----------------------------------------------------------------------------------------------------

def _put_blob(host: str, repo: str, data: bytes) -> dict:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    req = urllib.request.Request(f"http://{host}/v2/{repo}/blobs/uploads/", method="POST")
    with urllib.request.urlopen(req) as r:
        loc = r.headers["Location"]
    if loc.startswith("/"):
        loc = f"http://{host}{loc}"
    sep = "&" if "?" in loc else "?"
    req = urllib.request.Request(f"{loc}{sep}digest={digest}", data=data, method="PUT",
                                 headers={"Content-Type": "application/octet-stream"})
    urllib.request.urlopen(req).close()
    return {"digest": digest, "size": len(data)}


def push_raw(host: str, repo: str, tag: str, config: tuple[bytes, str], layers: list[tuple[bytes, str]]):
    """Pushes an arbitrary OCI artifact with plain HTTP requests (to build what Helm would never push)."""
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": config[1], **_put_blob(host, repo, config[0])},
        "layers": [{"mediaType": t, **_put_blob(host, repo, d)} for d, t in layers],
    }
    body = json.dumps(manifest).encode()
    req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", data=body, method="PUT",
                                 headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    urllib.request.urlopen(req).close()
    return "sha256:" + hashlib.sha256(body).hexdigest()


HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"


def fails(ref: str, tmp_path: Path, *extra) -> str:
    p = hoist("extension", "pull", ref, "--plain-http", "-d", tmp_path, *extra, cache=tmp_path / "c",
              check=False)
    assert p.returncode == 1, p.stdout
    assert p.stderr.startswith("Error: "), p.stderr
    return p.stderr


def test_missing_tag(oci_registry, published, tmp_path):
    ref = f"oci://{oci_registry.host}/extcli-hoist/redis:9.9.9"
    assert f"{ref}: not found in the registry" in fails(ref, tmp_path)
    ref = f"oci://{oci_registry.host}/extcli-nothing/redis:1.0.0"
    assert f"{ref}: not found in the registry" in fails(ref, tmp_path)


def test_wrong_config_media_type(oci_registry, tmp_path):
    tgz = Path(helm.package(str(CHARTS / "redis"), destination=str(tmp_path))).read_bytes()
    push_raw(oci_registry.host, "extcli-bad/image", "1", (b"{}", "application/vnd.oci.image.config.v1+json"),
             [(tgz, HELM_LAYER)])
    ref = f"oci://{oci_registry.host}/extcli-bad/image:1"
    err = fails(ref, tmp_path)
    assert (f'{ref}: not a Helm chart: config media type is "application/vnd.oci.image.config.v1+json", '
            f'expected "{HELM_CONFIG}"') in err


def test_not_a_chart(oci_registry, tmp_path):
    push_raw(oci_registry.host, "extcli-bad/layer", "1", (b"{}", HELM_CONFIG),
             [(b"hello", "application/vnd.oci.image.layer.v1.tar+gzip")])
    ref = f"oci://{oci_registry.host}/extcli-bad/layer:1"
    err = fails(ref, tmp_path)
    assert f"{ref}: not a Helm chart: expected exactly one layer of media type" in err
    assert "application/vnd.oci.image.layer.v1.tar+gzip" in err

    push_raw(oci_registry.host, "extcli-bad/garbage", "1", (b"{}", HELM_CONFIG), [(b"not gzip", HELM_LAYER)])
    ref = f"oci://{oci_registry.host}/extcli-bad/garbage:1"
    err = fails(ref, tmp_path)
    assert f"{ref}: cannot load chart:" in err


def test_digest_mismatch(tmp_path):
    reg = Registry.start(tmp_path / "reg")
    try:
        tgz = Path(helm.package(str(CHARTS / "redis"), destination=str(tmp_path))).read_bytes()
        push_raw(reg.host, "tamper/redis", "1", (b"{}", HELM_CONFIG), [(tgz, HELM_LAYER)])
        layer = "sha256:" + hashlib.sha256(tgz).hexdigest()
        blob = reg.blob_path(layer)
        data = bytearray(blob.read_bytes())
        data[100] ^= 0xFF
        blob.write_bytes(bytes(data))
        ref = f"oci://{reg.host}/tamper/redis:1"
        err = fails(ref, tmp_path)
        assert f"{ref}: digest mismatch for chart layer: expected {layer}, got sha256:" in err, err
    finally:
        reg.stop()


def test_contract_invalid_from_registry(oci_registry, tmp_path):
    broken = tmp_path / "redis"
    shutil.copytree(CHARTS / "redis", broken)
    chart_yaml = broken / "Chart.yaml"
    chart_yaml.write_text(chart_yaml.read_text().replace('default: "7.2"', 'default: "6.0"'))
    tgz = helm.package(str(broken), destination=str(tmp_path))
    helm.push(tgz, f"{oci_registry.url}/extcli-broken", plain_http=True)
    ref = f"oci://{oci_registry.host}/extcli-broken/redis:{chart_version('redis')}"
    p = hoist("extension", "inspect", ref, "--plain-http", cache=tmp_path / "c", check=False)
    assert p.returncode == 1
    assert (f"{ref}: chart redis-{chart_version('redis')} is not a Hoist extension: annotation "
            'hoist.dev/versions at /default: default version "6.0" is not in versions') in p.stderr
    # Pushing it with hoist is refused up front.
    p = hoist("extension", "push", broken, f"{oci_registry.url}/extcli-broken2", "--plain-http", check=False)
    assert p.returncode == 1 and "hoist.dev/versions at /default" in p.stderr


def test_invalid_reference(tmp_path):
    assert "invalid OCI reference" in fails("oci://UPPER/Case:x", tmp_path)


# ----------------------------------------------------------------------------------------------------
# inspect
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_inspect_prints_every_contract_item(kind):
    meta = yaml.safe_load((CHARTS / kind / "Chart.yaml").read_text())
    ann = {k: (v if k in ("hoist.dev/contract", "hoist.dev/type") else yaml.safe_load(v))
           for k, v in meta["annotations"].items()}
    out = hoist("extension", "inspect", CHARTS / kind).stdout
    lines = out.splitlines()
    section = lambda title: out.split(f"\n{title}", 1)[1].split("\n\n", 1)[0]  # noqa: E731

    assert lines[0].startswith(f"Extension:   {kind} (chart {kind} {meta['version']}, contract v1alpha1)")
    versions = section("Versions")
    assert f"(default {ann['hoist.dev/versions']['default']})" in versions
    for v in ann["hoist.dev/versions"]["versions"]:
        up = ", ".join(v.get("upgradeTo") or []) or "-"
        assert re.search(rf"^  {re.escape(v['version'])}\s+{re.escape(v['image'])}\s+upgrade to: {re.escape(up)}$",
                         versions, re.M), versions
    hooks = section("Hooks:")
    for op, h in ann["hoist.dev/hooks"].items():
        action = next(a for a in ("exec", "job", "signal") if a in h)
        line = next((ln for ln in hooks.splitlines() if ln.split()[:2] == [op, action]), None)
        assert line, f"{op} missing:\n{hooks}"
        if action == "exec":
            assert " ".join(h["exec"]["command"]) in line and f"target {h['exec']['target']}" in line
        if action == "job":
            assert h["job"]["template"] in line
        for prm in h.get("params", []):
            assert f"param {prm['name']} ({prm['type']}" in hooks
    params = section("Parameters (spec.config):")
    for prm in ann["hoist.dev/parameters"]:
        assert re.search(rf"^  {re.escape(prm['name'])}\s+{prm['type']}\s+{prm['apply']}\s+{re.escape(prm['file'])}",
                         params, re.M), prm
    kinds = section("Allowed kinds:")
    for k in ann["hoist.dev/allowed-kinds"]:
        assert re.search(rf"^  {re.escape(k['apiVersion'])}\s+{k['kind']}\b", kinds, re.M), k
    backup = section("Backup:")
    if "hoist.dev/backup" in ann:
        for m in ann["hoist.dev/backup"]["methods"]:
            assert f"method {m['name']} ({m['kind']})" in backup
        assert f"restore: hook restore, instance {ann['hoist.dev/backup']['restore']['into']}" in backup
    else:
        assert "(not supported)" in backup
    mon = section("Monitoring:")
    m = ann["hoist.dev/monitoring"]
    assert f"metrics: container {m['metrics']['container']}, port {m['metrics']['port']}" in mon
    for a in m["alerts"]:
        assert re.search(rf"^    {a['name']}\s+{a['severity']}\s", mon, re.M), a
    tls = section("TLS:")
    assert f"mounted at {ann['hoist.dev/tls']['mountPath']} in {', '.join(ann['hoist.dev/tls']['containers'])}" in tls

    # -o json carries the same contract, typed
    doc = json.loads(hoist("extension", "inspect", CHARTS / kind, "-o", "json").stdout)
    assert doc["name"] == kind and doc["digest"] is None
    c = doc["contract"]
    assert c["versions"]["default"] == ann["hoist.dev/versions"]["default"]
    assert set(c["hooks"]) == set(ann["hoist.dev/hooks"])
    assert [p["name"] for p in c["parameters"]] == [p["name"] for p in ann["hoist.dev/parameters"]]
    assert [(k["apiVersion"], k["kind"]) for k in c["allowedKinds"]] == \
        [(k["apiVersion"], k["kind"]) for k in ann["hoist.dev/allowed-kinds"]]


def test_inspect_archive(tmp_path):
    tgz = helm.package(str(CHARTS / "mysql"), destination=str(tmp_path))
    out = hoist("extension", "inspect", tgz).stdout
    assert out.startswith("Extension:   mysql ")


# ----------------------------------------------------------------------------------------------------
# lint
# ----------------------------------------------------------------------------------------------------

def test_lint_reference_charts_clean():
    p = hoist("extension", "lint", *[CHARTS / k for k in KINDS], "--strict")
    assert "[ERROR]" not in p.stdout and "[WARNING]" not in p.stdout, p.stdout
    assert p.stdout.rstrip().endswith("4 chart(s) linted, 0 chart(s) failed")


def _ann_block(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"  {name}:")
    nxt = re.search(r"^  \S", text[start + 3:], re.M)
    return start, (start + 3 + nxt.start()) if nxt else len(text)


# (id, edit of redis's Chart.yaml text or a file edit, expected message)
BROKEN = [
    ("default-version", lambda d: sub(d, 'default: "7.2"', 'default: "6.0"'),
     'hoist.dev/versions /default: default version "6.0" is not in versions'),
    ("empty-image", lambda d: sub(d, "image: docker.io/library/redis:7.0.15", 'image: ""'),
     "hoist.dev/versions /versions/0/image:"),
    ("upgrade-target", lambda d: sub(d, 'upgradeTo: ["7.2"]', 'upgradeTo: ["8.0"]'),
     'hoist.dev/versions /versions/0/upgradeTo/0: upgrade target "8.0" is not in versions'),
    ("missing-job-template", lambda d: sub(d, "job: {template: templates/hooks/backup-job.yaml",
                                           "job: {template: templates/hooks/nope.yaml"),
     "hoist.dev/hooks /backup/job/template: hook template templates/hooks/nope.yaml does not exist"),
    ("missing-script", lambda d: sub(d, "/hoist/hooks/role-probe.sh", "/hoist/hooks/nope.sh"),
     "hoist.dev/hooks /roleProbe/exec/command/1: script /hoist/hooks/nope.sh is not shipped"),
    ("unknown-container", lambda d: sub(d, "exec: {container: redis, command: [sh, /hoist/hooks/pre-terminate.sh]",
                                        "exec: {container: ghost, command: [sh, /hoist/hooks/pre-terminate.sh]"),
     'hoist.dev/hooks /preTerminate/exec/container: container "ghost" is not in any rendered pod'),
    ("two-actions", lambda d: sub(d, "    restart:\n      signal: {name: SIGTERM, container: redis, target: all}",
                                  "    restart:\n      signal: {name: SIGTERM, container: redis, target: all}\n"
                                  "      exec: {container: redis, command: [x], target: all}"),
     "hoist.dev/hooks /restart: a hook needs exactly one action: exec, job or signal"),
    ("bad-target", lambda d: sub(d, "role-probe.sh], target: all", "role-probe.sh], target: everyone"),
     "hoist.dev/hooks /roleProbe/exec/target:"),
    ("parameter-file", lambda d: sub(d, "name: hz, type: integer, apply: dynamic, file: redis.conf",
                                     "name: hz, type: integer, apply: dynamic, file: hz.conf"),
     'hoist.dev/parameters /5/file: parameter hz lands in "hz.conf", which no rendered ConfigMap contains'),
    ("parameter-type", lambda d: sub(d, "name: hz, type: integer", "name: hz, type: int"),
     "hoist.dev/parameters /5/type:"),
    ("kind-not-allowed", lambda d: sub(d, "    - {apiVersion: apps/v1, kind: StatefulSet}\n", ""),
     "templates/statefulset.yaml (default values): renders apps/v1 StatefulSet, which hoist.dev/allowed-kinds does not list"),
    ("restore-hook-missing", lambda d: sub(d, "    restore:\n      job: {template: templates/hooks/restore-job.yaml, timeoutSeconds: 3600}\n"
                                              "      params:\n        - {name: backupName, type: string, required: true}\n"
                                              "        - {name: flush, type: boolean, default: true, description: empty the instance before loading}\n", ""),
     'hoist.dev/backup /restore/hook: restore uses hook "restore", which hoist.dev/hooks does not define'),
    ("alert-not-rendered", lambda d: sub(d, "      - {name: RedisDown,", "      - {name: RedisOnFire, severity: info}\n      - {name: RedisDown,"),
     "hoist.dev/monitoring /alerts/0: alert RedisOnFire renders with an empty expr"),
    ("alert-missing", lambda d: d / "templates/prometheusrule.yaml",
     "hoist.dev/monitoring /alerts/1: alert RedisMemoryHigh is not in the rendered PrometheusRule"),
    ("metrics-container", lambda d: sub(d, "metrics: {container: metrics,", "metrics: {container: exporter,"),
     'hoist.dev/monitoring /metrics/container: container "exporter" is not rendered with monitoring enabled'),
    ("tls-container", lambda d: sub(d, "containers: [redis, sentinel, metrics]", "containers: [redis, stunnel]"),
     'hoist.dev/tls /containers/1: container "stunnel" is not rendered with TLS enabled'),
    ("unknown-annotation", lambda d: sub(d, "  hoist.dev/contract: v1alpha1", "  hoist.dev/contract: v1alpha1\n  hoist.dev/typo: x"),
     "hoist.dev/typo: unknown annotation of the hoist.dev contract"),
    ("missing-required", lambda d: sub(d, "  hoist.dev/contract: v1alpha1\n", ""),
     "hoist.dev/contract: required annotation is missing"),
    ("type-not-name", lambda d: sub(d, "  hoist.dev/type: redis", "  hoist.dev/type: valkey"),
     'hoist.dev/type: type "valkey" differs from the chart name "redis"'),
    ("bad-yaml", lambda d: sub(d, "    metrics: {container: metrics, port: 9121", "    metrics: {container: [metrics, port: 9121"),
     "hoist.dev/monitoring: not valid YAML"),
    ("hook-template-always-renders", lambda d: d / "templates/hooks/backup-job.yaml",
     "hoist.dev/hooks /backup/job/template: templates/hooks/backup-job.yaml renders objects without a running operation"),
]


def sub(d: Path, old: str, new: str) -> Path:
    f = d / "Chart.yaml"
    text = f.read_text()
    assert old in text, f"test edit no longer applies: {old!r}"
    f.write_text(text.replace(old, new, 1))
    return f


@pytest.mark.parametrize("case", BROKEN, ids=[c[0] for c in BROKEN])
def test_lint_broken_copy(case, tmp_path):
    name, edit, expected = case
    d = tmp_path / "redis"
    shutil.copytree(CHARTS / "redis", d)
    target = edit(d)
    if name == "hook-template-always-renders":
        target.write_text("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: always\n"
                          "  annotations: {hoist.dev/hook: backup}\n")
    if name == "alert-missing":
        # A rule file that ships only the first alert.
        target.write_text("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\n"
                          "spec:\n  groups:\n    - name: g\n      rules:\n        - {alert: RedisDown, expr: up == 0}\n")
    p = hoist("extension", "lint", d, check=False)
    assert p.returncode == 1, p.stdout
    assert f"[ERROR] {expected}" in p.stdout, p.stdout
    assert p.stdout.rstrip().endswith("1 chart(s) linted, 1 chart(s) failed")
