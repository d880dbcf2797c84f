//! Where a PostgreSQL store is and how to reach it: the address (`postgres://USER@HOST:PORT/DB`,
//! `?sslmode=require` for TLS), the password from outside the settings, and the TLS setup.
//!
//! The password, when the address has none: `PGPASSWORD`, then the password file
//! (`PGPASSFILE`, or `~/.pgpass`), then the `password_file` setting. TLS is rustls with the
//! public roots and `ca_file` on top, and it always verifies the server's certificate, so
//! `sslmode=require` is as strict as `verify-full`; without it the connection is plain.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::pgpass::{self, Wanted};

/// Where the password may come from besides the address, as this run has it.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    /// `PGPASSWORD`.
    pub env_password: Option<String>,
    /// The password file to read (`PGPASSFILE`, or `~/.pgpass`).
    pub pgpass: Option<PathBuf>,
    /// The `password_file` setting.
    pub password_file: Option<PathBuf>,
}

impl Secrets {
    /// What this process's environment says.
    pub fn from_env(password_file: Option<PathBuf>) -> Secrets {
        let pgpass = std::env::var_os("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".pgpass")));
        let env_password = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty());
        Secrets { env_password, pgpass, password_file }
    }
}

/// A PostgreSQL store to connect to.
#[derive(Clone)]
pub struct Target {
    config: postgres::Config,
    tls: MakeRustlsConnect,
    /// The address without its password, for messages and logs.
    shown: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({})", self.shown)
    }
}

/// Whether `url` names a PostgreSQL store rather than a file.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Target {
    /// Reads `url`, finds the password if it has none, and sets up TLS when it asks for it.
    pub fn new(url: &str, secrets: &Secrets, ca_file: Option<&Path>) -> anyhow::Result<Target> {
        if !is_postgres(url) {
            bail!("`{url}` is not a PostgreSQL address: write postgres://USER@HOST:PORT/DB");
        }
        // libpq's verify-ca and verify-full are what rustls always does; the driver knows
        // only require.
        let shown = hide_password(url);
        let (url, verify) = match url.split_once('?') {
            Some((base, query)) => {
                let mut verify = false;
                let params: Vec<String> = query
                    .split('&')
                    .map(|p| match p {
                        "sslmode=verify-full" | "sslmode=verify-ca" => {
                            verify = true;
                            "sslmode=require".to_owned()
                        }
                        p => p.to_owned(),
                    })
                    .collect();
                (format!("{base}?{}", params.join("&")), verify)
            }
            None => (url.to_owned(), false),
        };
        let mut config: postgres::Config =
            url.parse().map_err(|e| anyhow!("the store address {shown} does not read: {e}"))?;
        let tls_wanted = verify || config.get_ssl_mode() == SslMode::Require;
        // Plain unless asked for: `prefer` would try TLS against a certificate it may not trust.
        config.ssl_mode(if tls_wanted { SslMode::Require } else { SslMode::Disable });
        let user = config
            .get_user()
            .ok_or_else(|| anyhow!("{shown} names no user: write postgres://USER@HOST/DB"))?
            .to_owned();
        if config.get_hosts().is_empty() {
            bail!("{shown} names no host: write postgres://USER@HOST/DB");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("livedesk");
        if config.get_password().is_none()
            && let Some(password) = password(&config, &user, secrets)?
        {
            config.password(password);
        }
        let tls = crate::config::certs::client_config(ca_file).map_err(|e| anyhow!("{shown}: {e}"))?;
        Ok(Target { config, tls: MakeRustlsConnect::new((*tls).clone()), shown })
    }

    /// The address, without its password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The database the address names (the user's, as PostgreSQL has it, when none).
    pub fn database(&self) -> &str {
        self.config.get_dbname().or(self.config.get_user()).unwrap_or_default()
    }

    /// The same server, another database (tests make their own).
    pub fn with_database(&self, name: &str) -> Target {
        let mut other = self.clone();
        other.config.dbname(name);
        other.shown = match self.shown.rsplit_once('/') {
            Some((server, rest)) => {
                let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
                format!("{server}/{name}{query}")
            }
            None => self.shown.clone(),
        };
        other
    }

    /// One new connection. Call it off any async runtime (see [`super::off_runtime`]).
    pub fn connect(&self) -> anyhow::Result<postgres::Client> {
        self.config
            .connect(self.tls.clone())
            .with_context(|| format!("cannot connect to the store {}", self.shown))
    }

    /// The pool manager for this address.
    pub(super) fn manager(&self) -> r2d2_postgres::PostgresConnectionManager<MakeRustlsConnect> {
        r2d2_postgres::PostgresConnectionManager::new(self.config.clone(), self.tls.clone())
    }
}

/// The password for `user` at `config`'s first host, from outside the address.
fn password(config: &postgres::Config, user: &str, secrets: &Secrets) -> anyhow::Result<Option<String>> {
    if let Some(p) = &secrets.env_password {
        return Ok(Some(p.clone()));
    }
    if let Some(path) = &secrets.pgpass {
        let host = match &config.get_hosts()[0] {
            Host::Tcp(name) => name.clone(),
            // libpq matches a socket directory as `localhost`.
            #[cfg(unix)]
            Host::Unix(_) => "localhost".to_owned(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let database = config.get_dbname().unwrap_or(user);
        if let Some(p) = pgpass::lookup(path, &Wanted { host: &host, port, database, user })? {
            return Ok(Some(p));
        }
    }
    if let Some(path) = &secrets.password_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the store's password_file {}", path.display()))?;
        let first = text.lines().next().unwrap_or_default().trim_end();
        if first.is_empty() {
            bail!("the store's password_file {} is empty", path.display());
        }
        return Ok(Some(first.to_owned()));
    }
    Ok(None)
}

/// `url` with any password in it replaced by `***`.
fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Secrets {
        Secrets::default()
    }

    #[test]
    fn the_password_comes_from_the_environment_then_the_pgpass_then_the_password_file() {
        let dir = tempfile::tempdir().unwrap();
        let pgpass = dir.path().join("pgpass");
        std::fs::write(&pgpass, "db.shop:5433:desk:ana:from-pgpass\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let file = dir.path().join("password");
        std::fs::write(&file, "from-file\nignored\n").unwrap();
        let url = "postgres://ana@db.shop:5433/desk";
        let all = Secrets {
            env_password: Some("from-env".into()),
            pgpass: Some(pgpass.clone()),
            password_file: Some(file.clone()),
        };
        let got = |s: &Secrets| Target::new(url, s, None).unwrap().config.get_password().map(|p| p.to_vec());
        assert_eq!(got(&all), Some(b"from-env".to_vec()));
        let no_env = Secrets { env_password: None, ..all.clone() };
        assert_eq!(got(&no_env), Some(b"from-pgpass".to_vec()));
        let other_db = Target::new("postgres://ana@db.shop:5433/other", &no_env, None).unwrap();
        assert_eq!(other_db.config.get_password(), Some(&b"from-file"[..]), "no pgpass line for it");
        assert_eq!(got(&secrets()), None);
        let in_url = Target::new("postgres://ana:inline@db.shop/desk", &all, None).unwrap();
        assert_eq!(in_url.config.get_password(), Some(&b"inline"[..]));
        assert_eq!(in_url.shown(), "postgres://ana:***@db.shop/desk");
    }

    #[test]
    fn tls_is_used_only_when_the_address_asks_for_it() {
        let mode = |url: &str| Target::new(url, &secrets(), None).unwrap().config.get_ssl_mode();
        assert_eq!(mode("postgres://ana@db.shop/desk"), SslMode::Disable);
        assert_eq!(mode("postgres://ana@db.shop/desk?sslmode=require"), SslMode::Require);
        assert_eq!(mode("postgres://ana@db.shop/desk?sslmode=verify-full"), SslMode::Require);
        let err = Target::new("postgres://db.shop/desk", &secrets(), None).unwrap_err().to_string();
        assert!(err.contains("names no user"), "{err}");
        let err = Target::new("mysql://ana@db/desk", &secrets(), None).unwrap_err().to_string();
        assert!(err.contains("not a PostgreSQL address"), "{err}");
        let missing = Path::new("/nonexistent/ca.pem");
        assert!(
            Target::new("postgres://ana@db.shop/desk?sslmode=require", &secrets(), Some(missing)).is_err()
        );
    }
}
