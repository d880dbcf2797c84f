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

/// Fills `{user}`, `{product}`, `{price}`, `{stock}` and `{time_left}`. A field with no
/// value gets a neutral word so the message still reads well; unknown braces stay.
pub fn fill(template: &str, ctx: &TemplateContext) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let value = match name {
            "user" => Some(ctx.user.as_deref().unwrap_or("everyone")),
            "product" => Some(ctx.product.as_deref().unwrap_or("this one")),
            "price" => Some(ctx.price.as_deref().unwrap_or("on screen")),
            "stock" => Some(ctx.stock.as_deref().unwrap_or("a few")),
            "time_left" => Some(ctx.time_left.as_deref().unwrap_or("not long")),
            _ => None,
        };
        match value {
            Some(v) => out.push_str(v),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The canned replies, in file order.
#[derive(Clone, Debug, Default)]
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
        self.replies.iter().find(|r| r.key == key)
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
            fill("Hi @{user}! {product} is {price}, {stock} left, {time_left} to go", &ctx),
            "Hi @maria! Almond blush is £4.99, 7 left, 1:05 to go"
        );
    }

    #[test]
    fn missing_values_read_naturally_and_unknown_fields_stay() {
        let ctx = TemplateContext::default();
        assert_eq!(fill("Hi @{user}! {nope} {", &ctx), "Hi @everyone! {nope} {");
        assert_eq!(fill("no fields", &ctx), "no fields");
        assert_eq!(fill("💅 {product}💅", &ctx), "💅 this one💅");
    }
}
