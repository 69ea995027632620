//! The MiddlewareExtension reconciler: fetch the chart, publish what it offers in status, and make it
//! available to Middleware of its type (they are re-queued through the watch on this object's status).
//! A chart that fails to pull or validate affects only its own MiddlewareExtension.

use super::extensions::{ExtensionFetcher, LoadError, Registry};
use super::middleware::{audit, jiff_now, last_writer_of, Error};
use super::status::{self, READY, STALLED};
use crate::api::{MiddlewareExtension, SecretReference};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event as KEvent, EventType, Recorder};
use kube::{Resource, ResourceExt};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct ExtContext {
    pub client: kube::Client,
    pub registry: Registry,
    pub fetcher: Arc<dyn ExtensionFetcher>,
    pub recorder: Recorder,
    pub metrics: super::Metrics,
}

/// Registry credentials from a pull Secret: `username`/`password` keys, or a dockerconfigjson entry for
/// the repository's host.
async fn credentials(
    client: &kube::Client,
    r: &SecretReference,
    repository: &str,
) -> Result<(String, String), String> {
    let api: Api<Secret> = Api::namespaced(client.clone(), &r.namespace);
    let s = api
        .get(&r.name)
        .await
        .map_err(|e| format!("pull Secret {}/{}: {e}", r.namespace, r.name))?;
    let data = s.data.unwrap_or_default();
    let text = |k: &str| {
        data.get(k)
            .map(|b| String::from_utf8_lossy(&b.0).into_owned())
    };
    if let (Some(u), Some(p)) = (text("username"), text("password")) {
        return Ok((u, p));
    }
    let host = repository.split('/').next().unwrap_or_default();
    let cfg: serde_json::Value = text(".dockerconfigjson")
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| {
            format!(
                "pull Secret {}/{}: neither username/password nor .dockerconfigjson",
                r.namespace, r.name
            )
        })?;
    let auth = cfg.pointer(&format!(
        "/auths/{}",
        host.replace('~', "~0").replace('/', "~1")
    ));
    let field = |k: &str| {
        auth.and_then(|a| a.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match (field("username"), field("password")) {
        (Some(u), Some(p)) => Ok((u, p)),
        _ => Err(format!(
            "pull Secret {}/{}: no credentials for {host}",
            r.namespace, r.name
        )),
    }
}

pub async fn reconcile(
    mwx: Arc<MiddlewareExtension>,
    ctx: Arc<ExtContext>,
) -> Result<Action, Error> {
    let started = Instant::now();
    let result = reconcile_inner(&mwx, &ctx).await;
    ctx.metrics
        .observe("middlewareextension", started.elapsed(), result.is_err());
    result
}

async fn reconcile_inner(mwx: &MiddlewareExtension, ctx: &ExtContext) -> Result<Action, Error> {
    let name = mwx.name_any();
    let api: Api<MiddlewareExtension> = Api::all(ctx.client.clone());
    if mwx.meta().deletion_timestamp.is_some() {
        ctx.registry.remove(&name);
        return Ok(Action::await_change());
    }
    let old = mwx.status.clone().unwrap_or_default();
    let mut st = old.clone();
    let now = Time(jiff_now());
    let generation = mwx.metadata.generation;
    let creds = match &mwx.spec.pull_secret {
        Some(r) => match credentials(&ctx.client, r, &mwx.spec.repository).await {
            Ok(c) => Ok(Some(c)),
            Err(e) => Err(LoadError {
                reason: "PullSecretInvalid",
                message: e,
            }),
        },
        None => Ok(None),
    };
    ctx.metrics.pull();
    let result = match creds {
        Ok(c) => ctx.fetcher.fetch(&mwx.spec, c).await,
        Err(e) => Err(e),
    };
    let (ok, reason, message) = match &result {
        Ok(l) => {
            let changed = ctx.registry.insert(&name, Arc::clone(l));
            st.type_ = Some(l.type_.clone());
            st.digest = l.digest.clone();
            st.chart_version = Some(l.chart_version.clone());
            st.default_version = Some(l.versions.default.clone());
            st.versions = l
                .versions
                .versions
                .iter()
                .map(|v| v.version.clone())
                .collect();
            st.operations = l.operations.clone();
            st.parameters = l.parameters.clone();
            if changed {
                audit(
                    "extension-loaded",
                    &format!("MiddlewareExtension/{name}"),
                    &last_writer_of(mwx.meta()),
                    "ok",
                );
            }
            (
                true,
                "Loaded",
                format!("{} {} loaded", l.type_, l.chart_version),
            )
        }
        Err(e) => (false, e.reason, e.message.clone()),
    };
    ctx.registry.mark_attempted(&name);
    // A failed re-fetch keeps a chart loaded earlier: running instances are not disturbed.
    status::set_condition(
        &mut st.conditions,
        READY,
        ok,
        reason,
        &message,
        generation,
        &now,
    );
    status::set_condition(
        &mut st.conditions,
        STALLED,
        !ok,
        reason,
        if ok { "" } else { &message },
        generation,
        &now,
    );
    st.observed_generation = generation;
    if st != old {
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": st})),
        )
        .await?;
        let ev = KEvent {
            type_: if ok {
                EventType::Normal
            } else {
                EventType::Warning
            },
            reason: reason.into(),
            note: Some(message.chars().take(1000).collect()),
            action: "Load".into(),
            secondary: None,
        };
        if let Err(e) = ctx.recorder.publish(&ev, &mwx.object_ref(&())).await {
            tracing::warn!(error = %e, "publishing event");
        }
    }
    // Tags can move: look again now and then (a digest reference is served from the cache).
    Ok(if ok {
        Action::requeue(Duration::from_secs(if mwx.spec.digest.is_some() {
            3600
        } else {
            300
        }))
    } else {
        Action::requeue(Duration::from_secs(30))
    })
}

pub fn error_policy(_o: Arc<MiddlewareExtension>, err: &Error, _ctx: Arc<ExtContext>) -> Action {
    tracing::warn!(error = %err, "extension reconcile failed");
    Action::requeue(Duration::from_secs(10))
}
