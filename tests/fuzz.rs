//! Hostile frames for the frame decoder and for every platform adapter's `read`: random
//! bytes, and valid-ish frames with wild values (deep nesting, huge numbers, long strings,
//! escape sequences and invisible characters in every field). No input may panic, and what
//! comes out is bounded by what went in: no frame can make the desk allocate without limit.
//!
//! Each target runs `LIVEDESK_FUZZ_CASES` cases (default [`DEFAULT_CASES`]); a long run:
//! `LIVEDESK_FUZZ_CASES=5000000 cargo test --release --test fuzz`.

use chrono::{DateTime, Utc};
use livedesk::feed::adapters::{self, Adapter, Reading, Setup};
use livedesk::protocol::{self, Event, Format};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};

/// Cases per target when `LIVEDESK_FUZZ_CASES` is not set: the four targets run in about
/// 15 s in a debug build on two shared cores (100,000 would take half an hour there).
const DEFAULT_CASES: u32 = 1_000;

fn config() -> Config {
    let cases =
        std::env::var("LIVEDESK_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES);
    Config { cases, ..Config::default() }
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_000_000, 0).unwrap()
}

// ------------------------------------------------------------------------------ generators

/// Text a platform's field might hold, from plain to hostile: escapes, controls, bidi and
/// invisible characters, tag characters, combining floods, emoji sequences, long runs.
fn wild_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => ".{0,24}",
        4 => "[a-z0-9 \\x{1b}\\[\\];?#:=@!,\\x{0}-\\x{1f}\\x{7f}-\\x{9f}\\x{200b}-\\x{200f}\\x{2028}-\\x{202e}\
               \\x{2060}-\\x{2069}\\x{fff9}-\\x{fffb}\\x{feff}\\x{e0000}-\\x{e007f}\\x{300}-\\x{36f}👩🏴🇵🇭💅\\x{fe0f}]{0,40}",
        1 => (any::<char>(), 0..3_000usize).prop_map(|(c, n)| c.to_string().repeat(n)),
        1 => proptest::collection::vec(any::<char>(), 0..400).prop_map(String::from_iter),
    ]
    .boxed()
}

/// Numbers as JSON writes them, including those no integer type holds.
fn wild_number() -> BoxedStrategy<String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| f.to_string()),
        proptest::sample::select(vec![
            "0",
            "-0",
            "1e400",
            "-1e400",
            "1e-400",
            "18446744073709551616",
            "-9223372036854775809",
            "99999999999999999999999999999999",
            "0.1e1",
            "1E+2",
            "4294967296",
            "100001",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// Every field name the formats use: livedesk's protocol, TikTok's relay, SSN.
const KEYS: &[&str] = &[
    "type",
    "v",
    "seq",
    "ts",
    "msg_id",
    "user",
    "id",
    "name",
    "region",
    "badges",
    "follower",
    "text",
    "reply_to",
    "count",
    "gift",
    "value",
    "currency",
    "repeat",
    "order_id",
    "sku",
    "qty",
    "unit_price",
    "status",
    "available",
    "action",
    "user_id",
    "by",
    "state",
    "ref",
    "ok",
    "error",
    "code",
    "message",
    "stream",
    "resumed",
    "epoch",
    "event",
    "data",
    "userId",
    "uniqueId",
    "nickname",
    "comment",
    "msgId",
    "createTime",
    "giftType",
    "repeatEnd",
    "repeatCount",
    "diamondCount",
    "likeCount",
    "viewerCount",
    "deleteMsgIdsList",
    "deleteUserIdsList",
    "common",
    "displayType",
    "productId",
    "stock",
    "product",
    "chatname",
    "chatmessage",
    "userid",
    "hasDonation",
    "meta",
    "question",
    "moderator",
    "membership",
    "textonly",
    "timestamp",
    "giftName",
    "overlayNinja",
];

/// The names frames carry in `type` or `event`.
const KINDS: &[&str] = &[
    "chat",
    "question",
    "join",
    "viewers",
    "like",
    "follow",
    "share",
    "gift",
    "order",
    "order_update",
    "stock",
    "moderation",
    "stream",
    "ack",
    "error",
    "welcome",
    "member",
    "roomUser",
    "social",
    "questionNew",
    "imDelete",
    "roomPin",
    "streamEnd",
    "controlMessage",
    "oecLiveShopping",
    "viewer_update",
    "joined",
    "followed",
    "donation",
    "x",
];

/// A JSON value a few levels deep whose objects mostly use the formats' own keys.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        wild_text().prop_map(Value::String),
        proptest::sample::select(KINDS).prop_map(|k| json!(k)),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let key = prop_oneof![6 => proptest::sample::select(KEYS).prop_map(str::to_owned), 1 => ".{0,6}"];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key, inner, 0..10)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A frame's text: JSON in the shapes the formats use, the same with a wild number spliced
/// in, nesting far past any decoder's limit, an IRC line, a cut-off frame, or random bytes.
fn frame_text() -> BoxedStrategy<String> {
    let shaped =
        (proptest::sample::select(KINDS), json_value(), any::<u64>()).prop_map(|(kind, body, seq)| {
            let mut frame = match body {
                Value::Object(m) => m,
                other => [("data".to_owned(), other)].into_iter().collect(),
            };
            frame.insert("type".into(), json!(kind));
            frame.insert("seq".into(), json!(seq));
            Value::Object(frame).to_string()
        });
    let wrapped = (proptest::sample::select(KINDS), json_value())
        .prop_map(|(kind, data)| json!({"event": kind, "data": data}).to_string());
    let numbered = (proptest::sample::select(KINDS), proptest::sample::select(KEYS), wild_number()).prop_map(
        |(kind, key, n)| format!(r#"{{"type":"{kind}","seq":1,"{key}":{n},"data":{{"{key}":{n}}}}}"#),
    );
    let deep = (1..20_000usize, proptest::sample::select(vec!["[", "{\"user\":", "{\"data\":"]))
        .prop_map(|(n, open)| format!(r#"{{"type":"chat","seq":1,"event":"chat","data":{}"#, open.repeat(n)));
    let irc =
        (wild_text(), wild_text(), "[0-9:,\\-/]{0,30}", "[A-Z]{3,9}|PRIVMSG|USERNOTICE|CLEARMSG|NOTICE")
            .prop_map(|(name, text, emotes, command)| {
                format!(
                    "@badge-info=;badges=moderator/1;display-name={name};emotes={emotes};id=x;user-id=9 \
                 :{name}!{name}@{name}.tmi.twitch.tv {command} #nailnook :{text}\r\nPING :tmi\r\n"
                )
            });
    let bytes =
        proptest::collection::vec(any::<u8>(), 0..600).prop_map(|b| String::from_utf8_lossy(&b).into_owned());
    prop_oneof![4 => shaped, 3 => wrapped, 2 => numbered, 1 => deep, 2 => irc, 2 => bytes]
        .prop_flat_map(|text| {
            // Sometimes only the first part of the frame arrives.
            let len = text.len();
            (Just(text), 0..=len, any::<bool>())
        })
        .prop_map(|(text, cut, whole)| {
            if whole {
                return text;
            }
            let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            text[..cut].to_owned()
        })
        .boxed()
}

// ------------------------------------------------------------------------------ bounds

/// An event's size as the desk would keep it.
fn size(event: &Event) -> usize {
    serde_json::to_string(event).map_or(0, |s| s.len())
}

/// What one frame may make: a few events per line of input at most, and no string longer
/// than a fixed factor of the input (plus the fields a default fills in).
fn check_bounded(text: &str, reading: &Reading) -> Result<(), TestCaseError> {
    let budget = 4 * text.len() + 1024;
    prop_assert!(
        reading.events.len() <= text.len() / 4 + 1,
        "{} events from {} bytes",
        reading.events.len(),
        text.len()
    );
    let made: usize = reading.events.iter().map(size).sum::<usize>()
        + reading
            .replies
            .iter()
            .chain(&reading.unknown)
            .chain(&reading.notices)
            .map(String::len)
            .sum::<usize>()
        + reading.malformed.as_ref().map_or(0, String::len)
        + reading.failed.as_ref().map_or(0, String::len);
    prop_assert!(made <= budget * (reading.events.len() + 1), "{made} bytes made from {} bytes", text.len());
    for event in &reading.events {
        // The feed client checks and sanitizes every adapter's event: that must not panic,
        // and a checked event is no bigger than the frame allows.
        if let Ok(clean) = protocol::checked(event.clone()) {
            prop_assert!(
                size(&clean) <= budget,
                "checked event of {} bytes from {}",
                size(&clean),
                text.len()
            );
        }
    }
    Ok(())
}

/// Where every adapter under test reads: a channel, no login.
fn setup() -> Setup<'static> {
    Setup {
        url: "ws://127.0.0.1:9/",
        channel: Some("nailnook"),
        nick: None,
        token: None,
        token_env: "LIVEDESK_TOKEN",
    }
}

/// Several frames read in turn by one adapter, as a connection would deliver them.
fn read_all(format: Format, frames: &[String]) -> Result<(), TestCaseError> {
    let mut adapter: Box<dyn Adapter> = adapters::open(format, &setup()).expect("an adapter");
    adapter.greet();
    for text in frames {
        let reading = adapter.read(text, at());
        check_bounded(text, &reading)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_frame_decodes_or_is_refused_without_panic(text in frame_text()) {
        if let Ok(frame) = protocol::decode_frame(&text) {
            prop_assert!(size(&frame.event) <= 4 * text.len() + 1024, "{} bytes from {}", size(&frame.event), text.len());
        }
        if let Ok(event) = protocol::decode_event_str(&text) {
            prop_assert!(size(&event) <= 4 * text.len() + 1024);
        }
    }

    #[test]
    fn the_tiktok_adapter_reads_any_frames_without_panic(frames in proptest::collection::vec(frame_text(), 1..4)) {
        read_all(Format::Tiktok, &frames)?;
    }

    #[test]
    fn the_twitch_adapter_reads_any_frames_without_panic(frames in proptest::collection::vec(frame_text(), 1..4)) {
        read_all(Format::Twitch, &frames)?;
    }

    #[test]
    fn the_ssn_adapter_reads_any_frames_without_panic(frames in proptest::collection::vec(frame_text(), 1..4)) {
        read_all(Format::Ssn, &frames)?;
    }
}

#[test]
fn nesting_past_the_limit_is_refused_not_a_stack_overflow() {
    for open in ["[", "{\"a\":"] {
        let text = format!(r#"{{"type":"chat","seq":1,"user":{}"#, open.repeat(40_000));
        assert!(protocol::decode_frame(&text).is_err());
        for format in [Format::Tiktok, Format::Twitch, Format::Ssn] {
            let mut adapter = adapters::open(format, &setup()).unwrap();
            let reading = adapter.read(&text, at());
            assert!(reading.events.is_empty(), "{format:?}");
        }
    }
}
