//! `.Values` as Helm computes it (coalescing, globals, subchart scoping, import-values), compared with
//! goldens from Helm's engine (see `tests/fixtures/make_goldens.py`).

mod common;

use chart_renderer::chart::Chart;
use chart_renderer::values;
use common::*;
use serde_json::Value as J;

#[test]
fn rendered_values_match_helm() {
    let mut diffs = Vec::new();
    for (case, golden) in render_goldens() {
        diffs.extend(compare_probes(&case, &golden, &|b| {
            b == "probe-values.yaml"
        }));
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn errors_match_helm() {
    let mut checked = 0;
    for (case, golden) in render_goldens() {
        let Some(expected) = golden.get("error").and_then(J::as_str) else {
            continue;
        };
        checked += 1;
        let ours = our_probes(&golden)
            .err()
            .unwrap_or_else(|| panic!("{case}: expected an error"));
        assert_eq!(ours, expected, "{case}");
    }
    assert!(checked > 0);
}

/// `merge_values` in the oracle is Helm's plain `CoalesceValues` on the loaded chart (no dependency
/// processing).
#[test]
fn coalesce_values_matches_helm() {
    let mut diffs = Vec::new();
    for (case, golden) in render_goldens() {
        let Some(expected) = golden.get("merged") else {
            continue;
        };
        let chart =
            Chart::load(fixtures().join(golden["chart"].as_str().unwrap_or(""))).expect("loads");
        let ours = values::coalesce_values(&chart, &user_values(&golden))
            .map(|m| gotmpl::Value::Map(m).to_json());
        match ours {
            Ok(ours) if norm(&ours) == norm(expected) => {}
            other => diffs.push(format!("{case}:\n  helm: {expected}\n  ours: {other:?}")),
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn user_values_are_not_modified() {
    let chart = Chart::load(fixtures().join("umbrella")).expect("loads");
    let user = match gotmpl::Value::from_json(
        &serde_json::json!({"sub1": {"replicas": null}, "global": {"a": 1}}),
    ) {
        gotmpl::Value::Map(m) => m,
        _ => unreachable!(),
    };
    let before = gotmpl::Value::Map(user.clone()).to_json();
    values::compute(&chart, &user).expect("computes");
    assert_eq!(gotmpl::Value::Map(user).to_json(), before);
    // And the loaded chart's defaults are untouched too: a second computation gives the same result.
    let a = values::compute(&chart, &gotmpl::Map::new()).expect("computes");
    let b = values::compute(&chart, &gotmpl::Map::new()).expect("computes");
    assert_eq!(
        gotmpl::Value::Map(a.values).to_json(),
        gotmpl::Value::Map(b.values).to_json()
    );
}

/// Timing probe, not an assertion: `cargo test --release -p chart-renderer --test values_oracle -- --ignored --nocapture`.
#[test]
#[ignore = "timing figures for the report, run by hand in release mode"]
fn timing() {
    use std::time::Instant;
    let n: u32 = std::env::var("TIMING_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let t = Instant::now();
    for _ in 0..n {
        Chart::load(fixtures().join("umbrella")).expect("loads");
    }
    println!(
        "load umbrella dir (5 charts incl. a .tgz): {:?}/iter",
        t.elapsed() / n
    );
    let chart = Chart::load(fixtures().join("umbrella")).expect("loads");
    let t = Instant::now();
    for _ in 0..n {
        values::compute(&chart, &gotmpl::Map::new()).expect("computes");
    }
    println!(
        "compute umbrella values (deps + coalesce): {:?}/iter",
        t.elapsed() / n
    );
    let t = Instant::now();
    for _ in 0..n {
        values::coalesce_values(&chart, &gotmpl::Map::new()).expect("coalesces");
    }
    println!(
        "coalesce only (as Helm merge_values): {:?}/iter",
        t.elapsed() / n
    );
    let t = Instant::now();
    for _ in 0..n {
        chart_renderer::deps::is_compatible_range(">=1.0.0, <2.0.0 || ~3.1", "1.5.0");
    }
    println!("one version-range check: {:?}/iter", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        chart_renderer::deps::process_dependencies(&chart, &gotmpl::Map::new()).expect("processes");
    }
    println!("process_dependencies only: {:?}/iter", t.elapsed() / n);
    let caps = std::sync::Arc::new(chart_renderer::objects::Capabilities::default());
    let c = values::compute(&chart, &gotmpl::Map::new()).expect("computes");
    let t = Instant::now();
    for _ in 0..n {
        let top = chart_renderer::objects::render_context(
            &c.chart,
            c.values.clone(),
            &Default::default(),
            &caps,
        );
        chart_renderer::objects::template_jobs(&c.chart, &top);
    }
    println!("render contexts umbrella: {:?}/iter", t.elapsed() / n);
}

/// Templates may mutate `.Values` (Sprig's `set`, `unset`, `merge` write through shared maps). Nothing they
/// do may reach the loaded chart: the next computation must be unaffected.
#[test]
fn mutating_computed_values_does_not_touch_the_loaded_chart() {
    fn scribble(v: &gotmpl::Value) {
        if let gotmpl::Value::Map(m) = v {
            for (k, child) in m.entries() {
                scribble(&child);
                m.insert(format!("{k}-scribbled"), gotmpl::Value::from("x"));
            }
            m.insert("scribbled", gotmpl::Value::Bool(true));
        }
    }
    for fixture in ["umbrella", "imports", "quirks"] {
        let chart = Chart::load(fixtures().join(fixture)).expect("loads");
        let first = values::compute(&chart, &gotmpl::Map::new()).expect("computes");
        let before = gotmpl::Value::Map(first.values.clone()).to_json();
        scribble(&gotmpl::Value::Map(first.values.clone()));
        assert_ne!(
            gotmpl::Value::Map(first.values.clone()).to_json(),
            before,
            "the scribbling must show"
        );
        let top = chart_renderer::objects::render_context(
            &first.chart,
            first.values.clone(),
            &Default::default(),
            &std::sync::Arc::new(chart_renderer::objects::Capabilities::default()),
        );
        for job in chart_renderer::objects::template_jobs(&first.chart, &top) {
            scribble(&gotmpl::Value::Map(job.context.clone()));
        }
        let again = values::compute(&chart, &gotmpl::Map::new()).expect("computes");
        assert_eq!(
            gotmpl::Value::Map(again.values).to_json(),
            before,
            "{fixture}"
        );
    }
}

#[test]
fn charts_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<std::sync::Arc<Chart>>();
    let chart = Chart::load(fixtures().join("umbrella")).expect("loads");
    let expected = gotmpl::Value::Map(
        values::compute(&chart, &gotmpl::Map::new())
            .expect("computes")
            .values,
    )
    .to_json();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let got = values::compute(&chart, &gotmpl::Map::new()).expect("computes");
                assert_eq!(gotmpl::Value::Map(got.values).to_json(), expected);
            });
        }
    });
}
