//! The shapes of the configuration files, as the desk and the app consume them.
//!
//! Loading, defaults and error reporting (file:line:col) live in the sibling modules;
//! these types are plain data.

pub use crate::protocol::limit::span_secs;
use crate::protocol::{Format, SendLimit};
pub use crate::reply_kinds::REPLY_KINDS;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The fields a reply's text may name in braces (`{user}`, `{product}`…): part of
/// `replies.toml`'s schema, checked when the files load and filled by the desk.
pub const TEMPLATE_FIELDS: [&str; 6] = ["user", "product", "price", "stock", "time_left", "ships_to"];

/// The tags a `chat.toml` rule may give (can't-ship is the shipping gate's, not a rule's).
pub const RULE_TAGS: [&str; 6] = ["question", "buyer", "shipping", "complaint", "spam", "mention"];

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `settings.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub feed: FeedSettings,
    pub store: StoreSettings,
    /// Theme name: a file in `themes/` (user's or built-in).
    pub theme: String,
    /// Keymap name: a file in `keymaps/` (user's or built-in).
    pub keymap: String,
    /// Most frames drawn per second.
    pub fps: u32,
    /// Chat messages kept in memory for scrolling.
    pub scrollback: usize,
    /// Ring the terminal bell at a flash sale's last-seconds warnings.
    pub bell: bool,
    /// The operator's name on a team desk (`--operator`; default: the OS user).
    pub operator: Option<String>,
    /// Where the shop ships; `None` when settings.toml does not say.
    pub shipping: Option<Shipping>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            feed: FeedSettings::default(),
            store: StoreSettings::default(),
            theme: "default".into(),
            keymap: "default".into(),
            fps: 30,
            scrollback: 100_000,
            bell: false,
            operator: None,
            shipping: None,
        }
    }
}

/// `[store]` in `settings.toml`: where the journal is kept when not in the state dir's SQLite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// A `postgres://USER@HOST:PORT/DB` address; none keeps the embedded SQLite store.
    pub url: Option<String>,
    /// A file holding the PostgreSQL password (its first line), when neither `PGPASSWORD`
    /// nor `~/.pgpass` gives one; relative to the config dir.
    pub password_file: Option<PathBuf>,
    /// A PEM file of certificates to trust on top of the public roots, for a database with
    /// its own CA; relative to the config dir.
    pub ca_file: Option<PathBuf>,
    /// Read only to refuse it with its fix: a password is never kept in `settings.toml`.
    #[serde(skip_serializing)]
    pub password: Option<toml::Value>,
}

impl StoreSettings {
    /// `password_file` and `ca_file` as paths, relative ones read from `config_dir`.
    pub fn files(&self, config_dir: &Path) -> (Option<PathBuf>, Option<PathBuf>) {
        let at = |f: &Option<PathBuf>| f.as_ref().map(|f| config_dir.join(f));
        (at(&self.password_file), at(&self.ca_file))
    }
}

/// `[feed]` in `settings.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedSettings {
    /// `ws://` or `wss://` address of the platform feed; none means the built-in demo.
    pub url: Option<String>,
    /// Name of the environment variable that holds the bearer token.
    pub token_env: String,
    /// What the feed speaks; guessed from `url` when not given.
    pub format: Option<Format>,
    /// The channel or room to read, where one address serves many (Twitch).
    pub channel: Option<String>,
    /// The login name that goes with the token, where the platform wants one (Twitch).
    pub nick: Option<String>,
    /// Most chat messages livedesk sends in a window, like `"20/30s"`; `"off"` or none for no
    /// limit of its own (an adapter still keeps to its platform's).
    pub send_limit: Option<String>,
    /// A PEM file of certificates to trust on top of the public roots, for a studio's own
    /// `wss://` relay; relative to the config dir.
    pub ca_file: Option<PathBuf>,
    /// How long no comment may come, while many watch, before the feed counts as quiet:
    /// like `"60s"` or `"2m"`, or `"off"`.
    pub quiet_after: String,
    /// The fewest viewers for a silence to count: a small stream is legitimately quiet.
    pub quiet_min_viewers: u64,
}

impl FeedSettings {
    /// Where `ca_file` is, relative paths read from `config_dir`.
    pub fn ca_path(&self, config_dir: &Path) -> Option<PathBuf> {
        self.ca_file.as_ref().map(|f| config_dir.join(f))
    }

    /// The send limit set, if any (the checks have made sure it reads).
    pub fn send_limit(&self) -> Option<SendLimit> {
        self.send_limit.as_deref().and_then(|s| SendLimit::parse(s).ok().flatten())
    }

    /// When the feed counts as quiet (the checks have made sure `quiet_after` reads).
    pub fn quiet(&self) -> QuietRule {
        QuietRule {
            after: parse_quiet_after(&self.quiet_after).unwrap_or(None),
            min_viewers: self.quiet_min_viewers,
        }
    }
}

/// When a silent feed counts as quiet: no comment for `after` while at least `min_viewers`
/// watch (`[feed] quiet_after` and `quiet_min_viewers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietRule {
    /// `None`: never (`quiet_after = "off"`).
    pub after: Option<std::time::Duration>,
    pub min_viewers: u64,
}

impl Default for QuietRule {
    fn default() -> Self {
        FeedSettings::default().quiet()
    }
}

/// Reads `quiet_after`: `"off"` is never; a time is from 10 seconds to 60 minutes.
pub fn parse_quiet_after(text: &str) -> Result<Option<std::time::Duration>, String> {
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let secs = span_secs(text).ok_or_else(|| format!("`{text}` is not a time like \"60s\" or \"2m\""))?;
    if !(10..=3600).contains(&secs) {
        return Err(format!("`{text}` must be from 10 seconds to 60 minutes"));
    }
    Ok(Some(std::time::Duration::from_secs(secs)))
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            url: None,
            token_env: "LIVEDESK_TOKEN".into(),
            format: None,
            channel: None,
            nick: None,
            send_limit: None,
            ca_file: None,
            quiet_after: "60s".into(),
            quiet_min_viewers: 200,
        }
    }
}

/// `[shipping]` in `settings.toml`: where the shop ships, so that buyers it cannot serve are
/// told politely, once, instead of being answered by hand every time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Shipping {
    /// ISO 3166-1 alpha-2 codes of the regions the shop ships to ("GB", "IE").
    pub ships_to: Vec<String>,
    /// More place names viewers write, to a region code ("ncr" = "PH").
    pub aliases: BTreeMap<String, String>,
    /// Send the "can't ship" reply by itself.
    pub auto_answer: bool,
    /// Never auto-answer the same viewer twice within this many minutes.
    pub auto_answer_minutes: u32,
}

impl Default for Shipping {
    fn default() -> Self {
        Shipping { ships_to: vec![], aliases: BTreeMap::new(), auto_answer: false, auto_answer_minutes: 30 }
    }
}

/// `catalog.toml`: the products on sale and their starting stock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub currency: String,
    #[serde(default, rename = "product")]
    pub products: Vec<ProductSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSpec {
    pub sku: String,
    pub name: String,
    pub price: Decimal,
    /// Units on hand at the start. Required unless the product has variants: then its stock
    /// is theirs, summed (the checker says which is missing or extra).
    #[serde(default)]
    pub stock: u32,
    #[serde(default = "default_low_stock")]
    pub low_stock: u32,
    /// Other ways viewers write the product in a claim ("almond pink"), besides its sku and name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// A short code viewers type to claim it ("AA"), shown on screen; any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Sizes, shapes or colours sold under their own SKU, each with its own stock.
    #[serde(default, rename = "variant", skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantSpec>,
}

impl ProductSpec {
    /// Units on hand at the start: the variants' when it has any, else its own.
    pub fn total_stock(&self) -> u32 {
        if self.variants.is_empty() { self.stock } else { self.variants.iter().map(|v| v.stock).sum() }
    }
}

/// One `[[product.variant]]`: a size, shape or colour of a product, sold by its own SKU
/// (the platform's orders name it) at the product's price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSpec {
    pub sku: String,
    /// What tells it from its siblings ("medium", "S"): a claim names it with the product.
    pub name: String,
    pub stock: u32,
    /// Other words for it in a claim ("m", "size m"), read only beside its product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// A short code that names this variant alone ("B2").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

fn default_low_stock() -> u32 {
    5
}

/// `sales.toml`: the flash sales planned for the stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesPlan {
    #[serde(default, rename = "sale")]
    pub sales: Vec<SaleSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaleSpec {
    pub id: String,
    pub sku: String,
    pub price: Decimal,
    pub quantity: u32,
    pub seconds: u32,
    /// Seconds of "starts in" countdown, announced, before the sale goes live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preheat: Option<u32>,
    /// Units one customer may buy in one run of the sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_customer: Option<u32>,
    /// When the sale goes live by itself (its preheat starts that much earlier).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339")]
    pub starts_at: Option<DateTime<Utc>>,
}

impl SaleSpec {
    /// A plan entry with no preheat, no per-customer limit and no scheduled start.
    pub fn new(id: &str, sku: &str, price: Decimal, quantity: u32, seconds: u32) -> SaleSpec {
        SaleSpec {
            id: id.into(),
            sku: sku.into(),
            price,
            quantity,
            seconds,
            preheat: None,
            per_customer: None,
            starts_at: None,
        }
    }
}

/// `starts_at` as an RFC 3339 time: a quoted string or a bare TOML date-time, with its offset.
mod rfc3339 {
    use std::fmt;

    use chrono::{DateTime, Utc};
    use serde::de::{self, MapAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serializer};

    const EXPECTED: &str = "a date and time like \"2026-11-20T19:30:00Z\"";

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        d.deserialize_any(TimeVisitor).map(Some)
    }

    struct TimeVisitor;

    fn parse<E: de::Error>(text: &str, unexpected: de::Unexpected<'_>) -> Result<DateTime<Utc>, E> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| E::invalid_value(unexpected, &EXPECTED))
    }

    impl<'de> Visitor<'de> for TimeVisitor {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(EXPECTED)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            parse(v, de::Unexpected::Str(v))
        }

        // A bare TOML date-time (`starts_at = 2026-11-20T19:30:00Z`) arrives as a map.
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let t = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
            let text = t.to_string();
            let what = format!("{text} (no UTC offset)");
            parse(&text, de::Unexpected::Other(&what))
        }
    }
}

/// `giveaways.toml`: the giveaways the operator may start during the stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiveawaysPlan {
    #[serde(default, rename = "giveaway")]
    pub giveaways: Vec<GiveawaySpec>,
}

/// One `[[giveaway]]`: what is won, by how many, and who may enter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiveawaySpec {
    pub id: String,
    pub prize: String,
    /// How many viewers win (fewer when fewer enter).
    #[serde(default = "one")]
    pub winners: u32,
    /// The word or phrase a comment must have, as whole words, to enter.
    pub keyword: String,
    /// How long entries are taken, from the start to the draw.
    pub seconds: u32,
    /// Only viewers who follow the stream may enter.
    #[serde(default)]
    pub followers_only: bool,
    /// Only viewers who have watched this long (since they joined) may enter.
    #[serde(default)]
    pub min_watch_seconds: u32,
    /// Said in the chat when the giveaway starts (`None`: the built-in words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_text: Option<String>,
    /// Said in the chat to name the winners (`None`: the built-in words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winners_text: Option<String>,
}

fn one() -> u32 {
    1
}

/// The fields a giveaway's `start_text` may name in braces.
pub const GIVEAWAY_START_FIELDS: [&str; 4] = ["prize", "keyword", "time_left", "count"];
/// The fields a giveaway's `winners_text` may name in braces.
pub const GIVEAWAY_WINNERS_FIELDS: [&str; 6] = ["prize", "keyword", "count", "winners", "entrants", "seed"];

/// `show.toml`: the stream's plan, cue by cue, for the host's screen and the operator's
/// next-cue key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShowPlan {
    #[serde(default, rename = "cue")]
    pub cues: Vec<CueSpec>,
}

/// One `[[cue]]`: exactly one of `product`, `sale`, `giveaway` or `say` (the checker says
/// which is missing or extra); the other fields go with one kind only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueSpec {
    /// A product of catalog.toml to present, by sku.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The host's talking points for the product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<String>,
    /// How long the host means to spend on the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// A flash sale of sales.toml, by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale: Option<String>,
    /// A giveaway of giveaways.toml, by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giveaway: Option<String>,
    /// Words for the host to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub say: Option<String>,
    /// When a `say` comes due, as `mm:ss` from the start of the show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// A sale or giveaway cue starts its sale or giveaway when the show moves onto it, so
    /// the operator presses one key, not two.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub start: bool,
}

/// What a cue is, once the checker has made sure it is exactly one thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CueKind<'a> {
    Product(&'a str),
    Sale(&'a str),
    Giveaway(&'a str),
    Say(&'a str),
}

impl CueSpec {
    /// The kinds this cue names, in the order of the fields: one for a good cue.
    pub fn kinds(&self) -> Vec<CueKind<'_>> {
        let mut kinds = Vec::new();
        if let Some(sku) = &self.product {
            kinds.push(CueKind::Product(sku));
        }
        if let Some(id) = &self.sale {
            kinds.push(CueKind::Sale(id));
        }
        if let Some(id) = &self.giveaway {
            kinds.push(CueKind::Giveaway(id));
        }
        if let Some(text) = &self.say {
            kinds.push(CueKind::Say(text));
        }
        kinds
    }
}

/// The longest `at` of a timed cue: twelve hours, past any stream.
pub const SHOW_AT_MAX_SECS: u32 = 12 * 3600;

/// Reads a timed cue's `at`, `mm:ss` (minutes may pass 59: `"75:00"`), as seconds.
pub fn parse_cue_at(text: &str) -> Result<u32, String> {
    let bad =
        || format!("`{text}` is not a time like \"12:30\" (minutes:seconds from the start of the show)");
    let (m, s) = text.trim().split_once(':').ok_or_else(bad)?;
    let digits = |t: &str| !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(m) || s.len() != 2 || !digits(s) {
        return Err(bad());
    }
    let (m, s): (u32, u32) = (m.parse().map_err(|_| bad())?, s.parse().map_err(|_| bad())?);
    if s > 59 {
        return Err(format!("`{text}` has {s} seconds; write 0 to 59 after the colon"));
    }
    let secs = m * 60 + s;
    if secs > SHOW_AT_MAX_SECS {
        return Err(format!("`{text}` is more than 12 hours into the show"));
    }
    Ok(secs)
}

/// `replies.toml`: canned replies, each on its own key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replies {
    /// Hosts the shop's replies may link to besides the platform's own (`nailnook.shop`):
    /// a reply linking anywhere else waits for the operator before it is sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_links: Vec<String>,
    #[serde(default, rename = "reply")]
    pub replies: Vec<ReplySpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplySpec {
    /// A stable name, so its usage count survives a new title or key (default: the title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The key that sends it; a reply without one is only sent by its tags (claim answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub title: String,
    /// A heading in the picker ("Shipping", "Products").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub text: String,
    /// The same reply in other languages, by the `lang` of chat.toml's rules (`es = "…"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lang: BTreeMap<String, String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Words in a comment that this reply answers ("size", "talla"): they make it the suggestion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// The products it is about (skus); none means any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// What kind of comment it answers, as the built-in reply model reads comments (one of
    /// [`REPLY_KINDS`]); by default its id, or else a tag, that is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
}

impl ReplySpec {
    /// A reply with just a title and text.
    pub fn new(title: &str, text: &str) -> ReplySpec {
        ReplySpec {
            id: None,
            key: None,
            title: title.into(),
            category: None,
            text: text.into(),
            lang: BTreeMap::new(),
            tags: vec![],
            keywords: vec![],
            products: vec![],
            answers: None,
        }
    }

    /// The kind of comment it answers for the reply model: `answers`, else its id, else
    /// the first of its tags, that names a kind.
    pub fn answers(&self) -> Option<&'static str> {
        let kind = |name: &str| REPLY_KINDS.into_iter().find(|k| *k == name);
        match &self.answers {
            Some(a) => kind(a),
            None => kind(self.id()).or_else(|| self.tags.iter().find_map(|t| kind(t))),
        }
    }

    /// The name its uses are counted under.
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.title)
    }
}

/// `claims.toml`: how comments like "sold 2 almond pink" become claims on stock.
///
/// A field left out keeps its built-in default, so a file holding just `hold_minutes = 5`
/// still understands the default claim words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimsConfig {
    /// Whether comments are read as claims at all.
    pub enabled: bool,
    /// Who gets a unit: the first to claim it, or the first to pay for it.
    pub policy: ClaimPolicy,
    /// How long a claim holds stock (or, first-paid, stays open unpaid) before it is released.
    pub hold_minutes: u32,
    /// How long before a claim runs out its buyer is reminded; none means no reminder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_minutes: Option<u32>,
    /// Most units one viewer may claim of one product; none means no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_per_customer: Option<u32>,
    /// Whole comments that claim one of the product on screen ("mine", "sold").
    pub bare: Vec<String>,
    /// Words dropped from the end of a comment before matching ("pls", "po").
    pub ignore_trailing: Vec<String>,
    /// Regular expressions over the normalized comment, tried in order.
    #[serde(rename = "pattern")]
    pub patterns: Vec<ClaimPattern>,
    /// What a claimer is told as their claim's hold runs its course.
    pub replies: ClaimReplies,
}

/// Who gets a unit that several viewers claimed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimPolicy {
    /// A claim holds the units at once; the first claimer has them until the hold runs out.
    #[default]
    FirstClaimed,
    /// A claim holds nothing: it records the buyer's intent, and the first paid order wins;
    /// with nothing left, claims wait in line and a restock calls them in order.
    FirstPaid,
}

/// `[replies]` in `claims.toml`: templates like replies.toml's (`{user}`, `{product}`,
/// `{price}`, `{time_left}` is the claim's time left); an empty one is not sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimReplies {
    /// First-paid: to a claimer, that their claim is noted and paying secures the unit.
    pub pay: String,
    /// Shortly before a claim runs out (`reminder_minutes`).
    pub reminder: String,
    /// When a claim ran out unconfirmed and unpaid.
    pub expired: String,
    /// First-paid: to a claimer who had not paid when the last unit was paid for, while the
    /// product's waitlist is closed (open, the claim waits in line instead).
    pub sold_out: String,
    /// To a claimer who passed ("pass"): their claim is released.
    pub passed: String,
    /// To a viewer whose claim found nothing left while the product's waitlist is closed:
    /// once per viewer and product, so a repeat comment is not answered again.
    pub closed: String,
    /// To a claimer whose one comment held part of what they asked for and put the rest in
    /// line: both in one answer, with `{held}`, `{waiting}` and `{position}` (their place in
    /// line); empty, they get the reply tagged `claim-waitlisted` instead.
    pub partly_held: String,
}

/// The fields only claims.toml's `partly_held` reply fills, beside the usual ones.
pub const PARTLY_HELD_FIELDS: [&str; 3] = ["held", "waiting", "position"];

impl Default for ClaimReplies {
    fn default() -> Self {
        ClaimReplies {
            pay: "@{user} noted! {product} goes to whoever pays first: check out now to secure it".into(),
            reminder: "@{user} your claim on {product} runs out in {time_left}: check out to keep it".into(),
            expired:
                "@{user} your claim on {product} ran out and was released. Comment again if you still want it"
                    .into(),
            sold_out: "@{user} sorry, {product} sold out to a buyer who paid first. Your claim is released"
                .into(),
            passed: "@{user} no problem, your claim on {product} is released".into(),
            closed: "@{user} sorry, {product} is sold out and its waitlist is closed".into(),
            partly_held:
                "@{user} {held} of {product} held for you, {waiting} more on the waitlist (#{position})"
                    .into(),
        }
    }
}

/// One `[[pattern]]` in `claims.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimPattern {
    /// Named groups: `item` (the product as written; absent means the product on screen) and
    /// `qty`, `qty2`, … (how many; the first that matched counts).
    pub regex: String,
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        let pattern = |regex: &str| ClaimPattern { regex: regex.to_owned() };
        ClaimsConfig {
            enabled: true,
            policy: ClaimPolicy::FirstClaimed,
            hold_minutes: 10,
            reminder_minutes: None,
            max_per_customer: None,
            bare: DEFAULT_BARE.map(String::from).to_vec(),
            ignore_trailing: DEFAULT_IGNORE_TRAILING.map(String::from).to_vec(),
            patterns: DEFAULT_PATTERNS.map(pattern).to_vec(),
            replies: ClaimReplies::default(),
        }
    }
}

/// The built-in claim words, the same as the built-in `claims.toml` writes them.
pub const DEFAULT_BARE: [&str; 33] = [
    "sold",
    "mine",
    "me",
    "i'll take it",
    "i'll take",
    "i take",
    "i'll have",
    "claim",
    "claiming",
    "put me down for",
    "put me down",
    "chope",
    "me lo llevo",
    "me la llevo",
    "me llevo",
    "me lo quedo",
    "me la quedo",
    "me lo pido",
    "me quedo",
    "mío",
    "mio",
    "apartame",
    "apártame",
    "biorę",
    "biore",
    "moje",
    "iau",
    "eu iau",
    "al meu",
    "akin",
    "sakin",
    "mera",
    "le lunga",
];
/// The built-in polite words, as the built-in `claims.toml` writes them.
pub const DEFAULT_IGNORE_TRAILING: [&str; 40] = [
    "pls", "please", "plz", "po", "pong", "thanks", "thx", "ty", "ta", "x", "xx", "hun", "babe", "pet",
    "hen", "mate", "cheers", "innit", "ok", "ah", "sis", "ate", "kak", "ji", "di", "bhai", "didi", "porfa",
    "porfis", "vă", "rog", "love", "luv", "diolch", "mersi", "gracias", "salamat", "can", "tu", "ye",
];

/// The built-in claim patterns, the same as the built-in `claims.toml` writes them.
pub const DEFAULT_PATTERNS: [&str; 7] = [
    r"^(?:sold|buy|mine|claim)\s+(?:x\s*)?(?P<qty>\d+)\s*x?$",
    r"^(?:sold|buy|mine|claim)\s+(?:(?P<qty>\d+)\s*x?\s+)?(?P<item>.+?)(?:\s+x\s*(?P<qty2>\d+))?$",
    r"^(?:(?P<qty>\d+)\s*x?\s+)?(?P<item>.+?)\s+(?:sold|mine)$",
    r"^(?:me\s+l[oa]\s+(?:llevo|quedo|pido)|me\s+(?:quedo|llevo)|m[ií]o|bior[eę]|iau|al\s+meu|s?akin)\s+(?P<item>.+?)$",
    r"^(?P<item>.+?)\s+(?:bior[eę]|(?:e\s+)?al\s+meu|mera|le\s+lunga)$",
    r"^(?:para\s+m[ií]|dla\s+mnie)\s+(?P<item>(?:el\s+|la\s+)?\S+)$",
    r"^(?P<item>(?:el\s+|la\s+)?\S+)\s+(?:para\s+m[ií]|dla\s+mnie)$",
];

/// `chat.toml`: how comments are tagged (question, buyer, shipping, complaint, spam,
/// mention), so that the few that matter stand out in a flood.
///
/// A field left out keeps its built-in default; `[[rule]]` tables replace the built-in
/// rules as a whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatConfig {
    /// The shop's names as viewers write them (a comment naming one is a mention).
    #[serde(default = "builtin_names")]
    pub names: Vec<String>,
    #[serde(default)]
    pub spam: SpamConfig,
    #[serde(default = "builtin_rules", rename = "rule")]
    pub rules: Vec<ChatRule>,
    /// Common words of each language besides the shop's own, by the `lang` codes of
    /// replies.toml: a comment with them gets a reply in its language.
    #[serde(default = "builtin_languages")]
    pub languages: BTreeMap<String, Vec<String>>,
    /// How long the mute key mutes a viewer, in seconds.
    #[serde(default = "default_mute_seconds")]
    pub mute_seconds: u32,
    /// `[blocked]`: words whose comments are hidden (and deleted on the platform, if asked).
    #[serde(default)]
    pub blocked: BlockedConfig,
}

fn default_mute_seconds() -> u32 {
    600
}

/// The longest mute `mute_seconds` may ask for: 14 days, as long as platforms allow.
pub const MUTE_MAX: u32 = 14 * 24 * 3600;

/// `[blocked]` in `chat.toml`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlockedConfig {
    /// Whole words or phrases, case ignored: a comment with one is hidden from every view.
    pub words: Vec<String>,
    /// Also send the platform `delete_chat` for such comments.
    pub delete_on_platform: bool,
}

/// The built-in `chat.toml`, read once (every field given, so no default is consulted).
fn builtin_chat() -> &'static ChatConfig {
    static BUILTIN: std::sync::OnceLock<ChatConfig> = std::sync::OnceLock::new();
    BUILTIN
        .get_or_init(|| toml::from_str(crate::config::builtin::CHAT).expect("the built-in chat.toml parses"))
}

fn builtin_names() -> Vec<String> {
    builtin_chat().names.clone()
}

fn builtin_rules() -> Vec<ChatRule> {
    builtin_chat().rules.clone()
}

fn builtin_languages() -> BTreeMap<String, Vec<String>> {
    builtin_chat().languages.clone()
}

/// `[spam]` in `chat.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpamConfig {
    /// The same text from the same viewer within this many seconds is spam.
    pub repeat_seconds: u32,
    /// More than this many comments from one viewer in `flood_seconds` is a flood.
    pub flood_messages: u32,
    pub flood_seconds: u32,
    /// Links from viewers are spam.
    pub links: bool,
}

impl Default for SpamConfig {
    fn default() -> Self {
        SpamConfig { repeat_seconds: 60, flood_messages: 5, flood_seconds: 10, links: true }
    }
}

/// One `[[rule]]` in `chat.toml`: words or a pattern that give a comment a tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRule {
    /// `question`, `buyer`, `shipping`, `complaint`, `spam` or `mention`.
    pub tag: String,
    /// Whole words or phrases, matched on the normalized comment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// A regular expression over the normalized comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// The language the rule is for (informational: every rule applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Default for ChatConfig {
    /// The built-in `chat.toml`.
    fn default() -> Self {
        builtin_chat().clone()
    }
}

/// Everything the desk needs to start: the shop's files, already validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ShopConfig {
    pub catalog: Catalog,
    /// Where the shop ships (off when empty).
    pub shipping: Shipping,
    pub sales: SalesPlan,
    pub giveaways: GiveawaysPlan,
    /// The run of show (none when there is no show.toml).
    pub show: ShowPlan,
    pub replies: Replies,
    pub claims: ClaimsConfig,
    pub chat: ChatConfig,
    /// When the feed counts as quiet (from `[feed]` in `settings.toml`).
    pub quiet: QuietRule,
}
