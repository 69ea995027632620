//! `apiserver-double --port N --kubeconfig-out PATH [--version v1.24.17]`: runs the double until
//! killed. Prints `listening on http://127.0.0.1:PORT` on stdout once it accepts connections.

use std::io::Write;
use std::path::PathBuf;

use hoist_apiserver_double::{ApiServer, Options};

fn usage() -> ! {
    eprintln!("usage: apiserver-double [--port N] [--kubeconfig-out PATH] [--version vX.Y.Z]");
    std::process::exit(2);
}

fn main() {
    let mut opts = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--port" => opts.port = val().parse().unwrap_or_else(|_| usage()),
            "--kubeconfig-out" => opts.kubeconfig = Some(PathBuf::from(val())),
            "--version" => opts.version = val(),
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    match ApiServer::start_with(opts) {
        Ok(server) => {
            println!("listening on {}", server.url());
            println!("kubeconfig {}", server.kubeconfig().display());
            let _ = std::io::stdout().flush();
            server.wait();
        }
        Err(e) => {
            eprintln!("apiserver-double: {e}");
            std::process::exit(1);
        }
    }
}
