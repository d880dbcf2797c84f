//! The desk's one way out: every rule that tells the operator something, sends the platform
//! a command or asks the app for anything speaks through the [`Outbox`], so no rule calls
//! back into the desk to be heard.
//!
//! It keeps what speaking needs: the notices, the refs commands go out with and those still
//! waiting for an ack, what the platform can take, the command counters and the revision
//! (the journal keeps a tick only when the revision moved). [`Outbox::take`] hands the
//! outputs of one input to the app.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

use super::{Level, Notice, Output, Pending};
use crate::protocol::{Capabilities, Command};

/// Notices kept for the operator (the oldest go first).
const NOTICES_KEPT: usize = 100;

/// Commands sent, answered and refused, as the summary counts them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandCounts {
    pub sent: u64,
    pub acked: u64,
    pub refused: u64,
}

/// What the desk says and sends, and what it needs to say it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outbox {
    outputs: Vec<Output>,
    notices: VecDeque<Notice>,
    pending: BTreeMap<String, Pending>,
    caps: Capabilities,
    counts: CommandCounts,
    ref_prefix: String,
    next_ref: u64,
    /// Counts changes of state other than the clock: every input but a tick, and any notice
    /// or command (a tick that fires a rule). A rule that changes state on a tick with
    /// neither must bump it too, or the journal drops that tick.
    revision: u64,
    /// A replay's: its commands reach no platform, so none is left waiting for an ack.
    replay: bool,
}

impl Outbox {
    /// An outbox whose commands' refs start with `ref_prefix`, for a platform that can take
    /// everything (livedesk's own protocol) until it says otherwise.
    /// A replay's outbox (`replay`) records no pending ack.
    pub fn new(ref_prefix: String, replay: bool) -> Outbox {
        Outbox {
            outputs: Vec::new(),
            notices: VecDeque::new(),
            pending: BTreeMap::new(),
            caps: Capabilities::ALL,
            counts: CommandCounts::default(),
            ref_prefix,
            next_ref: 1,
            revision: 0,
            replay,
        }
    }

    /// Whether this outbox is a replay's.
    pub fn replaying(&self) -> bool {
        self.replay
    }

    /// The outputs since the last take, in the order they were made.
    pub fn take(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.outputs)
    }

    /// State changed with nothing said or sent: the journal must keep this input.
    pub fn bump(&mut self) {
        self.revision += 1;
    }

    /// Changes so far (see [`Outbox::bump`]).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// A line for the operator, said `at` (the time of the input).
    pub fn notice(&mut self, level: Level, text: String, at: DateTime<Utc>) {
        self.revision += 1;
        if self.notices.len() == NOTICES_KEPT {
            self.notices.pop_front();
        }
        self.notices.push_back(Notice { at, level, text });
    }

    /// Notices, oldest first.
    pub fn notices(&self) -> impl DoubleEndedIterator<Item = &Notice> {
        self.notices.iter()
    }

    /// An output that is no command: the bell, the clipboard, an example to keep.
    pub fn push(&mut self, output: Output) {
        self.outputs.push(output);
    }

    /// The ref for the next command.
    pub fn next_ref(&mut self) -> String {
        let r = format!("{}-{}", self.ref_prefix, self.next_ref);
        self.next_ref += 1;
        r
    }

    /// Refs from here on start with `prefix` (a restarted run never reuses one).
    pub fn renew_refs(&mut self, prefix: String) {
        self.ref_prefix = prefix;
    }

    /// What the platform can take.
    pub fn caps(&self) -> Capabilities {
        self.caps
    }

    /// The platform said what it can take; true if that changed.
    pub fn set_caps(&mut self, caps: Capabilities) -> bool {
        let changed = self.caps != caps;
        self.caps = caps;
        changed
    }

    /// Commands sent and not yet answered, by ref.
    pub fn pending(&self) -> &BTreeMap<String, Pending> {
        &self.pending
    }

    /// Commands sent, answered and refused.
    pub fn counts(&self) -> &CommandCounts {
        &self.counts
    }

    /// The platform answered `reference`; returns the command it answered, if the desk
    /// was waiting for it.
    pub fn acked(&mut self, reference: &str, ok: bool) -> Option<Pending> {
        let pending = self.pending.remove(reference)?;
        self.counts.acked += 1;
        if !ok {
            self.counts.refused += 1;
        }
        Some(pending)
    }

    /// Sends a command the platform can take; one it cannot gets a notice instead, and the
    /// desk keeps its own side (a sale's countdown, a pin on screen) for the operator to do
    /// the platform's part by hand.
    pub fn send(&mut self, command: Command, label: String, now: DateTime<Utc>) {
        self.revision += 1;
        let caps = self.caps;
        let can = match &command {
            Command::Hello { .. } => true,
            Command::SendChat { .. } => caps.send_chat,
            Command::DeleteChat { .. } => caps.delete,
            Command::MuteUser { .. } => caps.mute,
            Command::PinChat { .. } | Command::PinProduct { .. } => caps.pin,
            Command::FlashSale { .. } => caps.flash_sale,
        };
        if !can {
            self.notice(Level::Info, format!("Not sent ({label}): the platform cannot take it here"), now);
            return;
        }
        if let Some(r) = command.reference()
            && !self.replay
        {
            self.pending.insert(r.to_owned(), Pending { label, sent_at: now });
        }
        self.counts.sent += 1;
        self.outputs.push(Output::Send(command));
    }

    /// Sends a chat message (an answer when `reply_to` names the comment), or says it could
    /// not go on a read-only platform.
    pub fn send_chat(&mut self, text: String, reply_to: Option<String>, label: String, now: DateTime<Utc>) {
        if !self.caps.send_chat {
            self.notice(Level::Info, format!("Not sent (the platform is read-only here): {label}"), now);
            return;
        }
        let reference = self.next_ref();
        self.send(Command::SendChat { reference, text, reply_to }, label.clone(), now);
        self.notice(Level::Info, format!("Sent {label}"), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    #[test]
    fn a_command_the_platform_cannot_take_is_a_notice_and_waits_for_no_ack() {
        let mut o = Outbox::new("r".into(), false);
        o.set_caps(Capabilities { pin: false, ..Capabilities::ALL });
        let reference = o.next_ref();
        o.send(Command::PinProduct { reference, sku: None }, "unpin".into(), at(1));
        assert!(o.take().is_empty());
        assert!(o.pending().is_empty());
        assert_eq!(o.counts().sent, 0);
        assert_eq!(o.notices().last().unwrap().text, "Not sent (unpin): the platform cannot take it here");
    }

    #[test]
    fn a_sent_command_waits_for_its_ack_and_a_refusal_is_counted() {
        let mut o = Outbox::new("run".into(), false);
        o.send_chat("hi".into(), None, "hello".into(), at(2));
        let out = o.take();
        assert!(
            matches!(&out[..], [Output::Send(Command::SendChat { reference, .. })] if reference == "run-1")
        );
        assert_eq!(o.pending()["run-1"].sent_at, at(2));
        assert_eq!(o.acked("run-1", false).map(|p| p.label), Some("hello".into()));
        assert_eq!(o.acked("run-1", true), None, "answered once");
        assert_eq!(*o.counts(), CommandCounts { sent: 1, acked: 1, refused: 1 });
        assert_eq!(o.notices().last().unwrap().at, at(2));
    }

    #[test]
    fn the_oldest_notices_go_first_and_every_notice_moves_the_revision() {
        let mut o = Outbox::new("r".into(), false);
        for i in 0..=NOTICES_KEPT {
            o.notice(Level::Info, format!("n{i}"), at(i as i64));
        }
        assert_eq!(o.notices().count(), NOTICES_KEPT);
        assert_eq!(o.notices().next().unwrap().text, "n1");
        assert_eq!(o.revision(), NOTICES_KEPT as u64 + 1);
    }
}
