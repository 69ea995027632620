#!/usr/bin/env python3
"""Regenerates chart-renderer/tests/goldens/schema.json from Helm's own validation
(helm-python-sdk: Chart.load(dir).validate_schema(values), i.e. Helm v4 + santhosh-tekuri/jsonschema v6).

Each case: a chart named "c" with a values.schema.json (and optional subcharts with theirs), the values
validated, and Helm's message (null when valid). Helm lists sibling errors in Go map order, which varies
between runs: tests compare the lines as unordered trees.
Run: python3 hack/gen-schema-goldens.py
"""
import json, os, tempfile
import helm_python as helm

OBJ = {
    "type": "object",
    "properties": {
        "replicaCount": {"type": "integer", "minimum": 1, "maximum": 5},
        "name": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
        "mode": {"enum": ["a", "b", 3]},
        "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
        "img": {"type": "object", "required": ["repo", "tag"], "additionalProperties": False,
                "properties": {"repo": {"type": "string"}, "tag": {"type": "string"}}},
    },
    "required": ["replicaCount"],
}
MISC = {
    "$defs": {"x": {"type": "string", "minLength": 5}, "o": {"type": "object", "required": ["a", "b"],
                                                            "properties": {"q": {"type": "string"}}}},
    "properties": {
        "a": {"maximum": 1000}, "b": {"type": ["string", "null", "integer"]}, "c": {"uniqueItems": True},
        "d": {"anyOf": [{"type": "string"}, {"minimum": 5}]}, "e": {"oneOf": [{"type": "integer"}, {"minimum": 5}]},
        "e2": {"oneOf": [{"type": "string"}, {"type": "boolean"}]},
        "f": {"allOf": [{"type": "string"}]}, "f2": {"allOf": [{"minimum": 3}, {"maximum": 1}, {"type": "integer"}]},
        "g": {"$ref": "#/$defs/x"}, "g2": {"$ref": "#/$defs/o"}, "h": {"not": {"type": "integer"}}, "i": False,
        "j": {"const": "k"}, "k": {"minimum": 0.5}, "l": {"exclusiveMinimum": 2, "exclusiveMaximum": 1},
        "m": {"multipleOf": 3}, "n": {"minProperties": 2, "maxProperties": 0}, "o": {"enum": ["only"]},
        "p": {"enum": [[1], "x"]}, "q": {"const": {"a": 1}}, "r": {"maxLength": 1},
        "s": {"if": {"type": "string"}, "then": {"minLength": 3}, "else": {"type": "integer"}},
        "t": {"propertyNames": {"pattern": "^[a-z]+$"}},
        "u": {"type": "object", "properties": {"v": {"type": "object", "properties": {"w": {"type": "integer"}}}}},
        "x": {"type": "string", "enum": ["a"], "minLength": 3},
        "y": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "string"}}, "required": ["n"]}},
        "a/b~c": {"type": "string"}, "it's": {"type": "string"},
    },
}
CASES = [
    ("type", OBJ, {"replicaCount": "x"}, None),
    ("required", OBJ, {}, None),
    ("valid", OBJ, {"replicaCount": 2, "name": "ab", "mode": 3, "tags": ["x"], "img": {"repo": "r", "tag": "t"}}, None),
    ("many1", OBJ, {"replicaCount": 0, "name": "A", "mode": "c", "tags": [], "img": {"x": 1}}, None),
    ("many2", OBJ, {"replicaCount": 9, "name": "abcdef", "tags": [1, "a", "b"], "img": {"repo": 1, "tag": "t", "y": 2, "z": 3}}, None),
    ("float", OBJ, {"replicaCount": 1.5}, None),
    ("intfloat", OBJ, {"replicaCount": 2.0}, None),
    ("null", OBJ, {"replicaCount": None}, None),
    ("misc", MISC, {"a": 123456.5, "b": 1.5, "c": [1, 2, 1, 2], "d": 1, "e": 7, "e2": 1, "f": 1, "f2": 2.5, "g": 1,
                    "g2": {"q": 1}, "h": 1, "i": 1, "j": "x", "k": 0.25, "l": 1.5, "m": 10, "n": {"a": 1},
                    "o": "no", "p": 2, "q": 1, "r": "héllo", "s": "ab", "t": {"Bad": 1, "ok": 2},
                    "u": {"v": {"w": "s"}}, "x": "b", "y": [{"n": 1}, {}, {"n": "ok"}],
                    "a/b~c": 1, "it's": 2}, None),
    ("misc-valid", MISC, {"e": 2.5, "s": 5, "g": "abcdef"}, None),
    ("s-else", MISC, {"s": True}, None),
    ("big", {"properties": {"a": {"maximum": 1000}, "b": {"minLength": 1200}, "c": {"minimum": 1e-7}}},
     {"a": 1234567.25, "b": "x", "c": 1e-9}, None),
    ("draft7", {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"p": {"type": "integer"}},
                "properties": {"a": {"$ref": "#/definitions/p", "minimum": 100}, "b": {"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": False}}},
     {"a": "x", "b": [1, "x", 3]}, None),
    ("subcharts", OBJ, {"replicaCount": "q", "sub": {"x": "s"}}, {"sub": {"type": "object", "properties": {"x": {"type": "integer"}}}}),
    ("subchart-only", OBJ, {"replicaCount": 1, "sub": {"x": "s"}}, {"sub": {"type": "object", "properties": {"x": {"type": "integer"}}}}),
    ("subchart-absent", OBJ, {"replicaCount": 1}, {"sub": {"type": "object", "required": ["x"]}}),
    ("bad-schema", "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}", {}, None),
]


def validate(schema, values, subcharts):
    d = tempfile.mkdtemp()
    c = os.path.join(d, "c")
    os.makedirs(c + "/templates")
    open(c + "/Chart.yaml", "w").write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    open(c + "/values.schema.json", "w").write(schema if isinstance(schema, str) else json.dumps(schema))
    for sub, sch in (subcharts or {}).items():
        sc = os.path.join(c, "charts", sub)
        os.makedirs(sc + "/templates")
        open(sc + "/Chart.yaml", "w").write(f"apiVersion: v2\nname: {sub}\nversion: 0.1.0\n")
        open(sc + "/values.schema.json", "w").write(json.dumps(sch))
    try:
        helm.Chart.load(c).validate_schema(values)
        return None
    except helm.HelmValuesError as e:
        return str(e)


def main():
    out = {"helm": helm.helm_sdk_version(), "cases": []}
    for name, schema, values, subs in CASES:
        out["cases"].append({"name": name, "schema": schema if isinstance(schema, str) else json.dumps(schema),
                             "subcharts": {k: json.dumps(v) for k, v in (subs or {}).items()},
                             "values": values, "helm": validate(schema, values, subs)})
    path = os.path.join(os.path.dirname(__file__), "..", "chart-renderer", "tests", "goldens", "schema.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
