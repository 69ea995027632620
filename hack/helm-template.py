#!/usr/bin/env python3
"""Print exactly what `helm template` (Helm v4.2.3) prints, using Helm's real engine via the SDK.

    hack/helm-template.py [NAME] CHART [-f VALUES]... [--set EXPR]... [-n NS]
                          [--include-crds] [--no-hooks] [--skip-tests]

How each part is obtained:
- the non-hook manifests (`---` + `# Source:` lines, kind install order, document splitting, NOTES
  and partials left out): the `manifest` of a client-side dry-run install — Helm's own code;
- hooks: the SDK's release summary does not carry them, so they are rebuilt from the engine's
  rendered files with Helm's rules (files in path order, documents split on `---`, a document is a
  hook when it has a `helm.sh/hook` annotation of known events, stable sort by kind install order,
  unknown kinds last by name). The same rules applied to non-hook documents must reproduce Helm's
  own manifest; if they do not, a warning goes to stderr;
- `--include-crds`: CRD files are put first, as Helm's install does (emulated: the SDK's install
  has no such option);
- errors: `Error: <message>`; render-stage errors get helm's "Use --debug flag…" hint.
Values are composed as in tests/conformance/caselib.py (see its known limit on --set integers).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "conformance"))

import caselib  # noqa: E402

# Helm's kind install order (pkg/release/v1/util/kind_sorter.go, InstallOrder).
INSTALL_ORDER = [
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
    "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
]
HOOK_EVENTS = {
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
    "pre-rollback", "post-rollback", "test", "test-success",
}
# Errors Helm raises before a release object exists: `helm template` prints them without the hint.
PRE_RENDER_ERRORS = (
    "values don't meet the specifications",
    "library charts are not installable",
    "release name",
)
DEBUG_HINT = "\n\nUse --debug flag to render out invalid YAML"
SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")


def split_documents(text: str) -> list[str]:
    docs = []
    for doc in SEPARATOR.split(text.lstrip()):
        if doc == "":
            continue
        docs.append(doc.lstrip())
    return docs


def kind_key(kind: str) -> tuple[int, str]:
    try:
        return (INSTALL_ORDER.index(kind), "")
    except ValueError:
        return (len(INSTALL_ORDER), kind)


def sort_documents(files: dict[str, str]):
    """(hooks, generic) as lists of (path, content, kind, events), Helm's SortManifests rules."""
    import yaml

    hooks, generic = [], []
    for path in sorted(files):
        content = files[path]
        if Path(path).name.startswith("_") or content.strip() == "":
            continue
        for doc in split_documents(content):
            try:
                head = yaml.safe_load(doc)
            except yaml.YAMLError:
                head = None
            head = head if isinstance(head, dict) else {}
            kind = head.get("kind") or ""
            meta = head.get("metadata") if isinstance(head.get("metadata"), dict) else {}
            annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
            hook = annotations.get("helm.sh/hook")
            if hook is None:
                generic.append((path, doc, kind, []))
                continue
            events = [e.strip().lower() for e in str(hook).split(",")]
            if any(e not in HOOK_EVENTS for e in events):
                continue  # Helm skips documents with unknown hook events
            hooks.append((path, doc, kind, events))
    # Python's sort is stable, like sort.SliceStable.
    hooks.sort(key=lambda h: kind_key(h[2]))
    generic.sort(key=lambda g: kind_key(g[2]))
    return hooks, generic


def helm_release_and_files(chart_dir, values, name, namespace):
    """(Helm's client-side dry-run release, the engine's rendered files without NOTES)."""
    import helm_python as helm

    config = helm.Config(namespace=namespace, storage_driver="memory")
    chart = helm.Chart.load(chart_dir)
    try:
        release = config.install(chart, name, values, namespace=namespace, dry_run="client")
        crds = chart.crds
    finally:
        chart.close()
        config.close()
    chart = helm.Chart.load(chart_dir)
    try:
        files = chart.render(values, name=name, namespace=namespace)
    finally:
        chart.close()
    files = {path: text for path, text in files.items() if not path.endswith("NOTES.txt")}
    return release, files, crds


def rebuild_manifest(generic) -> str:
    return "".join(f"---\n# Source: {path}\n{doc}\n" for path, doc, _, _ in generic)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("args", nargs="+", metavar="[NAME] CHART")
    parser.add_argument("-f", "--values", action="append", default=[], type=Path)
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("-n", "--namespace", default="default")
    parser.add_argument("--include-crds", action="store_true")
    parser.add_argument("--no-hooks", action="store_true")
    parser.add_argument("--skip-tests", action="store_true")
    opts = parser.parse_args()
    if len(opts.args) > 2:
        parser.error("at most NAME and CHART")
    name, chart_dir = ("release-name", opts.args[0]) if len(opts.args) == 1 else opts.args

    import helm_python as helm

    try:
        values = caselib.helm_values(opts.values, opts.set)
        release, files, crds = helm_release_and_files(chart_dir, values, name, opts.namespace)
    except helm.HelmError as err:
        message = str(err)
        if not message.startswith(PRE_RENDER_ERRORS):
            message += DEBUG_HINT
        print(f"Error: {message}", file=sys.stderr)
        return 1

    hooks, generic = sort_documents(files)
    manifest = release["manifest"]
    if rebuild_manifest(generic) != manifest:
        print("helm-template.py: warning: rebuilt manifest differs from Helm's; hooks may be "
              "ordered or split wrongly", file=sys.stderr)

    crds = crds if opts.include_crds else []
    crd_text = "".join(f"---\n# Source: {crd['filename']}\n{crd['data']}\n" for crd in crds)
    out = (crd_text + manifest).strip() + "\n"
    if not opts.no_hooks:
        for path, doc, _, events in hooks:
            if opts.skip_tests and ("test" in events or "test-success" in events):
                continue
            out += f"---\n# Source: {path}\n{doc}\n"
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
