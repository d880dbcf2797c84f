//! Sell-out forecast: when a product will run out at the rate it sells now.
//!
//! The rate is read off the stock ledger, so it needs no state of its own and a restock moves
//! it at once. Demand is what leaves "available": an order taking open stock and a hold for a
//! claim count out; a cancel, a refund and a released hold count back in (netted, so a hold
//! that expires and goes to the next in line counts once); a confirmed hold or an order served
//! from its buyer's hold moves nothing, since the hold already counted. Manual adjusts and
//! platform counts change what is left, not the rate. Each unit weighs less as it ages
//! (e-fold every [`TAU_SECS`]), so a burst fades within minutes and a steady seller holds.
//!
//! A rush must be seen as it starts, when a flash sale opens and the last units go in
//! seconds: a one-minute average then says a tenth of the rate. So the rate is read twice,
//! and the faster reading wins (an early prompt costs little; overselling costs refunds):
//! smoothed over the lookback, divided by the weight it has had time to gather since the
//! first sale ([`span_weight`]), not the full window's; and over the fastest span of the last
//! [`FAST_SECS`], so twenty units in the first ten seconds of a rush read as two a second,
//! not a third of one, even after slow sales.
//! The ledger keeps [`super::catalog::LEDGER_KEPT`] entries a product: enough for minutes of
//! even a rush.

use chrono::{DateTime, Duration, Utc};

use super::State;
use super::catalog::{Catalog, LedgerEntry, Product, Reason};

/// Seconds over which a unit's weight falls by e: long enough to smooth single orders,
/// short enough that a rush that ended stops warning within a few minutes.
pub const TAU_SECS: f64 = 60.0;
/// How far back the fastest span is looked for: long enough for a few sales of a brisk
/// seller, short enough that only what sells now counts.
pub const FAST_SECS: f64 = 75.0;
/// How far back the ledger is read (five e-folds: older units weigh under 1%).
pub const LOOKBACK: Duration = Duration::minutes(5);
/// The shortest span a rate is read over: three orders in one second are not three a second.
pub const MIN_SPAN_SECS: f64 = 10.0;
/// Sales (orders or holds, whatever their size) that must have come in [`LOOKBACK`] before
/// the desk says anything: fewer is noise, and one big order is one buyer, not a rate.
pub const MIN_SALES: usize = 3;
/// Forecasts further out than this are not said: the rate will change before then.
pub const HORIZON: Duration = Duration::minutes(15);
/// A product out within this gets the prompt of what the operator can do.
pub const SOON: Duration = Duration::minutes(3);

/// One product's forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct SellOut {
    pub sku: String,
    /// Units that can still be sold.
    pub left: u32,
    /// Units a minute leaving now, weighted towards the latest.
    pub per_minute: f64,
    /// When it will be out at that rate, from `now`.
    pub out_in: Duration,
}

impl SellOut {
    /// Whether it is out soon enough for the operator to act (see [`SOON`]).
    pub fn soon(&self) -> bool {
        self.out_in <= SOON
    }

    /// "~40 s" under a minute, "~2 min" after: the rate is an estimate, so is this.
    pub fn label(&self) -> String {
        let secs = self.out_in.num_seconds().max(1);
        if secs < 60 { format!("~{} s", (secs + 9) / 10 * 10) } else { format!("~{} min", (secs + 30) / 60) }
    }
}

/// Units a ledger entry took from what can be sold because a buyer wanted them (negative:
/// given back); counts and adjusts are no demand.
pub fn demand(entry: &LedgerEntry) -> i64 {
    match entry.reason {
        Reason::ManualAdjust { .. } | Reason::PlatformSync { .. } => 0,
        _ => entry.delta_reserved - entry.delta_on_hand,
    }
}

/// When `left` units run out at the rate of `moves` (time, units out) seen by `now`; `None`
/// when the rate says little (too few sales, none left, past [`HORIZON`]).
pub fn out_in(
    moves: impl IntoIterator<Item = (DateTime<Utc>, i64)>,
    left: u32,
    now: DateTime<Utc>,
) -> Option<(f64, Duration)> {
    if left == 0 {
        return None;
    }
    // (age in seconds, units), newest first: the fastest span reads them in that order.
    let mut moves: Vec<(f64, i64)> = moves
        .into_iter()
        .filter(|&(at, n)| now - at <= LOOKBACK && n != 0)
        .map(|(at, n)| ((now - at).num_milliseconds().max(0) as f64 / 1000.0, n))
        .collect();
    moves.sort_by(|a, b| a.0.total_cmp(&b.0));
    let per_sec = match (smoothed(&moves), fastest_span(&moves)) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b)?,
    };
    let secs = f64::from(left) / per_sec;
    if secs > HORIZON.num_seconds() as f64 {
        return None;
    }
    Some((per_sec * 60.0, Duration::milliseconds((secs * 1000.0).round() as i64)))
}

/// Units a second over the lookback, each unit weighing less as it ages: the units after
/// the first sale over the weight a steady rate of one a second would have gathered since it
/// (the first sale marks when the selling began: n sales are n - 1 gaps). `None` under
/// [`MIN_SALES`] sales, or when nothing is leaving.
fn smoothed(moves: &[(f64, i64)]) -> Option<f64> {
    let sales = moves.iter().filter(|(_, n)| *n > 0);
    if sales.clone().count() < MIN_SALES {
        return None;
    }
    let (first_age, first_units) =
        sales.fold((0.0, 0), |(age, n), &(a, u)| if a > age { (a, u) } else { (age, n) });
    let weighted: f64 = moves.iter().map(|&(age, n)| n as f64 * (-age / TAU_SECS).exp()).sum::<f64>()
        - first_units as f64 * (-first_age / TAU_SECS).exp();
    let per_sec = weighted / span_weight(first_age.max(MIN_SPAN_SECS), TAU_SECS);
    (per_sec > 0.0).then_some(per_sec)
}

/// Units a second over the fastest recent span: for each sale of the last [`FAST_SECS`], the
/// units after it over the seconds since it ([`MIN_SPAN_SECS`] at the least), with
/// [`MIN_SALES`] sales in the span; the highest. A rush that began seconds ago reads at its
/// own rate, however slow the sales before it.
fn fastest_span(newest_first: &[(f64, i64)]) -> Option<f64> {
    let (mut units, mut sales, mut best) = (0i64, 0usize, None::<f64>);
    for &(age, n) in newest_first.iter().take_while(|(age, _)| *age <= FAST_SECS) {
        if n > 0 {
            sales += 1;
            let per_sec = units as f64 / age.max(MIN_SPAN_SECS);
            if sales >= MIN_SALES && per_sec > 0.0 {
                best = Some(best.map_or(per_sec, |b| b.max(per_sec)));
            }
        }
        units += n;
    }
    best
}

/// The weight one unit a second over the last `span` seconds has on the scale `tau`:
/// `tau (1 - e^(-span/tau))`, which is `tau` once the span is long.
fn span_weight(span: f64, tau: f64) -> f64 {
    tau * (1.0 - (-span / tau).exp())
}

/// A product's forecast at `now` (a product with variants: theirs together).
pub fn sell_out(catalog: &Catalog, p: &Product, now: DateTime<Utc>) -> Option<SellOut> {
    let moves = |sku: &str| {
        catalog.ledger(sku).rev().take_while(|e| now - e.at <= LOOKBACK).map(|e| (e.at, demand(e))).collect()
    };
    let moves: Vec<(DateTime<Utc>, i64)> = if p.variants.is_empty() {
        moves(&p.sku)
    } else {
        p.variants.iter().flat_map(|v| moves(v)).collect::<Vec<_>>()
    };
    let (per_minute, out_in) = out_in(moves, p.available, now)?;
    Some(SellOut { sku: p.sku.clone(), left: p.available, per_minute, out_in })
}

impl State {
    /// Every product that will sell out within [`HORIZON`], the soonest first.
    pub(super) fn sell_outs(&self, now: DateTime<Utc>) -> Vec<SellOut> {
        let mut all: Vec<SellOut> =
            self.catalog.products().iter().filter_map(|p| sell_out(&self.catalog, p, now)).collect();
        all.sort_by_key(|s| s.out_in);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
    }

    /// One unit every `every` seconds from `from` to `to`.
    fn steady(from: i64, to: i64, every: usize) -> Vec<(DateTime<Utc>, i64)> {
        (from..=to).step_by(every).map(|s| (t(s), 1)).collect()
    }

    #[test]
    fn a_steady_seller_is_out_when_its_rate_says() {
        // Two units a minute for ten minutes, 4 left: about two minutes.
        // Read between two orders, as the pane is drawn.
        let (per_minute, out) = out_in(steady(0, 600, 30), 4, t(615)).unwrap();
        assert!((per_minute - 2.0).abs() < 0.2, "{per_minute}");
        assert!((110..=130).contains(&out.num_seconds()), "{out}");
    }

    #[test]
    fn a_rush_is_read_at_its_rate_from_its_first_seconds() {
        // A flash sale opens at 0: two units a second. Ten seconds in, 30 are left: ~15 s.
        let rush: Vec<_> = (0..20).map(|i| (t(0) + Duration::milliseconds(i * 500), 1)).collect();
        let (per_minute, out) = out_in(rush, 30, t(10)).unwrap();
        assert!((100.0..=140.0).contains(&per_minute), "{per_minute}");
        assert!((12..=18).contains(&out.num_seconds()), "{out}");
    }

    #[test]
    fn a_rush_after_slow_sales_is_read_at_the_rushs_rate() {
        // One a minute for five minutes, then two a second for ten seconds: the slow past
        // must not hold the forecast back.
        let mut moves = steady(-290, -50, 60);
        moves.extend((0..20).map(|i| (t(0) + Duration::milliseconds(i * 500), 1)));
        let (per_minute, out) = out_in(moves, 30, t(10)).unwrap();
        assert!(per_minute >= 90.0, "{per_minute}");
        assert!(out.num_seconds() <= 20, "{out}");
    }

    #[test]
    fn three_orders_in_a_second_are_not_three_a_second() {
        let (per_minute, _) = out_in([(t(0), 1), (t(0), 1), (t(1), 1)], 10, t(1)).unwrap();
        // Read over ten seconds at the least: far under the 180 a minute one second says.
        // The first of them opens the span: two units over ten seconds at the most.
        let most = 2.0 * 60.0 / span_weight(MIN_SPAN_SECS, TAU_SECS);
        assert!(per_minute <= most + 1e-9 && per_minute < 20.0, "{per_minute}");
    }

    #[test]
    fn a_burst_warns_then_fades_once_it_is_calm() {
        let burst: Vec<_> = (0..10).map(|s| (t(s), 1)).collect();
        let (_, out) = out_in(burst.clone(), 10, t(10)).unwrap();
        assert!(out <= SOON, "{out}");
        // Three calm minutes later the same ten units say it is not selling now.
        assert_eq!(out_in(burst.clone(), 10, t(190)), None);
        // And past the lookback they count for nothing.
        assert_eq!(out_in(burst, 1, t(400)), None);
    }

    #[test]
    fn slow_sellers_and_products_already_out_get_nothing() {
        assert_eq!(out_in([(t(0), 1), (t(100), 1)], 1, t(110)), None, "two sales are no rate");
        assert_eq!(out_in([(t(100), 12)], 3, t(110)), None, "one big order is one buyer");
        assert_eq!(out_in(steady(0, 600, 120), 30, t(600)), None, "past the horizon");
        assert_eq!(out_in(steady(0, 600, 10), 0, t(600)), None, "already out");
    }

    #[test]
    fn returns_are_netted() {
        let mut moves = steady(0, 60, 10);
        moves.extend((0..7).map(|s| (t(61 + s), -1)));
        assert_eq!(out_in(moves, 5, t(70)), None, "everything came back");
    }

    fn desk_catalog(stock: u32) -> Catalog {
        use crate::config::model::{Catalog as CatalogFile, ProductSpec};
        Catalog::new(&CatalogFile {
            currency: "GBP".into(),
            products: vec![ProductSpec {
                sku: "MUG".into(),
                name: "Mug".into(),
                price: "5".parse().unwrap(),
                stock,
                low_stock: 1,
                aliases: vec![],
                code: None,
                variants: vec![],
            }],
        })
    }

    fn sell(c: &mut Catalog, n: u32, at: DateTime<Utc>) {
        use super::super::catalog::{Cover, Order};
        use crate::protocol::OrderStatus;
        let order = Order::placed(
            format!("o{n}"),
            "bea",
            "MUG".into(),
            1,
            "5".parse().unwrap(),
            "GBP".into(),
            OrderStatus::Paid,
        );
        c.apply_order(order, Cover::default(), at);
    }

    #[test]
    fn a_restock_moves_the_forecast_and_a_cancel_slows_it() {
        use super::super::catalog::Adjust;
        let mut c = desk_catalog(20);
        for n in 0..12 {
            sell(&mut c, n, t(i64::from(n) * 10));
        }
        let now = t(120);
        let mug = |c: &Catalog| sell_out(c, c.product("MUG").unwrap(), now);
        let before = mug(&c).unwrap();
        assert_eq!(before.left, 8);
        c.adjust("MUG", Adjust::Add(4), "found a box", now);
        let after = mug(&c).unwrap();
        assert_eq!(after.left, 12);
        assert!(after.out_in > before.out_in, "{before:?} {after:?}");
        assert!((after.per_minute - before.per_minute).abs() < 1e-9, "a restock is no demand");
        c.apply_status("o11", crate::protocol::OrderStatus::Cancelled, now);
        assert!(mug(&c).unwrap().per_minute < after.per_minute, "a cancel gives a unit back");
        c.adjust("MUG", Adjust::Set(0), "counted", now);
        assert_eq!(mug(&c), None, "out already: nothing to forecast");
    }

    #[test]
    fn labels_round_to_what_an_estimate_can_say() {
        let at =
            |secs| SellOut { sku: "X".into(), left: 1, per_minute: 1.0, out_in: Duration::seconds(secs) };
        assert_eq!(at(33).label(), "~40 s");
        assert_eq!(at(0).label(), "~10 s");
        assert_eq!(at(100).label(), "~2 min");
        assert_eq!(at(130).label(), "~2 min");
    }

    fn moves() -> impl Strategy<Value = Vec<(i64, i64)>> {
        prop::collection::vec((0i64..400, -2i64..6), 0..60)
    }

    proptest! {
        #[test]
        fn never_negative_and_more_stock_is_never_sooner(m in moves(), a in 1u32..50, extra in 0u32..50) {
            let m: Vec<_> = m.into_iter().map(|(s, n)| (t(s), n)).collect();
            let now = t(400);
            let less = out_in(m.clone(), a, now);
            let more = out_in(m, a + extra, now);
            if let Some((rate, out)) = less {
                prop_assert!(rate > 0.0 && out >= Duration::zero());
            }
            if let Some((_, later)) = more {
                let (_, sooner) = less.expect("fewer units run out no later");
                prop_assert!(sooner <= later);
            }
        }
    }
}
