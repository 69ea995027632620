//! Shared by the golden tests: loads `tests/data/*_goldens.json`, produced from Helm v4.2.3's real engine
//! (helm-python-sdk 0.2.2, Go 1.26) by `hack/gotmpl_goldens.py`, and rebuilds the typed arguments.

#![allow(dead_code)]

use gotmpl::{Map, Value};
use serde_json::Value as Json;
use std::sync::Arc;

pub struct Case {
    pub func: String,
    pub format: Option<String>,
    pub args: Vec<Value>,
    /// The rendered output, when the call succeeded.
    pub want: Option<String>,
    /// The function's error message (after Go's `error calling NAME: `), when it failed.
    pub error: Option<String>,
    /// For `call`: the template text of the callee operand, which Go's message quotes.
    pub callee_source: Option<String>,
    /// The raw JSON line, for failure messages.
    pub raw: String,
}

/// Builds the Go value a typed golden argument stands for (see the generator's docstring).
pub fn typed(j: &Json) -> Value {
    let Some((k, v)) = j.as_object().and_then(|o| o.iter().next()) else {
        panic!("bad typed argument {j}");
    };
    match k.as_str() {
        "int" => Value::Int(v.as_i64().expect("int")),
        "int64" => Value::Int64(v.as_i64().expect("int64")),
        "float" => Value::Float(parse_go_float(v.as_str().expect("float string"))),
        "str" => Value::from_str(v.as_str().expect("str")),
        "bool" => Value::Bool(v.as_bool().expect("bool")),
        // The literal `nil` reaches functions as Go's zero reflect.Value; a missing key under Helm's
        // `missingkey=zero` is an interface{} holding nil.
        "nil" => Value::Invalid,
        "missing" => Value::Nil,
        "list" => Value::list(v.as_array().expect("list").iter().map(typed).collect()),
        "map" => Value::Map(
            v.as_object()
                .expect("map")
                .iter()
                .map(|(k, v)| (k.clone(), typed(v)))
                .collect::<Map>(),
        ),
        // Go's uint8 (a byte indexed out of []byte); the value model's only unsigned type is uint64.
        "uint8" => Value::Uint64(v.as_u64().expect("uint8")),
        "bytes" => Value::Bytes(Arc::from(hex_decode(v.as_str().expect("hex")))),
        other => panic!("unknown typed argument kind {other}"),
    }
}

fn parse_go_float(s: &str) -> f64 {
    match s {
        "NaN" => f64::NAN,
        "+Inf" | "inf" => f64::INFINITY,
        "-Inf" | "-inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or_else(|_| panic!("bad float {s}")),
    }
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn load(text: &str) -> Vec<Case> {
    let doc: Json = serde_json::from_str(text).expect("golden JSON");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| Case {
            func: c["fn"].as_str().expect("fn").to_string(),
            format: c.get("format").and_then(Json::as_str).map(str::to_string),
            args: c["args"]
                .as_array()
                .expect("args")
                .iter()
                .map(typed)
                .collect(),
            want: c.get("want").and_then(Json::as_str).map(str::to_string),
            error: c.get("error").and_then(Json::as_str).map(str::to_string),
            callee_source: c
                .get("callee_source")
                .and_then(Json::as_str)
                .map(str::to_string),
            raw: c.to_string(),
        })
        .collect()
}

/// Helm deletes every `<no value>` from a rendered file; goldens went through that, so our side does too.
pub fn helm_strip(s: &str) -> String {
    s.replace("<no value>", "")
}

/// Fails with the first mismatches listed, so one run shows the whole picture.
pub fn report(failures: &[String], total: usize) {
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(60).collect();
        panic!(
            "{} of {} golden cases differ from Helm:\n{}",
            failures.len(),
            total,
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
