//! Answers: a canned reply filled for a comment (its viewer, the product it names, its
//! language) and sent, or copied where the platform cannot take it; the reply the desk
//! suggests for a comment, one place scoring every candidate (see [`Replies::suggestions`]),
//! so a new source of candidates plugs in here; and the can't-ship gate's own answer.

use chrono::{DateTime, Utc};

use super::chat::MsgKind;
use super::claims::Parsed;
use super::classify::Tag;
use super::held::{How, Outgoing, Went};
use super::outbox::Outbox;
use super::replies::{self, Asked, SUGGEST_AT, Suggested, TemplateContext};
use super::sales::{EndReason, SaleState};
use super::{Level, State, catalog, clock, money, text, triage_features};
use crate::config::model::ReplySpec;

/// How long after a flash sale ends its "sold out" or "over" reply still fits: the chat's
/// dismay comes in the minutes after, and later the sale is old news.
const SALE_JUST_OVER: chrono::Duration = chrono::Duration::minutes(10);

/// How the operator named the reply to send: by its key, or by its id (picker, suggestion).
pub(super) enum ReplyBy {
    Key(String),
    Id(String),
}

impl State {
    /// A canned reply filled for the message `to` (its viewer, the product it names, its
    /// language), as it would be sent now; or the template fields nothing can fill.
    pub fn reply_text(
        &self,
        reply: &ReplySpec,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, Vec<&'static str>> {
        let (template, ctx, _) = self.reply_parts(reply, to, now);
        replies::fill(template, &ctx)
    }

    /// What a reply to the message `to` is made of: its template in that message's
    /// language, the values to fill it with, and the product it is about.
    fn reply_parts<'a>(
        &'a self,
        reply: &'a ReplySpec,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> (&'a str, TemplateContext, Option<&'a catalog::Product>) {
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
        // A flash sale's reply sent by hand reads as its announcement does, "Flash sale in
        // 0:12! ... for just £8" during the preheat: the running sale's price and countdown.
        let sale = reply
            .tags
            .iter()
            .any(|t| replies::SALE_TAGS.contains(&t.as_str()))
            .then(|| self.sales.running().find(|s| product.is_none_or(|p| p.sku == s.spec.sku)))
            .flatten();
        let product = product.or(sale.and_then(|s| self.catalog.product(&s.spec.sku)));
        let user = target.map(|m| m.user_name.clone());
        let ctx = match sale {
            Some(sale) => TemplateContext { user, ..self.sale_context(sale, now) },
            None => self.context_for(product, user, now),
        };
        (replies::text_in(reply, lang), ctx, product)
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
        let mut asked = Asked {
            norm: &norm,
            tags: m.tags,
            products: &products,
            on_screen: self.current_product().map(|p| p.sku.as_str()),
            lang: self.classifier.language(&m.text),
            claim: matches!(self.claims.matcher.parse(&m.text).0, Parsed::Claim { .. })
                || self.hand_claim(&m.text),
            sale: self.sale_moment(),
            read: None,
            returning: self.viewers.spoke_before(&m.user_id, m.index),
        };
        // Spam, a claim and a buyer the shop cannot ship to are answered by rule, if at all.
        let by_rule = m.tags.has(Tag::Spam) || m.tags.has(Tag::CantShip) || asked.claim;
        // The shop's own past answer to comments that read the same comes first.
        if !by_rule
            && let Some(hit) = self.learned.answered(&norm)
            && let Some(reply) = self.replies.by_id(hit.reply)
            && !replies::greets_again(reply, &asked)
            && self.reply_text(reply, Some(msg_id), self.now).is_ok()
        {
            let reasons = vec![format!(
                "answered {} times to comments {:.0}% alike",
                hit.times,
                hit.similarity * 100.0
            )];
            return Some(Suggested { reply, score: SUGGEST_AT, reasons, answered: Some(hit.times) });
        }
        if !by_rule {
            let ctx = triage_features::Context {
                first: !asked.returning,
                ..self.triage_context(m.region.as_deref())
            };
            asked.read = Some(self.classifier.reply_kind(&m.text, &norm, ctx));
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

    /// The operator sends a canned reply (by its key or its id) to the comment `to`; it
    /// counts as used, and teaches the desk what answers such a comment.
    pub(super) fn send_reply(
        &mut self,
        out: &mut Outbox,
        by: ReplyBy,
        to: Option<String>,
        now: DateTime<Utc>,
    ) {
        let found = match &by {
            ReplyBy::Key(key) => self.replies.by_key(key),
            ReplyBy::Id(id) => self.replies.by_id(id),
        };
        let Some(reply) = found.cloned() else {
            let text = match by {
                ReplyBy::Key(key) => format!("No canned reply on key {key}"),
                ReplyBy::Id(id) => format!("No canned reply “{id}” in replies.toml"),
            };
            return out.notice(Level::Warn, text, self.now);
        };
        self.replies.used(reply.id());
        // A held reply teaches once the operator sends it.
        if self.answer(out, &reply, to.as_deref(), true, now) == Went::Out {
            self.taught(out, to.as_deref(), Some(reply.id()), super::classify::Tags::NONE);
        }
    }

    /// Sends a canned reply, filled for the message `to` (its viewer, the product it names,
    /// its language), once the pre-send check passes it (else it is held for the operator).
    /// On a read-only platform it goes to the clipboard for the operator to paste. The
    /// operator's own choice (`teach`) teaches the desk once it goes.
    pub(super) fn answer(
        &mut self,
        out: &mut Outbox,
        reply: &ReplySpec,
        to: Option<&str>,
        teach: bool,
        now: DateTime<Utc>,
    ) -> Went {
        let (template, ctx, product) = self.reply_parts(reply, to, now);
        let text = match replies::fill(template, &ctx) {
            Ok(text) => text,
            Err(missing) => {
                let fields: Vec<String> = missing.iter().map(|f| format!("{{{f}}}")).collect();
                let how = replies::how_to_fill(&missing);
                let text = format!("Not sent: “{}” needs {}; {how}", reply.title, fields.join(" "));
                out.notice(Level::Warn, text, self.now);
                return Went::No;
            }
        };
        let target = to.and_then(|id| self.chat.by_msg_id(id));
        let label = match target {
            Some(m) => format!("reply “{}” to @{}", reply.title, m.user_name),
            None => format!("reply “{}”", reply.title),
        };
        let reply_to = target.map(|m| m.msg_id.clone()).filter(|id| !id.is_empty());
        let skus =
            product.map(|p| p.sku.as_str()).into_iter().chain(reply.products.iter().map(String::as_str));
        let outgoing = Outgoing {
            checked: self.checked_text(template, &ctx),
            prices: about_product(reply, template).then(|| self.prices_of(skus)),
            places: !reply.tags.iter().any(|t| t == replies::CANT_SHIP),
            text,
            reply_to,
            label,
            how: How::Answer { teach: teach.then(|| reply.id().to_owned()) },
        };
        self.send_checked(out, outgoing, now)
    }

    /// A filled reply as the pre-send check reads it: the viewer's name left out, since a
    /// viewer called "£5" or "{x}" wrote that, not the shop.
    pub(super) fn checked_text(&self, template: &str, ctx: &TemplateContext) -> String {
        let ctx = TemplateContext { user: None, ..ctx.clone() };
        replies::fill(template, &ctx).unwrap_or_default()
    }

    /// A viewer the shop cannot ship to gets the polite reply by itself, when the shop
    /// turned that on, at most once per viewer in the set time.
    pub(super) fn gate_answer(&mut self, out: &mut Outbox, index: u64, now: DateTime<Utc>) {
        let Some(m) = self.chat.get(index) else { return };
        if !m.tags.has(Tag::CantShip) || m.msg_id.is_empty() {
            return;
        }
        let (msg_id, user_id) = (m.msg_id.clone(), m.user_id.clone());
        let Some(reply) = self.replies.by_tag(replies::CANT_SHIP).cloned() else { return };
        if self.shipping.may_auto_answer(&user_id, now.timestamp_millis()) {
            self.answer(out, &reply, Some(&msg_id), false, now);
        }
    }

    /// The values for a reply template, for a message by `user` (if any).
    pub fn template_context(&self, user: Option<String>, now: DateTime<Utc>) -> TemplateContext {
        self.context_for(self.current_product(), user, now)
    }

    /// The values for a reply template about `product`, for a message by `user` (if any).
    pub(super) fn context_for(
        &self,
        product: Option<&catalog::Product>,
        user: Option<String>,
        now: DateTime<Utc>,
    ) -> TemplateContext {
        let live = product.and_then(|p| self.sales.running().find(|s| s.is_live() && s.spec.sku == p.sku));
        let currency = &self.catalog.currency;
        TemplateContext {
            user,
            product: product.map(|p| p.name.clone()),
            price: live
                .map(|s| s.spec.price)
                .or(product.map(|p| p.price))
                .map(|p| money::format(p, currency)),
            stock: match live {
                Some(s) => product.map(|p| p.available.min(s.left()).to_string()),
                None => product.map(|p| p.available.to_string()),
            },
            time_left: live.map(|s| clock(s.remaining(now))),
            ships_to: self.shipping.enabled().then(|| self.shipping.ships_to()),
        }
    }
}

/// Whether a reply is about a product: it names products, or its template says which one or
/// its price. Only such a reply's prices must be the product's.
pub(super) fn about_product(reply: &ReplySpec, template: &str) -> bool {
    !reply.products.is_empty() || template.contains("{product}") || template.contains("{price}")
}
