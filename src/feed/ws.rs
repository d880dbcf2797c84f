//! The WebSocket feed client: connects, says hello with the resume cursor, turns frames
//! into desk inputs, keeps the connection alive, reconnects with backoff, and re-sends every
//! operator command with the same `ref` until it is acked (the platform treats a repeated
//! `ref` as the same command, so a command takes effect once).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, interval, sleep, sleep_until, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{Connector, connect_async_tls_with_config};

use super::adapted::{Adapted, Link, adapted_session};
use super::adapters::limit::SendLimit;
use super::adapters::{self, Format};
use super::outbound::Pacer;
use super::seq::{SeqTracker, Verdict, Welcomed};
use super::tls;
use crate::desk::{Input, LinkEvent};
use crate::protocol::sanitize::{MAX_NAME_CHARS, sanitize};
use crate::protocol::{Command, DecodeError, Event, MAX_FRAME_BYTES, decode_frame};

/// Ping the server this often.
pub const PING_EVERY: Duration = Duration::from_secs(15);
/// A connection silent this long is dead.
pub const DEAD_AFTER: Duration = Duration::from_secs(45);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The platform must say `welcome` this soon after `hello` (protocol, handshake 4).
pub const WELCOME_WITHIN: Duration = Duration::from_secs(10);
/// A connection up this long has earned a fresh backoff, even with no event on it.
pub const HEALTHY_AFTER: Duration = Duration::from_secs(30);

/// Where to connect and how.
#[derive(Clone, Debug)]
pub struct FeedOptions {
    /// `ws://` or `wss://` address.
    pub url: String,
    /// Bearer token, if the platform wants one.
    pub token: Option<String>,
    /// The variable the token came from, to name it when the platform refuses it.
    pub token_env: String,
    /// Resume after this seq (from a previous run), or start from live.
    pub resume_after: Option<u64>,
    /// The stream `resume_after` belongs to; a welcome for another one starts over.
    pub resume_stream: Option<String>,
    /// What the feed speaks: livedesk's protocol, or a platform's through its adapter.
    pub format: Format,
    /// The channel or room to read, for platforms that serve many on one address (Twitch).
    pub channel: Option<String>,
    /// The login name to send with the token, where the platform wants one (Twitch).
    pub nick: Option<String>,
    /// Most chat messages to send in a window (`settings.toml`); more wait, in order.
    pub send_limit: Option<SendLimit>,
    /// More roots to trust for a `wss://` relay (`feed.ca_file`): a studio's own relay.
    pub ca_file: Option<PathBuf>,
}

/// Exponential backoff from 0.5 s to 30 s with jitter, so a studio full of desks does
/// not reconnect in lockstep.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base = 0.5 * 2f64.powi(attempt.saturating_sub(1).min(16) as i32);
    let capped = base.min(30.0);
    Duration::from_secs_f64(capped * (0.5 + 0.5 * jitter.clamp(0.0, 1.0)))
}

/// How far one connection got, so that only a healthy one resets the backoff: a platform
/// that welcomes and then drops every connection must still see the waits grow.
#[derive(Debug, Default)]
pub(super) struct Health {
    up_since: Option<Instant>,
    flowing: bool,
}

impl Health {
    /// The handshake is done: the welcome came (or, for an adapter, the socket is up).
    pub(super) fn up(&mut self) {
        self.up_since.get_or_insert_with(Instant::now);
    }

    /// Whether the handshake is done.
    pub(super) fn is_up(&self) -> bool {
        self.up_since.is_some()
    }

    /// A new stream event arrived: the platform is really serving.
    pub(super) fn event(&mut self) {
        self.flowing = true;
    }

    /// Whether the connection earned a fresh backoff by `now`: events flowed, or it
    /// stayed up a while.
    pub(super) fn healthy(&self, now: Instant) -> bool {
        self.flowing || self.up_since.is_some_and(|t| now.duration_since(t) >= HEALTHY_AFTER)
    }
}

/// Why a connection ended.
pub(super) enum Ended {
    /// Try again after a pause.
    Retry(String),
    /// Do not try again.
    Stop(String),
    /// The platform ended the stream (close 4000): nothing more will come.
    StreamOver,
    /// The desk went away.
    Shutdown,
}

/// Runs the client until the platform says stop (bad token, stream ended) or the desk
/// side closes its channels. Inputs go to `inputs`; commands come from `commands`.
pub async fn run(
    opts: FeedOptions,
    inputs: mpsc::Sender<Input>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut tracker = SeqTracker::resuming(opts.resume_stream.clone(), opts.resume_after);
    let mut outbox: VecDeque<Command> = VecDeque::new();
    let mut adapter = match opts.format {
        Format::Livedesk => None,
        format => match adapters::open(format, &opts) {
            Ok(adapter) => Some(adapter),
            Err(reason) => {
                let _ = inputs.send(Input::Link(LinkEvent::Failed { reason })).await;
                return;
            }
        },
    };
    let mut adapted = Adapted::new(opts.send_limit);
    // The send limit counts across reconnects: a new connection is no fresh allowance.
    let mut pacer = Pacer::new(opts.send_limit);
    let mut attempt = 1u32;
    loop {
        if inputs.send(Input::Link(LinkEvent::Connecting { attempt })).await.is_err() {
            return;
        }
        let mut health = Health::default();
        let ended = match &mut adapter {
            None => {
                let queues = Queues { outbox: &mut outbox, pacer: &mut pacer };
                session(&opts, &inputs, &mut commands, &mut tracker, queues, &mut health).await
            }
            Some(adapter) => {
                let link = Link { opts: &opts, inputs: &inputs, commands: &mut commands };
                adapted_session(link, adapter.as_mut(), &mut adapted, &mut outbox, &mut health).await
            }
        };
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
                            Some(c) => outbox.push_back(c),
                            None => return,
                        },
                    }
                }
                attempt += 1;
            }
        }
    }
}

/// What waits to go out, across connections: every command not yet acknowledged, and the
/// send limit's count of what went.
struct Queues<'a> {
    outbox: &'a mut VecDeque<Command>,
    pacer: &'a mut Pacer,
}

async fn session(
    opts: &FeedOptions,
    inputs: &mpsc::Sender<Input>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    tracker: &mut SeqTracker,
    queues: Queues<'_>,
    health: &mut Health,
) -> Ended {
    let Queues { outbox, pacer } = queues;
    pacer.reconnected();
    // Chat the send limit holds back on this connection, oldest first (each also in `outbox`).
    let mut held: VecDeque<Command> = VecDeque::new();
    let mut ws = match connect(opts).await {
        Ok(ws) => ws,
        Err(ended) => return ended,
    };
    let hello = Command::Hello {
        client: format!("livedesk/{}", env!("CARGO_PKG_VERSION")),
        resume_after: tracker.resume_after(),
    };
    if let Err(e) = ws.send(Message::text(hello.to_json())).await {
        return Ended::Retry(short_error(&e));
    }
    let welcome_by = Instant::now() + WELCOME_WITHIN;
    let mut ping = interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let mut resent = false;
    loop {
        let next_send = match held.is_empty() {
            true => None,
            false => Some(Instant::now() + pacer.ready_in(std::time::Instant::now()).unwrap_or_default()),
        };
        tokio::select! {
            msg = ws.next() => {
                last_heard = Instant::now();
                let text = match msg {
                    None => return Ended::Retry("the connection was cut".into()),
                    Some(Err(WsError::Capacity(_))) => {
                        // The protocol's answer to an oversized frame: close with 1009.
                        let close = CloseFrame { code: CloseCode::Size, reason: "frame over 256 KiB".into() };
                        let _ = timeout(Duration::from_secs(2), ws.close(Some(close))).await;
                        return Ended::Retry("the platform sent a frame over 256 KiB".into());
                    }
                    Some(Err(e)) => return Ended::Retry(short_error(&e)),
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(frame))) => {
                        let (code, reason) = frame
                            .map(|f| (u16::from(f.code), sanitize(&f.reason, MAX_NAME_CHARS)))
                            .unwrap_or((1005, String::new()));
                        return match code {
                            1008 => Ended::Stop(token_refused(opts)),
                            4000 => Ended::StreamOver,
                            _ if reason.is_empty() => Ended::Retry(format!("the platform closed the connection ({code})")),
                            _ => Ended::Retry(format!("the platform closed the connection ({code}: {reason})")),
                        };
                    }
                    Some(Ok(_)) => continue, // ping/pong/binary: only proof of life
                };
                for input in read_frame(&text, tracker, outbox, health) {
                    if inputs.send(input).await.is_err() {
                        return Ended::Shutdown;
                    }
                }
                // An ack for a held command (sent before a reconnect): it need not go again.
                held.retain(|c| outbox.iter().any(|o| o.reference() == c.reference()));
                if health.is_up() && !resent {
                    resent = true;
                    // Everything not yet acked goes again, same refs, in order.
                    for cmd in outbox.iter() {
                        if let Some(e) = offer(&mut ws, cmd, pacer, &mut held).await {
                            return e;
                        }
                    }
                }
            }
            cmd = commands.recv() => {
                let Some(cmd) = cmd else {
                    let _ = ws.close(None).await;
                    return Ended::Shutdown;
                };
                outbox.push_back(cmd);
                if resent && let Some(e) = offer(&mut ws, outbox.back().expect("just pushed"), pacer, &mut held).await {
                    return e;
                }
            }
            _ = sleep_until(next_send.unwrap_or_else(|| Instant::now() + DEAD_AFTER)), if next_send.is_some() => {
                while let Some(cmd) = held.front() {
                    let now = std::time::Instant::now();
                    if pacer.ready_in(now).is_some() {
                        break;
                    }
                    pacer.sent(now);
                    if let Err(e) = ws.send(Message::text(cmd.to_json())).await {
                        return Ended::Retry(short_error(&e));
                    }
                    held.pop_front();
                }
            }
            _ = ping.tick() => {
                if let Some(ended) = keep_alive(&mut ws, last_heard).await {
                    return ended;
                }
            }
            _ = sleep_until(welcome_by), if !health.is_up() => {
                let why = format!("no welcome in {} s", WELCOME_WITHIN.as_secs());
                let close = CloseFrame { code: CloseCode::Protocol, reason: why.clone().into() };
                let _ = timeout(Duration::from_secs(2), ws.close(Some(close))).await;
                return Ended::Retry(why);
            }
            _ = sleep(DEAD_AFTER.saturating_sub(last_heard.elapsed())) => return silent(),
        }
        let wait = pacer.ready_in(std::time::Instant::now());
        for news in pacer.report(held.iter(), wait) {
            if inputs.send(Input::Link(news)).await.is_err() {
                return Ended::Shutdown;
            }
        }
    }
}

/// Sends a command now, or, for chat over the send limit (or behind chat already held),
/// holds it to go in its turn. Other commands never wait behind chat.
async fn offer(
    ws: &mut Socket,
    cmd: &Command,
    pacer: &mut Pacer,
    held: &mut VecDeque<Command>,
) -> Option<Ended> {
    if matches!(cmd, Command::SendChat { .. }) {
        let now = std::time::Instant::now();
        if !held.is_empty() || pacer.ready_in(now).is_some() {
            held.push_back(cmd.clone());
            return None;
        }
        pacer.sent(now);
    }
    ws.send(Message::text(cmd.to_json())).await.err().map(|e| Ended::Retry(short_error(&e)))
}

/// Opens the WebSocket. The bearer token goes in the `Authorization` header for livedesk's
/// protocol; an adapter carries it its own platform's way (Twitch: `PASS`).
pub(super) async fn connect(opts: &FeedOptions) -> Result<Socket, Ended> {
    let mut request = match opts.url.as_str().into_client_request() {
        Ok(r) => r,
        Err(e) => {
            return Err(Ended::Stop(format!(
                "Bad feed url {:?}: {e}; fix feed.url in settings.toml",
                opts.url
            )));
        }
    };
    if let Some(token) = opts.token.as_ref().filter(|_| opts.format == Format::Livedesk) {
        match HeaderValue::from_str(&format!("Bearer {token}")) {
            Ok(v) => {
                request.headers_mut().insert("Authorization", v);
            }
            Err(_) => {
                let why = format!("The token in ${} has characters a header cannot carry", opts.token_env);
                return Err(Ended::Stop(why));
            }
        }
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES));
    let connector = match request.uri().scheme_str() {
        Some("wss") => match tls::client_config(opts.ca_file.as_deref()) {
            Ok(tls) => Some(Connector::Rustls(tls)),
            Err(e) => return Err(Ended::Stop(format!("feed.ca_file: {e}; fix it in settings.toml"))),
        },
        _ => None,
    };
    let connect = connect_async_tls_with_config(request, Some(config), true, connector);
    match timeout(CONNECT_TIMEOUT, connect).await {
        Err(_) => Err(Ended::Retry("the connection timed out".into())),
        Ok(Err(WsError::Http(resp)))
            if matches!(resp.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) =>
        {
            Err(Ended::Stop(token_refused(opts)))
        }
        Ok(Err(e)) => match tls::certificate_refused(&opts.url, &e) {
            Some(line) => Err(Ended::Stop(line)),
            None => Err(Ended::Retry(short_error(&e))),
        },
        Ok(Ok((ws, _))) => Ok(ws),
    }
}

/// Turns one text frame into desk inputs, updating the cursors, the outbox and how far
/// the connection got. The first welcome of a connection makes it live.
fn read_frame(
    text: &str,
    tracker: &mut SeqTracker,
    outbox: &mut VecDeque<Command>,
    health: &mut Health,
) -> Vec<Input> {
    let mut out = Vec::with_capacity(1);
    match decode_frame(text) {
        Ok(frame) => match &frame.event {
            Event::Welcome { stream, resumed, epoch } => {
                let Welcomed { missed, renumbered } =
                    tracker.on_welcome(&stream.id, frame.seq, *resumed, epoch.as_deref());
                if !health.is_up() {
                    health.up();
                    out.push(Input::Link(LinkEvent::Connected));
                }
                out.push(Input::Feed(frame));
                if renumbered {
                    out.push(Input::Link(LinkEvent::Renumbered));
                }
                if missed > 0 {
                    out.push(Input::Link(LinkEvent::Gap { missed }));
                }
                // Everything not yet acked goes again, same refs, in order.
                let again = outbox.len();
                if again > 0 {
                    tracing::info!(again, "re-sending unacknowledged commands");
                }
            }
            Event::Ack { .. } | Event::Error { .. } => {
                if let Event::Ack { reference, .. } = &frame.event {
                    outbox.retain(|c| c.reference() != Some(reference.as_str()));
                }
                // Connection-level frames carry a seq but say nothing about missed events.
                tracker.on_other(frame.seq);
                out.push(Input::Feed(frame));
            }
            _ => match tracker.on_event(frame.seq) {
                Verdict::Duplicate => out.push(Input::Link(LinkEvent::Duplicate)),
                Verdict::New { missed } => {
                    health.event();
                    if missed > 0 {
                        out.push(Input::Link(LinkEvent::Gap { missed }));
                    }
                    out.push(Input::Feed(frame));
                }
            },
        },
        // Ignored and counted; its seq is trusted with the next slot at most, so one bad
        // frame in sequence is no gap and a wild seq moves nothing.
        Err(DecodeError::Unknown { kind, seq }) => {
            if let Some(seq) = seq {
                tracker.on_other(seq);
            }
            out.push(Input::Link(LinkEvent::Unknown { kind }));
        }
        Err(DecodeError::Malformed { reason, seq }) => {
            if let Some(seq) = seq {
                tracker.on_other(seq);
            }
            out.push(Input::Link(LinkEvent::Malformed { reason }));
        }
        Err(e @ DecodeError::TooBig(_)) => {
            out.push(Input::Link(LinkEvent::Malformed { reason: e.to_string() }))
        }
    }
    out
}

pub(super) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// On each ping tick: a connection silent for [`DEAD_AFTER`] is dead; else ping it.
pub(super) async fn keep_alive(ws: &mut Socket, last_heard: Instant) -> Option<Ended> {
    if last_heard.elapsed() >= DEAD_AFTER {
        return Some(silent());
    }
    ws.send(Message::Ping(Vec::new().into())).await.err().map(|e| Ended::Retry(short_error(&e)))
}

/// A connection that went quiet for too long.
pub(super) fn silent() -> Ended {
    Ended::Retry(format!("no word from the platform for {} s", DEAD_AFTER.as_secs()))
}

fn token_refused(opts: &FeedOptions) -> String {
    let source = match &opts.token {
        Some(_) => format!("the token in ${}", opts.token_env),
        None => format!("no token (set ${})", opts.token_env),
    };
    format!("The platform refused {source} (close 1008): set a valid token and start again")
}

/// The reason in plain words (the operator reads it in the status bar).
pub(super) fn short_error(e: &WsError) -> String {
    use std::io::ErrorKind;
    match e {
        WsError::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused => "the platform refused the connection".into(),
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => "the connection was cut".into(),
            ErrorKind::TimedOut => "the connection timed out".into(),
            ErrorKind::NotFound | ErrorKind::AddrNotAvailable => {
                "the platform's address was not found".into()
            }
            _ => sanitize(&io.to_string(), MAX_NAME_CHARS),
        },
        WsError::Protocol(_) => "the connection was cut".into(),
        WsError::ConnectionClosed | WsError::AlreadyClosed => "the connection was cut".into(),
        other => sanitize(&other.to_string(), MAX_NAME_CHARS),
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

    fn welcome(seq: u64, resumed: bool, epoch: Option<&str>) -> String {
        let epoch = epoch.map_or(String::new(), |e| format!(r#","epoch":"{e}""#));
        format!(
            r#"{{"type":"welcome","v":1,"seq":{seq},"ts":"t","stream":{{"id":"s"}},"resumed":{resumed}{epoch}}}"#
        )
    }

    fn viewers(seq: u64) -> String {
        format!(r#"{{"type":"viewers","v":1,"seq":{seq},"ts":"t","count":5}}"#)
    }

    /// Reads frames one after another on one connection.
    struct Reader {
        tracker: SeqTracker,
        outbox: VecDeque<Command>,
        health: Health,
    }

    impl Reader {
        fn new() -> Reader {
            Reader { tracker: SeqTracker::new(None), outbox: VecDeque::new(), health: Health::default() }
        }

        fn read(&mut self, text: &str) -> Vec<Input> {
            read_frame(text, &mut self.tracker, &mut self.outbox, &mut self.health)
        }
    }

    #[test]
    fn frames_become_inputs_with_dedup_and_gaps() {
        let mut r = Reader::new();
        assert!(matches!(
            r.read(&welcome(0, false, None))[..],
            [Input::Link(LinkEvent::Connected), Input::Feed(_)]
        ));
        assert!(r.health.is_up());
        assert!(matches!(r.read(&viewers(1))[..], [Input::Feed(_)]));
        assert!(matches!(r.read(&viewers(1))[..], [Input::Link(LinkEvent::Duplicate)]));
        assert!(matches!(r.read("{oops")[..], [Input::Link(LinkEvent::Malformed { .. })]));
        assert!(matches!(
            r.read(&viewers(4))[..],
            [Input::Link(LinkEvent::Gap { missed: 2 }), Input::Feed(_)]
        ));
        // A second welcome on the same connection does not make it live twice.
        assert!(matches!(r.read(&welcome(4, true, None))[..], [Input::Feed(_)]));
    }

    #[test]
    fn malformed_frames_with_wild_seqs_move_nothing_and_unknown_types_count_as_unknown() {
        let mut r = Reader::new();
        r.read(&welcome(0, false, None));
        r.read(&viewers(1));
        for wild in [999_999, u64::MAX] {
            let broken = format!(r#"{{"type":"chat","v":1,"seq":{wild},"ts":"t"}}"#);
            assert!(matches!(r.read(&broken)[..], [Input::Link(LinkEvent::Malformed { .. })]));
        }
        for seq in [1, 2, u64::MAX] {
            let unknown = format!(r#"{{"type":"hologram","v":1,"seq":{seq},"ts":"t"}}"#);
            assert!(
                matches!(&r.read(&unknown)[..], [Input::Link(LinkEvent::Unknown { kind })] if kind == "hologram")
            );
        }
        // The unknown type took slot 2; 3 and 4 were really missed.
        assert!(matches!(
            r.read(&viewers(5))[..],
            [Input::Link(LinkEvent::Gap { missed: 2 }), Input::Feed(_)]
        ));
        assert_eq!(r.tracker.resume_after(), Some(5));
        // A failed resume after it tells the real gap.
        assert!(matches!(
            r.read(&welcome(9, false, None))[..],
            [Input::Feed(_), Input::Link(LinkEvent::Gap { missed: 4 })]
        ));
    }

    #[test]
    fn a_restarted_numbering_is_told_and_its_events_applied() {
        for (first, again) in [
            (welcome(0, false, Some("a")), welcome(2, false, Some("b"))),
            (welcome(0, false, None), welcome(2, false, None)),
        ] {
            let mut r = Reader::new();
            r.read(&first);
            for seq in 1..=40 {
                r.read(&viewers(seq));
            }
            let mut r = Reader { health: Health::default(), ..r };
            assert!(matches!(
                r.read(&again)[..],
                [Input::Link(LinkEvent::Connected), Input::Feed(_), Input::Link(LinkEvent::Renumbered)]
            ));
            assert!(matches!(r.read(&viewers(3))[..], [Input::Feed(_)]), "{again}");
        }
    }

    #[test]
    fn only_events_or_thirty_seconds_up_make_a_connection_healthy() {
        let now = Instant::now();
        let mut health = Health::default();
        assert!(!health.healthy(now));
        health.up();
        assert!(!health.healthy(now + Duration::from_secs(29)));
        assert!(health.healthy(now + HEALTHY_AFTER + Duration::from_secs(1)));
        let mut r = Reader::new();
        r.read(&welcome(0, false, None));
        r.read(r#"{"type":"ack","v":1,"seq":1,"ts":"t","ref":"r","ok":true}"#);
        assert!(!r.health.healthy(Instant::now()), "a welcome and an ack are no events");
        r.read(&viewers(2));
        assert!(r.health.healthy(Instant::now()));
    }

    #[test]
    fn an_ack_clears_the_command_from_the_outbox() {
        let mut r = Reader::new();
        r.outbox.push_back(Command::PinProduct { reference: "r1".into(), sku: None });
        r.read(r#"{"type":"ack","v":1,"seq":0,"ts":"t","ref":"r1","ok":true,"error":null}"#);
        assert!(r.outbox.is_empty());
    }

    #[test]
    fn a_bad_frame_in_sequence_is_no_gap() {
        let mut r = Reader::new();
        r.read(&welcome(0, false, None));
        r.read(&viewers(1));
        r.read(r#"{"type":"chat","v":1,"seq":2,"ts":"t","text":"no msg_id"}"#);
        r.read(r#"{"type":"hologram","v":1,"seq":3,"ts":"t"}"#);
        assert!(matches!(r.read(&viewers(4))[..], [Input::Feed(_)]));
        assert_eq!(r.tracker.resume_after(), Some(4));
    }

    proptest::proptest! {
        /// A frame that fails to decode never moves the resume cursor, and moves nothing at
        /// all unless it carries exactly the next seq; it is counted as malformed.
        #[test]
        fn an_undecodable_frame_moves_no_cursor(
            seq in proptest::prop_oneof![proptest::prelude::any::<u64>(), proptest::prelude::Just(9u64)],
            kind in 0usize..4,
        ) {
            let broken = [
                format!(r#"{{"type":"chat","v":1,"seq":{seq},"ts":"t"}}"#),
                format!(r#"{{"type":"order","v":1,"seq":{seq},"ts":"t","order_id":"o"}}"#),
                format!(r#"{{"type":"viewers","v":1,"seq":{seq},"ts":"t","count":-1}}"#),
                format!(r#"{{"type":"viewers","seq":{seq},"count":"#),
            ];
            let mut r = Reader::new();
            r.read(&welcome(7, false, None));
            r.read(&viewers(8));
            let before = r.tracker.clone();
            let got = r.read(&broken[kind]);
            proptest::prop_assert!(matches!(got[..], [Input::Link(LinkEvent::Malformed { .. })]), "{got:?}");
            proptest::prop_assert_eq!(r.tracker.resume_after(), Some(8));
            if seq != 9 {
                proptest::prop_assert_eq!(&r.tracker, &before);
            }
        }
    }
}

/// The client against the real local server: a command given while the platform is away
/// waits, and goes out with its original ref once the connection is back.
#[cfg(test)]
mod offline_tests {
    use super::*;
    use crate::feed::script::Script;
    use crate::protocol::{Frame, StreamInfo};
    use crate::server::{ServerOptions, start};

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
    use std::sync::{Arc, Mutex};
    use tokio::net::TcpListener;

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
