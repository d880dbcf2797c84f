//! Chat views narrowed to one viewer or to a search. Such a view is sparse in a long log, so
//! the messages it shows are found once each, as they arrive, and remembered by index: moving
//! through the view and counting it never reads the whole log again.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::desk::chat::{ChatLog, Message};
use crate::ui::search::Search;
use crate::ui::text;

/// What a narrowed view keeps.
#[derive(Clone, Debug)]
pub enum Narrowing {
    /// One viewer's messages, by user id.
    Viewer { id: String, name: String },
    /// The messages a search matches.
    Search(Search),
}

/// The messages found so far, by index, and how far the log was read.
#[derive(Debug, Default)]
struct Found {
    hits: VecDeque<u64>,
    /// The next index to read.
    scanned: u64,
    /// Messages read so far (each once, unless the log is another).
    reads: u64,
}

/// A narrowed view: what it keeps, and what it found.
#[derive(Debug)]
pub struct Narrow {
    pub what: Narrowing,
    found: Mutex<Found>,
}

impl PartialEq for Narrow {
    fn eq(&self, other: &Self) -> bool {
        match (&self.what, &other.what) {
            (Narrowing::Viewer { id: a, .. }, Narrowing::Viewer { id: b, .. }) => a == b,
            (Narrowing::Search(a), Narrowing::Search(b)) => a.query == b.query,
            _ => false,
        }
    }
}

impl Eq for Narrow {}

impl Narrow {
    /// One viewer's messages.
    pub fn viewer(id: String, name: String) -> Narrow {
        Narrow { what: Narrowing::Viewer { id, name }, found: Mutex::default() }
    }

    /// The messages a search matches.
    pub fn search(search: Search) -> Narrow {
        Narrow { what: Narrowing::Search(search), found: Mutex::default() }
    }

    /// What never changes about whether a message is shown (who said it, what it says).
    fn lasting(&self, m: &Message) -> bool {
        match &self.what {
            Narrowing::Viewer { id, .. } => m.user_id == *id,
            Narrowing::Search(s) => s.matcher.lasting(m),
        }
    }

    /// What may change (a question answered).
    fn current(&self, m: &Message) -> bool {
        match &self.what {
            Narrowing::Viewer { .. } => true,
            Narrowing::Search(s) => s.matcher.current(m),
        }
    }

    fn changes(&self) -> bool {
        matches!(&self.what, Narrowing::Search(s) if s.matcher.changes())
    }

    /// Whether the view shows this message.
    pub fn shows(&self, m: &Message) -> bool {
        self.lasting(m) && self.current(m)
    }

    /// Runs `f` on what was found, after reading what arrived since the last call.
    fn with_found<R>(&self, chat: &ChatLog, f: impl FnOnce(&VecDeque<u64>) -> R) -> R {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        let (first, next) = (chat.first_index(), chat.next_index());
        if found.scanned > next {
            // Another log: start over.
            *found = Found::default();
        }
        while found.hits.front().is_some_and(|&i| i < first) {
            found.hits.pop_front();
        }
        for i in found.scanned.max(first)..next {
            found.reads += 1;
            if chat.get(i).is_some_and(|m| self.lasting(m)) {
                found.hits.push_back(i);
            }
        }
        found.scanned = next;
        f(&found.hits)
    }

    /// The shown message before `i`, newest first.
    pub fn prev(&self, chat: &ChatLog, i: u64) -> Option<u64> {
        self.with_found(chat, |hits| {
            let end = hits.partition_point(|&j| j < i);
            hits.range(..end).rev().copied().find(|&j| chat.get(j).is_some_and(|m| self.current(m)))
        })
    }

    /// The shown message after `i`.
    pub fn next(&self, chat: &ChatLog, i: u64) -> Option<u64> {
        self.with_found(chat, |hits| {
            let start = hits.partition_point(|&j| j <= i);
            hits.range(start..).copied().find(|&j| chat.get(j).is_some_and(|m| self.current(m)))
        })
    }

    /// Shown messages from index `from` on.
    pub fn count_from(&self, chat: &ChatLog, from: u64) -> usize {
        self.with_found(chat, |hits| {
            let start = hits.partition_point(|&j| j < from);
            if self.changes() {
                hits.range(start..).filter(|&&j| chat.get(j).is_some_and(|m| self.current(m))).count()
            } else {
                hits.len() - start
            }
        })
    }

    /// Shown messages in memory.
    pub fn count(&self, chat: &ChatLog) -> usize {
        self.count_from(chat, 0)
    }

    /// The view's kind, as a word.
    pub fn label(&self) -> &'static str {
        match self.what {
            Narrowing::Viewer { .. } => "Viewer",
            Narrowing::Search(_) => "Search",
        }
    }

    /// The Chat title's words for the view: `Search: <query> (N)`, `Viewer: <name> (N)`, the
    /// query or name cut to fit `room` columns.
    pub fn title(&self, chat: &ChatLog, room: usize) -> String {
        let n = self.count(chat);
        let what = match &self.what {
            Narrowing::Viewer { name, .. } => name.as_str(),
            Narrowing::Search(s) => s.query.as_str(),
        };
        let fixed = self.label().len() + 2 + format!(" ({n})").len();
        format!("{}: {} ({n})", self.label(), text::truncate(what, room.saturating_sub(fixed).max(4)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::chat::MsgKind;
    use crate::desk::classify::{Tag, Tags};
    use crate::protocol::User;

    fn log_of(cap: usize, n: u64) -> ChatLog {
        let mut log = ChatLog::new(cap);
        for i in 0..n {
            let user = User {
                id: format!("u{}", i % 3),
                name: format!("name{}", i % 3),
                region: None,
                badges: vec![],
                follower: false,
            };
            let tags = if i % 4 == 0 { Tags::NONE.with(Tag::Question) } else { Tags::NONE };
            let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
            log.push_tagged(format!("m{i}"), &user, format!("text {i}"), MsgKind::Chat, None, at, tags);
        }
        log
    }

    /// The same answers as reading every message.
    fn check(narrow: &Narrow, log: &ChatLog) {
        let shown: Vec<u64> =
            (log.first_index()..log.next_index()).filter(|&i| narrow.shows(log.get(i).unwrap())).collect();
        assert_eq!(narrow.count(log), shown.len());
        for i in log.first_index().saturating_sub(1)..=log.next_index() {
            let prev = shown.iter().rev().copied().find(|&j| j < i);
            let next = shown.iter().copied().find(|&j| j > i);
            assert_eq!(narrow.prev(log, i), prev, "prev {i}");
            assert_eq!(narrow.next(log, i), next, "next {i}");
            assert_eq!(narrow.count_from(log, i), shown.iter().filter(|&&j| j >= i).count(), "from {i}");
        }
    }

    #[test]
    fn what_is_found_matches_reading_the_whole_log_as_it_grows_and_evicts() {
        let viewer = Narrow::viewer("u1".into(), "name1".into());
        let search = Narrow::search(Search::new("is:unanswered text").unwrap().unwrap());
        let mut log = log_of(10, 4);
        for n in [4u64, 7, 12, 30] {
            while log.next_index() < n {
                let more = log_of(10, log.next_index() + 1);
                let m = more.get(log.next_index()).unwrap().clone();
                let user = User {
                    id: m.user_id.clone(),
                    name: m.user_name.clone(),
                    region: None,
                    badges: vec![],
                    follower: false,
                };
                log.push_tagged(m.msg_id, &user, m.text, m.kind, None, m.at, m.tags);
            }
            check(&viewer, &log);
            check(&search, &log);
        }
        // An answer takes a question out of the unanswered search at once.
        let q = search.prev(&log, log.next_index()).unwrap();
        let id = log.get(q).unwrap().msg_id.clone();
        log.mark_answered(&id);
        check(&search, &log);
        assert_ne!(search.prev(&log, log.next_index()), Some(q));
    }

    #[test]
    fn each_message_is_read_once_however_often_the_view_is_drawn() {
        let mut log = log_of(100_000, 10_000);
        let search = Narrow::search(Search::new("re:7$").unwrap().unwrap());
        let reads = |n: &Narrow| n.found.lock().unwrap().reads;
        assert_eq!(search.count(&log), 1_000);
        assert_eq!(reads(&search), 10_000);
        for i in 0..100 {
            search.prev(&log, log.next_index() - i);
            search.next(&log, i * 50);
            search.count_from(&log, i * 90);
        }
        assert_eq!(reads(&search), 10_000, "moving and counting read nothing again");
        let user = User { id: "u".into(), name: "n".into(), region: None, badges: vec![], follower: false };
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        for i in 0..5 {
            log.push(format!("new{i}"), &user, format!("new {i}7"), MsgKind::Chat, None, at);
        }
        assert_eq!(search.count(&log), 1_005);
        assert_eq!(reads(&search), 10_005, "only what arrived is read");
    }

    #[test]
    fn titles_name_the_view_and_count_it() {
        let log = log_of(100, 12);
        let viewer = Narrow::viewer("u1".into(), "name1".into());
        assert_eq!(viewer.title(&log, 60), "Viewer: name1 (4)");
        let search = Narrow::search(Search::new("from:name2 \"text 1\"").unwrap().unwrap());
        assert_eq!(search.title(&log, 60), "Search: from:name2 \"text 1\" (1)");
        let long =
            Narrow::search(Search::new("a very long query that will not fit at all").unwrap().unwrap());
        let title = long.title(&log, 30);
        assert!(text::width(&title) <= 30, "{title}");
        assert!(title.starts_with("Search: a very") && title.ends_with("… (0)"), "{title}");
    }
}
