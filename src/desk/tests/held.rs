//! The pre-send check through the desk: a reply that trips it is held with its reasons, and
//! the operator's send or drop settles it, in a replay too.

use super::*;

/// The test shop's replies, with one more on key 8 whose text is `text`.
fn with_reply(d: &mut Desk, text: &str) {
    let mut replies = shop().replies.replies;
    replies.push(ReplySpec { key: Some("8".into()), ..ReplySpec::new("Deal", text) });
    d.apply(Input::Replies(replies), t(0));
}

/// A desk with Almond blush (£8.99) pinned, a comment from maria, and key 8 saying `text`.
fn asked(text: &str) -> Desk {
    let mut d = desk();
    with_reply(&mut d, text);
    d.apply(op(Action::PinProduct { sku: Some("ALMOND-PINK".into()) }), t(1));
    d.apply(chat(1, "maria", "how much are the almond ones?"), t(2));
    d
}

fn send_8(d: &mut Desk) -> Vec<Output> {
    d.apply(op(Action::SendReply { key: "8".into(), to: Some("m1".into()) }), t(3))
}

#[test]
fn a_reply_with_a_stale_price_is_held_with_its_reason_and_nothing_is_sent() {
    let mut d = asked("@{user} {product} is only £3.50 today!");
    let out = send_8(&mut d);
    assert!(sent_texts(&out).is_empty(), "{out:?}");
    let held = d.held().expect("held");
    assert_eq!(held.text, "@maria Almond blush is only £3.50 today!");
    assert_eq!(held.reasons, ["£3.50 is not the product's price or sale price (£8.99)"]);
    assert_eq!(held.reply_to.as_deref(), Some("m1"));
    assert!(last_notice(&d).starts_with("Held reply “Deal” to @maria: £3.50"), "{}", last_notice(&d));
    assert!(!d.chat().by_msg_id("m1").unwrap().answered, "not answered until it goes");
}

#[test]
fn a_reply_with_the_products_own_price_is_not_held() {
    let mut d = asked("@{user} {product} is only £8.99 today!");
    let out = send_8(&mut d);
    assert_eq!(sent_texts(&out), ["@maria Almond blush is only £8.99 today!"]);
    assert!(d.held().is_none());
}

#[test]
fn the_live_sale_price_is_the_products_price_too() {
    let mut d = asked("{product} for £4.99, be quick");
    d.apply(start_sale("almond-rush"), t(2));
    assert_eq!(sent_texts(&send_8(&mut d)), ["Almond blush for £4.99, be quick"]);
}

#[test]
fn sending_a_held_reply_anyway_sends_it_as_held_and_teaches_the_desk() {
    let mut d = asked("@{user} {product} is only £3.50 today!");
    send_8(&mut d);
    let out = d.apply(op(Action::SendHeld {}), t(4));
    assert_eq!(sent_replies(&out), [("@maria Almond blush is only £3.50 today!".into(), Some("m1".into()))]);
    assert!(
        out.iter().any(|o| matches!(o, Output::Learned(_))),
        "the operator's answer teaches once it goes"
    );
    assert!(d.held().is_none());
    assert!(d.chat().by_msg_id("m1").unwrap().answered);
}

#[test]
fn dropping_a_held_reply_sends_nothing() {
    let mut d = asked("see https://bit.ly/nails");
    send_8(&mut d);
    assert_eq!(d.held().unwrap().reasons, ["links to bit.ly, not in replies.toml's allowed_links"]);
    let sent = d.counters().commands_sent;
    let out = d.apply(op(Action::DropHeld {}), t(4));
    assert!(out.is_empty());
    assert!(d.held().is_none());
    assert_eq!(last_notice(&d), "Dropped reply “Deal” to @maria");
    assert_eq!(d.counters().commands_sent, sent);
}

#[test]
fn a_link_the_shop_lists_or_the_platforms_own_is_not_held() {
    let mut config = setup();
    config.shop.replies.allowed_links = vec!["nailnook.shop".into()];
    let mut d = Desk::new(config);
    with_reply(&mut d, "more at nailnook.shop and tiktok.com/@nailnook");
    let caps = Capabilities::ALL;
    d.apply(Input::Link(LinkEvent::Platform { name: "tiktok".into(), caps }), t(1));
    d.apply(chat(1, "maria", "website?"), t(2));
    assert_eq!(send_8(&mut d).len(), 1 + 1, "the reply and the example it teaches");
    assert!(d.held().is_none());
}

#[test]
fn a_second_reply_that_trips_while_one_is_held_is_refused_and_a_clean_one_still_goes() {
    let mut d = asked("@{user} {product} is only £3.50 today!");
    send_8(&mut d);
    let out = send_8(&mut d);
    assert!(sent_texts(&out).is_empty());
    assert!(last_notice(&d).starts_with("Not sent: reply “Deal” to @maria"), "{}", last_notice(&d));
    assert!(last_notice(&d).ends_with("reply “Deal” to @maria is waiting: send or drop it first"));
    assert_eq!(d.held().unwrap().at, t(3), "the first one still waits");
    let out = d.apply(op(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(5));
    assert_eq!(sent_texts(&out).len(), 1, "a reply that passes is not held up");
}

#[test]
fn a_place_the_shop_cannot_ship_to_is_held_but_its_cant_ship_reply_is_not() {
    let mut config = setup();
    config.shop.shipping.ships_to = vec!["GB".into()];
    let mut d = Desk::new(config);
    with_reply(&mut d, "Yes @{user}, we ship to Manila!");
    d.apply(chat(1, "maria", "ship to manila?"), t(1));
    send_8(&mut d);
    assert_eq!(d.held().unwrap().reasons, ["names the Philippines: the shop ships to the UK only"]);
    d.apply(op(Action::DropHeld {}), t(4));
    let mut replies = shop().replies.replies;
    replies[0].tags.push("cant-ship".into());
    replies[0].text = "Sorry @{user}, we don't ship to Manila, only {ships_to}".into();
    d.apply(Input::Replies(replies), t(5));
    let out = d.apply(op(Action::SendReply { key: "1".into(), to: Some("m1".into()) }), t(6));
    assert_eq!(sent_texts(&out), ["Sorry @maria, we don't ship to Manila, only the UK"]);
}

#[test]
fn an_unfilled_field_is_held_but_a_viewer_named_like_one_is_not() {
    let mut d = asked("@{user} {product} comes in {colour}");
    send_8(&mut d);
    assert_eq!(d.held().unwrap().reasons, ["{colour} is left unfilled"]);
    let mut d = asked("@{user} {product} is £8.99");
    d.apply(chat(2, "{price}_£1.00", "how much?"), t(2));
    let out = d.apply(op(Action::SendReply { key: "8".into(), to: Some("m2".into()) }), t(3));
    assert_eq!(sent_texts(&out), ["@{price}_£1.00 Almond blush is £8.99"]);
}

#[test]
fn an_announcement_with_a_stale_price_is_held_like_a_reply() {
    let mut d = desk();
    let mut replies = shop().replies.replies;
    replies[1].text = "FLASH SALE {product} now £3.00, {time_left} left!".into();
    d.apply(Input::Replies(replies), t(0));
    let out = d.apply(start_sale("almond-rush"), t(1));
    assert_eq!(sale_commands(&out), [start_cmd("ALMOND-PINK", 3, 120)], "the sale itself starts");
    assert!(sent_texts(&out).is_empty());
    let held = d.held().expect("the announcement waits");
    assert_eq!(held.label, "announcement “Flash”");
    assert_eq!(held.reasons, ["£3.00 is not the product's price or sale price (£8.99, £4.99)"]);
    let out = d.apply(op(Action::SendHeld {}), t(2));
    assert_eq!(sent_texts(&out), ["FLASH SALE Almond blush now £3.00, 2:00 left!"]);
}

#[test]
fn a_held_reply_is_rebuilt_from_the_journal_and_so_is_its_sending() {
    let mut inputs = vec![
        (op(Action::PinProduct { sku: Some("ALMOND-PINK".into()) }), t(1)),
        (chat(1, "maria", "how much?"), t(2)),
        (op(Action::SendReply { key: "8".into(), to: Some("m1".into()) }), t(3)),
    ];
    let mut replies = shop().replies.replies;
    replies.push(ReplySpec { key: Some("8".into()), ..ReplySpec::new("Deal", "{product} £3.50") });
    inputs.insert(0, (Input::Replies(replies), t(0)));
    // Every input as the journal keeps it: its JSON, read back.
    let journaled = |inputs: &[(Input, DateTime<Utc>)]| {
        let mut d = desk();
        for (input, at) in inputs {
            let line = serde_json::to_string(input).unwrap();
            d.apply(serde_json::from_str(&line).unwrap(), *at);
        }
        d
    };
    let mut live = desk();
    for (input, at) in &inputs {
        live.apply(input.clone(), *at);
    }
    assert!(live.held().is_some());
    assert_eq!(journaled(&inputs), live, "a crash while it waits rebuilds it waiting");
    let send = (op(Action::SendHeld {}), t(4));
    live.apply(send.0.clone(), send.1);
    inputs.push(send);
    let rebuilt = journaled(&inputs);
    assert_eq!(rebuilt, live);
    assert!(rebuilt.held().is_none());
    assert_eq!(rebuilt.counters().commands_sent, 2, "the pin, and the reply once sent");
}

#[test]
fn after_the_stream_a_held_reply_can_be_dropped_but_not_sent() {
    let mut d = asked("{product} £3.50");
    send_8(&mut d);
    d.apply(Input::Link(LinkEvent::StreamEnded), t(4));
    d.apply(op(Action::SendHeld {}), t(5));
    assert!(d.held().is_some());
    assert_eq!(last_notice(&d), "The stream has ended: nothing was sent");
    d.apply(op(Action::DropHeld {}), t(6));
    assert!(d.held().is_none());
}
