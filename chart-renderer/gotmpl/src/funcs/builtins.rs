//! Go's predefined template functions (`and or not len index slice call print printf println html js
//! urlquery eq ne lt le gt ge`), with Go's type rules and error texts (Go 1.26, `text/template/funcs.go`).
//!
//! Go passes most of these their arguments as `reflect.Value`s. Two flavours of "nothing" reach them and are
//! kept apart here because `len` reports them differently:
//! - [`Value::Invalid`] is the zero `reflect.Value`: the literal `nil` (`len nil` panics inside reflect);
//! - [`Value::Nil`] is an `interface{}` holding nil: a missing key under Helm's `missingkey=zero`, or a
//!   `null` value (`len .Values.nope` is `len of nil pointer`).
//!
//! Everywhere else both behave the same.
//!
//! `and`/`or` short-circuit in Go's executor, which evaluates their operands itself; their bodies here give
//! the same result when all operands are already evaluated (first falsy / first truthy / last operand), so
//! an executor may also simply call them.

use super::{FuncError, FuncMap, FuncResult, Function, ParamType};
use crate::value::{gofmt, Value};
use std::sync::Arc;

use ParamType::{Any, String as Str};

/// The builtin table every template set starts with.
pub fn builtins() -> FuncMap {
    let mut m = FuncMap::new();
    // Parameter lists mirror the Go signatures, so arity errors read like Go's.
    m.insert(Function::pure("and", &[Any], Some(Any), |a| Ok(and(a))));
    m.insert(Function::pure("or", &[Any], Some(Any), |a| Ok(or(a))));
    m.insert(Function::pure("not", &[Any], None, |a| {
        Ok(Value::Bool(!truth(arg(a, 0))))
    }));
    m.insert(Function::pure("call", &[Any], Some(Any), |a| {
        let callee = arg(a, 0);
        Err(call_error(&callee_source_guess(callee), callee))
    }));
    m.insert(Function::pure("html", &[], Some(Any), |a| {
        Ok(Value::from(html_escape(&eval_args(a))))
    }));
    m.insert(Function::pure("js", &[], Some(Any), |a| {
        Ok(Value::from(js_escape(&eval_args(a))))
    }));
    m.insert(Function::pure("urlquery", &[], Some(Any), |a| {
        Ok(Value::from(query_escape(&eval_args(a))))
    }));
    m.insert(Function::pure("index", &[Any], Some(Any), |a| {
        index(arg(a, 0), a.get(1..).unwrap_or_default())
    }));
    m.insert(Function::pure("slice", &[Any], Some(Any), |a| {
        slice(arg(a, 0), a.get(1..).unwrap_or_default())
    }));
    m.insert(Function::pure("len", &[ParamType::Reflect], None, |a| {
        length(arg(a, 0)).map(|n| Value::Int(n as i64))
    }));
    m.insert(Function::pure("print", &[], Some(Any), |a| {
        Ok(Value::from(gofmt::sprint(a)))
    }));
    m.insert(Function::pure("println", &[], Some(Any), |a| {
        Ok(Value::from(gofmt::sprintln(a)))
    }));
    m.insert(Function::pure("printf", &[Str], Some(Any), |a| {
        let format = arg(a, 0).as_str().unwrap_or_default();
        Ok(Value::from(gofmt::sprintf(
            format,
            a.get(1..).unwrap_or_default(),
        )))
    }));
    m.insert(Function::pure("eq", &[Any], Some(Any), |a| {
        eq(arg(a, 0), a.get(1..).unwrap_or_default()).map(Value::Bool)
    }));
    m.insert(Function::pure("ne", &[Any, Any], None, |a| {
        ne(arg(a, 0), arg(a, 1)).map(Value::Bool)
    }));
    m.insert(Function::pure("lt", &[Any, Any], None, |a| {
        lt(arg(a, 0), arg(a, 1)).map(Value::Bool)
    }));
    m.insert(Function::pure("le", &[Any, Any], None, |a| {
        le(arg(a, 0), arg(a, 1)).map(Value::Bool)
    }));
    m.insert(Function::pure("gt", &[Any, Any], None, |a| {
        gt(arg(a, 0), arg(a, 1)).map(Value::Bool)
    }));
    m.insert(Function::pure("ge", &[Any, Any], None, |a| {
        ge(arg(a, 0), arg(a, 1)).map(Value::Bool)
    }));
    m
}

/// The executor checks arity before calling, so a missing argument only happens when a body is called
/// directly with too few; it then reads as Go's zero `reflect.Value`.
fn arg(args: &[Value], i: usize) -> &Value {
    static INVALID: Value = Value::Invalid;
    args.get(i).unwrap_or(&INVALID)
}

// ---------------------------------------------------------------------------------------------------------
// Boolean logic
// ---------------------------------------------------------------------------------------------------------

/// Go template truth of an operand (nil and missing are false).
pub fn truth(v: &Value) -> bool {
    v.is_true()
}

/// `and`: the first falsy operand, or the last one.
pub fn and(args: &[Value]) -> Value {
    args.iter()
        .find(|v| !truth(v))
        .or(args.last())
        .cloned()
        .unwrap_or_default()
}

/// `or`: the first truthy operand, or the last one.
pub fn or(args: &[Value]) -> Value {
    args.iter()
        .find(|v| truth(v))
        .or(args.last())
        .cloned()
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
    Uint,
}

/// Go's `basicKind` after `indirectInterface`: nil, lists, maps, bytes and objects are not basic.
fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint64(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}
fn uint_of(v: &Value) -> u64 {
    match v {
        Value::Uint64(u) => *u,
        _ => 0,
    }
}
fn float_of(v: &Value) -> f64 {
    match v {
        Value::Float(f) => *f,
        _ => 0.0,
    }
}

/// `reflect.Kind` as far as comparisons care: lists and bytes are slices, objects are structs/pointers.
fn reflect_kind(v: &Value) -> &'static str {
    match v {
        Value::Invalid | Value::Nil => "invalid",
        Value::List(_) | Value::Bytes(_) => "slice",
        other => other.kind_name(),
    }
}

/// Go's `isNil` after `indirectInterface`; our lists, maps and objects are never nil pointers.
fn is_nil(v: &Value) -> bool {
    v.is_nil_or_invalid()
}

fn incompatible(a: &Value, b: &Value) -> FuncError {
    FuncError(format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";

/// `eq arg1 arg2...`: whether `arg1` equals any of the others.
pub fn eq(arg1: &Value, rest: &[Value]) -> Result<bool, FuncError> {
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(arg1);
    for arg in rest {
        let k2 = basic_kind(arg);
        let truth = if k1 != k2 {
            // Signed and unsigned integers compare by value; anything else mismatched is an error unless
            // one side is nil.
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => int_of(arg1) >= 0 && int_of(arg1) as u64 == uint_of(arg),
                (Kind::Uint, Kind::Int) => int_of(arg) >= 0 && uint_of(arg1) == int_of(arg) as u64,
                _ => {
                    if !arg1.is_nil_or_invalid() && !arg.is_nil_or_invalid() {
                        return Err(incompatible(arg1, arg));
                    }
                    false
                }
            }
        } else {
            match k1 {
                Kind::Bool => arg1.is_true() == arg.is_true(),
                Kind::Float => float_of(arg1) == float_of(arg),
                Kind::Int => int_of(arg1) == int_of(arg),
                Kind::String => arg1.as_str() == arg.as_str(),
                Kind::Uint => uint_of(arg1) == uint_of(arg),
                Kind::Invalid => compare_non_basic(arg1, arg)?,
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Equality of two non-basic operands: only nil comparisons and comparable Go types (pointers) work.
fn compare_non_basic(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (ka, kb) = (reflect_kind(a), reflect_kind(b));
    if ka != kb && ka != "invalid" && kb != "invalid" {
        return Err(FuncError(format!(
            "non-comparable types {}: {}, {}: {}",
            gofmt::sprintf("%s", std::slice::from_ref(a)),
            a.type_name(),
            b.type_name(),
            gofmt::format_v(b)
        )));
    }
    if is_nil(a) || is_nil(b) {
        return Ok(is_nil(a) == is_nil(b));
    }
    match (a, b) {
        // complex128 (from literals) compares by value; its `%v` text is exact (shortest round-trip
        // parts), so equal texts mean equal values.
        (Value::Object(x), Value::Object(y))
            if x.type_name() == "complex128" && y.type_name() == "complex128" =>
        {
            Ok(x.go_format() == y.go_format())
        }
        // Objects stand for Go pointers/structs, compared by identity.
        (Value::Object(x), Value::Object(y)) => Ok(Arc::ptr_eq(x, y)),
        _ => Err(FuncError(format!(
            "non-comparable type {}: {}",
            gofmt::sprintf("%s", std::slice::from_ref(b)),
            b.type_name()
        ))),
    }
}

/// `ne a b`.
pub fn ne(a: &Value, b: &Value) -> Result<bool, FuncError> {
    eq(a, std::slice::from_ref(b)).map(|t| !t)
}

/// `lt a b`: only basic kinds order; bools and non-basic values are `invalid type for comparison`.
pub fn lt(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let k1 = basic_kind(a);
    if k1 == Kind::Invalid {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    let k2 = basic_kind(b);
    if k2 == Kind::Invalid {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(int_of(a) < 0 || (int_of(a) as u64) < uint_of(b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(b) >= 0 && uint_of(a) < int_of(b) as u64),
            _ => Err(incompatible(a, b)),
        };
    }
    match k1 {
        Kind::Float => Ok(float_of(a) < float_of(b)),
        Kind::Int => Ok(int_of(a) < int_of(b)),
        // Go compares strings bytewise, which is also `str`'s order.
        Kind::String => Ok(a.as_str() < b.as_str()),
        Kind::Uint => Ok(uint_of(a) < uint_of(b)),
        Kind::Bool | Kind::Invalid => Err(BAD_COMPARISON_TYPE.into()),
    }
}

/// `le a b` = `lt a b || eq a b`.
pub fn le(a: &Value, b: &Value) -> Result<bool, FuncError> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// `gt a b` = `!(le a b)`.
pub fn gt(a: &Value, b: &Value) -> Result<bool, FuncError> {
    le(a, b).map(|t| !t)
}

/// `ge a b` = `!(lt a b)`.
pub fn ge(a: &Value, b: &Value) -> Result<bool, FuncError> {
    lt(a, b).map(|t| !t)
}

// ---------------------------------------------------------------------------------------------------------
// len, index, slice, call
// ---------------------------------------------------------------------------------------------------------

/// An object that is a Go collection (`.Files`, `VersionSet`) behaves as that collection.
fn collection_view(v: &Value) -> Option<Value> {
    match v {
        Value::Object(o) => o.as_collection(),
        _ => None,
    }
}

/// `len x`.
pub fn length(item: &Value) -> Result<usize, FuncError> {
    match item {
        // The literal nil reaches Go's `len` as a zero reflect.Value, whose Type() panics.
        Value::Invalid => Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Value::Nil => Err("len of nil pointer".into()),
        Value::String(s) => Ok(s.len()),
        Value::Bytes(b) => Ok(b.len()),
        Value::List(l) => Ok(l.len()),
        Value::Map(m) => Ok(m.len()),
        Value::Object(_) => match collection_view(item) {
            Some(c) => length(&c),
            None => Err(FuncError(format!("len of type {}", item.type_name()))),
        },
        _ => Err(FuncError(format!("len of type {}", item.type_name()))),
    }
}

/// Go's `indexArg`: an integer index within `0..=cap` (`cap` itself passes here and fails later in reflect).
fn index_arg(index: &Value, cap: usize) -> Result<usize, FuncError> {
    let x: i64 = match index {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint64(u) => *u as i64,
        Value::Invalid | Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(FuncError(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            )))
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(FuncError(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

/// `index item i j…` = `item[i][j]…`. A missing map key gives the element zero value (nil), whatever the
/// missingkey option; a string or `[]byte` element is a byte (returned as an unsigned integer).
pub fn index(item: &Value, indexes: &[Value]) -> FuncResult {
    if item.is_nil_or_invalid() {
        return Err("index of untyped nil".into());
    }
    let mut cur = item.clone();
    for idx in indexes {
        if cur.is_nil_or_invalid() {
            return Err("index of nil pointer".into());
        }
        if let Some(c) = collection_view(&cur) {
            cur = c;
        }
        cur = match &cur {
            Value::List(l) => {
                let x = index_arg(idx, l.len())?;
                l.get(x)
                    .cloned()
                    .ok_or_else(|| FuncError::from("reflect: slice index out of range"))?
            }
            Value::Bytes(b) => {
                let x = index_arg(idx, b.len())?;
                let byte = b
                    .get(x)
                    .ok_or_else(|| FuncError::from("reflect: slice index out of range"))?;
                Value::Uint64(*byte as u64)
            }
            Value::String(s) => {
                let x = index_arg(idx, s.len())?;
                let byte = s
                    .as_bytes()
                    .get(x)
                    .ok_or_else(|| FuncError::from("reflect: string index out of range"))?;
                Value::Uint64(*byte as u64)
            }
            Value::Map(m) => {
                let key = match idx {
                    Value::String(k) => k.clone(),
                    Value::Invalid | Value::Nil => {
                        return Err("value is nil; should be of type string".into())
                    }
                    other => {
                        return Err(FuncError(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        )))
                    }
                };
                m.get(&key).unwrap_or(Value::Nil)
            }
            other => {
                return Err(FuncError(format!(
                    "can't index item of type {}",
                    other.type_name()
                )))
            }
        };
    }
    Ok(cur)
}

/// Go's builtin `slice item [i [j [k]]]` = `item[i:j:k]`. (Helm replaces this name with Sprig's `slice`;
/// the Go builtin is still what plain `text/template` users get.)
pub fn slice(item: &Value, indexes: &[Value]) -> FuncResult {
    if item.is_nil_or_invalid() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(FuncError(format!(
            "too many slice indexes: {}",
            indexes.len()
        )));
    }
    let viewed = collection_view(item).unwrap_or_else(|| item.clone());
    let len = match &viewed {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(FuncError(format!(
                "can't slice item of type {}",
                other.type_name()
            )))
        }
    };
    // Our slices have no spare capacity, so cap == len.
    let mut idx = [0, len, len];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len)?;
    }
    if idx[0] > idx[1] {
        return Err(FuncError(format!(
            "invalid slice index: {} > {}",
            idx[0], idx[1]
        )));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(FuncError(format!(
            "invalid slice index: {} > {}",
            idx[1], idx[2]
        )));
    }
    let (i, j) = (idx[0], idx[1]);
    Ok(match viewed {
        // Byte offsets may split a UTF-8 sequence, as in Go; our strings must stay UTF-8, so a split
        // character becomes U+FFFD.
        Value::String(s) => Value::from(String::from_utf8_lossy(&s.as_bytes()[i..j]).into_owned()),
        Value::List(l) => Value::List(Arc::from(&l[i..j])),
        Value::Bytes(b) => Value::Bytes(Arc::from(&b[i..j])),
        _ => Value::Invalid,
    })
}

/// Go's error for `call` on something that is not a function. `callee_source` is the template text of
/// the first operand (Go names the callee by its node, e.g. `.Values.f` or `1`); we have no function values,
/// so every `call` fails with this.
pub fn call_error(callee_source: &str, callee: &Value) -> FuncError {
    if callee.is_nil_or_invalid() {
        return "call of nil".into();
    }
    FuncError(format!(
        "non-function {callee_source} of type {}",
        callee.type_name()
    ))
}

/// Without the node text, the best stand-in is how a literal of that value is written.
fn callee_source_guess(v: &Value) -> String {
    match v {
        Value::String(s) => gofmt::quote(s),
        other => gofmt::format_v(other),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Escapers
// ---------------------------------------------------------------------------------------------------------

/// Go's `evalArgs`: one string operand is used as is; otherwise `fmt.Sprint` with nil and missing operands
/// replaced by the string `<no value>`.
pub fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil_or_invalid() {
                Value::from_str("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    gofmt::sprint(&printable)
}

/// `html`: Go's `HTMLEscapeString` (`&#34;` and `&#39;` for quotes, NUL becomes U+FFFD).
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{fffd}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// `js`: Go's `JSEscapeString` (Go ≥ 1.22 table: `< > & =` as `\u003C`-style escapes, control characters
/// as `\u00XX`, non-printable runes as `\uXXXX`).
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if (c as u32) < 0x80 => out.push(c),
            c if gofmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// `urlquery`: Go's `url.QueryEscape`. Hand-written because the common crates' form encoders keep `*`
/// unescaped, which Go escapes: only `A-Z a-z 0-9 - _ . ~` stay, space becomes `+`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
