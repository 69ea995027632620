//! Sprig's type conversions: `atoi` (`strconv.Atoi`, errors give 0), `int`, `int64`, `float64`
//! (`spf13/cast` v1.7.0 rules, errors give 0) and `toDecimal` (the value's `%v` text read as octal).

use super::args::{go_v, str_arg, to_float64, to_int, to_int64};
use gotmpl::value::Value;
use gotmpl::{FuncMap, Function, ParamType as P};

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("atoi", &[P::String], None, |a| {
        Ok(Value::Int(atoi(&str_arg(&a[0]))))
    }));
    m.insert(Function::pure("int", &[P::Any], None, |a| {
        Ok(Value::Int(to_int(&a[0])))
    }));
    m.insert(Function::pure("int64", &[P::Any], None, |a| {
        Ok(Value::Int64(to_int64(&a[0])))
    }));
    m.insert(Function::pure("float64", &[P::Any], None, |a| {
        Ok(Value::Float(to_float64(&a[0])))
    }));
    m.insert(Function::pure("toDecimal", &[P::Any], None, |a| {
        Ok(Value::Int64(parse_octal(&go_v(&a[0]))))
    }));
}

/// `strconv.Atoi` with Sprig ignoring the error: optional sign and decimal digits, else 0; on overflow
/// Go returns the clamped value alongside the range error, so that is what Sprig passes on.
fn atoi(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse::<i64>().unwrap_or(if s.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// `strconv.ParseInt(s, 8, 64)`: sign and octal digits, no prefix, no underscores; errors give 0.
fn parse_octal(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return 0;
    }
    i64::from_str_radix(s, 8).unwrap_or(0)
}
