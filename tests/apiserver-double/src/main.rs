//! `apiserver-double`: not functional yet — the HTTP server is not written (see README.md).

fn main() {
    eprintln!("apiserver-double: the HTTP server is not implemented yet (see README.md)");
    std::process::exit(2);
}
