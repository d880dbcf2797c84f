//! The shapes of the configuration files, as the desk and the app consume them.
//!
//! Loading, defaults and error reporting (file:line:col) live in the sibling modules;
//! these types are plain data.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `settings.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub feed: FeedSettings,
    /// Theme name: a file in `themes/` (user's or built-in).
    pub theme: String,
    /// Keymap name: a file in `keymaps/` (user's or built-in).
    pub keymap: String,
    /// Most frames drawn per second.
    pub fps: u32,
    /// Chat messages kept in memory for scrolling.
    pub scrollback: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            feed: FeedSettings::default(),
            theme: "default".into(),
            keymap: "default".into(),
            fps: 30,
            scrollback: 100_000,
        }
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
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings { url: None, token_env: "LIVEDESK_TOKEN".into() }
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
    pub stock: u32,
    #[serde(default = "default_low_stock")]
    pub low_stock: u32,
    /// Other ways viewers write the product in a claim ("almond pink"), besides its sku and name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
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
}

/// `replies.toml`: canned replies, each on its own key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replies {
    #[serde(default, rename = "reply")]
    pub replies: Vec<ReplySpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplySpec {
    /// The key that sends it; a reply without one is only sent by its tags (claim answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub tags: Vec<String>,
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
    /// How long a claim holds stock before it is released.
    pub hold_minutes: u32,
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
            hold_minutes: 10,
            max_per_customer: None,
            bare: ["sold", "mine", "me", "i'll take it", "claim"].map(String::from).to_vec(),
            ignore_trailing: ["pls", "please", "plz", "po", "thanks", "thx", "ty"].map(String::from).to_vec(),
            patterns: vec![
                pattern(DEFAULT_PATTERNS[0]),
                pattern(DEFAULT_PATTERNS[1]),
                pattern(DEFAULT_PATTERNS[2]),
            ],
        }
    }
}

/// The built-in claim patterns, the same as the built-in `claims.toml` writes them.
pub const DEFAULT_PATTERNS: [&str; 3] = [
    r"^(?:sold|buy|mine|claim)\s+(?:x\s*)?(?P<qty>\d+)\s*x?$",
    r"^(?:sold|buy|mine|claim)\s+(?:(?P<qty>\d+)\s*x?\s+)?(?P<item>.+?)(?:\s+x\s*(?P<qty2>\d+))?$",
    r"^(?:(?P<qty>\d+)\s*x?\s+)?(?P<item>.+?)\s+(?:sold|mine)$",
];

/// Everything the desk needs to start: the shop's files, already validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ShopConfig {
    pub catalog: Catalog,
    pub sales: SalesPlan,
    pub replies: Replies,
    pub claims: ClaimsConfig,
}
