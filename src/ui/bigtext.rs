//! Block letters and digits, readable from across the room: the flash-sale countdown, and
//! the name of the cue on now on the host's screen.

use std::borrow::Cow;

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

/// Letters and signs as five rows of pixels: drawn as they are in the large font, and two
/// rows to a cell in half blocks in the small one, so both fonts have the same shapes.
const SHAPES: [(char, [&str; 5]); 32] = [
    ('A', [" ██ ", "█  █", "████", "█  █", "█  █"]),
    ('B', ["███ ", "█  █", "███ ", "█  █", "███ "]),
    ('C', ["████", "█   ", "█   ", "█   ", "████"]),
    ('D', ["███ ", "█  █", "█  █", "█  █", "███ "]),
    ('E', ["████", "█   ", "███ ", "█   ", "████"]),
    ('F', ["████", "█   ", "███ ", "█   ", "█   "]),
    ('G', ["████", "█   ", "█ ██", "█  █", "████"]),
    ('H', ["█  █", "█  █", "████", "█  █", "█  █"]),
    ('I', ["███", " █ ", " █ ", " █ ", "███"]),
    ('J', ["   █", "   █", "   █", "█  █", "████"]),
    ('K', ["█  █", "█ █ ", "██  ", "█ █ ", "█  █"]),
    ('L', ["█   ", "█   ", "█   ", "█   ", "████"]),
    ('M', ["█   █", "██ ██", "█ █ █", "█   █", "█   █"]),
    ('N', ["█  █", "██ █", "█ ██", "█  █", "█  █"]),
    ('O', ["████", "█  █", "█  █", "█  █", "████"]),
    ('P', ["████", "█  █", "████", "█   ", "█   "]),
    ('Q', ["████", "█  █", "█  █", "█ ██", "████"]),
    ('R', ["████", "█  █", "████", "█ █ ", "█  █"]),
    ('S', ["████", "█   ", "████", "   █", "████"]),
    ('T', ["█████", "  █  ", "  █  ", "  █  ", "  █  "]),
    ('U', ["█  █", "█  █", "█  █", "█  █", "████"]),
    ('V', ["█   █", "█   █", "█   █", " █ █ ", "  █  "]),
    ('W', ["█   █", "█   █", "█ █ █", "██ ██", "█   █"]),
    ('X', ["█   █", " █ █ ", "  █  ", " █ █ ", "█   █"]),
    ('Y', ["█   █", " █ █ ", "  █  ", "  █  ", "  █  "]),
    ('Z', ["████", "   █", " ██ ", "█   ", "████"]),
    (' ', ["  ", "  ", "  ", "  ", "  "]),
    ('-', ["   ", "   ", "███", "   ", "   "]),
    ('\'', ["█", "█", " ", " ", " "]),
    ('&', [" ██ ", "█  █", " ██ ", "█ █ ", " █ █"]),
    ('.', [" ", " ", " ", " ", "█"]),
    (',', [" ", " ", " ", "█", "█"]),
];

fn shape(c: char) -> Option<&'static [&'static str; 5]> {
    SHAPES.iter().find(|(s, _)| *s == c).map(|(_, rows)| rows)
}

/// Row `row` of a five-row shape in half blocks: pixel rows 2·row and 2·row + 1.
fn halves(rows: &[&str; 5], row: usize) -> String {
    let top: Vec<char> = rows[2 * row].chars().collect();
    let bottom: Vec<char> =
        rows.get(2 * row + 1).map_or_else(|| vec![' '; top.len()], |r| r.chars().collect());
    top.iter()
        .zip(&bottom)
        .map(|(t, b)| match (*t != ' ', *b != ' ') {
            (true, true) => '█',
            (true, false) => '▀',
            (false, true) => '▄',
            (false, false) => ' ',
        })
        .collect()
}

/// A letter as the fonts draw it: upper case, accents folded to the base letter (é -> E);
/// `None` for what they cannot draw.
fn fold(c: char) -> Option<char> {
    let base = match c.to_lowercase().next()? {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'A',
        'ç' | 'ć' | 'č' => 'C',
        'ď' | 'đ' => 'D',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'E',
        'ğ' => 'G',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'I',
        'ł' | 'ľ' | 'ĺ' => 'L',
        'ñ' | 'ń' | 'ň' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'O',
        'ř' | 'ŕ' => 'R',
        'ś' | 'š' | 'ş' => 'S',
        'ť' | 'ţ' => 'T',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'U',
        'ý' | 'ÿ' => 'Y',
        'ź' | 'ż' | 'ž' => 'Z',
        '’' | '‘' => '\'',
        c => c.to_ascii_uppercase(),
    };
    (base.is_ascii_digit() || base == ':' || shape(base).is_some()).then_some(base)
}

/// `s` as the fonts draw it (upper case, accents folded), or `None` when it has a
/// character they cannot draw: the caller shows it in normal text instead.
pub fn drawable(s: &str) -> Option<String> {
    s.chars().map(fold).collect()
}

impl Font {
    /// Rows the font takes.
    pub fn height(self) -> u16 {
        match self {
            Font::Large => 5,
            Font::Small => 3,
        }
    }

    fn glyph(self, c: char, row: usize) -> Cow<'static, str> {
        match (self, c) {
            (Font::Large, ':') => LARGE_COLON[row].into(),
            (Font::Small, ':') => SMALL_COLON[row].into(),
            (Font::Large, d @ '0'..='9') => LARGE[d as usize - '0' as usize][row].into(),
            (Font::Small, d @ '0'..='9') => SMALL[d as usize - '0' as usize][row].into(),
            (font, c) => match (font, shape(c)) {
                (Font::Large, Some(rows)) => rows[row].into(),
                (Font::Small, Some(rows)) => halves(rows, row).into(),
                (Font::Large, None) => "    ".into(),
                (Font::Small, None) => "   ".into(),
            },
        }
    }
}

/// Columns `s` takes in `font` (one blank column between glyphs).
pub fn width(s: &str, font: Font) -> u16 {
    let glyphs: usize = s.chars().map(|c| text::width(&font.glyph(c, 0))).sum();
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

/// `s` in lines of `font` no wider than `width`, broken between words; `None` when a word
/// alone is wider (a name is never cut mid-letter) or `s` has what the font cannot draw.
pub fn wrap(s: &str, font: Font, width: u16) -> Option<Vec<String>> {
    let s = drawable(s)?;
    let mut lines: Vec<String> = Vec::new();
    for word in s.split_whitespace() {
        if self::width(word, font) > width {
            return None;
        }
        match lines.last_mut() {
            Some(line) if self::width(&format!("{line} {word}"), font) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    (!lines.is_empty()).then_some(lines)
}

/// Draws `s` (what [`drawable`] gives) with its top-left corner at (x, y), clipped to the
/// buffer.
pub fn render(buf: &mut Buffer, x: u16, y: u16, s: &str, font: Font, style: Style) {
    let right = buf.area().right();
    for row in 0..usize::from(font.height()) {
        let y = y + row as u16;
        let mut cx = x;
        for c in s.chars() {
            let glyph = font.glyph(c, row);
            let w = text::width(&glyph) as u16;
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
    fn letters_render_in_both_fonts_with_the_same_shapes() {
        assert_eq!(draw("HI", Font::Large), "█  █ ███\n█  █  █ \n████  █ \n█  █  █ \n█  █ ███");
        assert_eq!(draw("HI", Font::Small), "█  █ ▀█▀\n█▀▀█  █ \n▀  ▀ ▀▀▀");
        assert_eq!(draw("A-B", Font::Small), "▄▀▀▄     █▀▀▄\n█▀▀█ ▀▀▀ █▀▀▄\n▀  ▀     ▀▀▀ ");
    }

    #[test]
    fn accents_fold_to_their_letter_and_what_cannot_be_drawn_is_refused() {
        assert_eq!(drawable("Crème brûlée & Co."), Some("CREME BRULEE & CO.".into()));
        assert_eq!(drawable("Kit’s 2-pack"), Some("KIT'S 2-PACK".into()));
        assert_eq!(drawable("Nails 💅"), None);
        assert_eq!(drawable("50% off"), None);
        assert_eq!(drawable("ネイル"), None);
    }

    #[test]
    fn a_name_wraps_between_words_and_never_inside_one() {
        let lines = wrap("almond blush", Font::Large, 30).unwrap();
        assert_eq!(lines, ["ALMOND", "BLUSH"]);
        assert_eq!(wrap("almond blush", Font::Large, 200).unwrap(), ["ALMOND BLUSH"]);
        assert!(wrap("almond", Font::Large, 20).is_none(), "ALMOND is 29 wide: not cut");
        assert!(wrap("pink 💅", Font::Large, 200).is_none());
        assert!(wrap("  ", Font::Large, 200).is_none());
    }

    #[test]
    fn lines_are_what_render_draws() {
        for (s, font) in
            [("1:05", Font::Large), ("0:29", Font::Small), ("12:34", Font::Large), ("GO & WIN", Font::Small)]
        {
            assert_eq!(lines(s, font).join("\n"), draw(s, font), "{s}");
        }
    }
}
