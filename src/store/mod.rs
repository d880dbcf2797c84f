//! The durable store: every input and output of a run, journaled in SQLite (WAL), so a
//! restarted desk is rebuilt exactly and the team can study a stream afterwards.
//!
//! One database per state dir (`livedesk.db`). A *session* is one stream as this desk
//! saw it, across restarts: its row in `sessions` (source, stream id, figures) and its
//! rows in `journal`, numbered `n` from 1 in the order they were applied. Inputs are
//! written in batches by a [`Journal`] thread; rebuilding is applying the journaled
//! inputs again, at their recorded times, to a fresh desk.
//!
//! The same tables can live in a PostgreSQL database instead ([`postgres`]), written by the
//! same [`Journal`] thread and read back by the same journaling rules.

pub mod archive;
pub mod configured;
mod examples;
pub mod journaling;
pub mod postgres;
mod viewers;
mod writer;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::config::model::ReplySpec;
use crate::desk::learned::Example;
use crate::desk::viewers::History;
use crate::desk::{Action, Desk, Input, LinkEvent};
use crate::protocol::{Command, Frame};

pub use archive::Archive;
pub use journaling::Resume;
pub use viewers::ViewerRow;
pub use writer::{Backlog, CommandSink, Item, Journal};

/// The database's file name in the state dir.
pub const FILE: &str = "livedesk.db";
/// The schema this build reads and writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    stream_id   TEXT,
    title       TEXT,
    started_at  TEXT NOT NULL,
    updated_at  TEXT,
    ended_at    TEXT,
    last_seq    INTEGER,
    orders      INTEGER NOT NULL DEFAULT 0,
    gmv         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS sessions_by_source ON sessions (source, ended_at);
CREATE TABLE IF NOT EXISTS journal (
    session_id  INTEGER NOT NULL REFERENCES sessions (id),
    n           INTEGER NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    seq         INTEGER,
    body        TEXT NOT NULL,
    PRIMARY KEY (session_id, n)
) WITHOUT ROWID;
";

/// The database path in a state dir.
pub fn path_in(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE)
}

/// Opens (and creates or upgrades) the database with the settings every connection uses.
fn connect(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut conn =
        Connection::open(path).with_context(|| format!("cannot open the store {}", path.display()))?;
    let setup = || -> rusqlite::Result<i64> {
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
    };
    let version = setup().with_context(|| format!("cannot read the store {}", path.display()))?;
    if version > SCHEMA_VERSION {
        bail!(
            "the store {} was written by a newer livedesk (schema {version}); upgrade livedesk, or run with --no-store",
            path.display()
        );
    }
    conn.execute_batch(SCHEMA)
        .and_then(|()| conn.execute_batch(examples::SCHEMA))
        .and_then(|()| conn.pragma_update(None, "user_version", SCHEMA_VERSION))
        .with_context(|| format!("cannot set up the store {}", path.display()))?;
    viewers::set_up(&mut conn).with_context(|| format!("cannot set up the store {}", path.display()))?;
    Ok(conn)
}

/// A time as the journal writes it: RFC 3339 to the nanosecond, so a rebuild applies
/// each input at exactly the time it was applied live.
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_stamp(text: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text).with_context(|| format!("bad time {text:?}"))?.with_timezone(&Utc))
}

/// A stored session not yet ended, as a restart finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenSession {
    pub id: i64,
    pub stream_id: Option<String>,
    /// The last stream seq applied: where the feed resumes.
    pub last_seq: Option<u64>,
}

/// What a rebuild found in a session's journal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rebuilt {
    /// Inputs applied.
    pub inputs: u64,
    /// The examples the rebuilt desk made again (the store keeps each once).
    pub examples: Vec<(DateTime<Utc>, Example)>,
    /// Commands journaled whose ack never came: sent again with their own refs (the
    /// platform treats a repeated ref as the same command), in case they never left.
    pub unanswered: Vec<Command>,
}

/// One stored session as `livedesk sessions` lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SessionInfo {
    pub id: i64,
    pub stream: Option<String>,
    pub title: Option<String>,
    pub source: String,
    pub started_at: String,
    /// When the stream ended; `None` while it may go on (a restart resumes it).
    pub ended_at: Option<String>,
    /// Time from the start to the end, or to the last journaled input.
    pub length_seconds: i64,
    pub orders: u64,
    /// Per currency, as in the headless summary.
    pub gmv: BTreeMap<String, String>,
    pub last_seq: Option<u64>,
}

/// The store for reading: finding a session to resume, rebuilding it, listing them.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database at `path`, creating it if need be.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        Ok(Store { conn: connect(path)?, path: path.to_path_buf() })
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This store's own id, made the first time it is asked for and kept in the file: a copy
    /// of its sessions elsewhere is recognised by it, wherever the file has moved since.
    pub fn own_id(&self) -> anyhow::Result<String> {
        let read = || -> rusqlite::Result<String> {
            self.conn.execute_batch("CREATE TABLE IF NOT EXISTS store_id (id TEXT NOT NULL)")?;
            let id: Option<String> =
                self.conn.query_row("SELECT id FROM store_id LIMIT 1", [], |r| r.get(0)).optional()?;
            if let Some(id) = id {
                return Ok(id);
            }
            let id = format!("{:032x}", fastrand::u128(..));
            self.conn.execute("INSERT INTO store_id (id) VALUES (?1)", [&id])?;
            Ok(id)
        };
        read().with_context(|| format!("cannot read the store's id in {}", self.path.display()))
    }

    /// The newest session from `source` (a feed URL, `demo`) that has not ended.
    pub fn latest_open(&self, source: &str) -> anyhow::Result<Option<OpenSession>> {
        self.session_where(
            "SELECT id, stream_id, last_seq FROM sessions
             WHERE source = ?1 AND ended_at IS NULL ORDER BY id DESC LIMIT 1",
            source,
        )
    }

    /// Session `id`, ended or not.
    pub fn session(&self, id: i64) -> anyhow::Result<Option<OpenSession>> {
        self.session_where("SELECT id, stream_id, last_seq FROM sessions WHERE id = ?1", id)
    }

    fn session_where(&self, sql: &str, param: impl rusqlite::ToSql) -> anyhow::Result<Option<OpenSession>> {
        self.conn
            .query_row(sql, [param], |r| {
                let last_seq: Option<i64> = r.get(2)?;
                Ok(OpenSession { id: r.get(0)?, stream_id: r.get(1)?, last_seq: last_seq.map(|s| s as u64) })
            })
            .optional()
            .context("cannot read the store's sessions")
    }

    /// Applies session `id`'s journal to `desk` (a fresh one), input by input at the
    /// recorded times, with the ref prefix each run had.
    pub fn rebuild(&self, id: i64, desk: &mut Desk) -> anyhow::Result<Rebuilt> {
        journaling::rebuild(self, id, desk)
    }

    /// Reads session `id`'s journal in order, handing each row to `visit` with the time it
    /// was applied: rebuilds and reports read the same rows the same way.
    pub fn each_item(
        &self,
        id: i64,
        mut visit: impl FnMut(DateTime<Utc>, Item) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut stmt =
            self.conn.prepare("SELECT n, at, kind, body FROM journal WHERE session_id = ?1 ORDER BY n")?;
        let mut rows = stmt.query([id])?;
        while let Some(row) = rows.next()? {
            let n: i64 = row.get(0)?;
            let mut read = || -> anyhow::Result<()> {
                let at = parse_stamp(row.get_ref(1)?.as_str()?)?;
                let kind = row.get_ref(2)?.as_str()?;
                let body = row.get_ref(3)?.as_str()?;
                visit(at, decode(kind, body)?)
            };
            read().with_context(|| format!("journal row {n} of session {id} in {}", self.path.display()))?;
        }
        Ok(())
    }

    /// How often the operator sent each canned reply (by id), in every session but `except`
    /// (the one being rebuilt counts its own as it replays).
    pub fn reply_uses(&self, except: Option<i64>) -> anyhow::Result<BTreeMap<String, u64>> {
        let mut stmt = self.conn.prepare(
            "SELECT json_extract(body, '$.args.reply') AS reply, count(*) FROM journal
             WHERE kind IN ('operator', 'hand') AND json_extract(body, '$.operator') = 'answer'
               AND session_id IS NOT ?1 AND reply IS NOT NULL
             GROUP BY reply",
        )?;
        let rows = stmt.query_map([except], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut uses = BTreeMap::new();
        for row in rows {
            let (reply, n) = row.context("cannot read the replies' use counts")?;
            uses.insert(reply, u64::try_from(n).unwrap_or(0));
        }
        Ok(uses)
    }

    /// The shop's examples (its answers and fixes) from every session but `except`, the one
    /// being rebuilt, whose journal brings its own; oldest first.
    pub fn examples(&self, except: Option<i64>) -> anyhow::Result<Vec<Example>> {
        examples::load(&self.conn, except)
            .with_context(|| format!("cannot read the examples in {}", self.path.display()))
    }

    /// What the earlier sessions of `source` knew of its viewers (never session `except`,
    /// the one being rebuilt, whose journal brings its own), and the notes kept for them.
    pub fn viewer_history(&self, source: &str, except: Option<i64>) -> anyhow::Result<History> {
        viewers::history(&self.conn, source, except)
            .with_context(|| format!("cannot read the viewers in {}", self.path.display()))
    }

    /// The operator's notes and tags on viewers, by user id (the newest, where two feeds know
    /// the same id); only those of `feed` when given. For reports and the customer list.
    pub fn viewer_notes(&self, feed: Option<&str>) -> anyhow::Result<HashMap<String, (String, Vec<String>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT user_id, note, tags FROM viewer_notes WHERE ?1 IS NULL OR feed = ?1 ORDER BY at",
        )?;
        let mut rows = stmt.query([feed])?;
        let mut notes = HashMap::new();
        while let Some(r) = rows.next()? {
            let tags: Vec<String> = serde_json::from_str(r.get_ref(2)?.as_str()?).unwrap_or_default();
            notes.insert(r.get::<_, String>(0)?, (r.get::<_, String>(1)?, tags));
        }
        Ok(notes)
    }

    /// Every stored session, newest first.
    pub fn sessions(&self) -> anyhow::Result<Vec<SessionInfo>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, stream_id, title, source, started_at, ended_at, updated_at, orders, gmv, last_seq
             FROM sessions ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            let started_at: String = r.get(4)?;
            let ended_at: Option<String> = r.get(5)?;
            let updated_at: Option<String> = r.get(6)?;
            let gmv: String = r.get(8)?;
            let length = length_seconds(&started_at, ended_at.as_deref().or(updated_at.as_deref()));
            Ok(SessionInfo {
                id: r.get(0)?,
                stream: r.get(1)?,
                title: r.get(2)?,
                source: r.get(3)?,
                started_at,
                ended_at,
                length_seconds: length,
                orders: r.get::<_, i64>(7)? as u64,
                gmv: serde_json::from_str(&gmv).unwrap_or_default(),
                last_seq: r.get::<_, Option<i64>>(9)?.map(|s| s as u64),
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>().context("cannot read the store's sessions")
    }
}

/// A session's length from its start to `last` (its end, or its last journaled input).
pub(crate) fn length_seconds(started_at: &str, last: Option<&str>) -> i64 {
    match (DateTime::parse_from_rfc3339(started_at), last.map(DateTime::parse_from_rfc3339)) {
        (Ok(start), Some(Ok(end))) => (end - start).num_seconds().max(0),
        _ => 0,
    }
}

/// Reads one journal row back.
fn decode(kind: &str, body: &str) -> anyhow::Result<Item> {
    Ok(match kind {
        "feed" => Item::Input(Input::Feed(serde_json::from_str::<Frame>(body)?)),
        "link" => Item::Input(Input::Link(serde_json::from_str::<LinkEvent>(body)?)),
        "operator" => Item::Input(Input::Operator(serde_json::from_str::<Action>(body)?)),
        "hand" => Item::Input(Input::Hand(serde_json::from_str(body)?)),
        "tick" => Item::Input(Input::Tick),
        "replies" => Item::Input(Input::Replies(serde_json::from_str::<Vec<ReplySpec>>(body)?)),
        "output" => Item::Output(serde_json::from_str::<Command>(body)?),
        "run" => {
            #[derive(serde::Deserialize)]
            struct Run {
                ref_prefix: String,
            }
            Item::Run { ref_prefix: serde_json::from_str::<Run>(body)?.ref_prefix }
        }
        other => bail!("unknown kind {other:?}"),
    })
}

/// Holds a source for one running desk, so two desks never write one session's journal.
#[derive(Debug)]
pub struct SourceLock {
    _file: File,
}

impl SourceLock {
    /// Takes the lock for `source` in `state_dir`, or says who to stop.
    pub fn take(state_dir: &Path, source: &str) -> anyhow::Result<SourceLock> {
        let dir = state_dir.join("locks");
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // FNV-1a: a stable file name for any source text.
        let hash = source
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let path = dir.join(format!("{hash:016x}.lock"));
        let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(SourceLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another livedesk is already running on {source} with this state dir; close it first, or pass --no-store"
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }
}

#[cfg(test)]
mod tests;
