//! Which frames are new: dedup by seq, gap detection, renumbering and the resume cursor.
//!
//! Two cursors: `applied` is the last seq handed to the desk (what `resume_after` asks
//! for), `seen` the highest seq accounted for (applied, the welcome's head, or a frame the
//! desk does not apply that took the next slot). Only stream events and welcomes move them
//! by their seq: any other frame, above all one that failed to decode, is trusted with no
//! more than the next slot, so a frame in sequence is no gap and a wild seq changes
//! nothing. Arithmetic on seqs saturates, so `u64::MAX` can neither wrap nor panic.

/// What to do with a frame that carries a seq.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Apply it; `missed` events were skipped before it.
    New { missed: u64 },
    /// Already applied: drop it.
    Duplicate,
}

/// What a `welcome` meant for the cursors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Welcomed {
    /// Events missed because the server could not resume.
    pub missed: u64,
    /// The server restarted its numbering: the cursors started over, and what it sends
    /// again can only be told by the events' own ids.
    pub renumbered: bool,
}

/// The seq cursors of one stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeqTracker {
    applied: Option<u64>,
    seen: Option<u64>,
    stream: Option<String>,
    /// The id of the server's numbering, from the last welcome that carried one.
    epoch: Option<String>,
}

impl SeqTracker {
    /// Starts after `applied` (from a previous run), or from live when `None`.
    pub fn new(applied: Option<u64>) -> Self {
        SeqTracker { applied, seen: applied, ..SeqTracker::default() }
    }

    /// Starts after `applied` on `stream` (from the journal): a welcome for another
    /// stream starts the cursors over instead of dropping its events as already applied.
    pub fn resuming(stream: Option<String>, applied: Option<u64>) -> Self {
        SeqTracker { stream, ..SeqTracker::new(applied) }
    }

    /// What `hello` sends as `resume_after`.
    pub fn resume_after(&self) -> Option<u64> {
        self.applied
    }

    /// On `welcome`. A different stream id starts the cursors over. So does a renumbering
    /// (protocol, handshake 5): a new `epoch`, or, where either epoch is unknown, a server
    /// that could not resume and whose head is behind the cursor. Otherwise a failed
    /// resume reports the events missed up to the head.
    pub fn on_welcome(&mut self, stream_id: &str, head: u64, resumed: bool, epoch: Option<&str>) -> Welcomed {
        if self.stream.as_deref().is_some_and(|s| s != stream_id) {
            *self = SeqTracker::default();
        }
        let renumbered = match (self.epoch.as_deref(), epoch) {
            (Some(old), Some(new)) => old != new,
            _ => !resumed && self.seen.is_some_and(|seen| head < seen),
        };
        self.stream = Some(stream_id.to_owned());
        self.epoch = epoch.map(str::to_owned).or(self.epoch.take());
        if renumbered {
            // Start from live in the new numbering, as on a first connection.
            self.applied = None;
            self.seen = Some(head);
            return Welcomed { missed: 0, renumbered: true };
        }
        if resumed {
            return Welcomed::default();
        }
        let missed = match self.seen {
            // First connection: start from live, nothing was missed.
            None => 0,
            Some(seen) => head.saturating_sub(seen),
        };
        self.seen = self.seen.max(Some(head));
        Welcomed { missed, renumbered: false }
    }

    /// On a frame the desk does not take as a stream event (an ack, an error, a type it
    /// does not know, one that failed to decode): if it carries the next seq, that slot is
    /// no gap; any other seq moves nothing, and the resume cursor never moves.
    pub fn on_other(&mut self, seq: u64) {
        if self.seen.and_then(|s| s.checked_add(1)) == Some(seq) {
            self.seen = Some(seq);
        }
    }

    /// On a stream event.
    pub fn on_event(&mut self, seq: u64) -> Verdict {
        if self.applied.is_some_and(|a| seq <= a) {
            return Verdict::Duplicate;
        }
        let missed = match self.seen {
            Some(s) => seq.saturating_sub(s.saturating_add(1)),
            None => 0,
        };
        self.seen = self.seen.max(Some(seq));
        self.applied = Some(seq);
        Verdict::New { missed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn welcome(t: &mut SeqTracker, head: u64, resumed: bool) -> Welcomed {
        t.on_welcome("s", head, resumed, None)
    }

    #[test]
    fn first_connection_starts_from_live() {
        let mut t = SeqTracker::new(None);
        assert_eq!(welcome(&mut t, 40, false), Welcomed::default());
        assert_eq!(t.on_event(41), Verdict::New { missed: 0 });
        assert_eq!(t.on_event(41), Verdict::Duplicate);
        assert_eq!(t.on_event(44), Verdict::New { missed: 2 });
        assert_eq!(t.resume_after(), Some(44));
    }

    #[test]
    fn a_resume_replays_overlap_as_duplicates() {
        let mut t = SeqTracker::new(None);
        welcome(&mut t, 0, false);
        for s in 1..=10 {
            t.on_event(s);
        }
        assert_eq!(welcome(&mut t, 15, true), Welcomed::default());
        assert_eq!(t.on_event(9), Verdict::Duplicate);
        assert_eq!(t.on_event(11), Verdict::New { missed: 0 });
    }

    #[test]
    fn a_failed_resume_reports_the_missed_events() {
        let mut t = SeqTracker::new(None);
        welcome(&mut t, 0, false);
        t.on_event(1);
        assert_eq!(welcome(&mut t, 30, false).missed, 29);
        assert_eq!(t.on_event(31), Verdict::New { missed: 0 });
    }

    #[test]
    fn a_server_without_epoch_whose_head_is_behind_the_cursor_renumbered() {
        let mut t = SeqTracker::new(Some(100));
        assert_eq!(welcome(&mut t, 3, false), Welcomed { missed: 0, renumbered: true });
        assert_eq!(t.resume_after(), None);
        assert_eq!(t.on_event(4), Verdict::New { missed: 0 });
        assert_eq!(t.on_event(4), Verdict::Duplicate);
        assert_eq!(t.on_event(6), Verdict::New { missed: 1 });
        // A resume within the new numbering is no renumbering.
        assert_eq!(welcome(&mut t, 9, true), Welcomed::default());
        assert_eq!(t.on_event(6), Verdict::Duplicate);
    }

    #[test]
    fn a_new_epoch_is_a_renumbering_whatever_the_head() {
        let mut t = SeqTracker::new(None);
        t.on_welcome("s", 0, false, Some("a"));
        for s in 1..=50 {
            t.on_event(s);
        }
        // Same epoch: a failed resume is a gap, not a renumbering.
        assert_eq!(t.on_welcome("s", 60, false, Some("a")), Welcomed { missed: 10, renumbered: false });
        // A new epoch ahead of the cursor: its numbers mean other events.
        assert_eq!(t.on_welcome("s", 80, false, Some("b")), Welcomed { missed: 0, renumbered: true });
        assert_eq!(t.on_event(81), Verdict::New { missed: 0 });
        // A new epoch behind the cursor, even claiming to resume.
        assert_eq!(t.on_welcome("s", 2, true, Some("c")), Welcomed { missed: 0, renumbered: true });
        assert_eq!(t.on_event(3), Verdict::New { missed: 0 });
        // The same epoch again keeps the cursors.
        assert_eq!(t.on_welcome("s", 3, true, Some("c")), Welcomed::default());
        assert_eq!(t.on_event(3), Verdict::Duplicate);
    }

    #[test]
    fn a_welcome_without_epoch_keeps_the_one_known() {
        let mut t = SeqTracker::new(None);
        t.on_welcome("s", 10, false, Some("a"));
        t.on_welcome("s", 10, true, None);
        assert!(t.on_welcome("s", 10, true, Some("b")).renumbered);
    }

    #[test]
    fn a_cursor_from_another_stream_is_dropped_on_welcome() {
        let mut t = SeqTracker::resuming(Some("yesterday".into()), Some(50_000));
        assert_eq!(t.on_welcome("today", 10, false, None), Welcomed::default());
        assert_eq!(t.on_event(11), Verdict::New { missed: 0 });
        let mut t = SeqTracker::resuming(Some("s".into()), Some(40));
        assert_eq!(welcome(&mut t, 45, true), Welcomed::default());
        assert_eq!(t.on_event(40), Verdict::Duplicate);
        assert_eq!(t.on_event(41), Verdict::New { missed: 0 });
    }

    #[test]
    fn another_stream_starts_over() {
        let mut t = SeqTracker::new(None);
        welcome(&mut t, 0, false);
        t.on_event(50);
        assert_eq!(t.on_welcome("b", 2, false, None), Welcomed::default());
        assert_eq!(t.on_event(3), Verdict::New { missed: 0 });
    }

    #[test]
    fn frames_not_applied_take_only_the_next_slot() {
        let mut t = SeqTracker::new(None);
        welcome(&mut t, 100, false);
        t.on_other(105);
        t.on_other(u64::MAX);
        assert_eq!(t.on_event(101), Verdict::New { missed: 0 });
        // A platform that numbers its acks in the stream: the ack's slot is no gap.
        t.on_other(102);
        assert_eq!(t.on_event(103), Verdict::New { missed: 0 });
        assert_eq!(t.on_event(106), Verdict::New { missed: 2 });
    }

    #[test]
    fn wild_seqs_neither_wrap_nor_panic() {
        let mut t = SeqTracker::new(None);
        welcome(&mut t, u64::MAX, false);
        t.on_other(u64::MAX);
        assert_eq!(t.on_event(u64::MAX), Verdict::New { missed: 0 });
        assert_eq!(t.on_event(u64::MAX), Verdict::Duplicate);
        let mut t = SeqTracker::new(None);
        welcome(&mut t, 0, false);
        assert_eq!(t.on_event(u64::MAX), Verdict::New { missed: u64::MAX - 1 });
        assert!(welcome(&mut t, 5, false).renumbered);
    }

    /// One thing that can happen to the cursors.
    #[derive(Clone, Debug)]
    enum Step {
        Welcome { head: u64, resumed: bool, epoch: Option<u8> },
        Event(u64),
        Other(u64),
    }

    fn seq() -> impl Strategy<Value = u64> {
        prop_oneof![0u64..60, Just(u64::MAX), Just(u64::MAX - 1), any::<u64>()]
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (seq(), any::<bool>(), proptest::option::of(0u8..3))
                .prop_map(|(head, resumed, epoch)| Step::Welcome { head, resumed, epoch }),
            seq().prop_map(Step::Event),
            seq().prop_map(Step::Other),
        ]
    }

    proptest! {
        /// Whatever order and repetition frames arrive in, each seq is applied at most
        /// once and the applied seqs are strictly increasing.
        #[test]
        fn each_seq_is_applied_at_most_once(seqs in proptest::collection::vec(1u64..60, 0..200)) {
            let mut t = SeqTracker::new(None);
            welcome(&mut t, 0, false);
            let mut applied = Vec::new();
            for s in seqs {
                if let Verdict::New { .. } = t.on_event(s) {
                    applied.push(s);
                }
            }
            prop_assert!(applied.windows(2).all(|w| w[0] < w[1]));
        }

        /// Any seqs, wild ones included, never overflow (a debug build panics on it), a gap
        /// never counts more than the seqs between the cursor and the event, and within one
        /// numbering nothing is applied twice.
        #[test]
        fn no_seq_wraps_or_is_applied_twice_in_one_numbering(steps in proptest::collection::vec(step(), 0..120)) {
            let mut t = SeqTracker::new(None);
            let mut applied: Vec<u64> = Vec::new();
            for step in steps {
                match step {
                    Step::Welcome { head, resumed, epoch } => {
                        let epoch = epoch.map(|e| e.to_string());
                        if t.on_welcome("s", head, resumed, epoch.as_deref()).renumbered {
                            applied.clear();
                        }
                    }
                    Step::Other(seq) => t.on_other(seq),
                    Step::Event(seq) => {
                        let before = t.clone();
                        if let Verdict::New { missed } = t.on_event(seq) {
                            prop_assert!(!applied.contains(&seq));
                            prop_assert!(missed < seq.max(1));
                            prop_assert!(before.seen.is_none_or(|s| missed == 0 || s < seq));
                            applied.push(seq);
                        }
                    }
                }
            }
        }
    }
}
