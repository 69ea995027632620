//! TEMPORARY stand-in for `crate::yaml` until the Helm-exact YAML decoder lands on `main`.
//! Same signature as the real `yaml::from_str`; goes through JSON like Helm (sigs.k8s.io/yaml), so every
//! number is a float64. Removed once `crate::yaml` exists.

use gotmpl::Value;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct YamlError(String);

pub fn from_str(s: &str) -> Result<Value, YamlError> {
    let v: serde_json::Value = serde_yaml::from_str(s).map_err(|e| YamlError(e.to_string()))?;
    Ok(Value::from_json(&v))
}

/// `toYaml` of a string→string map, for `.Files.AsConfig`/`AsSecrets` until the real emitter lands.
pub fn to_string(v: &Value) -> Result<String, YamlError> {
    serde_yaml::to_string(&v.to_json()).map_err(|e| YamlError(e.to_string()))
}
