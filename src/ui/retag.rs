//! The re-tag line: the operator's quick fix of a wrong tag on the selected comment. Its keys
//! are fixed (one letter a tag), like the adjust popup's, so no keymap can trap it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::desk::Action;
use crate::desk::classify::Tag;

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

/// What a key on the re-tag line does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetagKey {
    /// Not one of its keys: the line stays open.
    Stay,
    Close,
    /// Toggle this tag, and close.
    Toggle(Action),
}

impl Retag {
    /// A key while the line is open.
    pub fn on_key(&self, key: &KeyEvent) -> RetagKey {
        if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
            return RetagKey::Stay;
        }
        match key.code {
            KeyCode::Esc => RetagKey::Close,
            KeyCode::Char(c) => match TAGS.iter().find(|(k, ..)| *k == c) {
                Some((_, tag, _)) => RetagKey::Toggle(Action::Retag {
                    msg_id: self.msg_id.clone(),
                    tag: tag.name().to_owned(),
                }),
                None => RetagKey::Stay,
            },
            _ => RetagKey::Stay,
        }
    }
}
