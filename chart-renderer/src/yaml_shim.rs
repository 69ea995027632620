//! TEMPORARY stand-in for `crate::yaml::to_string` (the Helm-exact emitter) until it lands on `main`;
//! `.Files.AsConfig`/`AsSecrets` use it. Removed once `crate::yaml::to_string` exists.

use gotmpl::Value;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct YamlError(String);

pub fn to_string(v: &Value) -> Result<String, YamlError> {
    serde_yaml::to_string(&v.to_json()).map_err(|e| YamlError(e.to_string()))
}
