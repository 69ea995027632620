//! Go's `encoding/json` output and `strconv` float formatting, as Helm's `toJson` family and the YAML
//! encoder (which goes through JSON) need them.

use gotmpl::Value;
use std::fmt::Write as _;

/// The shortest decimal digits of `f` (at float32 precision when `bits == 32`) and the decimal exponent
/// `dp` such that the value is `0.DIGITS × 10^dp`, like Go's `strconv` shortest formatting.
fn shortest_digits(f: f64, bits: u32) -> (String, i32) {
    // Rust's `{:e}` prints the shortest round-tripping digits, the same digits Go's shortest mode picks.
    let s = if bits == 32 {
        format!("{:e}", (f as f32).abs())
    } else {
        format!("{:e}", f.abs())
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        return ("0".into(), 1);
    }
    (digits.to_string(), exp + 1)
}

fn exp_form(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let e = dp - 1;
    let _ = write!(out, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    out
}

fn fixed_form(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(digits);
    } else if dp as usize >= digits.len() {
        out.push_str(digits);
        for _ in 0..(dp as usize - digits.len()) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, bits)`: shortest digits, `%e` form when the decimal exponent is
/// below -4 or at least 6 (Go uses precision 6 for that decision in shortest mode). Infinities are
/// `+Inf`/`-Inf`, NaN is `NaN`.
pub fn format_float_g(f: f64, bits: u32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = f.is_sign_negative();
    if f == 0.0 {
        return if neg { "-0".into() } else { "0".into() };
    }
    let (digits, dp) = shortest_digits(f, bits);
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        exp_form(neg, &digits, dp)
    } else {
        fixed_form(neg, &digits, dp)
    }
}

/// How `encoding/json` writes a float64: `%f`-style between 1e-6 and 1e21, `%e` outside (with `e-07`
/// shortened to `e-7`). NaN and infinities are not representable (the caller reports Go's error).
pub fn format_json_float(f: f64) -> String {
    let a = f.abs();
    let neg = f.is_sign_negative();
    if f == 0.0 {
        return if neg { "-0".into() } else { "0".into() };
    }
    let (digits, dp) = shortest_digits(f, 64);
    if !(1e-6..1e21).contains(&a) {
        let s = exp_form(neg, &digits, dp);
        // Go trims a leading zero of a negative two-digit exponent.
        if let Some(i) = s.find("e-0") {
            let mut t = s.clone();
            t.replace_range(i + 2..i + 3, "");
            return t;
        }
        s
    } else {
        fixed_form(neg, &digits, dp)
    }
}

/// Go's `strconv.Quote` (used for `%q`/`%#v` of strings in messages).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Why `json.Marshal` failed, in Go's words (`json: unsupported value: NaN`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(pub String);

/// Options of Go's JSON encoder that Helm's functions differ in.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonOptions {
    /// `json.Marshal` escapes `<`, `>` and `&` as `\u003c` … (`toRawJson` turns this off).
    pub escape_html: bool,
    /// `json.MarshalIndent(v, "", "  ")`-style indentation unit, if any.
    pub indent: Option<&'static str>,
}

/// `json.Marshal` (or `MarshalIndent`) of a template value, byte for byte.
pub fn to_json_string(v: &Value, opts: JsonOptions) -> Result<String, JsonError> {
    let mut out = String::new();
    write_json(&mut out, v, opts, 0)?;
    Ok(out)
}

fn newline_indent(out: &mut String, opts: JsonOptions, depth: usize) {
    if let Some(unit) = opts.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(unit);
        }
    }
}

fn write_json(
    out: &mut String,
    v: &Value,
    opts: JsonOptions,
    depth: usize,
) -> Result<(), JsonError> {
    match v {
        Value::Invalid | Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Uint64(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(JsonError(format!(
                    "json: unsupported value: {}",
                    format_float_g(*f, 64)
                )));
            }
            out.push_str(&format_json_float(*f));
        }
        Value::String(s) => write_json_string(out, s, opts.escape_html),
        Value::Bytes(b) => {
            // Go marshals []byte as a base64 string.
            use base64::Engine as _;
            out.push('"');
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
            out.push('"');
        }
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, opts, depth + 1);
                write_json(out, item, opts, depth + 1)?;
            }
            newline_indent(out, opts, depth);
            out.push(']');
        }
        Value::Map(m) => {
            let entries = m.entries();
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, opts, depth + 1);
                write_json_string(out, k, opts.escape_html);
                out.push(':');
                if opts.indent.is_some() {
                    out.push(' ');
                }
                write_json(out, item, opts, depth + 1)?;
            }
            newline_indent(out, opts, depth);
            out.push('}');
        }
        Value::Object(o) => {
            let j = o.to_json();
            write_json(out, &Value::from_json(&j), opts, depth)?;
        }
    }
    Ok(())
}

/// Go's JSON string escaping: `"`, `\\`, `\n`, `\r`, `\t` short forms, other control characters as
/// `\u00XX`, U+2028/U+2029 escaped, and `<>&` escaped when `html` is set.
pub fn write_json_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => {
                let _ = write!(out, "\\u00{:02x}", c as u32);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u00{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats() {
        assert_eq!(format_float_g(1e6, 64), "1e+06");
        assert_eq!(format_float_g(1.5, 64), "1.5");
        assert_eq!(format_float_g(123456.0, 64), "123456");
        assert_eq!(format_float_g(1234567.0, 64), "1.234567e+06");
        assert_eq!(format_float_g(0.0001, 64), "0.0001");
        assert_eq!(format_float_g(0.00001, 64), "1e-05");
        assert_eq!(format_float_g(1.234567891234, 32), "1.2345679");
        assert_eq!(format_json_float(1e6), "1000000");
        assert_eq!(format_json_float(1e21), "1e+21");
        assert_eq!(format_json_float(1e-7), "1e-7");
        assert_eq!(format_json_float(0.000001), "0.000001");
    }
}
