//! Sprig's list functions (`list.go`). They take `interface{}` and accept any Go slice; anything else
//! fails with Sprig's `Cannot … on type KIND` (a panic for the plain names, an error for `must*` — both
//! reach the template as `error calling NAME: …`). Results are always new lists.

use super::args::{deep_equal, empty, int_arg, to_int};
use gotmpl::value::{List, ListType, Value};
use gotmpl::{FuncError, FuncMap, FuncResult, Function, ParamType as P};

/// Go's message when Sprig calls `reflect.TypeOf(nil).Kind()` on a nil argument.
const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The elements of a Go slice argument, or Sprig's error naming the argument's kind.
fn elems(v: &Value, what: &str) -> Result<List, FuncError> {
    match v {
        Value::List(l) => Ok(l.clone()),
        Value::Bytes(b) => Ok(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        Value::Invalid | Value::Nil => Err(FuncError(NIL_DEREF.into())),
        Value::Object(o) => match o.as_collection() {
            Some(Value::List(l)) if o.kind_name() == "slice" => Ok(l),
            _ => Err(FuncError(format!("{what} {}", v.kind_name()))),
        },
        other => Err(FuncError(format!("{what} {}", other.kind_name()))),
    }
}

/// Registers `name` and `mustName` with one body (their only difference in Go is panic vs error).
fn both(
    m: &mut FuncMap,
    name: &str,
    params: &'static [P],
    variadic: Option<P>,
    body: fn(&[Value]) -> FuncResult,
) {
    m.insert(Function::pure(name, params, variadic, body));
    let mut must = String::from("must");
    let mut chars = name.chars();
    if let Some(c) = chars.next() {
        must.push(c.to_ascii_uppercase());
        must.push_str(chars.as_str());
    }
    m.insert(Function::pure(&must, params, variadic, body));
}

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("list", &[], Some(P::Any), |a| {
        Ok(Value::list(a.to_vec()))
    }));
    m.insert(Function::pure("tuple", &[], Some(P::Any), |a| {
        Ok(Value::list(a.to_vec()))
    }));
    let push: fn(&[Value]) -> FuncResult = |a| {
        let mut out = elems(&a[0], "Cannot push on type")?.to_vec();
        out.push(a[1].clone());
        Ok(Value::list(out))
    };
    both(m, "push", &[P::Any, P::Any], None, push);
    both(m, "append", &[P::Any, P::Any], None, push);
    both(m, "prepend", &[P::Any, P::Any], None, |a| {
        let l = elems(&a[0], "Cannot prepend on type")?;
        let mut out = Vec::with_capacity(l.len() + 1);
        out.push(a[1].clone());
        out.extend(l.iter().cloned());
        Ok(Value::list(out))
    });
    both(m, "first", &[P::Any], None, |a| {
        Ok(elems(&a[0], "Cannot find first on type")?
            .first()
            .cloned()
            .unwrap_or(Value::Nil))
    });
    both(m, "last", &[P::Any], None, |a| {
        Ok(elems(&a[0], "Cannot find last on type")?
            .last()
            .cloned()
            .unwrap_or(Value::Nil))
    });
    // Of an empty list, `rest` and `initial` give a nil `[]interface {}` (`toJson` prints null).
    both(m, "rest", &[P::Any], None, |a| {
        let l = elems(&a[0], "Cannot find rest on type")?;
        if l.is_empty() {
            return Ok(Value::List(List::nil(ListType::Interface)));
        }
        Ok(Value::list(l.iter().skip(1).cloned().collect()))
    });
    both(m, "initial", &[P::Any], None, |a| {
        let l = elems(&a[0], "Cannot find initial on type")?;
        if l.is_empty() {
            return Ok(Value::List(List::nil(ListType::Interface)));
        }
        Ok(Value::list(
            l.iter().take(l.len().saturating_sub(1)).cloned().collect(),
        ))
    });
    both(m, "reverse", &[P::Any], None, |a| {
        let l = elems(&a[0], "Cannot find reverse on type")?;
        Ok(Value::list(l.iter().rev().cloned().collect()))
    });
    both(m, "compact", &[P::Any], None, |a| {
        let l = elems(&a[0], "Cannot compact on type")?;
        Ok(Value::list(
            l.iter().filter(|v| !empty(v)).cloned().collect(),
        ))
    });
    both(m, "uniq", &[P::Any], None, |a| {
        let l = elems(&a[0], "Cannot find uniq on type")?;
        let mut out: Vec<Value> = Vec::new();
        for v in l.iter() {
            if !out.iter().any(|x| deep_equal(v, x)) {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    });
    both(m, "without", &[P::Any], Some(P::Any), |a| {
        let l = elems(&a[0], "Cannot find without on type")?;
        let omit = &a[1..];
        Ok(Value::list(
            l.iter()
                .filter(|v| !omit.iter().any(|o| deep_equal(v, o)))
                .cloned()
                .collect(),
        ))
    });
    both(m, "has", &[P::Any, P::Any], None, |a| {
        if a[1].is_nil_or_invalid() {
            return Ok(Value::Bool(false));
        }
        let l = elems(&a[1], "Cannot find has on type")?;
        Ok(Value::Bool(l.iter().any(|v| deep_equal(&a[0], v))))
    });
    both(m, "slice", &[P::Any], Some(P::Any), |a| {
        let l = elems(&a[0], "list should be type of slice or array but")?;
        if l.is_empty() {
            return Ok(Value::Nil);
        }
        let start = a.get(1).map(to_int).unwrap_or(0);
        let end = a.get(2).map(to_int).unwrap_or(l.len() as i64);
        if start < 0 || end < start || end > l.len() as i64 {
            return Err(FuncError(
                "reflect.Value.Slice: slice index out of bounds".into(),
            ));
        }
        // A reflect slice expression keeps the Go type (`[]string` stays `[]string`).
        Ok(Value::List(l.sub(start as usize..end as usize)))
    });
    both(m, "chunk", &[P::Int, P::Any], None, |a| {
        let size = int_arg(&a[0]);
        let l = elems(&a[1], "Cannot chunk type")?;
        Ok(Value::List(List::typed(chunk(size, &l)?, ListType::Lists)))
    });
    m.insert(Function::pure("concat", &[], Some(P::Any), |a| {
        let mut out = Vec::new();
        for v in a {
            match elems(v, "") {
                Ok(l) => out.extend(l.iter().cloned()),
                Err(_) if v.is_nil_or_invalid() => return Err(FuncError(NIL_DEREF.into())),
                Err(_) => {
                    return Err(FuncError(format!(
                        "Cannot concat type {} as list",
                        v.kind_name()
                    )))
                }
            }
        }
        // No elements at all leaves Sprig's result slice nil.
        if out.is_empty() {
            return Ok(Value::List(List::nil(ListType::Interface)));
        }
        Ok(Value::list(out))
    }));
}

/// Sprig's `chunk`, including what it does with a size <= 0: it computes the chunk count as
/// `floor((len-1)/size + 1)` and the last chunk's length as `floor(mod(len, size))` (or `size` when
/// that is 0) in float64, and `make` panics on a negative count or length. So some negative sizes give
/// an empty list or one chunk, and the rest fail with Go's runtime error.
fn chunk(size: i64, l: &[Value]) -> Result<Vec<Value>, FuncError> {
    const MAKESLICE: &str = "runtime error: makeslice: len out of range";
    let len = l.len() as i64;
    if size > 0 {
        return Ok(l
            .chunks(size as usize)
            .map(|c| Value::list(c.to_vec()))
            .collect());
    }
    // Go converts NaN and infinities to int as i64::MIN on amd64, which `make` rejects like any
    // negative count; Rust's saturating `as` gives 0 or i64::MAX, hence the explicit test.
    let go_int = |f: f64| -> i64 {
        if f.is_finite() {
            f as i64
        } else {
            i64::MIN
        }
    };
    let count = go_int(((len - 1) as f64 / size as f64 + 1.0).floor());
    if count < 0 {
        return Err(FuncError(MAKESLICE.into()));
    }
    let mut out = Vec::new();
    for i in 0..count {
        let mut clen = size;
        if i == count - 1 {
            clen = go_int((len as f64 % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(FuncError(MAKESLICE.into()));
        }
        let mut part = Vec::new();
        for j in 0..clen {
            let ix = i * size + j;
            let item = usize::try_from(ix)
                .ok()
                .and_then(|ix| l.get(ix))
                .ok_or_else(|| FuncError("reflect: slice index out of range".into()))?;
            part.push(item.clone());
        }
        out.push(Value::list(part));
    }
    Ok(out)
}
