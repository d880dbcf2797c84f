//! The TikTok corpus, played through the real binary. Each file of `tests/platforms/tiktok/`
//! holds frames in the shape one public source gives them (its header and every case name the
//! source), as a relay forwards them. A fake relay plays a file over two connections; on the
//! second it first replays the six latest comments, as TikTok does on every connect. The
//! headless summary must match the truth read here from the corpus, the simple way.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use crate::common::fake::{Conn, Fake, WAIT, run_headless, summary};
use crate::common::{Home, Tmux};

/// How many recent comments TikTok replays on every connect.
const REPLAYED: usize = 6;

/// A corpus file's frames, per connection: `# reconnect` starts the next; other `#` lines are
/// the cases' sources.
fn corpus(name: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/platforms/tiktok").join(name);
    let mut conns = vec![Vec::new()];
    for line in std::fs::read_to_string(path).unwrap().lines() {
        if line.trim() == "# reconnect" {
            conns.push(Vec::new());
        } else if !line.trim().is_empty() && !line.starts_with('#') {
            conns.last_mut().unwrap().push(line.to_owned());
        }
    }
    conns
}

/// A frame's event name, in the connector's words, and its data: TikTokLive-Server names its
/// events by TikTokLive's classes.
fn event(frame: &Value) -> (String, &Value) {
    if let Some(name) = frame["event"].as_str() {
        return (name.to_owned(), &frame["data"]);
    }
    let name = match (frame["type"].as_str(), frame["name"].as_str().unwrap_or_default()) {
        (Some("room_event"), "end") => "streamEnd",
        (Some("tiktok_event"), "CommentEvent") => "chat",
        (Some("tiktok_event"), "JoinEvent") => "member",
        (Some("tiktok_event"), "LikeEvent") => "like",
        (Some("tiktok_event"), "RoomUserSeqEvent") => "roomUser",
        (Some("tiktok_event"), "SocialEvent") => "social",
        (Some("tiktok_event"), "FollowEvent") => "follow",
        (Some("tiktok_event"), "ShareEvent") => "share",
        (Some("tiktok_event"), "GiftEvent") => "gift",
        (Some("tiktok_event"), "QuestionNewEvent") => "questionNew",
        (Some("tiktok_event"), "ImDeleteEvent") => "imDelete",
        (Some("tiktok_event"), "EmoteChatEvent") => "emote",
        (Some("tiktok_event"), "EnvelopeEvent") => "envelope",
        (Some("tiktok_event"), "SubscribeEvent") => "subscribe",
        (Some("tiktok_event"), "LiveEndEvent" | "ControlEvent") => "streamEnd",
        _ => "other",
    };
    (name.to_owned(), &frame["data"])
}

/// The first of `paths` (dotted) that `data` holds, as text.
fn text(data: &Value, paths: &[&str]) -> Option<String> {
    paths.iter().find_map(|p| {
        let v = p.split('.').try_fold(data, |v, key| v.get(key))?;
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(u8::from(*b).to_string()),
            _ => None,
        }
    })
}

fn number(data: &Value, paths: &[&str]) -> Option<u64> {
    text(data, paths).and_then(|t| t.parse().ok())
}

fn msg_id(data: &Value) -> Option<String> {
    text(data, &["msgId", "common.msgId", "common.msg_id"])
}

fn author(data: &Value) -> Option<String> {
    text(data, &["userId", "user.userId", "user.idStr", "user.id", "details.user.userId", "data.user.idStr"])
}

fn list(data: &Value, paths: &[&str]) -> Vec<Value> {
    paths.iter().find_map(|p| data.get(*p)?.as_array().cloned()).unwrap_or_default()
}

/// What the desk should count, read from the frames as the sources describe them.
#[derive(Debug, Default, PartialEq)]
struct Truth {
    chat_messages: u64,
    joins: u64,
    likes: u64,
    follows: u64,
    shares: u64,
    gifts: u64,
    viewers_peak: u64,
    deleted_messages: u64,
}

/// The truth, and how many times the stream's end is told (by a second name, by the relay
/// itself): the headless run stops at the first, so later ones may or may not be read.
fn truth(frames: &[Value]) -> (Truth, u64) {
    let mut t = Truth::default();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    // Each message once, by its kind and id; one without an id is its own.
    let mut first = |kind: &str, data: &Value, line: usize| {
        seen.insert((kind.to_owned(), msg_id(data).unwrap_or_else(|| format!("line {line}"))))
    };
    let mut comments: Vec<(Option<String>, Option<String>)> = Vec::new();
    let (mut deleted_ids, mut deleted_users) = (HashSet::new(), HashSet::new());
    let mut ends = 0;
    for (line, frame) in frames.iter().enumerate() {
        let (name, d) = event(frame);
        match name.as_str() {
            "chat" | "emote" | "questionNew" if first("chat", d, line) => {
                t.chat_messages += 1;
                comments.push((msg_id(d), author(d)));
            }
            "member"
                if number(d, &["actionId", "action"]) == Some(1)
                    || text(d, &["action"]).as_deref() == Some("JOINED") =>
            {
                t.joins += u64::from(first("member", d, line));
            }
            "like" if first("like", d, line) => t.likes += number(d, &["likeCount", "count"]).unwrap(),
            "roomUser" => t.viewers_peak = t.viewers_peak.max(number(d, &["viewerCount", "total"]).unwrap()),
            "social" | "follow" | "share" => {
                let key = text(
                    d,
                    &[
                        "displayType",
                        "common.displayText.displayType",
                        "common.displayText.key",
                        "common.display_text.key",
                    ],
                )
                .unwrap_or_default();
                if (name == "follow" || key.contains("follow")) && first("follow", d, line) {
                    t.follows += 1;
                } else if (name == "share" || key.contains("share")) && first("share", d, line) {
                    t.shares += 1;
                }
            }
            "gift" => {
                let streak = number(d, &["giftType", "giftDetails.giftType", "gift.type"]) == Some(1);
                let ended = number(d, &["repeatEnd", "repeat_end"]) == Some(1);
                if !streak || ended {
                    t.gifts += number(d, &["repeatCount", "repeat_count"]).unwrap_or(1);
                }
            }
            "envelope" | "subscribe" | "subNotify" => t.gifts += 1,
            "imDelete" => {
                deleted_ids.extend(list(d, &["deleteMsgIdsList", "deleteMsgIds", "delete_msg_ids_list"]));
                deleted_users
                    .extend(list(d, &["deleteUserIdsList", "deleteUserIds", "delete_user_ids_list"]));
            }
            "streamEnd" => ends += 1,
            _ => {}
        }
    }
    let gone = |id: &Option<String>, ids: &HashSet<Value>| {
        id.as_ref().is_some_and(|i| ids.contains(&Value::from(i.as_str())))
    };
    t.deleted_messages =
        comments.iter().filter(|(id, by)| gone(id, &deleted_ids) || gone(by, &deleted_users)).count() as u64;
    (t, ends)
}

/// Plays `name` through the binary: the first connection drops; on the second the relay
/// replays the six latest comments of the first, then plays the rest, and the stream ends.
fn plays_as_its_truth(name: &str) {
    let conns = corpus(name);
    assert_eq!(conns.len(), 2, "{name} has one reconnect");
    let parsed = |frames: &[String]| -> Vec<Value> {
        frames.iter().map(|f| serde_json::from_str(f).unwrap()).collect()
    };
    let all: Vec<Value> = parsed(&conns.concat());
    let (want, ends) = truth(&all);
    let comments: Vec<&String> =
        conns[0].iter().filter(|f| event(&serde_json::from_str(f).unwrap()).0 == "chat").collect();
    assert!(comments.len() >= REPLAYED, "{name} has {REPLAYED} comments to replay");
    let mut second: Vec<String> =
        comments[comments.len() - REPLAYED..].iter().map(|f| (*f).clone()).collect();
    second.extend(conns[1].iter().cloned());

    let fake = Fake::start(vec![
        Conn { frames: conns[0].clone(), wait_for: 0, end: false, hold: false },
        Conn { frames: second, wait_for: 0, end: true, hold: false },
    ]);
    let home = Home::new();
    let out =
        run_headless(&home, &format!("{}?uniqueId=@sellerdemo", fake.url), &["--format", "tiktok"], &[]);
    let s = summary(&out);
    let got = Truth {
        chat_messages: s["chat_messages"].as_u64().unwrap(),
        joins: s["joins"].as_u64().unwrap(),
        likes: s["likes"].as_u64().unwrap(),
        follows: s["follows"].as_u64().unwrap(),
        shares: s["shares"].as_u64().unwrap(),
        gifts: s["gifts"].as_u64().unwrap(),
        viewers_peak: s["viewers_peak"].as_u64().unwrap(),
        deleted_messages: s["deleted_messages"].as_u64().unwrap(),
    };
    assert_eq!(got, want, "{name}: {s:#}");
    // The replayed comments count once, as duplicates (an end told again may be one more).
    let duplicates = s["duplicates_dropped"].as_u64().unwrap();
    let replayed = REPLAYED as u64;
    assert!((replayed..replayed + ends).contains(&duplicates), "{name}: {s:#}");
    assert_eq!(
        (s["malformed_dropped"].as_u64(), s["reconnects"].as_u64()),
        (Some(0), Some(1)),
        "{name}: {s:#}"
    );
    assert_eq!(s["stream"], "sellerdemo", "{s:#}");
    assert!(fake.received().iter().all(Vec::is_empty), "a read-only relay is sent nothing");
}

#[test]
fn connector_1_x_flattened_events() {
    plays_as_its_truth("connector-1.x.jsonl");
}

#[test]
fn connector_2_0_to_2_3_v2_messages() {
    plays_as_its_truth("connector-2.x.jsonl");
}

#[test]
fn connector_2_4_v3_messages() {
    plays_as_its_truth("connector-2.4.jsonl");
}

#[test]
fn tiktoklive_server_relay() {
    plays_as_its_truth("tiktoklive-server.jsonl");
}

/// The corpus holds every kind of event the desk reads, so the tests above cannot pass on
/// an empty reading.
#[test]
fn every_corpus_file_holds_every_kind() {
    for name in
        ["connector-1.x.jsonl", "connector-2.x.jsonl", "connector-2.4.jsonl", "tiktoklive-server.jsonl"]
    {
        let frames: Vec<Value> =
            corpus(name).concat().iter().map(|f| serde_json::from_str(f).unwrap()).collect();
        let (t, ends) = truth(&frames);
        assert!(ends >= 1, "{name} ends");
        let counts = [t.chat_messages, t.joins, t.likes, t.follows, t.shares, t.gifts, t.viewers_peak];
        assert!(counts.iter().all(|n| *n > 0), "{name}: {t:?}");
    }
}

/// A new user on a relay in the current connector's shape sees the chat, as sent.
#[test]
fn a_relay_in_the_current_connectors_shape_shows_its_chat() {
    let conns = corpus("connector-2.4.jsonl");
    let fake = Fake::start(vec![Conn { frames: conns[0].clone(), wait_for: 0, end: false, hold: true }]);
    let home = Home::new();
    let url = format!("{}?uniqueId=sellerdemo", fake.url);
    let tmux = Tmux::start(&home, &["run", "--url", &url, "--format", "tiktok", "--no-store"], 120, 40);
    let screen = tmux.wait_for("the relay's chat", WAIT, |s| s.contains("viewers 141"));
    for shown in [
        "Maria Santos 🌸: Hi! Do you ship to Portugal?",
        "Maria Santos 🌸: can I pay with PayPal?",
        "Maria Santos 🌸: Is the pink set available in size M?",
        "FREE MONEY (deleted)",
        "Jack: [emote]",
        "Jack sent 5× Rose",
        "Jack sent 1× Treasure chest",
        "Tom R sent 1× Sub",
        "read-only",
    ] {
        assert!(screen.contains(shown), "{shown:?} on screen:\n{screen}");
    }
    assert!(!screen.contains("\u{1b}") && !screen.contains("followers at"), "the spam is gone:\n{screen}");
}
