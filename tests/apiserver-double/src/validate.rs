//! Validation of custom resources against their CRD's structural schema, the commonly used
//! keywords only: `type` (with `x-kubernetes-int-or-string`, `nullable`), `enum`, `required`,
//! `minimum`/`maximum` (+ exclusive), `minLength`/`maxLength`, `minItems`/`maxItems`,
//! `minProperties`/`maxProperties`. Not checked: `pattern`, `format`, `multipleOf`,
//! `uniqueItems`, `oneOf`/`anyOf`/`allOf`/`not`, CEL rules (v1.24 ignores those anyway).
//! Messages use the real server's wording (`spec.x: Unsupported value: …`). Also the
//! schema's `default`s ([`apply_defaults`]).

use serde_json::Value;

/// One failed check, `field: detail`.
pub type Failure = String;

fn quote(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        _ => true,
    }
}

/// Checks `v` at `path` (dotted, without a leading dot) against `schema`.
pub fn validate(v: &Value, schema: &Value, path: &str, out: &mut Vec<Failure>) {
    if v.is_null() {
        if schema["nullable"] != Value::Bool(true) && schema.get("type").is_some() {
            out.push(format!(
                "{path}: Invalid value: \"null\": {path} in body must be of type {}: \"null\"",
                schema["type"].as_str().unwrap_or("object")
            ));
        }
        return;
    }
    let int_or_string = schema["x-kubernetes-int-or-string"] == Value::Bool(true);
    if let Some(ty) = schema["type"].as_str() {
        let ok = if int_or_string {
            v.is_i64() || v.is_u64() || v.is_string()
        } else {
            type_ok(ty, v)
        };
        if !ok {
            let actual = match v {
                Value::String(_) => "string",
                Value::Bool(_) => "boolean",
                Value::Number(n) if n.is_f64() => "number",
                Value::Number(_) => "integer",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
                Value::Null => "null",
            };
            out.push(format!(
                "{path}: Invalid value: \"{actual}\": {path} in body must be of type {ty}: \"{actual}\""
            ));
            return;
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(v) {
            let list: Vec<String> = allowed.iter().map(quote).collect();
            out.push(format!(
                "{path}: Unsupported value: {}: supported values: {}",
                quote(v),
                list.join(", ")
            ));
        }
    }
    if let Some(n) = v.as_f64() {
        let excl_min = schema["exclusiveMinimum"] == Value::Bool(true);
        let excl_max = schema["exclusiveMaximum"] == Value::Bool(true);
        if let Some(min) = schema["minimum"].as_f64() {
            if n < min || (excl_min && n == min) {
                let rel = if excl_min {
                    "greater than"
                } else {
                    "greater than or equal to"
                };
                out.push(format!(
                    "{path}: Invalid value: {}: {path} in body should be {rel} {}",
                    quote(v),
                    schema["minimum"]
                ));
            }
        }
        if let Some(max) = schema["maximum"].as_f64() {
            if n > max || (excl_max && n == max) {
                let rel = if excl_max {
                    "less than"
                } else {
                    "less than or equal to"
                };
                out.push(format!(
                    "{path}: Invalid value: {}: {path} in body should be {rel} {}",
                    quote(v),
                    schema["maximum"]
                ));
            }
        }
    }
    if let Some(s) = v.as_str() {
        let len = s.chars().count() as u64;
        if let Some(min) = schema["minLength"].as_u64().filter(|m| len < *m) {
            out.push(format!(
                "{path}: Invalid value: {}: {path} in body should be at least {min} chars long",
                quote(v)
            ));
        }
        if let Some(max) = schema["maxLength"].as_u64().filter(|m| len > *m) {
            out.push(format!("{path}: Too long: may not be longer than {max}"));
        }
    }
    match v {
        Value::Array(items) => {
            let len = items.len() as u64;
            if let Some(min) = schema["minItems"].as_u64().filter(|m| len < *m) {
                out.push(format!(
                    "{path}: Invalid value: {len}: {path} in body should have at least {min} items"
                ));
            }
            if let Some(max) = schema["maxItems"].as_u64().filter(|m| len > *m) {
                out.push(format!(
                    "{path}: Too many: {len}: must have at most {max} items"
                ));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(item, item_schema, &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::Object(m) => {
            let len = m.len() as u64;
            if let Some(min) = schema["minProperties"].as_u64().filter(|x| len < *x) {
                out.push(format!(
                    "{path}: Invalid value: {len}: {path} in body should have at least {min} properties"
                ));
            }
            if let Some(max) = schema["maxProperties"].as_u64().filter(|x| len > *x) {
                out.push(format!(
                    "{path}: Too many: {len}: must have at most {max} items"
                ));
            }
            for req in schema["required"].as_array().into_iter().flatten() {
                if let Some(r) = req.as_str() {
                    if m.get(r).is_none_or(Value::is_null) {
                        out.push(format!("{}: Required value", join(path, r)));
                    }
                }
            }
            let props = schema["properties"].as_object();
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (k, cv) in m {
                if path.is_empty() && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                if let Some(s) = props.and_then(|p| p.get(k)).or(additional) {
                    validate(cv, s, &join(path, k), out);
                }
            }
        }
        _ => {}
    }
}

/// Fills in the schema's `default`s for missing properties, top-down (a defaulted object gets
/// its own properties' defaults too), as the real server does for custom resources.
pub fn apply_defaults(v: &mut Value, schema: &Value) {
    match v {
        Value::Object(m) => {
            if let Some(props) = schema["properties"].as_object() {
                for (k, ps) in props {
                    if !m.contains_key(k) {
                        if let Some(d) = ps.get("default") {
                            m.insert(k.clone(), d.clone());
                        }
                    }
                }
                for (k, cv) in m.iter_mut() {
                    if k == "metadata" {
                        continue;
                    }
                    if let Some(ps) = props.get(k) {
                        apply_defaults(cv, ps);
                    }
                }
            } else if let Some(add) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                for cv in m.values_mut() {
                    apply_defaults(cv, add);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = schema.get("items") {
                for i in items {
                    apply_defaults(i, is);
                }
            }
        }
        _ => {}
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(v: Value) -> Vec<String> {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
            "required": ["mode"],
            "properties": {
                "mode": {"type": "string", "enum": ["a", "b"]},
                "n": {"type": "integer", "minimum": 1, "maximum": 3},
                "port": {"x-kubernetes-int-or-string": true},
                "tags": {"type": "array", "maxItems": 1, "items": {"type": "string"}}}}}});
        let mut out = Vec::new();
        validate(&v, &schema, "", &mut out);
        out
    }

    #[test]
    fn defaults_fill_missing_fields() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
            "default": {}, "properties": {
                "policy": {"type": "string", "default": "Retain"},
                "tls": {"type": "object", "properties": {"enabled": {"type": "boolean", "default": false}}}}}}});
        let mut v = json!({"metadata": {"name": "x"}});
        apply_defaults(&mut v, &schema);
        assert_eq!(
            v,
            json!({"metadata": {"name": "x"}, "spec": {"policy": "Retain"}})
        );
        let mut v = json!({"spec": {"policy": "Delete", "tls": {}}});
        apply_defaults(&mut v, &schema);
        assert_eq!(
            v,
            json!({"spec": {"policy": "Delete", "tls": {"enabled": false}}})
        );
    }

    #[test]
    fn reports_like_the_real_server() {
        assert!(check(json!({"spec": {"mode": "a", "n": 2, "port": "http"}})).is_empty());
        assert_eq!(
            check(json!({"spec": {"mode": "c", "n": "x"}})),
            [
                "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\"",
                "spec.n: Invalid value: \"string\": spec.n in body must be of type integer: \"string\""
            ]
        );
        assert_eq!(check(json!({"spec": {}})), ["spec.mode: Required value"]);
        assert_eq!(
            check(json!({"spec": {"mode": "a", "n": 5, "tags": ["x", 1]}})),
            [
                "spec.n: Invalid value: 5: spec.n in body should be less than or equal to 3",
                "spec.tags: Too many: 2: must have at most 1 items",
                "spec.tags[1]: Invalid value: \"integer\": spec.tags[1] in body must be of type string: \"integer\""
            ]
        );
    }
}
