//! Kubernetes API-server test double for Hoist's tests: a real HTTP server on loopback that
//! kube-rs, `kubectl` and Helm's client talk to. See README.md for what it honours.
//!
//! ```no_run
//! let server = hoist_apiserver_double::ApiServer::start().unwrap();
//! println!("{} {}", server.url(), server.kubeconfig().display());
//! ```

pub mod errors;
pub mod fields;
pub mod protobuf;
pub mod resources;
pub mod selectors;
pub mod server;
pub mod store;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::{oneshot, Notify};

/// Version reported by `/version` unless configured: the oldest line Hoist is checked against.
pub const DEFAULT_VERSION: &str = "v1.24.17";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot bind the listener: {0}")]
    Bind(std::io::Error),
    #[error("cannot write the kubeconfig {path}: {source}")]
    Kubeconfig {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
}

/// How to start the double.
#[derive(Clone, Debug)]
pub struct Options {
    /// Loopback port; 0 picks a free one.
    pub port: u16,
    /// Where to write the kubeconfig; `None` writes one into a private temporary directory.
    pub kubeconfig: Option<PathBuf>,
    /// `gitVersion` reported by `/version`, e.g. `v1.24.17`.
    pub version: String,
    /// How often watches with `allowWatchBookmarks` get a BOOKMARK.
    pub bookmark_interval: Duration,
    /// Watch events kept for resuming watches; resuming from an older resourceVersion gets
    /// 410 Gone ("too old resource version"), as after compaction on a real server.
    pub history: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            kubeconfig: None,
            version: DEFAULT_VERSION.into(),
            bookmark_interval: Duration::from_secs(1),
            history: 20_000,
        }
    }
}

/// A running double; stops when dropped.
pub struct ApiServer {
    addr: SocketAddr,
    kubeconfig: PathBuf,
    _tmp: Option<TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// A private directory removed on drop (only for the kubeconfig file).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl ApiServer {
    /// Starts on a free loopback port with a kubeconfig in a temporary directory.
    pub fn start() -> Result<Self, StartError> {
        Self::start_with(Options::default())
    }

    pub fn start_with(opts: Options) -> Result<Self, StartError> {
        let listener = TcpListener::bind(("127.0.0.1", opts.port)).map_err(StartError::Bind)?;
        listener.set_nonblocking(true).map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let (tmp, kubeconfig) = match &opts.kubeconfig {
            Some(p) => (None, p.clone()),
            None => {
                let dir = std::env::temp_dir().join(format!(
                    "apiserver-double-{}-{}",
                    std::process::id(),
                    uuid::Uuid::new_v4().simple()
                ));
                std::fs::create_dir_all(&dir).map_err(|source| StartError::Kubeconfig {
                    path: dir.clone(),
                    source,
                })?;
                let p = dir.join("kubeconfig");
                (Some(TempDir(dir)), p)
            }
        };
        write_kubeconfig(&kubeconfig, &format!("http://{addr}"))?;
        let shared = Arc::new(server::Shared {
            store: Mutex::new(store::Store::new(&opts.version, opts.history)),
            gc: Notify::new(),
            bookmark_interval: opts.bookmark_interval,
            address: addr.to_string(),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let (tx, rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::spawn(server::gc_loop(shared.clone()));
                let app = axum::Router::new()
                    .fallback(server::handle)
                    .with_state(shared);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await;
            });
            // Open watch streams would keep a graceful shutdown waiting; drop them.
            runtime.shutdown_timeout(Duration::from_millis(100));
        });
        Ok(ApiServer {
            addr,
            kubeconfig,
            _tmp: tmp,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// Blocks until the server stops (for the binary).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Do not join: open watch connections may hold the graceful shutdown; the runtime
        // thread ends on its own once they close or time out.
        let _ = self.thread.take();
    }
}

fn write_kubeconfig(path: &Path, url: &str) -> Result<(), StartError> {
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: double\n  cluster:\n    server: {url}\ncontexts:\n- name: double\n  context:\n    cluster: double\n    user: double\n    namespace: default\ncurrent-context: double\nusers:\n- name: double\n  user:\n    token: double\n"
    );
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StartError::Kubeconfig {
            path: path.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| StartError::Kubeconfig {
        path: path.to_path_buf(),
        source,
    })
}
