//! Sprig's random functions `randAlphaNum randAlpha randNumeric randAscii randBytes randInt uuidv4`, and
//! `getHostByName` as Helm installs it without `--enable-dns` (always ""): Hoist never resolves names
//! while rendering.
//!
//! Sprig draws the strings from `crypto/rand` through goutils' `CryptoRandom*`: the same alphabets are
//! used here with the OS generator.

use crate::funcs::args::int_arg;
use base64::Engine as _;
use gotmpl::{FuncError, FuncMap, Function, ParamType, Value};
use rand::{Rng, RngCore};

const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Registers the random functions.
pub fn register(m: &mut FuncMap) {
    const I: &[ParamType] = &[ParamType::Int];
    m.insert(Function::pure("randAlphaNum", I, None, |a| {
        Ok(random_string(int_arg(&a[0]), ALNUM))
    }));
    m.insert(Function::pure("randAlpha", I, None, |a| {
        Ok(random_string(int_arg(&a[0]), ALPHA))
    }));
    m.insert(Function::pure("randNumeric", I, None, |a| {
        Ok(random_string(int_arg(&a[0]), DIGITS))
    }));
    m.insert(Function::pure("randAscii", I, None, |a| {
        // goutils' CryptoRandomAscii: printable ASCII, space (32) to tilde (126).
        let printable: Vec<u8> = (32u8..=126).collect();
        Ok(random_string(int_arg(&a[0]), &printable))
    }));
    m.insert(Function::pure("randBytes", I, None, |a| {
        let n = usize::try_from(int_arg(&a[0]))
            .map_err(|_| FuncError("runtime error: makeslice: len out of range".into()))?;
        let mut buf = vec![0u8; n];
        rand::rngs::OsRng.fill_bytes(&mut buf);
        Ok(Value::from(
            base64::engine::general_purpose::STANDARD.encode(buf),
        ))
    }));
    m.insert(Function::pure(
        "randInt",
        &[ParamType::Int, ParamType::Int],
        None,
        |a| {
            let (min, max) = (int_arg(&a[0]), int_arg(&a[1]));
            // Go: rand.Intn(max-min)+min, which panics unless max-min > 0.
            match max.checked_sub(min) {
                Some(span) if span > 0 => Ok(Value::Int(
                    min.wrapping_add(rand::thread_rng().gen_range(0..span)),
                )),
                _ => Err(FuncError("invalid argument to Intn".into())),
            }
        },
    ));
    m.insert(Function::pure(
        "getHostByName",
        &[ParamType::String],
        None,
        |_| Ok(Value::from("")),
    ));
    m.insert(Function::pure("uuidv4", &[], None, |_| {
        Ok(Value::from(uuid::Uuid::new_v4().to_string()))
    }));
}

/// `count` characters drawn uniformly from `alphabet`; goutils returns an error (ignored by Sprig, so
/// the result is "") for a negative count.
fn random_string(count: i64, alphabet: &[u8]) -> Value {
    let Ok(n) = usize::try_from(count) else {
        return Value::from("");
    };
    let mut rng = rand::rngs::OsRng;
    let s: String = (0..n)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect();
    Value::from(s)
}
