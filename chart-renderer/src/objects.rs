//! Helm's template objects: `.Files`, `.Capabilities`, `.Release`, `.Chart`, `.Subcharts`, and the
//! per-chart template contexts Helm's engine builds (`recAllTpls` in `pkg/engine/engine.go`).
//!
//! In Helm v4 `.Chart` is a *map* (`MetadataAsMap`, Go field names plus `IsRoot`), so a missing field is a
//! missing key, not an error; `.Release` is a map too. `.Files` and `.Capabilities` are Go types with
//! methods, here [`gotmpl::Object`]s.

use crate::chart::{Chart, File};
use gotmpl::value::MapType;
use gotmpl::{Map, Object, ObjectRef, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------------------
// .Files

/// Helm's `engine.files` (`map[string][]byte`) with its methods.
#[derive(Clone, Debug, Default)]
pub struct Files {
    files: BTreeMap<String, Arc<[u8]>>,
}

impl Files {
    pub fn new(from: &[File]) -> Self {
        Files {
            files: from
                .iter()
                .map(|f| (f.name.clone(), Arc::clone(&f.data)))
                .collect(),
        }
    }

    /// `GetBytes`: the file's bytes, empty when absent.
    pub fn get_bytes(&self, name: &str) -> Arc<[u8]> {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| Arc::from(&[][..]))
    }

    /// `Get`: the file as a string (Go converts bytes to string without checking UTF-8; invalid sequences
    /// are replaced here, as any Rust string must be valid).
    pub fn get(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.get_bytes(name)).into_owned()
    }

    /// `Glob`: the files whose names match a gobwas/glob pattern with `/` as separator; an invalid pattern
    /// matches everything (Helm falls back to `**`).
    pub fn glob(&self, pattern: &str) -> Files {
        let g = Glob::compile(pattern).unwrap_or_else(|| Glob(vec![GlobTok::Super]));
        Files {
            files: self
                .files
                .iter()
                .filter(|(k, _)| g.matches(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// `AsConfig`: YAML of base name → content.
    pub fn as_config(&self) -> Result<String, String> {
        let m: Map = self
            .files
            .iter()
            .map(|(k, v)| {
                (
                    base_name(k).to_string(),
                    Value::from(String::from_utf8_lossy(v).into_owned()),
                )
            })
            .collect();
        to_yaml(&m)
    }

    /// `AsSecrets`: YAML of base name → base64 content.
    pub fn as_secrets(&self) -> Result<String, String> {
        use base64::Engine as _;
        let m: Map = self
            .files
            .iter()
            .map(|(k, v)| {
                (
                    base_name(k).to_string(),
                    Value::from(base64::engine::general_purpose::STANDARD.encode(v)),
                )
            })
            .collect();
        to_yaml(&m)
    }

    /// `Lines`: the file split on `\n`, one trailing newline dropped; empty when absent. Helm v4.2.3 only
    /// checks for a *nil* entry and then indexes the last byte, so an existing empty file panics (checked
    /// with the reference engine); the panic surfaces as this error.
    pub fn lines(&self, name: &str) -> Result<Vec<String>, String> {
        let Some(data) = self.files.get(name) else {
            return Ok(Vec::new());
        };
        if data.is_empty() {
            return Err("runtime error: index out of range [-1]".into());
        }
        let s = String::from_utf8_lossy(data);
        let s = s.strip_suffix('\n').unwrap_or(&s);
        Ok(s.split('\n').map(str::to_string).collect())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn base_name(p: &str) -> &str {
    // Go's path.Base: last element (names never end with `/` here).
    p.rsplit('/').next().unwrap_or(p)
}

/// Helm's engine-local `toYAML`: sigs.k8s.io/yaml output with the trailing newline removed; on error, an
/// empty string (Helm ignores the error).
fn to_yaml(m: &Map) -> Result<String, String> {
    let s = crate::yaml::to_string(&Value::Map(m.clone())).map_err(|e| e.to_string())?;
    Ok(s.strip_suffix('\n').unwrap_or(&s).to_string())
}

fn string_arg<'a>(method: &str, args: &'a [Value]) -> Result<&'a str, String> {
    match args {
        [Value::String(s)] => Ok(s),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
        _ => Err(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        )),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn is_true(&self) -> bool {
        !self.files.is_empty()
    }
    /// A map type: `.Files.name` indexes the map; a missing key gives the zero `[]byte`.
    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::Bytes(self.get_bytes(name)))
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "AsConfig" | "AsSecrets" | "Lines"
        )
    }
    fn method_arity(&self, name: &str) -> (usize, bool) {
        match name {
            "AsConfig" | "AsSecrets" => (0, false),
            _ => (1, false),
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        Ok(match name {
            "Get" => Value::from(self.get(string_arg(name, args)?)),
            "GetBytes" => Value::Bytes(self.get_bytes(string_arg(name, args)?)),
            "Glob" => Value::Object(Arc::new(self.glob(string_arg(name, args)?))),
            // Helm's toYAML swallows marshalling errors into an empty string.
            "AsConfig" => Value::from(self.as_config().unwrap_or_default()),
            "AsSecrets" => Value::from(self.as_secrets().unwrap_or_default()),
            "Lines" => Value::string_list(
                self.lines(string_arg(name, args)?)?
                    .into_iter()
                    .map(Value::from)
                    .collect(),
            ),
            _ => return Err(format!("{name} is not a method of engine.files")),
        })
    }
    fn go_format(&self) -> String {
        let items: Vec<String> = self
            .files
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}:[{}]",
                    v.iter().map(u8::to_string).collect::<Vec<_>>().join(" ")
                )
            })
            .collect();
        format!("map[{}]", items.join(" "))
    }
    /// Go's json encodes `[]byte` as base64.
    fn to_json(&self) -> serde_json::Value {
        use base64::Engine as _;
        serde_json::Value::Object(
            self.files
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        serde_json::Value::String(
                            base64::engine::general_purpose::STANDARD.encode(v),
                        ),
                    )
                })
                .collect(),
        )
    }
    fn as_collection(&self) -> Option<Value> {
        Some(Value::Map(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        ))
    }
}

/// gobwas/glob, as `.Files.Glob` compiles patterns with `/` as the separator: `*` (no `/`), `**`
/// (anything), `?` (one non-`/`), `[abc]`/`[!a-z]`, `{a,b}` alternatives, `\` escapes. Hand-written: the
/// `glob`/`globset` crates treat `**` only as a whole path component and lack gobwas's exact rules.
#[derive(Clone, Debug)]
struct Glob(Vec<GlobTok>);

#[derive(Clone, Debug)]
enum GlobTok {
    Lit(char),
    Any,
    Super,
    Single,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Alt(Vec<Glob>),
}

impl Glob {
    fn compile(p: &str) -> Option<Glob> {
        let chars: Vec<char> = p.chars().collect();
        let (g, rest) = Self::parse_seq(&chars, 0, false)?;
        (rest == chars.len()).then_some(g)
    }

    /// Parses until the end, or inside `{…}` until `,`/`}` (not consumed).
    fn parse_seq(c: &[char], mut i: usize, in_alt: bool) -> Option<(Glob, usize)> {
        let mut toks = Vec::new();
        while i < c.len() {
            match c[i] {
                ',' | '}' if in_alt => break,
                '}' => return None,
                '*' => {
                    if c.get(i + 1) == Some(&'*') {
                        toks.push(GlobTok::Super);
                        i += 2;
                    } else {
                        toks.push(GlobTok::Any);
                        i += 1;
                    }
                }
                '?' => {
                    toks.push(GlobTok::Single);
                    i += 1;
                }
                '\\' => {
                    toks.push(GlobTok::Lit(*c.get(i + 1)?));
                    i += 2;
                }
                '[' => {
                    i += 1;
                    let negated = c.get(i) == Some(&'!');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        let ch = *c.get(i)?;
                        if ch == ']' {
                            i += 1;
                            break;
                        }
                        if c.get(i + 1) == Some(&'-') && c.get(i + 2).is_some_and(|x| *x != ']') {
                            ranges.push((ch, c[i + 2]));
                            i += 3;
                        } else {
                            ranges.push((ch, ch));
                            i += 1;
                        }
                    }
                    if ranges.is_empty() {
                        return None;
                    }
                    toks.push(GlobTok::Class { negated, ranges });
                }
                '{' => {
                    i += 1;
                    let mut alts = Vec::new();
                    loop {
                        let (g, next) = Self::parse_seq(c, i, true)?;
                        alts.push(g);
                        match c.get(next) {
                            Some(',') => i = next + 1,
                            Some('}') => {
                                i = next + 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                    toks.push(GlobTok::Alt(alts));
                }
                ch => {
                    toks.push(GlobTok::Lit(ch));
                    i += 1;
                }
            }
        }
        Some((Glob(toks), i))
    }

    fn matches(&self, s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        match_toks(&self.0, &chars, &[])
    }
}

/// Matches `toks` followed by the continuation `rest` (needed for alternatives) against `s`.
fn match_toks(toks: &[GlobTok], s: &[char], rest: &[&[GlobTok]]) -> bool {
    let Some((first, tail)) = toks.split_first() else {
        return match rest.split_first() {
            Some((next, more)) => match_toks(next, s, more),
            None => s.is_empty(),
        };
    };
    match first {
        GlobTok::Lit(c) => s.first() == Some(c) && match_toks(tail, &s[1..], rest),
        GlobTok::Single => s.first().is_some_and(|c| *c != '/') && match_toks(tail, &s[1..], rest),
        GlobTok::Class { negated, ranges } => s.first().is_some_and(|c| {
            *c != '/'
                && (ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated)
                && match_toks(tail, &s[1..], rest)
        }),
        GlobTok::Any | GlobTok::Super => {
            for k in 0..=s.len() {
                if match_toks(tail, &s[k..], rest) {
                    return true;
                }
                if k < s.len() && s[k] == '/' && matches!(first, GlobTok::Any) {
                    return false;
                }
            }
            false
        }
        GlobTok::Alt(alts) => alts.iter().any(|a| {
            let mut cont: Vec<&[GlobTok]> = vec![tail];
            cont.extend_from_slice(rest);
            match_toks(&a.0, s, &cont)
        }),
    }
}

// ---------------------------------------------------------------------------------------------------------
// .Capabilities

/// `common.KubeVersion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    /// Full version with `v` (e.g. `v1.33.4-gke.1245000`); also `GitVersion`.
    pub version: String,
    /// `v1.33.4`: what `String()` and constraint checks use.
    pub normalized: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Helm's `ParseKubeVersion` over k8s `ParseGeneric`: `v?N(.N)*` then anything; at least `major.minor`.
    /// Errors are k8s's texts (`could not parse "abc" as version`, `illegal version string "1"`).
    pub fn parse(version: &str) -> Result<KubeVersion, String> {
        let body = version.strip_prefix('v').unwrap_or(version);
        let b = body.as_bytes();
        let mut components: Vec<u64> = Vec::new();
        let mut i = 0;
        loop {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                break;
            }
            let n = body[start..i]
                .parse::<u64>()
                .map_err(|e| format!("illegal version string {version:?}: {e}"))?;
            components.push(n);
            // Another component only if a digit follows the dot (the regex is `[0-9]+(\.[0-9]+)*`).
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                i += 1;
            } else {
                break;
            }
        }
        if components.is_empty() {
            return Err(format!("could not parse {version:?} as version"));
        }
        if components.len() < 2 {
            return Err(format!("illegal version string {version:?}"));
        }
        let git = if version.starts_with('v') {
            version.to_string()
        } else {
            format!("v{version}")
        };
        Ok(KubeVersion {
            version: git,
            normalized: format!(
                "v{}",
                components
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(".")
            ),
            major: components[0].to_string(),
            minor: components[1].to_string(),
        })
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(self.version.as_str().into()),
            "Major" => Some(self.major.as_str().into()),
            "Minor" => Some(self.minor.as_str().into()),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "String" | "GitVersion")
    }
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, String> {
        match name {
            "String" => Ok(self.normalized.as_str().into()),
            "GitVersion" => Ok(self.version.as_str().into()),
            _ => Err(format!("{name} is not a method of common.KubeVersion")),
        }
    }
    /// Templates print it through its `String()` method (Go takes the address of the addressable field).
    fn go_format(&self) -> String {
        self.normalized.clone()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"Version": self.version, "Major": self.major, "Minor": self.minor})
    }
}

/// `common.VersionSet` (`[]string`) with `Has`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSet(pub Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn is_true(&self) -> bool {
        !self.0.is_empty()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method_arity(&self, _name: &str) -> (usize, bool) {
        (1, false)
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let v = string_arg(name, args)?;
        Ok(Value::Bool(self.0.iter().any(|x| x == v)))
    }
    fn go_format(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.0
                .iter()
                .map(|s| serde_json::Value::String(s.clone()))
                .collect(),
        )
    }
    fn as_collection(&self) -> Option<Value> {
        Some(Value::list(
            self.0.iter().map(|s| Value::from(s.as_str())).collect(),
        ))
    }
}

/// `version.BuildInfo`: `.Capabilities.HelmVersion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    pub version: String,
    pub git_commit: String,
    pub git_tree_state: String,
    pub go_version: String,
    pub kube_client_version: String,
}

impl Object for BuildInfo {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let s = match name {
            "Version" => &self.version,
            "GitCommit" => &self.git_commit,
            "GitTreeState" => &self.git_tree_state,
            "GoVersion" => &self.go_version,
            "KubeClientVersion" => &self.kube_client_version,
            _ => return None,
        };
        Some(s.as_str().into())
    }
    fn go_format(&self) -> String {
        format!(
            "{{{} {} {} {} {}}}",
            self.version,
            self.git_commit,
            self.git_tree_state,
            self.go_version,
            self.kube_client_version
        )
    }
    fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("version".into(), self.version.clone().into());
        if !self.git_commit.is_empty() {
            m.insert("git_commit".into(), self.git_commit.clone().into());
        }
        if !self.git_tree_state.is_empty() {
            m.insert("git_tree_state".into(), self.git_tree_state.clone().into());
        }
        m.insert("go_version".into(), self.go_version.clone().into());
        m.insert(
            "kube_client_version".into(),
            self.kube_client_version.clone().into(),
        );
        serde_json::Value::Object(m)
    }
}

/// The API group versions Helm v4.2.3 reports by default (client-go's scheme, in its priority order),
/// taken from the reference engine (`toJson .Capabilities.APIVersions` through helm-python-sdk 0.2.2).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `*common.Capabilities`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: VersionSet,
    pub helm_version: BuildInfo,
}

impl Default for Capabilities {
    /// Helm v4.2.3's `DefaultCapabilities`: Kubernetes v1.36.0 (client-go's minor, major + 1), the default
    /// API versions, and its build info — all as the reference engine reports them.
    fn default() -> Self {
        Capabilities {
            kube_version: KubeVersion {
                version: "v1.36.0".into(),
                normalized: "v1.36.0".into(),
                major: "1".into(),
                minor: "36".into(),
            },
            api_versions: VersionSet(DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect()),
            helm_version: BuildInfo {
                version: "v4.2".into(),
                git_commit: String::new(),
                git_tree_state: String::new(),
                go_version: "go1.26.6".into(),
                kube_client_version: "v1.36".into(),
            },
        }
    }
}

impl Capabilities {
    /// Defaults with another Kubernetes version (`--kube-version`).
    pub fn with_kube_version(mut self, version: &str) -> Result<Self, String> {
        self.kube_version = KubeVersion::parse(version)?;
        Ok(self)
    }

    /// Adds extra API versions (`--api-versions`), which may name kinds (`apps/v1/Deployment`). Helm
    /// appends them after the defaults.
    pub fn with_extra_api_versions<I: IntoIterator<Item = String>>(mut self, extra: I) -> Self {
        self.api_versions.0.extend(extra);
        self
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(Arc::new(self.kube_version.clone()))),
            "APIVersions" => Some(Value::Object(Arc::new(self.api_versions.clone()))),
            "HelmVersion" => Some(Value::Object(Arc::new(self.helm_version.clone()))),
            _ => None,
        }
    }
    fn go_format(&self) -> String {
        let kv = &self.kube_version;
        format!(
            "&{{{{{} {} {} {}}} {} {}}}",
            kv.version,
            kv.normalized,
            kv.major,
            kv.minor,
            self.api_versions.go_format(),
            self.helm_version.go_format()
        )
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "KubeVersion": self.kube_version.to_json(),
            "APIVersions": self.api_versions.to_json(),
            "HelmVersion": self.helm_version.to_json(),
        })
    }
}

// ---------------------------------------------------------------------------------------------------------
// Render contexts

/// Helm's `common.ReleaseOptions`.
#[derive(Clone, Debug)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_upgrade: bool,
    pub is_install: bool,
}

impl Default for ReleaseOptions {
    /// What `helm template`/`install` use by default: revision 1, an install.
    fn default() -> Self {
        ReleaseOptions {
            name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_upgrade: false,
            is_install: true,
        }
    }
}

/// `.Release` as a map.
pub fn release_map(o: &ReleaseOptions) -> Map {
    let m = Map::new();
    m.insert("Name", o.name.as_str().into());
    m.insert("Namespace", o.namespace.as_str().into());
    m.insert("IsUpgrade", Value::Bool(o.is_upgrade));
    m.insert("IsInstall", Value::Bool(o.is_install));
    m.insert("Revision", Value::Int(o.revision));
    m.insert("Service", "Helm".into());
    m
}

/// Helm's `ToRenderValues` (without schema validation, which [`crate::schema`] does): the top-level map
/// with `Chart`, `Capabilities`, `Release` and `Values` (already computed by [`crate::values::compute`]).
pub fn render_context(
    chart: &Chart,
    values: Map,
    release: &ReleaseOptions,
    caps: &Arc<Capabilities>,
) -> Map {
    let top = Map::new();
    top.insert("Chart", Value::Map(chart.metadata.to_value_map()));
    top.insert("Capabilities", Value::Object(Arc::clone(caps) as ObjectRef));
    top.insert("Release", Value::Map(release_map(release)));
    // Helm passes these as its named `common.Values` type (`typeOf`, `dig` and Go's type checks see it).
    top.insert("Values", Value::Map(values.with_type(MapType::Values)));
    top.with_type(MapType::Values)
}

/// Helm's pre-render check (`renderResources` in `pkg/action/action.go`): a chart whose `kubeVersion`
/// constraint the target Kubernetes version does not satisfy is refused. (The oracle's offline render
/// skips this check; the rule and text are from Helm's source.)
pub fn check_kube_version(chart: &Chart, caps: &Capabilities) -> Result<(), String> {
    let constraint = &chart.metadata.kube_version;
    if constraint.is_empty()
        || crate::deps::is_compatible_range(constraint, &caps.kube_version.normalized)
    {
        return Ok(());
    }
    Err(format!(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {}",
        caps.kube_version.version
    ))
}

/// `helm install`'s `checkIfInstallable`: only application charts (type `""` or `application`) install.
pub fn check_installable(chart: &Chart) -> Result<(), String> {
    match chart.metadata.chart_type.as_str() {
        "" | "application" => Ok(()),
        other => Err(format!("{other} charts are not installable")),
    }
}

/// Everything the engine needs for one render, in Helm's order: dependencies processed and values
/// coalesced ([`crate::values::compute`]), the top-level context ([`render_context`]), then every
/// template with its chart's context ([`template_jobs`]). Schema validation is left to the caller.
pub fn prepare_render(
    chart: &Chart,
    user_values: &Map,
    release: &ReleaseOptions,
    caps: &Arc<Capabilities>,
) -> Result<(crate::values::Computed, Vec<TemplateJob>), crate::values::ValuesError> {
    let computed = crate::values::compute(chart, user_values)?;
    let top = render_context(&computed.chart, computed.values.clone(), release, caps);
    let jobs = template_jobs(&computed.chart, &top);
    Ok((computed, jobs))
}

/// One template to render, with the context map its chart gets (`.Template` is added per template with
/// [`set_template`]).
#[derive(Clone, Debug)]
pub struct TemplateJob {
    /// Full name, e.g. `mychart/charts/sub/templates/x.yaml`.
    pub name: String,
    pub source: Arc<[u8]>,
    /// `mychart/charts/sub/templates`.
    pub base_path: String,
    /// The chart's context: `Chart`, `Files`, `Release`, `Capabilities`, `Values`, `Subcharts`.
    pub context: Map,
}

/// Helm's `recAllTpls`: walks the (dependency-processed) chart tree from the render context
/// ([`render_context`]) and returns every template with its chart's context. Subcharts see
/// `.Values.<name>` of their parent as `.Values` (an empty map if that is not a map); library charts
/// contribute only their `_`-prefixed templates. Order: a chart's subcharts' templates first, then its own.
pub fn template_jobs(chart: &Chart, top: &Map) -> Vec<TemplateJob> {
    let mut jobs = Vec::new();
    rec_all_tpls(chart, top, true, &chart.metadata.name, &mut jobs);
    jobs
}

fn rec_all_tpls(
    c: &Chart,
    vals: &Map,
    is_root: bool,
    full_path: &str,
    jobs: &mut Vec<TemplateJob>,
) -> Map {
    let chart_meta = c.metadata.to_value_map();
    chart_meta.insert("IsRoot", Value::Bool(is_root));
    let subcharts = Map::new();
    let next = Map::new();
    next.insert("Chart", Value::Map(chart_meta));
    next.insert("Files", Value::Object(Arc::new(Files::new(&c.files))));
    next.insert("Release", vals.get("Release").unwrap_or(Value::Nil));
    next.insert(
        "Capabilities",
        vals.get("Capabilities").unwrap_or(Value::Nil),
    );
    let own_values = if is_root {
        vals.get("Values").unwrap_or(Value::Nil)
    } else {
        match vals.get("Values") {
            Some(Value::Map(pv)) => match pv.get(c.name()) {
                Some(Value::Map(m)) => Value::Map(m.with_type(MapType::Values)),
                _ => Value::Map(Map::new().with_type(MapType::Values)),
            },
            _ => Value::Map(Map::new().with_type(MapType::Values)),
        }
    };
    next.insert("Values", own_values);
    next.insert("Subcharts", Value::Map(subcharts.clone()));

    for child in &c.dependencies {
        let child_path = format!("{full_path}/charts/{}", child.name());
        let child_ctx = rec_all_tpls(child, &next, false, &child_path, jobs);
        subcharts.insert(child.name(), Value::Map(child_ctx));
    }
    let is_library = c.is_library();
    for t in c.templates.iter() {
        if is_library && !base_name(&t.name).starts_with('_') {
            continue;
        }
        jobs.push(TemplateJob {
            name: format!("{full_path}/{}", t.name),
            source: Arc::clone(&t.data),
            base_path: format!("{full_path}/templates"),
            // Helm's renderable holds the context as `common.Values`.
            context: next.with_type(MapType::Values),
        });
    }
    next
}

/// Sets `.Template` (`Name`, `BasePath`) in a chart context, as Helm's engine does before executing each
/// template.
pub fn set_template(context: &Map, name: &str, base_path: &str) {
    let t = Map::new().with_type(MapType::Values);
    t.insert("Name", name.into());
    t.insert("BasePath", base_path.into());
    context.insert("Template", Value::Map(t));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gobwas_glob() {
        let m = |p: &str, s: &str| Glob::compile(p).is_some_and(|g| g.matches(s));
        assert!(m("files/*", "files/a.txt"));
        assert!(!m("files/*", "files/sub/c.txt"));
        assert!(m("**.txt", "files/sub/c.txt"));
        assert!(m("files/{a,b}.*", "files/b.yaml"));
        assert!(!m("*", "files/a.txt"));
        assert!(m("[!a]*", "README.md"));
        assert!(Glob::compile("[").is_none());
        assert!(m("{a,b/**}x", "b/c/x"));
    }

    #[test]
    fn kube_versions() {
        // Expected values from the reference engine's `--kube-version` handling.
        let k = KubeVersion::parse("1.29.3-eks-abc").expect("parses");
        assert_eq!(
            (k.version.as_str(), k.normalized.as_str(), k.minor.as_str()),
            ("v1.29.3-eks-abc", "v1.29.3", "29")
        );
        assert_eq!(
            KubeVersion::parse("v1.30").map(|k| k.normalized),
            Ok("v1.30".into())
        );
        assert_eq!(
            KubeVersion::parse("1.28.0+k3s1").map(|k| k.normalized),
            Ok("v1.28.0".into())
        );
        assert_eq!(
            KubeVersion::parse("v1.2.3.4").map(|k| k.normalized),
            Ok("v1.2.3.4".into())
        );
        assert_eq!(
            KubeVersion::parse("1.30.x").map(|k| k.normalized),
            Ok("v1.30".into())
        );
        assert_eq!(
            KubeVersion::parse("1"),
            Err("illegal version string \"1\"".into())
        );
        assert_eq!(
            KubeVersion::parse("abc"),
            Err("could not parse \"abc\" as version".into())
        );
    }

    #[test]
    fn kube_version_constraint() {
        let mut c = Chart::default();
        c.metadata.kube_version = ">=1.20.0-0 <1.30.0".into();
        let caps = |v: &str| {
            Capabilities::default()
                .with_kube_version(v)
                .expect("parses")
        };
        assert!(check_kube_version(&c, &caps("1.25.3-gke.1")).is_ok());
        assert_eq!(
            check_kube_version(&c, &caps("1.19.0")),
            Err("chart requires kubeVersion: >=1.20.0-0 <1.30.0 which is incompatible with Kubernetes v1.19.0".into())
        );
        c.metadata.chart_type = "library".into();
        assert_eq!(
            check_installable(&c),
            Err("library charts are not installable".into())
        );
    }

    #[test]
    fn lines_and_bytes() {
        let f = Files::new(&[File {
            name: "a".into(),
            data: Arc::from(&b"x\ny\n"[..]),
        }]);
        assert_eq!(f.lines("a"), Ok(vec!["x".to_string(), "y".to_string()]));
        assert_eq!(f.lines("b"), Ok(vec![]));
        assert_eq!(&*f.get_bytes("b"), b"");
    }
}
