//! Helm's `--set*` parsers (`chart_renderer::strvals`).
//!
//! Input: one byte choosing the flag kind, then the line. Each line is parsed into a fresh map, then
//! applied as a flag a second time into the same map (existing keys, lists and type clashes).
#![no_main]

use chart_renderer::strvals::{apply_flag, parse_into_with, SetKind};
use gotmpl::Map;
use libfuzzer_sys::fuzz_target;

const KINDS: [SetKind; 5] = [
    SetKind::Set,
    SetKind::String,
    SetKind::Json,
    SetKind::File,
    SetKind::Literal,
];

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let Ok(line) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = KINDS[usize::from(k) % KINDS.len()];
    // --set-file reads a file: answer from memory so the fuzzer never touches the filesystem.
    let read = |path: &str| -> Result<String, String> {
        if path.len() % 2 == 0 {
            Ok(format!("content of {path}\n"))
        } else {
            Err(format!("open {path}: no such file or directory"))
        }
    };
    let dest = Map::new();
    if parse_into_with(line, &dest, kind, &read).is_ok() && kind != SetKind::File {
        let _ = apply_flag(line, &dest, kind);
    }
});
