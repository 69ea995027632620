//! Loading charts from a directory or a `helm package` archive, as Helm v4's `pkg/chart/v2/loader` does,
//! with `.helmignore` (`pkg/ignore`) and stricter security limits.
//!
//! Differences from Helm, on purpose: symlinks that resolve outside the chart directory, and link entries
//! inside archives, are refused (Helm follows/accepts them); the number of files and the subchart nesting
//! depth are capped; a directory chart's total size is capped like an archive's. Subcharts are ordered by
//! their name under `charts/` (Helm iterates a Go map, i.e. randomly).

use crate::chart::{Chart, File, Metadata, ValidationError, API_VERSION_V1};
use gotmpl::{Map, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Size and count limits for loading. The defaults are Helm's (5 MiB per file, 100 MiB per chart) plus
/// caps Helm does not have.
#[derive(Clone, Debug)]
pub struct LoadLimits {
    /// Largest single (decompressed) file.
    pub max_file_size: u64,
    /// Largest total (decompressed) size of one chart archive or directory, subcharts included.
    pub max_chart_size: u64,
    /// Most files in one chart archive or directory.
    pub max_files: usize,
    /// Deepest nesting of subcharts (`charts/a/charts/b/…`).
    pub max_depth: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_file_size: 5 * 1024 * 1024,
            max_chart_size: 100 * 1024 * 1024,
            max_files: 10_000,
            max_depth: 32,
        }
    }
}

/// Why a chart could not be loaded. Messages follow Helm's where Helm has one.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("Chart.yaml file is missing")]
    MissingChartYaml,
    #[error("cannot load {file}: {message}")]
    BadFile { file: String, message: String },
    #[error("error unpacking subchart {sub} in {parent}: {source}")]
    Subchart {
        sub: String,
        parent: String,
        source: Box<LoadError>,
    },
    #[error("error unpacking subchart tar in {parent}: expected {expected}, got {got}")]
    SubchartTarName {
        parent: String,
        expected: String,
        got: String,
    },
    /// Archive problems: traversal, absolute paths, sizes, corrupt data (Helm's wording).
    #[error("{0}")]
    Archive(String),
    /// Directory problems: symlinks escaping the chart, irregular files, sizes.
    #[error("{0}")]
    Directory(String),
    #[error("{0}")]
    Ignore(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A file read from a chart before it is classified (Helm's `archive.BufferedFile`).
#[derive(Clone, Debug)]
pub struct BufferedFile {
    pub name: String,
    pub data: Vec<u8>,
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(UTF8_BOM) {
        data.drain(..UTF8_BOM.len());
    }
    data
}

impl Chart {
    /// Loads a chart from a directory or a `.tgz` file with the default limits.
    pub fn load(path: impl AsRef<Path>) -> Result<Arc<Chart>, LoadError> {
        load_with(path.as_ref(), &LoadLimits::default())
    }

    /// Loads a chart from the bytes of a `helm package` archive with the default limits.
    pub fn from_archive_bytes(bytes: &[u8]) -> Result<Arc<Chart>, LoadError> {
        load_archive(bytes, &LoadLimits::default(), 0).map(Arc::new)
    }
}

/// [`Chart::load`] with explicit limits.
pub fn load_with(path: &Path, limits: &LoadLimits) -> Result<Arc<Chart>, LoadError> {
    let meta = std::fs::metadata(path).map_err(io_err(path))?;
    if meta.is_dir() {
        return load_dir(path, limits).map(Arc::new);
    }
    if meta.len() > limits.max_chart_size {
        return Err(LoadError::Archive(format!(
            "file '{}' is larger than the maximum chart size {}",
            path.display(),
            limits.max_chart_size
        )));
    }
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    ensure_archive(&path.display().to_string(), &bytes)?;
    load_archive(&bytes, limits, 0).map(Arc::new)
}

/// Helm's `EnsureArchive`: a friendlier error when the file is not gzip at all, naming what it looks like.
fn ensure_archive(name: &str, bytes: &[u8]) -> Result<(), LoadError> {
    if bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
        return Ok(());
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return Err(LoadError::Archive(format!(
            "file '{name}' seems to be a YAML file, but expected a gzipped archive"
        )));
    }
    Err(LoadError::Archive(format!(
        "file '{name}' does not appear to be a gzipped archive; got '{}'",
        sniff_content_type(bytes)
    )))
}

/// The common cases of Go's `http.DetectContentType` as Helm calls it: on a zero-padded 512-byte buffer,
/// so any file shorter than that counts as binary unless a signature matches first (checked with the
/// reference engine: a 5-byte text file is `application/octet-stream`).
fn sniff_content_type(bytes: &[u8]) -> &'static str {
    let mut buf = [0u8; 512];
    let n = bytes.len().min(512);
    buf[..n].copy_from_slice(&bytes[..n]);
    let trimmed = {
        let start = buf
            .iter()
            .position(|b| !matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' '))
            .unwrap_or(buf.len());
        &buf[start..]
    };
    const HTML: &[&[u8]] = &[
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    for sig in HTML {
        if trimmed.len() > sig.len()
            && trimmed[..sig.len()].eq_ignore_ascii_case(sig)
            && matches!(trimmed[sig.len()], b' ' | b'>')
        {
            return "text/html; charset=utf-8";
        }
    }
    if trimmed.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }
    let signatures: &[(&[u8], &'static str)] = &[
        (b"%PDF-", "application/pdf"),
        (b"\xFE\xFF", "text/plain; charset=utf-16be"),
        (b"\xFF\xFE", "text/plain; charset=utf-16le"),
        (b"\xEF\xBB\xBF", "text/plain; charset=utf-8"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"\x89PNG\x0D\x0A\x1A\x0A", "image/png"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"BM", "image/bmp"),
        (b"PK\x03\x04", "application/zip"),
        (b"Rar!\x1A\x07\x00", "application/x-rar-compressed"),
        (b"Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"),
        (b"\x00\x61\x73\x6D", "application/wasm"),
    ];
    for (sig, ct) in signatures {
        if buf.starts_with(sig) {
            return ct;
        }
    }
    let binary = buf
        .iter()
        .any(|b| matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F));
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Loads a chart archive (`.tgz`) from memory.
pub fn load_archive(bytes: &[u8], limits: &LoadLimits, depth: usize) -> Result<Chart, LoadError> {
    let files = archive_files(bytes, limits)?;
    load_files(files, limits, depth)
}

/// Helm's `LoadArchiveFiles`: reads every regular file of a gzipped tar, dropping the top directory, with
/// its path security checks.
pub fn archive_files(bytes: &[u8], limits: &LoadLimits) -> Result<Vec<BufferedFile>, LoadError> {
    // Go's gzip.NewReader reads the 10-byte header first; its errors are what Helm reports.
    match bytes.len() {
        0 => return Err(LoadError::Archive("EOF".into())),
        1..=9 => return Err(LoadError::Archive("unexpected EOF".into())),
        _ if !bytes.starts_with(&[0x1f, 0x8b, 0x08]) => {
            return Err(LoadError::Archive("gzip: invalid header".into()))
        }
        _ => {}
    }
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut ar = tar::Archive::new(gz);
    let arch_err = |e: std::io::Error| LoadError::Archive(e.to_string());
    let mut files = Vec::new();
    let mut remaining = limits.max_chart_size;
    for entry in ar.entries().map_err(arch_err)? {
        let mut entry = entry.map_err(arch_err)?;
        let header_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(LoadError::Archive(format!(
                "chart archive contains a link entry {header_name:?}"
            )));
        }
        if !(kind.is_file() || kind.is_contiguous() || kind == tar::EntryType::GNUSparse) {
            return Err(LoadError::Archive(format!(
                "chart archive contains an irregular entry {header_name:?}"
            )));
        }
        if files.len() >= limits.max_files {
            return Err(LoadError::Archive(format!(
                "chart archive has more than {} files",
                limits.max_files
            )));
        }

        let delimiter = if header_name.contains('\\') {
            '\\'
        } else {
            '/'
        };
        let parts: Vec<&str> = header_name.split(delimiter).collect();
        let rest = parts[1..].join("/");
        if rest.starts_with('/') {
            return Err(LoadError::Archive(
                "chart illegally contains absolute paths".into(),
            ));
        }
        let n = path_clean(&rest);
        if n == "." {
            return Err(LoadError::Archive(format!(
                "chart illegally contains content outside the base directory: {header_name:?}"
            )));
        }
        if n.starts_with("..") {
            return Err(LoadError::Archive(
                "chart illegally references parent directory".into(),
            ));
        }
        let b = n.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
            return Err(LoadError::Archive(
                "chart contains illegally named files".into(),
            ));
        }
        if parts[0] == "Chart.yaml" {
            return Err(LoadError::Archive(
                "chart yaml not in base directory".into(),
            ));
        }
        let size = entry.header().size().map_err(arch_err)?;
        if size > remaining {
            return Err(LoadError::Archive(format!(
                "decompressed chart is larger than the maximum size {}",
                limits.max_chart_size
            )));
        }
        if size > limits.max_file_size {
            return Err(LoadError::Archive(format!(
                "decompressed chart file {header_name:?} is larger than the maximum file size {}",
                limits.max_file_size
            )));
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        // Read at most what the header announced (+1 to notice a lying header): never trust the size.
        let read = (&mut entry)
            .take(size + 1)
            .read_to_end(&mut data)
            .map_err(arch_err)? as u64;
        if read != size || read >= remaining {
            return Err(LoadError::Archive(format!(
                "decompressed chart is larger than the maximum size {}",
                limits.max_chart_size
            )));
        }
        remaining -= read;
        files.push(BufferedFile {
            name: n,
            data: strip_bom(data),
        });
    }
    if files.is_empty() {
        return Err(LoadError::Archive("no files in chart archive".into()));
    }
    Ok(files)
}

/// Go's `path.Clean` (lexical, `/`-separated).
pub(crate) fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Loads a chart directory (Helm's `LoadDir`), honouring `.helmignore`.
pub fn load_dir(dir: &Path, limits: &LoadLimits) -> Result<Chart, LoadError> {
    let root = std::fs::canonicalize(dir).map_err(io_err(dir))?;
    let mut rules = match std::fs::read(root.join(".helmignore")) {
        Ok(bytes) => IgnoreRules::parse(&String::from_utf8_lossy(&bytes))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => IgnoreRules::default(),
        Err(e) => return Err(io_err(&root.join(".helmignore"))(e)),
    };
    rules.add_defaults();
    let mut walker = DirWalker {
        root: root.clone(),
        rules,
        limits,
        files: Vec::new(),
        total: 0,
        active: Vec::new(),
    };
    walker.walk_dir(&root, "", root.clone())?;
    load_files(walker.files, limits, 0)
}

struct DirWalker<'a> {
    root: PathBuf,
    rules: IgnoreRules,
    limits: &'a LoadLimits,
    files: Vec<BufferedFile>,
    total: u64,
    /// Canonical directories on the current descent, to stop symlink loops.
    active: Vec<PathBuf>,
}

impl DirWalker<'_> {
    /// Walks `dir` (whose chart-relative name is `rel`, `""` for the root) in sorted order, like Helm's
    /// `sympath.Walk`, following symlinks that stay inside the chart.
    ///
    /// `canonical` is `dir` with symlinks resolved, tracked along the descent instead of asking the
    /// filesystem for every directory (`canonicalize` walks every path component: slow).
    fn walk_dir(&mut self, dir: &Path, rel: &str, canonical: PathBuf) -> Result<(), LoadError> {
        if self.active.contains(&canonical) {
            return Err(LoadError::Directory(format!(
                "symlink loop at {}",
                dir.display()
            )));
        }
        self.active.push(canonical.clone());
        // The entry type comes with the directory listing on most filesystems: no stat per entry.
        let mut entries: Vec<(String, std::fs::FileType)> = std::fs::read_dir(dir)
            .map_err(io_err(dir))?
            .map(|e| {
                e.and_then(|e| Ok((e.file_name().to_string_lossy().into_owned(), e.file_type()?)))
            })
            .collect::<Result<_, _>>()
            .map_err(io_err(dir))?;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, ftype) in entries {
            let path = dir.join(&name);
            let n = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let (ftype, child_canonical) = if ftype.is_symlink() {
                let target = std::fs::canonicalize(&path).map_err(io_err(&path))?;
                if !target.starts_with(&self.root) {
                    return Err(LoadError::Directory(format!(
                        "symlink {} points outside the chart directory",
                        path.display()
                    )));
                }
                (
                    std::fs::metadata(&target)
                        .map_err(io_err(&path))?
                        .file_type(),
                    target,
                )
            } else {
                (ftype, canonical.join(&name))
            };
            if ftype.is_dir() {
                if self.rules.ignore(&n, true) {
                    continue;
                }
                self.walk_dir(&path, &n, child_canonical)?;
                continue;
            }
            if self.rules.ignore(&n, false) {
                continue;
            }
            if !ftype.is_file() {
                return Err(LoadError::Directory(format!(
                    "cannot load irregular file {} as it has file mode type bits set",
                    path.display()
                )));
            }
            if self.files.len() >= self.limits.max_files {
                return Err(LoadError::Directory(format!(
                    "chart directory has more than {} files",
                    self.limits.max_files
                )));
            }
            // Read at most one byte more than allowed: the size check needs no stat and a growing file
            // cannot slip past it.
            let mut data = Vec::new();
            std::fs::File::open(&path)
                .and_then(|f| f.take(self.limits.max_file_size + 1).read_to_end(&mut data))
                .map_err(|source| LoadError::Io {
                    path: n.clone(),
                    source,
                })?;
            let len = data.len() as u64;
            if len > self.limits.max_file_size {
                return Err(LoadError::Directory(format!(
                    "chart file {name:?} is larger than the maximum file size {}",
                    self.limits.max_file_size
                )));
            }
            self.total += len;
            if self.total > self.limits.max_chart_size {
                return Err(LoadError::Directory(format!(
                    "chart directory is larger than the maximum size {}",
                    self.limits.max_chart_size
                )));
            }
            self.files.push(BufferedFile {
                name: n,
                data: strip_bom(data),
            });
        }
        self.active.pop();
        Ok(())
    }
}

fn parse_yaml_doc(file: &str, data: &[u8]) -> Result<Value, LoadError> {
    let text = std::str::from_utf8(data).map_err(|e| LoadError::BadFile {
        file: file.into(),
        message: format!("invalid UTF-8: {e}"),
    })?;
    crate::yaml::from_str(text).map_err(|e| LoadError::BadFile {
        file: file.into(),
        message: e.to_string(),
    })
}

/// sigs.k8s.io/yaml's wording around an `encoding/json` decode error.
fn json_decode_message(e: &crate::chart::DecodeError) -> String {
    format!("error unmarshaling JSON: while decoding JSON: {e}")
}

fn to_file(f: &BufferedFile) -> File {
    File {
        name: f.name.clone(),
        data: Arc::from(f.data.as_slice()),
    }
}

/// Helm's `LoadFiles`: classifies files into a chart and loads subcharts recursively.
pub fn load_files(
    files: Vec<BufferedFile>,
    limits: &LoadLimits,
    depth: usize,
) -> Result<Chart, LoadError> {
    if depth > limits.max_depth {
        return Err(LoadError::Archive(format!(
            "subcharts nested deeper than {}",
            limits.max_depth
        )));
    }
    let mut c = Chart::default();
    let mut metadata: Option<Metadata> = None;
    let mut subcharts: BTreeMap<String, Vec<BufferedFile>> = BTreeMap::new();
    let (mut raw, mut templates, mut other_files) = (Vec::new(), Vec::new(), Vec::new());

    for f in &files {
        raw.push(to_file(f));
        if f.name == "Chart.yaml" {
            let md = metadata.get_or_insert_with(Metadata::default);
            let doc = parse_yaml_doc("Chart.yaml", &f.data)?;
            md.merge_from(&doc).map_err(|e| LoadError::BadFile {
                file: "Chart.yaml".into(),
                message: json_decode_message(&e),
            })?;
            if md.api_version.is_empty() {
                md.api_version = API_VERSION_V1.into();
            }
        }
    }

    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => c.lock = Some(parse_yaml_doc("Chart.lock", &f.data)?),
            "values.yaml" => {
                c.values = load_values(&f.data).map_err(|message| LoadError::BadFile {
                    file: "values.yaml".into(),
                    message,
                })?;
            }
            "values.schema.json" => c.schema = Some(Arc::from(f.data.as_slice())),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version != API_VERSION_V1 {
                    tracing::warn!("Dependencies are handled in Chart.yaml since apiVersion \"v2\". We recommend migrating dependencies to Chart.yaml.");
                }
                let doc = parse_yaml_doc("requirements.yaml", &f.data)?;
                md.merge_from(&doc).map_err(|e| LoadError::BadFile {
                    file: "requirements.yaml".into(),
                    message: json_decode_message(&e),
                })?;
                if md.api_version == API_VERSION_V1 {
                    other_files.push(to_file(&f));
                }
            }
            "requirements.lock" => {
                c.lock = Some(parse_yaml_doc("requirements.lock", &f.data)?);
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version == API_VERSION_V1 {
                    other_files.push(to_file(&f));
                } else {
                    tracing::warn!("Dependency locking is handled in Chart.lock since apiVersion \"v2\". We recommend migrating to Chart.lock.");
                }
            }
            name if name.starts_with("templates/") => templates.push(to_file(&f)),
            name if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    other_files.push(to_file(&f));
                    continue;
                }
                let fname = &name["charts/".len()..];
                let cname = fname.split('/').next().unwrap_or("").to_string();
                subcharts.entry(cname).or_default().push(BufferedFile {
                    name: fname.to_string(),
                    data: f.data,
                });
            }
            _ => other_files.push(to_file(&f)),
        }
    }

    c.raw = raw.into();
    c.templates = templates.into();
    c.files = other_files.into();
    let mut md = metadata.ok_or(LoadError::MissingChartYaml)?;
    md.validate()?;
    c.metadata = md;

    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let sub = if n.ends_with(".tgz") {
            let Some(file) = files.into_iter().next() else {
                continue;
            };
            if file.name != n {
                return Err(LoadError::SubchartTarName {
                    parent: c.metadata.name.clone(),
                    expected: n,
                    got: file.name,
                });
            }
            archive_files(&file.data, limits).and_then(|fs| load_files(fs, limits, depth + 1))
        } else {
            let inner: Vec<BufferedFile> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(BufferedFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files(inner, limits, depth + 1)
        };
        match sub {
            Ok(sc) => c.dependencies.push(Arc::new(sc)),
            Err(e) => {
                return Err(LoadError::Subchart {
                    sub: n,
                    parent: c.metadata.name.clone(),
                    source: Box::new(e),
                })
            }
        }
    }
    Ok(c)
}

/// Helm's `LoadValues` on a file's bytes (see [`crate::yaml::load_values`]).
pub fn load_values(data: &[u8]) -> Result<Map, String> {
    let text =
        std::str::from_utf8(data).map_err(|e| format!("error reading yaml document: {e}"))?;
    crate::yaml::load_values(text).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------------------
// .helmignore

/// Parsed `.helmignore` rules (Helm's `ignore.Rules`).
#[derive(Clone, Debug, Default)]
pub struct IgnoreRules {
    patterns: Vec<IgnorePattern>,
}

#[derive(Clone, Debug)]
struct IgnorePattern {
    rule: String,
    kind: PatternKind,
    negate: bool,
    must_dir: bool,
}

#[derive(Clone, Debug)]
enum PatternKind {
    /// `/foo`: matched against the whole relative path.
    Anchored,
    /// `a/b*`: matched against the whole relative path.
    WithSlash,
    /// `*.txt`: matched against the base name.
    Base,
}

impl IgnoreRules {
    /// Parses `.helmignore` text. Errors as Helm's: `double-star (**) syntax is not supported`,
    /// `syntax error in pattern`.
    pub fn parse(text: &str) -> Result<Self, LoadError> {
        let mut r = IgnoreRules::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.split('\n') {
            // bufio.Scanner's ScanLines drops a trailing \r.
            r.parse_rule(line.strip_suffix('\r').unwrap_or(line))?;
        }
        Ok(r)
    }

    /// Helm's `AddDefaults`: never load dotfiles under `templates/`.
    pub fn add_defaults(&mut self) {
        // Infallible: the default pattern is valid.
        let _ = self.parse_rule("templates/.?*");
    }

    fn parse_rule(&mut self, rule: &str) -> Result<(), LoadError> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(LoadError::Ignore(
                "double-star (**) syntax is not supported".into(),
            ));
        }
        go_match(rule, "abc").map_err(|_| LoadError::Ignore("syntax error in pattern".into()))?;
        let mut rule = rule;
        let negate = rule.starts_with('!');
        if negate {
            rule = &rule[1..];
        }
        let must_dir = rule.ends_with('/');
        if must_dir {
            rule = &rule[..rule.len() - 1];
        }
        let (rule, kind) = if let Some(after) = rule.strip_prefix('/') {
            (after, PatternKind::Anchored)
        } else if rule.contains('/') {
            (rule, PatternKind::WithSlash)
        } else {
            (rule, PatternKind::Base)
        };
        self.patterns.push(IgnorePattern {
            rule: rule.to_string(),
            kind,
            negate,
            must_dir,
        });
        Ok(())
    }

    fn matches(p: &IgnorePattern, path: &str) -> bool {
        let subject = match p.kind {
            PatternKind::Anchored | PatternKind::WithSlash => path,
            PatternKind::Base => path.rsplit('/').next().unwrap_or(path),
        };
        go_match(&p.rule, subject).unwrap_or(false)
    }

    /// Helm's `Rules.Ignore`, including its handling of `!` rules: a negated rule that does *not* match
    /// ignores the path.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !Self::matches(p, path) {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if Self::matches(p, path) {
                return true;
            }
        }
        false
    }
}

/// Malformed `filepath.Match` pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `path/filepath.Match` on `/`-separated names: `*` (no `/`), `?`, `[...]` with `^` negation and
/// ranges, `\` escapes. Hand-written because the `glob` crate's `Pattern` has different class syntax (`!`
/// instead of `^`) and error rules.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    validate_pattern(&p)?;
    Ok(match_here(&p, &n))
}

fn validate_pattern(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            '[' => {
                let (_, next) = parse_class(p, i, None)?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Parses the class at `p[i] == '['`; when `c` is given, also says whether it matches. Returns the index
/// after `]`.
fn parse_class(p: &[char], mut i: usize, c: Option<char>) -> Result<(bool, usize), BadPattern> {
    i += 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&ch) = p.get(i) else {
            return Err(BadPattern);
        };
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let read = |i: &mut usize| -> Result<char, BadPattern> {
            match p.get(*i) {
                Some('\\') => {
                    let r = p.get(*i + 1).copied().ok_or(BadPattern)?;
                    *i += 2;
                    Ok(r)
                }
                Some('-') | Some(']') | None => Err(BadPattern),
                Some(&x) => {
                    *i += 1;
                    Ok(x)
                }
            }
        };
        let lo = read(&mut i)?;
        let mut hi = lo;
        if p.get(i) == Some(&'-') {
            i += 1;
            hi = read(&mut i)?;
        }
        if let Some(c) = c {
            if lo <= c && c <= hi {
                matched = true;
            }
        }
    }
    Ok((matched != negated, i))
}

fn match_here(p: &[char], n: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => {
            let rest = &p[1..];
            // `*` never crosses a separator.
            for k in 0..=n.len() {
                if match_here(rest, &n[k..]) {
                    return true;
                }
                if k < n.len() && n[k] == '/' {
                    break;
                }
            }
            false
        }
        Some('?') => !n.is_empty() && n[0] != '/' && match_here(&p[1..], &n[1..]),
        Some('[') => {
            let Some(&c) = n.first() else { return false };
            if c == '/' {
                return false;
            }
            match parse_class(p, 0, Some(c)) {
                Ok((true, next)) => match_here(&p[next..], &n[1..]),
                _ => false,
            }
        }
        Some('\\') => p.len() > 1 && n.first() == Some(&p[1]) && match_here(&p[2..], &n[1..]),
        Some(&c) => n.first() == Some(&c) && match_here(&p[1..], &n[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_basics() {
        assert_eq!(go_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(go_match("*.txt", "d/a.txt"), Ok(false));
        assert_eq!(go_match("a/*", "a/b"), Ok(true));
        assert_eq!(go_match("[^a]bc", "abc"), Ok(false));
        assert_eq!(go_match("[a-c]bc", "bbc"), Ok(true));
        assert_eq!(go_match("\\*", "*"), Ok(true));
        assert_eq!(go_match("[", "a"), Err(BadPattern));
        assert_eq!(go_match("a\\", "a"), Err(BadPattern));
        assert_eq!(go_match("templates/.?*", "templates/.x"), Ok(true));
        assert_eq!(go_match("templates/.?*", "templates/."), Ok(false));
    }

    #[test]
    fn content_sniffing_like_helm() {
        // Expected types from the reference engine's EnsureArchive messages.
        assert_eq!(sniff_content_type(b"hello"), "application/octet-stream");
        assert_eq!(
            sniff_content_type(b"<html><body>x</body></html>"),
            "text/html; charset=utf-8"
        );
        assert_eq!(sniff_content_type(b"PK\x03\x04zz"), "application/zip");
        assert_eq!(
            sniff_content_type(&[b'a'; 600]),
            "text/plain; charset=utf-8"
        );
    }

    #[test]
    fn clean_paths() {
        assert_eq!(path_clean("a/../../b"), "../b");
        assert_eq!(path_clean("a/./b//c/"), "a/b/c");
        assert_eq!(path_clean(""), ".");
        assert_eq!(path_clean("/../a"), "/a");
    }
}
