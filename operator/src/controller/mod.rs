//! The controllers: Middleware and MiddlewareExtension reconcilers and the pieces they share.

pub mod plan;
