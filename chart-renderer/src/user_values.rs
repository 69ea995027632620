//! The user-supplied values of one render, built the way Helm's CLI builds them (`values.Options.
//! MergeValues`): every `-f` file deep-merged in order, then `--set-json`, `--set`, `--set-string`,
//! `--set-file` and `--set-literal`, each kind applied in the order given.

use crate::strvals::{self, SetKind};
use gotmpl::{Map, Value};
use std::path::PathBuf;

/// What a user passed on the command line (or what the operator derived from a `Middleware`).
#[derive(Clone, Debug, Default)]
pub struct ValueOptions {
    /// `-f/--values`: YAML files, merged left to right.
    pub value_files: Vec<ValueSource>,
    /// `--set-json`: `path=<json>` or a whole JSON object.
    pub json_values: Vec<String>,
    /// `--set`
    pub values: Vec<String>,
    /// `--set-string`
    pub string_values: Vec<String>,
    /// `--set-file`: `path=<file to read>`.
    pub file_values: Vec<String>,
    /// `--set-literal`
    pub literal_values: Vec<String>,
}

/// Where a values file comes from.
#[derive(Clone, Debug)]
pub enum ValueSource {
    File(PathBuf),
    /// In-memory YAML with a name for messages (`-` for standard input, or a generated block).
    Inline {
        name: String,
        yaml: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum UserValuesError {
    #[error("failed to read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("failed to parse {path}: {message}")]
    Parse { path: String, message: String },
    /// A `--set*` flag, in Helm's words (`failed parsing --set data: …`).
    #[error("{0}")]
    Set(String),
}

/// Helm's `MergeMaps`: a new map; where both sides hold maps they merge recursively, otherwise `b` wins.
pub fn merge_maps(a: &Map, b: &Map) -> Map {
    let out = a.shallow_copy();
    for (k, v) in b.entries() {
        if let Value::Map(vm) = &v {
            if let Some(Value::Map(existing)) = out.get(&k) {
                out.insert(k, Value::Map(merge_maps(&existing, vm)));
                continue;
            }
        }
        out.insert(k, v);
    }
    out
}

impl ValueOptions {
    /// Computes the user values map exactly as `helm template`/`install` does before coalescing with the
    /// chart's defaults.
    pub fn merge(&self) -> Result<Map, UserValuesError> {
        let mut base = Map::new();
        for src in &self.value_files {
            let (name, text) = match src {
                ValueSource::File(p) => {
                    let text = std::fs::read_to_string(p).map_err(|e| UserValuesError::Read {
                        path: p.display().to_string(),
                        source: e,
                    })?;
                    (p.display().to_string(), text)
                }
                ValueSource::Inline { name, yaml } => (name.clone(), yaml.clone()),
            };
            let current = crate::yaml::load_values(&text).map_err(|e| UserValuesError::Parse {
                path: name,
                message: e.to_string(),
            })?;
            base = merge_maps(&base, &current);
        }
        let flags = [
            (SetKind::Json, &self.json_values),
            (SetKind::Set, &self.values),
            (SetKind::String, &self.string_values),
            (SetKind::File, &self.file_values),
            (SetKind::Literal, &self.literal_values),
        ];
        for (kind, lines) in flags {
            for line in lines {
                strvals::apply_flag(line, &base, kind)
                    .map_err(|e| UserValuesError::Set(e.to_string()))?;
            }
        }
        Ok(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_maps_is_deep_and_right_biased() {
        let a = Map::new();
        let inner = Map::new();
        inner.insert("x", Value::Int(1));
        inner.insert("y", Value::Int(2));
        a.insert("m", Value::Map(inner.clone()));
        a.insert("s", Value::from("a"));
        let b = Map::new();
        let inner_b = Map::new();
        inner_b.insert("y", Value::Int(3));
        b.insert("m", Value::Map(inner_b));
        b.insert("s", Value::from("b"));
        let out = merge_maps(&a, &b);
        let m = out
            .get("m")
            .and_then(|v| v.as_map().cloned())
            .unwrap_or_default();
        assert!(matches!(m.get("x"), Some(Value::Int(1))));
        assert!(matches!(m.get("y"), Some(Value::Int(3))));
        assert_eq!(
            out.get("s").and_then(|v| v.as_str().map(str::to_string)),
            Some("b".to_string())
        );
        // `a` is untouched: MergeMaps builds new maps.
        assert!(matches!(inner.get("y"), Some(Value::Int(2))));
    }
}
