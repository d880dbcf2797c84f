//! The labelled chat corpus of `tests/fixtures/triage/` (its README is the labelling guide):
//! every line parses, every label is one the project knows, the labels agree with each other,
//! the splits have the sizes the README states, and the held-out stream and the comments quoted
//! from outside sources share no comment, nor a near copy of one, with the comments rules and
//! models are tuned on.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use common::corpus::{
    Comment, HELDOUT_SECONDS, MIN_PER_VARIETY, MIN_SIZE, MIN_TOTAL, OUTSIDE_MIN, SALE_REPLIES, TUNED,
    VARIETIES, corpus, load, shop,
};
use livedesk::desk::classify::Tag;
use livedesk::desk::text::{has_words, normalize};

#[test]
fn every_line_parses_with_labels_the_project_knows() {
    let (comments, errors) = load();
    assert!(errors.is_empty(), "{} bad lines:\n{}", errors.len(), errors.join("\n"));
    // A stream is in order: a script can be made of it.
    let mut last: HashMap<&str, (u32, &str)> = HashMap::new();
    for c in &comments {
        if let Some((at, place)) = last.insert(&c.stream, (c.at, &c.place)) {
            assert!(c.at >= at, "{}: earlier than {place}", c.place);
        }
    }
}

#[test]
fn the_labels_of_a_comment_agree_with_each_other() {
    let shop = shop();
    let mut wrong = Vec::new();
    let mut said: HashMap<(&str, &str), (String, u32)> = HashMap::new();
    let mut times: HashMap<(&str, &str), VecDeque<u32>> = HashMap::new();
    let mut regions: HashMap<(&str, &str), &str> = HashMap::new();
    for c in &corpus() {
        let mut check = |ok: bool, why: &str| {
            if !ok {
                wrong.push(format!("{}: {why}: {}", c.place, c.text));
            }
        };
        let spam = c.tags.contains(&Tag::Spam);
        check(
            !spam || (c.tags.len() == 1 && !c.cant_ship && c.claim.is_none() && c.reply.is_none()),
            "spam carries no other label",
        );
        check(c.claim.is_none() || c.tags.contains(&Tag::Buyer), "a claim is a buyer");
        check(
            c.cant_ship == (c.reply.as_deref() == Some("cant-ship")),
            "can't-ship and the cant-ship reply go together",
        );
        for (id, state) in SALE_REPLIES {
            check(
                c.reply.as_deref() != Some(id) || c.sale == state,
                &format!("{id} only while the sale is {state}"),
            );
        }
        let names_shop = shop.names.iter().any(|n| has_words(&normalize(&c.text), n));
        // One way only: "nail nook's glitter" is a mention the whole words miss.
        check(
            spam || !names_shop || c.tags.contains(&Tag::Mention),
            "a comment naming the shop is a mention",
        );
        let viewer = (c.stream.as_str(), c.viewer.as_str());
        check(*regions.entry(viewer).or_insert(&c.region) == c.region, "a viewer has one region in a stream");
        // The desk's own reading of a repeat: the same normalized text (or the same emoji).
        let key = Some(normalize(&c.text)).filter(|n| !n.is_empty()).unwrap_or_else(|| c.text.clone());
        if let Some((last, at)) = said.insert(viewer, (key.clone(), c.at)) {
            check(
                spam || last != key || c.at - at > shop.repeat_seconds,
                "a repeat within the spam window is spam",
            );
        }
        // The desk's reading of a flood: more than `flood_messages` within `flood_seconds`.
        let recent = times.entry(viewer).or_default();
        recent.push_back(c.at);
        if recent.len() > shop.flood_messages + 1 {
            recent.pop_front();
        }
        let flood = recent.len() > shop.flood_messages
            && recent.front().is_some_and(|&first| c.at - first <= shop.flood_seconds);
        check(spam || !flood, "a comment of a flood is spam");
    }
    assert!(wrong.is_empty(), "{} labels disagree:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn the_splits_have_their_sizes_and_every_variety() {
    let comments = corpus();
    assert!(comments.len() >= MIN_TOTAL, "{} comments in all, fewer than {MIN_TOTAL}", comments.len());
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for c in &comments {
        *counts.entry((&c.split, "")).or_default() += 1;
        *counts.entry((&c.split, &c.lang)).or_default() += 1;
    }
    for (split, min) in MIN_SIZE {
        let n = counts.get(&(split, "")).copied().unwrap_or(0);
        assert!(n >= min, "{split}: {n} comments, fewer than {min}");
        for lang in VARIETIES {
            let n = counts.get(&(split, lang)).copied().unwrap_or(0);
            assert!(n >= MIN_PER_VARIETY, "{split}: {n} comments in {lang}, fewer than {MIN_PER_VARIETY}");
        }
    }
    let heldout: BTreeSet<&str> =
        comments.iter().filter(|c| c.split == "heldout").map(|c| &*c.stream).collect();
    assert_eq!(heldout.len(), 1, "the held-out split is one stream: {heldout:?}");
    let end = comments.iter().filter(|c| c.split == "heldout").map(|c| c.at).max().unwrap_or(0);
    assert!(end >= HELDOUT_SECONDS, "the held-out stream ends at {end} s, short of 30 minutes");
}

#[test]
fn every_outside_comment_names_its_source_and_each_stream_is_one_source() {
    let comments = corpus();
    let outside: Vec<&Comment> = comments.iter().filter(|c| c.split == "outside").collect();
    let mut sources: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for c in &outside {
        let source = c.source.as_deref().unwrap_or_else(|| panic!("{}: no source", c.place));
        sources.entry(&c.stream).or_default().insert(source);
    }
    for (stream, of) in &sources {
        assert_eq!(of.len(), 1, "stream {stream} is quoted from several sources: {of:?}");
    }
    let distinct: BTreeSet<&&str> = sources.values().flatten().collect();
    let (min_comments, min_sources) = OUTSIDE_MIN;
    assert!(outside.len() >= min_comments, "{} outside comments, fewer than {min_comments}", outside.len());
    assert!(distinct.len() >= min_sources, "{} sources, fewer than {min_sources}", distinct.len());
    // Only `outside` lines carry a source.
    assert!(comments.iter().all(|c| (c.split == "outside") == c.source.is_some()));
}

/// A comment as the copy check reads it: lowercase letters and digits (punctuation, spaces and
/// emoji dropped), or the symbols of a comment without any; a character typed twice or more
/// in a row counts once ("Soooo pretty!! 😍" and "so pretty" read alike).
fn skeleton(text: &str) -> Vec<char> {
    let words = text.chars().any(char::is_alphanumeric);
    let mut out: Vec<char> = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let keep = if words { c.is_alphanumeric() } else { !c.is_whitespace() && !c.is_ascii_punctuation() };
        if keep && out.last() != Some(&c) {
            out.push(c);
        }
    }
    out
}

/// Whether `a` becomes `b` in at most `max` insertions, deletions or substitutions.
fn within(a: &[char], b: &[char], max: usize) -> bool {
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let over = max + 1;
    // Only the band of cells within `max` of the diagonal can hold a distance of `max` or less.
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| j.min(over)).collect();
    for i in 1..=a.len() {
        let mut row = vec![over; b.len() + 1];
        row[0] = i.min(over);
        for j in i.saturating_sub(max).max(1)..=(i + max).min(b.len()) {
            let swap = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            row[j] = swap.min(prev[j] + 1).min(row[j - 1] + 1).min(over);
        }
        if row.iter().all(|&d| d > max) {
            return false;
        }
        prev = row;
    }
    prev[b.len()] <= max
}

#[test]
fn copies_are_told_by_normalized_text_and_edit_distance() {
    let s = |t: &str| skeleton(t);
    assert_eq!(s("Soooo pretty!! 😍"), s("so pretty"));
    assert_eq!(s("💅💅💅"), s("💅"));
    assert_ne!(s("💅✨"), s("💅"));
    assert!(within(&s("how much is the pink"), &s("how much is teh pink"), 2));
    assert!(!within(&s("how much is the red"), &s("how much is the nude"), 2));
    assert!(!within(&s("abc"), &s("abcdef"), 2));
}

/// Whether a comment is in a split that is only measured (`heldout`, `outside`).
fn measured_only(c: &Comment) -> bool {
    !TUNED.contains(&c.split.as_str())
}

#[test]
fn no_comment_repeats_across_splits_nor_a_measured_one_nearly() {
    let comments = corpus();
    let mut seen: HashMap<Vec<char>, &Comment> = HashMap::new();
    let mut copies = Vec::new();
    for c in &comments {
        let first = *seen.entry(skeleton(&c.text)).or_insert(c);
        // Two measured splits may share a comment ("Mine"): neither is tuned on.
        if first.split != c.split && !(measured_only(first) && measured_only(c)) {
            copies.push(format!("{} repeats {} {:?}", c.place, first.place, c.text));
        }
    }
    let tuned: Vec<(Vec<char>, &Comment)> =
        comments.iter().filter(|c| !measured_only(c)).map(|c| (skeleton(&c.text), c)).collect();
    for h in comments.iter().filter(|c| measured_only(c)) {
        let a = skeleton(&h.text);
        for (b, t) in &tuned {
            // A small edit distance: one edit for every six characters.
            let max = a.len().max(b.len()) / 6;
            if max > 0 && within(&a, b, max) {
                copies.push(format!("{} {:?} is nearly {} {:?}", h.place, h.text, t.place, t.text));
            }
        }
    }
    assert!(copies.is_empty(), "{} copies:\n{}", copies.len(), copies.join("\n"));
}
