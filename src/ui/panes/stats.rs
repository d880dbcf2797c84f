//! The Stats pane: how the stream is going, a column a minute for as many minutes as fit —
//! sparklines of viewers, chat a minute and orders a minute, and the flash sales' live
//! windows under them — so the operator sees at a glance whether a sale moved the room.

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Sparkline, Widget};

use super::{Ctx, frame};
use crate::config::keymap::KeyAction;
use crate::desk::Desk;
use crate::desk::stats::Minute;
use crate::ui::text;

/// Columns of the label before each sparkline ("orders/min 12 ").
const LABEL_W: u16 = 16;
/// The pane's title.
pub const TITLE: &str = "Stats";

/// The last `n` minutes up to `now`'s, oldest first: kept minutes as they are, the ones
/// before the history empty, and quiet minutes since the last event with the last viewer count.
pub fn last_minutes(desk: &Desk, now: DateTime<Utc>, n: usize) -> Vec<Minute> {
    let kept = desk.stats().minutes();
    let end = now.timestamp().div_euclid(60).max(kept.back().map_or(i64::MIN, |m| m.minute));
    let first = kept.front().map(|m| m.minute);
    let last = kept.back().copied();
    (0..n as i64)
        .rev()
        .map(|back| {
            let minute = end - back;
            match (first, last) {
                (Some(first), Some(last)) if minute >= first && minute <= last.minute => {
                    kept[usize::try_from(minute - first).unwrap_or(0)]
                }
                (_, Some(last)) if minute > last.minute => {
                    Minute { minute, viewers: desk.stats().viewers, chat: 0, orders: 0 }
                }
                _ => Minute { minute, ..Minute::default() },
            }
        })
        .collect()
}

/// Draws the pane.
pub fn draw(buf: &mut Buffer, area: Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let cols = area.width.saturating_sub(2 + LABEL_W);
    let minutes = last_minutes(desk, desk.now(), usize::from(cols));
    let shown = minutes
        .iter()
        .filter(|m| m.minute >= desk.stats().minutes().front().map_or(i64::MAX, |f| f.minute))
        .count();
    let extra = vec![Span::styled(format!("a column a minute, last {shown} min"), theme.dim)];
    let hints = ctx.hints(&[(KeyAction::ToggleStats, "close")]);
    let inner = frame(buf, area, TITLE, extra, &hints, false, theme);
    if inner.height == 0 || inner.width <= LABEL_W {
        return;
    }
    let second = desk.now().timestamp();
    let now_orders = minutes.last().map_or(0, |m| m.orders);
    let rows: [(&str, u64, Vec<u64>, Style); 3] = [
        ("viewers", desk.stats().viewers, minutes.iter().map(|m| m.viewers).collect(), theme.accent),
        (
            "chat/min",
            u64::from(desk.stats().per_minute(second)),
            minutes.iter().map(|m| u64::from(m.chat)).collect(),
            theme.question,
        ),
        (
            "orders/min",
            u64::from(now_orders),
            minutes.iter().map(|m| u64::from(m.orders)).collect(),
            theme.ok,
        ),
    ];
    let graph_x = inner.x + LABEL_W;
    for (i, (label, now, data, style)) in rows.iter().enumerate() {
        let y = inner.y + i as u16;
        if y >= inner.bottom() {
            return;
        }
        label_row(buf, inner, y, label, *now, theme.dim, theme.base);
        let max = data.iter().copied().max().unwrap_or(0).max(1);
        Sparkline::default().data(data).max(max).style(*style).render(Rect::new(graph_x, y, cols, 1), buf);
    }
    let y = inner.y + 3;
    if y < inner.bottom() {
        text::put(buf, inner.x, y, graph_x, "flash sales", theme.dim);
        sale_windows(buf, Rect::new(graph_x, y, cols, 1), desk, &minutes, theme.sale);
    }
}

/// A label and its figure now, the figure right-aligned before the sparkline.
fn label_row(buf: &mut Buffer, inner: Rect, y: u16, label: &str, now: u64, dim: Style, base: Style) {
    let graph_x = inner.x + LABEL_W;
    text::put(buf, inner.x, y, graph_x, label, dim);
    let figure = text::compact(now);
    let x = graph_x.saturating_sub(1 + text::width(&figure) as u16);
    text::put(buf, x, y, graph_x - 1, &figure, base.add_modifier(Modifier::BOLD));
}

/// Marks the minutes each flash sale was live (from going live to its end, or now while it
/// runs), each named inside its mark where it fits, else beside it.
fn sale_windows(buf: &mut Buffer, row: Rect, desk: &Desk, minutes: &[Minute], style: Style) {
    let Some(first) = minutes.first().map(|m| m.minute) else { return };
    let col = |at: DateTime<Utc>| at.timestamp().div_euclid(60) - first;
    let width = i64::from(row.width);
    let mut windows: Vec<(i64, i64, &str)> = Vec::new();
    for sale in desk.sales().all() {
        for (i, run) in sale.runs.iter().enumerate() {
            let Some(live) = run.live_at else { continue };
            let end = match run.ended {
                Some((at, _)) => at,
                None if i + 1 == sale.runs.len() && sale.is_running() => desk.now(),
                None => continue,
            };
            let (from, to) = (col(live), col(end));
            if to < 0 || from >= width {
                continue;
            }
            windows.push((from.max(0), to.min(width - 1), sale.spec.id.as_str()));
        }
    }
    windows.sort_by_key(|w| w.0);
    for (from, to, _) in &windows {
        for c in *from..=*to {
            text::put(buf, row.x + c as u16, row.y, row.right(), "━", style);
        }
    }
    // A name goes inside its window when it fits there, else just after it (up to the next
    // window), else just before it (after the previous one): the newest sale is often at the
    // right edge.
    let bold = style.add_modifier(Modifier::BOLD);
    for (i, &(from, to, id)) in windows.iter().enumerate() {
        let next = windows.get(i + 1).map_or(width, |w| w.0).min(width);
        let prev = if i == 0 { 0 } else { windows[i - 1].1 + 1 };
        let label = format!(" {id} ");
        let w = text::width(&label) as i64;
        let (x, right) = if to - from + 1 >= w + 2 {
            (from + 1, to)
        } else if next - (to + 1) >= w || from - prev < w {
            (to + 1, next)
        } else {
            (from - w, from)
        };
        text::put_trunc(buf, row.x + x as u16, row.y, row.x + right.max(x) as u16, &label, bold);
    }
}
