//! The chart model as Helm v4 (`pkg/chart/v2`) holds it: metadata from `Chart.yaml`, default values,
//! templates, other files, subcharts.
//!
//! A loaded [`Chart`] is immutable and shared through `Arc`: file contents are `Arc<[u8]>`, subcharts are
//! `Arc<Chart>`. Dependency processing ([`crate::deps`]) builds a *new* tree that reuses those handles instead
//! of mutating the loaded one (Helm mutates it, which is why its callers must reload a chart per render).

use gotmpl::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `v1`: Helm 2 style chart (dependencies in `requirements.yaml`).
pub const API_VERSION_V1: &str = "v1";
/// `v2`: Helm 3+ chart.
pub const API_VERSION_V2: &str = "v2";

/// One file of a chart, by its path relative to the chart root (always `/`-separated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub data: Arc<[u8]>,
}

/// `chart.Maintainer`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// `chart.Dependency`: one entry of `dependencies:` in `Chart.yaml` (or `requirements.yaml` for v1).
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// Raw `import-values` entries: strings or `{child, parent}` maps (Go `[]interface{}`).
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// `chart.Metadata`: the contents of `Chart.yaml`.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    /// `type:` — `""`, `application` or `library`.
    pub chart_type: String,
    /// Whether `maintainers`/`dependencies` had `null` entries (Go: nil pointers), which validation rejects.
    null_nodes: NullNodes,
    /// Whether `annotations:` was a map in Chart.yaml (Go tells a nil map from an empty one in `toJson`).
    annotations_set: bool,
    /// Go tells a nil `Dependencies` slice (no `dependencies:` list) from an empty one, and dependency
    /// processing skips a chart with a nil one entirely.
    deps_declared: bool,
}

#[derive(Clone, Debug, Default)]
struct NullNodes {
    maintainers: bool,
    dependencies: bool,
}

/// A loaded chart.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    pub metadata: Metadata,
    /// `Chart.lock` / `requirements.lock`, decoded but otherwise unused by rendering.
    pub lock: Option<Value>,
    /// Files under `templates/`, in load order (directory walk order: sorted by path).
    /// Shared slices: dependency processing copies charts, and these must not be copied with them.
    pub templates: Arc<[File]>,
    /// Default values from `values.yaml` (all of its YAML documents merged, as Helm does). Never handed out
    /// directly: callers get deep copies, so the loaded chart stays immutable.
    pub values: Map,
    /// `values.schema.json`, raw.
    pub schema: Option<Arc<[u8]>>,
    /// Every other file (what `.Files` sees), including `crds/…`.
    pub files: Arc<[File]>,
    /// Every file of this chart as read (before classification), like Helm's `Chart.Raw`.
    pub raw: Arc<[File]>,
    /// Subcharts found under `charts/` (directories and archives), sorted by their directory or archive name.
    pub dependencies: Vec<Arc<Chart>>,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether `type: library` (Helm compares case-insensitively).
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type.eq_ignore_ascii_case("library")
    }

    /// Files under `crds/` with a manifest extension, this chart's first, then each subchart's (Helm's
    /// `Chart.CRDs`).
    pub fn crds(&self) -> Vec<File> {
        let mut out: Vec<File> = self
            .files
            .iter()
            .filter(|f| f.name.starts_with("crds/") && has_manifest_extension(&f.name))
            .cloned()
            .collect();
        for d in &self.dependencies {
            out.extend(d.crds());
        }
        out
    }

    /// Helm's `CRDObjects`: the CRD files with their path from the top chart
    /// (`top/charts/sub/crds/x.yaml`), this chart's first, then each subchart's.
    pub fn crd_objects(&self) -> Vec<CrdObject> {
        self.crd_objects_under(self.name())
    }

    fn crd_objects_under(&self, full_path: &str) -> Vec<CrdObject> {
        let mut out: Vec<CrdObject> = self
            .files
            .iter()
            .filter(|f| f.name.starts_with("crds/") && has_manifest_extension(&f.name))
            .map(|f| CrdObject {
                name: f.name.clone(),
                filename: format!("{full_path}/{}", f.name),
                file: f.clone(),
            })
            .collect();
        for d in &self.dependencies {
            out.extend(d.crd_objects_under(&format!("{full_path}/charts/{}", d.name())));
        }
        out
    }

    /// A deep copy of the default values (safe to mutate).
    pub fn values_copy(&self) -> Map {
        self.values.deep_copy()
    }
}

fn has_manifest_extension(name: &str) -> bool {
    let ext = match name.rfind('.') {
        // Go's filepath.Ext only looks at the last path element.
        Some(i) if !name[i..].contains('/') => &name[i..],
        _ => return false,
    };
    ext.eq_ignore_ascii_case(".yaml")
        || ext.eq_ignore_ascii_case(".yml")
        || ext.eq_ignore_ascii_case(".json")
}

/// A Go `map[string]string` as a template value (`.Chart.Annotations`): prints, ranges and indexes like a
/// map, but keeps its Go type (`typeOf`, and functions that need `map[string]interface {}` refuse it as in
/// Go) and its nil-ness (`toJson` of a nil map is `null`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StringMap {
    pub entries: BTreeMap<String, String>,
    /// A nil map (no `annotations:` in Chart.yaml).
    pub nil: bool,
}

impl gotmpl::Object for StringMap {
    fn type_name(&self) -> &str {
        "map[string]string"
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn is_true(&self) -> bool {
        !self.entries.is_empty()
    }
    /// `.Chart.Annotations.key`: a missing key gives the element's zero value, `""`.
    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::from(
            self.entries.get(name).map_or("", String::as_str),
        ))
    }
    fn go_format(&self) -> String {
        let items: Vec<String> = self
            .entries
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect();
        format!("map[{}]", items.join(" "))
    }
    fn to_json(&self) -> serde_json::Value {
        if self.nil {
            return serde_json::Value::Null;
        }
        serde_json::Value::Object(
            self.entries
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        )
    }
    fn as_collection(&self) -> Option<Value> {
        Some(Value::Map(
            self.entries
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        ))
    }
}

/// Helm's `chart.CRD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrdObject {
    /// `crds/x.yaml`
    pub name: String,
    /// `top/charts/sub/crds/x.yaml`
    pub filename: String,
    pub file: File,
}

/// `chart.ValidationError`: prints as `validation: …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("validation: {0}")]
pub struct ValidationError(pub String);

/// Failure to decode `Chart.yaml`/`requirements.yaml` into [`Metadata`], worded like Go's
/// `encoding/json` (Helm decodes YAML through JSON into the struct).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("json: cannot unmarshal {got} into Go {target}")]
pub struct DecodeError {
    got: &'static str,
    /// `struct field Metadata.version of type string` or `value of type v2.Metadata`.
    target: String,
}

impl DecodeError {
    fn field(got: &Value, field: &str, want: &str) -> Self {
        DecodeError {
            got: json_kind(got),
            target: format!("struct field {field} of type {want}"),
        }
    }
}

/// Go's JSON name of a value's kind in `cannot unmarshal X into …`.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Uint64(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::List(_) | Value::Bytes(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
        Value::Invalid | Value::Nil => "null",
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which sigs.k8s.io/yaml uses when a YAML float lands in a Go
/// string field. Integral values within `i64` print as integers: the YAML decoder hands every number over as
/// float64, and an integer written in YAML (`appVersion: 12345678`) becomes `"12345678"` in Helm.
pub(crate) fn yaml_number_to_string(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        #[allow(clippy::cast_possible_truncation)] // integral and in range, checked above
        return (f as i64).to_string();
    }
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits, like Go's -1 precision.
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((e.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// Field decoding with Go's `encoding/json` rules: keys match case-insensitively (an exact match wins),
/// `null` leaves the zero value, unknown keys are ignored.
struct Fields<'a> {
    map: &'a Map,
    owner: &'static str,
    /// `Dependency.dependencies.` style prefix Go puts before nested field names.
    path: String,
}

impl Fields<'_> {
    fn get(&self, json_name: &str) -> Option<Value> {
        if let Some(v) = self.map.get(json_name) {
            return Some(v);
        }
        let inner = self.map.read();
        inner
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(json_name))
            .map(|(_, v)| v.clone())
    }

    fn err(&self, json_name: &str, got: &Value, want: &'static str) -> DecodeError {
        DecodeError::field(
            got,
            &format!("{}.{}{}", self.owner, self.path, json_name),
            want,
        )
    }

    fn string(&self, json_name: &str) -> Result<String, DecodeError> {
        match self.get(json_name) {
            None => Ok(String::new()),
            Some(v) => scalar_to_string(&v).ok_or_else(|| self.err(json_name, &v, "string")),
        }
    }

    fn bool(&self, json_name: &str) -> Result<bool, DecodeError> {
        match self.get(json_name) {
            None | Some(Value::Nil) => Ok(false),
            Some(Value::Bool(b)) => Ok(b),
            Some(v) => Err(self.err(json_name, &v, "bool")),
        }
    }

    fn strings(&self, json_name: &str) -> Result<Vec<String>, DecodeError> {
        match self.get(json_name) {
            None | Some(Value::Nil) => Ok(Vec::new()),
            Some(Value::List(l)) => l
                .iter()
                .map(|v| scalar_to_string(v).ok_or_else(|| self.err(json_name, v, "string")))
                .collect(),
            Some(v) => Err(self.err(json_name, &v, "[]string")),
        }
    }
}

/// A YAML scalar as sigs.k8s.io/yaml turns it into a Go string field (`null` → empty).
fn scalar_to_string(v: &Value) -> Option<String> {
    match v {
        Value::Nil | Value::Invalid => Some(String::new()),
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Some(i.to_string()),
        Value::Uint64(u) => Some(u.to_string()),
        Value::Float(f) => Some(yaml_number_to_string(*f)),
        _ => None,
    }
}

impl Metadata {
    /// Decodes `Chart.yaml` content (already parsed from YAML) onto `self`, like `yaml.Unmarshal` into an
    /// existing struct: fields absent from `doc` keep their values (this is how `requirements.yaml` adds
    /// `dependencies` to a v1 chart's metadata).
    pub fn merge_from(&mut self, doc: &Value) -> Result<(), DecodeError> {
        let map = match doc {
            Value::Map(m) => m,
            Value::Nil | Value::Invalid => return Ok(()),
            other => {
                return Err(DecodeError {
                    got: json_kind(other),
                    target: "value of type v2.Metadata".into(),
                })
            }
        };
        let f = Fields {
            map,
            owner: "Metadata",
            path: String::new(),
        };
        macro_rules! set_if_present {
            ($field:ident, $key:literal, $kind:ident) => {
                if f.get($key).is_some() {
                    self.$field = f.$kind($key)?;
                }
            };
        }
        set_if_present!(name, "name", string);
        set_if_present!(home, "home", string);
        set_if_present!(sources, "sources", strings);
        set_if_present!(version, "version", string);
        set_if_present!(description, "description", string);
        set_if_present!(keywords, "keywords", strings);
        set_if_present!(icon, "icon", string);
        set_if_present!(api_version, "apiVersion", string);
        set_if_present!(condition, "condition", string);
        set_if_present!(tags, "tags", string);
        set_if_present!(app_version, "appVersion", string);
        set_if_present!(deprecated, "deprecated", bool);
        set_if_present!(kube_version, "kubeVersion", string);
        set_if_present!(chart_type, "type", string);
        if let Some(v) = f.get("maintainers") {
            self.maintainers = match &v {
                Value::Nil => Vec::new(),
                Value::List(l) => {
                    let all: Vec<_> = l.iter().map(decode_maintainer).collect::<Result<_, _>>()?;
                    self.null_nodes.maintainers = all.iter().any(Option::is_none);
                    all.into_iter().flatten().collect()
                }
                other => return Err(f.err("maintainers", other, "[]*v2.Maintainer")),
            };
        }
        if let Some(v) = f.get("annotations") {
            self.annotations_set = matches!(v, Value::Map(_));
            self.annotations = match &v {
                Value::Nil => BTreeMap::new(),
                Value::Map(m) => m
                    .entries()
                    .into_iter()
                    .map(|(k, v)| {
                        scalar_to_string(&v)
                            .map(|s| (k, s))
                            .ok_or_else(|| f.err("annotations", &v, "string"))
                    })
                    .collect::<Result<_, _>>()?,
                other => return Err(f.err("annotations", other, "map[string]string")),
            };
        }
        if let Some(v) = f.get("dependencies") {
            self.deps_declared = false;
            self.dependencies = match &v {
                Value::Nil => Vec::new(),
                Value::List(l) => {
                    self.deps_declared = true;
                    let all: Vec<_> = l.iter().map(decode_dependency).collect::<Result<_, _>>()?;
                    self.null_nodes.dependencies = all.iter().any(Option::is_none);
                    all.into_iter().flatten().collect()
                }
                other => return Err(f.err("dependencies", other, "[]*v2.Dependency")),
            };
        }
        Ok(())
    }

    /// Whether `Chart.yaml` (or `requirements.yaml`) has a `dependencies:` list, even an empty one.
    pub fn dependencies_declared(&self) -> bool {
        self.deps_declared || !self.dependencies.is_empty()
    }

    pub fn set_dependencies_declared(&mut self, declared: bool) {
        self.deps_declared = declared;
    }

    /// `Metadata.Validate`: sanitises strings and checks what Helm checks, in Helm's order.
    pub fn validate(&mut self) -> Result<(), ValidationError> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        let verr = |s: String| Err(ValidationError(s));
        if self.api_version.is_empty() {
            return verr("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return verr("chart.metadata.name is required".into());
        }
        if self.name == "." || self.name == ".." {
            return verr(format!(
                "chart.metadata.name {:?} is not allowed",
                self.name
            ));
        }
        // Go: name != filepath.Base(name), i.e. any separator (or a trailing one) makes it invalid.
        if self.name.contains('/') {
            return verr(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return verr("chart.metadata.version is required".into());
        }
        if crate::deps::semver::Version::parse(&self.version).is_none() {
            return verr(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return verr("chart.metadata.type must be application or library".into());
        }
        if self.null_nodes.maintainers {
            return verr("maintainers must not contain empty or null nodes".into());
        }
        for m in &mut self.maintainers {
            m.name = sanitize(&m.name);
            m.email = sanitize(&m.email);
            m.url = sanitize(&m.url);
        }
        if self.null_nodes.dependencies {
            return verr("dependencies must not contain empty or null nodes".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &mut self.dependencies {
            d.name = sanitize(&d.name);
            d.version = sanitize(&d.version);
            d.repository = sanitize(&d.repository);
            d.condition = sanitize(&d.condition);
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            if !d.alias.is_empty()
                && !d
                    .alias
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return verr(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = if d.alias.is_empty() {
                d.name.clone()
            } else {
                d.alias.clone()
            };
            if !seen.insert(key.clone()) {
                return verr(format!(
                    "more than one dependency with name or alias {key:?}"
                ));
            }
        }
        Ok(())
    }

    /// The metadata as Go's `json.Marshal` writes `chart.Metadata` (json tags, `omitempty`): the form Helm
    /// stores and OCI registries carry as the chart config.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Map as JMap, Value as J};
        let mut m = JMap::new();
        let put_str = |m: &mut JMap<String, J>, k: &str, v: &str| {
            if !v.is_empty() {
                m.insert(k.into(), J::String(v.into()));
            }
        };
        put_str(&mut m, "name", &self.name);
        put_str(&mut m, "home", &self.home);
        if !self.sources.is_empty() {
            m.insert("sources".into(), json!(self.sources));
        }
        put_str(&mut m, "version", &self.version);
        put_str(&mut m, "description", &self.description);
        if !self.keywords.is_empty() {
            m.insert("keywords".into(), json!(self.keywords));
        }
        if !self.maintainers.is_empty() {
            let list: Vec<J> = self
                .maintainers
                .iter()
                .map(|x| {
                    let mut mm = JMap::new();
                    put_str(&mut mm, "name", &x.name);
                    put_str(&mut mm, "email", &x.email);
                    put_str(&mut mm, "url", &x.url);
                    J::Object(mm)
                })
                .collect();
            m.insert("maintainers".into(), J::Array(list));
        }
        put_str(&mut m, "icon", &self.icon);
        put_str(&mut m, "apiVersion", &self.api_version);
        put_str(&mut m, "condition", &self.condition);
        put_str(&mut m, "tags", &self.tags);
        put_str(&mut m, "appVersion", &self.app_version);
        if self.deprecated {
            m.insert("deprecated".into(), J::Bool(true));
        }
        if !self.annotations.is_empty() {
            m.insert("annotations".into(), json!(self.annotations));
        }
        put_str(&mut m, "kubeVersion", &self.kube_version);
        if !self.dependencies.is_empty() {
            let list: Vec<J> = self
                .dependencies
                .iter()
                .map(|d| {
                    let mut dm = JMap::new();
                    dm.insert("name".into(), J::String(d.name.clone()));
                    put_str(&mut dm, "version", &d.version);
                    dm.insert("repository".into(), J::String(d.repository.clone()));
                    put_str(&mut dm, "condition", &d.condition);
                    if !d.tags.is_empty() {
                        dm.insert("tags".into(), json!(d.tags));
                    }
                    if d.enabled {
                        dm.insert("enabled".into(), J::Bool(true));
                    }
                    if !d.import_values.is_empty() {
                        dm.insert(
                            "import-values".into(),
                            J::Array(d.import_values.iter().map(Value::to_json).collect()),
                        );
                    }
                    put_str(&mut dm, "alias", &d.alias);
                    J::Object(dm)
                })
                .collect();
            m.insert("dependencies".into(), J::Array(list));
        }
        put_str(&mut m, "type", &self.chart_type);
        J::Object(m)
    }

    /// Helm v4's `MetadataAsMap`: the struct as a map keyed by Go field names, which is what `.Chart` is.
    /// Nil slices become empty lists, like Helm's reflection walk.
    pub fn to_value_map(&self) -> Map {
        let strs = |v: &[String]| Value::list(v.iter().map(|s| Value::from(s.as_str())).collect());
        let m = Map::new();
        m.insert("Name", self.name.as_str().into());
        m.insert("Home", self.home.as_str().into());
        m.insert("Sources", strs(&self.sources));
        m.insert("Version", self.version.as_str().into());
        m.insert("Description", self.description.as_str().into());
        m.insert("Keywords", strs(&self.keywords));
        m.insert(
            "Maintainers",
            Value::list(
                self.maintainers
                    .iter()
                    .map(|x| {
                        let mm = Map::new();
                        mm.insert("Name", x.name.as_str().into());
                        mm.insert("Email", x.email.as_str().into());
                        mm.insert("URL", x.url.as_str().into());
                        Value::Map(mm)
                    })
                    .collect(),
            ),
        );
        m.insert("Icon", self.icon.as_str().into());
        m.insert("APIVersion", self.api_version.as_str().into());
        m.insert("Condition", self.condition.as_str().into());
        m.insert("Tags", self.tags.as_str().into());
        m.insert("AppVersion", self.app_version.as_str().into());
        m.insert("Deprecated", Value::Bool(self.deprecated));
        m.insert(
            "Annotations",
            Value::Object(Arc::new(StringMap {
                entries: self.annotations.clone(),
                nil: !self.annotations_set && self.annotations.is_empty(),
            })),
        );
        m.insert("KubeVersion", self.kube_version.as_str().into());
        m.insert(
            "Dependencies",
            Value::list(self.dependencies.iter().map(Dependency::to_value).collect()),
        );
        m.insert("Type", self.chart_type.as_str().into());
        m
    }
}

impl Dependency {
    /// The dependency as `.Chart.Dependencies` shows it (Go field names).
    pub fn to_value(&self) -> Value {
        let m = Map::new();
        m.insert("Name", self.name.as_str().into());
        m.insert("Version", self.version.as_str().into());
        m.insert("Repository", self.repository.as_str().into());
        m.insert("Condition", self.condition.as_str().into());
        m.insert(
            "Tags",
            Value::list(self.tags.iter().map(|s| Value::from(s.as_str())).collect()),
        );
        m.insert("Enabled", Value::Bool(self.enabled));
        m.insert("ImportValues", Value::list(self.import_values.clone()));
        m.insert("Alias", self.alias.as_str().into());
        Value::Map(m)
    }
}

fn decode_maintainer(v: &Value) -> Result<Option<Maintainer>, DecodeError> {
    match v {
        // A null entry decodes to a nil pointer, which `validate` rejects.
        Value::Nil => Ok(None),
        Value::Map(m) => {
            let f = Fields {
                map: m,
                owner: "Maintainer",
                path: "maintainers.".into(),
            };
            Ok(Some(Maintainer {
                name: f.string("name")?,
                email: f.string("email")?,
                url: f.string("url")?,
            }))
        }
        other => Err(DecodeError::field(
            other,
            "Metadata.maintainers",
            "v2.Maintainer",
        )),
    }
}

fn decode_dependency(v: &Value) -> Result<Option<Dependency>, DecodeError> {
    match v {
        Value::Nil => Ok(None),
        Value::Map(m) => {
            let f = Fields {
                map: m,
                owner: "Dependency",
                path: "dependencies.".into(),
            };
            let import_values = match f.get("import-values") {
                None | Some(Value::Nil) => Vec::new(),
                Some(Value::List(l)) => l.to_vec(),
                Some(other) => return Err(f.err("import-values", &other, "[]interface {}")),
            };
            Ok(Some(Dependency {
                name: f.string("name")?,
                version: f.string("version")?,
                repository: f.string("repository")?,
                condition: f.string("condition")?,
                tags: f.strings("tags")?,
                enabled: f.bool("enabled")?,
                import_values,
                alias: f.string("alias")?,
            }))
        }
        other => Err(DecodeError::field(
            other,
            "Metadata.dependencies",
            "v2.Dependency",
        )),
    }
}

/// Helm's `sanitizeString`: every Unicode space becomes `' '`, other non-printable characters are dropped.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || is_unicode_format(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// Go's `unicode.IsPrint` is false for format characters (category Cf) such as zero-width spaces and bidi
/// controls; Rust's std has no category lookup, so the common Cf ranges are listed here.
fn is_unicode_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x08E2 | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x110CD | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_g_format() {
        assert_eq!(yaml_number_to_string(1.0), "1");
        assert_eq!(yaml_number_to_string(1.1), "1.1");
        assert_eq!(yaml_number_to_string(1e-7), "1e-07");
        assert_eq!(yaml_number_to_string(0.5), "0.5");
        assert_eq!(yaml_number_to_string(1234567.5), "1.2345675e+06");
    }

    #[test]
    fn sanitizes_like_helm() {
        assert_eq!(sanitize("a\tb\u{200b}c\u{7}"), "a bc");
    }
}
