//! The hold: every reply passes the pre-send check ([`super::checks`]) on its way out, and one
//! that trips it waits here, with its reasons, until the operator sends it anyway or drops
//! it. The hold is desk state and both decisions are operator actions, so a replay and a
//! crash rebuild end with the same reply held, sent or dropped.
//!
//! One reply is held at a time. Another that trips while one waits is not sent and is not
//! queued: the operator is reading the one on screen, and a queue behind it would go stale
//! unseen (a sale ends, a price changes); the notice says so, and the reply is one key away
//! once the line is clear.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::checks::{self, Draft, Rules};
use super::outbox::Outbox;
use super::sales::SaleState;
use super::{Level, Output, State};

/// A reply the check held, waiting for the operator.
#[derive(Clone, Debug, PartialEq)]
pub struct Held {
    /// The text as it will go out, filled when it was held.
    pub text: String,
    /// The comment it answers, if any.
    pub reply_to: Option<String>,
    /// What it is, as notices name it: `reply “Price” to @ann`.
    pub label: String,
    /// Why it was held, one line a finding.
    pub reasons: Vec<String>,
    pub at: DateTime<Utc>,
    how: How,
}

/// How a reply goes out.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum How {
    /// An answer to a comment (a reply key, the picker, the suggestion, the can't-ship
    /// gate): it marks the comment answered, goes to the clipboard on a read-only platform,
    /// and teaches the desk the reply `teach` when the operator chose it.
    Answer { teach: Option<String> },
    /// An announcement or a claim's reply: sent to the chat when the platform takes it.
    Said,
}

/// A reply on its way out, with what the check reads of it.
pub(super) struct Outgoing {
    pub text: String,
    /// The text with the viewer's name left out (see [`Draft::text`]).
    pub checked: String,
    pub reply_to: Option<String>,
    pub label: String,
    /// The prices it may name, when it is about a product.
    pub prices: Option<Vec<Decimal>>,
    pub places: bool,
    pub how: How,
}

/// What became of a reply: sent (or copied), held for the operator, or not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Went {
    Out,
    Held,
    No,
}

impl State {
    /// Checks a reply and sends it, or holds it with its reasons (refused, with a notice,
    /// while another is held).
    pub(super) fn send_checked(&mut self, out: &mut Outbox, o: Outgoing, now: DateTime<Utc>) -> Went {
        let platform =
            self.platform.as_deref().or(Some(self.stream.platform.as_str())).filter(|p| !p.is_empty());
        let rules = Rules {
            currency: &self.catalog.currency,
            shipping: &self.shipping,
            platform,
            allowed_links: &self.allowed_links,
        };
        let draft = Draft { text: &o.checked, prices: o.prices.as_deref(), places: o.places };
        let reasons = checks::reasons(&draft, &rules);
        if reasons.is_empty() {
            self.deliver(out, o.text, o.reply_to, o.label, &o.how, now);
            return Went::Out;
        }
        if let Some(waiting) = &self.held {
            let text = format!(
                "Not sent: {} ({}); {} is waiting: send or drop it first",
                o.label,
                reasons.join("; "),
                waiting.label
            );
            out.notice(Level::Warn, text, self.now);
            return Went::No;
        }
        let text = format!("Held {}: {}. Send it anyway or drop it", o.label, reasons.join("; "));
        out.notice(Level::Warn, text, self.now);
        self.held =
            Some(Held { text: o.text, reply_to: o.reply_to, label: o.label, reasons, at: now, how: o.how });
        Went::Held
    }

    /// The operator sends the held reply anyway, as it was held.
    pub(super) fn send_held(&mut self, out: &mut Outbox, now: DateTime<Utc>) {
        let Some(held) = self.held.take() else {
            return out.notice(Level::Info, "No reply is held".into(), self.now);
        };
        self.deliver(out, held.text, held.reply_to.clone(), held.label, &held.how, now);
        if let How::Answer { teach: Some(reply) } = &held.how {
            self.taught(out, held.reply_to.as_deref(), Some(reply), super::classify::Tags::NONE);
        }
    }

    /// The operator drops the held reply: nothing is sent.
    pub(super) fn drop_held(&mut self, out: &mut Outbox) {
        match self.held.take() {
            Some(held) => out.notice(Level::Info, format!("Dropped {}", held.label), self.now),
            None => out.notice(Level::Info, "No reply is held".into(), self.now),
        }
    }

    /// Sends a reply that passed (or was let through): an answer marks its comment answered
    /// and, on a platform that cannot take it, goes to the clipboard for the operator to paste.
    fn deliver(
        &mut self,
        out: &mut Outbox,
        text: String,
        reply_to: Option<String>,
        label: String,
        how: &How,
        now: DateTime<Utc>,
    ) {
        if matches!(how, How::Said) {
            return out.send_chat(text, reply_to, label, now);
        }
        if let Some(id) = &reply_to {
            // Answered now, whether the platform takes it or the operator pastes it.
            self.chat.mark_answered(id);
        }
        if out.caps().send_chat {
            out.send_chat(text, reply_to, label, now);
        } else {
            // The platform cannot take it: the operator pastes it in its own chat.
            out.bump();
            out.push(Output::Clipboard(text));
            out.notice(
                Level::Info,
                format!("Copied {label} to the clipboard: paste it in the chat"),
                self.now,
            );
        }
    }

    /// The prices a reply about these products may name: each one's own price and the price
    /// of its live sale, or of the sale its preheat announced.
    pub(super) fn prices_of<'a>(&self, skus: impl IntoIterator<Item = &'a str>) -> Vec<Decimal> {
        let mut out = Vec::new();
        for sku in skus {
            let own = self.catalog.product(sku).map(|p| p.price);
            // Running and not paused: the platform sells at it, or the preheat announced it.
            let on_sale = self
                .sales
                .running()
                .filter(|s| s.spec.sku == sku && !matches!(s.state, SaleState::Paused { .. }))
                .map(|s| s.spec.price);
            for price in own.into_iter().chain(on_sale) {
                if !out.contains(&price) {
                    out.push(price);
                }
            }
        }
        out
    }
}
