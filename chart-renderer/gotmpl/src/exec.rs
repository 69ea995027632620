//! The executor: a tree walker with Go's evaluation rules.
//!
//! Per-execution state lives in `State`; parsed trees are shared read-only. Variables are one `Vec`
//! with a frame base (Go's mark/pop), output goes into one `String`, and the "current node" used by
//! error messages is a borrowed reference updated exactly where Go calls `s.at(node)`, so errors point
//! at the same node Go's do.
//!
//! Go distinguishes a nil `interface{}` (our [`Value::Nil`]) from "no value at all" (an invalid
//! `reflect.Value`, our [`Value::Invalid`]); the end of every pipeline command turns the former into
//! the latter, as Go's `evalPipeline` does when it unwraps interfaces.

use crate::ast::*;
use crate::error::{Error, ErrorKind, ErrorRepr};
use crate::funcs::{CallContext, Function, ParamType};
use crate::limits::Budget;
use crate::value::{gofmt, Value};
use crate::{ExecOptions, MissingKey, TemplateSet, TextTemplate, Tree};
use std::sync::Arc;

/// Why a walk stopped early.
pub(crate) enum Flow {
    Err(Error),
    Break,
    Continue,
}

impl From<Error> for Flow {
    fn from(e: Error) -> Self {
        Flow::Err(e)
    }
}

type R<T> = Result<T, Flow>;

/// Evaluated call arguments; inline for the usual handful, so calls do not allocate.
type Args = smallvec::SmallVec<[Value; 4]>;

/// A value with the one bit of static type Go's messages depend on: whether it came out of an
/// `interface{}` container (a map element or a range element), in which case Go names its type
/// `interface {}` in "can't evaluate field" errors.
#[derive(Clone, Debug)]
pub(crate) struct Val {
    pub v: Value,
    pub iface: Iface,
}

impl Val {
    fn concrete(v: Value) -> Self {
        Val {
            v,
            iface: Iface::No,
        }
    }
}

/// Whether a value came out of an `interface{}` container. Word-sized on purpose: with a `bool` the
/// compiler copies `Val` with overlapping partial loads, which stall store forwarding on the hot path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Iface {
    No = 0,
    Yes = 1,
}

impl From<bool> for Iface {
    fn from(b: bool) -> Self {
        if b {
            Iface::Yes
        } else {
            Iface::No
        }
    }
}

/// The node Go's `s.at` last recorded, for error messages.
#[derive(Clone, Copy)]
enum Cur<'a> {
    None,
    Node(&'a Node),
    Pipe(&'a PipeNode),
    Cmd(&'a CommandNode),
    Arg(&'a Arg),
    Ident(&'a IdentifierNode),
    Template(&'a TemplateNode),
}

impl Cur<'_> {
    fn pos_and_text(&self) -> Option<(Pos, String)> {
        Some(match self {
            Cur::None => return None,
            Cur::Node(n) => (n.pos(), n.to_string()),
            Cur::Pipe(p) => (p.pos, p.to_string()),
            Cur::Cmd(c) => (c.pos, c.to_string()),
            Cur::Arg(a) => (a.pos(), a.to_string()),
            Cur::Ident(i) => (i.pos, i.name.to_string()),
            Cur::Template(t) => (t.pos, t.to_string()),
        })
    }
}

/// The `tpl` texts running, innermost first: each one's definitions shadow the outer ones and the set
/// (Helm re-binds `include` and `tpl` to the clone it parsed the text into).
pub(crate) struct Overlay<'a> {
    text: &'a TextTemplate,
    outer: Option<&'a Overlay<'a>>,
}

struct Var<'a> {
    name: &'a str,
    val: Val,
}

/// The state of one execution (Go's `state`).
pub(crate) struct State<'a> {
    set: &'a TemplateSet,
    /// Definitions made by the text a `tpl` call is executing; they shadow the set's.
    overlay: Option<&'a Overlay<'a>>,
    tree: &'a Tree,
    pub(crate) out: String,
    node: Cur<'a>,
    vars: Vec<Var<'a>>,
    /// Index of the current template's `$` in `vars`.
    frame: usize,
    depth: usize,
    opts: &'a ExecOptions,
    budget: &'a mut Budget,
}

/// How deep the native stack may get before it is grown (template recursion in Go can be 100000 deep).
const RED_ZONE: usize = 128 * 1024;
const STACK_CHUNK: usize = 4 * 1024 * 1024;

impl<'a> State<'a> {
    pub(crate) fn new(
        set: &'a TemplateSet,
        overlay: Option<&'a Overlay<'a>>,
        tree: &'a Tree,
        opts: &'a ExecOptions,
        budget: &'a mut Budget,
        depth: usize,
        out: String,
    ) -> Self {
        State {
            set,
            overlay,
            tree,
            out,
            node: Cur::None,
            vars: Vec::new(),
            frame: 0,
            depth,
            opts,
            budget,
        }
    }

    /// Runs the current tree with `dot` (Go's `execute`).
    pub(crate) fn run(&mut self, dot: Value) -> Result<(), Error> {
        self.vars.push(Var {
            name: "$",
            val: Val::concrete(dot.clone()),
        });
        let tree = self.tree;
        match self.walk_list(&Val::concrete(dot), &tree.root) {
            Ok(()) => Ok(()),
            Err(Flow::Err(e)) => Err(e),
            // The parser only accepts break/continue inside a range of the same tree.
            Err(Flow::Break | Flow::Continue) => Ok(()),
        }
    }

    // ----- errors -----

    fn error_kind(&self, kind: ErrorKind, msg: String) -> Error {
        let tmpl = self.tree.name.to_string();
        let parse_name = self.tree.source.parse_name.to_string();
        let Some((pos, text)) = self.node.pos_and_text() else {
            return Error::from(ErrorRepr {
                kind,
                parse_name,
                template: Some(tmpl),
                line: 0,
                col: None,
                node: None,
                message: msg,
            });
        };
        let src = &self.tree.source.text;
        let pos = (pos as usize).min(src.len());
        let before = &src.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let col = match before.iter().rposition(|&b| b == b'\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        Error::from(ErrorRepr {
            kind,
            parse_name,
            template: Some(tmpl),
            line,
            col: Some(col),
            node: Some(text),
            message: msg,
        })
    }

    fn err<T>(&self, msg: String) -> R<T> {
        Err(Flow::Err(self.error_kind(ErrorKind::Exec, msg)))
    }

    fn limit_err<T>(&self, msg: String) -> R<T> {
        Err(Flow::Err(self.error_kind(ErrorKind::Limit, msg)))
    }

    // ----- output -----

    fn write_str(&mut self, s: &str) -> R<()> {
        if let Some(max) = self.opts.limits.max_output_bytes {
            self.budget.output_bytes += s.len();
            if self.budget.output_bytes > max {
                return self.limit_err(format!("output size limit exceeded ({max} bytes)"));
            }
        }
        self.out.push_str(s);
        Ok(())
    }

    fn print_value(&mut self, v: &Value) -> R<()> {
        match v {
            Value::String(s) => self.write_str(s),
            Value::Invalid | Value::Nil => self.write_str("<no value>"),
            Value::Bool(b) => self.write_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => {
                // Format on the stack: no allocation for the commonest non-string value.
                let mut buf = [0u8; 24];
                let mut w = &mut buf[..];
                let _ = std::io::Write::write_fmt(&mut w, format_args!("{i}"));
                let n = 24 - w.len();
                let text = std::str::from_utf8(&buf[..n]).unwrap_or_default();
                self.write_str(text)
            }
            other => {
                let s = gofmt::print_value(other);
                self.write_str(&s)
            }
        }
    }

    // ----- variables -----

    fn var_value(&self, name: &str) -> R<Val> {
        for v in self.vars[self.frame..].iter().rev() {
            if v.name == name {
                return Ok(v.val.clone());
            }
        }
        self.err(format!("undefined variable: {name}"))
    }

    fn set_var(&mut self, name: &str, val: Val) -> R<()> {
        for v in self.vars[self.frame..].iter_mut().rev() {
            if v.name == name {
                v.val = val;
                return Ok(());
            }
        }
        self.err(format!("undefined variable: {name}"))
    }

    /// Sets the `n`th variable from the top (1 = top).
    fn set_top_var(&mut self, n: usize, val: Val) {
        let i = self.vars.len() - n;
        self.vars[i].val = val;
    }

    // ----- statements -----

    fn walk_list(&mut self, dot: &Val, list: &'a ListNode) -> R<()> {
        for n in &list.nodes {
            self.walk(dot, n)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Val, node: &'a Node) -> R<()> {
        self.node = Cur::Node(node);
        match node {
            Node::Text(t) => self.write_str(&t.text),
            Node::Action(a) => {
                let v = self.eval_pipeline(dot, &a.pipe)?;
                if a.pipe.decl.is_empty() {
                    self.node = Cur::Node(node);
                    self.print_value(&v.v)?;
                }
                Ok(())
            }
            Node::If(b) => self.walk_if_or_with(false, dot, b),
            Node::With(b) => self.walk_if_or_with(true, dot, b),
            Node::Range(b) => {
                stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || self.walk_range(dot, node, b))
            }
            Node::Template(t) => {
                stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || self.walk_template(dot, t))
            }
            Node::Break(_) => Err(Flow::Break),
            Node::Continue(_) => Err(Flow::Continue),
        }
    }

    fn walk_if_or_with(&mut self, is_with: bool, dot: &Val, b: &'a BranchNode) -> R<()> {
        stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || {
            let mark = self.vars.len();
            let r = (|| {
                let val = self.eval_pipeline(dot, &b.pipe)?;
                if val.v.is_true() {
                    if is_with {
                        self.walk_list(&val, &b.list)
                    } else {
                        self.walk_list(dot, &b.list)
                    }
                } else if let Some(e) = &b.else_list {
                    self.walk_list(dot, e)
                } else {
                    Ok(())
                }
            })();
            self.vars.truncate(mark);
            r
        })
    }

    fn walk_range(&mut self, dot: &Val, node: &'a Node, r: &'a BranchNode) -> R<()> {
        self.node = Cur::Node(node);
        let outer_mark = self.vars.len();
        let res = self.walk_range_inner(dot, r);
        self.vars.truncate(outer_mark);
        match res {
            Err(Flow::Break) => Ok(()),
            other => other,
        }
    }

    fn range_iteration(&mut self, r: &'a BranchNode, mark: usize, index: Val, elem: Val) -> R<()> {
        if let Some(max) = self.opts.limits.max_range_iterations {
            self.budget.range_iterations += 1;
            if self.budget.range_iterations > max {
                return self.limit_err(format!("range iteration limit exceeded ({max})"));
            }
        }
        if self.budget.deadline_passed() {
            return self.limit_err("execution deadline exceeded".into());
        }
        let decl = &r.pipe.decl;
        if !decl.is_empty() {
            if r.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0].idents[0], index.clone())?;
                } else {
                    self.set_var(&decl[0].idents[0], elem.clone())?;
                }
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if r.pipe.is_assign {
                self.set_var(&decl[1].idents[0], elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let res = self.walk_list(&elem, &r.list);
        self.vars.truncate(mark);
        match res {
            Err(Flow::Continue) => Ok(()),
            other => other,
        }
    }

    fn walk_range_inner(&mut self, dot: &Val, r: &'a BranchNode) -> R<()> {
        let val = self.eval_pipeline(dot, &r.pipe)?;
        let mark = self.vars.len();
        let mut v = val.v.clone();
        if let Value::Object(o) = &v {
            if let Some(c) = o.as_collection() {
                v = c;
            }
        }
        match &v {
            Value::List(items) => {
                if !items.is_empty() {
                    for (i, e) in items.iter().enumerate() {
                        let elem = Val {
                            v: e.clone(),
                            iface: Iface::from(!matches!(val.v, Value::Object(_))),
                        };
                        self.range_iteration(r, mark, Val::concrete(Value::Int(i as i64)), elem)?;
                    }
                    return Ok(());
                }
            }
            Value::Bytes(b) => {
                if !b.is_empty() {
                    for (i, e) in b.iter().enumerate() {
                        let elem = Val::concrete(Value::Int(i64::from(*e)));
                        self.range_iteration(r, mark, Val::concrete(Value::Int(i as i64)), elem)?;
                    }
                    return Ok(());
                }
            }
            Value::Map(m) => {
                if !m.is_empty() {
                    // A sorted snapshot: the body may mutate the map, so no lock is held while it runs.
                    let entries: Vec<(Value, Value)> = m
                        .read()
                        .iter()
                        .map(|(k, v)| (Value::from(k.as_str()), v.clone()))
                        .collect();
                    for (k, e) in entries {
                        let elem = Val {
                            v: e,
                            iface: Iface::from(!matches!(val.v, Value::Object(_))),
                        };
                        self.range_iteration(r, mark, Val::concrete(k), elem)?;
                    }
                    return Ok(());
                }
            }
            Value::Int(_) | Value::Int64(_) | Value::Uint64(_) => {
                if r.pipe.decl.len() > 1 {
                    let shown = match v {
                        Value::Int(i) | Value::Int64(i) => i.to_string(),
                        Value::Uint64(u) => u.to_string(),
                        _ => String::new(),
                    };
                    return self.err(format!(
                        "can't use {shown} to iterate over more than one variable"
                    ));
                }
                let n: u64 = match v {
                    Value::Int(i) | Value::Int64(i) => u64::try_from(i).unwrap_or(0),
                    Value::Uint64(u) => u,
                    _ => 0,
                };
                if n > 0 {
                    for i in 0..n {
                        let iv = match v {
                            Value::Int(_) => Value::Int(i as i64),
                            Value::Int64(_) => Value::Int64(i as i64),
                            _ => Value::Uint64(i),
                        };
                        self.range_iteration(
                            r,
                            mark,
                            Val::concrete(iv.clone()),
                            Val::concrete(iv),
                        )?;
                    }
                    return Ok(());
                }
            }
            Value::Invalid | Value::Nil => {}
            other => {
                let shown = match other {
                    Value::String(s) => s.to_string(),
                    o => gofmt::print_value(o),
                };
                return self.err(format!("range can't iterate over {shown}"));
            }
        }
        if let Some(e) = &r.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    fn lookup(&self, name: &str) -> Option<&'a Tree> {
        let mut o = self.overlay;
        while let Some(link) = o {
            if let Some(t) = link.text.lookup(name) {
                return Some(t);
            }
            o = link.outer;
        }
        self.set.templates.get(name).map(|t| &**t)
    }

    fn walk_template(&mut self, dot: &Val, t: &'a TemplateNode) -> R<()> {
        self.node = Cur::Template(t);
        let Some(tree) = self.lookup(&t.name) else {
            return self.err(format!(
                "template {} not defined",
                crate::lex::go_quote(&t.name)
            ));
        };
        if self.depth >= self.opts.limits.max_template_depth {
            return self.limit_err(format!(
                "exceeded maximum template depth ({})",
                self.opts.limits.max_template_depth
            ));
        }
        if self.budget.deadline_passed() {
            return self.limit_err("execution deadline exceeded".into());
        }
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Val::concrete(Value::Invalid),
        };
        let saved_tree = self.tree;
        let saved_frame = self.frame;
        let mark = self.vars.len();
        self.tree = tree;
        self.frame = mark;
        self.depth += 1;
        self.vars.push(Var {
            name: "$",
            val: new_dot.clone(),
        });
        let r = self.walk_list(&new_dot, &tree.root);
        self.depth -= 1;
        self.vars.truncate(mark);
        self.frame = saved_frame;
        self.tree = saved_tree;
        r
    }

    // ----- expressions -----

    fn eval_pipeline(&mut self, dot: &Val, pipe: &'a PipeNode) -> R<Val> {
        self.node = Cur::Pipe(pipe);
        let mut value = Val::concrete(Value::Invalid);
        for (i, cmd) in pipe.cmds.iter().enumerate() {
            let fin = if i == 0 {
                None
            } else {
                Some(std::mem::replace(&mut value, Val::concrete(Value::Invalid)))
            };
            value = self.eval_command(dot, cmd, fin)?;
            // Go unwraps interface values here: a nil interface becomes "no value".
            value.iface = Iface::No;
            if let Value::Nil = value.v {
                value.v = Value::Invalid;
            }
        }
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&var.idents[0], value.clone())?;
            } else {
                self.vars.push(Var {
                    name: &var.idents[0],
                    val: value.clone(),
                });
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], has_final: bool) -> R<()> {
        if args.len() > 1 || has_final {
            return self.err(format!("can't give argument to non-function {}", args[0]));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, cmd: &'a CommandNode, fin: Option<Val>) -> R<Val> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.node = Cur::Arg(first);
                return self.eval_field_chain(dot, dot.clone(), first, idents, &cmd.args, fin);
            }
            Arg::Chain { node, fields, .. } => {
                return self.eval_chain(dot, first, node, fields, &cmd.args, fin)
            }
            Arg::Identifier(id) => return self.eval_function(dot, id, cmd, &cmd.args, fin),
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, fin.is_some())?;
                return stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || self.eval_pipeline(dot, p));
            }
            Arg::Variable(v) => return self.eval_variable(dot, first, v, &cmd.args, fin),
            _ => {}
        }
        self.node = Cur::Arg(first);
        self.not_a_function(&cmd.args, fin.is_some())?;
        match first {
            Arg::Bool(_, b) => Ok(Val::concrete(Value::Bool(*b))),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => self.err("nil is not a command".into()),
            Arg::Number(n) => self.ideal(n),
            Arg::String { value, .. } => Ok(Val::concrete(value.clone())),
            _ => self.err(format!(
                "can't evaluate command {}",
                crate::lex::go_quote(&first.to_string())
            )),
        }
    }

    fn ideal(&self, n: &NumberNode) -> R<Val> {
        match &n.ideal {
            Ok(v) => Ok(Val::concrete(v.clone())),
            Err(e) => self.err(e.to_string()),
        }
    }

    fn eval_chain(
        &mut self,
        dot: &Val,
        chain: &'a Arg,
        node: &'a Arg,
        fields: &'a [Arc<str>],
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.node = Cur::Arg(chain);
        if let Arg::Nil(_) = node {
            return self.err(format!("indirection through explicit nil in {chain}"));
        }
        let recv = self.eval_arg(dot, None, node)?;
        self.eval_field_chain(dot, recv, chain, fields, args, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &Val,
        node: &'a Arg,
        v: &'a VariableNode,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.node = Cur::Arg(node);
        let value = self.var_value(&v.idents[0])?;
        if v.idents.len() == 1 {
            self.not_a_function(args, fin.is_some())?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, node, &v.idents[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Val,
        mut recv: Val,
        node: &'a Arg,
        idents: &'a [Arc<str>],
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let n = idents.len();
        for id in &idents[..n - 1] {
            recv = self.eval_field(dot, id, node, &[], None, recv)?;
        }
        self.eval_field(dot, &idents[n - 1], node, args, fin, recv)
    }

    fn eval_field(
        &mut self,
        dot: &Val,
        name: &str,
        node: &'a Arg,
        args: &'a [Arg],
        fin: Option<Val>,
        recv: Val,
    ) -> R<Val> {
        let has_args = args.len() > 1 || fin.is_some();
        match &recv.v {
            Value::Invalid => {
                if self.opts.missing_key == MissingKey::Error {
                    return self.err(format!(
                        "nil data; no entry for key {}",
                        crate::lex::go_quote(name)
                    ));
                }
                Ok(Val::concrete(Value::Invalid))
            }
            Value::Nil => self.err(format!("nil pointer evaluating interface {{}}.{name}")),
            Value::Map(m) => self.map_field(m, name, has_args),
            Value::Object(o) => {
                if o.has_method(name) {
                    let o = o.clone();
                    let (nparams, variadic) = o.method_arity(name);
                    let argv =
                        self.eval_call_args(dot, name, nparams, variadic, None, args, fin)?;
                    return match o.call_method(name, &argv) {
                        Ok(v) => Ok(Val::concrete(v)),
                        Err(e) => {
                            self.node = Cur::Arg(node);
                            self.err(format!("error calling {name}: {e}"))
                        }
                    };
                }
                // A named map type (Helm's `chartutil.Values`): methods first, then map-key rules.
                if let Some(Value::Map(m)) = o.as_collection() {
                    return self.map_field(&m, name, has_args);
                }
                match o.field(name) {
                    Some(v) => {
                        if has_args {
                            return self.err(format!(
                                "{name} has arguments but cannot be invoked as function"
                            ));
                        }
                        Ok(Val::concrete(v))
                    }
                    None => self.err(format!(
                        "can't evaluate field {name} in type {}",
                        o.type_name()
                    )),
                }
            }
            other => {
                let ty = if recv.iface == Iface::Yes {
                    "interface {}".into()
                } else {
                    other.type_name()
                };
                self.err(format!("can't evaluate field {name} in type {ty}"))
            }
        }
    }

    /// `.name` on a map: Go's map-key lookup with the `missingkey` rules.
    fn map_field(&self, m: &crate::Map, name: &str, has_args: bool) -> R<Val> {
        if has_args {
            return self.err(format!("{name} is not a method but has arguments"));
        }
        match m.get(name) {
            Some(v) => Ok(Val {
                v,
                iface: Iface::Yes,
            }),
            None => match self.opts.missing_key {
                MissingKey::Default => Ok(Val::concrete(Value::Invalid)),
                MissingKey::Zero => Ok(Val {
                    v: Value::Nil,
                    iface: Iface::Yes,
                }),
                MissingKey::Error => self.err(format!(
                    "map has no entry for key {}",
                    crate::lex::go_quote(name)
                )),
            },
        }
    }

    fn eval_function(
        &mut self,
        dot: &Val,
        id: &'a IdentifierNode,
        cmd: &'a CommandNode,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.node = Cur::Ident(id);
        let Some(f) = &id.func else {
            return self.err(format!(
                "{} is not a defined function",
                crate::lex::go_quote(&id.name)
            ));
        };
        if matches!(id.special, Special::And | Special::Or) {
            return self.eval_and_or(dot, f, id.special == Special::Or, args, fin);
        }
        let final_callee = fin.as_ref().map(|v| v.v.clone());
        let argv = self.eval_call_args(
            dot,
            &id.name,
            f.params.len(),
            f.variadic.is_some(),
            Some(f),
            args,
            fin,
        )?;
        if id.special == Special::Call {
            // Go names the callee by its node text (`.Values.f`, `print "a"`), or by the value when it
            // arrives through a pipe. There are no function values in Helm's data, so `call` always fails.
            let source = match args.get(1) {
                Some(node) => node.to_string(),
                None => final_callee
                    .as_ref()
                    .map(crate::value::gofmt::format_v)
                    .unwrap_or_default(),
            };
            let callee = argv.first().cloned().unwrap_or(Value::Invalid);
            self.node = Cur::Cmd(cmd);
            return self.err(format!(
                "error calling {}: {}",
                f.name,
                crate::funcs::builtins::call_error(&source, &callee)
            ));
        }
        self.call(f, Cur::Cmd(cmd), &argv)
    }

    /// Calls a function body: Go's `safeCall` plus the `error calling` wrapping.
    fn call(&mut self, f: &Function, at: Cur<'a>, argv: &[Value]) -> R<Val> {
        let body = &*f.body;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(self, argv)));
        match result {
            Ok(Ok(v)) => {
                // A function that swallowed a nested limit error must not leave it behind.
                if self.budget.limit_error.is_some() {
                    self.budget.limit_error = None;
                }
                Ok(Val::concrete(v))
            }
            Ok(Err(e)) => {
                // A limit hit inside a nested include/tpl stays a limit error, not a function error.
                if let Some(limit) = self.budget.limit_error.take() {
                    return Err(Flow::Err(limit));
                }
                self.node = at;
                self.err(format!("error calling {}: {}", f.name, e))
            }
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".into());
                self.node = at;
                self.err(format!("error calling {}: {}", f.name, msg))
            }
        }
    }

    /// `and`/`or`: evaluate arguments left to right and stop at the first that decides (Go 1.18+).
    fn eval_and_or(
        &mut self,
        dot: &Val,
        f: &Function,
        is_or: bool,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        // Go's signature is `and(arg0 reflect.Value, args ...reflect.Value)` whatever the table says.
        let args = if args.is_empty() { args } else { &args[1..] };
        let num_in = args.len() + usize::from(fin.is_some());
        if num_in < 1 {
            return self.err(format!(
                "wrong number of args for {}: want at least 1 got {}",
                f.name,
                args.len()
            ));
        }
        let mut v = Val::concrete(Value::Invalid);
        for a in args {
            v = self.eval_arg(dot, None, a)?;
            if v.v.is_true() == is_or {
                return Ok(v);
            }
        }
        if let Some(fv) = fin {
            v = fv;
        }
        Ok(v)
    }

    /// Go's `evalCall` argument half: arity checks, then each argument converted to its parameter type.
    #[allow(clippy::too_many_arguments)]
    fn eval_call_args(
        &mut self,
        dot: &Val,
        name: &str,
        nparams: usize,
        variadic: bool,
        f: Option<&Function>,
        args: &'a [Arg],
        fin: Option<Val>,
    ) -> R<Args> {
        let args = if args.is_empty() { args } else { &args[1..] };
        let num_in = args.len() + usize::from(fin.is_some());
        let num_fixed = if variadic {
            let fixed = nparams.saturating_sub(1);
            // Our `Function` keeps the variadic element apart from `params`; an Object method reports
            // its total parameter count with the variadic one included.
            let fixed = if f.is_some() { nparams } else { fixed };
            if num_in < fixed {
                return self.err(format!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    args.len()
                ));
            }
            fixed
        } else {
            if num_in != nparams {
                return self.err(format!(
                    "wrong number of args for {name}: want {nparams} got {num_in}"
                ));
            }
            args.len()
        };
        let ptype = |i: usize| -> Option<ParamType> {
            match f {
                Some(f) => f.params.get(i).copied().or(f.variadic),
                None => Some(ParamType::Any),
            }
        };
        let mut argv = Args::new();
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            let v = self.eval_arg(dot, ptype(i), &args[i])?;
            argv.push(v.v);
            i += 1;
        }
        if variadic {
            while i < args.len() {
                let v = self.eval_arg(dot, ptype(i), &args[i])?;
                argv.push(v.v);
                i += 1;
            }
        }
        if let Some(fv) = fin {
            let t = ptype(num_in - 1);
            argv.push(self.validate_type(fv, t)?.v);
        }
        Ok(argv)
    }

    /// Go's `validateType` for our parameter types; `None` is an untyped `interface{}` slot (and/or,
    /// chain receivers) where anything goes.
    fn validate_type(&self, v: Val, t: Option<ParamType>) -> R<Val> {
        let Some(t) = t else { return Ok(v) };
        if let Value::Invalid = v.v {
            if t.can_be_nil() {
                return Ok(Val::concrete(Value::Nil));
            }
            return self.err(format!("invalid value; expected {}", t.go_name()));
        }
        let ok = matches!(
            (t, &v.v),
            (ParamType::Any | ParamType::Reflect, _)
                | (ParamType::String, Value::String(_))
                | (ParamType::Int, Value::Int(_))
                | (ParamType::Int64, Value::Int64(_))
                | (ParamType::Float64, Value::Float(_))
                | (ParamType::Bool, Value::Bool(_))
                | (ParamType::List, Value::List(_))
                | (ParamType::Map, Value::Map(_))
                | (ParamType::Bytes, Value::Bytes(_))
        );
        if ok {
            return Ok(v);
        }
        // A named map type is assignable to `map[string]interface{}` (same underlying type).
        if let (ParamType::Map, Value::Object(o)) = (t, &v.v) {
            if let Some(m @ Value::Map(_)) = o.as_collection() {
                return Ok(Val::concrete(m));
            }
        }
        let got = if let Value::Nil = v.v {
            "interface {}".into()
        } else {
            v.v.type_name()
        };
        self.err(format!(
            "wrong type for value; expected {}; got {}",
            t.go_name(),
            got
        ))
    }

    /// Go's `evalArg`: evaluates one argument for a parameter of type `t`.
    fn eval_arg(&mut self, dot: &Val, t: Option<ParamType>, n: &'a Arg) -> R<Val> {
        self.node = Cur::Arg(n);
        match n {
            Arg::Dot(_) => return self.validate_type(dot.clone(), t),
            Arg::Nil(_) => {
                return match t {
                    None => Ok(Val::concrete(Value::Nil)),
                    Some(ParamType::Reflect) => Ok(Val::concrete(Value::Invalid)),
                    Some(t) if t.can_be_nil() => Ok(Val::concrete(Value::Nil)),
                    Some(t) => self.err(format!("cannot assign nil to {}", t.go_name())),
                }
            }
            Arg::Field { idents, .. } => {
                let v = self.eval_field_chain(
                    dot,
                    dot.clone(),
                    n,
                    idents,
                    std::slice::from_ref(n),
                    None,
                )?;
                return self.validate_type(v, t);
            }
            Arg::Variable(var) => {
                let v = self.eval_variable(dot, n, var, &[], None)?;
                return self.validate_type(v, t);
            }
            Arg::Pipe(p) => {
                let v = stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || self.eval_pipeline(dot, p))?;
                return self.validate_type(v, t);
            }
            Arg::Identifier(id) => {
                let v = self.eval_function_arg(dot, id)?;
                return self.validate_type(v, t);
            }
            Arg::Chain { node, fields, .. } => {
                let v = self.eval_chain(dot, n, node, fields, &[], None)?;
                return self.validate_type(v, t);
            }
            _ => {}
        }
        match t {
            None | Some(ParamType::Any) | Some(ParamType::Reflect) => match n {
                Arg::Bool(_, b) => Ok(Val::concrete(Value::Bool(*b))),
                Arg::Number(num) => self.ideal(num),
                Arg::String { value, .. } => Ok(Val::concrete(value.clone())),
                _ => self.err(format!(
                    "can't handle assignment of {n} to empty interface argument"
                )),
            },
            Some(ParamType::Bool) => match n {
                Arg::Bool(_, b) => Ok(Val::concrete(Value::Bool(*b))),
                _ => self.err(format!("expected bool; found {n}")),
            },
            Some(ParamType::String) => match n {
                Arg::String { value, .. } => Ok(Val::concrete(value.clone())),
                _ => self.err(format!("expected string; found {n}")),
            },
            Some(ParamType::Int) | Some(ParamType::Int64) => match n {
                Arg::Number(num) if num.is_int => Ok(Val::concrete(if t == Some(ParamType::Int) {
                    Value::Int(num.int64)
                } else {
                    Value::Int64(num.int64)
                })),
                _ => self.err(format!("expected integer; found {n}")),
            },
            Some(ParamType::Float64) => match n {
                Arg::Number(num) if num.is_float => Ok(Val::concrete(Value::Float(num.float64))),
                _ => self.err(format!("expected float; found {n}")),
            },
            Some(t @ (ParamType::List | ParamType::Map | ParamType::Bytes)) => {
                self.err(format!("can't handle {n} for arg of type {}", t.go_name()))
            }
        }
    }

    /// A function named as an argument (`f` in `g f`): called with no arguments.
    fn eval_function_arg(&mut self, dot: &Val, id: &'a IdentifierNode) -> R<Val> {
        self.node = Cur::Ident(id);
        let Some(f) = &id.func else {
            return self.err(format!(
                "{} is not a defined function",
                crate::lex::go_quote(&id.name)
            ));
        };
        if matches!(id.special, Special::And | Special::Or) {
            return self.eval_and_or(dot, f, id.special == Special::Or, &[], None);
        }
        let argv = self.eval_call_args(
            dot,
            &id.name,
            f.params.len(),
            f.variadic.is_some(),
            Some(f),
            &[],
            None,
        )?;
        self.call(f, Cur::Ident(id), &argv)
    }
}

impl CallContext for State<'_> {
    fn execute_template(&mut self, name: &str, dot: Value) -> Result<String, Error> {
        let Some(tree) = self.lookup(name) else {
            return Err(Error::no_template(name, &self.set.root_name));
        };
        let overlay = self.overlay;
        self.nested(overlay, tree, dot)
    }

    fn execute_text(&mut self, name: &str, text: &str, dot: Value) -> Result<String, Error> {
        let tt = self.set.text_template(name, text)?;
        let link = Overlay {
            text: &tt,
            outer: self.overlay,
        };
        self.nested(Some(&link), &tt.main, dot)
    }

    fn template_name(&self) -> &str {
        &self.tree.name
    }

    fn depth(&self) -> usize {
        self.depth
    }
}

impl State<'_> {
    /// Executes `tree` in a fresh state (Go's `ExecuteTemplate` into a buffer), sharing the budget.
    fn nested(
        &mut self,
        overlay: Option<&Overlay<'_>>,
        tree: &Tree,
        dot: Value,
    ) -> Result<String, Error> {
        if self.depth >= self.opts.limits.max_template_depth {
            let e = self.error_kind(
                ErrorKind::Limit,
                format!(
                    "exceeded maximum template depth ({})",
                    self.opts.limits.max_template_depth
                ),
            );
            self.budget.limit_error = Some(e.clone());
            return Err(e);
        }
        let set = self.set;
        let opts = self.opts;
        let depth = self.depth + 1;
        let budget = &mut *self.budget;
        let res = stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || {
            let hint = tree.size_hint.load(std::sync::atomic::Ordering::Relaxed);
            let mut sub = State::new(
                set,
                overlay,
                tree,
                opts,
                budget,
                depth,
                String::with_capacity(hint),
            );
            sub.run(dot)
                .map(|()| {
                    tree.size_hint
                        .store(sub.out.len(), std::sync::atomic::Ordering::Relaxed);
                    sub.out
                })
                .inspect_err(|e| {
                    if e.kind == ErrorKind::Limit {
                        sub.budget.limit_error = Some(e.clone());
                    }
                })
        });
        res
    }
}
