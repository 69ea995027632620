//! Resource limits for parsing and execution. Every limit ends in an error, never a panic or a hang.
//!
//! Go itself only caps template call depth (100000) and parenthesis nesting (10000); the other limits
//! exist because Hoist renders untrusted charts inside an operator.

use std::time::{Duration, Instant};

/// Go's `maxExecDepth`.
pub const GO_MAX_EXEC_DEPTH: usize = 100_000;
/// Go's `maxStackDepth` for nested parenthesized expressions.
pub const GO_MAX_PAREN_DEPTH: usize = 10_000;

/// Limits for one execution (and for parsing, `max_parse_depth`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Nested `{{template}}`/`include`/`tpl` calls (Go: 100000, error
    /// `exceeded maximum template depth (100000)`).
    pub max_template_depth: usize,
    /// Total `range` iterations in one execution; `None` = unlimited.
    pub max_range_iterations: Option<u64>,
    /// Total bytes written by one execution (including nested `include` output); `None` = unlimited.
    pub max_output_bytes: Option<usize>,
    /// Wall-clock budget of one execution; `None` = unlimited.
    pub timeout: Option<Duration>,
    /// Nesting of blocks (`if`/`range`/`with`/`define`) and parentheses accepted by the parser.
    pub max_parse_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_template_depth: GO_MAX_EXEC_DEPTH,
            max_range_iterations: None,
            max_output_bytes: None,
            timeout: None,
            max_parse_depth: GO_MAX_PAREN_DEPTH,
        }
    }
}

/// The running account of one execution, shared by nested `include`/`tpl` executions.
#[derive(Debug)]
pub(crate) struct Budget {
    pub range_iterations: u64,
    pub output_bytes: usize,
    pub deadline: Option<Instant>,
    /// Steps since the clock was last read (reading it on every step would be costly).
    pub ticks: u32,
    /// A limit error raised inside a nested `include`/`tpl`, so the caller re-raises it as is instead of
    /// wrapping it as a function error.
    pub limit_error: Option<crate::Error>,
}

impl Budget {
    pub fn new(limits: &Limits) -> Self {
        Budget {
            range_iterations: 0,
            output_bytes: 0,
            deadline: limits.timeout.map(|t| Instant::now() + t),
            ticks: 0,
            limit_error: None,
        }
    }

    /// Whether the deadline has passed; reads the clock every 256 calls.
    pub fn deadline_passed(&mut self) -> bool {
        let Some(d) = self.deadline else { return false };
        self.ticks = self.ticks.wrapping_add(1);
        if !self.ticks.is_multiple_of(256) {
            return false;
        }
        Instant::now() >= d
    }
}
