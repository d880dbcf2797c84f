//! Frames are written from TikTok-Live-Connector's README ("Events", data structures) and
//! its v2 schema (imDelete, ControlAction); the nested variants follow the shape of the
//! connector's decoded v2 messages (`user`, `common`, `giftDetails`, `userIdentity`).

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::protocol::checked;

fn tiktok() -> TikTok {
    TikTok::new("sellerdemo".into())
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("a valid time")
}

fn frame(event: &str, data: Value) -> String {
    json!({ "event": event, "data": data }).to_string()
}

/// A viewer as the connector flattens them, plus `extra` fields of the event.
fn flat(user: &str, extra: Value) -> Value {
    let mut data = json!({
        "userId": format!("id-{user}"),
        "secUid": "<redacted>",
        "uniqueId": user,
        "nickname": user.to_uppercase(),
        "profilePictureUrl": "https://p16-sign-va.tiktokcdn.com/...webp",
        "followRole": 0,
        "userBadges": [],
        "isModerator": false,
        "isNewGifter": false,
        "isSubscriber": false,
        "topGifterRank": null,
    });
    if let (Some(data), Value::Object(extra)) = (data.as_object_mut(), extra) {
        data.extend(extra);
    }
    data
}

fn viewer(user: &str) -> User {
    User {
        id: format!("id-{user}"),
        name: user.to_uppercase(),
        region: None,
        badges: vec![],
        follower: false,
    }
}

fn events(events: Vec<Event>) -> Reading {
    Reading { events, ..Reading::default() }
}

fn unknown(name: &str) -> Reading {
    Reading { unknown: vec![name.into()], ..Reading::default() }
}

fn chat(msg_id: &str, user: User, text: &str) -> Event {
    Event::Chat { msg_id: msg_id.into(), user, text: text.into(), reply_to: None }
}

fn gift(user: User, name: &str, diamonds: u32, repeat: u32) -> Event {
    let gift = Gift { name: name.into(), value: Decimal::from(diamonds), currency: COINS.into() };
    Event::Gift { user, gift, repeat }
}

fn deleted(msg_id: Option<&str>, user_id: Option<&str>) -> Event {
    Event::Moderation {
        action: ModAction::Deleted,
        msg_id: msg_id.map(Into::into),
        user_id: user_id.map(Into::into),
        by: None,
    }
}

/// Every event the adapter produces is one the feed client's check lets through.
fn assert_checked(reading: &Reading) {
    for event in &reading.events {
        assert!(checked(event.clone()).is_ok(), "refused: {event:?}");
    }
}

#[test]
fn each_relay_event_maps_onto_the_desk() {
    let mut moderator = viewer("lena");
    moderator.badges = vec!["moderator".into()];
    let mut subscriber = viewer("jack");
    subscriber.badges = vec!["subscriber".into()];
    subscriber.follower = true;
    let mut host = viewer("sellerdemo");
    host.badges = vec!["host".into()];
    let nested_user = User {
        id: "6813181309701719620".into(),
        name: "Zerody Tester".into(),
        region: None,
        badges: vec!["moderator".into(), "subscriber".into()],
        follower: true,
    };
    let table: Vec<(&str, String, Reading)> = vec![
        (
            "chat",
            frame(
                "chat",
                flat(
                    "ann",
                    json!({"comment": "How are you?", "msgId": "7137750790064065286", "createTime": "1661887134718"}),
                ),
            ),
            events(vec![chat("7137750790064065286", viewer("ann"), "How are you?")]),
        ),
        (
            "chat from a moderator",
            frame(
                "chat",
                flat(
                    "lena",
                    json!({"comment": "hi", "msgId": "m2", "isModerator": true, "userBadges": [{"type": "pm_mt_moderator_im", "name": "Moderator"}]}),
                ),
            ),
            events(vec![chat("m2", moderator.clone(), "hi")]),
        ),
        (
            "chat from a following subscriber",
            frame(
                "chat",
                flat(
                    "jack",
                    json!({"comment": "sold", "msgId": "m3", "isSubscriber": true, "followRole": 2}),
                ),
            ),
            events(vec![chat("m3", subscriber, "sold")]),
        ),
        (
            "chat from the streamer",
            frame("chat", flat("sellerdemo", json!({"comment": "welcome!", "msgId": "m4"}))),
            events(vec![chat("m4", host, "welcome!")]),
        ),
        (
            "chat, nested as the connector's v2 decodes it",
            frame(
                "chat",
                json!({
                    "common": {"method": "WebcastChatMessage", "msgId": "7137750790064065999", "createTime": "1661887134718"},
                    "user": {"userId": "6813181309701719620", "uniqueId": "zerodytester", "nickname": "Zerody Tester", "followInfo": {"followStatus": 1}},
                    "comment": "nested",
                    "userIdentity": {"isModeratorOfAnchor": true, "isSubscriberOfAnchor": true, "isFollowerOfAnchor": true}
                }),
            ),
            events(vec![chat("7137750790064065999", nested_user, "nested")]),
        ),
        (
            "chat with a numeric user id and only a uniqueId for a name",
            frame(
                "chat",
                json!({"comment": "x", "msgId": 7137750790064065000_u64, "userId": 6813181309701719620_u64, "uniqueId": "bob"}),
            ),
            events(vec![chat(
                "7137750790064065000",
                User {
                    id: "6813181309701719620".into(),
                    name: "bob".into(),
                    region: None,
                    badges: vec![],
                    follower: false,
                },
                "x",
            )]),
        ),
        (
            "member",
            frame(
                "member",
                flat(
                    "ann",
                    json!({"actionId": 1, "msgId": "7137750885996120859", "displayType": "live_room_enter_toast", "label": "{0:user} joined"}),
                ),
            ),
            events(vec![Event::Join { user: viewer("ann") }]),
        ),
        (
            "member subscribing",
            frame("member", flat("ann", json!({"actionId": 3, "msgId": "m5"}))),
            unknown("member"),
        ),
        (
            "like",
            frame(
                "like",
                flat("ann", json!({"likeCount": 6, "totalLikeCount": 21349, "msgId": "7137750883651619630"})),
            ),
            events(vec![Event::Like { user: Some(viewer("ann")), count: 6 }]),
        ),
        (
            "like with no viewer",
            frame("like", json!({"likeCount": "12", "totalLikeCount": 99})),
            events(vec![Event::Like { user: None, count: 12 }]),
        ),
        (
            "roomUser",
            frame("roomUser", json!({"topViewers": [], "viewerCount": 630})),
            events(vec![Event::Viewers { count: 630 }]),
        ),
        (
            "social: a follow",
            frame(
                "social",
                flat(
                    "ann",
                    json!({"msgId": "s1", "displayType": "pm_main_follow_message_viewer_2", "label": "{0:user} followed the host"}),
                ),
            ),
            events(vec![Event::Follow { user: viewer("ann") }]),
        ),
        (
            "social: a share",
            frame(
                "social",
                flat(
                    "ann",
                    json!({"msgId": "s2", "displayType": "pm_mt_guidance_share", "label": "{0:user} shared the live"}),
                ),
            ),
            events(vec![Event::Share { user: viewer("ann") }]),
        ),
        (
            "social: neither",
            frame("social", flat("ann", json!({"msgId": "s3", "displayType": "pm_mt_something_else"}))),
            unknown("social"),
        ),
        (
            "follow",
            frame(
                "follow",
                flat("ann", json!({"msgId": "s4", "displayType": "pm_main_follow_message_viewer_2"})),
            ),
            events(vec![Event::Follow { user: viewer("ann") }]),
        ),
        (
            "share",
            frame("share", flat("ann", json!({"msgId": "s5", "displayType": "pm_mt_guidance_share"}))),
            events(vec![Event::Share { user: viewer("ann") }]),
        ),
        (
            "questionNew",
            frame(
                "questionNew",
                flat("ann", json!({"questionText": "Do you ship to Spain?", "msgId": "q1"})),
            ),
            events(vec![Event::Question {
                msg_id: "q1".into(),
                user: viewer("ann"),
                text: "Do you ship to Spain?".into(),
            }]),
        ),
        (
            "questionNew, nested",
            frame(
                "questionNew",
                json!({"questionDetails": {"questionText": "Size M?", "user": {"userId": "id-ann", "nickname": "ANN"}}, "common": {"msgId": "q2"}}),
            ),
            events(vec![Event::Question {
                msg_id: "q2".into(),
                user: viewer("ann"),
                text: "Size M?".into(),
            }]),
        ),
        (
            "gift that does not streak counts at once",
            frame(
                "gift",
                flat(
                    "ann",
                    json!({"giftId": 11046, "giftType": 2, "repeatCount": 1, "repeatEnd": false, "diamondCount": 1000, "giftName": "Galaxy", "msgId": "g1"}),
                ),
            ),
            events(vec![gift(viewer("ann"), "Galaxy", 1000, 1)]),
        ),
        (
            "gift streak still going",
            frame(
                "gift",
                flat(
                    "ann",
                    json!({"giftId": 5655, "giftType": 1, "repeatCount": 3, "repeatEnd": false, "diamondCount": 1, "giftName": "Rose", "msgId": "g2"}),
                ),
            ),
            Reading::default(),
        ),
        (
            "gift streak ending",
            frame(
                "gift",
                flat(
                    "ann",
                    json!({"giftId": 5655, "giftType": 1, "repeatCount": 7, "repeatEnd": true, "diamondCount": 1, "giftName": "Rose", "msgId": "g3"}),
                ),
            ),
            events(vec![gift(viewer("ann"), "Rose", 1, 7)]),
        ),
        (
            "gift in the connector's older compat shape",
            frame(
                "gift",
                flat(
                    "ann",
                    json!({"giftId": 5953, "gift": {"gift_id": 5953, "gift_type": 1, "repeat_count": 2, "repeat_end": 1}, "extendedGiftInfo": {"name": "Nevalyashka doll", "diamond_count": 25}, "msgId": "g4"}),
                ),
            ),
            events(vec![gift(viewer("ann"), "Nevalyashka doll", 25, 2)]),
        ),
        (
            "gift, nested with giftDetails",
            frame(
                "gift",
                json!({"common": {"msgId": "g5"}, "user": {"userId": "id-ann", "nickname": "ANN"}, "giftId": 5655, "repeatCount": 4, "repeatEnd": 1, "giftDetails": {"giftName": "Rose", "diamondCount": 1, "giftType": 1}}),
            ),
            events(vec![gift(viewer("ann"), "Rose", 1, 4)]),
        ),
        (
            "imDelete: one event per id",
            frame(
                "imDelete",
                json!({"deleteMsgIdsList": ["7137750790064065286", 7137750790064065287_u64], "deleteUserIdsList": ["6813181309701719620"]}),
            ),
            events(vec![
                deleted(Some("7137750790064065286"), None),
                deleted(Some("7137750790064065287"), None),
                deleted(None, Some("6813181309701719620")),
            ]),
        ),
        (
            "imDelete naming nothing",
            frame("imDelete", json!({"deleteMsgIdsList": [], "deleteUserIdsList": []})),
            Reading {
                malformed: Some("`imDelete` names no message and no user".into()),
                ..Reading::default()
            },
        ),
        (
            "roomPin without its comment",
            frame("roomPin", json!({"originalMsgType": "WebcastChatMessage"})),
            unknown("roomPin"),
        ),
        (
            "roomPin",
            frame("roomPin", json!({"pinnedMessage": {"comment": "Almond pink is 25 EUR today"}})),
            Reading {
                notices: vec!["TikTok: pinned “Almond pink is 25 EUR today”".into()],
                ..Reading::default()
            },
        ),
        (
            "streamEnd by the streamer",
            frame("streamEnd", json!({"action": 3})),
            events(vec![Event::Stream { state: StreamState::Ended }]),
        ),
        (
            "streamEnd by TikTok",
            frame("streamEnd", json!({"action": 4})),
            events(vec![
                Event::Stream { state: StreamState::Ended },
                Event::Error {
                    code: SUSPENDED_CODE.into(),
                    message: "TikTok suspended this LIVE: a platform moderator ended it".into(),
                },
            ]),
        ),
        (
            "streamEnd with no data",
            r#"{"event":"streamEnd"}"#.into(),
            events(vec![Event::Stream { state: StreamState::Ended }]),
        ),
        (
            "controlMessage pausing",
            frame("controlMessage", json!({"action": 1})),
            events(vec![Event::Stream { state: StreamState::Paused }]),
        ),
        (
            "oecLiveShopping as its ports decode it",
            frame(
                "oecLiveShopping",
                json!({"shopData": {"title": "Almond pink set", "priceString": "€25.00", "shopName": "Seller Demo"}}),
            ),
            Reading {
                notices: vec!["TikTok Shop: on screen “Almond pink set” €25.00".into()],
                ..Reading::default()
            },
        ),
        (
            "oecLiveShopping with nothing readable",
            frame("oecLiveShopping", json!({"shopData": {"shopName": "Seller Demo"}})),
            unknown("oecLiveShopping"),
        ),
        (
            "oecLiveShopping naming a product and its stock",
            frame(
                "oecLiveShopping",
                json!({"product": {"productId": "1729384756", "title": "Almond pink set", "stock": 4}}),
            ),
            events(vec![Event::Stock { sku: "1729384756".into(), available: 4 }]),
        ),
        (
            "an event the desk has no use for",
            frame("linkMicBattle", json!({"battleId": "7"})),
            unknown("linkMicBattle"),
        ),
        (
            "data sent as a JSON string",
            json!({"event": "roomUser", "data": "{\"viewerCount\": 7}"}).to_string(),
            events(vec![Event::Viewers { count: 7 }]),
        ),
    ];
    for (what, text, want) in table {
        let got = tiktok().read(&text, at());
        assert_eq!(got, want, "{what}");
        assert_checked(&got);
    }
}

/// A viewer as `tiktok-live-proto/v3` decodes them (connector 2.4+).
fn v3_user(user: &str) -> Value {
    json!({
        "id": format!("id-{user}"), "idStr": format!("id-{user}"), "displayId": user,
        "nickname": user.to_uppercase(), "secUid": "<redacted>", "followInfo": {"followStatus": "0"},
    })
}

/// A viewer as `tiktok-live-proto/v2` decodes them (connector 2.0-2.3).
fn v2_user(user: &str) -> Value {
    json!({"userId": format!("id-{user}"), "uniqueId": user, "nickname": user.to_uppercase(), "secUid": "<redacted>"})
}

fn gift_of(user: User, name: &str, value: u32, currency: &str, repeat: u32) -> Event {
    Event::Gift {
        user,
        gift: Gift { name: name.into(), value: Decimal::from(value), currency: currency.into() },
        repeat,
    }
}

/// Reads `frames` in order, each expecting its events (or nothing, for a streak going on).
fn assert_table(table: Vec<(&str, String, Reading)>) {
    let mut t = tiktok();
    for (what, text, want) in table {
        let got = t.read(&text, at());
        assert_eq!(got, want, "{what}");
        assert_checked(&got);
    }
}

#[test]
fn the_v3_messages_of_connector_2_4_map_onto_the_desk() {
    let ann = || v3_user("ann");
    let common = |id: &str| json!({"msgId": id, "createTime": "1700000001000"});
    let ended = || Event::Stream { state: StreamState::Ended };
    assert_table(vec![
        (
            "chat",
            frame("chat", json!({"common": common("31"), "user": ann(), "content": "hello"})),
            events(vec![chat("31", viewer("ann"), "hello")]),
        ),
        (
            "like",
            frame("like", json!({"common": common("32"), "user": ann(), "count": 5, "total": "2040"})),
            events(vec![Event::Like { user: Some(viewer("ann")), count: 5 }]),
        ),
        (
            "viewers",
            frame("roomUser", json!({"common": common("33"), "total": "141", "totalUser": "900"})),
            events(vec![Event::Viewers { count: 141 }]),
        ),
        (
            "question",
            frame(
                "questionNew",
                json!({"common": common("34"), "data": {"content": "size M?", "user": ann()}}),
            ),
            events(vec![Event::Question {
                msg_id: "34".into(),
                user: viewer("ann"),
                text: "size M?".into(),
            }]),
        ),
        (
            "join",
            frame("member", json!({"common": common("35"), "user": ann(), "action": 1, "memberCount": 12})),
            events(vec![Event::Join { user: viewer("ann") }]),
        ),
        (
            "follow, told by its display key",
            frame(
                "social",
                json!({"common": {"msgId": "36", "displayText": {"key": "pm_main_follow_message_viewer_2"}}, "user": ann()}),
            ),
            events(vec![Event::Follow { user: viewer("ann") }]),
        ),
        (
            "share, as the connector names it",
            frame(
                "share",
                json!({"common": {"msgId": "37", "displayText": {"key": "pm_mt_guidance_share"}}, "user": ann()}),
            ),
            events(vec![Event::Share { user: viewer("ann") }]),
        ),
        (
            "a streak going on",
            frame(
                "gift",
                json!({"common": common("38"), "user": ann(), "giftId": "5655", "repeatCount": 2, "repeatEnd": 0,
                    "groupId": "17", "gift": {"id": "5655", "type": 1, "diamondCount": 1, "name": "Rose"}}),
            ),
            Reading::default(),
        ),
        (
            "the streak's end",
            frame(
                "gift",
                json!({"common": common("39"), "user": ann(), "giftId": "5655", "repeatCount": 5, "repeatEnd": 1,
                    "groupId": "17", "gift": {"id": "5655", "type": 1, "diamondCount": 1, "name": "Rose"}}),
            ),
            events(vec![gift_of(viewer("ann"), "Rose", 1, COINS, 5)]),
        ),
        (
            "deletes",
            frame(
                "imDelete",
                json!({"common": common("40"), "deleteMsgIds": ["31"], "deleteUserIds": ["id-bob"]}),
            ),
            events(vec![deleted(Some("31"), None), deleted(None, Some("id-bob"))]),
        ),
        (
            "an emote",
            frame(
                "emote",
                json!({"common": common("41"), "user": ann(), "emoteList": [{"emoteId": "7121"}]}),
            ),
            events(vec![chat("41", viewer("ann"), "[emote]")]),
        ),
        (
            "a treasure chest, told by its sender",
            frame(
                "envelope",
                json!({"common": common("42"), "envelopeInfo": {"envelopeId": "e1", "sendUserId": "id-ann",
                    "sendUserName": "ANN", "diamondCount": 30, "peopleCount": 10}}),
            ),
            events(vec![gift_of(viewer("ann"), "Treasure chest", 30, COINS, 1)]),
        ),
        (
            "a subscription",
            frame("subNotify", json!({"common": common("43"), "user": ann(), "subMonth": "1"})),
            events(vec![gift_of(viewer("ann"), "Sub", 1, SUBS, 1)]),
        ),
        ("the end", frame("streamEnd", json!({"action": 3})), events(vec![ended()])),
    ]);
}

#[test]
fn the_v2_messages_of_connector_2_0_to_2_3_map_onto_the_desk() {
    let ann = || v2_user("ann");
    assert_table(vec![
        (
            "chat",
            frame("chat", json!({"common": {"msgId": "21"}, "user": ann(), "comment": "hi"})),
            events(vec![chat("21", viewer("ann"), "hi")]),
        ),
        (
            "question, at details.questionText",
            frame(
                "questionNew",
                json!({"common": {"msgId": "22"}, "details": {"questionText": "size M?", "user": ann()}}),
            ),
            events(vec![Event::Question {
                msg_id: "22".into(),
                user: viewer("ann"),
                text: "size M?".into(),
            }]),
        ),
        (
            "a gift whose streak ends",
            frame(
                "gift",
                json!({"common": {"msgId": "23"}, "user": ann(), "giftId": 5655, "repeatCount": 3, "repeatEnd": 1,
                    "groupId": "9", "giftDetails": {"giftType": 1, "diamondCount": 1, "giftName": "Rose"}}),
            ),
            events(vec![gift_of(viewer("ann"), "Rose", 1, COINS, 3)]),
        ),
        (
            "share, told by the display type",
            frame(
                "social",
                json!({"common": {"msgId": "24", "displayText": {"displayType": "pm_mt_guidance_share"}}, "user": ann()}),
            ),
            events(vec![Event::Share { user: viewer("ann") }]),
        ),
        (
            "likes and viewers",
            frame(
                "like",
                json!({"common": {"msgId": "25"}, "user": ann(), "likeCount": 3, "totalLikeCount": 90}),
            ),
            events(vec![Event::Like { user: Some(viewer("ann")), count: 3 }]),
        ),
        (
            "deletes",
            frame("imDelete", json!({"deleteMsgIdsList": ["21"], "deleteUserIdsList": []})),
            events(vec![deleted(Some("21"), None)]),
        ),
    ]);
}

/// Connector 2.4's `legacy` entry flattens the v3 message as 1.x did (the viewer's `userId`,
/// `uniqueId`; `common` and its `displayText` merged in), keeping the v3 names of the rest.
#[test]
fn the_legacy_entry_of_connector_2_4_maps_onto_the_desk() {
    let flat3 = |extra: Value| {
        let mut data = flat("ann", json!({"msgId": "71", "createTime": "1700000001000"}));
        if let (Some(data), Value::Object(extra)) = (data.as_object_mut(), extra) {
            data.extend(extra);
        }
        data
    };
    assert_table(vec![
        (
            "chat",
            frame("chat", flat3(json!({"content": "hi"}))),
            events(vec![chat("71", viewer("ann"), "hi")]),
        ),
        (
            "share, told by the merged display key",
            frame(
                "social",
                flat3(json!({"msgId": "72", "key": "pm_mt_guidance_share", "defaultPattern": ""})),
            ),
            events(vec![Event::Share { user: viewer("ann") }]),
        ),
        (
            "likes",
            frame("like", flat3(json!({"msgId": "73", "count": 4, "total": "90"}))),
            events(vec![Event::Like { user: Some(viewer("ann")), count: 4 }]),
        ),
        (
            "a question, its viewer left unflattened under `data`",
            frame(
                "questionNew",
                json!({"msgId": "74", "data": {"content": "size M?", "user": v3_user("ann")}}),
            ),
            events(vec![Event::Question {
                msg_id: "74".into(),
                user: viewer("ann"),
                text: "size M?".into(),
            }]),
        ),
        (
            "viewers",
            frame("roomUser", json!({"msgId": "75", "total": "141", "topViewers": []})),
            events(vec![Event::Viewers { count: 141 }]),
        ),
    ]);
}

#[test]
fn the_tiktoklive_server_relay_maps_onto_the_desk() {
    let event = |name: &str, data: Value| {
        json!({"type": "tiktok_event", "name": name, "data": data, "unique_id": "sellerdemo"}).to_string()
    };
    let ann = || json!({"id": "id-ann", "id_str": "id-ann", "display_id": "ann", "nickname": "ANN"});
    let common = |id: &str| json!({"msg_id": id, "create_time": "1700000001000"});
    let follow = json!({"common": {"msg_id": "54", "display_text": {"key": "pm_main_follow_message_viewer_2"}}, "user": ann()});
    let rose = |id: &str, end: Option<u8>| {
        let mut data = json!({"common": common(id), "user": ann(), "gift_id": "5655", "repeat_count": 5,
            "group_id": "17", "gift": {"id": "5655", "type": 1, "diamond_count": 1, "name": "Rose"}});
        if let Some(end) = end {
            data["repeat_end"] = json!(end);
        }
        event("GiftEvent", data)
    };
    let ended = || Event::Stream { state: StreamState::Ended };
    assert_table(vec![
        (
            "the room's hello",
            json!({"type": "room_event", "name": "join", "unique_id": "sellerdemo", "data": {}}).to_string(),
            Reading::default(),
        ),
        (
            "comment",
            event("CommentEvent", json!({"common": common("51"), "user": ann(), "content": "hi"})),
            events(vec![chat("51", viewer("ann"), "hi")]),
        ),
        (
            "join, its action by name",
            event("JoinEvent", json!({"common": common("52"), "user": ann(), "action": "JOINED"})),
            events(vec![Event::Join { user: viewer("ann") }]),
        ),
        (
            "question, at details.text",
            event(
                "QuestionNewEvent",
                json!({"common": common("53"), "details": {"text": "size M?", "user": ann()}}),
            ),
            events(vec![Event::Question {
                msg_id: "53".into(),
                user: viewer("ann"),
                text: "size M?".into(),
            }]),
        ),
        ("follow", event("FollowEvent", follow.clone()), events(vec![Event::Follow { user: viewer("ann") }])),
        ("its social twin", event("SocialEvent", follow), Reading::default()),
        ("a streak going on (repeat_end left out)", rose("55", None), Reading::default()),
        ("the streak's end", rose("56", Some(1)), events(vec![gift_of(viewer("ann"), "Rose", 1, COINS, 5)])),
        (
            "viewers and likes",
            event("RoomUserSeqEvent", json!({"common": common("57"), "total": "141"})),
            events(vec![Event::Viewers { count: 141 }]),
        ),
        (
            "deletes",
            event("ImDeleteEvent", json!({"common": common("58"), "delete_msg_ids_list": ["51"]})),
            events(vec![deleted(Some("51"), None)]),
        ),
        (
            "a subscription",
            event("SubscribeEvent", json!({"common": common("59"), "user": ann(), "sub_month": "1"})),
            events(vec![gift_of(viewer("ann"), "Sub", 1, SUBS, 1)]),
        ),
        (
            "the response wrapper forwarded with every message",
            event("WebsocketResponseEvent", json!({"method": "WebcastChatMessage"})),
            unknown("WebsocketResponseEvent"),
        ),
        (
            "the end",
            event("LiveEndEvent", json!({"common": common("60"), "action": "STREAM_ENDED"})),
            events(vec![ended()]),
        ),
        (
            "the same end, as the control message",
            event("ControlEvent", json!({"common": common("60"), "action": "STREAM_ENDED"})),
            Reading { duplicates: 1, ..Reading::default() },
        ),
        (
            "the room's end",
            json!({"type": "room_event", "name": "end", "unique_id": "sellerdemo", "data": {}}).to_string(),
            Reading { duplicates: 1, ..Reading::default() },
        ),
    ]);
}

#[test]
fn a_suspension_named_by_tiktoklive_is_said() {
    let text =
        json!({"type": "tiktok_event", "name": "ControlEvent", "data": {"action": "STREAM_SUSPENDED"}});
    let got = tiktok().read(&text.to_string(), at());
    assert_eq!(got.events.len(), 2, "{got:?}");
    assert!(matches!(&got.events[1], Event::Error { code, .. } if code == SUSPENDED_CODE), "{got:?}");
}

#[test]
fn frames_that_cannot_be_read_are_malformed() {
    let table = [
        ("not JSON", "{\"event\": \"chat\", \"data\": {"),
        ("not an object", "[1, 2, 3]"),
        ("no event name", r#"{"data": {"comment": "hi"}}"#),
        ("an event name that is not text", r#"{"event": 3, "data": {}}"#),
        ("data that is not an object", r#"{"event": "chat", "data": [1]}"#),
        ("data in a string that is not an object", r#"{"event": "chat", "data": "nope"}"#),
        ("a chat without comment", r#"{"event": "chat", "data": {"userId": "1", "msgId": "2"}}"#),
        ("a chat without a user", r#"{"event": "chat", "data": {"comment": "hi", "msgId": "2"}}"#),
        ("a like without count", r#"{"event": "like", "data": {"userId": "1"}}"#),
        ("a viewer count that is negative", r#"{"event": "roomUser", "data": {"viewerCount": -4}}"#),
        ("a gift without sender", r#"{"event": "gift", "data": {"giftId": 1, "giftType": 2}}"#),
    ];
    for (what, text) in table {
        let got = tiktok().read(text, at());
        assert!(got.malformed.is_some(), "{what}: {got:?}");
        assert!(got.events.is_empty() && got.unknown.is_empty(), "{what}: {got:?}");
    }
    // The reason names the event; an unknown name is counted cleaned of escapes.
    let got = tiktok().read(r#"{"event": "Chat", "data": {"userId": "1"}}"#, at());
    assert_eq!(got.malformed.as_deref(), Some("`Chat` has no `comment`"));
    let got = tiktok().read(r#"{"event": "gift\u001b[2J\u202e", "data": {}}"#, at());
    assert_eq!(got.unknown, vec!["gift"]);
}

#[test]
fn a_gift_streak_counts_once_when_it_ends() {
    let mut t = tiktok();
    let rose = |n: u64, count: u32, end: bool| {
        frame(
            "gift",
            flat(
                "jack",
                json!({
                    "giftId": 5655, "giftType": 1, "giftName": "Rose", "diamondCount": 1,
                    "repeatCount": count, "repeatEnd": end, "groupId": "1700000007000",
                    "msgId": format!("73010000000000001{n:02}"),
                }),
            ),
        )
    };
    let streak = [rose(6, 1, false), rose(7, 2, false), rose(8, 5, false), rose(9, 5, true)];
    let mut told = Vec::new();
    for text in &streak {
        let r = t.read(text, at());
        assert_eq!((r.duplicates, r.unknown.len(), r.malformed.as_ref()), (0, 0, None));
        told.extend(r.events);
    }
    assert_eq!(told, vec![gift(viewer("jack"), "Rose", 1, 5)]);
    // The relay replays the streak after a reconnect: the end is not counted again.
    let replayed: u32 = streak.iter().map(|text| t.read(text, at()).duplicates).sum();
    assert_eq!(replayed, 1);
}

#[test]
fn a_gift_without_ids_is_told_by_its_group_and_time() {
    let mut t = tiktok();
    let end = frame(
        "gift",
        flat(
            "jack",
            json!({
                "giftId": 5655, "giftType": 1, "giftName": "Rose", "diamondCount": 1,
                "repeatCount": 3, "repeatEnd": true, "groupId": "1700000007000", "createTime": "1700000009000",
            }),
        ),
    );
    assert_eq!(t.read(&end, at()).events.len(), 1);
    assert_eq!(t.read(&end, at()).duplicates, 1);
    // A second streak of the same gift is a new gift.
    let next = end.replace("1700000007000", "1700000020000").replace("1700000009000", "1700000021000");
    assert_eq!(t.read(&next, at()).events.len(), 1);
}

#[test]
fn a_replay_after_reconnect_is_counted_as_duplicates() {
    let mut t = tiktok();
    let first = [
        frame("member", flat("ann", json!({"actionId": 1, "msgId": "101"}))),
        frame("chat", flat("ann", json!({"comment": "hello", "msgId": "102"}))),
        frame("chat", flat("bob", json!({"comment": "sold pink", "msgId": "103"}))),
        frame("like", flat("bob", json!({"likeCount": 5, "msgId": "104"}))),
    ];
    let told: usize = first.iter().map(|f| t.read(f, at()).events.len()).sum();
    assert_eq!(told, 4);
    // Reconnect: the relay replays what it had, then goes on.
    let mut replay: Vec<String> = first.to_vec();
    replay.push(frame("chat", flat("cid", json!({"comment": "new one", "msgId": "105"}))));
    let readings: Vec<Reading> = replay.iter().map(|f| t.read(f, at())).collect();
    let duplicates: u32 = readings.iter().map(|r| r.duplicates).sum();
    let new: Vec<&Event> = readings.iter().flat_map(|r| &r.events).collect();
    assert_eq!(duplicates, 4);
    assert_eq!(new, vec![&chat("105", viewer("cid"), "new one")]);
}

#[test]
fn comments_without_msg_id_are_told_by_author_text_and_time() {
    let mut t = tiktok();
    let timed = frame("chat", flat("ann", json!({"comment": "1", "createTime": "1661887134718"})));
    let first = t.read(&timed, at());
    let Some(Event::Chat { msg_id, .. }) = first.events.first() else { panic!("{first:?}") };
    assert!(msg_id.starts_with("tt-"), "{msg_id}");
    assert_eq!(t.read(&timed, at()).duplicates, 1);
    // The same text later is another comment.
    let later = timed.replace("1661887134718", "1661887139000");
    assert_eq!(t.read(&later, at()).events.len(), 1);
    // With no time either, a repeat cannot be told from a replay: a buyer's second "1"
    // must not be lost, so both are kept, each with its own id.
    let bare = frame("chat", flat("ann", json!({"comment": "1"})));
    let ids: Vec<String> = (0..2)
        .flat_map(|_| t.read(&bare, at()).events)
        .filter_map(|e| match e {
            Event::Chat { msg_id, .. } => Some(msg_id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

#[test]
fn social_and_its_follow_or_share_twin_count_once() {
    let mut t = tiktok();
    let follow = flat(
        "ann",
        json!({"msgId": "7137750889884076842", "displayType": "pm_main_follow_message_viewer_2"}),
    );
    let social = t.read(&frame("social", follow.clone()), at());
    let twin = t.read(&frame("follow", follow.clone()), at());
    assert_eq!(social, events(vec![Event::Follow { user: viewer("ann") }]));
    assert_eq!(twin, Reading::default());
    // Replayed after a reconnect, both are duplicates… or silently the twin of one.
    let again = t.read(&frame("social", follow.clone()), at());
    assert_eq!(again.duplicates, 1);
    assert_eq!(t.read(&frame("follow", follow), at()).duplicates, 1);
    // Another kind of event with a known id is a duplicate, not a twin.
    let share = flat("ann", json!({"msgId": "s9", "displayType": "pm_mt_guidance_share"}));
    assert_eq!(t.read(&frame("share", share.clone()), at()).events.len(), 1);
    assert_eq!(t.read(&frame("social", share), at()), Reading::default());
    assert_eq!(
        t.read(&frame("chat", flat("ann", json!({"comment": "x", "msgId": "s9"}))), at()).duplicates,
        1
    );
}

#[test]
fn the_dedup_memory_is_bounded() {
    let mut t = tiktok();
    t.seen.cap = 3;
    let chat_n =
        |n: u32| frame("chat", flat("ann", json!({"comment": format!("c{n}"), "msgId": n.to_string()})));
    for n in 0..4 {
        assert_eq!(t.read(&chat_n(n), at()).events.len(), 1);
    }
    assert_eq!((t.seen.order.len(), t.seen.kinds.len()), (3, 3));
    // The oldest id is forgotten; the newer ones are still known.
    assert_eq!(t.read(&chat_n(3), at()).duplicates, 1);
    assert_eq!(t.read(&chat_n(0), at()).events.len(), 1);
    assert_eq!(TikTok::new(String::new()).seen.cap, DEDUP_MEMORY);
}

#[test]
fn a_repeated_end_is_told_once_until_the_stream_goes_on() {
    let mut t = tiktok();
    let end = frame("streamEnd", json!({"action": 3}));
    assert_eq!(t.read(&end, at()).events.len(), 1);
    // The same end, as the v2 control message and again after a reconnect.
    assert_eq!(t.read(&frame("controlMessage", json!({"action": 3})), at()).duplicates, 1);
    assert_eq!(t.read(&end, at()).duplicates, 1);
    // The streamer goes live again: a later end is news.
    assert_eq!(
        t.read(&frame("chat", flat("ann", json!({"comment": "back!", "msgId": "n1"}))), at()).events.len(),
        1
    );
    assert_eq!(t.read(&end, at()).events.len(), 1);
    // A suspension is said, even after the streamer's own end, and said once.
    let suspension = frame("streamEnd", json!({"action": 4}));
    assert_eq!(t.read(&suspension, at()).events.len(), 2);
    assert_eq!(t.read(&suspension, at()).duplicates, 1);
}

#[test]
fn emoji_and_escapes_reach_the_feed_client_as_sent() {
    let mut t = tiktok();
    let text = "\u{1b}[31mFREE\u{1b}[0m 🔥🔥 \u{202e}gnip\u{202c} \"quoted\" \\ back\nslash 👩‍👩‍👧";
    let nick = "Ma\u{1b}]0;pwned\u{7}ria 🌸";
    let data = json!({"comment": text, "msgId": "e1", "userId": "u1", "nickname": nick});
    let got = t.read(&frame("chat", data), at());
    let Some(Event::Chat { text: kept, user, .. }) = got.events.first().cloned() else { panic!("{got:?}") };
    assert_eq!((kept.as_str(), user.name.as_str()), (text, nick));
    // The feed client's check cleans them.
    let Ok(Event::Chat { text: clean, user, .. }) = checked(got.events[0].clone()) else { panic!() };
    assert_eq!(clean, "FREE 🔥🔥 gnip \"quoted\" \\ back slash 👩‍👩‍👧");
    assert_eq!(user.name, "Maria 🌸");
}

#[test]
fn the_relay_is_read_only() {
    let mut t = tiktok();
    assert_eq!(t.capabilities(), Capabilities::default());
    assert!(!t.capabilities().send_chat && !t.capabilities().resume);
    assert_eq!(t.stream_id(), "sellerdemo");
    assert!(t.greet().is_empty());
    let r = || "r1".to_owned();
    let commands = [
        Command::SendChat { reference: r(), text: "hi".into(), reply_to: None },
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
    for cmd in &commands {
        let why = t.write(cmd).expect_err("refused");
        assert!(why.starts_with("TikTok relays are read-only: "), "{why}");
    }
    assert_eq!(t.write(&commands[0]), Err("TikTok relays are read-only: the reply was not sent".into()));
    let hello = Command::Hello { client: "livedesk".into(), resume_after: None };
    assert_eq!(t.write(&hello), Ok(vec![]));
}

/// The end-to-end fixture reads as its header says.
#[test]
fn the_relay_fixture_reads_as_its_truth() {
    let fixture = include_str!("../../../../tests/fixtures/tiktok-relay.jsonl");
    let mut t = tiktok();
    let mut all = Reading::default();
    for line in fixture.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let r = t.read(line, at());
        assert_eq!(r.malformed, None, "{line}");
        assert_checked(&r);
        all.events.extend(r.events);
        all.unknown.extend(r.unknown);
        all.notices.extend(r.notices);
        all.duplicates += r.duplicates;
    }
    let count = |kind: &str| all.events.iter().filter(|e| e.type_name() == kind).count();
    assert_eq!(count("chat"), 6);
    assert_eq!(count("question"), 1);
    assert_eq!(count("join"), 1);
    assert_eq!(count("follow"), 1);
    assert_eq!(count("share"), 1);
    assert_eq!(count("moderation"), 2);
    let likes: u64 =
        all.events.iter().map(|e| if let Event::Like { count, .. } = e { *count } else { 0 }).sum();
    assert_eq!(likes, 15);
    let gifts: Vec<(String, u32)> = all
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Gift { gift, repeat, .. } => Some((gift.name.clone(), *repeat)),
            _ => None,
        })
        .collect();
    assert_eq!(gifts, vec![("Rose".into(), 5), ("Galaxy".into(), 1), ("Treasure chest".into(), 1)]);
    let viewers: Vec<u64> = all
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Viewers { count } => Some(*count),
            _ => None,
        })
        .collect();
    assert_eq!(viewers, vec![128, 141]);
    assert_eq!(all.duplicates, 3);
    assert!(all.unknown.is_empty(), "{:?}", all.unknown);
    assert_eq!(
        all.notices,
        [
            "TikTok: pinned “Welcome everyone! The almond pink set is 25 EUR today”",
            "TikTok Shop: on screen “Almond pink set” €25.00"
        ]
    );
    assert_eq!(all.events.last(), Some(&Event::Stream { state: StreamState::Ended }));
    let host_said =
        all.events.iter().any(|e| matches!(e, Event::Chat { user, .. } if user.badges == ["host"]));
    assert!(host_said, "the streamer's own comment carries the host badge");
}

/// Any JSON, with the connector's keys where a frame has them.
fn json_value() -> impl Strategy<Value = Value> {
    const KEYS: &[&str] = &[
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
        "action",
        "user",
        "common",
        "gift",
        "displayType",
        "productId",
        "stock",
        "product",
        "content",
        "count",
        "total",
        "idStr",
        "displayId",
        "deleteMsgIds",
        "envelopeInfo",
        "emoteList",
        "details",
        "data",
        "type",
        "key",
    ];
    super::super::fuzz::json_value(KEYS, &[])
}

proptest! {
    /// No input makes the adapter panic, and whatever it produces passes the feed
    /// client's check or is plainly out of range (a count over the protocol's limits).
    #[test]
    fn any_frame_is_read_without_panic(
        name in prop_oneof![
            Just("chat"), Just("member"), Just("like"), Just("gift"), Just("roomUser"),
            Just("social"), Just("follow"), Just("share"), Just("questionNew"), Just("imDelete"),
            Just("roomPin"), Just("streamEnd"), Just("controlMessage"), Just("oecLiveShopping"), Just("x"),
        ],
        data in json_value(),
        raw in ".{0,40}",
    ) {
        let mut t = tiktok();
        let text = json!({"event": name, "data": data}).to_string();
        let half = (0..=text.len() / 2).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        for input in [text.as_str(), raw.as_str(), &text[..half]] {
            let first = t.read(input, at());
            let again = t.read(input, at());
            prop_assert!(first.malformed.is_some() || again.malformed.is_some() || first.events.len() >= again.events.len());
            for event in first.events.iter().chain(&again.events) {
                let _ = checked(event.clone());
            }
        }
    }
}
