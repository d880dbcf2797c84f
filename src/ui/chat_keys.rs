//! The Chat pane's keys beyond moving and replying: one viewer's messages, opening the search
//! line, and moderation of the selected comment. Domain changes leave as [`Effect::Desk`].

use std::sync::Arc;

use crate::desk::chat::{Message, MsgKind};
use crate::desk::{Action, Desk};
use crate::ui::narrow::{Narrow, Narrowing};
use crate::ui::panes::search_line::SearchLine;
use crate::ui::popup::Popup;
use crate::ui::view::{ChatFilter, Effect, Pane, ViewState};

impl ViewState {
    /// The chat message a key acts on: while following, the one the last frame showed
    /// selected (a message that arrived since was never seen), else the selection.
    pub fn chat_target<'a>(&self, desk: &'a Desk) -> Option<&'a Message> {
        let drawn = self
            .hits
            .chat_selected
            .filter(|_| self.chat.follow)
            .and_then(|i| desk.chat().get(i))
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
        self.popup = Some(Popup::Search(SearchLine { text, error: None }));
        self.focus = Pane::Chat;
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
                seconds: Some(desk.moderation().mute_seconds()),
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
