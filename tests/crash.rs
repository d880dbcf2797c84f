//! End-to-end: the desk is killed with SIGKILL in the middle of a burst of orders and
//! started again on the same stream and state dir. It must rebuild itself from the store's
//! journal, resume the feed after the last event it applied, and end with the figures the
//! stream's events call for: every order applied once, none missed.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Home, Server, Tmux, child_named, fixture, wait_until};
use serde_json::{Value, json};

/// The longest any one thing may take.
const WAIT: Duration = Duration::from_secs(30);

/// The shop for these tests, with this much ALMOND-PINK and NAIL-GLUE-KIT on the shelf; the
/// others have stock to spare, so a doubled or missed order shows in the stock figures.
fn catalog(almond: u32, glue: u32) -> String {
    let products = [
        ("ALMOND-PINK", "Press-on nails, almond, blush pink", "8.99", almond),
        ("COFFIN-NUDE", "Press-on nails, coffin, milky nude", "9.99", 300),
        ("STILETTO-RED", "Press-on nails, stiletto, cherry red", "11.99", 200),
        ("SQUARE-FRENCH", "Press-on nails, square, French tip", "7.99", 250),
        ("OVAL-GLITTER", "Press-on nails, oval, gold glitter", "12.99", 150),
        ("NAIL-GLUE-KIT", "Nail glue and prep kit", "5.49", glue),
    ];
    let mut text = String::from("currency = \"GBP\"\n");
    for (sku, name, price, stock) in products {
        text += &format!(
            "[[product]]\nsku = \"{sku}\"\nname = \"{name}\"\nprice = \"{price}\"\nstock = {stock}\n"
        );
    }
    text
}

/// The burst tests' shop: the sale's product runs out during the burst.
fn burst_catalog() -> String {
    catalog(20, 280)
}

/// The claims test's shop: ALMOND-PINK is down to its last 6 units when the rush on it
/// starts, NAIL-GLUE-KIT runs out during it. No flash sales.
fn claims_catalog() -> String {
    catalog(6, 20)
}

const SALES: &str = r#"
[[sale]]
id = "almond-rush"
sku = "ALMOND-PINK"
price = "4.99"
quantity = 10
seconds = 600
"#;

/// No reply tagged for announcements or claims: the platform's stream holds the fixture's
/// events only.
const REPLIES: &str = r#"
[[reply]]
key = "1"
title = "Shipping"
text = "We ship to the UK only"
"#;

fn shop_home() -> Home {
    let home = Home::new();
    home.write("catalog.toml", &burst_catalog());
    home.write("sales.toml", SALES);
    home.write("replies.toml", REPLIES);
    home
}

/// The stream of the claims test: a rush of claims, orders and returns on ALMOND-PINK.
const CLAIMS_FIXTURE: &str = "crash-claims.jsonl";

fn claims_home() -> Home {
    let home = Home::new();
    home.write("catalog.toml", &claims_catalog());
    home.write("replies.toml", REPLIES);
    home
}

fn db_path(home: &Home) -> PathBuf {
    home.dir.path().join("state/livedesk.db")
}

// ---------------------------------------------------------------------------------------
// The truth, from the fixture

/// A fixture's event lines, in order (comments and blank lines left out).
fn event_lines(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

/// The stream's events, in order.
fn events(name: &str) -> Vec<Value> {
    event_lines(name).iter().map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].clone()).collect()
}

/// Price in pence from a decimal string like "12.99".
fn pence(price: &str) -> i64 {
    let (whole, frac) = price.split_once('.').unwrap_or((price, "0"));
    whole.parse::<i64>().unwrap() * 100 + format!("{frac:0<2}")[..2].parse::<i64>().unwrap()
}

/// The stock ledger as the protocol describes it: a live order takes stock (never below
/// zero: the excess is oversold) and counts towards GMV; a cancel gives back what it took.
#[derive(Debug, Default)]
struct Truth {
    stock: BTreeMap<String, i64>,
    /// order id → (sku, qty, taken, pence, live)
    orders: HashMap<String, (String, i64, i64, i64, bool)>,
    gmv: i64,
    oversold: i64,
}

impl Truth {
    fn of(catalog: &str, events: &[Value]) -> Truth {
        let catalog: toml::Table = catalog.parse().unwrap();
        let stock = catalog["product"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["sku"].as_str().unwrap().to_owned(), p["stock"].as_integer().unwrap()))
            .collect();
        let mut truth = Truth { stock, ..Truth::default() };
        for e in events {
            let s = |k: &str| e[k].as_str().unwrap().to_owned();
            match e["type"].as_str().unwrap() {
                "order" => {
                    assert!(!truth.orders.contains_key(&s("order_id")), "the fixture repeats no order id");
                    let (qty, price) = (e["qty"].as_i64().unwrap(), pence(&s("unit_price")));
                    let live = matches!(s("status").as_str(), "placed" | "paid");
                    let available = truth.stock.get_mut(&s("sku")).unwrap();
                    let taken = if live { qty.min(*available) } else { 0 };
                    if live {
                        *available -= taken;
                        truth.oversold += qty - taken;
                        truth.gmv += qty * price;
                    }
                    truth.orders.insert(s("order_id"), (s("sku"), qty, taken, price, live));
                }
                "order_update" => {
                    let order = truth.orders.get_mut(&s("order_id")).unwrap();
                    if order.4 && matches!(s("status").as_str(), "cancelled" | "refunded") {
                        order.4 = false;
                        *truth.stock.get_mut(&order.0).unwrap() += order.2;
                        truth.oversold -= order.1 - order.2;
                        truth.gmv -= order.1 * order.3;
                    }
                }
                _ => {}
            }
        }
        truth
    }

    fn gmv(&self) -> Value {
        json!({ "GBP": format!("{}.{:02}", self.gmv / 100, self.gmv % 100) })
    }
}

// ---------------------------------------------------------------------------------------
// Running the desk and reading its journal

fn run_args(server: &Server) -> Vec<String> {
    ["run", "--url", &server.url, "--headless", "--summary", "json"].map(str::to_owned).to_vec()
}

/// Waits for a child to exit, killing it if it takes longer than [`WAIT`].
fn finish(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + WAIT;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not finish within {WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn summary_of(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("no summary ({e}): {stdout}"))
}

/// Runs one query on the store (the desk may be writing it: WAL lets us read alongside).
fn query<T>(db: &Path, sql: &str, read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>) -> Vec<T> {
    if !db.exists() {
        return Vec::new();
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let mut stmt = match conn.prepare(sql) {
        Ok(s) => s,
        Err(_) => return Vec::new(), // not set up yet
    };
    stmt.query_map([], read).unwrap().collect::<Result<_, _>>().unwrap()
}

/// Orders journaled so far (for one SKU, or all).
fn journaled_orders(db: &Path, sku: Option<&str>) -> i64 {
    let like = match sku {
        Some(sku) => format!("%\"type\":\"order\",%\"sku\":\"{sku}\"%"),
        None => "%\"type\":\"order\",%".into(),
    };
    let sql = format!("SELECT COUNT(*) FROM journal WHERE kind = 'feed' AND body LIKE '{like}'");
    query(db, &sql, |r| r.get(0)).first().copied().unwrap_or(0)
}

/// Checks the journal: one session for the stream, two runs, every event of the stream
/// applied exactly once.
fn assert_journal(db: &Path, stream: &str, events: usize) {
    let sessions: Vec<(String, Option<String>)> =
        query(db, "SELECT stream_id, ended_at FROM sessions", |r| Ok((r.get(0)?, r.get(1)?)));
    assert_eq!(sessions.len(), 1, "one stream, one session: {sessions:?}");
    assert_eq!(sessions[0].0, stream);
    assert!(sessions[0].1.is_some(), "the stream ended: {sessions:?}");
    let runs: Vec<i64> = query(db, "SELECT COUNT(*) FROM journal WHERE kind = 'run'", |r| r.get(0));
    assert_eq!(runs, [2], "the run that was killed and the one that finished");
    let doubled: Vec<(i64, i64)> = query(
        db,
        "SELECT seq, COUNT(*) FROM journal WHERE seq IS NOT NULL GROUP BY seq HAVING COUNT(*) > 1",
        |r| Ok((r.get(0)?, r.get(1)?)),
    );
    assert!(doubled.is_empty(), "seqs applied twice: {doubled:?}");
    let seqs: Vec<(i64, i64, i64)> =
        query(db, "SELECT COUNT(*), MIN(seq), MAX(seq) FROM journal WHERE seq IS NOT NULL", |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        });
    let n = events as i64;
    assert_eq!(seqs, [(n, 1, n)], "every event of the stream applied exactly once");
}

/// The `resume_after` of every `hello` the server received.
fn hellos(server: &Server) -> Vec<Value> {
    server.received().iter().filter(|v| v["type"] == "hello").map(|v| v["resume_after"].clone()).collect()
}

/// The figures the restarted desk must end with.
fn assert_figures(summary: &Value, truth: &Truth, replayed: &Value) {
    let stock: BTreeMap<String, i64> = serde_json::from_value(summary["stock"].clone()).unwrap();
    assert_eq!(stock, truth.stock, "stock\nsummary: {summary:#}");
    assert_eq!(summary["gmv"], truth.gmv(), "gmv\nsummary: {summary:#}");
    assert_eq!(summary["orders"], truth.orders.len(), "orders\nsummary: {summary:#}");
    assert_eq!(summary["oversold"], truth.oversold, "oversold\nsummary: {summary:#}");
    for key in ["events_applied", "chat_messages", "viewers_peak", "gaps", "missed_events"] {
        assert_eq!(summary[key], replayed[key], "{key}\nsummary: {summary:#}\nreplay: {replayed:#}");
    }
}

/// The fixture replayed from the file, with no network and no store: the reference counts.
fn replayed(home: &Home, name: &str) -> Value {
    replay_file(home, &fixture(name))
}

/// A script file replayed the same way: the summary of a desk that applied just its events.
fn replay_file(home: &Home, path: &Path) -> Value {
    let out = home
        .command()
        .args(["replay", "--headless", "--max", "--summary", "json"])
        .arg(path)
        .output()
        .unwrap();
    summary_of(&out)
}

// ---------------------------------------------------------------------------------------

#[test]
fn sigkill_during_a_burst_of_orders_loses_nothing_and_applies_nothing_twice() {
    let events = events("crash-burst.jsonl");
    let truth = Truth::of(&burst_catalog(), &events);
    let total_orders = truth.orders.len() as i64;
    let home = shop_home();
    let db = db_path(&home);
    let server = Server::start(&home, &fixture("crash-burst.jsonl"), 0, &[]);

    let first =
        home.command().args(run_args(&server)).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut first = KillOnDrop(first);
    let seen = wait_until("the burst of orders to be under way", WAIT, || {
        let n = journaled_orders(&db, None);
        (n >= 60, n)
    });
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    let journaled = journaled_orders(&db, None);
    assert!(
        journaled >= seen && journaled < total_orders,
        "killed during the burst: {journaled} of {total_orders} orders"
    );

    let second =
        home.command().args(run_args(&server)).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let summary = summary_of(&finish(second, "the restarted desk"));

    let reference = replayed(&home, "crash-burst.jsonl");
    assert_figures(&summary, &truth, &reference);
    assert_eq!(summary["state_digest"], reference["state_digest"], "the desk a crash-free replay ends with");
    assert!(summary["sales"].as_array().unwrap().iter().all(|s| s["state"] == "planned"), "{summary:#}");
    assert_journal(&db, "crash-burst", events.len());
    let hellos = hellos(&server);
    assert_eq!(hellos.len(), 2, "{hellos:?}");
    assert!(hellos[0].is_null(), "a first run starts from live: {hellos:?}");
    assert!(
        hellos[1].as_u64().is_some_and(|s| s >= seen as u64),
        "the restart resumes after the journal: {hellos:?}"
    );

    // `livedesk sessions` reads the same figures from the store.
    let out = home.command().args(["sessions", "--json"]).output().unwrap();
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list:#}");
    assert_eq!(
        (&list[0]["stream"], &list[0]["orders"], &list[0]["gmv"]),
        (&json!("crash-burst"), &json!(total_orders), &truth.gmv())
    );
    assert!(list[0]["ended_at"].is_string(), "{list:#}");
    let table = home.command().arg("sessions").output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("crash-burst")
            && table.contains("ended")
            && table.contains(&format!("{total_orders}")),
        "{table}"
    );
}

#[test]
fn a_flash_sale_started_before_the_crash_sells_out_after_it() {
    let events = events("crash-burst.jsonl");
    let truth = Truth::of(&burst_catalog(), &events);
    let home = shop_home();
    let db = db_path(&home);
    let server = Server::start(&home, &fixture("crash-burst.jsonl"), 0, &[]);

    let tmux = Tmux::start(&home, &["run", "--url", &server.url], 120, 40);
    tmux.wait_for("the desk to be live", WAIT, |s| s.contains("● live"));
    tmux.send(&[&start_sale_key()]);
    let start = wait_until("the flash sale's start to reach the platform", WAIT, || {
        let got = server.received();
        let start = got.into_iter().find(|v| v["type"] == "flash_sale" && v["action"] == "start");
        (start.is_some(), start)
    })
    .unwrap();
    // The sale is under way: some of its units sold, not all.
    wait_until("orders for the sale", WAIT, || {
        let n = journaled_orders(&db, Some("ALMOND-PINK"));
        (n >= 3, n)
    });
    let pid = wait_until("the desk's process", WAIT, || {
        let pid = child_named(tmux.pane_pid(), "livedesk");
        (pid.is_some(), pid)
    })
    .unwrap();
    let status = Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    assert!(status.success());
    tmux.wait_for("the desk to die", WAIT, |s| s.contains("[exited "));
    let sold = journaled_orders(&db, Some("ALMOND-PINK"));
    assert!(sold < 10, "killed while the sale ran: {sold} of its 10 units journaled");

    let second =
        home.command().args(run_args(&server)).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let summary = summary_of(&finish(second, "the restarted desk"));

    assert_figures(&summary, &truth, &replayed(&home, "crash-burst.jsonl"));
    assert_eq!(summary["stock"]["ALMOND-PINK"], 0, "{summary:#}");
    assert_eq!(
        summary["sales"],
        json!([{
            "id": "almond-rush", "state": "ended", "sold": 10, "quantity": 10, "runs": 1,
            "revenue": "49.90", // ten units at the sale's 4.99
        }]),
        "the sale went on counting after the restart and sold out\nsummary: {summary:#}"
    );
    assert_journal(&db, "crash-burst", events.len());
    // The start went out once (or again with the same ref: the same command to the platform).
    let starts: Vec<Value> = server
        .received()
        .into_iter()
        .filter(|v| v["type"] == "flash_sale" && v["action"] == "start")
        .map(|v| v["ref"].clone())
        .collect();
    assert!(starts.iter().all(|r| *r == start["ref"]), "{starts:?}");
    assert!(
        server.received().iter().any(|v| v["type"] == "flash_sale" && v["action"] == "end"),
        "the sell-out ended it"
    );
}

#[test]
fn sigkill_during_a_rush_of_claims_restores_the_holds_the_waitlist_and_the_stock() {
    let lines = event_lines(CLAIMS_FIXTURE);
    let events = events(CLAIMS_FIXTURE);
    let truth = Truth::of(&claims_catalog(), &events);
    let total_orders = truth.orders.len() as i64;
    let home = claims_home();
    let db = db_path(&home);

    // The reference: the whole stream replayed with no crash. It must exercise the claims
    // for this test to mean anything: units held, a waitlist, claims confirmed by orders,
    // and a return that promotes the first in line.
    let reference = replayed(&home, CLAIMS_FIXTURE);
    let claims = &reference["claims"];
    assert!(
        claims["active"].as_u64() > Some(0)
            && claims["waiting"].as_u64() > Some(0)
            && claims["confirmed"].as_u64() > Some(0)
            && claims["unmatched"].as_u64() > Some(0),
        "the reference has held, waiting, confirmed and unmatched claims: {reference:#}"
    );
    let returns = returns_of(&events, "ALMOND-PINK");
    let first_return = returns[0];
    let before = replay_file(&home, &first_events(&home, &lines, first_return));
    let after = replay_file(&home, &first_events(&home, &lines, first_return + 1));
    assert_eq!(
        (&before["stock"]["ALMOND-PINK"], &before["claims"]["active"]),
        (&json!(0), &json!(0)),
        "before the first return, nothing is left and nothing held: {before:#}"
    );
    assert_eq!(
        (&after["claims"]["active"], after["claims"]["waiting"].as_u64()),
        (&json!(1), before["claims"]["waiting"].as_u64().map(|w| w - 1)),
        "the first return promotes the first waiting claim\nbefore: {before:#}\nafter: {after:#}"
    );

    let server = Server::start(&home, &fixture(CLAIMS_FIXTURE), 0, &[]);
    let first =
        home.command().args(run_args(&server)).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut first = KillOnDrop(first);
    // Killed once the holders have begun to order: the waitlist is long by then, and most
    // of the rush, with the returns of the product, is still to come.
    wait_until("the rush on ALMOND-PINK to be under way", WAIT, || {
        let n = journaled_orders(&db, Some("ALMOND-PINK"));
        (n >= 2, n)
    });
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    let journaled = journaled_orders(&db, None);
    assert!(journaled < total_orders, "killed during the rush: {journaled} of {total_orders} orders");
    let last_seq = query(&db, "SELECT MAX(seq) FROM journal", |r| r.get::<_, i64>(0))[0] as usize;
    let at_kill = replay_file(&home, &first_events(&home, &lines, last_seq));
    assert!(
        at_kill["claims"]["waiting"].as_u64() > Some(0),
        "claims were waiting when the desk was killed: {at_kill:#}"
    );
    assert!(
        returns.iter().any(|&i| i >= last_seq),
        "a return of ALMOND-PINK came after the kill (seq {last_seq}), so the restarted desk \
         serves the waitlist it rebuilt: returns at {returns:?}"
    );

    let second =
        home.command().args(run_args(&server)).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let summary = summary_of(&finish(second, "the restarted desk"));

    // The same state as the run that never crashed.
    for key in [
        "stock",
        "claims",
        "oversold",
        "orders",
        "gmv",
        "sales",
        "events_applied",
        "chat_messages",
        "state_digest",
    ] {
        assert_eq!(summary[key], reference[key], "{key}\nsummary: {summary:#}\nreference: {reference:#}");
    }
    // The figures the stream's events call for.
    assert_eq!(summary["orders"], total_orders, "orders\nsummary: {summary:#}");
    assert_eq!(summary["gmv"], truth.gmv(), "gmv\nsummary: {summary:#}");
    assert_eq!(summary["oversold"], truth.oversold, "oversold\nsummary: {summary:#}");
    assert!(truth.oversold > 0, "the stream oversells: {truth:?}");
    let stock: BTreeMap<String, i64> = serde_json::from_value(summary["stock"].clone()).unwrap();
    for (sku, on_hand) in &truth.stock {
        // Units held for claims are on hand but not available: only ALMOND-PINK has any, at
        // least one for each held claim.
        if sku == "ALMOND-PINK" {
            let held = summary["claims"]["active"].as_i64().unwrap();
            assert!(
                stock[sku] + held <= *on_hand,
                "{sku}: {} available, {held} claims held, {on_hand} on hand",
                stock[sku]
            );
        } else {
            assert_eq!(stock[sku], *on_hand, "{sku}\nsummary: {summary:#}");
        }
    }
    assert_journal(&db, "crash-claims", events.len());
    let hellos = hellos(&server);
    assert_eq!(hellos, [Value::Null, json!(last_seq)], "the restart resumes after the journal");
}

/// The indexes of the events that cancel or refund a live order of `sku`.
fn returns_of(events: &[Value], sku: &str) -> Vec<usize> {
    let mut skus = HashMap::new();
    let mut returns = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match e["type"].as_str() {
            Some("order") => {
                skus.insert(e["order_id"].clone(), e["sku"].clone());
            }
            Some("order_update")
                if skus.get(&e["order_id"]) == Some(&json!(sku))
                    && matches!(e["status"].as_str(), Some("cancelled" | "refunded")) =>
            {
                returns.push(i);
            }
            _ => {}
        }
    }
    returns
}

/// A script of the stream's first `n` events, in the home dir: replayed, it gives the state
/// of a desk that applied just those.
fn first_events(home: &Home, lines: &[String], n: usize) -> PathBuf {
    let path = home.dir.path().join(format!("first-{n}.jsonl"));
    std::fs::write(&path, lines[..n].join("\n") + "\n").unwrap();
    path
}

/// The key the shipped default keymap binds to `start_sale`.
fn start_sale_key() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps/default.toml");
    let map: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    map["normal"]
        .as_table()
        .unwrap()
        .iter()
        .find(|(_, v)| v.as_str() == Some("start_sale"))
        .unwrap()
        .0
        .clone()
}

/// A child process that is killed if the test fails before it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_tiktok_relays_replay_after_the_desk_restarts_counts_once() {
    use common::fake::{self, Conn};
    // The relay replays its last six comments on every connect. The desk is killed after
    // the first eight; started again, its adapter has forgotten them, the journal has not.
    let room = json!({"event": "roomUser", "data": {"topViewers": [], "viewerCount": 3400}}).to_string();
    let mut first = vec![room];
    first.extend((1..=8).map(fake::tiktok_comment));
    let mut second: Vec<String> = (3..=8).map(fake::tiktok_comment).collect();
    second.extend((9..=10).map(fake::tiktok_comment));
    second.push(json!({"event": "streamEnd", "data": {"action": 3}}).to_string());
    let relay = fake::Fake::start(vec![
        Conn { frames: first, wait_for: 0, end: false, hold: true },
        Conn { frames: second, wait_for: 0, end: true, hold: false },
    ]);
    let home = Home::new();
    let db = db_path(&home);
    let url = format!("{}?uniqueId=@sellerdemo", relay.url);
    let args = ["run", "--url", &url, "--format", "tiktok", "--headless", "--summary", "json"];

    let run = home.command().args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut run = KillOnDrop(run);
    let chats = "SELECT COUNT(*) FROM journal WHERE kind = 'feed' AND body LIKE '%\"type\":\"chat\"%'";
    wait_until("the first eight comments in the journal", WAIT, || {
        let n: i64 = query(&db, chats, |r| r.get(0)).first().copied().unwrap_or(0);
        (n == 8, n)
    });
    run.0.kill().unwrap(); // SIGKILL
    run.0.wait().unwrap();
    let again = home.command().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let s = summary_of(&finish(again, "the restarted desk"));

    assert_eq!(relay.received().len(), 2, "the relay was connected twice");
    assert_eq!(s["chat_messages"], 10, "every comment once: {s:#}");
    assert_eq!(s["feed_health"]["duplicates"], 6, "the six replayed: {s:#}");
}

#[test]
fn sigkill_during_a_burst_of_orders_journaled_in_postgres_loses_nothing_and_applies_nothing_twice() {
    let events = events("crash-burst.jsonl");
    let truth = Truth::of(&burst_catalog(), &events);
    let total_orders = truth.orders.len() as i64;
    let home = shop_home();
    let db = common::pg::TestDb::new();
    let server = Server::start(&home, &fixture("crash-burst.jsonl"), 0, &[]);
    let count = |sql: &str| -> i64 {
        // Before the first start has migrated, there is no journal yet.
        db.client().query_one(sql, &[]).map_or(0, |r| r.get(0))
    };
    let orders = "SELECT COUNT(*) FROM journal WHERE kind = 'feed' AND body LIKE '%\"type\":\"order\",%'";
    let args = |server: &Server| {
        let mut args = run_args(server);
        args.extend(["--store".to_owned(), db.url.clone()]);
        args
    };

    let first =
        home.command().args(args(&server)).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut first = KillOnDrop(first);
    let seen = wait_until("the burst of orders to be under way", WAIT, || {
        let n = count(orders);
        (n >= 60, n)
    });
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    let journaled = count(orders);
    assert!(
        journaled >= seen && journaled < total_orders,
        "killed during the burst: {journaled} of {total_orders} orders"
    );

    // The second start finds the store through the environment, as a team's consoles would.
    let second = home
        .command()
        .args(run_args(&server))
        .env("LIVEDESK_STORE", &db.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let summary = summary_of(&finish(second, "the restarted desk"));

    assert_figures(&summary, &truth, &replayed(&home, "crash-burst.jsonl"));
    assert!(!db_path(&home).exists(), "nothing went to the SQLite file");
    let mut client = db.client();
    let sessions = client.query("SELECT stream_id, ended_at, orders FROM sessions", &[]).unwrap();
    assert_eq!(sessions.len(), 1, "one stream, one session");
    assert_eq!(sessions[0].get::<_, Option<String>>(0).as_deref(), Some("crash-burst"));
    assert!(sessions[0].get::<_, Option<String>>(1).is_some(), "the stream ended");
    assert_eq!(sessions[0].get::<_, i64>(2), total_orders);
    assert_eq!(
        count("SELECT COUNT(*) FROM journal WHERE kind = 'run'"),
        2,
        "the killed run and the one that finished"
    );
    let doubled = count(
        "SELECT COUNT(*) FROM (SELECT seq FROM journal WHERE seq IS NOT NULL GROUP BY seq HAVING COUNT(*) > 1) d",
    );
    assert_eq!(doubled, 0, "no seq applied twice");
    let seqs = client
        .query_one("SELECT COUNT(*), MIN(seq), MAX(seq) FROM journal WHERE seq IS NOT NULL", &[])
        .unwrap();
    let n = events.len() as i64;
    assert_eq!((seqs.get::<_, i64>(0), seqs.get::<_, i64>(1), seqs.get::<_, i64>(2)), (n, 1, n));
    let hellos = hellos(&server);
    assert!(
        hellos[1].as_u64().is_some_and(|s| s >= seen as u64),
        "the restart resumes after the journal: {hellos:?}"
    );

    // `livedesk sessions` reads the same figures from PostgreSQL.
    let out = home.command().args(["sessions", "--json", "--store", &db.url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list:#}");
    assert_eq!(
        (&list[0]["stream"], &list[0]["orders"], &list[0]["gmv"]),
        (&json!("crash-burst"), &json!(total_orders), &truth.gmv())
    );
    assert!(list[0]["ended_at"].is_string(), "{list:#}");
}
