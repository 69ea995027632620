#!/usr/bin/env python3
"""Regenerates lang.json: each case's expected output or error comes from Helm's real engine
(helm-python-sdk 0.2.2 = Helm v4.2.3), rendering a one-template chart `c` with the case's values.

Run: python3 chart-renderer/gotmpl/tests/golden/gen_lang.py
Cases live in lang_cases.py (template, values, and the functions/fmt support the Rust side needs).
"""
import json, os, shutil, sys, tempfile
import helm_python as helm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lang_cases import CASES  # noqa: E402


def render(files, vals):
    d = tempfile.mkdtemp()
    c = os.path.join(d, "c")
    os.makedirs(c + "/templates")
    with open(c + "/Chart.yaml", "w") as f:
        f.write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    for name, text in files.items():
        with open(c + "/templates/" + name, "w") as f:
            f.write(text)
    try:
        ch = helm.Chart.load(c)
        out = ch.render(vals, name="rel", namespace="ns")
        return {"ok": out.get("c/templates/t.yaml", "")}
    except Exception as e:  # Helm's error text is the golden
        return {"err": str(e)}
    finally:
        shutil.rmtree(d)


def main():
    out = []
    for case in CASES:
        files = {"t.yaml": case["tpl"]}
        files.update(case.get("extra", {}))
        res = render(files, case.get("values", {}))
        entry = dict(case)
        entry.update(res)
        out.append(entry)
    with open(os.path.join(HERE, "lang.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(out)} cases")


if __name__ == "__main__":
    main()
