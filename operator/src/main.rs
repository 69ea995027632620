//! The single `hoist` binary. PLACEHOLDER — the CLI lands with the renderer integration.

fn main() {
    eprintln!("hoist: not yet implemented");
    std::process::exit(2);
}
