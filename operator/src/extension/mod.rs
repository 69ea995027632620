//! Extensions: Helm charts that carry a middleware kind, loaded from a directory, a `helm package`
//! archive or an OCI registry (Helm's media types, so anything `helm push` published works), with their
//! `hoist.dev/*` contract parsed and validated.
//!
//! [`ExtensionStore`] is what the operator holds: it resolves a reference, pulls and verifies the chart,
//! keeps it on disk by manifest digest (bounded, least-recently-used first out) and in memory as an
//! immutable `Arc<LoadedExtension>`, so a new or updated `MiddlewareExtension` is usable without a restart
//! and one broken chart never affects another.

pub mod cache;
pub mod contract;
pub mod fetcher;
pub mod lint;
pub mod oci;
pub mod package;

use chart_renderer::chart::Chart;
use std::path::Path;
use std::sync::Arc;

pub use oci::{ExtensionStore, OciSource};

/// One chart version of one extension type, immutable once loaded.
#[derive(Debug)]
pub struct LoadedExtension {
    /// `hoist.dev/type` (== chart name).
    pub name: String,
    pub chart_version: String,
    /// `sha256:…` of the OCI manifest (None for a local directory or archive).
    pub digest: Option<String>,
    pub chart: Arc<Chart>,
    /// Parsed and schema-validated `hoist.dev/*` annotations.
    pub contract: contract::Contract,
}

/// Why an extension could not be loaded. The text names the reference (or path), the annotation or field,
/// and the reason: the operator puts it verbatim into a condition.
#[derive(Debug, thiserror::Error)]
pub enum ExtensionError {
    #[error("{reference}: invalid OCI reference: {message}")]
    InvalidReference { reference: String, message: String },
    #[error("{reference}: not found in the registry: {message}")]
    NotFound { reference: String, message: String },
    #[error("{reference}: cannot pull: {message}")]
    Unpullable { reference: String, message: String },
    #[error("{reference}: digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        reference: String,
        what: String,
        expected: String,
        actual: String,
    },
    #[error(
        "{reference}: not a Helm chart: config media type is {found:?}, expected {expected:?}"
    )]
    WrongConfigMediaType {
        reference: String,
        found: String,
        expected: String,
    },
    #[error("{reference}: not a Helm chart: {message}")]
    NotAChart { reference: String, message: String },
    #[error("{source_name}: cannot load chart: {message}")]
    Load {
        source_name: String,
        message: String,
    },
    #[error("{source_name}: chart {chart} is not a Hoist extension: {errors}")]
    Contract {
        source_name: String,
        chart: String,
        errors: contract::ContractErrors,
    },
    #[error("extension cache {path}: {message}")]
    Cache { path: String, message: String },
}

impl ExtensionError {
    /// A short stable reason for conditions and Events (`PullFailed`, `ContractInvalid`, …).
    pub fn reason(&self) -> &'static str {
        match self {
            ExtensionError::InvalidReference { .. } => "InvalidReference",
            ExtensionError::NotFound { .. } => "NotFound",
            ExtensionError::Unpullable { .. } => "PullFailed",
            ExtensionError::DigestMismatch { .. } => "DigestMismatch",
            ExtensionError::WrongConfigMediaType { .. } | ExtensionError::NotAChart { .. } => {
                "NotAChart"
            }
            ExtensionError::Load { .. } => "ChartInvalid",
            ExtensionError::Contract { .. } => "ContractInvalid",
            ExtensionError::Cache { .. } => "CacheError",
        }
    }
}

impl LoadedExtension {
    /// Builds an extension from a loaded chart: parses and validates its contract.
    pub fn from_chart(
        chart: Arc<Chart>,
        digest: Option<String>,
        source_name: &str,
    ) -> Result<LoadedExtension, ExtensionError> {
        let contract =
            contract::Contract::from_chart(&chart).map_err(|errors| ExtensionError::Contract {
                source_name: source_name.to_string(),
                chart: format!("{}-{}", chart.metadata.name, chart.metadata.version),
                errors,
            })?;
        Ok(LoadedExtension {
            name: contract.type_name.clone(),
            chart_version: chart.metadata.version.clone(),
            digest,
            chart,
            contract,
        })
    }
}

/// Loads an extension from a chart directory (or an archive file path).
pub fn load_dir(path: &Path) -> Result<LoadedExtension, ExtensionError> {
    let name = path.display().to_string();
    let chart = Chart::load(path).map_err(|e| ExtensionError::Load {
        source_name: name.clone(),
        message: e.to_string(),
    })?;
    LoadedExtension::from_chart(chart, None, &name)
}

/// Loads an extension from the bytes of a `helm package` archive (Helm's loader limits apply).
pub fn load_archive(bytes: &[u8]) -> Result<LoadedExtension, ExtensionError> {
    load_archive_named(bytes, None, "chart archive")
}

/// [`load_archive`] with the digest and the name errors should carry (the OCI reference).
pub fn load_archive_named(
    bytes: &[u8],
    digest: Option<String>,
    source_name: &str,
) -> Result<LoadedExtension, ExtensionError> {
    let chart = Chart::from_archive_bytes(bytes).map_err(|e| ExtensionError::Load {
        source_name: source_name.to_string(),
        message: e.to_string(),
    })?;
    LoadedExtension::from_chart(chart, digest, source_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charts() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension-charts")
    }

    #[test]
    fn load_dir_reference_charts() {
        for name in ["redis", "postgresql", "mysql", "kafka"] {
            let ext = load_dir(&charts().join(name)).unwrap();
            assert_eq!(ext.name, name);
            assert!(ext.digest.is_none());
            assert_eq!(ext.chart_version, ext.chart.metadata.version);
        }
    }

    #[test]
    fn load_archive_round_trip() {
        let bytes = package::package_bytes(&charts().join("redis")).unwrap();
        let ext = load_archive(&bytes).unwrap();
        assert_eq!(ext.name, "redis");
    }

    #[test]
    fn not_a_chart_archive() {
        let err = load_archive(b"not gzip at all").unwrap_err();
        assert_eq!(err.reason(), "ChartInvalid");
        assert!(err
            .to_string()
            .starts_with("chart archive: cannot load chart"));
    }

    #[test]
    fn missing_dir() {
        let err = load_dir(Path::new("/nonexistent/chart")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/chart"), "{err}");
    }
}
