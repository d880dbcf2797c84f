//! Pacing chat sends to a send limit: the limit set in `settings.toml` and, on an adapted
//! feed, the platform's own (both kept, on a [`SendWindow`] each), and the word to
//! the desk of what waits, so a held-back reply shows as a queue rather than silence.

use std::time::{Duration, Instant};

use super::window::SendWindow;
use crate::desk::{Level, LinkEvent};
use crate::protocol::Command;
use crate::protocol::SendLimit;

/// The send windows a chat message must have room in, and what the desk last heard.
#[derive(Clone, Debug, Default)]
pub(super) struct Pacer {
    /// The limit set in `settings.toml`.
    configured: Option<SendWindow>,
    /// The platform's own, as its adapter knows it (it may change as the feed is read).
    platform: Option<SendWindow>,
    /// The refs the desk was last told wait (empty: nothing waits).
    told: Vec<String>,
}

impl Pacer {
    /// A pacer for the limit set, if any.
    pub fn new(configured: Option<SendLimit>) -> Pacer {
        Pacer { configured: configured.map(SendWindow::new), ..Pacer::default() }
    }

    /// Follows the platform's limit; sends already made still count under a new one.
    pub fn track_platform(&mut self, limit: Option<SendLimit>) {
        match (limit, &mut self.platform) {
            (Some(limit), Some(window)) => window.set_limit(limit),
            (Some(limit), None) => self.platform = Some(SendWindow::new(limit)),
            (None, _) => self.platform = None,
        }
    }

    /// How long the next message must wait at `now` (`None`: it may go).
    pub fn ready_in(&self, now: Instant) -> Option<Duration> {
        let waits = [&self.configured, &self.platform].into_iter().flatten().filter_map(|w| w.ready_in(now));
        waits.max()
    }

    /// Counts a message sent at `now` in every window.
    pub fn sent(&mut self, now: Instant) {
        for window in [&mut self.configured, &mut self.platform].into_iter().flatten() {
            window.admit(now);
        }
    }

    /// A new connection: the desk forgot the queue with the old one.
    pub fn reconnected(&mut self) {
        self.told.clear();
    }

    /// What to tell the desk now that `held` wait (oldest first) and the next may go in
    /// `wait`: the queue when it changed, and a notice when a wait begins. Nothing when the
    /// desk already knows.
    pub fn report<'a>(
        &mut self,
        held: impl Iterator<Item = &'a Command>,
        wait: Option<Duration>,
    ) -> Vec<LinkEvent> {
        let refs: Vec<String> = held.filter_map(|c| c.reference().map(str::to_owned)).collect();
        if refs == self.told {
            return Vec::new();
        }
        let mut out = Vec::new();
        let wait = wait.unwrap_or_default();
        if self.told.is_empty() {
            let text = format!(
                "Send limit reached: {} message(s) wait, the next in {} s",
                refs.len(),
                wait.as_secs().max(1)
            );
            out.push(LinkEvent::Notice { level: Level::Warn, text });
        }
        self.told.clone_from(&refs);
        out.push(LinkEvent::SendQueue { held: refs, next_in_ms: wait.as_millis() as u64 });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(r: &str) -> Command {
        Command::SendChat { reference: r.into(), text: "hi".into(), reply_to: None }
    }

    #[test]
    fn both_windows_must_have_room() {
        let t0 = Instant::now();
        let mut p = Pacer::new(Some(SendLimit::new(3, Duration::from_secs(10))));
        p.track_platform(Some(SendLimit::new(2, Duration::from_secs(1))));
        p.sent(t0);
        p.sent(t0);
        assert_eq!(p.ready_in(t0), Some(Duration::from_secs(1)), "the platform's window is full");
        p.sent(t0 + Duration::from_secs(1));
        assert_eq!(
            p.ready_in(t0 + Duration::from_secs(2)),
            Some(Duration::from_secs(8)),
            "then the setting's"
        );
        p.track_platform(None);
        assert_eq!(Pacer::new(None).ready_in(t0), None, "no limit, no wait");
    }

    #[test]
    fn the_desk_hears_of_the_queue_when_it_changes() {
        let mut p = Pacer::new(None);
        let (a, b) = (chat("a"), chat("b"));
        let first = p.report([&a, &b].into_iter(), Some(Duration::from_millis(2_500)));
        assert!(
            matches!(&first[0], LinkEvent::Notice { text, .. } if text == "Send limit reached: 2 message(s) wait, the next in 2 s")
        );
        assert_eq!(first[1], LinkEvent::SendQueue { held: vec!["a".into(), "b".into()], next_in_ms: 2_500 });
        assert!(
            p.report([&a, &b].into_iter(), Some(Duration::from_millis(900))).is_empty(),
            "the desk counts down itself"
        );
        let next = p.report([&b].into_iter(), Some(Duration::from_millis(800)));
        assert_eq!(next, [LinkEvent::SendQueue { held: vec!["b".into()], next_in_ms: 800 }]);
        assert_eq!(
            p.report(std::iter::empty(), None),
            [LinkEvent::SendQueue { held: vec![], next_in_ms: 0 }]
        );
        assert!(p.report(std::iter::empty(), None).is_empty());
        p.report([&a].into_iter(), Some(Duration::from_secs(1)));
        p.reconnected();
        assert_eq!(
            p.report([&a].into_iter(), Some(Duration::from_secs(1))).len(),
            2,
            "told again after a reconnect"
        );
    }
}
