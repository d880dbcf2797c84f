//! Canned replies: their templates, how often each is used, and which one answers a
//! given comment best.

use std::collections::BTreeMap;

use super::classify::{Tag, Tags, has_words, normalize};
use crate::config::model::ReplySpec;

/// The values a reply template can use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateContext {
    pub user: Option<String>,
    pub product: Option<String>,
    pub price: Option<String>,
    pub stock: Option<String>,
    pub time_left: Option<String>,
    /// Where the shop ships, as a sentence ("the UK and Ireland").
    pub ships_to: Option<String>,
}

/// The template fields a reply may use.
pub const FIELDS: [&str; 6] = ["user", "product", "price", "stock", "time_left", "ships_to"];

/// The tag of the polite "we only ship to …" reply the shipping gate suggests (and may send
/// by itself).
pub const CANT_SHIP: &str = "cant-ship";

/// The tags that make the desk send a reply by itself: a reply with one needs no key.
pub const AUTO_TAGS: [&str; 9] = [
    CANT_SHIP,
    "sale-preheat",
    "sale-start",
    "sold-out",
    "sale-ended",
    "claim-confirmed",
    "claim-rejected",
    "claim-waitlisted",
    "claim-promoted",
];

/// Fills `{user}`, `{product}`, `{price}`, `{stock}` and `{time_left}`; unknown braces
/// stay as written. A reply with no viewer to answer speaks to "everyone"; a field about the
/// product or the sale with nothing to fill it is an error naming the fields, because a
/// message like "only a few left, not long on the clock!" must never reach the audience.
pub fn fill(template: &str, ctx: &TemplateContext) -> Result<String, Vec<&'static str>> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut missing = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        let value = match name {
            "user" => Some(Some(ctx.user.as_deref().unwrap_or("everyone"))),
            "product" => Some(ctx.product.as_deref()),
            "price" => Some(ctx.price.as_deref()),
            "stock" => Some(ctx.stock.as_deref()),
            "time_left" => Some(ctx.time_left.as_deref()),
            "ships_to" => Some(ctx.ships_to.as_deref()),
            _ => None,
        };
        match value {
            Some(Some(v)) => out.push_str(v),
            Some(None) => {
                let field = FIELDS.into_iter().find(|f| *f == name).expect("a known field");
                if !missing.contains(&field) {
                    missing.push(field);
                }
            }
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    if missing.is_empty() { Ok(out) } else { Err(missing) }
}

/// What the operator can do so that these fields can be filled.
pub fn how_to_fill(missing: &[&str]) -> &'static str {
    if missing.contains(&"ships_to") {
        "set [shipping] ships_to in settings.toml"
    } else if missing.iter().all(|f| *f == "time_left") {
        "start a flash sale first"
    } else {
        "pin a product or start a flash sale first"
    }
}

/// The canned replies, in file order, with how often each was used (this stream and the
/// streams before it, from the store).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Replies {
    replies: Vec<ReplySpec>,
    /// Each reply's keywords, normalized as comments are.
    keywords: Vec<Vec<String>>,
    uses: BTreeMap<String, u64>,
}

/// What the desk knows about a comment when it suggests a reply.
#[derive(Clone, Copy, Debug, Default)]
pub struct Asked<'a> {
    /// The comment, normalized as chat triage normalizes it.
    pub norm: &'a str,
    pub tags: Tags,
    /// The products it names (skus).
    pub products: &'a [String],
    /// The product on screen (a live sale's, or the pinned one).
    pub on_screen: Option<&'a str>,
    /// Its language, by chat.toml's rules.
    pub lang: Option<&'a str>,
}

/// The least score a reply needs to be suggested: a keyword, or two clues together.
const SUGGEST_AT: i32 = 4;

impl Replies {
    /// The replies of `replies.toml`, with the use counts of earlier streams.
    pub fn new(replies: &[ReplySpec], uses: BTreeMap<String, u64>) -> Self {
        let keywords = replies
            .iter()
            .map(|r| r.keywords.iter().map(|k| normalize(k)).filter(|k| !k.is_empty()).collect())
            .collect();
        Replies { replies: replies.to_vec(), keywords, uses }
    }

    /// The same counts with the replies of an edited `replies.toml`.
    pub fn reload(&mut self, replies: &[ReplySpec]) {
        *self = Replies::new(replies, std::mem::take(&mut self.uses));
    }

    /// Every reply in file order.
    pub fn all(&self) -> &[ReplySpec] {
        &self.replies
    }

    /// The reply on a key.
    pub fn by_key(&self, key: &str) -> Option<&ReplySpec> {
        self.replies.iter().find(|r| r.key.as_deref() == Some(key))
    }

    /// The reply with this id (its title when it has no id).
    pub fn by_id(&self, id: &str) -> Option<&ReplySpec> {
        self.replies.iter().find(|r| r.id() == id)
    }

    /// The first reply carrying a tag (e.g. `sale-start`, `sold-out`).
    pub fn by_tag(&self, tag: &str) -> Option<&ReplySpec> {
        self.replies.iter().find(|r| r.tags.iter().any(|t| t == tag))
    }

    /// How many times a reply was sent, all streams together.
    pub fn uses(&self, id: &str) -> u64 {
        self.uses.get(id).copied().unwrap_or(0)
    }

    /// Counts one more use of a reply.
    pub fn used(&mut self, id: &str) {
        *self.uses.entry(id.to_owned()).or_default() += 1;
    }

    /// The replies that fit a comment well enough, best first.
    ///
    /// A viewer the shop cannot ship to gets the "can't ship" reply. Otherwise each reply
    /// scores by the comment's words among its keywords, its tags among the comment's, and
    /// the products both name; a reply for another product is out. Ties go to the reply
    /// used more, then to the one first in the file.
    pub fn suggestions(&self, asked: &Asked<'_>) -> Vec<&ReplySpec> {
        if asked.tags.has(Tag::CantShip)
            && let Some(r) = self.by_tag(CANT_SHIP)
        {
            return vec![r];
        }
        let mut scored: Vec<(i32, u64, usize, &ReplySpec)> = Vec::new();
        for (i, (r, keywords)) in self.replies.iter().zip(&self.keywords).enumerate() {
            if r.key.is_none() && keywords.is_empty() {
                // Sent by the desk itself (claim answers, sale announcements).
                continue;
            }
            match Self::score(r, keywords, asked) {
                Some(score) if score >= SUGGEST_AT => scored.push((score, self.uses(r.id()), i, r)),
                _ => {}
            }
        }
        scored.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)).then(a.2.cmp(&b.2)));
        scored.into_iter().map(|(.., r)| r).collect()
    }

    fn score(r: &ReplySpec, keywords: &[String], asked: &Asked<'_>) -> Option<i32> {
        let mut score = 0;
        let words = keywords.iter().filter(|k| has_words(asked.norm, k)).count().min(2);
        score += 4 * words as i32;
        let tags = asked.tags.iter().filter(|t| r.tags.iter().any(|rt| rt == t.name())).count();
        score += 2 * tags as i32;
        if !r.products.is_empty() {
            let about = |sku: &str| r.products.iter().any(|p| p.eq_ignore_ascii_case(sku));
            if asked.products.iter().any(|p| about(p)) {
                score += 3;
            } else if !asked.products.is_empty() {
                return None;
            } else if asked.on_screen.is_some_and(about) {
                score += 1;
            } else {
                return None;
            }
        }
        if asked.lang.is_some_and(|l| r.lang.contains_key(l)) {
            score += 1;
        }
        Some(score)
    }
}

/// A reply's text in a language, else in its own.
pub fn text_in<'a>(reply: &'a ReplySpec, lang: Option<&str>) -> &'a str {
    lang.and_then(|l| reply.lang.get(l)).map_or(reply.text.as_str(), String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_known_fields() {
        let ctx = TemplateContext {
            user: Some("maria".into()),
            product: Some("Almond blush".into()),
            price: Some("£4.99".into()),
            stock: Some("7".into()),
            time_left: Some("1:05".into()),
            ships_to: None,
        };
        assert_eq!(
            fill("Hi @{user}! {product} is {price}, {stock} left, {time_left} to go", &ctx).unwrap(),
            "Hi @maria! Almond blush is £4.99, 7 left, 1:05 to go"
        );
    }

    #[test]
    fn no_viewer_means_everyone_and_unknown_fields_stay() {
        let ctx = TemplateContext::default();
        assert_eq!(fill("Hi @{user}! {nope} {", &ctx).unwrap(), "Hi @everyone! {nope} {");
        assert_eq!(fill("no fields", &ctx).unwrap(), "no fields");
        assert_eq!(fill("💅 {user}💅", &ctx).unwrap(), "💅 everyone💅");
    }

    #[test]
    fn product_and_sale_fields_with_nothing_to_fill_them_are_refused() {
        let ctx = TemplateContext { user: Some("maria".into()), ..Default::default() };
        assert_eq!(
            fill("FLASH SALE! {product} for {price}, {stock} left, {time_left}! {product}", &ctx),
            Err(vec!["product", "price", "stock", "time_left"])
        );
        assert_eq!(how_to_fill(&["time_left"]), "start a flash sale first");
        assert_eq!(how_to_fill(&["product", "time_left"]), "pin a product or start a flash sale first");
    }
}
