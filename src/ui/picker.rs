//! The reply picker's ranking: canned replies found by typing a few letters of their title,
//! text, category or tags (fuzzy, with nucleo's matcher). With nothing typed, the replies used
//! most come first, so the shop's best answers rise. The popup itself is
//! [`crate::ui::panes::picker`].

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use crate::config::model::ReplySpec;
use crate::desk::replies::{AUTO_TAGS, CANT_SHIP, Replies};

/// What a reply is found by: its title, category, tags and text (every language).
fn haystack(r: &ReplySpec) -> String {
    let mut s = String::with_capacity(r.title.len() + r.text.len() + 32);
    s.push_str(&r.title);
    for part in r.category.iter().chain(&r.tags).chain(&r.keywords) {
        s.push(' ');
        s.push_str(part);
    }
    s.push(' ');
    s.push_str(&r.text);
    for text in r.lang.values() {
        s.push(' ');
        s.push_str(text);
    }
    s
}

/// Whether the operator sends a reply by hand: it has a key, words it answers, or a tag that
/// is not only for the desk to send by itself (claim answers need a claim: not listed).
fn by_hand(r: &ReplySpec) -> bool {
    r.key.is_some()
        || !r.keywords.is_empty()
        || r.tags.iter().any(|t| t == CANT_SHIP || !AUTO_TAGS.contains(&t.as_str()))
}

/// The replies that match `query`, best first; every reply, most used first, when it is
/// empty. Ties keep the file's order.
pub fn ranked<'a>(replies: &'a Replies, query: &str) -> Vec<&'a ReplySpec> {
    let all = replies.all();
    let mut rows: Vec<(u64, usize, &ReplySpec)> = if query.trim().is_empty() {
        all.iter().enumerate().map(|(i, r)| (replies.uses(r.id()), i, r)).collect()
    } else {
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let hay: Vec<String> = all.iter().map(haystack).collect();
        pattern
            .match_list(hay.iter().enumerate().map(|(i, h)| Indexed(i, h)), &mut matcher)
            .into_iter()
            .map(|(Indexed(i, _), score)| {
                (u64::from(score) * 1_000 + replies.uses(all[i].id()).min(999), i, &all[i])
            })
            .collect()
    };
    rows.retain(|(_, _, r)| by_hand(r));
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    rows.into_iter().map(|(_, _, r)| r).collect()
}

/// A haystack with its reply's position, for the matcher.
struct Indexed<'a>(usize, &'a String);

impl AsRef<str> for Indexed<'_> {
    fn as_ref(&self) -> &str {
        self.1
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn replies(uses: &[(&str, u64)]) -> Replies {
        let mut shipping = ReplySpec::new("Shipping: UK only", "We only ship to {ships_to} 💕");
        shipping.category = Some("Shipping".into());
        shipping.tags = vec!["cant-ship".into()];
        shipping.lang.insert("es".into(), "Solo enviamos a {ships_to}".into());
        let mut sizing = ReplySpec::new("Sizing", "24 nails in 12 sizes");
        sizing.keywords = vec!["talla".into()];
        let mut price = ReplySpec::new("Price and stock", "{product} is {price}");
        price.key = Some("2".into());
        let mut confirmed = ReplySpec::new("Claim confirmed", "@{user} {product} is yours");
        confirmed.tags = vec!["claim-confirmed".into()];
        let uses = uses.iter().map(|(k, n)| (k.to_string(), *n)).collect::<BTreeMap<_, _>>();
        Replies::new(&[shipping, sizing, price, confirmed], uses)
    }

    fn titles(rows: Vec<&ReplySpec>) -> Vec<&str> {
        rows.into_iter().map(|r| r.title.as_str()).collect()
    }

    #[test]
    fn nothing_typed_lists_the_most_used_first_and_not_the_claim_answers() {
        let r = replies(&[("Price and stock", 7), ("Sizing", 2)]);
        assert_eq!(titles(ranked(&r, "")), ["Price and stock", "Sizing", "Shipping: UK only"]);
        assert_eq!(titles(ranked(&replies(&[]), " ")), ["Shipping: UK only", "Sizing", "Price and stock"]);
    }

    #[test]
    fn a_few_letters_find_a_reply_by_title_text_tags_or_language() {
        let r = replies(&[]);
        assert_eq!(titles(ranked(&r, "shp")), ["Shipping: UK only"]);
        assert_eq!(titles(ranked(&r, "price")), ["Price and stock"]);
        assert_eq!(titles(ranked(&r, "12 siz")), ["Sizing"]);
        assert_eq!(titles(ranked(&r, "enviamos")), ["Shipping: UK only"]);
        assert_eq!(titles(ranked(&r, "talla")), ["Sizing"]);
        assert_eq!(titles(ranked(&r, "cant-ship")), ["Shipping: UK only"]);
        assert!(ranked(&r, "zzzq").is_empty());
    }
}
