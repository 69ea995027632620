//! Shared helpers for Sprig's functions: reading already type-checked arguments, Go's `%v` printing as
//! Sprig's `strval` needs it, `spf13/cast` (v1.7.0) conversions, Sprig's `empty` and `reflect.DeepEqual`.
//!
//! The executor has converted every argument to its declared [`gotmpl::ParamType`] before a body runs, so
//! the accessors here only have to tolerate the representations a type may arrive in (a Go `int`
//! parameter may hold `Int` or `Int64`, a map parameter may be a nil map).

use gotmpl::value::{Map, Value};
use gotmpl::FuncError;
use std::sync::Arc;

/// The string in an argument declared `string` (anything else prints as Go would, which cannot happen
/// after the executor's conversion but keeps the body total).
pub fn str_arg(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::String(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(strval(other)),
    }
}

/// The integer in an argument declared `int`/`int64`.
pub fn int_arg(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint64(u) => *u as i64,
        other => to_int64(other),
    }
}

/// The map in an argument declared `map[string]interface{}`; `None` is Go's nil map (reads see no keys,
/// writes panic).
pub fn map_arg(v: &Value) -> Option<&Map> {
    v.as_map()
}

/// Go's `%v` for a value handed to `fmt` as an `interface{}` (a nil prints `<nil>`); the engine's
/// `fmt` implementation, so Sprig and `printf` agree.
pub fn go_v(v: &Value) -> String {
    gotmpl::value::gofmt::format_v(v)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, what `%v` prints for a float64 (1000000 → `1e+06`).
pub fn format_float_g(f: f64) -> String {
    gotmpl::value::gofmt::format_float(f, b'g', -1)
}

/// Sprig's `strval`: strings and byte slices as they are, everything else through `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => go_v(other),
    }
}

/// A Go string value built from text.
pub fn string(s: impl Into<Arc<str>>) -> Value {
    Value::String(s.into())
}

/// A Go `[]string`.
pub fn string_list<I: IntoIterator<Item = S>, S: Into<Arc<str>>>(items: I) -> Value {
    Value::string_list(items.into_iter().map(|s| Value::String(s.into())).collect())
}

/// cast's `trimZeroDecimal`: `"12.00"` → `"12"`, `"12.01"` unchanged, so whole-number strings with a
/// zero fraction convert to integers.
fn trim_zero_decimal(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b'.' if found_zero => return &s[..i],
            b'.' => return s,
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `strconv.ParseInt(s, 0, 64)`: optional sign, base prefixes `0x`/`0o`/`0b`/`0` (octal), and `_`
/// separators (only allowed with base 0 — always here). `None` on any syntax or range error.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mag = parse_go_uint_base0(body)?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some((mag as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// `strconv.ParseUint(s, 0, 64)` without a sign.
fn parse_go_uint_base0(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let (base, digits) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if lower.contains('_') && !underscores_ok(&lower) {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    // `from_str_radix` would accept a sign; Go does not after the prefix.
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(&digits, base).ok()
}

/// Go's rule for `_` in base-0 integer text: each `_` must follow a digit (or the base prefix) and be
/// followed by one; with a `0x` prefix, hex letters count as digits.
fn underscores_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut prev_digit_like = false;
    let mut prev_underscore = false;
    let mut i = 0;
    let mut hex = false;
    if bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1], b'x' | b'o' | b'b') {
        i = 2;
        prev_digit_like = true;
        hex = bytes[1] == b'x';
    }
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            prev_digit_like = true;
            prev_underscore = false;
        } else if c == b'_' {
            if !prev_digit_like {
                return false;
            }
            prev_digit_like = false;
            prev_underscore = true;
        } else {
            if prev_underscore {
                return false;
            }
            prev_digit_like = false;
        }
        i += 1;
    }
    !prev_underscore
}

/// Go's float64→int64 conversion on amd64: out-of-range and NaN give the "integer indefinite" value.
pub fn f64_to_i64(f: f64) -> i64 {
    // 2^63 is exactly representable; every float below it in magnitude (and -2^63 itself) fits.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-TWO_63..TWO_63).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `cast.ToInt64` (errors become 0).
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint64(u) => *u as i64,
        Value::Float(f) => f64_to_i64(*f),
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `cast.ToInt` (Go `int` is 64 bits on Helm's platforms; errors become 0).
pub fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// `strconv.ParseFloat(s, 64)`: decimal (with Go's `_` digit separators), hexadecimal (`0x1.8p3`) and
/// the special forms (`inf`, `+Inf`, `NaN`, `infinity`, any case). `None` on a syntax error or overflow
/// (cast then gives 0).
pub fn parse_go_float(s: &str) -> Option<f64> {
    let (neg, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = unsigned.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            if lower.contains('_') && !underscores_ok(&lower) {
                return None;
            }
            let text: String = lower.chars().filter(|c| *c != '_').collect();
            let f = if let Some(hex) = text.strip_prefix("0x") {
                parse_hex_float(hex)?
            } else {
                // Rust's grammar is Go's decimal grammar here, minus the forms handled above.
                if text.is_empty()
                    || !text
                        .bytes()
                        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
                {
                    return None;
                }
                text.parse::<f64>().ok()?
            };
            if f.is_infinite() {
                return None;
            }
            f
        }
    };
    Some(if neg { -magnitude } else { magnitude })
}

/// The part after `0x` of a Go hex float: hex digits with an optional point, then a mandatory `p`
/// exponent in decimal.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars().chain(frac_part.chars()) {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let shift = exp - 4 * frac_part.len() as i32;
    Some(value * 2f64.powi(shift))
}

/// `cast.ToFloat64` (errors become 0).
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint64(u) => *u as f64,
        Value::Float(f) => *f,
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

/// Sprig's `empty`: zero values, empty collections and nil are empty; structs never are.
pub fn empty(v: &Value) -> bool {
    match v {
        Value::Invalid | Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Uint64(u) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(o) => match o.as_collection() {
            Some(c) if o.kind_name() != "struct" && o.kind_name() != "ptr" => empty(&c),
            _ => false,
        },
    }
}

/// `reflect.DeepEqual` on two `interface{}` values: dynamic types must be identical (an `int` never
/// equals an `int64`), floats compare with `==` (NaN differs from itself), maps and slices element-wise.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Invalid | Value::Nil, Value::Invalid | Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Uint64(x), Value::Uint64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        // Go types must match too: `[]string` never equals `[]interface {}`, a nil slice never equals an
        // empty one, `common.Values` never equals `map[string]interface {}`.
        (Value::List(x), Value::List(y)) => {
            x.list_type() == y.list_type()
                && x.is_nil() == y.is_nil()
                && (Arc::ptr_eq(x.items(), y.items())
                    || (x.len() == y.len()
                        && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.map_type() != y.map_type() {
                return false;
            }
            if x.ptr_eq(y) {
                return true;
            }
            let (xe, ye) = (x.entries(), y.entries());
            xe.len() == ye.len()
                && xe
                    .iter()
                    .zip(ye.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal(v1, v2))
        }
        (Value::Object(x), Value::Object(y)) => {
            Arc::ptr_eq(x, y) || (x.type_name() == y.type_name() && x.to_json() == y.to_json())
        }
        _ => false,
    }
}

/// A Go runtime panic message for a failed slice expression `s[lo:hi]` of length `len`.
pub fn slice_bounds_panic(lo: i64, hi: i64, len: usize) -> FuncError {
    // Go's runtime leaves the length out when the bad index is negative.
    if hi < 0 {
        FuncError(format!("runtime error: slice bounds out of range [:{hi}]"))
    } else if hi as u64 > len as u64 {
        FuncError(format!(
            "runtime error: slice bounds out of range [:{hi}] with length {len}"
        ))
    } else if lo < 0 {
        FuncError(format!("runtime error: slice bounds out of range [{lo}:]"))
    } else {
        FuncError(format!(
            "runtime error: slice bounds out of range [{lo}:{hi}]"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        // Expected strings are Go's fmt.Sprint output (checked with Helm's engine via `{{ 1e6 }}` etc.).
        let cases = [
            (1e6, "1e+06"),
            (100000.0, "100000"),
            (1.5, "1.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456789.0, "1.23456789e+08"),
            (-2.25, "-2.25"),
            (3.0, "3"),
            (-0.0, "-0"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(f), want, "{f}");
        }
    }

    #[test]
    fn go_int_parsing() {
        assert_eq!(parse_go_int("0x1F"), Some(31));
        assert_eq!(parse_go_int("017"), Some(15));
        assert_eq!(parse_go_int("-0b101"), Some(-5));
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(parse_go_int("1__000"), None);
        assert_eq!(parse_go_int("_1"), None);
        assert_eq!(parse_go_int("0x_1F"), Some(31));
        assert_eq!(parse_go_int("9223372036854775808"), None);
        assert_eq!(parse_go_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(trim_zero_decimal("12.00"), "12");
        assert_eq!(trim_zero_decimal("12.01"), "12.01");
    }
}
