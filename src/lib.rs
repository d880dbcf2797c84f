//! livedesk: the operator's terminal console for live-selling streams.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod desk;
pub mod explain;
pub mod feed;
pub mod language;
pub mod protocol;
pub mod replay;
pub mod reply_kinds;
pub mod report;
pub mod server;
pub mod store;
pub mod table;
pub mod text;
pub mod ui;

/// When the process started (the first call wins: `main` makes it first), for the
/// start-to-first-frame figure in the log.
pub fn started() -> std::time::Instant {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *START.get_or_init(std::time::Instant::now)
}
