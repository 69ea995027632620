//! The template engine alone (`gotmpl`): Go's builtin functions only. See `common/template_harness.rs`.
#![no_main]

#[path = "common/template_harness.rs"]
mod harness;

use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

fuzz_target!(|data: &[u8]| {
    static F: OnceLock<Arc<gotmpl::FuncMap>> = OnceLock::new();
    let funcs = F.get_or_init(|| Arc::new(gotmpl::funcs::builtins::builtins()));
    harness::run(data, funcs);
});
