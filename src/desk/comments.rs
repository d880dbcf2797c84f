//! A viewer's comment from the feed, on one path whether the platform calls it chat or a
//! question: a blocked word keeps it off the desk; the shop's own words are never tagged (and
//! answer what they reply to); a viewer's are tagged by triage and the shop's fixes, answered
//! by the can't-ship gate where the shop wants it, and read as a claim. A gift shows as a line
//! of the chat.

use chrono::{DateTime, Utc};

use super::chat::MsgKind;
use super::classify::{Said, Tag, Tags};
use super::outbox::Outbox;
use super::sales::{EndReason, SaleState};
use super::{State, is_operator, triage_features};
use crate::protocol::{Event, Gift, User};

/// A comment as the feed sent it: `asked` when the platform marked it a question.
pub(super) struct Comment {
    pub msg_id: String,
    pub user: User,
    pub text: String,
    pub reply_to: Option<String>,
    pub asked: bool,
}

impl State {
    /// Whether the desk already holds this comment: a chat or question whose msg_id is in
    /// the chat log. A platform that restarted its numbering, or a relay that replays its last
    /// comments on every connect (after the app restarts its adapter has forgotten them), may
    /// send again what the desk has, and only the ids can tell; as a rule of the desk it holds
    /// after a crash rebuild too, since the journal rebuilds the log. (An order is booked once by its order_id
    /// already: a second one only updates its status.)
    pub(super) fn already_has(&self, event: &Event) -> bool {
        match event {
            Event::Chat { msg_id, .. } | Event::Question { msg_id, .. } => {
                !msg_id.is_empty() && self.chat.by_msg_id(msg_id).is_some()
            }
            _ => false,
        }
    }

    /// A comment: hidden if blocked, else shown with its tags, answered by the gate if it
    /// must be, and read as a claim.
    pub(super) fn comment(&mut self, out: &mut Outbox, c: Comment, now: DateTime<Utc>) {
        let Comment { msg_id, user, text, reply_to, asked } = c;
        if self.hide_blocked(out, &msg_id, &user, &text, now) {
            return;
        }
        let claim = self.claim_in(&user, &text, &msg_id);
        let mut first = false;
        let (kind, tags) = if is_operator(&user) {
            // The shop's own words are never tagged; a reply answers its question, and the
            // host's name is how viewers mention the stream.
            self.classifier.learn_name(&user.name);
            if let Some(to) = &reply_to {
                self.chat.mark_answered(to);
            }
            (MsgKind::Operator, Tags::NONE)
        } else {
            first = self.viewers.said(&user, now);
            let kind = if asked { MsgKind::Question } else { MsgKind::Chat };
            (kind, self.tags_of(&user, &text, asked, claim.is_some(), first, now))
        };
        self.giveaway_entry(&user, &text, &msg_id, now);
        let claimer = claim.as_ref().map(|_| user.clone());
        let index = self.chat.push_from(msg_id, user, text, kind, reply_to, now, tags);
        if first && let Some(m) = self.chat.get(index) {
            self.viewers.first_comment_at(&m.user_id, index);
        }
        self.stats.chat_at(now.timestamp());
        self.gate_answer(out, index, now);
        if let (Some(claim), Some(user)) = (claim, claimer) {
            self.read_claim(out, claim, &user, now);
        }
    }

    /// A gift: counted at its value, and a line in the chat.
    pub(super) fn gift(&mut self, user: &User, gift: &Gift, repeat: u32, now: DateTime<Utc>) {
        self.stats.gifts += u64::from(repeat);
        *self.stats.gift_value.entry(gift.currency.clone()).or_default() +=
            gift.value * rust_decimal::Decimal::from(repeat);
        if !is_operator(user) {
            self.viewers.saw(user, now);
        }
        self.chat.push_system(user, format!("sent {repeat}× {}", gift.name), now);
    }

    /// A viewer's comment's tags.
    fn tags_of(
        &mut self,
        user: &User,
        text: &str,
        question: bool,
        claim: bool,
        first: bool,
        now: DateTime<Utc>,
    ) -> Tags {
        let at_ms = now.timestamp_millis();
        let context = triage_features::Context { first, ..self.triage_context(user.region.as_deref()) };
        let mut tags =
            self.classifier.classify(Said { user_id: &user.id, text, question, claim, at_ms, context });
        let norm = self.classifier.normalized();
        let region = self.shipping.cant_ship(norm, user.region.as_deref(), tags);
        if region.is_some() {
            tags.add(Tag::CantShip);
        }
        // The shop's own fixes have the last word.
        let tags = self.learned.override_tags(norm, tags);
        if let Some(region) = region.filter(|_| tags.has(Tag::CantShip)) {
            *self.cant_ship.entry(region).or_default() += 1;
        }
        tags
    }

    /// Where a comment is said, as chat triage's model reads it: the product on screen and
    /// the state of its flash sale, and the viewer's region against where the shop ships.
    pub(super) fn triage_context(&self, region: Option<&str>) -> triage_features::Context {
        use triage_features::{RegionCue, SaleCue};
        let product = self.current_product();
        let sku = product.map(|p| p.sku.as_str());
        let sale = sku
            .and_then(|sku| self.sales.all().iter().rev().find(|s| s.spec.sku == sku && !s.runs.is_empty()));
        let sale = match sale.map(|s| s.state) {
            Some(SaleState::Preheat { .. }) => SaleCue::Preheat,
            Some(SaleState::Live { .. } | SaleState::Paused { .. }) => SaleCue::Live,
            Some(SaleState::Ended { reason: EndReason::SoldOut }) => SaleCue::SoldOut,
            Some(SaleState::Ended { .. }) => SaleCue::Ended,
            _ => SaleCue::None,
        };
        let region = match region.filter(|r| !r.is_empty()) {
            None => RegionCue::Unknown,
            Some(r) if self.shipping.ships(r) || !self.shipping.enabled() => RegionCue::Served,
            Some(_) => RegionCue::Outside,
        };
        triage_features::Context { screen: product.is_some(), sale, region, ..Default::default() }
    }
}
