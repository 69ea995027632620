//! The in-memory object store and every write path: create, update, the patch flavours,
//! server-side apply with managed fields, deletion with finalizers, garbage collection and
//! namespace termination. All of it runs under the one lock that guards [`Store`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Map, Value};
use tokio::sync::broadcast;

use crate::errors::ApiError;
use crate::fields::{self, Ctx, Path};
use crate::resources::{self, ResourceDef};
use crate::selectors::{FieldSelector, LabelSelector};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjKey {
    pub group: String,
    pub plural: String,
    pub ns: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watchers see it (`old` lets selector watches turn edits into ADDED/DELETED).
#[derive(Debug)]
pub struct Event {
    pub rv: u64,
    pub group: String,
    pub plural: String,
    pub ns: String,
    pub etype: EventType,
    pub obj: Value,
    pub old: Option<Value>,
}

/// Which endpoint of an object a write came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sub {
    Main,
    Status,
    Scale,
}

impl Sub {
    fn name(self) -> &'static str {
        match self {
            Sub::Main => "",
            Sub::Status => "status",
            Sub::Scale => "scale",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    pub propagation: Option<Propagation>,
    pub uid: Option<String>,
    pub resource_version: Option<String>,
    pub dry_run: bool,
}

/// One `managedFields` entry, with the FieldsV1 set decoded.
#[derive(Clone, Debug, PartialEq)]
struct Managed {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    subresource: String,
    set: BTreeSet<Path>,
}

impl Managed {
    fn same_id(&self, manager: &str, operation: &str, sub: &str) -> bool {
        self.manager == manager && self.operation == operation && self.subresource == sub
    }

    /// How conflicts name a manager: Apply managers by name, Update managers with their version.
    fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            s.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == "Update" {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        m.insert("operation".into(), json!(self.operation));
        m.insert("apiVersion".into(), json!(self.api_version));
        m.insert("time".into(), json!(self.time));
        m.insert("fieldsType".into(), json!("FieldsV1"));
        m.insert("fieldsV1".into(), fields::to_fields_v1(&self.set));
        if !self.subresource.is_empty() {
            m.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(m)
    }
}

fn read_managed(obj: &Value) -> Vec<Managed> {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| Managed {
            manager: e["manager"].as_str().unwrap_or_default().into(),
            operation: e["operation"].as_str().unwrap_or_default().into(),
            api_version: e["apiVersion"].as_str().unwrap_or_default().into(),
            time: e["time"].as_str().unwrap_or_default().into(),
            subresource: e["subresource"].as_str().unwrap_or_default().into(),
            set: fields::from_fields_v1(&e["fieldsV1"]),
        })
        .collect()
}

fn write_managed(obj: &mut Value, mut entries: Vec<Managed>, old: &[Managed]) {
    entries.retain(|e| !e.set.is_empty());
    // Keep the old timestamp of an entry whose set did not change, so that no-op writes compare
    // equal (the real server leaves managedFields untouched on a no-op apply).
    let now = now();
    for e in entries.iter_mut() {
        let prev = old
            .iter()
            .find(|o| o.same_id(&e.manager, &e.operation, &e.subresource));
        e.time = match prev {
            Some(p) if p.set == e.set && p.api_version == e.api_version => p.time.clone(),
            _ => now.clone(),
        };
    }
    let md = obj_meta(obj);
    if entries.is_empty() {
        md.remove("managedFields");
    } else {
        md.insert(
            "managedFields".into(),
            Value::Array(entries.iter().map(Managed::to_json).collect()),
        );
    }
}

pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `metadata` as a map, created if missing or not an object.
fn obj_meta(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let Value::Object(o) = obj else {
        unreachable!("made an object above")
    };
    let md = o
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !md.is_object() {
        *md = Value::Object(Map::new());
    }
    match md {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn finalizers(obj: &Value) -> Vec<String> {
    obj["metadata"]["finalizers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(String::from))
        .collect()
}

fn set_finalizers(obj: &mut Value, fins: Vec<String>) {
    let md = obj_meta(obj);
    if fins.is_empty() {
        md.remove("finalizers");
    } else {
        md.insert("finalizers".into(), json!(fins));
    }
}

/// Random lowercase suffix for `generateName`, from the same alphabet the real server uses
/// (no vowels, no confusable digits).
fn name_suffix() -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    uuid::Uuid::new_v4().as_bytes()[..5]
        .iter()
        .map(|b| ALPHA[*b as usize % ALPHA.len()] as char)
        .collect()
}

/// A DNS-1123 subdomain, the rule for most object names.
fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 253
        && n.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// Everything but metadata (and status where status is a subresource): what `generation` tracks.
fn spec_part(obj: &Value, def: &ResourceDef) -> Value {
    let mut o = obj.clone();
    if let Value::Object(m) = &mut o {
        m.remove("metadata");
        if def.status {
            m.remove("status");
        }
    }
    o
}

fn strip_times(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(Value::Array(mf)) = o.pointer_mut("/metadata/managedFields") {
        for e in mf {
            if let Value::Object(m) = e {
                m.remove("time");
            }
        }
    }
    o
}

/// `.spec.replicas` → pointer segments.
fn dotted(path: &str) -> Vec<String> {
    path.trim_start_matches('.')
        .split('.')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn get_dotted<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = obj;
    for seg in dotted(path) {
        cur = cur.get(&seg)?;
    }
    Some(cur)
}

fn set_dotted(obj: &mut Value, path: &str, v: Value) {
    let segs = dotted(path);
    let mut cur = obj;
    for (i, seg) in segs.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else { return };
        if i + 1 == segs.len() {
            m.insert(seg.clone(), v);
            return;
        }
        cur = m
            .entry(seg.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

pub struct Store {
    rv: u64,
    objects: BTreeMap<ObjKey, Value>,
    defs: Vec<ResourceDef>,
    history: VecDeque<Arc<Event>>,
    /// Highest resourceVersion dropped from `history`.
    compacted: u64,
    /// How many events `history` keeps for `?watch=1&resourceVersion=N`; watches from older
    /// versions get 410 Gone.
    history_size: usize,
    pub tx: broadcast::Sender<Arc<Event>>,
    pub version: String,
}

impl Store {
    pub fn new(version: &str, history_size: usize) -> Self {
        let (tx, _) = broadcast::channel(65_536);
        let mut s = Store {
            rv: 1,
            objects: BTreeMap::new(),
            defs: resources::builtins(),
            history: VecDeque::new(),
            compacted: 0,
            history_size,
            tx,
            version: version.to_string(),
        };
        let ns_def = s.def_of("", "namespaces");
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            if let Some(def) = &ns_def {
                // Cannot fail: the namespace table is empty and the names are valid.
                let _ = s.create(def, None, body, "kube-apiserver");
            }
        }
        s
    }

    /// A throwaway copy for dry runs: the served resources, every namespace and the target
    /// object (enough for any single write), without history or watchers.
    pub fn scratch(&self, def: &ResourceDef, ns: Option<&str>, name: Option<&str>) -> Store {
        let target = name.map(|n| Self::key(def, ns, n));
        let (tx, _) = broadcast::channel(1);
        Store {
            rv: self.rv,
            objects: self
                .objects
                .iter()
                .filter(|(k, _)| {
                    (k.group.is_empty() && k.plural == "namespaces") || Some(*k) == target.as_ref()
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            defs: self.defs.clone(),
            history: VecDeque::new(),
            compacted: 0,
            history_size: 0,
            tx,
            version: self.version.clone(),
        }
    }

    pub fn rv(&self) -> u64 {
        self.rv
    }

    pub fn defs(&self) -> &[ResourceDef] {
        &self.defs
    }

    /// The served resource `group/version/plural`.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<ResourceDef> {
        self.defs
            .iter()
            .find(|d| d.group == group && d.version == version && d.plural == plural)
            .cloned()
    }

    /// Any served version of `group/plural` (internal writes do not care about the version).
    fn def_of(&self, group: &str, plural: &str) -> Option<ResourceDef> {
        self.defs
            .iter()
            .find(|d| d.group == group && d.plural == plural)
            .cloned()
    }

    /// The first (oldest) resourceVersion a watch can still start from.
    pub fn compacted(&self) -> u64 {
        self.compacted
    }

    pub fn history_since(&self, rv: u64) -> Vec<Arc<Event>> {
        self.history.iter().filter(|e| e.rv > rv).cloned().collect()
    }

    fn key(def: &ResourceDef, ns: Option<&str>, name: &str) -> ObjKey {
        ObjKey {
            group: def.group.clone(),
            plural: def.plural.clone(),
            ns: if def.namespaced {
                ns.unwrap_or_default().to_string()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }

    /// The object as served through `def`'s version (no conversion: only `apiVersion` changes).
    fn present(def: &ResourceDef, obj: &Value) -> Value {
        let mut o = obj.clone();
        if let Value::Object(m) = &mut o {
            m.insert("apiVersion".into(), json!(def.api_version()));
            m.insert("kind".into(), json!(def.kind));
        }
        o
    }

    fn record(&mut self, key: &ObjKey, etype: EventType, obj: Value, old: Option<Value>) {
        let ev = Arc::new(Event {
            rv: self.rv,
            group: key.group.clone(),
            plural: key.plural.clone(),
            ns: key.ns.clone(),
            etype,
            obj,
            old,
        });
        self.history.push_back(ev.clone());
        while self.history.len() > self.history_size {
            if let Some(e) = self.history.pop_front() {
                self.compacted = e.rv;
            }
        }
        // No receivers is fine: nobody watches.
        let _ = self.tx.send(ev);
    }

    /// Stores `obj` under a new resourceVersion and tells watchers.
    fn commit(&mut self, key: ObjKey, mut obj: Value, old: Option<Value>) -> Value {
        self.rv += 1;
        obj_meta(&mut obj).insert("resourceVersion".into(), json!(self.rv.to_string()));
        let etype = if old.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.objects.insert(key.clone(), obj.clone());
        self.record(&key, etype, obj.clone(), old);
        if key.group == "apiextensions.k8s.io" {
            self.refresh_crds();
        }
        obj
    }

    /// Removes the object for good.
    fn remove(&mut self, key: &ObjKey) -> Option<Value> {
        let mut obj = self.objects.remove(key)?;
        self.rv += 1;
        obj_meta(&mut obj).insert("resourceVersion".into(), json!(self.rv.to_string()));
        self.record(key, EventType::Deleted, obj.clone(), None);
        if key.group == "apiextensions.k8s.io" && key.plural == "customresourcedefinitions" {
            // The CRD's custom resources go with it.
            let group = obj["spec"]["group"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let plural = obj["spec"]["names"]["plural"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let keys: Vec<ObjKey> = self
                .objects
                .keys()
                .filter(|k| k.group == group && k.plural == plural)
                .cloned()
                .collect();
            for k in keys {
                self.remove(&k);
            }
            self.refresh_crds();
        }
        Some(obj)
    }

    /// Re-derives the served CRD resources from the stored CRDs.
    fn refresh_crds(&mut self) {
        let mut defs = resources::builtins();
        for (k, crd) in &self.objects {
            if k.group == "apiextensions.k8s.io" && k.plural == "customresourcedefinitions" {
                defs.extend(resources::from_crd(crd));
            }
        }
        self.defs = defs;
    }

    fn ns_check(
        &self,
        def: &ResourceDef,
        ns: Option<&str>,
        creating: bool,
    ) -> Result<(), ApiError> {
        if !def.namespaced {
            return Ok(());
        }
        let ns = ns.unwrap_or_default();
        let key = ObjKey {
            group: String::new(),
            plural: "namespaces".into(),
            ns: String::new(),
            name: ns.to_string(),
        };
        match self.objects.get(&key) {
            None => Err(ApiError::not_found("", "namespaces", ns)),
            Some(n) if creating && !n["metadata"]["deletionTimestamp"].is_null() => {
                Err(ApiError::forbidden(
                    &def.group,
                    &def.plural,
                    "",
                    &format!(
                        "unable to create new content in namespace {ns} because it is being terminated"
                    ),
                ))
            }
            Some(_) => Ok(()),
        }
    }

    pub fn get(&self, def: &ResourceDef, ns: Option<&str>, name: &str) -> Result<Value, ApiError> {
        self.objects
            .get(&Self::key(def, ns, name))
            .map(|o| Self::present(def, o))
            .ok_or_else(|| ApiError::not_found(&def.group, &def.plural, name))
    }

    /// Objects of `def` in `ns` (all namespaces when `None`) matching the selectors.
    pub fn list(
        &self,
        def: &ResourceDef,
        ns: Option<&str>,
        labels: &LabelSelector,
        fields: &FieldSelector,
    ) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|(k, _)| k.group == def.group && k.plural == def.plural)
            .filter(|(k, _)| ns.is_none_or(|n| !def.namespaced || k.ns == n))
            .filter(|(_, o)| labels.matches(o) && fields.matches(o))
            .map(|(_, o)| Self::present(def, o))
            .collect()
    }

    /// The context for list semantics: a CR's schema, or the built-in table.
    fn ctx(def: &ResourceDef) -> Ctx<'_> {
        Ctx::root(if def.crd { def.schema.as_ref() } else { None })
    }

    fn prune(def: &ResourceDef, obj: &mut Value) {
        if let (true, Some(schema)) = (def.crd, &def.schema) {
            fields::prune(obj, schema, true);
        }
    }

    /// Conversions the real server makes on every write: a Secret's `stringData` is merged
    /// into `data` (base64) and never stored.
    fn normalize(def: &ResourceDef, obj: &mut Value) {
        if !(def.group.is_empty() && def.plural == "secrets") {
            return;
        }
        let Value::Object(m) = obj else { return };
        let Some(Value::Object(sd)) = m.remove("stringData") else {
            return;
        };
        let data = m.entry("data").or_insert_with(|| Value::Object(Map::new()));
        if !data.is_object() {
            *data = Value::Object(Map::new());
        }
        if let Value::Object(d) = data {
            for (k, v) in sd {
                let text = v.as_str().unwrap_or_default().to_string();
                d.insert(
                    k,
                    json!(base64::engine::general_purpose::STANDARD.encode(text)),
                );
            }
        }
    }

    /// Server-set fields of a new object.
    fn server_defaults(def: &ResourceDef, obj: &mut Value) {
        let Value::Object(m) = obj else { return };
        match (def.group.as_str(), def.plural.as_str()) {
            ("", "namespaces") => {
                m.insert("spec".into(), json!({"finalizers": ["kubernetes"]}));
                m.insert("status".into(), json!({"phase": "Active"}));
            }
            ("", "pods") => {
                m.insert("status".into(), json!({"phase": "Pending"}));
            }
            ("", "persistentvolumeclaims") => {
                m.insert("status".into(), json!({"phase": "Pending"}));
            }
            ("", "secrets")
                if m.get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .is_empty() =>
            {
                m.insert("type".into(), json!("Opaque"));
            }
            ("", "services") => {
                m.insert("status".into(), json!({"loadBalancer": {}}));
            }
            _ if def.status => {
                m.remove("status");
            }
            _ => {}
        }
    }

    /// POST.
    pub fn create(
        &mut self,
        def: &ResourceDef,
        ns: Option<&str>,
        body: Value,
        manager: &str,
    ) -> Result<Value, ApiError> {
        self.create_inner(def, ns, body, manager, None)
    }

    /// Creation; `applied` is the field set of a server-side apply that creates the object
    /// (owned with operation Apply), otherwise the manager owns everything with Update.
    fn create_inner(
        &mut self,
        def: &ResourceDef,
        ns: Option<&str>,
        mut body: Value,
        manager: &str,
        applied: Option<BTreeSet<Path>>,
    ) -> Result<Value, ApiError> {
        if !body.is_object() {
            return Err(ApiError::bad_request(
                "the body of the request must be an object",
            ));
        }
        let body_ns = str_of(&body["metadata"]["namespace"]);
        let ns = if def.namespaced {
            let n = ns.map(String::from).unwrap_or(body_ns.clone());
            if !body_ns.is_empty() && body_ns != n {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            Some(if n.is_empty() {
                "default".to_string()
            } else {
                n
            })
        } else {
            None
        };
        self.ns_check(def, ns.as_deref(), true)?;
        let api_version = str_of(&body["apiVersion"]);
        if def.crd && (api_version != def.api_version() || str_of(&body["kind"]) != def.kind) {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({api_version}) does not match the expected API version ({})",
                def.api_version()
            )));
        }
        let mut name = str_of(&body["metadata"]["name"]);
        if name.is_empty() {
            let gen = str_of(&body["metadata"]["generateName"]);
            if gen.is_empty() {
                return Err(ApiError::invalid(
                    &def.group,
                    &def.kind,
                    "",
                    "metadata.name",
                    "Required value: name or generateName is required",
                ));
            }
            name = format!("{gen}{}", name_suffix());
        }
        if !valid_name(&name) {
            return Err(ApiError::invalid(
                &def.group,
                &def.kind,
                &name,
                "metadata.name",
                &format!("Invalid value: {name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
            ));
        }
        let key = Self::key(def, ns.as_deref(), &name);
        if self.objects.contains_key(&key) {
            return Err(ApiError::already_exists(&def.group, &def.plural, &name));
        }
        Self::prune(def, &mut body);
        Self::normalize(def, &mut body);
        Self::server_defaults(def, &mut body);
        if let Value::Object(m) = &mut body {
            m.insert("apiVersion".into(), json!(def.api_version()));
            m.insert("kind".into(), json!(def.kind));
        }
        let md = obj_meta(&mut body);
        md.insert("name".into(), json!(name));
        if let Some(n) = &ns {
            md.insert("namespace".into(), json!(n));
        } else {
            md.remove("namespace");
        }
        md.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        md.insert("creationTimestamp".into(), json!(now()));
        for server_owned in [
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "managedFields",
            "selfLink",
            "resourceVersion",
        ] {
            md.remove(server_owned);
        }
        if def.generation {
            md.insert("generation".into(), json!(1));
        } else {
            md.remove("generation");
        }
        if def.plural == "namespaces" && def.group.is_empty() {
            let labels = md
                .entry("labels")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(l) = labels {
                l.insert("kubernetes.io/metadata.name".into(), json!(name));
            }
        }
        if def.crd_definition() {
            establish(&mut body);
        }
        if !manager.is_empty() {
            let operation = if applied.is_some() { "Apply" } else { "Update" };
            let set: BTreeSet<Path> = match applied {
                Some(s) => s,
                None => fields::collect(&body, Self::ctx(def)).into_keys().collect(),
            };
            let entry = Managed {
                manager: manager.into(),
                operation: operation.into(),
                api_version: def.api_version(),
                time: String::new(),
                subresource: String::new(),
                set,
            };
            write_managed(&mut body, vec![entry], &[]);
        }
        let stored = self.commit(key, body, None);
        Ok(Self::present(def, &stored))
    }

    /// Ownership after a non-apply write: the writer owns what it changed; fields that are gone
    /// belong to nobody. `assign` false (scale on an old server) leaves changed fields unowned.
    fn managed_after_update(
        def: &ResourceDef,
        old: &Value,
        new: &Value,
        manager: &str,
        sub: Sub,
        assign: bool,
    ) -> Vec<Managed> {
        let ctx = Self::ctx(def);
        let before = fields::collect(old, ctx);
        let after = fields::collect(new, ctx);
        let changed: BTreeSet<Path> = after
            .iter()
            .filter(|(p, v)| before.get(*p) != Some(*v))
            .map(|(p, _)| p.clone())
            .collect();
        let mut entries = read_managed(old);
        for e in entries.iter_mut() {
            e.set
                .retain(|p| after.contains_key(p) && !changed.contains(p));
        }
        if assign && !changed.is_empty() {
            match entries
                .iter_mut()
                .find(|e| e.same_id(manager, "Update", sub.name()))
            {
                Some(e) => {
                    e.set.extend(changed);
                    e.api_version = def.api_version();
                }
                None => entries.push(Managed {
                    manager: manager.into(),
                    operation: "Update".into(),
                    api_version: def.api_version(),
                    time: String::new(),
                    subresource: sub.name().into(),
                    set: changed,
                }),
            }
        }
        entries
    }

    /// Shared tail of every write to an existing object: keep server-owned metadata, confine
    /// the write to its endpoint, prune, bump generation, store (unless nothing changed), and
    /// finish a deletion whose last finalizer went.
    fn finish_write(
        &mut self,
        def: &ResourceDef,
        key: ObjKey,
        old: Value,
        mut new: Value,
        sub: Sub,
        managed: Option<Vec<Managed>>,
    ) -> Result<Value, ApiError> {
        let name = key.name.clone();
        let url_name = str_of(&new["metadata"]["name"]);
        if !url_name.is_empty() && url_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({url_name}) does not match the name on the URL ({name})"
            )));
        }
        // Confine the write to its endpoint.
        match sub {
            Sub::Status => {
                let mut merged = old.clone();
                match new.get("status") {
                    Some(s) => merged["status"] = s.clone(),
                    None => {
                        if let Value::Object(m) = &mut merged {
                            m.remove("status");
                        }
                    }
                }
                new = merged;
            }
            Sub::Main if def.status => {
                if let Value::Object(m) = &mut new {
                    match old.get("status") {
                        Some(s) => {
                            m.insert("status".into(), s.clone());
                        }
                        None => {
                            m.remove("status");
                        }
                    }
                }
            }
            _ => {}
        }
        Self::prune(def, &mut new);
        Self::normalize(def, &mut new);
        if let Value::Object(m) = &mut new {
            m.insert("apiVersion".into(), old["apiVersion"].clone());
            m.insert("kind".into(), json!(def.kind));
        }
        // Server-owned metadata comes from the stored object.
        {
            let old_md = old["metadata"].clone();
            let md = obj_meta(&mut new);
            for f in [
                "name",
                "namespace",
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
                "resourceVersion",
                "managedFields",
            ] {
                match old_md.get(f) {
                    Some(v) => {
                        md.insert(f.into(), v.clone());
                    }
                    None => {
                        md.remove(f);
                    }
                }
            }
            md.remove("selfLink");
        }
        if def.crd_definition() {
            establish(&mut new);
        }
        if def.generation && spec_part(&new, def) != spec_part(&old, def) {
            let g = old["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
            obj_meta(&mut new).insert("generation".into(), json!(g));
        }
        if let Some(m) = managed {
            write_managed(&mut new, m, &read_managed(&old));
        }
        if strip_times(&new) == strip_times(&old) {
            return Ok(Self::present(def, &old));
        }
        if !new["metadata"]["deletionTimestamp"].is_null() && finalizers(&new).is_empty() {
            self.objects.insert(key.clone(), new);
            let gone = self.remove(&key).unwrap_or_default();
            return Ok(Self::present(def, &gone));
        }
        let stored = self.commit(key, new, Some(old));
        Ok(Self::present(def, &stored))
    }

    fn existing(
        &self,
        def: &ResourceDef,
        ns: Option<&str>,
        name: &str,
    ) -> Result<(ObjKey, Value), ApiError> {
        if def.namespaced {
            self.ns_check(def, ns, false)?;
        }
        let key = Self::key(def, ns, name);
        match self.objects.get(&key) {
            Some(o) => Ok((key, o.clone())),
            None => Err(ApiError::not_found(&def.group, &def.plural, name)),
        }
    }

    /// PUT (main, `/status`; `/scale` goes through [`Store::write_scale`]).
    pub fn update(
        &mut self,
        def: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        sub: Sub,
        body: Value,
        manager: &str,
    ) -> Result<Value, ApiError> {
        if !body.is_object() {
            return Err(ApiError::bad_request(
                "the body of the request must be an object",
            ));
        }
        let (key, old) = self.existing(def, ns, name)?;
        let want_rv = str_of(&body["metadata"]["resourceVersion"]);
        if !want_rv.is_empty() && want_rv != str_of(&old["metadata"]["resourceVersion"]) {
            return Err(ApiError::modified(&def.group, &def.plural, name));
        }
        self.write_update(def, key, old, body, sub, manager)
    }

    fn write_update(
        &mut self,
        def: &ResourceDef,
        key: ObjKey,
        old: Value,
        mut body: Value,
        sub: Sub,
        manager: &str,
    ) -> Result<Value, ApiError> {
        // An explicit empty managedFields resets field management, as on the real server.
        let reset = body["metadata"]["managedFields"]
            .as_array()
            .is_some_and(|a| a.is_empty());
        // Compute ownership on the object as it will be stored.
        let mut probe = body.clone();
        match sub {
            Sub::Status => {
                let mut m = old.clone();
                m["status"] = body["status"].clone();
                probe = m;
            }
            Sub::Main if def.status => {
                probe["status"] = old["status"].clone();
            }
            _ => {}
        }
        if let Value::Object(m) = &mut probe {
            if m.get("status").is_some_and(Value::is_null) {
                m.remove("status");
            }
        }
        Self::prune(def, &mut probe);
        let managed = if reset {
            Vec::new()
        } else {
            Self::managed_after_update(def, &old, &probe, manager, sub, true)
        };
        if let Value::Object(m) = &mut body {
            if m.get("status").is_some_and(Value::is_null) {
                m.remove("status");
            }
        }
        self.finish_write(def, key, old, body, sub, Some(managed))
    }

    /// PATCH with a JSON merge, strategic merge or JSON patch.
    #[allow(clippy::too_many_arguments)]
    pub fn patch(
        &mut self,
        def: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        sub: Sub,
        content_type: &str,
        patch: &Value,
        manager: &str,
    ) -> Result<Value, ApiError> {
        let (key, old) = self.existing(def, ns, name)?;
        let mut doc = if sub == Sub::Scale {
            Self::scale_of(def, &old)?
        } else {
            old.clone()
        };
        match content_type {
            "application/merge-patch+json" => json_patch::merge(&mut doc, patch),
            "application/strategic-merge-patch+json" => {
                if def.crd {
                    return Err(ApiError::unsupported_media_type(content_type));
                }
                fields::strategic_merge(&mut doc, patch, Self::ctx(def), true)
            }
            "application/json-patch+json" => {
                let p: json_patch::Patch = serde_json::from_value(patch.clone())
                    .map_err(|e| ApiError::bad_request(format!("invalid JSON patch: {e}")))?;
                json_patch::patch(&mut doc, &p).map_err(|e| {
                    ApiError::new(
                        422,
                        "Invalid",
                        format!(
                            "the server rejected our request due to an error in our request: {e}"
                        ),
                    )
                })?;
            }
            other => return Err(ApiError::unsupported_media_type(other)),
        }
        let want_rv = str_of(&doc["metadata"]["resourceVersion"]);
        if !want_rv.is_empty() && want_rv != str_of(&old["metadata"]["resourceVersion"]) {
            return Err(ApiError::modified(&def.group, &def.plural, name));
        }
        if sub == Sub::Scale {
            return self.write_scale_body(def, key, old, &doc, manager);
        }
        self.write_update(def, key, old, doc, sub, manager)
    }

    /// The `autoscaling/v1` Scale of an object.
    pub fn scale_of(def: &ResourceDef, obj: &Value) -> Result<Value, ApiError> {
        let Some(spec) = &def.scale else {
            return Err(ApiError::no_route());
        };
        let md = &obj["metadata"];
        let mut meta = Map::new();
        for f in [
            "name",
            "namespace",
            "uid",
            "resourceVersion",
            "creationTimestamp",
        ] {
            if let Some(v) = md.get(f) {
                meta.insert(f.into(), v.clone());
            }
        }
        let mut status = json!({
            "replicas": get_dotted(obj, &spec.status_replicas_path).cloned().unwrap_or(json!(0)),
        });
        let selector = match &spec.label_selector_path {
            Some(p) => get_dotted(obj, p).cloned(),
            None if !def.crd => obj["spec"]["selector"]["matchLabels"].as_object().map(|m| {
                json!(m
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(","))
            }),
            None => None,
        };
        if let Some(s) = selector.filter(|s| !s.is_null()) {
            status["selector"] = s;
        }
        Ok(json!({
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
            "spec": {"replicas": get_dotted(obj, &spec.spec_replicas_path).cloned().unwrap_or(json!(0))},
            "status": status,
        }))
    }

    /// PUT `/scale`.
    pub fn write_scale(
        &mut self,
        def: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        body: &Value,
        manager: &str,
    ) -> Result<Value, ApiError> {
        let (key, old) = self.existing(def, ns, name)?;
        let want_rv = str_of(&body["metadata"]["resourceVersion"]);
        if !want_rv.is_empty() && want_rv != str_of(&old["metadata"]["resourceVersion"]) {
            return Err(ApiError::modified(&def.group, &def.plural, name));
        }
        self.write_scale_body(def, key, old, body, manager)
    }

    fn write_scale_body(
        &mut self,
        def: &ResourceDef,
        key: ObjKey,
        old: Value,
        scale: &Value,
        manager: &str,
    ) -> Result<Value, ApiError> {
        let Some(spec) = def.scale.clone() else {
            return Err(ApiError::no_route());
        };
        let replicas = scale["spec"]["replicas"].clone();
        if !replicas.is_i64() && !replicas.is_u64() {
            return Err(ApiError::invalid(
                "autoscaling",
                "Scale",
                &key.name,
                "spec.replicas",
                "Required value",
            ));
        }
        let mut new = old.clone();
        set_dotted(&mut new, &spec.spec_replicas_path, replicas);
        // Like a v1.21–v1.24 server (kubernetes-facts.md): a scale write leaves the replicas
        // field owned by no manager at all.
        let managed = Self::managed_after_update(def, &old, &new, manager, Sub::Scale, false);
        let stored = self.finish_write(def, key, old, new, Sub::Main, Some(managed))?;
        Self::scale_of(def, &stored)
    }

    /// PATCH `application/apply-patch+yaml`: server-side apply.
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &mut self,
        def: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        sub: Sub,
        mut applied: Value,
        manager: &str,
        force: bool,
    ) -> Result<Value, ApiError> {
        if !applied.is_object() {
            return Err(ApiError::bad_request(
                "the body of the request must be an object",
            ));
        }
        if sub == Sub::Scale {
            return Err(ApiError::unsupported_media_type(
                "application/apply-patch+yaml",
            ));
        }
        let body_name = str_of(&applied["metadata"]["name"]);
        if !body_name.is_empty() && body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        let api_version = str_of(&applied["apiVersion"]);
        let kind = str_of(&applied["kind"]);
        if api_version.is_empty() || kind.is_empty() {
            return Err(ApiError::bad_request(
                "apiVersion and kind must be set in an apply configuration",
            ));
        }
        if api_version != def.api_version() || kind != def.kind {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({api_version}) does not match the expected API version ({})",
                def.api_version()
            )));
        }
        // Only the fields of the endpoint count.
        if let Value::Object(m) = &mut applied {
            match sub {
                Sub::Status => m.retain(|k, _| {
                    matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status")
                }),
                _ if def.status => {
                    m.remove("status");
                }
                _ => {}
            }
        }
        Self::prune(def, &mut applied);
        {
            let md = obj_meta(&mut applied);
            for f in [
                "uid",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "managedFields",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "selfLink",
            ] {
                md.remove(f);
            }
        }
        let ctx = Self::ctx(def);
        let applied_fields = fields::collect(&applied, ctx);
        let key = Self::key(def, ns, name);
        let Some(old) = self.objects.get(&key).cloned() else {
            if sub != Sub::Main {
                return Err(ApiError::not_found(&def.group, &def.plural, name));
            }
            let mut body = applied.clone();
            obj_meta(&mut body).insert("name".into(), json!(name));
            let set = applied_fields.into_keys().collect();
            return self.create_inner(def, ns, body, manager, Some(set));
        };
        if def.namespaced {
            self.ns_check(def, ns, false)?;
        }
        let live = fields::collect(&old, ctx);
        let mut entries = read_managed(&old);
        let me = |e: &Managed| e.same_id(manager, "Apply", sub.name());
        // Conflicts: another manager owns a field this apply sets to a different value.
        let mut conflicts: Vec<(String, Path)> = Vec::new();
        for e in entries.iter().filter(|e| !me(e)) {
            for (p, v) in &applied_fields {
                if e.set.contains(p) && v.is_some() && live.get(p) != Some(v) {
                    conflicts.push((e.describe(), p.clone()));
                }
            }
        }
        if !conflicts.is_empty() && !force {
            return Err(apply_conflict(def, name, &conflicts));
        }
        if force {
            let taken: BTreeSet<&Path> = conflicts.iter().map(|(_, p)| p).collect();
            for e in entries.iter_mut().filter(|e| !me(e)) {
                e.set.retain(|p| !taken.contains(p));
            }
        }
        let prev: BTreeSet<Path> = entries
            .iter()
            .find(|e| me(e))
            .map(|e| e.set.clone())
            .unwrap_or_default();
        let mut new = old.clone();
        // Merge only the applied fields (metadata identity fields stay the stored ones).
        fields::merge_apply(&mut new, &applied, ctx, true);
        // Fields this manager applied before, no longer applies, and nobody else owns.
        let others: Vec<&BTreeSet<Path>> =
            entries.iter().filter(|e| !me(e)).map(|e| &e.set).collect();
        let mut dropped: Vec<&Path> = prev
            .iter()
            .filter(|p| !applied_fields.contains_key(*p))
            .filter(|p| !applied_fields.keys().any(|a| a.starts_with(p)))
            .filter(|p| !others.iter().any(|s| s.iter().any(|o| o.starts_with(p))))
            .collect();
        // Outermost first: removing a list item takes its fields with it (removing a key field
        // first would make the item unfindable).
        dropped.sort_by_key(|p| p.len());
        for p in dropped {
            fields::remove_path(&mut new, p);
        }
        match entries.iter_mut().find(|e| me(e)) {
            Some(e) => {
                e.set = applied_fields.keys().cloned().collect();
                e.api_version = def.api_version();
            }
            None => entries.push(Managed {
                manager: manager.into(),
                operation: "Apply".into(),
                api_version: def.api_version(),
                time: String::new(),
                subresource: sub.name().into(),
                set: applied_fields.keys().cloned().collect(),
            }),
        }
        // Fields that disappeared belong to nobody.
        let after = fields::collect(&new, ctx);
        for e in entries.iter_mut() {
            e.set.retain(|p| after.contains_key(p));
        }
        self.finish_write(def, key, old, new, sub, Some(entries))
    }

    /// DELETE.
    pub fn delete(
        &mut self,
        def: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<(Value, bool), ApiError> {
        let (key, old) = self.existing(def, ns, name)?;
        if let Some(uid) = &opts.uid {
            let have = str_of(&old["metadata"]["uid"]);
            if *uid != have {
                return Err(ApiError::conflict(
                    &def.group,
                    &def.plural,
                    name,
                    &format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {have}"),
                ));
            }
        }
        if let Some(rv) = &opts.resource_version {
            let have = str_of(&old["metadata"]["resourceVersion"]);
            if *rv != have {
                return Err(ApiError::conflict(
                    &def.group,
                    &def.plural,
                    name,
                    &format!("Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {have}"),
                ));
            }
        }
        let uid = str_of(&old["metadata"]["uid"]);
        let mut new = old.clone();
        let mut fins = finalizers(&new);
        let is_ns = def.group.is_empty() && def.plural == "namespaces";
        match opts.propagation {
            Some(Propagation::Orphan) => self.orphan_dependents(&uid),
            Some(Propagation::Foreground) if !fins.iter().any(|f| f == "foregroundDeletion") => {
                fins.push("foregroundDeletion".into());
            }
            _ => {}
        }
        if is_ns {
            // Namespaces terminate: their content goes first (see `gc_pass`).
            obj_meta(&mut new).insert("deletionTimestamp".into(), json!(now()));
            obj_meta(&mut new).insert("deletionGracePeriodSeconds".into(), json!(0));
            new["status"]["phase"] = json!("Terminating");
            if old["metadata"]["deletionTimestamp"].is_null() {
                let stored = self.commit(key, new, Some(old));
                return Ok((Self::present(def, &stored), false));
            }
            return Ok((Self::present(def, &old), false));
        }
        if fins.is_empty() {
            let gone = self.remove(&key).unwrap_or(old);
            return Ok((Self::present(def, &gone), true));
        }
        set_finalizers(&mut new, fins);
        if old["metadata"]["deletionTimestamp"].is_null() {
            let md = obj_meta(&mut new);
            md.insert("deletionTimestamp".into(), json!(now()));
            md.insert("deletionGracePeriodSeconds".into(), json!(0));
            if def.generation {
                let g = old["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
                md.insert("generation".into(), json!(g));
            }
        }
        if new == old {
            return Ok((Self::present(def, &old), false));
        }
        let stored = self.commit(key, new, Some(old));
        Ok((Self::present(def, &stored), false))
    }

    /// Removes ownerReferences to `uid` from every object (orphaning its dependents).
    fn orphan_dependents(&mut self, uid: &str) {
        let keys: Vec<ObjKey> = self
            .objects
            .iter()
            .filter(|(_, o)| owner_uids(o).iter().any(|u| u == uid))
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.drop_owner_refs(&k, &|u| u == uid);
        }
    }

    fn drop_owner_refs(&mut self, key: &ObjKey, gone: &dyn Fn(&str) -> bool) {
        let Some(old) = self.objects.get(key).cloned() else {
            return;
        };
        let Some(def) = self.def_of(&key.group, &key.plural) else {
            return;
        };
        let mut new = old.clone();
        let md = obj_meta(&mut new);
        if let Some(Value::Array(refs)) = md.get_mut("ownerReferences") {
            refs.retain(|r| !gone(r["uid"].as_str().unwrap_or_default()));
            if refs.is_empty() {
                md.remove("ownerReferences");
            }
        }
        let managed = Self::managed_after_update(&def, &old, &new, "", Sub::Main, false);
        let _ = self.finish_write(&def, key.clone(), old, new, Sub::Main, Some(managed));
    }

    /// Internal deletion by the garbage collector or the namespace controller.
    fn delete_key(&mut self, key: &ObjKey, propagation: Propagation) {
        let Some(def) = self.def_of(&key.group, &key.plural) else {
            return;
        };
        let opts = DeleteOptions {
            propagation: Some(propagation),
            ..Default::default()
        };
        let ns = (!key.ns.is_empty()).then_some(key.ns.as_str());
        let _ = self.delete(&def, ns, &key.name, &opts);
    }

    fn remove_finalizer(&mut self, key: &ObjKey, fin: &str) {
        let Some(old) = self.objects.get(key).cloned() else {
            return;
        };
        let Some(def) = self.def_of(&key.group, &key.plural) else {
            return;
        };
        let mut new = old.clone();
        let fins: Vec<String> = finalizers(&new).into_iter().filter(|f| f != fin).collect();
        set_finalizers(&mut new, fins);
        let managed = Self::managed_after_update(&def, &old, &new, "", Sub::Main, false);
        let _ = self.finish_write(&def, key.clone(), old, new, Sub::Main, Some(managed));
    }

    /// One pass of the garbage collector and the namespace controller; returns whether it
    /// changed anything (the caller runs passes until nothing changes).
    pub fn gc_pass(&mut self) -> bool {
        let before = self.rv;
        let uids: BTreeMap<String, ObjKey> = self
            .objects
            .iter()
            .map(|(k, o)| (str_of(&o["metadata"]["uid"]), k.clone()))
            .collect();
        let deleting_fg = |o: &Value| {
            !o["metadata"]["deletionTimestamp"].is_null()
                && finalizers(o).iter().any(|f| f == "foregroundDeletion")
        };
        // Dependents whose owners are gone or being deleted in the foreground.
        let mut to_delete: Vec<(ObjKey, Propagation)> = Vec::new();
        let mut to_unlink: Vec<(ObjKey, Vec<String>)> = Vec::new();
        for (k, o) in &self.objects {
            let refs = owner_uids(o);
            if refs.is_empty() {
                continue;
            }
            let absent: Vec<String> = refs
                .iter()
                .filter(|u| !uids.contains_key(*u))
                .cloned()
                .collect();
            let waiting: Vec<&String> = refs
                .iter()
                .filter(|u| {
                    uids.get(*u)
                        .and_then(|ok| self.objects.get(ok))
                        .is_some_and(deleting_fg)
                })
                .collect();
            let solid = refs.len() - absent.len() - waiting.len();
            if solid == 0 {
                if o["metadata"]["deletionTimestamp"].is_null() {
                    let p = if waiting.is_empty() {
                        Propagation::Background
                    } else {
                        Propagation::Foreground
                    };
                    to_delete.push((k.clone(), p));
                }
            } else if !absent.is_empty() {
                to_unlink.push((k.clone(), absent));
            }
        }
        for (k, p) in to_delete {
            self.delete_key(&k, p);
        }
        for (k, absent) in to_unlink {
            self.drop_owner_refs(&k, &|u| absent.iter().any(|a| a == u));
        }
        // Owners in foreground deletion whose blocking dependents are gone.
        let fg: Vec<(ObjKey, String)> = self
            .objects
            .iter()
            .filter(|(_, o)| deleting_fg(o))
            .map(|(k, o)| (k.clone(), str_of(&o["metadata"]["uid"])))
            .collect();
        for (k, uid) in fg {
            let blocked = self.objects.values().any(|o| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| r["uid"] == json!(uid) && r["blockOwnerDeletion"] == json!(true))
            });
            if !blocked {
                self.remove_finalizer(&k, "foregroundDeletion");
            }
        }
        // Terminating namespaces: delete their content, then the namespace.
        let terminating: Vec<ObjKey> = self
            .objects
            .iter()
            .filter(|(k, o)| {
                k.group.is_empty()
                    && k.plural == "namespaces"
                    && !o["metadata"]["deletionTimestamp"].is_null()
            })
            .map(|(k, _)| k.clone())
            .collect();
        for nk in terminating {
            let content: Vec<(ObjKey, bool)> = self
                .objects
                .iter()
                .filter(|(k, _)| k.ns == nk.name)
                .map(|(k, o)| (k.clone(), o["metadata"]["deletionTimestamp"].is_null()))
                .collect();
            for (k, live) in &content {
                if *live {
                    self.delete_key(k, Propagation::Background);
                }
            }
            if content.is_empty() && finalizers(&self.objects[&nk]).is_empty() {
                self.remove(&nk);
            }
        }
        self.rv != before
    }
}

fn owner_uids(o: &Value) -> Vec<String> {
    o["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["uid"].as_str().map(String::from))
        .collect()
}

/// A CRD is accepted and established at once: its names are taken as asked.
fn establish(crd: &mut Value) {
    let t = now();
    let spec = crd["spec"].clone();
    let stored: Vec<Value> = spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["storage"] == json!(true))
        .map(|v| v["name"].clone())
        .collect();
    let keep_time = |ty: &str| {
        crd["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == json!(ty))
            .and_then(|c| c["lastTransitionTime"].as_str().map(String::from))
            .unwrap_or_else(|| t.clone())
    };
    let status = json!({
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": keep_time("NamesAccepted"),
             "reason": "NoConflicts", "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": keep_time("Established"),
             "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"},
        ],
        "acceptedNames": spec["names"],
        "storedVersions": stored,
    });
    crd["status"] = status;
}

/// The 409 of a conflicting apply, worded like the real server's.
fn apply_conflict(def: &ResourceDef, name: &str, conflicts: &[(String, Path)]) -> ApiError {
    let message = if conflicts.len() == 1 {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            conflicts[0].0,
            fields::display(&conflicts[0].1)
        )
    } else {
        let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (m, p) in conflicts {
            by.entry(m.as_str()).or_default().push(fields::display(p));
        }
        let mut lines = Vec::new();
        for (m, ps) in by {
            lines.push(format!("conflicts with {m}:"));
            lines.extend(ps.into_iter().map(|p| format!("- {p}")));
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(m, p)| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"),
                   "field": fields::display(p)})
        })
        .collect();
    let mut d = json!({"name": name, "kind": def.plural, "causes": causes});
    if !def.group.is_empty() {
        d["group"] = json!(def.group);
    }
    ApiError {
        code: 409,
        reason: "Conflict",
        message,
        details: Some(d),
    }
}
