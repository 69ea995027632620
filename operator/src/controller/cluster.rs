//! The operator's API calls on rendered objects: discovery (GVK → resource), server-side apply with the
//! conflict policy, get, delete, and the `lookup` the charts see.

use crate::api::{InventoryEntry, FIELD_MANAGER};
use chart_renderer::render::Lookup;
use gotmpl::Value as TValue;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::Scope;
use kube::Client;
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Field managers whose changes count as hand edits: Hoist takes their fields back with `force`.
/// Any other manager (another controller, a GitOps tool) is left alone and reported as a conflict,
/// because forcing would start a fight between two controllers.
pub const HAND_EDIT_MANAGERS: &[&str] = &[
    "kubectl",
    "kubectl-edit",
    "kubectl-patch",
    "kubectl-client-side-apply",
    "kubectl-label",
    "kubectl-annotate",
    "kubectl-scale",
    "kubectl-set",
    "before-first-apply",
    "k9s",
];

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("kind {what} is not served by the cluster (is its CRD installed?)")]
    UnknownKind {
        what: String,
        api_version: String,
        kind: String,
    },
    #[error("{what}: field conflict with {managers:?}: {message}")]
    Conflict {
        what: String,
        managers: Vec<String>,
        message: String,
    },
    #[error("{what}: {source}")]
    Api {
        what: String,
        #[source]
        source: kube::Error,
    },
}

/// `Kind/namespace/name`, for messages and logs.
pub fn describe(e: &InventoryEntry) -> String {
    match &e.namespace {
        Some(ns) => format!("{}/{}/{}", e.kind, ns, e.name),
        None => format!("{}/{}", e.kind, e.name),
    }
}

/// (apiVersion, kind) → (resource, namespaced).
type KindCache = HashMap<(String, String), (ApiResource, bool)>;

/// GVK → (resource, namespaced), asked once per kind.
#[derive(Clone)]
pub struct Discovery {
    client: Client,
    cache: Arc<Mutex<KindCache>>,
}

fn gvk(api_version: &str, kind: &str) -> GroupVersionKind {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    GroupVersionKind::gvk(group, version, kind)
}

impl Discovery {
    pub fn new(client: Client) -> Self {
        Discovery {
            client,
            cache: Arc::default(),
        }
    }

    pub async fn resolve(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<(ApiResource, bool), ClusterError> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(hit) = self.cache.lock().get(&key) {
            return Ok(hit.clone());
        }
        let found = kube::discovery::pinned_kind(&self.client, &gvk(api_version, kind))
            .await
            .map_err(|_| ClusterError::UnknownKind {
                what: format!("{api_version} {kind}"),
                api_version: api_version.into(),
                kind: kind.into(),
            })?;
        let v = (found.0, found.1.scope == Scope::Namespaced);
        self.cache.lock().insert(key, v.clone());
        Ok(v)
    }

    pub async fn api(&self, e: &InventoryEntry) -> Result<Api<DynamicObject>, ClusterError> {
        let (ar, namespaced) = self.resolve(&e.api_version, &e.kind).await?;
        Ok(match (&e.namespace, namespaced) {
            (Some(ns), true) => Api::namespaced_with(self.client.clone(), ns, &ar),
            _ => Api::all_with(self.client.clone(), &ar),
        })
    }
}

/// The managers named in a 409 apply conflict (`conflict with "kubectl-edit" using apps/v1: .spec.replicas`).
pub fn conflict_managers(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find("conflict with \"") {
        rest = &rest[i + "conflict with \"".len()..];
        if let Some(end) = rest.find('"') {
            let m = rest[..end].to_string();
            if !out.contains(&m) {
                out.push(m);
            }
            rest = &rest[end..];
        } else {
            break;
        }
    }
    out
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The object as the server returned it.
    pub live: Value,
    /// Whether it changed (created, updated or taken back); a no-op apply leaves resourceVersion alone.
    pub changed: bool,
    /// Managers whose hand edits were taken back.
    pub reverted_from: Vec<String>,
}

fn api_err(what: &str, e: kube::Error) -> ClusterError {
    if let kube::Error::Api(status) = &e {
        if status.code == 409 {
            return ClusterError::Conflict {
                what: what.into(),
                managers: conflict_managers(&status.message),
                message: status.message.clone(),
            };
        }
    }
    ClusterError::Api {
        what: what.into(),
        source: e,
    }
}

pub fn is_not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

/// Server-side apply of one object with field manager `hoist`, without force first; a conflict with
/// hand edits only is retried with force (the drift correction), any other conflict is returned.
/// `dry_run` checks the object (schema, admission, conflicts) without changing anything.
pub async fn apply(
    disc: &Discovery,
    entry: &InventoryEntry,
    object: &Value,
    before: Option<&Value>,
    dry_run: bool,
) -> Result<Applied, ClusterError> {
    let what = describe(entry);
    let api = disc.api(entry).await?;
    let mut pp = PatchParams::apply(FIELD_MANAGER);
    pp.dry_run = dry_run;
    let rv = |v: Option<&Value>| {
        v.and_then(|o| o.pointer("/metadata/resourceVersion"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let first = api.patch(&entry.name, &pp, &Patch::Apply(object)).await;
    let (obj, reverted_from) = match first {
        Ok(o) => (o, Vec::new()),
        Err(e) => match api_err(&what, e) {
            ClusterError::Conflict { managers, .. }
                if !managers.is_empty()
                    && managers
                        .iter()
                        .all(|m| HAND_EDIT_MANAGERS.contains(&m.as_str())) =>
            {
                let o = api
                    .patch(&entry.name, &pp.clone().force(), &Patch::Apply(object))
                    .await
                    .map_err(|e| api_err(&what, e))?;
                (o, managers)
            }
            other => return Err(other),
        },
    };
    let live = serde_json::to_value(&obj).map_err(|e| ClusterError::Api {
        what: what.clone(),
        source: kube::Error::SerdeError(e),
    })?;
    let changed = !dry_run && rv(before) != rv(Some(&live));
    Ok(Applied {
        live,
        changed,
        reverted_from,
    })
}

pub async fn get(disc: &Discovery, entry: &InventoryEntry) -> Result<Option<Value>, ClusterError> {
    let what = describe(entry);
    let api = disc.api(entry).await?;
    match api.get_opt(&entry.name).await {
        Ok(Some(o)) => serde_json::to_value(&o)
            .map(Some)
            .map_err(|e| ClusterError::Api {
                what,
                source: kube::Error::SerdeError(e),
            }),
        Ok(None) => Ok(None),
        Err(e) => Err(api_err(&what, e)),
    }
}

/// Deletes one object (background propagation); gone already counts as done.
pub async fn delete(disc: &Discovery, entry: &InventoryEntry) -> Result<bool, ClusterError> {
    let what = describe(entry);
    let api = match disc.api(entry).await {
        Ok(a) => a,
        // A kind the cluster no longer serves has no objects left to delete.
        Err(ClusterError::UnknownKind { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    match api.delete(&entry.name, &DeleteParams::background()).await {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(api_err(&what, e)),
    }
}

/// Removes ownerReferences to `owner_uid` so the garbage collector leaves the object alone; whether
/// there was one to remove.
pub async fn disown(
    disc: &Discovery,
    entry: &InventoryEntry,
    owner_uid: &str,
) -> Result<bool, ClusterError> {
    let what = describe(entry);
    let Some(live) = get(disc, entry).await? else {
        return Ok(false);
    };
    let refs: Vec<Value> = live
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let kept: Vec<Value> = refs
        .iter()
        .filter(|r| r.get("uid").and_then(Value::as_str) != Some(owner_uid))
        .cloned()
        .collect();
    if kept.len() == refs.len() {
        return Ok(false);
    }
    let api = disc.api(entry).await?;
    // A JSON merge patch replaces the whole list; resourceVersion makes it fail rather than race.
    let patch = serde_json::json!({"metadata": {
        "ownerReferences": kept,
        "resourceVersion": live.pointer("/metadata/resourceVersion"),
    }});
    api.patch(&entry.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| api_err(&what, e))?;
    Ok(true)
}

/// Names of the objects of a namespaced kind carrying a label.
pub async fn list_names(
    disc: &Discovery,
    api_version: &str,
    kind: &str,
    namespace: &str,
    selector: &str,
) -> Result<Vec<String>, ClusterError> {
    let probe = InventoryEntry {
        api_version: api_version.into(),
        kind: kind.into(),
        name: String::new(),
        namespace: Some(namespace.into()),
    };
    let api = disc.api(&probe).await?;
    let list = api
        .list_metadata(&ListParams::default().labels(selector))
        .await
        .map_err(|e| api_err(kind, e))?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|o| o.metadata.name)
        .collect())
}

/// `lookup` for charts, answered from the API server and confined to the instance namespace: a chart
/// may read its own Secrets (to keep generated passwords stable) but nothing of other tenants.
pub struct ApiLookup {
    pub discovery: Discovery,
    pub namespace: String,
    pub handle: tokio::runtime::Handle,
}

impl Lookup for ApiLookup {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<TValue, String> {
        // Helm lists across all namespaces for ""; here everything is scoped to the instance.
        if !namespace.is_empty() && namespace != self.namespace {
            return Err(format!(
                "lookup of {kind} in namespace {namespace:?}: extensions may only look up objects in the instance namespace {:?}",
                self.namespace
            ));
        }
        let entry = InventoryEntry {
            api_version: api_version.into(),
            kind: kind.into(),
            name: name.into(),
            namespace: Some(self.namespace.clone()),
        };
        // Render runs on a blocking thread, so waiting on the runtime here does not stall it.
        self.handle.block_on(async {
            let (ar, namespaced) = match self.discovery.resolve(api_version, kind).await {
                Ok(x) => x,
                // Helm: a kind the server does not know gives an empty map.
                Err(_) => return Ok(TValue::Map(gotmpl::Map::new())),
            };
            if !namespaced {
                return Err(format!(
                    "lookup of cluster-scoped {kind}: extensions may only look up objects in the instance namespace"
                ));
            }
            let api: Api<DynamicObject> =
                Api::namespaced_with(self.discovery.client.clone(), &self.namespace, &ar);
            let json = if name.is_empty() {
                match api.list(&ListParams::default()).await {
                    Ok(l) => serde_json::to_value(&l).map_err(|e| e.to_string())?,
                    Err(e) => return Err(e.to_string()),
                }
            } else {
                match get(&self.discovery, &entry).await {
                    Ok(Some(v)) => v,
                    Ok(None) => return Ok(TValue::Map(gotmpl::Map::new())),
                    Err(e) => return Err(e.to_string()),
                }
            };
            Ok(TValue::from_json(&json))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_managers_from_a_conflict_message() {
        let m = "Apply failed with 2 conflicts: conflict with \"kubectl-edit\" using apps/v1: .spec.replicas\nconflict with \"argocd\" using apps/v1: .spec.template\nconflict with \"kubectl-edit\": .x";
        assert_eq!(conflict_managers(m), vec!["kubectl-edit", "argocd"]);
        assert!(conflict_managers("nothing here").is_empty());
    }

    #[test]
    fn splits_api_versions() {
        assert_eq!(gvk("v1", "Secret").group, "");
        assert_eq!(gvk("apps/v1", "StatefulSet").group, "apps");
        assert_eq!(gvk("apps/v1", "StatefulSet").version, "v1");
    }
}
