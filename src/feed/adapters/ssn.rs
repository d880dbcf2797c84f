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
//! - The source scripts in that repository name the events: `viewer_update` with the count
//!   in `meta`, `joined`, `followed`, `shared`, and `gift` (TikTok, with `meta.giftName`,
//!   `meta.diamondCount`, `meta.repeatCount` and, for streaks, `meta.streakable` and
//!   `meta.repeatEnd`).
//!
//! What the desk gets:
//! - chat → chat, or a question when SSN marks it `question`; a message with `hasDonation`
//!   (a Super Chat, cheer, tip) → its chat and a gift;
//! - `joined` → join, `followed` → follow, `shared` → share, `gift` → a gift (a TikTok streak
//!   counts once, at its end), `viewer_update` → viewers, summed over the sources (each source
//!   reports its own count);
//! - every other event (subscriptions, raids, memberships…) → counted as unknown, by name.
//!
//! The source platform is shown on each message as the viewer's first badge (`youtube`,
//! `twitch`, `tiktok`…), and is part of the viewer's id (`youtube:UC…`), so that two viewers
//! of the same name on two platforms are two buyers. The text is never altered for it.
//!
//! SSN does not replay on reconnect as relays do, but its sources may send a message twice
//! (a page reload, two transports): events are deduplicated by `id` (a bounded memory).
//! There is no seq: nothing can be resumed. Sending goes to every connected source; a reply
//! cannot name the message it answers, and nothing else (delete, mute, pin) can be sent.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::{Adapter, Capabilities, Reading};
use crate::protocol::sanitize::sanitize;
use crate::protocol::{Command, Event, Gift, User};

/// How many message keys the adapter remembers to recognise a message sent twice.
pub const DEDUP_MEMORY: usize = 10_000;

/// The API server channel SSN sends chat to ("Send chat messages to API server").
pub const CHAT_CHANNEL: u8 = 4;
/// The API server channel the SSN extension takes commands on.
pub const COMMAND_CHANNEL: u8 = 1;

/// The currency of a TikTok gift's value, as the TikTok adapter counts it.
pub const DIAMONDS: &str = "DIAMOND";

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
}

impl Ssn {
    /// A translator for the SSN session `session` (the id in the dock's `?session=`).
    pub fn new(session: String) -> Ssn {
        Ssn {
            session: session.trim().to_owned(),
            seen: Seen::new(DEDUP_MEMORY),
            local_ids: 0,
            viewers: BTreeMap::new(),
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
        format!("ssn-{:08x}", fnv("session", &[&self.session]) >> 32)
    }

    fn greet(&mut self) -> Vec<String> {
        vec![json!({"join": self.session, "in": CHAT_CHANNEL, "out": COMMAND_CHANNEL}).to_string()]
    }

    fn read(&mut self, text: &str, _now: DateTime<Utc>) -> Reading {
        let mut reading = Reading::default();
        let message = match envelope(text) {
            Ok(Frame::Message(m)) => m,
            Ok(Frame::Other(kind)) => {
                reading.unknown.push(sanitize(&kind, 32));
                return reading;
            }
            Err(reason) => {
                reading.malformed = Some(sanitize(&reason, 200));
                return reading;
            }
        };
        match self.translate(&message) {
            Ok(Outcome::Events { events, key }) => {
                if key.is_some_and(|k| !self.seen.insert(k)) {
                    reading.duplicates += 1;
                } else {
                    reading.events = events;
                }
            }
            Ok(Outcome::Quiet) => {}
            Ok(Outcome::Unknown(kind)) => reading.unknown.push(sanitize(&kind, 32)),
            Err(reason) => reading.malformed = Some(sanitize(&reason, 200)),
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
    let is_message =
        ["chatname", "chatmessage", "event", "hasDonation", "userid"].iter().any(|k| m.contains_key(*k));
    if !is_message {
        return Ok(Frame::Other("other".into()));
    }
    Ok(Frame::Message(m))
}

impl Ssn {
    fn translate(&mut self, m: &Map<String, Value>) -> Result<Outcome, String> {
        let source = platform(m);
        let event = match m.get("event") {
            Some(Value::String(e)) if !e.trim().is_empty() => Some(e.trim().to_ascii_lowercase()),
            _ => None,
        };
        let Some(event) = event else { return self.message(m, source.as_deref()) };
        let user =
            || user(m, source.as_deref()).ok_or_else(|| format!("`{event}` has no `chatname` or `userid`"));
        let one = |event: Event, key| Ok(Outcome::Events { events: vec![event], key });
        match event.as_str() {
            "viewer_update" | "viewer_updates" => {
                let count = viewer_count(m.get("meta")).ok_or("`viewer_update` has no count in `meta`")?;
                let source = source.unwrap_or_default();
                if self.viewers.len() < MAX_SOURCES || self.viewers.contains_key(&source) {
                    self.viewers.insert(source, count);
                }
                let total = self.viewers.values().fold(0u64, |a, b| a.saturating_add(*b));
                one(Event::Viewers { count: total }, None)
            }
            "joined" | "join" => {
                let user = user()?;
                let key = self.key(m, &event, &user).1;
                one(Event::Join { user }, key)
            }
            "followed" | "follow" | "new_follower" => {
                let user = user()?;
                let key = self.key(m, &event, &user).1;
                one(Event::Follow { user }, key)
            }
            "shared" | "share" => {
                let user = user()?;
                let key = self.key(m, &event, &user).1;
                one(Event::Share { user }, key)
            }
            "gift" => {
                let streak = |k: &str| lookup(m, &["meta", k]).and_then(Value::as_bool);
                if streak("streakable") == Some(true) && streak("repeatEnd") == Some(false) {
                    return Ok(Outcome::Quiet);
                }
                let user = user()?;
                let key = self.key(m, &event, &user).1;
                one(gift(m, user, true), key)
            }
            other => Ok(Outcome::Unknown(other.to_owned())),
        }
    }

    /// A message with no event: chat or a question, with a gift when it carries a donation.
    fn message(&mut self, m: &Map<String, Value>, source: Option<&str>) -> Result<Outcome, String> {
        let user = user(m, source).ok_or("a message has no `chatname` or `userid`")?;
        let text = message_text(m);
        let (msg_id, key) = self.key(m, "chat", &user);
        let mut events = Vec::new();
        if !text.is_empty() {
            let question = flag(m.get("question"));
            events.push(if question {
                Event::Question { msg_id, user: user.clone(), text }
            } else {
                Event::Chat { msg_id, user: user.clone(), text, reply_to: None }
            });
        }
        if donation_text(m).is_some() {
            events.push(gift(m, user, false));
        }
        if events.is_empty() {
            return Err("a message has no text".into());
        }
        Ok(Outcome::Events { events, key })
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

/// The message's text as plain text: HTML (emote images, entities) unless `textonly`.
fn message_text(m: &Map<String, Value>) -> String {
    let Some(raw) = m.get("chatmessage").and_then(Value::as_str) else { return String::new() };
    if flag(m.get("textonly")) { raw.trim().to_owned() } else { plain_text(raw) }
}

fn donation_text(m: &Map<String, Value>) -> Option<String> {
    let text = match m.get("hasDonation")? {
        Value::String(s) => decode_entities(s).trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A gift: TikTok's gift details where SSN passes them on (`meta.giftName`,
/// `meta.diamondCount` per unit, `meta.repeatCount`), else the donation as SSN shows it
/// (`hasDonation`), its amount and currency read when they can be, never guessed.
fn gift(m: &Map<String, Value>, user: User, is_event: bool) -> Event {
    let shown = donation_text(m);
    let diamonds = lookup(m, &["meta", "diamondCount"]).and_then(count);
    let gift_name =
        lookup(m, &["meta", "giftName"]).and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty());
    if let (Some(diamonds), Some(name)) = (diamonds, gift_name) {
        let repeat = lookup(m, &["meta", "repeatCount"]).and_then(count).unwrap_or(1).max(1);
        let gift = Gift { name: name.to_owned(), value: Decimal::from(diamonds), currency: DIAMONDS.into() };
        return Event::Gift { user, gift, repeat: u32::try_from(repeat).unwrap_or(u32::MAX) };
    }
    let (value, currency) =
        shown.as_deref().and_then(parse_donation).unwrap_or((Decimal::ZERO, String::new()));
    let name = gift_name
        .map(str::to_owned)
        .or_else(|| is_event.then(|| message_text(m)).filter(|t| !t.is_empty()))
        .or(shown)
        .unwrap_or_else(|| "donation".into());
    Event::Gift { user, gift: Gift { name, value, currency }, repeat: 1 }
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

/// Reads a donation as SSN shows it: "$5.00", "€3,50", "5 USD", "$50.00 USD", "1.234,56 €",
/// "100 bits", "25 coins". The amount and its currency (an ISO code where a symbol or code
/// says it, else the unit's name in capitals; empty when none is given). `None` when no
/// amount can be read (or it is negative).
pub fn parse_donation(text: &str) -> Option<(Decimal, String)> {
    let text = text.trim();
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let (prefix, rest) = text.split_at(start);
    if prefix.contains(['-', '\u{2212}']) {
        return None;
    }
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(end);
    let amount = parse_amount(number.trim_end_matches(['.', ',']))?;
    let currency = currency_after(suffix).or_else(|| currency_before(prefix)).unwrap_or_default();
    Some((amount, currency))
}

/// "1,234.56", "1.234,56", "3,50", "1,000", "5": the last separator is the decimal point
/// when both appear; a lone comma is one when one or two digits follow it.
fn parse_amount(number: &str) -> Option<Decimal> {
    let (commas, dots) = (number.matches(',').count(), number.matches('.').count());
    let plain = match (commas, dots) {
        (0, 0 | 1) => number.to_owned(),
        (0, _) => number.replace('.', ""),
        (1, 0) => {
            let decimals = number.rsplit(',').next().map_or(0, str::len);
            if decimals <= 2 { number.replace(',', ".") } else { number.replace(',', "") }
        }
        (_, 0) => number.replace(',', ""),
        _ => {
            let last_comma = number.rfind(',')?;
            let last_dot = number.rfind('.')?;
            if last_dot > last_comma && dots == 1 {
                number.replace(',', "")
            } else if last_comma > last_dot && commas == 1 {
                number.replace('.', "").replace(',', ".")
            } else {
                return None;
            }
        }
    };
    let amount = Decimal::from_str(&plain).ok()?;
    (!amount.is_sign_negative()).then_some(amount)
}

/// Currency symbols and the ISO codes they stand for, as donations show them.
const SYMBOLS: &[(&str, &str)] = &[
    ("$", "USD"),
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("A$", "AUD"),
    ("AU$", "AUD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("MX$", "MXN"),
    ("NT$", "TWD"),
    ("SG$", "SGD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("￥", "JPY"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("₱", "PHP"),
    ("₽", "RUB"),
    ("₺", "TRY"),
    ("₫", "VND"),
    ("₪", "ILS"),
    ("฿", "THB"),
    ("₦", "NGN"),
    ("ZŁ", "PLN"),
];

fn symbol(token: &str) -> Option<String> {
    let token = token.to_uppercase();
    SYMBOLS.iter().find(|(s, _)| *s == token).map(|(_, code)| (*code).to_owned())
}

/// The currency named after an amount: a symbol ("3,50 €"), else a code or unit word
/// ("5 USD", "100 bits"), in capitals.
fn currency_after(suffix: &str) -> Option<String> {
    let token = suffix.split_whitespace().next()?;
    symbol(token).or_else(|| {
        let word: String = token.chars().take_while(|c| c.is_alphabetic()).take(16).collect();
        (word.chars().count() >= 2).then(|| word.to_uppercase())
    })
}

/// The currency named before an amount: a symbol ("$5", "CA$5") or a code ("USD 5").
fn currency_before(prefix: &str) -> Option<String> {
    let token = prefix.split_whitespace().next_back()?;
    symbol(token).or_else(|| {
        (token.len() == 3 && token.chars().all(|c| c.is_ascii_alphabetic()))
            .then(|| token.to_ascii_uppercase())
    })
}

/// SSN's HTML message as plain text: tags removed, emote images replaced by their `alt`
/// text, entities decoded, runs of whitespace made one space. A `<` that opens no tag
/// ("<3") is text.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some((tag, after)) = tag_at(rest)
        {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            match name.as_str() {
                "img" => {
                    if let Some(alt) = attribute(tag, "alt") {
                        out.push_str(&decode_entities(alt));
                    }
                }
                "br" | "p" | "div" | "li" | "tr" | "td" => out.push(' '),
                _ => {}
            }
            rest = after;
            continue;
        }
        if c == '&'
            && let Some((decoded, after)) = entity_at(rest)
        {
            out.push(decoded);
            rest = after;
            continue;
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The tag at the start of `s` (which starts with `<`): its inside, and what follows it.
fn tag_at(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('<')?;
    let first = body.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '/' || first == '!') {
        return None;
    }
    let mut quote: Option<char> = None;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some((body.get(..i)?, body.get(i + 1..)?)),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// The value of attribute `name` (lowercase) in a tag's inside, quoted or not.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    // ASCII lowercasing keeps every byte where it was, so positions found in `lower` are
    // positions in `tag`.
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..)?.find(name) {
        let at = from + found;
        from = at + name.len();
        if !lower.get(..at)?.ends_with(char::is_whitespace) {
            continue;
        }
        let Some(value) = tag.get(from..)?.trim_start().strip_prefix('=') else { continue };
        let value = value.trim_start();
        return match value.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let inner = value.get(1..)?;
                inner.split(q).next()
            }
            _ => value.split(|c: char| c.is_whitespace() || c == '/').next(),
        };
    }
    None
}

/// `s` with its HTML entities decoded (`&amp;`, `&#39;`, `&#x1F600;`…); others left as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        let (text, from) = rest.split_at(at);
        out.push_str(text);
        match entity_at(from) {
            Some((c, after)) => {
                out.push(c);
                rest = after;
            }
            None => {
                out.push('&');
                rest = from.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// The entity at the start of `s` (which starts with `&`), and what follows it.
fn entity_at(s: &str) -> Option<(char, &str)> {
    let body = s.strip_prefix('&')?;
    let end = body.char_indices().take(12).find(|(_, c)| *c == ';')?.0;
    let (name, after) = (body.get(..end)?, body.get(end + 1..)?);
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')?
        }
    };
    Some((c, after))
}

/// A stable id: the same parts give the same id on every run and build.
fn derived_id(what: &str, parts: &[&str]) -> String {
    format!("ssn-{:016x}", fnv(what, parts))
}

/// FNV-1a over length-prefixed parts: unlike std's hasher, stable across runs and builds.
fn fnv(what: &str, parts: &[&str]) -> u64 {
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
    h
}

/// The value at `path` (object keys), if present and not null.
fn lookup<'a>(m: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut v = m.get(*first)?;
    for key in rest {
        v = v.as_object()?.get(*key)?;
    }
    (!v.is_null()).then_some(v)
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

/// A non-negative count: a number, or one written as text.
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

/// A yes/no: `true`, a non-zero number, or "true"/"1".
fn flag(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => matches!(s.trim(), "true" | "1"),
        _ => false,
    }
}

/// The last `cap` message keys seen.
struct Seen {
    order: VecDeque<String>,
    keys: HashSet<String>,
    cap: usize,
}

impl Seen {
    fn new(cap: usize) -> Seen {
        Seen { order: VecDeque::new(), keys: HashSet::new(), cap }
    }

    /// Remembers `key`; false when it was already known.
    fn insert(&mut self, key: String) -> bool {
        if self.keys.contains(&key) {
            return false;
        }
        while self.order.len() >= self.cap.max(1) {
            let Some(oldest) = self.order.pop_front() else { break };
            self.keys.remove(&oldest);
        }
        self.order.push_back(key.clone());
        self.keys.insert(key);
        true
    }
}

#[cfg(test)]
mod tests {
    //! Messages are written from Social Stream Ninja's `api.md` ("Content Object Structure",
    //! "Donation Message Format", the chat listener examples) and the event names and `meta`
    //! of its source scripts (`viewer_update`, `joined`, `followed`, TikTok's `gift`).

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::protocol::checked;

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
                    gift(viewer("youtube", "Ben", &["youtube"]), "$5.00", "5.00", "USD", 1),
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
                    "€3,50",
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
                events(vec![gift(viewer("tiktok", "jack", &["tiktok"]), "Rose", "1", DIAMONDS, 5)]),
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
                "another event",
                msg("twitch", "sub", "Subscribed!", json!({"id": 15, "event": "subscribe"})),
                unknown("subscribe"),
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
        let frame =
            msg("tiktok", "Tom &amp; Jerry", "I <b>3</b> &amp; this", json!({"id": 1, "textonly": true}));
        let got = ssn().read(&frame, at());
        let Some(Event::Chat { text, user, .. }) = got.events.first() else { panic!("{got:?}") };
        assert_eq!((text.as_str(), user.name.as_str()), ("I <b>3</b> &amp; this", "Tom & Jerry"));
    }

    #[test]
    fn emoji_and_escapes_reach_the_feed_client_as_sent() {
        let text = "\u{1b}[31mFREE\u{1b}[0m 🔥🔥 \u{202e}gnip\u{202c} \"quoted\" \\ back\nslash 👩‍👩‍👧";
        let name = "Ma\u{1b}]0;pwned\u{7}ria 🌸";
        let got = ssn().read(&msg("youtube", name, text, json!({"id": "e1", "userid": "u1"})), at());
        let Some(Event::Chat { text: kept, user, .. }) = got.events.first().cloned() else {
            panic!("{got:?}")
        };
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
        let table: [(&str, Option<(&str, &str)>); 22] = [
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
        assert_eq!((s.seen.order.len(), s.seen.keys.len()), (3, 3));
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
        let fixture = include_str!("../../../tests/fixtures/ssn.jsonl");
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
            ("$5.00", "5.00", "USD", 1),
            ("100 bits", "100", "BITS", 1),
            ("Rose", "1", "DIAMOND", 5),
            ("€3,50", "3.50", "EUR", 1),
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
        assert_eq!(all.unknown, vec!["subscribe", "callback"]);
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
        ];
        super::super::fuzz::json_value(
            KEYS,
            &["[<>&;#a-z0-9 \"'=/]{0,24}", "[$€£0-9.,]{0,8}( [A-Za-z]{0,4})?"],
        )
    }

    proptest! {
        /// No input makes the adapter panic, and the same input twice never tells more the
        /// second time.
        #[test]
        fn any_frame_is_read_without_panic(
            data in json_value(),
            event in prop_oneof![Just(Value::Null), Just(json!("viewer_update")), Just(json!("gift")),
                Just(json!("joined")), Just(json!("followed")), Just(json!(false)), Just(json!("x"))],
            raw in ".{0,40}",
            html in "[<>&;#a-zA-Z0-9 \"'=/é🔥]{0,60}",
        ) {
            let mut s = ssn();
            let mut frame = data.clone();
            if let Value::Object(m) = &mut frame {
                m.insert("event".into(), event);
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
}
