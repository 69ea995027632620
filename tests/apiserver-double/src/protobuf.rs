//! Decoding of `application/vnd.kubernetes.protobuf` request bodies for the few kinds that
//! client-go's typed clients write in protobuf and Hoist's tests meet: Helm's release storage
//! (Secrets, ConfigMaps) and kubectl's generators (`kubectl create namespace|configmap|secret|
//! serviceaccount`). Other kinds get 415.
//!
//! Hand-written on purpose: only the protobuf wire format is needed, plus the field numbers of
//! those few messages (from Kubernetes' `generated.proto` files); a protobuf crate would still
//! need the whole generated Kubernetes schema to map messages back to JSON.

use base64::Engine;
use serde_json::{json, Map, Value};

use crate::errors::ApiError;

const MAGIC: &[u8] = b"k8s\0";

enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

fn bad(what: &str) -> ApiError {
    ApiError::bad_request(format!("unable to decode protobuf body: {what}"))
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, ApiError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or_else(|| bad("truncated varint"))?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(bad("varint too long"))
}

/// The fields of one message, in order.
fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, ApiError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        let (num, wire) = (tag >> 3, tag & 7);
        let f = match wire {
            0 => Field::Varint(varint(buf, &mut pos)?),
            1 | 5 => {
                pos += if wire == 1 { 8 } else { 4 };
                Field::Fixed
            }
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).map_err(|_| bad("length"))?;
                let end = pos.checked_add(len).filter(|e| *e <= buf.len());
                let end = end.ok_or_else(|| bad("truncated field"))?;
                let s = &buf[pos..end];
                pos = end;
                Field::Bytes(s)
            }
            _ => return Err(bad("unsupported wire type")),
        };
        out.push((num, f));
    }
    Ok(out)
}

fn string(b: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(b.to_vec()).map_err(|_| bad("invalid UTF-8"))
}

/// One `map<string, string|bytes>` entry: key 1, value 2.
fn map_entry(b: &[u8], bytes_value: bool) -> Result<(String, Value), ApiError> {
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(s)) => k = string(s)?,
            (2, Field::Bytes(s)) if bytes_value => {
                v = json!(base64::engine::general_purpose::STANDARD.encode(s))
            }
            (2, Field::Bytes(s)) => v = json!(string(s)?),
            _ => {}
        }
    }
    Ok((k, v))
}

fn insert_entry(m: &mut Map<String, Value>, key: &str, entry: (String, Value)) {
    let e = m.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(o) = e {
        o.insert(entry.0, entry.1);
    }
}

fn push(m: &mut Map<String, Value>, key: &str, v: Value) {
    let e = m.entry(key).or_insert_with(|| json!([]));
    if let Value::Array(a) = e {
        a.push(v);
    }
}

fn owner_reference(b: &[u8]) -> Result<Value, ApiError> {
    let mut m = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(s)) => {
                m.insert("kind".into(), json!(string(s)?));
            }
            (3, Field::Bytes(s)) => {
                m.insert("name".into(), json!(string(s)?));
            }
            (4, Field::Bytes(s)) => {
                m.insert("uid".into(), json!(string(s)?));
            }
            (5, Field::Bytes(s)) => {
                m.insert("apiVersion".into(), json!(string(s)?));
            }
            (6, Field::Varint(v)) => {
                m.insert("controller".into(), json!(v != 0));
            }
            (7, Field::Varint(v)) => {
                m.insert("blockOwnerDeletion".into(), json!(v != 0));
            }
            _ => {}
        }
    }
    Ok(Value::Object(m))
}

/// `ObjectMeta`: the client-settable fields (server-set ones are ignored by writes anyway).
fn object_meta(b: &[u8]) -> Result<Value, ApiError> {
    let mut m = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(s)) => {
                m.insert("name".into(), json!(string(s)?));
            }
            (2, Field::Bytes(s)) => {
                m.insert("generateName".into(), json!(string(s)?));
            }
            (3, Field::Bytes(s)) => {
                m.insert("namespace".into(), json!(string(s)?));
            }
            (5, Field::Bytes(s)) => {
                m.insert("uid".into(), json!(string(s)?));
            }
            (6, Field::Bytes(s)) => {
                m.insert("resourceVersion".into(), json!(string(s)?));
            }
            (11, Field::Bytes(s)) => insert_entry(&mut m, "labels", map_entry(s, false)?),
            (12, Field::Bytes(s)) => insert_entry(&mut m, "annotations", map_entry(s, false)?),
            (13, Field::Bytes(s)) => push(&mut m, "ownerReferences", owner_reference(s)?),
            (14, Field::Bytes(s)) => push(&mut m, "finalizers", json!(string(s)?)),
            _ => {}
        }
    }
    Ok(Value::Object(m))
}

/// `DeleteOptions` (client-go sends them as the body of a DELETE).
fn delete_options(raw: &[u8], mut obj: Map<String, Value>) -> Result<Value, ApiError> {
    for (n, f) in fields(raw)? {
        match (n, f) {
            (1, Field::Varint(v)) => {
                obj.insert("gracePeriodSeconds".into(), json!(v as i64));
            }
            (2, Field::Bytes(s)) => {
                let mut p = Map::new();
                for (pn, pf) in fields(s)? {
                    match (pn, pf) {
                        (1, Field::Bytes(b)) => {
                            p.insert("uid".into(), json!(string(b)?));
                        }
                        (2, Field::Bytes(b)) => {
                            p.insert("resourceVersion".into(), json!(string(b)?));
                        }
                        _ => {}
                    }
                }
                obj.insert("preconditions".into(), Value::Object(p));
            }
            (3, Field::Varint(v)) => {
                obj.insert("orphanDependents".into(), json!(v != 0));
            }
            (4, Field::Bytes(s)) => {
                obj.insert("propagationPolicy".into(), json!(string(s)?));
            }
            (5, Field::Bytes(s)) => push(&mut obj, "dryRun", json!(string(s)?)),
            _ => {}
        }
    }
    Ok(Value::Object(obj))
}

/// Decodes a protobuf body into the JSON object it stands for.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("missing the k8s protobuf prefix"))?;
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    for (n, f) in fields(rest)? {
        match (n, f) {
            (1, Field::Bytes(tm)) => {
                for (tn, tf) in fields(tm)? {
                    match (tn, tf) {
                        (1, Field::Bytes(s)) => api_version = string(s)?,
                        (2, Field::Bytes(s)) => kind = string(s)?,
                        _ => {}
                    }
                }
            }
            (2, Field::Bytes(r)) => raw = r,
            _ => {}
        }
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!(api_version));
    obj.insert("kind".into(), json!(kind));
    if kind == "DeleteOptions" {
        return delete_options(raw, obj);
    }
    for (n, f) in fields(raw)? {
        let Field::Bytes(s) = f else {
            if let (5, Field::Varint(v), "Secret") = (n, &f, kind.as_str()) {
                obj.insert("immutable".into(), json!(*v != 0));
            }
            if let (4, Field::Varint(v), "ConfigMap") = (n, &f, kind.as_str()) {
                obj.insert("immutable".into(), json!(*v != 0));
            }
            if let (4, Field::Varint(v), "ServiceAccount") = (n, &f, kind.as_str()) {
                obj.insert("automountServiceAccountToken".into(), json!(*v != 0));
            }
            continue;
        };
        match (kind.as_str(), n) {
            (_, 1) => {
                obj.insert("metadata".into(), object_meta(s)?);
            }
            ("Secret", 2) => insert_entry(&mut obj, "data", map_entry(s, true)?),
            ("Secret", 3) => {
                obj.insert("type".into(), json!(string(s)?));
            }
            ("Secret", 4) => insert_entry(&mut obj, "stringData", map_entry(s, false)?),
            ("ConfigMap", 2) => insert_entry(&mut obj, "data", map_entry(s, false)?),
            ("ConfigMap", 3) => insert_entry(&mut obj, "binaryData", map_entry(s, true)?),
            ("Namespace", 2) => {
                let mut spec = Map::new();
                for (sn, sf) in fields(s)? {
                    if let (1, Field::Bytes(f)) = (sn, sf) {
                        push(&mut spec, "finalizers", json!(string(f)?));
                    }
                }
                obj.insert("spec".into(), Value::Object(spec));
            }
            ("ServiceAccount", 3) => {
                // imagePullSecrets: LocalObjectReference { 1: name }
                for (sn, sf) in fields(s)? {
                    if let (1, Field::Bytes(f)) = (sn, sf) {
                        push(&mut obj, "imagePullSecrets", json!({"name": string(f)?}));
                    }
                }
            }
            ("Secret" | "ConfigMap" | "Namespace" | "ServiceAccount", _) => {}
            _ => {
                return Err(ApiError::unsupported_media_type(&format!(
                    "application/vnd.kubernetes.protobuf ({kind}: the double decodes protobuf only for Secret, ConfigMap, Namespace and ServiceAccount; send JSON)"
                )))
            }
        }
    }
    if !matches!(
        kind.as_str(),
        "Secret" | "ConfigMap" | "Namespace" | "ServiceAccount"
    ) {
        return Err(ApiError::unsupported_media_type(&format!(
            "application/vnd.kubernetes.protobuf ({kind}: the double decodes protobuf only for Secret, ConfigMap, Namespace and ServiceAccount; send JSON)"
        )));
    }
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(out: &mut Vec<u8>, n: u8, b: &[u8]) {
        out.push((n << 3) | 2);
        out.push(b.len() as u8);
        out.extend_from_slice(b);
    }

    #[test]
    fn decodes_a_secret_envelope() {
        let mut entry = Vec::new();
        tag(&mut entry, 1, b"release");
        tag(&mut entry, 2, b"\x00\x01");
        let mut label = Vec::new();
        tag(&mut label, 1, b"owner");
        tag(&mut label, 2, b"helm");
        let mut meta = Vec::new();
        tag(&mut meta, 1, b"sh.helm.release.v1.x.v1");
        tag(&mut meta, 11, &label);
        tag(&mut meta, 14, b"f1");
        let mut secret = Vec::new();
        tag(&mut secret, 1, &meta);
        tag(&mut secret, 2, &entry);
        tag(&mut secret, 3, b"helm.sh/release.v1");
        let mut tm = Vec::new();
        tag(&mut tm, 1, b"v1");
        tag(&mut tm, 2, b"Secret");
        let mut body = MAGIC.to_vec();
        tag(&mut body, 1, &tm);
        tag(&mut body, 2, &secret);
        let v = decode(&body).unwrap();
        assert_eq!(
            v,
            json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "sh.helm.release.v1.x.v1", "labels": {"owner": "helm"}, "finalizers": ["f1"]},
                "data": {"release": "AAE="}, "type": "helm.sh/release.v1"})
        );
    }

    #[test]
    fn refuses_other_kinds() {
        let mut tm = Vec::new();
        tag(&mut tm, 2, b"Pod");
        let mut body = MAGIC.to_vec();
        tag(&mut body, 1, &tm);
        assert_eq!(decode(&body).unwrap_err().code, 415);
    }
}
