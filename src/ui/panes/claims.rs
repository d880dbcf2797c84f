//! The claims pane: who claimed what in the comments, how long each hold has left, who waits
//! in line for stock, and what became of the latest claims. `y` and `n` act on the selected
//! claim from any pane, so the selection is always drawn.

use chrono::Duration;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use super::{Ctx, fill_row, frame, scroll_offset};
use crate::config::keymap::KeyAction;
use crate::config::model::ClaimPolicy;
use crate::desk::claims::{Claim, ClaimState};
use crate::desk::clock;
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::{Pane, ViewState, claim_rows};

/// A hold this close to running out is drawn as urgent.
const URGENT_SECS: i64 = 60;
/// Columns of the time-left or place-in-line column.
const TIMER_W: usize = 5;

/// The mark, the time-left (or place) column and their styles for one claim.
fn status(c: &Claim, ctx: &Ctx<'_>, theme: &Theme) -> (&'static str, Style, String, Style) {
    let desk = ctx.desk;
    match &c.state {
        ClaimState::Active { expires_at } => {
            let left = *expires_at - desk.now();
            let style = if left < Duration::seconds(URGENT_SECS) {
                theme.danger.add_modifier(Modifier::BOLD)
            } else {
                theme.base
            };
            ("●", theme.ok, clock(left), style)
        }
        ClaimState::Unpaid { expires_at } => ("○", theme.warn, clock(*expires_at - desk.now()), theme.warn),
        ClaimState::Waiting => {
            let place = desk.claims().position(c.id).map_or_else(String::new, |p| format!("#{p}"));
            ("◌", theme.warn, place, theme.warn)
        }
        ClaimState::Confirmed { .. } => ("✓", theme.ok, String::new(), theme.dim),
        ClaimState::Rejected { .. } | ClaimState::Passed { .. } => ("✗", theme.dim, String::new(), theme.dim),
        ClaimState::Expired { .. } | ClaimState::SoldOut { .. } => ("·", theme.dim, String::new(), theme.dim),
    }
}

/// Draws the pane and records its rows for the mouse.
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>, view: &mut ViewState, focused: bool) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let counts = desk.claims().counts();
    let mut extra = Vec::new();
    if counts.active + counts.waiting > 0 {
        // First-paid claims hold nothing: they are open, unpaid.
        let open = match desk.claims().policy() {
            ClaimPolicy::FirstClaimed => "held",
            ClaimPolicy::FirstPaid => "unpaid",
        };
        extra.push(Span::styled(format!("{} {open}", counts.active), theme.ok.add_modifier(Modifier::BOLD)));
        if counts.waiting > 0 {
            extra.push(Span::styled(format!(" · {} waiting", counts.waiting), theme.warn));
        }
    }
    let hints = ctx.hints(&[(KeyAction::ConfirmClaim, "confirm"), (KeyAction::RejectClaim, "reject")]);
    let inner = frame(buf, area, Pane::Claims.title(), extra, &hints, focused, theme);
    view.hits.claims_rows = inner;
    view.hits.claim_ids.clear();
    if inner.is_empty() {
        return;
    }
    let (x, right) = (inner.x, inner.right());
    let rows = claim_rows(desk);
    if rows.is_empty() {
        let hint = " No claims yet: “sold 2 almond pink” or “mine!” in the chat lands here";
        text::put_trunc(buf, x, inner.y, right, hint, theme.dim);
        return;
    }
    let selected = view.claim_selected_in(&rows).and_then(|id| rows.iter().position(|c| c.id == id));
    let height = usize::from(inner.height);
    view.claims.offset = scroll_offset(selected, view.claims.offset, rows.len(), height);
    let w = usize::from(inner.width);
    let shown: Vec<&Claim> = rows.iter().skip(view.claims.offset).take(height).copied().collect();
    let qty_w = shown.iter().map(|c| c.qty.to_string().len()).max().unwrap_or(1);
    let sku_w = shown.iter().map(|c| text::width(&c.sku)).max().unwrap_or(3).min(w / 3).max(4);
    for (row, c) in shown.iter().enumerate() {
        let y = inner.y + row as u16;
        if selected == Some(view.claims.offset + row) {
            fill_row(buf, inner, y, theme.selected);
        }
        view.hits.claim_ids.push(c.id);
        let (mark, mark_style, timer, timer_style) = status(c, ctx, theme);
        let open = c.state.is_open();
        let mut cx = text::put(buf, x + 1, y, right, mark, mark_style.add_modifier(Modifier::BOLD));
        cx = text::put(buf, cx, y, right, &format!(" {timer:<TIMER_W$} "), timer_style);
        let qty = format!("{:>qty_w$}× ", c.qty);
        cx = text::put(
            buf,
            cx,
            y,
            right,
            &qty,
            if open { theme.base.add_modifier(Modifier::BOLD) } else { theme.dim },
        );
        let sku = format!("{:<sku_w$}  ", text::truncate(&c.sku, sku_w));
        cx = text::put(buf, cx, y, right, &sku, if open { theme.accent } else { theme.dim });
        let label = if open { "" } else { c.state.label() };
        let label_w = if label.is_empty() { 0 } else { text::width(label) + 2 };
        let name_room = usize::from(right.saturating_sub(cx)).saturating_sub(label_w);
        let name = text::truncate(&format!("@{}", c.user_name), name_room);
        cx = text::put(buf, cx, y, right, &name, if open { theme.base } else { theme.dim });
        if !label.is_empty() {
            let style = if matches!(c.state, ClaimState::Confirmed { .. }) { theme.ok } else { theme.dim };
            text::put(buf, cx + 2, y, right, label, style);
        }
    }
}
