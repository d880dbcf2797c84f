//! End-to-end tests of the platform adapters: the real binary, headless, against a small
//! fake of each platform that speaks that platform's format (written here, independently of
//! the adapters), with the headless summary compared with what the fake sent.

mod common;

use common::fake::{Conn, Fake, WAIT, connections, run_headless, summary};
use common::{Home, Tmux, fixture};
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Twitch

/// The Twitch fixture's frames: blocks between blank lines, lines joined with CRLF.
fn twitch_frames() -> Vec<String> {
    let text = std::fs::read_to_string(fixture("twitch-irc.txt")).unwrap();
    let mut frames = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !block.is_empty() {
                frames.push(format!("{}\r\n", block.join("\r\n")));
                block.clear();
            }
        } else if !line.starts_with('#') {
            block.push(line);
        }
    }
    frames
}

/// What the desk should count as chat in these frames, read the simple way: every
/// PRIVMSG, and every USERNOTICE that carries the viewer's own words (a trailing text).
fn twitch_chats(frames: &[String]) -> usize {
    frames
        .iter()
        .flat_map(|f| f.split("\r\n"))
        .filter(|line| {
            let rest = if line.starts_with('@') { line.split_once(' ').map_or("", |(_, r)| r) } else { line };
            rest.contains(" PRIVMSG #")
                || (rest.contains(" USERNOTICE #") && rest.contains(" USERNOTICE #dallas :"))
        })
        .count()
}

#[test]
fn twitch_chat_is_read_anonymously_through_a_reconnect_without_counting_anything_twice() {
    let mut frames = twitch_frames();
    // Twitch asks the client to reconnect: that ends the first connection.
    let reconnect = frames.iter().position(|f| f.contains("RECONNECT")).expect("the fixture has a RECONNECT");
    let reconnect = frames.remove(reconnect);
    let half = frames.len() / 2;
    let mut first = frames[..half].to_vec();
    first.push(reconnect);
    // The second connection replays the last two frames of the first, then plays the rest,
    // and the stream ends.
    let mut second = frames[half - 2..half].to_vec();
    second.extend_from_slice(&frames[half..]);
    let fake = Fake::start(vec![
        Conn { frames: first, wait_for: 3, end: false, hold: false },
        Conn { frames: second.clone(), wait_for: 3, end: true, hold: false },
    ]);
    let home = Home::new();
    home.write("settings.toml", "[feed]\nformat = \"twitch\"\nchannel = \"Dallas\"\n");
    let out = run_headless(&home, &fake.url, &[], &[]);
    let s = summary(&out);

    let received = fake.received();
    assert_eq!(received.len(), 2, "one reconnect: {received:?}");
    for conn in &received {
        assert_eq!(conn[0], "CAP REQ :twitch.tv/tags twitch.tv/commands", "{conn:?}");
        assert!(conn[1].starts_with("NICK justinfan"), "anonymous, read-only: {conn:?}");
        assert_eq!(conn[2], "JOIN #dallas", "{conn:?}");
        assert!(!conn.iter().any(|l| l.starts_with("PASS")), "no token, no PASS: {conn:?}");
    }
    let pings = |fs: &[String]| fs.iter().filter(|f| f.starts_with("PING")).count();
    let pongs: usize =
        received.iter().map(|c| c.iter().filter(|l| *l == "PONG :tmi.twitch.tv").count()).sum();
    assert_eq!(pongs, pings(&frames[..half]) + pings(&second), "every PING answered");

    assert_eq!(s["chat_messages"], twitch_chats(&frames), "{s:#}");
    let replayed = twitch_chats(&frames[half - 2..half]) as u64;
    assert!(replayed > 0, "the replayed frames hold chat");
    assert_eq!(s["duplicates_dropped"].as_u64(), Some(replayed), "{s:#}");
    assert_eq!(s["reconnects"], 1, "{s:#}");
    assert_eq!(s["stream"], "dallas", "{s:#}");
}

// ---------------------------------------------------------------------------------------
// TikTok LIVE relays

#[test]
fn a_tiktok_relay_is_read_once_through_its_replay_after_a_reconnect() {
    let conns = connections("tiktok-relay.jsonl");
    assert_eq!(conns.len(), 2, "the fixture has one reconnect");
    let frames: Vec<Value> = conns.iter().flatten().map(|f| serde_json::from_str(f).unwrap()).collect();
    // What the desk should see, read from the frames the simple way: a comment or question
    // counts once per msgId, whatever the relay replays.
    let mut ids = std::collections::HashSet::new();
    let mut replays = 0;
    for f in &frames {
        if matches!(f["event"].as_str(), Some("chat" | "questionNew")) {
            let d = &f["data"];
            let id = d["msgId"]
                .as_str()
                .map_or_else(|| format!("{}|{}", d["userId"], d["questionText"]), str::to_owned);
            if !ids.insert(id) {
                replays += 1;
            }
        }
    }
    let viewers = frames.iter().filter_map(|f| f["data"]["viewerCount"].as_u64()).max().unwrap();
    // Each kind once per msgId; a gift streak (one groupId) counts its last repeatCount.
    let distinct = |event: &str| {
        let ids: std::collections::HashSet<&str> = frames
            .iter()
            .filter(|f| f["event"] == event)
            .filter_map(|f| f["data"]["msgId"].as_str())
            .collect();
        ids.len() as u64
    };
    let likes: u64 = {
        let mut seen = std::collections::HashMap::new();
        for f in frames.iter().filter(|f| f["event"] == "like") {
            seen.insert(f["data"]["msgId"].as_str().unwrap_or(""), f["data"]["likeCount"].as_u64().unwrap());
        }
        seen.values().sum()
    };
    let mut streaks = std::collections::HashMap::new();
    for f in frames.iter().filter(|f| f["event"] == "gift") {
        let (group, n) = (f["data"]["groupId"].as_str().unwrap(), f["data"]["repeatCount"].as_u64().unwrap());
        let best = streaks.entry(group).or_insert(0);
        *best = n.max(*best);
    }
    let gifts: u64 = streaks.values().sum();
    let removed: Vec<&Value> = frames.iter().filter(|f| f["event"] == "imDelete").collect();
    let gone =
        |list: &str, id: &Value| removed.iter().any(|r| r["data"][list].as_array().unwrap().contains(id));
    let deleted: std::collections::HashSet<&str> = frames
        .iter()
        .filter(|f| f["event"] == "chat")
        .filter(|f| {
            gone("deleteMsgIdsList", &f["data"]["msgId"]) || gone("deleteUserIdsList", &f["data"]["userId"])
        })
        .filter_map(|f| f["data"]["msgId"].as_str())
        .collect();
    assert!(replays > 0, "the relay replays comments after the reconnect");

    let fake = Fake::start(vec![
        Conn { frames: conns[0].clone(), wait_for: 0, end: false, hold: false },
        Conn { frames: conns[1].clone(), wait_for: 0, end: true, hold: false },
    ]);
    let home = Home::new();
    let out =
        run_headless(&home, &format!("{}?uniqueId=@sellerdemo", fake.url), &["--format", "tiktok"], &[]);
    let s = summary(&out);
    assert_eq!(s["stream"], "sellerdemo", "{s:#}");
    assert_eq!(s["chat_messages"], ids.len(), "{s:#}");
    assert!(s["duplicates_dropped"].as_u64().unwrap() >= replays, "{s:#}");
    assert_eq!(s["viewers_peak"], viewers, "{s:#}");
    assert_eq!(s["reconnects"], 1, "{s:#}");
    assert_eq!(
        [&s["joins"], &s["likes"], &s["follows"], &s["shares"], &s["gifts"], &s["deleted_messages"]],
        [distinct("member"), likes, distinct("follow"), distinct("share"), gifts, deleted.len() as u64],
        "joins, likes, follows, shares, gift units, deleted: {s:#}"
    );
    // A read-only relay: the desk sends it nothing.
    assert!(fake.received().iter().all(Vec::is_empty), "{:?}", fake.received());
}

#[test]
fn on_a_read_only_relay_a_reply_key_copies_the_reply_to_the_terminal_clipboard() {
    let conns = connections("tiktok-relay.jsonl");
    // The relay's first part, up to its roomPin; the connection then stays open.
    let first: Vec<String> = conns[0].iter().take_while(|f| !f.contains("\"roomPin\"")).cloned().collect();
    let fake = Fake::start(vec![Conn { frames: first, wait_for: 0, end: false, hold: true }]);
    let home = Home::new();
    let url = format!("{}?uniqueId=sellerdemo", fake.url);
    let tmux = Tmux::start(&home, &["run", "--url", &url, "--format", "tiktok", "--no-store"], 120, 40);
    // OSC 52 from the app sets tmux's paste buffer when tmux is told to take it.
    tmux.tmux(&["set-option", "-s", "set-clipboard", "on"]);
    let screen = tmux.wait_for("the relay's chat", WAIT, |s| s.contains("Please keep it friendly"));
    assert!(screen.contains("read-only") && screen.contains("no resume"), "{screen}");
    // The newest comment is selected while the chat follows: key 1 is the shipping reply.
    tmux.send(&["1"]);
    let screen = tmux.wait_for("the copy to be said", WAIT, |s| s.contains("to the clipboard"));
    assert!(screen.contains("Copied reply"), "{screen}");
    let buffer = tmux.tmux(&["show-buffer"]);
    assert!(buffer.starts_with("Hi @Lena K! We only ship to the UK"), "{buffer:?}");
    assert!(fake.received().iter().all(Vec::is_empty), "nothing was sent to the relay");
}

#[test]
fn logged_in_on_twitch_the_desk_answers_a_claim_with_a_threaded_privmsg() {
    let chat = "@badge-info=;badges=;color=;display-name=Ann;emotes=;id=c0ffee00-0000-4000-8000-000000000001;\
                mod=0;room-id=12345678;subscriber=0;tmi-sent-ts=1661372080000;turbo=0;user-id=55500001;\
                user-type= :ann!ann@ann.tmi.twitch.tv PRIVMSG #dallas :sold almond pink please!\r\n";
    let fake = Fake::start(vec![Conn { frames: vec![chat.into()], wait_for: 4, end: true, hold: false }]);
    let home = Home::new();
    home.write(
        "settings.toml",
        "[feed]\nformat = \"twitch\"\nchannel = \"dallas\"\nnick = \"NailNook_Desk\"\n",
    );
    // Nothing left of the product: the claim waits in line, and the desk tells the buyer.
    home.write(
        "catalog.toml",
        "currency = \"GBP\"\n[[product]]\nsku = \"ALMOND-PINK\"\nname = \"Almond pink\"\nprice = \"8.99\"\nstock = 0\n",
    );
    home.write("sales.toml", "");
    let out = run_headless(&home, &fake.url, &[], &[("LIVEDESK_TOKEN", "abc123")]);
    let s = summary(&out);
    assert_eq!(s["claims"]["waiting"], 1, "{s:#}");
    let got = &fake.received()[0];
    assert_eq!(
        got[..4],
        [
            "CAP REQ :twitch.tv/tags twitch.tv/commands",
            "PASS oauth:abc123",
            "NICK nailnook_desk",
            "JOIN #dallas"
        ]
    );
    let reply =
        got.iter().find(|l| l.contains("PRIVMSG")).unwrap_or_else(|| panic!("no reply sent: {got:?}"));
    assert!(
        reply.starts_with("@reply-parent-msg-id=c0ffee00-0000-4000-8000-000000000001 PRIVMSG #dallas :@Ann "),
        "{reply}"
    );
    assert!(reply.contains("waitlist"), "{reply}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("abc123"), "the token never shows: {stderr}");
}

// ---------------------------------------------------------------------------------------
// Social Stream Ninja

#[test]
fn social_stream_ninja_is_joined_and_read_once_through_a_reconnect() {
    // Message shapes: Social Stream Ninja's api.md (github.com/steveseguin/social_stream),
    // "Quick Start: Receiving Chat Messages" and "Content Object Structure"; see the fixture.
    let conns = connections("ssn.jsonl");
    assert_eq!(conns.len(), 2, "the fixture has one reconnect");
    let frames: Vec<Value> = conns.iter().flatten().map(|f| serde_json::from_str(f).unwrap()).collect();
    // What the desk should see, read from the frames the simple way: a message with no
    // `event` and some text is chat (or a question), once per `id`; viewers are each
    // source's latest `viewer_update` count, added up.
    let mut ids = std::collections::HashSet::new();
    let mut again = 0;
    let mut latest = std::collections::HashMap::new();
    let mut peak = 0;
    for f in &frames {
        let event = f["event"].as_str();
        let chat = event.is_none() && f["chatmessage"].as_str().is_some_and(|t| !t.is_empty());
        if chat && !ids.insert(f["id"].to_string()) {
            again += 1;
        }
        if event == Some("viewer_update") {
            latest.insert(f["type"].to_string(), f["meta"].as_u64().unwrap());
            peak = peak.max(latest.values().sum::<u64>());
        }
    }
    assert!(again > 0, "the second connection sends messages again");

    let session = "demo-session-7f3k";
    let fake = Fake::start(vec![
        Conn { frames: conns[0].clone(), wait_for: 1, end: false, hold: false },
        Conn { frames: conns[1].clone(), wait_for: 1, end: true, hold: false },
    ]);
    let home = Home::new();
    home.write("settings.toml", &format!("[feed]\nchannel = \"{session}\"\n"));
    let out = run_headless(&home, &fake.url, &["--format", "ssn"], &[]);
    let s = summary(&out);

    let received = fake.received();
    assert_eq!(received.len(), 2, "one reconnect: {received:?}");
    for conn in &received {
        let join: Value = serde_json::from_str(&conn[0]).unwrap();
        assert_eq!(join["join"], session, "{conn:?}");
        assert_eq!(join["in"], 4, "chat comes on channel 4: {conn:?}");
        assert_eq!(join["out"], 1, "commands go on channel 1: {conn:?}");
    }
    assert_eq!(s["chat_messages"], ids.len(), "{s:#}");
    assert!(s["duplicates_dropped"].as_u64().unwrap() >= again, "{s:#}");
    assert_eq!(s["viewers_peak"], peak, "{s:#}");
    assert_eq!(s["reconnects"], 1, "{s:#}");
    // The session id is a secret: the stream is not named by it.
    let stream = s["stream"].as_str().unwrap();
    assert!(stream.starts_with("ssn-") && !stream.contains(session), "{s:#}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(session), "the summary does not show the session");
}
