//! Decoding YAML as Helm's `fromYaml` / `fromYamlArray` do, checked against goldens that
//! `hack/yaml_goldens.py` produced with Helm v4.2.3's engine (`{{ fromYaml . | toJson }}` for every input in
//! `hack/yaml_cases/decode.yaml-cases`).

use chart_renderer::yaml::gojson::{to_json_string, JsonOptions};
use chart_renderer::yaml::{from_str_list, from_str_map};
use gotmpl::{Map, Value};

#[derive(serde::Deserialize)]
struct Case {
    input: String,
    #[serde(rename = "fromYaml")]
    from_yaml: String,
    #[serde(rename = "fromYamlArray")]
    from_yaml_array: String,
}

fn json(v: &Value) -> String {
    to_json_string(
        v,
        JsonOptions {
            escape_html: true,
            indent: None,
        },
    )
    .expect("json")
}

fn helm_from_yaml(s: &str) -> String {
    match from_str_map(s) {
        Ok(m) => json(&Value::Map(m)),
        Err(e) => {
            let m = Map::new();
            m.insert("Error", Value::from(e.message));
            json(&Value::Map(m))
        }
    }
}

fn helm_from_yaml_array(s: &str) -> String {
    match from_str_list(s) {
        Ok(l) => json(&Value::list(l)),
        Err(e) => json(&Value::list(vec![Value::from(e.message)])),
    }
}

#[test]
fn decode_matches_helm() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/goldens/yaml_decode.json"
    ))
    .expect("golden");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("golden json");
    assert!(cases.len() > 200);
    let mut failures = Vec::new();
    for c in &cases {
        let got = helm_from_yaml(&c.input);
        if got != c.from_yaml {
            failures.push(format!(
                "fromYaml {:?}\n   helm: {}\n    got: {}",
                c.input, c.from_yaml, got
            ));
        }
        let got = helm_from_yaml_array(&c.input);
        if got != c.from_yaml_array {
            failures.push(format!(
                "fromYamlArray {:?}\n   helm: {}\n    got: {}",
                c.input, c.from_yaml_array, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len() * 2,
        failures.join("\n")
    );
}
