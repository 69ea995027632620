//! Serialization functions: Helm v4.2.3's own (`toYaml`, `mustToYaml`, `toYamlPretty`, `fromYaml`,
//! `fromYamlArray`, `toJson`, `mustToJson`, `fromJson`, `fromJsonArray`, `toToml`, `mustToToml`,
//! `fromToml`) and the JSON ones Sprig v3.3.0 adds that Helm keeps (`toPrettyJson`, `toRawJson`,
//! `mustToPrettyJson`, `mustToRawJson`, `mustFromJson`). Helm's versions replace Sprig's `toJson`,
//! `mustToJson` and `fromJson`.
//!
//! Error behaviour follows the Go functions: the plain `to*` forms swallow errors into an empty string
//! (except Sprig's `toRawJson`, which panics, so the template fails), `from*` forms put the message in an
//! `Error` key (maps) or as the only element (arrays), `must*` forms fail the template.

use crate::yaml::gojson::{from_json_str, to_json_string, JsonOptions};
use crate::yaml::{self, gotoml};
use gotmpl::{FuncError, FuncMap, Function, Map, ParamType, Value};

const ANY: &[ParamType] = &[ParamType::Any];
const STRING: &[ParamType] = &[ParamType::String];

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("toYaml", ANY, None, |a| {
        Ok(Value::from(to_yaml(&a[0])))
    }));
    m.insert(Function::pure("mustToYaml", ANY, None, |a| {
        Ok(Value::from(must_to_yaml(&a[0])?))
    }));
    m.insert(Function::pure("toYamlPretty", ANY, None, |a| {
        Ok(Value::from(to_yaml_pretty(&a[0])))
    }));
    m.insert(Function::pure("fromYaml", STRING, None, |a| {
        Ok(Value::Map(from_yaml(str_arg(a))))
    }));
    m.insert(Function::pure("fromYamlArray", STRING, None, |a| {
        Ok(Value::list(from_yaml_array(str_arg(a))))
    }));

    m.insert(Function::pure("toJson", ANY, None, |a| {
        Ok(Value::from(to_json(&a[0])))
    }));
    m.insert(Function::pure("mustToJson", ANY, None, |a| {
        Ok(Value::from(must_to_json(&a[0])?))
    }));
    m.insert(Function::pure("toPrettyJson", ANY, None, |a| {
        Ok(Value::from(to_pretty_json(&a[0])))
    }));
    m.insert(Function::pure("mustToPrettyJson", ANY, None, |a| {
        Ok(Value::from(must_to_pretty_json(&a[0])?))
    }));
    // Sprig's toRawJson panics on error, so it fails exactly like mustToRawJson.
    m.insert(Function::pure("toRawJson", ANY, None, |a| {
        Ok(Value::from(must_to_raw_json(&a[0])?))
    }));
    m.insert(Function::pure("mustToRawJson", ANY, None, |a| {
        Ok(Value::from(must_to_raw_json(&a[0])?))
    }));
    m.insert(Function::pure("fromJson", STRING, None, |a| {
        Ok(Value::Map(from_json(str_arg(a))))
    }));
    m.insert(Function::pure("fromJsonArray", STRING, None, |a| {
        Ok(Value::list(from_json_array(str_arg(a))))
    }));
    m.insert(Function::pure("mustFromJson", STRING, None, |a| {
        must_from_json(str_arg(a))
    }));

    m.insert(Function::pure("toToml", ANY, None, |a| {
        Ok(Value::from(to_toml(&a[0])))
    }));
    m.insert(Function::pure("mustToToml", ANY, None, |a| {
        Ok(Value::from(must_to_toml(&a[0])?))
    }));
    m.insert(Function::pure("fromToml", STRING, None, |a| {
        Ok(Value::Map(from_toml(str_arg(a))))
    }));
}

/// The executor has already converted a `string` parameter; anything else cannot arrive.
fn str_arg(a: &[Value]) -> &str {
    a.first().and_then(Value::as_str).unwrap_or("")
}

fn trim_newline(s: String) -> String {
    match s.strip_suffix('\n') {
        Some(t) => t.to_string(),
        None => s,
    }
}

/// `toYaml`: sigs.k8s.io/yaml output without its final newline; "" when the value cannot be marshalled.
pub fn to_yaml(v: &Value) -> String {
    yaml::to_string(v).map(trim_newline).unwrap_or_default()
}

/// `mustToYaml`: like `toYaml`, but a marshalling error fails the template.
pub fn must_to_yaml(v: &Value) -> Result<String, FuncError> {
    yaml::to_string(v)
        .map(trim_newline)
        .map_err(|e| FuncError(e.message))
}

/// `toYamlPretty`: yaml.v3 with 2-space indentation (sequences indented under their key).
pub fn to_yaml_pretty(v: &Value) -> String {
    yaml::to_string_pretty(v)
        .map(trim_newline)
        .unwrap_or_default()
}

/// `fromYaml`: a map; on error the (empty) map carries Go's message under `Error`.
pub fn from_yaml(s: &str) -> Map {
    match yaml::from_str_map(s) {
        Ok(m) => m,
        Err(e) => error_map(e.message),
    }
}

/// `fromYamlArray`: a list; on error the list holds only Go's message.
pub fn from_yaml_array(s: &str) -> Vec<Value> {
    match yaml::from_str_list(s) {
        Ok(l) => l,
        Err(e) => vec![Value::from(e.message)],
    }
}

fn error_map(msg: String) -> Map {
    let m = Map::new();
    m.insert("Error", Value::from(msg));
    m
}

const COMPACT: JsonOptions = JsonOptions {
    escape_html: true,
    indent: None,
};
const PRETTY: JsonOptions = JsonOptions {
    escape_html: true,
    indent: Some("  "),
};
const RAW: JsonOptions = JsonOptions {
    escape_html: false,
    indent: None,
};

/// `toJson`: `json.Marshal`, "" on error.
pub fn to_json(v: &Value) -> String {
    to_json_string(v, COMPACT).unwrap_or_default()
}
pub fn must_to_json(v: &Value) -> Result<String, FuncError> {
    to_json_string(v, COMPACT).map_err(|e| FuncError(e.0))
}
/// `toPrettyJson`: `json.MarshalIndent(v, "", "  ")`, "" on error.
pub fn to_pretty_json(v: &Value) -> String {
    to_json_string(v, PRETTY).unwrap_or_default()
}
pub fn must_to_pretty_json(v: &Value) -> Result<String, FuncError> {
    to_json_string(v, PRETTY).map_err(|e| FuncError(e.0))
}
/// `toRawJson`/`mustToRawJson`: an encoder without HTML escaping (its trailing newline trimmed).
pub fn must_to_raw_json(v: &Value) -> Result<String, FuncError> {
    to_json_string(v, RAW).map_err(|e| FuncError(e.0))
}

/// Helm's `fromJson`: `json.Unmarshal` into a `map[string]interface{}`, errors under `Error`.
pub fn from_json(s: &str) -> Map {
    match from_json_str(s) {
        Err(e) => error_map(e.0),
        Ok(d) => {
            let m = match d.value {
                Value::Map(m) => m,
                Value::Nil => Map::new(),
                other => return error_map(json_type_error(&other, "map[string]interface {}")),
            };
            if let Some(e) = d.error {
                m.insert("Error", Value::from(e.0));
            }
            m
        }
    }
}

/// Helm's `fromJsonArray`: `json.Unmarshal` into a `[]interface{}`, an error as the only element.
pub fn from_json_array(s: &str) -> Vec<Value> {
    match from_json_str(s) {
        Err(e) => vec![Value::from(e.0)],
        // A top-level type mismatch wins: Go then skips the value without looking inside.
        Ok(d) => match d.value {
            Value::List(_) if d.error.is_some() => {
                vec![Value::from(d.error.map(|e| e.0).unwrap_or_default())]
            }
            Value::List(l) => l.to_vec(),
            Value::Nil => Vec::new(),
            other => vec![Value::from(json_type_error(&other, "[]interface {}"))],
        },
    }
}

/// Sprig's `mustFromJson`: any JSON value, or the template fails with Go's message.
pub fn must_from_json(s: &str) -> Result<Value, FuncError> {
    let d = from_json_str(s).map_err(|e| FuncError(e.0))?;
    match d.error {
        Some(e) => Err(FuncError(e.0)),
        None => Ok(d.value),
    }
}

fn json_type_error(v: &Value, target: &str) -> String {
    let what = match v {
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::List(_) => "array",
        Value::Map(_) => "object",
        _ => "number",
    };
    format!("json: cannot unmarshal {what} into Go value of type {target}")
}

/// `toToml`: BurntSushi/toml's encoder; on error the error's text *is* the result.
pub fn to_toml(v: &Value) -> String {
    gotoml::to_string(v).unwrap_or_else(|e| e.to_string())
}
pub fn must_to_toml(v: &Value) -> Result<String, FuncError> {
    gotoml::to_string(v).map_err(|e| FuncError(e.to_string()))
}
/// `fromToml`: a map; on error the map carries the message under `Error`.
pub fn from_toml(s: &str) -> Map {
    match gotoml::from_str(s) {
        Ok(m) => m,
        Err(e) => error_map(e.to_string()),
    }
}
