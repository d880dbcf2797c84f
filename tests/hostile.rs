//! The real binary, headless, against platforms that misbehave: one that restarts its
//! numbering, one that sends frames with wild seqs, one that never says welcome, one that
//! closes after every welcome, and a `wss://` relay whose certificate does not verify. The
//! connection must never lose events, hide them, or hammer the platform.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use common::Home;
use common::fake::{run_headless, summary};

/// What the fake does on one connection, after its frames.
#[derive(Clone, Copy, Debug)]
enum Then {
    /// Close with this code.
    Close(u16),
    /// Say nothing more (pings are still answered) until the client goes.
    Silent,
}

/// One connection: the frames sent once the client said hello, then what follows.
#[derive(Clone, Debug)]
struct Conn {
    frames: Vec<String>,
    then: Then,
}

/// What the fake saw of one connection.
#[derive(Clone, Debug)]
struct Seen {
    /// When the TCP connection was accepted.
    at: Instant,
    /// The client's hello, if it got that far.
    hello: Option<Value>,
    /// Whether the client closed the connection itself.
    client_closed: bool,
}

/// A platform fake that plays `conns[N]` on connection N (and drops any later one), over
/// TLS when given a certificate.
struct Hostile {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    _rt: tokio::runtime::Runtime,
}

impl Hostile {
    fn start(conns: Vec<Conn>) -> Hostile {
        Hostile::serve(conns, None)
    }

    fn serve(conns: Vec<Conn>, tls: Option<TlsAcceptor>) -> Hostile {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        // The certificate is made for `localhost`.
        let url = match tls {
            Some(_) => format!("wss://localhost:{port}/"),
            None => format!("ws://127.0.0.1:{port}/"),
        };
        let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
        let log = seen.clone();
        rt.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let slot = {
                    let mut log = log.lock().unwrap();
                    log.push(Seen { at: Instant::now(), hello: None, client_closed: false });
                    log.len() - 1
                };
                let Some(conn) = conns.get(slot).cloned() else { continue };
                let (log, tls) = (log.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(tls) => {
                            if let Ok(stream) = tls.accept(tcp).await {
                                play(stream, conn, &log, slot).await;
                            }
                        }
                        None => play(tcp, conn, &log, slot).await,
                    }
                });
            }
        });
        Hostile { url, seen, _rt: rt }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The time from each connection to the next.
    fn waits(&self) -> Vec<Duration> {
        self.seen().windows(2).map(|w| w[1].at - w[0].at).collect()
    }
}

async fn play<S: AsyncRead + AsyncWrite + Unpin>(stream: S, conn: Conn, log: &Mutex<Vec<Seen>>, slot: usize) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
    let hello = loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => break serde_json::from_str::<Value>(&t).unwrap(),
            Some(Ok(_)) => {}
            _ => return,
        }
    };
    log.lock().unwrap()[slot].hello = Some(hello);
    for frame in conn.frames {
        if ws.send(Message::text(frame)).await.is_err() {
            return;
        }
    }
    match conn.then {
        Then::Close(code) => {
            let _ = ws.close(Some(CloseFrame { code: CloseCode::from(code), reason: "".into() })).await;
            // Read on until the client answers the close.
            while let Ok(Some(Ok(_))) = tokio::time::timeout(Duration::from_secs(2), ws.next()).await {}
        }
        Then::Silent => {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
                if msg.is_close() {
                    log.lock().unwrap()[slot].client_closed = true;
                }
            }
        }
    }
}

fn welcome(seq: u64, resumed: bool, epoch: Option<&str>) -> String {
    let mut w = json!({"type": "welcome", "v": 1, "seq": seq, "ts": "2025-01-06T18:00:00.000Z",
        "stream": {"id": "s1", "title": "Mug Monday", "currency": "EUR"}, "resumed": resumed});
    if let Some(e) = epoch {
        w["epoch"] = json!(e);
    }
    w.to_string()
}

fn chat(seq: u64, msg_id: &str) -> String {
    json!({"type": "chat", "v": 1, "seq": seq, "ts": "2025-01-06T18:00:01.000Z", "msg_id": msg_id,
        "user": {"id": "u1", "name": "Bea"}, "text": format!("hello from {msg_id}"), "reply_to": null})
    .to_string()
}

fn order(seq: u64, order_id: &str) -> String {
    json!({"type": "order", "v": 1, "seq": seq, "ts": "2025-01-06T18:00:02.000Z", "order_id": order_id,
        "user": {"id": "u1", "name": "Bea"}, "sku": "ALMOND-PINK", "qty": 1,
        "unit_price": "8.99", "currency": "GBP", "status": "paid"})
    .to_string()
}

/// The end of the stream (close 4000), so the headless run finishes and prints its summary.
const OVER: Then = Then::Close(4000);

/// The link events the run journaled, in order.
fn link_events(home: &Home) -> Vec<Value> {
    let db = home.dir.path().join("state").join("livedesk.db");
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{}: {e}", db.display()));
    let mut rows =
        conn.prepare("SELECT body FROM journal WHERE kind = 'link' ORDER BY session_id, n").unwrap();
    rows.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|body| serde_json::from_str(&body.unwrap()).unwrap())
        .collect()
}

fn resume_after(seen: &Seen) -> Value {
    seen.hello.as_ref().expect("the client said hello")["resume_after"].clone()
}

/// A platform that restarted and numbers from 1 again: what it sends now is shown, what it
/// sends again is dropped by its own id, and the operator is told.
fn a_restart_renumbers(epochs: [Option<&str>; 2]) {
    let first = Conn {
        frames: [welcome(0, false, epochs[0])]
            .into_iter()
            .chain((1..=5).map(|s| chat(s, &format!("m{s}"))))
            .collect(),
        then: Then::Close(1011),
    };
    // Its recent history again under new numbers (m4, m5), then new events.
    let frames = vec![
        welcome(0, false, epochs[1]),
        chat(1, "m4"),
        chat(2, "m5"),
        chat(3, "m6"),
        order(4, "o1"),
        chat(5, "m7"),
        order(6, "o1"),
    ];
    let fake = Hostile::start(vec![first, Conn { frames, then: OVER }]);
    let home = Home::new();
    let s = summary(&run_headless(&home, &fake.url, &[], &[]));
    assert_eq!(s["chat_messages"], 7, "m1..m7 once each: {s}");
    assert_eq!(s["orders"], 1, "{s}");
    assert_eq!(s["duplicates_dropped"], 2, "m4 and m5 again: {s}");
    assert_eq!(s["stock"]["ALMOND-PINK"], 19, "o1 again took no more of the demo's 20: {s}");
    assert_eq!((&s["gaps"], &s["missed_events"]), (&json!(0), &json!(0)), "{s}");
    let seen = fake.seen();
    assert_eq!(resume_after(&seen[1]), 5);
    let links = link_events(&home);
    assert!(links.iter().any(|l| l["link"] == "renumbered"), "the operator is told: {links:?}");
}

#[test]
fn a_restart_with_a_new_epoch_is_told_and_its_new_events_applied() {
    a_restart_renumbers([Some("run-1"), Some("run-2")]);
}

#[test]
fn a_restart_without_epoch_is_told_by_its_head_behind_the_cursor() {
    a_restart_renumbers([None, None]);
}

#[test]
fn malformed_frames_with_wild_seqs_move_no_cursor() {
    let first = vec![
        welcome(0, false, None),
        chat(1, "m1"),
        // Known types that fail to decode, with wild seqs.
        r#"{"type":"chat","v":1,"seq":999999,"ts":"t","text":"no msg_id, no user"}"#.to_owned(),
        r#"{"type":"order","v":1,"seq":18446744073709551615,"ts":"t","order_id":"x"}"#.to_owned(),
        // Types this client does not know: counted as unknown, never as duplicates.
        r#"{"type":"hologram","v":1,"seq":2,"ts":"t"}"#.to_owned(),
        r#"{"type":"poll","v":1,"seq":1,"ts":"t"}"#.to_owned(),
        chat(3, "m3"),
        // A real gap: 4, 5 and 6 never came.
        chat(7, "m7"),
    ];
    // The platform cannot resume: 8 and 9 were missed too.
    let second = vec![welcome(9, false, None), chat(10, "m10")];
    let fake = Hostile::start(vec![
        Conn { frames: first, then: Then::Close(1011) },
        Conn { frames: second, then: OVER },
    ]);
    let home = Home::new();
    let s = summary(&run_headless(&home, &fake.url, &[], &[]));
    assert_eq!(s["chat_messages"], 4, "{s}");
    assert_eq!(s["malformed_dropped"], 2, "{s}");
    assert_eq!(s["unknown_types"], 2, "{s}");
    assert_eq!(s["duplicates_dropped"], 0, "{s}");
    assert_eq!((&s["gaps"], &s["missed_events"]), (&json!(2), &json!(5)), "{s}");
    assert_eq!(resume_after(&fake.seen()[1]), 7, "the cursor is the last event applied");
}

#[test]
fn a_platform_that_never_says_welcome_is_left_and_tried_again() {
    let fake = Hostile::start(vec![
        Conn { frames: vec![], then: Then::Silent },
        Conn { frames: vec![welcome(0, false, None), chat(1, "m1")], then: OVER },
    ]);
    let home = Home::new();
    let s = summary(&run_headless(&home, &fake.url, &[], &[]));
    assert_eq!(s["chat_messages"], 1, "{s}");
    assert_eq!(s["reconnects"], 0, "it was never live: {s}");
    let seen = fake.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].client_closed, "the client closes the silent connection itself");
    assert!(fake.waits()[0] >= Duration::from_secs(10), "it waited the protocol's 10 s: {seen:?}");
    let links = link_events(&home);
    let why = links.iter().find(|l| l["link"] == "disconnected").expect("a disconnect");
    assert_eq!(why["reason"], "no welcome in 10 s", "{links:?}");
    let live = links.iter().position(|l| l["link"] == "connected").expect("live at last");
    assert!(
        live > links.iter().position(|l| l["link"] == "disconnected").unwrap(),
        "not live before: {links:?}"
    );
}

#[test]
fn a_platform_that_closes_after_every_welcome_sees_the_waits_grow() {
    let flap = Conn { frames: vec![welcome(0, false, None)], then: Then::Close(1011) };
    let mut conns = vec![flap; 5];
    conns.push(Conn { frames: vec![welcome(0, true, None), chat(1, "m1")], then: OVER });
    let fake = Hostile::start(conns);
    let home = Home::new();
    let s = summary(&run_headless(&home, &fake.url, &[], &[]));
    assert_eq!(s["chat_messages"], 1, "{s}");
    assert_eq!(s["reconnects"], 5, "{s}");
    assert_eq!(fake.seen().len(), 6);
    // Backoff from 0.5 s doubling, each wait at least half its step (jitter): a backoff that
    // started over at each welcome would wait under 0.5 s every time.
    let waits = fake.waits();
    for (wait, least) in waits.iter().zip([250, 500, 1_000, 2_000, 4_000]) {
        assert!(*wait >= Duration::from_millis(least), "waits must grow: {waits:?}");
    }
}

/// A certificate for `localhost`, the acceptor that serves it, and its PEM.
fn relay_certificate() -> (TlsAcceptor, String) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let key = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert: CertificateDer<'static> = key.cert.der().clone();
    let secret = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], secret)
        .unwrap();
    (TlsAcceptor::from(Arc::new(config)), key.cert.pem())
}

#[test]
fn a_certificate_that_does_not_verify_stops_the_run_with_one_clear_line() {
    let (tls, _) = relay_certificate();
    let conn = Conn { frames: vec![welcome(0, false, None), chat(1, "m1")], then: OVER };
    let fake = Hostile::serve(vec![conn.clone(), conn], Some(tls));
    let home = Home::new();
    let out = run_headless(&home, &fake.url, &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let expected = format!(
        "livedesk: The feed at {} sent a certificate that does not verify: it is signed by no \
         authority livedesk trusts. For a studio's own relay, set feed.ca_file in settings.toml to \
         its CA certificate (PEM); otherwise check feed.url",
        fake.url
    );
    assert_eq!(lines, [expected.as_str()]);
    assert_eq!(fake.seen().len(), 1, "a certificate error is not retried");
}

#[test]
fn a_studio_relay_is_trusted_through_feed_ca_file() {
    let (tls, pem) = relay_certificate();
    let conn = Conn { frames: vec![welcome(0, false, None), chat(1, "m1")], then: OVER };
    let fake = Hostile::serve(vec![conn], Some(tls));
    let home = Home::new();
    home.write("relay.pem", &pem);
    home.write("settings.toml", "[feed]\nca_file = \"relay.pem\"\n");
    let s = summary(&run_headless(&home, &fake.url, &[], &[]));
    assert_eq!(s["chat_messages"], 1, "{s}");
}
