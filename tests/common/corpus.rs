//! The labelled chat corpus of `tests/fixtures/triage/` (its README is the labelling guide),
//! read as the tests need it: every split parsed and checked against the demo shop's files,
//! and each stream played through a real desk in the order it was said.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use livedesk::config::model::{Catalog, ChatConfig, Replies, SalesPlan};
use livedesk::desk::action::Action;
use livedesk::desk::catalog::Adjust;
use livedesk::desk::classify::Tag;
use livedesk::desk::text::normalize;
use livedesk::desk::{Desk, DeskSetup, Input};
use livedesk::protocol::sanitize::sanitize;
use livedesk::protocol::{Event, Frame, User};

/// The splits, each in its own file: `heldout` and `outside` are never read to tune rules or
/// train a model. `outside` is quoted from public sources, so it measures the desk on comments
/// others wrote; its lines have one more column, the `source` they are quoted from.
pub const SPLITS: [&str; 4] = ["train", "dev", "heldout", "outside"];
/// The splits rules and models are tuned on; the others are only measured.
pub const TUNED: [&str; 2] = ["train", "dev"];
/// The fewest comments each split holds, and the corpus in all.
pub const MIN_SIZE: [(&str, usize); 3] = [("train", 900), ("dev", 400), ("heldout", 600)];
pub const MIN_TOTAL: usize = 2000;
/// The held-out split is one stream of at least this many seconds.
pub const HELDOUT_SECONDS: u32 = 30 * 60;
/// The languages and varieties comments are written in; each is in every split, this often.
pub const VARIETIES: [&str; 12] =
    ["en-GB", "en-US", "en-SG", "en-MY", "tl", "taglish", "es-ES", "es-419", "hi-Latn", "pl", "ro", "emoji"];
pub const MIN_PER_VARIETY: usize = 5;
/// What a flash sale on the product on screen is doing when a comment arrives.
pub const SALE_STATES: [&str; 5] = ["-", "preheat", "live", "sold-out", "ended"];
/// The replies that only fit while the sale is in the state named.
pub const SALE_REPLIES: [(&str, &str); 4] =
    [("sale-preheat", "preheat"), ("sale-start", "live"), ("sold-out", "sold-out"), ("sale-ended", "ended")];
pub const HEADER: &str =
    "split\tstream\tat\tviewer\tregion\tlang\tscreen\tsale\ttags\tcant_ship\tclaim\treply\ttext";
/// The fewest comments the `outside` split holds, and the fewest sources they are quoted from.
pub const OUTSIDE_MIN: (usize, usize) = (140, 50);

/// A split's header line: `outside` adds the `source` column.
pub fn header(split: &str) -> String {
    if split == "outside" { format!("{HEADER}\tsource") } else { HEADER.to_owned() }
}

/// One labelled comment.
#[derive(Clone, Debug)]
pub struct Comment {
    /// `file:line`, for messages.
    pub place: String,
    pub split: String,
    pub stream: String,
    /// Seconds from the stream's start.
    pub at: u32,
    pub viewer: String,
    pub region: String,
    pub lang: String,
    /// The product on screen (a SKU), if any.
    pub screen: Option<String>,
    pub sale: String,
    pub tags: Vec<Tag>,
    pub cant_ship: bool,
    /// The product a claim is for, if the comment is one.
    pub claim: Option<String>,
    /// The suggested reply's id, if one is due.
    pub reply: Option<String>,
    pub text: String,
    /// Where an `outside` comment is quoted from: a URL, or `owner/repo:path`.
    pub source: Option<String>,
}

/// What the demo shop's files say the corpus may name.
pub struct Shop {
    pub skus: BTreeSet<String>,
    /// Products with a flash sale planned.
    pub on_sale: BTreeSet<String>,
    pub replies: BTreeSet<String>,
    /// The same text from the same viewer again within this is spam.
    pub repeat_seconds: u32,
    /// More than this many comments from one viewer within `flood_seconds` is spam.
    pub flood_messages: usize,
    pub flood_seconds: u32,
    /// The shop's names, normalized: a comment with one is a mention.
    pub names: Vec<String>,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn demo<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = root().join("demos").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn shop() -> Shop {
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
pub fn seconds(at: &str) -> Option<u32> {
    let (min, sec) = at.split_once(':')?;
    let (m, s): (u32, u32) = (min.parse().ok()?, sec.parse().ok()?);
    (sec.len() == 2 && s < 60).then_some(m * 60 + s)
}

pub fn product<'a>(shop: &Shop, sku: &'a str) -> Result<&'a str, String> {
    if shop.skus.contains(sku) {
        Ok(sku)
    } else {
        Err(format!("{sku:?} is no product of demos/catalog.toml"))
    }
}

/// The tags, in the order of [`Tag::ALL`], without `cant-ship` (it has its own column).
pub fn tags(field: &str) -> Result<Vec<Tag>, String> {
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
pub fn claim(shop: &Shop, field: &str) -> Result<Option<String>, String> {
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
pub fn reply(shop: &Shop, field: &str) -> Result<Option<String>, String> {
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

pub fn parse(shop: &Shop, split: &str, place: String, line: &str) -> Result<Comment, String> {
    let f: Vec<&str> = line.split('\t').collect();
    let width = header(split).split('\t').count();
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
    if text.trim().is_empty()
        || sanitize(text, livedesk::protocol::sanitize::MAX_TEXT_CHARS) != text
        || text.trim() != text
    {
        return Err(format!("text {text:?} is empty, padded or not as the desk sanitizes it"));
    }
    let source = f.get(13).map(|s| s.to_string());
    if let Some(s) = &source {
        let url = s.starts_with("https://") || s.starts_with("http://");
        let repo_path = s.split_once(':').is_some_and(|(repo, path)| repo.contains('/') && !path.is_empty());
        if !url && !repo_path {
            return Err(format!("source {s:?} is not a URL nor owner/repo:path"));
        }
    }
    Ok(Comment {
        place,
        split: split.to_owned(),
        stream: f[1].to_owned(),
        at,
        viewer: f[3].to_owned(),
        region: f[4].to_owned(),
        lang: f[5].to_owned(),
        screen: Some(f[6].to_owned()).filter(|s| s != "-"),
        sale: f[7].to_owned(),
        tags: tags(f[8])?,
        cant_ship,
        claim: claim(shop, f[10])?,
        reply: reply(shop, f[11])?,
        text: text.to_owned(),
        source,
    })
}

/// Every comment of every split, and what is wrong with the lines that did not parse.
pub fn load() -> (Vec<Comment>, Vec<String>) {
    let shop = shop();
    let (mut comments, mut errors) = (Vec::new(), Vec::new());
    for split in SPLITS {
        let name = format!("{split}.tsv");
        let path = root().join("tests/fixtures/triage").join(&name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines().enumerate();
        let want = header(split);
        if lines.next().map(|(_, line)| line) != Some(want.as_str()) {
            errors.push(format!("{name}:1: the header is not {want:?}"));
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

pub fn corpus() -> Vec<Comment> {
    let (comments, errors) = load();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    comments
}

/// The comments of one split, by stream, each stream in the order said.
pub fn streams(comments: &[Comment], split: &str) -> Vec<(String, Vec<Comment>)> {
    let mut out: Vec<(String, Vec<Comment>)> = Vec::new();
    for c in comments.iter().filter(|c| c.split == split) {
        match out.iter_mut().find(|(s, _)| *s == c.stream) {
            Some((_, list)) => list.push(c.clone()),
            None => out.push((c.stream.clone(), vec![c.clone()])),
        }
    }
    out
}

/// What the desk made of a comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    /// The tags but `cant-ship`, in [`Tag::ALL`] order.
    pub tags: Vec<Tag>,
    pub cant_ship: bool,
}

/// The demo shop's desk (its catalogue, sales, replies, claims and `chat.toml`), shipping
/// to the UK only, as the corpus's shop does.
pub fn demo_desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("settings.toml"), "[shipping]\nships_to = [\"GB\"]\n").unwrap();
    let paths =
        livedesk::config::Paths { config_dir: dir.path().to_path_buf(), state_dir: dir.path().join("state") };
    let config = livedesk::config::load(&paths, &livedesk::config::EnvInfo::default()).unwrap();
    Desk::new(DeskSetup {
        shop: config.shop,
        scrollback: 100_000,
        ref_prefix: "corpus".into(),
        source: "corpus".into(),
        demo: false,
        reply_uses: BTreeMap::new(),
        history: Default::default(),
        replay: false,
    })
}

/// Plays one stream through a fresh demo desk, as the operator would have run it: the
/// product on screen pinned, its flash sale started, sold out (its stock set to none) or
/// ended by hand as the corpus's `screen` and `sale` columns change, and every comment a
/// chat event at its `at`. Returns what the desk made of each comment, in order.
pub fn play(stream: &[Comment]) -> Vec<Read> {
    let mut desk = demo_desk();
    let start = DateTime::from_timestamp(1_764_000_000, 0).unwrap();
    let sales: Vec<(String, String)> =
        desk.sales().all().iter().map(|s| (s.spec.sku.clone(), s.spec.id.clone())).collect();
    let sale_of = |sku: &str| sales.iter().find(|(s, _)| s == sku).map(|(_, id)| id.clone());
    let mut on_screen: (Option<String>, String) = (None, "-".into());
    let mut out = Vec::new();
    for (seq, c) in stream.iter().enumerate() {
        let now: DateTime<Utc> = start + chrono::Duration::seconds(i64::from(c.at));
        let act = |desk: &mut Desk, action: Action| {
            desk.apply(Input::Operator(action), now);
        };
        if on_screen.0 != c.screen {
            act(&mut desk, Action::PinProduct { sku: c.screen.clone() });
        }
        if on_screen != (c.screen.clone(), c.sale.clone())
            && let Some(id) = c.screen.as_deref().and_then(sale_of)
        {
            let running = desk.sales().get(&id).is_some_and(|s| s.is_running());
            match c.sale.as_str() {
                "preheat" | "live" if !running => act(&mut desk, Action::StartSale { id }),
                "sold-out" => {
                    if !running {
                        act(&mut desk, Action::StartSale { id });
                    }
                    let sku = c.screen.clone().unwrap();
                    act(
                        &mut desk,
                        Action::AdjustStock { sku, change: Adjust::Set(0), reason: String::new() },
                    );
                }
                "ended" => {
                    if !running && desk.sales().get(&id).is_some_and(|s| s.runs.is_empty()) {
                        act(&mut desk, Action::StartSale { id: id.clone() });
                    }
                    act(&mut desk, Action::EndSale { id: Some(id) });
                }
                _ => {}
            }
        }
        on_screen = (c.screen.clone(), c.sale.clone());
        let user = User {
            id: format!("{}/{}", c.stream, c.viewer),
            name: c.viewer.clone(),
            region: Some(c.region.clone()).filter(|r| r != "-"),
            badges: vec![],
            follower: false,
        };
        let msg_id = format!("{}-{seq}", c.stream);
        let event = Event::Chat { msg_id: msg_id.clone(), user, text: c.text.clone(), reply_to: None };
        let frame = Frame { v: 1, seq: seq as u64 + 1, ts: String::new(), event };
        desk.apply(Input::Feed(frame), now);
        let tags = desk.chat().by_msg_id(&msg_id).map(|m| m.tags).unwrap_or_default();
        out.push(Read {
            tags: tags.iter().filter(|t| *t != Tag::CantShip).collect(),
            cant_ship: tags.has(Tag::CantShip),
        });
    }
    out
}
