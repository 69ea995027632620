//! Helm's `--set*` parsers against Helm's own (`hack/gen-strvals-goldens.py` → `tests/goldens/strvals.json`,
//! made with helm-python-sdk's `parse_set_*`, i.e. Helm v4's `pkg/strvals`).

use chart_renderer::strvals::{apply_flag, parse, SetKind, StrvalsError};
use gotmpl::Value;

fn kind_of(name: &str) -> SetKind {
    match name {
        "set" => SetKind::Set,
        "string" => SetKind::String,
        "json" => SetKind::Json,
        "literal" => SetKind::Literal,
        "file" => SetKind::File,
        other => panic!("unknown kind {other}"),
    }
}

/// JSON cannot tell Go's int64 from float64, so numbers are compared by value here; the Go types are
/// checked in `set_types_are_gos` below.
fn normalise(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Number(n) => serde_json::json!(n.as_f64()),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(normalise).collect())
        }
        serde_json::Value::Object(o) => {
            serde_json::Value::Object(o.into_iter().map(|(k, v)| (k, normalise(v))).collect())
        }
        other => other,
    }
}

#[test]
fn parsers_match_helm() {
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("goldens/strvals.json")).expect("golden parses");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (kind, cases) in golden["cases"].as_object().expect("cases") {
        for case in cases.as_array().expect("rows") {
            let line = case[0].as_str().expect("line");
            let got = parse(line, kind_of(kind));
            let ok = match (&got, &case[1], &case[2]) {
                (Ok(map), want, serde_json::Value::Null) => {
                    normalise(Value::Map(map.clone()).to_json()) == normalise(want.clone())
                }
                (Err(StrvalsError::Parse(msg)), serde_json::Value::Null, want) => {
                    want.as_str() == Some(msg)
                }
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{kind} {line:?}: got {got:?}, Helm: {} / {}",
                    case[1], case[2]
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} cases");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn set_types_are_gos() {
    let m = parse(
        "i=5,z=0,neg=-3,f=1.5,b=true,n=null,s=007,l={1,x}",
        SetKind::Set,
    )
    .expect("parses");
    assert!(matches!(m.get("i"), Some(Value::Int64(5))));
    assert!(matches!(m.get("z"), Some(Value::Int64(0))));
    assert!(matches!(m.get("neg"), Some(Value::Int64(-3))));
    assert_eq!(
        m.get("f")
            .and_then(|v| v.as_str().map(String::from))
            .as_deref(),
        Some("1.5")
    );
    assert!(matches!(m.get("b"), Some(Value::Bool(true))));
    assert!(matches!(m.get("n"), Some(Value::Nil)));
    let l = m.get("l").and_then(|v| v.as_list().cloned()).expect("list");
    assert!(matches!(l[0], Value::Int64(1)));
    let m = parse("i=5", SetKind::String).expect("parses");
    assert_eq!(
        m.get("i")
            .and_then(|v| v.as_str().map(String::from))
            .as_deref(),
        Some("5")
    );
    let m = parse("i=5,o={\"a\":1}", SetKind::Json).expect("parses");
    assert!(matches!(m.get("i"), Some(Value::Float(f)) if f == 5.0));
}

#[test]
fn parse_into_merges_into_existing_values() {
    let dest = parse("a.b=1,a.c=2,l={x,y}", SetKind::Set).expect("parses");
    chart_renderer::strvals::parse_into("a.b=3,l[1]=z,l[3]=w", &dest, SetKind::Set)
        .expect("merges");
    let json = Value::Map(dest).to_json();
    assert_eq!(
        json,
        serde_json::json!({"a": {"b": 3, "c": 2}, "l": ["x", "z", null, "w"]})
    );
}

#[test]
fn flags_are_wrapped_like_helm_template() {
    let dest = gotmpl::Map::new();
    assert_eq!(
        apply_flag("a", &dest, SetKind::Set)
            .unwrap_err()
            .to_string(),
        "failed parsing --set data: key \"a\" has no value"
    );
    assert_eq!(
        apply_flag("a=foo", &dest, SetKind::Json)
            .unwrap_err()
            .to_string(),
        "failed parsing --set-json data a=foo"
    );
    assert_eq!(
        apply_flag("{bad", &dest, SetKind::Json)
            .unwrap_err()
            .to_string(),
        "failed parsing --set-json data JSON: {bad"
    );
    apply_flag(r#"{"a":{"b":1}}"#, &dest, SetKind::Json).expect("object");
    apply_flag(r#" {"a":{"c":2}} "#, &dest, SetKind::Json).expect("object merges");
    assert_eq!(
        Value::Map(dest).to_json(),
        serde_json::json!({"a": {"b": 1.0, "c": 2.0}})
    );
}
