//! Values/YAML decoding and re-encoding (`chart_renderer::yaml`), plus Go-JSON and TOML decoding, which
//! `fromJson`/`fromToml` expose to templates.
//!
//! Decoded documents are encoded again with `toYaml`/`toJson`/`toToml`; a `toYaml` result must decode
//! again (Helm's round trip `fromYaml (toYaml x)` does not fail on a map it produced, except for a `<<`
//! key, which Helm also writes plain and reads back as a merge key).
#![no_main]

use chart_renderer::yaml::{self as decode, encode, gojson, gotoml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(map) = decode::load_values(text) {
        let v = gotmpl::Value::Map(map);
        if let Ok(y) = encode::to_string(&v) {
            // A `<<` key is written plain and reads back as a merge key, in Helm too (`dict "<<" "x" |
            // toYaml | fromYaml` fails there the same way), so such output is exempt.
            if let (false, Err(e)) = (y.contains("<<"), decode::from_str(&y)) {
                panic!("toYaml output does not decode: {e}\n--- input\n{text}\n--- toYaml\n{y}");
            }
        }
        let _ = encode::to_string_pretty(&v);
        let _ = gojson::to_json_string(&v, Default::default());
        let _ = gotoml::to_string(&v);
    }
    let _ = decode::from_str_multi(text);
    let _ = decode::from_str_list(text);
    let _ = decode::split_documents(text);
    let _ = gojson::from_json_str(text);
    let _ = gotoml::from_str(text);
});
