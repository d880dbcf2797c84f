//! What SSN's paid rows are worth, in the one mapping every adapter follows (the README's
//! platform table): bits are `BITS`, TikTok coins are `COINS` however SSN words them, a
//! subscription or membership is one `SUBS`, money is its ISO currency.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::super::bundles::Bundles;
use super::html::{first_image_label, plain_text};
use super::money::parse_donation;
use super::{count, donation_text, lookup, message_text};
use crate::protocol::Gift;

/// The currency of TikTok coins (SSN's "1 coin", "5 coins", a gift's diamonds).
pub const COINS: &str = "COINS";
/// The currency of Twitch bits.
pub const BITS: &str = "BITS";
/// The unit of subscriptions and memberships.
pub const SUBS: &str = "SUBS";

/// How many TikTok gift streaks are followed at once (each lasts seconds).
const MAX_STREAKS: usize = 1024;

/// The donation a row carries (`hasDonation`): its amount and currency where they can be
/// read, named `name` (else "Bits" or "Donation" by its currency); one that cannot be read
/// is named as SSN shows it, with no value.
pub fn donation(m: &Map<String, Value>, name: Option<&str>) -> Option<Gift> {
    let shown = donation_text(m)?;
    let Some((value, currency)) = parse_donation(&shown) else {
        return Some(Gift { name: shown, value: Decimal::ZERO, currency: String::new() });
    };
    let name = name.unwrap_or(if currency == BITS { "Bits" } else { "Donation" });
    Some(Gift { name: name.into(), value, currency })
}

/// Bits cheered: the row's `bits`, else `meta.bits`, else the amount in `hasDonation`.
pub fn bits(m: &Map<String, Value>) -> Gift {
    let given = m.get("bits").or_else(|| lookup(m, &["meta", "bits"])).and_then(count).map(Decimal::from);
    let shown = || donation_text(m).and_then(|d| parse_donation(&d)).map(|(value, _)| value);
    let value = given.or_else(shown).unwrap_or_default();
    Gift { name: "Bits".into(), value, currency: BITS.into() }
}

/// A TikTok treasure chest (`envelope`): its coins, in `meta.coins`.
pub fn treasure_chest(m: &Map<String, Value>) -> Gift {
    let coins = lookup(m, &["meta", "coins"]).and_then(count).map(Decimal::from).unwrap_or_default();
    Gift { name: "Treasure chest".into(), value: coins, currency: COINS.into() }
}

/// A subscription's or membership's name: "Membership" on YouTube, else "Sub" with its tier
/// where the row says it (`tier`, `meta.tier`, `meta.plan`: `1000`, `Prime`…).
pub fn sub_name(m: &Map<String, Value>, source: Option<&str>, gifted: bool) -> String {
    if source == Some("youtube") {
        return if gifted { "Gift membership" } else { "Membership" }.into();
    }
    let base = if gifted { "Gift sub" } else { "Sub" };
    let tier = [&["tier"][..], &["meta", "tier"], &["meta", "plan"]]
        .iter()
        .find_map(|path| lookup(m, path).and_then(super::id_text))
        .map(|t| match t.trim() {
            "1000" | "1" => "Tier 1".to_owned(),
            "2000" | "2" => "Tier 2".to_owned(),
            "3000" | "3" => "Tier 3".to_owned(),
            other => other.chars().filter(|c| !c.is_control()).take(24).collect(),
        })
        .filter(|t| !t.is_empty());
    match tier {
        Some(tier) => format!("{base} ({tier})"),
        None => base.into(),
    }
}

/// One subscription or membership.
pub fn sub(name: String) -> Gift {
    Gift { name, value: Decimal::ONE, currency: SUBS.into() }
}

/// How many subscriptions a gift row gives: `total`, `meta.total`, `meta.totalGifted`,
/// `meta.count` or `meta.giftCount`, else the first whole number in its subtitle or text
/// ("has gifted 5 tier 1000 subs!"), else one.
pub fn gifted_count(m: &Map<String, Value>) -> u32 {
    let paths: [&[&str]; 5] = [
        &["total"],
        &["meta", "total"],
        &["meta", "totalGifted"],
        &["meta", "count"],
        &["meta", "giftCount"],
    ];
    let given = paths.iter().find_map(|p| lookup(m, p).and_then(count));
    let said = || {
        let subtitle = m.get("subtitle").and_then(Value::as_str).map(plain_text);
        [subtitle, Some(message_text(m))].into_iter().flatten().find_map(|t| first_number(&t))
    };
    let n = given.or_else(said).unwrap_or(1).max(1);
    u32::try_from(n).unwrap_or(u32::MAX).min(crate::protocol::MAX_QTY)
}

fn first_number(text: &str) -> Option<u64> {
    text.split(|c: char| !c.is_ascii_digit()).find(|w| !w.is_empty()).and_then(|w| w.parse().ok())
}

/// A TikTok gift's name: `meta.giftName`, else its image's `alt` or `title`, else "Gift".
fn tiktok_gift_name(m: &Map<String, Value>) -> String {
    let named =
        lookup(m, &["meta", "giftName"]).and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty());
    let pictured = || m.get("chatmessage").and_then(Value::as_str).and_then(first_image_label);
    named.map(str::to_owned).or_else(pictured).unwrap_or_else(|| "Gift".into())
}

/// The count a TikTok gift row shows: "× 5", "x5".
fn shown_count(m: &Map<String, Value>) -> Option<u64> {
    let text = message_text(m);
    let at = text.rfind(['×', 'x', 'X'])?;
    let after = text.get(at..)?.trim_start_matches(['×', 'x', 'X']).trim_start();
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|n| *n > 0)
}

/// TikTok gift streaks and announced gift bundles: what has been counted of each already,
/// so that each unit counts once.
#[derive(Debug, Default)]
pub struct Tally {
    /// The highest count seen of each TikTok gift streak.
    streaks: HashMap<String, u64>,
    bundles: Bundles,
}

impl Tally {
    /// A TikTok gift, valued in coins, and the units it adds; `None` when it adds none yet.
    ///
    /// Two shapes: SSApp's and TikFinity's, with `meta.diamondCount` per unit and
    /// `meta.repeatCount`, whose streak is told once at its end (`meta.repeatEnd`); and the
    /// TikTok page's, whose streak (`meta.tiktokGiftStreakId`) is told at every step with a
    /// rising `meta.tiktokGiftCount`, `hasDonation` the streak's coins so far, and may have no
    /// last step: each step adds what its count adds, so the streak counts once, in full.
    pub fn tiktok_gift(&mut self, m: &Map<String, Value>) -> Option<(Gift, u32)> {
        let name = tiktok_gift_name(m);
        let meta = |k: &str| lookup(m, &["meta", k]);
        if let Some(per_unit) = meta("diamondCount").and_then(count) {
            let flag = |k: &str| meta(k).and_then(Value::as_bool);
            if flag("streakable") == Some(true) && flag("repeatEnd") == Some(false) {
                return None;
            }
            let repeat = meta("repeatCount").and_then(count).unwrap_or(1).max(1);
            let gift = Gift { name, value: Decimal::from(per_unit), currency: COINS.into() };
            return Some((gift, clamp(repeat)));
        }
        let shown = meta("tiktokGiftCount").and_then(count).or_else(|| shown_count(m)).unwrap_or(1).max(1);
        // "5 coins", "1 coin": coins; "5 gifts" (TikTok hid the price) is no value.
        let coins = donation_text(m)
            .and_then(|d| parse_donation(&d))
            .filter(|(_, unit)| unit == COINS || unit.is_empty())
            .map(|(value, _)| value);
        let per_unit = coins.map(|c| (c / Decimal::from(shown)).normalize()).unwrap_or_default();
        let units = match meta("tiktokGiftStreakId").and_then(super::id_text) {
            Some(streak) => {
                if self.streaks.len() >= MAX_STREAKS && !self.streaks.contains_key(&streak) {
                    self.streaks.clear();
                }
                let last = self.streaks.entry(streak).or_default();
                let added = shown.saturating_sub(*last);
                *last = (*last).max(shown);
                added
            }
            None => shown,
        };
        (units > 0).then(|| (Gift { name, value: per_unit, currency: COINS.into() }, clamp(units)))
    }

    /// How many of `count` gift subs from `gifter` are new. A bundle (more than one, or a
    /// `giftpurchase`) is counted whole and remembered; the single gifts SSN then sends for
    /// it, one per recipient, add nothing more.
    pub fn gift_subs(&mut self, gifter: &str, count: u32, bundle: bool) -> u32 {
        if bundle || count > 1 {
            self.bundles.announce(gifter, count);
            count
        } else if self.bundles.announced(gifter) {
            0
        } else {
            count
        }
    }
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX).min(crate::protocol::MAX_QTY)
}
