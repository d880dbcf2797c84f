//! Configuration errors: every one names the file, line and column, and says how to fix it.

use std::cell::OnceCell;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One problem in one configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConfigError {
    /// The file's path, or a name like `catalog.toml (built-in)` for embedded defaults.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}; {}", self.file.display(), self.line, self.col, self.message, self.fix)
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found while loading or checking the configuration, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// The problems, in the order they were found.
    pub fn errors(&self) -> &[ConfigError] {
        &self.0
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// The text of one configuration file and the name its errors are reported under.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub origin: PathBuf,
    pub text: String,
    /// Where each line starts, built on the first error: a file with thousands of errors
    /// is located in one pass, not one rescan of the text per error.
    line_starts: OnceCell<Vec<usize>>,
}

impl Source {
    pub fn new(origin: impl Into<PathBuf>, text: impl Into<String>) -> Source {
        Source { origin: origin.into(), text: text.into(), line_starts: OnceCell::new() }
    }

    /// An error at a byte span of this file.
    pub fn error(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> ConfigError {
        let (line, col) = self.line_col(span.start);
        ConfigError { file: self.origin.clone(), line, col, message: message.into(), fix: fix.into() }
    }

    /// The 1-based line of a byte offset, for messages like "also on line 3".
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_col(offset).0
    }

    /// The 1-based line and character column of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect()
        });
        let offset = floor_char_boundary(&self.text, offset);
        let line = starts.partition_point(|&start| start <= offset);
        let col = self.text[starts[line - 1]..offset].chars().count() + 1;
        (line, col)
    }

    /// Parses the TOML document, keeping the spans of every key and value.
    pub fn parse(&self) -> Result<Spanned<DeTable<'_>>, ConfigError> {
        DeTable::parse(&self.text).map_err(|e| self.syntax_error(&e))
    }

    /// Turns a TOML syntax error into a located, explained error.
    fn syntax_error(&self, err: &toml::de::Error) -> ConfigError {
        let span = err.span().unwrap_or(0..0);
        let raw = err.message();
        if raw.contains("duplicate key") {
            let name = self.text.get(span.clone()).unwrap_or("this key").trim_matches('"');
            return self.error(
                span,
                format!("`{name}` is written twice"),
                "remove one of the two, or merge them",
            );
        }
        let fix = if raw.contains("must be quoted") || raw.contains("string") {
            "put text values in quotes, like name = \"Mug\""
        } else {
            "check the TOML syntax here: entries are `key = value`, text in quotes, tables like [name]"
        };
        self.error(span, format!("invalid TOML: {raw}"), fix)
    }

    /// Turns a serde error from `toml::from_str` into a located, explained error.
    pub fn de_error(&self, doc: &DeTable<'_>, err: &toml::de::Error) -> ConfigError {
        let span = err.span().unwrap_or(0..0);
        let raw = err.message();
        let path = key_at(doc, &span).unwrap_or_default();
        let (message, mut fix) = explain(raw, path.last().map(String::as_str));
        // A top-level setting written below a [table] header silently joins that table.
        let in_table = |name: &str| doc.get(name).is_some_and(|v| v.get_ref().is_table());
        if raw.starts_with("unknown field") && path.len() == 2 && in_table(&path[0]) {
            fix.push_str(&format!(
                " (every line after [{0}] belongs to [{0}]: put top-level entries above it)",
                path[0]
            ));
        }
        self.error(span, message, fix)
    }
}

/// The nearest char boundary at or before `offset`, within the text.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A display name for an embedded default file.
pub(crate) fn builtin_origin(name: &str) -> PathBuf {
    PathBuf::from(format!("{name} (built-in)"))
}

/// One step of a path into a document.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// The span of the value at `path`, or of the deepest part of the path that exists.
pub(crate) fn span_at(doc: &Spanned<DeTable<'_>>, path: &[Seg<'_>]) -> Range<usize> {
    let mut best = doc.span();
    let mut table = Some(doc.get_ref());
    let mut value: Option<&Spanned<DeValue<'_>>> = None;
    for seg in path {
        let next = match (seg, table, value) {
            (Seg::Key(k), Some(t), _) => t.get(*k),
            (Seg::Index(i), _, Some(v)) => v.get_ref().as_array().and_then(|a| a.get(*i)),
            _ => None,
        };
        let Some(next) = next else { break };
        best = next.span();
        value = Some(next);
        table = next.get_ref().as_table();
    }
    best
}

/// The path of table names down to the key whose key or value sits exactly at `span`
/// (`["feed", "fps"]`); array items add no name.
fn key_at(table: &DeTable<'_>, span: &Range<usize>) -> Option<Vec<String>> {
    for (k, v) in table.iter() {
        if k.span() == *span || v.span() == *span {
            return Some(vec![k.get_ref().to_string()]);
        }
        if let Some(mut path) = key_in_value(v, span) {
            path.insert(0, k.get_ref().to_string());
            return Some(path);
        }
    }
    None
}

fn key_in_value(v: &Spanned<DeValue<'_>>, span: &Range<usize>) -> Option<Vec<String>> {
    match v.get_ref() {
        DeValue::Table(t) => key_at(t, span),
        DeValue::Array(a) => a.iter().find_map(|item| key_in_value(item, span)),
        _ => None,
    }
}

/// The names between backticks in a serde message, in order.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// An example value for a field, for "add `x = ...`" fixes.
fn example(field: &str) -> &'static str {
    match field {
        "currency" => "\"USD\"",
        "sku" => "\"MUG-01\"",
        "name" => "\"Enamel mug\"",
        "price" => "\"8.99\"",
        "stock" => "10",
        "low_stock" => "5",
        "id" => "\"mug-flash\"",
        "quantity" => "20",
        "seconds" => "120",
        "preheat" => "30",
        "per_customer" => "2",
        "starts_at" => "\"2026-11-20T19:30:00Z\"",
        "key" => "\"1\"",
        "title" => "\"Shipping\"",
        "text" => "\"Hi {user}! ...\"",
        "fps" => "30",
        "scrollback" => "100000",
        "url" => "\"wss://example.com/feed\"",
        _ => "...",
    }
}

/// Rewrites a serde message into "what is wrong" and "how to fix it".
fn explain(raw: &str, key: Option<&str>) -> (String, String) {
    let names = backticked(raw);
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let field = names.first().copied().unwrap_or("?");
        let allowed: Vec<&str> = names.iter().skip(1).copied().collect();
        let fix = if allowed.is_empty() || rest.contains("there are no fields") {
            "remove it; this table takes no fields".to_string()
        } else {
            format!("remove it or use one of: {}", allowed.join(", "))
        };
        return (format!("unknown field `{field}`"), fix);
    }
    if raw.starts_with("missing field ") {
        let field = names.first().copied().unwrap_or("?");
        return (format!("missing field `{field}`"), format!("add `{field} = {}` here", example(field)));
    }
    let subject = key.map_or_else(|| "this value".to_string(), |k| format!("`{k}`"));
    if key == Some("price") {
        return (
            "price must be a decimal string like \"8.99\"".into(),
            "write digits with an optional decimal point, in quotes".into(),
        );
    }
    let expected = raw.rsplit_once(", expected ").map(|(_, e)| e.trim());
    let found = raw
        .strip_prefix("invalid type: ")
        .or_else(|| raw.strip_prefix("invalid value: "))
        .and_then(|r| r.split_once(", expected"))
        .map(|(f, _)| f.to_string());
    if let (Some(expected), Some(found)) = (expected, found) {
        let (want, fix) = match expected {
            "a string" => ("text", "put it in quotes".to_string()),
            "u8" | "u16" | "u32" | "u64" | "usize" => (
                "a whole number of 0 or more",
                format!("write a whole number without quotes, like {}", number_example(key)),
            ),
            "i8" | "i16" | "i32" | "i64" | "isize" => {
                ("a whole number", "write a whole number without quotes".to_string())
            }
            "a boolean" => ("true or false", "write true or false without quotes".to_string()),
            "a sequence" => ("a list", "write a list in brackets, like [\"a\", \"b\"]".to_string()),
            e if e.starts_with("a date and time") => (
                "a date and time with its UTC offset",
                "write an RFC 3339 time in quotes, like \"2026-11-20T19:30:00Z\" (Z is UTC) or \
                 \"2026-11-20T20:30:00+01:00\""
                    .to_string(),
            ),
            e if e.starts_with("struct") || e.contains("map") => {
                ("a table", "write it as a [table] with key = value lines".to_string())
            }
            _ => ("a valid value", format!("write {expected}")),
        };
        return (format!("{subject} must be {want}, found {found}"), fix);
    }
    (format!("{subject}: {raw}"), "see the comments in the files `livedesk config init` writes".into())
}

fn number_example(key: Option<&str>) -> &'static str {
    match key.map(example) {
        Some(e) if e.chars().all(|c| c.is_ascii_digit()) => e,
        _ => "10",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let src = Source::new("x.toml", "a = 1\nbé = \"x\"\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(4), (1, 5));
        let off = src.text.find("\"x\"").unwrap();
        assert_eq!(src.line_col(off), (2, 6));
        assert_eq!(src.line_col(off + 1), (2, 7));
        assert_eq!(src.line_col(10_000), (3, 1));
    }

    #[test]
    fn display_is_file_line_col_message_fix() {
        let e = ConfigError {
            file: "shop/catalog.toml".into(),
            line: 7,
            col: 9,
            message: "price must be a decimal string like \"8.99\"".into(),
            fix: "write it in quotes".into(),
        };
        assert_eq!(
            e.to_string(),
            "shop/catalog.toml:7:9: price must be a decimal string like \"8.99\"; write it in quotes"
        );
    }

    #[test]
    fn serde_messages_are_explained() {
        let (m, f) = explain("unknown field `foo`, expected one of `sku`, `price`", None);
        assert_eq!(m, "unknown field `foo`");
        assert_eq!(f, "remove it or use one of: sku, price");
        let (m, f) = explain("unknown field `bar`, expected `currency` or `product`", None);
        assert_eq!(m, "unknown field `bar`");
        assert_eq!(f, "remove it or use one of: currency, product");
        let (m, _) = explain("missing field `stock`", None);
        assert_eq!(m, "missing field `stock`");
        let (m, f) = explain("invalid value: integer `-3`, expected u32", Some("stock"));
        assert_eq!(m, "`stock` must be a whole number of 0 or more, found integer `-3`");
        assert!(f.contains("like 10"), "{f}");
        let (m, _) = explain("invalid type: integer `5`, expected a string", Some("currency"));
        assert_eq!(m, "`currency` must be text, found integer `5`");
    }

    #[test]
    fn duplicates_name_the_key_twice_written() {
        let src = Source::new("x.toml", "[normal]\nq = \"quit\"\n[normal]\n");
        let e = src.parse().unwrap_err();
        assert_eq!((e.line, e.col, e.message.as_str()), (3, 2, "`normal` is written twice"));
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let src = Source::new("x.toml", "a = 1\nname = Mug\n");
        let e = src.parse().unwrap_err();
        assert_eq!((e.line, e.col), (2, 8));
        assert!(e.message.starts_with("invalid TOML"), "{}", e.message);
    }
}
