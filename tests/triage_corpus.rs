//! The labelled chat corpus of `tests/fixtures/triage/` (its README is the labelling guide):
//! every line parses, every label is one the project knows, the labels agree with each other,
//! the splits have the sizes the README states, and the held-out stream shares no comment,
//! nor a near copy of one, with the comments rules and models are tuned on.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;

use livedesk::config::model::{Catalog, ChatConfig, Replies, SalesPlan};
use livedesk::desk::classify::{Tag, has_words, normalize};
use livedesk::protocol::sanitize::sanitize;

/// The splits, each in its own file: `heldout` is never read to tune rules or train a model.
const SPLITS: [&str; 3] = ["train", "dev", "heldout"];
/// The fewest comments each split holds, and the corpus in all.
const MIN_SIZE: [(&str, usize); 3] = [("train", 900), ("dev", 400), ("heldout", 600)];
const MIN_TOTAL: usize = 2000;
/// The held-out split is one stream of at least this many seconds.
const HELDOUT_SECONDS: u32 = 30 * 60;
/// The languages and varieties comments are written in; each is in every split, this often.
const VARIETIES: [&str; 12] =
    ["en-GB", "en-US", "en-SG", "en-MY", "tl", "taglish", "es-ES", "es-419", "hi-Latn", "pl", "ro", "emoji"];
const MIN_PER_VARIETY: usize = 5;
/// What a flash sale on the product on screen is doing when a comment arrives.
const SALE_STATES: [&str; 5] = ["-", "preheat", "live", "sold-out", "ended"];
/// The replies that only fit while the sale is in the state named.
const SALE_REPLIES: [(&str, &str); 4] =
    [("sale-preheat", "preheat"), ("sale-start", "live"), ("sold-out", "sold-out"), ("sale-ended", "ended")];
const HEADER: &str =
    "split\tstream\tat\tviewer\tregion\tlang\tscreen\tsale\ttags\tcant_ship\tclaim\treply\ttext";

/// One labelled comment.
#[derive(Debug)]
struct Comment {
    /// `file:line`, for messages.
    place: String,
    split: String,
    stream: String,
    /// Seconds from the stream's start.
    at: u32,
    viewer: String,
    region: String,
    lang: String,
    sale: String,
    tags: Vec<Tag>,
    cant_ship: bool,
    /// The product a claim is for, if the comment is one.
    claim: Option<String>,
    /// The suggested reply's id, if one is due.
    reply: Option<String>,
    text: String,
}

/// What the demo shop's files say the corpus may name.
struct Shop {
    skus: BTreeSet<String>,
    /// Products with a flash sale planned.
    on_sale: BTreeSet<String>,
    replies: BTreeSet<String>,
    /// The same text from the same viewer again within this is spam.
    repeat_seconds: u32,
    /// More than this many comments from one viewer within `flood_seconds` is spam.
    flood_messages: usize,
    flood_seconds: u32,
    /// The shop's names, normalized: a comment with one is a mention.
    names: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = root().join("demos").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shop() -> Shop {
    let catalog: Catalog = demo("catalog.toml");
    let sales: SalesPlan = demo("sales.toml");
    let replies: Replies = demo("replies.toml");
    let chat: ChatConfig = demo("chat.toml");
    Shop {
        skus: catalog.products.iter().map(|p| p.sku.clone()).collect(),
        on_sale: sales.sales.iter().map(|s| s.sku.clone()).collect(),
        replies: replies.replies.iter().map(|r| r.id().to_owned()).collect(),
        repeat_seconds: chat.spam.repeat_seconds,
        flood_messages: chat.spam.flood_messages as usize,
        flood_seconds: chat.spam.flood_seconds,
        names: chat.names.iter().map(|n| normalize(n)).collect(),
    }
}

/// "12:05" → 725.
fn seconds(at: &str) -> Option<u32> {
    let (min, sec) = at.split_once(':')?;
    let (m, s): (u32, u32) = (min.parse().ok()?, sec.parse().ok()?);
    (sec.len() == 2 && s < 60).then_some(m * 60 + s)
}

fn product<'a>(shop: &Shop, sku: &'a str) -> Result<&'a str, String> {
    if shop.skus.contains(sku) {
        Ok(sku)
    } else {
        Err(format!("{sku:?} is no product of demos/catalog.toml"))
    }
}

/// The tags, in the order of [`Tag::ALL`], without `cant-ship` (it has its own column).
fn tags(field: &str) -> Result<Vec<Tag>, String> {
    if field == "-" {
        return Ok(Vec::new());
    }
    let tags: Vec<Tag> = field
        .split(',')
        .map(|name| match Tag::from_name(name) {
            Some(Tag::CantShip) | None => Err(format!("{name:?} is not a chat tag")),
            Some(tag) => Ok(tag),
        })
        .collect::<Result<_, _>>()?;
    let order = |t: &Tag| Tag::ALL.iter().position(|a| a == t);
    if !tags.is_sorted_by_key(order) || tags.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!("tags {field:?}: each once, in the order {:?}", Tag::ALL.map(Tag::name)));
    }
    Ok(tags)
}

/// `SKU/variant/qty`: the product, what the viewer added about it (or -), and how many.
fn claim(shop: &Shop, field: &str) -> Result<Option<String>, String> {
    if field == "-" {
        return Ok(None);
    }
    let parts: Vec<&str> = field.split('/').collect();
    let [sku, variant, qty] = parts[..] else {
        return Err(format!("claim {field:?} is not SKU/variant/qty"));
    };
    let variant_ok = variant == "-" || variant.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    let qty_ok = qty.parse::<u32>().is_ok_and(|q| (1..=99).contains(&q));
    if !variant_ok || !qty_ok {
        return Err(format!("claim {field:?}: a lowercase variant or -, and 1 to 99 units"));
    }
    Ok(Some(product(shop, sku)?.to_owned()))
}

/// `id` or `id:SKU` (the product the reply must quote, when it is not the one on screen).
fn reply(shop: &Shop, field: &str) -> Result<Option<String>, String> {
    if field == "-" {
        return Ok(None);
    }
    let (id, sku) = field.split_once(':').map_or((field, None), |(id, sku)| (id, Some(sku)));
    if !shop.replies.contains(id) {
        return Err(format!("{id:?} is no reply id of demos/replies.toml"));
    }
    sku.map(|sku| product(shop, sku)).transpose()?;
    Ok(Some(id.to_owned()))
}

fn parse(shop: &Shop, split: &str, place: String, line: &str) -> Result<Comment, String> {
    let f: Vec<&str> = line.split('\t').collect();
    let width = HEADER.split('\t').count();
    if f.len() != width {
        return Err(format!("{} fields, not {width}", f.len()));
    }
    if f[0] != split {
        return Err(format!("split {:?} in the {split} file", f[0]));
    }
    let at = seconds(f[2]).ok_or_else(|| format!("at {:?} is not m:ss", f[2]))?;
    let region_ok = f[4] == "-" || (f[4].len() == 2 && f[4].bytes().all(|b| b.is_ascii_uppercase()));
    if !region_ok {
        return Err(format!("region {:?} is not an ISO 3166 code or -", f[4]));
    }
    if !VARIETIES.contains(&f[5]) {
        return Err(format!("language {:?} is not one of {VARIETIES:?}", f[5]));
    }
    if f[6] != "-" {
        product(shop, f[6])?;
    }
    if !SALE_STATES.contains(&f[7]) {
        return Err(format!("sale {:?} is not one of {SALE_STATES:?}", f[7]));
    }
    if f[7] != "-" && !shop.on_sale.contains(f[6]) {
        return Err(format!("sale {:?} for {:?}, which has no flash sale in demos/sales.toml", f[7], f[6]));
    }
    let cant_ship = match f[9] {
        "yes" => true,
        "no" => false,
        other => return Err(format!("cant_ship {other:?} is not yes or no")),
    };
    let text = f[12];
    if text.trim().is_empty() || sanitize(text, 500) != text || text.trim() != text {
        return Err(format!("text {text:?} is empty, padded or not as the desk sanitizes it"));
    }
    Ok(Comment {
        place,
        split: split.to_owned(),
        stream: f[1].to_owned(),
        at,
        viewer: f[3].to_owned(),
        region: f[4].to_owned(),
        lang: f[5].to_owned(),
        sale: f[7].to_owned(),
        tags: tags(f[8])?,
        cant_ship,
        claim: claim(shop, f[10])?,
        reply: reply(shop, f[11])?,
        text: text.to_owned(),
    })
}

/// Every comment of every split, and what is wrong with the lines that did not parse.
fn load() -> (Vec<Comment>, Vec<String>) {
    let shop = shop();
    let (mut comments, mut errors) = (Vec::new(), Vec::new());
    for split in SPLITS {
        let name = format!("{split}.tsv");
        let path = root().join("tests/fixtures/triage").join(&name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines().enumerate();
        if lines.next().map(|(_, header)| header) != Some(HEADER) {
            errors.push(format!("{name}:1: the header is not {HEADER:?}"));
        }
        for (i, line) in lines {
            let place = format!("{name}:{}", i + 1);
            match parse(&shop, split, place.clone(), line) {
                Ok(c) => comments.push(c),
                Err(e) => errors.push(format!("{place}: {e}")),
            }
        }
    }
    (comments, errors)
}

fn corpus() -> Vec<Comment> {
    let (comments, errors) = load();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    comments
}

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

#[test]
fn no_comment_repeats_across_splits_nor_a_heldout_one_nearly() {
    let comments = corpus();
    let mut seen: HashMap<Vec<char>, &Comment> = HashMap::new();
    let mut copies = Vec::new();
    for c in &comments {
        let first = *seen.entry(skeleton(&c.text)).or_insert(c);
        if first.split != c.split {
            copies.push(format!("{} repeats {} {:?}", c.place, first.place, c.text));
        }
    }
    let tuned: Vec<(Vec<char>, &Comment)> =
        comments.iter().filter(|c| c.split != "heldout").map(|c| (skeleton(&c.text), c)).collect();
    for h in comments.iter().filter(|c| c.split == "heldout") {
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
