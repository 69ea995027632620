//! The `Middleware` resource as Hoist reads it, and how its spec becomes the values an extension chart
//! renders with (docs/extension-contract.md, section 1). The operator and `hoist render` share this code,
//! so what `hoist render` prints is what the operator applies.

use chart_renderer::chart::Chart;
use chart_renderer::user_values::merge_maps;
use gotmpl::{Map, Value};
use serde::Deserialize;

pub use crate::api::API_VERSION;
pub use crate::api::{Middleware, MiddlewareSpec, Storage};
pub const KIND: &str = "Middleware";

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
        // Checked before decoding so the message names the field rather than serde's "missing field".
        let has_type = v
            .pointer("/spec/type")
            .and_then(|t| t.as_str())
            .is_some_and(|t| !t.is_empty());
        if !has_type {
            return Err(MiddlewareError::Invalid {
                object,
                message: "spec.type is required".into(),
            });
        }
        let mw: Middleware =
            serde_json::from_value(integral_numbers(v)).map_err(|e| MiddlewareError::Invalid {
                object: object.clone(),
                message: e.to_string(),
            })?;
        if mw.name().is_empty() {
            return Err(MiddlewareError::Invalid {
                object,
                message: "metadata.name is required".into(),
            });
        }
        Ok(mw)
    }

    /// `Middleware/namespace/name`, for messages.
    pub fn describe(&self) -> String {
        format!("{KIND}/{}/{}", self.namespace(), self.name())
    }

    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or_default()
    }

    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("default")
    }
}

/// Whole floats as integers. The YAML decoder (like Go's, feeding Helm) hands every number over as a
/// float64, while the API server keeps `3` as an integer; typed fields (`replicas: i32`) need the latter.
/// Templates see float64 either way ([`Value::from_json`]).
pub fn integral_numbers(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Number(n) => match n.as_f64() {
            // 2^53: beyond it a float64 no longer holds every integer, so leave such values alone.
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                J::from(f as i64)
            }
            _ => J::Number(n),
        },
        J::Array(a) => J::Array(a.into_iter().map(integral_numbers).collect()),
        J::Object(o) => J::Object(
            o.into_iter()
                .map(|(k, x)| (k, integral_numbers(x)))
                .collect(),
        ),
        other => other,
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
                spec.type_,
                list.join(", ")
            ),
        });
    };

    let hoist = Map::new();
    hoist.insert("name", Value::from(mw.name()));
    hoist.insert("namespace", Value::from(mw.namespace()));
    hoist.insert("version", Value::from(version.as_str()));
    hoist.insert("image", Value::from(offered.image.as_str()));
    if let Some(r) = spec.replicas {
        if r < 0 {
            return Err(MiddlewareError::Invalid {
                object: mw.describe(),
                message: format!("spec.replicas: {r} must not be negative"),
            });
        }
        // JSON numbers reach templates as float64, exactly as they would through the API server.
        hoist.insert("replicas", Value::Float(f64::from(r)));
    }
    if let Some(state) = spec.state {
        hoist.insert("state", Value::from(state.as_str()));
    }
    // The typed blocks go through their JSON form: only the fields the user set appear (the rest are
    // skipped when serialising), so the chart's defaults apply to them.
    let block = |key: &str, v: Result<serde_json::Value, serde_json::Error>| match v {
        Ok(json) => {
            hoist.insert(key, Value::from_json(&json));
            Ok(())
        }
        Err(e) => Err(MiddlewareError::Invalid {
            object: mw.describe(),
            message: format!("spec.{key}: {e}"),
        }),
    };
    if let Some(r) = &spec.resources {
        block("resources", serde_json::to_value(r))?;
    }
    if let Some(st) = &spec.storage {
        block("storage", serde_json::to_value(st))?;
    }
    if let Some(cfg) = &spec.config {
        block("config", Ok(serde_json::Value::Object(cfg.clone())))?;
    }
    if let Some(t) = &spec.tls {
        block("tls", serde_json::to_value(t))?;
    }
    if let Some(b) = &spec.backup {
        block("backup", serde_json::to_value(b))?;
    }
    if let Some(m) = &spec.monitoring {
        block("monitoring", serde_json::to_value(m))?;
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
