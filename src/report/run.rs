//! `livedesk report` and `livedesk customers`: from the command line to files and tables.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::{Report, charts, csv_out, customers as across, html, markdown, packing, suggest};
use crate::cli::{CustomersArgs, OrdersArgs, OrdersExport, ReportArgs, ReportFormat};
use crate::config::{self, Config, EnvInfo, Paths};
use crate::desk::DeskSetup;
use crate::store::{Archive, SessionInfo, configured};

/// Loads the shop files (a report replays the journal under them, as a restart does).
fn load_config(paths: &Paths) -> Option<Config> {
    match config::load(paths, &EnvInfo::from_env()) {
        Ok(c) => Some(c),
        Err(errors) => {
            for e in errors.errors() {
                eprintln!("{e}");
            }
            eprintln!(
                "livedesk: the configuration has errors (above); fix them, or run `livedesk config check`"
            );
            None
        }
    }
}

/// How a report's desk starts: the shop as configured now.
fn setup(config: &Config, source: &str) -> DeskSetup {
    DeskSetup {
        shop: config.shop.clone(),
        scrollback: config.settings.scrollback,
        ref_prefix: "report".into(),
        source: source.to_owned(),
        demo: false,
        reply_uses: Default::default(),
        history: Default::default(),
        replay: false,
    }
}

/// Opens the configured store (`--store`, as `livedesk sessions` does), or says there is
/// nothing to report on.
fn open_store(paths: &Paths, config: &Config, flag: Option<&str>) -> anyhow::Result<Box<dyn Archive>> {
    let opened = configured::for_reading(paths, config, flag)?;
    opened
        .store
        .with_context(|| format!("no stored sessions in {}: run a stream first (livedesk run)", opened.place))
}

/// The session named on the command line: an id or `latest`.
fn pick(store: &dyn Archive, which: &str) -> anyhow::Result<SessionInfo> {
    let sessions = store.sessions()?;
    let found = if which.eq_ignore_ascii_case("latest") {
        sessions.into_iter().next()
    } else {
        let id: i64 = which.parse().with_context(|| {
            format!("{which:?} is not a session: give its id (see `livedesk sessions`) or `latest`")
        })?;
        sessions.into_iter().find(|s| s.id == id)
    };
    found.with_context(|| match which {
        "latest" => format!("no stored sessions in {}: run a stream first", store.place()),
        _ => format!("no session {which} in {}; `livedesk sessions` lists them", store.place()),
    })
}

/// Builds the report of one stored session with the configured shop.
pub fn build_for(store: &dyn Archive, info: &SessionInfo, config: &Config) -> anyhow::Result<Report> {
    let setup = setup(config, &info.source);
    let earlier = super::earlier_buyers(store, info.id, &setup)?;
    super::build(store, info, setup, &earlier)
}

/// `livedesk report`.
pub fn report(paths: &Paths, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let Some(config) = load_config(paths) else { return Ok(ExitCode::FAILURE) };
    let store = open_store(paths, &config, args.store.as_deref())?;
    let info = pick(store.as_ref(), &args.session)?;
    let report = build_for(store.as_ref(), &info, &config)?;
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("livedesk-report-{}", info.id)));
    for path in write(&report, &dir, &args.format)? {
        println!("wrote {}", path.display());
    }
    if args.suggest_replies {
        let w = suggest::write(&report, &paths.config_dir, args.min_asked)?;
        let kept = if w.kept > 0 { format!(" ({} already there)", w.kept) } else { String::new() };
        println!("{} draft repl(ies) added to {}{kept}", w.added, w.path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `report` into `dir` in each of `formats`; returns the files written.
pub fn write(report: &Report, dir: &Path, formats: &[ReportFormat]) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> anyhow::Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
        Ok(())
    };
    let mut formats = formats.to_vec();
    formats.dedup();
    let needs_charts = formats.iter().any(|f| matches!(f, ReportFormat::Md | ReportFormat::Html));
    let charts = if needs_charts { charts::all(report)? } else { Vec::new() };
    for format in formats {
        match format {
            ReportFormat::Md => {
                let chart_dir = dir.join(markdown::CHARTS_DIR);
                std::fs::create_dir_all(&chart_dir)
                    .with_context(|| format!("cannot create {}", chart_dir.display()))?;
                for c in &charts {
                    put(&format!("{}/{}", markdown::CHARTS_DIR, c.file), c.svg.as_bytes())?;
                }
                put("report.md", markdown::render(report).as_bytes())?;
            }
            ReportFormat::Html => put("report.html", html::render(report, &charts).as_bytes())?,
            ReportFormat::Json => {
                let mut json = serde_json::to_string_pretty(report)?;
                json.push('\n');
                put("report.json", json.as_bytes())?;
            }
            ReportFormat::Csv => {
                let mut buf = Vec::new();
                csv_out::orders(report, &mut buf)?;
                put("orders.csv", &buf)?;
                buf.clear();
                csv_out::comments(report, &mut buf)?;
                put("comments.csv", &buf)?;
                buf.clear();
                csv_out::customers(report, &mut buf)?;
                put("customers.csv", &buf)?;
            }
        }
    }
    Ok(written)
}

/// `livedesk customers`.
pub fn customers(paths: &Paths, args: CustomersArgs) -> anyhow::Result<ExitCode> {
    let Some(config) = load_config(paths) else { return Ok(ExitCode::FAILURE) };
    let opened = configured::for_reading(paths, &config, args.store.as_deref())?;
    let list = match &opened.store {
        Some(store) => across::across(store.as_ref(), &setup(&config, "customers"))?,
        None => Vec::new(),
    };
    if args.csv {
        across::csv(&list, std::io::stdout().lock())?;
    } else if list.is_empty() {
        println!("No customers yet in {}", opened.place);
    } else {
        print!("{}", across::table(&list));
    }
    Ok(ExitCode::SUCCESS)
}

/// `livedesk orders`: the pick list or the label tool's CSV of one stored stream.
pub fn orders(paths: &Paths, args: OrdersArgs) -> anyhow::Result<ExitCode> {
    let Some(config) = load_config(paths) else { return Ok(ExitCode::FAILURE) };
    let store = open_store(paths, &config, args.store.as_deref())?;
    let info = pick(store.as_ref(), &args.session)?;
    let packed = packing::of_session(store.as_ref(), &info, setup(&config, &info.source))?;
    let mut buf = Vec::new();
    match args.export {
        Some(OrdersExport::Csv) => packing::click_and_drop(&packed, &mut buf)?,
        None => buf.extend_from_slice(packing::pick_list(&packed).as_bytes()),
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, &buf).with_context(|| format!("cannot write {}", path.display()))?;
            println!(
                "wrote {} ({} paid orders of {} buyers)",
                path.display(),
                packed.orders(),
                packed.bundles.len()
            );
        }
        None => std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)?,
    }
    Ok(ExitCode::SUCCESS)
}
