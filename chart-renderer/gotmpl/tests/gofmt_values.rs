//! Printing cases Helm cannot show directly: Helm deletes `<no value>` from its output, and has no
//! template-visible `uint64` or custom objects. Expectations follow Go's exec.go `printValue` (missing and
//! nil print `<no value>` at top level) and fmt's rules for values inside collections (`<nil>`).

use gotmpl::value::gofmt::{print_value, sprint, sprintf, write_print_value};
use gotmpl::{Object, Value};
use std::sync::Arc;

#[derive(Debug)]
struct Version;

impl Object for Version {
    fn type_name(&self) -> &str {
        "*chartutil.KubeVersion"
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn go_format(&self) -> String {
        "v1.31.0".to_string()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

#[test]
fn top_level_nil_and_missing_print_no_value() {
    assert_eq!(print_value(&Value::Invalid), "<no value>");
    assert_eq!(print_value(&Value::Nil), "<no value>");
    assert_eq!(
        print_value(&Value::list(vec![Value::Nil, Value::Invalid])),
        "[<nil> <nil>]"
    );
    let mut out = String::from("x=");
    write_print_value(&mut out, &Value::Float(1e6));
    assert_eq!(out, "x=1e+06");
    assert_eq!(sprint(&[Value::Nil, Value::Invalid]), "<nil> <nil>");
}

#[test]
fn uint64_prints_like_go() {
    let u = Value::Uint64(u64::MAX);
    assert_eq!(print_value(&u), "18446744073709551615");
    assert_eq!(
        sprintf("%#v|%x|%d|%T", &[u.clone(), u.clone(), u.clone(), u]),
        "0xffffffffffffffff|ffffffffffffffff|18446744073709551615|uint64"
    );
}

#[test]
fn objects_print_through_go_format() {
    let v = Value::Object(Arc::new(Version));
    assert_eq!(print_value(&v), "v1.31.0");
    assert_eq!(
        sprintf(
            "%s|%q|%10v|%T",
            &[v.clone(), v.clone(), v.clone(), v.clone()]
        ),
        "v1.31.0|\"v1.31.0\"|   v1.31.0|*chartutil.KubeVersion"
    );
    // Non-string verbs on objects (Go would print the struct's fields) are a documented approximation and
    // deliberately not asserted here.
    assert_eq!(print_value(&Value::list(vec![v])), "[v1.31.0]");
}
