//! TOML as Helm's `toToml` / `fromToml` handle it (github.com/BurntSushi/toml v1.6.0).
//!
//! The encoder is hand-written to reproduce BurntSushi's layout exactly (plain keys first, then tables;
//! bytewise key order; nested table headers indented two spaces per level; maps inside mixed arrays as
//! inline tables; nil values skipped; `1.0`-style floats); no Rust TOML writer lays documents out that way.
//! Decoding uses the `toml` crate for the syntax and converts to Go's types (integers are `int64`).

use super::gojson::format_float_g;
use gotmpl::{Map, Value};

/// A TOML encoding or decoding failure, with BurntSushi's text where we reproduce it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TomlError(pub String);

const NIL_ELEMENT: &str = "toml: cannot encode array with nil element";
const NO_KEY: &str = "toml: top-level values must be Go maps or structs";

/// BurntSushi's TOML type of a value, as far as layout decisions go.
#[derive(PartialEq, Eq)]
enum TomlType {
    Nil,
    Table,
    ArrayOfTables,
    Other,
}

fn toml_type(v: &Value) -> Result<TomlType, TomlError> {
    Ok(match v {
        Value::Invalid | Value::Nil => TomlType::Nil,
        Value::Map(_) => TomlType::Table,
        Value::List(items) => {
            if items.is_empty() {
                return Ok(TomlType::Other);
            }
            // Every array is checked for nil elements, whatever it is used for.
            let mut all_tables = true;
            for item in items.iter() {
                match toml_type(item)? {
                    TomlType::Nil => return Err(TomlError(NIL_ELEMENT.into())),
                    TomlType::Table => {}
                    _ => all_tables = false,
                }
            }
            if all_tables {
                TomlType::ArrayOfTables
            } else {
                TomlType::Other
            }
        }
        Value::Object(o) => toml_type(&Value::from_json(&o.to_json()))?,
        _ => TomlType::Other,
    })
}

/// `toml.NewEncoder(w).Encode(v)`.
pub fn to_string(v: &Value) -> Result<String, TomlError> {
    let mut e = Encoder { out: String::new() };
    e.encode(&[], v)?;
    Ok(e.out)
}

struct Encoder {
    out: String,
}

type Entries = Vec<(String, Value)>;

fn bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|r| r.is_ascii_alphanumeric() || r == '_' || r == '-')
}

fn quote_key(k: &str) -> String {
    if bare(k) {
        k.to_string()
    } else {
        format!("\"{}\"", escape(k))
    }
}

fn key_path(key: &[String]) -> String {
    key.iter()
        .map(|k| quote_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// BurntSushi's string escaping: `"` and `\`, the C0 controls and DEL; everything else raw.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let s = format_float_g(f, 64);
    if s.contains(['e', '.']) {
        s
    } else {
        s + ".0"
    }
}

impl Encoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(&mut self, key: &[String]) {
        for _ in 1..key.len() {
            self.out.push_str("  ");
        }
    }

    fn encode(&mut self, key: &[String], v: &Value) -> Result<(), TomlError> {
        match v {
            Value::Invalid | Value::Nil => Ok(()),
            Value::Map(m) => self.table(key, m),
            Value::List(_) if toml_type(v)? == TomlType::ArrayOfTables => {
                if key.is_empty() {
                    return Err(TomlError(NO_KEY.into()));
                }
                let Value::List(items) = v else { return Ok(()) };
                for item in items.iter() {
                    let Value::Map(m) = item else { continue };
                    self.newline();
                    self.indent(key);
                    self.out.push_str(&format!("[[{}]]", key_path(key)));
                    self.newline();
                    self.map_body(key, m)?;
                }
                Ok(())
            }
            Value::Object(o) => self.encode(key, &Value::from_json(&o.to_json())),
            _ => self.key_value(key, v, false),
        }
    }

    fn table(&mut self, key: &[String], m: &Map) -> Result<(), TomlError> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            self.indent(key);
            self.out.push_str(&format!("[{}]", key_path(key)));
            self.newline();
        }
        self.map_body(key, m)
    }

    /// Plain keys first, then the ones holding tables or arrays of tables, each group sorted.
    fn split(m: &Map) -> Result<(Entries, Entries), TomlError> {
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, v) in m.entries() {
            match toml_type(&v)? {
                TomlType::Table | TomlType::ArrayOfTables => sub.push((k, v)),
                _ => direct.push((k, v)),
            }
        }
        Ok((direct, sub))
    }

    fn map_body(&mut self, key: &[String], m: &Map) -> Result<(), TomlError> {
        let (direct, sub) = Self::split(m)?;
        for (k, v) in direct.iter().chain(sub.iter()) {
            if v.is_nil_or_invalid() {
                continue;
            }
            let mut path = key.to_vec();
            path.push(k.clone());
            self.encode(&path, v)?;
        }
        Ok(())
    }

    fn key_value(&mut self, key: &[String], v: &Value, inline: bool) -> Result<(), TomlError> {
        if key.is_empty() {
            return self.element(v);
        }
        self.indent(key);
        self.out.push_str(&quote_key(&key[key.len() - 1]));
        self.out.push_str(" = ");
        self.element(v)?;
        if !inline {
            self.newline();
        }
        Ok(())
    }

    fn element(&mut self, v: &Value) -> Result<(), TomlError> {
        match v {
            Value::String(s) => self.out.push_str(&format!("\"{}\"", escape(s))),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => self.out.push_str(&i.to_string()),
            Value::Uint64(u) => self.out.push_str(&u.to_string()),
            Value::Float(f) => self.out.push_str(&float_text(*f)),
            Value::Bytes(b) => {
                let items: Vec<String> = b.iter().map(u8::to_string).collect();
                self.out.push('[');
                self.out.push_str(&items.join(", "));
                self.out.push(']');
            }
            Value::List(items) => {
                toml_type(v)?;
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    self.element(item)?;
                    if i + 1 != items.len() {
                        self.out.push_str(", ");
                    }
                }
                self.out.push(']');
            }
            Value::Map(m) => {
                // an inline table; a trailing ", " is left when the last key of a group is nil, as in Go
                let (direct, sub) = Self::split(m)?;
                self.out.push('{');
                let groups = [(&direct, !sub.is_empty()), (&sub, false)];
                for (group, trail) in groups {
                    for (i, (k, item)) in group.iter().enumerate() {
                        if item.is_nil_or_invalid() {
                            continue;
                        }
                        self.key_value(std::slice::from_ref(k), item, true)?;
                        if trail || i + 1 != group.len() {
                            self.out.push_str(", ");
                        }
                    }
                }
                self.out.push('}');
            }
            Value::Object(o) => self.element(&Value::from_json(&o.to_json()))?,
            Value::Invalid | Value::Nil => return Err(TomlError(NIL_ELEMENT.into())),
        }
        Ok(())
    }
}

/// `toml.Unmarshal` into a `map[string]interface{}`: integers become `int64`, floats `float64`,
/// date-times are kept as their TOML text (Go would hold a `time.Time`; see the module docs).
pub fn from_str(s: &str) -> Result<Map, TomlError> {
    let table: toml::Table = s
        .parse()
        .map_err(|e: toml::de::Error| TomlError(format!("toml: {}", e.message())))?;
    Ok(convert_table(&table))
}

fn convert_table(t: &toml::Table) -> Map {
    t.iter().map(|(k, v)| (k.clone(), convert(v))).collect()
}

fn convert(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::Int64(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(a) => Value::list(a.iter().map(convert).collect()),
        toml::Value::Table(t) => Value::Map(convert_table(t)),
    }
}
