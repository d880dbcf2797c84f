//! Language detection on the corpus's short comments: lingua (what livedesk uses) against
//! whatlang, over the same languages. Prints each one's accuracy against the corpus's `lang`
//! column, then measures the cost per comment.
//!
//! `cargo bench --bench language`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

/// The `lang` varieties of train and dev, with the languages a detector may rightly answer.
fn expected(variety: &str) -> Option<&'static [&'static str]> {
    Some(match variety {
        "en-GB" | "en-US" | "en-SG" => &["en"],
        "en-MY" => &["en", "ms"],
        "tl" => &["tl"],
        "taglish" => &["tl", "en"],
        "es-ES" | "es-419" => &["es"],
        "hi-Latn" => &["hi", "en"],
        "pl" => &["pl"],
        "ro" => &["ro"],
        _ => return None,
    })
}

/// (variety, comment) for every comment with letters: train and dev only.
fn comments() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for split in ["train", "dev"] {
        let path = format!("{}/tests/fixtures/triage/{split}.tsv", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).expect("the corpus");
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() == 13 && expected(cols[5]).is_some() {
                out.push((cols[5].to_owned(), cols[12].to_owned()));
            }
        }
    }
    out
}

fn whatlang_code(l: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match l {
        Eng => "en",
        Spa => "es",
        Tgl => "tl",
        Pol => "pl",
        Ron => "ro",
        Hin => "hi",
        Ind => "ms",
        _ => "other",
    }
}

fn whatlang_detector() -> whatlang::Detector {
    use whatlang::Lang::*;
    whatlang::Detector::with_allowlist(vec![Eng, Spa, Tgl, Pol, Ron, Hin, Ind])
}

fn accuracy(name: &str, comments: &[(String, String)], detect: impl Fn(&str) -> Option<&'static str>) {
    let right = comments
        .iter()
        .filter(|(v, text)| detect(text).is_some_and(|got| expected(v).unwrap().contains(&got)))
        .count();
    eprintln!("{name}: {right}/{} right ({:.3})", comments.len(), right as f64 / comments.len() as f64);
}

fn bench(c: &mut Criterion) {
    let comments = comments();
    let wl = whatlang_detector();
    accuracy("lingua", &comments, livedesk::language::detect);
    accuracy("whatlang", &comments, |t| wl.detect_lang(t).map(whatlang_code));
    let mut group = c.benchmark_group("language per comment");
    let mut i = 0;
    group.bench_function("lingua", |b| {
        b.iter(|| {
            i = (i + 1) % comments.len();
            black_box(livedesk::language::detect(&comments[i].1))
        })
    });
    group.bench_function("whatlang", |b| {
        b.iter(|| {
            i = (i + 1) % comments.len();
            black_box(wl.detect_lang(&comments[i].1))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
