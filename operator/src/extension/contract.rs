//! The extension contract: the `hoist.dev/*` annotations of an extension chart's `Chart.yaml`, parsed into
//! typed structs after each one passed its JSON schema (`extension-charts/schema/`, compiled into the binary
//! so the operator validates with exactly the schemas the docs link to).
//!
//! Every annotation value is YAML inside a string. It is decoded the way Helm's `fromYaml` decodes it
//! (chart-renderer's YAML, so a chart template reading the same annotation sees the same data), turned into
//! JSON, checked against its schema, and only then deserialised; schema errors carry the annotation name and
//! the JSON path of the offending value. Checks a schema cannot express (the default version is listed,
//! upgrade targets exist, backup refers to declared hooks, the type equals the chart name) follow.

use chart_renderer::chart::Chart;
use chart_renderer::yaml::gojson::{to_json_string, JsonOptions};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// Annotation prefix of the contract.
pub const PREFIX: &str = "hoist.dev/";
/// The contract version this operator understands.
pub const CONTRACT_VERSION: &str = "v1alpha1";

pub const ANN_CONTRACT: &str = "hoist.dev/contract";
pub const ANN_TYPE: &str = "hoist.dev/type";
pub const ANN_VERSIONS: &str = "hoist.dev/versions";
pub const ANN_TOPOLOGIES: &str = "hoist.dev/topologies";
pub const ANN_HOOKS: &str = "hoist.dev/hooks";
pub const ANN_PARAMETERS: &str = "hoist.dev/parameters";
pub const ANN_ALLOWED_KINDS: &str = "hoist.dev/allowed-kinds";
pub const ANN_BACKUP: &str = "hoist.dev/backup";
pub const ANN_MONITORING: &str = "hoist.dev/monitoring";
pub const ANN_TLS: &str = "hoist.dev/tls";

/// Where the schemas are published (their `$id`s); `$ref`s between them resolve against it.
const SCHEMA_BASE: &str = "https://hoist.dev/schema/v1alpha1/";

/// The schema files, embedded: (file name, text).
const SCHEMAS: &[(&str, &str)] = &[
    (
        "annotations.schema.json",
        include_str!("../../../extension-charts/schema/annotations.schema.json"),
    ),
    (
        "versions.schema.json",
        include_str!("../../../extension-charts/schema/versions.schema.json"),
    ),
    (
        "topologies.schema.json",
        include_str!("../../../extension-charts/schema/topologies.schema.json"),
    ),
    (
        "hooks.schema.json",
        include_str!("../../../extension-charts/schema/hooks.schema.json"),
    ),
    (
        "parameters.schema.json",
        include_str!("../../../extension-charts/schema/parameters.schema.json"),
    ),
    (
        "allowed-kinds.schema.json",
        include_str!("../../../extension-charts/schema/allowed-kinds.schema.json"),
    ),
    (
        "backup.schema.json",
        include_str!("../../../extension-charts/schema/backup.schema.json"),
    ),
    (
        "monitoring.schema.json",
        include_str!("../../../extension-charts/schema/monitoring.schema.json"),
    ),
    (
        "tls.schema.json",
        include_str!("../../../extension-charts/schema/tls.schema.json"),
    ),
];

/// Every annotation of the contract, in the order errors and `inspect` list them: (name, required).
pub const ANNOTATIONS: &[(&str, bool)] = &[
    (ANN_CONTRACT, true),
    (ANN_TYPE, true),
    (ANN_VERSIONS, true),
    (ANN_TOPOLOGIES, false),
    (ANN_HOOKS, true),
    (ANN_PARAMETERS, true),
    (ANN_ALLOWED_KINDS, true),
    (ANN_BACKUP, false),
    (ANN_MONITORING, false),
    (ANN_TLS, false),
];

/// One thing wrong with a chart's contract: which annotation, where inside its value, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractIssue {
    /// The annotation (`hoist.dev/hooks`), or `Chart.yaml` for problems with the chart itself.
    pub annotation: String,
    /// JSON pointer into the annotation's decoded value (`/backup/job/template`); empty for the whole value.
    pub path: String,
    pub message: String,
}

impl fmt::Display for ContractIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "annotation {}: {}", self.annotation, self.message)
        } else {
            write!(
                f,
                "annotation {} at {}: {}",
                self.annotation, self.path, self.message
            )
        }
    }
}

impl ContractIssue {
    fn new(annotation: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        ContractIssue {
            annotation: annotation.to_string(),
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Every issue found, in annotation order (a non-empty list).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", join_issues(.0))]
pub struct ContractErrors(pub Vec<ContractIssue>);

fn join_issues(issues: &[ContractIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

// ---------------------------------------------------------------------------------------------------------
// Typed contract
// ---------------------------------------------------------------------------------------------------------

/// The parsed and validated `hoist.dev/*` annotations of one chart version.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    /// `hoist.dev/contract` (`v1alpha1`).
    pub contract: String,
    /// `hoist.dev/type`: the extension name used in `spec.type`.
    pub type_name: String,
    pub versions: Versions,
    /// Empty when the chart declares none (one implicit layout, any replica count).
    pub topologies: Vec<Topology>,
    pub hooks: BTreeMap<Operation, Hook>,
    pub parameters: Vec<Parameter>,
    pub allowed_kinds: Vec<AllowedKind>,
    pub backup: Option<Backup>,
    pub monitoring: Option<Monitoring>,
    pub tls: Option<Tls>,
}

/// `hoist.dev/versions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Versions {
    pub default: String,
    pub versions: Vec<EngineVersion>,
}

/// One engine version the chart offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineVersion {
    pub version: String,
    pub image: String,
    /// Versions reachable from this one in one step (nothing else is allowed).
    #[serde(default)]
    pub upgrade_to: Vec<String>,
    #[serde(default)]
    pub deprecated: bool,
}

impl Versions {
    /// The entry for `version`, if offered.
    pub fn get(&self, version: &str) -> Option<&EngineVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The default entry (always present in a validated contract).
    pub fn default_version(&self) -> Option<&EngineVersion> {
        self.get(&self.default)
    }

    /// Whether an instance on `from` may move to `to` in one step (staying put is always allowed).
    pub fn can_upgrade(&self, from: &str, to: &str) -> bool {
        from == to
            || self
                .get(from)
                .is_some_and(|v| v.upgrade_to.iter().any(|t| t == to))
    }
}

/// `hoist.dev/topologies` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Topology {
    pub name: String,
    pub replicas: ReplicaRange,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaRange {
    pub min: u32,
    pub max: u32,
}

/// The operations a chart can hook, in the contract's order (which is also the order `inspect` prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    RoleProbe,
    Reload,
    Restart,
    Failover,
    Switchover,
    MemberJoin,
    MemberLeave,
    Backup,
    Restore,
    PreUpgradeCheck,
    PostProvision,
    PreTerminate,
}

impl Operation {
    pub const ALL: [Operation; 12] = [
        Operation::RoleProbe,
        Operation::Reload,
        Operation::Restart,
        Operation::Failover,
        Operation::Switchover,
        Operation::MemberJoin,
        Operation::MemberLeave,
        Operation::Backup,
        Operation::Restore,
        Operation::PreUpgradeCheck,
        Operation::PostProvision,
        Operation::PreTerminate,
    ];

    /// The name used in annotations, `hoist.dev/hook` and `HOIST_OP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::RoleProbe => "roleProbe",
            Operation::Reload => "reload",
            Operation::Restart => "restart",
            Operation::Failover => "failover",
            Operation::Switchover => "switchover",
            Operation::MemberJoin => "memberJoin",
            Operation::MemberLeave => "memberLeave",
            Operation::Backup => "backup",
            Operation::Restore => "restore",
            Operation::PreUpgradeCheck => "preUpgradeCheck",
            Operation::PostProvision => "postProvision",
            Operation::PreTerminate => "preTerminate",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The hook of one operation: one action, plus phases and parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hook {
    #[serde(flatten)]
    pub action: HookAction,
    /// memberJoin/memberLeave: when it runs. Empty means the operation's default
    /// ([`Hook::effective_phases`]).
    #[serde(default)]
    pub phases: Vec<Phase>,
    #[serde(default)]
    pub params: Vec<HookParam>,
}

impl Hook {
    /// `phases`, or the contract's defaults (join: after, leave: before).
    pub fn effective_phases(&self, op: Operation) -> Vec<Phase> {
        if !self.phases.is_empty() {
            return self.phases.clone();
        }
        match op {
            Operation::MemberJoin => vec![Phase::After],
            Operation::MemberLeave => vec![Phase::Before],
            _ => Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HookAction {
    Exec(ExecAction),
    Job(JobAction),
    Signal(SignalAction),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecAction {
    pub container: String,
    pub command: Vec<String>,
    pub target: Target,
    pub timeout_seconds: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobAction {
    /// Chart path of the hook template (`templates/hooks/backup-job.yaml`).
    pub template: String,
    pub timeout_seconds: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalAction {
    /// `SIGHUP`, `SIGTERM`, …
    pub name: String,
    pub container: String,
    pub target: Target,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    Primary,
    Replicas,
    Any,
    All,
    Ordinal,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Primary => "primary",
            Target::Replicas => "replicas",
            Target::Any => "any",
            Target::All => "all",
            Target::Ordinal => "ordinal",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    Before,
    After,
}

/// A typed parameter of an operation (`HOIST_PARAM_<NAME>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookParam {
    pub name: String,
    #[serde(rename = "type")]
    pub param_type: String,
    #[serde(default)]
    pub required: bool,
    pub default: Option<Json>,
    #[serde(default)]
    pub description: String,
}

/// `hoist.dev/parameters` entry: an engine parameter `spec.config` may set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "type")]
    pub param_type: ParamType,
    pub apply: ApplyMode,
    /// Key of the chart's config ConfigMap the parameter lands in.
    pub file: String,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<Json>>,
    pub pattern: Option<String>,
    pub default: Option<Json>,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamType {
    String,
    Integer,
    Number,
    Boolean,
    Quantity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ApplyMode {
    /// Applied through the `reload` hook, no restart.
    Dynamic,
    /// Needs a rolling restart.
    Static,
    /// Only at creation.
    Immutable,
}

/// `hoist.dev/allowed-kinds` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedKind {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub cluster_scoped: bool,
}

/// `hoist.dev/backup`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    pub methods: Vec<BackupMethod>,
    pub restore: RestoreSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupMethod {
    pub name: String,
    pub kind: BackupKind,
    pub hook: String,
    pub requires: Option<BackupRequires>,
    pub artifact: Artifact,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BackupKind {
    Full,
    Incremental,
    /// Enables point-in-time restore.
    Continuous,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupRequires {
    /// `spec.config` settings the method needs.
    #[serde(default)]
    pub config: serde_json::Map<String, Json>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    pub format: String,
    pub files: Vec<String>,
    /// `backup-volume` or `stdout`.
    pub location: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreSpec {
    pub hook: String,
    /// `running`, `stopped` or `new`.
    pub into: String,
    #[serde(default)]
    pub point_in_time: bool,
    #[serde(default)]
    pub description: String,
}

/// `hoist.dev/monitoring`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Monitoring {
    pub metrics: MetricsEndpoint,
    pub alerts: Vec<Alert>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsEndpoint {
    pub container: String,
    pub port: u16,
    pub port_name: Option<String>,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub name: String,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    pub threshold: Option<f64>,
    pub unit: Option<String>,
    #[serde(rename = "for")]
    pub for_duration: Option<String>,
    #[serde(default)]
    pub description: String,
}

/// `hoist.dev/tls`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tls {
    pub secret_keys: TlsSecretKeys,
    pub mount_path: String,
    pub containers: Vec<String>,
    /// `none`, `optional` or `required`.
    pub client_auth: Option<String>,
    #[serde(default)]
    pub dns_names: Vec<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TlsSecretKeys {
    pub cert: String,
    pub key: String,
    pub ca: String,
}

// ---------------------------------------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------------------------------------

/// One compiled validator per annotation (the `annotations.schema.json` property it is checked against).
struct Validators {
    by_annotation: BTreeMap<&'static str, jsonschema::Validator>,
}

/// The schemas are part of the binary, so a failure to compile them is a build defect caught by the unit
/// tests; at run time it is reported as an issue of the annotation rather than a panic.
fn validators() -> &'static Result<Validators, String> {
    static CELL: OnceLock<Result<Validators, String>> = OnceLock::new();
    CELL.get_or_init(compile_validators)
}

fn compile_validators() -> Result<Validators, String> {
    let mut resources = Vec::new();
    let mut root = None;
    for (file, text) in SCHEMAS {
        let json: Json =
            serde_json::from_str(text).map_err(|e| format!("schema {file} is not JSON: {e}"))?;
        let resource = jsonschema::Resource::from_contents(json.clone())
            .map_err(|e| format!("schema {file}: {e}"))?;
        resources.push((format!("{SCHEMA_BASE}{file}"), resource));
        if *file == "annotations.schema.json" {
            root = Some(json);
        }
    }
    let root = root.ok_or("annotations.schema.json missing")?;
    let props = root
        .get("properties")
        .and_then(Json::as_object)
        .ok_or("annotations.schema.json has no properties")?;
    let mut by_annotation = BTreeMap::new();
    for (name, _) in ANNOTATIONS {
        let Some(prop) = props.get(*name) else {
            return Err(format!("annotations.schema.json does not describe {name}"));
        };
        // Wrap the property so its relative `$ref` resolves against the published base URL (in draft 7 a
        // `$ref` hides its sibling keywords, `$id` included, hence the `allOf`).
        let schema = serde_json::json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$id": format!("{SCHEMA_BASE}annotation-{}.json", &name[PREFIX.len()..]),
            "allOf": [prop],
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .with_resources(resources.clone().into_iter())
            .build(&schema)
            .map_err(|e| format!("schema of {name}: {e}"))?;
        by_annotation.insert(*name, validator);
    }
    Ok(Validators { by_annotation })
}

/// Decodes an annotation's YAML as Helm's `fromYaml` would and converts it to JSON.
fn decode_annotation(name: &str, text: &str) -> Result<Json, ContractIssue> {
    let value = chart_renderer::yaml::from_str(text)
        .map_err(|e| ContractIssue::new(name, "", format!("not valid YAML: {e}")))?;
    let json = to_json_string(&value, JsonOptions::default())
        .map_err(|e| ContractIssue::new(name, "", format!("cannot convert to JSON: {e}")))?;
    serde_json::from_str(&json)
        .map_err(|e| ContractIssue::new(name, "", format!("cannot convert to JSON: {e}")))
}

/// Validates one decoded annotation against its schema; every error becomes an issue.
fn schema_issues(name: &str, value: &Json) -> Vec<ContractIssue> {
    let validators = match validators() {
        Ok(v) => v,
        Err(e) => return vec![ContractIssue::new(name, "", format!("schema defect: {e}"))],
    };
    let Some(validator) = validators.by_annotation.get(name) else {
        return Vec::new();
    };
    let mut issues: Vec<ContractIssue> = validator
        .iter_errors(value)
        .map(|err| {
            let path = err.instance_path.to_string();
            let message = match &err.kind {
                // The generic `oneOf` text says nothing useful: say what the hook schema means by it.
                jsonschema::error::ValidationErrorKind::OneOfNotValid
                | jsonschema::error::ValidationErrorKind::OneOfMultipleValid
                    if name == ANN_HOOKS =>
                {
                    "a hook needs exactly one action: exec, job or signal".to_string()
                }
                _ => err.to_string(),
            };
            ContractIssue::new(name, path, message)
        })
        .collect();
    issues.sort_by(|a, b| a.path.cmp(&b.path));
    issues.dedup();
    issues
}

fn typed<T: serde::de::DeserializeOwned>(
    name: &str,
    value: &Json,
    issues: &mut Vec<ContractIssue>,
) -> Option<T> {
    match serde_json::from_value(value.clone()) {
        Ok(v) => Some(v),
        Err(e) => {
            issues.push(ContractIssue::new(name, "", e.to_string()));
            None
        }
    }
}

impl Contract {
    /// Parses and validates the contract of a loaded chart. All issues are reported together.
    pub fn from_chart(chart: &Chart) -> Result<Contract, ContractErrors> {
        let mut contract = Contract::from_annotations(&chart.metadata.annotations)?;
        if contract.type_name != chart.metadata.name {
            return Err(ContractErrors(vec![ContractIssue::new(
                ANN_TYPE,
                "",
                format!(
                    "type {:?} differs from the chart name {:?}",
                    contract.type_name, chart.metadata.name
                ),
            )]));
        }
        contract.topologies.sort_by_key(|t| t.replicas.min);
        Ok(contract)
    }

    /// Parses and validates the `hoist.dev/*` annotations of a `Chart.yaml`.
    pub fn from_annotations(
        annotations: &BTreeMap<String, String>,
    ) -> Result<Contract, ContractErrors> {
        let mut issues = Vec::new();
        for key in annotations.keys() {
            if key.starts_with(PREFIX) && !ANNOTATIONS.iter().any(|(n, _)| n == key) {
                issues.push(ContractIssue::new(
                    key,
                    "",
                    "unknown annotation of the hoist.dev contract",
                ));
            }
        }
        let mut decoded: BTreeMap<&str, Json> = BTreeMap::new();
        for (name, required) in ANNOTATIONS {
            let Some(text) = annotations.get(*name) else {
                if *required {
                    issues.push(ContractIssue::new(
                        name,
                        "",
                        "required annotation is missing",
                    ));
                }
                continue;
            };
            // contract and type are plain strings, not YAML documents.
            let value = if *name == ANN_CONTRACT || *name == ANN_TYPE {
                Json::String(text.trim().to_string())
            } else {
                match decode_annotation(name, text) {
                    Ok(v) => v,
                    Err(issue) => {
                        issues.push(issue);
                        continue;
                    }
                }
            };
            let found = schema_issues(name, &value);
            if found.is_empty() {
                decoded.insert(name, value);
            } else {
                issues.extend(found);
            }
        }
        if !issues.is_empty() {
            return Err(ContractErrors(issues));
        }

        let str_of = |name: &str| {
            decoded
                .get(name)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let versions: Option<Versions> = decoded
            .get(ANN_VERSIONS)
            .and_then(|v| typed(ANN_VERSIONS, v, &mut issues));
        let topologies: Vec<Topology> = decoded
            .get(ANN_TOPOLOGIES)
            .and_then(|v| typed(ANN_TOPOLOGIES, v, &mut issues))
            .unwrap_or_default();
        let hooks: BTreeMap<Operation, Hook> = decoded
            .get(ANN_HOOKS)
            .and_then(|v| typed(ANN_HOOKS, v, &mut issues))
            .unwrap_or_default();
        let parameters: Vec<Parameter> = decoded
            .get(ANN_PARAMETERS)
            .and_then(|v| typed(ANN_PARAMETERS, v, &mut issues))
            .unwrap_or_default();
        let allowed_kinds: Vec<AllowedKind> = decoded
            .get(ANN_ALLOWED_KINDS)
            .and_then(|v| typed(ANN_ALLOWED_KINDS, v, &mut issues))
            .unwrap_or_default();
        let backup: Option<Backup> = decoded
            .get(ANN_BACKUP)
            .and_then(|v| typed(ANN_BACKUP, v, &mut issues));
        let monitoring: Option<Monitoring> = decoded
            .get(ANN_MONITORING)
            .and_then(|v| typed(ANN_MONITORING, v, &mut issues));
        let tls: Option<Tls> = decoded
            .get(ANN_TLS)
            .and_then(|v| typed(ANN_TLS, v, &mut issues));
        let Some(versions) = versions else {
            return Err(ContractErrors(issues));
        };
        let contract = Contract {
            contract: str_of(ANN_CONTRACT),
            type_name: str_of(ANN_TYPE),
            versions,
            topologies,
            hooks,
            parameters,
            allowed_kinds,
            backup,
            monitoring,
            tls,
        };
        issues.extend(contract.semantic_issues());
        if issues.is_empty() {
            Ok(contract)
        } else {
            Err(ContractErrors(issues))
        }
    }

    /// What the schemas cannot say: cross references inside and between annotations.
    fn semantic_issues(&self) -> Vec<ContractIssue> {
        let mut issues = Vec::new();
        let v = &self.versions;
        if v.get(&v.default).is_none() {
            issues.push(ContractIssue::new(
                ANN_VERSIONS,
                "/default",
                format!("default version {:?} is not in versions", v.default),
            ));
        }
        for (i, entry) in v.versions.iter().enumerate() {
            if v.versions[..i].iter().any(|e| e.version == entry.version) {
                issues.push(ContractIssue::new(
                    ANN_VERSIONS,
                    format!("/versions/{i}/version"),
                    format!("version {:?} is listed twice", entry.version),
                ));
            }
            for (j, target) in entry.upgrade_to.iter().enumerate() {
                let path = format!("/versions/{i}/upgradeTo/{j}");
                if target == &entry.version {
                    issues.push(ContractIssue::new(
                        ANN_VERSIONS,
                        path,
                        format!("version {:?} lists itself as an upgrade target", target),
                    ));
                } else if v.get(target).is_none() {
                    issues.push(ContractIssue::new(
                        ANN_VERSIONS,
                        path,
                        format!("upgrade target {target:?} is not in versions"),
                    ));
                }
            }
        }
        for (i, t) in self.topologies.iter().enumerate() {
            if t.replicas.min > t.replicas.max {
                issues.push(ContractIssue::new(
                    ANN_TOPOLOGIES,
                    format!("/{i}/replicas"),
                    format!(
                        "min {} is greater than max {}",
                        t.replicas.min, t.replicas.max
                    ),
                ));
            }
            if self.topologies[..i].iter().any(|o| o.name == t.name) {
                issues.push(ContractIssue::new(
                    ANN_TOPOLOGIES,
                    format!("/{i}/name"),
                    format!("topology {:?} is listed twice", t.name),
                ));
            }
        }
        for (i, p) in self.parameters.iter().enumerate() {
            if self.parameters[..i].iter().any(|o| o.name == p.name) {
                issues.push(ContractIssue::new(
                    ANN_PARAMETERS,
                    format!("/{i}/name"),
                    format!("parameter {:?} is defined twice", p.name),
                ));
            }
            if let (Some(min), Some(max)) = (p.minimum, p.maximum) {
                if min > max {
                    issues.push(ContractIssue::new(
                        ANN_PARAMETERS,
                        format!("/{i}"),
                        format!("minimum {min} is greater than maximum {max}"),
                    ));
                }
            }
            if let Some(pattern) = &p.pattern {
                if let Err(e) = regex_syntax_check(pattern) {
                    issues.push(ContractIssue::new(
                        ANN_PARAMETERS,
                        format!("/{i}/pattern"),
                        format!("invalid regular expression: {e}"),
                    ));
                }
            }
        }
        for (op, hook) in &self.hooks {
            if !hook.phases.is_empty()
                && !matches!(op, Operation::MemberJoin | Operation::MemberLeave)
            {
                issues.push(ContractIssue::new(
                    ANN_HOOKS,
                    format!("/{op}/phases"),
                    "phases apply only to memberJoin and memberLeave",
                ));
            }
        }
        if let Some(backup) = &self.backup {
            for (i, m) in backup.methods.iter().enumerate() {
                if !self.hooks.contains_key(&Operation::Backup) {
                    issues.push(ContractIssue::new(
                        ANN_BACKUP,
                        format!("/methods/{i}/hook"),
                        format!(
                            "method {:?} uses hook {:?}, which hoist.dev/hooks does not define",
                            m.name, m.hook
                        ),
                    ));
                }
                if backup.methods[..i].iter().any(|o| o.name == m.name) {
                    issues.push(ContractIssue::new(
                        ANN_BACKUP,
                        format!("/methods/{i}/name"),
                        format!("method {:?} is listed twice", m.name),
                    ));
                }
                if let Some(req) = &m.requires {
                    for key in req.config.keys() {
                        if !self.parameters.iter().any(|p| &p.name == key) {
                            issues.push(ContractIssue::new(
                                ANN_BACKUP,
                                format!("/methods/{i}/requires/config/{key}"),
                                format!("requires parameter {key:?}, which hoist.dev/parameters does not define"),
                            ));
                        }
                    }
                }
            }
            if !self.hooks.contains_key(&Operation::Restore) {
                issues.push(ContractIssue::new(
                    ANN_BACKUP,
                    "/restore/hook",
                    "restore uses hook \"restore\", which hoist.dev/hooks does not define",
                ));
            }
        }
        issues
    }

    /// Whether the chart may create objects of this kind.
    pub fn allows_kind(&self, api_version: &str, kind: &str) -> bool {
        self.allowed_kinds
            .iter()
            .any(|k| k.api_version == api_version && k.kind == kind)
    }

    /// The topology that accepts `name`, if declared.
    pub fn topology(&self, name: &str) -> Option<&Topology> {
        self.topologies.iter().find(|t| t.name == name)
    }

    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }
}

/// Parameter patterns are JSON-schema (ECMA 262) regular expressions; the `regex` syntax is close enough
/// to catch the mistakes that matter (unbalanced groups, bad escapes) and is what the operator validates
/// `spec.config` with.
fn regex_syntax_check(pattern: &str) -> Result<(), String> {
    jsonschema::validator_for(&serde_json::json!({ "pattern": pattern }))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn chart_annotations(name: &str) -> BTreeMap<String, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../extension-charts")
            .join(name);
        let chart = Chart::load(&dir).unwrap();
        chart.metadata.annotations.clone()
    }

    #[test]
    fn schemas_compile() {
        assert!(validators().is_ok(), "{:?}", validators().as_ref().err());
    }

    #[test]
    fn reference_charts_parse() {
        for name in ["redis", "postgresql", "mysql", "kafka"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../extension-charts")
                .join(name);
            let chart = Chart::load(&dir).unwrap();
            let c = Contract::from_chart(&chart).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.type_name, name);
            assert!(c.versions.default_version().is_some());
            assert!(!c.allowed_kinds.is_empty());
        }
    }

    #[test]
    fn redis_contract_details() {
        let c = Contract::from_annotations(&chart_annotations("redis")).unwrap();
        assert_eq!(c.versions.default, "7.2");
        assert!(c.versions.can_upgrade("7.0", "7.2"));
        assert!(!c.versions.can_upgrade("7.2", "7.0"));
        let backup = &c.hooks[&Operation::Backup];
        assert!(
            matches!(&backup.action, HookAction::Job(j) if j.template == "templates/hooks/backup-job.yaml")
        );
        let restart = &c.hooks[&Operation::Restart];
        assert!(matches!(&restart.action, HookAction::Signal(s) if s.name == "SIGTERM"));
        let leave = &c.hooks[&Operation::MemberLeave];
        assert_eq!(
            leave.effective_phases(Operation::MemberLeave),
            vec![Phase::Before, Phase::After]
        );
        let p = c.parameter("databases").unwrap();
        assert_eq!(p.apply, ApplyMode::Static);
        assert_eq!(p.maximum, Some(256.0));
        assert!(c.allows_kind("apps/v1", "StatefulSet"));
        assert!(!c.allows_kind("apps/v1", "Deployment"));
        assert_eq!(c.monitoring.as_ref().unwrap().metrics.port, 9121);
        assert_eq!(c.tls.as_ref().unwrap().mount_path, "/etc/hoist/tls");
        assert_eq!(c.topology("replication").unwrap().replicas.min, 3);
    }

    fn with(
        base: &BTreeMap<String, String>,
        key: &str,
        value: Option<&str>,
    ) -> BTreeMap<String, String> {
        let mut a = base.clone();
        match value {
            Some(v) => a.insert(key.to_string(), v.to_string()),
            None => a.remove(key),
        };
        a
    }

    fn issues(a: &BTreeMap<String, String>) -> Vec<ContractIssue> {
        Contract::from_annotations(a).unwrap_err().0
    }

    #[test]
    fn schema_errors_name_annotation_and_path() {
        let base = chart_annotations("redis");
        let a = with(
            &base,
            ANN_VERSIONS,
            Some("default: \"7.2\"\nversions:\n  - {version: \"7.2\", image: \"\"}\n"),
        );
        let i = issues(&a);
        assert_eq!(i.len(), 1, "{i:?}");
        assert_eq!(i[0].annotation, ANN_VERSIONS);
        assert_eq!(i[0].path, "/versions/0/image");

        let a = with(
            &base,
            ANN_HOOKS,
            Some("reload:\n  exec: {container: redis, command: [x], target: everywhere}\n"),
        );
        let i = issues(&a);
        assert_eq!(i[0].annotation, ANN_HOOKS);
        assert_eq!(i[0].path, "/reload/exec/target");

        let a = with(
            &base,
            ANN_HOOKS,
            Some("reload:\n  exec: {container: redis, command: [x], target: all}\n  signal: {name: SIGHUP, container: redis, target: all}\n"),
        );
        let i = issues(&a);
        assert_eq!(i[0].path, "/reload");
        assert!(i[0].message.contains("exactly one action"), "{i:?}");

        let a = with(&base, ANN_ALLOWED_KINDS, None);
        let i = issues(&a);
        assert_eq!(i[0].annotation, ANN_ALLOWED_KINDS);
        assert!(i[0].message.contains("missing"));

        let a = with(
            &base,
            ANN_PARAMETERS,
            Some("- {name: x, type: float, apply: dynamic, file: a.conf}"),
        );
        let i = issues(&a);
        assert_eq!(i[0].path, "/0/type");

        let a = with(&base, ANN_MONITORING, Some("metrics: [unclosed"));
        let i = issues(&a);
        assert_eq!(i[0].annotation, ANN_MONITORING);
        assert!(i[0].message.contains("not valid YAML"), "{i:?}");

        let a = with(&base, "hoist.dev/typo", Some("x"));
        assert_eq!(issues(&a)[0].annotation, "hoist.dev/typo");
    }

    #[test]
    fn semantic_errors() {
        let base = chart_annotations("redis");
        let a = with(
            &base,
            ANN_VERSIONS,
            Some("default: \"8.0\"\nversions:\n  - {version: \"7.2\", image: i, upgradeTo: [\"9.9\"]}\n"),
        );
        let i = issues(&a);
        assert_eq!(i.len(), 2, "{i:?}");
        assert_eq!(i[0].path, "/default");
        assert_eq!(i[1].path, "/versions/0/upgradeTo/0");

        let a = with(
            &base,
            ANN_HOOKS,
            Some("reload:\n  exec: {container: redis, command: [x], target: all}\n"),
        );
        let i = issues(&a);
        assert!(
            i.iter()
                .any(|x| x.annotation == ANN_BACKUP && x.path == "/methods/0/hook"),
            "{i:?}"
        );
        assert!(
            i.iter()
                .any(|x| x.annotation == ANN_BACKUP && x.path == "/restore/hook"),
            "{i:?}"
        );
    }

    #[test]
    fn type_must_equal_chart_name() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension-charts/redis");
        let chart = Chart::load(&dir).unwrap();
        let mut chart = (*chart).clone();
        chart
            .metadata
            .annotations
            .insert(ANN_TYPE.into(), "valkey".into());
        let e = Contract::from_chart(&chart).unwrap_err();
        assert_eq!(e.0[0].annotation, ANN_TYPE);
        assert!(e.to_string().contains("differs from the chart name"));
    }
}
