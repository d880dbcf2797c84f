//! The reply picker popup: a search line, the canned replies that match (best first, the
//! most used first when nothing is typed), and the highlighted one as it would be sent.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::Ctx;
use crate::desk::{Action, Desk};
use crate::ui::picker::ranked;
use crate::ui::popup_key::PopupKey;
use crate::ui::text;

/// The popup's keys: fixed, because it takes typing. The help popup lists them too.
pub const KEYS: [(&str, &str); 5] = [
    ("letters", "find a reply by its title, text, category or tags"),
    ("↑ ↓", "choose (ctrl-p, ctrl-n)"),
    ("enter", "send it to the selected comment"),
    ("backspace", "delete a character (ctrl-u: all)"),
    ("esc", "close without sending"),
];

/// The open picker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Picker {
    /// What the operator typed.
    pub query: String,
    /// The highlighted row of the ranked list.
    pub selected: usize,
    /// The comment the reply answers (its msg_id), chosen when the picker opened.
    pub to: Option<String>,
}

impl Picker {
    /// The picker for a reply to this comment (to everyone without one), nothing typed.
    pub fn new(to: Option<String>) -> Picker {
        Picker { to, ..Picker::default() }
    }

    /// Typing in the picker: letters search, arrows choose, enter sends, esc closes.
    pub fn on_key(&mut self, key: &KeyEvent, desk: &Desk) -> PopupKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let rows = ranked(desk.replies(), &self.query).len();
        match key.code {
            KeyCode::Esc => return PopupKey::Close,
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char('p') if ctrl => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(rows.saturating_sub(1)),
            KeyCode::Char('n') if ctrl => self.selected = (self.selected + 1).min(rows.saturating_sub(1)),
            KeyCode::Backspace => {
                self.query.pop();
                self.selected = 0;
            }
            KeyCode::Char('u') if ctrl => {
                self.query.clear();
                self.selected = 0;
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.query.push(c);
                self.selected = 0;
            }
            KeyCode::Enter => {
                let chosen =
                    ranked(desk.replies(), &self.query).get(self.selected).map(|r| r.id().to_owned());
                if let Some(reply) = chosen {
                    return PopupKey::Send(Action::Answer { reply, to: self.to.clone() });
                }
            }
            _ => {}
        }
        PopupKey::Stay
    }
}

const WIDTH: u16 = 76;
const HEIGHT: u16 = 18;

/// Draws the popup over whatever is below it.
pub fn draw(buf: &mut Buffer, screen: Rect, ctx: &Ctx<'_>, picker: &Picker) {
    let (desk, theme) = (ctx.desk, ctx.theme);
    let to = picker.to.as_deref().and_then(|id| desk.chat().by_msg_id(id));
    let title = match to {
        Some(m) => format!(" Reply to @{} ", m.user_name),
        None => " Reply to everyone ".to_owned(),
    };
    let keys = [("↑↓", "choose"), ("enter", "send"), ("esc", "close")];
    let inner = super::popup(buf, screen, (WIDTH, HEIGHT), title, &keys, theme);
    if inner.height < 4 || inner.width < 20 {
        return;
    }
    let (x, right) = (inner.x + 1, inner.right().saturating_sub(1));
    let mut y = inner.y;
    if let Some(m) = to {
        text::put_trunc(buf, x, y, right, &format!("“{}”", m.text), theme.dim);
        y += 1;
    }
    // The search line, with a cursor.
    let cx = text::put(buf, x, y, right, "Find: ", theme.accent.add_modifier(Modifier::BOLD));
    let cx = text::put(buf, cx, y, right, &picker.query, theme.base);
    if cx < right {
        buf.set_style(Rect::new(cx, y, 1, 1), Style::default().add_modifier(Modifier::REVERSED));
    }
    y += 2;
    let rows = ranked(desk.replies(), &picker.query);
    if rows.is_empty() {
        text::put_trunc(buf, x, y, right, "No reply matches: backspace to widen the search", theme.warn);
        return;
    }
    // Two lines at the bottom show the chosen reply as it would be sent.
    let list_end = inner.bottom().saturating_sub(3);
    let selected = picker.selected.min(rows.len() - 1);
    let visible = usize::from(list_end.saturating_sub(y)).max(1);
    let skip = selected.saturating_sub(visible - 1);
    for (i, r) in rows.iter().enumerate().skip(skip).take(visible) {
        let style = if i == selected { theme.selected } else { theme.base };
        buf.set_style(Rect::new(inner.x, y, inner.width, 1), style);
        let mark = if i == selected { "▸" } else { " " };
        let mut cx = text::put(buf, inner.x, y, right, mark, style.patch(theme.accent));
        let key = r.key.as_deref().unwrap_or(" ");
        cx = text::put(buf, cx.max(x), y, right, key, style.patch(theme.accent).add_modifier(Modifier::BOLD));
        cx = text::put(buf, cx + 2, y, right, &r.title, style.add_modifier(Modifier::BOLD));
        if let Some(cat) = &r.category {
            cx = text::put(buf, cx + 2, y, right, cat, style.patch(theme.dim));
        }
        let uses = desk.replies().uses(r.id());
        if uses > 0 {
            let label = format!("×{uses}");
            let lx = right.saturating_sub(text::width(&label) as u16);
            if lx > cx + 1 {
                text::put(buf, lx, y, right, &label, style.patch(theme.dim));
            }
        }
        y += 1;
    }
    let chosen = rows[selected];
    let preview = match desk.reply_text(chosen, picker.to.as_deref(), desk.now()) {
        Ok(text) => text,
        Err(missing) => format!("needs {{{}}}: cannot be sent now", missing.join("} {")),
    };
    let py = inner.bottom().saturating_sub(2);
    text::put_trunc(buf, x, py, right, &preview, theme.accent);
}
