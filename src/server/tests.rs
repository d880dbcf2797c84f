//! End-to-end tests of the server over real sockets on 127.0.0.1.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::*;

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(5);

fn chat(at_ms: u64, msg_id: &str, reply_to: Option<&str>) -> String {
    json!({"at_ms": at_ms, "event": {"type": "chat", "msg_id": msg_id, "text": format!("text of {msg_id}"),
        "reply_to": reply_to, "user": {"id": "u1", "name": "Ann", "region": "DE", "badges": [], "follower": true}}})
    .to_string()
}

fn options(script: &str, speed: f64, looped: bool) -> ServerOptions {
    ServerOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        script: Script::parse(script).unwrap(),
        speed,
        looped,
        stream: StreamInfo {
            id: "s1".into(),
            title: "Mug Monday".into(),
            platform: "livedesk".into(),
            currency: "EUR".into(),
            started_at: "2025-01-06T18:00:00.000Z".into(),
        },
        token: None,
        log_commands: false,
    }
}

/// Five chats at once, then a long wait: the stream stays live for the whole test.
fn live_script() -> String {
    let mut lines: Vec<String> = (1..=5).map(|n| chat(0, &format!("m{n}"), None)).collect();
    lines.push(r#"{"at_ms": 3600000, "event": {"type": "viewers", "count": 1}}"#.into());
    lines.join("\n")
}

async fn connect(server: &ServerHandle) -> Client {
    let (ws, _) = tokio_tungstenite::connect_async(server.url()).await.unwrap();
    ws
}

async fn hello(ws: &mut Client, resume_after: Option<u64>) {
    let hello = json!({"type": "hello", "client": "tests/1", "resume_after": resume_after});
    ws.send(Message::text(hello.to_string())).await.unwrap();
}

/// Connects, says hello and returns the welcome frame.
async fn join(server: &ServerHandle, resume_after: Option<u64>) -> (Client, Value) {
    let mut ws = connect(server).await;
    hello(&mut ws, resume_after).await;
    let welcome = next_json(&mut ws).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    (ws, welcome)
}

/// What the client reads next, pings and pongs skipped.
enum Got {
    Json(Value),
    Close(Option<CloseFrame>),
    Nothing,
}

async fn next(ws: &mut Client, wait: Duration) -> Got {
    let read = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => return Got::Json(serde_json::from_str(&t).unwrap()),
                Some(Ok(Message::Close(c))) => return Got::Close(c),
                Some(Ok(_)) => continue,
                Some(Err(e)) => panic!("read failed: {e}"),
                None => return Got::Close(None),
            }
        }
    };
    tokio::time::timeout(wait, read).await.unwrap_or(Got::Nothing)
}

async fn next_json(ws: &mut Client) -> Value {
    match next(ws, WAIT).await {
        Got::Json(v) => v,
        Got::Close(c) => panic!("closed: {c:?}"),
        Got::Nothing => panic!("nothing arrived"),
    }
}

async fn next_close(ws: &mut Client) -> CloseFrame {
    loop {
        match next(ws, WAIT).await {
            Got::Json(_) => continue,
            Got::Close(Some(c)) => return c,
            Got::Close(None) => panic!("closed without a close frame"),
            Got::Nothing => panic!("no close arrived"),
        }
    }
}

async fn assert_quiet(ws: &mut Client) {
    if let Got::Json(v) = next(ws, Duration::from_millis(200)).await {
        panic!("unexpected frame {v}");
    }
}

#[tokio::test]
async fn welcome_then_live_events_in_seq_order() {
    let script = ["# three chats", &chat(0, "m1", None), &chat(10, "m2", None), &chat(20, "m3", Some("m1"))]
        .join("\n");
    let server = start(options(&script, 1000.0, false)).await.unwrap();
    let (mut ws, welcome) = join(&server, None).await;
    assert_eq!(welcome["v"], 1);
    assert_eq!(welcome["seq"], 0);
    assert_eq!(welcome["resumed"], false);
    assert_eq!(welcome["stream"]["title"], "Mug Monday");
    assert_eq!(welcome["stream"]["currency"], "EUR");
    for (seq, id, reply_to) in [(1, "m1", Value::Null), (2, "m2", Value::Null), (3, "m3", json!("m1"))] {
        let frame = next_json(&mut ws).await;
        assert_eq!(
            (&frame["type"], &frame["seq"], &frame["msg_id"]),
            (&json!("chat"), &json!(seq), &json!(id))
        );
        assert_eq!(frame["reply_to"], reply_to);
        assert_eq!(frame["v"], 1);
        let ts = frame["ts"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok() && ts.ends_with('Z'), "{ts}");
        assert_eq!(ts.len(), "2025-01-06T18:00:00.000Z".len(), "milliseconds: {ts}");
        // The client's own decoder reads every frame the server sends.
        crate::protocol::decode_frame(&frame.to_string()).unwrap();
    }
}

#[tokio::test]
async fn resume_after_n_sends_exactly_the_events_after_n() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (mut first, _) = join(&server, None).await;
    for seq in 1..=5 {
        assert_eq!(next_json(&mut first).await["seq"], seq);
    }
    let (mut ws, welcome) = join(&server, Some(2)).await;
    assert_eq!((&welcome["seq"], &welcome["resumed"]), (&json!(5), &json!(true)));
    for (seq, id) in [(3, "m3"), (4, "m4"), (5, "m5")] {
        let frame = next_json(&mut ws).await;
        assert_eq!((&frame["seq"], &frame["msg_id"]), (&json!(seq), &json!(id)));
    }
    assert_quiet(&mut ws).await;

    // Resuming at the head is a complete (empty) resume.
    let (mut ws, welcome) = join(&server, Some(5)).await;
    assert_eq!((&welcome["seq"], &welcome["resumed"]), (&json!(5), &json!(true)));
    assert_quiet(&mut ws).await;
}

#[tokio::test]
async fn resume_beyond_head_is_not_a_resume() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (mut first, _) = join(&server, None).await;
    for seq in 1..=5 {
        assert_eq!(next_json(&mut first).await["seq"], seq);
    }
    // A client that saw seq 99 from an earlier run of the server.
    let (mut ws, welcome) = join(&server, Some(99)).await;
    assert_eq!((&welcome["seq"], &welcome["resumed"]), (&json!(5), &json!(false)));
    assert_quiet(&mut ws).await;
}

#[tokio::test]
async fn every_welcome_of_a_run_carries_its_epoch_and_a_new_run_a_new_one() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (_first, welcome) = join(&server, None).await;
    let (_second, again) = join(&server, Some(0)).await;
    let epoch = welcome["epoch"].as_str().expect("an epoch").to_owned();
    assert!(!epoch.is_empty());
    assert_eq!(again["epoch"], json!(epoch), "one numbering for the whole run");
    let restarted = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (_third, other) = join(&restarted, None).await;
    assert_ne!(other["epoch"], json!(epoch), "a restarted server numbers anew");
}

#[tokio::test]
async fn send_chat_is_acked_and_echoed_once_even_when_sent_twice() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (mut ws, _) = join(&server, None).await;
    for seq in 1..=5 {
        assert_eq!(next_json(&mut ws).await["seq"], seq);
    }
    let command =
        json!({"type": "send_chat", "ref": "r1", "text": "Ships tomorrow!", "reply_to": "m2"}).to_string();
    ws.send(Message::text(command.clone())).await.unwrap();
    ws.send(Message::text(command)).await.unwrap();
    let (mut acks, mut echoes) = (vec![], vec![]);
    loop {
        match next(&mut ws, Duration::from_millis(300)).await {
            Got::Json(v) if v["type"] == "ack" => acks.push(v),
            Got::Json(v) => echoes.push(v),
            Got::Close(c) => panic!("closed: {c:?}"),
            Got::Nothing => break,
        }
    }
    assert_eq!(acks.len(), 2, "{acks:?}");
    for ack in &acks {
        assert_eq!((&ack["ref"], &ack["ok"], &ack["error"]), (&json!("r1"), &json!(true), &Value::Null));
        assert_eq!(ack["v"], 1);
        assert!(ack["ts"].is_string());
    }
    assert_eq!(echoes.len(), 1, "{echoes:?}");
    let echo = &echoes[0];
    assert_eq!((&echo["type"], &echo["seq"], &echo["msg_id"]), (&json!("chat"), &json!(6), &json!("op-1")));
    assert_eq!((&echo["text"], &echo["reply_to"]), (&json!("Ships tomorrow!"), &json!("m2")));
    assert_eq!(
        echo["user"],
        json!({"id": "shop", "name": "Mug Monday", "region": null, "badges": ["operator"], "follower": false})
    );

    // The echo is part of the stream: another client resuming gets it too.
    let (mut other, welcome) = join(&server, Some(5)).await;
    assert_eq!(welcome["seq"], 6);
    assert_eq!(next_json(&mut other).await["msg_id"], "op-1");
}

#[tokio::test]
async fn a_bad_token_is_closed_with_1008() {
    let mut opts = options(&live_script(), 1.0, false);
    opts.token = Some("s3cret".into());
    let server = start(opts).await.unwrap();

    let mut request = server.url().into_client_request().unwrap();
    request.headers_mut().insert("Authorization", HeaderValue::from_static("Bearer wrong"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let close = next_close(&mut ws).await;
    assert_eq!(u16::from(close.code), 1008);
    assert!(close.reason.starts_with("bad token"), "{}", close.reason);

    // No header at all is refused the same way.
    let mut ws = connect(&server).await;
    assert_eq!(u16::from(next_close(&mut ws).await.code), 1008);

    let mut request = server.url().into_client_request().unwrap();
    request.headers_mut().insert("Authorization", HeaderValue::from_static("Bearer s3cret"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    hello(&mut ws, None).await;
    assert_eq!(next_json(&mut ws).await["type"], "welcome");
}

#[tokio::test]
async fn the_end_of_a_script_ends_the_stream_with_4000() {
    let script = [chat(0, "m1", None), chat(5, "m2", None)].join("\n");
    let server = start(options(&script, 1000.0, false)).await.unwrap();
    let (mut ws, _) = join(&server, None).await;
    assert_eq!(next_json(&mut ws).await["seq"], 1);
    assert_eq!(next_json(&mut ws).await["seq"], 2);
    let ended = next_json(&mut ws).await;
    assert_eq!(
        (&ended["type"], &ended["state"], &ended["seq"]),
        (&json!("stream"), &json!("ended"), &json!(3))
    );
    let close = next_close(&mut ws).await;
    assert_eq!((u16::from(close.code), close.reason.as_str()), (4000, "stream ended"));

    // A client arriving after the end gets its resume, then the same close.
    let (mut late, welcome) = join(&server, Some(1)).await;
    assert_eq!((&welcome["seq"], &welcome["resumed"]), (&json!(3), &json!(true)));
    assert_eq!(next_json(&mut late).await["seq"], 2);
    assert_eq!(next_json(&mut late).await["state"], "ended");
    assert_eq!(u16::from(next_close(&mut late).await.code), 4000);
}

#[tokio::test]
async fn looping_suffixes_ids_and_keeps_seq_increasing() {
    let order = json!({"at_ms": 1, "event": {"type": "order", "order_id": "o1", "sku": "MUG", "qty": 1,
        "unit_price": "12.99", "currency": "EUR", "status": "placed", "user": {"id": "u1", "name": "Ann"}}});
    let update = json!({"at_ms": 2, "event": {"type": "order_update", "order_id": "o1", "status": "paid"}});
    let script =
        [chat(0, "m1", None), order.to_string(), update.to_string(), chat(3, "m2", Some("m1"))].join("\n");
    let server = start(options(&script, 1000.0, true)).await.unwrap();
    let (mut ws, _) = join(&server, None).await;
    for (round, suffix) in [(0u64, ""), (1, "~1"), (2, "~2")] {
        let base = round * 4;
        let f = next_json(&mut ws).await;
        assert_eq!((&f["seq"], &f["msg_id"]), (&json!(base + 1), &json!(format!("m1{suffix}"))));
        let f = next_json(&mut ws).await;
        assert_eq!((&f["seq"], &f["order_id"]), (&json!(base + 2), &json!(format!("o1{suffix}"))));
        let f = next_json(&mut ws).await;
        assert_eq!((&f["type"], &f["order_id"]), (&json!("order_update"), &json!(format!("o1{suffix}"))));
        let f = next_json(&mut ws).await;
        assert_eq!(
            (&f["msg_id"], &f["reply_to"]),
            (&json!(format!("m2{suffix}")), &json!(format!("m1{suffix}")))
        );
        assert_eq!(f["user"]["id"], "u1", "user ids are not suffixed");
    }
}

#[tokio::test]
async fn a_malformed_frame_gets_an_error_and_the_connection_stays_up() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (mut ws, _) = join(&server, None).await;
    for seq in 1..=5 {
        assert_eq!(next_json(&mut ws).await["seq"], seq);
    }
    ws.send(Message::text("{this is not json")).await.unwrap();
    let error = next_json(&mut ws).await;
    assert_eq!((&error["type"], &error["code"]), (&json!("error"), &json!("bad_command")));
    assert_eq!(error["seq"], 5, "connection-level frames carry the head");
    ws.send(Message::text(r#"{"type":"order_pizza","ref":"p"}"#)).await.unwrap();
    let error = next_json(&mut ws).await;
    assert!(error["message"].as_str().unwrap().contains("order_pizza"), "{error}");
    // A second hello is ignored; the connection still answers commands.
    hello(&mut ws, Some(0)).await;
    ws.send(Message::text(r#"{"type":"pin_chat","ref":"k1","msg_id":"m1"}"#)).await.unwrap();
    let ack = next_json(&mut ws).await;
    assert_eq!((&ack["type"], &ack["ref"], &ack["ok"]), (&json!("ack"), &json!("k1"), &json!(true)));
}

#[tokio::test]
async fn a_first_frame_other_than_hello_is_closed_with_1008() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let mut ws = connect(&server).await;
    ws.send(Message::text(r#"{"type":"pin_chat","ref":"k1","msg_id":"m1"}"#)).await.unwrap();
    let close = next_close(&mut ws).await;
    assert_eq!((u16::from(close.code), close.reason.as_str()), (1008, "expected hello"));
}

#[tokio::test]
async fn a_frame_over_256_kib_is_closed_with_1009() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (mut ws, _) = join(&server, None).await;
    let text = "x".repeat(300 * 1024);
    let big = json!({"type": "send_chat", "ref": "big", "text": text, "reply_to": null}).to_string();
    // The server may close before the whole frame is written: a send error is fine too.
    let _ = ws.send(Message::text(big)).await;
    let close = next_close(&mut ws).await;
    assert_eq!(u16::from(close.code), 1009);
}

#[tokio::test]
async fn moderation_commands_reach_every_client() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (mut a, _) = join(&server, None).await;
    // The clock started with the first client: the second resumes from the start.
    let (mut b, _) = join(&server, Some(0)).await;
    for seq in 1..=5 {
        assert_eq!(next_json(&mut a).await["seq"], seq);
        assert_eq!(next_json(&mut b).await["seq"], seq);
    }
    a.send(Message::text(r#"{"type":"delete_chat","ref":"d1","msg_id":"m3"}"#)).await.unwrap();
    let (mut ack, mut event) = (None, None);
    for _ in 0..2 {
        let f = next_json(&mut a).await;
        if f["type"] == "ack" { ack = Some(f) } else { event = Some(f) }
    }
    assert_eq!(ack.unwrap()["ok"], true);
    let expected = json!({"type": "moderation", "action": "deleted", "msg_id": "m3", "by": "operator"});
    for f in [event.unwrap(), next_json(&mut b).await] {
        assert_eq!(
            (&f["type"], &f["action"], &f["msg_id"], &f["by"], &f["seq"]),
            (&expected["type"], &expected["action"], &expected["msg_id"], &expected["by"], &json!(6))
        );
    }
    assert_quiet(&mut b).await;
}

#[tokio::test]
async fn a_client_that_falls_behind_is_closed_with_1011() {
    // Two hundred events at once through a broadcast of four: the session cannot keep up.
    let script: Vec<String> = (1..=200).map(|n| chat(0, &format!("m{n}"), None)).collect();
    let server = start_with(options(&script.join("\n"), 1.0, false), 1_000, 4).await.unwrap();
    let (mut ws, _) = join(&server, None).await;
    let close = next_close(&mut ws).await;
    assert_eq!(u16::from(close.code), 1011);
    // It may resume, and gets everything it missed.
    let (mut ws, welcome) = join(&server, Some(0)).await;
    assert_eq!(welcome["resumed"], true);
    for seq in 1..=200 {
        assert_eq!(next_json(&mut ws).await["seq"], seq);
    }
}

#[tokio::test]
async fn shutdown_closes_clients_with_1001() {
    let server = start(options(&live_script(), 1.0, false)).await.unwrap();
    let (mut ws, _) = join(&server, None).await;
    let addr = server.addr;
    let stopping = tokio::spawn(server.shutdown());
    assert_eq!(u16::from(next_close(&mut ws).await.code), 1001);
    // Reading on sends the client's close reply, which the server waits for.
    while ws.next().await.is_some() {}
    stopping.await.unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is gone");
}

#[tokio::test]
async fn a_bad_speed_is_refused() {
    let err = start(options("", 0.0, false)).await.err().unwrap();
    assert!(err.to_string().contains("speed"), "{err}");
}
