//! The corpus files' reading, shared by the platforms' end-to-end tests: each frame with
//! what the desk counts for it (a `#=` line of `key=value` words above it), what those
//! counts add up to, and what a headless run's summary and recording say, in the same terms.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde_json::Value;

/// One corpus frame and what it means.
pub struct Case {
    pub frame: String,
    pub counts: BTreeMap<String, String>,
}

/// The cases of a corpus file: each frame line after its `#=` annotation (`key=value`
/// words); other `#` lines and blank ones are comments.
pub fn cases(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut cases = Vec::new();
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        if let Some(words) = line.strip_prefix("#=") {
            counts = words
                .split_whitespace()
                .map(|w| {
                    let (k, v) = w.split_once('=').unwrap_or_else(|| panic!("{w} in {line}"));
                    (k.to_owned(), v.to_owned())
                })
                .collect();
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            cases.push(Case { frame: line.to_owned(), counts: std::mem::take(&mut counts) });
        }
    }
    cases
}

/// What the annotations add up to.
#[derive(Debug, Default, PartialEq)]
pub struct Truth {
    pub chat: u64,
    pub question: u64,
    pub join: u64,
    pub like: u64,
    pub follow: u64,
    pub share: u64,
    pub unknown: u64,
    pub deleted: u64,
    pub muted: u64,
    pub banned: u64,
    pub pong: u64,
    pub duplicate: u64,
    pub viewers_peak: u64,
    /// Gift units and total value, by currency.
    pub gifts: BTreeMap<String, (u64, Decimal)>,
}

impl Truth {
    pub fn of(cases: &[Case]) -> Truth {
        let mut t = Truth::default();
        for case in cases {
            for (key, value) in &case.counts {
                let n = || value.parse::<u64>().unwrap_or_else(|_| panic!("{key}={value}"));
                match key.as_str() {
                    "chat" => t.chat += n(),
                    "question" => t.question += n(),
                    "join" => t.join += n(),
                    "like" => t.like += n(),
                    "follow" => t.follow += n(),
                    "share" => t.share += n(),
                    "unknown" => t.unknown += n(),
                    "muted" => t.muted += n(),
                    "banned" => t.banned += n(),
                    "pong" => t.pong += n(),
                    "dup" => t.duplicate += n(),
                    "viewers" => t.viewers_peak = t.viewers_peak.max(n()),
                    // Every message shown and not removed yet.
                    "deleted" if value == "all" => t.deleted = t.chat + t.question,
                    "deleted" => t.deleted += n(),
                    "gift" => {
                        for g in value.split(',') {
                            let (units, rest) = g.split_once('x').unwrap();
                            let (each, currency) = rest.split_once(':').unwrap();
                            let units: u64 = units.parse().unwrap();
                            let each: Decimal = each.parse().unwrap();
                            let entry = t.gifts.entry(currency.to_owned()).or_default();
                            entry.0 += units;
                            entry.1 += each * Decimal::from(units);
                        }
                    }
                    other => panic!("unknown count {other}"),
                }
            }
        }
        t
    }
}

/// What a recording (`--record`) holds that the summary does not say.
#[derive(Debug, Default, PartialEq)]
pub struct Recorded {
    /// Gift units and total value, by currency.
    pub gifts: BTreeMap<String, (u64, Decimal)>,
    pub questions: u64,
    pub muted: u64,
    pub banned: u64,
}

/// The events of a recording (`--record`), counted.
pub fn recorded(path: &Path) -> Recorded {
    let mut r = Recorded::default();
    for line in std::fs::read_to_string(path).unwrap().lines().filter(|l| l.starts_with('{')) {
        let v: Value = serde_json::from_str(line).unwrap();
        let event = &v["event"];
        match event["type"].as_str() {
            Some("gift") => {
                let units = event["repeat"].as_u64().unwrap_or(1);
                let each: Decimal = event["gift"]["value"].as_str().unwrap().parse().unwrap();
                let entry =
                    r.gifts.entry(event["gift"]["currency"].as_str().unwrap().to_owned()).or_default();
                entry.0 += units;
                entry.1 += each * Decimal::from(units);
            }
            Some("question") => r.questions += 1,
            Some("moderation") if event["action"] == "muted" => r.muted += 1,
            Some("moderation") if event["action"] == "banned" => r.banned += 1,
            _ => {}
        }
    }
    r
}

impl Truth {
    /// What the recording should hold.
    pub fn recorded(&self) -> Recorded {
        Recorded {
            gifts: self.gifts.clone(),
            questions: self.question,
            muted: self.muted,
            banned: self.banned,
        }
    }
}

/// The summary's counters in the corpus's terms.
pub fn assert_summary(s: &Value, t: &Truth) {
    let units: u64 = t.gifts.values().map(|(u, _)| u).sum();
    let got = [
        ("chat_messages", &s["chat_messages"]),
        ("joins", &s["joins"]),
        ("likes", &s["likes"]),
        ("follows", &s["follows"]),
        ("shares", &s["shares"]),
        ("gifts", &s["gifts"]),
        ("deleted_messages", &s["deleted_messages"]),
        ("unknown_types", &s["unknown_types"]),
        ("duplicates_dropped", &s["duplicates_dropped"]),
        ("viewers_peak", &s["viewers_peak"]),
        ("malformed_dropped", &s["malformed_dropped"]),
    ];
    let want = [
        t.chat + t.question,
        t.join,
        t.like,
        t.follow,
        t.share,
        units,
        t.deleted,
        t.unknown,
        t.duplicate,
        t.viewers_peak,
        0,
    ];
    let got: Vec<(&str, u64)> = got.iter().map(|(k, v)| (*k, v.as_u64().unwrap_or(u64::MAX))).collect();
    let want: Vec<(&str, u64)> = got.iter().zip(want).map(|((k, _), w)| (*k, w)).collect();
    assert_eq!(got, want, "{s:#}");
}
