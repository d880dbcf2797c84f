//! `--explain` and `--compare` through the real binary, headless: a line per comment of a
//! small script, and the changed suggestion after an edit of `replies.toml`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const SCRIPT: &str = r#"{"at_ms": 0, "event": {"type": "chat", "msg_id": "c1", "user": {"id": "u1", "name": "Lyn", "region": "GB", "badges": [], "follower": false}, "text": "hiya just joined", "reply_to": null}}
{"at_ms": 1000, "event": {"type": "chat", "msg_id": "c2", "user": {"id": "u2", "name": "Kris", "region": "PH", "badges": [], "follower": false}, "text": "magkano po?", "reply_to": null}}
{"at_ms": 2000, "event": {"type": "chat", "msg_id": "c3", "user": {"id": "u3", "name": "Amy", "region": "GB", "badges": [], "follower": false}, "text": "what's your dog called?", "reply_to": null}}
{"at_ms": 3000, "event": {"type": "chat", "msg_id": "c4", "user": {"id": "u4", "name": "Jo", "region": "GB", "badges": [], "follower": false}, "text": "sold 2 almond pink", "reply_to": null}}
{"at_ms": 4000, "event": {"type": "chat", "msg_id": "c5", "user": {"id": "u5", "name": "Bea", "region": "GB", "badges": [], "follower": false}, "text": "how much is shipping", "reply_to": null}}
"#;

const DOG: &str = r#"
[[reply]]
id = "dog"
title = "The dog"
text = "@{user} that's Biscuit 🐶"
keywords = ["dog", "your dog"]
"#;

/// `livedesk replay SCRIPT --headless --max --explain OUT [--compare OLD]` in `dir`.
fn replay(dir: &Path, out: &str, compare: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_livedesk"));
    cmd.env("LIVEDESK_CONFIG", dir.join("cfg")).env("LIVEDESK_STATE", dir.join("state"));
    cmd.arg("replay")
        .arg(dir.join("stream.jsonl"))
        .args(["--headless", "--max", "--explain"])
        .arg(dir.join(out));
    if let Some(old) = compare {
        cmd.arg("--compare").arg(dir.join(old));
    }
    let done = cmd.output().unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    String::from_utf8(done.stdout).unwrap()
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn explain_writes_a_line_per_comment_and_compare_reports_a_changed_suggestion_after_a_replies_edit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
    std::fs::write(dir.path().join("stream.jsonl"), SCRIPT).unwrap();
    let replies =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("demos/replies.toml")).unwrap();
    std::fs::write(dir.path().join("cfg/replies.toml"), &replies).unwrap();

    assert_eq!(replay(dir.path(), "before.jsonl", None), "");
    let before = lines(&dir.path().join("before.jsonl"));
    let ids: Vec<&str> = before.iter().map(|l| l["msg_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["c1", "c2", "c3", "c4", "c5"]);
    let suggested: Vec<Option<&str>> = before.iter().map(|l| l["suggestion"]["id"].as_str()).collect();
    assert_eq!(suggested, [Some("welcome"), Some("cant-ship"), None, None, Some("postage")]);
    assert_eq!(before[1]["cant_ship"]["region"], "PH");
    assert_eq!(before[1]["language"], "tl");
    assert_eq!(before[3]["claim"]["product"], "ALMOND-PINK");
    assert_eq!(before[3]["claim"]["quantity"], 2);
    assert!(before[0]["suggestion"]["text"].as_str().unwrap().starts_with("Welcome in @Lyn!"));
    assert!(!before[4]["suggestion"]["reasons"].as_array().unwrap().is_empty());

    // The shop adds an answer about the dog and tries it on the same stream.
    std::fs::write(dir.path().join("cfg/replies.toml"), format!("{replies}{DOG}")).unwrap();
    let report = replay(dir.path(), "after.jsonl", Some("before.jsonl"));
    let report: Vec<&str> = report.lines().collect();
    assert_eq!(
        report,
        [
            "c3 @Amy: \"what's your dog called?\": suggestion - -> dog",
            "1 of 5 comments changed (0 only in the old file, 0 only in the new)",
        ]
    );
}

#[test]
fn compare_with_a_file_that_is_not_an_explain_file_says_which_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
    std::fs::write(dir.path().join("stream.jsonl"), SCRIPT).unwrap();
    std::fs::write(dir.path().join("old.jsonl"), "{\"msg_id\": 3}\n").unwrap();
    let done = Command::new(env!("CARGO_BIN_EXE_livedesk"))
        .env("LIVEDESK_CONFIG", dir.path().join("cfg"))
        .env("LIVEDESK_STATE", dir.path().join("state"))
        .arg("replay")
        .arg(dir.path().join("stream.jsonl"))
        .args(["--headless", "--max", "--explain"])
        .arg(dir.path().join("new.jsonl"))
        .arg("--compare")
        .arg(dir.path().join("old.jsonl"))
        .output()
        .unwrap();
    assert!(!done.status.success());
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(err.contains("old.jsonl:1: not a line of an explain file"), "{err}");
}
