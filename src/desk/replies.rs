//! Canned replies and their templates.

use crate::config::model::ReplySpec;

/// The values a reply template can use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateContext {
    pub user: Option<String>,
    pub product: Option<String>,
    pub price: Option<String>,
    pub stock: Option<String>,
    pub time_left: Option<String>,
}

/// The template fields a reply may use.
pub const FIELDS: [&str; 5] = ["user", "product", "price", "stock", "time_left"];

/// The tags that make the desk send a reply by itself: a reply with one needs no key.
pub const AUTO_TAGS: [&str; 8] = [
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
    if missing.iter().all(|f| *f == "time_left") {
        "start a flash sale first"
    } else {
        "pin a product or start a flash sale first"
    }
}

/// The canned replies, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Replies {
    replies: Vec<ReplySpec>,
}

impl Replies {
    pub fn new(replies: &[ReplySpec]) -> Self {
        Replies { replies: replies.to_vec() }
    }

    /// Every reply in file order.
    pub fn all(&self) -> &[ReplySpec] {
        &self.replies
    }

    /// The reply on a key.
    pub fn by_key(&self, key: &str) -> Option<&ReplySpec> {
        self.replies.iter().find(|r| r.key.as_deref() == Some(key))
    }

    /// The first reply carrying a tag (e.g. `sale-start`, `sold-out`).
    pub fn by_tag(&self, tag: &str) -> Option<&ReplySpec> {
        self.replies.iter().find(|r| r.tags.iter().any(|t| t == tag))
    }
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
