//! The lexer: splits template text into items the way Go's `text/template/parse` lexer does.
//!
//! Go runs its lexer lazily, item by item; the parser only ever sees items in order and a lexer error
//! ends the stream, so lexing everything up front into a `Vec` is observably the same and simpler.
//! Trim markers (`{{- ` / ` -}}`) and comments are resolved here, as in Go: the parser never sees them.

use std::fmt;

/// The kinds of lexical items (Go's `itemType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords (Go prints these as `<word>` in messages).
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemKind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemKind::Block
                | ItemKind::Break
                | ItemKind::Continue
                | ItemKind::Dot
                | ItemKind::Define
                | ItemKind::Else
                | ItemKind::End
                | ItemKind::If
                | ItemKind::Nil
                | ItemKind::Range
                | ItemKind::Template
                | ItemKind::With
        )
    }
}

/// One lexical item. `val` borrows the source (or, for errors, holds the message).
#[derive(Clone, Debug)]
pub struct Item<'s> {
    pub kind: ItemKind,
    /// Byte offset of the item in the source.
    pub pos: u32,
    pub val: std::borrow::Cow<'s, str>,
    /// 1-based line of the item's start.
    pub line: u32,
}

impl fmt::Display for Item<'_> {
    /// Go's `item.String()`, used in "unexpected X in Y" messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ItemKind::Eof => f.write_str("EOF"),
            ItemKind::Error => f.write_str(&self.val),
            k if k.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", go_quote(&head))
                } else {
                    f.write_str(&go_quote(&self.val))
                }
            }
        }
    }
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub fn go_quote(s: &str) -> String {
    crate::value::gofmt::quote(s)
}

/// Go's `strconv.IsPrint`.
fn is_go_printable(c: char) -> bool {
    crate::value::gofmt::is_print(c)
}

const LEFT_DELIM: &str = "{{";
const RIGHT_DELIM: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

/// Go's `isSpace` inside actions: newlines are spaces since Go 1.16.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `isAlphaNumeric`: `_`, `unicode.IsLetter` (categories L*) or `unicode.IsDigit` (Nd).
fn is_alnum(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    if c.is_ascii() {
        return c == '_' || c.is_ascii_alphanumeric();
    }
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::DecimalNumber
    )
}

/// Lexer options the parser decides (Go's `lexOptions`).
#[derive(Clone, Copy, Debug)]
pub struct LexOptions {
    /// `break` is a keyword (no function named `break` exists).
    pub break_ok: bool,
    pub continue_ok: bool,
}

/// Lexes the whole input. The returned list always ends with an `Eof` or `Error` item.
pub fn lex(input: &str, opts: LexOptions) -> Vec<Item<'_>> {
    let mut l = Lexer {
        input,
        bytes: input.as_bytes(),
        pos: 0,
        start: 0,
        items: Vec::new(),
        paren_depth: 0,
        opts,
        line: 1,
        line_pos: 0,
    };
    l.run();
    l.items
}

struct Lexer<'s> {
    input: &'s str,
    bytes: &'s [u8],
    pos: usize,
    start: usize,
    items: Vec<Item<'s>>,
    paren_depth: i32,
    opts: LexOptions,
    line: u32,
    line_pos: usize,
}

enum Flow {
    Text,
    Inside,
    Done,
}

impl<'s> Lexer<'s> {
    /// Item starts only move forward, so the line count is kept incrementally (counting from the
    /// start for every item would be quadratic).
    fn line_at(&mut self, pos: usize) -> u32 {
        if pos < self.line_pos {
            self.line_pos = 0;
            self.line = 1;
        }
        self.line += memchr_count(&self.bytes[self.line_pos..pos]) as u32;
        self.line_pos = pos;
        self.line
    }

    fn emit(&mut self, kind: ItemKind) {
        let line = self.line_at(self.start);
        self.items.push(Item {
            kind,
            pos: self.start as u32,
            val: std::borrow::Cow::Borrowed(&self.input[self.start..self.pos]),
            line,
        });
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> Flow {
        let line = self.line_at(self.start);
        self.items.push(Item {
            kind: ItemKind::Error,
            pos: self.start as u32,
            val: msg.into(),
            line,
        });
        Flow::Done
    }

    fn peek_char(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn rest(&self) -> &'s str {
        &self.input[self.pos..]
    }

    fn run(&mut self) {
        let mut flow = Flow::Text;
        loop {
            flow = match flow {
                Flow::Text => self.lex_text(),
                Flow::Inside => self.lex_inside_action(),
                Flow::Done => return,
            };
        }
    }

    fn lex_text(&mut self) -> Flow {
        if let Some(x) = self.rest().find(LEFT_DELIM) {
            let delim_at = self.pos + x;
            let after = &self.input[delim_at + LEFT_DELIM.len()..];
            let mut text_end = delim_at;
            if has_left_trim_marker(after) {
                let text = &self.input[self.start..delim_at];
                text_end = self.start + text.trim_end_matches([' ', '\t', '\r', '\n']).len();
            }
            self.pos = text_end;
            if self.pos > self.start {
                self.emit(ItemKind::Text);
            }
            self.pos = delim_at;
            self.start = self.pos;
            return self.lex_left_delim();
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(ItemKind::Text);
        }
        self.emit(ItemKind::Eof);
        Flow::Done
    }

    /// At a right delimiter, optionally preceded by a trim marker: (is delim, has trim marker).
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest[2..].starts_with(RIGHT_DELIM) {
            return (true, true);
        }
        (rest.starts_with(RIGHT_DELIM), false)
    }

    fn lex_left_delim(&mut self) -> Flow {
        self.pos += LEFT_DELIM.len();
        let trim = has_left_trim_marker(self.rest());
        let after_marker = if trim { 2 } else { 0 };
        if self.input[self.pos + after_marker..].starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.start = self.pos;
            return self.lex_comment();
        }
        self.emit(ItemKind::LeftDelim);
        self.pos += after_marker;
        self.start = self.pos;
        self.paren_depth = 0;
        Flow::Inside
    }

    fn lex_comment(&mut self) -> Flow {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT_DELIM.len();
        if trim {
            self.pos += left_trim_length(self.rest());
        }
        self.start = self.pos;
        Flow::Text
    }

    fn lex_right_delim(&mut self) -> Flow {
        let trim = has_right_trim_marker(self.rest());
        if trim {
            self.pos += 2;
            self.start = self.pos;
        }
        self.pos += RIGHT_DELIM.len();
        self.emit(ItemKind::RightDelim);
        if trim {
            self.pos += left_trim_length(self.rest());
            self.start = self.pos;
        }
        Flow::Text
    }

    fn lex_inside_action(&mut self) -> Flow {
        loop {
            let (delim, _) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    return self.lex_right_delim();
                }
                return self.error("unclosed left paren".into());
            }
            let Some(r) = self.next_char() else {
                return self.error("unclosed action".into());
            };
            match r {
                c if c.is_ascii() && is_space(c as u8) => {
                    self.pos -= 1;
                    self.lex_space();
                }
                '=' => self.emit(ItemKind::Assign),
                ':' => {
                    if self.next_char() != Some('=') {
                        return self.error("expected :=".into());
                    }
                    self.emit(ItemKind::Declare);
                }
                '|' => self.emit(ItemKind::Pipe),
                '"' => {
                    if let Some(f) = self.lex_quote() {
                        return f;
                    }
                }
                '`' => {
                    if let Some(f) = self.lex_raw_quote() {
                        return f;
                    }
                }
                '$' => {
                    if let Some(f) = self.lex_field_or_variable(ItemKind::Variable) {
                        return f;
                    }
                }
                '\'' => {
                    if let Some(f) = self.lex_char() {
                        return f;
                    }
                }
                '.' if !self.peek_char().is_some_and(|c| c.is_ascii_digit()) => {
                    if let Some(f) = self.lex_field_or_variable(ItemKind::Field) {
                        return f;
                    }
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    if let Some(f) = self.lex_number() {
                        return f;
                    }
                }
                c if is_alnum(c) => {
                    self.pos -= c.len_utf8();
                    if let Some(f) = self.lex_identifier() {
                        return f;
                    }
                }
                '(' => {
                    self.emit(ItemKind::LeftParen);
                    self.paren_depth += 1;
                }
                ')' => {
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.error("unexpected right paren".into());
                    }
                    self.emit(ItemKind::RightParen);
                }
                c if c.is_ascii() && !c.is_ascii_control() => self.emit(ItemKind::Char),
                c => {
                    return self.error(format!(
                        "unrecognized character in action: {}",
                        go_char_u(c)
                    ))
                }
            }
        }
    }

    fn lex_space(&mut self) {
        let mut n = 0;
        while self.pos < self.bytes.len() && is_space(self.bytes[self.pos]) {
            self.pos += 1;
            n += 1;
        }
        // A space right before `-}}` belongs to the trim marker, not to the space run.
        let back = &self.input[self.pos - 1..];
        if has_right_trim_marker(back) && back[2..].starts_with(RIGHT_DELIM) {
            self.pos -= 1;
            if n == 1 {
                return;
            }
        }
        self.emit(ItemKind::Space);
    }

    fn at_terminator(&self) -> bool {
        match self.peek_char() {
            None => true,
            Some(c) if c.is_ascii() && is_space(c as u8) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(c) => RIGHT_DELIM.starts_with(c),
        }
    }

    fn lex_identifier(&mut self) -> Option<Flow> {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or('\u{fffd}');
            return Some(self.error(format!("bad character {}", go_char_u(c))));
        }
        let word = &self.input[self.start..self.pos];
        let kind = match word {
            "block" => ItemKind::Block,
            "break" if self.opts.break_ok => ItemKind::Break,
            "continue" if self.opts.continue_ok => ItemKind::Continue,
            "define" => ItemKind::Define,
            "else" => ItemKind::Else,
            "end" => ItemKind::End,
            "if" => ItemKind::If,
            "range" => ItemKind::Range,
            "nil" => ItemKind::Nil,
            "template" => ItemKind::Template,
            "with" => ItemKind::With,
            "true" | "false" => ItemKind::Bool,
            _ => ItemKind::Identifier,
        };
        self.emit(kind);
        None
    }

    /// `.Field` or `$var`; the `.` or `$` is consumed.
    fn lex_field_or_variable(&mut self, kind: ItemKind) -> Option<Flow> {
        if self.at_terminator() {
            self.emit(if kind == ItemKind::Variable {
                ItemKind::Variable
            } else {
                ItemKind::Dot
            });
            return None;
        }
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or('\u{fffd}');
            return Some(self.error(format!("bad character {}", go_char_u(c))));
        }
        self.emit(kind);
        None
    }

    fn lex_char(&mut self) -> Option<Flow> {
        loop {
            match self.next_char() {
                Some('\\') => match self.next_char() {
                    None | Some('\n') => {
                        return Some(self.error("unterminated character constant".into()))
                    }
                    Some(_) => {}
                },
                None | Some('\n') => {
                    return Some(self.error("unterminated character constant".into()))
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemKind::CharConstant);
        None
    }

    fn lex_quote(&mut self) -> Option<Flow> {
        loop {
            match self.next_char() {
                Some('\\') => match self.next_char() {
                    None | Some('\n') => {
                        return Some(self.error("unterminated quoted string".into()))
                    }
                    Some(_) => {}
                },
                None | Some('\n') => return Some(self.error("unterminated quoted string".into())),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemKind::String);
        None
    }

    fn lex_raw_quote(&mut self) -> Option<Flow> {
        match self.rest().find('`') {
            Some(x) => {
                self.pos += x + 1;
                self.emit(ItemKind::RawString);
                None
            }
            None => Some(self.error("unterminated raw quoted string".into())),
        }
    }

    fn lex_number(&mut self) -> Option<Flow> {
        if !self.scan_number() {
            let msg = format!(
                "bad number syntax: {}",
                go_quote(&self.input[self.start..self.pos])
            );
            return Some(self.error(msg));
        }
        if matches!(self.peek_char(), Some('+' | '-')) {
            // Complex `1+2i`: no spaces, must end in `i`.
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let msg = format!(
                    "bad number syntax: {}",
                    go_quote(&self.input[self.start..self.pos])
                );
                return Some(self.error(msg));
            }
            self.emit(ItemKind::Complex);
        } else {
            self.emit(ItemKind::Number);
        }
        None
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek_char() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek_char().is_some_and(is_alnum) {
            self.next_char();
            return false;
        }
        true
    }
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0]) && b[1] == b'-'
}

fn left_trim_length(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t', '\r', '\n']).len()
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// Go's `%#U`: `U+003D '='`.
pub(crate) fn go_char_u(c: char) -> String {
    if is_go_printable(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<ItemKind> {
        lex(
            s,
            LexOptions {
                break_ok: true,
                continue_ok: true,
            },
        )
        .iter()
        .map(|i| i.kind)
        .collect()
    }

    #[test]
    fn trims_and_comments() {
        use ItemKind::*;
        assert_eq!(
            kinds("a {{- 3 -}} b"),
            vec![Text, LeftDelim, Number, RightDelim, Text, Eof]
        );
        assert_eq!(
            kinds("a {{-3}}"),
            vec![Text, LeftDelim, Number, RightDelim, Eof]
        );
        assert_eq!(kinds("a {{- /* c */ -}} b"), vec![Text, Text, Eof]);
        assert_eq!(
            kinds("{{ .a.b $x := 'c' }}"),
            vec![
                LeftDelim,
                Space,
                Field,
                Field,
                Space,
                Variable,
                Space,
                Declare,
                Space,
                CharConstant,
                Space,
                RightDelim,
                Eof
            ]
        );
    }

    #[test]
    fn item_display() {
        let items = lex(
            "{{ \"a long string here\" end",
            LexOptions {
                break_ok: true,
                continue_ok: true,
            },
        );
        assert_eq!(items[2].to_string(), "\"\\\"a long st\"...");
        assert_eq!(items[4].to_string(), "<end>");
    }
}
