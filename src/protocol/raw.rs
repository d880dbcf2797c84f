//! One-pass decoding of server frames: every field any event type can carry, read
//! into one flat struct without buffering, then checked against the frame's type.
//! Twice as fast as an internally tagged enum, which re-parses through a buffer.
//! The struct is moved a few times per frame, so the big fields of rare types are boxed.

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Event, Gift, ModAction, OrderStatus, StreamInfo, StreamState, User};

#[derive(Deserialize)]
pub(super) struct RawFrame<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    pub seq: Option<u64>,
    pub v: Option<u32>,
    #[serde(borrow)]
    pub ts: Option<Cow<'a, str>>,
    msg_id: Option<String>,
    user: Option<User>,
    text: Option<String>,
    reply_to: Option<String>,
    count: Option<u64>,
    gift: Option<Box<Gift>>,
    repeat: Option<u32>,
    order_id: Option<String>,
    sku: Option<String>,
    qty: Option<u32>,
    unit_price: Option<Decimal>,
    currency: Option<String>,
    status: Option<OrderStatus>,
    available: Option<u32>,
    action: Option<ModAction>,
    user_id: Option<String>,
    by: Option<String>,
    state: Option<StreamState>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    ok: Option<bool>,
    error: Option<String>,
    #[serde(default, deserialize_with = "code")]
    code: Option<String>,
    message: Option<String>,
    stream: Option<Box<StreamInfo>>,
    resumed: Option<bool>,
    epoch: Option<String>,
}

fn code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Code(#[serde(deserialize_with = "super::string_or_number")] String);
    Ok(Option::<Code>::deserialize(d)?.map(|c| c.0))
}

/// Builds the event of a known type (the caller checked it), naming a missing field.
pub(super) fn into_event(raw: RawFrame) -> Result<Event, String> {
    fn need<T>(v: Option<T>, field: &str) -> Result<T, String> {
        v.ok_or_else(|| format!("missing field `{field}`"))
    }
    let event = match raw.kind.as_ref() {
        "welcome" => {
            let (stream, resumed) = (*need(raw.stream, "stream")?, need(raw.resumed, "resumed")?);
            Event::Welcome { stream, resumed, epoch: raw.epoch }
        }
        "chat" => Event::Chat {
            msg_id: need(raw.msg_id, "msg_id")?,
            user: need(raw.user, "user")?,
            text: need(raw.text, "text")?,
            reply_to: raw.reply_to,
        },
        "question" => Event::Question {
            msg_id: need(raw.msg_id, "msg_id")?,
            user: need(raw.user, "user")?,
            text: need(raw.text, "text")?,
        },
        "join" => Event::Join { user: need(raw.user, "user")? },
        "viewers" => Event::Viewers { count: need(raw.count, "count")? },
        "like" => Event::Like { user: raw.user, count: need(raw.count, "count")? },
        "follow" => Event::Follow { user: need(raw.user, "user")? },
        "share" => Event::Share { user: need(raw.user, "user")? },
        "gift" => Event::Gift {
            user: need(raw.user, "user")?,
            gift: *need(raw.gift, "gift")?,
            repeat: raw.repeat.unwrap_or(1),
        },
        "order" => Event::Order {
            order_id: need(raw.order_id, "order_id")?,
            user: need(raw.user, "user")?,
            sku: need(raw.sku, "sku")?,
            qty: need(raw.qty, "qty")?,
            unit_price: need(raw.unit_price, "unit_price")?,
            currency: need(raw.currency, "currency")?,
            status: need(raw.status, "status")?,
        },
        "order_update" => Event::OrderUpdate {
            order_id: need(raw.order_id, "order_id")?,
            status: need(raw.status, "status")?,
        },
        "stock" => Event::Stock { sku: need(raw.sku, "sku")?, available: need(raw.available, "available")? },
        "moderation" => Event::Moderation {
            action: need(raw.action, "action")?,
            msg_id: raw.msg_id,
            user_id: raw.user_id,
            by: raw.by,
        },
        "stream" => Event::Stream { state: need(raw.state, "state")? },
        "ack" => {
            Event::Ack { reference: need(raw.reference, "ref")?, ok: need(raw.ok, "ok")?, error: raw.error }
        }
        "error" => Event::Error { code: need(raw.code, "code")?, message: need(raw.message, "message")? },
        other => return Err(format!("unknown type {other:?}")),
    };
    Ok(event)
}
