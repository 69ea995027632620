//! `Middleware`: one instance of a middleware type, rendered from its extension chart.

// kube's `printcolumn(...)` repeats `type_ = ...` once per column, which clippy takes for a duplicate.
#![allow(clippy::duplicated_attributes)]

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A middleware instance (Redis, PostgreSQL, …) run from the extension chart of its `type`. Hoist renders
/// the chart with values built from this spec, applies the objects with server-side apply, keeps them in
/// sync and removes them as `terminationPolicy` says.
#[derive(CustomResource, Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[kube(
    group = "hoist.dev",
    version = "v1alpha1",
    kind = "Middleware",
    plural = "middlewares",
    singular = "middleware",
    namespaced,
    shortname = "mw",
    category = "hoist",
    status = "MiddlewareStatus",
    doc = "A middleware instance (Redis, PostgreSQL, ...) that Hoist runs from the extension chart of its type.",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    ),
    printcolumn(
        name = "Type",
        type_ = "string",
        json_path = ".spec.type",
        description = "Middleware type (extension name)"
    ),
    printcolumn(
        name = "Version",
        type_ = "string",
        json_path = ".status.version",
        description = "Engine version running"
    ),
    printcolumn(
        name = "Phase",
        type_ = "string",
        json_path = ".status.phase",
        description = "Lifecycle phase"
    ),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.ready",
        description = "Ready members / desired members"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareSpec {
    /// The middleware type: the name of an extension published as a MiddlewareExtension (`redis`,
    /// `postgresql`, ...). Immutable.
    #[serde(rename = "type")]
    #[schemars(
        length(min = 1, max = 63),
        regex(pattern = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    )]
    pub type_: String,
    /// Engine version, one of the versions the extension offers (see `kubectl get mwx -o yaml`,
    /// status.versions). Empty: the extension's default version, fixed at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Pins the extension chart this instance uses. Without it, a new instance takes the newest chart
    /// version of its type and stays on it until this field asks for another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionPin>,
    /// Number of members. The scale subresource sets this (`kubectl scale mw/NAME --replicas=3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub replicas: Option<i32>,
    /// Compute resources of the engine container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// The data volume of each member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
    /// Engine parameters, name to scalar value. Only names the extension declares (status.parameters of
    /// its MiddlewareExtension) are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "scalar_map")]
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
    /// Free-form chart values merged over everything Hoist sets (the escape hatch). Validated against
    /// the chart's values.schema.json.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// Running (default) or Stopped: stopped instances keep their data volumes, Secrets and Services but
    /// run no members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// What deleting this Middleware does: Delete (default) removes everything including data volumes;
    /// Retain keeps data volumes (PVCs) and Secrets; DoNotTerminate refuses deletion until changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_policy: Option<TerminationPolicy>,
    /// Transport encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSpec>,
    /// Scheduled backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupSpec>,
    /// Metrics and alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitoringSpec>,
}

/// Which chart of the type to use.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionPin {
    /// Chart version (SemVer) of a loaded MiddlewareExtension of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    /// Manifest digest (`sha256:...`) of a loaded MiddlewareExtension of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Requests and limits by resource name (`cpu`, `memory`, ...), as in a container's resources.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// Minimum resources guaranteed to the engine container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<BTreeMap<String, IntOrString>>,
    /// Maximum resources the engine container may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<BTreeMap<String, IntOrString>>,
}

/// The data volume of each member.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Storage {
    /// Volume size (a quantity such as `10Gi`). It can grow, never shrink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<IntOrString>,
    /// StorageClass of the volumes; empty means the cluster default. Immutable once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
}

/// Desired run state.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum State {
    #[default]
    Running,
    Stopped,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Running => "Running",
            State::Stopped => "Stopped",
        }
    }
}

/// What deleting a Middleware does.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum TerminationPolicy {
    /// Remove every object, data volumes included.
    #[default]
    Delete,
    /// Remove workloads and Services but keep data volumes (PVCs) and Secrets.
    Retain,
    /// Refuse deletion: the Middleware stays (with a condition) until the policy changes.
    DoNotTerminate,
}

/// Transport encryption.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TlsSpec {
    /// Serve only TLS on the engine's ports.
    #[serde(default)]
    pub enabled: bool,
    /// Secret with `tls.crt`, `tls.key` and `ca.crt` (cert-manager layout). Empty: `<name>-tls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
}

/// Scheduled backups.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BackupSpec {
    /// Run scheduled backups.
    #[serde(default)]
    pub enabled: bool,
    /// Cron schedule of the backups (`0 3 * * *`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Backup method, one of the extension's methods. Empty: the extension's first method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Number of backups kept; 0 keeps all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub retention: Option<i32>,
    /// Where backups are written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<BackupStorage>,
}

/// The backup volume: an existing claim, or one the chart creates.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BackupStorage {
    /// An existing PersistentVolumeClaim in the instance namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_name: Option<String>,
    /// Size of the backup volume the chart creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<IntOrString>,
    /// StorageClass of the backup volume; empty means the cluster default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
}

/// Metrics and alerts.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringSpec {
    /// Run the metrics exporter and expose it through a `<name>-metrics` Service.
    #[serde(default)]
    pub enabled: bool,
    /// Prometheus alert rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<AlertsSpec>,
}

/// Prometheus alert rules (a PrometheusRule object).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertsSpec {
    /// Render the PrometheusRule.
    #[serde(default)]
    pub enabled: bool,
    /// Changes to the extension's default alerts, by alert name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<BTreeMap<String, AlertOverride>>,
}

/// A change to one alert's defaults.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertOverride {
    /// Threshold in the alert's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Severity label (`warning`, `critical`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Leave this alert out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// Observed state of a Middleware, written by Hoist only.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareStatus {
    /// Lifecycle phase: Pending, Creating, Running, Updating, Stopping, Stopped, Upgrading, Failed,
    /// Deleting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// Ready, Reconciling, Stalled and Degraded (kstatus conventions), with reasons and messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The metadata.generation this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Engine version running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The extension chart the instance is rendered from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ResolvedExtension>,
    /// Every object Hoist applied for this instance (used to prune what a new render drops).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inventory: Vec<InventoryEntry>,
    /// Desired members (for the scale subresource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Members ready, from the workloads' status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// `readyReplicas/replicas`, for `kubectl get`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<String>,
    /// Label selector of the members' pods (for the scale subresource and autoscalers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// How clients connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Connection>,
}

/// Lifecycle phase of a Middleware.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Creating,
    Running,
    Updating,
    Stopping,
    Stopped,
    Upgrading,
    Failed,
    Deleting,
}

/// The extension chart an instance is rendered from.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedExtension {
    /// The MiddlewareExtension object.
    pub name: String,
    /// The middleware type (spec.type when the instance was created; it cannot change).
    #[serde(rename = "type")]
    pub type_: String,
    /// Chart version.
    pub chart_version: String,
    /// OCI manifest digest of the chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// One applied object.
#[derive(
    Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "camelCase")]
pub struct InventoryEntry {
    /// API version (`apps/v1`).
    pub api_version: String,
    /// Kind (`StatefulSet`).
    pub kind: String,
    /// Name.
    pub name: String,
    /// Namespace; empty for cluster-scoped objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// How clients connect to the instance.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Service DNS name (`<service>.<namespace>.svc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Service port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Secret holding the credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
}

/// `config`: names to scalars of any JSON type (the API server keeps them as given).
fn scalar_map(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "description": "Engine parameters, name to scalar value. Only names the extension declares (status.parameters of its MiddlewareExtension) are accepted.",
        "additionalProperties": {"x-kubernetes-preserve-unknown-fields": true}
    })
}

/// `values`: any chart values.
fn free_form_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "description": "Free-form chart values merged over everything Hoist sets (the escape hatch). Validated against the chart's values.schema.json.",
        "x-kubernetes-preserve-unknown-fields": true
    })
}
