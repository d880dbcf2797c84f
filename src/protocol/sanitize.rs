//! Cleaning of untrusted text before it reaches the desk, the screen, logs or exports.
//!
//! Whole escape sequences are removed (not just their ESC byte, which would leave
//! `[31m` litter behind), as are C0/C1 controls and the bidi controls that can make a
//! comment render in a different order than it was written. So are the characters a
//! terminal and the layout measure differently, which leave stale cells behind: zero-width
//! spaces and joiners outside emoji, line and paragraph separators, interlinear annotations,
//! tag characters outside flag sequences, and floods of combining marks past a few per
//! character. Emoji sequences (👩‍👩‍👧, skin tones, keycaps, 🏴 subdivision flags) stay whole.
//!
//! The escape parser is hand-written: `vte` was measured slower on chat text (it also reads
//! an 8-bit CSI written as UTF-8, U+009B, as a lone control and keeps its parameters).

use unicode_width::UnicodeWidthChar;

/// Longest chat text kept, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// Longest display name or short field kept, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest reason, notice or error line kept, in characters: one status-bar line, so a
/// platform that quotes a whole frame in its error cannot fill the screen.
pub const MAX_REASON_CHARS: usize = 200;
/// Longest unknown event or command type quoted back, in characters: real type names are
/// a word or two, and anything longer is junk not worth showing.
pub const MAX_KIND_CHARS: usize = 32;
/// Longest timestamp kept as written, in characters: RFC 3339 with nanoseconds and an
/// offset is 35, so a longer one is not a timestamp.
pub const MAX_STAMP_CHARS: usize = 40;
/// Longest region kept, in characters: a country code (`GB`) or a subdivision (`GB-SCT`).
pub const MAX_REGION_CHARS: usize = 8;
/// Longest badge kept, in characters, and most badges kept on one viewer: a badge is a word
/// like `moderator` drawn beside the name, and a few are all the chat has room for.
pub const MAX_BADGE_CHARS: usize = 32;
pub const MAX_BADGES: usize = 16;
/// Combining marks kept on one character: enough for any script's accents, and a "zalgo"
/// flood cannot pile hundreds on a cell.
pub const MAX_MARKS: usize = 4;

const ZWJ: char = '\u{200d}';
const BLACK_FLAG: char = '\u{1f3f4}';
const CANCEL_TAG: char = '\u{e007f}';

/// Returns `input` without escape sequences, control, bidi or invisible characters, capped
/// to `max_chars` characters (an ellipsis marks a cut). Newlines, tabs and line or paragraph
/// separators become spaces.
pub fn sanitize(input: &str, max_chars: usize) -> String {
    if is_plain(input, max_chars) {
        return input.to_owned();
    }
    let mut out = String::with_capacity(input.len().min(max_chars.saturating_mul(4)));
    let mut kept = 0usize;
    // Marks on the last character kept, and tag characters of a flag still to come.
    let (mut marks, mut flag_tags) = (0usize, 0usize);
    let mut chars = input.chars().peekable();
    // Keep one char more than the cap so a cut can be told from an exact fit.
    while kept <= max_chars {
        let Some(c) = chars.next() else { break };
        if (' '..='~').contains(&c) {
            // Printable ASCII, most of any comment: nothing to decide.
            out.push(c);
            kept += 1;
            marks = 0;
            continue;
        }
        // Each kept character, and whether it rides on the one before (a mark, a tag).
        let (c, rides) = match c {
            '\u{1b}' => {
                skip_escape(&mut chars);
                continue;
            }
            '\u{9b}' => {
                skip_csi(&mut chars);
                continue;
            }
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                skip_string(&mut chars);
                continue;
            }
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' if kept == 0 || out.ends_with(' ') => continue,
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => (' ', false),
            c if is_dropped(c) => continue,
            ZWJ if !(out.ends_with(in_emoji) && chars.peek().is_some_and(|&n| is_pictographic(n))) => {
                continue;
            }
            c if is_tag(c) => {
                if flag_tags == 0 {
                    continue;
                }
                flag_tags -= 1;
                (c, true)
            }
            BLACK_FLAG => {
                flag_tags = flag_tag_count(chars.clone());
                (BLACK_FLAG, false)
            }
            // Emoji, none of them zero-width: no need to look their width up.
            c @ '\u{1f000}'..='\u{1faff}' => (c, false),
            c if c >= '\u{300}' && c.width() == Some(0) => {
                // A combining mark (or a joiner, a variation selector): a few ride on a character.
                if kept == 0 || marks == MAX_MARKS {
                    continue;
                }
                marks += 1;
                (c, true)
            }
            c => (c, false),
        };
        if !rides {
            marks = 0;
        }
        out.push(c);
        kept += 1;
    }
    if kept > max_chars {
        let cut = out.char_indices().nth(max_chars.saturating_sub(1)).map_or(out.len(), |(i, _)| i);
        out.truncate(cut);
        // A cut inside an emoji or flag sequence leaves no joiner or tag dangling.
        while out.ends_with(|c| c == ZWJ || (is_tag(c) && c != CANCEL_TAG)) {
            out.pop();
        }
        out.push('…');
    } else if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Sanitizes in place, allocating only when something has to change.
pub fn clean(s: &mut String, max_chars: usize) {
    if !is_plain(s, max_chars) {
        *s = sanitize(s, max_chars);
    }
}

/// Fast path: printable ASCII only and short enough.
fn is_plain(s: &str, max_chars: usize) -> bool {
    s.len() <= max_chars && s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Characters never shown, wherever they stand: controls, bidi controls, and the invisible
/// ones a terminal may draw a cell for while the layout counts none (or the other way).
pub fn is_dropped(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(
            c,
            '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
                | '\u{2066}'..='\u{2069}' // bidi isolates
                | '\u{200e}' | '\u{200f}' | '\u{061c}' // bidi marks
                | '\u{200b}' | '\u{200c}' | '\u{2060}' | '\u{feff}' // zero-width space, non-joiner, word joiner, BOM
                | '\u{2061}'..='\u{2064}' // invisible operators
                | '\u{180e}' // Mongolian vowel separator
                | '\u{2028}' | '\u{2029}' // line and paragraph separators
                | '\u{fff9}'..='\u{fffb}' // interlinear annotations
                | '\u{e0001}' // language tag
        )
}

/// Tag characters: kept only inside a subdivision flag (🏴 + tags + cancel tag).
fn is_tag(c: char) -> bool {
    ('\u{e0020}'..='\u{e007f}').contains(&c)
}

/// Emoji that can stand in a ZWJ sequence (Extended_Pictographic, near enough).
fn is_pictographic(c: char) -> bool {
    matches!(
        c,
        '\u{1f000}'..='\u{1faff}'
            | '\u{2600}'..='\u{27bf}'
            | '\u{2300}'..='\u{23ff}'
            | '\u{2b00}'..='\u{2bff}'
            | '\u{2190}'..='\u{21ff}'
            | '\u{25a0}'..='\u{25ff}'
            | '\u{2934}' | '\u{2935}' | '\u{3030}' | '\u{303d}' | '\u{3297}' | '\u{3299}'
            | '\u{a9}' | '\u{ae}' | '\u{203c}' | '\u{2049}' | '\u{2122}' | '\u{2139}' | '\u{24c2}'
    )
}

/// Whether a joiner after `c` continues an emoji: `c` is one, or its skin tone, its
/// emoji-style selector, or the end of its flag tags.
fn in_emoji(c: char) -> bool {
    is_pictographic(c) || c == '\u{fe0f}' || c == CANCEL_TAG
}

/// How many tag characters after a 🏴 make a well-formed subdivision flag (letters or digits,
/// then the cancel tag, as in England's 🏴󠁧󠁢󠁥󠁮󠁧󠁿), or 0 when they do not.
fn flag_tag_count(after: Chars) -> usize {
    let mut n = 0;
    for c in after {
        match c {
            '\u{e0030}'..='\u{e0039}' | '\u{e0061}'..='\u{e007a}' if n < 7 => n += 1,
            CANCEL_TAG if n > 0 => return n + 1,
            _ => return 0,
        }
    }
    0
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After ESC: CSI, string sequences (OSC, DCS, SOS, PM, APC), or a short escape.
fn skip_escape(chars: &mut Chars) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        Some(_) => {
            // nF escapes: intermediates 0x20-0x2F, then one final byte 0x30-0x7E.
            while let Some(&c) = chars.peek() {
                if ('\u{20}'..='\u{2f}').contains(&c) {
                    chars.next();
                } else {
                    break;
                }
            }
            if let Some(&c) = chars.peek()
                && ('\u{30}'..='\u{7e}').contains(&c)
            {
                chars.next();
            }
        }
        None => {}
    }
}

/// CSI: parameter bytes 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E.
fn skip_csi(chars: &mut Chars) {
    while let Some(&c) = chars.peek() {
        if ('\u{20}'..='\u{3f}').contains(&c) {
            chars.next();
        } else {
            break;
        }
    }
    if let Some(&c) = chars.peek()
        && ('\u{40}'..='\u{7e}').contains(&c)
    {
        chars.next();
    }
}

/// String sequences end at BEL, ST (ESC \) or 8-bit ST; unterminated ones eat the rest.
fn skip_string(chars: &mut Chars) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_untouched() {
        assert_eq!(sanitize("how much is the pink set?", 100), "how much is the pink set?");
    }

    #[test]
    fn whole_csi_sequences_are_removed() {
        assert_eq!(sanitize("\u{1b}[31mred\u{1b}[0m text", 100), "red text");
        assert_eq!(sanitize("a\u{1b}[2J\u{1b}[Hb", 100), "ab");
        assert_eq!(sanitize("x\u{9b}1;31my", 100), "xy");
    }

    #[test]
    fn osc_and_dcs_strings_are_removed_with_their_payload() {
        // A hyperlink and a title change: both payloads disappear.
        assert_eq!(sanitize("\u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7}", 100), "click");
        assert_eq!(sanitize("a\u{1b}]0;pwned\u{1b}\\b", 100), "ab");
        assert_eq!(sanitize("a\u{1b}Pq#0;2;0;0;0\u{1b}\\b", 100), "ab");
        assert_eq!(sanitize("a\u{9d}52;c;Zm9v\u{9c}b", 100), "ab");
        assert_eq!(sanitize("a\u{1b}]52;c;unterminated", 100), "a");
    }

    #[test]
    fn controls_and_bidi_are_dropped() {
        assert_eq!(sanitize("a\u{0}b\u{7}c\u{7f}d\u{85}e", 100), "abcde");
        assert_eq!(sanitize("\u{202e}gnp.exe\u{202c}", 100), "gnp.exe");
        assert_eq!(sanitize("a\u{2066}b\u{2069}\u{200e}\u{200f}\u{61c}c", 100), "abc");
        assert_eq!(sanitize("line one\nline two\r\n\tend", 100), "line one line two end");
    }

    #[test]
    fn short_escapes_are_removed() {
        assert_eq!(sanitize("a\u{1b}(Bb\u{1b}7c\u{1b}", 100), "abc");
    }

    #[test]
    fn length_is_capped_in_characters() {
        let s = sanitize(&"é".repeat(1000), 10);
        assert_eq!(s.chars().count(), 10);
        assert!(s.ends_with('…'));
        assert_eq!(sanitize("abcdefghijkl", 5), "abcd…");
        assert_eq!(sanitize("💅💅💅", 10), "💅💅💅");
    }

    #[test]
    fn invisible_characters_are_dropped() {
        let invisible = "\u{200b}\u{200c}\u{2060}\u{feff}\u{fff9}\u{fffa}\u{fffb}\u{2062}\u{180e}";
        assert_eq!(sanitize(&format!("a{invisible}b"), 100), "ab");
        // Line and paragraph separators break lines, as a newline does: a space.
        assert_eq!(sanitize("one\u{2028}two\u{2029}\u{2029}three\u{2029}", 100), "one two three");
        assert_eq!(sanitize("\u{fff9}ruby\u{fffa}rt\u{fffb}", 100), "rubyrt");
        // Joiners and tags with no emoji around them.
        assert_eq!(sanitize("a\u{200d}b\u{200d}", 100), "ab");
        assert_eq!(sanitize("\u{200d}💅", 100), "💅");
        assert_eq!(sanitize("hi\u{e0068}\u{e0069}\u{e007f} there\u{e0001}", 100), "hi there");
    }

    #[test]
    fn emoji_sequences_and_flags_stay_whole() {
        for emoji in [
            "👩\u{200d}👩\u{200d}👧",                                   // a family: ZWJ sequence
            "👍🏽",                                                       // skin tone
            "1\u{fe0f}\u{20e3}",                                        // keycap
            "🇵🇭",                                                       // regional indicator flag
            "🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}", // England
            "❤\u{fe0f}\u{200d}🔥",                                      // heart on fire
            "🏳\u{fe0f}\u{200d}🌈",                                      // rainbow flag
        ] {
            assert_eq!(sanitize(&format!("ok {emoji}!"), 100), format!("ok {emoji}!"), "{emoji:?}");
        }
        // A broken subdivision flag keeps its black flag, not its tags.
        assert_eq!(sanitize("🏴\u{e0067}\u{e0062}x", 100), "🏴x");
        assert_eq!(sanitize("🏴\u{e007f}", 100), "🏴");
    }

    #[test]
    fn combining_marks_are_capped_per_character() {
        let zalgo = format!("Z{}a{}", "\u{301}\u{316}".repeat(40), "\u{300}".repeat(3));
        assert_eq!(sanitize(&zalgo, 100), "Z\u{301}\u{316}\u{301}\u{316}a\u{300}\u{300}\u{300}");
        // Accents as written stay (decomposed é, Vietnamese ệ), and a mark with nothing to sit on goes.
        assert_eq!(sanitize("e\u{301}e\u{323}\u{302}", 100), "e\u{301}e\u{323}\u{302}");
        assert_eq!(sanitize("\u{301}\u{301}x", 100), "x");
    }

    #[test]
    fn a_cut_leaves_no_joiner_or_tag_dangling() {
        assert_eq!(sanitize("ab👩\u{200d}👩\u{200d}👧", 5), "ab👩…");
        assert_eq!(sanitize("a🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}", 5), "a🏴…");
    }

    #[test]
    fn what_is_kept_measures_the_same_as_its_parts() {
        use unicode_width::UnicodeWidthStr;
        // Nothing kept is invisible yet counted, or counted yet invisible, by the layout.
        let hostile = "\u{fff9}a\u{fffa}b\u{fffb}\u{200b}c\u{2060}d\u{e0041}";
        assert_eq!(sanitize(hostile, 100), "abcd");
        assert_eq!(sanitize(hostile, 100).width(), 4);
    }
}
