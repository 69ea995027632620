//! `.Chart`, `.Release`, `.Capabilities`, `.Template`, `.Subcharts` and `.Files` compared with goldens from
//! Helm's engine (see `tests/fixtures/make_goldens.py`).

mod common;

use chart_renderer::chart::File;
use chart_renderer::objects::{Capabilities, Files, KubeVersion};
use common::*;
use gotmpl::{Object, Value};
use std::sync::Arc;

fn check(select: &dyn Fn(&str) -> bool) {
    let mut diffs = Vec::new();
    for (case, golden) in render_goldens() {
        diffs.extend(compare_probes(&case, &golden, select));
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn chart_object_matches_helm() {
    check(&|b| b == "probe-chart.yaml");
}

#[test]
fn release_and_capabilities_match_helm() {
    check(&|b| b == "probe-release.yaml" || b == "probe-caps.yaml");
}

#[test]
fn template_and_subcharts_match_helm() {
    check(&|b| b == "probe-template.yaml" || b == "probe-subcharts.yaml");
}

#[test]
fn files_object_matches_helm() {
    let mut diffs = Vec::new();
    for (case, golden) in render_goldens() {
        diffs.extend(compare_probes_without(
            &case,
            &golden,
            &|b| b == "probe-files.yaml",
            &["asConfig", "asSecrets"],
        ));
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn files_as_config_matches_helm() {
    check(&|b| b == "probe-files.yaml");
}

/// Helm v4.2.3 panics on `.Files.Lines` of an existing empty file (checked with the oracle:
/// `error calling Lines: runtime error: index out of range [-1]`).
#[test]
fn lines_of_empty_file_fails_like_helm() {
    let f = Files::new(&[File {
        name: "e".into(),
        data: Arc::from(&b""[..]),
    }]);
    assert_eq!(
        f.call_method("Lines", &[Value::from("e")]).err().as_deref(),
        Some("runtime error: index out of range [-1]")
    );
    assert!(
        matches!(f.call_method("Lines", &[Value::from("missing")]), Ok(Value::List(l)) if l.is_empty())
    );
}

/// Printing and methods, checked against the oracle by hand: `{{ .Capabilities.KubeVersion }}` →
/// `v1.36.0`, `{{ .Capabilities.HelmVersion }}` → `{v4.2   go1.26.6 v1.36}`, `Has "apps/v1"` true,
/// `Has "apps/v1/Deployment"` false, `typeOf .Capabilities` → `*common.Capabilities`.
#[test]
fn capabilities_methods() {
    let caps = Capabilities::default();
    assert_eq!(caps.type_name(), "*common.Capabilities");
    let Some(Value::Object(kv)) = caps.field("KubeVersion") else {
        panic!("KubeVersion")
    };
    assert_eq!(kv.go_format(), "v1.36.0");
    assert_eq!(
        kv.call_method("GitVersion", &[])
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .as_deref(),
        Some("v1.36.0")
    );
    let Some(Value::Object(hv)) = caps.field("HelmVersion") else {
        panic!("HelmVersion")
    };
    assert_eq!(hv.go_format(), "{v4.2   go1.26.6 v1.36}");
    let Some(Value::Object(api)) = caps.field("APIVersions") else {
        panic!("APIVersions")
    };
    assert!(matches!(
        api.call_method("Has", &[Value::from("apps/v1")]),
        Ok(Value::Bool(true))
    ));
    assert!(matches!(
        api.call_method("Has", &[Value::from("apps/v1/Deployment")]),
        Ok(Value::Bool(false))
    ));
    assert!(
        caps.field("Nope").is_none(),
        "a missing struct field must be an error in the executor"
    );
    let custom = Capabilities::default()
        .with_kube_version("1.29.3-eks")
        .expect("parses");
    assert_eq!(
        custom.kube_version,
        KubeVersion::parse("v1.29.3-eks").expect("parses")
    );
}
