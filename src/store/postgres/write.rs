//! The journal writer's PostgreSQL side: each batch in one transaction, the journal's rows
//! sent as arrays in one statement (a flood's batch of a thousand rows is one round trip, not
//! a thousand), and everything beside them in the same transaction. Every batch commits
//! durably: a commit the server could still lose in a crash of its own would let a command
//! made from its rows leave, and a rebuild make it again.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use postgres::{Client, Transaction};

use super::viewers;
use crate::desk::viewers::Note;
use crate::desk::{Action, Input};
use crate::store::stamp;
use crate::store::writer::{Backend, Entry, Item, Msg, Touched, encode, sql_int};

/// The channel a committed batch is announced on (its payload: the session id), so that
/// the team's other consoles read the new rows at once.
pub const JOURNAL_CHANNEL: &str = "livedesk_journal";

/// The writer's connection, the last `n` written per session, and the lease it writes under.
pub(super) struct Pg {
    client: Client,
    next_n: HashMap<i64, i64>,
    fence: Option<Fence>,
}

/// A feed holder's journal writes only while it holds the feed's lease: a console that lost
/// it (a network cut, a takeover) cannot add a row after the new holder's.
#[derive(Clone, Debug)]
pub struct Fence {
    pub source: String,
    pub console: String,
}

impl Pg {
    pub(super) fn new(client: Client, fence: Option<Fence>) -> Pg {
        Pg { client, next_n: HashMap::new(), fence }
    }
}

impl Backend for Pg {
    // PostgreSQL's commit is durable already: the batches waited on need nothing more.
    fn write(&mut self, batch: &[Msg], _durable: bool, begun: &mut Vec<i64>) -> anyhow::Result<()> {
        let saved_n = self.next_n.clone();
        let result = write_batch(&mut self.client, &mut self.next_n, self.fence.as_ref(), batch, begun);
        if result.is_err() {
            self.next_n = saved_n;
            begun.clear();
        }
        result
    }
}

/// The journal rows of one batch, column by column.
#[derive(Default)]
struct Columns {
    session: Vec<i64>,
    n: Vec<i64>,
    at: Vec<String>,
    kind: Vec<&'static str>,
    seq: Vec<Option<i64>>,
    body: Vec<String>,
    /// The team request a row applied, if any.
    request: Vec<Option<i64>>,
}

fn write_batch(
    client: &mut Client,
    next_n: &mut HashMap<i64, i64>,
    fence: Option<&Fence>,
    batch: &[Msg],
    begun: &mut Vec<i64>,
) -> anyhow::Result<()> {
    let mut tx = client.transaction()?;
    if let Some(fence) = fence {
        let holds = tx
            .query_opt(
                "SELECT 1 FROM leases WHERE source = $1 AND holder = $2 FOR SHARE",
                &[&fence.source, &fence.console],
            )?
            .is_some();
        if !holds {
            anyhow::bail!("this console no longer holds the feed: another took it over");
        }
    }
    let mut touched: BTreeMap<i64, Touched> = BTreeMap::new();
    let mut columns = Columns::default();
    for msg in batch {
        match msg {
            Msg::Entry(entry) => row(&mut tx, next_n, &mut touched, &mut columns, entry)?,
            Msg::Durable(entries, _) | Msg::DurableThenSend(entries, ..) => {
                for entry in entries {
                    row(&mut tx, next_n, &mut touched, &mut columns, entry)?;
                }
            }
            Msg::Begin { source, at, .. } => {
                let id: i64 = tx
                    .query_one(
                        "INSERT INTO sessions (source, started_at, updated_at) VALUES ($1, $2, $2) RETURNING id",
                        &[source, &stamp(*at)],
                    )?
                    .get(0);
                next_n.insert(id, 0);
                begun.push(id);
            }
            Msg::Stream { session, id, title } => {
                tx.execute(
                    "UPDATE sessions SET stream_id = $2, title = $3 WHERE id = $1",
                    &[session, id, title],
                )?;
            }
            Msg::Figures { session, orders, gmv } => {
                touched.entry(*session).or_default().figures = Some((*orders, gmv.clone()));
            }
            Msg::Close { session, at } => {
                tx.execute(
                    "UPDATE sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL",
                    &[session, &stamp(*at)],
                )?;
                // Its viewers join the feed's totals that the next stream starts from.
                viewers::fold(&mut tx, *session)?;
            }
            Msg::Viewer { session, row } => viewers::write_row(&mut tx, *session, row)?,
            Msg::Example { session, at, example } => {
                let (tags, fixed) =
                    (serde_json::to_string(&example.tags)?, serde_json::to_string(&example.fixed)?);
                tx.execute(
                    "INSERT INTO examples (session_id, n, at, text, lang, tags, fixed, reply)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session_id, n) DO NOTHING",
                    &[
                        session,
                        &i64::try_from(example.n)?,
                        &stamp(*at),
                        &example.text,
                        &example.lang,
                        &tags,
                        &fixed,
                        &example.reply,
                    ],
                )?;
            }
            Msg::Flush(_) | Msg::Send(..) => {}
        }
    }
    if !columns.n.is_empty() {
        tx.execute(
            "INSERT INTO journal (session_id, n, at, kind, seq, body, request)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                                  $7::bigint[])",
            &[
                &columns.session,
                &columns.n,
                &columns.at,
                &columns.kind,
                &columns.seq,
                &columns.body,
                &columns.request,
            ],
        )
        .context("cannot write the journal's rows")?;
        let mut sessions = columns.session.clone();
        sessions.dedup();
        for session in sessions {
            // Delivered on commit, to every console listening.
            tx.execute("SELECT pg_notify($1, $2)", &[&JOURNAL_CHANNEL, &session.to_string()])?;
        }
    }
    for (session, t) in touched {
        if let Some(seq) = t.last_seq {
            tx.execute("UPDATE sessions SET last_seq = $2 WHERE id = $1", &[&session, &sql_int(seq)?])?;
        }
        if let Some(at) = t.last_at {
            tx.execute("UPDATE sessions SET updated_at = $2 WHERE id = $1", &[&session, &stamp(at)])?;
        }
        if let Some((orders, gmv)) = t.figures {
            let gmv: BTreeMap<String, String> =
                gmv.iter().map(|(cur, v)| (cur.clone(), format!("{:.2}", v.round_dp(2)))).collect();
            tx.execute(
                "UPDATE sessions SET orders = $2, gmv = $3 WHERE id = $1",
                &[&session, &sql_int(orders)?, &serde_json::to_string(&gmv)?],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// One journal row into the batch's columns, numbered after the session's last.
fn row(
    tx: &mut Transaction<'_>,
    next_n: &mut HashMap<i64, i64>,
    touched: &mut BTreeMap<i64, Touched>,
    columns: &mut Columns,
    entry: &Entry,
) -> anyhow::Result<()> {
    let n = match next_n.get_mut(&entry.session) {
        Some(n) => n,
        None => {
            let last: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(n), 0)::bigint FROM journal WHERE session_id = $1",
                    &[&entry.session],
                )?
                .get(0);
            next_n.entry(entry.session).or_insert(last)
        }
    };
    *n += 1;
    let (kind, seq, body) = encode(&entry.item)?;
    columns.session.push(entry.session);
    columns.n.push(*n);
    columns.at.push(stamp(entry.at));
    columns.kind.push(kind);
    columns.seq.push(seq.map(sql_int).transpose()?);
    columns.body.push(body);
    columns.request.push(match &entry.item {
        Item::Input(Input::Hand(hand)) => hand.request,
        _ => None,
    });
    if let Item::Input(input) = &entry.item
        && let Some(Action::NoteViewer { user_id, note, tags }) = input.action()
        && !user_id.is_empty()
    {
        // The feed's note table follows the journal in the same transaction.
        viewers::write_note(tx, entry.session, user_id, &Note::new(note, tags, entry.at))?;
    }
    touched.entry(entry.session).or_default().row(entry, seq);
    Ok(())
}
