//! Where livedesk keeps its files: the config dir (read) and the state dir (logs, recordings,
//! the store).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use directories::ProjectDirs;

/// Environment variable that overrides the config dir (the `--config` flag wins over it).
pub const CONFIG_ENV: &str = "LIVEDESK_CONFIG";
/// Environment variable that overrides the state dir.
pub const STATE_ENV: &str = "LIVEDESK_STATE";

/// The directories livedesk reads its configuration from and writes its state to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// Settings, shop files, `keymaps/` and `themes/`.
    pub config_dir: PathBuf,
    /// Logs, recordings and the store (`livedesk.db`).
    pub state_dir: PathBuf,
}

impl Paths {
    /// Resolves the dirs from the `--config` flag, then the environment, then the platform default.
    pub fn resolve(flag: Option<&Path>) -> anyhow::Result<Paths> {
        Paths::resolve_with(flag, |name| std::env::var_os(name))
    }

    /// Like [`Paths::resolve`], with the environment passed in so the rules can be tested.
    pub fn resolve_with(
        flag: Option<&Path>,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> anyhow::Result<Paths> {
        let from_env = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dirs = ProjectDirs::from("", "", "livedesk");
        let config_dir = match (flag, from_env(CONFIG_ENV)) {
            (Some(dir), _) => dir.to_path_buf(),
            (None, Some(dir)) => dir,
            (None, None) => match &dirs {
                Some(d) => d.config_dir().to_path_buf(),
                None => bail!(
                    "cannot find a home directory for the config files; pass --config DIR or set {CONFIG_ENV}"
                ),
            },
        };
        let state_dir = match from_env(STATE_ENV) {
            Some(dir) => dir,
            None => dirs
                .as_ref()
                .map(|d| d.state_dir().unwrap_or_else(|| d.data_local_dir()).to_path_buf())
                .with_context(|| {
                    format!("cannot find a home directory for logs and recordings; set {STATE_ENV}")
                })?,
        };
        Ok(Paths { config_dir, state_dir })
    }

    /// A file directly in the config dir, such as `settings.toml`.
    pub fn config_file(&self, name: &str) -> PathBuf {
        self.config_dir.join(name)
    }

    /// The user's keymap files.
    pub fn keymaps_dir(&self) -> PathBuf {
        self.config_dir.join("keymaps")
    }

    /// The user's theme files.
    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn flag_beats_env_and_env_beats_default() {
        let env = env_of(&[(CONFIG_ENV, "from-env"), (STATE_ENV, "state-env")]);
        let p = Paths::resolve_with(Some(Path::new("from-flag")), &env).unwrap();
        assert_eq!(p.config_dir, PathBuf::from("from-flag"));
        assert_eq!(p.state_dir, PathBuf::from("state-env"));
        let p = Paths::resolve_with(None, &env).unwrap();
        assert_eq!(p.config_dir, PathBuf::from("from-env"));
    }

    #[test]
    fn empty_env_values_are_ignored() {
        let env = env_of(&[(CONFIG_ENV, ""), (STATE_ENV, "")]);
        if let Ok(p) = Paths::resolve_with(None, env) {
            assert_ne!(p.config_dir, PathBuf::from(""));
            assert_ne!(p.state_dir, PathBuf::from(""));
        }
    }

    #[test]
    fn named_dirs_hang_off_the_config_dir() {
        let p = Paths { config_dir: "cfg".into(), state_dir: "st".into() };
        assert_eq!(p.keymaps_dir(), Path::new("cfg").join("keymaps"));
        assert_eq!(p.themes_dir(), Path::new("cfg").join("themes"));
        assert_eq!(p.config_file("sales.toml"), Path::new("cfg").join("sales.toml"));
    }
}
