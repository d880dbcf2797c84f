//! Cleaning of untrusted text before it reaches the desk, the screen, logs or exports.
//!
//! Whole escape sequences are removed (not just their ESC byte, which would leave
//! `[31m` litter behind), as are C0/C1 controls and the bidi controls that can make a
//! comment render in a different order than it was written.

/// Longest chat text kept, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// Longest display name or short field kept, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// Returns `input` without escape sequences, control or bidi characters, capped to
/// `max_chars` characters (an ellipsis marks a cut). Newlines and tabs become spaces.
pub fn sanitize(input: &str, max_chars: usize) -> String {
    if is_plain(input, max_chars) {
        return input.to_owned();
    }
    let mut out = String::with_capacity(input.len().min(max_chars * 4));
    let mut kept = 0usize;
    let mut chars = input.chars().peekable();
    // Keep one char more than the cap so a cut can be told from an exact fit.
    while kept <= max_chars {
        let Some(c) = chars.next() else { break };
        let c = match c {
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
            '\n' | '\r' | '\t' if kept == 0 || out.ends_with(' ') => continue,
            '\n' | '\r' | '\t' => ' ',
            c if is_dropped(c) => continue,
            c => c,
        };
        out.push(c);
        kept += 1;
    }
    if kept > max_chars {
        let cut = out.char_indices().nth(max_chars.saturating_sub(1)).map_or(out.len(), |(i, _)| i);
        out.truncate(cut);
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

fn is_dropped(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
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
}
