//! The Chat pane's bars: the comment pinned on the stream on its top row, and the search line
//! (with what is wrong with the query) on its bottom rows. Each takes its rows from the area
//! left for messages.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::Ctx;
use crate::ui::text;
use crate::ui::view::SearchLine;

/// The pinned comment on the top row, while it is pinned and not deleted (the pane keeps at
/// least three rows for messages).
pub fn pinned(buf: &mut Buffer, rows: &mut Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let Some(pin) = desk.moderation.pinned() else { return };
    if desk.chat.by_msg_id(&pin.msg_id).is_some_and(|m| m.deleted) || rows.height < 4 {
        return;
    }
    let (x, y, right) = (rows.x, rows.y, rows.right());
    let x = text::put(buf, x, y, right, "▲ pinned ", theme.accent.add_modifier(Modifier::BOLD));
    let x = text::put(buf, x, y, right, &pin.user_name, theme.base.add_modifier(Modifier::BOLD));
    let x = text::put(buf, x, y, right, ": ", theme.base);
    text::put_trunc(buf, x, y, right, &pin.text, theme.base);
    rows.y += 1;
    rows.height -= 1;
}

/// The search line on the bottom row while it is open, and the reason its query was refused
/// on the row above (the pane keeps at least one row for messages).
pub fn search_line(buf: &mut Buffer, rows: &mut Rect, ctx: &Ctx<'_>, line: Option<&SearchLine>) {
    let Some(line) = line else { return };
    let theme = ctx.theme;
    if rows.height < 2 {
        return;
    }
    rows.height -= 1;
    let (x, y, right) = (rows.x, rows.bottom(), rows.right());
    buf.set_style(Rect::new(x, y, rows.width, 1), theme.selected);
    let cx = text::put(buf, x, y, right, "/ ", theme.accent.add_modifier(Modifier::BOLD));
    // The end of a long query stays in view, with the cursor after it.
    let room = usize::from(right.saturating_sub(cx)).saturating_sub(1);
    let shown: String = if text::width(&line.text) > room {
        let mut tail: Vec<char> = Vec::new();
        let mut w = 0;
        for c in line.text.chars().rev() {
            w += text::width(c.encode_utf8(&mut [0; 4]));
            if w > room.saturating_sub(1) {
                break;
            }
            tail.push(c);
        }
        std::iter::once('…').chain(tail.into_iter().rev()).collect()
    } else {
        line.text.clone()
    };
    let end = text::put(buf, cx, y, right, &shown, theme.selected);
    if end < right {
        buf.set_style(Rect::new(end, y, 1, 1), Style::default().add_modifier(Modifier::REVERSED));
    }
    if let Some(error) = &line.error
        && rows.height >= 2
    {
        rows.height -= 1;
        let y = rows.bottom();
        let x = text::put(buf, rows.x, y, right, "✖ ", theme.danger);
        text::put_trunc(buf, x, y, right, error, theme.danger);
    }
}
