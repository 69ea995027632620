//! Values as Helm v4 computes them (`pkg/chart/common/util/coalesce.go`, `values.go`): chart defaults
//! coalesced with user values, subchart scoping, `global` propagation, and Helm's path lookups.
//!
//! The algorithms mirror Helm's step by step, including its aliasing: Go maps are references, and so are
//! [`gotmpl::Map`]s, so where Helm shares a map between two places (a shallow copy of `global`), so do we.
//! Helm's warnings go to `tracing` at warn level with Helm's text.

use crate::chart::Chart;
use gotmpl::{Map, Value};
use std::sync::Arc;

/// The name of the values key shared with every subchart.
pub const GLOBAL_KEY: &str = "global";

/// Errors of value computation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValuesError {
    /// A subchart's key holds a non-map (Helm: `type mismatch on NAME: %t`).
    #[error("type mismatch on {name}: {shown}")]
    TypeMismatch { name: String, shown: String },
}

/// The values and the chart (dependencies processed) that a render uses.
#[derive(Clone, Debug)]
pub struct Computed {
    pub chart: Arc<Chart>,
    pub values: Map,
}

/// What an install or upgrade does before rendering: process dependencies against the user values
/// (conditions, tags, aliases, import-values), then coalesce the processed chart's defaults with them.
/// `user_values` is not modified.
pub fn compute(chart: &Chart, user_values: &Map) -> Result<Computed, ValuesError> {
    let chart = crate::deps::process_dependencies(chart, user_values)?;
    let values = coalesce_values(&chart, user_values)?;
    Ok(Computed { chart, values })
}

/// Helm's `CoalesceValues`: user values win, `null` deletes a chart default, maps merge deeply,
/// subcharts get their section, globals are copied down.
pub fn coalesce_values(chart: &Chart, vals: &Map) -> Result<Map, ValuesError> {
    let dest = vals.deep_copy();
    coalesce(chart, &dest, "", false)?;
    Ok(dest)
}

/// [`coalesce_values`] for dependency processing only, where the result is read (conditions, tags) and
/// never handed to templates: instead of deep-copying all of `vals` — for every chart of the tree, so
/// O(charts²) on an umbrella chart — it copies deeply only the entries coalescing writes into (the keys of
/// the chart's own defaults, its subcharts' sections, `global`) and shares the rest with `vals`. The
/// result equals `coalesce_values`'s; `vals` is left untouched.
pub(crate) fn coalesce_values_for_reading(chart: &Chart, vals: &Map) -> Result<Map, ValuesError> {
    let dest = vals.shallow_copy();
    let written = chart
        .values
        .keys()
        .into_iter()
        .chain(chart.dependencies.iter().map(|d| d.name().to_string()))
        .chain(std::iter::once(GLOBAL_KEY.to_string()));
    for key in written {
        if let Some(v @ (Value::Map(_) | Value::List(_))) = dest.get(&key) {
            dest.insert(key, v.deep_copy());
        }
    }
    coalesce(chart, &dest, "", false)?;
    Ok(dest)
}

/// Helm's `MergeValues`: like [`coalesce_values`] but `null`s are kept rather than deleting keys.
pub fn merge_values(chart: &Chart, vals: &Map) -> Result<Map, ValuesError> {
    let dest = vals.deep_copy();
    coalesce(chart, &dest, "", true)?;
    Ok(dest)
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(ch: &Chart, dest: &Map, prefix: &str, merge: bool) -> Result<(), ValuesError> {
    coalesce_chart_values(ch, dest, prefix, merge);
    coalesce_deps(ch, dest, prefix, merge)
}

fn coalesce_deps(ch: &Chart, dest: &Map, prefix: &str, merge: bool) -> Result<(), ValuesError> {
    for sub in &ch.dependencies {
        let dv = match dest.get(sub.name()) {
            None => {
                let m = Map::new();
                dest.insert(sub.name(), Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Err(ValuesError::TypeMismatch {
                    name: sub.name().to_string(),
                    shown: go_bool_verb(&other),
                })
            }
        };
        let sub_prefix = concat_prefix(prefix, ch.name());
        coalesce_globals(&dv, dest, &sub_prefix);
        coalesce(sub, &dv, &sub_prefix, merge)?;
    }
    Ok(())
}

/// Go's `%t` of a non-bool: `%!t(string=x)`; lists and maps apply the verb element-wise.
fn go_bool_verb(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Nil | Value::Invalid => "%!t(<nil>)".into(),
        Value::List(l) => format!(
            "[{}]",
            l.iter().map(go_bool_verb).collect::<Vec<_>>().join(" ")
        ),
        Value::Map(m) => format!(
            "map[{}]",
            m.entries()
                .iter()
                .map(|(k, v)| format!("%!t(string={k}):{}", go_bool_verb(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::String(s) => format!("%!t(string={s})"),
        Value::Float(f) => format!("%!t(float64={})", crate::chart::yaml_number_to_string(*f)),
        Value::Int(i) => format!("%!t(int={i})"),
        Value::Int64(i) => format!("%!t(int64={i})"),
        Value::Uint64(u) => format!("%!t(uint64={u})"),
        other => format!("%!t({}=?)", other.type_name()),
    }
}

/// Helm's `coalesceGlobals`: copies the parent's `global` (src) into the subchart's (dest). Parent values
/// win for scalars; maps are shallow-copied and the subchart's own entries fill their gaps.
fn coalesce_globals(dest: &Map, src: &Map, prefix: &str) {
    let dg = match dest.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            tracing::warn!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            );
            return;
        }
    };
    let sg = match src.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            tracing::warn!("warning: skipping globals because source {GLOBAL_KEY} is not a table.");
            return;
        }
    };
    for (key, val) in sg.entries() {
        if let Value::Map(vm) = &val {
            let vv = vm.shallow_copy();
            match dg.get(&key) {
                None => {
                    dg.insert(key, Value::Map(vv));
                }
                Some(Value::Map(destv)) => {
                    coalesce_tables_full_key(&vv, &destv, &concat_prefix(prefix, &key), true);
                    dg.insert(key, Value::Map(vv));
                }
                Some(_) => {
                    tracing::warn!("Conflict: cannot merge map onto non-map for {key:?}. Skipping.")
                }
            }
        } else if let Some(Value::Map(_)) = dg.get(&key) {
            tracing::warn!("key {key} is table. Skipping");
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert(GLOBAL_KEY, Value::Map(dg));
}

/// Helm's `coalesceValues`: merges the chart's default values into `v` (the user's, which win).
fn coalesce_chart_values(ch: &Chart, v: &Map, prefix: &str, merge: bool) {
    let sub_prefix = concat_prefix(prefix, ch.name());
    let vc = ch.values.deep_copy();
    for (key, val) in vc.entries() {
        match v.get(&key) {
            Some(value) => {
                if value.is_nil_or_invalid() && !merge {
                    v.remove(&key);
                } else if let Value::Map(dest) = value {
                    match &val {
                        Value::Map(src) => {
                            let merge = merge || ch.dependencies.iter().any(|d| d.name() == key);
                            if !merge {
                                clean_nil_values(src);
                            }
                            coalesce_tables_full_key(
                                &dest,
                                src,
                                &concat_prefix(&sub_prefix, &key),
                                merge,
                            );
                        }
                        Value::Nil | Value::Invalid => {}
                        _ => tracing::warn!(
                            "warning: skipped value for {sub_prefix}.{key}: Not a table."
                        ),
                    }
                }
            }
            None => {
                if !merge {
                    if val.is_nil_or_invalid() {
                        continue;
                    }
                    if let Value::Map(sub) = &val {
                        clean_nil_values(sub);
                    }
                }
                v.insert(key, val);
            }
        }
    }
}

/// Helm's `CoalesceTables`: fills `dst` from `src` (dst wins), `null` in dst deletes.
pub fn coalesce_tables(dst: &Map, src: &Map) {
    coalesce_tables_full_key(dst, src, "", false);
}

/// Helm's `MergeTables`: like [`coalesce_tables`] but `null`s are kept.
pub fn merge_tables(dst: &Map, src: &Map) {
    coalesce_tables_full_key(dst, src, "", true);
}

fn coalesce_tables_full_key(dst: &Map, src: &Map, prefix: &str, merge: bool) {
    let src_non_nil: std::collections::BTreeSet<String> = src
        .entries()
        .into_iter()
        .filter(|(_, v)| !v.is_nil_or_invalid())
        .map(|(k, _)| k)
        .collect();
    // Helm writes the destination's nulls into the source (its map is a copy it owns).
    for (key, val) in dst.entries() {
        if val.is_nil_or_invalid() {
            src.insert(key, Value::Nil);
        }
    }
    for (key, val) in src.entries() {
        let full_key = concat_prefix(prefix, &key);
        match dst.get(&key) {
            Some(dv) if !merge && dv.is_nil_or_invalid() && src_non_nil.contains(&key) => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(dv) => {
                match (&val, &dv) {
                    (Value::Map(sv), Value::Map(dvm)) => {
                        coalesce_tables_full_key(dvm, sv, &full_key, merge)
                    }
                    (Value::Map(_), _) => {
                        tracing::warn!("warning: cannot overwrite table with non table for {full_key} ({val:?})")
                    }
                    (_, Value::Map(_)) if !val.is_nil_or_invalid() => {
                        tracing::warn!("warning: destination for {full_key} is a table. Ignoring non-table value ({val:?})")
                    }
                    _ => {}
                }
            }
        }
    }
}

fn clean_nil_values(m: &Map) {
    for (key, val) in m.entries() {
        match val {
            Value::Nil | Value::Invalid => {
                m.remove(&key);
            }
            Value::Map(sub) => clean_nil_values(&sub),
            _ => {}
        }
    }
}

/// Helm's `Values.Table`: the map at a dotted path, if every step is a map.
pub fn table(v: &Map, path: &str) -> Option<Map> {
    let mut cur = v.clone();
    for part in path.split('.') {
        match cur.get(part) {
            Some(Value::Map(m)) => cur = m,
            _ => return None,
        }
    }
    Some(cur)
}

/// Helm's `Values.PathValue`: the non-map value at a dotted path (`None` for a map, a missing key or an
/// empty path).
pub fn path_value(v: &Map, path: &str) -> Option<Value> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(v, p)?, k),
        None => (v.clone(), path),
    };
    match parent.get(key) {
        Some(Value::Map(_)) | None => None,
        Some(x) => Some(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(json: &str) -> Map {
        match serde_json::from_str::<serde_json::Value>(json).map(|j| Value::from_json(&j)) {
            Ok(Value::Map(m)) => m,
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn path_lookups() {
        let v = m(r#"{"a":{"b":{"c":true},"d":1}}"#);
        assert!(matches!(path_value(&v, "a.b.c"), Some(Value::Bool(true))));
        assert!(path_value(&v, "a.b").is_none());
        assert!(path_value(&v, "a.x.c").is_none());
        assert!(table(&v, "a.b").is_some());
        assert!(table(&v, "a.d").is_none());
    }

    #[test]
    fn bool_verb_formatting() {
        assert_eq!(go_bool_verb(&Value::from("x")), "%!t(string=x)");
        assert_eq!(go_bool_verb(&Value::Float(1.0)), "%!t(float64=1)");
    }
}
