//! The feed's health over a session: outages, gaps, replays dropped, frames that could not
//! be read, and quiet spells, when the feed delivers no comment although many are watching.
//!
//! A feed can go silent while its socket stays up (a relay that stalls, a platform that stops
//! pushing chat), and a silence is the one failure nothing else reports. The rules:
//!
//! - **Quiet spell.** No comment (`chat` or `question`, the shop's own and blocked ones
//!   included: they show the feed delivers) for `quiet_after` while the last viewer count is
//!   at least `quiet_min_viewers`. A small stream is legitimately quiet, so the count gates
//!   it. The spell *is* the silence: it starts at the last comment (or at the moment comments
//!   could first arrive), so its length is how long no comment came, and it ends at the next
//!   comment. It records its start, its length and the most viewers watching during it.
//! - **When comments are expected.** From a connect, or for a feed with no connection news
//!   (a replayed file) from its first frame, until the link drops, the stream pauses or ends.
//!   A fresh connection gets the whole `quiet_after` to deliver. A spell already on stays on
//!   across a reconnect: a new socket cures nothing until comments flow again, and the
//!   comments a platform replays on connect are duplicates, dropped before the desk, so they
//!   do not end it either. A pause, the stream's end or a failed link closes it: nobody is
//!   expected to comment then.
//! - **Reconnects** count outages of a live link, one however many attempts it takes.
//!   **Gaps** count the holes in the seqs and `missed` sums the seqs skipped. **Duplicates**
//!   count the repeats dropped, by seq in the client and by the events' own ids in an
//!   adapter; **malformed** counts the frames that could not be read.
//!
//! All of it is derived from inputs and their times, never the wall clock, so a desk rebuilt
//! from the journal holds the same record. A spell is decided at each input from the state
//! before it (the silence's start, the viewer count), so it does not matter how often the
//! clock ticks: a tick shows a spell sooner, it never makes a different one.

use chrono::{DateTime, Duration, Utc};

use super::LinkEvent;
use crate::config::model::QuietRule;
use crate::protocol::{Event, StreamState};

/// The feed health record of one session.
#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    rule: QuietRule,
    /// Outages of a live link.
    pub reconnects: u64,
    /// Holes in the seqs.
    pub gaps: u64,
    /// Seqs skipped over all gaps.
    pub missed: u64,
    /// Frames dropped as repeats.
    pub duplicates: u64,
    /// Frames dropped as unreadable.
    pub malformed: u64,
    /// Times the platform restarted its numbering (its repeats are dropped by id).
    pub renumbered: u64,
    /// Quiet spells that ended, oldest first.
    spells: Vec<QuietSpell>,
    /// Whether the link is up, so that a drop counts as one outage.
    up: bool,
    watch: Watch,
    /// The last viewer count the platform gave.
    viewers: u64,
}

/// Whether comments are expected now.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Watch {
    /// No feed yet: a connect, or the first frame of a feed with no link, starts the clock.
    Idle,
    /// The link is down or the stream paused or over: only a connect or `live` starts it.
    Held,
    /// Comments are expected and none came since `since`; `quiet` once that made a spell.
    Silence { since: DateTime<Utc>, quiet: bool, peak: u64 },
}

/// A stretch with no comment while many watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietSpell {
    /// The last comment before it (or when comments could first arrive).
    pub start: DateTime<Utc>,
    /// The next comment, or for a spell still on, the desk's time now.
    pub end: DateTime<Utc>,
    /// The most viewers watching during it.
    pub viewers: u64,
}

/// Quiet spells added up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuietTotals {
    pub spells: usize,
    /// Their whole seconds, added up.
    pub seconds: u64,
    /// The longest one's.
    pub longest: u64,
}

impl QuietSpell {
    /// How long it lasted, in whole seconds.
    pub fn seconds(&self) -> u64 {
        u64::try_from((self.end - self.start).num_seconds()).unwrap_or(0)
    }
}

impl Health {
    /// A record for a new session, calling a silence quiet by `rule`.
    pub fn new(rule: QuietRule) -> Self {
        Health {
            rule,
            reconnects: 0,
            gaps: 0,
            missed: 0,
            duplicates: 0,
            malformed: 0,
            renumbered: 0,
            spells: Vec::new(),
            up: false,
            watch: Watch::Idle,
            viewers: 0,
        }
    }

    /// Brings the record to `now`, before the input at `now` is applied. Returns whether a
    /// spell began here: the desk journals the tick that shows it.
    pub fn settle(&mut self, now: DateTime<Utc>) -> bool {
        let Some(after) = self.rule.after.and_then(|a| Duration::from_std(a).ok()) else { return false };
        match &mut self.watch {
            Watch::Silence { since, quiet, .. }
                if !*quiet && self.viewers >= self.rule.min_viewers && now - *since >= after =>
            {
                *quiet = true;
                true
            }
            _ => false,
        }
    }

    /// Connection news.
    pub fn link(&mut self, link: &LinkEvent, now: DateTime<Utc>) {
        match link {
            LinkEvent::Connected => self.connected(now),
            LinkEvent::Connecting { .. } => self.down(None),
            LinkEvent::Disconnected { .. } => {
                if self.up {
                    self.reconnects += 1;
                }
                self.down(None);
            }
            LinkEvent::Failed { .. } | LinkEvent::StreamEnded => self.down(Some(now)),
            LinkEvent::Gap { missed } => {
                self.gaps += 1;
                self.missed += missed;
            }
            LinkEvent::Duplicate => self.duplicates += 1,
            LinkEvent::Malformed { .. } => self.malformed += 1,
            LinkEvent::Renumbered => self.renumbered += 1,
            LinkEvent::Unknown { .. }
            | LinkEvent::Notice { .. }
            | LinkEvent::Platform { .. }
            | LinkEvent::SendQueue { .. } => {}
        }
    }

    /// A frame from the feed.
    pub fn event(&mut self, event: &Event, now: DateTime<Utc>) {
        match event {
            Event::Welcome { .. } => self.connected(now),
            // While the link is down or the stream paused, the clock stays stopped.
            Event::Chat { .. } | Event::Question { .. } if self.watch != Watch::Held => {
                self.record(now);
                self.watch = Watch::Silence { since: now, quiet: false, peak: self.viewers };
            }
            Event::Viewers { count } => {
                self.viewers = *count;
                self.start_idle(now);
                if let Watch::Silence { peak, .. } = &mut self.watch {
                    *peak = (*peak).max(*count);
                }
            }
            Event::Stream { state: StreamState::Live } => self.expect_from(now),
            Event::Stream { state: StreamState::Paused | StreamState::Ended } => self.hold(Some(now)),
            _ => self.start_idle(now),
        }
    }

    /// The app starts again on this session (after a crash or a quit): the link is down until
    /// it connects, and the time the app was away is nobody's silence. A spell on when the
    /// journal stopped ends at the last input before it.
    pub fn restarted(&mut self, last: DateTime<Utc>) {
        self.up = false;
        if self.watch != Watch::Idle {
            self.hold(Some(last));
        }
    }

    /// The spell on now, lasting to `now`.
    pub fn quiet(&self, now: DateTime<Utc>) -> Option<QuietSpell> {
        match self.watch {
            Watch::Silence { since, quiet: true, peak } => {
                Some(QuietSpell { start: since, end: now, viewers: peak })
            }
            _ => None,
        }
    }

    /// Every quiet spell, oldest first, the one still on lasting to `now`.
    pub fn spells(&self, now: DateTime<Utc>) -> impl Iterator<Item = QuietSpell> + '_ {
        self.spells.iter().copied().chain(self.quiet(now))
    }

    /// The spells to `now` added up.
    pub fn quiet_totals(&self, now: DateTime<Utc>) -> QuietTotals {
        self.spells(now).fold(QuietTotals::default(), |t, s| QuietTotals {
            spells: t.spells + 1,
            seconds: t.seconds + s.seconds(),
            longest: t.longest.max(s.seconds()),
        })
    }

    /// When this record calls a silence quiet.
    pub fn rule(&self) -> QuietRule {
        self.rule
    }

    fn connected(&mut self, now: DateTime<Utc>) {
        self.up = true;
        self.expect_from(now);
    }

    /// Comments are expected from `now`; a spell already on goes on.
    fn expect_from(&mut self, now: DateTime<Utc>) {
        match self.watch {
            Watch::Silence { quiet: true, .. } => {}
            _ => self.watch = Watch::Silence { since: now, quiet: false, peak: self.viewers },
        }
    }

    /// A feed with no link news (a replayed file) expects comments from its first frame.
    fn start_idle(&mut self, now: DateTime<Utc>) {
        if self.watch == Watch::Idle {
            self.watch = Watch::Silence { since: now, quiet: false, peak: self.viewers };
        }
    }

    /// The link is down (or gone for good, at `end`).
    fn down(&mut self, end: Option<DateTime<Utc>>) {
        self.up = false;
        self.hold(end);
    }

    /// No comment is expected for now. A spell on stays on across an outage (`end` none),
    /// or ends at `end`.
    fn hold(&mut self, end: Option<DateTime<Utc>>) {
        match end {
            None if matches!(self.watch, Watch::Silence { quiet: true, .. }) => {}
            None => self.watch = Watch::Held,
            Some(end) => {
                self.record(end);
                self.watch = Watch::Held;
            }
        }
    }

    /// Keeps the spell on, if any, as ended at `end`.
    fn record(&mut self, end: DateTime<Utc>) {
        if let Some(spell) = self.quiet(end) {
            self.spells.push(spell);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::protocol::User;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
    }

    fn rule() -> QuietRule {
        QuietRule { after: Some(std::time::Duration::from_secs(60)), min_viewers: 200 }
    }

    fn chat() -> Event {
        let user = User { id: "u".into(), name: "Ann".into(), region: None, badges: vec![], follower: false };
        Event::Chat { msg_id: "m".into(), user, text: "hi".into(), reply_to: None }
    }

    /// What the feed does, at a second of the stream.
    #[derive(Clone, Debug)]
    enum Step {
        Comment,
        Viewers(u64),
        Link(LinkEvent),
        Stream(StreamState),
        Tick,
    }

    fn drop_link() -> Step {
        Step::Link(LinkEvent::Disconnected { reason: "reset".into(), retry_in_ms: 500 })
    }

    /// Applies each step at its second as the desk does: settle, then the input.
    fn run(rule: QuietRule, steps: &[(i64, Step)]) -> Health {
        let mut h = Health::new(rule);
        for (at, step) in steps {
            let now = t(*at);
            h.settle(now);
            match step {
                Step::Comment => h.event(&chat(), now),
                Step::Viewers(count) => h.event(&Event::Viewers { count: *count }, now),
                Step::Link(link) => h.link(link, now),
                Step::Stream(state) => h.event(&Event::Stream { state: *state }, now),
                Step::Tick => {}
            }
        }
        h
    }

    fn spells(h: &Health, now: i64) -> Vec<(i64, i64, u64)> {
        h.spells(t(now))
            .map(|s| (s.start.timestamp() - t(0).timestamp(), s.seconds() as i64, s.viewers))
            .collect()
    }

    fn connected() -> (i64, Step) {
        (0, Step::Link(LinkEvent::Connected))
    }

    #[test]
    fn a_silence_while_many_watch_is_a_spell_that_ends_at_the_next_comment() {
        let steps = [connected(), (1, Step::Viewers(3400)), (5, Step::Comment), (95, Step::Comment)];
        let h = run(rule(), &steps);
        assert_eq!(spells(&h, 95), [(5, 90, 3400)]);
        assert_eq!(h.quiet(t(95)), None, "the comment ended it");
    }

    #[test]
    fn a_spell_shows_once_the_silence_is_long_enough_and_counts_from_the_last_comment() {
        let steps = [connected(), (1, Step::Viewers(3400)), (5, Step::Comment), (64, Step::Tick)];
        assert_eq!(run(rule(), &steps).quiet(t(64)), None, "59 s of silence is not yet quiet");
        let mut steps = steps.to_vec();
        steps.push((65, Step::Tick));
        let spell = run(rule(), &steps).quiet(t(85)).expect("60 s of silence is");
        assert_eq!((spell.start, spell.seconds(), spell.viewers), (t(5), 80, 3400));
    }

    #[test]
    fn no_spell_when_the_viewers_are_few() {
        let steps = [
            connected(),
            (1, Step::Viewers(199)),
            (5, Step::Comment),
            (600, Step::Tick),
            (601, Step::Comment),
        ];
        assert!(spells(&run(rule(), &steps), 601).is_empty());
    }

    #[test]
    fn a_silence_counts_once_the_viewers_rise_and_the_spell_keeps_its_start() {
        // Quiet for five minutes with a few viewers, then many arrive and still nobody writes.
        let steps = [
            connected(),
            (1, Step::Viewers(50)),
            (5, Step::Comment),
            (300, Step::Viewers(900)),
            (301, Step::Viewers(150)),
            (320, Step::Comment),
        ];
        assert_eq!(spells(&run(rule(), &steps), 320), [(5, 315, 900)]);
    }

    #[test]
    fn viewers_that_leave_before_the_silence_is_long_enough_make_no_spell() {
        let steps = [
            connected(),
            (1, Step::Viewers(900)),
            (5, Step::Comment),
            (50, Step::Viewers(20)),
            (400, Step::Comment),
        ];
        assert!(spells(&run(rule(), &steps), 400).is_empty());
    }

    #[test]
    fn a_spell_goes_on_across_a_reconnect_that_brings_no_comment() {
        let steps = [
            connected(),
            (1, Step::Viewers(3400)),
            (5, Step::Comment),
            (70, drop_link()),
            (71, Step::Link(LinkEvent::Connecting { attempt: 2 })),
            (72, Step::Link(LinkEvent::Connected)),
            // The replayed comments are dropped as duplicates before the desk.
            (72, Step::Link(LinkEvent::Duplicate)),
            (130, Step::Comment),
        ];
        let h = run(rule(), &steps);
        assert_eq!(spells(&h, 130), [(5, 125, 3400)]);
        assert_eq!((h.reconnects, h.duplicates), (1, 1));
    }

    #[test]
    fn a_fresh_connection_gets_the_whole_wait_before_it_counts_as_quiet() {
        // The link dropped before the silence was long enough: the clock starts again.
        let steps = [
            connected(),
            (1, Step::Viewers(3400)),
            (5, Step::Comment),
            (40, drop_link()),
            (100, Step::Link(LinkEvent::Connected)),
            (150, Step::Comment),
        ];
        assert!(spells(&run(rule(), &steps), 150).is_empty());
    }

    #[test]
    fn a_pause_or_the_end_closes_a_spell_and_stops_the_clock() {
        let steps = [
            connected(),
            (1, Step::Viewers(3400)),
            (5, Step::Comment),
            (80, Step::Stream(StreamState::Paused)),
            (500, Step::Comment),
            (600, Step::Stream(StreamState::Live)),
            (700, Step::Comment),
            (800, Step::Link(LinkEvent::StreamEnded)),
        ];
        assert_eq!(spells(&run(rule(), &steps), 900), [(5, 75, 3400), (600, 100, 3400), (700, 100, 3400)]);
    }

    #[test]
    fn a_replayed_file_with_no_link_news_is_watched_from_its_first_frame() {
        let steps = [(0, Step::Viewers(500)), (90, Step::Comment)];
        assert_eq!(spells(&run(rule(), &steps), 90), [(0, 90, 500)]);
    }

    #[test]
    fn quiet_after_off_never_calls_a_feed_quiet() {
        let off = QuietRule { after: None, ..rule() };
        let steps = [connected(), (1, Step::Viewers(9000)), (3000, Step::Comment)];
        assert!(spells(&run(off, &steps), 3000).is_empty());
    }

    #[test]
    fn outages_gaps_duplicates_and_malformed_frames_are_counted() {
        let mut steps = vec![connected()];
        // One outage, however many attempts it takes; a failed first dial is no outage.
        steps.extend([(1, drop_link()), (2, drop_link()), (3, Step::Link(LinkEvent::Connected))]);
        steps.extend([
            (4, Step::Link(LinkEvent::Gap { missed: 3 })),
            (5, Step::Link(LinkEvent::Gap { missed: 2 })),
        ]);
        steps.extend([
            (6, Step::Link(LinkEvent::Duplicate)),
            (7, Step::Link(LinkEvent::Malformed { reason: "x".into() })),
        ]);
        let h = run(rule(), &steps);
        assert_eq!((h.reconnects, h.gaps, h.missed, h.duplicates, h.malformed), (1, 2, 5, 1, 1));
        let first_dial_fails =
            run(rule(), &[(0, Step::Link(LinkEvent::Connecting { attempt: 1 })), (1, drop_link())]);
        assert_eq!(first_dial_fails.reconnects, 0);
        // A paused stream's link is still up: losing it is an outage.
        let paused = run(rule(), &[connected(), (1, Step::Stream(StreamState::Paused)), (2, drop_link())]);
        assert_eq!(paused.reconnects, 1);
    }

    #[test]
    fn a_restart_ends_a_spell_at_the_last_input_and_does_not_count_the_time_away() {
        let steps = [connected(), (1, Step::Viewers(3400)), (5, Step::Comment), (80, Step::Tick)];
        let mut h = run(rule(), &steps);
        h.restarted(t(80));
        h.settle(t(900));
        h.link(&LinkEvent::Connected, t(900));
        h.settle(t(920));
        h.event(&chat(), t(920));
        assert_eq!(spells(&h, 920), [(5, 75, 3400)]);
        assert_eq!(h.reconnects, 0);
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => Just(Step::Comment),
            2 => (0u64..600).prop_map(Step::Viewers),
            1 => Just(drop_link()),
            1 => Just(Step::Link(LinkEvent::Connected)),
            1 => Just(Step::Link(LinkEvent::Duplicate)),
            1 => prop_oneof![Just(StreamState::Live), Just(StreamState::Paused)].prop_map(Step::Stream),
        ]
    }

    /// Steps with the seconds between them; ticks fall anywhere in between.
    fn steps() -> impl Strategy<Value = Vec<(i64, Step, Vec<i64>)>> {
        proptest::collection::vec((0i64..200, step(), proptest::collection::vec(0i64..200, 0..4)), 0..40)
    }

    proptest! {
        /// The desk is rebuilt from its journal, which keeps only the ticks that showed a
        /// spell: however the clock ticked, the same inputs give the same record.
        #[test]
        fn the_same_inputs_give_the_same_record_however_the_clock_ticks(steps in steps()) {
            let (mut plain, mut ticked, mut at) = (Vec::new(), Vec::new(), 0);
            for (wait, step, ticks) in steps {
                let mut ticks: Vec<i64> = ticks.into_iter().map(|x| at + x % (wait + 1)).collect();
                ticks.sort();
                ticked.extend(ticks.into_iter().map(|s| (s, Step::Tick)));
                at += wait;
                plain.push((at, step.clone()));
                ticked.push((at, step));
            }
            let (a, b) = (run(rule(), &plain), run(rule(), &ticked));
            prop_assert_eq!(spells(&a, at), spells(&b, at));
            prop_assert_eq!((a.reconnects, a.duplicates), (b.reconnects, b.duplicates));
        }

        /// Spells never overlap, each lasted at least `quiet_after`, and none comes about
        /// while every viewer count is under the threshold.
        #[test]
        fn spells_are_long_enough_apart_and_need_viewers(steps in steps()) {
            let mut timed = Vec::new();
            let mut at = 0;
            for (wait, step, _) in steps {
                at += wait;
                timed.push((at, step));
            }
            let h = run(rule(), &timed);
            let got = spells(&h, at);
            for (start, seconds, viewers) in &got {
                prop_assert!(*seconds >= 60, "{got:?}");
                prop_assert!(*viewers >= 200 || timed.iter().any(|(_, s)| matches!(s, Step::Viewers(v) if *v >= 200)));
                prop_assert!(*start >= 0);
            }
            for pair in got.windows(2) {
                prop_assert!(pair[0].0 + pair[0].1 <= pair[1].0, "{got:?}");
            }
            let few = timed.iter().all(|(_, s)| !matches!(s, Step::Viewers(v) if *v >= 200));
            prop_assert!(!few || got.is_empty(), "{got:?}");
        }
    }
}
