//! The replies pane: the canned replies and the key that sends each, and who they would
//! go to right now.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Span;

use super::{Ctx, fill_row, frame, scroll_offset};
use crate::config::keymap::KeyAction;
use crate::config::model::ReplySpec;
use crate::ui::text;
use crate::ui::view::{Pane, ViewState};

/// What the key column shows for a reply sent by its tags only.
const AUTO: &str = "·";

/// The reply keys in short: runs of three or more keys in a row as `1-9`, the others
/// listed (`0-9,-`), in the order the file first uses them.
pub fn keys_summary(replies: &[ReplySpec]) -> String {
    let keys: Vec<&str> = replies.iter().filter_map(|r| r.key.as_deref()).collect();
    let single: Option<Vec<char>> = keys
        .iter()
        .map(|k| {
            let mut c = k.chars();
            match (c.next(), c.next()) {
                (Some(ch), None) => Some(ch),
                _ => None,
            }
        })
        .collect();
    if let Some(chars) = single {
        let mut sorted = chars.clone();
        sorted.sort_unstable();
        sorted.dedup();
        // Runs of consecutive characters, each with where the file first uses one of it.
        let mut runs: Vec<(usize, char, char)> = Vec::new();
        for c in sorted {
            let first = chars.iter().position(|k| *k == c).unwrap_or(usize::MAX);
            match runs.last_mut() {
                Some((at, _, last)) if u32::from(*last) + 1 == u32::from(c) => {
                    *last = c;
                    *at = (*at).min(first);
                }
                _ => runs.push((first, c, c)),
            }
        }
        runs.sort_by_key(|(at, _, _)| *at);
        let parts: Vec<String> = runs
            .iter()
            .flat_map(|&(_, a, b)| {
                if u32::from(b) >= u32::from(a) + 2 {
                    vec![format!("{a}-{b}")]
                } else {
                    (a..=b).map(String::from).collect()
                }
            })
            .collect();
        if parts.len() <= 5 {
            return parts.join(",");
        }
    }
    let mut s = keys.iter().take(5).copied().collect::<Vec<_>>().join(",");
    if keys.len() > 5 {
        s.push('…');
    }
    s
}

/// Draws the pane and records its rows for the mouse.
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>, view: &mut ViewState, focused: bool) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let replies = desk.replies().all();
    let mut extra = Vec::new();
    if !replies.is_empty() {
        extra.push(Span::styled(keys_summary(replies), theme.accent.add_modifier(Modifier::BOLD)));
        let to = match view.selected_message(desk).filter(|m| !m.msg_id.is_empty()) {
            Some(m) => format!(" send → @{}", text::truncate(&m.user_name, 16)),
            None => " send → everyone".to_owned(),
        };
        extra.push(Span::styled(to, theme.dim));
    }
    let hints = if focused { ctx.hints(&[(KeyAction::Activate, "send")]) } else { vec![] };
    let inner = frame(buf, area, Pane::Replies.title(), extra, &hints, focused, theme);
    view.hits.replies_rows = inner;
    if inner.is_empty() {
        return;
    }
    if replies.is_empty() {
        text::put(buf, inner.x, inner.y, inner.right(), " No canned replies (replies.toml)", theme.dim);
        return;
    }
    let w = usize::from(inner.width);
    let key_w = replies.iter().map(|r| text::width(r.key.as_deref().unwrap_or(AUTO))).max().unwrap_or(1);
    let title_w = replies
        .iter()
        .map(|r| text::width(&r.title))
        .max()
        .unwrap_or(0)
        .min(w.saturating_sub(key_w + 3) * 2 / 3);
    let list = &mut view.replies;
    list.offset = scroll_offset(list.selected, list.offset, replies.len(), usize::from(inner.height));
    let right = inner.right();
    for (row, i) in (list.offset..replies.len()).take(usize::from(inner.height)).enumerate() {
        let r = &replies[i];
        let y = inner.y + row as u16;
        if list.selected == Some(i) {
            fill_row(buf, inner, y, theme.selected);
        }
        let (key, style) = match &r.key {
            Some(k) => (k.as_str(), theme.accent.add_modifier(Modifier::BOLD)),
            None => (AUTO, theme.dim),
        };
        let key = format!("{key:>key_w$}");
        let mut x = text::put(buf, inner.x + 1, y, right, &key, style);
        x += 2;
        let title = text::truncate(&r.title, title_w);
        let tx = text::put(buf, x.min(right), y, right, &title, theme.base);
        x = (x + title_w as u16).max(tx) + 2;
        if x + 4 < right {
            text::put_trunc(buf, x, y, right, &r.text, theme.dim);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(key: &str) -> ReplySpec {
        ReplySpec { key: Some(key.into()), ..ReplySpec::new("t", "x") }
    }

    #[test]
    fn reply_keys_are_summed_up() {
        let r: Vec<_> = ["1", "2", "3", "4"].map(reply).into();
        assert_eq!(keys_summary(&r), "1-4");
        let r: Vec<_> = ["1", "3", "a"].map(reply).into();
        assert_eq!(keys_summary(&r), "1,3,a");
        let r: Vec<_> = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-"].map(reply).into();
        assert_eq!(keys_summary(&r), "0-9,-");
        let r: Vec<_> = ["b", "a", "c", "x", "y"].map(reply).into();
        assert_eq!(keys_summary(&r), "a-c,x,y");
        let r: Vec<_> = ["a", "c", "e", "g", "i", "k"].map(reply).into();
        assert_eq!(keys_summary(&r), "a,c,e,g,i…");
        let mut r: Vec<_> = ["1", "2", "3"].map(reply).into();
        r.push(ReplySpec { key: None, ..reply("x") });
        assert_eq!(keys_summary(&r), "1-3");
    }
}
