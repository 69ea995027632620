//! Shared helpers for the oracle-golden tests. The goldens under `tests/fixtures/goldens/` come from Helm
//! v4.2.3's engine (helm-python-sdk 0.2.2) via `tests/fixtures/make_goldens.py`.
#![allow(dead_code)]

use chart_renderer::chart::Chart;
use chart_renderer::objects::{self, Capabilities, Files, ReleaseOptions};
use chart_renderer::values;
use gotmpl::{Map, Object, Value};
use serde_json::Value as J;
use std::path::PathBuf;
use std::sync::Arc;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn read_json(rel: &str) -> J {
    let p = fixtures().join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every `render-*.json` golden, by case name.
pub fn render_goldens() -> Vec<(String, J)> {
    let mut out: Vec<(String, J)> = std::fs::read_dir(fixtures().join("goldens"))
        .expect("goldens dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("render-") && n.ends_with(".json"))
        .map(|n| {
            (
                n.trim_start_matches("render-")
                    .trim_end_matches(".json")
                    .to_string(),
                read_json(&format!("goldens/{n}")),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 10, "goldens missing");
    out
}

/// Numbers compared as f64 (Go prints float64 `1` as `1`; serde keeps `1.0` apart from `1`).
pub fn norm(v: &J) -> J {
    match v {
        J::Number(n) => serde_json::Number::from_f64(n.as_f64().unwrap_or(f64::NAN))
            .map(J::Number)
            .unwrap_or(J::Null),
        J::Array(a) => J::Array(a.iter().map(norm).collect()),
        J::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), norm(v))).collect()),
        other => other.clone(),
    }
}

pub fn user_values(golden: &J) -> Map {
    match Value::from_json(&golden["values"]) {
        Value::Map(m) => m,
        other => panic!("values not a map: {other:?}"),
    }
}

pub fn release(golden: &J) -> ReleaseOptions {
    let r = &golden["release"];
    ReleaseOptions {
        name: r["name"].as_str().unwrap_or("").to_string(),
        namespace: r["namespace"].as_str().unwrap_or("").to_string(),
        revision: r["revision"].as_i64().unwrap_or(1),
        is_upgrade: r["is_upgrade"].as_bool().unwrap_or(false),
        is_install: r["is_install"].as_bool().unwrap_or(true),
    }
}

/// What we compute for a case: `(template name, probe output as JSON)` for every non-partial template, or
/// the error text.
pub fn our_probes(golden: &J) -> Result<Vec<(String, J)>, String> {
    let chart_dir = fixtures().join(golden["chart"].as_str().expect("chart"));
    let chart = Chart::load(&chart_dir).map_err(|e| e.to_string())?;
    let computed = values::compute(&chart, &user_values(golden)).map_err(|e| e.to_string())?;
    let caps = Arc::new(Capabilities::default());
    let top = objects::render_context(
        &computed.chart,
        computed.values.clone(),
        &release(golden),
        &caps,
    );
    let mut out = Vec::new();
    for job in objects::template_jobs(&computed.chart, &top) {
        let base = job.name.rsplit('/').next().unwrap_or("").to_string();
        if base.starts_with('_') {
            continue;
        }
        let ctx = &job.context;
        let probe = match base.as_str() {
            "probe-values.yaml" => ctx.get("Values").expect("Values").to_json(),
            "probe-chart.yaml" => ctx.get("Chart").expect("Chart").to_json(),
            "probe-release.yaml" => ctx.get("Release").expect("Release").to_json(),
            "probe-caps.yaml" => ctx.get("Capabilities").expect("Capabilities").to_json(),
            "probe-subcharts.yaml" => {
                let Some(Value::Map(m)) = ctx.get("Subcharts") else {
                    panic!("Subcharts")
                };
                J::Array(m.keys().into_iter().map(J::String).collect())
            }
            "probe-template.yaml" => {
                objects::set_template(ctx, &job.name, &job.base_path);
                ctx.get("Template").expect("Template").to_json()
            }
            "probe-files.yaml" => files_probe(ctx),
            _ => J::String(String::from_utf8_lossy(&job.source).into_owned()),
        };
        out.push((job.name.clone(), probe));
    }
    Ok(out)
}

fn call(files: &Files, method: &str, args: &[&str]) -> J {
    let args: Vec<Value> = args.iter().map(|a| Value::from(*a)).collect();
    files
        .call_method(method, &args)
        .map(|v| v.to_json())
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// Mirrors `files-chart/templates/probe-files.yaml` through our `.Files` object.
fn files_probe(ctx: &Map) -> J {
    let Some(Value::Object(o)) = ctx.get("Files") else {
        panic!("Files is not an object")
    };
    let coll = o.as_collection().expect("files is a map");
    let files = match coll {
        Value::Map(m) => Files::new(
            &m.entries()
                .into_iter()
                .map(|(k, v)| chart_renderer::chart::File {
                    name: k,
                    data: match v {
                        Value::Bytes(b) => b,
                        _ => panic!("not bytes"),
                    },
                })
                .collect::<Vec<_>>(),
        ),
        _ => panic!("not a map"),
    };
    let names: Vec<J> = files
        .as_collection()
        .and_then(|v| v.as_map().map(|m| m.keys()))
        .unwrap_or_default()
        .into_iter()
        .map(J::String)
        .collect();
    let glob = |p: &str| call(&files, "Glob", &[p]);
    let glob_obj = |p: &str| match files.call_method("Glob", &[Value::from(p)]) {
        Ok(Value::Object(g)) => g,
        other => panic!("Glob: {other:?}"),
    };
    let as_string =
        |o: &gotmpl::ObjectRef, m: &str| o.call_method(m, &[]).map(|v| v.to_json()).expect(m);
    serde_json::json!({
        "names": names,
        "get": call(&files, "Get", &["files/a.txt"]),
        "getMissing": call(&files, "Get", &["nope"]),
        "getBom": call(&files, "Get", &["files/bom.yaml"]),
        "bytes": base64_of(&files.get_bytes("files/b.yaml")),
        "lines": call(&files, "Lines", &["files/a.txt"]),
        "linesCrlf": call(&files, "Lines", &["files/crlf.txt"]),
        "linesMissing": call(&files, "Lines", &["nope"]),
        "globStar": glob("files/*"),
        "globSuper": glob("**.txt"),
        "globAlt": glob("files/{a,b}.*"),
        "globBad": glob("["),
        "globClass": glob("files/[!a]*"),
        "globTop": glob("*"),
        "asConfig": as_string(&glob_obj("files/*"), "AsConfig"),
        "asSecrets": as_string(&glob_obj("files/*"), "AsSecrets"),
        "asConfigEmpty": as_string(&glob_obj("nothing"), "AsConfig"),
    })
}

/// Go's json encodes `[]byte` as base64.
fn base64_of(b: &[u8]) -> J {
    use base64::Engine as _;
    J::String(base64::engine::general_purpose::STANDARD.encode(b))
}

/// Compares our probes with Helm's for the templates whose base name satisfies `select`; returns the
/// differences as readable lines.
pub fn compare_probes(case: &str, golden: &J, select: &dyn Fn(&str) -> bool) -> Vec<String> {
    compare_probes_without(case, golden, select, &[])
}

/// [`compare_probes`] ignoring the top-level keys `drop` of each probe object.
pub fn compare_probes_without(
    case: &str,
    golden: &J,
    select: &dyn Fn(&str) -> bool,
    drop: &[&str],
) -> Vec<String> {
    let mut diffs = Vec::new();
    let ours = match our_probes(golden) {
        Ok(p) => p,
        Err(e) => {
            if golden.get("error").is_none() {
                diffs.push(format!("{case}: we failed with {e:?}, Helm succeeded"));
            }
            return diffs;
        }
    };
    let Some(rendered) = golden.get("rendered").and_then(J::as_object) else {
        diffs.push(format!(
            "{case}: Helm failed with {:?}, we succeeded",
            golden["error"]
        ));
        return diffs;
    };
    for (name, probe) in &ours {
        let base = name.rsplit('/').next().unwrap_or("");
        if !select(base) {
            continue;
        }
        let Some(text) = rendered.get(name).and_then(J::as_str) else {
            diffs.push(format!("{case}: {name}: Helm did not render it"));
            continue;
        };
        let mut expected: J = match serde_json::from_str(text.trim()) {
            Ok(j) => j,
            Err(e) => {
                diffs.push(format!(
                    "{case}: {name}: Helm output is not JSON ({e}): {text}"
                ));
                continue;
            }
        };
        let mut probe = probe.clone();
        for k in drop {
            for o in [&mut probe, &mut expected] {
                if let Some(m) = o.as_object_mut() {
                    m.remove(*k);
                }
            }
        }
        if norm(&expected) != norm(&probe) {
            diffs.push(format!(
                "{case}: {name}:\n  helm: {expected}\n  ours: {probe}"
            ));
        }
    }
    diffs
}
