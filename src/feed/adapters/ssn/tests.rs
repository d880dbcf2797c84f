//! Messages are written from Social Stream Ninja's `api.md` ("Content Object Structure",
//! "Donation Message Format", the chat listener examples) and the event names and `meta`
//! of its source scripts (`viewer_update`, `joined`, `followed`, TikTok's `gift`).

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

use super::*;
use crate::protocol::{ModAction, checked};

fn ssn() -> Ssn {
    Ssn::new("demo-session".into())
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("a valid time")
}

/// A message as SSN sends it, plus `extra` fields.
fn msg(source: &str, name: &str, text: &str, extra: Value) -> String {
    let mut m = json!({
        "chatname": name, "chatbadges": "", "backgroundColor": "", "textColor": "",
        "chatmessage": text, "chatimg": "https://example.invalid/a.png", "hasDonation": "",
        "membership": "", "contentimg": "", "textonly": false, "type": source,
        "userid": format!("id-{name}"),
    });
    if let (Some(m), Value::Object(extra)) = (m.as_object_mut(), extra) {
        m.extend(extra);
    }
    m.to_string()
}

fn viewer(source: &str, name: &str, badges: &[&str]) -> User {
    User {
        id: format!("{source}:id-{name}"),
        name: name.into(),
        region: None,
        badges: badges.iter().map(|b| (*b).to_owned()).collect(),
        follower: false,
    }
}

fn chat(msg_id: &str, user: User, text: &str) -> Event {
    Event::Chat { msg_id: msg_id.into(), user, text: text.into(), reply_to: None }
}

fn gift(user: User, name: &str, value: &str, currency: &str, repeat: u32) -> Event {
    let value = Decimal::from_str(value).expect("a decimal");
    Event::Gift { user, gift: Gift { name: name.into(), value, currency: currency.into() }, repeat }
}

fn events(events: Vec<Event>) -> Reading {
    Reading { events, ..Reading::default() }
}

fn unknown(kind: &str) -> Reading {
    Reading { unknown: vec![kind.into()], ..Reading::default() }
}

fn assert_checked(reading: &Reading) {
    for event in &reading.events {
        assert!(checked(event.clone()).is_ok(), "refused: {event:?}");
    }
}

#[test]
fn each_message_maps_onto_the_desk() {
    let table: Vec<(&str, String, Reading)> = vec![
        (
            "chat, the platform as the first badge",
            msg("youtube", "Maria", "Hi!", json!({"id": 1001})),
            events(vec![chat("1001", viewer("youtube", "Maria", &["youtube"]), "Hi!")]),
        ),
        (
            "chat from a moderator and member",
            msg("twitch", "lena", "hi", json!({"id": "m2", "moderator": true, "membership": "SUBSCRIBER"})),
            events(vec![chat("m2", viewer("twitch", "lena", &["twitch", "moderator", "member"]), "hi")]),
        ),
        (
            "a question",
            msg("youtube", "Maria", "Size M?", json!({"id": 7, "question": true})),
            events(vec![Event::Question {
                msg_id: "7".into(),
                user: viewer("youtube", "Maria", &["youtube"]),
                text: "Size M?".into(),
            }]),
        ),
        (
            "a Super Chat: its text and a gift",
            msg("youtube", "Ben", "Take my money", json!({"id": 8, "hasDonation": "$5.00"})),
            events(vec![
                chat("8", viewer("youtube", "Ben", &["youtube"]), "Take my money"),
                gift(viewer("youtube", "Ben", &["youtube"]), "Donation", "5.00", "USD", 1),
            ]),
        ),
        (
            "a tip with no text: the gift only",
            json!({"chatname": "Ana", "chatmessage": "", "hasDonation": "€3,50", "type": "stripe", "id": "cs_1"})
                .to_string(),
            events(vec![gift(
                User {
                    id: "stripe:Ana".into(),
                    name: "Ana".into(),
                    region: None,
                    badges: vec!["stripe".into()],
                    follower: false,
                },
                "Donation",
                "3.50",
                "EUR",
                1,
            )]),
        ),
        (
            "a TikTok gift at the end of its streak",
            msg(
                "tiktok",
                "jack",
                "Rose x5",
                json!({"id": 10, "event": "gift", "hasDonation": "5 coins",
                    "meta": {"giftName": "Rose", "diamondCount": 1, "repeatCount": 5, "streakable": true, "repeatEnd": true}}),
            ),
            events(vec![gift(viewer("tiktok", "jack", &["tiktok"]), "Rose", "1", COINS, 5)]),
        ),
        (
            "a TikTok gift streak still going",
            msg(
                "tiktok",
                "jack",
                "Rose x2",
                json!({"id": 9, "event": "gift", "meta": {"giftName": "Rose", "diamondCount": 1, "repeatCount": 2, "streakable": true, "repeatEnd": false}}),
            ),
            Reading::default(),
        ),
        (
            "a gift without details: its text names it, its donation values it",
            msg("kick", "kim", "Sent a Rocket", json!({"id": 11, "event": "gift", "hasDonation": "100 kicks"})),
            events(vec![gift(viewer("kick", "kim", &["kick"]), "Sent a Rocket", "100", "KICKS", 1)]),
        ),
        (
            "joined",
            msg("tiktok", "lena", "Joined!", json!({"id": 12, "event": "joined"})),
            events(vec![Event::Join { user: viewer("tiktok", "lena", &["tiktok"]) }]),
        ),
        (
            "followed",
            msg("twitch", "fan", "followed", json!({"id": 13, "event": "followed"})),
            events(vec![Event::Follow { user: viewer("twitch", "fan", &["twitch"]) }]),
        ),
        (
            "shared",
            msg("tiktok", "fan", "Shared the stream!", json!({"id": 14, "event": "shared"})),
            events(vec![Event::Share { user: viewer("tiktok", "fan", &["tiktok"]) }]),
        ),
        (
            "viewers",
            json!({"type": "youtube", "event": "viewer_update", "meta": 120}).to_string(),
            events(vec![Event::Viewers { count: 120 }]),
        ),
        (
            "an event the desk has no use for",
            json!({"type": "twitch", "event": "hype_train", "meta": {"phase": "begin", "level": 1}}).to_string(),
            unknown("hype_train"),
        ),
        ("a callback", json!({"callback": {"get": "q1", "result": true}}).to_string(), unknown("callback")),
        ("a command on the channel", json!({"action": "clearOverlay"}).to_string(), unknown("action: clearOverlay")),
        ("a bare status word", "failed".into(), unknown("server: failed")),
        (
            "the peer-to-peer wrapping",
            json!({"overlayNinja": {"chatname": "Zed", "chatmessage": "yo", "type": "kick", "userid": "id-Zed", "id": 16}})
                .to_string(),
            events(vec![chat("16", viewer("kick", "Zed", &["kick"]), "yo")]),
        ),
    ];
    for (what, frame, want) in table {
        let mut s = ssn();
        let got = s.read(&frame, at());
        assert_eq!(got, want, "{what}");
        assert_checked(&got);
    }
}

/// A row as `createtestmessage.html` builds it (commit 981f6dbf): its `basePayload()`
/// defaults, with the empty fields dropped as its `cleanPayload()` drops them, plus `extra`.
fn test_row(extra: Value) -> String {
    let mut m = json!({
        "chatname": "Jess", "chatmessage": "Looking good! This is a test message.",
        "chatimg": "https://socialstream.ninja/media/user1.jpg", "type": "twitch",
    });
    if let (Some(m), Value::Object(extra)) = (m.as_object_mut(), extra) {
        m.extend(extra);
    }
    m.to_string()
}

/// Jess, the test rows' viewer, on `source` (no `userid`: the name is the id).
fn who(source: &str, badges: &[&str]) -> User {
    let badges = badges.iter().map(|b| (*b).to_owned()).collect();
    User { id: format!("{source}:Jess"), name: "Jess".into(), region: None, badges, follower: false }
}

fn jess() -> User {
    who("twitch", &["twitch"])
}

/// The one mapping (README, platform table) over SSN's event rows. Sources, at commit
/// 981f6dbf of steveseguin/social_stream: `createtestmessage.html`'s presets,
/// `docs/event-reference.html`'s per-source tables, `providers/twitch/chatClient.js`.
#[test]
fn each_event_maps_onto_the_one_mapping() {
    let looking_good = || chat("ssn-x", jess(), "Looking good! This is a test message.");
    let table: Vec<(&str, String, Vec<Event>)> = vec![
        (
            "createtestmessage: the Donation / Cheer preset",
            test_row(json!({"event": "cheer", "hasDonation": "500 bits", "bits": 500, "title": "CHEERS", "meta": {"bits": 500}})),
            vec![looking_good(), gift(jess(), "Bits", "500", "BITS", 1)],
        ),
        (
            "chatClient.js: a chat row with bits is event `bits`",
            test_row(json!({"event": "bits", "chatmessage": "cheer100 Hello :)", "hasDonation": "100 bits", "bits": 100})),
            vec![chat("ssn-x", jess(), "cheer100 Hello :)"), gift(jess(), "Bits", "100", "BITS", 1)],
        ),
        (
            "event-reference: a Power-up spends bits and says nothing",
            test_row(json!({"event": "powerup", "chatmessage": "", "meta": {"bits": 50}})),
            vec![gift(jess(), "Bits", "50", "BITS", 1)],
        ),
        (
            "chatClient.js: a /me is event `action`",
            test_row(json!({"event": "action", "chatmessage": "waves"})),
            vec![chat("ssn-x", jess(), "waves")],
        ),
        (
            "event-reference, YouTube: a Super Chat",
            test_row(json!({"type": "youtube", "event": "superchat", "chatmessage": "Love it", "hasDonation": "$5.00"})),
            vec![
                chat("ssn-x", who("youtube", &["youtube"]), "Love it"),
                gift(who("youtube", &["youtube"]), "Super Chat", "5.00", "USD", 1),
            ],
        ),
        (
            "event-reference, YouTube: thankyou is a donation whose text is SSN's own",
            test_row(json!({"type": "youtube", "event": "thankyou", "chatmessage": "Thank you for your donation!", "hasDonation": "€2.00"})),
            vec![gift(who("youtube", &["youtube"]), "Donation", "2.00", "EUR", 1)],
        ),
        (
            "event-reference, YouTube: Jewels",
            test_row(json!({"type": "youtube", "event": "jeweldonation", "chatmessage": "", "hasDonation": "100 Jewels"})),
            vec![gift(who("youtube", &["youtube"]), "YouTube Gift", "100", "JEWELS", 1)],
        ),
        (
            "createtestmessage: the New Subscriber preset",
            test_row(json!({"event": "new_subscriber", "chatmessage": "Jess has subscribed", "membership": "Subscriber", "tier": "1000", "meta": {"userId": "101", "tier": "1000", "isGift": false}})),
            vec![gift(who("twitch", &["twitch", "member"]), "Sub (Tier 1)", "1", "SUBS", 1)],
        ),
        (
            "event-reference: a resub's text is the viewer's message",
            test_row(json!({"event": "resub", "chatmessage": "two years!", "meta": {"tier": "2000"}})),
            vec![gift(jess(), "Sub (Tier 2)", "1", "SUBS", 1), chat("ssn-x", jess(), "two years!")],
        ),
        (
            "createtestmessage: the Gifted Subs preset",
            test_row(json!({"event": "subscription_gift", "chatmessage": "Jess has gifted 5 tier 1000 subs!", "membership": "Subscriber", "total": 5, "tier": "1000", "meta": {"userId": "101", "total": 5, "tier": "1000"}})),
            vec![gift(who("twitch", &["twitch", "member"]), "Gift sub (Tier 1)", "1", "SUBS", 5)],
        ),
        (
            "event-reference, YouTube: a membership",
            test_row(json!({"type": "youtube", "event": "sponsorship", "chatmessage": "Welcome!", "membership": "MEMBERSHIP"})),
            vec![gift(who("youtube", &["youtube", "member"]), "Membership", "1", "SUBS", 1)],
        ),
        (
            "event-reference, YouTube: a gift bundle's count is in its subtitle",
            test_row(json!({"type": "youtube", "event": "giftpurchase", "chatmessage": "", "membership": "gift_giver", "subtitle": "Gifted 10 memberships"})),
            vec![gift(who("youtube", &["youtube", "member"]), "Gift membership", "1", "SUBS", 10)],
        ),
        (
            "event-reference, YouTube: a gifted membership received adds nothing",
            test_row(json!({"type": "youtube", "event": "giftredemption", "membership": "gift_recipient"})),
            vec![],
        ),
        (
            "createtestmessage: the Raid preset",
            test_row(json!({"event": "raid", "chatmessage": "Raiding with 42 viewers!", "meta": {"fromId": "101", "fromLogin": "raider", "viewers": 42}})),
            vec![Event::Join { user: jess() }],
        ),
        (
            "createtestmessage: the Viewer Count Update preset",
            json!({"type": "twitch", "event": "viewer_update", "meta": 123}).to_string(),
            vec![Event::Viewers { count: 123 }],
        ),
        (
            "event-reference: the extension's sum of its sources",
            json!({"event": "viewer_updates", "meta": {"youtube": 120, "twitch": 40}}).to_string(),
            vec![Event::Viewers { count: 160 }],
        ),
        (
            "event-reference, TikTok (TikFinity): a treasure chest",
            test_row(json!({"type": "tiktok", "event": "envelope", "chatmessage": "sent a treasure chest", "meta": {"coins": 300, "canOpen": true}})),
            vec![gift(who("tiktok", &["tiktok"]), "Treasure chest", "300", "COINS", 1)],
        ),
        (
            "event-reference, TikTok (SSApp): an emote with no name to show",
            test_row(json!({"type": "tiktok", "event": "emote", "chatmessage": "<img src=\"https://p16-webcast.tiktokcdn.com/img/emote.png\">"})),
            vec![chat("ssn-x", who("tiktok", &["tiktok"]), "[emote]")],
        ),
        (
            "event-reference, TikTok: a like",
            test_row(json!({"type": "tiktok", "event": "liked", "chatmessage": "liked the LIVE"})),
            vec![Event::Like { user: Some(who("tiktok", &["tiktok"])), count: 1 }],
        ),
        (
            "sources/websocket/twitch.js: a timeout",
            json!({"type": "twitch", "event": "user_banned", "meta": {"platform": "twitch", "action": "timeout", "username": "spammer", "userId": "123", "durationSeconds": 600, "permanent": false}}).to_string(),
            vec![Event::Moderation { action: ModAction::Muted, msg_id: None, user_id: Some("twitch:123".into()), by: None }],
        ),
        (
            "sources/websocket/twitch.js: a ban",
            json!({"type": "twitch", "event": "user_banned", "meta": {"action": "ban", "username": "spammer", "userId": "", "durationSeconds": 0, "permanent": true}}).to_string(),
            vec![Event::Moderation { action: ModAction::Banned, msg_id: None, user_id: Some("twitch:spammer".into()), by: None }],
        ),
    ];
    for (what, frame, want) in table {
        let got = ssn().read(&frame, at());
        assert_checked(&got);
        assert_eq!((&got.unknown, &got.malformed), (&vec![], &None), "{what}");
        // The derived id differs per row: compare the chat with the id it was given.
        let got: Vec<Event> = got
            .events
            .into_iter()
            .map(|e| match e {
                Event::Chat { user, text, reply_to, .. } => {
                    Event::Chat { msg_id: "ssn-x".into(), user, text, reply_to }
                }
                e => e,
            })
            .collect();
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn rows_the_desk_has_no_use_for_are_unknown_by_name() {
    let table = [
        (
            test_row(
                json!({"event": "reward", "chatmessage": "Jess redeemed Highlight My Message (1000 points)"}),
            ),
            "reward",
        ),
        (test_row(json!({"type": "tiktok", "event": true, "chatmessage": "Welcome"})), "system notice"),
        (
            json!({"type": "twitch", "event": "hype_train", "meta": {"phase": "begin"}}).to_string(),
            "hype_train",
        ),
        (test_row(json!({"type": "youtube", "event": "reaction", "chatmessage": "❤"})), "reaction"),
        (test_row(json!({"type": "tiktok", "event": "reaction", "chatmessage": "🌹"})), "reaction"),
    ];
    for (frame, name) in table {
        assert_eq!(ssn().read(&frame, at()), unknown(name), "{frame}");
    }
}

#[test]
fn a_tiktok_gift_streak_counts_once_by_its_highest_count() {
    // sources/tiktok.js (981f6dbf), markTikTokGiftUpdate: each step of a streak is sent with
    // the streak's id and its count so far, `hasDonation` the coins so far, and the last step
    // may never come.
    let step = |streak: &str, n: u32, coins: &str| {
        let html = format!(
            "sent <img src=\"https://p16-webcast.tiktokcdn.com/img/maliva/webcast-va/eba3a9bb85c33e017f3648eaf88d7189~tplv-obj.png\" alt=\"Rose\"> × {n}"
        );
        test_row(
            json!({"type": "tiktok", "chatname": "Lena", "event": "gift", "chatmessage": html, "hasDonation": coins,
            "meta": {"tiktokGiftStreakId": streak, "tiktokGiftCount": n, "tiktokGiftQuietMs": 4500}}),
        )
    };
    let units = |r: &Reading| -> Vec<(String, String, u32)> {
        r.events
            .iter()
            .filter_map(|e| match e {
                Event::Gift { gift, repeat, .. } => {
                    Some((gift.value.to_string(), gift.currency.clone(), *repeat))
                }
                _ => None,
            })
            .collect()
    };
    let mut s = ssn();
    let a = "tiktok-gift-x-1";
    assert_eq!(units(&s.read(&step(a, 1, "1 coin"), at())), [("1".into(), "COINS".into(), 1)]);
    assert_eq!(units(&s.read(&step(a, 2, "2 coins"), at())), [("1".into(), "COINS".into(), 1)]);
    assert_eq!(units(&s.read(&step(a, 5, "5 coins"), at())), [("1".into(), "COINS".into(), 3)]);
    // The same step again, or a late lower one, adds nothing.
    assert!(units(&s.read(&step(a, 5, "5 coins"), at())).is_empty());
    assert!(units(&s.read(&step(a, 4, "4 coins"), at())).is_empty());
    // A new streak of the same gift is new.
    assert_eq!(
        units(&s.read(&step("tiktok-gift-x-2", 2, "2 coins"), at())),
        [("1".into(), "COINS".into(), 2)]
    );
    // The gift is named by its picture's alt text.
    let r = s.read(&step("tiktok-gift-x-3", 1, "1 coin"), at());
    assert!(matches!(&r.events[..], [Event::Gift { gift, .. }] if gift.name == "Rose"), "{r:?}");
    // TikTok hid the price ("5 gifts"): the units count, in coins, with no value.
    let hidden = step("tiktok-gift-x-4", 5, "5 gifts");
    assert_eq!(units(&s.read(&hidden, at())), [("0".into(), "COINS".into(), 5)]);
}

#[test]
fn gift_subs_sent_one_by_one_after_their_bundle_count_once() {
    // event-reference, Twitch DOM: "giftpurchase" is the bundle line ("User gifting 3 Subs"),
    // then one "subscription_gift" per recipient ("User gifted a Sub to …").
    let mut s = ssn();
    let bundle = test_row(
        json!({"event": "giftpurchase", "chatmessage": "Jess is gifting 3 Tier 1 Subs to the community!"}),
    );
    let one = |to: &str| {
        test_row(
            json!({"event": "subscription_gift", "chatmessage": format!("Jess gifted a Tier 1 Sub to {to}!")}),
        )
    };
    let units = |r: Reading| -> u32 {
        r.events.iter().map(|e| if let Event::Gift { repeat, .. } = e { *repeat } else { 0 }).sum()
    };
    assert_eq!(units(s.read(&bundle, at())), 3);
    assert_eq!(["ann", "bob", "cid"].iter().map(|to| units(s.read(&one(to), at()))).sum::<u32>(), 0);
    assert_eq!(units(s.read(&one("dee"), at())), 1, "a gift past the bundle is new");
}

#[test]
fn a_delete_removes_one_message_or_one_viewers() {
    // sources/websocket/twitch.js (981f6dbf), sendDeleteMessage's contract: by id, by
    // chatname, or every message of a source.
    let mut s = ssn();
    s.read(&msg("twitch", "Uma &amp; Co", "hi", json!({"id": "tw-1"})), at());
    let deleted = |msg_id: Option<&str>, user_id: Option<&str>| {
        events(vec![Event::Moderation {
            action: ModAction::Deleted,
            msg_id: msg_id.map(Into::into),
            user_id: user_id.map(Into::into),
            by: None,
        }])
    };
    let read = |s: &mut Ssn, d: Value| s.read(&json!({"delete": d}).to_string(), at());
    assert_eq!(read(&mut s, json!({"type": "twitch", "id": "tw-1"})), deleted(Some("tw-1"), None));
    assert_eq!(
        read(&mut s, json!({"type": "twitch", "chatname": "uma &amp; co"})),
        deleted(None, Some("twitch:id-Uma &amp; Co")),
        "the name's viewer, whatever its case"
    );
    assert_eq!(
        read(&mut s, json!({"type": "twitch", "chatname": "Nobody"})),
        deleted(None, Some("twitch:Nobody"))
    );
    assert_eq!(read(&mut s, json!({"type": "twitch"})), unknown("delete (a whole source)"));
}

#[test]
fn malformed_frames_say_why() {
    let table = [
        ("not json {", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (r#"{"chatmessage": "who?", "type": "youtube"}"#, "no `chatname` or `userid`"),
        (r#"{"chatname": "Ann", "chatmessage": "", "type": "youtube", "id": 1}"#, "no text"),
        (r#"{"event": "viewer_update", "type": "youtube", "meta": "lots"}"#, "no count"),
        (r#"{"event": "joined", "type": "tiktok", "chatmessage": "Joined!"}"#, "no `chatname`"),
    ];
    for (frame, why) in table {
        let got = ssn().read(frame, at());
        let reason = got.malformed.clone().unwrap_or_default();
        assert!(reason.contains(why), "{frame}: {got:?}");
        assert!(got.events.is_empty(), "{frame}");
    }
}

#[test]
fn viewers_are_summed_over_the_sources() {
    let mut s = ssn();
    let update = |s: &mut Ssn, source: &str, meta: Value| {
        let frame = json!({"type": source, "event": "viewer_update", "meta": meta}).to_string();
        s.read(&frame, at()).events
    };
    assert_eq!(update(&mut s, "youtube", json!(120)), vec![Event::Viewers { count: 120 }]);
    assert_eq!(update(&mut s, "twitch", json!("40")), vec![Event::Viewers { count: 160 }]);
    assert_eq!(update(&mut s, "youtube", json!({"viewers": 150})), vec![Event::Viewers { count: 190 }]);
    assert_eq!(update(&mut s, "twitch", json!("1,000")), vec![Event::Viewers { count: 1150 }]);
}

#[test]
fn html_becomes_plain_text() {
    let table = [
        ("plain", "plain"),
        (
            r#"hi <img class="regular-emote" src="https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0" alt="Kappa"> there"#,
            "hi Kappa there",
        ),
        (r#"<img src='x.png' alt='🔥' title='fire'><img src="y.png">!"#, "🔥!"),
        (r#"<img alt=Kappa src=x.png/>"#, "Kappa"),
        (r#"<img data-alt="no" src="x">ok"#, "ok"),
        (r#"<img src="a>b.png" alt="x">y"#, "xy"),
        ("<b>bold</b> and <span style=\"color:red\">red</span>", "bold and red"),
        ("line<br>break", "line break"),
        (
            "Tom &amp; Jerry &lt;3 &quot;q&quot; &#39;s&#39; &#x1F525; &nbsp;x",
            "Tom & Jerry <3 \"q\" 's' 🔥 x",
        ),
        ("I <3 you & 2 < 3 > 1", "I <3 you & 2 < 3 > 1"),
        ("unknown &entity; and &#xZZ; and &#0; and &", "unknown &entity; and &#xZZ; and &#0; and &"),
        ("<unterminated tag", "<unterminated tag"),
        ("  spaced \n\t out  ", "spaced out"),
        ("", ""),
    ];
    for (html, text) in table {
        assert_eq!(plain_text(html), text, "{html}");
    }
    // Names are HTML-escaped by SSN's sources: entities only.
    assert_eq!(decode_entities("Tom &amp; <b>Jerry</b>"), "Tom & <b>Jerry</b>");
}

#[test]
fn textonly_messages_are_kept_as_written() {
    let frame = msg("tiktok", "Tom &amp; Jerry", "I <b>3</b> &amp; this", json!({"id": 1, "textonly": true}));
    let got = ssn().read(&frame, at());
    let Some(Event::Chat { text, user, .. }) = got.events.first() else { panic!("{got:?}") };
    assert_eq!((text.as_str(), user.name.as_str()), ("I <b>3</b> &amp; this", "Tom & Jerry"));
}

#[test]
fn emoji_and_escapes_reach_the_feed_client_as_sent() {
    let text = "\u{1b}[31mFREE\u{1b}[0m 🔥🔥 \u{202e}gnip\u{202c} \"quoted\" \\ back\nslash 👩‍👩‍👧";
    let name = "Ma\u{1b}]0;pwned\u{7}ria 🌸";
    let got = ssn().read(&msg("youtube", name, text, json!({"id": "e1", "userid": "u1"})), at());
    let Some(Event::Chat { text: kept, user, .. }) = got.events.first().cloned() else { panic!("{got:?}") };
    // The message is HTML: its line break is white space, as a browser shows it; the
    // escapes are left for the feed client's check.
    assert_eq!((kept.as_str(), user.name.as_str()), (text.replace('\n', " ").as_str(), name));
    let Ok(Event::Chat { text: clean, user, .. }) = checked(got.events[0].clone()) else { panic!() };
    assert_eq!(clean, "FREE 🔥🔥 gnip \"quoted\" \\ back slash 👩‍👩‍👧");
    assert_eq!(user.name, "Maria 🌸");
    assert_eq!(user.badges, vec!["youtube"]);
}

#[test]
fn donations_are_read_safely() {
    let table: [(&str, Option<(&str, &str)>); 27] = [
        ("$5.00", Some(("5.00", "USD"))),
        ("€3,50", Some(("3.50", "EUR"))),
        ("5 USD", Some(("5", "USD"))),
        ("$50.00 USD", Some(("50.00", "USD"))),
        ("$5 CAD", Some(("5", "CAD"))),
        ("CA$10.00", Some(("10.00", "CAD"))),
        ("R$ 10,00", Some(("10.00", "BRL"))),
        ("1.234,56 €", Some(("1234.56", "EUR"))),
        ("£1,234.56", Some(("1234.56", "GBP"))),
        ("¥1,000", Some(("1000", "JPY"))),
        ("USD 7", Some(("7", "USD"))),
        ("100 bits", Some(("100", "BITS"))),
        ("25 coins", Some(("25", "COINS"))),
        ("1 coin", Some(("1", "COINS"))),
        ("1 bit", Some(("1", "BITS"))),
        ("300 KICKs", Some(("300", "KICKS"))),
        ("100 Jewels", Some(("100", "JEWELS"))),
        ("5 usd", Some(("5", "USD"))),
        ("3 roses", Some(("3", "ROSES"))),
        ("12,5 zł", Some(("12.5", "PLN"))),
        ("5", Some(("5", ""))),
        ("5.", Some(("5", ""))),
        ("lots!!", None),
        ("", None),
        ("-$5.00", None),
        ("1.2.3,4,5", None),
        ("99999999999999999999999999999999", None),
    ];
    for (text, want) in table {
        let got = parse_donation(text);
        let want = want.map(|(v, c)| (Decimal::from_str(v).expect("decimal"), c.to_owned()));
        assert_eq!(got, want, "{text:?}");
    }
    // An amount that cannot be read is shown as written, with no value.
    let got = ssn().read(&msg("youtube", "Ben", "", json!({"id": 3, "hasDonation": "a lot!!"})), at());
    assert_eq!(got, events(vec![gift(viewer("youtube", "Ben", &["youtube"]), "a lot!!", "0", "", 1)]));
}

#[test]
fn a_message_sent_again_is_counted_as_a_duplicate() {
    let mut s = ssn();
    let first = [
        msg("youtube", "ann", "hello", json!({"id": 101})),
        msg("twitch", "bob", "sold pink", json!({"id": 102})),
        msg("tiktok", "cid", "Joined!", json!({"id": 103, "event": "joined"})),
    ];
    let told: usize = first.iter().map(|f| s.read(f, at()).events.len()).sum();
    assert_eq!(told, 3);
    let mut again: Vec<String> = first.to_vec();
    again.push(msg("youtube", "ann", "new one", json!({"id": 104})));
    let readings: Vec<Reading> = again.iter().map(|f| s.read(f, at())).collect();
    assert_eq!(readings.iter().map(|r| r.duplicates).sum::<u32>(), 3);
    let new: Vec<&Event> = readings.iter().flat_map(|r| &r.events).collect();
    assert_eq!(new, vec![&chat("104", viewer("youtube", "ann", &["youtube"]), "new one")]);
    // An id handed out again (SSN restarted) with another message is a new message.
    assert_eq!(s.read(&msg("youtube", "dee", "other", json!({"id": 101})), at()).events.len(), 1);
}

#[test]
fn messages_without_id_are_told_by_source_author_text_and_time() {
    let mut s = ssn();
    let timed = msg("youtube", "ann", "1", json!({"timestamp": 1_661_887_134_718u64}));
    let first = s.read(&timed, at());
    let Some(Event::Chat { msg_id, .. }) = first.events.first() else { panic!("{first:?}") };
    assert!(msg_id.starts_with("ssn-"), "{msg_id}");
    assert_eq!(s.read(&timed, at()).duplicates, 1);
    let later = timed.replace("1661887134718", "1661887139000");
    assert_eq!(s.read(&later, at()).events.len(), 1);
    // With no time either, a buyer's second "1" must not be lost.
    let bare = msg("youtube", "ann", "1", json!({}));
    let ids: Vec<String> = (0..2)
        .flat_map(|_| s.read(&bare, at()).events)
        .filter_map(|e| match e {
            Event::Chat { msg_id, .. } => Some(msg_id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

#[test]
fn the_dedup_memory_is_bounded() {
    let mut s = ssn();
    s.seen.cap = 3;
    let chat_n = |n: u32| msg("youtube", "ann", &format!("c{n}"), json!({"id": n}));
    for n in 0..4 {
        assert_eq!(s.read(&chat_n(n), at()).events.len(), 1);
    }
    assert_eq!((s.seen.order.len(), s.seen.kinds.len()), (3, 3));
    assert_eq!(s.read(&chat_n(3), at()).duplicates, 1);
    assert_eq!(s.read(&chat_n(0), at()).events.len(), 1);
    assert_eq!(ssn().seen.cap, DEDUP_MEMORY);
}

#[test]
fn it_joins_the_session_and_sends_chat_only() {
    let mut s = ssn();
    assert_eq!(s.capabilities(), Capabilities { send_chat: true, ..Capabilities::default() });
    assert!(!s.capabilities().resume);
    let join: Value = serde_json::from_str(&s.greet()[0]).expect("JSON");
    assert_eq!(join, json!({"join": "demo-session", "in": 4, "out": 1}));
    // The session id is a secret: the stream's name does not show it.
    let name = s.stream_id();
    assert!(name.starts_with("ssn-") && name.len() == 12 && !name.contains("demo"), "{name}");
    assert_eq!(name, ssn().stream_id());
    assert_ne!(name, Ssn::new("other".into()).stream_id());

    let r = || "r1".to_owned();
    let send = Command::SendChat {
        reference: r(),
        text: "Hi @Ann! \"Pink\" is 25 €\n🔥".into(),
        reply_to: Some("1001".into()),
    };
    let frames = s.write(&send).expect("sent");
    let sent: Value = serde_json::from_str(&frames[0]).expect("JSON");
    assert_eq!(sent, json!({"action": "sendChat", "value": "Hi @Ann! \"Pink\" is 25 €\n🔥"}));
    let empty = Command::SendChat { reference: r(), text: "  ".into(), reply_to: None };
    assert!(s.write(&empty).is_err());
    let refused = [
        Command::PinChat { reference: r(), msg_id: "m".into() },
        Command::DeleteChat { reference: r(), msg_id: "m".into() },
        Command::MuteUser { reference: r(), user_id: "u".into(), seconds: 60 },
        Command::PinProduct { reference: r(), sku: Some("SKU".into()) },
        Command::FlashSale {
            reference: r(),
            action: crate::protocol::SaleAction::Start,
            sku: Some("SKU".into()),
            price: None,
            quantity: None,
            seconds: None,
        },
    ];
    for cmd in &refused {
        let why = s.write(cmd).expect_err("refused");
        assert!(why.starts_with("Social Stream Ninja's API only sends chat: "), "{why}");
    }
    let hello = Command::Hello { client: "livedesk".into(), resume_after: None };
    assert_eq!(s.write(&hello), Ok(vec![]));
}

/// The end-to-end fixture reads as its header says.
#[test]
fn the_fixture_reads_as_its_truth() {
    let fixture = include_str!("../../../../tests/fixtures/ssn.jsonl");
    let mut s = ssn();
    let mut all = Reading::default();
    for line in fixture.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let r = s.read(line, at());
        assert_eq!(r.malformed, None, "{line}");
        assert_checked(&r);
        all.events.extend(r.events);
        all.unknown.extend(r.unknown);
        all.duplicates += r.duplicates;
    }
    let count = |kind: &str| all.events.iter().filter(|e| e.type_name() == kind).count();
    let chat_ids: Vec<&str> = all
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Chat { msg_id, .. } => Some(msg_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(chat_ids, ["1001", "1002", "1003", "1005", "1006", "1011", "1013", "1014"]);
    assert_eq!(count("question"), 1);
    assert_eq!((count("join"), count("follow")), (1, 1));
    let gifts: Vec<(String, String, String, u32)> = all
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Gift { gift, repeat, .. } => {
                Some((gift.name.clone(), gift.value.to_string(), gift.currency.clone(), *repeat))
            }
            _ => None,
        })
        .collect();
    let want = [
        ("Donation", "5.00", "USD", 1),
        ("Bits", "100", "BITS", 1),
        ("Rose", "1", "COINS", 5),
        ("Sub", "1", "SUBS", 1),
        ("Donation", "3.50", "EUR", 1),
    ];
    let want: Vec<(String, String, String, u32)> =
        want.iter().map(|(n, v, c, r)| ((*n).into(), (*v).into(), (*c).into(), *r)).collect();
    assert_eq!(gifts, want);
    let viewers: Vec<u64> = all
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Viewers { count } => Some(*count),
            _ => None,
        })
        .collect();
    assert_eq!(viewers, vec![120, 160, 190, 205]);
    assert_eq!(all.duplicates, 2);
    assert_eq!(all.unknown, vec!["callback"]);
    let texts: Vec<&str> = all
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Chat { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(texts.contains(&"sold almond pink Kappa"), "{texts:?}");
    assert!(texts.contains(&"Cheer100 love it"), "{texts:?}");
    assert!(texts.contains(&"I <3 this set"), "{texts:?}");
    assert!(texts.contains(&"Take my money & ship it!"), "{texts:?}");
}

/// Any JSON, with SSN's keys and HTML- and money-like text where a frame has them.
fn json_value() -> impl Strategy<Value = Value> {
    const KEYS: &[&str] = &[
        "chatname",
        "chatmessage",
        "type",
        "userid",
        "id",
        "hasDonation",
        "event",
        "meta",
        "question",
        "moderator",
        "membership",
        "textonly",
        "timestamp",
        "giftName",
        "diamondCount",
        "repeatCount",
        "overlayNinja",
        "tiktokGiftStreakId",
        "tiktokGiftCount",
        "delete",
        "bits",
        "total",
        "tier",
        "subtitle",
        "coins",
        "userId",
    ];
    super::super::fuzz::json_value(KEYS, &["[<>&;#a-z0-9 \"'=/]{0,24}", "[$€£0-9.,]{0,8}( [A-Za-z]{0,4})?"])
}

proptest! {
    /// No input makes the adapter panic, and the same input twice never tells more the
    /// second time.
    #[test]
    fn any_frame_is_read_without_panic(
        data in json_value(),
        event in prop_oneof![Just(Value::Null), Just(json!("viewer_update")), Just(json!("gift")),
            Just(json!("joined")), Just(json!("followed")), Just(json!(false)), Just(json!("x")),
            Just(json!("viewer_updates")), Just(json!("cheer")), Just(json!("subscription_gift")),
            Just(json!("giftpurchase")), Just(json!("user_banned")), Just(json!("envelope")),
            Just(json!("superchat")), Just(json!("reaction")), Just(json!(true))],
        source in prop_oneof![Just("tiktok"), Just("twitch"), Just("youtube")],
        raw in ".{0,40}",
        html in "[<>&;#a-zA-Z0-9 \"'=/é🔥]{0,60}",
    ) {
        let mut s = ssn();
        let mut frame = data.clone();
        if let Value::Object(m) = &mut frame {
            m.insert("event".into(), event);
            m.entry("type").or_insert_with(|| json!(source));
        }
        let text = frame.to_string();
        let half = (0..=text.len() / 2).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        for input in [text.as_str(), raw.as_str(), &text[..half]] {
            let first = s.read(input, at());
            let again = s.read(input, at());
            prop_assert!(first.malformed.is_some() || first.events.len() >= again.events.len());
            for event in first.events.iter().chain(&again.events) {
                let _ = checked(event.clone());
            }
        }
        let _ = plain_text(&html);
        let _ = decode_entities(&html);
        let _ = parse_donation(&html);
    }
}
