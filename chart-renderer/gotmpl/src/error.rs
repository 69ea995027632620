//! Errors in Go's exact text (`template: NAME:LINE:COL: executing "T" at <NODE>: MSG`), with the
//! position kept apart so tools can point at the template line.
//! PLACEHOLDER — the engine work replaces this file.

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub message: String,
}
