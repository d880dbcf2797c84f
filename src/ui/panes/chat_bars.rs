//! The Chat pane's bars: the comment pinned on the stream on its top row (the search line on
//! its bottom rows is [`super::search_line`]). Each takes its rows from the area left for
//! messages.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::Ctx;
use crate::ui::text;

/// The pinned comment on the top row, while it is pinned and not deleted (the pane keeps at
/// least three rows for messages).
pub fn pinned(buf: &mut Buffer, rows: &mut Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let Some(pin) = desk.moderation().pinned() else { return };
    if desk.chat().by_msg_id(&pin.msg_id).is_some_and(|m| m.deleted) || rows.height < 4 {
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
