//! Extensions from OCI registries, with Helm's media types: resolve, pull, verify, cache; and push.

use super::cache::{sha256_digest, CacheEntry, DiskCache};
use super::{load_archive_named, ExtensionError, LoadedExtension};
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{OciImageManifest, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Helm's chart config media type (the config blob is `Chart.yaml` as JSON).
pub const HELM_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// Helm's chart layer media type (the layer is the `.tgz`).
pub const HELM_CHART_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// What Helm 3.0–3.7 pushed; Helm v4 still pulls it.
pub const HELM_LEGACY_CHART_MEDIA_TYPE: &str = "application/tar+gzip";
/// Helm's provenance layer, which may sit beside the chart layer.
pub const HELM_PROV_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";

/// Where to pull an extension from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciSource {
    /// `host/repo/name:tag` or `host/repo/name@sha256:…`, with or without `oci://`.
    pub reference: String,
    /// Talk plain HTTP (local registries only).
    pub plain_http: bool,
    /// Basic-auth user and password (from a pull Secret).
    pub credentials: Option<(String, String)>,
}

impl OciSource {
    pub fn new(reference: impl Into<String>) -> Self {
        OciSource {
            reference: reference.into(),
            plain_http: false,
            credentials: None,
        }
    }

    fn auth(&self) -> RegistryAuth {
        match &self.credentials {
            Some((u, p)) => RegistryAuth::Basic(u.clone(), p.clone()),
            None => RegistryAuth::Anonymous,
        }
    }

    fn parse(&self) -> Result<Reference, ExtensionError> {
        parse_reference(&self.reference)
    }
}

/// Parses a reference, with or without `oci://`.
pub fn parse_reference(reference: &str) -> Result<Reference, ExtensionError> {
    let bare = reference.strip_prefix("oci://").unwrap_or(reference);
    bare.parse::<Reference>()
        .map_err(|e| ExtensionError::InvalidReference {
            reference: reference.to_string(),
            message: e.to_string(),
        })
}

/// The loaded extensions and the cache behind them. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct ExtensionStore {
    inner: Arc<Inner>,
}

struct Inner {
    disk: DiskCache,
    /// Manifest digest → loaded extension. Entries are small (a parsed chart) and immutable; the map lives
    /// as long as the store, so an extension in use never disappears under a running reconcile.
    memory: Mutex<HashMap<String, Arc<LoadedExtension>>>,
    /// Serialises disk-cache writes and evictions.
    disk_lock: tokio::sync::Mutex<()>,
    http: Client,
    https: Client,
    pulls: AtomicU64,
    resolves: AtomicU64,
}

impl std::fmt::Debug for ExtensionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtensionStore")
            .field("cache_dir", &self.inner.disk.dir())
            .finish_non_exhaustive()
    }
}

/// Counters for `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Charts pulled from a registry (cache misses).
    pub pulls: u64,
    /// Tags resolved to a digest (one HEAD each).
    pub resolves: u64,
    /// Extensions held in memory.
    pub loaded: u64,
}

fn client(protocol: ClientProtocol) -> Client {
    Client::new(ClientConfig {
        protocol,
        ..ClientConfig::default()
    })
}

/// Installs aws-lc-rs as rustls' process-wide provider, once. kube and oci-client are both built with
/// aws-lc-rs, but should any dependency ever enable `ring` as well, rustls can no longer pick a provider on
/// its own and the first TLS client panics; installing one explicitly keeps that from happening.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

impl ExtensionStore {
    pub fn new(cache_dir: PathBuf, max_cache_bytes: u64) -> Self {
        install_crypto_provider();
        ExtensionStore {
            inner: Arc::new(Inner {
                disk: DiskCache::new(cache_dir, max_cache_bytes),
                memory: Mutex::new(HashMap::new()),
                disk_lock: tokio::sync::Mutex::new(()),
                http: client(ClientProtocol::Http),
                https: client(ClientProtocol::Https),
                pulls: AtomicU64::new(0),
                resolves: AtomicU64::new(0),
            }),
        }
    }

    pub fn stats(&self) -> StoreStats {
        StoreStats {
            pulls: self.inner.pulls.load(Ordering::Relaxed),
            resolves: self.inner.resolves.load(Ordering::Relaxed),
            loaded: self.inner.memory.lock().len() as u64,
        }
    }

    fn client(&self, plain_http: bool) -> &Client {
        if plain_http {
            &self.inner.http
        } else {
            &self.inner.https
        }
    }

    /// The manifest digest a reference names: itself for a digest reference (no network), else the tag
    /// resolved with a HEAD request (every call, so a moved tag is noticed).
    pub async fn resolve(&self, src: &OciSource) -> Result<String, ExtensionError> {
        let reference = src.parse()?;
        if let Some(d) = reference.digest() {
            return Ok(d.to_string());
        }
        self.inner.resolves.fetch_add(1, Ordering::Relaxed);
        self.client(src.plain_http)
            .fetch_manifest_digest(&reference, &src.auth())
            .await
            .map_err(|e| classify(&src.reference, e))
    }

    /// Resolves, pulls (unless cached), verifies and loads an extension.
    pub async fn fetch(&self, src: &OciSource) -> Result<Arc<LoadedExtension>, ExtensionError> {
        let digest = self.resolve(src).await?;
        if let Some(ext) = self.inner.memory.lock().get(&digest) {
            return Ok(ext.clone());
        }
        let (_, chart) = self.pull_verified(src, &digest).await?;
        let ext = Arc::new(load_archive_named(
            &chart,
            Some(digest.clone()),
            &src.reference,
        )?);
        Ok(self
            .inner
            .memory
            .lock()
            .entry(digest)
            .or_insert(ext)
            .clone())
    }

    /// The chart archive a reference names, verified, from the cache or the registry, with its manifest
    /// digest (what `hoist extension pull` writes).
    pub async fn pull_archive(&self, src: &OciSource) -> Result<(String, Vec<u8>), ExtensionError> {
        let digest = self.resolve(src).await?;
        let (_, chart) = self.pull_verified(src, &digest).await?;
        Ok((digest, chart))
    }

    /// Manifest and chart layer for a digest: disk cache first, else the registry (then cached).
    async fn pull_verified(
        &self,
        src: &OciSource,
        digest: &str,
    ) -> Result<(OciImageManifest, Vec<u8>), ExtensionError> {
        let name = &src.reference;
        let disk = self.inner.disk.clone();
        let want = digest.to_string();
        let cached = tokio::task::spawn_blocking(move || disk.get(&want, layer_digest_of))
            .await
            .ok()
            .flatten();
        if let Some(entry) = cached {
            let manifest = parse_manifest(name, &entry.manifest)?;
            return Ok((manifest, entry.chart));
        }

        let reference = src.parse()?;
        let by_digest = Reference::with_digest(
            reference.registry().to_string(),
            reference.repository().to_string(),
            digest.to_string(),
        );
        let client = self.client(src.plain_http);
        let auth = src.auth();
        self.inner.pulls.fetch_add(1, Ordering::Relaxed);
        let (raw, _) = client
            .pull_manifest_raw(
                &by_digest,
                &auth,
                &[OCI_IMAGE_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE],
            )
            .await
            .map_err(|e| classify(name, e))?;
        let actual = sha256_digest(&raw);
        if actual != digest {
            return Err(ExtensionError::DigestMismatch {
                reference: name.clone(),
                what: "manifest".into(),
                expected: digest.to_string(),
                actual,
            });
        }
        let manifest = parse_manifest(name, &raw)?;
        let layer = chart_layer(name, &manifest)?.clone();
        let mut chart = Vec::new();
        client
            .pull_blob(&by_digest, &layer, &mut chart)
            .await
            .map_err(|e| classify(name, e))?;
        // oci-client checks the digest while streaming; check again on the whole, and the size, so the
        // guarantee does not hang on a library detail.
        let actual = sha256_digest(&chart);
        if actual != layer.digest {
            return Err(ExtensionError::DigestMismatch {
                reference: name.clone(),
                what: "chart layer".into(),
                expected: layer.digest.clone(),
                actual,
            });
        }
        if i64::try_from(chart.len()).ok() != Some(layer.size) {
            return Err(ExtensionError::NotAChart {
                reference: name.clone(),
                message: format!(
                    "chart layer is {} bytes, the manifest says {}",
                    chart.len(),
                    layer.size
                ),
            });
        }

        let _guard = self.inner.disk_lock.lock().await;
        let disk = self.inner.disk.clone();
        let entry = CacheEntry {
            manifest: raw.to_vec(),
            chart: chart.clone(),
        };
        let key = digest.to_string();
        let stored = tokio::task::spawn_blocking(move || disk.put(&key, &entry))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
        if let Err(message) = stored {
            return Err(ExtensionError::Cache {
                path: self.inner.disk.dir().display().to_string(),
                message,
            });
        }
        Ok((manifest, chart))
    }

    /// Pushes a chart archive as Helm does (`oci://host/repo` → `host/repo/<name>:<version>`) and returns
    /// the full reference and the manifest digest.
    pub async fn push_archive(
        &self,
        archive: &[u8],
        destination: &str,
        plain_http: bool,
        credentials: Option<(String, String)>,
    ) -> Result<(String, String), ExtensionError> {
        let chart = chart_renderer::chart::Chart::from_archive_bytes(archive).map_err(|e| {
            ExtensionError::Load {
                source_name: "chart archive".into(),
                message: e.to_string(),
            }
        })?;
        let meta = &chart.metadata;
        let base =
            destination
                .strip_prefix("oci://")
                .ok_or_else(|| ExtensionError::InvalidReference {
                    reference: destination.to_string(),
                    message: "a push destination starts with oci://".into(),
                })?;
        // Helm's tag is the chart version with `+` (not allowed in tags) as `_`.
        let tag = meta.version.replace('+', "_");
        let full = format!("{}/{}:{}", base.trim_end_matches('/'), meta.name, tag);
        let src = OciSource {
            reference: full.clone(),
            plain_http,
            credentials,
        };
        let reference = src.parse()?;
        let config_json =
            serde_json::to_vec(&meta.to_json()).map_err(|e| ExtensionError::Load {
                source_name: full.clone(),
                message: e.to_string(),
            })?;
        let layer = ImageLayer::new(archive.to_vec(), HELM_CHART_MEDIA_TYPE.into(), None);
        let config = Config::new(config_json, HELM_CONFIG_MEDIA_TYPE.into(), None);
        let mut annotations = BTreeMap::new();
        annotations.insert(
            "org.opencontainers.image.title".to_string(),
            meta.name.clone(),
        );
        annotations.insert(
            "org.opencontainers.image.version".to_string(),
            meta.version.clone(),
        );
        if !meta.description.is_empty() {
            annotations.insert(
                "org.opencontainers.image.description".to_string(),
                meta.description.clone(),
            );
        }
        let manifest =
            OciImageManifest::build(std::slice::from_ref(&layer), &config, Some(annotations));
        let client = self.client(plain_http);
        client
            .push(&reference, &[layer], config, &src.auth(), Some(manifest))
            .await
            .map_err(|e| ExtensionError::Unpullable {
                reference: full.clone(),
                message: format!("push failed: {e}"),
            })?;
        let digest = client
            .fetch_manifest_digest(&reference, &src.auth())
            .await
            .map_err(|e| classify(&full, e))?;
        Ok((full, digest))
    }
}

fn parse_manifest(reference: &str, raw: &[u8]) -> Result<OciImageManifest, ExtensionError> {
    let manifest: OciImageManifest =
        serde_json::from_slice(raw).map_err(|e| ExtensionError::NotAChart {
            reference: reference.to_string(),
            message: format!("manifest is not an OCI image manifest: {e}"),
        })?;
    if manifest.config.media_type != HELM_CONFIG_MEDIA_TYPE {
        return Err(ExtensionError::WrongConfigMediaType {
            reference: reference.to_string(),
            found: manifest.config.media_type.clone(),
            expected: HELM_CONFIG_MEDIA_TYPE.to_string(),
        });
    }
    chart_layer(reference, &manifest)?;
    Ok(manifest)
}

/// The one chart layer of a Helm manifest (a provenance layer may sit beside it).
fn chart_layer<'m>(
    reference: &str,
    manifest: &'m OciImageManifest,
) -> Result<&'m oci_client::manifest::OciDescriptor, ExtensionError> {
    let charts: Vec<_> = manifest
        .layers
        .iter()
        .filter(|l| {
            l.media_type == HELM_CHART_MEDIA_TYPE || l.media_type == HELM_LEGACY_CHART_MEDIA_TYPE
        })
        .collect();
    let others: Vec<&str> = manifest
        .layers
        .iter()
        .filter(|l| {
            l.media_type != HELM_CHART_MEDIA_TYPE
                && l.media_type != HELM_LEGACY_CHART_MEDIA_TYPE
                && l.media_type != HELM_PROV_MEDIA_TYPE
        })
        .map(|l| l.media_type.as_str())
        .collect();
    match (charts.as_slice(), others.is_empty()) {
        ([one], true) => Ok(one),
        _ => Err(ExtensionError::NotAChart {
            reference: reference.to_string(),
            message: format!(
                "expected exactly one layer of media type {HELM_CHART_MEDIA_TYPE:?}, found {} chart layer(s) and other layers {:?}",
                charts.len(),
                others
            ),
        }),
    }
}

/// For the disk cache: the chart layer digest a raw manifest names.
fn layer_digest_of(raw: &[u8]) -> Option<String> {
    let manifest: OciImageManifest = serde_json::from_slice(raw).ok()?;
    chart_layer("", &manifest).ok().map(|l| l.digest.clone())
}

/// Maps a client error to what went wrong, for the condition message.
fn classify(reference: &str, err: OciDistributionError) -> ExtensionError {
    let reference = reference.to_string();
    match err {
        OciDistributionError::ImageManifestNotFoundError(message) => {
            ExtensionError::NotFound { reference, message }
        }
        OciDistributionError::ServerError {
            code: 404,
            ref message,
            ref url,
        } => ExtensionError::NotFound {
            reference,
            message: format!("{url}: {message}"),
        },
        OciDistributionError::RegistryError {
            ref envelope,
            ref url,
        } if envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                OciErrorCode::ManifestUnknown
                    | OciErrorCode::NameUnknown
                    | OciErrorCode::BlobUnknown
                    | OciErrorCode::NotFound
            )
        }) =>
        {
            let message = envelope
                .errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            ExtensionError::NotFound {
                reference,
                message: format!("{url}: {message}"),
            }
        }
        OciDistributionError::DigestError(e) => ExtensionError::DigestMismatch {
            reference,
            what: "content".into(),
            expected: String::new(),
            actual: e.to_string(),
        },
        other => {
            // A HEAD of a missing tag has no body; oci-client reports the bare status.
            let message = other.to_string();
            if message.contains("404") {
                ExtensionError::NotFound { reference, message }
            } else {
                ExtensionError::Unpullable { reference, message }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = parse_reference("oci://127.0.0.1:5000/charts/redis:0.1.0").unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.repository(), "charts/redis");
        assert_eq!(r.tag(), Some("0.1.0"));
        let d = format!("sha256:{}", "a".repeat(64));
        let r = parse_reference(&format!("127.0.0.1:5000/charts/redis@{d}")).unwrap();
        assert_eq!(r.digest(), Some(d.as_str()));
        let e = parse_reference("oci://Bad Ref").unwrap_err();
        assert_eq!(e.reason(), "InvalidReference");
        assert!(e
            .to_string()
            .starts_with("oci://Bad Ref: invalid OCI reference"));
    }

    fn manifest(config_type: &str, layers: &[&str]) -> OciImageManifest {
        let mut m = OciImageManifest::default();
        m.config.media_type = config_type.into();
        m.layers = layers
            .iter()
            .map(|t| oci_client::manifest::OciDescriptor {
                media_type: (*t).into(),
                digest: sha256_digest(t.as_bytes()),
                size: 1,
                ..Default::default()
            })
            .collect();
        m
    }

    #[test]
    fn manifest_checks() {
        let ok = manifest(
            HELM_CONFIG_MEDIA_TYPE,
            &[HELM_CHART_MEDIA_TYPE, HELM_PROV_MEDIA_TYPE],
        );
        let raw = serde_json::to_vec(&ok).unwrap();
        assert!(parse_manifest("r", &raw).is_ok());
        assert_eq!(
            layer_digest_of(&raw),
            Some(sha256_digest(HELM_CHART_MEDIA_TYPE.as_bytes()))
        );

        let image = manifest(
            "application/vnd.oci.image.config.v1+json",
            &[HELM_CHART_MEDIA_TYPE],
        );
        let e = parse_manifest("r", &serde_json::to_vec(&image).unwrap()).unwrap_err();
        assert!(
            matches!(e, ExtensionError::WrongConfigMediaType { .. }),
            "{e}"
        );
        assert!(e
            .to_string()
            .contains("application/vnd.oci.image.config.v1+json"));

        let two = manifest(
            HELM_CONFIG_MEDIA_TYPE,
            &[HELM_CHART_MEDIA_TYPE, "application/x-other"],
        );
        let e = parse_manifest("r", &serde_json::to_vec(&two).unwrap()).unwrap_err();
        assert_eq!(e.reason(), "NotAChart");
        assert!(e.to_string().contains("application/x-other"), "{e}");

        let e = parse_manifest("r", b"{}").unwrap_err();
        assert_eq!(e.reason(), "NotAChart");
    }
}
