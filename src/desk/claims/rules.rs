//! The desk's claim rules: reading a claim from a comment, telling the operator and the
//! buyer what became of it, and booking a confirmed claim as the desk's own order. The
//! claims themselves (who holds what, the waitlist) are the ledger's; these rules only
//! carry its news out through the outbox.

use chrono::{DateTime, Utc};

use super::{Claim, ClaimRequest, ClaimState, ConfirmedBy, News, Parsed, Pick, Way, claim_order_id};
use crate::desk::answers::about_product;
use crate::desk::catalog::Order;
use crate::desk::held::{How, Outgoing};
use crate::desk::outbox::Outbox;
use crate::desk::{Level, Link, State, claims, is_operator, money, replies};
use crate::protocol::User;

impl State {
    /// A claim the operator confirmed becomes the desk's order `claim-ID`, at the flash-sale
    /// price while a sale of the product is live, else the catalogue price. A later order from
    /// the platform for the same units replaces it (see `Catalog::bill_claim_sale`).
    pub(in crate::desk) fn book_claim_sale(&mut self, id: u64, now: DateTime<Utc>) {
        let Some(claim) = self.claims.get(id).cloned() else { return };
        let product = self.catalog.product_of(&claim.sku);
        let live = self.sales.running().find(|s| s.is_live() && s.spec.sku == product).map(|s| s.spec.price);
        let Some(price) = live.or(self.catalog.product(&claim.sku).map(|p| p.price)) else { return };
        let order = Order {
            order_id: claim_order_id(id),
            user_name: claim.user_name.clone(),
            sku: claim.sku.clone(),
            qty: claim.qty,
            unit_price: price,
            currency: self.catalog.currency.clone(),
            status: crate::protocol::OrderStatus::Paid,
            taken: claim.qty,
            sale: None,
        };
        let amount = money::format(price * rust_decimal::Decimal::from(claim.qty), &self.catalog.currency);
        let name = self.catalog.product(&claim.sku).map_or(claim.sku.clone(), |p| p.name.clone());
        self.catalog.record_claim_sale(order);
        self.stats.order_at(now.timestamp());
        self.viewers.bought_by_claim(&claim.user_id, &claim_order_id(id));
        let who = User {
            id: claim.user_id.clone(),
            name: claim.user_name,
            region: None,
            badges: vec![],
            follower: false,
        };
        self.chat.push_system(&who, format!("bought {}× {name} ({amount}) by claim #{id}", claim.qty), now);
    }

    /// A viewer's comment read as claims read it, with its msg_id; `None` for the shop's own
    /// comments and for anything not worded like a claim.
    pub(in crate::desk) fn claim_in(
        &mut self,
        user: &User,
        text: &str,
        msg_id: &str,
    ) -> Option<(Parsed, String, String)> {
        if is_operator(user) {
            return None;
        }
        match self.claims.matcher.read(text) {
            (Parsed::NotAClaim, _) if self.hand_claim(text) => {
                Some((Parsed::Claim { sku: None, qty: 1, explicit: false }, "me".into(), msg_id.to_owned()))
            }
            (Parsed::NotAClaim, _) => None,
            (parsed, norm) => Some((parsed, norm, msg_id.to_owned())),
        }
    }

    /// The operator closed or opened a product's waitlist: claims past its stock are turned
    /// away while it is closed; those already in line keep their place.
    pub(in crate::desk) fn set_waitlist(&mut self, out: &mut Outbox, sku: &str, open: bool) {
        if self.catalog.product(sku).is_none_or(|p| !p.known) {
            let text = format!("Cannot change the waitlist of {sku}: not in the catalog");
            return out.notice(Level::Warn, text, self.now);
        }
        if !self.claims.set_waitlist(sku, open) {
            return;
        }
        let text = if open {
            format!("Waitlist of {sku} open: claims past the stock wait in line again")
        } else {
            format!("Waitlist of {sku} closed: claims past the stock are turned away, those in line stay")
        };
        out.notice(Level::Info, text, self.now);
    }

    /// During a live flash sale, a raised hand alone, "yo!" or "eu!" alone, or the sale's
    /// product named with a "please" ("glue kit please") claims the sale's product.
    pub(in crate::desk) fn hand_claim(&self, text: &str) -> bool {
        let Some(sale) = self.sales.live() else { return false };
        claims::Matcher::raised_hand(text)
            || super::grammar::live_me(text)
            || self
                .claims
                .matcher
                .pleads_for(text)
                .is_some_and(|sku| self.catalog.product_of(sku) == sale.spec.sku)
    }

    /// A viewer's comment, read as a claim.
    pub(in crate::desk) fn read_claim(
        &mut self,
        out: &mut Outbox,
        (parsed, text, msg_id): (Parsed, String, String),
        user: &User,
        now: DateTime<Utc>,
    ) {
        let (sku, qty, explicit) = match parsed {
            Parsed::NotAClaim => return,
            Parsed::Unmatched => return self.claims.count_unmatched(),
            Parsed::Pass { sku } => return self.pass(out, sku, user, now),
            Parsed::Claim { sku, qty, explicit } => (sku, qty, explicit),
        };
        let sku = match sku {
            Some(sku) => sku,
            // "mine!" is for the product on screen; with none, it claims nothing.
            None => match self.current_product().filter(|p| p.known) {
                Some(p) => p.sku.clone(),
                None => return self.claims.count_unmatched(),
            },
        };
        // A product sold in variants is claimed by one of them: the words say which.
        let sku = match self.claims.matcher.pick(&sku, &text) {
            Pick::One(sku) => sku,
            Pick::Which(options) => return self.ask_which(out, &sku, &options, user, &msg_id, now),
        };
        if let Some(code) = self.code_of(&sku) {
            let label = if qty > 1 { format!("{code} ×{qty}") } else { code };
            self.chat.mark_claimed(&msg_id, label);
        }
        let sale_limit = self
            .sales
            .running()
            .find(|s| s.spec.sku == self.catalog.product_of(&sku))
            .and_then(|s| s.spec.per_customer.map(|n| n.saturating_sub(s.customer_units(&user.id))));
        let req = ClaimRequest {
            sale_limit,
            sku,
            qty,
            explicit,
            user_id: user.id.clone(),
            user_name: user.name.clone(),
            msg_id,
            text,
        };
        let mut news = Vec::new();
        self.claims.claim(&mut self.catalog, req, now, &mut news);
        self.claim_news(out, news, now);
    }

    /// A viewer passes on what they claimed: the product they named, else the one on screen
    /// if they claimed it, else the one they claimed last. A pass with no open claim behind it
    /// changes nothing and says nothing.
    fn pass(&mut self, out: &mut Outbox, sku: Option<String>, user: &User, now: DateTime<Utc>) {
        let mine = |d: &Self, sku: &str| {
            d.claims
                .open()
                .any(|c| c.user_id == user.id && (c.sku == sku || d.catalog.product_of(&c.sku) == sku))
        };
        let on_screen = self.current_product().map(|p| p.sku.clone()).filter(|s| mine(self, s));
        let latest = || {
            self.claims.open().filter(|c| c.user_id == user.id).max_by_key(|c| c.id).map(|c| c.sku.clone())
        };
        let Some(sku) = sku.or(on_screen).or_else(latest) else { return };
        let mut news = Vec::new();
        self.claims.pass(&mut self.catalog, &user.id, &sku, now, &mut news);
        self.claim_news(out, news, now);
    }

    /// A claim on a product with variants that does not say which: nothing is held, the
    /// operator sees the choices, and the buyer is asked once (the reply tagged
    /// `claim-which`, if the shop has one) until they say.
    fn ask_which(
        &mut self,
        out: &mut Outbox,
        sku: &str,
        options: &[String],
        user: &User,
        msg_id: &str,
        now: DateTime<Utc>,
    ) {
        self.claims.count_unmatched();
        let choices: Vec<String> = options
            .iter()
            .filter_map(|v| self.catalog.product(v))
            .map(|v| match &v.code {
                Some(code) => format!("{code} {}", v.sku),
                None => v.sku.clone(),
            })
            .collect();
        let text =
            format!("@{} claimed {sku} but not which: {}. Nothing held", user.name, choices.join(", "));
        out.notice(Level::Info, text, self.now);
        if !self.claims.ask_which(&user.id, sku, now) {
            return;
        }
        let asked = Claim {
            id: 0,
            seq: 0,
            sku: sku.to_owned(),
            user_id: user.id.clone(),
            user_name: user.name.clone(),
            msg_id: msg_id.to_owned(),
            text: String::new(),
            qty: 0,
            state: ClaimState::Waiting,
            at: now,
        };
        self.reply_to_claim(out, "claim-which", &asked, now);
    }

    /// The code a product or variant is claimed by: its own, or its product's.
    fn code_of(&self, sku: &str) -> Option<String> {
        let p = self.catalog.product(sku)?;
        if p.code.is_some() {
            return p.code.clone();
        }
        let parent = self.catalog.product(p.parent.as_deref()?)?;
        let variant = p.name.strip_prefix(&format!("{}, ", parent.name)).unwrap_or(&p.sku);
        parent.code.as_ref().map(|code| format!("{code} {variant}"))
    }

    /// Tells the operator what happened to claims, and the buyers through tagged replies.
    pub(in crate::desk) fn claim_news(&mut self, out: &mut Outbox, news: Vec<News>, now: DateTime<Utc>) {
        for n in news {
            match n {
                News::Held { claim: c, added } => {
                    self.viewers.claimed(&c.user_id, c.id);
                    let mins = self.claims.hold().num_minutes();
                    let text = if added == c.qty {
                        format!(
                            "Claim #{}: {}× {} held for @{} ({mins} min)",
                            c.id, c.qty, c.sku, c.user_name
                        )
                    } else {
                        format!(
                            "Claim #{}: @{} added {added}× {}, {} held ({mins} min)",
                            c.id, c.user_name, c.sku, c.qty
                        )
                    };
                    out.notice(Level::Info, text, self.now);
                }
                News::Waitlisted { claim: c, position, held } => {
                    self.viewers.claimed(&c.user_id, c.id);
                    let text = format!(
                        "@{} waits for {}× {}: #{position} on the waitlist",
                        c.user_name, c.qty, c.sku
                    );
                    out.notice(Level::Info, text, self.now);
                    let partly = self.claims.replies().partly_held.clone();
                    if held == 0 || partly.trim().is_empty() {
                        self.tell_buyer(out, Way::Waiting, "claim-waitlisted", &c, now);
                    } else if self.claims.tell_buyer(&c, Way::Waiting, now) {
                        // One answer for both halves of the comment.
                        let template = partly
                            .replace("{held}", &held.to_string())
                            .replace("{waiting}", &c.qty.to_string())
                            .replace("{position}", &position.to_string());
                        self.tell_claimer(out, "partly held", &template, &c, now);
                    }
                }
                News::TurnedAway { claim: c, qty, held } => {
                    let text = format!(
                        "@{} wanted {qty}× {}: none left and the waitlist is closed",
                        c.user_name, c.sku
                    );
                    out.notice(Level::Info, text, self.now);
                    // A comment that held some units is not told the product is sold out.
                    if held == 0 && self.claims.tell_closed(&c.user_id, &c.sku) {
                        let template = self.claims.replies().closed.clone();
                        self.tell_claimer(out, "waitlist closed", &template, &c, now);
                    }
                }
                News::Promoted { claim: c, added } => {
                    let text = format!("Promoted @{}: {added}× {} from the waitlist", c.user_name, c.sku);
                    out.notice(Level::Info, text, self.now);
                    self.tell_buyer(out, Way::Held, "claim-promoted", &c, now);
                }
                News::Bumped { claim: c, qty } => {
                    let text = format!(
                        "@{}'s hold on {qty}× {} went back to the waitlist: the stock is gone",
                        c.user_name, c.sku
                    );
                    out.notice(Level::Warn, text, self.now);
                    if c.qty == 0 {
                        // Nothing is held for them any more: they wait again.
                        self.tell_buyer(out, Way::Waiting, "claim-waitlisted", &c, now);
                    }
                }
                News::Expired { claim: c } => {
                    let text =
                        format!("Claim #{} expired: {}× {} of @{} released", c.id, c.qty, c.sku, c.user_name);
                    out.notice(Level::Info, text, self.now);
                    let template = self.claims.replies().expired.clone();
                    self.tell_claimer(out, "claim expired", &template, &c, now);
                }
                News::Unpaid { claim: c } => {
                    self.viewers.claimed(&c.user_id, c.id);
                    let mins = self.claims.hold().num_minutes();
                    let text = format!(
                        "Claim #{}: @{} wants {}× {}, unpaid: the first to pay wins ({mins} min)",
                        c.id, c.user_name, c.qty, c.sku
                    );
                    out.notice(Level::Info, text, self.now);
                    let template = self.claims.replies().pay.clone();
                    self.tell_claimer(out, "pay to secure", &template, &c, now);
                }
                News::Called { claim: c, added } => {
                    let mins = self.claims.hold().num_minutes();
                    let text = format!(
                        "Called @{} from the waitlist: {added}× {}, unpaid: the first to pay wins ({mins} min)",
                        c.user_name, c.sku
                    );
                    out.notice(Level::Info, text, self.now);
                    // However often the stock swings, the buyer hears it once a while.
                    if self.claims.tell_buyer(&c, Way::Held, now) {
                        let template = self.claims.replies().pay.clone();
                        self.tell_claimer(out, "pay to secure", &template, &c, now);
                    }
                }
                News::Reminder { claim: c } => {
                    let left =
                        c.state.expires_at().map_or_else(String::new, |at| crate::desk::clock(at - now));
                    let text = format!("Claim #{} of @{} runs out in {left}: reminded", c.id, c.user_name);
                    out.notice(Level::Info, text, self.now);
                    let template = self.claims.replies().reminder.clone();
                    self.tell_claimer(out, "claim reminder", &template, &c, now);
                }
                News::SoldOut { claim: c } => {
                    let text = format!(
                        "Claim #{} of @{} released: {} sold out to a buyer who paid first, the waitlist is closed",
                        c.id, c.user_name, c.sku
                    );
                    out.notice(Level::Info, text, self.now);
                    let template = self.claims.replies().sold_out.clone();
                    self.tell_claimer(out, "sold out", &template, &c, now);
                }
                News::Confirmed { claim: c } => {
                    let by_order = match &c.state {
                        claims::ClaimState::Confirmed { by: ConfirmedBy::Order(id), .. } => Some(id.clone()),
                        _ => None,
                    };
                    match by_order {
                        Some(order_id) => {
                            let text = format!(
                                "Claim #{} of @{} confirmed by order {order_id}: {}× {}",
                                c.id, c.user_name, c.qty, c.sku
                            );
                            out.notice(Level::Info, text, self.now);
                        }
                        None => {
                            let text = format!(
                                "Confirmed claim #{}: {}× {} for @{}",
                                c.id, c.qty, c.sku, c.user_name
                            );
                            out.notice(Level::Info, text, self.now);
                            self.reply_to_claim(out, "claim-confirmed", &c, now);
                        }
                    }
                }
                News::Passed { claim: c } => {
                    let text =
                        format!("@{} passed on claim #{}: {}× {} released", c.user_name, c.id, c.qty, c.sku);
                    out.notice(Level::Info, text, self.now);
                    let template = self.claims.replies().passed.clone();
                    self.tell_claimer(out, "claim passed", &template, &c, now);
                }
                News::Rejected { claim: c } => {
                    let text = format!("Rejected claim #{}: {}× {} of @{}", c.id, c.qty, c.sku, c.user_name);
                    out.notice(Level::Info, text, self.now);
                    self.reply_to_claim(out, "claim-rejected", &c, now);
                }
                News::Limited { user_name, sku, limit, kept } => {
                    let text = if kept == 0 && limit == 0 {
                        // A flash sale's per-customer limit, used up by what they bought in it.
                        format!(
                            "@{user_name} has bought all one customer may of {sku} in this sale: not held"
                        )
                    } else if kept == 0 {
                        format!("@{user_name} already has {limit}× {sku}, the most one customer may claim")
                    } else {
                        format!("@{user_name} asked for more {sku} than the limit of {limit}: claimed {kept}")
                    };
                    out.notice(Level::Info, text, self.now);
                }
            }
        }
    }

    /// Tells a claimer their claim moved `way` with the reply tagged `tag`, unless they heard
    /// that lately (see [`claims::BUYER_NEWS_QUIET`]).
    pub(in crate::desk) fn tell_buyer(
        &mut self,
        out: &mut Outbox,
        way: Way,
        tag: &str,
        claim: &claims::Claim,
        now: DateTime<Utc>,
    ) {
        if self.claims.tell_buyer(claim, way, now) {
            self.reply_to_claim(out, tag, claim, now);
        }
    }

    /// Sends one of claims.toml's replies to a claimer, answering their claim comment;
    /// `{time_left}` is the claim's own time left. An empty template is not sent.
    fn tell_claimer(
        &mut self,
        out: &mut Outbox,
        title: &str,
        template: &str,
        claim: &claims::Claim,
        now: DateTime<Utc>,
    ) {
        if self.link == Link::Ended || template.trim().is_empty() {
            return;
        }
        let product = self.catalog.product(&claim.sku);
        let mut ctx = self.context_for(product, Some(claim.user_name.clone()), now);
        ctx.time_left = claim.state.expires_at().map(|at| crate::desk::clock(at - now));
        match replies::fill(template, &ctx) {
            Ok(text) => {
                let about = template.contains("{product}") || template.contains("{price}");
                let outgoing = Outgoing {
                    checked: self.checked_text(template, &ctx),
                    text,
                    reply_to: Some(claim.msg_id.clone()).filter(|id| !id.is_empty()),
                    label: format!("reply “{title}” to @{}", claim.user_name),
                    prices: about.then(|| self.prices_of([claim.sku.as_str()])),
                    places: true,
                    how: How::Said,
                };
                self.send_checked(out, outgoing, now);
            }
            Err(missing) => {
                let text = format!(
                    "Reply “{title}” of claims.toml not sent: nothing to fill {}",
                    missing.join(", ")
                );
                out.notice(Level::Warn, text, self.now);
            }
        }
    }

    /// Sends the first reply tagged `tag` to a claimer, answering their claim comment.
    pub(in crate::desk) fn reply_to_claim(
        &mut self,
        out: &mut Outbox,
        tag: &str,
        claim: &claims::Claim,
        now: DateTime<Utc>,
    ) {
        if self.link == Link::Ended {
            return;
        }
        let Some(reply) = self.replies.by_tag(tag).cloned() else { return };
        let product = self.catalog.product(&claim.sku);
        let ctx = self.context_for(product, Some(claim.user_name.clone()), now);
        match replies::fill(&reply.text, &ctx) {
            Ok(text) => {
                let outgoing = Outgoing {
                    checked: self.checked_text(&reply.text, &ctx),
                    text,
                    reply_to: Some(claim.msg_id.clone()).filter(|id| !id.is_empty()),
                    label: format!("reply “{}” to @{}", reply.title, claim.user_name),
                    prices: about_product(&reply, &reply.text).then(|| self.prices_of([claim.sku.as_str()])),
                    places: true,
                    how: How::Said,
                };
                self.send_checked(out, outgoing, now);
            }
            Err(missing) => {
                let text =
                    format!("Reply “{}” not sent: nothing to fill {}", reply.title, missing.join(", "));
                out.notice(Level::Warn, text, self.now);
            }
        }
    }

    /// The operator confirms a claim: sold, the buyer is told, the claim is booked as the
    /// desk's order, and a sale of the product learns the units left the shelf.
    pub(in crate::desk) fn confirm_claim(&mut self, out: &mut Outbox, id: u64, now: DateTime<Utc>) {
        let sku = self.claims.get(id).map(|c| c.sku.clone());
        let mut news = Vec::new();
        match self.claims.confirm(&mut self.catalog, id, now, &mut news) {
            Ok(()) => {
                self.claim_news(out, news, now);
                self.book_claim_sale(id, now);
                // The units left the shelf: a sale on the product may have sold out.
                if let Some(sku) = sku {
                    self.sync_stock(out, &sku, now);
                }
            }
            Err(e) => out.notice(Level::Warn, format!("Cannot confirm: {e}"), self.now),
        }
    }

    /// The operator rejects a claim: its units are freed and the buyer is told.
    pub(in crate::desk) fn reject_claim(&mut self, out: &mut Outbox, id: u64, now: DateTime<Utc>) {
        let mut news = Vec::new();
        match self.claims.reject(&mut self.catalog, id, now, &mut news) {
            Ok(()) => self.claim_news(out, news, now),
            Err(e) => out.notice(Level::Warn, format!("Cannot reject: {e}"), self.now),
        }
    }
}
