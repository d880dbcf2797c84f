//! Which language a comment is written in, for `--explain` and the report: detected by
//! lingua over the languages the shop's viewers write (see the README for how it compares
//! with whatlang on the corpus). It costs a few hundred microseconds a comment, so it is
//! never called on the desk's path: the explain writer and the report call it.
//! The desk's own choice of a reply's language stays chat.toml's `[languages]` rules.

use std::sync::LazyLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// The languages detected; a comment in none of them gets the nearest, or none.
const LANGUAGES: [Language; 7] = [
    Language::English,
    Language::Spanish,
    Language::Tagalog,
    Language::Polish,
    Language::Romanian,
    Language::Malay,
    Language::Hindi,
];

/// Built on first use; each language's model loads when first needed.
static DETECTOR: LazyLock<LanguageDetector> =
    LazyLock::new(|| LanguageDetectorBuilder::from_languages(&LANGUAGES).build());

/// The ISO 639-1 code of a comment's language (`en`, `es`, `tl`, `pl`, `ro`, `ms`, `hi`),
/// or `None` when it has no letters to tell by (emoji only) or the detector cannot say.
pub fn detect(text: &str) -> Option<&'static str> {
    if !text.chars().any(char::is_alphabetic) {
        return None;
    }
    DETECTOR.detect_language_of(text).map(|l| match l {
        Language::English => "en",
        Language::Spanish => "es",
        Language::Tagalog => "tl",
        Language::Polish => "pl",
        Language::Romanian => "ro",
        Language::Malay => "ms",
        Language::Hindi => "hi",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_in_the_shops_languages_are_told_apart_and_emoji_have_none() {
        assert_eq!(detect("do you ship to wales, how much is postage"), Some("en"));
        assert_eq!(detect("¿cuánto cuesta el envío a Madrid?"), Some("es"));
        assert_eq!(detect("magkano po ang shipping papunta sa Cebu"), Some("tl"));
        assert_eq!(detect("czy wysyłacie do Polski?"), Some("pl"));
        assert_eq!(detect("cât costă livrarea în România?"), Some("ro"));
        assert_eq!(detect("💅💅✨"), None);
    }
}
