//! `b64enc b64dec b32enc b32dec sha1sum sha256sum sha512sum adler32sum` against goldens produced by Helm
//! v4's engine (`hack/gen-encoding-goldens.py` → `tests/goldens/encoding.json`).

use chart_renderer::funcs::helm_funcs;
use gotmpl::{CallContext, FuncMap, Value};
use std::sync::OnceLock;

/// Functions under test never call back into the template engine.
struct NoEngine;
impl CallContext for NoEngine {
    fn execute_template(&mut self, _: &str, _: Value) -> Result<String, gotmpl::Error> {
        unreachable!("not used by encoding functions")
    }
    fn execute_text(&mut self, _: &str, _: &str, _: Value) -> Result<String, gotmpl::Error> {
        unreachable!("not used by encoding functions")
    }
    fn template_name(&self) -> &str {
        "test"
    }
    fn depth(&self) -> usize {
        0
    }
}

fn call(name: &str, args: &[Value]) -> Value {
    static FUNCS: OnceLock<FuncMap> = OnceLock::new();
    let f = FUNCS
        .get_or_init(helm_funcs)
        .get(name)
        .unwrap_or_else(|| panic!("{name} not registered"));
    (f.body)(&mut NoEngine, args).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Go's json.Marshal writes each invalid UTF-8 byte as U+FFFD; ours holds U+FFFD per invalid sequence
/// already, which is the same for the single-byte cases in the goldens.
fn golden() -> serde_json::Value {
    serde_json::from_str(include_str!("goldens/encoding.json")).expect("golden parses")
}

#[test]
fn encoding_and_digest_functions_match_helm() {
    let g = golden();
    let cases = g["cases"].as_object().expect("cases");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (func, rows) in cases {
        for row in rows.as_array().expect("rows") {
            let input = row[0].as_str().expect("input");
            let want = row[1].as_str().expect("output");
            let got = call(func, &[Value::from(input)]);
            if got.as_str() != Some(want) {
                failures.push(format!("{func}({input:?}) = {got:?}, Helm: {want:?}"));
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
fn encoding_functions_have_go_signatures() {
    let m = helm_funcs();
    for name in [
        "b64enc",
        "b64dec",
        "b32enc",
        "b32dec",
        "sha1sum",
        "sha256sum",
        "sha512sum",
        "adler32sum",
    ] {
        let f = m.get(name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(f.params, &[gotmpl::ParamType::String], "{name}");
        assert!(f.variadic.is_none());
    }
    assert!(m.get("md5sum").is_none(), "Sprig has no md5sum");
}

#[test]
fn base64_round_trips_binary_safe_text() {
    for s in ["", "a", "hello\nworld", "ünïcode ☃ ✓", &"x".repeat(1000)] {
        let enc = call("b64enc", &[Value::from(s)]);
        assert_eq!(call("b64dec", &[enc]).as_str(), Some(s));
        let enc = call("b32enc", &[Value::from(s)]);
        assert_eq!(call("b32dec", &[enc]).as_str(), Some(s));
    }
}
