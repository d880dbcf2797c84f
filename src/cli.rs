//! The command line: what each subcommand takes.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The operator's console for live-selling streams.
///
/// With no feed configured, `livedesk` runs the built-in demo stream.
#[derive(Debug, Parser)]
#[command(name = "livedesk", version, about, propagate_version = true)]
pub struct Cli {
    /// Configuration directory (default: the platform's config dir, or $LIVEDESK_CONFIG).
    #[arg(long, global = true, value_name = "DIR")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Connect to the stream's feed (or the demo) and open the desk.
    Run(RunArgs),
    /// Play a script file through the desk.
    Replay(ReplayArgs),
    /// Serve a script as a local platform over WebSocket (demos, rehearsals, tests).
    Serve(ServeArgs),
    /// List the stored sessions: start, length, orders and GMV of each stream.
    Sessions(SessionsArgs),
    /// Write, check or locate the configuration files.
    Config {
        #[command(subcommand)]
        action: ConfigCmd,
    },
}

#[derive(Debug, Clone, Args, Default)]
pub struct RunArgs {
    /// Feed address (overrides feed.url in settings.toml).
    #[arg(long, value_name = "ws://HOST:PORT/PATH")]
    pub url: Option<String>,
    /// What the feed speaks (overrides feed.format; guessed from the address when neither is given).
    #[arg(long, value_enum)]
    pub format: Option<crate::feed::adapters::Format>,
    /// Run the built-in demo even if a feed is configured.
    #[arg(long, conflicts_with = "url")]
    pub demo: bool,
    /// Record the session (events and operator actions) as a script file.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Do not journal this run in the store (and do not resume a stored session).
    #[arg(long)]
    pub no_store: bool,
    #[command(flatten)]
    pub headless: HeadlessArgs,
}

#[derive(Debug, Clone, Args, Default)]
pub struct HeadlessArgs {
    /// Run without a terminal until the stream ends (run) or the file ends (replay).
    #[arg(long)]
    pub headless: bool,
    /// Print a summary when a headless run ends.
    #[arg(long, value_enum, value_name = "FORMAT", requires = "headless")]
    pub summary: Option<SummaryFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Json,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The script file (JSON Lines, see the protocol).
    pub file: PathBuf,
    /// Playback speed (2 = twice as fast).
    #[arg(long, default_value_t = 1.0, conflicts_with = "max")]
    pub speed: f64,
    /// As fast as possible.
    #[arg(long)]
    pub max: bool,
    #[command(flatten)]
    pub headless: HeadlessArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The script to serve.
    #[arg(long, value_name = "FILE")]
    pub script: PathBuf,
    /// Address to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub addr: SocketAddr,
    /// Playback speed (2 = twice as fast).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Start over at the end instead of ending the stream.
    #[arg(name = "loop", long = "loop")]
    pub looped: bool,
    /// Require this environment variable's value as the bearer token.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
}

#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Print them as one JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Write the default files into the config dir (never overwrites).
    Init,
    /// Check every file and report each problem as file:line:col.
    Check,
    /// Print where the files are.
    Path,
}
