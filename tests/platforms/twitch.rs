//! The twitch corpus, played through the real binary.
//!
//! `tests/platforms/twitch/*.txt` hold IRC lines from other clients' test suites, each with
//! what the desk counts for it (`#=`); the whole corpus is played to an anonymous desk by a
//! fake Twitch, and the headless summary and the recorded events must say what the
//! annotations add up to.

use std::path::Path;

use super::common::Home;
use super::common::fake::{Conn, Fake, run_headless, summary};
use super::corpus::{Case, Truth, assert_summary, cases, recorded};

fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/platforms/twitch");
    ["tmi.js.txt", "twitch-irc-rs.txt"].iter().flat_map(|f| cases(&dir.join(f))).collect()
}

#[test]
fn the_twitch_corpus_reads_as_the_peers_parsers_say() {
    let cases = corpus();
    assert!(cases.len() > 50, "{}", cases.len());
    let truth = Truth::of(&cases);
    let frames = cases.iter().map(|c| format!("{}\r\n", c.frame)).collect();
    let fake = Fake::start(vec![Conn { frames, wait_for: 3, end: true, hold: false }]);
    let home = Home::new();
    home.write("settings.toml", "[feed]\nformat = \"twitch\"\nchannel = \"schmoopiie\"\n");
    let record = home.dir.path().join("twitch.jsonl");
    let out = run_headless(&home, &fake.url, &["--record", record.to_str().unwrap()], &[]);
    let s = summary(&out);

    assert_summary(&s, &truth);
    assert_eq!(recorded(&record), truth.recorded(), "gifts by currency, questions, timeouts and bans");
    let pongs = fake.received()[0].iter().filter(|l| l.starts_with("PONG")).count() as u64;
    assert_eq!(pongs, truth.pong, "{:?}", fake.received());
}
