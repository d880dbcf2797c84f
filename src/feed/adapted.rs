//! A connection to a platform that does not speak livedesk's protocol, through its
//! [`Adapter`]: the adapter translates, this drives the socket. Such platforms have no `seq`
//! and no acks, so the client numbers the events itself, makes the `welcome`, and answers
//! each command with an ack of its own once it is written (or refused by the adapter).

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, interval, sleep, sleep_until};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::adapters::Adapter;
use super::adapters::limit::SendLimit;
use super::outbound::Pacer;
use super::ws::{
    DEAD_AFTER, Ended, FeedOptions, Health, PING_EVERY, Socket, connect, keep_alive, short_error, silent,
};
use crate::desk::{Input, Level, LinkEvent};
use crate::protocol::sanitize::{MAX_KIND_CHARS, MAX_NAME_CHARS, MAX_REASON_CHARS, sanitize};
use crate::protocol::{Command, Event, Frame, StreamInfo, VERSION, checked};

/// What an adapted feed keeps across reconnects.
#[derive(Debug, Default)]
pub(super) struct Adapted {
    /// The last seq given to an event (the platform has none).
    seq: u64,
    /// Whether the operator was told this platform cannot resume.
    told_no_resume: bool,
    /// The platform's send limit and the one set, over every connection.
    pacer: Pacer,
}

/// The desk's side of the connection.
pub(super) struct Link<'a> {
    pub opts: &'a FeedOptions,
    pub inputs: &'a mpsc::Sender<Input>,
    pub commands: &'a mut mpsc::UnboundedReceiver<Command>,
}

/// One connection, until it ends. Commands that could not be written wait in `outbox` for
/// the next connection (or for the platform's send limit), in order.
pub(super) async fn adapted_session(
    link: Link<'_>,
    adapter: &mut dyn Adapter,
    state: &mut Adapted,
    outbox: &mut VecDeque<Command>,
    health: &mut Health,
) -> Ended {
    let Link { opts, inputs, commands } = link;
    state.pacer.reconnected();
    let mut ws = match connect(opts).await {
        Ok(ws) => ws,
        Err(ended) => return ended,
    };
    for line in adapter.greet() {
        if let Err(e) = ws.send(Message::text(line)).await {
            return Ended::Retry(short_error(&e));
        }
    }
    if inputs.send(Input::Link(LinkEvent::Connected)).await.is_err() {
        return Ended::Shutdown;
    }
    let platform = opts.format.name();
    let stream = StreamInfo {
        id: adapter.stream_id(),
        title: adapter.stream_id(),
        platform: platform.into(),
        currency: String::new(),
        started_at: String::new(),
    };
    if !state.emit(inputs, Event::Welcome { stream, resumed: false, epoch: None }).await {
        return Ended::Shutdown;
    }
    // The welcome is the adapter's own: only events or time up make this connection healthy.
    health.up();
    let caps = adapter.capabilities();
    let news = LinkEvent::Platform { name: platform.into(), caps };
    if inputs.send(Input::Link(news)).await.is_err() {
        return Ended::Shutdown;
    }
    if !caps.resume && !state.told_no_resume {
        state.told_no_resume = true;
        let text = format!("{platform}: no resume, so what is said while the link is down is not seen");
        if inputs.send(Input::Link(LinkEvent::Notice { level: Level::Warn, text })).await.is_err() {
            return Ended::Shutdown;
        }
    }
    let mut ping = interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = Instant::now();
    loop {
        // Commands waiting (from before this connection, or for the send limit) go first.
        let wait = match drain(&mut ws, adapter, state, inputs, outbox).await {
            Ok(wait) => wait,
            Err(ended) => return ended,
        };
        let next_send = wait.map(|w| Instant::now() + w);
        tokio::select! {
            msg = ws.next() => {
                last_heard = Instant::now();
                let text = match msg {
                    None => return Ended::Retry("the connection was cut".into()),
                    Some(Err(WsError::Capacity(_))) => {
                        return Ended::Retry("the platform sent a frame over 256 KiB".into());
                    }
                    Some(Err(e)) => return Ended::Retry(short_error(&e)),
                    Some(Ok(Message::Text(t))) => t,
                    // 4000 is livedesk's "stream over"; relays that wrap a platform use it too.
                    Some(Ok(Message::Close(Some(frame)))) if u16::from(frame.code) == 4000 => {
                        return Ended::StreamOver;
                    }
                    Some(Ok(Message::Close(frame))) => {
                        let reason = frame.map(|f| sanitize(&f.reason, MAX_NAME_CHARS)).unwrap_or_default();
                        return Ended::Retry(if reason.is_empty() {
                            "the platform closed the connection".into()
                        } else {
                            format!("the platform closed the connection ({reason})")
                        });
                    }
                    Some(Ok(_)) => continue,
                };
                let reading = adapter.read(&text, Utc::now());
                if let Some(failed) = reading.failed {
                    return Ended::Stop(sanitize(&failed, MAX_REASON_CHARS));
                }
                state.pacer.track_platform(adapter.send_limit());
                for line in reading.replies {
                    if let Err(e) = ws.send(Message::text(line)).await {
                        return Ended::Retry(short_error(&e));
                    }
                }
                let mut links: Vec<LinkEvent> = Vec::new();
                links.extend((0..reading.duplicates).map(|_| LinkEvent::Duplicate));
                links.extend(reading.unknown.into_iter().map(|kind| LinkEvent::Unknown { kind: sanitize(&kind, MAX_KIND_CHARS) }));
                links.extend(reading.malformed.map(|reason| LinkEvent::Malformed { reason: sanitize(&reason, MAX_REASON_CHARS) }));
                links.extend(reading.notices.into_iter().map(|text| LinkEvent::Notice {
                    level: Level::Info,
                    text: sanitize(&text, MAX_REASON_CHARS),
                }));
                for link in links {
                    if inputs.send(Input::Link(link)).await.is_err() {
                        return Ended::Shutdown;
                    }
                }
                for event in reading.events {
                    let ok = match checked(event) {
                        Ok(event) => {
                            if !event.is_connection_level() {
                                health.event();
                            }
                            state.emit(inputs, event).await
                        }
                        Err(reason) => inputs.send(Input::Link(LinkEvent::Malformed { reason })).await.is_ok(),
                    };
                    if !ok {
                        return Ended::Shutdown;
                    }
                }
                if reading.reconnect {
                    return Ended::Retry("the platform asked to reconnect".into());
                }
            }
            cmd = commands.recv() => {
                let Some(cmd) = cmd else {
                    let _ = ws.close(None).await;
                    return Ended::Shutdown;
                };
                outbox.push_back(cmd);
            }
            _ = sleep_until(next_send.unwrap_or_else(|| Instant::now() + DEAD_AFTER)), if next_send.is_some() => {}
            _ = ping.tick() => {
                if let Some(ended) = keep_alive(&mut ws, last_heard).await {
                    return ended;
                }
            }
            _ = sleep(DEAD_AFTER.saturating_sub(last_heard.elapsed())) => return silent(),
        }
    }
}

/// Writes the waiting commands the platform takes now, each answered with an ack (or a
/// refusal with the adapter's reason). Returns how long the next one must wait for the
/// platform's send limit, if one waits.
async fn drain(
    ws: &mut Socket,
    adapter: &mut dyn Adapter,
    state: &mut Adapted,
    inputs: &mpsc::Sender<Input>,
    outbox: &mut VecDeque<Command>,
) -> Result<Option<Duration>, Ended> {
    state.pacer.track_platform(adapter.send_limit());
    while !outbox.is_empty() {
        let now = std::time::Instant::now();
        if let Some(wait) = state.pacer.ready_in(now) {
            // Everything waits behind the limit here, in order: the desk sees the queue.
            for news in state.pacer.report(outbox.iter(), Some(wait)) {
                if inputs.send(Input::Link(news)).await.is_err() {
                    return Err(Ended::Shutdown);
                }
            }
            return Ok(Some(wait));
        }
        let cmd = outbox.pop_front().expect("a command waits");
        let answer = match adapter.write(&cmd) {
            Ok(lines) => {
                if !lines.is_empty() {
                    state.pacer.sent(std::time::Instant::now());
                }
                for line in lines {
                    if let Err(e) = ws.send(Message::text(line)).await {
                        // Not written: it goes again on the next connection.
                        outbox.push_front(cmd);
                        return Err(Ended::Retry(short_error(&e)));
                    }
                }
                Ok(())
            }
            Err(reason) => Err(reason),
        };
        if let Some(reference) = cmd.reference() {
            let (ok, error) = match answer {
                Ok(()) => (true, None),
                Err(reason) => (false, Some(reason)),
            };
            let ack = Event::Ack { reference: reference.to_owned(), ok, error };
            if !state.emit(inputs, ack).await {
                return Err(Ended::Shutdown);
            }
        }
    }
    for news in state.pacer.report(std::iter::empty(), None) {
        if inputs.send(Input::Link(news)).await.is_err() {
            return Err(Ended::Shutdown);
        }
    }
    Ok(None)
}

impl Adapted {
    /// Nothing read yet, with the send limit set in `settings.toml` (if any) on top of the
    /// platform's own.
    pub(super) fn new(send_limit: Option<SendLimit>) -> Adapted {
        Adapted { pacer: Pacer::new(send_limit), ..Adapted::default() }
    }

    /// Gives an event the next seq and the time now, and hands it to the desk.
    async fn emit(&mut self, inputs: &mpsc::Sender<Input>, event: Event) -> bool {
        self.seq += 1;
        let ts = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let frame = Frame { v: VERSION, seq: self.seq, ts, event };
        inputs.send(Input::Feed(frame)).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::adapters::limit::SendLimit;
    use crate::feed::adapters::{Capabilities, Format, Reading};
    use std::sync::{Arc, Mutex};
    use tokio::net::TcpListener;

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
            let (mut state, mut outbox, mut health) =
                (Adapted::default(), VecDeque::new(), Health::default());
            adapted_session(link, &mut Limited, &mut state, &mut outbox, &mut health).await;
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
}
