//! The public API, options and limits.
//!
//! Where a case shows Go semantics Helm cannot be asked about (Helm always renders with
//! `missingkey=zero` or `error`, and its SDK exposes neither `default` nor strict rendering), the
//! expected text is the one Go's `text/template/exec.go` produces for that path (`evalField`,
//! `walkTemplate`), cited per test.

mod lang_common;

use gotmpl::{
    CallContext, ErrorKind, ExecOptions, FuncError, FuncMap, Function, Limits, MissingKey, Object,
    ParamType, TemplateSet, Value,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn set_with(files: &[(&str, &str)]) -> TemplateSet {
    let mut set = TemplateSet::new(lang_common::funcs());
    for (n, t) in files {
        set.add(n, t).unwrap_or_else(|e| panic!("parse {n}: {e}"));
    }
    set
}

fn values(json: &str) -> Value {
    let v: serde_json::Value = serde_json::from_str(json).expect("json");
    Value::Map(
        [("Values".to_string(), Value::from_json(&v))]
            .into_iter()
            .collect(),
    )
}

fn run(set: &TemplateSet, dot: Value, mk: MissingKey) -> Result<String, gotmpl::Error> {
    set.execute(
        "t",
        dot,
        &ExecOptions {
            missing_key: mk,
            ..Default::default()
        },
    )
}

#[test]
fn missingkey_default_prints_no_value_and_chains_silently() {
    // Go exec.go evalField: under missingkey=default a missing key is the invalid Value, which prints
    // `<no value>`, and a field of the invalid Value is again invalid, without error.
    let set = set_with(&[(
        "t",
        "[{{ .Values.nope }}][{{ .Values.nope.deeper }}][{{ typeOf .Values.nope }}]",
    )]);
    assert_eq!(
        run(&set, values("{}"), MissingKey::Default).unwrap(),
        "[<no value>][<no value>][<nil>]"
    );
}

#[test]
fn missingkey_zero_gives_nil_interface() {
    // Same as Helm (goldens in lang.json): printing shows `<no value>`, a field of it is an error.
    let set = set_with(&[("t", "[{{ .Values.nope }}]{{ .Values.nope.deeper }}")]);
    let e = run(&set, values("{}"), MissingKey::Zero).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1:30: executing \"t\" at <.Values.nope.deeper>: nil pointer evaluating interface {}.deeper"
    );
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::Exec, 1, Some(30)));
}

#[test]
fn missingkey_error_reports_key() {
    // Go exec.go evalField, mapError: `map has no entry for key %q`.
    let set = set_with(&[("t", "a\n  {{ .Values.nope }}")]);
    let e = run(&set, values("{}"), MissingKey::Error).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:2:12: executing \"t\" at <.Values.nope>: map has no entry for key \"nope\""
    );
    assert_eq!(e.node.as_deref(), Some(".Values.nope"));
    // Go exec.go evalField on an invalid receiver under mapError: `nil data; no entry for key %q`.
    let set = set_with(&[("t", "{{ $x := index .Values \"nope\" }}{{ $x.y }}")]);
    let e = run(&set, values("{}"), MissingKey::Error).unwrap_err();
    assert!(
        e.to_string().ends_with("nil data; no entry for key \"y\""),
        "{e}"
    );
    // `index` is not subject to missingkey (ANCHORS 21): still the zero value.
    let set = set_with(&[("t", "[{{ index .Values \"nope\" }}]")]);
    assert_eq!(
        run(&set, values("{}"), MissingKey::Error).unwrap(),
        "[<no value>]"
    );
}

#[test]
fn define_rules_across_adds() {
    let mut set = set_with(&[("a", "{{ define \"x\" }}A{{ end }}")]);
    // An empty redefinition in a later text does not replace.
    set.add("b", "{{ define \"x\" }}  {{/* nothing */}} {{ end }}")
        .unwrap();
    set.add("t", "{{ template \"x\" }}").unwrap();
    assert_eq!(run(&set, Value::Nil, MissingKey::Zero).unwrap(), "A");
    // A later non-empty one does.
    set.add("c", "{{ define \"x\" }}C{{ end }}").unwrap();
    assert_eq!(run(&set, Value::Nil, MissingKey::Zero).unwrap(), "C");
    // A failed parse leaves the set unchanged.
    let e = set
        .add("d", "{{ define \"x\" }}D{{ end }}{{ nope }}")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: d:1: function \"nope\" not defined"
    );
    assert_eq!(run(&set, Value::Nil, MissingKey::Zero).unwrap(), "C");
    assert!(set.contains("x") && set.contains("a") && !set.contains("d"));
}

#[test]
fn execute_unknown_template() {
    let mut set = set_with(&[]);
    set.set_root_name("gotpl");
    let e = set
        .execute("nope", Value::Nil, &ExecOptions::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: no template \"nope\" associated with template \"gotpl\""
    );
    assert_eq!(e.kind, ErrorKind::NoTemplate);
}

#[test]
fn exec_error_inside_define_names_define_and_file() {
    let set = set_with(&[
        ("lib.tpl", "{{ define \"d\" }}\n\t{{ .x.y }}{{ end }}"),
        ("t", "{{ template \"d\" dict \"x\" \"s\" }}"),
    ]);
    let e = run(&set, Value::Nil, MissingKey::Zero).unwrap_err();
    assert_eq!(e.to_string(), "template: lib.tpl:2:6: executing \"d\" at <.x.y>: can't evaluate field y in type interface {}");
    assert_eq!(e.parse_name, "lib.tpl");
    assert_eq!(e.template.as_deref(), Some("d"));
}

#[test]
fn column_is_a_byte_offset() {
    let set = set_with(&[("t", "é\nxé{{ .a.b }}")]);
    let dot = Value::Map([("a".to_string(), Value::from("s"))].into_iter().collect());
    let e = run(&set, dot, MissingKey::Zero).unwrap_err();
    // Go places a field chain at its second field (the chain node's position): `.b` is byte 8.
    assert_eq!((e.line, e.col), (2, Some(8)));
}

/// A `tpl`-like function that records nothing; the cache is observed through parse counting below.
fn tpl_set() -> TemplateSet {
    let mut m = (*lang_common::funcs()).clone();
    m.insert(Function::new(
        "tplx",
        &[ParamType::String, ParamType::Any],
        None,
        |ctx: &mut dyn CallContext, a: &[Value]| {
            let text = a[0].as_str().unwrap_or_default().to_string();
            ctx.execute_text("tplname", &text, a[1].clone())
                .map(Value::from)
                .map_err(|e| FuncError(e.to_string()))
        },
    ));
    m.insert(Function::new(
        "depth",
        &[],
        None,
        |ctx: &mut dyn CallContext, _: &[Value]| Ok(Value::Int(ctx.depth() as i64)),
    ));
    m.insert(Function::new(
        "me",
        &[],
        None,
        |ctx: &mut dyn CallContext, _: &[Value]| Ok(Value::from(ctx.template_name())),
    ));
    TemplateSet::new(Arc::new(m))
}

#[test]
fn execute_text_sees_defines_and_shares_dot() {
    let mut set = tpl_set();
    set.add("lib", "{{ define \"x\" }}X{{ .Values.a }}{{ end }}")
        .unwrap();
    set.add(
        "t",
        "{{ tplx \"{{ template \\\"x\\\" . }}{{ $_ := set .Values \\\"b\\\" \\\"set-in-tpl\\\" }}{{ me }}{{ depth }}\" . }}|{{ .Values.b }}|{{ me }}{{ depth }}",
    )
    .unwrap();
    let dot = values(r#"{"a": "1"}"#);
    // The dot is shared, not copied: a `set` inside the tpl text is visible afterwards.
    assert_eq!(
        run(&set, dot, MissingKey::Zero).unwrap(),
        "X1tplname1|set-in-tpl|t0"
    );
}

#[test]
fn execute_text_defines_shadow_only_while_running() {
    let mut set = tpl_set();
    set.add("lib", "{{ define \"x\" }}lib{{ end }}").unwrap();
    set.add("t", "{{ tplx \"{{ define \\\"x\\\" }}tpl{{ end }}{{ template \\\"x\\\" }}\" . }} {{ template \"x\" }}").unwrap();
    assert_eq!(run(&set, Value::Nil, MissingKey::Zero).unwrap(), "tpl lib");
}

#[test]
fn execute_text_errors_use_the_text_name() {
    let mut set = tpl_set();
    set.add("t", "{{ tplx \"a\\n{{ fail \\\"boom\\\" }}\" . }}")
        .unwrap();
    let e = run(&set, Value::Nil, MissingKey::Zero).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1:3: executing \"t\" at <tplx \"a\\n{{ fail \\\"boom\\\" }}\" .>: error calling tplx: template: tplname:2:3: executing \"tplname\" at <fail \"boom\">: error calling fail: HELM_ERR_STARTboomHELM_ERR_END"
    );
}

#[test]
fn execute_text_parse_is_cached() {
    // The same text run six times (three range iterations, two renders) is parsed once.
    let mut set = tpl_set();
    set.add(
        "t",
        "{{ range .Values.l }}{{ tplx \"{{ . }}\" . }}{{ end }}",
    )
    .unwrap();
    let dot = values(r#"{"l": ["a", "b", "c"]}"#);
    assert_eq!(run(&set, dot.clone(), MissingKey::Zero).unwrap(), "abc");
    assert_eq!(run(&set, dot, MissingKey::Zero).unwrap(), "abc");
    assert_eq!(set.cached_texts(), 1);
}

#[derive(Debug)]
struct Files;

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn field(&self, name: &str) -> Option<Value> {
        (name == "Count").then(|| Value::Int(2))
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Get" | "Glob")
    }
    fn method_arity(&self, _name: &str) -> (usize, bool) {
        (1, false)
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match (name, args[0].as_str()) {
            ("Get", Some("a.txt")) => Ok(Value::from("content-a")),
            ("Get", Some(_)) => Ok(Value::from("")),
            (_, _) => Err("bad pattern".into()),
        }
    }
    fn go_format(&self) -> String {
        "map[]".into()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

#[test]
fn object_methods_and_fields() {
    let dot = Value::Map(
        [("Files".to_string(), Value::Object(Arc::new(Files)))]
            .into_iter()
            .collect(),
    );
    let ok = |t: &str| {
        let set = set_with(&[("t", t)]);
        run(&set, dot.clone(), MissingKey::Zero)
    };
    assert_eq!(
        ok("{{ .Files.Get \"a.txt\" }}|{{ \"a.txt\" | .Files.Get }}|{{ .Files.Count }}").unwrap(),
        "content-a|content-a|2"
    );
    assert_eq!(
        ok("{{ .Files.Get }}").unwrap_err().to_string(),
        "template: t:1:9: executing \"t\" at <.Files.Get>: wrong number of args for Get: want 1 got 0"
    );
    assert_eq!(
        ok("{{ .Files.Glob 1 }}").unwrap_err().to_string(),
        "template: t:1:9: executing \"t\" at <.Files.Glob>: error calling Glob: bad pattern"
    );
    assert_eq!(
        ok("{{ .Files.Nope }}").unwrap_err().to_string(),
        "template: t:1:9: executing \"t\" at <.Files.Nope>: can't evaluate field Nope in type engine.files"
    );
    assert_eq!(
        ok("{{ .Files.Count 1 }}").unwrap_err().to_string(),
        "template: t:1:9: executing \"t\" at <.Files.Count>: Count has arguments but cannot be invoked as function"
    );
}

#[test]
fn limit_template_depth_is_configurable() {
    let set = set_with(&[(
        "t",
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" }}",
    )]);
    let opts = ExecOptions {
        limits: Limits {
            max_template_depth: 50,
            ..Default::default()
        },
        ..Default::default()
    };
    let e = set.execute("t", Value::Nil, &opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.to_string(), "template: t:1:28: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (50)");
}

#[test]
fn limit_recursion_through_include_is_a_limit_error() {
    let set = set_with(&[(
        "t",
        "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
    )]);
    let opts = ExecOptions {
        limits: Limits {
            max_template_depth: 30,
            ..Default::default()
        },
        ..Default::default()
    };
    let e = set.execute("t", Value::Nil, &opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(
        e.to_string()
            .ends_with("exceeded maximum template depth (30)"),
        "{e}"
    );
}

#[test]
fn limit_range_iterations() {
    let set = set_with(&[("t", "{{ range 1000000000 }}{{ end }}")]);
    let opts = ExecOptions {
        limits: Limits {
            max_range_iterations: Some(1000),
            ..Default::default()
        },
        ..Default::default()
    };
    let e = set.execute("t", Value::Nil, &opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(
        e.to_string()
            .ends_with("range iteration limit exceeded (1000)"),
        "{e}"
    );
}

#[test]
fn limit_output_size_counts_nested_output() {
    let set = set_with(&[(
        "t",
        "{{ define \"x\" }}0123456789{{ end }}{{ range 100 }}{{ include \"x\" . }}{{ end }}",
    )]);
    let opts = ExecOptions {
        limits: Limits {
            max_output_bytes: Some(500),
            ..Default::default()
        },
        ..Default::default()
    };
    let e = set.execute("t", Value::Nil, &opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(
        e.to_string()
            .ends_with("output size limit exceeded (500 bytes)"),
        "{e}"
    );
}

#[test]
fn limit_deadline() {
    let set = set_with(&[("t", "{{ range 100000000000 }}{{ end }}")]);
    let opts = ExecOptions {
        limits: Limits {
            timeout: Some(Duration::from_millis(50)),
            ..Default::default()
        },
        ..Default::default()
    };
    let start = std::time::Instant::now();
    let e = set.execute("t", Value::Nil, &opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(
        e.to_string().ends_with("execution deadline exceeded"),
        "{e}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn parser_nesting_guard() {
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(20_000), ")".repeat(20_000));
    let mut set = set_with(&[]);
    let e = set.add("t", &deep).unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1: max expression depth exceeded"
    );
    let ifs = format!(
        "{}x{}",
        "{{ if true }}".repeat(20_000),
        "{{ end }}".repeat(20_000)
    );
    assert_eq!(
        set.add("t", &ifs).unwrap_err().to_string(),
        "template: t:1: max expression depth exceeded"
    );
    // Within the limit, deep nesting parses and runs (on a grown stack, not a crash).
    let ok = format!(
        "{}x{}",
        "{{ if true }}".repeat(5_000),
        "{{ end }}".repeat(5_000)
    );
    set.add("ok", &ok).unwrap();
    assert_eq!(
        set.execute("ok", Value::Nil, &ExecOptions::default())
            .unwrap(),
        "x"
    );
    let parens = format!("{{{{ {}\"p\"{} }}}}", "(".repeat(9_999), ")".repeat(9_999));
    set.add("parens", &parens).unwrap();
    assert_eq!(
        set.execute("parens", Value::Nil, &ExecOptions::default())
            .unwrap(),
        "p"
    );
    // Dropping the deep trees (recursive drops) must not overflow either.
    drop(set);
}

#[test]
fn go_template_depth_default_runs_without_stack_overflow() {
    // Go's cap is 100000 nested {{template}} calls; reaching it must be an error, not a crash.
    let set = set_with(&[(
        "t",
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" }}",
    )]);
    let e = set
        .execute("t", Value::Nil, &ExecOptions::default())
        .unwrap_err();
    assert!(e
        .to_string()
        .ends_with("exceeded maximum template depth (100000)"));
}

#[test]
fn panicking_function_becomes_error() {
    let mut m = FuncMap::new();
    m.insert(Function::pure("boom", &[], None, |_| panic!("kaboom")));
    let mut set = TemplateSet::new(Arc::new(m));
    set.add("t", "{{ boom }}").unwrap();
    let e = set
        .execute("t", Value::Nil, &ExecOptions::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1:3: executing \"t\" at <boom>: error calling boom: kaboom"
    );
}

#[test]
fn sets_are_shared_across_threads() {
    let set = Arc::new(set_with(&[(
        "t",
        "{{ range .Values.l }}{{ . | upper }}{{ end }}",
    )]));
    let count = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let set = set.clone();
            let count = count.clone();
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let dot = values(&format!(r#"{{"l": ["a{i}", "b"]}}"#));
                    let out = set
                        .execute("t", dot, &ExecOptions::default())
                        .expect("render");
                    assert_eq!(out, format!("A{i}B"));
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    assert_eq!(count.load(Ordering::Relaxed), 800);
}

#[test]
fn execute_to_keeps_partial_output() {
    let set = set_with(&[("t", "before{{ fail \"x\" }}after")]);
    let mut out = String::from(">");
    assert!(set
        .execute_to("t", Value::Nil, &ExecOptions::default(), &mut out)
        .is_err());
    assert_eq!(out, ">before");
}

/// A named map type with methods, like Helm's `chartutil.Values`.
#[derive(Debug)]
struct NamedMap(gotmpl::Map);

impl Object for NamedMap {
    fn type_name(&self) -> &str {
        "common.Values"
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn is_true(&self) -> bool {
        !self.0.is_empty()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        name == "AsMap"
    }
    fn call_method(&self, _name: &str, _args: &[Value]) -> Result<Value, String> {
        Ok(Value::Map(self.0.clone()))
    }
    fn go_format(&self) -> String {
        "map[]".into()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
    fn as_collection(&self) -> Option<Value> {
        Some(Value::Map(self.0.clone()))
    }
}

#[test]
fn named_map_objects_follow_map_rules() {
    let inner: gotmpl::Map = [("a".to_string(), Value::from("x"))].into_iter().collect();
    let dot = Value::Object(Arc::new(NamedMap(inner)));
    let render = |t: &str, mk| {
        let set = set_with(&[("t", t)]);
        run(&set, dot.clone(), mk)
    };
    assert_eq!(
        render("{{ .a }}[{{ .nope }}]{{ range $k, $v := . }}{{ $k }}{{ $v }}{{ end }}{{ .AsMap.a }}{{ $_ := set . \"b\" \"y\" }}{{ .b }}", MissingKey::Zero).unwrap(),
        "x[<no value>]axxy"
    );
    // Helm golden `ctx_dot_arg` (lang.json generation, removed there because it needs Helm's dot):
    // `{{ upper . }}` fails with "wrong type for value; expected string; got common.Values".
    assert_eq!(
        render("{{ upper . }}", MissingKey::Zero)
            .unwrap_err()
            .message,
        "wrong type for value; expected string; got common.Values"
    );
    assert_eq!(
        render("{{ .nope }}", MissingKey::Error)
            .unwrap_err()
            .message,
        "map has no entry for key \"nope\""
    );
}

#[test]
fn nested_execute_text_sees_outer_text_defines() {
    // Helm re-binds `tpl` and `include` to the clone a `tpl` text was parsed into, so a `tpl` inside a
    // `tpl` sees the outer text's definitions.
    let mut set = tpl_set();
    set.add(
        "t",
        r#"{{ tplx "{{ define \"inner\" }}I{{ end }}{{ tplx \"[{{ template \\\"inner\\\" }}]\" . }}" . }}"#,
    )
    .unwrap();
    assert_eq!(run(&set, Value::Nil, MissingKey::Zero).unwrap(), "[I]");
}

#[test]
fn parse_depth_is_configurable() {
    let mut set = set_with(&[]);
    set.set_max_parse_depth(3);
    set.add("ok", "{{ if 1 }}{{ with 2 }}{{ (3) }}{{ end }}{{ end }}")
        .unwrap();
    let e = set
        .add(
            "deep",
            "{{ if 1 }}{{ with 2 }}{{ range 3 }}{{ (4) }}{{ end }}{{ end }}{{ end }}",
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: deep:1: max expression depth exceeded"
    );
}

#[test]
fn exponential_template_recursion_ends_in_a_limit_error() {
    let set = set_with(&[("t", "{{ define \"r\" }}{{ template \"r\" . }}{{ template \"r\" . }}{{ end }}{{ template \"r\" }}")]);
    let opts = ExecOptions {
        limits: Limits {
            max_template_depth: 40,
            timeout: Some(Duration::from_millis(50)),
            ..Default::default()
        },
        ..Default::default()
    };
    // 2^40 calls would never finish; a limit ends it (here the depth cap, reached on the first descent;
    // the deadline is also checked on every template call).
    let e = set.execute("t", Value::Nil, &opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
}

#[derive(Debug)]
struct VersionSet;

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method_arity(&self, _name: &str) -> (usize, bool) {
        (1, false)
    }
    fn call_method(&self, _name: &str, args: &[Value]) -> Result<Value, String> {
        Ok(Value::Bool(args[0].as_str() == Some("v1")))
    }
    fn go_format(&self) -> String {
        "[v1 apps/v1]".into()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
    fn as_collection(&self) -> Option<Value> {
        Some(Value::list(vec![Value::from("v1"), Value::from("apps/v1")]))
    }
}

#[test]
fn slice_objects_range_and_call_methods() {
    let dot = Value::Map(
        [("V".to_string(), Value::Object(Arc::new(VersionSet)))]
            .into_iter()
            .collect(),
    );
    let set = set_with(&[(
        "t",
        "{{ range $i, $v := .V }}{{ $v }};{{ end }}{{ .V.Has \"v1\" }}{{ .V.Has \"x\" }}",
    )]);
    assert_eq!(
        run(&set, dot, MissingKey::Zero).unwrap(),
        "v1;apps/v1;truefalse"
    );
}

#[test]
fn range_over_bytes_gives_numbers() {
    let dot = Value::Map(
        [("b".to_string(), Value::Bytes(Arc::from(&b"AB"[..])))]
            .into_iter()
            .collect(),
    );
    let set = set_with(&[("t", "{{ range $i, $c := .b }}{{ $i }}={{ $c }} {{ end }}")]);
    assert_eq!(run(&set, dot, MissingKey::Zero).unwrap(), "0=65 1=66 ");
}
