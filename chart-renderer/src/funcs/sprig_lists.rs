//! Sprig's list functions (`list.go`). They take `interface{}` and accept any Go slice; anything else
//! fails with Sprig's `Cannot … on type KIND` (a panic for the plain names, an error for `must*` — both
//! reach the template as `error calling NAME: …`). Results are always new lists.

use super::args::{deep_equal, empty, int_arg, to_int};
use gotmpl::value::{List, Value};
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
    both(m, "rest", &[P::Any], None, |a| {
        let l = elems(&a[0], "Cannot find rest on type")?;
        Ok(Value::list(l.iter().skip(1).cloned().collect()))
    });
    both(m, "initial", &[P::Any], None, |a| {
        let l = elems(&a[0], "Cannot find initial on type")?;
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
        Ok(Value::list(l[start as usize..end as usize].to_vec()))
    });
    both(m, "chunk", &[P::Int, P::Any], None, |a| {
        let size = int_arg(&a[0]);
        let l = elems(&a[1], "Cannot chunk type")?;
        if size <= 0 {
            // Go divides by the size as a float and makes slices of the (infinite or negative) counts and
            // lengths that gives; one of them is always out of range, an empty list included.
            return Err(FuncError(
                "runtime error: makeslice: len out of range".into(),
            ));
        }
        Ok(Value::list(
            l.chunks(size as usize)
                .map(|c| Value::list(c.to_vec()))
                .collect(),
        ))
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
        Ok(Value::list(out))
    }));
}
