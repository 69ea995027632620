//! HTTP routing: discovery, `/version`, OpenAPI, and the resource endpoints (CRUD, patch, apply,
//! watch) of every served resource. Paths are parsed by hand in one fallback handler because
//! Kubernetes paths overlap (`/api/v1/namespaces/{name}` vs `/api/v1/namespaces/{ns}/{plural}`).

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc, Notify};

use crate::errors::ApiError;
use crate::resources::{self, ResourceDef};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{DeleteOptions, Event, EventType, Propagation, Store, Sub};

/// Shared server state.
pub struct Shared {
    pub store: Mutex<Store>,
    /// Wakes the garbage collector after a deletion.
    pub gc: Notify,
    pub bookmark_interval: Duration,
    pub address: String,
}

pub type AppState = Arc<Shared>;

fn json_response(code: u16, v: &Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(Body::from(v.to_string()))
        .unwrap_or_default()
}

fn error_response(e: &ApiError) -> Response {
    json_response(e.code, &e.status())
}

fn query_map(uri: &Uri) -> HashMap<String, String> {
    axum::extract::Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|q| q.0)
        .unwrap_or_default()
}

/// Where a resource request points.
struct Target {
    def: ResourceDef,
    ns: Option<String>,
    name: Option<String>,
    sub: Option<String>,
}

enum Route {
    Json(Value),
    Resource(Box<Target>),
    OpenApiV2,
}

fn group_versions(defs: &[ResourceDef]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in defs {
        let vs = m.entry(d.group.clone()).or_default();
        if !vs.contains(&d.version) {
            vs.push(d.version.clone());
        }
    }
    for vs in m.values_mut() {
        vs.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
    }
    m
}

/// Kubernetes' version priority: GA > beta > alpha, then by number (v2 > v1, v1beta2 > v1beta1).
fn version_priority(v: &str) -> (u8, u32, u32) {
    let rest = v.strip_prefix('v').unwrap_or("");
    let major_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Ok(major) = rest[..major_len].parse::<u32>() else {
        return (0, 0, 0);
    };
    let tail = &rest[major_len..];
    let (level, minor) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (level, major, minor)
}

fn group_json(name: &str, versions: &[String]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    json!({"name": name, "versions": vs, "preferredVersion": vs.first().cloned().unwrap_or(Value::Null)})
}

fn route(shared: &Shared, path: &str) -> Result<Route, ApiError> {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let store = shared.store.lock();
    let defs = store.defs();
    match segs.as_slice() {
        ["version"] => {
            let v = store.version.clone();
            let mut parts = v.trim_start_matches('v').split('.');
            let major = parts.next().unwrap_or("1").to_string();
            let minor = parts.next().unwrap_or("0").to_string();
            Ok(Route::Json(json!({
                "major": major, "minor": minor, "gitVersion": v,
                "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                "buildDate": "2023-01-01T00:00:00Z", "goVersion": "go1.19.13", "compiler": "gc",
                "platform": "linux/amd64",
            })))
        }
        ["healthz"] | ["livez"] | ["readyz"] => Ok(Route::Json(json!("ok"))),
        ["openapi", "v2"] => Ok(Route::OpenApiV2),
        ["api"] => Ok(Route::Json(json!({
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": shared.address}],
        }))),
        ["apis"] => {
            let groups: Vec<Value> = group_versions(defs)
                .iter()
                .filter(|(g, _)| !g.is_empty())
                .map(|(g, vs)| group_json(g, vs))
                .collect();
            Ok(Route::Json(
                json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
            ))
        }
        ["apis", g] => match group_versions(defs).get(*g) {
            Some(vs) if !g.is_empty() => {
                let mut v = group_json(g, vs);
                v["kind"] = json!("APIGroup");
                v["apiVersion"] = json!("v1");
                Ok(Route::Json(v))
            }
            _ => Err(ApiError::no_route()),
        },
        ["api", "v1"] => Ok(Route::Json(gv_list(defs, "", "v1")?)),
        ["apis", g, v] => Ok(Route::Json(gv_list(defs, g, v)?)),
        ["api", "v1", rest @ ..] => resource_target(&store, "", "v1", rest),
        ["apis", g, v, rest @ ..] => resource_target(&store, g, v, rest),
        _ => Err(ApiError::no_route()),
    }
}

fn gv_list(defs: &[ResourceDef], group: &str, version: &str) -> Result<Value, ApiError> {
    let sel: Vec<&ResourceDef> = defs
        .iter()
        .filter(|d| d.group == group && d.version == version)
        .collect();
    if sel.is_empty() {
        return Err(ApiError::no_route());
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Ok(resources::resource_list(&gv, &sel))
}

fn resource_target(store: &Store, g: &str, v: &str, rest: &[&str]) -> Result<Route, ApiError> {
    let find = |plural: &str| store.find(g, v, plural).ok_or_else(ApiError::no_route);
    let t = match rest {
        // Namespace subresources look like namespaced collections: `status` and `finalize`
        // are not resource names.
        ["namespaces", name, sub @ ("status" | "finalize")] if g.is_empty() => Target {
            def: find("namespaces")?,
            ns: None,
            name: Some(name.to_string()),
            sub: Some(sub.to_string()),
        },
        ["namespaces", ns, plural, tail @ ..] => {
            let def = find(plural)?;
            if !def.namespaced {
                return Err(ApiError::no_route());
            }
            let (name, sub) = match tail {
                [] => (None, None),
                [n] => (Some(n.to_string()), None),
                [n, s] => (Some(n.to_string()), Some(s.to_string())),
                _ => return Err(ApiError::no_route()),
            };
            Target {
                def,
                ns: Some(ns.to_string()),
                name,
                sub,
            }
        }
        [plural, tail @ ..] => {
            let def = find(plural)?;
            let (name, sub) = match tail {
                [] => (None, None),
                [n] if !def.namespaced => (Some(n.to_string()), None),
                [n, s] if !def.namespaced => (Some(n.to_string()), Some(s.to_string())),
                _ => return Err(ApiError::no_route()),
            };
            Target {
                def,
                ns: None,
                name,
                sub,
            }
        }
        [] => return Err(ApiError::no_route()),
    };
    Ok(Route::Resource(Box::new(t)))
}

/// The one handler.
pub async fn handle(
    State(shared): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle_inner(&shared, &method, &uri, &headers, &body).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    }
}

async fn handle_inner(
    shared: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let route = route(shared, uri.path())?;
    let accept = headers
        .get("accept")
        .and_then(|a| a.to_str().ok())
        .unwrap_or("")
        .to_string();
    match route {
        Route::Json(v) => {
            if *method != Method::GET {
                return Err(ApiError::method_not_allowed());
            }
            Ok(json_response(200, &v))
        }
        Route::OpenApiV2 => Ok(openapi_v2(shared, &accept)),
        Route::Resource(t) => resource(shared, method, uri, headers, body, *t, &accept).await,
    }
}

/// A minimal OpenAPI v2 document: no definitions. kubectl fetches it as protobuf for client-side
/// validation (and finds no schema, so it validates nothing); JSON for everyone else.
fn openapi_v2(shared: &Shared, accept: &str) -> Response {
    let version = shared.store.lock().version.clone();
    if accept.contains("protobuf") {
        // gnostic's openapi_v2.Document: field 1 `swagger`, field 2 `info` {1 title, 2 version}.
        // Hand-encoded: a protobuf library for three fields is not worth a dependency.
        let mut info = Vec::new();
        push_pb_string(&mut info, 1, "Kubernetes");
        push_pb_string(&mut info, 2, &version);
        let mut doc = Vec::new();
        push_pb_string(&mut doc, 1, "2.0");
        push_pb_bytes(&mut doc, 2, &info);
        return Response::builder()
            .status(200)
            .header("content-type", "application/octet-stream")
            .body(Body::from(doc))
            .unwrap_or_default();
    }
    json_response(
        200,
        &json!({"swagger": "2.0", "info": {"title": "Kubernetes", "version": version},
                "paths": {}, "definitions": {}}),
    )
}

fn push_pb_bytes(out: &mut Vec<u8>, field: u8, data: &[u8]) {
    out.push((field << 3) | 2);
    let mut len = data.len();
    loop {
        let b = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(data);
}

fn push_pb_string(out: &mut Vec<u8>, field: u8, s: &str) {
    push_pb_bytes(out, field, s.as_bytes());
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiError> {
    let ct = content_type(headers);
    if ct == "application/vnd.kubernetes.protobuf" {
        return crate::protobuf::decode(body);
    }
    if ct.contains("yaml") {
        serde_yaml::from_slice::<Value>(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
    } else {
        serde_json::from_slice::<Value>(body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get("content-type")
        .and_then(|c| c.to_str().ok())
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The field manager: `?fieldManager=`, else the user agent up to its first `/`, as the real
/// server derives it.
fn manager_of(q: &HashMap<String, String>, headers: &HeaderMap) -> String {
    if let Some(m) = q.get("fieldManager").filter(|m| !m.is_empty()) {
        return m.clone();
    }
    let ua = headers
        .get("user-agent")
        .and_then(|u| u.to_str().ok())
        .unwrap_or("unknown");
    ua.split('/').next().unwrap_or("unknown").to_string()
}

fn bool_param(q: &HashMap<String, String>, k: &str) -> bool {
    q.get(k).is_some_and(|v| v == "1" || v == "true")
}

async fn resource(
    shared: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    t: Target,
    accept: &str,
) -> Result<Response, ApiError> {
    let q = query_map(uri);
    let def = &t.def;
    let ns = t.ns.as_deref();
    let sub = match t.sub.as_deref() {
        None => Sub::Main,
        Some("status") if def.status => Sub::Status,
        Some("scale") if def.scale.is_some() => Sub::Scale,
        // Namespace finalization: treated like a status write of `spec.finalizers`.
        Some("finalize") if def.plural == "namespaces" => Sub::Main,
        Some(_) => return Err(ApiError::no_route()),
    };
    let dry_run = q.contains_key("dryRun");
    let Some(name) = t.name.clone() else {
        // Collection.
        return match *method {
            Method::GET if bool_param(&q, "watch") => watch(shared, def, ns, &q).await,
            Method::GET => {
                let labels = LabelSelector::parse(q.get("labelSelector").map_or("", |s| s))?;
                let fields = FieldSelector::parse(q.get("fieldSelector").map_or("", |s| s))?;
                let store = shared.store.lock();
                if let Some(n) = ns {
                    if def.namespaced && n.is_empty() {
                        return Err(ApiError::no_route());
                    }
                }
                let items = store.list(def, ns, &labels, &fields);
                let rv = store.rv().to_string();
                drop(store);
                if wants_table(accept) {
                    return Ok(json_response(200, &table(def, &items, &rv)));
                }
                Ok(json_response(
                    200,
                    &json!({
                        "kind": format!("{}List", def.kind), "apiVersion": def.api_version(),
                        "metadata": {"resourceVersion": rv}, "items": items,
                    }),
                ))
            }
            Method::POST => {
                let b = parse_body(headers, body)?;
                let manager = manager_of(&q, headers);
                if def.namespaced && ns.is_none() {
                    return Err(ApiError::method_not_allowed());
                }
                let (mut created, dry) = run_write(shared, dry_run, def, ns, None, |s| {
                    s.create(def, ns, b, &manager)
                })?;
                dry_version(&mut created, dry);
                Ok(json_response(201, &created))
            }
            Method::DELETE => {
                // deletecollection
                let labels = LabelSelector::parse(q.get("labelSelector").map_or("", |s| s))?;
                let fields = FieldSelector::parse(q.get("fieldSelector").map_or("", |s| s))?;
                let opts = delete_options(&q, headers, body)?;
                let mut store = shared.store.lock();
                let items = store.list(def, ns, &labels, &fields);
                for i in &items {
                    let n = i["metadata"]["name"].as_str().unwrap_or_default();
                    let ins = i["metadata"]["namespace"].as_str();
                    let _ = store.delete(def, ins, n, &opts);
                }
                let rv = store.rv().to_string();
                drop(store);
                shared.gc.notify_one();
                Ok(json_response(
                    200,
                    &json!({"kind": format!("{}List", def.kind), "apiVersion": def.api_version(),
                            "metadata": {"resourceVersion": rv}, "items": items}),
                ))
            }
            _ => Err(ApiError::method_not_allowed()),
        };
    };
    if def.namespaced && ns.is_none() {
        return Err(ApiError::no_route());
    }
    let manager = manager_of(&q, headers);
    match *method {
        Method::GET => {
            let store = shared.store.lock();
            let obj = store.get(def, ns, &name)?;
            if sub == Sub::Scale {
                return Ok(json_response(200, &Store::scale_of(def, &obj)?));
            }
            let rv = store.rv().to_string();
            drop(store);
            if wants_table(accept) {
                return Ok(json_response(200, &table(def, &[obj], &rv)));
            }
            Ok(json_response(200, &obj))
        }
        Method::PUT => {
            let b = parse_body(headers, body)?;
            let (mut out, dry) = run_write(shared, dry_run, def, ns, Some(&name), |s| {
                if sub == Sub::Scale {
                    s.write_scale(def, ns, &name, &b, &manager)
                } else {
                    s.update(def, ns, &name, sub, b, &manager)
                }
            })?;
            dry_version(&mut out, dry);
            Ok(json_response(200, &out))
        }
        Method::PATCH => {
            let ct = content_type(headers);
            if ct == "application/apply-patch+yaml" {
                let Some(m) = q.get("fieldManager").filter(|m| !m.is_empty()) else {
                    return Err(ApiError::bad_request(
                        "PATCH request: fieldManager is required for apply requests",
                    ));
                };
                let b = serde_yaml::from_slice::<Value>(body)
                    .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
                let existed = shared.store.lock().get(def, ns, &name).is_ok();
                let force = bool_param(&q, "force");
                let (mut out, dry) = run_write(shared, dry_run, def, ns, Some(&name), |s| {
                    s.apply(def, ns, &name, sub, b, m, force)
                })?;
                dry_version(&mut out, dry);
                return Ok(json_response(if existed { 200 } else { 201 }, &out));
            }
            let b = serde_json::from_slice::<Value>(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            let (mut out, dry) = run_write(shared, dry_run, def, ns, Some(&name), |s| {
                s.patch(def, ns, &name, sub, &ct, &b, &manager)
            })?;
            dry_version(&mut out, dry);
            Ok(json_response(200, &out))
        }
        Method::DELETE if sub == Sub::Main => {
            let opts = delete_options(&q, headers, body)?;
            let dry_run = dry_run || opts.dry_run;
            let ((mut obj, gone), dry) = run_write(shared, dry_run, def, ns, Some(&name), |s| {
                s.delete(def, ns, &name, &opts)
            })?;
            dry_version(&mut obj, dry);
            if gone {
                let mut details = json!({"name": name, "kind": def.plural,
                                         "uid": obj["metadata"]["uid"]});
                if !def.group.is_empty() {
                    details["group"] = json!(def.group);
                }
                return Ok(json_response(
                    200,
                    &json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Success", "details": details}),
                ));
            }
            Ok(json_response(200, &obj))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Runs a write under the lock. With `dryRun`, on a scratch copy holding the namespaces and the
/// target object: the write is validated and computed the same way, but nothing is stored and no
/// watcher sees it. Then also returns the stored object's resourceVersion ("" if none).
fn run_write<T>(
    shared: &Shared,
    dry_run: bool,
    def: &ResourceDef,
    ns: Option<&str>,
    name: Option<&str>,
    f: impl FnOnce(&mut Store) -> Result<T, ApiError>,
) -> Result<(T, Option<String>), ApiError> {
    let mut store = shared.store.lock();
    if dry_run {
        let mut scratch = store.scratch(def, ns, name);
        let before = name
            .and_then(|n| store.get(def, ns, n).ok())
            .and_then(|o| o["metadata"]["resourceVersion"].as_str().map(String::from))
            .unwrap_or_default();
        drop(store);
        return Ok((f(&mut scratch)?, Some(before)));
    }
    let out = f(&mut store)?;
    drop(store);
    shared.gc.notify_one();
    Ok((out, None))
}

/// A dry-run answer carries the stored resourceVersion (none for a creation).
fn dry_version(obj: &mut Value, dry: Option<String>) {
    let Some(rv) = dry else { return };
    if let Some(Value::Object(md)) = obj.get_mut("metadata") {
        if rv.is_empty() {
            md.remove("resourceVersion");
        } else {
            md.insert("resourceVersion".into(), json!(rv));
        }
    }
}

fn delete_options(
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<DeleteOptions, ApiError> {
    let b = if body.is_empty() {
        json!({})
    } else {
        parse_body(headers, body)?
    };
    let policy = q
        .get("propagationPolicy")
        .cloned()
        .or_else(|| b["propagationPolicy"].as_str().map(String::from));
    let orphan = b["orphanDependents"]
        .as_bool()
        .or_else(|| q.get("orphanDependents").map(|v| v == "true"));
    let propagation = match (policy.as_deref(), orphan) {
        (Some("Foreground"), _) => Some(Propagation::Foreground),
        (Some("Background"), _) => Some(Propagation::Background),
        (Some("Orphan"), _) | (None, Some(true)) => Some(Propagation::Orphan),
        (None, _) => None,
        (Some(other), _) => {
            return Err(ApiError::bad_request(format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
            )))
        }
    };
    Ok(DeleteOptions {
        propagation,
        // DeleteOptions in the body (kube-rs, client-go) may carry dryRun too.
        dry_run: b["dryRun"].as_array().is_some_and(|a| !a.is_empty()),
        uid: b["preconditions"]["uid"].as_str().map(String::from),
        resource_version: b["preconditions"]["resourceVersion"]
            .as_str()
            .map(String::from),
    })
}

fn wants_table(accept: &str) -> bool {
    accept.contains("as=Table")
}

/// Human age like kubectl's: `45s`, `12m`, `5h`, `3d`.
fn age(ts: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(ts) else {
        return "<unknown>".into();
    };
    let s = (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
        .num_seconds()
        .max(0);
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// A `meta.k8s.io/v1` Table (what `kubectl get` asks for): Name and Age columns.
fn table(def: &ResourceDef, items: &[Value], rv: &str) -> Value {
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            json!({
                "cells": [o["metadata"]["name"], age(o["metadata"]["creationTimestamp"].as_str().unwrap_or(""))],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                           "metadata": o["metadata"]},
            })
        })
        .collect();
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv},
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name", "priority": 0,
             "description": format!("Name must be unique within a namespace. ({})", def.kind)},
            {"name": "Age", "type": "string", "format": "", "priority": 0,
             "description": "CreationTimestamp is a timestamp representing the server time when this object was created."},
        ],
        "rows": rows,
    })
}

fn event_line(etype: &str, obj: &Value) -> Bytes {
    let mut s = json!({"type": etype, "object": obj}).to_string();
    s.push('\n');
    Bytes::from(s)
}

/// What a watcher with these filters sees of one change, if anything.
fn filter_event(
    ev: &Event,
    def: &ResourceDef,
    ns: Option<&str>,
    labels: &LabelSelector,
    fields: &FieldSelector,
) -> Option<Bytes> {
    if ev.group != def.group || ev.plural != def.plural {
        return None;
    }
    if let Some(n) = ns {
        if def.namespaced && ev.ns != n {
            return None;
        }
    }
    let present = |o: &Value| {
        let mut o = o.clone();
        o["apiVersion"] = json!(def.api_version());
        o
    };
    let m = |o: &Value| labels.matches(o) && fields.matches(o);
    let now = m(&ev.obj);
    match ev.etype {
        EventType::Modified => {
            let before = ev.old.as_ref().is_some_and(m);
            match (before, now) {
                (true, true) => Some(event_line("MODIFIED", &present(&ev.obj))),
                (false, true) => Some(event_line("ADDED", &present(&ev.obj))),
                (true, false) => Some(event_line("DELETED", &present(&ev.obj))),
                (false, false) => None,
            }
        }
        t => now.then(|| event_line(t.as_str(), &present(&ev.obj))),
    }
}

async fn watch(
    shared: &AppState,
    def: &ResourceDef,
    ns: Option<&str>,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let labels = LabelSelector::parse(q.get("labelSelector").map_or("", |s| s))?;
    let fields = FieldSelector::parse(q.get("fieldSelector").map_or("", |s| s))?;
    let bookmarks = bool_param(q, "allowWatchBookmarks");
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(1800);
    let from = q.get("resourceVersion").cloned().unwrap_or_default();
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(1024);
    let mut initial: Vec<Bytes> = Vec::new();
    let (mut sub, mut last_rv) = {
        let store = shared.store.lock();
        let sub = store.tx.subscribe();
        let send_initial = bool_param(q, "sendInitialEvents");
        let last = if from.is_empty() || from == "0" || send_initial {
            // "Any" version (or a streaming list): the current state as ADDED events, then
            // changes.
            for o in store.list(def, ns, &labels, &fields) {
                initial.push(event_line("ADDED", &o));
            }
            if send_initial && bookmarks {
                // Streaming lists (client-go's WatchList, kubectl wait) end the initial state
                // with this bookmark. A v1.24 server would not know the parameter; newer
                // clients rely on it.
                let bm = json!({"kind": def.kind, "apiVersion": def.api_version(),
                    "metadata": {"resourceVersion": store.rv().to_string(),
                                 "annotations": {"k8s.io/initial-events-end": "true"}}});
                initial.push(event_line("BOOKMARK", &bm));
            }
            store.rv()
        } else {
            let n: u64 = from
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {from}")))?;
            if n < store.compacted() {
                // The real server opens the watch and sends one ERROR event.
                let e = ApiError::gone(format!(
                    "too old resource version: {n} ({})",
                    store.compacted() + 1
                ));
                initial.push(event_line("ERROR", &e.status()));
                drop(store);
                for b in initial {
                    let _ = tx.try_send(Ok(b));
                }
                drop(tx);
                return Ok(stream_response(rx));
            }
            for ev in store.history_since(n) {
                if let Some(b) = filter_event(&ev, def, ns, &labels, &fields) {
                    initial.push(b);
                }
            }
            store.rv().max(n)
        };
        (sub, last)
    };
    let shared = shared.clone();
    let def = def.clone();
    let ns = ns.map(String::from);
    let interval = shared.bookmark_interval;
    tokio::spawn(async move {
        for b in initial {
            if tx.send(Ok(b)).await.is_err() {
                return;
            }
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
        let mut tick = tokio::time::interval(interval);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                r = sub.recv() => match r {
                    Ok(ev) => {
                        if ev.rv <= last_rv { continue; }
                        last_rv = ev.rv;
                        if let Some(b) = filter_event(&ev, &def, ns.as_deref(), &labels, &fields) {
                            if tx.send(Ok(b)).await.is_err() { return; }
                        }
                    }
                    // A watcher too slow for the buffer is closed; clients re-watch.
                    Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = tick.tick(), if bookmarks => {
                    // Drain under the lock so the bookmark's version covers every event sent.
                    let (pending, rv) = {
                        let store = shared.store.lock();
                        let mut pending = Vec::new();
                        loop {
                            match sub.try_recv() {
                                Ok(ev) => pending.push(ev),
                                Err(broadcast::error::TryRecvError::Empty) => break,
                                Err(_) => return,
                            }
                        }
                        (pending, store.rv())
                    };
                    for ev in pending {
                        if ev.rv <= last_rv { continue; }
                        last_rv = ev.rv;
                        if let Some(b) = filter_event(&ev, &def, ns.as_deref(), &labels, &fields) {
                            if tx.send(Ok(b)).await.is_err() { return; }
                        }
                    }
                    last_rv = last_rv.max(rv);
                    let bm = json!({"kind": def.kind, "apiVersion": def.api_version(),
                                    "metadata": {"resourceVersion": last_rv.to_string()}});
                    if tx.send(Ok(event_line("BOOKMARK", &bm))).await.is_err() { return; }
                }
            }
        }
    });
    Ok(stream_response(rx))
}

fn stream_response(rx: mpsc::Receiver<Result<Bytes, Infallible>>) -> Response {
    let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("transfer-encoding", "chunked")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

/// The garbage collector: runs after every write that may orphan objects, and every 200 ms
/// (finalizers removed by clients also unblock deletions).
pub async fn gc_loop(shared: AppState) {
    loop {
        tokio::select! {
            _ = shared.gc.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
        // Asynchronous like the real collector, but prompt: a short pause lets a burst of
        // writes land first.
        tokio::time::sleep(Duration::from_millis(20)).await;
        for _ in 0..100 {
            if !shared.store.lock().gc_pass() {
                break;
            }
        }
    }
}
