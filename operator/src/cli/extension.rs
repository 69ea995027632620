//! `hoist extension …`: package, push, pull, inspect and lint extension charts.

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use hoist::extension::contract::{Contract, HookAction, Phase};
use hoist::extension::lint::{self, Severity};
use hoist::extension::{self, package, ExtensionStore, LoadedExtension, OciSource};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ExtensionArgs {
    #[command(subcommand)]
    pub command: ExtensionCommand,
}

/// Registry options shared by push, pull, inspect and `template oci://`.
#[derive(Debug, Clone, Args)]
pub struct RegistryArgs {
    /// Use plain HTTP for the registry (local registries only).
    #[arg(long = "plain-http")]
    pub plain_http: bool,
    /// Registry user name.
    #[arg(long = "username", env = "HOIST_REGISTRY_USERNAME")]
    pub username: Option<String>,
    /// Registry password.
    #[arg(
        long = "password",
        env = "HOIST_REGISTRY_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// Extension cache directory (default: $XDG_CACHE_HOME/hoist/extensions).
    #[arg(long = "cache-dir", env = "HOIST_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Bound of the extension cache in bytes.
    #[arg(long = "cache-max-bytes", default_value_t = 1 << 30)]
    pub cache_max_bytes: u64,
}

impl RegistryArgs {
    fn credentials(&self) -> Option<(String, String)> {
        match (&self.username, &self.password) {
            (Some(u), Some(p)) => Some((u.clone(), p.clone())),
            (Some(u), None) => Some((u.clone(), String::new())),
            _ => None,
        }
    }

    fn cache_dir(&self) -> PathBuf {
        if let Some(d) = &self.cache_dir {
            return d.clone();
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        base.join("hoist").join("extensions")
    }

    pub fn store(&self) -> ExtensionStore {
        ExtensionStore::new(self.cache_dir(), self.cache_max_bytes)
    }

    /// `reference` plus `--version` as a tag (Helm's `pull oci://… --version`).
    pub fn source(&self, reference: &str, version: Option<&str>) -> OciSource {
        let mut reference = reference.to_string();
        if let Some(v) = version {
            let last = reference.rsplit('/').next().unwrap_or("");
            if !last.contains(':') && !last.contains('@') {
                reference = format!("{reference}:{}", v.replace('+', "_"));
            }
        }
        OciSource {
            reference,
            plain_http: self.plain_http,
            credentials: self.credentials(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ExtensionCommand {
    /// Package chart directories into `<name>-<version>.tgz` archives, as `helm package` does.
    Package {
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Where to write the archives.
        #[arg(short = 'd', long = "destination", default_value = ".")]
        destination: PathBuf,
    },
    /// Push a chart archive (or a chart directory, packaged on the fly) to `oci://host/repo`.
    Push {
        /// A `.tgz` archive or a chart directory.
        chart: PathBuf,
        /// `oci://host/repo`: the chart goes to `host/repo/<name>:<version>`.
        remote: String,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Pull a chart from a registry into `<name>-<version>.tgz` (verified, through the extension cache).
    #[command(disable_version_flag = true)]
    Pull {
        /// `oci://host/repo/name:tag` or `…@sha256:…`.
        reference: String,
        /// The tag to pull when the reference has none.
        #[arg(long = "version")]
        version: Option<String>,
        /// Where to write the archive.
        #[arg(short = 'd', long = "destination", default_value = ".")]
        destination: PathBuf,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Print an extension's contract: versions, hooks, parameters, kinds, backup, monitoring, TLS.
    #[command(disable_version_flag = true)]
    Inspect {
        /// A chart directory, a `.tgz` archive or an `oci://` reference.
        chart: String,
        #[arg(long = "version")]
        version: Option<String>,
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: InspectFormat,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Check charts against the extension contract (on top of Helm-lint-like basics).
    Lint {
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Fail on warnings too.
        #[arg(long = "strict")]
        strict: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run(args: ExtensionArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ExtensionCommand::Package { dirs, destination } => {
            std::fs::create_dir_all(&destination)
                .with_context(|| format!("cannot create {}", destination.display()))?;
            for dir in dirs {
                let path = package::package_to(&dir, &destination)?;
                println!(
                    "Successfully packaged chart and saved it to: {}",
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ExtensionCommand::Push {
            chart,
            remote,
            registry,
        } => {
            let bytes = if chart.is_dir() {
                package::package_bytes(&chart)?
            } else {
                std::fs::read(&chart).with_context(|| format!("cannot read {}", chart.display()))?
            };
            // Refuse to publish something that is not a valid extension.
            extension::load_archive(&bytes)?;
            let store = registry.store();
            let (reference, digest) = runtime()?.block_on(store.push_archive(
                &bytes,
                &remote,
                registry.plain_http,
                registry.credentials(),
            ))?;
            println!("Pushed: {reference}");
            println!("Digest: {digest}");
            Ok(ExitCode::SUCCESS)
        }
        ExtensionCommand::Pull {
            reference,
            version,
            destination,
            registry,
        } => {
            let src = registry.source(&reference, version.as_deref());
            let store = registry.store();
            let (digest, bytes) = runtime()?.block_on(store.pull_archive(&src))?;
            let ext = extension::load_archive(&bytes)
                .with_context(|| format!("{reference}: pulled chart is not a valid extension"))?;
            let target = destination.join(format!(
                "{}-{}.tgz",
                ext.chart.metadata.name, ext.chart_version
            ));
            extension::cache::write_atomic(&target, &bytes)
                .with_context(|| format!("cannot write {}", target.display()))?;
            println!("Pulled: {}", src.reference.trim_start_matches("oci://"));
            println!("Digest: {digest}");
            println!("Saved: {}", target.display());
            Ok(ExitCode::SUCCESS)
        }
        ExtensionCommand::Inspect {
            chart,
            version,
            output,
            registry,
        } => {
            let ext = load_any(&chart, version.as_deref(), &registry)?;
            match output {
                InspectFormat::Json => {
                    let doc = serde_json::json!({
                        "name": ext.name,
                        "chartVersion": ext.chart_version,
                        "appVersion": ext.chart.metadata.app_version,
                        "digest": ext.digest,
                        "contract": ext.contract,
                    });
                    println!("{}", serde_json::to_string_pretty(&doc)?);
                }
                InspectFormat::Text => print!("{}", describe(&ext, &chart)),
            }
            Ok(ExitCode::SUCCESS)
        }
        ExtensionCommand::Lint { dirs, strict } => {
            let mut failed = 0;
            for dir in &dirs {
                let report = lint::lint_path(dir);
                println!("==> Linting {}", dir.display());
                for m in &report.messages {
                    println!("{m}");
                }
                let fails = report.has_errors()
                    || (strict
                        && report
                            .messages
                            .iter()
                            .any(|m| m.severity == Severity::Warning));
                if fails {
                    failed += 1;
                }
                println!();
            }
            println!("{} chart(s) linted, {failed} chart(s) failed", dirs.len());
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// A chart directory, an archive or an `oci://` reference.
pub fn load_any(
    chart: &str,
    version: Option<&str>,
    registry: &RegistryArgs,
) -> anyhow::Result<std::sync::Arc<LoadedExtension>> {
    if chart.starts_with("oci://") {
        let store = registry.store();
        let src = registry.source(chart, version);
        return Ok(runtime()?.block_on(store.fetch(&src))?);
    }
    let path = Path::new(chart);
    if !path.exists() {
        bail!("{chart}: no such chart directory or archive");
    }
    Ok(std::sync::Arc::new(extension::load_dir(path)?))
}

/// Pads the columns of `rows` to a table.
fn table(out: &mut String, indent: &str, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from(indent);
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ", w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The readable form of a contract.
pub fn describe(ext: &LoadedExtension, source: &str) -> String {
    let c: &Contract = &ext.contract;
    let meta = &ext.chart.metadata;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Extension:   {} (chart {} {}, contract {})",
        ext.name, meta.name, ext.chart_version, c.contract
    );
    let _ = writeln!(o, "Source:      {source}");
    if let Some(d) = &ext.digest {
        let _ = writeln!(o, "Digest:      {d}");
    }
    if !meta.description.is_empty() {
        let _ = writeln!(o, "Description: {}", meta.description);
    }

    let _ = writeln!(o, "\nVersions (default {}):", c.versions.default);
    let rows: Vec<Vec<String>> = c
        .versions
        .versions
        .iter()
        .map(|v| {
            let up = if v.upgrade_to.is_empty() {
                "-".to_string()
            } else {
                v.upgrade_to.join(", ")
            };
            let mut row = vec![
                v.version.clone(),
                v.image.clone(),
                format!("upgrade to: {up}"),
            ];
            if v.deprecated {
                row.push("(deprecated)".into());
            }
            row
        })
        .collect();
    table(&mut o, "  ", &rows);

    if !c.topologies.is_empty() {
        let _ = writeln!(o, "\nTopologies:");
        let rows: Vec<Vec<String>> = c
            .topologies
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    format!("replicas {}..{}", t.replicas.min, t.replicas.max),
                    t.description.clone(),
                ]
            })
            .collect();
        table(&mut o, "  ", &rows);
    }

    let _ = writeln!(o, "\nHooks:");
    if c.hooks.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    let mut rows = Vec::new();
    let mut extras: Vec<(usize, Vec<String>)> = Vec::new();
    for (op, hook) in &c.hooks {
        let (kind, what, target) = match &hook.action {
            HookAction::Exec(e) => (
                "exec",
                format!("{}: {}", e.container, e.command.join(" ")),
                format!(
                    "target {}{}",
                    e.target.as_str(),
                    e.timeout_seconds
                        .map(|t| format!(", timeout {t}s"))
                        .unwrap_or_default()
                ),
            ),
            HookAction::Job(j) => (
                "job",
                j.template.clone(),
                j.timeout_seconds
                    .map(|t| format!("timeout {t}s"))
                    .unwrap_or_default(),
            ),
            HookAction::Signal(s) => (
                "signal",
                format!("{} to {}", s.name, s.container),
                format!("target {}", s.target.as_str()),
            ),
        };
        rows.push(vec![op.to_string(), kind.to_string(), what, target]);
        let mut lines = Vec::new();
        let phases = hook.effective_phases(*op);
        if !phases.is_empty() {
            let names: Vec<&str> = phases
                .iter()
                .map(|p| match p {
                    Phase::Before => "before",
                    Phase::After => "after",
                })
                .collect();
            lines.push(format!("phases: {}", names.join(", ")));
        }
        for p in &hook.params {
            let mut s = format!("param {} ({}", p.name, p.param_type);
            if p.required {
                s.push_str(", required");
            }
            if let Some(d) = &p.default {
                let _ = write!(s, ", default {d}");
            }
            s.push(')');
            if !p.description.is_empty() {
                let _ = write!(s, ": {}", p.description);
            }
            lines.push(s);
        }
        if !lines.is_empty() {
            extras.push((rows.len() - 1, lines));
        }
    }
    // Print the table, with each hook's phases/params under it.
    let mut table_text = String::new();
    table(&mut table_text, "  ", &rows);
    for (i, line) in table_text.lines().enumerate() {
        let _ = writeln!(o, "{line}");
        if let Some((_, lines)) = extras.iter().find(|(r, _)| *r == i) {
            for l in lines {
                let _ = writeln!(o, "      {l}");
            }
        }
    }

    let _ = writeln!(o, "\nParameters (spec.config):");
    if c.parameters.is_empty() {
        let _ = writeln!(o, "  (none)");
    } else {
        let mut rows = vec![vec![
            "NAME".to_string(),
            "TYPE".into(),
            "APPLY".into(),
            "FILE".into(),
            "CONSTRAINTS".into(),
        ]];
        for p in &c.parameters {
            let mut cons = Vec::new();
            match (p.minimum, p.maximum) {
                (Some(a), Some(b)) => cons.push(format!("{}..{}", fmt_num(a), fmt_num(b))),
                (Some(a), None) => cons.push(format!(">= {}", fmt_num(a))),
                (None, Some(b)) => cons.push(format!("<= {}", fmt_num(b))),
                _ => {}
            }
            if let Some(e) = &p.enum_values {
                let vals: Vec<String> = e
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(String::from)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect();
                cons.push(format!("one of {}", vals.join("|")));
            }
            if let Some(pat) = &p.pattern {
                cons.push(format!("pattern {pat}"));
            }
            if let Some(d) = &p.default {
                cons.push(format!("default {d}"));
            }
            let ty = serde_json::to_value(p.param_type)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let apply = serde_json::to_value(p.apply)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            rows.push(vec![
                p.name.clone(),
                ty,
                apply,
                p.file.clone(),
                cons.join(", "),
            ]);
        }
        table(&mut o, "  ", &rows);
    }

    let _ = writeln!(o, "\nAllowed kinds:");
    let rows: Vec<Vec<String>> = c
        .allowed_kinds
        .iter()
        .map(|k| {
            let mut r = vec![k.api_version.clone(), k.kind.clone()];
            if k.cluster_scoped {
                r.push("(cluster-scoped)".into());
            }
            r
        })
        .collect();
    table(&mut o, "  ", &rows);

    let _ = writeln!(o, "\nBackup:");
    match &c.backup {
        None => {
            let _ = writeln!(o, "  (not supported)");
        }
        Some(b) => {
            for m in &b.methods {
                let kind = serde_json::to_value(m.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "  method {} ({kind}): hook {}, {} [{}] to {}",
                    m.name,
                    m.hook,
                    m.artifact.format,
                    m.artifact.files.join(", "),
                    m.artifact.location
                );
                if let Some(req) = &m.requires {
                    for (k, v) in &req.config {
                        let _ = writeln!(o, "      requires config {k}={v}");
                    }
                }
                if !m.description.is_empty() {
                    let _ = writeln!(o, "      {}", m.description);
                }
            }
            let _ = writeln!(
                o,
                "  restore: hook {}, instance {}, point-in-time {}",
                b.restore.hook,
                b.restore.into,
                if b.restore.point_in_time { "yes" } else { "no" }
            );
            if !b.restore.description.is_empty() {
                let _ = writeln!(o, "      {}", b.restore.description);
            }
        }
    }

    let _ = writeln!(o, "\nMonitoring:");
    match &c.monitoring {
        None => {
            let _ = writeln!(o, "  (none)");
        }
        Some(m) => {
            let _ = writeln!(
                o,
                "  metrics: container {}, port {}{}, path {}",
                m.metrics.container,
                m.metrics.port,
                m.metrics
                    .port_name
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
                m.metrics.path
            );
            let _ = writeln!(o, "  alerts:");
            let rows: Vec<Vec<String>> = m
                .alerts
                .iter()
                .map(|a| {
                    let threshold = a
                        .threshold
                        .map(|t| {
                            format!(
                                "threshold {}{}",
                                fmt_num(t),
                                a.unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
                            )
                        })
                        .unwrap_or_else(|| "-".into());
                    let f = a
                        .for_duration
                        .as_ref()
                        .map(|f| format!("for {f}"))
                        .unwrap_or_else(|| "-".into());
                    vec![
                        a.name.clone(),
                        a.severity.clone(),
                        threshold,
                        f,
                        a.description.clone(),
                    ]
                })
                .collect();
            table(&mut o, "    ", &rows);
        }
    }

    let _ = writeln!(o, "\nTLS:");
    match &c.tls {
        None => {
            let _ = writeln!(o, "  (not supported)");
        }
        Some(t) => {
            let _ = writeln!(
                o,
                "  secret keys: cert {}, key {}, ca {}",
                t.secret_keys.cert, t.secret_keys.key, t.secret_keys.ca
            );
            let _ = writeln!(
                o,
                "  mounted at {} in {}",
                t.mount_path,
                t.containers.join(", ")
            );
            let _ = writeln!(
                o,
                "  client auth: {}",
                t.client_auth.as_deref().unwrap_or("none")
            );
            if !t.dns_names.is_empty() {
                let _ = writeln!(o, "  DNS names: {}", t.dns_names.join(", "));
            }
            if !t.description.is_empty() {
                let _ = writeln!(o, "  {}", t.description);
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::super::Cli::command().debug_assert();
    }
}
