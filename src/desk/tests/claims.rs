//! Claims read from the chat: holds, the waitlist, confirmations and returns.

use super::*;

#[test]
fn a_claim_comment_holds_stock_for_the_viewer() {
    let mut d = desk();
    d.apply(chat(1, "maria", "SOLD 2 almond-pink!! 💅"), t(0));
    assert_eq!(open_claims(&d), [("maria".to_owned(), 2, "held")]);
    assert_eq!(pink(&d), (20, 2, 18));
    assert_eq!(
        last_notice(&d),
        format!("Claim #{}: 2× ALMOND-PINK held for @maria (10 min)", claim_id(&d, "maria"))
    );
    // The comment itself is in the chat as usual.
    assert_eq!(d.chat().by_msg_id("m1").unwrap().text, "SOLD 2 almond-pink!! 💅");
    let s = d.summary();
    assert_eq!((s.claims.active, s.claims.waiting), (1, 0));
    assert_eq!(s.stock["ALMOND-PINK"], 18, "the summary's stock is what can still be sold");
}

#[test]
fn a_bare_claim_is_for_the_product_on_screen_and_the_shop_never_claims() {
    let mut d = desk();
    d.apply(chat(1, "maria", "mine!"), t(0));
    assert!(open_claims(&d).is_empty(), "nothing pinned, no sale: nothing to claim");
    assert_eq!(d.summary().claims.unmatched, 1);
    d.apply(Input::Operator(Action::PinProduct { sku: Some("ALMOND-PINK".into()) }), t(1));
    d.apply(chat(2, "maria", "mine!"), t(2));
    assert_eq!(open_claims(&d), [("maria".to_owned(), 1, "held")]);
    let mut shop = user("Nail Nook");
    shop.badges = vec!["host".into()];
    let echo =
        Event::Chat { msg_id: "op-1".into(), user: shop, text: "sold 2 almond pink".into(), reply_to: None };
    d.apply(frame(3, echo), t(3));
    let q = Event::Question { msg_id: "q1".into(), user: user("jo"), text: "SOLD almond pink?".into() };
    d.apply(frame(4, q), t(4));
    assert_eq!(open_claims(&d), [("maria".to_owned(), 1, "held"), ("jo".to_owned(), 1, "held")]);
    // Chatter that only looks like a claim changes nothing.
    d.apply(chat(5, "ola", "sold out already?? 😭"), t(5));
    d.apply(chat(6, "ola", "mine lasted 2 weeks with glue"), t(6));
    assert_eq!(d.claims().open().count(), 2);
    // Not even unmatched claims: they are sentences about something else.
    assert_eq!(d.summary().claims.unmatched, 1);
}

#[test]
fn confirming_sells_the_held_units_and_answers_the_buyer() {
    let mut d = desk();
    d.apply(chat(1, "maria", "sold 2 almond pink"), t(0));
    let id = claim_id(&d, "maria");
    let out = d.apply(Input::Operator(Action::ConfirmClaim { id }), t(5));
    assert_eq!(
        sent_replies(&out),
        [("@maria Almond blush is yours, £8.99".to_owned(), Some("m1".to_owned()))]
    );
    assert_eq!(pink(&d), (18, 0, 18));
    assert!(d.claims().open().next().is_none());
    assert_eq!(d.summary().claims.confirmed, 1);
    let entry = d.catalog().ledger("ALMOND-PINK").next_back().unwrap();
    assert_eq!(entry.reason, catalog::Reason::ClaimConfirmed { claim: id });
    // The confirmed claim is an order on the desk's books (a shop with no checkout has no other).
    let s = d.summary();
    assert_eq!((s.orders, s.gmv["GBP"].as_str()), (1, "17.98"));
    let line = d.chat().messages().iter().rev().find(|m| m.kind == MsgKind::System).unwrap();
    assert_eq!(line.text, format!("bought 2× Almond blush (£17.98) by claim #{id}"));
    // Her order for the same units arrives later: nothing is taken or counted twice.
    d.apply(claimer_order(2, "o1", "maria", 2, OrderStatus::Paid), t(6));
    assert_eq!(pink(&d), (18, 0, 18));
    let s = d.summary();
    assert_eq!((s.orders, s.gmv["GBP"].as_str()), (1, "17.98"), "the platform's order replaced the desk's");
    assert!(d.catalog().order(&format!("claim-{id}")).is_none());
    // Confirming again says why not.
    assert!(d.apply(Input::Operator(Action::ConfirmClaim { id }), t(7)).is_empty());
    assert_eq!(last_notice(&d), format!("Cannot confirm: claim #{id} is confirmed already"));
}

#[test]
fn an_order_from_the_claimer_confirms_the_claim_without_a_second_take() {
    let mut d = desk();
    d.apply(chat(1, "maria", "sold 2 almond pink"), t(0));
    let out = d.apply(claimer_order(2, "o1", "maria", 2, OrderStatus::Placed), t(10));
    assert!(sent_replies(&out).is_empty(), "the platform tells the buyer about their own order");
    assert_eq!(pink(&d), (18, 0, 18));
    assert_eq!(d.catalog().order("o1").unwrap().taken, 2);
    assert!(last_notice(&d).contains("confirmed by order o1"), "{}", last_notice(&d));
    d.apply(update(3, "o1", OrderStatus::Cancelled), t(11));
    assert_eq!(pink(&d), (20, 0, 20));
}

#[test]
fn when_stock_runs_out_claims_wait_and_a_cancel_promotes_the_first_in_line() {
    let mut d = desk();
    d.apply(stock(1, 2), t(0));
    d.apply(chat(2, "ann", "sold 2 almond pink"), t(1));
    let out = d.apply(chat(3, "bea", "sold almond pink"), t(2));
    assert_eq!(
        sent_replies(&out),
        [("@bea you're in line for Almond blush".to_owned(), Some("m3".to_owned()))]
    );
    d.apply(chat(4, "cat", "buy almond pink x2"), t(3));
    assert_eq!(
        open_claims(&d),
        [("ann".to_owned(), 2, "held"), ("bea".to_owned(), 1, "waiting"), ("cat".to_owned(), 2, "waiting")]
    );
    // Ann buys one, cancels it: one unit frees, and bea (first in line) gets it.
    d.apply(claimer_order(5, "o1", "ann", 1, OrderStatus::Paid), t(4));
    assert_eq!(pink(&d), (1, 1, 0));
    assert_eq!(open_claims(&d), [("bea".to_owned(), 1, "held"), ("cat".to_owned(), 2, "waiting")]);
    let out = d.apply(update(6, "o1", OrderStatus::Cancelled), t(5));
    assert_eq!(d.notices().rev().nth(1).unwrap().text, "Promoted @cat: 1× ALMOND-PINK from the waitlist");
    assert_eq!(
        sent_replies(&out),
        [("@cat Almond blush is held for you now".to_owned(), Some("m4".to_owned()))]
    );
    assert_eq!(
        open_claims(&d),
        [("bea".to_owned(), 1, "held"), ("cat".to_owned(), 1, "waiting"), ("cat".to_owned(), 1, "held")]
    );
    assert_eq!(pink(&d), (2, 2, 0));
    let s = d.summary();
    assert_eq!((s.claims.active, s.claims.waiting, s.claims.confirmed), (2, 1, 1));
}

#[test]
fn holds_expire_on_the_clock_and_the_units_go_to_the_next_in_line() {
    let mut d = desk();
    d.apply(stock(1, 1), t(0));
    d.apply(chat(2, "ann", "sold almond pink"), t(0));
    d.apply(chat(3, "bea", "sold almond pink"), t(60));
    d.apply(Input::Tick, t(599));
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "held"), ("bea".to_owned(), 1, "waiting")]);
    let out = d.apply(Input::Tick, t(600));
    assert_eq!(open_claims(&d), [("bea".to_owned(), 1, "held")]);
    assert_eq!(replies_to(&out, "bea").len(), 1, "bea hears her claim is held");
    assert_eq!(replies_to(&out, "ann").len(), 1, "ann hears hers ran out");
    assert!(d.notices().any(|n| n.text.contains("expired: 1× ALMOND-PINK of @ann released")));
    let s = d.summary();
    assert_eq!((s.claims.active, s.claims.expired), (1, 1));
    // Bea's fresh hold runs from her promotion.
    d.apply(Input::Tick, t(1199));
    assert_eq!(d.claims().open().count(), 1);
    d.apply(Input::Tick, t(1200));
    assert_eq!(d.claims().open().count(), 0);
    assert_eq!(pink(&d), (1, 0, 1));
}

#[test]
fn rejecting_answers_the_viewer_and_frees_the_units() {
    let mut d = desk();
    d.apply(stock(1, 1), t(0));
    d.apply(chat(2, "ann", "sold almond pink"), t(0));
    d.apply(chat(3, "bea", "sold almond pink"), t(1));
    let out = d.apply(Input::Operator(Action::RejectClaim { id: claim_id(&d, "ann") }), t(2));
    let texts: Vec<String> = sent_replies(&out).into_iter().map(|(t, _)| t).collect();
    assert_eq!(texts, ["@ann sorry, no Almond blush for you", "@bea Almond blush is held for you now"]);
    assert_eq!(open_claims(&d), [("bea".to_owned(), 1, "held")]);
    assert_eq!(d.summary().claims.rejected, 1);
}

#[test]
fn a_platform_count_below_the_holds_sends_the_newest_back_to_the_waitlist() {
    let mut d = desk();
    d.apply(chat(1, "ann", "sold almond pink"), t(0));
    d.apply(chat(2, "bea", "sold 2 almond pink"), t(1));
    d.apply(stock(3, 2), t(2));
    assert_eq!(
        open_claims(&d),
        [("ann".to_owned(), 1, "held"), ("bea".to_owned(), 1, "held"), ("bea".to_owned(), 1, "waiting")]
    );
    assert_eq!(pink(&d), (2, 2, 0));
    assert_eq!(d.notices().last().unwrap().level, Level::Warn);
    // Someone else's order takes a held unit: bea's last held unit goes back in line.
    d.apply(claimer_order(4, "o1", "zed", 1, OrderStatus::Paid), t(3));
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "held"), ("bea".to_owned(), 2, "waiting")]);
    assert_eq!(d.summary().oversold, 0, "units on hand, even held ones, serve an order");
}

#[test]
fn a_buyer_hears_each_way_their_claim_moves_once_however_the_stock_swings() {
    let mut d = desk();
    let mut out = d.apply(stock(1, 1), t(0));
    out.extend(d.apply(chat(2, "ann", "sold almond pink"), t(0)));
    out.extend(d.apply(chat(3, "bea", "sold almond pink"), t(1)));
    // The platform's count swings between none and one: ann's claim goes back and forth.
    for (i, n) in [0, 1, 0, 1, 0, 1].into_iter().enumerate() {
        out.extend(d.apply(stock(4 + i as u64, n), t(10 + i as i64 * 20)));
    }
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "held"), ("bea".to_owned(), 1, "waiting")]);
    assert_eq!(
        replies_to(&out, "ann"),
        ["@ann you're in line for Almond blush", "@ann Almond blush is held for you now"]
    );
    assert_eq!(replies_to(&out, "bea"), ["@bea you're in line for Almond blush"]);
    // The operator sees every move.
    let promoted =
        d.notices().filter(|n| n.text == "Promoted @ann: 1× ALMOND-PINK from the waitlist").count();
    let bumped =
        d.notices().filter(|n| n.text.starts_with("@ann's hold on 1× ALMOND-PINK went back")).count();
    assert_eq!((promoted, bumped), (3, 3));
    // After a quiet spell as long as the window, the news is worth telling again.
    let later = 10 + 2 * 20 + crate::desk::claims::BUYER_NEWS_QUIET.num_seconds();
    let mut out = d.apply(stock(20, 0), t(later));
    out.extend(d.apply(stock(21, 1), t(later + 1)));
    assert_eq!(
        replies_to(&out, "ann"),
        ["@ann you're in line for Almond blush", "@ann Almond blush is held for you now"]
    );
}

#[test]
fn cancelling_a_confirmed_claims_order_gives_back_the_customers_allowance() {
    let mut d = desk_with_limit(2);
    d.apply(chat(1, "ann", "sold 2 almond pink"), t(0));
    let id = claim_id(&d, "ann");
    d.apply(op(Action::ConfirmClaim { id }), t(1));
    d.apply(chat(2, "ann", "sold 1 almond pink"), t(2));
    assert!(open_claims(&d).is_empty(), "the limit of 2 is used up");
    d.apply(update(3, &claim_order_id(id), OrderStatus::Cancelled), t(3));
    assert_eq!(pink(&d), (20, 0, 20), "the units come back");
    d.apply(chat(4, "ann", "sold 2 almond pink"), t(4));
    assert_eq!(open_claims(&d), [("ann".to_owned(), 2, "held")], "and so does the allowance");
}

#[test]
fn refunding_a_platform_order_that_confirmed_claims_gives_back_the_allowance() {
    // The platform's order paid for a claim the operator had confirmed (it replaced `claim-ID`).
    let mut d = desk_with_limit(2);
    d.apply(chat(1, "ann", "sold 2 almond pink"), t(0));
    d.apply(op(Action::ConfirmClaim { id: claim_id(&d, "ann") }), t(1));
    d.apply(claimer_order(2, "o1", "ann", 2, OrderStatus::Paid), t(2));
    d.apply(update(3, "o1", OrderStatus::Refunded), t(3));
    d.apply(chat(4, "ann", "sold 2 almond pink"), t(4));
    assert_eq!(open_claims(&d), [("ann".to_owned(), 2, "held")]);
    // The platform's order confirmed a held claim itself.
    let mut d = desk_with_limit(2);
    d.apply(chat(1, "bea", "sold 2 almond pink"), t(0));
    d.apply(claimer_order(2, "o2", "bea", 2, OrderStatus::Paid), t(1));
    d.apply(chat(3, "bea", "sold 1 almond pink"), t(2));
    assert!(open_claims(&d).is_empty(), "the limit of 2 is used up");
    d.apply(update(4, "o2", OrderStatus::Cancelled), t(3));
    d.apply(chat(5, "bea", "sold 2 almond pink"), t(4));
    assert_eq!(open_claims(&d), [("bea".to_owned(), 2, "held")]);
    // An order with no claim behind it gives back no allowance it never took.
    let mut d = desk_with_limit(2);
    d.apply(claimer_order(1, "o3", "cat", 1, OrderStatus::Paid), t(0));
    d.apply(chat(2, "cat", "sold 2 almond pink"), t(1));
    d.apply(update(3, "o3", OrderStatus::Cancelled), t(2));
    d.apply(chat(4, "cat", "sold 1 almond pink"), t(3));
    assert_eq!(open_claims(&d), [("cat".to_owned(), 2, "held")], "still capped at 2");
}

// ------------------------------------------------------------ the hold policy

/// A desk with one coffin nude left, claims under `policy`, and a reminder two minutes before
/// a claim's ten run out.
fn policy_desk(policy: crate::config::model::ClaimPolicy) -> Desk {
    let mut setup = setup();
    setup.shop.claims.policy = policy;
    setup.shop.claims.reminder_minutes = Some(2);
    setup.shop.catalog.products[1].stock = 1;
    Desk::new(setup)
}

fn claims_of(d: &Desk) -> Vec<(String, &'static str)> {
    let mut all: Vec<&crate::desk::claims::Claim> = d.claims().open().chain(d.claims().done()).collect();
    all.sort_by_key(|c| c.id);
    all.into_iter().map(|c| (c.user_name.clone(), c.state.label())).collect()
}

fn pairs(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    list.iter().map(|(u, s)| ((*u).to_owned(), *s)).collect()
}

#[test]
fn first_paid_the_first_buyer_to_pay_gets_the_last_unit_and_the_other_waits_in_line() {
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    let out = d.apply(chat(1, "ann", "sold coffin nude"), t(0));
    assert_eq!(
        sent_replies(&out),
        [(
            "@ann noted! Coffin nude goes to whoever pays first: check out now to secure it".to_owned(),
            Some("m1".to_owned())
        )]
    );
    d.apply(chat(2, "bea", "sold coffin nude"), t(1));
    assert_eq!(claims_of(&d), pairs(&[("ann", "unpaid"), ("bea", "unpaid")]));
    let nude = |d: &Desk| {
        let p = d.catalog().product("COFFIN-NUDE").unwrap();
        (p.on_hand, p.reserved, p.available)
    };
    assert_eq!(nude(&d), (1, 0, 1), "a claim holds nothing");
    // Bea claimed second but pays first: the unit is hers; Ann waits in line, and is told so.
    let out = d.apply(order_by(3, "o-bea", "bea", "COFFIN-NUDE", 1, "9.99"), t(30));
    assert_eq!(claims_of(&d), pairs(&[("ann", "waiting"), ("bea", "confirmed")]));
    assert_eq!(nude(&d), (0, 0, 0));
    assert_eq!(
        sent_replies(&out),
        [("@ann you're in line for Coffin nude".to_owned(), Some("m1".to_owned()))]
    );
    assert!(d.notices().any(|n| n.text == "@ann waits for 1× COFFIN-NUDE: #1 on the waitlist"));
    // Nothing more is said to either of them, however long the clock runs: a claim in line
    // does not run out.
    let mut later = Vec::new();
    for s in [60, 480, 600, 900] {
        later.extend(d.apply(Input::Tick, t(s)));
    }
    assert!(sent_texts(&later).is_empty(), "{later:?}");
    // A claim once nothing is left waits behind her.
    let out = d.apply(chat(4, "cat", "sold coffin nude"), t(901));
    assert_eq!(replies_to(&out, "cat"), ["@cat you're in line for Coffin nude"]);
    assert_eq!(last_notice(&d), "Sent reply “In line” to @cat");
    assert!(d.notices().any(|n| n.text == "@cat waits for 1× COFFIN-NUDE: #2 on the waitlist"));
    assert_eq!(claims_of(&d), pairs(&[("ann", "waiting"), ("bea", "confirmed"), ("cat", "waiting")]));
}

#[test]
fn first_paid_with_the_waitlist_closed_an_unpaid_claim_is_told_it_sold_out_and_a_new_one_is_turned_away() {
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    d.apply(chat(1, "ann", "sold coffin nude"), t(0));
    d.apply(Input::Operator(Action::Waitlist { sku: "COFFIN-NUDE".into(), open: false }), t(1));
    let out = d.apply(order_by(2, "o-bea", "bea", "COFFIN-NUDE", 1, "9.99"), t(30));
    assert_eq!(claims_of(&d), pairs(&[("ann", "sold out")]));
    assert_eq!(
        replies_to(&out, "ann"),
        ["@ann sorry, Coffin nude sold out to a buyer who paid first. Your claim is released"]
    );
    let out = d.apply(chat(3, "cat", "sold coffin nude"), t(31));
    assert_eq!(replies_to(&out, "cat"), ["@cat sorry, Coffin nude is sold out and its waitlist is closed"]);
    assert!(d.claims().open().next().is_none());
}

#[test]
fn first_paid_a_placed_order_does_not_win_until_it_is_paid_and_the_operator_can_confirm() {
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    d.apply(chat(1, "ann", "sold 2 almond pink"), t(0));
    d.apply(claimer_order(2, "o-ann", "ann", 2, OrderStatus::Placed), t(5));
    assert_eq!(claims_of(&d), pairs(&[("ann", "unpaid")]), "placed is not paid");
    let id = claim_id(&d, "ann");
    d.apply(Input::Operator(Action::ConfirmClaim { id }), t(6));
    assert_eq!(claims_of(&d), pairs(&[("ann", "confirmed")]));
    assert_eq!(pink(&d), (16, 0, 16), "the order took two and the confirmed claim two");
}

#[test]
fn a_hold_is_reminded_once_then_expires_once_and_its_stock_returns() {
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstClaimed);
    d.apply(chat(1, "ann", "sold 2 almond pink"), t(0));
    assert_eq!(pink(&d), (20, 2, 18));
    let said = |d: &mut Desk, s: i64| replies_to(&d.apply(Input::Tick, t(s)), "ann");
    assert!(said(&mut d, 479).is_empty());
    assert_eq!(said(&mut d, 480), ["@ann your claim on Almond blush runs out in 2:00: check out to keep it"]);
    assert!(said(&mut d, 500).is_empty(), "reminded once");
    assert!(said(&mut d, 599).is_empty());
    assert_eq!(
        said(&mut d, 600),
        ["@ann your claim on Almond blush ran out and was released. Comment again if you still want it"]
    );
    assert_eq!(pink(&d), (20, 0, 20), "the expiry returned the stock");
    assert!(said(&mut d, 700).is_empty(), "told once");
    assert_eq!(claims_of(&d), pairs(&[("ann", "expired")]));
}

#[test]
fn first_paid_an_unpaid_claim_is_reminded_and_expires_without_touching_stock() {
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    d.apply(chat(1, "ann", "sold almond pink"), t(0));
    let texts: Vec<String> =
        [480, 481, 600, 601].iter().flat_map(|s| replies_to(&d.apply(Input::Tick, t(*s)), "ann")).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].contains("runs out in 2:00") && texts[1].contains("ran out"));
    assert_eq!(pink(&d), (20, 0, 20));
}

#[test]
fn a_desk_rebuilt_from_its_inputs_does_not_remind_again() {
    let inputs = [(chat(1, "ann", "sold almond pink"), t(0)), (Input::Tick, t(490))];
    let mut live = policy_desk(crate::config::model::ClaimPolicy::FirstClaimed);
    let reminders: usize =
        inputs.iter().map(|(i, at)| replies_to(&live.apply(i.clone(), *at), "ann").len()).sum::<usize>();
    assert_eq!(reminders, 1, "a held claim is not answered; the reminder is");
    let mut rebuilt = policy_desk(crate::config::model::ClaimPolicy::FirstClaimed);
    for (i, at) in inputs {
        rebuilt.apply(i, at);
    }
    assert!(replies_to(&rebuilt.apply(Input::Tick, t(500)), "ann").is_empty());
    assert_eq!(rebuilt.state_digest(), live.state_digest());
}

#[test]
fn a_desk_rebuilt_from_the_store_after_a_reminder_does_not_remind_or_expire_twice() {
    use crate::app::{Clock, Session};
    use crate::store::{self, Journal, Resume, Store};
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::config::load(
        &crate::config::Paths { config_dir: dir.path().join("config"), state_dir: dir.path().join("state") },
        &crate::config::EnvInfo::default(),
    )
    .unwrap();
    config.shop.claims.reminder_minutes = Some(2);
    let path = store::path_in(&dir.path().join("state"));
    let db = Store::open(&path).unwrap();
    let mut live = Session::replay(&config, "live".into(), Clock::wall());
    live.attach_store(&db, Journal::start(&path).unwrap(), "live", Resume::Fresh).unwrap();
    // The claim, quiet ticks, and the tick that reminds (8 of the 10 minutes gone).
    live.apply((chat(1, "ann", "sold almond pink"), Some(t(0))));
    for s in [60, 120, 480] {
        live.apply((Input::Tick, Some(t(s))));
    }
    live.finish();
    let session = db.sessions().unwrap().last().expect("journaled").id;
    let mut rebuilt = Session::replay(&config, "live".into(), Clock::wall()).desk;
    db.rebuild(session, &mut rebuilt).unwrap();
    assert_eq!(rebuilt.state_digest(), live.desk.state_digest());
    let reminded = |d: &Desk| d.notices().filter(|n| n.text.ends_with("runs out in 2:00: reminded")).count();
    assert_eq!((reminded(&live.desk), reminded(&rebuilt)), (1, 1), "the reminding tick is in the journal");
    // The reminder was said before the restart: not again; the expiry is said once.
    assert!(replies_to(&rebuilt.apply(Input::Tick, t(490)), "ann").is_empty());
    let expired = replies_to(&rebuilt.apply(Input::Tick, t(600)), "ann");
    assert_eq!(expired.len(), 1, "{expired:?}");
    assert!(expired[0].contains("ran out"), "{expired:?}");
    assert!(replies_to(&rebuilt.apply(Input::Tick, t(700)), "ann").is_empty());
}

#[test]
fn first_paid_an_order_placed_then_paid_wins_its_buyers_claim_and_a_cancel_gives_the_claim_back_its_chance() {
    let placed = |seq: u64, id: &str, name: &str| {
        frame(
            seq,
            Event::Order {
                order_id: id.into(),
                user: user(name),
                sku: "COFFIN-NUDE".into(),
                qty: 1,
                unit_price: "9.99".parse().unwrap(),
                currency: "GBP".into(),
                status: OrderStatus::Placed,
            },
        )
    };
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    d.apply(chat(1, "ann", "sold coffin nude"), t(0));
    d.apply(chat(2, "bea", "sold coffin nude"), t(1));
    // Ann checks out first: her placed order takes the last unit, so Bea goes in line, but
    // Ann's claim waits for her payment.
    let out = d.apply(placed(3, "o-ann", "ann"), t(20));
    assert_eq!(claims_of(&d), pairs(&[("ann", "unpaid"), ("bea", "waiting")]));
    assert!(replies_to(&out, "ann").is_empty(), "{out:?}");
    // Her payment, as the platform's update, wins her claim; the unit moved when she ordered.
    d.apply(update(4, "o-ann", OrderStatus::Paid), t(40));
    assert_eq!(claims_of(&d), pairs(&[("ann", "confirmed"), ("bea", "waiting")]));
    let p = d.catalog().product("COFFIN-NUDE").unwrap();
    assert_eq!((p.on_hand, p.reserved), (0, 0));
    let later: Vec<_> = [300, 600, 900].into_iter().flat_map(|s| d.apply(Input::Tick, t(s))).collect();
    assert!(replies_to(&later, "ann").is_empty(), "a won claim is neither reminded nor expired: {later:?}");

    // A placed order cancelled unpaid: the unit is back on sale and the claim still waits.
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    d.apply(chat(1, "ann", "sold coffin nude"), t(0));
    d.apply(placed(2, "o-ann", "ann"), t(20));
    d.apply(update(3, "o-ann", OrderStatus::Cancelled), t(30));
    assert_eq!(claims_of(&d), pairs(&[("ann", "unpaid")]));
    d.apply(update(4, "o-ann", OrderStatus::Paid), t(35));
    assert_eq!(claims_of(&d), pairs(&[("ann", "unpaid")]), "a cancelled order stays cancelled");
}

#[test]
fn a_closed_waitlist_turns_claims_past_the_stock_away_and_keeps_the_line() {
    let mut d = desk();
    d.apply(stock(1, 1), t(0));
    d.apply(chat(2, "ann", "sold almond pink"), t(0));
    d.apply(chat(3, "bea", "sold almond pink"), t(1));
    let close = Action::Waitlist { sku: "ALMOND-PINK".into(), open: false };
    d.apply(Input::Operator(close.clone()), t(2));
    assert!(last_notice(&d).starts_with("Waitlist of ALMOND-PINK closed"), "{}", last_notice(&d));
    d.apply(chat(4, "cat", "sold 2 almond pink"), t(3));
    assert_eq!(
        d.notices().rev().nth(1).unwrap().text,
        "@cat wanted 2× ALMOND-PINK: none left and the waitlist is closed"
    );
    assert_eq!(last_notice(&d), "Sent reply “waitlist closed” to @cat");
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "held"), ("bea".to_owned(), 1, "waiting")]);
    // Closing it again says nothing new; those in line are still served.
    let before = d.notices().count();
    d.apply(Input::Operator(close), t(4));
    assert_eq!(d.notices().count(), before);
    let ann = claim_id(&d, "ann");
    d.apply(Input::Operator(Action::RejectClaim { id: ann }), t(5));
    assert_eq!(open_claims(&d), [("bea".to_owned(), 1, "held")]);
    // Open again: a claim past the stock waits in line as before.
    d.apply(Input::Operator(Action::Waitlist { sku: "ALMOND-PINK".into(), open: true }), t(6));
    d.apply(chat(5, "cat", "sold almond pink"), t(7));
    assert_eq!(open_claims(&d), [("bea".to_owned(), 1, "held"), ("cat".to_owned(), 1, "waiting")]);
    d.apply(Input::Operator(Action::Waitlist { sku: "NOPE".into(), open: false }), t(8));
    assert_eq!(last_notice(&d), "Cannot change the waitlist of NOPE: not in the catalog");
}

#[test]
fn a_viewer_turned_away_by_a_closed_waitlist_is_told_once_even_after_a_rebuild() {
    let inputs = [
        (stock(1, 1), t(0)),
        (chat(2, "ann", "sold almond pink"), t(0)),
        (Input::Operator(Action::Waitlist { sku: "ALMOND-PINK".into(), open: false }), t(1)),
        (chat(3, "cat", "sold 2 almond pink"), t(2)),
    ];
    let mut live = desk();
    let mut out = Vec::new();
    for (input, at) in inputs.clone() {
        out.extend(live.apply(input, at));
    }
    assert_eq!(
        sent_replies(&out),
        [(
            "@cat sorry, Almond blush is sold out and its waitlist is closed".to_owned(),
            Some("m3".to_owned())
        )]
    );
    // Cat comments again, and again in other words: the operator sees each, cat hears nothing.
    let again = live.apply(chat(4, "cat", "sold almond pink"), t(3));
    assert!(sent_replies(&again).is_empty(), "{again:?}");
    let again = live.apply(chat(5, "cat", "mine almond pink!!"), t(400));
    assert!(sent_replies(&again).is_empty(), "{again:?}");
    assert_eq!(last_notice(&live), "@cat wanted 1× ALMOND-PINK: none left and the waitlist is closed");
    // Another viewer is told, once.
    assert_eq!(replies_to(&live.apply(chat(6, "dee", "sold almond pink"), t(401)), "dee").len(), 1);
    // A desk rebuilt from the journal does not tell cat again either.
    let mut rebuilt = desk();
    for (input, at) in inputs {
        rebuilt.apply(input, at);
    }
    assert!(sent_replies(&rebuilt.apply(chat(4, "cat", "sold almond pink"), t(3))).is_empty());
}

#[test]
fn a_comment_that_held_some_units_is_not_told_the_waitlist_is_closed() {
    let mut d = desk();
    d.apply(stock(1, 1), t(0));
    d.apply(Input::Operator(Action::Waitlist { sku: "ALMOND-PINK".into(), open: false }), t(1));
    let out = d.apply(chat(2, "ann", "sold 3 almond pink"), t(2));
    assert!(sent_replies(&out).is_empty(), "{out:?}");
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "held")]);
    assert_eq!(last_notice(&d), "@ann wanted 2× ALMOND-PINK: none left and the waitlist is closed");
    // The shop can say nothing at all.
    let mut setup = setup();
    setup.shop.claims.replies.closed = String::new();
    let mut d = Desk::new(setup);
    d.apply(stock(1, 0), t(0));
    d.apply(Input::Operator(Action::Waitlist { sku: "ALMOND-PINK".into(), open: false }), t(1));
    assert!(sent_replies(&d.apply(chat(2, "ann", "sold almond pink"), t(2))).is_empty());
}

/// The operator's restock of `n` coffin nudes.
fn restock_nude(n: u32) -> Input {
    op(Action::AdjustStock {
        sku: "COFFIN-NUDE".into(),
        change: catalog::Adjust::Add(n),
        reason: "restock".into(),
    })
}

/// The first-paid `pay` reply to `name`, about the coffin nude.
fn pay(name: &str) -> String {
    format!("@{name} noted! Coffin nude goes to whoever pays first: check out now to secure it")
}

#[test]
fn first_paid_a_restock_calls_the_line_in_order_each_with_a_fresh_timer_and_once() {
    let inputs = vec![
        (chat(1, "ann", "sold coffin nude"), t(0)),
        (chat(2, "bea", "sold coffin nude"), t(1)),
        (chat(3, "cat", "sold coffin nude"), t(2)),
        (chat(4, "dee", "sold coffin nude"), t(3)),
        // Zed pays for the last one: the four wait in line, in the order they claimed.
        (order_by(5, "o-zed", "zed", "COFFIN-NUDE", 1, "9.99"), t(10)),
        (restock_nude(2), t(100)),
    ];
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    let mut out = Vec::new();
    for (input, at) in inputs.clone() {
        out.extend(d.apply(input, at));
    }
    let line = |d: &Desk| -> Vec<(String, &'static str)> {
        d.claims().open().map(|c| (c.user_name.clone(), c.state.label())).collect()
    };
    // Two units back: the first two in line are called, unpaid again with a fresh timer.
    assert_eq!(
        line(&d),
        pairs(&[("ann", "unpaid"), ("bea", "unpaid"), ("cat", "waiting"), ("dee", "waiting")])
    );
    for c in d.claims().open().filter(|c| c.state.label() == "unpaid") {
        assert_eq!(c.state.expires_at(), Some(t(100) + chrono::Duration::minutes(10)), "{c:?}");
    }
    let cat = d.claims().open().find(|c| c.user_name == "cat").unwrap().id;
    assert_eq!(d.claims().position(cat), Some(1));
    assert!(
        d.notices().any(|n| n.text
            == "Called @ann from the waitlist: 1× COFFIN-NUDE, unpaid: the first to pay wins (10 min)")
    );
    assert_eq!(
        replies_to(&out, "ann"),
        [pay("ann"), "@ann you're in line for Coffin nude".into(), pay("ann")]
    );
    assert_eq!(replies_to(&out, "cat"), [pay("cat"), "@cat you're in line for Coffin nude".into()]);
    // A desk rebuilt from the same inputs is the same desk, and says nothing again.
    let mut rebuilt = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    for (input, at) in inputs {
        rebuilt.apply(input, at);
    }
    assert_eq!(rebuilt.state_digest(), d.state_digest());
    assert!(sent_texts(&rebuilt.apply(Input::Tick, t(101))).is_empty());
    // Bea pays: the unit she wanted is hers, nothing more is free, cat still waits.
    d.apply(order_by(6, "o-bea", "bea", "COFFIN-NUDE", 1, "9.99"), t(200));
    assert_eq!(line(&d), pairs(&[("ann", "unpaid"), ("cat", "waiting"), ("dee", "waiting")]));
    // Ann does not pay in time: her claim runs out and cat is called for the unit.
    let out = d.apply(Input::Tick, t(700));
    assert_eq!(line(&d), pairs(&[("cat", "unpaid"), ("dee", "waiting")]));
    assert_eq!(replies_to(&out, "cat"), [pay("cat")]);
    // Zed's order is refunded: its unit calls dee.
    let out = d.apply(update(7, "o-zed", OrderStatus::Refunded), t(710));
    assert_eq!(line(&d), pairs(&[("cat", "unpaid"), ("dee", "unpaid")]));
    assert_eq!(replies_to(&out, "dee"), [pay("dee")]);
    assert_eq!(d.summary().oversold, 0);
}

#[test]
fn first_paid_a_buyer_called_from_the_line_hears_it_once_however_the_stock_swings() {
    let mut d = policy_desk(crate::config::model::ClaimPolicy::FirstPaid);
    let mut out = d.apply(chat(1, "ann", "sold coffin nude"), t(0));
    out.extend(d.apply(chat(2, "bea", "sold coffin nude"), t(1)));
    // The platform's count swings between none and one.
    for (i, n) in [0, 1, 0, 1, 0, 1].into_iter().enumerate() {
        out.extend(d.apply(
            frame(3 + i as u64, Event::Stock { sku: "COFFIN-NUDE".into(), available: n }),
            t(10 + i as i64 * 20),
        ));
    }
    assert_eq!(
        replies_to(&out, "ann"),
        [pay("ann"), "@ann you're in line for Coffin nude".into(), pay("ann")]
    );
    assert_eq!(replies_to(&out, "bea"), [pay("bea"), "@bea you're in line for Coffin nude".into()]);
    let called = d.notices().filter(|n| n.text.starts_with("Called @ann from the waitlist")).count();
    assert_eq!(called, 3, "the operator sees every call");
}

#[test]
fn a_claim_partly_held_tells_the_buyer_both_in_one_answer() {
    let mut d = desk();
    d.apply(stock(1, 2), t(0));
    let out = d.apply(chat(2, "ann", "sold 5 almond pink"), t(1));
    assert_eq!(open_claims(&d), [("ann".to_owned(), 2, "held"), ("ann".to_owned(), 3, "waiting")]);
    assert_eq!(
        sent_replies(&out),
        [(
            "@ann 2 of Almond blush held for you, 3 more on the waitlist (#1)".to_owned(),
            Some("m2".to_owned())
        )]
    );
    // The operator sees both halves.
    assert!(d.notices().any(|n| n.text.ends_with("2× ALMOND-PINK held for @ann (10 min)")));
    assert!(d.notices().any(|n| n.text == "@ann waits for 3× ALMOND-PINK: #1 on the waitlist"));
    // A claim that found nothing free is told the usual way.
    let out = d.apply(chat(3, "bea", "sold 2 almond pink"), t(2));
    assert_eq!(replies_to(&out, "bea"), ["@bea you're in line for Almond blush"]);
    // With no partly_held reply, the waitlist's answers the buyer.
    let mut setup = setup();
    setup.shop.claims.replies.partly_held = String::new();
    let mut d = Desk::new(setup);
    d.apply(stock(1, 2), t(0));
    let out = d.apply(chat(2, "ann", "sold 5 almond pink"), t(1));
    assert_eq!(replies_to(&out, "ann"), ["@ann you're in line for Almond blush"]);
}
