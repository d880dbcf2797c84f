//! The viewers' tables across streams: notes kept for the next stream, lifetime totals that
//! leave out cancelled and refunded orders and count a rebuilt stream once, and the one-time
//! fill of a store journaled before the tables existed.

use std::path::Path;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::super::{Item, Journal, Store, path_in};
use crate::app::{Clock, Session};
use crate::config::{self, Config, EnvInfo, Paths};
use crate::desk::viewers::Tally;
use crate::desk::{Action, Input};
use crate::protocol::{Event, Frame, OrderStatus, StreamInfo, StreamState, User};
use crate::store::Resume;

const SOURCE: &str = "ws://platform.test/feed";

fn config(dir: &Path) -> Config {
    let paths = Paths { config_dir: dir.join("config"), state_dir: dir.join("state") };
    config::load(&paths, &EnvInfo::default()).expect("the built-in shop loads")
}

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_763_000_000_000 + ms).unwrap()
}

fn user(id: &str) -> User {
    User {
        id: id.into(),
        name: format!("name-{id}"),
        region: Some("GB".into()),
        badges: vec![],
        follower: false,
    }
}

fn frame(seq: u64, event: Event) -> Input {
    Input::Feed(Frame { v: 1, seq, ts: "2025-11-13T02:13:20.000Z".into(), event })
}

fn welcome(id: &str) -> Input {
    let stream = StreamInfo { id: id.into(), title: id.into(), currency: "GBP".into(), ..Default::default() };
    frame(0, Event::Welcome { stream, resumed: false, epoch: None })
}

fn say(seq: u64, who: &User, text: &str) -> Input {
    frame(
        seq,
        Event::Chat { msg_id: format!("m{seq}"), user: who.clone(), text: text.into(), reply_to: None },
    )
}

fn order(seq: u64, id: &str, who: &str, qty: u32, status: OrderStatus) -> Input {
    frame(
        seq,
        Event::Order {
            order_id: id.into(),
            user: user(who),
            sku: "COFFIN-NUDE".into(),
            qty,
            unit_price: "4.99".parse().unwrap(),
            currency: "GBP".into(),
            status,
        },
    )
}

fn update(seq: u64, id: &str, status: OrderStatus) -> Input {
    frame(seq, Event::OrderUpdate { order_id: id.into(), status })
}

fn ended(seq: u64) -> Input {
    frame(seq, Event::Stream { state: StreamState::Ended })
}

/// A session on `SOURCE` journaling into `dir`'s store, resuming an open one as `run` does.
fn session(dir: &Path, config: &Config) -> Session {
    let mut session = Session::new(config, "platform.test".into(), false, Clock::wall());
    let path = path_in(&dir.join("state"));
    let store = Store::open(&path).unwrap();
    session.attach_store(&store, Journal::start(&path).unwrap(), SOURCE, Resume::Unfinished).unwrap();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    session.connect_commands(tx);
    session
}

fn play(session: &mut Session, inputs: Vec<(Input, i64)>) {
    for (input, ms) in inputs {
        session.apply((input, Some(t(ms))));
    }
}

fn gbp(amount: &str) -> std::collections::BTreeMap<String, Decimal> {
    [("GBP".to_owned(), amount.parse().unwrap())].into()
}

#[test]
fn a_note_written_in_one_stream_is_on_the_card_in_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let mut first = session(dir.path(), &config);
    let note = Action::NoteViewer {
        user_id: "u1".into(),
        note: "sizes run small".into(),
        tags: vec!["VIP".into(), "regular".into()],
    };
    play(
        &mut first,
        vec![
            (welcome("s1"), 0),
            (say(1, &user("u1"), "hi"), 10),
            (Input::Operator(note), 20),
            (say(2, &user("u2"), "hello"), 30),
            (
                Input::Operator(Action::NoteViewer { user_id: "u2".into(), note: "x".into(), tags: vec![] }),
                40,
            ),
            (
                Input::Operator(Action::NoteViewer {
                    user_id: "u2".into(),
                    note: String::new(),
                    tags: vec![],
                }),
                50,
            ),
            (ended(3), 60),
        ],
    );
    first.finish();

    let mut second = session(dir.path(), &config);
    play(&mut second, vec![(welcome("s2"), 1_000), (say(1, &user("u1"), "back!"), 1_010)]);
    let card = second.desk.viewer_card("u1").unwrap();
    let note = card.note.clone().expect("the note came with the viewer");
    assert_eq!(
        (note.text.as_str(), note.tags.clone(), note.at),
        ("sizes run small", vec!["VIP".into(), "regular".into()], t(20))
    );
    assert!(card.vip() && second.desk.viewers().vip("u1"));
    assert_eq!((card.first_seen, card.first_here, card.streams_before), (Some(t(10)), Some(t(1_010)), 1));
    assert_eq!(second.desk.viewers().note("u2"), None, "a cleared note stays cleared");
    second.finish();
}

#[test]
fn lifetime_totals_leave_out_cancelled_and_refunded_orders_and_count_a_rebuilt_stream_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let mut first = session(dir.path(), &config);
    play(
        &mut first,
        vec![
            (welcome("s1"), 0),
            (order(1, "o1", "u1", 2, OrderStatus::Paid), 10),
            (order(2, "o2", "u1", 1, OrderStatus::Placed), 20),
            (update(3, "o2", OrderStatus::Cancelled), 30),
            (order(4, "o3", "u1", 1, OrderStatus::Paid), 40),
            (update(5, "o3", OrderStatus::Refunded), 50),
            (order(6, "o4", "u2", 1, OrderStatus::Paid), 60),
            (update(7, "o4", OrderStatus::Cancelled), 70),
            (ended(8), 80),
        ],
    );
    first.finish();

    let mut second = session(dir.path(), &config);
    play(
        &mut second,
        vec![
            (welcome("s2"), 1_000),
            (order(1, "p1", "u1", 1, OrderStatus::Paid), 1_010),
            (say(2, &user("u3"), "sold almond pink"), 1_020),
        ],
    );
    let claim = second.desk.viewers().get("u3").unwrap().claims[0];
    play(&mut second, vec![(Input::Operator(Action::ConfirmClaim { id: claim }), 1_030)]);
    assert!(second.desk.viewers().returning("u1"));
    assert!(!second.desk.viewers().returning("u2"), "a cancelled order makes no customer");
    let live = second.desk.viewer_card("u1").unwrap();
    assert_eq!(live.here, Tally { orders: 1, spend: gbp("4.99") });
    assert_eq!(live.lifetime, Tally { orders: 2, spend: gbp("14.97") });
    drop(second); // a crash: the next start rebuilds s2 from its journal

    for restart in 0..2 {
        let again = session(dir.path(), &config);
        assert_eq!(again.desk.stream().id, "s2", "restart {restart} rebuilt s2");
        let card = again.desk.viewer_card("u1").unwrap();
        assert_eq!(card.lifetime, live.lifetime, "restart {restart}: s2 counted once");
        assert_eq!((card.here.orders, card.streams_before), (1, 1));
        let u3 = again.desk.viewer_card("u3").unwrap();
        assert_eq!(u3.lifetime, Tally { orders: 1, spend: gbp("8.99") }, "a confirmed claim is an order");
        drop(again);
    }

    // What a third stream would start with: both streams, each once.
    let store = Store::open(&path_in(&dir.path().join("state"))).unwrap();
    let all = store.viewer_history(SOURCE, None).unwrap();
    let u1 = all.get("u1").unwrap();
    assert_eq!((u1.streams, u1.bought.clone()), (2, Tally { orders: 2, spend: gbp("14.97") }));
    assert_eq!(all.get("u2").unwrap().bought, Tally::default());
    assert_eq!(all.get("u3").unwrap().bought.orders, 1);
    assert!(
        store.viewer_history("ws://another.test/", None).unwrap().is_empty(),
        "another feed's viewers are not these"
    );
}

#[test]
fn a_store_journaled_before_the_viewer_tables_is_filled_from_its_journal_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_in(dir.path());
    let journal = Journal::start(&path).unwrap();
    let id = journal.begin(SOURCE, t(0)).unwrap();
    let host = User { badges: vec!["host".into()], ..user("shop") };
    let rows = [
        welcome("old"),
        say(1, &user("u1"), "hi"),
        say(2, &host, "welcome!"),
        order(3, "o1", "u1", 2, OrderStatus::Paid),
        order(4, "o2", "u1", 1, OrderStatus::Paid),
        update(5, "o2", OrderStatus::Refunded),
        order(6, "o3", "u2", 1, OrderStatus::Placed),
        update(7, "o3", OrderStatus::Cancelled),
        say(8, &User { name: "Ann".into(), ..user("u1") }, "again"),
    ];
    for (n, input) in rows.into_iter().enumerate() {
        journal.record(id, t(100 * n as i64), Item::Input(input));
    }
    journal.flush().unwrap();
    journal.finish();
    // As an older livedesk left it: the journal, and no viewer tables.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE viewer_streams; DROP TABLE viewer_notes;").unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let history = store.viewer_history(SOURCE, None).unwrap();
    assert_eq!(history.len(), 2, "u1 and u2; the shop's own messages make no viewer");
    let u1 = history.get("u1").unwrap();
    assert_eq!((u1.name.as_str(), u1.first_seen, u1.streams), ("name-u1", Some(t(100)), 1));
    assert_eq!(u1.bought, Tally { orders: 1, spend: gbp("9.98") });
    assert_eq!(history.get("u2").unwrap().bought, Tally::default());
    // Once: a second open finds the tables and leaves them be.
    store.conn.execute("UPDATE viewer_streams SET orders = 7 WHERE user_id = 'u1'", []).unwrap();
    let again = Store::open(&path).unwrap();
    assert_eq!(again.viewer_history(SOURCE, None).unwrap().get("u1").unwrap().bought.orders, 7);
}

#[test]
fn a_refund_after_the_stream_ended_reaches_the_totals_the_next_stream_starts_from() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let mut first = session(dir.path(), &config);
    play(
        &mut first,
        vec![
            (welcome("s1"), 0),
            (order(1, "o1", "u1", 1, OrderStatus::Paid), 10),
            (order(2, "o2", "u1", 2, OrderStatus::Paid), 20),
            (ended(3), 30),
            // The platform refunds one of them after the stream: the totals follow.
            (update(4, "o2", OrderStatus::Refunded), 40),
        ],
    );
    first.finish();
    let store = Store::open(&path_in(&dir.path().join("state"))).unwrap();
    let folded: i64 = store.conn.query_row("SELECT COUNT(*) FROM viewer_folded", [], |r| r.get(0)).unwrap();
    assert_eq!(folded, 1, "the ended session is in the totals");
    let u1 = store.viewer_history(SOURCE, None).unwrap().get("u1").cloned().unwrap();
    assert_eq!((u1.streams, u1.bought), (1, Tally { orders: 1, spend: gbp("4.99") }));
    let second = session(dir.path(), &config);
    assert_eq!(second.desk.viewers().history().get("u1").unwrap().bought.orders, 1);
}

#[test]
fn ended_sessions_are_summed_per_viewer_and_open_ones_read_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_in(dir.path());
    let journal = Journal::start(&path).unwrap();
    let row = |user: &str, name: &str, s: i64, orders: u64, amount: &str| super::ViewerRow {
        user_id: user.into(),
        name: name.into(),
        first_seen: t(s),
        bought: Tally { orders, spend: if orders == 0 { Default::default() } else { gbp(amount) } },
    };
    // Three streams: the first two ended, the third still open (quit, not ended).
    let mut expected = crate::desk::viewers::History::default();
    let mut ids = Vec::new();
    for (n, rows) in [
        vec![row("u1", "ann", 100, 1, "4.99"), row("u2", "bo", 50, 0, "0")],
        vec![row("u1", "Ann B", 9_000, 2, "10.00"), row("u3", "cy", 9_100, 1, "1.50")],
        vec![row("u1", "Ann C", 20_000, 1, "1.01")],
    ]
    .into_iter()
    .enumerate()
    {
        let id = journal.begin(SOURCE, t(n as i64 * 10_000)).unwrap();
        ids.push(id);
        for r in rows {
            expected.add_stream(&r.user_id, &r.name, r.first_seen, &r.bought);
            journal.viewer(id, r);
        }
        if n < 2 {
            journal.close(id, t(n as i64 * 10_000 + 5_000));
        }
    }
    // Another feed's streams are its own.
    let other = journal.begin("ws://another.test/", t(0)).unwrap();
    journal.viewer(other, row("u1", "someone else", 1, 5, "50.00"));
    journal.close(other, t(2));
    journal.flush().unwrap();
    journal.finish();

    let store = Store::open(&path).unwrap();
    let totals: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM viewer_totals WHERE feed = ?1", [SOURCE], |r| r.get(0))
        .unwrap();
    assert_eq!(totals, 3, "one row per viewer for the two ended streams");
    assert_eq!(store.viewer_history(SOURCE, None).unwrap(), expected);
    let ann = store.viewer_history(SOURCE, None).unwrap().get("u1").cloned().unwrap();
    assert_eq!((ann.name.as_str(), ann.streams, ann.first_seen), ("Ann C", 3, Some(t(100))));
    assert_eq!(ann.bought, Tally { orders: 4, spend: gbp("16.00") });
    // Rebuilding the open stream: it brings its own, the history has the two that ended.
    let without = store.viewer_history(SOURCE, Some(ids[2])).unwrap().get("u1").cloned().unwrap();
    assert_eq!((without.name.as_str(), without.streams, without.bought.orders), ("Ann B", 2, 3));
}
