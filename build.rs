//! Trains chat triage's model from the labelled corpus the project ships
//! (`tests/fixtures/triage/train.tsv`), with the rules of the built-in `chat.toml` as
//! features, and writes its weights to `OUT_DIR` for the desk to include. Training is
//! deterministic: the same corpus gives the same weights, byte for byte.

#[path = "src/desk/regions.rs"]
#[allow(dead_code)]
mod regions;
#[path = "src/reply_kinds.rs"]
#[allow(dead_code)]
mod reply_kinds;
#[path = "src/text.rs"]
#[allow(dead_code)]
mod text;
#[path = "src/desk/triage_features.rs"]
#[allow(dead_code)]
mod triage_features;

use std::collections::HashMap;
use std::path::Path;

use regex::{Regex, RegexBuilder};
use text::normalize_into;
use triage_features::{
    BUCKETS, Context, K, MODEL_TAGS, REPLY_CLASSES, REPLY_KINDS, RegionCue, SaleCue, features,
};

/// The splits trained on. `dev` measures the model while it is tuned; `heldout` never.
const TRAIN: &[&str] = &["tests/fixtures/triage/train.tsv"];
const CHAT: &str = "demos/chat.toml";
const FEATURES: &str = "src/desk/triage_features.rs";
const WORDS: &str = "src/desk/triage_words.rs";
const REGIONS: &str = "src/desk/regions.rs";
/// How the desk reads a comment: a change of reading retrains the model.
const TEXT: &str = "src/text.rs";
const KINDS: &str = "src/reply_kinds.rs";
/// Streams of the corpus to leave out of training, comma-separated: `tests/cross-validate`
/// trains without each stream in turn and measures the model on it. Unset in every real build.
const WITHOUT: &str = "LIVEDESK_TRAIN_WITHOUT";
/// Where the corpus's shop ships.
const SHIPS_TO: &str = "GB";
/// The desk's spam windows (`demos/chat.toml`): repeats and floods are rule-based, so their
/// comments are not trained on.
const REPEAT_SECONDS: u32 = 60;
const FLOOD_MESSAGES: usize = 5;
const FLOOD_SECONDS: u32 = 10;
/// The previous comment of a viewer counts as context within this.
const PREVIOUS_SECONDS: u32 = 60;

/// Passes over the training comments, and AdaGrad's step.
const EPOCHS: usize = 15;
/// Models trained, each over its own order of the comments, whose weights are averaged: a
/// single order's model swings by several points on dev (the last comments it saw weigh
/// most); the average holds, and costs no more to read.
const BAGS: u64 = 5;
const RATE: f32 = 0.4;
/// How much a rare tag's examples weigh: (negatives / positives) to this power, at least 1.
const BOOST: f32 = 0.35;

struct Example {
    buckets: Vec<u32>,
    labels: u8,
    /// The reply model's features (those of the tags without the previous comment, which a
    /// suggestion made later cannot know) and class (0 for none), if it trains on this one:
    /// not on a claim or a can't-ship comment, whose answers the desk picks by rule.
    reply: Option<(Vec<u32>, usize)>,
}

fn main() {
    for path in TRAIN.iter().chain([&CHAT, &FEATURES, &WORDS, &REGIONS, &TEXT, &KINDS]) {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={WITHOUT}");
    let without = std::env::var(WITHOUT).unwrap_or_default();
    let without: Vec<&str> = without.split(',').filter(|s| !s.is_empty()).collect();
    let rules = rules(&read(CHAT));
    let places = triage_features::places(regions::aliases().map(|(name, _)| name));
    let mut examples = Vec::new();
    for path in TRAIN {
        examples.extend(examples_of(&kept(&read(path), &without), &rules, &places));
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).to_owned();
    write(&out.join("triage_weights.bin"), &bagged(|bag| train(&examples, bag)));
    write(&out.join("reply_weights.bin"), &bagged(|bag| train_replies(&examples, bag)));
}

fn write(path: &Path, weights: &[f32]) {
    let bytes: Vec<u8> = weights.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// A corpus file's lines but those of the streams left out.
fn kept(tsv: &str, without: &[&str]) -> String {
    let keep = |line: &&str| line.split('\t').nth(1).is_none_or(|stream| !without.contains(&stream));
    tsv.lines().filter(keep).collect::<Vec<_>>().join("\n")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The rules of `chat.toml` as the desk reads them: each rule's regex, and each tag's
/// keywords as whole words of the normalized comment.
fn rules(chat: &str) -> Vec<(usize, Regex)> {
    let table: toml::Table = chat.parse().unwrap_or_else(|e| panic!("{CHAT}: {e}"));
    let mut out = Vec::new();
    let mut keywords: Vec<Vec<String>> = vec![Vec::new(); K];
    let compile = |re: &str| RegexBuilder::new(re).case_insensitive(true).build().expect("rules compile");
    for rule in table.get("rule").and_then(|r| r.as_array()).into_iter().flatten() {
        let tag = rule.get("tag").and_then(|t| t.as_str()).unwrap_or_default();
        let Some(i) = MODEL_TAGS.iter().position(|t| *t == tag) else { continue };
        if let Some(re) = rule.get("regex").and_then(|r| r.as_str()) {
            out.push((i, compile(re)));
        }
        for word in rule.get("keywords").and_then(|k| k.as_array()).into_iter().flatten() {
            let mut norm = String::new();
            normalize_into(word.as_str().unwrap_or_default(), &mut norm);
            if !norm.is_empty() {
                keywords[i].push(regex::escape(&norm));
            }
        }
    }
    for (i, words) in keywords.iter().enumerate().filter(|(_, w)| !w.is_empty()) {
        out.push((i, compile(&format!("(?:^| )(?:{})(?: |$)", words.join("|")))));
    }
    out
}

fn seconds(at: &str) -> u32 {
    let (m, s) = at.split_once(':').expect("at is m:ss");
    m.parse::<u32>().expect("minutes") * 60 + s.parse::<u32>().expect("seconds")
}

/// One viewer's latest comments in a stream.
#[derive(Default)]
struct Seen {
    last: Option<(String, u32, u8)>,
    times: std::collections::VecDeque<u32>,
}

fn examples_of(tsv: &str, rules: &[(usize, Regex)], places: &[u64]) -> Vec<Example> {
    let mut viewers: HashMap<(String, String), Seen> = HashMap::new();
    let mut out = Vec::new();
    let mut norm = String::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let [_, stream, at, viewer, region, _, screen, sale, tags, ..] = f[..] else { continue };
        let text = f[f.len() - 1];
        let at = seconds(at);
        normalize_into(text, &mut norm);
        let labels = tags
            .split(',')
            .filter_map(|t| MODEL_TAGS.iter().position(|m| *m == t))
            .fold(0u8, |bits, i| bits | 1 << i);
        let seen = viewers.entry((stream.to_owned(), viewer.to_owned())).or_default();
        let first = seen.last.is_none();
        let key = if norm.is_empty() { text.to_owned() } else { norm.clone() };
        let repeat = seen.last.as_ref().is_some_and(|(t, when, _)| *t == key && at - when <= REPEAT_SECONDS);
        seen.times.push_back(at);
        if seen.times.len() > FLOOD_MESSAGES + 1 {
            seen.times.pop_front();
        }
        let flood = seen.times.len() > FLOOD_MESSAGES && at - seen.times[0] <= FLOOD_SECONDS;
        let previous = match &seen.last {
            Some((_, when, tags)) if at - when <= PREVIOUS_SECONDS => *tags,
            _ => 0,
        };
        seen.last = Some((key, at, labels));
        if repeat || flood {
            continue;
        }
        let region = match region {
            "-" => RegionCue::Unknown,
            SHIPS_TO => RegionCue::Served,
            _ => RegionCue::Outside,
        };
        let ctx = Context {
            screen: screen != "-",
            sale: match sale {
                "preheat" => SaleCue::Preheat,
                "live" => SaleCue::Live,
                "sold-out" => SaleCue::SoldOut,
                "ended" => SaleCue::Ended,
                _ => SaleCue::None,
            },
            rules: rules.iter().filter(|(_, re)| re.is_match(&norm)).fold(0, |bits, (i, _)| bits | 1 << i),
            previous,
            region,
            first,
        };
        let mut buckets = Vec::new();
        features(text, &norm, &ctx, places, |b| buckets.push(b));
        let reply = (f[9] == "no" && f[10] == "-").then(|| {
            let kind = f[11].split(':').next().unwrap_or("-");
            let class = match REPLY_KINDS.iter().position(|k| *k == kind) {
                Some(i) => i + 1,
                None if kind == "-" => 0,
                None => panic!("{stream} {at}: reply `{kind}` is not one of REPLY_KINDS"),
            };
            let mut buckets = Vec::new();
            features(text, &norm, &Context { previous: 0, ..ctx }, places, |b| buckets.push(b));
            (buckets, class)
        });
        out.push(Example { buckets, labels, reply });
    }
    out
}

/// The average of [`BAGS`] models' weights, `train(bag)` training the one of order `bag`.
fn bagged(train: impl Fn(u64) -> Vec<f32>) -> Vec<f32> {
    let mut sum = train(0);
    for bag in 1..BAGS {
        sum.iter_mut().zip(train(bag)).for_each(|(s, w)| *s += w);
    }
    sum.iter().map(|s| s / BAGS as f32).collect()
}

/// Logistic regression per tag by AdaGrad, in an order shuffled by a fixed seed per bag.
fn train(examples: &[Example], bag: u64) -> Vec<f32> {
    let mut w = vec![0f32; BUCKETS * K];
    let mut g2 = vec![1e-6f32; BUCKETS * K];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64 ^ bag.wrapping_mul(0x9e37_79b9);
    // Rare tags (complaints, spam) weigh their examples up, so a few dozen are not drowned.
    let weight: Vec<f32> = (0..K)
        .map(|tag| {
            let pos = examples.iter().filter(|e| e.labels & (1 << tag) != 0).count().max(1) as f32;
            ((examples.len() as f32 - pos) / pos).powf(BOOST).max(1.0)
        })
        .collect();
    for _ in 0..EPOCHS {
        shuffle(&mut order, &mut seed);
        for &e in &order {
            let ex = &examples[e];
            for tag in 0..K {
                let z: f32 = ex.buckets.iter().map(|&b| w[b as usize * K + tag]).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                let y = f32::from(ex.labels & (1 << tag) != 0);
                let grad = (p - y) * if y > 0.0 { weight[tag] } else { 1.0 };
                for &b in &ex.buckets {
                    step(&mut w, &mut g2, b as usize * K + tag, grad);
                }
            }
        }
    }
    w
}

/// The reply model: multinomial logistic regression over none and the reply kinds, by
/// AdaGrad, in an order shuffled by a fixed seed per bag.
fn train_replies(examples: &[Example], bag: u64) -> Vec<f32> {
    let examples: Vec<&(Vec<u32>, usize)> = examples.iter().filter_map(|e| e.reply.as_ref()).collect();
    let mut w = vec![0f32; BUCKETS * REPLY_CLASSES];
    let mut g2 = vec![1e-6f32; BUCKETS * REPLY_CLASSES];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ bag.wrapping_mul(0x2545_f491);
    for _ in 0..EPOCHS {
        shuffle(&mut order, &mut seed);
        for &e in &order {
            let (buckets, class) = examples[e];
            let mut z = [0f32; REPLY_CLASSES];
            for &b in buckets {
                for (k, z) in z.iter_mut().enumerate() {
                    *z += w[b as usize * REPLY_CLASSES + k];
                }
            }
            let top = z.iter().copied().fold(f32::MIN, f32::max);
            let exp: Vec<f32> = z.iter().map(|z| (z - top).exp()).collect();
            let total: f32 = exp.iter().sum();
            for (k, e) in exp.iter().enumerate() {
                let grad = e / total - f32::from(k == *class);
                for &b in buckets {
                    step(&mut w, &mut g2, b as usize * REPLY_CLASSES + k, grad);
                }
            }
        }
    }
    w
}

/// A Fisher-Yates shuffle by xorshift from `seed`: the same order on every build.
fn shuffle(order: &mut [usize], seed: &mut u64) {
    for i in (1..order.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        order.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
}

/// One AdaGrad step of weight `at` along `grad`.
fn step(w: &mut [f32], g2: &mut [f32], at: usize, grad: f32) {
    g2[at] += grad * grad;
    w[at] -= RATE * grad / g2[at].sqrt();
}
