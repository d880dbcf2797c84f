//! Property tests: any run of claims, orders and adjustments keeps the stock whole, and
//! a journal replayed gives the same desk.

use super::*;
use proptest::prelude::*;

const USERS: [&str; 4] = ["ann", "bea", "cat", "dee"];

/// One thing that can happen to a desk selling claims and orders.
#[derive(Clone, Debug)]
enum Step {
    Claim { user: usize, text: &'static str },
    Order { id: u8, user: usize, qty: u32, status: OrderStatus },
    Update { id: u8, status: OrderStatus },
    Sync(u32),
    Adjust(catalog::Adjust),
    Confirm(u64),
    Reject(u64),
    Pin,
    Wait(i64),
}

const CLAIMS: [&str; 6] = [
    "mine",
    "sold almond pink",
    "sold 2 almond pink",
    "buy almond pink x3",
    "SOLD!!",
    "sold 1 almond-pink 💅",
];

fn status() -> impl Strategy<Value = OrderStatus> {
    prop_oneof![
        Just(OrderStatus::Placed),
        Just(OrderStatus::Paid),
        Just(OrderStatus::Cancelled),
        Just(OrderStatus::Refunded)
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..USERS.len(), proptest::sample::select(CLAIMS.to_vec())).prop_map(|(user, text)| Step::Claim { user, text }),
        3 => (0u8..8, 0..USERS.len(), 1u32..4, status()).prop_map(|(id, user, qty, status)| Step::Order { id, user, qty, status }),
        2 => (0u8..8, status()).prop_map(|(id, status)| Step::Update { id, status }),
        1 => (0u32..8).prop_map(Step::Sync),
        1 => prop_oneof![
            (0u32..5).prop_map(catalog::Adjust::Add),
            (0u32..5).prop_map(catalog::Adjust::Remove),
            (0u32..8).prop_map(catalog::Adjust::Set)
        ].prop_map(Step::Adjust),
        1 => (1u64..12).prop_map(Step::Confirm),
        1 => (1u64..12).prop_map(Step::Reject),
        1 => Just(Step::Pin),
        2 => (0i64..400).prop_map(Step::Wait),
    ]
}

/// The journal of inputs a run of steps makes, with their times.
fn journal(steps: &[Step]) -> Vec<(Input, DateTime<Utc>)> {
    let mut now = 0;
    let mut out = Vec::new();
    for (n, s) in steps.iter().enumerate() {
        let seq = n as u64 + 10;
        let input = match s {
            Step::Claim { user, text } => chat(seq, USERS[*user], text),
            Step::Order { id, user, qty, status } => {
                claimer_order(seq, &format!("o{id}"), USERS[*user], *qty, *status)
            }
            Step::Update { id, status } => update(seq, &format!("o{id}"), *status),
            Step::Sync(n) => stock(seq, *n),
            Step::Adjust(change) => Input::Operator(Action::AdjustStock {
                sku: "ALMOND-PINK".into(),
                change: *change,
                reason: "count".into(),
            }),
            Step::Confirm(id) => Input::Operator(Action::ConfirmClaim { id: *id }),
            Step::Reject(id) => Input::Operator(Action::RejectClaim { id: *id }),
            Step::Pin => Input::Operator(Action::PinProduct { sku: Some("ALMOND-PINK".into()) }),
            Step::Wait(secs) => {
                now += secs;
                Input::Tick
            }
        };
        out.push((input, t(now)));
    }
    out
}

/// What must hold after every input.
fn check(d: &Desk, start: u32, restocked: i64) -> Result<(), TestCaseError> {
    let p = d.catalog().product("ALMOND-PINK").unwrap();
    prop_assert!(p.reserved <= p.on_hand, "held {} of {} on hand", p.reserved, p.on_hand);
    prop_assert_eq!(p.available, p.on_hand - p.reserved);
    use crate::desk::claims::ClaimState;
    // The units of the open claims in a state.
    let units = |in_state: fn(&ClaimState) -> bool| -> u32 {
        d.claims().open().filter(|c| in_state(&c.state)).map(|c| c.qty).sum()
    };
    // Held units are exactly the held claims'.
    prop_assert_eq!(p.reserved, units(|s| matches!(s, ClaimState::Active { .. })));
    // First-paid: nothing is held, and nobody's claim stays unpaid once nothing is left
    // (but one whose buyer's placed order waits to be paid).
    if d.claims().policy() == crate::config::model::ClaimPolicy::FirstPaid {
        prop_assert_eq!(p.reserved, 0);
        let unpaid = d.claims().open().any(|c| {
            matches!(c.state, ClaimState::Unpaid { .. }) && !d.claims().awaits_payment(&c.user_id, &c.sku)
        });
        prop_assert!(!(unpaid && p.available == 0), "a claim is unpaid with nothing left");
    }
    // Nobody waits while something is available (first-paid: while something is available
    // that no unpaid claim wants: the line is called for what is free).
    let waiting = d.claims().open().any(|c| c.state == ClaimState::Waiting);
    let free = p.available.saturating_sub(units(|s| matches!(s, ClaimState::Unpaid { .. })));
    prop_assert!(!(waiting && free > 0), "a claim waits with {} available, {} free", p.available, free);
    // On hand = start + restocks (syncs, adjusts) − net sold: the units live orders took,
    // the desk's `claim-ID` orders among them (claims the operator confirmed that no
    // platform order has paid for yet).
    let live: i64 = d.catalog().orders().filter(|o| o.status.is_live()).map(|o| i64::from(o.taken)).sum();
    prop_assert_eq!(i64::from(p.on_hand), i64::from(start) + restocked - live);
    let claim_orders: i64 =
        d.catalog().orders().filter(|o| o.order_id.starts_with("claim-")).map(|o| i64::from(o.qty)).sum();
    let unbilled: i64 = d.claims().unbilled().map(|(_, _, n)| i64::from(n)).sum();
    prop_assert_eq!(claim_orders, unbilled, "each confirmed claim is on the books once");
    // GMV is the live orders' value, claim orders included.
    let value: rust_decimal::Decimal = d
        .catalog()
        .orders()
        .filter(|o| o.status.is_live())
        .map(|o| o.unit_price * rust_decimal::Decimal::from(o.qty))
        .sum();
    prop_assert_eq!(d.catalog().gmv().get("GBP").copied().unwrap_or_default(), value);
    // Every order id took stock at most once, and gave it back at most once.
    let entries: Vec<&catalog::LedgerEntry> = d.catalog().ledger("ALMOND-PINK").collect();
    for o in d.catalog().orders() {
        let id = &o.order_id;
        let takes = entries
            .iter()
            .filter(|e| matches!(&e.reason, catalog::Reason::Order { order_id } if order_id == id))
            .count();
        let backs = entries
            .iter()
            .filter(|e| matches!(&e.reason, catalog::Reason::Cancel { order_id } | catalog::Reason::Refund { order_id } if order_id == id))
            .count();
        prop_assert!(takes <= 1 && backs <= takes, "{id}: {takes} takes, {backs} returns");
    }
    // The ledger adds up to the counters.
    let on_hand: i64 = i64::from(start) + entries.iter().map(|e| e.delta_on_hand).sum::<i64>();
    prop_assert_eq!(on_hand, i64::from(p.on_hand));
    prop_assert_eq!(entries.iter().map(|e| e.delta_reserved).sum::<i64>(), i64::from(p.reserved));
    Ok(())
}

/// Runs `steps` on `d`, checking the stock after every input.
fn stays_sound(mut d: Desk, steps: &[Step]) -> Result<(), TestCaseError> {
    let start = 20;
    let mut restocked = 0i64;
    for (input, now) in journal(steps) {
        let before = d.catalog().product("ALMOND-PINK").unwrap().on_hand;
        let restock = matches!(input, Input::Operator(Action::AdjustStock { .. }))
            || matches!(&input, Input::Feed(f) if matches!(f.event, Event::Stock { .. }));
        d.apply(input, now);
        if restock {
            // Only the sync or adjust itself moves on hand in such an input.
            let after = d.catalog().product("ALMOND-PINK").unwrap().on_hand;
            restocked += i64::from(after) - i64::from(before);
        }
        check(&d, start, restocked)?;
    }
    Ok(())
}

/// A desk whose claims hold nothing until paid, with a reminder two minutes before the end.
fn first_paid_desk() -> Desk {
    let mut setup = setup();
    setup.shop.claims.policy = crate::config::model::ClaimPolicy::FirstPaid;
    setup.shop.claims.reminder_minutes = Some(2);
    Desk::new(setup)
}

proptest! {
    /// Any interleaving of claims, orders, cancels, refunds, expiries, restocks, syncs and
    /// the operator's decisions keeps the stock sound.
    #[test]
    fn stock_stays_sound_whatever_happens(steps in proptest::collection::vec(step(), 0..80)) {
        stays_sound(desk(), &steps)?;
    }

    /// The same under the first-paid policy with reminders: nothing is ever held, and no
    /// claim stays unpaid once nothing is left to sell.
    #[test]
    fn stock_stays_sound_when_the_first_to_pay_wins(steps in proptest::collection::vec(step(), 0..80)) {
        stays_sound(first_paid_desk(), &steps)?;
    }

    /// However the stock swings, no buyer is told twice within the window that their claim
    /// is held, or that it waits.
    #[test]
    fn no_buyer_hears_the_same_claim_news_twice_within_the_window(
        swings in proptest::collection::vec((0u32..4, 0i64..90), 1..60),
    ) {
        let mut d = desk();
        let mut said: Vec<(i64, String)> = Vec::new();
        let mut now = 0;
        let mut seq = 1;
        let mut apply = |d: &mut Desk, input, now, seq: &mut u64| {
            *seq += 1;
            let out = d.apply(input, t(now));
            said.extend(sent_texts(&out).into_iter().map(|text| (now, text)));
        };
        apply(&mut d, stock(seq, 1), now, &mut seq);
        for name in USERS {
            let input = chat(seq, name, "sold almond pink");
            apply(&mut d, input, now, &mut seq);
        }
        for (available, wait) in swings {
            now += wait;
            apply(&mut d, stock(seq, available), now, &mut seq);
        }
        for name in USERS {
            for news in ["is held for you now", "you're in line for"] {
                let times: Vec<i64> = said
                    .iter()
                    .filter(|(_, text)| text.starts_with(&format!("@{name} ")) && text.contains(news))
                    .map(|(at, _)| *at)
                    .collect();
                for pair in times.windows(2) {
                    prop_assert!(
                        pair[1] - pair[0] >= crate::desk::claims::BUYER_NEWS_QUIET.num_seconds(),
                        "{name} heard “{news}” at {} and {}", pair[0], pair[1]
                    );
                }
            }
        }
    }

    /// The same journal applied twice, to two desks, gives the same state.
    #[test]
    fn the_same_journal_gives_the_same_state(steps in proptest::collection::vec(step(), 0..60)) {
        let run = || {
            let mut d = desk();
            let outs: Vec<Output> = journal(&steps).into_iter().flat_map(|(i, now)| d.apply(i, now)).collect();
            (d.catalog().clone(), d.claims().clone(), d.summary(), outs)
        };
        let (a, b) = (run(), run());
        prop_assert_eq!(&a.0, &b.0);
        prop_assert_eq!(&a.1, &b.1);
        prop_assert_eq!(&a.2, &b.2);
        prop_assert_eq!(&a.3, &b.3);
    }

    /// Orders sent again (a replay overlapping what was applied) change nothing: each order
    /// id takes stock once.
    #[test]
    fn feed_events_sent_again_change_nothing(steps in proptest::collection::vec(step(), 0..60)) {
        let mut d = desk();
        let journal = journal(&steps);
        let end = journal.last().map_or(t(0), |(_, now)| *now);
        for (input, now) in journal.clone() {
            d.apply(input, now);
        }
        let (catalog, claims) = (d.catalog().clone(), d.claims().clone());
        for (input, _) in journal {
            if matches!(&input, Input::Feed(f) if matches!(f.event, Event::Order { .. })) {
                d.apply(input, end);
            }
        }
        let orders = |c: &catalog::Catalog| {
            c.orders().map(|o| (o.order_id.clone(), (o.taken, o.status.is_live()))).collect::<BTreeMap<_, _>>()
        };
        prop_assert_eq!(orders(d.catalog()), orders(&catalog));
        prop_assert_eq!(d.catalog().products(), catalog.products());
        prop_assert_eq!(d.claims(), &claims);
    }
}

/// One thing that can happen in a first-paid race for the last units.
#[derive(Clone, Debug)]
enum Race {
    Claim(usize),
    /// The buyer pays for their claim, if it is unpaid and the platform has the units.
    Pay(usize),
    Restock(u32),
    /// The n-th paid order is refunded.
    Refund(usize),
    Wait(i64),
}

const RACERS: [&str; 6] = ["ann", "bea", "cat", "dee", "eve", "fay"];

fn race() -> impl Strategy<Value = Race> {
    prop_oneof![
        4 => (0..RACERS.len()).prop_map(Race::Claim),
        3 => (0..RACERS.len()).prop_map(Race::Pay),
        1 => (1u32..3).prop_map(Race::Restock),
        1 => (0usize..4).prop_map(Race::Refund),
        2 => (0i64..400).prop_map(Race::Wait),
    ]
}

proptest! {
    /// First-paid, one almond pink left and a crowd claiming it: whatever the order of claims,
    /// payments, restocks, refunds and expiries, nothing is oversold, the line is never called
    /// for more units than are free, and it is called in arrival order: nobody who claimed
    /// later is asked to pay while someone who claimed earlier still waits. A replay is equal.
    #[test]
    fn first_paid_a_race_with_restocks_never_oversells_and_calls_the_line_in_order(
        steps in proptest::collection::vec(race(), 1..80),
    ) {
        use crate::desk::claims::ClaimState;
        let mut setup = setup();
        setup.shop.claims.policy = crate::config::model::ClaimPolicy::FirstPaid;
        setup.shop.catalog.products[0].stock = 1;
        let mut d = Desk::new(setup.clone());
        let (mut now, mut paid, mut journal) = (0, Vec::new(), Vec::new());
        for (n, step) in steps.iter().enumerate() {
            let seq = n as u64 + 10;
            let input = match step {
                Race::Claim(u) => chat(seq, RACERS[*u], "sold almond pink"),
                Race::Pay(u) => {
                    let left = d.catalog().product("ALMOND-PINK").unwrap().available;
                    let claim = d.claims().open().find(|c| {
                        c.user_name == RACERS[*u] && matches!(c.state, ClaimState::Unpaid { .. })
                    });
                    match claim {
                        Some(c) if c.qty <= left => {
                            let id = format!("o{seq}");
                            paid.push(id.clone());
                            claimer_order(seq, &id, RACERS[*u], c.qty, OrderStatus::Paid)
                        }
                        _ => Input::Tick,
                    }
                }
                Race::Restock(k) => Input::Operator(Action::AdjustStock {
                    sku: "ALMOND-PINK".into(),
                    change: catalog::Adjust::Add(*k),
                    reason: "restock".into(),
                }),
                Race::Refund(i) => match paid.get(*i) {
                    Some(id) => update(seq, id, OrderStatus::Refunded),
                    None => Input::Tick,
                },
                Race::Wait(secs) => {
                    now += secs;
                    Input::Tick
                }
            };
            journal.push((input.clone(), t(now)));
            d.apply(input, t(now));
            prop_assert_eq!(d.summary().oversold, 0);
            let p = d.catalog().product("ALMOND-PINK").unwrap();
            prop_assert_eq!(p.reserved, 0, "first-paid holds nothing");
            let unpaid: Vec<_> =
                d.claims().open().filter(|c| matches!(c.state, ClaimState::Unpaid { .. })).collect();
            let waiting: Vec<_> = d.claims().open().filter(|c| c.state == ClaimState::Waiting).collect();
            if !waiting.is_empty() {
                let wanted: u32 = unpaid.iter().map(|c| c.qty).sum();
                prop_assert_eq!(wanted, p.available, "while anyone waits, the called want what is free");
            }
            for u in &unpaid {
                for w in &waiting {
                    prop_assert!(u.seq < w.seq, "@{} is asked to pay while @{}, earlier, waits", u.user_name, w.user_name);
                }
            }
        }
        let mut replayed = Desk::new(setup);
        for (input, at) in journal {
            replayed.apply(input, at);
        }
        prop_assert_eq!(replayed.state_digest(), d.state_digest());
        prop_assert_eq!(replayed.claims(), d.claims());
    }
}
