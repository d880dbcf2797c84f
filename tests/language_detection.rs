//! Language detection on text the project did not write: 50 single words, 50 word pairs and 50
//! sentences per language the desk detects, the first of the test data lingua ships in its
//! language-model crates (drawn from the Leipzig Wortschatz corpora; see
//! `tests/fixtures/language/README.md`). `livedesk::language::detect` (lingua) against
//! whatlang over the same languages, per language and kind.
//!
//! `cargo test --test language_detection -- --nocapture` prints the table. The floors hold
//! lingua's accuracy as reached, rounded down to the 0.02 (one item in fifty).

use std::collections::BTreeMap;

/// The languages the desk detects, as `detect` names them, in the table's order.
const LANGS: [&str; 7] = ["en", "es", "tl", "pl", "ro", "ms", "hi"];
const KINDS: [&str; 3] = ["word", "pair", "sentence"];

/// lingua's least accuracy per language on (single words, word pairs, sentences).
const FLOORS: [(&str, [f64; 3]); 7] = [
    ("en", [0.94, 1.00, 1.00]),
    ("es", [0.74, 0.98, 1.00]),
    ("tl", [0.66, 0.84, 1.00]),
    ("pl", [0.94, 1.00, 1.00]),
    ("ro", [0.88, 0.96, 1.00]),
    ("ms", [0.70, 0.94, 0.94]),
    ("hi", [1.00, 1.00, 0.94]),
];

/// (language, kind, text) of the sample.
fn sample() -> Vec<(String, String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/language/leipzig-sample.tsv");
    let text = std::fs::read_to_string(path).expect("the sample");
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.splitn(3, '\t').collect();
            assert_eq!(f.len(), 3, "{line}");
            (f[0].to_owned(), f[1].to_owned(), f[2].to_owned())
        })
        .collect()
}

/// whatlang over the desk's languages; it has no Malay, so Indonesian stands for it.
fn whatlang_detect(detector: &whatlang::Detector, text: &str) -> Option<&'static str> {
    use whatlang::Lang::*;
    detector.detect_lang(text).map(|l| match l {
        Eng => "en",
        Spa => "es",
        Tgl => "tl",
        Pol => "pl",
        Ron => "ro",
        Ind => "ms",
        Hin => "hi",
        _ => "other",
    })
}

/// Share right per (language, kind).
type Scores = BTreeMap<(String, String), f64>;

fn score(sample: &[(String, String, String)], detect: impl Fn(&str) -> Option<&'static str>) -> Scores {
    let mut counts: BTreeMap<(String, String), (u32, u32)> = BTreeMap::new();
    for (lang, kind, text) in sample {
        let entry = counts.entry((lang.clone(), kind.clone())).or_default();
        entry.0 += u32::from(detect(text) == Some(lang.as_str()));
        entry.1 += 1;
    }
    counts.into_iter().map(|(k, (right, all))| (k, f64::from(right) / f64::from(all))).collect()
}

fn print_table(lingua: &Scores, whatlang: &Scores) {
    println!("\naccuracy: lingua (the desk's detect) / whatlang, 50 items per cell");
    println!("{:<5} {:>13} {:>13} {:>13}", "lang", "word", "pair", "sentence");
    for lang in LANGS {
        let cells: Vec<String> = KINDS
            .iter()
            .map(|kind| {
                let key = (lang.to_owned(), (*kind).to_owned());
                format!("{:.2} / {:.2}", lingua[&key], whatlang[&key])
            })
            .collect();
        println!("{lang:<5} {:>13} {:>13} {:>13}", cells[0], cells[1], cells[2]);
    }
}

#[test]
fn the_sample_has_fifty_items_per_language_and_kind() {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (lang, kind, _) in sample() {
        *counts.entry((lang, kind)).or_default() += 1;
    }
    assert_eq!(counts.len(), LANGS.len() * KINDS.len(), "{counts:?}");
    assert!(counts.values().all(|&n| n == 50), "{counts:?}");
}

#[test]
fn detection_on_outside_text_holds_its_floors() {
    let sample = sample();
    let wl = whatlang::Detector::with_allowlist({
        use whatlang::Lang::*;
        vec![Eng, Spa, Tgl, Pol, Ron, Hin, Ind]
    });
    let lingua = score(&sample, livedesk::language::detect);
    let whatlang = score(&sample, |t| whatlang_detect(&wl, t));
    print_table(&lingua, &whatlang);
    let mut under = Vec::new();
    for (lang, floors) in FLOORS {
        for (kind, floor) in KINDS.iter().zip(floors) {
            let got = lingua[&(lang.to_owned(), (*kind).to_owned())];
            if got < floor {
                under.push(format!("{lang} {kind}: {got:.2}, floor {floor:.2}"));
            }
        }
    }
    assert!(under.is_empty(), "lingua under its floors:\n{}", under.join("\n"));
}
