//! livedesk's own protocol on a connection: `hello` with the resume cursor, each frame
//! decoded and held against the seq cursors ([`SeqTracker`]), and the platform's acks, which
//! take their command off the queue. Every command goes as it is; only chat waits for the
//! send limit.

use std::collections::VecDeque;

use super::dialect::{Dialect, Heard};
use super::health::Health;
use super::seq::{SeqTracker, Verdict, Welcomed};
use crate::desk::{Input, LinkEvent};
use crate::protocol::{Command, DecodeError, Event, decode_frame};

/// livedesk's protocol v1, with the cursors of the stream it reads.
pub(super) struct Native {
    tracker: SeqTracker,
    /// What the operator reads when the platform refuses the token.
    token_refused: String,
}

impl Native {
    /// Reading on from `tracker`'s cursors; `token_refused` says what to do when the
    /// platform refuses the token.
    pub(super) fn new(tracker: SeqTracker, token_refused: String) -> Native {
        Native { tracker, token_refused }
    }
}

impl Dialect for Native {
    fn hello(&mut self) -> Vec<String> {
        let hello = Command::Hello {
            client: format!("livedesk/{}", env!("CARGO_PKG_VERSION")),
            resume_after: self.tracker.resume_after(),
        };
        vec![hello.to_json()]
    }

    fn read(&mut self, text: &str, unacked: &mut VecDeque<Command>, health: &mut Health) -> Heard {
        Heard { inputs: read_frame(text, &mut self.tracker, unacked, health), ..Heard::default() }
    }

    fn write(&mut self, cmd: &Command) -> Result<Vec<String>, String> {
        Ok(vec![cmd.to_json()])
    }

    fn refused(&self, _reason: &str) -> String {
        self.token_refused.clone()
    }
}

/// Turns one text frame into desk inputs, updating the cursors, the outbox and how far
/// the connection got. The first welcome of a connection makes it live.
fn read_frame(
    text: &str,
    tracker: &mut SeqTracker,
    outbox: &mut VecDeque<Command>,
    health: &mut Health,
) -> Vec<Input> {
    let mut out = Vec::with_capacity(1);
    match decode_frame(text) {
        Ok(frame) => match &frame.event {
            Event::Welcome { stream, resumed, epoch } => {
                let Welcomed { missed, renumbered } =
                    tracker.on_welcome(&stream.id, frame.seq, *resumed, epoch.as_deref());
                if !health.is_up() {
                    health.up();
                    out.push(Input::Link(LinkEvent::Connected));
                }
                out.push(Input::Feed(frame));
                if renumbered {
                    out.push(Input::Link(LinkEvent::Renumbered));
                }
                if missed > 0 {
                    out.push(Input::Link(LinkEvent::Gap { missed }));
                }
            }
            Event::Ack { .. } | Event::Error { .. } => {
                if let Event::Ack { reference, .. } = &frame.event {
                    outbox.retain(|c| c.reference() != Some(reference.as_str()));
                }
                // Connection-level frames carry a seq but say nothing about missed events.
                tracker.on_other(frame.seq);
                out.push(Input::Feed(frame));
            }
            _ => match tracker.on_event(frame.seq) {
                Verdict::Duplicate => out.push(Input::Link(LinkEvent::Duplicate)),
                Verdict::New { missed } => {
                    health.event();
                    if missed > 0 {
                        out.push(Input::Link(LinkEvent::Gap { missed }));
                    }
                    out.push(Input::Feed(frame));
                }
            },
        },
        // Ignored and counted; its seq is trusted with the next slot at most, so one bad
        // frame in sequence is no gap and a wild seq moves nothing.
        Err(DecodeError::Unknown { kind, seq }) => {
            if let Some(seq) = seq {
                tracker.on_other(seq);
            }
            out.push(Input::Link(LinkEvent::Unknown { kind }));
        }
        Err(DecodeError::Malformed { reason, seq }) => {
            if let Some(seq) = seq {
                tracker.on_other(seq);
            }
            out.push(Input::Link(LinkEvent::Malformed { reason }));
        }
        Err(e @ DecodeError::TooBig(_)) => {
            out.push(Input::Link(LinkEvent::Malformed { reason: e.to_string() }))
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::health::HEALTHY_AFTER;
    use std::time::Duration;
    use tokio::time::Instant;

    fn welcome(seq: u64, resumed: bool, epoch: Option<&str>) -> String {
        let epoch = epoch.map_or(String::new(), |e| format!(r#","epoch":"{e}""#));
        format!(
            r#"{{"type":"welcome","v":1,"seq":{seq},"ts":"t","stream":{{"id":"s"}},"resumed":{resumed}{epoch}}}"#
        )
    }

    fn viewers(seq: u64) -> String {
        format!(r#"{{"type":"viewers","v":1,"seq":{seq},"ts":"t","count":5}}"#)
    }

    /// Reads frames one after another on one connection.
    struct Reader {
        tracker: SeqTracker,
        outbox: VecDeque<Command>,
        health: Health,
    }

    impl Reader {
        fn new() -> Reader {
            Reader { tracker: SeqTracker::new(None), outbox: VecDeque::new(), health: Health::default() }
        }

        fn read(&mut self, text: &str) -> Vec<Input> {
            read_frame(text, &mut self.tracker, &mut self.outbox, &mut self.health)
        }
    }

    #[test]
    fn frames_become_inputs_with_dedup_and_gaps() {
        let mut r = Reader::new();
        assert!(matches!(
            r.read(&welcome(0, false, None))[..],
            [Input::Link(LinkEvent::Connected), Input::Feed(_)]
        ));
        assert!(r.health.is_up());
        assert!(matches!(r.read(&viewers(1))[..], [Input::Feed(_)]));
        assert!(matches!(r.read(&viewers(1))[..], [Input::Link(LinkEvent::Duplicate)]));
        assert!(matches!(r.read("{oops")[..], [Input::Link(LinkEvent::Malformed { .. })]));
        assert!(matches!(
            r.read(&viewers(4))[..],
            [Input::Link(LinkEvent::Gap { missed: 2 }), Input::Feed(_)]
        ));
        // A second welcome on the same connection does not make it live twice.
        assert!(matches!(r.read(&welcome(4, true, None))[..], [Input::Feed(_)]));
    }

    #[test]
    fn malformed_frames_with_wild_seqs_move_nothing_and_unknown_types_count_as_unknown() {
        let mut r = Reader::new();
        r.read(&welcome(0, false, None));
        r.read(&viewers(1));
        for wild in [999_999, u64::MAX] {
            let broken = format!(r#"{{"type":"chat","v":1,"seq":{wild},"ts":"t"}}"#);
            assert!(matches!(r.read(&broken)[..], [Input::Link(LinkEvent::Malformed { .. })]));
        }
        for seq in [1, 2, u64::MAX] {
            let unknown = format!(r#"{{"type":"hologram","v":1,"seq":{seq},"ts":"t"}}"#);
            assert!(
                matches!(&r.read(&unknown)[..], [Input::Link(LinkEvent::Unknown { kind })] if kind == "hologram")
            );
        }
        // The unknown type took slot 2; 3 and 4 were really missed.
        assert!(matches!(
            r.read(&viewers(5))[..],
            [Input::Link(LinkEvent::Gap { missed: 2 }), Input::Feed(_)]
        ));
        assert_eq!(r.tracker.resume_after(), Some(5));
        // A failed resume after it tells the real gap.
        assert!(matches!(
            r.read(&welcome(9, false, None))[..],
            [Input::Feed(_), Input::Link(LinkEvent::Gap { missed: 4 })]
        ));
    }

    #[test]
    fn a_restarted_numbering_is_told_and_its_events_applied() {
        for (first, again) in [
            (welcome(0, false, Some("a")), welcome(2, false, Some("b"))),
            (welcome(0, false, None), welcome(2, false, None)),
        ] {
            let mut r = Reader::new();
            r.read(&first);
            for seq in 1..=40 {
                r.read(&viewers(seq));
            }
            let mut r = Reader { health: Health::default(), ..r };
            assert!(matches!(
                r.read(&again)[..],
                [Input::Link(LinkEvent::Connected), Input::Feed(_), Input::Link(LinkEvent::Renumbered)]
            ));
            assert!(matches!(r.read(&viewers(3))[..], [Input::Feed(_)]), "{again}");
        }
    }

    #[test]
    fn only_events_or_thirty_seconds_up_make_a_connection_healthy() {
        let now = Instant::now();
        let mut health = Health::default();
        assert!(!health.healthy(now));
        health.up();
        assert!(!health.healthy(now + Duration::from_secs(29)));
        assert!(health.healthy(now + HEALTHY_AFTER + Duration::from_secs(1)));
        let mut r = Reader::new();
        r.read(&welcome(0, false, None));
        r.read(r#"{"type":"ack","v":1,"seq":1,"ts":"t","ref":"r","ok":true}"#);
        assert!(!r.health.healthy(Instant::now()), "a welcome and an ack are no events");
        r.read(&viewers(2));
        assert!(r.health.healthy(Instant::now()));
    }

    #[test]
    fn an_ack_clears_the_command_from_the_outbox() {
        let mut r = Reader::new();
        r.outbox.push_back(Command::PinProduct { reference: "r1".into(), sku: None });
        r.read(r#"{"type":"ack","v":1,"seq":0,"ts":"t","ref":"r1","ok":true,"error":null}"#);
        assert!(r.outbox.is_empty());
    }

    #[test]
    fn a_bad_frame_in_sequence_is_no_gap() {
        let mut r = Reader::new();
        r.read(&welcome(0, false, None));
        r.read(&viewers(1));
        r.read(r#"{"type":"chat","v":1,"seq":2,"ts":"t","text":"no msg_id"}"#);
        r.read(r#"{"type":"hologram","v":1,"seq":3,"ts":"t"}"#);
        assert!(matches!(r.read(&viewers(4))[..], [Input::Feed(_)]));
        assert_eq!(r.tracker.resume_after(), Some(4));
    }

    proptest::proptest! {
        /// A frame that fails to decode never moves the resume cursor, and moves nothing at
        /// all unless it carries exactly the next seq; it is counted as malformed.
        #[test]
        fn an_undecodable_frame_moves_no_cursor(
            seq in proptest::prop_oneof![proptest::prelude::any::<u64>(), proptest::prelude::Just(9u64)],
            kind in 0usize..4,
        ) {
            let broken = [
                format!(r#"{{"type":"chat","v":1,"seq":{seq},"ts":"t"}}"#),
                format!(r#"{{"type":"order","v":1,"seq":{seq},"ts":"t","order_id":"o"}}"#),
                format!(r#"{{"type":"viewers","v":1,"seq":{seq},"ts":"t","count":-1}}"#),
                format!(r#"{{"type":"viewers","seq":{seq},"count":"#),
            ];
            let mut r = Reader::new();
            r.read(&welcome(7, false, None));
            r.read(&viewers(8));
            let before = r.tracker.clone();
            let got = r.read(&broken[kind]);
            proptest::prop_assert!(matches!(got[..], [Input::Link(LinkEvent::Malformed { .. })]), "{got:?}");
            proptest::prop_assert_eq!(r.tracker.resume_after(), Some(8));
            if seq != 9 {
                proptest::prop_assert_eq!(&r.tracker, &before);
            }
        }
    }
}
