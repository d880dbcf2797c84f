//! Script files (JSON Lines): the replays the local server plays and the recordings the
//! console writes, so a session can be studied or played again exactly.
//!
//! One object a line, either `{"at_ms": N, "event": {…}}` (a server → client event) or
//! `{"at_ms": N, "operator": "<action name>", "args": {…}}` (what the operator did).
//! Blank lines and lines starting with `#` are comments.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::desk::Action;
use crate::protocol::{DecodeError, Event, RawEvent, decode_event};

/// The event types a script may carry: the stream's own events, not the connection's.
const SCRIPT_EVENTS: &str = "chat, question, join, viewers, like, follow, share, gift, order, \
                             order_update, stock, moderation, stream";

/// What one script line holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ScriptItem {
    /// A server → client event, played into the feed.
    Event(Event),
    /// An operator action, replayed as if the operator's hands did it.
    Operator(Action),
}

/// One line of a script, at its time from the start.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptLine {
    pub at_ms: u64,
    pub item: ScriptItem,
}

/// A whole script, its lines in time order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Script {
    pub lines: Vec<ScriptLine>,
}

/// Why a script could not be read: names the file (when loaded), the line and the fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// The file, when the script was loaded from one.
    pub path: Option<PathBuf>,
    /// 1-based line number; 0 when the fault is the file as a whole (e.g. unreadable).
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScriptError {}

impl Script {
    /// Parses a whole script. Errors name the line number and what is wrong.
    pub fn parse(text: &str) -> Result<Script, ScriptError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = Vec::new();
        let mut last_at = 0u64;
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let err = |message: String| ScriptError { path: None, line: number, message };
            let line = parse_line(trimmed).map_err(err)?;
            if line.at_ms < last_at {
                return Err(err(format!(
                    "at_ms {} is earlier than the line before ({last_at}); lines must be in time order",
                    line.at_ms
                )));
            }
            last_at = line.at_ms;
            lines.push(line);
        }
        Ok(Script { lines })
    }

    /// Reads and parses a script file; errors name the file.
    pub fn load(path: &Path) -> Result<Script, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScriptError {
            path: Some(path.to_owned()),
            line: 0,
            message: format!("cannot read the script: {e}"),
        })?;
        Script::parse(&text).map_err(|e| ScriptError { path: Some(path.to_owned()), ..e })
    }

    /// How long the script runs: the time of its last line.
    pub fn duration_ms(&self) -> u64 {
        self.lines.last().map_or(0, |l| l.at_ms)
    }

    /// The feed events with their times, for the server's clock.
    pub fn events(&self) -> impl Iterator<Item = (u64, &Event)> {
        self.lines.iter().filter_map(|l| match &l.item {
            ScriptItem::Event(e) => Some((l.at_ms, e)),
            ScriptItem::Operator(_) => None,
        })
    }

    /// The operator actions with their times, for replaying the operator's hands.
    pub fn operator_lines(&self) -> impl Iterator<Item = (u64, &Action)> {
        self.lines.iter().filter_map(|l| match &l.item {
            ScriptItem::Operator(a) => Some((l.at_ms, a)),
            ScriptItem::Event(_) => None,
        })
    }
}

/// Parses one line that is not a comment (for reading huge files as a stream); the error
/// says what is wrong but not where, and time order is the caller's to check.
pub fn parse_line(text: &str) -> Result<ScriptLine, String> {
    // Fast path for the common event line: no intermediate JSON tree. Anything it cannot
    // take goes the slow way below, which also words the errors.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct EventLine<'a> {
        at_ms: u64,
        #[serde(borrow)]
        event: RawEvent<'a>,
    }
    if let Ok(line) = serde_json::from_str::<EventLine>(text)
        && let Ok(event) = line.event.into_event()
        && !event.is_connection_level()
    {
        return Ok(ScriptLine { at_ms: line.at_ms, item: ScriptItem::Event(event) });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
    let Value::Object(mut obj) = value else {
        return Err("expected a JSON object like {\"at_ms\": 0, \"event\": {…}}".into());
    };
    let at_ms = match obj.get("at_ms") {
        None => return Err("missing \"at_ms\" (milliseconds from the start)".into()),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("\"at_ms\" must be a whole number of milliseconds ≥ 0, not {v}"))?,
    };
    let item = match (obj.remove("event"), obj.remove("operator")) {
        (Some(_), Some(_)) => {
            return Err("a line holds either \"event\" or \"operator\", not both".into());
        }
        (None, None) => return Err("a line needs an \"event\" or an \"operator\"".into()),
        (Some(event), None) => ScriptItem::Event(parse_event(event)?),
        (None, Some(Value::String(name))) => {
            let args = match obj.remove("args") {
                None | Some(Value::Null) => None,
                Some(args @ Value::Object(_)) => Some(args),
                Some(other) => return Err(format!("\"args\" must be an object, not {other}")),
            };
            ScriptItem::Operator(Action::from_script(&name, args)?)
        }
        (None, Some(other)) => {
            return Err(format!("\"operator\" must be an action name (a string), not {other}"));
        }
    };
    Ok(ScriptLine { at_ms, item })
}

fn parse_event(value: Value) -> Result<Event, String> {
    if !value.is_object() {
        return Err("\"event\" must be an object with a \"type\"".into());
    }
    if !value.get("type").is_some_and(Value::is_string) {
        return Err(format!("the event has no \"type\"; known types: {SCRIPT_EVENTS}"));
    }
    let event = decode_event(value).map_err(|e| match e {
        DecodeError::Unknown { kind, .. } => {
            format!("unknown event type {kind:?}; known types: {SCRIPT_EVENTS}")
        }
        DecodeError::Malformed { reason, .. } => format!("bad event: {reason}"),
        DecodeError::TooBig(n) => format!("event of {n} bytes is too big"),
    })?;
    if event.is_connection_level() {
        return Err(format!(
            "{:?} events belong to a connection, not a stream, and cannot be scripted; known types: {SCRIPT_EVENTS}",
            event.type_name()
        ));
    }
    Ok(event)
}

/// Writes a recording as a script file: sanitized events and operator actions, one line each,
/// flushed regularly, so a crash loses at most the last second.
pub struct ScriptWriter {
    out: BufWriter<File>,
    last_at: u64,
    unflushed: usize,
    last_flush: Instant,
}

/// Lines written between flushes at most.
const FLUSH_EVERY_LINES: usize = 512;
/// Time between flushes at most (checked when a line is written).
const FLUSH_EVERY: Duration = Duration::from_secs(1);

impl ScriptWriter {
    /// Creates (or truncates) the file and writes a comment header.
    pub fn new(path: &Path) -> io::Result<ScriptWriter> {
        let mut out = BufWriter::new(File::create(path)?);
        writeln!(out, "# livedesk recording, feed protocol v{}", crate::protocol::VERSION)?;
        Ok(ScriptWriter { out, last_at: 0, unflushed: 0, last_flush: Instant::now() })
    }

    /// Writes one feed event. Connection-level events (welcome, ack, error) are not part of
    /// the stream and are skipped, so that the recording always parses back.
    pub fn write_event(&mut self, at_ms: u64, event: &Event) -> io::Result<()> {
        if event.is_connection_level() {
            return Ok(());
        }
        let mut event = event.clone();
        event.sanitize();
        let json = serde_json::to_string(&event).map_err(io::Error::other)?;
        let at_ms = self.time(at_ms);
        writeln!(self.out, "{{\"at_ms\":{at_ms},\"event\":{json}}}")?;
        self.wrote()
    }

    /// Writes one operator action.
    pub fn write_action(&mut self, at_ms: u64, action: &Action) -> io::Result<()> {
        // Serializes as {"operator":…,"args":…}; the time goes first for readability.
        let json = serde_json::to_string(action).map_err(io::Error::other)?;
        let rest = json.strip_prefix('{').unwrap_or(&json);
        let at_ms = self.time(at_ms);
        writeln!(self.out, "{{\"at_ms\":{at_ms},{rest}")?;
        self.wrote()
    }

    /// Pushes everything written so far to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.unflushed = 0;
        self.last_flush = Instant::now();
        self.out.flush()
    }

    /// Keeps times non-decreasing (a clock step back must not make the file unreadable).
    fn time(&mut self, at_ms: u64) -> u64 {
        self.last_at = self.last_at.max(at_ms);
        self.last_at
    }

    /// Flushes lines waiting for over a second; the app calls it on every clock tick so a
    /// quiet stream's last lines reach the file too.
    pub fn flush_if_due(&mut self) -> io::Result<()> {
        if self.unflushed > 0 && self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush()?;
        }
        Ok(())
    }

    fn wrote(&mut self) -> io::Result<()> {
        self.unflushed += 1;
        if self.unflushed >= FLUSH_EVERY_LINES {
            return self.flush();
        }
        self.flush_if_due()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{OrderStatus, User};

    fn user(id: &str) -> User {
        User { id: id.into(), name: id.to_uppercase(), region: None, badges: vec![], follower: false }
    }

    #[test]
    fn comments_blank_lines_and_envelope_fields_are_skipped() {
        let text = "# a demo\n\n   \n  # indented comment\n\
            {\"at_ms\": 0, \"event\": {\"type\":\"viewers\",\"count\":20}}\r\n\
            {\"at_ms\": 5, \"event\": {\"type\":\"join\",\"v\":1,\"seq\":9,\"ts\":\"x\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\"}}}\n";
        let script = Script::parse(text).unwrap();
        assert_eq!(script.lines.len(), 2);
        assert_eq!(script.lines[0].item, ScriptItem::Event(Event::Viewers { count: 20 }));
        assert_eq!(script.lines[1].at_ms, 5);
        assert!(matches!(&script.lines[1].item, ScriptItem::Event(Event::Join { user }) if user.id == "u1"));
        assert_eq!(script.duration_ms(), 5);
        assert_eq!(Script::parse("").unwrap().duration_ms(), 0);
    }

    #[test]
    fn operator_lines_are_actions_and_kept_apart_from_events() {
        let text = r#"{"at_ms": 0, "event": {"type":"viewers","count":1}}
{"at_ms": 10, "operator": "start_sale", "args": {"id": "s1"}}
{"at_ms": 20, "operator": "end_sale"}
{"at_ms": 30, "event": {"type":"stream","state":"ended"}}"#;
        let script = Script::parse(text).unwrap();
        let ops: Vec<_> = script.operator_lines().collect();
        assert_eq!(
            ops,
            vec![(10, &Action::StartSale { id: "s1".into() }), (20, &Action::EndSale { id: None })]
        );
        let times: Vec<u64> = script.events().map(|(t, _)| t).collect();
        assert_eq!(times, vec![0, 30]);
        assert_eq!(script.duration_ms(), 30);
    }

    #[test]
    fn errors_name_the_line_and_the_fault() {
        let text = "# header\n{\"at_ms\": 0, \"event\": {\"type\":\"viewers\",\"count\":1}}\n\n{\"at_ms\": 1, \"event\": {\"type\":\"chat\"}}\n";
        let e = Script::parse(text).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.to_string().starts_with("line 4: bad event:"), "{e}");

        let e = Script::parse("{\"at_ms\": 0, \"event\": {\"type\":\"dance\"}}").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("unknown event type \"dance\""), "{e}");
        assert!(e.message.contains("order_update"), "lists the known types: {e}");

        let e = Script::parse(
            "{\"at_ms\": 0, \"event\": {\"type\":\"welcome\",\"stream\":{\"id\":\"s\"},\"resumed\":false}}",
        )
        .unwrap_err();
        assert!(e.message.contains("cannot be scripted"), "{e}");
        let e = Script::parse("{\"at_ms\": 0, \"event\": {\"type\":\"ack\",\"ref\":\"r\",\"ok\":true}}")
            .unwrap_err();
        assert!(e.message.contains("cannot be scripted"), "{e}");

        for (text, needle) in [
            ("not json", "not a JSON object"),
            ("[1]", "expected a JSON object"),
            ("{\"event\": {\"type\":\"viewers\",\"count\":1}}", "missing \"at_ms\""),
            ("{\"at_ms\": -1, \"event\": {\"type\":\"viewers\",\"count\":1}}", "whole number"),
            ("{\"at_ms\": 1}", "needs an \"event\" or an \"operator\""),
            ("{\"at_ms\": 1, \"event\": {}}", "has no \"type\""),
            ("{\"at_ms\": 1, \"operator\": \"launch_rocket\"}", "launch_rocket"),
            ("{\"at_ms\": 1, \"operator\": 7}", "action name"),
            ("{\"at_ms\": 1, \"operator\": \"end_sale\", \"args\": [1]}", "must be an object"),
        ] {
            let e = Script::parse(text).unwrap_err();
            assert_eq!(e.line, 1, "{text}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn decreasing_time_is_an_error() {
        let text = "{\"at_ms\": 10, \"event\": {\"type\":\"viewers\",\"count\":1}}\n\
                    {\"at_ms\": 10, \"operator\": \"end_sale\"}\n\
                    {\"at_ms\": 9, \"event\": {\"type\":\"viewers\",\"count\":2}}\n";
        let e = Script::parse(text).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("earlier than the line before (10)"), "{e}");
    }

    #[test]
    fn script_strings_are_sanitized() {
        let text = r#"{"at_ms": 0, "event": {"type":"chat","msg_id":"m1","user":{"id":"u","name":"A\u001b[31mB"},"text":"hi\u202e there","reply_to":null}}"#;
        let script = Script::parse(text).unwrap();
        let ScriptItem::Event(Event::Chat { user, text, .. }) = &script.lines[0].item else {
            panic!("expected a chat");
        };
        assert_eq!(user.name, "AB");
        assert_eq!(text, "hi there");
    }

    #[test]
    fn load_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.jsonl");
        let e = Script::load(&path).unwrap_err();
        assert!(e.to_string().starts_with(&format!("{}: cannot read", path.display())), "{e}");
        std::fs::write(&path, "\n{\"at_ms\": 0}\n").unwrap();
        let e = Script::load(&path).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: line 2: a line needs an \"event\" or an \"operator\"", path.display())
        );
    }

    #[test]
    fn written_recordings_parse_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rec.jsonl");
        let events = [
            Event::Chat { msg_id: "m1".into(), user: user("u1"), text: "how much?".into(), reply_to: None },
            Event::Order {
                order_id: "o1".into(),
                user: user("u2"),
                sku: "MUG".into(),
                qty: 2,
                unit_price: "12.99".parse().unwrap(),
                currency: "EUR".into(),
                status: OrderStatus::Placed,
            },
            Event::Like { user: None, count: 7 },
        ];
        let actions = [
            Action::SendReply { key: "1".into(), to: Some("m1".into()) },
            Action::EndSale { id: None },
            Action::PinProduct { sku: None },
        ];
        let mut w = ScriptWriter::new(&path).unwrap();
        w.write_event(0, &events[0]).unwrap();
        w.write_action(5, &actions[0]).unwrap();
        w.write_event(10, &events[1]).unwrap();
        // Connection-level events are not recorded; a time going back is clamped.
        w.write_event(11, &Event::Ack { reference: "r".into(), ok: true, error: None }).unwrap();
        w.write_action(8, &actions[1]).unwrap();
        w.write_event(20, &events[2]).unwrap();
        w.write_action(30, &actions[2]).unwrap();
        // A dirty string is sanitized on the way out.
        let dirty =
            Event::Chat { msg_id: "m2".into(), user: user("u3"), text: "a\u{1b}[2Jb".into(), reply_to: None };
        w.write_event(40, &dirty).unwrap();
        w.flush().unwrap();

        let script = Script::load(&path).unwrap();
        let got_events: Vec<(u64, Event)> = script.events().map(|(t, e)| (t, e.clone())).collect();
        let clean = Event::Chat { msg_id: "m2".into(), user: user("u3"), text: "ab".into(), reply_to: None };
        assert_eq!(
            got_events,
            vec![(0, events[0].clone()), (10, events[1].clone()), (20, events[2].clone()), (40, clean)]
        );
        let got_actions: Vec<(u64, Action)> = script.operator_lines().map(|(t, a)| (t, a.clone())).collect();
        assert_eq!(
            got_actions,
            vec![(5, actions[0].clone()), (10, actions[1].clone()), (30, actions[2].clone())]
        );
    }
}
