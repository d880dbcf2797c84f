//! What each subcommand does, from parsed arguments to an exit code.

use std::process::ExitCode;

use anyhow::Context;
use tokio::sync::mpsc;

use std::sync::Arc;

use crate::app::team::{Member, Seat, Team};
use crate::app::{self, Clock, Finish, Session, Stamped};
use crate::cli::{
    Cli, Cmd, ConfigCmd, CopyArgs, ExplainArgs, HeadlessArgs, ReplayArgs, RunArgs, ServeArgs, SessionsArgs,
    StoreCmd, SummaryFormat,
};
use crate::config::{self, Config, EnvInfo, Paths};
use crate::desk::explain::Explained;
use crate::feed::script::Script;
use crate::feed::ws::FeedOptions;
use crate::protocol::{Format, StreamInfo};
use crate::server::{self, ServerOptions};
use crate::store::postgres::copy::{self, Outcome};
use crate::store::postgres::{PgStore, Target};
use crate::store::{self, Journal, Resume, SourceLock, Store, configured};

/// The built-in demo stream.
pub const DEMO_SCRIPT: &str = include_str!("../demos/flash-friday.jsonl");

/// Runs the subcommand the user asked for.
pub async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let paths = Paths::resolve(cli.config.as_deref())?;
    match cli.command {
        None => run(&paths, cli.run).await,
        Some(Cmd::Run(args)) => run(&paths, args).await,
        Some(Cmd::Replay(args)) => replay(&paths, args).await,
        Some(Cmd::Serve(args)) => serve(&paths, args).await,
        Some(Cmd::Sessions(args)) => sessions(&paths, args),
        Some(Cmd::Report(args)) => crate::report::run::report(&paths, args),
        Some(Cmd::Customers(args)) => crate::report::run::customers(&paths, args),
        Some(Cmd::Orders(args)) => crate::report::run::orders(&paths, args),
        Some(Cmd::Store { action: StoreCmd::Copy(args) }) => store_copy(&paths, args),
        Some(Cmd::Config { action }) => config_cmd(&paths, action),
    }
}

/// Sends logs to a file in the state dir: never to the screen.
fn init_logging(paths: &Paths) {
    let dir = &paths.state_dir;
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(file) = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("livedesk.log"))
    else {
        return;
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("LIVEDESK_LOG").unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}

/// Loads the configuration, or prints every problem (file:line:col) and says how to go on.
fn load_config(paths: &Paths) -> Result<Config, ExitCode> {
    config::load(paths, &EnvInfo::from_env()).map_err(|errors| {
        for e in errors.errors() {
            eprintln!("{e}");
        }
        eprintln!("livedesk: the configuration has errors (above); fix them, or run `livedesk config check`");
        ExitCode::FAILURE
    })
}

/// The configuration with the run of show in `file` (`--show`) in place of show.toml's, or
/// every problem of that file printed.
fn with_show(paths: &Paths, mut config: Config, file: Option<&std::path::Path>) -> Result<Config, ExitCode> {
    let Some(file) = file else { return Ok(config) };
    match config::load::load_show(file, paths, &config.shop) {
        Ok(show) => {
            config.shop.show = show;
            Ok(config)
        }
        Err(errors) => {
            for e in errors.errors() {
                eprintln!("{e}");
            }
            eprintln!("livedesk: the show file has errors (above); fix them, or leave out --show");
            Err(ExitCode::FAILURE)
        }
    }
}

/// The operator's name: `--operator`, else `operator` in settings.toml, else the login name;
/// shown on the team's other screens, so cleaned like any text from outside.
fn operator_name(flag: Option<&str>, setting: Option<&str>) -> String {
    let login = || std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).ok();
    let name = flag.map(str::to_owned).or_else(|| setting.map(str::to_owned)).or_else(login);
    let name = crate::protocol::sanitize::sanitize(name.as_deref().unwrap_or("").trim(), 24);
    if name.is_empty() { "operator".to_owned() } else { name }
}

/// An id for this run of the console, unique on the team: the lease and the roster name
/// consoles by it.
fn console_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_default();
    format!("{host}-{}-{:08x}", std::process::id(), fastrand::u32(..))
}

/// Opens the store for a run on `source` (`postgres`, or the state dir's SQLite file when
/// none), rebuilds its unfinished session if `resume`, and says where the feed picks up.
fn open_store(
    paths: &Paths,
    postgres: Option<&Target>,
    session: &mut Session,
    source: &str,
    resume: bool,
) -> anyhow::Result<(app::ResumePoint, Option<SourceLock>)> {
    // Two desks on one feed would write one session's journal: the second is refused.
    let lock = if resume { Some(SourceLock::take(&paths.state_dir, source)?) } else { None };
    let point = match postgres {
        Some(target) => {
            let db = PgStore::open(target)?;
            let journal = db.journal()?;
            tracing::info!(store = target.shown(), "journaling into PostgreSQL");
            session.attach_store(
                &db,
                journal,
                source,
                if resume { Resume::Unfinished } else { Resume::Fresh },
            )?
        }
        None => {
            let path = store::path_in(&paths.state_dir);
            let db = Store::open(&path)?;
            let journal = Journal::start(&path)?;
            session.attach_store(
                &db,
                journal,
                source,
                if resume { Resume::Unfinished } else { Resume::Fresh },
            )?
        }
    };
    Ok((point, lock))
}

async fn run(paths: &Paths, args: RunArgs) -> anyhow::Result<ExitCode> {
    init_logging(paths);
    let config = match load_config(paths).and_then(|c| with_show(paths, c, args.show.as_deref())) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let url = if args.demo { None } else { args.url.clone().or_else(|| config.settings.feed.url.clone()) };
    let postgres = if args.no_store {
        None
    } else {
        configured::postgres_target(paths, &config, args.store.as_deref())?
    };
    let (tx, rx) = mpsc::channel::<Stamped>(16 * 1024);
    let _server; // the in-process demo server lives as long as the run
    let _lock; // the store's hold on this feed, as long as the run
    let operator = operator_name(args.operator.as_deref(), config.settings.operator.as_deref());
    if args.watch && (postgres.is_none() || url.is_none()) {
        anyhow::bail!(
            "--watch looks at a team's desk: give the feed (--url) and the PostgreSQL store the feed holder uses (--store postgres://…)"
        );
    }
    let mut session = match url {
        Some(url) => {
            let token_env = config.settings.feed.token_env.clone();
            let token = std::env::var(&token_env).ok().filter(|t| !t.is_empty());
            let mut session = Session::new(&config, host_of(&url), false, Clock::wall());
            let feed = &config.settings.feed;
            let format = args.format.or(feed.format).unwrap_or_else(|| Format::guess(&url));
            let mut opts = FeedOptions {
                url: url.clone(),
                token,
                token_env,
                resume_after: None,
                resume_stream: None,
                format,
                channel: feed.channel.clone(),
                nick: feed.nick.clone(),
                send_limit: feed.send_limit(),
                ca_file: feed.ca_path(&paths.config_dir),
            };
            match &postgres {
                // Every console on this feed and store shares one desk: one holds the feed.
                Some(target) => {
                    let store = Arc::new(PgStore::open(target)?);
                    let member = Member { console: console_id(), operator, source: url, watch: args.watch };
                    let seat = Seat::new(Team::start(member, target.clone()), store, opts, tx.clone());
                    session.join_team(seat)?;
                }
                None => {
                    session.set_operator(operator);
                    if !args.no_store {
                        let (point, lock) = open_store(paths, None, &mut session, &url, true)?;
                        _lock = lock;
                        opts.resume_after = point.after;
                        opts.resume_stream = point.stream;
                    }
                    app::spawn_socket_feed(opts, tx.clone(), &mut session);
                }
            }
            session
        }
        None => {
            let script = Script::parse(DEMO_SCRIPT).context("the built-in demo script")?;
            let stream = StreamInfo {
                id: "flash-friday".into(),
                title: "Nail Nook".into(),
                platform: "livedesk".into(),
                currency: config.shop.catalog.currency.clone(),
                started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            };
            let period = script.duration_ms() + server::LOOP_PAUSE_MS;
            let cues = script.lines.clone();
            let handle = server::start(ServerOptions {
                addr: ([127, 0, 0, 1], 0).into(),
                script,
                speed: 1.0,
                looped: true,
                stream,
                token: None,
                log_commands: false,
            })
            .await
            .context("cannot start the demo server")?;
            let mut session = Session::new(&config, "DEMO".into(), true, Clock::wall());
            session.set_operator(operator);
            if !args.no_store {
                // The demo's server starts afresh every run: a new session each time.
                open_store(paths, postgres.as_ref(), &mut session, "demo", false)?;
            }
            let opts = FeedOptions {
                url: handle.url(),
                token: None,
                token_env: "LIVEDESK_TOKEN".into(),
                resume_after: None,
                resume_stream: None,
                format: Format::Livedesk,
                channel: None,
                nick: None,
                send_limit: config.settings.feed.send_limit(),
                ca_file: None,
            };
            app::spawn_socket_feed(opts, tx.clone(), &mut session);
            app::spawn_script(cues, Clock::wall(), false, true, Some(period), tx.clone());
            _server = handle;
            session
        }
    };
    drop(tx);
    if let Some(path) = &args.record {
        session.record_to(path)?;
    }
    let old = read_compared(&args.explain)?;
    if let Some(path) = &args.explain.explain {
        session.explain_to(path)?;
    }
    let code = if args.headless.headless {
        let finish = app::run_headless(&mut session, rx, false).await;
        session.finish();
        finish_headless(&mut session, &args.headless, finish, old.as_deref(), &args.explain)?
    } else {
        let ran = app::run_tui(&mut session, rx, &config, args.host_view).await;
        session.finish();
        ran?;
        finish_explain(&mut session, old.as_deref(), &args.explain)?;
        ExitCode::SUCCESS
    };
    Ok(code)
}

async fn replay(paths: &Paths, args: ReplayArgs) -> anyhow::Result<ExitCode> {
    init_logging(paths);
    let config = match load_config(paths).and_then(|c| with_show(paths, c, args.show.as_deref())) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let source = args.file.file_name().map_or("replay".into(), |n| n.to_string_lossy().into_owned());
    let stream_id = args.file.file_stem().map_or("replay".into(), |n| n.to_string_lossy().into_owned());
    if args.explain.explain.is_some() && !args.headless.headless {
        anyhow::bail!(
            "--explain needs --headless on replay: `livedesk replay FILE --headless --max --explain OUT.jsonl`"
        );
    }
    let old = read_compared(&args.explain)?;
    if args.headless.headless && args.max {
        let mut session = Session::replay(&config, source, Clock::wall());
        session.desk.name_stream(stream_id);
        if let Some(path) = &args.explain.explain {
            session.explain_to(path)?;
        }
        crate::replay::run_file(&mut session, &args.file)?;
        return finish_headless(&mut session, &args.headless, Finish::Normal, old.as_deref(), &args.explain);
    }
    if !(args.speed.is_finite() && args.speed > 0.0) {
        anyhow::bail!("--speed must be a positive number, like 2 or 0.5");
    }
    let script = Script::load(&args.file)?;
    let clock = Clock::scaled(args.speed);
    let mut session = Session::replay(&config, source, clock);
    session.desk.name_stream(stream_id);
    if let Some(path) = &args.explain.explain {
        session.explain_to(path)?;
    }
    let (tx, rx) = mpsc::channel::<Stamped>(16 * 1024);
    app::spawn_script(script.lines, clock, args.max, false, None, tx);
    if args.headless.headless {
        let finish = app::run_headless(&mut session, rx, true).await;
        finish_headless(&mut session, &args.headless, finish, old.as_deref(), &args.explain)
    } else {
        app::run_tui(&mut session, rx, &config, args.host_view).await?;
        Ok(ExitCode::SUCCESS)
    }
}

fn finish_headless(
    session: &mut Session,
    args: &HeadlessArgs,
    finish: Finish,
    old: Option<&[Explained]>,
    explain: &ExplainArgs,
) -> anyhow::Result<ExitCode> {
    if args.summary == Some(SummaryFormat::Json) {
        println!("{}", serde_json::to_string(&session.desk.summary()).expect("summary serializes"));
    }
    finish_explain(session, old, explain)?;
    Ok(match finish {
        Finish::Normal => ExitCode::SUCCESS,
        Finish::Failed(reason) => {
            eprintln!("livedesk: {reason}");
            ExitCode::from(2)
        }
    })
}

/// The explain file given to `--compare`, read before the run (it may be the same path
/// as `--explain`, which the run replaces).
fn read_compared(args: &ExplainArgs) -> anyhow::Result<Option<Vec<Explained>>> {
    args.compare.as_deref().map(crate::explain::read).transpose()
}

/// Closes the explain file and, with `--compare`, prints what changed against the old one.
fn finish_explain(
    session: &mut Session,
    old: Option<&[Explained]>,
    args: &ExplainArgs,
) -> anyhow::Result<()> {
    if session.finish_explain()?.is_none() {
        return Ok(());
    }
    if let (Some(old), Some(path)) = (old, &args.explain) {
        let new = crate::explain::read(path)?;
        print!("{}", crate::explain::compare(old, &new));
    }
    Ok(())
}

async fn serve(paths: &Paths, args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging(paths);
    let script = Script::load(&args.script)?;
    if !(args.speed.is_finite() && args.speed > 0.0) {
        anyhow::bail!("--speed must be a positive number, like 2 or 0.5");
    }
    let token = match &args.token_env {
        Some(var) => Some(std::env::var(var).ok().filter(|t| !t.is_empty()).with_context(|| {
            format!("--token-env {var}: the variable is not set; export {var}=<token> first")
        })?),
        None => None,
    };
    let currency = config::load(paths, &EnvInfo::from_env())
        .map(|c| c.shop.catalog.currency)
        .unwrap_or_else(|_| "GBP".into());
    let id = args.script.file_stem().map_or("stream".into(), |s| s.to_string_lossy().into_owned());
    let stream = StreamInfo {
        title: id.clone(),
        id,
        platform: "livedesk".into(),
        currency,
        started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    let handle = server::start(ServerOptions {
        addr: args.addr,
        script,
        speed: args.speed,
        looped: args.looped,
        stream,
        token,
        log_commands: true,
    })
    .await
    .with_context(|| format!("cannot listen on {}", args.addr))?;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    handle.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

fn sessions(paths: &Paths, args: SessionsArgs) -> anyhow::Result<ExitCode> {
    let config = match load_config(paths) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let opened = configured::for_reading(paths, &config, args.store.as_deref())?;
    let list = match &opened.store {
        Some(store) => store.sessions()?,
        None => Vec::new(),
    };
    if args.json {
        println!("{}", serde_json::to_string(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("No stored sessions in {}", opened.place);
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", sessions_table(&list));
    Ok(ExitCode::SUCCESS)
}

/// `livedesk store copy`: the SQLite store into PostgreSQL, a line per session as it goes.
fn store_copy(paths: &Paths, args: CopyArgs) -> anyhow::Result<ExitCode> {
    let config = match load_config(paths) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let target = configured::target_at(paths, &config, &args.to)?;
    let from = args.from.unwrap_or_else(|| store::path_in(&paths.state_dir));
    let source = copy::open_source(&from)?;
    println!("copying {} into {}", from.display(), target.shown());
    let done = copy::copy(source, &target, |s| {
        let stream = s.stream.as_deref().unwrap_or("-");
        let what = match &s.outcome {
            Outcome::Copied { to, rows } => format!("copied as session {to} ({rows} journal rows)"),
            Outcome::ToppedUp { to, rows } => format!("topped up session {to} ({rows} new journal rows)"),
            Outcome::Skipped { to } => format!("skipped: already there as session {to}"),
            Outcome::Diverged { to } => {
                format!("left as it is: session {to} there was journaled further since it was copied")
            }
        };
        println!("session {} ({stream}): {what}", s.from);
    })?;
    let left = match done.diverged {
        0 => String::new(),
        n => format!(", {n} left as they were (journaled on both sides)"),
    };
    println!(
        "{} session(s) copied, {} topped up, {} skipped{left}; {} journal rows, {} note(s) on viewers",
        done.copied, done.topped_up, done.skipped, done.rows, done.notes
    );
    Ok(ExitCode::SUCCESS)
}

/// The sessions as an aligned text table, newest first.
fn sessions_table(list: &[store::SessionInfo]) -> String {
    let header = ["id", "stream", "source", "started", "length", "state", "orders", "GMV"];
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            let started = chrono::DateTime::parse_from_rfc3339(&s.started_at)
                .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|_| s.started_at.clone());
            let secs = s.length_seconds;
            let gmv: Vec<String> = s.gmv.iter().map(|(cur, v)| format!("{v} {cur}")).collect();
            vec![
                s.id.to_string(),
                s.stream.clone().unwrap_or_else(|| "-".into()),
                s.source.clone(),
                started,
                format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60),
                if s.ended_at.is_some() { "ended" } else { "open" }.into(),
                s.orders.to_string(),
                if gmv.is_empty() { "-".into() } else { gmv.join(", ") },
            ]
        })
        .collect();
    // Numbers line up on the right.
    let right = [true, false, false, false, true, false, true, false];
    crate::table::aligned(&header, &right, &rows)
}

fn config_cmd(paths: &Paths, action: ConfigCmd) -> anyhow::Result<ExitCode> {
    match action {
        ConfigCmd::Path => {
            println!("config: {}", paths.config_dir.display());
            println!("state:  {}", paths.state_dir.display());
            println!("log:    {}", paths.state_dir.join("livedesk.log").display());
            println!("store:  {}", store::path_in(&paths.state_dir).display());
            Ok(ExitCode::SUCCESS)
        }
        ConfigCmd::Init => {
            for (path, written) in config::init(paths)? {
                let what = if written { "wrote" } else { "kept " };
                println!("{what} {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        ConfigCmd::Check => match config::check(paths, &EnvInfo::from_env()) {
            Ok(files) => {
                for f in &files {
                    println!("ok    {}", f.display());
                }
                println!("{} file(s) checked, no problems", files.len());
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => {
                for e in errors.errors() {
                    println!("{e}");
                }
                eprintln!("{} problem(s) found", errors.errors().len());
                Ok(ExitCode::FAILURE)
            }
        },
    }
}

/// What the status bar calls a feed: its host.
fn host_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    rest.split('/').next().unwrap_or(rest).to_owned()
}
