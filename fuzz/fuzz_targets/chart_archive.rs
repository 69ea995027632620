//! Chart loading from archive bytes (and, when a chart loads, rendering it under tight limits).
//!
//! Input: one mode byte, then the payload. Mode bit 0 set: the payload is an uncompressed tar that the
//! harness gzips first, so mutations reach the tar and chart logic instead of breaking the deflate
//! stream's checksum; clear: the payload goes to the loader as is (gzip header and inflate paths).
#![no_main]

use chart_renderer::chart::Chart;
use chart_renderer::loader::{load_archive, LoadLimits};
use chart_renderer::render::{RenderOptions, Renderer};
use gotmpl::{Limits, Map};
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::OnceLock;
use std::time::Duration;

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(Renderer::new)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, payload)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 1 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if gz.write_all(payload).is_err() {
            return;
        }
        match gz.finish() {
            Ok(b) => b,
            Err(_) => return,
        }
    } else {
        payload.to_vec()
    };
    let limits = LoadLimits {
        max_file_size: 256 * 1024,
        max_chart_size: 1024 * 1024,
        max_files: 200,
        max_depth: 4,
    };
    let Ok(chart) = load_archive(&bytes, &limits, 0) else {
        return;
    };
    render(&chart);
});

fn render(chart: &Chart) {
    let opts = RenderOptions {
        limits: Limits {
            max_template_depth: 64,
            max_range_iterations: Some(10_000),
            max_output_bytes: Some(1 << 20),
            timeout: Some(Duration::from_secs(2)),
            max_parse_depth: 256,
        },
        ..RenderOptions::default()
    };
    let _ = renderer().render(chart, &Map::new(), &opts);
}
