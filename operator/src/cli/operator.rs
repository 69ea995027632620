//! `hoist operator …`: run the operator, or print the CRDs it serves.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct OperatorArgs {
    #[command(subcommand)]
    pub command: Option<OperatorCommand>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `hoist operator` (no subcommand): run the controllers.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Take extension charts from this directory (`<dir>/<last segment of spec.repository>`) instead of
    /// pulling them from their registry. For development and tests.
    #[arg(long = "extensions-dir", env = "HOIST_OPERATOR_EXTENSIONS_DIR")]
    pub extensions_dir: Option<PathBuf>,
    /// Disk cache of pulled charts (by manifest digest).
    #[arg(
        long = "cache-dir",
        env = "HOIST_CACHE_DIR",
        default_value = "/tmp/hoist-extensions"
    )]
    pub cache_dir: PathBuf,
    /// Size bound of the chart cache in bytes (least recently used charts are evicted).
    #[arg(long = "cache-max-bytes", env = "HOIST_CACHE_MAX_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub cache_max_bytes: u64,
    /// Address of `/healthz`, `/readyz` and `/metrics`.
    #[arg(
        long = "health-addr",
        env = "HOIST_HEALTH_ADDR",
        default_value = "0.0.0.0:8080"
    )]
    pub health_addr: std::net::SocketAddr,
    /// Run only while holding the Lease `hoist-operator` (several replicas: one active).
    #[arg(long = "leader-elect", env = "HOIST_LEADER_ELECT", default_value_t = true, action = clap::ArgAction::Set)]
    pub leader_elect: bool,
    /// Namespace of the leader-election Lease.
    #[arg(
        long = "lease-namespace",
        env = "POD_NAMESPACE",
        default_value = "default"
    )]
    pub lease_namespace: String,
    /// Log format: json (one object per line) or text.
    #[arg(long = "log-format", env = "HOIST_LOG_FORMAT", default_value = "json")]
    pub log_format: String,
}

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Print the CustomResourceDefinitions of the Hoist API (`kubectl apply -f -` installs them).
    Crds(CrdsArgs),
}

#[derive(Debug, Args)]
pub struct CrdsArgs {
    /// Write one file per CRD (`<plural>.<group>.yaml`) into this directory instead of printing them.
    #[arg(long = "output-dir")]
    pub output_dir: Option<PathBuf>,
}

pub fn run(args: OperatorArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(OperatorCommand::Crds(a)) => crds(a),
        None => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(run_operator(args.run))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn crds(args: CrdsArgs) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    for crd in hoist::api::crds() {
        let text = hoist::api::crd_yaml(&crd).map_err(anyhow::Error::msg)?;
        match &args.output_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                let path = dir.join(hoist::api::crd_file_name(&crd));
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            None => out.push_str(&text),
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = if format == "text" {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).try_init()
    };
}

async fn run_operator(args: RunArgs) -> anyhow::Result<()> {
    use hoist::controller::{self, extensions::DirFetcher, leader::LeaderElector, Metrics};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    init_logs(&args.log_format);
    let fetcher: Arc<dyn controller::extensions::ExtensionFetcher> =
        match args.extensions_dir.clone() {
            Some(dir) => Arc::new(DirFetcher { dir }),
            None => Arc::new(hoist::extension::ExtensionStore::new(
                args.cache_dir.clone(),
                args.cache_max_bytes,
            )),
        };
    // In-cluster service account, or KUBECONFIG / ~/.kube/config.
    let client = kube::Client::try_default()
        .await
        .context("connecting to the Kubernetes API")?;
    let metrics = Metrics::default();
    let ready = Arc::new(AtomicBool::new(false));
    let app = {
        let metrics = metrics.clone();
        let ready = ready.clone();
        axum::Router::new()
            .route("/healthz", axum::routing::get(|| async { "ok" }))
            .route(
                "/readyz",
                axum::routing::get(move || {
                    let ready = ready.load(Ordering::Relaxed);
                    async move {
                        if ready {
                            (axum::http::StatusCode::OK, "ok")
                        } else {
                            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "starting")
                        }
                    }
                }),
            )
            .route(
                "/metrics",
                axum::routing::get(move || {
                    let text = metrics.render();
                    async move { text }
                }),
            )
    };
    let listener = tokio::net::TcpListener::bind(args.health_addr)
        .await
        .with_context(|| format!("binding {}", args.health_addr))?;
    tracing::info!(addr = %args.health_addr, "health and metrics endpoint");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "health server stopped");
        }
    });

    // Ready means "started and connected", not "leading": a standby replica is a healthy pod, and a
    // rolling update with maxUnavailable 0 needs the new pod Ready while the old one still holds the
    // Lease — gating readiness on leadership would block every rollout (and keep standbys unready).
    ready.store(true, Ordering::Relaxed);
    if args.leader_elect {
        let identity = format!(
            "{}-{}",
            hostname::get()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_else(|_| "hoist".into()),
            std::process::id()
        );
        let elector = LeaderElector::new(
            client.clone(),
            &args.lease_namespace,
            "hoist-operator",
            identity.clone(),
        );
        loop {
            match elector.try_acquire().await {
                Ok(true) => break,
                Ok(false) => tracing::info!(identity, "waiting for the leader lease"),
                Err(e) => tracing::warn!(error = %e, "leader election"),
            }
            tokio::time::sleep(elector.renew_every()).await;
        }
        tracing::info!(identity, "leading");
        let every = elector.renew_every();
        tokio::spawn(async move {
            let mut failures = 0;
            loop {
                tokio::time::sleep(every).await;
                match elector.try_acquire().await {
                    Ok(true) => failures = 0,
                    // Lost the lease (or cannot renew for a whole lease duration): stop at once, so two
                    // operators never write together; the Deployment restarts this one as a follower.
                    Ok(false) => {
                        tracing::error!("leader lease lost");
                        std::process::exit(1);
                    }
                    Err(e) => {
                        failures += 1;
                        tracing::warn!(error = %e, failures, "renewing the leader lease");
                        if failures >= 3 {
                            std::process::exit(1);
                        }
                    }
                }
            }
        });
    }
    controller::run(client, fetcher, metrics).await;
    Ok(())
}
