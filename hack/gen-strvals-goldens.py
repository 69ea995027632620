#!/usr/bin/env python3
"""Regenerates chart-renderer/tests/goldens/strvals.json from Helm's own strvals parsers
(helm-python-sdk: parse_set_string = --set, parse_set_string_values = --set-string, parse_set_json,
parse_set_file, parse_set_literal). Each case is [line, result-or-null, error-or-null].
--set-file paths are relative to chart-renderer/, where cargo runs the tests.
Run: python3 hack/gen-strvals-goldens.py
"""
import json, os
import helm_python as helm

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.join(HERE, "..", "chart-renderer")

COMMON = [
    "a=1", "a=b", "a=1,b=2", "a.b=1", "a.b.c=x,a.b.d=y", "a=", "a", "a,b=1", "=1", "a.=1", "a..b=1",
    "a=1,a.b=2", "a.b=1,a=2", "a.b=1,a.b.c=2", "a[0]=x", "a[1]=x", "a[0]", "a[0]x=1", "a[x]=1", "a[]=1",
    "a[-1]=1", "a[+1]=1", "a[65536]=1", "a[65537]=1", "a[99999999999999999999]=1", "a[0]=1,a[2]=3",
    "a[0].b=1,a[2].c=2", "a[0].b=1,a[0].c=2", "a[0]=1,a[0].b=2", "a[0][1]=x", "a[0][0]=1,a[0][1]=2",
    "a[0]=1,a[0][0]=2", "a=1,a[0]=2", "a=null,a[0]=1", "a.b=1,a[0]=1", "a[0]=1,a.b=2", "a[0", "a[0]=",
    "a[0]={x,y}", "a={}", "a={x}", "a={x,y}", "a={x,y},b=z", "a={x,y}b=z", "a={1,2", "a={,}", "a={a\\,b,c}",
    "a\\.b=1", "a=x\\,y", "a=x\\", "a\\", "a\\=b=c", 'a."b"=1', "a b=c d", " a = b ", "a=b=c", "a=b,c",
    "a=1,a=2", "a.b=1,a.c=2", "a=TRUE,b=NuLL,c=0,d=007,e=-0,f=+5,g=1e3,h=9223372036854775808,i=-9223372036854775808",
    "a=true,b=false,c=null,d=True,e=1.5,f=0x10,g=00,h=-1,i= 1,j=1 ", "name=value,outer.inner=value,list={a,b}",
    "x=\t\"q\"\n", "ünï=cödé", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a1.a2.a3.a4.a5=1",
    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a1.a2.a3.a4.a5.a6=1",
    "a[0].b.c=1", "a[1].b=x,a[0]=y", "list[0].name=a,list[0].v=1,list[1].name=b", "a=b,,c=d", ",a=b",
]

JSON_ONLY = [
    'a={"b":[1,2]}', "a=1x", "a= ,b=2", "a=foo", 'a={"b":', "a=1 b=2", 'a[0]="x"', '{"a":1}',
    "a=[1,2],b=true", "a=null", 'a="x,y",b=1', "a=1.5e3", 'a[1]={"k":"v"}', "a=", "a=[", 'a="unterminated',
]

FILES = [
    "a=tests/goldens/strvals-files/a.txt", "a=tests/goldens/strvals-files/n.txt",
    "a=tests/goldens/strvals-files/comma.txt,b=tests/goldens/strvals-files/n.txt",
    "a[0]=tests/goldens/strvals-files/n.txt", "a={tests/goldens/strvals-files/n.txt,tests/goldens/strvals-files/a.txt}",
]

KINDS = {
    "set": helm.parse_set_string,
    "string": helm.parse_set_string_values,
    "json": helm.parse_set_json,
    "literal": helm.parse_set_literal,
    "file": helm.parse_set_file,
}


def run(fn, line):
    try:
        return [line, fn(line), None]
    except helm.HelmError as e:
        return [line, None, str(e)]


def main():
    os.chdir(CRATE)
    out = {"helm": helm.helm_sdk_version(), "cases": {}}
    for kind, fn in KINDS.items():
        lines = COMMON + (JSON_ONLY if kind == "json" else []) + (FILES if kind == "file" else [])
        if kind == "file":
            lines = FILES + ["a", "a=", "a=missing-file.txt", "a=tests/goldens", "a.b=tests/goldens/strvals-files/n.txt"]
        out["cases"][kind] = [run(fn, l) for l in lines]
    with open(os.path.join(CRATE, "tests", "goldens", "strvals.json"), "w") as f:
        f.write('{"helm": %s, "cases": {\n' % json.dumps(out["helm"]))
        blocks = []
        for kind, cases in out["cases"].items():
            rows = ",\n".join("  " + json.dumps(c, ensure_ascii=False) for c in cases)
            blocks.append(" %s: [\n%s\n ]" % (json.dumps(kind), rows))
        f.write(",\n".join(blocks) + "\n}}\n")


if __name__ == "__main__":
    main()
