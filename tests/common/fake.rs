//! A small fake of a platform's WebSocket feed, written independently of the adapters: it
//! plays given frames per connection and records what the client sends, so that the real
//! binary can be run headless against it and its summary compared with what was played.

use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{Home, fixture};

/// How long a headless run against a fake may take.
pub const WAIT: Duration = Duration::from_secs(30);

/// How one connection to the fake goes: these frames, then a cut or the stream's end.
#[derive(Clone, Debug)]
pub struct Conn {
    /// Frames to send once the client is connected (and has said what it says first).
    pub frames: Vec<String>,
    /// Frames the client must send before the fake plays (a login, a join).
    pub wait_for: usize,
    /// Close with 4000 (the stream is over) instead of dropping the connection.
    pub end: bool,
    /// Keep the connection open, reading, until the client goes.
    pub hold: bool,
}

/// A platform fake: connection N plays `conns[N]`; it records every text frame it gets.
pub struct Fake {
    pub url: String,
    received: Arc<Mutex<Vec<Vec<String>>>>,
    _rt: tokio::runtime::Runtime,
}

impl Fake {
    pub fn start(conns: Vec<Conn>) -> Fake {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        rt.spawn(async move {
            let mut index = 0;
            while let Ok((tcp, _)) = listener.accept().await {
                let Some(conn) = conns.get(index).cloned() else { continue };
                let slot = {
                    let mut log = log.lock().unwrap();
                    log.push(Vec::new());
                    log.len() - 1
                };
                index += 1;
                let log = log.clone();
                tokio::spawn(async move {
                    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else { return };
                    let mut heard = 0;
                    while heard < conn.wait_for {
                        match ws.next().await {
                            Some(Ok(Message::Text(t))) => {
                                heard += t.lines().count();
                                log.lock().unwrap()[slot].extend(t.lines().map(str::to_owned));
                            }
                            Some(Ok(_)) => {}
                            _ => return,
                        }
                    }
                    for frame in conn.frames {
                        if ws.send(Message::text(frame)).await.is_err() {
                            return;
                        }
                    }
                    // Keep reading what the client sends (answers, replies) until it goes.
                    let linger =
                        if conn.hold { Duration::from_secs(3600) } else { Duration::from_millis(500) };
                    let deadline = tokio::time::Instant::now() + linger;
                    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
                        if let Message::Text(t) = msg {
                            log.lock().unwrap()[slot].extend(t.lines().map(str::to_owned));
                        }
                    }
                    if conn.end {
                        let close = CloseFrame { code: CloseCode::from(4000), reason: "stream over".into() };
                        let _ = ws.close(Some(close)).await;
                    }
                    // Otherwise the connection is dropped: the client must reconnect.
                });
            }
        });
        Fake { url, received, _rt: rt }
    }

    /// What the client sent, per connection.
    pub fn received(&self) -> Vec<Vec<String>> {
        self.received.lock().unwrap().clone()
    }
}

/// The frames of a fixture file, one per line, per connection: a `# reconnect` line starts
/// the next connection; other `#` comments and blank lines are left out.
pub fn connections(name: &str) -> Vec<Vec<String>> {
    let mut conns = vec![Vec::new()];
    for line in std::fs::read_to_string(fixture(name)).unwrap().lines() {
        if line.trim() == "# reconnect" {
            conns.push(Vec::new());
        } else if !line.trim().is_empty() && !line.starts_with('#') {
            conns.last_mut().unwrap().push(line.to_owned());
        }
    }
    conns
}

/// `livedesk run --url URL --headless --summary json ARGS…`, waited for.
pub fn run_headless(home: &Home, url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command: Command = home.command();
    command.args(["run", "--url", url, "--headless", "--summary", "json"]).args(args);
    command.envs(env.iter().copied()).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > WAIT {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("livedesk did not finish\nstderr: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

pub fn summary(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"))
}

/// A TikTok relay's comment frame in the shape the relays forward (TikTok-Live-Connector's
/// `chat` event, user fields flattened next to it, as `tests/fixtures/tiktok-relay.jsonl`),
/// numbered `n`: its `msgId` and text say which.
pub fn tiktok_comment(n: u64) -> String {
    serde_json::json!({"event": "chat", "data": {
        "comment": format!("comment {n}"), "userId": format!("70{}", n % 3), "uniqueId": format!("viewer{}", n % 3),
        "nickname": format!("Viewer {}", n % 3), "userBadges": [], "followRole": 0,
        "msgId": format!("73010000000000{n:05}"), "createTime": format!("{}", 1_700_000_000_000u64 + n * 1000),
    }})
    .to_string()
}
