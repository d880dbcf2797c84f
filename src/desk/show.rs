//! The run of show: the cue on now, the one after it, how long the current one has been on,
//! and the timed cues that have come due. The operator moves the show on (an action, so the
//! journal keeps it and every console agrees); time comes in, so a timed cue comes due on
//! the input or tick that reaches its time.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::action::Action;
use super::giveaways::{GiveawayState, Seed};
use super::outbox::Outbox;
use super::sales::SaleState;
use super::{Level, State};
use crate::config::model::{CueKind, ShowPlan, parse_cue_at};

/// One cue of the show, as show.toml planned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cue {
    /// Present a product: its talking points, and the minutes planned for it.
    Product { sku: String, points: Vec<String>, minutes: Option<u32> },
    /// A flash sale of the plan, by id.
    Sale { id: String },
    /// A giveaway of giveaways.toml, by id.
    Giveaway { id: String },
    /// Words for the host; `at` (seconds from the show's start) makes it a timed cue.
    Say { text: String, at: Option<u32> },
}

/// Where the show is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Show {
    cues: Vec<Cue>,
    /// The cue on now; `None` before the first.
    current: Option<usize>,
    /// When the first cue came on: timed cues count from here.
    started_at: Option<DateTime<Utc>>,
    /// When the current cue came on.
    since: Option<DateTime<Utc>>,
    /// Timed cues whose time has come, by index.
    due: BTreeSet<usize>,
    /// Sale and giveaway cues planned with `start = true` that the show has not yet moved
    /// onto: each starts its sale or giveaway once, the first time it is reached.
    starts: BTreeSet<usize>,
}

impl Show {
    /// The show of a plan, before its first cue (the checker has made each cue one thing).
    pub fn new(plan: &ShowPlan) -> Show {
        let starts = plan
            .cues
            .iter()
            .enumerate()
            .filter(|(_, c)| c.start && (c.sale.is_some() || c.giveaway.is_some()))
            .map(|(i, _)| i)
            .collect();
        let cues = plan
            .cues
            .iter()
            .filter_map(|c| {
                Some(match c.kinds().first()? {
                    CueKind::Product(sku) => {
                        Cue::Product { sku: (*sku).into(), points: c.points.clone(), minutes: c.minutes }
                    }
                    CueKind::Sale(id) => Cue::Sale { id: (*id).into() },
                    CueKind::Giveaway(id) => Cue::Giveaway { id: (*id).into() },
                    CueKind::Say(text) => Cue::Say {
                        text: (*text).into(),
                        at: c.at.as_deref().and_then(|t| parse_cue_at(t).ok()),
                    },
                })
            })
            .collect();
        Show { cues, starts, ..Show::default() }
    }

    /// Whether cue `i` starts its sale or giveaway when the show moves onto it (it has
    /// `start = true` and has not been reached yet).
    pub fn starts_on_arrival(&self, i: usize) -> bool {
        self.starts.contains(&i)
    }

    /// Whether there is a show at all.
    pub fn is_empty(&self) -> bool {
        self.cues.is_empty()
    }

    /// Every cue, in order.
    pub fn cues(&self) -> &[Cue] {
        &self.cues
    }

    /// The cue on now and its index.
    pub fn current(&self) -> Option<(usize, &Cue)> {
        self.current.map(|i| (i, &self.cues[i]))
    }

    /// The cue the next-cue key brings on: the first, before the show begins.
    pub fn next(&self) -> Option<(usize, &Cue)> {
        let i = self.current.map_or(0, |i| i + 1);
        self.cues.get(i).map(|c| (i, c))
    }

    /// How long the current cue has been on at `now`.
    pub fn on_for(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.since.map(|since| (now - since).max(Duration::zero()))
    }

    /// When a timed cue comes due (once the show has begun).
    pub fn due_at(&self, i: usize) -> Option<DateTime<Utc>> {
        match self.cues.get(i)? {
            Cue::Say { at: Some(at), .. } => Some(self.started_at? + Duration::seconds(i64::from(*at))),
            _ => None,
        }
    }

    /// Timed cues that have come due and the show has not reached yet, in order.
    pub fn due(&self) -> impl Iterator<Item = (usize, &Cue)> {
        let after = self.current.map_or(0, |i| i + 1);
        self.due.range(after..).map(|&i| (i, &self.cues[i]))
    }

    /// How many timed cues have come due so far.
    pub fn came_due(&self) -> usize {
        self.due.len()
    }

    /// Moves onto the next cue (or back one) at `now`; the cue now on, or why not.
    fn step(&mut self, forward: bool, now: DateTime<Utc>) -> Result<usize, &'static str> {
        let to = match (self.current, forward) {
            (_, _) if self.cues.is_empty() => return Err("no run of show"),
            (None, true) => 0,
            (None, false) => return Err("the show has not begun"),
            (Some(i), true) if i + 1 >= self.cues.len() => return Err("the show is at its last cue"),
            (Some(i), true) => i + 1,
            (Some(0), false) => return Err("the show is at its first cue"),
            (Some(i), false) => i - 1,
        };
        self.started_at.get_or_insert(now);
        self.current = Some(to);
        self.since = Some(now);
        Ok(to)
    }

    /// Marks the timed cues whose time has come by `now`, and returns them.
    fn come_due(&mut self, now: DateTime<Utc>) -> Vec<usize> {
        let ready: Vec<usize> = (0..self.cues.len())
            .filter(|&i| !self.due.contains(&i) && self.due_at(i).is_some_and(|t| t <= now))
            .collect();
        self.due.extend(&ready);
        ready
    }

    /// Whether the show has yet to reach cue `i`.
    fn ahead(&self, i: usize) -> bool {
        self.current.is_none_or(|c| i > c)
    }
}

impl State {
    /// The operator moves the show on (or back) one cue; moving onto a `start = true` cue
    /// the first time starts its sale or giveaway, with `seed` for a giveaway's draw.
    pub(in crate::desk) fn show_step(
        &mut self,
        out: &mut Outbox,
        forward: bool,
        seed: Option<Seed>,
        now: DateTime<Utc>,
    ) {
        match self.show.step(forward, now) {
            Ok(i) => {
                let text = format!(
                    "Show {}/{}: {}",
                    i + 1,
                    self.show.cues.len(),
                    self.cue_title(&self.show.cues[i])
                );
                out.notice(Level::Info, text, now);
                if forward && self.show.starts.remove(&i) {
                    self.start_cue(out, i, seed, now);
                }
                self.pin_cue(out, i, now);
            }
            Err(why) if self.show.is_empty() => out.notice(
                Level::Warn,
                format!("{why}: write show.toml in the config dir, or run with --show FILE"),
                now,
            ),
            Err(why) => out.notice(Level::Warn, format!("Not moved: {why}"), now),
        }
    }

    /// The clock: timed cues whose time has come are due, told once. That changes state with
    /// no input of its own, so the journal keeps this tick.
    pub(in crate::desk) fn show_tick(&mut self, out: &mut Outbox, now: DateTime<Utc>) {
        if self.show.started_at.is_none() {
            return;
        }
        let due = self.show.come_due(now);
        if due.is_empty() {
            return;
        }
        out.bump();
        // One the operator already moved past was said: it is marked, not told.
        for i in due.into_iter().filter(|&i| self.show.ahead(i)) {
            let text = format!(
                "Cue due ({}/{}): {}",
                i + 1,
                self.show.cues.len(),
                self.cue_title(&self.show.cues[i])
            );
            out.notice(Level::Warn, text, now);
        }
    }

    /// A product cue puts its product on screen, as the pin key would: the host now shows
    /// it, so "mine!" claims it and the platform's card shows it. Not while a flash sale is
    /// live (its product holds the screen), nor when it is pinned already.
    fn pin_cue(&mut self, out: &mut Outbox, i: usize, now: DateTime<Utc>) {
        let Cue::Product { sku, .. } = &self.show.cues[i] else { return };
        if self.sales.live().is_some() || self.pinned.as_deref() == Some(sku.as_str()) {
            return;
        }
        self.pin_product(out, Some(sku.clone()), now);
    }

    /// Whether a sale or giveaway cue's sale or giveaway has not run yet, so its start key
    /// (or arriving on it, with `start = true`) would start it.
    pub(in crate::desk) fn waits_to_start(&self, cue: &Cue) -> bool {
        match cue {
            Cue::Sale { id } => {
                self.sales.all().iter().any(|s| s.spec.id == *id && s.state == SaleState::Planned)
            }
            Cue::Giveaway { id } => {
                self.giveaways.all().iter().any(|g| g.spec.id == *id && g.state == GiveawayState::Planned)
            }
            Cue::Product { .. } | Cue::Say { .. } => false,
        }
    }

    /// Starts the sale or giveaway of cue `i` through the same action the start keys send,
    /// unless the operator already started it by hand.
    fn start_cue(&mut self, out: &mut Outbox, i: usize, seed: Option<Seed>, now: DateTime<Utc>) {
        let planned = self.waits_to_start(&self.show.cues[i]);
        match &self.show.cues[i] {
            Cue::Sale { id } => {
                if planned {
                    let action = Action::StartSale { id: id.clone() };
                    self.sale_action(out, &action, now);
                }
            }
            Cue::Giveaway { id } => {
                match seed {
                    Some(seed) if planned => {
                        self.giveaway_action(out, Action::StartGiveaway { id: Some(id.clone()), seed }, now)
                    }
                    Some(_) => {}
                    // A step written without a seed (a script line) cannot draw fairly: the
                    // operator starts it with the giveaway key, which picks one.
                    None if planned => out.notice(
                        Level::Warn,
                        format!("Giveaway {id} not started: the step carried no seed; start it by hand"),
                        now,
                    ),
                    None => {}
                }
            }
            Cue::Product { .. } | Cue::Say { .. } => {}
        }
    }

    /// A cue in a few words, for the notices.
    fn cue_title(&self, cue: &Cue) -> String {
        match cue {
            Cue::Product { sku, .. } => match self.catalog.product(sku) {
                Some(p) => p.name.clone(),
                None => sku.clone(),
            },
            Cue::Sale { id } => format!("flash sale {id}"),
            Cue::Giveaway { id } => format!("giveaway {id}"),
            Cue::Say { text, .. } => format!("say \"{text}\""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::CueSpec;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(secs)
    }

    fn plan() -> Show {
        let say = |text: &str, at: Option<&str>| CueSpec {
            say: Some(text.into()),
            at: at.map(Into::into),
            ..CueSpec::default()
        };
        Show::new(&ShowPlan {
            cues: vec![
                CueSpec { product: Some("MUG".into()), points: vec!["big".into()], ..CueSpec::default() },
                CueSpec { sale: Some("mug-flash".into()), ..CueSpec::default() },
                say("free shipping", Some("1:30")),
                say("thanks", None),
            ],
        })
    }

    #[test]
    fn the_show_steps_on_and_back_within_its_cues() {
        let mut show = plan();
        assert_eq!(show.current(), None);
        assert_eq!(show.next().map(|(i, _)| i), Some(0), "the first cue is next before the show begins");
        assert_eq!(show.step(false, t(0)), Err("the show has not begun"));
        assert_eq!(show.step(true, t(10)), Ok(0));
        assert_eq!(show.on_for(t(25)), Some(Duration::seconds(15)));
        assert_eq!(show.step(true, t(40)), Ok(1));
        assert_eq!(show.current().map(|(_, c)| c), Some(&Cue::Sale { id: "mug-flash".into() }));
        assert_eq!(show.on_for(t(41)), Some(Duration::seconds(1)), "time on the item starts again");
        assert_eq!(show.step(false, t(50)), Ok(0));
        assert_eq!(show.step(false, t(51)), Err("the show is at its first cue"));
        for _ in 0..3 {
            show.step(true, t(60)).unwrap();
        }
        assert_eq!(show.step(true, t(61)), Err("the show is at its last cue"));
        assert_eq!(show.next(), None);
        assert_eq!(Show::default().step(true, t(0)), Err("no run of show"));
    }

    #[test]
    fn a_timed_cue_comes_due_from_the_shows_start_once_and_only_ahead_of_the_show() {
        let mut show = plan();
        assert!(show.come_due(t(1_000)).is_empty(), "no clock before the show begins");
        show.step(true, t(100)).unwrap();
        assert_eq!(show.due_at(2), Some(t(190)));
        assert!(show.come_due(t(189)).is_empty());
        assert_eq!(show.come_due(t(190)), vec![2]);
        assert!(show.come_due(t(191)).is_empty(), "told once");
        assert_eq!(show.due().map(|(i, _)| i).collect::<Vec<_>>(), vec![2]);
        show.step(true, t(200)).unwrap();
        show.step(true, t(201)).unwrap();
        assert_eq!(show.due().count(), 0, "reached: no longer waiting");

        let mut late = plan();
        late.step(true, t(0)).unwrap();
        for _ in 0..3 {
            late.step(true, t(5)).unwrap();
        }
        assert_eq!(late.come_due(t(90)), vec![2]);
        assert!(!late.ahead(2), "a cue the show has passed is marked, not told");
        assert_eq!(late.due().count(), 0);
    }
}
