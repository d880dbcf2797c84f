//! The feed client: one loop drives every connection to the platform, whatever it speaks
//! (livedesk's protocol, or a platform's through its adapter: the [`Dialect`] says which),
//! and re-sends every operator command with the same `ref` until it is acked (the platform
//! treats a repeated `ref` as the same command, so a command takes effect once).
//!
//! The life of a connection:
//! 1. **Connect**: the socket opens (TLS, the token, 10 s at most) and the client speaks
//!    first: `hello` with the resume cursor, or the adapter's greeting.
//! 2. **Welcome**: the platform must say `welcome` within 10 s, or the client closes (1002)
//!    and tries again. An adapted platform has no welcome: the client makes one.
//! 3. **Events**: every frame becomes desk inputs (deduplicated, gaps counted). Once
//!    welcomed, every command not yet acked goes again, in order, then new ones as they
//!    come, chat within the send limit. A ping every 15 s; 45 s without a word is a dead
//!    connection.
//! 4. **Healthy**: a stream event, or 30 s up, earns the next disconnect a fresh backoff, so
//!    a platform that welcomes and drops every connection sees the waits grow.
//! 5. **Close**: 4000 ends the stream and 1008 (refused) stops the client; a frame over
//!    256 KiB is closed with 1009. Anything else is tried again after a backoff of 0.5 s
//!    doubling to 30 s, with jitter; commands given meanwhile wait.
//! 6. **Resume**: the next `hello` asks for what came after the last event applied; what a
//!    platform could not resume is counted as missed, a restarted numbering as renumbered.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, interval, sleep, sleep_until};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::adapted::Adapted;
use super::adapters;
use super::dialect::Dialect;
use super::health::Health;
use super::native::Native;
pub use super::options::FeedOptions;
use super::outbound::Pacer;
use super::seq::SeqTracker;
use super::socket::{DEAD_AFTER, Ended, PING_EVERY, Socket, close, connect, keep_alive, short_error, silent};
use crate::desk::{Input, LinkEvent};
use crate::protocol::sanitize::{MAX_NAME_CHARS, sanitize};
use crate::protocol::{Command, Format};

/// The platform must say `welcome` this soon after `hello` (protocol, handshake 4).
pub const WELCOME_WITHIN: Duration = Duration::from_secs(10);

/// Exponential backoff from 0.5 s to 30 s with jitter, so a studio full of desks does
/// not reconnect in lockstep.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base = 0.5 * 2f64.powi(attempt.saturating_sub(1).min(16) as i32);
    let capped = base.min(30.0);
    Duration::from_secs_f64(capped * (0.5 + 0.5 * jitter.clamp(0.0, 1.0)))
}

/// Runs the client until the platform says stop (bad token, stream ended) or the desk
/// side closes its channels. Inputs go to `inputs`; commands come from `commands`.
pub async fn run(
    opts: FeedOptions,
    inputs: mpsc::Sender<Input>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut dialect: Box<dyn Dialect> = match opts.format {
        Format::Livedesk => {
            let tracker = SeqTracker::resuming(opts.resume_stream.clone(), opts.resume_after);
            Box::new(Native::new(tracker, opts.token_refused()))
        }
        format => match adapters::open(format, &opts.setup()) {
            Ok(adapter) => Box::new(Adapted::new(adapter, format)),
            Err(reason) => {
                let _ = inputs.send(Input::Link(LinkEvent::Failed { reason })).await;
                return;
            }
        },
    };
    let mut unacked: VecDeque<Command> = VecDeque::new();
    // The send limit counts across reconnects: a new connection is no fresh allowance.
    let mut pacer = Pacer::new(opts.send_limit);
    let mut attempt = 1u32;
    loop {
        if inputs.send(Input::Link(LinkEvent::Connecting { attempt })).await.is_err() {
            return;
        }
        let mut health = Health::default();
        let link = Link { opts: &opts, inputs: &inputs, commands: &mut commands };
        let queues = Queues { unacked: &mut unacked, pacer: &mut pacer };
        let ended = session(link, dialect.as_mut(), queues, &mut health).await;
        if health.healthy(Instant::now()) {
            attempt = 1;
        }
        match ended {
            Ended::Shutdown => return,
            Ended::StreamOver => {
                let _ = inputs.send(Input::Link(LinkEvent::StreamEnded)).await;
                return;
            }
            Ended::Stop(reason) => {
                let _ = inputs.send(Input::Link(LinkEvent::Failed { reason })).await;
                return;
            }
            Ended::Retry(reason) => {
                let wait = backoff(attempt, fastrand::f64());
                tracing::info!(%reason, ?wait, attempt, "feed disconnected");
                let event = LinkEvent::Disconnected { reason, retry_in_ms: wait.as_millis() as u64 };
                if inputs.send(Input::Link(event)).await.is_err() {
                    return;
                }
                // Keep collecting commands while waiting, so none is lost.
                let deadline = Instant::now() + wait;
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep_until(deadline) => break,
                        cmd = commands.recv() => match cmd {
                            Some(c) => unacked.push_back(c),
                            None => return,
                        },
                    }
                }
                attempt += 1;
            }
        }
    }
}

/// What a connection is given: where to connect, and the desk's two channels.
struct Link<'a> {
    opts: &'a FeedOptions,
    inputs: &'a mpsc::Sender<Input>,
    commands: &'a mut mpsc::UnboundedReceiver<Command>,
}

/// What waits to go out, across connections: every command not yet acknowledged, and the
/// send limit's count of what went.
struct Queues<'a> {
    unacked: &'a mut VecDeque<Command>,
    pacer: &'a mut Pacer,
}

/// One connection, from connect to its end.
async fn session(
    link: Link<'_>,
    dialect: &mut dyn Dialect,
    queues: Queues<'_>,
    health: &mut Health,
) -> Ended {
    let Link { opts, inputs, commands } = link;
    let Queues { unacked, pacer } = queues;
    pacer.reconnected();
    let mut ws = match connect(opts).await {
        Ok(ws) => ws,
        Err(ended) => return ended,
    };
    for frame in dialect.hello() {
        if let Err(e) = ws.send(Message::text(frame)).await {
            return Ended::Retry(short_error(&e));
        }
    }
    for input in dialect.opened(health) {
        if inputs.send(input).await.is_err() {
            return Ended::Shutdown;
        }
    }
    pacer.track_platform(dialect.send_limit());
    let mut out = Outgoing { dialect, pacer, unacked, held: VecDeque::new(), inputs };
    let welcome_by = Instant::now() + WELCOME_WITHIN;
    let mut ping = interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let mut resent = false;
    loop {
        if health.is_up() && !resent {
            resent = true;
            if let Some(ended) = out.resend(&mut ws).await {
                return ended;
            }
        }
        if let Some(ended) = out.report().await {
            return ended;
        }
        let next_send = out.next_send();
        tokio::select! {
            msg = ws.next() => {
                last_heard = Instant::now();
                let text = match msg {
                    None => return Ended::Retry("the connection was cut".into()),
                    Some(Err(WsError::Capacity(_))) => {
                        // The protocol's answer to an oversized frame: close with 1009.
                        close(&mut ws, CloseCode::Size, "frame over 256 KiB").await;
                        return Ended::Retry("the platform sent a frame over 256 KiB".into());
                    }
                    Some(Err(e)) => return Ended::Retry(short_error(&e)),
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(frame))) => return closed(frame, out.dialect),
                    Some(Ok(_)) => continue, // ping/pong/binary: only proof of life
                };
                let heard = out.dialect.read(&text, out.unacked, health);
                out.pacer.track_platform(out.dialect.send_limit());
                for reply in heard.replies {
                    if let Err(e) = ws.send(Message::text(reply)).await {
                        return Ended::Retry(short_error(&e));
                    }
                }
                for input in heard.inputs {
                    if inputs.send(input).await.is_err() {
                        return Ended::Shutdown;
                    }
                }
                out.forget_acked();
                if let Some(end) = heard.end {
                    return end;
                }
            }
            cmd = commands.recv() => {
                let Some(cmd) = cmd else {
                    let _ = ws.close(None).await;
                    return Ended::Shutdown;
                };
                out.unacked.push_back(cmd.clone());
                if resent && let Some(e) = out.offer(&mut ws, cmd).await {
                    return e;
                }
            }
            _ = sleep_until(next_send.unwrap_or_else(|| Instant::now() + DEAD_AFTER)), if next_send.is_some() => {
                if let Some(e) = out.send_held(&mut ws).await {
                    return e;
                }
            }
            _ = ping.tick() => {
                if let Some(ended) = keep_alive(&mut ws, last_heard).await {
                    return ended;
                }
            }
            _ = sleep_until(welcome_by), if !health.is_up() => {
                let why = format!("no welcome in {} s", WELCOME_WITHIN.as_secs());
                close(&mut ws, CloseCode::Protocol, &why).await;
                return Ended::Retry(why);
            }
            _ = sleep(DEAD_AFTER.saturating_sub(last_heard.elapsed())) => return silent(),
        }
    }
}

/// Why the platform closed the connection, and what follows: 1008 (it refuses the client)
/// stops, 4000 ends the stream, anything else is tried again.
fn closed(frame: Option<CloseFrame>, dialect: &dyn Dialect) -> Ended {
    let (code, reason) = frame
        .map(|f| (u16::from(f.code), sanitize(&f.reason, MAX_NAME_CHARS)))
        .unwrap_or((1005, String::new()));
    match code {
        1008 => Ended::Stop(dialect.refused(&reason)),
        4000 => Ended::StreamOver,
        _ if reason.is_empty() => Ended::Retry(format!("the platform closed the connection ({code})")),
        _ => Ended::Retry(format!("the platform closed the connection ({code}: {reason})")),
    }
}

/// What goes out on one connection: the commands not yet acked, the send limit, and the
/// commands it holds back on this connection.
struct Outgoing<'a> {
    dialect: &'a mut dyn Dialect,
    pacer: &'a mut Pacer,
    unacked: &'a mut VecDeque<Command>,
    /// Commands the send limit holds back, oldest first (each also in `unacked`).
    held: VecDeque<Command>,
    inputs: &'a mpsc::Sender<Input>,
}

impl Outgoing<'_> {
    /// Everything not yet acked goes again, same refs, in order: once a connection is up.
    async fn resend(&mut self, ws: &mut Socket) -> Option<Ended> {
        if !self.unacked.is_empty() {
            tracing::info!(again = self.unacked.len(), "re-sending unacknowledged commands");
        }
        let again: Vec<Command> = self.unacked.iter().cloned().collect();
        for cmd in again {
            if let Some(ended) = self.offer(ws, cmd).await {
                return Some(ended);
            }
        }
        None
    }

    /// Sends a command now, or holds it to go in its turn: a paced one over the send limit,
    /// or behind one already held. Commands not paced never wait.
    async fn offer(&mut self, ws: &mut Socket, cmd: Command) -> Option<Ended> {
        let now = std::time::Instant::now();
        if self.dialect.paced(&cmd) && (!self.held.is_empty() || self.pacer.ready_in(now).is_some()) {
            self.held.push_back(cmd);
            return None;
        }
        self.carry(ws, &cmd).await
    }

    /// Sends the held commands whose turn has come.
    async fn send_held(&mut self, ws: &mut Socket) -> Option<Ended> {
        while let Some(cmd) = self.held.front().cloned() {
            if self.pacer.ready_in(std::time::Instant::now()).is_some() {
                break;
            }
            if let Some(ended) = self.carry(ws, &cmd).await {
                return Some(ended);
            }
            self.held.pop_front();
        }
        None
    }

    /// Writes a command, counted against the send limit if paced, and gives the desk the
    /// client's own ack where the platform gives none. A command not written stays unacked,
    /// to go again on the next connection.
    async fn carry(&mut self, ws: &mut Socket, cmd: &Command) -> Option<Ended> {
        let outcome = match self.dialect.write(cmd) {
            Ok(frames) => {
                if self.dialect.paced(cmd) && !frames.is_empty() {
                    self.pacer.sent(std::time::Instant::now());
                }
                for frame in frames {
                    if let Err(e) = ws.send(Message::text(frame)).await {
                        return Some(Ended::Retry(short_error(&e)));
                    }
                }
                Ok(())
            }
            Err(reason) => Err(reason),
        };
        if let Some(ack) = self.dialect.answer(cmd, outcome) {
            self.unacked.retain(|c| c.reference() != cmd.reference());
            if self.inputs.send(ack).await.is_err() {
                return Some(Ended::Shutdown);
            }
        }
        None
    }

    /// An ack for a held command (one sent before a reconnect): it need not go again.
    fn forget_acked(&mut self) {
        let unacked = &self.unacked;
        self.held.retain(|c| unacked.iter().any(|o| o.reference() == c.reference()));
    }

    /// When the first held command may go, if one is held.
    fn next_send(&self) -> Option<Instant> {
        let wait = self.pacer.ready_in(std::time::Instant::now()).unwrap_or_default();
        (!self.held.is_empty()).then(|| Instant::now() + wait)
    }

    /// Tells the desk what the send limit holds back, when that changed.
    async fn report(&mut self) -> Option<Ended> {
        let wait = match self.held.is_empty() {
            true => None,
            false => self.pacer.ready_in(std::time::Instant::now()),
        };
        for news in self.pacer.report(self.held.iter(), wait) {
            if self.inputs.send(Input::Link(news)).await.is_err() {
                return Some(Ended::Shutdown);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_thirty_seconds_with_jitter() {
        assert_eq!(backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(2, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(7, 1.0), Duration::from_secs(30));
        assert_eq!(backoff(40, 1.0), Duration::from_secs(30));
        assert_eq!(backoff(1, 0.0), Duration::from_millis(250));
    }
}

/// The client against the real local server: a command given while the platform is away
/// waits, and goes out with its original ref once the connection is back.
#[cfg(test)]
mod offline_tests {
    use super::*;
    use crate::feed::script::Script;
    use crate::protocol::Event;
    use crate::protocol::{Frame, StreamInfo};
    use crate::server::{ServerOptions, start};
    use tokio::time::timeout;

    fn options(addr: std::net::SocketAddr) -> ServerOptions {
        let script = r#"{"at_ms": 0, "event": {"type": "viewers", "count": 3}}
{"at_ms": 3600000, "event": {"type": "viewers", "count": 4}}"#;
        ServerOptions {
            addr,
            script: Script::parse(script).unwrap(),
            speed: 1.0,
            looped: false,
            stream: StreamInfo { id: "s".into(), title: "Shop".into(), ..Default::default() },
            token: None,
            log_commands: false,
        }
    }

    /// Waits for an input matching `pred`, failing after a few seconds.
    async fn expect(rx: &mut mpsc::Receiver<Input>, what: &str, pred: impl Fn(&Input) -> bool) -> Input {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match timeout(left, rx.recv()).await {
                Ok(Some(input)) if pred(&input) => return input,
                Ok(Some(_)) => {}
                _ => panic!("no {what}"),
            }
        }
    }

    /// Options for livedesk's own protocol at `url`, with no token, resume or limit.
    pub(super) fn feed_options(url: String) -> FeedOptions {
        FeedOptions {
            url,
            token: None,
            token_env: "T".into(),
            resume_after: None,
            resume_stream: None,
            format: Format::Livedesk,
            channel: None,
            nick: None,
            send_limit: None,
            ca_file: None,
        }
    }

    #[tokio::test]
    async fn a_command_given_offline_is_sent_with_its_ref_after_reconnecting() {
        let server = start(options("127.0.0.1:0".parse().unwrap())).await.unwrap();
        let addr = server.addr;
        let (in_tx, mut inputs) = mpsc::channel(1024);
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let opts = feed_options(server.url());
        tokio::spawn(run(opts, in_tx, cmd_rx));
        expect(
            &mut inputs,
            "welcome",
            |i| matches!(i, Input::Feed(f) if matches!(f.event, Event::Welcome { .. })),
        )
        .await;

        server.shutdown().await;
        expect(&mut inputs, "a disconnect", |i| matches!(i, Input::Link(LinkEvent::Disconnected { .. })))
            .await;
        let send =
            Command::SendChat { reference: "r-offline".into(), text: "back soon".into(), reply_to: None };
        cmd_tx.send(send).unwrap();

        let _server = start(options(addr)).await.unwrap();
        let ack = expect(
            &mut inputs,
            "the ack",
            |i| matches!(i, Input::Feed(f) if matches!(f.event, Event::Ack { .. })),
        )
        .await;
        let Input::Feed(Frame { event: Event::Ack { reference, ok, .. }, .. }) = ack else { unreachable!() };
        assert_eq!((reference.as_str(), ok), ("r-offline", true));
        let echo = expect(&mut inputs, "the echo", |i| matches!(i, Input::Feed(f) if matches!(&f.event, Event::Chat { text, .. } if text == "back soon")))
            .await;
        assert!(matches!(echo, Input::Feed(_)));
    }
}

/// The client's send limit against a real socket: chat over the limit waits in order, none
/// is dropped, other commands do not wait behind it, and the desk hears of the queue.
#[cfg(test)]
mod limit_tests {
    use super::*;
    use crate::protocol::{Event, SendLimit};
    use std::sync::{Arc, Mutex};
    use tokio::net::TcpListener;
    use tokio::time::timeout;

    /// A platform speaking livedesk's protocol that welcomes, acks every command and keeps
    /// what it received, in order.
    async fn platform() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let log = got.clone();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            while let Some(Ok(Message::Text(text))) = ws.next().await {
                let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
                let answer = if frame["type"] == "hello" {
                    serde_json::json!({"type": "welcome", "v": 1, "seq": 0, "ts": "t", "stream": {"id": "s"}, "resumed": false})
                } else {
                    serde_json::json!({"type": "ack", "v": 1, "seq": 0, "ts": "t", "ref": frame["ref"], "ok": true})
                };
                log.lock().unwrap().push(frame);
                if ws.send(Message::text(answer.to_string())).await.is_err() {
                    break;
                }
            }
        });
        (url, got)
    }

    #[tokio::test]
    async fn chat_over_the_limit_waits_in_order_and_none_is_dropped() {
        let (url, got) = platform().await;
        let opts = FeedOptions {
            send_limit: Some(SendLimit::new(2, Duration::from_millis(1_500))),
            ..super::offline_tests::feed_options(url)
        };
        let (in_tx, mut inputs) = mpsc::channel(1024);
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        for i in 0..5 {
            let cmd = Command::SendChat { reference: format!("r{i}"), text: format!("m{i}"), reply_to: None };
            cmd_tx.send(cmd).unwrap();
        }
        cmd_tx.send(Command::PinProduct { reference: "pin".into(), sku: Some("A".into()) }).unwrap();
        tokio::spawn(run(opts, in_tx, cmd_rx));

        let (mut acks, mut queues, mut told) = (Vec::new(), Vec::new(), false);
        while acks.len() < 6 {
            let input =
                timeout(Duration::from_secs(20), inputs.recv()).await.expect("the client goes on").unwrap();
            match input {
                Input::Feed(crate::protocol::Frame { event: Event::Ack { reference, .. }, .. }) => {
                    acks.push(reference)
                }
                Input::Link(LinkEvent::SendQueue { held, .. }) => queues.push(held),
                Input::Link(LinkEvent::Notice { text, .. }) if text.starts_with("Send limit reached") => {
                    told = true
                }
                _ => {}
            }
        }
        // The queue drains to empty once the last chat has gone.
        while queues.last().is_none_or(|q| !q.is_empty()) {
            let input = timeout(Duration::from_secs(20), inputs.recv()).await.expect("the queue empties");
            if let Input::Link(LinkEvent::SendQueue { held, .. }) = input.expect("the client goes on") {
                queues.push(held);
            }
        }
        let sent: Vec<String> =
            got.lock().unwrap().iter().filter_map(|f| f["ref"].as_str().map(str::to_owned)).collect();
        let chats: Vec<&String> = sent.iter().filter(|r| r.starts_with('r')).collect();
        assert_eq!(chats, ["r0", "r1", "r2", "r3", "r4"], "every chat once, in order: {sent:?}");
        let at = |r: &str| sent.iter().position(|s| s == r).unwrap();
        assert!(at("pin") < at("r2"), "the pin does not wait behind held chat: {sent:?}");
        assert!(told, "the operator is told sends wait");
        let most = queues.iter().map(Vec::len).max().unwrap_or(0);
        assert_eq!(most, 3, "r2, r3 and r4 were held: {queues:?}");
        assert!(queues.iter().any(|q| q == &["r2", "r3", "r4"]), "{queues:?}");
        assert!(queues.last().unwrap().is_empty());
        acks.sort();
        assert_eq!(acks, ["pin", "r0", "r1", "r2", "r3", "r4"]);
    }
}

/// An adapted platform through the same loop: the send limit holds every command in turn,
/// and the platform's closes mean what they mean on livedesk's protocol.
#[cfg(test)]
mod adapted_tests {
    use super::*;
    use crate::feed::adapters::{Adapter, Reading};
    use crate::protocol::{Capabilities, Event, Frame, SendLimit};
    use chrono::Utc;
    use std::sync::{Arc, Mutex};
    use tokio::net::TcpListener;
    use tokio::time::timeout;

    /// A platform that echoes chat lines and takes two per 200 ms.
    struct Limited;

    impl Adapter for Limited {
        fn capabilities(&self) -> Capabilities {
            Capabilities { send_chat: true, ..Capabilities::default() }
        }
        fn stream_id(&self) -> String {
            "room".into()
        }
        fn greet(&mut self) -> Vec<String> {
            vec!["hi".into()]
        }
        fn read(&mut self, _text: &str, _now: chrono::DateTime<Utc>) -> Reading {
            Reading::default()
        }
        fn write(&mut self, cmd: &Command) -> Result<Vec<String>, String> {
            match cmd {
                Command::SendChat { text, .. } => Ok(vec![text.clone()]),
                _ => Err("only chat here".into()),
            }
        }
        fn send_limit(&self) -> Option<SendLimit> {
            Some(SendLimit::new(2, Duration::from_millis(200)))
        }
    }

    #[tokio::test]
    async fn sends_over_the_limit_wait_in_order_and_none_is_dropped() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::<String>::new()));
        let log = got.clone();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            while let Some(Ok(msg)) = ws.next().await {
                if let Message::Text(t) = msg {
                    log.lock().unwrap().push(t.to_string());
                }
            }
        });
        let opts = FeedOptions {
            url,
            token: None,
            token_env: "T".into(),
            resume_after: None,
            resume_stream: None,
            format: Format::Twitch,
            channel: None,
            nick: None,
            send_limit: None,
            ca_file: None,
        };
        let (in_tx, mut inputs) = mpsc::channel(256);
        let (cmd_tx, mut cmd_rx) = mpsc::unbounded_channel();
        for i in 0..5 {
            let cmd = Command::SendChat { reference: format!("r{i}"), text: format!("m{i}"), reply_to: None };
            cmd_tx.send(cmd).unwrap();
        }
        cmd_tx.send(Command::PinProduct { reference: "pin".into(), sku: Some("A".into()) }).unwrap();
        tokio::spawn(async move {
            let link = Link { opts: &opts, inputs: &in_tx, commands: &mut cmd_rx };
            let mut adapted = Adapted::new(Box::new(Limited), Format::Twitch);
            let (mut unacked, mut pacer, mut health) = (VecDeque::new(), Pacer::default(), Health::default());
            let queues = Queues { unacked: &mut unacked, pacer: &mut pacer };
            session(link, &mut adapted, queues, &mut health).await;
        });
        let mut acks = Vec::new();
        let mut held_notice = false;
        let mut queues = Vec::new();
        while acks.len() < 6 {
            let input = tokio::time::timeout(Duration::from_secs(10), inputs.recv()).await.unwrap().unwrap();
            match input {
                Input::Feed(Frame { event: Event::Ack { reference, ok, error }, .. }) => {
                    acks.push((reference, ok, error))
                }
                Input::Link(LinkEvent::Notice { text, .. }) if text.starts_with("Send limit reached") => {
                    held_notice = true
                }
                Input::Link(LinkEvent::SendQueue { held, .. }) => queues.push(held),
                _ => {}
            }
        }
        let expected: Vec<_> = (0..5).map(|i| (format!("r{i}"), true, None)).collect();
        assert_eq!(acks[..5], expected[..], "every chat acked, in order");
        assert_eq!(acks[5], ("pin".into(), false, Some("only chat here".into())));
        assert!(held_notice, "the operator is told sends wait");
        // The queue the status bar shows: what waits behind the limit, down to nothing.
        while queues.last().is_none_or(|q: &Vec<String>| !q.is_empty()) {
            let input = tokio::time::timeout(Duration::from_secs(10), inputs.recv()).await.unwrap().unwrap();
            if let Input::Link(LinkEvent::SendQueue { held, .. }) = input {
                queues.push(held);
            }
        }
        assert!(
            queues.iter().any(|q| q.first().is_some_and(|r| r.starts_with('r'))),
            "chat waited: {queues:?}"
        );
        // An ack follows the write; the server may read the last frame a moment later.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while got.lock().unwrap().len() < 6 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let got = got.lock().unwrap().clone();
        assert_eq!(got, ["hi", "m0", "m1", "m2", "m3", "m4"], "greeted, then every chat in order");
    }

    /// A relay that takes one connection and plays `play` on it.
    async fn relay<F, Fut>(play: F) -> String
    where
        F: FnOnce(tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            play(tokio_tungstenite::accept_async(tcp).await.unwrap()).await;
        });
        url
    }

    /// Options for a TikTok relay at `url`.
    fn tiktok(url: String) -> FeedOptions {
        FeedOptions { format: Format::Tiktok, ..super::offline_tests::feed_options(url) }
    }

    /// The first link event that is no news of connecting, and the client's end (if it ends).
    async fn outcome(opts: FeedOptions) -> (LinkEvent, tokio::task::JoinHandle<()>) {
        let (in_tx, mut inputs) = mpsc::channel(256);
        let (_cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let client = tokio::spawn(run(opts, in_tx, cmd_rx));
        loop {
            let input =
                timeout(Duration::from_secs(10), inputs.recv()).await.expect("the client says").unwrap();
            if let Input::Link(
                link @ (LinkEvent::Failed { .. } | LinkEvent::Disconnected { .. } | LinkEvent::StreamEnded),
            ) = input
            {
                return (link, client);
            }
        }
    }

    #[tokio::test]
    async fn a_relay_that_refuses_with_1008_stops_the_client_with_the_reason() {
        let url = relay(|mut ws| async move {
            let close = CloseFrame { code: CloseCode::Policy, reason: "bad relay key".into() };
            let _ = ws.close(Some(close)).await;
        })
        .await;
        let (link, client) = outcome(tiktok(url)).await;
        let LinkEvent::Failed { reason } = link else { panic!("no stop: {link:?}") };
        assert!(reason.contains("close 1008: bad relay key") && reason.contains("feed.url"), "{reason}");
        timeout(Duration::from_secs(10), client).await.expect("the client ends, no retry").unwrap();
    }

    #[tokio::test]
    async fn a_relay_frame_over_256_kib_is_closed_with_1009_and_tried_again() {
        let (code_tx, code_rx) = tokio::sync::oneshot::channel();
        let url = relay(|mut ws| async move {
            let _ = ws.send(Message::text("x".repeat(300 * 1024))).await;
            while let Some(Ok(msg)) = ws.next().await {
                if let Message::Close(frame) = msg {
                    let _ = code_tx.send(frame.map(|f| u16::from(f.code)));
                    break;
                }
            }
        })
        .await;
        let (link, _client) = outcome(tiktok(url)).await;
        assert!(
            matches!(&link, LinkEvent::Disconnected { reason, .. } if reason == "the platform sent a frame over 256 KiB"),
            "{link:?}"
        );
        let code = timeout(Duration::from_secs(10), code_rx).await.expect("the relay hears a close").unwrap();
        assert_eq!(code, Some(1009));
    }

    #[tokio::test]
    async fn a_relay_closing_for_another_reason_is_tried_again_with_the_code_said() {
        let url = relay(|mut ws| async move {
            let close = CloseFrame { code: CloseCode::Away, reason: "maintenance".into() };
            let _ = ws.close(Some(close)).await;
        })
        .await;
        let (link, _client) = outcome(tiktok(url)).await;
        assert!(
            matches!(&link, LinkEvent::Disconnected { reason, .. } if reason == "the platform closed the connection (1001: maintenance)"),
            "{link:?}"
        );
    }
}
