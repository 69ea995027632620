//! Shared by the `template` and `template_helm` targets: parse a helper file and a main file into one
//! `TemplateSet`, then execute the main file under tight limits. Panics, aborts and runs far past the
//! deadline are findings; template errors are not.
//!
//! Input: UTF-8 text. Up to the first NUL byte it is a helper file (its `define`s join the set), the rest
//! is the template executed. The dot is a fixed map holding one value of every kind the engine knows.

use gotmpl::{ExecOptions, FuncMap, Limits, MissingKey, TemplateSet, Value};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const DOT: &str = r#"{
  "s": "hello", "e": "", "n": null, "b": true, "f": false,
  "i": 3, "neg": -7, "big": 1000000, "fl": 1.5, "z": 0,
  "l": [1, "two", 3.5, null, true, {"k": "v"}, [1, 2]],
  "el": [],
  "m": {"a": 1, "b": {"c": "deep", "d": [1, 2, 3]}, "": "empty key", "x y": "space"},
  "em": {}
}"#;

fn dot() -> Value {
    static D: OnceLock<serde_json::Value> = OnceLock::new();
    // Infallible: DOT is a constant, valid JSON document (a malformed one fails on the first run).
    let json = D.get_or_init(|| serde_json::from_str(DOT).expect("DOT is valid JSON"));
    Value::from_json(json)
}

pub fn run(data: &[u8], funcs: &Arc<FuncMap>) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (helpers, main) = text.split_once('\0').unwrap_or(("", text));
    let mut set = TemplateSet::new(funcs.clone());
    set.set_root_name("gotpl");
    set.set_max_parse_depth(256);
    if !helpers.is_empty() && set.add("t/_helpers.tpl", helpers).is_err() {
        return;
    }
    if set.add("t/main.yaml", main).is_err() {
        return;
    }
    let limits = Limits {
        max_template_depth: 64,
        max_range_iterations: Some(10_000),
        max_output_bytes: Some(1 << 20),
        timeout: Some(Duration::from_secs(1)),
        max_parse_depth: 256,
    };
    for missing_key in [MissingKey::Zero, MissingKey::Error] {
        let opts = ExecOptions {
            missing_key,
            limits: limits.clone(),
        };
        let started = Instant::now();
        let _ = set.execute("t/main.yaml", dot(), &opts);
        // The deadline is checked every few steps; a run far past it means some loop ignores it.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "execution ran {:?} despite a 1 s deadline",
            started.elapsed()
        );
    }
}
