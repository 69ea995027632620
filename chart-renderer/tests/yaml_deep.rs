//! Deeply nested documents: Helm accepts 10000 levels, so we must too — our recursive walks grow the
//! stack on demand (stacker) — and fail beyond that with Helm's messages. The thread gets 8 MiB (a main
//! thread's size) because dropping such values (recursive `Drop` of nested enums) still uses the stack,
//! which in unoptimised builds needs more than 2 MiB at this depth; release builds pass with 2 MiB. Expected texts and lengths were rendered by
//! Helm v4.2.3 (helm-python-sdk oracle) from `fromYaml`/`fromYamlArray` of the same inputs.

use chart_renderer::funcs::serialize::{
    from_yaml, from_yaml_array, to_json, to_yaml, to_yaml_pretty,
};
use gotmpl::Value;

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("thread")
        .join()
        .expect("no stack overflow")
}

#[test]
fn ten_thousand_levels_work() {
    on_small_stack(|| {
        let list = Value::list(from_yaml_array(&format!("{}x\n", "- ".repeat(9999))));
        // Helm: {{ fromYamlArray $s | toJson | len }} = 20001
        assert_eq!(to_json(&list).len(), 20001);
        assert_eq!(to_yaml(&list), format!("{}x", "- ".repeat(9999)));
        assert!(!to_yaml_pretty(&list).is_empty());
        let round = Value::list(from_yaml_array(&to_yaml(&list)));
        assert_eq!(to_json(&round), to_json(&list));
    });
}

#[test]
fn beyond_the_limits_fails_like_helm() {
    on_small_stack(|| {
        // 10000 sequences under a key: YAML accepts (the first is indentless), Go's JSON decoder refuses.
        let m = from_yaml(&format!("a:\n{}x\n", "- ".repeat(10000)));
        assert_eq!(
            to_json(&Value::Map(m)),
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: invalid character '[' exceeded max depth"}"#
        );
        let m = from_yaml(&format!("a:\n{}x\n", "- ".repeat(10001)));
        assert_eq!(
            to_json(&Value::Map(m)),
            r#"{"Error":"error converting YAML to JSON: yaml: line 2: exceeded max depth of 10000"}"#
        );
        // Helm: {{ fromYamlArray $s | toJson | len }} = 68 for 10001 levels (one error string)
        let a = from_yaml_array(&format!("{}x\n", "- ".repeat(10001)));
        assert_eq!(to_json(&Value::list(a)).len(), 68);
    });
}
