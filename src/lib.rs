//! livedesk: the operator's terminal console for live-selling streams.

pub mod config;
pub mod desk;
pub mod feed;
pub mod protocol;
pub mod server;
pub mod ui;
