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
    /// Write a stored stream's report: figures, charts, questions, replies, customers.
    Report(ReportArgs),
    /// List the customers across every stored stream: orders, spend, first and last seen.
    Customers(CustomersArgs),
    /// What to pack after a stored stream: its paid orders per buyer as a pick list, or as a
    /// CSV for a shipping label tool (Royal Mail Click & Drop's import).
    Orders(OrdersArgs),
    /// Work on the store itself: copy the SQLite store into PostgreSQL.
    Store {
        #[command(subcommand)]
        action: StoreCmd,
    },
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
    pub format: Option<crate::protocol::Format>,
    /// Run the built-in demo even if a feed is configured.
    #[arg(long, conflicts_with = "url")]
    pub demo: bool,
    /// Record the session (events and operator actions) as a script file.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Do not journal this run in the store (and do not resume a stored session).
    #[arg(long)]
    pub no_store: bool,
    /// Keep the journal in this PostgreSQL database instead of the state dir's SQLite file
    /// (overrides `[store] url` in settings.toml; add `?sslmode=require` for TLS).
    #[arg(long, env = "LIVEDESK_STORE", value_name = "postgres://USER@HOST:PORT/DB")]
    pub store: Option<String>,
    /// Your name on the desk: every action you take is journaled with it, and a team's other
    /// consoles show it (overrides `operator` in settings.toml; default: your login name).
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Look but do not act, nor ever take the feed: the host's screen, a trainee's (needs a
    /// PostgreSQL store shared with the console that holds the feed).
    #[arg(long)]
    pub watch: bool,
    /// Run this show (a show.toml file) instead of the config dir's show.toml: a rehearsal
    /// is `livedesk run --demo --show demos/show.toml`.
    #[arg(long, value_name = "FILE")]
    pub show: Option<PathBuf>,
    /// Draw the host's screen: the cue on now large, its points, the flash sale's countdown,
    /// the next cue and the questions waiting (the keys still work).
    #[arg(long)]
    pub host_view: bool,
    #[command(flatten)]
    pub headless: HeadlessArgs,
    #[command(flatten)]
    pub explain: ExplainArgs,
}

/// What the desk made of each comment, to test an edit of `chat.toml` or `replies.toml`
/// against a past stream.
#[derive(Debug, Clone, Args, Default)]
pub struct ExplainArgs {
    /// Write one JSON line per comment as the desk saw it: language, tags, can't ship,
    /// the claim read and the suggested reply with its score and reasons.
    #[arg(long, value_name = "OUT.jsonl")]
    pub explain: Option<PathBuf>,
    /// With --explain: after the run, print what changed per comment against this earlier
    /// explain file (matched by msg_id), and a count line.
    #[arg(long, value_name = "OLD.jsonl", requires = "explain")]
    pub compare: Option<PathBuf>,
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
    /// The run of show the recording was made with, if not the config dir's show.toml.
    #[arg(long, value_name = "FILE")]
    pub show: Option<PathBuf>,
    /// Draw the host's screen while replaying.
    #[arg(long, conflicts_with = "headless")]
    pub host_view: bool,
    #[command(flatten)]
    pub headless: HeadlessArgs,
    #[command(flatten)]
    pub explain: ExplainArgs,
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
    /// List the sessions of this PostgreSQL store instead of the state dir's SQLite file
    /// (overrides `[store] url` in settings.toml).
    #[arg(long, env = "LIVEDESK_STORE", value_name = "postgres://USER@HOST:PORT/DB")]
    pub store: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The session to report on: its id (see `livedesk sessions`) or `latest`.
    #[arg(default_value = "latest", value_name = "SESSION | latest")]
    pub session: String,
    /// What to write (several may be given, comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "md", value_name = "md|html|csv|json")]
    pub format: Vec<ReportFormat>,
    /// The directory to write into (default: `livedesk-report-<session>` in the current directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also draft canned replies for the most asked unanswered questions, into
    /// replies.suggested.toml in the config dir (replies.toml is never touched).
    #[arg(long)]
    pub suggest_replies: bool,
    /// With --suggest-replies: how often a question must be asked to get a draft.
    #[arg(long, default_value_t = 3, value_name = "N", requires = "suggest_replies")]
    pub min_asked: usize,
    /// Read this PostgreSQL store instead of the state dir's SQLite file (overrides
    /// `[store] url` in settings.toml).
    #[arg(long, env = "LIVEDESK_STORE", value_name = "postgres://USER@HOST:PORT/DB")]
    pub store: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// report.md with its charts as SVG files in charts/.
    Md,
    /// report.html: one self-contained file, charts inline.
    Html,
    /// orders.csv, comments.csv and customers.csv.
    Csv,
    /// report.json.
    Json,
}

#[derive(Debug, Args)]
pub struct CustomersArgs {
    /// Print CSV instead of a table.
    #[arg(long)]
    pub csv: bool,
    /// Read this PostgreSQL store instead of the state dir's SQLite file (overrides
    /// `[store] url` in settings.toml).
    #[arg(long, env = "LIVEDESK_STORE", value_name = "postgres://USER@HOST:PORT/DB")]
    pub store: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["pick_list", "export"])))]
pub struct OrdersArgs {
    /// The session to pack: its id (see `livedesk sessions`) or `latest`.
    #[arg(default_value = "latest", value_name = "SESSION | latest")]
    pub session: String,
    /// A pick list: each buyer's paid orders bundled, with SKU, variant and quantity.
    #[arg(long)]
    pub pick_list: bool,
    /// Write the paid orders in a shipping label tool's import layout.
    #[arg(long, value_enum, value_name = "csv")]
    pub export: Option<OrdersExport>,
    /// Write into this file instead of printing.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Read this PostgreSQL store instead of the state dir's SQLite file (overrides
    /// `[store] url` in settings.toml).
    #[arg(long, env = "LIVEDESK_STORE", value_name = "postgres://USER@HOST:PORT/DB")]
    pub store: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrdersExport {
    /// Royal Mail Click & Drop's CSV order import: one row per paid order.
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum StoreCmd {
    /// Copy every session of the SQLite store (its journal, examples and viewers) and the
    /// notes on viewers into a PostgreSQL store; sessions already there are skipped, so it
    /// can run again.
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The PostgreSQL store to copy into.
    #[arg(long, value_name = "postgres://USER@HOST:PORT/DB")]
    pub to: String,
    /// The SQLite file to copy from (default: the state dir's).
    #[arg(long, value_name = "PATH")]
    pub from: Option<PathBuf>,
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
