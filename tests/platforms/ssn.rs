//! The ssn corpus, played through the real binary.
//!
//! `tests/platforms/ssn/*.jsonl` hold Social Stream Ninja rows in the shapes of its own test
//! page, event reference and sources, each with what the desk counts for it (`#=`); the
//! whole corpus is played by a fake SSN API server to a desk that joined the session, and
//! the headless summary and the recorded events must say what the annotations add up to.

use std::path::Path;

use super::common::Home;
use super::common::fake::{Conn, Fake, run_headless, summary};
use super::corpus::{Case, Truth, assert_summary, cases, recorded};

fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/platforms/ssn");
    ["createtestmessage.jsonl", "event-reference.jsonl", "tiktok-page.jsonl", "chatclient.jsonl"]
        .iter()
        .flat_map(|f| cases(&dir.join(f)))
        .collect()
}

#[test]
fn the_ssn_corpus_reads_as_its_sources_say() {
    let cases = corpus();
    assert!(cases.len() > 50, "{}", cases.len());
    let truth = Truth::of(&cases);
    let frames = cases.into_iter().map(|c| c.frame).collect();
    let fake = Fake::start(vec![Conn { frames, wait_for: 1, end: true, hold: false }]);
    let home = Home::new();
    home.write("settings.toml", "[feed]\nformat = \"ssn\"\nchannel = \"corpus-session\"\n");
    let record = home.dir.path().join("ssn.jsonl");
    let out = run_headless(&home, &fake.url, &["--record", record.to_str().unwrap()], &[]);
    let s = summary(&out);

    assert_summary(&s, &truth);
    assert_eq!(recorded(&record), truth.recorded(), "gifts by currency, questions, timeouts and bans");
    let join: serde_json::Value = serde_json::from_str(&fake.received()[0][0]).unwrap();
    assert_eq!(join["join"], "corpus-session");
}
