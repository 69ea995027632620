#!/usr/bin/env python3
"""Generates chart-renderer/tests/goldens/yaml_*.json from Helm v4's real engine (helm-python-sdk 0.2.2,
Helm v4.2.3). Each golden records an input and what Helm's template functions made of it.

    python3 hack/yaml_goldens.py          # rewrites the goldens

Cases live in hack/yaml_cases/*.yaml-cases: documents separated by a line `=====`.
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


def render(template, values):
    """Renders one template with the given values; returns its output."""
    d = tempfile.mkdtemp()
    try:
        c = os.path.join(d, "c")
        os.makedirs(os.path.join(c, "templates"))
        with open(os.path.join(c, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
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


if __name__ == "__main__":
    decode_goldens()
