//! What chat triage costs per comment from a viewer already seen: normalizing, the rules in
//! one pass, the model's features and scores, and the spam history. The budget is 1.5 µs
//! a comment, within the 250,000 events/s of decode + apply. Beside it, what the reply model
//! costs when the suggestion line or the explain file reads a comment (off the desk's path),
//! and what reading a comment as a claim costs when it was not read moments before.

use criterion::{Criterion, criterion_group, criterion_main};
use livedesk::config::builtin::{CATALOG, CLAIMS};
use livedesk::config::model::{Catalog, ChatConfig, ClaimsConfig};
use livedesk::desk::claims::Matcher;
use livedesk::desk::classify::{Classifier, Said};
use livedesk::desk::triage_features::{Context, RegionCue, SaleCue};

/// Comments as a stream reads, in several varieties and lengths.
const COMMENTS: [&str; 12] = [
    "how much is the almond pink?",
    "do you ship to Derry?",
    "love waiting 3 weeks for a parcel 🙃",
    "magkano po yung glitter ate",
    "¿hacen envíos a México? 🇲🇽",
    "😍😍😍",
    "czy wysyłacie do Polski?",
    "got stock or not",
    "bhai ye kitne ka hai",
    "you can't even tell they're fake 😍 honestly the best set i have bought all year, the shine!!",
    "mine",
    "hiya just joined x",
];

fn triage(c: &mut Criterion) {
    let mut classifier = Classifier::new(&ChatConfig::default());
    let viewers: Vec<String> = (0..64).map(|i| format!("viewer-{i}")).collect();
    let context =
        Context { screen: true, sale: SaleCue::Live, region: RegionCue::Served, ..Default::default() };
    // Every viewer seen once, a minute apart from what the bench says, so nothing is a repeat.
    let mut at_ms = 0i64;
    for v in &viewers {
        let said = Said { user_id: v, text: "hi", question: false, claim: false, at_ms, context };
        classifier.classify(said);
    }
    let mut i = 0usize;
    c.bench_function("classify one comment, viewer seen", |b| {
        b.iter(|| {
            i += 1;
            at_ms += 61_000;
            let text = COMMENTS[i % COMMENTS.len()];
            let user_id = &viewers[i % viewers.len()];
            let said = Said { user_id, text, question: false, claim: false, at_ms, context };
            std::hint::black_box(classifier.classify(std::hint::black_box(said)))
        })
    });
    c.bench_function("read one comment's reply kind", |b| {
        b.iter(|| {
            i += 1;
            let text = std::hint::black_box(COMMENTS[i % COMMENTS.len()]);
            let norm = livedesk::text::normalize(text);
            std::hint::black_box(classifier.reply_kind(text, &norm, context))
        })
    });
}

/// Claims and their look-alikes in every variety the demo shop's claims.toml reads: each is
/// read from scratch (`parse`), as a comment no viewer said in the last moments is.
const CLAIMS_SAID: [&str; 12] = [
    "mine",
    "sold the pink almond one",
    "1 for me please",
    "me lo llevo 2 x",
    "akin po isa ate",
    "biorę dwa, dla mnie",
    "vreau unul! 🙋‍♀️",
    "saya nak satu yang nude",
    "SOLD OUT ALREADY 😭",
    "mine came in 2 days, so happy with them",
    "bev wants an almond pink please",
    "is the kit £10?",
];

fn claims(c: &mut Criterion) {
    let config: ClaimsConfig = toml::from_str(CLAIMS).expect("the built-in claims.toml");
    let catalog: Catalog = toml::from_str(CATALOG).expect("the demo catalogue");
    let matcher = Matcher::new(&config, &catalog);
    let mut i = 0usize;
    c.bench_function("read one comment as a claim, not read before", |b| {
        b.iter(|| {
            i += 1;
            let text = std::hint::black_box(CLAIMS_SAID[i % CLAIMS_SAID.len()]);
            std::hint::black_box(matcher.parse(text))
        })
    });
}

criterion_group!(benches, triage, claims);
criterion_main!(benches);
