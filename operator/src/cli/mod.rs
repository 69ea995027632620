//! Command-line definition and dispatch.

mod extension;
mod operator;
mod render;
mod template;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Hoist: middleware on Kubernetes, from extension charts.
#[derive(Debug, Parser)]
#[command(name = "hoist", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the manifests the operator would apply for `Middleware` objects (no cluster needed).
    Render(render::RenderArgs),
    /// Run the operator (in-cluster, or with KUBECONFIG), or print its CRDs (`hoist operator crds`).
    Operator(operator::OperatorArgs),
    /// Render a Helm chart locally, exactly as `helm template` does (Hoist's in-process renderer).
    #[command(disable_version_flag = true)]
    Template(Box<template::TemplateArgs>),
    /// Package, push, pull, inspect and lint extension charts.
    Extension(extension::ExtensionArgs),
}

pub fn run() -> anyhow::Result<ExitCode> {
    // `kubectl hoist …` runs this binary as `kubectl-hoist`; clap takes the name from argv[0].
    let cli = Cli::parse();
    match cli.command {
        Command::Operator(args) => operator::run(args),
        Command::Render(args) => render::run(args),
        Command::Template(args) => template::run(*args),
        Command::Extension(args) => extension::run(args),
    }
}
