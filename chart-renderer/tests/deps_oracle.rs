//! Which subcharts Helm renders after conditions, tags and aliases, compared with goldens from Helm's
//! engine (see `tests/fixtures/make_goldens.py`), plus version-range matching.

mod common;

use chart_renderer::deps::is_compatible_range;
use common::*;
use serde_json::Value as J;
use std::collections::BTreeSet;

#[test]
fn rendered_template_set_matches_helm() {
    let mut diffs = Vec::new();
    for (case, golden) in render_goldens() {
        let Some(rendered) = golden.get("rendered").and_then(J::as_object) else {
            continue;
        };
        let helm: BTreeSet<String> = rendered.keys().cloned().collect();
        let ours: BTreeSet<String> = our_probes(&golden)
            .expect("computes")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        if helm != ours {
            diffs.push(format!(
                "{case}: only helm: {:?}; only ours: {:?}",
                helm.difference(&ours).collect::<Vec<_>>(),
                ours.difference(&helm).collect::<Vec<_>>()
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn version_ranges() {
    assert!(is_compatible_range("~0.1.0", "0.1.3"));
    assert!(is_compatible_range("0.1.x", "0.1.3"));
    assert!(is_compatible_range(">=0.1.0", "0.2.0"));
    assert!(!is_compatible_range("^0.1.0", "0.2.0"));
    assert!(!is_compatible_range("", "0.2.0"));
}
