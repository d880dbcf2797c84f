//! The WebSocket under every feed connection, whatever it speaks: opening it (TLS, the
//! token header, the 256 KiB frame limit, a timeout), keeping it alive, closing it with a
//! code, and its errors in the operator's words.

use std::time::Duration;

use futures_util::SinkExt;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{Connector, connect_async_tls_with_config};

use super::options::FeedOptions;
use super::tls;
use crate::protocol::sanitize::{MAX_NAME_CHARS, sanitize};
use crate::protocol::{Format, MAX_FRAME_BYTES};

/// Ping the server this often.
pub const PING_EVERY: Duration = Duration::from_secs(15);
/// A connection silent this long is dead.
pub const DEAD_AFTER: Duration = Duration::from_secs(45);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
            Err(Ended::Stop(opts.token_refused()))
        }
        Ok(Err(e)) => match tls::certificate_refused(&opts.url, &e) {
            Some(line) => Err(Ended::Stop(line)),
            None => Err(Ended::Retry(short_error(&e))),
        },
        Ok(Ok((ws, _))) => Ok(ws),
    }
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

/// Closes with `code` and `reason`, waiting a moment at most for the platform to take it.
pub(super) async fn close(ws: &mut Socket, code: CloseCode, reason: &str) {
    let frame = CloseFrame { code, reason: reason.to_owned().into() };
    let _ = timeout(Duration::from_secs(2), ws.close(Some(frame))).await;
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
