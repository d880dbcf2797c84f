//! The PostgreSQL store's tables, built by versioned migrations: `schema_version` keeps one
//! row per migration applied, each migration runs once in its own transaction, and a second
//! start (or a second console starting at the same moment, held back by a lock) finds
//! nothing left to do. A later livedesk adds a migration at the end of [`MIGRATIONS`]; a
//! database a newer livedesk migrated further is refused.
//!
//! The tables and their meaning are the SQLite store's. Times are kept as the journal's RFC
//! 3339 text to the nanosecond (a `timestamptz` keeps microseconds, and a rebuild applies each
//! input at exactly the time it was applied live); bodies are the wire JSON as text, as sent.

use anyhow::{Context, bail};

/// One step of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    pub version: i32,
    /// What it does, as `schema_version` records it.
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in the order they apply.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "journal, sessions, viewers, notes and examples",
        sql: "
CREATE TABLE sessions (
    id          BIGSERIAL PRIMARY KEY,
    source      TEXT NOT NULL,
    stream_id   TEXT,
    title       TEXT,
    started_at  TEXT NOT NULL,
    updated_at  TEXT,
    ended_at    TEXT,
    last_seq    BIGINT,
    orders      BIGINT NOT NULL DEFAULT 0,
    gmv         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_by_source ON sessions (source, ended_at);
CREATE TABLE journal (
    session_id  BIGINT NOT NULL REFERENCES sessions (id),
    n           BIGINT NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    seq         BIGINT,
    body        TEXT NOT NULL,
    PRIMARY KEY (session_id, n)
);
CREATE TABLE examples (
    session_id  BIGINT NOT NULL REFERENCES sessions (id),
    n           BIGINT NOT NULL,
    at          TEXT NOT NULL,
    text        TEXT NOT NULL,
    lang        TEXT,
    tags        TEXT NOT NULL,
    fixed       TEXT NOT NULL,
    reply       TEXT,
    PRIMARY KEY (session_id, n)
);
CREATE TABLE viewer_streams (
    session_id  BIGINT NOT NULL REFERENCES sessions (id),
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    orders      BIGINT NOT NULL DEFAULT 0,
    spend       TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (session_id, user_id)
);
CREATE TABLE viewer_totals (
    feed          TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_session  BIGINT NOT NULL,
    first_seen    TEXT NOT NULL,
    streams       BIGINT NOT NULL,
    orders        BIGINT NOT NULL,
    spend         TEXT NOT NULL,
    PRIMARY KEY (feed, user_id)
);
CREATE TABLE viewer_folded (
    session_id  BIGINT PRIMARY KEY REFERENCES sessions (id)
);
CREATE TABLE viewer_notes (
    feed        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    note        TEXT NOT NULL,
    tags        TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (feed, user_id)
);
",
    },
    Migration {
        version: 2,
        name: "where a copied session came from",
        // `store copy` recognises a session it copied before by it (see `copy`).
        sql: "ALTER TABLE sessions ADD COLUMN copied_from TEXT UNIQUE",
    },
    Migration {
        version: 3,
        name: "the team desk: the feed's lease, requests, consoles",
        sql: "
CREATE TABLE leases (
    source      TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    operator    TEXT NOT NULL,
    epoch       BIGINT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE TABLE requests (
    id          BIGSERIAL PRIMARY KEY,
    session_id  BIGINT NOT NULL REFERENCES sessions (id),
    operator    TEXT NOT NULL,
    body        TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX requests_by_session ON requests (session_id, id);
ALTER TABLE journal ADD COLUMN request BIGINT;
CREATE UNIQUE INDEX journal_requests ON journal (session_id, request) WHERE request IS NOT NULL;
CREATE TABLE consoles (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    operator    TEXT NOT NULL,
    place       TEXT NOT NULL,
    seen_at     TIMESTAMPTZ NOT NULL
);
",
    },
];

/// Held while migrating, so that two consoles starting together migrate once.
const MIGRATION_LOCK: i64 = 0x6c69_7665_6465_736b; // "livedesk"

/// Brings the database up to [`MIGRATIONS`]; returns how many were applied now.
pub fn migrate(client: &mut postgres::Client) -> anyhow::Result<usize> {
    migrate_with(client, MIGRATIONS)
}

pub(super) fn migrate_with(client: &mut postgres::Client, migrations: &[Migration]) -> anyhow::Result<usize> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_version (
                 version     INTEGER PRIMARY KEY,
                 name        TEXT NOT NULL,
                 applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .or_else(|e| {
            // Two first starts at once: the other created it a moment earlier.
            if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) { Ok(()) } else { Err(e) }
        })
        .context("cannot create the store's schema_version table")?;
    let newest = migrations.last().map_or(0, |m| m.version);
    let mut applied = 0;
    for m in migrations {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        let done: Option<i32> = tx.query_one("SELECT MAX(version) FROM schema_version", &[])?.get(0);
        if let Some(done) = done
            && done > newest
        {
            bail!(
                "the store was migrated by a newer livedesk (schema {done}); upgrade livedesk, or run with --no-store"
            );
        }
        let has = tx.query_opt("SELECT 1 FROM schema_version WHERE version = $1", &[&m.version])?.is_some();
        if has {
            continue;
        }
        tx.batch_execute(m.sql).with_context(|| format!("migration {} ({}) failed", m.version, m.name))?;
        tx.execute("INSERT INTO schema_version (version, name) VALUES ($1, $2)", &[&m.version, &m.name])?;
        tx.commit()?;
        tracing::info!(version = m.version, name = m.name, "store migrated");
        applied += 1;
    }
    Ok(applied)
}
