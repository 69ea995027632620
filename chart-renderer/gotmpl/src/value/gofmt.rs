//! Go's `fmt` as templates use it: `Sprint`, `Sprintln`, `Sprintf` and how `{{ . }}` prints a value.
//! PLACEHOLDER — the fmt work fills this module; the signatures below are the contract.

use super::Value;

/// What an action `{{ x }}` writes for its value (Go's `printValue`: `<no value>` for a missing value,
/// otherwise `fmt.Fprint`).
pub fn print_value(v: &Value) -> String {
    sprint(std::slice::from_ref(v))
}

/// `fmt.Sprint(args...)`.
pub fn sprint(args: &[Value]) -> String {
    let _ = args;
    String::new()
}

/// `fmt.Sprintln(args...)`.
pub fn sprintln(args: &[Value]) -> String {
    let _ = args;
    String::new()
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let _ = args;
    format.to_string()
}
