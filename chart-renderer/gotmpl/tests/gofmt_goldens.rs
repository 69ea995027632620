//! `sprintf`/`sprint`/`sprintln` against Helm's engine: every verb × flags × value kind, the directive
//! parser's error forms, and random floats. Expected outputs come from Helm v4.2.3 (Go 1.26) through
//! `hack/gotmpl_goldens.py`, which rendered `{{ printf … }}` / `{{ print … }}` for each case.

mod common;

use gotmpl::value::gofmt;

#[test]
fn printf_print_println_match_helm() {
    let cases = common::load(include_str!("data/gofmt_goldens.json"));
    assert!(cases.len() > 5000, "golden file looks truncated");
    let mut failures = Vec::new();
    for c in &cases {
        let got = match c.func.as_str() {
            "printf" => gofmt::sprintf(c.format.as_deref().unwrap_or_default(), &c.args),
            "print" => gofmt::sprint(&c.args),
            "println" => gofmt::sprintln(&c.args),
            other => panic!("unexpected function {other}"),
        };
        let got = common::helm_strip(&got);
        let want = c.want.as_deref().unwrap_or_default();
        if got != want {
            failures.push(format!("{}\n    got  {got:?}\n    want {want:?}", c.raw));
        }
    }
    common::report(&failures, cases.len());
}
