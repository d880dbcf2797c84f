//! One client connection: token check, hello/welcome and resume, then live frames out and
//! commands in, with keep-alive, until either side goes.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message, Utf8Bytes};
use tokio_tungstenite::tungstenite::{error::CapacityError, protocol::CloseFrame};
use tracing::{debug, warn};

use crate::protocol::{Command, Event, Frame, MAX_FRAME_BYTES, VERSION, sanitize};

use super::Shared;
use super::commands::Reply;
use super::stream::{Item, now_ts};

/// Keep-alive: a Ping this often.
const PING_EVERY: Duration = Duration::from_secs(15);
/// A client that sent nothing for this long is gone.
const SILENT_LIMIT: Duration = Duration::from_secs(45);
/// Time for the upgrade request to arrive.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A client that cannot take a batch of frames in this time is too slow.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for a whole resume backlog (up to 100,000 frames) to go out.
const BACKLOG_TIMEOUT: Duration = Duration::from_secs(60);
/// Time allowed for the closing handshake.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
/// Live frames written before a flush.
const BATCH: usize = 256;

type Sink = SplitSink<WebSocketStream<TcpStream>, Message>;
type Source = SplitStream<WebSocketStream<TcpStream>>;

/// Why a session ends, and how the server says it.
enum Close {
    /// Send a close frame with this code and reason.
    With(CloseCode, &'static str),
    /// The frame was too big: the rest of it is still unread on the socket.
    TooBig,
    /// The client closed: our reply to its close frame is queued, flush it.
    Replied,
    /// The client vanished or fell silent: nothing to say.
    Gone,
}

/// The WebSocket limits the protocol sets (frames over 256 KiB are refused).
pub(super) fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default().max_message_size(Some(MAX_FRAME_BYTES)).max_frame_size(Some(MAX_FRAME_BYTES))
}

/// Runs one connection to its end; errors are logged, never raised.
pub(super) async fn serve(
    tcp: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<()>,
) {
    let _ = tcp.set_nodelay(true);
    let mut authorization: Option<String> = None;
    // The callback's signature is tungstenite's.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| {
        authorization = request.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(response)
    };
    let upgrade = tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, Some(ws_config()));
    let ws = match timeout(HANDSHAKE_TIMEOUT, upgrade).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            debug!(%peer, error = %e, "WebSocket upgrade failed");
            return;
        }
        Err(_) => {
            debug!(%peer, "WebSocket upgrade timed out");
            return;
        }
    };
    let (mut sink, mut source) = ws.split();
    if let Some(token) = &shared.token
        && !token_matches(authorization.as_deref(), token)
    {
        warn!(%peer, "client refused: bad or missing token");
        let close = Close::With(CloseCode::Policy, "bad token: check the token");
        finish(sink, source, close).await;
        return;
    }
    let close =
        Session { shared: &shared, sink: &mut sink, source: &mut source, shutdown, last_sent: 0 }.run().await;
    debug!(%peer, "session over");
    finish(sink, source, close).await;
}

/// Whether an `Authorization` header carries the bearer `token`.
fn token_matches(header: Option<&str>, token: &str) -> bool {
    let Some((scheme, given)) = header.and_then(|h| h.trim().split_once(' ')) else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return false;
    }
    // Compare in constant time: the length is not a secret worth hiding, the bytes are.
    let (a, b) = (given.trim().as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

struct Session<'a> {
    shared: &'a Shared,
    sink: &'a mut Sink,
    source: &'a mut Source,
    shutdown: watch::Receiver<()>,
    /// The last stream seq this client got: live frames at or below it are not sent again.
    last_sent: u64,
}

impl Session<'_> {
    async fn run(mut self) -> Close {
        let resume_after = match self.hello().await {
            Ok(resume_after) => resume_after,
            Err(close) => return close,
        };
        let sub = self.shared.live.subscribe(resume_after);
        let mut rx = sub.rx;
        let welcome = Event::Welcome {
            stream: self.shared.stream.clone(),
            resumed: sub.backlog.is_some(),
            epoch: Some(self.shared.epoch.clone()),
        };
        let welcome = Frame { v: VERSION, seq: sub.head, ts: now_ts(), event: welcome };
        let backlog = sub.backlog.unwrap_or_default();
        let sent = timeout(BACKLOG_TIMEOUT, async {
            self.sink.feed(Message::text(welcome.to_json())).await?;
            for (_, text) in backlog {
                self.sink.feed(Message::Text(text)).await?;
            }
            self.sink.flush().await
        })
        .await;
        match sent {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return gone(e),
            Err(_) => return Close::With(CloseCode::Error, "too slow: reconnect and resume"),
        }
        self.last_sent = sub.head;
        // The first client starts the stream's clock.
        self.shared.start_clock.notify_one();
        if sub.ended {
            return Close::With(CloseCode::Library(4000), "stream ended");
        }

        let mut last_heard = Instant::now();
        let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        loop {
            tokio::select! {
                _ = self.shutdown.changed() => return Close::With(CloseCode::Away, "server shutting down"),
                incoming = self.source.next() => {
                    last_heard = Instant::now();
                    if let Some(close) = self.incoming(incoming).await {
                        return close;
                    }
                }
                item = rx.recv() => {
                    if let Some(close) = self.forward(item, &mut rx).await {
                        return close;
                    }
                }
                _ = ping.tick() => {
                    if let Err(e) = self.send(Message::Ping(Bytes::new())).await {
                        return e;
                    }
                }
                _ = sleep_until(last_heard + SILENT_LIMIT) => {
                    debug!("client silent for 45 s: dropped");
                    return Close::Gone;
                }
            }
        }
    }

    /// Waits for the client's `hello` and returns its `resume_after`.
    async fn hello(&mut self) -> Result<Option<u64>, Close> {
        let deadline = Instant::now() + SILENT_LIMIT;
        loop {
            let incoming = tokio::select! {
                _ = self.shutdown.changed() => return Err(Close::With(CloseCode::Away, "server shutting down")),
                _ = sleep_until(deadline) => return Err(Close::Gone),
                incoming = self.source.next() => incoming,
            };
            match incoming {
                None => return Err(Close::Gone),
                Some(Err(e)) => return Err(read_failed(e)),
                Some(Ok(Message::Text(text))) => {
                    self.log(&text);
                    return match Command::decode(&text) {
                        Ok(Command::Hello { resume_after, .. }) => Ok(resume_after),
                        _ => Err(Close::With(CloseCode::Policy, "expected hello")),
                    };
                }
                Some(Ok(Message::Binary(_))) => return Err(Close::With(CloseCode::Policy, "expected hello")),
                Some(Ok(Message::Close(_))) => return Err(Close::Replied),
                Some(Ok(_)) => {} // Ping and pong: the library answers pings itself.
            }
        }
    }

    /// Handles one message from the client; `Some` ends the session.
    async fn incoming(&mut self, incoming: Option<Result<Message, WsError>>) -> Option<Close> {
        let reply = match incoming {
            None => return Some(Close::Gone),
            Some(Err(e)) => return Some(read_failed(e)),
            Some(Ok(Message::Close(_))) => return Some(Close::Replied),
            Some(Ok(Message::Text(text))) => {
                self.log(&text);
                self.shared.commands.handle(&text, &self.shared.live)
            }
            Some(Ok(Message::Binary(_))) => Reply::Error {
                code: "bad_command",
                message: "binary frames are not supported: send JSON in text frames".into(),
            },
            Some(Ok(_)) => return None,
        };
        let event = match reply {
            Reply::Nothing => return None,
            Reply::Ack { reference, answer } => Event::Ack { reference, ok: answer.ok, error: answer.error },
            Reply::Error { code, message } => Event::Error { code: code.into(), message },
        };
        // Connection-level frames carry the last seq this client was sent, taking none of their own.
        let frame = Frame { v: VERSION, seq: self.last_sent, ts: now_ts(), event };
        self.send(Message::text(frame.to_json())).await.err()
    }

    /// Sends a live item and whatever else is already waiting, then flushes; `Some` ends
    /// the session.
    async fn forward(
        &mut self,
        first: Result<Item, RecvError>,
        rx: &mut tokio::sync::broadcast::Receiver<Item>,
    ) -> Option<Close> {
        let mut item = first;
        let mut written = 0;
        let result = timeout(SEND_TIMEOUT, async {
            loop {
                match item {
                    Ok(Item::Frame { seq, text }) => {
                        if seq > self.last_sent {
                            self.sink.feed(Message::Text(text)).await.map_err(gone)?;
                            self.last_sent = seq;
                            written += 1;
                        }
                    }
                    Ok(Item::End) => {
                        self.sink.flush().await.map_err(gone)?;
                        return Err(Close::With(CloseCode::Library(4000), "stream ended"));
                    }
                    Err(RecvError::Lagged(n)) => {
                        warn!(missed = n, "client too slow for the stream: dropped");
                        return Err(Close::With(CloseCode::Error, "too slow: reconnect and resume"));
                    }
                    Err(RecvError::Closed) => {
                        return Err(Close::With(CloseCode::Away, "server shutting down"));
                    }
                }
                if written >= BATCH {
                    break;
                }
                item = match rx.try_recv() {
                    Ok(next) => Ok(next),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
                    Err(TryRecvError::Closed) => Err(RecvError::Closed),
                };
            }
            self.sink.flush().await.map_err(gone)
        })
        .await;
        match result {
            Ok(Ok(())) => None,
            Ok(Err(close)) => Some(close),
            Err(_) => {
                warn!("client not reading: dropped");
                Some(Close::Gone)
            }
        }
    }

    async fn send(&mut self, message: Message) -> Result<(), Close> {
        match timeout(SEND_TIMEOUT, self.sink.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(gone(e)),
            Err(_) => Err(Close::Gone),
        }
    }

    /// With `log_commands`, prints the client frame as one clean line.
    fn log(&self, text: &Utf8Bytes) {
        if !self.shared.log_commands {
            return;
        }
        let line = sanitize::sanitize(text.as_str(), MAX_FRAME_BYTES);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "<- {line}");
        let _ = out.flush();
    }
}

/// A read error: too big gets 1009, anything else means the client is gone.
fn read_failed(e: WsError) -> Close {
    match e {
        WsError::Capacity(CapacityError::MessageTooLong { size, .. }) => {
            debug!(size, "client frame over the limit");
            Close::TooBig
        }
        e => gone(e),
    }
}

fn gone(e: WsError) -> Close {
    debug!(error = %e, "connection lost");
    Close::Gone
}

/// Sends the close frame (if any) and lets the closing handshake finish, within a time limit.
async fn finish(mut sink: Sink, mut source: Source, close: Close) {
    let (code, reason) = match close {
        Close::Gone => return,
        Close::Replied => {
            let _ = timeout(CLOSE_TIMEOUT, sink.flush()).await;
            return;
        }
        Close::With(code, reason) => (code, reason),
        Close::TooBig => (CloseCode::Size, "frame over 256 KiB"),
    };
    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
    if timeout(CLOSE_TIMEOUT, sink.send(Message::Close(Some(frame)))).await.is_err() {
        return;
    }
    if matches!(close, Close::TooBig) {
        // The reader stopped mid-frame: read the rest off the socket by hand, so closing it
        // does not reset the connection before the client has read our close frame.
        let Ok(mut ws) = sink.reunite(source) else { return };
        let tcp = ws.get_mut();
        let mut buf = vec![0u8; 64 * 1024];
        let deadline = Instant::now() + CLOSE_TIMEOUT;
        // Stops at the end of the stream, an error, a pause of 200 ms, or the deadline.
        loop {
            let wait = (Instant::now() + Duration::from_millis(200)).min(deadline);
            match tokio::time::timeout_at(wait, tcp.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => break,
            }
        }
        return;
    }
    // Wait for the client's close reply (or its end), so the close is clean on both sides.
    let _ = timeout(CLOSE_TIMEOUT, async { while let Some(Ok(_)) = source.next().await {} }).await;
}

#[cfg(test)]
mod tests {
    use super::token_matches;

    #[test]
    fn bearer_tokens_match_exactly() {
        assert!(token_matches(Some("Bearer s3cret"), "s3cret"));
        assert!(token_matches(Some("bearer  s3cret "), "s3cret"));
        assert!(!token_matches(Some("Bearer s3cre"), "s3cret"));
        assert!(!token_matches(Some("Bearer s3cretx"), "s3cret"));
        assert!(!token_matches(Some("Basic s3cret"), "s3cret"));
        assert!(!token_matches(Some("s3cret"), "s3cret"));
        assert!(!token_matches(None, "s3cret"));
    }
}
