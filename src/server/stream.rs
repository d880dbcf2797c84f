//! The stream's side of the server: the seq counter, the resume buffer, the broadcast to
//! every client, and the clock that plays a script into it.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use tokio::sync::{Notify, broadcast, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::protocol::{Event, Frame, StreamState, VERSION};

use super::LOOP_PAUSE_MS;

/// Frames kept for clients that resume.
pub(super) const RESUME_FRAMES: usize = 100_000;
/// Frames a client may fall behind the stream before it is dropped (it can resume).
pub(super) const CHANNEL_FRAMES: usize = 32_768;
/// Events emitted back to back before the clock lets other tasks run.
const BURST: usize = 1_024;

/// What the broadcast carries to every session.
#[derive(Clone, Debug)]
pub(super) enum Item {
    /// A stream frame, already encoded.
    Frame { seq: u64, text: Utf8Bytes },
    /// The stream is over: close with 4000.
    End,
}

/// What a new client gets, taken atomically with its subscription.
pub(super) struct Subscription {
    pub rx: broadcast::Receiver<Item>,
    /// The last seq emitted (0 if none).
    pub head: u64,
    /// The frames after `resume_after`, when the buffer still holds all of them.
    pub backlog: Option<Vec<(u64, Utf8Bytes)>>,
    pub ended: bool,
}

struct State {
    head: u64,
    buffer: VecDeque<(u64, Utf8Bytes)>,
    ended: bool,
}

/// The live stream: every frame goes through here to get its seq, in one order for all.
pub(super) struct LiveStream {
    state: Mutex<State>,
    tx: broadcast::Sender<Item>,
    capacity: usize,
}

/// The current UTC time as the protocol writes it (RFC 3339, milliseconds).
pub(super) fn now_ts() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl LiveStream {
    pub fn new(capacity: usize, channel: usize) -> Self {
        let (tx, _) = broadcast::channel(channel.max(1));
        let state = State { head: 0, buffer: VecDeque::new(), ended: false };
        LiveStream { state: Mutex::new(state), tx, capacity: capacity.max(1) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The last seq emitted, 0 if none.
    #[cfg(test)]
    pub fn head(&self) -> u64 {
        self.lock().head
    }

    /// Gives `event` the next seq, keeps it for resume and sends it to every client.
    pub fn emit(&self, event: Event) -> u64 {
        let mut state = self.lock();
        self.emit_locked(&mut state, event)
    }

    fn emit_locked(&self, state: &mut State, event: Event) -> u64 {
        state.head += 1;
        let seq = state.head;
        let frame = Frame { v: VERSION, seq, ts: now_ts(), event };
        let text = Utf8Bytes::from(frame.to_json());
        if state.buffer.len() == self.capacity {
            state.buffer.pop_front();
        }
        state.buffer.push_back((seq, text.clone()));
        // No receiver is fine: nobody is watching yet.
        let _ = self.tx.send(Item::Frame { seq, text });
        seq
    }

    /// Emits `stream ended` (unless the script just did) and tells every client to go.
    pub fn end(&self, already_said: bool) {
        let mut state = self.lock();
        if state.ended {
            return;
        }
        if !already_said {
            self.emit_locked(&mut state, Event::Stream { state: StreamState::Ended });
        }
        state.ended = true;
        let _ = self.tx.send(Item::End);
    }

    /// Subscribes a client and takes its snapshot under one lock, so that the live frames it
    /// will receive start exactly after `head`.
    pub fn subscribe(&self, resume_after: Option<u64>) -> Subscription {
        let state = self.lock();
        let rx = self.tx.subscribe();
        let head = state.head;
        let backlog = resume_after.and_then(|after| {
            if after > head {
                return None; // Newer than anything here: a restarted server.
            }
            let first = state.buffer.front().map_or(head + 1, |(seq, _)| *seq);
            if after + 1 < first {
                return None; // Some of what the client missed is gone.
            }
            let skip = (after + 1 - first) as usize;
            Some(state.buffer.iter().skip(skip).cloned().collect())
        });
        Subscription { rx, head, backlog, ended: state.ended }
    }
}

/// What the clock needs to play a script.
pub(super) struct Clock {
    /// The script's events with their times.
    pub events: Vec<(u64, Event)>,
    /// The script's length (its last line, operator lines included).
    pub duration_ms: u64,
    pub speed: f64,
    pub looped: bool,
}

impl Clock {
    /// Plays the script into `live`, starting when `start` is notified (the first client),
    /// until the script ends or `shutdown` closes.
    pub async fn run(self, live: &LiveStream, start: &Notify, mut shutdown: watch::Receiver<()>) {
        tokio::select! {
            _ = start.notified() => {}
            _ = shutdown.changed() => return,
        }
        let t0 = Instant::now();
        let mut base_ms = 0u64;
        let mut round = 0u64;
        loop {
            let mut last_was_end = false;
            for (i, (at_ms, event)) in self.events.iter().enumerate() {
                let deadline = self.deadline(t0, base_ms.saturating_add(*at_ms));
                if deadline > Instant::now() {
                    tokio::select! {
                        _ = tokio::time::sleep_until(deadline) => {}
                        _ = shutdown.changed() => return,
                    }
                } else if i % BURST == BURST - 1 {
                    tokio::task::yield_now().await;
                }
                last_was_end = matches!(event, Event::Stream { state: StreamState::Ended });
                let event = if round == 0 { event.clone() } else { suffixed(event, round) };
                live.emit(event);
            }
            if !self.looped {
                live.end(last_was_end);
                return;
            }
            if self.events.is_empty() {
                // Nothing to play, ever: stay live and quiet.
                let _ = shutdown.changed().await;
                return;
            }
            base_ms = base_ms.saturating_add(self.duration_ms).saturating_add(LOOP_PAUSE_MS);
            round += 1;
        }
    }

    /// When script time `at_ms` falls, at this clock's speed.
    fn deadline(&self, t0: Instant, at_ms: u64) -> Instant {
        let secs = at_ms as f64 / 1000.0 / self.speed;
        Duration::try_from_secs_f64(secs)
            .ok()
            .and_then(|d| t0.checked_add(d))
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(365 * 24 * 3600))
    }
}

/// The event as played in loop round `round` ≥ 1: its ids get `~round` so they stay unique.
pub(super) fn suffixed(event: &Event, round: u64) -> Event {
    let tag = |id: &mut String| {
        id.push('~');
        id.push_str(&round.to_string());
    };
    let mut event = event.clone();
    match &mut event {
        Event::Chat { msg_id, reply_to, .. } => {
            tag(msg_id);
            if let Some(r) = reply_to {
                tag(r);
            }
        }
        Event::Question { msg_id, .. } => tag(msg_id),
        Event::Order { order_id, .. } | Event::OrderUpdate { order_id, .. } => tag(order_id),
        Event::Moderation { msg_id: Some(m), .. } => tag(m),
        _ => {}
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::User;

    fn viewers(n: u64) -> Event {
        Event::Viewers { count: n }
    }

    fn seqs(backlog: &Option<Vec<(u64, Utf8Bytes)>>) -> Option<Vec<u64>> {
        backlog.as_ref().map(|b| b.iter().map(|(s, _)| *s).collect())
    }

    #[test]
    fn resume_buffer_serves_only_complete_gaps() {
        let live = LiveStream::new(5, 16);
        assert_eq!(seqs(&live.subscribe(Some(0)).backlog), Some(vec![]));
        for n in 1..=8 {
            assert_eq!(live.emit(viewers(n)), n);
        }
        // The buffer holds seqs 4..=8.
        assert_eq!(seqs(&live.subscribe(Some(3)).backlog), Some(vec![4, 5, 6, 7, 8]));
        assert_eq!(seqs(&live.subscribe(Some(6)).backlog), Some(vec![7, 8]));
        assert_eq!(seqs(&live.subscribe(Some(8)).backlog), Some(vec![]));
        assert_eq!(seqs(&live.subscribe(Some(2)).backlog), None, "seq 3 is gone");
        assert_eq!(seqs(&live.subscribe(Some(9)).backlog), None, "beyond head");
        assert_eq!(seqs(&live.subscribe(None).backlog), None);
        assert_eq!(live.subscribe(None).head, 8);
    }

    #[test]
    fn frames_carry_the_envelope_and_reach_subscribers_after_the_snapshot() {
        let live = LiveStream::new(10, 16);
        live.emit(viewers(1));
        let mut sub = live.subscribe(None);
        live.emit(viewers(2));
        live.end(false);
        let Ok(Item::Frame { seq, text }) = sub.rx.try_recv() else { panic!("expected a frame") };
        assert_eq!(seq, 2);
        let frame = crate::protocol::decode_frame(&text).unwrap();
        assert_eq!((frame.v, frame.seq, frame.event), (1, 2, viewers(2)));
        assert!(chrono::DateTime::parse_from_rfc3339(&frame.ts).is_ok(), "{}", frame.ts);
        assert!(frame.ts.ends_with('Z') && frame.ts.contains('.'), "{}", frame.ts);
        let Ok(Item::Frame { seq: 3, text }) = sub.rx.try_recv() else { panic!("expected the end") };
        assert!(text.contains("\"ended\""));
        assert!(matches!(sub.rx.try_recv(), Ok(Item::End)));
        assert!(live.subscribe(None).ended);
    }

    #[test]
    fn loop_rounds_suffix_every_id() {
        let user = User { id: "u1".into(), name: "A".into(), region: None, badges: vec![], follower: false };
        let chat = Event::Chat {
            msg_id: "m2".into(),
            user: user.clone(),
            text: "hi".into(),
            reply_to: Some("m1".into()),
        };
        let Event::Chat { msg_id, reply_to, user: u, .. } = suffixed(&chat, 3) else { panic!() };
        assert_eq!((msg_id.as_str(), reply_to.as_deref(), u.id.as_str()), ("m2~3", Some("m1~3"), "u1"));
        let upd = Event::OrderUpdate { order_id: "o1".into(), status: crate::protocol::OrderStatus::Paid };
        assert!(matches!(suffixed(&upd, 1), Event::OrderUpdate { order_id, .. } if order_id == "o1~1"));
        assert_eq!(suffixed(&viewers(4), 2), viewers(4));
    }
}
