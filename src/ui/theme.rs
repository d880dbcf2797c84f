//! Themes: the styles every pane draws with, resolved from the palette of the theme the
//! config loaded (reading and checking theme files is [`crate::config::theme`]).

use ratatui::style::{Color, Modifier, Style};

use crate::config::EnvInfo;
use crate::config::theme::{Colour, Palette, ThemeSpec};

/// Resolved styles, one per thing the panes show.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    /// Default text on the default background.
    pub base: Style,
    /// Secondary text: timestamps, hints, planned items.
    pub dim: Style,
    pub border: Style,
    pub border_focus: Style,
    pub title: Style,
    pub accent: Style,
    pub ok: Style,
    pub warn: Style,
    pub danger: Style,
    /// The selected row.
    pub selected: Style,
    pub question: Style,
    /// Chat tags: buying intent, shipping questions, complaints, mentions of the shop.
    pub buyer: Style,
    pub shipping: Style,
    pub complaint: Style,
    pub mention: Style,
    /// The shop's own messages.
    pub operator: Style,
    /// Orders, gifts and other inline events.
    pub system: Style,
    /// The running flash sale's countdown.
    pub sale: Style,
    /// The countdown in its last seconds.
    pub sale_urgent: Style,
    pub low_stock: Style,
    pub sold_out: Style,
    /// The status bar.
    pub status: Style,
    /// The DEMO badge.
    pub demo: Style,
}

impl Default for Theme {
    /// The built-in dark theme in plain 16 colours; used when no theme file is loaded.
    fn default() -> Self {
        Theme {
            name: "default".into(),
            base: Style::default(),
            dim: Style::default().fg(Color::DarkGray),
            border: Style::default().fg(Color::DarkGray),
            border_focus: Style::default().fg(Color::Cyan),
            title: Style::default().fg(Color::White).add_modifier(Modifier::BOLD),
            accent: Style::default().fg(Color::Cyan),
            ok: Style::default().fg(Color::Green),
            warn: Style::default().fg(Color::Yellow),
            danger: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            selected: Style::default().bg(Color::DarkGray),
            question: Style::default().fg(Color::Yellow),
            buyer: Style::default().fg(Color::Green).add_modifier(Modifier::BOLD),
            shipping: Style::default().fg(Color::LightBlue),
            complaint: Style::default().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            mention: Style::default().fg(Color::LightCyan).add_modifier(Modifier::BOLD),
            operator: Style::default().fg(Color::Magenta),
            system: Style::default().fg(Color::Green),
            sale: Style::default().fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            sale_urgent: Style::default().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            low_stock: Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            sold_out: Style::default().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
            status: Style::default().fg(Color::White).bg(Color::Blue),
            demo: Style::default().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD),
        }
    }
}

/// The 16 ANSI colours with xterm's default values, for the nearest-colour fallback.
const ANSI_RGB: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0x00, 0x00, 0x00)),
    (Color::Red, (0xcd, 0x00, 0x00)),
    (Color::Green, (0x00, 0xcd, 0x00)),
    (Color::Yellow, (0xcd, 0xcd, 0x00)),
    (Color::Blue, (0x00, 0x00, 0xee)),
    (Color::Magenta, (0xcd, 0x00, 0xcd)),
    (Color::Cyan, (0x00, 0xcd, 0xcd)),
    (Color::Gray, (0xe5, 0xe5, 0xe5)),
    (Color::DarkGray, (0x7f, 0x7f, 0x7f)),
    (Color::LightRed, (0xff, 0x00, 0x00)),
    (Color::LightGreen, (0x00, 0xff, 0x00)),
    (Color::LightYellow, (0xff, 0xff, 0x00)),
    (Color::LightBlue, (0x5c, 0x5c, 0xff)),
    (Color::LightMagenta, (0xff, 0x00, 0xff)),
    (Color::LightCyan, (0x00, 0xff, 0xff)),
    (Color::White, (0xff, 0xff, 0xff)),
];

/// The nearest of the 16 ANSI colours to an RGB colour, for terminals without truecolor.
pub fn nearest_ansi(r: u8, g: u8, b: u8) -> Color {
    // "Redmean" weighting: a cheap approximation of perceived distance.
    let dist = |(r2, g2, b2): (u8, u8, u8)| {
        let rm = (i32::from(r) + i32::from(r2)) / 2;
        let dr = i32::from(r) - i32::from(r2);
        let dg = i32::from(g) - i32::from(g2);
        let db = i32::from(b) - i32::from(b2);
        (((512 + rm) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rm) * db * db) >> 8)
    };
    ANSI_RGB.iter().min_by_key(|(_, rgb)| dist(*rgb)).map_or(Color::Reset, |(c, _)| *c)
}

/// The terminal colour for a palette colour.
fn terminal_colour(c: Colour) -> Color {
    match c {
        Colour::Black => Color::Black,
        Colour::Red => Color::Red,
        Colour::Green => Color::Green,
        Colour::Yellow => Color::Yellow,
        Colour::Blue => Color::Blue,
        Colour::Magenta => Color::Magenta,
        Colour::Cyan => Color::Cyan,
        Colour::Gray => Color::Gray,
        Colour::DarkGray => Color::DarkGray,
        Colour::LightRed => Color::LightRed,
        Colour::LightGreen => Color::LightGreen,
        Colour::LightYellow => Color::LightYellow,
        Colour::LightBlue => Color::LightBlue,
        Colour::LightMagenta => Color::LightMagenta,
        Colour::LightCyan => Color::LightCyan,
        Colour::White => Color::White,
        Colour::Reset => Color::Reset,
        Colour::Rgb(r, g, b) => Color::Rgb(r, g, b),
    }
}

/// A style from optional colours and the slot's fixed attributes.
fn paint(fg: Option<Color>, bg: Option<Color>, modifier: Modifier) -> Style {
    let mut style = Style::default().add_modifier(modifier);
    style.fg = fg;
    style.bg = bg;
    style
}

impl Theme {
    /// The styles of the theme the config loaded, for the terminal it found.
    pub fn from_spec(spec: &ThemeSpec) -> Theme {
        Theme::from_palette(&spec.name, &spec.palette, &spec.env)
    }

    /// Resolves a palette into styles, downgrading 24-bit colours when the terminal lacks
    /// them and dropping every colour under NO_COLOR.
    pub fn from_palette(name: &str, palette: &Palette, env: &EnvInfo) -> Theme {
        if env.no_color {
            return Theme::no_color();
        }
        let c = |slot: &str| match palette.get(slot) {
            Some(Colour::Rgb(r, g, b)) if !env.truecolor => Some(nearest_ansi(r, g, b)),
            other => other.map(terminal_colour),
        };
        let fg = |slot: &str, m: Modifier| paint(c(slot), None, m);
        let none = Modifier::empty();
        Theme {
            name: name.to_string(),
            base: paint(c("base_fg"), c("base_bg"), none),
            dim: fg("dim", none),
            border: fg("border", none),
            border_focus: fg("border_focus", none),
            title: fg("title", Modifier::BOLD),
            accent: fg("accent", none),
            ok: fg("ok", none),
            warn: fg("warn", none),
            danger: fg("danger", Modifier::BOLD),
            selected: paint(None, c("selected_bg"), none),
            question: fg("question", none),
            buyer: fg("buyer", Modifier::BOLD),
            shipping: fg("shipping", none),
            complaint: fg("complaint", Modifier::BOLD),
            mention: fg("mention", Modifier::BOLD),
            operator: fg("operator", none),
            system: fg("system", none),
            sale: fg("sale", Modifier::BOLD),
            sale_urgent: fg("sale_urgent", Modifier::BOLD),
            low_stock: fg("low_stock", Modifier::BOLD),
            sold_out: paint(c("sold_out_fg"), c("sold_out_bg"), Modifier::BOLD),
            status: paint(c("status_fg"), c("status_bg"), none),
            demo: paint(c("demo_fg"), c("demo_bg"), Modifier::BOLD),
        }
    }

    /// The attribute-only theme for NO_COLOR (no-color.org): meaning carried by bold,
    /// underline, dim and reverse video alone.
    pub fn no_color() -> Theme {
        let m = |m: Modifier| Style::default().add_modifier(m);
        Theme {
            name: "no-color".into(),
            base: Style::default(),
            dim: m(Modifier::DIM),
            border: Style::default(),
            border_focus: m(Modifier::BOLD),
            title: m(Modifier::BOLD),
            accent: m(Modifier::BOLD),
            ok: Style::default(),
            warn: m(Modifier::BOLD),
            danger: m(Modifier::BOLD | Modifier::UNDERLINED),
            selected: m(Modifier::REVERSED),
            question: m(Modifier::BOLD),
            buyer: m(Modifier::BOLD | Modifier::UNDERLINED),
            shipping: m(Modifier::UNDERLINED),
            complaint: m(Modifier::BOLD | Modifier::REVERSED),
            mention: m(Modifier::BOLD | Modifier::ITALIC),
            operator: m(Modifier::ITALIC),
            system: m(Modifier::DIM),
            sale: m(Modifier::BOLD),
            sale_urgent: m(Modifier::BOLD | Modifier::REVERSED),
            low_stock: m(Modifier::UNDERLINED),
            sold_out: m(Modifier::REVERSED | Modifier::BOLD),
            status: m(Modifier::REVERSED),
            demo: m(Modifier::REVERSED | Modifier::BOLD),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::builtin;
    use crate::config::library::Library;
    use crate::config::theme::load_theme;
    use crate::config::theme::tests::lib_with;

    const TRUECOLOR: EnvInfo = EnvInfo { no_color: false, truecolor: true };
    const ANSI16: EnvInfo = EnvInfo { no_color: false, truecolor: false };

    /// A theme file loaded by the config, as the ui draws it.
    fn load(lib: &Library, name: &str, env: &EnvInfo) -> Theme {
        let spec = load_theme(lib, name, env, &mut Vec::new()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        Theme::from_spec(&spec)
    }

    fn styles(t: &Theme) -> Vec<Style> {
        vec![
            t.base,
            t.dim,
            t.border,
            t.border_focus,
            t.title,
            t.accent,
            t.ok,
            t.warn,
            t.danger,
            t.selected,
            t.question,
            t.buyer,
            t.shipping,
            t.complaint,
            t.mention,
            t.operator,
            t.system,
            t.sale,
            t.sale_urgent,
            t.low_stock,
            t.sold_out,
            t.status,
            t.demo,
        ]
    }

    #[test]
    fn rgb_maps_to_the_nearest_of_16() {
        assert!(matches!(nearest_ansi(0xff, 0, 0), Color::Red | Color::LightRed));
        assert!(matches!(nearest_ansi(0xc0, 0x10, 0x10), Color::Red));
        assert_eq!(nearest_ansi(0, 0, 0), Color::Black);
        assert_eq!(nearest_ansi(0xfa, 0xfa, 0xfa), Color::White);
        assert_eq!(nearest_ansi(0x80, 0x80, 0x80), Color::DarkGray);
        assert!(matches!(nearest_ansi(0x00, 0x80, 0x00), Color::Green));
        assert!(matches!(nearest_ansi(0x10, 0x30, 0xf0), Color::Blue | Color::LightBlue));
    }

    #[test]
    fn every_builtin_theme_loads_in_both_colour_depths() {
        let (_dir, lib) = lib_with(&[]);
        for (name, _) in builtin::THEMES {
            let t = load(&lib, name, &TRUECOLOR);
            assert_eq!(t.name, name);
            let t16 = load(&lib, name, &ANSI16);
            for s in styles(&t16) {
                assert!(!matches!(s.fg, Some(Color::Rgb(..))), "{name}: {s:?}");
                assert!(!matches!(s.bg, Some(Color::Rgb(..))), "{name}: {s:?}");
            }
            // The 16-colour fallback must keep the pairs that carry meaning apart.
            assert_ne!(t16.selected.bg, t16.base.bg, "{name}");
            assert_ne!(t16.sold_out.fg, t16.sold_out.bg, "{name}");
            assert_ne!(t16.status.fg, t16.status.bg, "{name}");
            assert_ne!(t16.demo.fg, t16.demo.bg, "{name}");
        }
    }

    #[test]
    fn the_builtin_default_file_matches_the_default_impl() {
        let (_dir, lib) = lib_with(&[]);
        assert_eq!(load(&lib, "default", &TRUECOLOR), Theme::default());
    }

    #[test]
    fn no_color_has_no_colours_anywhere() {
        let env = EnvInfo { no_color: true, truecolor: true };
        let (_dir, lib) = lib_with(&[]);
        for (name, _) in builtin::THEMES {
            let t = load(&lib, name, &env);
            for s in styles(&t) {
                assert_eq!((s.fg, s.bg), (None, None), "{name}: {s:?}");
            }
            assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
            assert!(t.sold_out.add_modifier.contains(Modifier::REVERSED | Modifier::BOLD));
            assert!(t.danger.add_modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
            assert!(t.dim.add_modifier.contains(Modifier::DIM));
        }
    }

    #[test]
    fn inherits_overrides_only_what_it_lists() {
        let (_dir, lib) = lib_with(&[("mine", "inherits = \"default\"\n[palette]\naccent = \"#ff0000\"\n")]);
        let t = load(&lib, "mine", &TRUECOLOR);
        assert_eq!(t.accent.fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.status, Theme::default().status);
        assert_eq!(t.name, "mine");
        let t = load(&lib, "mine", &ANSI16);
        assert_eq!(t.accent.fg, Some(Color::LightRed));
    }
}
