//! livedesk: the operator's terminal console for live-selling streams.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod desk;
pub mod feed;
pub mod protocol;
pub mod replay;
pub mod server;
pub mod ui;
