//! The password file libpq reads (`~/.pgpass`, or `PGPASSFILE`): one
//! `host:port:database:user:password` a line, `*` matching anything, `\:` and `\\` for a
//! colon or backslash inside a field, `#` starting a comment. Like libpq, a file that others
//! may read is not used: a password in it would be anyone's.

use std::path::Path;

/// What a connection is to: the fields a line is matched against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted<'a> {
    pub host: &'a str,
    pub port: u16,
    pub database: &'a str,
    pub user: &'a str,
}

/// The password of the first line of `text` that matches `wanted`.
pub fn find(text: &str, wanted: &Wanted<'_>) -> Option<String> {
    let port = wanted.port.to_string();
    let want = [wanted.host, port.as_str(), wanted.database, wanted.user];
    text.lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|line| {
        let fields = split(line)?;
        let matches = fields[..4].iter().zip(want).all(|(field, want)| field == "*" || field == want);
        matches.then(|| fields[4].clone())
    })
}

/// A line's five fields, unescaped; `None` for a line that has fewer. The password is the
/// rest of the line, colons and all.
fn split(line: &str) -> Option<[String; 5]> {
    let mut fields: Vec<String> = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        let c = match c {
            '\\' => chars.next().unwrap_or('\\'),
            ':' if fields.len() < 5 => {
                fields.push(String::new());
                continue;
            }
            c => c,
        };
        fields.last_mut()?.push(c);
    }
    fields.try_into().ok()
}

/// The password for `wanted` in the file at `path`, if it exists, is private to its owner
/// (mode 0600 or stricter, as libpq insists) and has a line for it.
pub fn lookup(path: &Path, wanted: &Wanted<'_>) -> anyhow::Result<Option<String>> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "password file not used: others may read it");
            return Ok(None);
        }
    }
    let _ = meta;
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(find(&text, wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANTED: Wanted<'static> = Wanted { host: "db.shop", port: 5432, database: "desk", user: "ana" };

    #[test]
    fn the_first_matching_line_gives_the_password_with_wildcards_and_escapes() {
        let text = "\
# the shop's databases
other.host:5432:desk:ana:nope
db.shop:5433:desk:ana:wrong-port
db.shop:*:desk:ana:p\\:ss\\\\word:with:colons
*:*:*:*:fallback
";
        assert_eq!(find(text, &WANTED).as_deref(), Some("p:ss\\word:with:colons"));
        let ben = Wanted { user: "ben", ..WANTED };
        assert_eq!(find(text, &ben).as_deref(), Some("fallback"));
        assert_eq!(find("db.shop:5432:desk:ana\n", &WANTED), None, "a line of four fields is no line");
        assert_eq!(
            find("db\\:shop:5432:desk:ana:x\n", &WANTED),
            None,
            "an escaped colon is part of the host"
        );
        let colon_host = Wanted { host: "db:shop", ..WANTED };
        assert_eq!(find("db\\:shop:5432:desk:ana:x\n", &colon_host).as_deref(), Some("x"));
    }

    #[cfg(unix)]
    #[test]
    fn a_password_file_others_may_read_is_not_used() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:secret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(lookup(&path, &WANTED).unwrap(), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(lookup(&path, &WANTED).unwrap().as_deref(), Some("secret"));
        assert_eq!(lookup(&dir.path().join("none"), &WANTED).unwrap(), None);
    }
}
