//! Sprig's defaults and flow functions (`defaults.go`: `default`, `empty`, `coalesce`, `all`, `any`,
//! `ternary`, and `fail` from `functions.go`), reflection (`reflect.go`: `typeOf`, `typeIs`,
//! `typeIsLike`, `kindOf`, `kindIs`, `deepEqual`) and paths (`path` and, on Linux identical,
//! `path/filepath`: `base`, `dir`, `clean`, `ext`, `isAbs` and their `os*` twins).

use super::args::{deep_equal, empty, str_arg, string};
use gotmpl::value::Value;
use gotmpl::{FuncError, FuncMap, Function, ParamType as P};

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("default", &[P::Any], Some(P::Any), |a| {
        Ok(match a.get(1) {
            Some(given) if !empty(given) => given.clone(),
            _ => a[0].clone(),
        })
    }));
    m.insert(Function::pure("empty", &[P::Any], None, |a| {
        Ok(Value::Bool(empty(&a[0])))
    }));
    m.insert(Function::pure("coalesce", &[], Some(P::Any), |a| {
        Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or(Value::Nil))
    }));
    m.insert(Function::pure("all", &[], Some(P::Any), |a| {
        Ok(Value::Bool(a.iter().all(|v| !empty(v))))
    }));
    m.insert(Function::pure("any", &[], Some(P::Any), |a| {
        Ok(Value::Bool(a.iter().any(|v| !empty(v))))
    }));
    m.insert(Function::pure(
        "ternary",
        &[P::Any, P::Any, P::Bool],
        None,
        |a| {
            Ok(if matches!(a[2], Value::Bool(true)) {
                a[0].clone()
            } else {
                a[1].clone()
            })
        },
    ));
    m.insert(Function::pure("fail", &[P::String], None, |a| {
        Err(FuncError(str_arg(&a[0]).into_owned()))
    }));

    m.insert(Function::pure("typeOf", &[P::Any], None, |a| {
        Ok(string(&*a[0].type_name()))
    }));
    m.insert(Function::pure("typeIs", &[P::String, P::Any], None, |a| {
        Ok(Value::Bool(*str_arg(&a[0]) == *a[1].type_name()))
    }));
    m.insert(Function::pure(
        "typeIsLike",
        &[P::String, P::Any],
        None,
        |a| {
            let (target, t) = (str_arg(&a[0]), a[1].type_name());
            Ok(Value::Bool(
                *target == *t || t.strip_prefix('*') == Some(&*target),
            ))
        },
    ));
    m.insert(Function::pure("kindOf", &[P::Any], None, |a| {
        Ok(string(a[0].kind_name()))
    }));
    m.insert(Function::pure("kindIs", &[P::String, P::Any], None, |a| {
        Ok(Value::Bool(*str_arg(&a[0]) == *a[1].kind_name()))
    }));
    m.insert(Function::pure("deepEqual", &[P::Any, P::Any], None, |a| {
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    }));

    for (plain, os) in [
        ("base", "osBase"),
        ("dir", "osDir"),
        ("clean", "osClean"),
        ("ext", "osExt"),
    ] {
        let f: fn(&str) -> String = match plain {
            "base" => path_base,
            "dir" => path_dir,
            "clean" => path_clean,
            _ => path_ext,
        };
        for name in [plain, os] {
            m.insert(Function::pure(name, &[P::String], None, move |a| {
                Ok(string(f(&str_arg(&a[0]))))
            }));
        }
    }
    for name in ["isAbs", "osIsAbs"] {
        m.insert(Function::pure(name, &[P::String], None, |a| {
            Ok(Value::Bool(str_arg(&a[0]).starts_with('/')))
        }));
    }
}

/// Go's `path.Clean`: the shortest lexically equivalent path (`//`→`/`, drop `.`, resolve `..` against
/// the previous element, drop `..` at the root; an empty result is `.`).
pub fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(last) if *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`: the last element after dropping trailing slashes (`""`→`.`, all slashes → `/`).
pub fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go's `path.Dir`: everything up to the last slash, cleaned.
pub fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(dir)
}

/// Go's `path.Ext`: from the last `.` of the last element, or "".
pub fn path_ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return p[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_rules() {
        // Expected values from Go's path package documentation examples.
        assert_eq!(path_clean("a//b/./c/../d/"), "a/b/d");
        assert_eq!(path_clean("/../a"), "/a");
        assert_eq!(path_clean("../../a/.."), "../..");
        assert_eq!(path_clean(""), ".");
        assert_eq!(path_base("/a/b/"), "b");
        assert_eq!(path_base("///"), "/");
        assert_eq!(path_dir("/a/b/c"), "/a/b");
        assert_eq!(path_dir("abc"), ".");
        assert_eq!(path_ext("a/b.tar.gz"), ".gz");
        assert_eq!(path_ext("a.b/c"), "");
    }
}
