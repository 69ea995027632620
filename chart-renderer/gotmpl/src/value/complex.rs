//! Go's `complex128`, the type of imaginary and complex number literals (`{{ 1i }}`, `{{ 2+3i }}`).
//!
//! Helm's data never holds complex numbers, so they only come from literals and the value model has no
//! variant for them: a literal becomes this [`Object`], which prints and compares as Go does.

use super::gofmt::format_float;
use super::{Object, Value};

/// A `complex128` value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Complex128 {
    pub re: f64,
    pub im: f64,
}

impl Complex128 {
    pub fn into_value(self) -> Value {
        Value::Object(std::sync::Arc::new(self))
    }
}

impl Object for Complex128 {
    fn type_name(&self) -> &str {
        "complex128"
    }
    fn kind_name(&self) -> &'static str {
        "complex128"
    }
    fn is_true(&self) -> bool {
        self.re != 0.0 || self.im != 0.0
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    /// Go's `%v`: `(re±imi)`, both parts in `%g` form, the imaginary one always signed.
    fn go_format(&self) -> String {
        let im = format_float(self.im, b'g', -1);
        let sign = if im.starts_with(['-', '+']) { "" } else { "+" };
        format!("({}{sign}{im}i)", format_float(self.re, b'g', -1))
    }
    /// Go's `json.Marshal` rejects complex numbers (Helm's `toJson` then prints nothing); `null` is the
    /// closest this infallible hook can say.
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}
