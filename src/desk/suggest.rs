//! The desk's read side for replies: which canned reply fits a comment now, and that reply
//! filled as it would be sent. One place scores every candidate (see
//! [`Replies::suggestions`]), so a new source of candidates plugs in here.

use chrono::{DateTime, Utc};

use super::chat::MsgKind;
use super::claims::Parsed;
use super::classify::Tag;
use super::replies::{self, Asked, SUGGEST_AT, Suggested};
use super::sales::{EndReason, SaleState};
use super::{Desk, text};
use crate::config::model::ReplySpec;

/// How long after a flash sale ends its "sold out" or "over" reply still fits: the chat's
/// dismay comes in the minutes after, and later the sale is old news.
const SALE_JUST_OVER: chrono::Duration = chrono::Duration::minutes(10);

impl Desk {
    /// A canned reply filled for the message `to` (its viewer, the product it names, its
    /// language), as it would be sent now; or the template fields nothing can fill.
    pub fn reply_text(
        &self,
        reply: &ReplySpec,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, Vec<&'static str>> {
        let target = to.and_then(|id| self.chat.by_msg_id(id));
        let (lang, named) = match target {
            Some(m) => (
                self.classifier.language(&m.text),
                self.claims.matcher.products_named(&text::normalize(&m.text)),
            ),
            None => (None, Vec::new()),
        };
        // The product the comment names (one the reply is about, if it says), else the one on screen.
        let product = named
            .iter()
            .find(|sku| reply.products.is_empty() || reply.products.contains(sku))
            .and_then(|sku| self.catalog.product(sku))
            .or(self.current_product());
        let ctx = self.context_for(product, target.map(|m| m.user_name.clone()), now);
        replies::fill(replies::text_in(reply, lang), &ctx)
    }

    /// The reply the desk suggests for a chat message, if one fits.
    pub fn suggestion(&self, msg_id: &str) -> Option<&ReplySpec> {
        self.suggest(msg_id).map(|s| s.reply)
    }

    /// The reply the desk suggests for a chat message, with its score and reasons.
    pub fn suggest(&self, msg_id: &str) -> Option<Suggested<'_>> {
        let m = self.chat.by_msg_id(msg_id)?;
        if m.kind == MsgKind::Operator || m.kind == MsgKind::System {
            return None;
        }
        // One reading for the reply's words and the products named: "almonddd pink" names almond pink.
        let norm = text::normalize(&m.text);
        let products = self.claims.matcher.products_named(&norm);
        let asked = Asked {
            norm: &norm,
            tags: m.tags,
            products: &products,
            on_screen: self.current_product().map(|p| p.sku.as_str()),
            lang: self.classifier.language(&m.text),
            claim: matches!(self.claims.matcher.parse(&m.text).0, Parsed::Claim { .. })
                || self.hand_claim(&m.text),
            sale: self.sale_moment(),
        };
        // The shop's own past answer to comments that read the same comes first, where a
        // suggestion belongs at all (not to spam, a claim, or a buyer the shop cannot ship to).
        if !m.tags.has(Tag::Spam)
            && !m.tags.has(Tag::CantShip)
            && !asked.claim
            && let Some(hit) = self.learned.answered(&norm)
            && let Some(reply) = self.replies.by_id(hit.reply)
            && self.reply_text(reply, Some(msg_id), self.now).is_ok()
        {
            let reasons = vec![format!(
                "answered {} times to comments {:.0}% alike",
                hit.times,
                hit.similarity * 100.0
            )];
            return Some(Suggested { reply, score: SUGGEST_AT, reasons, answered: Some(hit.times) });
        }
        // A reply that cannot be filled now ("pin a product first") gives way to one that can.
        let ranked = self.replies.suggestions(&asked);
        let fillable = ranked.iter().position(|s| self.reply_text(s.reply, Some(msg_id), self.now).is_ok());
        ranked.into_iter().nth(fillable.unwrap_or(0))
    }

    /// The tag of the flash-sale reply that fits now: the running sale's state (a live one
    /// first), else how the sale that ended last ended (sold out, or over); `None` before
    /// any sale or after one called off before it went live.
    pub fn sale_moment(&self) -> Option<&'static str> {
        if self.sales.live().is_some() {
            return Some("sale-start");
        }
        if let Some(s) = self.sales.running().next() {
            return match s.state {
                SaleState::Preheat { .. } => Some("sale-preheat"),
                _ => Some("sale-start"),
            };
        }
        let last = self
            .sales
            .all()
            .iter()
            .filter_map(|s| Some((s.ended()?, s.run()?.live_at.is_some())))
            .max_by_key(|((at, _), _)| *at)
            .filter(|((at, _), _)| self.now - *at <= SALE_JUST_OVER)?;
        match last {
            ((_, EndReason::SoldOut), true) => Some("sold-out"),
            (_, true) => Some("sale-ended"),
            _ => None,
        }
    }
}
