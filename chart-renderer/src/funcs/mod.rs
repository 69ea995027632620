//! Helm v4's template function map: Sprig's text functions minus the ones Helm removes, plus Helm's own.
//! Each module registers its functions into one [`FuncMap`]; `docs/renderer.md` lists them all.

use gotmpl::FuncMap;

pub mod args;
pub mod crypto;
pub mod encoding;
pub mod random;
pub mod serialize;
pub mod sprig_conv;
pub mod sprig_date;
pub mod sprig_dicts;
pub mod sprig_flow;
pub mod sprig_lists;
pub mod sprig_math;
pub mod sprig_regex;
pub mod sprig_semver;
pub mod sprig_strings;
pub mod sprig_url;

/// Every function Helm offers a template except the engine-bound ones (`include`, `tpl`, `required`,
/// `lookup`, `fail` …) that [`crate::render`] adds with access to the running engine.
pub fn helm_funcs() -> FuncMap {
    let mut m = gotmpl::funcs::builtins::builtins();
    sprig_strings::register(&mut m);
    sprig_lists::register(&mut m);
    sprig_dicts::register(&mut m);
    sprig_flow::register(&mut m);
    sprig_math::register(&mut m);
    sprig_conv::register(&mut m);
    sprig_regex::register(&mut m);
    sprig_semver::register(&mut m);
    sprig_date::register(&mut m);
    sprig_url::register(&mut m);
    encoding::register(&mut m);
    crypto::register(&mut m);
    random::register(&mut m);
    serialize::register(&mut m);
    m
}
