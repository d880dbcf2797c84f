//! A store as the reports read it, whichever engine keeps it: its sessions, each one's
//! journal, and the operator's notes on viewers. `livedesk sessions`, `report` and
//! `customers` read through [`Archive`] alone, so they give the same answers on SQLite and
//! on PostgreSQL for the same journal.

use std::collections::HashMap;

use super::journaling::Reader;
use super::postgres::PgStore;
use super::{SessionInfo, Store};

/// A viewer's note and tags, by user id.
pub type Notes = HashMap<String, (String, Vec<String>)>;

/// What the reports read of a store, on top of its journal ([`Reader::each_item`]).
pub trait Archive: Reader {
    /// Where the store is, for messages: a file, or an address without its password.
    fn place(&self) -> String;
    /// Every stored session, newest first.
    fn sessions(&self) -> anyhow::Result<Vec<SessionInfo>>;
    /// The operator's notes and tags on viewers, by user id (the newest, where two feeds
    /// know the same id); only those of `feed` when given.
    fn viewer_notes(&self, feed: Option<&str>) -> anyhow::Result<Notes>;
}

impl Archive for Store {
    fn place(&self) -> String {
        self.path().display().to_string()
    }

    fn sessions(&self) -> anyhow::Result<Vec<SessionInfo>> {
        Store::sessions(self)
    }

    fn viewer_notes(&self, feed: Option<&str>) -> anyhow::Result<Notes> {
        Store::viewer_notes(self, feed)
    }
}

impl Archive for PgStore {
    fn place(&self) -> String {
        self.shown().to_owned()
    }

    fn sessions(&self) -> anyhow::Result<Vec<SessionInfo>> {
        PgStore::sessions(self)
    }

    fn viewer_notes(&self, feed: Option<&str>) -> anyhow::Result<Notes> {
        PgStore::viewer_notes(self, feed)
    }
}
