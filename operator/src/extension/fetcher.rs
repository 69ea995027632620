//! The production [`ExtensionFetcher`] of the controllers: a `MiddlewareExtension`'s OCI reference through
//! the [`ExtensionStore`] (pull, verify, cache, contract validation), then the controllers' view of the
//! contract ([`from_extension`]).

use super::{ExtensionError, ExtensionStore, OciSource};
use crate::api::MiddlewareExtensionSpec;
use crate::controller::extensions::{from_extension, ExtensionFetcher, LoadError, Loaded};
use futures::future::BoxFuture;
use std::sync::Arc;

/// The reference a spec names: `repository@digest` when pinned by digest, else `repository:tag`.
pub fn spec_reference(spec: &MiddlewareExtensionSpec) -> Result<String, ExtensionError> {
    let repo = spec.repository.trim_start_matches("oci://");
    match (&spec.digest, &spec.tag) {
        (Some(d), _) => Ok(format!("{repo}@{d}")),
        (None, Some(t)) => Ok(format!("{repo}:{}", t.replace('+', "_"))),
        (None, None) => Err(ExtensionError::InvalidReference {
            reference: spec.repository.clone(),
            message: "neither tag nor digest is set".into(),
        }),
    }
}

/// The store's own reason (`PullFailed`, `NotFound`, `ContractInvalid`, …) goes into the condition.
fn load_error(e: ExtensionError) -> LoadError {
    LoadError::from(e)
}

impl ExtensionFetcher for ExtensionStore {
    fn fetch<'a>(
        &'a self,
        spec: &'a MiddlewareExtensionSpec,
        credentials: Option<(String, String)>,
    ) -> BoxFuture<'a, Result<Arc<Loaded>, LoadError>> {
        Box::pin(async move {
            let src = OciSource {
                reference: spec_reference(spec).map_err(load_error)?,
                plain_http: spec.plain_http,
                credentials,
            };
            let ext = ExtensionStore::fetch(self, &src)
                .await
                .map_err(load_error)?;
            Ok(Arc::new(from_extension(&ext)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(tag: Option<&str>, digest: Option<&str>) -> MiddlewareExtensionSpec {
        serde_json::from_value(serde_json::json!({
            "repository": "oci://127.0.0.1:5000/hoist/redis",
            "tag": tag, "digest": digest,
        }))
        .unwrap()
    }

    #[test]
    fn references_from_specs() {
        assert_eq!(
            spec_reference(&spec(Some("0.1.0+b1"), None)).unwrap(),
            "127.0.0.1:5000/hoist/redis:0.1.0_b1"
        );
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            spec_reference(&spec(Some("x"), Some(&d))).unwrap(),
            format!("127.0.0.1:5000/hoist/redis@{d}")
        );
        assert!(spec_reference(&spec(None, None)).is_err());
    }

    #[tokio::test]
    async fn unreachable_registry_is_a_pull_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = ExtensionStore::new(dir.path().to_path_buf(), 1 << 20);
        let mut s = spec(Some("0.1.0"), None);
        // Port 9 (discard) on loopback: nothing listens there.
        s.repository = "127.0.0.1:9/hoist/redis".into();
        s.plain_http = true;
        let err = ExtensionFetcher::fetch(&store, &s, None).await.unwrap_err();
        assert_eq!(err.reason, "PullFailed", "{err:?}");
        assert!(
            err.message
                .starts_with("127.0.0.1:9/hoist/redis:0.1.0: cannot pull"),
            "{}",
            err.message
        );
    }
}
