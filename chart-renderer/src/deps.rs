//! Dependency processing as Helm v4's `pkg/chart/v2/util/dependencies.go` does it before rendering:
//! aliases (a renamed copy of a subchart), `tags` and `condition` (disabled subcharts are removed), then
//! `import-values`, children first.
//!
//! Helm mutates the loaded chart in place; here [`process_dependencies`] builds a new chart tree and leaves
//! the loaded one untouched, so one loaded chart can be rendered many times.

use crate::chart::{Chart, Dependency};
use crate::values::{self, ValuesError};
use gotmpl::{Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Helm's `ProcessDependencies`: enable/disable and alias subcharts against `user_values`, then import
/// values. Returns the processed chart.
pub fn process_dependencies(chart: &Chart, user_values: &Map) -> Result<Arc<Chart>, ValuesError> {
    let enabled = process_enabled(chart, user_values, "")?;
    import_values_tree(&enabled).map(Arc::new)
}

/// Masterminds `IsCompatibleRange`: whether `version` parses and satisfies `constraint`.
///
/// Results are memoised: every render re-runs dependency processing with the same few (constraint,
/// version) pairs, and parsing a constraint with Masterminds' regular expressions costs microseconds.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<(String, String), bool>>> = OnceLock::new();
    // Bounded so that hostile or endless inputs cannot grow it without limit.
    const MAX_ENTRIES: usize = 4096;
    let cache = CACHE.get_or_init(Default::default);
    let key = (constraint.to_string(), version.to_string());
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).copied()) {
        return hit;
    }
    let result = semver::Version::parse(version)
        .is_some_and(|v| semver::Constraints::parse(constraint).is_some_and(|c| c.check(&v)));
    if let Ok(mut c) = cache.lock() {
        if c.len() >= MAX_ENTRIES {
            c.clear();
        }
        c.insert(key, result);
    }
    result
}

/// Helm's `getAliasDependency`: the first loaded subchart matching `dep` by name and version range, copied
/// (metadata copied, grandchildren shared) and renamed to the alias if there is one.
fn alias_dependency(subs: &[Arc<Chart>], dep: &Dependency) -> Option<Arc<Chart>> {
    let c = subs
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    if dep.alias.is_empty() {
        return Some(Arc::clone(c));
    }
    let mut out = Chart::clone(c);
    out.metadata.name = dep.alias.clone();
    Some(Arc::new(out))
}

fn process_enabled(c: &Chart, v: &Map, path: &str) -> Result<Chart, ValuesError> {
    let mut out = c.clone();
    if !c.metadata.dependencies_declared() {
        return Ok(out);
    }
    // Subcharts no declared dependency matches are kept as they are…
    let mut chart_deps: Vec<Arc<Chart>> = c
        .dependencies
        .iter()
        .filter(|existing| {
            !c.metadata.dependencies.iter().any(|req| {
                existing.name() == req.name
                    && is_compatible_range(&req.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    // …then one (possibly renamed) copy per declared dependency, in declaration order.
    for req in &mut out.metadata.dependencies {
        if let Some(d) = alias_dependency(&c.dependencies, req) {
            chart_deps.push(d);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
        req.enabled = true;
    }
    out.dependencies = chart_deps;

    // Read-only here (conditions, tags, and the same for the subcharts): no full deep copy needed.
    let cvals = values::coalesce_values_for_reading(&out, v)?;
    process_tags(&mut out.metadata.dependencies, &cvals);
    process_conditions(&mut out.metadata.dependencies, &cvals, path);

    let removed: BTreeSet<String> = out
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    let kept: Vec<Arc<Chart>> = out
        .dependencies
        .iter()
        .filter(|d| !removed.contains(d.name()))
        .cloned()
        .collect();
    out.metadata
        .dependencies
        .retain(|r| !removed.contains(&r.name));

    let mut processed = Vec::with_capacity(kept.len());
    for t in kept {
        let sub_path = format!("{path}{}.", t.name());
        processed.push(Arc::new(process_enabled(&t, &cvals, &sub_path)?));
    }
    out.dependencies = processed;
    // Go rebuilds the slice with append: an empty result is nil, which later stages treat as "no
    // dependencies declared".
    if out.metadata.dependencies.is_empty() {
        out.metadata.set_dependencies_declared(false);
    }
    Ok(out)
}

/// Helm's `processDependencyTags`: a dependency is disabled when some of its tags are `false` and none
/// `true`; a non-bool tag value only warns.
fn process_tags(reqs: &mut [Dependency], cvals: &Map) {
    let Some(Value::Map(tags)) = cvals.get("tags") else {
        return;
    };
    for r in reqs {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match tags.get(k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => tracing::warn!(tag = %k, chart = %r.name, "returned non-bool value"),
                None => {}
            }
        }
        // Disabled only when some tag is false and none is true.
        r.enabled = has_true || !has_false;
    }
}

/// Helm's `processDependencyConditions`: the first comma-separated condition path that resolves to a
/// bool decides; non-bool values warn and the next path is tried.
fn process_conditions(reqs: &mut [Dependency], cvals: &Map, cpath: &str) {
    for r in reqs {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            match values::path_value(cvals, &format!("{cpath}{cond}")) {
                Some(Value::Bool(b)) => {
                    r.enabled = b;
                    break;
                }
                Some(_) => tracing::warn!(path = %cond, chart = %r.name, "returned non-bool value"),
                None => {}
            }
        }
    }
}

/// Helm's `processDependencyImportValues` (with merge semantics, as `ProcessDependencies` uses): children
/// first, then this chart.
fn import_values_tree(c: &Chart) -> Result<Chart, ValuesError> {
    let mut out = c.clone();
    out.dependencies = c
        .dependencies
        .iter()
        .map(|d| import_values_tree(d).map(Arc::new))
        .collect::<Result<_, _>>()?;
    process_import_values(&mut out)?;
    Ok(out)
}

/// Go's `fmt.Sprintf("%v", x)` for the scalar forms `child:`/`parent:` take in practice.
fn sprint_scalar(v: Option<Value>) -> String {
    match v {
        None | Some(Value::Nil) | Some(Value::Invalid) => "<nil>".into(),
        Some(Value::String(s)) => s.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Int(i)) | Some(Value::Int64(i)) => i.to_string(),
        Some(Value::Float(f)) => crate::chart::yaml_number_to_string(f),
        Some(other) => format!("{other:?}"),
    }
}

fn process_import_values(c: &mut Chart) -> Result<(), ValuesError> {
    if !c.metadata.dependencies_declared() {
        return Ok(());
    }
    let cvals = values::merge_values(c, &Map::new())?;
    let b = Map::new();
    for r in &mut c.metadata.dependencies {
        let mut out_iv = Vec::new();
        for riv in &r.import_values {
            match riv {
                Value::Map(iv) => {
                    let child = sprint_scalar(iv.get("child"));
                    let parent = sprint_scalar(iv.get("parent"));
                    let m = Map::new();
                    m.insert("child", child.as_str().into());
                    m.insert("parent", parent.as_str().into());
                    out_iv.push(Value::Map(m));
                    let Some(vv) = values::table(&cvals, &format!("{}.{child}", r.name)) else {
                        tracing::warn!(chart = %r.name, "ImportValues missing table from chart: no table named {child:?}");
                        continue;
                    };
                    values::merge_tables(&b, &path_to_map(&parent, vv));
                }
                Value::String(iv) => {
                    let child = format!("exports.{iv}");
                    let m = Map::new();
                    m.insert("child", child.as_str().into());
                    m.insert("parent", ".".into());
                    out_iv.push(Value::Map(m));
                    let Some(vm) = values::table(&cvals, &format!("{}.{child}", r.name)) else {
                        tracing::warn!(chart = %r.name, "ImportValues missing table: no table named {child:?}");
                        continue;
                    };
                    values::merge_tables(&b, &vm);
                }
                _ => {}
            }
        }
        r.import_values = out_iv;
    }
    let merged = cvals.deep_copy();
    values::merge_tables(&merged, &b);
    c.values = merged;
    Ok(())
}

/// Helm's `pathToMap`: `.` is the map itself, `a.b` nests it as `{a: {b: data}}`.
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for k in path.split('.').rev() {
        let m = Map::new();
        m.insert(k, Value::Map(cur));
        cur = m;
    }
    cur
}

/// Masterminds semver v3 as Helm uses it: lenient versions (`v` prefix, missing minor/patch) and its
/// constraint language. Hand-written because the `semver` crate implements Cargo's rules, which differ
/// (`1.2` means `^1.2` there, `=1.2` here; no `x` wildcards, hyphen ranges or `||`).
pub mod semver {
    use regex::Regex;
    use std::cmp::Ordering;
    use std::sync::OnceLock;

    const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
    const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

    struct Res {
        version: Regex,
        constraint: Regex,
        range: Regex,
        find: Regex,
        valid: Regex,
    }

    fn res() -> &'static Res {
        static R: OnceLock<Res> = OnceLock::new();
        R.get_or_init(|| {
            // The patterns are constants; a failure here is a programming error caught by the tests.
            let re = |s: String| Regex::new(&s).unwrap_or_else(|e| panic!("semver regex: {e}"));
            Res {
                version: re(r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$".into()),
                constraint: re(format!(r"^\s*({OPS})\s*({CV})\s*$")),
                range: re(format!(r"\s*({CV})\s+-\s+({CV})\s*")),
                find: re(format!(r"({OPS})\s*({CV})")),
                valid: re(format!(r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$")),
            }
        })
    }

    /// A parsed version.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Version {
        pub major: u64,
        pub minor: u64,
        pub patch: u64,
        pub pre: String,
        pub metadata: String,
    }

    impl Version {
        /// Masterminds `NewVersion` (coercing mode, its default).
        pub fn parse(s: &str) -> Option<Version> {
            let m = res().version.captures(s)?;
            let num = |i: usize| -> Option<u64> {
                match m.get(i) {
                    None => Some(0),
                    Some(x) => x.as_str().trim_start_matches('.').parse().ok(),
                }
            };
            let pre = m.get(5).map_or("", |x| x.as_str()).to_string();
            // Numeric prerelease identifiers must not have leading zeros.
            if pre
                .split('.')
                .any(|p| p.len() > 1 && p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            Some(Version {
                major: num(1)?,
                minor: num(2)?,
                patch: num(3)?,
                pre,
                metadata: m.get(8).map_or("", |x| x.as_str()).to_string(),
            })
        }

        fn cmp_version(&self, o: &Version) -> Ordering {
            (self.major, self.minor, self.patch)
                .cmp(&(o.major, o.minor, o.patch))
                .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => compare_prerelease(&self.pre, &o.pre),
                })
        }
    }

    fn compare_prerelease(a: &str, b: &str) -> Ordering {
        let ap: Vec<&str> = a.split('.').collect();
        let bp: Vec<&str> = b.split('.').collect();
        for i in 0..ap.len().max(bp.len()) {
            let s = ap.get(i).copied().unwrap_or("");
            let o = bp.get(i).copied().unwrap_or("");
            if s == o {
                continue;
            }
            if s.is_empty() {
                return Ordering::Less;
            }
            if o.is_empty() {
                return Ordering::Greater;
            }
            return match (s.parse::<u64>(), o.parse::<u64>()) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                (Err(_), Err(_)) => s.cmp(o),
            }
            .then(Ordering::Less);
        }
        Ordering::Equal
    }

    #[derive(Clone, Debug)]
    struct Constraint {
        con: Version,
        op: String,
        minor_dirty: bool,
        patch_dirty: bool,
        dirty: bool,
    }

    /// A parsed constraint: OR of ANDs.
    #[derive(Clone, Debug)]
    pub struct Constraints {
        ors: Vec<(Vec<Constraint>, bool)>,
    }

    fn is_x(s: &str) -> bool {
        matches!(s, "x" | "X" | "*")
    }

    impl Constraints {
        /// Masterminds `NewConstraint`; `None` when it does not parse (the empty string included).
        pub fn parse(c: &str) -> Option<Constraints> {
            let r = res();
            // Hyphen ranges `a - b` become `>= a, <= b`.
            let mut c = c.to_string();
            let ranges: Vec<(String, String, String)> = r
                .range
                .captures_iter(&c)
                .filter_map(|m| {
                    Some((
                        m.get(0)?.as_str().to_string(),
                        m.get(1)?.as_str().to_string(),
                        m.get(11)?.as_str().to_string(),
                    ))
                })
                .collect();
            for (whole, a, b) in ranges {
                c = c.replacen(&whole, &format!(">= {a}, <= {b} "), 1);
            }
            let mut ors = Vec::new();
            for part in c.split("||") {
                if !r.valid.is_match(part) {
                    return None;
                }
                let mut found: Vec<&str> = r.find.find_iter(part).map(|m| m.as_str()).collect();
                if found.is_empty() {
                    found.push(part);
                }
                let mut group = Vec::new();
                let mut has_pre = false;
                for s in found {
                    let pc = parse_constraint(s)?;
                    has_pre |= !pc.con.pre.is_empty();
                    group.push(pc);
                }
                ors.push((group, has_pre));
            }
            Some(Constraints { ors })
        }

        /// Whether `v` satisfies any OR branch (prereleases only match branches that mention one).
        pub fn check(&self, v: &Version) -> bool {
            self.ors
                .iter()
                .any(|(group, pre)| group.iter().all(|c| c.check(v, *pre)))
        }
    }

    fn parse_constraint(s: &str) -> Option<Constraint> {
        let m = res().constraint.captures(s)?;
        let op = m.get(1).map_or("", |x| x.as_str()).to_string();
        let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
        let (major, minor, patch, pre) = (g(3), g(4), g(5), g(6));
        let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
        let ver = if is_x(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{pre}")
        } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
            dirty = true;
            minor_dirty = true;
            format!("{major}.0.0{pre}")
        } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{pre}")
        } else {
            g(2).to_string()
        };
        let con = Version::parse(&ver)?;
        Some(Constraint {
            con,
            op,
            minor_dirty,
            patch_dirty,
            dirty,
        })
    }

    impl Constraint {
        fn check(&self, v: &Version, include_pre: bool) -> bool {
            if !v.pre.is_empty() && !include_pre {
                return false;
            }
            let c = &self.con;
            let cmp = v.cmp_version(c);
            match self.op.as_str() {
                "" | "=" => {
                    if self.dirty {
                        self.tilde(v)
                    } else {
                        cmp == Ordering::Equal
                    }
                }
                "!=" => {
                    if self.dirty {
                        if c.major != v.major {
                            return true;
                        }
                        if c.minor != v.minor && !self.minor_dirty {
                            return true;
                        } else if self.minor_dirty {
                            return false;
                        } else if c.patch != v.patch && !self.patch_dirty {
                            return true;
                        } else if self.patch_dirty {
                            if !v.pre.is_empty() || !c.pre.is_empty() {
                                return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                            }
                            return false;
                        }
                    }
                    cmp != Ordering::Equal
                }
                ">" => {
                    if !self.dirty {
                        return cmp == Ordering::Greater;
                    }
                    if v.major != c.major {
                        return v.major > c.major;
                    }
                    if self.minor_dirty {
                        return false;
                    }
                    if self.patch_dirty {
                        return v.minor > c.minor;
                    }
                    cmp == Ordering::Greater
                }
                "<" => cmp == Ordering::Less,
                ">=" | "=>" => cmp != Ordering::Less,
                "<=" | "=<" => {
                    if !self.dirty {
                        return cmp != Ordering::Greater;
                    }
                    if v.major > c.major {
                        return false;
                    }
                    !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
                }
                "~" | "~>" => self.tilde(v),
                "^" => {
                    if cmp == Ordering::Less {
                        return false;
                    }
                    if c.major > 0 || self.minor_dirty {
                        return v.major == c.major;
                    }
                    if v.major > 0 {
                        return false;
                    }
                    if c.minor > 0 || self.patch_dirty {
                        return v.minor == c.minor;
                    }
                    if v.minor > 0 {
                        return false;
                    }
                    c.patch == v.patch
                }
                _ => false,
            }
        }

        fn tilde(&self, v: &Version) -> bool {
            let c = &self.con;
            if v.cmp_version(c) == Ordering::Less {
                return false;
            }
            if c.major == 0
                && c.minor == 0
                && c.patch == 0
                && !self.minor_dirty
                && !self.patch_dirty
            {
                return true;
            }
            if v.major != c.major {
                return false;
            }
            v.minor == c.minor || self.minor_dirty
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masterminds_constraints() {
        let ok = |c: &str, v: &str| is_compatible_range(c, v);
        assert!(ok("1.2.3", "1.2.3"));
        assert!(ok("v1.2.3", "1.2.3"));
        assert!(!ok("", "1.2.3"));
        assert!(ok("~1.2.0", "1.2.9"));
        assert!(!ok("~1.2.0", "1.3.0"));
        assert!(ok("^1.2.0", "1.9.0"));
        assert!(!ok("^0.2.0", "0.3.0"));
        assert!(ok("1.x", "1.5.0"));
        assert!(ok("*", "3.0.0"));
        assert!(ok(">=1.0.0, <2.0.0", "1.5.0"));
        assert!(ok(">=1.0.0 <2.0.0", "1.5.0"));
        assert!(!ok(">=1.0.0, <2.0.0", "2.0.0"));
        assert!(ok("1.0.0 - 2.0.0", "2.0.0"));
        assert!(ok("<1.0.0 || >=3.0.0", "3.1.0"));
        assert!(!ok(">=1.0.0", "1.5.0-rc.1"));
        assert!(ok(">=1.0.0-0", "1.5.0-rc.1"));
        assert!(ok("1.2", "1.2.7"));
        assert!(!ok("1.2.3", "not-a-version"));
    }

    #[test]
    fn lenient_versions() {
        assert!(semver::Version::parse("1").is_some());
        assert!(semver::Version::parse("v1.2").is_some());
        assert!(semver::Version::parse("01.2.3").is_some());
        assert!(semver::Version::parse("1.2.3-01").is_none());
        assert!(semver::Version::parse("x1.0.0").is_none());
    }
}
