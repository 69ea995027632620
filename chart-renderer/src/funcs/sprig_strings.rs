//! Sprig's string functions (`strings.go` and the `goutils`/`xstrings` helpers it wraps), with Go's
//! byte-oriented string semantics where they show (e.g. `trunc` and `substr` count bytes).
//!
//! Argument order follows Sprig (the string operated on comes last so it can be piped in).

use super::args::{go_v, int_arg, slice_bounds_panic, str_arg, string, string_list, strval};
use gotmpl::value::{Map, MapType, Value};
use gotmpl::{FuncError, FuncMap, Function, ParamType as P};

pub fn register(m: &mut FuncMap) {
    let s1 = |name: &str, f: fn(&str) -> String| {
        Function::pure(name, &[P::String], None, move |a| {
            Ok(string(f(&str_arg(&a[0]))))
        })
    };
    // Sprig swaps the operands of these so that `"$x" | trimAll "$"` reads naturally: (arg, subject).
    let s2 = |name: &str, f: fn(&str, &str) -> String| {
        Function::pure(name, &[P::String, P::String], None, move |a| {
            Ok(string(f(&str_arg(&a[0]), &str_arg(&a[1]))))
        })
    };
    let b2 = |name: &str, f: fn(&str, &str) -> bool| {
        Function::pure(name, &[P::String, P::String], None, move |a| {
            Ok(Value::Bool(f(&str_arg(&a[0]), &str_arg(&a[1]))))
        })
    };

    m.insert(Function::pure("hello", &[], None, |_| Ok(string("Hello!"))));
    m.insert(s1("trim", |s| s.trim_matches(go_is_space).to_string()));
    m.insert(s1("upper", go_to_upper));
    m.insert(s1("lower", go_to_lower));
    m.insert(s1("title", go_title));
    m.insert(s1("untitle", untitle));
    m.insert(s1("nospace", delete_white_space));
    m.insert(s1("initials", initials));
    m.insert(s1("swapcase", swap_case));
    m.insert(s1("shuffle", shuffle));
    m.insert(s1("snakecase", |s| camel_to_lower(s, '_')));
    m.insert(s1("kebabcase", |s| camel_to_lower(s, '-')));
    m.insert(s1("camelcase", pascal_case));
    m.insert(s2("trimall", |cut, s| {
        s.trim_matches(|c| cut.contains(c)).to_string()
    }));
    m.insert(s2("trimAll", |cut, s| {
        s.trim_matches(|c| cut.contains(c)).to_string()
    }));
    m.insert(s2("trimSuffix", |suf, s| {
        s.strip_suffix(suf).unwrap_or(s).to_string()
    }));
    m.insert(s2("trimPrefix", |pre, s| {
        s.strip_prefix(pre).unwrap_or(s).to_string()
    }));
    m.insert(b2("contains", |sub, s| s.contains(sub)));
    m.insert(b2("hasPrefix", |pre, s| s.starts_with(pre)));
    m.insert(b2("hasSuffix", |suf, s| s.ends_with(suf)));

    m.insert(Function::pure("abbrev", &[P::Int, P::String], None, |a| {
        Ok(string(abbrev(int_arg(&a[0]), &str_arg(&a[1]))))
    }));
    m.insert(Function::pure(
        "abbrevboth",
        &[P::Int, P::Int, P::String],
        None,
        |a| {
            Ok(string(abbrevboth(
                int_arg(&a[0]),
                int_arg(&a[1]),
                &str_arg(&a[2]),
            )))
        },
    ));
    m.insert(Function::pure("trunc", &[P::Int, P::String], None, |a| {
        Ok(string(trunc(int_arg(&a[0]), &str_arg(&a[1]))))
    }));
    m.insert(Function::pure(
        "substr",
        &[P::Int, P::Int, P::String],
        None,
        |a| substr(int_arg(&a[0]), int_arg(&a[1]), &str_arg(&a[2])).map(string),
    ));
    m.insert(Function::pure("repeat", &[P::Int, P::String], None, |a| {
        repeat(int_arg(&a[0]), &str_arg(&a[1])).map(string)
    }));
    m.insert(Function::pure("wrap", &[P::Int, P::String], None, |a| {
        Ok(string(wrap_custom(
            &str_arg(&a[1]),
            int_arg(&a[0]),
            "",
            false,
        )))
    }));
    m.insert(Function::pure(
        "wrapWith",
        &[P::Int, P::String, P::String],
        None,
        |a| {
            Ok(string(wrap_custom(
                &str_arg(&a[2]),
                int_arg(&a[0]),
                &str_arg(&a[1]),
                true,
            )))
        },
    ));
    m.insert(Function::pure("quote", &[], Some(P::Any), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil_or_invalid())
            .map(|v| go_quote(&strval(v)))
            .collect();
        Ok(string(parts.join(" ")))
    }));
    m.insert(Function::pure("squote", &[], Some(P::Any), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil_or_invalid())
            .map(|v| format!("'{}'", go_v(v)))
            .collect();
        Ok(string(parts.join(" ")))
    }));
    m.insert(Function::pure("cat", &[], Some(P::Any), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil_or_invalid())
            .map(go_v)
            .collect();
        Ok(string(parts.join(" ")))
    }));
    m.insert(Function::pure("indent", &[P::Int, P::String], None, |a| {
        indent(int_arg(&a[0]), &str_arg(&a[1])).map(string)
    }));
    m.insert(Function::pure("nindent", &[P::Int, P::String], None, |a| {
        indent(int_arg(&a[0]), &str_arg(&a[1])).map(|s| string(format!("\n{s}")))
    }));
    m.insert(Function::pure(
        "replace",
        &[P::String, P::String, P::String],
        None,
        |a| {
            Ok(string(go_replace_all(
                &str_arg(&a[2]),
                &str_arg(&a[0]),
                &str_arg(&a[1]),
            )))
        },
    ));
    m.insert(Function::pure(
        "plural",
        &[P::String, P::String, P::Int],
        None,
        |a| {
            Ok(if int_arg(&a[2]) == 1 {
                a[0].clone()
            } else {
                a[1].clone()
            })
        },
    ));
    m.insert(Function::pure("toString", &[P::Any], None, |a| {
        Ok(string(strval(&a[0])))
    }));
    m.insert(Function::pure("toStrings", &[P::Any], None, |a| {
        Ok(string_list(strslice(&a[0])))
    }));
    m.insert(Function::pure(
        "split",
        &[P::String, P::String],
        None,
        |a| Ok(parts_map(go_split_n(&str_arg(&a[1]), &str_arg(&a[0]), -1))),
    ));
    m.insert(Function::pure(
        "splitn",
        &[P::String, P::Int, P::String],
        None,
        |a| {
            Ok(parts_map(go_split_n(
                &str_arg(&a[2]),
                &str_arg(&a[0]),
                int_arg(&a[1]),
            )))
        },
    ));
    m.insert(Function::pure(
        "splitList",
        &[P::String, P::String],
        None,
        |a| {
            Ok(string_list(go_split_n(
                &str_arg(&a[1]),
                &str_arg(&a[0]),
                -1,
            )))
        },
    ));
    m.insert(Function::pure("join", &[P::String, P::Any], None, |a| {
        Ok(string(strslice(&a[1]).join(&*str_arg(&a[0]))))
    }));
    m.insert(Function::pure("sortAlpha", &[P::Any], None, |a| {
        // Any Go slice sorts as strings (including collection objects such as `.Capabilities.APIVersions`);
        // anything else becomes a one-element list.
        let is_slice = match &a[0] {
            Value::List(_) | Value::Bytes(_) => true,
            Value::Object(o) => o.kind_name() == "slice",
            _ => false,
        };
        let mut items = if is_slice {
            strslice(&a[0])
        } else {
            vec![strval(&a[0])]
        };
        items.sort();
        Ok(string_list(items))
    }));
}

/// Go's `unicode.IsSpace` (the same set as Unicode White_Space, which `char::is_whitespace` uses).
pub(crate) fn go_is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go maps case rune by rune with simple mappings; a character whose full mapping needs several
/// characters (German ß → SS) keeps Go's one-rune result, which for those is the character itself.
fn map_case(s: &str, f: fn(char) -> Option<char>) -> String {
    s.chars().map(|c| f(c).unwrap_or(c)).collect()
}

fn single_upper(c: char) -> Option<char> {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => Some(u),
        _ => None,
    }
}

fn single_lower(c: char) -> Option<char> {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => Some(l),
        _ => None,
    }
}

/// Go's `unicode.ToTitle`: upper case, except the Latin digraphs that have a distinct title-case form.
fn single_title(c: char) -> Option<char> {
    match c as u32 {
        0x01C4..=0x01C6 => char::from_u32(0x01C5),
        0x01C7..=0x01C9 => char::from_u32(0x01C8),
        0x01CA..=0x01CC => char::from_u32(0x01CB),
        0x01F1..=0x01F3 => char::from_u32(0x01F2),
        _ => single_upper(c),
    }
}

/// Go's `unicode.IsTitle` (category Lt) for the characters [`single_title`] knows.
fn is_title(c: char) -> bool {
    matches!(c as u32, 0x01C5 | 0x01C8 | 0x01CB | 0x01F2)
}

fn go_to_upper(s: &str) -> String {
    map_case(s, single_upper)
}

fn go_to_lower(s: &str) -> String {
    map_case(s, single_lower)
}

/// Go's `strings.Title`: upper-cases the first letter of each word, where a word boundary is any
/// character other than a letter, digit, `_` or (outside ASCII) a non-space.
fn go_title(s: &str) -> String {
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphanumeric() {
            return false;
        }
        c.is_whitespace()
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) {
                single_title(c).unwrap_or(c)
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-cases the first character of each whitespace-separated word.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if go_is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                single_lower(c).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`: upper → lower, lower → upper except the first letter of a word, which becomes
/// title case.
fn swap_case(s: &str) -> String {
    let mut after_space = true;
    s.chars()
        .map(|c| {
            if c.is_uppercase() || is_title(c) {
                after_space = false;
                single_lower(c).unwrap_or(c)
            } else if c.is_lowercase() {
                let out = if after_space {
                    single_title(c)
                } else {
                    single_upper(c)
                }
                .unwrap_or(c);
                after_space = false;
                out
            } else {
                after_space = go_is_space(c);
                c
            }
        })
        .collect()
}

/// Latin-1 whitespace as Go's `unicode.IsSpace` sees a single byte widened to a rune.
fn byte_is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xA0)
}

/// goutils `DeleteWhiteSpace`. It walks *bytes* and re-encodes each as a rune, so text with non-ASCII
/// characters comes out re-encoded as Latin-1 code points (mojibake) — reproduced on purpose.
fn delete_white_space(s: &str) -> String {
    let bytes = s.as_bytes();
    if !bytes.iter().any(|b| byte_is_space(*b)) {
        return s.to_string();
    }
    bytes
        .iter()
        .filter(|b| !byte_is_space(**b))
        .map(|b| char::from(*b))
        .collect()
}

/// goutils `Initials`, byte-wise like [`delete_white_space`].
fn initials(s: &str) -> String {
    let mut gap = true;
    let mut out = String::new();
    for &b in s.as_bytes() {
        if byte_is_space(b) {
            gap = true;
        } else if gap {
            out.push(char::from(b));
            gap = false;
        }
    }
    out
}

/// xstrings `Shuffle`: a random permutation of the characters. Not reproducible (Go seeds from the
/// clock), so Helm's output cannot be matched either; only the multiset of characters is defined.
fn shuffle(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    // A small xorshift seeded from the clock and the text is enough for a non-cryptographic shuffle and
    // avoids a dependency for one function.
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x9E37_79B9_7F4A_7C15)
        | 1;
    for i in (1..chars.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let j = (seed % (i as u64 + 1)) as usize;
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

// ---- xstrings case conversion -------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Number,
    Upper,
    Alpha,
    Connector,
    Punct,
    Other,
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || go_is_space(c)
}

/// Go's `unicode.IsPunct` (category P). Outside ASCII only general punctuation blocks are recognised.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0x00A1 | 0x00A7 | 0x00AB | 0x00B6 | 0x00B7 | 0x00BB | 0x00BF)
}

/// xstrings `isAlphabet`: a letter that is not CJK.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic() && (c as u32) < 0x2E80
}

fn is_number(c: char) -> bool {
    c.is_numeric()
}

/// Splits the next word off `s`, xstrings-style: runs of connectors, punctuation, digits, lower-case
/// letters, an upper-case letter followed by lower-case ones, or an acronym (a run of capitals that
/// leaves its last capital to the next word when a lower-case letter follows).
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut it = s.char_indices().peekable();
    let Some((_, first)) = it.next() else {
        return (Word::Other, "", "");
    };
    let mut end = first.len_utf8();
    let take_while = |end: &mut usize, pred: &dyn Fn(char) -> bool| {
        for (i, c) in s[*end..].char_indices() {
            if !pred(c) {
                *end += i;
                return;
            }
        }
        *end = s.len();
    };
    let kind = if is_connector(first) {
        take_while(&mut end, &is_connector);
        Word::Connector
    } else if is_punct(first) {
        take_while(&mut end, &is_punct);
        Word::Punct
    } else if first.is_uppercase() {
        let rest = &s[end..];
        match rest.chars().next() {
            Some(c) if c.is_uppercase() => {
                // An acronym: all following capitals, but give the last one back when a letter follows.
                let mut last_len = 0;
                let mut stop_char = None;
                for c2 in rest.chars() {
                    if !c2.is_uppercase() {
                        stop_char = Some(c2);
                        break;
                    }
                    last_len = c2.len_utf8();
                    end += last_len;
                }
                if matches!(stop_char, Some(c3) if is_alphabet(c3)) {
                    end -= last_len;
                }
            }
            Some(c) if is_alphabet(c) => {
                take_while(&mut end, &|c: char| is_alphabet(c) && !c.is_uppercase());
            }
            _ => {}
        }
        Word::Upper
    } else if is_alphabet(first) {
        take_while(&mut end, &|c: char| is_alphabet(c) && !c.is_uppercase());
        Word::Alpha
    } else if is_number(first) {
        take_while(&mut end, &is_number);
        Word::Number
    } else {
        take_while(&mut end, &|c: char| {
            !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c))
        });
        Word::Other
    };
    (kind, &s[..end], &s[end..])
}

fn push_lower(out: &mut String, kind: Word, word: &str, connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.push(single_lower(c).unwrap_or(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `ToSnakeCase`/`ToKebabCase`: words joined by `connector`, lower-cased; digits stick to the
/// word before them unless a letter run follows (`http2xx` → `http_2xx`, `Bld4Floor3rd` → `bld4_floor_3rd`).
fn camel_to_lower(s: &str, connector: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len() + 4);
    let (mut kind, mut word, mut rest) = next_word(s);
    while !rest.is_empty() {
        if kind != Word::Connector {
            push_lower(&mut out, kind, word, connector);
        }
        let (prev, prev_word) = (kind, word);
        (kind, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while matches!(kind, Word::Alpha | Word::Number) {
                    push_lower(&mut out, kind, word, connector);
                    if rest.is_empty() {
                        // The loop condition ends here; the final word was written.
                        return out;
                    }
                    (kind, word, rest) = next_word(rest);
                }
                if !matches!(kind, Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, prev, prev_word, connector),
            Word::Punct => {}
            _ => {
                if kind != Word::Number {
                    if !matches!(kind, Word::Connector | Word::Punct) {
                        out.push(connector);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let number = word;
                (kind, word, rest) = next_word(rest);
                if kind != Word::Alpha {
                    push_lower(&mut out, Word::Number, number, connector);
                    if !matches!(kind, Word::Connector | Word::Punct) {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, Word::Number, number, connector);
                while matches!(kind, Word::Alpha | Word::Number) {
                    push_lower(&mut out, kind, word, connector);
                    if rest.is_empty() {
                        return out;
                    }
                    (kind, word, rest) = next_word(rest);
                }
                if !matches!(kind, Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, kind, word, connector);
    out
}

/// xstrings v1.5 `ToPascalCase` (Sprig 3.3's `camelcase`). Rules, as observed in Helm's output:
/// leading connectors (`_`, `-`, spaces) are kept; the first letter of each word is upper-cased and the
/// single connector before a word is dropped (runs keep all but the last); when a word starts with an
/// upper-case letter, the upper-case letters directly after it are lowered (`GOLANG` → `Golang`, but
/// `xXX` stays `XXX`); a trailing connector is kept; a text of connectors only gets its last one doubled.
fn pascal_case(s: &str) -> String {
    let mut chars = s.chars();
    let mut out = String::with_capacity(s.len());
    let mut cur = None;
    let mut first_upper = false;
    for c in chars.by_ref() {
        if is_connector(c) {
            out.push(c);
            continue;
        }
        first_upper = c.is_uppercase();
        cur = Some(single_upper(c).unwrap_or(c));
        break;
    }
    let Some(mut cur) = cur else {
        // Only connectors (or nothing): xstrings writes the last rune it read once more.
        if let Some(last) = s.chars().last() {
            out.push(last);
        }
        return out;
    };
    for next in chars {
        let prev = cur;
        cur = next;
        if is_connector(cur) && is_connector(prev) {
            out.push(prev);
            continue;
        }
        if is_connector(prev) {
            first_upper = cur.is_uppercase();
            cur = single_upper(cur).unwrap_or(cur);
        } else {
            if first_upper {
                if cur.is_uppercase() {
                    cur = single_lower(cur).unwrap_or(cur);
                } else {
                    first_upper = false;
                }
            }
            out.push(prev);
        }
    }
    out.push(cur);
    out
}

// ---- byte-oriented helpers ----------------------------------------------------------------------

/// Text from a byte range of `s`, as Go would slice it (a cut inside a multi-byte character yields
/// invalid UTF-8 in Go; our strings are UTF-8, so U+FFFD stands in there — a known difference).
fn byte_slice(s: &str, lo: usize, hi: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[lo..hi]).into_owned()
}

fn trunc(c: i64, s: &str) -> String {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return byte_slice(s, (len + c) as usize, s.len());
    }
    if c >= 0 && len > c {
        return byte_slice(s, 0, c as usize);
    }
    s.to_string()
}

fn substr(start: i64, end: i64, s: &str) -> Result<String, FuncError> {
    let len = s.len() as i64;
    let (lo, hi) = if start < 0 {
        (0, end)
    } else if end < 0 || end > len {
        (start, len)
    } else {
        (start, end)
    };
    if hi < 0 || hi > len || lo > hi {
        return Err(slice_bounds_panic(lo, hi, s.len()));
    }
    Ok(byte_slice(s, lo as usize, hi as usize))
}

fn repeat(count: i64, s: &str) -> Result<String, FuncError> {
    if count < 0 {
        return Err(FuncError("strings: negative Repeat count".into()));
    }
    match (s.len() as u64).checked_mul(count as u64) {
        Some(n) if n <= i64::MAX as u64 => Ok(s.repeat(count as usize)),
        _ => Err(FuncError("strings: Repeat output length overflow".into())),
    }
}

fn indent(spaces: i64, s: &str) -> Result<String, FuncError> {
    let pad = repeat(spaces, " ")?;
    let mut out = String::with_capacity(s.len() + pad.len());
    out.push_str(&pad);
    out.push_str(&s.replace('\n', &format!("\n{pad}")));
    Ok(out)
}

/// `strings.Replace(s, old, new, -1)`; an empty `old` inserts `new` before every character and at the end.
fn go_replace_all(s: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        let mut out = String::with_capacity(s.len() + new.len() * (s.len() + 1));
        for c in s.chars() {
            out.push_str(new);
            out.push(c);
        }
        out.push_str(new);
        return out;
    }
    s.replace(old, new)
}

/// `strings.SplitN(s, sep, n)` (`n < 0`: all; `n == 0`: none; an empty `sep` splits into characters).
pub(crate) fn go_split_n(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let mut out: Vec<String> = Vec::new();
        let mut chars = s.char_indices();
        while out.len() + 1 < limit {
            match chars.next() {
                Some((_, c)) => out.push(c.to_string()),
                None => return out,
            }
        }
        let rest = chars.as_str();
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
        return out;
    }
    s.splitn(limit, sep).map(str::to_string).collect()
}

/// Sprig's `split`/`splitn` result: `map[string]string{"_0": …, "_1": …}`.
fn parts_map(parts: Vec<String>) -> Value {
    let m = Map::new().with_type(MapType::String);
    for (i, p) in parts.into_iter().enumerate() {
        m.insert(format!("_{i}"), string(p));
    }
    Value::Map(m)
}

/// Sprig's `strslice`: a list's non-nil elements through `strval`; nil → empty; a scalar → one string.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l
            .iter()
            .filter(|x| !x.is_nil_or_invalid())
            .map(strval)
            .collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Invalid | Value::Nil => Vec::new(),
        Value::Object(o) => match o.as_collection() {
            Some(c @ Value::List(_)) => strslice(&c),
            _ => vec![strval(v)],
        },
        other => vec![strval(other)],
    }
}

/// goutils `AbbreviateFull` behind Sprig's guards.
fn abbrev(width: i64, s: &str) -> String {
    if width < 4 {
        return s.to_string();
    }
    abbreviate_full(s, 0, width).unwrap_or_default()
}

fn abbrevboth(left: i64, right: i64, s: &str) -> String {
    if right < 4 || (left > 0 && right < 7) {
        return s.to_string();
    }
    abbreviate_full(s, left, right).unwrap_or_default()
}

/// `None` where goutils returns an error (Sprig then yields "").
fn abbreviate_full(s: &str, offset: i64, width: i64) -> Option<String> {
    if s.is_empty() {
        return Some(String::new());
    }
    if width < 4 {
        return None;
    }
    let len = s.len() as i64;
    if len <= width {
        return Some(s.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    if offset <= 4 {
        return Some(format!("{}...", byte_slice(s, 0, (width - 3) as usize)));
    }
    if width < 7 {
        return None;
    }
    if offset + width - 3 < len {
        let tail = byte_slice(s, offset as usize, s.len());
        return Some(format!("...{}", abbreviate_full(&tail, 0, width - 3)?));
    }
    Some(format!(
        "...{}",
        byte_slice(s, (len - (width - 3)) as usize, s.len())
    ))
}

/// goutils `WrapCustom`: breaks at spaces so lines are at most `width` bytes; with `long_words`,
/// words longer than a line are cut.
fn wrap_custom(s: &str, width: i64, newline: &str, long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut off = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + 8);
    while len - off > width {
        if b[off] == b' ' {
            off += 1;
            continue;
        }
        let end = (width + off + 1).min(len);
        match b[off..end].iter().rposition(|c| *c == b' ') {
            Some(p) => {
                let at = off + p;
                out.extend_from_slice(&b[off..at]);
                out.extend_from_slice(newline.as_bytes());
                off = at + 1;
            }
            None if long_words => {
                let end = width + off;
                out.extend_from_slice(&b[off..end]);
                out.extend_from_slice(newline.as_bytes());
                off += width;
            }
            None => {
                let end = width + off;
                match b[end..].iter().position(|c| *c == b' ') {
                    None => {
                        out.extend_from_slice(&b[off..]);
                        off = len;
                    }
                    Some(p) => {
                        let at = end + p;
                        out.extend_from_slice(&b[off..at]);
                        out.extend_from_slice(newline.as_bytes());
                        off = at + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[off..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub(crate) fn go_quote(s: &str) -> String {
    gotmpl::value::gofmt::quote(s)
}
