//! Wiring: the feed task, the desk, the terminal and the frame pacing.
//!
//! Inputs from the feed arrive on a channel, are applied in batches, and mark the
//! screen dirty; frames are drawn on a timer (at most `fps` a second), each in a
//! synchronized update. Keys are applied at once and show on the next frame. While the
//! journal writer is behind, feed input waits in its channel (and the socket behind it):
//! keys and ticks go on, so memory stays bounded and the screen keeps moving.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use crossterm::event::{Event as TermEvent, EventStream, KeyCode, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval};

use crate::config::Config;
use crate::config::load::load_replies;
use crate::config::watch::Watched;
use crate::desk::learned::Memory;
use crate::desk::{Action, Desk, DeskSetup, Input, Level, LinkEvent, Output};
use crate::explain::ExplainWriter;
use crate::feed::script::{ScriptItem, ScriptWriter};
use crate::feed::ws::FeedOptions;
use crate::protocol::{Command, Event, Frame, StreamInfo};
use crate::store::{Backlog, Item, Journal, Store, ViewerRow};
use crate::ui::view::{Effect, ViewState};

/// An input with the time it happened at, when the source knows better than the wall
/// clock (a replay plays script time).
pub type Stamped = (Input, Option<DateTime<Utc>>);

/// How often the desk hears the clock (sale countdowns, reconnect timers).
const TICK: Duration = Duration::from_millis(250);
/// Most inputs applied before the screen gets a chance to draw.
const BATCH: usize = 4096;

/// The time the desk runs on: the wall clock, or a replay's script time.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    origin_wall: Instant,
    origin: DateTime<Utc>,
    speed: f64,
}

impl Clock {
    /// The wall clock.
    pub fn wall() -> Self {
        Clock { origin_wall: Instant::now(), origin: Utc::now(), speed: 1.0 }
    }

    /// Script time starting now, running `speed` times faster than the wall clock.
    pub fn scaled(speed: f64) -> Self {
        Clock { speed, ..Clock::wall() }
    }

    /// The time now.
    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = self.origin_wall.elapsed().as_secs_f64() * self.speed;
        self.origin + chrono::Duration::microseconds((elapsed * 1e6) as i64)
    }

    /// The time `at_ms` into the run.
    pub fn at(&self, at_ms: u64) -> DateTime<Utc> {
        self.origin + chrono::Duration::milliseconds(at_ms as i64)
    }
}

/// A running session: the desk, where its commands go, the recording and the journal.
pub struct Session {
    pub desk: Desk,
    commands: Option<mpsc::UnboundedSender<Command>>,
    recorder: Option<Recorder>,
    store: Option<Stored>,
    /// How a fresh desk starts (a new stream on the same feed gets one).
    setup: DeskSetup,
    /// What the shop taught earlier streams: every fresh desk starts knowing it.
    memory: Memory,
    clock: Clock,
    /// Script time of the last stamped input (replays at full speed run on it).
    last_stamp: Option<DateTime<Utc>>,
    /// Ring the terminal bell when the desk asks (on a terminal, with `bell = true`).
    bell: bool,
    /// Whether a terminal shows this session (the clipboard goes through it).
    terminal: bool,
    /// Where each comment, as the desk saw it, is written (`--explain`).
    explain: Option<ExplainWriter>,
}

struct Recorder {
    writer: ScriptWriter,
    start: DateTime<Utc>,
}

/// The session's place in the store.
struct Stored {
    journal: Journal,
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

/// Where the feed picks up after a restart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResumePoint {
    /// The last seq the rebuilt desk applied.
    pub after: Option<u64>,
    /// The stream that seq belongs to.
    pub stream: Option<String>,
}

/// A ref prefix no other run uses, so command refs never repeat across restarts.
fn new_ref_prefix() -> String {
    format!("ld{:x}", fastrand::u32(..))
}

impl Session {
    /// A session for the configured shop.
    pub fn new(config: &Config, source: String, demo: bool, clock: Clock) -> Self {
        let setup = DeskSetup {
            shop: config.shop.clone(),
            scrollback: config.settings.scrollback,
            ref_prefix: new_ref_prefix(),
            source,
            demo,
            reply_uses: BTreeMap::new(),
            history: Default::default(),
        };
        Session {
            desk: Desk::new(setup.clone()),
            commands: None,
            recorder: None,
            store: None,
            setup,
            memory: Memory::new(),
            clock,
            last_stamp: None,
            bell: false,
            terminal: false,
            explain: None,
        }
    }

    /// How far behind the journal writer is (no store: never).
    fn journal_backlog(&self) -> Option<Backlog> {
        self.store.as_ref().map(|s| s.journal.backlog())
    }

    /// Sends commands to this channel (a feed client); commands left unanswered before
    /// a restart go first.
    pub fn connect_commands(&mut self, tx: mpsc::UnboundedSender<Command>) {
        if let Some(stored) = &mut self.store {
            for cmd in stored.resend.drain(..) {
                let _ = tx.send(cmd);
            }
        }
        self.commands = Some(tx);
    }

    /// Journals this session in the store. With `resume`, the newest unfinished session
    /// from `source` is rebuilt first and the feed resumes where it stopped; otherwise
    /// (or when there is none) a new session begins.
    pub fn attach_store(
        &mut self,
        store: &Store,
        journal: Journal,
        source: &str,
        resume: bool,
    ) -> anyhow::Result<ResumePoint> {
        let now = self.now();
        let mut stored = Stored {
            journal,
            source: source.to_owned(),
            id: 0,
            stream: None,
            closed: false,
            close_on_exit: !resume,
            resend: Vec::new(),
            told_failed: false,
        };
        let open = if resume { store.latest_open(source)? } else { None };
        // Replies used in earlier streams rise in the picker; a rebuilt session counts its own.
        self.setup.reply_uses = store.reply_uses(open.as_ref().map(|o| o.id))?;
        // What earlier streams knew of the viewers; a session being rebuilt brings its own.
        self.setup.history = Arc::new(store.viewer_history(source, open.as_ref().map(|o| o.id))?);
        // The shop's answers and fixes; a session being rebuilt teaches its own as it replays.
        self.memory = Memory::of(store.examples(open.as_ref().map(|o| o.id))?);
        self.desk = self.fresh_desk();
        if let Some(open) = open {
            let mut desk = self.fresh_desk();
            let rebuilt = store.rebuild(open.id, &mut desk)?;
            // Examples a crash kept from the disk are written again (the rest stay once).
            for (at, example) in rebuilt.examples {
                stored.journal.example(open.id, at, example);
            }
            if !desk.ended() {
                tracing::info!(session = open.id, inputs = rebuilt.inputs, last_seq = ?open.last_seq, "rebuilt from the journal");
                desk.renew_refs(self.setup.ref_prefix.clone());
                self.desk = desk;
                stored.id = open.id;
                stored.stream = open.stream_id.clone();
                stored.resend = rebuilt.unanswered;
                stored.journal.record(open.id, now, Item::Run { ref_prefix: self.setup.ref_prefix.clone() });
                // Rows a crash kept from the disk are written again from the rebuilt desk.
                for v in self.desk.viewers.since(0) {
                    stored.journal.viewer(open.id, ViewerRow::of(&self.desk, v));
                }
                self.store = Some(stored);
                let stream = open.stream_id.as_deref().unwrap_or("the stream");
                let text = match open.last_seq {
                    Some(seq) => format!(
                        "Restored {stream} from the journal ({} inputs); resuming after event {seq}",
                        rebuilt.inputs
                    ),
                    None => format!("Restored {stream} from the journal ({} inputs)", rebuilt.inputs),
                };
                self.apply_at(Input::Link(LinkEvent::Notice { level: Level::Info, text }), now);
                return Ok(ResumePoint { after: open.last_seq, stream: open.stream_id });
            }
            // It ended just before a crash, before the journal heard: it stays ended, and it
            // is one of the earlier streams now.
            for v in desk.viewers.since(0) {
                stored.journal.viewer(open.id, ViewerRow::of(&desk, v));
            }
            stored.journal.close(open.id, desk.now);
            self.setup.history = Arc::new(self.setup.history.with_stream(&desk.viewers, &desk.catalog));
            self.memory = desk.learned;
            self.desk = self.fresh_desk();
        }
        stored.id = stored.journal.begin(source, now)?;
        stored.journal.record(stored.id, now, Item::Run { ref_prefix: self.setup.ref_prefix.clone() });
        self.store = Some(stored);
        Ok(ResumePoint::default())
    }

    /// A desk for a new stream (or one to rebuild), knowing what earlier streams taught.
    fn fresh_desk(&self) -> Desk {
        Desk::new(self.setup.clone()).with_memory(self.memory.clone())
    }

    /// Records events and operator actions to a script file.
    pub fn record_to(&mut self, path: &Path) -> anyhow::Result<()> {
        let writer = ScriptWriter::new(path)
            .with_context(|| format!("cannot write the recording {}", path.display()))?;
        self.recorder = Some(Recorder { writer, start: self.clock.now() });
        Ok(())
    }

    /// Writes each comment as the desk saw it to `path` (`--explain`).
    pub fn explain_to(&mut self, path: &Path) -> anyhow::Result<()> {
        self.explain = Some(ExplainWriter::create(path)?);
        Ok(())
    }

    /// Closes the explain file, if there is one: every line written and flushed.
    pub fn finish_explain(&mut self) -> anyhow::Result<Option<u64>> {
        match self.explain.take() {
            Some(mut w) => w.finish().map(Some),
            None => Ok(None),
        }
    }

    /// The desk's time now.
    pub fn now(&self) -> DateTime<Utc> {
        match self.last_stamp {
            Some(t) => t.max(self.clock.now()),
            None => self.clock.now(),
        }
    }

    /// Applies one input and sends what the desk asks for.
    pub fn apply(&mut self, (input, at): Stamped) {
        if at.is_some() {
            self.last_stamp = at;
        }
        let now = at.unwrap_or_else(|| self.now());
        if let Some(rec) = &mut self.recorder {
            let at_ms = (now - rec.start).num_milliseconds().max(0) as u64;
            let written = match &input {
                Input::Feed(f) if !f.event.is_connection_level() => rec.writer.write_event(at_ms, &f.event),
                Input::Operator(a) => rec.writer.write_action(at_ms, a),
                _ => Ok(()),
            };
            if let Err(e) = written {
                tracing::error!("recording stopped: {e}");
                self.recorder = None;
            }
        }
        if matches!(input, Input::Tick)
            && let Some(rec) = &mut self.recorder
            && let Err(e) = rec.writer.flush_if_due()
        {
            tracing::error!("recording flush failed: {e}");
        }
        if let Input::Feed(Frame { event: Event::Welcome { stream, .. }, .. }) = &input {
            self.on_welcome(stream, now);
        }
        let comment = match (&self.explain, &input) {
            (
                Some(_),
                Input::Feed(Frame {
                    event: Event::Chat { msg_id, .. } | Event::Question { msg_id, .. }, ..
                }),
            ) => Some(msg_id.clone()),
            _ => None,
        };
        self.apply_at(input, now);
        // Read from the desk as the comment left it: what the operator would have seen.
        if let (Some(writer), Some(id)) = (&self.explain, comment)
            && let Some(line) = self.desk.explain(&id)
            && !writer.send(line)
        {
            tracing::error!("the explain file stopped: its writer failed");
            self.explain = None;
        }
    }

    /// Applies, journals and sends: every input is journaled (a tick only when it changed
    /// something), and a command leaves only once the input that made it is committed (the
    /// journal writer sends it): synced to disk for an operator action, committed for the
    /// rest. Commands keep their order.
    fn apply_at(&mut self, input: Input, now: DateTime<Utc>) {
        let Some(stored) = &mut self.store else {
            let outputs = self.desk.apply(input, now);
            self.send(outputs);
            return;
        };
        let before = self.desk.revision();
        let operator = matches!(input, Input::Operator(_));
        let orders = matches!(&input, Input::Feed(f) if matches!(f.event, Event::Order { .. } | Event::OrderUpdate { .. }))
            || matches!(input, Input::Operator(Action::ConfirmClaim { .. }));
        let kept = (!matches!(input, Input::Tick)).then(|| input.clone());
        let seen = self.desk.viewers.len();
        let buyer = if orders { self.desk.buyer_of(&input) } else { None };
        let outputs = self.desk.apply(input, now);
        let changed = self.desk.revision() != before;
        let mut commands = Vec::with_capacity(outputs.len());
        let mut bell = false;
        let mut copied = None;
        let mut examples = Vec::new();
        for output in outputs {
            match output {
                Output::Send(cmd) => commands.push(cmd),
                Output::Bell => bell = true,
                Output::Clipboard(text) => copied = Some(text),
                Output::Learned(example) => examples.push(example),
            }
        }
        let mut items = Vec::with_capacity(1 + commands.len());
        match kept {
            Some(input) => items.push(Item::Input(input)),
            // A tick that changed nothing moved only the clock: not worth a row.
            None if changed => items.push(Item::Input(Input::Tick)),
            None => {}
        }
        items.extend(commands.iter().map(|cmd| Item::Output(cmd.clone())));
        let sink = self.commands.as_ref();
        match sink {
            Some(sink) if operator && !commands.is_empty() => {
                stored.journal.record_durably_then_send(stored.id, now, items, commands, sink);
            }
            _ => {
                for item in items {
                    stored.journal.record(stored.id, now, item);
                }
                match sink {
                    // A command the desk made by itself (a claim answer, a sale's end on
                    // the clock) leaves only once its input is committed: were it sent first
                    // and the desk killed before the commit, the restarted desk would make
                    // it again from the replayed input and the buyer would hear it twice.
                    Some(sink) if !commands.is_empty() => stored.journal.send_in_turn(commands, sink),
                    Some(_) => {}
                    // Not connected yet (a restart's first inputs): they go on connecting.
                    None => stored.resend.extend(commands),
                }
            }
        }
        for example in examples {
            stored.journal.example(stored.id, now, example);
        }
        if orders {
            let count = self.desk.catalog.order_count() as u64;
            stored.journal.figures(stored.id, count, self.desk.catalog.gmv());
        }
        // Viewers first seen now, and a buyer whose orders changed: kept for later streams.
        let viewers = &self.desk.viewers;
        let buyer = buyer
            .and_then(|id| viewers.get(&id))
            .filter(|v| viewers.since(seen).iter().all(|n| n.id != v.id));
        for v in viewers.since(seen).iter().chain(buyer) {
            stored.journal.viewer(stored.id, ViewerRow::of(&self.desk, v));
        }
        if self.desk.ended() && !stored.closed {
            stored.closed = true;
            stored.journal.close(stored.id, now);
        }
        if stored.journal.failed() && !stored.told_failed {
            stored.told_failed = true;
            let text =
                "The journal cannot be written (see the log): a restart may not restore the latest events";
            // Not journaled (the journal is what failed).
            self.desk.apply(Input::Link(LinkEvent::Notice { level: Level::Error, text: text.into() }), now);
        }
        if bell {
            self.ring();
        }
        if let Some(text) = copied {
            self.copy(&text);
        }
    }

    /// Sends the desk's commands to the feed (no store).
    fn send(&mut self, outputs: Vec<Output>) {
        for output in outputs {
            match output {
                Output::Send(cmd) => match &self.commands {
                    Some(tx) => {
                        if tx.send(cmd).is_err() {
                            tracing::warn!("feed is gone; command not sent");
                        }
                    }
                    // A replay has no platform to answer: nothing is left waiting for an ack.
                    None => {
                        if let Some(r) = cmd.reference() {
                            self.desk.forget_pending(r);
                        }
                    }
                },
                Output::Bell => self.ring(),
                Output::Clipboard(text) => self.copy(&text),
                // The desk learned it already; with no store it is forgotten at the end.
                Output::Learned(_) => {}
            }
        }
    }

    /// Puts text on the operator's clipboard with OSC 52 (the terminal does it, so it works
    /// over SSH too); nothing without a terminal.
    fn copy(&self, text: &str) {
        if self.terminal {
            use base64::Engine;
            let encoded = base64::engine::general_purpose::STANDARD.encode(text);
            let mut out = io::stdout();
            let _ = write!(out, "\x1b]52;c;{encoded}\x07").and_then(|()| out.flush());
        }
    }

    /// Rings the terminal bell, when this session may.
    fn ring(&self) {
        if self.bell {
            let mut out = io::stdout();
            let _ = out.write_all(b"\x07").and_then(|()| out.flush());
        }
    }

    /// The first `welcome` names the stored session's stream; a welcome for another
    /// stream ends that session and starts a new one on a fresh desk.
    fn on_welcome(&mut self, stream: &StreamInfo, now: DateTime<Utc>) {
        let Some(stored) = &mut self.store else { return };
        let old = match &stored.stream {
            Some(id) if *id == stream.id => return,
            Some(id) => id.clone(),
            None => {
                stored.stream = Some(stream.id.clone());
                stored.journal.set_stream(stored.id, stream);
                return;
            }
        };
        if !stored.closed {
            stored.journal.close(stored.id, now);
        }
        let id = match stored.journal.begin(&stored.source, now) {
            Ok(id) => id,
            Err(e) => {
                tracing::error!("cannot begin a session for stream {}: {e:#}; journaling stops", stream.id);
                self.store = None;
                return;
            }
        };
        tracing::info!(old = %old, new = %stream.id, session = id, "a new stream on the same feed");
        self.setup.ref_prefix = new_ref_prefix();
        // The stream that ended is an earlier one now: the new one knows its viewers.
        self.setup.history = Arc::new(self.setup.history.with_stream(&self.desk.viewers, &self.desk.catalog));
        self.memory = self.desk.learned.clone();
        self.desk = Desk::new(self.setup.clone()).with_memory(self.memory.clone());
        stored.id = id;
        stored.stream = Some(stream.id.clone());
        stored.closed = false;
        stored.resend.clear();
        stored.journal.set_stream(id, stream);
        stored.journal.record(id, now, Item::Run { ref_prefix: self.setup.ref_prefix.clone() });
        let text = format!("A new stream, {}: {old} is kept in the journal as ended", stream.id);
        self.apply_at(Input::Link(LinkEvent::Notice { level: Level::Warn, text }), now);
    }

    /// Flushes the recording and the journal (on exit); the explain file is closed by
    /// [`Session::finish_explain`], which says whether it was written whole.
    pub fn finish(&mut self) {
        if let Some(rec) = &mut self.recorder
            && let Err(e) = rec.writer.flush()
        {
            tracing::error!("recording flush failed: {e}");
        }
        if let Some(stored) = self.store.take() {
            if stored.close_on_exit && !stored.closed {
                stored.journal.close(stored.id, self.now());
            }
            stored.journal.finish();
        }
    }
}

/// Starts the WebSocket feed client; its inputs go to `tx`.
pub fn spawn_socket_feed(opts: FeedOptions, tx: mpsc::Sender<Stamped>, session: &mut Session) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    session.connect_commands(cmd_tx);
    let (in_tx, mut in_rx) = mpsc::channel::<Input>(BATCH * 4);
    tokio::spawn(crate::feed::ws::run(opts, in_tx, cmd_rx));
    tokio::spawn(async move {
        while let Some(input) = in_rx.recv().await {
            if tx.send((input, None)).await.is_err() {
                break;
            }
        }
    });
}

/// Plays a script's lines into `tx` on `clock` (`None` speed: as fast as possible).
/// `operators_only` plays just the operator's hands (the demo's cues, while the
/// events come from the local server). `period_ms` loops the script.
pub fn spawn_script(
    lines: Vec<crate::feed::script::ScriptLine>,
    clock: Clock,
    max_speed: bool,
    operators_only: bool,
    period_ms: Option<u64>,
    tx: mpsc::Sender<Stamped>,
) {
    tokio::spawn(async move {
        let mut round = 0u64;
        let mut seq = 0u64;
        let whole_feed = !operators_only;
        if whole_feed && tx.send((Input::Link(LinkEvent::Connected), None)).await.is_err() {
            return;
        }
        loop {
            let offset = period_ms.map_or(0, |p| p * round);
            for line in &lines {
                let at_ms = offset + line.at_ms;
                let input = match &line.item {
                    ScriptItem::Operator(a) => Input::Operator(a.clone()),
                    ScriptItem::Event(_) if operators_only => continue,
                    ScriptItem::Event(e) => {
                        seq += 1;
                        let ts = clock.at(at_ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                        Input::Feed(crate::protocol::Frame { v: 1, seq, ts, event: e.clone() })
                    }
                };
                let stamp = if max_speed {
                    Some(clock.at(at_ms))
                } else {
                    let wait = clock.at(at_ms) - clock.now();
                    if let Ok(wait) = wait.to_std() {
                        tokio::time::sleep(wait).await;
                    }
                    None
                };
                if tx.send((input, stamp)).await.is_err() {
                    return;
                }
            }
            if period_ms.is_none() {
                if whole_feed {
                    // A replay's file ending is its stream ending.
                    let _ = tx.send((Input::Link(LinkEvent::StreamEnded), None)).await;
                }
                return;
            }
            round += 1;
        }
    });
}

/// How a run ends.
pub enum Finish {
    /// The operator quit, or the stream/file ended.
    Normal,
    /// The feed gave up (the reason is for the operator).
    Failed(String),
}

/// Runs with no terminal until the stream ends or the inputs stop.
pub async fn run_headless(
    session: &mut Session,
    mut rx: mpsc::Receiver<Stamped>,
    until_closed: bool,
) -> Finish {
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let backlog = session.journal_backlog();
    loop {
        let behind = journal_behind(&backlog);
        tokio::select! {
            biased;
            () = caught_up(&backlog), if behind => {}
            input = rx.recv(), if !behind => match input {
                Some(input) => {
                    session.apply(input);
                    if session.desk.ended() && !until_closed {
                        return Finish::Normal;
                    }
                }
                None => {
                    return match &session.desk.link {
                        crate::desk::Link::Failed(reason) if !session.desk.ended() => Finish::Failed(reason.clone()),
                        _ => Finish::Normal,
                    };
                }
            },
            _ = tick.tick() => session.apply((Input::Tick, None)),
        }
    }
}

/// Runs the desk in the terminal until the operator quits.
pub async fn run_tui(
    session: &mut Session,
    mut rx: mpsc::Receiver<Stamped>,
    config: &Config,
) -> anyhow::Result<()> {
    crate::ui::set_utc_offset(chrono::Local::now().offset().local_minus_utc());
    let mut terminal = TerminalGuard::enter()?;
    // Only on the terminal: a headless run's stdout carries the summary.
    session.bell = config.settings.bell;
    session.terminal = true;
    let mut view = ViewState::new();
    let theme = crate::ui::theme::Theme::from_spec(&config.theme);
    let mut keys = EventStream::new();
    let frame_every = Duration::from_secs_f64(1.0 / f64::from(config.settings.fps.clamp(1, 120)));
    let mut frame = interval(frame_every);
    frame.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut term_signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut dirty = true;
    let mut feed_open = true;
    let mut shown_second = 0i64;
    let mut first_frame_logged = false;
    let mut replies_file = Watched::new(config.paths.config_file("replies.toml"));
    let backlog = session.journal_backlog();
    loop {
        let behind = journal_behind(&backlog);
        tokio::select! {
            _ = frame.tick() => {
                if dirty {
                    terminal.draw(|f| crate::ui::draw(f, &session.desk, &mut view, &theme, &config.keymap))?;
                    dirty = false;
                    if !first_frame_logged {
                        first_frame_logged = true;
                        tracing::info!(ms = crate::started().elapsed().as_millis() as u64, "first frame drawn");
                    }
                }
            }
            ev = keys.next() => {
                let Some(ev) = ev else { break };
                let ev = ev.context("reading the terminal")?;
                let effect = match &ev {
                    TermEvent::Key(k) if k.kind == KeyEventKind::Release => Effect::None,
                    TermEvent::Key(k) if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) => Effect::Quit,
                    TermEvent::Key(k) => view.on_key(k, &config.keymap, &session.desk),
                    TermEvent::Mouse(m) => view.on_mouse(m, &session.desk),
                    _ => Effect::None,
                };
                match effect {
                    Effect::Quit => break,
                    Effect::Desk(action) => session.apply((Input::Operator(action), None)),
                    Effect::None => {}
                }
                dirty = true;
            }
            () = caught_up(&backlog), if feed_open && behind => {}
            input = rx.recv(), if feed_open && !behind => {
                match input {
                    Some(input) => {
                        session.apply(input);
                        for _ in 1..BATCH {
                            if journal_behind(&backlog) {
                                break;
                            }
                            match rx.try_recv() {
                                Ok(input) => session.apply(input),
                                Err(_) => break,
                            }
                        }
                    }
                    None => feed_open = false,
                }
                dirty = true;
            }
            _ = tick.tick() => {
                session.apply((Input::Tick, None));
                let second = session.now().timestamp();
                if second != shown_second {
                    shown_second = second;
                    dirty = true;
                    if replies_file.changed() {
                        reload_replies(session, config);
                    }
                }
            }
            _ = term_signal.recv() => break,
        }
    }
    drop(terminal);
    Ok(())
}

/// Whether feed input should wait for the journal writer to catch up.
fn journal_behind(backlog: &Option<Backlog>) -> bool {
    backlog.as_ref().is_some_and(Backlog::behind)
}

async fn caught_up(backlog: &Option<Backlog>) {
    if let Some(backlog) = backlog {
        backlog.caught_up().await;
    }
}

/// `replies.toml` changed on disk: the desk takes the new replies, or, when the edit is
/// broken, keeps the ones it has and says where the mistake is.
fn reload_replies(session: &mut Session, config: &Config) {
    let input = match load_replies(&config.paths, &config.keymap, &config.shop.catalog) {
        Ok(r) if r.replies == session.desk.replies.all() => return,
        Ok(r) => Input::Replies(r.replies),
        Err(errors) => {
            let all = errors.errors();
            let more = match all.len() {
                0 | 1 => String::new(),
                n => format!(" (and {} more: livedesk config check)", n - 1),
            };
            let text = match all.first() {
                Some(e) => {
                    let file = e
                        .file
                        .file_name()
                        .map_or_else(|| e.file.display().to_string(), |f| f.to_string_lossy().into_owned());
                    format!("{file}:{}:{}: {}; kept the replies you had{more}", e.line, e.col, e.message)
                }
                None => "replies.toml could not be read; kept the replies you had".to_owned(),
            };
            Input::Link(LinkEvent::Notice { level: Level::Error, text })
        }
    };
    session.apply((input, None));
}

/// Owns the terminal while the desk runs and always gives it back: on drop, on error
/// and on panic.
struct TerminalGuard {
    terminal: ratatui::DefaultTerminal,
}

impl TerminalGuard {
    fn enter() -> anyhow::Result<Self> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
        let guard = TerminalGuard { terminal: ratatui::try_init().context("cannot open the terminal")? };
        // The guard exists before anything else can fail, so a failure still restores.
        crossterm::execute!(io::stdout(), crossterm::event::EnableMouseCapture)?;
        Ok(guard)
    }

    fn draw(&mut self, f: impl FnOnce(&mut ratatui::Frame)) -> anyhow::Result<()> {
        crossterm::queue!(io::stdout(), crossterm::terminal::BeginSynchronizedUpdate)?;
        self.terminal.draw(f)?;
        crossterm::execute!(io::stdout(), crossterm::terminal::EndSynchronizedUpdate)?;
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn restore_terminal() {
    let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableMouseCapture);
    ratatui::restore();
    let _ = io::stdout().flush();
}
