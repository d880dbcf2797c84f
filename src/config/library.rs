//! Named keymaps and themes: the user's files in the config dir, then the built-in ones.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::builtin;
use super::error::{ConfigError, Source, builtin_origin};

/// Which kind of named file a library holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Keymap,
    Theme,
}

impl Kind {
    fn dir(self) -> &'static str {
        match self {
            Kind::Keymap => "keymaps",
            Kind::Theme => "themes",
        }
    }

    fn builtins(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Keymap => &builtin::KEYMAPS,
            Kind::Theme => &builtin::THEMES,
        }
    }

    /// "keymap" or "theme", for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Keymap => "keymap",
            Kind::Theme => "theme",
        }
    }
}

/// The named files of one kind: `<config dir>/<kind>/<name>.toml`, else built in.
#[derive(Clone, Debug)]
pub(crate) struct Library {
    dir: PathBuf,
    kind: Kind,
}

impl Library {
    pub fn new(config_dir: &Path, kind: Kind) -> Library {
        Library { dir: config_dir.join(kind.dir()), kind }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Every available name, sorted: the user's files and the built-ins.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.kind.builtins().iter().map(|(n, _)| n.to_string()).collect();
        names.extend(
            self.user_files()
                .into_iter()
                .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string)),
        );
        names.sort();
        names.dedup();
        names
    }

    /// The user's `*.toml` files of this kind, sorted.
    pub fn user_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().is_some_and(|e| e == "toml")
                    && p.file_stem().and_then(|s| s.to_str()).is_some_and(valid_name)
            })
            .collect();
        files.sort();
        files
    }

    /// Whether a name can be opened.
    pub fn has(&self, name: &str) -> bool {
        valid_name(name) && self.names().iter().any(|n| n == name)
    }

    /// The file for a name: the user's, else the built-in one; `None` when there is neither.
    pub fn open(&self, name: &str) -> Option<Result<Source, ConfigError>> {
        if !valid_name(name) {
            return None;
        }
        let path = self.dir.join(format!("{name}.toml"));
        if path.is_file() {
            return Some(read_source(&path));
        }
        self.kind
            .builtins()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| Ok(Source::new(builtin_origin(&format!("{}/{n}.toml", self.kind.dir())), *text)))
    }

    /// "use one of: a, b, c", for unknown-name errors.
    pub fn choices(&self) -> String {
        format!("use one of: {}", self.names().join(", "))
    }
}

/// Applies one file of an `inherits` chain: see [`load_chain`].
pub(crate) type Layer<'a, T> = dyn FnMut(T, &Source, &DeTable<'_>, bool, &mut Vec<ConfigError>) -> T + 'a;

/// Loads the named file and the files it `inherits` from, parents first: `layer` gets what
/// the parent chain produced (`T::default()` at the root), the file and its top-level table,
/// and whether this file is the one asked for (`top`), and returns the result with this
/// file's own keys applied. It must skip the `inherits` key, which is checked here: a loop or
/// an unknown parent is an error naming the file, line and column.
pub(crate) fn load_chain<T: Default>(
    lib: &Library,
    name: &str,
    read: &mut Vec<PathBuf>,
    errors: &mut Vec<ConfigError>,
    layer: &mut Layer<'_, T>,
) -> T {
    load_link(lib, name, &mut Vec::new(), read, errors, layer)
}

fn load_link<T: Default>(
    lib: &Library,
    name: &str,
    chain: &mut Vec<String>,
    read: &mut Vec<PathBuf>,
    errors: &mut Vec<ConfigError>,
    layer: &mut Layer<'_, T>,
) -> T {
    let src = match lib.open(name) {
        Some(Ok(src)) => src,
        Some(Err(e)) => {
            errors.push(e);
            return T::default();
        }
        None => return T::default(),
    };
    read.push(src.origin.clone());
    let doc = match src.parse() {
        Ok(doc) => doc,
        Err(e) => {
            errors.push(e);
            return T::default();
        }
    };
    let noun = lib.kind().noun();
    chain.push(name.to_string());
    let mut base = T::default();
    if let Some(value) = doc.get_ref().get("inherits") {
        match value.get_ref() {
            DeValue::String(parent) if chain.iter().any(|c| c == parent.as_ref()) => {
                let mut path = chain.clone();
                path.push(parent.to_string());
                errors.push(src.error(
                    value.span(),
                    format!("{noun} inheritance loops: {}", path.join(" → ")),
                    format!("remove `inherits` from one of these {noun}s"),
                ));
            }
            DeValue::String(parent) if !lib.has(parent) => errors.push(src.error(
                value.span(),
                format!("unknown {noun} `{parent}` to inherit from"),
                lib.choices(),
            )),
            DeValue::String(parent) => base = load_link(lib, parent, chain, read, errors, layer),
            _ => errors.push(src.error(
                value.span(),
                format!("`inherits` must be a {noun} name in quotes"),
                "write it like inherits = \"default\"",
            )),
        }
    }
    let top = chain.len() == 1;
    let out = layer(base, &src, doc.get_ref(), top, errors);
    chain.pop();
    out
}

/// Names are file stems: letters, digits, `-` and `_` only, so they cannot leave the dir.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Reads a file on disk as a [`Source`], turning I/O problems into a located error.
pub(crate) fn read_source(path: &Path) -> Result<Source, ConfigError> {
    match read_capped(path) {
        Ok(Err(too_big)) => Err(Source::new(path, "").error(
            0..0,
            format!("is {} MB", too_big.div_ceil(1 << 20)),
            format!(
                "the most is {} MB: keep what the stream needs and move the rest out of the config dir",
                MAX_FILE_BYTES >> 20
            ),
        )),
        Ok(Ok(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(path, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let prefix = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
                Err(Source::new(path, prefix).error(
                    at..at,
                    "the file is not valid UTF-8 text",
                    format!("save {} as UTF-8", file_name(path)),
                ))
            }
        },
        Err(e) => Err(Source::new(path, "").error(
            0..0,
            format!("cannot read the file: {e}"),
            "check that it exists and that you may read it",
        )),
    }
}

/// The largest configuration file read: a replies file of this size already holds tens of
/// thousands of replies, and a larger one would be a mistake that stalls the start.
pub(crate) const MAX_FILE_BYTES: u64 = 8 << 20;

/// The file's bytes, or its size in bytes when that is over [`MAX_FILE_BYTES`]. Reads at
/// most one byte past the cap, so a huge file (or one still growing) is never read whole.
fn read_capped(path: &Path) -> std::io::Result<Result<Vec<u8>, u64>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Ok(Err(size));
    }
    Ok(Ok(bytes))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_files_join_and_override_the_builtins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(dir.path().join("themes/mine.toml"), "[palette]\n").unwrap();
        std::fs::write(dir.path().join("themes/default.toml"), "# mine\n").unwrap();
        std::fs::write(dir.path().join("themes/bad name.toml"), "").unwrap();
        let lib = Library::new(dir.path(), Kind::Theme);
        assert_eq!(lib.names(), ["default", "high-contrast", "light", "mine"]);
        let src = lib.open("default").unwrap().unwrap();
        assert_eq!(src.text, "# mine\n");
        assert_eq!(src.origin, dir.path().join("themes/default.toml"));
        let src = lib.open("light").unwrap().unwrap();
        assert_eq!(src.origin, PathBuf::from("themes/light.toml (built-in)"));
        assert!(lib.open("../settings").is_none());
        assert!(lib.open("nope").is_none());
    }

    #[test]
    fn a_file_over_the_cap_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replies.toml");
        let line = "# a comment line of the kind a generated file repeats\n";
        std::fs::write(&path, line.repeat((50 << 20) / line.len())).unwrap();
        let e = read_source(&path).unwrap_err();
        assert_eq!((e.line, e.col, e.message.as_str()), (1, 1, "is 50 MB"));
        assert!(e.to_string().ends_with(
            "is 50 MB; the most is 8 MB: keep what the stream needs and move the rest out of the config dir"
        ));
        std::fs::write(&path, line.repeat((MAX_FILE_BYTES as usize) / line.len())).unwrap();
        assert!(read_source(&path).is_ok());
    }

    #[test]
    fn invalid_utf8_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.toml");
        std::fs::write(&path, b"a = 1\nb = \"\xff\"\n").unwrap();
        let e = read_source(&path).unwrap_err();
        assert_eq!((e.line, e.col), (2, 6));
    }
}
