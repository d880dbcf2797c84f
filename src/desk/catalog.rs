//! Products, stock and orders: the counters the operator must never get wrong.
//!
//! Rules: a live order (`placed`/`paid`) takes stock once; a cancel or refund gives it
//! back once; a platform `stock` figure overrides ours; available never goes below
//! zero, and the part of an order that could not be served is counted as oversold.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::sales::RunRef;
use crate::config::model::Catalog as CatalogFile;
use crate::protocol::OrderStatus;

/// One product's live counters.
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub price: Decimal,
    pub low_stock: u32,
    /// Units that can still be sold.
    pub available: u32,
    /// Units in live orders.
    pub sold: u32,
    /// Units ordered when none were available.
    pub oversold: u32,
    /// False for products the platform sold that are not in our catalog.
    pub known: bool,
}

impl Product {
    /// Whether the product has run out.
    pub fn sold_out(&self) -> bool {
        self.available == 0
    }

    /// Whether stock is at or under its low-stock threshold (but not out).
    pub fn low(&self) -> bool {
        self.available > 0 && self.available <= self.low_stock
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
    /// Units actually taken from stock (the rest was oversold).
    pub taken: u32,
    /// The flash-sale run the order counted for, if any.
    pub sale: Option<RunRef>,
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

/// The catalog with its stock ledger and the orders seen this stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    pub currency: String,
    products: Vec<Product>,
    by_sku: HashMap<String, usize>,
    orders: HashMap<String, Order>,
    gmv: BTreeMap<String, Decimal>,
}

impl Catalog {
    /// The catalog as configured, with its starting stock.
    pub fn new(file: &CatalogFile) -> Self {
        let mut c = Catalog { currency: file.currency.clone(), ..Default::default() };
        for p in &file.products {
            c.by_sku.insert(p.sku.clone(), c.products.len());
            c.products.push(Product {
                sku: p.sku.clone(),
                name: p.name.clone(),
                price: p.price,
                low_stock: p.low_stock,
                available: p.stock,
                sold: 0,
                oversold: 0,
                known: true,
            });
        }
        c
    }

    /// Products in catalog order (unknown SKUs the platform sold come last).
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// A product by SKU.
    pub fn product(&self, sku: &str) -> Option<&Product> {
        self.by_sku.get(sku).map(|&i| &self.products[i])
    }

    /// An order by id.
    pub fn order(&self, order_id: &str) -> Option<&Order> {
        self.orders.get(order_id)
    }

    /// Number of distinct orders seen.
    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    /// Gross merchandise value per currency: live orders only.
    pub fn gmv(&self) -> &BTreeMap<String, Decimal> {
        &self.gmv
    }

    /// Total units oversold across products.
    pub fn oversold(&self) -> u32 {
        self.products.iter().map(|p| p.oversold).sum()
    }

    fn product_mut(&mut self, sku: &str) -> &mut Product {
        let i = match self.by_sku.get(sku) {
            Some(&i) => i,
            None => {
                self.by_sku.insert(sku.to_owned(), self.products.len());
                self.products.push(Product {
                    sku: sku.to_owned(),
                    name: sku.to_owned(),
                    price: Decimal::ZERO,
                    low_stock: 0,
                    available: 0,
                    sold: 0,
                    oversold: 0,
                    known: false,
                });
                self.products.len() - 1
            }
        };
        &mut self.products[i]
    }

    /// Applies an `order` event. A known order id is treated as a status update.
    pub fn apply_order(&mut self, order: Order) -> OrderEffect {
        if self.orders.contains_key(&order.order_id) {
            return self.apply_status(&order.order_id, order.status);
        }
        let mut order = order;
        let effect = if order.status.is_live() {
            let p = self.product_mut(&order.sku);
            let taken = order.qty.min(p.available);
            p.available -= taken;
            p.sold += order.qty;
            p.oversold += order.qty - taken;
            order.taken = taken;
            *self.gmv.entry(order.currency.clone()).or_default() +=
                order.unit_price * Decimal::from(order.qty);
            OrderEffect::Placed { sku: order.sku.clone(), qty: order.qty, oversold: order.qty - taken }
        } else {
            order.taken = 0;
            OrderEffect::None
        };
        self.orders.insert(order.order_id.clone(), order);
        effect
    }

    /// Applies a later status of a known order; unknown ids change nothing.
    pub fn apply_status(&mut self, order_id: &str, status: OrderStatus) -> OrderEffect {
        let Some(order) = self.orders.get_mut(order_id) else { return OrderEffect::None };
        let was_live = order.status.is_live();
        if !was_live {
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
        let p = self.product_mut(&sku);
        p.available += taken;
        p.sold -= qty;
        p.oversold -= qty - taken;
        OrderEffect::Returned { sku, qty, sale }
    }

    /// The platform's own stock figure overrides ours.
    pub fn set_available(&mut self, sku: &str, available: u32) {
        self.product_mut(sku).available = available;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::ProductSpec;

    fn catalog(stock: u32) -> Catalog {
        Catalog::new(&CatalogFile {
            currency: "GBP".into(),
            products: vec![ProductSpec {
                sku: "A".into(),
                name: "Almond".into(),
                price: "8.99".parse().unwrap(),
                stock,
                low_stock: 2,
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

    #[test]
    fn orders_take_stock_and_cancels_give_it_back_once() {
        let mut c = catalog(5);
        c.apply_order(order("o1", 2, OrderStatus::Paid));
        assert_eq!(c.product("A").unwrap().available, 3);
        assert_eq!(c.gmv()["GBP"].to_string(), "9.98");
        // The same order again changes nothing.
        assert_eq!(c.apply_order(order("o1", 2, OrderStatus::Paid)), OrderEffect::None);
        assert_eq!(c.product("A").unwrap().available, 3);
        c.apply_status("o1", OrderStatus::Cancelled);
        c.apply_status("o1", OrderStatus::Refunded);
        let p = c.product("A").unwrap();
        assert_eq!((p.available, p.sold), (5, 0));
        assert_eq!(c.gmv()["GBP"], Decimal::ZERO);
    }

    #[test]
    fn available_never_goes_negative_and_the_excess_is_oversold() {
        let mut c = catalog(1);
        let effect = c.apply_order(order("o1", 3, OrderStatus::Placed));
        assert_eq!(effect, OrderEffect::Placed { sku: "A".into(), qty: 3, oversold: 2 });
        let p = c.product("A").unwrap();
        assert_eq!((p.available, p.sold, p.oversold), (0, 3, 2));
        assert!(p.sold_out());
        c.apply_status("o1", OrderStatus::Refunded);
        let p = c.product("A").unwrap();
        assert_eq!((p.available, p.sold, p.oversold), (1, 0, 0));
    }

    #[test]
    fn placed_then_paid_takes_stock_once() {
        let mut c = catalog(5);
        c.apply_order(order("o1", 1, OrderStatus::Placed));
        c.apply_status("o1", OrderStatus::Paid);
        c.apply_order(order("o1", 1, OrderStatus::Paid));
        assert_eq!(c.product("A").unwrap().available, 4);
    }

    #[test]
    fn platform_stock_overrides_and_low_stock_shows() {
        let mut c = catalog(5);
        c.set_available("A", 2);
        assert!(c.product("A").unwrap().low());
        c.set_available("NEW", 4);
        assert!(!c.product("NEW").unwrap().known);
    }

    #[test]
    fn a_cancelled_order_arriving_first_never_touches_stock() {
        let mut c = catalog(5);
        c.apply_order(order("o1", 1, OrderStatus::Cancelled));
        c.apply_status("o1", OrderStatus::Paid);
        assert_eq!(c.product("A").unwrap().available, 5);
        assert!(c.gmv().get("GBP").is_none());
    }
}
