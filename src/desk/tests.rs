use super::*;
use crate::config::model::{
    Catalog as CatalogFile, ProductSpec, Replies as RepliesFile, ReplySpec, SaleSpec, SalesPlan,
};
use crate::protocol::OrderStatus;

fn shop() -> ShopConfig {
    let product = |sku: &str, name: &str, price: &str, stock: u32| ProductSpec {
        sku: sku.into(),
        name: name.into(),
        price: price.parse().unwrap(),
        stock,
        low_stock: 5,
    };
    let reply = |key: &str, title: &str, text: &str, tag: &str| ReplySpec {
        key: key.into(),
        title: title.into(),
        text: text.into(),
        tags: vec![tag.into()],
    };
    let price = |p: &str| p.parse().unwrap();
    ShopConfig {
        catalog: CatalogFile {
            currency: "GBP".into(),
            products: vec![
                product("ALMOND-PINK", "Almond blush", "8.99", 20),
                product("COFFIN-NUDE", "Coffin nude", "9.99", 2),
            ],
        },
        sales: SalesPlan {
            sales: vec![
                SaleSpec {
                    per_customer: Some(2),
                    ..SaleSpec::new("almond-rush", "ALMOND-PINK", price("4.99"), 3, 120)
                },
                SaleSpec {
                    preheat: Some(15),
                    ..SaleSpec::new("coffin-flash", "COFFIN-NUDE", price("6.99"), 2, 60)
                },
                SaleSpec::new("almond-again", "ALMOND-PINK", price("5.99"), 3, 60),
            ],
        },
        replies: RepliesFile {
            replies: vec![
                reply("1", "Shipping", "Hi @{user}! We only ship to the UK for now, sorry!", "shipping"),
                reply("2", "Flash", "FLASH SALE {product} {price}, {stock} left, {time_left}!", "sale-start"),
                reply("3", "Gone", "{product} SOLD OUT", "sold-out"),
                reply("4", "Soon", "SOON {product} at {price} in {time_left}", "sale-preheat"),
                reply("5", "Over", "{product} sale over, back to {price}", "sale-ended"),
            ],
        },
    }
}

fn desk() -> Desk {
    Desk::new(DeskSetup {
        shop: shop(),
        scrollback: 1000,
        ref_prefix: "t".into(),
        source: "test".into(),
        demo: false,
    })
}

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
}

fn user(name: &str) -> User {
    User {
        id: format!("id-{name}"),
        name: name.into(),
        region: Some("PH".into()),
        badges: vec![],
        follower: false,
    }
}

fn frame(seq: u64, event: Event) -> Input {
    Input::Feed(Frame { v: 1, seq, ts: String::new(), event })
}

fn chat(seq: u64, name: &str, text: &str) -> Input {
    frame(seq, Event::Chat { msg_id: format!("m{seq}"), user: user(name), text: text.into(), reply_to: None })
}

fn order(seq: u64, id: &str, qty: u32, price: &str) -> Input {
    frame(
        seq,
        Event::Order {
            order_id: id.into(),
            user: user("Bea"),
            sku: "ALMOND-PINK".into(),
            qty,
            unit_price: price.parse().unwrap(),
            currency: "GBP".into(),
            status: OrderStatus::Paid,
        },
    )
}

fn order_by(seq: u64, id: &str, name: &str, sku: &str, qty: u32, price: &str) -> Input {
    frame(
        seq,
        Event::Order {
            order_id: id.into(),
            user: user(name),
            sku: sku.into(),
            qty,
            unit_price: price.parse().unwrap(),
            currency: "GBP".into(),
            status: OrderStatus::Paid,
        },
    )
}

fn op(action: Action) -> Input {
    Input::Operator(action)
}

fn start_sale(id: &str) -> Input {
    op(Action::StartSale { id: id.into() })
}

/// A flash_sale command's action, sku, quantity and seconds.
type SaleCommand = (SaleAction, Option<String>, Option<u32>, Option<u32>);

/// The flash_sale commands in `out`.
fn sale_commands(out: &[Output]) -> Vec<SaleCommand> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(Command::FlashSale { action, sku, quantity, seconds, .. }) => {
                Some((*action, sku.clone(), *quantity, *seconds))
            }
            _ => None,
        })
        .collect()
}

fn start_cmd(
    sku: &str,
    quantity: u32,
    seconds: u32,
) -> (SaleAction, Option<String>, Option<u32>, Option<u32>) {
    (SaleAction::Start, Some(sku.into()), Some(quantity), Some(seconds))
}

fn end_cmd(sku: &str) -> SaleCommand {
    (SaleAction::End, Some(sku.into()), None, None)
}

fn last_notice(d: &Desk) -> String {
    d.notices().last().map(|n| n.text.clone()).unwrap_or_default()
}

fn sent_texts(out: &[Output]) -> Vec<String> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(Command::SendChat { text, .. }) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_canned_reply_is_filled_for_the_selected_message() {
    let mut d = desk();
    d.apply(chat(1, "maria", "do you ship to Manila?"), t(0));
    let out = d.apply(Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(1));
    assert_eq!(
        out,
        vec![Output::Send(Command::SendChat {
            reference: "t-1".into(),
            text: "Hi @maria! We only ship to the UK for now, sorry!".into(),
            reply_to: Some("m1".into()),
        })]
    );
    assert_eq!(d.pending.len(), 1);
    d.apply(frame(2, Event::Ack { reference: "t-1".into(), ok: true, error: None }), t(2));
    assert!(d.pending.is_empty());
    assert_eq!((d.counters.commands_sent, d.counters.commands_acked), (1, 1));
}

#[test]
fn an_unknown_reply_key_sends_nothing_and_says_so() {
    let mut d = desk();
    assert!(d.apply(Input::Operator(Action::SendReply { key: "9".into(), to: None }), t(0)).is_empty());
    assert!(d.notices().last().unwrap().text.contains("No canned reply on key 9"));
}

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
    assert_eq!(d.sales.live().unwrap().remaining(t(30)).num_seconds(), 90);
}

#[test]
fn a_sale_ends_by_itself_when_the_clock_runs_out_and_extend_adds_time() {
    let mut d = desk();
    d.apply(Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(0));
    d.apply(Input::Operator(Action::ExtendSale { id: None, seconds: 30 }), t(10));
    assert!(sale_commands(&d.apply(Input::Tick, t(120))).is_empty());
    let out = d.apply(Input::Tick, t(150));
    assert_eq!(sale_commands(&out), [end_cmd("ALMOND-PINK")]);
    assert_eq!(d.sales.all()[0].ended().unwrap().1, EndReason::TimeUp);
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
    assert_eq!(d.sales.all()[0].ended(), Some((t(3), EndReason::SoldOut)));
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
    assert_eq!(d.sales.running().count(), 2);
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
    assert_eq!(d.sales.live().unwrap().spec.id, "almond-rush");
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
    assert_eq!(d.sales.customer_units("almond-rush", "id-Bea"), 3);
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
    let sale = &d.sales.all()[0];
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
fn cancels_return_stock_and_gmv_once() {
    let mut d = desk();
    d.apply(order(1, "o1", 2, "8.99"), t(0));
    d.apply(frame(2, Event::OrderUpdate { order_id: "o1".into(), status: OrderStatus::Cancelled }), t(1));
    d.apply(frame(3, Event::OrderUpdate { order_id: "o1".into(), status: OrderStatus::Refunded }), t(2));
    let s = d.summary();
    assert_eq!(s.stock["ALMOND-PINK"], 20);
    assert_eq!(s.gmv["GBP"], "0.00");
    assert_eq!(s.orders, 1);
}

#[test]
fn link_news_is_counted_for_the_operator() {
    let mut d = desk();
    d.apply(Input::Link(LinkEvent::Duplicate), t(0));
    d.apply(Input::Link(LinkEvent::Malformed { reason: "x".into() }), t(0));
    d.apply(Input::Link(LinkEvent::Unknown { kind: "hologram".into() }), t(0));
    d.apply(Input::Link(LinkEvent::Gap { missed: 4 }), t(0));
    d.apply(Input::Link(LinkEvent::Disconnected { reason: "reset".into(), retry_in_ms: 500 }), t(0));
    let s = d.summary();
    assert_eq!(
        (s.duplicates_dropped, s.malformed_dropped, s.unknown_types, s.gaps, s.missed_events),
        (1, 1, 1, 1, 4)
    );
    assert!(matches!(d.link, Link::Reconnecting { attempt: 1, .. }));
}

#[test]
fn the_same_inputs_give_the_same_state() {
    let inputs = [
        (chat(1, "a", "hi"), t(0)),
        (Input::Operator(Action::StartSale { id: "almond-rush".into() }), t(1)),
        (order(2, "o1", 1, "4.99"), t(2)),
        (Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(3)),
        (Input::Tick, t(200)),
    ];
    let run = || {
        let mut d = desk();
        let outs: Vec<_> = inputs.iter().flat_map(|(i, now)| d.apply(i.clone(), *now)).collect();
        (d.summary(), outs)
    };
    assert_eq!(run(), run());
}

#[test]
fn moderation_deletes_and_operator_echoes_are_marked() {
    let mut d = desk();
    d.apply(chat(1, "spam", "buy followers"), t(0));
    d.apply(
        frame(
            2,
            Event::Moderation {
                action: ModAction::Deleted,
                msg_id: Some("m1".into()),
                user_id: None,
                by: None,
            },
        ),
        t(1),
    );
    assert!(d.chat.by_msg_id("m1").unwrap().deleted);
    let mut shop_user = user("Nail Nook");
    shop_user.badges = vec!["operator".into()];
    d.apply(
        frame(3, Event::Chat { msg_id: "op-1".into(), user: shop_user, text: "hi".into(), reply_to: None }),
        t(2),
    );
    assert_eq!(d.chat.by_msg_id("op-1").unwrap().kind, MsgKind::Operator);
}

#[test]
fn countdown_clock_rounds_up() {
    assert_eq!(clock(chrono::Duration::milliseconds(119_001)), "2:00");
    assert_eq!(clock(chrono::Duration::seconds(65)), "1:05");
    assert_eq!(clock(chrono::Duration::zero()), "0:00");
}

#[test]
fn a_reply_about_the_sale_with_no_sale_running_is_not_sent() {
    let mut d = desk();
    d.apply(chat(1, "maria", "is the sale on?"), t(0));
    let out = d.apply(Input::Operator(Action::SendReply { key: "2".into(), to: Some("m1".into()) }), t(1));
    assert!(out.is_empty());
    let notice = &d.notices().last().unwrap().text;
    assert!(notice.contains("Not sent") && notice.contains("{time_left}"), "{notice}");
    assert_eq!(d.counters.commands_sent, 0);
}

#[test]
fn one_outage_is_one_reconnect_however_many_attempts() {
    let mut d = desk();
    d.apply(Input::Link(LinkEvent::Connected), t(0));
    for attempt in 1..=4 {
        d.apply(
            Input::Link(LinkEvent::Disconnected { reason: "refused".into(), retry_in_ms: 500 }),
            t(attempt),
        );
    }
    assert_eq!(d.counters.reconnects, 1);
    assert!(matches!(d.link, Link::Reconnecting { attempt: 4, .. }));
    assert_eq!(d.notices().filter(|n| n.text.contains("Connection lost")).count(), 1);
}

#[test]
fn after_the_stream_ends_nothing_is_sent_and_the_link_says_so() {
    let mut d = desk();
    d.apply(chat(1, "maria", "bye"), t(0));
    d.apply(Input::Link(LinkEvent::StreamEnded), t(1));
    assert_eq!(d.link, Link::Ended);
    assert!(d.ended());
    let out = d.apply(Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(2));
    assert!(out.is_empty());
    assert!(d.notices().last().unwrap().text.contains("stream has ended"));
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
fn a_stream_ended_event_stops_commands_too() {
    let mut d = desk();
    d.apply(chat(1, "maria", "bye"), t(0));
    d.apply(frame(2, Event::Stream { state: StreamState::Ended }), t(1));
    let out = d.apply(Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(2));
    assert!(out.is_empty());
}
