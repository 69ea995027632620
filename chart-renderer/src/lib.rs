//! `chart-renderer`: Helm v4's rendering semantics on top of the [`gotmpl`] engine.
//!
//! - [`chart`] / [`loader`]: the chart model, loaded from a directory or a `helm package` archive;
//! - [`deps`]: dependency processing (conditions, tags, aliases, import-values);
//! - [`objects`]: `.Files`, `.Capabilities`, `.Release`, `.Chart` and the per-chart template contexts;
//! - [`yaml`]: YAML as Helm reads (yaml.v2 via JSON) and writes it;
//! - [`values`] / [`strvals`] / [`schema`]: values as Helm computes and validates them;
//! - [`funcs`]: Sprig's and Helm's template functions;
//! - [`render`]: the engine (template set, `include`/`tpl`, `<no value>` stripping, errors, ordering).

pub mod chart;
pub mod deps;
pub mod funcs;
pub mod loader;
pub mod manifests;
pub mod objects;
pub mod render;
pub mod schema;
pub mod strvals;
pub mod user_values;
pub mod values;
pub mod yaml;
