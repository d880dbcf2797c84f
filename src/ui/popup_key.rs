//! What a key or a click did to the open popup, as each popup's own keys say it: the view
//! then closes the popup, shows a chat view or passes an action on.

use crate::desk::Action;
use crate::ui::chat_filter::ChatFilter;

/// What a key or a click did to the open popup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PopupKey {
    /// It stays open, nothing else changes.
    Stay,
    /// It closes.
    Close,
    /// It stays open and asks the desk for this (the card saving a note).
    Save(Action),
    /// It closes and asks the desk for this.
    Send(Action),
    /// It closes and the chat shows this view (the search line's enter).
    Show(ChatFilter),
    /// Leave livedesk.
    Quit,
}
