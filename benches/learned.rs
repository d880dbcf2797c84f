//! The shop's memory per comment, full to its bounds: the override every comment goes
//! through as it arrives (the desk's budget is 250,000 events/s, 4 µs each for everything)
//! and the past-answer lookup behind the suggestion line.

use criterion::{Criterion, criterion_group, criterion_main};

use livedesk::desk::classify::{Tag, Tags};
use livedesk::desk::learned::{ANSWERS_KEPT, Example, FIXES_KEPT, Memory};
use livedesk::desk::text::normalize;

const WORDS: [&str; 48] = [
    "how", "much", "is", "the", "pink", "glue", "kit", "do", "you", "ship", "to", "manila", "hun", "price",
    "size", "small", "nails", "are", "these", "vegan", "when", "sale", "next", "coffin", "nude", "red",
    "stiletto", "almond", "long", "last", "postage", "ireland", "cuanto", "cuesta", "magkano", "po", "yung",
    "order", "never", "arrived", "love", "waiting", "weeks", "parcel", "sold", "out", "mine", "2",
];

/// A comment as streams read: four to twelve words.
fn comment(rng: &mut fastrand::Rng) -> String {
    let n = rng.usize(4..=12);
    (0..n).map(|_| WORDS[rng.usize(..WORDS.len())]).collect::<Vec<_>>().join(" ")
}

fn learned(c: &mut Criterion) {
    let mut rng = fastrand::Rng::with_seed(14);
    let mut memory = Memory::new();
    for n in 0..ANSWERS_KEPT as u64 {
        let reply = format!("reply-{}", rng.usize(..40));
        let text = normalize(&comment(&mut rng));
        memory.learn(&Example { n, text, lang: None, tags: vec![], fixed: vec![], reply: Some(reply) });
    }
    for n in 0..FIXES_KEPT as u64 {
        let text = normalize(&comment(&mut rng));
        let tag = vec![Tag::Complaint.name().to_owned()];
        memory.learn(&Example { n, text, lang: None, tags: tag.clone(), fixed: tag, reply: None });
    }
    let comments: Vec<String> = (0..1000).map(|_| normalize(&comment(&mut rng))).collect();
    let mut i = 0;
    c.bench_function("override_tags, 1,024 fixes kept, per comment", |b| {
        b.iter(|| {
            i = (i + 1) % comments.len();
            std::hint::black_box(memory.override_tags(&comments[i], Tags::NONE))
        })
    });
    c.bench_function("answered, 4,096 answers kept, per comment", |b| {
        b.iter(|| {
            i = (i + 1) % comments.len();
            std::hint::black_box(memory.answered(&comments[i]).map(|h| h.times))
        })
    });
    let empty = Memory::new();
    c.bench_function("override_tags, nothing taught, per comment", |b| {
        b.iter(|| {
            i = (i + 1) % comments.len();
            std::hint::black_box(empty.override_tags(&comments[i], Tags::NONE))
        })
    });
}

criterion_group!(benches, learned);
criterion_main!(benches);
