//! Kubernetes API-server test double for Hoist's tests (work in progress: see README.md).
//!
//! So far only the building blocks exist: the served resource table and discovery documents
//! ([`resources`]) and field-path / server-side-apply / strategic-merge / pruning helpers
//! ([`fields`]). The HTTP server itself is not written yet.

pub mod fields;
pub mod resources;
