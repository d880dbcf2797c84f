//! The journal writer: a thread that owns its own connection and commits what the desk
//! sends it in batches (every 100 ms or 1,000 rows, whichever comes first), so a flood
//! of chat never waits on the disk. An operator action is the one thing written at once
//! and synced before its command may leave: the writer itself hands the command to the
//! feed once it is on disk, so the screen never waits for the disk either.
//!
//! The queue to the writer is bounded ([`QUEUE`] messages), so a writer that falls behind
//! a flood cannot grow memory: once half of it waits the journal is [`Backlog::behind`] and
//! the app stops taking feed input (the socket and the platform hold the excess, nothing is
//! dropped), which leaves the other half for keys and ticks; only a full queue makes a send
//! wait for the writer.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use rusqlite::{CachedStatement, Connection, Transaction, params};
use rust_decimal::Decimal;

use super::examples;
use super::viewers::{self, ViewerRow};
use super::{connect, stamp};
use crate::desk::learned::Example;
use crate::desk::viewers::Note;
use crate::desk::{Action, Input};
use crate::protocol::{Command, StreamInfo};

/// Where commands go once their rows are committed.
pub type CommandSink = tokio::sync::mpsc::UnboundedSender<Command>;

/// Longest a journaled row waits in memory before its batch is committed.
pub const BATCH_WAIT: Duration = Duration::from_millis(100);
/// Most rows in one batch.
pub const BATCH_ROWS: usize = 1_000;
/// Most messages waiting for the writer (besides the batch it is writing).
pub const QUEUE: usize = 8_192;

/// How many messages wait for the writer, shared with whoever feeds the journal.
#[derive(Clone)]
pub struct Backlog(Arc<Waiting>);

struct Waiting {
    /// Counted once a message is in the queue: at most one over what the queue holds (a
    /// sender let through by the writer's `recv` may count before the writer does), and the
    /// writer may take one before it is counted, hence signed.
    len: AtomicIsize,
    /// Half the queue: from here on the journal is behind.
    behind_at: isize,
    caught_up: tokio::sync::Notify,
}

impl Backlog {
    /// A count for a queue of `queue` messages (behind from half of it).
    pub fn new(queue: usize) -> Self {
        let behind_at = isize::try_from(queue.div_ceil(2)).unwrap_or(isize::MAX);
        Backlog(Arc::new(Waiting { len: AtomicIsize::new(0), behind_at, caught_up: Default::default() }))
    }

    /// Messages waiting now.
    pub fn waiting(&self) -> usize {
        usize::try_from(self.0.len.load(Ordering::SeqCst)).unwrap_or(0)
    }

    /// Whether the writer is behind: input that can wait (the feed's) should.
    pub fn behind(&self) -> bool {
        self.0.len.load(Ordering::SeqCst) >= self.0.behind_at
    }

    /// Returns once the writer is no longer behind (at once if it is not).
    pub async fn caught_up(&self) {
        while self.behind() {
            self.0.caught_up.notified().await;
        }
    }

    fn added(&self) {
        self.0.len.fetch_add(1, Ordering::SeqCst);
    }

    /// One message left the queue; the writer is no longer behind when this was the one.
    fn taken(&self) {
        if self.0.len.fetch_sub(1, Ordering::SeqCst) == self.0.behind_at {
            // Kept as a permit if no one waits yet, so a wake-up is never lost.
            self.0.caught_up.notify_one();
        }
    }
}

/// One journal row's content.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// An input the desk applied (ticks only when they changed something).
    Input(Input),
    /// A command the desk sent.
    Output(Command),
    /// A run of the desk began on this session with this ref prefix (rebuilds use it,
    /// so the refs of unanswered commands match).
    Run { ref_prefix: String },
}

pub(super) struct Entry {
    pub(super) session: i64,
    pub(super) at: DateTime<Utc>,
    pub(super) item: Item,
}

pub(super) type Reply<T> = SyncSender<Result<T, String>>;

// Nearly every message is an `Entry`: boxing it would cost an allocation per row.
#[allow(clippy::large_enum_variant)]
pub(super) enum Msg {
    Entry(Entry),
    /// Written and synced to disk before the reply.
    Durable(Vec<Entry>, Reply<()>),
    /// Written and synced to disk, then the commands go to the sink.
    DurableThenSend(Vec<Entry>, Vec<Command>, CommandSink),
    /// Commands that must not overtake ones still held: sent after this batch commits.
    Send(Vec<Command>, CommandSink),
    Begin {
        source: String,
        at: DateTime<Utc>,
        reply: Reply<i64>,
    },
    Stream {
        session: i64,
        id: String,
        title: String,
    },
    Figures {
        session: i64,
        orders: u64,
        gmv: BTreeMap<String, Decimal>,
    },
    Close {
        session: i64,
        at: DateTime<Utc>,
    },
    /// A viewer's record of a session, as the desk has it now.
    Viewer {
        session: i64,
        row: ViewerRow,
    },
    /// An example the operator gave in a session.
    Example {
        session: i64,
        at: DateTime<Utc>,
        example: Example,
    },
    /// Replies once everything sent before it is committed.
    Flush(Reply<()>),
}

impl Msg {
    fn rows(&self) -> usize {
        match self {
            Msg::Entry(_) => 1,
            Msg::Durable(entries, _) | Msg::DurableThenSend(entries, ..) => entries.len(),
            _ => 0,
        }
    }

    /// Whether someone (or a command) waits on this message: the batch ends here.
    fn waited_on(&self) -> bool {
        !matches!(
            self,
            Msg::Entry(_)
                | Msg::Stream { .. }
                | Msg::Figures { .. }
                | Msg::Close { .. }
                | Msg::Viewer { .. }
                | Msg::Example { .. }
        )
    }
}

/// The handle the desk side holds: cheap sends, and a wait only where asked for.
pub struct Journal {
    tx: Option<SyncSender<Msg>>,
    backlog: Backlog,
    thread: Option<JoinHandle<()>>,
    failed: Arc<AtomicBool>,
    /// Command batches handed to the writer and not yet sent on.
    holding: Arc<AtomicUsize>,
}

impl Journal {
    /// Opens the database at `path` and starts the writer thread.
    pub fn start(path: &Path) -> anyhow::Result<Journal> {
        Self::start_with_queue(path, QUEUE)
    }

    pub(super) fn start_with_queue(path: &Path, queue: usize) -> anyhow::Result<Journal> {
        let backend = Sqlite { conn: connect(path)?, next_n: HashMap::new() };
        Self::start_on(backend, queue)
    }

    /// Starts the writer thread on `backend`, with room for `queue` waiting messages.
    pub(super) fn start_on(backend: impl Backend, queue: usize) -> anyhow::Result<Journal> {
        let (tx, rx) = mpsc::sync_channel(queue);
        let backlog = Backlog::new(queue);
        let failed = Arc::new(AtomicBool::new(false));
        let holding = Arc::new(AtomicUsize::new(0));
        let writer =
            Writer { backend, failed: failed.clone(), holding: holding.clone(), backlog: backlog.clone() };
        let thread = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || writer.run(rx))
            .context("cannot start the journal writer")?;
        Ok(Journal { tx: Some(tx), backlog, thread: Some(thread), failed, holding })
    }

    /// How far behind the writer is: the app pauses the feed on it.
    pub fn backlog(&self) -> Backlog {
        self.backlog.clone()
    }

    /// Queues a message, waiting for room if the queue is full; gives it back if the
    /// writer is gone.
    // The message given back is as large as a message: returned only when the writer is gone.
    #[allow(clippy::result_large_err)]
    fn queue(&self, msg: Msg) -> Result<(), Msg> {
        let Some(tx) = &self.tx else { return Err(msg) };
        tx.send(msg).map_err(|mpsc::SendError(msg)| msg)?;
        self.backlog.added();
        Ok(())
    }

    fn send(&self, msg: Msg) {
        if self.queue(msg).is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
    }

    fn ask<T>(&self, msg: impl FnOnce(Reply<T>) -> Msg) -> anyhow::Result<T> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.queue(msg(reply)).map_err(|_| anyhow!("the journal writer stopped"))?;
        answer.recv().map_err(|_| anyhow!("the journal writer stopped"))?.map_err(|e| anyhow!(e))
    }

    /// Starts a new session for `source`; returns its id.
    pub fn begin(&self, source: &str, at: DateTime<Utc>) -> anyhow::Result<i64> {
        self.ask(|reply| Msg::Begin { source: source.to_owned(), at, reply })
    }

    /// Journals one row; it is committed within [`BATCH_WAIT`].
    pub fn record(&self, session: i64, at: DateTime<Utc>, item: Item) {
        self.send(Msg::Entry(Entry { session, at, item }));
    }

    /// Journals rows and returns once they (and everything before them) are on disk.
    pub fn record_durably(&self, session: i64, at: DateTime<Utc>, items: Vec<Item>) -> anyhow::Result<()> {
        let entries = items.into_iter().map(|item| Entry { session, at, item }).collect();
        self.ask(|reply| Msg::Durable(entries, reply))
    }

    /// Journals rows and, once they are on disk, sends `commands` to `sink`; returns at once.
    pub fn record_durably_then_send(
        &self,
        session: i64,
        at: DateTime<Utc>,
        items: Vec<Item>,
        commands: Vec<Command>,
        sink: &CommandSink,
    ) {
        let entries = items.into_iter().map(|item| Entry { session, at, item }).collect();
        self.hold(Msg::DurableThenSend(entries, commands, sink.clone()));
    }

    /// Sends `commands` to `sink` after everything sent so far is committed, so that they
    /// keep their place behind commands still [`holding`](Self::holding).
    pub fn send_in_turn(&self, commands: Vec<Command>, sink: &CommandSink) {
        self.hold(Msg::Send(commands, sink.clone()));
    }

    fn hold(&self, msg: Msg) {
        self.holding.fetch_add(1, Ordering::SeqCst);
        if let Err(msg) = self.queue(msg) {
            // The writer is gone: the commands go out anyway, unjournaled.
            self.failed.store(true, Ordering::Relaxed);
            if let Msg::DurableThenSend(_, commands, sink) | Msg::Send(commands, sink) = msg {
                for c in commands {
                    let _ = sink.send(c);
                }
            }
            self.holding.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Whether commands wait in the writer for a commit: later ones must queue behind.
    pub fn holding(&self) -> bool {
        self.holding.load(Ordering::SeqCst) > 0
    }

    /// Names the stream a session is about (from its first `welcome`).
    pub fn set_stream(&self, session: i64, stream: &StreamInfo) {
        self.send(Msg::Stream { session, id: stream.id.clone(), title: stream.title.clone() });
    }

    /// The session's orders and GMV now, for `livedesk sessions`.
    pub fn figures(&self, session: i64, orders: u64, gmv: &BTreeMap<String, Decimal>) {
        self.send(Msg::Figures { session, orders, gmv: gmv.clone() });
    }

    /// Keeps a viewer's record of a session (first sight, orders and spend) for the streams
    /// to come.
    pub fn viewer(&self, session: i64, row: ViewerRow) {
        self.send(Msg::Viewer { session, row });
    }

    /// Keeps an example of the operator's (an answer, a fix) for the streams to come.
    pub fn example(&self, session: i64, at: DateTime<Utc>, example: Example) {
        self.send(Msg::Example { session, at, example });
    }

    /// Marks a session's stream as ended: a restart starts a new one.
    pub fn close(&self, session: i64, at: DateTime<Utc>) {
        self.send(Msg::Close { session, at });
    }

    /// Returns once everything sent so far is committed.
    pub fn flush(&self) -> anyhow::Result<()> {
        self.ask(Msg::Flush)
    }

    /// Whether a write has failed since the start (the rows of that batch are lost).
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// Commits what is left and stops the writer.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What a batch changed in a session's row.
#[derive(Default)]
pub(super) struct Touched {
    pub(super) last_seq: Option<u64>,
    pub(super) last_at: Option<DateTime<Utc>>,
    pub(super) figures: Option<(u64, BTreeMap<String, Decimal>)>,
}

impl Touched {
    /// Notes a journal row of `entry`'s.
    pub(super) fn row(&mut self, entry: &Entry, seq: Option<u64>) {
        self.last_at = Some(entry.at);
        // The last event applied, not the highest: after the platform restarted its
        // numbering, a resume continues in the new one.
        if seq.is_some() {
            self.last_seq = seq;
        }
    }
}

/// A database the journal writer commits its batches to: the queue, the batching and the
/// commands held for a commit are the same whatever the database.
pub(super) trait Backend: Send + 'static {
    /// Writes one batch in one transaction, durable (synced) when `durable`, pushing the id
    /// of each session begun in it to `begun`; after an error nothing of the batch is kept.
    fn write(&mut self, batch: &[Msg], durable: bool, begun: &mut Vec<i64>) -> anyhow::Result<()>;
}

struct Writer<B> {
    backend: B,
    failed: Arc<AtomicBool>,
    holding: Arc<AtomicUsize>,
    backlog: Backlog,
}

impl<B: Backend> Writer<B> {
    fn run(mut self, rx: Receiver<Msg>) {
        while let Ok(first) = rx.recv() {
            self.backlog.taken();
            let deadline = Instant::now() + BATCH_WAIT;
            let mut rows = first.rows();
            let mut open = !first.waited_on();
            let mut batch = vec![first];
            while open && rows < BATCH_ROWS {
                let wait = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(wait) {
                    Ok(msg) => {
                        self.backlog.taken();
                        rows += msg.rows();
                        open = !msg.waited_on();
                        batch.push(msg);
                    }
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
                }
            }
            self.commit(batch);
        }
    }

    /// Writes one batch in one transaction, synced to disk if anyone waits on it.
    fn commit(&mut self, batch: Vec<Msg>) {
        let durable = batch.iter().any(|m| matches!(m, Msg::Durable(..) | Msg::DurableThenSend(..)));
        let mut begun = Vec::new();
        let result = self.backend.write(&batch, durable, &mut begun);
        if let Err(e) = &result {
            tracing::error!("journal batch of {} message(s) lost: {e:#}", batch.len());
            self.failed.store(true, Ordering::Relaxed);
        }
        let mut begun = begun.into_iter();
        for msg in batch {
            let status = result.as_ref().map(|_| ()).map_err(|e| format!("{e:#}"));
            match msg {
                Msg::Durable(_, reply) | Msg::Flush(reply) => {
                    let _ = reply.send(status);
                }
                Msg::Begin { reply, .. } => {
                    let _ = reply.send(status.map(|()| begun.next().unwrap_or_default()));
                }
                // Sent even when the batch failed: a journal problem must not silence the desk.
                Msg::DurableThenSend(_, commands, sink) | Msg::Send(commands, sink) => {
                    for c in commands {
                        let _ = sink.send(c);
                    }
                    self.holding.fetch_sub(1, Ordering::SeqCst);
                }
                _ => {}
            }
        }
    }
}

/// The SQLite database: one connection, and the last `n` written per session.
struct Sqlite {
    conn: Connection,
    next_n: HashMap<i64, i64>,
}

impl Backend for Sqlite {
    fn write(&mut self, batch: &[Msg], durable: bool, begun: &mut Vec<i64>) -> anyhow::Result<()> {
        let saved_n = self.next_n.clone();
        // The safety level cannot change inside a transaction: set it around this one.
        if durable {
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        let result = self.write_batch(batch, begun);
        if durable {
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        if result.is_err() {
            self.next_n = saved_n;
        }
        result
    }
}

impl Sqlite {
    fn write_batch(&mut self, batch: &[Msg], begun: &mut Vec<i64>) -> anyhow::Result<()> {
        let tx = self.conn.transaction()?;
        let mut touched: BTreeMap<i64, Touched> = BTreeMap::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO journal (session_id, n, at, kind, seq, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut rows =
                Rows { tx: &tx, insert: &mut insert, next_n: &mut self.next_n, touched: &mut touched };
            for msg in batch {
                match msg {
                    Msg::Entry(entry) => rows.write(entry)?,
                    Msg::Durable(entries, _) | Msg::DurableThenSend(entries, ..) => {
                        for entry in entries {
                            rows.write(entry)?;
                        }
                    }
                    Msg::Begin { source, at, .. } => {
                        tx.execute(
                            "INSERT INTO sessions (source, started_at, updated_at) VALUES (?1, ?2, ?2)",
                            params![source, stamp(*at)],
                        )?;
                        let id = tx.last_insert_rowid();
                        rows.next_n.insert(id, 0);
                        begun.push(id);
                    }
                    Msg::Stream { session, id, title } => {
                        tx.execute(
                            "UPDATE sessions SET stream_id = ?2, title = ?3 WHERE id = ?1",
                            params![session, id, title],
                        )?;
                    }
                    Msg::Figures { session, orders, gmv } => {
                        rows.touched.entry(*session).or_default().figures = Some((*orders, gmv.clone()));
                    }
                    Msg::Close { session, at } => {
                        tx.execute(
                            "UPDATE sessions SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
                            params![session, stamp(*at)],
                        )?;
                        // Its viewers join the feed's totals that the next stream starts from.
                        viewers::fold(&tx, *session)?;
                    }
                    Msg::Viewer { session, row } => viewers::write_row(&tx, *session, row)?,
                    Msg::Example { session, at, example } => examples::write(&tx, *session, *at, example)?,
                    Msg::Flush(_) | Msg::Send(..) => {}
                }
            }
        }
        for (session, t) in touched {
            if let Some(seq) = t.last_seq {
                tx.execute(
                    "UPDATE sessions SET last_seq = ?2 WHERE id = ?1",
                    params![session, sql_int(seq)?],
                )?;
            }
            if let Some(at) = t.last_at {
                tx.execute("UPDATE sessions SET updated_at = ?2 WHERE id = ?1", params![session, stamp(at)])?;
            }
            if let Some((orders, gmv)) = t.figures {
                let gmv: BTreeMap<String, String> =
                    gmv.iter().map(|(cur, v)| (cur.clone(), format!("{:.2}", v.round_dp(2)))).collect();
                tx.execute(
                    "UPDATE sessions SET orders = ?2, gmv = ?3 WHERE id = ?1",
                    params![session, sql_int(orders)?, serde_json::to_string(&gmv)?],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// SQL integers are signed: a count or seq past `i64::MAX` is refused, not wrapped.
pub(super) fn sql_int(v: u64) -> anyhow::Result<i64> {
    i64::try_from(v).map_err(|_| anyhow!("{v} does not fit in the store"))
}

/// Journal rows going into one transaction.
struct Rows<'a, 't> {
    tx: &'a Transaction<'t>,
    insert: &'a mut CachedStatement<'t>,
    next_n: &'a mut HashMap<i64, i64>,
    touched: &'a mut BTreeMap<i64, Touched>,
}

impl Rows<'_, '_> {
    fn write(&mut self, entry: &Entry) -> anyhow::Result<()> {
        let n = match self.next_n.get_mut(&entry.session) {
            Some(n) => n,
            None => {
                let last: i64 = self.tx.query_row(
                    "SELECT COALESCE(MAX(n), 0) FROM journal WHERE session_id = ?1",
                    [entry.session],
                    |r| r.get(0),
                )?;
                self.next_n.entry(entry.session).or_insert(last)
            }
        };
        *n += 1;
        let (kind, seq, body) = encode(&entry.item)?;
        let sql_seq = seq.map(sql_int).transpose()?;
        self.insert.execute(params![entry.session, *n, stamp(entry.at), kind, sql_seq, body])?;
        if let Item::Input(input) = &entry.item
            && let Some(Action::NoteViewer { user_id, note, tags }) = input.action()
            && !user_id.is_empty()
        {
            // The feed's note table follows the journal in the same transaction.
            viewers::write_note(self.tx, entry.session, user_id, &Note::new(note, tags, entry.at))?;
        }
        self.touched.entry(entry.session).or_default().row(entry, seq);
        Ok(())
    }
}

/// A row's `kind`, `seq` (stream events only: what a resume continues after) and `body`.
pub(super) fn encode(item: &Item) -> serde_json::Result<(&'static str, Option<u64>, String)> {
    Ok(match item {
        Item::Input(Input::Feed(frame)) => {
            let seq = (!frame.event.is_connection_level()).then_some(frame.seq);
            ("feed", seq, serde_json::to_string(frame)?)
        }
        Item::Input(Input::Link(link)) => ("link", None, serde_json::to_string(link)?),
        Item::Input(Input::Operator(action)) => ("operator", None, serde_json::to_string(action)?),
        Item::Input(Input::Hand(hand)) => ("hand", None, serde_json::to_string(hand)?),
        Item::Input(Input::Tick) => ("tick", None, "{}".to_owned()),
        Item::Input(Input::Replies(replies)) => ("replies", None, serde_json::to_string(replies)?),
        Item::Output(command) => ("output", None, serde_json::to_string(command)?),
        Item::Run { ref_prefix } => {
            ("run", None, serde_json::json!({ "ref_prefix": ref_prefix }).to_string())
        }
    })
}
