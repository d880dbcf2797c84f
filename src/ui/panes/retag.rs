//! The re-tag line: the operator's quick fix of a wrong tag on the selected comment. Its keys
//! are fixed (one letter a tag), like the adjust popup's, so no keymap can trap it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::desk::Action;
use crate::desk::classify::Tag;
use crate::ui::popup_key::PopupKey;

/// Each tag the operator can fix, on its letter, in the order the line shows them.
pub const TAGS: [(char, Tag, &str); 6] = [
    ('q', Tag::Question, "question"),
    ('b', Tag::Buyer, "buyer"),
    ('s', Tag::Shipping, "shipping"),
    ('c', Tag::Complaint, "complaint"),
    ('p', Tag::Spam, "spam"),
    ('n', Tag::CantShip, "can't ship"),
];

/// The keys, as the help popup lists them.
pub const KEYS: [(&str, &str); 3] = [
    ("q b s c", "toggle question, buyer, shipping, complaint"),
    ("p n", "toggle spam, can't ship"),
    ("esc", "close without a change"),
];

/// The re-tag line open on one comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retag {
    pub msg_id: String,
}

impl Retag {
    /// A key while the line is open.
    pub fn on_key(&self, key: &KeyEvent) -> PopupKey {
        if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
            return PopupKey::Stay;
        }
        match key.code {
            KeyCode::Esc => PopupKey::Close,
            KeyCode::Char(c) => match TAGS.iter().find(|(k, ..)| *k == c) {
                Some((_, tag, _)) => {
                    PopupKey::Send(Action::Retag { msg_id: self.msg_id.clone(), tag: tag.name().to_owned() })
                }
                None => PopupKey::Stay,
            },
            _ => PopupKey::Stay,
        }
    }
}
