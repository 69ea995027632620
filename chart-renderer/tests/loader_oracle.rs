//! Loading charts from directories and archives, compared with Helm (goldens from
//! `tests/fixtures/make_goldens.py`), plus Hoist's extra security limits.

mod common;

use chart_renderer::chart::Chart;
use chart_renderer::loader::{self, LoadLimits};
use common::*;
use serde_json::Value as J;
use std::sync::Arc;

fn write_files(dir: &std::path::Path, files: &serde_json::Map<String, J>) {
    for (rel, content) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, content.as_str().expect("text")).expect("write");
    }
}

/// Numbers as f64, and a chart without values.yaml (Go: nil map, JSON `null`) as `{}` — we always hold a
/// map; templates cannot tell the two apart.
fn norm_numbers(v: &J) -> J {
    if v.is_null() {
        return serde_json::json!({});
    }
    norm(v)
}

fn names(files: &[chart_renderer::chart::File]) -> J {
    let mut v: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    v.sort();
    serde_json::json!(v)
}

#[test]
fn directory_load_errors_and_metadata_match_helm() {
    let golden = read_json("goldens/loader.json");
    let mut diffs = Vec::new();
    for case in golden["dirs"].as_array().expect("dirs") {
        let name = case["name"].as_str().unwrap_or("?");
        let dir = tempfile::tempdir().expect("tempdir");
        write_files(dir.path(), case["files"].as_object().expect("files"));
        match (
            Chart::load(dir.path()),
            case.get("error").and_then(J::as_str),
        ) {
            (Err(e), Some(expected)) if e.to_string() == expected => {}
            (Ok(c), None)
                if norm(&c.metadata.to_json()) == norm(&case["metadata"])
                    && names(&c.files) == case["file_names"]
                    && names(&c.templates) == case["template_names"] => {}
            (ours, _) => diffs.push(format!(
                "{name}: helm {:?}/{}/{}; ours {:?}",
                case.get("error"),
                case["metadata"],
                case["file_names"],
                ours.map(|c| (c.metadata.to_json(), names(&c.files), names(&c.templates)))
            )),
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn archive_loads_match_helm() {
    let golden = read_json("goldens/loader.json");
    let mut diffs = Vec::new();
    for case in golden["archives"].as_array().expect("archives") {
        let name = case["name"].as_str().unwrap_or("?");
        let bytes =
            std::fs::read(fixtures().join(format!("archives/{name}.tgz"))).expect("archive");
        match (
            Chart::from_archive_bytes(&bytes),
            case.get("error").and_then(J::as_str),
        ) {
            (Err(e), Some(expected)) if e.to_string() == expected => {}
            (Ok(c), None) => {
                let deps: Vec<&str> = c.dependencies.iter().map(|d| d.name()).collect();
                if c.metadata.to_json() != case["metadata"]
                    || serde_json::json!(deps) != case["dependencies"]
                {
                    diffs.push(format!("{name}: metadata/dependencies differ"));
                }
            }
            (ours, expected) => diffs.push(format!(
                "{name}: helm {expected:?}; ours {:?}",
                ours.map(|c| c.metadata.to_json())
            )),
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// The fixture charts: classification of files (`.helmignore`, default ignores, `charts/` entries starting
/// with `_` or `.`), metadata, default values (multi-document values.yaml), subcharts from directories and
/// archives, CRD paths.
#[test]
fn fixture_charts_load_like_helm() {
    let golden = read_json("goldens/loader.json");
    for (path, want) in golden["charts"].as_object().expect("charts") {
        let c: Arc<Chart> =
            Chart::load(fixtures().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut templates: Vec<String> = c.templates.iter().map(|t| t.name.clone()).collect();
        templates.sort();
        let mut files: Vec<String> = c.files.iter().map(|t| t.name.clone()).collect();
        files.sort();
        let mut deps: Vec<String> = c
            .dependencies
            .iter()
            .map(|d| d.name().to_string())
            .collect();
        deps.sort();
        let crds: Vec<String> = c.crd_objects().into_iter().map(|o| o.filename).collect();
        assert_eq!(
            serde_json::json!(templates),
            want["templates"],
            "{path} templates"
        );
        assert_eq!(serde_json::json!(files), want["files"], "{path} files");
        assert_eq!(
            serde_json::json!(deps),
            want["dependencies"],
            "{path} dependencies"
        );
        assert_eq!(serde_json::json!(crds), want["crds"], "{path} crds");
        assert_eq!(
            norm(&c.metadata.to_json()),
            norm(&want["metadata"]),
            "{path} metadata"
        );
        assert_eq!(
            norm_numbers(&gotmpl::Value::Map(c.values_copy()).to_json()),
            norm_numbers(&want["values"]),
            "{path} values"
        );
    }
}

#[test]
fn archive_and_directory_give_the_same_chart() {
    let dir = Chart::load(fixtures().join("src/sub2")).expect("dir");
    let bytes = std::fs::read(fixtures().join("umbrella/charts/sub2-0.2.0.tgz")).expect("tgz");
    let tgz = Chart::from_archive_bytes(&bytes).expect("tgz");
    assert_eq!(dir.metadata.to_json(), tgz.metadata.to_json());
    assert_eq!(dir.templates, tgz.templates);
    assert_eq!(
        gotmpl::Value::Map(dir.values_copy()).to_json(),
        gotmpl::Value::Map(tgz.values_copy()).to_json()
    );
}

// ---- Hoist's own limits (Helm has none of these, or only for archives) ----

fn minimal_chart(dir: &std::path::Path) {
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    )
    .expect("write");
}

#[cfg(unix)]
#[test]
fn symlink_escaping_the_chart_is_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret"), "s").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    minimal_chart(dir.path());
    std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("leak.txt"))
        .expect("symlink");
    let err = Chart::load(dir.path())
        .expect_err("must refuse")
        .to_string();
    assert!(
        err.contains("leak.txt") && err.contains("outside the chart"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_inside_the_chart_is_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    minimal_chart(dir.path());
    std::fs::create_dir(dir.path().join("files")).expect("mkdir");
    std::fs::write(dir.path().join("files/real.txt"), "r").expect("write");
    std::os::unix::fs::symlink(
        dir.path().join("files/real.txt"),
        dir.path().join("link.txt"),
    )
    .expect("symlink");
    let c = Chart::load(dir.path()).expect("loads");
    assert!(c
        .files
        .iter()
        .any(|f| f.name == "link.txt" && &*f.data == b"r"));
}

#[test]
fn oversize_file_is_refused_with_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    minimal_chart(dir.path());
    std::fs::write(dir.path().join("big.bin"), vec![b'x'; 2048]).expect("write");
    let limits = LoadLimits {
        max_file_size: 1024,
        ..LoadLimits::default()
    };
    let err = loader::load_with(dir.path(), &limits)
        .expect_err("too big")
        .to_string();
    assert_eq!(
        err,
        "chart file \"big.bin\" is larger than the maximum file size 1024"
    );
}

#[test]
fn too_many_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    minimal_chart(dir.path());
    for i in 0..5 {
        std::fs::write(dir.path().join(format!("f{i}")), "x").expect("write");
    }
    let limits = LoadLimits {
        max_files: 3,
        ..LoadLimits::default()
    };
    let err = loader::load_with(dir.path(), &limits)
        .expect_err("too many")
        .to_string();
    assert_eq!(err, "chart directory has more than 3 files");
}

#[test]
fn oversize_archive_entry_is_refused() {
    let bytes = std::fs::read(fixtures().join("archives/good.tgz")).expect("archive");
    let limits = LoadLimits {
        max_chart_size: 40,
        ..LoadLimits::default()
    };
    let err = loader::load_archive(&bytes, &limits, 0)
        .expect_err("too big")
        .to_string();
    assert_eq!(err, "decompressed chart is larger than the maximum size 40");
}

#[test]
fn link_entries_in_archives_are_refused() {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    builder
        .append_link(&mut h, "c/evil", "/etc/passwd")
        .expect("link");
    let bytes = builder
        .into_inner()
        .and_then(|gz| gz.finish())
        .expect("finish");
    let err = Chart::from_archive_bytes(&bytes)
        .expect_err("refused")
        .to_string();
    assert_eq!(err, "chart archive contains a link entry \"c/evil\"");
}

#[test]
fn non_gzip_file_gets_helms_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("values.yaml");
    std::fs::write(&p, "a: 1\n").expect("write");
    let err = Chart::load(&p).expect_err("not an archive").to_string();
    assert_eq!(
        err,
        format!(
            "file '{}' seems to be a YAML file, but expected a gzipped archive",
            p.display()
        )
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    minimal_chart(dir.path());
    std::fs::create_dir(dir.path().join("d")).expect("mkdir");
    std::os::unix::fs::symlink(dir.path().join("d"), dir.path().join("d/again")).expect("symlink");
    let err = Chart::load(dir.path()).expect_err("loop").to_string();
    assert!(err.starts_with("symlink loop at "), "{err}");
}
