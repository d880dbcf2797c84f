//! Reports from a real PostgreSQL (`LIVEDESK_TEST_PG`, see `./test`): the fixtures journaled
//! into both stores give the same reports and customer list, and a SQLite store copied into
//! PostgreSQL reports as it did, however often it is copied.

use super::*;
use crate::desk::DeskSetup;
use crate::store::Archive;
use crate::store::postgres::PgStore;
use crate::store::postgres::copy::{self, Copied, Outcome};
use crate::store::postgres::test_db::TestDb;

/// The two fixture streams journaled into `db`, as [`stored`] does into SQLite.
fn stored_in(db: &TestDb, config: &Config) -> PgStore {
    let store = PgStore::open(&db.target).unwrap();
    let earlier = fixture("report-earlier.jsonl");
    record_into(&store, store.journal().unwrap(), config, "warm-up", &earlier, at(EARLIER_START));
    let stream = fixture("report-stream.jsonl");
    record_into(&store, store.journal().unwrap(), config, "flash-friday", &stream, at(START));
    store
}

fn customers_of(store: &dyn Archive, config: &Config) -> Vec<customers::Customer> {
    let setup = DeskSetup {
        shop: config.shop.clone(),
        scrollback: 1000,
        ref_prefix: "t".into(),
        source: "t".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    };
    customers::across(store, &setup).unwrap()
}

/// Every report of `store`, as JSON (what `--format json` writes).
fn reports(store: &dyn Archive, config: &Config) -> Vec<Value> {
    let ids: Vec<i64> = store.sessions().unwrap().iter().map(|s| s.id).collect();
    ids.iter().map(|&id| serde_json::to_value(report_of(store, config, id)).unwrap()).collect()
}

/// `(table, rows)` for each table a copy writes.
fn counts(db: &TestDb) -> Vec<(String, i64)> {
    let tables = ["sessions", "journal", "examples", "viewer_streams", "viewer_totals", "viewer_notes"];
    let mut client = db.client();
    tables
        .iter()
        .map(|t| (t.to_string(), client.query_one(&format!("SELECT COUNT(*) FROM {t}"), &[]).unwrap().get(0)))
        .collect()
}

#[test]
fn the_same_journal_reports_the_same_on_postgres_as_on_sqlite() {
    let (_dir, lite, config) = stored();
    let db = TestDb::new();
    let pg = stored_in(&db, &config);
    // The same sessions, but for when each began being journaled (the wall clock's now).
    let listed = |store: &dyn Archive| {
        let mut list = store.sessions().unwrap();
        list.iter_mut().for_each(|s| s.started_at.clear());
        list
    };
    assert_eq!(listed(&pg), listed(&lite));
    let (on_pg, on_lite) = (reports(&pg, &config), reports(&lite, &config));
    assert_eq!(on_pg.len(), 2);
    assert_eq!(on_pg, on_lite);
    // The figures are the fixture's, not merely equal: the note and a returning buyer too.
    let report = &on_pg[0];
    assert_eq!(report["stream"]["orders"].as_u64().unwrap() as usize, expected().orders);
    let list = customers_of(&pg, &config);
    assert_eq!(list, customers_of(&lite, &config));
    let ann = list.iter().find(|c| c.user_id == "u1").unwrap();
    assert_eq!((ann.streams, ann.notes.as_str()), (2, "sizes run small"));
}

#[test]
fn a_copied_store_reports_as_it_did_and_a_second_copy_copies_nothing() {
    let (_dir, lite, config) = stored();
    let path = lite.path().to_path_buf();
    let db = TestDb::new();
    let mut told = Vec::new();
    let first =
        copy::copy(Store::open(&path).unwrap(), &db.target, |s| told.push(s.outcome.clone())).unwrap();
    let journal_rows: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0))
        .unwrap();
    assert_eq!(first, Copied { copied: 2, rows: journal_rows as u64, notes: 1, ..Copied::default() });
    assert!(matches!(told[..], [Outcome::Copied { to: 1, .. }, Outcome::Copied { to: 2, .. }]), "{told:?}");
    let pg = PgStore::open(&db.target).unwrap();
    assert_eq!(Archive::sessions(&pg).unwrap(), lite.sessions().unwrap());
    assert_eq!(reports(&pg, &config), reports(&lite, &config));
    assert_eq!(customers_of(&pg, &config), customers_of(&lite, &config));
    // What the next stream starts from: the same viewers, totals and notes, the same replies.
    assert_eq!(pg.viewer_history(SOURCE, None).unwrap(), lite.viewer_history(SOURCE, None).unwrap());
    assert_eq!(pg.reply_uses(None).unwrap(), lite.reply_uses(None).unwrap());
    assert_eq!(pg.examples(None).unwrap(), lite.examples(None).unwrap());

    let before = counts(&db);
    told.clear();
    let second =
        copy::copy(Store::open(&path).unwrap(), &db.target, |s| told.push(s.outcome.clone())).unwrap();
    assert_eq!(second, Copied { skipped: 2, ..Copied::default() });
    assert_eq!(told, [Outcome::Skipped { to: 1 }, Outcome::Skipped { to: 2 }]);
    assert_eq!(counts(&db), before, "nothing written the second time");
    assert_eq!(reports(&pg, &config), reports(&lite, &config));

    // The file moved elsewhere (a new laptop, a restored backup) is still the same store.
    drop(lite); // its last connection gone, the file holds everything
    let moved = path.with_file_name("moved.db");
    std::fs::copy(&path, &moved).unwrap();
    told.clear();
    let third =
        copy::copy(Store::open(&moved).unwrap(), &db.target, |s| told.push(s.outcome.clone())).unwrap();
    assert_eq!((third.skipped, third.copied), (2, 0), "{told:?}");
    assert_eq!(counts(&db), before);
}
