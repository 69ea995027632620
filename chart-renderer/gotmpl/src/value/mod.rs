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

/// Go's static type of a map value, where templates can tell it apart: `%T`/`typeOf`, Go's argument
/// conversion (`set` refuses a `map[string]string`), the zero value of a missing key (`""` for
/// `map[string]string`), and Sprig's `dig`, which asserts `map[string]interface {}` exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MapType {
    /// `map[string]interface {}`: dicts, parsed YAML/JSON, nested values.
    #[default]
    Interface,
    /// `map[string]string` (Sprig's `split`, `splitn`).
    String,
    /// Helm's named `common.Values` (`.Values` and the top-level context): assignable to a
    /// `map[string]interface {}` parameter, but not that type in a type assertion.
    Values,
}

/// A shared, mutable Go map. The [`MapType`] belongs to the handle, like a Go interface's dynamic type:
/// [`Map::with_type`] gives another view of the same shared entries.
#[derive(Clone, Default)]
pub struct Map {
    inner: Arc<RwLock<MapInner>>,
    ty: MapType,
}

impl Map {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn from_inner(inner: MapInner) -> Self {
        Map {
            inner: Arc::new(RwLock::new(inner)),
            ty: MapType::Interface,
        }
    }
    /// The same shared map seen as Go type `ty`.
    pub fn with_type(&self, ty: MapType) -> Map {
        Map {
            inner: self.inner.clone(),
            ty,
        }
    }
    pub fn map_type(&self) -> MapType {
        self.ty
    }
    pub fn get(&self, key: &str) -> Option<Value> {
        self.inner.read().get(key).cloned()
    }
    /// What Go's map index gives for a missing key: the element type's zero value.
    pub fn zero_value(&self) -> Value {
        match self.ty {
            MapType::String => Value::from_str(""),
            MapType::Interface | MapType::Values => Value::Nil,
        }
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.inner.read().contains_key(key)
    }
    pub fn insert(&self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.inner.write().insert(key.into(), value)
    }
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.inner.write().remove(key)
    }
    pub fn len(&self) -> usize {
        self.inner.read().len()
    }
    pub fn is_empty(&self) -> bool {
        self.inner.read().is_empty()
    }
    /// Sorted keys, copied out so no lock is held while a template body runs (the body may mutate the map).
    pub fn keys(&self) -> Vec<String> {
        self.inner.read().keys().cloned().collect()
    }
    /// A sorted snapshot of the entries; see [`Map::keys`] for why it is a copy.
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.inner
            .read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    /// Read access for code that must not copy (printing, serialising).
    pub fn read(&self) -> parking_lot::RwLockReadGuard<'_, MapInner> {
        self.inner.read()
    }
    pub fn write(&self) -> parking_lot::RwLockWriteGuard<'_, MapInner> {
        self.inner.write()
    }
    /// Whether two handles share one Go map (Go's `==` on maps is not allowed; identity matters for cycles).
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
    /// A new map with the same entries (Go: a shallow copy loop). Nested maps stay shared.
    pub fn shallow_copy(&self) -> Map {
        Map::from_inner(self.inner.read().clone()).with_type(self.ty)
    }
    /// A new map with every nested map and list copied (Sprig's `deepCopy`, which keeps Go types).
    pub fn deep_copy(&self) -> Map {
        Map::from_inner(
            self.inner
                .read()
                .iter()
                .map(|(k, v)| (k.clone(), v.deep_copy()))
                .collect(),
        )
        .with_type(self.ty)
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.inner.read().iter()).finish()
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (String, Value)>>(iter: T) -> Self {
        Map::from_inner(iter.into_iter().collect())
    }
}

/// Go's static element type of a slice value, where templates can tell it apart (`%T`, `typeOf`, `eq`'s
/// messages, `deepEqual`, Go's argument conversion to `[]interface {}`). Sprig's list functions build
/// `[]interface {}`; a few functions return typed slices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListType {
    /// `[]interface {}`
    #[default]
    Interface,
    /// `[]string` (`splitList`, `keys`, `sortAlpha`, `toStrings`, `regexFindAll`, `regexSplit`, `.Files.Lines`)
    String,
    /// `[]int` (`until`, `untilStep`)
    Int,
    /// `[][]interface {}` (`chunk`)
    Lists,
}

/// An immutable Go slice: its elements, its [`ListType`], and whether it is a nil slice (prints `[]`, has
/// length 0, but is `null` to `toJson` and nil to `eq`; `regexFindAll` without a match returns one).
/// Dereferences to the element slice.
#[derive(Clone)]
pub struct List {
    items: Arc<[Value]>,
    ty: ListType,
    nil: bool,
}

impl List {
    /// A `[]interface {}`.
    pub fn new(items: impl Into<Arc<[Value]>>) -> Self {
        List {
            items: items.into(),
            ty: ListType::Interface,
            nil: false,
        }
    }
    /// A slice of Go type `ty`; the caller guarantees the elements have that type.
    pub fn typed(items: impl Into<Arc<[Value]>>, ty: ListType) -> Self {
        List {
            items: items.into(),
            ty,
            nil: false,
        }
    }
    /// A nil slice of type `ty`.
    pub fn nil(ty: ListType) -> Self {
        List {
            items: Arc::from(Vec::new()),
            ty,
            nil: true,
        }
    }
    pub fn list_type(&self) -> ListType {
        self.ty
    }
    pub fn is_nil(&self) -> bool {
        self.nil
    }
    /// The shared elements.
    pub fn items(&self) -> &Arc<[Value]> {
        &self.items
    }
    /// A sub-slice that keeps the Go type (Go's slice expressions do).
    pub fn sub(&self, range: std::ops::Range<usize>) -> List {
        List::typed(&self.items[range], self.ty)
    }
}

impl std::ops::Deref for List {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        &self.items
    }
}

impl Default for List {
    fn default() -> Self {
        List::new(Vec::new())
    }
}

impl FromIterator<Value> for List {
    fn from_iter<T: IntoIterator<Item = Value>>(iter: T) -> Self {
        List::new(iter.into_iter().collect::<Vec<_>>())
    }
}

impl From<Vec<Value>> for List {
    fn from(v: Vec<Value>) -> Self {
        List::new(v)
    }
}

impl From<&[Value]> for List {
    fn from(v: &[Value]) -> Self {
        List::new(v)
    }
}

impl From<Arc<[Value]>> for List {
    fn from(v: Arc<[Value]>) -> Self {
        List::new(v)
    }
}

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
        Value::List(List::new(items))
    }
    /// A `[]string` value.
    pub fn string_list(items: Vec<Value>) -> Value {
        Value::List(List::typed(items, ListType::String))
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
            Value::List(l) => Borrowed(match l.list_type() {
                ListType::Interface => "[]interface {}",
                ListType::String => "[]string",
                ListType::Int => "[]int",
                ListType::Lists => "[][]interface {}",
            }),
            Value::Map(m) => Borrowed(match m.map_type() {
                MapType::Interface => "map[string]interface {}",
                MapType::String => "map[string]string",
                MapType::Values => "common.Values",
            }),
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
            Value::List(l) if l.is_nil() => Value::List(l.clone()),
            Value::List(l) => Value::List(List::typed(
                l.iter().map(Value::deep_copy).collect::<Vec<_>>(),
                l.list_type(),
            )),
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
            Value::List(l) if l.is_nil() => serde_json::Value::Null,
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
