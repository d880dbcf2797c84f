//! The shipping gate: buyers the shop cannot ship to are found, tagged "can't ship", and
//! answered politely, at most once per viewer in a while, instead of by hand every time.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::classify::{Tag, Tags};
use super::regions;
use super::text::{compile, keywords_regex, normalize};
use crate::config::model::Shipping;

/// Every built-in place name, as one whole-word regex over normalized comments.
static BUILTIN_PLACES: LazyLock<Places> = LazyLock::new(|| Places::new(regions::aliases()));

/// Place names and the regions they are in.
struct Places {
    regex: Option<Regex>,
    code: HashMap<String, String>,
}

impl Places {
    fn new<'a>(aliases: impl Iterator<Item = (&'a str, &'a str)>) -> Places {
        let code: HashMap<String, String> =
            aliases.map(|(name, code)| (normalize(name), code.to_ascii_uppercase())).collect();
        // Longest first, so "metro manila" wins over "manila" and "south korea" over "korea".
        let mut names: Vec<String> = code.keys().filter(|n| !n.is_empty()).cloned().collect();
        names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let regex = keywords_regex(&names).and_then(|re| compile(&re).ok());
        Places { regex, code }
    }

    /// The regions of the places a normalized comment names, in order.
    fn named(&self, norm: &str, out: &mut Vec<String>) {
        let Some(regex) = &self.regex else { return };
        // A match takes the space after it: search again from that space for the next one.
        let mut from = 0;
        while let Some(m) = regex.find_at(norm, from) {
            if let Some(code) = self.code.get(m.as_str().trim()) {
                out.push(code.clone());
            }
            from = if m.as_str().ends_with(' ') { m.end() - 1 } else { m.end() };
            if from >= norm.len() {
                break;
            }
        }
    }
}

/// The shop's shipping rules and whom it has already told.
#[derive(Clone)]
pub struct ShippingGate {
    config: Shipping,
    /// The shop's own place names (settings' `aliases`), read before the built-in ones.
    own: Option<Arc<Places>>,
    /// When each viewer was last answered by the gate itself (ms).
    answered: HashMap<String, i64>,
}

impl std::fmt::Debug for ShippingGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShippingGate").field("ships_to", &self.config.ships_to).finish()
    }
}

impl PartialEq for ShippingGate {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config && self.answered == other.answered
    }
}

impl ShippingGate {
    pub fn new(config: &Shipping) -> ShippingGate {
        let own = (!config.aliases.is_empty())
            .then(|| Arc::new(Places::new(config.aliases.iter().map(|(k, v)| (k.as_str(), v.as_str())))));
        ShippingGate { config: config.clone(), own, answered: HashMap::new() }
    }

    /// Whether the shop said where it ships (the gate is off otherwise).
    pub fn enabled(&self) -> bool {
        !self.config.ships_to.is_empty()
    }

    /// The regions the shop ships to, as a sentence for replies: "the UK and Ireland".
    pub fn ships_to(&self) -> String {
        regions::sentence(&self.config.ships_to)
    }

    /// Whether the shop ships to the region `code`.
    pub fn ships(&self, code: &str) -> bool {
        self.config.ships_to.iter().any(|c| c.eq_ignore_ascii_case(code))
    }

    /// The region a viewer's comment asks for that the shop cannot ship to, if any.
    ///
    /// A shipping question that names a place the shop does not serve is about it: "do you
    /// ship to Manila?" is PH whoever asks. Any other shipping or buying comment is about the
    /// viewer's own region, when the platform knows it ("ah solo UK, ni modo" from AR is AR);
    /// any other comment (a greeting, praise, a question about the host) is not about
    /// shipping at all.
    pub fn cant_ship(&self, norm: &str, region: Option<&str>, tags: Tags) -> Option<String> {
        if !self.enabled() || tags.has(Tag::Spam) {
            return None;
        }
        if tags.has(Tag::Shipping) {
            let mut named = Vec::new();
            if let Some(own) = &self.own {
                own.named(norm, &mut named);
            }
            if named.is_empty() {
                BUILTIN_PLACES.named(norm, &mut named);
            }
            if let Some(code) = named.into_iter().find(|code| !self.ships(code)) {
                return Some(code);
            }
            // Only places the shop serves, or none: "ah solo UK, ni modo" from abroad is
            // about the viewer's own region.
        } else if !tags.has(Tag::Buyer) {
            // Only a purchase-minded comment is about delivering to the viewer: "what's
            // your dog called?" from abroad is not.
            return None;
        }
        let region = region.filter(|r| !r.is_empty())?;
        (!self.ships(region)).then(|| region.to_ascii_uppercase())
    }

    /// The regions a normalized text names that the shop does not ship to, in order (the
    /// shop's own place names first, as for comments); none while the gate is off.
    pub fn outside(&self, norm: &str) -> Vec<String> {
        if !self.enabled() {
            return Vec::new();
        }
        let mut named = Vec::new();
        if let Some(own) = &self.own {
            own.named(norm, &mut named);
        }
        if named.is_empty() {
            BUILTIN_PLACES.named(norm, &mut named);
        }
        named.retain(|code| !self.ships(code));
        named
    }

    /// Whether the gate may answer this viewer by itself now: it is on, and it has not
    /// answered them within `auto_answer_minutes`. Saying yes counts as answering.
    pub fn may_auto_answer(&mut self, user_id: &str, at_ms: i64) -> bool {
        if !self.config.auto_answer || user_id.is_empty() {
            return false;
        }
        let every = i64::from(self.config.auto_answer_minutes) * 60_000;
        match self.answered.get(user_id) {
            Some(&last) if at_ms - last < every => false,
            _ => {
                self.answered.insert(user_id.to_owned(), at_ms);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(ships_to: &[&str]) -> ShippingGate {
        ShippingGate::new(&Shipping {
            ships_to: ships_to.iter().map(|s| s.to_string()).collect(),
            auto_answer: true,
            auto_answer_minutes: 30,
            ..Default::default()
        })
    }

    fn tags(names: &[Tag]) -> Tags {
        names.iter().fold(Tags::NONE, |t, n| t.with(*n))
    }

    #[test]
    fn places_and_their_aliases_name_regions() {
        let table: [(&str, &[&str]); 18] = [
            ("do you ship to Manila?", &["PH"]),
            ("ship to Philippines po?", &["PH"]),
            ("pa-ship po sa Cebu", &["PH"]),
            ("shipping to metro manila", &["PH"]),
            ("Do you ship to Singapore?", &["SG"]),
            ("envíos a México? 🇲🇽", &["MX"]),
            ("¿hacen envíos a España o Francia?", &["ES", "FR"]),
            ("deliver to KL or Jakarta", &["MY", "ID"]),
            ("ship to South Korea", &["KR"]),
            ("shipping to the UK", &["GB"]),
            ("ship to us pls", &[]),
            ("my auntie lives in isle of man, would u send there", &["IM"]),
            ("any chance this ships to Washington state", &["US"]),
            ("new jersey or jersey", &["US", "JE"]),
            ("kak, johor bahru dapat hantar tak?", &["MY"]),
            ("what a relationship", &[]),
            ("\u{1b}[31mship to manila\u{1b}[0m", &["PH"]),
            ("💅ship💅to💅dubai💅", &["AE"]),
        ];
        for (text, want) in table {
            let mut got = Vec::new();
            let text = crate::protocol::sanitize::sanitize(text, crate::protocol::sanitize::MAX_TEXT_CHARS);
            BUILTIN_PLACES.named(&normalize(&text), &mut got);
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn a_shipping_question_about_a_place_outside_is_cant_ship() {
        let g = gate(&["GB", "IE"]);
        let ship = tags(&[Tag::Question, Tag::Shipping]);
        assert_eq!(g.cant_ship(&normalize("do you ship to Manila?"), Some("GB"), ship), Some("PH".into()));
        assert_eq!(g.cant_ship(&normalize("ship to Dublin?"), Some("GB"), ship), None);
        // A served place named by a viewer abroad: the viewer's own region decides.
        assert_eq!(g.cant_ship(&normalize("ship to Dublin?"), Some("PH"), ship), Some("PH".into()));
        // A place the shop serves among others: the one it does not is the answer.
        assert_eq!(g.cant_ship(&normalize("ship to ireland or france"), None, ship), Some("FR".into()));
        // No place named: the viewer's own region decides.
        assert_eq!(g.cant_ship(&normalize("do you ship here?"), Some("PH"), ship), Some("PH".into()));
        assert_eq!(g.cant_ship(&normalize("do you ship here?"), Some("GB"), ship), None);
        assert_eq!(g.cant_ship(&normalize("do you ship here?"), None, ship), None);
    }

    #[test]
    fn a_buyer_from_outside_is_cant_ship_but_small_talk_is_not() {
        let g = gate(&["GB"]);
        let buyer = tags(&[Tag::Buyer]);
        assert_eq!(g.cant_ship("how much", Some("ph"), buyer), Some("PH".into()));
        assert_eq!(g.cant_ship("how much", Some("GB"), buyer), None);
        assert_eq!(g.cant_ship("love it", Some("PH"), Tags::NONE), None);
        assert_eq!(g.cant_ship("how much", Some("PH"), buyer.with(Tag::Spam)), None);
    }

    #[test]
    fn the_gate_is_off_until_the_shop_says_where_it_ships() {
        let g = gate(&[]);
        assert!(!g.enabled());
        assert_eq!(g.cant_ship("ship to manila", Some("PH"), tags(&[Tag::Shipping])), None);
    }

    #[test]
    fn the_shops_own_aliases_come_first() {
        let mut config = Shipping { ships_to: vec!["GB".into()], ..Default::default() };
        config.aliases.insert("Isle of Man".into(), "IM".into());
        config.aliases.insert("Belfast".into(), "GB".into());
        let g = ShippingGate::new(&config);
        let ship = tags(&[Tag::Shipping]);
        assert_eq!(g.cant_ship("ship to isle of man", Some("GB"), ship), Some("IM".into()));
        assert_eq!(g.cant_ship("ship to belfast", Some("GB"), ship), None);
        assert_eq!(g.ships_to(), "the UK");
    }

    /// What the desk does with a comment: the classifier's tags, then the gate.
    fn gate_says(g: &ShippingGate, region: &str, text: &str) -> Option<String> {
        use crate::config::model::ChatConfig;
        use crate::desk::classify::{Classifier, Said};
        let mut c = Classifier::new(&ChatConfig::default());
        let context = Default::default();
        let tags = c.classify(Said { user_id: "", text, question: false, claim: false, at_ms: 0, context });
        g.cant_ship(c.normalized(), Some(region), tags)
    }

    #[test]
    fn shipping_internationally_or_to_europe_is_cant_ship() {
        let g = gate(&["GB"]);
        assert_eq!(gate_says(&g, "GB", "do you ship internationally?"), Some("ZZ".into()));
        assert_eq!(gate_says(&g, "GB", "do you ship to Europe?"), Some("EU".into()));
    }

    #[test]
    fn northern_ireland_is_the_uk() {
        let g = gate(&["GB"]);
        for text in ["do you ship to Derry?", "do you post to Belfast?"] {
            let mut named = Vec::new();
            BUILTIN_PLACES.named(&normalize(text), &mut named);
            assert_eq!(named, ["GB"], "{text:?}");
            assert_eq!(gate_says(&g, "GB", text), None, "{text:?}");
        }
    }

    #[test]
    fn a_viewers_region_marks_cant_ship_only_on_purchase_minded_comments() {
        let g = gate(&["GB"]);
        assert_eq!(gate_says(&g, "PH", "what's your dog called?"), None);
        assert_eq!(g.cant_ship("whats your dog called", Some("PH"), tags(&[Tag::Question])), None);
        assert_eq!(gate_says(&g, "PH", "magkano po"), Some("PH".into()));
        assert_eq!(g.cant_ship("ah solo uk ni modo", Some("AR"), tags(&[Tag::Shipping])), Some("AR".into()));
    }

    #[test]
    fn auto_answers_go_once_per_viewer_per_window() {
        let mut g = gate(&["GB"]);
        assert!(g.may_auto_answer("ann", 0));
        assert!(!g.may_auto_answer("ann", 29 * 60_000));
        assert!(g.may_auto_answer("bob", 60_000));
        assert!(g.may_auto_answer("ann", 30 * 60_000));
        let mut off = ShippingGate::new(&Shipping { ships_to: vec!["GB".into()], ..Default::default() });
        assert!(!off.may_auto_answer("ann", 0));
    }
}
