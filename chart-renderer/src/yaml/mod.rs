//! YAML (and the JSON step in between) exactly as Helm v4 reads and writes it.
//!
//! Helm v4.2.3 goes through `sigs.k8s.io/yaml` v1.6.0, which is `go.yaml.in/yaml/v2` (v2.4.3, a YAML 1.1
//! dialect) plus a JSON round trip:
//!
//! - **reading** ([`from_str`], [`from_str_map`], …): yaml.v2 decodes into `interface{}` (YAML 1.1 plain
//!   scalar resolution: `yes`/`on`/`y` are booleans, `0x1F` and `017` are ints, timestamps stay strings),
//!   map keys are turned into strings, the result is `json.Marshal`led and `json.Unmarshal`led again, so every
//!   number ends as `float64` ([`gotmpl::Value::Float`]);
//! - **writing** ([`to_string`]): `json.Marshal`, then yaml.v2 parses that JSON and its emitter writes it
//!   (see [`encode`]); `toYamlPretty` uses yaml.v3's encoder directly on the Go values ([`to_string_pretty`]).
//!
//! There is no int-preserving YAML path in Helm v4's values or template functions: values files,
//! `fromYaml`, `fromYamlArray` and `-f` files all pass through the JSON step (only `--set` makes `int64`s,
//! and that is `strvals`, not YAML).

mod decode;
pub mod encode;
pub mod gojson;
pub mod gotoml;

pub use decode::{
    from_str, from_str_list, from_str_map, from_str_multi, load_values, split_documents,
};
pub use encode::{to_string, to_string_pretty};

/// A YAML error. `Display` gives exactly the text Go's `err.Error()` gives for the same input
/// (e.g. `error converting YAML to JSON: yaml: line 2: did not find expected key`), because Helm embeds
/// that text in its own messages and in `fromYaml`'s `Error` key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// Go's full error text.
    pub message: String,
    /// 1-based line of the problem in the input as *our* parser saw it, when known (Go's text may carry a
    /// different, libyaml-specific line; this one is for humans and tooling).
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
}

impl YamlError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        YamlError {
            message: message.into(),
            line: None,
            column: None,
        }
    }
    pub(crate) fn at(message: impl Into<String>, line: usize, column: usize) -> Self {
        YamlError {
            message: message.into(),
            line: Some(line),
            column: Some(column),
        }
    }
}

/// Runs a step of a recursive walk over a document, first growing the stack if it is nearly exhausted:
/// Helm accepts documents nested 10000 levels deep, far more than a thread's default stack holds.
pub(crate) fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, f)
}
