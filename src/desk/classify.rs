//! Chat triage: which comments are questions, buyers, shipping questions, complaints, spam
//! or mentions of the shop, from the rules of `chat.toml` and a viewer's recent comments.
//!
//! Rules are compiled once; a comment is normalized into a reused buffer and read in one
//! pass of all rules together, so tagging costs no allocation for a viewer already seen.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

use regex::{Regex, RegexSet};

use super::text::{compile, compile_set};
use super::text::{has_words, keywords_regex, names};
use super::text::{normalize, normalize_into};
use super::triage_features::{self as features, Context};
use crate::config::model::{ChatConfig, SpamConfig};

/// The triage model's weights, trained from the corpus when the crate is built (`build.rs`).
static WEIGHTS: std::sync::LazyLock<Box<features::Rows>> = std::sync::LazyLock::new(|| {
    features::rows(include_bytes!(concat!(env!("OUT_DIR"), "/triage_weights.bin")))
});

/// The reply model's weights, trained with the triage model's (`build.rs`).
static REPLY_WEIGHTS: std::sync::LazyLock<Box<features::Rows<{ features::REPLY_CLASSES }>>> =
    std::sync::LazyLock::new(|| {
        features::rows(include_bytes!(concat!(env!("OUT_DIR"), "/reply_weights.bin")))
    });

/// What the reply model reads a comment as asking: one of [`features::REPLY_KINDS`], or
/// `None` for a comment no canned reply answers, and how sure it is (a probability).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KindRead {
    pub kind: Option<&'static str>,
    pub p: f32,
}

/// The tag of each of [`features::MODEL_TAGS`], in their order.
const MODEL_TAG_OF: [Tag; features::K] =
    [Tag::Question, Tag::Buyer, Tag::Shipping, Tag::Complaint, Tag::Spam];

/// The log-odds the model's spam guess must pass (the other tags need only 0, even odds):
/// spam hides a comment's other tags, and a buyer hidden costs more than a promotion shown.
/// 2 is p > 0.88, below the least sure spam of `dev` the model found (near 4).
const SPAM_AT: f32 = 2.0;

/// The places of [`super::regions`], as the model looks them up.
static PLACES: std::sync::LazyLock<Vec<u64>> =
    std::sync::LazyLock::new(|| features::places(super::regions::aliases().map(|(name, _)| name)));

/// One kind of comment the operator may want to find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    Question,
    Buyer,
    Shipping,
    Complaint,
    Spam,
    Mention,
    /// A buyer the shop cannot ship to (set by the shipping gate, not by rules).
    CantShip,
}

impl Tag {
    /// How many tags there are.
    pub const COUNT: usize = 7;

    /// Every tag, in the order the chat pane shows their marks.
    pub const ALL: [Tag; Tag::COUNT] =
        [Tag::Question, Tag::Buyer, Tag::Shipping, Tag::CantShip, Tag::Complaint, Tag::Mention, Tag::Spam];

    /// The name used in `chat.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Tag::Question => "question",
            Tag::Buyer => "buyer",
            Tag::Shipping => "shipping",
            Tag::Complaint => "complaint",
            Tag::Spam => "spam",
            Tag::Mention => "mention",
            Tag::CantShip => "cant-ship",
        }
    }

    /// The tag named in `chat.toml` (one of [`crate::config::model::RULE_TAGS`]).
    pub fn from_name(name: &str) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.name() == name)
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A comment's tags, as a bitset (one byte per message).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tags(u8);

impl Tags {
    /// No tag.
    pub const NONE: Tags = Tags(0);

    /// Whether `tag` is set.
    pub fn has(self, tag: Tag) -> bool {
        self.0 & tag.bit() != 0
    }

    /// Sets `tag`.
    pub fn add(&mut self, tag: Tag) {
        self.0 |= tag.bit();
    }

    /// Clears `tag`.
    pub fn remove(&mut self, tag: Tag) {
        self.0 &= !tag.bit();
    }

    /// These tags plus `tag`.
    pub fn with(mut self, tag: Tag) -> Tags {
        self.add(tag);
        self
    }

    /// Whether no tag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The tags set, in [`Tag::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Tag> {
        Tag::ALL.into_iter().filter(move |t| self.has(*t))
    }
}

/// What one viewer said lately, for repeats and floods.
#[derive(Clone, Debug, Default)]
struct Recent {
    /// Hash of the last comment's normalized text, and when it was said (ms).
    text: u64,
    text_at: i64,
    /// Times of the latest comments (ms), at most `flood_messages + 1`.
    times: VecDeque<i64>,
    /// The model's tags of the last comment, as [`Context::previous`] bits.
    tags: u8,
}

/// Comments classified between two sweeps of viewers gone quiet.
const SWEEP_EVERY: u32 = 8192;

/// The rules of one `chat.toml`, compiled once and shared by every desk made from it.
struct Compiled {
    /// Every rule's regex (a tag's keywords in one), read in one pass: a comment has a
    /// tag when any of that tag's regexes matches, which is what the set says at once.
    rules: RegexSet,
    /// The tag of each regex in `rules`, by its index.
    rule_tags: Vec<Tag>,
    /// Whether each regex in `rules` is the shop's own (not a built-in rule the model was
    /// trained with): the shop's own rules tag whatever the model says.
    rule_own: Vec<bool>,
    /// The [`Context::rules`] bit of each regex's tag (none for a tag the model does not
    /// predict), so a match costs no lookup by name.
    rule_bits: Vec<u8>,
    /// The languages of `[languages]`, to tell what language a comment is in.
    langs: Vec<Lang>,
    links: Regex,
}

/// A language's common words and rule keywords (normalized) and its rules' regexes.
struct Lang {
    code: String,
    words: Vec<String>,
    regexes: Vec<Regex>,
}

/// Tags comments: the rules of `chat.toml`, compiled, and what each viewer said lately.
#[derive(Clone)]
pub struct Classifier {
    config: ChatConfig,
    compiled: Arc<Compiled>,
    /// The shop's names, normalized.
    names: Vec<String>,
    spam: SpamConfig,
    viewers: foldhash::HashMap<String, Recent>,
    norm: String,
    since_sweep: u32,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("rules", &self.config.rules.len())
            .field("names", &self.names)
            .field("viewers", &self.viewers.len())
            .finish()
    }
}

impl PartialEq for Classifier {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config && self.names == other.names
    }
}

/// Whether a comment is asked in so many marks: it ends with "?" (but not an exclaimed
/// "?!", which is dismay: "are you kidding me?!") or opens with "¿".
fn asked(text: &str) -> bool {
    let trimmed = text.trim_end();
    let mut tail = trimmed.chars().rev().take(3);
    let ends_asked = trimmed.ends_with(['?', '？']);
    (ends_asked && !tail.any(|c| c == '!')) || text.trim_start().starts_with('¿')
}

/// Whether `text` may hold a link: every form of the link pattern has a `/` or a `www.`.
/// Most comments have neither and skip the pattern, whose Unicode `\b` is slow over emoji.
fn may_hold_link(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.contains(&b'/')
        || text.match_indices('.').any(|(i, _)| i >= 3 && bytes[i - 3..i].eq_ignore_ascii_case(b"www"))
}

impl Compiled {
    /// The compiled rules of `config`: desks made from the same file share them, so a
    /// replay, a rebuild or a test that builds many desks compiles them once.
    fn shared(config: &ChatConfig) -> Arc<Compiled> {
        static LAST: Mutex<Option<(ChatConfig, Arc<Compiled>)>> = Mutex::new(None);
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((c, compiled)) = last.as_ref()
            && c == config
        {
            return compiled.clone();
        }
        let compiled = Arc::new(Compiled::new(config));
        *last = Some((config.clone(), compiled.clone()));
        compiled
    }

    /// Rules that do not compile were reported by `config check` and are skipped here.
    fn new(config: &ChatConfig) -> Compiled {
        let mut rules: Vec<(Tag, bool, Regex)> = Vec::new();
        let mut keywords: [[Vec<String>; Tag::COUNT]; 2] = Default::default();
        let builtin = ChatConfig::default();
        let mut langs: Vec<Lang> = config
            .languages
            .iter()
            .map(|(code, words)| Lang {
                code: code.clone(),
                words: words.iter().map(|w| normalize(w)).filter(|w| !w.is_empty()).collect(),
                regexes: Vec::new(),
            })
            .collect();
        for rule in &config.rules {
            let Some(tag) = Tag::from_name(&rule.tag) else { continue };
            let own = !builtin.rules.contains(rule);
            keywords[usize::from(own)][tag as usize].extend(rule.keywords.iter().cloned());
            let regex = rule.regex.as_deref().and_then(|re| match compile(re) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::warn!(regex = %re, error = %e, "chat rule skipped");
                    None
                }
            });
            if let Some(lang) = langs.iter_mut().find(|l| rule.lang.as_deref() == Some(l.code.as_str())) {
                lang.words.extend(rule.keywords.iter().map(|k| normalize(k)).filter(|k| !k.is_empty()));
                lang.regexes.extend(regex.clone());
            }
            rules.extend(regex.map(|r| (tag, own, r)));
        }
        for own in [false, true] {
            for (tag, words) in Tag::ALL.into_iter().map(|t| (t, &keywords[usize::from(own)][t as usize])) {
                if let Some(re) = keywords_regex(words).and_then(|re| compile(&re).ok()) {
                    rules.push((tag, own, re));
                }
            }
        }
        let rule_tags = rules.iter().map(|(tag, _, _)| *tag).collect();
        let rule_own = rules.iter().map(|(_, own, _)| *own).collect();
        let rule_bits = rules
            .iter()
            .map(|(tag, _, _)| MODEL_TAG_OF.iter().position(|t| t == tag).map_or(0, |bit| 1 << bit))
            .collect();
        let (rules, rule_tags, rule_own, rule_bits) =
            match compile_set(rules.iter().map(|(_, _, r)| r.as_str())) {
                Ok(set) => (set, rule_tags, rule_own, rule_bits),
                Err(e) => {
                    tracing::warn!(error = %e, "chat rules skipped");
                    (RegexSet::empty(), Vec::new(), Vec::new(), Vec::new())
                }
            };
        let links = Regex::new(
            r"(?i)(?:https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|ly|io|co|xyz|shop|link|me|gg)/)",
        )
        .expect("the link pattern compiles");
        Compiled { rules, rule_tags, rule_own, rule_bits, langs, links }
    }
}

/// What the classifier needs to know about a comment besides its text.
#[derive(Clone, Copy, Debug)]
pub struct Said<'a> {
    pub user_id: &'a str,
    pub text: &'a str,
    /// The platform marked it as a question.
    pub question: bool,
    /// The claims matcher read it as a claim (buying intent).
    pub claim: bool,
    /// Milliseconds since the epoch.
    pub at_ms: i64,
    /// Where it was said: the product and sale on screen, the viewer's region (the
    /// classifier fills in the rules and the viewer's previous comment itself).
    pub context: Context,
}

impl Classifier {
    /// The classifier for a shop. Rules that do not compile were reported by
    /// `config check` and are skipped here.
    pub fn new(config: &ChatConfig) -> Classifier {
        Classifier {
            config: config.clone(),
            compiled: Compiled::shared(config),
            names: config.names.iter().map(|n| normalize(n)).filter(|n| !n.is_empty()).collect(),
            spam: config.spam.clone(),
            viewers: Default::default(),
            norm: String::new(),
            since_sweep: 0,
        }
    }

    /// The last comment classified, normalized.
    pub fn normalized(&self) -> &str {
        &self.norm
    }

    /// The language of a comment: of those `chat.toml` lists under `[languages]`, the one
    /// whose common words and rules it has most of (ties go to the first code); `None` when it
    /// has none of them (it is taken to be in the shop's own language).
    pub fn language(&self, text: &str) -> Option<&str> {
        let norm = normalize(text);
        let mut best: Option<(&str, usize)> = None;
        for lang in &self.compiled.langs {
            let hits = lang.words.iter().filter(|w| has_words(&norm, w)).count()
                + lang.regexes.iter().filter(|r| r.is_match(&norm)).count();
            if hits > 0 && best.is_none_or(|(_, n)| hits > n) {
                best = Some((&lang.code, hits));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// What a comment asks that a canned reply answers, as the reply model reads it with
    /// the shop's rules and where it is said now: the likeliest reply kind, or none. Read
    /// when a suggestion is wanted, not as comments arrive. `norm` is `text` normalized.
    pub fn reply_kind(&self, text: &str, norm: &str, mut ctx: Context) -> KindRead {
        ctx.previous = 0;
        ctx.rules = 0;
        if !norm.is_empty() {
            for i in &self.compiled.rules.matches(norm) {
                ctx.rules |= self.compiled.rule_bits[i];
            }
        }
        let z = features::scores(&REPLY_WEIGHTS, &PLACES, text, norm, &ctx);
        let (best, top) = z.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).expect("classes");
        // The softmax of the best class: e^0 over the sum of every class's e^(z - top).
        let total: f32 = z.iter().map(|z| (z - top).exp()).sum();
        KindRead { kind: best.checked_sub(1).map(|k| features::REPLY_KINDS[k]), p: 1.0 / total }
    }

    /// Adds a name viewers call the shop or its host by (the host's own name, learned from
    /// the host's messages).
    pub fn learn_name(&mut self, name: &str) {
        let n = normalize(name);
        if !n.is_empty() && !self.names.contains(&n) && self.names.len() < 16 {
            self.names.push(n);
        }
    }

    /// The tags of a viewer's comment (never call it for the shop's own messages: they are
    /// never tagged).
    ///
    /// The model reads the comment with the tags the rules gave it and where it was said;
    /// the shop's own rules (those not built in), the platform's question mark, a claim and
    /// the shop's names tag whatever it says. Spam (links, repeats, floods, or promotion the
    /// model knows, but never a claim) carries no other tag: a copy is not a new question.
    pub fn classify(&mut self, said: Said<'_>) -> Tags {
        let mut tags = Tags::NONE;
        // Whether the shop's own rules tagged it other than spam: then the model's spam
        // guess does not hide what the shop said it is ("wobbly" is a complaint of theirs).
        let mut own_tagged = false;
        normalize_into(said.text, &mut self.norm);
        let mut ctx = said.context;
        ctx.rules = 0;
        if said.question || asked(said.text) {
            tags.add(Tag::Question);
        }
        if said.claim {
            tags.add(Tag::Buyer);
        }
        if !self.norm.is_empty() {
            for i in &self.compiled.rules.matches(&self.norm) {
                if self.compiled.rule_own[i] {
                    tags.add(self.compiled.rule_tags[i]);
                    own_tagged |= self.compiled.rule_tags[i] != Tag::Spam;
                }
                ctx.rules |= self.compiled.rule_bits[i];
            }
            if self.names.iter().any(|n| names(&self.norm, n)) {
                tags.add(Tag::Mention);
            }
        }
        ctx.previous = self.previous(said);
        let scores = features::scores(&WEIGHTS, &PLACES, said.text, &self.norm, &ctx);
        let mut predicted = 0u8;
        for (bit, (tag, score)) in MODEL_TAG_OF.into_iter().zip(scores).enumerate() {
            let at = if tag == Tag::Spam { SPAM_AT } else { 0.0 };
            if score > at {
                predicted |= 1 << bit;
                // A claim the matcher read for a product of ours is someone buying, whatever
                // the model makes of a short code and a number ("BCS 7"), and a comment the
                // shop's own rules tagged is what they say; the shop's own spam rules, links
                // and repeats still make it spam.
                if !((said.claim || own_tagged) && tag == Tag::Spam) {
                    tags.add(tag);
                }
            }
        }
        // "my order never arrived", "the checkout won't load": a problem to handle first,
        // not someone about to buy (a claim stays a claim).
        if tags.has(Tag::Complaint) && !said.claim {
            tags.remove(Tag::Buyer);
        }
        if self.spam.links && may_hold_link(said.text) && self.compiled.links.is_match(said.text) {
            tags.add(Tag::Spam);
        }
        if self.recent(said, predicted) {
            tags.add(Tag::Spam);
        }
        if tags.has(Tag::Spam) {
            tags = Tags::NONE.with(Tag::Spam);
        }
        tags
    }

    /// The model's tags of the viewer's previous comment, if it was within a minute.
    fn previous(&self, said: Said<'_>) -> u8 {
        match self.viewers.get(said.user_id) {
            Some(r) if said.at_ms - r.text_at <= 60_000 && !r.times.is_empty() => r.tags,
            _ => 0,
        }
    }

    /// Records the comment in its viewer's recent history; true if it repeats the last one
    /// too soon or floods.
    fn recent(&mut self, said: Said<'_>, tags: u8) -> bool {
        self.since_sweep += 1;
        if self.since_sweep >= SWEEP_EVERY {
            self.since_sweep = 0;
            let keep = i64::from(self.spam.repeat_seconds.max(self.spam.flood_seconds)) * 1000;
            self.viewers.retain(|_, r| {
                r.times.back().copied().unwrap_or(r.text_at).max(r.text_at) >= said.at_ms - keep
            });
        }
        if said.user_id.is_empty() {
            return false;
        }
        let key = if self.norm.is_empty() { said.text.trim() } else { self.norm.as_str() };
        let hash = foldhash::fast::FixedState::default().hash_one(key);
        let recent = match self.viewers.get_mut(said.user_id) {
            Some(r) => r,
            None => self.viewers.entry(said.user_id.to_owned()).or_default(),
        };
        let repeat_ms = i64::from(self.spam.repeat_seconds) * 1000;
        let repeated = !recent.times.is_empty()
            && recent.text == hash
            && said.at_ms - recent.text_at <= repeat_ms
            && repeat_ms > 0;
        recent.text = hash;
        recent.text_at = said.at_ms;
        recent.tags = tags;
        let n = self.spam.flood_messages as usize;
        let mut flood = false;
        if n > 0 {
            recent.times.push_back(said.at_ms);
            while recent.times.len() > n + 1 {
                recent.times.pop_front();
            }
            let window = i64::from(self.spam.flood_seconds) * 1000;
            flood = recent.times.len() > n && recent.times.front().is_some_and(|&t| said.at_ms - t <= window);
        } else {
            recent.times.clear();
            recent.times.push_back(said.at_ms);
        }
        repeated || flood
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::sanitize::{MAX_TEXT_CHARS, sanitize};

    fn classifier() -> Classifier {
        Classifier::new(&ChatConfig::default())
    }

    /// A classifier with one rule of the shop's own: `keyword` tags `tag`.
    fn with_own_rule(tag: &str, keyword: &str) -> Classifier {
        let mut config = ChatConfig::default();
        config.rules.push(crate::config::model::ChatRule {
            tag: tag.into(),
            keywords: vec![keyword.into()],
            regex: None,
            lang: None,
        });
        Classifier::new(&config)
    }

    fn tags_of(c: &mut Classifier, user: &str, text: &str, at_ms: i64) -> Vec<&'static str> {
        let said =
            Said { user_id: user, text, question: false, claim: false, at_ms, context: Context::default() };
        c.classify(said).iter().map(Tag::name).collect()
    }

    #[test]
    fn every_tag_a_chat_rule_may_give_is_a_tag_and_cant_ship_is_not_among_them() {
        use crate::config::model::RULE_TAGS;
        for name in RULE_TAGS {
            assert_eq!(Tag::from_name(name).map(Tag::name), Some(name));
        }
        assert!(!RULE_TAGS.contains(&Tag::CantShip.name()));
        assert_eq!(RULE_TAGS.len(), Tag::COUNT - 1);
    }

    #[test]
    fn comments_get_the_tags_of_their_words_in_three_languages() {
        let table: [(&str, &[&str]); 18] = [
            // English
            ("How much is the almond pink?", &["question", "buyer"]),
            ("price pls", &["question", "buyer"]),
            ("i want 2", &["buyer"]),
            ("do you ship to manila", &["question", "shipping"]),
            ("Shipping to Canada?", &["question", "shipping"]),
            ("the checkout page is NOT LOADING", &["complaint"]),
            ("still waiting for my order from last week", &["complaint"]),
            ("love these colours", &[]),
            ("hi @NailNook!", &["mention"]),
            ("nail nook is the best", &["mention"]),
            ("nail nook's glitter is unmatched", &["mention"]),
            ("nailnookfan here", &[]),
            // Spanish
            ("¿Cuánto cuesta?", &["question", "buyer"]),
            // Tagalog
            ("magkano po", &["question", "buyer"]),
            ("pwede po ba i-ship sa Cebu?", &["question", "shipping"]),
            // Emoji around the words, and alone
            ("💅💅 HOW MUCH 💅💅", &["question", "buyer"]),
            ("😍😍😍", &[]),
            // Asked, then an emoji.
            ("Are these cruelty-free hun? 🐰", &["question"]),
        ];
        let wrong: Vec<String> = table
            .iter()
            .enumerate()
            .filter_map(|(i, (text, want))| {
                let got = tags_of(&mut classifier(), &format!("u{i}"), text, 0);
                (got != *want).then(|| format!("{text:?}: {got:?}, want {want:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Asking for the link of what is shown is buying, while a product is on screen.
    #[test]
    fn asking_for_the_link_of_the_product_shown_is_buying() {
        let context = Context { screen: true, ..Context::default() };
        for text in ["link pls", "wheres the link", "link for the nude?"] {
            let said = Said { user_id: "u", text, question: false, claim: false, at_ms: 0, context };
            let tags = classifier().classify(said);
            assert!(tags.has(Tag::Question) && tags.has(Tag::Buyer), "{text:?}: {tags:?}");
        }
    }

    fn has(c: &mut Classifier, text: &str, tag: Tag) -> bool {
        let said =
            Said { user_id: "", text, question: false, claim: false, at_ms: 0, context: Context::default() };
        c.classify(said).has(tag)
    }

    #[test]
    fn the_models_tags_are_named_in_its_order() {
        let names: Vec<&str> = MODEL_TAG_OF.iter().map(|t| t.name()).collect();
        assert_eq!(names, features::MODEL_TAGS);
    }

    #[test]
    fn praise_that_calls_them_fake_is_not_a_complaint() {
        let mut c = classifier();
        assert!(!has(&mut c, "you can't even tell they're fake 😍", Tag::Complaint));
    }

    #[test]
    fn questions_without_a_question_mark_are_questions() {
        let mut c = classifier();
        for text in ["hoe much is the glitter set", "hw do i get to the shop bit", "whats postage to wales"] {
            assert!(has(&mut c, text, Tag::Question), "{text:?}");
        }
    }

    #[test]
    fn a_rhetorical_question_mark_with_an_exclamation_is_not_a_question() {
        let mut c = classifier();
        assert!(!has(&mut c, "are you kidding me?!", Tag::Question));
        assert!(!asked("sold out?!") && !asked("already?! madness") && asked("has it sold out?"));
    }

    #[test]
    fn sarcasm_and_new_words_for_problems_are_complaints() {
        let mut c = classifier();
        for text in ["love waiting 3 weeks for a parcel 🙃", "2 nails snapped"] {
            assert!(has(&mut c, text, Tag::Complaint), "{text:?}");
        }
    }

    #[test]
    fn the_shops_own_rules_tag_whatever_the_model_says() {
        let mut own = with_own_rule("complaint", "wobbly");
        assert!(has(&mut own, "my nails feel wobbly", Tag::Complaint));
        // The built-in rules are the model's features, not overrides: "fake" alone in praise.
        assert!(!has(&mut classifier(), "you can't even tell they're fake 😍", Tag::Complaint));
    }

    #[test]
    fn escape_laden_text_is_read_once_sanitized() {
        let mut c = classifier();
        let text = sanitize(
            "\u{1b}[31mhow much\u{1b}[0m for \u{1b}]8;;http://x\u{7}shipping\u{202e}?",
            MAX_TEXT_CHARS,
        );
        // What shipping costs is a shipping question, not the product's price.
        assert_eq!(tags_of(&mut c, "u", &text, 0), ["question", "shipping"]);
    }

    #[test]
    fn the_platforms_questions_and_claims_are_tagged() {
        let mut c = classifier();
        let said = Said {
            user_id: "u",
            text: "sold 2 almond",
            question: true,
            claim: true,
            at_ms: 0,
            context: Context::default(),
        };
        assert!(c.classify(said).has(Tag::Question));
        assert!(c.classify(Said { at_ms: 120_000, ..said }).has(Tag::Buyer));
    }

    #[test]
    fn a_claim_is_never_spam_by_the_model_alone() {
        let mut c = classifier();
        // Promotion to the model (the claims matcher never reads this one; "BCS 7", a code
        // and a number, once read like this to an earlier model).
        let said = |user_id, claim| Said {
            user_id,
            text: "🔥 follow me i follow back 100% 🔥",
            question: false,
            claim,
            at_ms: 0,
            // As the desk says it: a product on screen, a viewer from where the shop ships.
            context: Context {
                screen: true,
                region: crate::desk::triage_features::RegionCue::Served,
                ..Context::default()
            },
        };
        assert!(c.classify(said("ann", false)).has(Tag::Spam));
        // Read as a claim for a product of ours, it is a buyer.
        let tags = c.classify(said("bob", true));
        assert!(tags.has(Tag::Buyer) && !tags.has(Tag::Spam), "{tags:?}");
        // The shop's own spam rule still has the last word.
        assert!(with_own_rule("spam", "follow back").classify(said("cy", true)).has(Tag::Spam));
    }

    #[test]
    fn the_same_text_again_soon_is_spam_but_not_from_someone_else_or_later() {
        let mut c = classifier();
        assert_eq!(tags_of(&mut c, "ann", "SO PRETTY", 0), Vec::<&str>::new());
        assert_eq!(tags_of(&mut c, "bob", "so pretty!!", 1_000), Vec::<&str>::new());
        assert_eq!(tags_of(&mut c, "ann", "so   pretty!", 2_000), ["spam"]);
        assert_eq!(tags_of(&mut c, "ann", "so pretty", 200_000), Vec::<&str>::new());
        // Emoji-only comments repeat too.
        assert!(tags_of(&mut c, "cat", "💅💅", 0).is_empty());
        assert_eq!(tags_of(&mut c, "cat", "💅💅", 500), ["spam"]);
    }

    #[test]
    fn a_flood_from_one_viewer_is_spam() {
        let mut c = classifier();
        let spam = |tags: Vec<&str>| tags.contains(&"spam");
        for i in 0..5 {
            assert!(!spam(tags_of(&mut c, "ann", &format!("word {i}"), i * 1_000)), "{i}");
        }
        assert_eq!(tags_of(&mut c, "ann", "word 5", 5_000), ["spam"]);
        // Slow enough again: not a flood.
        assert!(!spam(tags_of(&mut c, "ann", "word 6", 30_000)));
        // Others are not counted with her.
        assert!(!spam(tags_of(&mut c, "bob", "hello", 5_500)));
    }

    #[test]
    fn links_from_viewers_are_spam() {
        let mut c = classifier();
        assert_eq!(tags_of(&mut c, "a", "cheap followers https://spam.example", 0), ["spam"]);
        assert_eq!(tags_of(&mut c, "b", "go to www.cheap.example now", 0), ["spam"]);
        assert_eq!(tags_of(&mut c, "c", "bit.ly/abc", 0), ["spam"]);
        assert!(tags_of(&mut c, "d", "see you at 8.30 then", 0).is_empty());
        assert_eq!(tags_of(&mut c, "e", "😍 WWW.Cheap.example 😍", 0), ["spam"]);
        assert_eq!(tags_of(&mut c, "f", "💅 shop at nails.shop/sale 💅", 0), ["spam"]);
    }

    #[test]
    fn only_comments_that_cannot_hold_a_link_skip_the_link_pattern() {
        let links = &Compiled::new(&ChatConfig::default()).links;
        let texts = [
            "https://spam.example",
            "HTTP://x",
            "www.x.example",
            "visit WwW.x",
            "bit.ly/abc",
            "é.com/",
            "omg 😍😍 gorgeous",
            "see you at 8.30",
            "www",
            "ww.w",
            ".www",
            "",
        ];
        for text in texts {
            assert!(may_hold_link(text) || !links.is_match(text), "{text:?}");
        }
        assert!(!may_hold_link("omg 😍😍 gorgeous"));
        assert!(!may_hold_link("see you at 8.30"));
    }

    #[test]
    fn one_pass_of_all_rules_finds_what_each_rule_finds_alone() {
        let compiled = Compiled::new(&ChatConfig::default());
        let alone: Vec<Regex> = compiled.rules.patterns().iter().map(|p| compile(p).unwrap()).collect();
        assert!(alone.len() >= 6, "the default rules: {}", alone.len());
        let corpora = [
            include_str!("../../tests/fixtures/triage/train.tsv"),
            include_str!("../../tests/fixtures/triage/dev.tsv"),
            include_str!("../../tests/fixtures/triage/heldout.tsv"),
        ];
        let mut hits = vec![0usize; alone.len()];
        for line in corpora.iter().flat_map(|c| c.lines()).filter(|l| !l.starts_with('#')) {
            let norm = normalize(line.rsplit('\t').next().unwrap_or(line));
            let together = compiled.rules.matches(&norm);
            for (i, regex) in alone.iter().enumerate() {
                assert_eq!(together.matched(i), regex.is_match(&norm), "{} on {norm:?}", regex.as_str());
                hits[i] += usize::from(regex.is_match(&norm));
            }
        }
        // Every rule matched some comments, so the comparison saw both answers.
        assert!(hits.iter().all(|&n| n > 0), "matches per rule: {hits:?}");
    }

    #[test]
    fn keywords_match_whole_words_only() {
        let mut c = classifier();
        // "ship" must not match "relationship", "link" not "linked".
        let rules = &Compiled::new(&ChatConfig::default());
        let tagged = |text: &str| -> Vec<Tag> {
            rules.rules.matches(&normalize(text)).iter().map(|i| rules.rule_tags[i]).collect()
        };
        assert!(!tagged("what a relationship").contains(&Tag::Shipping));
        assert!(!tagged("my nails linked up").contains(&Tag::Buyer));
        assert!(tagged("do you ship").contains(&Tag::Shipping));
        let _ = &mut c;
        assert!(has_words("a nail nook b", "nail nook"));
        assert!(!has_words("nailnookish", "nailnook"));
        assert!(has_words("é nailnook", "nailnook"));
        assert!(has_words("nail nail nook", "nail nook"));
        assert!(has_words("nail nook", "nail nook"));
        assert!(!has_words("nail nookish", "nail nook"));
        assert!(!has_words("a nail", "nail nook"));
        assert!(!has_words("", "nail"));
    }

    #[test]
    fn the_hosts_name_becomes_a_mention() {
        let mut c = classifier();
        assert!(tags_of(&mut c, "a", "@jess you look great", 0).is_empty());
        c.learn_name("Jess");
        assert_eq!(tags_of(&mut c, "b", "@jess you look great", 0), ["mention"]);
    }

    #[test]
    fn quiet_viewers_are_forgotten() {
        let mut c = classifier();
        for i in 0..i64::from(SWEEP_EVERY - 1) {
            tags_of(&mut c, &format!("u{i}"), "hi", i);
        }
        tags_of(&mut c, "late", "hi", 10_000_000);
        assert!(c.viewers.len() <= 2, "{}", c.viewers.len());
    }
}
