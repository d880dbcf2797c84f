//! The feed's viewers across streams, in PostgreSQL: the same rows and rules as the SQLite
//! store's (one row per viewer per session, folded into one total per viewer of the feed
//! when the session ends, and the operator's notes), the totals' arithmetic shared with it.

use postgres::{GenericClient, Row, Transaction};

use crate::desk::viewers::{History, Note, Tally};
use crate::store::viewers::{Stored, Total, added, parse_spend, spend_json};
use crate::store::{ViewerRow, parse_stamp, stamp};

/// Reads `name, first_seen, orders, spend` from column `at` on.
fn stored(r: &Row, at: usize) -> Stored {
    Stored {
        name: r.get(at),
        first_seen: r.get(at + 1),
        orders: r.get(at + 2),
        spend: parse_spend(r.get(at + 3)),
    }
}

/// Adds a session's rows to its feed's totals, once, when the session ends.
pub(super) fn fold(tx: &mut Transaction<'_>, session: i64) -> anyhow::Result<()> {
    let added_now =
        tx.execute("INSERT INTO viewer_folded (session_id) VALUES ($1) ON CONFLICT DO NOTHING", &[&session])?;
    if added_now == 0 {
        return Ok(());
    }
    let feed: String = tx.query_one("SELECT source FROM sessions WHERE id = $1", &[&session])?.get(0);
    let rows = tx.query(
        "SELECT user_id, name, first_seen, orders, spend FROM viewer_streams WHERE session_id = $1",
        &[&session],
    )?;
    for r in rows {
        let user: String = r.get(0);
        add_to_totals(tx, &feed, session, &user, &stored(&r, 1), None)?;
    }
    Ok(())
}

/// Adds one session's record of a viewer to the feed's totals (or what changed since `was`).
fn add_to_totals(
    tx: &mut Transaction<'_>,
    feed: &str,
    session: i64,
    user: &str,
    row: &Stored,
    was: Option<&Stored>,
) -> anyhow::Result<()> {
    let total = tx
        .query_opt(
            "SELECT name, first_seen, orders, spend, name_session, streams
             FROM viewer_totals WHERE feed = $1 AND user_id = $2 FOR UPDATE",
            &[&feed, &user],
        )?
        .map(|r| Total { sum: stored(&r, 0), name_session: r.get(4), streams: r.get(5) });
    let Total { sum, name_session, streams } = added(total, session, row, was);
    tx.execute(
        "INSERT INTO viewer_totals (feed, user_id, name, name_session, first_seen, streams, orders, spend)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (feed, user_id) DO UPDATE SET name = excluded.name, name_session = excluded.name_session,
             first_seen = excluded.first_seen, streams = excluded.streams, orders = excluded.orders,
             spend = excluded.spend",
        &[
            &feed,
            &user,
            &sum.name,
            &name_session,
            &sum.first_seen,
            &streams,
            &sum.orders,
            &spend_json(&sum.spend)?,
        ],
    )?;
    Ok(())
}

/// Writes (or rewrites) one viewer's record of a session; a session already folded has the
/// change carried to its feed's totals too.
pub(super) fn write_row(tx: &mut Transaction<'_>, session: i64, row: &ViewerRow) -> anyhow::Result<()> {
    let new = Stored {
        name: row.name.clone(),
        first_seen: stamp(row.first_seen),
        orders: i64::try_from(row.bought.orders)?,
        spend: row.bought.spend.clone(),
    };
    let folded = tx.query_opt(
        "SELECT s.source FROM viewer_folded f JOIN sessions s ON s.id = f.session_id WHERE f.session_id = $1",
        &[&session],
    )?;
    if let Some(folded) = folded {
        let feed: String = folded.get(0);
        let was = tx
            .query_opt(
                "SELECT name, first_seen, orders, spend FROM viewer_streams WHERE session_id = $1 AND user_id = $2",
                &[&session, &row.user_id],
            )?
            .map(|r| stored(&r, 0));
        add_to_totals(tx, &feed, session, &row.user_id, &new, was.as_ref())?;
    }
    tx.execute(
        "INSERT INTO viewer_streams (session_id, user_id, name, first_seen, orders, spend)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (session_id, user_id) DO UPDATE SET name = excluded.name,
             first_seen = excluded.first_seen, orders = excluded.orders, spend = excluded.spend",
        &[&session, &row.user_id, &new.name, &new.first_seen, &new.orders, &spend_json(&new.spend)?],
    )?;
    Ok(())
}

/// Keeps the operator's note on a viewer for the session's feed (an empty one is removed).
pub(super) fn write_note(
    tx: &mut Transaction<'_>,
    session: i64,
    user_id: &str,
    note: &Note,
) -> anyhow::Result<()> {
    if note.is_empty() {
        tx.execute(
            "DELETE FROM viewer_notes WHERE user_id = $2 AND feed = (SELECT source FROM sessions WHERE id = $1)",
            &[&session, &user_id],
        )?;
        return Ok(());
    }
    tx.execute(
        "INSERT INTO viewer_notes (feed, user_id, note, tags, at)
         SELECT source, $2, $3, $4, $5 FROM sessions WHERE id = $1
         ON CONFLICT (feed, user_id) DO UPDATE SET note = excluded.note, tags = excluded.tags, at = excluded.at",
        &[&session, &user_id, &note.text, &serde_json::to_string(&note.tags)?, &stamp(note.at)],
    )?;
    Ok(())
}

/// What the sessions of `feed` other than `except` knew of its viewers, with every note kept.
pub(super) fn history(
    client: &mut impl GenericClient,
    feed: &str,
    except: Option<i64>,
) -> anyhow::Result<History> {
    let mut history = History::default();
    let tally = |r: &Row| Tally { orders: r.get::<_, i64>(3).max(0) as u64, spend: parse_spend(r.get(4)) };
    // The sessions that ended, summed per viewer.
    for r in client.query(
        "SELECT user_id, name, first_seen, orders, spend, streams FROM viewer_totals WHERE feed = $1",
        &[&feed],
    )? {
        let streams = u32::try_from(r.get::<_, i64>(5)).unwrap_or(0);
        history.add_streams(r.get(0), r.get(1), parse_stamp(r.get(2))?, streams, &tally(&r));
    }
    // The sessions still open (a stream quit before it ended), but not the one rebuilt now.
    for r in client.query(
        "SELECT v.user_id, v.name, v.first_seen, v.orders, v.spend
         FROM sessions s JOIN viewer_streams v ON v.session_id = s.id
         WHERE s.source = $1 AND s.id IS DISTINCT FROM $2
           AND s.id NOT IN (SELECT session_id FROM viewer_folded)
         ORDER BY s.id",
        &[&feed, &except],
    )? {
        history.add_stream(r.get(0), r.get(1), parse_stamp(r.get(2))?, &tally(&r));
    }
    for r in client
        .query("SELECT user_id, note, tags, at FROM viewer_notes WHERE feed = $1 ORDER BY at", &[&feed])?
    {
        let tags: Vec<String> = serde_json::from_str(r.get(2)).unwrap_or_default();
        history.set_note(r.get(0), Note::new(r.get(1), &tags, parse_stamp(r.get(3))?));
    }
    Ok(history)
}
