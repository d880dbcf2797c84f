//! The panes, one file each, and the pieces they share: framed blocks with focus and key
//! hints in the title, and scrolling lists that keep their selection in view.

pub mod adjust;
pub mod card;
pub mod chat;
pub mod chat_bars;
pub mod claims;
pub mod giveaway;
pub mod held;
pub mod help;
pub mod picker;
pub mod replies;
pub mod retag;
pub mod sale;
pub mod search_line;
pub mod sell_out;
pub mod show;
pub mod stats;
pub mod status;
pub mod stock;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use crate::config::keymap::{KeyAction, Keymap, Mode, chord_label};
use crate::desk::Desk;
use crate::ui::text;
use crate::ui::theme::Theme;

/// Opens a popup over `screen`: a box of at most `w`×`h`, centred and cleared, with its
/// title and its keys (`(key, what it does)`) along the bottom border. Returns the inside.
pub fn popup(
    buf: &mut Buffer,
    screen: Rect,
    (w, h): (u16, u16),
    title: String,
    keys: &[(&str, &str)],
    theme: &Theme,
) -> Rect {
    let area = crate::ui::layout::centered(
        screen,
        w.min(screen.width.saturating_sub(4)),
        h.min(screen.height.saturating_sub(2)),
    );
    Clear.render(area, buf);
    let mut hints = Vec::with_capacity(keys.len() * 2);
    for (i, (key, what)) in keys.iter().enumerate() {
        let lead = if i == 0 { " " } else { "" };
        let gap = if i + 1 == keys.len() { " " } else { "  " };
        hints.push(Span::styled(format!("{lead}{key}"), theme.accent));
        hints.push(Span::styled(format!(" {what}{gap}"), theme.dim));
    }
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.base)
        .title(Line::from(Span::styled(title, theme.title)))
        .title_bottom(Line::from(hints));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// What every pane draws from.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub desk: &'a Desk,
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
}

impl Ctx<'_> {
    /// The first key bound to an action in normal mode, as the keymap writes it; while a
    /// reply is held, none the held-reply keys take first (`y` sends it, not a claim).
    pub fn key(&self, action: KeyAction) -> Option<String> {
        let shadowed = |k: &String| {
            self.desk.held().is_some() && self.keymap.held.iter().any(|(c, _)| chord_label(c) == *k)
        };
        self.keymap.keys_for(Mode::Normal, action).into_iter().find(|k| !shadowed(k))
    }

    /// `(key, label)` hints for the actions that have a key.
    pub fn hints(&self, actions: &[(KeyAction, &'static str)]) -> Vec<(String, &'static str)> {
        actions.iter().filter_map(|(a, label)| self.key(*a).map(|k| (k, *label))).collect()
    }
}

/// The first key bound to an action in a mode.
pub fn first_key(keymap: &Keymap, mode: Mode, action: KeyAction) -> Option<String> {
    keymap.keys_for(mode, action).into_iter().next()
}

/// Draws a pane's frame and returns the inside. The focused pane gets the focus border
/// and a `▶` before its name; hints that do not fit the title are dropped, last first.
pub fn frame(
    buf: &mut Buffer,
    area: Rect,
    name: &str,
    extra: Vec<Span<'static>>,
    hints: &[(String, &str)],
    focused: bool,
    theme: &Theme,
) -> Rect {
    let room = usize::from(area.width.saturating_sub(4));
    let mut spans = vec![Span::styled(
        if focused { format!(" ▶ {name}") } else { format!(" {name}") },
        if focused { theme.title.patch(theme.border_focus) } else { theme.title },
    )];
    let mut used = text::width(&spans[0].content) + 1;
    let extra_w: usize = extra.iter().map(|s| text::width(&s.content)).sum::<usize>() + 2;
    if !extra.is_empty() && used + extra_w <= room {
        used += extra_w;
        spans.push(Span::raw("  "));
        spans.extend(extra);
    }
    for (key, label) in hints {
        let w = text::width(key) + text::width(label) + 3;
        if used + w > room {
            break;
        }
        used += w;
        spans.push(Span::styled(format!("  {key}"), theme.accent));
        spans.push(Span::styled(format!(" {label}"), theme.dim));
    }
    spans.push(Span::raw(" "));
    let block = Block::bordered()
        .border_style(if focused { theme.border_focus } else { theme.border })
        .title(Line::from(spans));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// The first row to show so that the selection stays visible, moving as little as possible.
pub fn scroll_offset(selected: Option<usize>, offset: usize, len: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    let mut off = offset.min(len.saturating_sub(height));
    if let Some(s) = selected.filter(|&s| s < len) {
        if s < off {
            off = s;
        } else if s >= off + height {
            off = s + 1 - height;
        }
    }
    off
}

/// Fills a row with a style (the selection bar).
pub fn fill_row(buf: &mut Buffer, area: Rect, y: u16, style: Style) {
    buf.set_style(Rect::new(area.x, y, area.width, 1), style);
}

/// Writes spans left to right on one row, cutting at `right`; returns the next x.
pub fn put_spans(buf: &mut Buffer, mut x: u16, y: u16, right: u16, spans: &[(&str, Style)]) -> u16 {
    for (s, style) in spans {
        x = text::put(buf, x, y, right, s, *style);
    }
    x
}

/// A single row of text centered in `area` (used for empty states).
pub fn centered_line(buf: &mut Buffer, area: Rect, y: u16, s: &str, style: Style) {
    let w = text::width(s) as u16;
    let x = area.x + area.width.saturating_sub(w) / 2;
    text::put_trunc(buf, x, y, area.right(), s, style);
}
