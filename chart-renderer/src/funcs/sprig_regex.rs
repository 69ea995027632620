//! Sprig's regular-expression functions over Go's RE2 syntax, with the `regex` crate (also RE2-style:
//! linear time, no backreferences). Go's Perl classes `\d \w \s \b` are ASCII-only while the crate's are
//! Unicode, so patterns are rewritten to the ASCII forms before compiling. Replacement templates use
//! `$1`/`${name}` expansion with Go's longest-name rule, which the crate shares.
//!
//! Plain names compile with `MustCompile` in Sprig (a bad pattern panics → template error), except
//! `regexMatch`, which then just returns false; the `must*` names return the compile error.

use super::args::{int_arg, str_arg, string, string_list};
use gotmpl::value::Value;
use gotmpl::{FuncError, FuncMap, Function, ParamType as P};
use regex::Regex;

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure(
        "regexMatch",
        &[P::String, P::String],
        None,
        |a| {
            Ok(Value::Bool(
                compile(&str_arg(&a[0])).is_ok_and(|r| r.is_match(&str_arg(&a[1]))),
            ))
        },
    ));
    m.insert(Function::pure(
        "mustRegexMatch",
        &[P::String, P::String],
        None,
        |a| {
            Ok(Value::Bool(
                compile(&str_arg(&a[0]))?.is_match(&str_arg(&a[1])),
            ))
        },
    ));
    for (name, must) in [("regexFindAll", false), ("mustRegexFindAll", true)] {
        m.insert(Function::pure(
            name,
            &[P::String, P::String, P::Int],
            None,
            move |a| {
                let re = compile_mode(&str_arg(&a[0]), must)?;
                let s = str_arg(&a[1]);
                let n = int_arg(&a[2]);
                let limit = if n < 0 { usize::MAX } else { n as usize };
                Ok(string_list(
                    re.find_iter(&s).take(limit).map(|x| x.as_str().to_string()),
                ))
            },
        ));
    }
    for (name, must) in [("regexFind", false), ("mustRegexFind", true)] {
        m.insert(Function::pure(
            name,
            &[P::String, P::String],
            None,
            move |a| {
                let re = compile_mode(&str_arg(&a[0]), must)?;
                Ok(string(
                    re.find(&str_arg(&a[1])).map(|x| x.as_str()).unwrap_or(""),
                ))
            },
        ));
    }
    for (name, must) in [("regexReplaceAll", false), ("mustRegexReplaceAll", true)] {
        m.insert(Function::pure(
            name,
            &[P::String, P::String, P::String],
            None,
            move |a| {
                let re = compile_mode(&str_arg(&a[0]), must)?;
                Ok(string(
                    re.replace_all(&str_arg(&a[1]), &*str_arg(&a[2]))
                        .into_owned(),
                ))
            },
        ));
    }
    for (name, must) in [
        ("regexReplaceAllLiteral", false),
        ("mustRegexReplaceAllLiteral", true),
    ] {
        m.insert(Function::pure(
            name,
            &[P::String, P::String, P::String],
            None,
            move |a| {
                let re = compile_mode(&str_arg(&a[0]), must)?;
                Ok(string(
                    re.replace_all(&str_arg(&a[1]), regex::NoExpand(&str_arg(&a[2])))
                        .into_owned(),
                ))
            },
        ));
    }
    for (name, must) in [("regexSplit", false), ("mustRegexSplit", true)] {
        m.insert(Function::pure(
            name,
            &[P::String, P::String, P::Int],
            None,
            move |a| {
                let pattern = str_arg(&a[0]);
                let re = compile_mode(&pattern, must)?;
                Ok(string_list(go_split(
                    &re,
                    !pattern.is_empty(),
                    &str_arg(&a[1]),
                    int_arg(&a[2]),
                )))
            },
        ));
    }
    m.insert(Function::pure("regexQuoteMeta", &[P::String], None, |a| {
        Ok(string(quote_meta(&str_arg(&a[0]))))
    }));
}

/// Compiles for a `must*` function (error returned as is) or a plain one (Go's `MustCompile` panic text).
fn compile_mode(pattern: &str, must: bool) -> Result<Regex, FuncError> {
    compile(pattern).map_err(|e| {
        if must {
            e
        } else {
            FuncError(format!(
                "regexp: Compile({}): {}",
                go_backquote(pattern),
                e.0
            ))
        }
    })
}

/// Go's `strconv.Quote`-or-backquote choice in `MustCompile`'s message (`quote` helper of regexp).
fn go_backquote(s: &str) -> String {
    if gotmpl::value::gofmt::can_backquote(s.as_bytes()) {
        format!("`{s}`")
    } else {
        super::sprig_strings::go_quote(s)
    }
}

/// Compiled patterns by source text. Go compiles on every call; charts call these functions with a
/// handful of literal patterns inside loops, so a small cache removes the dominant cost. Bounded: it is
/// cleared when full (patterns built from data could otherwise grow it without limit).
fn compile(pattern: &str) -> Result<Regex, FuncError> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    const CAPACITY: usize = 512;
    static CACHE: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(re) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let re = compile_uncached(pattern)?;
    if let Ok(mut c) = cache.lock() {
        if c.len() >= CAPACITY {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    }
    Ok(re)
}

fn compile_uncached(pattern: &str) -> Result<Regex, FuncError> {
    let translated = ascii_perl_classes(pattern);
    let re = Regex::new(&translated).map_err(|e| {
        FuncError(format!(
            "error parsing regexp: {}",
            go_error_text(&translated, &e)
        ))
    })?;
    // The crate accepts stacked repetitions (`a**`, `x{2}+`), which RE2/Go reject.
    if let Some(ops) = nested_repetition(pattern) {
        return Err(FuncError(format!(
            "error parsing regexp: invalid nested repetition operator: `{ops}`"
        )));
    }
    Ok(re)
}

/// The first repetition operator applied directly to another (each with its optional non-greedy `?`),
/// as Go reports it: the text from the first operator through the second.
fn nested_repetition(p: &str) -> Option<String> {
    let b = p.as_bytes();
    let mut i = 0;
    let mut last_repeat: Option<usize> = None;
    let mut in_class = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            i += 2;
            last_repeat = None;
            continue;
        }
        if in_class {
            if c == b']' {
                in_class = false;
            }
            i += 1;
            continue;
        }
        let op_len = match c {
            b'*' | b'+' | b'?' => Some(1),
            b'{' => repeat_len(&p[i..]),
            _ => None,
        };
        match op_len {
            Some(len) => {
                let mut end = i + len;
                if b.get(end) == Some(&b'?') {
                    end += 1;
                }
                if let Some(start) = last_repeat {
                    return Some(p[start..end].to_string());
                }
                last_repeat = Some(i);
                i = end;
            }
            None => {
                last_repeat = None;
                if c == b'[' {
                    in_class = true;
                    // `]` first in a class (after an optional `^`) is a literal.
                    i += 1;
                    if b.get(i) == Some(&b'^') {
                        i += 1;
                    }
                    if b.get(i) == Some(&b']') {
                        i += 1;
                    }
                    continue;
                }
                if c == b'(' && b.get(i + 1) == Some(&b'?') {
                    // A flag group `(?i)` / `(?P<n>…)`: its `?` is not a repetition.
                    i += 2;
                    continue;
                }
                i += 1;
            }
        }
    }
    None
}

/// The length of a `{n}`, `{n,}` or `{n,m}` repeat at the start of `s`, if it is one.
fn repeat_len(s: &str) -> Option<usize> {
    let end = s.find('}')?;
    starts_repeat(s[1..].chars()).then_some(end + 1)
}
/// Go's `CODE: `EXPR`` text for the common syntax errors, found by re-parsing with `regex-syntax` to get
/// the error kind and span; anything else falls back to the crate's own description.
fn go_error_text(pattern: &str, e: &regex::Error) -> String {
    use regex_syntax::ast::ErrorKind as K;
    let Err(err) = regex_syntax::ast::parse::Parser::new().parse(pattern) else {
        return short_error(e);
    };
    let span = err.span();
    let at = |lo: usize, hi: usize| pattern.get(lo..hi).unwrap_or(pattern).to_string();
    let (code, expr) = match err.kind() {
        K::GroupUnclosed => ("missing closing )", pattern.to_string()),
        K::GroupUnopened => ("unexpected )", pattern.to_string()),
        K::ClassUnclosed => ("missing closing ]", at(span.start.offset, pattern.len())),
        K::EscapeUnrecognized | K::EscapeUnexpectedEof => (
            "invalid escape sequence",
            at(span.start.offset, span.end.offset),
        ),
        K::RepetitionMissing => {
            // The crate's span may be empty; Go names the operator itself.
            let end = span.end.offset.max(span.start.offset + 1);
            (
                "missing argument to repetition operator",
                at(span.start.offset, end),
            )
        }
        K::RepetitionCountInvalid => (
            "invalid repeat count",
            at(span.start.offset, span.end.offset),
        ),
        K::ClassRangeInvalid => (
            "invalid character class range",
            at(span.start.offset, span.end.offset),
        ),
        _ => return short_error(e),
    };
    format!("{code}: `{expr}`")
}

/// The last line of the crate's multi-line error (its description), for a one-line Go-like message.
fn short_error(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .map(|l| l.trim_start_matches("error:").trim().to_string())
        .unwrap_or(text)
}

/// Rewrites `\d \D \w \W \s \S` (and `\b \B`) to Go's ASCII meanings; inside a bracket class the
/// positive forms expand to ranges and the negated ones to nested classes.
fn ascii_perl_classes(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 16);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            let Some(n) = chars.next() else {
                out.push('\\');
                break;
            };
            let (pos, neg) = match n {
                'd' | 'D' => ("0-9", "^0-9"),
                'w' | 'W' => ("0-9A-Za-z_", "^0-9A-Za-z_"),
                's' | 'S' => ("\\t\\n\\f\\r ", "^\\t\\n\\f\\r "),
                'b' | 'B' if !in_class => {
                    out.push_str(if n == 'b' { "(?-u:\\b)" } else { "(?-u:\\B)" });
                    class_start = false;
                    continue;
                }
                _ => {
                    out.push('\\');
                    out.push(n);
                    class_start = false;
                    continue;
                }
            };
            let body = if n.is_ascii_lowercase() { pos } else { neg };
            if in_class && n.is_ascii_lowercase() {
                out.push_str(body);
            } else {
                out.push('[');
                out.push_str(body);
                out.push(']');
            }
            class_start = false;
            continue;
        }
        if in_class {
            // `]` right after `[` or `[^` is a literal in both syntaxes.
            if c == ']' && !class_start {
                in_class = false;
            } else if c == '[' && chars.peek() == Some(&':') {
                // A POSIX class `[:alpha:]`: copy it whole.
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
                class_start = false;
                continue;
            } else if c == '^' && class_start && out.ends_with('[') {
                out.push(c);
                continue;
            } else if matches!(c, '[' | '&' | '~') {
                // Literal in a Go class; to the crate `[` opens a nested class and `&&`/`~~` are set
                // operations, so they are escaped.
                out.push('\\');
                out.push(c);
                class_start = false;
                continue;
            }
            class_start = false;
            out.push(c);
            continue;
        }
        if c == '[' {
            in_class = true;
            class_start = true;
        }
        if c == '{' && !starts_repeat(chars.clone()) {
            // Go reads a `{` that does not start `{n}`, `{n,}` or `{n,m}` as a literal; the crate rejects it.
            out.push_str("\\{");
            continue;
        }
        out.push(c);
    }
    out
}

/// Whether the text after a `{` is a repeat count `n}`, `n,}` or `n,m}`.
fn starts_repeat(mut it: impl Iterator<Item = char>) -> bool {
    let mut digits = 0;
    let mut c = it.next();
    while matches!(c, Some(d) if d.is_ascii_digit()) {
        digits += 1;
        c = it.next();
    }
    if digits == 0 {
        return false;
    }
    if c == Some(',') {
        c = it.next();
        while matches!(c, Some(d) if d.is_ascii_digit()) {
            c = it.next();
        }
    }
    c == Some('}')
}

/// Go's `Regexp.Split`: like `strings.Split` around matches, with Go's treatment of empty matches at
/// the start and of `n` (`0` → none, `n > 0` → at most n pieces).
fn go_split(re: &Regex, nonempty_expr: bool, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if nonempty_expr && s.is_empty() {
        return vec![String::new()];
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for m in re.find_iter(s).take(limit) {
        if n > 0 && out.len() == limit - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = m.end();
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
