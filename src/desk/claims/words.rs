//! The words of a claim that name what is sold: codes, products and their variants, and a
//! quantity, read in any order ("SOLD AA 2 medium", "aa x2 m", "sold 2 s pink almond").
//!
//! A comment is read word by word: each word (or run of words, the longest first) must be a
//! claim word or phrase, a code, a quantity (digits or a number word), a product's sku, name,
//! alias, plural or a word only its name has, a variant's word for the product named, "for
//! me", whom it is for ("for tina"), a want word, or a filler ("size", "the", "po", the
//! shop's polite words; see [`super::grammar`]). A comment with a word left over is not read
//! here (the claim patterns may still read it). It is a claim when it names a code, says a
//! claim word or "for me", a want word with a quantity, or a product with a quantity in
//! digits or with whom it is for; with no product named, it claims the one on screen.
//! Variant words ("m", "medium") count only beside their product: the same "m" is a size of
//! every product sold in sizes.
//!
//! A variant named in parts ("blue / small": colour and size, as CommentSold's "SOLD AA 10
//! blue small") is named by its parts in any order; one part alone ("blue") narrows the
//! choice to the variants that have it. A size part answers to the usual short forms too
//! ("small" is also "s" and "sm").

use foldhash::{HashMap, HashMapExt, HashSet};

use super::grammar::{
    FILLERS, FOR, FOR_AFTER, FOR_ARTICLES, FOR_WHEN, HERE, ME, NAMED_WANTS, NOT_NAMES, WANTS, for_me,
    number_word,
};
use crate::config::model::{Catalog as CatalogFile, ClaimsConfig};
use crate::desk::text::{has_words, normalize};

/// Sizes and their short forms: a variant part that is one of them answers to all of its.
const SIZES: [&[&str]; 8] = [
    &["xxs", "2xs"],
    &["xs", "extra small", "x small", "xsmall"],
    &["s", "small", "sm"],
    &["m", "medium", "med", "md"],
    &["l", "large", "lg"],
    &["xl", "extra large", "x large", "xlarge"],
    &["xxl", "2xl"],
    &["xxxl", "3xl"],
];
/// The most words a sku, name or alias is looked up by.
const LONGEST: usize = 8;

/// What the words of a comment named, before the desk picks a variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The variant when one was named, else the product; `None` for the product on screen
    /// ("akin po isa", "1 for me please").
    pub sku: Option<String>,
    /// `None` when no quantity was written.
    pub qty: Option<u32>,
}

/// What a comment said beside its products and quantity, as [`Words::read`] weighs it.
#[derive(Default)]
struct Said {
    /// A code of ours ("AP").
    code: bool,
    /// One of the shop's claim words or phrases ("mine", "me lo llevo").
    claim: bool,
    /// "for me" or its kin.
    for_me: bool,
    /// Whom else it is for ("for tina").
    for_name: bool,
    /// The comment opens with a name before a quantity ("rachelle one kit pls").
    name_first: bool,
    /// A want word ("nak", "vreau"), and "a"/"an" ("wants an almond pink").
    want: bool,
    /// The comment opens with a buyer's name before "wants" or "takes" ("shona takes one").
    named: bool,
    /// "Me" in Spanish or Romanian ("yo uno", "eu roz").
    me: bool,
    article: bool,
    /// The quantity was written in digits ("2 kits"), not as a word ("the pink one").
    digits: bool,
}

/// A product's variant as a claim may name it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Variant {
    sku: String,
    /// Its name, aliases, code and sku, normalized.
    keys: Vec<String>,
    /// Its name's parts ("blue / small": colour, size), each with the words that name it.
    parts: Vec<Vec<String>>,
}

impl Variant {
    /// Whether one of its parts is named by `word` (normalized).
    fn has_part(&self, word: &str) -> bool {
        self.parts.iter().any(|p| p.iter().any(|w| w == word))
    }
}

/// The parts of a variant's name, split at `/`, `,`, `|` or `;`, each with its size forms.
fn name_parts(name: &str) -> Vec<Vec<String>> {
    name.split(['/', ',', '|', ';'])
        .map(normalize)
        .filter(|p| !p.is_empty())
        .map(|p| match SIZES.iter().find(|forms| forms.contains(&p.as_str())) {
            Some(forms) => forms.iter().map(|f| (*f).to_owned()).collect(),
            None => vec![p],
        })
        .collect()
}

/// Which variant a claim on a product means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    /// This SKU: a plain product, a variant, or the one variant the words or the product allow.
    One(String),
    /// A product with these variants, and words that do not say which (or say several).
    Which(Vec<String>),
}

/// The words before a town after a name: "for jo in falmouth", "jess fae falkirk".
const IN_TOWN: [&str; 3] = ["in", "from", "fae"];

/// The vocabulary of the catalogue for reading claims.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Words {
    /// Normalized code → the sku of its product or variant.
    codes: HashMap<String, String>,
    /// Normalized product sku, name or alias, or variant sku or code → sku; `None` when two
    /// products share it.
    items: HashMap<String, Option<String>>,
    /// Per product with variants, its variants in catalogue order.
    variants: HashMap<String, Vec<Variant>>,
    /// The first word of every key of `items`.
    key_starts: HashSet<String>,
    /// Variant sku → its product's sku.
    parent: HashMap<String, String>,
    /// The shop's claim words and phrases ("sold", "mine", "me lo llevo") split into words, by
    /// their first word: a comment's words are matched against them in place, nothing joined.
    claim_phrases: HashMap<String, Vec<Vec<String>>>,
    /// A word of one product's name and no other's ("kit" of "Nail glue kit: ...", "milky"):
    /// in a claim, it names that product as an alias would.
    name_words: HashMap<String, String>,
    /// Every word of every product's name ("nails" too): not read as a plural.
    all_name_words: HashSet<String>,
    /// The shop's polite words ("pls", "po"): anywhere in a claim, they name nothing.
    polite: HashSet<String>,
    /// Every word of every variant's name, aliases and parts ("blue", "small", "s").
    variant_vocab: HashSet<String>,
}

impl Words {
    /// The words of a shop's catalogue and claim words.
    pub fn new(config: &ClaimsConfig, catalog: &CatalogFile) -> Words {
        let mut w = Words::default();
        for p in &catalog.products {
            let own = [&p.sku, &p.name].into_iter().chain(&p.aliases).chain(&p.code);
            for key in own.map(|k| normalize(k)).collect::<HashSet<_>>() {
                w.item(key, &p.sku);
            }
            if let Some(code) = &p.code {
                w.codes.insert(normalize(code), p.sku.clone());
            }
            for v in &p.variants {
                w.parent.insert(v.sku.clone(), p.sku.clone());
                for key in [&v.sku].into_iter().chain(&v.code) {
                    w.item(normalize(key), &v.sku);
                }
                if let Some(code) = &v.code {
                    w.codes.insert(normalize(code), v.sku.clone());
                }
                let keys = [&v.sku, &v.name].into_iter().chain(&v.aliases).chain(&v.code);
                let keys = keys.map(|k| normalize(k)).filter(|k| !k.is_empty()).collect();
                let variant = Variant { sku: v.sku.clone(), keys, parts: name_parts(&v.name) };
                let phrases = variant.keys.iter().chain(variant.parts.iter().flatten());
                w.variant_vocab.extend(phrases.flat_map(|k| k.split(' ')).map(str::to_owned));
                w.variants.entry(p.sku.clone()).or_default().push(variant);
            }
        }
        let mut named: HashMap<String, Option<String>> = HashMap::new();
        for p in &catalog.products {
            for word in normalize(&p.name).split(' ').collect::<HashSet<_>>() {
                w.all_name_words.insert(word.to_owned());
                named.entry(word.to_owned()).and_modify(|s| *s = None).or_insert_with(|| Some(p.sku.clone()));
            }
        }
        w.name_words = named
            .into_iter()
            .filter_map(|(word, sku)| Some((word, sku?)))
            .filter(|(word, _)| word.chars().count() > 2 && !w.items.contains_key(word))
            .filter(|(word, _)| !FILLERS.contains(&word.as_str()) && number_word(word).is_none())
            .collect();
        let phrases = config.bare.iter().map(|b| normalize(b)).filter(|b| !b.is_empty());
        for phrase in phrases.chain(["buy".to_owned()]) {
            let words: Vec<String> = phrase.split(' ').map(str::to_owned).collect();
            w.claim_phrases.entry(words[0].clone()).or_default().push(words);
        }
        // Sorted and without repeats, so two matchers of one shop are equal.
        w.claim_phrases.values_mut().for_each(|phrases| {
            phrases.sort();
            phrases.dedup();
        });
        // A kiss "x" is dropped from a comment's end only: inside one it is a size's first
        // word ("x small") or a quantity's ("x 2").
        let polite = config.ignore_trailing.iter().map(|p| normalize(p));
        w.polite = polite.filter(|p| !p.is_empty() && p != "x").collect();
        w
    }

    fn item(&mut self, key: String, sku: &str) {
        if key.is_empty() {
            return;
        }
        self.key_starts.insert(key.split(' ').next().unwrap_or_default().to_owned());
        self.items
            .entry(key)
            .and_modify(|s| {
                if s.as_deref() != Some(sku) {
                    *s = None;
                }
            })
            .or_insert_with(|| Some(sku.to_owned()));
    }

    /// Normalized sku, name, alias or code → the one sku it names (`None` when shared).
    pub fn items(&self) -> &HashMap<String, Option<String>> {
        &self.items
    }

    /// The product a variant belongs to (a product is its own).
    pub fn product_of<'a>(&'a self, sku: &'a str) -> &'a str {
        self.parent.get(sku).map_or(sku, String::as_str)
    }

    /// Whether a normalized comment has a word a claim is read by, wherever it is ("aa x2",
    /// "oval sold m 1", "nude for me", "nak satu"): only such a comment can be read here.
    pub fn worth_reading(&self, norm: &str) -> bool {
        let words: Vec<&str> = norm.split(' ').collect();
        (0..words.len()).any(|i| {
            let (w, here) = (words[i], &words[i..]);
            self.codes.contains_key(w)
                || WANTS.contains(&w)
                || FOR.contains(&w)
                || number_word(w).is_some()
                || quantity(here).is_some()
                || for_me(here).is_some()
                || self.claim_phrase(here).is_some()
        })
    }

    /// Whether a normalized comment says one of the shop's claim words or phrases anywhere.
    pub fn says_claim_word(&self, norm: &str) -> bool {
        let words: Vec<&str> = norm.split(' ').collect();
        (0..words.len()).any(|i| self.claim_phrase(&words[i..]).is_some())
    }

    /// The longest of the shop's claim words and phrases at the start of `words`, by how many
    /// words it took.
    fn claim_phrase(&self, words: &[&str]) -> Option<usize> {
        let phrases = self.claim_phrases.get(*words.first()?)?;
        let fits = |p: &&Vec<String>| p.len() <= words.len() && p.iter().zip(words).all(|(a, b)| a == b);
        phrases.iter().filter(fits).map(Vec::len).max()
    }

    /// The one product `norm` is the name of, whole: its sku, name or an alias ("glue kit"), or
    /// a word only its name has ("kit").
    pub fn product_named_by(&self, norm: &str) -> Option<&str> {
        match self.items.get(norm) {
            Some(sku) => sku.as_deref(),
            None if !norm.contains(' ') => self.name_words.get(norm).map(String::as_str),
            None => None,
        }
    }

    /// A product named by one word of its name that no other product's name has, or by a
    /// plural ("kits", "2 nudes"); a word of several names ("nails") is not a plural.
    fn plain_item(&self, word: &str) -> Option<&str> {
        if let Some(sku) = self.name_words.get(word) {
            return Some(sku);
        }
        let stem = word.strip_suffix('s').filter(|_| !self.all_name_words.contains(word))?;
        match self.name_words.get(stem) {
            Some(sku) => Some(sku),
            None => self.items.get(stem).and_then(|s| s.as_deref()),
        }
    }

    /// Whether `word` may be a viewer's name: it is none of the words a claim is read by.
    fn plain(&self, word: &str) -> bool {
        !(self.claim_phrase(&[word]).is_some()
            || FILLERS.contains(&word)
            || self.polite.contains(word)
            || number_word(word).is_some()
            || quantity(&[word]).is_some())
    }

    /// A claim word with nothing but variant words, a quantity and fillers beside it ("sold 2
    /// small pink"): a claim on the product on screen, its variant for the desk to pick, even
    /// where a word is also another product's alias. The quantity written, if any; `None`
    /// when the comment is not such a claim.
    pub fn variants_only(&self, norm: &str) -> Option<Option<u32>> {
        let words: Vec<&str> = norm.split(' ').collect();
        let (mut qty, mut claim_word, mut variant_word) = (None, false, false);
        let mut i = 0;
        while i < words.len() {
            let n = quantity(&words[i..]).or_else(|| number_word(words[i]).map(|n| (n, 1)));
            if let Some((n, len)) = n {
                if qty.replace(n).is_some() {
                    return None;
                }
                i += len;
                continue;
            }
            let w = words[i];
            if let Some(len) = self.claim_phrase(&words[i..]) {
                claim_word = true;
                i += len;
                continue;
            }
            if self.variant_vocab.contains(w) {
                variant_word = true;
            } else if !FILLERS.contains(&w) && !self.polite.contains(w) {
                return None;
            }
            i += 1;
        }
        (claim_word && variant_word).then_some(qty)
    }

    /// Reads a normalized comment word by word (see the module doc): `Ok(None)` when it is
    /// not read here, `Err(())` when it names a quantity out of range.
    #[allow(clippy::result_unit_err)]
    pub fn read(&self, norm: &str, max_qty: u32) -> Result<Option<Named>, ()> {
        let words: Vec<&str> = norm.split(' ').collect();
        let mut products = Vec::new();
        let first = self.read_as(&words, max_qty, None, &mut products);
        if products.len() < 2 {
            return first;
        }
        // Two products named: a colour can be one product's variant and another's alias
        // ("sold oval pink"). The reading where the words are one product and its variant,
        // if only one such exists, is the claim.
        let mut readings = Vec::new();
        for p in &products {
            if let Ok(Some(named)) = self.read_as(&words, max_qty, Some(p), &mut Vec::new()) {
                readings.push(named);
            }
        }
        match readings.as_slice() {
            [one] => Ok(Some(one.clone())),
            _ => first,
        }
    }

    /// [`Words::read`] with `prefer`'s variant words read before other products' words;
    /// `products` gets the products named when they are several.
    fn read_as(
        &self,
        words: &[&str],
        max_qty: u32,
        prefer: Option<&str>,
        products: &mut Vec<String>,
    ) -> Result<Option<Named>, ()> {
        let (mut skus, mut qty, mut said) = (Vec::<&str>::new(), None, Said::default());
        // Runs of words that are not product words: variant words, once the product is known.
        let mut rest: Vec<Vec<&str>> = vec![Vec::new()];
        // How many products were named before the word read last.
        let mut products_before = 0;
        let mut i = 0;
        while i < words.len() {
            let (here, w) = (&words[i..], words[i]);
            // "the nude one": after a product, "one" names it, it counts nothing.
            let names_one = w == "one" && i > 0 && skus.len() > products_before;
            products_before = skus.len();
            let took = if let Some(len) = for_me(here) {
                said.for_me = true;
                len
            } else if names_one {
                1
            } else if let Some((n, len)) = quantity(here).or_else(|| number_word(w).map(|n| (n, 1))) {
                if qty.replace(n).is_some() {
                    return Ok(None);
                }
                said.digits |= number_word(w).is_none();
                len
            } else if let Some((sku, len)) = self.product_at(here, prefer) {
                said.code |= len == 1 && self.codes.contains_key(w);
                skus.push(sku);
                len
            } else if let Some((None, len)) = self.longest_key(here) {
                // A name two products share: not read word by word as one of them.
                rest.last_mut().expect("never empty").extend(&here[..len]);
                i += len;
                continue;
            } else if let Some(len) = self.claim_phrase(here) {
                said.claim = true;
                len
            } else if let Some(sku) = self.plain_item(w) {
                skus.push(sku);
                1
            } else if let Some(len) = self.beneficiary(here) {
                said.for_name = true;
                len
            } else if FOR.contains(&w) && self.names_product_after_for(&here[1..]) {
                // "mine for the kit": the product follows.
                1 + usize::from(here.get(1).is_some_and(|a| FOR_ARTICLES.contains(a)))
            } else {
                let name =
                    i == 0 && !NOT_NAMES.contains(&w) && here.get(1).is_some_and(|v| NAMED_WANTS.contains(v));
                said.named |= name;
                // A name before a quantity says whom it is for: "yvonne one nude please".
                let counted = here.get(1..).is_some_and(|r| {
                    quantity(r).is_some() || r.first().is_some_and(|x| number_word(x).is_some())
                });
                let name_first = i == 0
                    && counted
                    && w.chars().count() > 1
                    && self.plain(w)
                    && !NOT_NAMES.contains(&w)
                    && !self.variant_vocab.contains(w);
                said.name_first |= name_first;
                // "wants" and "takes" want only after a name: "it takes 2" does not.
                said.want |= WANTS.contains(&w) && (said.named || !NAMED_WANTS.contains(&w));
                said.article |= w == "a" || w == "an";
                said.me |= ME.contains(&w);
                if !(name
                    || name_first
                    || WANTS.contains(&w)
                    || ME.contains(&w)
                    || FILLERS.contains(&w)
                    || self.polite.contains(w))
                {
                    rest.last_mut().expect("never empty").push(w);
                }
                i += 1;
                continue;
            };
            i += took;
            rest.push(Vec::new());
        }
        let named = !skus.is_empty();
        // Wanting without a number only wants, "for me" or not ("nude wala chahiye mujhe").
        let only_wants = said.want && qty.is_none() && !said.article;
        let claimed = said.code
            || said.claim
            || !only_wants
                && (said.for_me
                    || said.want
                    || said.digits && named
                    || said.for_name && (named || qty.is_some())
                    || said.name_first && named && qty.is_some()
                    || said.me && (named || qty.is_some()));
        if !claimed {
            return Ok(None);
        }
        let out_of_range = qty.is_some_and(|n| !(1..=max_qty).contains(&n));
        if !named {
            // The product on screen, with nothing else said but a quantity.
            return match () {
                _ if rest.iter().any(|r| !r.is_empty()) => Ok(None),
                _ if out_of_range => Err(()),
                _ => Ok(Some(Named { sku: None, qty })),
            };
        }
        // Every sku named must be of one product, and at most one of its variants.
        let product = self.product_of(skus[0]);
        if skus.iter().any(|s| self.product_of(s) != product) {
            for s in &skus {
                let p = self.product_of(s);
                if !products.iter().any(|q| q == p) {
                    products.push(p.to_owned());
                }
            }
            return Ok(None);
        }
        let mut variant: Option<&str> = None;
        for s in skus.iter().copied().filter(|s| *s != product) {
            if variant.is_some_and(|v| v != s) {
                return Ok(None);
            }
            variant = Some(s);
        }
        for run in rest.iter().filter(|r| !r.is_empty()) {
            let Some(options) = self.variant_words(product, run) else { return Ok(None) };
            match (variant, options.as_slice()) {
                (Some(seen), _) if !options.contains(&seen) => return Ok(None),
                (None, [one]) => variant = Some(one),
                // Parts that leave several variants: the product, for the desk to ask which.
                _ => {}
            }
        }
        if out_of_range {
            return Err(());
        }
        Ok(Some(Named { sku: Some(variant.unwrap_or(product).to_owned()), qty }))
    }

    /// The product or variant the words at the start of `words` name by sku, name, alias or
    /// code (`prefer`'s variant words first), and how many words it took.
    fn product_at<'a>(&'a self, words: &[&str], prefer: Option<&str>) -> Option<(&'a str, usize)> {
        let item = self.longest_item(words);
        let preferred = prefer.and_then(|p| self.variant_phrase(p, words));
        match (item, preferred) {
            (Some((_, n)), Some((v, m))) if m >= n => Some((v, m)),
            (None, Some(v)) => Some(v),
            (item, _) => item,
        }
    }

    /// Whom a claim is for, as the words at the start of `words` say it, by how many words:
    /// "for tina", "for the missus", "dla żony", "wife ke liye", or the viewer's own name
    /// ("steph here"). Not a time ("for xmas") nor a product ("for the kit").
    fn beneficiary(&self, words: &[&str]) -> Option<usize> {
        let w = words[0];
        let after = match words.get(1..) {
            Some([ke, liye, ..]) if [*ke, *liye] == FOR_AFTER => Some(3),
            Some([here, ..]) if *here == HERE => Some(2),
            _ => None,
        };
        if let Some(len) = after {
            return (self.plain(w) && !NOT_NAMES.contains(&w)).then_some(len);
        }
        if !FOR.contains(&w) {
            return None;
        }
        let article = usize::from(words.get(1).is_some_and(|a| FOR_ARTICLES.contains(a)));
        let name = words.get(1 + article)?;
        let product = self.names_product_after_for(&words[1..]);
        let one_name = |w: &str| self.plain(w) && !FOR_WHEN.contains(&w) && !NOT_NAMES.contains(&w);
        if !one_name(name) || product {
            return None;
        }
        let len = 2 + article;
        // What may end a claim after the name: "too", a second name or a town ("for auntie
        // pat", "for steph bolton", "for jo in falmouth"), never more.
        let more = match &words[len..] {
            ["too", ..] => 1,
            // "to" is Polish "this is" too ("ten brokat to jakiś sztos"): one name after it.
            _ if w == "to" => 0,
            [second] if one_name(second) && self.product_at(&[second], None).is_none() => 1,
            [at, town] if IN_TOWN.contains(at) && one_name(town) => 2,
            _ => 0,
        };
        Some(len + more)
    }

    /// Whether the words after "for" (an article, then a product) name a product.
    fn names_product_after_for(&self, words: &[&str]) -> bool {
        let article = usize::from(words.first().is_some_and(|a| FOR_ARTICLES.contains(a)));
        let Some(after) = words.get(article..).filter(|w| !w.is_empty()) else { return false };
        self.longest_item(after).is_some() || self.plain_item(after[0]).is_some()
    }

    /// The sku named by the longest run of words at the start of `words`, and its length.
    fn longest_item<'a>(&'a self, words: &[&str]) -> Option<(&'a str, usize)> {
        self.longest_key(words).and_then(|(sku, n)| sku.map(|s| (s, n)))
    }

    /// The longest run of words at the start of `words` that is a sku, name, alias or code,
    /// with its sku (`None` when two products share it) and its length.
    fn longest_key<'a>(&'a self, words: &[&str]) -> Option<(Option<&'a str>, usize)> {
        // Most words start no key: they are told so without joining any.
        if !self.key_starts.contains(*words.first()?) {
            return None;
        }
        (1..=words.len().min(LONGEST))
            .rev()
            .find_map(|n| self.items.get(&words[..n].join(" ")).map(|sku| (sku.as_deref(), n)))
    }

    /// The variant of `product` named by the longest run of words at the start of `words`.
    fn variant_phrase<'a>(&'a self, product: &str, words: &[&str]) -> Option<(&'a str, usize)> {
        let variants = self.variants.get(product)?;
        (1..=words.len().min(LONGEST)).rev().find_map(|n| {
            let phrase = words[..n].join(" ");
            variants.iter().find(|v| v.keys.contains(&phrase)).map(|v| (v.sku.as_str(), n))
        })
    }

    /// The variants of `product` that a run of words names, all of them used: a variant's
    /// own words name it, a part ("blue", "s") names those that have it; `None` when a word
    /// is not one of them or the words name no variant together.
    fn variant_words<'a>(&'a self, product: &str, run: &[&str]) -> Option<Vec<&'a str>> {
        let variants = self.variants.get(product)?;
        let mut options: Vec<&Variant> = variants.iter().collect();
        let mut i = 0;
        while i < run.len() {
            let (named, n) = (1..=run.len() - i).rev().find_map(|n| {
                let phrase = run[i..i + n].join(" ");
                let whole: Vec<&Variant> = variants.iter().filter(|v| v.keys.contains(&phrase)).collect();
                let named = if whole.is_empty() {
                    variants.iter().filter(|v| v.has_part(&phrase)).collect()
                } else {
                    whole
                };
                (!named.is_empty()).then_some((named, n))
            })?;
            options.retain(|v| named.iter().any(|n| n.sku == v.sku));
            i += n;
        }
        (!options.is_empty()).then(|| options.iter().map(|v| v.sku.as_str()).collect())
    }

    /// Which variant a claim on `sku` means, reading its normalized words: a plain product
    /// or a variant is itself; a product with variants is the one its words name, or its
    /// only variant, else the operator and the buyer must say.
    pub fn pick(&self, sku: &str, norm: &str) -> Pick {
        let Some(variants) = self.variants.get(sku) else { return Pick::One(sku.to_owned()) };
        let mut named: Vec<&Variant> =
            variants.iter().filter(|v| v.keys.iter().any(|k| has_words(norm, k))).collect();
        if named.is_empty() {
            // No variant by its own words: by its parts, each part said narrowing the choice.
            let said: Vec<&str> = variants
                .iter()
                .flat_map(|v| v.parts.iter().flatten())
                .map(String::as_str)
                .filter(|w| has_words(norm, w))
                .collect();
            named =
                variants.iter().filter(|v| !said.is_empty() && said.iter().all(|w| v.has_part(w))).collect();
            if named.is_empty() {
                named = variants.iter().filter(|v| said.iter().any(|w| v.has_part(w))).collect();
            }
        }
        match (named.as_slice(), variants.as_slice()) {
            ([one], _) => Pick::One(one.sku.clone()),
            ([], [one]) => Pick::One(one.sku.clone()),
            ([], all) => Pick::Which(all.iter().map(|v| v.sku.clone()).collect()),
            (some, _) => Pick::Which(some.iter().map(|v| v.sku.clone()).collect()),
        }
    }
}

/// A quantity at the start of `words` ("2", "x2", "2x", "x 2"), and how many words it took.
fn quantity(words: &[&str]) -> Option<(u32, usize)> {
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().unwrap_or(u32::MAX))
    };
    let first = words.first()?;
    if let Some(n) = number(first) {
        return Some((n, 1));
    }
    if let Some(n) =
        first.strip_prefix('x').and_then(number).or_else(|| first.strip_suffix('x').and_then(number))
    {
        return Some((n, 1));
    }
    if *first == "x" {
        return words.get(1).and_then(|w| number(w)).map(|n| (n, 2));
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::config::model::{ProductSpec, VariantSpec};
    use crate::desk::claims::{Matcher, Parsed};

    fn catalog() -> CatalogFile {
        let variant = |sku: &str, name: &str, code: Option<&str>, aliases: &[&str]| VariantSpec {
            sku: sku.into(),
            name: name.into(),
            stock: 3,
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            code: code.map(String::from),
        };
        let product = |sku: &str, name: &str, code: Option<&str>, aliases: &[&str]| ProductSpec {
            sku: sku.into(),
            name: name.into(),
            price: "8.99".parse().unwrap(),
            stock: 5,
            low_stock: 2,
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            code: code.map(String::from),
            variants: vec![],
        };
        CatalogFile {
            currency: "GBP".into(),
            products: vec![
                product("ALMOND-PINK", "Almond pink", Some("AP"), &["pink almond", "pink"]),
                ProductSpec {
                    stock: 0,
                    variants: vec![
                        variant("OVAL-S", "small", Some("B2"), &["s"]),
                        variant("OVAL-M", "medium", None, &["m", "med"]),
                        variant("OVAL-L", "large", None, &["l"]),
                        variant("OVAL-P", "pink", None, &[]),
                    ],
                    ..product("OVAL", "Oval nails", Some("OV"), &["oval"])
                },
                product("MUG-2", "Mug 2", None, &[]),
            ],
        }
    }

    fn matcher() -> Matcher {
        Matcher::new(&ClaimsConfig::default(), &catalog())
    }

    fn claim(sku: &str, qty: u32) -> Parsed {
        Parsed::Claim { sku: Some(sku.into()), qty, explicit: true }
    }

    #[test]
    fn codes_products_variants_and_quantities_are_read_in_any_order() {
        let m = matcher();
        let table = [
            ("SOLD OV 2 medium", claim("OVAL-M", 2)),
            ("ov x2 m", claim("OVAL-M", 2)),
            ("sold oval size s", claim("OVAL-S", 1)),
            ("b2", claim("OVAL-S", 1)),
            ("B2 x 3 pls", claim("OVAL-S", 3)),
            ("sold 2x L oval nails", claim("OVAL-L", 2)),
            ("ap", claim("ALMOND-PINK", 1)),
            ("AP 4", claim("ALMOND-PINK", 4)),
            ("mine mug 2", claim("MUG-2", 1)),
            // A product with variants, no variant said: the desk picks or asks.
            ("sold OV", claim("OVAL", 1)),
            // Out of range.
            ("ov m 100", Parsed::Unmatched),
            ("ov m 0", Parsed::Unmatched),
            // Two products, two quantities, or a variant of another product: not read here.
            ("sold ap ov", Parsed::Unmatched),
            ("ov 2 m 3", Parsed::NotAClaim),
            ("ap medium", Parsed::NotAClaim),
            ("ov is lovely", Parsed::NotAClaim),
            ("love the oval", Parsed::NotAClaim),
            // "pink" is a colour of the oval nails and another product's alias.
            ("sold oval pink", claim("OVAL-P", 1)),
            ("pink 2 ov", claim("OVAL-P", 2)),
            ("sold pink", claim("ALMOND-PINK", 1)),
        ];
        for (text, want) in table {
            assert_eq!(m.parse(text).0, want, "{text:?}");
        }
    }

    #[test]
    fn a_product_with_variants_is_the_variant_its_words_name_or_its_only_one() {
        let m = matcher();
        let which = |v: &[&str]| Pick::Which(v.iter().map(|s| (*s).to_owned()).collect());
        assert_eq!(m.pick("OVAL", "sold oval med"), Pick::One("OVAL-M".into()));
        assert_eq!(m.pick("OVAL", "mine"), which(&["OVAL-S", "OVAL-M", "OVAL-L", "OVAL-P"]));
        assert_eq!(m.pick("OVAL", "mine s or m"), which(&["OVAL-S", "OVAL-M"]));
        assert_eq!(m.pick("OVAL-L", "mine"), Pick::One("OVAL-L".into()));
        assert_eq!(m.pick("ALMOND-PINK", "mine m"), Pick::One("ALMOND-PINK".into()));
        let mut one = catalog();
        one.products[1].variants.truncate(1);
        let m = Matcher::new(&ClaimsConfig::default(), &one);
        assert_eq!(m.pick("OVAL", "sold oval"), Pick::One("OVAL-S".into()));
    }

    #[test]
    fn a_kiss_is_dropped_from_the_end_but_x_small_is_extra_small() {
        let mut shop = catalog();
        let mut xs = shop.products[1].variants[0].clone();
        (xs.sku, xs.name, xs.code, xs.aliases) = ("OVAL-XS".into(), "xs".into(), None, vec![]);
        shop.products[1].variants.push(xs);
        let config = ClaimsConfig { ignore_trailing: vec!["x".into()], ..ClaimsConfig::default() };
        let m = Matcher::new(&config, &shop);
        assert_eq!(m.parse("sold oval x small").0, claim("OVAL-XS", 1));
        assert_eq!(m.parse("sold oval small x").0, claim("OVAL-S", 1));
    }

    #[test]
    fn quantities_are_digits_and_x_forms() {
        let q = |text: &str| quantity(&text.split(' ').collect::<Vec<_>>());
        assert_eq!(q("2"), Some((2, 1)));
        assert_eq!(q("x12"), Some((12, 1)));
        assert_eq!(q("3x"), Some((3, 1)));
        assert_eq!(q("x 4 ov"), Some((4, 2)));
        assert_eq!(q("x"), None);
        assert_eq!(q("xl"), None);
        assert_eq!(q("b2"), None);
        assert_eq!(q("99999999999"), Some((u32::MAX, 1)));
    }

    /// A part of a claim as a viewer may write it.
    fn case(word: &str, how: u8) -> String {
        match how % 3 {
            0 => word.to_lowercase(),
            1 => word.to_uppercase(),
            _ => word
                .chars()
                .enumerate()
                .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
                .collect(),
        }
    }

    proptest! {
        /// However a viewer orders the code or product, the quantity and the variant (and
        /// whatever the case), the claim read is the same.
        #[test]
        fn any_order_of_code_quantity_and_variant_reads_the_same_claim(
            qty in 1u32..=99,
            qty_form in 0u8..4,
            item in prop::sample::select(vec!["ov", "oval", "oval nails"]),
            variant in prop::sample::select(vec!["m", "medium", "med", "size m"]),
            claim_word in prop::sample::select(vec!["", "sold", "mine", "claim"]),
            polite in any::<bool>(),
            cases in prop::collection::vec(0u8..3, 5),
            order in Just(vec![0usize, 1, 2, 3, 4]).prop_shuffle(),
        ) {
            let qty_text = match qty_form {
                0 => qty.to_string(),
                1 => format!("x{qty}"),
                2 => format!("{qty}x"),
                _ => format!("x {qty}"),
            };
            // A product named by its words needs a claim word; a code does not.
            let claim_word = if claim_word.is_empty() && item != "ov" { "sold" } else { claim_word };
            let parts = [claim_word, item, qty_text.as_str(), variant, if polite { "pls" } else { "" }];
            let words: Vec<String> = order
                .iter()
                .map(|&i| case(parts[i], cases[i]))
                .filter(|w| !w.is_empty())
                .collect();
            let text = words.join(" ");
            prop_assert_eq!(matcher().parse(&text).0, claim("OVAL-M", qty), "{}", text);
        }
    }
}
