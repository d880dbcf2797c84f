use super::*;
use crate::config::model::{
    Catalog as CatalogFile, ClaimsConfig, ProductSpec, Replies as RepliesFile, ReplySpec, SaleSpec, SalesPlan,
};
use crate::protocol::{Gift, OrderStatus, SaleAction};

fn shop() -> ShopConfig {
    let product = |sku: &str, name: &str, price: &str, stock: u32| ProductSpec {
        sku: sku.into(),
        name: name.into(),
        price: price.parse().unwrap(),
        stock,
        low_stock: 5,
        aliases: vec![],
    };
    let reply = |key: &str, title: &str, text: &str, tag: &str| ReplySpec {
        key: Some(key.into()).filter(|k: &String| !k.is_empty()),
        title: title.into(),
        text: text.into(),
        tags: vec![tag.into()],
        ..ReplySpec::new(title, text)
    };
    let price = |p: &str| p.parse().unwrap();
    ShopConfig {
        catalog: CatalogFile {
            currency: "GBP".into(),
            products: vec![
                ProductSpec {
                    aliases: vec!["almond pink".into()],
                    ..product("ALMOND-PINK", "Almond blush", "8.99", 20)
                },
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
                reply("", "Yours", "@{user} {product} is yours, {price}", "claim-confirmed"),
                reply("", "Sorry", "@{user} sorry, no {product} for you", "claim-rejected"),
                reply("", "In line", "@{user} you're in line for {product}", "claim-waitlisted"),
                reply("", "Your turn", "@{user} {product} is held for you now", "claim-promoted"),
            ],
        },
        claims: ClaimsConfig::default(),
        chat: crate::config::model::ChatConfig::default(),
        shipping: Default::default(),
        quiet: Default::default(),
    }
}

fn setup() -> DeskSetup {
    DeskSetup {
        shop: shop(),
        scrollback: 1000,
        ref_prefix: "t".into(),
        source: "test".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    }
}

fn desk() -> Desk {
    Desk::new(setup())
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

/// The chat messages in `out`, with the comment each answers.
fn sent_replies(out: &[Output]) -> Vec<(String, Option<String>)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(Command::SendChat { text, reply_to, .. }) => Some((text.clone(), reply_to.clone())),
            _ => None,
        })
        .collect()
}

fn sent_texts(out: &[Output]) -> Vec<String> {
    sent_replies(out).into_iter().map(|(text, _)| text).collect()
}

#[test]
fn a_canned_reply_is_filled_for_the_selected_message() {
    let mut d = desk();
    d.apply(chat(1, "maria", "do you ship to Manila?"), t(0));
    let out = d.apply(Input::Operator(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(1));
    // The answer is an example for the store, too.
    let (learned, out): (Vec<_>, Vec<_>) = out.into_iter().partition(|o| matches!(o, Output::Learned(_)));
    assert_eq!(learned.len(), 1);
    assert_eq!(
        out,
        vec![Output::Send(Command::SendChat {
            reference: "t-1".into(),
            text: "Hi @maria! We only ship to the UK for now, sorry!".into(),
            reply_to: Some("m1".into()),
        })]
    );
    assert_eq!(d.pending().len(), 1);
    d.apply(frame(2, Event::Ack { reference: "t-1".into(), ok: true, error: None }), t(2));
    assert!(d.pending().is_empty());
    assert_eq!((d.counters().commands_sent, d.counters().commands_acked), (1, 1));
}

#[test]
fn an_unknown_reply_key_sends_nothing_and_says_so() {
    let mut d = desk();
    assert!(d.apply(Input::Operator(Action::SendReply { key: "9".into(), to: None }), t(0)).is_empty());
    assert!(d.notices().last().unwrap().text.contains("No canned reply on key 9"));
}

#[test]
fn on_a_read_only_platform_a_reply_key_copies_the_reply_and_nothing_is_sent() {
    let mut d = desk();
    let caps = Capabilities { send_chat: false, ..Capabilities::default() };
    d.apply(Input::Link(LinkEvent::Platform { name: "tiktok".into(), caps }), t(0));
    d.apply(chat(1, "maria", "do you ship to Manila?"), t(1));
    let out = d.apply(op(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(2));
    let out: Vec<_> = out.into_iter().filter(|o| !matches!(o, Output::Learned(_))).collect();
    assert_eq!(out, [Output::Clipboard("Hi @maria! We only ship to the UK for now, sorry!".into())]);
    assert_eq!(last_notice(&d), "Copied reply “Shipping” to @maria to the clipboard: paste it in the chat");
    assert!(d.pending().is_empty());
    // What the desk would say by itself is not sent either, and it says so.
    let out = d.apply(start_sale("almond-rush"), t(3));
    assert!(sent_texts(&out).is_empty());
    assert!(d.notices().any(|n| n.text.starts_with("Not sent (the platform is read-only here)")));
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
    assert_eq!(d.sales.all()[0].ended().unwrap().1, EndReason::SoldOut);
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
    let id = d.claims.open().next().unwrap().id;
    let out = d.apply(op(Action::ConfirmClaim { id }), t(3));
    assert_eq!(sale_commands(&out), [end_cmd("ALMOND-PINK")]);
    assert_eq!(d.sales.all()[0].ended().unwrap().1, EndReason::SoldOut);
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
fn a_chat_or_order_the_desk_already_has_is_dropped_by_its_own_id() {
    // The platform restarted its numbering and sends again, under new seqs, what it sent.
    let before = [(chat(41, "Bea", "hi"), t(0)), (order(42, "o1", 2, "8.99"), t(1))];
    let again = [
        (Input::Link(LinkEvent::Renumbered), t(2)),
        (
            frame(
                1,
                Event::Chat { msg_id: "m41".into(), user: user("Bea"), text: "hi".into(), reply_to: None },
            ),
            t(2),
        ),
        (order(2, "o1", 2, "8.99"), t(2)),
        (chat(3, "Cal", "new here"), t(3)),
        (order(4, "o2", 1, "8.99"), t(3)),
    ];
    // `before` stands for the journal a restarted livedesk rebuilds from, `again` for what a
    // fresh feed client (with no memory of ids) then reads: the desk alone tells the repeats.
    let mut d = desk();
    for (input, at) in before.into_iter().chain(again) {
        d.apply(input, at);
    }
    let s = d.summary();
    assert_eq!((s.chat_messages, s.orders, s.duplicates_dropped), (2, 2, 1));
    assert_eq!(s.stock["ALMOND-PINK"], 17, "o1 took its two units once");
    assert!(d.renumbered_at.is_some());
    // A later status of a booked order is no repeat.
    let cancelled = Event::Order {
        order_id: "o2".into(),
        user: user("Bea"),
        sku: "ALMOND-PINK".into(),
        qty: 1,
        unit_price: "8.99".parse().unwrap(),
        currency: "GBP".into(),
        status: OrderStatus::Cancelled,
    };
    d.apply(frame(5, cancelled), t(4));
    assert_eq!(d.summary().stock["ALMOND-PINK"], 18);
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
    assert_eq!(d.counters().commands_sent, 0);
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
    assert_eq!(d.health.reconnects, 1);
    assert!(matches!(d.link, Link::Reconnecting { attempt: 4, .. }));
    assert_eq!(d.notices().filter(|n| n.text.contains("Connection lost")).count(), 1);
}

#[test]
fn a_comment_the_desk_already_holds_counts_once_when_a_relay_replays_it_after_a_restart() {
    // A relay replays its last comments on every connect; after the app restarts, its
    // adapter no longer knows them, and they come with new seqs.
    let mut d = desk();
    for seq in 1..=8 {
        d.apply(chat(seq, "ann", &format!("comment {seq}")), t(seq as i64));
    }
    for seq in 3..=8 {
        let replayed = frame(
            100 + seq,
            Event::Chat {
                msg_id: format!("m{seq}"),
                user: user("ann"),
                text: format!("comment {seq}"),
                reply_to: None,
            },
        );
        d.apply(replayed, t(20));
    }
    d.apply(chat(9, "bea", "new"), t(21));
    let s = d.summary();
    assert_eq!((s.chat_messages, s.events_applied), (9, 9));
    assert_eq!((s.duplicates_dropped, s.feed_health.duplicates), (6, 6));
    assert_eq!(d.chat.messages().len(), 9);
}

#[test]
fn the_tick_that_shows_a_quiet_feed_is_kept_by_the_journal_and_a_comment_ends_the_spell() {
    let mut d = desk();
    d.apply(Input::Link(LinkEvent::Connected), t(0));
    d.apply(frame(1, Event::Viewers { count: 3400 }), t(1));
    d.apply(chat(2, "ann", "hi"), t(2));
    let before = d.revision();
    d.apply(Input::Tick, t(30));
    assert_eq!(d.revision(), before, "a tick that shows nothing is not journaled");
    d.apply(Input::Tick, t(62));
    assert_ne!(d.revision(), before, "the tick that shows the spell is journaled");
    assert_eq!(d.health.quiet(d.now).map(|s| s.seconds()), Some(60));
    let before = d.revision();
    d.apply(Input::Tick, t(80));
    assert_eq!(d.revision(), before, "a spell going on changes nothing");
    d.apply(chat(3, "bea", "back"), t(90));
    let s = d.summary().feed_health;
    assert_eq!((s.quiet_spells, s.quiet_seconds, s.longest_quiet_seconds), (1, 88, 88));
    assert_eq!((s.spells[0].viewers, s.spells[0].start.as_str()), (3400, "2025-11-13T02:13:22.000Z"));
    assert_eq!(d.health.quiet(d.now), None);
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

// ---------------------------------------------------------------- claims

fn stock(seq: u64, available: u32) -> Input {
    frame(seq, Event::Stock { sku: "ALMOND-PINK".into(), available })
}

fn claimer_order(seq: u64, id: &str, name: &str, qty: u32, status: OrderStatus) -> Input {
    frame(
        seq,
        Event::Order {
            order_id: id.into(),
            user: user(name),
            sku: "ALMOND-PINK".into(),
            qty,
            unit_price: "8.99".parse().unwrap(),
            currency: "GBP".into(),
            status,
        },
    )
}

fn update(seq: u64, id: &str, status: OrderStatus) -> Input {
    frame(seq, Event::OrderUpdate { order_id: id.into(), status })
}

fn pink(d: &Desk) -> (u32, u32, u32) {
    let p = d.catalog.product("ALMOND-PINK").unwrap();
    (p.on_hand, p.reserved, p.available)
}

/// (user, qty, state) of every open claim, oldest first.
fn open_claims(d: &Desk) -> Vec<(String, u32, &'static str)> {
    d.claims.open().map(|c| (c.user_name.clone(), c.qty, c.state.label())).collect()
}

fn claim_id(d: &Desk, name: &str) -> u64 {
    d.claims.open().find(|c| c.user_name == name).unwrap().id
}

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
    assert_eq!(d.chat.by_msg_id("m1").unwrap().text, "SOLD 2 almond-pink!! 💅");
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
    assert_eq!(d.claims.open().count(), 2);
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
    assert!(d.claims.open().next().is_none());
    assert_eq!(d.summary().claims.confirmed, 1);
    let entry = d.catalog.ledger("ALMOND-PINK").next_back().unwrap();
    assert_eq!(entry.reason, catalog::Reason::ClaimConfirmed { claim: id });
    // The confirmed claim is an order on the desk's books (a shop with no checkout has no other).
    let s = d.summary();
    assert_eq!((s.orders, s.gmv["GBP"].as_str()), (1, "17.98"));
    let line = d.chat.messages().iter().rev().find(|m| m.kind == MsgKind::System).unwrap();
    assert_eq!(line.text, format!("bought 2× Almond blush (£17.98) by claim #{id}"));
    // Her order for the same units arrives later: nothing is taken or counted twice.
    d.apply(claimer_order(2, "o1", "maria", 2, OrderStatus::Paid), t(6));
    assert_eq!(pink(&d), (18, 0, 18));
    let s = d.summary();
    assert_eq!((s.orders, s.gmv["GBP"].as_str()), (1, "17.98"), "the platform's order replaced the desk's");
    assert!(d.catalog.order(&format!("claim-{id}")).is_none());
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
    assert_eq!(d.catalog.order("o1").unwrap().taken, 2);
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
    assert_eq!(sent_replies(&out).len(), 1, "bea hears her claim is held");
    assert!(d.notices().any(|n| n.text.contains("expired: 1× ALMOND-PINK of @ann released")));
    let s = d.summary();
    assert_eq!((s.claims.active, s.claims.expired), (1, 1));
    // Bea's fresh hold runs from her promotion.
    d.apply(Input::Tick, t(1199));
    assert_eq!(d.claims.open().count(), 1);
    d.apply(Input::Tick, t(1200));
    assert_eq!(d.claims.open().count(), 0);
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
fn a_manual_adjust_is_booked_with_its_reason_and_serves_the_waitlist() {
    let mut d = desk();
    d.apply(stock(1, 0), t(0));
    d.apply(chat(2, "ann", "sold almond pink"), t(1));
    let change = catalog::Adjust::Add(3);
    d.apply(
        Input::Operator(Action::AdjustStock {
            sku: "ALMOND-PINK".into(),
            change,
            reason: "found a box".into(),
        }),
        t(2),
    );
    assert_eq!(pink(&d), (3, 1, 2));
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "held")]);
    let adjust = d.catalog.ledger("ALMOND-PINK").find(|e| e.delta_on_hand == 3).unwrap();
    assert_eq!(adjust.reason, catalog::Reason::ManualAdjust { note: "found a box".into() });
    assert!(d.notices().any(|n| n.text == "Stock of ALMOND-PINK +3: 0 → 3 on hand (found a box)"));
    let set = catalog::Adjust::Set(0);
    d.apply(
        Input::Operator(Action::AdjustStock {
            sku: "ALMOND-PINK".into(),
            change: set,
            reason: String::new(),
        }),
        t(3),
    );
    assert_eq!(open_claims(&d), [("ann".to_owned(), 1, "waiting")]);
    let last = d.catalog.ledger("ALMOND-PINK").rev().find(|e| e.delta_on_hand != 0).unwrap();
    assert_eq!(last.reason, catalog::Reason::ManualAdjust { note: "no reason given".into() });
    d.apply(
        Input::Operator(Action::AdjustStock { sku: "NOPE".into(), change: set, reason: "x".into() }),
        t(4),
    );
    assert_eq!(last_notice(&d), "Cannot adjust NOPE: not in the catalog");
    // After the stream, the shelf can still be counted.
    d.apply(Input::Link(LinkEvent::StreamEnded), t(5));
    d.apply(
        Input::Operator(Action::AdjustStock {
            sku: "ALMOND-PINK".into(),
            change: set,
            reason: "count".into(),
        }),
        t(6),
    );
    assert!(last_notice(&d).starts_with("Stock of ALMOND-PINK =0"), "{}", last_notice(&d));
}

#[test]
fn an_oversold_order_says_so_in_the_chat_line() {
    let mut d = desk();
    d.apply(stock(1, 1), t(0));
    d.apply(claimer_order(2, "o1", "zed", 3, OrderStatus::Paid), t(1));
    let line = d.chat.messages().iter().rev().find(|m| m.kind == MsgKind::System).unwrap();
    assert!(line.text.ends_with("2 OVERSOLD"), "{}", line.text);
    assert_eq!(d.catalog.order("o1").unwrap().oversold(), 2);
}

/// The replies sent to `name` in `out` (their texts start with `@name`).
fn replies_to(out: &[Output], name: &str) -> Vec<String> {
    sent_texts(out).into_iter().filter(|t| t.starts_with(&format!("@{name} "))).collect()
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
    let later = 10 + 2 * 20 + claims::BUYER_NEWS_QUIET.num_seconds();
    let mut out = d.apply(stock(20, 0), t(later));
    out.extend(d.apply(stock(21, 1), t(later + 1)));
    assert_eq!(
        replies_to(&out, "ann"),
        ["@ann you're in line for Almond blush", "@ann Almond blush is held for you now"]
    );
}

fn desk_with_limit(limit: u32) -> Desk {
    let mut shop = shop();
    shop.claims.max_per_customer = Some(limit);
    Desk::new(DeskSetup { shop, ..setup() })
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

// ---------------------------------------------------------------- property tests

mod props {
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
        let p = d.catalog.product("ALMOND-PINK").unwrap();
        prop_assert!(p.reserved <= p.on_hand, "held {} of {} on hand", p.reserved, p.on_hand);
        prop_assert_eq!(p.available, p.on_hand - p.reserved);
        // Held units are exactly the held claims'.
        let held: u32 = d
            .claims
            .open()
            .filter(|c| matches!(c.state, claims::ClaimState::Active { .. }))
            .map(|c| c.qty)
            .sum();
        prop_assert_eq!(p.reserved, held);
        // Nobody waits while something is available.
        let waiting = d.claims.open().any(|c| c.state == claims::ClaimState::Waiting);
        prop_assert!(!(waiting && p.available > 0), "a claim waits with {} available", p.available);
        // On hand = start + restocks (syncs, adjusts) − net sold: the units live orders took,
        // the desk's `claim-ID` orders among them (claims the operator confirmed that no
        // platform order has paid for yet).
        let live: i64 = d.catalog.orders().filter(|o| o.status.is_live()).map(|o| i64::from(o.taken)).sum();
        prop_assert_eq!(i64::from(p.on_hand), i64::from(start) + restocked - live);
        let claim_orders: i64 =
            d.catalog.orders().filter(|o| o.order_id.starts_with("claim-")).map(|o| i64::from(o.qty)).sum();
        let unbilled: i64 = d.claims.unbilled().map(|(_, _, n)| i64::from(n)).sum();
        prop_assert_eq!(claim_orders, unbilled, "each confirmed claim is on the books once");
        // GMV is the live orders' value, claim orders included.
        let value: rust_decimal::Decimal = d
            .catalog
            .orders()
            .filter(|o| o.status.is_live())
            .map(|o| o.unit_price * rust_decimal::Decimal::from(o.qty))
            .sum();
        prop_assert_eq!(d.catalog.gmv().get("GBP").copied().unwrap_or_default(), value);
        // Every order id took stock at most once, and gave it back at most once.
        let entries: Vec<&catalog::LedgerEntry> = d.catalog.ledger("ALMOND-PINK").collect();
        for o in d.catalog.orders() {
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

    proptest! {
        /// Any interleaving of claims, orders, cancels, refunds, expiries, restocks, syncs and
        /// the operator's decisions keeps the stock sound.
        #[test]
        fn stock_stays_sound_whatever_happens(steps in proptest::collection::vec(step(), 0..80)) {
            let mut d = desk();
            let start = 20;
            let mut restocked = 0i64;
            for (input, now) in journal(&steps) {
                let before = d.catalog.product("ALMOND-PINK").unwrap().on_hand;
                let restock = matches!(input, Input::Operator(Action::AdjustStock { .. }))
                    || matches!(&input, Input::Feed(f) if matches!(f.event, Event::Stock { .. }));
                d.apply(input, now);
                if restock {
                    // Only the sync or adjust itself moves on hand in such an input.
                    let after = d.catalog.product("ALMOND-PINK").unwrap().on_hand;
                    restocked += i64::from(after) - i64::from(before);
                }
                check(&d, start, restocked)?;
            }
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
                            pair[1] - pair[0] >= claims::BUYER_NEWS_QUIET.num_seconds(),
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
                (d.catalog.clone(), d.claims.clone(), d.summary(), outs)
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
            let (catalog, claims) = (d.catalog.clone(), d.claims.clone());
            for (input, _) in journal {
                if matches!(&input, Input::Feed(f) if matches!(f.event, Event::Order { .. })) {
                    d.apply(input, end);
                }
            }
            let orders = |c: &catalog::Catalog| {
                c.orders().map(|o| (o.order_id.clone(), (o.taken, o.status.is_live()))).collect::<BTreeMap<_, _>>()
            };
            prop_assert_eq!(orders(&d.catalog), orders(&catalog));
            prop_assert_eq!(d.catalog.products(), catalog.products());
            prop_assert_eq!(&d.claims, &claims);
        }
    }
}

fn tags_of(d: &Desk, msg_id: &str) -> Vec<&'static str> {
    d.chat.by_msg_id(msg_id).unwrap().tags.iter().map(crate::desk::classify::Tag::name).collect()
}

#[test]
fn comments_are_tagged_as_they_arrive_and_the_shops_own_never_are() {
    let mut d = desk();
    d.apply(chat(1, "Ann", "how much for the almond?"), t(1));
    d.apply(chat(2, "Bo", "sold 2 almond pink"), t(2));
    d.apply(
        frame(3, Event::Question { msg_id: "m3".into(), user: user("Cy"), text: "envío a México".into() }),
        t(3),
    );
    let shop = User { badges: vec!["operator".into()], ..user("Shop") };
    for i in 0..8u64 {
        let text = "https://shop.example/almond how much?".to_owned();
        let event = Event::Chat { msg_id: format!("o{i}"), user: shop.clone(), text, reply_to: None };
        d.apply(frame(10 + i, event), t(4));
    }
    assert_eq!(tags_of(&d, "m1"), ["question", "buyer"]);
    assert_eq!(tags_of(&d, "m2"), ["buyer"], "a claim is buying intent");
    assert_eq!(tags_of(&d, "m3"), ["question", "shipping"]);
    assert!(tags_of(&d, "o7").is_empty(), "the shop's repeated links are never spam");
}

#[test]
fn a_question_leaves_unanswered_when_replied_to_echoed_or_marked_handled() {
    let mut d = desk();
    d.apply(chat(1, "Ann", "do you ship to Cebu?"), t(10));
    d.apply(chat(2, "Bo", "how much is it?"), t(20));
    d.apply(chat(3, "Cy", "is there a size guide?"), t(30));
    d.apply(chat(4, "Di", "love it"), t(35));
    assert_eq!(d.chat.unanswered_count(), 3);
    assert_eq!(d.chat.oldest_unanswered().unwrap().msg_id, "m1");
    assert_eq!(clock(d.now - d.chat.oldest_unanswered().unwrap().at), "0:25");

    // A canned reply to it.
    let out = d.apply(op(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(40));
    assert_eq!(sent_replies(&out).len(), 1);
    assert!(d.chat.by_msg_id("m1").unwrap().answered);
    assert_eq!(d.chat.oldest_unanswered().unwrap().msg_id, "m2");

    // The operator answered in the platform's own chat: the echo carries reply_to.
    let shop = User { badges: vec!["host".into()], ..user("Nia") };
    let echo =
        Event::Chat { msg_id: "e1".into(), user: shop, text: "£8.99!".into(), reply_to: Some("m2".into()) };
    d.apply(frame(5, echo), t(50));
    assert_eq!(d.chat.unanswered_count(), 1);

    // Marked handled by hand.
    d.apply(op(Action::MarkHandled { msg_id: "m3".into() }), t(60));
    assert_eq!(d.chat.unanswered_count(), 0);
    assert!(d.chat.oldest_unanswered().is_none());
    assert!(last_notice(&d).contains("handled"), "{}", last_notice(&d));
    d.apply(op(Action::MarkHandled { msg_id: "gone".into() }), t(61));
    assert!(last_notice(&d).contains("no longer in the chat"));
}

#[test]
fn marking_handled_replays_to_the_same_state() {
    let inputs = vec![
        (chat(1, "Ann", "price?"), t(1)),
        (op(Action::MarkHandled { msg_id: "m1".into() }), t(2)),
        (chat(2, "Bo", "price?"), t(3)),
    ];
    let (mut a, mut b) = (desk(), desk());
    for (input, at) in &inputs {
        a.apply(input.clone(), *at);
        let json = serde_json::to_string(input).unwrap();
        b.apply(serde_json::from_str(&json).unwrap(), *at);
    }
    assert_eq!(a, b);
    assert_eq!(a.chat.unanswered_count(), 1);
}

#[test]
fn gifts_are_summed_by_currency_as_units_times_the_value_of_one() {
    let gift = |seq: u64, name: &str, value: &str, currency: &str, repeat: u32| {
        let gift = Gift { name: name.into(), value: value.parse().unwrap(), currency: currency.into() };
        frame(seq, Event::Gift { user: user("Ana"), gift, repeat })
    };
    let mut d = desk();
    d.apply(gift(1, "Rose", "1", "COINS", 5), t(1));
    d.apply(gift(2, "Galaxy", "1000", "COINS", 1), t(2));
    d.apply(gift(3, "Bits", "250", "BITS", 1), t(3));
    d.apply(gift(4, "Super Chat", "4.99", "USD", 2), t(4));
    let s = d.summary();
    assert_eq!(s.gifts, 9);
    let value: Vec<(&str, &str)> = s.gift_value.iter().map(|(c, v)| (c.as_str(), v.as_str())).collect();
    assert_eq!(value, [("BITS", "250"), ("COINS", "1005"), ("USD", "9.98")]);
}
