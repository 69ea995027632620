//! `gtmpl-ng` 1.0.0 on the benchmark charts, for `hack/bench/run.sh` only (docs/renderer.md, "Benchmarks").
//!
//! `gtmpl-ng-bench NAME CHART_DIR CONTEXT.json ITERATIONS DUMP_DIR`
//!
//! gtmpl-ng has no chart loader, no values computation and no `include`/`tpl` (its functions are bare
//! `fn` pointers that cannot call back into templates), so it renders only the raw `templates/` of one
//! chart without subcharts, with a ready-made context (`.Values`, `.Release`, `.Chart` as computed by
//! the caller). Cold = parse every template from in-memory sources + render every file; warm = render
//! every file with the parsed set. Prints one JSON document; on a parse or render error it reports the
//! error instead of timings.

use gtmpl_ng::{Context, Number, Template, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        // Helm's values from YAML/JSON are float64, so give gtmpl-ng floats too.
        serde_json::Value::Number(n) => Value::Number(Number::from(n.as_f64().unwrap_or(f64::NAN))),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(to_value).collect()),
        serde_json::Value::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

fn templates(chart: &Path, name: &str) -> Result<Vec<(String, String)>, String> {
    let dir = chart.join("templates");
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            let file = path
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or_default();
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push((format!("{name}/templates/{file}"), text));
        }
    }
    out.sort();
    Ok(out)
}

fn parse(sources: &[(String, String)]) -> Result<Template, String> {
    let mut t = Template::default();
    t.add_funcs(&gtmpl_ng::helm_functions::HELM_FUNCTIONS);
    for (name, text) in sources {
        t.add_template(name.clone(), text.clone())
            .map_err(|e| format!("parse {name}: {e}"))?;
    }
    Ok(t)
}

fn render_all(
    t: &mut Template,
    names: &[String],
    ctx: &Context,
) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for name in names {
        t.name = name.clone();
        let text = t.render(ctx).map_err(|e| format!("render {name}: {e}"))?;
        out.insert(name.clone(), text);
    }
    Ok(out)
}

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    let [name, chart, context, iterations, dump] = args else {
        return Err("usage: gtmpl-ng-bench NAME CHART_DIR CONTEXT.json ITERATIONS DUMP_DIR".into());
    };
    let chart_name = Path::new(chart)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or_default();
    let sources = templates(Path::new(chart), chart_name)?;
    let names: Vec<String> = sources
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| !n.rsplit('/').next().unwrap_or_default().starts_with('_'))
        .collect();
    let ctx_json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(context).map_err(|e| format!("{context}: {e}"))?,
    )
    .map_err(|e| e.to_string())?;
    let ctx = Context::from(to_value(&ctx_json));
    let n: usize = iterations.parse().map_err(|_| "ITERATIONS".to_string())?;

    let mut cold_ns = Vec::new();
    let mut last = BTreeMap::new();
    for _ in 0..n.max(1) {
        let t0 = Instant::now();
        let mut t = parse(&sources)?;
        last = render_all(&mut t, &names, &ctx)?;
        cold_ns.push(t0.elapsed().as_nanos() as u64);
    }
    let mut t = parse(&sources)?;
    let mut warm_ns = Vec::new();
    for _ in 0..n.max(1) {
        let t0 = Instant::now();
        last = render_all(&mut t, &names, &ctx)?;
        warm_ns.push(t0.elapsed().as_nanos() as u64);
    }
    let path = PathBuf::from(dump).join(format!("{name}.json"));
    std::fs::write(
        &path,
        serde_json::to_string(&last).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(
        serde_json::json!({"name": name, "files": last.len(), "cold_ns": cold_ns, "warm_ns": warm_ns}),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let doc = match run(&args) {
        Ok(v) => v,
        Err(e) => serde_json::json!({"name": args.first(), "error": e}),
    };
    println!("{doc}");
}
