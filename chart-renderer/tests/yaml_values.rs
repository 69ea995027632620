//! Values files as Helm's chart loader reads them (`loader.LoadValues`: multi-document split, decode,
//! merge), against goldens from `hack/yaml_goldens.py`: a chart whose `values.yaml` is the input, rendered
//! by Helm v4.2.3 as `{{ toJson .Values }}`, or the load error Helm reported.

use chart_renderer::funcs::serialize::to_json;
use chart_renderer::yaml::load_values;
use gotmpl::Value;
use std::collections::BTreeMap;

#[test]
fn values_files_match_helm() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/goldens/yaml_values.json"
    ))
    .expect("golden");
    let rows: Vec<BTreeMap<String, String>> = serde_json::from_str(&text).expect("golden json");
    assert!(rows.len() > 10);
    for r in rows {
        let input = &r["input"];
        match (load_values(input), r.get("values"), r.get("error")) {
            (Ok(m), Some(want), None) => assert_eq!(&to_json(&Value::Map(m)), want, "{input:?}"),
            (Err(e), None, Some(want)) => {
                assert_eq!(
                    &format!("cannot load values.yaml: {}", e.message),
                    want,
                    "{input:?}"
                )
            }
            (got, _, _) => panic!("{input:?}: got {got:?}, helm {r:?}"),
        }
    }
}
