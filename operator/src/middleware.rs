//! The `Middleware` resource as Hoist reads it, and how its spec becomes the values an extension chart
//! renders with (docs/extension-contract.md, section 1). The operator and `hoist render` share this code,
//! so what `hoist render` prints is what the operator applies.

use chart_renderer::chart::Chart;
use chart_renderer::user_values::merge_maps;
use gotmpl::{Map, Value};
use serde::Deserialize;

pub const API_VERSION: &str = "hoist.dev/v1alpha1";
pub const KIND: &str = "Middleware";

/// `metadata` fields Hoist uses.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ObjectMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
}

/// A `Middleware` object (apiVersion `hoist.dev/v1alpha1`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Middleware {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: MiddlewareSpec,
}

/// `spec` of a `Middleware`. Blocks whose shape belongs to the extension contract (resources, config,
/// tls, backup, monitoring, values) are kept as JSON and passed through.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareSpec {
    /// The extension name (`redis`, `postgresql`, …).
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub version: Option<String>,
    /// A JSON number: YAML and JSON decoders hand integers over as floats, so integrality is checked in
    /// [`instance_values`].
    #[serde(default)]
    pub replicas: Option<f64>,
    #[serde(default)]
    pub resources: Option<serde_json::Value>,
    #[serde(default)]
    pub storage: Option<Storage>,
    #[serde(default)]
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub termination_policy: Option<String>,
    #[serde(default)]
    pub tls: Option<serde_json::Value>,
    #[serde(default)]
    pub backup: Option<serde_json::Value>,
    #[serde(default)]
    pub monitoring: Option<serde_json::Value>,
    /// Free-form chart values merged last (the escape hatch).
    #[serde(default)]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Storage {
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default)]
    pub storage_class_name: Option<String>,
}

/// One engine version an extension offers (`hoist.dev/versions`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferedVersion {
    pub version: String,
    pub image: String,
    #[serde(default)]
    pub upgrade_to: Vec<String>,
}

/// `hoist.dev/versions` of an extension chart.
#[derive(Clone, Debug, Deserialize)]
pub struct Versions {
    pub default: String,
    pub versions: Vec<OfferedVersion>,
}

#[derive(Debug, thiserror::Error)]
pub enum MiddlewareError {
    #[error("{object}: not a Middleware (apiVersion {api_version}, kind {kind}); expected {API_VERSION} {KIND}")]
    NotMiddleware {
        object: String,
        api_version: String,
        kind: String,
    },
    #[error("{object}: {message}")]
    Invalid { object: String, message: String },
    #[error("extension {extension}: annotation hoist.dev/versions: {message}")]
    BadVersions { extension: String, message: String },
}

impl Middleware {
    /// Reads one object from its JSON form (as the API server or the YAML decoder gives it).
    pub fn from_json(v: serde_json::Value) -> Result<Middleware, MiddlewareError> {
        let object = describe(&v);
        let api_version = v
            .get("apiVersion")
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_string();
        let kind = v
            .get("kind")
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_string();
        if api_version != API_VERSION || kind != KIND {
            return Err(MiddlewareError::NotMiddleware {
                object,
                api_version,
                kind,
            });
        }
        let mw: Middleware = serde_json::from_value(v).map_err(|e| MiddlewareError::Invalid {
            object: object.clone(),
            message: e.to_string(),
        })?;
        if mw.metadata.name.is_empty() {
            return Err(MiddlewareError::Invalid {
                object,
                message: "metadata.name is required".into(),
            });
        }
        if mw.spec.kind.is_empty() {
            return Err(MiddlewareError::Invalid {
                object,
                message: "spec.type is required".into(),
            });
        }
        Ok(mw)
    }

    /// `Middleware/namespace/name`, for messages.
    pub fn describe(&self) -> String {
        format!("{KIND}/{}/{}", self.namespace(), self.metadata.name)
    }

    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("default")
    }
}

fn describe(v: &serde_json::Value) -> String {
    let name = v
        .pointer("/metadata/name")
        .and_then(|x| x.as_str())
        .unwrap_or("<unnamed>");
    let ns = v
        .pointer("/metadata/namespace")
        .and_then(|x| x.as_str())
        .unwrap_or("default");
    let kind = v
        .get("kind")
        .and_then(|x| x.as_str())
        .unwrap_or("<no kind>");
    format!("{kind}/{ns}/{name}")
}

/// The engine versions an extension chart declares.
pub fn chart_versions(chart: &Chart) -> Result<Versions, MiddlewareError> {
    let extension = chart.name().to_string();
    let Some(text) = chart.metadata.annotations.get("hoist.dev/versions") else {
        return Err(MiddlewareError::BadVersions {
            extension,
            message: "missing".into(),
        });
    };
    let decoded =
        chart_renderer::yaml::from_str(text).map_err(|e| MiddlewareError::BadVersions {
            extension: extension.clone(),
            message: e.to_string(),
        })?;
    serde_json::from_value(decoded.to_json()).map_err(|e| MiddlewareError::BadVersions {
        extension,
        message: e.to_string(),
    })
}

/// The user values of a render: the `hoist` block built from the spec (only what the spec sets, so the
/// chart's defaults apply to the rest), with `spec.values` merged over it.
pub fn instance_values(mw: &Middleware, chart: &Chart) -> Result<Map, MiddlewareError> {
    let spec = &mw.spec;
    let versions = chart_versions(chart)?;
    let version = spec
        .version
        .clone()
        .unwrap_or_else(|| versions.default.clone());
    let Some(offered) = versions.versions.iter().find(|v| v.version == version) else {
        let list: Vec<&str> = versions
            .versions
            .iter()
            .map(|v| v.version.as_str())
            .collect();
        return Err(MiddlewareError::Invalid {
            object: mw.describe(),
            message: format!(
                "spec.version: {version:?} is not offered by extension {} (offered: {})",
                spec.kind,
                list.join(", ")
            ),
        });
    };

    let hoist = Map::new();
    hoist.insert("name", Value::from(mw.metadata.name.as_str()));
    hoist.insert("namespace", Value::from(mw.namespace()));
    hoist.insert("version", Value::from(version.as_str()));
    hoist.insert("image", Value::from(offered.image.as_str()));
    if let Some(r) = spec.replicas {
        if r < 0.0 || r.fract() != 0.0 || r > f64::from(i32::MAX) {
            return Err(MiddlewareError::Invalid {
                object: mw.describe(),
                message: format!(
                    "spec.replicas: {r} is not a whole number between 0 and {}",
                    i32::MAX
                ),
            });
        }
        // JSON numbers reach templates as float64, exactly as they would through the API server.
        hoist.insert("replicas", Value::Float(r));
    }
    if let Some(state) = &spec.state {
        if state != "Running" && state != "Stopped" {
            return Err(MiddlewareError::Invalid {
                object: mw.describe(),
                message: format!("spec.state: {state:?} must be Running or Stopped"),
            });
        }
        hoist.insert("state", Value::from(state.as_str()));
    }
    let json_block = |v: &Option<serde_json::Value>| v.as_ref().map(Value::from_json);
    if let Some(r) = json_block(&spec.resources) {
        hoist.insert("resources", r);
    }
    if let Some(st) = &spec.storage {
        let m = Map::new();
        if let Some(size) = &st.size {
            m.insert("size", Value::from(size.as_str()));
        }
        if let Some(sc) = &st.storage_class_name {
            m.insert("storageClassName", Value::from(sc.as_str()));
        }
        hoist.insert("storage", Value::Map(m));
    }
    if let Some(cfg) = &spec.config {
        hoist.insert(
            "config",
            Value::from_json(&serde_json::Value::Object(cfg.clone())),
        );
    }
    for (key, block) in [
        ("tls", &spec.tls),
        ("backup", &spec.backup),
        ("monitoring", &spec.monitoring),
    ] {
        if let Some(v) = json_block(block) {
            hoist.insert(key, v);
        }
    }
    let base = Map::new();
    base.insert("hoist", Value::Map(hoist));
    let overrides = match &spec.values {
        Some(v) => match Value::from_json(&serde_json::Value::Object(v.clone())) {
            Value::Map(m) => m,
            _ => Map::new(),
        },
        None => Map::new(),
    };
    Ok(merge_maps(&base, &overrides))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mw(spec: serde_json::Value) -> Result<Middleware, MiddlewareError> {
        Middleware::from_json(serde_json::json!({
            "apiVersion": API_VERSION, "kind": KIND,
            "metadata": {"name": "cache", "namespace": "team-a"},
            "spec": spec,
        }))
    }

    #[test]
    fn rejects_other_kinds_with_the_object_named() {
        let err = Middleware::from_json(
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
        )
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("ConfigMap/default/x: not a Middleware (apiVersion v1, kind ConfigMap); expected hoist.dev/v1alpha1 Middleware")
        );
    }

    #[test]
    fn requires_a_type() {
        let err = mw(serde_json::json!({"replicas": 1}))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("spec.type")));
    }
}
