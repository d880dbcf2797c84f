//! End-to-end tests of the real binary with no terminal: `run --headless` against a fake
//! platform written here from the protocol document (not the crate's own server), against
//! `livedesk serve`, and `replay --headless`. Every figure is checked against the summary
//! JSON the binary prints.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use common::{Home, Server, fixture};

/// The longest any test waits for the binary to finish.
const WAIT: Duration = Duration::from_secs(30);
/// The longest the fake platform waits for the client to say something.
const FAKE_WAIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// The fake platform
// ---------------------------------------------------------------------------------------

/// The stream as the platform holds it: event bodies (without the envelope) by seq.
type History = BTreeMap<u64, Value>;

/// One thing the fake platform does on a connection, in order.
#[derive(Clone, Debug)]
enum Step {
    /// Reads the client's `hello`, which must carry this `resume_after`.
    Hello(Option<u64>),
    /// Sends `welcome` with this head seq.
    Welcome { seq: u64, resumed: bool },
    /// Sends the history events with these seqs, in this order (repeats and holes allowed).
    Seqs(Vec<u64>),
    /// Answers the last hello's `resume_after`: `welcome` with `resumed: true`, then the
    /// history after it, starting `overlap` seqs early (already applied), up to `to`.
    Resume { overlap: u64, to: u64 },
    /// Sends this text frame as it is.
    Raw(String),
    /// The same, going on even if the send fails (the client may refuse the frame half-way).
    RawAnyway(String),
    /// Pauses.
    Sleep(u64),
    /// Drops the TCP connection: no close frame.
    Drop,
    /// Sends a close frame with this code and waits for the client to go.
    Close(u16),
    /// The same, with this reason.
    CloseWith(u16, String),
    /// Reads until the client's close frame, which must carry this code.
    ExpectClose(u16),
}

/// What the fake platform saw on one connection.
#[derive(Clone, Debug)]
struct Conn {
    accepted_at: Instant,
    ended_at: Option<Instant>,
    /// The `Authorization` header of the upgrade request.
    auth: Option<String>,
    hellos: Vec<Value>,
}

/// What the fake platform saw, and what went against the test's script.
#[derive(Clone, Debug, Default)]
struct FakeLog {
    conns: Vec<Conn>,
    problems: Vec<String>,
}

/// A scripted platform: connection N plays `scripts[N]`; any further connection is
/// counted and dropped at once.
struct Fake {
    url: String,
    log: Arc<Mutex<FakeLog>>,
    _rt: tokio::runtime::Runtime,
}

impl Fake {
    fn start(history: History, scripts: Vec<Vec<Step>>) -> Fake {
        for step in scripts.iter().flatten() {
            if let Step::Seqs(seqs) = step {
                let missing: Vec<_> = seqs.iter().filter(|s| !history.contains_key(s)).collect();
                assert!(missing.is_empty(), "the test's history has no seqs {missing:?}");
            }
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(FakeLog::default()));
        let (history, scripts) = (Arc::new(history), Arc::new(scripts));
        let shared = log.clone();
        rt.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let index = {
                    let mut log = shared.lock().unwrap();
                    log.conns.push(Conn {
                        accepted_at: Instant::now(),
                        ended_at: None,
                        auth: None,
                        hellos: vec![],
                    });
                    log.conns.len() - 1
                };
                let (history, scripts, log) = (history.clone(), scripts.clone(), shared.clone());
                tokio::spawn(async move {
                    let steps = scripts.get(index).cloned().unwrap_or_default();
                    play(tcp, index, &steps, &history, &log).await;
                    log.lock().unwrap().conns[index].ended_at = Some(Instant::now());
                });
            }
        });
        Fake { url, log, _rt: rt }
    }

    fn log(&self) -> FakeLog {
        self.log.lock().unwrap().clone()
    }

    /// Panics if anything went against the script (a wrong hello, a failed upgrade).
    fn assert_no_problems(&self) {
        let log = self.log();
        assert!(log.problems.is_empty(), "the fake platform saw problems: {:#?}", log.problems);
    }
}

type Ws = WebSocketStream<TcpStream>;

/// Plays one connection's script.
async fn play(tcp: TcpStream, index: usize, steps: &[Step], history: &History, log: &Mutex<FakeLog>) {
    let problem = |text: String| log.lock().unwrap().problems.push(format!("connection {index}: {text}"));
    let mut auth = None;
    // The callback's signature is tungstenite's.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| {
        auth = request.headers().get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(response)
    };
    let mut ws = match timeout(FAKE_WAIT, tokio_tungstenite::accept_hdr_async(tcp, callback)).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => return problem(format!("upgrade failed: {e}")),
        Err(_) => return problem("no upgrade request".into()),
    };
    log.lock().unwrap().conns[index].auth = auth;
    if steps.is_empty() {
        return; // unscripted: dropped
    }
    let mut resume_after: Option<u64> = None;
    for step in steps {
        let sent = match step {
            Step::Hello(expected) => match read_hello(&mut ws).await {
                Ok(hello) => {
                    resume_after = hello.get("resume_after").and_then(Value::as_u64);
                    if resume_after != *expected {
                        problem(format!(
                            "hello has resume_after {resume_after:?}, expected {expected:?}: {hello}"
                        ));
                    }
                    log.lock().unwrap().conns[index].hellos.push(hello);
                    Ok(())
                }
                Err(e) => return problem(e),
            },
            Step::Welcome { seq, resumed } => send(&mut ws, welcome(*seq, *resumed)).await,
            Step::Seqs(seqs) => send_events(&mut ws, history, seqs.iter().copied()).await,
            Step::Resume { overlap, to } => {
                let Some(after) = resume_after else {
                    return problem("asked to resume, but the hello had no resume_after".into());
                };
                let from = (after + 1).saturating_sub(*overlap).max(1);
                match send(&mut ws, welcome(*to, true)).await {
                    Ok(()) => {
                        send_events(&mut ws, history, (from..=*to).filter(|s| history.contains_key(s))).await
                    }
                    Err(e) => Err(e),
                }
            }
            Step::Raw(text) => send(&mut ws, text.clone()).await,
            Step::RawAnyway(text) => {
                let _ = send(&mut ws, text.clone()).await;
                Ok(())
            }
            Step::ExpectClose(code) => {
                let seen = read_close(&mut ws).await;
                if seen != Ok(*code) {
                    problem(format!("expected the client to close with {code}, saw {seen:?}"));
                }
                return;
            }
            Step::Sleep(ms) => {
                tokio::time::sleep(Duration::from_millis(*ms)).await;
                Ok(())
            }
            Step::Drop => return,
            Step::Close(code) => return close(&mut ws, *code, "fake platform").await,
            Step::CloseWith(code, reason) => return close(&mut ws, *code, reason).await,
        };
        // The client may have gone (it ended or reconnected): that is for the test to judge.
        if sent.is_err() {
            return;
        }
    }
    // Script done: keep the connection until the client leaves.
    let _ = timeout(Duration::from_secs(60), async { while ws.next().await.is_some() {} }).await;
}

async fn read_hello(ws: &mut Ws) -> Result<Value, String> {
    loop {
        match timeout(FAKE_WAIT, ws.next()).await {
            Err(_) => return Err("no hello within 10 s".into()),
            Ok(None) => return Err("the client left before its hello".into()),
            Ok(Some(Err(e))) => return Err(format!("reading the hello: {e}")),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(Some(Ok(Message::Text(text)))) => {
                let hello: Value =
                    serde_json::from_str(&text).map_err(|e| format!("hello is not JSON ({e}): {text}"))?;
                if hello["type"] != "hello" || !hello["client"].is_string() {
                    return Err(format!("expected a hello, got {text}"));
                }
                if !hello.get("resume_after").is_some_and(|r| r.is_null() || r.is_u64()) {
                    return Err(format!("a hello carries resume_after, a seq or null: {text}"));
                }
                return Ok(hello);
            }
            Ok(Some(Ok(other))) => return Err(format!("expected a hello, got {other:?}")),
        }
    }
}

/// Closes with this code and reason, then waits for the client to go.
async fn close(ws: &mut Ws, code: u16, reason: &str) {
    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
    let _ = ws.close(Some(frame)).await;
    let _ = timeout(FAKE_WAIT, async { while ws.next().await.is_some() {} }).await;
}

/// The code of the client's close frame, or what came instead.
async fn read_close(ws: &mut Ws) -> Result<u16, String> {
    loop {
        match timeout(FAKE_WAIT, ws.next()).await {
            Err(_) => return Err("nothing within 10 s".into()),
            Ok(None) => return Err("the connection ended without a close frame".into()),
            Ok(Some(Err(e))) => return Err(format!("the connection failed without a close frame: {e}")),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return frame.map(|f| u16::from(f.code)).ok_or_else(|| "a close frame without a code".into());
            }
            Ok(Some(Ok(_))) => continue,
        }
    }
}

async fn send(ws: &mut Ws, text: String) -> Result<(), String> {
    ws.send(Message::text(text)).await.map_err(|e| e.to_string())
}

async fn send_events(ws: &mut Ws, history: &History, seqs: impl Iterator<Item = u64>) -> Result<(), String> {
    for seq in seqs {
        let Some(body) = history.get(&seq) else { continue }; // checked in Fake::start
        ws.feed(Message::text(frame(seq, body))).await.map_err(|e| e.to_string())?;
    }
    ws.flush().await.map_err(|e| e.to_string())
}

fn now_ts() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A server → client frame: the event body with the envelope (`v`, `seq`, `ts`).
fn frame(seq: u64, body: &Value) -> String {
    let mut frame = body.clone();
    let obj = frame.as_object_mut().expect("event bodies are objects");
    obj.insert("v".into(), json!(1));
    obj.insert("seq".into(), json!(seq));
    obj.insert("ts".into(), json!(now_ts()));
    frame.to_string()
}

fn welcome(seq: u64, resumed: bool) -> String {
    let stream = json!({
        "id": "fake-stream",
        "title": "Fake platform stream",
        "platform": "fake",
        "currency": "GBP",
        "started_at": now_ts(),
    });
    frame(seq, &json!({"type": "welcome", "stream": stream, "resumed": resumed}))
}

// ---------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------

fn user(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "region": "GB", "badges": [], "follower": false})
}

fn chat(n: u64) -> Value {
    json!({
        "type": "chat",
        "msg_id": format!("m{n}"),
        "user": user(&format!("u{}", n % 7), &format!("Viewer {}", n % 7)),
        "text": format!("comment {n}"),
        "reply_to": null,
    })
}

fn stream_state(state: &str) -> Value {
    json!({"type": "stream", "state": state})
}

fn order(id: &str, sku: &str, qty: u32, unit_price: &str, status: &str) -> Value {
    order_in(id, sku, qty, unit_price, "GBP", status)
}

fn order_in(id: &str, sku: &str, qty: u32, unit_price: &str, currency: &str, status: &str) -> Value {
    json!({
        "type": "order",
        "order_id": id,
        "user": user("u1", "Ann"),
        "sku": sku,
        "qty": qty,
        "unit_price": unit_price,
        "currency": currency,
        "status": status,
    })
}

fn order_update(id: &str, status: &str) -> Value {
    json!({"type": "order_update", "order_id": id, "status": status})
}

/// Numbers the events 1, 2, 3… in order.
fn numbered(events: Vec<Value>) -> History {
    (1..).zip(events).collect()
}

// ---------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------

/// A running child process, killed if the test ends before it does.
struct Proc {
    what: String,
    child: Child,
    started: Instant,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

/// How a child process ended.
struct Done {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Proc {
    fn spawn(what: &str, mut command: Command) -> Proc {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let drain = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = pipe.read_to_end(&mut buf);
                buf
            })
        };
        let stdout = Some(drain(Box::new(child.stdout.take().unwrap())));
        let stderr = Some(drain(Box::new(child.stderr.take().unwrap())));
        Proc { what: what.into(), child, started: Instant::now(), stdout, stderr }
    }

    /// Waits for the process to end (at most [`WAIT`]); on time-out kills it and panics.
    fn finish(mut self) -> Done {
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if self.started.elapsed() > WAIT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let err = self.stderr.take().map(|h| h.join().unwrap_or_default()).unwrap_or_default();
                let out = self.stdout.take().map(|h| h.join().unwrap_or_default()).unwrap_or_default();
                panic!(
                    "{} did not finish within {} s\nstdout: {}\nstderr: {}",
                    self.what,
                    WAIT.as_secs(),
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&err)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = self.started.elapsed();
        let text = |h: Option<JoinHandle<Vec<u8>>>| {
            String::from_utf8_lossy(&h.map(|h| h.join().unwrap_or_default()).unwrap_or_default()).into_owned()
        };
        Done { status, stdout: text(self.stdout.take()), stderr: text(self.stderr.take()), took }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Done {
    fn assert_success(&self) -> &Self {
        assert!(
            self.status.success(),
            "expected exit 0, got {}\nstdout: {}\nstderr: {}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// The `--summary json` object.
    fn summary(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!("stdout is not one JSON object ({e})\nstdout: {}\nstderr: {}", self.stdout, self.stderr)
        })
    }
}

/// `livedesk run --url URL --headless --summary json EXTRA…` with this environment.
fn run_headless(home: &Home, url: &str, extra: &[&str], env: &[(&str, &str)]) -> Done {
    let mut command = home.command();
    command.args(["run", "--url", url, "--headless", "--summary", "json"]).args(extra);
    command.envs(env.iter().copied());
    Proc::spawn("livedesk run --headless", command).finish()
}

/// `livedesk replay FILE --headless --max --summary json`.
fn replay_max(home: &Home, file: &Path) -> Done {
    let mut command = home.command();
    command.arg("replay").arg(file).args(["--headless", "--max", "--summary", "json"]);
    Proc::spawn("livedesk replay --headless --max", command).finish()
}

/// Checks summary counters; on a mismatch shows every wrong one and the whole summary.
fn assert_counts(summary: &Value, expected: &[(&str, u64)]) {
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(key, want)| summary[*key].as_u64() != Some(*want))
        .map(|(key, want)| format!("{key}: expected {want}, got {}", summary[*key]))
        .collect();
    assert!(wrong.is_empty(), "summary mismatch:\n  {}\nsummary: {summary:#}", wrong.join("\n  "));
}

// ---------------------------------------------------------------------------------------
// Feed health: duplicates, malformed and unknown frames, gaps, reconnects
// ---------------------------------------------------------------------------------------

#[test]
fn duplicates_malformed_unknown_and_a_dropped_connection_are_counted_exactly() {
    // Seqs 1-5 and 8-16 are chats, 6 is a chat without msg_id (malformed), 7 is of a
    // type this protocol version does not know, 17 ends the stream.
    let mut history: History = (1..=5).chain(8..=16).map(|n| (n, chat(n))).collect();
    history.insert(
        6,
        json!({"type": "chat", "user": user("u6", "Nobody"), "text": "no msg_id", "reply_to": null}),
    );
    history.insert(7, json!({"type": "hologram", "intensity": 9, "user": user("u7", "Holo")}));
    history.insert(17, stream_state("ended"));
    let first = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs((1..=5).collect()),
        Step::Raw("{this is not json".into()),
        Step::Seqs(vec![6, 7]),
        Step::Seqs((8..=10).collect()),
        Step::Seqs(vec![3, 4, 5]), // duplicates
        Step::Seqs(vec![11, 12]),
        Step::Drop,
    ];
    // The client applied up to 12: the platform resumes after it, 3 seqs early.
    let second = vec![Step::Hello(Some(12)), Step::Resume { overlap: 3, to: 17 }, Step::Close(4000)];
    let fake = Fake::start(history, vec![first, second]);
    let home = Home::new();
    let recording = home.dir.path().join("resumed.jsonl");

    let done = run_headless(&home, &fake.url, &["--record", recording.to_str().unwrap()], &[]);

    done.assert_success();
    fake.assert_no_problems();
    assert_counts(
        &done.summary(),
        &[
            ("events_applied", 15), // 14 chats + the stream's end
            ("chat_messages", 14),
            ("duplicates_dropped", 6), // 3, 4, 5 re-sent, then 10, 11, 12 in the resume
            ("malformed_dropped", 2),  // not JSON; no msg_id
            ("unknown_types", 1),
            ("gaps", 0),
            ("missed_events", 0),
            ("reconnects", 1),
        ],
    );
    let log = fake.log();
    assert_eq!(log.conns.len(), 2, "one reconnect: {log:#?}");
    assert_eq!(log.conns[0].hellos[0]["resume_after"], Value::Null);
    // The first backoff is at most 0.5 s; leave room for a busy machine.
    let dropped = log.conns[0].ended_at.expect("the first connection ended");
    let pause = log.conns[1].accepted_at.saturating_duration_since(dropped);
    assert!(pause < Duration::from_secs(3), "reconnected only after {pause:?}");
    assert!(done.took < Duration::from_secs(15), "the run took {:?}", done.took);
    // The recording holds each event once: no duplicate, no dropped frame.
    let replayed = replay_max(&home, &recording);
    replayed.assert_success();
    assert_counts(
        &replayed.summary(),
        &[("events_applied", 15), ("chat_messages", 14), ("duplicates_dropped", 0), ("malformed_dropped", 0)],
    );
}

#[test]
fn a_gap_in_seqs_is_counted_with_the_missed_events() {
    let mut history: History = (1..=6).map(|n| (n, chat(n))).collect();
    history.insert(7, stream_state("ended"));
    let script = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs(vec![1, 2, 5, 6, 7]), // 3 and 4 never come
        Step::Close(4000),
    ];
    let fake = Fake::start(history, vec![script]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[]);

    done.assert_success();
    fake.assert_no_problems();
    assert_counts(
        &done.summary(),
        &[
            ("events_applied", 5),
            ("chat_messages", 4),
            ("gaps", 1),
            ("missed_events", 2),
            ("duplicates_dropped", 0),
            ("malformed_dropped", 0),
            ("unknown_types", 0),
            ("reconnects", 0),
        ],
    );
}

#[test]
fn a_reconnect_the_platform_cannot_resume_counts_the_missed_events() {
    let mut history: History = (1..=11).map(|n| (n, chat(n))).collect();
    history.insert(12, stream_state("ended"));
    let first = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs((1..=4).collect()),
        // A server-side problem, then close 1011: retry with backoff.
        Step::Raw(frame(4, &json!({"type": "error", "code": "overloaded", "message": "try again"}))),
        Step::Close(1011),
    ];
    // The platform no longer holds 5-9: it says so (resumed: false, head 9) and goes on live.
    let second = vec![
        Step::Hello(Some(4)),
        Step::Welcome { seq: 9, resumed: false },
        Step::Seqs(vec![10, 11, 12]),
        Step::Close(4000),
    ];
    let fake = Fake::start(history, vec![first, second]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[]);

    done.assert_success();
    fake.assert_no_problems();
    assert_counts(
        &done.summary(),
        &[
            ("events_applied", 7),
            ("chat_messages", 6),
            ("gaps", 1),
            ("missed_events", 5),
            ("duplicates_dropped", 0),
            ("reconnects", 1),
        ],
    );
    assert_eq!(fake.log().conns.len(), 2);
}

#[test]
fn close_4000_ends_the_run_without_retry() {
    let history: History = (1..=3).map(|n| (n, chat(n))).collect();
    let script = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs(vec![1, 2, 3]),
        Step::Sleep(100),
        Step::Close(4000),
    ];
    let fake = Fake::start(history, vec![script]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[]);

    done.assert_success();
    fake.assert_no_problems();
    assert_counts(&done.summary(), &[("events_applied", 3), ("chat_messages", 3), ("reconnects", 0)]);
    assert_eq!(fake.log().conns.len(), 1, "no retry after close 4000");
    assert!(done.stderr.trim().is_empty(), "stderr: {}", done.stderr);
}

#[test]
fn a_frame_over_256_kib_does_not_crash_the_client() {
    // Seq 6 is a chat of 300 KiB: over the protocol's limit. The platform never holds it
    // for a resume (it would be refused again), so it is a seq the client never gets.
    let mut history: History = (1..=5).chain(7..=10).map(|n| (n, chat(n))).collect();
    history.insert(11, stream_state("ended"));
    let mut huge = chat(6);
    huge["text"] = json!("x".repeat(300 * 1024));
    let first = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs((1..=5).collect()),
        Step::Raw(frame(6, &huge)),
        // A client that stayed connected gets the rest here…
        Step::Seqs((7..=11).collect()),
        Step::Close(4000),
    ];
    // …and one that dropped the connection over it resumes after 5.
    let second = vec![Step::Hello(Some(5)), Step::Resume { overlap: 0, to: 11 }, Step::Close(4000)];
    let fake = Fake::start(history, vec![first, second]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[]);

    done.assert_success();
    fake.assert_no_problems();
    let summary = done.summary();
    assert_counts(&summary, &[("events_applied", 10), ("chat_messages", 9), ("duplicates_dropped", 0)]);
    let (reconnects, malformed) = (summary["reconnects"].as_u64(), summary["malformed_dropped"].as_u64());
    match (reconnects, malformed) {
        // Refused at the WebSocket layer: the connection went, seq 6 is a gap of one.
        (Some(1), Some(0)) => assert_counts(&summary, &[("gaps", 1), ("missed_events", 1)]),
        // Read and dropped: counted, the connection stayed.
        (Some(0), Some(1)) => assert_eq!(fake.log().conns.len(), 1),
        _ => panic!("the huge frame was neither counted nor reconnected over: {summary:#}"),
    }
}

#[test]
fn a_frame_over_256_kib_is_refused_with_close_1009() {
    let mut history: History = (1..=5).map(|n| (n, chat(n))).collect();
    history.insert(6, stream_state("ended"));
    let mut huge = chat(99);
    huge["text"] = json!("x".repeat(300 * 1024));
    let first = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs((1..=5).collect()),
        Step::RawAnyway(frame(99, &huge)),
        Step::ExpectClose(1009),
    ];
    let second = vec![Step::Hello(Some(5)), Step::Resume { overlap: 0, to: 6 }, Step::Close(4000)];
    let fake = Fake::start(history, vec![first, second]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[]);

    done.assert_success();
    fake.assert_no_problems();
}

#[test]
fn unknown_fields_are_ignored_whatever_their_names() {
    // Fields a platform might add to an event, named like fields of other event types.
    let mut with_status = chat(1);
    with_status["status"] = json!("visible");
    let mut with_state = chat(2);
    with_state["state"] = json!({"pinned": true});
    let mut with_count = chat(3);
    with_count["count"] = json!("first-time");
    let mut viewers = json!({"type": "viewers", "count": 40});
    viewers["user"] = json!("system");
    let mut order_with_action = order("o1", "ALMOND-PINK", 1, "8.99", "paid");
    order_with_action["action"] = json!("buy_now");
    let mut plain = chat(4);
    plain["sticker"] = json!({"id": 7, "animated": true});
    let events =
        vec![with_status, with_state, with_count, viewers, order_with_action, plain, stream_state("ended")];
    let count = events.len() as u64;
    let script = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs((1..=count).collect()),
        Step::Close(4000),
    ];
    let fake = Fake::start(numbered(events), vec![script]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[]);

    done.assert_success();
    fake.assert_no_problems();
    assert_counts(
        &done.summary(),
        &[
            ("events_applied", count),
            ("chat_messages", 4),
            ("viewers_peak", 40),
            ("orders", 1),
            ("malformed_dropped", 0),
            ("unknown_types", 0),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Orders and stock
// ---------------------------------------------------------------------------------------

/// Price in pence from a decimal string like "12.99".
fn pence(price: &str) -> i64 {
    let (whole, frac) = price.split_once('.').unwrap_or((price, "0"));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap()
}

/// The stock ledger the protocol describes, kept by the test from the events it sends:
/// a live order (placed/paid) takes stock once and counts towards GMV; a later cancel or
/// refund gives back what it took, once; a repeated order id is a status update; the
/// platform's `stock` figure overrides; stock never goes below zero and the excess of an
/// order is oversold.
struct Ledger {
    stock: BTreeMap<String, i64>,
    orders: HashMap<String, Booked>,
    /// currency → GMV in hundredths
    gmv: BTreeMap<String, i64>,
    oversold: i64,
}

/// An order as the ledger remembers it.
struct Booked {
    sku: String,
    qty: i64,
    taken: i64,
    /// Price in hundredths of the currency.
    price: i64,
    currency: String,
    live: bool,
}

impl Ledger {
    fn new(stock: BTreeMap<String, i64>) -> Ledger {
        Ledger { stock, orders: HashMap::new(), gmv: BTreeMap::new(), oversold: 0 }
    }

    fn apply(&mut self, event: &Value) {
        let s = |k: &str| event[k].as_str().unwrap().to_owned();
        let live = |status: &str| matches!(status, "placed" | "paid");
        match event["type"].as_str().unwrap() {
            "order" if self.orders.contains_key(&s("order_id")) => self.update(&s("order_id"), &s("status")),
            "order" => {
                let (sku, qty, price) = (s("sku"), event["qty"].as_i64().unwrap(), pence(&s("unit_price")));
                let (currency, is_live) = (s("currency"), live(&s("status")));
                let mut taken = 0;
                if is_live {
                    let available = self.stock.entry(sku.clone()).or_insert(0);
                    taken = qty.min(*available);
                    *available -= taken;
                    self.oversold += qty - taken;
                    *self.gmv.entry(currency.clone()).or_insert(0) += qty * price;
                }
                self.orders.insert(s("order_id"), Booked { sku, qty, taken, price, currency, live: is_live });
            }
            "order_update" => self.update(&s("order_id"), &s("status")),
            "stock" => {
                self.stock.insert(s("sku"), event["available"].as_i64().unwrap());
            }
            _ => {}
        }
    }

    fn update(&mut self, id: &str, status: &str) {
        let Some(order) = self.orders.get_mut(id) else { return };
        if !order.live || matches!(status, "placed" | "paid") {
            return;
        }
        order.live = false;
        *self.stock.get_mut(&order.sku).unwrap() += order.taken;
        self.oversold -= order.qty - order.taken;
        *self.gmv.get_mut(&order.currency).unwrap() -= order.qty * order.price;
    }

    /// GMV per currency as decimal strings, like the summary's.
    fn gmv(&self) -> Value {
        self.gmv.iter().map(|(c, v)| (c.clone(), json!(format!("{}.{:02}", v / 100, v % 100)))).collect()
    }
}

/// The default shop's starting stock, read from its catalog file: a product with variants
/// has theirs, and its own is their sum.
fn default_stock() -> BTreeMap<String, i64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("demos/catalog.toml");
    let catalog: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let mut stock = BTreeMap::new();
    for p in catalog["product"].as_array().unwrap() {
        let sku = p["sku"].as_str().unwrap().to_owned();
        match p.get("variant").and_then(|v| v.as_array()) {
            Some(variants) => {
                for v in variants {
                    stock.insert(v["sku"].as_str().unwrap().to_owned(), v["stock"].as_integer().unwrap());
                }
                stock.insert(sku, variants.iter().map(|v| v["stock"].as_integer().unwrap()).sum());
            }
            None => {
                stock.insert(sku, p["stock"].as_integer().unwrap());
            }
        }
    }
    stock
}

#[test]
fn orders_cancels_duplicates_and_oversold_stock_match_an_independent_ledger() {
    let start = default_stock();
    let french = start["SQUARE-FRENCH"];
    let events = vec![
        stream_state("live"),
        order("o1", "ALMOND-PINK", 2, "8.99", "placed"),
        order_update("o1", "paid"),
        order("o2", "COFFIN-NUDE", 1, "9.99", "paid"),
        order("o3", "STILETTO-RED", 3, "11.99", "paid"),
        order_update("o3", "cancelled"),
        order_update("o3", "refunded"), // already returned: nothing more
        order("o2", "COFFIN-NUDE", 1, "9.99", "paid"), // the same order again
        order_update("o99", "cancelled"), // an order never seen
        order("o4", "NAIL-GLUE-KIT", 1, "5.49", "placed"),
        order_update("o4", "refunded"),
        // Every unit of one product, then one more: oversold by 1.
        order("o5", "SQUARE-FRENCH", u32::try_from(french).unwrap(), "7.99", "paid"),
        order("o6", "SQUARE-FRENCH", 1, "7.99", "placed"),
        // The platform's own figure wins; the next order goes past it by 2.
        json!({"type": "stock", "sku": "OVAL-GLITTER", "available": 9}),
        order("o7", "OVAL-GLITTER", 11, "12.99", "paid"),
        order("o8", "ALMOND-PINK", 1, "8.99", "cancelled"), // cancelled on arrival: takes nothing
        order_in("o9", "COFFIN-NUDE", 2, "10.50", "EUR", "paid"), // GMV is kept per currency
        stream_state("ended"),
    ];
    let mut ledger = Ledger::new(start.clone());
    for e in &events {
        ledger.apply(e);
    }
    let count = events.len() as u64;
    let script = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs((1..=count).collect()),
        Step::Close(4000),
    ];
    let fake = Fake::start(numbered(events), vec![script]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[]);

    done.assert_success();
    fake.assert_no_problems();
    let summary = done.summary();
    assert_counts(
        &summary,
        &[
            ("events_applied", count),
            ("orders", ledger.orders.len() as u64),
            ("oversold", ledger.oversold as u64),
        ],
    );
    assert_eq!(ledger.orders.len(), 9);
    assert_eq!(ledger.oversold, 3);
    assert_eq!(ledger.gmv(), json!({"EUR": "21.00", "GBP": "498.45"}), "the test's own arithmetic");
    assert_eq!(summary["gmv"], ledger.gmv(), "summary: {summary:#}");
    let stock: BTreeMap<String, i64> = serde_json::from_value(summary["stock"].clone()).unwrap();
    assert_eq!(stock, ledger.stock, "summary: {summary:#}");
    assert_eq!(stock["SQUARE-FRENCH"], 0);
    assert_eq!(stock["STILETTO-RED"], start["STILETTO-RED"], "the cancel gave the stock back");
}

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

#[test]
fn a_rejected_token_stops_at_once_and_names_the_variable() {
    let fake = Fake::start(History::new(), vec![vec![Step::Close(1008)]]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[("LIVEDESK_TOKEN", "not-the-token")]);

    assert!(!done.status.success(), "a refused token must fail the run; stdout: {}", done.stdout);
    let stderr = done.stderr.trim();
    assert_eq!(stderr.lines().count(), 1, "one line on stderr, got:\n{stderr}");
    assert!(stderr.to_lowercase().contains("token"), "stderr: {stderr}");
    assert!(stderr.contains("LIVEDESK_TOKEN"), "stderr: {stderr}");
    assert!(!stderr.contains("not-the-token"), "the token itself must not be shown: {stderr}");
    let log = fake.log();
    assert_eq!(log.conns.len(), 1, "no retry after close 1008: {log:#?}");
    assert_eq!(log.conns[0].auth.as_deref(), Some("Bearer not-the-token"));
}

/// The events `livedesk serve` sends for a script file: (total, chats). The server ends
/// the stream with a `stream ended` event of its own unless the script's last event is one.
fn count_served(path: &Path) -> (u64, u64) {
    let text = std::fs::read_to_string(path).unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|l| l.get("event").cloned())
        .collect();
    let chats = events.iter().filter(|e| matches!(e["type"].as_str(), Some("chat" | "question"))).count();
    let ends_itself = events.last().is_some_and(|e| e["type"] == "stream" && e["state"] == "ended");
    (events.len() as u64 + u64::from(!ends_itself), chats as u64)
}

#[test]
fn the_local_server_refuses_a_wrong_token_and_accepts_the_right_one() {
    let home = Home::new();
    let script = fixture("e2e-stream.jsonl");
    let server = Server::start_env(
        &home,
        &script,
        0,
        &["--speed", "8", "--token-env", "SERVE_TOKEN"],
        &[("SERVE_TOKEN", "right")],
    );

    let wrong = run_headless(&home, &server.url, &[], &[("LIVEDESK_TOKEN", "wrong")]);
    assert!(!wrong.status.success(), "a wrong token must fail; stdout: {}", wrong.stdout);
    let stderr = wrong.stderr.trim();
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr}");
    assert!(stderr.contains("LIVEDESK_TOKEN"), "stderr: {stderr}");

    let right = run_headless(&home, &server.url, &[], &[("LIVEDESK_TOKEN", "right")]);
    right.assert_success();
    let (events, chats) = count_served(&script);
    assert_counts(
        &right.summary(),
        &[("events_applied", events), ("chat_messages", chats), ("reconnects", 0), ("gaps", 0)],
    );
}

// ---------------------------------------------------------------------------------------
// Recording and replay
// ---------------------------------------------------------------------------------------

/// Whether a character could steer a terminal or reorder text: ESC, C1 controls, bidi controls.
fn is_hostile(c: char) -> bool {
    c == '\u{1b}'
        || ('\u{80}'..='\u{9f}').contains(&c)
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

fn hostile_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.chars().any(is_hostile) => out.push(format!("{s:?}")),
        Value::Array(items) => items.iter().for_each(|v| hostile_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| hostile_strings(v, out)),
        _ => {}
    }
}

#[test]
fn a_close_reason_with_escapes_never_reaches_the_log() {
    let history: History = (1..=3).map(|n| (n, chat(n))).chain([(4, stream_state("ended"))]).collect();
    let reason = "\u{1b}]52;c;cm0gLXJmIH4K\u{7}\u{1b}[2J\u{9b}31mbusy\u{202e}";
    let first = vec![
        Step::Hello(None),
        Step::Welcome { seq: 0, resumed: false },
        Step::Seqs(vec![1, 2]),
        Step::CloseWith(1011, reason.into()),
    ];
    let second = vec![Step::Hello(Some(2)), Step::Resume { overlap: 0, to: 4 }, Step::Close(4000)];
    let fake = Fake::start(history, vec![first, second]);
    let home = Home::new();

    let done = run_headless(&home, &fake.url, &[], &[]);

    done.assert_success();
    fake.assert_no_problems();
    assert_counts(&done.summary(), &[("chat_messages", 3), ("reconnects", 1), ("missed_events", 0)]);
    assert!(!done.stderr.chars().any(is_hostile), "stderr: {:?}", done.stderr);
    let log =
        std::fs::read_to_string(home.dir.path().join("state/livedesk.log")).expect("the log was written");
    let bad: Vec<char> = log.chars().filter(|&c| is_hostile(c)).collect();
    assert!(bad.is_empty(), "hostile characters in the log: {bad:?}\n{log:?}");
}

#[test]
fn escape_sequences_never_reach_the_recording() {
    let evil_name = "\u{1b}[2J\u{1b}[HEve\u{202e}lyn\u{202c}";
    let events = vec![
        json!({"type": "chat", "msg_id": "m1", "user": user("u1", evil_name),
               "text": "\u{1b}[31mRED alert\u{1b}[0m", "reply_to": null}),
        json!({"type": "chat", "msg_id": "m2", "user": user("u2", "Osc"),
               "text": "copy me\u{1b}]52;c;cm0gLXJmIH4K\u{7}", "reply_to": "m1"}),
        json!({"type": "chat", "msg_id": "m\u{1b}]0;pwned\u{1b}\\3", "user": user("u\u{9b}2J3", "C1 \u{9d}52;c;Zm9v\u{9c}user"),
               "text": "next\u{85}line \u{9b}31m8-bit csi", "reply_to": null}),
        json!({"type": "question", "msg_id": "m4", "user": user("u4", "\u{2066}Bidi\u{2069}\u{200f}"),
               "text": "is \u{202e}gnp.exe\u{202c} safe? \u{1b}Pq#0;2;0;0;0\u{1b}\\ \u{61c}"}),
        json!({"type": "join", "user": user("u5", "\u{1b}]8;;http://evil\u{7}Link\u{1b}]8;;\u{7}")}),
        json!({"type": "gift", "user": user("u6", "Gifter\u{1b}7"),
               "gift": {"name": "Rose\u{1b}[5m", "value": "0.10", "currency": "GBP"}, "repeat": 2}),
        stream_state("ended"),
    ];
    let count = events.len() as u64;
    let stream = json!({"id": "evil\u{1b}]0;owned\u{7}-stream\u{202e}", "title": "\u{1b}[5mTitle",
                        "platform": "fake\u{9b}1m", "currency": "GBP", "started_at": now_ts()});
    let script = vec![
        Step::Hello(None),
        Step::Raw(frame(0, &json!({"type": "welcome", "stream": stream, "resumed": false}))),
        Step::Seqs((1..=count).collect()),
        Step::Close(4000),
    ];
    let fake = Fake::start(numbered(events), vec![script]);
    let home = Home::new();
    let recording = home.dir.path().join("evil.jsonl");

    let done = run_headless(&home, &fake.url, &["--record", recording.to_str().unwrap()], &[]);

    done.assert_success();
    fake.assert_no_problems();
    let summary = done.summary();
    assert_counts(&summary, &[("chat_messages", 4), ("events_applied", count)]);
    let mut found = Vec::new();
    hostile_strings(&summary, &mut found);
    assert!(found.is_empty() && !done.stdout.chars().any(is_hostile), "summary: {:?}", done.stdout);
    assert_eq!(summary["stream"], "evil-stream");
    let bytes = std::fs::read(&recording).expect("the recording was written");
    assert!(!bytes.contains(&0x1b), "ESC in the recording");
    let text = String::from_utf8(bytes).expect("the recording is UTF-8");
    let bad: Vec<char> = text.chars().filter(|&c| is_hostile(c)).collect();
    assert!(bad.is_empty(), "hostile characters in the recording: {bad:?}\n{text}");
    // Not even escaped inside JSON strings.
    let mut found = Vec::new();
    let lines: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line ({e}): {l}")))
        .collect();
    lines.iter().for_each(|l| hostile_strings(l, &mut found));
    assert!(found.is_empty(), "hostile strings in the recording: {found:#?}");
    assert_eq!(lines.len() as u64, count, "every event recorded once:\n{text}");
    // The words themselves survive.
    assert!(text.contains("RED alert") && text.contains("copy me"), "{text}");
}

#[test]
fn a_recording_replays_to_the_same_figures() {
    let home = Home::new();
    let server = Server::start_env(&home, &fixture("e2e-stream.jsonl"), 0, &["--speed", "8"], &[]);
    let recording = home.dir.path().join("recorded.jsonl");

    let live = run_headless(&home, &server.url, &["--record", recording.to_str().unwrap()], &[]);
    live.assert_success();
    let replayed = replay_max(&home, &recording);
    replayed.assert_success();

    let (live, replayed) = (live.summary(), replayed.summary());
    assert!(live["chat_messages"].as_u64().unwrap() > 0, "live: {live:#}");
    assert!(live["orders"].as_u64().unwrap() > 0, "live: {live:#}");
    for key in ["chat_messages", "orders", "gmv", "stock", "oversold", "events_applied"] {
        assert_eq!(live[key], replayed[key], "{key} differs\nlive: {live:#}\nreplay: {replayed:#}");
    }
}

#[test]
fn a_generated_file_of_20000_chats_replays_headless() {
    let home = Home::new();
    let path = home.dir.path().join("big.jsonl");
    let mut text = String::from("# 20,000 chats\n");
    for n in 0..20_000u64 {
        let line = json!({"at_ms": n * 5, "event": chat(n)});
        text.push_str(&line.to_string());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();

    let done = replay_max(&home, &path);

    done.assert_success();
    assert_counts(
        &done.summary(),
        &[("chat_messages", 20_000), ("events_applied", 20_000), ("malformed_dropped", 0)],
    );
}

#[test]
fn a_flash_sale_replayed_headless_reports_its_units_revenue_and_runs() {
    let home = Home::new();
    let path = home.dir.path().join("sale.jsonl");
    let start = json!({"id": "almond-rush"});
    let lines = [
        json!({"at_ms": 0, "operator": "start_sale", "args": start}),
        json!({"at_ms": 1000, "event": order("o1", "ALMOND-PINK", 2, "4.99", "paid")}),
        json!({"at_ms": 2000, "event": order("o2", "ALMOND-PINK", 1, "4.99", "placed")}),
        json!({"at_ms": 3000, "operator": "pause_sale"}),
        // At the normal price while paused: not the sale's.
        json!({"at_ms": 4000, "event": order("o3", "ALMOND-PINK", 1, "8.99", "paid")}),
        json!({"at_ms": 5000, "operator": "extend_sale", "args": {"seconds": 60}}),
        json!({"at_ms": 6000, "operator": "resume_sale"}),
        json!({"at_ms": 7000, "event": order_update("o2", "cancelled")}),
        json!({"at_ms": 8000, "event": order("o4", "ALMOND-PINK", 3, "4.99", "paid")}),
        json!({"at_ms": 9000, "operator": "end_sale"}),
        // A second round.
        json!({"at_ms": 10000, "operator": "start_sale", "args": start}),
        json!({"at_ms": 11000, "event": order("o5", "ALMOND-PINK", 1, "4.49", "paid")}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).unwrap();

    let done = replay_max(&home, &path);

    done.assert_success();
    let summary = done.summary();
    assert_eq!(
        summary["sales"][0],
        json!({"id": "almond-rush", "state": "live", "sold": 1, "quantity": 10, "revenue": "29.44", "runs": 2}),
        "summary: {summary:#}"
    );
    assert_eq!(summary["sales"][1]["revenue"], "0.00");
    assert_eq!(summary["sales"][1]["runs"], 0);
}

// ---------------------------------------------------------------------------------------
// Feed health: quiet spells and a relay's replay on reconnect
// ---------------------------------------------------------------------------------------

#[test]
fn a_long_silence_while_many_watch_is_a_quiet_spell_measured_on_the_scripts_clock() {
    let home = Home::new();
    let path = home.dir.path().join("quiet.jsonl");
    let viewers = |n: u64| json!({"type": "viewers", "count": n});
    let lines = [
        json!({"at_ms": 0, "event": viewers(3400)}),
        json!({"at_ms": 1_000, "event": chat(1)}),
        json!({"at_ms": 2_000, "event": chat(2)}),
        // A minute and a half with no comment while 3,400 watch: quiet.
        json!({"at_ms": 92_000, "event": chat(3)}),
        // Five minutes with 150 watching: a small stream is allowed to be quiet.
        json!({"at_ms": 100_000, "event": viewers(150)}),
        json!({"at_ms": 400_000, "event": chat(4)}),
        // Then many arrive and nobody writes until the stream ends.
        json!({"at_ms": 401_000, "event": viewers(5000)}),
        json!({"at_ms": 500_000, "event": stream_state("ended")}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).unwrap();

    let done = replay_max(&home, &path);

    done.assert_success();
    let summary = done.summary();
    let health = &summary["feed_health"];
    assert_counts(health, &[("quiet_spells", 2), ("quiet_seconds", 190), ("longest_quiet_seconds", 100)]);
    assert_counts(
        health,
        &[("reconnects", 0), ("gaps", 0), ("missed", 0), ("duplicates", 0), ("malformed", 0)],
    );
    let spells = health["spells"].as_array().unwrap();
    let got: Vec<(u64, u64)> =
        spells.iter().map(|s| (s["seconds"].as_u64().unwrap(), s["viewers"].as_u64().unwrap())).collect();
    assert_eq!(got, [(90, 3400), (100, 5000)], "{summary:#}");
    // Each spell starts at the last comment before it, on the script's clock.
    let start = |s: &Value| chrono::DateTime::parse_from_rfc3339(s["start"].as_str().unwrap()).unwrap();
    assert_eq!((start(&spells[1]) - start(&spells[0])).num_milliseconds(), 398_000, "{summary:#}");
}

#[test]
fn a_tiktok_relays_replay_of_recent_comments_on_reconnect_counts_once_in_the_feed_health() {
    use common::fake;
    let room = json!({"event": "roomUser", "data": {"topViewers": [], "viewerCount": 3400}}).to_string();
    let mut first = vec![room];
    first.extend((1..=8).map(fake::tiktok_comment));
    // On connect the relay replays its last six comments, then the stream goes on and ends.
    let mut second: Vec<String> = (3..=8).map(fake::tiktok_comment).collect();
    second.extend((9..=10).map(fake::tiktok_comment));
    second.push(json!({"event": "streamEnd", "data": {"action": 3}}).to_string());
    let relay = fake::Fake::start(vec![
        fake::Conn { frames: first, wait_for: 0, end: false, hold: false },
        fake::Conn { frames: second, wait_for: 0, end: true, hold: false },
    ]);
    let home = Home::new();

    let out = fake::run_headless(
        &home,
        &format!("{}?uniqueId=@sellerdemo", relay.url),
        &["--format", "tiktok"],
        &[],
    );

    let s = fake::summary(&out);
    assert_eq!(relay.received().len(), 2, "one reconnect");
    assert_eq!(s["chat_messages"], 10, "every comment once: {s:#}");
    assert_counts(&s["feed_health"], &[("reconnects", 1), ("duplicates", 6), ("gaps", 0), ("malformed", 0)]);
    assert_eq!(s["duplicates_dropped"], s["feed_health"]["duplicates"], "{s:#}");
    // The whole run is far shorter than a minute: no silence could have been quiet.
    assert_counts(&s["feed_health"], &[("quiet_spells", 0), ("quiet_seconds", 0)]);
}

// ---------------------------------------------------------------------------------------
// Giveaways
// ---------------------------------------------------------------------------------------

#[test]
fn a_replayed_giveaway_draws_the_winners_its_seed_and_entrants_give() {
    use livedesk::desk::giveaways::{Seed, draw::draw};
    let home = Home::new();
    let chat = |at: u64, n: u64, name: &str, region: &str, text: &str| {
        json!({"at_ms": at, "event": {"type": "chat", "msg_id": format!("m{n}"),
            "user": {"id": format!("u-{name}"), "name": name, "region": region, "badges": [], "follower": false},
            "text": text, "reply_to": null}})
        .to_string()
    };
    // The demo shop's giveaway (60 s, two winners, keyword "giveaway", UK only).
    let mut lines = vec![
        json!({"at_ms": 0, "event": {"type": "stream", "state": "live"}}).to_string(),
        json!({"at_ms": 1000, "operator": "start_giveaway", "args": {"seed": "00000000deadbeef"}})
            .to_string(),
    ];
    let people = [("ann", "GB"), ("bo", "GB"), ("cy", "US"), ("dee", "GB"), ("eli", "GB"), ("fay", "GB")];
    for (i, (name, region)) in people.iter().enumerate() {
        lines.push(chat(2000 + i as u64 * 100, i as u64, name, region, "GIVEAWAY!! 🎁"));
    }
    lines.push(chat(3000, 90, "ann", "GB", "giveaway again"));
    lines.push(chat(3100, 91, "gus", "GB", "what a giveaway, no"));
    lines.push(json!({"at_ms": 70000, "event": {"type": "viewers", "count": 12}}).to_string());
    let script = home.dir.path().join("giveaway.jsonl");
    std::fs::write(&script, lines.join("\n") + "\n").unwrap();

    let entrants = ["ann", "bo", "dee", "eli", "fay", "gus"];
    let expected: Vec<&str> =
        draw(Seed(0xdead_beef), entrants.len(), 2).into_iter().map(|i| entrants[i]).collect();
    for _ in 0..2 {
        let done = replay_max(&home, &script);
        done.assert_success();
        let summary = done.summary();
        let g = &summary["giveaways"][0];
        assert_eq!(g["id"], "glue-kit", "{summary:#}");
        assert_eq!(g["state"], "drawn", "{summary:#}");
        assert_eq!(g["seed"], "00000000deadbeef", "{summary:#}");
        assert_eq!(g["entrants"], 6, "cy lives where the shop does not ship; ann enters once");
        assert_eq!(g["refused"], 1, "{summary:#}");
        assert_eq!(g["winners"], json!(expected), "{summary:#}");
    }
}

// ---------------------------------------------------------------------------------------
// The hold policy
// ---------------------------------------------------------------------------------------

/// Two buyers claim the last unit under `policy = "first-paid"`: the second pays first and
/// gets it; each is asked to pay once, and the first is told once that she waits in line.
#[test]
fn first_paid_the_buyer_who_pays_first_gets_the_last_unit_and_the_other_waits_in_line() {
    let home = Home::new();
    home.write("claims.toml", "policy = \"first-paid\"\nreminder_minutes = 2\n");
    let server = Server::start_env(&home, &fixture("first-paid-race.jsonl"), 0, &["--speed", "4"], &[]);
    let run = run_headless(&home, &server.url, &[], &[]);
    run.assert_success();
    let summary = run.summary();
    assert_eq!(summary["stock"]["ALMOND-PINK"], 0, "{summary:#}");
    assert_eq!(summary["claims"]["confirmed"], 1, "{summary:#}");
    assert_eq!(summary["oversold"], 0, "{summary:#}");
    let said = |to: &str| -> Vec<String> {
        server
            .received()
            .iter()
            .filter(|v| v["type"] == "send_chat" && v["reply_to"] == to)
            .map(|v| v["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let ann = said("m001");
    assert_eq!(ann.len(), 2, "Ann is asked to pay, then told she waits in line: {ann:?}");
    assert!(ann[0].starts_with("@Ann noted!") && ann[0].contains("pays first"), "{ann:?}");
    assert!(ann[1].starts_with("@Ann") && ann[1].contains("waitlist"), "{ann:?}");
    assert_eq!(summary["claims"]["waiting"], 1, "{summary:#}");
    let bea = said("m002");
    assert_eq!(bea.len(), 1, "Bea is asked to pay, and pays: {bea:?}");
    assert!(bea[0].starts_with("@Bea noted!"), "{bea:?}");
}

/// A recorded rehearsal's show steps replay onto the same cue with the same show, and say
/// what is wrong with a show that names what the shop lacks.
#[test]
fn a_replayed_rehearsal_lands_on_the_cue_it_was_left_on() {
    let home = Home::new();
    let script = home.config_dir().join("rehearsal.jsonl");
    let lines = [
        r#"{"at_ms": 0, "event": {"type": "chat", "msg_id": "m1", "user": {"id": "u1", "name": "Ann"}, "text": "hi!"}}"#,
        r#"{"at_ms": 10, "operator": "next_cue", "args": {}}"#,
        r#"{"at_ms": 20, "operator": "next_cue", "args": {}}"#,
        r#"{"at_ms": 30, "operator": "next_cue", "args": {}}"#,
        r#"{"at_ms": 40, "operator": "previous_cue", "args": {}}"#,
        r#"{"at_ms": 700000, "event": {"type": "viewers", "count": 30}}"#,
    ];
    std::fs::write(&script, lines.join("\n") + "\n").unwrap();
    let show = Path::new(env!("CARGO_MANIFEST_DIR")).join("demos").join("show.toml");
    let mut command = home.command();
    command
        .arg("replay")
        .arg(&script)
        .args(["--headless", "--max", "--summary", "json", "--show"])
        .arg(&show);
    let done = Proc::spawn("livedesk replay --show", command).finish();
    let summary = done.assert_success().summary();
    assert_eq!(summary["show"], serde_json::json!({"cue": 2, "cues": 7, "due": 1}), "{summary:#}");

    let without = replay_max(&home, &script);
    assert!(without.assert_success().summary().get("show").is_none(), "no show, none in the summary");

    let bad = home.config_dir().join("bad-show.toml");
    std::fs::write(&bad, "[[cue]]\nproduct = \"NO-SUCH-SKU\"\n").unwrap();
    let mut command = home.command();
    command.arg("replay").arg(&script).args(["--headless", "--max", "--show"]).arg(&bad);
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("bad-show.toml:2:11: no product with sku `NO-SUCH-SKU` in catalog.toml"),
        "{stderr}"
    );
}
