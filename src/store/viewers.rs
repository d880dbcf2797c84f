//! The feed's viewers across streams: one row per viewer per session with their first sight
//! and their tally (kept up to date by the journal writer as orders change), and the
//! operator's notes per viewer, keyed by the feed (the session's source) and the user id.
//!
//! When a session ends its rows are folded into one running total per viewer of the feed,
//! so a desk starts by reading one row per viewer (plus the rows of sessions still open),
//! not one per viewer per stream ever. A desk's [`History`] is every earlier session of its
//! feed, never the one it is rebuilding, so nothing counts twice.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use rust_decimal::Decimal;

use super::{parse_stamp, stamp};
use crate::desk::viewers::{History, Note, Tally};
use crate::protocol::{Event, Frame};

/// The tables, created next to the journal's.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS viewer_streams (
    session_id  INTEGER NOT NULL REFERENCES sessions (id),
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    orders      INTEGER NOT NULL DEFAULT 0,
    spend       TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (session_id, user_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS viewer_totals (
    feed          TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_session  INTEGER NOT NULL,
    first_seen    TEXT NOT NULL,
    streams       INTEGER NOT NULL,
    orders        INTEGER NOT NULL,
    spend         TEXT NOT NULL,
    PRIMARY KEY (feed, user_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS viewer_folded (
    session_id  INTEGER PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS viewer_notes (
    feed        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    note        TEXT NOT NULL,
    tags        TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (feed, user_id)
) WITHOUT ROWID;
";

/// One viewer's record of one session, as the desk has it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerRow {
    pub user_id: String,
    pub name: String,
    pub first_seen: DateTime<Utc>,
    pub bought: Tally,
}

impl ViewerRow {
    /// The row of a viewer of `desk`'s stream.
    pub fn of(desk: &crate::desk::Desk, v: &crate::desk::viewers::Viewer) -> ViewerRow {
        ViewerRow {
            user_id: v.id.clone(),
            name: v.name.clone(),
            first_seen: v.first_seen,
            bought: desk.viewers().tally(v, desk.catalog()),
        }
    }
}

/// Creates the tables; when they are new to this database, fills them once from the
/// sessions journaled before them.
pub(super) fn set_up(conn: &mut Connection) -> anyhow::Result<()> {
    let tx = conn.transaction()?;
    let existed: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'viewer_streams'",
        [],
        |r| r.get(0),
    )?;
    tx.execute_batch(SCHEMA)?;
    if !existed {
        backfill(&tx).context("cannot fill the viewers' table from the journal")?;
    }
    // Sessions that ended and are not in the totals yet (all of them after a backfill).
    let ended: Vec<i64> = tx
        .prepare(
            "SELECT id FROM sessions
             WHERE ended_at IS NOT NULL AND id NOT IN (SELECT session_id FROM viewer_folded)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for session in ended {
        fold(&tx, session)?;
    }
    tx.commit()?;
    Ok(())
}

/// One viewer's record as stored: in a session, or summed over folded ones.
pub(super) struct Stored {
    pub(super) name: String,
    pub(super) first_seen: String,
    pub(super) orders: i64,
    pub(super) spend: BTreeMap<String, Decimal>,
}

impl Stored {
    /// Reads `name, first_seen, orders, spend` from column `at` on.
    fn read(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Stored> {
        let spend: String = r.get(at + 3)?;
        Ok(Stored {
            name: r.get(at)?,
            first_seen: r.get(at + 1)?,
            orders: r.get(at + 2)?,
            spend: parse_spend(&spend),
        })
    }
}

/// Adds a session's rows to its feed's totals, once, when the session ends.
pub(super) fn fold(tx: &Transaction<'_>, session: i64) -> anyhow::Result<()> {
    if tx.execute("INSERT OR IGNORE INTO viewer_folded (session_id) VALUES (?1)", [session])? == 0 {
        return Ok(());
    }
    let feed: String = tx.query_row("SELECT source FROM sessions WHERE id = ?1", [session], |r| r.get(0))?;
    let mut stmt = tx.prepare(
        "SELECT user_id, name, first_seen, orders, spend FROM viewer_streams WHERE session_id = ?1",
    )?;
    let rows: Vec<(String, Stored)> =
        stmt.query_map([session], |r| Ok((r.get(0)?, Stored::read(r, 1)?)))?.collect::<Result<_, _>>()?;
    for (user, row) in rows {
        add_to_totals(tx, &feed, session, &user, &row, None)?;
    }
    Ok(())
}

/// Adds one session's record of a viewer to the feed's totals: all of it, or, when the
/// totals already hold an older record of them from that session (`was`), what changed.
fn add_to_totals(
    tx: &Transaction<'_>,
    feed: &str,
    session: i64,
    user: &str,
    row: &Stored,
    was: Option<&Stored>,
) -> anyhow::Result<()> {
    let mut get = tx.prepare_cached(
        "SELECT name, first_seen, orders, spend, name_session, streams
         FROM viewer_totals WHERE feed = ?1 AND user_id = ?2",
    )?;
    let total = get
        .query_row(params![feed, user], |r| {
            Ok(Total { sum: Stored::read(r, 0)?, name_session: r.get(4)?, streams: r.get(5)? })
        })
        .optional()?;
    let Total { sum, name_session, streams } = added(total, session, row, was);
    let mut put = tx.prepare_cached(
        "INSERT OR REPLACE INTO viewer_totals (feed, user_id, name, name_session, first_seen, streams, orders, spend)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let spend = spend_json(&sum.spend)?;
    put.execute(params![feed, user, sum.name, name_session, sum.first_seen, streams, sum.orders, spend])?;
    Ok(())
}

/// A viewer's running total over a feed's folded sessions.
pub(super) struct Total {
    pub(super) sum: Stored,
    /// The session the name is from (the latest one's wins).
    pub(super) name_session: i64,
    pub(super) streams: i64,
}

/// `total` (none yet for a viewer new to the feed) with session `session`'s record `row`
/// added: all of it, or only what changed since `was`, the record the total already holds.
pub(super) fn added(total: Option<Total>, session: i64, row: &Stored, was: Option<&Stored>) -> Total {
    let blank = || Stored {
        name: row.name.clone(),
        first_seen: row.first_seen.clone(),
        orders: 0,
        spend: BTreeMap::new(),
    };
    let Total { mut sum, mut name_session, mut streams } =
        total.unwrap_or_else(|| Total { sum: blank(), name_session: session, streams: 0 });
    if was.is_none() {
        streams += 1;
    }
    // Stamps are RFC 3339 in UTC to the nanosecond, all one width: text order is time order.
    if row.first_seen < sum.first_seen {
        sum.first_seen.clone_from(&row.first_seen);
    }
    // The name is the latest stream's.
    if session >= name_session {
        sum.name.clone_from(&row.name);
        name_session = session;
    }
    sum.orders += row.orders - was.map_or(0, |w| w.orders);
    for (cur, amount) in &row.spend {
        *sum.spend.entry(cur.clone()).or_default() += *amount;
    }
    for (cur, amount) in was.map(|w| &w.spend).into_iter().flatten() {
        *sum.spend.entry(cur.clone()).or_default() -= *amount;
    }
    sum.spend.retain(|_, v| !v.is_zero());
    Total { sum, name_session, streams }
}

/// Each journaled session's viewers, from its feed frames: who said, gave or ordered
/// something and when first, and their orders less the cancelled and refunded ones.
/// (Claims the operator confirmed live only in the desk: sessions journaled from now on
/// count them, these cannot.)
fn backfill(tx: &Transaction<'_>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let seen = tx.execute(
        "INSERT OR IGNORE INTO viewer_streams (session_id, user_id, name, first_seen)
         SELECT session_id, uid, name, MIN(at) FROM (
             SELECT session_id, at, json_extract(body, '$.user.id') AS uid,
                    json_extract(body, '$.user.name') AS name
             FROM journal
             WHERE kind = 'feed'
               AND json_extract(body, '$.type') IN ('chat', 'question', 'gift', 'order')
               AND NOT EXISTS (
                   SELECT 1 FROM json_each(body, '$.user.badges')
                   WHERE value IN ('operator', 'host', 'broadcaster'))
         )
         WHERE uid IS NOT NULL AND uid != ''
         GROUP BY session_id, uid",
        [],
    )?;
    if seen == 0 {
        return Ok(());
    }
    // Orders: the latest status of each order id, per session.
    struct Placed {
        user: String,
        amount: Decimal,
        currency: String,
        live: bool,
    }
    let mut orders: BTreeMap<(i64, String), Placed> = BTreeMap::new();
    {
        let mut stmt = tx.prepare(
            "SELECT session_id, body FROM journal
             WHERE kind = 'feed' AND json_extract(body, '$.type') IN ('order', 'order_update')
             ORDER BY session_id, n",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let session: i64 = row.get(0)?;
            let Ok(frame) = serde_json::from_str::<Frame>(row.get_ref(1)?.as_str()?) else { continue };
            match frame.event {
                Event::Order { order_id, user, qty, unit_price, currency, status, .. } => {
                    let key = (session, order_id);
                    if let Some(o) = orders.get_mut(&key) {
                        o.live = status.is_live();
                    } else if !user.id.is_empty() {
                        let amount = unit_price * Decimal::from(qty);
                        orders
                            .insert(key, Placed { user: user.id, amount, currency, live: status.is_live() });
                    }
                }
                Event::OrderUpdate { order_id, status } => {
                    if let Some(o) = orders.get_mut(&(session, order_id)) {
                        o.live = status.is_live();
                    }
                }
                _ => {}
            }
        }
    }
    let mut tallies: HashMap<(i64, String), Tally> = HashMap::new();
    for ((session, _), o) in orders.into_iter().filter(|(_, o)| o.live) {
        let t = tallies.entry((session, o.user)).or_default();
        t.orders += 1;
        *t.spend.entry(o.currency).or_default() += o.amount;
    }
    let mut update = tx.prepare(
        "UPDATE viewer_streams SET orders = ?3, spend = ?4 WHERE session_id = ?1 AND user_id = ?2",
    )?;
    for ((session, user), t) in &tallies {
        update.execute(params![session, user, t.orders as i64, spend_json(&t.spend)?])?;
    }
    tracing::info!(
        viewers = seen,
        buyers = tallies.len(),
        ms = started.elapsed().as_millis() as u64,
        "viewers filled from the journal"
    );
    Ok(())
}

/// Spend per currency as stored: `{"GBP": "19.98"}`, decimals as strings.
pub(super) fn spend_json(spend: &BTreeMap<String, Decimal>) -> serde_json::Result<String> {
    let text: BTreeMap<&str, String> = spend.iter().map(|(c, v)| (c.as_str(), v.to_string())).collect();
    serde_json::to_string(&text)
}

pub(super) fn parse_spend(text: &str) -> BTreeMap<String, Decimal> {
    let raw: BTreeMap<String, String> = serde_json::from_str(text).unwrap_or_default();
    raw.into_iter().filter_map(|(c, v)| Some((c, v.parse().ok()?))).collect()
}

/// Writes (or rewrites) one viewer's record of a session; a session already folded (an order
/// refunded after its stream ended) has the change carried to its feed's totals too.
pub(super) fn write_row(tx: &Transaction<'_>, session: i64, row: &ViewerRow) -> anyhow::Result<()> {
    let new = Stored {
        name: row.name.clone(),
        first_seen: stamp(row.first_seen),
        orders: i64::try_from(row.bought.orders)?,
        spend: row.bought.spend.clone(),
    };
    let mut folded = tx.prepare_cached(
        "SELECT s.source FROM viewer_folded f JOIN sessions s ON s.id = f.session_id WHERE f.session_id = ?1",
    )?;
    if let Some(feed) = folded.query_row([session], |r| r.get::<_, String>(0)).optional()? {
        let mut old = tx.prepare_cached(
            "SELECT name, first_seen, orders, spend FROM viewer_streams WHERE session_id = ?1 AND user_id = ?2",
        )?;
        let was = old.query_row(params![session, row.user_id], |r| Stored::read(r, 0)).optional()?;
        add_to_totals(tx, &feed, session, &row.user_id, &new, was.as_ref())?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO viewer_streams (session_id, user_id, name, first_seen, orders, spend)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    stmt.execute(params![
        session,
        row.user_id,
        new.name,
        new.first_seen,
        new.orders,
        spend_json(&new.spend)?
    ])?;
    Ok(())
}

/// Keeps the operator's note on a viewer for the session's feed (an empty one is removed).
pub(super) fn write_note(
    tx: &Transaction<'_>,
    session: i64,
    user_id: &str,
    note: &Note,
) -> anyhow::Result<()> {
    if note.is_empty() {
        tx.execute(
            "DELETE FROM viewer_notes WHERE user_id = ?2 AND feed = (SELECT source FROM sessions WHERE id = ?1)",
            params![session, user_id],
        )?;
        return Ok(());
    }
    tx.execute(
        "INSERT INTO viewer_notes (feed, user_id, note, tags, at)
         SELECT source, ?2, ?3, ?4, ?5 FROM sessions WHERE id = ?1
         ON CONFLICT (feed, user_id) DO UPDATE SET note = excluded.note, tags = excluded.tags, at = excluded.at",
        params![session, user_id, note.text, serde_json::to_string(&note.tags)?, stamp(note.at)],
    )?;
    Ok(())
}

/// What the sessions of `feed` other than `except` knew of its viewers, oldest session first,
/// with every note kept for the feed.
pub(super) fn history(conn: &Connection, feed: &str, except: Option<i64>) -> anyhow::Result<History> {
    let mut history = History::default();
    // The sessions that ended, summed per viewer.
    let mut stmt = conn.prepare_cached(
        "SELECT user_id, name, first_seen, orders, spend, streams FROM viewer_totals WHERE feed = ?1",
    )?;
    let mut rows = stmt.query([feed])?;
    while let Some(r) = rows.next()? {
        let first_seen = parse_stamp(r.get_ref(2)?.as_str()?)?;
        let orders: i64 = r.get(3)?;
        let bought = Tally { orders: orders.max(0) as u64, spend: parse_spend(r.get_ref(4)?.as_str()?) };
        let streams = u32::try_from(r.get::<_, i64>(5)?).unwrap_or(0);
        history.add_streams(r.get_ref(0)?.as_str()?, r.get_ref(1)?.as_str()?, first_seen, streams, &bought);
    }
    // The sessions still open (a stream quit before it ended), but not the one rebuilt now.
    let mut stmt = conn.prepare_cached(
        "SELECT v.user_id, v.name, v.first_seen, v.orders, v.spend
         FROM sessions s JOIN viewer_streams v ON v.session_id = s.id
         WHERE s.source = ?1 AND s.id IS NOT ?2 AND s.id NOT IN (SELECT session_id FROM viewer_folded)
         ORDER BY s.id",
    )?;
    let mut rows = stmt.query(params![feed, except])?;
    while let Some(r) = rows.next()? {
        let first_seen = parse_stamp(r.get_ref(2)?.as_str()?)?;
        let orders: i64 = r.get(3)?;
        let bought = Tally { orders: orders.max(0) as u64, spend: parse_spend(r.get_ref(4)?.as_str()?) };
        history.add_stream(r.get_ref(0)?.as_str()?, r.get_ref(1)?.as_str()?, first_seen, &bought);
    }
    let mut stmt =
        conn.prepare_cached("SELECT user_id, note, tags, at FROM viewer_notes WHERE feed = ?1 ORDER BY at")?;
    let mut rows = stmt.query([feed])?;
    while let Some(r) = rows.next()? {
        let tags: Vec<String> = serde_json::from_str(r.get_ref(2)?.as_str()?).unwrap_or_default();
        let note = Note::new(r.get_ref(1)?.as_str()?, &tags, parse_stamp(r.get_ref(3)?.as_str()?)?);
        history.set_note(r.get_ref(0)?.as_str()?, note);
    }
    Ok(history)
}

#[cfg(test)]
mod tests;
