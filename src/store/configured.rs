//! Which store a command works on: `--store` (or `LIVEDESK_STORE`), else `[store] url` in
//! settings.toml, names a PostgreSQL database; with neither it is the state dir's SQLite
//! file. Every command that reads stored sessions opens it through [`for_reading`].

use super::archive::Archive;
use super::postgres::{PgStore, Secrets, Target};
use super::{Store, path_in};
use crate::config::{Config, Paths};

/// The PostgreSQL store configured for this run, if any (`flag` is `--store`'s value).
pub fn postgres_target(paths: &Paths, config: &Config, flag: Option<&str>) -> anyhow::Result<Option<Target>> {
    let settings = &config.settings.store;
    let Some(url) = flag.filter(|u| !u.is_empty()).or(settings.url.as_deref()) else { return Ok(None) };
    target_at(paths, config, url).map(Some)
}

/// The PostgreSQL store at `url`, reached with the password and CA settings of `[store]`.
pub fn target_at(paths: &Paths, config: &Config, url: &str) -> anyhow::Result<Target> {
    let (password_file, ca_file) = config.settings.store.files(&paths.config_dir);
    Target::new(url, &Secrets::from_env(password_file), ca_file.as_deref())
}

/// The configured store, opened for reading.
pub struct ForReading {
    /// Where it is, for messages (an address is shown without its password).
    pub place: String,
    /// `None` when it is the state dir's SQLite file and no run has made it yet: reading
    /// must not create an empty store.
    pub store: Option<Box<dyn Archive>>,
}

/// Opens the configured store for reading (see the module's doc).
pub fn for_reading(paths: &Paths, config: &Config, flag: Option<&str>) -> anyhow::Result<ForReading> {
    if let Some(target) = postgres_target(paths, config, flag)? {
        let store = PgStore::open(&target)?;
        return Ok(ForReading { place: target.shown().to_owned(), store: Some(Box::new(store)) });
    }
    let path = path_in(&paths.state_dir);
    let place = path.display().to_string();
    if !path.exists() {
        return Ok(ForReading { place, store: None });
    }
    Ok(ForReading { place, store: Some(Box::new(Store::open(&path)?)) })
}
