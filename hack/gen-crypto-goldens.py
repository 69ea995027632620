#!/usr/bin/env python3
"""Regenerates chart-renderer/tests/goldens/crypto.json from Helm's own engine (helm-python-sdk).

Deterministic outputs (derivePassword, error texts) are compared exactly by tests/crypto_funcs.rs;
random outputs (keys, certificates, bcrypt hashes, AES ciphertexts) are kept as samples whose *shape*
the tests compare with ours, and which our functions must accept (decryptAES, bcrypt verify, CA input).
Run: python3 hack/gen-crypto-goldens.py
"""
import json, os, re, tempfile
import helm_python as helm

CHART_YAML = "apiVersion: v2\nname: cry\nversion: 0.1.0\n"


def render(tpl, values=None):
    d = tempfile.mkdtemp()
    os.makedirs(os.path.join(d, "cry", "templates"))
    with open(os.path.join(d, "cry", "Chart.yaml"), "w") as f:
        f.write(CHART_YAML)
    with open(os.path.join(d, "cry", "templates", "t.yaml"), "w") as f:
        f.write(tpl)
    return helm.Chart.load(os.path.join(d, "cry")).render(values or {}, name="r", namespace="n")["cry/templates/t.yaml"]


def lit(v):
    """A Go template literal for a JSON-ish argument."""
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "(list %s)" % " ".join(lit(x) for x in v)
    if isinstance(v, dict) and "$tpl" in v:
        return "(%s)" % v["$tpl"]
    raise ValueError(v)


def call_error(fn, args):
    tpl = "{{ %s %s }}" % (fn, " ".join(lit(a) for a in args))
    try:
        out = render(tpl)
        return {"fn": fn, "args": args, "ok": out}
    except helm.HelmError as e:
        msg = str(e)
        m = re.search(r"error calling %s: (.*)$" % re.escape(fn), msg, re.S)
        return {"fn": fn, "args": args, "error": m.group(1) if m else msg}


DERIVE = [
    [1, "long", "password", "user", "example.com"],
    [0, "maximum", "secret", "alice", "helm.sh"],
    [7, "medium", "pw", "bob", "a"],
    [4294967295, "short", "", "", ""],
    [2, "basic", "héllo", "ünïcode", "site.example"],
    [3, "pin", "1234", "u", "s"],
    [1, "nope", "a", "b", "c"],
]

ERRORS = [
    ["decryptAES", ["k", "YWJjZA=="]],
    ["decryptAES", ["k", "YWJjZGVmZ2hpamtsbW5vcGFiY2RlZmdoaWprbG1ub3A="]],
    ["decryptAES", ["k", "YWJjZGVmZ2hpamtsbW5vcGFi"]],
    ["decryptAES", ["k", "YWJjZGVmZ2hpamtsbW5vcA=="]],
    ["decryptAES", ["k", "not base64!"]],
    ["decryptAES", ["k", ""]],
    ["encryptAES", ["k", ""]],
    ["genSelfSignedCertWithKey", ["x", [1], None, 3, {"$tpl": 'genPrivateKey "ecdsa"'}]],
    ["genSelfSignedCertWithKey", ["x", ["1.2.3"], None, 3, {"$tpl": 'genPrivateKey "ecdsa"'}]],
    ["genSelfSignedCertWithKey", ["x", None, [1], 3, {"$tpl": 'genPrivateKey "ecdsa"'}]],
    ["genSelfSignedCertWithKey", ["x", None, None, 3, "junk"]],
    ["genSelfSignedCertWithKey", ["x", None, None, 3, "-----BEGIN FOO-----\nYWJj\n-----END FOO-----\n"]],
    ["genSelfSignedCertWithKey", ["x", None, None, 3, "-----BEGIN FOO PRIVATE KEY-----\nYWJj\n-----END FOO PRIVATE KEY-----\n"]],
    ["genCAWithKey", ["x", 3, {"$tpl": 'genPrivateKey "dsa"'}]],
    ["genSignedCertWithKey", ["x", None, None, 3, {"$tpl": 'genCA "c" 3'}, {"$tpl": 'genPrivateKey "dsa"'}]],
    ["buildCustomCert", ["a", "b"]],
    ["buildCustomCert", ["YWJj", "YWJj"]],
    ["buildCustomCert", ["YWJj", "!"]],
    ["genPrivateKey", ["foo"]],
    ["htpasswd", ["a:b", "c"]],
    ["bcrypt", ["a" * 73]],
    ["randInt", [5, 5]],
    ["randInt", [5, 1]],
    ["randBytes", [-1]],
    ["randAlphaNum", [-1]],
    ["randAlphaNum", [0]],
]

# Certificates made in one render, so the signed ones can be checked against their CA.
CERTS = {
    "ca": 'genCA "my-ca" 365',
    "self": 'genSelfSignedCert "self.example" (list "10.0.0.1" "::ffff:1.2.3.4" "2001:db8::1") (list "a.example" "b.example") 10',
    "selfNoSan": 'genSelfSignedCert "" nil nil 1',
    "leaf": 'genSignedCert "leaf.example" (list "10.0.0.2") (list "leaf.example") 30 $ca',
    "sameName": 'genSignedCert "my-ca" nil nil 5 $ca',
    "ecCA": 'genCAWithKey "ec-ca" 100 $eck',
    "edSelf": 'genSelfSignedCertWithKey "ed" nil (list "ed.example") 2 $edk',
    "edLeafByEc": 'genSignedCertWithKey "ed-leaf" nil nil 7 (genCAWithKey "ec-ca2" 100 $eck) $edk',
    "rsaLeafWithKey": 'genSignedCertWithKey "k" nil nil 1 $ca $rsak',
    "negativeDays": 'genSelfSignedCert "neg" nil nil -1',
}


def main():
    out = {"helm": helm.helm_sdk_version()}
    # derivePassword takes uint32, which only a literal converts to: one call per case.
    out["derivePassword"] = []
    for c in DERIVE:
        res = render("{{ derivePassword %d %s %s %s %s }}" % (c[0], *[json.dumps(x) for x in c[1:]]))
        out["derivePassword"].append(c + [res])
    out["errors"] = [call_error(fn, args) for fn, args in ERRORS]
    out["aes"] = []
    for pw, text in [("secret", "hello world"), ("", "x"), ("a" * 40, "sixteen bytes!!!"), ("k", "ünïcode ☃")]:
        res = render("{{ encryptAES %s %s }}" % (json.dumps(pw), json.dumps(text)))
        out["aes"].append({"password": pw, "plaintext": text, "cipher": res})
    out["bcrypt"] = {"password": "hunter2", "hash": render('{{ bcrypt "hunter2" }}'),
                     "htpasswd": render('{{ htpasswd "admin" "hunter2" }}')}
    out["keys"] = {k: render('{{ genPrivateKey "%s" }}' % k) for k in ["rsa", "", "ecdsa", "ed25519", "dsa"]}
    prelude = '{{ $ca := genCA "my-ca" 365 }}{{ $eck := genPrivateKey "ecdsa" }}{{ $edk := genPrivateKey "ed25519" }}{{ $rsak := genPrivateKey "rsa" }}'
    body = " ".join('"%s" (%s)' % (k, v) for k, v in CERTS.items() if k != "ca")
    certs = json.loads(render(prelude + '{{ toJson (dict "ca" $ca %s) }}' % body))
    out["certs"] = {k: {"expr": CERTS[k], **certs[k]} for k in CERTS}
    path = os.path.join(os.path.dirname(__file__), "..", "chart-renderer", "tests", "goldens", "crypto.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
