//! `hoist extension lint`: contract checks on top of Helm-lint-like basics.
//!
//! The chart is rendered (with Hoist's renderer, byte-identical to Helm's) for its default values, for each
//! declared topology, and for each topology with every optional feature on (TLS, backup, monitoring); every
//! job hook is rendered for its operation. Then:
//! - every annotation passes its schema and the contract's cross checks ([`Contract::from_chart`]);
//! - every rendered object parses, has `apiVersion`/`kind`, is in `hoist.dev/allowed-kinds`, stays in the
//!   release namespace, and is cluster-scoped only when declared so;
//! - job hook templates exist, render objects annotated `hoist.dev/hook: <op>` for their operation and
//!   nothing otherwise; exec/signal containers exist in some rendered pod; scripts under `/hoist/hooks/`
//!   exist in `files/hooks/`;
//! - every parameter's `file` is a key of a rendered ConfigMap;
//! - the monitoring container, the TLS containers and the alerts appear in the full-feature renders;
//! - `values.yaml` defaults the engine to the default version and its image.

use super::contract::{
    Contract, HookAction, Operation, ParamType, ANN_HOOKS, ANN_MONITORING, ANN_PARAMETERS, ANN_TLS,
    ANN_VERSIONS,
};
use chart_renderer::chart::Chart;
use chart_renderer::render::{self, ReleaseOptions, RenderOptions};
use chart_renderer::yaml::gojson::{to_json_string, JsonOptions};
use serde::Serialize;
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Release namespace of lint renders.
const LINT_NAMESPACE: &str = "lint";
const LINT_RELEASE: &str = "lint";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LintMessage {
    pub severity: Severity,
    /// What the message is about: an annotation with a JSON path, a template, `Chart.yaml`, `values.yaml`.
    pub location: String,
    pub message: String,
}

impl fmt::Display for LintMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        };
        write!(f, "[{sev}] {}: {}", self.location, self.message)
    }
}

/// The messages of one chart.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LintReport {
    pub chart: String,
    pub messages: Vec<LintMessage>,
}

impl LintReport {
    pub fn has_errors(&self) -> bool {
        self.messages.iter().any(|m| m.severity == Severity::Error)
    }

    fn push(
        &mut self,
        severity: Severity,
        location: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.messages.push(LintMessage {
            severity,
            location: location.into(),
            message: message.into(),
        });
    }
}

/// One rendered object.
struct Object {
    template: String,
    value: Json,
}

/// One configuration the chart was rendered with.
struct Render {
    config: String,
    objects: Vec<Object>,
    /// Template path (without the chart-name prefix) → rendered text.
    files: BTreeMap<String, String>,
    /// Rendered with every optional feature on.
    full: bool,
}

/// Merges `over` into `base` (maps key by key, everything else replaced).
fn merge(base: &mut Json, over: &Json) {
    match (base, over) {
        (Json::Object(b), Json::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Json::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// Lints the chart directory (or archive) at `path`.
pub fn lint_path(path: &Path) -> LintReport {
    let mut report = LintReport {
        chart: path.display().to_string(),
        ..LintReport::default()
    };
    match Chart::load(path) {
        Ok(chart) => lint_chart(&chart, &mut report),
        Err(e) => report.push(
            Severity::Error,
            "Chart.yaml",
            format!("cannot load chart: {e}"),
        ),
    }
    report
}

fn to_json(v: &gotmpl::Value) -> Option<Json> {
    serde_json::from_str(&to_json_string(v, JsonOptions::default()).ok()?).ok()
}

fn json_to_values(v: &Json) -> gotmpl::Map {
    chart_renderer::yaml::from_str_map(&v.to_string()).unwrap_or_default()
}

fn render_config(
    chart: &Arc<Chart>,
    config: &str,
    values: &Json,
    report: &mut LintReport,
) -> Option<Render> {
    let opts = RenderOptions {
        release: ReleaseOptions {
            name: LINT_RELEASE.into(),
            namespace: LINT_NAMESPACE.into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        },
        ..RenderOptions::default()
    };
    let rendered = match render::render(chart, &json_to_values(values), &opts) {
        Ok(r) => r,
        Err(e) => {
            report.push(Severity::Error, format!("render {config}"), e.to_string());
            return None;
        }
    };
    let prefix = format!("{}/", chart.metadata.name);
    let mut out = Render {
        config: config.to_string(),
        objects: Vec::new(),
        files: BTreeMap::new(),
        full: false,
    };
    for (path, text) in rendered.manifests_without_notes() {
        let template = path.strip_prefix(&prefix).unwrap_or(&path).to_string();
        let base = template.rsplit('/').next().unwrap_or(&template);
        if base.starts_with('_') {
            continue;
        }
        for doc in chart_renderer::manifests::split_manifests(&text) {
            let value = match chart_renderer::yaml::from_str(&doc) {
                Ok(v) => v,
                Err(e) => {
                    report.push(
                        Severity::Error,
                        format!("{template} ({config})"),
                        format!("rendered YAML does not parse: {e}"),
                    );
                    continue;
                }
            };
            let Some(value) = to_json(&value) else {
                continue;
            };
            if value.is_null() {
                continue;
            }
            let api = value.get("apiVersion").and_then(Json::as_str).unwrap_or("");
            let kind = value.get("kind").and_then(Json::as_str).unwrap_or("");
            if api.is_empty() || kind.is_empty() {
                report.push(
                    Severity::Error,
                    format!("{template} ({config})"),
                    "object without apiVersion or kind",
                );
                continue;
            }
            out.objects.push(Object {
                template: template.clone(),
                value,
            });
        }
        out.files.insert(template, text);
    }
    Some(out)
}

/// Kinds that are cluster-scoped in Kubernetes (the ones a chart could plausibly render).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "CSIDriver",
    "RuntimeClass",
    "IngressClass",
    "PodSecurityPolicy",
];

/// Pod specs of a workload object.
fn pod_specs(obj: &Json) -> Vec<&Json> {
    let kind = obj.get("kind").and_then(Json::as_str).unwrap_or("");
    let spec = match kind {
        "Pod" => obj.get("spec"),
        "CronJob" => obj.pointer("/spec/jobTemplate/spec/template/spec"),
        _ => obj.pointer("/spec/template/spec"),
    };
    spec.into_iter().collect()
}

fn container_names(obj: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for spec in pod_specs(obj) {
        for key in ["containers", "initContainers"] {
            if let Some(list) = spec.get(key).and_then(Json::as_array) {
                out.extend(
                    list.iter()
                        .filter_map(|c| c.get("name")?.as_str().map(String::from)),
                );
            }
        }
    }
    out
}

fn placeholder(param_type: &str) -> Json {
    match param_type {
        "integer" => json!(1),
        "boolean" => json!(true),
        _ => json!("lint"),
    }
}

pub fn lint_chart(chart: &Arc<Chart>, report: &mut LintReport) {
    report.chart = format!("{} {}", chart.metadata.name, chart.metadata.version);
    let contract = match Contract::from_chart(chart) {
        Ok(c) => Some(c),
        Err(errors) => {
            for issue in errors.0 {
                let location = if issue.path.is_empty() {
                    issue.annotation.clone()
                } else {
                    format!("{} {}", issue.annotation, issue.path)
                };
                report.push(Severity::Error, location, issue.message);
            }
            None
        }
    };

    // Configurations: defaults, each topology, each topology with every feature on (and once per backup
    // method). The flag marks renders with every feature on.
    let mut configs: Vec<(String, Json, bool)> = vec![("default values".into(), json!({}), false)];
    let mut features = json!({"tls": {"enabled": true}, "monitoring": {"enabled": true, "alerts": {"enabled": true}}});
    let methods: Vec<(String, Json)> = contract
        .as_ref()
        .and_then(|c| c.backup.as_ref())
        .map(|b| {
            b.methods
                .iter()
                .map(|m| {
                    let config = m
                        .requires
                        .as_ref()
                        .map(|r| Json::Object(r.config.clone()))
                        .unwrap_or(json!({}));
                    (m.name.clone(), config)
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some((first, config)) = methods.first() {
        features["backup"] = json!({"enabled": true, "method": first});
        features["config"] = config.clone();
    }
    let mut topologies: Vec<(String, Option<u32>)> = contract
        .as_ref()
        .map(|c| {
            c.topologies
                .iter()
                .map(|t| (t.name.clone(), Some(t.replicas.min.max(1))))
                .collect()
        })
        .unwrap_or_default();
    if topologies.is_empty() {
        topologies.push((String::new(), None));
    }
    for (name, replicas) in &topologies {
        let mut base = json!({});
        let mut label = String::from("all features");
        if let Some(r) = replicas {
            base = json!({"topology": name, "hoist": {"replicas": r}});
            label = format!("topology {name} with all features");
            configs.push((format!("topology {name}"), base.clone(), false));
        }
        let mut full = base.clone();
        merge(&mut full, &json!({"hoist": features.clone()}));
        configs.push((label.clone(), full.clone(), true));
        for (method, config) in methods.iter().skip(1) {
            let mut v = full.clone();
            merge(
                &mut v,
                &json!({"hoist": {"backup": {"method": method}, "config": config}}),
            );
            configs.push((format!("{label}, backup method {method}"), v, true));
        }
    }
    let renders: Vec<Render> = configs
        .iter()
        .filter_map(|(name, values, full)| {
            render_config(chart, name, values, report).map(|mut r| {
                r.full = *full;
                r
            })
        })
        .collect();

    let Some(contract) = contract else { return };

    // Allowed kinds, namespaces, cluster scope.
    let mut reported = BTreeSet::new();
    for r in &renders {
        for obj in &r.objects {
            let api = obj.value["apiVersion"].as_str().unwrap_or("");
            let kind = obj.value["kind"].as_str().unwrap_or("");
            let allowed = contract
                .allowed_kinds
                .iter()
                .find(|k| k.api_version == api && k.kind == kind);
            let problem = match allowed {
                None => Some((
                    api.to_string(),
                    format!("renders {api} {kind}, which hoist.dev/allowed-kinds does not list"),
                )),
                Some(k) if CLUSTER_SCOPED.contains(&kind) && !k.cluster_scoped => Some((
                    "scope".to_string(),
                    format!("{kind} is cluster-scoped; hoist.dev/allowed-kinds must declare it with clusterScoped: true"),
                )),
                _ => None,
            };
            if let Some((key, message)) = problem {
                // One message per template and kind, not one per configuration.
                if reported.insert((obj.template.clone(), key, kind.to_string())) {
                    report.push(
                        Severity::Error,
                        format!("{} ({})", obj.template, r.config),
                        message,
                    );
                }
            }
            if let Some(ns) = obj
                .value
                .pointer("/metadata/namespace")
                .and_then(Json::as_str)
            {
                if ns != LINT_NAMESPACE
                    && reported.insert((obj.template.clone(), "ns".into(), ns.to_string()))
                {
                    report.push(
                        Severity::Error,
                        format!("{} ({})", obj.template, r.config),
                        format!("{kind} is placed in namespace {ns:?}, not the instance namespace"),
                    );
                }
            }
        }
    }

    let containers: BTreeSet<String> = renders
        .iter()
        .flat_map(|r| r.objects.iter().flat_map(|o| container_names(&o.value)))
        .collect();
    let full_containers: BTreeSet<String> = renders
        .iter()
        .filter(|r| r.full)
        .flat_map(|r| r.objects.iter().flat_map(|o| container_names(&o.value)))
        .collect();

    // Hooks.
    let template_names: BTreeSet<&str> = chart.templates.iter().map(|t| t.name.as_str()).collect();
    let file_names: BTreeSet<&str> = chart.files.iter().map(|f| f.name.as_str()).collect();
    for (op, hook) in &contract.hooks {
        match &hook.action {
            HookAction::Job(job) => {
                let loc = format!("{ANN_HOOKS} /{op}/job/template");
                if !template_names.contains(job.template.as_str()) {
                    report.push(
                        Severity::Error,
                        loc,
                        format!("hook template {} does not exist", job.template),
                    );
                    continue;
                }
                lint_job_hook(chart, &contract, *op, &job.template, &renders, &loc, report);
            }
            HookAction::Exec(exec) => {
                check_container(
                    &containers,
                    &exec.container,
                    &format!("{ANN_HOOKS} /{op}/exec/container"),
                    report,
                );
                for (i, arg) in exec.command.iter().enumerate() {
                    if let Some(script) = arg.strip_prefix("/hoist/hooks/") {
                        let file = format!("files/hooks/{script}");
                        if !file_names.contains(file.as_str()) {
                            report.push(
                                Severity::Error,
                                format!("{ANN_HOOKS} /{op}/exec/command/{i}"),
                                format!("script {arg} is not shipped: {file} does not exist"),
                            );
                        }
                    }
                }
            }
            HookAction::Signal(sig) => {
                check_container(
                    &containers,
                    &sig.container,
                    &format!("{ANN_HOOKS} /{op}/signal/container"),
                    report,
                );
            }
        }
    }

    // Parameters land in a rendered config file.
    let config_keys: BTreeSet<String> = renders
        .iter()
        .flat_map(|r| r.objects.iter())
        .filter(|o| o.value["kind"] == "ConfigMap")
        .filter_map(|o| {
            o.value
                .get("data")?
                .as_object()
                .map(|d| d.keys().cloned().collect::<Vec<_>>())
        })
        .flatten()
        .collect();
    for (i, p) in contract.parameters.iter().enumerate() {
        if !config_keys.contains(&p.file) {
            report.push(
                Severity::Error,
                format!("{ANN_PARAMETERS} /{i}/file"),
                format!(
                    "parameter {} lands in {:?}, which no rendered ConfigMap contains",
                    p.name, p.file
                ),
            );
        }
        if p.param_type != ParamType::Integer
            && p.param_type != ParamType::Number
            && (p.minimum.is_some() || p.maximum.is_some())
        {
            report.push(
                Severity::Warning,
                format!("{ANN_PARAMETERS} /{i}"),
                format!(
                    "minimum/maximum are ignored for a parameter of type {:?}",
                    p.param_type
                ),
            );
        }
    }

    // Monitoring and TLS appear when switched on.
    if let Some(m) = &contract.monitoring {
        if !full_containers.is_empty() && !full_containers.contains(&m.metrics.container) {
            report.push(
                Severity::Error,
                format!("{ANN_MONITORING} /metrics/container"),
                format!(
                    "container {:?} is not rendered with monitoring enabled",
                    m.metrics.container
                ),
            );
        }
        let rule_text: String = renders
            .iter()
            .filter(|r| r.full)
            .flat_map(|r| r.objects.iter())
            .filter(|o| o.value["kind"] == "PrometheusRule")
            .map(|o| o.value.to_string())
            .collect();
        for (i, alert) in m.alerts.iter().enumerate() {
            if !rule_text.contains(&format!("\"alert\":\"{}\"", alert.name)) {
                report.push(
                    Severity::Error,
                    format!("{ANN_MONITORING} /alerts/{i}"),
                    format!("alert {} is not in the rendered PrometheusRule (monitoring and alerts enabled)", alert.name),
                );
            }
        }
    }
    if let Some(tls) = &contract.tls {
        for (i, c) in tls.containers.iter().enumerate() {
            if !full_containers.is_empty() && !full_containers.contains(c) {
                report.push(
                    Severity::Error,
                    format!("{ANN_TLS} /containers/{i}"),
                    format!("container {c:?} is not rendered with TLS enabled"),
                );
            }
        }
    }

    // values.yaml defaults match the default version.
    let values = to_json(&gotmpl::Value::Map(chart.values_copy())).unwrap_or(Json::Null);
    if let Some(def) = contract.versions.default_version() {
        let version = values.pointer("/hoist/version").and_then(Json::as_str);
        if version != Some(def.version.as_str()) {
            report.push(
                Severity::Warning,
                format!("values.yaml hoist.version ({ANN_VERSIONS})"),
                format!("is {version:?}, the default version is {:?}", def.version),
            );
        }
        let image = values.pointer("/hoist/image").and_then(Json::as_str);
        if image != Some(def.image.as_str()) {
            report.push(
                Severity::Warning,
                format!("values.yaml hoist.image ({ANN_VERSIONS})"),
                format!(
                    "is {image:?}, the default version's image is {:?}",
                    def.image
                ),
            );
        }
    }
}

fn check_container(containers: &BTreeSet<String>, name: &str, loc: &str, report: &mut LintReport) {
    if !containers.is_empty() && !containers.contains(name) {
        report.push(
            Severity::Error,
            loc,
            format!(
                "container {name:?} is not in any rendered pod (rendered: {})",
                containers.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }
}

fn lint_job_hook(
    chart: &Arc<Chart>,
    contract: &Contract,
    op: Operation,
    template: &str,
    renders: &[Render],
    loc: &str,
    report: &mut LintReport,
) {
    let Some(hook) = contract.hooks.get(&op) else {
        return;
    };
    let with_backup = contract.backup.is_some();
    for r in renders {
        if r.files.get(template).is_some_and(|t| !t.trim().is_empty()) {
            report.push(
                Severity::Error,
                loc,
                format!("{template} renders objects without a running operation ({}); hook templates must render nothing unless hoist.operation.name is {op}", r.config),
            );
            return;
        }
    }
    let params: serde_json::Map<String, Json> = hook
        .params
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.default
                    .clone()
                    .unwrap_or_else(|| placeholder(&p.param_type)),
            )
        })
        .collect();
    let mut values = json!({"hoist": {
        "operation": {"name": op.as_str(), "id": "lint", "params": params},
    }});
    if with_backup {
        values["hoist"]["backup"] = json!({"enabled": true});
    }
    let config = format!("operation {op}");
    let Some(r) = render_config(chart, &config, &values, report) else {
        return;
    };
    let objects: Vec<&Object> = r
        .objects
        .iter()
        .filter(|o| o.template == template)
        .collect();
    if objects.is_empty() {
        report.push(
            Severity::Error,
            loc,
            format!("{template} renders nothing when {op} runs"),
        );
    }
    for o in objects {
        let ann = o
            .value
            .pointer("/metadata/annotations/hoist.dev~1hook")
            .and_then(Json::as_str);
        if ann != Some(op.as_str()) {
            report.push(
                Severity::Error,
                loc,
                format!(
                    "{} {} from {template} is not annotated hoist.dev/hook: {op} (found {ann:?})",
                    o.value["kind"].as_str().unwrap_or(""),
                    o.value
                        .pointer("/metadata/name")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart_dir(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../extension-charts")
            .join(name)
    }

    #[test]
    fn reference_charts_lint_clean() {
        for name in ["redis", "postgresql", "mysql", "kafka"] {
            let r = lint_path(&chart_dir(name));
            let bad: Vec<String> = r
                .messages
                .iter()
                .filter(|m| m.severity >= Severity::Warning)
                .map(ToString::to_string)
                .collect();
            assert!(bad.is_empty(), "{name}: {bad:#?}");
        }
    }

    #[test]
    fn broken_copy_reports_each_problem() {
        let chart = Chart::load(chart_dir("redis")).unwrap();
        let mut c = (*chart).clone();
        let ann = &mut c.metadata.annotations;
        let kinds = ann["hoist.dev/allowed-kinds"]
            .replace("- {apiVersion: apps/v1, kind: StatefulSet}\n", "");
        ann.insert("hoist.dev/allowed-kinds".into(), kinds);
        let hooks = ann["hoist.dev/hooks"]
            .replace(
                "templates/hooks/backup-job.yaml",
                "templates/hooks/missing.yaml",
            )
            .replace("/hoist/hooks/reload.sh", "/hoist/hooks/nope.sh")
            .replace(
                "exec: {container: redis, command: [sh, /hoist/hooks/pre-terminate.sh]",
                "exec: {container: ghost, command: [sh, /hoist/hooks/pre-terminate.sh]",
            );
        ann.insert("hoist.dev/hooks".into(), hooks);
        let params = ann["hoist.dev/parameters"].replace(
            "name: hz, type: integer, apply: dynamic, file: redis.conf",
            "name: hz, type: integer, apply: dynamic, file: nowhere.conf",
        );
        ann.insert("hoist.dev/parameters".into(), params);
        let mut report = LintReport::default();
        lint_chart(&Arc::new(c), &mut report);
        let text: Vec<String> = report.messages.iter().map(ToString::to_string).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(
            has("renders apps/v1 StatefulSet, which hoist.dev/allowed-kinds does not list"),
            "{text:#?}"
        );
        assert!(
            has("/backup/job/template: hook template templates/hooks/missing.yaml does not exist"),
            "{text:#?}"
        );
        assert!(
            has("/reload/exec/command/1: script /hoist/hooks/nope.sh is not shipped"),
            "{text:#?}"
        );
        assert!(
            has("/preTerminate/exec/container: container \"ghost\""),
            "{text:#?}"
        );
        assert!(has("parameter hz lands in \"nowhere.conf\""), "{text:#?}");
        assert!(report.has_errors());
    }
}
