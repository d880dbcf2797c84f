//! Comments as they arrive: repeats dropped, tags, the shop's own words, gifts.

use super::*;

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
    assert!(d.renumbered_at().is_some());
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
    assert!(d.chat().by_msg_id("m1").unwrap().deleted);
    let mut shop_user = user("Nail Nook");
    shop_user.badges = vec!["operator".into()];
    d.apply(
        frame(3, Event::Chat { msg_id: "op-1".into(), user: shop_user, text: "hi".into(), reply_to: None }),
        t(2),
    );
    assert_eq!(d.chat().by_msg_id("op-1").unwrap().kind, MsgKind::Operator);
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
    assert_eq!(d.chat().messages().len(), 9);
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
fn a_question_takes_the_path_of_a_chat_and_the_shops_own_question_is_the_shops_words() {
    let mut d = desk();
    let question = |seq: u64, who: User, text: &str| {
        frame(seq, Event::Question { msg_id: format!("m{seq}"), user: who, text: text.into() })
    };
    d.apply(chat(1, "Ann", "sold 2 almond pink, do you ship to Manila?"), t(1));
    d.apply(question(2, user("Bo"), "sold 2 almond pink, do you ship to Manila?"), t(2));
    let shop = User { badges: vec!["host".into()], ..user("Shop") };
    d.apply(question(3, shop, "who wants the almond pink?"), t(3));

    // The platform's question mark is the one difference: the words read the same.
    assert_eq!(tags_of(&d, "m1"), tags_of(&d, "m2"));
    assert_eq!(d.chat().by_msg_id("m2").unwrap().kind, MsgKind::Question);
    let claimed: Vec<&str> = d.claims().open().map(|c| c.user_name.as_str()).collect();
    assert_eq!(claimed, ["Ann", "Bo"], "both comments are read as claims");
    let own = d.chat().by_msg_id("m3").unwrap();
    assert_eq!(own.kind, MsgKind::Operator, "the shop's own words, however the platform sent them");
    assert!(own.tags.is_empty(), "the shop's own words are never tagged");
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
