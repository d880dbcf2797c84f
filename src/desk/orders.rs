//! Orders and stock: an order from the platform booked against the shelf, its flash sale and
//! the buyer's claims; a cancel or refund returning its units; the platform's stock counts and
//! the operator's adjustments; and after every change of a product's stock, the claims and the
//! sale told what is left.

use chrono::{DateTime, Utc};

use super::catalog::{Adjust, Cover, Order, OrderEffect};
use super::outbox::Outbox;
use super::{Level, State, claim_order_id, money};
use crate::protocol::{OrderStatus, User};

impl State {
    /// An order from the platform: a new one is counted towards its flash sale, served from
    /// the buyer's claims first, booked and told; one the desk has only changes status.
    pub(super) fn apply_order(
        &mut self,
        out: &mut Outbox,
        mut order: Order,
        user: &User,
        now: DateTime<Utc>,
    ) {
        let is_new = self.catalog.order(&order.order_id).is_none();
        if !is_new {
            let (id, status) = (order.order_id.clone(), order.status);
            let effect = self.catalog.apply_status(&id, status, now);
            self.after_return(out, effect, &id, status, now);
            return;
        }
        self.viewers.ordered(user, &order.order_id, now);
        let mut sale_events = Vec::new();
        if order.status.is_live()
            && let Some(counted) =
                // A variant sells in its product's sale.
                self.sales.record_order(
                    self.catalog.product_of(&order.sku),
                    order.qty,
                    order.unit_price,
                    &user.id,
                    now,
                )
        {
            if counted.over_limit() {
                let limit = counted.limit.unwrap_or_default();
                out.notice(
                    Level::Warn,
                    format!(
                        "{} has {} units of flash sale {}: over its limit of {limit} per customer",
                        user.name, counted.customer_units, counted.run.sale_id
                    ),
                    self.now,
                );
            }
            order.sale = Some(counted.run);
            sale_events = counted.events;
        }
        let amount =
            money::format(order.unit_price * rust_decimal::Decimal::from(order.qty), &order.currency);
        let (qty, sku) = (order.qty, order.sku.clone());
        let mut news = Vec::new();
        let mut billed = Vec::new();
        let cover = if order.status.is_live() && !user.id.is_empty() {
            self.claims.cover_order(&mut self.catalog, &user.id, &order, now, &mut news, &mut billed)
        } else {
            Cover::default()
        };
        for (claim, units) in billed {
            self.catalog.bill_claim_sale(&claim_order_id(claim), units);
        }
        let before = self.catalog.product(&sku).map(|p| (p.on_hand, p.available));
        if order.status.is_live() {
            self.stats.order_at(now.timestamp());
        }
        let effect = self.catalog.apply_order(order, cover, now);
        self.claims.settle(&mut self.catalog, &sku, now, &mut news);
        if let OrderEffect::Placed { oversold, .. } = effect {
            let name = self.catalog.product(&sku).map_or(sku.clone(), |p| p.name.clone());
            let line = if oversold > 0 {
                format!("ordered {qty}× {name} ({amount}): {oversold} OVERSOLD")
            } else {
                format!("ordered {qty}× {name} ({amount})")
            };
            self.chat.push_system(user, line, now);
            if oversold > 0 {
                out.notice(
                    Level::Error,
                    format!("OVERSOLD: {oversold}× {sku} ordered by {} with no stock", user.name),
                    self.now,
                );
            } else if let Some(p) = self.catalog.product(&sku) {
                // Said once, when this order ran it out.
                let (on_hand, available) = before.unwrap_or((1, 1));
                if p.on_hand == 0 && on_hand > 0 {
                    out.notice(Level::Warn, format!("{name} is SOLD OUT"), self.now);
                } else if p.sold_out() && available > 0 {
                    let text = format!("{name}: nothing left to sell, {} held for claims", p.on_hand);
                    out.notice(Level::Warn, text, self.now);
                }
            }
        }
        self.claim_news(out, news, now);
        self.sale_events(out, sale_events, now);
        self.sync_stock(out, &sku, now);
    }

    /// Tells the sales a product's stock after it changed: running out ends its sale. Units
    /// held for claims still count as stock here: a hold is not a sale, it may expire, and an
    /// order on the platform's checkout is served from them.
    pub(super) fn sync_stock(&mut self, out: &mut Outbox, sku: &str, now: DateTime<Utc>) {
        let on_hand = self.catalog.product(sku).map_or(0, |p| p.on_hand);
        let events = self.sales.stock(sku, on_hand, now);
        self.sale_events(out, events, now);
        // A variant's product is on sale as a whole: its stock is the variants' sum.
        let product = self.catalog.product_of(sku).to_owned();
        if product != sku {
            self.sync_stock(out, &product, now);
        }
    }

    fn after_return(
        &mut self,
        out: &mut Outbox,
        effect: OrderEffect,
        order_id: &str,
        status: OrderStatus,
        now: DateTime<Utc>,
    ) {
        if let OrderEffect::Returned { sku, qty, sale } = effect {
            self.claims.order_returned(order_id);
            if let Some(run) = sale {
                let price =
                    self.catalog.order(order_id).map_or(rust_decimal::Decimal::ZERO, |o| o.unit_price);
                self.sales.record_return(&run, qty, price * rust_decimal::Decimal::from(qty));
            }
            let verb = if status == OrderStatus::Refunded { "refunded" } else { "cancelled" };
            let user = self.catalog.order(order_id).map(|o| o.user_name.clone()).unwrap_or_default();
            let who = User { id: String::new(), name: user, region: None, badges: vec![], follower: false };
            self.chat.push_system(&who, format!("{verb} order {order_id}: {qty}× {sku} back in stock"), now);
            self.settle_stock(out, &sku, now);
        }
    }

    /// After a product's stock changed: holds back in line with it, the waitlist served,
    /// and its sale told what is left.
    pub(super) fn settle_stock(&mut self, out: &mut Outbox, sku: &str, now: DateTime<Utc>) {
        let mut news = Vec::new();
        self.claims.settle(&mut self.catalog, sku, now, &mut news);
        self.claim_news(out, news, now);
        self.sync_stock(out, sku, now);
    }

    /// The platform changed an order's status (paid, cancelled, refunded).
    pub(super) fn order_update(
        &mut self,
        out: &mut Outbox,
        order_id: &str,
        status: OrderStatus,
        now: DateTime<Utc>,
    ) {
        if self.catalog.order(order_id).is_none() {
            out.notice(Level::Warn, format!("Update for unknown order {order_id} ignored"), self.now);
            return;
        }
        let placed = self
            .catalog
            .order(order_id)
            .filter(|o| o.status.is_live() && o.status != OrderStatus::Paid)
            .cloned();
        let effect = self.catalog.apply_status(order_id, status, now);
        self.after_return(out, effect, order_id, status, now);
        // First-paid: the payment of an order placed before wins its buyer's unpaid claim.
        if let Some(order) = placed.filter(|_| status == OrderStatus::Paid)
            && let Some(user_id) = self.viewers.owner(order_id).map(|v| v.id.clone())
        {
            let mut news = Vec::new();
            self.claims.cover_payment(&mut self.catalog, &user_id, &order, now, &mut news);
            self.claim_news(out, news, now);
        }
    }

    /// The platform's count of what it can still sell of a product.
    pub(super) fn stock_is(&mut self, out: &mut Outbox, sku: &str, available: u32, now: DateTime<Utc>) {
        self.catalog.set_available(sku, available, now);
        self.settle_stock(out, sku, now);
    }

    /// The operator counted the shelf: the change and its reason are told and kept.
    pub(super) fn adjust_stock(
        &mut self,
        out: &mut Outbox,
        sku: &str,
        change: Adjust,
        reason: String,
        now: DateTime<Utc>,
    ) {
        let Some(p) = self.catalog.product(sku) else {
            out.notice(Level::Warn, format!("Cannot adjust {sku}: not in the catalog"), self.now);
            return;
        };
        if !p.variants.is_empty() {
            let text = format!("Cannot adjust {sku}: its stock is its variants', adjust one of them");
            out.notice(Level::Warn, text, self.now);
            return;
        }
        let before = p.on_hand;
        let reason = if reason.trim().is_empty() { "no reason given".to_owned() } else { reason };
        self.catalog.adjust(sku, change, &reason, now);
        let after = self.catalog.product(sku).map_or(0, |p| p.on_hand);
        out.notice(
            Level::Info,
            format!("Stock of {sku} {}: {before} → {after} on hand ({reason})", change.label()),
            self.now,
        );
        self.settle_stock(out, sku, now);
    }
}
