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
use crate::desk::team::Hand;
use crate::desk::{Action, Desk, DeskSetup, Input, Level, LinkEvent, Output};
use crate::explain::ExplainWriter;
use crate::feed::script::{ScriptItem, ScriptWriter};
use crate::feed::ws::FeedOptions;
use crate::protocol::{Command, Event, Frame, StreamInfo};
use crate::store::Backlog;
use crate::store::journaling::{Applied, Journaling, Reader, Resume, Start, Welcomed, Writer};
use crate::ui::view::{Effect, ViewState};

pub use crate::store::journaling::ResumePoint;

pub mod team;

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
    /// The journal and its rules (no store: none).
    journal: Option<Journaling>,
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
    /// This console's operator, named on every action it applies.
    operator: Option<String>,
    /// This console's place on a team desk (several consoles on one feed and store).
    seat: Option<team::Seat>,
}

struct Recorder {
    writer: ScriptWriter,
    start: DateTime<Utc>,
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
            replay: false,
        };
        Session {
            desk: Desk::new(setup.clone()),
            commands: None,
            recorder: None,
            journal: None,
            setup,
            memory: Memory::new(),
            clock,
            last_stamp: None,
            bell: false,
            terminal: false,
            explain: None,
            operator: None,
            seat: None,
        }
    }

    /// Names this console's operator on every action it applies from now on.
    pub fn set_operator(&mut self, name: String) {
        self.operator = Some(name);
    }

    /// The operator's action from a key: applied here, named; asked of the feed holder on a
    /// team console that follows; refused on one that only watches.
    pub fn act(&mut self, action: Action) {
        if let Some(seat) = &self.seat
            && !seat.holds_feed()
        {
            let refused = seat.ask(action);
            if let Some(text) = refused {
                let now = self.now();
                self.desk.apply(Input::Link(LinkEvent::Notice { level: Level::Warn, text }), now);
            }
            return;
        }
        let input = match &self.operator {
            Some(by) => Input::Hand(Hand { by: by.clone(), action, request: None }),
            None => Input::Operator(action),
        };
        self.apply((input, None));
    }

    /// A session replaying a recording: no platform hears its commands, so none waits for
    /// an ack, with a store or without.
    pub fn replay(config: &Config, source: String, clock: Clock) -> Self {
        let mut session = Session::new(config, source, false, clock);
        session.setup.replay = true;
        session.desk = session.fresh_desk();
        session
    }

    /// How far behind the journal writer is (no store: never).
    fn journal_backlog(&self) -> Option<Backlog> {
        self.journal.as_ref().map(Journaling::backlog)
    }

    /// Sends commands to this channel (a feed client); commands left unanswered before
    /// a restart go first.
    pub fn connect_commands(&mut self, tx: mpsc::UnboundedSender<Command>) {
        if let Some(journal) = &mut self.journal {
            for cmd in journal.take_resend() {
                let _ = tx.send(cmd);
            }
        }
        self.commands = Some(tx);
    }

    /// Journals this session in the store, rebuilding first the stored session `resume`
    /// picks (the feed resumes where it stopped); otherwise a new session begins.
    pub fn attach_store(
        &mut self,
        store: &dyn Reader,
        journal: impl Writer + 'static,
        source: &str,
        resume: Resume,
    ) -> anyhow::Result<ResumePoint> {
        let now = self.now();
        let start = Start { setup: &mut self.setup, memory: &mut self.memory };
        let attached = Journaling::attach(store, Box::new(journal), source, resume, start, now)?;
        self.desk = attached.desk;
        self.journal = Some(attached.journaling);
        if let Some(text) = attached.restored {
            self.apply_at(Input::Link(LinkEvent::Notice { level: Level::Info, text }), now);
        }
        Ok(attached.resume)
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
        if self.following() {
            // The journal brings every input that counts; the clock here only moves the
            // countdowns on screen.
            if matches!(input, Input::Tick) {
                let now = self.now();
                self.desk.watch_clock(now);
            }
            return;
        }
        if at.is_some() {
            self.last_stamp = at;
        }
        let now = at.unwrap_or_else(|| self.now());
        if let Some(rec) = &mut self.recorder {
            let at_ms = (now - rec.start).num_milliseconds().max(0) as u64;
            let written = match &input {
                Input::Feed(f) if !f.event.is_connection_level() => rec.writer.write_event(at_ms, &f.event),
                _ => match input.action() {
                    Some(a) => rec.writer.write_action(at_ms, a),
                    None => Ok(()),
                },
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

    /// Applies, journals and sends: the journal's rules say what is kept and when a
    /// command may leave (once the input that made it is durable); with no store, commands
    /// go at once. Commands keep their order.
    fn apply_at(&mut self, input: Input, now: DateTime<Utc>) {
        let before = self.journal.as_ref().map(|j| j.before(&self.desk, &input));
        let outputs = self.desk.apply(input, now);
        let Some((journal, before)) = self.journal.as_mut().zip(before) else {
            self.send(outputs);
            return;
        };
        let mut applied = Applied { commands: Vec::with_capacity(outputs.len()), examples: Vec::new() };
        let mut bell = false;
        let mut copied = None;
        for output in outputs {
            match output {
                Output::Send(cmd) => applied.commands.push(cmd),
                Output::Bell => bell = true,
                Output::Clipboard(text) => copied = Some(text),
                Output::Learned(example) => applied.examples.push(example),
            }
        }
        if let Some(text) = journal.applied(before, &self.desk, applied, now, self.commands.as_ref()) {
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

    /// Sends the desk's commands to the feed (no store). With no feed (a replay) they go
    /// nowhere, and the replay's desk waits for no ack.
    fn send(&mut self, outputs: Vec<Output>) {
        for output in outputs {
            match output {
                Output::Send(cmd) => {
                    if let Some(tx) = &self.commands
                        && tx.send(cmd).is_err()
                    {
                        tracing::warn!("feed is gone; command not sent");
                    }
                }
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
        let Some(journal) = &mut self.journal else { return };
        let old = match journal.welcome(stream, now) {
            Ok(Welcomed::Same | Welcomed::Named) => return,
            Ok(Welcomed::Another { old }) => old,
            Err(e) => {
                tracing::error!("cannot begin a session for stream {}: {e:#}; journaling stops", stream.id);
                self.journal = None;
                return;
            }
        };
        self.on_new_session();
        self.setup.ref_prefix = new_ref_prefix();
        // The stream that ended is an earlier one now: the new one knows its viewers.
        Start { setup: &mut self.setup, memory: &mut self.memory }.after_stream(&self.desk);
        self.desk = self.fresh_desk();
        if let Some(journal) = &self.journal {
            journal.run(self.setup.ref_prefix.clone(), now);
        }
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
        if let Some(journal) = self.journal.take() {
            journal.finish(self.now());
        }
        // After the journal: the next holder finds every row this one wrote.
        self.leave_team();
    }
}

/// Starts the WebSocket feed client; its inputs go to `tx`. Returns its tasks, for a team
/// console that stops holding the feed to end them.
pub fn spawn_socket_feed(
    opts: FeedOptions,
    tx: mpsc::Sender<Stamped>,
    session: &mut Session,
) -> Vec<tokio::task::AbortHandle> {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    session.connect_commands(cmd_tx);
    let (in_tx, mut in_rx) = mpsc::channel::<Input>(BATCH * 4);
    let client = tokio::spawn(crate::feed::ws::run(opts, in_tx, cmd_rx));
    let relay = tokio::spawn(async move {
        while let Some(input) = in_rx.recv().await {
            if tx.send((input, None)).await.is_err() {
                break;
            }
        }
    });
    vec![client.abort_handle(), relay.abort_handle()]
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
    let mut news = session.take_news();
    loop {
        // A console that takes the feed over starts journaling: its backlog is new.
        let backlog = session.journal_backlog();
        let behind = journal_behind(&backlog);
        tokio::select! {
            biased;
            Some(n) = next_news(&mut news) => {
                on_news(session, n, &mut news);
                if session.desk.ended() && !until_closed {
                    return Finish::Normal;
                }
            }
            () = caught_up(&backlog), if behind => {}
            input = rx.recv(), if !behind => match input {
                Some(input) => {
                    session.apply(input);
                    if session.desk.ended() && !until_closed {
                        return Finish::Normal;
                    }
                }
                None => {
                    return match &session.desk.link() {
                        crate::desk::Link::Failed(reason) if !session.desk.ended() => Finish::Failed(reason.clone()),
                        _ => Finish::Normal,
                    };
                }
            },
            _ = tick.tick() => session.apply((Input::Tick, None)),
        }
    }
}

/// Runs the desk in the terminal until the operator quits; `host` draws the host's screen.
pub async fn run_tui(
    session: &mut Session,
    mut rx: mpsc::Receiver<Stamped>,
    config: &Config,
    host: bool,
) -> anyhow::Result<()> {
    crate::ui::set_utc_offset(chrono::Local::now().offset().local_minus_utc());
    let mut terminal = TerminalGuard::enter()?;
    // Only on the terminal: a headless run's stdout carries the summary.
    session.bell = config.settings.bell;
    session.terminal = true;
    let mut view = ViewState { host, ..ViewState::new() };
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
    let mut news = session.take_news();
    loop {
        // A console that takes the feed over starts journaling: its backlog is new.
        let backlog = session.journal_backlog();
        let behind = journal_behind(&backlog);
        tokio::select! {
            Some(n) = next_news(&mut news) => {
                on_news(session, n, &mut news);
                dirty = true;
            }
            _ = frame.tick() => {
                if dirty {
                    view.team = session.team_line();
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
                    Effect::Desk(action) => session.act(action),
                    Effect::None => {}
                }
                session.set_place(&view.focus.title().to_lowercase());
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

/// The team's next news (never, off a team).
async fn next_news(news: &mut Option<mpsc::UnboundedReceiver<team::News>>) -> Option<team::News> {
    match news {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Applies the team's news, and what else came with it, before the screen draws.
fn on_news(session: &mut Session, first: team::News, news: &mut Option<mpsc::UnboundedReceiver<team::News>>) {
    session.on_team(first);
    if let Some(rx) = news {
        for _ in 1..BATCH {
            match rx.try_recv() {
                Ok(n) => session.on_team(n),
                Err(_) => break,
            }
        }
    }
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
        Ok(r) if r.replies == session.desk.replies().all() => return,
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
