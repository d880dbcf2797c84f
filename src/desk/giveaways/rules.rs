//! The desk's giveaway rules: the operator's start and draw, the countdown's end, entries
//! from comments, and the chat lines that open a giveaway and name its winners.

use chrono::{DateTime, Duration, Utc};

use super::{Candidate, Giveaway, Giveaways, Seed};
use crate::desk::held::{How, Outgoing};
use crate::desk::outbox::Outbox;
use crate::desk::{Action, Desk, Level, Link, State, clock, is_operator};
use crate::protocol::User;

/// What a giveaway says when it starts, unless `start_text` says otherwise.
const START_TEXT: &str = "Giveaway! Comment \"{keyword}\" in the next {time_left} to win {prize}.";
/// What it says at the draw, unless `winners_text` says otherwise.
const WINNERS_TEXT: &str =
    "Congratulations {winners}: you won {prize}! ({entrants} entered, draw seed {seed})";

impl Desk {
    /// The stream's giveaways: the plan, the one taking entries, the winners drawn.
    pub fn giveaways(&self) -> &Giveaways {
        &self.state.giveaways
    }
}

impl State {
    /// An operator's start or draw; any other action is not the giveaways' business.
    pub(in crate::desk) fn giveaway_action(&mut self, out: &mut Outbox, action: Action, now: DateTime<Utc>) {
        match action {
            Action::StartGiveaway { id, seed } => match self.giveaways.start(id.as_deref(), seed, now) {
                Ok(i) => self.giveaway_started(out, i, now),
                Err(e) => out.notice(Level::Warn, format!("Cannot start giveaway: {e}"), self.now),
            },
            Action::DrawGiveaway { seed } => self.draw_giveaway(out, Some(seed), now),
            _ => {}
        }
    }

    /// The clock: an open giveaway whose countdown has run out is drawn, before any input
    /// at this instant can enter it. The draw changes state with no input of its own, so
    /// the journal keeps this tick.
    pub(in crate::desk) fn giveaway_tick(&mut self, out: &mut Outbox, now: DateTime<Utc>) {
        if self.giveaways.due(now) {
            out.bump();
            self.draw_giveaway(out, None, now);
        }
    }

    /// A viewer joined the stream: counted, and their watch time starts.
    pub(in crate::desk) fn joined(&mut self, user: &User, now: DateTime<Utc>) {
        self.stats.joins += 1;
        self.giveaways.joined(&user.id, now);
    }

    /// A viewer followed the stream: counted, and a followers-only giveaway takes them.
    pub(in crate::desk) fn followed(&mut self, user: &User) {
        self.stats.follows += 1;
        self.giveaways.followed(&user.id);
    }

    /// A comment, read as an entry to the open giveaway if it has the keyword.
    pub(in crate::desk) fn giveaway_entry(
        &mut self,
        user: &User,
        text: &str,
        msg_id: &str,
        now: DateTime<Utc>,
    ) {
        if self.giveaways.open().is_none() || is_operator(user) {
            return;
        }
        let norm = crate::text::normalize(text);
        let region = user.region.as_deref().filter(|r| !r.is_empty());
        let ships = !self.shipping.enabled() || region.is_none_or(|r| self.shipping.ships(r));
        let first_here = self.viewers.get(&user.id).map(|v| v.first_seen);
        let since = match (self.giveaways.joined_at(&user.id), first_here) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(now),
        };
        let candidate = Candidate {
            user_id: &user.id,
            name: &user.name,
            msg_id,
            ships,
            follower: user.follower || self.giveaways.has_followed(&user.id),
            watched: now - since,
        };
        self.giveaways.enter(&norm, &candidate);
    }

    /// Draws the open giveaway (with an early draw's own seed, else the start's), says who
    /// won, and names them in the chat.
    fn draw_giveaway(&mut self, out: &mut Outbox, early: Option<Seed>, now: DateTime<Utc>) {
        let i = match self.giveaways.draw(early, now) {
            Ok(i) => i,
            Err(e) => return out.notice(Level::Warn, format!("Cannot draw: {e}"), self.now),
        };
        let g = self.giveaways.all()[i].clone();
        let seed = g.drawn_seed().map(|s| s.to_string()).unwrap_or_default();
        let names = mentions(&g);
        if names.is_empty() {
            let text = format!("Giveaway {} drawn: no one entered (seed {seed})", g.spec.id);
            return out.notice(Level::Warn, text, self.now);
        }
        let text = format!(
            "Giveaway {} drawn: {} won {} ({} entered, seed {seed})",
            g.spec.id,
            names,
            g.spec.prize,
            g.entrants.len()
        );
        out.notice(Level::Info, text, self.now);
        if self.ended() || self.link == Link::Ended {
            let text = format!("The stream has ended: tell {names} yourself that they won");
            return out.notice(Level::Warn, text, self.now);
        }
        let template = g.spec.winners_text.as_deref().unwrap_or(WINNERS_TEXT);
        let said = fill(template, &g, Some(&names), Duration::zero());
        // The check reads it without the winners' names: a viewer called Paris is no place.
        let checked = fill(template, &g, Some(""), Duration::zero());
        let label = format!("giveaway {} winners", g.spec.id);
        self.say(out, said, checked, label, now);
    }

    /// Says in the chat that giveaway `i` is open.
    fn giveaway_started(&mut self, out: &mut Outbox, i: usize, now: DateTime<Utc>) {
        let g = self.giveaways.all()[i].clone();
        let left = g.remaining(now);
        let text = format!(
            "Giveaway {} started: comment \"{}\" to enter, {} to go",
            g.spec.id,
            g.spec.keyword,
            clock(left)
        );
        out.notice(Level::Info, text, self.now);
        let said = fill(g.spec.start_text.as_deref().unwrap_or(START_TEXT), &g, None, left);
        let label = format!("giveaway {} start", g.spec.id);
        self.say(out, said.clone(), said, label, now);
    }

    /// A giveaway's line to the chat, through the pre-send check.
    fn say(&mut self, out: &mut Outbox, text: String, checked: String, label: String, now: DateTime<Utc>) {
        let outgoing =
            Outgoing { text, checked, reply_to: None, label, prices: None, places: true, how: How::Said };
        self.send_checked(out, outgoing, now);
    }
}

/// The winners as the chat names them: `@ann`, `@ann and @bo`, `@ann, @bo and @cy`.
fn mentions(g: &Giveaway) -> String {
    let names: Vec<String> = g.winners().map(|w| format!("@{}", w.name)).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// A giveaway's text with its fields filled (the config check allows only these), in one
/// pass: a prize or a name with braces in it is never read as a field.
fn fill(template: &str, g: &Giveaway, winners: Option<&str>, left: Duration) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let value = match &after[..close] {
                "prize" => g.spec.prize.clone(),
                "keyword" => g.spec.keyword.clone(),
                "time_left" => clock(left),
                "count" => g.spec.winners.to_string(),
                "winners" => winners.unwrap_or_default().to_owned(),
                "entrants" => g.entrants.len().to_string(),
                "seed" => g.drawn_seed().map(|s| s.to_string()).unwrap_or_default(),
                _ => return None,
            };
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(&value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
