//! The viewers' records as the desk keeps them: fed by chat, orders and claims, tallied from
//! the catalog's books, joined to what earlier streams knew, with the operator's notes.

use super::*;
use crate::config::{self, EnvInfo, Paths};
use crate::desk::Desk;
use crate::desk::{Action, DeskSetup, Input, Level, LinkEvent};
use crate::protocol::{Gift, OrderStatus, StreamState};

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
}

/// A desk for the built-in shop (claims on), knowing `history`.
fn desk_knowing(history: History) -> Desk {
    let dir = std::path::Path::new("/nonexistent/livedesk-viewer-tests");
    let paths = Paths { config_dir: dir.join("config"), state_dir: dir.join("state") };
    let config = config::load(&paths, &EnvInfo::default()).expect("the built-in shop loads");
    Desk::new(DeskSetup {
        shop: config.shop,
        scrollback: 1000,
        ref_prefix: "t".into(),
        source: "test".into(),
        demo: false,
        history: Arc::new(history),
        replay: false,
        reply_uses: Default::default(),
    })
}

fn desk() -> Desk {
    desk_knowing(History::default())
}

fn viewer(id: &str, name: &str) -> User {
    User { id: id.into(), name: name.into(), region: Some("GB".into()), badges: vec![], follower: false }
}

fn feed(d: &mut Desk, seq: u64, event: Event, s: i64) -> Vec<super::super::Output> {
    d.apply(Input::Feed(Frame { v: 1, seq, ts: String::new(), event }), at(s))
}

fn say(d: &mut Desk, seq: u64, who: &User, text: &str, s: i64) {
    let event =
        Event::Chat { msg_id: format!("m{seq}"), user: who.clone(), text: text.into(), reply_to: None };
    feed(d, seq, event, s);
}

fn order(d: &mut Desk, seq: u64, id: &str, who: &User, qty: u32, price: &str, s: i64) {
    let event = Event::Order {
        order_id: id.into(),
        user: who.clone(),
        sku: "COFFIN-NUDE".into(),
        qty,
        unit_price: price.parse().unwrap(),
        currency: "GBP".into(),
        status: OrderStatus::Paid,
    };
    feed(d, seq, event, s);
}

fn update(d: &mut Desk, seq: u64, id: &str, status: OrderStatus, s: i64) {
    feed(d, seq, Event::OrderUpdate { order_id: id.into(), status }, s);
}

fn gbp(amount: &str) -> BTreeMap<String, Decimal> {
    BTreeMap::from([("GBP".to_owned(), amount.parse().unwrap())])
}

fn note(d: &mut Desk, user_id: &str, text: &str, tags: &[&str], s: i64) {
    let tags = tags.iter().map(|t| t.to_string()).collect();
    d.apply(Input::Operator(Action::NoteViewer { user_id: user_id.into(), note: text.into(), tags }), at(s));
}

#[test]
fn a_note_is_cleaned_capped_and_keeps_each_tag_once() {
    let tags = Note::parse_tags(" VIP , sizes run small,, vip ,\u{202e}evil\u{1b}[31m ");
    let n = Note::new("  always\u{7} buys almond  ", &tags, at(0));
    assert_eq!(n.text, "always buys almond");
    assert_eq!(n.tags, ["VIP", "sizes run small", "evil"]);
    assert!(n.vip());
    let long = "x".repeat(500);
    assert_eq!(Note::new(&long, &[], at(0)).text.chars().count(), NOTE_MAX);
    let many: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
    assert_eq!(Note::new("", &many, at(0)).tags.len(), TAGS_MAX);
    assert!(Note::new(" ", &[" ".into()], at(0)).is_empty());
}

#[test]
fn history_adds_streams_oldest_first() {
    let mut h = History::default();
    let spent = |n: u64, amount: &str| Tally { orders: n, spend: gbp(amount) };
    h.add_stream("u1", "ann", at(100), &spent(1, "4.99"));
    h.add_stream("u1", "Ann B", at(50_000), &spent(2, "10.00"));
    let p = h.get("u1").unwrap();
    assert_eq!((p.name.as_str(), p.first_seen, p.streams), ("Ann B", Some(at(100)), 2));
    assert_eq!(p.bought, spent(3, "14.99"));
    h.set_note("u1", Note::new("hi", &[], at(1)));
    assert!(h.get("u1").unwrap().note.is_some());
    h.set_note("u1", Note::new("", &[], at(2)));
    assert_eq!(h.get("u1").unwrap().note, None);
}

#[test]
fn chat_questions_gifts_and_orders_make_viewers_and_the_shop_is_not_one() {
    let mut d = desk();
    let ann = viewer("u1", "ann");
    say(&mut d, 1, &ann, "hi!", 10);
    feed(&mut d, 2, Event::Question { msg_id: "m2".into(), user: ann.clone(), text: "price?".into() }, 20);
    let gift = Gift { name: "Rose".into(), value: "0.10".parse().unwrap(), currency: "GBP".into() };
    feed(&mut d, 3, Event::Gift { user: viewer("u2", "bo"), gift, repeat: 3 }, 30);
    order(&mut d, 4, "o1", &viewer("u3", "cy"), 1, "9.99", 40);
    let shop = User { badges: vec!["host".into()], ..viewer("h", "Nail Nook") };
    say(&mut d, 5, &shop, "welcome all", 50);
    feed(&mut d, 6, Event::Join { user: viewer("u9", "lurker") }, 60);
    let ann_b = User { name: "Ann B".into(), ..ann.clone() };
    say(&mut d, 7, &ann_b, "again", 70);

    let ids: Vec<&str> = d.viewers().since(0).iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2", "u3"], "first-seen order; the shop and a bare join are not viewers");
    let a = d.viewers().get("u1").unwrap();
    assert_eq!((a.name.as_str(), a.messages, a.first_seen, a.last_seen), ("Ann B", 3, at(10), at(70)));
    assert_eq!(d.viewers().get("u2").unwrap().messages, 0);
    assert_eq!(d.viewers().since(2).len(), 1);
}

#[test]
fn this_streams_orders_count_live_ones_only() {
    let mut d = desk();
    let bea = viewer("u1", "bea");
    say(&mut d, 1, &bea, "hi", 0);
    order(&mut d, 2, "o1", &bea, 2, "9.99", 10);
    order(&mut d, 3, "o2", &bea, 1, "9.99", 20);
    order(&mut d, 4, "o3", &bea, 1, "9.99", 30);
    update(&mut d, 5, "o2", OrderStatus::Cancelled, 40);
    update(&mut d, 6, "o3", OrderStatus::Refunded, 50);
    // The same order id again is an update, not a second order.
    order(&mut d, 7, "o1", &bea, 2, "9.99", 60);
    let card = d.viewer_card("u1").unwrap();
    assert_eq!(card.here, Tally { orders: 1, spend: gbp("19.98") });
    assert_eq!(card.lifetime, card.here, "no earlier streams");
    assert!(!card.returning);
    assert_eq!(
        d.buyer_of(&Input::Feed(Frame {
            v: 1,
            seq: 8,
            ts: String::new(),
            event: Event::OrderUpdate { order_id: "o2".into(), status: OrderStatus::Paid },
        })),
        Some("u1".into())
    );
}

#[test]
fn a_confirmed_claim_is_an_order_and_the_platforms_order_for_it_does_not_count_twice() {
    let mut d = desk();
    let cy = viewer("u1", "cy");
    say(&mut d, 1, &cy, "sold 2 coffin nude", 0);
    let card = d.viewer_card("u1").unwrap();
    assert_eq!((card.claims, card.claims_held, card.claims_waiting), (1, 1, 0));
    let id = d.viewers().get("u1").unwrap().claims[0];
    let confirm = Input::Operator(Action::ConfirmClaim { id });
    assert_eq!(d.buyer_of(&confirm), Some("u1".into()));
    d.apply(confirm, at(10));
    let card = d.viewer_card("u1").unwrap();
    assert_eq!((card.claims, card.claims_held), (1, 0));
    assert_eq!(card.here, Tally { orders: 1, spend: gbp("19.98") });
    // The platform's checkout bills the claimed units: its order takes the claim's place.
    order(&mut d, 2, "p1", &cy, 2, "9.99", 20);
    let card = d.viewer_card("u1").unwrap();
    assert_eq!(card.here, Tally { orders: 1, spend: gbp("19.98") });
    assert_eq!(d.viewers().get("u1").unwrap().orders, ["claim-1", "p1"]);
}

#[test]
fn a_waiting_claim_counts_on_the_card() {
    let mut d = desk();
    // COFFIN-NUDE has a few units on hand in the demo shop: a big claim waits.
    feed(&mut d, 1, Event::Stock { sku: "COFFIN-NUDE".into(), available: 0 }, 0);
    say(&mut d, 2, &viewer("u1", "di"), "sold coffin nude", 5);
    let card = d.viewer_card("u1").unwrap();
    assert_eq!((card.claims, card.claims_held, card.claims_waiting), (1, 0, 1));
}

#[test]
fn history_makes_returning_customers_lifetime_totals_and_first_seen_ever() {
    let mut h = History::default();
    h.add_stream("u1", "ann", at(-90_000), &Tally { orders: 2, spend: gbp("15.00") });
    h.add_stream("u2", "bo", at(-80_000), &Tally::default());
    h.set_note("u2", Note::new("sizes run small", &["VIP".into()], at(-80_000)));
    let mut d = desk_knowing(h);
    let ann = viewer("u1", "ann");
    say(&mut d, 1, &ann, "back again", 100);
    order(&mut d, 2, "o1", &ann, 1, "9.99", 110);
    say(&mut d, 3, &viewer("u2", "bo"), "hello", 120);

    assert!(d.viewers().returning("u1"));
    assert!(!d.viewers().returning("u2"), "seen before, never bought");
    assert!(d.viewers().vip("u2") && !d.viewers().vip("u1"));
    let card = d.viewer_card("u1").unwrap();
    assert_eq!(card.first_seen, Some(at(-90_000)));
    assert_eq!(card.first_here, Some(at(100)));
    assert_eq!(card.streams_before, 1);
    assert_eq!(card.here, Tally { orders: 1, spend: gbp("9.99") });
    assert_eq!(card.lifetime, Tally { orders: 3, spend: gbp("24.99") });
    let bo = d.viewer_card("u2").unwrap();
    assert_eq!(bo.note.as_ref().map(|n| n.text.as_str()), Some("sizes run small"));
    assert!(bo.vip());
    // Known from before though not seen in this stream yet: a card all the same.
    assert!(d.viewers().get("u9").is_none() && d.viewer_card("u9").is_none());
    assert_eq!(d.viewer_card(""), None);
}

#[test]
fn notes_are_actions_that_win_over_the_history_and_can_be_cleared() {
    let mut h = History::default();
    h.set_note("u1", Note::new("old", &["VIP".into()], at(-5)));
    let mut d = desk_knowing(h);
    say(&mut d, 1, &viewer("u1", "ann"), "hi", 0);
    note(&mut d, "u1", "sizes run small", &["VIP", " returns often "], 10);
    let n = d.viewers().note("u1").unwrap();
    assert_eq!(
        (n.text.as_str(), n.tags.clone(), n.at),
        ("sizes run small", vec!["VIP".to_owned(), "returns often".to_owned()], at(10))
    );
    let last = d.notices().next_back().unwrap();
    assert_eq!(last.text, "Noted @ann: VIP, returns often · sizes run small");
    note(&mut d, "u1", "", &[], 20);
    assert_eq!(d.viewers().note("u1"), None, "a cleared note hides the old one too");
    assert!(!d.viewers().vip("u1"));
    assert_eq!(d.notices().next_back().unwrap().text, "Cleared the note on @ann");
    note(&mut d, "", "who?", &[], 30);
    assert_eq!(d.notices().next_back().unwrap().text, "Cannot note a viewer with no id");
}

#[test]
fn a_note_can_be_written_after_the_stream_ends() {
    let mut d = desk();
    say(&mut d, 1, &viewer("u1", "ann"), "bye", 0);
    feed(&mut d, 2, Event::Stream { state: StreamState::Ended }, 5);
    d.apply(Input::Link(LinkEvent::StreamEnded), at(6));
    note(&mut d, "u1", "great customer", &[], 10);
    assert_eq!(d.viewers().note("u1").map(|n| n.text.as_str()), Some("great customer"));
    assert!(d.notices().all(|n| n.level != Level::Warn || !n.text.contains("nothing was sent")));
}

#[test]
fn a_stream_folds_into_the_history_the_next_one_starts_with() {
    let mut h = History::default();
    h.add_stream("u1", "ann", at(-90_000), &Tally { orders: 1, spend: gbp("5.00") });
    let mut d = desk_knowing(h);
    let ann = viewer("u1", "Ann B");
    say(&mut d, 1, &ann, "hi", 0);
    order(&mut d, 2, "o1", &ann, 1, "9.99", 10);
    order(&mut d, 3, "o2", &viewer("u2", "bo"), 1, "9.99", 20);
    update(&mut d, 4, "o2", OrderStatus::Refunded, 30);
    note(&mut d, "u2", "", &["VIP"], 40);
    let next = d.viewers().history().with_stream(d.viewers(), d.catalog());
    let ann = next.get("u1").unwrap();
    assert_eq!((ann.name.as_str(), ann.streams, ann.first_seen), ("Ann B", 2, Some(at(-90_000))));
    assert_eq!(ann.bought, Tally { orders: 2, spend: gbp("14.99") });
    let bo = next.get("u2").unwrap();
    assert_eq!((bo.streams, bo.bought.orders), (1, 0), "a refunded order is no order");
    assert!(bo.note.as_ref().unwrap().vip());
    let mut fresh = desk_knowing(next);
    say(&mut fresh, 1, &viewer("u2", "bo"), "hi", 100);
    assert!(fresh.viewers().vip("u2") && !fresh.viewers().returning("u2"));
    assert!(fresh.viewers().returning("u1"));
}
