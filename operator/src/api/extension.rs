//! `MiddlewareExtension`: where a middleware type's chart comes from.

// kube's `printcolumn(...)` repeats `type_ = ...` once per column, which clippy takes for a duplicate.
#![allow(clippy::duplicated_attributes)]

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An extension chart published to an OCI registry: it makes one chart version of a middleware type
/// available to Middleware objects. Several chart versions of one type may coexist, one object each.
#[derive(CustomResource, Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[kube(
    group = "hoist.dev",
    version = "v1alpha1",
    kind = "MiddlewareExtension",
    plural = "middlewareextensions",
    singular = "middlewareextension",
    shortname = "mwx",
    category = "hoist",
    status = "MiddlewareExtensionStatus",
    doc = "An extension chart in an OCI registry that provides one chart version of a middleware type.",
    printcolumn(
        name = "Type",
        type_ = "string",
        json_path = ".status.type",
        description = "Middleware type the chart provides"
    ),
    printcolumn(
        name = "Chart",
        type_ = "string",
        json_path = ".status.chartVersion",
        description = "Chart version"
    ),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status",
        description = "Chart pulled and valid"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareExtensionSpec {
    /// Repository of the chart, without scheme: `registry.example.com/hoist/redis`. Charts pushed with
    /// `helm push` work as they are.
    #[schemars(length(min = 1))]
    pub repository: String,
    /// Tag (the chart version, as `helm push` tags it). Exactly one of tag and digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Manifest digest (`sha256:...`). Exactly one of tag and digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub digest: Option<String>,
    /// Secret (type kubernetes.io/dockerconfigjson, or with `username` and `password` keys) with the
    /// registry credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_secret: Option<SecretReference>,
    /// Talk plain HTTP to the registry. Only for local test registries.
    #[serde(default, rename = "plainHTTP")]
    pub plain_http: bool,
}

/// A Secret in a given namespace.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretReference {
    /// Secret name.
    pub name: String,
    /// Secret namespace.
    pub namespace: String,
}

/// What Hoist found at the reference.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MiddlewareExtensionStatus {
    /// The middleware type the chart provides (its `hoist.dev/type`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Resolved manifest digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Chart version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    /// Engine version used when a Middleware names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_version: Option<String>,
    /// Engine versions the chart offers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// Operations the chart has hooks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
    /// Engine parameters a Middleware may set in spec.config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ParameterSummary>,
    /// Ready (chart pulled, parsed and valid) and Stalled, with reasons and messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The metadata.generation this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// One engine parameter.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ParameterSummary {
    /// Parameter name as written in spec.config.
    pub name: String,
    /// string, integer, number, boolean or quantity.
    #[serde(rename = "type")]
    pub type_: String,
    /// dynamic (no restart), static (rolling restart) or immutable.
    pub apply: String,
}
