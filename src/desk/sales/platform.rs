//! The desk's flash-sale rules towards the platform: what the sales ledger decided becomes
//! commands, announcements in chat and notices for the operator.

use chrono::{DateTime, Utc};

use super::{EndReason, Sale, SaleError, SaleEvent, SaleState};
use crate::desk::held::{How, Outgoing};
use crate::desk::outbox::Outbox;
use crate::desk::replies::{self, TemplateContext};
use crate::desk::{Action, Level, Output, State, clock, money};
use crate::protocol::{Command, SaleAction};

impl State {
    /// Acts on what an operator's sale action did, or says why it was refused.
    pub(in crate::desk) fn sale_result(
        &mut self,
        out: &mut Outbox,
        result: Result<Vec<SaleEvent>, SaleError>,
        verb: &str,
        now: DateTime<Utc>,
    ) {
        match result {
            Ok(events) => self.sale_events(out, events, now),
            Err(e) => out.notice(Level::Warn, format!("Cannot {verb} flash sale: {e}"), self.now),
        }
    }

    /// Turns what the sales did into platform commands, announcements and notices.
    ///
    /// The protocol's `flash_sale` has only `start` and `end`, so a pause ends the sale on
    /// the platform and a resume starts it again with the units and seconds left: while
    /// paused, viewers cannot buy at the sale price, and their countdown matches the desk's
    /// when it comes back. A pause kept on the desk alone would let the platform sell on
    /// and end the sale on its own clock. An extend stays on the desk: the desk ends the
    /// sale on the platform when its own clock runs out.
    pub(in crate::desk) fn sale_events(
        &mut self,
        out: &mut Outbox,
        events: Vec<SaleEvent>,
        now: DateTime<Utc>,
    ) {
        for event in events {
            self.sale_event(out, event, now);
        }
    }

    pub(in crate::desk) fn sale_event(&mut self, out: &mut Outbox, event: SaleEvent, now: DateTime<Utc>) {
        let id = match &event {
            SaleEvent::PreheatStarted { id }
            | SaleEvent::Started { id }
            | SaleEvent::Warning { id, .. }
            | SaleEvent::Paused { id }
            | SaleEvent::Resumed { id }
            | SaleEvent::Extended { id, .. }
            | SaleEvent::Ended { id, .. }
            | SaleEvent::Refused { id, .. } => id.clone(),
        };
        let Some(sale) = self.sales.get(&id).cloned() else { return };
        let spec = &sale.spec;
        match event {
            SaleEvent::PreheatStarted { .. } => {
                let wait = clock(sale.countdown(now));
                out.notice(Level::Info, format!("Flash sale {id} starts in {wait}"), self.now);
                self.announce(out, "sale-preheat", &sale, now);
            }
            SaleEvent::Started { .. } | SaleEvent::Resumed { .. } => {
                let resumed = matches!(event, SaleEvent::Resumed { .. });
                let verb = if resumed { "resume" } else { "start" };
                let Some(units) = self.start_on_platform(out, &sale, verb, now) else { return };
                let remaining = sale.remaining(now);
                let text = if resumed {
                    format!("Flash sale {id} resumed: {units} units, {} left", clock(remaining))
                } else {
                    format!("Flash sale {id} started: {units} units, {}", clock(remaining))
                };
                out.notice(Level::Info, text, self.now);
                self.announce(out, "sale-start", &sale, now);
            }
            SaleEvent::Warning { secs, .. } => {
                out.notice(Level::Warn, format!("Flash sale {id}: {secs} s left"), self.now);
                out.push(Output::Bell);
            }
            SaleEvent::Paused { .. } => {
                self.end_on_platform(out, &sale, "pause", now);
                let left = clock(sale.remaining(now));
                out.notice(Level::Info, format!("Flash sale {id} paused with {left} left"), self.now);
            }
            SaleEvent::Extended { seconds, .. } => {
                // The platform counts down on its own clock: a live sale is started again
                // with the new time (protocol v1 has no extend); a paused one gets it on resume.
                if sale.is_live() && self.start_on_platform(out, &sale, "extend", now).is_none() {
                    return;
                }
                out.notice(Level::Info, format!("Flash sale {id} extended by {seconds} s"), self.now);
            }
            SaleEvent::Ended { reason, was_live, .. } => {
                if was_live {
                    self.end_on_platform(out, &sale, "end", now);
                }
                let revenue = money::format(
                    sale.run().map_or_else(Default::default, |r| r.revenue),
                    &self.catalog.currency,
                );
                out.notice(
                    Level::Info,
                    format!(
                        "Flash sale {id} ended ({}): {}/{} sold, {revenue}",
                        reason.label(),
                        sale.sold(),
                        spec.quantity
                    ),
                    self.now,
                );
                let went_live = sale.run().is_some_and(|r| r.live_at.is_some());
                match reason {
                    EndReason::SoldOut => self.announce(out, "sold-out", &sale, now),
                    _ if went_live => self.announce(out, "sale-ended", &sale, now),
                    // Called off before it went live: the operator says what they want to.
                    _ => {}
                }
            }
            SaleEvent::Refused { error, .. } => {
                out.notice(
                    Level::Warn,
                    format!("Scheduled flash sale {id} did not start: {error}"),
                    self.now,
                );
            }
        }
    }

    /// Tells the platform to sell `sale` now: its price, the units it has left (never more
    /// than the stock free to sell) and the seconds left on its clock. Returns the units
    /// offered; with none free (all held for claims) nothing is sent and the sale ends sold out.
    pub(in crate::desk) fn start_on_platform(
        &mut self,
        out: &mut Outbox,
        sale: &Sale,
        verb: &str,
        now: DateTime<Utc>,
    ) -> Option<u32> {
        let (id, spec) = (&sale.spec.id, &sale.spec);
        let free = self.catalog.product(&spec.sku).map_or(sale.left(), |p| p.available);
        let units = sale.left().min(free);
        if units == 0 {
            let held = self.catalog.product(&spec.sku).map_or(0, |p| p.reserved);
            let text = format!("Flash sale {id} not sent: nothing free to sell ({held} held for claims)");
            out.notice(Level::Error, text, self.now);
            if let Ok(events) = self.sales.end(Some(id), EndReason::SoldOut, now) {
                self.sale_events(out, events, now);
            }
            return None;
        }
        if units < sale.left() {
            let text = format!(
                "Flash sale {id} offers {units}, not {}: that is all the stock free to sell",
                sale.left()
            );
            out.notice(Level::Warn, text, self.now);
        }
        let remaining = sale.remaining(now);
        let seconds = u32::try_from((remaining.num_milliseconds() + 999) / 1000).unwrap_or(u32::MAX);
        let command = Command::FlashSale {
            reference: out.next_ref(),
            action: SaleAction::Start,
            sku: Some(spec.sku.clone()),
            price: Some(spec.price),
            quantity: Some(units),
            seconds: Some(seconds),
        };
        out.send(command, format!("flash sale {id} {verb}"), now);
        Some(units)
    }

    /// Tells the platform to stop selling a sale.
    pub(in crate::desk) fn end_on_platform(
        &mut self,
        out: &mut Outbox,
        sale: &Sale,
        verb: &str,
        now: DateTime<Utc>,
    ) {
        let reference = out.next_ref();
        let command = Command::FlashSale {
            reference,
            action: SaleAction::End,
            // Several sales may run at once: the product says which one ends.
            sku: Some(sale.spec.sku.clone()),
            price: None,
            quantity: None,
            seconds: None,
        };
        out.send(command, format!("flash sale {} {verb}", sale.spec.id), now);
    }

    /// Sends the first canned reply with `tag` to everyone, filled for `sale`, if the shop
    /// has one.
    pub(in crate::desk) fn announce(&mut self, out: &mut Outbox, tag: &str, sale: &Sale, now: DateTime<Utc>) {
        let Some(reply) = self.replies.by_tag(tag).cloned() else { return };
        match replies::fill(&reply.text, &self.sale_context(sale, now)) {
            Ok(text) => {
                // Its prices are the product's, its live sale's, and this sale's own.
                let mut prices = self.prices_of([sale.spec.sku.as_str()]);
                if !prices.contains(&sale.spec.price) {
                    prices.push(sale.spec.price);
                }
                let outgoing = Outgoing {
                    checked: text.clone(),
                    text,
                    reply_to: None,
                    label: format!("announcement “{}”", reply.title),
                    prices: Some(prices),
                    places: true,
                    how: How::Said,
                };
                self.send_checked(out, outgoing, now);
            }
            Err(missing) => {
                let text = format!(
                    "Announcement “{}” not sent: nothing to fill {}",
                    reply.title,
                    missing.join(", ")
                );
                out.notice(Level::Warn, text, self.now);
            }
        }
    }

    /// The values for an announcement about `sale`: its price, units and clock while it
    /// runs; the product's normal price and stock once it has ended.
    pub(in crate::desk) fn sale_context(&self, sale: &Sale, now: DateTime<Utc>) -> TemplateContext {
        let product = self.catalog.product(&sale.spec.sku);
        let currency = &self.catalog.currency;
        let available = product.map_or(sale.left(), |p| p.available);
        let (price, stock, time_left) = match sale.state {
            SaleState::Ended { .. } | SaleState::Planned => {
                let price = product.filter(|p| p.known).map_or(sale.spec.price, |p| p.price);
                (price, available, None)
            }
            _ => (sale.spec.price, available.min(sale.left()), Some(clock(sale.countdown(now)))),
        };
        TemplateContext {
            user: None,
            product: Some(product.map_or_else(|| sale.spec.sku.clone(), |p| p.name.clone())),
            price: Some(money::format(price, currency)),
            stock: Some(stock.to_string()),
            time_left,
            ships_to: self.shipping.enabled().then(|| self.shipping.ships_to()),
        }
    }

    /// An operator's action on a flash sale (start, extend, end, pause, resume); any other
    /// action is not the sales' business.
    pub(in crate::desk) fn sale_action(&mut self, out: &mut Outbox, action: &Action, now: DateTime<Utc>) {
        let (verb, result) = match action {
            Action::StartSale { id } => ("start", self.sales.start(id, now)),
            Action::ExtendSale { id, seconds } => ("extend", self.sales.extend(id.as_deref(), *seconds)),
            Action::EndSale { id } => ("end", self.sales.end(id.as_deref(), EndReason::EndedByHand, now)),
            Action::PauseSale { id } => ("pause", self.sales.pause(id.as_deref(), now)),
            Action::ResumeSale { id } => ("resume", self.sales.resume(id.as_deref(), now)),
            _ => return,
        };
        self.sale_result(out, result, verb, now);
    }
}
