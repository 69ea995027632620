//! values.schema.json validation against Helm v4's messages (`hack/gen-schema-goldens.py` →
//! `tests/goldens/schema.json`, made with helm-python-sdk's `Chart.validate_schema`).
//!
//! Helm prints sibling errors in Go's random map order (the same input gives differently ordered lines
//! from run to run), so reports are compared as trees whose children are unordered; line texts and
//! nesting must be equal.

use chart_renderer::schema::{validate, validate_tree, SchemaNode};
use gotmpl::{Map, Value};

/// A report as a canonical string: each chart section and each line's children sorted.
fn canonical(report: &str) -> String {
    #[derive(Default)]
    struct Node {
        line: String,
        children: Vec<Node>,
    }
    fn render(n: &Node) -> String {
        let mut kids: Vec<String> = n.children.iter().map(render).collect();
        kids.sort();
        format!("{}{{{}}}", n.line, kids.join(","))
    }
    let mut sections: Vec<Node> = Vec::new();
    for line in report.lines() {
        let depth = line.len() - line.trim_start_matches(' ').len();
        if depth == 0 && !line.starts_with("- ") && line.ends_with(':') {
            sections.push(Node {
                line: line.to_string(),
                children: Vec::new(),
            });
            continue;
        }
        let section = sections.last_mut().expect("a chart header first");
        let mut level = &mut section.children;
        for _ in 0..depth / 2 {
            level = &mut level.last_mut().expect("parent line").children;
        }
        level.push(Node {
            line: line.trim_start().to_string(),
            children: Vec::new(),
        });
    }
    let mut parts: Vec<String> = sections.iter().map(render).collect();
    parts.sort();
    parts.join("\n")
}

#[test]
fn reports_match_helm() {
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("goldens/schema.json")).expect("golden parses");
    let mut failures = Vec::new();
    for case in golden["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let values = Value::from_json(&case["values"]);
        let Value::Map(values) = values else {
            panic!("{name}: values must be a map")
        };
        let subs = case["subcharts"].as_object().expect("subcharts");
        // Helm validates coalesced values, where every subchart has at least an empty map.
        for sub in subs.keys() {
            if !values.contains_key(sub) {
                values.insert(sub.clone(), Value::Map(Map::new()));
            }
        }
        let chart = SchemaNode {
            name: "c".into(),
            schema: Some(case["schema"].as_str().expect("schema").as_bytes().to_vec()),
            dependencies: subs
                .iter()
                .map(|(n, s)| SchemaNode {
                    name: n.clone(),
                    schema: Some(s.as_str().expect("sub schema").as_bytes().to_vec()),
                    dependencies: Vec::new(),
                })
                .collect(),
        };
        let got = validate_tree(&chart, &values).err().map(|e| e.0);
        let want = case["helm"].as_str().map(String::from);
        let same = match (&got, &want) {
            (None, None) => true,
            (Some(g), Some(w)) => {
                canonical(g) == canonical(w) && g.ends_with('\n') == w.ends_with('\n')
            }
            _ => false,
        };
        if !same {
            failures.push(format!(
                "{name}:\n--- ours\n{}\n--- Helm\n{}",
                got.unwrap_or_default(),
                want.unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn single_schema_api_and_subchart_type_error() {
    let schema = serde_json::json!({"properties": {"a": {"type": "integer"}}});
    let ok = Value::from_json(&serde_json::json!({"a": 1}));
    assert!(validate("x", &schema, &ok).is_ok());
    // --set gives int64, which is an integer too.
    let m = Map::new();
    m.insert("a", Value::Int64(3));
    assert!(validate("x", &schema, &Value::Map(m)).is_ok());
    let bad = Value::from_json(&serde_json::json!({"a": "s"}));
    assert_eq!(
        validate("x", &schema, &bad).unwrap_err().0,
        "x:\n- at '/a': got string, want integer\n"
    );

    // Helm's own wording when a subchart's values are not a map (ValidateAgainstSchema).
    let chart = SchemaNode {
        name: "c".into(),
        schema: None,
        dependencies: vec![SchemaNode {
            name: "sub".into(),
            schema: None,
            dependencies: Vec::new(),
        }],
    };
    let values = Map::new();
    values.insert("sub", Value::from("str"));
    assert_eq!(
        validate_tree(&chart, &values).unwrap_err().0,
        "sub:\ninvalid type for values: expected object (map), got string\n"
    );
    values.insert("sub", Value::Nil);
    assert!(validate_tree(&chart, &values).is_ok());
}
