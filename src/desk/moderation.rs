//! Moderation: the operator deletes, mutes and pins chat through the platform, and blocked
//! words from `chat.toml` keep comments off the desk.
//!
//! What the desk shows follows what the platform did: a comment is struck out as deleted once
//! the platform acknowledges the deletion (or reports it), never on the operator's word alone.
//! A mute and a pin are the desk's side too (the viewer's comments dimmed, the comment on top
//! of the Chat pane), so they show at once and are taken back if the platform refuses them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;

use super::claims::{News, compile};
use super::outbox::Outbox;
use super::text::{keywords_regex, normalize_into};
use super::{Level, State, is_operator};
use crate::config::model::{BlockedConfig, ChatConfig};
use crate::protocol::{Command, ModAction, User};

/// The comment pinned on the stream, kept whole so it stays on screen after the chat log
/// lets it go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinned {
    pub msg_id: String,
    pub user_name: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// A mute's `(from, until)`, in desk time.
type Window = (DateTime<Utc>, DateTime<Utc>);

/// A moderation command sent and not yet answered, with what its answer changes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Waiting {
    /// Marked deleted when the platform says it is done.
    Delete { msg_id: String },
    /// Lifted if the platform refuses it.
    Mute { user_id: String, from: DateTime<Utc> },
    /// Put back as it was if the platform refuses it.
    Pin { msg_id: String, before: Option<Pinned> },
}

/// The desk's moderation state: blocked words, mutes, the pinned comment.
#[derive(Clone)]
pub struct Moderation {
    config: BlockedConfig,
    /// The blocked words, as one regex over the normalized comment.
    blocked: Option<Regex>,
    mute_seconds: u32,
    /// Mutes by viewer id, oldest first.
    muted: HashMap<String, Vec<Window>>,
    pinned: Option<Pinned>,
    waiting: HashMap<String, Waiting>,
    /// Comments hidden for a blocked word.
    hidden: u64,
    /// Whether the operator was told that blocked comments cannot be deleted on this platform.
    said_cannot_delete: bool,
    norm: String,
}

impl std::fmt::Debug for Moderation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Moderation")
            .field("blocked", &self.config.words.len())
            .field("muted", &self.muted.len())
            .field("pinned", &self.pinned)
            .field("hidden", &self.hidden)
            .finish()
    }
}

impl PartialEq for Moderation {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config
            && self.mute_seconds == other.mute_seconds
            && self.muted == other.muted
            && self.pinned == other.pinned
            && self.waiting == other.waiting
            && self.hidden == other.hidden
            && self.said_cannot_delete == other.said_cannot_delete
    }
}

impl Moderation {
    /// The moderation of a shop. Blocked words that do not compile were reported by
    /// `config check` and block nothing here.
    pub fn new(config: &ChatConfig) -> Moderation {
        let blocked = keywords_regex(&config.blocked.words).and_then(|re| match compile(&re) {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::warn!(error = %e, "blocked words skipped");
                None
            }
        });
        Moderation {
            config: config.blocked.clone(),
            blocked,
            mute_seconds: config.mute_seconds.max(1),
            muted: HashMap::new(),
            pinned: None,
            waiting: HashMap::new(),
            hidden: 0,
            said_cannot_delete: false,
            norm: String::new(),
        }
    }

    /// Whether a comment carries a blocked word.
    pub fn blocks(&mut self, text: &str) -> bool {
        let Some(re) = &self.blocked else { return false };
        normalize_into(text, &mut self.norm);
        re.is_match(&self.norm)
    }

    /// Comments hidden for a blocked word so far.
    pub fn hidden(&self) -> u64 {
        self.hidden
    }

    /// How long the mute key mutes, in seconds (`mute_seconds` in `chat.toml`).
    pub fn mute_seconds(&self) -> u32 {
        self.mute_seconds
    }

    /// Whether the viewer was muted at `at`: their comments from then are dimmed.
    pub fn muted_at(&self, user_id: &str, at: DateTime<Utc>) -> bool {
        if self.muted.is_empty() {
            return false;
        }
        self.muted.get(user_id).is_some_and(|w| w.iter().any(|(from, until)| *from <= at && at < *until))
    }

    /// When the viewer's mute ends, if they are muted at `now`.
    pub fn muted_until(&self, user_id: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let windows = self.muted.get(user_id)?;
        windows.iter().filter(|(from, until)| *from <= now && now < *until).map(|(_, until)| *until).max()
    }

    /// The comment pinned on the stream, if any.
    pub fn pinned(&self) -> Option<&Pinned> {
        self.pinned.as_ref()
    }

    /// Mutes a viewer from `from` to `until`; a mute still running is lengthened instead.
    fn mute(&mut self, user_id: &str, from: DateTime<Utc>, until: DateTime<Utc>) {
        let windows = self.muted.entry(user_id.to_owned()).or_default();
        match windows.last_mut() {
            Some((_, end)) if *end > from => *end = until,
            _ => windows.push((from, until)),
        }
    }

    /// Takes back the mute that began at `from` (the platform refused it).
    fn unmute(&mut self, user_id: &str, from: DateTime<Utc>) {
        if let Some(windows) = self.muted.get_mut(user_id) {
            windows.retain(|(f, _)| *f != from);
            if windows.is_empty() {
                self.muted.remove(user_id);
            }
        }
    }
}

/// How far back the chat is read for the name of a viewer the platform names by id.
const NAME_LOOKBACK: usize = 5_000;

/// `10 min`, `45 s`, `1 h 30 min`: how long a mute lasts.
pub fn span(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// The operator's moderation actions, and what the feed tells about them.
impl State {
    /// Asks the platform to delete a comment; it is struck out when the platform says so.
    pub(super) fn delete_message(&mut self, out: &mut Outbox, msg_id: String, now: DateTime<Utc>) {
        let Some(m) = self.chat.by_msg_id(&msg_id) else {
            out.notice(Level::Warn, format!("Cannot delete {msg_id}: it is no longer in the chat"), self.now);
            return;
        };
        let who = m.user_name.clone();
        if m.deleted {
            out.notice(Level::Info, format!("@{who}'s comment is already deleted"), self.now);
            return;
        }
        if !out.caps().delete {
            let text = format!(
                "Not deleted: this platform does not let livedesk delete comments; delete @{who}'s \
                 in the platform's own app"
            );
            out.notice(Level::Warn, text, self.now);
            return;
        }
        let reference = out.next_ref();
        self.moderation.waiting.insert(reference.clone(), Waiting::Delete { msg_id: msg_id.clone() });
        out.send(Command::DeleteChat { reference, msg_id }, format!("delete @{who}'s comment"), now);
        out.notice(Level::Info, format!("Asked the platform to delete @{who}'s comment"), self.now);
    }

    /// Mutes a viewer for `seconds` (the shop's `mute_seconds` when `None`): their comments
    /// are dimmed on the desk until the mute ends, and the platform mutes them where it can.
    pub(super) fn mute_viewer(
        &mut self,
        out: &mut Outbox,
        user_id: String,
        name: Option<String>,
        seconds: Option<u32>,
        now: DateTime<Utc>,
    ) {
        if user_id.is_empty() {
            out.notice(Level::Warn, "Cannot mute: the comment names no viewer".into(), self.now);
            return;
        }
        let who = name.filter(|n| !n.is_empty()).unwrap_or_else(|| user_id.clone());
        let seconds =
            seconds.unwrap_or(self.moderation.mute_seconds).clamp(1, crate::config::model::MUTE_MAX);
        let until = now + Duration::seconds(i64::from(seconds));
        self.moderation.mute(&user_id, now, until);
        let long = span(seconds);
        if !out.caps().mute {
            let text = format!(
                "@{who}'s comments are dimmed here for {long}, but not muted: this platform does not \
                 let livedesk mute; mute them in the platform's own app"
            );
            out.notice(Level::Warn, text, self.now);
            return;
        }
        let reference = out.next_ref();
        self.moderation
            .waiting
            .insert(reference.clone(), Waiting::Mute { user_id: user_id.clone(), from: now });
        out.send(Command::MuteUser { reference, user_id, seconds }, format!("mute @{who}"), now);
        out.notice(
            Level::Info,
            format!("Muted @{who} for {long}: their comments are dimmed until then"),
            self.now,
        );
    }

    /// Pins a comment on the stream and at the top of the Chat pane.
    pub(super) fn pin_message(&mut self, out: &mut Outbox, msg_id: String, now: DateTime<Utc>) {
        let Some(m) = self.chat.by_msg_id(&msg_id) else {
            out.notice(Level::Warn, format!("Cannot pin {msg_id}: it is no longer in the chat"), self.now);
            return;
        };
        if m.deleted {
            out.notice(
                Level::Warn,
                format!("Cannot pin @{}'s comment: it was deleted", m.user_name),
                self.now,
            );
            return;
        }
        let pin =
            Pinned { msg_id: msg_id.clone(), user_name: m.user_name.clone(), text: m.text.clone(), at: m.at };
        let who = pin.user_name.clone();
        let before = self.moderation.pinned.replace(pin);
        out.bump();
        if !out.caps().pin {
            let text = format!(
                "@{who}'s comment is pinned here only: this platform does not let livedesk pin; pin it \
                 in the platform's own app"
            );
            out.notice(Level::Warn, text, self.now);
            return;
        }
        let reference = out.next_ref();
        self.moderation.waiting.insert(reference.clone(), Waiting::Pin { msg_id: msg_id.clone(), before });
        out.send(Command::PinChat { reference, msg_id }, format!("pin @{who}'s comment"), now);
        out.notice(Level::Info, format!("Pinned @{who}'s comment"), self.now);
    }

    /// Pins a product on the stream (or unpins it): the desk shows it at once, and asks the
    /// platform to.
    pub(super) fn pin_product(&mut self, out: &mut Outbox, sku: Option<String>, now: DateTime<Utc>) {
        if let Some(s) = &sku
            && self.catalog.product(s).is_none()
        {
            return out.notice(Level::Warn, format!("Cannot pin {s}: not in the catalog"), self.now);
        }
        let label = match &sku {
            Some(s) => format!("pin {s}"),
            None => "unpin".into(),
        };
        self.pinned = sku.clone();
        let reference = out.next_ref();
        out.send(Command::PinProduct { reference, sku }, label.clone(), now);
        out.notice(Level::Info, format!("Asked the platform to {label}"), self.now);
    }

    /// What the platform's moderation did: a comment (or all of a viewer's) deleted, a viewer
    /// muted or banned there.
    pub(super) fn moderated_on_platform(
        &mut self,
        out: &mut Outbox,
        action: ModAction,
        msg_id: Option<String>,
        user_id: Option<String>,
        by: Option<String>,
        now: DateTime<Utc>,
    ) {
        let by = by.unwrap_or_else(|| "the platform".into());
        match (action, msg_id, user_id) {
            (ModAction::Deleted, Some(id), _) => {
                self.chat.mark_deleted(&id);
            }
            // A platform that deletes all of one viewer's messages (TikTok's imDelete).
            (ModAction::Deleted, None, Some(user)) => self.chat.mark_user_deleted(&user),
            (action @ (ModAction::Banned | ModAction::Muted), _, Some(user)) => {
                self.removed_on_platform(out, action, &user, &by, now);
            }
            _ => {}
        }
    }

    /// The platform's answer to a command: a deletion done is shown, a mute or pin refused is
    /// taken back. (The refusal itself is told by the ack's own notice.)
    pub(super) fn moderation_answered(&mut self, reference: &str, ok: bool) {
        let Some(waiting) = self.moderation.waiting.remove(reference) else { return };
        match (waiting, ok) {
            (Waiting::Delete { msg_id }, true) => {
                self.chat.mark_deleted(&msg_id);
            }
            (Waiting::Mute { user_id, from }, false) => self.moderation.unmute(&user_id, from),
            (Waiting::Pin { msg_id, before }, false)
                if self.moderation.pinned.as_ref().is_some_and(|p| p.msg_id == msg_id) =>
            {
                self.moderation.pinned = before;
            }
            _ => {}
        }
    }

    /// The platform muted (timed out) or banned a viewer: as the platform does, their comments
    /// leave the desk (struck out as deleted) and the units their claims held go to the next
    /// in line, so a removed viewer neither shows nor holds stock. The operator is told, by
    /// name where the chat knows it, unless it is the mute the operator just asked for.
    pub(super) fn removed_on_platform(
        &mut self,
        out: &mut Outbox,
        action: ModAction,
        user_id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) {
        let who = self.viewer_name(user_id);
        let asked_here = self
            .moderation
            .waiting
            .values()
            .any(|w| matches!(w, Waiting::Mute { user_id: u, .. } if u == user_id))
            || self.moderation.muted_until(user_id, self.now).is_some();
        match action {
            ModAction::Banned => out.notice(Level::Info, format!("{who} was banned by {by}"), self.now),
            _ if asked_here => {}
            _ => out.notice(Level::Info, format!("{who} was muted by {by}"), self.now),
        }
        self.chat.mark_user_deleted(user_id);
        let held: Vec<u64> = self.claims.open().filter(|c| c.user_id == user_id).map(|c| c.id).collect();
        if held.is_empty() {
            return;
        }
        let mut news = Vec::new();
        for id in &held {
            // An open claim can always be rejected; its units are released as it goes.
            let _ = self.claims.reject(&mut self.catalog, *id, now, &mut news);
        }
        // The removed viewer gets no reply; whoever is served next from the waitlist does.
        news.retain(|n| !matches!(n, News::Rejected { claim } if claim.user_id == user_id));
        let ids: Vec<String> = held.iter().map(|id| format!("#{id}")).collect();
        out.notice(
            Level::Info,
            format!("Released {who}'s claims {}: removed by {by}", ids.join(", ")),
            self.now,
        );
        self.claim_news(out, news, now);
    }

    /// `@name` for a viewer the platform names by id, where the chat knows them; else the id.
    fn viewer_name(&self, user_id: &str) -> String {
        let name = self.chat.messages().iter().rev().take(NAME_LOOKBACK).find(|m| m.user_id == user_id);
        name.map_or_else(|| user_id.to_owned(), |m| format!("@{}", m.user_name))
    }

    /// A viewer comment with a blocked word: counted and kept off the desk (no view shows it,
    /// no claim is read from it), and deleted on the platform if the shop asks. Returns
    /// whether it was blocked.
    pub(super) fn hide_blocked(
        &mut self,
        out: &mut Outbox,
        msg_id: &str,
        user: &User,
        text: &str,
        now: DateTime<Utc>,
    ) -> bool {
        if is_operator(user) || !self.moderation.blocks(text) {
            return false;
        }
        self.moderation.hidden += 1;
        self.stats.chat_at(now.timestamp());
        if !self.moderation.config.delete_on_platform || msg_id.is_empty() {
            return true;
        }
        if !out.caps().delete {
            if !self.moderation.said_cannot_delete {
                self.moderation.said_cannot_delete = true;
                let text = "Comments with blocked words are hidden here only: this platform does not let \
                            livedesk delete them"
                    .to_owned();
                out.notice(Level::Warn, text, self.now);
            }
            return true;
        }
        let reference = out.next_ref();
        let command = Command::DeleteChat { reference, msg_id: msg_id.to_owned() };
        out.send(command, format!("delete @{}'s comment with a blocked word", user.name), now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moderation(words: &[&str]) -> Moderation {
        let mut config = ChatConfig::default();
        config.blocked.words = words.iter().map(|w| w.to_string()).collect();
        Moderation::new(&config)
    }

    #[test]
    fn blocked_words_match_whole_words_with_case_punctuation_and_emoji_ignored() {
        let mut m = moderation(&["scam", "fake shop", "estafa"]);
        let table = [
            ("this is a SCAM!!", true),
            ("scam", true),
            ("💩scam💩", true),
            ("what a fake   shop.", true),
            ("¡Es una ESTAFA!", true),
            ("scampi for dinner", false),
            ("scammer", false),
            ("fake nails shop", false),
            ("", false),
        ];
        for (text, want) in table {
            assert_eq!(m.blocks(text), want, "{text:?}");
        }
        assert!(!moderation(&[]).blocks("scam"), "no words, nothing blocked");
    }

    #[test]
    fn a_mute_covers_its_window_and_a_second_one_lengthens_it() {
        let mut m = moderation(&[]);
        let t = |s: i64| DateTime::<Utc>::from_timestamp(1_000 + s, 0).unwrap();
        m.mute("u", t(0), t(600));
        assert!(!m.muted_at("u", t(-1)));
        assert!(m.muted_at("u", t(0)));
        assert!(m.muted_at("u", t(599)));
        assert!(!m.muted_at("u", t(600)));
        assert!(!m.muted_at("other", t(10)));
        m.mute("u", t(300), t(900));
        assert_eq!(m.muted_until("u", t(700)), Some(t(900)));
        m.mute("u", t(1000), t(1100));
        assert!(!m.muted_at("u", t(950)), "a gap between two mutes is not muted");
        m.unmute("u", t(1000));
        assert!(!m.muted_at("u", t(1050)));
        assert!(m.muted_at("u", t(100)));
    }

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(45), "45 s");
        assert_eq!(span(600), "10 min");
        assert_eq!(span(90), "1 min 30 s");
        assert_eq!(span(3600), "1 h");
        assert_eq!(span(5400), "1 h 30 min");
    }
}
