//! The link: what the feed client says about the connection (dialling, live, lost, given
//! up, the send limit's queue, what the platform can take), and what the platform says of the
//! stream and of the commands it was sent (welcome, the stream's state, acks, errors). Each
//! becomes the state the status bar shows, and a notice where the operator must know.

use chrono::{DateTime, Utc};

use super::outbox::Outbox;
use super::{Level, Link, LinkEvent, State};
use crate::protocol::{StreamInfo, StreamState};

impl State {
    /// What the feed client says about the connection.
    pub(super) fn link_news(&mut self, out: &mut Outbox, link: LinkEvent, now: DateTime<Utc>) {
        self.health.link(&link, now);
        if matches!(
            link,
            LinkEvent::Connecting { .. }
                | LinkEvent::Disconnected { .. }
                | LinkEvent::Failed { .. }
                | LinkEvent::StreamEnded
        ) {
            // The feed client's queue went with the connection.
            self.send_queue.clear();
        }
        match link {
            LinkEvent::SendQueue { held, next_in_ms } => self.send_queue.set(held, next_in_ms, now),
            LinkEvent::Connecting { attempt } => {
                if !matches!(self.link, Link::Reconnecting { .. }) || attempt == 1 {
                    self.link = Link::Connecting { attempt };
                }
            }
            LinkEvent::Connected => self.link = Link::Live,
            LinkEvent::Platform { name, caps } => {
                self.platform = Some(name.clone());
                let changed = out.set_caps(caps);
                if changed && !caps.send_chat {
                    let text = format!("{name} is read-only here: a reply key copies the reply to paste");
                    out.notice(Level::Info, text, self.now);
                }
            }
            LinkEvent::Disconnected { reason, retry_in_ms } => {
                let attempt = match &self.link {
                    Link::Reconnecting { attempt, .. } => attempt + 1,
                    _ => 1,
                };
                // One outage is one reconnect, however many attempts it takes.
                match self.link {
                    Link::Live => {
                        out.notice(
                            Level::Warn,
                            format!("Connection lost: {reason}. Reconnecting…"),
                            self.now,
                        );
                    }
                    Link::Connecting { .. } => {
                        out.notice(
                            Level::Warn,
                            format!("Cannot reach the platform: {reason}. Retrying…"),
                            self.now,
                        );
                    }
                    _ => {}
                }
                let retry_at = now + chrono::Duration::milliseconds(retry_in_ms as i64);
                self.link = Link::Reconnecting { attempt, retry_at, reason };
            }
            LinkEvent::Failed { reason } => {
                out.notice(Level::Error, reason.clone(), self.now);
                self.link = Link::Failed(reason);
            }
            LinkEvent::Malformed { reason } => tracing::debug!(%reason, "malformed frame dropped"),
            LinkEvent::Unknown { .. } => self.counters.unknown += 1,
            LinkEvent::Duplicate => {}
            LinkEvent::StreamEnded => {
                self.link = Link::Ended;
                if !self.ended() {
                    self.stream_state = Some(StreamState::Ended);
                    out.notice(Level::Info, "The stream has ended".into(), self.now);
                }
            }
            LinkEvent::Notice { level, text } => out.notice(level, text, self.now),
            LinkEvent::Gap { missed } => {
                out.notice(Level::Warn, format!("Missed {missed} event(s) from the platform"), self.now);
            }
            LinkEvent::Renumbered => {
                self.renumbered_at = Some(now);
                let text = "The platform restarted its numbering: its new events are shown, \
                            repeats of what the desk has are dropped, and events it sent while \
                            the link was down may be missing";
                out.notice(Level::Warn, text.into(), self.now);
            }
        }
    }

    /// The platform's welcome: the stream it serves (the shop's currency kept where it names
    /// none), and the link is live.
    pub(super) fn welcome(&mut self, out: &mut Outbox, stream: StreamInfo, resumed: bool) {
        let text = if resumed {
            format!("Resumed {}", stream.title)
        } else {
            format!("Connected to {}", if stream.title.is_empty() { &stream.id } else { &stream.title })
        };
        if !stream.currency.is_empty() {
            self.stream = stream;
        } else {
            let currency = std::mem::take(&mut self.stream.currency);
            self.stream = StreamInfo { currency, ..stream };
        }
        self.link = Link::Live;
        out.notice(Level::Info, text, self.now);
    }

    /// The stream went live, paused or ended on the platform.
    pub(super) fn stream_is(&mut self, out: &mut Outbox, state: StreamState) {
        self.stream_state = Some(state);
        let text = match state {
            StreamState::Live => "The stream is live",
            StreamState::Paused => "The stream is paused",
            StreamState::Ended => "The stream has ended",
        };
        out.notice(Level::Info, text.into(), self.now);
    }

    /// The platform's answer to a command: it leaves the send queue and the pending acks, a
    /// moderation it answers takes effect (or is taken back), and a refusal is told.
    pub(super) fn acked(&mut self, out: &mut Outbox, reference: &str, ok: bool, error: Option<String>) {
        self.moderation_answered(reference, ok);
        self.send_queue.release(reference);
        let Some(pending) = out.acked(reference, ok) else { return };
        if !ok {
            let why = error.unwrap_or_else(|| "no reason given".into());
            out.notice(Level::Error, format!("The platform refused {}: {why}", pending.label), self.now);
        }
    }
}
