//! The terminal interface: panes drawn from `&Desk` plus view state.

pub mod bigtext;
mod chat_filter;
mod chat_keys;
mod hits;
pub mod host;
pub mod layout;
mod mouse;
mod moves;
pub mod narrow;
pub mod pane;
pub mod panes;
pub mod picker;
pub mod popup;
pub mod popup_key;
pub mod search;
mod text;
pub use text::set_utc_offset;
pub mod theme;
pub mod view;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::config::keymap::Keymap;
use crate::desk::Desk;
use layout::Counts;
use panes::Ctx;
use theme::Theme;
pub use view::{Effect, Pane, ViewState};

/// Draws one frame: the panes, the status bar and the open popup, if any, or a
/// "terminal too small" message below 80x24.
pub fn draw(frame: &mut Frame, desk: &Desk, view: &mut ViewState, theme: &Theme, keymap: &Keymap) {
    let area = frame.area();
    draw_buffer(frame.buffer_mut(), area, desk, view, theme, keymap);
}

/// [`draw`] on a bare buffer, for benches and tests that skip the terminal.
pub fn draw_buffer(
    buf: &mut Buffer,
    area: Rect,
    desk: &Desk,
    view: &mut ViewState,
    theme: &Theme,
    keymap: &Keymap,
) {
    buf.set_style(area, theme.base);
    view.hits.reset();
    if !layout::fits(area) {
        too_small(buf, area, theme);
        return;
    }
    if view.host {
        let ctx = Ctx { desk, theme, keymap };
        host::draw(buf, area, &ctx, view.team.as_deref());
        if let Some(popup) = &mut view.popup {
            popup.draw(buf, area, &ctx, &mut view.hits);
        }
        return;
    }
    let counts = Counts {
        sales: desk.sales().all().len(),
        products: desk.catalog().products().len(),
        prompt: if desk.sell_out_prompt(desk.now()).is_some() { panes::stock::PROMPT_ROWS } else { 0 },
        replies: desk.replies().all().len(),
        claims: desk.claims().enabled(),
        stats: view.stats_open,
        show: !desk.show().is_empty(),
    };
    let a = layout::split(area, counts);
    view.hits.panes = [
        (Pane::Chat, a.chat),
        (Pane::Sale, a.sale),
        (Pane::Stock, a.stock),
        (Pane::Replies, a.replies),
        (Pane::Claims, a.claims),
    ];
    let ctx = Ctx { desk, theme, keymap };
    let focus = view.focus;
    panes::chat::draw(buf, a.chat, &ctx, view, focus == Pane::Chat);
    if !a.stats.is_empty() {
        panes::stats::draw(buf, a.stats, &ctx);
    }
    if !a.claims.is_empty() {
        panes::claims::draw(buf, a.claims, &ctx, view, focus == Pane::Claims);
    }
    panes::sale::draw(buf, a.sale, &ctx, view, focus == Pane::Sale);
    panes::stock::draw(buf, a.stock, &ctx, view, focus == Pane::Stock);
    panes::replies::draw(buf, a.replies, &ctx, view, focus == Pane::Replies);
    panes::show::draw(buf, a.show, &ctx);
    panes::status::draw(buf, a.status, &ctx, view.team.as_deref());
    if let Some(popup) = &mut view.popup {
        popup.draw(buf, area, &ctx, &mut view.hits);
    }
}

/// The only thing drawn when the terminal is below the minimum size.
fn too_small(buf: &mut Buffer, area: Rect, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let msg = format!(
        "Terminal too small: need {}×{}, have {}×{}",
        layout::MIN_WIDTH,
        layout::MIN_HEIGHT,
        area.width,
        area.height
    );
    // Wrap on spaces when even the message is wider than the terminal.
    let mut lines: Vec<String> = vec![String::new()];
    for word in msg.split(' ') {
        let last = lines.last_mut().expect("one line");
        if !last.is_empty() && text::width(last) + 1 + text::width(word) > usize::from(area.width) {
            lines.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    let h = (lines.len() as u16).min(area.height);
    let top = area.y + (area.height - h) / 2;
    for (i, line) in lines.iter().take(usize::from(h)).enumerate() {
        panes::centered_line(buf, area, top + i as u16, line, theme.warn);
    }
}

#[cfg(test)]
mod tests;
