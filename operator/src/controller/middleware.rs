//! The Middleware reconciler: a function of observed state (the Middleware, the loaded extensions, the
//! live objects) that converges the cluster and reports in status, Events and the audit log.
//!
//! One pass: finalizer → resolve the extension → values → render (lookup from the cluster) → plan →
//! dry-run apply of everything (conflicts and invalid objects stop the pass before anything changes) →
//! apply in install order → prune → readiness → status (written only when it differs).
//! Steady state: the render is compared with the last applied one and the live objects' versions, so a
//! pass that finds nothing to do makes no write at all.

use super::cluster::{self, ClusterError, Discovery};
use super::extensions::{Loaded, Registry, Unresolved};
use super::plan::{self, DesiredObject, MIDDLEWARE_LABEL};
use super::status::{self, DEGRADED, READY, RECONCILING, STALLED};
use crate::api::{
    Connection, InventoryEntry, Middleware, MiddlewareStatus, Phase, ResolvedExtension, State,
    TerminationPolicy, FIELD_MANAGER, FINALIZER,
};
use crate::middleware::instance_values;
use chart_renderer::render::{ReleaseOptions, RenderError, RenderOptions, Renderer};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event as KEvent, EventType, Recorder};
use kube::{Resource, ResourceExt};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Shared state of the controllers.
pub struct Context {
    pub client: kube::Client,
    pub discovery: Discovery,
    pub registry: Registry,
    pub renderer: Arc<Renderer>,
    pub recorder: Recorder,
    pub metrics: super::Metrics,
    /// What the last successful pass applied, per Middleware uid: the render's hash and each object's
    /// version as the server returned it. Lost on restart, which costs one no-op apply per object.
    pub(crate) applied: Mutex<HashMap<String, AppliedState>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AppliedState {
    render_hash: u64,
    versions: BTreeMap<InventoryEntry, String>,
}

impl Context {
    pub fn new(client: kube::Client, registry: Registry, recorder: Recorder) -> Self {
        Context {
            discovery: Discovery::new(client.clone()),
            client,
            registry,
            renderer: Arc::new(Renderer::new()),
            recorder,
            metrics: super::Metrics::default(),
            applied: Mutex::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Kube(#[from] kube::Error),
    #[error("{0}")]
    Cluster(#[from] ClusterError),
    #[error("render task: {0}")]
    Join(String),
}

/// A failure that needs the user (Stalled): reason (stable, CamelCase) and message.
#[derive(Debug, Clone)]
struct Stall {
    reason: &'static str,
    message: String,
}

fn stall(reason: &'static str, message: impl Into<String>) -> Stall {
    Stall {
        reason,
        message: message.into(),
    }
}

/// The version that changes whenever an object's content does: `generation` ignores status updates
/// (a StatefulSet's ready count must not look like drift); objects without one use resourceVersion.
fn version_key(live: &Value) -> String {
    match live.pointer("/metadata/generation").and_then(Value::as_i64) {
        Some(g) => format!("g{g}"),
        None => live
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(|rv| format!("r{rv}"))
            .unwrap_or_default(),
    }
}

fn hash_plan(p: &[DesiredObject]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for d in p {
        d.entry.hash(&mut h);
        d.object.to_string().hash(&mut h);
    }
    h.finish()
}

/// The field manager of the latest change to the Middleware other than Hoist's own (for the audit log).
pub(crate) fn last_writer(mw: &Middleware) -> String {
    last_writer_of(&mw.metadata)
}

pub(crate) fn last_writer_of(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> String {
    meta.managed_fields
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|m| m.manager.as_deref() != Some(FIELD_MANAGER) && m.subresource.is_none())
        .max_by_key(|m| m.time.as_ref().map(|t| t.0))
        .and_then(|m| m.manager.clone())
        .unwrap_or_else(|| "unknown".into())
}

/// One JSON audit line per user-visible change.
pub(crate) fn audit(what: &str, object: &str, who: &str, result: &str) {
    tracing::info!(target: "hoist::audit", audit = true, what, object, who, result, "audit");
}

pub(crate) async fn publish(
    ctx: &Context,
    mw: &Middleware,
    warning: bool,
    reason: &str,
    note: String,
) {
    let ev = KEvent {
        type_: if warning {
            EventType::Warning
        } else {
            EventType::Normal
        },
        reason: reason.into(),
        note: Some(truncate(&note, 1000)),
        action: "Reconcile".into(),
        secondary: None,
    };
    if let Err(e) = ctx.recorder.publish(&ev, &mw.object_ref(&())).await {
        tracing::warn!(error = %e, "publishing event");
    }
}

fn truncate(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub async fn reconcile(mw: Arc<Middleware>, ctx: Arc<Context>) -> Result<Action, Error> {
    let started = Instant::now();
    let result = reconcile_inner(&mw, &ctx).await;
    ctx.metrics
        .observe("middleware", started.elapsed(), result.is_err());
    result
}

async fn reconcile_inner(mw: &Middleware, ctx: &Context) -> Result<Action, Error> {
    let ns = mw.namespace().to_string();
    let api: Api<Middleware> = Api::namespaced(ctx.client.clone(), &ns);
    if mw.meta().deletion_timestamp.is_some() {
        return super::teardown::run(mw, ctx, &api).await;
    }
    if !mw.finalizers().iter().any(|f| f == FINALIZER) {
        // A merge patch replaces the whole list; resourceVersion makes a concurrent change fail (and
        // retry) instead of dropping another writer's finalizer.
        let mut list = mw.finalizers().to_vec();
        list.push(FINALIZER.to_string());
        let patch =
            json!({"metadata": {"finalizers": list, "resourceVersion": mw.resource_version()}});
        api.patch(
            &mw.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
        // The patch triggers a new pass through the watch.
        return Ok(Action::await_change());
    }
    let old = mw.status.clone().unwrap_or_default();
    let mut st = old.clone();
    let now = Time(jiff_now());
    let generation = mw.metadata.generation;
    let outcome = converge(mw, ctx, &mut st).await;
    let mut events: Vec<(bool, &str, String)> = Vec::new();
    let stopped = mw.spec.state == Some(State::Stopped);
    let requeue;
    match &outcome {
        Ok(Converged {
            ready,
            ready_members,
            desired_members,
            changed,
        }) => {
            status::set_condition(
                &mut st.conditions,
                STALLED,
                false,
                "Reconciled",
                "",
                generation,
                &now,
            );
            let reason = if *ready { "Ready" } else { "WorkloadsNotReady" };
            let msg = format!("{ready_members}/{desired_members} members ready");
            status::set_condition(
                &mut st.conditions,
                READY,
                *ready,
                reason,
                &msg,
                generation,
                &now,
            );
            status::set_condition(
                &mut st.conditions,
                RECONCILING,
                !*ready,
                if *ready { "Reconciled" } else { "Progressing" },
                if *ready { "" } else { &msg },
                generation,
                &now,
            );
            let was_running = status::is_true(&old.conditions, READY)
                || matches!(
                    old.phase,
                    Some(Phase::Running | Phase::Updating | Phase::Upgrading)
                );
            // Degraded: members that were ready are gone while nothing the user did explains it.
            let degraded = was_running
                && !*ready
                && !*changed
                && old.observed_generation == generation
                && !stopped;
            status::set_condition(
                &mut st.conditions,
                DEGRADED,
                degraded,
                if degraded {
                    "MembersNotReady"
                } else {
                    "Healthy"
                },
                if degraded { &msg } else { "" },
                generation,
                &now,
            );
            st.ready_replicas = Some(*ready_members);
            st.replicas = Some(mw.spec.replicas.unwrap_or(*desired_members));
            st.ready = Some(format!("{ready_members}/{}", st.replicas.unwrap_or(0)));
            st.phase = Some(status::phase(status::PhaseInput {
                deleting: false,
                stalled: false,
                stopped,
                ready: *ready,
                ready_members: *ready_members,
                was_running,
                upgrading: old.version.is_some() && old.version != st.version,
            }));
            requeue = if *ready {
                // Owned objects are watched; this is only a safety net.
                Action::requeue(Duration::from_secs(600))
            } else {
                // Workload status changes arrive through the owned-object watches; this poll only
                // covers kinds that are not watched. Short polls re-render every instance that is
                // still starting and starve new ones (measured with 200 instances).
                Action::requeue(Duration::from_secs(30))
            };
        }
        Err(s) => {
            status::set_condition(
                &mut st.conditions,
                STALLED,
                true,
                s.reason,
                &s.message,
                generation,
                &now,
            );
            status::set_condition(
                &mut st.conditions,
                RECONCILING,
                false,
                s.reason,
                &s.message,
                generation,
                &now,
            );
            // What runs keeps running: Ready describes the workloads, so it is only lowered when no
            // object was ever applied.
            if st.inventory.is_empty() {
                status::set_condition(
                    &mut st.conditions,
                    READY,
                    false,
                    s.reason,
                    &s.message,
                    generation,
                    &now,
                );
            }
            st.phase = Some(Phase::Failed);
            requeue = Action::requeue(Duration::from_secs(60));
        }
    }
    st.observed_generation = generation;
    // Events for every condition that flipped or changed reason.
    for c in &st.conditions {
        let before = old.conditions.iter().find(|o| o.type_ == c.type_);
        let flipped = before.is_none_or(|b| b.status != c.status || b.reason != c.reason);
        if !flipped {
            continue;
        }
        match (c.type_.as_str(), c.status.as_str()) {
            (STALLED, "True") => events.push((true, s_reason(&c.reason), c.message.clone())),
            (READY, "True") => events.push((false, "Ready", c.message.clone())),
            (DEGRADED, "True") => events.push((true, "Degraded", c.message.clone())),
            _ => {}
        }
    }
    if old.phase != st.phase {
        if let Some(p) = st.phase {
            events.push((
                false,
                "PhaseChanged",
                format!("phase {:?} -> {p:?}", old.phase),
            ));
        }
    }
    if st != old {
        let patch = json!({"status": st});
        api.patch_status(
            &mw.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
    }
    for (warning, reason, note) in events {
        publish(ctx, mw, warning, reason, note).await;
    }
    Ok(requeue)
}

/// Event reasons must be static; condition reasons come from a fixed set.
fn s_reason(r: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "ExtensionNotFound",
        "InvalidSpec",
        "InvalidConfig",
        "SchemaInvalid",
        "RenderFailed",
        "ObjectRefused",
        "FieldConflict",
        "ApplyFailed",
        "KindNotServed",
        "TypeImmutable",
    ];
    KNOWN
        .iter()
        .find(|k| **k == r)
        .copied()
        .unwrap_or("Stalled")
}

pub(crate) fn jiff_now() -> k8s_openapi::jiff::Timestamp {
    k8s_openapi::jiff::Timestamp::now()
}

struct Converged {
    ready: bool,
    ready_members: i32,
    desired_members: i32,
    /// Something was applied or pruned in this pass.
    changed: bool,
}

/// Everything that needs the extension: the pass proper. Status fields it owns (extension, version,
/// inventory, selector, connection) are set on `st`; conditions are the caller's.
async fn converge(
    mw: &Middleware,
    ctx: &Context,
    st: &mut MiddlewareStatus,
) -> Result<Converged, Stall> {
    let ns = mw.namespace().to_string();
    let name = mw.name_any();
    let object = format!("Middleware/{ns}/{name}");
    if let Some(ext) = &st.extension {
        if ext.type_ != mw.spec.type_ {
            return Err(stall(
                "TypeImmutable",
                format!(
                    "spec.type is immutable: the instance is a {:?}, not a {:?}; create a new Middleware instead",
                    ext.type_, mw.spec.type_
                ),
            ));
        }
    }
    let pin = mw.spec.extension.clone().unwrap_or_default();
    let current = st.extension.as_ref().map(|e| e.chart_version.clone());
    let (mwx, loaded) = ctx
        .registry
        .resolve(
            &mw.spec.type_,
            pin.chart_version.as_deref(),
            pin.digest.as_deref(),
            current.as_deref(),
        )
        .map_err(|e| match e {
            Unresolved::UnknownType(_) | Unresolved::NoSuchChart { .. } => {
                stall("ExtensionNotFound", e.to_string())
            }
        })?;
    check_config(mw, &loaded)?;
    let values =
        instance_values(mw, &loaded.chart).map_err(|e| stall("InvalidSpec", e.to_string()))?;
    let version = values
        .get("hoist")
        .and_then(|h| match h {
            gotmpl::Value::Map(m) => m.get("version"),
            _ => None,
        })
        .and_then(|v| v.to_json().as_str().map(str::to_string));
    // Render on a blocking thread: templates may `lookup`, which waits on API calls.
    let opts = RenderOptions {
        release: ReleaseOptions {
            name: name.clone(),
            namespace: ns.clone(),
            revision: 1,
            is_install: st.inventory.is_empty(),
            is_upgrade: !st.inventory.is_empty(),
        },
        lookup: Arc::new(cluster::ApiLookup {
            discovery: ctx.discovery.clone(),
            namespace: ns.clone(),
            handle: tokio::runtime::Handle::current(),
        }),
        ..RenderOptions::default()
    };
    let renderer = ctx.renderer.clone();
    let chart = Arc::clone(&loaded.chart);
    let rendered = tokio::task::spawn_blocking(move || renderer.render(&chart, &values, &opts))
        .await
        .map_err(|e| stall("RenderFailed", format!("render task: {e}")))?
        .map_err(|e| match e {
            RenderError::Schema(_) => stall("SchemaInvalid", e.to_string()),
            other => stall(
                "RenderFailed",
                format!("extension {}: {other}", loaded.type_),
            ),
        })?;
    let desired = plan::plan(
        mw,
        &rendered.manifests_without_notes(),
        &loaded.allowed_kinds,
    )
    .map_err(|e| stall("ObjectRefused", e.to_string()))?;

    st.extension = Some(ResolvedExtension {
        name: mwx,
        type_: loaded.type_.clone(),
        chart_version: loaded.chart_version.clone(),
        digest: loaded.digest.clone(),
    });
    st.version = version;

    // Live state of every desired object: for readiness, and to see whether anything drifted.
    let uid = mw.uid().unwrap_or_default();
    let mut live: Vec<Option<Value>> = Vec::with_capacity(desired.len());
    for d in &desired {
        live.push(
            cluster::get(&ctx.discovery, &d.entry)
                .await
                .map_err(|e| stall("ApplyFailed", e.to_string()))?,
        );
    }
    let hash = hash_plan(&desired);
    let last = ctx.applied.lock().get(&uid).cloned();
    let up_to_date = last.as_ref().is_some_and(|l| {
        l.render_hash == hash
            && desired.iter().zip(&live).all(|(d, lv)| {
                lv.as_ref()
                    .is_some_and(|lv| l.versions.get(&d.entry) == Some(&version_key(lv)))
            })
    });
    let mut changed = false;
    if !up_to_date {
        // Dry run first: a conflict or an object the server refuses stops the pass with nothing touched.
        for (d, lv) in desired.iter().zip(&live) {
            cluster::apply(&ctx.discovery, &d.entry, &d.object, lv.as_ref(), true)
                .await
                .map_err(apply_stall)?;
        }
        let writer = last_writer(mw);
        let mut versions = BTreeMap::new();
        for (d, lv) in desired.iter().zip(live.iter_mut()) {
            let applied = cluster::apply(&ctx.discovery, &d.entry, &d.object, lv.as_ref(), false)
                .await
                .map_err(apply_stall)?;
            let what = cluster::describe(&d.entry);
            if !applied.reverted_from.is_empty() {
                let who = applied.reverted_from.join(",");
                audit("drift-reverted", &what, &who, "ok");
                publish(
                    ctx,
                    mw,
                    false,
                    "DriftReverted",
                    format!("{what}: took back fields changed by {who}"),
                )
                .await;
            } else if applied.changed {
                let action = if lv.is_none() { "created" } else { "updated" };
                audit(action, &what, &writer, "ok");
            }
            changed |= applied.changed;
            versions.insert(d.entry.clone(), version_key(&applied.live));
            *lv = Some(applied.live);
        }
        // Prune what the new render dropped.
        for gone in plan::to_prune(&st.inventory, &desired) {
            let what = cluster::describe(&gone);
            match cluster::delete(&ctx.discovery, &gone).await {
                Ok(true) => {
                    changed = true;
                    audit("pruned", &what, &writer, "ok");
                }
                Ok(false) => {}
                Err(e) => {
                    audit("pruned", &what, &writer, &e.to_string());
                    return Err(stall("ApplyFailed", e.to_string()));
                }
            }
        }
        if changed {
            publish(
                ctx,
                mw,
                false,
                "Applied",
                format!(
                    "{} objects applied from {} {}",
                    desired.len(),
                    loaded.type_,
                    loaded.chart_version
                ),
            )
            .await;
        }
        ctx.applied.lock().insert(
            uid,
            AppliedState {
                render_hash: hash,
                versions,
            },
        );
    }
    st.inventory = plan::inventory(&desired);
    let workloads: Vec<Value> = live.iter().flatten().cloned().collect();
    let (ready_members, desired_members, all_ready) = status::summarise(&workloads);
    st.selector = Some(format!("{}={}", MIDDLEWARE_LABEL, name));
    st.connection = connection(&desired, &ns);
    tracing::debug!(
        object,
        changed,
        ready_members,
        desired_members,
        "reconciled"
    );
    Ok(Converged {
        ready: all_ready,
        ready_members,
        desired_members,
        changed,
    })
}

fn apply_stall(e: ClusterError) -> Stall {
    match e {
        ClusterError::Conflict { .. } => stall("FieldConflict", e.to_string()),
        ClusterError::UnknownKind { .. } => stall("KindNotServed", e.to_string()),
        other => stall("ApplyFailed", other.to_string()),
    }
}

/// `spec.config` names must be parameters the extension declares (the chart also fails on unknown
/// names, but this message is clearer and comes before any render).
fn check_config(mw: &Middleware, loaded: &Loaded) -> Result<(), Stall> {
    let Some(cfg) = &mw.spec.config else {
        return Ok(());
    };
    let unknown: Vec<&str> = cfg
        .keys()
        .filter(|k| !loaded.parameters.iter().any(|p| &p.name == *k))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(stall(
        "InvalidConfig",
        format!(
            "spec.config: {} not parameters of extension {} {} (known: {})",
            unknown.join(", "),
            loaded.type_,
            loaded.chart_version,
            loaded
                .parameters
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

/// Connection info: the client Service (the first non-headless Service that is not a metrics one,
/// preferring the one named like the instance) and the first Secret of the render.
fn connection(desired: &[DesiredObject], ns: &str) -> Option<Connection> {
    let services: Vec<&DesiredObject> = desired
        .iter()
        .filter(|d| d.entry.kind == "Service")
        .filter(|d| d.object.pointer("/spec/clusterIP").and_then(Value::as_str) != Some("None"))
        .filter(|d| !d.entry.name.ends_with("-metrics"))
        .collect();
    let svc = services.first()?;
    let port = svc
        .object
        .pointer("/spec/ports/0/port")
        .and_then(Value::as_i64)
        .and_then(|p| i32::try_from(p).ok());
    let secret = desired
        .iter()
        .find(|d| d.entry.kind == "Secret")
        .map(|d| d.entry.name.clone());
    Some(Connection {
        host: Some(format!("{}.{ns}.svc", svc.entry.name)),
        port,
        secret_name: secret,
    })
}

/// Error policy: transient API errors retry with a short backoff.
pub fn error_policy(_mw: Arc<Middleware>, err: &Error, _ctx: Arc<Context>) -> Action {
    tracing::warn!(error = %err, "reconcile failed");
    Action::requeue(Duration::from_secs(10))
}

/// For teardown: the termination policy in force.
pub fn termination_policy(mw: &Middleware) -> TerminationPolicy {
    mw.spec.termination_policy.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_key_ignores_status_only_changes() {
        let a = json!({"metadata": {"generation": 3, "resourceVersion": "10"}});
        let b = json!({"metadata": {"generation": 3, "resourceVersion": "11"}});
        assert_eq!(version_key(&a), version_key(&b));
        let c = json!({"metadata": {"resourceVersion": "10"}});
        let d = json!({"metadata": {"resourceVersion": "11"}});
        assert_ne!(version_key(&c), version_key(&d));
    }

    #[test]
    fn connection_prefers_the_client_service() {
        let obj = |kind: &str, name: &str, spec: Value| DesiredObject {
            entry: InventoryEntry {
                api_version: "v1".into(),
                kind: kind.into(),
                name: name.into(),
                namespace: Some("ns".into()),
            },
            object: json!({"spec": spec}),
            template: String::new(),
        };
        let d = vec![
            obj("Secret", "cache-auth", json!({})),
            obj(
                "Service",
                "cache-headless",
                json!({"clusterIP": "None", "ports": [{"port": 6379}]}),
            ),
            obj(
                "Service",
                "cache-metrics",
                json!({"ports": [{"port": 9121}]}),
            ),
            obj("Service", "cache", json!({"ports": [{"port": 6379}]})),
        ];
        assert_eq!(
            connection(&d, "ns"),
            Some(Connection {
                host: Some("cache.ns.svc".into()),
                port: Some(6379),
                secret_name: Some("cache-auth".into())
            })
        );
    }
}
