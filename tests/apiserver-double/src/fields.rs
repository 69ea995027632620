//! Field paths, list semantics, managed fields (FieldsV1), server-side apply, strategic merge
//! patch and structural-schema pruning — all on `serde_json::Value`.
//!
//! List semantics: custom resources follow their schema's `x-kubernetes-list-type` /
//! `x-kubernetes-list-map-keys` (default atomic). Built-in types and every object's `metadata` use a
//! small table keyed by field name (the merge keys of the Kubernetes types the operator writes), see
//! [`builtin_list_type`]; any other list is atomic.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// One encoded path element, as in FieldsV1: `f:name`, `k:{"name":"x"}`, `v:"x"`, `i:0`.
pub type Path = Vec<String>;

#[derive(Clone, Debug, PartialEq)]
pub enum ListType {
    Atomic,
    Set,
    Map(Vec<String>),
}

/// Where in the type we are: the CRD schema node, if any; `None` means the built-in table.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub schema: Option<&'a Value>,
}

impl<'a> Ctx<'a> {
    pub fn root(schema: Option<&'a Value>) -> Self {
        Ctx { schema }
    }
    fn field(self, name: &str, at_root: bool) -> Ctx<'a> {
        if at_root && name == "metadata" {
            return Ctx { schema: None };
        }
        match self.schema {
            None => self,
            Some(s) => Ctx {
                schema: s["properties"]
                    .get(name)
                    .or_else(|| s.get("additionalProperties").filter(|a| a.is_object())),
            }
            .or_unknown(),
        }
    }
    fn items(self) -> Ctx<'a> {
        match self.schema {
            None => self,
            Some(s) => Ctx {
                schema: s.get("items"),
            }
            .or_unknown(),
        }
    }
    /// A CR field the schema does not describe (preserved unknown fields): treat lists as atomic.
    fn or_unknown(self) -> Ctx<'a> {
        static UNKNOWN: Value = Value::Null;
        Ctx {
            schema: Some(self.schema.unwrap_or(&UNKNOWN)),
        }
    }
    fn list_type(self, field: &str, items: &[Value]) -> ListType {
        match self.schema {
            None => builtin_list_type(field, items),
            Some(s) => match s.get("x-kubernetes-list-type").and_then(Value::as_str) {
                Some("set") => ListType::Set,
                Some("map") => {
                    let keys: Vec<String> = s["x-kubernetes-list-map-keys"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|k| k.as_str().map(String::from))
                        .collect();
                    if keys.is_empty() || !items.iter().all(Value::is_object) {
                        ListType::Atomic
                    } else {
                        ListType::Map(keys)
                    }
                }
                _ => ListType::Atomic,
            },
        }
    }
}

/// Merge keys of the built-in types (Kubernetes' `patchMergeKey`s for the fields Hoist writes).
pub fn builtin_list_type(field: &str, items: &[Value]) -> ListType {
    let keys: &[&str] = match field {
        "finalizers" => return ListType::Set,
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => &["name"],
        "volumeMounts" => &["mountPath"],
        "volumeDevices" => &["devicePath"],
        "conditions" => &["type"],
        "ownerReferences" => &["uid"],
        "ports" => {
            if items.iter().any(|i| i.get("containerPort").is_some()) {
                &["containerPort", "protocol"]
            } else {
                &["port", "protocol"]
            }
        }
        _ => return ListType::Atomic,
    };
    let primary = keys[0];
    if items.iter().all(|i| i.get(primary).is_some()) {
        ListType::Map(keys.iter().map(|k| k.to_string()).collect())
    } else {
        ListType::Atomic
    }
}

fn key_of(item: &Value, keys: &[String]) -> String {
    let mut m = BTreeMap::new();
    for k in keys {
        if let Some(v) = item.get(k) {
            m.insert(k.clone(), v.clone());
        }
    }
    format!("k:{}", serde_json::to_string(&m).unwrap_or_default())
}

fn value_elem(v: &Value) -> String {
    format!("v:{}", serde_json::to_string(v).unwrap_or_default())
}

/// Metadata fields that are tracked by field management (the rest are server-owned or identity).
const TRACKED_METADATA: &[&str] = &["labels", "annotations", "finalizers", "ownerReferences"];

/// Every owned path of `obj` with its leaf value (`None` for list elements, which own themselves).
pub fn collect(obj: &Value, ctx: Ctx) -> BTreeMap<Path, Option<Value>> {
    let mut out = BTreeMap::new();
    if let Value::Object(m) = obj {
        for (k, v) in m {
            if k == "apiVersion" || k == "kind" {
                continue;
            }
            let p = vec![format!("f:{k}")];
            if k == "metadata" {
                if let Value::Object(md) = v {
                    for (mk, mv) in md {
                        if TRACKED_METADATA.contains(&mk.as_str()) {
                            let mut mp = p.clone();
                            mp.push(format!("f:{mk}"));
                            collect_field(mk, mv, Ctx { schema: None }, mp, &mut out);
                        }
                    }
                }
                continue;
            }
            collect_field(k, v, ctx.field(k, true), p, &mut out);
        }
    }
    out
}

fn collect_field(
    name: &str,
    v: &Value,
    ctx: Ctx,
    p: Path,
    out: &mut BTreeMap<Path, Option<Value>>,
) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, cv) in m {
                let mut cp = p.clone();
                cp.push(format!("f:{k}"));
                collect_field(k, cv, ctx.field(k, false), cp, out);
            }
        }
        Value::Array(items) if !items.is_empty() => match ctx.list_type(name, items) {
            ListType::Atomic => {
                out.insert(p, Some(v.clone()));
            }
            ListType::Set => {
                for i in items {
                    let mut ep = p.clone();
                    ep.push(value_elem(i));
                    out.insert(ep, Some(i.clone()));
                }
            }
            ListType::Map(keys) => {
                let ictx = ctx.items();
                for i in items {
                    let mut ep = p.clone();
                    ep.push(key_of(i, &keys));
                    out.insert(ep.clone(), None);
                    if let Value::Object(im) = i {
                        for (k, cv) in im {
                            let mut cp = ep.clone();
                            cp.push(format!("f:{k}"));
                            collect_field(k, cv, ictx.field(k, false), cp, out);
                        }
                    }
                }
            }
        },
        _ => {
            out.insert(p, Some(v.clone()));
        }
    }
}

/// `.spec.containers[name="x"].image`, the way conflicts name fields.
pub fn display(p: &Path) -> String {
    let mut s = String::new();
    for e in p {
        if let Some(f) = e.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = e.strip_prefix("k:") {
            let m: BTreeMap<String, Value> = serde_json::from_str(k).unwrap_or_default();
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
            s.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(v) = e.strip_prefix("v:") {
            s.push_str(&format!("[={v}]"));
        } else {
            s.push_str(&format!("[{e}]"));
        }
    }
    s
}

fn find_item(items: &[Value], elem: &str) -> Option<usize> {
    if let Some(k) = elem.strip_prefix("k:") {
        let want: Map<String, Value> = serde_json::from_str(k).ok()?;
        items
            .iter()
            .position(|i| want.iter().all(|(kk, kv)| i.get(kk) == Some(kv)))
    } else if let Some(v) = elem.strip_prefix("v:") {
        let want: Value = serde_json::from_str(v).ok()?;
        items.iter().position(|i| *i == want)
    } else {
        elem.strip_prefix("i:")?.parse().ok()
    }
}

/// Deletes the node at `p`; empty parent maps left behind are kept (the real server keeps them too
/// as long as someone owns them; the caller prunes nothing else).
pub fn remove_path(obj: &mut Value, p: &[String]) {
    let Some((last, parent)) = p.split_last() else {
        return;
    };
    let mut cur = obj;
    for e in parent {
        let next = if let Some(f) = e.strip_prefix("f:") {
            cur.get_mut(f)
        } else if let Value::Array(items) = cur {
            match find_item(items, e) {
                Some(i) => items.get_mut(i),
                None => None,
            }
        } else {
            None
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    if let Some(f) = last.strip_prefix("f:") {
        if let Value::Object(m) = cur {
            m.remove(f);
        }
    } else if let Value::Array(items) = cur {
        if let Some(i) = find_item(items, last) {
            items.remove(i);
        }
    }
}

/// Merges an applied configuration into the live object following the list types.
pub fn merge_apply(live: &mut Value, applied: &Value, ctx: Ctx, at_root: bool) {
    let (Value::Object(lm), Value::Object(am)) = (&mut *live, applied) else {
        *live = applied.clone();
        return;
    };
    for (k, av) in am {
        let cctx = ctx.field(k, at_root);
        match (lm.get_mut(k), av) {
            (Some(lv @ Value::Object(_)), Value::Object(_)) => merge_apply(lv, av, cctx, false),
            (Some(Value::Array(litems)), Value::Array(aitems)) => {
                let lt = if at_root && k == "metadata" {
                    ListType::Atomic
                } else {
                    cctx.list_type(k, aitems)
                };
                merge_list(litems, aitems, lt, cctx);
            }
            _ => {
                lm.insert(k.clone(), av.clone());
            }
        }
    }
}

fn merge_list(litems: &mut Vec<Value>, aitems: &[Value], lt: ListType, ctx: Ctx) {
    match lt {
        ListType::Atomic => *litems = aitems.to_vec(),
        ListType::Set => {
            for a in aitems {
                if !litems.contains(a) {
                    litems.push(a.clone());
                }
            }
        }
        ListType::Map(keys) => {
            for a in aitems {
                let k = key_of(a, &keys);
                match find_item(litems, &k) {
                    Some(i) => merge_apply(&mut litems[i], a, ctx.items(), false),
                    None => litems.push(a.clone()),
                }
            }
        }
    }
}

/// FieldsV1 JSON from a set of paths.
pub fn to_fields_v1(set: &BTreeSet<Path>) -> Value {
    let mut root = Map::new();
    for p in set {
        let mut cur = &mut root;
        for e in p {
            let next = cur
                .entry(e.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            cur = match next {
                Value::Object(m) => m,
                _ => unreachable!("FieldsV1 nodes are objects"),
            };
        }
        // A member that also has children is marked with ".", like the real server does for list
        // elements; leaves are plain empty objects.
        cur.insert(".".into(), Value::Object(Map::new()));
    }
    fn strip_leaf_dots(m: &mut Map<String, Value>) {
        if m.len() == 1 && m.contains_key(".") {
            m.remove(".");
            return;
        }
        for v in m.values_mut() {
            if let Value::Object(c) = v {
                strip_leaf_dots(c);
            }
        }
    }
    strip_leaf_dots(&mut root);
    Value::Object(root)
}

/// Set of paths from FieldsV1 JSON.
pub fn from_fields_v1(v: &Value) -> BTreeSet<Path> {
    fn walk(m: &Map<String, Value>, p: &mut Path, out: &mut BTreeSet<Path>) {
        if (m.is_empty() || m.contains_key(".")) && !p.is_empty() {
            out.insert(p.clone());
        }
        for (k, v) in m {
            if k == "." {
                continue;
            }
            p.push(k.clone());
            if let Value::Object(c) = v {
                walk(c, p, out);
            }
            p.pop();
        }
    }
    let mut out = BTreeSet::new();
    if let Value::Object(m) = v {
        if !m.is_empty() {
            walk(m, &mut Vec::new(), &mut out);
        }
    }
    out
}

/// Strategic merge patch (the subset kubectl and kube-rs send): maps merge, `null` deletes, lists
/// with a known merge key (see [`builtin_list_type`] / the CRD schema) merge by key and honour
/// `$patch: delete|replace`, other lists are replaced; `$setElementOrder`, `$retainKeys` are ignored;
/// `$deleteFromPrimitiveList/<field>` removes values.
pub fn strategic_merge(target: &mut Value, patch: &Value, ctx: Ctx, at_root: bool) {
    let Value::Object(pm) = patch else {
        *target = patch.clone();
        return;
    };
    if pm.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut p = pm.clone();
        p.remove("$patch");
        *target = Value::Object(p);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(tm) = target else { return };
    for (k, pv) in pm {
        if k.starts_with("$setElementOrder/") || k == "$retainKeys" || k == "$patch" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(items)), Value::Array(del)) = (tm.get_mut(field), pv) {
                items.retain(|i| !del.contains(i));
            }
            continue;
        }
        if pv.is_null() {
            tm.remove(k);
            continue;
        }
        let cctx = ctx.field(k, at_root);
        match (tm.get_mut(k), pv) {
            (Some(tv @ Value::Object(_)), Value::Object(_)) => strategic_merge(tv, pv, cctx, false),
            (Some(Value::Array(titems)), Value::Array(pitems)) => {
                let mut probe: Vec<Value> = titems.clone();
                probe.extend(pitems.iter().filter(|i| i.get("$patch").is_none()).cloned());
                match cctx.list_type(k, &probe) {
                    ListType::Map(keys) => {
                        for pi in pitems {
                            let key = key_of(pi, &keys);
                            let pos = find_item(titems, &key);
                            let directive = pi.get("$patch").and_then(Value::as_str);
                            match (pos, directive) {
                                (Some(i), Some("delete")) => {
                                    titems.remove(i);
                                }
                                (None, Some("delete")) => {}
                                (Some(i), _) => {
                                    strategic_merge(&mut titems[i], pi, cctx.items(), false)
                                }
                                (None, _) => titems.push(pi.clone()),
                            }
                        }
                    }
                    _ => {
                        tm.insert(k.clone(), pv.clone());
                    }
                }
            }
            _ => {
                let mut v = pv.clone();
                strip_directives(&mut v);
                tm.insert(k.clone(), v);
            }
        }
    }
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with('$'));
            m.values_mut().for_each(strip_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

/// Drops the fields a structural schema does not declare, the way the real server prunes custom
/// resources silently (`x-kubernetes-preserve-unknown-fields` keeps them).
pub fn prune(v: &mut Value, schema: &Value, at_root: bool) {
    let preserve = schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    let embedded = schema.get("x-kubernetes-embedded-resource") == Some(&Value::Bool(true));
    match v {
        Value::Object(m) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            m.retain(|k, _| {
                preserve
                    || ((at_root || embedded)
                        && matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
                    || props.is_some_and(|p| p.contains_key(k))
                    || additional.is_some()
                    || schema.get("additionalProperties") == Some(&Value::Bool(true))
            });
            for (k, cv) in m.iter_mut() {
                if (at_root || embedded) && k == "metadata" {
                    continue;
                }
                if let Some(s) = props.and_then(|p| p.get(k)).or(additional) {
                    prune(cv, s, false);
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for i in items {
                    prune(i, s, false);
                }
            }
        }
        _ => {}
    }
}
