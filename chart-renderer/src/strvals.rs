//! Helm's `--set`, `--set-string`, `--set-json`, `--set-file` and `--set-literal` parsers (`pkg/strvals`),
//! with Helm's rules and error texts.
//!
//! A line is `name=value[,name=value…]`. Names are dotted paths (`a.b.c`) with list indexes (`a[0].b`,
//! `a[0][1]`); a backslash escapes the next character (`a\.b`, `x\,y`). Values:
//! - `--set`: `{a,b}` is a list; `true`/`false`/`null` (any case) are bools/nil; `0` and integers not
//!   starting with `0` that fit are `int64`; anything else is a string;
//! - `--set-string`: every value is a string; `--set-file`: every value is the content of the named file;
//! - `--set-json`: every value is one JSON document (numbers are `float64`), an empty value is null;
//! - `--set-literal`: one name, and everything after the first `=` is the string value (no commas,
//!   lists or escapes).
//!
//! Go asserts the type of an existing value before descending into it and recovers the panic, which is
//! how `a=1,a.b=2` fails with `unable to parse key: interface conversion: …`; that text is kept.

use gotmpl::{Map, Value};
use thiserror::Error;

/// Helm's highest list index (`strvals.MaxIndex`).
pub const MAX_INDEX: usize = 65536;
/// Helm's deepest dotted name (`strvals.MaxNestedNameLevel`).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// Which flag a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    /// `--set`
    Set,
    /// `--set-string`
    String,
    /// `--set-json`
    Json,
    /// `--set-file`
    File,
    /// `--set-literal`
    Literal,
}

impl SetKind {
    /// The command-line flag.
    pub fn flag(self) -> &'static str {
        match self {
            SetKind::Set => "--set",
            SetKind::String => "--set-string",
            SetKind::Json => "--set-json",
            SetKind::File => "--set-file",
            SetKind::Literal => "--set-literal",
        }
    }
}

/// A parse failure, in Helm's words.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StrvalsError {
    /// What `strvals.Parse*` returns.
    #[error("{0}")]
    Parse(String),
    /// What `helm install|template` report for a flag (`failed parsing --set data: …`).
    #[error("{0}")]
    Flag(String),
}

type PResult<T> = Result<T, Failure>;

/// Internal outcome: Go's parser uses `io.EOF` as "input finished", which ends a line successfully.
#[derive(Debug)]
enum Failure {
    Eof,
    Msg(String),
}

fn fail<T>(msg: impl Into<String>) -> PResult<T> {
    Err(Failure::Msg(msg.into()))
}

/// Parses `line` into a new map.
pub fn parse(line: &str, kind: SetKind) -> Result<Map, StrvalsError> {
    let dest = Map::new();
    parse_into(line, &dest, kind)?;
    Ok(dest)
}

/// Parses `line` and merges it into `dest` (Helm's `strvals.ParseInto*`): existing keys are overwritten,
/// existing maps and lists are descended into. `--set-file` values are read from the local filesystem.
pub fn parse_into(line: &str, dest: &Map, kind: SetKind) -> Result<(), StrvalsError> {
    parse_into_with(line, dest, kind, &|path| read_file(path))
}

/// [`parse_into`] with a custom `--set-file` reader (path → content, or Go's error text).
pub fn parse_into_with(
    line: &str,
    dest: &Map,
    kind: SetKind,
    read: &dyn Fn(&str) -> Result<String, String>,
) -> Result<(), StrvalsError> {
    let mut p = Parser {
        input: line.chars().collect(),
        pos: 0,
        kind,
        read,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(Failure::Eof) => return Ok(()),
            Err(Failure::Msg(m)) => return Err(StrvalsError::Parse(m)),
        }
    }
}

/// One flag occurrence as `helm template`/`install` applies it (`values.Options.MergeValues`): a
/// `--set-json` value that is a whole JSON object is merged in; errors get the flag's wording.
pub fn apply_flag(line: &str, dest: &Map, kind: SetKind) -> Result<(), StrvalsError> {
    if kind == SetKind::Json {
        let trimmed = line.trim();
        if trimmed.starts_with('{') {
            let Ok(serde_json::Value::Object(obj)) =
                serde_json::from_str::<serde_json::Value>(trimmed)
            else {
                return Err(StrvalsError::Flag(format!(
                    "failed parsing --set-json data JSON: {line}"
                )));
            };
            for (k, v) in obj {
                merge_value(dest, k, Value::from_json(&v));
            }
            return Ok(());
        }
        return parse_into(line, dest, kind)
            .map_err(|_| StrvalsError::Flag(format!("failed parsing --set-json data {line}")));
    }
    parse_into(line, dest, kind)
        .map_err(|e| StrvalsError::Flag(format!("failed parsing {} data: {e}", kind.flag())))
}

/// Helm's `MergeMaps` for one key: maps merge recursively, anything else replaces.
fn merge_value(dest: &Map, key: String, value: Value) {
    if let (Value::Map(new), Some(Value::Map(old))) = (&value, dest.get(&key)) {
        for (k, v) in new.entries() {
            merge_value(&old, k, v);
        }
        return;
    }
    dest.insert(key, value);
}

/// Helm's `readFile` for `--set-file`: `-` is standard input, anything else a local path (Helm's
/// `http(s)://` getters are not supported here).
fn read_file(path: &str) -> Result<String, String> {
    if path.trim() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| format!("read /dev/stdin: {e}"))?;
        return Ok(crate::funcs::encoding::go_string(buf));
    }
    std::fs::read(path)
        .map(crate::funcs::encoding::go_string)
        .map_err(|e| {
            // Go's *PathError text: `open PATH: REASON` (`read PATH: …` once the file is open).
            let (op, why) = match e.kind() {
                std::io::ErrorKind::NotFound => ("open", "no such file or directory".to_string()),
                std::io::ErrorKind::PermissionDenied => ("open", "permission denied".to_string()),
                std::io::ErrorKind::IsADirectory => ("read", "is a directory".to_string()),
                _ => ("open", e.to_string()),
            };
            format!("{op} {path}: {why}")
        })
}

struct Parser<'r> {
    input: Vec<char>,
    pos: usize,
    kind: SetKind,
    read: &'r dyn Fn(&str) -> Result<String, String>,
}

/// `set`: an empty key is silently dropped.
fn set(data: &Map, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key, value);
    }
}

/// The text of Go's failed type assertion `x.(T)` as the recovered panic prints it.
fn conversion_error(found: &Value, want: &str) -> Failure {
    let found = if found.is_nil_or_invalid() {
        "nil".into()
    } else {
        found.type_name()
    };
    Failure::Msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {found}, not {want}"
    ))
}

const LIST_T: &str = "[]interface {}";
const MAP_T: &str = "map[string]interface {}";

/// Go's `%q` of a string (`strconv.Quote`), from gotmpl's Go-exact fmt.
pub(crate) fn go_quote(s: &str) -> String {
    gotmpl::value::gofmt::sprintf("%q", &[Value::from(s)])
}

/// What `%q` prints for a `[]rune`: each rune as a quoted character literal, Go slice style.
fn go_quote_runes(rs: &[char]) -> String {
    let runes = rs
        .iter()
        .map(|&c| Value::Int(i64::from(u32::from(c))))
        .collect();
    gotmpl::value::gofmt::sprintf("%q", &[Value::list(runes)])
}

/// Go's `strconv.Atoi` with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// `--set`'s type inference (`typedVal`).
fn typed_value(s: String) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if s == "0" {
        return Value::Int64(0);
    }
    if !s.is_empty() && !s.starts_with('0') {
        // Go's ParseInt accepts a sign and decimal digits only; Rust's parse agrees on that.
        if let Ok(n) = s.parse::<i64>() {
            return Value::Int64(n);
        }
    }
    Value::from(s)
}

impl Parser<'_> {
    fn next(&mut self) -> Option<char> {
        let c = self.input.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// `runesUntil`: reads up to a stop rune (consumed, returned); `\x` yields `x` except in literal mode.
    /// `None` as the stop means the input ended.
    fn until(&mut self, stops: &[char]) -> (Vec<char>, Option<char>) {
        let mut v = Vec::new();
        while let Some(c) = self.next() {
            if stops.contains(&c) {
                return (v, Some(c));
            }
            if c == '\\' && self.kind != SetKind::Literal {
                match self.next() {
                    Some(n) => v.push(n),
                    None => return (v, None),
                }
            } else {
                v.push(c);
            }
        }
        (v, None)
    }

    fn key(&mut self, data: &Map, level: usize) -> PResult<()> {
        let stops: &[char] = if self.kind == SetKind::Literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stops);
        let k: String = k.into_iter().collect();
        match last {
            None if k.is_empty() => Err(Failure::Eof),
            None => fail(format!("key {} has no value", go_quote(&k))),
            Some('[') => {
                let i = self.key_index()?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.to_vec(),
                    Some(other) => return Err(conversion_error(&other, LIST_T)),
                };
                let (list, res) = self.list_item(list, i, level);
                set(data, &k, Value::list(list));
                res
            }
            Some('=') => self.key_value(data, &k),
            Some(',') => {
                set(data, &k, Value::from(""));
                fail(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                ))
            }
            Some(_) => {
                // '.': descend into (or create) a map.
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return fail(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m,
                    Some(other) => return Err(conversion_error(&other, MAP_T)),
                };
                let res = self.key(&inner, level);
                if res.is_ok() && inner.is_empty() {
                    return fail(format!("key map {} has no value", go_quote(&k)));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                res
            }
        }
    }

    /// After `name=`: the value, by kind.
    fn key_value(&mut self, data: &Map, k: &str) -> PResult<()> {
        match self.kind {
            SetKind::Literal => {
                let (v, _) = self.until(&[]);
                set(data, k, Value::from(v.into_iter().collect::<String>()));
                Ok(())
            }
            SetKind::Json => {
                let v = self.json_value()?;
                set(data, k, v);
                Ok(())
            }
            _ => match self.value_list() {
                Ok(Some(list)) => {
                    set(data, k, Value::list(list));
                    Ok(())
                }
                Err(Failure::Eof) => {
                    set(data, k, Value::from(""));
                    Err(Failure::Eof)
                }
                Err(e) => Err(e),
                Ok(None) => {
                    let (rs, _) = self.until(&[',']);
                    match self.read_value(rs) {
                        Ok(v) => {
                            set(data, k, v);
                            Ok(())
                        }
                        Err(e) => {
                            set(data, k, Value::Nil);
                            Err(e)
                        }
                    }
                }
            },
        }
    }

    /// The value reader of the parser's kind (`typedVal`, string, or file content).
    fn read_value(&self, rs: Vec<char>) -> PResult<Value> {
        let s: String = rs.into_iter().collect();
        match self.kind {
            SetKind::Set => Ok(typed_value(s)),
            SetKind::File => (self.read)(&s).map(Value::from).map_err(Failure::Msg),
            _ => Ok(Value::from(s)),
        }
    }

    /// `--set-json`'s value: empty (spaces up to a comma or the end) is null; otherwise one JSON document,
    /// then optional spaces and one comma.
    fn json_value(&mut self) -> PResult<Value> {
        if self.empty_value() {
            return Ok(Value::Nil);
        }
        let rest: String = self.input[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let (v, used) = match stream.next() {
            Some(Ok(v)) => (v, stream.byte_offset()),
            Some(Err(e)) => match leading_number(&rest) {
                // Go's decoder ends a top-level number at any character; serde_json wants a delimiter.
                Some(found) => found,
                None => return fail(go_json_error(&e, &rest)),
            },
            None => return fail("EOF"),
        };
        let consumed = rest[..used].chars().count();
        self.pos += consumed;
        self.empty_value();
        Ok(Value::from_json(&v))
    }

    /// `emptyVal`: skips spaces; true at a comma (consumed) or the end, false before anything else.
    fn empty_value(&mut self) -> bool {
        loop {
            match self.input.get(self.pos) {
                None => return true,
                Some(',') => {
                    self.pos += 1;
                    return true;
                }
                Some(c) if c.is_whitespace() => self.pos += 1,
                Some(_) => return false,
            }
        }
    }

    /// `valList`: `Ok(None)` when the value is not a `{…}` list (nothing consumed).
    fn value_list(&mut self) -> PResult<Option<Vec<Value>>> {
        match self.input.get(self.pos) {
            None => return Err(Failure::Eof),
            Some('{') => self.pos += 1,
            Some(_) => return Ok(None),
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => return fail("list must terminate with '}'"),
                Some('}') => {
                    if self.input.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    list.push(self.read_value(rs)?);
                    return Ok(Some(list));
                }
                Some(_) => list.push(self.read_value(rs)?),
            }
        }
    }

    fn key_index(&mut self) -> PResult<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            // Go wraps io.EOF here ("error parsing index: EOF"), and `errors.Is(err, io.EOF)` still ends
            // the line successfully: `a[0` sets nothing and is no error.
            return Err(Failure::Eof);
        }
        atoi(&v.into_iter().collect::<String>())
            .map_err(|e| Failure::Msg(format!("error parsing index: {e}")))
    }

    /// `setIndex`.
    fn set_index(mut list: Vec<Value>, i: i64, v: Value) -> (Vec<Value>, PResult<()>) {
        if i < 0 {
            return (list, fail(format!("negative {i} index not allowed")));
        }
        if i as u64 > MAX_INDEX as u64 {
            return (
                list,
                fail(format!(
                    "index of {i} is greater than maximum supported index of {MAX_INDEX}"
                )),
            );
        }
        // Bounded by MAX_INDEX just above.
        let i = i as usize;
        if list.len() <= i {
            list.resize(i + 1, Value::Nil);
        }
        list[i] = v;
        (list, Ok(()))
    }

    /// `listItem`: what follows `name[i]`. Returns the list to store even on error, as Go does.
    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Vec<Value>, PResult<()>) {
        if i < 0 {
            return (list, fail(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                fail(format!(
                    "unexpected data at end of array index: {}",
                    go_quote_runes(&k)
                )),
            );
        }
        let existing = usize::try_from(i).ok().and_then(|i| list.get(i).cloned());
        match last {
            None => (list, Err(Failure::Eof)),
            Some('=') => match self.kind {
                SetKind::Literal => {
                    let (v, _) = self.until(&[]);
                    Self::set_index(list, i, Value::from(v.into_iter().collect::<String>()))
                }
                SetKind::Json => match self.json_value() {
                    Ok(v) => Self::set_index(list, i, v),
                    Err(e) => (list, Err(e)),
                },
                _ => match self.value_list() {
                    Ok(Some(vl)) => Self::set_index(list, i, Value::list(vl)),
                    Err(Failure::Eof) => Self::set_index(list, i, Value::from("")),
                    Err(e) => (list, Err(e)),
                    Ok(None) => {
                        let (rs, _) = self.until(&[',']);
                        match self.read_value(rs) {
                            Ok(v) => Self::set_index(list, i, v),
                            Err(e) => (list, Err(e)),
                        }
                    }
                },
            },
            Some('[') => {
                let next_i = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(e)),
                };
                let current = match existing {
                    None | Some(Value::Nil) => Vec::new(),
                    Some(Value::List(l)) => l.to_vec(),
                    Some(other) => return (list, Err(conversion_error(&other, LIST_T))),
                };
                let (inner, res) = self.list_item(current, next_i, level);
                if res.is_err() {
                    return (list, res);
                }
                Self::set_index(list, i, Value::list(inner))
            }
            Some(_) => {
                // '.': a map inside the list; a non-map there is replaced by a new map.
                let inner = match existing {
                    Some(Value::Map(m)) => m,
                    Some(_) => {
                        let m = Map::new();
                        // `existing` is Some, so `i` indexes the list.
                        list[i as usize] = Value::Map(m.clone());
                        m
                    }
                    None => Map::new(),
                };
                if let Err(e) = self.key(&inner, level) {
                    return (list, Err(e));
                }
                Self::set_index(list, i, Value::Map(inner))
            }
        }
    }
}

/// A JSON number at the start of `text` followed by a non-delimiter, and its length.
fn leading_number(text: &str) -> Option<(serde_json::Value, usize)> {
    let len = text
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(text.len());
    (len > 0 && len < text.len())
        .then(|| serde_json::from_str::<serde_json::Value>(&text[..len]).ok())
        .flatten()
        .map(|v| (v, len))
}

/// Go's `encoding/json` wording for the common decode failures; other serde_json messages pass through.
pub(crate) fn go_json_error(e: &serde_json::Error, text: &str) -> String {
    if e.is_eof() {
        return "unexpected EOF".into();
    }
    // serde_json reports a 1-based line/column; find the offending character.
    let offset: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + e.column().saturating_sub(1);
    let offset = offset.min(text.len());
    let Some(c) = text.get(offset..).and_then(|t| t.chars().next()) else {
        return "unexpected EOF".into();
    };
    let msg = e.to_string();
    let context = if msg.starts_with("key must be a string") {
        "looking for beginning of object key string".to_string()
    } else if msg.starts_with("expected ident") {
        // Inside `true`/`false`/`null`: Go names the literal and the letter it expected.
        let start = text[..offset]
            .rfind(|ch: char| !ch.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        let word = match text[start..].chars().next() {
            Some('t') => "true",
            Some('f') => "false",
            _ => "null",
        };
        let want = word.chars().nth(offset - start).unwrap_or(' ');
        format!("in literal {word} (expecting {})", go_char_quote(want))
    } else if msg.starts_with("expected `,` or `}`") {
        "after object key:value pair".to_string()
    } else if msg.starts_with("expected `,` or `]`") {
        "after array element".to_string()
    } else if msg.starts_with("expected `:`") {
        "after object key".to_string()
    } else {
        "looking for beginning of value".to_string()
    };
    format!("invalid character {} {context}", go_char_quote(c))
}

fn go_char_quote(c: char) -> String {
    gotmpl::value::gofmt::sprintf("%q", &[Value::Int(i64::from(u32::from(c)))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_go() {
        assert_eq!(go_quote("a\"b\\\n\u{1}é"), "\"a\\\"b\\\\\\n\\x01é\"");
        assert_eq!(go_quote_runes(&['x', '\'']), "['x' '\\'']");
        assert_eq!(atoi("+5"), Ok(5));
        assert_eq!(
            atoi("x").unwrap_err(),
            "strconv.Atoi: parsing \"x\": invalid syntax"
        );
    }
}
