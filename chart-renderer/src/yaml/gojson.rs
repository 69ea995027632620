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
    super::with_stack(|| write_json_inner(out, v, opts, depth))
}

fn write_json_inner(
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
        Value::List(items) if items.is_nil() => out.push_str("null"),
        Value::List(items) => write_array(out, items.iter(), opts, depth, write_json)?,
        Value::Map(m) => {
            // Read in place (no copy of the entries); nested maps take their own read locks.
            let entries = m.read();
            write_object(out, entries.iter(), opts, depth, write_json)?
        }
        // Go structs marshal their fields in declaration order, which `to_json` keeps.
        Value::Object(o) => write_serde(out, &o.to_json(), opts, depth)?,
    }
    Ok(())
}

fn write_serde(
    out: &mut String,
    v: &serde_json::Value,
    opts: JsonOptions,
    depth: usize,
) -> Result<(), JsonError> {
    match v {
        serde_json::Value::Array(items) => {
            write_array(out, items.iter(), opts, depth, write_serde)?
        }
        serde_json::Value::Object(o) => write_object(out, o.iter(), opts, depth, write_serde)?,
        serde_json::Value::Number(n) if n.is_f64() => {
            write_json(out, &Value::Float(n.as_f64().unwrap_or(0.0)), opts, depth)?
        }
        serde_json::Value::Number(n) => out.push_str(&n.to_string()),
        other => write_json(out, &Value::from_json(other), opts, depth)?,
    }
    Ok(())
}

/// One element writer of [`write_array`]/[`write_object`]: [`write_json`] or [`write_serde`].
type WriteItem<T> = fn(&mut String, &T, JsonOptions, usize) -> Result<(), JsonError>;

/// Go's layout of a JSON array: `[]` when empty, else the items separated by `,`, each on its own
/// indented line when indenting.
fn write_array<'a, T: 'a>(
    out: &mut String,
    items: impl ExactSizeIterator<Item = &'a T>,
    opts: JsonOptions,
    depth: usize,
    write_item: WriteItem<T>,
) -> Result<(), JsonError> {
    if items.len() == 0 {
        out.push_str("[]");
        return Ok(());
    }
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline_indent(out, opts, depth + 1);
        write_item(out, item, opts, depth + 1)?;
    }
    newline_indent(out, opts, depth);
    out.push(']');
    Ok(())
}

/// Go's layout of a JSON object, entries in the order given: `{}` when empty, else `"key":value`
/// (`"key": value` when indenting) separated by `,`, each on its own indented line when indenting.
fn write_object<'a, T: 'a>(
    out: &mut String,
    entries: impl ExactSizeIterator<Item = (&'a String, &'a T)>,
    opts: JsonOptions,
    depth: usize,
    write_item: WriteItem<T>,
) -> Result<(), JsonError> {
    if entries.len() == 0 {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    for (i, (k, item)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline_indent(out, opts, depth + 1);
        write_json_string(out, k, opts.escape_html);
        out.push(':');
        if opts.indent.is_some() {
            out.push(' ');
        }
        write_item(out, item, opts, depth + 1)?;
    }
    newline_indent(out, opts, depth);
    out.push('}');
    Ok(())
}

/// Go's JSON string escaping: `"`, `\\`, `\n`, `\r`, `\t` short forms, other control characters as
/// `\u00XX`, U+2028/U+2029 escaped, and `<>&` escaped when `html` is set.
pub fn write_json_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    // Copy runs of characters that need no escaping in one go.
    let mut run_start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '<' if html => Some("\\u003c"),
            '>' if html => Some("\\u003e"),
            '&' if html => Some("\\u0026"),
            '\u{2028}' => Some("\\u2028"),
            '\u{2029}' => Some("\\u2029"),
            c if (c as u32) < 0x20 => Some(""),
            _ => None,
        };
        let Some(esc) = esc else { continue };
        out.push_str(&s[run_start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u00{:02x}", c as u32);
        } else {
            out.push_str(esc);
        }
        run_start = i + c.len_utf8();
    }
    out.push_str(&s[run_start..]);
    out.push('"');
}

// ---------------------------------------------------------------------------------------------------------
// Decoding: Go's `json.Unmarshal` into `interface{}`, with Go's error texts
// ---------------------------------------------------------------------------------------------------------

/// Hand-written rather than serde_json because Helm shows Go's exact messages (`fromJson` puts them in an
/// `Error` key, `mustFromJson` fails with them): `invalid character 'x' looking for beginning of value`,
/// `unexpected end of JSON input`, … and because Go decodes a too-large number as an error *after* parsing,
/// keeping the rest of the document.
pub struct JsonDecoded {
    pub value: Value,
    /// The first non-syntax error (`json: cannot unmarshal number 1e400 into Go value of type float64`).
    pub error: Option<JsonError>,
}

/// `json.Unmarshal(data, &v)` with `v interface{}`. A syntax error means nothing was decoded.
pub fn from_json_str(text: &str) -> Result<JsonDecoded, JsonError> {
    let mut p = JsonParser {
        s: text.as_bytes(),
        text,
        i: 0,
        error: None,
        depth: 0,
    };
    p.skip_ws();
    let v = p.value()?;
    p.skip_ws();
    if p.i < p.s.len() {
        return Err(p.invalid("after top-level value"));
    }
    Ok(JsonDecoded {
        value: v,
        error: p.error,
    })
}

struct JsonParser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    error: Option<JsonError>,
    depth: usize,
}

/// Go's `quoteChar`: the offending character as `'x'`, with Go escapes for non-printables.
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

impl JsonParser<'_> {
    fn eof() -> JsonError {
        JsonError("unexpected end of JSON input".into())
    }
    fn cur_char(&self) -> char {
        self.text[self.i..].chars().next().unwrap_or('\0')
    }
    /// Go reports the offending *byte* (a non-ASCII byte shows as its Latin-1 character); at the end of
    /// input it feeds a space to the scanner, so mid-token ends read "invalid character ' ' …".
    fn invalid(&self, context: &str) -> JsonError {
        let c = self.s.get(self.i).map_or(' ', |&b| b as char);
        JsonError(format!("invalid character {} {context}", quote_char(c)))
    }
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn value(&mut self) -> Result<Value, JsonError> {
        super::with_stack(|| self.value_inner())
    }

    fn value_inner(&mut self) -> Result<Value, JsonError> {
        match self.s.get(self.i) {
            None => Err(Self::eof()),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Value::from(self.string()?)),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Nil),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.invalid("looking for beginning of value")),
        }
    }
    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        for (k, expect) in word.bytes().enumerate() {
            match self.s.get(self.i) {
                Some(&c) if c == expect => self.i += 1,
                _ if k == 0 => return Err(self.invalid("looking for beginning of value")),
                _ => {
                    return Err(self.invalid(&format!(
                        "in literal {word} (expecting {})",
                        quote_char(expect as char)
                    )))
                }
            }
        }
        Ok(v)
    }
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let st = p.i;
            while p.i < p.s.len() && p.s[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i - st
        };
        if self.s[self.i] == b'-' {
            self.i += 1;
            match self.s.get(self.i) {
                Some(b'0'..=b'9') => {}
                _ => return Err(self.invalid("in numeric literal")),
            }
        }
        if self.s[self.i] == b'0' {
            self.i += 1;
        } else {
            digits(self);
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.invalid("after decimal point in numeric literal"));
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.invalid("in exponent of numeric literal"));
            }
        }
        let text = &self.text[start..self.i];
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => {
                if self.error.is_none() {
                    self.error = Some(JsonError(format!(
                        "json: cannot unmarshal number {text} into Go value of type float64"
                    )));
                }
                Ok(Value::Nil)
            }
        }
    }
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.s.get(self.i).copied().unwrap_or(b' ');
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.invalid("in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err(Self::eof());
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.s.get(self.i).copied().unwrap_or(b' ');
                    let simple = match e {
                        b'"' => Some('"'),
                        b'\\' => Some('\\'),
                        b'/' => Some('/'),
                        b'b' => Some('\u{8}'),
                        b'f' => Some('\u{c}'),
                        b'n' => Some('\n'),
                        b'r' => Some('\r'),
                        b't' => Some('\t'),
                        b'u' => None,
                        _ => return Err(self.invalid("in string escape code")),
                    };
                    self.i += 1;
                    if let Some(ch) = simple {
                        out.push(ch);
                        continue;
                    }
                    let u = self.hex4()?;
                    if (0xD800..0xDC00).contains(&u) && self.s[self.i..].starts_with(b"\\u") {
                        // a surrogate pair, if the next escape completes it
                        let save = self.i;
                        self.i += 2;
                        let lo = self.hex4()?;
                        if (0xDC00..0xE000).contains(&lo) {
                            let cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        self.i = save;
                    }
                    out.push(char::from_u32(u).unwrap_or('\u{FFFD}'));
                }
                c if c < 0x20 => return Err(self.invalid("in string literal")),
                _ => {
                    let ch = self.cur_char();
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }
    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > 10000 {
            return Err(JsonError("exceeded max depth".into()));
        }
        Ok(())
    }
    fn array(&mut self) -> Result<Value, JsonError> {
        self.enter()?;
        self.i += 1;
        self.skip_ws();
        let mut items = Vec::new();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::list(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.s.get(self.i) {
                None => return Err(Self::eof()),
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                Some(_) => return Err(self.invalid("after array element")),
            }
        }
        self.depth -= 1;
        Ok(Value::list(items))
    }
    fn object(&mut self) -> Result<Value, JsonError> {
        self.enter()?;
        self.i += 1;
        let m = gotmpl::Map::new();
        self.skip_ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::Map(m));
        }
        loop {
            self.skip_ws();
            match self.s.get(self.i) {
                None => return Err(Self::eof()),
                Some(b'"') => {}
                Some(_) => return Err(self.invalid("looking for beginning of object key string")),
            }
            let k = self.string()?;
            self.skip_ws();
            match self.s.get(self.i) {
                None => return Err(Self::eof()),
                Some(b':') => self.i += 1,
                Some(_) => return Err(self.invalid("after object key")),
            }
            self.skip_ws();
            let v = self.value()?;
            m.insert(k, v);
            self.skip_ws();
            match self.s.get(self.i) {
                None => return Err(Self::eof()),
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                Some(_) => return Err(self.invalid("after object key:value pair")),
            }
        }
        self.depth -= 1;
        Ok(Value::Map(m))
    }
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
