//! What the triage model reads of a comment: hashed character n-grams and words of its
//! normalized text, a few marks of its raw text (a final "?", "?!", emoji), the tags the
//! shop's rules gave it, and where it was said (the sale on screen, the viewer's region,
//! what the viewer said just before).
//!
//! The build script trains on these same features (it includes this file by path), so this
//! module uses nothing but `std`. Hashing is fixed (no per-run seed): the weights written at
//! build time must land in the buckets the desk reads at run time.

/// Buckets features are hashed into; each holds one weight per model tag.
pub const BUCKETS: usize = 1 << 16;

/// The tags the model predicts, in the order of their weights. Mentions are the shop's
/// names and stay rule-based.
pub const MODEL_TAGS: [&str; 5] = ["question", "buyer", "shipping", "complaint", "spam"];

/// How many tags the model predicts.
pub const K: usize = MODEL_TAGS.len();

pub use crate::reply_kinds::REPLY_KINDS;

/// The reply model's classes: none (no canned reply is due) first, then [`REPLY_KINDS`].
pub const REPLY_CLASSES: usize = REPLY_KINDS.len() + 1;

/// The longest text read for features, in characters: a wall of text costs no more.
const MAX_CHARS: usize = 280;

/// The flash sale of the product on screen, as the model sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SaleCue {
    /// No sale, or one not run yet.
    #[default]
    None,
    Preheat,
    Live,
    SoldOut,
    Ended,
}

/// The viewer's platform region against where the shop ships.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RegionCue {
    #[default]
    Unknown,
    Served,
    Outside,
}

/// Where a comment was said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// A product is on screen.
    pub screen: bool,
    pub sale: SaleCue,
    pub region: RegionCue,
    /// The tags the shop's rules gave the comment, one bit per [`MODEL_TAGS`] entry.
    pub rules: u8,
    /// The model's tags of the viewer's previous comment within a minute, as bits.
    pub previous: u8,
    /// The viewer's first comment of the stream: where a wave says hello, not goodbye.
    pub first: bool,
}

/// FNV-1a over 64 bits, started from a feature kind's own seed.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new(kind: u64) -> Fnv {
        Fnv((0xcbf2_9ce4_8422_2325 ^ kind).wrapping_mul(0x0100_0000_01b3))
    }

    fn byte(mut self, b: u8) -> Fnv {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        self
    }

    fn bytes(self, bytes: &[u8]) -> Fnv {
        bytes.iter().fold(self, |h, &b| h.byte(b))
    }

    fn char(self, c: char) -> Fnv {
        // Most chat is ASCII: one byte, without encoding it first (the same hash).
        if c.is_ascii() {
            return self.byte(c as u8);
        }
        let mut buf = [0; 4];
        self.bytes(c.encode_utf8(&mut buf).as_bytes())
    }

    fn bucket(self) -> u32 {
        // The high bits mix best.
        let mixed = self.0 ^ (self.0 >> 29);
        (mixed.wrapping_mul(0xbf58_476d_1ce4_e5b9) >> 40) as u32 % BUCKETS as u32
    }
}

/// Feature kinds, each hashed from its own seed.
mod kind {
    pub const CHARS: u64 = 1;
    pub const WORD: u64 = 10;
    pub const BIGRAM: u64 = 11;
    pub const EMOJI: u64 = 12;
    pub const MARK: u64 = 13;
    pub const CONTEXT: u64 = 14;
    pub const RULE: u64 = 15;
    pub const PREVIOUS: u64 = 16;
    pub const PLACE: u64 = 17;
    pub const CLASS: u64 = 18;
}

#[path = "triage_words.rs"]
mod words;

/// The word classes, hashed as words are, made once.
fn lexicon() -> &'static words::Lexicon {
    static LEXICON: std::sync::OnceLock<words::Lexicon> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| words::Lexicon::new(|word| Fnv::new(kind::WORD).bytes(word).0))
}

/// Marks of the raw text that normalizing drops.
mod mark {
    pub const BIAS: u8 = 0;
    pub const ENDS_ASKED: u8 = 1;
    pub const EXCLAIMED_ASK: u8 = 2;
    pub const OPENS_ASKED: u8 = 3;
    pub const HAS_ASKED: u8 = 4;
    pub const EXCLAIMED: u8 = 5;
    pub const NO_WORDS: u8 = 6;
    pub const DIGITS: u8 = 7;
    /// 8 + the number of words, up to 6.
    pub const WORDS: u8 = 8;
}

/// The key of a place's name (normalized) in the sorted list [`features`] looks places up in.
pub fn place_key(name: &str) -> u64 {
    Fnv::new(kind::PLACE).bytes(name.as_bytes()).0
}

/// Calls `emit` with the bucket of every feature of a comment: `text` as said, `norm` as
/// [`super::text::normalize_into`] made it, `places` the sorted [`place_key`]s of the place names known
/// (naming a place is a strong sign of a shipping question). Allocates nothing.
pub fn features(text: &str, norm: &str, ctx: &Context, places: &[u64], mut emit: impl FnMut(u32)) {
    marks(text, norm, &mut emit);
    // Character 1-4-grams of " norm ", so word starts and ends are features of their own.
    let mut last = [' '; 4];
    let mut seen = 1usize;
    let padded = norm.chars().take(MAX_CHARS).chain(std::iter::once(' '));
    for c in padded {
        last.rotate_left(1);
        last[3] = c;
        seen += 1;
        for n in 1..=seen.min(4) {
            let gram = &last[4 - n..];
            if n == 1 && c == ' ' {
                continue;
            }
            emit(gram.iter().fold(Fnv::new(kind::CHARS + n as u64), |h, &c| h.char(c)).bucket());
        }
    }
    // Words and word pairs, and places named in one to three words.
    let mut previous: Option<Fnv> = None;
    let mut starts = [0usize; 3];
    let mut place = false;
    let mut at = 0;
    let lexicon = lexicon();
    let mut classes = 0u16;
    for (i, word) in norm.split(' ').take(MAX_CHARS / 2).enumerate() {
        let (start, end) = (at, at + word.len());
        at = end + 1;
        // The word's hash, taken byte by byte as its classes are looked up.
        let mut h = Fnv::new(kind::WORD);
        classes |= lexicon.classes(word, |b| {
            h = h.byte(b);
            h.0
        });
        emit(h.bucket());
        if let Some(p) = previous {
            emit(Fnv::new(kind::BIGRAM).bytes(&p.0.to_le_bytes()).bytes(word.as_bytes()).bucket());
        }
        previous = Some(h);
        starts.rotate_left(1);
        starts[2] = start;
        for n in 0..=i.min(2) {
            place |= places.binary_search(&place_key(&norm[starts[2 - n]..end])).is_ok();
        }
    }
    if place {
        emit(Fnv::new(kind::PLACE).bucket());
    }
    // Each word class said, and each pair of them.
    for a in 0..words::CLASSES.len() {
        if classes & (1 << a) == 0 {
            continue;
        }
        emit(Fnv::new(kind::CLASS).byte(a as u8).bucket());
        for b in a + 1..words::CLASSES.len() {
            if classes & (1 << b) != 0 {
                emit(Fnv::new(kind::CLASS).byte(a as u8).byte(b as u8).bucket());
            }
        }
    }
    // Emoji and symbols, which normalizing drops: "🙃", "😭", "📦", "✋".
    for c in text.chars().take(MAX_CHARS).filter(|c| !c.is_ascii() && !c.is_alphanumeric()) {
        if !matches!(c, '\u{fe0f}' | '\u{200d}' | '’' | '¿' | '¡') {
            emit(Fnv::new(kind::EMOJI).char(c).bucket());
        }
    }
    context(ctx, &mut emit);
}

fn marks(text: &str, norm: &str, emit: &mut impl FnMut(u32)) {
    let mark = |m: u8| Fnv::new(kind::MARK).byte(m).bucket();
    emit(mark(mark::BIAS));
    let asks = |c: char| c == '?' || c == '？';
    // The end of what was written, past the emoji after it: "cruelty-free hun? 🐰" ends asked.
    let trimmed = text
        .trim_end_matches(|c: char| c.is_whitespace() || !c.is_ascii() && !c.is_alphanumeric() && !asks(c));
    if trimmed.ends_with(asks) {
        emit(mark(mark::ENDS_ASKED));
    }
    let mut tail = trimmed.chars().rev().take(3);
    if tail.clone().any(|c| c == '!') && tail.any(asks) {
        emit(mark(mark::EXCLAIMED_ASK));
    }
    if text.trim_start().starts_with('¿') {
        emit(mark(mark::OPENS_ASKED));
    }
    if text.contains(asks) {
        emit(mark(mark::HAS_ASKED));
    }
    if text.contains('!') {
        emit(mark(mark::EXCLAIMED));
    }
    if norm.is_empty() {
        emit(mark(mark::NO_WORDS));
    }
    if norm.bytes().any(|b| b.is_ascii_digit()) {
        emit(mark(mark::DIGITS));
    }
    let words = norm.split(' ').filter(|w| !w.is_empty()).count().min(6) as u8;
    emit(mark(mark::WORDS + words));
}

fn context(ctx: &Context, emit: &mut impl FnMut(u32)) {
    let cue = |what: u8, value: u8| Fnv::new(kind::CONTEXT).byte(what).byte(value).bucket();
    emit(cue(0, u8::from(ctx.screen)));
    emit(cue(1, ctx.sale as u8));
    emit(cue(2, ctx.region as u8));
    emit(cue(3, u8::from(ctx.first)));
    for (i, _) in MODEL_TAGS.iter().enumerate() {
        if ctx.rules & (1 << i) != 0 {
            // Counted thrice: a rule's word is worth more than any one n-gram, and a
            // comment the rules tag should need little else to be tagged.
            let rule = Fnv::new(kind::RULE).byte(i as u8).bucket();
            (0..3).for_each(|_| emit(rule));
            // A rule's word means more or less depending on the sale: "still on" while live.
            emit(Fnv::new(kind::RULE).byte(i as u8).byte(ctx.sale as u8 + 1).bucket());
        }
        if ctx.previous & (1 << i) != 0 {
            emit(Fnv::new(kind::PREVIOUS).byte(i as u8).bucket());
        }
    }
}

/// A trained model's weights, one row per bucket with every class's weight side by side, so
/// a feature costs one load of a row rather than one per class: `N` is [`K`] for the tags,
/// [`REPLY_CLASSES`] for the reply kinds.
pub type Rows<const N: usize = K> = [[f32; N]];

/// The rows of a trained model, from the bytes the build script writes: for every bucket,
/// one little-endian `f32` per class. Read once, when the desk first needs it.
pub fn rows<const N: usize>(weights: &[u8]) -> Box<Rows<N>> {
    weights
        .chunks_exact(N * 4)
        .map(|row| std::array::from_fn(|tag| f32::from_le_bytes(std::array::from_fn(|i| row[tag * 4 + i]))))
        .collect()
}

/// How many buckets are gathered before their rows are read: hashing a batch first lets
/// the processor fetch its rows (a table of 1.3 MB, mostly out of cache) all at once,
/// rather than one after the other between hashes.
const BATCH: usize = 64;

/// A model's scores (log-odds) for a comment's features, one per class: the sum of the rows
/// of its buckets, in the order [`features`] emits them.
pub fn scores<const N: usize>(
    rows: &Rows<N>,
    places: &[u64],
    text: &str,
    norm: &str,
    ctx: &Context,
) -> [f32; N] {
    let mut sum = [0f32; N];
    let mut batch = [0u32; BATCH];
    let mut n = 0;
    let mut add = |batch: &[u32]| {
        for &bucket in batch {
            if let Some(row) = rows.get(bucket as usize) {
                for (s, w) in sum.iter_mut().zip(row) {
                    *s += w;
                }
            }
        }
    };
    features(text, norm, ctx, places, |bucket| {
        batch[n] = bucket;
        n += 1;
        if n == BATCH {
            add(&batch);
            n = 0;
        }
    });
    add(&batch[..n]);
    sum
}

/// The sorted [`place_key`]s of place names (normalized as comments are).
pub fn places<'a>(names: impl Iterator<Item = &'a str>) -> Vec<u64> {
    let mut keys: Vec<u64> = names.map(place_key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::text::normalize_into;

    /// A model whose every weight says where it is: bucket `b`, tag `t` weighs `b * K + t`
    /// thousandths, as little-endian bytes.
    fn numbered() -> Vec<u8> {
        (0..BUCKETS * K).flat_map(|i| (i as f32 / 1000.0).to_le_bytes()).collect()
    }

    #[test]
    fn rows_hold_each_buckets_weights_in_tag_order() {
        let rows = rows::<K>(&numbered());
        assert_eq!(rows.len(), BUCKETS);
        assert_eq!(rows[0], [0.0, 0.001, 0.002, 0.003, 0.004]);
        let b = BUCKETS - 1;
        assert_eq!(rows[b][K - 1], ((b * K + K - 1) as f32) / 1000.0);
    }

    #[test]
    fn scores_sum_every_features_row_in_batches_and_the_rest() {
        let rows = rows::<K>(&numbered());
        let places = places(["derry", "northern ireland"].into_iter());
        let ctx = Context {
            screen: true,
            sale: SaleCue::Live,
            rules: 0b1_0011,
            previous: 0b10,
            ..Default::default()
        };
        // Short, one batch and a bit, and several batches with emoji and a place.
        for text in
            ["hi", "how much is the almond pink??", "do you ship to northern ireland 🙃 ".repeat(5).as_str()]
        {
            let mut norm = String::new();
            normalize_into(text, &mut norm);
            let mut want = [0f32; K];
            let mut count = 0;
            features(text, &norm, &ctx, &places, |b| {
                count += 1;
                for (w, r) in want.iter_mut().zip(rows[b as usize]) {
                    *w += r;
                }
            });
            assert_eq!(scores(&rows, &places, text, &norm, &ctx), want, "{text:?} ({count} features)");
        }
    }

    #[test]
    fn a_complaint_in_another_language_shares_the_word_classes_of_one_in_english() {
        let ctx = Context::default();
        let buckets = |text: &str| {
            let mut norm = String::new();
            normalize_into(text, &mut norm);
            let mut out = std::collections::BTreeSet::new();
            features(text, &norm, &ctx, &[], |b| {
                out.insert(b);
            });
            out
        };
        let (polish, english) = (buckets("paczka nie doszła"), buckets("parcel never came"));
        // An order, "not", arrived: each class and each pair of them.
        let (order, not, arrived) = (0u8, 2u8, 10u8);
        let class = |a: u8| Fnv::new(kind::CLASS).byte(a).bucket();
        let pair = |a: u8, b: u8| Fnv::new(kind::CLASS).byte(a).byte(b).bucket();
        for b in [class(order), class(not), class(arrived), pair(order, not), pair(not, arrived)] {
            assert!(polish.contains(&b) && english.contains(&b), "bucket {b}");
        }
        assert!(!buckets("love the colour").contains(&class(order)));
    }
}
