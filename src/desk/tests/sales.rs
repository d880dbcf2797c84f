//! Flash sales, from the operator's key to the platform's commands.

use super::*;

#[test]
fn starting_a_sale_sends_the_command_and_the_announcement() {
    let mut d = desk();
    let out = d.apply(Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(0));
    assert!(matches!(
        &out[0],
        Output::Send(Command::FlashSale {
            action: SaleAction::Start,
            quantity: Some(3),
            seconds: Some(120),
            ..
        })
    ));
    assert_eq!(sent_texts(&out), vec!["FLASH SALE Almond blush £4.99, 3 left, 2:00!"]);
    assert_eq!(d.sales().live().unwrap().remaining(t(30)).num_seconds(), 90);
}

#[test]
fn a_sale_never_offers_the_platform_more_than_the_free_stock() {
    let mut d = desk();
    // Two on the shelf, one of them held for a claim: a sale of three offers one.
    d.apply(frame(1, Event::Stock { sku: "ALMOND-PINK".into(), available: 2 }), t(0));
    d.apply(chat(2, "maria", "sold almond pink"), t(1));
    let out = d.apply(start_sale("almond-rush"), t(2));
    assert_eq!(sale_commands(&out), [start_cmd("ALMOND-PINK", 1, 120)]);
    assert!(
        d.notices()
            .any(|n| n.text == "Flash sale almond-rush offers 1, not 3: that is all the stock free to sell")
    );
}

#[test]
fn with_every_unit_held_for_claims_a_sale_is_not_offered_and_ends_sold_out() {
    let mut d = desk();
    d.apply(frame(1, Event::Stock { sku: "ALMOND-PINK".into(), available: 2 }), t(0));
    d.apply(chat(2, "maria", "sold 2 almond pink"), t(1));
    let out = d.apply(start_sale("almond-rush"), t(2));
    let starts = sale_commands(&out).into_iter().filter(|c| c.0 == SaleAction::Start).count();
    assert_eq!(starts, 0, "nothing free to sell: no start reaches the platform");
    assert_eq!(d.sales().all()[0].ended().unwrap().1, EndReason::SoldOut);
    assert!(
        d.notices()
            .any(|n| n.text == "Flash sale almond-rush not sent: nothing free to sell (2 held for claims)")
    );
}

#[test]
fn extending_a_live_sale_restarts_it_on_the_platform_with_the_new_time() {
    let mut d = desk();
    d.apply(start_sale("almond-rush"), t(0));
    let out = d.apply(op(Action::ExtendSale { id: None, seconds: 30 }), t(20));
    assert_eq!(sale_commands(&out), [start_cmd("ALMOND-PINK", 3, 130)]);
    // While paused, the platform is not selling: the new time goes with the resume.
    d.apply(op(Action::PauseSale { id: None }), t(30));
    let out = d.apply(op(Action::ExtendSale { id: None, seconds: 30 }), t(40));
    assert!(sale_commands(&out).is_empty());
    let out = d.apply(op(Action::ResumeSale { id: None }), t(50));
    assert_eq!(sale_commands(&out), [start_cmd("ALMOND-PINK", 3, 150)]);
}

#[test]
fn a_running_sale_caps_claims_at_its_per_customer_limit() {
    let mut d = desk();
    // almond-rush lets one customer have 2; maria bought 1 in it already.
    d.apply(start_sale("almond-rush"), t(0));
    d.apply(order_by(1, "o1", "maria", "ALMOND-PINK", 1, "4.99"), t(1));
    d.apply(chat(2, "maria", "sold 3 almond pink"), t(2));
    assert_eq!(open_claims(&d), [("maria".to_owned(), 1, "held")]);
    assert!(
        d.notices().any(|n| n.text == "@maria asked for more ALMOND-PINK than the limit of 1: claimed 1"),
        "{:?}",
        d.notices().map(|n| &n.text).collect::<Vec<_>>()
    );
    // With no sale running, only claims.toml's limit (none here) applies.
    d.apply(op(Action::EndSale { id: None }), t(3));
    d.apply(chat(3, "jo", "sold 3 almond pink"), t(4));
    assert!(open_claims(&d).contains(&("jo".to_owned(), 3, "held")));
}

#[test]
fn confirming_the_last_units_of_a_live_sale_ends_it_sold_out() {
    let mut d = desk();
    d.apply(frame(1, Event::Stock { sku: "ALMOND-PINK".into(), available: 2 }), t(0));
    d.apply(start_sale("almond-rush"), t(1));
    d.apply(chat(2, "maria", "sold 2 almond pink"), t(2));
    let id = d.claims().open().next().unwrap().id;
    let out = d.apply(op(Action::ConfirmClaim { id }), t(3));
    assert_eq!(sale_commands(&out), [end_cmd("ALMOND-PINK")]);
    assert_eq!(d.sales().all()[0].ended().unwrap().1, EndReason::SoldOut);
}

#[test]
fn a_sale_ends_by_itself_when_the_clock_runs_out_and_extend_adds_time() {
    let mut d = desk();
    d.apply(Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(0));
    d.apply(Input::Operator(Action::ExtendSale { id: None, seconds: 30 }), t(10));
    assert!(sale_commands(&d.apply(Input::Tick, t(120))).is_empty());
    let out = d.apply(Input::Tick, t(150));
    assert_eq!(sale_commands(&out), [end_cmd("ALMOND-PINK")]);
    assert_eq!(d.sales().all()[0].ended().unwrap().1, EndReason::TimeUp);
    // Time up is announced with the sale-ended reply, at the product's normal price again.
    assert_eq!(sent_texts(&out), ["Almond blush sale over, back to £8.99"]);
}

#[test]
fn warnings_at_30_and_10_seconds_ring_the_bell_once_each() {
    let mut d = desk();
    d.apply(start_sale("almond-rush"), t(0));
    let bells: Vec<i64> = (1..=120).filter(|&s| d.apply(Input::Tick, t(s)).contains(&Output::Bell)).collect();
    assert_eq!(bells, [90, 110]);
    let warnings: Vec<String> =
        d.notices().filter(|n| n.level == Level::Warn).map(|n| n.text.clone()).collect();
    assert_eq!(warnings, ["Flash sale almond-rush: 30 s left", "Flash sale almond-rush: 10 s left"]);
}

#[test]
fn a_preheat_is_announced_and_the_platform_sale_starts_when_it_goes_live() {
    let mut d = desk();
    let out = d.apply(start_sale("coffin-flash"), t(0));
    assert!(sale_commands(&out).is_empty(), "nothing is on sale during the preheat");
    assert_eq!(sent_texts(&out), ["SOON Coffin nude at £6.99 in 0:15"]);
    assert_eq!(last_notice(&d), "Sent announcement “Soon”");
    assert!(d.notices().any(|n| n.text == "Flash sale coffin-flash starts in 0:15"));
    assert_eq!(d.summary().sales[1].state, "preheat");
    assert!(d.apply(Input::Tick, t(14)).is_empty());
    let out = d.apply(Input::Tick, t(15));
    assert_eq!(sale_commands(&out), [start_cmd("COFFIN-NUDE", 2, 60)]);
    assert_eq!(sent_texts(&out), ["FLASH SALE Coffin nude £6.99, 2 left, 1:00!"]);
    assert_eq!(d.summary().sales[1].state, "live");
}

#[test]
fn during_the_preheat_its_reply_is_suggested_and_reads_as_its_announcement() {
    let mut d = desk();
    d.apply(start_sale("coffin-flash"), t(0));
    d.apply(chat(1, "Ana", "how long till it starts?"), t(5));
    let suggested = d.suggest("m1").expect("a suggestion");
    assert_eq!(suggested.reply.title, "Soon");
    // The sale's price and the time to going live, as the announcement said them.
    let text = d.reply_text(suggested.reply, Some("m1"), t(5)).unwrap();
    assert_eq!(text, "SOON Coffin nude at £6.99 in 0:10");
    // Sent on its key, not held: the sale's price is one the reply may name.
    let out = d.apply(op(Action::SendReply { key: "4".into(), to: Some("m1".into()) }), t(6));
    assert_eq!(sent_texts(&out), ["SOON Coffin nude at £6.99 in 0:09"]);
}

#[test]
fn pause_ends_the_platform_sale_and_resume_starts_it_again_with_what_is_left() {
    let mut d = desk();
    d.apply(start_sale("almond-rush"), t(0));
    d.apply(order(1, "o1", 1, "4.99"), t(5));
    let out = d.apply(op(Action::PauseSale { id: None }), t(20));
    assert_eq!(sale_commands(&out), [end_cmd("ALMOND-PINK")]);
    assert!(sent_texts(&out).is_empty());
    assert_eq!(last_notice(&d), "Flash sale almond-rush paused with 1:40 left");
    assert_eq!(d.summary().sales[0].state, "paused");
    // Orders while paused are at the normal price: not the sale's.
    d.apply(order(2, "o2", 1, "8.99"), t(30));
    // Nothing runs out while paused; extend works while paused too.
    assert!(d.apply(Input::Tick, t(500)).is_empty());
    d.apply(op(Action::ExtendSale { id: Some("almond-rush".into()), seconds: 30 }), t(500));
    let out = d.apply(op(Action::ResumeSale { id: None }), t(600));
    assert_eq!(sale_commands(&out), [start_cmd("ALMOND-PINK", 2, 130)]);
    assert_eq!(sent_texts(&out), ["FLASH SALE Almond blush £4.99, 2 left, 2:10!"]);
    let out = d.apply(Input::Tick, t(730));
    assert_eq!(sale_commands(&out), [end_cmd("ALMOND-PINK")]);
    let s = &d.summary().sales[0];
    assert_eq!((s.sold, s.revenue.as_str(), s.runs), (1, "4.99", 1));
}

#[test]
fn pausing_a_sale_that_is_not_live_is_refused_with_a_notice() {
    let mut d = desk();
    d.apply(start_sale("coffin-flash"), t(0));
    let out = d.apply(op(Action::PauseSale { id: Some("coffin-flash".into()) }), t(1));
    assert!(out.is_empty());
    assert_eq!(last_notice(&d), "Cannot pause flash sale: sale \"coffin-flash\" is not live");
    d.apply(op(Action::ResumeSale { id: None }), t(2));
    assert_eq!(last_notice(&d), "Cannot resume flash sale: no flash sale is paused");
}

#[test]
fn sold_out_during_the_preheat_ends_the_sale_before_it_goes_live() {
    let mut d = desk();
    d.apply(start_sale("coffin-flash"), t(0));
    // The last two units go at the normal price during the preheat.
    let out = d.apply(order_by(1, "o1", "Cy", "COFFIN-NUDE", 2, "9.99"), t(5));
    assert!(sale_commands(&out).is_empty(), "the platform never ran it: nothing to end");
    assert_eq!(sent_texts(&out), ["Coffin nude SOLD OUT"]);
    assert!(d.notices().any(|n| n.text == "Flash sale coffin-flash ended (sold out): 0/2 sold, £0.00"));
    assert!(d.apply(Input::Tick, t(15)).is_empty(), "it does not go live");
    let s = &d.summary().sales[1];
    assert_eq!((s.state, s.sold, s.revenue.as_str(), s.runs), ("ended", 0, "0.00", 1));
    // With no stock it cannot start again, until stock comes back.
    assert!(d.apply(start_sale("coffin-flash"), t(20)).is_empty());
    assert_eq!(last_notice(&d), "Cannot start flash sale: COFFIN-NUDE has no stock left");
    d.apply(frame(2, Event::OrderUpdate { order_id: "o1".into(), status: OrderStatus::Cancelled }), t(21));
    d.apply(start_sale("coffin-flash"), t(22));
    assert_eq!(d.summary().sales[1].state, "preheat");
    assert_eq!(d.summary().sales[1].runs, 2);
}

#[test]
fn the_platform_stock_running_out_ends_a_live_sale_sold_out() {
    let mut d = desk();
    d.apply(start_sale("almond-rush"), t(0));
    let out = d.apply(frame(1, Event::Stock { sku: "ALMOND-PINK".into(), available: 0 }), t(3));
    assert_eq!(sale_commands(&out), [end_cmd("ALMOND-PINK")]);
    assert_eq!(sent_texts(&out), ["Almond blush SOLD OUT"]);
    assert_eq!(d.sales().all()[0].ended(), Some((t(3), EndReason::SoldOut)));
}

#[test]
fn two_sales_run_at_once_but_never_two_on_one_product() {
    let mut d = desk();
    d.apply(start_sale("almond-rush"), t(0));
    d.apply(start_sale("coffin-flash"), t(1));
    let out = d.apply(start_sale("almond-again"), t(2));
    assert!(out.is_empty());
    assert_eq!(
        last_notice(&d),
        "Cannot start flash sale: ALMOND-PINK is already in flash sale \"almond-rush\": end it first"
    );
    assert_eq!(d.sales().running().count(), 2);
    // Each order counts for its own product's sale.
    let out = d.apply(Input::Tick, t(16));
    assert_eq!(sale_commands(&out), [start_cmd("COFFIN-NUDE", 2, 60)]);
    d.apply(order_by(1, "o1", "Cy", "COFFIN-NUDE", 1, "6.99"), t(17));
    d.apply(order(2, "o2", 1, "4.99"), t(18));
    let sold: Vec<u32> = d.summary().sales.iter().map(|s| s.sold).collect();
    assert_eq!(sold, [1, 1, 0]);
    // End with no sale named ends the one started last; the other runs on.
    let out = d.apply(op(Action::EndSale { id: None }), t(20));
    assert_eq!(sale_commands(&out), [end_cmd("COFFIN-NUDE")]);
    assert_eq!(sent_texts(&out), ["Coffin nude sale over, back to £9.99"]);
    assert_eq!(d.sales().live().unwrap().spec.id, "almond-rush");
    let out = d.apply(op(Action::EndSale { id: Some("almond-rush".into()) }), t(21));
    assert_eq!(sale_commands(&out), [end_cmd("ALMOND-PINK")]);
    assert_eq!(sale_commands(&d.apply(start_sale("almond-again"), t(22))), [start_cmd("ALMOND-PINK", 3, 60)]);
}

#[test]
fn a_preheat_called_off_by_hand_sends_nothing_to_the_platform_or_the_chat() {
    let mut d = desk();
    d.apply(start_sale("coffin-flash"), t(0));
    let out = d.apply(op(Action::EndSale { id: None }), t(5));
    assert!(out.is_empty());
    assert_eq!(last_notice(&d), "Flash sale coffin-flash ended (ended by hand): 0/2 sold, £0.00");
}

#[test]
fn an_order_over_the_per_customer_limit_counts_and_is_flagged() {
    let mut d = desk();
    d.apply(start_sale("almond-rush"), t(0));
    d.apply(order_by(1, "o1", "Bea", "ALMOND-PINK", 2, "4.99"), t(1));
    assert!(!d.notices().any(|n| n.text.contains("per customer")));
    d.apply(order_by(2, "o2", "Bea", "ALMOND-PINK", 1, "4.99"), t(2));
    assert!(
        d.notices().any(|n| n.level == Level::Warn
            && n.text == "Bea has 3 units of flash sale almond-rush: over its limit of 2 per customer"),
        "{:?}",
        d.notices().collect::<Vec<_>>()
    );
    assert_eq!(d.sales().customer_units("almond-rush", "id-Bea"), 3);
    assert_eq!(d.summary().sales[0].sold, 3);
}

#[test]
fn a_scheduled_sale_starts_by_itself_once() {
    let mut shop = shop();
    shop.sales.sales[0].starts_at = Some(t(60));
    let mut d = Desk::new(DeskSetup {
        shop,
        scrollback: 100,
        ref_prefix: "t".into(),
        source: "test".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    });
    assert!(d.apply(Input::Tick, t(59)).is_empty());
    let out = d.apply(Input::Tick, t(60));
    assert_eq!(sale_commands(&out), [start_cmd("ALMOND-PINK", 3, 120)]);
    assert_eq!(sent_texts(&out), ["FLASH SALE Almond blush £4.99, 3 left, 2:00!"]);
    d.apply(op(Action::EndSale { id: None }), t(61));
    assert!(sale_commands(&d.apply(Input::Tick, t(62))).is_empty());
}

#[test]
fn a_second_round_keeps_the_first_in_the_history_and_returns_come_off_their_round() {
    let mut d = desk();
    d.apply(start_sale("almond-rush"), t(0));
    d.apply(order_by(1, "o1", "Ann", "ALMOND-PINK", 2, "4.99"), t(1));
    d.apply(op(Action::EndSale { id: None }), t(2));
    d.apply(start_sale("almond-rush"), t(10));
    d.apply(order_by(2, "o2", "Bo", "ALMOND-PINK", 1, "4.49"), t(11));
    d.apply(frame(3, Event::OrderUpdate { order_id: "o1".into(), status: OrderStatus::Refunded }), t(12));
    let sale = &d.sales().all()[0];
    let runs: Vec<(u32, String)> = sale.runs.iter().map(|r| (r.units, r.revenue.to_string())).collect();
    assert_eq!(runs, [(0, "0.00".to_string()), (1, "4.49".to_string())]);
    let s = &d.summary().sales[0];
    assert_eq!((s.state, s.sold, s.revenue.as_str(), s.runs), ("live", 1, "4.49", 2));
}

#[test]
fn selling_the_sale_quantity_ends_it_and_announces_sold_out() {
    let mut d = desk();
    d.apply(Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(0));
    d.apply(order(1, "o1", 2, "4.99"), t(5));
    let out = d.apply(order(2, "o2", 1, "4.99"), t(6));
    assert!(matches!(&out[0], Output::Send(Command::FlashSale { action: SaleAction::End, .. })));
    assert_eq!(sent_texts(&out), vec!["Almond blush SOLD OUT"]);
    let s = d.summary();
    assert_eq!((s.sales[0].sold, s.sales[0].quantity), (3, 3));
    assert_eq!(s.gmv["GBP"], "14.97");
    assert_eq!(s.stock["ALMOND-PINK"], 17);
}

#[test]
fn the_end_key_with_no_sale_is_refused_with_a_notice() {
    let mut d = desk();
    assert!(d.apply(Input::Operator(Action::EndSale { id: None }), t(0)).is_empty());
    assert!(d.notices().last().unwrap().text.contains("no flash sale is running"));
}

#[test]
fn an_order_after_the_countdown_does_not_count_towards_the_sale() {
    let mut d = desk();
    d.apply(Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(0));
    d.apply(order(1, "o1", 1, "4.99"), t(121));
    let s = d.summary();
    assert_eq!(s.sales[0].sold, 0);
    assert_eq!(s.sales[0].state, "ended");
}

#[test]
fn during_a_live_sale_yo_alone_and_its_product_with_a_please_claim_it() {
    let mut d = desk();
    // Before the sale: chat, no claim.
    d.apply(chat(1, "ana", "yo!"), t(0));
    d.apply(chat(2, "bea", "almond pink please"), t(0));
    assert!(open_claims(&d).is_empty());
    d.apply(start_sale("almond-rush"), t(1));
    d.apply(chat(3, "ana", "¡yo!"), t(2));
    d.apply(chat(4, "bea", "almond pink please"), t(3));
    // Another product with a please asks to see it; "yo" with words after it is a greeting.
    d.apply(chat(5, "cy", "coffin nude please"), t(4));
    d.apply(chat(6, "dee", "yo everyone"), t(5));
    assert_eq!(open_claims(&d), [("ana".to_owned(), 1, "held"), ("bea".to_owned(), 1, "held")]);
}
