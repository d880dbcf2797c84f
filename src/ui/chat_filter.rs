//! The Chat pane's views (all comments, questions, buyers, unanswered, mentions, one viewer's or
//! a search's) and how to step through the messages a view shows, by message index.

use std::sync::Arc;

use crate::desk::chat::{ChatLog, Message};
use crate::desk::classify::Tag;
use crate::ui::narrow::Narrow;

/// Which comments the Chat pane shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ChatFilter {
    #[default]
    All,
    Questions,
    Buyers,
    Unanswered,
    Mentions,
    /// One viewer's messages, or a search's (see [`Narrow`]); shared, so a clone is cheap.
    Narrow(Arc<Narrow>),
}

impl ChatFilter {
    /// The views, in the order the cycle key goes through them.
    pub const ALL: [ChatFilter; 5] = [
        ChatFilter::All,
        ChatFilter::Questions,
        ChatFilter::Buyers,
        ChatFilter::Unanswered,
        ChatFilter::Mentions,
    ];

    /// The view's name, as the Chat pane's title shows it.
    pub fn label(&self) -> &'static str {
        match self {
            ChatFilter::All => "All",
            ChatFilter::Questions => "Questions",
            ChatFilter::Buyers => "Buyers",
            ChatFilter::Unanswered => "Unanswered",
            ChatFilter::Mentions => "Mentions",
            ChatFilter::Narrow(n) => n.label(),
        }
    }

    /// Whether the view shows this message (spam shows only in All).
    pub fn shows(&self, m: &Message) -> bool {
        let tagged = |t: Tag| m.tags.has(t) && !m.tags.has(Tag::Spam);
        match self {
            ChatFilter::All => true,
            ChatFilter::Questions => tagged(Tag::Question),
            ChatFilter::Buyers => tagged(Tag::Buyer),
            ChatFilter::Unanswered => m.unanswered(),
            ChatFilter::Mentions => tagged(Tag::Mention),
            ChatFilter::Narrow(n) => n.shows(m),
        }
    }

    /// Messages in memory the view shows.
    pub fn count(&self, chat: &ChatLog) -> usize {
        match self {
            ChatFilter::All => chat.len(),
            ChatFilter::Questions => chat.tagged(Tag::Question),
            ChatFilter::Buyers => chat.tagged(Tag::Buyer),
            ChatFilter::Unanswered => chat.unanswered_count(),
            ChatFilter::Mentions => chat.tagged(Tag::Mention),
            ChatFilter::Narrow(n) => n.count(chat),
        }
    }

    /// Messages the view shows from index `from` on.
    pub fn count_from(&self, chat: &ChatLog, from: u64) -> usize {
        match self {
            ChatFilter::All => chat.next_index().saturating_sub(from.max(chat.first_index())) as usize,
            ChatFilter::Narrow(n) => n.count_from(chat, from),
            f => {
                let from = from.max(chat.first_index());
                (from..chat.next_index()).filter(|&i| chat.get(i).is_some_and(|m| f.shows(m))).count()
            }
        }
    }

    /// The next view of the cycle; a narrowed view goes back to All.
    pub(crate) fn next(&self) -> ChatFilter {
        match ChatFilter::ALL.iter().position(|f| f == self) {
            Some(i) => ChatFilter::ALL[(i + 1) % ChatFilter::ALL.len()].clone(),
            None => ChatFilter::All,
        }
    }
}

/// The shown message before `i` (newest first), if any.
pub fn prev_shown(chat: &ChatLog, filter: &ChatFilter, i: u64) -> Option<u64> {
    if let ChatFilter::Narrow(n) = filter {
        return n.prev(chat, i);
    }
    let first = chat.first_index();
    (first..i.min(chat.next_index())).rev().find(|&j| chat.get(j).is_some_and(|m| filter.shows(m)))
}

/// The shown message after `i`, if any.
pub fn next_shown(chat: &ChatLog, filter: &ChatFilter, i: u64) -> Option<u64> {
    if let ChatFilter::Narrow(n) = filter {
        return n.next(chat, i);
    }
    let start = i.saturating_add(1).max(chat.first_index());
    (start..chat.next_index()).find(|&j| chat.get(j).is_some_and(|m| filter.shows(m)))
}

/// The newest message the view shows.
pub fn last_shown(chat: &ChatLog, filter: &ChatFilter) -> Option<u64> {
    prev_shown(chat, filter, chat.next_index())
}

/// `i` if the view shows it, else the nearest shown message after it, else before it.
pub fn nearest_shown(chat: &ChatLog, filter: &ChatFilter, i: u64) -> Option<u64> {
    if chat.get(i).is_some_and(|m| filter.shows(m)) {
        return Some(i);
    }
    next_shown(chat, filter, i).or_else(|| prev_shown(chat, filter, i))
}
