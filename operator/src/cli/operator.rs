//! `hoist operator …`: run the operator, or print the CRDs it serves.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct OperatorArgs {
    #[command(subcommand)]
    pub command: Option<OperatorCommand>,
}

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Print the CustomResourceDefinitions of the Hoist API (`kubectl apply -f -` installs them).
    Crds(CrdsArgs),
}

#[derive(Debug, Args)]
pub struct CrdsArgs {
    /// Write one file per CRD (`<plural>.<group>.yaml`) into this directory instead of printing them.
    #[arg(long = "output-dir")]
    pub output_dir: Option<PathBuf>,
}

pub fn run(args: OperatorArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(OperatorCommand::Crds(a)) => crds(a),
        None => anyhow::bail!(
            "`hoist operator` without a subcommand is not available yet; try `hoist operator crds`"
        ),
    }
}

fn crds(args: CrdsArgs) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    for crd in hoist::api::crds() {
        let text = hoist::api::crd_yaml(&crd).map_err(anyhow::Error::msg)?;
        match &args.output_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                let path = dir.join(hoist::api::crd_file_name(&crd));
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            None => out.push_str(&text),
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
