//! Shared helpers for the golden tests: a small Helm-like function table and Helm's error formatting.
//!
//! The functions below behave like their Sprig/Helm namesakes *for the inputs the golden cases use*
//! (strings, lists, maps); they exist so the language can be tested before the real Sprig layer is
//! wired in, and they are not a replacement for it.

#![allow(dead_code)]

use gotmpl::{CallContext, Error, ErrorKind, FuncError, FuncMap, Function, ParamType, Value};
use std::sync::Arc;

pub const WARN_START: &str = "HELM_ERR_START";
pub const WARN_END: &str = "HELM_ERR_END";

fn warn(msg: &str) -> FuncError {
    FuncError(format!("{WARN_START}{msg}{WARN_END}"))
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Go's predefined functions (from the builtins item) plus the Helm-like helpers.
pub fn funcs() -> Arc<FuncMap> {
    use ParamType::*;
    let mut m = gotmpl::funcs::builtins::builtins();
    let add = |m: &mut FuncMap, f: Function| {
        if !m.contains(&f.name) {
            m.insert(f);
        }
    };
    // `and`/`or` are evaluated by the executor; the table entry only makes the names parse.
    add(
        &mut m,
        Function::pure("and", &[Any], Some(Any), |a| Ok(a[0].clone())),
    );
    add(
        &mut m,
        Function::pure("or", &[Any], Some(Any), |a| Ok(a[0].clone())),
    );
    add(
        &mut m,
        Function::pure("upper", &[String], None, |a| {
            Ok(Value::from(s(&a[0]).to_uppercase()))
        }),
    );
    add(
        &mut m,
        Function::pure("lower", &[String], None, |a| {
            Ok(Value::from(s(&a[0]).to_lowercase()))
        }),
    );
    add(
        &mut m,
        Function::pure("list", &[], Some(Any), |a| Ok(Value::list(a.to_vec()))),
    );
    add(
        &mut m,
        Function::pure("dict", &[], Some(Any), |a| {
            let map = gotmpl::Map::new();
            for kv in a.chunks(2) {
                map.insert(s(&kv[0]), kv.get(1).cloned().unwrap_or(Value::Nil));
            }
            Ok(Value::Map(map))
        }),
    );
    add(
        &mut m,
        Function::pure("set", &[Map, String, Any], None, |a| {
            if let Value::Map(map) = &a[0] {
                map.insert(s(&a[1]), a[2].clone());
            }
            Ok(a[0].clone())
        }),
    );
    add(
        &mut m,
        Function::pure("fail", &[String], None, |a| Err(warn(&s(&a[0])))),
    );
    add(
        &mut m,
        Function::pure("required", &[String, Any], None, |a| match &a[1] {
            Value::Nil | Value::Invalid => Err(warn(&s(&a[0]))),
            Value::String(x) if x.is_empty() => Err(warn(&s(&a[0]))),
            v => Ok(v.clone()),
        }),
    );
    add(
        &mut m,
        Function::new(
            "include",
            &[String, Any],
            None,
            |ctx: &mut dyn CallContext, a: &[Value]| {
                ctx.execute_template(&s(&a[0]), a[1].clone())
                    .map(Value::from)
                    .map_err(|e| FuncError(e.to_string()))
            },
        ),
    );
    add(
        &mut m,
        Function::new(
            "tpl",
            &[String, Any],
            None,
            |ctx: &mut dyn CallContext, a: &[Value]| {
                // Helm v4 parses `tpl` text as its root template `gotpl` and strips `<no value>`.
                let text = s(&a[0]);
                match ctx.execute_text("gotpl", &text, a[1].clone()) {
                    Ok(out) => Ok(Value::from(out.replace("<no value>", ""))),
                    Err(e) if e.kind == ErrorKind::Parse => {
                        Err(FuncError(format!("cannot parse template {:?}: {e}", text)))
                    }
                    Err(e) => Err(FuncError(format!(
                        "error during tpl function execution for {:?}: {e}",
                        text
                    ))),
                }
            },
        ),
    );
    add(
        &mut m,
        Function::pure("repeat", &[Int, String], None, |a| {
            let n = match a[0] {
                Value::Int(n) => n.max(0) as usize,
                _ => 0,
            };
            Ok(Value::from(s(&a[1]).repeat(n)))
        }),
    );
    add(
        &mut m,
        Function::pure("typeOf", &[Any], None, |a| {
            Ok(Value::from(a[0].type_name().to_string()))
        }),
    );
    add(
        &mut m,
        Function::pure("kindOf", &[Any], None, |a| {
            Ok(Value::from(a[0].kind_name()))
        }),
    );
    add(
        &mut m,
        Function::pure("default", &[Any], Some(Any), |a| match a.get(1) {
            Some(v) if v.is_true() => Ok(v.clone()),
            _ => Ok(a[0].clone()),
        }),
    );
    add(
        &mut m,
        Function::pure("quote", &[], Some(Any), |a| {
            Ok(Value::from(
                a.iter()
                    .map(|v| format!("{:?}", s(v)))
                    .collect::<Vec<_>>()
                    .join(" "),
            ))
        }),
    );
    Arc::new(m)
}

/// Whether the builtins item has landed (its table is empty until then).
pub fn have_builtins() -> bool {
    gotmpl::funcs::builtins::builtins().contains("printf")
}

/// Whether Go fmt printing has landed.
pub fn have_fmt() -> bool {
    gotmpl::value::gofmt::sprint(&[Value::Int(1)]) == "1"
}

/// The text Helm v4 shows for an engine error (its `cleanupParseError` / `cleanupExecError` and the
/// multi-line exec format), so Rust errors can be compared with Helm's goldens.
pub fn helm_format(e: &Error) -> String {
    let full = e.to_string();
    match e.kind {
        ErrorKind::Parse => {
            let tokens: Vec<&str> = full.split(": ").collect();
            format!(
                "parse error at ({}): {}",
                tokens[1],
                tokens[tokens.len() - 1]
            )
        }
        _ => {
            let tokens: Vec<&str> = full.splitn(3, ": ").collect();
            if tokens.len() == 3 {
                if let (Some(a), Some(b)) = (tokens[2].find(WARN_START), tokens[2].find(WARN_END)) {
                    return format!(
                        "execution error at ({}): {}",
                        tokens[1],
                        &tokens[2][a + WARN_START.len()..b]
                    );
                }
            }
            if e.message.contains("error calling tpl: ") {
                return full;
            }
            match (&e.node, e.col) {
                (Some(node), Some(col)) => format!(
                    "{}:{}:{}\n  executing \"{}\" at <{}>:\n    {}",
                    e.parse_name,
                    e.line,
                    col,
                    e.template.as_deref().unwrap_or_default(),
                    node,
                    e.message.replace(": template: ", ":\ntemplate: ")
                ),
                _ => full,
            }
        }
    }
}
