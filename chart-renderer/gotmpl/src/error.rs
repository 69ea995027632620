//! Errors in Go's exact text, with the position kept apart so tools can point at the template line.
//!
//! | kind | `Display` (Go's text) |
//! |---|---|
//! | [`ErrorKind::Parse`] | `template: NAME:LINE: MSG` |
//! | [`ErrorKind::Exec`] / [`ErrorKind::Limit`] with a node | `template: NAME:LINE:COL: executing "TMPL" at <NODE>: MSG` |
//! | [`ErrorKind::Exec`] without a node | `template: TMPL: MSG` |
//! | [`ErrorKind::NoTemplate`] | `template: no template "X" associated with template "Y"` |

use std::fmt;

/// What went wrong, broadly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The template text does not parse.
    Parse,
    /// Execution failed (Go's `ExecError`), including errors returned by functions.
    Exec,
    /// A configured [`crate::limits::Limits`] bound was hit (Go's own template depth cap included).
    Limit,
    /// `execute` was asked for a name that is not in the set.
    NoTemplate,
}

/// An engine error. `Display` gives Go's exact message; the fields of [`ErrorRepr`] (reachable through
/// `Deref`: `err.line`, `err.kind`) give the parts. Boxed so `Result<_, Error>` stays one word wide.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Error(Box<ErrorRepr>);

impl std::ops::Deref for Error {
    type Target = ErrorRepr;
    fn deref(&self) -> &ErrorRepr {
        &self.0
    }
}

impl From<ErrorRepr> for Error {
    fn from(r: ErrorRepr) -> Self {
        Error(Box::new(r))
    }
}

/// The parts of an [`Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRepr {
    pub kind: ErrorKind,
    /// The file (Go's `ParseName`) the failing node was parsed from.
    pub parse_name: String,
    /// The template that was executing (a `define` name, or the file); `None` for parse errors.
    pub template: Option<String>,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 0-based byte offset within the line (exec errors only).
    pub col: Option<usize>,
    /// The failing node re-printed (`.Values.a.b`), exec errors only.
    pub node: Option<String>,
    /// Go's message after the location prefix.
    pub message: String,
}

impl Error {
    pub(crate) fn parse(parse_name: &str, line: usize, message: String) -> Self {
        Error::from(ErrorRepr {
            kind: ErrorKind::Parse,
            parse_name: parse_name.to_string(),
            template: None,
            line,
            col: None,
            node: None,
            message,
        })
    }

    pub(crate) fn no_template(name: &str, from: &str) -> Self {
        Error::from(ErrorRepr {
            kind: ErrorKind::NoTemplate,
            parse_name: from.to_string(),
            template: Some(name.to_string()),
            line: 0,
            col: None,
            node: None,
            message: format!(
                "no template {} associated with template {}",
                quote(name),
                quote(from)
            ),
        })
    }
}

fn quote(s: &str) -> String {
    crate::lex::go_quote(s)
}

impl fmt::Display for ErrorRepr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Parse => write!(
                f,
                "template: {}:{}: {}",
                self.parse_name, self.line, self.message
            ),
            ErrorKind::NoTemplate => write!(f, "template: {}", self.message),
            ErrorKind::Exec | ErrorKind::Limit => {
                let tmpl = self.template.as_deref().unwrap_or(&self.parse_name);
                match (&self.node, self.col) {
                    (Some(node), Some(col)) => write!(
                        f,
                        "template: {}:{}:{}: executing {} at <{}>: {}",
                        self.parse_name,
                        self.line,
                        col,
                        quote(tmpl),
                        node,
                        self.message
                    ),
                    _ => write!(f, "template: {}: {}", tmpl, self.message),
                }
            }
        }
    }
}
