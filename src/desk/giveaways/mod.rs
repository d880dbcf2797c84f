//! Giveaways: a prize drawn among the viewers who entered by a keyword comment.
//!
//! A giveaway's life: planned → open (taking entries until its countdown ends) → drawn.
//! One is open at a time, so a keyword comment is never an entry to two. Each runs once.
//!
//! The rules for entering, checked in this order on every comment with the keyword in it
//! (as whole words of the normalized comment) while a giveaway is open:
//! - the shop's own comments never enter;
//! - a viewer already entered is counted as a repeat, not entered again;
//! - a viewer whose region the platform names and the shop does not ship to is refused
//!   (the can't-ship gate; an unknown region may enter: the desk cannot tell);
//! - with `followers_only`, a viewer is refused unless the platform marks them a follower
//!   or they followed during this stream;
//! - with `min_watch_seconds`, a viewer is refused until that long has passed since they
//!   joined the stream (or were first seen, with no join).
//!
//! Refusals are silent in the chat (the desk does not argue with viewers) and counted, so
//! the pane says how many were turned away and why. A viewer refused once may enter later
//! if the reason passes (watched long enough, followed).
//!
//! The draw is [`draw::draw`], from the seed the start action carried (or, drawn early by
//! hand, the draw action's own) and the entrants in entry order: both are in the journal,
//! so a replay or a rebuild draws the same winners.

pub mod draw;
mod rules;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

pub use draw::Seed;

use crate::config::model::GiveawaySpec;

/// Where a giveaway is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GiveawayState {
    /// Not started yet.
    Planned,
    /// Taking entries until `ends_at`; the draw will use `seed`.
    Open { ends_at: DateTime<Utc>, seed: Seed },
    /// Drawn at `at` with `seed` (the start's, or an early draw's own): `winners` are indices
    /// into the entrants, in the order drawn.
    Drawn { seed: Seed, winners: Vec<usize>, at: DateTime<Utc> },
}

impl GiveawayState {
    /// The state's name, as the summary writes it.
    pub fn name(&self) -> &'static str {
        match self {
            GiveawayState::Planned => "planned",
            GiveawayState::Open { .. } => "open",
            GiveawayState::Drawn { .. } => "drawn",
        }
    }
}

/// A viewer who entered, with the comment that entered them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entrant {
    pub user_id: String,
    pub name: String,
    pub msg_id: String,
}

/// Why a keyword comment did not enter its viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The shop does not ship to the viewer's region.
    CantShip,
    /// `followers_only`, and the viewer does not follow.
    NotFollower,
    /// `min_watch_seconds`, and the viewer has not watched that long.
    TooSoon,
    /// The viewer entered already.
    Repeat,
}

/// Keyword comments that did not enter, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Refused {
    pub cant_ship: u32,
    pub not_follower: u32,
    pub too_soon: u32,
    pub repeats: u32,
}

impl Refused {
    fn count(&mut self, why: Refusal) {
        let n = match why {
            Refusal::CantShip => &mut self.cant_ship,
            Refusal::NotFollower => &mut self.not_follower,
            Refusal::TooSoon => &mut self.too_soon,
            Refusal::Repeat => &mut self.repeats,
        };
        *n += 1;
    }

    /// Refused for a rule (repeats aside: they did enter, once).
    pub fn ruled_out(&self) -> u32 {
        self.cant_ship + self.not_follower + self.too_soon
    }
}

/// One giveaway of the plan, its entrants and its draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Giveaway {
    pub spec: GiveawaySpec,
    pub state: GiveawayState,
    /// In the order they entered: the order the draw reads them in.
    pub entrants: Vec<Entrant>,
    pub refused: Refused,
    entered: HashSet<String>,
    /// The keyword as the desk reads comments.
    keyword: String,
}

impl Giveaway {
    fn new(spec: &GiveawaySpec) -> Giveaway {
        Giveaway {
            keyword: crate::text::normalize(&spec.keyword),
            spec: spec.clone(),
            state: GiveawayState::Planned,
            entrants: Vec::new(),
            refused: Refused::default(),
            entered: HashSet::new(),
        }
    }

    /// Time left to enter (zero unless open).
    pub fn remaining(&self, now: DateTime<Utc>) -> Duration {
        match self.state {
            GiveawayState::Open { ends_at, .. } => (ends_at - now).max(Duration::zero()),
            _ => Duration::zero(),
        }
    }

    /// The winners, in the order drawn (none before the draw).
    pub fn winners(&self) -> impl Iterator<Item = &Entrant> {
        let picks = match &self.state {
            GiveawayState::Drawn { winners, .. } => winners.as_slice(),
            _ => &[],
        };
        picks.iter().filter_map(|&i| self.entrants.get(i))
    }

    /// The draw's seed, once drawn (it stays off screen while entries are taken).
    pub fn drawn_seed(&self) -> Option<Seed> {
        match self.state {
            GiveawayState::Drawn { seed, .. } => Some(seed),
            _ => None,
        }
    }

    /// Whether a normalized comment has the keyword.
    fn has_keyword(&self, norm: &str) -> bool {
        crate::text::has_words(norm, &self.keyword)
    }
}

/// What the desk knows of a viewer who wrote the keyword, for the entry rules.
pub struct Candidate<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub msg_id: &'a str,
    /// Whether the shop ships to their region (true when it is unknown or the gate is off).
    pub ships: bool,
    pub follower: bool,
    /// How long they have watched.
    pub watched: Duration,
}

/// Why a giveaway could not start or draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GiveawayError {
    NotFound(String),
    NonePlanned,
    AlreadyOpen(String),
    AlreadyDrawn(String),
    NoneOpen,
}

impl std::fmt::Display for GiveawayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GiveawayError::NotFound(id) => write!(f, "no giveaway `{id}` in giveaways.toml"),
            GiveawayError::NonePlanned => f.write_str("every giveaway in giveaways.toml has been drawn"),
            GiveawayError::AlreadyOpen(id) => write!(f, "giveaway {id} is taking entries"),
            GiveawayError::AlreadyDrawn(id) => write!(f, "giveaway {id} was drawn already"),
            GiveawayError::NoneOpen => f.write_str("no giveaway is taking entries"),
        }
    }
}

/// The stream's giveaways, and what the entry rules need to know of its viewers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Giveaways {
    list: Vec<Giveaway>,
    /// When each viewer first joined this stream.
    joined: HashMap<String, DateTime<Utc>>,
    /// Viewers who followed during this stream.
    followed: HashSet<String>,
}

impl Giveaways {
    /// The plan, nothing started.
    pub fn new(plan: &[GiveawaySpec]) -> Giveaways {
        Giveaways { list: plan.iter().map(Giveaway::new).collect(), ..Default::default() }
    }

    /// Every giveaway, in plan order.
    pub fn all(&self) -> &[Giveaway] {
        &self.list
    }

    /// The giveaway taking entries, if any.
    pub fn open(&self) -> Option<&Giveaway> {
        self.list.iter().find(|g| matches!(g.state, GiveawayState::Open { .. }))
    }

    /// The next giveaway the start key would start.
    pub fn next_planned(&self) -> Option<&Giveaway> {
        self.list.iter().find(|g| g.state == GiveawayState::Planned)
    }

    /// The giveaway drawn last, if any.
    pub fn last_drawn(&self) -> Option<&Giveaway> {
        self.list.iter().filter(|g| g.drawn_seed().is_some()).max_by_key(|g| match g.state {
            GiveawayState::Drawn { at, .. } => at,
            _ => DateTime::<Utc>::UNIX_EPOCH,
        })
    }

    /// A viewer joined: their watch time counts from their first join.
    pub fn joined(&mut self, user_id: &str, at: DateTime<Utc>) {
        self.joined.entry(user_id.to_owned()).or_insert(at);
    }

    /// When a viewer first joined this stream, if the platform said.
    pub fn joined_at(&self, user_id: &str) -> Option<DateTime<Utc>> {
        self.joined.get(user_id).copied()
    }

    /// A viewer followed the stream.
    pub fn followed(&mut self, user_id: &str) {
        self.followed.insert(user_id.to_owned());
    }

    /// Whether a viewer followed during this stream.
    pub fn has_followed(&self, user_id: &str) -> bool {
        self.followed.contains(user_id)
    }

    /// Opens giveaway `id` (`None`: the next planned) for its seconds, with its draw's seed.
    pub fn start(
        &mut self,
        id: Option<&str>,
        seed: Seed,
        now: DateTime<Utc>,
    ) -> Result<usize, GiveawayError> {
        if let Some(open) = self.open() {
            return Err(GiveawayError::AlreadyOpen(open.spec.id.clone()));
        }
        let i = match id {
            Some(id) => self
                .list
                .iter()
                .position(|g| g.spec.id == id)
                .ok_or_else(|| GiveawayError::NotFound(id.into()))?,
            None => self
                .list
                .iter()
                .position(|g| g.state == GiveawayState::Planned)
                .ok_or(GiveawayError::NonePlanned)?,
        };
        let g = &mut self.list[i];
        if g.state != GiveawayState::Planned {
            return Err(GiveawayError::AlreadyDrawn(g.spec.id.clone()));
        }
        let ends_at = now + Duration::seconds(i64::from(g.spec.seconds));
        g.state = GiveawayState::Open { ends_at, seed };
        Ok(i)
    }

    /// Whether the open giveaway's countdown has run out.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.open().is_some_and(|g| matches!(g.state, GiveawayState::Open { ends_at, .. } if now >= ends_at))
    }

    /// Draws the open giveaway's winners now, with `early`'s seed if given (a draw before
    /// the countdown's end), else the start's; returns its index.
    pub fn draw(&mut self, early: Option<Seed>, now: DateTime<Utc>) -> Result<usize, GiveawayError> {
        let i = self
            .list
            .iter()
            .position(|g| matches!(g.state, GiveawayState::Open { .. }))
            .ok_or(GiveawayError::NoneOpen)?;
        let g = &mut self.list[i];
        let GiveawayState::Open { seed, .. } = g.state else { unreachable!("found open") };
        let seed = early.unwrap_or(seed);
        let winners = draw::draw(seed, g.entrants.len(), g.spec.winners as usize);
        g.state = GiveawayState::Drawn { seed, winners, at: now };
        Ok(i)
    }

    /// A comment while a giveaway is open: whether its viewer entered (`Ok`), why not
    /// (`Err`), or `None` when it is no entry (nothing open, or no keyword).
    pub fn enter(&mut self, norm: &str, c: &Candidate<'_>) -> Option<Result<(), Refusal>> {
        let g = self.list.iter_mut().find(|g| matches!(g.state, GiveawayState::Open { .. }))?;
        if !g.has_keyword(norm) {
            return None;
        }
        let refusal = if g.entered.contains(c.user_id) {
            Some(Refusal::Repeat)
        } else if !c.ships {
            Some(Refusal::CantShip)
        } else if g.spec.followers_only && !c.follower {
            Some(Refusal::NotFollower)
        } else if c.watched < Duration::seconds(i64::from(g.spec.min_watch_seconds)) {
            Some(Refusal::TooSoon)
        } else {
            None
        };
        if let Some(why) = refusal {
            g.refused.count(why);
            return Some(Err(why));
        }
        g.entered.insert(c.user_id.to_owned());
        g.entrants.push(Entrant { user_id: c.user_id.into(), name: c.name.into(), msg_id: c.msg_id.into() });
        Some(Ok(()))
    }
}
