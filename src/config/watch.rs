//! Notices when a config file changes on disk, by looking at its modification time and size
//! now and then: cheap, and it works the same on every filesystem, over SSH or not.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One file, and how it looked when last seen.
#[derive(Debug)]
pub struct Watched {
    path: PathBuf,
    seen: Option<(SystemTime, u64)>,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl Watched {
    /// Starts watching `path` as it is now (it may not exist yet).
    pub fn new(path: PathBuf) -> Watched {
        let seen = stamp(&path);
        Watched { path, seen }
    }

    /// The file watched.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file changed (or appeared, or went) since the last look.
    pub fn changed(&mut self) -> bool {
        let now = stamp(&self.path);
        if now == self.seen {
            return false;
        }
        self.seen = now;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_seen_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replies.toml");
        let mut w = Watched::new(path.clone());
        assert!(!w.changed());
        std::fs::write(&path, "a").unwrap();
        assert!(w.changed());
        assert!(!w.changed());
        // A longer file is a change even within the filesystem's time resolution.
        std::fs::write(&path, "abc").unwrap();
        assert!(w.changed());
        std::fs::remove_file(&path).unwrap();
        assert!(w.changed());
        assert!(!w.changed());
    }
}
