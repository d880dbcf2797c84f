//! Which frames are new: dedup by seq, gap detection and the resume cursor.
//!
//! Two cursors: `applied` is the last seq handed to the desk (what `resume_after`
//! asks for), `seen` the highest seq that arrived at all, so a malformed frame that
//! was dropped is not also reported as a gap.

/// What to do with a frame that carries a seq.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Apply it; `missed` events were skipped before it.
    New { missed: u64 },
    /// Already applied: drop it.
    Duplicate,
}

/// The seq cursors of one stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeqTracker {
    applied: Option<u64>,
    seen: Option<u64>,
    stream: Option<String>,
}

impl SeqTracker {
    /// Starts after `applied` (from a previous run), or from live when `None`.
    pub fn new(applied: Option<u64>) -> Self {
        SeqTracker { applied, seen: applied, stream: None }
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

    /// On `welcome`: returns the number of events missed when the server could not
    /// resume. A different stream id starts the cursors over.
    pub fn on_welcome(&mut self, stream_id: &str, head: u64, resumed: bool) -> u64 {
        if self.stream.as_deref().is_some_and(|s| s != stream_id) {
            *self = SeqTracker::default();
        }
        self.stream = Some(stream_id.to_owned());
        if resumed {
            return 0;
        }
        match self.seen {
            // First connection: start from live, nothing was missed.
            None => {
                self.seen = Some(head);
                0
            }
            Some(seen) if head > seen => {
                self.seen = Some(head);
                head - seen
            }
            // The server is behind us (it restarted): what it replays is dropped as duplicates.
            Some(_) => 0,
        }
    }

    /// Whether a frame with this seq already arrived (applied or dropped).
    pub fn seen(&self, seq: u64) -> bool {
        self.seen.is_some_and(|s| seq <= s)
    }

    /// On an ack or error: a platform that numbers them in the stream's sequence takes the
    /// next seq, so that slot is not a gap; any other seq is ignored (never a gap).
    pub fn on_connection_frame(&mut self, seq: u64) {
        if self.seen.is_some_and(|s| seq == s + 1) {
            self.seen = Some(seq);
        }
    }

    /// On a stream event.
    pub fn on_event(&mut self, seq: u64) -> Verdict {
        if self.applied.is_some_and(|a| seq <= a) {
            self.seen = self.seen.max(Some(seq));
            return Verdict::Duplicate;
        }
        let missed = self.skip_to(seq);
        self.applied = Some(seq);
        Verdict::New { missed }
    }

    /// On a frame that was dropped (malformed, unknown): it moves `seen` but never
    /// `applied`. Returns the events missed before it.
    pub fn on_other(&mut self, seq: u64) -> u64 {
        if self.seen.is_some_and(|s| seq <= s) {
            return 0;
        }
        self.skip_to(seq)
    }

    fn skip_to(&mut self, seq: u64) -> u64 {
        let missed = match self.seen {
            Some(s) if seq > s + 1 => seq - s - 1,
            _ => 0,
        };
        self.seen = self.seen.max(Some(seq));
        missed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_connection_starts_from_live() {
        let mut t = SeqTracker::new(None);
        assert_eq!(t.on_welcome("s", 40, false), 0);
        assert_eq!(t.on_event(41), Verdict::New { missed: 0 });
        assert_eq!(t.on_event(41), Verdict::Duplicate);
        assert_eq!(t.on_event(44), Verdict::New { missed: 2 });
        assert_eq!(t.resume_after(), Some(44));
    }

    #[test]
    fn a_resume_replays_overlap_as_duplicates() {
        let mut t = SeqTracker::new(None);
        t.on_welcome("s", 0, false);
        for s in 1..=10 {
            t.on_event(s);
        }
        assert_eq!(t.on_welcome("s", 15, true), 0);
        assert_eq!(t.on_event(9), Verdict::Duplicate);
        assert_eq!(t.on_event(11), Verdict::New { missed: 0 });
    }

    #[test]
    fn a_failed_resume_reports_the_missed_events() {
        let mut t = SeqTracker::new(None);
        t.on_welcome("s", 0, false);
        t.on_event(1);
        assert_eq!(t.on_welcome("s", 30, false), 29);
        assert_eq!(t.on_event(31), Verdict::New { missed: 0 });
    }

    #[test]
    fn a_dropped_frame_is_not_also_a_gap_and_does_not_move_the_cursor() {
        let mut t = SeqTracker::new(None);
        t.on_welcome("s", 0, false);
        t.on_event(1);
        assert_eq!(t.on_other(2), 0);
        assert_eq!(t.on_event(3), Verdict::New { missed: 0 });
        let mut t = SeqTracker::new(None);
        t.on_welcome("s", 0, false);
        t.on_event(1);
        t.on_other(2);
        assert_eq!(t.resume_after(), Some(1));
    }

    #[test]
    fn a_restarted_server_replays_from_the_start_without_duplicates() {
        let mut t = SeqTracker::new(Some(100));
        assert_eq!(t.on_welcome("s", 3, false), 0);
        assert_eq!(t.on_event(4), Verdict::Duplicate);
        assert_eq!(t.on_event(100), Verdict::Duplicate);
        assert_eq!(t.on_event(101), Verdict::New { missed: 0 });
    }

    #[test]
    fn a_cursor_from_another_stream_is_dropped_on_welcome() {
        let mut t = SeqTracker::resuming(Some("yesterday".into()), Some(50_000));
        assert_eq!(t.on_welcome("today", 10, false), 0);
        assert_eq!(t.on_event(11), Verdict::New { missed: 0 });
        let mut t = SeqTracker::resuming(Some("s".into()), Some(40));
        assert_eq!(t.on_welcome("s", 45, true), 0);
        assert_eq!(t.on_event(40), Verdict::Duplicate);
        assert_eq!(t.on_event(41), Verdict::New { missed: 0 });
    }

    #[test]
    fn another_stream_starts_over() {
        let mut t = SeqTracker::new(None);
        t.on_welcome("a", 0, false);
        t.on_event(50);
        assert_eq!(t.on_welcome("b", 2, false), 0);
        assert_eq!(t.on_event(3), Verdict::New { missed: 0 });
    }

    #[test]
    fn acks_ahead_of_the_stream_are_not_gaps() {
        let mut t = SeqTracker::new(None);
        t.on_welcome("s", 100, false);
        t.on_connection_frame(105);
        assert_eq!(t.on_event(101), Verdict::New { missed: 0 });
        // A platform that numbers its acks in the stream: the ack's slot is no gap.
        t.on_connection_frame(102);
        assert_eq!(t.on_event(103), Verdict::New { missed: 0 });
    }

    proptest! {
        /// Whatever order and repetition frames arrive in, each seq is applied at most
        /// once and the applied seqs are strictly increasing.
        #[test]
        fn each_seq_is_applied_at_most_once(seqs in proptest::collection::vec(1u64..60, 0..200)) {
            let mut t = SeqTracker::new(None);
            t.on_welcome("s", 0, false);
            let mut applied = Vec::new();
            for s in seqs {
                if let Verdict::New { .. } = t.on_event(s) {
                    applied.push(s);
                }
            }
            prop_assert!(applied.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
