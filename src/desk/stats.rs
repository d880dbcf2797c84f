//! Live stream figures: viewers, chat rate, orders, and a per-minute history of them for the
//! Stats pane (bounded: the whole stream's history lives in the store).

use std::collections::{BTreeMap, VecDeque};

use rust_decimal::Decimal;

/// Minutes of per-minute history kept (four hours: longer than a stream).
pub const MINUTES_KEPT: usize = 240;

/// One minute of the stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Minute {
    /// Unix time of the minute's start, in minutes.
    pub minute: i64,
    /// The highest viewer count in it (the last count carried over a quiet minute).
    pub viewers: u64,
    /// Chat and question events in it.
    pub chat: u32,
    /// New live orders in it.
    pub orders: u32,
}

/// Rolling counters for the status bar and the summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub viewers: u64,
    pub viewers_peak: u64,
    /// Chat and question events seen.
    pub chat_messages: u64,
    pub likes: u64,
    pub joins: u64,
    pub follows: u64,
    pub shares: u64,
    pub gifts: u64,
    /// What the gifts were worth, by currency (`COINS`, `BITS`, `SUBS`, `USD`…): units times
    /// the value of one, so that any platform's gifts can be checked against its own figures.
    pub gift_value: BTreeMap<String, Decimal>,
    /// Per-second chat counts for the last minute: (unix second, count).
    recent: VecDeque<(i64, u32)>,
    /// The last [`MINUTES_KEPT`] minutes, oldest first, with no gaps.
    minutes: VecDeque<Minute>,
}

impl Stats {
    /// Counts one chat message at `second` (unix time).
    pub fn chat_at(&mut self, second: i64) {
        self.chat_messages += 1;
        if let Some(m) = self.minute_at(second) {
            m.chat += 1;
        }
        match self.recent.back_mut() {
            Some((s, n)) if *s == second => *n += 1,
            Some((s, _)) if *s > second => {} // clock went back: keep the total, skip the rate
            _ => self.recent.push_back((second, 1)),
        }
        self.trim(second);
    }

    /// Messages in the minute up to `second`.
    pub fn per_minute(&self, second: i64) -> u32 {
        self.recent.iter().filter(|(s, _)| *s > second - 60 && *s <= second).map(|(_, n)| n).sum()
    }

    fn trim(&mut self, second: i64) {
        while self.recent.front().is_some_and(|(s, _)| *s <= second - 60) {
            self.recent.pop_front();
        }
    }

    /// A new viewer count from the platform at `second` (unix time).
    pub fn set_viewers(&mut self, count: u64, second: i64) {
        // Quiet minutes before this one keep the count from before it.
        if let Some(m) = self.minute_at(second) {
            m.viewers = m.viewers.max(count);
        }
        self.viewers = count;
        self.viewers_peak = self.viewers_peak.max(count);
    }

    /// Counts one new live order at `second` (unix time).
    pub fn order_at(&mut self, second: i64) {
        if let Some(m) = self.minute_at(second) {
            m.orders += 1;
        }
    }

    /// The kept minutes, oldest first, each one after the other.
    pub fn minutes(&self) -> &VecDeque<Minute> {
        &self.minutes
    }

    /// The minute holding `second`, started (with the minutes between) if new; `None` if the
    /// clock went back past the newest minute.
    fn minute_at(&mut self, second: i64) -> Option<&mut Minute> {
        let minute = second.div_euclid(60);
        let (last, viewers) = match self.minutes.back() {
            Some(m) if m.minute > minute => return None,
            Some(m) => (m.minute, self.viewers),
            None => (minute - 1, self.viewers),
        };
        // Quiet minutes between keep the count the platform last gave; a long silence
        // starts afresh rather than filling more than is kept.
        let from = (last + 1).max(minute - MINUTES_KEPT as i64 + 1);
        for m in from..=minute {
            self.minutes.push_back(Minute { minute: m, viewers, chat: 0, orders: 0 });
        }
        while self.minutes.len() > MINUTES_KEPT {
            self.minutes.pop_front();
        }
        self.minutes.back_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chat_rate_covers_the_last_minute() {
        let mut s = Stats::default();
        for sec in 0..120 {
            s.chat_at(sec);
            s.chat_at(sec);
        }
        assert_eq!(s.per_minute(119), 120);
        assert_eq!(s.per_minute(200), 0);
        assert_eq!(s.chat_messages, 240);
    }

    #[test]
    fn the_peak_is_kept() {
        let mut s = Stats::default();
        s.set_viewers(10, 0);
        s.set_viewers(9000, 1);
        s.set_viewers(300, 2);
        assert_eq!((s.viewers, s.viewers_peak), (300, 9000));
    }

    #[test]
    fn minutes_count_chat_orders_and_carry_viewers_over_quiet_minutes() {
        let mut s = Stats::default();
        s.set_viewers(100, 60);
        s.chat_at(61);
        s.chat_at(119);
        s.order_at(130);
        s.set_viewers(50, 130);
        s.set_viewers(70, 330);
        let got: Vec<(i64, u64, u32, u32)> =
            s.minutes().iter().map(|m| (m.minute, m.viewers, m.chat, m.orders)).collect();
        // Minute 2 saw 100 then 50; minutes 3 and 4 were quiet at 50; minute 5 saw 70.
        assert_eq!(got, [(1, 100, 2, 0), (2, 100, 0, 1), (3, 50, 0, 0), (4, 50, 0, 0), (5, 70, 0, 0)]);
        // The clock going back leaves the history alone.
        s.chat_at(10);
        assert_eq!(s.minutes().len(), 5);
    }

    proptest::proptest! {
        /// However long the stream and however it jumps, the history is bounded and gapless.
        #[test]
        fn the_history_stays_bounded_and_gapless(steps in proptest::collection::vec((0i64..900, 0u8..3), 1..400)) {
            let mut s = Stats::default();
            let mut second = 0i64;
            for (jump, what) in steps {
                second += jump * 7;
                match what {
                    0 => s.chat_at(second),
                    1 => s.order_at(second),
                    _ => s.set_viewers(jump as u64, second),
                }
            }
            let m = s.minutes();
            proptest::prop_assert!(m.len() <= MINUTES_KEPT);
            proptest::prop_assert!(m.iter().zip(m.iter().skip(1)).all(|(a, b)| b.minute == a.minute + 1));
            proptest::prop_assert_eq!(m.back().map(|m| m.minute), Some(second.div_euclid(60)));
        }
    }
}
