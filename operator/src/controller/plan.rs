//! From a render to the objects to apply: parse, check each against the instance namespace and the
//! extension's allowed kinds, add Hoist's labels and the owner reference, order for install. Pure code,
//! no API calls, so every rule is unit-tested.

use crate::api::{InventoryEntry, Middleware, API_VERSION};
use chart_renderer::manifests::sort_manifests;
use kube::ResourceExt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Label on everything Hoist applies; the operator's watches select on it.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "hoist";
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// The owning Middleware's name, also on PVC templates so data volumes can be found by label (they get
/// no ownerReference from the StatefulSet controller).
pub const MIDDLEWARE_LABEL: &str = "hoist.dev/middleware";
/// Charts mark objects that `terminationPolicy: Retain` keeps (Secrets are kept regardless).
pub const KEEP_ON_DELETE_ANNOTATION: &str = "hoist.dev/keep-on-delete";
/// Contract hook objects (rendered only while an operation runs) carry this annotation.
pub const HOOK_ANNOTATION: &str = "hoist.dev/hook";

/// A kind an extension may render (`hoist.dev/allowed-kinds`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedKind {
    pub api_version: String,
    pub kind: String,
    pub cluster_scoped: bool,
}

/// One object to apply, in install order.
#[derive(Clone, Debug, PartialEq)]
pub struct DesiredObject {
    pub entry: InventoryEntry,
    /// The full object to server-side apply.
    pub object: Value,
    /// The template it came from (for messages).
    pub template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{template}: rendered YAML does not parse: {message}")]
    Yaml { template: String, message: String },
    #[error("{template}: object without {field}")]
    Incomplete {
        template: String,
        field: &'static str,
    },
    #[error("{template}: {kind} {name}: kind {api_version} {kind} is not in the extension's hoist.dev/allowed-kinds")]
    KindNotAllowed {
        template: String,
        api_version: String,
        kind: String,
        name: String,
    },
    #[error("{template}: {kind} {name}: namespace {namespace:?} is outside the instance namespace {instance:?}")]
    OtherNamespace {
        template: String,
        kind: String,
        name: String,
        namespace: String,
        instance: String,
    },
    #[error("{template}: {kind} {name}: rendered twice")]
    Duplicate {
        template: String,
        kind: String,
        name: String,
    },
}

/// The objects of a render, checked, labelled, owned and in Helm's install order (Secrets, ConfigMaps,
/// ServiceAccounts and Services come before workloads). Helm hooks and Hoist operation hooks are left
/// out: they are not part of the steady state.
pub fn plan(
    mw: &Middleware,
    files: &BTreeMap<String, String>,
    allowed: &[AllowedKind],
) -> Result<Vec<DesiredObject>, PlanError> {
    let (_helm_hooks, manifests) = sort_manifests(files).map_err(|e| PlanError::Yaml {
        template: "render".into(),
        message: e.to_string(),
    })?;
    let instance_ns = mw.namespace();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for m in manifests {
        let decoded = chart_renderer::yaml::from_str(&m.content).map_err(|e| PlanError::Yaml {
            template: m.source.clone(),
            message: e.to_string(),
        })?;
        // The decoder gives every number as a float64 (Helm's values semantics); the API server wants
        // integers in integer fields (`3.0` fails to decode into an int32).
        let mut obj = crate::middleware::integral_numbers(decoded.to_json());
        if obj.is_null() {
            continue;
        }
        let field = |p: &str| obj.pointer(p).and_then(|v| v.as_str()).map(str::to_string);
        let source = m.source.clone();
        let api_version = field("/apiVersion").ok_or(PlanError::Incomplete {
            template: source.clone(),
            field: "apiVersion",
        })?;
        let kind = field("/kind").ok_or(PlanError::Incomplete {
            template: source.clone(),
            field: "kind",
        })?;
        let name = field("/metadata/name").ok_or(PlanError::Incomplete {
            template: source.clone(),
            field: "metadata.name",
        })?;
        if obj
            .pointer(&format!(
                "/metadata/annotations/{}",
                HOOK_ANNOTATION.replace('/', "~1")
            ))
            .is_some()
        {
            continue;
        }
        let Some(rule) = allowed
            .iter()
            .find(|a| a.api_version == api_version && a.kind == kind)
        else {
            return Err(PlanError::KindNotAllowed {
                template: source,
                api_version,
                kind,
                name,
            });
        };
        let namespace = if rule.cluster_scoped {
            if let Some(ns) = field("/metadata/namespace") {
                return Err(PlanError::OtherNamespace {
                    template: source,
                    kind,
                    name,
                    namespace: ns,
                    instance: String::new(),
                });
            }
            None
        } else {
            match field("/metadata/namespace") {
                Some(ns) if ns != instance_ns => {
                    return Err(PlanError::OtherNamespace {
                        template: source,
                        kind,
                        name,
                        namespace: ns,
                        instance: instance_ns.to_string(),
                    })
                }
                _ => Some(instance_ns.to_string()),
            }
        };
        let entry = InventoryEntry {
            api_version,
            kind,
            name,
            namespace,
        };
        if !seen.insert(entry.clone()) {
            return Err(PlanError::Duplicate {
                template: source,
                kind: entry.kind,
                name: entry.name,
            });
        }
        decorate(mw, &entry, &mut obj);
        out.push(DesiredObject {
            entry,
            object: obj,
            template: source,
        });
    }
    Ok(out)
}

/// Hoist's labels, the namespace and (for namespaced objects) the controller owner reference.
fn decorate(mw: &Middleware, entry: &InventoryEntry, obj: &mut Value) {
    let name = mw.name_any();
    let Some(meta) = obj
        .as_object_mut()
        .map(|o| o.entry("metadata").or_insert_with(|| json!({})))
        .and_then(|m| m.as_object_mut())
    else {
        return;
    };
    if let Some(ns) = &entry.namespace {
        meta.insert("namespace".into(), json!(ns));
    }
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if !labels.is_object() {
        *labels = json!({});
    }
    if let Some(l) = labels.as_object_mut() {
        l.insert(MANAGED_BY_LABEL.into(), json!(MANAGED_BY));
        l.insert(INSTANCE_LABEL.into(), json!(name));
        l.insert(MIDDLEWARE_LABEL.into(), json!(name));
    }
    // A namespaced owner cannot own a cluster-scoped object (the garbage collector would treat the
    // reference as dangling); those are deleted explicitly at teardown.
    if entry.namespace.is_some() {
        if let Some(uid) = mw.metadata.uid.as_deref() {
            meta.insert(
                "ownerReferences".into(),
                json!([{
                    "apiVersion": API_VERSION,
                    "kind": "Middleware",
                    "name": name,
                    "uid": uid,
                    "controller": true,
                    "blockOwnerDeletion": true,
                }]),
            );
        }
    }
    // PVCs made from volumeClaimTemplates carry the template's labels only.
    if entry.kind == "StatefulSet" {
        if let Some(templates) = obj
            .pointer_mut("/spec/volumeClaimTemplates")
            .and_then(|t| t.as_array_mut())
        {
            for t in templates {
                if let Some(o) = t.as_object_mut() {
                    let meta = o.entry("metadata").or_insert_with(|| json!({}));
                    if let Some(meta) = meta.as_object_mut() {
                        let labels = meta.entry("labels").or_insert_with(|| json!({}));
                        if let Some(l) = labels.as_object_mut() {
                            l.insert(MIDDLEWARE_LABEL.into(), json!(name));
                            l.insert(MANAGED_BY_LABEL.into(), json!(MANAGED_BY));
                        }
                    }
                }
            }
        }
    }
}

/// The inventory of a plan (sorted, as status keeps it).
pub fn inventory(plan: &[DesiredObject]) -> Vec<InventoryEntry> {
    let mut v: Vec<InventoryEntry> = plan.iter().map(|d| d.entry.clone()).collect();
    v.sort();
    v
}

/// What an earlier inventory has that the new plan drops, in reverse install order (workloads before
/// the Secrets and Services they use).
pub fn to_prune(old: &[InventoryEntry], plan: &[DesiredObject]) -> Vec<InventoryEntry> {
    let keep: BTreeSet<&InventoryEntry> = plan.iter().map(|d| &d.entry).collect();
    let mut gone: Vec<InventoryEntry> = old.iter().filter(|e| !keep.contains(e)).cloned().collect();
    sort_for_teardown(&mut gone);
    gone
}

/// Reverse of Helm's install order, by kind.
pub fn sort_for_teardown(entries: &mut [InventoryEntry]) {
    entries.sort_by_key(|e| std::cmp::Reverse(install_rank(&e.kind)));
}

/// Position of a kind in Helm's install order (the renderer's table, so `hoist render` and the operator
/// agree with `helm template`); unknown kinds go last, as Helm puts them.
pub fn install_rank(kind: &str) -> usize {
    use chart_renderer::manifests::INSTALL_ORDER;
    INSTALL_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(INSTALL_ORDER.len())
}

/// Kinds `terminationPolicy: Retain` keeps: data volumes and credentials, plus anything the chart marks.
pub fn kept_on_retain(kind: &str, annotations: Option<&BTreeMap<String, String>>) -> bool {
    kind == "PersistentVolumeClaim"
        || kind == "Secret"
        || annotations
            .and_then(|a| a.get(KEEP_ON_DELETE_ANNOTATION))
            .is_some_and(|v| v == "true")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MiddlewareSpec;

    fn mw() -> Middleware {
        let mut m = Middleware::new(
            "cache",
            MiddlewareSpec {
                type_: "redis".into(),
                ..Default::default()
            },
        );
        m.metadata.namespace = Some("team-a".into());
        m.metadata.uid = Some("uid-1".into());
        m
    }

    fn allowed() -> Vec<AllowedKind> {
        [
            ("v1", "Secret"),
            ("v1", "Service"),
            ("apps/v1", "StatefulSet"),
            ("v1", "ConfigMap"),
        ]
        .iter()
        .map(|(a, k)| AllowedKind {
            api_version: a.to_string(),
            kind: k.to_string(),
            cluster_scoped: false,
        })
        .chain([AllowedKind {
            api_version: "rbac.authorization.k8s.io/v1".into(),
            kind: "ClusterRole".into(),
            cluster_scoped: true,
        }])
        .collect()
    }

    fn files(docs: &[(&str, &str)]) -> BTreeMap<String, String> {
        docs.iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn orders_for_install_labels_and_owns() {
        let f = files(&[
            (
                "redis/templates/sts.yaml",
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: cache\nspec:\n  volumeClaimTemplates:\n  - metadata:\n      name: data\n",
            ),
            (
                "redis/templates/svc.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: cache\n  namespace: team-a\nspec:\n  ports:\n  - port: 6379\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cache-auth\n",
            ),
        ]);
        let p = plan(&mw(), &f, &allowed()).expect("plan");
        let kinds: Vec<&str> = p.iter().map(|d| d.entry.kind.as_str()).collect();
        assert_eq!(kinds, ["Secret", "Service", "StatefulSet"]);
        let sts = &p[2].object;
        assert_eq!(sts["metadata"]["namespace"], "team-a");
        assert_eq!(sts["metadata"]["labels"][MANAGED_BY_LABEL], "hoist");
        assert_eq!(sts["metadata"]["ownerReferences"][0]["uid"], "uid-1");
        assert_eq!(sts["metadata"]["ownerReferences"][0]["controller"], true);
        assert_eq!(p[1].object["spec"]["ports"][0]["port"].to_string(), "6379");
        assert_eq!(
            sts["spec"]["volumeClaimTemplates"][0]["metadata"]["labels"][MIDDLEWARE_LABEL],
            "cache"
        );
    }

    #[test]
    fn refuses_other_namespaces_and_undeclared_kinds() {
        let f = files(&[(
            "x/templates/a.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: kube-system\n",
        )]);
        let err = plan(&mw(), &f, &allowed()).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("x/templates/a.yaml: Service a: namespace \"kube-system\" is outside the instance namespace \"team-a\"")
        );
        let f = files(&[(
            "x/templates/a.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: a\n",
        )]);
        assert!(matches!(
            plan(&mw(), &f, &allowed()),
            Err(PlanError::KindNotAllowed { .. })
        ));
    }

    #[test]
    fn cluster_scoped_kinds_need_a_declaration_and_get_no_owner() {
        let f = files(&[(
            "x/templates/a.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: a\n",
        )]);
        let p = plan(&mw(), &f, &allowed()).expect("declared cluster-scoped kind");
        assert_eq!(p[0].entry.namespace, None);
        assert!(p[0].object["metadata"].get("ownerReferences").is_none());
        assert!(p[0].object["metadata"].get("namespace").is_none());
    }

    #[test]
    fn skips_operation_hooks_and_rejects_duplicates() {
        let f = files(&[(
            "x/templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    hoist.dev/hook: backup\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
        )]);
        assert!(matches!(
            plan(&mw(), &f, &allowed()),
            Err(PlanError::Duplicate { .. })
        ));
    }

    #[test]
    fn prunes_what_a_new_render_drops_workloads_first() {
        let e = |k: &str, n: &str| InventoryEntry {
            api_version: "v1".into(),
            kind: k.into(),
            name: n.into(),
            namespace: Some("team-a".into()),
        };
        let old = vec![e("Secret", "s"), e("StatefulSet", "w"), e("ConfigMap", "c")];
        let f = files(&[(
            "x/templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        )]);
        let p = plan(&mw(), &f, &allowed()).expect("plan");
        assert_eq!(
            to_prune(&old, &p),
            vec![e("StatefulSet", "w"), e("Secret", "s")]
        );
    }
}
