//! The pre-send check: what in a reply's filled text should not reach the audience without
//! the operator saying so. A literal price goes stale when a sale starts, a "yes we ship to
//! Manila" promises what the shop cannot do, a link off the platform may break its rules,
//! and a `{field}` left as written shows the audience a broken template. Each finding is a
//! reason line, in plain words; no finding, no hold.

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::money;
use super::shipping::ShippingGate;
use super::text::normalize;

/// A price as replies write it: `£4.99`, `$5`, `€5,00`, `4.99`, `12.00 CHF`. A bare whole
/// number ("24 nails", "12 sizes") is a count, not a price.
static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?P<sym>[£$€¥₱₹])\s?)?\b(?P<num>\d{1,7}(?P<dec>[.,]\d{2})?)\b(?:\s?(?P<code>GBP|USD|EUR|AUD|CAD|SGD|NZD|JPY|PHP|INR|CHF|SEK|NOK|DKK|PLN|RON|MXN)\b)?",
    )
    .expect("the price pattern")
});

/// A link: with its scheme, after `www.`, or a bare host on a top-level domain shops use.
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?P<scheme>\bhttps?://)?\b(?P<host>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?P<tld>[a-z]{2,24}))\b")
        .expect("the link pattern")
});

/// Top-level domains a bare host ("nailnook.shop") is read as a link on; any other word
/// with a dot in it ("sizes.so") needs its scheme to count.
const TLDS: [&str; 34] = [
    "com", "net", "org", "shop", "store", "co", "uk", "io", "me", "tv", "ly", "gg", "link", "app", "site",
    "online", "biz", "info", "us", "eu", "de", "fr", "es", "it", "nl", "ph", "au", "ca", "in", "sg", "my",
    "page", "xyz", "be",
];

/// A template field, as `replies::fill` leaves an unknown one.
static FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{[A-Za-z_][A-Za-z0-9_]*\}").expect("the field pattern"));

/// What the check knows of the shop and the stream.
pub struct Rules<'a> {
    /// The shop's currency (`GBP`).
    pub currency: &'a str,
    pub shipping: &'a ShippingGate,
    /// The stream's platform (`tiktok`), when the feed said; livedesk's own protocol has none.
    pub platform: Option<&'a str>,
    /// Hosts the shop links to (replies.toml's `allowed_links`).
    pub allowed_links: &'a [String],
}

/// One reply about to leave.
pub struct Draft<'a> {
    /// Its filled text, the viewer's name left out: a viewer called "£5" or "{x}" wrote
    /// that, not the shop.
    pub text: &'a str,
    /// The prices it may name (the product's and its live sale's), when it is about a
    /// product; `None` when it is about none (postage, sizing), so any price goes.
    pub prices: Option<&'a [Decimal]>,
    /// Whether to look for places: the can't-ship reply names where the shop does not
    /// ship on purpose.
    pub places: bool,
}

/// Why the draft should wait for the operator, one reason a finding; empty when it may go.
pub fn reasons(draft: &Draft<'_>, rules: &Rules<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(allowed) = draft.prices {
        out.extend(stale_prices(draft.text, allowed, rules.currency));
    }
    if draft.places {
        out.extend(places_outside(draft.text, rules.shipping));
    }
    out.extend(links_off_platform(draft.text, rules.platform, rules.allowed_links));
    out.extend(unfilled_fields(draft.text));
    out.dedup();
    out
}

/// Prices in `text` that are none of `allowed`, or in another currency than the shop's.
pub fn stale_prices(text: &str, allowed: &[Decimal], currency: &str) -> Vec<String> {
    let own = money::symbol(currency);
    let mut out = Vec::new();
    for c in PRICE.captures_iter(text) {
        let (sym, code) = (c.name("sym").map(|m| m.as_str()), c.name("code").map(|m| m.as_str()));
        if sym.is_none() && code.is_none() && c.name("dec").is_none() {
            continue;
        }
        let written = c.get(0).map_or("", |m| m.as_str()).trim();
        let foreign = sym.is_some_and(|s| Some(s) != own) || code.is_some_and(|k| k != currency);
        if foreign {
            out.push(format!("{written} is not in the shop's currency ({currency})"));
            continue;
        }
        let Ok(amount) = c["num"].replace(',', ".").parse::<Decimal>() else { continue };
        if !allowed.contains(&amount) {
            let known: Vec<String> = allowed.iter().map(|p| money::format(*p, currency)).collect();
            let why = if known.is_empty() {
                format!("{written} is a price written into the reply, not the product's")
            } else {
                format!("{written} is not the product's price or sale price ({})", known.join(", "))
            };
            out.push(why);
        }
    }
    out
}

/// Word beginnings that make a text speak of delivery ("ship", "postage", "envíos"): only
/// then is a place in it a promise. A Spanish nail file is a "lima", not Peru's capital.
const DELIVERY: [&str; 10] =
    ["ship", "deliver", "post", "mail", "courier", "send", "sent", "envi", "enví", "padala"];

/// Places `text` names that the shop does not ship to, when it speaks of delivery.
pub fn places_outside(text: &str, shipping: &ShippingGate) -> Vec<String> {
    let norm = normalize(text);
    if !norm.split(|c: char| !c.is_alphanumeric()).any(|w| DELIVERY.iter().any(|d| w.starts_with(d))) {
        return Vec::new();
    }
    let mut codes = shipping.outside(&norm);
    codes.dedup();
    codes
        .iter()
        .map(|code| {
            format!("names {}: the shop ships to {} only", super::regions::name(code), shipping.ships_to())
        })
        .collect()
}

/// The hosts a platform's own links are on, by the name its feed gives. Social Stream
/// Ninja relays several platforms at once, so any of them is its own.
fn platform_hosts(platform: &str) -> &'static [&'static str] {
    const ALL: [&str; 7] = [
        "tiktok.com",
        "whatnot.com",
        "instagram.com",
        "facebook.com",
        "twitch.tv",
        "youtube.com",
        "youtu.be",
    ];
    match platform.to_ascii_lowercase().as_str() {
        "tiktok" => &ALL[..1],
        "whatnot" => &ALL[1..2],
        "instagram" | "facebook" => &ALL[2..4],
        "twitch" => &ALL[4..5],
        "youtube" => &ALL[5..7],
        "ssn" => &ALL,
        _ => &[],
    }
}

/// Links in `text` to a host that is neither the platform's nor one the shop lists.
pub fn links_off_platform(text: &str, platform: Option<&str>, allowed: &[String]) -> Vec<String> {
    let own = platform.map_or(&[][..], platform_hosts);
    let mut out = Vec::new();
    for c in LINK.captures_iter(text) {
        let host = c["host"].to_ascii_lowercase();
        let bare = c.name("scheme").is_none() && !host.starts_with("www.");
        if bare && !TLDS.contains(&c["tld"].to_ascii_lowercase().as_str()) {
            continue;
        }
        let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
        let under = |h: &str| {
            let h = h.trim().trim_start_matches("www.").to_ascii_lowercase();
            host == h || host.ends_with(&format!(".{h}"))
        };
        if own.iter().any(|h| under(h)) || allowed.iter().any(|h| under(h)) {
            continue;
        }
        let why = match own {
            [] => format!("links to {host}, not in replies.toml's allowed_links"),
            hosts => {
                format!("links to {host}, off the platform ({}) and not in allowed_links", hosts.join(", "))
            }
        };
        if !out.contains(&why) {
            out.push(why);
        }
    }
    out
}

/// Template fields left as written in `text`.
pub fn unfilled_fields(text: &str) -> Vec<String> {
    FIELD.find_iter(text).map(|m| format!("{} is left unfilled", m.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::Shipping;

    fn prices(p: &[&str]) -> Vec<Decimal> {
        p.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn gate(ships_to: &[&str]) -> ShippingGate {
        ShippingGate::new(&Shipping {
            ships_to: ships_to.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
    }

    #[test]
    fn a_price_that_is_not_the_products_nor_its_sale_price_trips() {
        let allowed = prices(&["8.99", "4.99"]);
        for stale in ["only £3.50 today", "just 3.50!", "now €5,00", "$5 off", "12.00 CHF", "£5"] {
            assert_eq!(stale_prices(stale, &allowed, "GBP").len(), 1, "{stale:?}");
        }
        assert_eq!(
            stale_prices("only £3.50 today", &allowed, "GBP"),
            ["£3.50 is not the product's price or sale price (£8.99, £4.99)"]
        );
        assert_eq!(stale_prices("now €5,00", &allowed, "GBP"), ["€5,00 is not in the shop's currency (GBP)"]);
    }

    #[test]
    fn the_products_own_prices_and_counts_do_not_trip() {
        let allowed = prices(&["8.99", "4.99"]);
        for fine in [
            "Almond blush is £8.99, 12 left",
            "FLASH £4.99 with 0:45 to go",
            "24 nails in 12 sizes",
            "was 8.99",
        ] {
            assert!(stale_prices(fine, &allowed, "GBP").is_empty(), "{fine:?}");
        }
        assert!(stale_prices("€4,99 now", &allowed, "EUR").is_empty(), "a comma decimal reads as a point");
    }

    #[test]
    fn a_place_the_shop_does_not_ship_to_trips_and_one_it_does_does_not() {
        let g = gate(&["GB", "IE"]);
        assert_eq!(
            places_outside("Yes we ship to Manila!", &g),
            ["names the Philippines: the shop ships to the UK and Ireland only"]
        );
        assert!(places_outside("We ship to London and Dublin", &g).is_empty());
        assert!(
            places_outside("Yes we ship to Manila!", &gate(&[])).is_empty(),
            "no shipping rules, no check"
        );
        assert!(
            places_outside("una lima y un palito", &g).is_empty(),
            "a place only counts in delivery talk"
        );
        assert_eq!(places_outside("envíos a Lima en 3 días", &g).len(), 1);
    }

    #[test]
    fn a_link_off_the_platform_trips_unless_the_shop_lists_it() {
        let shop = vec!["nailnook.shop".to_owned()];
        let tiktok = Some("tiktok");
        assert_eq!(
            links_off_platform("buy at https://bit.ly/x1 now", tiktok, &shop),
            ["links to bit.ly, off the platform (tiktok.com) and not in allowed_links"]
        );
        assert_eq!(
            links_off_platform("see evil.com", None, &shop),
            ["links to evil.com, not in replies.toml's allowed_links"]
        );
        for fine in [
            "https://www.tiktok.com/@nailnook",
            "vm.tiktok.com/abc",
            "nailnook.shop/glue",
            "https://www.nailnook.shop",
            "the sizes.so you know",
            "£4.99",
        ] {
            assert!(links_off_platform(fine, tiktok, &shop).is_empty(), "{fine:?}");
        }
        assert_eq!(
            links_off_platform("tiktok.com/@x", None, &[]).len(),
            1,
            "own protocol: only the shop's list"
        );
        assert!(links_off_platform("twitch.tv/nailnook", Some("twitch"), &[]).is_empty());
    }

    #[test]
    fn a_field_left_as_written_trips() {
        assert_eq!(
            unfilled_fields("{product} in {colour}!"),
            ["{product} is left unfilled", "{colour} is left unfilled"]
        );
        assert!(unfilled_fields("Almond blush, £8.99 {:)").is_empty());
    }

    #[test]
    fn a_clean_draft_has_no_reason_and_each_check_says_its_own() {
        let g = gate(&["GB"]);
        let rules = Rules { currency: "GBP", shipping: &g, platform: Some("tiktok"), allowed_links: &[] };
        let allowed = prices(&["8.99"]);
        let clean = Draft { text: "@everyone Almond blush is £8.99", prices: Some(&allowed), places: true };
        assert!(reasons(&clean, &rules).is_empty());
        let text = "£2 to ship to Manila at evil.com {x}";
        let all = reasons(&Draft { text, prices: Some(&allowed), places: true }, &rules);
        assert_eq!(all.len(), 4, "{all:?}");
        let postage = reasons(&Draft { text: "postage is £2.99", prices: None, places: true }, &rules);
        assert!(postage.is_empty(), "a reply about no product may name any price");
        let cant_ship = reasons(&Draft { text: "no Manila, sorry", prices: None, places: false }, &rules);
        assert!(cant_ship.is_empty());
    }
}
