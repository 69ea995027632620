//! `hoist render FILE…`: the manifests the operator would apply for each `Middleware` in the files,
//! rendered with the extension charts of a local directory (no cluster needed). Same values mapping and
//! renderer as the operator (`crate::middleware`, `chart_renderer::render`).

use anyhow::{anyhow, bail, Context};
use chart_renderer::chart::Chart;
use chart_renderer::manifests::{self, TemplateOutputOptions};
use chart_renderer::render::{ReleaseOptions, RenderOptions, Renderer};
use clap::Args;
use gotmpl::Value;
use hoist::middleware::{self, Middleware};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Files with one or more `Middleware` objects (`-` reads standard input).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// Directory holding one extension chart per middleware type (`<dir>/<type>/Chart.yaml`).
    #[arg(
        long = "extensions-dir",
        env = "HOIST_EXTENSIONS_DIR",
        default_value = "extension-charts"
    )]
    pub extensions_dir: PathBuf,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long = "kube-version")]
    pub kube_version: Option<String>,
    /// Print the values each `Middleware` renders with (JSON, one object per line) instead of manifests.
    #[arg(long = "print-values")]
    pub print_values: bool,
}

fn read_input(file: &str) -> anyhow::Result<String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        return Ok(s);
    }
    std::fs::read_to_string(file).with_context(|| format!("reading {file}"))
}

pub fn run(args: RenderArgs) -> anyhow::Result<ExitCode> {
    let renderer = Renderer::new();
    let mut charts: HashMap<String, Arc<Chart>> = HashMap::new();
    let mut out = String::new();
    for file in &args.files {
        let text = read_input(file)?;
        let docs =
            chart_renderer::yaml::from_str_multi(&text).map_err(|e| anyhow!("{file}: {e}"))?;
        for doc in docs.into_iter().filter(|d| !d.is_nil_or_invalid()) {
            let mw = Middleware::from_json(doc.to_json()).with_context(|| format!("in {file}"))?;
            let chart = match charts.get(&mw.spec.type_) {
                Some(c) => c.clone(),
                None => {
                    let dir = args.extensions_dir.join(&mw.spec.type_);
                    if !dir.join("Chart.yaml").exists() {
                        bail!(
                            "{}: spec.type {:?}: no extension chart at {} (known types are the directories of {})",
                            mw.describe(),
                            mw.spec.type_,
                            dir.display(),
                            args.extensions_dir.display()
                        );
                    }
                    let c = Chart::load(&dir)
                        .with_context(|| format!("loading extension {}", dir.display()))?;
                    charts.insert(mw.spec.type_.clone(), c.clone());
                    c
                }
            };
            let values = middleware::instance_values(&mw, &chart)?;
            if args.print_values {
                out.push_str(&Value::Map(values).to_json().to_string());
                out.push('\n');
                continue;
            }
            let opts = RenderOptions {
                release: ReleaseOptions {
                    name: mw.name().to_string(),
                    namespace: mw.namespace().to_string(),
                    revision: 1,
                    is_install: true,
                    is_upgrade: false,
                },
                kube_version: args.kube_version.clone(),
                ..RenderOptions::default()
            };
            let rendered = renderer.render(&chart, &values, &opts).map_err(|e| {
                anyhow!(
                    "{}: rendering extension {}: {e}",
                    mw.describe(),
                    mw.spec.type_
                )
            })?;
            let text = manifests::template_output(
                &rendered.manifests_without_notes(),
                &[],
                &TemplateOutputOptions {
                    no_hooks: true,
                    ..Default::default()
                },
            )?;
            out.push_str(&format!(
                "# {} ({} {})\n",
                mw.describe(),
                mw.spec.type_,
                chart.metadata.version
            ));
            out.push_str(&text);
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
