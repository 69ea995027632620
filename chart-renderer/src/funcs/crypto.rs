//! Sprig v3.3.0's crypto functions as Helm v4 offers them: digests (`sha1sum sha256sum sha512sum
//! adler32sum`), `bcrypt`, `htpasswd`, `derivePassword`, `encryptAES`/`decryptAES`, `genPrivateKey` and the
//! certificate family (`genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert
//! genSignedCertWithKey buildCustomCert`). There is no `md5sum` in Sprig.
//!
//! Sprig returns some failures as the *result string* (`bcrypt`, `htpasswd`, `derivePassword`,
//! `genPrivateKey`) and others as Go errors (certificates, AES); both shapes are kept. Certificates are a Go
//! struct `sprig.certificate{Cert, Key string}` ([`Certificate`]), so `.Other` on one is an error.

use crate::funcs::args::{go_v, int_arg, str_arg};
use crate::funcs::encoding::{go_base64_decode, go_string};
use base64::Engine as _;
use gotmpl::{FuncError, FuncMap, FuncResult, Function, Object, ParamType, Value};
use rand::RngCore;
use std::net::IpAddr;
use std::sync::Arc;

use ParamType::{Any, Int, List, String as Str};

/// Registers every crypto function of Sprig's map.
pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("sha1sum", &[Str], None, |a| {
        use sha1::Digest;
        Ok(hex(&sha1::Sha1::digest(str_arg(&a[0]).as_bytes())).into())
    }));
    m.insert(Function::pure("sha256sum", &[Str], None, |a| {
        use sha2::Digest;
        Ok(hex(&sha2::Sha256::digest(str_arg(&a[0]).as_bytes())).into())
    }));
    m.insert(Function::pure("sha512sum", &[Str], None, |a| {
        use sha2::Digest;
        Ok(hex(&sha2::Sha512::digest(str_arg(&a[0]).as_bytes())).into())
    }));
    m.insert(Function::pure("adler32sum", &[Str], None, |a| {
        Ok(adler2::adler32_slice(str_arg(&a[0]).as_bytes())
            .to_string()
            .into())
    }));
    m.insert(Function::pure("bcrypt", &[Str], None, |a| {
        Ok(bcrypt_hash(&str_arg(&a[0])).into())
    }));
    m.insert(Function::pure("htpasswd", &[Str, Str], None, |a| {
        let user = &str_arg(&a[0]);
        Ok(if user.contains(':') {
            format!("invalid username: {user}")
        } else {
            format!("{user}:{}", bcrypt_hash(&str_arg(&a[1])))
        }
        .into())
    }));
    m.insert(Function::pure(
        "derivePassword",
        &[Any, Str, Str, Str, Str],
        None,
        |a| {
            let counter = go_uint32(&a[0])?;
            Ok(derive_password(
                counter,
                &str_arg(&a[1]),
                &str_arg(&a[2]),
                &str_arg(&a[3]),
                &str_arg(&a[4]),
            )
            .into())
        },
    ));
    m.insert(Function::pure("encryptAES", &[Str, Str], None, |a| {
        encrypt_aes(&str_arg(&a[0]), &str_arg(&a[1]))
    }));
    m.insert(Function::pure("decryptAES", &[Str, Str], None, |a| {
        decrypt_aes(&str_arg(&a[0]), &str_arg(&a[1]))
    }));
    m.insert(Function::pure("genPrivateKey", &[Str], None, |a| {
        Ok(gen_private_key(&str_arg(&a[0])).into())
    }));
    m.insert(Function::pure("buildCustomCert", &[Str, Str], None, |a| {
        build_custom_cert(&str_arg(&a[0]), &str_arg(&a[1]))
    }));
    m.insert(Function::pure("genCA", &[Str, Int], None, |a| {
        let key = new_rsa_2048()?;
        cert_result(make_cert(
            &str_arg(&a[0]),
            &[],
            &[],
            int_arg(&a[1]),
            &key,
            None,
            true,
        ))
    }));
    m.insert(Function::pure(
        "genCAWithKey",
        &[Str, Int, Str],
        None,
        |a| {
            let key = parse_key_arg(&str_arg(&a[2]))?;
            cert_result(make_cert(
                &str_arg(&a[0]),
                &[],
                &[],
                int_arg(&a[1]),
                &key,
                None,
                true,
            ))
        },
    ));
    m.insert(Function::pure(
        "genSelfSignedCert",
        &[Str, List, List, Int],
        None,
        |a| {
            let key = new_rsa_2048()?;
            let (ips, dns) = sans(&a[1], &a[2])?;
            cert_result(make_cert(
                &str_arg(&a[0]),
                &ips,
                &dns,
                int_arg(&a[3]),
                &key,
                None,
                false,
            ))
        },
    ));
    m.insert(Function::pure(
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        None,
        |a| {
            let key = parse_key_arg(&str_arg(&a[4]))?;
            let (ips, dns) = sans(&a[1], &a[2])?;
            cert_result(make_cert(
                &str_arg(&a[0]),
                &ips,
                &dns,
                int_arg(&a[3]),
                &key,
                None,
                false,
            ))
        },
    ));
    m.insert(Function::pure(
        "genSignedCert",
        &[Str, List, List, Int, Any],
        None,
        |a| {
            let ca = certificate_arg(&a[4])?;
            let key = new_rsa_2048()?;
            signed_cert(a, &ca, &key)
        },
    ));
    m.insert(Function::pure(
        "genSignedCertWithKey",
        &[Str, List, List, Int, Any, Str],
        None,
        |a| {
            let ca = certificate_arg(&a[4])?;
            let key = parse_key_arg(&str_arg(&a[5]))?;
            signed_cert(a, &ca, &key)
        },
    ));
}

// ---------------------------------------------------------------------------------------------------------
// Helpers.

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Go's `uint32` parameter. The table has no such [`ParamType`], so the value arrives as `Any`: Go
/// accepts only an untyped integer constant here (a literal), which reaches us as a Go `int`.
fn go_uint32(v: &Value) -> Result<u32, FuncError> {
    match v {
        Value::Int(n) | Value::Int64(n) => u32::try_from(*n)
            .map_err(|_| FuncError(format!("expected unsigned integer; found {n}"))),
        Value::Uint64(n) => {
            u32::try_from(*n).map_err(|_| FuncError(format!("{n} overflows uint32")))
        }
        other => Err(FuncError(format!(
            "wrong type for value; expected uint32; got {}",
            other.type_name()
        ))),
    }
}

// ---------------------------------------------------------------------------------------------------------
// bcrypt, derivePassword

/// Go's `bcrypt.GenerateFromPassword(pw, DefaultCost)` as Sprig wraps it: `$2a$10$…`, errors in the result.
fn bcrypt_hash(password: &str) -> String {
    // golang.org/x/crypto refuses passwords over 72 bytes instead of truncating them.
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(password, 10) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

/// The Master Password algorithm's templates (a published data table, the same in every implementation).
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword`: the Master Password algorithm (scrypt N=32768 r=8 p=2 over a scope-seeded
/// salt, then HMAC-SHA256 of the site and counter picks a template and its characters).
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    const SEED: &[u8] = b"com.lyndir.masterpassword";
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let scoped = |name: &str| {
        let mut v = SEED.to_vec();
        // Go writes uint32(len(name)); longer names cannot occur in a template string argument.
        v.extend_from_slice(&(name.len() as u32).to_be_bytes());
        v.extend_from_slice(name.as_bytes());
        v
    };
    let salt = scoped(user);
    let mut key = [0u8; 64];
    let params = match scrypt::Params::new(15, 8, 2, 64) {
        Ok(p) => p,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut message = scoped(site);
    message.extend_from_slice(&counter.to_be_bytes());
    use hmac::Mac;
    let seed = match hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) {
        Ok(mut mac) => {
            mac.update(&message);
            mac.finalize().into_bytes()
        }
        Err(e) => return format!("failed to derive password: {e}"),
    };
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars = template_chars(class);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// AES

/// Sprig's `encryptAES`: AES-256-CBC, the password zero-padded/truncated to 32 bytes as the key, PKCS#7
/// padding, a random IV prepended, base64.
fn encrypt_aes(password: &str, plaintext: &str) -> FuncResult {
    use cbc::cipher::{BlockEncryptMut, KeyIvInit};
    if plaintext.is_empty() {
        return Ok(Value::from(""));
    }
    let mut iv = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut iv);
    let mut buf = plaintext.as_bytes().to_vec();
    let pad = 16 - buf.len() % 16;
    // `pad` is 1..=16, so the cast is exact.
    buf.resize(buf.len() + pad, pad as u8);
    let len = buf.len();
    let enc = cbc::Encryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    enc.encrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut buf, len)
        .map_err(|e| FuncError(e.to_string()))?;
    let mut out = iv.to_vec();
    out.extend_from_slice(&buf);
    Ok(Value::from(
        base64::engine::general_purpose::STANDARD.encode(out),
    ))
}

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

/// Sprig's `decryptAES`. It checks nothing, so malformed input makes Go panic; the panics' messages
/// (which Go's template engine reports as the call's error) are reproduced.
fn decrypt_aes(password: &str, crypt64: &str) -> FuncResult {
    use cbc::cipher::{BlockDecryptMut, KeyIvInit};
    if crypt64.is_empty() {
        return Ok(Value::from(""));
    }
    let data = go_base64_decode(crypt64.as_bytes())
        .map_err(|at| FuncError(format!("illegal base64 data at input byte {at}")))?;
    if data.len() < 16 {
        // Go slices the decode buffer, whose capacity is DecodedLen(len(input)).
        let cap = crypt64.len() / 4 * 3;
        return Err(FuncError(format!(
            "runtime error: slice bounds out of range [:16] with capacity {cap}"
        )));
    }
    let (iv, body) = data.split_at(16);
    if body.len() % 16 != 0 {
        return Err(FuncError("crypto/cipher: input not full blocks".into()));
    }
    let mut buf = body.to_vec();
    let dec = cbc::Decryptor::<aes::Aes256>::new(&aes_key(password).into(), iv.into());
    dec.decrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut buf)
        .map_err(|e| FuncError(e.to_string()))?;
    let Some(&last) = buf.last() else {
        return Err(FuncError("runtime error: index out of range [-1]".into()));
    };
    let keep = buf.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(FuncError(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        )));
    }
    // `keep` is within 0..=len here.
    buf.truncate(keep as usize);
    Ok(Value::from(go_string(buf)))
}

// ---------------------------------------------------------------------------------------------------------
// Private keys

/// A private key as Sprig handles it. DSA keys can be generated and parsed but Go cannot put them in
/// certificates, so only their DER is kept.
enum PrivKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(p256::SecretKey),
    Ed(ed25519_dalek::SigningKey),
    Dsa(Vec<u8>),
}

fn pem_string(label: &str, der: Vec<u8>) -> String {
    let cfg = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(label, der), cfg)
}

/// The DER of a PKCS#8 v1 Ed25519 key without the public key, which is what Go's
/// `x509.MarshalPKCS8PrivateKey` writes (ed25519-dalek writes the v2 form with the public key).
fn ed25519_pkcs8_v1(seed: &[u8; 32]) -> Vec<u8> {
    // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed);
    der
}

/// The DER of a P-256 key as Go's `x509.MarshalECPrivateKey` writes it: RFC 5915 with the named-curve
/// parameters and the public key (the p256 crate's SEC1 encoder leaves the parameters out).
fn p256_sec1_der(key: &p256::SecretKey) -> Vec<u8> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let point = key.public_key().to_encoded_point(false);
    // SEQUENCE { INTEGER 1, OCTET STRING d, [0] { OID prime256v1 }, [1] { BIT STRING point } }
    let mut der = vec![0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20];
    der.extend_from_slice(&key.to_bytes());
    der.extend_from_slice(&[
        0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    ]);
    der.extend_from_slice(&[0xa1, 0x44, 0x03, 0x42, 0x00]);
    der.extend_from_slice(point.as_bytes());
    der
}

impl PrivKey {
    /// Sprig's `pemBlockForKey`.
    fn to_pem(&self) -> Result<String, String> {
        match self {
            PrivKey::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPrivateKey;
                let doc = k.to_pkcs1_der().map_err(|e| e.to_string())?;
                Ok(pem_string("RSA PRIVATE KEY", doc.as_bytes().to_vec()))
            }
            PrivKey::Ec(k) => Ok(pem_string("EC PRIVATE KEY", p256_sec1_der(k))),
            PrivKey::Ed(k) => Ok(pem_string("PRIVATE KEY", ed25519_pkcs8_v1(&k.to_bytes()))),
            PrivKey::Dsa(der) => Ok(pem_string("DSA PRIVATE KEY", der.clone())),
        }
    }

    /// The key as an rcgen signer, with the signature algorithm Go picks for it.
    fn key_pair(&self) -> Result<rcgen::KeyPair, String> {
        // The three key crates share pkcs8's EncodePrivateKey.
        fn pkcs8(k: &impl p256::pkcs8::EncodePrivateKey) -> Result<Vec<u8>, String> {
            Ok(k.to_pkcs8_der()
                .map_err(|e| e.to_string())?
                .as_bytes()
                .to_vec())
        }
        let (der, alg) = match self {
            PrivKey::Rsa(k) => (pkcs8(k.as_ref())?, &rcgen::PKCS_RSA_SHA256),
            PrivKey::Ec(k) => (pkcs8(k)?, &rcgen::PKCS_ECDSA_P256_SHA256),
            PrivKey::Ed(k) => (pkcs8(k)?, &rcgen::PKCS_ED25519),
            PrivKey::Dsa(_) => {
                return Err("x509: certificate private key does not implement crypto.Signer".into())
            }
        };
        rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der.into(), alg).map_err(|e| e.to_string())
    }
}

/// A new RSA key with e = 65537, as Go's `rsa.GenerateKey`. Generated by aws-lc-rs: the pure-Rust `rsa`
/// crate takes several times Go's time to find primes (seconds for 4096 bits), aws-lc is on a par with
/// Go. The key is then held as an `rsa` crate key for encoding.
fn new_rsa(bits: usize) -> Result<PrivKey, String> {
    use aws_lc_rs::encoding::AsDer;
    use rsa::pkcs8::DecodePrivateKey;
    let size = match bits {
        2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
        4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
        other => return Err(format!("unsupported RSA key size {other}")),
    };
    let pair = aws_lc_rs::rsa::KeyPair::generate(size).map_err(|e| e.to_string())?;
    let der = pair.as_der().map_err(|e| e.to_string())?;
    rsa::RsaPrivateKey::from_pkcs8_der(der.as_ref())
        .map(|k| PrivKey::Rsa(Box::new(k)))
        .map_err(|e| e.to_string())
}

fn new_rsa_2048() -> Result<PrivKey, FuncError> {
    new_rsa(2048).map_err(|e| FuncError(format!("error generating rsa key: {e}")))
}

/// DER INTEGER of a non-negative big-endian magnitude.
fn der_uint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let trimmed: &[u8] = {
        let first = magnitude
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(magnitude.len());
        &magnitude[first..]
    };
    let mut body = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(trimmed);
    out.push(0x02);
    der_len(out, body.len());
    out.extend_from_slice(&body);
}

fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let first = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - first) as u8);
        out.extend_from_slice(&bytes[first..]);
    }
}

/// Sprig's DSA key format: `SEQUENCE { version INTEGER (0), P, Q, G, Y, X INTEGER }`. This layout is
/// Sprig's own (the dsa crate writes only PKCS#8), hence the small DER writer above.
fn gen_dsa() -> Vec<u8> {
    let mut rng = rand::rngs::OsRng;
    let components = dsa::Components::generate(&mut rng, dsa::KeySize::DSA_2048_256);
    let key = dsa::SigningKey::generate(&mut rng, components);
    let public = key.verifying_key();
    let c = public.components();
    let mut body = Vec::new();
    der_uint(&mut body, &[0]);
    for n in [c.p(), c.q(), c.g(), public.y(), key.x()] {
        der_uint(&mut body, &n.to_bytes_be());
    }
    let mut der = vec![0x30];
    der_len(&mut der, body.len());
    der.extend_from_slice(&body);
    der
}

/// Sprig's `genPrivateKey`: errors and unknown types come back as the result text.
fn gen_private_key(kind: &str) -> String {
    let key = match kind {
        "" | "rsa" => new_rsa(4096),
        "dsa" => Ok(PrivKey::Dsa(gen_dsa())),
        "ecdsa" => Ok(PrivKey::Ec(p256::SecretKey::random(&mut rand::rngs::OsRng))),
        "ed25519" => Ok(PrivKey::Ed(ed25519_dalek::SigningKey::generate(
            &mut rand::rngs::OsRng,
        ))),
        other => return format!("Unknown type {other}"),
    };
    match key.and_then(|k| k.to_pem()) {
        Ok(pem) => pem,
        Err(e) => format!("failed to generate private key: {e}"),
    }
}

/// The first PEM block in `text`, like Go's `pem.Decode` (text around it is ignored).
fn first_pem(text: &str) -> Option<pem::Pem> {
    let start = text.find("-----BEGIN ")?;
    pem::parse(&text[start..]).ok()
}

/// Sprig's `parsePrivateKeyPEM`. The inner parse errors are this crate's, not Go's asn1 texts.
fn parse_private_key(text: &str) -> Result<PrivKey, String> {
    let block = first_pem(text).ok_or("no PEM data in input")?;
    let tag = block.tag();
    let der = block.contents();
    if tag == "PRIVATE KEY" {
        return parse_pkcs8(der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(kind) = tag.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {tag}"));
    };
    match kind {
        "RSA" => {
            use rsa::pkcs1::DecodeRsaPrivateKey;
            rsa::RsaPrivateKey::from_pkcs1_der(der)
                .map(|k| PrivKey::Rsa(Box::new(k)))
                .map_err(|e| format!("parsing RSA private key from PEM: {e}"))
        }
        "EC" => p256::SecretKey::from_sec1_der(der)
            .map(PrivKey::Ec)
            .map_err(|e| {
                format!(
                    "parsing EC private key from PEM: x509: failed to parse EC private key: {e}"
                )
            }),
        "DSA" => parse_dsa(der).map(|()| PrivKey::Dsa(der.to_vec())),
        _ => Err(format!("invalid private key type {tag}")),
    }
}

fn parse_pkcs8(der: &[u8]) -> Result<PrivKey, String> {
    use p256::pkcs8::{DecodePrivateKey, PrivateKeyInfo};
    let info = PrivateKeyInfo::try_from(der).map_err(|e| e.to_string())?;
    let oid = info.algorithm.oid.to_string();
    match oid.as_str() {
        "1.2.840.113549.1.1.1" => rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map(|k| PrivKey::Rsa(Box::new(k)))
            .map_err(|e| e.to_string()),
        "1.2.840.10045.2.1" => p256::SecretKey::from_pkcs8_der(der)
            .map(PrivKey::Ec)
            .map_err(|e| format!("x509: failed to parse EC private key embedded in PKCS#8: {e}")),
        "1.3.101.112" => ed25519_dalek::SigningKey::from_pkcs8_der(der)
            .map(PrivKey::Ed)
            .map_err(|e| e.to_string()),
        _ => Err(format!(
            "x509: PKCS#8 wrapping contained private key with unknown algorithm: {oid}"
        )),
    }
}

/// Checks the shape of Sprig's DSA key format (a SEQUENCE of six INTEGERs).
fn parse_dsa(der: &[u8]) -> Result<(), String> {
    use p256::pkcs8::der::{asn1::UintRef, Decode, Reader, SliceReader};
    let fail = |e: p256::pkcs8::der::Error| format!("parsing DSA private key from PEM: {e}");
    let mut reader = SliceReader::new(der).map_err(fail)?;
    reader
        .sequence(|r| {
            for _ in 0..6 {
                UintRef::decode(r)?;
            }
            Ok(())
        })
        .map_err(fail)
}

fn parse_key_arg(text: &str) -> Result<PrivKey, FuncError> {
    parse_private_key(text).map_err(|e| FuncError(format!("parsing private key: {e}")))
}

// ---------------------------------------------------------------------------------------------------------
// Certificates

/// Go's `sprig.certificate` struct: two exported string fields.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub cert: Arc<str>,
    pub key: Arc<str>,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::String(self.cert.clone())),
            "Key" => Some(Value::String(self.key.clone())),
            _ => None,
        }
    }
    fn go_format(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "Cert": &*self.cert, "Key": &*self.key })
    }
}

fn cert_result(r: Result<Certificate, FuncError>) -> FuncResult {
    r.map(|c| Value::Object(Arc::new(c)))
}

/// A `certificate` parameter: only a value made by one of these functions is one (a dict with `Cert` and
/// `Key` is a map, which Go refuses).
fn certificate_arg(v: &Value) -> Result<Certificate, FuncError> {
    if let Value::Object(o) = v {
        if o.type_name() == "sprig.certificate" {
            if let (Some(Value::String(cert)), Some(Value::String(key))) =
                (o.field("Cert"), o.field("Key"))
            {
                return Ok(Certificate { cert, key });
            }
        }
    }
    Err(FuncError(format!(
        "wrong type for value; expected sprig.certificate; got {}",
        v.type_name()
    )))
}

/// Go's `net.ParseIP` for SANs; IPv4-mapped IPv6 addresses are written as IPv4, as Go does.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let ip: IpAddr = text.parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    })
}

/// Sprig's `getNetIPs` and `getAlternateDNSStrs`.
fn sans(ips: &Value, dns: &Value) -> Result<(Vec<IpAddr>, Vec<String>), FuncError> {
    let items = |v: &Value| v.as_list().map(|l| l.to_vec()).unwrap_or_default();
    let mut out_ips = Vec::new();
    for ip in items(ips) {
        let Some(text) = ip.as_str() else {
            return Err(FuncError(format!(
                "error parsing ip: {} is not a string",
                go_v(&ip)
            )));
        };
        out_ips.push(parse_ip(text).ok_or_else(|| FuncError(format!("error parsing ip: {text}")))?);
    }
    let mut out_dns = Vec::new();
    for name in items(dns) {
        let Some(text) = name.as_str() else {
            return Err(FuncError(format!(
                "error processing alternate dns name: {} is not a string",
                go_v(&name)
            )));
        };
        out_dns.push(text.to_string());
    }
    Ok((out_ips, out_dns))
}

/// Go's `asn1` choice for a string: PrintableString when every byte is in its set (Go also lets `*`
/// through, which rcgen's PrintableString refuses: those names go out as UTF8String), else UTF8String.
fn dn_value(text: &str) -> rcgen::DnValue {
    let printable = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    match rcgen::PrintableString::try_from(text) {
        Ok(p) if printable => rcgen::DnValue::PrintableString(p),
        _ => rcgen::DnValue::Utf8String(text.to_string()),
    }
}

fn subject(cn: &str) -> rcgen::DistinguishedName {
    let mut dn = rcgen::DistinguishedName::new();
    // Go's pkix.Name leaves an empty CommonName out of the RDN sequence.
    if !cn.is_empty() {
        dn.push(rcgen::DnType::CommonName, dn_value(cn));
    }
    dn
}

/// The signing side of `genSignedCert*`: the CA as rcgen needs it.
struct Issuer {
    cert: rcgen::Certificate,
    key: rcgen::KeyPair,
    /// Whether the CA carries a subject key identifier (Go then writes an authority key identifier).
    has_skid: bool,
    raw_subject: Vec<u8>,
}

fn signed_cert(a: &[Value], ca: &Certificate, key: &PrivKey) -> FuncResult {
    let ca_pem =
        first_pem(&ca.cert).ok_or_else(|| FuncError("unable to decode certificate".into()))?;
    let (_, parsed) = x509_parser::parse_x509_certificate(ca_pem.contents()).map_err(|e| {
        FuncError(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    let ca_key = parse_private_key(&ca.key)
        .map_err(|e| FuncError(format!("error parsing private key: {e}")))?;
    let (ips, dns) = sans(&a[1], &a[2])?;
    let has_skid = parsed.extensions().iter().any(|e| {
        matches!(
            e.parsed_extension(),
            x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(_)
        )
    });
    let raw_subject = parsed.tbs_certificate.subject.as_raw().to_vec();
    let issuer_key = ca_key
        .key_pair()
        .map_err(|e| FuncError(format!("error creating certificate: {e}")))?;
    let issuer_params = rcgen::CertificateParams::from_ca_cert_der(
        &ca_pem.contents().to_vec().into(),
    )
    .map_err(|e| {
        FuncError(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    // rcgen wants the issuer as a Certificate; re-signing its parameters gives one with the same subject
    // and key identifier, which is all `signed_by` reads from it.
    let issuer_cert = issuer_params
        .self_signed(&issuer_key)
        .map_err(|e| FuncError(format!("error creating certificate: {e}")))?;
    let issuer = Issuer {
        cert: issuer_cert,
        key: issuer_key,
        has_skid,
        raw_subject,
    };
    cert_result(make_cert(
        &str_arg(&a[0]),
        &ips,
        &dns,
        int_arg(&a[3]),
        key,
        Some(&issuer),
        false,
    ))
}

/// DER of the subject `subject(cn)` produces, to compare with an issuer's (Go writes an authority key
/// identifier only when issuer and subject differ).
fn subject_der(cn: &str) -> Vec<u8> {
    let mut rdns = Vec::new();
    if !cn.is_empty() {
        let (tag, bytes) = match dn_value(cn) {
            rcgen::DnValue::PrintableString(_) => (0x13, cn.as_bytes()),
            _ => (0x0c, cn.as_bytes()),
        };
        let mut atv = vec![0x06, 0x03, 0x55, 0x04, 0x03, tag];
        der_len(&mut atv, bytes.len());
        atv.extend_from_slice(bytes);
        let mut seq = vec![0x30];
        der_len(&mut seq, atv.len());
        seq.extend_from_slice(&atv);
        rdns.push(0x31);
        der_len(&mut rdns, seq.len());
        rdns.extend_from_slice(&seq);
    }
    let mut out = vec![0x30];
    der_len(&mut out, rdns.len());
    out.extend_from_slice(&rdns);
    out
}

/// Sprig's `getBaseCertTemplate` + `getCertAndKey`: a v3 certificate with a random 128-bit serial, the CN
/// as the only subject attribute, validity now … now+days, key usage digitalSignature|keyEncipherment
/// (+certSign for a CA), extended key usage serverAuth+clientAuth, critical basic constraints, SANs.
fn make_cert(
    cn: &str,
    ips: &[IpAddr],
    dns: &[String],
    days: i64,
    key: &PrivKey,
    issuer: Option<&Issuer>,
    is_ca: bool,
) -> Result<Certificate, FuncError> {
    let creating = |e: String| FuncError(format!("error creating certificate: {e}"));
    // Go checks the signer before the subject's public key.
    let own_key = match (issuer, key) {
        (None, _) => key.key_pair().map_err(creating)?,
        (Some(_), PrivKey::Dsa(_)) => {
            return Err(creating(
                "x509: unsupported public key type: *dsa.PublicKey".into(),
            ))
        }
        (Some(_), _) => key.key_pair().map_err(creating)?,
    };

    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = subject(cn);
    let mut serial = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut serial);
    let first = serial.iter().position(|&b| b != 0).unwrap_or(15);
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial[first..]));
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    params.not_before = now;
    params.not_after = time::Duration::days(1)
        .checked_mul(
            i32::try_from(days)
                .map_err(|_| creating(format!("validity of {days} days is out of range")))?,
        )
        .and_then(|d| now.checked_add(d))
        .ok_or_else(|| creating(format!("validity of {days} days is out of range")))?;
    // Key usage is written by hand: Go trims the bit string after its last set bit (DER's rule for named
    // bits), rcgen always writes nine bits. digitalSignature is bit 0, keyEncipherment 2, keyCertSign 5.
    let usage: u8 = if is_ca { 0b1010_0100 } else { 0b1010_0000 };
    let mut ku = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 15], der_named_bits(usage));
    ku.set_criticality(true);
    params.custom_extensions.push(ku);
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    for name in dns {
        let ia5 = rcgen::Ia5String::try_from(name.as_str())
            .map_err(|_| creating(format!("x509: {name:?} cannot be encoded as an IA5String")))?;
        params.subject_alt_names.push(rcgen::SanType::DnsName(ia5));
    }
    params
        .subject_alt_names
        .extend(ips.iter().map(|ip| rcgen::SanType::IpAddress(*ip)));
    if is_ca {
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        // Go (1.25+) derives a CA's subject key identifier as the first 160 bits of SHA-256 of the public
        // key bits (RFC 7093 method 1).
        use sha2::Digest;
        let digest = sha2::Sha256::digest(own_key.public_key_raw());
        params.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(digest[..20].to_vec());
    } else {
        // Go writes `BasicConstraints{cA: false}` (an empty SEQUENCE, critical) and no key identifier;
        // rcgen's ExplicitNoCa would add a subject key identifier, so the extension is written by hand.
        let mut bc = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 19], vec![0x30, 0x00]);
        bc.set_criticality(true);
        params.custom_extensions.push(bc);
        params.is_ca = rcgen::IsCa::NoCa;
    }
    let cert = match issuer {
        None => params.self_signed(&own_key),
        Some(iss) => {
            params.use_authority_key_identifier_extension =
                iss.has_skid && iss.raw_subject != subject_der(cn);
            params.signed_by(&own_key, &iss.cert, &iss.key)
        }
    }
    .map_err(|e| creating(e.to_string()))?;
    let key_pem = key
        .to_pem()
        .map_err(|e| FuncError(format!("error pem-encoding key: {e}")))?;
    Ok(Certificate {
        cert: Arc::from(pem_string("CERTIFICATE", cert.der().to_vec())),
        key: Arc::from(key_pem),
    })
}

/// A one-byte DER BIT STRING of named bits, trimmed after the last set bit.
fn der_named_bits(bits: u8) -> Vec<u8> {
    let unused = bits.trailing_zeros().min(7) as u8;
    vec![0x03, 0x02, unused, bits]
}

/// Sprig's `buildCustomCert`: validates a base64 PEM certificate and key and returns them decoded.
fn build_custom_cert(b64_cert: &str, b64_key: &str) -> FuncResult {
    let cert = go_base64_decode(b64_cert.as_bytes())
        .map_err(|_| FuncError("unable to decode base64 certificate".into()))?;
    let key = go_base64_decode(b64_key.as_bytes())
        .map_err(|_| FuncError("unable to decode base64 private key".into()))?;
    let cert = go_string(cert);
    let key = go_string(key);
    let block = first_pem(&cert).ok_or_else(|| FuncError("unable to decode certificate".into()))?;
    x509_parser::parse_x509_certificate(block.contents())
        .map_err(|e| FuncError(format!("error parsing certificate: decodedCert.Bytes: {e}")))?;
    parse_private_key(&key).map_err(|e| FuncError(format!("error parsing private key: {e}")))?;
    cert_result(Ok(Certificate {
        cert: Arc::from(cert),
        key: Arc::from(key),
    }))
}
