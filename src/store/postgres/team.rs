//! The team desk's tables: the feed's lease (one console holds the feed; a lease that is not
//! renewed runs out and another console takes it), the requests other consoles make of the
//! holder (an operator's action, in the order the database gives them), who is on, and the
//! journal read from where a console left it.
//!
//! Times are the database's (`now()`), never a console's, so consoles with skewed clocks
//! still agree on when a lease ran out.

use anyhow::Context;
use chrono::{DateTime, Utc};
use postgres::Client;

use crate::desk::Action;
use crate::desk::team::Hand;
use crate::store::{Item, decode, parse_stamp};

/// The channel a request is announced on (its payload: the session id).
pub const REQUEST_CHANNEL: &str = "livedesk_requests";
/// How long a lease lasts unless its holder renews it (it renews every second).
pub const LEASE_SECONDS: i32 = 3;
/// A console not seen for this long is no longer on.
pub const GONE_SECONDS: i32 = 5;

/// Takes the feed's lease for `source` if no one holds it or its holder's ran out; says
/// whether this console holds it now.
pub fn take_lease(c: &mut Client, source: &str, console: &str, operator: &str) -> anyhow::Result<bool> {
    let row = c
        .query_opt(
            "INSERT INTO leases (source, holder, operator, epoch, expires_at)
             VALUES ($1, $2, $3, 1, now() + make_interval(secs => $4))
             ON CONFLICT (source) DO UPDATE
                SET holder = EXCLUDED.holder, operator = EXCLUDED.operator,
                    epoch = leases.epoch + 1, expires_at = EXCLUDED.expires_at
              WHERE leases.expires_at < now() OR leases.holder = EXCLUDED.holder
             RETURNING epoch",
            &[&source, &console, &operator, &f64::from(LEASE_SECONDS)],
        )
        .context("cannot take the feed's lease")?;
    Ok(row.is_some())
}

/// Renews this console's lease; false when another console holds the feed now.
pub fn renew_lease(c: &mut Client, source: &str, console: &str) -> anyhow::Result<bool> {
    let n = c
        .execute(
            "UPDATE leases SET expires_at = now() + make_interval(secs => $3) WHERE source = $1 AND holder = $2",
            &[&source, &console, &f64::from(LEASE_SECONDS)],
        )
        .context("cannot renew the feed's lease")?;
    Ok(n == 1)
}

/// Gives the lease up at once (a console that quits), so another takes the feed without
/// waiting for it to run out.
pub fn release_lease(c: &mut Client, source: &str, console: &str) -> anyhow::Result<()> {
    c.execute(
        "UPDATE leases SET expires_at = now() - interval '1 second' WHERE source = $1 AND holder = $2",
        &[&source, &console],
    )?;
    Ok(())
}

/// Says this console is on, as `operator`, at `place` (the pane in focus, or `watching`).
pub fn seen(c: &mut Client, console: &str, source: &str, operator: &str, place: &str) -> anyhow::Result<()> {
    c.execute(
        "INSERT INTO consoles (id, source, operator, place, seen_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (id) DO UPDATE SET operator = EXCLUDED.operator, place = EXCLUDED.place, seen_at = now()",
        &[&console, &source, &operator, &place],
    )
    .context("cannot say this console is on")?;
    Ok(())
}

/// This console is off.
pub fn gone(c: &mut Client, console: &str) -> anyhow::Result<()> {
    c.execute("DELETE FROM consoles WHERE id = $1", &[&console])?;
    Ok(())
}

/// Who is on a feed's desk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roster {
    /// The operator and console holding the feed, while their lease runs.
    pub holder: Option<(String, String)>,
    /// Each console on, as (operator, place), by operator.
    pub on: Vec<(String, String)>,
}

/// Who is on `source`'s desk now.
pub fn roster(c: &mut Client, source: &str) -> anyhow::Result<Roster> {
    let holder = c
        .query_opt(
            "SELECT operator, holder FROM leases WHERE source = $1 AND expires_at >= now()",
            &[&source],
        )?
        .map(|r| (r.get(0), r.get(1)));
    let on = c
        .query(
            "SELECT operator, place FROM consoles
             WHERE source = $1 AND seen_at > now() - make_interval(secs => $2) ORDER BY operator, id",
            &[&source, &f64::from(GONE_SECONDS)],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(Roster { holder, on })
}

/// Asks the feed holder to apply `action` by `operator` on session `session`; returns the
/// request's id. The database orders requests; the holder journals each once.
pub fn request(c: &mut Client, session: i64, operator: &str, action: &Action) -> anyhow::Result<i64> {
    let body = serde_json::to_string(action)?;
    let mut tx = c.transaction()?;
    let id: i64 = tx
        .query_one(
            "INSERT INTO requests (session_id, operator, body) VALUES ($1, $2, $3) RETURNING id",
            &[&session, &operator, &body],
        )
        .context("cannot hand the action to the feed holder")?
        .get(0);
    tx.execute("SELECT pg_notify($1, $2)", &[&REQUEST_CHANNEL, &session.to_string()])?;
    tx.commit()?;
    Ok(id)
}

/// Requests of `session` not yet journaled, oldest first, as the hands to apply.
pub fn pending(c: &mut Client, session: i64) -> anyhow::Result<Vec<Hand>> {
    let rows = c.query(
        "SELECT r.id, r.operator, r.body FROM requests r
         WHERE r.session_id = $1
           AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.session_id = r.session_id AND j.request = r.id)
         ORDER BY r.id",
        &[&session],
    )?;
    rows.iter()
        .map(|r| {
            let action: Action = serde_json::from_str(r.get(2)).context("a request that cannot be read")?;
            Ok(Hand { by: r.get(1), action, request: Some(r.get(0)) })
        })
        .collect()
}

/// Journal rows of `session` after row `after`, at most `limit`, with their numbers and times.
pub fn rows_after(
    c: &mut Client,
    session: i64,
    after: i64,
    limit: i64,
) -> anyhow::Result<Vec<(i64, DateTime<Utc>, Item)>> {
    let rows = c.query(
        "SELECT n, at, kind, body FROM journal WHERE session_id = $1 AND n > $2 ORDER BY n LIMIT $3",
        &[&session, &after, &limit],
    )?;
    rows.iter()
        .map(|r| {
            let n: i64 = r.get(0);
            let read =
                || -> anyhow::Result<_> { Ok((n, parse_stamp(r.get(1))?, decode(r.get(2), r.get(3))?)) };
            read().with_context(|| format!("journal row {n} of session {session}"))
        })
        .collect()
}

/// The first session of `source` begun after `session`: a new stream on the same feed.
pub fn next_session(c: &mut Client, source: &str, session: i64) -> anyhow::Result<Option<i64>> {
    let row = c.query_opt(
        "SELECT id FROM sessions WHERE source = $1 AND id > $2 ORDER BY id LIMIT 1",
        &[&source, &session],
    )?;
    Ok(row.map(|r| r.get(0)))
}

/// The last row number of `session`'s journal (0 when it has none).
pub fn last_row(c: &mut Client, session: i64) -> anyhow::Result<i64> {
    Ok(c.query_one("SELECT COALESCE(MAX(n), 0)::bigint FROM journal WHERE session_id = $1", &[&session])?
        .get(0))
}
