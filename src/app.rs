//! Wiring: the feed task, the desk, the terminal and the frame pacing.
//!
//! Inputs from the feed arrive on a channel, are applied in batches, and mark the
//! screen dirty; frames are drawn on a timer (at most `fps` a second), each in a
//! synchronized update. Keys are applied at once and show on the next frame.

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
use crate::desk::{Desk, DeskSetup, Input, LinkEvent, Output};
use crate::feed::script::{ScriptItem, ScriptWriter};
use crate::feed::ws::FeedOptions;
use crate::protocol::Command;
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

/// A running session: the desk, where its commands go, and the recording.
pub struct Session {
    pub desk: Desk,
    commands: Option<mpsc::UnboundedSender<Command>>,
    recorder: Option<Recorder>,
    clock: Clock,
    /// Script time of the last stamped input (replays at full speed run on it).
    last_stamp: Option<DateTime<Utc>>,
}

struct Recorder {
    writer: ScriptWriter,
    start: DateTime<Utc>,
}

impl Session {
    /// A session for the configured shop.
    pub fn new(config: &Config, source: String, demo: bool, clock: Clock) -> Self {
        let desk = Desk::new(DeskSetup {
            shop: config.shop.clone(),
            scrollback: config.settings.scrollback,
            ref_prefix: format!("ld{:x}", fastrand::u32(..)),
            source,
            demo,
        });
        Session { desk, commands: None, recorder: None, clock, last_stamp: None }
    }

    /// Sends commands to this channel (a feed client).
    pub fn connect_commands(&mut self, tx: mpsc::UnboundedSender<Command>) {
        self.commands = Some(tx);
    }

    /// Records events and operator actions to a script file.
    pub fn record_to(&mut self, path: &Path) -> anyhow::Result<()> {
        let writer = ScriptWriter::new(path)
            .with_context(|| format!("cannot write the recording {}", path.display()))?;
        self.recorder = Some(Recorder { writer, start: self.clock.now() });
        Ok(())
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
        for output in self.desk.apply(input, now) {
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
                            self.desk.pending.remove(r);
                        }
                    }
                },
            }
        }
    }

    /// Flushes the recording (on exit).
    pub fn finish(&mut self) {
        if let Some(rec) = &mut self.recorder
            && let Err(e) = rec.writer.flush()
        {
            tracing::error!("recording flush failed: {e}");
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
    loop {
        tokio::select! {
            biased;
            input = rx.recv() => match input {
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
    let mut terminal = TerminalGuard::enter()?;
    let mut view = ViewState::new();
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
    loop {
        tokio::select! {
            _ = frame.tick() => {
                if dirty {
                    terminal.draw(|f| crate::ui::draw(f, &session.desk, &mut view, &config.theme, &config.keymap))?;
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
            input = rx.recv(), if feed_open => {
                match input {
                    Some(input) => {
                        session.apply(input);
                        for _ in 1..BATCH {
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
                }
            }
            _ = term_signal.recv() => break,
        }
    }
    drop(terminal);
    Ok(())
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
        let terminal = ratatui::try_init().context("cannot open the terminal")?;
        crossterm::execute!(io::stdout(), crossterm::event::EnableMouseCapture)?;
        Ok(TerminalGuard { terminal })
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
