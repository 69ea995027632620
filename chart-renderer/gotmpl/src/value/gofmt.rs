//! Go's `fmt` as templates use it: `Sprint`, `Sprintln`, `Sprintf` and how `{{ . }}` prints a value.
//!
//! The printer follows the behaviour of Go's `fmt` package (Go 1.26, the toolchain Helm v4.2.3 was built
//! with) for the dynamic types a [`Value`] can hold: verbs, flags, width/precision (literal, `*` and
//! argument indexes) and every `%!…` error form. Helper formatters Go takes from `strconv`
//! (`FormatFloat`, `Quote`, `QuoteRune`, `IsPrint`) are public because Sprig/Helm functions need them too.
//!
//! Floating-point digits come from `ryu` (shortest round-tripping digits, the algorithm Go's `strconv`
//! uses too) and from Rust's own formatting for an explicit precision (exact, round-half-even, like Go);
//! only the layout (exponent form, `%g` thresholds, padding, flags) is done here.
//!
//! Known approximations (no Go reflection behind an [`crate::Object`]): an object prints as its
//! `go_format()` text for every verb; string verbs (`%s %q %x %X`) treat that text like a `String()` result,
//! other verbs give `%!verb(TYPE=TEXT)` where Go would walk the struct's fields. Go prints a non-Stringer
//! pointer nested in a collection as an address; we print `go_format()` there too. `%p` prints the address
//! of our shared storage (Go's is just as unpredictable). `%!v(PANIC=…)` cannot occur: nothing here panics.
//!
//! The buffer is a `Vec<u8>` because `%s`/`%x` of `[]byte` may carry bytes that are not UTF-8; the public
//! functions convert to `String` at the end (lossily only in that `[]byte` case).

use super::Value;

const LOWER_DIGITS: &[u8; 17] = b"0123456789abcdefx";
const UPPER_DIGITS: &[u8; 17] = b"0123456789ABCDEFX";

/// Go's `fmt` refuses widths and precisions above this (`tooLarge`).
const MAX_WIDTH: i64 = 1_000_000;

/// What an action `{{ x }}` writes for its value (Go's `printValue`: `<no value>` for a missing or nil value,
/// otherwise `fmt.Fprint`).
pub fn print_value(v: &Value) -> String {
    let mut out = String::new();
    write_print_value(&mut out, v);
    out
}

/// [`print_value`] appended to `out`. Scalars (what almost every action prints) skip the general printer.
pub fn write_print_value(out: &mut String, v: &Value) {
    match v {
        Value::Invalid | Value::Nil => out.push_str("<no value>"),
        _ => write_v(out, v),
    }
}

/// `%v` of one operand appended to `out` (nil prints `<nil>`), with fast paths for scalars.
fn write_v(out: &mut String, v: &Value) {
    use std::fmt::Write as _;
    match v {
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Writing into a String cannot fail.
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Uint64(u) => {
            let _ = write!(out, "{u}");
        }
        // Integral floats below 1e6 print as integers under %v (`3`, `-42`); -0 keeps its sign.
        Value::Float(f)
            if f.fract() == 0.0 && f.abs() < 1e6 && !(*f == 0.0 && f.is_sign_negative()) =>
        {
            let _ = write!(out, "{}", *f as i64);
        }
        Value::Float(f) => out.push_str(&format_float(*f, b'g', -1)),
        _ => {
            let mut p = Printer::default();
            p.print_arg(v, 'v');
            out.push_str(&p.finish());
        }
    }
}

/// `fmt.Sprint(args...)`: operands in their `%v` form, with a space between two operands when neither is
/// a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_v(&mut out, arg);
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln(args...)`: operands in their `%v` form, always space-separated, plus a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_v(&mut out, arg);
    }
    out.push('\n');
    out
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.finish()
}

/// The `%v` text of one value (`fmt.Sprint(v)` for a single operand; nil prints `<nil>`).
pub fn format_v(v: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, v);
    out
}

// ---------------------------------------------------------------------------------------------------------
// strconv equivalents
// ---------------------------------------------------------------------------------------------------------

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. The general
/// category data is Unicode 15.0, the version Go 1.26's tables use (the crate is pinned for that reason).
pub fn is_print(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    if c == ' ' {
        return true;
    }
    !matches!(
        get_general_category(c),
        G::Control
            | G::Format
            | G::PrivateUse
            | G::Surrogate
            | G::Unassigned
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::SpaceSeparator
    )
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    bytes_to_string(quote_bytes(s.as_bytes(), b'"', false))
}

/// Go's `strconv.QuoteToASCII`.
pub fn quote_to_ascii(s: &str) -> String {
    bytes_to_string(quote_bytes(s.as_bytes(), b'"', true))
}

/// Go's `strconv.QuoteRune` (invalid code points print as `'�'`).
pub fn quote_rune(r: u32) -> String {
    bytes_to_string(quote_rune_bytes(r, false))
}

/// Go's `strconv.CanBackquote`: no control characters but tab, no backquote, no BOM, valid UTF-8.
pub fn can_backquote(s: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(s) else {
        return false;
    };
    text.chars()
        .all(|c| !((c < ' ' && c != '\t') || c == '`' || c == '\u{7f}' || c == '\u{feff}'))
}

/// Go's `strconv.FormatFloat(v, fmt, prec, 64)` for `fmt` in `b e E f g G x X`; `prec < 0` asks for the
/// shortest representation that reads back as `v`.
pub fn format_float(v: f64, fmt: u8, prec: i64) -> String {
    bytes_to_string(format_float_bytes(v, fmt, prec))
}

fn bytes_to_string(b: Vec<u8>) -> String {
    match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn push_hex_lower(out: &mut Vec<u8>, v: u64, width: usize) {
    let s = format!("{v:0width$x}");
    out.extend_from_slice(s.as_bytes());
}

/// Appends `r` escaped the way Go's quoting does (the quote character and backslash escaped, printable
/// runes kept, C escapes, then `\x`, `\u`, `\U`).
fn append_escaped_rune(out: &mut Vec<u8>, r: char, quote: u8, ascii_only: bool) {
    if r as u32 == quote as u32 || r == '\\' {
        out.push(b'\\');
        out.push(r as u8);
        return;
    }
    let printable = if ascii_only {
        (r as u32) < 0x80 && is_print(r)
    } else {
        is_print(r)
    };
    if printable {
        let mut tmp = [0u8; 4];
        out.extend_from_slice(r.encode_utf8(&mut tmp).as_bytes());
        return;
    }
    match r {
        '\u{7}' => out.extend_from_slice(b"\\a"),
        '\u{8}' => out.extend_from_slice(b"\\b"),
        '\u{c}' => out.extend_from_slice(b"\\f"),
        '\n' => out.extend_from_slice(b"\\n"),
        '\r' => out.extend_from_slice(b"\\r"),
        '\t' => out.extend_from_slice(b"\\t"),
        '\u{b}' => out.extend_from_slice(b"\\v"),
        _ => {
            let n = r as u32;
            if n < 0x20 || n == 0x7f {
                out.extend_from_slice(b"\\x");
                push_hex_lower(out, n as u64, 2);
            } else if n < 0x10000 {
                out.extend_from_slice(b"\\u");
                push_hex_lower(out, n as u64, 4);
            } else {
                out.extend_from_slice(b"\\U");
                push_hex_lower(out, n as u64, 8);
            }
        }
    }
}

/// Quotes possibly non-UTF-8 bytes: each byte of an invalid sequence becomes `\xNN`, as in Go.
fn quote_bytes(s: &[u8], quote: u8, ascii_only: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(quote);
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            append_escaped_rune(&mut out, c, quote, ascii_only);
        }
        for &b in chunk.invalid() {
            out.extend_from_slice(b"\\x");
            push_hex_lower(&mut out, b as u64, 2);
        }
    }
    out.push(quote);
    out
}

fn rune_or_replacement(r: u64) -> char {
    u32::try_from(r)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}')
}

fn quote_rune_bytes(r: u32, ascii_only: bool) -> Vec<u8> {
    let c = rune_or_replacement(r as u64);
    let mut out = vec![b'\''];
    append_escaped_rune(&mut out, c, b'\'', ascii_only);
    out.push(b'\'');
    out
}

/// A decimal digit string `0.d1d2…dn × 10^dp` without trailing zeros (zero has no digits and `dp == 0`),
/// the shape Go's `strconv` formats from.
struct Decimal {
    digits: Vec<u8>,
    dp: i64,
}

impl Decimal {
    /// Parses a non-negative finite number written as `ddd.ddd` with an optional `e±x` exponent (the forms
    /// Rust's and `ryu`'s formatters produce).
    fn parse(s: &str) -> Decimal {
        let (mant, exp) = s.split_once(['e', 'E']).unwrap_or((s, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let (int_part, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let mut digits: Vec<u8> = Vec::with_capacity(int_part.len() + frac.len());
        digits.extend_from_slice(int_part.as_bytes());
        digits.extend_from_slice(frac.as_bytes());
        let lead = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..lead);
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Decimal { digits, dp: 0 };
        }
        Decimal {
            digits,
            dp: int_part.len() as i64 - lead as i64 + exp,
        }
    }

    /// The shortest digits that read back as `v`. `ryu` implements the same Ryu algorithm Go's `strconv`
    /// uses for shortest formatting, and is several times faster than going through `format!`.
    fn shortest(v: f64) -> Decimal {
        let mut buf = ryu::Buffer::new();
        Decimal::parse(buf.format_finite(v.abs()))
    }

    /// `v` correctly rounded (half to even, on the exact binary value) to `n >= 1` significant digits.
    fn significant(v: f64, n: usize) -> Decimal {
        Decimal::parse(&format!("{:.*e}", n.saturating_sub(1), v.abs()))
    }

    /// `v` correctly rounded to `prec` digits after the decimal point.
    fn fixed(v: f64, prec: usize) -> Decimal {
        Decimal::parse(&format!("{:.*}", prec, v.abs()))
    }

    fn nd(&self) -> i64 {
        self.digits.len() as i64
    }

    fn digit(&self, i: i64) -> u8 {
        if i >= 0 && i < self.nd() {
            self.digits[i as usize]
        } else {
            b'0'
        }
    }
}

/// `%e`: `d.ddde±dd` with `prec` digits after the point.
fn fmt_e(out: &mut Vec<u8>, neg: bool, d: &Decimal, prec: i64, fmt: u8) {
    if neg {
        out.push(b'-');
    }
    out.push(d.digit(0));
    if prec > 0 {
        out.push(b'.');
        for i in 1..=prec {
            out.push(d.digit(i));
        }
    }
    out.push(fmt);
    let mut exp = if d.digits.is_empty() { 0 } else { d.dp - 1 };
    if exp < 0 {
        out.push(b'-');
        exp = -exp;
    } else {
        out.push(b'+');
    }
    if exp < 10 {
        out.push(b'0');
    }
    out.extend_from_slice(exp.to_string().as_bytes());
}

/// `%f`: `ddd.ddd` with `prec` digits after the point.
fn fmt_f(out: &mut Vec<u8>, neg: bool, d: &Decimal, prec: i64) {
    if neg {
        out.push(b'-');
    }
    if d.dp > 0 {
        for i in 0..d.dp {
            out.push(d.digit(i));
        }
    } else {
        out.push(b'0');
    }
    if prec > 0 {
        out.push(b'.');
        for i in 1..=prec {
            out.push(d.digit(d.dp + i - 1));
        }
    }
}

/// `%b`: decimal mantissa and binary exponent, `4503599627370496p-52`.
fn fmt_b(out: &mut Vec<u8>, neg: bool, mant: u64, exp: i64) {
    if neg {
        out.push(b'-');
    }
    out.extend_from_slice(mant.to_string().as_bytes());
    out.push(b'p');
    let e = exp - 52;
    if e >= 0 {
        out.push(b'+');
    }
    out.extend_from_slice(e.to_string().as_bytes());
}

/// `%x`: `-0x1.23p+04`; the value is `mant × 2^(exp-52)`. With `prec >= 0` the hex fraction is rounded
/// half to even to `prec` digits; otherwise trailing zero digits are dropped.
fn fmt_hex_float(out: &mut Vec<u8>, neg: bool, mut mant: u64, mut exp: i64, prec: i64, fmt: u8) {
    if mant == 0 {
        exp = 0;
    }
    // Normalise so the leading 1 sits at bit 60, leaving 60 bits (15 hex digits) of fraction below it.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let keep = 60 - 4 * prec as u32; // fraction bits dropped
        let dropped = mant & ((1u64 << keep) - 1);
        let half = 1u64 << (keep - 1);
        let mut kept = mant >> keep;
        if dropped > half || (dropped == half && kept & 1 == 1) {
            kept += 1;
        }
        mant = kept << keep;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let digits = if fmt == b'X' {
        UPPER_DIGITS
    } else {
        LOWER_DIGITS
    };
    if neg {
        out.push(b'-');
    }
    out.push(b'0');
    out.push(fmt);
    out.push(b'0' + ((mant >> 60) & 1) as u8);
    let mut frac = mant << 4;
    if prec < 0 && frac != 0 {
        out.push(b'.');
        while frac != 0 {
            out.push(digits[((frac >> 60) & 15) as usize]);
            frac <<= 4;
        }
    } else if prec > 0 {
        out.push(b'.');
        for _ in 0..prec {
            out.push(digits[((frac >> 60) & 15) as usize]);
            frac <<= 4;
        }
    }
    out.push(if fmt == b'X' { b'P' } else { b'p' });
    if exp < 0 {
        out.push(b'-');
        exp = -exp;
    } else {
        out.push(b'+');
    }
    if exp < 10 {
        out.push(b'0');
    }
    out.extend_from_slice(exp.to_string().as_bytes());
}

fn format_float_bytes(v: f64, fmt: u8, prec: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(24);
    if v.is_nan() {
        out.extend_from_slice(b"NaN");
        return out;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"+Inf" } else { b"-Inf" });
        return out;
    }
    let bits = v.to_bits();
    let neg = bits >> 63 != 0;
    let raw_exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    let exp = if raw_exp == 0 {
        -1022 // subnormal: exponent of the smallest normal, no implicit bit
    } else {
        mant |= 1u64 << 52;
        raw_exp - 1023
    };
    match fmt {
        b'b' => {
            fmt_b(&mut out, neg, mant, exp);
            return out;
        }
        b'x' | b'X' => {
            fmt_hex_float(&mut out, neg, mant, exp, prec, fmt);
            return out;
        }
        _ => {}
    }
    let shortest = prec < 0;
    let mut prec = prec;
    let d = if shortest {
        let d = Decimal::shortest(v);
        prec = match fmt {
            b'e' | b'E' => (d.nd() - 1).max(0),
            b'f' => (d.nd() - d.dp).max(0),
            _ => d.nd(),
        };
        d
    } else {
        match fmt {
            b'e' | b'E' => Decimal::significant(v, (prec + 1) as usize),
            b'f' => Decimal::fixed(v, prec as usize),
            _ => {
                if prec == 0 {
                    prec = 1;
                }
                Decimal::significant(v, prec as usize)
            }
        }
    };
    match fmt {
        b'e' | b'E' => fmt_e(&mut out, neg, &d, prec, fmt),
        b'f' => fmt_f(&mut out, neg, &d, prec),
        b'g' | b'G' => {
            let mut eprec = prec;
            if eprec > d.nd() && d.nd() >= d.dp {
                eprec = d.nd();
            }
            // Shortest %g switches to exponent form from 1e+21 only in JavaScript; Go uses 6 digits.
            if shortest {
                eprec = 6;
            }
            let exp = d.dp - 1;
            if exp < -4 || exp >= eprec {
                let p = prec.min(d.nd());
                fmt_e(&mut out, neg, &d, p - 1, fmt + b'e' - b'g');
            } else {
                let p = if prec > d.dp { d.nd() } else { prec };
                fmt_f(&mut out, neg, &d, (p - d.dp).max(0));
            }
        }
        _ => {
            // Go writes `%` followed by the format byte for an unknown format.
            out.push(b'%');
            out.push(fmt);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// The printer
// ---------------------------------------------------------------------------------------------------------

/// Flags, width and precision of one directive. `plus_v`/`sharp_v` record `%+v`/`%#v`, which Go treats as
/// separate flagless formats (`plus`/`sharp` are cleared for them).
#[derive(Clone, Copy, Default)]
struct Flags {
    wid: usize,
    wid_present: bool,
    prec: usize,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
}

#[derive(Default)]
struct Printer {
    buf: Vec<u8>,
    f: Flags,
    /// Set while printing a `%!verb(type=value)` so nested values do not recurse into error forms again.
    erroring: bool,
}

impl Printer {
    fn finish(self) -> String {
        bytes_to_string(self.buf)
    }

    // --- padding ---------------------------------------------------------------------------------------

    fn write_padding(&mut self, n: usize) {
        // Zero padding only ever applies on the left.
        let pad = if self.f.zero && !self.f.minus {
            b'0'
        } else {
            b' '
        };
        self.buf.resize(self.buf.len() + n, pad);
    }

    /// Pads to the width counted in runes (Go counts runes, not bytes or display cells).
    fn pad(&mut self, b: &[u8]) {
        if !self.f.wid_present || self.f.wid == 0 {
            self.buf.extend_from_slice(b);
            return;
        }
        let runes = b
            .utf8_chunks()
            .map(|c| c.valid().chars().count() + c.invalid().len())
            .sum::<usize>();
        let width = self.f.wid.saturating_sub(runes);
        if !self.f.minus {
            self.write_padding(width);
            self.buf.extend_from_slice(b);
        } else {
            self.buf.extend_from_slice(b);
            self.write_padding(width);
        }
    }

    fn pad_str(&mut self, s: &str) {
        self.pad(s.as_bytes());
    }

    /// `pad` with the zero flag switched off (numbers that already placed their own zeros).
    fn pad_no_zero(&mut self, b: &[u8]) {
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(b);
        self.f.zero = old;
    }

    // --- basic kinds -------------------------------------------------------------------------------------

    fn fmt_boolean(&mut self, v: bool) {
        self.pad_str(if v { "true" } else { "false" });
    }

    /// Go's `fmtInteger` of the low-level formatter: precision gives minimum digits, `0` flag pads with
    /// zeros after the sign, `#` adds `0b`/`0`/`0x`, `%O` adds `0o`.
    fn fmt_integer_raw(
        &mut self,
        mut u: u64,
        base: u64,
        signed: bool,
        verb: char,
        digits: &[u8; 17],
    ) {
        let negative = signed && (u as i64) < 0;
        if negative {
            u = u.wrapping_neg();
        }
        let mut prec: i64 = 0;
        if self.f.prec_present {
            prec = self.f.prec as i64;
            if prec == 0 && u == 0 {
                // Precision 0 and value 0 print nothing but the padding.
                let old = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid);
                self.f.zero = old;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            prec = self.f.wid as i64;
            if negative || self.f.plus || self.f.space {
                prec -= 1; // room for the sign
            }
        }
        // Digits are produced right to left, then reversed.
        let mut rev: Vec<u8> = Vec::with_capacity(24);
        loop {
            rev.push(digits[(u % base) as usize]);
            u /= base;
            if u == 0 {
                break;
            }
        }
        while (rev.len() as i64) < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(digits[16]);
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        self.pad_no_zero(&rev);
    }

    fn fmt_unicode(&mut self, u: u64) {
        let prec = if self.f.prec_present && self.f.prec > 4 {
            self.f.prec
        } else {
            4
        };
        let mut s = format!("U+{u:0prec$X}").into_bytes();
        if self.f.sharp {
            if let Some(c) = u32::try_from(u).ok().and_then(char::from_u32) {
                if is_print(c) {
                    s.extend_from_slice(b" '");
                    let mut tmp = [0u8; 4];
                    s.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                    s.push(b'\'');
                }
            }
        }
        self.pad_no_zero(&s);
    }

    fn fmt_c(&mut self, c: u64) {
        let r = rune_or_replacement(c);
        let mut tmp = [0u8; 4];
        let s = r.encode_utf8(&mut tmp).as_bytes().to_vec();
        self.pad(&s);
    }

    fn fmt_qc(&mut self, c: u64) {
        let r = if c > 0x10ffff { 0xfffd } else { c as u32 };
        let q = quote_rune_bytes(r, self.f.plus);
        self.pad(&q);
    }

    /// Truncates to the precision, counted in runes.
    fn truncate<'a>(&self, s: &'a [u8]) -> &'a [u8] {
        if !self.f.prec_present {
            return s;
        }
        let mut n = self.f.prec;
        let mut i = 0;
        while i < s.len() {
            if n == 0 {
                return &s[..i];
            }
            n -= 1;
            i += utf8_width_at(s, i);
        }
        s
    }

    fn fmt_s(&mut self, s: &[u8]) {
        let t = self.truncate(s).to_vec();
        self.pad(&t);
    }

    /// `%x`/`%X` of a string or byte slice: two hex digits per byte; `space` separates bytes and `#` adds
    /// `0x` (once, or per byte with `space`).
    fn fmt_sbx(&mut self, s: &[u8], digits: &[u8; 17]) {
        let mut length = s.len();
        if self.f.prec_present && self.f.prec < length {
            length = self.f.prec;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if self.f.wid_present {
                self.write_padding(self.f.wid);
            }
            return;
        }
        if self.f.wid_present && self.f.wid > width && !self.f.minus {
            self.write_padding(self.f.wid - width);
        }
        if self.f.sharp {
            self.buf.push(b'0');
            self.buf.push(digits[16]);
        }
        for (i, &c) in s[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(b' ');
                if self.f.sharp {
                    self.buf.push(b'0');
                    self.buf.push(digits[16]);
                }
            }
            self.buf.push(digits[(c >> 4) as usize]);
            self.buf.push(digits[(c & 0xf) as usize]);
        }
        if self.f.wid_present && self.f.wid > width && self.f.minus {
            self.write_padding(self.f.wid - width);
        }
    }

    fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s).to_vec();
        if self.f.sharp && can_backquote(&s) {
            let mut q = Vec::with_capacity(s.len() + 2);
            q.push(b'`');
            q.extend_from_slice(&s);
            q.push(b'`');
            self.pad(&q);
            return;
        }
        let q = quote_bytes(&s, b'"', self.f.plus);
        self.pad(&q);
    }

    /// The low-level float formatter: sign handling, `#` (keep the point and trailing zeros), zero padding
    /// after the sign, and no zero padding for infinities and NaN.
    fn fmt_float_raw(&mut self, v: f64, verb: u8, mut prec: i64) {
        if self.f.prec_present {
            prec = self.f.prec as i64;
        }
        let s = format_float_bytes(v, verb, prec);
        let mut num: Vec<u8> = Vec::with_capacity(s.len() + 1);
        if s[0] == b'-' || s[0] == b'+' {
            num.extend_from_slice(&s);
        } else {
            num.push(b'+');
            num.extend_from_slice(&s);
        }
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        if num[1] == b'I' || num[1] == b'N' {
            let old = self.f.zero;
            self.f.zero = false;
            if num[1] == b'N' && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.f.zero = old;
            return;
        }
        if self.f.sharp && verb != b'b' {
            let mut digits: i64 = match verb {
                b'v' | b'g' | b'G' | b'x' => {
                    if prec == -1 {
                        6
                    } else {
                        prec
                    }
                }
                _ => 0,
            };
            let mut tail: Vec<u8> = Vec::new();
            let mut has_point = false;
            // Significant digits start at the first character that is not `0` (for hex floats that is the
            // `x` of the prefix, which Go counts as well).
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail = num.split_off(i);
                        break;
                    }
                    b'e' | b'E' if verb != b'x' && verb != b'X' => {
                        tail = num.split_off(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                // A lone leading `0` still counts as one digit.
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        if self.f.plus || num[0] != b'+' {
            if self.f.zero && !self.f.minus && self.f.wid_present && self.f.wid > num.len() {
                self.buf.push(num[0]);
                self.write_padding(self.f.wid - num.len());
                self.buf.extend_from_slice(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }

    // --- verbs per kind ----------------------------------------------------------------------------------

    /// `%!verb(type=value)`, or `%!verb(<nil>)`.
    fn bad_verb(&mut self, verb: char, arg: &Value) {
        self.erroring = true;
        self.buf.extend_from_slice(b"%!");
        self.push_char(verb);
        self.buf.push(b'(');
        if arg.is_nil_or_invalid() {
            self.buf.extend_from_slice(b"<nil>");
        } else {
            self.buf.extend_from_slice(arg.type_name().as_bytes());
            self.buf.push(b'=');
            self.print_arg(arg, 'v');
        }
        self.buf.push(b')');
        self.erroring = false;
    }

    fn push_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        self.buf
            .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
    }

    fn fmt_bool(&mut self, v: bool, verb: char, arg: &Value) {
        match verb {
            't' | 'v' => self.fmt_boolean(v),
            _ => self.bad_verb(verb, arg),
        }
    }

    fn fmt_0x64(&mut self, v: u64, leading_0x: bool) {
        let sharp = self.f.sharp;
        self.f.sharp = leading_0x;
        self.fmt_integer_raw(v, 16, false, 'v', LOWER_DIGITS);
        self.f.sharp = sharp;
    }

    fn fmt_integer(&mut self, v: u64, signed: bool, verb: char, arg: &Value) {
        match verb {
            'v' => {
                if self.f.sharp_v && !signed {
                    self.fmt_0x64(v, true);
                } else {
                    self.fmt_integer_raw(v, 10, signed, verb, LOWER_DIGITS);
                }
            }
            'd' => self.fmt_integer_raw(v, 10, signed, verb, LOWER_DIGITS),
            'b' => self.fmt_integer_raw(v, 2, signed, verb, LOWER_DIGITS),
            'o' | 'O' => self.fmt_integer_raw(v, 8, signed, verb, LOWER_DIGITS),
            'x' => self.fmt_integer_raw(v, 16, signed, verb, LOWER_DIGITS),
            'X' => self.fmt_integer_raw(v, 16, signed, verb, UPPER_DIGITS),
            'c' => self.fmt_c(v),
            'q' => self.fmt_qc(v),
            'U' => self.fmt_unicode(v),
            _ => self.bad_verb(verb, arg),
        }
    }

    fn fmt_float(&mut self, v: f64, verb: char, arg: &Value) {
        match verb {
            'v' => self.fmt_float_raw(v, b'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_raw(v, verb as u8, -1),
            'f' | 'e' | 'E' => self.fmt_float_raw(v, verb as u8, 6),
            'F' => self.fmt_float_raw(v, b'f', 6),
            _ => self.bad_verb(verb, arg),
        }
    }

    fn fmt_string(&mut self, s: &[u8], verb: char, arg: &Value) {
        match verb {
            'v' => {
                if self.f.sharp_v {
                    self.fmt_q(s);
                } else {
                    self.fmt_s(s);
                }
            }
            's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s, LOWER_DIGITS),
            'X' => self.fmt_sbx(s, UPPER_DIGITS),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, arg),
        }
    }

    /// `[]byte` given directly as an operand (Go's `fmtBytes`; `type_string` is `[]byte` there and
    /// `[]uint8` when reached through a container).
    fn fmt_bytes(&mut self, b: &[u8], verb: char, type_string: &str, depth: usize) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(type_string.as_bytes());
                    self.buf.push(b'{');
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.extend_from_slice(b", ");
                        }
                        self.fmt_0x64(c as u64, true);
                    }
                    self.buf.push(b'}');
                } else {
                    self.buf.push(b'[');
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(b' ');
                        }
                        self.fmt_integer_raw(c as u64, 10, false, verb, LOWER_DIGITS);
                    }
                    self.buf.push(b']');
                }
            }
            's' => self.fmt_s(b),
            'x' => self.fmt_sbx(b, LOWER_DIGITS),
            'X' => self.fmt_sbx(b, UPPER_DIGITS),
            'q' => self.fmt_q(b),
            _ => self.print_byte_slice_generic(b, verb, depth),
        }
    }

    /// A `[]uint8` printed element by element like any slice.
    fn print_byte_slice_generic(&mut self, b: &[u8], verb: char, depth: usize) {
        let _ = depth;
        if self.f.sharp_v {
            self.buf.extend_from_slice(b"[]uint8{");
            for (i, &c) in b.iter().enumerate() {
                if i > 0 {
                    self.buf.extend_from_slice(b", ");
                }
                self.fmt_integer_uint8(c, verb);
            }
            self.buf.push(b'}');
        } else {
            self.buf.push(b'[');
            for (i, &c) in b.iter().enumerate() {
                if i > 0 {
                    self.buf.push(b' ');
                }
                self.fmt_integer_uint8(c, verb);
            }
            self.buf.push(b']');
        }
    }

    /// One `uint8` element; its `%!verb(uint8=…)` error names `uint8`, not `uint64`.
    fn fmt_integer_uint8(&mut self, c: u8, verb: char) {
        match verb {
            'v' | 'd' | 'b' | 'o' | 'O' | 'x' | 'X' | 'c' | 'q' | 'U' => {
                self.fmt_integer(c as u64, false, verb, &Value::Uint64(c as u64))
            }
            _ => {
                self.buf.extend_from_slice(b"%!");
                self.push_char(verb);
                self.buf.extend_from_slice(b"(uint8=");
                self.fmt_integer(c as u64, false, 'v', &Value::Uint64(c as u64));
                self.buf.push(b')');
            }
        }
    }

    fn fmt_pointer(&mut self, v: &Value, verb: char) {
        let addr = match v {
            Value::List(l) => l.as_ptr() as *const u8 as usize,
            Value::Bytes(b) => b.as_ptr() as usize,
            Value::Map(m) => {
                let guard = m.read();
                &*guard as *const _ as *const u8 as usize
            }
            Value::Object(o) if o.kind_name() == "ptr" => {
                std::sync::Arc::as_ptr(o) as *const u8 as usize
            }
            _ => {
                self.bad_verb(verb, v);
                return;
            }
        };
        self.fmt_0x64(addr as u64, !self.f.sharp);
    }

    /// Go's `printArg`: one operand at top level.
    fn print_arg(&mut self, arg: &Value, verb: char) {
        if arg.is_nil_or_invalid() {
            match verb {
                'T' | 'v' => self.pad_str("<nil>"),
                _ => self.bad_verb(verb, arg),
            }
            return;
        }
        match verb {
            'T' => {
                let t = arg.type_name();
                self.fmt_s(t.as_bytes());
                return;
            }
            'p' => {
                self.fmt_pointer(arg, 'p');
                return;
            }
            _ => {}
        }
        match arg {
            Value::Bytes(b) => self.fmt_bytes(b, verb, "[]byte", 0),
            Value::List(_) | Value::Map(_) | Value::Object(_) if verb == 'w' => {
                // `%w` is only valid in `fmt.Errorf`; Go rejects it before looking inside composites.
                self.bad_verb(verb, arg)
            }
            _ => self.print_value(arg, verb, 0),
        }
    }

    /// Go's `printValue`: a value at any depth (elements of lists and maps are at depth > 0).
    fn print_value(&mut self, v: &Value, verb: char, depth: usize) {
        match v {
            Value::Invalid | Value::Nil => {
                // A nil element of `[]interface{}` / `map[string]interface{}`: an interface holding nothing.
                if self.f.sharp_v {
                    self.buf.extend_from_slice(b"interface {}(nil)");
                } else {
                    self.buf.extend_from_slice(b"<nil>");
                }
            }
            Value::Bool(b) => self.fmt_bool(*b, verb, v),
            Value::Int(i) | Value::Int64(i) => self.fmt_integer(*i as u64, true, verb, v),
            Value::Uint64(u) => self.fmt_integer(*u, false, verb, v),
            Value::Float(x) => self.fmt_float(*x, verb, v),
            Value::String(s) => self.fmt_string(s.as_bytes(), verb, v),
            Value::Bytes(b) => {
                if depth == 0 {
                    self.fmt_bytes(b, verb, "[]byte", depth);
                } else if matches!(verb, 's' | 'q' | 'x' | 'X') {
                    self.fmt_bytes(b, verb, "[]uint8", depth);
                } else {
                    self.print_byte_slice_generic(b, verb, depth);
                }
            }
            Value::List(items) => {
                if self.f.sharp_v && items.is_nil() {
                    self.buf.extend_from_slice(v.type_name().as_bytes());
                    self.buf.extend_from_slice(b"(nil)");
                } else if self.f.sharp_v {
                    // `[]interface {}{`, `[]string{`, …: the Go type, then the elements.
                    self.buf.extend_from_slice(v.type_name().as_bytes());
                    self.buf.push(b'{');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.extend_from_slice(b", ");
                        }
                        self.print_value(item, verb, depth + 1);
                    }
                    self.buf.push(b'}');
                } else {
                    self.buf.push(b'[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(b' ');
                        }
                        self.print_value(item, verb, depth + 1);
                    }
                    self.buf.push(b']');
                }
            }
            Value::Map(m) => {
                // Entries are copied out so no lock is held while nested values print (a map may contain
                // itself through a shared handle only via another map, which is printed independently).
                let entries = m.entries();
                if self.f.sharp_v {
                    self.buf.extend_from_slice(v.type_name().as_bytes());
                    self.buf.push(b'{');
                } else {
                    self.buf.extend_from_slice(b"map[");
                }
                for (i, (k, val)) in entries.iter().enumerate() {
                    if i > 0 {
                        if self.f.sharp_v {
                            self.buf.extend_from_slice(b", ");
                        } else {
                            self.buf.push(b' ');
                        }
                    }
                    let key = Value::from_str(k);
                    self.fmt_string(k.as_bytes(), verb, &key);
                    self.buf.push(b':');
                    self.print_value(val, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { b'}' } else { b']' });
            }
            Value::Object(o) => {
                // Helm's objects print through their Go `String()`/struct form, which `go_format` gives;
                // string verbs treat that text like a Stringer's result, as Go's handleMethods does.
                let text = o.go_format();
                if self.f.sharp_v {
                    self.buf.extend_from_slice(text.as_bytes());
                    return;
                }
                match verb {
                    'v' | 's' | 'q' | 'x' | 'X' if !self.erroring => {
                        let sv = Value::from_str(&text);
                        self.fmt_string(text.as_bytes(), verb, &sv)
                    }
                    'v' => self.buf.extend_from_slice(text.as_bytes()),
                    _ => {
                        self.buf.extend_from_slice(b"%!");
                        self.push_char(verb);
                        self.buf.push(b'(');
                        self.buf.extend_from_slice(o.type_name().as_bytes());
                        self.buf.push(b'=');
                        self.buf.extend_from_slice(text.as_bytes());
                        self.buf.push(b')');
                    }
                }
            }
        }
    }

    // --- Printf ------------------------------------------------------------------------------------------

    /// `*` width or precision: the argument must be an integer within ±1e6.
    fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
        if arg_num >= args.len() {
            return (0, false, arg_num);
        }
        let (mut num, mut is_int) = match &args[arg_num] {
            Value::Int(i) | Value::Int64(i) => (*i, true),
            Value::Uint64(u) => match i64::try_from(*u) {
                Ok(i) => (i, true),
                Err(_) => (0, false),
            },
            _ => (0, false),
        };
        if !(-MAX_WIDTH..=MAX_WIDTH).contains(&num) {
            num = 0;
            is_int = false;
        }
        (num, is_int, arg_num + 1)
    }

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let fb = format.as_bytes();
        let end = fb.len();
        let mut arg_num: usize = 0;
        let mut after_index: bool;
        let mut reordered = false;
        let mut i = 0;
        'format: while i < end {
            let mut good_arg_num = true;
            let last = i;
            while i < end && fb[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.buf.extend_from_slice(&fb[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1; // skip '%'
            self.f = Flags::default();
            // Flags, with a fast path for a plain lower-case verb.
            while i < end {
                let c = fb[i];
                match c {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => {
                        if c.is_ascii_lowercase() && arg_num < args.len() {
                            if c == b'v' || c == b'w' {
                                self.f.sharp_v = self.f.sharp;
                                self.f.sharp = false;
                                self.f.plus_v = self.f.plus;
                                self.f.plus = false;
                            }
                            self.print_arg(&args[arg_num], c as char);
                            arg_num += 1;
                            i += 1;
                            continue 'format;
                        }
                        break;
                    }
                }
                i += 1;
            }

            // Argument index before the width.
            let (n, ni, found) = self.arg_number(
                arg_num,
                fb,
                i,
                args.len(),
                &mut reordered,
                &mut good_arg_num,
            );
            arg_num = n;
            i = ni;
            after_index = found;

            // Width.
            if i < end && fb[i] == b'*' {
                i += 1;
                let (w, ok, n) = Self::int_from_arg(args, arg_num);
                arg_num = n;
                self.f.wid_present = ok;
                if !ok {
                    self.buf.extend_from_slice(b"%!(BADWIDTH)");
                }
                if w < 0 {
                    self.f.wid = w.unsigned_abs() as usize;
                    self.f.minus = true;
                    self.f.zero = false;
                } else {
                    self.f.wid = w as usize;
                }
                after_index = false;
            } else {
                let (w, ok, ni) = parse_num(fb, i, end);
                self.f.wid = w;
                self.f.wid_present = ok;
                i = ni;
                if after_index && self.f.wid_present {
                    good_arg_num = false; // "%[3]2d"
                }
            }

            // Precision.
            if i + 1 < end && fb[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false; // "%[3].2d"
                }
                let (n, ni, found) = self.arg_number(
                    arg_num,
                    fb,
                    i,
                    args.len(),
                    &mut reordered,
                    &mut good_arg_num,
                );
                arg_num = n;
                i = ni;
                after_index = found;
                if i < end && fb[i] == b'*' {
                    i += 1;
                    let (p, ok, n) = Self::int_from_arg(args, arg_num);
                    arg_num = n;
                    if p < 0 {
                        self.f.prec = 0;
                        self.f.prec_present = false;
                    } else {
                        self.f.prec = p as usize;
                        self.f.prec_present = ok;
                    }
                    if !self.f.prec_present {
                        self.buf.extend_from_slice(b"%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, ok, ni) = parse_num(fb, i, end);
                    i = ni;
                    self.f.prec = if ok { p } else { 0 };
                    self.f.prec_present = true;
                }
            }

            if !after_index {
                let (n, ni, found) = self.arg_number(
                    arg_num,
                    fb,
                    i,
                    args.len(),
                    &mut reordered,
                    &mut good_arg_num,
                );
                arg_num = n;
                i = ni;
                after_index = found;
            }
            let _ = after_index;

            if i >= end {
                self.buf.extend_from_slice(b"%!(NOVERB)");
                break;
            }

            // The verb is one UTF-8 character (`i` is on a character boundary: only ASCII was consumed).
            let verb = format[i..].chars().next().unwrap_or('\u{fffd}');
            i += verb.len_utf8();

            if verb == '%' {
                // `%%` takes no operand and ignores width and precision.
                self.buf.push(b'%');
            } else if !good_arg_num {
                self.buf.extend_from_slice(b"%!");
                self.push_char(verb);
                self.buf.extend_from_slice(b"(BADINDEX)");
            } else if arg_num >= args.len() {
                self.buf.extend_from_slice(b"%!");
                self.push_char(verb);
                self.buf.extend_from_slice(b"(MISSING)");
            } else {
                if verb == 'v' || verb == 'w' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }

        // Unused operands, unless explicit indexes made that impossible to judge.
        if !reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.buf.extend_from_slice(b"%!(EXTRA ");
            for (k, arg) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.buf.extend_from_slice(b", ");
                }
                if arg.is_nil_or_invalid() {
                    self.buf.extend_from_slice(b"<nil>");
                } else {
                    self.buf.extend_from_slice(arg.type_name().as_bytes());
                    self.buf.push(b'=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(b')');
        }
    }

    /// An explicit `[n]` argument index at `i`: returns the argument to use next, the new position and
    /// whether a well-formed index was found.
    fn arg_number(
        &mut self,
        arg_num: usize,
        fb: &[u8],
        i: usize,
        num_args: usize,
        reordered: &mut bool,
        good_arg_num: &mut bool,
    ) -> (usize, usize, bool) {
        if fb.len() <= i || fb[i] != b'[' {
            return (arg_num, i, false);
        }
        *reordered = true;
        let (index, wid, ok) = parse_arg_number(&fb[i..]);
        if ok && index >= 0 && (index as usize) < num_args {
            return (index as usize, i + wid, true);
        }
        *good_arg_num = false;
        (arg_num, i + wid, ok)
    }
}

/// Bytes taken by the UTF-8 sequence at `i` (1 for an invalid byte, as Go's decoder steps).
fn utf8_width_at(s: &[u8], i: usize) -> usize {
    let end = (i + 4).min(s.len());
    match s[i..end].utf8_chunks().next() {
        Some(chunk) if !chunk.valid().is_empty() => {
            chunk.valid().chars().next().map_or(1, char::len_utf8)
        }
        _ => 1,
    }
}

/// Go's `parsenum`: a decimal number at `fb[start..end]`; `(0, false, end)` on overflow past 1e6.
fn parse_num(fb: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num: i64 = 0;
    let mut isnum = false;
    let mut i = start;
    while i < end && fb[i].is_ascii_digit() {
        if num > MAX_WIDTH {
            return (0, false, end);
        }
        num = num * 10 + (fb[i] - b'0') as i64;
        isnum = true;
        i += 1;
    }
    (num as usize, isnum, i)
}

/// The bracketed one-based index at the start of `fb` (which begins with `[`): returns the zero-based
/// index, the bytes consumed and whether it parsed.
fn parse_arg_number(fb: &[u8]) -> (i64, usize, bool) {
    if fb.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..fb.len() {
        if fb[i] == b']' {
            let (width, ok, newi) = parse_num(fb, 1, i);
            if !ok || newi != i {
                return (0, i + 1, false);
            }
            return (width as i64 - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_floats_follow_go_thresholds() {
        let cases = [
            (1e6, "1e+06"),
            (100000.0, "100000"),
            (3.0, "3"),
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e21, "1e+21"),
            (123456789.0, "1.23456789e+08"),
            (0.0, "0"),
            (f64::INFINITY, "+Inf"),
            (f64::NAN, "NaN"),
        ];
        for (v, want) in cases {
            assert_eq!(format_v(&Value::Float(v)), want, "{v}");
        }
    }
}
