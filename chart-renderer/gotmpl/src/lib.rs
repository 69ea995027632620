//! `gotmpl`: Go's `text/template`, in Rust, byte for byte.
//!
//! The crate knows nothing of Helm (that lives in `chart-renderer`). Phases, one module each, as in
//! minijinja: [`lex`] → [`parse`] (an [`ast`] whose nodes re-print themselves like Go's `String()`) →
//! [`exec`] (a tree walker over shared [`value::Value`]s). Printing follows Go's `fmt` ([`value::gofmt`]).
//! Parsed templates are immutable and `Send + Sync`: parse once, render many times from any thread.

pub mod ast;
pub mod error;
pub mod exec;
pub mod funcs;
pub mod lex;
pub mod limits;
pub mod parse;
pub mod value;

pub use error::Error;
pub use funcs::{CallContext, FuncError, FuncMap, FuncResult, Function, ParamType};
pub use value::{Map, Object, ObjectRef, Value};
