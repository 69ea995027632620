//! The single `hoist` binary: parse arguments, dispatch, nothing else (ripgrep's thin `core`).
//! Installed a second time as `kubectl-hoist`, it serves as the kubectl plugin.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            // Helm prints `Error: <message>` and exits 1; scripts written for `helm template` rely on it.
            eprintln!("Error: {err:#}");
            ExitCode::from(1)
        }
    }
}
