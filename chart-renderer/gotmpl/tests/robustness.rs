//! Arbitrary input never panics: random template texts built from the language's own pieces are
//! parsed and, when they parse, executed with small limits. Deterministic (fixed seed).

mod lang_common;

use gotmpl::{ExecOptions, Limits, MissingKey, TemplateSet, Value};
use std::time::Duration;

const PIECES: &[&str] = &[
    "{{", "}}", "{{- ", " -}}", "{{/*", "*/}}", " ", "\n", "\t", ".", ".a", ".b", "$", "$x", "$y",
    ":=", "=", "|", "(", ")", ",", "\"s\"", "`r`", "'c'", "1", "-2", "0x1F", "1e3", "1.5", "nil",
    "true", "if", "else", "end", "range", "with", "define", "template", "block", "break",
    "continue", "\"d\"", "and", "or", "not", "len", "index", "print", "printf", "upper", "include",
    "tpl", "list", "dict", "é", "\\", "\"", "x",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn random_templates_never_panic() {
    let funcs = lang_common::funcs();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let opts = ExecOptions {
        missing_key: MissingKey::Zero,
        limits: Limits {
            max_template_depth: 200,
            max_range_iterations: Some(10_000),
            max_output_bytes: Some(1 << 20),
            timeout: Some(Duration::from_secs(2)),
            ..Default::default()
        },
    };
    let dot: Value = {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"a": {"b": [1, "two", null, {"c": true}]}, "b": "s", "x": 3}"#,
        )
        .expect("json");
        Value::from_json(&v)
    };
    let (mut parsed, mut ran) = (0, 0);
    for _ in 0..20_000 {
        let n = 1 + (rng.next() % 24) as usize;
        let text: String = (0..n)
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect();
        let mut set = TemplateSet::new(funcs.clone());
        if set.add("t", &text).is_ok() {
            parsed += 1;
            if set.execute("t", dot.clone(), &opts).is_ok() {
                ran += 1;
            }
        }
    }
    // The generator must actually reach the executor, or the test proves little.
    assert!(parsed > 1_000 && ran > 500, "parsed {parsed}, ran {ran}");
}
