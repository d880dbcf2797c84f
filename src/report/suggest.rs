//! Knowledge capture: the questions viewers asked most that no canned reply answered become
//! draft entries in `replies.suggested.toml`, for the team to write, give a key and move into
//! `replies.toml` themselves. `replies.toml` is never touched, and drafts already in the file
//! (edited or not) are kept: a second run adds only questions it does not hold yet.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{QuestionGroup, Report};
use crate::desk::text::normalize;

/// The drafts' file name, beside `replies.toml` in the config dir.
pub const FILE: &str = "replies.suggested.toml";
/// Asked at least this often (by default) to be worth a canned reply.
pub const MIN_ASKED: usize = 3;
/// The longest title a draft gets.
const TITLE_CHARS: usize = 60;

/// The question groups worth a draft: asked at least `min` times and never answered by a
/// canned reply, the most asked first.
pub fn candidates(r: &Report, min: usize) -> Vec<&QuestionGroup> {
    r.questions.groups.iter().filter(|g| g.count >= min.max(1) && g.canned_replies.is_empty()).collect()
}

/// What a run did to the drafts file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    /// Drafts added now.
    pub added: usize,
    /// Questions left out because the file already had a draft for them.
    pub kept: usize,
}

/// Adds drafts for `r`'s candidates to `config_dir/replies.suggested.toml`, creating it if
/// need be; the file's own entries stay as they are.
pub fn write(r: &Report, config_dir: &Path, min: usize) -> anyhow::Result<Written> {
    let path = config_dir.join(FILE);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let known = match &existing {
        Some(text) => drafted(text).with_context(|| {
            format!("{} is not valid TOML; fix it or move it away, and run again", path.display())
        })?,
        None => Vec::new(),
    };
    let mut out = existing.clone().unwrap_or_else(header);
    let (mut added, mut kept) = (0, 0);
    for g in candidates(r, min) {
        if known.contains(&normalize(&title_of(g))) {
            kept += 1;
            continue;
        }
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&draft(r, g));
        added += 1;
    }
    if added > 0 || existing.is_none() {
        std::fs::create_dir_all(config_dir)
            .with_context(|| format!("cannot create {}", config_dir.display()))?;
        std::fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(Written { path, added, kept })
}

fn header() -> String {
    "# Suggested canned replies, drafted by `livedesk report --suggest-replies` from the\n\
     # questions viewers asked most that no canned reply answered.\n\
     #\n\
     # livedesk does not read this file. For each draft worth keeping: write the answer in\n\
     # `text` (it may use {user}, {product}, {price}, {stock} and {time_left}), give it a free\n\
     # `key`, and move it into replies.toml. Delete the ones you do not want; a later run adds\n\
     # only questions this file does not hold yet.\n"
        .to_owned()
}

/// The normalized questions the file already has drafts for (by their titles).
fn drafted(text: &str) -> anyhow::Result<Vec<String>> {
    let table: toml::Table = toml::from_str(text)?;
    let replies = table.get("reply").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    Ok(replies.iter().filter_map(|r| r.get("title").and_then(|t| t.as_str()).map(normalize)).collect())
}

/// One draft entry, with the evidence as comments above it.
fn draft(r: &Report, g: &QuestionGroup) -> String {
    let mut out = String::new();
    let stream = r.session.stream.as_deref().unwrap_or("unnamed");
    let _ = writeln!(
        out,
        "# Asked {} time(s) by {} viewer(s) in stream {} (session {}), first at {}, e.g.:",
        g.count,
        g.askers,
        comment_safe(stream),
        r.session.id,
        super::text::clock(g.first_after_seconds)
    );
    for text in std::iter::once(&g.text).chain(&g.other_spellings) {
        let _ = writeln!(out, "#   {}", comment_safe(text));
    }
    out.push_str("[[reply]]\n");
    let _ = writeln!(out, "title = {}", toml::Value::String(title_of(g)));
    let _ = writeln!(out, "text = {}", toml::Value::String("@{user} ".into()));
    out.push_str("tags = [\"suggested\"]\n");
    out
}

/// A draft's title: the question as first asked, cut to a title's length.
fn title_of(g: &QuestionGroup) -> String {
    g.text.trim().chars().take(TITLE_CHARS).collect()
}

/// Text that stays inside one TOML comment line.
fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') { ' ' } else { c })
        .collect()
}
