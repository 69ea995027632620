//! The parser: Go's grammar, parse-time checks and error texts.
//!
//! It keeps Go's three-token look-ahead (`token[3]` plus a peek count) because Go reports a parse error
//! on the line of the *furthest token read*, and reproducing the messages byte for byte means reading
//! exactly as far as Go does.

use crate::ast::*;
use crate::error::Error;
use crate::funcs::FuncMap;
use crate::lex::{self, go_quote, Item, ItemKind, LexOptions};
use crate::value::{Complex128, Value};
use std::sync::Arc;

/// One named tree produced by a parse: the file itself and every `define`/`block` in it.
#[derive(Debug, Clone)]
pub struct ParsedTree {
    pub name: Arc<str>,
    pub root: ListNode,
    /// The deepest nesting (blocks and parentheses) seen in the parse this tree came from.
    pub max_depth: usize,
}

/// Parses `text` as template `name`, returning the trees in definition order (the file's own tree
/// last), with Go's in-parse rule for duplicates applied: an empty definition never replaces an
/// earlier one, a non-empty one replaces an empty one, two non-empty ones are an error.
pub fn parse(
    name: &str,
    text: &str,
    funcs: &FuncMap,
    max_depth: usize,
) -> Result<Vec<ParsedTree>, Error> {
    let opts = LexOptions {
        break_ok: !funcs.contains("break"),
        continue_ok: !funcs.contains("continue"),
    };
    let items = lex::lex(text, opts);
    let mut p = Parser {
        items,
        idx: 0,
        token: Default::default(),
        peek_count: 0,
        parse_name: name,
        funcs,
        vars: vec![Arc::from("$")],
        action_line: 0,
        range_depth: 0,
        depth: 0,
        deepest: 0,
        max_depth,
        trees: Vec::new(),
    };
    let root = p.parse_top()?;
    p.add(Arc::from(name), root)?;
    let deepest = p.deepest;
    let mut trees = p.trees;
    for t in &mut trees {
        t.max_depth = deepest;
    }
    Ok(trees)
}

type PResult<T> = Result<T, Error>;

const RED_ZONE: usize = 128 * 1024;
const STACK_CHUNK: usize = 4 * 1024 * 1024;

struct Parser<'s, 'f> {
    items: Vec<Item<'s>>,
    idx: usize,
    token: [Option<Item<'s>>; 3],
    peek_count: usize,
    parse_name: &'f str,
    funcs: &'f FuncMap,
    vars: Vec<Arc<str>>,
    action_line: u32,
    range_depth: usize,
    /// Nesting of blocks and parentheses, against `max_depth`.
    depth: usize,
    deepest: usize,
    max_depth: usize,
    trees: Vec<ParsedTree>,
}

fn item_kind(i: &Option<Item<'_>>) -> ItemKind {
    i.as_ref().map_or(ItemKind::Eof, |i| i.kind)
}

impl<'s> Parser<'s, '_> {
    fn lex_next(&mut self) -> Item<'s> {
        let i = self.idx.min(self.items.len().saturating_sub(1));
        self.idx += 1;
        self.items.get(i).cloned().unwrap_or(Item {
            kind: ItemKind::Eof,
            pos: 0,
            val: "".into(),
            line: 1,
        })
    }

    fn next(&mut self) -> Item<'s> {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            self.token[0] = Some(self.lex_next());
        }
        self.token[self.peek_count]
            .clone()
            .unwrap_or_else(|| self.eof_item())
    }

    fn eof_item(&self) -> Item<'s> {
        Item {
            kind: ItemKind::Eof,
            pos: 0,
            val: "".into(),
            line: 1,
        }
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item<'s>) {
        self.token[1] = Some(t1);
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item<'s>, t1: Item<'s>) {
        self.token[1] = Some(t1);
        self.token[2] = Some(t2);
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item<'s> {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1]
                .clone()
                .unwrap_or_else(|| self.eof_item());
        }
        self.peek_count = 1;
        self.token[0] = Some(self.lex_next());
        self.token[0].clone().unwrap_or_else(|| self.eof_item())
    }

    fn next_non_space(&mut self) -> Item<'s> {
        loop {
            let t = self.next();
            if t.kind != ItemKind::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'s> {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn peek_kind(&mut self) -> ItemKind {
        if self.peek_count > 0 {
            return item_kind(&self.token[self.peek_count - 1]);
        }
        self.peek().kind
    }

    fn errorf<T>(&self, msg: String) -> PResult<T> {
        let line = self.token[0].as_ref().map_or(1, |t| t.line);
        Err(Error::parse(self.parse_name, line as usize, msg))
    }

    fn unexpected<T>(&self, token: &Item<'_>, context: &str) -> PResult<T> {
        if token.kind == ItemKind::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{token}{extra}"));
        }
        self.errorf(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, kind: ItemKind, context: &str) -> PResult<Item<'s>> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn enter(&mut self) -> PResult<()> {
        if self.depth >= self.max_depth {
            return self.errorf("max expression depth exceeded".into());
        }
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
        Ok(())
    }

    /// Go's `Tree.add` within one parse.
    fn add(&mut self, name: Arc<str>, root: ListNode) -> PResult<()> {
        match self.trees.iter_mut().find(|t| t.name == name) {
            None => self.trees.push(ParsedTree {
                name,
                root,
                max_depth: 0,
            }),
            Some(existing) => {
                if is_empty_tree(&existing.root) {
                    existing.root = root;
                } else if !is_empty_tree(&root) {
                    return self.errorf(format!(
                        "template: multiple definition of template {}",
                        go_quote(&name)
                    ));
                }
            }
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<ListNode> {
        let mut root = ListNode {
            pos: self.peek().pos,
            nodes: Vec::new(),
        };
        while self.peek_kind() != ItemKind::Eof {
            if self.peek_kind() == ItemKind::LeftDelim {
                let delim = self.next();
                if self.next_non_space().kind == ItemKind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            let n = self.text_or_action()?;
            match n {
                Parsed::End(_) => return self.errorf("unexpected {{end}}".into()),
                Parsed::Else(_) => return self.errorf("unexpected {{else}}".into()),
                Parsed::Node(n) => root.nodes.push(n),
            }
        }
        Ok(root)
    }

    /// Runs `f` as the parse of a separate tree (a `define` or `block` body): fresh variables, no
    /// enclosing `range`.
    fn in_new_tree<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let vars = std::mem::replace(&mut self.vars, vec![Arc::from("$")]);
        let range_depth = std::mem::replace(&mut self.range_depth, 0);
        let r = f(self);
        self.vars = vars;
        self.range_depth = range_depth;
        r
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        self.in_new_tree(|p| {
            let t = p.next_non_space();
            if t.kind != ItemKind::String && t.kind != ItemKind::RawString {
                return p.unexpected(&t, CONTEXT);
            }
            let name = match unquote(&t.val) {
                Ok(s) => s,
                Err(e) => return p.errorf(e),
            };
            p.expect(ItemKind::RightDelim, CONTEXT)?;
            p.enter()?;
            let (list, end) = p.item_list()?;
            p.depth -= 1;
            if let Parsed::Else(_) = end {
                return p.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}"));
            }
            p.add(Arc::from(name), list)
        })
    }

    fn item_list(&mut self) -> PResult<(ListNode, Parsed)> {
        let mut list = ListNode {
            pos: self.peek_non_space().pos,
            nodes: Vec::new(),
        };
        while self.peek_non_space().kind != ItemKind::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.nodes.push(n),
                end => return Ok((list, end)),
            }
        }
        self.errorf("unexpected EOF".into())
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let t = self.next_non_space();
        match t.kind {
            ItemKind::Text => Ok(Parsed::Node(Node::Text(TextNode {
                pos: t.pos,
                text: t.val.as_ref().into(),
            }))),
            ItemKind::LeftDelim => {
                self.action_line = t.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let t = self.next_non_space();
        match t.kind {
            ItemKind::Block => return self.block_control().map(Parsed::Node),
            ItemKind::Break | ItemKind::Continue => {
                let is_break = t.kind == ItemKind::Break;
                let ctx = if is_break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                let n = self.next_non_space();
                if n.kind != ItemKind::RightDelim {
                    return self.unexpected(&n, ctx);
                }
                if self.range_depth == 0 {
                    return self.errorf(format!("{ctx} outside {{{{range}}}}"));
                }
                return Ok(Parsed::Node(if is_break {
                    Node::Break(t.pos)
                } else {
                    Node::Continue(t.pos)
                }));
            }
            ItemKind::Else => return self.else_control(),
            ItemKind::End => {
                let t = self.expect(ItemKind::RightDelim, "end")?;
                return Ok(Parsed::End(t.pos));
            }
            ItemKind::If => return self.branch_control("if").map(|b| Parsed::Node(Node::If(b))),
            ItemKind::Range => {
                return self
                    .branch_control("range")
                    .map(|b| Parsed::Node(Node::Range(b)))
            }
            ItemKind::With => {
                return self
                    .branch_control("with")
                    .map(|b| Parsed::Node(Node::With(b)))
            }
            ItemKind::Template => return self.template_control().map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let t = self.peek();
        let pipe = self.pipeline("command", ItemKind::RightDelim)?;
        Ok(Parsed::Node(Node::Action(ActionNode {
            pos: t.pos,
            line: t.line,
            pipe,
        })))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.kind == ItemKind::If || peek.kind == ItemKind::With {
            return Ok(Parsed::Else(peek.pos));
        }
        let t = self.expect(ItemKind::RightDelim, "else")?;
        Ok(Parsed::Else(t.pos))
    }

    fn branch_control(&mut self, context: &'static str) -> PResult<Box<BranchNode>> {
        self.enter()?;
        let nvars = self.vars.len();
        // Nesting is bounded by `max_depth`, but 10000 levels need more than a default thread stack.
        let r = stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || self.branch_inner(context));
        self.vars.truncate(nvars);
        self.depth -= 1;
        r
    }

    fn branch_inner(&mut self, context: &'static str) -> PResult<Box<BranchNode>> {
        let pipe = self.pipeline(context, ItemKind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let Parsed::Else(else_pos) = next {
            let pk = self.peek_kind();
            if context == "if" && pk == ItemKind::If || context == "with" && pk == ItemKind::With {
                self.next();
                let inner = self.branch_control(context)?;
                let node = if context == "if" {
                    Node::If(inner)
                } else {
                    Node::With(inner)
                };
                else_list = Some(ListNode {
                    pos: else_pos,
                    nodes: vec![node],
                });
            } else {
                let (l, next) = self.item_list()?;
                if let Parsed::Else(_) = next {
                    return self.errorf("expected end; found {{else}}".into());
                }
                else_list = Some(l);
            }
        }
        Ok(Box::new(BranchNode {
            pos: pipe.pos,
            line: pipe.line,
            pipe,
            list,
            else_list,
        }))
    }

    fn template_name(&mut self, t: &Item<'_>, context: &str) -> PResult<Arc<str>> {
        match t.kind {
            ItemKind::String | ItemKind::RawString => match unquote(&t.val) {
                Ok(s) => Ok(Arc::from(s)),
                Err(e) => self.errorf(e),
            },
            _ => self.unexpected(t, context),
        }
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, ItemKind::RightDelim)?;
        self.in_new_tree(|p| {
            p.enter()?;
            let (list, end) = p.item_list()?;
            p.depth -= 1;
            if let Parsed::Else(_) = end {
                return p.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}"));
            }
            p.add(name.clone(), list)
        })?;
        Ok(Node::Template(Box::new(TemplateNode {
            pos: t.pos,
            line: t.line,
            name,
            pipe: Some(pipe),
        })))
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().kind != ItemKind::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, ItemKind::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateNode {
            pos: t.pos,
            line: t.line,
            name,
            pipe,
        })))
    }

    fn pipeline(&mut self, context: &str, end: ItemKind) -> PResult<PipeNode> {
        let t = self.peek_non_space();
        let mut pipe = PipeNode {
            pos: t.pos,
            line: t.line,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space();
            if v.kind != ItemKind::Variable {
                break;
            }
            self.next();
            let after = self.peek();
            let next = self.peek_non_space();
            match next.kind {
                ItemKind::Assign | ItemKind::Declare => {
                    pipe.is_assign = next.kind == ItemKind::Assign;
                    self.next_non_space();
                    pipe.decl.push(new_variable(v.pos, &v.val));
                    self.vars.push(Arc::from(v.val.as_ref()));
                }
                ItemKind::Char if next.val == "," => {
                    self.next_non_space();
                    pipe.decl.push(new_variable(v.pos, &v.val));
                    self.vars.push(Arc::from(v.val.as_ref()));
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            ItemKind::Variable | ItemKind::RightDelim | ItemKind::RightParen => {
                                continue 'decls
                            }
                            _ => return self.errorf("range can only initialize variables".into()),
                        }
                    }
                    return self.errorf(format!("too many declarations in {context}"));
                }
                _ if after.kind == ItemKind::Space => self.backup3(v, after),
                _ => self.backup2(v),
            }
            break;
        }
        loop {
            let t = self.next_non_space();
            match t.kind {
                k if k == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemKind::Bool
                | ItemKind::CharConstant
                | ItemKind::Complex
                | ItemKind::Dot
                | ItemKind::Field
                | ItemKind::Identifier
                | ItemKind::Number
                | ItemKind::Nil
                | ItemKind::RawString
                | ItemKind::String
                | ItemKind::Variable
                | ItemKind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &PipeNode, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.errorf(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(_) | Arg::String { .. }
                )
            ) {
                return self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<CommandNode> {
        let mut cmd = CommandNode {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let t = self.next();
            match t.kind {
                ItemKind::Space => continue,
                ItemKind::RightDelim | ItemKind::RightParen => self.backup(),
                ItemKind::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.errorf("empty command".into());
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek_kind() != ItemKind::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields: Vec<Arc<str>> = Vec::new();
        while self.peek_kind() == ItemKind::Field {
            let f = self.next();
            fields.push(Arc::from(&f.val[1..]));
        }
        Ok(Some(match node {
            Arg::Field { idents, .. } => {
                let mut all = idents.into_vec();
                all.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents: all.into(),
                }
            }
            Arg::Variable(v) => {
                let mut all = v.idents.into_vec();
                all.extend(fields);
                Arg::Variable(VariableNode {
                    pos: chain_pos,
                    idents: all.into(),
                })
            }
            Arg::Bool(..) | Arg::String { .. } | Arg::Number(_) | Arg::Nil(_) | Arg::Dot(_) => {
                return self.errorf(format!(
                    "unexpected . after term {}",
                    go_quote(&node.to_string())
                ));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields: fields.into(),
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        let arg = match t.kind {
            ItemKind::Identifier => {
                let Some(f) = self.funcs.get(&t.val) else {
                    return self.errorf(format!("function {} not defined", go_quote(&t.val)));
                };
                let special = match &*t.val {
                    "and" => Special::And,
                    "or" => Special::Or,
                    "call" => Special::Call,
                    _ => Special::None,
                };
                Arg::Identifier(Box::new(IdentifierNode {
                    pos: t.pos,
                    name: Arc::from(t.val.as_ref()),
                    func: Some(f.clone()),
                    special,
                }))
            }
            ItemKind::Dot => Arg::Dot(t.pos),
            ItemKind::Nil => Arg::Nil(t.pos),
            ItemKind::Variable => {
                let v = new_variable(t.pos, &t.val);
                if !self.vars.iter().any(|n| *n == v.idents[0]) {
                    return self.errorf(format!("undefined variable {}", go_quote(&v.idents[0])));
                }
                Arg::Variable(v)
            }
            ItemKind::Field => Arg::Field {
                pos: t.pos,
                idents: t.val[1..]
                    .split('.')
                    .map(Arc::from)
                    .collect::<Vec<_>>()
                    .into(),
            },
            ItemKind::Bool => Arg::Bool(t.pos, t.val == "true"),
            ItemKind::CharConstant | ItemKind::Complex | ItemKind::Number => {
                match new_number(t.pos, &t.val, t.kind) {
                    Ok(n) => Arg::Number(Box::new(n)),
                    Err(e) => return self.errorf(e),
                }
            }
            ItemKind::LeftParen => {
                self.enter()?;
                let p = stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || {
                    self.pipeline("parenthesized pipeline", ItemKind::RightParen)
                });
                self.depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            ItemKind::String | ItemKind::RawString => match unquote(&t.val) {
                Ok(s) => Arg::String {
                    pos: t.pos,
                    quoted: t.val.as_ref().into(),
                    value: Value::from(s),
                },
                Err(e) => return self.errorf(e),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }
}

/// What `textOrAction` yields: a node, or the `{{end}}`/`{{else}}` that closes a list.
enum Parsed {
    Node(Node),
    End(#[allow(dead_code)] Pos),
    Else(Pos),
}

fn new_variable(pos: Pos, name: &str) -> VariableNode {
    VariableNode {
        pos,
        idents: name.split('.').map(Arc::from).collect::<Vec<_>>().into(),
    }
}

/// Go's `newNumber`: records every interpretation of a number literal and its untyped-constant value.
fn new_number(pos: Pos, text: &str, kind: ItemKind) -> Result<NumberNode, String> {
    let mut n = NumberNode {
        pos,
        text: text.into(),
        is_int: false,
        is_uint: false,
        is_float: false,
        int64: 0,
        uint64: 0,
        float64: 0.0,
        ideal: Ok(Value::Invalid),
    };
    if kind == ItemKind::CharConstant {
        let body = &text[1..];
        let (c, tail) = unquote_char(body, '\'').map_err(|_| "invalid syntax".to_string())?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        n.int64 = c as i64;
        n.uint64 = c as u64;
        n.float64 = f64::from(c as u32);
        n.is_int = true;
        n.is_uint = true;
        n.is_float = true;
        n.ideal = Ok(Value::Int(c as i64));
        return Ok(n);
    }
    if let Some(c) = parse_complex(text, kind) {
        // Go's simplifyComplex: a zero imaginary part also makes the literal usable as a float (and an
        // integer when integral), but untyped it stays `complex128`.
        if c.im == 0.0 {
            n.is_float = true;
            n.float64 = c.re;
            if c.re.fract() == 0.0 && c.re.abs() < 9.2e18 {
                n.is_int = true;
                n.int64 = c.re as i64;
                if c.re >= 0.0 {
                    n.is_uint = true;
                    n.uint64 = c.re as u64;
                }
            }
        }
        n.ideal = Ok(c.into_value());
        return Ok(n);
    }
    if kind == ItemKind::Complex || text.ends_with('i') {
        return Err(format!("illegal number syntax: {}", go_quote(text)));
    }
    if let Some(u) = parse_go_uint(text) {
        n.is_uint = true;
        n.uint64 = u;
    }
    if let Some(i) = parse_go_int(text) {
        n.is_int = true;
        n.int64 = i;
        if i == 0 {
            n.is_uint = true;
            n.uint64 = 0;
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float64 = n.int64 as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float64 = n.uint64 as f64;
    } else if let Some(f) = parse_go_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", go_quote(text)));
        }
        n.is_float = true;
        n.float64 = f;
        // Go converts and compares; the range checks stand in for Go's platform-defined overflow.
        if !n.is_int && (i64::MIN as f64..-(i64::MIN as f64)).contains(&f) && (f as i64) as f64 == f
        {
            n.is_int = true;
            n.int64 = f as i64;
        }
        if !n.is_uint && (0.0..u64::MAX as f64).contains(&f) && (f as u64) as f64 == f {
            n.is_uint = true;
            n.uint64 = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!("illegal number syntax: {}", go_quote(text)));
    }
    n.ideal = ideal_constant(&n);
    Ok(n)
}

/// An imaginary literal `1.5i` (Go: `strconv.ParseFloat` of the text before the `i`) or a complex one
/// `2+3i` (Go: `fmt.Sscan` into a `complex128`: real part, signed imaginary part, `i`).
fn parse_complex(text: &str, kind: ItemKind) -> Option<Complex128> {
    let body = text.strip_suffix('i')?;
    // Out-of-range parts are errors in Go (ParseFloat's range error), not infinities.
    let float = |s: &str| parse_go_float(s).filter(|f| f.is_finite());
    if kind != ItemKind::Complex {
        return float(body).map(|im| Complex128 { re: 0.0, im });
    }
    // The sign that starts the imaginary part: the last `+`/`-` not opening the text or an exponent.
    let b = body.as_bytes();
    let split = (1..b.len())
        .rev()
        .find(|&i| matches!(b[i], b'+' | b'-') && !matches!(b[i - 1], b'e' | b'E' | b'p' | b'P'))?;
    let re = float(&body[..split])?;
    let im = float(&body[split..])?;
    Some(Complex128 { re, im })
}

/// Go's `idealConstant`: what a number literal is when nothing asks for a type.
fn ideal_constant(n: &NumberNode) -> Result<Value, Arc<str>> {
    let t = &*n.text;
    let is_hex_int = t.len() > 2
        && t.starts_with('0')
        && matches!(t.as_bytes()[1], b'x' | b'X')
        && !t.contains(['p', 'P']);
    if n.is_float && !is_hex_int && !t.starts_with('\'') && t.contains(['.', 'e', 'E', 'p', 'P']) {
        return Ok(Value::Float(n.float64));
    }
    if n.is_int {
        return Ok(Value::Int(n.int64));
    }
    if n.is_uint {
        return Err(Arc::from(format!("{t} overflows int")));
    }
    Ok(Value::Invalid)
}

/// Splits an optional base prefix and checks Go's underscore rules; returns (base, digits).
fn split_base(s: &str) -> Option<(u32, String)> {
    let (base, body, prefixed) =
        if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            (16, r, true)
        } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
            (8, r, true)
        } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
            (2, r, true)
        } else if s.len() > 1 && s.starts_with('0') {
            (8, &s[1..], true)
        } else {
            (10, s, false)
        };
    if !underscore_ok(body, prefixed) {
        return None;
    }
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    Some((base, digits))
}

/// Go's `underscoreOK`: underscores only between digits, or right after a base prefix.
fn underscore_ok(body: &str, prefixed: bool) -> bool {
    if !body.contains('_') {
        return true;
    }
    let b = body.as_bytes();
    let mut prev_digit = prefixed;
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            if !prev_digit {
                return false;
            }
            prev_digit = false;
            if i == b.len() - 1 {
                return false;
            }
        } else {
            prev_digit = true;
        }
    }
    true
}

/// `strconv.ParseUint(s, 0, 64)`.
fn parse_go_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    let (base, digits) = split_base(s)?;
    u64::from_str_radix(&digits, base).ok()
}

/// `strconv.ParseInt(s, 0, 64)`.
fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_go_uint(body)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// `strconv.ParseFloat(s, 64)` for the forms the lexer lets through (decimal and hex floats).
fn parse_go_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        parse_hex_float(h)?
    } else {
        if !underscore_ok(body, false)
            || body.is_empty()
            || !body.as_bytes()[0].is_ascii_digit() && !body.starts_with('.')
        {
            return None;
        }
        let clean: String = body.chars().filter(|&c| c != '_').collect();
        clean.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Hex float `h.hhhp±d` (after `0x`); the `p` exponent is mandatory, as in Go.
fn parse_hex_float(h: &str) -> Option<f64> {
    let clean: String = h.chars().filter(|&c| c != '_').collect();
    let (mant, exp) = clean.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    if ip.is_empty() && fp.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in ip.chars().chain(fp.chars()) {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    Some(v * 2f64.powi(exp - 4 * fp.len() as i32))
}

/// Go's `strconv.Unquote` for `"..."` and `` `...` `` literals; the error is Go's `invalid syntax`.
pub(crate) fn unquote(s: &str) -> Result<String, String> {
    let err = || "invalid syntax".to_string();
    if s.len() < 2 {
        return Err(err());
    }
    if s.starts_with('`') {
        if !s.ends_with('`') {
            return Err(err());
        }
        // Go drops carriage returns from raw strings.
        return Ok(s[1..s.len() - 1].replace('\r', ""));
    }
    if !s.starts_with('"') || !s.ends_with('"') {
        return Err(err());
    }
    let mut rest = &s[1..s.len() - 1];
    let mut bytes: Vec<u8> = Vec::with_capacity(rest.len());
    while !rest.is_empty() {
        if rest.starts_with('"') {
            return Err(err());
        }
        let (c, tail, raw_byte) = unquote_one(rest, '"').map_err(|_| err())?;
        match raw_byte {
            Some(b) => bytes.push(b),
            None => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        rest = tail;
    }
    // `\x`/octal escapes can produce bytes that are not UTF-8; our strings are UTF-8, so such bytes
    // become U+FFFD (a documented difference from Go).
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn unquote_char(s: &str, quote: char) -> Result<(char, &str), ()> {
    let (c, tail, raw) = unquote_one(s, quote)?;
    Ok((raw.map_or(c, char::from), tail))
}

/// Go's `strconv.UnquoteChar`: one (possibly escaped) character; a `\x`/octal escape yields a raw byte.
fn unquote_one(s: &str, quote: char) -> Result<(char, &str, Option<u8>), ()> {
    let mut chars = s.chars();
    let c = chars.next().ok_or(())?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(());
    }
    if c != '\\' {
        return Ok((c, chars.as_str(), None));
    }
    let e = chars.next().ok_or(())?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((c, rest, None));
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() < n || !rest.is_char_boundary(n) {
                return Err(());
            }
            let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| ())?;
            if !rest[..n].bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(());
            }
            if e == 'x' {
                return Ok((char::from(v as u8), &rest[n..], Some(v as u8)));
            }
            let c = char::from_u32(v).ok_or(())?;
            Ok((c, &rest[n..], None))
        }
        '0'..='7' => {
            let digits = format!("{e}{}", rest.get(..2).ok_or(())?);
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(());
            }
            let v = u32::from_str_radix(&digits, 8).map_err(|_| ())?;
            if v > 255 {
                return Err(());
            }
            Ok((char::from(v as u8), &rest[2..], Some(v as u8)))
        }
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let ideal = |t: &str| new_number(0, t, ItemKind::Number).map(|n| n.ideal);
        assert!(matches!(ideal("1e3"), Ok(Ok(Value::Float(f))) if f == 1000.0));
        assert!(matches!(ideal("0x1F"), Ok(Ok(Value::Int(31)))));
        assert!(matches!(ideal("0xE"), Ok(Ok(Value::Int(14)))));
        assert!(matches!(ideal("017"), Ok(Ok(Value::Int(15)))));
        assert!(matches!(ideal("0o17"), Ok(Ok(Value::Int(15)))));
        assert!(matches!(ideal("0b101"), Ok(Ok(Value::Int(5)))));
        assert!(matches!(ideal("1_000"), Ok(Ok(Value::Int(1000)))));
        assert!(matches!(ideal("0x1p3"), Ok(Ok(Value::Float(f))) if f == 8.0));
        assert!(matches!(ideal("-0x1.8p1"), Ok(Ok(Value::Float(f))) if f == -3.0));
        assert!(matches!(ideal(".5"), Ok(Ok(Value::Float(f))) if f == 0.5));
        assert_eq!(
            ideal("99999999999999999999").unwrap_err(),
            "integer overflow: \"99999999999999999999\""
        );
        assert_eq!(
            ideal("18446744073709551615").unwrap().unwrap_err().as_ref(),
            "18446744073709551615 overflows int"
        );
        assert!(ideal("1__0").is_err());
        assert!(ideal("089").is_err());
    }

    #[test]
    fn unquoting() {
        assert_eq!(
            unquote(r#""a\x41\u00e9\U0001F600\101\n""#).unwrap(),
            "aAé😀A\n"
        );
        assert_eq!(unquote("`a\r\nb`").unwrap(), "a\nb");
        assert!(unquote(r#""\q""#).is_err());
        assert!(unquote(r#""\'""#).is_err());
        assert_eq!(unquote_char("\\n'", '\'').unwrap(), ('\n', "'"));
    }
}
