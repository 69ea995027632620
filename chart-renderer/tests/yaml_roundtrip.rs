//! Round-trip properties over generated values: what our encoders write, our decoder reads back as the
//! same value (as Helm does for everything JSON can carry). Numbers come back as float64, as in Helm.

use chart_renderer::yaml::gojson::{from_json_str, to_json_string, JsonOptions};
use chart_renderer::yaml::{from_str, to_string, to_string_pretty};
use gotmpl::{Map, Value};

/// xorshift64*: deterministic, so a failure is reproducible from the iteration number.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces of strings that stress quoting. Not `<<` on its own: yaml.v2 writes a `"<<"` key plain and
/// then reads it back as a merge key — Helm's own round trip fails there too.
const FRAGMENTS: &[&str] = &[
    "a",
    "yes",
    "No",
    "on",
    "y",
    "~",
    "null",
    "true",
    "1",
    "0x1F",
    "017",
    "1e3",
    "1_000",
    ".5",
    "-",
    "--- ",
    "...",
    ":",
    ": ",
    " :",
    "#",
    " #",
    "? ",
    "- ",
    "'",
    "\"",
    "\\",
    "|",
    ">",
    "&a",
    "*a",
    "!t",
    "%",
    "@",
    "`",
    ",",
    "[",
    "]",
    "{",
    "}",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "\r",
    "\u{0}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{feff}",
    "é",
    "日本",
    "😀",
    "2001-12-14",
    "1:20",
    "<x",
    "=",
    "word ",
    "another word ",
    "a very long sentence that keeps going past the column where yaml.v2 folds plain scalars ",
];

fn gen_string(r: &mut Rng) -> String {
    let n = r.below(6);
    (0..n)
        .map(|_| FRAGMENTS[r.below(FRAGMENTS.len())])
        .collect()
}

fn gen_float(r: &mut Rng) -> f64 {
    match r.below(6) {
        0 => r.below(1000) as f64,
        1 => -(r.below(1_000_000_000) as f64),
        2 => r.below(100_000) as f64 / 7.0,
        3 => f64::from_bits(r.next() >> 2), // arbitrary finite positive doubles
        4 => 10f64.powi(r.below(60) as i32 - 30),
        _ => (r.below(1 << 20) as f64) * 1e15,
    }
}

fn gen(r: &mut Rng, depth: usize) -> Value {
    let k = if depth >= 3 { r.below(4) } else { r.below(6) };
    match k {
        0 => Value::Nil,
        1 => Value::Bool(r.below(2) == 0),
        2 => Value::Float(gen_float(r)),
        3 => Value::from(gen_string(r)),
        4 => Value::list((0..r.below(4)).map(|_| gen(r, depth + 1)).collect()),
        _ => Value::Map(
            (0..r.below(4))
                .map(|_| (gen_string(r), gen(r, depth + 1)))
                .collect::<Map>(),
        ),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            let (x, y) = (x.entries(), y.entries());
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
        }
        _ => false,
    }
}

fn wrap(v: Value) -> Value {
    // a top-level map, as values files and most toYaml calls have
    Value::Map([("v".to_string(), v)].into_iter().collect::<Map>())
}

#[test]
fn yaml_round_trips() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..3000 {
        let v = wrap(gen(&mut r, 0));
        let text = to_string(&v).expect("encodable");
        let back = from_str(&text).unwrap_or_else(|e| panic!("#{i}: {e}\n{text}"));
        assert!(same(&v, &back), "#{i} toYaml:\n{text}\n{v:?}\n{back:?}");
        let text = to_string_pretty(&v).expect("encodable");
        let back = from_str(&text).unwrap_or_else(|e| panic!("#{i}: {e}\n{text}"));
        assert!(
            same(&v, &back),
            "#{i} toYamlPretty:\n{text}\n{v:?}\n{back:?}"
        );
    }
}

#[test]
fn json_round_trips() {
    let mut r = Rng(0x0123_4567_89AB_CDEF);
    for i in 0..3000 {
        let v = wrap(gen(&mut r, 0));
        for opts in [
            JsonOptions {
                escape_html: true,
                indent: None,
            },
            JsonOptions {
                escape_html: false,
                indent: Some("  "),
            },
        ] {
            let text = to_json_string(&v, opts).expect("encodable");
            let back = from_json_str(&text).unwrap_or_else(|e| panic!("#{i}: {e}\n{text}"));
            assert!(back.error.is_none());
            assert!(same(&v, &back.value), "#{i}:\n{text}");
        }
    }
}
