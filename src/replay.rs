//! Headless replay at full speed: a script file streamed line by line through the desk,
//! on script time. Nothing is held but the desk itself, so a file of millions of
//! events replays in bounded memory.

use std::io::BufRead;
use std::path::Path;

use anyhow::Context;

use crate::app::Session;
use crate::desk::Input;
use crate::feed::script::{ScriptItem, parse_line};
use crate::protocol::Frame;

/// Plays every line of `path` through the session; errors name the file and line.
pub fn run_file(session: &mut Session, path: &Path) -> anyhow::Result<u64> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    run_reader(session, std::io::BufReader::with_capacity(1 << 16, file))
        .with_context(|| format!("replaying {}", path.display()))
}

/// Plays script lines from a reader; returns the number of lines applied.
pub fn run_reader(session: &mut Session, mut reader: impl BufRead) -> anyhow::Result<u64> {
    let start = session.now();
    let mut line = String::new();
    let mut number = 0usize;
    let mut seq = 0u64;
    let mut applied = 0u64;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        number += 1;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let parsed = parse_line(text).map_err(|e| anyhow::anyhow!("line {number}: {e}"))?;
        let at = start + chrono::Duration::milliseconds(parsed.at_ms as i64);
        let input = match parsed.item {
            ScriptItem::Event(event) => {
                seq += 1;
                Input::Feed(Frame { v: 1, seq, ts: String::new(), event })
            }
            ScriptItem::Operator(action) => Input::Operator(action),
        };
        session.apply((input, Some(at)));
        applied += 1;
    }
    Ok(applied)
}
