//! TikTok LIVE through a JSON relay.
//!
//! TikTok's own feed is not public. Sellers read it through relays (TikFinity's local
//! WebSocket on `ws://localhost:21213/`, hosted relays) that forward the events of the
//! TikTok-Live-Connector family as JSON text frames `{"event": NAME, "data": {...}}`.
//!
//! Field names follow TikTok-Live-Connector's README ("Events" and their data structures) and
//! its `webcastDataConverter`, which flattens each message: the user's `userId`, `uniqueId`,
//! `nickname`, `followRole`, `isModerator`, `isSubscriber` and the message's `msgId` and
//! `createTime` sit next to the event's own fields. Relays built on the connector's newer
//! releases, or on its Python and Java ports, forward the decoded messages unflattened
//! (`user: {...}`, `common: {msgId, createTime}`, `giftDetails: {...}`): both shapes are read.
//!
//! What the desk gets:
//! - `chat` → chat, `questionNew` → question, `member` → join, `like` → likes,
//!   `roomUser` → viewers, `social`/`follow`/`share` → follow or share;
//! - `gift` → one gift per streak: a streakable gift (`giftType` 1) counts once, at the frame
//!   with `repeatEnd`, for `repeatCount` units of `diamondCount` diamonds each;
//! - `imDelete` → one moderation event per deleted message id and per user id;
//! - `streamEnd` (and `controlMessage`) → the stream's state; a suspension by TikTok
//!   (`action` 4) also says so, as a platform error notice, since the desk has no reason
//!   field for a stream's end;
//! - `oecLiveShopping` → stock, only when the frame names a product id and a stock count
//!   (the message is not documented by the connector, so nothing is guessed from it);
//! - `roomPin` → a notice with the pinned comment; a product card with no stock count → a
//!   notice naming the product on screen; every other event name → counted as unknown.
//!
//! Relays replay recent messages on every connect, so events are deduplicated by `msgId`
//! (a bounded memory of the last [`DEDUP_MEMORY`] ids). There is no seq: gaps cannot be
//! seen, and nothing can be resumed. The relay is read-only: every command is refused.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::{Adapter, Capabilities, Reading};
use crate::protocol::sanitize::sanitize;
use crate::protocol::{Command, Event, Gift, ModAction, StreamState, User};

/// How many message ids the adapter remembers to recognise a relay's replays.
pub const DEDUP_MEMORY: usize = 10_000;

/// The currency a TikTok gift's value is counted in.
pub const DIAMONDS: &str = "DIAMOND";

/// The error code of the notice that says TikTok itself ended (suspended) the stream.
pub const SUSPENDED_CODE: &str = "stream_suspended";

/// A TikTok LIVE relay's translator.
pub struct TikTok {
    stream_id: String,
    seen: Seen,
    /// Ids handed to messages that carry neither an id nor a time (never deduplicated).
    local_ids: u64,
    /// The last stream state told to the desk (and whether TikTok suspended the stream), so
    /// a repeated end is not told twice.
    stream_state: Option<(StreamState, bool)>,
}

impl TikTok {
    /// A translator for the stream `stream_id` (the streamer's `@name` or the room the
    /// relay address names). When it is the streamer's name, their own comments carry the
    /// `host` badge.
    pub fn new(stream_id: String) -> TikTok {
        TikTok { stream_id, seen: Seen::new(DEDUP_MEMORY), local_ids: 0, stream_state: None }
    }
}

impl Adapter for TikTok {
    fn capabilities(&self) -> Capabilities {
        // A relay only forwards what TikTok shows to viewers: nothing goes back.
        Capabilities::default()
    }

    fn stream_id(&self) -> String {
        self.stream_id.clone()
    }

    fn greet(&mut self) -> Vec<String> {
        // TikFinity streams as soon as a client connects; hosted relays pick the stream
        // from their address (`?uniqueId=...`). Neither expects a first frame.
        Vec::new()
    }

    fn read(&mut self, text: &str, _now: DateTime<Utc>) -> Reading {
        let mut reading = Reading::default();
        let (name, data) = match envelope(text) {
            Ok(frame) => frame,
            Err(reason) => {
                reading.malformed = Some(sanitize(&reason, 200));
                return reading;
            }
        };
        match self.translate(&name, &data) {
            Ok(Outcome::Events { events, key }) => {
                let verdict = key.map_or(Verdict::New, |(id, kind)| self.seen.check(&id, kind));
                match verdict {
                    Verdict::New => {
                        if events.iter().any(|e| !matches!(e, Event::Stream { .. } | Event::Error { .. })) {
                            // Something happens on the stream again: a later end is news.
                            self.stream_state = None;
                        }
                        reading.events = events;
                    }
                    Verdict::Twin => {}
                    Verdict::Repeat => reading.duplicates += 1,
                }
            }
            Ok(Outcome::Stream { state, suspended }) => {
                if self.stream_state == Some((state, suspended)) {
                    reading.duplicates += 1;
                } else {
                    self.stream_state = Some((state, suspended));
                    reading.events.push(Event::Stream { state });
                    if suspended {
                        reading.events.push(Event::Error {
                            code: SUSPENDED_CODE.into(),
                            message: "TikTok suspended this LIVE: a platform moderator ended it".into(),
                        });
                    }
                }
            }
            Ok(Outcome::StreakGoing) => {}
            Ok(Outcome::Notice(text)) => reading.notices.push(text),
            Ok(Outcome::Unknown) => reading.unknown.push(sanitize(&name, 32)),
            Err(reason) => reading.malformed = Some(sanitize(&format!("`{name}` {reason}"), 200)),
        }
        reading
    }

    fn write(&mut self, cmd: &Command) -> Result<Vec<String>, String> {
        let what = match cmd {
            // The desk's own hello has no TikTok counterpart: there is nothing to send.
            Command::Hello { .. } => return Ok(Vec::new()),
            Command::SendChat { .. } => "the reply was not sent",
            Command::PinChat { .. } => "the message was not pinned",
            Command::DeleteChat { .. } => "the message was not deleted",
            Command::MuteUser { .. } => "the viewer was not muted",
            Command::PinProduct { .. } => "the product was not pinned",
            Command::FlashSale { .. } => "the flash sale was not changed on TikTok",
        };
        Err(format!("TikTok relays are read-only: {what}"))
    }
}

/// What one relay event means for the desk.
enum Outcome {
    /// Desk events, and the id that tells a replay of them (with the kind of event).
    Events { events: Vec<Event>, key: Option<(String, u8)> },
    /// The stream's state changed (`suspended`: TikTok ended it, not the streamer).
    Stream { state: StreamState, suspended: bool },
    /// A gift streak still going: it is counted once, when it ends.
    StreakGoing,
    /// News for the operator only (no desk event carries it).
    Notice(String),
    /// Nothing the desk has.
    Unknown,
}

/// Event kinds, as bits, for the dedup memory.
mod kind {
    pub const CHAT: u8 = 1;
    pub const MEMBER: u8 = 1 << 1;
    pub const LIKE: u8 = 1 << 2;
    pub const GIFT: u8 = 1 << 3;
    pub const SOCIAL: u8 = 1 << 4;
    pub const FOLLOW: u8 = 1 << 5;
    pub const SHARE: u8 = 1 << 6;
    pub const OTHER: u8 = 1 << 7;
    /// `follow` and `share` are the connector's second names for a `social` message: a relay
    /// may forward both, with the same `msgId`.
    pub const SOCIAL_FAMILY: u8 = SOCIAL | FOLLOW | SHARE;
}

impl TikTok {
    fn translate(&mut self, name: &str, data: &Map<String, Value>) -> Result<Outcome, String> {
        let one = |event: Event, key: Option<(String, u8)>| Ok(Outcome::Events { events: vec![event], key });
        match name.to_ascii_lowercase().as_str() {
            "chat" => {
                let text = first_str(data, &[&["comment"], &["content"]]).ok_or("has no `comment`")?;
                let user = self.user(data).ok_or("has no user")?;
                let (msg_id, key) = self.message_id(data, "chat", &[&user.id, &text], kind::CHAT);
                one(Event::Chat { msg_id, user, text, reply_to: None }, key)
            }
            "questionnew" => {
                let text = first_str(
                    data,
                    &[
                        &["questionText"],
                        &["questionDetails", "questionText"],
                        &["details", "text"],
                        &["content"],
                    ],
                )
                .ok_or("has no `questionText`")?;
                let user = self.user(data).ok_or("has no user")?;
                let (msg_id, key) = self.message_id(data, "question", &[&user.id, &text], kind::OTHER);
                one(Event::Question { msg_id, user, text }, key)
            }
            "member" => {
                // `actionId` 1 is a join; 3 is a subscription told through the same message.
                if first_count(data, &[&["actionId"], &["action"]]) == Some(3) {
                    return Ok(Outcome::Unknown);
                }
                let user = self.user(data).ok_or("has no user")?;
                one(Event::Join { user }, msg_key(data, kind::MEMBER))
            }
            "like" => {
                let count = first_count(data, &[&["likeCount"], &["count"]]).ok_or("has no `likeCount`")?;
                one(Event::Like { user: self.user(data), count }, msg_key(data, kind::LIKE))
            }
            "roomuser" => {
                let count = first_count(data, &[&["viewerCount"]]).ok_or("has no `viewerCount`")?;
                one(Event::Viewers { count }, msg_key(data, kind::OTHER))
            }
            "social" => {
                let shown = first_str(
                    data,
                    &[&["displayType"], &["common", "displayText", "displayType"], &["label"]],
                )
                .unwrap_or_default()
                .to_ascii_lowercase();
                let user = || self.user(data).ok_or("has no user");
                if shown.contains("follow") {
                    one(Event::Follow { user: user()? }, msg_key(data, kind::SOCIAL))
                } else if shown.contains("share") {
                    one(Event::Share { user: user()? }, msg_key(data, kind::SOCIAL))
                } else {
                    Ok(Outcome::Unknown)
                }
            }
            "follow" => {
                let user = self.user(data).ok_or("has no user")?;
                one(Event::Follow { user }, msg_key(data, kind::FOLLOW))
            }
            "share" => {
                let user = self.user(data).ok_or("has no user")?;
                one(Event::Share { user }, msg_key(data, kind::SHARE))
            }
            "gift" => self.gift(data),
            "imdelete" => Self::deleted(data),
            "streamend" => Ok(stream_end(data)),
            "controlmessage" => Ok(match first_count(data, &[&["action"]]) {
                Some(1) => Outcome::Stream { state: StreamState::Paused, suspended: false },
                Some(2) => Outcome::Stream { state: StreamState::Live, suspended: false },
                Some(3 | 4) => stream_end(data),
                _ => Outcome::Unknown,
            }),
            "oecliveshopping" => Ok(Self::shopping(data)),
            "roompin" => Ok(match first_text(data, &[&["pinnedMessage", "comment"], &["comment"]]) {
                Some(comment) => Outcome::Notice(format!("TikTok: pinned “{comment}”")),
                None => Outcome::Unknown,
            }),
            _ => Ok(Outcome::Unknown),
        }
    }

    /// A gift, counted once per streak.
    fn gift(&mut self, data: &Map<String, Value>) -> Result<Outcome, String> {
        let gift_type = first_count(
            data,
            &[
                &["giftType"],
                &["giftDetails", "giftType"],
                &["gift", "gift_type"],
                &["extendedGiftInfo", "type"],
            ],
        );
        let ended = first_flag(data, &[&["repeatEnd"], &["gift", "repeat_end"]]).unwrap_or(false);
        if gift_type == Some(1) && !ended {
            return Ok(Outcome::StreakGoing);
        }
        let user = self.user(data).ok_or("has no user")?;
        let repeat = first_count(data, &[&["repeatCount"], &["gift", "repeat_count"]]).unwrap_or(1).max(1);
        let diamonds = first_count(
            data,
            &[&["diamondCount"], &["giftDetails", "diamondCount"], &["extendedGiftInfo", "diamond_count"]],
        )
        .unwrap_or(0);
        let gift_id = first_id(data, &[&["giftId"], &["gift", "gift_id"]]).unwrap_or_default();
        let name =
            first_str(data, &[&["giftName"], &["giftDetails", "giftName"], &["extendedGiftInfo", "name"]])
                .unwrap_or_else(
                    || if gift_id.is_empty() { "gift".into() } else { format!("gift {gift_id}") },
                );
        let group = first_id(data, &[&["groupId"]]).unwrap_or_default();
        let key = match msg_id(data) {
            Some(id) => Some((id, kind::GIFT)),
            // Without an id, a streak is told by its group and when it was sent.
            None => first_id(data, &[&["createTime"], &["common", "createTime"], &["timestamp"]])
                .or_else(|| (!group.is_empty()).then(String::new))
                .map(|at| {
                    (derived_id("gift", &[&user.id, &gift_id, &group, &at, &repeat.to_string()]), kind::GIFT)
                }),
        };
        let gift = Gift { name, value: Decimal::from(diamonds), currency: DIAMONDS.into() };
        let repeat = u32::try_from(repeat).unwrap_or(u32::MAX);
        Ok(Outcome::Events { events: vec![Event::Gift { user, gift, repeat }], key })
    }

    /// `imDelete`: the messages, and all messages of the users, TikTok removed.
    fn deleted(data: &Map<String, Value>) -> Result<Outcome, String> {
        let ids = |paths: &[&[&str]]| -> Vec<String> {
            paths
                .iter()
                .find_map(|p| lookup(data, p).and_then(Value::as_array))
                .map(|list| list.iter().filter_map(id_text).collect())
                .unwrap_or_default()
        };
        let msgs = ids(&[&["deleteMsgIdsList"], &["deleteMsgIds"], &["delete_msg_ids"]]);
        let users = ids(&[&["deleteUserIdsList"], &["deleteUserIds"], &["delete_user_ids"]]);
        if msgs.is_empty() && users.is_empty() {
            return Err("names no message and no user".into());
        }
        let deleted =
            |msg_id, user_id| Event::Moderation { action: ModAction::Deleted, msg_id, user_id, by: None };
        let events = msgs
            .into_iter()
            .map(|id| deleted(Some(id), None))
            .chain(users.into_iter().map(|id| deleted(None, Some(id))))
            .collect();
        Ok(Outcome::Events { events, key: msg_key(data, kind::OTHER) })
    }

    /// `oecLiveShopping`: TikTok Shop's product card messages. The connector forwards them
    /// without documenting their fields (its ports decode only parts of them: a title, a
    /// price text, a shop name), so stock is read only when the frame plainly carries a
    /// product id and a stock count; anything else is counted as unknown, never guessed.
    fn shopping(data: &Map<String, Value>) -> Outcome {
        let holders: Vec<&Map<String, Value>> = std::iter::once(data)
            .chain(["product", "productInfo", "shopData"].iter().filter_map(|k| data.get(*k)?.as_object()))
            .collect();
        for holder in holders {
            let sku = first_id(holder, &[&["productId"], &["product_id"]]);
            let stock = first_count(
                holder,
                &[&["stock"], &["stockNum"], &["stock_num"], &["availableStock"], &["available_stock"]],
            );
            if let (Some(sku), Some(stock)) = (sku, stock) {
                let available = u32::try_from(stock).unwrap_or(u32::MAX);
                return Outcome::Events {
                    events: vec![Event::Stock { sku, available }],
                    key: msg_key(data, kind::OTHER),
                };
            }
        }
        // The product card on screen, as far as it can be read: the operator is told.
        let title = first_text(data, &[&["shopData", "title"], &["product", "title"], &["title"]]);
        let price =
            first_text(data, &[&["shopData", "priceString"], &["product", "priceString"], &["priceString"]]);
        match (title, price) {
            (Some(title), Some(price)) => {
                Outcome::Notice(format!("TikTok Shop: on screen “{title}” {price}"))
            }
            (Some(title), None) => Outcome::Notice(format!("TikTok Shop: on screen “{title}”")),
            _ => Outcome::Unknown,
        }
    }

    /// The message's id, and the key that tells its replays. A message without `msgId` gets
    /// an id made from its author, text and time, the same on every replay; one without a
    /// time either cannot be told from a repeat (a buyer typing "1" twice), so it is kept.
    fn message_id(
        &mut self,
        data: &Map<String, Value>,
        what: &str,
        parts: &[&str],
        kind: u8,
    ) -> (String, Option<(String, u8)>) {
        if let Some(id) = msg_id(data) {
            return (id.clone(), Some((id, kind)));
        }
        if let Some(at) = first_id(data, &[&["createTime"], &["common", "createTime"], &["timestamp"]]) {
            let mut all = parts.to_vec();
            all.push(&at);
            let id = derived_id(what, &all);
            return (id.clone(), Some((id, kind)));
        }
        self.local_ids += 1;
        (format!("tt-local-{}", self.local_ids), None)
    }

    /// The viewer behind an event: flat (the connector's simplified events) or under `user`.
    fn user(&self, data: &Map<String, Value>) -> Option<User> {
        let u = data
            .get("user")
            .and_then(Value::as_object)
            .or_else(|| lookup(data, &["questionDetails", "user"]).and_then(Value::as_object))
            .or_else(|| lookup(data, &["details", "user"]).and_then(Value::as_object))
            .unwrap_or(data);
        let unique = first_str(u, &[&["uniqueId"], &["unique_id"]]);
        let id = first_id(u, &[&["userId"], &["user_id"], &["id_str"]]).or_else(|| unique.clone())?;
        let name = first_str(u, &[&["nickname"], &["nickName"]])
            .or_else(|| unique.clone())
            .unwrap_or_else(|| id.clone());
        let identity = |field: &str| {
            first_flag(data, &[&["userIdentity", field], &["user_identity", field]]).unwrap_or(false)
        };
        let flag = |field: &str| first_flag(u, &[&[field]]).unwrap_or(false);
        let badge_types: Vec<String> = u
            .get("userBadges")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|b| b.get("type").and_then(Value::as_str))
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        let mut badges = Vec::new();
        let host = identity("isAnchor")
            || unique
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(self.stream_id.trim().trim_start_matches('@')));
        if host {
            badges.push("host".to_owned());
        }
        if flag("isModerator")
            || identity("isModeratorOfAnchor")
            || badge_types.iter().any(|t| t.contains("moderator"))
        {
            badges.push("moderator".to_owned());
        }
        if flag("isSubscriber") || identity("isSubscriberOfAnchor") {
            badges.push("subscriber".to_owned());
        }
        let follower = first_count(u, &[&["followRole"], &["followInfo", "followStatus"]])
            .is_some_and(|r| r >= 1)
            || identity("isFollowerOfAnchor")
            || identity("isMutualFollowingWithAnchor");
        Some(User { id, name, region: None, badges, follower })
    }
}

/// `streamEnd`'s `action`: 3 the streamer ended the LIVE, 4 TikTok's moderation did.
fn stream_end(data: &Map<String, Value>) -> Outcome {
    let suspended = first_count(data, &[&["action"], &["actionId"]]) == Some(4);
    Outcome::Stream { state: StreamState::Ended, suspended }
}

/// Reads the relay's envelope: the event's name and its data (an object; absent is empty).
fn envelope(text: &str) -> Result<(String, Map<String, Value>), String> {
    let frame: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(mut frame) = frame else { return Err("the frame is not a JSON object".into()) };
    let name = match frame.get("event") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        _ => return Err("the frame has no `event` name".into()),
    };
    let data = match frame.remove("data") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(data)) => data,
        // Some relays send the data as a JSON string.
        Some(Value::String(s)) => match serde_json::from_str(&s) {
            Ok(Value::Object(data)) => data,
            _ => return Err(format!("`{name}` has data that is not a JSON object")),
        },
        Some(_) => return Err(format!("`{name}` has data that is not a JSON object")),
    };
    Ok((name, data))
}

/// The message id TikTok gave the event, flat or under `common`.
fn msg_id(data: &Map<String, Value>) -> Option<String> {
    first_id(data, &[&["msgId"], &["common", "msgId"], &["common", "msg_id"], &["msg_id"]])
}

fn msg_key(data: &Map<String, Value>, kind: u8) -> Option<(String, u8)> {
    msg_id(data).map(|id| (id, kind))
}

/// A stable id for a message without one: the same parts give the same id on every replay.
fn derived_id(what: &str, parts: &[&str]) -> String {
    // FNV-1a over length-prefixed parts: stable across runs and builds, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for part in std::iter::once(&what).chain(parts) {
        eat(&(part.len() as u64).to_le_bytes());
        eat(part.as_bytes());
    }
    format!("tt-{h:016x}")
}

/// The value at `path` (object keys), if present and not null.
fn lookup<'a>(data: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut v = data.get(*first)?;
    for key in rest {
        v = v.as_object()?.get(*key)?;
    }
    (!v.is_null()).then_some(v)
}

/// The first non-empty string among `paths`.
fn first_str(data: &Map<String, Value>, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| match lookup(data, p)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    })
}

/// The first id among `paths`: a non-empty string, or an integer written as decimal.
fn first_id(data: &Map<String, Value>, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| id_text(lookup(data, p)?))
}

/// The first non-empty text among `paths`.
fn first_text(data: &Map<String, Value>, paths: &[&[&str]]) -> Option<String> {
    paths
        .iter()
        .find_map(|p| lookup(data, p)?.as_str().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned))
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Some(u.to_string()),
            (_, Some(i), _) => Some(i.to_string()),
            (_, _, Some(f)) if f.is_finite() && f.fract() == 0.0 => Some(format!("{f:.0}")),
            _ => None,
        },
        _ => None,
    }
}

/// The first count among `paths`: a non-negative number, or one written as text.
fn first_count(data: &Map<String, Value>, paths: &[&[&str]]) -> Option<u64> {
    paths.iter().find_map(|p| count(lookup(data, p)?))
}

fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            let f = n.as_f64()?;
            // `as` saturates: a huge count becomes u64::MAX and is refused downstream.
            (f.is_finite() && f >= 0.0).then(|| f.trunc() as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The first yes/no among `paths`: a boolean, 0/1, or "true"/"false".
fn first_flag(data: &Map<String, Value>, paths: &[&[&str]]) -> Option<bool> {
    paths.iter().find_map(|p| match lookup(data, p)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => match s.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// What the dedup memory says of an id.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    New,
    /// The same message under its other name (`social` and `follow`): already told.
    Twin,
    /// A replay.
    Repeat,
}

/// The last `cap` message ids seen, with the kinds of event each came as.
struct Seen {
    order: VecDeque<String>,
    kinds: HashMap<String, u8>,
    cap: usize,
}

impl Seen {
    fn new(cap: usize) -> Seen {
        Seen { order: VecDeque::new(), kinds: HashMap::new(), cap }
    }

    fn check(&mut self, id: &str, kind: u8) -> Verdict {
        if let Some(kinds) = self.kinds.get_mut(id) {
            if *kinds & kind != 0 {
                return Verdict::Repeat;
            }
            let both = *kinds | kind;
            *kinds = both;
            return if both & !kind::SOCIAL_FAMILY == 0 { Verdict::Twin } else { Verdict::Repeat };
        }
        while self.order.len() >= self.cap.max(1) {
            let Some(oldest) = self.order.pop_front() else { break };
            self.kinds.remove(&oldest);
        }
        self.order.push_back(id.to_owned());
        self.kinds.insert(id.to_owned(), kind);
        Verdict::New
    }
}

#[cfg(test)]
mod tests {
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
        let gift = Gift { name: name.into(), value: Decimal::from(diamonds), currency: DIAMONDS.into() };
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
                    flat(
                        "ann",
                        json!({"likeCount": 6, "totalLikeCount": 21349, "msgId": "7137750883651619630"}),
                    ),
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
                frame("envelope", flat("ann", json!({"coins": 20}))),
                unknown("envelope"),
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
            t.read(&frame("chat", flat("ann", json!({"comment": "back!", "msgId": "n1"}))), at())
                .events
                .len(),
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
        let Some(Event::Chat { text: kept, user, .. }) = got.events.first().cloned() else {
            panic!("{got:?}")
        };
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
        let fixture = include_str!("../../../tests/fixtures/tiktok-relay.jsonl");
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
        assert_eq!(gifts, vec![("Rose".into(), 5), ("Galaxy".into(), 1)]);
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
        assert_eq!(all.unknown, vec!["envelope"]);
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
}
