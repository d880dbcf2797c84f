//! Who is watching: each viewer's part in this stream (first seen, messages, claims,
//! orders), what earlier streams on the same feed knew of them (loaded from the store at
//! start), and the operator's notes and tags, which are kept across streams.
//!
//! Orders are counted from the catalog's own books, so a cancelled or refunded order, or a
//! confirmed claim's `claim-ID` order that the platform's order replaced, never counts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::catalog::Catalog;
use super::chat::Source;
use super::claims::ClaimState;
use super::outbox::Outbox;
use super::{Input, Level, State};
use crate::protocol::sanitize::{MAX_NAME_CHARS, clean};
use crate::protocol::{Event, Frame, User};

/// Longest note, in characters.
pub const NOTE_MAX: usize = 200;
/// Longest tag, in characters.
pub const TAG_MAX: usize = 24;
/// Most tags on one viewer.
pub const TAGS_MAX: usize = 8;
/// The tag that marks a viewer as a VIP (any case).
pub const VIP: &str = "VIP";

/// The operator's note and tags on a viewer, and when they were written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub tags: Vec<String>,
    pub at: DateTime<Utc>,
}

impl Note {
    /// A note as the operator (or a script) wrote it, made safe to show and store: controls
    /// and escapes dropped, lengths capped, tags trimmed and each kept once (any case).
    pub fn new(text: &str, tags: &[String], at: DateTime<Utc>) -> Note {
        let mut text = text.trim().to_owned();
        clean(&mut text, NOTE_MAX);
        let mut kept: Vec<String> = Vec::new();
        for tag in tags {
            let mut tag = tag.trim().to_owned();
            clean(&mut tag, TAG_MAX);
            let tag = tag.trim().to_owned();
            if !tag.is_empty() && !kept.iter().any(|k| k.eq_ignore_ascii_case(&tag)) && kept.len() < TAGS_MAX
            {
                kept.push(tag);
            }
        }
        Note { text: text.trim().to_owned(), tags: kept, at }
    }

    /// Tags written as the card's input takes them: `VIP, sizes run small`.
    pub fn parse_tags(list: &str) -> Vec<String> {
        list.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()
    }

    /// Whether there is nothing in it (a cleared note).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.tags.is_empty()
    }

    /// Whether it carries the VIP tag.
    pub fn vip(&self) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(VIP))
    }
}

/// Orders and spend: live orders only, spend per currency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub orders: u64,
    pub spend: BTreeMap<String, Decimal>,
}

impl Tally {
    /// Adds another tally to this one.
    pub fn add(&mut self, other: &Tally) {
        self.orders += other.orders;
        for (cur, amount) in &other.spend {
            *self.spend.entry(cur.clone()).or_default() += *amount;
        }
    }
}

/// What earlier streams on this feed knew of one viewer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Past {
    /// The name they had last.
    pub name: String,
    /// When they were first seen, in any earlier stream.
    pub first_seen: Option<DateTime<Utc>>,
    /// Earlier streams they were seen in.
    pub streams: u32,
    /// Their orders in earlier streams.
    pub bought: Tally,
    /// The operator's note, however old.
    pub note: Option<Note>,
}

/// The feed's viewers from earlier streams, by user id, as the store kept them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    viewers: HashMap<String, Past>,
}

impl History {
    /// What is known of a viewer from earlier streams.
    pub fn get(&self, user_id: &str) -> Option<&Past> {
        self.viewers.get(user_id)
    }

    /// Viewers known from earlier streams.
    pub fn len(&self) -> usize {
        self.viewers.len()
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.viewers.is_empty()
    }

    /// Adds one earlier stream's record of a viewer. Streams are added oldest first, so the
    /// name is the latest one.
    pub fn add_stream(&mut self, user_id: &str, name: &str, first_seen: DateTime<Utc>, bought: &Tally) {
        self.add_streams(user_id, name, first_seen, 1, bought);
    }

    /// Adds `streams` earlier streams' record of a viewer at once (the store's totals).
    pub fn add_streams(
        &mut self,
        user_id: &str,
        name: &str,
        first_seen: DateTime<Utc>,
        streams: u32,
        bought: &Tally,
    ) {
        let past = self.viewers.entry(user_id.to_owned()).or_default();
        past.name = name.to_owned();
        past.first_seen = Some(past.first_seen.map_or(first_seen, |t| t.min(first_seen)));
        past.streams += streams;
        past.bought.add(bought);
    }

    /// Sets a viewer's note (an empty one clears it).
    pub fn set_note(&mut self, user_id: &str, note: Note) {
        if note.is_empty() {
            if let Some(past) = self.viewers.get_mut(user_id) {
                past.note = None;
            }
            return;
        }
        self.viewers.entry(user_id.to_owned()).or_default().note = Some(note);
    }

    /// This history with a stream that just ended added to it, as the store would load it
    /// for the next one: its viewers and tallies, and the notes written during it.
    pub fn with_stream(&self, viewers: &Viewers, catalog: &Catalog) -> History {
        let mut next = self.clone();
        for v in &viewers.list {
            next.add_stream(&v.id, &v.name, v.first_seen, &viewers.tally(v, catalog));
        }
        let mut edits: Vec<(&String, &Note)> = viewers.notes.iter().collect();
        edits.sort_by_key(|(_, n)| n.at);
        for (id, note) in edits {
            next.set_note(id, note.clone());
        }
        next
    }
}

/// One viewer in this stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub id: String,
    pub name: String,
    pub region: Option<String>,
    /// The platform on a feed that gathers several (Social Stream Ninja).
    pub source: Option<Source>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Comments and questions.
    pub messages: u32,
    /// Where their first comment is in the chat log: a wave there says hello.
    pub first_comment: Option<u64>,
    /// Their claims, by id, oldest first.
    pub claims: Vec<u64>,
    /// Their orders (the platform's and confirmed claims'), by id, oldest first.
    pub orders: Vec<String>,
}

/// Every viewer of the stream, in the order they were first seen, with the feed's history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Viewers {
    list: Vec<Viewer>,
    index: foldhash::HashMap<String, usize>,
    /// Order id → the viewer who placed it.
    owners: HashMap<String, usize>,
    /// Notes written during this stream, by user id (they win over the history's).
    notes: HashMap<String, Note>,
    history: Arc<History>,
}

impl Viewers {
    /// No viewers yet, with what earlier streams knew.
    pub fn new(history: Arc<History>) -> Viewers {
        Viewers { history, ..Viewers::default() }
    }

    /// The earlier streams' record.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// A viewer of this stream.
    pub fn get(&self, user_id: &str) -> Option<&Viewer> {
        self.index.get(user_id).map(|&i| &self.list[i])
    }

    /// Viewers seen so far in this stream.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether none has been seen yet.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The viewers first seen after the first `n`, in the order they came.
    pub fn since(&self, n: usize) -> &[Viewer] {
        self.list.get(n..).unwrap_or(&[])
    }

    /// Who placed an order, if a viewer of this stream did.
    pub fn owner(&self, order_id: &str) -> Option<&Viewer> {
        self.owners.get(order_id).map(|&i| &self.list[i])
    }

    /// The operator's note on a viewer: this stream's edit, else the history's.
    pub fn note(&self, user_id: &str) -> Option<&Note> {
        match self.notes.get(user_id) {
            Some(n) => Some(n).filter(|n| !n.is_empty()),
            None => self.history.get(user_id).and_then(|p| p.note.as_ref()),
        }
    }

    /// Whether the viewer is tagged VIP.
    pub fn vip(&self, user_id: &str) -> bool {
        self.note(user_id).is_some_and(Note::vip)
    }

    /// Whether the viewer ordered in an earlier stream (a returning customer).
    pub fn returning(&self, user_id: &str) -> bool {
        self.history.get(user_id).is_some_and(|p| p.bought.orders > 0)
    }

    /// A viewer's live orders in this stream and what they spent.
    pub fn tally(&self, v: &Viewer, catalog: &Catalog) -> Tally {
        let mut t = Tally::default();
        for order in v.orders.iter().filter_map(|id| catalog.order(id)).filter(|o| o.status.is_live()) {
            if order.qty == 0 {
                continue;
            }
            t.orders += 1;
            *t.spend.entry(order.currency.clone()).or_default() +=
                order.unit_price * Decimal::from(order.qty);
        }
        t
    }

    /// Seen now (a comment, a gift, an order): the viewer, made on first sight.
    pub fn saw(&mut self, user: &User, at: DateTime<Utc>) -> Option<usize> {
        if user.id.is_empty() {
            return None;
        }
        let i = match self.index.get(user.id.as_str()) {
            Some(&i) => {
                let v = &mut self.list[i];
                if v.name != user.name {
                    v.name.clone_from(&user.name);
                }
                if user.region.is_some() && v.region != user.region {
                    v.region.clone_from(&user.region);
                }
                v.last_seen = v.last_seen.max(at);
                i
            }
            None => {
                let i = self.list.len();
                self.list.push(Viewer {
                    id: user.id.clone(),
                    name: user.name.clone(),
                    region: user.region.clone(),
                    source: user.badges.first().and_then(|b| Source::from_badge(b)),
                    first_seen: at,
                    last_seen: at,
                    messages: 0,
                    first_comment: None,
                    claims: Vec::new(),
                    orders: Vec::new(),
                });
                self.index.insert(user.id.clone(), i);
                i
            }
        };
        Some(i)
    }

    /// A comment or question from the viewer.
    pub fn said(&mut self, user: &User, at: DateTime<Utc>) -> bool {
        let Some(i) = self.saw(user, at) else { return false };
        self.list[i].messages = self.list[i].messages.saturating_add(1);
        self.list[i].messages == 1
    }

    /// Where in the chat log a viewer's first comment is.
    pub fn first_comment_at(&mut self, user_id: &str, index: u64) {
        if let Some(&i) = self.index.get(user_id) {
            self.list[i].first_comment.get_or_insert(index);
        }
    }

    /// Whether the comment at `index` of the chat log comes after its viewer's first.
    pub fn spoke_before(&self, user_id: &str, index: u64) -> bool {
        self.get(user_id).and_then(|v| v.first_comment).is_some_and(|first| first < index)
    }

    /// An order the viewer placed.
    pub fn ordered(&mut self, user: &User, order_id: &str, at: DateTime<Utc>) {
        if let Some(i) = self.saw(user, at) {
            self.own(i, order_id);
        }
    }

    /// A claim the viewer made (held or waiting).
    pub fn claimed(&mut self, user_id: &str, claim: u64) {
        if let Some(&i) = self.index.get(user_id)
            && !self.list[i].claims.contains(&claim)
        {
            self.list[i].claims.push(claim);
        }
    }

    /// A confirmed claim booked as the desk's own order for the viewer.
    pub fn bought_by_claim(&mut self, user_id: &str, order_id: &str) {
        if let Some(&i) = self.index.get(user_id) {
            self.own(i, order_id);
        }
    }

    fn own(&mut self, i: usize, order_id: &str) {
        if !self.owners.contains_key(order_id) {
            self.owners.insert(order_id.to_owned(), i);
            self.list[i].orders.push(order_id.to_owned());
        }
    }

    /// The operator's note and tags, written now.
    pub fn set_note(&mut self, user_id: &str, note: Note) {
        self.notes.insert(user_id.to_owned(), note);
    }
}

/// Everything the viewer card shows about one viewer.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    pub id: String,
    pub name: String,
    pub region: Option<String>,
    pub source: Option<Source>,
    /// First seen in any stream on this feed (this one included).
    pub first_seen: Option<DateTime<Utc>>,
    /// First seen in this stream.
    pub first_here: Option<DateTime<Utc>>,
    /// Earlier streams they were seen in.
    pub streams_before: u32,
    pub messages: u32,
    /// Claims made in this stream, and how many are held or waiting now.
    pub claims: usize,
    pub claims_held: usize,
    pub claims_waiting: usize,
    /// Orders in this stream.
    pub here: Tally,
    /// Orders in every stream on this feed, this one included.
    pub lifetime: Tally,
    pub returning: bool,
    pub note: Option<Note>,
}

impl Card {
    /// Whether the viewer is tagged VIP.
    pub fn vip(&self) -> bool {
        self.note.as_ref().is_some_and(Note::vip)
    }
}

impl State {
    /// The card of a viewer seen in this stream or an earlier one; `None` for anyone else
    /// (the shop itself, a line with no viewer).
    pub fn viewer_card(&self, user_id: &str) -> Option<Card> {
        if user_id.is_empty() {
            return None;
        }
        let viewers = &self.viewers;
        let here = viewers.get(user_id);
        let past = viewers.history().get(user_id);
        if here.is_none() && past.is_none() {
            return None;
        }
        let tally = here.map(|v| viewers.tally(v, &self.catalog)).unwrap_or_default();
        let mut lifetime = past.map(|p| p.bought.clone()).unwrap_or_default();
        lifetime.add(&tally);
        let claims: Vec<_> =
            here.map(|v| v.claims.iter().filter_map(|id| self.claims.get(*id)).collect()).unwrap_or_default();
        let first_here = here.map(|v| v.first_seen);
        let first_past = past.and_then(|p| p.first_seen);
        let first_seen = match (first_past, first_here) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Some(Card {
            id: user_id.to_owned(),
            name: here.map(|v| v.name.clone()).or_else(|| past.map(|p| p.name.clone())).unwrap_or_default(),
            region: here.and_then(|v| v.region.clone()),
            source: here.and_then(|v| v.source),
            first_seen,
            first_here,
            streams_before: past.map_or(0, |p| p.streams),
            messages: here.map_or(0, |v| v.messages),
            claims: here.map_or(0, |v| v.claims.len()),
            claims_held: claims.iter().filter(|c| matches!(c.state, ClaimState::Active { .. })).count(),
            claims_waiting: claims.iter().filter(|c| c.state == ClaimState::Waiting).count(),
            here: tally,
            lifetime,
            returning: viewers.returning(user_id),
            note: viewers.note(user_id).cloned(),
        })
    }

    /// The viewer whose orders an input changes (an order, its update, a claim the operator
    /// confirms), so the store can keep their tally for the streams to come.
    pub fn buyer_of(&self, input: &Input) -> Option<String> {
        let id = match input {
            Input::Feed(Frame { event: Event::Order { user, .. }, .. }) => Some(user.id.clone()),
            Input::Feed(Frame { event: Event::OrderUpdate { order_id, .. }, .. }) => {
                self.viewers.owner(order_id).map(|v| v.id.clone())
            }
            _ => match input.action() {
                Some(super::Action::ConfirmClaim { id }) => self.claims.get(*id).map(|c| c.user_id.clone()),
                _ => None,
            },
        };
        id.filter(|id| !id.is_empty())
    }

    /// The operator notes a viewer (text and tags, kept for later streams), or clears the note.
    pub(super) fn note_viewer(
        &mut self,
        out: &mut Outbox,
        user_id: &str,
        note: &str,
        tags: &[String],
        now: DateTime<Utc>,
    ) {
        if user_id.is_empty() {
            return out.notice(Level::Warn, "Cannot note a viewer with no id".into(), self.now);
        }
        let note = Note::new(note, tags, now);
        let who = name_for(&self.viewers, user_id);
        let text = if note.is_empty() {
            format!("Cleared the note on @{who}")
        } else {
            format!("Noted @{who}: {}", summary(&note))
        };
        self.viewers.set_note(user_id, note);
        out.notice(Level::Info, text, self.now);
    }
}

/// A note in one line: its tags, then its text.
pub fn summary(note: &Note) -> String {
    match (note.tags.is_empty(), note.text.is_empty()) {
        (false, false) => format!("{} · {}", note.tags.join(", "), note.text),
        (false, true) => note.tags.join(", "),
        _ => note.text.clone(),
    }
}

/// A viewer's name as a notice says it (their id when no name is known).
pub(super) fn name_for(viewers: &Viewers, user_id: &str) -> String {
    let name = viewers
        .get(user_id)
        .map(|v| v.name.clone())
        .or_else(|| viewers.history().get(user_id).map(|p| p.name.clone()))
        .filter(|n| !n.is_empty());
    name.unwrap_or_else(|| {
        let mut id = user_id.to_owned();
        clean(&mut id, MAX_NAME_CHARS);
        id
    })
}

#[cfg(test)]
mod tests;
