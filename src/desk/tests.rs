use super::*;
use crate::config::model::{
    Catalog as CatalogFile, ProductSpec, Replies as RepliesFile, ReplySpec, SaleSpec, SalesPlan,
};
use crate::protocol::OrderStatus;

fn shop() -> ShopConfig {
    ShopConfig {
        catalog: CatalogFile {
            currency: "GBP".into(),
            products: vec![ProductSpec {
                sku: "ALMOND-PINK".into(),
                name: "Almond blush".into(),
                price: "8.99".parse().unwrap(),
                stock: 20,
                low_stock: 5,
            }],
        },
        sales: SalesPlan {
            sales: vec![SaleSpec {
                id: "almond-rush".into(),
                sku: "ALMOND-PINK".into(),
                price: "4.99".parse().unwrap(),
                quantity: 3,
                seconds: 120,
            }],
        },
        replies: RepliesFile {
            replies: vec![
                ReplySpec {
                    key: "1".into(),
                    title: "Shipping".into(),
                    text: "Hi @{user}! We only ship to the UK for now, sorry!".into(),
                    tags: vec!["shipping".into()],
                },
                ReplySpec {
                    key: "2".into(),
                    title: "Flash".into(),
                    text: "FLASH SALE {product} {price}, {stock} left, {time_left}!".into(),
                    tags: vec!["sale-start".into()],
                },
                ReplySpec {
                    key: "3".into(),
                    title: "Gone".into(),
                    text: "{product} SOLD OUT".into(),
                    tags: vec!["sold-out".into()],
                },
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
    d.apply(Input::Operator(Action::ExtendSale { seconds: 30 }), t(10));
    assert!(d.apply(Input::Tick, t(120)).is_empty());
    let out = d.apply(Input::Tick, t(150));
    assert!(matches!(&out[0], Output::Send(Command::FlashSale { action: SaleAction::End, .. })));
    assert_eq!(d.sales.all()[0].ended.unwrap().1, EndReason::TimeUp);
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
    assert!(d.apply(Input::Operator(Action::EndSale {}), t(0)).is_empty());
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
