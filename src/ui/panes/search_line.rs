//! The chat search line the operator types after `/`: its state, its keys (fixed, because it
//! takes typing) and its drawing on the Chat pane's bottom rows. The query's terms are
//! [`crate::ui::search`].

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::Ctx;
use crate::ui::chat_filter::ChatFilter;
use crate::ui::narrow::Narrow;
use crate::ui::popup_key::PopupKey;
use crate::ui::search::Search;
use crate::ui::text;

/// Longest query the search line takes, in characters.
pub const SEARCH_MAX: usize = 200;

/// The search line's keys: fixed, because it takes typing. The help popup lists them.
pub const KEYS: [(&str, &str); 4] = [
    ("enter", "search (an empty line shows every comment again)"),
    ("backspace", "delete a character (ctrl-u: the whole line)"),
    ("esc", "close the line, keeping the view"),
    ("any text", "words, \"a phrase\", from:NAME, is:TAG, is:unanswered, re:REGEX"),
];

/// What a query may hold, for the help popup: each term and what it finds. All must match.
pub const TERMS: [(&str, &str); 6] = [
    ("word", "the word anywhere in the text, case ignored"),
    ("\"a phrase\"", "the words together (\\\" for a quote inside)"),
    ("from:NAME", "said by that display name or user id (from:\"two words\")"),
    ("is:TAG", "tagged question, buyer, shipping, complaint, spam or mention"),
    ("is:unanswered", "a question still waiting for an answer"),
    ("re:REGEX", "a regular expression over the text, case ignored"),
];

/// The search line while it is open: what is typed, and why the last enter was refused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchLine {
    pub text: String,
    pub error: Option<String>,
}

impl SearchLine {
    /// Typing in the line: enter shows what the query finds (an empty one every comment),
    /// a query that cannot be searched keeps the line open with the reason.
    pub fn on_key(&mut self, key: &KeyEvent) -> PopupKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return PopupKey::Close,
            KeyCode::Backspace => {
                self.text.pop();
                self.error = None;
            }
            KeyCode::Char('u') if ctrl => {
                self.text.clear();
                self.error = None;
            }
            // Controls and bidi overrides never enter the query: it is drawn in the title.
            KeyCode::Char(c)
                if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) && !text::forbidden(c) =>
            {
                if self.text.chars().count() < SEARCH_MAX {
                    self.text.push(c);
                }
                self.error = None;
            }
            KeyCode::Enter => match Search::new(&self.text) {
                Ok(Some(search)) => {
                    return PopupKey::Show(ChatFilter::Narrow(Arc::new(Narrow::search(search))));
                }
                Ok(None) => return PopupKey::Show(ChatFilter::All),
                Err(e) => self.error = Some(e.0),
            },
            _ => {}
        }
        PopupKey::Stay
    }
}

/// The search line on the bottom row while it is open, and the reason its query was refused
/// on the row above (the pane keeps at least one row for messages).
pub fn draw(buf: &mut Buffer, rows: &mut Rect, ctx: &Ctx<'_>, line: Option<&SearchLine>) {
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
