//! Theme files: a palette of colours by slot, read from `themes/NAME.toml` (the user's, else
//! the built-in one) following `inherits`, with every mistake located at file:line:col. The
//! palette is plain colours; the ui turns it into the styles it draws with.

use std::path::PathBuf;

use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, Source};
use super::library::{Library, load_chain};

/// What the terminal environment allows, read once by the caller so loading is deterministic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EnvInfo {
    /// `NO_COLOR` is set and not empty (no-color.org): use the attribute-only theme.
    pub no_color: bool,
    /// The terminal shows 24-bit colour; otherwise `#rrggbb` becomes the nearest of 16.
    pub truecolor: bool,
}

impl EnvInfo {
    /// Reads `NO_COLOR` and `COLORTERM` from the process environment.
    pub fn from_env() -> EnvInfo {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let truecolor = std::env::var("COLORTERM")
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "truecolor" | "24bit"));
        EnvInfo { no_color, truecolor }
    }
}

/// A colour as a theme file names it: one of the 16 terminal colours, the terminal's reset,
/// or 24-bit RGB (which a terminal without truecolor shows as the nearest of the 16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    Black,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Gray,
    DarkGray,
    LightRed,
    LightGreen,
    LightYellow,
    LightBlue,
    LightMagenta,
    LightCyan,
    White,
    Reset,
    Rgb(u8, u8, u8),
}

/// The palette slots a theme file may set, in the order the default theme lists them.
pub const PALETTE_SLOTS: [&str; 27] = [
    "base_fg",
    "base_bg",
    "dim",
    "border",
    "border_focus",
    "title",
    "accent",
    "ok",
    "warn",
    "danger",
    "selected_bg",
    "question",
    "buyer",
    "shipping",
    "complaint",
    "mention",
    "operator",
    "system",
    "sale",
    "sale_urgent",
    "low_stock",
    "sold_out_fg",
    "sold_out_bg",
    "status_fg",
    "status_bg",
    "demo_fg",
    "demo_bg",
];

/// The colour names a theme file accepts, besides `#rrggbb`.
pub const COLOUR_NAMES: [(&str, Colour); 17] = [
    ("black", Colour::Black),
    ("red", Colour::Red),
    ("green", Colour::Green),
    ("yellow", Colour::Yellow),
    ("blue", Colour::Blue),
    ("magenta", Colour::Magenta),
    ("cyan", Colour::Cyan),
    ("gray", Colour::Gray),
    ("darkgray", Colour::DarkGray),
    ("lightred", Colour::LightRed),
    ("lightgreen", Colour::LightGreen),
    ("lightyellow", Colour::LightYellow),
    ("lightblue", Colour::LightBlue),
    ("lightmagenta", Colour::LightMagenta),
    ("lightcyan", Colour::LightCyan),
    ("white", Colour::White),
    ("reset", Colour::Reset),
];

/// The accepted colour forms, as error fixes list them.
const COLOUR_FORMS: &str = "write \"#rrggbb\", \"default\", \"reset\" or one of black, red, green, \
yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen, lightyellow, lightblue, \
lightmagenta, lightcyan, white";

/// Parses a palette colour: `Some(None)` is `default` (no colour), `None` is not a colour.
pub fn parse_colour(text: &str) -> Option<Option<Colour>> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix('#') {
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let n = u32::from_str_radix(hex, 16).ok()?;
        return Some(Some(Colour::Rgb((n >> 16) as u8, (n >> 8) as u8, n as u8)));
    }
    let name: String = t.chars().filter(|c| !matches!(c, '-' | '_' | ' ')).collect::<String>().to_lowercase();
    let name = name.replace("grey", "gray");
    if name == "default" {
        return Some(None);
    }
    COLOUR_NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| Some(*c))
}

/// A theme's colours by slot; `None` leaves the terminal's own colour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Palette {
    colours: [Option<Colour>; PALETTE_SLOTS.len()],
}

impl Palette {
    /// The colour of a slot by name (`None` for `default` or an unknown slot).
    pub fn get(&self, slot: &str) -> Option<Colour> {
        slot_index(slot).and_then(|i| self.colours[i])
    }

    /// Sets a slot by name; returns false when there is no such slot.
    pub fn set(&mut self, slot: &str, colour: Option<Colour>) -> bool {
        match slot_index(slot) {
            Some(i) => {
                self.colours[i] = colour;
                true
            }
            None => false,
        }
    }
}

fn slot_index(slot: &str) -> Option<usize> {
    PALETTE_SLOTS.iter().position(|s| *s == slot)
}

/// The active theme as the config resolves it: its name and palette, and what the terminal
/// allows (`NO_COLOR`, truecolor), so that the styles are a function of this alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThemeSpec {
    pub name: String,
    pub palette: Palette,
    pub env: EnvInfo,
}

/// Loads a named theme (the user's file, else the built-in one), following `inherits`.
pub(crate) fn load_theme(
    lib: &Library,
    name: &str,
    env: &EnvInfo,
    read: &mut Vec<PathBuf>,
) -> Result<ThemeSpec, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let palette = load_chain(lib, name, read, &mut errors, &mut palette_layer);
    if errors.is_empty() { Ok(ThemeSpec { name: name.to_owned(), palette, env: *env }) } else { Err(errors) }
}

/// One theme file's `[palette]`, applied on top of the palette it inherits.
fn palette_layer(
    mut palette: Palette,
    src: &Source,
    doc: &DeTable<'_>,
    _top: bool,
    errors: &mut Vec<ConfigError>,
) -> Palette {
    let mut own = None;
    for (key, value) in doc {
        let key_name: &str = key.get_ref();
        match (key_name, value.get_ref()) {
            ("inherits", _) => {}
            ("palette", DeValue::Table(table)) => own = Some(table),
            ("palette", _) => errors.push(src.error(
                value.span(),
                "`palette` must be a table of slot = \"colour\" lines",
                "write it as [palette] followed by lines like accent = \"cyan\"",
            )),
            (other, _) => errors.push(src.error(
                key.span(),
                format!("unknown field `{other}`"),
                "a theme has only `inherits` and the table [palette]; put colours in [palette]",
            )),
        }
    }
    for (key, value) in own.into_iter().flatten() {
        let slot: &str = key.get_ref();
        if slot_index(slot).is_none() {
            errors.push(src.error(
                key.span(),
                format!("unknown palette slot `{slot}`"),
                format!("use one of: {}", PALETTE_SLOTS.join(", ")),
            ));
            continue;
        }
        let color = value.get_ref().as_str().and_then(parse_colour);
        match color {
            Some(color) => {
                palette.set(slot, color);
            }
            None => {
                let shown = match value.get_ref().as_str() {
                    Some(s) => format!("`{s}` is not a colour"),
                    None => "a colour must be text in quotes".to_string(),
                };
                errors.push(src.error(value.span(), shown, COLOUR_FORMS));
            }
        }
    }
    palette
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::library::Kind;

    const TRUECOLOR: EnvInfo = EnvInfo { no_color: false, truecolor: true };

    /// A theme library in a temporary directory holding `files` (name, text).
    pub(crate) fn lib_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join("themes").join(format!("{name}.toml")), text).unwrap();
        }
        let lib = Library::new(dir.path(), Kind::Theme);
        (dir, lib)
    }

    fn load(lib: &Library, name: &str) -> Result<ThemeSpec, Vec<ConfigError>> {
        load_theme(lib, name, &TRUECOLOR, &mut Vec::new())
    }

    #[test]
    fn colours_parse() {
        assert_eq!(parse_colour("#ff8000"), Some(Some(Colour::Rgb(255, 128, 0))));
        assert_eq!(parse_colour("#FF8000"), Some(Some(Colour::Rgb(255, 128, 0))));
        assert_eq!(parse_colour("lightred"), Some(Some(Colour::LightRed)));
        assert_eq!(parse_colour("light-red"), Some(Some(Colour::LightRed)));
        assert_eq!(parse_colour("DarkGrey"), Some(Some(Colour::DarkGray)));
        assert_eq!(parse_colour("reset"), Some(Some(Colour::Reset)));
        assert_eq!(parse_colour("default"), Some(None));
        for bad in ["#ff80", "#gg0000", "purple", "", "#ff00000"] {
            assert_eq!(parse_colour(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_spec_carries_the_name_the_palette_and_the_terminal() {
        let (_dir, lib) = lib_with(&[]);
        let env = EnvInfo { no_color: true, truecolor: false };
        let spec = load_theme(&lib, "light", &env, &mut Vec::new()).unwrap();
        assert_eq!((spec.name.as_str(), spec.env), ("light", env));
        assert!(spec.palette.get("accent").is_some(), "{spec:?}");
    }

    #[test]
    fn inherits_overrides_only_what_it_lists() {
        let (_dir, lib) = lib_with(&[("mine", "inherits = \"default\"\n[palette]\naccent = \"#ff0000\"\n")]);
        let mine = load(&lib, "mine").unwrap();
        let default = load(&lib, "default").unwrap();
        assert_eq!(mine.palette.get("accent"), Some(Colour::Rgb(255, 0, 0)));
        assert_eq!(mine.name, "mine");
        for slot in PALETTE_SLOTS.iter().filter(|s| **s != "accent") {
            assert_eq!(mine.palette.get(slot), default.palette.get(slot), "{slot}");
        }
    }

    #[test]
    fn inheritance_loops_are_reported_where_they_close() {
        let (dir, lib) = lib_with(&[("a", "inherits = \"b\"\n"), ("b", "# b\ninherits = \"a\"\n")]);
        let errs = load(&lib, "a").unwrap_err();
        assert_eq!(errs.len(), 1);
        let e = &errs[0];
        assert_eq!(e.file, dir.path().join("themes/b.toml"));
        assert_eq!((e.line, e.col), (2, 12));
        assert!(e.message.contains("a → b → a"), "{}", e.message);
    }

    #[test]
    fn file_errors_are_located() {
        let (dir, lib) = lib_with(&[(
            "bad",
            "inherits = \"nope\"\n[palette]\naccent = \"purple\"\nbogus = \"red\"\nok = 3\n\
             [extra]\n",
        )]);
        let errs = load(&lib, "bad").unwrap_err();
        let at: Vec<(usize, usize, &str)> =
            errs.iter().map(|e| (e.line, e.col, e.message.as_str())).collect();
        assert_eq!(
            at,
            [
                (1, 12, "unknown theme `nope` to inherit from"),
                (6, 2, "unknown field `extra`"),
                (3, 10, "`purple` is not a colour"),
                (4, 1, "unknown palette slot `bogus`"),
                (5, 6, "a colour must be text in quotes"),
            ]
        );
        assert!(errs[0].fix.contains("default, high-contrast, light"), "{}", errs[0].fix);
        assert!(errs[2].fix.contains("#rrggbb"));
        assert!(errs[3].fix.contains("sold_out_bg"));
        assert_eq!(errs[0].file, dir.path().join("themes/bad.toml"));
    }
}
