//! The template engine with Helm's whole function map (Sprig, `include`, `tpl`, `toYaml`, …) as
//! `chart_renderer::render::Renderer` builds it. See `common/template_harness.rs`.
//!
//! Left out, so every input runs in milliseconds: key and certificate generation and the deliberately
//! slow password hashes (seconds per call, not hangs), and `getHostByName` (network).
#![no_main]

#[path = "common/template_harness.rs"]
mod harness;

use chart_renderer::render::Renderer;
use gotmpl::FuncMap;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

const LEFT_OUT: &[&str] = &[
    "bcrypt",
    "htpasswd",
    "derivePassword",
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "getHostByName",
];

fn funcs() -> Arc<FuncMap> {
    let all = Renderer::new().funcs().clone();
    let mut m = FuncMap::new();
    for name in all.names() {
        if let Some(f) = all.get(name) {
            if !LEFT_OUT.contains(&name) {
                m.insert(f.clone());
            }
        }
    }
    Arc::new(m)
}

fuzz_target!(|data: &[u8]| {
    static F: OnceLock<Arc<FuncMap>> = OnceLock::new();
    harness::run(data, F.get_or_init(funcs));
});
