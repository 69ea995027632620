//! The extensions the operator has loaded, by MiddlewareExtension, and how a Middleware finds its own.
//!
//! Charts come through an [`ExtensionFetcher`]: in production the OCI `ExtensionStore` of
//! `crate::extension` (its impl is in `extension/fetcher.rs`: pull, verify, cache, contract
//! validation); with `--extensions-dir`, chart directories loaded by the same contract code.

use crate::api::{MiddlewareExtensionSpec, ParameterSummary};
use crate::controller::plan::AllowedKind;
use crate::extension::{ExtensionError, LoadedExtension};
use crate::middleware::{OfferedVersion, Versions};
use chart_renderer::chart::Chart;
use futures::future::BoxFuture;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One loaded chart version of one middleware type, with the parts of its contract the operator uses.
#[derive(Debug)]
pub struct Loaded {
    /// `hoist.dev/type` (the chart name).
    pub type_: String,
    pub chart_version: String,
    /// OCI manifest digest; `None` for a chart directory.
    pub digest: Option<String>,
    pub chart: Arc<Chart>,
    pub versions: Versions,
    pub allowed_kinds: Vec<AllowedKind>,
    pub operations: Vec<String>,
    pub parameters: Vec<ParameterSummary>,
}

/// Why a chart could not be used: a stable reason (the extension store's: `PullFailed`, `NotFound`,
/// `DigestMismatch`, `NotAChart`, `ChartInvalid`, `ContractInvalid`, …) and its message.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{message}")]
pub struct LoadError {
    pub reason: &'static str,
    pub message: String,
}

impl From<ExtensionError> for LoadError {
    fn from(e: ExtensionError) -> Self {
        LoadError {
            reason: e.reason(),
            message: e.to_string(),
        }
    }
}

/// Where charts come from.
pub trait ExtensionFetcher: Send + Sync + 'static {
    fn fetch<'a>(
        &'a self,
        spec: &'a MiddlewareExtensionSpec,
        credentials: Option<(String, String)>,
    ) -> BoxFuture<'a, Result<Arc<Loaded>, LoadError>>;
}

/// Charts from a local directory: the last path segment of `spec.repository` names `<dir>/<segment>`.
/// For development (`hoist operator --extensions-dir`) and tests; the tag or digest is not checked.
#[derive(Debug, Clone)]
pub struct DirFetcher {
    pub dir: PathBuf,
}

impl ExtensionFetcher for DirFetcher {
    fn fetch<'a>(
        &'a self,
        spec: &'a MiddlewareExtensionSpec,
        _credentials: Option<(String, String)>,
    ) -> BoxFuture<'a, Result<Arc<Loaded>, LoadError>> {
        Box::pin(async move {
            let name = spec
                .repository
                .rsplit('/')
                .next()
                .unwrap_or(&spec.repository);
            let path = self.dir.join(name);
            if !path.join("Chart.yaml").exists() {
                return Err(LoadError {
                    reason: "PullFailed",
                    message: format!("{}: no chart directory {}", spec.repository, path.display()),
                });
            }
            let ext = crate::extension::load_dir(&path)?;
            Ok(Arc::new(from_extension(&ext)))
        })
    }
}

/// What the controllers need of a loaded extension.
pub fn from_extension(ext: &LoadedExtension) -> Loaded {
    let c = &ext.contract;
    let word = |v: serde_json::Result<serde_json::Value>| {
        v.ok()
            .and_then(|j| j.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    Loaded {
        type_: ext.name.clone(),
        chart_version: ext.chart_version.clone(),
        digest: ext.digest.clone(),
        chart: Arc::clone(&ext.chart),
        versions: Versions {
            default: c.versions.default.clone(),
            versions: c
                .versions
                .versions
                .iter()
                .map(|v| OfferedVersion {
                    version: v.version.clone(),
                    image: v.image.clone(),
                    upgrade_to: v.upgrade_to.clone(),
                })
                .collect(),
        },
        allowed_kinds: c
            .allowed_kinds
            .iter()
            .map(|a| AllowedKind {
                api_version: a.api_version.clone(),
                kind: a.kind.clone(),
                cluster_scoped: a.cluster_scoped,
            })
            .collect(),
        operations: c.hooks.keys().map(|o| o.as_str().to_string()).collect(),
        parameters: c
            .parameters
            .iter()
            .map(|p| ParameterSummary {
                name: p.name.clone(),
                type_: word(serde_json::to_value(p.param_type)),
                apply: word(serde_json::to_value(p.apply)),
            })
            .collect(),
    }
}

/// Loaded extensions by MiddlewareExtension name. Shared by both controllers.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    inner: Arc<RwLock<HashMap<String, Arc<Loaded>>>>,
    /// MiddlewareExtensions the extension controller has tried at least once (loaded or failed).
    attempted: Arc<RwLock<std::collections::HashSet<String>>>,
}

/// Why no extension fits a Middleware.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unresolved {
    #[error("no MiddlewareExtension provides type {0:?}")]
    UnknownType(String),
    #[error("no loaded MiddlewareExtension of type {type_:?} has chart version {version:?} (loaded: {loaded})")]
    NoSuchChart {
        type_: String,
        version: String,
        loaded: String,
    },
}

impl Registry {
    pub fn insert(&self, mwx: &str, loaded: Arc<Loaded>) -> bool {
        let mut m = self.inner.write();
        let changed = m.get(mwx).is_none_or(|old| {
            old.chart_version != loaded.chart_version || old.digest != loaded.digest
        });
        m.insert(mwx.to_string(), loaded);
        changed
    }

    pub fn mark_attempted(&self, mwx: &str) {
        self.attempted.write().insert(mwx.to_string());
    }

    pub fn attempted(&self, mwx: &str) -> bool {
        self.attempted.read().contains(mwx)
    }

    pub fn remove(&self, mwx: &str) -> Option<Arc<Loaded>> {
        self.attempted.write().remove(mwx);
        self.inner.write().remove(mwx)
    }

    /// The extension a Middleware uses: the chart version it was created with (`current`), else the pin
    /// (chart version or digest), else the newest chart version of its type. An explicit pin wins over
    /// `current`: changing the pin is how an instance moves to another chart version.
    pub fn resolve(
        &self,
        type_: &str,
        pin_version: Option<&str>,
        pin_digest: Option<&str>,
        current: Option<&str>,
    ) -> Result<(String, Arc<Loaded>), Unresolved> {
        let m = self.inner.read();
        let mut of_type: Vec<(&String, &Arc<Loaded>)> =
            m.iter().filter(|(_, l)| l.type_ == type_).collect();
        if of_type.is_empty() {
            return Err(Unresolved::UnknownType(type_.to_string()));
        }
        // Newest first; ties (one chart pushed twice) broken by object name for determinism.
        of_type.sort_by(|a, b| {
            semver_key(&b.1.chart_version)
                .cmp(&semver_key(&a.1.chart_version))
                .then(a.0.cmp(b.0))
        });
        let pick = if let Some(d) = pin_digest {
            of_type.iter().find(|(_, l)| l.digest.as_deref() == Some(d))
        } else if let Some(v) = pin_version.or(current) {
            of_type.iter().find(|(_, l)| l.chart_version == v)
        } else {
            of_type.first()
        };
        match pick {
            Some((name, l)) => Ok(((*name).clone(), Arc::clone(l))),
            None => Err(Unresolved::NoSuchChart {
                type_: type_.to_string(),
                version: pin_digest
                    .or(pin_version)
                    .or(current)
                    .unwrap_or_default()
                    .to_string(),
                loaded: of_type
                    .iter()
                    .map(|(_, l)| l.chart_version.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

/// Orders SemVer strings (pre-releases before their release); unparsable versions sort first.
fn semver_key(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v.trim_start_matches('v')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(type_: &str, version: &str, digest: &str) -> Arc<Loaded> {
        let ext = crate::extension::load_dir(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../extension-charts/redis"),
        )
        .expect("redis chart loads");
        let mut l = from_extension(&ext);
        l.digest = Some(digest.into());
        l.type_ = type_.into();
        l.chart_version = version.into();
        Arc::new(l)
    }

    #[test]
    fn reads_the_contract_of_a_reference_chart() {
        let l = loaded("redis", "1.0.0", "sha256:a");
        assert!(l
            .allowed_kinds
            .iter()
            .any(|k| k.kind == "StatefulSet" && k.api_version == "apps/v1"));
        assert!(l.operations.iter().any(|o| o == "backup"));
        assert!(l.parameters.iter().any(|p| p.name == "maxmemory-policy"));
    }

    #[test]
    fn resolves_newest_then_sticks_to_the_current_chart_and_honours_pins() {
        let r = Registry::default();
        r.insert("redis-1", loaded("redis", "1.2.0", "sha256:1"));
        r.insert("redis-2", loaded("redis", "1.10.0", "sha256:2"));
        r.insert("pg", loaded("postgresql", "3.0.0", "sha256:3"));
        let newest = r.resolve("redis", None, None, None).expect("newest");
        assert_eq!(newest.0, "redis-2");
        let current = r
            .resolve("redis", None, None, Some("1.2.0"))
            .expect("current");
        assert_eq!(current.0, "redis-1");
        let pinned = r
            .resolve("redis", None, Some("sha256:2"), Some("1.2.0"))
            .expect("digest pin");
        assert_eq!(pinned.0, "redis-2");
        assert_eq!(
            r.resolve("kafka", None, None, None).err(),
            Some(Unresolved::UnknownType("kafka".into()))
        );
        assert!(matches!(
            r.resolve("redis", Some("9.9.9"), None, None),
            Err(Unresolved::NoSuchChart { .. })
        ));
    }
}
