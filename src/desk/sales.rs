//! Flash sales: a limited quantity at a special price on a countdown.
//!
//! A planned sale is started by the operator, runs until its time is up, its
//! quantity is sold or the operator ends it, and can be extended while it runs. Only
//! one sale runs at a time.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::model::SaleSpec;

/// Why a sale ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    TimeUp,
    SoldOut,
    EndedByHand,
}

impl EndReason {
    /// How the operator reads it.
    pub fn label(self) -> &'static str {
        match self {
            EndReason::TimeUp => "time up",
            EndReason::SoldOut => "sold out",
            EndReason::EndedByHand => "ended by hand",
        }
    }
}

/// Where a sale is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleState {
    Planned,
    Live,
    Ended,
}

/// A sale from the plan with its live counters.
#[derive(Clone, Debug, PartialEq)]
pub struct Sale {
    pub spec: SaleSpec,
    pub state: SaleState,
    /// Units sold under this sale.
    pub sold: u32,
    pub started_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub ended: Option<(DateTime<Utc>, EndReason)>,
}

impl Sale {
    /// Time left on the clock (zero when not running).
    pub fn remaining(&self, now: DateTime<Utc>) -> Duration {
        match (self.state, self.ends_at) {
            (SaleState::Live, Some(end)) if end > now => end - now,
            _ => Duration::zero(),
        }
    }

    /// Units still to sell under this sale.
    pub fn left(&self) -> u32 {
        self.spec.quantity.saturating_sub(self.sold)
    }

    /// The sale's configured price.
    pub fn price(&self) -> Decimal {
        self.spec.price
    }
}

/// Why a sale action was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SaleError {
    #[error("no planned sale {0:?}")]
    Unknown(String),
    #[error("sale {0:?} is already running")]
    AlreadyLive(String),
    #[error("sale {running:?} is running: end it first")]
    OtherLive { running: String },
    #[error("no flash sale is running")]
    NoneLive,
}

/// All planned sales, in plan order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sales {
    sales: Vec<Sale>,
}

impl Sales {
    /// The plan from `sales.toml`, nothing started yet.
    pub fn new(plan: &[SaleSpec]) -> Self {
        Sales {
            sales: plan
                .iter()
                .map(|spec| Sale {
                    spec: spec.clone(),
                    state: SaleState::Planned,
                    sold: 0,
                    started_at: None,
                    ends_at: None,
                    ended: None,
                })
                .collect(),
        }
    }

    /// Every sale in plan order.
    pub fn all(&self) -> &[Sale] {
        &self.sales
    }

    /// The running sale, if any.
    pub fn live(&self) -> Option<&Sale> {
        self.sales.iter().find(|s| s.state == SaleState::Live)
    }

    fn live_mut(&mut self) -> Option<&mut Sale> {
        self.sales.iter_mut().find(|s| s.state == SaleState::Live)
    }

    /// The first sale that has not run yet.
    pub fn next_planned(&self) -> Option<&Sale> {
        self.sales.iter().find(|s| s.state == SaleState::Planned)
    }

    /// Starts a planned (or already run) sale; refuses while another one runs.
    pub fn start(&mut self, id: &str, now: DateTime<Utc>) -> Result<&Sale, SaleError> {
        if let Some(live) = self.live() {
            return Err(if live.spec.id == id {
                SaleError::AlreadyLive(id.into())
            } else {
                SaleError::OtherLive { running: live.spec.id.clone() }
            });
        }
        let sale =
            self.sales.iter_mut().find(|s| s.spec.id == id).ok_or_else(|| SaleError::Unknown(id.into()))?;
        // An ended sale can run again ("do a second round!"): it starts from zero sold.
        sale.sold = 0;
        sale.ended = None;
        sale.state = SaleState::Live;
        sale.started_at = Some(now);
        sale.ends_at = Some(now + Duration::seconds(i64::from(sale.spec.seconds)));
        Ok(sale)
    }

    /// Adds time to the running sale.
    pub fn extend(&mut self, seconds: u32) -> Result<&Sale, SaleError> {
        let sale = self.live_mut().ok_or(SaleError::NoneLive)?;
        sale.ends_at = sale.ends_at.map(|e| e + Duration::seconds(i64::from(seconds)));
        Ok(sale)
    }

    /// Ends the running sale for `reason`.
    pub fn end(&mut self, reason: EndReason, now: DateTime<Utc>) -> Result<&Sale, SaleError> {
        let sale = self.live_mut().ok_or(SaleError::NoneLive)?;
        sale.state = SaleState::Ended;
        sale.ended = Some((now, reason));
        Ok(sale)
    }

    /// The running sale's id when its clock has run out.
    pub fn due_to_end(&self, now: DateTime<Utc>) -> bool {
        self.live().and_then(|s| s.ends_at).is_some_and(|end| now >= end)
    }

    /// Counts an order's units towards the running sale of its SKU; returns the sale
    /// id it counted for and whether that sold the sale out.
    pub fn record_order(&mut self, sku: &str, qty: u32) -> Option<(String, bool)> {
        let sale = self.live_mut().filter(|s| s.spec.sku == sku)?;
        sale.sold += qty;
        Some((sale.spec.id.clone(), sale.sold >= sale.spec.quantity))
    }

    /// Takes back units of a cancelled order from the sale it was placed under.
    pub fn record_return(&mut self, sale_id: &str, qty: u32) {
        if let Some(s) = self.sales.iter_mut().find(|s| s.spec.id == sale_id) {
            s.sold = s.sold.saturating_sub(qty);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Vec<SaleSpec> {
        ["a", "b"]
            .iter()
            .map(|id| SaleSpec {
                id: (*id).into(),
                sku: format!("SKU-{id}"),
                price: "4.99".parse().unwrap(),
                quantity: 3,
                seconds: 60,
            })
            .collect()
    }

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    #[test]
    fn a_sale_counts_down_and_ends_when_time_is_up() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        assert_eq!(sales.live().unwrap().remaining(t(15)).num_seconds(), 45);
        assert!(!sales.due_to_end(t(59)));
        sales.extend(30).unwrap();
        assert!(!sales.due_to_end(t(60)));
        assert!(sales.due_to_end(t(90)));
        sales.end(EndReason::TimeUp, t(90)).unwrap();
        assert_eq!(sales.all()[0].state, SaleState::Ended);
        // A second round starts from zero sold.
        sales.record_order("SKU-a", 1);
        sales.start("a", t(100)).unwrap();
        assert_eq!((sales.live().unwrap().sold, sales.live().unwrap().ended), (0, None));
    }

    #[test]
    fn only_one_sale_runs_at_a_time() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        assert_eq!(sales.start("b", t(1)), Err(SaleError::OtherLive { running: "a".into() }));
        assert_eq!(sales.start("a", t(1)), Err(SaleError::AlreadyLive("a".into())));
        assert_eq!(sales.start("zzz", t(1)).unwrap_err(), SaleError::OtherLive { running: "a".into() });
        sales.end(EndReason::EndedByHand, t(2)).unwrap();
        assert_eq!(sales.start("zzz", t(3)), Err(SaleError::Unknown("zzz".into())));
        assert_eq!(sales.extend(30), Err(SaleError::NoneLive));
    }

    #[test]
    fn orders_for_the_sale_sku_sell_it_out() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        assert_eq!(sales.record_order("SKU-b", 1), None);
        assert_eq!(sales.record_order("SKU-a", 2), Some(("a".into(), false)));
        sales.record_return("a", 1);
        assert_eq!(sales.live().unwrap().left(), 2);
        assert_eq!(sales.record_order("SKU-a", 2), Some(("a".into(), true)));
    }
}
