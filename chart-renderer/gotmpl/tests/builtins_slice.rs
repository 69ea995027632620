//! Go's builtin `slice`. Helm replaces this name with Sprig's `slice`, so Helm cannot serve as the oracle
//! here: the cases follow Go's own `text/template` test table (exec_test.go, "Slicing"), with the error
//! texts of Go 1.26's funcs.go.

use gotmpl::funcs::builtins::slice;
use gotmpl::value::gofmt::print_value;
use gotmpl::Value;

fn si() -> Value {
    Value::list(vec![Value::Int(3), Value::Int(4), Value::Int(5)])
}

fn ok(item: Value, idx: &[i64]) -> String {
    let idx: Vec<Value> = idx.iter().map(|&i| Value::Int(i)).collect();
    match slice(&item, &idx) {
        Ok(v) => print_value(&v),
        Err(e) => panic!("slice {idx:?} failed: {e}"),
    }
}

fn err(item: Value, idx: &[Value]) -> String {
    match slice(&item, idx) {
        Ok(v) => panic!("slice {idx:?} should fail, gave {}", print_value(&v)),
        Err(e) => e.0,
    }
}

#[test]
fn slices_like_go() {
    assert_eq!(ok(si(), &[]), "[3 4 5]");
    assert_eq!(ok(si(), &[1]), "[4 5]");
    assert_eq!(ok(si(), &[1, 2]), "[4]");
    assert_eq!(ok(si(), &[1, 2, 3]), "[4]");
    assert_eq!(ok(si(), &[3]), "[]");
    assert_eq!(ok(Value::from("xyz"), &[]), "xyz");
    assert_eq!(ok(Value::from("xyz"), &[0, 1]), "x");
    assert_eq!(ok(Value::from("xyz"), &[1]), "yz");
    assert_eq!(ok(Value::from("xyz"), &[1, 2]), "y");
    let bytes = Value::Bytes(b"hello".as_slice().into());
    assert_eq!(ok(bytes, &[1, 3]), "[101 108]");
}

#[test]
fn slice_errors_like_go() {
    let i = Value::Int;
    assert_eq!(err(si(), &[i(-1)]), "index out of range: -1");
    assert_eq!(err(si(), &[i(1), i(-2)]), "index out of range: -2");
    assert_eq!(err(si(), &[i(1), i(2), i(-1)]), "index out of range: -1");
    assert_eq!(err(si(), &[i(2), i(1)]), "invalid slice index: 2 > 1");
    assert_eq!(err(si(), &[i(2), i(2), i(1)]), "invalid slice index: 2 > 1");
    assert_eq!(err(si(), &[i(4), i(5)]), "index out of range: 4");
    assert_eq!(err(si(), &[i(2), i(2), i(5)]), "index out of range: 5");
    assert_eq!(
        err(Value::from("xyz"), &[i(1), i(2), i(3)]),
        "cannot 3-index slice a string"
    );
    assert_eq!(
        err(si(), &[i(1), i(2), i(3), i(3)]),
        "too many slice indexes: 4"
    );
    assert_eq!(err(Value::Invalid, &[]), "slice of untyped nil");
    assert_eq!(err(Value::Nil, &[i(1)]), "slice of untyped nil");
    assert_eq!(err(Value::Int(3), &[]), "can't slice item of type int");
    assert_eq!(
        err(Value::empty_map(), &[]),
        "can't slice item of type map[string]interface {}"
    );
    assert_eq!(
        err(si(), &[Value::from("1")]),
        "cannot index slice/array with type string"
    );
    assert_eq!(
        err(si(), &[Value::Nil]),
        "cannot index slice/array with nil"
    );
}
