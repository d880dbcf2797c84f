//! The held-reply line: while the pre-send check holds a reply, the Chat pane's bottom rows
//! show it, why it was held, and the keys that send it anyway or drop it (the keymap's
//! `[held]` table, which comes before the desk's keys while a reply is held).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::Ctx;
use crate::config::keymap::{KeyAction, Mode};
use crate::ui::text;

/// Draws the held reply on the bottom of `rows` and takes those rows from it: two rows (the
/// reply, then its keys and reasons) where the pane has room, else one with the keys first.
pub fn draw(buf: &mut Buffer, rows: &mut Rect, ctx: &Ctx<'_>) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let Some(held) = desk.held() else { return };
    if rows.height < 4 {
        return;
    }
    let two = rows.height >= 8;
    let used = if two { 2 } else { 1 };
    rows.height -= used;
    let (x0, right) = (rows.x, rows.right());
    let mut y = rows.bottom();
    let strong = theme.warn.add_modifier(Modifier::BOLD);
    let mut x = text::put(buf, x0, y, right, " HELD ", strong.add_modifier(Modifier::REVERSED));
    if two {
        x = text::put(buf, x, y, right, " ", theme.base);
        x = text::put(buf, x, y, right, &held.label, theme.base.add_modifier(Modifier::BOLD));
        x = text::put(buf, x, y, right, ": ", theme.base);
        text::put_trunc(buf, x, y, right, &held.text, theme.base);
        y += 1;
        x = x0;
    }
    x = keys(buf, x, y, right, ctx);
    let reasons = held.reasons.join(" · ");
    x = text::put(buf, x, y, right, "  ", theme.base);
    let x = text::put_trunc(buf, x, y, right, &reasons, strong);
    if !two {
        let x = text::put(buf, x, y, right, " · ", theme.dim);
        text::put_trunc(buf, x, y, right, &held.text, theme.base);
    }
}

/// The keys that send or drop the held reply, as the keymap binds them.
fn keys(buf: &mut Buffer, mut x: u16, y: u16, right: u16, ctx: &Ctx<'_>) -> u16 {
    let theme = ctx.theme;
    for (action, what) in [(KeyAction::SendHeld, "send anyway"), (KeyAction::DropHeld, "drop")] {
        let k = ctx.keymap.keys_for(Mode::Held, action);
        if k.is_empty() {
            continue;
        }
        x = text::put(buf, x, y, right, " ", theme.base);
        let key_style = theme.accent.add_modifier(Modifier::BOLD | Modifier::REVERSED);
        x = text::put(buf, x, y, right, &k.join("/"), key_style);
        x = text::put(buf, x, y, right, &format!(" {what}"), theme.dim);
    }
    x
}
