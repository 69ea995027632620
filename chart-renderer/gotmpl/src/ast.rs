//! The parse tree. Every node keeps the byte offset where it starts (line and column are computed only
//! when an error needs them) and re-prints itself like Go's `Node.String()`, because exec errors quote
//! the failing node (`at <.Values.foo>`).
//!
//! Literals carry their evaluated [`Value`] so execution clones a refcount instead of converting text.

use crate::funcs::Function;
use crate::lex::go_quote;
use crate::value::Value;
use std::fmt::{self, Write};
use std::sync::Arc;

/// A byte offset into the template source.
pub type Pos = u32;

/// A sequence of nodes (Go's `ListNode`).
#[derive(Debug, Clone, Default)]
pub struct ListNode {
    pub pos: Pos,
    pub nodes: Vec<Node>,
}

/// A statement-level node.
#[derive(Debug, Clone)]
pub enum Node {
    Text(TextNode),
    Action(ActionNode),
    If(Box<BranchNode>),
    Range(Box<BranchNode>),
    With(Box<BranchNode>),
    Template(Box<TemplateNode>),
    Break(Pos),
    Continue(Pos),
}

#[derive(Debug, Clone)]
pub struct TextNode {
    pub pos: Pos,
    pub text: Box<str>,
}

#[derive(Debug, Clone)]
pub struct ActionNode {
    pub pos: Pos,
    pub line: u32,
    pub pipe: PipeNode,
}

/// `if`, `range` and `with`.
#[derive(Debug, Clone)]
pub struct BranchNode {
    pub pos: Pos,
    pub line: u32,
    pub pipe: PipeNode,
    pub list: ListNode,
    pub else_list: Option<ListNode>,
}

#[derive(Debug, Clone)]
pub struct TemplateNode {
    pub pos: Pos,
    pub line: u32,
    pub name: Arc<str>,
    pub pipe: Option<PipeNode>,
}

/// A pipeline with optional declarations: `$x, $y := a | b c`.
#[derive(Debug, Clone)]
pub struct PipeNode {
    pub pos: Pos,
    pub line: u32,
    pub is_assign: bool,
    pub decl: Vec<VariableNode>,
    pub cmds: Vec<CommandNode>,
}

/// One command of a pipeline: an operand followed by arguments.
#[derive(Debug, Clone)]
pub struct CommandNode {
    pub pos: Pos,
    pub args: Vec<Arg>,
}

/// `$x` or `$x.Field1.Field2`; `idents[0]` is the variable name including `$`.
#[derive(Debug, Clone)]
pub struct VariableNode {
    pub pos: Pos,
    pub idents: Box<[Arc<str>]>,
}

/// Which builtin needs the executor's own handling: short-circuit evaluation (`and`, `or`), or, for
/// `call`, the callee's template text, which Go puts in its error (`non-function .Values.f of type …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    None,
    And,
    Or,
    Call,
}

/// A function name, resolved against the function table at parse time (Go checks the name at parse
/// time and looks it up again at run time; the table cannot change in between here, so we keep it).
#[derive(Debug, Clone)]
pub struct IdentifierNode {
    pub pos: Pos,
    pub name: Arc<str>,
    pub func: Option<Function>,
    pub special: Special,
}

/// A number literal with every interpretation Go's parser records.
#[derive(Debug, Clone)]
pub struct NumberNode {
    pub pos: Pos,
    pub text: Box<str>,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub int64: i64,
    pub uint64: u64,
    pub float64: f64,
    /// What the literal evaluates to as an untyped constant (`int` or `float64`), or Go's error text.
    pub ideal: Result<Value, Arc<str>>,
}

/// An operand: anything that can appear as a command word or argument.
#[derive(Debug, Clone)]
pub enum Arg {
    Identifier(Box<IdentifierNode>),
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    Number(Box<NumberNode>),
    /// The quoted source form (for re-printing) and the value.
    String {
        pos: Pos,
        quoted: Box<str>,
        value: Value,
    },
    /// `.A.B`
    Field {
        pos: Pos,
        idents: Box<[Arc<str>]>,
    },
    Variable(VariableNode),
    /// `(pipe).A.B` or `fn.A` (a term followed by fields that is not a field or variable).
    Chain {
        pos: Pos,
        node: Box<Arg>,
        fields: Box<[Arc<str>]>,
    },
    /// A parenthesized pipeline.
    Pipe(Box<PipeNode>),
}

impl Arg {
    pub fn pos(&self) -> Pos {
        match self {
            Arg::Identifier(i) => i.pos,
            Arg::Dot(p) | Arg::Nil(p) | Arg::Bool(p, _) => *p,
            Arg::Number(n) => n.pos,
            Arg::String { pos, .. } | Arg::Field { pos, .. } | Arg::Chain { pos, .. } => *pos,
            Arg::Variable(v) => v.pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl Node {
    pub fn pos(&self) -> Pos {
        match self {
            Node::Text(t) => t.pos,
            Node::Action(a) => a.pos,
            Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
            Node::Template(t) => t.pos,
            Node::Break(p) | Node::Continue(p) => *p,
        }
    }
}

/// Go's `IsEmptyTree`: only whitespace text (comments are dropped by the lexer).
pub fn is_empty_tree(list: &ListNode) -> bool {
    list.nodes
        .iter()
        .all(|n| matches!(n, Node::Text(t) if t.text.trim_matches(is_go_space).is_empty()))
}

/// `bytes.TrimSpace`'s notion of space (Unicode white space).
fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

fn write_idents(f: &mut fmt::Formatter<'_>, idents: &[Arc<str>], dot_first: bool) -> fmt::Result {
    for (i, id) in idents.iter().enumerate() {
        if i > 0 || dot_first {
            f.write_char('.')?;
        }
        f.write_str(id)?;
    }
    Ok(())
}

impl fmt::Display for ListNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.nodes.iter().try_for_each(|n| n.fmt(f))
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(t) => f.write_str(&t.text),
            Node::Action(a) => write!(f, "{{{{{}}}}}", a.pipe),
            Node::If(b) => b.write(f, "if"),
            Node::Range(b) => b.write(f, "range"),
            Node::With(b) => b.write(f, "with"),
            Node::Template(t) => t.fmt(f),
            Node::Break(_) => f.write_str("{{break}}"),
            Node::Continue(_) => f.write_str("{{continue}}"),
        }
    }
}

impl BranchNode {
    fn write(&self, f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
        write!(f, "{{{{{name} {}}}}}{}", self.pipe, self.list)?;
        if let Some(e) = &self.else_list {
            write!(f, "{{{{else}}}}{e}")?;
        }
        f.write_str("{{end}}")
    }
}

impl fmt::Display for TemplateNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pipe {
            None => write!(f, "{{{{template {}}}}}", go_quote(&self.name)),
            Some(p) => write!(f, "{{{{template {} {p}}}}}", go_quote(&self.name)),
        }
    }
}

impl fmt::Display for PipeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                v.fmt(f)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            c.fmt(f)?;
        }
        Ok(())
    }
}

impl fmt::Display for CommandNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            if let Arg::Pipe(p) = a {
                write!(f, "({p})")?;
            } else {
                a.fmt(f)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for VariableNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_idents(f, &self.idents, false)
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Identifier(i) => f.write_str(&i.name),
            Arg::Dot(_) => f.write_char('.'),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Field { idents, .. } => write_idents(f, idents, true),
            Arg::Variable(v) => v.fmt(f),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = &**node {
                    write!(f, "({p})")?;
                } else {
                    node.fmt(f)?;
                }
                write_idents(f, fields, true)
            }
            Arg::Pipe(p) => p.fmt(f),
        }
    }
}
