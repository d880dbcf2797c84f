//! `livedesk`: the operator's console for live-selling streams.

use std::process::ExitCode;

use clap::Parser;

use livedesk::cli::Cli;

fn main() -> ExitCode {
    livedesk::started();
    let cli = Cli::parse();
    // rustls needs a process-wide crypto provider before any wss:// connection.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("livedesk: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(livedesk::commands::dispatch(cli));
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("livedesk: {e:#}");
            ExitCode::FAILURE
        }
    }
}
