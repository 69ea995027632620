//! Golden tests of the template language against Helm v4.2.3's engine.
//!
//! `golden/lang.json` was produced by `golden/gen_lang.py` from Helm's real engine (helm-python-sdk
//! 0.2.2): each case is a chart `c` whose `templates/t.yaml` is the case's template (plus `extra`
//! files), rendered with the case's values under Helm's defaults (missingkey=zero, `<no value>`
//! stripped). The runner reproduces exactly that setting: same file names, Helm's parse order, the
//! same stripping, and Helm's error formatting applied to our structured errors.

mod lang_common;
use lang_common as common;

use gotmpl::{ExecOptions, MissingKey, TemplateSet, Value};
use serde_json::Value as Json;

struct Outcome {
    name: String,
    got: String,
    want: String,
}

fn run_case(case: &Json) -> Option<Outcome> {
    let name = case["name"].as_str().unwrap_or("?").to_string();
    let needs: Vec<&str> = case["needs"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if needs.contains(&"builtins") && !common::have_builtins()
        || needs.contains(&"fmt") && !common::have_fmt()
    {
        return None;
    }
    let mut files: Vec<(String, String)> = vec![(
        "c/templates/t.yaml".to_string(),
        case["tpl"].as_str().expect("tpl").to_string(),
    )];
    if let Some(extra) = case["extra"].as_object() {
        for (k, v) in extra {
            files.push((
                format!("c/templates/{k}"),
                v.as_str().expect("extra text").to_string(),
            ));
        }
    }
    // Helm parses deepest paths first and, at equal depth, names in descending order.
    files.sort_by(|a, b| {
        let (da, db) = (a.0.matches('/').count(), b.0.matches('/').count());
        db.cmp(&da).then_with(|| b.0.cmp(&a.0))
    });
    let mut set = TemplateSet::new(common::funcs());
    set.set_root_name("gotpl");
    let values = Value::from_json(
        case.get("values")
            .unwrap_or(&Json::Object(Default::default())),
    );
    let dot = Value::Map([("Values".to_string(), values)].into_iter().collect());
    let opts = ExecOptions {
        missing_key: MissingKey::Zero,
        ..Default::default()
    };
    let got = (|| {
        for (n, text) in &files {
            set.add(n, text)?;
        }
        set.execute("c/templates/t.yaml", dot, &opts)
    })();
    let got = match got {
        Ok(out) => out.replace("<no value>", ""),
        Err(e) => common::helm_format(&e),
    };
    let want = case
        .get("ok")
        .or_else(|| case.get("err"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    Some(Outcome { name, got, want })
}

#[test]
fn language_goldens_match_helm() {
    let cases: Vec<Json> =
        serde_json::from_str(include_str!("golden/lang.json")).expect("lang.json is valid JSON");
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut skipped = Vec::new();
    for case in &cases {
        match run_case(case) {
            None => skipped.push(case["name"].as_str().unwrap_or("?").to_string()),
            Some(o) => {
                ran += 1;
                if o.got != o.want {
                    failures.push(format!(
                        "{}:\n   got: {:?}\n  want: {:?}",
                        o.name, o.got, o.want
                    ));
                }
            }
        }
    }
    eprintln!(
        "{ran} cases run, {} skipped until builtins/fmt land: {skipped:?}",
        skipped.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {ran} cases differ from Helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(ran > 100, "too few cases ran ({ran})");
}
