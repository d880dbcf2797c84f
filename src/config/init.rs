//! `livedesk config init`: writes the default files into the config dir for the user to edit.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::builtin;
use super::paths::Paths;

/// Every file `init` writes, relative to the config dir, with its content.
pub fn default_files() -> Vec<(PathBuf, &'static str)> {
    let mut files = vec![
        (PathBuf::from("settings.toml"), builtin::SETTINGS),
        (PathBuf::from("catalog.toml"), builtin::CATALOG),
        (PathBuf::from("sales.toml"), builtin::SALES),
        (PathBuf::from("giveaways.toml"), builtin::GIVEAWAYS),
        (PathBuf::from("replies.toml"), builtin::REPLIES),
        (PathBuf::from("claims.toml"), builtin::CLAIMS),
        (PathBuf::from("chat.toml"), builtin::CHAT),
    ];
    for (name, text) in builtin::KEYMAPS {
        files.push((PathBuf::from("keymaps").join(format!("{name}.toml")), text));
    }
    for (name, text) in builtin::THEMES {
        files.push((PathBuf::from("themes").join(format!("{name}.toml")), text));
    }
    files
}

/// Writes the default files into the config dir, never overwriting one that exists;
/// returns each file's path and whether it was written (false: kept as it was).
pub fn init(paths: &Paths) -> anyhow::Result<Vec<(PathBuf, bool)>> {
    let mut out = Vec::new();
    for (rel, text) in default_files() {
        let path = paths.config_dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        // create_new: an existing file is never touched, even if it appears meanwhile.
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                out.push((path, true));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => out.push((path, false)),
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EnvInfo;
    use crate::config::load::{check, load};
    use crate::config::model::{ClaimsConfig, Settings};

    fn paths_in(dir: &std::path::Path) -> Paths {
        Paths { config_dir: dir.join("cfg"), state_dir: dir.join("state") }
    }

    #[test]
    fn config_init_writes_a_settings_toml_with_the_shipping_section_so_the_cant_ship_gate_stays_on() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths_in(dir.path());
        init(&paths).unwrap();
        let settings = std::fs::read_to_string(paths.config_dir.join("settings.toml")).unwrap();
        assert!(settings.contains("\n[shipping]\n"), "{settings}");
        // The files init wrote, with the catalog now the user's own, keep the gate on.
        let config = load(&paths, &EnvInfo::default()).unwrap();
        assert_eq!(config.shop.shipping.ships_to, ["GB"]);
        assert!(!config.shop.shipping.auto_answer);
    }

    #[test]
    fn init_writes_every_file_once_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths_in(dir.path());
        let first = init(&paths).unwrap();
        assert_eq!(first.len(), default_files().len());
        assert!(first.iter().all(|(p, written)| *written && p.is_file()), "{first:?}");

        let catalog = paths.config_dir.join("catalog.toml");
        std::fs::write(&catalog, "# mine\ncurrency = \"EUR\"\n").unwrap();
        std::fs::remove_file(paths.config_dir.join("themes/light.toml")).unwrap();
        let second = init(&paths).unwrap();
        for (path, written) in &second {
            assert_eq!(*written, path.ends_with("themes/light.toml"), "{}", path.display());
        }
        assert_eq!(std::fs::read_to_string(&catalog).unwrap(), "# mine\ncurrency = \"EUR\"\n");
    }

    #[test]
    fn the_written_files_load_and_check_clean() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths_in(dir.path());
        init(&paths).unwrap();
        let env = EnvInfo::default();
        let config = load(&paths, &env).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.settings, demo_settings());
        let files = check(&paths, &env).unwrap_or_else(|e| panic!("{e}"));
        for (rel, _) in default_files() {
            assert!(files.contains(&paths.config_dir.join(&rel)), "{}", rel.display());
        }
    }

    #[test]
    fn the_settings_template_is_the_defaults() {
        let settings: Settings = toml::from_str(builtin::SETTINGS).unwrap();
        assert_eq!(settings, demo_settings());
    }

    /// The defaults, with the demo shop's shipping written out (it ships to the UK).
    fn demo_settings() -> Settings {
        let shipping = crate::config::model::Shipping { ships_to: vec!["GB".into()], ..Default::default() };
        Settings { shipping: Some(shipping), ..Settings::default() }
    }

    #[test]
    fn the_chat_file_is_the_defaults() {
        let chat: crate::config::model::ChatConfig = toml::from_str(builtin::CHAT).unwrap();
        assert_eq!(chat, crate::config::model::ChatConfig::default());
        assert!(chat.rules.len() >= 8);
    }

    #[test]
    fn the_claims_file_is_the_defaults() {
        let claims: ClaimsConfig = toml::from_str(builtin::CLAIMS).unwrap();
        assert_eq!(claims, ClaimsConfig::default());
    }
}
