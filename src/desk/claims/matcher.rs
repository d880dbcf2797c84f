//! The matcher: how a comment is read as a claim. Normalized (see [`crate::text`]), a
//! comment is a claim when it is one of the shop's `bare` words (one unit of the product on
//! screen), reads as a claim word by word (see [`super::words`]: "akin po isa", "nude for
//! me"), or matches a claim pattern naming a product of ours by sku, name or alias, with
//! an optional quantity; sentences that only talk about buying ("sold out?!", "mine came in
//! 2 days") are not. The ledger holds what the matcher reads.

use std::sync::LazyLock;

use regex::{Regex, RegexSet, RegexSetBuilder};

use super::grammar::{ASKING, PLEASE};
use super::words::{Named, Pick, Words};
use crate::config::model::{Catalog as CatalogFile, ClaimsConfig};
use crate::desk::text::{compile, has_words, normalize};

/// The most units one comment can claim; a bigger number is not read as a quantity.
pub const MAX_QTY: u32 = 99;

/// What a comment says, as claims read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Claims `qty` units of `sku`, or of the product on screen when `sku` is `None`.
    /// `explicit`: the comment named a quantity or the product (a bare "mine" did not).
    Claim { sku: Option<String>, qty: u32, explicit: bool },
    /// The viewer takes back their claim on `sku` ("pass", "pass AA"), or on the product on
    /// screen (else their latest) when `sku` is `None`.
    Pass { sku: Option<String> },
    /// Worded like a claim, but for no product of ours (or a quantity out of range).
    Unmatched,
    /// Not a claim.
    NotAClaim,
}

#[derive(Clone)]
struct Pattern {
    regex: Regex,
    qty_groups: Vec<String>,
}

/// Reads comments as claims: the patterns and words of `claims.toml` against the catalog's
/// skus, names and aliases.
#[derive(Clone)]
pub struct Matcher {
    enabled: bool,
    patterns: Vec<Pattern>,
    /// All patterns in one pass: most comments are not claims, and this says so quickly.
    any: RegexSet,
    bare: Vec<String>,
    trailing: Vec<String>,
    /// The catalogue's skus, names, aliases, codes and variants, as claims name them.
    words: Words,
    /// Comments read lately, by their exact text, with what they said (the normalized text
    /// only for claims): chat repeats itself ("SOLD!!", "mine"), and a burst of the same
    /// words should cost one reading. A fast hash: this map is looked up for every comment.
    recent: foldhash::HashMap<String, (Parsed, String)>,
}

/// Sentences that only contain a claim word: "sold out" says the stock is gone, "mine"
/// followed by a verb ("mine came in 2 days", "mine are still on") is about an order the
/// viewer already has, and a claim with a question in it ("sold pending question") waits
/// for the answer (as My Fashion Emporium's claim rules read it:
/// https://www.myfashionemporium.com/faq/index.php?action=artikel&cat=8&id=4&artlang=en).
/// Read over normalized text, before the claim words and patterns.
static NOT_CLAIMS: LazyLock<Regex> = LazyLock::new(|| {
    compile(concat!(
        // Whole words of normalized text (one space between words): no word boundaries to look
        // for, so the pattern runs as a plain automaton.
        r"(?:^| )(?:sold out|questions?|",
        // A claim word denied: "nie biorę", "nu e al meu", "mío no", "not mine".
        r"no|not|nie|nu|nahi|nahin|hindi|tidak|takde|bukan|dont|don't|never|nope|nah)(?: |$)|",
        // "me 2", "me too": agreeing with a comment.
        r"^me (?:2|too|to)$|",
        r"^mine (?:came|come|arrived|arrive|is|are|was|were|look|looks|looked|lasted|lasts|last|",
        r"broke|fell|got|has|have|had|just|still|never|didnt|dont|arent|isnt|wasnt|stayed|stay|",
        r"went|popped|snapped|took|turned)(?: |$)",
    ))
    .expect("the built-in sentence pattern compiles")
});

/// A viewer taking their claim back: "pass", "I'll pass", "pass on AA", "pass almond pink".
static PASS: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"^(?:i\s+|ill\s+|i\s+will\s+)?pass(?:\s+on)?(?:\s+(?P<item>.+))?$")
        .expect("the built-in pass pattern compiles")
});

/// What ends a clause of a comment, for reading its clauses one by one (not "?": a clause
/// that asks keeps it).
const CLAUSE_ENDS: [char; 6] = [',', '!', '.', ';', '¡', '\n'];

/// The clauses of a comment: split at [`CLAUSE_ENDS`], but not inside a number ("7.99",
/// "1,000"), whose halves would read as quantities.
fn clauses(text: &str) -> impl Iterator<Item = &str> + Clone {
    let bytes = text.as_bytes();
    let digit = |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(u8::is_ascii_digit);
    let mut start = 0;
    let mut ends = text.char_indices().filter(move |&(i, c)| {
        CLAUSE_ENDS.contains(&c) && !(matches!(c, '.' | ',') && digit(i.checked_sub(1)) && digit(Some(i + 1)))
    });
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match ends.next() {
            Some((i, c)) => {
                let clause = &text[start..i];
                start = i + c.len_utf8();
                Some(clause)
            }
            None => {
                done = true;
                Some(&text[start..])
            }
        }
    })
}

/// Comments remembered by [`Matcher::read`] before it starts afresh.
const RECENT_KEPT: usize = 4096;
/// Longer comments are read every time (they rarely repeat).
const RECENT_LEN: usize = 80;

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("enabled", &self.enabled)
            .field("patterns", &self.any.patterns())
            .field("bare", &self.bare)
            .field("items", &self.words.items().len())
            .finish()
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.enabled == other.enabled
            && self.bare == other.bare
            && self.trailing == other.trailing
            && self.words == other.words
            && self.any.patterns() == other.any.patterns()
    }
}

impl Matcher {
    /// The matcher for a shop. Patterns that do not compile were reported by `config check`
    /// and are skipped here.
    pub fn new(config: &ClaimsConfig, catalog: &CatalogFile) -> Matcher {
        let patterns: Vec<Pattern> = config
            .patterns
            .iter()
            .filter_map(|p| match compile(&p.regex) {
                Ok(regex) => {
                    let qty_groups = regex
                        .capture_names()
                        .flatten()
                        .filter(|n| n.starts_with("qty"))
                        .map(String::from)
                        .collect();
                    Some(Pattern { regex, qty_groups })
                }
                Err(e) => {
                    tracing::warn!(regex = %p.regex, error = %e, "claim pattern skipped");
                    None
                }
            })
            .collect();
        let any = RegexSetBuilder::new(patterns.iter().map(|p| p.regex.as_str()))
            .case_insensitive(true)
            .size_limit(1 << 22)
            .build()
            .unwrap_or_else(|_| RegexSet::empty());
        Matcher {
            enabled: config.enabled,
            patterns,
            any,
            bare: config.bare.iter().map(|b| normalize(b)).filter(|b| !b.is_empty()).collect(),
            trailing: config.ignore_trailing.iter().map(|w| normalize(w)).filter(|w| !w.is_empty()).collect(),
            words: Words::new(config, catalog),
            recent: Default::default(),
        }
    }

    /// Whether comments are read as claims at all.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The products a normalized comment names by sku, name or alias, in catalog-key order.
    pub fn products_named(&self, norm: &str) -> Vec<String> {
        let mut skus: Vec<String> = Vec::new();
        for (key, sku) in self.words.items() {
            if let Some(sku) = sku
                && !skus.contains(sku)
                && has_words(norm, key)
            {
                skus.push(sku.clone());
            }
        }
        skus.sort();
        skus
    }

    /// A claim whose words around the claim word are not a product's name: "sold the nude"
    /// names one inside them; "mine ta xx" or "mine lah" adds a word or two of chat, and is
    /// for the product on screen. Anything longer names something the shop does not sell.
    fn loose_item(&self, norm: &str, item: &str, qty: u32, has_qty: bool) -> Parsed {
        if self.words.items().contains_key(item) {
            // A name two products share: which one is not for the desk to guess.
            return Parsed::Unmatched;
        }
        match self.products_named(norm).as_slice() {
            [sku] => Parsed::Claim { sku: Some(sku.clone()), qty, explicit: true },
            [] if item.split(' ').count() <= 2 => Parsed::Claim { sku: None, qty, explicit: has_qty },
            _ => Parsed::Unmatched,
        }
    }

    /// Whether a comment is a raised hand with nothing but emoji beside it ("✋✋✋", "🙋🏽",
    /// "🙋‍♀️🌸"): during a live flash sale that reads "me!". Words, numbers or a question
    /// mark say something else.
    pub fn raised_hand(text: &str) -> bool {
        let mut hands = false;
        for c in text.chars() {
            match c {
                '✋' | '🙋' | '🤚' | '🖐' => hands = true,
                '?' | '？' | '❓' | '❔' => return false,
                c if c.is_alphanumeric() => return false,
                _ => {}
            }
        }
        hands
    }

    /// The product a viewer means by `item` (already normalized), if exactly one.
    pub fn resolve(&self, item: &str) -> Option<&str> {
        self.words.items().get(item).and_then(|s| s.as_deref())
    }

    /// Which variant a claim on `sku` means, by the words of its normalized comment.
    pub fn pick(&self, sku: &str, norm: &str) -> Pick {
        self.words.pick(sku, norm)
    }

    /// [`Matcher::parse`], remembering recent comments: the same answer, read once.
    pub fn read(&mut self, text: &str) -> (Parsed, String) {
        if !self.enabled {
            return (Parsed::NotAClaim, String::new());
        }
        if let Some((parsed, norm)) = self.recent.get(text) {
            return (parsed.clone(), norm.clone());
        }
        let (parsed, norm) = self.parse(text);
        if text.len() <= RECENT_LEN {
            if self.recent.len() >= RECENT_KEPT {
                self.recent.clear();
            }
            let kept = if parsed == Parsed::NotAClaim { String::new() } else { norm.clone() };
            self.recent.insert(text.to_owned(), (parsed.clone(), kept));
        }
        (parsed, norm)
    }

    /// Reads a comment; also returns its normalized text (how repeats are recognized). A
    /// comment of several clauses that is no claim as a whole (or one for no product of
    /// ours: "biorę wyślecie do krakowa") claims in one of them ("biorę!
    /// wyślecie do Krakowa?", "2 nudes please, hannah"), unless the whole says it is not one
    /// ("sold out! mine came today").
    pub fn parse(&self, text: &str) -> (Parsed, String) {
        if !self.enabled {
            return (Parsed::NotAClaim, String::new());
        }
        let whole = self.parse_clause(text, false);
        let read = matches!(whole.0, Parsed::Claim { .. } | Parsed::Pass { .. });
        if read || !self.words.worth_reading(&whole.1) || NOT_CLAIMS.is_match(&whole.1) {
            return whole;
        }
        let mut clauses = clauses(text).filter(|c| c.chars().any(char::is_alphanumeric));
        if clauses.clone().nth(1).is_none() {
            return whole;
        }
        let claim =
            |c: &str| Some(self.parse_clause(c, true).0).filter(|p| matches!(p, Parsed::Claim { .. }));
        match clauses.find_map(claim) {
            Some(claim) => (claim, whole.1),
            None => whole,
        }
    }

    /// A comment normalized, the shop's polite words dropped from its end ("mine pls" is
    /// "mine"), and whether one of them was a "please".
    fn without_polite_end(&self, text: &str) -> (String, bool) {
        let mut norm = normalize(text);
        let mut pleaded = false;
        while let Some((head, last)) = norm.rsplit_once(' ')
            && self.trailing.iter().any(|w| w == last)
        {
            pleaded |= PLEASE.contains(&last);
            let keep = head.len();
            norm.truncate(keep);
        }
        (norm, pleaded)
    }

    /// The product a comment asks for by its name alone and a "please" ("glue kit please",
    /// "kit please, for the tabs"): during that product's live flash sale this claims it;
    /// otherwise it may only ask to see it ("glitter pls").
    pub fn pleads_for(&self, text: &str) -> Option<&str> {
        let first = clauses(text).next()?;
        // Told apart before normalizing: this is asked of every comment of a live sale.
        let says_please =
            |p: &&str| first.as_bytes().windows(p.len()).any(|w| w.eq_ignore_ascii_case(p.as_bytes()));
        if first.contains(['?', '？']) || !PLEASE.iter().any(says_please) {
            return None;
        }
        let (norm, pleaded) = self.without_polite_end(first);
        self.words.product_named_by(&norm).filter(|_| pleaded)
    }

    /// [`Matcher::parse`] of the whole comment, or of one `clause` of it: a clause that opens
    /// as a question ("is it me") is none, and a clause's claim pattern must name a product
    /// of ours or nothing ("me quedo mirando" is watching, not "me quedo el kit").
    fn parse_clause(&self, text: &str, clause: bool) -> (Parsed, String) {
        let (mut norm, _) = self.without_polite_end(text);
        // A clause that opens as a question asks; so does a whole comment with no claim word
        // ("is the glue ok for sensitive skin"), but for "do", which is Hindi's "two" too.
        let opener = norm.split(' ').next().filter(|w| ASKING.contains(w));
        if opener.is_some_and(|w| clause || w != "do" && !self.words.says_claim_word(&norm)) {
            return (Parsed::NotAClaim, norm);
        }
        // One word said over and over is said once: "MINE MINE MINE".
        if let Some((first, _)) = norm.split_once(' ')
            && norm.len() % (first.len() + 1) == first.len()
            && norm.split(' ').all(|w| w == first)
        {
            norm.truncate(first.len());
        }
        if norm.is_empty() || NOT_CLAIMS.is_match(&norm) {
            return (Parsed::NotAClaim, norm);
        }
        if self.bare.contains(&norm) {
            return (Parsed::Claim { sku: None, qty: 1, explicit: false }, norm);
        }
        if let Some(caps) = PASS.captures(&norm) {
            let sku = match caps.name("item").map(|m| m.as_str()) {
                None => None,
                Some(item) => match self.words.read(&format!("sold {item}"), MAX_QTY) {
                    Ok(Some(Named { sku: Some(sku), .. })) => Some(sku),
                    _ => match self.resolve(item) {
                        Some(sku) => Some(sku.to_owned()),
                        None => return (Parsed::NotAClaim, norm),
                    },
                },
            };
            return (Parsed::Pass { sku }, norm);
        }
        // One quick pass over all patterns; the groups are read only for a comment that matched.
        let worded = self.any.is_match(&norm);
        // Codes, products, variants and a quantity in any order come first: the patterns
        // read "sold AA 2 medium" as one unit of something called "aa 2 medium".
        // A question claims only in a claim word ("mine 2?"): "is the kit £10?" asks a price.
        let asks = text.contains(['?', '？']);
        if self.words.worth_reading(&norm) && (!asks || self.words.says_claim_word(&norm)) {
            match self.words.read(&norm, MAX_QTY) {
                Ok(Some(Named { sku, qty })) => {
                    let explicit = sku.is_some() || qty.is_some();
                    return (Parsed::Claim { sku, qty: qty.unwrap_or(1), explicit }, norm);
                }
                Err(()) => return (Parsed::Unmatched, norm),
                Ok(None) => {}
            }
            match self.words.variants_only(&norm) {
                Some(Some(n)) if !(1..=MAX_QTY).contains(&n) => return (Parsed::Unmatched, norm),
                Some(qty) => {
                    let parsed = Parsed::Claim { sku: None, qty: qty.unwrap_or(1), explicit: true };
                    return (parsed, norm);
                }
                None => {}
            }
        }
        if !worded {
            return (Parsed::NotAClaim, norm);
        }
        for p in &self.patterns {
            if !p.regex.is_match(&norm) {
                continue;
            }
            let Some(caps) = p.regex.captures(&norm) else { continue };
            let qty = p.qty_groups.iter().find_map(|g| caps.name(g)).map(|m| m.as_str().parse::<u32>());
            let (qty, has_qty) = match qty {
                None => (1, false),
                Some(Ok(n)) if (1..=MAX_QTY).contains(&n) => (n, true),
                Some(_) => return (Parsed::Unmatched, norm),
            };
            let parsed = match caps.name("item") {
                None => Parsed::Claim { sku: None, qty, explicit: has_qty },
                Some(item) => match self.resolve(item.as_str().trim()) {
                    Some(sku) => Parsed::Claim { sku: Some(sku.to_owned()), qty, explicit: true },
                    None if clause => Parsed::NotAClaim,
                    None => self.loose_item(&norm, item.as_str().trim(), qty, has_qty),
                },
            };
            return (parsed, norm);
        }
        (Parsed::NotAClaim, norm)
    }
}
