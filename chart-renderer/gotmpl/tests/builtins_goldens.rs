//! Go's builtin template functions against Helm's engine. Expected outputs and error messages (the text
//! after `error calling NAME: `) come from Helm v4.2.3 (Go 1.26) through `hack/gotmpl_goldens.py`, which
//! rendered `{{ NAME args… }}` once per case.

mod common;

use gotmpl::funcs::builtins::{builtins, call_error};
use gotmpl::value::gofmt;
use gotmpl::{CallContext, Value};

/// Builtins never need the running template.
struct NoTemplates;

impl CallContext for NoTemplates {
    fn execute_template(&mut self, name: &str, _dot: Value) -> Result<String, gotmpl::Error> {
        panic!("builtin tried to execute template {name}")
    }
    fn execute_text(
        &mut self,
        name: &str,
        _text: &str,
        _dot: Value,
    ) -> Result<String, gotmpl::Error> {
        panic!("builtin tried to execute text {name}")
    }
    fn template_name(&self) -> &str {
        "test"
    }
    fn depth(&self) -> usize {
        0
    }
}

/// `uint8` → `uint64`, leaving `[]uint8` (Go's name for `[]byte`, which we have too) alone.
fn uint8_as_uint64(msg: &str) -> String {
    msg.replace("[]uint8", "\0")
        .replace("uint8", "uint64")
        .replace('\0', "[]uint8")
}

#[test]
fn builtins_match_helm() {
    let table = builtins();
    let cases = common::load(include_str!("data/builtins_goldens.json"));
    assert!(cases.len() > 1000, "golden file looks truncated");
    let mut failures = Vec::new();
    for c in &cases {
        let f = table
            .get(&c.func)
            .unwrap_or_else(|| panic!("builtin {} missing", c.func));
        let mut args = c.args.clone();
        if let Some(format) = &c.format {
            args.insert(0, Value::from_str(format));
        }
        let got = match &c.callee_source {
            // The body cannot see the operand's source text; the executor passes it to `call_error`.
            Some(src) => Err(call_error(src, &args[0])),
            None => (f.body)(&mut NoTemplates, &args),
        };
        let ok = match (&got, &c.want, &c.error) {
            (Ok(v), Some(want), None) => common::helm_strip(&gofmt::print_value(v)) == *want,
            // Helm's unsigned operands are uint8 (bytes); ours are uint64, so type names in messages differ.
            (Err(e), None, Some(want)) => e.0 == uint8_as_uint64(want),
            _ => false,
        };
        if !ok {
            failures.push(format!("{}\n    got {got:?}", c.raw));
        }
    }
    common::report(&failures, cases.len());
}

#[test]
fn call_body_names_literal_callees_like_go() {
    let table = builtins();
    let call = table.get("call").expect("call registered");
    let got = (call.body)(&mut NoTemplates, &[Value::from_str("f"), Value::Int(1)]);
    assert_eq!(
        got.err().map(|e| e.0),
        Some("non-function \"f\" of type string".to_string())
    );
    let got = (call.body)(&mut NoTemplates, &[Value::Nil]);
    assert_eq!(got.err().map(|e| e.0), Some("call of nil".to_string()));
}
