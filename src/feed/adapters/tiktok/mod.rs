//! TikTok LIVE through a JSON relay.
//!
//! TikTok's own feed is not public. Sellers read it through relays that decode it with one of
//! the open TikTok LIVE clients and forward each event as a JSON text frame. Two envelopes are
//! read:
//! - `{"event": NAME, "data": {...}}`: relays on TikTok-Live-Connector (Node.js), such as
//!   TikFinity's local WebSocket on `ws://localhost:21213/` and hosted relays;
//! - `{"type": "tiktok_event", "name": CLASS, "data": {...}}` and `{"type": "room_event"}`:
//!   TikTokLive-Server, the hosted relay of TikTokLive (Python); see [`server`].
//!
//! The data is read in every shape those clients give it:
//! - connector 1.x: flattened by its `webcastDataConverter`, the user's `userId`, `uniqueId`,
//!   `nickname`, `followRole` and the message's `msgId` and `createTime` next to the event's
//!   own fields (`comment`, `likeCount`, `viewerCount`, `questionText`, `giftType`,
//!   `deleteMsgIdsList`); the `legacy` entry of 2.x flattens its v2 or v3 message the same way;
//! - connector 2.0-2.3, the decoded `tiktok-live-proto/v2` message: `user: {userId,
//!   uniqueId}`, `common: {msgId, displayText: {displayType}}`, `giftDetails`, the question
//!   at `details.questionText`;
//! - connector 2.4+, the decoded `tiktok-live-proto/v3` message: `user: {id, idStr,
//!   displayId, nickname}`, `content`, a like's `count`, the viewers' `total`, the question at
//!   `data.content`, `gift: {type, diamondCount, name}`, `deleteMsgIds`, follow and share told
//!   by `common.displayText.key`;
//! - TikTokLive 6.x, whose messages have the v3 names in snake case.
//!
//! What the desk gets (one mapping for every platform):
//! - `chat` → chat, `questionNew` → question, `member` → join, `like` → likes,
//!   `roomUser` → viewers, `social`/`follow`/`share` → follow or share;
//! - `emote` → a chat reading "[emote]" (TikTok's emote messages carry an id, no name);
//! - `gift` → one gift per streak: a streakable gift (type 1) counts once, at the frame with
//!   `repeatEnd`, for `repeatCount` units of its diamond count, in [`COINS`];
//! - `envelope` (a treasure chest) → a gift "Treasure chest" worth its coins;
//! - `subscribe`/`subNotify` → a gift "Sub", worth one of [`SUBS`];
//! - `imDelete` → one moderation event per deleted message id and per user id;
//! - `streamEnd` (and `controlMessage`) → the stream's state; a suspension by TikTok
//!   (`action` 4) also says so, as a platform error notice, since the desk has no reason
//!   field for a stream's end;
//! - `oecLiveShopping` → stock, only when the frame names a product id and a stock count
//!   (the message is not documented by the connector, so nothing is guessed from it);
//! - `roomPin` → a notice with the pinned comment; a product card with no stock count → a
//!   notice naming the product on screen; every other event name → counted as unknown.
//!   TikTok has no raids: a co-host (`linkMic*`) is no viewer joining, and is not counted.
//!
//! Relays replay recent messages on every connect, so events are deduplicated by `msgId`
//! (a bounded memory of the last [`DEDUP_MEMORY`] ids). There is no seq: gaps cannot be
//! seen, and nothing can be resumed. The relay is read-only: every command is refused.

mod server;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::json::{count, lookup};
use super::seen::{Seen, stable_hash};
use super::{Adapter, Reading};
use crate::protocol::sanitize::{MAX_KIND_CHARS, MAX_REASON_CHARS, sanitize};
use crate::protocol::{Capabilities, Command, Event, Gift, ModAction, StreamState, User};

/// How many message ids the adapter remembers to recognise a relay's replays.
pub const DEDUP_MEMORY: usize = 10_000;

/// The currency of a TikTok gift's value: TikTok's coins (a gift's "diamond count").
pub const COINS: &str = "COINS";

/// The currency of a subscription, counted as a gift of one.
pub const SUBS: &str = "SUBS";

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
                reading.malformed = Some(sanitize(&reason, MAX_REASON_CHARS));
                return reading;
            }
        };
        match self.translate(&name, &data) {
            Ok(Outcome::Events { events, key }) => {
                let verdict = key.map_or(Verdict::New, |(id, kind)| check(&mut self.seen, &id, kind));
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
            Ok(Outcome::Quiet) => {}
            Ok(Outcome::Notice(text)) => reading.notices.push(text),
            Ok(Outcome::Unknown) => reading.unknown.push(sanitize(&name, MAX_KIND_CHARS)),
            Err(reason) => {
                reading.malformed = Some(sanitize(&format!("`{name}` {reason}"), MAX_REASON_CHARS))
            }
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
    /// Nothing for the desk: a gift streak still going (counted once, when it ends), the
    /// relay's own hello.
    Quiet,
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
            "emote" => {
                // Emote messages name their emotes by id only: the desk shows that one came.
                let user = self.user(data).ok_or("has no user")?;
                let emote =
                    first_id(data, &[&["emoteId"], &["emoteList", "0", "emoteId"]]).unwrap_or_default();
                let (msg_id, key) = self.message_id(data, "emote", &[&user.id, &emote], kind::CHAT);
                one(Event::Chat { msg_id, user, text: "[emote]".into(), reply_to: None }, key)
            }
            "questionnew" => {
                let text = first_str(
                    data,
                    &[
                        &["questionText"],
                        &["details", "questionText"],
                        &["questionDetails", "questionText"],
                        &["data", "content"],
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
                // Action 1 is a join; 3 is a subscription, which TikTok also tells as `subNotify`.
                let action =
                    first_code(data, &[&["actionId"], &["action"]], &[("JOINED", 1), ("SUBSCRIBED", 3)]);
                if action == Some(3) {
                    return Ok(Outcome::Unknown);
                }
                let user = self.user(data).ok_or("has no user")?;
                one(Event::Join { user }, msg_key(data, kind::MEMBER))
            }
            "subscribe" | "subnotify" => {
                let user = self.user(data).ok_or("has no user")?;
                let gift = Gift { name: "Sub".into(), value: Decimal::ONE, currency: SUBS.into() };
                one(Event::Gift { user, gift, repeat: 1 }, msg_key(data, kind::GIFT))
            }
            "envelope" => self.treasure_chest(data),
            "like" => {
                let count = first_count(data, &[&["likeCount"], &["count"]]).ok_or("has no `likeCount`")?;
                one(Event::Like { user: self.user(data), count }, msg_key(data, kind::LIKE))
            }
            "roomuser" => {
                let count =
                    first_count(data, &[&["viewerCount"], &["total"]]).ok_or("has no `viewerCount`")?;
                one(Event::Viewers { count }, msg_key(data, kind::OTHER))
            }
            "social" => {
                let shown = first_str(
                    data,
                    &[
                        &["displayType"],
                        &["key"],
                        &["common", "displayText", "displayType"],
                        &["common", "displayText", "key"],
                        &["label"],
                    ],
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
            "controlmessage" => Ok(match first_code(data, &[&["action"]], CONTROL_ACTIONS) {
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
            n if n == server::RELAY_ROOM.to_ascii_lowercase() => Ok(Outcome::Quiet),
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
                &["gift", "type"],
                &["gift", "gift_type"],
                &["extendedGiftInfo", "type"],
            ],
        );
        let ended = first_flag(data, &[&["repeatEnd"], &["gift", "repeat_end"]]).unwrap_or(false);
        if gift_type == Some(1) && !ended {
            return Ok(Outcome::Quiet);
        }
        let user = self.user(data).ok_or("has no user")?;
        let repeat = first_count(data, &[&["repeatCount"], &["gift", "repeat_count"]]).unwrap_or(1).max(1);
        let diamonds = first_count(
            data,
            &[
                &["diamondCount"],
                &["giftDetails", "diamondCount"],
                &["gift", "diamondCount"],
                &["extendedGiftInfo", "diamond_count"],
            ],
        )
        .unwrap_or(0);
        let gift_id =
            first_id(data, &[&["giftId"], &["gift", "gift_id"], &["gift", "id"]]).unwrap_or_default();
        let name = first_str(
            data,
            &[&["giftName"], &["giftDetails", "giftName"], &["gift", "name"], &["extendedGiftInfo", "name"]],
        )
        .unwrap_or_else(|| if gift_id.is_empty() { "gift".into() } else { format!("gift {gift_id}") });
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
        let gift = Gift { name, value: Decimal::from(diamonds), currency: COINS.into() };
        let repeat = u32::try_from(repeat).unwrap_or(u32::MAX);
        Ok(Outcome::Events { events: vec![Event::Gift { user, gift, repeat }], key })
    }

    /// `envelope`: a treasure chest, worth its coins (1.x `coins`; later `envelopeInfo`).
    fn treasure_chest(&self, data: &Map<String, Value>) -> Result<Outcome, String> {
        // Later shapes name only the sender, in `envelopeInfo`.
        let info = data.get("envelopeInfo").and_then(Value::as_object);
        let user = self.user(data).or_else(|| {
            let info = info?;
            let id = first_id(info, &[&["sendUserId"]])?;
            let name = first_str(info, &[&["sendUserName"]]).unwrap_or_else(|| id.clone());
            Some(User { id, name, region: None, badges: Vec::new(), follower: false })
        });
        let user = user.ok_or("has no sender")?;
        let coins = first_count(data, &[&["coins"], &["envelopeInfo", "diamondCount"]]).unwrap_or(0);
        let key = msg_key(data, kind::GIFT).or_else(|| {
            let id = first_id(data, &[&["envelopeInfo", "envelopeId"], &["timestamp"]])?;
            Some((derived_id("envelope", &[&user.id, &id]), kind::GIFT))
        });
        let gift =
            Gift { name: "Treasure chest".into(), value: Decimal::from(coins), currency: COINS.into() };
        Ok(Outcome::Events { events: vec![Event::Gift { user, gift, repeat: 1 }], key })
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
            .or_else(|| lookup(data, &["data", "user"]).and_then(Value::as_object))
            .unwrap_or(data);
        // 1.x and v2 name the viewer `userId` and `uniqueId`; v3 `idStr` (or `id`) and `displayId`.
        let unique = first_str(u, &[&["uniqueId"], &["unique_id"], &["displayId"]]);
        let id = first_id(u, &[&["userId"], &["user_id"], &["idStr"], &["id_str"], &["id"]])
            .or_else(|| unique.clone())?;
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

/// `ControlAction` by number, or by name as TikTokLive writes it: 3 the streamer ended the
/// LIVE, 4 TikTok's moderation did.
const CONTROL_ACTIONS: &[(&str, u64)] =
    &[("STREAM_PAUSED", 1), ("STREAM_UNPAUSED", 2), ("STREAM_ENDED", 3), ("STREAM_SUSPENDED", 4)];

/// `streamEnd`'s `action`: 3 the streamer ended the LIVE, 4 TikTok's moderation did.
fn stream_end(data: &Map<String, Value>) -> Outcome {
    let suspended = first_code(data, &[&["action"], &["actionId"]], CONTROL_ACTIONS) == Some(4);
    Outcome::Stream { state: StreamState::Ended, suspended }
}

/// Reads the relay's envelope: the event's name and its data (an object; absent is empty).
fn envelope(text: &str) -> Result<(String, Map<String, Value>), String> {
    let frame: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(mut frame) = frame else { return Err("the frame is not a JSON object".into()) };
    let name = match (frame.get("event"), frame.get("type")) {
        (Some(Value::String(name)), _) if !name.is_empty() => name.clone(),
        (None, Some(Value::String(kind))) if !kind.is_empty() => {
            let kind = kind.clone();
            return server::unwrap(&kind, frame);
        }
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
    format!("tt-{:016x}", stable_hash(what, parts))
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

/// The first enum value among `paths`: a count, or a name that ends with one of `names`
/// (betterproto writes enums by name, with or without their type's prefix).
fn first_code(data: &Map<String, Value>, paths: &[&[&str]], names: &[(&str, u64)]) -> Option<u64> {
    paths.iter().find_map(|p| {
        let v = lookup(data, p)?;
        count(v).or_else(|| {
            let name = v.as_str()?;
            let named =
                |n: &str| name == n || name.strip_suffix(n).is_some_and(|prefix| prefix.ends_with('_'));
            names.iter().find(|(n, _)| named(n)).map(|(_, code)| *code)
        })
    })
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

/// What the dedup memory says of `id`, read now as `kind`.
fn check(seen: &mut Seen, id: &str, kind: u8) -> Verdict {
    match seen.mark(id, kind) {
        None => Verdict::New,
        Some(before) if before & kind != 0 => Verdict::Repeat,
        Some(before) if (before | kind) & !kind::SOCIAL_FAMILY == 0 => Verdict::Twin,
        Some(_) => Verdict::Repeat,
    }
}

#[cfg(test)]
mod tests;
