//! What the shop taught the desk: every reply the operator sent to a comment and every tag
//! they fixed is a labelled [`Example`]; the [`Memory`] finds the earlier comments nearest
//! to a new one, by the cosine of their hashed character trigrams (robust to typos, slang
//! and missing spaces, in any language), so a reply the shop gave to comments that read like
//! it is suggested again, and a tag the operator fixed is fixed on the comments like it.
//!
//! Bounded: each index keeps at most its cap of distinct comments (the least recently taught
//! go first), each comment at most [`GRAMS_KEPT`] trigrams. A lookup touches only the
//! comments that share a trigram with it, through an inverted index.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::classify::{Tag, Tags};

/// How alike two comments must read for a past answer to be suggested (trigram cosine).
pub const ANSWER_AT: f32 = 0.6;
/// How alike a comment must read to a fixed one to take the operator's tags.
pub const OVERRIDE_AT: f32 = 0.8;
/// Distinct answered comments kept.
pub const ANSWERS_KEPT: usize = 4096;
/// Distinct fixed comments kept.
pub const FIXES_KEPT: usize = 1024;
/// Most trigrams kept of one comment (a comment longer than that reads by its start).
pub const GRAMS_KEPT: usize = 160;
/// The tags the operator can fix by hand.
pub const FIXABLE: [Tag; 6] =
    [Tag::Question, Tag::Buyer, Tag::Shipping, Tag::Complaint, Tag::Spam, Tag::CantShip];

/// One thing the operator did to a comment, as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// Its place among this stream's examples (from 1), so a rebuilt stream stores each once.
    pub n: u64,
    /// The comment, normalized ([`crate::text::normalize`]).
    pub text: String,
    /// Its language, when triage knows it.
    pub lang: Option<String>,
    /// Its tags as corrected (names as in `chat.toml`).
    pub tags: Vec<String>,
    /// The tags the operator set or cleared by hand (a re-tag).
    pub fixed: Vec<String>,
    /// The reply sent to it, by id.
    pub reply: Option<String>,
}

impl Example {
    /// Tags from their names; unknown names (a newer build's) are skipped.
    fn tags_of(names: &[String]) -> Tags {
        let mut tags = Tags::NONE;
        for t in names.iter().filter_map(|n| Tag::from_name(n)) {
            tags.add(t);
        }
        tags
    }

    /// Tag names of a set, in the chat pane's order.
    pub fn names(tags: Tags) -> Vec<String> {
        tags.iter().map(|t| t.name().to_owned()).collect()
    }
}

/// A past answer that fits a comment: the reply and how often the shop sent it to comments
/// that read like this one.
#[derive(Clone, Debug, PartialEq)]
pub struct Answered<'a> {
    pub reply: &'a str,
    pub times: u64,
    /// The nearest such comment's similarity.
    pub similarity: f32,
}

/// The shop's own examples, indexed for the nearest comment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Memory {
    answers: Index<Replied>,
    fixes: Index<Fixed>,
    /// Examples taught, this stream and the ones before it.
    taught: u64,
}

/// The replies sent to one comment, by id, with their counts.
#[derive(Clone, Debug, Default, PartialEq)]
struct Replied(Vec<(String, u64)>);

/// The operator's fix on one comment: which tags (`fixed`) they set as in `tags`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Fixed {
    tags: Tags,
    fixed: Tags,
}

impl Memory {
    /// An empty memory.
    pub fn new() -> Self {
        Memory { answers: Index::new(ANSWERS_KEPT), fixes: Index::new(FIXES_KEPT), taught: 0 }
    }

    /// A memory of these examples, oldest first (as the store gives them).
    pub fn of(examples: impl IntoIterator<Item = Example>) -> Self {
        let mut m = Memory::new();
        for e in examples {
            m.learn(&e);
        }
        m
    }

    /// Takes one example in: its reply is counted for comments like it, its fixed tags
    /// become the shop's override.
    pub fn learn(&mut self, e: &Example) {
        self.taught += 1;
        if let Some(reply) = &e.reply {
            let slot = self.answers.entry(&e.text);
            if let Some(replied) = slot {
                match replied.0.iter_mut().find(|(r, _)| r == reply) {
                    Some((_, n)) => *n += 1,
                    None => replied.0.push((reply.clone(), 1)),
                }
            }
        }
        let fixed = Example::tags_of(&e.fixed);
        if !fixed.is_empty()
            && let Some(f) = self.fixes.entry(&e.text)
        {
            let tags = Example::tags_of(&e.tags);
            for t in Tag::ALL.into_iter().filter(|t| fixed.has(*t)) {
                f.fixed.add(t);
                if tags.has(t) { f.tags.add(t) } else { f.tags.remove(t) }
            }
        }
    }

    /// Examples taught so far.
    pub fn taught(&self) -> u64 {
        self.taught
    }

    /// Distinct comments that got a reply, and distinct ones with a fix.
    pub fn len(&self) -> (usize, usize) {
        (self.answers.len(), self.fixes.len())
    }

    /// Whether nothing was taught.
    pub fn is_empty(&self) -> bool {
        self.answers.len() == 0 && self.fixes.len() == 0
    }

    /// The reply the shop sent most to the comments that read like `norm` (at least
    /// [`ANSWER_AT`] alike), with how often; ties go to the nearer comment.
    pub fn answered(&self, norm: &str) -> Option<Answered<'_>> {
        if self.answers.len() == 0 {
            return None;
        }
        let mut best: BTreeMap<&str, (u64, f32)> = BTreeMap::new();
        for (sim, replied) in self.answers.near(norm, ANSWER_AT) {
            for (reply, n) in &replied.0 {
                let e = best.entry(reply.as_str()).or_default();
                e.0 += n;
                e.1 = e.1.max(sim);
            }
        }
        best.into_iter()
            .max_by(|a, b| (a.1.0, a.1.1).partial_cmp(&(b.1.0, b.1.1)).unwrap_or(std::cmp::Ordering::Equal))
            .map(|(reply, (times, similarity))| Answered { reply, times, similarity })
    }

    /// `tags` with the operator's fix of the nearest fixed comment (at least
    /// [`OVERRIDE_AT`] alike), if there is one.
    pub fn override_tags(&self, norm: &str, tags: Tags) -> Tags {
        if self.fixes.len() == 0 {
            return tags;
        }
        let nearest = self.fixes.near(norm, OVERRIDE_AT).max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, f)) = nearest else { return tags };
        let mut out = tags;
        for t in Tag::ALL.into_iter().filter(|t| f.fixed.has(*t)) {
            if f.tags.has(t) { out.add(t) } else { out.remove(t) }
        }
        out
    }
}

/// A comment's trigrams: hashed, counted, unit length, sorted by hash.
fn grams(norm: &str) -> Vec<(u32, f32)> {
    let chars: Vec<char> = std::iter::once(' ').chain(norm.chars()).chain(std::iter::once(' ')).collect();
    let mut hashes: Vec<u32> = chars
        .windows(3)
        .take(GRAMS_KEPT)
        .map(|w| {
            // FNV-1a over the three chars: stable across runs and builds.
            w.iter().fold(0x811c_9dc5u32, |h, c| (h ^ *c as u32).wrapping_mul(0x0100_0193))
        })
        .collect();
    hashes.sort_unstable();
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(hashes.len());
    for h in hashes {
        match out.last_mut() {
            Some((last, n)) if *last == h => *n += 1.0,
            _ => out.push((h, 1.0)),
        }
    }
    let norm = out.iter().map(|(_, n)| n * n).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, n) in &mut out {
            *n /= norm;
        }
    }
    out
}

/// The cosine of two unit trigram vectors, by merging them.
fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

/// Comments with a payload each, found by their trigrams; at most `cap`, the least
/// recently taught dropped first.
#[derive(Clone, Debug, Default, PartialEq)]
struct Index<T> {
    slots: Vec<Option<Slot<T>>>,
    free: Vec<u32>,
    by_text: HashMap<String, u32>,
    /// Trigram → the slots whose comment has it.
    postings: HashMap<u32, Vec<u32>>,
    /// Last taught (a counter) → slot: the oldest is first to go.
    recent: BTreeMap<u64, u32>,
    clock: u64,
    cap: usize,
}

#[derive(Clone, Debug, PartialEq)]
struct Slot<T> {
    text: String,
    grams: Vec<(u32, f32)>,
    touched: u64,
    value: T,
}

impl<T: Default> Index<T> {
    fn new(cap: usize) -> Self {
        Index {
            slots: Vec::new(),
            free: Vec::new(),
            by_text: HashMap::new(),
            postings: HashMap::new(),
            recent: BTreeMap::new(),
            clock: 0,
            cap: cap.max(1),
        }
    }

    fn len(&self) -> usize {
        self.by_text.len()
    }

    /// The payload of comment `norm`, added if new (`None` for an empty comment).
    fn entry(&mut self, norm: &str) -> Option<&mut T> {
        if norm.is_empty() {
            return None;
        }
        self.clock += 1;
        let slot = match self.by_text.get(norm) {
            Some(&slot) => {
                let s = self.slots[slot as usize].as_mut().expect("an indexed slot is full");
                self.recent.remove(&s.touched);
                s.touched = self.clock;
                slot
            }
            None => {
                if self.by_text.len() >= self.cap {
                    self.evict_oldest();
                }
                let grams = grams(norm);
                let slot = match self.free.pop() {
                    Some(slot) => slot,
                    None => {
                        self.slots.push(None);
                        u32::try_from(self.slots.len() - 1).expect("a bounded index")
                    }
                };
                for (g, _) in &grams {
                    self.postings.entry(*g).or_default().push(slot);
                }
                self.slots[slot as usize] =
                    Some(Slot { text: norm.to_owned(), grams, touched: self.clock, value: T::default() });
                self.by_text.insert(norm.to_owned(), slot);
                slot
            }
        };
        self.recent.insert(self.clock, slot);
        self.slots[slot as usize].as_mut().map(|s| &mut s.value)
    }

    fn evict_oldest(&mut self) {
        let Some((_, slot)) = self.recent.pop_first() else { return };
        let Some(old) = self.slots[slot as usize].take() else { return };
        for (g, _) in &old.grams {
            if let Some(list) = self.postings.get_mut(g) {
                list.retain(|s| *s != slot);
                if list.is_empty() {
                    self.postings.remove(g);
                }
            }
        }
        self.by_text.remove(&old.text);
        self.free.push(slot);
    }

    /// The comments at least `at` alike to `norm`, with their similarity.
    ///
    /// Bounded work whatever the index holds: the query's trigrams are searched rarest
    /// first, [`POSTINGS_SEARCHED`] postings in all (a trigram most comments have finds no
    /// one a rarer one misses), and only the [`CANDIDATES`] comments sharing most of them are
    /// compared in full.
    fn near<'a>(&'a self, norm: &str, at: f32) -> impl Iterator<Item = (f32, &'a T)> + 'a {
        let query = grams(norm);
        let mut lists: Vec<&[u32]> =
            query.iter().filter_map(|(g, _)| self.postings.get(g).map(Vec::as_slice)).collect();
        lists.sort_unstable_by_key(|l| l.len());
        let mut shared = vec![0u16; self.slots.len()];
        let mut found: Vec<u32> = Vec::new();
        let mut budget = POSTINGS_SEARCHED;
        for list in lists {
            if budget == 0 {
                break;
            }
            // The newest of a long list: postings are kept in the order comments came.
            let take = &list[list.len().saturating_sub(budget)..];
            budget -= take.len();
            for &slot in take {
                let n = &mut shared[slot as usize];
                if *n == 0 {
                    found.push(slot);
                }
                *n = n.saturating_add(1);
            }
        }
        if found.len() > CANDIDATES {
            found.select_nth_unstable_by_key(CANDIDATES, |s| std::cmp::Reverse(shared[*s as usize]));
            found.truncate(CANDIDATES);
        }
        found.into_iter().filter_map(move |slot| {
            let s = self.slots[slot as usize].as_ref()?;
            let sim = cosine(&query, &s.grams);
            (sim >= at).then_some((sim, &s.value))
        })
    }
}

/// Most postings one lookup reads.
const POSTINGS_SEARCHED: usize = 384;
/// Most comments one lookup compares in full.
const CANDIDATES: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::text::normalize;

    fn answer(text: &str, reply: &str) -> Example {
        Example {
            n: 0,
            text: normalize(text),
            lang: None,
            tags: vec!["question".into()],
            fixed: vec![],
            reply: Some(reply.into()),
        }
    }

    fn fix(text: &str, tags: &[&str], fixed: &[&str]) -> Example {
        Example {
            n: 0,
            text: normalize(text),
            lang: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            fixed: fixed.iter().map(|t| (*t).to_owned()).collect(),
            reply: None,
        }
    }

    #[test]
    fn the_nearest_answered_comments_suggest_their_reply_with_a_count() {
        let mut m = Memory::new();
        for _ in 0..3 {
            m.learn(&answer("is the glue included?", "glue-kit"));
        }
        m.learn(&answer("is glue included in the set", "glue-kit"));
        m.learn(&answer("do you ship to ireland", "shipping"));
        let hit = m.answered(&normalize("Is the glue includd??")).expect("a typo reads the same");
        assert_eq!((hit.reply, hit.times), ("glue-kit", 4));
        assert!(hit.similarity >= ANSWER_AT && hit.similarity < 1.0);
        assert_eq!(m.answered(&normalize("do u ship to ireland")).map(|h| h.reply), Some("shipping"));
        assert_eq!(m.answered(&normalize("love the colours on these")), None, "nothing alike");
        assert_eq!(m.len(), (3, 0), "one entry per distinct comment");
        assert_eq!(m.taught(), 5);
    }

    #[test]
    fn the_reply_sent_most_wins_among_near_comments() {
        let mut m = Memory::new();
        m.learn(&answer("how much is postage", "price"));
        m.learn(&answer("how much is postage", "postage"));
        m.learn(&answer("how much is the postage", "postage"));
        let hit = m.answered(&normalize("how much is postage?")).unwrap();
        assert_eq!((hit.reply, hit.times), ("postage", 2));
    }

    #[test]
    fn a_fix_overrides_the_tags_of_comments_that_read_the_same_only() {
        let mut m = Memory::new();
        m.learn(&fix("SOLD OUT ALREADY 😭", &["complaint"], &["buyer"]));
        m.learn(&fix("sold out already", &["complaint"], &["complaint"]));
        let buyer = Tags::NONE.with(Tag::Buyer);
        let fixed = m.override_tags(&normalize("sold out already!!"), buyer);
        assert!(!fixed.has(Tag::Buyer) && fixed.has(Tag::Complaint), "both fixes of one comment hold");
        let other = m.override_tags(&normalize("sold out of pink, any more coming"), buyer);
        assert_eq!(other, buyer, "a different comment keeps its own tags");
        let q = Tags::NONE.with(Tag::Question);
        assert!(m.override_tags(&normalize("sold out already"), q).has(Tag::Question), "unfixed tags stay");
    }

    #[test]
    fn memory_is_bounded_and_forgets_the_least_recently_taught() {
        let mut m = Memory::new();
        for i in 0..ANSWERS_KEPT + 10 {
            m.learn(&answer(&format!("question number {i} about item {}", i * 7), "r"));
        }
        assert_eq!(m.len().0, ANSWERS_KEPT);
        assert!(m.answered(&normalize("question number 0 about item 0")).is_none_or(|h| h.similarity < 1.0));
        let last = ANSWERS_KEPT + 9;
        let hit = m.answered(&normalize(&format!("question number {last} about item {}", last * 7))).unwrap();
        assert!(hit.similarity > 0.99);
        assert!(m.answers.postings.values().all(|l| l.len() <= ANSWERS_KEPT));
        assert!(m.answers.slots.len() <= ANSWERS_KEPT, "freed slots are reused");
    }

    #[test]
    fn long_comments_keep_a_bounded_number_of_trigrams() {
        let long = "abcdefghij".repeat(100);
        assert!(grams(&long).len() <= GRAMS_KEPT);
        assert!(grams("").len() <= 1);
        let mut m = Memory::new();
        m.learn(&answer("", "r"));
        assert_eq!(m.len(), (0, 0), "an empty comment teaches nothing");
    }
}
