//! The stock-adjust popup: the operator counts the shelf and changes a product's units on hand
//! by `+n`, `-n` or `=n`, with a reason that goes in the stock ledger. It shows what the change
//! will make of on hand and available before it is applied, and the product's latest changes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::Ctx;
use crate::desk::Action;
use crate::desk::catalog::Adjust;
use crate::ui::popup_key::PopupKey;
use crate::ui::text;

/// The popup's keys: fixed, because the popup takes typing. The help popup lists them too.
pub const KEYS: [(&str, &str); 5] = [
    ("+n -n =n", "type the change: add, remove or set units on hand"),
    ("tab", "switch between the change and the reason"),
    ("enter", "go to the reason, then apply"),
    ("backspace", "delete a character (ctrl-u: the whole field)"),
    ("esc", "cancel"),
];

/// Which field of the stock-adjust popup takes typing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AdjustField {
    #[default]
    Change,
    Reason,
}

/// The stock-adjust popup: the change as typed (`+3`, `-2`, `=10`) and the reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdjustForm {
    pub sku: String,
    pub change: String,
    pub reason: String,
    pub field: AdjustField,
    /// What is wrong with the form after the last enter.
    pub error: Option<String>,
}

/// Longest change and reason the popup takes, in characters.
const CHANGE_MAX: usize = 8;
const REASON_MAX: usize = 80;

impl AdjustForm {
    /// The form for a product, empty.
    pub fn new(sku: &str) -> AdjustForm {
        AdjustForm { sku: sku.to_owned(), ..AdjustForm::default() }
    }

    /// The change, if what is typed reads as one.
    pub fn parsed(&self) -> Result<Adjust, String> {
        Adjust::parse(&self.change)
    }

    /// Typing in the form: enter goes from the change to the reason, then applies.
    pub fn on_key(&mut self, key: &KeyEvent) -> PopupKey {
        let field = match self.field {
            AdjustField::Change => &mut self.change,
            AdjustField::Reason => &mut self.reason,
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return PopupKey::Close,
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                self.field = match self.field {
                    AdjustField::Change => AdjustField::Reason,
                    AdjustField::Reason => AdjustField::Change,
                };
            }
            KeyCode::Backspace => {
                field.pop();
                self.error = None;
            }
            KeyCode::Char('u') if ctrl => {
                field.clear();
                self.error = None;
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                let max = if self.field == AdjustField::Change { CHANGE_MAX } else { REASON_MAX };
                if field.chars().count() < max {
                    field.push(c);
                }
                self.error = None;
            }
            KeyCode::Enter => {
                let change = match self.parsed() {
                    Ok(change) => change,
                    Err(e) => {
                        self.error = Some(e);
                        self.field = AdjustField::Change;
                        return PopupKey::Stay;
                    }
                };
                if self.field == AdjustField::Change {
                    self.field = AdjustField::Reason;
                    self.error = None;
                    return PopupKey::Stay;
                }
                let reason = self.reason.trim().to_owned();
                if reason.is_empty() {
                    self.error = Some("say why, in a few words: it goes in the stock history".into());
                    return PopupKey::Stay;
                }
                return PopupKey::Send(Action::AdjustStock { sku: self.sku.clone(), change, reason });
            }
            _ => {}
        }
        PopupKey::Stay
    }
}

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

/// Draws the popup over whatever is below it.
pub fn draw(buf: &mut Buffer, screen: Rect, ctx: &Ctx<'_>, form: &AdjustForm) {
    let theme = ctx.theme;
    let product = ctx.desk.catalog().product(&form.sku);
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
    for e in ctx.desk.catalog().ledger(&form.sku).rev() {
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
