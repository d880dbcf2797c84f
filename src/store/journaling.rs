//! The journaling policy: what of a run is journaled, when a command may leave, and how a
//! desk is rebuilt after a crash. It speaks to a store through two small traits, so that
//! another backend than SQLite can keep the same journal by the same rules.
//!
//! The rules:
//! - every input is journaled, a tick only when it changed something (a tick that moved
//!   only the clock is not worth a row), and so is every command the desk made;
//! - a command leaves only once the input that made it is durable: synced to disk for an
//!   operator action, committed for the rest (the writer sends it on). Were it sent first
//!   and the desk killed before the commit, the restarted desk would make it again from the
//!   replayed input and the buyer would hear it twice. Commands keep their order;
//! - beside the rows: a viewer's record when first seen or when their orders change, the
//!   session's figures after an order, and every example the operator gave;
//! - a restart rebuilds the newest unfinished session by applying its rows again to a fresh
//!   desk; what the crash kept from the disk (viewer rows, examples) is written again from
//!   the rebuilt desk, never the journal's own rows, and commands never answered go again.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Backlog, CommandSink, Item, Journal, OpenSession, Rebuilt, Store, ViewerRow};
use crate::desk::learned::{Example, Memory};
use crate::desk::viewers::History;
use crate::desk::{Action, Desk, DeskSetup, Input, Output};
use crate::protocol::{Command, Event, StreamInfo};

/// A store's journal read back: the session a restart resumes, its rows, and what the
/// earlier streams taught.
pub trait Reader {
    /// The newest session from `source` (a feed URL, `demo`) that has not ended.
    fn latest_open(&self, source: &str) -> anyhow::Result<Option<OpenSession>>;
    /// Session `id`, ended or not.
    fn session(&self, id: i64) -> anyhow::Result<Option<OpenSession>>;
    /// Session `id`'s rows in the order they were applied, with the time of each.
    fn each_item(
        &self,
        id: i64,
        visit: &mut dyn FnMut(DateTime<Utc>, Item) -> anyhow::Result<()>,
    ) -> anyhow::Result<()>;
    /// How often each canned reply was sent, in every session but `except`.
    fn reply_uses(&self, except: Option<i64>) -> anyhow::Result<BTreeMap<String, u64>>;
    /// What the earlier sessions of `source` knew of its viewers (never `except`'s).
    fn viewer_history(&self, source: &str, except: Option<i64>) -> anyhow::Result<History>;
    /// The shop's examples from every session but `except`, oldest first.
    fn examples(&self, except: Option<i64>) -> anyhow::Result<Vec<Example>>;
}

/// A store's journal written. Writes are queued and return at once; only [`Writer::begin`]
/// waits, for the new session's id. A write that fails is told by [`Writer::failed`].
pub trait Writer: Send {
    /// Starts a new session for `source`; returns its id.
    fn begin(&self, source: &str, at: DateTime<Utc>) -> anyhow::Result<i64>;
    /// Journals one row, to be committed soon.
    fn record(&self, session: i64, at: DateTime<Utc>, item: Item);
    /// Journals rows and, once they are on disk (synced), sends `commands` to `sink`.
    fn record_durably_then_send(
        &self,
        session: i64,
        at: DateTime<Utc>,
        items: Vec<Item>,
        commands: Vec<Command>,
        sink: &CommandSink,
    );
    /// Sends `commands` to `sink` once everything journaled so far is committed.
    fn send_in_turn(&self, commands: Vec<Command>, sink: &CommandSink);
    /// Names the stream a session is about.
    fn set_stream(&self, session: i64, stream: &StreamInfo);
    /// The session's orders and GMV now.
    fn figures(&self, session: i64, orders: u64, gmv: &BTreeMap<String, Decimal>);
    /// Keeps a viewer's record of a session for the streams to come.
    fn viewer(&self, session: i64, row: ViewerRow);
    /// Keeps an example of the operator's for the streams to come.
    fn example(&self, session: i64, at: DateTime<Utc>, example: Example);
    /// Marks a session's stream as ended.
    fn close(&self, session: i64, at: DateTime<Utc>);
    /// Whether a write has failed since the start.
    fn failed(&self) -> bool;
    /// How far behind the writer is: feed input waits while it is.
    fn backlog(&self) -> Backlog;
    /// Commits what is left and stops.
    fn finish(self: Box<Self>);
}

/// Where the feed picks up after a restart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResumePoint {
    /// The last seq the rebuilt desk applied.
    pub after: Option<u64>,
    /// The stream that seq belongs to.
    pub stream: Option<String>,
}

/// What the desk starts from, as the store knows it: the session keeps it for every fresh
/// desk (a new stream on the same feed gets one).
pub struct Start<'a> {
    pub setup: &'a mut DeskSetup,
    pub memory: &'a mut Memory,
}

impl Start<'_> {
    /// A desk for a new stream (or one to rebuild), knowing what earlier streams taught.
    pub fn fresh_desk(&self) -> Desk {
        Desk::new(self.setup.clone()).with_memory(self.memory.clone())
    }

    /// The stream `desk` had is an earlier one now: the next desk knows its viewers and
    /// what it learned.
    pub fn after_stream(&mut self, desk: &Desk) {
        self.setup.history = Arc::new(self.setup.history.with_stream(desk.viewers(), desk.catalog()));
        *self.memory = desk.learned().clone();
    }
}

/// Which stored session a desk picks up when it attaches to a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// None: a new session begins (a replay, a run that is not to resume).
    Fresh,
    /// The newest unfinished session of the source (a restart after a crash).
    Unfinished,
    /// Session `id`, which this console followed, even if its stream has ended: a console
    /// taking the feed over goes on where the holder was, and an ended stream stays on
    /// screen, ended, until the feed brings another.
    Followed(i64),
}

/// What attaching a store gave the session.
pub struct Attached {
    pub journaling: Journaling,
    /// The desk to go on with: the rebuilt one, or a fresh one.
    pub desk: Desk,
    pub resume: ResumePoint,
    /// What to tell the operator of a rebuild (applied, and so journaled, as a notice).
    pub restored: Option<String>,
}

/// What a `welcome` meant for the journal.
#[derive(Debug, PartialEq, Eq)]
pub enum Welcomed {
    /// The stream the session is already about (or no store was told anything).
    Same,
    /// The session's first welcome: it is about this stream now.
    Named,
    /// Another stream: the session of `old` is closed and a new one began; the session
    /// starts a fresh desk and marks its run ([`Journaling::run`]).
    Another { old: String },
}

/// What the journal needs to know of an input before the desk applies it.
pub struct Before {
    revision: u64,
    operator: bool,
    orders: bool,
    /// The input itself; a tick is kept only if it changes something.
    kept: Option<Input>,
    viewers_seen: usize,
    buyer: Option<String>,
}

/// What one applied input left for the journal.
pub struct Applied {
    pub commands: Vec<Command>,
    pub examples: Vec<Example>,
}

/// A running session's place in the store, and the rules it is journaled by.
pub struct Journaling {
    writer: Box<dyn Writer>,
    /// The feed this desk reads (a URL, `demo`): sessions are found again by it.
    source: String,
    /// The stored session being written.
    id: i64,
    /// Its stream, once a `welcome` named it.
    stream: Option<String>,
    /// Whether its stream ended (the journal was told).
    closed: bool,
    /// Whether quitting ends the stream (the demo: its server goes with the app).
    close_on_exit: bool,
    /// Commands to send as soon as the feed is connected (unanswered before a restart,
    /// or made while rebuilding).
    resend: Vec<Command>,
    /// Whether the operator was told the journal is failing.
    told_failed: bool,
}

impl Journaling {
    /// Journals a session from `source`, picking up the stored one `resume` says (rebuilt
    /// first, the feed resuming where it stopped); otherwise (or when there is none, or it
    /// had ended and is not [`Resume::Followed`]) a new session begins. The run's ref prefix (the
    /// setup's) is journaled, so that a later rebuild gives the same refs.
    pub fn attach(
        reader: &dyn Reader,
        writer: Box<dyn Writer>,
        source: &str,
        resume: Resume,
        mut start: Start<'_>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Attached> {
        let mut journaling = Journaling {
            writer,
            source: source.to_owned(),
            id: 0,
            stream: None,
            closed: false,
            close_on_exit: resume == Resume::Fresh,
            resend: Vec::new(),
            told_failed: false,
        };
        // Whether the session found has ended in the store already.
        let (open, ended_in_store) = match resume {
            Resume::Fresh => (None, false),
            Resume::Unfinished => (reader.latest_open(source)?, false),
            Resume::Followed(id) => match reader.latest_open(source)? {
                Some(open) if open.id >= id => (Some(open), false),
                _ => (reader.session(id)?, true),
            },
        };
        let except = open.as_ref().map(|o| o.id);
        // Replies used in earlier streams rise in the picker; a rebuilt session counts its own.
        start.setup.reply_uses = reader.reply_uses(except)?;
        // What earlier streams knew of the viewers; a session being rebuilt brings its own.
        start.setup.history = Arc::new(reader.viewer_history(source, except)?);
        // The shop's answers and fixes; a session being rebuilt teaches its own as it replays.
        *start.memory = Memory::of(reader.examples(except)?);
        let prefix = start.setup.ref_prefix.clone();
        if let Some(open) = open {
            let mut desk = start.fresh_desk();
            let rebuilt = rebuild(reader, open.id, &mut desk)?;
            let writer = &journaling.writer;
            // Examples a crash kept from the disk are written again (the rest stay once).
            for (at, example) in rebuilt.examples {
                writer.example(open.id, at, example);
            }
            let ended = desk.ended() || ended_in_store;
            if !ended || matches!(resume, Resume::Followed(_)) {
                tracing::info!(session = open.id, inputs = rebuilt.inputs, last_seq = ?open.last_seq, "rebuilt from the journal");
                desk.renew_refs(prefix.clone());
                writer.record(open.id, now, Item::Run { ref_prefix: prefix });
                // Rows a crash kept from the disk are written again from the rebuilt desk.
                for v in desk.viewers().since(0) {
                    writer.viewer(open.id, ViewerRow::of(&desk, v));
                }
                journaling.id = open.id;
                journaling.stream = open.stream_id.clone();
                journaling.resend = rebuilt.unanswered;
                // One that ended before the store heard is closed at the next input.
                journaling.closed = ended_in_store;
                let stream = open.stream_id.as_deref().unwrap_or("the stream");
                let restored = match open.last_seq {
                    _ if ended => format!(
                        "Restored {stream} from the journal ({} inputs); it has ended",
                        rebuilt.inputs
                    ),
                    Some(seq) => format!(
                        "Restored {stream} from the journal ({} inputs); resuming after event {seq}",
                        rebuilt.inputs
                    ),
                    None => format!("Restored {stream} from the journal ({} inputs)", rebuilt.inputs),
                };
                let resume = ResumePoint { after: open.last_seq, stream: open.stream_id };
                return Ok(Attached { journaling, desk, resume, restored: Some(restored) });
            }
            // It ended just before a crash, before the journal heard (or the journal knows):
            // it stays ended, and it is one of the earlier streams now.
            for v in desk.viewers().since(0) {
                writer.viewer(open.id, ViewerRow::of(&desk, v));
            }
            if !ended_in_store {
                writer.close(open.id, desk.now());
            }
            start.after_stream(&desk);
        }
        journaling.id = journaling.writer.begin(source, now)?;
        journaling.writer.record(journaling.id, now, Item::Run { ref_prefix: prefix });
        Ok(Attached { journaling, desk: start.fresh_desk(), resume: ResumePoint::default(), restored: None })
    }

    /// The stored session being written.
    pub fn session(&self) -> i64 {
        self.id
    }

    /// How far behind the writer is.
    pub fn backlog(&self) -> Backlog {
        self.writer.backlog()
    }

    /// Commands left unanswered before a restart, or made before the feed was connected:
    /// they go first once it is.
    pub fn take_resend(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.resend)
    }

    /// Notes what the journal needs of `input` before `desk` applies it.
    pub fn before(&self, desk: &Desk, input: &Input) -> Before {
        let orders = matches!(input, Input::Feed(f) if matches!(f.event, Event::Order { .. } | Event::OrderUpdate { .. }))
            || matches!(input.action(), Some(Action::ConfirmClaim { .. }));
        Before {
            revision: desk.revision(),
            operator: input.action().is_some(),
            orders,
            kept: (!matches!(input, Input::Tick)).then(|| input.clone()),
            viewers_seen: desk.viewers().len(),
            buyer: if orders { desk.buyer_of(input) } else { None },
        }
    }

    /// Journals an input `desk` has just applied, and what it made; hands the commands to
    /// `sink` once the input is durable (none yet: they wait for [`Journaling::take_resend`];
    /// a replay's go nowhere). Returns what to tell the operator when the journal has just
    /// started failing (not journaled: the journal is what failed).
    pub fn applied(
        &mut self,
        before: Before,
        desk: &Desk,
        applied: Applied,
        now: DateTime<Utc>,
        sink: Option<&CommandSink>,
    ) -> Option<&'static str> {
        let Applied { commands, examples } = applied;
        let changed = desk.revision() != before.revision;
        let mut items = Vec::with_capacity(1 + commands.len());
        match before.kept {
            Some(input) => items.push(Item::Input(input)),
            // A tick that changed nothing moved only the clock: not worth a row.
            None if changed => items.push(Item::Input(Input::Tick)),
            None => {}
        }
        items.extend(commands.iter().map(|cmd| Item::Output(cmd.clone())));
        match sink {
            Some(sink) if before.operator && !commands.is_empty() => {
                self.writer.record_durably_then_send(self.id, now, items, commands, sink);
            }
            _ => {
                for item in items {
                    self.writer.record(self.id, now, item);
                }
                match sink {
                    // A command the desk made by itself (a claim answer, a sale's end on
                    // the clock) leaves only once its input is committed.
                    Some(sink) if !commands.is_empty() => self.writer.send_in_turn(commands, sink),
                    Some(_) => {}
                    // A replay has no platform to hear them.
                    None if desk.replaying() => {}
                    // Not connected yet (a restart's first inputs): they go on connecting.
                    None => self.resend.extend(commands),
                }
            }
        }
        for example in examples {
            self.writer.example(self.id, now, example);
        }
        if before.orders {
            let count = desk.catalog().order_count() as u64;
            self.writer.figures(self.id, count, desk.catalog().gmv());
        }
        // Viewers first seen now, and a buyer whose orders changed: kept for later streams.
        let viewers = &desk.viewers();
        let new = viewers.since(before.viewers_seen);
        let buyer = before.buyer.and_then(|id| viewers.get(&id)).filter(|v| new.iter().all(|n| n.id != v.id));
        for v in new.iter().chain(buyer) {
            self.writer.viewer(self.id, ViewerRow::of(desk, v));
        }
        if desk.ended() && !self.closed {
            self.closed = true;
            self.writer.close(self.id, now);
        }
        if self.writer.failed() && !self.told_failed {
            self.told_failed = true;
            return Some(
                "The journal cannot be written (see the log): a restart may not restore the latest events",
            );
        }
        None
    }

    /// The first `welcome` names the session's stream; a welcome for another stream ends
    /// that session and begins a new one. An error means the journal cannot go on.
    pub fn welcome(&mut self, stream: &StreamInfo, now: DateTime<Utc>) -> anyhow::Result<Welcomed> {
        let old = match &self.stream {
            Some(id) if *id == stream.id => return Ok(Welcomed::Same),
            Some(id) => id.clone(),
            None => {
                self.stream = Some(stream.id.clone());
                self.writer.set_stream(self.id, stream);
                return Ok(Welcomed::Named);
            }
        };
        if !self.closed {
            self.writer.close(self.id, now);
        }
        let id = self.writer.begin(&self.source, now)?;
        tracing::info!(old = %old, new = %stream.id, session = id, "a new stream on the same feed");
        self.id = id;
        self.stream = Some(stream.id.clone());
        self.closed = false;
        self.resend.clear();
        self.writer.set_stream(id, stream);
        Ok(Welcomed::Another { old })
    }

    /// Marks a new run of the desk on this session, with the ref prefix its commands carry.
    pub fn run(&self, ref_prefix: String, now: DateTime<Utc>) {
        self.writer.record(self.id, now, Item::Run { ref_prefix });
    }

    /// Commits what is left and stops; a stream that ends with the app (the demo's) is
    /// closed first.
    pub fn finish(self, now: DateTime<Utc>) {
        if self.close_on_exit && !self.closed {
            self.writer.close(self.id, now);
        }
        self.writer.finish();
    }
}

/// The desk a console that follows session `id` of `source` starts from (another console
/// journals it): a fresh one, knowing what the earlier streams taught, as a rebuild starts.
pub fn follow(reader: &dyn Reader, source: &str, id: i64, start: Start<'_>) -> anyhow::Result<Desk> {
    start.setup.reply_uses = reader.reply_uses(Some(id))?;
    start.setup.history = Arc::new(reader.viewer_history(source, Some(id))?);
    *start.memory = Memory::of(reader.examples(Some(id))?);
    Ok(start.fresh_desk())
}

/// Applies session `id`'s journal to `desk` (a fresh one), input by input at the recorded
/// times, with the ref prefix each run had.
pub fn rebuild(reader: &(impl Reader + ?Sized), id: i64, desk: &mut Desk) -> anyhow::Result<Rebuilt> {
    let mut rebuilt = Rebuilt::default();
    let mut outputs = Vec::new();
    reader.each_item(id, &mut |at, item| {
        match item {
            Item::Input(input) => {
                for output in desk.apply(input, at) {
                    if let Output::Learned(e) = output {
                        rebuilt.examples.push((at, e));
                    }
                }
                rebuilt.inputs += 1;
            }
            Item::Output(command) => outputs.push(command),
            Item::Run { ref_prefix } => desk.renew_refs(ref_prefix),
        }
        Ok(())
    })?;
    rebuilt.unanswered = outputs
        .into_iter()
        .filter(|c| c.reference().is_some_and(|r| desk.pending().contains_key(r)))
        .collect();
    Ok(rebuilt)
}

impl Reader for Store {
    fn latest_open(&self, source: &str) -> anyhow::Result<Option<OpenSession>> {
        Store::latest_open(self, source)
    }

    fn session(&self, id: i64) -> anyhow::Result<Option<OpenSession>> {
        Store::session(self, id)
    }

    fn each_item(
        &self,
        id: i64,
        visit: &mut dyn FnMut(DateTime<Utc>, Item) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        Store::each_item(self, id, visit)
    }

    fn reply_uses(&self, except: Option<i64>) -> anyhow::Result<BTreeMap<String, u64>> {
        Store::reply_uses(self, except)
    }

    fn viewer_history(&self, source: &str, except: Option<i64>) -> anyhow::Result<History> {
        Store::viewer_history(self, source, except)
    }

    fn examples(&self, except: Option<i64>) -> anyhow::Result<Vec<Example>> {
        Store::examples(self, except)
    }
}

impl Writer for Journal {
    fn begin(&self, source: &str, at: DateTime<Utc>) -> anyhow::Result<i64> {
        Journal::begin(self, source, at)
    }

    fn record(&self, session: i64, at: DateTime<Utc>, item: Item) {
        Journal::record(self, session, at, item);
    }

    fn record_durably_then_send(
        &self,
        session: i64,
        at: DateTime<Utc>,
        items: Vec<Item>,
        commands: Vec<Command>,
        sink: &CommandSink,
    ) {
        Journal::record_durably_then_send(self, session, at, items, commands, sink);
    }

    fn send_in_turn(&self, commands: Vec<Command>, sink: &CommandSink) {
        Journal::send_in_turn(self, commands, sink);
    }

    fn set_stream(&self, session: i64, stream: &StreamInfo) {
        Journal::set_stream(self, session, stream);
    }

    fn figures(&self, session: i64, orders: u64, gmv: &BTreeMap<String, Decimal>) {
        Journal::figures(self, session, orders, gmv);
    }

    fn viewer(&self, session: i64, row: ViewerRow) {
        Journal::viewer(self, session, row);
    }

    fn example(&self, session: i64, at: DateTime<Utc>, example: Example) {
        Journal::example(self, session, at, example);
    }

    fn close(&self, session: i64, at: DateTime<Utc>) {
        Journal::close(self, session, at);
    }

    fn failed(&self) -> bool {
        Journal::failed(self)
    }

    fn backlog(&self) -> Backlog {
        Journal::backlog(self)
    }

    fn finish(self: Box<Self>) {
        Journal::finish(*self);
    }
}

#[cfg(test)]
mod tests;
