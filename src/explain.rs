//! `--explain OUT.jsonl`: one JSON line per comment as the desk saw it, written by a thread
//! of its own so the desk never waits on the disk; and `--compare OLD.jsonl`, what changed
//! against an earlier explain file, matched by msg_id.
//!
//! The queue to the writer is bounded, as the journal writer's is: when the writer falls
//! behind, the desk waits for room instead of dropping a line or growing without limit.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;

use anyhow::Context;

use crate::desk::explain::Explained;

/// Lines queued for the writer before the desk waits.
const QUEUE: usize = 4096;

/// The writer thread and its queue.
pub struct ExplainWriter {
    tx: Option<SyncSender<Explained>>,
    thread: Option<JoinHandle<anyhow::Result<u64>>>,
    path: PathBuf,
}

impl ExplainWriter {
    /// Creates `path` (replacing it) and starts the writer.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let file = File::create(path)
            .with_context(|| format!("cannot write the explain file {}", path.display()))?;
        let (tx, rx) = mpsc::sync_channel::<Explained>(QUEUE);
        let shown = path.display().to_string();
        let thread = std::thread::Builder::new().name("explain".into()).spawn(move || {
            let mut out = BufWriter::with_capacity(1 << 16, file);
            let mut lines = 0u64;
            for mut line in rx {
                line.language = crate::language::detect(&line.text).map(str::to_owned);
                serde_json::to_writer(&mut out, &line)?;
                out.write_all(b"\n").with_context(|| format!("writing {shown}"))?;
                lines += 1;
            }
            out.flush().with_context(|| format!("writing {shown}"))?;
            Ok(lines)
        })?;
        Ok(ExplainWriter { tx: Some(tx), thread: Some(thread), path: path.to_owned() })
    }

    /// Queues a line; waits while the queue is full. False once the writer has failed.
    pub fn send(&self, line: Explained) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.send(line).is_ok())
    }

    /// Writes what is queued, flushes and closes the file; the number of lines written.
    pub fn finish(&mut self) -> anyhow::Result<u64> {
        drop(self.tx.take());
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| anyhow::anyhow!("the explain writer stopped"))?,
            None => Ok(0),
        }
        .with_context(|| format!("the explain file {}", self.path.display()))
    }
}

/// Reads an explain file; a line that is not one names its line number.
pub fn read(path: &Path) -> anyhow::Result<Vec<Explained>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let e: Explained = serde_json::from_str(&line).with_context(|| {
            format!(
                "{}:{}: not a line of an explain file (livedesk ... --explain FILE writes them)",
                path.display(),
                i + 1
            )
        })?;
        out.push(e);
    }
    Ok(out)
}

/// What changed from `old` to `new`, comment by comment (matched by msg_id): one line per
/// change, then a count line.
pub fn compare(old: &[Explained], new: &[Explained]) -> String {
    let before: HashMap<&str, &Explained> = old.iter().map(|e| (e.msg_id.as_str(), e)).collect();
    let mut out = String::new();
    let (mut changed, mut matched) = (0usize, 0usize);
    for n in new {
        let Some(o) = before.get(n.msg_id.as_str()) else { continue };
        matched += 1;
        let mut what = Vec::new();
        if o.tags != n.tags {
            what.push(format!("tags {} -> {}", list(&o.tags), list(&n.tags)));
        }
        let region = |e: &Explained| e.cant_ship.as_ref().map_or("-".to_owned(), |c| c.region.clone());
        if o.cant_ship != n.cant_ship {
            what.push(format!("can't ship {} -> {}", region(o), region(n)));
        }
        let claim = |e: &Explained| {
            e.claim
                .as_ref()
                .map_or("-".to_owned(), |c| format!("{}x{}", c.product.as_deref().unwrap_or("?"), c.quantity))
        };
        if o.claim != n.claim {
            what.push(format!("claim {} -> {}", claim(o), claim(n)));
        }
        let reply = |e: &Explained| e.suggestion.as_ref().map_or("-".to_owned(), |s| s.id.clone());
        let text = |e: &Explained| e.suggestion.as_ref().and_then(|s| s.text.clone());
        if reply(o) != reply(n) {
            what.push(format!("suggestion {} -> {}", reply(o), reply(n)));
        } else if text(o) != text(n) {
            what.push(format!("suggestion {} text changed", reply(n)));
        }
        if !what.is_empty() {
            changed += 1;
            let _ = writeln!(out, "{} @{}: {:?}: {}", n.msg_id, n.viewer, n.text, what.join("; "));
        }
    }
    let only_new = new.len() - matched;
    let only_old = old.len() - matched;
    let _ = writeln!(
        out,
        "{changed} of {matched} comments changed ({only_old} only in the old file, {only_new} only in the new)"
    );
    out
}

fn list(tags: &[String]) -> String {
    if tags.is_empty() { "-".into() } else { tags.join(",") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::explain::{CantShip, ClaimRead, SuggestionRead};

    fn line(id: &str, tags: &[&str]) -> Explained {
        Explained {
            msg_id: id.into(),
            viewer: "ana".into(),
            text: "mine 2".into(),
            language: Some("en".into()),
            reply_language: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            cant_ship: None,
            claim: None,
            suggestion: None,
        }
    }

    #[test]
    fn compare_lists_each_change_by_msg_id_and_counts_them() {
        let old = vec![line("a", &["buyer"]), line("b", &[]), line("gone", &[])];
        let mut changed = line("a", &["buyer", "cant-ship"]);
        changed.cant_ship = Some(CantShip { region: "PH".into(), why: "viewer's region".into() });
        changed.claim = Some(ClaimRead { product: Some("ALMOND-PINK".into()), variant: None, quantity: 2 });
        changed.suggestion =
            Some(SuggestionRead { id: "cant-ship".into(), text: None, score: 4, reasons: vec![] });
        let new = vec![changed, line("b", &[]), line("new", &[])];
        assert_eq!(
            compare(&old, &new),
            "a @ana: \"mine 2\": tags buyer -> buyer,cant-ship; can't ship - -> PH; \
             claim - -> ALMOND-PINKx2; suggestion - -> cant-ship\n\
             1 of 2 comments changed (1 only in the old file, 1 only in the new)\n"
        );
    }

    #[test]
    fn the_writer_writes_every_line_it_was_given_and_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut w = ExplainWriter::create(&path).unwrap();
        // More lines than the queue holds: the sender waits, nothing is dropped.
        for i in 0..QUEUE * 2 {
            assert!(w.send(line(&format!("m{i}"), &[])));
        }
        assert_eq!(w.finish().unwrap(), (QUEUE * 2) as u64);
        let back = read(&path).unwrap();
        assert_eq!(back.len(), QUEUE * 2);
        assert_eq!(back[7].msg_id, "m7");
    }
}
