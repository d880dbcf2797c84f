//! Live stream figures: viewers, chat rate, orders.

use std::collections::VecDeque;

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
    /// Per-second chat counts for the last minute: (unix second, count).
    recent: VecDeque<(i64, u32)>,
}

impl Stats {
    /// Counts one chat message at `second` (unix time).
    pub fn chat_at(&mut self, second: i64) {
        self.chat_messages += 1;
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

    /// A new viewer count from the platform.
    pub fn set_viewers(&mut self, count: u64) {
        self.viewers = count;
        self.viewers_peak = self.viewers_peak.max(count);
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
        s.set_viewers(10);
        s.set_viewers(9000);
        s.set_viewers(300);
        assert_eq!((s.viewers, s.viewers_peak), (300, 9000));
    }
}
