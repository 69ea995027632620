//! Crypto and random functions against Helm v4's engine: exact results where Sprig is deterministic, and
//! the *shape* of random results (PEM types, key sizes, certificate fields and extensions) compared with
//! samples Helm produced. Goldens: `hack/gen-crypto-goldens.py` → `tests/goldens/crypto.json`.

use chart_renderer::funcs::helm_funcs;
use gotmpl::{CallContext, FuncMap, FuncResult, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use x509_parser::prelude::*;

struct NoEngine;
impl CallContext for NoEngine {
    fn execute_template(&mut self, _: &str, _: Value) -> Result<String, gotmpl::Error> {
        unreachable!("not used by crypto functions")
    }
    fn execute_text(&mut self, _: &str, _: &str, _: Value) -> Result<String, gotmpl::Error> {
        unreachable!("not used by crypto functions")
    }
    fn template_name(&self) -> &str {
        "test"
    }
    fn depth(&self) -> usize {
        0
    }
}

fn try_call(name: &str, args: &[Value]) -> FuncResult {
    static FUNCS: OnceLock<FuncMap> = OnceLock::new();
    let f = FUNCS
        .get_or_init(helm_funcs)
        .get(name)
        .unwrap_or_else(|| panic!("{name} not registered"));
    (f.body)(&mut NoEngine, args)
}

fn call(name: &str, args: &[Value]) -> Value {
    try_call(name, args).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v:?}"))
        .to_string()
}

fn golden() -> &'static serde_json::Value {
    static G: OnceLock<serde_json::Value> = OnceLock::new();
    G.get_or_init(|| {
        serde_json::from_str(include_str!("goldens/crypto.json")).expect("golden parses")
    })
}

fn s(x: &str) -> Value {
    Value::from(x)
}

/// A `sprig.certificate` value from its two fields, as genCA & co. return it.
fn cert_value(cert: &str, key: &str) -> Value {
    // buildCustomCert is the one constructor taking given PEMs.
    let b64 = |x: &str| call("b64enc", &[s(x)]);
    call("buildCustomCert", &[b64(cert), b64(key)])
}

fn field(v: &Value, name: &str) -> String {
    let Value::Object(o) = v else {
        panic!("not an object: {v:?}")
    };
    text(&o.field(name).unwrap_or_else(|| panic!("no field {name}")))
}

/// The JSON arguments of an error case as template values (ints are Go `int` literals).
fn arg(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Number(n) => Value::Int(n.as_i64().expect("int")),
        serde_json::Value::String(x) => s(x),
        serde_json::Value::Array(a) => Value::list(a.iter().map(arg).collect()),
        serde_json::Value::Object(o) => {
            let tpl = o["$tpl"].as_str().expect("$tpl");
            if let Some(kind) = tpl.strip_prefix("genPrivateKey ") {
                call("genPrivateKey", &[s(kind.trim_matches('"'))])
            } else {
                assert_eq!(tpl, r#"genCA "c" 3"#);
                call("genCA", &[s("c"), Value::Int(3)])
            }
        }
        other => panic!("unexpected arg {other}"),
    }
}

#[test]
fn derive_password_matches_helm_exactly() {
    for row in golden()["derivePassword"].as_array().expect("rows") {
        let r = row.as_array().expect("row");
        let args: Vec<Value> = std::iter::once(Value::Int(r[0].as_i64().expect("counter")))
            .chain(r[1..5].iter().map(|x| s(x.as_str().expect("str"))))
            .collect();
        assert_eq!(
            text(&call("derivePassword", &args)),
            r[5].as_str().expect("want"),
            "{r:?}"
        );
    }
}

#[test]
fn derive_password_counter_is_uint32() {
    let rest = [s("long"), s("p"), s("u"), s("s")];
    let with = |c: Value| try_call("derivePassword", &[&[c][..], &rest[..]].concat());
    assert_eq!(
        with(Value::Int(-1)).unwrap_err().0,
        "expected unsigned integer; found -1"
    );
    assert_eq!(
        with(Value::Float(1.0)).unwrap_err().0,
        "wrong type for value; expected uint32; got float64"
    );
}

#[test]
fn results_and_errors_match_helm() {
    check_error_cases(|_| true);
}

fn check_error_cases(select: impl Fn(&serde_json::Value) -> bool) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in golden()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter(|c| select(c))
    {
        checked += 1;
        let name = case["fn"].as_str().expect("fn");
        let args: Vec<Value> = case["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(arg)
            .collect();
        let got = try_call(name, &args);
        let ok = match (&got, case.get("ok"), case.get("error")) {
            (Ok(v), Some(want), _) => v.as_str() == want.as_str(),
            (Err(e), _, Some(want)) => Some(e.0.as_str()) == want.as_str(),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{name}{:?}: got {got:?}, Helm {case}",
                case["args"]
            ));
        }
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn key_parse_errors_keep_helms_prefixes() {
    // The inner ASN.1 texts are Go's own and are not reproduced; the wording up to them is.
    for (kind, prefix) in [
        ("PRIVATE KEY", "parsing private key: decoding PEM as PKCS#8: "),
        ("RSA PRIVATE KEY", "parsing private key: parsing RSA private key from PEM: "),
        ("EC PRIVATE KEY", "parsing private key: parsing EC private key from PEM: x509: failed to parse EC private key: "),
        ("DSA PRIVATE KEY", "parsing private key: parsing DSA private key from PEM: "),
    ] {
        let pem = format!("-----BEGIN {kind}-----\nYWJj\n-----END {kind}-----\n");
        let err = try_call("genCAWithKey", &[s("x"), Value::Int(1), s(&pem)]).unwrap_err().0;
        assert!(err.starts_with(prefix), "{kind}: {err}");
    }
}

#[test]
fn aes_decrypts_helm_ciphertexts_and_round_trips() {
    for c in golden()["aes"].as_array().expect("aes") {
        let (pw, plain, cipher) = (
            c["password"].as_str().expect("pw"),
            c["plaintext"].as_str().expect("pt"),
            c["cipher"].as_str().expect("ct"),
        );
        assert_eq!(text(&call("decryptAES", &[s(pw), s(cipher)])), plain);
        let ours = text(&call("encryptAES", &[s(pw), s(plain)]));
        // Same layout as Helm's: 16-byte IV + padded blocks, base64.
        assert_eq!(ours.len(), cipher.len(), "{plain:?}");
        assert_ne!(
            ours,
            text(&call("encryptAES", &[s(pw), s(plain)])),
            "IV must be random"
        );
        assert_eq!(text(&call("decryptAES", &[s(pw), s(&ours)])), plain);
    }
}

#[test]
fn bcrypt_and_htpasswd_have_helms_format_and_verify() {
    let g = &golden()["bcrypt"];
    let pw = g["password"].as_str().expect("pw");
    let helm_hash = g["hash"].as_str().expect("hash");
    let ours = text(&call("bcrypt", &[s(pw)]));
    assert_eq!(&ours[..7], &helm_hash[..7], "$2a$10$ prefix");
    assert_eq!(ours.len(), helm_hash.len());
    assert!(bcrypt::verify(pw, &ours).expect("valid hash"));
    assert!(bcrypt::verify(pw, helm_hash).expect("Helm's hash parses"));
    let line = text(&call("htpasswd", &[s("admin"), s(pw)]));
    let (user, hash) = line.split_once(':').expect("user:hash");
    let helm_line = g["htpasswd"].as_str().expect("htpasswd");
    assert_eq!(user, "admin");
    assert_eq!(
        &hash[..7],
        &helm_line["admin:".len()..]["admin:".len() - 6..][..7]
    );
    assert!(bcrypt::verify(pw, hash).expect("valid hash"));
}

/// What a PEM private key looks like: its block type and the ASN.1 outline of its DER.
fn key_shape(pem_text: &str) -> (String, String) {
    let p = ::pem::parse(pem_text).expect("pem");
    assert!(pem_text.ends_with("-----\n") && !pem_text.contains('\r'));
    for line in pem_text.lines().filter(|l| !l.starts_with("-----")) {
        assert!(line.len() <= 64);
    }
    let (_, obj) = der_parser::der::parse_der(p.contents()).expect("der");
    (p.tag().to_string(), outline(&obj))
}

/// Tags and integer bit lengths (not values) of a DER tree.
fn outline(obj: &der_parser::der::DerObject) -> String {
    use der_parser::ber::BerObjectContent as C;
    match &obj.content {
        C::Sequence(items) => format!(
            "SEQ[{}]",
            items.iter().map(outline).collect::<Vec<_>>().join(",")
        ),
        C::Integer(bytes) => {
            let b: Vec<u8> = bytes.iter().copied().skip_while(|&x| x == 0).collect();
            // Small integers (versions) exactly, big ones by bit length rounded to whole bytes.
            if b.len() <= 1 {
                format!("INT={}", b.first().copied().unwrap_or(0))
            } else {
                format!("INT{}B", b.len())
            }
        }
        C::OID(oid) => format!("OID={oid}"),
        C::OctetString(b) => format!("OCTETS{}", b.len()),
        C::BitString(_, b) => format!("BITS{}", b.data.len()),
        C::Tagged(_, tag, inner) => format!("[{}]{}", tag.0, outline(inner)),
        C::Unknown(any) => format!("[{}]{}B", any.tag().0, any.data.len()),
        other => format!("{other:?}"),
    }
}

#[test]
fn private_keys_have_helms_shapes() {
    for kind in ["rsa", "", "ecdsa", "ed25519", "dsa"] {
        let helm = golden()["keys"][kind].as_str().expect("key");
        let ours = text(&call("genPrivateKey", &[s(kind)]));
        let (ht, ho) = key_shape(helm);
        let (ot, oo) = key_shape(&ours);
        assert_eq!(ot, ht, "{kind}");
        // RSA/DSA integers vary by a byte now and then (leading zero bits); compare the big ones loosely.
        let loose = |o: &str| {
            let re_small = o.split(',').map(|p| {
                if p.contains("INT") && p.ends_with('B') {
                    "INTn"
                } else {
                    p
                }
            });
            re_small.collect::<Vec<_>>().join(",")
        };
        assert_eq!(loose(&oo), loose(&ho), "{kind}");
        // Both keys are usable for certificates (DSA aside, as in Go).
        if kind != "dsa" {
            call(
                "genSelfSignedCertWithKey",
                &[s("k"), Value::Nil, Value::Nil, Value::Int(1), s(helm)],
            );
        }
    }
    let rsa_bits = |p: &str| {
        use rsa::{pkcs1::DecodeRsaPrivateKey, traits::PublicKeyParts};
        rsa::RsaPrivateKey::from_pkcs1_pem(p)
            .expect("pkcs1")
            .n()
            .bits()
    };
    assert_eq!(rsa_bits(&text(&call("genPrivateKey", &[s("rsa")]))), 4096);
    assert_eq!(text(&call("genPrivateKey", &[s("x")])), "Unknown type x");
}

/// A certificate as a comparable outline: everything but the key material, serial, times and signature.
#[derive(Debug, PartialEq)]
struct Shape {
    version: u32,
    sig_alg: String,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    validity_secs: i64,
    serial_bits_ok: bool,
    key_alg: String,
    key_bits: usize,
    extensions: BTreeMap<String, (bool, String)>,
    key_pem_type: String,
}

fn shape(cert_pem: &str, key_pem: &str, issuer: Option<&str>) -> Shape {
    let p = ::pem::parse(cert_pem).expect("cert pem");
    assert_eq!(p.tag(), "CERTIFICATE");
    let (_, c) = parse_x509_certificate(p.contents()).expect("x509");
    let mut extensions = BTreeMap::new();
    let skid = |c: &X509Certificate| {
        c.extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
                _ => None,
            })
    };
    let issuer_cert = issuer
        .filter(|i| !i.is_empty())
        .map(|i| ::pem::parse(i).expect("issuer pem"));
    let issuer_parsed = issuer_cert
        .as_ref()
        .map(|p| parse_x509_certificate(p.contents()).expect("issuer").1);
    for e in c.extensions() {
        let detail = match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => {
                use sha2::Digest;
                let want = sha2::Sha256::digest(c.public_key().subject_public_key.data.as_ref());
                format!("skid truncated sha256(pub)={}", k.0 == &want[..20])
            }
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                let issuer_skid = issuer_parsed.as_ref().and_then(skid);
                format!(
                    "akid=issuer skid {}",
                    a.key_identifier.as_ref().map(|k| k.0.to_vec()) == issuer_skid
                )
            }
            _ => format!("{:02x?}", e.value),
        };
        extensions.insert(e.oid.to_id_string(), (e.critical, detail));
    }
    let verifier = issuer_parsed
        .as_ref()
        .map(|i| i.public_key())
        .unwrap_or(c.public_key());
    if issuer == Some("") {
        // Unknown issuer: nothing to verify against.
    } else if c.signature_algorithm.algorithm.to_id_string() == "1.3.101.112" {
        // x509-parser's verifier has no Ed25519: check it with ed25519-dalek.
        use ed25519_dalek::Verifier;
        let pk: [u8; 32] = verifier
            .subject_public_key
            .data
            .as_ref()
            .try_into()
            .expect("ed25519 key");
        let sig: [u8; 64] = c
            .signature_value
            .data
            .as_ref()
            .try_into()
            .expect("ed25519 signature");
        ed25519_dalek::VerifyingKey::from_bytes(&pk)
            .expect("key")
            .verify(
                c.tbs_certificate.as_ref(),
                &ed25519_dalek::Signature::from_bytes(&sig),
            )
            .expect("Ed25519 signature verifies");
    } else {
        c.verify_signature(Some(verifier))
            .unwrap_or_else(|e| panic!("{}: {e}", c.signature_algorithm.algorithm));
    }
    let spki = c.public_key();
    let key_bits = match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(r)) => r.key_size(),
        Ok(x509_parser::public_key::PublicKey::EC(p)) => p.key_size(),
        _ => spki.subject_public_key.data.len() * 8,
    };
    Shape {
        version: c.version().0,
        sig_alg: c.signature_algorithm.algorithm.to_id_string(),
        subject: c.subject().as_raw().to_vec(),
        issuer: c.issuer().as_raw().to_vec(),
        validity_secs: c.validity().not_after.timestamp() - c.validity().not_before.timestamp(),
        serial_bits_ok: c.serial.bits() <= 128 && c.serial.bits() > 64,
        key_alg: spki.algorithm.algorithm.to_id_string(),
        key_bits,
        extensions,
        key_pem_type: ::pem::parse(key_pem).expect("key pem").tag().to_string(),
    }
}

#[test]
fn certificates_have_helms_shapes() {
    let certs = &golden()["certs"];
    let g = |k: &str, f: &str| certs[k][f].as_str().expect("golden cert field").to_string();
    let helm_ca = cert_value(&g("ca", "Cert"), &g("ca", "Key"));
    let ec_ca_helm = cert_value(&g("ecCA", "Cert"), &g("ecCA", "Key"));
    let keys = &golden()["keys"];
    let ec_key = g("ecCA", "Key");
    let ed_key = g("edSelf", "Key");
    let rsa_key = keys["rsa"].as_str().expect("rsa").to_string();
    let list = |xs: &[&str]| Value::list(xs.iter().map(|x| s(x)).collect());
    let i = Value::Int;
    let our_ca = call("genCA", &[s("my-ca"), i(365)]);
    let our_ec_ca = call("genCAWithKey", &[s("ec-ca2"), i(100), s(&ec_key)]);
    // (case, our result, issuer PEM for ours, issuer PEM for Helm's)
    let cases: Vec<(&str, Value, Option<String>, Option<String>)> = vec![
        ("ca", our_ca.clone(), None, None),
        (
            "self",
            call(
                "genSelfSignedCert",
                &[
                    s("self.example"),
                    list(&["10.0.0.1", "::ffff:1.2.3.4", "2001:db8::1"]),
                    list(&["a.example", "b.example"]),
                    i(10),
                ],
            ),
            None,
            None,
        ),
        (
            "selfNoSan",
            call("genSelfSignedCert", &[s(""), Value::Nil, Value::Nil, i(1)]),
            None,
            None,
        ),
        (
            "leaf",
            call(
                "genSignedCert",
                &[
                    s("leaf.example"),
                    list(&["10.0.0.2"]),
                    list(&["leaf.example"]),
                    i(30),
                    helm_ca.clone(),
                ],
            ),
            Some(g("ca", "Cert")),
            Some(g("ca", "Cert")),
        ),
        (
            "sameName",
            call(
                "genSignedCert",
                &[s("my-ca"), Value::Nil, Value::Nil, i(5), our_ca.clone()],
            ),
            Some(field(&our_ca, "Cert")),
            Some(g("ca", "Cert")),
        ),
        (
            "ecCA",
            call("genCAWithKey", &[s("ec-ca"), i(100), s(&ec_key)]),
            None,
            None,
        ),
        (
            "edSelf",
            call(
                "genSelfSignedCertWithKey",
                &[s("ed"), Value::Nil, list(&["ed.example"]), i(2), s(&ed_key)],
            ),
            None,
            None,
        ),
        (
            "edLeafByEc",
            call(
                "genSignedCertWithKey",
                &[
                    s("ed-leaf"),
                    Value::Nil,
                    Value::Nil,
                    i(7),
                    our_ec_ca.clone(),
                    s(&ed_key),
                ],
            ),
            Some(field(&our_ec_ca, "Cert")),
            // Helm's issuer here was made inside the template and is not in the golden: "" = unknown.
            Some(String::new()),
        ),
        (
            "rsaLeafWithKey",
            call(
                "genSignedCertWithKey",
                &[
                    s("k"),
                    Value::Nil,
                    Value::Nil,
                    i(1),
                    ec_ca_helm.clone(),
                    s(&rsa_key),
                ],
            ),
            Some(g("ecCA", "Cert")),
            Some(g("ca", "Cert")),
        ),
        (
            "negativeDays",
            call(
                "genSelfSignedCert",
                &[s("neg"), Value::Nil, Value::Nil, i(-1)],
            ),
            None,
            None,
        ),
    ];
    for (name, ours, our_issuer, helm_issuer) in cases {
        let mut want = shape(&g(name, "Cert"), &g(name, "Key"), helm_issuer.as_deref());
        let mut got = shape(
            &field(&ours, "Cert"),
            &field(&ours, "Key"),
            our_issuer.as_deref(),
        );
        if name == "rsaLeafWithKey" {
            // Helm signed this one with its RSA CA, ours with Helm's EC CA: only the issuer side differs.
            want.sig_alg.clear();
            got.sig_alg.clear();
            want.issuer.clear();
            got.issuer.clear();
        }
        if helm_issuer.as_deref() == Some("") {
            // Helm's issuer is not at hand: the AKID check compares with nothing on its side.
            for m in [&mut want.extensions, &mut got.extensions] {
                m.remove("2.5.29.35");
            }
        }
        assert_eq!(got, want, "{name}");
    }
    // The key of a cert made from a given key is that key, re-encoded the way Go does (PKCS#1 for RSA).
    let made = call(
        "genSelfSignedCertWithKey",
        &[s("x"), Value::Nil, Value::Nil, i(1), s(&rsa_key)],
    );
    assert_eq!(field(&made, "Key"), rsa_key);
}

#[test]
fn certificate_is_a_go_struct() {
    let c = call(
        "genSelfSignedCertWithKey",
        &[
            s("x"),
            Value::Nil,
            Value::Nil,
            Value::Int(1),
            s(golden()["keys"]["ecdsa"].as_str().expect("k")),
        ],
    );
    let Value::Object(o) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(o.type_name(), "sprig.certificate");
    assert_eq!(o.kind_name(), "struct");
    assert!(o.field("Other").is_none());
    let json = o.to_json();
    assert_eq!(
        json.as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["Cert".into(), "Key".into()])
    );
    let m = gotmpl::Map::new();
    m.insert("Cert", s("a"));
    m.insert("Key", s("b"));
    let err = try_call(
        "genSignedCert",
        &[s("x"), Value::Nil, Value::Nil, Value::Int(1), Value::Map(m)],
    )
    .unwrap_err();
    assert_eq!(
        err.0,
        "wrong type for value; expected sprig.certificate; got map[string]interface {}"
    );
}

#[test]
fn random_functions_have_sprigs_alphabets_and_lengths() {
    let check = |name: &str, ok: fn(char) -> bool| {
        let v = text(&call(name, &[Value::Int(200)]));
        assert_eq!(v.chars().count(), 200, "{name}");
        assert!(v.chars().all(ok), "{name}: {v}");
        assert_ne!(
            v,
            text(&call(name, &[Value::Int(200)])),
            "{name} must be random"
        );
    };
    check("randAlphaNum", |c| c.is_ascii_alphanumeric());
    check("randAlpha", |c| c.is_ascii_alphabetic());
    check("randNumeric", |c| c.is_ascii_digit());
    check("randAscii", |c| (' '..='~').contains(&c));
    let b = text(&call("randBytes", &[Value::Int(33)]));
    assert_eq!(call("b64dec", &[s(&b)]).as_str().map(|_| b.len()), Some(44));
    for _ in 0..200 {
        let Value::Int(n) = call("randInt", &[Value::Int(-3), Value::Int(4)]) else {
            panic!("randInt must give an int")
        };
        assert!((-3..4).contains(&n));
    }
    let u = text(&call("uuidv4", &[]));
    let parsed = uuid::Uuid::parse_str(&u).expect("uuid");
    assert_eq!(parsed.get_version_num(), 4);
    assert_eq!(u, u.to_lowercase());
}

/// Renders `text` with Helm's function table through the template engine.
fn render(text: &str) -> Result<String, String> {
    let mut set = gotmpl::TemplateSet::new(std::sync::Arc::new(helm_funcs()));
    set.add("t", text).map_err(|e| e.to_string())?;
    set.execute(
        "t",
        Value::Map(gotmpl::Map::new()),
        &gotmpl::ExecOptions::default(),
    )
    .map_err(|e| e.to_string())
}

#[test]
fn functions_work_through_the_template_engine() {
    // Expected texts: Helm v4.2.3 renders of the same templates (see goldens/crypto.json for the first).
    assert_eq!(
        render(r#"{{ derivePassword 1 "long" "password" "user" "example.com" }}"#).as_deref(),
        Ok("ZedaFaxcZaso9*")
    );
    assert_eq!(
        render(r#"{{ genCA "x" 3 | kindOf }} {{ genCA "x" 3 | typeOf }}"#).as_deref(),
        Ok("struct sprig.certificate")
    );
    let err = render(r#"{{ $c := genCA "foo" 365 }}{{ $c.Nope }}"#).unwrap_err();
    assert!(
        err.contains("can't evaluate field Nope in type sprig.certificate"),
        "{err}"
    );
    let out = render(r#"{{ $c := genSelfSignedCert "x" nil nil 1 }}{{ $c.Cert }}|{{ $c.Key }}"#)
        .expect("renders");
    let (cert, key) = out.split_once('|').expect("two fields");
    assert!(
        cert.starts_with("-----BEGIN CERTIFICATE-----\n")
            && cert.ends_with("-----END CERTIFICATE-----\n")
    );
    assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    let ca = r#"{{ $ca := genCA "ca" 1 }}{{ $l := genSignedCert "leaf" (list "10.0.0.1") (list "a.b") 1 $ca }}"#;
    assert_eq!(
        render(&format!("{ca}{{{{ $l.Cert | len | lt 500 }}}}")).as_deref(),
        Ok("true")
    );
    assert_eq!(
        render(r#"{{ "hello" | b64enc | b64dec }}"#).as_deref(),
        Ok("hello")
    );
    assert_eq!(
        render(r#"{{ encryptAES "k" "secret" | decryptAES "k" }}"#).as_deref(),
        Ok("secret")
    );
}
