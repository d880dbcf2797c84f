//! Measuring and writing untrusted text cell by cell, so wide characters (emoji, CJK) and
//! stray control characters can never push a pane out of shape.

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::protocol::sanitize;

const ZWJ: char = '\u{200D}';

/// Whether a character must never reach the terminal: controls, bidi controls, and the
/// invisible characters a terminal measures differently (see the sanitizer).
pub(crate) fn forbidden(c: char) -> bool {
    sanitize::is_dropped(c)
}

fn regional(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

fn skin_tone(c: char) -> bool {
    ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

/// Splits text into the units a terminal draws in one cell or two: a base character with
/// the marks, joiners and modifiers that ride on it. Yields each unit with its width.
pub(crate) struct Clusters<'a> {
    s: &'a str,
    pos: usize,
}

pub(crate) fn clusters(s: &str) -> Clusters<'_> {
    Clusters { s, pos: 0 }
}

impl<'a> Iterator for Clusters<'a> {
    type Item = (&'a str, u16);

    fn next(&mut self) -> Option<(&'a str, u16)> {
        loop {
            let rest = &self.s[self.pos..];
            // Fast path: a printable ASCII byte not followed by a combining character.
            if let [b, next @ ..] = rest.as_bytes()
                && (0x20..0x7f).contains(b)
                && next.first().is_none_or(|n| n.is_ascii())
            {
                self.pos += 1;
                return Some((&rest[..1], 1));
            }
            let mut chars = rest.char_indices();
            let (_, first) = chars.next()?;
            if forbidden(first) {
                self.pos += first.len_utf8();
                continue;
            }
            let mut end = first.len_utf8();
            let mut prev = first;
            let mut regional_pairs = usize::from(regional(first));
            for (i, c) in chars {
                if forbidden(c) {
                    break;
                }
                let joins = prev == ZWJ
                    || c.width().unwrap_or(0) == 0
                    || skin_tone(c)
                    || (regional(c) && regional_pairs == 1);
                if !joins {
                    break;
                }
                if regional(c) {
                    regional_pairs += 1;
                }
                end = i + c.len_utf8();
                prev = c;
            }
            let cluster = &rest[..end];
            self.pos += end;
            let width = u16::try_from(cluster.width()).unwrap_or(u16::MAX);
            if width == 0 {
                // A stray mark with nothing to sit on.
                continue;
            }
            return Some((cluster, width));
        }
    }
}

/// Display width of text as [`put`] draws it.
pub(crate) fn width(s: &str) -> usize {
    clusters(s).map(|(_, w)| usize::from(w)).sum()
}

/// Writes one cluster at (x, y); the cells a wide cluster covers are blanked.
pub(crate) fn put_cluster(buf: &mut Buffer, x: u16, y: u16, cluster: &str, w: u16, style: Style) {
    if cluster.starts_with(regional) {
        // Terminals disagree on how wide a flag is, which would shift the pane's border:
        // draw its two letters instead (🇵🇭 → PH), one cell each, as the width counted.
        for (i, c) in cluster.chars().filter(|c| regional(*c)).take(usize::from(w)).enumerate() {
            let letter = char::from(b'A' + (u32::from(c) - 0x1F1E6) as u8);
            buf[(x + i as u16, y)].set_char(letter).set_style(style);
        }
        return;
    }
    buf[(x, y)].set_symbol(cluster).set_style(style);
    for i in 1..w {
        buf[(x + i, y)].reset();
    }
}

/// Writes text from x up to (not including) `right`, cutting it cleanly; returns the next x.
pub(crate) fn put(buf: &mut Buffer, x: u16, y: u16, right: u16, s: &str, style: Style) -> u16 {
    let area = *buf.area();
    if y < area.top() || y >= area.bottom() {
        return x;
    }
    let right = right.min(area.right());
    let mut x = x.max(area.left());
    for (c, w) in clusters(s) {
        if x.saturating_add(w) > right {
            break;
        }
        put_cluster(buf, x, y, c, w, style);
        x += w;
    }
    x
}

/// Like [`put`] but ends with `…` when the text does not fit.
pub(crate) fn put_trunc(buf: &mut Buffer, x: u16, y: u16, right: u16, s: &str, style: Style) -> u16 {
    let room = usize::from(right.saturating_sub(x));
    if width(s) <= room {
        return put(buf, x, y, right, s, style);
    }
    if room == 0 {
        return x;
    }
    let x = put(buf, x, y, right - 1, s, style);
    put(buf, x, y, x + 1, "…", style)
}

/// Cuts text to at most `max` columns, with `…` if anything was cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for (c, w) in clusters(s) {
        if used + usize::from(w) + 1 > max {
            break;
        }
        out.push_str(c);
        used += usize::from(w);
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// A count the way a status bar shows it: `950`, `12.3k`, `1.2M`.
pub(crate) fn compact(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.1}k", n as f64 / 1_000.0),
        _ => format!("{:.1}M", n as f64 / 1_000_000.0),
    }
}

/// The operator's UTC offset in seconds, for the clock and chat times (0 until set).
static UTC_OFFSET: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Shows times in the operator's own time zone: the app sets this once at start (the desk
/// itself runs on UTC, so replays and tests do not depend on where they run).
pub fn set_utc_offset(seconds: i32) {
    UTC_OFFSET.store(seconds, std::sync::atomic::Ordering::Relaxed);
}

/// The operator's UTC offset in seconds.
pub(crate) fn utc_offset() -> i32 {
    UTC_OFFSET.load(std::sync::atomic::Ordering::Relaxed)
}

/// `HH:MM:SS` of a unix time in the operator's time zone, written into a caller's buffer so
/// drawing a chat line allocates nothing.
pub(crate) fn hms(secs: i64, out: &mut [u8; 8]) -> &str {
    let secs = secs + i64::from(UTC_OFFSET.load(std::sync::atomic::Ordering::Relaxed));
    let day = secs.rem_euclid(86_400);
    let (h, m, s) = (day / 3600, day / 60 % 60, day % 60);
    for (i, v) in [h, m, s].into_iter().enumerate() {
        out[i * 3] = b'0' + (v / 10) as u8;
        out[i * 3 + 1] = b'0' + (v % 10) as u8;
        if i < 2 {
            out[i * 3 + 2] = b':';
        }
    }
    std::str::from_utf8(out).unwrap_or("--:--:--")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Vec<(&str, u16)> {
        clusters(s).collect()
    }

    #[test]
    fn clusters_keep_emoji_sequences_together() {
        assert_eq!(parts("a💅漢"), vec![("a", 1), ("💅", 2), ("漢", 2)]);
        assert_eq!(parts("👩\u{200d}👩\u{200d}👧!"), vec![("👩\u{200d}👩\u{200d}👧", 2), ("!", 1)]);
        assert_eq!(parts("🇵🇭🇬🇧"), vec![("🇵🇭", 2), ("🇬🇧", 2)]);
        assert_eq!(parts("👍🏽❤\u{fe0f}"), vec![("👍🏽", 2), ("❤\u{fe0f}", 2)]);
        assert_eq!(parts("e\u{301}"), vec![("e\u{301}", 1)]);
    }

    #[test]
    fn controls_and_bidi_overrides_are_dropped() {
        assert_eq!(
            parts("a\x1b[31mb\u{202e}c\u{7}"),
            vec![("a", 1), ("[", 1), ("3", 1), ("1", 1), ("m", 1), ("b", 1), ("c", 1)]
        );
        assert_eq!(parts("\u{301}x"), vec![("x", 1)]);
    }

    #[test]
    fn truncation_and_time_formats() {
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("漢字漢字", 5), "漢字…");
        assert_eq!(truncate("ok", 5), "ok");
        let mut b = [0; 8];
        assert_eq!(hms(3600 * 25 + 61, &mut b), "01:01:01");
        assert_eq!(compact(12_345), "12.3k");
    }
}
