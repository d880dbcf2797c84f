//! The store: how fast the journal writer takes a flood, how long an operator action's
//! command waits for its durable commit during a 10,000 events/s flood (the screen does
//! not wait: the writer sends the command), and how fast a restart rebuilds a desk from
//! the journal, and how long a desk takes at start to read what earlier streams knew of their
//! viewers. Prints its figures (`cargo bench --bench store`); with `LIVEDESK_TEST_PG` set (a
//! cluster where it may create a database), the same for the PostgreSQL store.

use std::time::{Duration, Instant};

use chrono::Utc;

use livedesk::config::{self, EnvInfo, Paths};
use livedesk::desk::viewers::Tally;
use livedesk::desk::{Action, Desk, DeskSetup, Input};
use livedesk::protocol::{Command, Event, Frame, User};
use livedesk::store::{Item, Journal, Store, ViewerRow};

const EVENTS: u64 = 200_000;

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

/// Journals `EVENTS` chats, `per_ms` of them each millisecond (0: as fast as possible),
/// with an operator action every 5,000; returns the rate and the action waits.
fn flood(path: &std::path::Path, per_ms: u64) -> (f64, Vec<Duration>) {
    flood_into(Journal::start(path).unwrap(), per_ms).0
}

/// [`flood`] into `journal`; also returns the session it wrote.
fn flood_into(journal: Journal, per_ms: u64) -> ((f64, Vec<Duration>), i64) {
    let id = journal.begin("bench", Utc::now()).unwrap();
    let (sink, mut sent) = tokio::sync::mpsc::unbounded_channel();
    let start = Instant::now();
    let mut waits = Vec::new();
    for seq in 1..=EVENTS {
        journal.record(id, Utc::now(), chat(seq));
        if per_ms > 0 && seq.is_multiple_of(per_ms * 10) {
            let due = start + Duration::from_millis(seq / per_ms);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        if seq.is_multiple_of(5_000) {
            let t = Instant::now();
            let action = Item::Input(Input::Operator(Action::EndSale { id: None }));
            let command = Command::PinProduct { reference: format!("r{seq}"), sku: None };
            journal.record_durably_then_send(id, Utc::now(), vec![action], vec![command], &sink);
            sent.blocking_recv().unwrap();
            waits.push(t.elapsed());
        }
    }
    journal.flush().unwrap();
    let rate = EVENTS as f64 / start.elapsed().as_secs_f64();
    journal.finish();
    ((rate, waits), id)
}

/// The median and the worst of `waits`.
fn spread(mut waits: Vec<Duration>) -> (Duration, Duration) {
    waits.sort();
    (waits[waits.len() / 2], waits[waits.len() - 1])
}

/// A desk of the built-in shop, to rebuild into.
fn bench_desk(config: &livedesk::config::Config) -> Desk {
    Desk::new(DeskSetup {
        shop: config.shop.clone(),
        scrollback: config.settings.scrollback,
        ref_prefix: "bench".into(),
        source: "bench".into(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    })
}

/// The flood, the operator's waits and the rebuild on a PostgreSQL database of the bench's
/// own on the cluster `LIVEDESK_TEST_PG` names.
fn postgres(config: &livedesk::config::Config) {
    use livedesk::store::postgres::{PgStore, Secrets, Target};
    let Ok(url) = std::env::var("LIVEDESK_TEST_PG") else {
        println!("PostgreSQL: skipped (set LIVEDESK_TEST_PG, or run ./test)");
        return;
    };
    let admin = Target::new(&url, &Secrets::from_env(None), None).unwrap();
    let name = format!("livedesk_bench_{}", std::process::id());
    admin.connect().unwrap().batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let target = admin.with_database(&name);
    let store = PgStore::open(&target).unwrap();
    let ((rate, _), _) = flood_into(store.journal().unwrap(), 0);
    println!("PostgreSQL journal writer, flat out: {rate:.0} rows/s");
    let ((_, waits), session) = flood_into(store.journal().unwrap(), 10);
    let (median, worst) = spread(waits);
    println!(
        "PostgreSQL: operator command out after its commit, during a 10,000 events/s flood: median {median:?}, worst {worst:?}"
    );
    let start = Instant::now();
    let mut desk = bench_desk(config);
    let rebuilt = livedesk::store::journaling::rebuild(&store, session, &mut desk).unwrap();
    let rate = rebuilt.inputs as f64 / start.elapsed().as_secs_f64();
    println!("PostgreSQL: rebuild from the journal: {} inputs at {rate:.0} inputs/s", rebuilt.inputs);
    drop(store);
    admin.connect().unwrap().batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists benches: nothing to list here
    }
    let dir = tempfile::tempdir().unwrap();

    let flat_out = dir.path().join("flat-out.db");
    let (rate, _) = flood(&flat_out, 0);
    println!("journal writer, flat out: {rate:.0} rows/s");

    let paced = dir.path().join("paced.db");
    let (_, waits) = flood(&paced, 10);
    let (median, worst) = spread(waits);
    println!(
        "operator command out after its durable commit, during a 10,000 events/s flood: median {median:?}, worst {worst:?}"
    );
    let size = std::fs::metadata(&paced).unwrap().len();
    println!("journal size: {} bytes a chat event", size / EVENTS);

    let paths = Paths { config_dir: dir.path().join("config"), state_dir: dir.path().join("state") };
    let config = config::load(&paths, &EnvInfo::default()).unwrap();
    let store = Store::open(&paced).unwrap();
    let session = store.sessions().unwrap()[0].id;
    let start = Instant::now();
    let mut desk = bench_desk(&config);
    let rebuilt = store.rebuild(session, &mut desk).unwrap();
    let rate = rebuilt.inputs as f64 / start.elapsed().as_secs_f64();
    println!("rebuild from the journal: {} inputs at {rate:.0} inputs/s", rebuilt.inputs);

    // A year of streams on one feed: 100 ended sessions of 5,000 viewers each (regulars
    // among 20,000), one in ten of them buying.
    let viewers_db = dir.path().join("viewers.db");
    let journal = Journal::start(&viewers_db).unwrap();
    let t0 = Utc::now();
    let written = Instant::now();
    for s in 0..100i64 {
        let id = journal.begin("wss://live.example/feed", t0).unwrap();
        for v in 0..5_000u64 {
            let user = (v * 7 + s as u64 * 131) % 20_000;
            let bought = if v.is_multiple_of(10) {
                Tally { orders: 1, spend: [("GBP".to_owned(), "8.99".parse().unwrap())].into() }
            } else {
                Tally::default()
            };
            let at = t0 + chrono::Duration::seconds(s * 604_800 + v as i64);
            journal.viewer(
                id,
                ViewerRow {
                    user_id: format!("u{user}"),
                    name: format!("viewer {user}"),
                    first_seen: at,
                    bought,
                },
            );
        }
        // Each stream ended: its viewers were folded into the feed's totals.
        journal.close(id, t0);
    }
    journal.flush().unwrap();
    journal.finish();
    println!("viewer rows: 500,000 written, and folded as each stream ended, in {:?}", written.elapsed());
    let store = Store::open(&viewers_db).unwrap();
    let start = Instant::now();
    let history = store.viewer_history("wss://live.example/feed", None).unwrap();
    println!("viewer history at start: {} viewers of 100 streams in {:?}", history.len(), start.elapsed());

    postgres(&config);
}
