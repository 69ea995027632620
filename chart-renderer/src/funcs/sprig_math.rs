//! Sprig's arithmetic (`numeric.go` and the inline functions of `functions.go`).
//!
//! Integer functions convert every operand with `cast.ToInt64` (so `"3"`, `3.9` and `true` are 3, 3 and
//! 1; anything unconvertible is 0) and return Go `int64`, wrapping on overflow like Go. The `*f` family
//! goes through `shopspring/decimal`: each float becomes the decimal of its shortest representation, the
//! operation is exact (division rounds half away from zero to 16 places), and the result is rounded back
//! to the nearest float64 — so `addf 0.1 0.2` is `0.3`, unlike float addition.

use super::args::{int_arg, to_float64, to_int64};
use bigdecimal::{BigDecimal, RoundingMode, Zero};
use gotmpl::value::{List, ListType, Value};
use gotmpl::{FuncError, FuncMap, FuncResult, Function, ParamType as P};
use std::str::FromStr;

const DIV_ZERO: &str = "runtime error: integer divide by zero";

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("add1", &[P::Any], None, |a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    }));
    m.insert(Function::pure("add", &[], Some(P::Any), |a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
        ))
    }));
    m.insert(Function::pure("sub", &[P::Any, P::Any], None, |a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    }));
    m.insert(Function::pure("mul", &[P::Any], Some(P::Any), |a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, v| acc.wrapping_mul(to_int64(v))),
        ))
    }));
    m.insert(Function::pure("div", &[P::Any, P::Any], None, |a| {
        let (x, y) = (to_int64(&a[0]), to_int64(&a[1]));
        if y == 0 {
            return Err(FuncError(DIV_ZERO.into()));
        }
        Ok(Value::Int64(x.wrapping_div(y)))
    }));
    m.insert(Function::pure("mod", &[P::Any, P::Any], None, |a| {
        let (x, y) = (to_int64(&a[0]), to_int64(&a[1]));
        if y == 0 {
            return Err(FuncError(DIV_ZERO.into()));
        }
        Ok(Value::Int64(x.wrapping_rem(y)))
    }));
    for name in ["max", "biggest"] {
        m.insert(Function::pure(name, &[P::Any], Some(P::Any), |a| {
            Ok(Value::Int64(
                a.iter().map(to_int64).fold(to_int64(&a[0]), i64::max),
            ))
        }));
    }
    m.insert(Function::pure("min", &[P::Any], Some(P::Any), |a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(to_int64(&a[0]), i64::min),
        ))
    }));
    m.insert(Function::pure("maxf", &[P::Any], Some(P::Any), |a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_max),
        ))
    }));
    m.insert(Function::pure("minf", &[P::Any], Some(P::Any), |a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_min),
        ))
    }));
    m.insert(Function::pure("floor", &[P::Any], None, |a| {
        Ok(Value::Float(to_float64(&a[0]).floor()))
    }));
    m.insert(Function::pure("ceil", &[P::Any], None, |a| {
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    }));
    m.insert(Function::pure(
        "round",
        &[P::Any, P::Int],
        Some(P::Float64),
        |a| {
            let round_on = match a.get(2) {
                Some(Value::Float(f)) => *f,
                Some(other) => to_float64(other),
                None => 0.5,
            };
            let (val, places) = (to_float64(&a[0]), int_arg(&a[1]));
            let pow = go_pow10(places);
            let digit = pow * val;
            let frac = digit - digit.trunc();
            let r = if frac >= round_on {
                digit.ceil()
            } else {
                digit.floor()
            };
            Ok(Value::Float(r / pow))
        },
    ));
    m.insert(Function::pure("add1f", &[P::Any], None, |a| {
        decimal_op(&a[0], &[Value::Int(1)], |x, y| Ok(x + y))
    }));
    m.insert(Function::pure("addf", &[], Some(P::Any), |a| {
        decimal_op(&Value::Float(0.0), a, |x, y| Ok(x + y))
    }));
    m.insert(Function::pure("subf", &[P::Any], Some(P::Any), |a| {
        decimal_op(&a[0], &a[1..], |x, y| Ok(x - y))
    }));
    m.insert(Function::pure("mulf", &[P::Any], Some(P::Any), |a| {
        decimal_op(&a[0], &a[1..], |x, y| Ok(x * y))
    }));
    m.insert(Function::pure("divf", &[P::Any], Some(P::Any), |a| {
        decimal_op(&a[0], &a[1..], |x, y| {
            if y.is_zero() {
                return Err(FuncError("decimal division by 0".into()));
            }
            Ok((x / y).with_scale_round(16, RoundingMode::HalfUp))
        })
    }));
    m.insert(Function::pure("until", &[P::Int], None, |a| {
        let n = int_arg(&a[0]);
        Ok(int_list(until_step(0, n, if n < 0 { -1 } else { 1 })))
    }));
    m.insert(Function::pure(
        "untilStep",
        &[P::Int, P::Int, P::Int],
        None,
        |a| {
            Ok(int_list(until_step(
                int_arg(&a[0]),
                int_arg(&a[1]),
                int_arg(&a[2]),
            )))
        },
    ));
    m.insert(Function::pure("seq", &[], Some(P::Int), |a| {
        let p: Vec<i64> = a.iter().map(int_arg).collect();
        let nums = match p.as_slice() {
            [end] => {
                let inc = if *end < 1 { -1 } else { 1 };
                until_step(1, end + inc, inc)
            }
            [start, end] => {
                let step = if end < start { -1 } else { 1 };
                until_step(*start, end + step, step)
            }
            [start, step, end] => {
                let mut inc = 1;
                if end < start {
                    inc = -1;
                    if *step > 0 {
                        return Ok(Value::from(""));
                    }
                }
                until_step(*start, end + inc, *step)
            }
            _ => Vec::new(),
        };
        let text: Vec<String> = nums.iter().map(i64::to_string).collect();
        Ok(Value::from(text.join(" ")))
    }));
}

/// A Go `[]int`.
fn int_list(v: Vec<i64>) -> Value {
    Value::List(List::typed(
        v.into_iter().map(Value::Int).collect::<Vec<_>>(),
        ListType::Int,
    ))
}

/// Sprig's `untilStep`: `start, start+step, …` up to (excluding) `stop`; empty when the step points the
/// wrong way or is zero.
fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut out = Vec::new();
    if stop < start {
        if step >= 0 {
            return out;
        }
        let mut i = start;
        while i > stop {
            out.push(i);
            match i.checked_add(step) {
                Some(n) => i = n,
                None => break,
            }
        }
        return out;
    }
    if step <= 0 {
        return out;
    }
    let mut i = start;
    while i < stop {
        out.push(i);
        match i.checked_add(step) {
            Some(n) => i = n,
            None => break,
        }
    }
    out
}

/// Go's `math.Max`: +Inf wins, then NaN, and +0 beats -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x > 0.0 || y.is_infinite() && y > 0.0 {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { y } else { x };
    }
    if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: -Inf wins, then NaN, and -0 beats +0.
fn go_min(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x < 0.0 || y.is_infinite() && y < 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { x } else { y };
    }
    if x < y {
        x
    } else {
        y
    }
}

/// `math.Pow(10, n)` for an integer `n` (exact for the powers that are exactly representable).
fn go_pow10(n: i64) -> f64 {
    format!("1e{n}")
        .parse()
        .unwrap_or(if n > 0 { f64::INFINITY } else { 0.0 })
}

/// shopspring's `NewFromFloat`: the shortest decimal that round-trips.
fn to_decimal(v: &Value) -> Result<BigDecimal, FuncError> {
    let f = to_float64(v);
    if !f.is_finite() {
        return Err(FuncError(format!(
            "Cannot create a Decimal from {}",
            super::args::format_float_g(f)
        )));
    }
    BigDecimal::from_str(&format!("{f:e}")).map_err(|e| FuncError(e.to_string()))
}

fn decimal_op(
    first: &Value,
    rest: &[Value],
    op: impl Fn(BigDecimal, BigDecimal) -> Result<BigDecimal, FuncError>,
) -> FuncResult {
    let mut acc = to_decimal(first)?;
    for v in rest {
        acc = op(acc, to_decimal(v)?)?;
    }
    // `Float64()` is the correctly rounded float of the exact decimal; so is parsing its text.
    Ok(Value::Float(acc.to_string().parse::<f64>().unwrap_or(0.0)))
}
