//! End to end through the template engine: Helm's objects as templates use them (`.Chart.X`, `index
//! .Chart.Annotations`, `.Files.Get`, `range .Files.Glob`, `.Capabilities.APIVersions.Has`, printing of
//! `KubeVersion`/`HelmVersion`/`engine.files`, `.Subcharts`, `.Template`), rendered by gotmpl and compared
//! byte for byte with Helm's output for `tests/fixtures/objects-e2e` (golden from
//! `tests/fixtures/make_goldens.py`). Only the objects are under test: the templates avoid `include`/`tpl`,
//! which belong to the render engine.

mod common;

use chart_renderer::chart::Chart;
use chart_renderer::objects::{self, Capabilities};
use common::*;
use gotmpl::{ExecOptions, MissingKey, TemplateSet, Value};
use std::sync::Arc;

#[test]
fn objects_render_like_helm() {
    let golden = read_json("goldens/render-objects-e2e.json");
    let expected = golden["rendered"].as_object().expect("rendered");
    let chart = Chart::load(fixtures().join("objects-e2e")).expect("loads");
    let caps = Arc::new(Capabilities::default());
    let (_, jobs) =
        objects::prepare_render(&chart, &user_values(&golden), &release(&golden), &caps)
            .expect("computes");

    let mut set = TemplateSet::new(Arc::new(chart_renderer::funcs::helm_funcs()));
    for job in &jobs {
        set.add(&job.name, std::str::from_utf8(&job.source).expect("utf-8"))
            .expect("parses");
    }
    // Helm's non-strict mode: missingkey=zero, then `<no value>` is blanked out.
    let opts = ExecOptions {
        missing_key: MissingKey::Zero,
        ..ExecOptions::default()
    };
    let mut seen = 0;
    for job in &jobs {
        objects::set_template(&job.context, &job.name, &job.base_path);
        let out = set
            .execute(&job.name, Value::Map(job.context.clone()), &opts)
            .unwrap_or_else(|e| panic!("{}: {e}", job.name))
            .replace("<no value>", "");
        let want = expected[&job.name]
            .as_str()
            .unwrap_or_else(|| panic!("{} not rendered by Helm", job.name));
        assert_eq!(out, want, "{}", job.name);
        seen += 1;
    }
    assert_eq!(seen, expected.len());
}
