//! The team desk on PostgreSQL: how long an operator's action on a console that follows takes
//! to show on another follower (request → the feed holder journals it → the follower reads
//! it), while the holder journals a 10,000 events/s flood under its lease; and how long a
//! console joining a three-hour stream takes to catch up (read the journal from its start and
//! apply every row). Needs `LIVEDESK_TEST_PG` (a cluster where it may create a database; `./test`
//! starts one); prints its figures (`cargo bench --bench team`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use fallible_iterator::FallibleIterator;

use livedesk::config::{self, EnvInfo, Paths};
use livedesk::desk::{Action, Desk, DeskSetup, Input};
use livedesk::protocol::{Event, Frame, User};
use livedesk::store::Item;
use livedesk::store::postgres::{Fence, JOURNAL_CHANNEL, PgStore, Secrets, Target, team};

/// Actions timed from one console to another.
const ACTIONS: usize = 200;
/// A three-hour stream at an average of 50 events a second.
const THREE_HOURS: u64 = 3 * 3600 * 50;
const SOURCE: &str = "ws://bench.feed";

fn chat(seq: u64) -> Item {
    let user = User {
        id: format!("u{}", seq % 5000),
        name: "naomi_nails".into(),
        region: Some("GB".into()),
        badges: vec![],
        follower: seq.is_multiple_of(3),
    };
    let text = "is the almond set still available? 💅".into();
    let event = Event::Chat { msg_id: format!("m{seq:07}"), user, text, reply_to: None };
    Item::Input(Input::Feed(Frame { v: 1, seq, ts: "2026-11-20T19:00:00.000Z".into(), event }))
}

fn desk(config: &livedesk::config::Config) -> Desk {
    Desk::new(DeskSetup {
        shop: config.shop.clone(),
        scrollback: config.settings.scrollback,
        ref_prefix: "bench".into(),
        source: SOURCE.into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    })
}

/// Waits for a notification, at most `most`.
fn wait(c: &mut postgres::Client, most: Duration) {
    let mut notes = c.notifications();
    let _ = notes.timeout_iter(most).next();
    while let Ok(Some(_)) = notes.iter().next() {}
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Ok(url) = std::env::var("LIVEDESK_TEST_PG") else {
        println!("team desk: skipped (set LIVEDESK_TEST_PG, or run ./test)");
        return;
    };
    let admin = Target::new(&url, &Secrets::from_env(None), None).unwrap();
    let name = format!("livedesk_bench_team_{}", std::process::id());
    admin.connect().unwrap().batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let target = admin.with_database(&name);
    let store = PgStore::open(&target).unwrap();
    assert!(team::take_lease(&mut target.connect().unwrap(), SOURCE, "holder", "ana").unwrap());
    let journal =
        Arc::new(store.fenced_journal(Fence { source: SOURCE.into(), console: "holder".into() }).unwrap());
    let session = journal.begin(SOURCE, Utc::now()).unwrap();
    let stop = Arc::new(AtomicBool::new(false));

    // The feed holder: a 10,000 events/s flood, and the requests it takes, journaled in turn.
    let flood = {
        let (journal, stop) = (journal.clone(), stop.clone());
        std::thread::spawn(move || {
            let start = Instant::now();
            let mut seq = 0;
            while !stop.load(Ordering::SeqCst) {
                for _ in 0..100 {
                    seq += 1;
                    journal.record(session, Utc::now(), chat(seq));
                }
                let due = start + Duration::from_millis(seq / 10);
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
            }
            (seq, start)
        })
    };
    let intake = {
        let (journal, stop, target) = (journal.clone(), stop.clone(), target.clone());
        std::thread::spawn(move || {
            let mut c = target.connect().unwrap();
            c.batch_execute(&format!("LISTEN {}", team::REQUEST_CHANNEL)).unwrap();
            let mut taken = std::collections::HashSet::new();
            let (sink, _sent) = tokio::sync::mpsc::unbounded_channel();
            while !stop.load(Ordering::SeqCst) {
                for hand in team::pending(&mut c, session).unwrap() {
                    if taken.insert(hand.request) {
                        // An operator action: written at once, as the holder does.
                        let item = Item::Input(Input::Hand(hand));
                        journal.record_durably_then_send(session, Utc::now(), vec![item], vec![], &sink);
                    }
                }
                wait(&mut c, Duration::from_millis(250));
            }
        })
    };

    // A follower asks; another follower waits to read it back from the journal.
    let mut asker = target.connect().unwrap();
    let mut reader = target.connect().unwrap();
    reader.batch_execute(&format!("LISTEN {JOURNAL_CHANNEL}")).unwrap();
    let mut last = team::last_row(&mut reader, session).unwrap();
    let mut waits = Vec::with_capacity(ACTIONS);
    for n in 0..ACTIONS {
        let action = Action::MarkHandled { msg_id: format!("m{n}") };
        let t = Instant::now();
        let id = team::request(&mut asker, session, "ben", &action).unwrap();
        'seen: loop {
            let rows = team::rows_after(&mut reader, session, last, 5_000).unwrap();
            for (row, _, item) in rows {
                last = row;
                if matches!(&item, Item::Input(Input::Hand(h)) if h.request == Some(id)) {
                    break 'seen;
                }
            }
            wait(&mut reader, Duration::from_millis(250));
        }
        waits.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::SeqCst);
    let (sent, flood_start) = flood.join().unwrap();
    let offered = sent as f64 / flood_start.elapsed().as_secs_f64();
    intake.join().unwrap();
    journal.flush().unwrap();
    // Kept up: every row of the flood committed, counted in the table, over the whole time
    // including the last commit.
    let committed: i64 = reader
        .query_one("SELECT COUNT(*) FROM journal WHERE session_id = $1 AND kind = 'feed'", &[&session])
        .unwrap()
        .get(0);
    let rate = committed as f64 / flood_start.elapsed().as_secs_f64();
    println!(
        "team desk: flood offered {offered:.0} events/s; {committed} of {sent} rows committed, {rate:.0} rows/s to the last commit"
    );
    waits.sort();
    println!(
        "team desk: an action on one console read back by another, during a {rate:.0} events/s flood: median {:?}, p90 {:?}, worst {:?}",
        waits[ACTIONS / 2],
        waits[ACTIONS * 9 / 10],
        waits[ACTIONS - 1]
    );

    // A three-hour stream journaled, then a console joining it reads and applies it all.
    let long = journal.begin(SOURCE, Utc::now()).unwrap();
    for seq in 1..=THREE_HOURS {
        journal.record(long, Utc::now(), chat(seq));
    }
    journal.flush().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths { config_dir: dir.path().join("config"), state_dir: dir.path().join("state") };
    let config = config::load(&paths, &EnvInfo::default()).unwrap();
    let mut joined = desk(&config);
    let start = Instant::now();
    let (mut after, mut rows) = (0, 0u64);
    loop {
        let page = team::rows_after(&mut reader, long, after, 5_000).unwrap();
        if page.is_empty() {
            break;
        }
        for (n, at, item) in page {
            after = n;
            rows += 1;
            if let Item::Input(input) = item {
                joined.apply(input, at);
            }
        }
    }
    let took = start.elapsed();
    println!(
        "team desk: a console joining a three-hour stream ({rows} rows) caught up in {took:.1?} ({:.0} rows/s)",
        rows as f64 / took.as_secs_f64()
    );
    drop(journal);
    drop(store);
    admin.connect().unwrap().batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
}
