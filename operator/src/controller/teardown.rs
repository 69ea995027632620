//! Deleting a Middleware: the finalizer's work, as `terminationPolicy` says, in reverse install order.
//!
//! Works from the inventory in status and labels alone, so a Middleware whose extension was removed
//! meanwhile is still torn down and its finalizer never strands.

use super::cluster::{self, Discovery};
use super::middleware::{
    audit, jiff_now, last_writer, publish, termination_policy, Context, Error,
};
use super::plan::{self, MIDDLEWARE_LABEL};
use super::status::{self, STALLED};
use crate::api::{InventoryEntry, Middleware, Phase, TerminationPolicy, FINALIZER};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use serde_json::json;
use std::time::Duration;

pub async fn run(mw: &Middleware, ctx: &Context, api: &Api<Middleware>) -> Result<Action, Error> {
    if !mw.finalizers().iter().any(|f| f == FINALIZER) {
        return Ok(Action::await_change());
    }
    let name = mw.name_any();
    let ns = mw.namespace().to_string();
    let object = format!("Middleware/{ns}/{name}");
    let policy = termination_policy(mw);
    let mut st = mw.status.clone().unwrap_or_default();
    if policy == TerminationPolicy::DoNotTerminate {
        let now = Time(jiff_now());
        let msg = "terminationPolicy is DoNotTerminate: deletion refused; set spec.terminationPolicy to Delete or Retain to proceed";
        let changed = status::set_condition(
            &mut st.conditions,
            STALLED,
            true,
            "DeletionRefused",
            msg,
            mw.metadata.generation,
            &now,
        );
        if changed || st.phase != Some(Phase::Deleting) {
            st.phase = Some(Phase::Deleting);
            api.patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(&json!({"status": st})),
            )
            .await?;
            publish(ctx, mw, true, "DeletionRefused", msg.to_string()).await;
            audit("delete-refused", &object, &last_writer(mw), "refused");
        }
        // A change of the policy is a spec change, which the watch delivers.
        return Ok(Action::await_change());
    }
    if st.phase != Some(Phase::Deleting) {
        st.phase = Some(Phase::Deleting);
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": {"phase": "Deleting"}})),
        )
        .await?;
    }
    let uid = mw.uid().unwrap_or_default();
    let disc = &ctx.discovery;
    let mut entries = st.inventory.clone();
    plan::sort_for_teardown(&mut entries);
    for e in &entries {
        let keep = policy == TerminationPolicy::Retain && kept(disc, e).await?;
        let what = cluster::describe(e);
        if keep {
            // Without its owner reference the garbage collector leaves it when the Middleware goes.
            if cluster::disown(disc, e, &uid).await? {
                audit("retained", &what, "hoist", "ok");
            }
        } else if cluster::delete(disc, e).await? {
            audit("deleted", &what, "hoist", "ok");
        }
    }
    // Data volumes from volumeClaimTemplates have no owner: find them by label, not by replica count.
    if policy == TerminationPolicy::Delete {
        let selector = format!("{MIDDLEWARE_LABEL}={name}");
        for pvc in cluster::list_names(disc, "v1", "PersistentVolumeClaim", &ns, &selector).await? {
            let e = InventoryEntry {
                api_version: "v1".into(),
                kind: "PersistentVolumeClaim".into(),
                name: pvc,
                namespace: Some(ns.clone()),
            };
            if cluster::delete(disc, &e).await? {
                audit("deleted", &cluster::describe(&e), "hoist", "ok");
            }
        }
    }
    let rest: Vec<String> = mw
        .finalizers()
        .iter()
        .filter(|f| *f != FINALIZER)
        .cloned()
        .collect();
    let patch = json!({"metadata": {"finalizers": rest, "resourceVersion": mw.resource_version()}});
    match api
        .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => {}
        Err(e) if cluster::is_not_found(&e) => {}
        Err(e) => return Err(e.into()),
    }
    ctx.applied.lock().remove(&uid);
    audit(
        "deleted",
        &object,
        &last_writer(mw),
        &format!("ok ({policy:?})"),
    );
    tracing::info!(object, ?policy, "torn down");
    Ok(Action::requeue(Duration::from_secs(1)))
}

/// Whether Retain keeps this object: PVCs, Secrets, and what the chart marks `hoist.dev/keep-on-delete`.
async fn kept(disc: &Discovery, e: &InventoryEntry) -> Result<bool, Error> {
    if plan::kept_on_retain(&e.kind, None) {
        return Ok(true);
    }
    let live = cluster::get(disc, e).await?;
    let annotations = live
        .as_ref()
        .and_then(|l| l.pointer("/metadata/annotations"))
        .and_then(|a| serde_json::from_value(a.clone()).ok());
    Ok(plan::kept_on_retain(&e.kind, annotations.as_ref()))
}
