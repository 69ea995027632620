//! Go structs and named types with methods, as template values.
//!
//! Helm hands templates a few Go objects whose *methods* charts call with arguments
//! (`.Files.Get "x"`, `.Capabilities.APIVersions.Has "v1"`) and whose *fields* have Go names
//! (`.Chart.AppVersion`). Each is an [`Object`] implementation in the Helm layer; the engine only knows this
//! trait, the way minijinja's VM only knows its `Object` trait.

use super::Value;
use std::fmt;
use std::sync::Arc;

/// A shared handle to an object value.
pub type ObjectRef = Arc<dyn Object>;

/// What the executor needs from a Go struct or named type.
pub trait Object: Send + Sync + fmt::Debug {
    /// Go's `%T`, e.g. `*chart.Metadata`, `chartutil.VersionSet`, `engine.files`.
    fn type_name(&self) -> &str;

    /// `reflect.Kind` name for `kindOf` (`ptr` for pointers to structs, `struct`, `slice`, `map`).
    fn kind_name(&self) -> &'static str {
        "struct"
    }

    /// Truth as Go decides it for this kind; structs and non-nil pointers are true.
    fn is_true(&self) -> bool {
        true
    }

    /// `.Name` on this object: `None` when there is no such field (the executor then tries methods and
    /// finally reports `can't evaluate field Name in type T`).
    fn field(&self, name: &str) -> Option<Value>;

    /// Whether `name` is a method (methods are looked up before fields, as Go does).
    fn has_method(&self, _name: &str) -> bool {
        false
    }

    /// Calls method `name` with already evaluated arguments. Only called when [`Object::has_method`] is
    /// true. The error text becomes `error calling NAME: TEXT`.
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, String> {
        Err(format!("{name} is not a method of {}", self.type_name()))
    }

    /// The number of parameters the method takes, and whether the last is variadic; used for Go's
    /// `wrong number of args for NAME: want N got M`.
    fn method_arity(&self, _name: &str) -> (usize, bool) {
        (0, false)
    }

    /// What `%v` prints (Go prints structs as `{f1 f2}` and pointers to structs as `&{f1 f2}`).
    fn go_format(&self) -> String;

    /// What `toJson`/`toYaml` see (Go marshals exported fields by their json tags).
    fn to_json(&self) -> serde_json::Value;

    /// When the object is a Go collection type (e.g. `VersionSet` is `[]string`, `files` is
    /// `map[string][]byte`), the value `range`, `len` and `index` should see.
    fn as_collection(&self) -> Option<Value> {
        None
    }
}
