//! The complete list of functions a Helm v4 template can call, and a check that we offer every one.
//!
//! Sources (read 2026-11-25): Sprig v3.3.0 `functions.go` (`genericMap`, which `TxtFuncMap()` copies), Helm
//! v4.2.3 `pkg/engine/funcs.go` (`funcMap()`: deletes `env` and `expandenv`, adds the names in
//! [`HELM_EXTRA`] and the engine-bound [`ENGINE_BOUND`]), and Go's `text/template/funcs.go` builtins.
//! Every name was also checked against Helm's real engine (helm-python-sdk 0.2.2 = Helm v4.2.3): each of
//! them parses inside `{{ if false }}…{{ end }}`, while `env`, `expandenv` and `durationSeconds`
//! (added to Helm after v4.2.3) fail with `function "…" not defined`.

use std::collections::BTreeSet;

/// Sprig v3.3.0 `genericMap` minus `env`/`expandenv` and minus `toJson`/`fromJson`/`mustToJson`, which Helm
/// replaces (listed in [`HELM_EXTRA`]); 206 names, including `hello`.
const SPRIG: &[&str] = &[
    "abbrev",
    "abbrevboth",
    "add",
    "add1",
    "add1f",
    "addf",
    "adler32sum",
    "ago",
    "all",
    "any",
    "append",
    "atoi",
    "b32dec",
    "b32enc",
    "b64dec",
    "b64enc",
    "base",
    "bcrypt",
    "biggest",
    "buildCustomCert",
    "camelcase",
    "cat",
    "ceil",
    "chunk",
    "clean",
    "coalesce",
    "compact",
    "concat",
    "contains",
    "date",
    "dateInZone",
    "dateModify",
    "date_in_zone",
    "date_modify",
    "decryptAES",
    "deepCopy",
    "deepEqual",
    "default",
    "derivePassword",
    "dict",
    "dig",
    "dir",
    "div",
    "divf",
    "duration",
    "durationRound",
    "empty",
    "encryptAES",
    "ext",
    "fail",
    "first",
    "float64",
    "floor",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "get",
    "getHostByName",
    "has",
    "hasKey",
    "hasPrefix",
    "hasSuffix",
    "hello",
    "htmlDate",
    "htmlDateInZone",
    "htpasswd",
    "indent",
    "initial",
    "initials",
    "int",
    "int64",
    "isAbs",
    "join",
    "kebabcase",
    "keys",
    "kindIs",
    "kindOf",
    "last",
    "list",
    "lower",
    "max",
    "maxf",
    "merge",
    "mergeOverwrite",
    "min",
    "minf",
    "mod",
    "mul",
    "mulf",
    "mustAppend",
    "mustChunk",
    "mustCompact",
    "mustDateModify",
    "mustDeepCopy",
    "mustFirst",
    "mustFromJson",
    "mustHas",
    "mustInitial",
    "mustLast",
    "mustMerge",
    "mustMergeOverwrite",
    "mustPrepend",
    "mustPush",
    "mustRegexFind",
    "mustRegexFindAll",
    "mustRegexMatch",
    "mustRegexReplaceAll",
    "mustRegexReplaceAllLiteral",
    "mustRegexSplit",
    "mustRest",
    "mustReverse",
    "mustSlice",
    "mustToDate",
    "mustToPrettyJson",
    "mustToRawJson",
    "mustUniq",
    "mustWithout",
    "must_date_modify",
    "nindent",
    "nospace",
    "now",
    "omit",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "pick",
    "pluck",
    "plural",
    "prepend",
    "push",
    "quote",
    "randAlpha",
    "randAlphaNum",
    "randAscii",
    "randBytes",
    "randInt",
    "randNumeric",
    "regexFind",
    "regexFindAll",
    "regexMatch",
    "regexQuoteMeta",
    "regexReplaceAll",
    "regexReplaceAllLiteral",
    "regexSplit",
    "repeat",
    "replace",
    "rest",
    "reverse",
    "round",
    "semver",
    "semverCompare",
    "seq",
    "set",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "shuffle",
    "slice",
    "snakecase",
    "sortAlpha",
    "split",
    "splitList",
    "splitn",
    "squote",
    "sub",
    "subf",
    "substr",
    "swapcase",
    "ternary",
    "title",
    "toDate",
    "toDecimal",
    "toPrettyJson",
    "toRawJson",
    "toString",
    "toStrings",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "trimall",
    "trunc",
    "tuple",
    "typeIs",
    "typeIsLike",
    "typeOf",
    "uniq",
    "unixEpoch",
    "unset",
    "until",
    "untilStep",
    "untitle",
    "upper",
    "urlJoin",
    "urlParse",
    "uuidv4",
    "values",
    "without",
    "wrap",
    "wrapWith",
];

/// Added by Helm v4.2.3's `funcMap()` (overriding Sprig's `toJson`/`fromJson`).
const HELM_EXTRA: &[&str] = &[
    "toToml",
    "mustToToml",
    "fromToml",
    "toYaml",
    "mustToYaml",
    "toYamlPretty",
    "fromYaml",
    "fromYamlArray",
    "toJson",
    "mustToJson",
    "fromJson",
    "fromJsonArray",
];

/// Added by Helm's engine per render because they need the running template set or a cluster.
const ENGINE_BOUND: &[&str] = &["include", "tpl", "required", "lookup"];

/// Go `text/template` predefined functions. `slice` is absent: Sprig defines its own, and a template's
/// own functions win over Go's builtins of the same name (it is listed in [`SPRIG`]).
const GO_BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "js", "len", "not", "or", "print", "printf", "println",
    "urlquery", "eq", "ne", "lt", "le", "gt", "ge",
];

/// Names Helm deletes from Sprig's map: they must NOT be offered.
const REMOVED: &[&str] = &["env", "expandenv"];

fn missing() -> Vec<&'static str> {
    let funcs = chart_renderer::funcs::helm_funcs();
    let engine: BTreeSet<&str> = ENGINE_BOUND.iter().copied().collect();
    SPRIG
        .iter()
        .chain(HELM_EXTRA)
        .chain(GO_BUILTINS)
        .copied()
        .filter(|n| !engine.contains(n) && !funcs.contains(n))
        .collect()
}

#[test]
fn every_helm_function_is_offered() {
    let missing = missing();
    if !missing.is_empty() {
        println!("missing {} functions: {}", missing.len(), missing.join(" "));
    }
    assert!(missing.is_empty(), "missing functions: {missing:?}");
}

#[test]
fn removed_functions_are_absent() {
    let funcs = chart_renderer::funcs::helm_funcs();
    for n in REMOVED {
        assert!(
            !funcs.contains(n),
            "{n} must not be offered (Helm deletes it)"
        );
    }
}

#[test]
fn inventory_has_no_duplicates() {
    let all: Vec<&str> = SPRIG
        .iter()
        .chain(HELM_EXTRA)
        .chain(ENGINE_BOUND)
        .chain(GO_BUILTINS)
        .copied()
        .collect();
    let set: BTreeSet<&str> = all.iter().copied().collect();
    assert_eq!(all.len(), set.len());
    // 206 Sprig-only names, 12 Helm additions or replacements, 4 engine-bound names, 18 Go builtins.
    assert_eq!(
        (SPRIG.len(), HELM_EXTRA.len(), GO_BUILTINS.len()),
        (206, 12, 18)
    );
}
