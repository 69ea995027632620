//! What Helm does with rendered files before anything is applied or printed: split each file into YAML
//! documents, separate hooks (`helm.sh/hook` annotations) from plain manifests, and order both by kind in
//! Helm's install order. `helm template`'s stdout is built from the result ([`template_output`]).
//!
//! Behaviour follows Helm v4's `pkg/release/v1/util` (SplitManifests, SortManifests, InstallOrder) and
//! `pkg/action` (renderResources, the template command).

use gotmpl::Value;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Helm's install order of kinds; unknown kinds go last, alphabetically by kind.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Helm's hook events (`helm.sh/hook` values); `test-success` is Helm 2's name for `test`.
const HOOK_EVENTS: &[(&str, &str)] = &[
    ("pre-install", "pre-install"),
    ("post-install", "post-install"),
    ("pre-delete", "pre-delete"),
    ("post-delete", "post-delete"),
    ("pre-upgrade", "pre-upgrade"),
    ("post-upgrade", "post-upgrade"),
    ("pre-rollback", "pre-rollback"),
    ("post-rollback", "post-rollback"),
    ("test", "test"),
    ("test-success", "test"),
];

pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";

/// The head of a manifest: just what sorting needs (Helm's `SimpleHead`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManifestHead {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub annotations: BTreeMap<String, String>,
}

/// One YAML document of a rendered file that is not a hook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The template path it came from, e.g. `mychart/templates/service.yaml`.
    pub source: String,
    pub content: String,
    pub head: ManifestHead,
}

/// One YAML document carrying a `helm.sh/hook` annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    pub name: String,
    pub kind: String,
    pub source: String,
    pub content: String,
    /// Normalised event names (`pre-install`, `test`, …).
    pub events: Vec<String>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("YAML parse error on {path}: {message}")]
    Yaml { path: String, message: String },
}

fn separator() -> &'static Regex {
    static SEP: OnceLock<Regex> = OnceLock::new();
    // Go's RE2 `\s` is ASCII whitespace only, so spell the class out rather than use Rust's Unicode `\s`.
    SEP.get_or_init(
        || match Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*") {
            Ok(re) => re,
            Err(e) => unreachable!("constant regex is valid: {e}"),
        },
    )
}

/// Splits a stream of YAML documents at `---` lines the way Helm's `SplitManifests` does: leading white
/// space trimmed, empty documents dropped, order kept.
pub fn split_manifests(big: &str) -> Vec<String> {
    let trimmed = big.trim_start();
    separator()
        .split(trimmed)
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim_start().to_string())
        .collect()
}

fn head_of(path: &str, doc: &str) -> Result<ManifestHead, ManifestError> {
    let value = crate::yaml::from_str(doc).map_err(|e| ManifestError::Yaml {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    let mut head = ManifestHead::default();
    let Value::Map(map) = value else {
        return Ok(head);
    };
    let string_at = |v: Option<Value>| match v {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    head.api_version = string_at(map.get("apiVersion"));
    head.kind = string_at(map.get("kind"));
    if let Some(Value::Map(meta)) = map.get("metadata") {
        head.name = string_at(meta.get("name"));
        if let Some(Value::Map(ann)) = meta.get("annotations") {
            for (k, v) in ann.entries() {
                // Helm decodes annotations as map[string]string; non-string values fail there, and a
                // chart with them fails at apply anyway, so printing them is enough here.
                let text = match v {
                    Value::String(s) => s.to_string(),
                    other => gotmpl::value::gofmt::print_value(&other),
                };
                head.annotations.insert(k, text);
            }
        }
    }
    Ok(head)
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Helm's `lessByKind`: known kinds by install order, unknown kinds last and alphabetical; stable.
fn kind_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (kind_rank(a), kind_rank(b)) {
        (None, None) => a.cmp(b),
        (None, Some(_)) => Greater,
        (Some(_), None) => Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

/// Helm's `SortManifests` with the install order: files in path order, documents in file order, partials
/// and blank files skipped, hooks separated (unknown hook events drop the document, as Helm does), then a
/// stable sort by kind.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), ManifestError> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = head_of(path, &doc)?;
            let Some(hook_types) = head.annotations.get(HOOK_ANNOTATION).cloned() else {
                generic.push(Manifest {
                    source: path.clone(),
                    content: doc,
                    head,
                });
                continue;
            };
            let mut events = Vec::new();
            let mut unknown = false;
            for t in hook_types.split(',') {
                let t = t.trim().to_lowercase();
                match HOOK_EVENTS.iter().find(|(name, _)| *name == t) {
                    Some((_, event)) => events.push(event.to_string()),
                    None => {
                        unknown = true;
                        break;
                    }
                }
            }
            if unknown {
                tracing::info!(hook_types = %hook_types, path = %path, "skipping unknown hooks");
                continue;
            }
            let weight = head
                .annotations
                .get(HOOK_WEIGHT_ANNOTATION)
                .and_then(|w| w.parse::<i64>().ok())
                .unwrap_or(0);
            let delete_policies = head
                .annotations
                .get(HOOK_DELETE_ANNOTATION)
                .map(|p| p.split(',').map(|x| x.trim().to_lowercase()).collect())
                .unwrap_or_default();
            hooks.push(Hook {
                name: head.name.clone(),
                kind: head.kind.clone(),
                source: path.clone(),
                content: doc,
                events,
                weight,
                delete_policies,
            });
        }
    }
    hooks.sort_by(|a, b| kind_order(&a.kind, &b.kind));
    generic.sort_by(|a, b| kind_order(&a.head.kind, &b.head.kind));
    Ok((hooks, generic))
}

/// Options of `helm template`'s output that do not affect rendering.
#[derive(Clone, Debug, Default)]
pub struct TemplateOutputOptions {
    /// `--include-crds`: print the charts' `crds/` files first.
    pub include_crds: bool,
    /// `--skip-tests`: leave out hooks with the `test` event.
    pub skip_tests: bool,
    /// `--no-hooks`: leave out all hooks.
    pub no_hooks: bool,
}

/// A CRD file from a chart's `crds/` directory, with the path Helm prints (`chart/crds/x.yaml`).
#[derive(Clone, Debug)]
pub struct CrdFile {
    pub path: String,
    pub content: String,
}

/// Builds exactly what `helm template` prints for rendered `files` (NOTES.txt already removed): CRDs
/// (when asked), the sorted manifests as `---\n# Source: PATH\nDOC\n`, trimmed, then the hooks.
pub fn template_output(
    files: &BTreeMap<String, String>,
    crds: &[CrdFile],
    opts: &TemplateOutputOptions,
) -> Result<String, ManifestError> {
    let (hooks, manifests) = sort_manifests(files)?;
    let mut doc = String::new();
    if opts.include_crds {
        for crd in crds {
            doc.push_str(&format!("---\n# Source: {}\n{}\n", crd.path, crd.content));
        }
    }
    for m in &manifests {
        doc.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
    }
    // `fmt.Fprintln(&manifests, strings.TrimSpace(rel.Manifest))` in Helm's template command.
    let mut out = String::with_capacity(doc.len() + 1);
    out.push_str(doc.trim());
    out.push('\n');
    if !opts.no_hooks {
        for h in &hooks {
            if opts.skip_tests && h.events.iter().any(|e| e == "test") {
                continue;
            }
            out.push_str(&format!("---\n# Source: {}\n{}\n", h.source, h.content));
        }
    }
    Ok(out)
}

/// The (source path, document) pairs `helm template --output-dir` writes, in order: CRDs when asked,
/// manifests, then hooks. Several documents of one source are appended to the same file by the caller.
pub fn output_files(
    files: &BTreeMap<String, String>,
    crds: &[CrdFile],
    opts: &TemplateOutputOptions,
) -> Result<Vec<(String, String)>, ManifestError> {
    let (hooks, manifests) = sort_manifests(files)?;
    let mut out = Vec::new();
    if opts.include_crds {
        out.extend(crds.iter().map(|c| (c.path.clone(), c.content.clone())));
    }
    out.extend(manifests.into_iter().map(|m| (m.source, m.content)));
    if !opts.no_hooks {
        for h in hooks {
            if opts.skip_tests && h.events.iter().any(|e| e == "test") {
                continue;
            }
            out.push((h.source, h.content));
        }
    }
    Ok(out)
}

/// Helm's `--show-only` selection: re-split the whole output, keep the documents whose `# Source:` path
/// (without the top chart's name) matches one of the globs, in the order of the globs.
pub fn show_only(output: &str, patterns: &[String]) -> Result<String, String> {
    let docs = split_manifests(output);
    let mut out = String::new();
    for pat in patterns {
        let pat = pat.replace('\\', "/");
        let matcher = glob::Pattern::new(&pat).map_err(|e| format!("bad pattern {pat}: {e}"))?;
        let mut found = false;
        for d in &docs {
            let Some(rest) = d.lines().find_map(|l| l.strip_prefix("# Source: ")) else {
                continue;
            };
            // Go regexp `# Source: [^/]+/(.+)` on the document: drop the chart name.
            let Some((_, manifest_path)) = rest.split_once('/') else {
                continue;
            };
            let opts = glob::MatchOptions {
                case_sensitive: true,
                require_literal_separator: true,
                require_literal_leading_dot: false,
            };
            if matcher.matches_with(manifest_path, opts) {
                out.push_str(&format!("---\n{d}\n"));
                found = true;
            }
        }
        if !found {
            return Err(format!("could not find template {pat} in chart"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_drops_empty_documents_and_leading_space() {
        let docs = split_manifests("\n\n---\na: 1\n---\nb: 2\n");
        assert_eq!(docs, vec!["a: 1".to_string(), "b: 2\n".to_string()]);
    }

    #[test]
    fn split_matches_go_when_separators_share_a_newline() {
        // The separator after `a: 1` eats the blank line, so the next `---` has no newline of its own
        // before it and stays in the document: Go's regexp.Split gives the same.
        let docs = split_manifests("---\na: 1\n---\n\n---   \nb: 2\n");
        assert_eq!(docs, vec!["a: 1".to_string(), "---   \nb: 2\n".to_string()]);
    }

    #[test]
    fn split_needs_dashes_at_line_start() {
        let docs = split_manifests("a: x---y\n---\nb: 1");
        assert_eq!(docs, vec!["a: x---y".to_string(), "b: 1".to_string()]);
    }

    #[test]
    fn kinds_sort_by_install_order_then_unknown_alphabetically() {
        let mut kinds = vec![
            "Zeta",
            "Deployment",
            "Alpha",
            "Service",
            "Secret",
            "Namespace",
        ];
        kinds.sort_by(|a, b| kind_order(a, b));
        assert_eq!(
            kinds,
            vec![
                "Namespace",
                "Secret",
                "Service",
                "Deployment",
                "Alpha",
                "Zeta"
            ]
        );
    }
}
