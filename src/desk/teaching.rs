//! What the operator teaches the desk: every reply sent to a comment and every fix of its
//! tags (a re-tag, a comment marked handled) is an example, learned at once and handed to the
//! store to keep across streams (see [`learned::Memory`]).

use super::chat::MsgKind;
use super::classify::{Tag, Tags};
use super::outbox::Outbox;
use super::{Level, Output, State, learned, text};

impl State {
    /// The operator marks a comment handled: it leaves Unanswered, and teaches the desk that
    /// such a comment needs no reply.
    pub(super) fn mark_handled(&mut self, out: &mut Outbox, msg_id: &str) {
        let Some(m) = self.chat.by_msg_id(msg_id) else {
            let text = format!("Cannot mark {msg_id} handled: it is no longer in the chat");
            return out.notice(Level::Warn, text, self.now);
        };
        let who = m.user_name.clone();
        if self.chat.mark_answered(msg_id) {
            out.notice(Level::Info, format!("Marked @{who}'s comment handled"), self.now);
            self.taught(out, Some(msg_id), None, Tags::NONE);
        }
    }

    /// Toggles one tag of a comment by the operator's hand: the fix shows at once, and the
    /// comments that read the same from now on take it (see [`learned::Memory::override_tags`]).
    pub(super) fn retag(&mut self, out: &mut Outbox, msg_id: &str, tag: &str) {
        let Some(tag) = Tag::from_name(tag).filter(|t| learned::FIXABLE.contains(t)) else {
            let names: Vec<&str> = learned::FIXABLE.iter().map(|t| t.name()).collect();
            let text = format!("Cannot re-tag with “{tag}”: the tags are {}", names.join(", "));
            return out.notice(Level::Warn, text, self.now);
        };
        let Some(m) = self.chat.by_msg_id(msg_id) else {
            return out.notice(
                Level::Warn,
                format!("Cannot re-tag {msg_id}: it is no longer in the chat"),
                self.now,
            );
        };
        if !matches!(m.kind, MsgKind::Chat | MsgKind::Question) {
            return out.notice(Level::Warn, "Only a viewer's comment can be re-tagged".into(), self.now);
        }
        let who = m.user_name.clone();
        let mut tags = m.tags;
        let verb = if tags.has(tag) {
            tags.remove(tag);
            "no longer"
        } else {
            tags.add(tag);
            "now"
        };
        self.chat.set_tags(msg_id, tags);
        out.notice(Level::Info, format!("@{who}'s comment is {verb} tagged {}", tag.name()), self.now);
        self.taught(out, Some(msg_id), None, Tags::NONE.with(tag));
    }

    /// What the operator did to comment `to` (a reply sent, or `fixed` tags), as an example
    /// the desk learns now and the store keeps.
    pub(super) fn taught(&mut self, out: &mut Outbox, to: Option<&str>, reply: Option<&str>, fixed: Tags) {
        let Some(m) = to.and_then(|id| self.chat.by_msg_id(id)) else { return };
        if !matches!(m.kind, MsgKind::Chat | MsgKind::Question) {
            return;
        }
        self.examples_made += 1;
        let example = learned::Example {
            n: self.examples_made,
            text: text::normalize(&m.text),
            lang: self.classifier.language(&m.text).map(str::to_owned),
            tags: learned::Example::names(m.tags),
            fixed: learned::Example::names(fixed),
            reply: reply.map(str::to_owned),
        };
        self.learned.learn(&example);
        out.push(Output::Learned(example));
    }
}
