//! Flash sales: a limited quantity at a special price on a countdown.
//!
//! A sale's life: planned → (preheat: an announced "starts in" countdown) → live → ended
//! (time up, sold out, or ended by hand). A live sale can be paused (its clock stops) and
//! resumed, and extended while live or paused. An ended sale can run again: each run is
//! kept in its history with its start, end, reason, units and revenue. A sale with a
//! `starts_at` time begins by itself, once, its preheat early enough to go live at that
//! time (skipped, with a reason, if the whole sale would already be over or its product is
//! in another sale). Several sales may run at once, never two of one product.
//!
//! The rules for counting:
//! - A sale counts units only while it is live: orders for its product during preheat or
//!   a pause are at the normal price (the platform is not running the sale then).
//! - A live run ends sold out when it has counted its quantity.
//! - A preheating, live or paused sale also ends sold out when its product's stock runs
//!   out (available 0, by orders at any price or by the platform's stock figure): there
//!   is nothing left to sell. A sale cannot start while its product has no stock.
//! - Per-customer limits are counted per run and never refuse an order (the platform
//!   already took it): the desk flags it, and claims can refuse with
//!   [`Sales::customer_units`].
//! - Warnings come once each per run, at 30 s and 10 s left; a run shorter than a
//!   threshold skips that warning, and extending past a threshold does not repeat it.
//!
//! Every method returns what happened as [`SaleEvent`]s; the desk turns them into
//! platform commands, announcements and notices.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::model::SaleSpec;

/// Seconds left at which a live sale warns: the first, then the last call.
pub const WARNINGS: [u32; 2] = [30, 10];

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaleState {
    /// Not run yet.
    Planned,
    /// Announced, counting down to going live at `live_at`.
    Preheat { live_at: DateTime<Utc> },
    /// On sale until `ends_at`.
    Live { ends_at: DateTime<Utc> },
    /// Stopped with `remaining` on its clock; the platform is not selling it.
    Paused { remaining: Duration },
    /// Over, for `reason`; it can run again.
    Ended { reason: EndReason },
}

impl SaleState {
    /// The state's name, as the summary writes it.
    pub fn name(self) -> &'static str {
        match self {
            SaleState::Planned => "planned",
            SaleState::Preheat { .. } => "preheat",
            SaleState::Live { .. } => "live",
            SaleState::Paused { .. } => "paused",
            SaleState::Ended { .. } => "ended",
        }
    }

    /// Whether the sale is under way: preheating, live or paused.
    pub fn is_running(self) -> bool {
        matches!(self, SaleState::Preheat { .. } | SaleState::Live { .. } | SaleState::Paused { .. })
    }
}

/// One run of a sale, from its start (preheat or live) to its end.
#[derive(Clone, Debug, PartialEq)]
pub struct SaleRun {
    /// When it started: its preheat, or going live at once.
    pub started_at: DateTime<Utc>,
    /// When it went live (`None` if it ended during its preheat).
    pub live_at: Option<DateTime<Utc>>,
    /// When and why it ended (`None` while it runs).
    pub ended: Option<(DateTime<Utc>, EndReason)>,
    /// Units counted for this run, net of returns.
    pub units: u32,
    /// Sum of quantity × unit price of the orders counted, net of returns.
    pub revenue: Decimal,
}

/// Which run of which sale an order counted for, so a return is taken back from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRef {
    /// The sale's id in the plan.
    pub sale_id: String,
    /// Index into the sale's runs.
    pub run: usize,
    /// The customer's user id.
    pub customer: String,
}

/// What a sale method or a clock tick did, for the desk to act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaleEvent {
    /// The preheat countdown began (announce the sale).
    PreheatStarted { id: String },
    /// The sale went live (start it on the platform).
    Started { id: String },
    /// `secs` seconds or less are left.
    Warning { id: String, secs: u32 },
    /// The clock stopped (the platform stops selling).
    Paused { id: String },
    /// The clock runs again (the platform sells again).
    Resumed { id: String },
    /// Time was added.
    Extended { id: String, seconds: u32 },
    /// The run ended; `was_live` says whether the platform was selling it until now.
    Ended { id: String, reason: EndReason, was_live: bool },
    /// A scheduled start could not happen.
    Refused { id: String, error: SaleError },
}

/// A sale from the plan with its runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Sale {
    pub spec: SaleSpec,
    pub state: SaleState,
    /// Every run so far, oldest first; the last one is the current one while it runs.
    pub runs: Vec<SaleRun>,
    /// Which of [`WARNINGS`] this run has given (or skipped).
    warned: [bool; 2],
    /// The scheduled start has happened (or was overtaken by a start by hand).
    schedule_done: bool,
    /// Units per customer (user id) in the current run.
    customers: BTreeMap<String, u32>,
}

impl Sale {
    fn new(spec: &SaleSpec) -> Sale {
        Sale {
            spec: spec.clone(),
            state: SaleState::Planned,
            runs: Vec::new(),
            warned: [false; 2],
            schedule_done: false,
            customers: BTreeMap::new(),
        }
    }

    /// The latest run, if the sale ever ran.
    pub fn run(&self) -> Option<&SaleRun> {
        self.runs.last()
    }

    /// Units sold in the latest run.
    pub fn sold(&self) -> u32 {
        self.run().map_or(0, |r| r.units)
    }

    /// Units still to sell in this run.
    pub fn left(&self) -> u32 {
        self.spec.quantity.saturating_sub(self.sold())
    }

    /// Revenue of every run together.
    pub fn revenue(&self) -> Decimal {
        self.runs.iter().map(|r| r.revenue).sum()
    }

    /// When the latest run started.
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        self.run().map(|r| r.started_at)
    }

    /// When and why the latest run ended.
    pub fn ended(&self) -> Option<(DateTime<Utc>, EndReason)> {
        self.run().and_then(|r| r.ended)
    }

    /// Whether it is preheating, live or paused.
    pub fn is_running(&self) -> bool {
        self.state.is_running()
    }

    /// Whether the platform is selling it now.
    pub fn is_live(&self) -> bool {
        matches!(self.state, SaleState::Live { .. })
    }

    /// The sale's configured price.
    pub fn price(&self) -> Decimal {
        self.spec.price
    }

    /// Time left on the sale's own clock: frozen while paused, its full length before it
    /// goes live, zero once ended.
    pub fn remaining(&self, now: DateTime<Utc>) -> Duration {
        match self.state {
            SaleState::Live { ends_at } => (ends_at - now).max(Duration::zero()),
            SaleState::Paused { remaining } => remaining,
            SaleState::Preheat { .. } | SaleState::Planned => self.length(),
            SaleState::Ended { .. } => Duration::zero(),
        }
    }

    /// What the big countdown shows: the time to going live during preheat, else the time left.
    pub fn countdown(&self, now: DateTime<Utc>) -> Duration {
        match self.state {
            SaleState::Preheat { live_at } => (live_at - now).max(Duration::zero()),
            _ => self.remaining(now),
        }
    }

    /// The warning in force, for the pane's banner: the most urgent one given this run
    /// (not skipped for a short run) while the clock is still under it.
    pub fn warning(&self, now: DateTime<Utc>) -> Option<u32> {
        if !matches!(self.state, SaleState::Live { .. } | SaleState::Paused { .. }) {
            return None;
        }
        let left = self.remaining(now);
        let under = |secs: u32| Duration::seconds(i64::from(secs));
        WARNINGS
            .into_iter()
            .zip(self.warned)
            .filter(|&(secs, given)| given && self.length() > under(secs) && left <= under(secs))
            .map(|(secs, _)| secs)
            .min()
    }

    /// Units a customer (user id) bought in the current run.
    pub fn customer_units(&self, user_id: &str) -> u32 {
        self.customers.get(user_id).copied().unwrap_or(0)
    }

    /// When it will start by itself: its `starts_at`, until that start has happened (or
    /// was overtaken by a start by hand).
    pub fn scheduled(&self) -> Option<DateTime<Utc>> {
        self.spec.starts_at.filter(|_| !self.schedule_done)
    }

    fn length(&self) -> Duration {
        Duration::seconds(i64::from(self.spec.seconds))
    }

    /// Whether the scheduled start is due at `now`.
    fn schedule_due(&self, now: DateTime<Utc>) -> bool {
        let Some(at) = self.scheduled() else { return false };
        now >= at - Duration::seconds(i64::from(self.spec.preheat.unwrap_or(0)))
    }

    fn go_live(&mut self, now: DateTime<Utc>) -> SaleEvent {
        self.state = SaleState::Live { ends_at: now + self.length() };
        if let Some(run) = self.runs.last_mut() {
            run.live_at = Some(now);
        }
        // A run that starts under a threshold skips that warning.
        let length = self.length();
        self.warned = WARNINGS.map(|secs| length <= Duration::seconds(i64::from(secs)));
        SaleEvent::Started { id: self.spec.id.clone() }
    }

    fn finish(&mut self, reason: EndReason, now: DateTime<Utc>) -> SaleEvent {
        let was_live = self.is_live();
        self.state = SaleState::Ended { reason };
        if let Some(run) = self.runs.last_mut() {
            run.ended = Some((now, reason));
        }
        SaleEvent::Ended { id: self.spec.id.clone(), reason, was_live }
    }

    /// The next warning due at `now`, if any; the most urgent one when both are.
    fn warn(&mut self, now: DateTime<Utc>) -> Option<SaleEvent> {
        let left = self.remaining(now);
        let due = (0..WARNINGS.len())
            .rev()
            .find(|&i| !self.warned[i] && left <= Duration::seconds(i64::from(WARNINGS[i])))?;
        // Giving the 10 s warning passes the 30 s one too.
        for given in &mut self.warned[..=due] {
            *given = true;
        }
        Some(SaleEvent::Warning { id: self.spec.id.clone(), secs: WARNINGS[due] })
    }
}

/// Why a sale action was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SaleError {
    #[error("no planned sale {0:?}")]
    Unknown(String),
    #[error("sale {0:?} is already running")]
    AlreadyRunning(String),
    #[error("{sku} is already in flash sale {running:?}: end it first")]
    ProductBusy { sku: String, running: String },
    #[error("{sku} has no stock left")]
    NoStock { sku: String },
    #[error("no flash sale is running")]
    NoneRunning,
    #[error("no flash sale is live")]
    NoneLive,
    #[error("no flash sale is paused")]
    NonePaused,
    #[error("sale {0:?} is not running")]
    NotRunning(String),
    #[error("sale {0:?} is not live")]
    NotLive(String),
    #[error("sale {0:?} is not paused")]
    NotPaused(String),
    #[error("its start time {0} has passed")]
    Missed(String),
}

/// An order counted for a live sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counted {
    /// Where the units went, for returns.
    pub run: RunRef,
    /// The customer's units in this run, this order included.
    pub customer_units: u32,
    /// The sale's per-customer limit, if it has one.
    pub limit: Option<u32>,
    /// What the order did to the sale (it may have sold it out).
    pub events: Vec<SaleEvent>,
}

impl Counted {
    /// Whether this order took the customer over the per-customer limit.
    pub fn over_limit(&self) -> bool {
        self.limit.is_some_and(|l| self.customer_units > l)
    }
}

/// All planned sales, in plan order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sales {
    sales: Vec<Sale>,
    /// Units available per SKU, as the desk last said.
    stock: HashMap<String, u32>,
}

impl Sales {
    /// The plan from `sales.toml`, nothing started yet.
    pub fn new(plan: &[SaleSpec]) -> Self {
        Sales { sales: plan.iter().map(Sale::new).collect(), stock: HashMap::new() }
    }

    /// Every sale in plan order.
    pub fn all(&self) -> &[Sale] {
        &self.sales
    }

    /// A sale by id.
    pub fn get(&self, id: &str) -> Option<&Sale> {
        self.sales.iter().find(|s| s.spec.id == id)
    }

    /// Sales preheating, live or paused, in plan order.
    pub fn running(&self) -> impl Iterator<Item = &Sale> {
        self.sales.iter().filter(|s| s.is_running())
    }

    /// The live sale started last: the one the stream is about.
    pub fn live(&self) -> Option<&Sale> {
        self.latest(|s| s.is_live()).map(|i| &self.sales[i])
    }

    /// The running sale started last: what an action with no sale named acts on.
    pub fn current(&self) -> Option<&Sale> {
        self.latest(Sale::is_running).map(|i| &self.sales[i])
    }

    /// Running sales, most urgent first: live ones ending soonest, then preheats going live
    /// soonest, then paused ones.
    pub fn by_urgency(&self, now: DateTime<Utc>) -> Vec<&Sale> {
        let mut running: Vec<&Sale> = self.running().collect();
        running.sort_by_key(|s| {
            let rank = match s.state {
                SaleState::Live { .. } => 0,
                SaleState::Preheat { .. } => 1,
                _ => 2,
            };
            (rank, s.countdown(now))
        });
        running
    }

    /// Whether the platform is selling `sku` at a sale price now.
    pub fn on_sale(&self, sku: &str) -> bool {
        self.sales.iter().any(|s| s.is_live() && s.spec.sku == sku)
    }

    /// The first sale that has not run yet.
    pub fn next_planned(&self) -> Option<&Sale> {
        self.sales.iter().find(|s| s.state == SaleState::Planned)
    }

    /// Units a customer (user id) bought in the current (or last) run of a sale, for
    /// refusing claims over its per-customer limit.
    pub fn customer_units(&self, sale_id: &str, user_id: &str) -> u32 {
        self.get(sale_id).map_or(0, |s| s.customer_units(user_id))
    }

    /// Starts a sale by hand (again, if it ran before): its preheat, else live at once.
    pub fn start(&mut self, id: &str, now: DateTime<Utc>) -> Result<Vec<SaleEvent>, SaleError> {
        let i = self.index(id)?;
        self.check_start(i)?;
        let live_at = self.sales[i].spec.preheat.map(|p| now + Duration::seconds(i64::from(p)));
        Ok(self.begin(i, now, live_at))
    }

    /// Stops a live sale's clock (`None`: the live one started last).
    pub fn pause(&mut self, id: Option<&str>, now: DateTime<Utc>) -> Result<Vec<SaleEvent>, SaleError> {
        let i = self.target(id, Sale::is_live, SaleError::NoneLive, SaleError::NotLive)?;
        let sale = &mut self.sales[i];
        sale.state = SaleState::Paused { remaining: sale.remaining(now) };
        Ok(vec![SaleEvent::Paused { id: sale.spec.id.clone() }])
    }

    /// Runs a paused sale's clock again from where it stopped (`None`: the paused one
    /// started last).
    pub fn resume(&mut self, id: Option<&str>, now: DateTime<Utc>) -> Result<Vec<SaleEvent>, SaleError> {
        let paused = |s: &Sale| matches!(s.state, SaleState::Paused { .. });
        let i = self.target(id, paused, SaleError::NonePaused, SaleError::NotPaused)?;
        let sale = &mut self.sales[i];
        if let SaleState::Paused { remaining } = sale.state {
            sale.state = SaleState::Live { ends_at: now + remaining };
        }
        Ok(vec![SaleEvent::Resumed { id: sale.spec.id.clone() }])
    }

    /// Adds time to a live or paused sale (`None`: the one of those started last).
    pub fn extend(&mut self, id: Option<&str>, seconds: u32) -> Result<Vec<SaleEvent>, SaleError> {
        let extendable = |s: &Sale| matches!(s.state, SaleState::Live { .. } | SaleState::Paused { .. });
        let i = self.target(id, extendable, SaleError::NoneLive, SaleError::NotLive)?;
        let sale = &mut self.sales[i];
        let more = Duration::seconds(i64::from(seconds));
        sale.state = match sale.state {
            SaleState::Live { ends_at } => SaleState::Live { ends_at: ends_at + more },
            SaleState::Paused { remaining } => SaleState::Paused { remaining: remaining + more },
            other => other,
        };
        Ok(vec![SaleEvent::Extended { id: sale.spec.id.clone(), seconds }])
    }

    /// Ends a running sale for `reason` (`None`: the running one started last).
    pub fn end(
        &mut self,
        id: Option<&str>,
        reason: EndReason,
        now: DateTime<Utc>,
    ) -> Result<Vec<SaleEvent>, SaleError> {
        let i = self.target(id, Sale::is_running, SaleError::NoneRunning, SaleError::NotRunning)?;
        Ok(vec![self.sales[i].finish(reason, now)])
    }

    /// What the clock did by `now`: preheats going live, warnings, time up, and scheduled
    /// starts (after the ends, so a product freed now can start its next sale now).
    pub fn tick(&mut self, now: DateTime<Utc>) -> Vec<SaleEvent> {
        let mut events = Vec::new();
        for sale in &mut self.sales {
            // Stamped with when they were due, not when the tick came: after a restart the
            // history says when the sale really went live and ended.
            if let SaleState::Preheat { live_at } = sale.state
                && now >= live_at
            {
                events.push(sale.go_live(live_at));
            }
            if let SaleState::Live { ends_at } = sale.state {
                if now >= ends_at {
                    events.push(sale.finish(EndReason::TimeUp, ends_at));
                } else if let Some(warning) = sale.warn(now) {
                    events.push(warning);
                }
            }
        }
        for i in 0..self.sales.len() {
            if !self.sales[i].schedule_due(now) {
                continue;
            }
            let sale = &mut self.sales[i];
            sale.schedule_done = true;
            let (id, at) = (sale.spec.id.clone(), sale.spec.starts_at.unwrap_or(now));
            let refused = if now >= at + sale.length() {
                Err(SaleError::Missed(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
            } else {
                self.check_start(i)
            };
            match refused {
                Ok(()) => {
                    let live_at = self.sales[i].spec.preheat.map(|_| at);
                    events.extend(self.begin(i, now, live_at));
                }
                Err(error) => events.push(SaleEvent::Refused { id, error }),
            }
        }
        events
    }

    /// Counts an order's units towards the live sale of its SKU, if any.
    pub fn record_order(
        &mut self,
        sku: &str,
        qty: u32,
        unit_price: Decimal,
        customer: &str,
        now: DateTime<Utc>,
    ) -> Option<Counted> {
        let sale = self.sales.iter_mut().find(|s| s.is_live() && s.spec.sku == sku)?;
        let run = sale.runs.last_mut()?;
        run.units += qty;
        run.revenue += unit_price * Decimal::from(qty);
        let sold_out = run.units >= sale.spec.quantity;
        let units = sale.customers.entry(customer.to_owned()).or_default();
        *units += qty;
        let mut counted = Counted {
            run: RunRef {
                sale_id: sale.spec.id.clone(),
                run: sale.runs.len() - 1,
                customer: customer.into(),
            },
            customer_units: *units,
            limit: sale.spec.per_customer,
            events: Vec::new(),
        };
        if sold_out {
            counted.events.push(sale.finish(EndReason::SoldOut, now));
        }
        Some(counted)
    }

    /// Takes back a cancelled or refunded order from the run it counted for.
    pub fn record_return(&mut self, run: &RunRef, qty: u32, amount: Decimal) {
        let Some(sale) = self.sales.iter_mut().find(|s| s.spec.id == run.sale_id) else { return };
        let current = run.run + 1 == sale.runs.len();
        let Some(r) = sale.runs.get_mut(run.run) else { return };
        r.units = r.units.saturating_sub(qty);
        r.revenue -= amount;
        if current && let Some(units) = sale.customers.get_mut(&run.customer) {
            *units = units.saturating_sub(qty);
        }
    }

    /// The product's stock is now `available`: at 0, its running sale ends sold out.
    pub fn stock(&mut self, sku: &str, available: u32, now: DateTime<Utc>) -> Vec<SaleEvent> {
        match self.stock.get_mut(sku) {
            Some(known) => *known = available,
            None => {
                self.stock.insert(sku.to_owned(), available);
            }
        }
        if available > 0 {
            return Vec::new();
        }
        self.sales
            .iter_mut()
            .filter(|s| s.is_running() && s.spec.sku == sku)
            .map(|s| s.finish(EndReason::SoldOut, now))
            .collect()
    }

    fn index(&self, id: &str) -> Result<usize, SaleError> {
        self.sales.iter().position(|s| s.spec.id == id).ok_or_else(|| SaleError::Unknown(id.into()))
    }

    /// The last started sale that passes `pick`.
    fn latest(&self, pick: impl Fn(&Sale) -> bool) -> Option<usize> {
        (0..self.sales.len()).filter(|&i| pick(&self.sales[i])).max_by_key(|&i| self.sales[i].started_at())
    }

    /// The sale an action is for: the one named, which must pass `ok`, else the last
    /// started that does.
    fn target(
        &self,
        id: Option<&str>,
        ok: impl Fn(&Sale) -> bool,
        none: SaleError,
        wrong: fn(String) -> SaleError,
    ) -> Result<usize, SaleError> {
        match id {
            Some(id) => {
                let i = self.index(id)?;
                if ok(&self.sales[i]) { Ok(i) } else { Err(wrong(id.into())) }
            }
            None => self.latest(ok).ok_or(none),
        }
    }

    /// Whether sale `i` may start now.
    fn check_start(&self, i: usize) -> Result<(), SaleError> {
        let sale = &self.sales[i];
        if sale.is_running() {
            return Err(SaleError::AlreadyRunning(sale.spec.id.clone()));
        }
        let sku = &sale.spec.sku;
        if let Some(other) = self.sales.iter().find(|s| s.is_running() && s.spec.sku == *sku) {
            return Err(SaleError::ProductBusy { sku: sku.clone(), running: other.spec.id.clone() });
        }
        if self.stock.get(sku) == Some(&0) {
            return Err(SaleError::NoStock { sku: sku.clone() });
        }
        Ok(())
    }

    /// A new run of sale `i` from `now`: preheating until `live_at` when that is later,
    /// else live at once. A second round starts from zero sold.
    fn begin(&mut self, i: usize, now: DateTime<Utc>, live_at: Option<DateTime<Utc>>) -> Vec<SaleEvent> {
        let sale = &mut self.sales[i];
        sale.schedule_done = true;
        sale.customers.clear();
        sale.runs.push(SaleRun {
            started_at: now,
            live_at: None,
            ended: None,
            units: 0,
            revenue: Decimal::ZERO,
        });
        match live_at.filter(|at| *at > now) {
            Some(live_at) => {
                sale.state = SaleState::Preheat { live_at };
                vec![SaleEvent::PreheatStarted { id: sale.spec.id.clone() }]
            }
            None => vec![sale.go_live(now)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sales `a` and `b` on their own products, and `a2` on `a`'s product.
    fn plan() -> Vec<SaleSpec> {
        let price = "4.99".parse().unwrap();
        vec![
            SaleSpec::new("a", "SKU-a", price, 3, 60),
            SaleSpec::new("b", "SKU-b", price, 3, 60),
            SaleSpec::new("a2", "SKU-a", price, 3, 60),
        ]
    }

    fn with(f: impl Fn(&mut SaleSpec)) -> Sales {
        let mut plan = plan();
        f(&mut plan[0]);
        Sales::new(&plan)
    }

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    fn started(id: &str) -> SaleEvent {
        SaleEvent::Started { id: id.into() }
    }

    fn ended(id: &str, reason: EndReason, was_live: bool) -> SaleEvent {
        SaleEvent::Ended { id: id.into(), reason, was_live }
    }

    fn warning(id: &str, secs: u32) -> SaleEvent {
        SaleEvent::Warning { id: id.into(), secs }
    }

    fn state(sales: &Sales, id: &str) -> SaleState {
        sales.get(id).unwrap().state
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Every tick from `from` to `to` seconds, and what they did.
    fn ticks(sales: &mut Sales, from: i64, to: i64) -> Vec<(i64, SaleEvent)> {
        (from..=to).flat_map(|s| sales.tick(t(s)).into_iter().map(move |e| (s, e))).collect()
    }

    #[test]
    fn a_sale_goes_live_counts_down_and_ends_when_time_is_up() {
        let mut sales = Sales::new(&plan());
        assert_eq!(state(&sales, "a"), SaleState::Planned);
        assert_eq!(sales.start("a", t(0)).unwrap(), vec![started("a")]);
        assert_eq!(state(&sales, "a"), SaleState::Live { ends_at: t(60) });
        assert_eq!(sales.get("a").unwrap().remaining(t(15)).num_seconds(), 45);
        assert_eq!(
            ticks(&mut sales, 1, 60),
            vec![(30, warning("a", 30)), (50, warning("a", 10)), (60, ended("a", EndReason::TimeUp, true))]
        );
        assert_eq!(state(&sales, "a"), SaleState::Ended { reason: EndReason::TimeUp });
        assert_eq!(sales.get("a").unwrap().ended(), Some((t(60), EndReason::TimeUp)));
        assert!(sales.tick(t(61)).is_empty());
    }

    #[test]
    fn a_preheat_counts_down_to_going_live() {
        let mut sales = with(|s| s.preheat = Some(15));
        assert_eq!(sales.start("a", t(0)).unwrap(), vec![SaleEvent::PreheatStarted { id: "a".into() }]);
        assert_eq!(state(&sales, "a"), SaleState::Preheat { live_at: t(15) });
        let a = sales.get("a").unwrap();
        assert_eq!((a.countdown(t(5)).num_seconds(), a.remaining(t(5)).num_seconds()), (10, 60));
        // Orders during the preheat are at the normal price: they do not count.
        assert_eq!(sales.record_order("SKU-a", 1, dec("8.99"), "u1", t(6)), None);
        assert!(ticks(&mut sales, 1, 14).is_empty());
        assert_eq!(sales.tick(t(15)), vec![started("a")]);
        assert_eq!(state(&sales, "a"), SaleState::Live { ends_at: t(75) });
        let run = sales.get("a").unwrap().run().unwrap().clone();
        assert_eq!((run.started_at, run.live_at, run.units), (t(0), Some(t(15)), 0));
        assert_eq!(sales.tick(t(75)), vec![ended("a", EndReason::TimeUp, true)]);
    }

    #[test]
    fn a_clock_that_ran_out_unwatched_is_stamped_when_it_was_due() {
        // Preheat of 15 s, live for 60 s; the next tick comes long after (a desk restarted).
        let mut sales = with(|s| s.preheat = Some(15));
        sales.start("a", t(0)).unwrap();
        let events = sales.tick(t(500));
        assert_eq!(events, vec![started("a"), ended("a", EndReason::TimeUp, true)]);
        let run = sales.get("a").unwrap().run().unwrap();
        assert_eq!((run.live_at, run.ended), (Some(t(15)), Some((t(75), EndReason::TimeUp))));
    }

    #[test]
    fn a_live_sale_sells_out_at_its_quantity_and_keeps_its_revenue() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        assert_eq!(sales.record_order("SKU-b", 1, dec("4.99"), "u1", t(1)), None);
        let c = sales.record_order("SKU-a", 2, dec("4.99"), "u1", t(2)).unwrap();
        assert_eq!(c.run, RunRef { sale_id: "a".into(), run: 0, customer: "u1".into() });
        assert!(c.events.is_empty());
        sales.record_return(&c.run, 1, dec("4.99"));
        assert_eq!(sales.get("a").unwrap().left(), 2);
        let c = sales.record_order("SKU-a", 2, dec("4.99"), "u2", t(3)).unwrap();
        assert_eq!(c.events, vec![ended("a", EndReason::SoldOut, true)]);
        let run = sales.get("a").unwrap().run().unwrap();
        assert_eq!((run.units, run.revenue, run.ended), (3, dec("14.97"), Some((t(3), EndReason::SoldOut))));
        // Once ended, it counts nothing more.
        assert_eq!(sales.record_order("SKU-a", 1, dec("8.99"), "u3", t(4)), None);
    }

    #[test]
    fn a_sale_ends_by_hand_from_preheat_live_or_pause() {
        let mut sales = with(|s| s.preheat = Some(20));
        sales.start("a", t(0)).unwrap();
        assert_eq!(
            sales.end(None, EndReason::EndedByHand, t(5)).unwrap(),
            vec![ended("a", EndReason::EndedByHand, false)]
        );
        assert_eq!(sales.get("a").unwrap().run().unwrap().live_at, None);
        sales.start("b", t(10)).unwrap();
        assert_eq!(
            sales.end(Some("b"), EndReason::EndedByHand, t(11)).unwrap(),
            vec![ended("b", EndReason::EndedByHand, true)]
        );
        sales.start("b", t(20)).unwrap();
        sales.pause(None, t(25)).unwrap();
        // Paused, the platform is not selling it: nothing to end there.
        assert_eq!(
            sales.end(None, EndReason::EndedByHand, t(30)).unwrap(),
            vec![ended("b", EndReason::EndedByHand, false)]
        );
        assert_eq!(sales.end(None, EndReason::EndedByHand, t(31)), Err(SaleError::NoneRunning));
        assert_eq!(
            sales.end(Some("a"), EndReason::EndedByHand, t(31)),
            Err(SaleError::NotRunning("a".into()))
        );
    }

    #[test]
    fn pause_freezes_the_clock_and_resume_continues_it() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        assert_eq!(sales.resume(None, t(1)), Err(SaleError::NonePaused));
        assert_eq!(sales.pause(Some("a"), t(20)).unwrap(), vec![SaleEvent::Paused { id: "a".into() }]);
        assert_eq!(state(&sales, "a"), SaleState::Paused { remaining: Duration::seconds(40) });
        assert_eq!(sales.pause(Some("a"), t(21)), Err(SaleError::NotLive("a".into())));
        // No time runs out and no warning comes while paused, and nothing counts.
        assert!(ticks(&mut sales, 20, 200).is_empty());
        assert_eq!(sales.record_order("SKU-a", 1, dec("8.99"), "u1", t(100)), None);
        assert_eq!(sales.get("a").unwrap().countdown(t(150)).num_seconds(), 40);
        assert_eq!(sales.resume(None, t(200)).unwrap(), vec![SaleEvent::Resumed { id: "a".into() }]);
        assert_eq!(state(&sales, "a"), SaleState::Live { ends_at: t(240) });
        assert_eq!(
            ticks(&mut sales, 201, 240),
            vec![
                (210, warning("a", 30)),
                (230, warning("a", 10)),
                (240, ended("a", EndReason::TimeUp, true))
            ]
        );
    }

    #[test]
    fn extend_adds_time_while_live_and_after_a_pause() {
        let mut sales = Sales::new(&plan());
        assert_eq!(sales.extend(None, 30), Err(SaleError::NoneLive));
        sales.start("a", t(0)).unwrap();
        assert_eq!(
            sales.extend(None, 30).unwrap(),
            vec![SaleEvent::Extended { id: "a".into(), seconds: 30 }]
        );
        assert_eq!(state(&sales, "a"), SaleState::Live { ends_at: t(90) });
        sales.pause(None, t(50)).unwrap();
        sales.extend(Some("a"), 20).unwrap();
        assert_eq!(state(&sales, "a"), SaleState::Paused { remaining: Duration::seconds(60) });
        sales.resume(Some("a"), t(100)).unwrap();
        assert_eq!(state(&sales, "a"), SaleState::Live { ends_at: t(160) });
        assert!(ticks(&mut sales, 100, 159).iter().all(|(_, e)| matches!(e, SaleEvent::Warning { .. })));
        assert_eq!(sales.tick(t(160)), vec![ended("a", EndReason::TimeUp, true)]);
        // A preheat cannot be extended: it is not live yet.
        let mut sales = with(|s| s.preheat = Some(10));
        sales.start("a", t(0)).unwrap();
        assert_eq!(sales.extend(Some("a"), 30), Err(SaleError::NotLive("a".into())));
        assert_eq!(sales.pause(None, t(1)), Err(SaleError::NoneLive));
    }

    #[test]
    fn warnings_come_once_each_and_not_again_after_an_extend() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        assert_eq!(ticks(&mut sales, 1, 35), vec![(30, warning("a", 30))]);
        assert_eq!(sales.get("a").unwrap().warning(t(35)), Some(30));
        // Extended past 30 s left: the banner goes, and the warning does not come again.
        sales.extend(None, 60).unwrap();
        assert_eq!(sales.get("a").unwrap().warning(t(36)), None);
        assert_eq!(ticks(&mut sales, 36, 110), vec![(110, warning("a", 10))]);
        assert_eq!(sales.get("a").unwrap().warning(t(110)), Some(10));
        sales.extend(None, 60).unwrap();
        assert_eq!(sales.get("a").unwrap().warning(t(111)), None);
        assert!(ticks(&mut sales, 111, 179).is_empty());
        assert_eq!(sales.tick(t(180)), vec![ended("a", EndReason::TimeUp, true)]);
    }

    #[test]
    fn a_coarse_tick_gives_only_the_most_urgent_warning_and_short_runs_skip_some() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        assert_eq!(sales.tick(t(55)), vec![warning("a", 10)]);
        assert!(sales.tick(t(56)).is_empty());
        // A 20 s sale has no 30 s warning, and shows no 30 s banner.
        let mut sales = with(|s| s.seconds = 20);
        sales.start("a", t(0)).unwrap();
        assert_eq!(sales.get("a").unwrap().warning(t(1)), None);
        assert_eq!(
            ticks(&mut sales, 1, 20),
            vec![(10, warning("a", 10)), (20, ended("a", EndReason::TimeUp, true))]
        );
    }

    #[test]
    fn a_scheduled_sale_starts_at_its_time_and_only_once() {
        let mut sales = with(|s| s.starts_at = Some(t(100)));
        assert!(ticks(&mut sales, 0, 99).is_empty());
        assert_eq!(sales.get("a").unwrap().scheduled(), Some(t(100)));
        assert_eq!(sales.tick(t(100)), vec![started("a")]);
        assert_eq!(sales.get("a").unwrap().started_at(), Some(t(100)));
        assert_eq!(sales.get("a").unwrap().scheduled(), None);
        sales.end(None, EndReason::EndedByHand, t(110)).unwrap();
        assert!(ticks(&mut sales, 111, 400).is_empty());
        assert_eq!(state(&sales, "a"), SaleState::Ended { reason: EndReason::EndedByHand });
    }

    #[test]
    fn a_scheduled_preheat_starts_early_so_the_sale_goes_live_on_time() {
        let mut sales = with(|s| {
            s.starts_at = Some(t(100));
            s.preheat = Some(30);
        });
        assert!(ticks(&mut sales, 0, 69).is_empty());
        assert_eq!(sales.tick(t(70)), vec![SaleEvent::PreheatStarted { id: "a".into() }]);
        assert_eq!(state(&sales, "a"), SaleState::Preheat { live_at: t(100) });
        assert_eq!(ticks(&mut sales, 71, 100), vec![(100, started("a"))]);
        // Started late (the desk was off): a shorter preheat, same time to go live.
        let mut sales = with(|s| {
            s.starts_at = Some(t(100));
            s.preheat = Some(30);
        });
        sales.tick(t(90));
        assert_eq!(state(&sales, "a"), SaleState::Preheat { live_at: t(100) });
    }

    #[test]
    fn a_scheduled_start_started_by_hand_or_long_past_does_not_fire() {
        let mut sales = with(|s| s.starts_at = Some(t(100)));
        sales.start("a", t(50)).unwrap();
        sales.end(None, EndReason::EndedByHand, t(60)).unwrap();
        assert!(ticks(&mut sales, 61, 200).is_empty());
        // The whole sale would be over already: it is skipped, and says why.
        let mut sales = with(|s| s.starts_at = Some(t(100)));
        let events = sales.tick(t(160));
        assert!(matches!(&events[..], [SaleEvent::Refused { id, error: SaleError::Missed(_) }] if id == "a"));
        assert_eq!(state(&sales, "a"), SaleState::Planned);
        assert!(sales.tick(t(161)).is_empty());
    }

    #[test]
    fn a_scheduled_start_on_a_busy_product_is_refused_once() {
        let mut plan = plan();
        plan[2].starts_at = Some(t(10));
        let mut sales = Sales::new(&plan);
        sales.start("a", t(0)).unwrap();
        assert_eq!(
            sales.tick(t(10)),
            vec![SaleEvent::Refused {
                id: "a2".into(),
                error: SaleError::ProductBusy { sku: "SKU-a".into(), running: "a".into() }
            }]
        );
        assert!(ticks(&mut sales, 11, 59).iter().all(|(_, e)| matches!(e, SaleEvent::Warning { .. })));
        assert_eq!(sales.tick(t(60)), vec![ended("a", EndReason::TimeUp, true)]);
        assert_eq!(state(&sales, "a2"), SaleState::Planned);
    }

    #[test]
    fn a_scheduled_start_takes_the_product_as_its_last_sale_ends() {
        let mut plan = plan();
        plan[2].starts_at = Some(t(60));
        let mut sales = Sales::new(&plan);
        sales.start("a", t(0)).unwrap();
        ticks(&mut sales, 1, 59);
        assert_eq!(sales.tick(t(60)), vec![ended("a", EndReason::TimeUp, true), started("a2")]);
    }

    #[test]
    fn two_sales_on_different_products_run_at_once() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        sales.start("b", t(10)).unwrap();
        assert_eq!(sales.running().count(), 2);
        assert_eq!(sales.live().unwrap().spec.id, "b");
        assert_eq!(
            sales.by_urgency(t(20)).iter().map(|s| s.spec.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        sales.record_order("SKU-a", 1, dec("4.99"), "u1", t(11)).unwrap();
        sales.record_order("SKU-b", 2, dec("4.99"), "u1", t(11)).unwrap();
        assert_eq!((sales.get("a").unwrap().sold(), sales.get("b").unwrap().sold()), (1, 2));
        // With no sale named, actions go to the one started last.
        sales.pause(None, t(12)).unwrap();
        assert!(matches!(state(&sales, "b"), SaleState::Paused { .. }));
        assert_eq!(sales.live().unwrap().spec.id, "a");
        assert_eq!(
            sales.end(None, EndReason::EndedByHand, t(13)).unwrap(),
            vec![ended("b", EndReason::EndedByHand, false)]
        );
        assert_eq!(sales.tick(t(60)), vec![ended("a", EndReason::TimeUp, true)]);
    }

    #[test]
    fn a_second_live_sale_of_one_product_is_refused_naming_the_running_one() {
        let mut sales = with(|s| s.preheat = Some(10));
        sales.start("a", t(0)).unwrap();
        let busy = SaleError::ProductBusy { sku: "SKU-a".into(), running: "a".into() };
        assert_eq!(sales.start("a2", t(1)), Err(busy.clone()));
        assert_eq!(busy.to_string(), "SKU-a is already in flash sale \"a\": end it first");
        assert_eq!(sales.start("a", t(1)), Err(SaleError::AlreadyRunning("a".into())));
        assert_eq!(sales.start("zzz", t(1)), Err(SaleError::Unknown("zzz".into())));
        sales.tick(t(10));
        sales.pause(None, t(11)).unwrap();
        assert_eq!(sales.start("a2", t(12)), Err(busy));
        sales.end(None, EndReason::EndedByHand, t(13)).unwrap();
        assert_eq!(sales.start("a2", t(14)).unwrap(), vec![started("a2")]);
    }

    #[test]
    fn running_out_of_stock_ends_a_preheat_or_live_sale_sold_out() {
        let mut sales = with(|s| s.preheat = Some(30));
        sales.stock("SKU-a", 5, t(0));
        sales.start("a", t(0)).unwrap();
        assert!(sales.stock("SKU-a", 2, t(5)).is_empty());
        // Sold out during the preheat: it never goes live, and the platform never sold it.
        assert_eq!(sales.stock("SKU-a", 0, t(10)), vec![ended("a", EndReason::SoldOut, false)]);
        assert!(sales.tick(t(30)).is_empty());
        assert_eq!(sales.get("a").unwrap().run().unwrap().live_at, None);
        // No stock, no start.
        assert_eq!(sales.start("a", t(40)), Err(SaleError::NoStock { sku: "SKU-a".into() }));
        sales.stock("SKU-b", 9, t(40));
        sales.start("b", t(40)).unwrap();
        sales.record_order("SKU-b", 1, dec("4.99"), "u1", t(41)).unwrap();
        assert_eq!(sales.stock("SKU-b", 0, t(42)), vec![ended("b", EndReason::SoldOut, true)]);
        assert_eq!(sales.get("b").unwrap().sold(), 1);
        // A paused sale whose product runs out ends sold out too; the platform was not selling
        // it, so nothing is ended there; extend after a resume still adds time.
        sales.stock("SKU-a", 4, t(50));
        sales.start("a2", t(50)).unwrap();
        sales.tick(t(80));
        sales.pause(None, t(81)).unwrap();
        assert_eq!(sales.stock("SKU-a", 0, t(82)), vec![ended("a2", EndReason::SoldOut, false)]);
        sales.stock("SKU-a", 4, t(90));
        sales.start("a", t(90)).unwrap();
        sales.tick(t(120));
        sales.pause(None, t(130)).unwrap();
        sales.resume(None, t(140)).unwrap();
        sales.extend(None, 30).unwrap();
        assert_eq!(sales.get("a").unwrap().remaining(t(140)), Duration::seconds(80));
    }

    #[test]
    fn customers_are_counted_per_run_and_returns_come_off_their_own_run() {
        let mut sales = with(|s| s.per_customer = Some(1));
        sales.start("a", t(0)).unwrap();
        let first = sales.record_order("SKU-a", 1, dec("4.99"), "u1", t(1)).unwrap();
        assert!(!first.over_limit());
        let second = sales.record_order("SKU-a", 1, dec("4.99"), "u1", t(2)).unwrap();
        assert!(second.over_limit());
        assert_eq!((second.customer_units, second.limit), (2, Some(1)));
        assert_eq!(sales.customer_units("a", "u1"), 2);
        assert_eq!(sales.customer_units("a", "u2"), 0);
        sales.end(None, EndReason::EndedByHand, t(3)).unwrap();
        // A second round starts from zero: sold, revenue and customers.
        sales.start("a", t(10)).unwrap();
        assert_eq!((sales.get("a").unwrap().sold(), sales.customer_units("a", "u1")), (0, 0));
        let third = sales.record_order("SKU-a", 1, dec("4.99"), "u1", t(11)).unwrap();
        assert_eq!(third.run.run, 1);
        // The first round's return comes off the first round only.
        sales.record_return(&first.run, 1, dec("4.99"));
        let a = sales.get("a").unwrap();
        assert_eq!(
            a.runs.iter().map(|r| (r.units, r.revenue)).collect::<Vec<_>>(),
            [(1, dec("4.99")), (1, dec("4.99"))]
        );
        assert_eq!((a.sold(), a.revenue(), a.customer_units("u1")), (1, dec("9.98"), 1));
        sales.record_return(&third.run, 1, dec("4.99"));
        assert_eq!(sales.customer_units("a", "u1"), 0);
    }

    #[test]
    fn every_run_is_kept_with_its_start_end_reason_units_and_revenue() {
        let mut sales = Sales::new(&plan());
        sales.start("a", t(0)).unwrap();
        sales.record_order("SKU-a", 3, dec("4.99"), "u1", t(5)).unwrap();
        sales.start("a", t(100)).unwrap();
        sales.record_order("SKU-a", 1, dec("5.49"), "u2", t(101)).unwrap();
        sales.tick(t(160));
        let runs = &sales.get("a").unwrap().runs;
        assert_eq!(
            runs,
            &[
                SaleRun {
                    started_at: t(0),
                    live_at: Some(t(0)),
                    ended: Some((t(5), EndReason::SoldOut)),
                    units: 3,
                    revenue: dec("14.97"),
                },
                SaleRun {
                    started_at: t(100),
                    live_at: Some(t(100)),
                    ended: Some((t(160), EndReason::TimeUp)),
                    units: 1,
                    revenue: dec("5.49"),
                },
            ]
        );
        assert_eq!(sales.get("a").unwrap().revenue(), dec("20.46"));
    }
}
