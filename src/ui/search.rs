//! The chat search the operator types after `/`: the query parsed into terms, and the
//! matcher they compile to once, so that reading a message costs no allocation.
//!
//! Terms are separated by spaces and must all match: `from:NAME` (the display name or the
//! user id, case ignored), `is:TAG` (`question`, `buyer`, `shipping`, `complaint`, `spam`,
//! `mention`, and any tag `chat.toml` knows) or `is:unanswered`, `re:REGEX` (case ignored),
//! `"a quoted phrase"`, and plain words, found anywhere in the text with case ignored.
//! Inside quotes, `\"` is a quote and `\\` a backslash; outside them a backslash is itself.

use regex::{Regex, RegexBuilder};

use crate::desk::chat::Message;
use crate::desk::classify::Tag;

/// One term of a query, as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// `from:NAME`: the display name or the user id, lowercased.
    From(String),
    /// `is:TAG`.
    Is(Tag),
    /// `is:unanswered`.
    Unanswered,
    /// `re:REGEX`, the pattern as written.
    Re(String),
    /// A plain word or a quoted phrase.
    Text(String),
}

/// Why a query cannot be searched, as the search line shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Most bytes a compiled pattern may take: a typo must not stall the screen.
const REGEX_SIZE: usize = 1 << 20;

/// One token: its text with quotes and escapes resolved, and where its first quote began
/// (in that text), if it had one.
struct Token {
    text: String,
    quote_at: Option<usize>,
}

/// Splits a query on spaces outside quotes.
fn tokens(input: &str) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut token = Token { text: String::new(), quote_at: None };
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    token.quote_at.get_or_insert(token.text.len());
                    quoted = !quoted;
                }
                '\\' if quoted => match chars.next_if(|n| matches!(n, '"' | '\\')) {
                    Some(n) => token.text.push(n),
                    None => token.text.push('\\'),
                },
                c if c.is_whitespace() && !quoted => break,
                c => token.text.push(c),
            }
        }
        if quoted {
            return Err(ParseError("a quote is not closed: add the closing \"".into()));
        }
        out.push(token);
    }
}

/// Parses a query into its terms (none for an empty query).
pub fn parse(input: &str) -> Result<Vec<Term>, ParseError> {
    let mut terms = Vec::new();
    for token in tokens(input)? {
        // A prefix counts only outside quotes: `"is:question"` is a phrase.
        let unquoted = &token.text[..token.quote_at.unwrap_or(token.text.len())];
        let prefix = |p: &str| unquoted.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p));
        let value = |p: &str| token.text[p.len()..].to_owned();
        let term = if prefix("from:") {
            let name = value("from:");
            if name.trim().is_empty() {
                return Err(ParseError("from: needs a name or user id, like from:maria".into()));
            }
            Term::From(name.to_lowercase())
        } else if prefix("is:") {
            let what = value("is:").to_lowercase();
            match Tag::from_name(&what) {
                Some(tag) => Term::Is(tag),
                None if what == "unanswered" => Term::Unanswered,
                None => {
                    let names: Vec<String> = Tag::ALL
                        .iter()
                        .map(|t| format!("is:{}", t.name()))
                        .chain(["is:unanswered".into()])
                        .collect();
                    return Err(ParseError(format!("unknown is:{what}; use {}", names.join(", "))));
                }
            }
        } else if prefix("re:") {
            let pattern = value("re:");
            if pattern.is_empty() {
                return Err(ParseError("re: needs a pattern, like re:\\d+cm".into()));
            }
            regex(&pattern).map_err(|e| ParseError(format!("re:{pattern}: {}", regex_reason(&e))))?;
            Term::Re(pattern)
        } else if token.text.is_empty() {
            // `""`: nothing to look for.
            continue;
        } else {
            Term::Text(token.text)
        };
        terms.push(term);
    }
    Ok(terms)
}

/// A pattern compiled as the search uses it: case ignored, size bounded.
fn regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).case_insensitive(true).size_limit(REGEX_SIZE).build()
}

/// The one line of a regex error that says what is wrong ("unclosed group").
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines().rev().find_map(|l| l.strip_prefix("error: ")).unwrap_or(&text).to_owned()
}

/// A query, compiled: what a message must be to match.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// Lowercased names or ids; every one must be the message's.
    from: Vec<String>,
    tags: Vec<Tag>,
    unanswered: bool,
    /// Words, phrases (escaped) and patterns, all case-insensitive.
    text: Vec<Regex>,
}

impl Matcher {
    /// Compiles parsed terms.
    pub fn new(terms: &[Term]) -> Result<Matcher, ParseError> {
        let mut m = Matcher { from: vec![], tags: vec![], unanswered: false, text: vec![] };
        for term in terms {
            match term {
                Term::From(name) => m.from.push(name.clone()),
                Term::Is(tag) => m.tags.push(*tag),
                Term::Unanswered => m.unanswered = true,
                Term::Re(pattern) => {
                    m.text.push(regex(pattern).map_err(|e| ParseError(regex_reason(&e)))?);
                }
                Term::Text(words) => {
                    m.text.push(regex(&regex::escape(words)).map_err(|e| ParseError(regex_reason(&e)))?)
                }
            }
        }
        Ok(m)
    }

    /// Whether the message matches now.
    pub fn matches(&self, m: &Message) -> bool {
        self.lasting(m) && self.current(m)
    }

    /// The part of the match that never changes for a message: who said it, its tags, its
    /// text. A view may remember it.
    pub fn lasting(&self, m: &Message) -> bool {
        let spam = m.tags.has(Tag::Spam);
        self.from.iter().all(|f| same(&m.user_name, f) || same(&m.user_id, f))
            // Spam counts only as spam, as in the tag views.
            && self.tags.iter().all(|&t| m.tags.has(t) && (t == Tag::Spam || !spam))
            && self.text.iter().all(|r| r.is_match(&m.text))
    }

    /// The part that changes as questions are answered.
    pub fn current(&self, m: &Message) -> bool {
        !self.unanswered || m.unanswered()
    }

    /// Whether [`Matcher::current`] can ever be false.
    pub fn changes(&self) -> bool {
        self.unanswered
    }
}

/// `text` equals `lower` (already lowercase), case ignored, without allocating.
fn same(text: &str, lower: &str) -> bool {
    text.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

/// A search the operator applied: the query as typed and its matcher.
#[derive(Clone, Debug)]
pub struct Search {
    pub query: String,
    pub matcher: Matcher,
}

impl Search {
    /// Parses and compiles a query; `None` for an empty one.
    pub fn new(query: &str) -> Result<Option<Search>, ParseError> {
        let terms = parse(query)?;
        if terms.is_empty() {
            return Ok(None);
        }
        let matcher = Matcher::new(&terms)?;
        Ok(Some(Search { query: query.trim().to_owned(), matcher }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::chat::{ChatLog, MsgKind};
    use crate::desk::classify::Tags;
    use crate::protocol::User;
    use Term::*;

    fn text(s: &str) -> Term {
        Text(s.into())
    }

    #[test]
    fn queries_parse_into_terms() {
        let table: Vec<(&str, Vec<Term>)> = vec![
            // English
            ("how much", vec![text("how"), text("much")]),
            ("\"how much\"", vec![text("how much")]),
            ("  shipping   to  ", vec![text("shipping"), text("to")]),
            ("from:maria is:question", vec![From("maria".into()), Is(Tag::Question)]),
            ("FROM:Maria IS:Buyer", vec![From("maria".into()), Is(Tag::Buyer)]),
            ("from:\"Maria Santos\" price", vec![From("maria santos".into()), text("price")]),
            (
                "is:shipping is:complaint is:spam is:mention",
                vec![Is(Tag::Shipping), Is(Tag::Complaint), Is(Tag::Spam), Is(Tag::Mention)],
            ),
            ("is:unanswered", vec![Unanswered]),
            ("re:\\d+\\s*cm", vec![Re("\\d+\\s*cm".into())]),
            ("re:\"^sold \\\\d\"", vec![Re("^sold \\d".into())]),
            ("", vec![]),
            // Spanish
            ("¿cuánto envío?", vec![text("¿cuánto"), text("envío?")]),
            ("\"me lo llevo\" from:josé", vec![text("me lo llevo"), From("josé".into())]),
            ("from:ÁNGEL", vec![From("ángel".into())]),
            // Emoji
            ("💅 \"so pretty 😍\"", vec![text("💅"), text("so pretty 😍")]),
            // Escape-laden text: quotes, backslashes, a prefix in quotes is a phrase
            ("\"say \\\"hi\\\"\"", vec![text("say \"hi\"")]),
            ("\"is:question\"", vec![text("is:question")]),
            ("c:\\temp", vec![text("c:\\temp")]),
            ("\"a\\\\b\" \"\\n\"", vec![text("a\\b"), text("\\n")]),
            ("ab\"c d\"e", vec![text("abc de")]),
            ("\"\" x", vec![text("x")]),
        ];
        for (query, want) in table {
            assert_eq!(parse(query), Ok(want), "{query:?}");
        }
    }

    #[test]
    fn bad_queries_say_what_is_wrong() {
        let table = [
            ("\"how much", "a quote is not closed: add the closing \""),
            ("from:", "from: needs a name or user id, like from:maria"),
            ("from:\"\"", "from: needs a name or user id, like from:maria"),
            ("re:", "re: needs a pattern, like re:\\d+cm"),
            ("re:(abc", "re:(abc: unclosed group"),
            ("price re:[a-", "re:[a-: unclosed character class"),
        ];
        for (query, want) in table {
            assert_eq!(parse(query), Err(ParseError(want.into())), "{query:?}");
        }
        let err = parse("is:vip").unwrap_err().0;
        assert!(err.starts_with("unknown is:vip; use is:question, is:buyer"), "{err}");
        assert!(err.ends_with("is:unanswered"), "{err}");
    }

    fn log() -> ChatLog {
        let mut log = ChatLog::new(100);
        let user = |id: &str, name: &str| User {
            id: id.into(),
            name: name.into(),
            region: None,
            badges: vec![],
            follower: false,
        };
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let q = Tags::NONE.with(Tag::Question);
        let lines: [(&str, &str, &str, Tags); 5] = [
            ("u1", "Maria Santos", "How much is the ALMOND pink?", q.with(Tag::Buyer)),
            ("u2", "josé", "¿Cuánto cuesta el envío? 💅", q.with(Tag::Shipping)),
            ("u3", "spammer", "how much!! www.x.example", q.with(Tag::Spam)),
            ("u1", "Maria Santos", "size 12cm please", Tags::NONE),
            ("u4", "Ann", "say \"hi\" to c:\\temp", Tags::NONE),
        ];
        for (i, (id, name, text, tags)) in lines.into_iter().enumerate() {
            log.push_tagged(format!("m{i}"), &user(id, name), text.into(), MsgKind::Chat, None, at, tags);
        }
        log
    }

    fn found(log: &ChatLog, query: &str) -> Vec<String> {
        let search = Search::new(query).unwrap().unwrap();
        log.messages().iter().filter(|m| search.matcher.matches(m)).map(|m| m.msg_id.clone()).collect()
    }

    #[test]
    fn every_term_must_match() {
        let mut log = log();
        assert_eq!(found(&log, "how much"), ["m0", "m2"]);
        assert_eq!(found(&log, "almond"), ["m0"], "case ignored");
        assert_eq!(found(&log, "\"much is\""), ["m0"]);
        assert_eq!(found(&log, "\"is much\"").len(), 0);
        assert_eq!(found(&log, "from:maria santos"), Vec::<String>::new(), "santos is a second word");
        assert_eq!(found(&log, "from:\"maria santos\""), ["m0", "m3"]);
        assert_eq!(found(&log, "from:u1 size"), ["m3"], "by user id too");
        assert_eq!(found(&log, "from:JOSÉ"), ["m1"]);
        assert_eq!(found(&log, "cuánto 💅"), ["m1"]);
        assert_eq!(found(&log, "is:question"), ["m0", "m1"], "spam counts only as spam");
        assert_eq!(found(&log, "is:spam"), ["m2"]);
        assert_eq!(found(&log, "is:shipping ENVÍO"), ["m1"]);
        assert_eq!(found(&log, "re:\\d+cm"), ["m3"]);
        assert_eq!(found(&log, "re:^HOW"), ["m0", "m2"]);
        assert_eq!(found(&log, "\"say \\\"hi\\\"\" c:\\temp"), ["m4"]);
        assert_eq!(found(&log, "is:unanswered"), ["m0", "m1"]);
        log.mark_answered("m0");
        assert_eq!(found(&log, "is:unanswered"), ["m1"]);
        assert!(Search::new("   ").unwrap().is_none(), "an empty query searches nothing");
    }
}
