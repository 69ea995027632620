//! Hoist's operator crate: the `Middleware` API and how it maps onto extension charts. The `hoist`
//! binary (`src/main.rs`) is a thin command-line front over this library and `chart-renderer`.

pub mod api;
pub mod controller;
pub mod extension;
pub mod middleware;
