//! The value model: what Go's `interface{}` holds when a template runs.
//!
//! Small and explicit, like minijinja's `ValueRepr`: every variant is cheap to clone (a refcount bump at
//! most). Maps are *shared and mutable* exactly like Go maps: a `set` on a dict inside a helper is seen by
//! every holder of that dict. Lists are immutable snapshots (Sprig's list functions always return new
//! slices), so they are plain `Arc<[Value]>`.
//!
//! Numbers keep their Go type, because output and comparison depend on it: values read from YAML/JSON are
//! `float64` (`1000000` prints as `1e+06`), `--set` integers are `int64`, `len` returns `int`.

mod complex;
pub mod gofmt;
mod object;

pub use complex::Complex128;
pub use object::{Object, ObjectRef};

use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The key-sorted map inside a [`Value::Map`]. Go maps are unordered but every place where order shows
/// (printing, `range`, `toYaml`, `toJson`) sorts keys bytewise, which is `String`'s `Ord`.
pub type MapInner = BTreeMap<String, Value>;

/// A shared, mutable `map[string]interface{}`.
#[derive(Clone, Default)]
pub struct Map(Arc<RwLock<MapInner>>);

impl Map {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn from_inner(inner: MapInner) -> Self {
        Map(Arc::new(RwLock::new(inner)))
    }
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.read().get(key).cloned()
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.read().contains_key(key)
    }
    pub fn insert(&self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.0.write().insert(key.into(), value)
    }
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.0.write().remove(key)
    }
    pub fn len(&self) -> usize {
        self.0.read().len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.read().is_empty()
    }
    /// Sorted keys, copied out so no lock is held while a template body runs (the body may mutate the map).
    pub fn keys(&self) -> Vec<String> {
        self.0.read().keys().cloned().collect()
    }
    /// A sorted snapshot of the entries; see [`Map::keys`] for why it is a copy.
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.0
            .read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    /// Read access for code that must not copy (printing, serialising).
    pub fn read(&self) -> parking_lot::RwLockReadGuard<'_, MapInner> {
        self.0.read()
    }
    pub fn write(&self) -> parking_lot::RwLockWriteGuard<'_, MapInner> {
        self.0.write()
    }
    /// Whether two handles share one Go map (Go's `==` on maps is not allowed; identity matters for cycles).
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
    /// A new map with the same entries (Go: a shallow copy loop). Nested maps stay shared.
    pub fn shallow_copy(&self) -> Map {
        Map::from_inner(self.0.read().clone())
    }
    /// A new map with every nested map and list copied (Sprig's `deepCopy`).
    pub fn deep_copy(&self) -> Map {
        Map::from_inner(
            self.0
                .read()
                .iter()
                .map(|(k, v)| (k.clone(), v.deep_copy()))
                .collect(),
        )
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.read().iter()).finish()
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (String, Value)>>(iter: T) -> Self {
        Map::from_inner(iter.into_iter().collect())
    }
}

/// An immutable `[]interface{}`.
pub type List = Arc<[Value]>;

/// One Go value as a template sees it.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's invalid `reflect.Value`: no value at all (a missing key under `missingkey=default`).
    /// Prints `<no value>`; a field access on it stays `Invalid` silently.
    #[default]
    Invalid,
    /// A nil `interface{}` (or nil pointer/map/slice). Prints `<no value>` at top level and `<nil>` inside
    /// collections; a field access on it is an error (`nil pointer evaluating interface {}.x`).
    Nil,
    Bool(bool),
    /// Go `int` (what `len`, `atoi`, `int` and integer literals give).
    Int(i64),
    /// Go `int64` (`--set` integers, Sprig arithmetic results).
    Int64(i64),
    /// Go `uint64`.
    Uint64(u64),
    /// Go `float64` (every number from YAML or JSON).
    Float(f64),
    String(Arc<str>),
    /// Go `[]byte` (`.Files.GetBytes`); prints as a list of numbers like Go does.
    Bytes(Arc<[u8]>),
    List(List),
    Map(Map),
    /// A Go struct or named type with fields and methods (Helm's `.Files`, `.Capabilities`, `.Chart`).
    Object(ObjectRef),
}

impl Value {
    #[allow(clippy::should_implement_trait)] // infallible constructor, not a parser
    pub fn from_str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::from(items))
    }
    pub fn empty_map() -> Value {
        Value::Map(Map::new())
    }

    /// Go's `%T` name of the dynamic type (`int`, `float64`, `string`, `map[string]interface {}`,
    /// `[]interface {}`, `[]uint8`, `bool`, `<nil>`). Used in messages and by `typeOf`/`kindOf`.
    pub fn type_name(&self) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow::*;
        match self {
            Value::Invalid | Value::Nil => Borrowed("<nil>"),
            Value::Bool(_) => Borrowed("bool"),
            Value::Int(_) => Borrowed("int"),
            Value::Int64(_) => Borrowed("int64"),
            Value::Uint64(_) => Borrowed("uint64"),
            Value::Float(_) => Borrowed("float64"),
            Value::String(_) => Borrowed("string"),
            Value::Bytes(_) => Borrowed("[]uint8"),
            Value::List(_) => Borrowed("[]interface {}"),
            Value::Map(_) => Borrowed("map[string]interface {}"),
            Value::Object(o) => Owned(o.type_name().to_string()),
        }
    }

    /// Go's `reflect.Kind` name (`kindOf`): `int`, `int64`, `float64`, `string`, `slice`, `map`, `bool`,
    /// `struct`, `ptr`, `invalid`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Invalid | Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint64(_) => "uint64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// Go template truth (`if`, `with`, `and`, `or`, `not`): false, zero numbers, empty strings and
    /// collections, nil and missing values are false; structs are true.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Invalid | Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint64(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.is_true(),
        }
    }

    pub fn is_nil_or_invalid(&self) -> bool {
        matches!(self, Value::Invalid | Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Sprig's `deepCopy`: maps and lists are copied all the way down; scalars and objects are shared.
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::Map(m) => Value::Map(m.deep_copy()),
            Value::List(l) => Value::List(l.iter().map(Value::deep_copy).collect()),
            other => other.clone(),
        }
    }

    /// Converts JSON the way Go's `encoding/json` decodes into `interface{}`: every number is `float64`.
    /// Helm reads values.yaml through YAML→JSON, so this is also how values files arrive.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::from_str(s),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The JSON a Go `json.Marshal` of this value would carry (numbers keep integer-ness by type).
    /// Objects serialise through [`Object::to_json`]; `Invalid` becomes `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Invalid | Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
            Value::Uint64(u) => serde_json::Value::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            // Go's json.Marshal encodes []byte as base64; callers that care handle Bytes themselves.
            Value::Bytes(b) => {
                serde_json::Value::Array(b.iter().map(|x| serde_json::Value::from(*x)).collect())
            }
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => serde_json::Value::Object(
                m.read()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Value::Object(o) => o.to_json(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Invalid => f.write_str("Invalid"),
            Value::Nil => f.write_str("Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Int64(i) => write!(f, "Int64({i})"),
            Value::Uint64(u) => write!(f, "Uint64({u})"),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(m) => m.fmt(f),
            Value::Object(o) => write!(f, "Object({})", o.type_name()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::from_str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Arc::from(s))
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::list(v)
    }
}
