//! Renders a Helm-style Deployment template (`bench_data/`) repeatedly and reports the time per render.
//!
//! `cargo run --release -p gotmpl --example bench_render [iterations]` prints the rendered text once
//! (so it can be diffed with Helm's output: `bench_data/helm_bench.py` renders the same template with
//! Helm and times it) and then parse and warm-execution timings.

use gotmpl::{
    ExecOptions, FuncError, FuncMap, Function, MissingKey, ParamType, TemplateSet, Value,
};
use std::sync::Arc;
use std::time::Instant;

const HELPERS: &str = include_str!("bench_data/_helpers.tpl");
const DEPLOYMENT: &str = include_str!("bench_data/deployment.yaml");
const VALUES: &str = include_str!("bench_data/values.json");

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Go builtins plus the handful of Sprig/Helm functions the template uses, with Sprig's behaviour
/// for the string inputs they receive here.
fn funcs() -> Arc<FuncMap> {
    use ParamType::*;
    let mut m = gotmpl::funcs::builtins::builtins();
    m.insert(Function::pure("upper", &[String], None, |a| {
        Ok(Value::from(s(&a[0]).to_uppercase()))
    }));
    m.insert(Function::pure("lower", &[String], None, |a| {
        Ok(Value::from(s(&a[0]).to_lowercase()))
    }));
    m.insert(Function::pure("quote", &[], Some(Any), |a| {
        let parts: Vec<std::string::String> = a
            .iter()
            .filter(|v| !v.is_nil_or_invalid())
            .map(|v| {
                format!(
                    "{:?}",
                    gotmpl::value::gofmt::sprint(std::slice::from_ref(v))
                )
            })
            .collect();
        Ok(Value::from(parts.join(" ")))
    }));
    m.insert(Function::pure("default", &[Any], Some(Any), |a| {
        match a.get(1) {
            Some(v) if v.is_true() => Ok(v.clone()),
            _ => Ok(a[0].clone()),
        }
    }));
    m.insert(Function::pure("indent", &[Int, String], None, |a| {
        let n = if let Value::Int(n) = a[0] {
            n.max(0) as usize
        } else {
            0
        };
        let pad = " ".repeat(n);
        Ok(Value::from(format!(
            "{pad}{}",
            s(&a[1]).replace('\n', &format!("\n{pad}"))
        )))
    }));
    m.insert(Function::new("include", &[String, Any], None, |ctx, a| {
        ctx.execute_template(&s(&a[0]), a[1].clone())
            .map(Value::from)
            .map_err(|e| FuncError(e.to_string()))
    }));
    Arc::new(m)
}

fn dot() -> Value {
    let values: serde_json::Value = serde_json::from_str(VALUES).expect("values.json");
    let chart = serde_json::json!({"Name": "app", "Version": "0.1.0"});
    let release = serde_json::json!({"Name": "rel", "Namespace": "ns", "Service": "Helm"});
    let top = serde_json::json!({"Values": values, "Chart": chart, "Release": release});
    Value::from_json(&top)
}

/// CPU time of this thread in ns (Linux `schedstat`), so timings hold on a busy machine; falls back
/// to wall time elsewhere.
fn cpu_ns(wall: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<f64>().ok())
        })
        .unwrap_or_else(|| wall.elapsed().as_secs_f64() * 1e9)
}

fn main() -> Result<(), gotmpl::Error> {
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let funcs = funcs();
    let build = || -> Result<TemplateSet, gotmpl::Error> {
        let mut set = TemplateSet::new(funcs.clone());
        set.add("app/templates/deployment.yaml", DEPLOYMENT)?;
        set.add("app/templates/_helpers.tpl", HELPERS)?;
        Ok(set)
    };
    let set = build()?;
    let opts = ExecOptions {
        missing_key: MissingKey::Zero,
        ..Default::default()
    };
    let dot = dot();
    let out = set.execute("app/templates/deployment.yaml", dot.clone(), &opts)?;
    println!("{}", out.replace("<no value>", ""));

    let start = Instant::now();
    let n_parse = (iterations / 10).max(1);
    let t = cpu_ns(start);
    for _ in 0..n_parse {
        std::hint::black_box(build()?);
    }
    let parse_us = (cpu_ns(start) - t) / 1e3 / f64::from(n_parse);

    let t = cpu_ns(start);
    let mut bytes = 0;
    for _ in 0..iterations {
        bytes += set
            .execute("app/templates/deployment.yaml", dot.clone(), &opts)?
            .len();
    }
    let exec_us = (cpu_ns(start) - t) / 1e3 / f64::from(iterations);
    eprintln!(
        "CPU time: parse (2 files) {parse_us:.2} us; warm execute {exec_us:.2} us per render \
         ({bytes} bytes total)"
    );
    Ok(())
}
