//! `livedesk store copy`: a SQLite store's sessions (their journal, examples and viewers) and
//! its notes on viewers, copied into a PostgreSQL store, so a shop that starts sharing its
//! desk keeps what its laptop learned.
//!
//! Each session is copied whole in one transaction, so an interrupted copy leaves no half
//! session behind and running it again finishes the job. A copied session keeps where it came
//! from in `copied_from` (migration 2): the SQLite store's own id (made once and kept in the
//! file, so it follows the file wherever it is moved) and the session's id there. The path
//! would change with a move, and the session's times alone could match another laptop's; with
//! the key a second copy recognises every session already there and copies nothing again.
//! A session copied while still open and journaled further since is topped up with its new
//! rows, unless its copy was journaled on PostgreSQL meanwhile (a console resumed it there):
//! then the two have diverged and the copy leaves it as it is.

use anyhow::{Context, bail};
use postgres::Transaction;
use rusqlite::{OptionalExtension, params};

use super::{Target, off_runtime, schema, viewers};
use crate::desk::viewers::Tally;
use crate::store::viewers::parse_spend;
use crate::store::{Store, ViewerRow, parse_stamp};

/// Journal rows sent per statement.
const CHUNK: i64 = 5_000;

/// What became of one SQLite session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Copied as PostgreSQL session `to`, with `rows` journal rows.
    Copied { to: i64, rows: u64 },
    /// Already there as `to`; `rows` rows journaled since the last copy were added.
    ToppedUp { to: i64, rows: u64 },
    /// Already there as `to`, whole.
    Skipped { to: i64 },
    /// Already there as `to`, but journaled on PostgreSQL since: left as it is.
    Diverged { to: i64 },
}

/// One session's copy, as the progress shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCopy {
    /// The session's id in the SQLite store.
    pub from: i64,
    pub stream: Option<String>,
    pub outcome: Outcome,
}

/// What a copy did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub copied: usize,
    pub topped_up: usize,
    pub skipped: usize,
    pub diverged: usize,
    /// Journal rows written.
    pub rows: u64,
    /// Notes on viewers written (new, or newer than the one there).
    pub notes: u64,
}

/// One session row as SQLite has it.
struct SessionRow {
    id: i64,
    source: String,
    stream_id: Option<String>,
    title: Option<String>,
    started_at: String,
    updated_at: Option<String>,
    ended_at: Option<String>,
    last_seq: Option<i64>,
    orders: i64,
    gmv: String,
}

/// One journal row, as stored (copied as it is, never decoded).
type JournalRow = (i64, String, String, Option<i64>, String);

/// Copies `from` into the PostgreSQL store at `to` (migrated first), telling `progress` of
/// each session as it is done.
pub fn copy(from: Store, to: &Target, progress: impl FnMut(&SessionCopy) + Send) -> anyhow::Result<Copied> {
    off_runtime(move || copy_here(&from, to, progress))
}

fn copy_here(from: &Store, to: &Target, mut progress: impl FnMut(&SessionCopy)) -> anyhow::Result<Copied> {
    let mut client = to.connect()?;
    schema::migrate(&mut client).with_context(|| format!("cannot set up the store {}", to.shown()))?;
    let store_id = from.own_id()?;
    let mut done = Copied::default();
    for id in session_ids(from)? {
        // One read transaction per session: its row and its journal as of one moment, even
        // while a desk on the laptop goes on journaling it.
        let snapshot = from.conn.unchecked_transaction()?;
        let s = session(from, id)?;
        let key = format!("{store_id}/{id}");
        let mut tx = client.transaction()?;
        let outcome = copy_session(from, &mut tx, &s, &key)
            .with_context(|| format!("cannot copy session {id} of {}", from.path().display()))?;
        drop(snapshot);
        match outcome {
            Outcome::Copied { rows, .. } | Outcome::ToppedUp { rows, .. } => {
                tx.commit()?;
                done.rows += rows;
            }
            Outcome::Skipped { .. } | Outcome::Diverged { .. } => tx.rollback()?,
        }
        match outcome {
            Outcome::Copied { .. } => done.copied += 1,
            Outcome::ToppedUp { .. } => done.topped_up += 1,
            Outcome::Skipped { .. } => done.skipped += 1,
            Outcome::Diverged { .. } => done.diverged += 1,
        }
        progress(&SessionCopy { from: s.id, stream: s.stream_id.clone(), outcome });
    }
    done.notes = copy_notes(from, &mut client)?;
    Ok(done)
}

/// Every session id of `from`, oldest first (they keep their order in the copy).
fn session_ids(from: &Store) -> anyhow::Result<Vec<i64>> {
    let mut stmt = from.conn.prepare("SELECT id FROM sessions ORDER BY id")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    ids.collect::<Result<_, _>>().context("cannot read the sessions to copy")
}

/// Session `id`'s row in `from`.
fn session(from: &Store, id: i64) -> anyhow::Result<SessionRow> {
    let row = from.conn.query_row(
        "SELECT id, source, stream_id, title, started_at, updated_at, ended_at, last_seq, orders, gmv
         FROM sessions WHERE id = ?1",
        [id],
        |r| {
            Ok(SessionRow {
                id: r.get(0)?,
                source: r.get(1)?,
                stream_id: r.get(2)?,
                title: r.get(3)?,
                started_at: r.get(4)?,
                updated_at: r.get(5)?,
                ended_at: r.get(6)?,
                last_seq: r.get(7)?,
                orders: r.get(8)?,
                gmv: r.get(9)?,
            })
        },
    );
    row.with_context(|| format!("cannot read session {id} to copy"))
}

/// Copies one session inside `tx` (the caller commits what was copied).
fn copy_session(
    from: &Store,
    tx: &mut Transaction<'_>,
    s: &SessionRow,
    key: &str,
) -> anyhow::Result<Outcome> {
    let last_here: i64 = from.conn.query_row(
        "SELECT COALESCE(MAX(n), 0) FROM journal WHERE session_id = ?1",
        [s.id],
        |r| r.get(0),
    )?;
    let there =
        tx.query_opt("SELECT id, ended_at FROM sessions WHERE copied_from = $1 FOR UPDATE", &[&key])?;
    let (to, after, fresh) = match there {
        None => {
            let to: i64 = tx
                .query_one(
                    "INSERT INTO sessions (source, stream_id, title, started_at, updated_at, ended_at,
                         last_seq, orders, gmv, copied_from)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    &[
                        &s.source,
                        &s.stream_id,
                        &s.title,
                        &s.started_at,
                        &s.updated_at,
                        &s.ended_at,
                        &s.last_seq,
                        &s.orders,
                        &s.gmv,
                        &key,
                    ],
                )?
                .get(0);
            (to, 0, true)
        }
        Some(row) => {
            let to: i64 = row.get(0);
            let ended_there = row.get::<_, Option<String>>(1).is_some();
            let last_there: i64 = tx
                .query_one("SELECT COALESCE(MAX(n), 0)::bigint FROM journal WHERE session_id = $1", &[&to])?
                .get(0);
            // The copy's last row is the laptop's still, unless it was journaled further there.
            let same = same_row(from, tx, s.id, to, last_there)?;
            if same && last_there == last_here && ended_there == s.ended_at.is_some() {
                return Ok(Outcome::Skipped { to });
            }
            // An ended session is final there (its viewers are in the totals already).
            if !same || ended_there || last_there > last_here {
                return Ok(Outcome::Diverged { to });
            }
            tx.execute(
                "UPDATE sessions SET stream_id = $2, title = $3, updated_at = $4, ended_at = $5,
                     last_seq = $6, orders = $7, gmv = $8 WHERE id = $1",
                &[&to, &s.stream_id, &s.title, &s.updated_at, &s.ended_at, &s.last_seq, &s.orders, &s.gmv],
            )?;
            (to, last_there, false)
        }
    };
    let rows = copy_journal(from, tx, s.id, to, after)?;
    copy_examples(from, tx, s.id, to)?;
    copy_viewers(from, tx, s.id, to)?;
    if s.ended_at.is_some() {
        // Its viewers join the feed's totals, as a stream ending on PostgreSQL does.
        viewers::fold(tx, to)?;
    }
    Ok(if fresh { Outcome::Copied { to, rows } } else { Outcome::ToppedUp { to, rows } })
}

/// Whether row `n` is the same in both: a copy journaled further on PostgreSQL differs there.
fn same_row(from: &Store, tx: &mut Transaction<'_>, here: i64, there: i64, n: i64) -> anyhow::Result<bool> {
    if n == 0 {
        return Ok(true);
    }
    let mine: Option<(String, String, String)> = from
        .conn
        .query_row(
            "SELECT at, kind, body FROM journal WHERE session_id = ?1 AND n = ?2",
            params![here, n],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let theirs = tx
        .query_opt("SELECT at, kind, body FROM journal WHERE session_id = $1 AND n = $2", &[&there, &n])?
        .map(|r| (r.get(0), r.get(1), r.get(2)));
    Ok(mine.is_some() && mine == theirs)
}

/// Copies the journal rows of session `here` after `after` into session `there`, a chunk per
/// statement; returns how many.
fn copy_journal(
    from: &Store,
    tx: &mut Transaction<'_>,
    here: i64,
    there: i64,
    mut after: i64,
) -> anyhow::Result<u64> {
    let mut stmt = from.conn.prepare(
        "SELECT n, at, kind, seq, body FROM journal WHERE session_id = ?1 AND n > ?2 ORDER BY n LIMIT ?3",
    )?;
    let mut copied = 0;
    loop {
        let chunk: Vec<JournalRow> = stmt
            .query_map(params![here, after, CHUNK], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        let Some(last) = chunk.last() else { return Ok(copied) };
        after = last.0;
        let n: Vec<i64> = chunk.iter().map(|r| r.0).collect();
        let at: Vec<&str> = chunk.iter().map(|r| r.1.as_str()).collect();
        let kind: Vec<&str> = chunk.iter().map(|r| r.2.as_str()).collect();
        let seq: Vec<Option<i64>> = chunk.iter().map(|r| r.3).collect();
        let body: Vec<&str> = chunk.iter().map(|r| r.4.as_str()).collect();
        tx.execute(
            "INSERT INTO journal (session_id, n, at, kind, seq, body)
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[])",
            &[&there, &n, &at, &kind, &seq, &body],
        )?;
        copied += chunk.len() as u64;
        if (chunk.len() as i64) < CHUNK {
            return Ok(copied);
        }
    }
}

/// Copies session `here`'s examples into session `there` (those already there stay once).
fn copy_examples(from: &Store, tx: &mut Transaction<'_>, here: i64, there: i64) -> anyhow::Result<()> {
    let mut stmt = from
        .conn
        .prepare("SELECT n, at, text, lang, tags, fixed, reply FROM examples WHERE session_id = ?1")?;
    let mut rows = stmt.query([here])?;
    while let Some(r) = rows.next()? {
        let (n, at, text, lang, tags, fixed, reply): (
            i64,
            String,
            String,
            Option<String>,
            String,
            String,
            Option<String>,
        ) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        tx.execute(
            "INSERT INTO examples (session_id, n, at, text, lang, tags, fixed, reply)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session_id, n) DO NOTHING",
            &[&there, &n, &at, &text, &lang, &tags, &fixed, &reply],
        )?;
    }
    Ok(())
}

/// Copies session `here`'s viewer records into session `there`, by the rules every viewer
/// record is written by (a folded session's change carried to its feed's totals).
fn copy_viewers(from: &Store, tx: &mut Transaction<'_>, here: i64, there: i64) -> anyhow::Result<()> {
    let mut stmt = from.conn.prepare(
        "SELECT user_id, name, first_seen, orders, spend FROM viewer_streams WHERE session_id = ?1",
    )?;
    let mut rows = stmt.query([here])?;
    while let Some(r) = rows.next()? {
        let row = ViewerRow {
            user_id: r.get(0)?,
            name: r.get(1)?,
            first_seen: parse_stamp(r.get_ref(2)?.as_str()?)?,
            bought: Tally {
                orders: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                spend: parse_spend(r.get_ref(4)?.as_str()?),
            },
        };
        viewers::write_row(tx, there, &row)?;
    }
    Ok(())
}

/// Copies the notes on viewers: one the PostgreSQL store lacks, or holds an older one of.
/// Returns how many were written.
fn copy_notes(from: &Store, client: &mut postgres::Client) -> anyhow::Result<u64> {
    let mut stmt = from.conn.prepare("SELECT feed, user_id, note, tags, at FROM viewer_notes")?;
    let notes: Vec<(String, String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    let mut tx = client.transaction()?;
    let mut written = 0;
    for (feed, user, note, tags, at) in &notes {
        // Stamps are RFC 3339 in UTC to the nanosecond, all one width: text order is time order.
        written += tx.execute(
            "INSERT INTO viewer_notes (feed, user_id, note, tags, at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (feed, user_id) DO UPDATE SET note = excluded.note, tags = excluded.tags, at = excluded.at
             WHERE viewer_notes.at < excluded.at",
            &[feed, user, note, tags, at],
        )?;
    }
    tx.commit()?;
    Ok(written)
}

/// Refuses a source that is not a SQLite store yet (opening it would make an empty one).
pub fn open_source(path: &std::path::Path) -> anyhow::Result<Store> {
    if !path.is_file() {
        bail!("no SQLite store at {}: nothing to copy", path.display());
    }
    Store::open(path)
}
