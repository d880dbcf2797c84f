//! Chat sends the platform's send limit holds back: the feed client tells the desk which
//! wait and when the next may go, so the operator sees a queue, not silence.

use chrono::{DateTime, Duration, Utc};

/// The chat commands waiting for the send limit, oldest first, and when the next goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendQueue {
    held: Vec<String>,
    next_at: Option<DateTime<Utc>>,
}

impl SendQueue {
    /// What the feed client says waits now (by ref) and how long until the next may go.
    pub fn set(&mut self, held: Vec<String>, next_in_ms: u64, now: DateTime<Utc>) {
        self.next_at = (!held.is_empty()).then(|| now + Duration::milliseconds(next_in_ms as i64));
        self.held = held;
    }

    /// Nothing waits for the limit (the connection went: unacknowledged commands wait for the
    /// next one instead, and the status bar counts those).
    pub fn clear(&mut self) {
        *self = SendQueue::default();
    }

    /// A command left the queue (its ack came back).
    pub fn release(&mut self, reference: &str) {
        self.held.retain(|r| r != reference);
        if self.held.is_empty() {
            self.next_at = None;
        }
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Whether the command with this ref waits in the queue.
    pub fn holds(&self, reference: &str) -> bool {
        self.held.iter().any(|r| r == reference)
    }

    /// How long until the next goes, at `now` (never below zero).
    pub fn next_in(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.next_at.map(|t| (t - now).max(Duration::zero()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_763_000_000_000 + ms).unwrap()
    }

    #[test]
    fn the_queue_counts_down_to_the_next_send_and_empties() {
        let mut q = SendQueue::default();
        q.set(vec!["r3".into(), "r4".into(), "r5".into()], 12_000, at(0));
        assert_eq!((q.len(), q.next_in(at(2_000))), (3, Some(Duration::seconds(10))));
        assert!(q.holds("r4") && !q.holds("r1"));
        assert_eq!(q.next_in(at(20_000)), Some(Duration::zero()), "late, never negative");
        q.release("r3");
        assert_eq!(q.len(), 2);
        q.set(vec![], 0, at(13_000));
        assert!(q.is_empty() && q.next_in(at(13_000)).is_none());
        q.set(vec!["r9".into()], 500, at(14_000));
        q.release("r9");
        assert_eq!(q, SendQueue::default());
        q.set(vec!["r9".into()], 500, at(14_000));
        q.clear();
        assert!(q.is_empty());
    }
}
