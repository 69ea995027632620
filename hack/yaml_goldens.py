#!/usr/bin/env python3
"""Generates chart-renderer/tests/goldens/yaml_*.json from Helm v4's real engine (helm-python-sdk 0.2.2,
Helm v4.2.3). Each golden records an input and what Helm's template functions made of it.

    python3 hack/yaml_goldens.py          # rewrites the goldens

Cases live in hack/yaml_cases/*.yaml-cases: documents separated by a line `=====`. Inputs whose result
depends on Go map iteration order (e.g. keys `1` and `"1"` in one map) must not be added: Helm itself
is not deterministic there.
"""
import json
import os
import shutil
import tempfile

import helm_python as helm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "hack", "yaml_cases")
OUT = os.path.join(ROOT, "chart-renderer", "tests", "goldens")


def read_cases(name):
    with open(os.path.join(CASES, name), encoding="utf-8") as f:
        text = f.read()
    parts = text.split("\n=====\n")
    return [p for p in parts]


def render(template, values, values_yaml=None):
    """Renders one template with the given values (and optionally a chart values.yaml); returns its
    output."""
    d = tempfile.mkdtemp()
    try:
        c = os.path.join(d, "c")
        os.makedirs(os.path.join(c, "templates"))
        with open(os.path.join(c, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        if values_yaml is not None:
            with open(os.path.join(c, "values.yaml"), "w", newline="") as f:
                f.write(values_yaml)
        with open(os.path.join(c, "templates", "t.yaml"), "w") as f:
            f.write(template)
        ch = helm.Chart.load(c)
        out = ch.render(values, name="rel", namespace="ns")
        return out["c/templates/t.yaml"]
    finally:
        shutil.rmtree(d)


SEP = "\n@@@@@\n"


def run(template_per_case, cases):
    """Renders every case through `template_per_case` (which sees the case as `.`), one render in all."""
    tpl = "{{- range .Values.cases }}" + template_per_case + SEP.replace("\n", "{{ \"\\n\" }}") + "{{- end }}"
    out = render(tpl, {"cases": cases})
    parts = out.split(SEP)
    assert parts[-1] == "", repr(parts[-1])
    parts = parts[:-1]
    assert len(parts) == len(cases), (len(parts), len(cases))
    return parts


def decode_goldens():
    cases = read_cases("decode.yaml-cases")
    m = run("{{ fromYaml . | toJson }}", cases)
    a = run("{{ fromYamlArray . | toJson }}", cases)
    rows = [{"input": c, "fromYaml": x, "fromYamlArray": y} for c, x, y in zip(cases, m, a)]
    write("yaml_decode.json", rows)


def write(name, rows):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{name}: {len(rows)} cases")


ENCODERS = ["toYaml", "toYamlPretty", "toJson", "toPrettyJson", "toRawJson", "toToml"]


def encode_goldens():
    """Every input is decoded by Helm (`fromYaml`, or `fromYamlArray` when it starts with `#array`) and
    re-encoded by each encoder; the Rust test decodes the same input with our decoder."""
    cases = read_cases("encode.yaml-cases")
    import encode_cases  # generated string cases

    cases += encode_cases.cases()
    rows = [{"input": c} for c in cases]
    for enc in ENCODERS:
        outs = run(
            '{{ if hasPrefix "#array" . }}{{ fromYamlArray . | ' + enc + ' }}{{ else }}{{ fromYaml . | ' + enc + " }}{{ end }}",
            cases,
        )
        for r, o in zip(rows, outs):
            r[enc] = o
    write("yaml_encode.json", rows)


JSON_CASES = [
    '{"a": 1}', '{"a": {"b": [1, 2.5, -0, 1e3, 1E-7, true, false, null, "s"]}}', '[1, 2]', '"str"', '1', 'true',
    'null', '', '   ', '{', '{"a"', '{"a":', '{"a": 1', '{"a": 1,', '{"a" 1}', '{a: 1}', "{'a': 1}", '[1,]',
    '[1 2]', '{"a": 1,}', '{} x', '[] []', 'tru', 'trUe', 'nul', 'f', '-', '-a', '01', '1.', '1.e3', '1e',
    '1e+', '.5', '+1', '"\\q"', '"\\u12"', '"\\u123g"', '"a\tb"', '"\\ud83d\\ude00"', '"\\ud83d"',
    '"\\u0041\\n\\/"', '{"a": 1e400}', '[1e400, 2]', '{"a": 1, "a": 2}', '{"<>&": "\\u003c"}',
    '\ufeff{}', '{"k": "\u2028"}', '[[[[[]]]]]', '{"a":{"b":{"c":{}}}}', '12345678901234567890',
    '1.7976931348623157e308', '5e-324', '"\x01"', 'x', '\t[1]\n',
]

TOML_CASES = [
    'a = 1\nb = 1.5\nc = "x"\n', 'a = 1e6\nb = -0.0\nc = inf\nd = true\n', '[t]\nx = [1, 2]\n[t.u]\ny = "z"\n',
    '[[arr]]\nf = 1\n[[arr]]\nf = 2\n', 'x = { a = 1, b = [1, 2] }\n', '"quoted key" = 1\n', 'a.b.c = 1\n',
    "s = 'lit'\nm = \"\"\"\nmulti\nline\"\"\"\n", 'i = 0x1F\no = 0o17\nb = 0b101\nu = 1_000\n', '',
]


def json_goldens():
    m = run("{{ fromJson . | toJson }}", JSON_CASES)
    a = run("{{ fromJsonArray . | toJson }}", JSON_CASES)
    rows = [{"input": c, "fromJson": x, "fromJsonArray": y} for c, x, y in zip(JSON_CASES, m, a)]
    # mustFromJson fails the whole render, so each case is rendered on its own.
    for r in rows:
        try:
            r["mustFromJson"] = render("{{ mustFromJson .Values.c | toJson }}", {"c": r["input"]})
        except helm.HelmError as e:  # the message carries Go's error after "error calling mustFromJson: "
            msg = str(e)
            r["mustFromJsonError"] = msg[msg.index("error calling mustFromJson: ") + len("error calling mustFromJson: "):]
    write("json_decode.json", rows)


VALUES_FILES = [
    "a: 1\n", "a: 1\n---\nb: 2\n", "a: {x: 1, y: 2}\n---\na: {y: 3, z: 4}\n", "a: {x: 1}\n---\na: 5\n",
    "a: 5\n---\na: {x: 1}\n", "---\n---\na: 1\n--- # comment\nb: 2\n...\n", "a: 1\r\n---\r\nb: |\r\n  x\r\n",
    "a: |\n  no final newline", "---\n", "", "# nothing\n", "a: 1\n---x\nb: 2\n", "a: 1\n--- b: 2\n",
    "a: 1\n---\n- 1\n", "a: 1\n---\nb: [\n", "a: [1, 2]\n---\na: [3]\n", " ---\na: 1\n",
    "a: 1\n----\nb: 2\n",
]


def values_goldens():
    rows = []
    for v in VALUES_FILES:
        try:
            rows.append({"input": v, "values": render("{{ toJson .Values }}", {}, values_yaml=v)})
        except helm.HelmError as e:
            rows.append({"input": v, "error": str(e)})
    write("yaml_values.json", rows)


def toml_goldens():
    t = run("{{ fromToml . | toJson }}", TOML_CASES)
    rows = [{"input": c, "fromToml": x} for c, x in zip(TOML_CASES, t)]
    write("toml_decode.json", rows)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, CASES)
    decode_goldens()
    encode_goldens()
    json_goldens()
    toml_goldens()
    values_goldens()
