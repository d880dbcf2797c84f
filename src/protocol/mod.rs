//! The feed protocol v1: every frame in both directions, and the rules for reading them.
//!
//! Decoding is strict about what matters (type, seq, required fields, decimal prices) and
//! lenient about the rest (unknown fields and types), as the protocol requires. Every
//! string that came from the wire is sanitized before it leaves this module.
//!
//! Beside the frames, the words every feed shares: what it speaks ([`Format`]), what its
//! platform lets the desk do ([`Capabilities`]) and how many messages it takes
//! ([`SendLimit`]).

pub mod limit;
mod platform;
mod raw;
pub mod sanitize;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use limit::SendLimit;
pub use platform::{Capabilities, Format};
use sanitize::{
    MAX_BADGE_CHARS, MAX_BADGES, MAX_KIND_CHARS, MAX_NAME_CHARS, MAX_REASON_CHARS, MAX_REGION_CHARS,
    MAX_STAMP_CHARS, MAX_TEXT_CHARS, clean,
};

/// The protocol version this crate speaks.
pub const VERSION: u32 = 1;
/// Frames larger than this are a protocol error (close 1009).
pub const MAX_FRAME_BYTES: usize = 256 * 1024;

/// A viewer as the platform describes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub badges: Vec<String>,
    #[serde(default)]
    pub follower: bool,
}

/// A paid gift; `value` is per unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gift {
    pub name: String,
    pub value: Decimal,
    pub currency: String,
}

/// The stream a connection belongs to, sent in `welcome`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamInfo {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub started_at: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
/// Where an order is: live orders (placed, paid) hold stock, the others gave it back.
pub enum OrderStatus {
    Placed,
    Paid,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    /// Whether an order in this status holds stock and counts towards GMV.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Placed | Self::Paid)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
/// What the platform's moderation did.
pub enum ModAction {
    Deleted,
    Muted,
    Banned,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
/// Whether the stream is on air.
pub enum StreamState {
    Live,
    Paused,
    Ended,
}

/// A server → client event (the frame's payload, without the envelope).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Welcome {
        stream: StreamInfo,
        resumed: bool,
        /// The id of the server's numbering: a new one means seqs start over.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<String>,
    },
    Chat {
        msg_id: String,
        user: User,
        text: String,
        #[serde(default)]
        reply_to: Option<String>,
    },
    Question {
        msg_id: String,
        user: User,
        text: String,
    },
    Join {
        user: User,
    },
    Viewers {
        count: u64,
    },
    Like {
        #[serde(default)]
        user: Option<User>,
        count: u64,
    },
    Follow {
        user: User,
    },
    Share {
        user: User,
    },
    Gift {
        user: User,
        gift: Gift,
        #[serde(default = "one")]
        repeat: u32,
    },
    Order {
        order_id: String,
        user: User,
        sku: String,
        qty: u32,
        unit_price: Decimal,
        currency: String,
        status: OrderStatus,
    },
    OrderUpdate {
        order_id: String,
        status: OrderStatus,
    },
    Stock {
        sku: String,
        available: u32,
    },
    Moderation {
        action: ModAction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<String>,
        #[serde(default)]
        by: Option<String>,
    },
    Stream {
        state: StreamState,
    },
    Ack {
        #[serde(rename = "ref")]
        reference: String,
        ok: bool,
        #[serde(default)]
        error: Option<String>,
    },
    Error {
        #[serde(deserialize_with = "string_or_number")]
        code: String,
        message: String,
    },
}

fn one() -> u32 {
    1
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        S(String),
        N(serde_json::Number),
    }
    Ok(match Code::deserialize(d)? {
        Code::S(s) => s,
        Code::N(n) => n.to_string(),
    })
}

impl Event {
    /// The wire name of this event's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::Welcome { .. } => "welcome",
            Event::Chat { .. } => "chat",
            Event::Question { .. } => "question",
            Event::Join { .. } => "join",
            Event::Viewers { .. } => "viewers",
            Event::Like { .. } => "like",
            Event::Follow { .. } => "follow",
            Event::Share { .. } => "share",
            Event::Gift { .. } => "gift",
            Event::Order { .. } => "order",
            Event::OrderUpdate { .. } => "order_update",
            Event::Stock { .. } => "stock",
            Event::Moderation { .. } => "moderation",
            Event::Stream { .. } => "stream",
            Event::Ack { .. } => "ack",
            Event::Error { .. } => "error",
        }
    }

    /// Whether this event belongs to the connection rather than the stream: it is
    /// not replayed on resume and does not take part in seq dedup.
    pub fn is_connection_level(&self) -> bool {
        matches!(self, Event::Welcome { .. } | Event::Ack { .. } | Event::Error { .. })
    }

    /// Removes escape sequences, controls and bidi marks from every string, and caps lengths.
    pub fn sanitize(&mut self) {
        fn user(u: &mut User) {
            clean(&mut u.id, MAX_NAME_CHARS);
            clean(&mut u.name, MAX_NAME_CHARS);
            if let Some(r) = &mut u.region {
                clean(r, MAX_REGION_CHARS);
            }
            u.badges.truncate(MAX_BADGES);
            for b in &mut u.badges {
                clean(b, MAX_BADGE_CHARS);
            }
        }
        let id = |s: &mut String| clean(s, MAX_NAME_CHARS);
        match self {
            Event::Welcome { stream, epoch, .. } => {
                if let Some(e) = epoch {
                    id(e);
                }
                id(&mut stream.id);
                clean(&mut stream.title, MAX_TEXT_CHARS);
                id(&mut stream.platform);
                id(&mut stream.currency);
                id(&mut stream.started_at);
            }
            Event::Chat { msg_id, user: u, text, reply_to } => {
                id(msg_id);
                user(u);
                clean(text, MAX_TEXT_CHARS);
                if let Some(r) = reply_to {
                    id(r);
                }
            }
            Event::Question { msg_id, user: u, text } => {
                id(msg_id);
                user(u);
                clean(text, MAX_TEXT_CHARS);
            }
            Event::Join { user: u } | Event::Follow { user: u } | Event::Share { user: u } => user(u),
            Event::Like { user: u, .. } => {
                if let Some(u) = u {
                    user(u);
                }
            }
            Event::Gift { user: u, gift, .. } => {
                user(u);
                id(&mut gift.name);
                id(&mut gift.currency);
            }
            Event::Order { order_id, user: u, sku, currency, .. } => {
                id(order_id);
                user(u);
                id(sku);
                id(currency);
            }
            Event::OrderUpdate { order_id, .. } => id(order_id),
            Event::Stock { sku, .. } => id(sku),
            Event::Moderation { msg_id, user_id, by, .. } => {
                for s in [msg_id, user_id, by].into_iter().flatten() {
                    id(s);
                }
            }
            Event::Ack { reference, error, .. } => {
                id(reference);
                if let Some(e) = error {
                    clean(e, MAX_TEXT_CHARS);
                }
            }
            Event::Error { code, message } => {
                id(code);
                clean(message, MAX_TEXT_CHARS);
            }
            Event::Viewers { .. } | Event::Stream { .. } => {}
        }
    }
}

/// A decoded server → client frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub v: u32,
    pub seq: u64,
    pub ts: String,
    #[serde(flatten)]
    pub event: Event,
}

impl Frame {
    /// Encodes the frame as one JSON text frame.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("frames always serialize")
    }
}

/// Why a frame was not turned into an event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("frame of {0} bytes is over the 256 KiB limit")]
    TooBig(usize),
    #[error("malformed frame: {reason}")]
    Malformed { reason: String, seq: Option<u64> },
    #[error("unknown frame type {kind:?}")]
    Unknown { kind: String, seq: Option<u64> },
}

/// Only the envelope, read first: cheap, and tells unknown types from malformed ones.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    #[serde(default)]
    seq: Option<u64>,
}

const KNOWN_EVENTS: &[&str] = &[
    "welcome",
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
];

/// Decodes one server → client text frame, sanitizing every string in it.
pub fn decode_frame(text: &str) -> Result<Frame, DecodeError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::TooBig(text.len()));
    }
    let raw: raw::RawFrame = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) => return slow_frame(text, slow_read(text, e.to_string())?),
    };
    if !KNOWN_EVENTS.contains(&raw.kind.as_ref()) {
        return Err(DecodeError::Unknown {
            kind: sanitize::sanitize(&raw.kind, MAX_KIND_CHARS),
            seq: raw.seq,
        });
    }
    let Some(seq) = raw.seq else { return Err(malformed("missing field `seq`", None)) };
    let (v, ts) = (raw.v, raw.ts.as_deref().map(|t| sanitize::sanitize(t, MAX_STAMP_CHARS)));
    let event = raw::into_event(raw).and_then(finish).map_err(|reason| malformed(&reason, Some(seq)))?;
    Ok(Frame { v: v.unwrap_or(VERSION), seq, ts: ts.unwrap_or_default(), event })
}

/// The one-pass reader failed: tell an unknown type (whose fields may be anything) from a
/// broken frame, and give a known type a second, slower reading that only looks at its
/// own fields (an unknown field may share a name with another type's field).
fn slow_read(text: &str, reason: String) -> Result<(Event, Option<u64>), DecodeError> {
    match serde_json::from_str::<Envelope>(text) {
        Ok(env) if !KNOWN_EVENTS.contains(&env.kind.as_ref()) => {
            Err(DecodeError::Unknown { kind: sanitize::sanitize(&env.kind, MAX_KIND_CHARS), seq: env.seq })
        }
        Ok(env) => match serde_json::from_str::<Event>(text) {
            Ok(event) => finish(event).map(|e| (e, env.seq)).map_err(|r| malformed(&r, env.seq)),
            Err(e) => Err(malformed(&e.to_string(), env.seq)),
        },
        Err(_) => Err(malformed(&reason, None)),
    }
}

/// Finishes a frame that needed the slow reading: its envelope.
fn slow_frame(text: &str, (event, seq): (Event, Option<u64>)) -> Result<Frame, DecodeError> {
    let Some(seq) = seq else { return Err(malformed("missing field `seq`", None)) };
    #[derive(Deserialize)]
    struct Stamp {
        v: Option<u32>,
        ts: Option<String>,
    }
    let stamp: Stamp = serde_json::from_str(text).unwrap_or(Stamp { v: None, ts: None });
    let ts = stamp.ts.map(|t| sanitize::sanitize(&t, MAX_STAMP_CHARS)).unwrap_or_default();
    Ok(Frame { v: stamp.v.unwrap_or(VERSION), seq, ts, event })
}

/// Decodes a bare event from JSON text (script lines: no envelope needed), sanitized.
pub fn decode_event_str(text: &str) -> Result<Event, DecodeError> {
    match serde_json::from_str::<RawEvent>(text) {
        Ok(raw) => raw.into_event(),
        Err(e) => slow_read(text, e.to_string()).map(|(event, _)| event),
    }
}

/// A bare event read in the one-pass reader's form, not yet checked: a script line holds one,
/// so that the line is read once rather than once as a line and again as an event. A field
/// the one-pass reader cannot take fails the read; [`decode_event`] then has the last word.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct RawEvent<'a>(#[serde(borrow)] raw::RawFrame<'a>);

impl RawEvent<'_> {
    /// The event, checked and sanitized as every decoded event is.
    pub fn into_event(self) -> Result<Event, DecodeError> {
        let raw = self.0;
        if !KNOWN_EVENTS.contains(&raw.kind.as_ref()) {
            return Err(DecodeError::Unknown {
                kind: sanitize::sanitize(&raw.kind, MAX_KIND_CHARS),
                seq: None,
            });
        }
        raw::into_event(raw).and_then(finish).map_err(|reason| malformed(&reason, None))
    }
}

/// Decodes a bare event (as in script files, where there is no envelope), sanitized.
pub fn decode_event(value: serde_json::Value) -> Result<Event, DecodeError> {
    let kind = value.get("type").and_then(|t| t.as_str()).unwrap_or_default();
    if !KNOWN_EVENTS.contains(&kind) {
        return Err(DecodeError::Unknown { kind: sanitize::sanitize(kind, MAX_KIND_CHARS), seq: None });
    }
    let event: Event = serde_json::from_value(value).map_err(|e| malformed(&e.to_string(), None))?;
    finish(event).map_err(|reason| malformed(&reason, None))
}

/// Every decode path ends here: the rules serde cannot say, then clean strings.
/// Validates and sanitizes an event, as every decoded frame is: adapters for other
/// platforms' feeds pass theirs through here too, so no text reaches the desk unchecked.
pub fn checked(event: Event) -> Result<Event, String> {
    finish(event)
}

fn finish(mut event: Event) -> Result<Event, String> {
    event.validate()?;
    event.sanitize();
    Ok(event)
}

/// A malformed-frame error; its reason may quote the frame, so it is sanitized too.
fn malformed(reason: &str, seq: Option<u64>) -> DecodeError {
    DecodeError::Malformed { reason: sanitize::sanitize(reason, MAX_REASON_CHARS), seq }
}

/// The largest quantity, price or count a frame may carry: far above any real stream, far
/// below where sums could overflow.
pub const MAX_QTY: u32 = 100_000;
/// See [`MAX_QTY`]: the largest unit price or gift value.
pub const MAX_PRICE: u32 = 10_000_000;
/// See [`MAX_QTY`]: the largest count (likes, viewers, stock).
pub const MAX_COUNT: u64 = 1_000_000_000;

impl Event {
    /// The protocol's rules that types alone do not enforce: quantities ≥ 1, prices ≥ 0,
    /// moderation with a target, and sane magnitudes.
    pub fn validate(&self) -> Result<(), String> {
        let price_ok = |p: &Decimal| !p.is_sign_negative() && *p <= Decimal::from(MAX_PRICE);
        match self {
            Event::Order { qty, unit_price, .. } => {
                if !(1..=MAX_QTY).contains(qty) {
                    return Err(format!("`qty` must be 1 to {MAX_QTY}"));
                }
                if !price_ok(unit_price) {
                    return Err(format!("`unit_price` must be 0 to {MAX_PRICE}"));
                }
            }
            Event::Gift { gift, repeat, .. } if !price_ok(&gift.value) || *repeat > MAX_QTY => {
                return Err("gift value or repeat out of range".into());
            }
            Event::Stock { available, .. } if u64::from(*available) > MAX_COUNT => {
                return Err(format!("`available` must be at most {MAX_COUNT}"));
            }
            Event::Viewers { count } | Event::Like { count, .. } if *count > MAX_COUNT => {
                return Err(format!("`count` must be at most {MAX_COUNT}"));
            }
            Event::Moderation { msg_id: None, user_id: None, .. } => {
                return Err("moderation needs `msg_id` or `user_id`".into());
            }
            _ => {}
        }
        Ok(())
    }
}

/// What a flash-sale command asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleAction {
    Start,
    End,
}

/// A client → server command. Every command but `hello` carries a unique `ref`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    Hello {
        client: String,
        resume_after: Option<u64>,
    },
    SendChat {
        #[serde(rename = "ref")]
        reference: String,
        text: String,
        #[serde(default)]
        reply_to: Option<String>,
    },
    PinChat {
        #[serde(rename = "ref")]
        reference: String,
        msg_id: String,
    },
    DeleteChat {
        #[serde(rename = "ref")]
        reference: String,
        msg_id: String,
    },
    MuteUser {
        #[serde(rename = "ref")]
        reference: String,
        user_id: String,
        seconds: u32,
    },
    PinProduct {
        #[serde(rename = "ref")]
        reference: String,
        sku: Option<String>,
    },
    FlashSale {
        #[serde(rename = "ref")]
        reference: String,
        action: SaleAction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sku: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quantity: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seconds: Option<u32>,
    },
}

impl Command {
    /// The command's `ref`, or `None` for `hello`.
    pub fn reference(&self) -> Option<&str> {
        match self {
            Command::Hello { .. } => None,
            Command::SendChat { reference, .. }
            | Command::PinChat { reference, .. }
            | Command::DeleteChat { reference, .. }
            | Command::MuteUser { reference, .. }
            | Command::PinProduct { reference, .. }
            | Command::FlashSale { reference, .. } => Some(reference),
        }
    }

    /// The wire name of this command's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Command::Hello { .. } => "hello",
            Command::SendChat { .. } => "send_chat",
            Command::PinChat { .. } => "pin_chat",
            Command::DeleteChat { .. } => "delete_chat",
            Command::MuteUser { .. } => "mute_user",
            Command::PinProduct { .. } => "pin_product",
            Command::FlashSale { .. } => "flash_sale",
        }
    }

    /// Encodes the command as one JSON text frame.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("commands always serialize")
    }

    /// Decodes a client frame (server side), sanitizing free text.
    pub fn decode(text: &str) -> Result<Command, DecodeError> {
        if text.len() > MAX_FRAME_BYTES {
            return Err(DecodeError::TooBig(text.len()));
        }
        let mut cmd: Command = serde_json::from_str(text)
            .map_err(|e| DecodeError::Malformed { reason: e.to_string(), seq: None })?;
        if let Command::SendChat { text, .. } = &mut cmd {
            clean(text, MAX_TEXT_CHARS);
        }
        Ok(cmd)
    }
}

#[cfg(test)]
mod tests;
