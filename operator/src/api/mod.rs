//! The Hoist API, group `hoist.dev`, version `v1alpha1`: [`Middleware`] (an instance of a middleware
//! type) and [`MiddlewareExtension`] (where a type's chart comes from). The CRDs in `crds/` are generated
//! from these types by [`crds`] (`hoist operator crds`); a test fails when the files drift.
//!
//! Doc comments become the schema descriptions `kubectl explain` prints, so they are written for users.

mod extension;
mod middleware;

pub use extension::*;
pub use middleware::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::json;

pub const GROUP: &str = "hoist.dev";
pub const VERSION: &str = "v1alpha1";
pub const API_VERSION: &str = "hoist.dev/v1alpha1";

/// The field manager of every write Hoist makes.
pub const FIELD_MANAGER: &str = "hoist";
/// The finalizer on every `Middleware` Hoist has applied objects for.
pub const FINALIZER: &str = "hoist.dev/teardown";

/// A CEL rule added to a generated schema. Kept next to the operator-side check that enforces the same
/// thing on clusters older than 1.25, which drop `x-kubernetes-validations` silently.
struct CelRule {
    /// JSON pointer of the schema node inside `openAPIV3Schema`.
    at: &'static str,
    rule: &'static str,
    message: &'static str,
}

const MIDDLEWARE_RULES: &[CelRule] = &[
    CelRule {
        at: "/properties/spec",
        rule: "self.type == oldSelf.type",
        message: "spec.type is immutable: create a new Middleware to change the middleware type",
    },
    CelRule {
        at: "/properties/spec",
        rule: "!has(oldSelf.storage) || !has(oldSelf.storage.storageClassName) || \
               (has(self.storage) && has(self.storage.storageClassName) && \
               self.storage.storageClassName == oldSelf.storage.storageClassName)",
        message: "spec.storage.storageClassName is immutable once set",
    },
    CelRule {
        at: "/properties/spec/properties/backup",
        rule: "!self.enabled || has(self.schedule)",
        message: "spec.backup.schedule is required when backups are enabled",
    },
];

const EXTENSION_RULES: &[CelRule] = &[CelRule {
    at: "/properties/spec",
    rule: "has(self.tag) != has(self.digest)",
    message: "exactly one of spec.tag and spec.digest must be set",
}];

fn with_rules(mut crd: CustomResourceDefinition, rules: &[CelRule]) -> CustomResourceDefinition {
    for version in &mut crd.spec.versions {
        let Some(schema) = version
            .schema
            .as_mut()
            .and_then(|s| s.open_api_v3_schema.as_mut())
        else {
            continue;
        };
        // Edit through JSON: the typed JSONSchemaProps has no convenient pointer access.
        let Ok(mut tree) = serde_json::to_value(&*schema) else {
            continue;
        };
        for r in rules {
            if let Some(node) = tree.pointer_mut(r.at).and_then(|n| n.as_object_mut()) {
                let list = node
                    .entry("x-kubernetes-validations")
                    .or_insert_with(|| json!([]));
                if let Some(list) = list.as_array_mut() {
                    list.push(json!({"rule": r.rule, "message": r.message}));
                }
            }
        }
        if let Ok(edited) = serde_json::from_value(tree) {
            *schema = edited;
        }
    }
    crd
}

/// The CRDs of the Hoist API, in install order.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![
        with_rules(MiddlewareExtension::crd(), EXTENSION_RULES),
        with_rules(Middleware::crd(), MIDDLEWARE_RULES),
    ]
}

/// One CRD as YAML (keys sorted, as `kubectl get -o yaml` prints them), with a leading `---`.
pub fn crd_yaml(crd: &CustomResourceDefinition) -> Result<String, String> {
    let json = serde_json::to_value(crd).map_err(|e| e.to_string())?;
    let yaml = chart_renderer::yaml::to_string(&gotmpl::Value::from_json(&json))
        .map_err(|e| e.to_string())?;
    Ok(format!("---\n{yaml}"))
}

/// The file name of a CRD in `crds/`: `<plural>.<group>.yaml`.
pub fn crd_file_name(crd: &CustomResourceDefinition) -> String {
    format!("{}.yaml", crd.metadata.name.as_deref().unwrap_or("crd"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn repo_root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// `crds/` must be exactly what the types generate: regenerate with
    /// `cargo run -p hoist -- operator crds --output-dir crds`.
    #[test]
    fn crds_directory_matches_the_types() {
        for crd in crds() {
            let path = repo_root().join("crds").join(crd_file_name(&crd));
            let want = crd_yaml(&crd).expect("serialises");
            let have = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (regenerate crds/)", path.display()));
            assert!(
                have == want,
                "{} drifted from the Rust types: regenerate with `hoist operator crds --output-dir crds`",
                path.display()
            );
            assert!(
                want.len() < 256 * 1024,
                "{} is {} bytes, over 256 KiB",
                path.display(),
                want.len()
            );
        }
    }

    #[test]
    fn middleware_crd_has_the_names_columns_and_subresources_of_the_api() {
        let crd = serde_json::to_value(Middleware::crd()).expect("json");
        assert_eq!(crd["spec"]["scope"], "Namespaced");
        assert_eq!(crd["spec"]["names"]["shortNames"], json!(["mw"]));
        assert_eq!(crd["spec"]["names"]["categories"], json!(["hoist"]));
        let v = &crd["spec"]["versions"][0];
        let cols: Vec<&str> = v["additionalPrinterColumns"]
            .as_array()
            .expect("columns")
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert_eq!(cols, ["Type", "Version", "Phase", "Ready", "Age"]);
        assert_eq!(
            v["subresources"]["scale"]["specReplicasPath"],
            ".spec.replicas"
        );
        assert_eq!(
            v["subresources"]["scale"]["statusReplicasPath"],
            ".status.replicas"
        );
        assert!(v["subresources"]["status"].is_object());
        let ext = serde_json::to_value(MiddlewareExtension::crd()).expect("json");
        assert_eq!(ext["spec"]["scope"], "Cluster");
        assert_eq!(ext["spec"]["names"]["shortNames"], json!(["mwx"]));
    }

    /// Every property of every schema has a description (for `kubectl explain`), and free-form blocks are
    /// declared as such so the API server keeps them (structural schemas prune unknown fields).
    #[test]
    fn schemas_are_described_and_structural() {
        fn walk(path: &str, node: &serde_json::Value, missing: &mut Vec<String>) {
            if let Some(props) = node.get("properties").and_then(|p| p.as_object()) {
                for (k, child) in props {
                    let p = format!("{path}.{k}");
                    if child.get("description").is_none() {
                        missing.push(p.clone());
                    }
                    walk(&p, child, missing);
                }
            }
            if let Some(items) = node.get("items") {
                walk(&format!("{path}[]"), items, missing);
            }
            if node.get("type").is_none()
                && node.get("x-kubernetes-int-or-string").is_none()
                && node.get("x-kubernetes-preserve-unknown-fields").is_none()
            {
                missing.push(format!("{path} (no type)"));
            }
        }
        for crd in crds() {
            let v = serde_json::to_value(&crd).expect("json");
            let schema = &v["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
            let mut missing = Vec::new();
            for top in ["spec", "status"] {
                walk(top, &schema["properties"][top], &mut missing);
            }
            // metav1.Condition's own fields come with Kubernetes' descriptions.
            assert!(missing.is_empty(), "{:?}: {missing:?}", crd.metadata.name);
        }
    }
}
