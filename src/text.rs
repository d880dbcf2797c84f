//! How the desk reads a comment's words, in one place, so that a word written in a config
//! file and the same word in a comment always meet.
//!
//! There is one reading, [`normalize`], and every rule uses it: claims, the products a
//! comment names, chat triage (its keyword rules, its model, languages), moderation, shipping
//! places, the replies' words, learned examples, the report and the config checks. With two,
//! "almonddd pink?" named a product for the claim matcher and was a stranger to the reply
//! words and the model, which read letters as typed; one reading keeps them from drifting
//! apart, and the model is trained on it (`build.rs` includes this file).
//!
//! A leaf below config and the desk (config checks keywords with it, the desk reads chat
//! with it): it imports nothing of the crate.

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// How big one compiled pattern may grow.
const REGEX_SIZE: usize = 1 << 20;

/// `text` as rules read it: lowercase letters and digits (accents too) in words separated
/// by single spaces. Apostrophes vanish ("i'll" → "ill"), `×` reads as `x`, every other mark,
/// space or emoji separates words, and a letter typed three or more times counts once
/// ("mineee" → "mine"; but "hmmm" stays, see [`unstretch`]): "HOW MUCH?? 💅" reads "how much".
pub fn normalize(text: &str) -> String {
    let mut out = String::new();
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] into a reused buffer (rules read every comment, so the buffer is kept).
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        return normalize_ascii(text.as_bytes(), out);
    }
    // The last letter pushed and how many times in a row: a run of three needs a second pass.
    let mut run = (' ', 0u32);
    let mut stretched = false;
    let mut push = |out: &mut String, c: char| {
        run = if c == run.0 { (c, run.1 + 1) } else { (c, 1) };
        stretched |= run.1 >= 3 && c.is_alphabetic();
        out.push(c);
    };
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                push(out, c.to_ascii_lowercase());
                continue;
            }
            if matches!(c, '\'' | '`') {
                continue;
            }
        } else if matches!(c, '’' | 'ʼ') {
            continue;
        } else if c == '×' {
            push(out, 'x');
            continue;
        } else if c.is_alphanumeric() {
            for c in c.to_lowercase() {
                push(out, c);
            }
            continue;
        }
        if !out.is_empty() && !out.ends_with(' ') {
            push(out, ' ');
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    if stretched {
        *out = unstretch(out);
    }
}

/// [`normalize_into`] for the common case, byte by byte.
fn normalize_ascii(text: &[u8], out: &mut String) {
    let mut bytes: Vec<u8> = std::mem::take(out).into_bytes();
    let mut stretched = false;
    for &b in text {
        if b.is_ascii_alphanumeric() {
            let b = b.to_ascii_lowercase();
            let n = bytes.len();
            stretched |= n >= 2 && b.is_ascii_alphabetic() && bytes[n - 1] == b && bytes[n - 2] == b;
            bytes.push(b);
        } else if b != b'\'' && b != b'`' && bytes.last().is_some_and(|&l| l != b' ') {
            bytes.push(b' ');
        }
    }
    if bytes.last() == Some(&b' ') {
        bytes.pop();
    }
    *out = String::from_utf8(bytes).unwrap_or_default();
    if stretched {
        *out = unstretch(out);
    }
}

/// `text` (words of [`normalize`]) with a letter typed three or more times in a row counted
/// once ("mineee" → "mine"), unless that leaves a word of two letters or fewer: "hmmm" and
/// "noooo" keep their drawl, which is all that tells them from "hm" (how much, in Taglish)
/// and a plain "no", and a blocked "xxx" stays three letters.
fn unstretch(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut short = String::new();
    for (n, word) in text.split(' ').enumerate() {
        if n > 0 {
            out.push(' ');
        }
        short.clear();
        let chars: Vec<char> = word.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let run = chars[i..].iter().take_while(|&&d| d == c).count();
            let keep = if run >= 3 && c.is_alphabetic() { 1 } else { run };
            short.extend(std::iter::repeat_n(c, keep));
            i += run;
        }
        out.push_str(if short.chars().count() <= 2 { word } else { &short });
    }
    out
}

/// Whether `name` (normalized) is a whole word run of `text` (normalized).
pub fn has_words(text: &str, name: &str) -> bool {
    word_run(text, name, false)
}

/// Whether a normalized comment names `name` (normalized) as whole words, also in the
/// possessive or plural: "nail nook's glitter" reads "nail nooks glitter".
pub fn names(text: &str, name: &str) -> bool {
    word_run(text, name, true)
}

/// Whether `name` starts a word of `text` and ends one, or ends one but for a trailing "s"
/// when `plural`. Only the starts of words are tried: a substring search would be set up anew
/// for every name.
fn word_run(text: &str, name: &str, plural: bool) -> bool {
    if name.is_empty() {
        return false;
    }
    let (text, name) = (text.as_bytes(), name.as_bytes());
    let ends = |at: usize| at == text.len() || text[at] == b' ';
    let fits = |start: usize| {
        let end = start + name.len();
        text[start..].starts_with(name)
            && (ends(end) || plural && text.get(end) == Some(&b's') && ends(end + 1))
    };
    fits(0) || text.iter().enumerate().any(|(i, &b)| b == b' ' && fits(i + 1))
}

/// The regex that matches any of `keywords` as whole words of a normalized comment.
pub fn keywords_regex(keywords: &[String]) -> Option<String> {
    let words: Vec<String> =
        keywords.iter().map(|k| normalize(k)).filter(|k| !k.is_empty()).map(|k| regex::escape(&k)).collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("(?:^| )(?:{})(?: |$)", words.join("|")))
}

/// Compiles one pattern as the rules use it: case-insensitive, over normalized text.
pub fn compile(regex: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(regex).case_insensitive(true).size_limit(REGEX_SIZE).build()
}

/// Patterns (each compiled alone first) as one set, with the options of [`compile`]; each
/// keeps the size it was allowed alone.
pub fn compile_set<'a>(regexes: impl ExactSizeIterator<Item = &'a str>) -> Result<RegexSet, regex::Error> {
    let limit = REGEX_SIZE * regexes.len().max(1);
    RegexSetBuilder::new(regexes).case_insensitive(true).size_limit(limit).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_forgives_case_punctuation_emoji_and_stretched_letters() {
        let table = [
            ("sold ALMOND-PINK", "sold almond pink"),
            ("  SOLD!!!  ", "sold"),
            ("mineee 🙋‍♀️", "mine"),
            ("I'll take it 💅💅", "ill take it"),
            ("i’ll TAKE it", "ill take it"),
            ("buy almond pink ×2", "buy almond pink x2"),
            ("sold: 2 × oval-glitter!!", "sold 2 x oval glitter"),
            ("ship to 日本？", "ship to 日本"),
            ("💅💅💅", ""),
            ("glitter", "glitter"),
            ("sooooold", "sold"),
            ("HOW MUCH?? 💅", "how much"),
            ("  it's   2 for £10!! ", "its 2 for 10"),
            ("¿Cuánto CUESTA?", "cuánto cuesta"),
            ("don’t `go` 😍 NOW", "dont go now"),
            ("Mei 美 ÉCLAIR", "mei 美 éclair"),
            ("", ""),
        ];
        for (text, want) in table {
            assert_eq!(normalize(text), want, "{text:?}");
        }
    }

    #[test]
    fn normalizing_ascii_and_unicode_agree() {
        for text in
            ["  SOLD 2x ALMOND-PINK!!!  ", "i'll TAKE it", "sooold  mine`s", "a--b  c", "x", "!!", "MINEEE 2"]
        {
            let mut unicode = String::from(text);
            unicode.push('💅');
            assert_eq!(normalize(text), normalize(&unicode), "{text:?}");
            assert!(text.is_ascii());
        }
    }

    #[test]
    fn a_reused_buffer_holds_only_the_last_text() {
        let mut buf = String::from("left over");
        normalize_into("MINEEE", &mut buf);
        assert_eq!(buf, "mine");
        normalize_into("Ça va?", &mut buf);
        assert_eq!(buf, "ça va");
    }

    #[test]
    fn doubled_letters_and_digits_stay_letters_shrink_and_short_words_keep_their_drawl() {
        let table = [
            ("good", "good"),
            ("soooo cuteee", "soooo cute"),
            ("almonddd pink?", "almond pink"),
            ("yesss pleaseee", "yes please"),
            ("ÉÉÉ çaaa", "ééé çaaa"),
            ("1000 x2", "1000 x2"),
            // Shrunk to two letters they would be other words: "hm" is how much, "no" a no.
            ("hmmm not sure", "hmmm not sure"),
            ("hm po?", "hm po"),
            ("NOOOO I was about to buy", "noooo i was about to buy"),
            ("xxx", "xxx"),
        ];
        for (text, want) in table {
            assert_eq!(normalize(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_name_is_named_whole_or_in_the_possessive() {
        assert!(names(&normalize("nail nook's glitter is unmatched"), "nail nook"));
        assert!(names("love nailnooks sets", "nailnook"));
        assert!(names("hi nailnook", "nailnook"));
        assert!(!names("nailnookish", "nailnook"));
        assert!(!names("nailnookss", "nailnook"));
        assert!(!names("anything", ""));
    }

    #[test]
    fn words_match_whole_words_only() {
        assert!(has_words("sold almond pink x2", "almond pink"));
        assert!(!has_words("sold almondpink", "almond pink"));
        assert!(!has_words("pinker", "pink"));
        assert!(!has_words("anything", ""));
        let re = compile(&keywords_regex(&["Ship?".into(), "💅".into()]).unwrap()).unwrap();
        assert!(re.is_match("do you ship here"));
        let stretched = compile(&keywords_regex(&["how muchhh".into()]).unwrap()).unwrap();
        assert!(stretched.is_match(&normalize("HOW MUCH is it")), "a keyword is read as comments are");
        assert!(!re.is_match("shipping"));
        assert_eq!(keywords_regex(&["💅".into()]), None, "no words, no regex");
    }
}
