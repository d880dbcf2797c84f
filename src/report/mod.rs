//! After the stream: what happened, for the team to study. A stored session's journal is
//! replayed through a fresh desk (its own rules give the exact figures) while one pass notes
//! the stream's history; the result is one [`Report`], written as Markdown, HTML, CSV or JSON
//! with SVG charts.

mod build;
pub mod charts;
pub mod collect;
pub mod csv_out;
pub mod customers;
pub mod doc;
pub mod html;
pub mod markdown;
pub mod packing;
pub mod run;
pub mod suggest;
pub mod text;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

pub use build::{build, earlier_buyers};
use collect::Comment;

/// Replies that come within this long of an order count as having led to it.
pub const REPLY_TO_ORDER_MINUTES: i64 = 10;
/// Most asked questions listed.
pub const TOP_QUESTIONS: usize = 10;
/// Unanswered questions listed (the count is always whole).
pub const UNANSWERED_LISTED: usize = 100;
/// Top buyers listed.
pub const TOP_BUYERS: usize = 10;

/// Everything the report says about one stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub session: SessionMeta,
    pub stream: StreamFigures,
    pub products: Vec<ProductFigures>,
    pub sales: Vec<SaleFigures>,
    pub questions: Questions,
    /// Shipping questions by region: the time the shop spends on buyers it may not serve.
    pub cant_ship: Vec<RegionFigures>,
    pub replies: Vec<ReplyFigures>,
    /// What each operator did, by name (a team desk names every action; empty when none was).
    pub operators: Vec<OperatorFigures>,
    pub customers: Customers,
    /// How far the feed can be trusted: outages, gaps, replays dropped, quiet spells.
    pub feed_health: FeedHealthFigures,
    pub series: Series,
    /// Every order, in arrival order (the CSV; too long for the summary formats).
    #[serde(skip)]
    pub orders: Vec<OrderRow>,
    /// Every viewer comment, in arrival order (the CSV).
    #[serde(skip)]
    pub comments: Vec<Comment>,
}

/// Which stream this is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SessionMeta {
    /// The store's session id.
    pub id: i64,
    pub stream: Option<String>,
    pub title: Option<String>,
    pub source: String,
    /// The first input's time, RFC 3339; every `*_seconds` offset counts from here.
    pub started_at: String,
    /// Whether the stream ended (or the journal just stops).
    pub ended: bool,
    /// The shop's currency: every amount below is in it.
    pub currency: String,
}

/// The stream as a whole.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamFigures {
    pub duration_seconds: i64,
    pub peak_viewers: u64,
    /// Viewer count averaged over time, from the platform's first count to the end.
    pub average_viewers: u64,
    /// Distinct viewers seen in any event (comment, join, like, follow, share, gift, order).
    pub unique_viewers: usize,
    /// Viewer comments (the shop's own messages are not counted).
    pub comments: usize,
    pub unique_commenters: usize,
    /// Distinct orders, cancelled and refunded ones included.
    pub orders: usize,
    /// Orders cancelled or refunded by the end.
    pub returned_orders: usize,
    /// Distinct viewers with an order still live at the end.
    pub buyers: usize,
    /// Units in live orders.
    pub units: u32,
    /// Live orders in the shop's currency.
    pub gmv: Decimal,
    /// Per currency, as the headless summary gives it.
    pub gmv_by_currency: BTreeMap<String, Decimal>,
    /// Buyers over unique viewers, in percent (one decimal).
    pub conversion_percent: f64,
    /// Buyers who had bought in an earlier stored stream.
    pub returning_customers: usize,
    pub new_customers: usize,
    pub oversold_units: u32,
}

/// One product over the stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProductFigures {
    pub sku: String,
    pub name: String,
    /// Stock in the catalog file (0 for products the platform sold that are not in it).
    pub stock_at_start: u32,
    /// Units in live orders.
    pub units: u32,
    pub revenue: Decimal,
    pub on_hand_at_end: u32,
    /// Units sold over units sold plus those left on hand, in percent (one decimal).
    pub sell_through_percent: f64,
    /// When its units on hand first ran out, from the stream's start.
    pub sold_out_after_seconds: Option<i64>,
    pub oversold: u32,
}

/// One flash sale of the plan, with each of its runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SaleFigures {
    pub id: String,
    pub sku: String,
    pub product: String,
    pub price: Decimal,
    pub quantity: u32,
    pub runs: Vec<RunFigures>,
}

/// One run of a flash sale.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunFigures {
    pub started_after_seconds: i64,
    pub live_after_seconds: Option<i64>,
    pub ended_after_seconds: Option<i64>,
    /// `time_up`, `sold_out` or `ended_by_hand`; none while it runs.
    pub end_reason: Option<crate::desk::sales::EndReason>,
    pub units: u32,
    pub revenue: Decimal,
    /// From going live to selling its quantity, when it sold out.
    pub sold_out_in_seconds: Option<i64>,
    pub units_left: u32,
    /// `[seconds from the stream's start, units sold so far]` at every change.
    pub timeline: Vec<[i64; 2]>,
}

/// What viewers asked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Questions {
    /// Questions asked (spam and deleted comments left out).
    pub asked: usize,
    /// Answered by a canned reply, the shop's own reply, or marked handled.
    pub answered: usize,
    pub answered_by_canned_reply: usize,
    pub marked_handled: usize,
    pub unanswered: usize,
    /// The median time from a question to its answer.
    pub median_answer_seconds: Option<i64>,
    /// The most asked, grouped by their normalized text, at most [`TOP_QUESTIONS`].
    pub top: Vec<QuestionGroup>,
    /// Every group, the most asked first (for suggested replies).
    #[serde(skip)]
    pub groups: Vec<QuestionGroup>,
    /// The oldest unanswered ones, at most [`UNANSWERED_LISTED`].
    pub unanswered_list: Vec<QuestionRow>,
}

/// One question asked, in all its spellings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuestionGroup {
    /// As the first viewer wrote it.
    pub text: String,
    pub normalized: String,
    /// Other ways viewers wrote it (at most three).
    pub other_spellings: Vec<String>,
    pub count: usize,
    pub askers: usize,
    pub answered: usize,
    /// Titles of the canned replies that answered it.
    pub canned_replies: Vec<String>,
    pub first_after_seconds: i64,
}

/// One question as asked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuestionRow {
    pub after_seconds: i64,
    pub user: String,
    pub region: Option<String>,
    pub text: String,
}

/// Shipping questions from one region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionFigures {
    /// The viewer's region as the platform gives it, or `unknown`.
    pub region: String,
    pub comments: usize,
    pub viewers: usize,
    pub answered: usize,
    /// Canned replies sent to those comments.
    pub replies: usize,
    /// Of those viewers, how many bought anyway.
    pub buyers: usize,
}

/// One canned reply's use.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplyFigures {
    /// Its id in replies.toml (its title when it has none): what its uses are counted by.
    pub id: String,
    /// The key that sends it ("" for a reply sent from the picker only).
    pub key: String,
    pub title: String,
    pub uses: usize,
    /// Distinct viewers it answered.
    pub viewers: usize,
    /// Live orders from those viewers within [`REPLY_TO_ORDER_MINUTES`] after it (each order
    /// counts for the latest reply before it only).
    pub orders_after: usize,
    pub revenue_after: Decimal,
}

/// One operator's part in the stream, as the journal credits it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperatorFigures {
    pub name: String,
    #[serde(flatten)]
    pub credit: crate::desk::team::Credit,
}

/// Who bought.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Customers {
    pub new: usize,
    pub returning: usize,
    /// The biggest spenders, at most [`TOP_BUYERS`].
    pub top: Vec<CustomerRow>,
    /// Every buyer (the CSV).
    #[serde(skip)]
    pub all: Vec<CustomerRow>,
}

/// One buyer of this stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerRow {
    pub user_id: String,
    pub name: String,
    pub region: Option<String>,
    pub orders: usize,
    pub units: u32,
    pub spend: Decimal,
    /// Bought in an earlier stored stream too.
    pub returning: bool,
    pub comments: usize,
    /// The operator's tags and note on this viewer, from their card ("VIP · sizes run small").
    pub notes: String,
}

/// The feed's health over the stream (see `desk::health` for the rules).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeedHealthFigures {
    /// Outages of a live link.
    pub reconnects: u64,
    /// Holes in the seqs, and the events they skipped.
    pub gaps: u64,
    pub missed: u64,
    /// Repeats dropped (a reconnect's replay).
    pub duplicates: u64,
    pub malformed: u64,
    /// Times the platform restarted its numbering.
    pub renumbered: u64,
    /// The rule: no comment for this long while at least `quiet_min_viewers` watched
    /// (none: never called quiet).
    pub quiet_after_seconds: Option<u64>,
    pub quiet_min_viewers: u64,
    pub quiet_spells: usize,
    pub quiet_seconds: u64,
    pub longest_quiet_seconds: u64,
    pub spells: Vec<QuietFigures>,
}

/// One quiet spell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuietFigures {
    /// Its start (the last comment before it), from the stream's start.
    pub after_seconds: i64,
    pub seconds: u64,
    /// The most viewers watching during it.
    pub viewers: u64,
}

/// Per-minute figures for the charts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    pub minutes: usize,
    /// The highest count in each minute (the last one carried over quiet minutes).
    pub viewers: Vec<u64>,
    pub comments: Vec<u32>,
    pub orders: Vec<u32>,
    /// When each flash sale was live.
    pub sale_windows: Vec<WindowFigures>,
}

/// A flash sale's live stretch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowFigures {
    pub sale_id: String,
    pub from_seconds: i64,
    pub to_seconds: i64,
}

/// One order as the CSV lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRow {
    pub order_id: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub after_seconds: i64,
    pub user_id: String,
    pub user: String,
    pub region: Option<String>,
    pub sku: String,
    pub product: String,
    pub qty: u32,
    pub unit_price: Decimal,
    pub currency: String,
    /// `placed`, `paid`, `cancelled` or `refunded` at the end.
    pub status: &'static str,
    pub live: bool,
    pub flash_sale: Option<String>,
}

impl OrderRow {
    /// Quantity × unit price.
    pub fn total(&self) -> Decimal {
        self.unit_price * Decimal::from(self.qty)
    }
}

/// An amount as reports show it: two decimals.
pub fn money(d: Decimal) -> Decimal {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d
}

#[cfg(test)]
mod tests;
