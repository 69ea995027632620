//! The on-disk extension cache: one directory per OCI manifest digest holding the manifest and the chart
//! layer, written atomically and bounded in size (least-recently-used entries go first).
//!
//! Layout: `<cache_dir>/sha256-<hex>/{manifest.json,chart.tgz}`. An entry is written into a temporary
//! directory beside it and renamed into place, so readers never see half an entry. Reads re-verify both
//! digests (manifest against its name, layer against the manifest), so a corrupted or tampered entry is
//! dropped and pulled again instead of being trusted. Recency is the entry directory's mtime, touched on
//! every hit.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const MANIFEST_FILE: &str = "manifest.json";
const CHART_FILE: &str = "chart.tgz";

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A cached entry: the raw manifest and the chart layer.
#[derive(Debug, Clone)]
pub struct CacheEntry {
    pub manifest: Vec<u8>,
    pub chart: Vec<u8>,
}

/// The disk cache. Not synchronised itself: [`super::ExtensionStore`] serialises writers.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
    max_bytes: u64,
}

fn entry_name(digest: &str) -> Option<String> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256-{}", hex.to_ascii_lowercase()))
}

impl DiskCache {
    pub fn new(dir: PathBuf, max_bytes: u64) -> Self {
        DiskCache { dir, max_bytes }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry for a manifest digest, verified; `None` when absent or corrupt (a corrupt entry is
    /// removed). A hit marks the entry most recently used.
    pub fn get(
        &self,
        digest: &str,
        layer_digest_of: impl Fn(&[u8]) -> Option<String>,
    ) -> Option<CacheEntry> {
        let path = self.dir.join(entry_name(digest)?);
        let manifest = std::fs::read(path.join(MANIFEST_FILE)).ok()?;
        let chart = std::fs::read(path.join(CHART_FILE)).ok();
        let valid = chart.as_ref().is_some_and(|chart| {
            sha256_digest(&manifest) == digest
                && layer_digest_of(&manifest).is_some_and(|d| d == sha256_digest(chart))
        });
        if !valid {
            tracing::warn!(digest, path = %path.display(), "dropping corrupt extension cache entry");
            let _ = std::fs::remove_dir_all(&path);
            return None;
        }
        touch(&path);
        Some(CacheEntry {
            manifest,
            chart: chart.unwrap_or_default(),
        })
    }

    /// Stores an entry (atomically), then evicts least-recently-used entries until the cache fits its
    /// bound; the entry just stored is never evicted, even when it alone exceeds the bound.
    pub fn put(&self, digest: &str, entry: &CacheEntry) -> std::io::Result<()> {
        let name = entry_name(digest).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("not a sha256 digest: {digest}"),
            )
        })?;
        std::fs::create_dir_all(&self.dir)?;
        let target = self.dir.join(&name);
        if !target.exists() {
            let tmp = tempfile::Builder::new()
                .prefix(".tmp-")
                .tempdir_in(&self.dir)?;
            for (file, bytes) in [(MANIFEST_FILE, &entry.manifest), (CHART_FILE, &entry.chart)] {
                let mut f = std::fs::File::create(tmp.path().join(file))?;
                f.write_all(bytes)?;
                f.sync_all()?;
            }
            let tmp_path = tmp.keep();
            if let Err(e) = std::fs::rename(&tmp_path, &target) {
                let _ = std::fs::remove_dir_all(&tmp_path);
                // Another process may have stored the same digest meanwhile: that is fine.
                if !target.exists() {
                    return Err(e);
                }
            }
        }
        touch(&target);
        self.evict(&name)
    }

    /// Size of every complete entry, oldest first.
    fn entries(&self) -> std::io::Result<Vec<(PathBuf, SystemTime, u64)>> {
        let mut out = Vec::new();
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return Ok(out);
        };
        for e in read.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with("sha256-") {
                continue;
            }
            let path = e.path();
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let size: u64 = std::fs::read_dir(&path)
                .map(|r| {
                    r.flatten()
                        .filter_map(|f| f.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0);
            out.push((
                path,
                meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                size,
            ));
        }
        out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        Ok(out)
    }

    /// Total size of the cached entries.
    pub fn size(&self) -> u64 {
        self.entries()
            .map(|e| e.iter().map(|x| x.2).sum())
            .unwrap_or(0)
    }

    /// Digests of the cached entries, least recently used first.
    pub fn digests(&self) -> Vec<String> {
        self.entries()
            .unwrap_or_default()
            .iter()
            .filter_map(|(p, _, _)| {
                let name = p.file_name()?.to_string_lossy().into_owned();
                Some(format!("sha256:{}", name.strip_prefix("sha256-")?))
            })
            .collect()
    }

    fn evict(&self, keep: &str) -> std::io::Result<()> {
        let entries = self.entries()?;
        let mut total: u64 = entries.iter().map(|e| e.2).sum();
        for (path, _, size) in entries {
            if total <= self.max_bytes {
                break;
            }
            if path.file_name().is_some_and(|n| n == keep) {
                continue;
            }
            tracing::info!(path = %path.display(), size, "evicting extension cache entry");
            std::fs::remove_dir_all(&path)?;
            total = total.saturating_sub(size);
        }
        Ok(())
    }
}

/// Marks an entry as used now. Failure only makes eviction order less precise.
fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> (String, CacheEntry) {
        let chart = vec![b'c'; n];
        let manifest = format!("{{\"layer\":\"{}\"}}", sha256_digest(&chart)).into_bytes();
        (sha256_digest(&manifest), CacheEntry { manifest, chart })
    }

    fn layer_of(m: &[u8]) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(m).ok()?;
        Some(v["layer"].as_str()?.to_string())
    }

    fn set_age(cache: &DiskCache, digest: &str, secs_ago: u64) {
        let p = cache.dir().join(entry_name(digest).unwrap());
        let f = std::fs::File::open(p).unwrap();
        f.set_modified(SystemTime::now() - std::time::Duration::from_secs(secs_ago))
            .unwrap();
    }

    #[test]
    fn round_trip_and_verification() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path().to_path_buf(), 1 << 20);
        let (d, e) = entry(100);
        assert!(cache.get(&d, layer_of).is_none());
        cache.put(&d, &e).unwrap();
        let got = cache.get(&d, layer_of).unwrap();
        assert_eq!(got.chart, e.chart);
        // Corrupt the layer: the entry is dropped, not trusted.
        let p = dir.path().join(entry_name(&d).unwrap()).join(CHART_FILE);
        std::fs::write(&p, b"tampered").unwrap();
        assert!(cache.get(&d, layer_of).is_none());
        assert!(!p.exists());
        // No temporary directories are left behind.
        assert!(std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().starts_with(".tmp")));
    }

    #[test]
    fn evicts_least_recently_used() {
        let dir = tempfile::tempdir().unwrap();
        // Room for two entries of ~1000 bytes, not three.
        let cache = DiskCache::new(dir.path().to_path_buf(), 2500);
        let (a, ea) = entry(1000);
        let (b, eb) = entry(1001);
        let (c, ec) = entry(1002);
        cache.put(&a, &ea).unwrap();
        cache.put(&b, &eb).unwrap();
        set_age(&cache, &a, 30);
        set_age(&cache, &b, 20);
        // Using `a` makes `b` the least recently used.
        assert!(cache.get(&a, layer_of).is_some());
        cache.put(&c, &ec).unwrap();
        let left = cache.digests();
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left.contains(&a) && left.contains(&c), "{left:?}");
        assert!(cache.size() <= 2500);
    }

    #[test]
    fn oversized_entry_is_kept_alone() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path().to_path_buf(), 10);
        let (a, ea) = entry(100);
        let (b, eb) = entry(200);
        cache.put(&a, &ea).unwrap();
        cache.put(&b, &eb).unwrap();
        assert_eq!(cache.digests(), vec![b.clone()]);
        assert!(cache.get(&b, layer_of).is_some());
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x/y.tgz");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
    }
}
