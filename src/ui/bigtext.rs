//! Block digits for the flash-sale countdown, readable from across the room.

use ratatui::buffer::Buffer;
use ratatui::style::Style;

use super::text;

/// A digit font.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Font {
    /// Five rows of full blocks.
    Large,
    /// Three rows of half blocks, for short panes.
    Small,
}

const LARGE: [[&str; 5]; 10] = [
    ["████", "█  █", "█  █", "█  █", "████"],
    [" ██ ", "  █ ", "  █ ", "  █ ", " ███"],
    ["████", "   █", "████", "█   ", "████"],
    ["████", "   █", "████", "   █", "████"],
    ["█  █", "█  █", "████", "   █", "   █"],
    ["████", "█   ", "████", "   █", "████"],
    ["████", "█   ", "████", "█  █", "████"],
    ["████", "   █", "   █", "   █", "   █"],
    ["████", "█  █", "████", "█  █", "████"],
    ["████", "█  █", "████", "   █", "████"],
];
const LARGE_COLON: [&str; 5] = [" ", "█", " ", "█", " "];

const SMALL: [[&str; 3]; 10] = [
    ["█▀█", "█ █", "▀▀▀"],
    ["▀█ ", " █ ", "▀▀▀"],
    ["▀▀█", "█▀▀", "▀▀▀"],
    ["▀▀█", " ▀█", "▀▀▀"],
    ["█ █", "▀▀█", "  ▀"],
    ["█▀▀", "▀▀█", "▀▀▀"],
    ["█▀▀", "█▀█", "▀▀▀"],
    ["▀▀█", "  █", "  ▀"],
    ["█▀█", "█▀█", "▀▀▀"],
    ["█▀█", "▀▀█", "▀▀▀"],
];
const SMALL_COLON: [&str; 3] = ["▄", "▄", " "];

impl Font {
    /// Rows the font takes.
    pub fn height(self) -> u16 {
        match self {
            Font::Large => 5,
            Font::Small => 3,
        }
    }

    fn glyph(self, c: char, row: usize) -> &'static str {
        match (self, c) {
            (Font::Large, ':') => LARGE_COLON[row],
            (Font::Small, ':') => SMALL_COLON[row],
            (Font::Large, d @ '0'..='9') => LARGE[d as usize - '0' as usize][row],
            (Font::Small, d @ '0'..='9') => SMALL[d as usize - '0' as usize][row],
            (Font::Large, _) => "    ",
            (Font::Small, _) => "   ",
        }
    }
}

/// Columns `s` takes in `font` (one blank column between glyphs).
pub fn width(s: &str, font: Font) -> u16 {
    let glyphs: usize = s.chars().map(|c| text::width(font.glyph(c, 0))).sum();
    let gaps = s.chars().count().saturating_sub(1);
    u16::try_from(glyphs + gaps).unwrap_or(u16::MAX)
}

/// `s` in `font` as lines of text, exactly as [`render`] draws it (blanks as spaces): for
/// reading a countdown back off a captured screen.
pub fn lines(s: &str, font: Font) -> Vec<String> {
    (0..usize::from(font.height()))
        .map(|row| s.chars().map(|c| font.glyph(c, row)).collect::<Vec<_>>().join(" "))
        .collect()
}

/// Draws `s` (digits and `:`) with its top-left corner at (x, y), clipped to the buffer.
pub fn render(buf: &mut Buffer, x: u16, y: u16, s: &str, font: Font, style: Style) {
    let right = buf.area().right();
    for row in 0..usize::from(font.height()) {
        let y = y + row as u16;
        let mut cx = x;
        for c in s.chars() {
            let glyph = font.glyph(c, row);
            let w = text::width(glyph) as u16;
            // Blanks stay unstyled so a background colour never turns a digit into a slab.
            for (i, ch) in glyph.chars().enumerate() {
                if ch != ' ' {
                    let mut tmp = [0; 4];
                    text::put(buf, cx + i as u16, y, right, ch.encode_utf8(&mut tmp), style);
                }
            }
            cx = cx.saturating_add(w + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn draw(s: &str, font: Font) -> String {
        let w = width(s, font);
        let mut buf = Buffer::empty(Rect::new(0, 0, w, font.height()));
        render(&mut buf, 0, 0, s, font, Style::default());
        (0..font.height())
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn digits_render_in_both_fonts() {
        assert_eq!(width("1:05", Font::Large), 4 + 1 + 1 + 1 + 4 + 1 + 4);
        assert_eq!(
            draw("1:05", Font::Large),
            " ██    ████ ████\n  █  █ █  █ █   \n  █    █  █ ████\n  █  █ █  █    █\n ███   ████ ████"
        );
        assert_eq!(draw("0:29", Font::Small), "█▀█ ▄ ▀▀█ █▀█\n█ █ ▄ █▀▀ ▀▀█\n▀▀▀   ▀▀▀ ▀▀▀");
    }

    #[test]
    fn lines_are_what_render_draws() {
        for (s, font) in [("1:05", Font::Large), ("0:29", Font::Small), ("12:34", Font::Large)] {
            assert_eq!(lines(s, font).join("\n"), draw(s, font), "{s}");
        }
    }
}
