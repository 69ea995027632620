//! The renderer's benchmark: Hoist's side of `hack/bench/run.sh` (which runs Helm's engine and
//! `gtmpl-ng` on the same charts and prints the comparison; see docs/renderer.md "Benchmarks").
//!
//! `cargo bench -p chart-renderer --bench render -- CASES.json ITERATIONS [DUMP_DIR]`
//!
//! `CASES.json` is a list of `{"name", "archive", "values", "release", "namespace", "api_versions"}`
//! (written by `hack/bench/bench.py`). For every case it prints, as one JSON document on stdout:
//! - `cold_ns`: archive bytes → load → parse → render with a fresh `Renderer` (and so a fresh function
//!   table), `ITERATIONS` times; the archive is read into memory once beforehand, as Helm's side does;
//! - `warm_ns`: renders of the already loaded chart with a `Renderer` that parsed it before (values
//!   computation, context building and execution: everything but loading and parsing);
//! - `cache_bytes`: heap memory a `Renderer` keeps for this chart once rendered (the parsed template set
//!   and the template sources it pins), measured by the counting allocator below after the chart and the
//!   output are dropped.
//!
//! With `DUMP_DIR`, the last warm render's files are written to `DUMP_DIR/<name>.json` so the caller can
//! check them byte for byte against Helm's before reporting any figure.
//!
//! Not a Rust test (`harness = false`, `test = false`): `cargo test` never runs it.

use chart_renderer::chart::Chart;
use chart_renderer::render::{ReleaseOptions, RenderOptions, Renderer};
use gotmpl::{Map, Value};
use serde_json::json;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Counts live heap bytes, so the memory a cache entry holds can be read as a difference.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counter is only
// bookkeeping and never affects the returned memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error("usage: render CASES.json ITERATIONS [DUMP_DIR]")]
    Usage,
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("cases file: {0}")]
    Cases(String),
    #[error("case {0}: {1}")]
    Case(String, String),
}

struct Case {
    name: String,
    archive: Vec<u8>,
    values: Map,
    opts: RenderOptions,
}

fn read_cases(path: &Path) -> Result<Vec<Case>, BenchError> {
    let text = std::fs::read_to_string(path).map_err(|e| BenchError::Io(path.into(), e))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| BenchError::Cases(e.to_string()))?;
    let list = doc
        .as_array()
        .ok_or_else(|| BenchError::Cases("not a list".into()))?;
    let mut cases = Vec::new();
    for c in list {
        let s = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        let name = s("name").to_string();
        let archive_path = PathBuf::from(s("archive"));
        let archive =
            std::fs::read(&archive_path).map_err(|e| BenchError::Io(archive_path.clone(), e))?;
        // User values as Helm's side receives them: parsed from JSON, so numbers are float64 there too.
        let values = match c.get("values").map(Value::from_json) {
            Some(Value::Map(m)) => m,
            _ => Map::new(),
        };
        let opts = RenderOptions {
            release: ReleaseOptions {
                name: s("release").to_string(),
                namespace: s("namespace").to_string(),
                ..ReleaseOptions::default()
            },
            extra_api_versions: c
                .get("api_versions")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            ..RenderOptions::default()
        };
        cases.push(Case {
            name,
            archive,
            values,
            opts,
        });
    }
    Ok(cases)
}

/// One cold render: everything from the archive's bytes to the rendered files.
fn cold(case: &Case) -> Result<BTreeMap<String, String>, String> {
    let chart = Chart::from_archive_bytes(&case.archive).map_err(|e| e.to_string())?;
    let renderer = Renderer::new();
    renderer
        .render(&chart, &case.values, &case.opts)
        .map(|r| r.files)
        .map_err(|e| e.to_string())
}

fn load(case: &Case) -> Result<Arc<Chart>, BenchError> {
    Chart::from_archive_bytes(&case.archive)
        .map_err(|e| BenchError::Case(case.name.clone(), e.to_string()))
}

/// Heap bytes a warmed-up `Renderer` keeps after rendering a freshly loaded copy of the chart, with the
/// chart and the output dropped: the cached parsed set plus the template sources it pins.
fn cache_bytes(case: &Case, renderer: &Renderer) -> Result<usize, BenchError> {
    let before = live();
    let chart = load(case)?;
    let out = renderer
        .render(&chart, &case.values, &case.opts)
        .map_err(|e| BenchError::Case(case.name.clone(), e.to_string()))?;
    drop(out);
    drop(chart);
    Ok(live().saturating_sub(before))
}

fn template_source_bytes(chart: &Chart) -> usize {
    chart.templates.iter().map(|f| f.data.len()).sum::<usize>()
        + chart
            .dependencies
            .iter()
            .map(|d| template_source_bytes(d))
            .sum::<usize>()
}

fn run_case(
    case: &Case,
    iterations: usize,
    dump: Option<&Path>,
) -> Result<serde_json::Value, BenchError> {
    let fail = |e: String| BenchError::Case(case.name.clone(), e);
    let mut cold_ns = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let files = cold(case).map_err(fail)?;
        cold_ns.push(t.elapsed().as_nanos() as u64);
        drop(files);
    }

    let chart = load(case)?;
    let renderer = Renderer::new();
    let mut last = renderer
        .render(&chart, &case.values, &case.opts)
        .map_err(|e| fail(e.to_string()))?
        .files;
    let mut warm_ns = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let out = renderer
            .render(&chart, &case.values, &case.opts)
            .map_err(|e| fail(e.to_string()))?;
        warm_ns.push(t.elapsed().as_nanos() as u64);
        last = out.files;
    }
    let sources = template_source_bytes(&chart);
    drop(chart);
    let held = cache_bytes(case, &renderer)?;

    if let Some(dir) = dump {
        let path = dir.join(format!("{}.json", case.name));
        let text = serde_json::to_string(&last).map_err(|e| fail(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| BenchError::Io(path, e))?;
    }
    Ok(json!({
        "name": case.name,
        "files": last.len(),
        "cold_ns": cold_ns,
        "warm_ns": warm_ns,
        "cache_bytes": held,
        "template_source_bytes": sources,
    }))
}

fn main() -> Result<(), BenchError> {
    // `cargo bench` appends `--bench`; positional arguments are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (cases_path, iterations) = match (args.first(), args.get(1)) {
        (Some(c), Some(n)) => (
            PathBuf::from(c),
            n.parse::<usize>().map_err(|_| BenchError::Usage)?,
        ),
        _ => return Err(BenchError::Usage),
    };
    let dump = args.get(2).map(PathBuf::from);
    let cases = read_cases(&cases_path)?;
    let mut results = Vec::new();
    for case in &cases {
        eprintln!("hoist: {} ({} iterations)", case.name, iterations);
        results.push(run_case(case, iterations.max(1), dump.as_deref())?);
    }
    println!("{}", json!({ "engine": "hoist", "cases": results }));
    Ok(())
}
