//! The function table: what `{{ name arg… }}` may call.
//!
//! Go's text/template calls Go functions through reflection, converting each argument to the declared
//! parameter type and failing with `wrong type for value; expected T; got U`. We have no reflection, so a
//! [`Function`] *declares* its parameter types ([`ParamType`]) and the executor performs Go's conversion
//! and arity checks before the body runs. Bodies receive already-checked arguments and return
//! `Result<Value, FuncError>`; an `Err` (Go: a returned error, or a recovered panic) surfaces as
//! `error calling NAME: MESSAGE`.

pub mod builtins;

use crate::value::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A Go parameter type, for argument conversion and Go-exact error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// `interface{}`: anything, a nil/missing argument arrives as [`Value::Nil`].
    Any,
    String,
    /// Go `int`
    Int,
    /// Go `int64`
    Int64,
    Float64,
    Bool,
    /// `[]interface{}`
    List,
    /// `map[string]interface{}`
    Map,
    /// `[]byte`
    Bytes,
    /// `reflect.Value`, the parameter type of some of Go's builtins (`len`). Behaves like [`Self::Any`]
    /// except that the literal `nil` arrives as the zero `reflect.Value` ([`Value::Invalid`]), not as a
    /// nil interface: Go's `len nil` fails inside reflect, `len .Values.missing` with `len of nil pointer`.
    Reflect,
}

impl ParamType {
    /// The Go spelling used in messages (`expected map[string]interface {}`).
    pub fn go_name(self) -> &'static str {
        match self {
            ParamType::Any => "interface {}",
            ParamType::String => "string",
            ParamType::Int => "int",
            ParamType::Int64 => "int64",
            ParamType::Float64 => "float64",
            ParamType::Bool => "bool",
            ParamType::List => "[]interface {}",
            ParamType::Map => "map[string]interface {}",
            ParamType::Bytes => "[]uint8",
            ParamType::Reflect => "reflect.Value",
        }
    }
    /// Go's `canBeNil`: a nil argument becomes the zero value of these types instead of an error.
    pub fn can_be_nil(self) -> bool {
        matches!(
            self,
            ParamType::Any
                | ParamType::List
                | ParamType::Map
                | ParamType::Bytes
                | ParamType::Reflect
        )
    }
}

/// The error a function body returns. The executor wraps it as `error calling NAME: {0}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncError(pub String);

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for FuncError {}

impl From<String> for FuncError {
    fn from(s: String) -> Self {
        FuncError(s)
    }
}
impl From<&str> for FuncError {
    fn from(s: &str) -> Self {
        FuncError(s.to_string())
    }
}

pub type FuncResult = Result<Value, FuncError>;

/// What a function may ask of the running template (Helm's `include` and `tpl` need the template set).
pub trait CallContext {
    /// Executes the named template with `dot` and returns its output (Go: `ExecuteTemplate` into a buffer).
    /// Errors already carry Go's `template: …` form; they are passed through, not re-wrapped.
    fn execute_template(&mut self, name: &str, dot: Value) -> Result<String, crate::Error>;
    /// Parses `text` as a new template called `name` that can see every template already defined, then
    /// executes it with `dot` (Helm's `tpl`). Implementations cache the parse.
    fn execute_text(&mut self, name: &str, text: &str, dot: Value) -> Result<String, crate::Error>;
    /// The name of the template whose action is calling (e.g. `mychart/templates/x.yaml`).
    fn template_name(&self) -> &str;
    /// Depth of nested template calls so far (for Helm's include recursion limit).
    fn depth(&self) -> usize;
}

/// The body of a function.
pub type NativeFn = dyn Fn(&mut dyn CallContext, &[Value]) -> FuncResult + Send + Sync;

/// One entry of the function table.
#[derive(Clone)]
pub struct Function {
    pub name: Arc<str>,
    /// Fixed parameters, in order.
    pub params: &'static [ParamType],
    /// The element type of a trailing `...T` parameter, if any.
    pub variadic: Option<ParamType>,
    pub body: Arc<NativeFn>,
}

impl Function {
    pub fn new(
        name: &str,
        params: &'static [ParamType],
        variadic: Option<ParamType>,
        body: impl Fn(&mut dyn CallContext, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> Self {
        Function {
            name: Arc::from(name),
            params,
            variadic,
            body: Arc::new(body),
        }
    }
    /// A function that does not need the running template.
    pub fn pure(
        name: &str,
        params: &'static [ParamType],
        variadic: Option<ParamType>,
        body: impl Fn(&[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, params, variadic, move |_, args| body(args))
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Function({}/{:?}/{:?})",
            self.name, self.params, self.variadic
        )
    }
}

/// The table a template set is parsed against (unknown names fail at parse time, as in Go).
#[derive(Clone, Default, Debug)]
pub struct FuncMap {
    funcs: HashMap<Arc<str>, Function>,
}

impl FuncMap {
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds or replaces a function (a later registration wins, as with Go's `Funcs`).
    pub fn insert(&mut self, f: Function) {
        self.funcs.insert(f.name.clone(), f);
    }
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.funcs.get(name)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(|k| &**k)
    }
    pub fn len(&self) -> usize {
        self.funcs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty()
    }
}
