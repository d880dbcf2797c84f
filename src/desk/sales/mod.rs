//! Flash sales: the ledger of each sale's life (planned, preheat, live, paused, ended) and
//! the desk's rules that carry what the ledger decides to the platform and the chat.

mod ledger;
mod platform;

pub use ledger::*;
