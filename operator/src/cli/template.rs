//! `hoist template [NAME] CHART`: `helm template` with Hoist's renderer, flag for flag where it matters,
//! plus `--output json` (the raw {template path → text} map that Helm's engine returns).

use chart_renderer::manifests::{self, TemplateOutputOptions};
use chart_renderer::render::{self, ReleaseOptions, RenderOptions};
use chart_renderer::user_values::{ValueOptions, ValueSource};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// What `helm template` prints.
    Yaml,
    /// The engine's map of template path to rendered text, as JSON.
    Json,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: the release name (default `release-name`) and a chart directory or `.tgz` archive.
    #[arg(value_name = "[NAME] CHART", num_args = 1..=2, required = true)]
    pub positional: Vec<String>,

    /// Values files (can be given several times or comma-separated).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<PathBuf>,
    /// Set values on the command line (`a.b=c,d=e`).
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// Set STRING values on the command line.
    #[arg(long = "set-string")]
    pub set_string: Vec<String>,
    /// Set JSON values on the command line (`a=[1,2]` or a whole JSON object).
    #[arg(long = "set-json")]
    pub set_json: Vec<String>,
    /// Set values from files (`key=path`).
    #[arg(long = "set-file")]
    pub set_file: Vec<String>,
    /// Set a literal STRING value (no escaping, no splitting).
    #[arg(long = "set-literal")]
    pub set_literal: Vec<String>,

    /// Namespace of the release.
    #[arg(
        short = 'n',
        long = "namespace",
        env = "HELM_NAMESPACE",
        default_value = "default"
    )]
    pub namespace: String,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long = "kube-version")]
    pub kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (repeatable, comma-separated).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// Include the charts' `crds/` in the output.
    #[arg(long = "include-crds")]
    pub include_crds: bool,
    /// Leave test hooks out of the output.
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,
    /// Leave all hooks out of the output.
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Only show manifests rendered from these templates (globs, repeatable).
    #[arg(short = 's', long = "show-only")]
    pub show_only: Vec<String>,
    /// Write each template to a file under this directory instead of stdout.
    #[arg(long = "output-dir")]
    pub output_dir: Option<PathBuf>,
    /// With --output-dir: put files under a directory named after the release.
    #[arg(long = "release-name")]
    pub use_release_name: bool,
    /// Set `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,
    /// Fail on values a template references but that are not set (missingkey=error).
    #[arg(long = "strict")]
    pub strict: bool,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "yaml")]
    pub output: OutputFormat,
    /// With an `oci://` chart: the tag to pull when the reference has none (Helm's `--version`).
    #[arg(long = "version")]
    pub version: Option<String>,
    /// Registry options for an `oci://` chart.
    #[command(flatten)]
    pub registry: super::extension::RegistryArgs,
}

impl TemplateArgs {
    fn release_and_chart(&self) -> (String, String) {
        match self.positional.as_slice() {
            [chart] => ("release-name".to_string(), chart.clone()),
            [name, chart, ..] => (name.clone(), chart.clone()),
            [] => ("release-name".to_string(), String::new()),
        }
    }

    fn value_options(&self) -> ValueOptions {
        ValueOptions {
            value_files: self.values.iter().cloned().map(ValueSource::File).collect(),
            json_values: self.set_json.clone(),
            values: self.set.clone(),
            string_values: self.set_string.clone(),
            file_values: self.set_file.clone(),
            literal_values: self.set_literal.clone(),
        }
    }
}

pub fn run(args: TemplateArgs) -> anyhow::Result<ExitCode> {
    let (release_name, chart_ref) = args.release_and_chart();
    let chart = if chart_ref.starts_with("oci://") {
        // Straight from the registry, verified and through the extension cache. Any Helm chart works here,
        // not only extensions: the contract is not required to render.
        let src = args.registry.source(&chart_ref, args.version.as_deref());
        let store = args.registry.store();
        let (_, bytes) = super::extension::runtime()?.block_on(store.pull_archive(&src))?;
        chart_renderer::chart::Chart::from_archive_bytes(&bytes)?
    } else {
        chart_renderer::chart::Chart::load(&chart_ref)?
    };
    let user_values = args.value_options().merge()?;
    let opts = RenderOptions {
        release: ReleaseOptions {
            name: release_name.clone(),
            namespace: args.namespace.clone(),
            revision: 1,
            is_install: !args.is_upgrade,
            is_upgrade: args.is_upgrade,
        },
        kube_version: args.kube_version.clone(),
        extra_api_versions: args.api_versions.clone(),
        strict: args.strict,
        ..RenderOptions::default()
    };
    let rendered = render::render(&chart, &user_values, &opts)?;

    let mut stdout = std::io::stdout().lock();
    if args.output == OutputFormat::Json {
        serde_json::to_writer(&mut stdout, &rendered.files)?;
        writeln!(stdout)?;
        return Ok(ExitCode::SUCCESS);
    }

    let files = rendered.manifests_without_notes();
    let out_opts = TemplateOutputOptions {
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        no_hooks: args.no_hooks,
    };
    if let Some(dir) = &args.output_dir {
        let dir = if args.use_release_name {
            dir.join(&release_name)
        } else {
            dir.clone()
        };
        for (path, content) in manifests::output_files(&files, &rendered.crds, &out_opts)? {
            let target = dir.join(&path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let existed = target.exists();
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(existed)
                .write(true)
                .truncate(!existed)
                .open(&target)?;
            write!(f, "---\n# Source: {path}\n{content}\n")?;
            println!("wrote {}", target.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let text = manifests::template_output(&files, &rendered.crds, &out_opts)?;
    if args.show_only.is_empty() {
        stdout.write_all(text.as_bytes())?;
    } else {
        let selected = manifests::show_only(&text, &args.show_only).map_err(anyhow::Error::msg)?;
        stdout.write_all(selected.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
