//! Social Stream Ninja: one inbox for TikTok, YouTube, Twitch and many more platforms, read
//! through its WebSocket API server (`wss://io.socialstream.ninja`).
//!
//! Written from Social Stream Ninja's `api.md` (github.com/steveseguin/social_stream):
//! - "Connecting to the API Server": connect, then join with
//!   `{"join": SESSION_ID, "in": IN_CHANNEL, "out": OUT_CHANNEL}` (or connect to
//!   `/join/SESSION_ID/IN/OUT`); the session id is the one in the dock's `?session=` address.
//! - "Quick Start: Receiving Chat Messages": with "Send chat messages to API server" on, the
//!   extension sends every message, as a plain JSON object, to channel 4; so the desk joins
//!   with `in: 4`.
//! - "Extension": the extension's API connection joins with `in: 1`, and "Available
//!   Commands" sends chat as `{"action": "sendChat", "value": TEXT}` (to every connected
//!   source; an optional `target` names one platform); so the desk joins with `out: 1`.
//! - "Content Object Structure": the message fields read here: `chatname`, `chatmessage`
//!   (HTML unless `textonly`), `type` (the source platform), `userid`, `id`, `hasDonation`
//!   ("$50 USD", "3 roses"), `membership`, `moderator`, `question`, `event` (`false` or absent
//!   for chat), `meta` (viewer counts, gift details).
//! - The events: `docs/event-reference.html` (each source's event names and `meta`, and the
//!   deprecated names older extensions still send), `createtestmessage.html` (its presets),
//!   and the sources that set them (`sources/tiktok.js`: a gift streak's
//!   `meta.tiktokGiftStreakId` and rising `meta.tiktokGiftCount`; `background.js`: the
//!   aggregated `viewer_updates`; `providers/twitch/chatClient.js`: `action`, `bits`).
//!   [`events`] lists them all and what each is.
//!
//! What the desk gets, in the one mapping every adapter follows (see the README):
//! - chat, `action` (a /me), an emote → chat (an emote with no name is "[emote]"), or a
//!   question where SSN marks one; a row with `hasDonation` → its chat and a gift;
//! - bits (`cheer`, `bits`, `powerup`) → a `BITS` gift; Super Chats, Super Stickers, Jewels,
//!   donations → a gift in their currency, with the viewer's words as chat;
//! - subscriptions and memberships → one `SUBS` gift each ("Sub (Tier 1)", "Membership"),
//!   gift bundles → as many as they give, counted once even when SSN then sends each;
//! - TikTok gifts → `COINS`, a streak counted once by its highest count; a treasure chest →
//!   its coins; raids → the raider's join; joins, follows, shares, likes as themselves;
//! - `viewer_update` → viewers summed over the sources, `viewer_updates` → the extension's own
//!   sum; `user_banned` → the viewer timed out or banned;
//! - every other event (rewards, hype trains…) → counted as unknown, by name.
//!
//! The source platform is shown on each message as the viewer's first badge (`youtube`,
//! `twitch`, `tiktok`…), and is part of the viewer's id (`youtube:UC…`), so that two viewers
//! of the same name on two platforms are two buyers. The text is never altered for it.
//!
//! SSN does not replay on reconnect as relays do, but its sources may send a message twice
//! (a page reload, two transports): events are deduplicated by `id` (a bounded memory).
//! There is no seq: nothing can be resumed. Sending goes to every connected source; a reply
//! cannot name the message it answers, and nothing else (delete, mute, pin) can be sent.

mod events;
mod gifts;
mod html;
mod money;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::json::{count, lookup};
use super::seen::{Seen, stable_hash};
use super::{Adapter, Reading};
use crate::protocol::sanitize::{MAX_KIND_CHARS, MAX_REASON_CHARS, sanitize};
use crate::protocol::{Capabilities, Command, Event, Gift, ModAction, User};
use events::Kind;
pub use gifts::{BITS, COINS, SUBS};
pub use html::{decode_entities, plain_text};
pub use money::parse_donation;

/// How many message keys the adapter remembers to recognise a message sent twice.
pub const DEDUP_MEMORY: usize = 10_000;

/// The API server channel SSN sends chat to ("Send chat messages to API server").
pub const CHAT_CHANNEL: u8 = 4;
/// The API server channel the SSN extension takes commands on.
pub const COMMAND_CHANNEL: u8 = 1;

/// How many sources' viewer counts are kept (far more than anyone streams to).
const MAX_SOURCES: usize = 64;

/// A Social Stream Ninja session's translator.
pub struct Ssn {
    session: String,
    seen: Seen,
    /// Ids handed to messages that carry neither an id nor a time (never deduplicated).
    local_ids: u64,
    /// The latest viewer count of each source.
    viewers: BTreeMap<String, u64>,
    /// What has been counted of TikTok gift streaks and gift bundles.
    tally: gifts::Tally,
    /// The viewer each recent name on each source is (a bounded memory).
    names: HashMap<String, String>,
}

impl Ssn {
    /// A translator for the SSN session `session` (the id in the dock's `?session=`).
    pub fn new(session: String) -> Ssn {
        Ssn {
            session: session.trim().to_owned(),
            seen: Seen::new(DEDUP_MEMORY),
            local_ids: 0,
            viewers: BTreeMap::new(),
            tally: gifts::Tally::default(),
            names: HashMap::new(),
        }
    }
}

impl Adapter for Ssn {
    fn capabilities(&self) -> Capabilities {
        Capabilities { send_chat: true, ..Capabilities::default() }
    }

    fn stream_id(&self) -> String {
        // The session id is a secret (whoever has it controls the overlays and can send
        // chat): the desk shows, logs and stores a name made from it, never the id.
        format!("ssn-{:08x}", stable_hash("session", &[&self.session]) >> 32)
    }

    fn greet(&mut self) -> Vec<String> {
        vec![json!({"join": self.session, "in": CHAT_CHANNEL, "out": COMMAND_CHANNEL}).to_string()]
    }

    fn read(&mut self, text: &str, _now: DateTime<Utc>) -> Reading {
        let mut reading = Reading::default();
        let message = match envelope(text) {
            Ok(Frame::Message(m)) => m,
            Ok(Frame::Other(kind)) => {
                reading.unknown.push(sanitize(&kind, MAX_KIND_CHARS));
                return reading;
            }
            Err(reason) => {
                reading.malformed = Some(sanitize(&reason, MAX_REASON_CHARS));
                return reading;
            }
        };
        match self.translate(&message) {
            Ok(Outcome::Events { events, key }) => {
                if key.is_some_and(|k| !self.seen.insert(&k)) {
                    reading.duplicates += 1;
                } else {
                    reading.events = events;
                }
            }
            Ok(Outcome::Quiet) => {}
            Ok(Outcome::Unknown(kind)) => reading.unknown.push(sanitize(&kind, MAX_KIND_CHARS)),
            Err(reason) => reading.malformed = Some(sanitize(&reason, MAX_REASON_CHARS)),
        }
        reading
    }

    fn write(&mut self, cmd: &Command) -> Result<Vec<String>, String> {
        let what = match cmd {
            Command::Hello { .. } => return Ok(Vec::new()),
            Command::SendChat { text, .. } => {
                // SSN cannot thread a reply: it goes out as a plain message, to every source.
                let text = text.trim();
                if text.is_empty() {
                    return Err("nothing to send: the message is empty".into());
                }
                return Ok(vec![json!({"action": "sendChat", "value": text}).to_string()]);
            }
            Command::PinChat { .. } => "the message was not pinned",
            Command::DeleteChat { .. } => "the message was not deleted",
            Command::MuteUser { .. } => "the viewer was not muted",
            Command::PinProduct { .. } => "the product was not pinned",
            Command::FlashSale { .. } => "the flash sale was not changed on the platforms",
        };
        Err(format!("Social Stream Ninja's API only sends chat: {what}"))
    }
}

/// What one SSN message means for the desk.
enum Outcome {
    /// Desk events, and the key that tells the same message sent again.
    Events { events: Vec<Event>, key: Option<String> },
    /// Nothing to tell yet (a gift streak still going).
    Quiet,
    /// Nothing the desk has, by name.
    Unknown(String),
}

/// A frame from the API server: a message, or something else (a callback, a command another
/// client sent to the channel, a bare status word).
enum Frame {
    Message(Map<String, Value>),
    Other(String),
}

fn envelope(text: &str) -> Result<Frame, String> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            // The server answers some requests with a bare word ("failed", "timeout").
            let word = text.trim();
            if !word.is_empty() && word.len() <= 16 && word.chars().all(|c| c.is_ascii_alphabetic()) {
                return Ok(Frame::Other(format!("server: {word}")));
            }
            return Err(format!("not JSON: {e}"));
        }
    };
    let Value::Object(mut m) = value else { return Err("the frame is not a JSON object".into()) };
    // The peer-to-peer transport wraps messages as `{"overlayNinja": {...}}`; `content`
    // actions (`content`, `content4`…) carry one as their value.
    if let Some(Value::Object(inner)) = m.remove("overlayNinja") {
        return Ok(Frame::Message(inner));
    }
    if let Some(action) = m.get("action").and_then(Value::as_str).map(str::to_owned) {
        if action.starts_with("content")
            && let Some(Value::Object(inner)) = m.remove("value")
        {
            return Ok(Frame::Message(inner));
        }
        return Ok(Frame::Other(format!("action: {action}")));
    }
    if m.contains_key("callback") {
        return Ok(Frame::Other("callback".into()));
    }
    if matches!(m.get("delete"), Some(Value::Object(_))) {
        return Ok(Frame::Message(m));
    }
    let is_message =
        ["chatname", "chatmessage", "event", "hasDonation", "userid"].iter().any(|k| m.contains_key(*k));
    if !is_message {
        return Ok(Frame::Other("other".into()));
    }
    Ok(Frame::Message(m))
}

impl Ssn {
    fn translate(&mut self, m: &Map<String, Value>) -> Result<Outcome, String> {
        if let Some(Value::Object(what)) = m.get("delete") {
            return Ok(self.deletion(what));
        }
        let source = platform(m);
        let name = match m.get("event") {
            Some(Value::String(e)) if !e.trim().is_empty() => Some(e.trim().to_ascii_lowercase()),
            // `true`: "system event – type unknown" (a notice in the source's own words).
            Some(Value::Bool(true)) => return Ok(Outcome::Unknown("system notice".into())),
            _ => None,
        };
        let kind = events::kind(name.as_deref());
        let event = name.unwrap_or_else(|| "chat".into());
        match kind {
            Kind::Viewers => {
                let count = viewer_count(m.get("meta")).ok_or("`viewer_update` has no count in `meta`")?;
                let source = source.unwrap_or_default();
                if self.viewers.len() < MAX_SOURCES || self.viewers.contains_key(&source) {
                    self.viewers.insert(source, count);
                }
                return Ok(self.viewers());
            }
            Kind::AllViewers => {
                // The extension's own sum of its sources, by source: it replaces them all.
                let Some(Value::Object(by_source)) = m.get("meta") else {
                    return Err("`viewer_updates` has no counts by source in `meta`".into());
                };
                self.viewers = by_source
                    .iter()
                    .take(MAX_SOURCES)
                    .map(|(source, n)| (source.clone(), viewer_count(Some(n)).unwrap_or(0)))
                    .collect();
                return Ok(self.viewers());
            }
            Kind::Banned => return banned(m, source.as_deref()),
            Kind::GiftReceived => return Ok(Outcome::Quiet),
            Kind::Other => return Ok(Outcome::Unknown(event)),
            _ => {}
        }
        let what = if kind == Kind::Chat { "a message" } else { event.as_str() };
        let user =
            user(m, source.as_deref()).ok_or_else(|| format!("{what} has no `chatname` or `userid`"))?;
        self.remember_name(source.as_deref(), &user);
        let (msg_id, key) = self.key(m, &event, &user);
        let text = message_text(m);
        let said =
            |text: String| Event::Chat { msg_id: msg_id.clone(), user: user.clone(), text, reply_to: None };
        let gift = |gift: Gift, repeat: u32| Event::Gift { user: user.clone(), gift, repeat };
        let mut events = Vec::new();
        match kind {
            Kind::Chat | Kind::Question => {
                if !text.is_empty() {
                    events.push(if kind == Kind::Question || flag(m.get("question")) {
                        Event::Question { msg_id: msg_id.clone(), user: user.clone(), text }
                    } else {
                        said(text)
                    });
                }
                events.extend(gifts::donation(m, None).map(|g| gift(g, 1)));
                if events.is_empty() {
                    return Err("a message has no text".into());
                }
            }
            Kind::Emote => events.push(said(if text.is_empty() { "[emote]".into() } else { text })),
            Kind::Bits => {
                if !text.is_empty() {
                    events.push(said(text));
                }
                events.push(gift(gifts::bits(m), 1));
            }
            Kind::Paid { name, words } => {
                if words && !text.is_empty() {
                    events.push(said(text));
                }
                events.extend(gifts::donation(m, Some(name)).map(|g| gift(g, 1)));
                if events.is_empty() {
                    return Err(format!("`{event}` has no amount and no text"));
                }
            }
            // A reaction is a gift only when it carries one (TikTok's gifts hidden from the tray).
            Kind::Reaction
                if donation_text(m).is_none() && lookup(m, &["meta", "diamondCount"]).is_none() =>
            {
                return Ok(Outcome::Unknown(event));
            }
            Kind::Gift | Kind::Reaction if source.as_deref() == Some("tiktok") => {
                match self.tally.tiktok_gift(m) {
                    Some((g, units)) => events.push(gift(g, units)),
                    None => return Ok(Outcome::Quiet),
                }
            }
            Kind::Gift | Kind::Reaction => match gifts::donation(m, None) {
                Some(mut g) => {
                    // A platform gift is named for itself where it can be (Kick: "Sent a Rocket").
                    let named = lookup(m, &["meta", "giftName"]).and_then(Value::as_str).map(str::to_owned);
                    if let Some(name) = named.or_else(|| (!text.is_empty()).then(|| text.clone())) {
                        g.name = name;
                    }
                    events.push(gift(g, 1));
                }
                // A gift row with no amount is a gifted sub told in words (Kick's page).
                None if kind == Kind::Gift => {
                    let units = self.tally.gift_subs(&user.id, gifts::gifted_count(m), false);
                    if units == 0 {
                        return Ok(Outcome::Quiet);
                    }
                    events.push(gift(gifts::sub(gifts::sub_name(m, source.as_deref(), true)), units));
                }
                None => return Ok(Outcome::Unknown(event)),
            },
            Kind::Sub { words } => {
                events.push(gift(gifts::sub(gifts::sub_name(m, source.as_deref(), false)), 1));
                if words && !text.is_empty() {
                    events.push(said(text));
                }
            }
            Kind::GiftSubs => {
                let bundle = event == "giftpurchase";
                let units = self.tally.gift_subs(&user.id, gifts::gifted_count(m), bundle);
                if units == 0 {
                    return Ok(Outcome::Quiet);
                }
                events.push(gift(gifts::sub(gifts::sub_name(m, source.as_deref(), true)), units));
            }
            Kind::TreasureChest => events.push(gift(gifts::treasure_chest(m), 1)),
            Kind::Raid | Kind::Join => events.push(Event::Join { user: user.clone() }),
            Kind::Follow => events.push(Event::Follow { user: user.clone() }),
            Kind::Share => events.push(Event::Share { user: user.clone() }),
            Kind::Like => {
                let likes = [&["meta", "likeCount"][..], &["meta", "count"]]
                    .iter()
                    .find_map(|p| lookup(m, p).and_then(count))
                    .unwrap_or(1)
                    .max(1);
                events.push(Event::Like { user: Some(user.clone()), count: likes });
            }
            // Told above, before the row's viewer is read.
            Kind::Viewers | Kind::AllViewers | Kind::Banned | Kind::GiftReceived | Kind::Other => {}
        }
        Ok(Outcome::Events { events, key })
    }

    /// SSN's delete control, as its Twitch source sends it when the platform removes chat:
    /// `{"delete": {"type", "id"}}` one message, `{"delete": {"type", "chatname"}}` every
    /// message of one viewer (known by the name their messages came with).
    fn deletion(&self, what: &Map<String, Value>) -> Outcome {
        let source = platform(what);
        let (msg_id, user_id) =
            match (what.get("id").and_then(id_text), what.get("chatname").and_then(Value::as_str)) {
                (Some(id), _) => (Some(id), None),
                (None, Some(name)) if !name.trim().is_empty() => {
                    let name = decode_entities(name).trim().to_owned();
                    let known = self.names.get(&name_key(source.as_deref(), &name)).cloned();
                    let id = known
                        .unwrap_or_else(|| source.as_ref().map_or(name.clone(), |s| format!("{s}:{name}")));
                    (None, Some(id))
                }
                // Every message of a source: the desk's moderation names a message or a viewer.
                _ => return Outcome::Unknown("delete (a whole source)".into()),
            };
        let event = Event::Moderation { action: ModAction::Deleted, msg_id, user_id, by: None };
        Outcome::Events { events: vec![event], key: None }
    }

    /// Remembers which viewer a name on a source is, for a delete that names them.
    fn remember_name(&mut self, source: Option<&str>, user: &User) {
        if self.names.len() >= DEDUP_MEMORY {
            self.names.clear();
        }
        self.names.insert(name_key(source, &user.name), user.id.clone());
    }

    /// Every source's latest viewer count, added up.
    fn viewers(&self) -> Outcome {
        let total = self.viewers.values().fold(0u64, |a, b| a.saturating_add(*b));
        Outcome::Events { events: vec![Event::Viewers { count: total }], key: None }
    }

    /// The message's id, and the key that tells it sent again. SSN's `id` names a message;
    /// the key adds its source, author and text, so that an id SSN hands out again after a
    /// restart does not drop a new message. A message without `id` gets an id made from its
    /// source, author, text and time, the same every time it is sent; one without a time
    /// either cannot be told from a repeat (a buyer typing "1" twice), so it is kept.
    fn key(&mut self, m: &Map<String, Value>, what: &str, user: &User) -> (String, Option<String>) {
        let source = platform(m).unwrap_or_default();
        let raw = m.get("chatmessage").and_then(id_text).unwrap_or_default();
        if let Some(id) = m.get("id").and_then(id_text) {
            let key = derived_id(what, &[&source, &id, &user.id, &raw]);
            return (id, Some(key));
        }
        let at = m
            .get("timestamp")
            .and_then(id_text)
            .or_else(|| lookup(m, &["meta", "timestamp"]).and_then(id_text));
        if let Some(at) = at {
            let id = derived_id(what, &[&source, &user.id, &raw, &at]);
            return (id.clone(), Some(id));
        }
        self.local_ids += 1;
        (format!("ssn-local-{}", self.local_ids), None)
    }
}

fn name_key(source: Option<&str>, name: &str) -> String {
    format!("{}\u{0}{}", source.unwrap_or_default(), name.to_lowercase())
}

/// The source platform (`type`): lowercase letters, digits, `-` and `_` only.
fn platform(m: &Map<String, Value>) -> Option<String> {
    let t = m.get("type")?.as_str()?;
    let t: String = t
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(24)
        .collect::<String>()
        .to_ascii_lowercase();
    (!t.is_empty()).then_some(t)
}

/// The viewer: `userid` (else the name) prefixed with the source, `chatname` as the name
/// (SSN escapes it as HTML), the source as the first badge, then `moderator` and `member`.
fn user(m: &Map<String, Value>, source: Option<&str>) -> Option<User> {
    let name = m.get("chatname").and_then(Value::as_str).map(|n| decode_entities(n).trim().to_owned());
    let name = name.filter(|n| !n.is_empty());
    let uid = m.get("userid").and_then(id_text).map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    let id = uid.clone().or_else(|| name.clone())?;
    let id = match source {
        Some(s) => format!("{s}:{id}"),
        None => id,
    };
    let name = name.or(uid)?;
    let mut badges = Vec::new();
    if let Some(s) = source {
        badges.push(s.to_owned());
    }
    if flag(m.get("moderator")) {
        badges.push("moderator".to_owned());
    }
    let member = match m.get("membership") {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(v) => flag(Some(v)),
        None => false,
    };
    if member {
        badges.push("member".to_owned());
    }
    Some(User { id, name, region: None, badges, follower: false })
}

/// The message's text as plain text: HTML (emote images, entities) unless `textonly`. An
/// emote with no name to show is "[emote]".
fn message_text(m: &Map<String, Value>) -> String {
    let Some(raw) = m.get("chatmessage").and_then(Value::as_str) else { return String::new() };
    if flag(m.get("textonly")) {
        return raw.trim().to_owned();
    }
    let text = plain_text(raw);
    if text.is_empty() && raw.to_ascii_lowercase().contains("<img") { "[emote]".into() } else { text }
}

fn donation_text(m: &Map<String, Value>) -> Option<String> {
    let text = match m.get("hasDonation")? {
        Value::String(s) => decode_entities(s).trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A viewer count in `meta`: a number, a number as text ("1,234"), or an object's
/// `viewers`/`viewerCount`/`count`.
fn viewer_count(meta: Option<&Value>) -> Option<u64> {
    match meta? {
        Value::Object(o) => ["viewers", "viewerCount", "count"].iter().find_map(|k| count(o.get(*k)?)),
        Value::String(s) => s.trim().replace(',', "").parse().ok(),
        v => count(v),
    }
}

/// `user_banned`: the viewer in `meta` (`userId`, else `username`), timed out when the ban
/// has a duration (`meta.action` `timeout`, `meta.durationSeconds`), else banned. The
/// desk then removes their comments and their claims.
fn banned(m: &Map<String, Value>, source: Option<&str>) -> Result<Outcome, String> {
    let id = ["userId", "username"].iter().find_map(|k| lookup(m, &["meta", k]).and_then(id_text));
    let id =
        id.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()).ok_or("`user_banned` names no viewer")?;
    let user_id = match source {
        Some(s) => format!("{s}:{id}"),
        None => id,
    };
    let timed = lookup(m, &["meta", "action"]).and_then(Value::as_str) == Some("timeout")
        || lookup(m, &["meta", "durationSeconds"]).and_then(count).is_some_and(|d| d > 0);
    let action = if timed { ModAction::Muted } else { ModAction::Banned };
    let event = Event::Moderation { action, msg_id: None, user_id: Some(user_id), by: None };
    Ok(Outcome::Events { events: vec![event], key: None })
}

/// A stable id: the same parts give the same id on every run and build.
fn derived_id(what: &str, parts: &[&str]) -> String {
    format!("ssn-{:016x}", stable_hash(what, parts))
}

/// An id: a non-empty string, or an integer written as decimal.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Some(u.to_string()),
            (_, Some(i), _) => Some(i.to_string()),
            (_, _, Some(f)) if f.is_finite() && f.fract() == 0.0 => Some(format!("{f:.0}")),
            _ => None,
        },
        _ => None,
    }
}

/// A yes/no: `true`, a non-zero number, or "true"/"1".
fn flag(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => matches!(s.trim(), "true" | "1"),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
