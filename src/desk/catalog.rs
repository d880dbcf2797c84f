//! Products, stock and orders: the counters the operator must never get wrong.
//!
//! Every change to a product's stock is a ledger entry that says why. A product has units
//! on hand and units reserved for viewers' claims; available = on hand − reserved, never
//! below zero. Rules:
//! - a live order (`placed`/`paid`) takes from on hand once: first from its buyer's own claim,
//!   then from what is left; the part of an order past what is on hand is oversold (counted
//!   per product and per order, never hidden);
//! - a cancel or refund gives back what the order took, once;
//! - a platform `stock` figure is the platform's count of unsold units. The platform knows
//!   nothing of claims made in the comments, so its figure still counts the units held for
//!   them: it sets on hand, and the reservations stay inside it (the claims book sends the
//!   newest holds back to the waitlist when on hand falls below what is reserved);
//! - a manual adjust adds, removes or sets units on hand, with the operator's reason.
//!
//! The catalog itself never decides which claim loses a unit: it may hold more reserved than
//! on hand for a moment, and the desk settles that through the claims book in the same input.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::sales::RunRef;
use crate::config::model::Catalog as CatalogFile;
use crate::protocol::OrderStatus;

/// Ledger entries kept per product (older ones live in the store's journal).
pub const LEDGER_KEPT: usize = 1000;

/// One product's live counters.
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub price: Decimal,
    pub low_stock: u32,
    /// Units in the shop: not sold, whether held for a claim or not.
    pub on_hand: u32,
    /// Units held for viewers' claims.
    pub reserved: u32,
    /// Units that can still be sold: on hand − reserved, kept in step by the catalog.
    pub available: u32,
    /// Units in live orders.
    pub sold: u32,
    /// Units ordered when none were on hand.
    pub oversold: u32,
    /// False for products the platform sold that are not in our catalog.
    pub known: bool,
    /// The short code viewers may claim it by ("AA"), as the catalogue writes it.
    pub code: Option<String>,
    /// For a variant, the product it is a size, shape or colour of.
    pub parent: Option<String>,
    /// For a product with variants, their SKUs: its counts are their sums.
    pub variants: Vec<String>,
}

impl Product {
    /// Whether nothing can be sold now (none on hand, or all of it held for claims).
    pub fn sold_out(&self) -> bool {
        self.available == 0
    }

    /// Whether stock is at or under its low-stock threshold (but not out).
    pub fn low(&self) -> bool {
        self.available > 0 && self.available <= self.low_stock
    }

    /// A product, or a variant of one, with no stock of its own record yet.
    fn listed(sku: &str, name: &str, price: Decimal, low_stock: u32, stock: u32) -> Product {
        Product {
            sku: sku.to_owned(),
            name: name.to_owned(),
            price,
            low_stock,
            on_hand: stock,
            reserved: 0,
            available: stock,
            sold: 0,
            oversold: 0,
            known: true,
            code: None,
            parent: None,
            variants: Vec::new(),
        }
    }

    fn settle(&mut self) {
        self.available = self.on_hand.saturating_sub(self.reserved);
    }
}

/// An order as the desk remembers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub order_id: String,
    pub user_name: String,
    pub sku: String,
    pub qty: u32,
    pub unit_price: Decimal,
    pub currency: String,
    pub status: OrderStatus,
    /// Units taken off on hand for this order (the rest was oversold); a cancel gives these back.
    pub taken: u32,
    /// The flash-sale run the order counted for, if any.
    pub sale: Option<RunRef>,
}

impl Order {
    /// An order as the platform placed it, before the shelf and the sales have seen it.
    pub fn placed(
        order_id: String,
        user_name: &str,
        sku: String,
        qty: u32,
        unit_price: Decimal,
        currency: String,
        status: OrderStatus,
    ) -> Order {
        Order {
            order_id,
            user_name: user_name.to_owned(),
            sku,
            qty,
            unit_price,
            currency,
            status,
            taken: 0,
            sale: None,
        }
    }

    /// Units of a live order that could not be served.
    pub fn oversold(&self) -> u32 {
        if self.status.is_live() { self.qty - self.taken } else { 0 }
    }
}

/// What part of a new order its buyer's claims already cover.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cover {
    /// Units held for the buyer that the order turns into a sale (reserved and on hand both drop).
    pub reserved: u32,
    /// Units the operator already confirmed to the buyer, so already off on hand.
    pub confirmed: u32,
}

/// What applying an order changed, for the desk to announce and for sales to count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderEffect {
    /// Nothing changed (a repeat, or a status that changes nothing).
    None,
    /// A new live order took stock; `oversold` units could not be served.
    Placed { sku: String, qty: u32, oversold: u32 },
    /// A live order was cancelled or refunded and its stock returned.
    Returned { sku: String, qty: u32, sale: Option<RunRef> },
}

/// Why a product's stock changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// A live order took units (from its buyer's hold first).
    Order { order_id: String },
    /// A cancelled order gave its units back.
    Cancel { order_id: String },
    /// A refunded order gave its units back.
    Refund { order_id: String },
    /// Units were held for a claim.
    ClaimReserved { claim: u64 },
    /// A claim's hold ended without a sale (expired, rejected, trimmed, back to the waitlist).
    ClaimReleased { claim: u64 },
    /// The operator confirmed a claim: its held units are sold.
    ClaimConfirmed { claim: u64 },
    /// The operator changed the count by hand.
    ManualAdjust { note: String },
    /// The platform sent its own count.
    PlatformSync { available: u32 },
}

impl Reason {
    /// A few words for the operator.
    pub fn label(&self) -> String {
        match self {
            Reason::Order { order_id } => format!("order {order_id}"),
            Reason::Cancel { order_id } => format!("cancel {order_id}"),
            Reason::Refund { order_id } => format!("refund {order_id}"),
            Reason::ClaimReserved { claim } => format!("held for claim #{claim}"),
            Reason::ClaimReleased { claim } => format!("released claim #{claim}"),
            Reason::ClaimConfirmed { claim } => format!("confirmed claim #{claim}"),
            Reason::ManualAdjust { note } => format!("adjust: {note}"),
            Reason::PlatformSync { available } => format!("platform says {available}"),
        }
    }
}

/// One change to one product's stock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    pub at: DateTime<Utc>,
    pub sku: String,
    pub delta_on_hand: i64,
    pub delta_reserved: i64,
    /// On hand after the change.
    pub on_hand: u32,
    /// Reserved after the change.
    pub reserved: u32,
    pub reason: Reason,
}

/// A manual change to the count on hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjust {
    /// Units found or restocked.
    Add(u32),
    /// Units lost, damaged or sold elsewhere (never below zero).
    Remove(u32),
    /// The count after counting the shelf.
    Set(u32),
}

impl Adjust {
    /// On hand after this change to `on_hand`.
    pub fn apply_to(self, on_hand: u32) -> u32 {
        match self {
            Adjust::Add(n) => on_hand.saturating_add(n),
            Adjust::Remove(n) => on_hand.saturating_sub(n),
            Adjust::Set(n) => n,
        }
    }

    /// `+3`, `-2` or `=10`, as the operator types it.
    pub fn label(self) -> String {
        match self {
            Adjust::Add(n) => format!("+{n}"),
            Adjust::Remove(n) => format!("-{n}"),
            Adjust::Set(n) => format!("={n}"),
        }
    }

    /// Reads `+3`, `-2` or `=10` (spaces and a Unicode minus allowed).
    pub fn parse(text: &str) -> Result<Adjust, String> {
        let t = text.trim();
        let mut chars = t.chars();
        let sign = chars.next().ok_or("type +n to add, -n to remove or =n to set")?;
        let digits = chars.as_str().trim();
        let n = |digits: &str| -> Result<u32, String> {
            match digits.parse::<u32>() {
                Ok(n) if n <= 100_000 => Ok(n),
                _ => Err(format!("`{digits}` is not a count from 0 to 100000")),
            }
        };
        match sign {
            '+' => n(digits).map(Adjust::Add),
            '-' | '−' => n(digits).map(Adjust::Remove),
            '=' => n(digits).map(Adjust::Set),
            _ => Err("start with + to add, - to remove or = to set".into()),
        }
    }
}

/// The catalog with its stock ledger and the orders seen this stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    pub currency: String,
    products: Vec<Product>,
    ledgers: Vec<VecDeque<LedgerEntry>>,
    by_sku: HashMap<String, usize>,
    orders: HashMap<String, Order>,
    gmv: BTreeMap<String, Decimal>,
}

impl Catalog {
    /// The catalog as configured, with its starting stock.
    pub fn new(file: &CatalogFile) -> Self {
        let mut c = Catalog { currency: file.currency.clone(), ..Default::default() };
        for p in &file.products {
            let mut product = Product::listed(&p.sku, &p.name, p.price, p.low_stock, p.total_stock());
            product.code = p.code.clone();
            product.variants = p.variants.iter().map(|v| v.sku.clone()).collect();
            c.push(product);
            // Variants follow their product: the Stock pane lists them under it.
            for v in &p.variants {
                let name = format!("{}, {}", p.name, v.name);
                let mut variant = Product::listed(&v.sku, &name, p.price, p.low_stock, v.stock);
                variant.code = v.code.clone();
                variant.parent = Some(p.sku.clone());
                c.push(variant);
            }
        }
        c
    }

    fn push(&mut self, product: Product) {
        self.by_sku.insert(product.sku.clone(), self.products.len());
        self.products.push(product);
        self.ledgers.push(VecDeque::new());
    }

    /// Whether `i` is a product whose stock is its variants': it is never booked itself.
    fn grouped(&self, i: usize) -> bool {
        !self.products[i].variants.is_empty()
    }

    /// A variant's product's counts, summed again after the variant's changed.
    fn sum_up(&mut self, i: usize) {
        let Some(parent) = self.products[i].parent.as_ref().and_then(|sku| self.by_sku.get(sku)).copied()
        else {
            return;
        };
        let (mut on_hand, mut reserved, mut available) = (0u32, 0u32, 0u32);
        for sku in &self.products[parent].variants {
            if let Some(v) = self.by_sku.get(sku).map(|&j| &self.products[j]) {
                on_hand = on_hand.saturating_add(v.on_hand);
                reserved = reserved.saturating_add(v.reserved);
                available = available.saturating_add(v.available);
            }
        }
        let p = &mut self.products[parent];
        (p.on_hand, p.reserved, p.available) = (on_hand, reserved, available);
    }

    /// Adds to the units sold and oversold of `i`, and of its product when it is a variant.
    fn count_sold(&mut self, i: usize, sold: i64, oversold: i64) {
        let parent = self.products[i].parent.as_ref().and_then(|sku| self.by_sku.get(sku)).copied();
        for j in std::iter::once(i).chain(parent) {
            let p = &mut self.products[j];
            p.sold = add(p.sold, sold);
            p.oversold = add(p.oversold, oversold);
        }
    }

    /// The product a variant is of; a product is its own (a flash sale of a product with
    /// variants sells them all).
    pub fn product_of<'a>(&'a self, sku: &'a str) -> &'a str {
        self.product(sku).and_then(|p| p.parent.as_deref()).unwrap_or(sku)
    }

    /// The variants of a product in catalogue order (none for a plain product).
    pub fn variants_of(&self, sku: &str) -> impl Iterator<Item = &Product> {
        let skus = self.product(sku).map(|p| p.variants.as_slice()).unwrap_or_default();
        skus.iter().filter_map(|v| self.product(v))
    }

    /// Products in catalog order (unknown SKUs the platform sold come last).
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// A product by SKU.
    pub fn product(&self, sku: &str) -> Option<&Product> {
        self.by_sku.get(sku).map(|&i| &self.products[i])
    }

    /// A product's latest stock changes, oldest first (at most [`LEDGER_KEPT`]).
    pub fn ledger(&self, sku: &str) -> impl DoubleEndedIterator<Item = &LedgerEntry> {
        self.by_sku.get(sku).map(|&i| &self.ledgers[i]).into_iter().flatten()
    }

    /// An order by id.
    pub fn order(&self, order_id: &str) -> Option<&Order> {
        self.orders.get(order_id)
    }

    /// Every order seen, in no particular order.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values()
    }

    /// Number of distinct orders seen.
    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    /// Gross merchandise value per currency: live orders only.
    pub fn gmv(&self) -> &BTreeMap<String, Decimal> {
        &self.gmv
    }

    /// Total units oversold across products (a variant's count once, in its product's).
    pub fn oversold(&self) -> u32 {
        self.products.iter().filter(|p| p.parent.is_none()).map(|p| p.oversold).sum()
    }

    fn index(&mut self, sku: &str) -> usize {
        if let Some(&i) = self.by_sku.get(sku) {
            return i;
        }
        self.push(Product { known: false, ..Product::listed(sku, sku, Decimal::ZERO, 0, 0) });
        self.products.len() - 1
    }

    /// Changes a product's counts and writes the ledger entry for it.
    fn book(&mut self, i: usize, on_hand: u32, reserved: u32, reason: Reason, at: DateTime<Utc>) {
        let p = &mut self.products[i];
        let entry = LedgerEntry {
            at,
            sku: p.sku.clone(),
            delta_on_hand: i64::from(on_hand) - i64::from(p.on_hand),
            delta_reserved: i64::from(reserved) - i64::from(p.reserved),
            on_hand,
            reserved,
            reason,
        };
        p.on_hand = on_hand;
        p.reserved = reserved;
        p.settle();
        let ledger = &mut self.ledgers[i];
        if ledger.len() == LEDGER_KEPT {
            ledger.pop_front();
        }
        ledger.push_back(entry);
        self.sum_up(i);
    }

    /// Applies an `order` event; `cover` is what the buyer's claims already hold or sold.
    /// A known order id is treated as a status update.
    pub fn apply_order(&mut self, order: Order, cover: Cover, at: DateTime<Utc>) -> OrderEffect {
        if self.orders.contains_key(&order.order_id) {
            return self.apply_status(&order.order_id, order.status, at);
        }
        let mut order = order;
        let effect = if order.status.is_live() {
            let i = self.index(&order.sku);
            let p = &self.products[i];
            // Held units convert first, then what the operator already confirmed, then the rest
            // comes off on hand (even units held for others: the platform sold them; their
            // claims go back to the waitlist).
            // An order naming a product with variants says not which one: no unit can be
            // taken for it, so it all counts as oversold, in plain view.
            let grouped = self.grouped(i);
            let held = if grouped { 0 } else { cover.reserved.min(order.qty).min(p.reserved).min(p.on_hand) };
            let confirmed = if grouped { 0 } else { cover.confirmed.min(order.qty - held) };
            let rest = order.qty - held - confirmed;
            let fresh = if grouped { 0 } else { rest.min(p.on_hand - held) };
            let (on_hand, reserved) = (p.on_hand - held - fresh, p.reserved - held);
            order.taken = held + confirmed + fresh;
            let oversold = order.qty - order.taken;
            if !grouped {
                self.book(i, on_hand, reserved, Reason::Order { order_id: order.order_id.clone() }, at);
            }
            self.count_sold(i, i64::from(order.qty), i64::from(oversold));
            *self.gmv.entry(order.currency.clone()).or_default() +=
                order.unit_price * Decimal::from(order.qty);
            OrderEffect::Placed { sku: order.sku.clone(), qty: order.qty, oversold }
        } else {
            order.taken = 0;
            OrderEffect::None
        };
        self.orders.insert(order.order_id.clone(), order);
        effect
    }

    /// Applies a later status of a known order; unknown ids change nothing.
    pub fn apply_status(&mut self, order_id: &str, status: OrderStatus, at: DateTime<Utc>) -> OrderEffect {
        let Some(order) = self.orders.get_mut(order_id) else { return OrderEffect::None };
        if !order.status.is_live() {
            // Cancelled and refunded are final: stock was given back once already.
            return OrderEffect::None;
        }
        order.status = status;
        if status.is_live() {
            return OrderEffect::None;
        }
        let (sku, qty, taken, sale) = (order.sku.clone(), order.qty, order.taken, order.sale.clone());
        let amount = order.unit_price * Decimal::from(qty);
        if let Some(g) = self.gmv.get_mut(&order.currency) {
            *g -= amount;
        }
        let i = self.index(&sku);
        let reason = if status == OrderStatus::Refunded {
            Reason::Refund { order_id: order_id.to_owned() }
        } else {
            Reason::Cancel { order_id: order_id.to_owned() }
        };
        let p = &self.products[i];
        if !self.grouped(i) {
            self.book(i, p.on_hand.saturating_add(taken), p.reserved, reason, at);
        }
        self.count_sold(i, -i64::from(qty), -i64::from(qty - taken));
        OrderEffect::Returned { sku, qty, sale }
    }

    /// The platform's own count of unsold units becomes on hand (claims' holds stay inside it).
    pub fn set_available(&mut self, sku: &str, available: u32, at: DateTime<Utc>) {
        let i = self.index(sku);
        let p = &self.products[i];
        // A product with variants: the platform counts each variant by its own SKU.
        if p.on_hand != available && !self.grouped(i) {
            self.book(i, available, p.reserved, Reason::PlatformSync { available }, at);
        }
    }

    /// The operator's change to the count on hand; returns the change in units.
    pub fn adjust(&mut self, sku: &str, change: Adjust, note: &str, at: DateTime<Utc>) -> i64 {
        let i = self.index(sku);
        if self.grouped(i) {
            // Its stock is its variants': each is counted on its own.
            return 0;
        }
        let p = &self.products[i];
        let (before, after) = (p.on_hand, change.apply_to(p.on_hand));
        self.book(i, after, p.reserved, Reason::ManualAdjust { note: note.to_owned() }, at);
        i64::from(after) - i64::from(before)
    }

    /// Holds up to `qty` available units for a claim; returns how many were held.
    pub fn reserve(&mut self, sku: &str, qty: u32, claim: u64, at: DateTime<Utc>) -> u32 {
        let i = self.index(sku);
        let p = &self.products[i];
        // Claims hold a variant, never the sum of them.
        let held = if self.grouped(i) { 0 } else { qty.min(p.available) };
        if held > 0 {
            self.book(i, p.on_hand, p.reserved + held, Reason::ClaimReserved { claim }, at);
        }
        held
    }

    /// Lets go of `qty` units held for a claim.
    pub fn release(&mut self, sku: &str, qty: u32, claim: u64, at: DateTime<Utc>) {
        let i = self.index(sku);
        let p = &self.products[i];
        let qty = qty.min(p.reserved);
        if qty > 0 && !self.grouped(i) {
            self.book(i, p.on_hand, p.reserved - qty, Reason::ClaimReleased { claim }, at);
        }
    }

    /// Sells `qty` units held for a claim the operator confirmed.
    pub fn sell_reserved(&mut self, sku: &str, qty: u32, claim: u64, at: DateTime<Utc>) {
        let i = self.index(sku);
        if self.grouped(i) {
            return;
        }
        let p = &self.products[i];
        let qty = qty.min(p.reserved).min(p.on_hand);
        self.book(i, p.on_hand - qty, p.reserved - qty, Reason::ClaimConfirmed { claim }, at);
    }

    /// Books a claim the operator confirmed as the desk's own order (id `claim-ID`): its
    /// units already left on hand through [`Catalog::sell_reserved`], so only the sale is
    /// counted (orders, sold, GMV). On platforms with no checkout this is the order.
    pub fn record_claim_sale(&mut self, order: Order) {
        let i = self.index(&order.sku);
        self.count_sold(i, i64::from(order.qty), 0);
        *self.gmv.entry(order.currency.clone()).or_default() += order.unit_price * Decimal::from(order.qty);
        self.orders.insert(order.order_id.clone(), order);
    }

    /// The platform's own order now pays for `units` of a confirmed claim's `claim-ID` order:
    /// those units leave the desk's order (which goes once empty), so nothing counts twice.
    pub fn bill_claim_sale(&mut self, order_id: &str, units: u32) {
        let Some(order) = self.orders.get_mut(order_id) else { return };
        let units = units.min(order.qty);
        order.qty -= units;
        order.taken = order.taken.saturating_sub(units);
        let (sku, amount, currency) =
            (order.sku.clone(), order.unit_price * Decimal::from(units), order.currency.clone());
        if order.qty == 0 {
            self.orders.remove(order_id);
        }
        if let Some(g) = self.gmv.get_mut(&currency) {
            *g -= amount;
        }
        let i = self.index(&sku);
        self.count_sold(i, -i64::from(units), 0);
    }
}

/// `n` moved by `delta`, within 0 and `u32::MAX`.
fn add(n: u32, delta: i64) -> u32 {
    u32::try_from((i64::from(n) + delta).max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::ProductSpec;
    use proptest::prelude::*;

    fn catalog(stock: u32) -> Catalog {
        Catalog::new(&CatalogFile {
            currency: "GBP".into(),
            products: vec![ProductSpec {
                sku: "A".into(),
                name: "Almond".into(),
                price: "8.99".parse().unwrap(),
                stock,
                low_stock: 2,
                aliases: vec![],
                code: None,
                variants: vec![],
            }],
        })
    }

    fn order(id: &str, qty: u32, status: OrderStatus) -> Order {
        Order {
            order_id: id.into(),
            user_name: "Ann".into(),
            sku: "A".into(),
            qty,
            unit_price: "4.99".parse().unwrap(),
            currency: "GBP".into(),
            status,
            taken: 0,
            sale: None,
        }
    }

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
    }

    const NONE: Cover = Cover { reserved: 0, confirmed: 0 };

    fn counts(c: &Catalog) -> (u32, u32, u32) {
        let p = c.product("A").unwrap();
        (p.on_hand, p.reserved, p.available)
    }

    #[test]
    fn orders_take_stock_and_cancels_give_it_back_once() {
        let mut c = catalog(5);
        c.apply_order(order("o1", 2, OrderStatus::Paid), NONE, t(0));
        assert_eq!(c.product("A").unwrap().available, 3);
        assert_eq!(c.gmv()["GBP"].to_string(), "9.98");
        // The same order again changes nothing.
        assert_eq!(c.apply_order(order("o1", 2, OrderStatus::Paid), NONE, t(1)), OrderEffect::None);
        assert_eq!(c.product("A").unwrap().available, 3);
        c.apply_status("o1", OrderStatus::Cancelled, t(2));
        c.apply_status("o1", OrderStatus::Refunded, t(3));
        let p = c.product("A").unwrap();
        assert_eq!((p.available, p.sold), (5, 0));
        assert_eq!(c.gmv()["GBP"], Decimal::ZERO);
        let reasons: Vec<String> = c.ledger("A").map(|e| e.reason.label()).collect();
        assert_eq!(reasons, ["order o1", "cancel o1"]);
    }

    #[test]
    fn available_never_goes_negative_and_the_excess_is_oversold() {
        let mut c = catalog(1);
        let effect = c.apply_order(order("o1", 3, OrderStatus::Placed), NONE, t(0));
        assert_eq!(effect, OrderEffect::Placed { sku: "A".into(), qty: 3, oversold: 2 });
        let p = c.product("A").unwrap();
        assert_eq!((p.available, p.sold, p.oversold), (0, 3, 2));
        assert!(p.sold_out());
        assert_eq!(c.order("o1").unwrap().oversold(), 2);
        c.apply_status("o1", OrderStatus::Refunded, t(1));
        let p = c.product("A").unwrap();
        assert_eq!((p.available, p.sold, p.oversold), (1, 0, 0));
        assert_eq!(c.order("o1").unwrap().oversold(), 0);
    }

    #[test]
    fn placed_then_paid_takes_stock_once() {
        let mut c = catalog(5);
        c.apply_order(order("o1", 1, OrderStatus::Placed), NONE, t(0));
        c.apply_status("o1", OrderStatus::Paid, t(1));
        c.apply_order(order("o1", 1, OrderStatus::Paid), NONE, t(2));
        assert_eq!(c.product("A").unwrap().available, 4);
        assert_eq!(c.ledger("A").count(), 1);
    }

    #[test]
    fn platform_stock_sets_on_hand_and_holds_stay_inside_it() {
        let mut c = catalog(5);
        assert_eq!(c.reserve("A", 2, 1, t(0)), 2);
        assert_eq!(counts(&c), (5, 2, 3));
        c.set_available("A", 4, t(1));
        assert_eq!(counts(&c), (4, 2, 2));
        assert!(c.product("A").unwrap().low());
        // The same figure again is no change and no entry.
        c.set_available("A", 4, t(2));
        assert_eq!(c.ledger("A").count(), 2);
        // Below what is held: available is 0 until the claims book settles it.
        c.set_available("A", 1, t(3));
        assert_eq!(counts(&c), (1, 2, 0));
        c.set_available("NEW", 4, t(4));
        assert!(!c.product("NEW").unwrap().known);
        let last = c.ledger("A").next_back().unwrap();
        assert_eq!((last.delta_on_hand, last.delta_reserved, last.on_hand), (-3, 0, 1));
        assert_eq!(last.reason, Reason::PlatformSync { available: 1 });
    }

    #[test]
    fn a_cancelled_order_arriving_first_never_touches_stock() {
        let mut c = catalog(5);
        c.apply_order(order("o1", 1, OrderStatus::Cancelled), NONE, t(0));
        c.apply_status("o1", OrderStatus::Paid, t(1));
        assert_eq!(c.product("A").unwrap().available, 5);
        assert!(c.gmv().get("GBP").is_none());
        assert_eq!(c.ledger("A").count(), 0);
    }

    #[test]
    fn an_order_converts_its_buyers_hold_and_takes_the_rest_from_on_hand() {
        let mut c = catalog(5);
        c.reserve("A", 2, 1, t(0));
        c.reserve("A", 2, 2, t(0));
        // Claim 1's buyer orders 3: 2 held units convert, 1 more comes off on hand.
        c.apply_order(order("o1", 3, OrderStatus::Paid), Cover { reserved: 2, confirmed: 0 }, t(1));
        assert_eq!(counts(&c), (2, 2, 0));
        let e = c.ledger("A").next_back().unwrap();
        assert_eq!((e.delta_on_hand, e.delta_reserved), (-3, -2));
        // A stranger's order takes what is on hand, held or not: claim 2 is now short.
        c.apply_order(order("o2", 3, OrderStatus::Paid), NONE, t(2));
        assert_eq!(counts(&c), (0, 2, 0));
        assert_eq!(c.order("o2").unwrap().oversold(), 1);
        // An order the operator already confirmed takes nothing more.
        c.adjust("A", Adjust::Add(3), "restock", t(3));
        c.apply_order(order("o3", 1, OrderStatus::Paid), Cover { reserved: 0, confirmed: 1 }, t(4));
        assert_eq!(counts(&c), (3, 2, 1));
        assert_eq!(c.order("o3").unwrap().taken, 1);
        // ...and gives it back when cancelled.
        c.apply_status("o3", OrderStatus::Cancelled, t(5));
        assert_eq!(counts(&c), (4, 2, 2));
    }

    #[test]
    fn manual_adjusts_add_remove_and_set_with_a_reason() {
        let mut c = catalog(5);
        assert_eq!(c.adjust("A", Adjust::Add(3), "found a box", t(0)), 3);
        assert_eq!(c.adjust("A", Adjust::Remove(10), "water damage", t(1)), -8);
        assert_eq!(c.adjust("A", Adjust::Set(7), "counted", t(2)), 7);
        assert_eq!(counts(&c), (7, 0, 7));
        let notes: Vec<String> = c.ledger("A").map(|e| e.reason.label()).collect();
        assert_eq!(notes, ["adjust: found a box", "adjust: water damage", "adjust: counted"]);
        assert_eq!(Adjust::parse("+3"), Ok(Adjust::Add(3)));
        assert_eq!(Adjust::parse(" - 2 "), Ok(Adjust::Remove(2)));
        assert_eq!(Adjust::parse("−2"), Ok(Adjust::Remove(2)));
        assert_eq!(Adjust::parse("=10"), Ok(Adjust::Set(10)));
        for bad in ["", "3", "+", "+x", "=-1", "+1000001"] {
            assert!(Adjust::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Adjust::Remove(2).label(), "-2");
    }

    #[test]
    fn holds_come_out_of_available_and_confirmed_holds_are_sold() {
        let mut c = catalog(3);
        assert_eq!(c.reserve("A", 5, 1, t(0)), 3);
        assert_eq!(c.reserve("A", 1, 2, t(0)), 0);
        c.release("A", 1, 1, t(1));
        assert_eq!(counts(&c), (3, 2, 1));
        c.sell_reserved("A", 2, 1, t(2));
        assert_eq!(counts(&c), (1, 0, 1));
    }

    #[test]
    fn the_ledger_keeps_the_latest_entries_only() {
        let mut c = catalog(0);
        for n in 0..(LEDGER_KEPT as u32 + 5) {
            c.adjust("A", Adjust::Set(n), "count", t(0));
        }
        assert_eq!(c.ledger("A").count(), LEDGER_KEPT);
        assert_eq!(c.ledger("A").next_back().unwrap().on_hand, LEDGER_KEPT as u32 + 4);
    }

    /// One step of a property test against the catalog alone.
    #[derive(Clone, Debug)]
    enum Op {
        Order { id: u8, qty: u32, status: OrderStatus, held: u32, confirmed: u32 },
        Status { id: u8, status: OrderStatus },
        Sync(u32),
        Adjust(Adjust),
        Reserve(u32),
        Release(u32),
        SellReserved(u32),
    }

    fn status() -> impl Strategy<Value = OrderStatus> {
        prop_oneof![
            Just(OrderStatus::Placed),
            Just(OrderStatus::Paid),
            Just(OrderStatus::Cancelled),
            Just(OrderStatus::Refunded)
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..8, 1u32..5, status(), 0u32..3, 0u32..2).prop_map(|(id, qty, status, held, confirmed)| {
                Op::Order { id, qty, status, held, confirmed }
            }),
            (0u8..8, status()).prop_map(|(id, status)| Op::Status { id, status }),
            (0u32..12).prop_map(Op::Sync),
            prop_oneof![
                (0u32..6).prop_map(Adjust::Add),
                (0u32..6).prop_map(Adjust::Remove),
                (0u32..12).prop_map(Adjust::Set)
            ]
            .prop_map(Op::Adjust),
            (0u32..4).prop_map(Op::Reserve),
            (0u32..4).prop_map(Op::Release),
            (0u32..4).prop_map(Op::SellReserved),
        ]
    }

    proptest! {
        /// Whatever happens, on hand is the start plus every restock, sync and adjust, minus
        /// what live orders took and what was sold from holds; every order takes once and
        /// gives back once; the ledger adds up.
        #[test]
        fn the_ledger_adds_up(start in 0u32..10, ops in proptest::collection::vec(op(), 0..60)) {
            let mut c = catalog(start);
            let mut restocked: i64 = 0;
            let mut sold_from_holds: i64 = 0;
            let mut confirmed_taken: i64 = 0;
            for (n, op) in ops.into_iter().enumerate() {
                let at = t(n as i64);
                match op {
                    Op::Order { id, qty, status, held, confirmed } => {
                        let id = format!("o{id}");
                        let cover = Cover { reserved: held, confirmed };
                        let before = c.product("A").unwrap().on_hand;
                        let new = c.order(&id).is_none();
                        c.apply_order(order(&id, qty, status), cover, at);
                        if new && status.is_live() {
                            // Units already confirmed are off on hand: they count as sold before.
                            let o = c.order(&id).unwrap();
                            let took = i64::from(before) - i64::from(c.product("A").unwrap().on_hand);
                            confirmed_taken += i64::from(o.taken) - took;
                        }
                    }
                    Op::Status { id, status } => {
                        c.apply_status(&format!("o{id}"), status, at);
                    }
                    Op::Sync(n) => {
                        let before = c.product("A").unwrap().on_hand;
                        c.set_available("A", n, at);
                        restocked += i64::from(n) - i64::from(before);
                    }
                    Op::Adjust(change) => {
                        restocked += c.adjust("A", change, "count", at);
                    }
                    Op::Reserve(n) => {
                        c.reserve("A", n, 1, at);
                    }
                    Op::Release(n) => c.release("A", n, 1, at),
                    Op::SellReserved(n) => {
                        let before = c.product("A").unwrap().on_hand;
                        c.sell_reserved("A", n, 1, at);
                        sold_from_holds += i64::from(before) - i64::from(c.product("A").unwrap().on_hand);
                    }
                }
                let p = c.product("A").unwrap();
                prop_assert_eq!(p.available, p.on_hand.saturating_sub(p.reserved));
                let live_taken: i64 = c.orders().filter(|o| o.status.is_live()).map(|o| i64::from(o.taken)).sum();
                prop_assert_eq!(
                    i64::from(p.on_hand),
                    i64::from(start) + restocked - live_taken - sold_from_holds + confirmed_taken,
                );
                let oversold: u32 = c.orders().map(Order::oversold).sum();
                prop_assert_eq!(p.oversold, oversold);
                let entries: Vec<&LedgerEntry> = c.ledger("A").collect();
                prop_assert_eq!(i64::from(start) + entries.iter().map(|e| e.delta_on_hand).sum::<i64>(), i64::from(p.on_hand));
                prop_assert_eq!(entries.iter().map(|e| e.delta_reserved).sum::<i64>(), i64::from(p.reserved));
                for o in c.orders() {
                    let takes = entries.iter().filter(|e| e.reason == Reason::Order { order_id: o.order_id.clone() }).count();
                    let returns = entries
                        .iter()
                        .filter(|e| matches!(&e.reason, Reason::Cancel { order_id } | Reason::Refund { order_id } if *order_id == o.order_id))
                        .count();
                    prop_assert!(takes <= 1 && returns <= takes, "{} took {takes} and returned {returns} times", o.order_id);
                }
            }
        }
    }
}
