//! The chat log: what viewers said, in arrival order, bounded in memory.
//!
//! Messages get a monotonically increasing index so that the UI can hold on to a
//! selection or a scroll anchor while old messages fall off the front.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, VecDeque};

use chrono::{DateTime, Utc};

use super::classify::{Tag, Tags};
use crate::protocol::User;

/// What kind of line a chat entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgKind {
    /// A viewer comment.
    Chat,
    /// A comment the platform marked as a question.
    Question,
    /// Sent by the shop itself (our own replies echoed back).
    Operator,
    /// An order, gift or follow, shown inline so the operator sees it happen.
    System,
}

/// One line of chat.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Position in the whole stream's log (never reused).
    pub index: u64,
    pub msg_id: String,
    pub user_id: String,
    pub user_name: String,
    pub region: Option<String>,
    /// The platform a message came from, on feeds that gather several (Social Stream Ninja).
    pub source: Option<Source>,
    pub text: String,
    pub kind: MsgKind,
    pub reply_to: Option<String>,
    pub at: DateTime<Utc>,
    pub deleted: bool,
    /// What triage made of it (question, buyer, spam…).
    pub tags: Tags,
    /// Answered by a reply, or marked handled by the operator.
    pub answered: bool,
    /// What a claim read from it names by code ("AM ×2"): the operator sees at a glance
    /// that "aa x2 m" was understood.
    pub claimed: Option<String>,
}

impl Message {
    /// A question still waiting for an answer: not answered, handled, deleted or spam.
    pub fn unanswered(&self) -> bool {
        self.tags.has(Tag::Question) && !self.tags.has(Tag::Spam) && !self.answered && !self.deleted
    }
}

/// A platform a multi-platform feed names as a message's first badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    YouTube,
    Twitch,
    TikTok,
    Facebook,
    Instagram,
    Kick,
    X,
}

impl Source {
    /// The platform named by a badge, if the badge is one.
    pub fn from_badge(badge: &str) -> Option<Source> {
        Some(match badge {
            "youtube" | "youtubeshorts" => Source::YouTube,
            "twitch" => Source::Twitch,
            "tiktok" => Source::TikTok,
            "facebook" => Source::Facebook,
            "instagram" | "instagramlive" => Source::Instagram,
            "kick" => Source::Kick,
            "x" | "twitter" => Source::X,
            _ => return None,
        })
    }

    /// Two letters for the chat line.
    pub fn code(self) -> &'static str {
        match self {
            Source::YouTube => "YT",
            Source::Twitch => "TW",
            Source::TikTok => "TT",
            Source::Facebook => "FB",
            Source::Instagram => "IG",
            Source::Kick => "KI",
            Source::X => "X",
        }
    }
}

/// The bounded chat log.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatLog {
    messages: VecDeque<Message>,
    /// msg_id hash → index; a hash, not the string, to keep memory per message small
    /// (lookups check the message's own id, so a collision only misses).
    by_id: foldhash::HashMap<u64, u64>,
    next_index: u64,
    cap: usize,
    /// Indexes of the unanswered questions in memory, oldest first.
    unanswered: BTreeSet<u64>,
    /// Messages in memory with each tag (by `Tag as usize`).
    tag_counts: [usize; Tag::COUNT],
}

impl ChatLog {
    /// A log that keeps the newest `cap` messages.
    pub fn new(cap: usize) -> Self {
        ChatLog {
            messages: VecDeque::new(),
            by_id: Default::default(),
            next_index: 0,
            cap: cap.max(1),
            unanswered: BTreeSet::new(),
            tag_counts: [0; Tag::COUNT],
        }
    }

    /// Appends an untagged message and returns its index.
    pub fn push(
        &mut self,
        msg_id: String,
        user: &User,
        text: String,
        kind: MsgKind,
        reply_to: Option<String>,
        at: DateTime<Utc>,
    ) -> u64 {
        self.push_tagged(msg_id, user, text, kind, reply_to, at, Tags::NONE)
    }

    /// Appends a message with its tags and returns its index.
    #[allow(clippy::too_many_arguments)]
    pub fn push_tagged(
        &mut self,
        msg_id: String,
        user: &User,
        text: String,
        kind: MsgKind,
        reply_to: Option<String>,
        at: DateTime<Utc>,
        tags: Tags,
    ) -> u64 {
        self.push_from(msg_id, user.clone(), text, kind, reply_to, at, tags)
    }

    /// [`ChatLog::push_tagged`] keeping the user's own strings: a comment from the feed costs
    /// no copies of its viewer's id, name and region.
    #[allow(clippy::too_many_arguments)]
    pub fn push_from(
        &mut self,
        msg_id: String,
        user: User,
        text: String,
        kind: MsgKind,
        reply_to: Option<String>,
        at: DateTime<Utc>,
        tags: Tags,
    ) -> u64 {
        while self.messages.len() >= self.cap {
            self.evict_oldest();
        }
        if self.messages.len() == self.messages.capacity() {
            // Grown by doubling, but never past the cap: a full log holds no spare room.
            let more = self.messages.len().max(64).min(self.cap - self.messages.len());
            self.messages.reserve_exact(more);
        }
        let index = self.next_index;
        self.next_index += 1;
        if !msg_id.is_empty() {
            self.by_id.insert(id_hash(&msg_id), index);
        }
        self.messages.push_back(Message {
            index,
            msg_id,
            source: user.badges.first().and_then(|b| Source::from_badge(b)),
            user_id: user.id,
            user_name: user.name,
            region: user.region,
            text,
            kind,
            reply_to,
            at,
            deleted: false,
            tags,
            answered: false,
            claimed: None,
        });
        for tag in counted(tags) {
            self.tag_counts[tag as usize] += 1;
        }
        if self.messages.back().is_some_and(Message::unanswered) {
            self.unanswered.insert(index);
        }
        index
    }

    /// Drops the oldest message and everything that points at it.
    fn evict_oldest(&mut self) {
        let Some(old) = self.messages.pop_front() else { return };
        if let Entry::Occupied(e) = self.by_id.entry(id_hash(&old.msg_id))
            && *e.get() == old.index
        {
            e.remove();
        }
        for tag in counted(old.tags) {
            self.tag_counts[tag as usize] -= 1;
        }
        self.unanswered.remove(&old.index);
    }

    /// Marks a message answered (or handled); returns false if it is gone or already was.
    pub fn mark_answered(&mut self, msg_id: &str) -> bool {
        let Some(index) = self.by_msg_id(msg_id).map(|m| m.index) else { return false };
        self.mark_answered_at(index)
    }

    /// Notes on a comment what the claim read from it names.
    pub fn mark_claimed(&mut self, msg_id: &str, label: String) {
        let Some(index) = self.by_msg_id(msg_id).map(|m| m.index) else { return };
        if let Some(m) = self.get_mut(index) {
            m.claimed = Some(label);
        }
    }

    /// [`ChatLog::mark_answered`] by index.
    pub fn mark_answered_at(&mut self, index: u64) -> bool {
        let Some(m) = self.get_mut(index) else { return false };
        if m.answered {
            return false;
        }
        m.answered = true;
        self.unanswered.remove(&index);
        true
    }

    /// Gives a message new tags (the operator's fix), keeping the counts and the
    /// Unanswered view in step; false if it is gone.
    pub fn set_tags(&mut self, msg_id: &str, tags: Tags) -> bool {
        let Some(index) = self.by_msg_id(msg_id).map(|m| m.index) else { return false };
        let Some(m) = self.get_mut(index) else { return false };
        let old = std::mem::replace(&mut m.tags, tags);
        let unanswered = m.unanswered();
        for tag in counted(old) {
            self.tag_counts[tag as usize] -= 1;
        }
        for tag in counted(tags) {
            self.tag_counts[tag as usize] += 1;
        }
        if unanswered {
            self.unanswered.insert(index);
        } else {
            self.unanswered.remove(&index);
        }
        true
    }

    /// Unanswered questions in memory.
    pub fn unanswered_count(&self) -> usize {
        self.unanswered.len()
    }

    /// The unanswered questions in memory, oldest first: the longest waiting lead.
    pub fn unanswered_questions(&self) -> impl Iterator<Item = &Message> {
        self.unanswered.iter().filter_map(|&i| self.get(i))
    }

    /// The oldest unanswered question in memory.
    pub fn oldest_unanswered(&self) -> Option<&Message> {
        self.get(*self.unanswered.first()?)
    }

    /// Messages in memory with `tag` (spam counts only as spam).
    pub fn tagged(&self, tag: Tag) -> usize {
        self.tag_counts[tag as usize]
    }

    /// A system line (order, gift) with no msg_id of its own.
    pub fn push_system(&mut self, user: &User, text: String, at: DateTime<Utc>) -> u64 {
        self.push(String::new(), user, text, MsgKind::System, None, at)
    }

    /// Marks a message as removed by moderation; it stays, struck through.
    pub fn mark_deleted(&mut self, msg_id: &str) -> bool {
        let Some(&index) = self.by_id.get(&id_hash(msg_id)) else { return false };
        match self.get_mut(index) {
            Some(m) if m.msg_id == msg_id => {
                m.deleted = true;
                self.unanswered.remove(&index);
                true
            }
            _ => false,
        }
    }

    /// Marks every comment of a user as removed (a ban, a timeout). Their orders and gifts
    /// shown inline stay: they happened all the same.
    pub fn mark_user_deleted(&mut self, user_id: &str) {
        let said = |m: &Message| m.user_id == user_id && matches!(m.kind, MsgKind::Chat | MsgKind::Question);
        for m in self.messages.iter_mut().filter(|m| said(m)) {
            m.deleted = true;
            self.unanswered.remove(&m.index);
        }
    }

    /// The message with this index, if still in memory.
    pub fn get(&self, index: u64) -> Option<&Message> {
        let first = self.messages.front()?.index;
        self.messages.get(usize::try_from(index.checked_sub(first)?).ok()?)
    }

    fn get_mut(&mut self, index: u64) -> Option<&mut Message> {
        let first = self.messages.front()?.index;
        self.messages.get_mut(usize::try_from(index.checked_sub(first)?).ok()?)
    }

    /// The message with this msg_id, if still in memory.
    pub fn by_msg_id(&self, msg_id: &str) -> Option<&Message> {
        self.get(*self.by_id.get(&id_hash(msg_id))?).filter(|m| m.msg_id == msg_id)
    }

    /// Messages in memory, oldest first.
    pub fn messages(&self) -> &VecDeque<Message> {
        &self.messages
    }

    /// Number of messages in memory.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether nothing has been said yet.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Index the next message will get (= messages ever pushed).
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// Index of the oldest message still in memory.
    pub fn first_index(&self) -> u64 {
        self.messages.front().map_or(self.next_index, |m| m.index)
    }
}

/// The tags a message counts under: spam only as spam, so that the views' counts match what
/// they show.
fn counted(tags: Tags) -> impl Iterator<Item = Tag> {
    let spam = tags.has(Tag::Spam);
    tags.iter().filter(move |t| !spam || *t == Tag::Spam)
}

/// A msg_id's hash, the same in every run, so that replays of one stream give equal logs.
fn id_hash(msg_id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(msg_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User { id: "u".into(), name: "Ann".into(), region: None, badges: vec![], follower: false }
    }

    #[test]
    fn the_log_is_bounded_and_indexes_survive_eviction() {
        let mut log = ChatLog::new(3);
        for i in 0..5 {
            log.push(format!("m{i}"), &user(), format!("t{i}"), MsgKind::Chat, None, Utc::now());
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.first_index(), 2);
        assert_eq!(log.get(4).unwrap().text, "t4");
        assert!(log.get(1).is_none());
        assert!(log.by_msg_id("m0").is_none());
        assert_eq!(log.by_msg_id("m3").unwrap().index, 3);
    }

    #[test]
    fn a_full_log_holds_no_room_past_its_cap() {
        let mut log = ChatLog::new(1000);
        for i in 0..2500 {
            log.push(format!("m{i}"), &user(), "hi".into(), MsgKind::Chat, None, Utc::now());
            assert!(log.messages.capacity() <= 1000, "{} after {i}", log.messages.capacity());
        }
        assert_eq!((log.len(), log.first_index()), (1000, 1500));
        assert_eq!(log.by_id.len(), 1000);
        assert_eq!(log.by_msg_id("m1500").unwrap().index, 1500);
        assert!(log.by_msg_id("m1499").is_none());
    }

    #[test]
    fn moderation_marks_messages_deleted() {
        let mut log = ChatLog::new(10);
        log.push("m1".into(), &user(), "spam".into(), MsgKind::Chat, None, Utc::now());
        assert!(log.mark_deleted("m1"));
        assert!(!log.mark_deleted("nope"));
        assert!(log.by_msg_id("m1").unwrap().deleted);
    }

    #[test]
    fn unanswered_questions_are_counted_until_answered_deleted_or_evicted() {
        let mut log = ChatLog::new(4);
        let q = Tags::NONE.with(Tag::Question);
        let at = |s: i64| DateTime::<Utc>::from_timestamp(s, 0).unwrap();
        log.push_tagged("q1".into(), &user(), "a?".into(), MsgKind::Chat, None, at(1), q);
        log.push_tagged("q2".into(), &user(), "b?".into(), MsgKind::Chat, None, at(2), q);
        log.push_tagged("s".into(), &user(), "c?".into(), MsgKind::Chat, None, at(3), q.with(Tag::Spam));
        log.push_tagged("q3".into(), &user(), "d?".into(), MsgKind::Chat, None, at(4), q);
        assert_eq!(log.unanswered_count(), 3);
        assert_eq!(log.tagged(Tag::Question), 3, "spam counts only as spam");
        assert_eq!(log.tagged(Tag::Spam), 1);
        assert_eq!(log.oldest_unanswered().unwrap().msg_id, "q1");
        assert!(log.mark_answered("q1"));
        assert!(!log.mark_answered("q1"));
        assert_eq!(log.oldest_unanswered().unwrap().msg_id, "q2");
        assert!(log.mark_deleted("q3"));
        assert_eq!(log.unanswered_count(), 1);
        log.push("x".into(), &user(), "x".into(), MsgKind::Chat, None, at(5));
        log.push("y".into(), &user(), "y".into(), MsgKind::Chat, None, at(6));
        assert_eq!(log.unanswered_count(), 0, "q2 was evicted");
        assert_eq!(log.tagged(Tag::Question), 1);
    }
}
