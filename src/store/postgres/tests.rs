//! Against a real PostgreSQL: `LIVEDESK_TEST_PG` names a cluster where the tests may create
//! databases (`./test` starts a throwaway one and sets it); each test makes its own and drops it.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use tokio::sync::mpsc;

use super::test_db::TestDb;
use super::*;
use crate::app::{Clock, Session};
use crate::config::Config;
use crate::desk::{Action, Input};
use crate::protocol::Command;
use crate::store::Resume;
use crate::store::journaling::{self, Reader};
use crate::store::tests::{
    SOURCE, a_stream, chat, config, every_input, frame, fresh, play, play_steps, step, t, welcome,
};
use crate::store::{Item, Store, path_in};

/// A session journaling into `db`, its commands going to a channel.
fn pg_session(db: &TestDb, config: &Config) -> (Session, mpsc::UnboundedReceiver<Command>, PgStore) {
    let mut session = Session::new(config, "platform.test".into(), false, Clock::wall());
    let store = PgStore::open(&db.target).unwrap();
    session.attach_store(&store, store.journal().unwrap(), SOURCE, Resume::Unfinished).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    session.connect_commands(tx);
    (session, rx, store)
}

/// The same, into the SQLite store in `dir`.
fn sqlite_session(dir: &Path, config: &Config) -> (Session, mpsc::UnboundedReceiver<Command>) {
    let mut session = Session::new(config, "platform.test".into(), false, Clock::wall());
    let path = path_in(&dir.join("state"));
    let store = Store::open(&path).unwrap();
    session.attach_store(&store, Journal::start(&path).unwrap(), SOURCE, Resume::Unfinished).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    session.connect_commands(tx);
    (session, rx)
}

#[test]
fn migrations_apply_once_and_a_second_start_is_a_no_op() {
    let db = TestDb::new();
    let mut client = db.client();
    assert_eq!(schema::migrate(&mut client).unwrap(), schema::MIGRATIONS.len());
    assert_eq!(schema::migrate(&mut client).unwrap(), 0, "a second start finds nothing to do");
    drop(PgStore::open(&db.target).unwrap());
    let versions: Vec<i32> = client
        .query("SELECT version FROM schema_version ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, (1..=schema::MIGRATIONS.len() as i32).collect::<Vec<_>>());
    // A later migration applies once on top, in its own transaction.
    let mut later = schema::MIGRATIONS.to_vec();
    later.push(schema::Migration {
        version: schema::MIGRATIONS.len() as i32 + 1,
        name: "a later column",
        sql: "ALTER TABLE sessions ADD COLUMN later TEXT",
    });
    assert_eq!(schema::migrate_with(&mut client, &later).unwrap(), 1);
    assert_eq!(schema::migrate_with(&mut client, &later).unwrap(), 0);
    // This build's migrations do not know the later one: the database is a newer livedesk's.
    let err = PgStore::open(&db.target).err().unwrap();
    assert!(format!("{err:#}").contains("newer livedesk"), "{err:#}");
}

#[test]
fn every_input_reads_back_as_it_was_written() {
    let db = TestDb::new();
    let store = PgStore::open(&db.target).unwrap();
    let journal = store.journal().unwrap();
    let id = journal.begin(SOURCE, t(0)).unwrap();
    let written: Vec<Item> = every_input().into_iter().map(Item::Input).collect();
    for (i, item) in written.iter().enumerate() {
        journal.record(id, t(i as i64), item.clone());
    }
    journal.flush().unwrap();
    assert!(!journal.failed());
    let mut read = Vec::new();
    store
        .each_item(id, &mut |at, item| {
            read.push((at, item));
            Ok(())
        })
        .unwrap();
    let expected: Vec<_> = written.into_iter().enumerate().map(|(i, item)| (t(i as i64), item)).collect();
    assert_eq!(read, expected, "every input, at its time to the nanosecond");
    journal.finish();
}

#[test]
fn the_same_journal_written_to_sqlite_and_to_postgres_rebuilds_equal_desks() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (mut lite, _lite_commands) = sqlite_session(dir.path(), &config);
    let (mut pg, _pg_commands, store) = pg_session(&db, &config);
    play(&mut lite, &a_stream());
    play(&mut pg, &a_stream());
    let live = pg.desk.clone();
    lite.finish();
    pg.finish();

    let sqlite = Store::open(&path_in(&dir.path().join("state"))).unwrap();
    let (lite_open, pg_open) =
        (sqlite.latest_open(SOURCE).unwrap().unwrap(), store.latest_open(SOURCE).unwrap().unwrap());
    assert_eq!((pg_open.stream_id.as_deref(), pg_open.last_seq), (Some("s1"), Some(16)));
    assert_eq!((lite_open.stream_id, lite_open.last_seq), (pg_open.stream_id, pg_open.last_seq));
    let (mut from_lite, mut from_pg) = (fresh(&config), fresh(&config));
    let lite_rebuilt = sqlite.rebuild(lite_open.id, &mut from_lite).unwrap();
    let pg_rebuilt = journaling::rebuild(&store, pg_open.id, &mut from_pg).unwrap();
    assert_eq!(lite_rebuilt.inputs, pg_rebuilt.inputs);
    // The desks hold different ref prefixes (one per run): compare what they hold.
    assert_eq!(from_pg, live, "the PostgreSQL journal gives the live desk");
    assert_eq!(from_lite.summary(), from_pg.summary());
    assert_eq!(from_lite.sales().all(), from_pg.sales().all());
    let kinds = db.rows("SELECT kind, COUNT(*) FROM journal GROUP BY kind ORDER BY kind");
    let lite_kinds: Vec<(String, i64)> = {
        let conn = rusqlite::Connection::open(path_in(&dir.path().join("state"))).unwrap();
        let mut stmt =
            conn.prepare("SELECT kind, COUNT(*) FROM journal GROUP BY kind ORDER BY kind").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(kinds, lite_kinds, "the same rows in both");
    assert!(kinds.contains(&("tick".into(), 2)), "{kinds:?}");
    // The session row has the live figures.
    let figures = db.client().query_one("SELECT orders, gmv, title FROM sessions", &[]).unwrap();
    let summary = live.summary();
    assert_eq!(figures.get::<_, i64>(0) as usize, summary.orders);
    let gmv: BTreeMap<String, String> = serde_json::from_str(figures.get(1)).unwrap();
    assert_eq!(gmv, summary.gmv);
    assert_eq!(figures.get::<_, Option<String>>(2).as_deref(), Some("s1 live"));
}

#[test]
fn a_restart_on_postgres_resumes_the_session_and_an_ended_stream_teaches_the_next() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (mut session, _commands, _store) = pg_session(&db, &config);
    play(&mut session, &a_stream()[..10]);
    let note =
        Action::NoteViewer { user_id: "u2".into(), note: "sizes run small".into(), tags: vec!["VIP".into()] };
    session.apply((Input::Operator(note), Some(t(400))));
    let live = session.desk.clone();
    drop(session); // a crash once the batch is in

    let (mut again, _commands, store) = pg_session(&db, &config);
    let (now, then) = (again.desk.summary(), live.summary());
    assert_eq!((now.stock, now.orders, now.events_applied), (then.stock, then.orders, then.events_applied));
    assert!(again.desk.notices().any(|n| n.text.starts_with("Restored s1 from the journal")));
    again.apply((
        frame(9, crate::protocol::Event::Stream { state: crate::protocol::StreamState::Ended }),
        Some(t(900)),
    ));
    again.finish();
    let sessions = db.rows("SELECT source, COUNT(*) FROM sessions GROUP BY source");
    assert_eq!(sessions, [(SOURCE.to_owned(), 1)]);
    // The next stream knows the buyers and the note from the shared tables.
    let history = store.viewer_history(SOURCE, None).unwrap();
    let u2 = history.get("u2").expect("a buyer of s1");
    assert_eq!(u2.bought.orders, 1);
    assert_eq!(u2.note.as_ref().map(|n| n.text.as_str()), Some("sizes run small"));
}

#[test]
fn a_command_leaves_only_once_its_input_is_committed() {
    let db = TestDb::new();
    let store = PgStore::open(&db.target).unwrap();
    let journal = store.journal().unwrap();
    let id = journal.begin("demo", t(0)).unwrap();
    let (sink, mut sent) = mpsc::unbounded_channel();
    let command = |r: &str| Command::PinProduct { reference: r.into(), sku: None };
    for n in 0..3_000u64 {
        journal.record(id, t(n as i64), Item::Input(chat(n + 1)));
    }
    let action = Item::Input(Input::Operator(Action::PinProduct { sku: None }));
    journal.record_durably_then_send(id, t(3_000), vec![action], vec![command("a")], &sink);
    // A command the desk made after it waits its turn instead of overtaking it.
    journal.send_in_turn(vec![command("b")], &sink);
    let first = sent.blocking_recv().unwrap();
    // Another connection (another console, or this one after a crash) sees all of it.
    let on_disk = db.rows("SELECT kind, COUNT(*) FROM journal GROUP BY kind ORDER BY kind");
    assert_eq!(on_disk, [("feed".into(), 3_000), ("operator".into(), 1)], "when {first:?} left");
    assert_eq!(first.reference(), Some("a"));
    assert_eq!(sent.blocking_recv().unwrap().reference(), Some("b"));
    let (min, max, count): (i64, i64, i64) = {
        let r = db
            .client()
            .query_one("SELECT MIN(n), MAX(n), COUNT(*) FROM journal WHERE session_id = $1", &[&id])
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    };
    assert_eq!((min, max, count), (1, 3_001, 3_001), "numbered in order, with no hole");
    let last_seq: i64 =
        db.client().query_one("SELECT last_seq FROM sessions WHERE id = $1", &[&id]).unwrap().get(0);
    assert_eq!(last_seq, 3_000);
    journal.flush().unwrap();
    assert!(!journal.holding() && !journal.failed());
    journal.finish();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// On PostgreSQL as on SQLite: rebuilding from the journal gives the live desk.
    #[test]
    fn any_stream_rebuilds_to_the_live_desk(steps in proptest::collection::vec(step(), 1..120)) {
        let db = TestDb::new();
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let (mut session, mut commands, store) = pg_session(&db, &config);
        play_steps(&mut session, &mut commands, steps);
        let live = session.desk.clone();
        session.finish();
        let open = store.latest_open(SOURCE).unwrap().unwrap();
        let (mut first, mut second) = (fresh(&config), fresh(&config));
        journaling::rebuild(&store, open.id, &mut first).unwrap();
        journaling::rebuild(&store, open.id, &mut second).unwrap();
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(&first.clock_at(live.now()), &live);
    }
}

// ---------------------------------------------------------------------------------------
// The team desk

#[test]
fn one_console_holds_the_feed_until_its_lease_runs_out_and_then_another_takes_it() {
    let db = TestDb::new();
    drop(PgStore::open(&db.target).unwrap());
    let mut c = db.client();
    assert!(team::take_lease(&mut c, SOURCE, "A", "ana").unwrap());
    assert!(!team::take_lease(&mut c, SOURCE, "B", "ben").unwrap(), "ana's lease runs");
    assert!(team::take_lease(&mut c, "ws://another.feed", "B", "ben").unwrap(), "a lease is per feed");
    assert!(team::renew_lease(&mut c, SOURCE, "A").unwrap());
    assert!(!team::renew_lease(&mut c, SOURCE, "B").unwrap(), "only the holder renews");
    // ana stops renewing (killed, or cut off): her lease runs out.
    c.execute("UPDATE leases SET expires_at = now() - interval '1 second' WHERE holder = 'A'", &[]).unwrap();
    assert!(team::take_lease(&mut c, SOURCE, "B", "ben").unwrap());
    assert!(!team::renew_lease(&mut c, SOURCE, "A").unwrap(), "ana learns she lost it");
    let roster = team::roster(&mut c, SOURCE).unwrap();
    assert_eq!(roster.holder, Some(("ben".to_owned(), "B".to_owned())));
    team::seen(&mut c, "B", SOURCE, "ben", "stock").unwrap();
    team::seen(&mut c, "C", SOURCE, "cy", "chat").unwrap();
    assert_eq!(
        team::roster(&mut c, SOURCE).unwrap().on,
        [("ben".into(), "stock".into()), ("cy".into(), "chat".into())]
    );
    team::gone(&mut c, "C").unwrap();
    team::release_lease(&mut c, SOURCE, "B").unwrap();
    let roster = team::roster(&mut c, SOURCE).unwrap();
    assert_eq!((roster.holder, roster.on.len()), (None, 1), "a console that quits frees the feed at once");
}

#[test]
fn a_console_that_lost_the_lease_cannot_journal_after_the_new_holder() {
    let db = TestDb::new();
    let store = PgStore::open(&db.target).unwrap();
    let mut c = db.client();
    assert!(team::take_lease(&mut c, SOURCE, "A", "ana").unwrap());
    let fence = Fence { source: SOURCE.into(), console: "A".into() };
    let journal = store.fenced_journal(fence.clone()).unwrap();
    let session = journal.begin(SOURCE, t(0)).unwrap();
    journal.record(session, t(1), Item::Input(chat(1)));
    journal.flush().unwrap();
    c.execute("UPDATE leases SET expires_at = now() - interval '1 second'", &[]).unwrap();
    assert!(team::take_lease(&mut c, SOURCE, "B", "ben").unwrap());
    journal.record(session, t(2), Item::Input(chat(2)));
    assert!(journal.flush().is_err(), "the old holder's write is refused");
    assert!(journal.failed());
    assert_eq!(team::last_row(&mut c, session).unwrap(), 1, "only the row written under the lease");
    drop(journal);
    drop(store);
}

#[test]
fn a_request_is_pending_until_the_holder_journals_it_and_is_journaled_once() {
    let db = TestDb::new();
    let store = PgStore::open(&db.target).unwrap();
    let mut c = db.client();
    let journal = store.journal().unwrap();
    let session = journal.begin(SOURCE, t(0)).unwrap();
    let confirm = Action::ConfirmClaim { id: 3 };
    let id = team::request(&mut c, session, "ben", &confirm).unwrap();
    let pending = team::pending(&mut c, session).unwrap();
    let hand = crate::desk::team::Hand { by: "ben".into(), action: confirm, request: Some(id) };
    assert_eq!(pending, std::slice::from_ref(&hand));
    journal.record(session, t(1), Item::Input(Input::Hand(hand.clone())));
    journal.flush().unwrap();
    assert!(team::pending(&mut c, session).unwrap().is_empty(), "journaled: no longer pending");
    let rows = team::rows_after(&mut c, session, 0, 10).unwrap();
    assert_eq!(
        rows.iter().map(|(_, _, item)| item.clone()).collect::<Vec<_>>(),
        [Item::Input(Input::Hand(hand.clone()))]
    );
    // A second holder that took it too (it had not seen the first's commit) is refused.
    journal.record(session, t(2), Item::Input(Input::Hand(hand)));
    assert!(journal.flush().is_err(), "a request is journaled once");
    drop(journal);
    drop(store);
}

/// Waits until `sql`'s count reaches `want` (a batch commits within the writer's wait).
fn wait_for_count(db: &TestDb, sql: &str, want: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let n: i64 = db.client().query_one(sql, &[]).unwrap().get(0);
        if n >= want {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{sql}: {n}, not {want}, after 5 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A session of its own (not resuming another) journaling into `db` from a new pool.
fn pg_new_session(db: &TestDb, config: &Config) -> (Session, PgStore) {
    let mut session = Session::new(config, "platform.test".into(), false, Clock::wall());
    let store = PgStore::open(&db.target).unwrap();
    session.attach_store(&store, store.journal().unwrap(), SOURCE, Resume::Fresh).unwrap();
    (session, store)
}

#[test]
fn notes_purchases_and_reply_uses_are_shared_with_another_console_and_the_next_stream() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let sizing = config.shop.replies.replies.iter().find(|r| r.key.as_deref() == Some("3")).unwrap().id();
    let answer = Input::Operator(Action::Answer { reply: sizing.to_owned(), to: None });
    let note =
        Action::NoteViewer { user_id: "u2".into(), note: "sizes run small".into(), tags: vec!["VIP".into()] };

    // Stream A on the first console: u2 buys, gets a note, and a reply goes out twice.
    let (mut a, _commands, _store) = pg_session(&db, &config);
    play(&mut a, &a_stream()[..10]);
    a.apply((Input::Operator(note), Some(t(400))));
    a.apply((answer.clone(), Some(t(410))));
    a.apply((answer.clone(), Some(t(420))));
    wait_for_count(&db, "SELECT COUNT(*) FROM journal WHERE body LIKE '%\"answer\"%'", 2);
    wait_for_count(&db, "SELECT COUNT(*) FROM viewer_notes", 1);
    let bought = a.desk.viewers().tally(a.desk.viewers().get("u2").unwrap(), a.desk.catalog());
    assert_eq!(bought.orders, 1);

    // A second console, on its own connections, with a session of its own while A goes on.
    let (mut b, _b_store) = pg_new_session(&db, &config);
    let seen = |s: &Session| {
        let past = s.desk.viewers().history().get("u2").cloned().expect("u2 from the shared store");
        let note = s.desk.viewers().note("u2").cloned().expect("the note from the shared store");
        (past.bought.orders, note.text, note.tags, s.desk.replies().uses(sizing))
    };
    let expected = (1, "sizes run small".to_owned(), vec!["VIP".to_owned()], 2);
    assert_eq!(seen(&b), expected, "the second console");
    b.finish();

    // A ends; the team's next stream, on a third console, starts knowing all of it.
    a.apply((
        frame(20, crate::protocol::Event::Stream { state: crate::protocol::StreamState::Ended }),
        Some(t(900)),
    ));
    a.finish();
    let (mut c, _commands, _store) = pg_session(&db, &config);
    play(&mut c, &[(welcome("s2"), 1_000)]);
    assert_eq!(seen(&c), expected, "the next stream");
    let past = c.desk.viewers().history().get("u2").unwrap();
    assert_eq!(past.streams, 1, "A counted once, though the second console saw it open");
    c.finish();
}

#[test]
fn a_copy_tops_up_a_session_journaled_further_and_leaves_one_that_diverged() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let path = path_in(&dir.path().join("state"));
    let copy = || {
        let mut told = Vec::new();
        copy::copy(Store::open(&path).unwrap(), &db.target, |s| told.push(s.outcome.clone())).unwrap();
        told
    };
    let (mut lite, _commands) = sqlite_session(dir.path(), &config);
    play(&mut lite, &a_stream()[..10]);
    lite.finish(); // the stream goes on (a restart resumes it)
    let rows = |n| vec![copy::Outcome::Copied { to: 1, rows: n }];
    let first: i64 =
        Store::open(&path).unwrap().conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0)).unwrap();
    assert_eq!(copy(), rows(first as u64));

    // Journaled further on the laptop: the next copy adds only the new rows.
    let (mut lite, _commands) = sqlite_session(dir.path(), &config);
    play(&mut lite, &a_stream()[10..]);
    lite.finish();
    let all: i64 =
        Store::open(&path).unwrap().conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0)).unwrap();
    assert_eq!(copy(), [copy::Outcome::ToppedUp { to: 1, rows: (all - first) as u64 }]);
    assert_eq!(copy(), [copy::Outcome::Skipped { to: 1 }]);
    let pg = PgStore::open(&db.target).unwrap();
    let sqlite = Store::open(&path).unwrap();
    let (mut from_pg, mut from_lite) = (fresh(&config), fresh(&config));
    journaling::rebuild(&pg, 1, &mut from_pg).unwrap();
    sqlite.rebuild(1, &mut from_lite).unwrap();
    assert_eq!(from_pg.summary(), from_lite.summary());
    assert_eq!(pg.latest_open(SOURCE).unwrap(), sqlite.latest_open(SOURCE).unwrap());

    // A console resumes the copy on PostgreSQL, and the laptop goes on too: the copy is left.
    let (mut on_pg, _commands, _store) = pg_session(&db, &config);
    play(&mut on_pg, &[(chat(30), 70_000)]);
    on_pg.finish();
    let (mut lite, _commands) = sqlite_session(dir.path(), &config);
    play(&mut lite, &[(chat(31), 71_000)]);
    lite.finish();
    let journal = db.rows("SELECT kind, COUNT(*) FROM journal GROUP BY kind ORDER BY kind");
    assert_eq!(copy(), [copy::Outcome::Diverged { to: 1 }]);
    assert_eq!(db.rows("SELECT kind, COUNT(*) FROM journal GROUP BY kind ORDER BY kind"), journal);
}
