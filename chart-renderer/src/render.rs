//! The render: Helm v4's engine (`pkg/engine`) and the part of `helm template`/`install` that prepares
//! for it (`ToRenderValues`, dependency processing, the kubeVersion check).
//!
//! One [`Renderer`] serves many renders: it owns the function table and a cache of parsed template sets,
//! keyed by the exact template sources of the (dependency-processed) chart, so a chart is parsed once and
//! rendered many times — from any thread. `tpl` parses are cached by the engine, and `tpl` never copies
//! the template context (Helm clones its whole template set on every `tpl` call).

use crate::chart::Chart;
use crate::manifests::CrdFile;
use crate::objects::{self, Capabilities, TemplateJob};
use crate::values;
use gotmpl::{
    ExecOptions, FuncError, FuncMap, Function, Limits, Map, MissingKey, ParamType, TemplateSet,
    Value,
};
use parking_lot::Mutex;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use crate::objects::ReleaseOptions;

/// Answers Helm's `lookup` function. Offline rendering uses [`NoLookup`] (every lookup is empty, as in
/// `helm template`); the operator plugs in a live, namespace-scoped implementation.
pub trait Lookup: Send + Sync {
    /// `lookup apiVersion kind namespace name`: the object as a map, a `List`-shaped map when `name` is
    /// empty, or an empty map when nothing matches. An `Err` fails the render with that text.
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String>;
}

/// `lookup` without a cluster: always an empty map.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLookup;

impl Lookup for NoLookup {
    fn lookup(&self, _: &str, _: &str, _: &str, _: &str) -> Result<Value, String> {
        Ok(Value::empty_map())
    }
}

/// Everything about one render that is not the chart or the user's values.
#[derive(Clone)]
pub struct RenderOptions {
    pub release: ReleaseOptions,
    /// `--kube-version`: `.Capabilities.KubeVersion` (Helm's default otherwise).
    pub kube_version: Option<String>,
    /// `--api-versions`: appended to Helm's default `.Capabilities.APIVersions`.
    pub extra_api_versions: Vec<String>,
    /// Helm's strict mode: `missingkey=error`.
    pub strict: bool,
    /// Skip `values.schema.json` validation (`--skip-schema-validation`).
    pub skip_schema_validation: bool,
    /// Engine limits (template depth, range iterations, output size, deadline).
    pub limits: Limits,
    pub lookup: Arc<dyn Lookup>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release: ReleaseOptions::default(),
            kube_version: None,
            extra_api_versions: Vec::new(),
            strict: false,
            skip_schema_validation: false,
            limits: Limits::default(),
            lookup: Arc::new(NoLookup),
        }
    }
}

impl std::fmt::Debug for RenderOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderOptions")
            .field("release", &self.release)
            .field("kube_version", &self.kube_version)
            .field("extra_api_versions", &self.extra_api_versions.len())
            .field("strict", &self.strict)
            .finish()
    }
}

/// A render's result.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// Helm's engine output: every non-partial template path → its rendered text (`NOTES.txt` included).
    pub files: BTreeMap<String, String>,
    /// The `crds/` files of the chart and its enabled subcharts, with the paths Helm prints.
    pub crds: Vec<CrdFile>,
    /// The top chart's name.
    pub chart_name: String,
}

const NOTES_SUFFIX: &str = "NOTES.txt";

impl Rendered {
    /// The rendered files without any `NOTES.txt` (what Helm sorts into manifests and hooks).
    pub fn manifests_without_notes(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .filter(|(k, _)| !k.ends_with(NOTES_SUFFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The release notes: the top chart's `NOTES.txt`, or every chart's when `sub_notes` (joined with a
    /// newline, in path order, as Helm does).
    pub fn notes(&self, sub_notes: bool) -> String {
        let top = format!("{}/templates/{NOTES_SUFFIX}", self.chart_name);
        let mut out = String::new();
        for (k, v) in &self.files {
            if k.ends_with(NOTES_SUFFIX) && (sub_notes || *k == top) {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(v);
            }
        }
        out
    }
}

/// Why a render failed. `Display` is Helm's message, so callers can print it as Helm would.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Values(String),
    #[error(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{0}"
    )]
    Schema(String),
    #[error(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {version}"
    )]
    KubeVersion { constraint: String, version: String },
    #[error("{0} charts are not installable")]
    NotInstallable(String),
    #[error("invalid kube version '{0}': {1}")]
    InvalidKubeVersion(String, String),
    /// A template does not parse (Helm: `parse error at (FILE:LINE): MSG`).
    #[error("{message}")]
    Parse {
        message: String,
        engine: gotmpl::Error,
    },
    /// A template failed while executing, in Helm's reformatted text.
    #[error("{message}")]
    Exec {
        message: String,
        engine: gotmpl::Error,
    },
}

impl RenderError {
    /// The engine error behind a template failure, with its file, line and column.
    pub fn template_error(&self) -> Option<&gotmpl::Error> {
        match self {
            RenderError::Parse { engine, .. } | RenderError::Exec { engine, .. } => Some(engine),
            _ => None,
        }
    }
}

/// Parsed template sets, by the identity of the sources they were parsed from, and the source buffers
/// that keep those identities valid.
#[derive(Default)]
struct SetCache {
    sets: HashMap<SetKey, Arc<TemplateSet>>,
    pinned_sources: Vec<Vec<Arc<[u8]>>>,
}

/// The templates of one processed chart tree: names with their source buffers. The buffers are held so a
/// pointer in the key can never be reused by another allocation while the entry lives.
#[derive(Clone, PartialEq, Eq, Hash)]
struct SetKey(Vec<(String, usize, usize)>);

/// Renders charts; keep one per process (or per operator) to reuse parsed templates.
pub struct Renderer {
    funcs: Arc<FuncMap>,
    cache: Mutex<SetCache>,
    /// Cached parsed sets at most (a new chart beyond it empties the cache).
    cache_capacity: usize,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("cached_sets", &self.cache.lock().sets.len())
            .finish()
    }
}

thread_local! {
    /// Per-render state of the functions that Helm closes over per render: the `include` recursion
    /// counts and the `lookup` backend. A render runs on one thread from start to end, so a thread-local
    /// set up by [`Renderer::render`] is exactly Helm's closure scope.
    static RENDER_STATE: RefCell<Option<RenderState>> = const { RefCell::new(None) };
}

struct RenderState {
    included: HashMap<String, usize>,
    lookup: Arc<dyn Lookup>,
}

/// Helm's cap on nested `include`s of one name.
const INCLUDE_RECURSION_MAX: usize = 1000;

/// Helm wraps `fail`/`required` messages in these so its error rewriting can find them.
const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

fn warn_wrap(msg: &str) -> FuncError {
    FuncError(format!("{WARN_START}{msg}{WARN_END}"))
}

fn engine_funcs() -> FuncMap {
    let mut m = crate::funcs::helm_funcs();
    m.insert(Function::new(
        "include",
        &[ParamType::String, ParamType::Any],
        None,
        |ctx, args| {
            let name = args[0].as_str().unwrap_or_default().to_string();
            let over = RENDER_STATE.with(|s| {
                let mut s = s.borrow_mut();
                let Some(st) = s.as_mut() else { return false };
                let n = st.included.entry(name.clone()).or_insert(0);
                if *n > INCLUDE_RECURSION_MAX {
                    return true;
                }
                *n += 1;
                false
            });
            if over {
                return Err(FuncError(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
            }
            let result = ctx.execute_template(&name, args[1].clone());
            RENDER_STATE.with(|s| {
                if let Some(st) = s.borrow_mut().as_mut() {
                    if let Some(n) = st.included.get_mut(&name) {
                        *n = n.saturating_sub(1);
                    }
                }
            });
            match result {
                Ok(text) => Ok(Value::from(text)),
                Err(e) => Err(FuncError(e.to_string())),
            }
        },
    ));
    m.insert(Function::new(
        "tpl",
        &[ParamType::String, ParamType::Any],
        None,
        |ctx, args| {
            let text = args[0].as_str().unwrap_or_default();
            // Helm parses tpl text as a new template named after its root template, "gotpl".
            match ctx.execute_text("gotpl", text, args[1].clone()) {
                Ok(out) => Ok(Value::from(out.replace("<no value>", ""))),
                Err(e) if e.kind == gotmpl::ErrorKind::Parse => Err(FuncError(format!(
                    "cannot parse template {}: {e}",
                    go_quote(text)
                ))),
                Err(e) => Err(FuncError(format!(
                    "error during tpl function execution for {}: {e}",
                    go_quote(text)
                ))),
            }
        },
    ));
    m.insert(Function::pure(
        "required",
        &[ParamType::String, ParamType::Any],
        None,
        |args| {
            let warn = args[0].as_str().unwrap_or_default();
            match &args[1] {
                Value::Nil | Value::Invalid => Err(warn_wrap(warn)),
                Value::String(s) if s.is_empty() => Err(warn_wrap(warn)),
                v => Ok(v.clone()),
            }
        },
    ));
    m.insert(Function::pure("fail", &[ParamType::String], None, |args| {
        Err(warn_wrap(args[0].as_str().unwrap_or_default()))
    }));
    m.insert(Function::pure(
        "lookup",
        &[
            ParamType::String,
            ParamType::String,
            ParamType::String,
            ParamType::String,
        ],
        None,
        |args| {
            let s = |i: usize| args[i].as_str().unwrap_or_default().to_string();
            let backend = RENDER_STATE.with(|st| st.borrow().as_ref().map(|st| st.lookup.clone()));
            match backend {
                Some(b) => b.lookup(&s(0), &s(1), &s(2), &s(3)).map_err(FuncError),
                None => Ok(Value::empty_map()),
            }
        },
    ));
    m
}

fn go_quote(s: &str) -> String {
    crate::yaml::gojson::go_quote(s)
}

/// Helm's `sortTemplates`: deepest paths first; among equal depth, reverse byte order. Parsing in this
/// order lets a parent chart's `define` replace a subchart's.
fn helm_template_order(names: &mut [&TemplateJob]) {
    // Depths computed once per name, not per comparison (the umbrella benchmark chart spent ~14M
    // instructions per render counting slashes in the comparator).
    names.sort_by_cached_key(|j| {
        (
            std::cmp::Reverse(j.name.bytes().filter(|&b| b == b'/').count()),
            std::cmp::Reverse(j.name.as_str()),
        )
    });
}

impl Renderer {
    pub fn new() -> Self {
        Renderer {
            funcs: Arc::new(engine_funcs()),
            cache: Mutex::new(SetCache::default()),
            cache_capacity: 64,
        }
    }

    /// The function table templates are parsed against.
    pub fn funcs(&self) -> &Arc<FuncMap> {
        &self.funcs
    }

    /// Renders `chart` with the user's values the way `helm template` does up to the engine's output.
    pub fn render(
        &self,
        chart: &Chart,
        user_values: &Map,
        opts: &RenderOptions,
    ) -> Result<Rendered, RenderError> {
        let chart_type = chart.metadata.chart_type.as_str();
        if !(chart_type.is_empty() || chart_type == "application") {
            return Err(RenderError::NotInstallable(chart_type.to_string()));
        }
        let mut caps = Capabilities::default();
        if let Some(v) = &opts.kube_version {
            caps = caps
                .with_kube_version(v)
                .map_err(|e| RenderError::InvalidKubeVersion(v.clone(), e))?;
        }
        let caps = Arc::new(caps.with_extra_api_versions(opts.extra_api_versions.iter().cloned()));

        let computed =
            values::compute(chart, user_values).map_err(|e| RenderError::Values(e.to_string()))?;
        if !opts.skip_schema_validation {
            validate_schema(&computed.chart, &computed.values).map_err(RenderError::Schema)?;
        }
        let chart = computed.chart;
        if !chart.metadata.kube_version.is_empty() {
            let version = caps.kube_version.version.clone();
            if !crate::deps::is_compatible_range(&chart.metadata.kube_version, &version) {
                return Err(RenderError::KubeVersion {
                    constraint: chart.metadata.kube_version.clone(),
                    version,
                });
            }
        }
        let top = objects::render_context(&chart, computed.values, &opts.release, &caps);
        let jobs = objects::template_jobs(&chart, &top);
        let set = self.template_set(&jobs)?;

        let exec_opts = ExecOptions {
            missing_key: if opts.strict {
                MissingKey::Error
            } else {
                MissingKey::Zero
            },
            limits: opts.limits.clone(),
        };
        let mut ordered: Vec<&TemplateJob> = jobs.iter().collect();
        helm_template_order(&mut ordered);

        let _state = StateGuard::install(RenderState {
            included: HashMap::new(),
            lookup: opts.lookup.clone(),
        });
        let mut files = BTreeMap::new();
        for job in ordered {
            let base = job.name.rsplit('/').next().unwrap_or(&job.name);
            if base.starts_with('_') {
                continue;
            }
            objects::set_template(&job.context, &job.name, &job.base_path);
            match set.execute(&job.name, Value::Map(job.context.clone()), &exec_opts) {
                Ok(text) => {
                    // Go still prints "<no value>" for some missing values under missingkey=zero; Helm
                    // removes every occurrence from the output.
                    let text = if text.contains("<no value>") {
                        text.replace("<no value>", "")
                    } else {
                        text
                    };
                    files.insert(job.name.clone(), text);
                }
                Err(e) => {
                    return Err(RenderError::Exec {
                        message: reformat_exec_error(&job.name, &e),
                        engine: e,
                    })
                }
            }
        }
        Ok(Rendered {
            files,
            crds: crd_files(&chart, chart.name()),
            chart_name: chart.name().to_string(),
        })
    }

    fn template_set(&self, jobs: &[TemplateJob]) -> Result<Arc<TemplateSet>, RenderError> {
        let key = SetKey(
            jobs.iter()
                .map(|j| (j.name.clone(), j.source.as_ptr() as usize, j.source.len()))
                .collect(),
        );
        if let Some(set) = self.cache.lock().sets.get(&key) {
            return Ok(set.clone());
        }
        let mut ordered: Vec<&TemplateJob> = jobs.iter().collect();
        helm_template_order(&mut ordered);
        let mut set = TemplateSet::new(self.funcs.clone());
        set.set_root_name("gotpl");
        for job in ordered {
            let text = String::from_utf8_lossy(&job.source);
            if let Err(e) = set.add(&job.name, &text) {
                return Err(RenderError::Parse {
                    message: cleanup_parse_error(&job.name, &e),
                    engine: e,
                });
            }
        }
        let set = Arc::new(set);
        let mut cache = self.cache.lock();
        if cache.sets.len() >= self.cache_capacity {
            cache.sets.clear();
            cache.pinned_sources.clear();
        }
        cache.sets.insert(key, set.clone());
        cache
            .pinned_sources
            .push(jobs.iter().map(|j| j.source.clone()).collect());
        Ok(set)
    }
}

/// Installs the per-render function state for the current thread and removes it on drop, so a panic
/// or an early return cannot leak one render's state into the next.
struct StateGuard(Option<RenderState>);

impl StateGuard {
    fn install(state: RenderState) -> StateGuard {
        let previous = RENDER_STATE.with(|s| s.borrow_mut().replace(state));
        StateGuard(previous)
    }
}

impl Drop for StateGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        RENDER_STATE.with(|s| *s.borrow_mut() = previous);
    }
}

/// `values.schema.json` of the chart and each subchart, against its scoped values (Helm's
/// `ValidateAgainstSchema`).
fn validate_schema(chart: &Chart, values: &Map) -> Result<(), String> {
    fn node(c: &Chart) -> crate::schema::SchemaNode {
        crate::schema::SchemaNode {
            name: c.name().to_string(),
            schema: c.schema.as_ref().map(|s| s.to_vec()),
            dependencies: c.dependencies.iter().map(|d| node(d)).collect(),
        }
    }
    crate::schema::validate_tree(&node(chart), values).map_err(|e| e.0)
}

/// Renders with a process-wide [`Renderer`].
pub fn render(
    chart: &Chart,
    user_values: &Map,
    opts: &RenderOptions,
) -> Result<Rendered, RenderError> {
    static SHARED: std::sync::OnceLock<Renderer> = std::sync::OnceLock::new();
    SHARED
        .get_or_init(Renderer::new)
        .render(chart, user_values, opts)
}

/// `crds/` files of the chart and its subcharts with Helm's printed paths (`chart/charts/sub/crds/x`).
fn crd_files(chart: &Chart, full_path: &str) -> Vec<CrdFile> {
    let mut out: Vec<CrdFile> = chart
        .files
        .iter()
        .filter(|f| f.name.starts_with("crds/") && is_manifest_ext(&f.name))
        .map(|f| CrdFile {
            path: format!("{full_path}/{}", f.name),
            content: String::from_utf8_lossy(&f.data).into_owned(),
        })
        .collect();
    for d in &chart.dependencies {
        out.extend(crd_files(d, &format!("{full_path}/charts/{}", d.name())));
    }
    out
}

fn is_manifest_ext(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) => matches!(
            base[i..].to_ascii_lowercase().as_str(),
            ".yaml" | ".yml" | ".json"
        ),
        None => false,
    }
}

/// Helm's `cleanupParseError`: `parse error at (FILE:LINE): LAST_PART`.
fn cleanup_parse_error(filename: &str, err: &gotmpl::Error) -> String {
    let text = err.to_string();
    let tokens: Vec<&str> = text.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {text}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// Helm's `TraceableError`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Traceable {
    location: String,
    message: String,
    executed_function: String,
}

impl Traceable {
    fn render(&self) -> String {
        let mut s = String::new();
        if !self.location.is_empty() {
            s.push_str(&format!("{}\n  ", self.location));
        }
        if !self.executed_function.is_empty() {
            s.push_str(&format!("{}\n    ", self.executed_function));
        }
        if !self.message.is_empty() {
            s.push_str(&format!("{}\n", self.message));
        }
        s
    }
}

/// Cuts Helm's chained-error tail (` template:…`) off a message.
fn cut_chain(msg: &str) -> &str {
    match msg.find(" template:") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

/// Helm's `parseTemplateExecErrorString` on one error text. The second result is the text of the next
/// error in Go's wrap chain, when there is one.
fn parse_exec_error_text(s: &str) -> Option<(Traceable, Option<String>)> {
    let remainder = s.strip_prefix("template: ")?;
    if remainder.starts_with("no template ") {
        return Some((
            Traceable {
                location: String::new(),
                message: s.to_string(),
                executed_function: String::new(),
            },
            None,
        ));
    }
    if let Some((template_name, after)) = remainder.split_once(": executing ") {
        if let Some(after) = after.strip_prefix('"') {
            if let Some(end_quote) = after.find('"') {
                let function_name = &after[..end_quote];
                if let Some(after_at) = after[end_quote + 1..].strip_prefix(" at <") {
                    if let Some((location_name, err_msg)) = after_at.split_once(">: ") {
                        // Go wraps a function's error as `error calling NAME: %w`: the wrapped error is
                        // the next link of the chain.
                        let next = err_msg
                            .strip_prefix("error calling ")
                            .and_then(|r| r.split_once(": "))
                            .map(|(_, inner)| inner.to_string());
                        return Some((
                            Traceable {
                                location: template_name.to_string(),
                                message: cut_chain(err_msg).to_string(),
                                executed_function: format!(
                                    "executing \"{function_name}\" at <{location_name}>:"
                                ),
                            },
                            next,
                        ));
                    }
                }
            }
        }
        return None;
    }
    let sep = remainder.rfind(": ")?;
    Some((
        Traceable {
            location: remainder[..sep].to_string(),
            message: cut_chain(&remainder[sep + 2..]).to_string(),
            executed_function: String::new(),
        },
        None,
    ))
}

/// Helm's `reformatExecErrorMsg`: `fail`/`required` messages become `execution error at (LOC): MSG`;
/// chains of template errors become Helm's indented trace; anything else is returned as Go printed it.
fn reformat_exec_error(filename: &str, err: &gotmpl::Error) -> String {
    let text = err.to_string();
    if !matches!(err.kind, gotmpl::ErrorKind::Exec | gotmpl::ErrorKind::Limit) {
        return text;
    }
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({filename}): {text}");
    }
    let location = tokens[1];
    if let (Some(start), Some(end)) = (tokens[2].find(WARN_START), tokens[2].rfind(WARN_END)) {
        if start + WARN_START.len() <= end {
            return format!(
                "execution error at ({location}): {}",
                &tokens[2][start + WARN_START.len()..end]
            );
        }
    }
    // Walk Go's wrap chain: every link must be a template error, or Helm gives up and prints the original.
    let mut traces: Vec<Traceable> = Vec::new();
    let mut current = Some(text.clone());
    while let Some(msg) = current {
        let Some((t, next)) = parse_exec_error_text(&msg) else {
            return text;
        };
        if traces.last() != Some(&t) {
            traces.push(t);
        }
        current = next;
    }
    traces
        .iter()
        .map(Traceable::render)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(name: &str) -> TemplateJob {
        TemplateJob {
            name: name.to_string(),
            source: Arc::from(&b""[..]),
            base_path: String::new(),
            context: Map::new(),
        }
    }

    #[test]
    fn template_order_is_deepest_first_then_reverse_lexical() {
        let jobs = [
            job("c/templates/a.yaml"),
            job("c/charts/s/templates/b.yaml"),
            job("c/templates/b.yaml"),
        ];
        let mut refs: Vec<&TemplateJob> = jobs.iter().collect();
        helm_template_order(&mut refs);
        let names: Vec<&str> = refs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "c/charts/s/templates/b.yaml",
                "c/templates/b.yaml",
                "c/templates/a.yaml"
            ]
        );
    }

    #[test]
    fn parse_errors_keep_file_line_and_last_part() {
        let mut set = TemplateSet::new(Arc::new(FuncMap::new()));
        let err = match set.add("c/templates/x.yaml", "a\n{{ nope }}") {
            Err(e) => e,
            Ok(()) => panic!("should not parse"),
        };
        assert_eq!(
            cleanup_parse_error("c/templates/x.yaml", &err),
            "parse error at (c/templates/x.yaml:2): function \"nope\" not defined"
        );
    }

    #[test]
    fn trace_chain_through_include() {
        let inner = "template: c/templates/_h.tpl:1:3: executing \"h\" at <.x.y>: nil pointer evaluating interface {}.y";
        let outer = format!("template: c/templates/a.yaml:2:4: executing \"c/templates/a.yaml\" at <include \"h\" .>: error calling include: {inner}");
        let (t, next) = parse_exec_error_text(&outer).unwrap_or_else(|| panic!("parses"));
        assert_eq!(t.location, "c/templates/a.yaml:2:4");
        assert_eq!(t.message, "error calling include:");
        assert_eq!(next.as_deref(), Some(inner));
    }
}
