//! Helpers for the end-to-end tests: the real binary, the real local server, and a
//! real terminal (tmux) to read the screen from.
#![allow(dead_code)]

pub mod corpus;
pub mod fake;
pub mod pg;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_livedesk")
}

/// A fixture file's path.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits for `pred` to hold, polling; panics with `what` and the last observation.
pub fn wait_until<T: std::fmt::Debug>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> (bool, T),
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        let (ok, seen) = probe();
        if ok {
            return seen;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}; last seen:\n{seen:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A private config and state dir, so tests never touch the user's files.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        Home { dir }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// Writes a file into the config dir.
    pub fn write(&self, name: &str, text: &str) {
        let path = self.config_dir().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The environment a test run of the binary gets.
    pub fn env(&self) -> Vec<(String, String)> {
        let root = self.dir.path();
        vec![
            ("LIVEDESK_CONFIG".into(), self.config_dir().display().to_string()),
            ("LIVEDESK_STATE".into(), root.join("state").display().to_string()),
            ("HOME".into(), root.display().to_string()),
            ("XDG_CONFIG_HOME".into(), root.join("xdg-config").display().to_string()),
            ("XDG_STATE_HOME".into(), root.join("xdg-state").display().to_string()),
            ("XDG_DATA_HOME".into(), root.join("xdg-data").display().to_string()),
        ]
    }

    /// A command for the binary with this home's environment.
    pub fn command(&self) -> Command {
        let mut c = Command::new(bin());
        c.envs(self.env()).env_remove("NO_COLOR").env_remove("LIVEDESK_TOKEN").env_remove("LIVEDESK_STORE");
        c
    }

    /// Runs the binary to the end; it must succeed. Returns what it printed.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "livedesk {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// `livedesk serve` in the background, with the commands it receives collected.
pub struct Server {
    child: Child,
    pub url: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Serves `script` on `port` with extra arguments (e.g. `--speed 5`).
    pub fn start(home: &Home, script: &Path, port: u16, extra: &[&str]) -> Server {
        Server::start_env(home, script, port, extra, &[])
    }

    /// Every line the server printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// The client frames the server received, parsed.
    pub fn received(&self) -> Vec<serde_json::Value> {
        self.lines()
            .iter()
            .filter_map(|l| l.strip_prefix("<- "))
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Kills the server abruptly.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A real terminal: the binary running in a detached tmux session of a given size.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Runs `livedesk ARGS` in a `width`×`height` terminal.
    pub fn start(home: &Home, args: &[&str], width: u16, height: u16) -> Tmux {
        let socket = format!("livedesk-test-{}-{}", std::process::id(), free_port());
        let mut line = String::from("env");
        for (k, v) in home.env() {
            line.push_str(&format!(" {k}={}", shell_quote(&v)));
        }
        line.push_str(" TERM=xterm-256color ");
        line.push_str(&shell_quote(bin()));
        for a in args {
            line.push(' ');
            line.push_str(&shell_quote(a));
        }
        // Keep the pane after exit so the last screen and the exit status can be read.
        line.push_str("; echo \"[exited $?]\"; sleep 600");
        let status = Command::new("tmux")
            // -u: UTF-8 whatever the machine's locale, so box drawing and emoji show as such.
            .args(["-u", "-L", &socket, "-f", "/dev/null", "new-session", "-d", "-s", "t"])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg(line)
            .status()
            .expect("tmux is installed");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket }
    }

    /// Runs a tmux command on this terminal's server and returns what it printed.
    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types keys (tmux key names: `Enter`, `Up`, `C-c`, or literal text).
    pub fn send(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until the screen satisfies `pred`; returns that screen.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        wait_until(what, timeout, || {
            let s = self.screen();
            (pred(&s), Screen(s))
        })
        .0
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
    }
}

/// A screen capture that prints as the screen itself in failure messages.
pub struct Screen(pub String);

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\n{}", self.0)
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Server {
    /// Like [`Server::start`], with extra environment variables for the server (such as the
    /// one `--token-env` names). `port` 0 lets the server pick a free port: the address is
    /// read back from the line it prints.
    pub fn start_env(home: &Home, script: &Path, port: u16, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = home
            .command()
            .args(["serve", "--script"])
            .arg(script)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start livedesk serve");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut server = Server { child, url: String::new(), lines };
        let lines = wait_until("the server to listen", Duration::from_secs(20), || {
            let l = server.lines();
            (l.iter().any(|l| l.starts_with("listening on ")), l)
        });
        let addr = lines.iter().find_map(|l| l.strip_prefix("listening on ")).unwrap().trim();
        server.url = format!("{}/", addr.trim_end_matches('/'));
        server
    }
}

impl Tmux {
    /// Resizes the terminal, as a user dragging the window would.
    pub fn resize(&self, width: u16, height: u16) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "resize-window", "-t", "t"])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "tmux resize-window failed");
    }

    /// A tmux format about the pane (e.g. `#{alternate_on}`, `#{cursor_flag}`), expanded.
    pub fn pane_format(&self, format: &str) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "display-message", "-p", "-t", "t", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The pid of the program the pane runs (the shell line around the binary).
    pub fn pane_pid(&self) -> u32 {
        self.pane_format("#{pane_pid}").parse().expect("tmux reports the pane's pid")
    }
}

/// A direct child of `parent` whose command name is `name`.
pub fn child_named(parent: u32, name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.filter_map(Result::ok).find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
        // `pid (comm) state ppid ...`: comm may hold spaces, so split after its `)`.
        let (head, tail) = stat.rsplit_once(')')?;
        let comm = head.split_once('(')?.1;
        let ppid: u32 = tail.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent && comm == name).then_some(pid)
    })
}

/// The status bar's first row: the line right under the panes' bottom borders.
pub fn status_line(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let last_border = lines.iter().rposition(|l| l.starts_with('└')).unwrap_or(0);
    lines.get(last_border + 1).map_or(String::new(), |l| l.to_string())
}

/// The Claims pane's rows, one string per row, read between its borders.
pub fn claims_pane(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(top) = lines.iter().position(|l| l.contains("┌ Claims") || l.contains("┌ ▶ Claims"))
    else {
        return vec![];
    };
    let mut out = Vec::new();
    for line in &lines[top + 1..] {
        let Some(rest) = line.strip_prefix('│') else { break };
        out.push(rest.split('│').next().unwrap_or(rest).trim_end().to_owned());
    }
    out
}
