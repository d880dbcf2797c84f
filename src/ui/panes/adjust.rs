//! The stock-adjust popup: the operator counts the shelf and changes a product's units on hand
//! by `+n`, `-n` or `=n`, with a reason that goes in the stock ledger. It shows what the change
//! will make of on hand and available before it is applied, and the product's latest changes.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::Ctx;
use crate::ui::text;
use crate::ui::view::{AdjustField, AdjustForm, ViewState};

/// The popup's keys: fixed, because the popup takes typing. The help popup lists them too.
pub const KEYS: [(&str, &str); 5] = [
    ("+n -n =n", "type the change: add, remove or set units on hand"),
    ("tab", "switch between the change and the reason"),
    ("enter", "go to the reason, then apply"),
    ("backspace", "delete a character (ctrl-u: the whole field)"),
    ("esc", "cancel"),
];

/// The popup's size when the screen allows.
const WIDTH: u16 = 60;
const HEIGHT: u16 = 12;
/// Columns before a field's box.
const LABEL_W: u16 = 9;

/// One input field: its label, then the text in a box, with a cursor when it takes typing.
fn field(buf: &mut Buffer, inner: Rect, y: u16, label: &str, value: &str, active: bool, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let right = inner.right();
    let label_style = if active { theme.accent.add_modifier(Modifier::BOLD) } else { theme.dim };
    text::put(buf, inner.x + 1, y, right, label, label_style);
    let bx = inner.x + 1 + LABEL_W;
    let bw = right.saturating_sub(bx + 1);
    if bw == 0 {
        return;
    }
    let box_style = if active { theme.selected } else { theme.base.add_modifier(Modifier::UNDERLINED) };
    buf.set_style(Rect::new(bx, y, bw, 1), box_style);
    // The end of a long value stays in view.
    let room = usize::from(bw).saturating_sub(1);
    let shown: String = if text::width(value) > room {
        let skip = value.chars().count().saturating_sub(room);
        value.chars().skip(skip).collect()
    } else {
        value.to_owned()
    };
    let cx = text::put(buf, bx, y, bx + bw, &shown, box_style);
    if active && cx < bx + bw {
        buf.set_style(Rect::new(cx, y, 1, 1), Style::default().add_modifier(Modifier::REVERSED));
    }
}

/// What the change will make of the product, or what is wrong with it.
fn preview(form: &AdjustForm, on_hand: u32, reserved: u32) -> Result<String, String> {
    if let Some(e) = &form.error {
        return Err(e.clone());
    }
    if form.change.trim().is_empty() {
        return Ok("+n adds, -n removes, =n sets the units on hand".into());
    }
    let change = form.parsed()?;
    let after = change.apply_to(on_hand);
    let mut s = format!("→ on hand {after}, available {}", after.saturating_sub(reserved));
    if after < reserved {
        s.push_str(&format!(" ({} held go back in line)", reserved - after));
    }
    Ok(s)
}

/// Draws the popup over whatever is below it, if it is open.
pub fn draw(buf: &mut Buffer, screen: Rect, ctx: &Ctx<'_>, view: &ViewState) {
    let Some(form) = &view.adjust else { return };
    let theme = ctx.theme;
    let product = ctx.desk.catalog.product(&form.sku);
    let keys = [("enter", "apply"), ("tab", "reason"), ("esc", "cancel")];
    let title = format!(" Adjust stock · {} ", form.sku);
    let inner = super::popup(buf, screen, (WIDTH, HEIGHT), title, &keys, theme);
    if inner.height < 5 {
        return;
    }
    let (x, right) = (inner.x + 1, inner.right());
    let (on_hand, reserved, available) = product.map_or((0, 0, 0), |p| (p.on_hand, p.reserved, p.available));
    let mut y = inner.y;
    if let Some(p) = product {
        text::put_trunc(buf, x, y, right, &p.name, theme.dim);
        y += 1;
    }
    let counts = format!("on hand {on_hand}   held {reserved}   available {available}");
    text::put_trunc(buf, x, y, right, &counts, theme.base.add_modifier(Modifier::BOLD));
    y += 2;
    field(buf, inner, y, "Change", &form.change, form.field == AdjustField::Change, ctx);
    field(buf, inner, y + 1, "Reason", &form.reason, form.field == AdjustField::Reason, ctx);
    y += 3;
    match preview(form, on_hand, reserved) {
        Ok(s) => text::put_trunc(buf, x, y, right, &s, theme.accent),
        Err(e) => {
            text::put_trunc(buf, x, y, right, &format!("! {e}"), theme.warn.add_modifier(Modifier::BOLD))
        }
    };
    y += 1;
    // The latest changes, newest first, as far as the popup has room.
    let mut tbuf = [0; 8];
    for e in ctx.desk.catalog.ledger(&form.sku).rev() {
        if y >= inner.bottom() {
            break;
        }
        let delta = if e.delta_reserved != 0 && e.delta_on_hand == 0 {
            format!("held {:+}", e.delta_reserved)
        } else {
            format!("{:+}", e.delta_on_hand)
        };
        let line = format!("{} {delta:>5}  {}", text::hms(e.at.timestamp(), &mut tbuf), e.reason.label());
        text::put_trunc(buf, x, y, right, &line, theme.dim);
        y += 1;
    }
}
