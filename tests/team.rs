//! End-to-end: the team desk. Several consoles on one local platform and one PostgreSQL
//! store share one desk: one holds the feed, the others follow its journal, an action on
//! any of them takes effect on all, and when the feed holder is killed with SIGKILL another
//! console takes the feed over and every console ends with the desk of a crash-free replay.
//!
//! Needs the cluster `./test` starts (LIVEDESK_TEST_PG).

mod common;

use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::pg::TestDb;
use common::{Home, Server, Tmux, child_named, claims_pane, fixture, status_line, wait_until};
use serde_json::Value;

/// The longest any one thing may take.
const WAIT: Duration = Duration::from_secs(90);

/// The two tests run one after the other: each is a rush on two cores, and a takeover
/// slowed by the other could come after its stream's end.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The claims fixture's shop (as tests/crash.rs has it): ALMOND-PINK down to its last 6
/// units when the rush on it starts, NAIL-GLUE-KIT runs out during it.
const CATALOG: &str = r#"currency = "GBP"
[[product]]
sku = "ALMOND-PINK"
name = "Press-on nails, almond, blush pink"
price = "8.99"
stock = 6
[[product]]
sku = "COFFIN-NUDE"
name = "Press-on nails, coffin, milky nude"
price = "9.99"
stock = 300
[[product]]
sku = "STILETTO-RED"
name = "Press-on nails, stiletto, cherry red"
price = "11.99"
stock = 200
[[product]]
sku = "SQUARE-FRENCH"
name = "Press-on nails, square, French tip"
price = "7.99"
stock = 250
[[product]]
sku = "OVAL-GLITTER"
name = "Press-on nails, oval, gold glitter"
price = "12.99"
stock = 150
[[product]]
sku = "NAIL-GLUE-KIT"
name = "Nail glue and prep kit"
price = "5.49"
stock = 20
"#;

const REPLIES: &str = r#"
[[reply]]
key = "1"
title = "Shipping"
text = "We ship to the UK only"
"#;

fn shop_home() -> Home {
    let home = Home::new();
    home.write("catalog.toml", CATALOG);
    home.write("replies.toml", REPLIES);
    home
}

/// A headless console on `server` and `db`, as `operator`, with `extra` arguments.
fn console(home: &Home, server: &Server, db: &TestDb, operator: &str, extra: &[&str]) -> KillOnDrop {
    let child = home
        .command()
        .args(["run", "--url", &server.url, "--store", &db.url, "--operator", operator])
        .args(["--headless", "--summary", "json"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    KillOnDrop(Some(child))
}

/// Waits (up to `within`) for a console to end and returns its summary.
fn summary(mut console: KillOnDrop, what: &str, within: Duration) -> Value {
    let mut child = console.0.take().unwrap();
    let deadline = Instant::now() + within;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not finish within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    summary_of(&child.wait_with_output().unwrap(), what)
}

fn summary_of(out: &Output, what: &str) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{what}: no summary ({e}): {stdout}"))
}

/// The fixture replayed from its file, with no network and no store: the reference desk.
fn replayed(home: &Home, script: &Path) -> Value {
    let out = home
        .command()
        .args(["replay", "--headless", "--max", "--summary", "json"])
        .arg(script)
        .output()
        .unwrap();
    summary_of(&out, "the replay")
}

/// The operator holding the feed's lease now, if any holds it.
fn holder(db: &TestDb) -> Option<String> {
    let mut c = db.client();
    let row = c.query_opt("SELECT operator FROM leases WHERE expires_at >= now()", &[]).ok()??;
    Some(row.get(0))
}

/// Orders of ALMOND-PINK journaled so far.
fn journaled_orders(db: &TestDb) -> i64 {
    let mut c = db.client();
    let sql =
        "SELECT COUNT(*) FROM journal WHERE kind = 'feed' AND body LIKE '%\"type\":\"order\",%ALMOND-PINK%'";
    c.query_one(sql, &[]).map(|r| r.get(0)).unwrap_or(0)
}

/// Seqs journaled more than once.
fn doubled_seqs(db: &TestDb) -> i64 {
    let sql = "SELECT COUNT(*) FROM (SELECT seq FROM journal WHERE seq IS NOT NULL GROUP BY seq HAVING COUNT(*) > 1) d";
    db.client().query_one(sql, &[]).unwrap().get(0)
}

/// The `resume_after` of every `hello` the server received.
fn hellos(server: &Server) -> Vec<Value> {
    server.received().iter().filter(|v| v["type"] == "hello").map(|v| v["resume_after"].clone()).collect()
}

/// What every console must end with: the desk of the crash-free replay.
const SAME: [&str; 9] = [
    "stock",
    "claims",
    "oversold",
    "orders",
    "gmv",
    "sales",
    "events_applied",
    "chat_messages",
    "state_digest",
];

#[test]
fn three_consoles_share_one_desk_and_survive_the_feed_holder_killed_mid_rush() {
    let _alone = alone();
    let home = shop_home();
    let script = fixture("crash-claims.jsonl");
    let reference = replayed(&home, &script);
    let db = TestDb::new();
    let server = Server::start(&home, &script, 0, &[]);

    let mut ana = console(&home, &server, &db, "ana", &[]);
    wait_until("ana to hold the feed", WAIT, || {
        let h = holder(&db);
        (h.as_deref() == Some("ana"), h)
    });
    let ben = console(&home, &server, &db, "ben", &[]);
    let cy = console(&home, &server, &db, "cy", &[]);
    wait_until("the rush on ALMOND-PINK to be under way", WAIT, || {
        let n = journaled_orders(&db);
        (n >= 2, n)
    });
    ana.kill(); // SIGKILL
    let killed = Instant::now();
    let taken = wait_until("another console to take the feed", WAIT, || {
        let h = holder(&db);
        (h.as_deref().is_some_and(|h| h != "ana"), h)
    });
    eprintln!("the feed changed hands ({taken:?}) {:?} after the kill", killed.elapsed());

    let ben = summary(ben, "ben's console", WAIT);
    let cy = summary(cy, "cy's console", WAIT);
    for key in SAME {
        assert_eq!(ben[key], reference[key], "{key}: ben\n{ben:#}\nreference\n{reference:#}");
        assert_eq!(cy[key], reference[key], "{key}: cy\n{cy:#}\nreference\n{reference:#}");
    }

    // Every event of the stream journaled once, across two runs on one session.
    let mut c = db.client();
    let sessions: i64 = c.query_one("SELECT COUNT(*) FROM sessions", &[]).unwrap().get(0);
    assert_eq!(sessions, 1, "one stream, one session");
    let runs: i64 = c.query_one("SELECT COUNT(*) FROM journal WHERE kind = 'run'", &[]).unwrap().get(0);
    assert_eq!(runs, 2, "ana's run and the run of the console that took over");
    assert_eq!(doubled_seqs(&db), 0, "no event journaled twice");
    let hellos = hellos(&server);
    assert_eq!(hellos.len(), 2, "ana dialed, then the console that took over: {hellos:?}");
    assert!(hellos[0].is_null() && hellos[1].as_u64().is_some_and(|s| s > 0), "{hellos:?}");
}

/// Journal rows of the feed's stream `stream` (a script's file name) so far.
fn rows_of_stream(db: &TestDb, stream: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM journal j JOIN sessions s ON s.id = j.session_id WHERE s.stream_id = $1";
    db.client().query_one(sql, &[&stream]).map(|r| r.get(0)).unwrap_or(0)
}

#[test]
fn a_new_stream_on_the_same_feed_is_followed_by_every_console() {
    let _alone = alone();
    let home = shop_home();
    let db = TestDb::new();
    // The first stream stays live two minutes; its platform goes away in the middle of it.
    let mut first = Server::start(&home, &fixture("tui-claims.jsonl"), 0, &[]);
    let port = first.url.rsplit(':').next().unwrap().trim_end_matches('/').to_owned();
    let ana = console(&home, &first, &db, "ana", &[]);
    wait_until("ana to hold the feed", WAIT, || (holder(&db).as_deref() == Some("ana"), holder(&db)));
    let ben = console(&home, &first, &db, "ben", &[]);
    wait_until("the first stream's chat in the journal", WAIT, || {
        (rows_of_stream(&db, "tui-claims") > 5, rows_of_stream(&db, "tui-claims"))
    });
    first.kill();
    // The same address now serves another stream, to its end: ana dials it again, its
    // welcome names the new stream, and a new session begins that ben follows from its start.
    let second = fixture("crash-claims.jsonl");
    let _server = Server::start(&home, &second, port.parse().unwrap(), &[]);
    let reference = replayed(&home, &second);
    let (ana, ben) = (summary(ana, "ana's console", WAIT), summary(ben, "ben's console", WAIT));
    for key in SAME {
        assert_eq!(ben[key], reference[key], "{key}: ben\n{ben:#}\nreference\n{reference:#}");
        assert_eq!(ana[key], ben[key], "{key}: ana and ben");
    }
    let sessions: Vec<(Option<String>, bool)> = db
        .client()
        .query("SELECT stream_id, ended_at IS NOT NULL FROM sessions ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected = vec![(Some("tui-claims".into()), true), (Some("crash-claims".into()), true)];
    assert_eq!(sessions, expected, "the first stream is kept as ended, the second has its own session");
}

// ---------------------------------------------------------------------------------------
// In a real terminal

fn confirmed(screen: &str) -> bool {
    claims_pane(screen).iter().any(|r| r.contains("@Maria Santos") && r.contains("confirmed"))
}

fn tui(home: &Home, server: &Server, db: &TestDb, operator: &str) -> Tmux {
    Tmux::start(home, &["run", "--url", &server.url, "--store", &db.url, "--operator", operator], 140, 40)
}

#[test]
fn a_confirmation_on_one_console_shows_on_the_other_and_the_survivor_takes_the_feed() {
    let _alone = alone();
    // The built-in shop: its claim replies tell Maria she is confirmed.
    let home = Home::new();
    // One ALMOND-PINK left: Maria holds it, Jack waits; the stream stays live a while.
    let script = fixture("tui-claims.jsonl");
    let db = TestDb::new();
    // At the script's own pace the stream stays live two minutes: the kill comes well
    // before its end.
    let server = Server::start(&home, &script, 0, &[]);
    let ana = tui(&home, &server, &db, "ana");
    ana.wait_for("ana to hold the feed", WAIT, |s| status_line(s).contains("feed: ana (here)"));
    let ben = tui(&home, &server, &db, "ben");
    // cy only watches: ben is the one to take the feed over.
    let cy = console(&home, &server, &db, "cy", &["--watch"]);
    let screen = ben.wait_for("ben to see both claims and who is on", WAIT, |s| {
        let rows = claims_pane(s);
        rows.iter().any(|r| r.contains("@Maria Santos"))
            && rows.iter().any(|r| r.contains("@Jack"))
            && status_line(s).contains("feed: ana ·")
            && status_line(s).contains("ben: chat")
    });
    assert!(status_line(&screen).contains("ana: chat"), "{screen}");

    // `y` on ben's console (he does not hold the feed) confirms Maria's claim on both.
    ben.send(&["y"]);
    ana.wait_for("ana to see the confirmation", WAIT, confirmed);
    ben.wait_for("ben to see it", WAIT, confirmed);
    // Replies to Maria, one per ref: a console taking the feed over re-sends a reply whose ack
    // its journal did not hold yet under the same ref, and the platform runs a repeated ref
    // once (the protocol's rule).
    let sends = |server: &Server| {
        let refs: std::collections::BTreeSet<String> = server
            .received()
            .iter()
            .filter(|v| v["type"] == "send_chat" && v["reply_to"] == "m002")
            .map(|v| v["ref"].to_string())
            .collect();
        refs.len()
    };
    wait_until("the confirmation to reach the platform", WAIT, || (sends(&server) == 1, sends(&server)));

    // The feed holder dies mid-stream: ben's console takes the feed and says so.
    assert!(status_line(&ana.screen()).contains("● live"), "the stream ended before the kill");
    let pid = child_named(ana.pane_pid(), "livedesk").expect("ana's livedesk runs in the pane");
    let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
    ben.wait_for("ben to hold the feed, the stream live", WAIT, |s| {
        status_line(s).contains("feed: ben (here)") && status_line(s).contains("● live")
    });
    assert!(confirmed(&ben.screen()), "ben's desk is the journal's, Maria's claim confirmed");
    let hellos = hellos(&server);
    assert_eq!(hellos.len(), 2, "{hellos:?}");
    assert!(hellos[1].as_u64().is_some(), "ben resumed after the journal: {hellos:?}");

    // The stream's two minutes, with room to spare.
    let cy = summary(cy, "cy's console", WAIT + Duration::from_secs(120));
    // The script's events, and what the platform made of the desk's commands (the echo of
    // each reply, Maria's order), each once.
    let reference = replayed(&home, &script);
    assert!(cy["events_applied"].as_u64() > reference["events_applied"].as_u64(), "{cy:#}");
    assert_eq!(cy["duplicates_dropped"], 0, "{cy:#}");
    assert_eq!(doubled_seqs(&db), 0, "no event journaled twice");
    assert_eq!(cy["claims"]["confirmed"], 1, "{cy:#}");
    assert_eq!(cy["operators"]["ben"]["confirmations"], 1, "the confirmation is ben's: {cy:#}");
    assert_eq!(sends(&server), 1, "Maria heard it once: {:?}", server.received());
}

/// A child process that is killed if the test fails before it ends.
struct KillOnDrop(Option<Child>);

impl KillOnDrop {
    fn kill(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.kill();
    }
}
