"""Random, well-formed Go templates and Helm values for differential testing against Helm's engine.

Every generated template is syntactically valid Go template text whose functions exist in Helm's function
map. Type errors at run time are allowed on purpose: both engines must then fail with the same message.
The generator is deterministic for a given seed so every difference found can be replayed and turned
into a conformance case.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# Scalars that stress printing and YAML: Go float formatting, YAML 1.1 specials, quoting, unicode.
# "1e3" is a string to PyYAML (which writes values.yaml here) but a float to Helm's YAML reader: kept out
# of values so paths keep their kinds, but used as a literal.
STRINGS = [
    "", "a", "hello world", "yes", "no", "on", "off", "true", "false", "null", "~", "1.0", "0x1F", "1e3",
    "-", ":", "a: b", "#x", "  lead", "trail  ", "multi\nline\n", "tab\there", "quote\"d", "it's",
    "<b>&amp;</b>", "ünïcödé", "日本", "012", "+1", ".5", "{a}", "[1]", "*", "&a", "!t", "%d", "{{x}}",
]
NUMBERS = [0, 1, -1, 2, 3, 10, 42, 100, 255, 1000, 65536, 1000000, 123456789, -7, 0.5, 1.5, -2.25, 3.0,
           1e6, 1e21, 1e-5, 0.1, 12345.678]


@dataclass
class Values:
    """A random values tree plus the paths that lead to each kind of leaf."""

    tree: dict
    paths: dict = field(default_factory=dict)  # kind -> list of dotted paths


def random_scalar(rng: random.Random):
    r = rng.random()
    if r < 0.4:
        return rng.choice([x for x in STRINGS if x != "1e3"])
    if r < 0.75:
        return rng.choice(NUMBERS)
    if r < 0.9:
        return rng.choice([True, False])
    return None


def random_values(rng: random.Random, depth: int = 0) -> dict:
    out = {}
    for i in range(rng.randint(2, 6)):
        # No "y"/"n" keys: YAML 1.1 (Helm's reader) turns a plain `y:` key into "true".
        key = rng.choice(["a", "b", "c", "name", "port", "enabled", "items", "cfg", "x", "yy", "list", "m"]) + (
            str(i) if rng.random() < 0.3 else "")
        r = rng.random()
        if depth < 3 and r < 0.25:
            out[key] = random_values(rng, depth + 1)
        elif r < 0.4:
            out[key] = [random_scalar(rng) if rng.random() < 0.8 else random_values(rng, 3)
                        for _ in range(rng.randint(0, 4))]
        else:
            out[key] = random_scalar(rng)
    return out


def collect_paths(tree, prefix="$.Values", acc=None):
    acc = acc if acc is not None else {"any": [], "map": [], "list": [], "string": [], "number": [], "bool": []}
    for k, v in tree.items():
        p = f"{prefix}.{k}"
        acc["any"].append(p)
        if isinstance(v, dict):
            acc["map"].append(p)
            collect_paths(v, p, acc)
        elif isinstance(v, list):
            acc["list"].append(p)
        elif isinstance(v, bool):
            acc["bool"].append(p)
        elif isinstance(v, (int, float)):
            acc["number"].append(p)
        elif isinstance(v, str):
            acc["string"].append(p)
    return acc


def go_string_literal(rng: random.Random, s: str) -> str:
    if rng.random() < 0.2 and "`" not in s:
        return "`" + s + "`"
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


class TemplateGen:
    """Builds random template text over a values tree."""

    def __init__(self, rng: random.Random, values: dict):
        self.rng = rng
        self.paths = collect_paths(values)
        self.vars: list[str] = []

    def path(self, kind="any") -> str:
        cands = self.paths.get(kind) or self.paths["any"] or ["$.Values"]
        if kind == "any" and self.rng.random() < 0.02:
            return "$.Values.missing" + self.rng.choice(["", ".deeper"])
        return self.rng.choice(cands)

    def literal(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return go_string_literal(self.rng, self.rng.choice(STRINGS))
        if r < 0.7:
            return self.rng.choice(["0", "1", "-3", "42", "0x1F", "0o17", "0b101", "1_000", "'a'", "1.5",
                                    "1e3", "-0.25", "1000000", "1e6"])
        if r < 0.85:
            return self.rng.choice(["true", "false"])
        return "nil" if self.rng.random() < 0.3 else '""'

    def operand(self, depth: int) -> str:
        r = self.rng.random()
        if self.vars and r < 0.15:
            return self.rng.choice(self.vars)
        if r < 0.5:
            return self.path(self.rng.choice(["any", "string", "number", "map", "list", "bool"]))
        if r < 0.75 or depth > 2:
            return self.literal()
        return "(" + self.pipeline(depth + 1) + ")"

    # Left out because Helm's own output is not deterministic: `keys`, `values` (Go map order) and
    # `shuffle` (random); `keys` appears only piped into `sortAlpha`.
    # `set` is left out: `set .Values "k" .Values` builds a cyclic map, and printing one overflows Go's stack
    # and kills the whole Helm process (a conformance case covers `set` instead).
    # Functions by shape: (name, argument kinds, result kind). Kinds: s string, i int, x any, l list,
    # m map, f printf format, b bool. Arguments are drawn to fit the kind, so most templates run; the rest
    # fail on purpose, and both engines must fail alike.
    FUNCS = [
        ("upper", "s", "s"), ("lower", "s", "s"), ("title", "s", "s"), ("quote", "x", "s"),
        ("squote", "x", "s"), ("trim", "s", "s"), ("trunc", "is", "s"), ("repeat", "is", "s"),
        ("indent", "is", "s"), ("nindent", "is", "s"), ("default", "xx", "x"), ("empty", "x", "b"),
        ("toString", "x", "s"), ("toYaml", "x", "s"), ("toJson", "x", "s"), ("len", "l", "i"),
        ("not", "x", "b"), ("and", "xx", "x"), ("or", "xx", "x"), ("eq", "xx", "b"), ("ne", "ss", "b"),
        ("lt", "ii", "b"), ("ge", "ss", "b"), ("print", "xx", "s"), ("printf", "fx", "s"),
        ("println", "x", "s"), ("b64enc", "s", "s"), ("sha256sum", "s", "s"), ("add", "ix", "x"),
        ("mul", "ix", "x"), ("sub", "ix", "x"), ("max", "ix", "x"), ("min", "ix", "x"), ("int", "x", "i"),
        ("int64", "x", "x"), ("float64", "x", "x"), ("atoi", "s", "i"), ("kindOf", "x", "s"),
        ("typeOf", "x", "s"), ("list", "xx", "l"), ("first", "l", "x"), ("last", "l", "x"),
        ("has", "xl", "b"), ("join", "sl", "s"), ("splitList", "ss", "l"),
        ("hasKey", "ms", "b"), ("get", "ms", "x"), ("dig", "sxm", "x"), ("ternary", "xxb", "x"),
        ("coalesce", "xx", "x"), ("contains", "ss", "b"), ("hasPrefix", "ss", "b"),
        ("replace", "sss", "s"), ("snakecase", "s", "s"), ("camelcase", "s", "s"), ("kebabcase", "s", "s"),
        ("semverCompare", "ss", "b"), ("toStrings", "l", "l"), ("sortAlpha", "l", "l"), ("uniq", "l", "l"),
        ("compact", "l", "l"), ("html", "s", "s"), ("js", "s", "s"), ("urlquery", "s", "s"),
        ("regexMatch", "ss", "b"), ("regexReplaceAll", "sss", "s"), ("abbrev", "is", "s"),
        ("wrap", "is", "s"), ("initials", "s", "s"), ("nospace", "s", "s"), ("cat", "xx", "s"),
        ("toYamlPretty", "x", "s"), ("toPrettyJson", "x", "s"), ("floor", "x", "x"), ("ceil", "x", "x"),
        ("round", "xi", "x"), ("until", "i", "l"), ("deepEqual", "xx", "b"), ("pluck", "sm", "l"),
        ("pick", "ms", "m"), ("omit", "ms", "m"), ("merge", "Mm", "m"),
        ("dict", "sx", "m"), ("reverse", "l", "l"), ("append", "lx", "l"), ("without", "lx", "l"),
        ("rest", "l", "l"), ("initial", "l", "l"), ("squote", "x", "s"), ("substr", "iis", "s"),
        ("splitn", "sis", "m"), ("trimSuffix", "ss", "s"), ("trimPrefix", "ss", "s"), ("swapcase", "s", "s"),
        ("untitle", "s", "s"), ("b64dec", "s", "s"), ("toDecimal", "x", "x"), ("sha1sum", "s", "s"),
        ("adler32sum", "s", "s"), ("fromYaml", "s", "m"), ("fromJson", "s", "m"), ("toToml", "m", "s"),
        ("semver", "s", "x"), ("mod", "ii", "x"), ("div", "ii", "x"), ("add1", "i", "x"),
        ("addf", "xx", "x"), ("mulf", "xx", "x"), ("divf", "xx", "x"), ("maxf", "xx", "x"),
        ("biggest", "ii", "x"), ("regexFindAll", "ssi", "l"), ("regexSplit", "ssi", "l"),
        ("quote", "x", "s"), ("chunk", "il", "l"), ("concat", "ll", "l"), ("slice", "li", "l"),
        ("mustFirst", "l", "x"), ("index", "li", "x"), ("tuple", "xx", "l"), ("fail", "s", "s"),
        ("required", "sx", "x"), ("tpl", "sx", "s"), ("include", "nx", "s"), ("toRawJson", "x", "s"),
        ("fromYamlArray", "s", "l"), ("fromJsonArray", "s", "l"), ("durationRound", "s", "s"),
        ("ternary", "ssb", "s"), ("deepCopy", "m", "m"),
        ("hasSuffix", "ss", "b"), ("plural", "ssi", "s"), ("len", "s", "i"),
    ]
    FORMATS = ['"%v"', '"%d"', '"%s"', '"%q"', '"%5.2f"', '"%x"', '"%-6v|"', '"%T"', '"%+v"', '"%#v"', '"%e"',
               '"%g"', '"%08.3f"', '"%t"', '"%c"', '"%v %v"', '"%[2]v %[1]v"', '"%%"', '"%!"', '"%6.2v"',
               '"%o"', '"%X"', '"%U"', '"% d"', '"%+d"', '"%10s|"', '"%-10q|"', '"%.3s"']

    def arg(self, kind: str, depth: int) -> str:
        rng = self.rng
        if rng.random() < 0.005:  # a deliberately odd argument now and then
            return self.operand(depth)
        if kind == "s":
            if self.vars and rng.random() < 0.1:
                return "(toString " + rng.choice(self.vars) + ")"
            return rng.choice([go_string_literal(rng, rng.choice(STRINGS)), self.path("string"),
                               go_string_literal(rng, rng.choice(["{{ .Values | keys | sortAlpha }}",
                                                                   "x{{ 1 }}", "^a.*", "(\\w+)", "$1",
                                                                   ">1.0.0", "1.2.3", "a,b,c", ",",
                                                                   "{\"a\": 1}", "a: [1, 2]", "1h30m",
                                                                   "k = 1"]))])
        if kind == "i":
            return rng.choice(["0", "1", "2", "3", "5", "-1", "10", "0x10", "'c'"])
        if kind == "f":
            return rng.choice(self.FORMATS)
        if kind == "n":
            return '"helper"'
        if kind == "b":
            return rng.choice(["true", "false", self.path("bool")])
        if kind == "l":
            return rng.choice([self.path("list"), '(list 1 "b" 2.5)', "(list)", '(list "z" "a" "a")',
                               "(keys " + self.path("map") + " | sortAlpha)",
                               "(until 4)", '(splitList "," "a,,b")'])
        if kind == "M":  # a fresh map: merge's first argument is mutated
            return '(dict "k" 1)'
        if kind == "m":
            return rng.choice([self.path("map"), '(dict "k" 1 "j" "v")', "$.Values", "(dict)"])
        return self.operand(depth)

    def command(self, depth: int, kind: str | None = None) -> tuple[str, str]:
        name, kinds, result = self.rng.choice(self.FUNCS)
        return " ".join([name] + [self.arg(k, depth) for k in kinds]), result

    def pipeline(self, depth: int = 0) -> str:
        if self.rng.random() < 0.75:
            first, kind = self.command(depth)
        else:
            first, kind = self.operand(depth), "x"
        stages = [first]
        for _ in range(self.rng.randint(0, 2)):
            # The piped value is the last argument: pick a function whose last parameter takes it.
            fits = [f for f in self.FUNCS if f[1] and (f[1][-1] == "x" or f[1][-1] == kind)]
            name, kinds, result = self.rng.choice(fits)
            stages.append(" ".join([name] + [self.arg(k, depth) for k in kinds[:-1]]))
            kind = result
        return " | ".join(stages)

    def action(self, depth: int = 0) -> str:
        lt = "{{- " if self.rng.random() < 0.3 else "{{ "
        rt = " -}}" if self.rng.random() < 0.3 else " }}"
        r = self.rng.random()
        if r < 0.1 and depth < 3:
            var = f"$v{len(self.vars)}"
            decl = f"{lt}{var} := {self.pipeline()}{rt}"
            self.vars.append(var)
            return decl
        if r < 0.2 and depth < 3:
            cond = self.pipeline()
            return f"{lt}if {cond}{rt}{self.scoped(depth + 1)}{{{{ else }}}}{self.scoped(depth + 1)}{{{{ end }}}}"
        if r < 0.27 and depth < 3:
            return f"{lt}with {self.path('map')}{rt}{self.scoped(depth + 1)}{{{{ end }}}}"
        if r < 0.37 and depth < 3:
            saved = list(self.vars)
            self.vars += ["$i", "$e"]
            src = self.rng.choice([self.path("list"), self.path("map"), "(until 3)", "(list \"x\" 2)"])
            control = self.rng.choice(["", '{{ if eq (toString $i) "1" }}{{ continue }}{{ end }}', "{{ break }}"])
            out = (f"{lt}range $i, $e := {src}{rt}[{{{{ $i }}}}={{{{ $e }}}}"
                   + control + f"{self.scoped(depth + 1)}]{{{{ else }}}}empty{{{{ end }}}}")
            self.vars = saved
            return out
        return f"{lt}{self.pipeline()}{rt}"

    def scoped(self, depth: int) -> str:
        """A nested body: variables declared inside end at its `{{ end }}`, as in Go."""
        saved = list(self.vars)
        out = self.body(depth)
        self.vars = saved
        return out

    def body(self, depth: int = 0) -> str:
        parts = []
        for _ in range(self.rng.randint(1, 2)):
            parts.append(self.rng.choice(["", " ", "\n", "k: ", "- ", "\n  ", "x"]))
            parts.append(self.action(depth))
        return "".join(parts)

    def template(self) -> str:
        self.vars = []
        lines = [f"line{i}: {self.body()}" for i in range(self.rng.randint(1, 3))]
        helper = '{{- define "helper" }}h:{{ . | toString | trunc 20 }}{{ end }}'
        if self.rng.random() < 0.2:
            lines.append(f"ints: {{{{ range $n := {self.rng.choice(['3', '0', '(len $.Values)'])} }}}}{{{{ $n }}}},{{{{ end }}}}")
        return "\n".join(lines) + "\n" + helper + "\n"


def generate_case(seed: int, templates: int = 20):
    """One chart's worth of templates and values for `seed`."""
    rng = random.Random(seed)
    values = random_values(rng)
    gen = TemplateGen(rng, values)
    return values, {f"t{n:03d}.yaml": gen.template() for n in range(templates)}
