//! `gotmpl`: Go's `text/template`, in Rust, byte for byte.
//!
//! The crate knows nothing of Helm (that lives in `chart-renderer`). Phases, one module each, as in
//! minijinja: [`lex`] → [`parse`] (an [`ast`] whose nodes re-print themselves like Go's `String()`) →
//! [`exec`] (a tree walker over shared [`value::Value`]s). Printing follows Go's `fmt` ([`value::gofmt`]).
//! Parsed templates are immutable and `Send + Sync`: parse once, render many times from any thread.
//!
//! # Using it for Helm
//!
//! * Build one [`FuncMap`]: [`funcs::builtins::builtins`] plus the Sprig/Helm functions. Functions that
//!   need the running template get a [`CallContext`]: Helm's `include` is
//!   `ctx.execute_template(name, dot)` and `tpl` is `ctx.execute_text("gotpl", text, dot)` (Helm v4
//!   parses `tpl` text as its root template, named `gotpl`; the parse is cached per text, the dot is
//!   shared, not copied, and the text's `define`s are visible only while it runs). An error from either
//!   is already in Go's `template: …` form; wrap it as the function's error
//!   (`FuncError(e.to_string())`) and Go's `error calling include: …` chain results.
//! * `set.set_root_name("gotpl")`, then [`TemplateSet::add`] every file in Helm's order (deepest path
//!   first, equal depths by name descending), so later `define`s win as in Helm.
//! * Execute each file with [`MissingKey::Zero`] ([`MissingKey::Error`] in strict mode) and remove
//!   `<no value>` from the output, as Helm does.
//! * [`Error`] displays Go's text; its parts ([`ErrorRepr`]: kind, file, template, line, byte column,
//!   node) let Helm's `parse error at (…)` / `execution error at (…)` rewriting be done without
//!   re-parsing the message.
//! * [`Limits`] bound template depth (Go's 100000 by default), range iterations, output size and wall
//!   time; hitting one is an [`ErrorKind::Limit`] error, even when it happens inside an `include`.
//!
//! Go values map onto [`Value`]; Go structs with fields and methods (`.Files`, `.Capabilities`,
//! `.Chart`) are [`Object`]s, and a named map type with methods (Helm's `common.Values`) is an
//! `Object` whose [`Object::as_collection`] is the map: fields then follow map-key rules.
//!
//! Known differences from Go: complex number literals (`1i`, `1+2i`) are a parse error; `\x`/octal
//! escapes that make invalid UTF-8 become U+FFFD; argument conversion knows only the
//! [`ParamType`]s (no `reflect.Value` parameters besides `and`/`or`).
//!
//! # Example
//!
//! ```
//! use gotmpl::{ExecOptions, FuncMap, Function, ParamType, TemplateSet, Value};
//! use std::sync::Arc;
//!
//! let mut funcs = FuncMap::new();
//! funcs.insert(Function::pure("upper", &[ParamType::String], None, |args| {
//!     Ok(Value::from(args[0].as_str().unwrap_or_default().to_uppercase()))
//! }));
//! let mut set = TemplateSet::new(Arc::new(funcs));
//! set.add("chart/templates/_helpers.tpl", r#"{{ define "greet" }}hello {{ . | upper }}{{ end }}"#)?;
//! set.add("chart/templates/a.yaml", r#"{{- template "greet" .name -}}!"#)?;
//!
//! let dot = Value::Map([("name".to_string(), Value::from("world"))].into_iter().collect());
//! let out = set.execute("chart/templates/a.yaml", dot, &ExecOptions::default())?;
//! assert_eq!(out, "hello WORLD!");
//! # Ok::<(), gotmpl::Error>(())
//! ```

pub mod ast;
pub mod error;
pub mod exec;
pub mod funcs;
pub mod lex;
pub mod limits;
pub mod parse;
pub mod value;

pub use error::{Error, ErrorKind, ErrorRepr};
pub use funcs::{CallContext, FuncError, FuncMap, FuncResult, Function, ParamType};
pub use limits::Limits;
pub use value::{Map, Object, ObjectRef, Value};

use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

/// What a missing map key evaluates to (Go's `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default` (or `invalid`): no value; prints `<no value>`, field access on it is silent.
    #[default]
    Default,
    /// `missingkey=zero`: the map's zero element, a nil `interface{}` (Helm's normal mode).
    Zero,
    /// `missingkey=error`: `map has no entry for key "k"` (Helm's strict mode).
    Error,
}

/// Options for one execution.
#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    pub missing_key: MissingKey,
    pub limits: Limits,
}

/// The source text one or more trees were parsed from.
#[derive(Debug)]
pub struct Source {
    /// Go's `ParseName`: the name given to `add` (errors say `template: PARSE_NAME:LINE:COL: …`).
    pub parse_name: Arc<str>,
    pub text: Arc<str>,
}

/// One named template: a file's body, a `define`, or a `block`.
#[derive(Debug)]
pub struct Tree {
    pub name: Arc<str>,
    pub source: Arc<Source>,
    pub root: ast::ListNode,
    /// Nesting depth of the parse, so a very deep tree can be dropped on a large stack.
    depth: usize,
    /// Length of the last output of this tree, to size the next output buffer in one allocation.
    pub(crate) size_hint: std::sync::atomic::AtomicUsize,
}

/// Trees nested deeper than this are dropped on a dedicated stack (dropping is recursive).
const DEEP_TREE: usize = 256;

impl Tree {
    fn new(t: parse::ParsedTree, source: Arc<Source>) -> Self {
        Tree {
            name: t.name,
            source,
            root: t.root,
            depth: t.max_depth,
            size_hint: Default::default(),
        }
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        if self.depth > DEEP_TREE {
            let root = std::mem::take(&mut self.root);
            // About 1 KiB of stack per nesting level in debug builds, with ample margin.
            stacker::grow(self.depth * 4096 + (1 << 20), move || drop(root));
        }
    }
}

/// A text parsed by [`CallContext::execute_text`] (Helm's `tpl`): its own tree plus its definitions,
/// which shadow the set's while it runs.
#[derive(Debug)]
pub struct TextTemplate {
    main: Arc<Tree>,
    defines: HashMap<Arc<str>, Arc<Tree>>,
}

impl TextTemplate {
    fn lookup(&self, name: &str) -> Option<&Tree> {
        self.defines.get(name).map(|t| &**t)
    }
}

/// Cached `tpl` parses are dropped wholesale when this many accumulate (bounds memory for charts that
/// build template text dynamically).
const TEXT_CACHE_MAX: usize = 4096;

type TextCache = HashMap<Arc<str>, HashMap<Arc<str>, Arc<TextTemplate>>>;

/// A set of named templates sharing one namespace (Go's `*template.Template` with its associated
/// templates). Parse with [`TemplateSet::add`], run with [`TemplateSet::execute`]; a set is
/// `Send + Sync` and executions never mutate it (except the internal `tpl` parse cache).
pub struct TemplateSet {
    funcs: Arc<FuncMap>,
    templates: HashMap<Arc<str>, Arc<Tree>>,
    text_cache: RwLock<TextCache>,
    text_cache_len: RwLock<usize>,
    /// Name used in `no template "x" associated with template "ROOT"` (Go: the receiver's name).
    root_name: String,
    /// Parser nesting guard.
    max_parse_depth: usize,
}

impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateSet")
            .field("templates", &self.templates.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TemplateSet {
    /// An empty set whose templates may call the functions in `funcs` (unknown names fail at parse).
    pub fn new(funcs: Arc<FuncMap>) -> Self {
        TemplateSet {
            funcs,
            templates: HashMap::new(),
            text_cache: RwLock::new(HashMap::new()),
            text_cache_len: RwLock::new(0),
            root_name: String::new(),
            max_parse_depth: limits::GO_MAX_PAREN_DEPTH,
        }
    }

    /// Sets the name Go would report as the set's own template in "no template … associated with
    /// template ROOT" (Helm's set is called `gotpl`).
    pub fn set_root_name(&mut self, name: &str) {
        self.root_name = name.to_string();
    }

    /// Sets the parser's nesting guard (default: Go's 10000).
    pub fn set_max_parse_depth(&mut self, depth: usize) {
        self.max_parse_depth = depth;
    }

    pub fn funcs(&self) -> &Arc<FuncMap> {
        &self.funcs
    }

    /// Parses `text` as template `name` (Go: `set.New(name).Parse(text)`). Its `define`s and `block`s
    /// join the set: within one text, two non-empty definitions of a name are an error; across texts a
    /// later non-empty definition replaces an earlier one and an empty one (only whitespace and
    /// comments) never replaces an existing one. On error the set is unchanged.
    pub fn add(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let trees = parse::parse(name, text, &self.funcs, self.max_parse_depth)?;
        let source = Arc::new(Source {
            parse_name: Arc::from(name),
            text: Arc::from(text),
        });
        for t in trees {
            let empty = ast::is_empty_tree(&t.root);
            if empty && self.templates.contains_key(&t.name) {
                continue;
            }
            let name = t.name.clone();
            self.templates
                .insert(name, Arc::new(Tree::new(t, source.clone())));
        }
        Ok(())
    }

    /// Whether a template of this name is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// The defined template names (unordered).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(|k| &**k)
    }

    /// The parsed tree of a template.
    pub fn tree(&self, name: &str) -> Option<&Arc<Tree>> {
        self.templates.get(name)
    }

    /// How many `tpl` texts are currently cached.
    pub fn cached_texts(&self) -> usize {
        *self.text_cache_len.read()
    }

    /// Executes template `name` with `dot` (Go: `ExecuteTemplate`) and returns its output.
    pub fn execute(&self, name: &str, dot: Value, opts: &ExecOptions) -> Result<String, Error> {
        let hint = self.templates.get(name).map_or(0, |t| {
            t.size_hint.load(std::sync::atomic::Ordering::Relaxed)
        });
        let mut out = String::with_capacity(hint);
        self.execute_to(name, dot, opts, &mut out)?;
        if let Some(t) = self.templates.get(name) {
            t.size_hint
                .store(out.len(), std::sync::atomic::Ordering::Relaxed);
        }
        Ok(out)
    }

    /// Like [`TemplateSet::execute`] but appends to `out` (which keeps what was written before an error).
    pub fn execute_to(
        &self,
        name: &str,
        dot: Value,
        opts: &ExecOptions,
        out: &mut String,
    ) -> Result<(), Error> {
        let Some(tree) = self.templates.get(name) else {
            return Err(Error::no_template(name, &self.root_name));
        };
        let mut budget = limits::Budget::new(&opts.limits);
        let mut state =
            exec::State::new(self, None, tree, opts, &mut budget, 0, std::mem::take(out));
        let r = state.run(dot);
        *out = std::mem::take(&mut state.out);
        r
    }

    /// The cached parse of a `tpl` text, parsing it on first use.
    fn text_template(&self, name: &str, text: &str) -> Result<Arc<TextTemplate>, Error> {
        if let Some(t) = self.text_cache.read().get(name).and_then(|m| m.get(text)) {
            return Ok(t.clone());
        }
        let trees = parse::parse(name, text, &self.funcs, self.max_parse_depth)?;
        let source = Arc::new(Source {
            parse_name: Arc::from(name),
            text: Arc::from(text),
        });
        let mut defines = HashMap::new();
        let mut main = None;
        for t in trees {
            let tname = t.name.clone();
            let tree = Arc::new(Tree::new(t, source.clone()));
            if *tname == *name {
                main = Some(tree.clone());
            }
            // Go's associate rule: an empty definition does not hide an existing one.
            if !ast::is_empty_tree(&tree.root) || !self.templates.contains_key(&tname) {
                defines.insert(tname, tree);
            }
        }
        let main = match main {
            Some(m) => m,
            None => Arc::new(Tree {
                name: Arc::from(name),
                source,
                root: ast::ListNode::default(),
                depth: 0,
                size_hint: Default::default(),
            }),
        };
        let tt = Arc::new(TextTemplate { main, defines });
        let mut cache = self.text_cache.write();
        let mut len = self.text_cache_len.write();
        if *len >= TEXT_CACHE_MAX {
            cache.clear();
            *len = 0;
        }
        cache
            .entry(Arc::from(name))
            .or_default()
            .insert(Arc::from(text), tt.clone());
        *len += 1;
        Ok(tt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn set_is_send_sync() {
        assert_send_sync::<TemplateSet>();
        assert_send_sync::<Tree>();
    }
}
