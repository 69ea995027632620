//! Sprig's encoding functions: `b64enc b64dec b32enc b32dec`.
//!
//! Encoding uses the `base64` and `data-encoding` crates. Decoding is written here on purpose: Sprig
//! returns Go's decode *error text* as the function result (`illegal base64 data at input byte N`), and
//! the byte offset Go reports follows rules of its own (newlines skipped in base64 but counted in the
//! offset, newlines stripped before base32 decoding so offsets count without them, particular offsets for
//! short or bad padding). No crate reproduces those offsets, so the two decoders below implement Go's
//! documented behaviour and are checked against Helm's engine in `tests/encoding_funcs.rs`.

use crate::funcs::args::str_arg;
use base64::Engine as _;
use gotmpl::{FuncMap, Function, ParamType, Value};

/// Registers `b64enc b64dec b32enc b32dec` (all `func(string) string` in Sprig).
pub fn register(m: &mut FuncMap) {
    const S: &[ParamType] = &[ParamType::String];
    m.insert(Function::pure("b64enc", S, None, |a| {
        Ok(Value::from(
            base64::engine::general_purpose::STANDARD.encode(str_arg(&a[0]).as_bytes()),
        ))
    }));
    m.insert(Function::pure("b64dec", S, None, |a| {
        Ok(Value::from(
            match go_base64_decode(str_arg(&a[0]).as_bytes()) {
                Ok(bytes) => go_string(bytes),
                Err(at) => format!("illegal base64 data at input byte {at}"),
            },
        ))
    }));
    m.insert(Function::pure("b32enc", S, None, |a| {
        Ok(Value::from(
            data_encoding::BASE32.encode(str_arg(&a[0]).as_bytes()),
        ))
    }));
    m.insert(Function::pure("b32dec", S, None, |a| {
        Ok(Value::from(
            match go_base32_decode(str_arg(&a[0]).as_bytes()) {
                Ok(bytes) => go_string(bytes),
                Err(at) => format!("illegal base32 data at input byte {at}"),
            },
        ))
    }));
}

/// Go's `string(bytes)`. Our strings are UTF-8, so bytes that are not valid UTF-8 become U+FFFD, one
/// per byte as Go's own decoding (`range`, `json.Marshal`) sees them; Go would keep the raw bytes in the
/// string itself. Decoded text is almost always UTF-8 in charts.
pub(crate) fn go_string(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len() + 8);
            let mut rest = &bytes[..];
            loop {
                match std::str::from_utf8(rest) {
                    Ok(valid) => {
                        out.push_str(valid);
                        return out;
                    }
                    Err(err) => {
                        let (good, bad) = rest.split_at(err.valid_up_to());
                        // `good` was just validated, so this never falls back.
                        out.push_str(std::str::from_utf8(good).unwrap_or_default());
                        let n = err.error_len().unwrap_or(bad.len());
                        out.extend(std::iter::repeat_n(char::REPLACEMENT_CHARACTER, n));
                        rest = &bad[n..];
                    }
                }
            }
        }
    }
}

fn b64_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

fn skip_newlines(src: &[u8], mut i: usize) -> usize {
    while i < src.len() && (src[i] == b'\n' || src[i] == b'\r') {
        i += 1;
    }
    i
}

/// Go's `base64.StdEncoding.DecodeString`: padded, not strict (CR/LF anywhere are ignored, unused
/// trailing bits are dropped). `Err(offset)` is the byte offset Go's `CorruptInputError` carries.
pub fn go_base64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut i = 0;
    loop {
        let mut quantum = [0u32; 4];
        let mut have = 0usize;
        let mut finished = false;
        while have < 4 {
            if i == src.len() {
                if have == 0 {
                    return Ok(out);
                }
                // Input ended inside a quantum: padding was required.
                return Err(i - have);
            }
            let c = src[i];
            i += 1;
            if let Some(v) = b64_value(c) {
                quantum[have] = v;
                have += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' || have < 2 {
                return Err(i - 1);
            }
            // Padding: two characters need "==", three need "=".
            if have == 2 {
                i = skip_newlines(src, i);
                if i == src.len() {
                    return Err(src.len());
                }
                if src[i] != b'=' {
                    return Err(i - 1);
                }
                i += 1;
            }
            i = skip_newlines(src, i);
            if i < src.len() {
                return Err(i);
            }
            finished = true;
            break;
        }
        let bits = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3];
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..have]);
        if finished {
            return Ok(out);
        }
    }
}

fn b32_value(c: u8) -> Option<u64> {
    match c {
        b'A'..=b'Z' => Some(u64::from(c - b'A')),
        b'2'..=b'7' => Some(u64::from(c - b'2') + 26),
        _ => None,
    }
}

/// Go's `base32.StdEncoding.DecodeString`: CR/LF are removed first (so offsets count without them),
/// then 8-character quanta are decoded; padding is only recognised within the last 8 characters.
pub fn go_base32_decode(input: &[u8]) -> Result<Vec<u8>, usize> {
    let src: Vec<u8> = input
        .iter()
        .copied()
        .filter(|&c| c != b'\n' && c != b'\r')
        .collect();
    let total = src.len();
    let mut out = Vec::with_capacity(total / 8 * 5);
    let mut i = 0;
    while i < total {
        let mut quantum = [0u64; 8];
        let mut have = 0usize;
        let mut finished = false;
        while have < 8 {
            if i == total {
                return Err(total - have);
            }
            let c = src[i];
            i += 1;
            let left = total - i;
            if c == b'=' && have >= 2 && left < 8 {
                if left + have < 7 {
                    return Err(total);
                }
                for k in 0..(7 - have) {
                    if k < left && src[i + k] != b'=' {
                        return Err(i + k - 1);
                    }
                }
                // RFC 4648 allows only 6, 4, 3 or 1 padding characters.
                if matches!(have, 1 | 3 | 6) {
                    return Err(i - 1);
                }
                finished = true;
                break;
            }
            match b32_value(c) {
                Some(v) => quantum[have] = v,
                None => return Err(i - 1),
            }
            have += 1;
        }
        let bits = quantum.iter().fold(0u64, |acc, &v| (acc << 5) | v);
        let bytes = bits.to_be_bytes();
        let produced = match have {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            _ => 1,
        };
        out.extend_from_slice(&bytes[3..3 + produced]);
        if finished {
            break;
        }
    }
    Ok(out)
}
