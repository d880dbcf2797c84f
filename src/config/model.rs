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
    pub key: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Everything the desk needs to start: the shop's files, already validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ShopConfig {
    pub catalog: Catalog,
    pub sales: SalesPlan,
    pub replies: Replies,
}
