//! The controllers: Middleware and MiddlewareExtension reconcilers and the pieces they share, and the
//! process that runs them (`hoist operator`).

pub mod cluster;
pub mod extension;
pub mod extensions;
pub mod leader;
pub mod middleware;
pub mod plan;
pub mod status;
pub mod teardown;

use crate::api::{Middleware, MiddlewareExtension};
use extensions::{ExtensionFetcher, Registry};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::runtime::controller::{Config as CtrlConfig, Controller};
use kube::runtime::events::Recorder;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use kube::{Api, Client};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Reconcile counters and durations per controller, and extension pulls; shared by clones.
#[derive(Clone, Default, Debug)]
pub struct Metrics {
    inner: Arc<MetricsInner>,
}

#[derive(Default, Debug)]
struct MetricsInner {
    /// controller → (count, errors, total seconds)
    reconciles: Mutex<BTreeMap<&'static str, (u64, u64, f64)>>,
    pulls: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, controller: &'static str, took: Duration, error: bool) {
        let mut m = self.inner.reconciles.lock();
        let e = m.entry(controller).or_default();
        e.0 += 1;
        e.1 += u64::from(error);
        e.2 += took.as_secs_f64();
    }

    pub fn pull(&self) {
        self.inner.pulls.fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text exposition. Written by hand: four series, and the format is a line each; a
    /// metrics crate would add a registry and a dependency tree for no gain.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP hoist_reconciles_total Reconcile passes.\n# TYPE hoist_reconciles_total counter\n");
        let m = self.inner.reconciles.lock();
        for (c, (n, _, _)) in m.iter() {
            out.push_str(&format!(
                "hoist_reconciles_total{{controller=\"{c}\"}} {n}\n"
            ));
        }
        out.push_str("# HELP hoist_reconcile_errors_total Reconcile passes that failed.\n# TYPE hoist_reconcile_errors_total counter\n");
        for (c, (_, e, _)) in m.iter() {
            out.push_str(&format!(
                "hoist_reconcile_errors_total{{controller=\"{c}\"}} {e}\n"
            ));
        }
        out.push_str("# HELP hoist_reconcile_duration_seconds_sum Time spent reconciling.\n# TYPE hoist_reconcile_duration_seconds_sum counter\n");
        for (c, (_, _, s)) in m.iter() {
            out.push_str(&format!(
                "hoist_reconcile_duration_seconds_sum{{controller=\"{c}\"}} {s}\n"
            ));
        }
        out.push_str(&format!(
            "# HELP hoist_extension_pulls_total Extension fetches.\n# TYPE hoist_extension_pulls_total counter\nhoist_extension_pulls_total {}\n",
            self.inner.pulls.load(Ordering::Relaxed)
        ));
        out
    }
}

/// Label selector of everything Hoist applies: the owned-object watches cache only these.
pub fn owned_selector() -> String {
    format!("{}={}", plan::MANAGED_BY_LABEL, plan::MANAGED_BY)
}

/// Runs both controllers until a signal arrives.
pub async fn run(client: Client, fetcher: Arc<dyn ExtensionFetcher>, metrics: Metrics) {
    let registry = Registry::default();
    let recorder = Recorder::new(client.clone(), "hoist".into());
    let ectx_registry = registry.clone();
    let ectx = Arc::new(extension::ExtContext {
        client: client.clone(),
        registry: registry.clone(),
        fetcher,
        recorder: recorder.clone(),
        metrics: metrics.clone(),
    });
    let mut mctx = middleware::Context::new(client.clone(), registry, recorder);
    mctx.metrics = metrics;
    let mctx = Arc::new(mctx);

    let mwx_api: Api<MiddlewareExtension> = Api::all(client.clone());
    let ext_ctrl = Controller::new(mwx_api.clone(), watcher::Config::default())
        .with_config(CtrlConfig::default().concurrency(4))
        .shutdown_on_signal()
        .run(extension::reconcile, extension::error_policy, ectx)
        .for_each(|r| async move {
            if let Err(e) = r {
                tracing::debug!(error = %e, "extension controller");
            }
        });

    // Middleware passes before the extensions are loaded would stall every instance with
    // ExtensionNotFound at each start: wait (bounded) until every existing extension was tried once.
    let ext_ready = {
        let registry = ectx_registry.clone();
        let api = mwx_api.clone();
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            loop {
                let names: Vec<String> = match api.list_metadata(&Default::default()).await {
                    Ok(l) => l
                        .items
                        .into_iter()
                        .filter_map(|o| o.metadata.name)
                        .collect(),
                    Err(e) => {
                        tracing::warn!(error = %e, "listing MiddlewareExtensions");
                        Vec::new()
                    }
                };
                if names.iter().all(|n| registry.attempted(n))
                    || tokio::time::Instant::now() > deadline
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    let owned = watcher::Config::default().labels(&owned_selector());
    let mw_ctrl = Controller::new(
        Api::<Middleware>::all(client.clone()),
        watcher::Config::default(),
    );
    let store = mw_ctrl.store();
    let mw_ctrl = mw_ctrl
        .owns_with(Api::<StatefulSet>::all(client.clone()), (), owned.clone())
        .owns_with(Api::<Deployment>::all(client.clone()), (), owned.clone())
        .owns_with(Api::<Job>::all(client.clone()), (), owned.clone())
        .owns_with(Api::<Service>::all(client.clone()), (), owned.clone())
        .owns_with(Api::<ConfigMap>::all(client.clone()), (), owned.clone())
        .owns_with(Api::<Secret>::all(client.clone()), (), owned)
        // An extension (re)loaded or failed: re-queue the instances of its type.
        .watches(
            mwx_api,
            watcher::Config::default(),
            move |mwx: MiddlewareExtension| {
                let type_ = mwx.status.and_then(|s| s.type_);
                store
                    .state()
                    .into_iter()
                    .filter(|m| Some(&m.spec.type_) == type_.as_ref())
                    .map(|m| ObjectRef::from_obj(&*m))
                    .collect::<Vec<_>>()
            },
        )
        .with_config(CtrlConfig::default().concurrency(8))
        .shutdown_on_signal()
        .run(middleware::reconcile, middleware::error_policy, mctx)
        .for_each(|r| async move {
            if let Err(e) = r {
                tracing::debug!(error = %e, "middleware controller");
            }
        });
    let mw_ctrl = async move {
        ext_ready.await;
        mw_ctrl.await;
    };
    tokio::join!(ext_ctrl, mw_ctrl);
}
