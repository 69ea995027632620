//! Sprig's dictionary functions (`dict.go`). Go maps are reference values: `set`, `unset`, `merge` and
//! `mergeOverwrite` change the map they are given (every holder sees it) and return that same map.
//!
//! Go iterates maps in random order, so `keys` and `values` come out in a random order in Helm; ours are
//! sorted by key (charts that care pipe `keys` through `sortAlpha`).

use super::args::{map_arg, str_arg, string, string_list, strval};
use gotmpl::value::{Map, MapType, Value};
use gotmpl::{FuncError, FuncMap, Function, ParamType as P};

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("dict", &[], Some(P::Any), |a| {
        let d = Map::new();
        for pair in a.chunks(2) {
            let value = pair.get(1).cloned().unwrap_or_else(|| string(""));
            d.insert(strval(&pair[0]), value);
        }
        Ok(Value::Map(d))
    }));
    m.insert(Function::pure("get", &[P::Map, P::String], None, |a| {
        Ok(map_arg(&a[0])
            .and_then(|d| d.get(&str_arg(&a[1])))
            .unwrap_or_else(|| string("")))
    }));
    m.insert(Function::pure(
        "set",
        &[P::Map, P::String, P::Any],
        None,
        |a| {
            let d =
                map_arg(&a[0]).ok_or_else(|| FuncError("assignment to entry in nil map".into()))?;
            d.insert(str_arg(&a[1]).into_owned(), a[2].clone());
            Ok(a[0].clone())
        },
    ));
    m.insert(Function::pure("unset", &[P::Map, P::String], None, |a| {
        match map_arg(&a[0]) {
            Some(d) => {
                d.remove(&str_arg(&a[1]));
                Ok(a[0].clone())
            }
            // `delete` on a nil map is a no-op and the nil map prints as `map[]`.
            None => Ok(Value::Map(Map::new())),
        }
    }));
    m.insert(Function::pure("hasKey", &[P::Map, P::String], None, |a| {
        Ok(Value::Bool(
            map_arg(&a[0]).is_some_and(|d| d.contains_key(&str_arg(&a[1]))),
        ))
    }));
    m.insert(Function::pure("pluck", &[P::String], Some(P::Map), |a| {
        let key = str_arg(&a[0]);
        Ok(Value::list(
            a[1..]
                .iter()
                .filter_map(|d| map_arg(d).and_then(|d| d.get(&key)))
                .collect(),
        ))
    }));
    m.insert(Function::pure("keys", &[], Some(P::Map), |a| {
        Ok(string_list(
            a.iter().filter_map(map_arg).flat_map(|d| d.keys()),
        ))
    }));
    m.insert(Function::pure("values", &[P::Map], None, |a| {
        Ok(Value::list(
            map_arg(&a[0])
                .map(|d| d.entries().into_iter().map(|(_, v)| v).collect())
                .unwrap_or_default(),
        ))
    }));
    m.insert(Function::pure("pick", &[P::Map], Some(P::String), |a| {
        let out = Map::new();
        if let Some(d) = map_arg(&a[0]) {
            for k in &a[1..] {
                let k = str_arg(k);
                if let Some(v) = d.get(&k) {
                    out.insert(k.into_owned(), v);
                }
            }
        }
        Ok(Value::Map(out))
    }));
    m.insert(Function::pure("omit", &[P::Map], Some(P::String), |a| {
        let out = Map::new();
        if let Some(d) = map_arg(&a[0]) {
            let omit: Vec<_> = a[1..].iter().map(|k| str_arg(k)).collect();
            for (k, v) in d.entries() {
                if !omit.iter().any(|o| **o == *k) {
                    out.insert(k, v);
                }
            }
        }
        Ok(Value::Map(out))
    }));
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        m.insert(Function::pure(name, &[P::Map], Some(P::Map), move |a| {
            // mergo gives a nil destination a fresh map (which is then what the function returns).
            let dst = map_arg(&a[0]).cloned().unwrap_or_default();
            for src in a[1..].iter().filter_map(map_arg) {
                mergo(&dst, src, overwrite);
            }
            Ok(Value::Map(dst))
        }));
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        m.insert(Function::pure(name, &[P::Any], None, |a| {
            if a[0].is_nil_or_invalid() {
                // copystructure reflects on the nil interface and panics.
                return Err(FuncError(
                    "reflect: call of reflect.Value.Type on zero Value".into(),
                ));
            }
            Ok(a[0].deep_copy())
        }));
    }
    m.insert(Function::pure("dig", &[], Some(P::Any), |a| {
        if a.len() < 3 {
            return Err(FuncError("dig needs at least three arguments".into()));
        }
        let dict = as_map_assert(&a[a.len() - 1])?;
        let default = &a[a.len() - 2];
        let mut keys = Vec::with_capacity(a.len() - 2);
        for k in &a[..a.len() - 2] {
            match k {
                Value::String(s) => keys.push(s.clone()),
                other => return Err(assert_failed(other, "string")),
            }
        }
        let mut cur = dict;
        for (i, k) in keys.iter().enumerate() {
            let Some(step) = cur.get(k) else {
                return Ok(default.clone());
            };
            if i + 1 == keys.len() {
                return Ok(step);
            }
            cur = as_map_assert(&step)?;
        }
        Ok(default.clone())
    }));
}

/// Go's failed type assertion panic `x.(T)`.
fn assert_failed(v: &Value, want: &str) -> FuncError {
    let got = if v.is_nil_or_invalid() {
        "nil".into()
    } else {
        v.type_name()
    };
    FuncError(format!(
        "interface conversion: interface {{}} is {got}, not {want}"
    ))
}

fn as_map_assert(v: &Value) -> Result<Map, FuncError> {
    match v {
        // A type assertion wants exactly this type: `map[string]string` and `common.Values` fail.
        Value::Map(m) if m.map_type() == MapType::Interface => Ok(m.clone()),
        other => Err(assert_failed(other, "map[string]interface {}")),
    }
}

/// mergo's "empty value" test on a map element (the zero value of its dynamic type, or nil).
fn mergo_empty(v: &Value) -> bool {
    super::args::empty(v)
}

/// `mergo.Merge` / `mergo.MergeWithOverwrite` of one `map[string]interface{}` into another, as Sprig
/// calls them: nested maps merge recursively in place; without overwrite a source value only fills a
/// missing or empty destination entry; with overwrite it replaces everything except a non-empty nested
/// map (which is merged into) — and a nil source value, which only overwrite copies.
fn mergo(dst: &Map, src: &Map, overwrite: bool) {
    if dst.ptr_eq(src) {
        return;
    }
    for (key, sv) in src.entries() {
        let dv = dst.get(&key);
        if sv.is_nil_or_invalid() {
            if overwrite {
                dst.insert(key, Value::Nil);
            }
            continue;
        }
        if let (Value::Map(s), Some(Value::Map(d))) = (&sv, &dv) {
            mergo(d, s, overwrite);
            if !d.is_empty() {
                continue;
            }
        }
        if let Some(d) = &dv {
            if !mergo_empty(d) && matches!(sv, Value::List(_) | Value::Bytes(_)) && !overwrite {
                continue;
            }
        }
        if overwrite || dv.as_ref().is_none_or(mergo_empty) {
            dst.insert(key, sv);
        }
    }
}
