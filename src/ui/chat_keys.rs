//! The Chat pane's keys beyond moving and replying: one viewer's messages, the search line,
//! and moderation of the selected comment. Domain changes leave as [`Effect::Desk`].

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::desk::chat::{Message, MsgKind};
use crate::desk::{Action, Desk};
use crate::ui::narrow::{Narrow, Narrowing};
use crate::ui::search::Search;
use crate::ui::text;
use crate::ui::view::{ChatFilter, Effect, Pane, ViewState};

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

impl ViewState {
    /// The chat message a key acts on: while following, the one the last frame showed
    /// selected (a message that arrived since was never seen), else the selection.
    pub fn chat_target<'a>(&self, desk: &'a Desk) -> Option<&'a Message> {
        let drawn = self
            .hits
            .chat_selected
            .filter(|_| self.chat.follow)
            .and_then(|i| desk.chat.get(i))
            .filter(|m| self.chat.filter.shows(m));
        drawn.or_else(|| self.selected_message(desk))
    }

    /// Narrows the chat to the selected message's viewer.
    pub(crate) fn view_viewer(&mut self, desk: &Desk) -> Effect {
        let Some(m) = self.chat_target(desk).filter(|m| !m.user_id.is_empty()) else { return Effect::None };
        let narrow = Narrow::viewer(m.user_id.clone(), m.user_name.clone());
        self.show_view(ChatFilter::Narrow(Arc::new(narrow)))
    }

    /// Opens the search line, holding the search shown, if any, to edit.
    pub(crate) fn open_search(&mut self) -> Effect {
        let text = match &self.chat.filter {
            ChatFilter::Narrow(n) => match &n.what {
                Narrowing::Search(s) => s.query.clone(),
                Narrowing::Viewer { .. } => String::new(),
            },
            _ => String::new(),
        };
        self.search = Some(SearchLine { text, error: None });
        self.focus = Pane::Chat;
        Effect::None
    }

    /// Typing in the search line.
    pub(crate) fn on_search_key(&mut self, key: &KeyEvent) -> Effect {
        let Some(line) = self.search.as_mut() else { return Effect::None };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => self.search = None,
            KeyCode::Backspace => {
                line.text.pop();
                line.error = None;
            }
            KeyCode::Char('u') if ctrl => {
                line.text.clear();
                line.error = None;
            }
            // Controls and bidi overrides never enter the query: it is drawn in the title.
            KeyCode::Char(c)
                if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) && !text::forbidden(c) =>
            {
                if line.text.chars().count() < SEARCH_MAX {
                    line.text.push(c);
                }
                line.error = None;
            }
            KeyCode::Enter => match Search::new(&line.text) {
                Ok(Some(search)) => {
                    self.search = None;
                    return self.show_view(ChatFilter::Narrow(Arc::new(Narrow::search(search))));
                }
                Ok(None) => {
                    self.search = None;
                    return self.show_view(ChatFilter::All);
                }
                Err(e) => line.error = Some(e.0),
            },
            _ => {}
        }
        Effect::None
    }

    /// Asks the desk to delete the selected comment (not an order line).
    pub(crate) fn delete_selected(&self, desk: &Desk) -> Effect {
        match self.chat_target(desk).filter(|m| m.kind != MsgKind::System && !m.msg_id.is_empty()) {
            Some(m) => Effect::Desk(Action::DeleteMessage { msg_id: m.msg_id.clone() }),
            None => Effect::None,
        }
    }

    /// Asks the desk to mute the selected comment's viewer for the shop's mute time.
    pub(crate) fn mute_selected(&self, desk: &Desk) -> Effect {
        let viewer =
            |m: &&Message| matches!(m.kind, MsgKind::Chat | MsgKind::Question) && !m.user_id.is_empty();
        match self.chat_target(desk).filter(viewer) {
            Some(m) => Effect::Desk(Action::MuteViewer {
                user_id: m.user_id.clone(),
                name: Some(m.user_name.clone()),
                seconds: Some(desk.moderation.mute_seconds()),
            }),
            None => Effect::None,
        }
    }

    /// Asks the desk to pin the selected comment.
    pub(crate) fn pin_selected(&self, desk: &Desk) -> Effect {
        match self.chat_target(desk).filter(|m| m.kind != MsgKind::System && !m.msg_id.is_empty()) {
            Some(m) => Effect::Desk(Action::PinMessage { msg_id: m.msg_id.clone() }),
            None => Effect::None,
        }
    }
}
