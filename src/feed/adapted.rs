//! A platform that does not speak livedesk's protocol, through its [`Adapter`]: the adapter
//! translates, the loop drives the socket. Such platforms have no `seq`, no `welcome` and no
//! acks, so the client numbers the events itself, makes the `welcome`, and answers each
//! command with an ack of its own once it is written (or refused by the adapter). Every
//! command waits its turn behind the send limit, so the answers come in order.

use std::collections::VecDeque;

use chrono::{SecondsFormat, Utc};

use super::adapters::Adapter;
use super::dialect::{Dialect, Heard};
use super::health::Health;
use super::socket::Ended;
use crate::desk::{Input, Level, LinkEvent};
use crate::protocol::sanitize::{MAX_KIND_CHARS, MAX_REASON_CHARS, sanitize};
use crate::protocol::{Command, Event, Format, Frame, SendLimit, StreamInfo, VERSION, checked};

/// An adapted platform, and what the client keeps for it across reconnects.
pub(super) struct Adapted {
    adapter: Box<dyn Adapter>,
    /// The platform's name, as `feed.format` writes it.
    platform: &'static str,
    /// The last seq given to an event (the platform has none).
    seq: u64,
    /// Whether the operator was told this platform cannot resume.
    told_no_resume: bool,
}

impl Adapted {
    /// `adapter`, translating for the platform `format` names.
    pub(super) fn new(adapter: Box<dyn Adapter>, format: Format) -> Adapted {
        Adapted { adapter, platform: format.name(), seq: 0, told_no_resume: false }
    }

    /// Gives an event the next seq and the time now, for the desk.
    fn stamp(&mut self, event: Event) -> Input {
        self.seq += 1;
        let ts = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        Input::Feed(Frame { v: VERSION, seq: self.seq, ts, event })
    }
}

impl Dialect for Adapted {
    fn hello(&mut self) -> Vec<String> {
        self.adapter.greet()
    }

    fn opened(&mut self, health: &mut Health) -> Vec<Input> {
        let mut out = vec![Input::Link(LinkEvent::Connected)];
        let stream = StreamInfo {
            id: self.adapter.stream_id(),
            title: self.adapter.stream_id(),
            platform: self.platform.into(),
            currency: String::new(),
            started_at: String::new(),
        };
        out.push(self.stamp(Event::Welcome { stream, resumed: false, epoch: None }));
        // The welcome is the client's own: only events or time up make this connection healthy.
        health.up();
        let caps = self.adapter.capabilities();
        out.push(Input::Link(LinkEvent::Platform { name: self.platform.into(), caps }));
        if !caps.resume && !self.told_no_resume {
            self.told_no_resume = true;
            let text =
                format!("{}: no resume, so what is said while the link is down is not seen", self.platform);
            out.push(Input::Link(LinkEvent::Notice { level: Level::Warn, text }));
        }
        out
    }

    fn read(&mut self, text: &str, _unacked: &mut VecDeque<Command>, health: &mut Health) -> Heard {
        let reading = self.adapter.read(text, Utc::now());
        if let Some(failed) = reading.failed {
            return Heard { end: Some(Ended::Stop(sanitize(&failed, MAX_REASON_CHARS))), ..Heard::default() };
        }
        let mut inputs: Vec<Input> = Vec::new();
        inputs.extend((0..reading.duplicates).map(|_| Input::Link(LinkEvent::Duplicate)));
        inputs.extend(
            reading
                .unknown
                .into_iter()
                .map(|kind| Input::Link(LinkEvent::Unknown { kind: sanitize(&kind, MAX_KIND_CHARS) })),
        );
        inputs.extend(
            reading.malformed.map(|reason| {
                Input::Link(LinkEvent::Malformed { reason: sanitize(&reason, MAX_REASON_CHARS) })
            }),
        );
        inputs.extend(reading.notices.into_iter().map(|text| {
            Input::Link(LinkEvent::Notice { level: Level::Info, text: sanitize(&text, MAX_REASON_CHARS) })
        }));
        for event in reading.events {
            match checked(event) {
                Ok(event) => {
                    if !event.is_connection_level() {
                        health.event();
                    }
                    inputs.push(self.stamp(event));
                }
                Err(reason) => inputs.push(Input::Link(LinkEvent::Malformed { reason })),
            }
        }
        let end = reading.reconnect.then(|| Ended::Retry("the platform asked to reconnect".into()));
        Heard { replies: reading.replies, inputs, end }
    }

    fn write(&mut self, cmd: &Command) -> Result<Vec<String>, String> {
        self.adapter.write(cmd)
    }

    fn answer(&mut self, cmd: &Command, outcome: Result<(), String>) -> Option<Input> {
        let reference = cmd.reference()?.to_owned();
        let (ok, error) = match outcome {
            Ok(()) => (true, None),
            Err(reason) => (false, Some(reason)),
        };
        Some(self.stamp(Event::Ack { reference, ok, error }))
    }

    fn paced(&self, _cmd: &Command) -> bool {
        // The platform counts every frame, and the client's answers keep the commands' order.
        true
    }

    fn send_limit(&self) -> Option<SendLimit> {
        self.adapter.send_limit()
    }

    fn refused(&self, reason: &str) -> String {
        let reason = match reason.is_empty() {
            true => String::new(),
            false => format!(": {reason}"),
        };
        format!(
            "The platform ({}) refused the connection (close 1008{reason}): check feed.url, \
             feed.channel and feed.nick in settings.toml, and start again",
            self.platform
        )
    }
}
