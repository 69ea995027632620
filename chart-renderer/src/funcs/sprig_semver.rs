//! Sprig's `semver` and `semverCompare`, with the rules of `Masterminds/semver` v3.5 (what Helm v4.2
//! links): versions parse "coerced" (a `v` prefix, missing minor/patch and leading zeros are accepted),
//! constraints are `||`-separated groups of space- or comma-separated `OP VERSION` terms, with `x`/`*`
//! wildcards, `~`, `^` and `A - B` ranges. A prerelease version only satisfies a group in which some
//! term itself names a prerelease.
//!
//! The grammar is written here as regular expressions mirroring the library's documented syntax.

use super::args::str_arg;
use gotmpl::value::{Object, Value};
use gotmpl::{FuncError, FuncMap, Function, ParamType as P};
use regex::Regex;
use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("semver", &[P::String], None, |a| {
        let v = Version::parse(&str_arg(&a[0]))?;
        Ok(Value::Object(Arc::new(SemverObject { v, by_value: false })))
    }));
    m.insert(Function::pure(
        "semverCompare",
        &[P::String, P::String],
        None,
        |a| {
            let c = Constraints::parse(&str_arg(&a[0]))?;
            let v = Version::parse(&str_arg(&a[1]))?;
            Ok(Value::Bool(c.check(&v)))
        },
    ));
}

/// The version syntax pieces (ASCII digits, as Go's `\d` is ASCII).
const CV: &str = r"v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

struct Patterns {
    loose: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        // These are fixed, known-good patterns: failing to compile them is a programming error.
        let re = |s: String| Regex::new(&s).expect("semver grammar compiles");
        Patterns {
            loose: re(r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$".into()),
            constraint: re(format!(r"^\s*({OPS})\s*({CV})\s*$")),
            range: re(format!(r"\s*({CV})\s+-\s+({CV})\s*")),
            find: re(format!(r"({OPS})\s*({CV})")),
            valid: re(format!(r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$")),
        }
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    /// `semver.NewVersion` with coercion.
    pub fn parse(s: &str) -> Result<Version, FuncError> {
        let caps = patterns()
            .loose
            .captures(s)
            .ok_or_else(|| FuncError("invalid semantic version".into()))?;
        let seg = |i: usize| -> Result<u64, FuncError> {
            match caps.get(i) {
                None => Ok(0),
                Some(m) => {
                    let t = m.as_str().trim_start_matches('.');
                    t.parse::<u64>().map_err(|_| {
                        FuncError(format!(
                            "error parsing version segment: strconv.ParseUint: parsing {}: value out of range",
                            super::sprig_strings::go_quote(t)
                        ))
                    })
                }
            }
        };
        let v = Version {
            major: seg(1)?,
            minor: seg(2)?,
            patch: seg(3)?,
            pre: caps
                .get(5)
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            metadata: caps
                .get(8)
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            original: s.to_string(),
        };
        if !v.pre.is_empty() {
            for part in v.pre.split('.') {
                if part.is_empty() {
                    return Err(FuncError("invalid prerelease string".into()));
                }
                if part.bytes().all(|b| b.is_ascii_digit())
                    && part.len() > 1
                    && part.starts_with('0')
                {
                    return Err(FuncError("version segment starts with 0".into()));
                }
            }
        }
        Ok(v)
    }

    fn cmp(&self, o: &Version) -> Ordering {
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

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

/// Dot-separated identifiers: numeric ones compare as numbers and sort before alphanumeric ones, a
/// missing identifier sorts first.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let (s, o) = (
            pa.get(i).copied().unwrap_or(""),
            pb.get(i).copied().unwrap_or(""),
        );
        let d = compare_pre_part(s, o);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (_, Err(_)) => Ordering::Less,
        (Err(_), _) => Ordering::Greater,
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Debug)]
struct Term {
    op: Op,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

struct Constraints {
    groups: Vec<(Vec<Term>, bool)>,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraints {
    fn parse(c: &str) -> Result<Constraints, FuncError> {
        let p = patterns();
        // `A - B` ranges become `>= A, <= B `.
        let mut text = c.to_string();
        let ranges: Vec<(String, String, String)> = p
            .range
            .captures_iter(c)
            .map(|m| {
                (
                    m[0].to_string(),
                    m[1].to_string(),
                    m.get(11)
                        .map(|x| x.as_str().to_string())
                        .unwrap_or_default(),
                )
            })
            .collect();
        for (whole, a, b) in ranges {
            text = text.replacen(&whole, &format!(">= {a}, <= {b} "), 1);
        }
        let mut groups = Vec::new();
        for part in text.split("||") {
            if !p.valid.is_match(part) {
                return Err(FuncError(format!(
                    "improper constraint: {}",
                    super::sprig_strings::go_quote(part)
                )));
            }
            let mut found: Vec<&str> = p.find.find_iter(part).map(|m| m.as_str()).collect();
            if found.is_empty() {
                found.push(part);
            }
            let mut terms = Vec::new();
            let mut has_pre = false;
            for t in found {
                let term = Self::parse_term(t)?;
                has_pre |= !term.con.pre.is_empty();
                terms.push(term);
            }
            groups.push((terms, has_pre));
        }
        Ok(Constraints { groups })
    }

    fn parse_term(s: &str) -> Result<Term, FuncError> {
        let m = patterns().constraint.captures(s).ok_or_else(|| {
            FuncError(format!(
                "improper constraint: {}",
                super::sprig_strings::go_quote(s)
            ))
        })?;
        let op = match &m[1] {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            _ => Op::Caret,
        };
        let g = |i: usize| m.get(i).map(|x| x.as_str()).unwrap_or("");
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
        let con = Version::parse(&ver).map_err(|_| FuncError("constraint parser error".into()))?;
        Ok(Term {
            op,
            con,
            dirty,
            minor_dirty,
            patch_dirty,
        })
    }

    fn check(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .any(|(terms, has_pre)| terms.iter().all(|t| t.check(v, *has_pre)))
    }
}

impl Term {
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.cmp(c) == Ordering::Equal
                }
            }
            Op::NotEqual => {
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
                v.cmp(c) != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty {
                    return v.cmp(c) == Ordering::Greater;
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
                v.cmp(c) == Ordering::Greater
            }
            Op::Less => v.cmp(c) == Ordering::Less,
            Op::GreaterEqual => v.cmp(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return v.cmp(c) != Ordering::Greater;
                }
                if v.major > c.major {
                    return false;
                }
                !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => {
                if v.cmp(c) == Ordering::Less {
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
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.cmp(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// A `*semver.Version` (or, for the `Inc*`/`Set*` results, a `semver.Version`) as a template value.
#[derive(Debug)]
struct SemverObject {
    v: Version,
    by_value: bool,
}

const METHODS: &[(&str, usize)] = &[
    ("Major", 0),
    ("Minor", 0),
    ("Patch", 0),
    ("Prerelease", 0),
    ("Metadata", 0),
    ("Original", 0),
    ("String", 0),
    ("IncPatch", 0),
    ("IncMinor", 0),
    ("IncMajor", 0),
    ("SetPrerelease", 1),
    ("SetMetadata", 1),
    ("Compare", 1),
    ("LessThan", 1),
    ("LessThanEqual", 1),
    ("GreaterThan", 1),
    ("GreaterThanEqual", 1),
    ("Equal", 1),
];

/// Methods declared on `*Version`, which a `Version` value returned by `IncMajor` etc. lacks.
const POINTER_ONLY: &[&str] = &[
    "Original",
    "Compare",
    "LessThan",
    "LessThanEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "Equal",
];

impl SemverObject {
    fn other(arg: Option<&Value>) -> Result<Version, String> {
        match arg {
            Some(Value::Object(o)) if o.type_name() == "*semver.Version" => {
                Version::parse(&o.go_format()).map_err(|e| e.0)
            }
            Some(other) => Err(format!(
                "wrong type for value; expected *semver.Version; got {}",
                other.type_name()
            )),
            None => Err("missing argument".into()),
        }
    }

    fn derived(&self, v: Version) -> Value {
        Value::Object(Arc::new(SemverObject { v, by_value: true }))
    }

    fn v_prefix(&self) -> &'static str {
        if self.v.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }
}

impl Object for SemverObject {
    fn type_name(&self) -> &str {
        if self.by_value {
            "semver.Version"
        } else {
            "*semver.Version"
        }
    }
    fn kind_name(&self) -> &'static str {
        if self.by_value {
            "struct"
        } else {
            "ptr"
        }
    }
    fn field(&self, _name: &str) -> Option<Value> {
        // The struct's fields are unexported.
        None
    }
    fn has_method(&self, name: &str) -> bool {
        // A `semver.Version` value (not pointer) only has the value-receiver methods.
        METHODS.iter().any(|(n, _)| *n == name) && !(self.by_value && POINTER_ONLY.contains(&name))
    }
    fn method_arity(&self, name: &str) -> (usize, bool) {
        (
            METHODS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| *a)
                .unwrap_or(0),
            false,
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let v = &self.v;
        let mut next = v.clone();
        Ok(match name {
            "Major" => Value::Uint64(v.major),
            "Minor" => Value::Uint64(v.minor),
            "Patch" => Value::Uint64(v.patch),
            "Prerelease" => Value::from(v.pre.as_str()),
            "Metadata" => Value::from(v.metadata.as_str()),
            "Original" => Value::from(v.original.as_str()),
            "String" => Value::from(v.to_string()),
            "IncPatch" | "IncMinor" | "IncMajor" => {
                next.metadata.clear();
                match name {
                    "IncPatch" if !v.pre.is_empty() => {}
                    "IncPatch" => {
                        next.patch = v
                            .patch
                            .checked_add(1)
                            .ok_or("patch version increment would overflow uint64")?
                    }
                    "IncMinor" => {
                        next.patch = 0;
                        next.minor = v
                            .minor
                            .checked_add(1)
                            .ok_or("minor version increment would overflow uint64")?;
                    }
                    _ => {
                        next.patch = 0;
                        next.minor = 0;
                        next.major = v
                            .major
                            .checked_add(1)
                            .ok_or("major version increment would overflow uint64")?;
                    }
                }
                next.pre.clear();
                next.original = format!("{}{}", self.v_prefix(), next);
                self.derived(next)
            }
            "SetPrerelease" | "SetMetadata" => {
                let text = args
                    .first()
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if name == "SetPrerelease" {
                    next.pre = text;
                } else {
                    next.metadata = text;
                }
                next.original = format!("{}{}", self.v_prefix(), next);
                self.derived(next)
            }
            _ => {
                let o = Self::other(args.first())?;
                let ord = v.cmp(&o);
                match name {
                    "Compare" => Value::Int(match ord {
                        Ordering::Less => -1,
                        Ordering::Equal => 0,
                        Ordering::Greater => 1,
                    }),
                    "LessThan" => Value::Bool(ord == Ordering::Less),
                    "LessThanEqual" => Value::Bool(ord != Ordering::Greater),
                    "GreaterThan" => Value::Bool(ord == Ordering::Greater),
                    "GreaterThanEqual" => Value::Bool(ord != Ordering::Less),
                    _ => Value::Bool(ord == Ordering::Equal),
                }
            }
        })
    }
    fn go_format(&self) -> String {
        // `*Version` and `Version` both have `String()`, which fmt prefers.
        self.v.to_string()
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.v.to_string())
    }
}
