//! The PostgreSQL store: the same journal, sessions, viewers, notes and examples as the
//! SQLite one, in a database a team can share. Reads go through a small pool; the journal
//! is written by the same writer thread as SQLite's (its own connection, batches in one
//! transaction each), and durable means committed, which PostgreSQL's commit is.
//!
//! The driver is the synchronous `postgres` client, which runs a small runtime of its own
//! and so must not be called from inside the app's: [`off_runtime`] moves a call to a
//! plain thread when it would be.

pub mod copy;
mod pgpass;
mod read;
pub mod schema;
mod target;
pub mod team;
mod viewers;
mod write;

use std::time::Duration;

use anyhow::Context;
use r2d2_postgres::PostgresConnectionManager;
use r2d2_postgres::r2d2::{Pool, PooledConnection};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::Journal;
use super::writer::QUEUE;
pub use pgpass::{Wanted, find as find_in_pgpass};
pub use target::{Secrets, Target, is_postgres};
pub use write::{Fence, JOURNAL_CHANNEL};

type Manager = PostgresConnectionManager<MakeRustlsConnect>;

/// Most connections the reading side keeps open.
const POOL_SIZE: u32 = 4;

/// The store for reading, over a pool of connections.
pub struct PgStore {
    /// Always there; an `Option` only so that it can be dropped off the app's runtime.
    pool: Option<Pool<Manager>>,
    target: Target,
}

impl PgStore {
    /// Connects to `target`, brings its schema up to date and opens the pool.
    pub fn open(target: &Target) -> anyhow::Result<PgStore> {
        off_runtime(|| {
            let mut client = target.connect()?;
            schema::migrate(&mut client)
                .with_context(|| format!("cannot set up the store {}", target.shown()))?;
            let pool = Pool::builder()
                .max_size(POOL_SIZE)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                .build(target.manager())
                .with_context(|| format!("cannot connect to the store {}", target.shown()))?;
            Ok(PgStore { pool: Some(pool), target: target.clone() })
        })
    }

    /// Starts a journal writer with a connection of its own.
    pub fn journal(&self) -> anyhow::Result<Journal> {
        let client = off_runtime(|| self.target.connect())?;
        Journal::start_on(write::Pg::new(client, None), QUEUE)
    }

    /// Starts a journal writer that writes only while `fence`'s console holds the feed.
    pub fn fenced_journal(&self, fence: Fence) -> anyhow::Result<Journal> {
        let client = off_runtime(|| self.target.connect())?;
        Journal::start_on(write::Pg::new(client, Some(fence)), QUEUE)
    }

    /// Where this store is, as it may be shown.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Runs `f` on a pooled connection, off the app's runtime.
    fn with<T: Send>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> anyhow::Result<T> + Send,
    ) -> anyhow::Result<T> {
        off_runtime(|| {
            let pool = self.pool.as_ref().expect("the pool lives as long as the store");
            let mut conn: PooledConnection<Manager> =
                pool.get().with_context(|| format!("cannot reach the store {}", self.target.shown()))?;
            f(&mut conn)
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Each connection's own runtime cannot be dropped inside another runtime.
        let pool = self.pool.take();
        off_runtime(move || drop(pool));
    }
}

/// Runs `f` here, or on a plain thread when this one is inside an async runtime, where the
/// synchronous driver would panic.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
pub(crate) mod test_db;
#[cfg(test)]
mod tests;
