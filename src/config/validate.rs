//! The rules a well-formed file must also follow: ranges, references between files,
//! duplicates. Each broken rule is an error at the offending value.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use crossterm::event::{KeyCode, KeyModifiers};
use rust_decimal::Decimal;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, Seg, Source, span_at};
use super::keymap::{KeyChord, Keymap, Mode};
use super::library::Library;
use super::model::{
    Catalog, ChatConfig, ClaimsConfig, Replies, ReplySpec, SaleSpec, SalesPlan, Settings, Shipping,
};
use crate::text::{compile, normalize};

use crate::config::model::PARTLY_HELD_FIELDS;
use crate::config::model::REPLY_KINDS;
use crate::config::model::RULE_TAGS;
/// The fields a reply text may use, as `{name}`.
pub use crate::config::model::TEMPLATE_FIELDS;

mod giveaways;
mod show;

/// What the tests of giveaways.toml and show.toml share: a config dir holding given files,
/// and the errors loading it gives, located and with their fixes.
#[cfg(test)]
mod testing {
    use crate::config::{EnvInfo, Paths, load};

    pub fn dir_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let paths = Paths { config_dir: dir.path().to_path_buf(), state_dir: dir.path().join("state") };
        (dir, paths)
    }

    /// Errors as `file:line:col: message`, and their fixes, for `file` holding `text` beside
    /// the demo shop.
    pub fn errors(file: &str, text: &str) -> Vec<(String, String)> {
        let (dir, paths) = dir_with(&[(file, text)]);
        let errs = load(&paths, &EnvInfo::default()).expect_err("the file should not load");
        errs.0
            .iter()
            .map(|e| {
                let file = e.file.strip_prefix(dir.path()).unwrap_or(&e.file);
                (format!("{}:{}:{}: {}", file.display(), e.line, e.col, e.message), e.fix.clone())
            })
            .collect()
    }
}
pub use show::ShowRefs;

/// Collects errors for one file, each located by a path into its document.
pub(crate) struct Checker<'a, 's> {
    pub src: &'s Source,
    pub doc: &'a Spanned<DeTable<'s>>,
    pub errors: &'a mut Vec<ConfigError>,
}

impl Checker<'_, '_> {
    pub(super) fn at(&mut self, path: &[Seg<'_>], message: impl Into<String>, fix: impl Into<String>) {
        let span = span_at(self.doc, path);
        self.errors.push(self.src.error(span, message, fix));
    }

    pub(super) fn line_at(&self, path: &[Seg<'_>]) -> usize {
        self.src.line_of(span_at(self.doc, path).start)
    }

    /// Prices must be quoted decimals: serde would accept a float, and money is never f64.
    pub fn decimal_strings(&mut self, array: &str) {
        let Some(items) = self.doc.get_ref().get(array).and_then(|v| v.get_ref().as_array()) else {
            return;
        };
        for item in items.iter() {
            let Some(price) = item.get_ref().as_table().and_then(|t| t.get("price")) else {
                continue;
            };
            if matches!(price.get_ref(), DeValue::Float(_) | DeValue::Integer(_)) {
                self.errors.push(self.src.error(
                    price.span(),
                    "price must be a decimal string like \"8.99\"",
                    "write it in quotes",
                ));
            }
        }
    }

    /// `settings.toml`: ranges, the feed address, and keymap and theme names that exist.
    pub fn settings(&mut self, s: &Settings, keymaps: &Library, themes: &Library) {
        if !(1..=120).contains(&s.fps) {
            self.at(
                &[Seg::Key("fps")],
                format!("fps must be from 1 to 120, found {}", s.fps),
                "30 is plenty for a terminal; write fps = 30",
            );
        }
        if !(1_000..=1_000_000).contains(&s.scrollback) {
            self.at(
                &[Seg::Key("scrollback")],
                format!("scrollback must be from 1000 to 1000000 messages, found {}", s.scrollback),
                "write scrollback = 100000 (older messages stay in the journal)",
            );
        }
        if let Some(url) = &s.feed.url
            && !(url.starts_with("ws://") || url.starts_with("wss://"))
        {
            self.at(
                &[Seg::Key("feed"), Seg::Key("url")],
                format!("feed url `{url}` is not a WebSocket address"),
                "start it with wss:// (or ws:// for a local server), or remove the line to run the demo",
            );
        }
        if s.feed.token_env.trim().is_empty() {
            self.at(
                &[Seg::Key("feed"), Seg::Key("token_env")],
                "token_env must name an environment variable",
                "write token_env = \"LIVEDESK_TOKEN\"",
            );
        }
        if let Some(limit) = &s.feed.send_limit
            && let Err(e) = crate::protocol::SendLimit::parse(limit)
        {
            self.at(
                &[Seg::Key("feed"), Seg::Key("send_limit")],
                format!("send_limit {e}"),
                "write messages per window, like send_limit = \"20/30s\" or \"100/1m\", or \"off\"",
            );
        }
        if let Some(path) = s.feed.ca_path(self.src.origin.parent().unwrap_or(std::path::Path::new("")))
            && let Err(e) = super::certs::read_roots(&path)
        {
            self.at(
                &[Seg::Key("feed"), Seg::Key("ca_file")],
                format!("ca_file: {e}"),
                "point it at the relay's CA certificate in PEM (-----BEGIN CERTIFICATE-----), \
                 a path relative to the config dir",
            );
        }
        if let Err(e) = super::model::parse_quiet_after(&s.feed.quiet_after) {
            self.at(
                &[Seg::Key("feed"), Seg::Key("quiet_after")],
                format!("quiet_after {e}"),
                "write how long no comment may come, like quiet_after = \"60s\" or \"2m\", or \"off\"",
            );
        }
        for (key, name, lib) in [("keymap", &s.keymap, keymaps), ("theme", &s.theme, themes)] {
            if !lib.has(name) {
                self.at(&[Seg::Key(key)], format!("unknown {} `{name}`", lib.kind().noun()), lib.choices());
            }
        }
        if let Some(shipping) = &s.shipping {
            self.shipping(shipping);
        }
        self.store(&s.store);
    }

    /// `[store]`: a PostgreSQL address, and never a password.
    fn store(&mut self, s: &super::model::StoreSettings) {
        if s.password.is_some() {
            self.at(
                &[Seg::Key("store"), Seg::Key("password")],
                "a password is never kept in settings.toml",
                "use PGPASSWORD, ~/.pgpass or password_file",
            );
        }
        if let Some(url) = &s.url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            self.at(
                &[Seg::Key("store"), Seg::Key("url")],
                format!("store url `{url}` is not a PostgreSQL address"),
                "write url = \"postgres://USER@HOST:PORT/DB\", or remove it to keep the SQLite store",
            );
        }
    }

    /// `[shipping]`: region codes as platforms send them, a time for auto-answers.
    fn shipping(&mut self, s: &Shipping) {
        let code = |c: &str| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase());
        for (i, c) in s.ships_to.iter().enumerate() {
            if !code(c) {
                self.at(
                    &[Seg::Key("shipping"), Seg::Key("ships_to"), Seg::Index(i)],
                    format!("`{c}` is not a region code"),
                    "write two capital letters, the ISO 3166 code: \"GB\", \"IE\", \"PH\"",
                );
            }
        }
        for (name, c) in &s.aliases {
            if !code(c) {
                self.at(
                    &[Seg::Key("shipping"), Seg::Key("aliases"), Seg::Key(name)],
                    format!("`{c}` is not a region code"),
                    format!("write the place's ISO 3166 code in capitals, like \"{name}\" = \"PH\""),
                );
            }
        }
        if s.auto_answer && s.auto_answer_minutes == 0 {
            self.at(
                &[Seg::Key("shipping"), Seg::Key("auto_answer_minutes")],
                "auto_answer_minutes must be at least 1",
                "write auto_answer_minutes = 30 (a viewer is answered once in that time)",
            );
        }
    }

    /// `catalog.toml`: the currency code, unique non-empty SKUs and names, positive prices.
    pub fn catalog(&mut self, c: &Catalog) {
        if !(c.currency.len() == 3 && c.currency.chars().all(|ch| ch.is_ascii_uppercase())) {
            self.at(
                &[Seg::Key("currency")],
                format!("currency `{}` is not a 3-letter currency code", c.currency),
                "write its ISO 4217 code in capitals, like \"GBP\", \"EUR\" or \"USD\"",
            );
        }
        let twins = earlier_twins(c.products.iter().map(|p| p.sku.as_str()));
        for (i, p) in c.products.iter().enumerate() {
            let at = |field| [Seg::Key("product"), Seg::Index(i), Seg::Key(field)];
            if p.sku.trim().is_empty() {
                self.at(&at("sku"), "sku is empty", "write the platform's SKU for this product");
            } else if let Some(first) = twins[i] {
                let line = self.line_at(&at_product(first, "sku"));
                self.at(
                    &at("sku"),
                    format!("duplicate sku `{}` (first on line {line})", p.sku),
                    "give each product its own sku, or merge the two entries",
                );
            }
            if p.name.trim().is_empty() {
                self.at(&at("name"), "name is empty", "write the product's name as you call it");
            }
            if p.price <= Decimal::ZERO {
                self.at(
                    &at("price"),
                    format!("price must be more than 0, found {}", p.price),
                    "write the product's normal price, like \"8.99\"",
                );
            }
        }
        self.aliases(c);
        self.variants(c);
        self.codes(c);
    }

    /// Aliases: each names one product only, and is not empty once normalized.
    fn aliases(&mut self, c: &Catalog) {
        let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (i, p) in c.products.iter().enumerate() {
            for key in [&p.sku, &p.name] {
                names.entry(normalize(key)).or_insert(i);
            }
        }
        for (i, p) in c.products.iter().enumerate() {
            for (k, alias) in p.aliases.iter().enumerate() {
                let at = [Seg::Key("product"), Seg::Index(i), Seg::Key("aliases"), Seg::Index(k)];
                let key = normalize(alias);
                if key.is_empty() {
                    self.at(
                        &at,
                        format!("alias `{alias}` is empty once emoji and punctuation are dropped"),
                        "write the words viewers use for the product, like \"almond pink\"",
                    );
                    continue;
                }
                match names.get(&key) {
                    Some(&j) if j != i => {
                        let line = self.line_at(&at_product(j, "sku"));
                        self.at(
                            &at,
                            format!("alias `{alias}` also names `{}` (line {line})", c.products[j].sku),
                            "give each product its own aliases: a claim must name one product",
                        );
                    }
                    Some(_) => {}
                    None => {
                        names.insert(key, i);
                    }
                }
            }
        }
    }

    /// `sales.toml`: unique ids, SKUs from the catalogue, sane prices, quantities, times and
    /// limits, and scheduled starts that leave each product in one sale at a time.
    pub fn sales(&mut self, plan: &SalesPlan, catalog: Option<&Catalog>) {
        let twins = earlier_twins(plan.sales.iter().map(|s| s.id.as_str()));
        for (i, s) in plan.sales.iter().enumerate() {
            let at = |field| [Seg::Key("sale"), Seg::Index(i), Seg::Key(field)];
            if s.id.trim().is_empty() || s.id.chars().any(char::is_whitespace) {
                self.at(
                    &at("id"),
                    format!("sale id `{}` must be a word with no spaces", s.id),
                    "write a short name like \"mug-flash\"",
                );
            } else if let Some(first) = twins[i] {
                let line = self.line_at(&[Seg::Key("sale"), Seg::Index(first), Seg::Key("id")]);
                self.at(
                    &at("id"),
                    format!("duplicate sale id `{}` (first on line {line})", s.id),
                    "give each sale its own id",
                );
            }
            let product = catalog.map(|c| c.products.iter().find(|p| p.sku == s.sku));
            if let (Some(None), Some(c)) = (product, catalog) {
                let skus: Vec<&str> = c.products.iter().map(|p| p.sku.as_str()).collect();
                self.at(
                    &at("sku"),
                    format!("no product with sku `{}` in the catalogue", s.sku),
                    if skus.is_empty() {
                        "add the product to catalog.toml first".to_string()
                    } else {
                        format!("use a sku from catalog.toml: {}", skus.join(", "))
                    },
                );
            }
            if s.price <= Decimal::ZERO {
                self.at(
                    &at("price"),
                    format!("sale price must be more than 0, found {}", s.price),
                    "write the sale price, like \"4.99\"",
                );
            }
            if s.quantity == 0 {
                self.at(
                    &at("quantity"),
                    "sale quantity is 0",
                    "write how many units go at the sale price, like quantity = 10",
                );
            } else if let Some(Some(p)) = product
                && s.quantity > p.total_stock()
            {
                self.at(
                    &at("quantity"),
                    format!(
                        "sale quantity {} is more than the {} `{}` in stock",
                        s.quantity,
                        p.total_stock(),
                        p.sku
                    ),
                    format!("lower it to {} or less, or raise the stock in catalog.toml", p.total_stock()),
                );
            }
            if !(10..=3600).contains(&s.seconds) {
                self.at(
                    &at("seconds"),
                    format!("sale seconds must be from 10 to 3600, found {}", s.seconds),
                    "write the countdown length in seconds, like seconds = 120",
                );
            }
            if let Some(p) = s.preheat
                && !(10..=300).contains(&p)
            {
                self.at(
                    &at("preheat"),
                    format!("sale preheat must be from 10 to 300 seconds, found {p}"),
                    "write the \"starts in\" countdown in seconds, like preheat = 30, or remove the line",
                );
            }
            match s.per_customer {
                Some(0) => self.at(
                    &at("per_customer"),
                    "per_customer is 0",
                    "write how many units one customer may buy, like per_customer = 2, or remove the \
                     line for no limit",
                ),
                Some(n) if s.quantity > 0 && n > s.quantity => self.at(
                    &at("per_customer"),
                    format!("per_customer {n} is more than the sale quantity {}", s.quantity),
                    format!("lower it to {} or less, or remove the line for no limit", s.quantity),
                ),
                _ => {}
            }
            self.schedule_clash(plan, i);
        }
    }

    /// Two scheduled sales of one product must not overlap, preheat included: the second
    /// would be refused at its start time, in the middle of the stream.
    fn schedule_clash(&mut self, plan: &SalesPlan, i: usize) {
        let window = |s: &SaleSpec| {
            let start = s.starts_at?;
            let from = start - chrono::Duration::seconds(i64::from(s.preheat.unwrap_or(0)));
            Some((from, start + chrono::Duration::seconds(i64::from(s.seconds))))
        };
        let s = &plan.sales[i];
        let Some((from, until)) = window(s) else { return };
        let clash = plan.sales[..i].iter().enumerate().find_map(|(j, t)| {
            let (t_from, t_until) = window(t).filter(|_| t.sku == s.sku)?;
            (from < t_until && t_from < until).then_some((j, t_until))
        });
        if let Some((j, t_until)) = clash {
            let first = &plan.sales[j];
            let line = self.line_at(&[Seg::Key("sale"), Seg::Index(j), Seg::Key("starts_at")]);
            let earliest = t_until + chrono::Duration::seconds(i64::from(s.preheat.unwrap_or(0)));
            self.at(
                &[Seg::Key("sale"), Seg::Index(i), Seg::Key("starts_at")],
                format!(
                    "sale `{}` is scheduled while sale `{}` (line {line}) is selling `{}`",
                    s.id, first.id, s.sku
                ),
                format!(
                    "a product is in one flash sale at a time: start it at {} or later",
                    earliest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            );
        }
    }

    /// `replies.toml`: one free key each, non-empty text, known template fields.
    pub fn replies(&mut self, replies: &Replies, keymap: Option<&Keymap>, catalog: Option<&Catalog>) {
        self.reply_ids(replies, catalog);
        self.allowed_links(&replies.allowed_links);
        let twins = earlier_twins(replies.replies.iter().map(|r| r.key.as_deref()));
        for (i, r) in replies.replies.iter().enumerate() {
            let at = |field| [Seg::Key("reply"), Seg::Index(i), Seg::Key(field)];
            // A reply with no key is sent from the picker, or by the desk for its tags.
            let Some(key) = r.key.as_deref() else {
                self.reply_text(r, i);
                continue;
            };
            let mut chars = key.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() && !c.is_whitespace() => {
                    if let Some(first) = twins[i] {
                        let line = self.line_at(&[Seg::Key("reply"), Seg::Index(first), Seg::Key("key")]);
                        self.at(
                            &at("key"),
                            format!("reply key `{c}` is used twice (first on line {line})"),
                            "give each reply its own key",
                        );
                    } else if let Some(km) = keymap {
                        let chord = KeyChord { code: KeyCode::Char(c), modifiers: KeyModifiers::NONE };
                        if let Some((_, action)) = km.bindings(Mode::Normal).iter().find(|(k, _)| *k == chord)
                        {
                            self.at(
                                &at("key"),
                                format!(
                                    "reply key `{c}` is taken: keymap `{}` binds it to `{}`",
                                    km.name,
                                    action.name()
                                ),
                                "use another key for this reply (the digits 1-9 are free in the \
                                 built-in keymaps), or rebind the key in your keymap",
                            );
                        }
                    }
                }
                _ => self.at(
                    &at("key"),
                    format!("reply key `{key}` must be a single character"),
                    "write one character, like key = \"1\"",
                ),
            }
            self.reply_text(r, i);
        }
    }

    /// Each allowed link is a bare host name (`nailnook.shop`): the check compares hosts.
    fn allowed_links(&mut self, links: &[String]) {
        for (i, link) in links.iter().enumerate() {
            let host_like = link.contains('.')
                && !link.starts_with('.')
                && !link.ends_with('.')
                && link.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
            if !host_like {
                self.at(
                    &[Seg::Key("allowed_links"), Seg::Index(i)],
                    format!("allowed link `{link}` is not a host name"),
                    "write the host alone, like \"nailnook.shop\" (no https://, no path)",
                );
            }
        }
    }

    /// A reply's title and text: not empty, and only known template fields.
    fn reply_text(&mut self, r: &ReplySpec, i: usize) {
        let at = |field| [Seg::Key("reply"), Seg::Index(i), Seg::Key(field)];
        if r.title.trim().is_empty() {
            self.at(&at("title"), "reply title is empty", "write a few words, like \"Shipping\"");
        }
        if r.text.trim().is_empty() {
            self.at(&at("text"), "reply text is empty", "write the message to send");
        }
        self.template(&r.text, &at("text"));
        if let Some(kind) = r.answers.as_deref().filter(|k| !REPLY_KINDS.contains(k)) {
            self.at(
                &at("answers"),
                format!("`{kind}` is not a kind of comment the reply model reads"),
                format!("write one of {}, or remove the line", REPLY_KINDS.join(", ")),
            );
        }
        for (lang, text) in &r.lang {
            let path = [Seg::Key("reply"), Seg::Index(i), Seg::Key("lang"), Seg::Key(lang)];
            if text.trim().is_empty() {
                self.at(
                    &path,
                    format!("the `{lang}` text is empty"),
                    "write the message, or remove the line",
                );
            }
            self.template(text, &path);
        }
    }

    /// Every `{field}` of a reply's text is one livedesk fills.
    fn template(&mut self, text: &str, path: &[Seg<'_>]) {
        self.template_with(text, path, &[]);
    }

    /// Every `{field}` of a reply's text is one livedesk fills, or one of `extra`, which this
    /// reply alone has.
    fn template_with(&mut self, text: &str, path: &[Seg<'_>], extra: &[&str]) {
        for field in template_fields(text) {
            if TEMPLATE_FIELDS.contains(&field) || extra.contains(&field) {
                continue;
            }
            let value = span_at(self.doc, path);
            let needle = format!("{{{field}}}");
            let offset = self.src.text.get(value.clone()).and_then(|raw| raw.find(&needle));
            let span = offset.map_or(value.clone(), |o| value.start + o..value.start + o);
            self.errors.push(self.src.error(
                span,
                format!("unknown field `{needle}` in the reply text"),
                if extra.is_empty() {
                    "use {user}, {product}, {price}, {stock}, {time_left} or {ships_to}".to_owned()
                } else {
                    let extra: Vec<String> = extra.iter().map(|f| format!("{{{f}}}")).collect();
                    format!(
                        "use {{user}}, {{product}}, {{price}}, {{stock}}, {{time_left}}, {{ships_to}}, {}",
                        extra.join(", ")
                    )
                },
            ));
        }
    }

    /// Reply ids are unique (use counts are kept by id) and their products are in the catalog.
    fn reply_ids(&mut self, replies: &Replies, catalog: Option<&Catalog>) {
        let twins = earlier_twins(replies.replies.iter().map(ReplySpec::id));
        let skus: Option<HashSet<String>> =
            catalog.map(|c| c.products.iter().map(|p| p.sku.to_ascii_lowercase()).collect());
        for (i, r) in replies.replies.iter().enumerate() {
            let field = if r.id.is_some() { "id" } else { "title" };
            if let Some(first) = twins[i] {
                let line = self.line_at(&[Seg::Key("reply"), Seg::Index(first)]);
                self.at(
                    &[Seg::Key("reply"), Seg::Index(i), Seg::Key(field)],
                    format!("two replies are called `{}` (the first on line {line})", r.id()),
                    "give one of them an id of its own, like id = \"shipping-uk\"; counts of use are kept by it",
                );
            }
            let Some(skus) = &skus else { continue };
            for (j, sku) in r.products.iter().enumerate() {
                if !skus.contains(&sku.to_ascii_lowercase()) {
                    self.at(
                        &[Seg::Key("reply"), Seg::Index(i), Seg::Key("products"), Seg::Index(j)],
                        format!("product `{sku}` is not in catalog.toml"),
                        "write a sku from catalog.toml, or remove it",
                    );
                }
            }
        }
    }

    /// `claims.toml`: a sane hold and limit, words that survive normalizing, and patterns that
    /// compile, use only known groups and leave ordinary comments alone.
    pub fn claims(&mut self, c: &ClaimsConfig) {
        if !(1..=240).contains(&c.hold_minutes) {
            self.at(
                &[Seg::Key("hold_minutes")],
                format!("hold_minutes must be from 1 to 240, found {}", c.hold_minutes),
                "write how long a claim holds stock, like hold_minutes = 10",
            );
        }
        if let Some(r) = c.reminder_minutes
            && (r == 0 || r >= c.hold_minutes)
        {
            self.at(
                &[Seg::Key("reminder_minutes")],
                format!(
                    "reminder_minutes must be from 1 to less than hold_minutes ({}), found {r}",
                    c.hold_minutes
                ),
                "write how many minutes before a claim runs out its buyer is reminded, like \
                 reminder_minutes = 2, or remove the line for no reminder",
            );
        }
        let r = &c.replies;
        for (key, text) in [
            ("pay", &r.pay),
            ("reminder", &r.reminder),
            ("expired", &r.expired),
            ("sold_out", &r.sold_out),
            ("passed", &r.passed),
            ("closed", &r.closed),
        ] {
            self.template(text, &[Seg::Key("replies"), Seg::Key(key)]);
        }
        self.template_with(
            &r.partly_held,
            &[Seg::Key("replies"), Seg::Key("partly_held")],
            &PARTLY_HELD_FIELDS,
        );
        if c.max_per_customer == Some(0) {
            self.at(
                &[Seg::Key("max_per_customer")],
                "max_per_customer is 0: nobody could claim anything",
                "write the most units one viewer may claim of a product, like max_per_customer = 2, \
                 or remove the line for no limit",
            );
        }
        for (list, words) in [("bare", &c.bare), ("ignore_trailing", &c.ignore_trailing)] {
            for (i, w) in words.iter().enumerate() {
                let norm = normalize(w);
                if norm.is_empty() {
                    self.at(
                        &[Seg::Key(list), Seg::Index(i)],
                        format!("`{w}` is empty once emoji and punctuation are dropped"),
                        "write words, like \"mine\"; comments are matched without emoji or punctuation",
                    );
                } else if list == "ignore_trailing" && norm.contains(' ') {
                    self.at(
                        &[Seg::Key(list), Seg::Index(i)],
                        format!("`{w}` is more than one word"),
                        "list single words, like \"pls\"",
                    );
                }
            }
        }
        for (i, p) in c.patterns.iter().enumerate() {
            let at = [Seg::Key("pattern"), Seg::Index(i), Seg::Key("regex")];
            let regex = match compile(&p.regex) {
                Ok(r) => r,
                Err(e) => {
                    let why = e.to_string();
                    let why =
                        why.lines().rev().find_map(|l| l.strip_prefix("error: ")).unwrap_or(&why).to_owned();
                    self.at(
                        &at,
                        format!("claim pattern does not compile: {why}"),
                        "fix the regular expression (Rust regex syntax; write it in single quotes so \
                         backslashes stay as they are)",
                    );
                    continue;
                }
            };
            if let Some(bad) = regex.capture_names().flatten().find(|n| *n != "item" && !n.starts_with("qty"))
            {
                self.at(
                    &at,
                    format!("unknown group `{bad}` in the claim pattern"),
                    "name groups `item` (the product as written) and `qty` (how many; more as qty2, qty3…)",
                );
            }
            if let Some(plain) = PLAIN_COMMENTS.iter().find(|t| regex.is_match(t)) {
                self.at(
                    &at,
                    format!("claim pattern matches an ordinary comment like “{plain}”"),
                    "anchor it with ^ and a claim word, like '^sold\\s+(?P<item>.+)$', or every comment \
                     would claim stock",
                );
            }
        }
    }
}

impl Checker<'_, '_> {
    /// `chat.toml`: known tags, rules that say something, words that survive normalizing,
    /// regexes that compile, and spam limits that make sense.
    pub fn chat(&mut self, c: &ChatConfig) {
        use crate::text::{keywords_regex, normalize};
        for (i, name) in c.names.iter().enumerate() {
            if normalize(name).is_empty() {
                self.at(
                    &[Seg::Key("names"), Seg::Index(i)],
                    format!("`{name}` is empty once emoji and punctuation are dropped"),
                    "write the shop's name as viewers type it, like \"nailnook\"",
                );
            }
        }
        if c.spam.flood_messages > 0 && c.spam.flood_seconds == 0 {
            self.at(
                &[Seg::Key("spam"), Seg::Key("flood_seconds")],
                "flood_seconds is 0: no flood could ever be seen",
                "write the window in seconds, like flood_seconds = 10, or set flood_messages = 0 to turn \
                 flood detection off",
            );
        }
        self.chat_moderation(c);
        for (i, rule) in c.rules.iter().enumerate() {
            let at = |field: &'static str| [Seg::Key("rule"), Seg::Index(i), Seg::Key(field)];
            if !RULE_TAGS.contains(&rule.tag.as_str()) {
                self.at(
                    &at("tag"),
                    format!("unknown tag `{}`", rule.tag),
                    "use question, buyer, shipping, complaint, spam or mention",
                );
            }
            if rule.keywords.is_empty() && rule.regex.is_none() {
                self.errors.push(self.src.error(
                    span_at(self.doc, &[Seg::Key("rule"), Seg::Index(i)]),
                    "this rule has neither keywords nor a regex",
                    "add keywords = [\"how much\", \"price\"] or regex = '...', or remove the rule",
                ));
            }
            for (k, word) in rule.keywords.iter().enumerate() {
                if normalize(word).is_empty() {
                    self.at(
                        &[Seg::Key("rule"), Seg::Index(i), Seg::Key("keywords"), Seg::Index(k)],
                        format!("`{word}` is empty once emoji and punctuation are dropped"),
                        "write words, like \"how much\"; comments are matched without emoji or punctuation",
                    );
                }
            }
            if let Some(re) = keywords_regex(&rule.keywords)
                && let Err(e) = compile(&re)
            {
                self.at(
                    &at("keywords"),
                    format!("these keywords are too many to match: {e}"),
                    "split them into rules",
                );
            }
            let Some(re) = &rule.regex else { continue };
            match compile(re) {
                Ok(regex) => {
                    if regex.is_match("") {
                        self.at(
                            &at("regex"),
                            "this regex matches every comment (it matches empty text)",
                            "make it need at least one word, like '\\bhow much\\b'",
                        );
                    }
                }
                Err(e) => {
                    let why = e.to_string();
                    let why =
                        why.lines().rev().find_map(|l| l.strip_prefix("error: ")).unwrap_or(&why).to_owned();
                    self.at(
                        &at("regex"),
                        format!("chat rule regex does not compile: {why}"),
                        "fix the regular expression (Rust regex syntax; write it in single quotes so \
                         backslashes stay as they are)",
                    );
                }
            }
        }
    }
}

impl Checker<'_, '_> {
    /// `chat.toml`'s moderation settings: a mute that lasts, and blocked words that are words,
    /// each written once.
    fn chat_moderation(&mut self, c: &ChatConfig) {
        use super::model::MUTE_MAX;
        use crate::text::{keywords_regex, normalize};
        if !(1..=MUTE_MAX).contains(&c.mute_seconds) {
            self.at(
                &[Seg::Key("mute_seconds")],
                format!("mute_seconds must be from 1 to {MUTE_MAX} (14 days), found {}", c.mute_seconds),
                "write mute_seconds = 600 for ten minutes",
            );
        }
        let words = &c.blocked.words;
        let norms: Vec<String> = words.iter().map(|w| normalize(w)).collect();
        let twins = earlier_twins(norms.iter());
        for (i, (word, norm)) in words.iter().zip(&norms).enumerate() {
            let at = [Seg::Key("blocked"), Seg::Key("words"), Seg::Index(i)];
            if norm.is_empty() {
                self.at(
                    &at,
                    format!("blocked word `{word}` is empty once emoji and punctuation are dropped"),
                    "write the word as letters, like \"scam\"; comments are matched without emoji or punctuation",
                );
            } else if let Some(first) = twins[i] {
                let line = self.line_at(&[Seg::Key("blocked"), Seg::Key("words"), Seg::Index(first)]);
                self.at(
                    &at,
                    format!("blocked word `{word}` is already in the list (line {line})"),
                    "remove one of the two (case, punctuation and emoji do not count)",
                );
            }
        }
        if let Some(re) = keywords_regex(words)
            && let Err(e) = compile(&re)
        {
            self.at(
                &[Seg::Key("blocked"), Seg::Key("words")],
                format!("these blocked words are too many to match: {e}"),
                "keep the list to the words that matter",
            );
        }
    }
}

/// Comments no claim pattern should match (after normalizing).
const PLAIN_COMMENTS: [&str; 3] = ["hello", "do you ship to the uk", "love the colours"];

fn at_product(i: usize, field: &str) -> [Seg<'_>; 3] {
    [Seg::Key("product"), Seg::Index(i), Seg::Key(field)]
}

/// The `{name}` fields in a reply text: a name is letters, digits and `_` between braces.
/// For each key, the index of the first earlier one equal to it: duplicates found in one
/// pass, so a file of 200,000 entries is checked in linear time, not quadratic.
fn earlier_twins<K: Hash + Eq>(keys: impl IntoIterator<Item = K>) -> Vec<Option<usize>> {
    let mut first = HashMap::new();
    keys.into_iter()
        .enumerate()
        .map(|(i, key)| match first.entry(key) {
            Entry::Occupied(seen) => Some(*seen.get()),
            Entry::Vacant(new) => {
                new.insert(i);
                None
            }
        })
        .collect()
}

fn template_fields(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if close > 0 && after[..close].chars().all(|c| c.is_alphanumeric() || c == '_') => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earlier_twins_point_at_the_first_of_each_key() {
        assert_eq!(
            earlier_twins(["a", "b", "a", "c", "b", "a"]),
            [None, None, Some(0), None, Some(1), Some(0)]
        );
        assert_eq!(earlier_twins([None, Some('1'), None, Some('1')]), [None, None, Some(0), Some(1)]);
    }

    #[test]
    fn template_fields_are_found() {
        assert_eq!(template_fields("Hi {user}, {product} is {price}"), ["user", "product", "price"]);
        assert_eq!(template_fields("{ not one } {x y} {{user}} :-{"), ["user"]);
        assert_eq!(template_fields("{nope}{stock}"), ["nope", "stock"]);
    }
}
