//! A sliding-window send limiter: how long the next chat message has to wait so that no
//! window of the platform's length ever holds more messages than the platform allows.
//!
//! It is pure: the caller passes the time in, so it can be tested with a fake clock and used
//! from any runtime. It never drops anything either: a message over the limit gets a wait, and
//! the caller keeps it queued until then.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::protocol::SendLimit;

/// The times of the messages sent in the last window, oldest first.
///
/// Every send is remembered, whatever the limit is at the time, so lowering the limit (a
/// moderator who loses the role) makes the next sends wait until the window has room under
/// the new limit, instead of going over it at once.
#[derive(Clone, Debug)]
pub struct SendWindow {
    limit: SendLimit,
    sent: VecDeque<Instant>,
}

impl SendWindow {
    /// An empty window under `limit`.
    pub fn new(limit: SendLimit) -> Self {
        SendWindow { limit, sent: VecDeque::new() }
    }

    /// The limit in force.
    pub fn limit(&self) -> SendLimit {
        self.limit
    }

    /// Changes the limit; the sends already made still count.
    pub fn set_limit(&mut self, limit: SendLimit) {
        self.limit = limit;
    }

    /// Whether one more message may go at `now`: if so, it is counted as sent at `now` and
    /// `None` comes back; if not, nothing is counted and the wait until it may go comes back
    /// (ask again then: the answer is exact unless the limit changes meanwhile).
    pub fn admit(&mut self, now: Instant) -> Option<Duration> {
        self.forget_before(now);
        let wait = self.ready_in(now);
        if wait.is_none() {
            self.sent.push_back(now);
        }
        wait
    }

    /// How long a message would have to wait at `now`, without counting it.
    pub fn ready_in(&self, now: Instant) -> Option<Duration> {
        let per = self.limit.per;
        let live = self.sent.iter().filter(|t| now.saturating_duration_since(**t) < per).count();
        let cap = self.limit.cap();
        if live < cap {
            return None;
        }
        // Room comes back when the sends before the last `cap - 1` have left the window.
        let oldest_to_leave = self.sent[self.sent.len() - cap];
        Some(per.saturating_sub(now.saturating_duration_since(oldest_to_leave)))
    }

    /// Messages counted in the window ending at `now`.
    pub fn in_window(&self, now: Instant) -> usize {
        self.sent.iter().filter(|t| now.saturating_duration_since(**t) < self.limit.per).count()
    }

    fn forget_before(&mut self, now: Instant) {
        while self.sent.front().is_some_and(|t| now.saturating_duration_since(*t) >= self.limit.per) {
            self.sent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn at(t0: Instant, ms: u64) -> Instant {
        t0 + Duration::from_millis(ms)
    }

    #[test]
    fn a_burst_over_the_limit_waits_for_the_oldest_send_to_leave() {
        let t0 = Instant::now();
        let mut w = SendWindow::new(SendLimit::new(20, 30 * SECOND));
        let answers: Vec<_> = (0..25).map(|_| w.admit(t0)).collect();
        assert!(answers[..20].iter().all(Option::is_none));
        assert!(answers[20..].iter().all(|a| *a == Some(30 * SECOND)));
        assert_eq!(w.in_window(t0), 20, "a refused send is not counted");
        // One millisecond early is still too early; on the dot, the window has room again.
        assert_eq!(w.admit(at(t0, 29_999)), Some(Duration::from_millis(1)));
        assert_eq!(w.admit(at(t0, 30_000)), None);
    }

    #[test]
    fn the_window_slides_send_by_send() {
        let t0 = Instant::now();
        let mut w = SendWindow::new(SendLimit::new(3, 10 * SECOND));
        assert_eq!(w.admit(at(t0, 0)), None);
        assert_eq!(w.admit(at(t0, 4_000)), None);
        assert_eq!(w.admit(at(t0, 8_000)), None);
        // Full until the first send is 10 s old.
        assert_eq!(w.admit(at(t0, 9_000)), Some(SECOND));
        assert_eq!(w.admit(at(t0, 10_000)), None);
        // Now the send at 4 s is the oldest that has to leave.
        assert_eq!(w.admit(at(t0, 10_500)), Some(Duration::from_millis(3_500)));
        assert_eq!(w.admit(at(t0, 14_000)), None);
    }

    #[test]
    fn a_queue_drained_by_the_answers_never_goes_over_the_limit() {
        // The feed client's loop: take the wait, sleep it, ask again.
        let t0 = Instant::now();
        let mut w = SendWindow::new(SendLimit::new(20, 30 * SECOND));
        let mut now = t0;
        let mut sent = Vec::new();
        for _ in 0..65 {
            while let Some(wait) = w.admit(now) {
                now += wait;
            }
            sent.push(now);
        }
        for (i, t) in sent.iter().enumerate() {
            let in_30s = sent[i..].iter().filter(|u| u.duration_since(*t) < 30 * SECOND).count();
            assert!(in_30s <= 20, "{in_30s} sends in the 30 s from send {i}");
        }
        assert_eq!(sent[64].duration_since(t0), 90 * SECOND, "and never waits longer than needed");
    }

    #[test]
    fn moderators_get_a_hundred() {
        let t0 = Instant::now();
        let mut w = SendWindow::new(SendLimit::new(100, 30 * SECOND));
        let admitted = (0..120).filter(|_| w.admit(t0).is_none()).count();
        assert_eq!(admitted, 100);
        assert_eq!(w.admit(at(t0, 1_000)), Some(29 * SECOND));
    }

    #[test]
    fn lowering_the_limit_counts_the_sends_already_made() {
        let t0 = Instant::now();
        let mut w = SendWindow::new(SendLimit::new(100, 30 * SECOND));
        for i in 0..50 {
            assert_eq!(w.admit(at(t0, i * 100)), None);
        }
        w.set_limit(SendLimit::new(20, 30 * SECOND));
        // 50 in the window: room for one more under 20 once the 31st oldest has left
        // (the send at 3.0 s), 30 s after it.
        let now = at(t0, 5_000);
        assert_eq!(w.admit(now), Some(Duration::from_millis(28_000)));
        assert_eq!(w.admit(at(t0, 33_000)), None);
        assert_eq!(w.in_window(at(t0, 33_000)), 20);
        // Raising it again gives the room back at once.
        w.set_limit(SendLimit::new(100, 30 * SECOND));
        assert_eq!(w.admit(at(t0, 33_000)), None);
    }

    #[test]
    fn a_zero_limit_still_moves_and_time_going_back_is_harmless() {
        let t0 = Instant::now();
        let mut w = SendWindow::new(SendLimit::new(0, SECOND));
        assert_eq!(w.admit(at(t0, 500)), None);
        assert_eq!(w.admit(at(t0, 500)), Some(SECOND));
        // An earlier time than the last send (a caller mixing clocks) waits the full window.
        assert_eq!(w.admit(t0), Some(SECOND));
        assert_eq!(w.ready_in(at(t0, 1_500)), None);
    }
}
