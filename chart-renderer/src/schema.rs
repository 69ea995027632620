//! `values.schema.json` validation with Helm v4's error text.
//!
//! Helm v4 validates with santhosh-tekuri/jsonschema v6 and prints its "basic" error tree:
//!
//! ```text
//! mychart:
//! - at '/replicaCount': got string, want integer
//! - at '/image': validation failed
//!   - at '/image': missing properties 'repository', 'tag'
//!   - at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent'
//! ```
//!
//! Validation itself is the `jsonschema` crate's; this module rebuilds v6's tree from that crate's flat
//! error list. v6 groups the errors of every subschema it applies: a subschema with one error passes
//! it up as is, one with several becomes `validation failed` with them as children; `allOf`, `anyOf`
//! and `oneOf` failures list their subschemas' results; a failed `type`, `const` or `enum` is the only
//! error of its subschema. Messages use v6's wording, numbers with English digit grouping (`1,000`).
//!
//! Known differences: v6 visits object properties in Go's random map order, so Helm's own line order
//! varies between runs; ours is sorted by property name. Formats are not asserted (v6's default too).
//! `contains` failures have no child lines. Remote (`http(s)://`, `file://`) `$ref`s are not loaded.

use crate::strvals::go_quote;
use gotmpl::{Map, Value};
use serde_json::Value as Json;
use thiserror::Error;

/// The URL Helm registers the schema under (`$ref`s resolve against it).
const SCHEMA_URL: &str = "file:///values.schema.json";

/// A failed validation: the whole message Helm prints (chart name lines included).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct SchemaError(pub String);

/// A chart's schema and its dependencies', for [`validate_tree`].
#[derive(Debug, Clone, Default)]
pub struct SchemaNode {
    /// The chart's name (`Chart.yaml` `name`).
    pub name: String,
    /// The raw `values.schema.json`, if the chart has one.
    pub schema: Option<Vec<u8>>,
    /// Subcharts, in `Chart.Dependencies()` order.
    pub dependencies: Vec<SchemaNode>,
}

/// Helm's `ValidateAgainstSchema`: the chart's schema against `values`, then each subchart's against
/// `values.<subchart name>` (skipped when absent or null). All failures are reported together.
/// Like Helm, pass the coalesced values (chart defaults merged in), where every subchart has a map.
pub fn validate_tree(chart: &SchemaNode, values: &Map) -> Result<(), SchemaError> {
    let mut out = String::new();
    collect_tree(chart, values, &mut out);
    if out.is_empty() {
        Ok(())
    } else {
        Err(SchemaError(out))
    }
}

fn collect_tree(chart: &SchemaNode, values: &Map, out: &mut String) {
    if let Some(raw) = &chart.schema {
        if let Err(e) = validate_single(raw, &Value::Map(values.clone())) {
            out.push_str(&chart.name);
            out.push_str(":\n");
            out.push_str(&e);
        }
    }
    for sub in &chart.dependencies {
        match values.get(&sub.name) {
            None | Some(Value::Nil) | Some(Value::Invalid) => {}
            Some(Value::Map(m)) => collect_tree(sub, &m, out),
            Some(other) => {
                out.push_str(&format!(
                    "{}:\ninvalid type for values: expected object (map), got {}\n",
                    sub.name,
                    other.type_name()
                ));
            }
        }
    }
}

/// One chart's schema (already parsed) against its values: `Err` carries `NAME:\n` and the report.
pub fn validate(chart_name: &str, schema: &Json, values: &Value) -> Result<(), SchemaError> {
    validate_parsed(schema, values).map_err(|e| SchemaError(format!("{chart_name}:\n{e}")))
}

/// Helm's `ValidateAgainstSingleSchema` on the raw schema bytes; `Err` is its error text.
pub fn validate_single(schema: &[u8], values: &Value) -> Result<(), String> {
    let text = String::from_utf8_lossy(schema);
    let parsed: Json =
        serde_json::from_str(&text).map_err(|e| crate::strvals::go_json_error(&e, &text))?;
    validate_parsed(&parsed, values)
}

fn validate_parsed(schema: &Json, values: &Value) -> Result<(), String> {
    let instance = values.to_json();
    // Validate against a copy whose `$schema` names the draft in the spelling the crate knows: Helm's
    // validator (santhosh-tekuri/jsonschema v6) also accepts `https://` and a missing trailing `#`,
    // which charts in the wild use.
    let schema = &canonical_schema(schema, detect_draft(schema)?);
    let v = Validation::new(schema)?;
    let errors = v.errors(&v.validator, &instance, &[]);
    if errors.is_empty() {
        return Ok(());
    }
    let refs: Vec<&Flat> = errors.iter().collect();
    let items = v.collect_at(&refs, 0, 0, &instance);
    let mut out = String::new();
    for item in &items {
        item.display(&mut out, 1);
    }
    // Helm strips v6's header line and ends the report with a newline.
    out.push('\n');
    Err(out.trim_start_matches('\n').to_string())
}

/// One error of the flat list, its paths split into segments.
struct Flat {
    inst: Vec<String>,
    schema: Vec<String>,
    kind: jsonschema::error::ValidationErrorKind,
    instance: Json,
}

/// A line of the report and the lines under it.
struct Item {
    loc: Vec<String>,
    msg: String,
    children: Vec<Item>,
}

impl Item {
    fn display(&self, out: &mut String, indent: usize) {
        out.push('\n');
        for _ in 1..indent {
            out.push_str("  ");
        }
        let ptr: String = self
            .loc
            .iter()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect();
        out.push_str(&format!("- at {}: {}", v6_quote(&ptr), self.msg));
        for c in &self.children {
            c.display(out, indent + 1);
        }
    }
}

/// v6's `quote`: Go's `%q` in single quotes.
fn v6_quote(s: &str) -> String {
    let q = go_quote(s);
    let inner = &q[1..q.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

/// v6's result of one subschema: one error as is, several as `validation failed`.
fn fold(loc: &[String], mut items: Vec<Item>) -> Option<Item> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => Some(Item {
            loc: loc.to_vec(),
            msg: "validation failed".into(),
            children: items,
        }),
    }
}

/// Keywords that apply a subschema named by the next segment, and whether they move into the instance.
fn named_applicator(kw: &str) -> Option<bool> {
    match kw {
        "properties" | "patternProperties" => Some(true),
        "allOf" | "anyOf" | "oneOf" | "dependentSchemas" | "dependencies" | "$defs"
        | "definitions" => Some(false),
        _ => None,
    }
}

/// Keywords that apply one subschema, and whether they move into the instance.
fn single_applicator(kw: &str) -> Option<bool> {
    match kw {
        "additionalProperties"
        | "unevaluatedProperties"
        | "items"
        | "additionalItems"
        | "unevaluatedItems"
        | "contains" => Some(true),
        "not" | "if" | "then" | "else" | "$ref" | "$dynamicRef" | "$recursiveRef"
        | "propertyNames" => Some(false),
        _ => None,
    }
}

/// Order of v6's keyword checks within one subschema (lower first).
fn rank(kw: &str) -> u32 {
    match kw {
        "type" => 0,
        "const" => 1,
        "enum" => 2,
        "format" => 3,
        "$ref" => 4,
        "minProperties" => 10,
        "maxProperties" => 11,
        "required" => 12,
        "dependencies" => 13,
        "properties" | "patternProperties" | "additionalProperties" => 14,
        "propertyNames" => 16,
        "dependentSchemas" => 17,
        "dependentRequired" => 18,
        "minItems" => 20,
        "maxItems" => 21,
        "uniqueItems" => 22,
        "items" | "prefixItems" | "additionalItems" => 23,
        "contains" | "minContains" | "maxContains" => 24,
        "minLength" => 30,
        "maxLength" => 31,
        "pattern" => 32,
        "minimum" => 40,
        "maximum" => 41,
        "exclusiveMinimum" => 42,
        "exclusiveMaximum" => 43,
        "multipleOf" => 44,
        "$dynamicRef" | "$recursiveRef" => 50,
        "not" => 51,
        "allOf" => 52,
        "anyOf" => 53,
        "oneOf" => 54,
        "if" | "then" | "else" => 55,
        "unevaluatedProperties" | "unevaluatedItems" => 60,
        _ => 70,
    }
}

/// The draft a schema's `$schema` names, accepting `http`/`https` and an optional trailing `#` or `#/`
/// as Helm does; no `$schema`, or the version-less `http://json-schema.org/schema` (used by every bitnami
/// chart), means the newest draft (Helm's validator maps that URL to its latest draft, 2020-12).
fn detect_draft(root: &Json) -> Result<jsonschema::Draft, String> {
    let Some(url) = root.get("$schema").and_then(Json::as_str) else {
        return jsonschema::Draft::default()
            .detect(root)
            .map_err(|e| e.to_string());
    };
    let url = url
        .strip_suffix("#/")
        .or_else(|| url.strip_suffix('#'))
        .unwrap_or(url);
    let normalised = url.replacen("https://", "http://", 1);
    let draft = match normalised.as_str() {
        "http://json-schema.org/schema" => jsonschema::Draft::Draft202012,
        "http://json-schema.org/draft-04/schema" => jsonschema::Draft::Draft4,
        "http://json-schema.org/draft-06/schema" => jsonschema::Draft::Draft6,
        "http://json-schema.org/draft-07/schema" => jsonschema::Draft::Draft7,
        "http://json-schema.org/draft/2019-09/schema" => jsonschema::Draft::Draft201909,
        "http://json-schema.org/draft/2020-12/schema" => jsonschema::Draft::Draft202012,
        _ => {
            return jsonschema::Draft::default()
                .detect(root)
                .map_err(|e| e.to_string())
        }
    };
    Ok(draft)
}

/// `root` with `$schema` spelled the way the `jsonschema` crate recognises `draft`.
fn canonical_schema(root: &Json, draft: jsonschema::Draft) -> Json {
    let mut copy = root.clone();
    if let Some(obj) = copy.as_object_mut() {
        if obj.contains_key("$schema") {
            let url = match draft {
                jsonschema::Draft::Draft4 => "http://json-schema.org/draft-04/schema#",
                jsonschema::Draft::Draft6 => "http://json-schema.org/draft-06/schema#",
                jsonschema::Draft::Draft7 => "http://json-schema.org/draft-07/schema#",
                jsonschema::Draft::Draft201909 => "https://json-schema.org/draft/2019-09/schema",
                _ => "https://json-schema.org/draft/2020-12/schema",
            };
            obj.insert("$schema".into(), Json::String(url.into()));
        }
    }
    copy
}

struct Validation<'s> {
    root: &'s Json,
    draft: jsonschema::Draft,
    validator: jsonschema::Validator,
}

impl<'s> Validation<'s> {
    fn new(root: &'s Json) -> Result<Self, String> {
        let draft = detect_draft(root)?;
        let validator = Self::options(root, draft)?
            .build(root)
            .map_err(|e| e.to_string())?;
        Ok(Validation {
            root,
            draft,
            validator,
        })
    }

    fn options(
        root: &Json,
        draft: jsonschema::Draft,
    ) -> Result<jsonschema::ValidationOptions, String> {
        let mut o = jsonschema::options();
        o.with_draft(draft).should_validate_formats(false);
        let resource =
            jsonschema::Resource::from_contents(root.clone()).map_err(|e| e.to_string())?;
        o.with_resource(SCHEMA_URL, resource);
        Ok(o)
    }

    /// The flat errors of `validator` on `instance`, with `prefix` prepended to instance paths.
    fn errors(
        &self,
        validator: &jsonschema::Validator,
        instance: &Json,
        prefix: &[String],
    ) -> Vec<Flat> {
        let split = |p: &str| -> Vec<String> {
            p.split('/')
                .skip(1)
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect()
        };
        validator
            .iter_errors(instance)
            .map(|e| {
                let mut inst = prefix.to_vec();
                inst.extend(split(e.instance_path.as_str()));
                Flat {
                    inst,
                    schema: split(e.schema_path.as_str()),
                    kind: e.kind,
                    instance: e.instance.into_owned(),
                }
            })
            .collect()
    }

    /// The schema at a keyword path, following local `$ref`s; with the canonical pointer to it.
    fn resolve(&self, path: &[String]) -> Option<(&'s Json, String)> {
        let mut node = self.root;
        let mut ptr = String::new();
        for seg in path {
            if seg == "$ref" {
                let target = node.get("$ref")?.as_str()?;
                let local = target
                    .strip_prefix(SCHEMA_URL)
                    .unwrap_or(target)
                    .strip_prefix('#')?;
                node = self.root.pointer(local)?;
                ptr = local.to_string();
                continue;
            }
            node = match node {
                Json::Object(o) => o.get(seg)?,
                Json::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
            ptr.push('/');
            ptr.push_str(&seg.replace('~', "~0").replace('/', "~1"));
        }
        Some((node, ptr))
    }

    /// Errors of the subschema at canonical pointer `ptr` for the value at `loc` (v6's re-validation of
    /// `anyOf`/`oneOf` branches, which the flat list does not carry).
    fn branch(
        &self,
        ptr: &str,
        value: &Json,
        loc: &[String],
        root_instance: &Json,
    ) -> Option<Vec<Item>> {
        let wrapper = serde_json::json!({ "$ref": format!("{SCHEMA_URL}#{ptr}") });
        let validator = Self::options(self.root, self.draft)
            .ok()?
            .build(&wrapper)
            .ok()?;
        let mut errors = self.errors(&validator, value, loc);
        // Paths start at the wrapper's `$ref`: re-root them at the branch so keywords resolve in `root`.
        let base: Vec<String> = ptr
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        for e in &mut errors {
            let rest = e.schema.split_off(1.min(e.schema.len()));
            e.schema = base.iter().cloned().chain(rest).collect();
        }
        let refs: Vec<&Flat> = errors.iter().collect();
        Some(self.collect_at(&refs, base.len(), loc.len(), root_instance))
    }

    /// v6's error list for the subschema at `errors[..].schema[..depth]`, applied at instance depth
    /// `inst_depth`. `root_instance` is the whole instance the paths point into.
    fn collect_at(
        &self,
        errors: &[&Flat],
        depth: usize,
        inst_depth: usize,
        root_instance: &Json,
    ) -> Vec<Item> {
        let Some(first) = errors.first() else {
            return Vec::new();
        };
        let here: Vec<String> = first.inst[..inst_depth.min(first.inst.len())].to_vec();
        // (rank, sort key, item)
        let mut out: Vec<(u32, String, Item)> = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        let mut required_loc = here.clone();
        // Children grouped by their step: key -> (step length, instance step, errors).
        let mut steps: Vec<(String, usize, usize, Vec<&Flat>)> = Vec::new();
        for &e in errors {
            let kw = e.schema.get(depth).map(String::as_str).unwrap_or("");
            let (len, descend) = if let Some(d) =
                named_applicator(kw).filter(|_| e.schema.len() > depth + 2)
            {
                (2, d)
            } else if kw == "prefixItems" && e.schema.len() > depth + 2 {
                (2, true)
            } else if kw == "items"
                && e.schema.len() > depth + 2
                && e.schema[depth + 1].parse::<usize>().is_ok()
            {
                // Draft 7 tuple form `items: [..]`.
                (2, true)
            } else if let Some(d) = single_applicator(kw).filter(|_| e.schema.len() > depth + 1) {
                (1, d)
            } else {
                // The error is this subschema's own keyword.
                if let jsonschema::error::ValidationErrorKind::Required { property } = &e.kind {
                    missing.push(
                        property
                            .as_str()
                            .map(String::from)
                            .unwrap_or_else(|| property.to_string()),
                    );
                    required_loc = e.inst.clone();
                } else {
                    // A keyword's own error follows the errors of the subschemas it applied.
                    for item in
                        self.own_items(&e.kind, &e.instance, &e.inst, &e.schema, root_instance)
                    {
                        out.push((rank(kw), "\u{10FFFF}".to_string(), item));
                    }
                }
                continue;
            };
            let inst_step = if descend { 1 } else { 0 };
            let mut key = e.schema[depth..depth + len].join("/");
            if descend {
                key.push('@');
                key.push_str(e.inst.get(inst_depth).map(String::as_str).unwrap_or(""));
            }
            match steps.iter_mut().find(|s| s.0 == key) {
                Some(s) => s.3.push(e),
                None => steps.push((key, len, inst_step, vec![e])),
            }
        }
        if !missing.is_empty() {
            let msg = if missing.len() == 1 {
                format!("missing property {}", v6_quote(&missing[0]))
            } else {
                format!(
                    "missing properties {}",
                    missing
                        .iter()
                        .map(|m| v6_quote(m))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out.push((
                rank("required"),
                String::new(),
                Item {
                    loc: required_loc,
                    msg,
                    children: Vec::new(),
                },
            ));
        }
        // A failed type/const/enum ends v6's checks of this subschema.
        if let Some(pos) = out.iter().position(|(r, _, _)| *r <= 2) {
            let (_, _, item) = out.swap_remove(pos);
            return vec![item];
        }
        let mut all_of: Vec<Item> = Vec::new();
        for (key, len, inst_step, errs) in steps {
            let kw = errs[0].schema[depth].clone();
            let child_loc: Vec<String> =
                errs[0].inst[..(inst_depth + inst_step).min(errs[0].inst.len())].to_vec();
            let items = self.collect_at(&errs, depth + len, inst_depth + inst_step, root_instance);
            let Some(item) = fold(&child_loc, items) else {
                continue;
            };
            if kw == "allOf" {
                all_of.push(item);
                continue;
            }
            // Properties are visited in (sorted) instance key order, then by keyword.
            let last = child_loc.last().cloned().unwrap_or_default();
            // Array items in index order, properties by name.
            let last = last.parse::<u64>().map_or(last, |n| format!("{n:020}"));
            let sort = format!("{last}\u{0}{key}");
            out.push((rank(&kw), sort, item));
        }
        if !all_of.is_empty() {
            out.push((
                rank("allOf"),
                String::new(),
                Item {
                    loc: here,
                    msg: "'allOf' failed".into(),
                    children: all_of,
                },
            ));
        }
        out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        out.into_iter().map(|(_, _, item)| item).collect()
    }

    /// Items for one error that is the subschema's own keyword.
    fn own_items(
        &self,
        kind: &jsonschema::error::ValidationErrorKind,
        inst: &Json,
        loc: &[String],
        schema: &[String],
        root_instance: &Json,
    ) -> Vec<Item> {
        use jsonschema::error::ValidationErrorKind as K;
        let at = |msg: String| {
            vec![Item {
                loc: loc.to_vec(),
                msg,
                children: Vec::new(),
            }]
        };
        let got_num = || group_number(inst.as_f64().unwrap_or(0.0));
        let limit = |v: &Json| group_number(v.as_f64().unwrap_or(0.0));
        // v6's "KEYWORD: got X, want Y" for numeric bounds and for counts.
        let bound = |kw: &str, want: String| at(format!("{kw}: got {}, want {want}", got_num()));
        let count = |kw: &str, got: u64, want: u64| {
            at(format!(
                "{kw}: got {}, want {}",
                group_count(got),
                group_count(want)
            ))
        };
        match kind {
            K::Type { .. } => {
                let want = self
                    .resolve(&schema[..schema.len().saturating_sub(1)])
                    .and_then(|(s, _)| s.get("type").cloned())
                    .map(|t| type_names(&t))
                    .unwrap_or_default();
                at(format!("got {}, want {}", json_type(inst), want))
            }
            K::Constant { expected_value } => at(match expected_value {
                Json::Array(_) | Json::Object(_) => "'const' failed".into(),
                v => format!("value must be {}", display(v)),
            }),
            K::Enum { options } => {
                let opts = options.as_array().cloned().unwrap_or_default();
                at(if opts.iter().any(|o| o.is_array() || o.is_object()) {
                    "'enum' failed".into()
                } else if opts.len() == 1 {
                    format!("value must be {}", display(&opts[0]))
                } else {
                    format!(
                        "value must be one of {}",
                        opts.iter().map(display).collect::<Vec<_>>().join(", ")
                    )
                })
            }
            K::Minimum { limit: l } => bound("minimum", limit(l)),
            K::Maximum { limit: l } => bound("maximum", limit(l)),
            K::ExclusiveMinimum { limit: l } => bound("exclusiveMinimum", limit(l)),
            K::ExclusiveMaximum { limit: l } => bound("exclusiveMaximum", limit(l)),
            K::MultipleOf { multiple_of } => bound("multipleOf", group_number(*multiple_of)),
            K::MinLength { limit: l } => count("minLength", str_len(inst), *l),
            K::MaxLength { limit: l } => count("maxLength", str_len(inst), *l),
            K::MinItems { limit: l } => count("minItems", arr_len(inst), *l),
            K::MaxItems { limit: l } => count("maxItems", arr_len(inst), *l),
            K::MinProperties { limit: l } => count("minProperties", obj_len(inst), *l),
            K::MaxProperties { limit: l } => count("maxProperties", obj_len(inst), *l),
            K::Pattern { pattern } => at(format!(
                "{} does not match pattern {}",
                v6_quote(inst.as_str().unwrap_or("")),
                v6_quote(pattern)
            )),
            K::AdditionalProperties { unexpected } => at(format!(
                "additional properties {} not allowed",
                unexpected
                    .iter()
                    .map(|u| v6_quote(u))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            K::AdditionalItems { limit: l } => at(format!(
                "last {} additionalItem(s) not allowed",
                arr_len(inst).saturating_sub(*l as u64)
            )),
            K::UniqueItems => {
                let (i, j) = first_duplicate(inst);
                at(format!("items at {i} and {j} are equal"))
            }
            K::FalseSchema => at("false schema".into()),
            K::Not { .. } => at("'not' failed".into()),
            K::Contains => at("no items match contains schema".into()),
            K::AnyOf | K::OneOfNotValid | K::OneOfMultipleValid => {
                self.branches(kind, inst, loc, schema, root_instance)
            }
            K::PropertyNames { error } => {
                // v6 validates the name as a value of its own, so these lines are located at ''.
                let name = error.instance.as_str().unwrap_or("");
                let inner_schema: Vec<String> = error
                    .schema_path
                    .as_str()
                    .split('/')
                    .skip(1)
                    .map(|s| s.replace("~1", "/").replace("~0", "~"))
                    .collect();
                vec![Item {
                    loc: Vec::new(),
                    msg: format!("invalid propertyName {}", v6_quote(name)),
                    children: self.own_items(
                        &error.kind,
                        &error.instance,
                        &[],
                        &inner_schema,
                        root_instance,
                    ),
                }]
            }
            K::UnevaluatedProperties { unexpected } => unexpected
                .iter()
                .map(|p| {
                    let mut loc = loc.to_vec();
                    loc.push(p.clone());
                    Item {
                        loc,
                        msg: "false schema".into(),
                        children: Vec::new(),
                    }
                })
                .collect(),
            other => at(format!("{other:?}")),
        }
    }

    /// `anyOf`/`oneOf` failures: v6 lists each branch's errors under the keyword's line.
    fn branches(
        &self,
        kind: &jsonschema::error::ValidationErrorKind,
        inst: &Json,
        loc: &[String],
        schema: &[String],
        root_instance: &Json,
    ) -> Vec<Item> {
        use jsonschema::error::ValidationErrorKind as K;
        let kw = if matches!(kind, K::AnyOf) {
            "anyOf"
        } else {
            "oneOf"
        };
        let value = instance_at(root_instance, loc).unwrap_or(inst);
        let (count, ptr) = match self.resolve(schema) {
            Some((Json::Array(a), ptr)) => (a.len(), ptr),
            _ => (0, String::new()),
        };
        let results: Vec<Option<Vec<Item>>> = (0..count)
            .map(|i| self.branch(&format!("{ptr}/{i}"), value, loc, root_instance))
            .collect();
        let at = loc.to_vec();
        if matches!(kind, K::OneOfMultipleValid) {
            let valid: Vec<usize> = results
                .iter()
                .enumerate()
                .filter(|(_, r)| r.as_ref().is_some_and(Vec::is_empty))
                .map(|(i, _)| i)
                .collect();
            let (a, b) = (
                valid.first().copied().unwrap_or(0),
                valid.get(1).copied().unwrap_or(1),
            );
            return vec![Item {
                loc: at,
                msg: format!("'oneOf' failed, subschemas {a}, {b} matched"),
                children: Vec::new(),
            }];
        }
        let children: Vec<Item> = results
            .into_iter()
            .flatten()
            .filter_map(|items| fold(loc, items))
            .collect();
        let msg = if kw == "anyOf" {
            "'anyOf' failed".to_string()
        } else {
            "'oneOf' failed, none matched".to_string()
        };
        vec![Item {
            loc: at,
            msg,
            children,
        }]
    }
}

fn instance_at<'j>(root: &'j Json, path: &[String]) -> Option<&'j Json> {
    path.iter().try_fold(root, |node, seg| match node {
        Json::Object(o) => o.get(seg),
        Json::Array(a) => a.get(seg.parse::<usize>().ok()?),
        _ => None,
    })
}

fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// The `type` keyword's names in v6's fixed order, joined with ` or `.
fn type_names(t: &Json) -> String {
    let listed: Vec<&str> = match t {
        Json::String(s) => vec![s.as_str()],
        Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    [
        "null", "boolean", "number", "integer", "string", "array", "object",
    ]
    .into_iter()
    .filter(|n| listed.contains(n))
    .collect::<Vec<_>>()
    .join(" or ")
}

/// v6's `display` of an enum/const value: strings quoted, composites as `value`, numbers as written.
fn display(v: &Json) -> String {
    match v {
        Json::String(s) => v6_quote(s),
        Json::Array(_) | Json::Object(_) => "value".into(),
        Json::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

fn str_len(v: &Json) -> u64 {
    v.as_str().map_or(0, |s| s.chars().count() as u64)
}
fn arr_len(v: &Json) -> u64 {
    v.as_array().map_or(0, |a| a.len() as u64)
}
fn obj_len(v: &Json) -> u64 {
    v.as_object().map_or(0, |o| o.len() as u64)
}

/// JSON equality with numbers compared by value (`1` equals `1.0`), as v6 compares.
fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn first_duplicate(v: &Json) -> (usize, usize) {
    let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
    for j in 1..items.len() {
        for i in 0..j {
            if json_eq(&items[i], &items[j]) {
                return (i, j);
            }
        }
    }
    (0, 0)
}

/// English digit grouping of an integer's decimal digits (x/text's message printer does this).
fn group_digits(digits: &str) -> String {
    // ASCII digits: the first group holds 1–3 digits, every later one exactly 3.
    let first = match digits.len() % 3 {
        0 => 3.min(digits.len()),
        r => r,
    };
    let mut out = digits[..first].to_string();
    for chunk in digits.as_bytes()[first..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
    }
    out
}

fn group_count(n: u64) -> String {
    group_digits(&n.to_string())
}

/// Go's `%v` of a float64 through x/text's English message printer: `%g`'s shortest form (exponent
/// below 1e-4 and from 1e6 on), written `1.5×10⁰⁶`; otherwise the integer part grouped by thousands.
fn group_number(f: f64) -> String {
    let abs = f.abs();
    if f != 0.0 && !(1e-4..1e6).contains(&abs) {
        let s = format!("{f:e}");
        let Some((mantissa, exp)) = s.split_once('e') else {
            return s;
        };
        let (minus, digits) = exp.strip_prefix('-').map_or(("", exp), |d| ("⁻", d));
        const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
        let sup: String = format!("{digits:0>2}")
            .chars()
            .map(|c| c.to_digit(10).map_or(c, |d| SUP[d as usize]))
            .collect();
        return format!("{mantissa}×10{minus}{sup}");
    }
    let s = format!("{f}");
    let (neg, body) = s.strip_prefix('-').map_or(("", s.as_str()), |b| ("-", b));
    let (int, frac) = body
        .split_once('.')
        .map_or((body, None), |(i, f)| (i, Some(f)));
    match frac {
        Some(frac) => format!("{neg}{}.{frac}", group_digits(int)),
        None => format!("{neg}{}", group_digits(int)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_an_english_go_message_printer() {
        // Expected texts follow the Helm outputs in tests/goldens/schema.json ("big" and "misc").
        assert_eq!(group_count(7), "7");
        assert_eq!(group_count(1200), "1,200");
        assert_eq!(group_count(1234567), "1,234,567");
        assert_eq!(group_number(123456.5), "123,456.5");
        assert_eq!(group_number(-1000.0), "-1,000");
        assert_eq!(group_number(0.25), "0.25");
        assert_eq!(group_number(1234567.25), "1.23456725×10⁰⁶");
        assert_eq!(group_number(1e-9), "1×10⁻⁰⁹");
    }

    #[test]
    fn versionless_meta_schema_url_is_the_latest_draft() {
        // Helm accepts bitnami's "http://json-schema.org/schema#" and applies 2020-12 (prefixItems is
        // enforced: tests/conformance/charts/schema-dialect-latest, err-prefix-items).
        for url in [
            "http://json-schema.org/schema#",
            "https://json-schema.org/schema",
            "http://json-schema.org/schema#/",
        ] {
            let root = serde_json::json!({ "$schema": url });
            assert!(matches!(
                detect_draft(&root),
                Ok(jsonschema::Draft::Draft202012)
            ));
        }
        let root = serde_json::json!({ "$schema": "http://json-schema.org/draft-07/schema#/" });
        assert!(matches!(detect_draft(&root), Ok(jsonschema::Draft::Draft7)));
    }

    #[test]
    fn quotes_like_v6() {
        assert_eq!(v6_quote("it's"), "'it\\'s'");
        assert_eq!(v6_quote("a\"b"), "'a\"b'");
    }
}
