//! Writing YAML the way Helm's `toYaml` (sigs.k8s.io/yaml.Marshal over yaml.v2) and `toYamlPretty`
//! (yaml.v3's encoder with indent 2) do.
//!
//! Hand-written rather than a serde YAML crate because the output must be byte-identical to libyaml's
//! emitter as ported to Go: its plain/single/double/literal style choice (`"yes"`, `'a: b'`, `"\t"`,
//! `"\U0001F600"`), the line folding of long scalars at column 80, `|-`/`|+`/`|2-` block hints, the natural
//! ("a2" < "a10") key order, and the float text that results from the JSON round trip
//! (`1234567.5` → `1.2345675e+06`). No Rust emitter makes those choices. The state machine below
//! follows the behaviour of that emitter (indentation stack, `whitespace`/`indention` flags, column
//! counting in characters), restricted to the events Helm's encoders generate.

use super::decode::resolve_plain;
use super::gojson::{format_float_g, format_json_float};
use super::YamlError;
use gotmpl::Value;
use std::cmp::Ordering;

/// A scalar style an encoder asks for; the emitter may still pick a safer one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// What the encoders hand to the emitter.
#[derive(Debug)]
enum Node {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// `toYaml`: `sigs.k8s.io/yaml.Marshal(v)` — `json.Marshal`, yaml.v2 parses the JSON, yaml.v2 emits it.
/// The result ends with a newline (Helm's `toYaml` trims it). An unmarshalable value (NaN, ±Inf) is
/// Go's `error marshaling into JSON: json: unsupported value: NaN`.
pub fn to_string(v: &Value) -> Result<String, YamlError> {
    let node =
        v2_node(v).map_err(|m| YamlError::new(format!("error marshaling into JSON: {m}")))?;
    let mut e = Emitter::new(2, Flavor::V2);
    e.document(&node);
    Ok(e.out)
}

/// `toYamlPretty`: yaml.v3's `Encoder` with `SetIndent(2)` on the Go value itself (no JSON step, so
/// floats print as `%g` — `1e+06` — and block sequences are indented under their key).
pub fn to_string_pretty(v: &Value) -> Result<String, YamlError> {
    let node = v3_node(v)?;
    let mut e = Emitter::new(2, Flavor::V3);
    e.document(&node);
    Ok(e.out)
}

// ---------------------------------------------------------------------------------------------------------
// Values → emitter nodes
// ---------------------------------------------------------------------------------------------------------

/// The JSON round trip of sigs.k8s.io/yaml, then yaml.v2's `Marshal` choices for each value.
fn v2_node(v: &Value) -> Result<Node, String> {
    super::with_stack(|| v2_node_inner(v))
}

fn v2_node_inner(v: &Value) -> Result<Node, String> {
    Ok(match v {
        Value::Invalid | Value::Nil => Node::Scalar("null".into(), Style::Plain),
        Value::Bool(b) => Node::Scalar(b.to_string(), Style::Plain),
        Value::Int(i) | Value::Int64(i) => Node::Scalar(i.to_string(), Style::Plain),
        Value::Uint64(u) => Node::Scalar(u.to_string(), Style::Plain),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    format_float_g(*f, 64)
                ));
            }
            // yaml.v2 re-reads the JSON number text: integral texts become ints, others floats that
            // print with %g.
            Node::Scalar(number_text(&format_json_float(*f)), Style::Plain)
        }
        Value::String(s) => v2_string(s),
        Value::Bytes(b) => {
            use base64::Engine as _;
            v2_string(&base64::engine::general_purpose::STANDARD.encode(b))
        }
        // Through JSON a nil slice is `null`.
        Value::List(items) if items.is_nil() => Node::Scalar("null".into(), Style::Plain),
        Value::List(items) => Node::Seq(items.iter().map(v2_node).collect::<Result<_, _>>()?),
        Value::Map(m) => sorted_map_node(m, v2_node, v2_string)?,
        Value::Object(o) => v2_node(&Value::from_json(&o.to_json()))?,
    })
}

/// A map as both yaml versions print it: keys in their natural order (numbers inside keys compare as
/// numbers), each key encoded like a string by `key`, each value by `node`.
fn sorted_map_node<E>(
    m: &gotmpl::Map,
    node: fn(&Value) -> Result<Node, E>,
    key: fn(&str) -> Node,
) -> Result<Node, E> {
    let mut entries = Vec::new();
    for (k, item) in m.read().iter() {
        entries.push((k.clone(), node(item)?));
    }
    entries.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    Ok(Node::Map(
        entries.into_iter().map(|(k, v)| (key(&k), v)).collect(),
    ))
}

/// How yaml.v2 prints a number it read from JSON text.
fn number_text(json: &str) -> String {
    use super::decode::Resolved;
    match resolve_plain(json) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(f) => v2_float(f),
        Resolved::Str | Resolved::Other => json.to_string(),
    }
}

fn v2_float(f: f64) -> String {
    match format_float_g(f, 64).as_str() {
        "+Inf" => ".inf".into(),
        "-Inf" => "-.inf".into(),
        "NaN" => ".nan".into(),
        s => s.to_string(),
    }
}

/// yaml.v2's `stringv`: literal for multi-line text, plain when the text would read back as the same
/// string (not a bool/number/null/timestamp/merge key and not a YAML 1.1 sexagesimal), else double quotes.
fn v2_string(s: &str) -> Node {
    let style = if s.contains('\n') {
        Style::Literal
    } else if resolve_plain(s) == super::decode::Resolved::Str && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::Double
    };
    Node::Scalar(s.to_string(), style)
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$` — YAML 1.1 base-60 numbers that yaml.v2 quotes.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if !s.contains(':') {
        return false;
    }
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        // [0-5]?[0-9]
        let d1 = b.get(i).copied();
        let d2 = b.get(i + 1).copied();
        match (d1, d2) {
            (Some(x @ b'0'..=b'5'), Some(y)) if y.is_ascii_digit() => {
                let _ = x;
                i += 2;
            }
            (Some(x), _) if x.is_ascii_digit() => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// yaml.v2's (and v3's) map key order for string keys: runs of digits compare as numbers, letters sort
/// after non-letters, otherwise by code point; a shorter common-prefix string first.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn natural_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    // Go's unicode.IsDigit is category Nd; std only offers the wider is_numeric (Nd, Nl, No), which
    // differs only for rare non-ASCII number characters.
    let digit = |c: char| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric());
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            // A zero inside a longer number (e.g. the 0 of "10") is not a leading zero.
            let mut j = i;
            while j > 0 && digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// yaml.v3's encoding of Go values (used by `toYamlPretty`).
fn v3_node(v: &Value) -> Result<Node, YamlError> {
    super::with_stack(|| v3_node_inner(v))
}

fn v3_node_inner(v: &Value) -> Result<Node, YamlError> {
    Ok(match v {
        Value::Invalid | Value::Nil => Node::Scalar("null".into(), Style::Plain),
        Value::Bool(b) => Node::Scalar(b.to_string(), Style::Plain),
        Value::Int(i) | Value::Int64(i) => Node::Scalar(i.to_string(), Style::Plain),
        Value::Uint64(u) => Node::Scalar(u.to_string(), Style::Plain),
        Value::Float(f) => Node::Scalar(v2_float(*f), Style::Plain),
        Value::String(s) => v3_string(s),
        Value::Bytes(b) => {
            // yaml.v3 encodes a []byte as a plain sequence of its byte values (no !!binary).
            Node::Seq(
                b.iter()
                    .map(|x| Node::Scalar(x.to_string(), Style::Plain))
                    .collect(),
            )
        }
        Value::List(items) => Node::Seq(items.iter().map(v3_node).collect::<Result<_, _>>()?),
        Value::Map(m) => sorted_map_node(m, v3_node, v3_string)?,
        Value::Object(o) => v3_node(&Value::from_json(&o.to_json()))?,
    })
}

/// yaml.v3's `stringv`: like v2 but quoting also the YAML 1.1 booleans it no longer resolves
/// (`yes`, `on`, `y` …), with literal style for multi-line text.
fn v3_string(s: &str) -> Node {
    let old_bool = matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    );
    let style = if s.contains('\n') {
        Style::Literal
    } else if resolve_plain(s) == super::decode::Resolved::Str && !is_base60_float(s) && !old_bool {
        Style::Plain
    } else {
        Style::Double
    };
    Node::Scalar(s.to_string(), style)
}

// ---------------------------------------------------------------------------------------------------------
// The emitter
// ---------------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    V2,
    V3,
}

/// What the emitter learns about a scalar before choosing its style (libyaml's `scalar_data`).
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_space(c: Option<&char>) -> bool {
    c == Some(&' ')
}
fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}
fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}
/// libyaml's printable set (note: tab, CR, C1 controls and everything beyond the BMP are not).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    c == '\n'
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn analyze(value: &[char], flavor: Flavor) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_ind = false;
    let mut flow_ind = false;
    let (mut line_breaks, mut special, mut tabs) = (false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let starts = |p: &str| value.len() >= 3 && value.iter().take(3).copied().eq(p.chars());
    if starts("---") || starts("...") {
        block_ind = true;
        flow_ind = true;
    }
    let mut preceded_by_ws = true;
    let n = value.len();
    for i in 0..n {
        let c = value[i];
        let followed_by_ws = i + 1 >= n || is_blank(value[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_ind = true;
                    block_ind = true;
                }
                '?' | ':' => {
                    flow_ind = true;
                    if followed_by_ws {
                        block_ind = true;
                    }
                }
                '-' if followed_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_ind = true,
                ':' => {
                    flow_ind = true;
                    if followed_by_ws {
                        block_ind = true;
                    }
                }
                '#' if preceded_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        }
        // yaml.v3 tells tabs apart from other unprintables: they still allow a literal block.
        if c == '\t' && flavor == Flavor::V3 {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = is_blank(c) || is_break(c) || c == '\0';
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || tabs || special {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_ind {
        a.flow_plain_allowed = false;
    }
    if block_ind {
        a.block_plain_allowed = false;
    }
    a
}

struct Emitter {
    out: String,
    flavor: Flavor,
    best_indent: i32,
    best_width: usize,
    indent: i32,
    indents: Vec<i32>,
    column: usize,
    whitespace: bool,
    indention: bool,
    flow_level: usize,
    open_ended: bool,
}

impl Emitter {
    fn new(best_indent: i32, flavor: Flavor) -> Self {
        Emitter {
            out: String::new(),
            flavor,
            best_indent,
            // yaml.v2 folds long scalars at column 80; yaml.v3's encoder never folds.
            best_width: if flavor == Flavor::V2 { 80 } else { usize::MAX },
            indent: -1,
            indents: Vec::new(),
            column: 0,
            whitespace: true,
            indention: true,
            flow_level: 0,
            open_ended: false,
        }
    }

    fn document(&mut self, root: &Node) {
        self.node(root, true, false, false);
        // implicit document end: just finish the line
        self.write_indent();
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }
    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            self.indent += self.best_indent;
        }
    }
    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn node(&mut self, n: &Node, sequence: bool, mapping: bool, simple_key: bool) {
        super::with_stack(|| self.node_inner(n, sequence, mapping, simple_key))
    }

    fn node_inner(&mut self, n: &Node, sequence: bool, mapping: bool, simple_key: bool) {
        let _ = sequence;
        match n {
            Node::Scalar(v, style) => self.scalar(v, *style, simple_key),
            Node::Seq(items) if items.is_empty() || self.flow_level > 0 => {
                self.write_indicator("[", true, true, false);
                self.increase_indent(true, false);
                self.flow_level += 1;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.write_indicator(",", false, false, false);
                    }
                    if self.column > self.best_width {
                        self.write_indent();
                    }
                    self.node(item, true, false, false);
                }
                self.flow_level -= 1;
                self.pop_indent();
                self.write_indicator("]", false, false, false);
            }
            Node::Map(entries) if entries.is_empty() || self.flow_level > 0 => {
                self.write_indicator("{", true, true, false);
                self.increase_indent(true, false);
                self.flow_level += 1;
                self.flow_level -= 1;
                self.pop_indent();
                self.write_indicator("}", false, false, false);
            }
            Node::Seq(items) => {
                // yaml.v2 puts a sequence that is a mapping value at the key's indentation ("key:\n- a");
                // yaml.v3 indents it.
                let indentless = mapping && !self.indention && self.flavor == Flavor::V2;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(item, true, false, false);
                }
                self.pop_indent();
            }
            Node::Map(entries) => {
                self.increase_indent(false, false);
                for (k, v) in entries {
                    self.write_indent();
                    if self.check_simple_key(k) {
                        self.node(k, false, true, true);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.node(k, false, true, false);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(v, false, true, false);
                }
                self.pop_indent();
            }
        }
    }

    fn check_simple_key(&self, k: &Node) -> bool {
        match k {
            Node::Scalar(v, _) => {
                let chars: Vec<char> = v.chars().collect();
                !analyze(&chars, self.flavor).multiline && v.len() <= 128
            }
            Node::Seq(items) => items.is_empty(),
            Node::Map(entries) => entries.is_empty(),
        }
    }

    fn scalar(&mut self, value: &str, requested: Style, simple_key: bool) {
        let chars: Vec<char> = value.chars().collect();
        let a = analyze(&chars, self.flavor);
        let mut style = requested;
        if simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed)
                || (self.flow_level == 0 && !a.block_plain_allowed)
            {
                style = Style::Single;
            }
            if chars.is_empty() && (self.flow_level > 0 || simple_key) {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || self.flow_level > 0 || simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(&chars, allow_breaks),
            Style::Single => self.write_single(&chars, allow_breaks),
            Style::Double => self.write_double(&chars, allow_breaks),
            Style::Literal => self.write_literal(&chars),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, v: &[char], allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let (mut spaces, mut breaks) = (false, false);
        let mut i = 0;
        while i < v.len() {
            let c = v[i];
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && !is_space(v.get(i + 1))
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
            i += 1;
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, v: &[char], allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        let n = v.len();
        for i in 0..n {
            let c = v[i];
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && i + 1 < n
                    && !is_space(v.get(i + 1))
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, v: &[char], allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let mut spaces = false;
        let n = v.len();
        for i in 0..n {
            let c = v[i];
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let u = c as u32;
                let short = match u {
                    0x00 => Some('0'),
                    0x07 => Some('a'),
                    0x08 => Some('b'),
                    0x09 => Some('t'),
                    0x0A => Some('n'),
                    0x0B => Some('v'),
                    0x0C => Some('f'),
                    0x0D => Some('r'),
                    0x1B => Some('e'),
                    0x22 => Some('"'),
                    0x5C => Some('\\'),
                    0x85 => Some('N'),
                    0xA0 => Some('_'),
                    0x2028 => Some('L'),
                    0x2029 => Some('P'),
                    _ => None,
                };
                match short {
                    Some(s) => self.put(s),
                    None => {
                        let (ind, w) = if u <= 0xFF {
                            ('x', 2)
                        } else if u <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(ind);
                        for s in format!("{u:0w$X}").chars() {
                            self.put(s);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.best_width && i > 0 && i + 1 < n {
                    self.write_indent();
                    if is_space(v.get(i + 1)) {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, v: &[char]) {
        self.write_indicator("|", true, false, false);
        // block scalar hints: explicit indentation when the text starts with a space or break; chomping
        // `-` without a final break, `+` with more than one (or only a break), none (clip) with one.
        if v.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            let hint = char::from_digit(self.best_indent as u32, 10).unwrap_or('2');
            self.write_indicator(&hint.to_string(), false, false, false);
        }
        self.open_ended = false;
        let chomp = match v.len() {
            0 => Some('-'),
            n if !is_break(v[n - 1]) => Some('-'),
            1 => Some('+'),
            n if is_break(v[n - 2]) => Some('+'),
            _ => None,
        };
        if let Some(h) = chomp {
            self.write_indicator(&h.to_string(), false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in v {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut keys = vec!["a10", "a2", "b", "A", "a", "_x", "1", "10", "9"];
        keys.sort_by(|a, b| natural_cmp(a, b));
        // Go: "_x" < "1" because a missing number (0) is less than 1.
        assert_eq!(keys, vec!["_x", "1", "9", "10", "A", "a", "a2", "a10", "b"]);
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("-190:20:30.15"));
        assert!(!is_base60_float("1:2a"));
        assert!(!is_base60_float("a:1"));
    }
}
