//! Go collection types behind objects (Helm's `.Files` is `map[string][]byte`, `.Capabilities.APIVersions`
//! is `[]string`): Go's `index`/`len` see the underlying map or slice, so the results are those of the same
//! builtins on the plain collection (checked against Helm in builtins_goldens.rs).

use gotmpl::funcs::builtins::{index, length};
use gotmpl::value::gofmt::print_value;
use gotmpl::{Map, Object, Value};
use std::sync::Arc;

#[derive(Debug)]
struct Files(Value);

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn go_format(&self) -> String {
        print_value(&self.0)
    }
    fn to_json(&self) -> serde_json::Value {
        self.0.to_json()
    }
    fn as_collection(&self) -> Option<Value> {
        Some(self.0.clone())
    }
}

#[derive(Debug)]
struct Plain;

impl Object for Plain {
    fn type_name(&self) -> &str {
        "*chart.Metadata"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn go_format(&self) -> String {
        "&{}".to_string()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

#[test]
fn collection_objects_index_and_len_as_their_collection() {
    let m = Map::new();
    m.insert("a.txt", Value::Bytes(Arc::from(b"hi".as_slice())));
    let files = Value::Object(Arc::new(Files(Value::Map(m))));
    assert_eq!(length(&files).ok(), Some(1));
    let got = index(&files, &[Value::from("a.txt")]).map(|v| print_value(&v));
    assert_eq!(got.ok().as_deref(), Some("[104 105]"));
    let got = index(&files, &[Value::from("a.txt"), Value::Int(1)]).map(|v| print_value(&v));
    assert_eq!(got.ok().as_deref(), Some("105"));
}

#[test]
fn plain_objects_are_not_collections() {
    let md = Value::Object(Arc::new(Plain));
    assert_eq!(
        length(&md).err().map(|e| e.0).as_deref(),
        Some("len of type *chart.Metadata")
    );
    let got = index(&md, &[Value::Int(0)]).err().map(|e| e.0);
    assert_eq!(
        got.as_deref(),
        Some("can't index item of type *chart.Metadata")
    );
}
