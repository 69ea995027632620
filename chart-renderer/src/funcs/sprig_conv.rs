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

/// `strconv.Atoi`: optional sign and decimal digits only; anything else (or overflow) is an error,
/// which Sprig turns into 0.
fn atoi(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse::<i64>().unwrap_or(0)
}

/// `strconv.ParseInt(s, 8, 64)`: sign and octal digits, no prefix, no underscores; errors give 0.
fn parse_octal(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return 0;
    }
    i64::from_str_radix(s, 8).unwrap_or(0)
}
