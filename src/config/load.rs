//! Reading the whole configuration: every file, with built-in defaults for missing ones,
//! validated together so that every problem is reported at once.

use std::collections::HashSet;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::DeTable;

use super::builtin;
use super::error::{ConfigError, ConfigErrors, Source, builtin_origin};
use super::keymap::{Keymap, load_keymap};
use super::library::{Kind, Library, read_source};
use super::model::{
    Catalog, ChatConfig, ClaimsConfig, GiveawaysPlan, Replies, SalesPlan, Settings, Shipping, ShopConfig,
    ShowPlan,
};
use super::paths::Paths;
use super::theme::{EnvInfo, ThemeSpec, load_theme};
use super::validate::{Checker, ShowRefs};

/// Everything livedesk reads from its config dir, validated and resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `settings.toml`, or the defaults.
    pub settings: Settings,
    /// The catalogue, flash-sale plan and canned replies.
    pub shop: ShopConfig,
    /// The active keymap, inheritance resolved.
    pub keymap: Keymap,
    /// The active theme's palette, inheritance resolved, with what this terminal allows
    /// (16 colours, NO_COLOR): the ui turns it into styles.
    pub theme: ThemeSpec,
    /// Where the files were read from, and where state goes.
    pub paths: Paths,
}

/// Loads and validates the configuration; any problem in any file fails the load.
pub fn load(paths: &Paths, env: &EnvInfo) -> Result<Config, ConfigErrors> {
    let mut loader = Loader::new(paths);
    let config = loader.load_all(env);
    loader.finish(config)
}

/// Reads `replies.toml` again during a stream, checked against the keymap and catalogue in
/// use: a broken edit is an error naming the place, and the caller keeps the replies it had.
pub fn load_replies(paths: &Paths, keymap: &Keymap, catalog: &Catalog) -> Result<Replies, ConfigErrors> {
    let mut loader = Loader::new(paths);
    let products = paths.config_file("replies.toml").exists().then_some(catalog);
    let replies = loader
        .source("replies.toml", Some(builtin::REPLIES))
        .and_then(|src| loader.parse::<Replies>(&src, |_| {}, |v, c| c.replies(v, Some(keymap), products)));
    if loader.errors.is_empty() { Ok(replies.unwrap_or_default()) } else { Err(ConfigErrors(loader.errors)) }
}

/// Reads a run of show from `path` (`--show FILE`), checked against the shop in use: its
/// cues must name this shop's products, sales and giveaways.
pub fn load_show(path: &std::path::Path, paths: &Paths, shop: &ShopConfig) -> Result<ShowPlan, ConfigErrors> {
    let mut loader = Loader::new(paths);
    let src = match read_source(path) {
        Ok(src) => src,
        Err(e) => return Err(ConfigErrors(vec![e])),
    };
    let refs =
        ShowRefs { catalog: Some(&shop.catalog), sales: Some(&shop.sales), giveaways: Some(&shop.giveaways) };
    let show = loader.parse::<ShowPlan>(&src, |_| {}, |v, c| c.show(v, &refs));
    if loader.errors.is_empty() { Ok(show.unwrap_or_default()) } else { Err(ConfigErrors(loader.errors)) }
}

/// Validates every file in the config dir (and the active keymap and theme, even when built
/// in); returns the files it read.
pub fn check(paths: &Paths, env: &EnvInfo) -> Result<Vec<PathBuf>, ConfigErrors> {
    let mut loader = Loader::new(paths);
    let config = loader.load_all(env);
    let libs = [loader.keymaps.clone(), loader.themes.clone()];
    for lib in &libs {
        for file in lib.user_files() {
            if loader.read.contains(&file) {
                continue;
            }
            let Some(name) = file.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let result = match lib.kind() {
                Kind::Keymap => load_keymap(lib, name, &mut loader.read).map(drop),
                Kind::Theme => load_theme(lib, name, env, &mut loader.read).map(drop),
            };
            if let Err(errs) = result {
                loader.errors.extend(errs);
            }
        }
    }
    let read = loader.read.clone();
    loader.finish(config).map(|_| {
        let mut files = Vec::new();
        for f in read {
            if !files.contains(&f) {
                files.push(f);
            }
        }
        files
    })
}

/// One pass over the config dir, collecting what it read and every error it found.
struct Loader<'p> {
    paths: &'p Paths,
    keymaps: Library,
    themes: Library,
    read: Vec<PathBuf>,
    errors: Vec<ConfigError>,
}

impl<'p> Loader<'p> {
    fn new(paths: &'p Paths) -> Loader<'p> {
        Loader {
            paths,
            keymaps: Library::new(&paths.config_dir, Kind::Keymap),
            themes: Library::new(&paths.config_dir, Kind::Theme),
            read: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn finish(self, config: Config) -> Result<Config, ConfigErrors> {
        if self.errors.is_empty() {
            return Ok(config);
        }
        let mut seen = HashSet::new();
        let unique = self.errors.into_iter().filter(|e| seen.insert(e.clone())).collect();
        Err(ConfigErrors(unique))
    }

    fn load_all(&mut self, env: &EnvInfo) -> Config {
        let settings = self.settings();
        let keymap_name =
            if self.keymaps.has(&settings.keymap) { settings.keymap.as_str() } else { "default" };
        let keymap = match load_keymap(&self.keymaps, keymap_name, &mut self.read) {
            Ok(k) => Some(k),
            Err(errs) => {
                self.errors.extend(errs);
                None
            }
        };
        let theme_name = if self.themes.has(&settings.theme) { settings.theme.as_str() } else { "default" };
        let theme = match load_theme(&self.themes, theme_name, env, &mut self.read) {
            Ok(t) => t,
            Err(errs) => {
                self.errors.extend(errs);
                ThemeSpec { name: theme_name.to_owned(), palette: Default::default(), env: *env }
            }
        };
        let mut shop = self.shop(keymap.as_ref());
        shop.shipping = match &settings.shipping {
            Some(shipping) => shipping.clone(),
            // The demo shop ships to the UK only: its replies say so.
            None if !self.paths.config_file("catalog.toml").exists() => {
                Shipping { ships_to: vec!["GB".into()], ..Shipping::default() }
            }
            None => Shipping::default(),
        };
        shop.quiet = settings.feed.quiet();
        Config { settings, shop, keymap: keymap.unwrap_or_default(), theme, paths: self.paths.clone() }
    }

    /// A file in the config dir, else its built-in default; `None` when it has neither.
    fn source(&mut self, name: &str, default: Option<&str>) -> Option<Source> {
        let path = self.paths.config_file(name);
        let src = if path.exists() {
            match read_source(&path) {
                Ok(src) => src,
                Err(e) => {
                    self.read.push(path);
                    self.errors.push(e);
                    return None;
                }
            }
        } else {
            Source::new(builtin_origin(name), default?)
        };
        self.read.push(src.origin.clone());
        Some(src)
    }

    /// Parses a file into `T`, runs `rules` on it, and records every error.
    fn parse<T: DeserializeOwned>(
        &mut self,
        src: &Source,
        pre: impl FnOnce(&mut Checker<'_, '_>),
        rules: impl FnOnce(&T, &mut Checker<'_, '_>),
    ) -> Option<T> {
        let doc: Spanned<DeTable<'_>> = match src.parse() {
            Ok(doc) => doc,
            Err(e) => {
                self.errors.push(e);
                return None;
            }
        };
        let mut checker = Checker { src, doc: &doc, errors: &mut self.errors };
        pre(&mut checker);
        match toml::from_str::<T>(&src.text) {
            Ok(value) => {
                rules(&value, &mut checker);
                Some(value)
            }
            Err(e) => {
                self.errors.push(src.de_error(doc.get_ref(), &e));
                None
            }
        }
    }

    fn settings(&mut self) -> Settings {
        let Some(src) = self.source("settings.toml", None) else {
            return Settings::default();
        };
        let (keymaps, themes) = (self.keymaps.clone(), self.themes.clone());
        self.parse::<Settings>(&src, |_| {}, |s, c| c.settings(s, &keymaps, &themes)).unwrap_or_default()
    }

    fn shop(&mut self, keymap: Option<&Keymap>) -> ShopConfig {
        let own_catalog = self.paths.config_file("catalog.toml").exists();
        let catalog = self.source("catalog.toml", Some(builtin::CATALOG)).and_then(|src| {
            self.parse::<Catalog>(&src, |c| c.decimal_strings("product"), |v, c| c.catalog(v))
        });
        // The built-in sales plan sells the demo's products: it only goes with the demo catalogue.
        let sales = if own_catalog && !self.paths.config_file("sales.toml").exists() {
            Some(SalesPlan::default())
        } else {
            self.source("sales.toml", Some(builtin::SALES)).and_then(|src| {
                self.parse::<SalesPlan>(
                    &src,
                    |c| c.decimal_strings("sale"),
                    |v, c| c.sales(v, catalog.as_ref()),
                )
            })
        };
        // The built-in giveaways give away the demo's products: they go with its catalogue.
        let giveaways = if own_catalog && !self.paths.config_file("giveaways.toml").exists() {
            Some(GiveawaysPlan::default())
        } else {
            self.source("giveaways.toml", Some(builtin::GIVEAWAYS))
                .and_then(|src| self.parse::<GiveawaysPlan>(&src, |_| {}, |v, c| c.giveaways(v)))
        };
        // The built-in replies go with the demo catalogue: their products are checked only
        // against it (a reply about a product the shop lacks is simply never suggested).
        let own_replies = self.paths.config_file("replies.toml").exists();
        let products = catalog.as_ref().filter(|_| own_replies || !own_catalog);
        let replies = self
            .source("replies.toml", Some(builtin::REPLIES))
            .and_then(|src| self.parse::<Replies>(&src, |_| {}, |v, c| c.replies(v, keymap, products)));
        let claims = self
            .source("claims.toml", Some(builtin::CLAIMS))
            .and_then(|src| self.parse::<ClaimsConfig>(&src, |_| {}, |v, c| c.claims(v)));
        let chat = self
            .source("chat.toml", Some(builtin::CHAT))
            .and_then(|src| self.parse::<ChatConfig>(&src, |_| {}, |v, c| c.chat(v)));
        // A run of show is the shop's own plan: none is built in (demos/show.toml is the demo's).
        let refs =
            ShowRefs { catalog: catalog.as_ref(), sales: sales.as_ref(), giveaways: giveaways.as_ref() };
        let show = match self.source("show.toml", None) {
            Some(src) => self.parse::<ShowPlan>(&src, |_| {}, |v, c| c.show(v, &refs)),
            None => None,
        };
        ShopConfig {
            shipping: Shipping::default(),
            catalog: catalog.unwrap_or_else(|| Catalog { currency: "GBP".into(), products: vec![] }),
            sales: sales.unwrap_or_default(),
            giveaways: giveaways.unwrap_or_default(),
            show: show.unwrap_or_default(),
            replies: replies.unwrap_or_default(),
            claims: claims.unwrap_or_default(),
            chat: chat.unwrap_or_default(),
            quiet: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::keymap::{KeyAction, Mode};

    const ENV: EnvInfo = EnvInfo { no_color: false, truecolor: true };

    const CATALOG: &str = "currency = \"GBP\"\n\
        [[product]]\nsku = \"MUG\"\nname = \"Mug\"\nprice = \"8.99\"\nstock = 10\n\
        [[product]]\nsku = \"CAP\"\nname = \"Cap\"\nprice = \"12.00\"\nstock = 4\n";

    fn dir_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let paths = Paths { config_dir: dir.path().to_path_buf(), state_dir: dir.path().join("state") };
        (dir, paths)
    }

    /// Errors as `file:line:col: message`, with the file relative to the config dir.
    fn errors(files: &[(&str, &str)]) -> Vec<String> {
        let (dir, paths) = dir_with(files);
        let errs = load(&paths, &ENV).expect_err("the files should not load");
        errs.0.iter().map(|e| located(dir.path(), e)).collect()
    }

    fn located(dir: &Path, e: &ConfigError) -> String {
        let file = e.file.strip_prefix(dir).unwrap_or(&e.file);
        format!("{}:{}:{}: {}", file.display(), e.line, e.col, e.message)
    }

    #[test]
    fn an_empty_config_dir_gives_the_builtin_demo_shop() {
        let (_dir, paths) = dir_with(&[]);
        let config = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.settings, Settings::default());
        assert!(!config.shop.catalog.products.is_empty());
        assert!(!config.shop.sales.sales.is_empty());
        assert!(!config.shop.replies.replies.is_empty());
        assert_eq!(config.keymap.name, "default");
        assert_eq!(config.theme.name, "default");
        assert_eq!(config.paths, paths);
        let files = check(&paths, &ENV).unwrap();
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(
            names,
            [
                "keymaps/default.toml (built-in)",
                "themes/default.toml (built-in)",
                "catalog.toml (built-in)",
                "sales.toml (built-in)",
                "giveaways.toml (built-in)",
                "replies.toml (built-in)",
                "claims.toml (built-in)",
                "chat.toml (built-in)",
            ]
        );
    }

    #[test]
    fn the_builtin_shop_fits_every_builtin_keymap() {
        for (name, _) in builtin::KEYMAPS {
            let settings = format!("keymap = \"{name}\"\n");
            let (_dir, paths) = dir_with(&[("settings.toml", &settings)]);
            let config = load(&paths, &ENV).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                config.keymap.lookup(
                    Mode::Normal,
                    &crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('q'))
                ),
                Some(KeyAction::Quit)
            );
        }
    }

    #[test]
    fn the_bell_is_off_unless_asked_for() {
        assert!(!Settings::default().bell);
        let (_dir, paths) = dir_with(&[("settings.toml", "bell = true\n")]);
        assert!(load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}")).settings.bell);
        let got = errors(&[("settings.toml", "bell = \"yes\"\n")]);
        assert_eq!(got, ["settings.toml:1:8: `bell` must be true or false, found string \"yes\""]);
    }

    #[test]
    fn settings_errors_are_located() {
        let got = errors(&[(
            "settings.toml",
            "theme = \"neon\"\nkeymap = \"emacs\"\nfps = 0\nscrollback = 10\n[feed]\nurl = \"http://x\"\n",
        )]);
        assert_eq!(
            got,
            [
                "settings.toml:3:7: fps must be from 1 to 120, found 0",
                "settings.toml:4:14: scrollback must be from 1000 to 1000000 messages, found 10",
                "settings.toml:6:7: feed url `http://x` is not a WebSocket address",
                "settings.toml:2:10: unknown keymap `emacs`",
                "settings.toml:1:9: unknown theme `neon`",
            ]
        );
        let (_dir, paths) = dir_with(&[("settings.toml", "theme = \"neon\"\n")]);
        let e = &load(&paths, &ENV).unwrap_err().0[0];
        assert_eq!(e.fix, "use one of: default, high-contrast, light");
    }

    #[test]
    fn a_store_password_in_settings_is_refused_at_its_place_with_where_to_put_it() {
        let text = "fps = 30\n[store]\nurl = \"postgres://ana@db.shop/desk\"\npassword = \"hunter2\"\n";
        let got = errors(&[("settings.toml", text)]);
        assert_eq!(got, ["settings.toml:4:12: a password is never kept in settings.toml"]);
        let (_dir, paths) = dir_with(&[("settings.toml", text)]);
        let e = &load(&paths, &ENV).unwrap_err().0[0];
        assert_eq!(e.fix, "use PGPASSWORD, ~/.pgpass or password_file");
        let got = errors(&[("settings.toml", "[store]\nurl = \"mysql://db/desk\"\n")]);
        assert_eq!(got, ["settings.toml:2:7: store url `mysql://db/desk` is not a PostgreSQL address"]);
        let fine = "[store]\nurl = \"postgres://ana@db.shop/desk\"\npassword_file = \"db.pass\"\n";
        let (dir, paths) = dir_with(&[("settings.toml", fine)]);
        let config = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.settings.store.url.as_deref(), Some("postgres://ana@db.shop/desk"));
        assert_eq!(config.settings.store.files(dir.path()).0, Some(dir.path().join("db.pass")));
    }

    #[test]
    fn a_send_limit_is_read_and_a_bad_one_is_located_with_its_fix() {
        use crate::protocol::SendLimit;
        let (_dir, paths) = dir_with(&[("settings.toml", "[feed]\nsend_limit = \"20/30s\"\n")]);
        let config = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}"));
        let limit = SendLimit::new(20, std::time::Duration::from_secs(30));
        assert_eq!(config.settings.feed.send_limit(), Some(limit));
        let (_dir, paths) = dir_with(&[("settings.toml", "[feed]\nsend_limit = \"off\"\n")]);
        assert_eq!(load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}")).settings.feed.send_limit(), None);
        let got = errors(&[("settings.toml", "fps = 30\n[feed]\nsend_limit = \"20 per 30s\"\n")]);
        assert_eq!(got, ["settings.toml:3:14: send_limit `20 per 30s` is not a send limit like \"20/30s\""]);
        let (_dir, paths) = dir_with(&[("settings.toml", "[feed]\nsend_limit = \"0/30s\"\n")]);
        let e = &load(&paths, &ENV).unwrap_err().0[0];
        assert!(e.fix.contains("send_limit = \"20/30s\""), "{}", e.fix);
    }

    #[test]
    fn a_ca_file_is_read_from_the_config_dir_and_a_bad_one_is_located() {
        let key = rcgen::generate_simple_self_signed(vec!["relay.local".into()]).unwrap();
        let pem = key.cert.pem();
        let settings = "[feed]\nurl = \"wss://relay.local/\"\nca_file = \"relay.pem\"\n";
        let (dir, paths) = dir_with(&[("settings.toml", settings), ("relay.pem", &pem)]);
        let config = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.settings.feed.ca_path(&paths.config_dir), Some(dir.path().join("relay.pem")));
        let got = errors(&[("settings.toml", settings), ("relay.pem", "not a certificate")]);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("settings.toml:3:11: ca_file: "), "{got:?}");
        assert!(got[0].ends_with("relay.pem holds no certificate (no BEGIN CERTIFICATE block)"), "{got:?}");
        let got = errors(&[("settings.toml", settings)]);
        assert!(got[0].contains("ca_file: cannot read "), "{got:?}");
    }

    #[test]
    fn the_quiet_feed_rule_is_read_for_the_desk_and_a_bad_time_is_located_with_its_fix() {
        use crate::config::model::QuietRule;
        let minutes = |n: u64| Some(std::time::Duration::from_secs(n * 60));
        let (_dir, paths) =
            dir_with(&[("settings.toml", "[feed]\nquiet_after = \"2m\"\nquiet_min_viewers = 50\n")]);
        let config = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.shop.quiet, QuietRule { after: minutes(2), min_viewers: 50 });
        let (_dir, paths) = dir_with(&[]);
        let defaults = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}")).shop.quiet;
        assert_eq!(defaults, QuietRule { after: minutes(1), min_viewers: 200 });
        let (_dir, paths) = dir_with(&[("settings.toml", "[feed]\nquiet_after = \"off\"\n")]);
        assert_eq!(load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}")).shop.quiet.after, None);
        let got = errors(&[("settings.toml", "fps = 30\n[feed]\nquiet_after = \"a while\"\n")]);
        assert_eq!(got, ["settings.toml:3:15: quiet_after `a while` is not a time like \"60s\" or \"2m\""]);
        let (_dir, paths) = dir_with(&[("settings.toml", "[feed]\nquiet_after = \"5s\"\n")]);
        let e = &load(&paths, &ENV).unwrap_err().0[0];
        assert!(e.message.contains("from 10 seconds to 60 minutes"), "{}", e.message);
        assert!(e.fix.contains("quiet_after = \"60s\""), "{}", e.fix);
        let got = errors(&[("settings.toml", "[feed]\nquiet_min_viewers = -1\n")]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("settings.toml:2:21: "), "{got:?}");
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_located_and_explained() {
        let got = errors(&[("settings.toml", "fps = 30\ncolour = \"red\"\n")]);
        assert_eq!(got, ["settings.toml:2:1: unknown field `colour`"]);
        let (_dir, paths) = dir_with(&[("settings.toml", "fps = 30\ncolour = \"red\"\n")]);
        let e = &load(&paths, &ENV).unwrap_err().0[0];
        assert_eq!(
            e.fix,
            "remove it or use one of: feed, store, theme, keymap, fps, scrollback, bell, operator, shipping"
        );

        let (_dir, paths) = dir_with(&[("settings.toml", "[feed]\ntoken_env = \"T\"\nfps = 30\n")]);
        let e = &load(&paths, &ENV).unwrap_err().0[0];
        assert_eq!((e.line, e.col, e.message.as_str()), (3, 1, "unknown field `fps`"));
        assert!(
            e.fix.ends_with("every line after [feed] belongs to [feed]: put top-level entries above it)"),
            "{}",
            e.fix
        );

        let got = errors(&[("settings.toml", "fps = \"fast\"\n")]);
        assert_eq!(
            got,
            ["settings.toml:1:7: `fps` must be a whole number of 0 or more, found string \"fast\""]
        );

        let bad = CATALOG.replace("stock = 4", "stock = -4");
        let got = errors(&[("catalog.toml", &bad)]);
        assert_eq!(
            got,
            ["catalog.toml:11:9: `stock` must be a whole number of 0 or more, found integer `-4`"]
        );

        let bad = CATALOG.replace("stock = 4", "stock = 4\ncolor = \"red\"");
        let got = errors(&[("catalog.toml", &bad)]);
        assert_eq!(got, ["catalog.toml:12:1: unknown field `color`"]);
        let (_dir, paths) = dir_with(&[("catalog.toml", &bad)]);
        let e = &load(&paths, &ENV).unwrap_err().0[0];
        assert_eq!(
            e.fix,
            "remove it or use one of: sku, name, price, stock, low_stock, aliases, code, variant"
        );

        let bad = CATALOG.replace("stock = 4\n", "");
        let got = errors(&[("catalog.toml", &bad)]);
        assert_eq!(got, ["catalog.toml:7:1: missing field `stock`"]);

        let bad = CATALOG.replace("\"12.00\"", "\"12,00\"");
        let got = errors(&[("catalog.toml", &bad)]);
        assert_eq!(got, ["catalog.toml:10:9: price must be a decimal string like \"8.99\""]);
    }

    #[test]
    fn syntax_errors_are_located() {
        let got = errors(&[("replies.toml", "[[reply]]\nkey = \"1\"\ntitle = Hi\n")]);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("replies.toml:3:9: invalid TOML"), "{}", got[0]);
    }

    #[test]
    fn catalog_errors_are_located() {
        let got = errors(&[(
            "catalog.toml",
            "currency = \"usd\"\n\
             [[product]]\nsku = \"A\"\nname = \"Mug\"\nprice = 8.99\nstock = 3\n\
             [[product]]\nsku = \"A\"\nname = \" \"\nprice = \"0\"\nstock = 1\n\
             [[product]]\nsku = \"\"\nname = \"x\"\nprice = \"-1\"\nstock = 1\n",
        )]);
        assert_eq!(
            got,
            [
                "catalog.toml:5:9: price must be a decimal string like \"8.99\"",
                "catalog.toml:1:12: currency `usd` is not a 3-letter currency code",
                "catalog.toml:8:7: duplicate sku `A` (first on line 3)",
                "catalog.toml:9:8: name is empty",
                "catalog.toml:10:9: price must be more than 0, found 0",
                "catalog.toml:13:7: sku is empty",
                "catalog.toml:15:9: price must be more than 0, found -1",
            ]
        );
    }

    #[test]
    fn sales_errors_are_located() {
        let got = errors(&[
            ("catalog.toml", CATALOG),
            (
                "sales.toml",
                "[[sale]]\nid = \"a\"\nsku = \"HAT\"\nprice = \"1\"\nquantity = 0\nseconds = 5\n\
                 [[sale]]\nid = \"a\"\nsku = \"CAP\"\nprice = \"0\"\nquantity = 5\nseconds = 3601\n",
            ),
        ]);
        assert_eq!(
            got,
            [
                "sales.toml:3:7: no product with sku `HAT` in the catalogue",
                "sales.toml:5:12: sale quantity is 0",
                "sales.toml:6:11: sale seconds must be from 10 to 3600, found 5",
                "sales.toml:8:6: duplicate sale id `a` (first on line 2)",
                "sales.toml:10:9: sale price must be more than 0, found 0",
                "sales.toml:11:12: sale quantity 5 is more than the 4 `CAP` in stock",
                "sales.toml:12:11: sale seconds must be from 10 to 3600, found 3601",
            ]
        );
    }

    #[test]
    fn preheat_per_customer_and_start_time_errors_are_located() {
        let sale = |id: &str, extra: &str| {
            format!(
                "[[sale]]\nid = \"{id}\"\nsku = \"MUG\"\nprice = \"5\"\nquantity = 4\nseconds = 60\n{extra}"
            )
        };
        let plan = [
            sale("a", "preheat = 5\nper_customer = 0\n"),
            sale("b", "preheat = 301\nper_customer = 5\n"),
            sale("c", "preheat = 30\nper_customer = 2\nstarts_at = \"2026-11-20T19:30:00Z\"\n"),
            sale("d", "starts_at = 2026-11-20T20:31:00+01:00\n"),
            sale("e", "preheat = 10\nstarts_at = \"2026-11-20T19:31:10Z\"\n"),
        ]
        .concat();
        let got = errors(&[("catalog.toml", CATALOG), ("sales.toml", &plan)]);
        assert_eq!(
            got,
            [
                "sales.toml:7:11: sale preheat must be from 10 to 300 seconds, found 5",
                "sales.toml:8:16: per_customer is 0",
                "sales.toml:15:11: sale preheat must be from 10 to 300 seconds, found 301",
                "sales.toml:16:16: per_customer 5 is more than the sale quantity 4",
                // `d` starts as `c` ends: fine. `e`'s preheat starts before `d` ends.
                "sales.toml:40:13: sale `e` is scheduled while sale `d` (line 32) is selling `MUG`",
            ]
        );
        let (_dir, paths) = dir_with(&[("catalog.toml", CATALOG), ("sales.toml", &plan)]);
        let e = load(&paths, &ENV).unwrap_err().0.pop().unwrap();
        assert_eq!(
            e.fix,
            "a product is in one flash sale at a time: start it at 2026-11-20T19:32:10Z or later"
        );

        // A time the file cannot mean stops the file there, located and explained.
        for (value, found) in [
            ("\"tomorrow 7pm\"", "string \"tomorrow 7pm\""),
            ("2026-11-20T19:30:00", "2026-11-20T19:30:00 (no UTC offset)"),
        ] {
            let plan = sale("a", &format!("starts_at = {value}\n"));
            let (dir, paths) = dir_with(&[("catalog.toml", CATALOG), ("sales.toml", &plan)]);
            let errs = load(&paths, &ENV).unwrap_err();
            let e = &errs.0[0];
            assert_eq!(
                located(dir.path(), e),
                format!(
                    "sales.toml:7:13: `starts_at` must be a date and time with its UTC offset, found {found}"
                )
            );
            assert!(e.fix.contains("\"2026-11-20T19:30:00Z\""), "{}", e.fix);
        }
        // A good plan loads, with the times in UTC.
        let plan = sale("a", "preheat = 30\nper_customer = 2\nstarts_at = 2026-11-20T20:30:00+01:00\n");
        let (_dir, paths) = dir_with(&[("catalog.toml", CATALOG), ("sales.toml", &plan)]);
        let config = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}"));
        let s = &config.shop.sales.sales[0];
        assert_eq!((s.preheat, s.per_customer), (Some(30), Some(2)));
        assert_eq!(s.starts_at.unwrap().to_rfc3339(), "2026-11-20T19:30:00+00:00");
    }

    #[test]
    fn reply_errors_are_located() {
        let got = errors(&[(
            "replies.toml",
            "[[reply]]\nkey = \"10\"\ntitle = \"a\"\ntext = \"hi\"\n\
             [[reply]]\nkey = \"2\"\ntitle = \"b\"\ntext = \"hi\"\n\
             [[reply]]\nkey = \"2\"\ntitle = \"c\"\ntext = \"hi\"\n\
             [[reply]]\nkey = \"q\"\ntitle = \"\"\ntext = \" \"\n\
             [[reply]]\nkey = \"5\"\ntitle = \"e\"\ntext = \"Hi {user}, {name} costs {price}\"\n",
        )]);
        assert_eq!(
            got,
            [
                "replies.toml:2:7: reply key `10` must be a single character",
                "replies.toml:10:7: reply key `2` is used twice (first on line 6)",
                "replies.toml:14:7: reply key `q` is taken: keymap `default` binds it to `quit`",
                "replies.toml:15:9: reply title is empty",
                "replies.toml:16:8: reply text is empty",
                "replies.toml:20:20: unknown field `{name}` in the reply text",
            ]
        );
    }

    #[test]
    fn allowed_links_are_host_names_and_a_bad_one_is_located() {
        let text = "allowed_links = [\"nailnook.shop\", \"https://bit.ly/x\"]\n\
                    [[reply]]\ntitle = \"Site\"\ntext = \"nailnook.shop\"\n";
        let got = errors(&[("replies.toml", text)]);
        assert_eq!(got, ["replies.toml:1:35: allowed link `https://bit.ly/x` is not a host name"]);
        let (_dir, paths) = dir_with(&[("replies.toml", "allowed_links = [\"nailnook.shop\"]\n")]);
        let config = load(&paths, &ENV).unwrap();
        assert_eq!(config.shop.replies.allowed_links, ["nailnook.shop"]);
    }

    #[test]
    fn replies_need_unique_ids_known_products_and_fields_in_every_language() {
        let got = errors(&[
            ("catalog.toml", CATALOG),
            (
                "replies.toml",
                "[[reply]]\ntitle = \"Yours\"\ntext = \"@{user} it's yours\"\n\
                 [[reply]]\ntitle = \"Yours\"\ntext = \"hi\"\nproducts = [\"MUG\", \"HAT\"]\n\
                 [[reply]]\nid = \"x\"\ntitle = \"Ship\"\ntext = \"to {ships_to}\"\nlang.es = \"a {where}\"\n",
            ),
        ]);
        assert_eq!(
            got,
            [
                "replies.toml:5:9: two replies are called `Yours` (the first on line 1)",
                "replies.toml:7:20: product `HAT` is not in catalog.toml",
                "replies.toml:12:14: unknown field `{where}` in the reply text",
            ]
        );
    }

    #[test]
    fn a_large_replies_file_is_checked_whole_and_its_duplicates_located() {
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!(
                "[[reply]]\nid = \"r{i}\"\ntitle = \"Reply {i}\"\ntext = \"Hi {{user}}\"\n"
            ));
        }
        text.push_str("[[reply]]\nid = \"r7\"\ntitle = \"Again\"\ntext = \"hi\"\n");
        let got = errors(&[("replies.toml", &text)]);
        assert_eq!(got, ["replies.toml:80002:6: two replies are called `r7` (the first on line 29)"]);
    }

    #[test]
    fn a_reply_answers_a_kind_the_reply_model_reads() {
        let got = errors(&[(
            "replies.toml",
            "[[reply]]\ntitle = \"P&P\"\ntext = \"£2.99\"\nanswers = \"postage\"\n\
             [[reply]]\ntitle = \"Dog\"\ntext = \"Biscuit\"\nanswers = \"dog\"\n",
        )]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("replies.toml:8:11: `dog` is not a kind of comment"), "{got:?}");
        let (_dir, paths) = dir_with(&[(
            "replies.toml",
            "[[reply]]\nid = \"welcome\"\ntitle = \"Hi\"\ntext = \"hi\"\n\
             [[reply]]\ntitle = \"P&P\"\ntext = \"£2.99\"\nanswers = \"postage\"\n\
             [[reply]]\ntitle = \"Go\"\ntext = \"on!\"\ntags = [\"x\", \"sale-start\"]\n\
             [[reply]]\ntitle = \"Other\"\ntext = \"?\"\n",
        )]);
        let replies = load(&paths, &ENV).unwrap().shop.replies.replies;
        let kinds: Vec<_> = replies.iter().map(|r| r.answers()).collect();
        assert_eq!(kinds, [Some("welcome"), Some("postage"), Some("sale-start"), None]);
    }

    #[test]
    fn a_reply_without_a_key_is_reached_from_the_picker() {
        let (_dir, paths) =
            dir_with(&[("replies.toml", "[[reply]]\ntitle = \"Glue\"\ntext = \"safe\"\ntags = [\"x\"]\n")]);
        assert_eq!(load(&paths, &ENV).unwrap().shop.replies.replies[0].title, "Glue");
    }

    #[test]
    fn shipping_regions_are_checked_and_the_demo_ships_to_the_uk() {
        let got = errors(&[(
            "settings.toml",
            "[shipping]\nships_to = [\"GB\", \"uk\"]\nauto_answer = true\nauto_answer_minutes = 0\n\
             [shipping.aliases]\nbelfast = \"Northern Ireland\"\n",
        )]);
        assert_eq!(
            got,
            [
                "settings.toml:2:19: `uk` is not a region code",
                "settings.toml:6:11: `Northern Ireland` is not a region code",
                "settings.toml:4:23: auto_answer_minutes must be at least 1",
            ]
        );
        let (_dir, paths) = dir_with(&[]);
        assert_eq!(load(&paths, &ENV).unwrap().shop.shipping.ships_to, ["GB"]);
        // A shop of its own says where it ships, or the gate stays off.
        let (_dir, paths) = dir_with(&[("catalog.toml", CATALOG)]);
        assert!(load(&paths, &ENV).unwrap().shop.shipping.ships_to.is_empty());
        let (_dir, paths) =
            dir_with(&[("catalog.toml", CATALOG), ("settings.toml", "[shipping]\nships_to = [\"IE\"]\n")]);
        let shipping = load(&paths, &ENV).unwrap().shop.shipping;
        assert_eq!((shipping.ships_to, shipping.auto_answer_minutes), (vec!["IE".to_owned()], 30));
    }

    #[test]
    fn replies_reload_from_disk_and_a_broken_edit_says_where() {
        let (dir, paths) =
            dir_with(&[("replies.toml", "[[reply]]\nkey = \"1\"\ntitle = \"A\"\ntext = \"a\"\n")]);
        let config = load(&paths, &ENV).unwrap();
        let reload = || load_replies(&paths, &config.keymap, &config.shop.catalog);
        std::fs::write(
            dir.path().join("replies.toml"),
            "[[reply]]\nkey = \"1\"\ntitle = \"B\"\ntext = \"b\"\n",
        )
        .unwrap();
        assert_eq!(reload().unwrap().replies[0].title, "B");
        std::fs::write(
            dir.path().join("replies.toml"),
            "[[reply]]\nkey = \"q\"\ntitle = \"B\"\ntext = \"b\n",
        )
        .unwrap();
        let errs = reload().unwrap_err();
        assert_eq!(
            located(dir.path(), &errs.0[0]),
            "replies.toml:4:10: invalid TOML: invalid basic string, expected `\"`"
        );
        std::fs::write(
            dir.path().join("replies.toml"),
            "[[reply]]\nkey = \"q\"\ntitle = \"B\"\ntext = \"b\"\n",
        )
        .unwrap();
        let errs = reload().unwrap_err();
        assert_eq!(
            located(dir.path(), &errs.0[0]),
            "replies.toml:2:7: reply key `q` is taken: keymap `default` binds it to `quit`"
        );
    }

    #[test]
    fn alias_errors_are_located() {
        let bad = CATALOG.replace("stock = 4\n", "stock = 4\naliases = [\"mug\", \"💅\", \"flat cap\"]\n");
        let got = errors(&[("catalog.toml", &bad)]);
        assert_eq!(
            got,
            [
                "catalog.toml:12:12: alias `mug` also names `MUG` (line 3)",
                "catalog.toml:12:19: alias `💅` is empty once emoji and punctuation are dropped",
            ]
        );
    }

    #[test]
    fn claims_errors_are_located() {
        let got = errors(&[(
            "claims.toml",
            "hold_minutes = 0\nmax_per_customer = 0\nbare = [\"mine\", \"!!\"]\nignore_trailing = [\"thank you\"]\n\
             [[pattern]]\nregex = '^sold (?P<item>.+'\n\
             [[pattern]]\nregex = '^sold (?P<thing>.+)$'\n\
             [[pattern]]\nregex = '(?P<item>.+)'\n",
        )]);
        assert_eq!(
            got,
            [
                "claims.toml:1:16: hold_minutes must be from 1 to 240, found 0",
                "claims.toml:2:20: max_per_customer is 0: nobody could claim anything",
                "claims.toml:3:17: `!!` is empty once emoji and punctuation are dropped",
                "claims.toml:4:20: `thank you` is more than one word",
                "claims.toml:6:9: claim pattern does not compile: unclosed group",
                "claims.toml:8:9: unknown group `thing` in the claim pattern",
                "claims.toml:10:9: claim pattern matches an ordinary comment like “hello”",
            ]
        );
        // A file with one setting keeps the built-in words and patterns.
        let (_dir, paths) = dir_with(&[("claims.toml", "hold_minutes = 5\n")]);
        let claims = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}")).shop.claims;
        assert_eq!(claims.hold_minutes, 5);
        assert_eq!(claims.patterns, crate::config::model::ClaimsConfig::default().patterns);
    }

    #[test]
    fn a_claims_policy_and_reminder_are_checked_where_written() {
        let got = errors(&[("claims.toml", "hold_minutes = 5\npolicy = \"first-pay\"\n")]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("claims.toml:2:10:"), "{got:?}");
        assert!(got[0].contains("`first-claimed`") && got[0].contains("`first-paid`"), "{got:?}");
        let got = errors(&[("claims.toml", "hold_minutes = 5\nreminder_minutes = 5\n")]);
        assert_eq!(
            got,
            ["claims.toml:2:20: reminder_minutes must be from 1 to less than hold_minutes (5), found 5"]
        );
        let got = errors(&[("claims.toml", "[replies]\nreminder = \"@{user} {minutes} left\"\n")]);
        assert_eq!(got, ["claims.toml:2:21: unknown field `{minutes}` in the reply text"]);
        // Only partly_held knows how many were held and wait, and the place in line.
        let partly =
            "[replies]\npartly_held = \"{held} held, {waiting} wait (#{position})\"\nclosed = \"{held}\"\n";
        let got = errors(&[("claims.toml", partly)]);
        assert_eq!(got, ["claims.toml:3:11: unknown field `{held}` in the reply text"]);
        let (_dir, paths) = dir_with(&[(
            "claims.toml",
            "policy = \"first-paid\"\nreminder_minutes = 3\n[replies]\npay = \"@{user} pay!\"\n",
        )]);
        let claims = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}")).shop.claims;
        assert_eq!(claims.policy, crate::config::model::ClaimPolicy::FirstPaid);
        assert_eq!(claims.reminder_minutes, Some(3));
        assert_eq!(claims.replies.pay, "@{user} pay!");
        assert_eq!(claims.replies.expired, crate::config::model::ClaimReplies::default().expired);
    }

    #[test]
    fn chat_errors_are_located_and_say_how_to_fix_them() {
        let files = [(
            "chat.toml",
            "names = [\"💅\"]\n[spam]\nflood_seconds = 0\n\
             [[rule]]\ntag = \"buyer\"\nregex = '(how much'\n\
             [[rule]]\ntag = \"vip\"\nkeywords = [\"hi\", \"!!\"]\n\
             [[rule]]\ntag = \"question\"\n\
             [[rule]]\ntag = \"question\"\nregex = 'x*'\n",
        )];
        let got = errors(&files);
        assert_eq!(
            got,
            [
                "chat.toml:1:10: `💅` is empty once emoji and punctuation are dropped",
                "chat.toml:3:17: flood_seconds is 0: no flood could ever be seen",
                "chat.toml:6:9: chat rule regex does not compile: unclosed group",
                "chat.toml:8:7: unknown tag `vip`",
                "chat.toml:9:19: `!!` is empty once emoji and punctuation are dropped",
                "chat.toml:10:1: this rule has neither keywords nor a regex",
                "chat.toml:14:9: this regex matches every comment (it matches empty text)",
            ]
        );
        let (_dir, paths) = dir_with(&files);
        let errs = load(&paths, &ENV).unwrap_err();
        let bad = errs.0.iter().find(|e| e.message.contains("does not compile")).unwrap();
        assert!(bad.to_string().contains("fix the regular expression"), "{bad}");
        // A file with names only keeps the built-in rules.
        let (_dir, paths) = dir_with(&[("chat.toml", "names = [\"glowshop\"]\n")]);
        let chat = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}")).shop.chat;
        assert_eq!(chat.names, ["glowshop"]);
        assert_eq!(chat.rules, crate::config::model::ChatConfig::default().rules);
    }

    #[test]
    fn blocked_words_and_the_mute_time_are_checked_where_they_are_written() {
        let got = errors(&[(
            "chat.toml",
            "mute_seconds = 0\n[blocked]\nwords = [\"scam\", \"💩\",\n  \"SCAM!\"]\ndelete_on_platform = true\n",
        )]);
        assert_eq!(
            got,
            [
                "chat.toml:1:16: mute_seconds must be from 1 to 1209600 (14 days), found 0",
                "chat.toml:3:18: blocked word `💩` is empty once emoji and punctuation are dropped",
                "chat.toml:4:3: blocked word `SCAM!` is already in the list (line 3)",
            ]
        );
        let got = errors(&[("chat.toml", "[blocked]\nword = [\"scam\"]\n")]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("chat.toml:2:1: "), "{got:?}");
        let (_dir, paths) =
            dir_with(&[("chat.toml", "[blocked]\nwords = [\"scam\"]\ndelete_on_platform = true\n")]);
        let chat = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}")).shop.chat;
        assert_eq!(chat.blocked.words, ["scam"]);
        assert!(chat.blocked.delete_on_platform);
        assert_eq!(chat.mute_seconds, 600, "left out, the built-in ten minutes");
        assert_eq!(crate::config::model::ChatConfig::default().blocked.words, Vec::<String>::new());
    }

    #[test]
    fn keymap_and_theme_errors_carry_their_own_file() {
        let got = errors(&[
            ("settings.toml", "keymap = \"mine\"\ntheme = \"mine\"\n"),
            ("keymaps/mine.toml", "inherits = \"default\"\n[normal]\nz = \"zoom\"\n"),
            ("themes/mine.toml", "[palette]\naccent = \"#12345\"\n"),
        ]);
        assert_eq!(
            got,
            [
                "keymaps/mine.toml:3:5: unknown action `zoom`",
                "themes/mine.toml:2:10: `#12345` is not a colour",
            ]
        );
    }

    #[test]
    fn an_own_catalog_without_sales_has_no_sales() {
        let (_dir, paths) = dir_with(&[("catalog.toml", CATALOG)]);
        let config = load(&paths, &ENV).unwrap_or_else(|e| panic!("{e}"));
        assert!(config.shop.sales.sales.is_empty());
        assert_eq!(config.shop.catalog.products.len(), 2);
    }

    #[test]
    fn check_reads_every_file_and_reports_inactive_ones() {
        let (dir, paths) = dir_with(&[
            ("catalog.toml", CATALOG),
            ("keymaps/spare.toml", "[normal]\nq = \"quit\"\n\"?\" = \"help\"\n[help]\nesc = \"shut\"\n"),
            ("themes/spare.toml", "inherits = \"light\"\n"),
        ]);
        let errs = check(&paths, &ENV).unwrap_err();
        let got: Vec<String> = errs.0.iter().map(|e| located(dir.path(), e)).collect();
        assert_eq!(got, ["keymaps/spare.toml:5:7: unknown action `shut`"]);
        std::fs::write(dir.path().join("keymaps/spare.toml"), "inherits = \"vim\"\n").unwrap();
        let files = check(&paths, &ENV).unwrap();
        for f in ["catalog.toml", "keymaps/spare.toml", "themes/spare.toml"] {
            assert!(files.contains(&dir.path().join(f)), "{f} in {files:?}");
        }
        assert!(files.contains(&PathBuf::from("themes/light.toml (built-in)")));
    }

    #[test]
    fn no_color_and_sixteen_colours_reach_the_loaded_theme() {
        let (_dir, paths) = dir_with(&[("settings.toml", "theme = \"light\"\n")]);
        let env = EnvInfo { no_color: true, truecolor: true };
        let theme = load(&paths, &env).unwrap().theme;
        assert_eq!((theme.name.as_str(), theme.env), ("light", env));
        let env = EnvInfo { no_color: false, truecolor: false };
        assert_eq!(load(&paths, &env).unwrap().theme.env, env);
    }
}
