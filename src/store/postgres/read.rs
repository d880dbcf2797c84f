//! Reading a PostgreSQL store's journal back, for [`Reader`]: the session a restart resumes,
//! its rows in order (read a page at a time, so a three-hour stream is never all in memory),
//! and what the earlier streams taught.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::{PgStore, viewers};
use crate::desk::learned::Example;
use crate::desk::viewers::History;
use crate::store::archive::Notes;
use crate::store::examples::LOADED;
use crate::store::journaling::Reader;
use crate::store::{Item, OpenSession, SessionInfo, decode, length_seconds, parse_stamp};

/// Journal rows read per round trip while rebuilding.
const PAGE: i64 = 5_000;

impl Reader for PgStore {
    fn latest_open(&self, source: &str) -> anyhow::Result<Option<OpenSession>> {
        self.session_where(
            "SELECT id, stream_id, last_seq FROM sessions
             WHERE source = $1 AND ended_at IS NULL ORDER BY id DESC LIMIT 1",
            &source,
        )
    }

    fn session(&self, id: i64) -> anyhow::Result<Option<OpenSession>> {
        self.session_where("SELECT id, stream_id, last_seq FROM sessions WHERE id = $1", &id)
    }

    fn each_item(
        &self,
        id: i64,
        visit: &mut dyn FnMut(DateTime<Utc>, Item) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut after = 0i64;
        loop {
            // Fetched off the runtime, applied here: the visitor need not be sendable.
            let page: Vec<(i64, String, String, String)> = self.with(|c| {
                let rows = c.query(
                    "SELECT n, at, kind, body FROM journal WHERE session_id = $1 AND n > $2 ORDER BY n LIMIT $3",
                    &[&id, &after, &PAGE],
                )?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
            })?;
            let full = page.len() as i64 == PAGE;
            for (n, at, kind, body) in page {
                let mut read = || -> anyhow::Result<()> { visit(parse_stamp(&at)?, decode(&kind, &body)?) };
                read()
                    .with_context(|| format!("journal row {n} of session {id} in {}", self.target.shown()))?;
                after = n;
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn reply_uses(&self, except: Option<i64>) -> anyhow::Result<BTreeMap<String, u64>> {
        self.with(|c| {
            let rows = c.query(
                "SELECT reply, COUNT(*) FROM (
                     SELECT body::jsonb -> 'args' ->> 'reply' AS reply FROM journal
                     WHERE kind IN ('operator', 'hand') AND session_id IS DISTINCT FROM $1
                       AND body::jsonb ->> 'operator' = 'answer'
                 ) answers
                 WHERE reply IS NOT NULL GROUP BY reply",
                &[&except],
            )?;
            Ok(rows.iter().map(|r| (r.get(0), u64::try_from(r.get::<_, i64>(1)).unwrap_or(0))).collect())
        })
        .context("cannot read the replies' use counts")
    }

    fn viewer_history(&self, source: &str, except: Option<i64>) -> anyhow::Result<History> {
        self.with(|c| viewers::history(c, source, except))
            .with_context(|| format!("cannot read the viewers in {}", self.target.shown()))
    }

    fn examples(&self, except: Option<i64>) -> anyhow::Result<Vec<Example>> {
        self.with(|c| {
            let rows = c.query(
                "SELECT n, text, lang, tags, fixed, reply FROM examples WHERE session_id IS DISTINCT FROM $1
                 ORDER BY session_id DESC, n DESC LIMIT $2",
                &[&except, &i64::try_from(LOADED)?],
            )?;
            let mut out: Vec<Example> = rows
                .iter()
                .map(|r| Example {
                    n: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
                    text: r.get(1),
                    lang: r.get(2),
                    tags: serde_json::from_str(r.get(3)).unwrap_or_default(),
                    fixed: serde_json::from_str(r.get(4)).unwrap_or_default(),
                    reply: r.get(5),
                })
                .collect();
            out.reverse();
            Ok(out)
        })
        .with_context(|| format!("cannot read the examples in {}", self.target.shown()))
    }
}

impl PgStore {
    /// Where the store is: its address without the password.
    pub fn shown(&self) -> &str {
        self.target.shown()
    }

    /// The operator's notes and tags on viewers, by user id (the newest, where two feeds
    /// know the same id); only those of `feed` when given.
    pub fn viewer_notes(&self, feed: Option<&str>) -> anyhow::Result<Notes> {
        self.with(|c| {
            let rows = c.query(
                "SELECT user_id, note, tags FROM viewer_notes WHERE $1::text IS NULL OR feed = $1 ORDER BY at",
                &[&feed],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    let tags: Vec<String> = serde_json::from_str(r.get(2)).unwrap_or_default();
                    (r.get(0), (r.get(1), tags))
                })
                .collect())
        })
        .with_context(|| format!("cannot read the viewers' notes in {}", self.target.shown()))
    }

    /// The one session `sql` picks, by its one parameter.
    fn session_where(
        &self,
        sql: &'static str,
        param: &(dyn postgres::types::ToSql + Sync),
    ) -> anyhow::Result<Option<OpenSession>> {
        self.with(|c| {
            let row = c.query_opt(sql, &[param])?;
            Ok(row.map(|r| OpenSession {
                id: r.get(0),
                stream_id: r.get(1),
                last_seq: r.get::<_, Option<i64>>(2).map(|s| s as u64),
            }))
        })
        .context("cannot read the store's sessions")
    }

    /// Every stored session, newest first, as `livedesk sessions` lists them.
    pub fn sessions(&self) -> anyhow::Result<Vec<SessionInfo>> {
        self.with(|c| {
            let rows = c.query(
                "SELECT id, stream_id, title, source, started_at, ended_at, updated_at, orders, gmv, last_seq
                 FROM sessions ORDER BY id DESC",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    let (started_at, ended_at): (String, Option<String>) = (r.get(4), r.get(5));
                    let updated_at: Option<String> = r.get(6);
                    let length_seconds =
                        length_seconds(&started_at, ended_at.as_deref().or(updated_at.as_deref()));
                    SessionInfo {
                        id: r.get(0),
                        stream: r.get(1),
                        title: r.get(2),
                        source: r.get(3),
                        started_at,
                        ended_at,
                        length_seconds,
                        orders: r.get::<_, i64>(7) as u64,
                        gmv: serde_json::from_str(r.get(8)).unwrap_or_default(),
                        last_seq: r.get::<_, Option<i64>>(9).map(|s| s as u64),
                    }
                })
                .collect())
        })
        .context("cannot read the store's sessions")
    }
}
