//! End to end: a stream served by the real local server, journaled by a real headless run,
//! then `livedesk report` and `livedesk customers` on its store; the HTML report is opened in
//! headless Chromium (Debian's `chromium`) to a screenshot, and must raise no error.
//!
//! How errors are caught: a copy of the page gets a probe script as the very first thing in
//! its `<head>` (before the page's own Content-Security-Policy, so the policy lets it run).
//! The probe records uncaught errors, failed loads (error events in the capture phase),
//! `console.error`/`console.warn` calls and CSP violations (any attempt to fetch something:
//! the page allows nothing), and writes them into the DOM on `load`; `--dump-dom` prints the
//! DOM, and the test reads the probe's verdict from it. This does not depend on Chromium's log
//! format. The screenshot run also logs to stderr, and no console line may appear there.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Home, Server, fixture};

/// Debian's Chromium, which the tests need (CI installs it).
fn chromium() -> PathBuf {
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(path).exists() {
            return path.into();
        }
    }
    panic!("these tests need Chromium: install Debian's package (apt-get install chromium)");
}

/// Headless Chromium with a fresh profile, as this machine needs it.
fn browse(profile: &Path, args: &[&str]) -> Output {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Journals the report fixture as one stored stream: served 100 times faster than it was
/// recorded, read by a headless run until the stream ends.
fn record_stream(home: &Home) {
    let server = Server::start(home, &fixture("report-stream.jsonl"), 0, &["--speed", "100"]);
    home.run_ok(&["run", "--url", &server.url, "--headless"]);
    let listed = home.run_ok(&["sessions", "--json"]);
    let sessions: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{listed}");
    assert!(sessions[0]["ended_at"].is_string(), "the stream ended: {listed}");
}

const PROBE: &str = r#"<script>
(function () {
  var seen = [];
  function note(what) { seen.push(String(what)); }
  window.addEventListener('error', function (e) {
    note(e.message ? 'error: ' + e.message : 'failed to load: ' + ((e.target && (e.target.src || e.target.href)) || e.target));
  }, true);
  window.addEventListener('unhandledrejection', function (e) { note('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { note('blocked: ' + e.blockedURI + ' (' + e.violatedDirective + ')'); });
  var error = console.error, warn = console.warn;
  console.error = function () { note('console.error: ' + Array.prototype.join.call(arguments, ' ')); return error.apply(console, arguments); };
  console.warn = function () { note('console.warn: ' + Array.prototype.join.call(arguments, ' ')); return warn.apply(console, arguments); };
  window.addEventListener('load', function () {
    var out = document.createElement('pre');
    out.id = 'probe';
    out.setAttribute('data-errors', String(seen.length));
    out.textContent = seen.join('\n');
    document.body.appendChild(out);
  });
})();
</script>"#;

#[test]
fn the_html_report_opens_in_chromium_without_errors_and_the_csvs_read_back() {
    let home = Home::new();
    record_stream(&home);
    let out = home.dir.path().join("report");
    let printed =
        home.run_ok(&["report", "latest", "--format", "html,md,csv,json", "--out", out.to_str().unwrap()]);
    for name in ["report.html", "report.md", "report.json", "orders.csv", "comments.csv", "customers.csv"] {
        assert!(out.join(name).is_file(), "{name} missing; livedesk said:\n{printed}");
        assert!(printed.contains(name), "{printed}");
    }
    // The Markdown links charts that are there.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for chart in ["viewers.svg", "comments.svg", "orders.svg", "products.svg"] {
        assert!(md.contains(&format!("](charts/{chart})")), "{chart} not linked");
        let svg = std::fs::read_to_string(out.join("charts").join(chart)).unwrap();
        assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{chart}");
    }

    // The HTML stands alone: every chart inline, nothing to fetch.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 4);
    assert!(!html.contains(" src=") && !html.contains(" href=") && !html.contains("<link"));

    // No error when it loads (see the probe above).
    let probe_page = out.join("probe.html");
    std::fs::write(&probe_page, html.replacen("<head>", &format!("<head>\n{PROBE}"), 1)).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let dom =
        browse(profile.path(), &["--virtual-time-budget=5000", "--dump-dom", probe_page.to_str().unwrap()]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<pre id=\"probe\" data-errors=\"0\"></pre>"),
        "the page raised errors:\n{}",
        probe_report(&dom)
    );
    assert!(dom.contains("Stream report: report-stream"), "the report did not render:\n{dom}");

    // A screenshot of the page as it is, with Chromium's own console log to stderr.
    let shot = out.join("report.png");
    let profile = tempfile::tempdir().unwrap();
    let run = browse(
        profile.path(),
        &[
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,3000",
            &format!("--screenshot={}", shot.display()),
            out.join("report.html").to_str().unwrap(),
        ],
    );
    let log = String::from_utf8_lossy(&run.stderr);
    let console: Vec<&str> =
        log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught")).collect();
    assert!(console.is_empty(), "console messages while loading the report:\n{}", console.join("\n"));
    let png = std::fs::read(&shot).expect("a screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let size = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!(size, (1200, 3000));

    // The CSVs read back: the same orders as the JSON counts, formulas kept as text.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let mut orders = csv::Reader::from_path(out.join("orders.csv")).unwrap();
    let head: Vec<String> = orders.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = orders.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as u64, report["stream"]["orders"].as_u64().unwrap());
    let user = head.iter().position(|h| h == "user").unwrap();
    assert!(rows.iter().any(|r| &r[user] == "'=cmd|' /C calc'!A0"), "a formula name must be kept as text");
    let mut comments = csv::Reader::from_path(out.join("comments.csv")).unwrap();
    assert_eq!(comments.records().count() as u64, report["stream"]["comments"].as_u64().unwrap());
    let mut customers = csv::Reader::from_path(out.join("customers.csv")).unwrap();
    assert_eq!(customers.records().count() as u64, report["stream"]["buyers"].as_u64().unwrap());

    // And the customer list across streams has the same buyers.
    let listed = home.run_ok(&["customers", "--csv"]);
    let mut list = csv::Reader::from_reader(listed.as_bytes());
    assert_eq!(list.records().count() as u64, report["stream"]["buyers"].as_u64().unwrap());
    let table = home.run_ok(&["customers"]);
    assert!(table.starts_with("name"), "{table}");
}

/// What the probe wrote, for a failure message.
fn probe_report(dom: &str) -> String {
    match dom.find("<pre id=\"probe\"") {
        Some(at) => dom[at..].chars().take(2000).collect(),
        None => "the probe never ran (no load event?)".into(),
    }
}

#[test]
fn a_report_with_nothing_stored_says_so() {
    let home = Home::new();
    let out = home.command().args(["report"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no stored sessions"), "{err}");
    let listed = home.run_ok(&["customers"]);
    assert!(listed.contains("No customers yet"), "{listed}");
}

/// `report --format json` of the latest session, with `extra` arguments, as JSON.
fn json_report(home: &Home, out: &str, extra: &[&str]) -> serde_json::Value {
    let out = home.dir.path().join(out);
    let mut args = vec!["report", "latest", "--format", "json", "--out", out.to_str().unwrap()];
    args.extend(extra);
    home.run_ok(&args);
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

#[test]
fn a_store_copied_into_postgres_reports_lists_and_counts_as_the_sqlite_one() {
    let home = Home::new();
    record_stream(&home);
    let db = common::pg::TestDb::new();
    let lite = json_report(&home, "lite", &[]);

    let copied = home.run_ok(&["store", "copy", "--to", &db.url]);
    assert!(copied.contains("session 1 (report-stream): copied as session 1 ("), "{copied}");
    assert!(copied.contains("1 session(s) copied, 0 topped up, 0 skipped;"), "{copied}");
    let again = home.run_ok(&["store", "copy", "--to", &db.url]);
    assert!(again.contains("session 1 (report-stream): skipped: already there as session 1"), "{again}");
    assert!(
        again
            .ends_with("0 session(s) copied, 0 topped up, 1 skipped; 0 journal rows, 0 note(s) on viewers\n"),
        "{again}"
    );

    // The same report, customers and sessions from PostgreSQL, by --store or LIVEDESK_STORE.
    assert_eq!(json_report(&home, "pg", &["--store", &db.url]), lite);
    let customers = home.run_ok(&["customers", "--csv"]);
    assert!(customers.lines().count() > 1, "{customers}");
    assert_eq!(home.run_ok(&["customers", "--csv", "--store", &db.url]), customers);
    let by_env = home.command().args(["customers", "--csv"]).env("LIVEDESK_STORE", &db.url).output().unwrap();
    assert_eq!(String::from_utf8(by_env.stdout).unwrap(), customers);
    let sessions = home.run_ok(&["sessions", "--json"]);
    assert_eq!(home.run_ok(&["sessions", "--json", "--store", &db.url]), sessions);

    // A server that is not there is said so, and nothing is copied.
    let nowhere = format!("postgres://nobody@127.0.0.1:{}/desk", common::free_port());
    let out = home.command().args(["store", "copy", "--to", &nowhere]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains(&format!("cannot connect to the store {nowhere}")), "{err}");
    let out = home.command().args(["report", "--store", &nowhere]).output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("cannot connect"));
}
