//! `helm package` for extension charts: the same archive layout, tar headers and gzip header as Helm v4.
//!
//! What Helm writes (observed with Helm v4.2.3 and its `chartutil.Save`): one USTAR entry per file under
//! `<chart name>/`, no directory entries, mode 0644, uid/gid 0, empty user/group names, each entry's mtime
//! from its source file; `Chart.yaml` re-serialised from the parsed metadata (JSON then YAML, keys sorted),
//! then `values.yaml` and `values.schema.json` as read, templates, other files, and subcharts under
//! `charts/<name>/` the same way; a gzip header with Helm's fixed extra field and the comment `Helm`.
//!
//! Known difference: the DEFLATE stream. Go's `compress/flate` makes different (equally valid) choices than
//! zlib/miniz, so the `.tgz` bytes differ while the uncompressed tar stream is byte-identical (the tests
//! compare it with `helm package`) and every loader reads the same chart. Matching Go's compressor bit for
//! bit would mean reimplementing it; nothing depends on the compressed bytes (OCI digests are of the
//! pushed bytes, whatever they are).
//!
//! The tar headers are written by hand rather than with the `tar` crate because Go formats the numeric
//! fields differently (checksum as six digits, NUL, space; device numbers as zero-filled octal), and the
//! point of this module is the exact bytes.

use chart_renderer::chart::{Chart, File};
use flate2::{Compression, GzBuilder};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The gzip FEXTRA bytes Helm writes into every chart archive (a constant of `chartutil`).
const HELM_GZIP_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";
const HELM_GZIP_COMMENT: &str = "Helm";

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{path}: {message}")]
    Load { path: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot archive {name}: {message}")]
    Entry { name: String, message: String },
}

/// The archive of the chart directory `dir`, as `helm package` makes it.
pub fn package_bytes(dir: &Path) -> Result<Vec<u8>, PackageError> {
    let chart = Chart::load(dir).map_err(|e| PackageError::Load {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let mut tar = Vec::new();
    write_chart(&mut tar, &chart, Some(dir), &chart.metadata.name)?;
    // End of archive: two zero blocks (Go writes no further record padding).
    tar.extend_from_slice(&[0u8; 1024]);

    let mut gz = GzBuilder::new()
        .extra(HELM_GZIP_EXTRA)
        .comment(HELM_GZIP_COMMENT)
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::default());
    let io = |source| PackageError::Io {
        path: dir.display().to_string(),
        source,
    };
    gz.write_all(&tar).map_err(io)?;
    gz.finish().map_err(io)
}

/// Packages `dir` into `out_dir/<name>-<version>.tgz` (atomically) and returns the path.
pub fn package_to(dir: &Path, out_dir: &Path) -> Result<PathBuf, PackageError> {
    let bytes = package_bytes(dir)?;
    let chart = Chart::load(dir).map_err(|e| PackageError::Load {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let target = out_dir.join(format!(
        "{}-{}.tgz",
        chart.metadata.name, chart.metadata.version
    ));
    super::cache::write_atomic(&target, &bytes).map_err(|source| PackageError::Io {
        path: target.display().to_string(),
        source,
    })?;
    Ok(target)
}

/// Modification time of `dir/name` in whole seconds; files that are not on disk (inside a subchart
/// archive) get the time of `dir` itself.
fn mtime(dir: Option<&Path>, name: &str) -> u64 {
    let Some(dir) = dir else { return 0 };
    let meta = std::fs::metadata(dir.join(name)).or_else(|_| std::fs::metadata(dir));
    meta.and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

fn write_chart(
    out: &mut Vec<u8>,
    chart: &Chart,
    dir: Option<&Path>,
    prefix: &str,
) -> Result<(), PackageError> {
    let chart_yaml = metadata_yaml(chart)?;
    write_entry(
        out,
        &format!("{prefix}/Chart.yaml"),
        chart_yaml.as_bytes(),
        mtime(dir, "Chart.yaml"),
    )?;
    for special in ["Chart.lock", "values.yaml", "values.schema.json"] {
        if let Some(f) = chart.raw.iter().find(|f| f.name == special) {
            write_entry(
                out,
                &format!("{prefix}/{special}"),
                &f.data,
                mtime(dir, special),
            )?;
        }
    }
    let files: Vec<&File> = chart.templates.iter().chain(chart.files.iter()).collect();
    for f in files {
        write_entry(
            out,
            &format!("{prefix}/{}", f.name),
            &f.data,
            mtime(dir, &f.name),
        )?;
    }
    for sub in &chart.dependencies {
        let sub_dir = dir.map(|d| d.join("charts").join(&sub.metadata.name));
        let sub_dir = sub_dir.filter(|d| d.is_dir());
        write_chart(
            out,
            sub,
            sub_dir.as_deref(),
            &format!("{prefix}/charts/{}", sub.metadata.name),
        )?;
    }
    Ok(())
}

/// `Chart.yaml` as Helm saves it: Go's JSON encoding of the metadata, re-emitted as YAML (sorted keys).
fn metadata_yaml(chart: &Chart) -> Result<String, PackageError> {
    let entry_err = |message: String| PackageError::Entry {
        name: "Chart.yaml".into(),
        message,
    };
    let json =
        serde_json::to_string(&chart.metadata.to_json()).map_err(|e| entry_err(e.to_string()))?;
    let value = chart_renderer::yaml::from_str(&json).map_err(|e| entry_err(e.to_string()))?;
    chart_renderer::yaml::to_string(&value).map_err(|e| entry_err(e.to_string()))
}

/// Splits a long name into USTAR's prefix and name fields, as Go's `archive/tar` does.
fn split_ustar(name: &str) -> Option<(&str, &str)> {
    if name.len() <= 100 {
        return Some(("", name));
    }
    let limit = name.len().min(156);
    let idx = name[..limit].rfind('/')?;
    let (prefix, rest) = (&name[..idx], &name[idx + 1..]);
    (!rest.is_empty() && rest.len() <= 100 && prefix.len() <= 155).then_some((prefix, rest))
}

fn octal(field: &mut [u8], value: u64) {
    // Zero-filled octal digits followed by a NUL, filling the field.
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(&text.as_bytes()[text.len() - digits..]);
    field[digits] = 0;
}

fn write_entry(out: &mut Vec<u8>, name: &str, data: &[u8], mtime: u64) -> Result<(), PackageError> {
    let err = |message: &str| PackageError::Entry {
        name: name.to_string(),
        message: message.to_string(),
    };
    if !name.is_ascii() {
        return Err(err(
            "non-ASCII file names need PAX headers, which Hoist does not write",
        ));
    }
    let (prefix, short) =
        split_ustar(name).ok_or_else(|| err("path too long for a USTAR header"))?;
    let size = data.len() as u64;
    if size >= 0o77777777777 || mtime >= 0o77777777777 {
        return Err(err("file size or time out of USTAR range"));
    }
    let mut h = [0u8; 512];
    h[..short.len()].copy_from_slice(short.as_bytes());
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], mtime);
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    octal(&mut h[329..337], 0);
    octal(&mut h[337..345], 0);
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    // The checksum is computed with its own field as spaces, then written as 6 digits, NUL, space.
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    octal(&mut h[148..155], sum);
    h[155] = b' ';
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    let pad = (512 - data.len() % 512) % 512;
    out.extend(std::iter::repeat_n(0u8, pad));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ustar_split() {
        assert_eq!(split_ustar("a/b"), Some(("", "a/b")));
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(50));
        assert_eq!(split_ustar(&long), Some((&long[..120], &long[121..])));
        assert_eq!(split_ustar(&"x".repeat(101)), None);
    }

    #[test]
    fn archive_reads_back_with_tar() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension-charts/kafka");
        let bytes = package_bytes(&dir).unwrap();
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let names: Vec<String> = ar
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names[0], "kafka/Chart.yaml");
        assert_eq!(names[1], "kafka/values.yaml");
        assert!(names.iter().any(|n| n.starts_with("kafka/templates/")));
        // Loads back to the same chart.
        let a = Chart::load(&dir).unwrap();
        let b = Chart::from_archive_bytes(&bytes).unwrap();
        assert_eq!(a.metadata.annotations, b.metadata.annotations);
        assert_eq!(a.templates, b.templates);
        assert_eq!(a.files, b.files);
    }
}
