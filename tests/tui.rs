//! End-to-end: the real binary in a real terminal (tmux) against the real local server.
//!
//! Every test has its own config/state dirs, port, server and tmux socket, so they run in
//! parallel. Nothing here asserts on timing: every wait polls the screen (or the server's
//! log of client frames) until what it expects shows up, with a generous timeout.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    Home, Screen, Server, Tmux, child_named, claims_pane, fixture, free_port, status_line, wait_until,
};
use livedesk::config::KeyAction;
use livedesk::ui::bigtext;
use serde_json::Value;

/// How long any one thing may take to show up.
const WAIT: Duration = Duration::from_secs(25);

// ---------------------------------------------------------------------------------------
// Keymaps: the tests press whatever key the shipped keymap file binds, never a guess.

/// A keymap file from the repository's keymaps/ dir.
fn keymap(name: &str) -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps").join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first key bound to `action` in `mode` ("normal" or "help").
fn key_for(map: &toml::Table, mode: &str, action: &str) -> String {
    let table = map.get(mode).and_then(toml::Value::as_table).unwrap_or_else(|| panic!("no [{mode}] table"));
    table
        .iter()
        .find(|(_, v)| v.as_str() == Some(action))
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| panic!("no key for {action} in [{mode}]"))
}

/// A keymap key as tmux `send-keys` spells it.
fn tmux_key(key: &str) -> String {
    let named = [
        ("esc", "Escape"),
        ("enter", "Enter"),
        ("tab", "Tab"),
        ("shift-tab", "BTab"),
        ("space", "Space"),
        ("backspace", "BSpace"),
        ("up", "Up"),
        ("down", "Down"),
        ("left", "Left"),
        ("right", "Right"),
        ("pgup", "PPage"),
        ("pgdn", "NPage"),
        ("home", "Home"),
        ("end", "End"),
        ("insert", "IC"),
        ("delete", "DC"),
    ];
    if let Some((_, t)) = named.iter().find(|(k, _)| *k == key) {
        return (*t).to_owned();
    }
    if let Some(rest) = key.strip_prefix("ctrl-") {
        return format!("C-{rest}");
    }
    if let Some(rest) = key.strip_prefix("alt-") {
        return format!("M-{rest}");
    }
    key.to_owned()
}

/// Presses the key `map` binds to `action` in `mode`.
fn press(tmux: &Tmux, map: &toml::Table, mode: &str, action: &str) {
    tmux.send(&[&tmux_key(&key_for(map, mode, action))]);
}

// ---------------------------------------------------------------------------------------
// Reading the screen.

/// The chat pane's messages, one string per message, wrapped rows joined with a space.
/// Each starts with its `hh:mm:ss` time.
fn chat_messages(screen: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in screen.lines() {
        // A chat row is `│text│` followed by the next pane's border.
        let Some(rest) = line.strip_prefix('│') else { continue };
        let Some(row) = rest.split('│').next() else { continue };
        let starts_with_time = row.len() > 9
            && row.as_bytes()[2] == b':'
            && row.as_bytes()[5] == b':'
            && row.as_bytes()[8] == b' '
            && row[..8].chars().all(|c| c.is_ascii_digit() || c == ':');
        if starts_with_time {
            out.push(row.trim_end().to_owned());
        } else if row.starts_with("         ")
            && !row.trim().is_empty()
            && let Some(last) = out.last_mut()
        {
            last.push(' ');
            last.push_str(row.trim());
        }
    }
    out
}

/// Who a reply key would answer now, as the Replies pane title says (`→ @name`).
fn reply_target(screen: &str) -> Option<String> {
    let title = screen.lines().find(|l| l.contains("Replies "))?;
    let after = title.split("→ @").nth(1)?;
    Some(after.split(" ─").next().unwrap_or(after).trim().to_owned())
}

/// The key column of the help popup's entry whose description is `desc`.
fn help_entry(screen: &str, desc: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains(&format!(" {desc} ")) || l.ends_with(desc))?;
    let before = &line[..line.find(desc)?];
    Some(before.rsplit('│').next().unwrap_or(before).trim().to_owned())
}

/// `m:ss` in the countdown's large font: five rows.
fn big(time: &str) -> Vec<String> {
    bigtext::lines(time, bigtext::Font::Large)
}

/// The Flash sale pane's inside, row by row (the pane right of the chat, top to bottom).
/// Rows are cut at the pane's borders, not by column, so wide characters in the chat
/// (emoji) on the same screen row do not shift them.
fn sale_pane(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(top) = lines.iter().position(|l| l.contains("┌ Flash sale")) else { return vec![] };
    let mut out = Vec::new();
    for line in &lines[top + 1..] {
        let Some(row) = line.trim_end().strip_suffix('│') else { break };
        out.push(row.rsplit('│').next().unwrap_or(row).to_owned());
    }
    out
}

/// The running sale's countdown in seconds, read from the big digits under its badge (None
/// if not shown).
fn countdown(screen: &str) -> Option<u32> {
    let rows = sale_pane(screen);
    let badges = [" LIVE ", " ENDING ", " PAUSED ", " STARTS IN ", " 30 s LEFT ", " 10 s LEFT "];
    let live = rows.iter().position(|r| badges.iter().any(|b| r.starts_with(b)))?;
    let digits: Vec<Vec<char>> = rows.get(live + 1..live + 6)?.iter().map(|r| r.chars().collect()).collect();
    (0..=600u32).find(|secs| {
        let glyphs = big(&format!("{}:{:02}", secs / 60, secs % 60));
        let w = glyphs[0].chars().count();
        let width = digits[0].len();
        (0..=width.saturating_sub(w)).any(|x| {
            digits.iter().zip(&glyphs).all(|(row, glyph)| {
                row.len() >= x + w
                    && row[x..x + w].iter().copied().eq(glyph.chars())
                    && row[..x].iter().chain(&row[x + w..]).all(|c| c.is_whitespace())
            })
        })
    })
}

// ---------------------------------------------------------------------------------------
// The server's side.

/// Waits until the server has received a frame matching `pred`; returns it.
fn wait_received(server: &Server, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    wait_until(what, WAIT, || {
        let got = server.received();
        match got.iter().find(|v| pred(v)) {
            Some(v) => (true, v.clone()),
            None => (false, Value::Array(got)),
        }
    })
}

/// Runs the desk against `server` in a `w`×`h` terminal and waits until it is live.
fn desk(home: &Home, server: &Server, w: u16, h: u16) -> Tmux {
    let tmux = Tmux::start(home, &["run", "--url", &server.url], w, h);
    tmux.wait_for("the status bar to say live", WAIT, |s| status_line(s).contains("● live"));
    tmux
}

/// A replies.toml with a known shipping reply on key 1, otherwise like the demo's.
const REPLIES: &str = r#"
[[reply]]
key = "1"
title = "Shipping: UK only"
text = "Hi @{user}! We only ship to the UK for now, sorry!"
tags = ["shipping"]

[[reply]]
key = "2"
title = "Price and stock"
text = "@{user} {product} is {price} right now, {stock} left!"
tags = ["price"]

[[reply]]
key = "3"
title = "Thanks"
text = "Thank you so much @{user}!"
tags = ["thanks"]
"#;

/// Checks the config in `home` with `livedesk config check`, failing with its output.
fn assert_config_ok(home: &Home) {
    let out = home.command().args(["config", "check"]).output().unwrap();
    assert!(
        out.status.success(),
        "config check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------
// The tests.

#[test]
fn chat_appears_and_the_status_bar_says_live() {
    let home = Home::new();
    let port = free_port();
    let server = Server::start(&home, &fixture("e2e-stream.jsonl"), port, &[]);
    let tmux = Tmux::start(&home, &["run", "--url", &server.url], 120, 40);

    let screen = tmux.wait_for("the first comments", WAIT, |s| {
        s.contains("comment 001 from Oliver") && s.contains("do you ship to Manila?")
    });
    let messages = chat_messages(&screen);
    assert!(
        messages.iter().any(|m| m.ends_with("Oliver: comment 001 from Oliver")),
        "the comment is drawn as `time [region] name: text`: {messages:#?}"
    );
    assert!(messages.iter().any(|m| m.contains("Maria Santos") && m.ends_with("do you ship to Manila?")));

    let screen = tmux.wait_for("the status bar to say live", WAIT, |s| status_line(s).contains("● live"));
    let status = status_line(&screen);
    assert!(status.contains(&format!("127.0.0.1:{port}")), "the feed's host is named: {status:?}");

    let hello = wait_received(&server, "the client's hello", |v| v["type"] == "hello");
    assert!(hello["client"].as_str().is_some_and(|c| c.starts_with("livedesk/")), "{hello}");
}

#[test]
fn a_canned_reply_key_sends_the_filled_template_to_the_selected_comment() {
    let home = Home::new();
    home.write("replies.toml", REPLIES);
    assert_config_ok(&home);
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);
    tmux.wait_for("the last comment", WAIT, |s| s.contains("how long does delivery take"));

    // Walk the selection up to Maria's question, as an operator would.
    let mut target = reply_target(&tmux.screen());
    for _ in 0..10 {
        if target.as_deref() == Some("Maria Santos") {
            break;
        }
        press(&tmux, &map, "normal", "up");
        let before = target.clone();
        let screen = tmux.wait_for("the reply target to move", WAIT, |s| reply_target(s) != before);
        target = reply_target(&screen);
    }
    assert_eq!(target.as_deref(), Some("Maria Santos"), "the Replies title names who a reply goes to");

    tmux.send(&["1"]);
    let sent = wait_received(&server, "a send_chat", |v| v["type"] == "send_chat");
    assert_eq!(sent["text"], "Hi @Maria Santos! We only ship to the UK for now, sorry!", "{sent}");
    assert_eq!(sent["reply_to"], "m003", "{sent}");
    assert!(sent["ref"].as_str().is_some_and(|r| !r.is_empty()), "{sent}");

    // The platform echoes the reply into the chat; jump to the newest to see it.
    press(&tmux, &map, "normal", "bottom");
    let screen = tmux.wait_for("the echoed reply", WAIT, |s| {
        chat_messages(s)
            .iter()
            .any(|m| m.ends_with("Hi @Maria Santos! We only ship to the UK for now, sorry!"))
    });
    let echoes = chat_messages(&screen).into_iter().filter(|m| m.contains("We only ship to the UK")).count();
    assert_eq!(echoes, 1, "the reply is echoed once: {:?}", Screen(screen));
    let sends = server.received().iter().filter(|v| v["type"] == "send_chat").count();
    assert_eq!(sends, 1, "one key press, one message");
}

#[test]
fn a_flash_sale_starts_counts_down_and_ends() {
    let home = Home::new();
    home.write(
        "sales.toml",
        "[[sale]]\nid = \"test-flash\"\nsku = \"ALMOND-PINK\"\nprice = \"5.49\"\nquantity = 7\nseconds = 90\n",
    );
    assert_config_ok(&home);
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);
    tmux.wait_for("the planned sale", WAIT, |s| {
        s.contains("No flash sale running") && s.contains("test-flash")
    });

    press(&tmux, &map, "normal", "start_sale");
    let start =
        wait_received(&server, "flash_sale start", |v| v["type"] == "flash_sale" && v["action"] == "start");
    assert_eq!(start["sku"], "ALMOND-PINK", "{start}");
    let price = start["price"].as_str().map(str::to_owned).unwrap_or_else(|| start["price"].to_string());
    assert_eq!(price, "5.49", "{start}");
    assert_eq!(start["quantity"], 7, "{start}");
    assert_eq!(start["seconds"], 90, "{start}");

    let screen = tmux.wait_for("the countdown", WAIT, |s| countdown(s).is_some());
    let first = countdown(&screen).unwrap();
    assert!((1..=90).contains(&first), "the countdown starts from the sale's 90 s: {first}");
    let pane = sale_pane(&screen).join("\n");
    assert!(pane.contains("test-flash"), "{pane}");
    assert!(pane.contains("0/7 sold"), "{pane}");
    assert!(pane.contains("7 left"), "{pane}");
    assert!(pane.contains("£5.49") && pane.contains("£8.99"), "sale price against the normal price: {pane}");

    let screen = tmux.wait_for("the countdown to move", WAIT, |s| countdown(s).is_some_and(|t| t < first));
    let later = countdown(&screen).unwrap();
    assert!(later < first && later > 0, "{first} then {later}");

    // Pause: the platform stops selling and the clock holds.
    let ends = |server: &Server| {
        server.received().iter().filter(|v| v["type"] == "flash_sale" && v["action"] == "end").count()
    };
    press(&tmux, &map, "normal", "pause_sale");
    let pause = wait_received(&server, "flash_sale end (pause)", |v| {
        v["type"] == "flash_sale" && v["action"] == "end"
    });
    assert_eq!(pause["sku"], "ALMOND-PINK", "{pause}");
    let screen = tmux.wait_for("the sale to show paused", WAIT, |s| s.contains(" PAUSED  test-flash"));
    let held = countdown(&screen).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(countdown(&tmux.screen()), Some(held), "the clock holds while paused");

    // Resume: the platform sells again, with what is left.
    press(&tmux, &map, "normal", "pause_sale");
    let starts = wait_until("flash_sale start (resume)", WAIT, || {
        let got: Vec<Value> = server
            .received()
            .into_iter()
            .filter(|v| v["type"] == "flash_sale" && v["action"] == "start")
            .collect();
        (got.len() == 2, Value::Array(got))
    });
    let resume = &starts[1];
    assert!(resume["sku"] == "ALMOND-PINK" && resume["quantity"] == 7, "{resume}");
    let seconds = resume["seconds"].as_u64().unwrap();
    assert!(seconds as i64 >= i64::from(held) && seconds <= 90, "resumed with {seconds} s, held at {held}");
    tmux.wait_for("the sale to run again", WAIT, |s| s.contains("test-flash") && !s.contains(" PAUSED "));

    press(&tmux, &map, "normal", "end_sale");
    wait_until("flash_sale end", WAIT, || (ends(&server) == 2, ()));
    let screen = tmux.wait_for("the sale to end", WAIT, |s| s.contains("No flash sale running"));
    assert!(countdown(&screen).is_none());
    assert!(sale_pane(&screen).iter().any(|r| r.contains("test-flash") && r.contains("ended")), "{screen}");
}

#[test]
fn a_claim_in_the_comments_is_held_confirmed_with_a_key_and_a_restock_serves_the_waitlist() {
    let home = Home::new();
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-claims.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);
    let screen = tmux.wait_for("both claims", WAIT, |s| {
        let rows = claims_pane(s);
        rows.iter().any(|r| r.contains("@Maria Santos")) && rows.iter().any(|r| r.contains("@Jack"))
    });
    let rows = claims_pane(&screen);
    let maria = rows.iter().find(|r| r.contains("@Maria Santos")).unwrap();
    assert!(maria.contains("● ") && maria.contains("1× ALMOND-PINK"), "Maria holds the last unit: {rows:?}");
    let jack = rows.iter().find(|r| r.contains("@Jack")).unwrap();
    assert!(jack.contains("◌ #1") && jack.contains("2× ALMOND-PINK"), "Jack waits first in line: {rows:?}");
    let waitlisted = wait_received(&server, "the waitlist reply", |v| v["type"] == "send_chat");
    assert_eq!(waitlisted["reply_to"], "m003", "{waitlisted}");
    assert!(waitlisted["text"].as_str().unwrap().starts_with("@Jack "), "{waitlisted}");

    // One key confirms the selected claim (the first held one) and tells Maria.
    press(&tmux, &map, "normal", "confirm_claim");
    let confirmed =
        wait_received(&server, "the confirmation", |v| v["type"] == "send_chat" && v["reply_to"] == "m002");
    assert_eq!(
        confirmed["text"],
        "@Maria Santos you're confirmed for Press-on nails, almond, blush pink! We'll message you to pay 💖"
    );
    tmux.wait_for("Maria's claim confirmed", WAIT, |s| {
        claims_pane(s).iter().any(|r| r.contains("@Maria Santos") && r.contains("confirmed"))
    });

    // Found two more on the shelf: adjust the stock, and Jack's claim is held.
    // Focusing the Stock pane selects its first row, ALMOND-PINK.
    press(&tmux, &map, "normal", "focus_stock");
    press(&tmux, &map, "normal", "adjust_stock");
    tmux.wait_for("the adjust popup", WAIT, |s| s.contains("Adjust stock · ALMOND-PINK"));
    // Typed into the popup, `q` quits nothing and `y` confirms nothing.
    tmux.send(&["+2"]);
    tmux.send(&[&tmux_key("tab")]);
    tmux.send(&["quickly found a box"]);
    tmux.wait_for("the preview", WAIT, |s| s.contains("→ on hand 2, available 2"));
    tmux.send(&[&tmux_key("enter")]);
    let promoted = wait_received(&server, "the promotion reply", |v| {
        v["type"] == "send_chat"
            && v["reply_to"] == "m003"
            && v["text"].as_str().is_some_and(|t| t.contains("freed up"))
    });
    assert!(promoted["text"].as_str().unwrap().starts_with("@Jack good news!"), "{promoted}");
    let screen = tmux.wait_for("Jack's claim held", WAIT, |s| {
        claims_pane(s).iter().any(|r| r.contains("@Jack") && r.contains("● ") && r.contains("2× ALMOND-PINK"))
    });
    assert!(!screen.contains("Adjust stock ·"), "the popup closed:\n{screen}");
    assert!(status_line(&screen).contains("● live"), "still running:\n{screen}");
    let sends = server.received().iter().filter(|v| v["type"] == "send_chat").count();
    assert_eq!(sends, 3, "waitlisted, confirmed, promoted: {:?}", server.received());
}

/// A shop selling almond nails in three sizes under code `AA`, and a mug.
const VARIANT_CATALOG: &str = r#"
currency = "GBP"

[[product]]
sku = "ALMOND"
name = "Press-on nails, almond"
price = "8.99"
code = "AA"
aliases = ["almond"]

[[product.variant]]
sku = "ALMOND-S"
name = "small"
aliases = ["s"]
stock = 3

[[product.variant]]
sku = "ALMOND-M"
name = "medium"
aliases = ["m"]
stock = 4

[[product.variant]]
sku = "ALMOND-L"
name = "large"
aliases = ["l"]
stock = 2

[[product]]
sku = "MUG"
name = "Mug"
price = "5.00"
stock = 5
"#;

/// A Stock pane row's figures after its label (left, held, and sold when shown), if drawn.
fn stock_row(screen: &str, label: &str) -> Option<Vec<String>> {
    let line = screen.lines().find(|l| l.contains(label))?;
    let after = &line[line.find(label)? + label.len()..];
    Some(after.split('│').next().unwrap_or(after).split_whitespace().map(String::from).collect())
}

#[test]
fn a_claim_by_code_and_size_shows_as_held_under_its_product_in_the_stock_pane() {
    let home = Home::new();
    home.write("catalog.toml", VARIANT_CATALOG);
    home.write("sales.toml", "");
    home.write("replies.toml", REPLIES);
    assert_config_ok(&home);
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-variants.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);
    let screen = tmux.wait_for("both claims held", WAIT, |s| {
        stock_row(s, "└ medium").is_some_and(|r| r.get(1).map(String::as_str) == Some("2"))
            && stock_row(s, "└ large").is_some_and(|r| r.get(1).map(String::as_str) == Some("1"))
    });
    // Medium: 4 on the shelf, 2 held for Maria, so 2 left; the product shows the sums.
    assert_eq!(stock_row(&screen, "└ medium").unwrap()[..2], ["2", "2"], "{screen}");
    assert_eq!(stock_row(&screen, "└ large").unwrap()[..2], ["1", "1"], "{screen}");
    assert_eq!(stock_row(&screen, "AA ALMOND").unwrap()[..2], ["6", "3"], "{screen}");
    assert_eq!(stock_row(&screen, "└ small").unwrap()[..2], ["3", "·"], "{screen}");
    // The chat line says what the code was read as; the Claims pane holds the variant.
    assert!(screen.contains("sold AA 2 m → AA medium ×2"), "{screen}");
    let rows = claims_pane(&screen);
    assert!(rows.iter().any(|r| r.contains("2× ALMOND-M") && r.contains("@Maria Santos")), "{rows:?}");
    assert!(rows.iter().any(|r| r.contains("1× ALMOND-L") && r.contains("@Jack")), "{rows:?}");
}

/// A mug with a flash sale planned for it, and caps nobody buys.
const RUSH_CATALOG: &str = r#"
currency = "GBP"

[[product]]
sku = "MUG"
name = "Mug"
price = "5.00"
stock = 12

[[product]]
sku = "CAP"
name = "Cap"
price = "9.00"
stock = 40
"#;

const RUSH_SALES: &str = r#"
[[sale]]
id = "mug-flash"
sku = "MUG"
price = "3.00"
quantity = 5
seconds = 60
"#;

#[test]
fn a_rush_shows_when_the_product_sells_out_and_the_prompts_keys_act_on_it() {
    let home = Home::new();
    home.write("catalog.toml", RUSH_CATALOG);
    home.write("sales.toml", RUSH_SALES);
    home.write("replies.toml", REPLIES);
    assert_config_ok(&home);
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-rush.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);
    let key = |action| key_for(&map, "normal", action);
    let remedies = [
        format!("{} restock", key("adjust_stock")),
        format!("{} start mug-flash", key("start_sale")),
        format!("{} close waitlist", key("toggle_waitlist")),
    ];
    // The prompt shows once the rate says the mug is out within three minutes.
    let screen = tmux.wait_for("the sell-out prompt and its keys", WAIT, |s| {
        s.contains("! MUG out in ~") && remedies.iter().all(|r| s.contains(r.as_str()))
    });
    let mug = stock_row(&screen, " MUG").unwrap_or_default();
    assert!(mug.join(" ").contains("out in ~"), "the row says it too: {mug:?}\n{screen}");
    assert!(stock_row(&screen, " CAP").is_some_and(|r| !r.join(" ").contains("out in")), "{screen}");
    // No row selected: the prompt's keys act on the mug.
    press(&tmux, &map, "normal", "toggle_waitlist");
    tmux.wait_for("the waitlist closed", WAIT, |s| s.contains("Waitlist of MUG closed"));
    tmux.wait_for("the prompt offering to open it", WAIT, |s| {
        s.contains(&format!("{} open waitlist", key("toggle_waitlist")))
    });
    press(&tmux, &map, "normal", "adjust_stock");
    tmux.wait_for("the adjust popup on the mug", WAIT, |s| s.contains("Adjust stock · MUG"));
}

#[test]
fn after_a_server_restart_the_desk_resumes_with_no_duplicated_comment() {
    let home = Home::new();
    let script = fixture("tui-resume.jsonl");
    let port = free_port();
    let mut server = Server::start(&home, &script, port, &["--speed", "2"]);
    // Wide enough for every item of the status bar, the reconnect count among them, whatever
    // triage makes of the notes (a question waiting adds its count).
    let tmux = Tmux::start(&home, &["run", "--url", &server.url], 160, 50);
    let note = |n: u32| format!("resume note {n:02}/30");
    let visible = |s: &str| (1..=30).filter(|&n| s.contains(&note(n))).count();
    tmux.wait_for("ten comments", WAIT, |s| visible(s) >= 10);

    server.kill();
    let screen = tmux.wait_for("the status bar to say it retries", WAIT, |s| {
        status_line(s).contains(", retrying ") || status_line(s).contains("connecting (attempt")
    });
    let before = visible(&screen);
    assert!(before < 30, "the server died before the end of the script");

    let _server = Server::start(&home, &script, port, &["--speed", "2"]);
    // The script's last comment, then the end of the stream: nothing more can arrive.
    let screen = tmux.wait_for("the last comment and the end of the stream", WAIT, |s| {
        s.contains(&note(30)) && status_line(s).contains("stream ended")
    });

    let messages = chat_messages(&screen);
    for n in 1..=30 {
        let text = note(n);
        let on_screen = messages.iter().filter(|m| m.ends_with(&text)).count();
        assert_eq!(on_screen, 1, "{text} should be on screen exactly once:\n{}", screen);
        assert_eq!(screen.matches(&text).count(), 1, "{text} appears once on the whole screen");
    }
    let status = status_line(&screen);
    let reconnects: u64 = status
        .split("reconnects ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the status bar counts reconnects: {status:?}"));
    assert!(reconnects >= 1, "{status}");
    assert!(!status.contains("gaps"), "a restarted server that replays is not a gap: {status:?}");
}

#[test]
fn hostile_names_and_comments_reach_the_terminal_as_plain_visible_text() {
    let home = Home::new();
    let server = Server::start(&home, &fixture("tui-hostile.jsonl"), free_port(), &[]);
    let tmux = Tmux::start(&home, &["run", "--url", &server.url], 120, 40);
    // Every byte the desk writes to its terminal, as the terminal got it.
    let raw = home.dir.path().join("terminal.raw");
    let pipe = format!("cat >> '{}'", raw.display());
    tmux.tmux(&["pipe-pane", "-o", "-t", "t", &pipe]);

    let screen = tmux.wait_for("the hostile comments", WAIT, |s| s.contains("Manila") && s.contains("ruby"));
    let messages = chat_messages(&screen);
    assert!(messages.iter().any(|m| m.contains("maria: hello there")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("do you ship to Manila?")), "{messages:#?}");
    let bytes = wait_until("the comments in the raw output", WAIT, || {
        let bytes = std::fs::read(&raw).unwrap_or_default();
        (String::from_utf8_lossy(&bytes).contains("Manila"), String::from_utf8_lossy(&bytes).into_owned())
    });
    for (c, what) in [
        ('\u{fff9}', "an interlinear annotation"),
        ('\u{fffa}', "an interlinear annotation"),
        ('\u{fffb}', "an interlinear annotation"),
        ('\u{200b}', "a zero-width space"),
        ('\u{2060}', "a word joiner"),
        ('\u{2028}', "a line separator"),
        ('\u{2029}', "a paragraph separator"),
        ('\u{e0041}', "a stray tag"),
        ('\u{e0042}', "a stray tag"),
    ] {
        assert!(!bytes.contains(c), "{what} ({c:?}) reached the terminal");
    }
    for payload in ["pwned", "cHduZWQ=", "\u{1b}]52", "\u{1b}[2J"] {
        assert!(!bytes.contains(payload), "{payload:?} reached the terminal");
    }
    assert!(!bytes.contains("end\u{200d}"), "a joiner outside emoji reached the terminal");
    assert!(bytes.contains("👩\u{200d}👩\u{200d}👧"), "the family emoji is drawn whole");
    let mut marks = 0;
    for c in bytes.chars() {
        marks = if ('\u{300}'..='\u{36f}').contains(&c) { marks + 1 } else { 0 };
        assert!(marks <= 4, "more than 4 combining marks on one character reached the terminal");
    }
}

#[test]
fn the_demo_fits_80x24() {
    let home = Home::new();
    let tmux = Tmux::start(&home, &[], 80, 24);
    let screen = tmux
        .wait_for("the demo's panes", WAIT, |s| status_line(s).contains(" DEMO ") && s.contains("● live"));
    let titles: Vec<&str> = screen.lines().filter(|l| l.contains('┌')).collect();
    let titles = titles.join("\n");
    for pane in ["Chat", "Flash sale", "Stock", "Replies", "Claims"] {
        assert!(titles.contains(&format!(" {pane} ")), "the {pane} pane at 80×24:\n{screen}");
    }
    assert!(!screen.contains("too small"), "{screen}");
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "nothing past the right edge:\n{screen}");
}

#[test]
fn a_terminal_smaller_than_80x24_says_so_until_it_grows() {
    let home = Home::new();
    let tmux = Tmux::start(&home, &[], 70, 20);
    let screen = tmux.wait_for("the too-small message", WAIT, |s| s.contains("Terminal too small"));
    assert!(screen.contains("need 80×24, have 70×20"), "says what size is needed:\n{screen}");
    assert!(!screen.contains("Flash sale"), "no half-drawn panes:\n{screen}");

    tmux.resize(80, 24);
    let screen = tmux.wait_for("the panes after growing", WAIT, |s| s.contains("Flash sale"));
    assert!(!screen.contains("too small"), "{screen}");
    assert!(status_line(&screen).contains(" DEMO "), "{screen}");
}

#[test]
fn help_lists_the_active_keymap_and_closes() {
    let home = Home::new();
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);

    press(&tmux, &map, "normal", "help");
    // The whole popup, to its bottom border: a capture can land while a frame is half written.
    let screen = tmux.wait_for("the help popup", WAIT, |s| {
        s.contains("Help · keymap default") && s.contains("esc/?/q close")
    });
    let listed = |screen: &str, actions: &[&str]| {
        for action in actions {
            let desc = KeyAction::from_name(action).unwrap().describe();
            let key = key_for(&map, "normal", action);
            assert_eq!(help_entry(screen, desc).as_deref(), Some(key.as_str()), "{action}:\n{screen}");
        }
    };
    listed(&screen, &["start_sale", "end_sale", "extend_sale", "view_unanswered", "mark_handled"]);
    // The general keys and the reply keys come after the rest, a page down.
    press(&tmux, &map, "help", "page_down");
    let screen = tmux.wait_for("the reply keys", WAIT, |s| {
        s.contains("Canned replies") && s.contains("quit livedesk") && s.contains("esc/?/q close")
    });
    listed(&screen, &["quit"]);
    assert_eq!(help_entry(&screen, "Shipping: where we ship").as_deref(), Some("1"), "reply keys:\n{screen}");

    press(&tmux, &map, "help", "close");
    // The whole desk again (a capture can land while a frame is half written).
    tmux.wait_for("the help to close", WAIT, |s| {
        !s.contains("Help · keymap") && s.contains("Flash sale") && status_line(s).contains("● live")
    });
}

/// The help popup's own rows, from its title to its footer, cut at its borders: what a
/// help page shows, without the panes and the clock around it (a chat line or a tick
/// behind the popup must not pass for the next page).
fn help_body(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(top) = lines.iter().position(|l| l.contains("Help · keymap")) else { return vec![] };
    let mut body = Vec::new();
    for line in &lines[top + 1..] {
        // The footer: the popup's corner and its title ("└ esc/?/q close"); a border of a
        // pane reads "└─", and rows may say "close" too.
        if line.contains("└ ") && line.contains(" close ") {
            return body;
        }
        body.push(line.split('│').nth(2).unwrap_or_default().to_owned());
    }
    vec![] // no footer yet: a frame still being written
}

/// Every page of the open help popup, from `first` down to the last ("↑ more"). Each page
/// is read once it differs from the one before and two captures in a row agree on it, so a
/// frame caught half written is not taken for a page.
fn help_pages(tmux: &Tmux, map: &toml::Table, first: String) -> Vec<String> {
    let mut pages = vec![first];
    while pages.len() < 10 && !pages.last().is_some_and(|p| p.contains("↑ more")) {
        let last = help_body(pages.last().map(String::as_str).unwrap_or_default());
        press(tmux, map, "help", "page_down");
        let before = std::cell::RefCell::new(Vec::new());
        let next = tmux.wait_for("the next help page", WAIT, |s| {
            let body = help_body(s);
            let settled = body == before.replace(body.clone());
            !body.is_empty() && body != last && settled
        });
        pages.push(next);
    }
    pages
}

#[test]
fn help_follows_the_vim_keymap() {
    let home = Home::new();
    home.write("settings.toml", "keymap = \"vim\"\n");
    assert_config_ok(&home);
    let map = keymap("vim");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), port, &[]);
    // Tall enough for the moving keys on the help's first page.
    let tmux = desk(&home, &server, 120, 50);

    press(&tmux, &map, "normal", "help");
    let screen = tmux.wait_for("the help popup", WAIT, |s| {
        s.contains("Help · keymap vim") && s.contains("esc/?/q close") && s.contains("move down")
    });
    let pages = help_pages(&tmux, &map, screen);
    let entry = |desc: &str| pages.iter().find_map(|p| help_entry(p, desc)).unwrap_or_default();
    let down = entry("move down");
    assert!(down.split(", ").any(|k| k == "j"), "j moves down in vim: {down:?}\n{pages:#?}");
    let top = entry("go to the oldest");
    assert!(top.split(", ").any(|k| k == "g"), "g goes to the top in vim: {top:?}\n{pages:#?}");
    assert_eq!(entry("focus Stock"), key_for(&map, "normal", "focus_stock"), "{pages:#?}");
    for action in ["search", "view_viewer", "delete_message", "mute_viewer", "pin_message"] {
        let desc = KeyAction::from_name(action).unwrap().describe();
        assert_eq!(entry(desc), key_for(&map, "normal", action), "{action}: {pages:#?}");
    }

    press(&tmux, &map, "help", "close");
    tmux.wait_for("the help to close", WAIT, |s| !s.contains("Help · keymap"));
}

#[test]
fn quitting_restores_the_terminal() {
    let home = Home::new();
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);
    assert_eq!(tmux.pane_format("#{alternate_on}"), "1", "the desk draws on the alternate screen");

    press(&tmux, &map, "normal", "quit");
    let screen = tmux.wait_for("the process to exit", WAIT, |s| s.contains("[exited "));
    assert!(screen.contains("[exited 0]"), "quit exits 0:\n{screen}");
    assert_terminal_restored(&tmux, &screen);
}

#[test]
fn sigterm_restores_the_terminal() {
    let home = Home::new();
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);

    let pid = wait_until("the desk's process", WAIT, || {
        let pid = child_named(tmux.pane_pid(), "livedesk");
        (pid.is_some(), pid)
    })
    .unwrap();
    let status = Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(status.success());
    let screen = tmux.wait_for("the process to exit", WAIT, |s| s.contains("[exited "));
    assert_terminal_restored(&tmux, &screen);
}

/// After the desk exits: main screen back, cursor shown, mouse reporting off, no panes left.
fn assert_terminal_restored(tmux: &Tmux, screen: &str) {
    assert_eq!(tmux.pane_format("#{alternate_on}"), "0", "left the alternate screen:\n{screen}");
    assert_eq!(tmux.pane_format("#{cursor_flag}"), "1", "the cursor is visible again");
    for flag in ["mouse_any_flag", "mouse_button_flag", "mouse_standard_flag", "mouse_sgr_flag"] {
        assert_eq!(tmux.pane_format(&format!("#{{{flag}}}")), "0", "{flag} is off again");
    }
    assert!(!screen.contains("Flash sale") && !screen.contains('┌'), "no panes left behind:\n{screen}");
}

#[test]
fn a_broken_catalog_is_reported_with_file_line_and_column() {
    let home = Home::new();
    let init = home.command().args(["config", "init"]).output().unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));

    // Unquote the first price: a decimal must be a quoted string.
    let path = home.config_dir().join("catalog.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let (index, line) =
        text.lines().enumerate().find(|(_, l)| l.starts_with("price = \"")).expect("a price line");
    let broken_line = line.replacen('"', "", 2);
    let column = broken_line.find(|c: char| c.is_ascii_digit()).unwrap() + 1;
    let broken: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == index { broken_line.clone() } else { l.to_owned() })
        .collect();
    std::fs::write(&path, broken.join("\n") + "\n").unwrap();
    let at = format!("catalog.toml:{}:{column}: ", index + 1);

    let check = home.command().args(["config", "check"]).stdin(Stdio::null()).output().unwrap();
    let out = String::from_utf8_lossy(&check.stdout).into_owned() + &String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "config check fails:\n{out}");
    let problem =
        out.lines().find(|l| l.contains(&at)).unwrap_or_else(|| panic!("points at {at}:\n{out}")).to_owned();
    let message = &problem[problem.find(&at).unwrap() + at.len()..];
    assert!(message.contains("; "), "says what is wrong; then how to fix it: {problem}");
    assert!(message.contains("price"), "{problem}");

    let started = Instant::now();
    let run = home
        .command()
        .args(["run", "--url", &format!("ws://127.0.0.1:{}/", free_port())])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(started.elapsed() < WAIT, "run gives up at once");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "run with a broken config fails:\n{stderr}");
    assert!(stderr.lines().any(|l| l == problem), "the same message as config check:\n{stderr}");
    for (name, bytes) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !bytes.contains(&0x1b),
            "no terminal escape sequences on {name}: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    assert!(run.stdout.is_empty(), "nothing on stdout: {:?}", String::from_utf8_lossy(&run.stdout));
}

#[test]
fn a_syntax_error_in_the_catalog_points_at_its_line() {
    let home = Home::new();
    let init = home.command().args(["config", "init"]).output().unwrap();
    assert!(init.status.success());
    let path = home.config_dir().join("catalog.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let index = text.lines().position(|l| l.starts_with("[[product]]")).unwrap() + 1;
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.insert(index, "this line is not toml".into());
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    let check = home.command().args(["config", "check"]).stdin(Stdio::null()).output().unwrap();
    let out = String::from_utf8_lossy(&check.stdout).into_owned() + &String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{out}");
    let at = format!("catalog.toml:{}:", index + 1);
    let problem = out.lines().find(|l| l.contains(&at)).unwrap_or_else(|| panic!("points at {at}:\n{out}"));
    assert!(problem.contains("; "), "{problem}");

    let run = home.command().args(["run", "--demo"]).stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(stderr.lines().any(|l| l == problem), "the same message as config check:\n{stderr}");
    assert!(!run.stderr.contains(&0x1b) && !run.stdout.contains(&0x1b), "no terminal garbage");
}

#[test]
fn after_the_stream_ends_the_status_bar_no_longer_says_live() {
    let home = Home::new();
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-resume.jsonl"), port, &["--speed", "4"]);
    let tmux = desk(&home, &server, 120, 40);
    let screen = tmux.wait_for("the end of the stream", WAIT, |s| status_line(s).contains("stream ended"));
    // The server has closed the connection and the client will not reconnect.
    let status = status_line(&screen);
    assert!(!status.contains("● live"), "the connection is over, not live: {status:?}");
}

/// The screen readers above, on a capture taken from a real run.
#[test]
fn the_screen_readers_read_a_real_capture() {
    let screen = "\
┌ ▶ Chat  up select ──────────────┐┌ Flash sale  + +30s  E end ───────────────────┐
│13:12:05 tui-quiet: FLASH SALE!  ││ LIVE  test-flash · Press-on nails, almond, b…│
│         £5.49, only 7 left! ⚡  ││                ██    ████ ████               │
│13:12:05 [GB] Oliver: hello from ││                 █  █ █  █ █                  │
│         Oliver                  ││                 █    █  █ ████               │
│13:12:06 [PH] Maria Santos: do   ││                 █  █ █  █ █  █               │
│         you ship to Manila?     ││                ███   ████ ████               │
│                                 ││░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ 0/7 sold│
│                                 │└──────────────────────────────────────────────┘
│                                 │┌ Replies  1-9 send → @Maria Santos ───────────┐
└─────────────────────────────────┘└──────────────────────────────────────────────┘
 127.0.0.1:45853   ● live  viewers 82  orders 0  GMV £0.00  6/min  lag 1ms   13:12:30
";
    assert_eq!(countdown(screen), Some(66));
    assert_eq!(
        chat_messages(screen),
        [
            "13:12:05 tui-quiet: FLASH SALE! £5.49, only 7 left! ⚡",
            "13:12:05 [GB] Oliver: hello from Oliver",
            "13:12:06 [PH] Maria Santos: do you ship to Manila?",
        ]
    );
    assert_eq!(reply_target(screen).as_deref(), Some("Maria Santos"));
    assert!(status_line(screen).contains("● live"));
}

#[test]
fn a_shipping_question_from_abroad_is_answered_with_one_key_and_replies_reload_while_live() {
    let home = Home::new();
    home.write("settings.toml", "[shipping]\nships_to = [\"GB\", \"IE\"]\n");
    assert_config_ok(&home);
    let map = keymap("default");
    let server = Server::start(&home, &fixture("tui-shipping.jsonl"), free_port(), &[]);
    let tmux = desk(&home, &server, 120, 40);

    // Maria's question is the newest comment: it is marked "can't ship", and the polite
    // reply is suggested under the chat with the key that sends it.
    let send = key_for(&map, "normal", "send_suggestion");
    let screen = tmux.wait_for("the suggestion for Maria", WAIT, |s| {
        s.contains(&format!("▸ {send} Shipping: where we ship · Hi @Maria Santos!"))
    });
    assert!(
        chat_messages(&screen).iter().any(|m| m.contains("✗ [PH] Maria Santos: do you ship to Manila?")),
        "{:?}",
        Screen(screen)
    );
    press(&tmux, &map, "normal", "send_suggestion");
    let sent = wait_received(&server, "the suggested reply", |v| v["type"] == "send_chat");
    assert_eq!(
        sent["text"], "Hi @Maria Santos! We only ship to the UK and Ireland for now, sorry! 💕",
        "{sent}"
    );
    assert_eq!(sent["reply_to"], "m003", "{sent}");

    // A broken edit of replies.toml keeps the replies and says where the mistake is.
    home.write("replies.toml", "[[reply]]\nkey = \"1\"\ntitle = \"Ships\"\ntext = \"oops\n");
    tmux.wait_for("the reload error", WAIT, |s| {
        let n = notice_line(s);
        n.contains("replies.toml:4:") && n.contains("invalid TOML")
    });
    // A good edit is taken without a restart.
    home.write(
        "replies.toml",
        "[[reply]]\nid = \"cant-ship\"\nkey = \"1\"\ntitle = \"Where we ship\"\n\
         text = \"Sorry @{user}, {ships_to} only!\"\nlang.tl = \"Sorry po @{user}, sa {ships_to} lang kami!\"\n\
         tags = [\"cant-ship\"]\n",
    );
    tmux.wait_for("the reload", WAIT, |s| notice_line(s).contains("Reloaded replies.toml: 1 replies"));
    tmux.wait_for("the suggestion for Joy", WAIT, |s| {
        s.contains(&format!("▸ {send} Where we ship · Sorry po @Joy"))
    });
    press(&tmux, &map, "normal", "send_suggestion");
    let sent =
        wait_received(&server, "the reloaded reply", |v| v["type"] == "send_chat" && v["reply_to"] == "m004");
    assert_eq!(sent["text"], "Sorry po @Joy, sa the UK and Ireland lang kami!", "{sent}");
    let sends = server.received().iter().filter(|v| v["type"] == "send_chat").count();
    assert_eq!(sends, 2, "one key press, one message, each time");
}

/// The line under the status bar, where notices show.
fn notice_line(screen: &str) -> String {
    screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().to_owned()
}

#[test]
fn the_stats_pane_opens_under_the_chat_and_closes_with_the_same_key() {
    let home = Home::new();
    let server = Server::start(&home, &fixture("e2e-stream.jsonl"), 0, &[]);
    let tmux = desk(&home, &server, 120, 40);
    let map = keymap("default");
    assert!(!tmux.screen().contains(" Stats "));
    press(&tmux, &map, "normal", "toggle_stats");
    let screen = tmux.wait_for("the Stats pane", WAIT, |s| s.contains(" Stats ") && s.contains("orders/min"));
    let rows: Vec<&str> = screen.lines().collect();
    let title = rows.iter().position(|l| l.contains(" Stats ")).unwrap();
    let claims = rows.iter().position(|l| l.contains(" Claims ")).unwrap();
    assert!(title < claims, "Stats sit above the claims, under the chat:\n{screen}");
    for (i, label) in ["viewers", "chat/min", "orders/min", "flash sales"].iter().enumerate() {
        assert!(rows[title + 1 + i].contains(label), "row {i} of Stats is {label}:\n{screen}");
    }
    // The help popup names the key, from the keymap (in General, at its end).
    press(&tmux, &map, "normal", "help");
    let first =
        tmux.wait_for("the help popup", WAIT, |s| s.contains("Help · keymap") && !help_body(s).is_empty());
    let pages = help_pages(&tmux, &map, first);
    let entry =
        pages.iter().find_map(|p| help_entry(p, "show or hide Stats: viewers, chat and orders a minute"));
    assert_eq!(entry.as_deref(), Some(key_for(&map, "normal", "toggle_stats").as_str()), "{pages:#?}");
    press(&tmux, &map, "help", "close");
    tmux.wait_for("the help popup to close", WAIT, |s| !s.contains("show or hide Stats"));
    press(&tmux, &map, "normal", "toggle_stats");
    tmux.wait_for("the Stats pane to close", WAIT, |s| !s.contains(" Stats "));
}

#[test]
fn a_search_narrows_the_chat_and_the_delete_key_deletes_on_the_platform() {
    let home = Home::new();
    assert_config_ok(&home);
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);
    tmux.wait_for("the last comment", WAIT, |s| s.contains("how long does delivery take"));
    assert_eq!(chat_messages(&tmux.screen()).len(), 5);

    press(&tmux, &map, "normal", "search");
    tmux.wait_for("the search line", WAIT, |s| s.lines().any(|l| l.starts_with("│/ ")));
    tmux.tmux(&["send-keys", "-t", "t", "-l", "from:\"maria santos\""]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("the search view", WAIT, |s| s.contains("Search: from:\"maria santos\" (1)"));
    let messages = chat_messages(&screen);
    assert_eq!(messages.len(), 1, "only Maria's comment: {messages:#?}");
    assert!(messages[0].ends_with("Maria Santos: do you ship to Manila?"), "{messages:#?}");

    // The delete key acts on the selected comment: Maria's, the only one shown.
    press(&tmux, &map, "normal", "delete_message");
    let sent = wait_received(&server, "a delete_chat", |v| v["type"] == "delete_chat");
    assert_eq!(sent["msg_id"], "m003", "{sent}");
    assert!(sent["ref"].as_str().is_some_and(|r| !r.is_empty()), "{sent}");
    // The platform acks it (and reports the deletion): the comment is struck out as deleted.
    let screen = tmux.wait_for("the comment shown deleted", WAIT, |s| {
        chat_messages(s).iter().any(|m| m.ends_with("Maria Santos (deleted)"))
    });
    assert!(!screen.contains("do you ship to Manila?"), "{:?}", Screen(screen.clone()));
    let deletes = server.received().iter().filter(|v| v["type"] == "delete_chat").count();
    assert_eq!(deletes, 1, "one key press, one command");

    // Esc (view_all in the desk, besides A) shows every comment again.
    assert_eq!(tmux_key(&key_for(&map, "normal", "view_all")), "A");
    tmux.send(&["Escape"]);
    tmux.wait_for("every comment again", WAIT, |s| chat_messages(s).len() == 5 && !s.contains("Search:"));
}

/// The viewer card's line that starts with `label` (`lifetime`, `tags`, `note`…), if shown.
fn card_line(screen: &str, label: &str) -> Option<String> {
    screen
        .lines()
        .filter_map(|l| l.split('│').find(|cell| cell.trim_start().starts_with(label)))
        .map(|cell| cell.trim().to_owned())
        .next()
}

#[test]
fn a_note_written_on_a_viewer_card_and_their_orders_come_back_in_the_next_stream() {
    let home = Home::new();
    let map = keymap("default");
    let port = free_port();

    // Stream one: open Ayesha's card from her comment, write a note, tag her VIP, quit.
    let mut first = Server::start(&home, &fixture("cards-one.jsonl"), port, &[]);
    let tmux = desk(&home, &first, 120, 40);
    tmux.wait_for("Ayesha's thanks", WAIT, |s| s.contains("Ayesha: thank you, ordered!"));
    press(&tmux, &map, "normal", "activate");
    let card = tmux.wait_for("Ayesha's card", WAIT, |s| s.contains("Viewer · Ayesha"));
    assert!(card_line(&card, "lifetime").is_some_and(|l| l.contains("1 order · £8.99")), "{card}");
    assert!(!card.contains("returning customer"), "a first stream has no returning customers:\n{card}");
    tmux.send(&["n"]);
    tmux.send(&["sizes run small"]);
    tmux.send(&["Enter"]);
    tmux.send(&["v"]);
    let card = tmux.wait_for("the note and the VIP tag on the card", WAIT, |s| {
        card_line(s, "tags").is_some_and(|l| l.contains("VIP")) && s.contains("sizes run small")
    });
    assert!(card.contains("★ VIP"), "{card}");
    tmux.send(&["Escape"]);
    let screen = tmux.wait_for("the card to close", WAIT, |s| !s.contains("Viewer · Ayesha"));
    let ayesha: Vec<String> = chat_messages(&screen).into_iter().filter(|m| m.contains("Ayesha:")).collect();
    assert!(ayesha.iter().all(|m| m.contains("[GB] ★ Ayesha:")), "VIP, not yet returning: {ayesha:#?}");
    press(&tmux, &map, "normal", "quit");
    tmux.wait_for("the desk to quit", WAIT, |s| s.contains("[exited 0]"));
    first.kill();

    // Stream two, on the same feed: Ayesha is a returning customer, and the note came along.
    let second = Server::start(&home, &fixture("cards-two.jsonl"), port, &[]);
    let check = |tmux: &Tmux, when: &str| {
        let screen =
            tmux.wait_for(&format!("Ayesha back, {when}"), WAIT, |s| s.contains("Ayesha: back again!"));
        let messages = chat_messages(&screen);
        assert!(
            messages.iter().any(|m| m.ends_with("[GB] ↻★ Ayesha: back again!")),
            "{when}: returning and VIP: {messages:#?}"
        );
        assert!(messages.iter().any(|m| m.ends_with("[GB] Zed: first time here")), "{when}: {messages:#?}");
        press(tmux, &map, "normal", "activate");
        let card = tmux.wait_for(&format!("Ayesha's card, {when}"), WAIT, |s| s.contains("Viewer · Ayesha"));
        assert!(card.contains("↻ returning customer"), "{when}:\n{card}");
        assert!(card_line(&card, "note").is_some_and(|l| l.contains("sizes run small")), "{when}:\n{card}");
        assert!(card_line(&card, "tags").is_some_and(|l| l.contains("VIP")), "{when}:\n{card}");
        assert!(
            card_line(&card, "first seen").is_some_and(|l| l.contains("(1 earlier stream)")),
            "{when}:\n{card}"
        );
        // Stream one's order and this one's, each once.
        let lifetime = card_line(&card, "lifetime").unwrap_or_default();
        assert!(lifetime.contains("2 orders · £18.98"), "{when}: {lifetime:?}\n{card}");
        tmux.send(&["Escape"]);
        tmux.wait_for("the card to close", WAIT, |s| !s.contains("Viewer · Ayesha"));
        press(tmux, &map, "normal", "quit");
        tmux.wait_for("the desk to quit", WAIT, |s| s.contains("[exited 0]"));
    };
    // Started on stream one's open session: the new stream's welcome starts a new one.
    let tmux = desk(&home, &second, 120, 40);
    check(&tmux, "as the new stream began");
    drop(tmux);
    // Started again on stream two: rebuilt from its journal, with stream one from the store.
    let tmux = desk(&home, &second, 120, 40);
    check(&tmux, "after a restart");
}

/// The examples the store keeps, as `(text, fixed)` pairs, oldest first.
fn stored_fixes(home: &Home) -> Vec<(String, String)> {
    let db = home.dir.path().join("state/livedesk.db");
    if !db.exists() {
        return Vec::new();
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let Ok(mut stmt) = conn.prepare("SELECT text, fixed FROM examples ORDER BY session_id, n") else {
        return Vec::new(); // not set up yet
    };
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn the_retag_key_fixes_a_comments_mark_on_screen_and_the_store_keeps_the_fix() {
    let home = Home::new();
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);
    let ava = |s: &str| chat_messages(s).into_iter().find(|m| m.ends_with("Ava: the pink ones are gorgeous"));
    let screen = tmux.wait_for("the last comment", WAIT, |s| s.contains("how long does delivery take"));
    let before = ava(&screen).expect("Ava's comment");
    assert!(before.contains(" [GB] Ava"), "untagged: no mark before the region: {before}");

    // Following, the newest comment (Jack's) is the one a key acts on; one up is Ava's.
    tmux.wait_for("Jack's comment selected", WAIT, |s| reply_target(s).as_deref() == Some("Jack"));
    press(&tmux, &map, "normal", "up");
    tmux.wait_for("Ava selected", WAIT, |s| reply_target(s).as_deref() == Some("Ava"));
    press(&tmux, &map, "normal", "retag");
    tmux.wait_for("the re-tag line", WAIT, |s| s.contains(" tag q question b buyer s shipping c complaint"));
    tmux.send(&["c"]);
    let screen = tmux.wait_for("the complaint mark on Ava's comment", WAIT, |s| {
        ava(s).is_some_and(|m| m.contains(" ! [GB] Ava"))
    });
    assert!(
        !screen.contains(" tag q "),
        "the line closes once a tag is chosen: {:?}",
        Screen(screen.clone())
    );
    let fixes = wait_until("the fix in the store", WAIT, || {
        let fixes = stored_fixes(&home);
        (!fixes.is_empty(), fixes)
    });
    assert_eq!(fixes, [("the pink ones are gorgeous".to_owned(), r#"["complaint"]"#.to_owned())]);

    // The same key and letter take it back.
    press(&tmux, &map, "normal", "retag");
    tmux.wait_for("the re-tag line, complaint ticked", WAIT, |s| s.contains("c ✓complaint"));
    tmux.send(&["c"]);
    tmux.wait_for("Ava's comment unmarked again", WAIT, |s| {
        ava(s).is_some_and(|m| m.contains(" [GB] Ava") && !m.contains("!"))
    });
}

#[test]
fn a_reply_with_a_stale_price_is_held_until_the_operator_sends_it_anyway() {
    let home = Home::new();
    home.write(
        "replies.toml",
        "[[reply]]\nkey = \"2\"\ntitle = \"Almond deal\"\nproducts = [\"ALMOND-PINK\"]\n\
         text = \"@{user} the almond set is just £3.50 today!\"\n",
    );
    assert_config_ok(&home);
    let map = keymap("default");
    let server = Server::start(&home, &fixture("tui-quiet.jsonl"), free_port(), &[]);
    let tmux = desk(&home, &server, 120, 40);
    tmux.wait_for("the last comment", WAIT, |s| s.contains("how long does delivery take"));

    tmux.send(&["2"]);
    let screen = tmux
        .wait_for("the held reply", WAIT, |s| s.contains(" HELD ") && status_line(s).contains("reply held"));
    assert!(
        screen.contains("£3.50 is not the product's price"),
        "the reason is shown: {:?}",
        Screen(screen.clone())
    );
    let send = key_for(&map, "held", "send_held");
    assert!(screen.contains(&format!("{send}/")), "the key that sends it is shown: {:?}", Screen(screen));
    assert!(server.received().iter().all(|v| v["type"] != "send_chat"), "nothing went out while it was held");

    press(&tmux, &map, "held", "send_held");
    let sent = wait_received(&server, "the reply sent anyway", |v| v["type"] == "send_chat");
    assert_eq!(sent["text"], "@Jack the almond set is just £3.50 today!", "{sent}");
    assert_eq!(sent["reply_to"], "m005", "{sent}");
    let screen = tmux.wait_for("the echoed reply and the line gone", WAIT, |s| {
        chat_messages(s).iter().any(|m| m.ends_with("@Jack the almond set is just £3.50 today!"))
            && !s.contains(" HELD ")
    });
    assert!(!status_line(&screen).contains("reply held"), "{:?}", Screen(screen));
    let sends = server.received().iter().filter(|v| v["type"] == "send_chat").count();
    assert_eq!(sends, 1, "one reply, sent once");
}

/// The giveaway strip's countdown in seconds and its "N entered", from the row under its
/// badge (None while no giveaway is open).
fn giveaway_line(screen: &str) -> Option<(u32, u32)> {
    let rows = sale_pane(screen);
    let badge = rows.iter().position(|r| r.starts_with(" GIVEAWAY "))?;
    let line = rows.get(badge + 1)?;
    let (time, rest) = line.split_once(' ')?;
    let (m, s) = time.split_once(':')?;
    let secs = m.parse::<u32>().ok()? * 60 + s.parse::<u32>().ok()?;
    let entered = rest.split(" entered").next()?.rsplit(' ').next()?.parse().ok()?;
    Some((secs, entered))
}

#[test]
fn a_giveaway_starts_from_its_key_counts_down_and_names_its_winners() {
    let home = Home::new();
    home.write(
        "giveaways.toml",
        "[[giveaway]]\nid = \"e2e-kit\"\nprize = \"a glue kit\"\nwinners = 2\nkeyword = \"giveaway\"\nseconds = 30\n",
    );
    assert_config_ok(&home);
    let map = keymap("default");
    let port = free_port();
    let server = Server::start(&home, &fixture("tui-giveaway.jsonl"), port, &[]);
    let tmux = desk(&home, &server, 120, 40);

    press(&tmux, &map, "normal", "start_giveaway");
    let opened = wait_received(&server, "the giveaway's start line", |v| {
        v["type"] == "send_chat" && v["text"].as_str().is_some_and(|t| t.contains("to win a glue kit"))
    });
    assert_eq!(
        opened["text"], "Giveaway! Comment \"giveaway\" in the next 0:30 to win a glue kit.",
        "{opened}"
    );
    let screen = tmux.wait_for("the giveaway countdown", WAIT, |s| giveaway_line(s).is_some());
    let (first, _) = giveaway_line(&screen).unwrap();
    assert!((1..=30).contains(&first), "{first}");
    // Three of the four who comment the keyword live where the shop ships; each enters once.
    let screen =
        tmux.wait_for("three entrants", WAIT, |s| giveaway_line(s).is_some_and(|(_, entered)| entered == 3));
    let (later, _) = giveaway_line(&screen).unwrap();
    assert!(later < first, "the countdown moves: {first} then {later}");
    assert!(sale_pane(&screen).join("\n").contains("refused"), "Maria Santos is refused: {screen}");

    // At zero the desk draws and names the winners in the chat, once.
    let said = wait_received(&server, "the winners' line", |v| {
        v["type"] == "send_chat" && v["text"].as_str().is_some_and(|t| t.starts_with("Congratulations"))
    });
    let text = said["text"].as_str().unwrap().to_owned();
    let named: Vec<&str> =
        ["Oliver", "Isla", "Ava"].into_iter().filter(|n| text.contains(&format!("@{n}"))).collect();
    assert_eq!(named.len(), 2, "two of the three entrants win: {text}");
    assert!(!text.contains("Maria"), "{text}");
    let seed = text.rsplit("draw seed ").next().unwrap().trim_end_matches(')').to_owned();
    assert_eq!(seed.len(), 16, "{text}");
    let screen = tmux.wait_for("the winners in the pane", WAIT, |s| s.contains(" WINNERS  e2e-kit"));
    let pane = sale_pane(&screen).join("\n");
    assert!(pane.contains(&format!("seed {seed}")), "the pane shows the seed the chat was told: {pane}");
    for name in &named {
        assert!(pane.contains(&format!("@{name}")), "{pane}");
    }
    std::thread::sleep(Duration::from_millis(1500));
    let lines = server.received().iter().filter(|v| v["text"] == said["text"]).count();
    assert_eq!(lines, 1, "the winners are named once");
}

/// The demo shop's run of show, from the repository.
fn demo_show() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demos").join("show.toml").display().to_string()
}

#[test]
fn a_rehearsal_moves_the_show_line_on_with_the_next_cue_key_and_back() {
    let home = Home::new();
    let map = keymap("default");
    let show = demo_show();
    let tmux = Tmux::start(&home, &["run", "--demo", "--no-store", "--show", &show], 120, 40);
    let next = key_for(&map, "normal", "next_cue");
    tmux.wait_for("the show not begun", WAIT, |s| {
        s.contains(" SHOW  not begun  │ first: Say: Welcome everyone!")
            && s.contains(&format!("{next} start the show"))
    });
    press(&tmux, &map, "normal", "next_cue");
    tmux.wait_for("the first cue on", WAIT, |s| s.contains(" SHOW 1/7  Say: Welcome everyone!"));
    press(&tmux, &map, "normal", "next_cue");
    let screen = tmux.wait_for("the first product on", WAIT, |s| {
        s.contains(" SHOW 2/7  Press-on nails, almond, blush pink")
    });
    assert!(screen.contains("│ next: Flash sale: Pr"), "{screen}");
    // The demo's sale cue has `start = true`: the next-cue key says pressing it starts the sale.
    assert!(screen.contains(&format!("{next} next, starts almond-rush")), "{screen}");
    press(&tmux, &map, "normal", "previous_cue");
    tmux.wait_for("back on the first cue", WAIT, |s| s.contains(" SHOW 1/7  Say: Welcome everyone!"));
}

#[test]
fn a_rehearsal_in_the_host_view_shows_the_cue_its_points_and_the_sale_it_starts_counting_down() {
    let home = Home::new();
    let map = keymap("default");
    let show = demo_show();
    let tmux = Tmux::start(&home, &["run", "--demo", "--no-store", "--show", &show, "--host-view"], 120, 40);
    tmux.wait_for("the host's screen", WAIT, |s| s.contains("HOST · the show has not begun"));
    press(&tmux, &map, "normal", "next_cue");
    press(&tmux, &map, "normal", "next_cue");
    let screen = tmux.wait_for("the product on now", WAIT, |s| s.contains("HOST · SHOW 2/7"));
    for what in ["Press-on nails, almond, blush pink", "£8.99", "• 24 nails in 12 sizes", "Questions waiting"]
    {
        assert!(screen.contains(what), "{what}: {screen}");
    }
    assert!(screen.contains("No sale running"), "{screen}");
    assert!(screen.contains("Flash sale: Press-on nails, almond, blush pink at £4.99 · starts when reached"));
    // The demo's sale cue has `start = true`: reaching it starts the sale, no key needed.
    press(&tmux, &map, "normal", "next_cue");
    let screen = tmux.wait_for("the sale counting down", WAIT, |s| {
        s.contains("HOST · SHOW 3/7") && host_countdown(s).is_some()
    });
    let first = host_countdown(&screen).unwrap();
    assert!((1..=120).contains(&first), "almond-rush runs 2:00: {first}");
    assert!(screen.contains("almond-rush · ") && screen.contains(" of 10 left"), "{screen}");
    tmux.wait_for("the countdown moving", WAIT, |s| host_countdown(s).is_some_and(|now| now < first));
    // The giveaway cue waits for its key, which the host's view names.
    press(&tmux, &map, "normal", "next_cue");
    press(&tmux, &map, "normal", "next_cue");
    let give = key_for(&map, "normal", "start_giveaway");
    tmux.wait_for("the giveaway cue", WAIT, |s| {
        s.contains("HOST · SHOW 5/7") && s.contains(&format!("operator: {give} starts glue-kit"))
    });
}

/// The host view's countdown in seconds, read from the block digits atop its Flash sale box.
fn host_countdown(screen: &str) -> Option<u32> {
    let rows = sale_pane(screen);
    let rows = rows.get(..5)?;
    (0..=600u32).find(|secs| {
        let glyphs = big(&format!("{}:{:02}", secs / 60, secs % 60));
        rows.iter().zip(&glyphs).all(|(row, glyph)| row.trim() == glyph.trim())
    })
}
