//! How far one connection got, so that only a healthy one resets the backoff: a platform
//! that welcomes and then drops every connection must still see the waits grow.

use std::time::Duration;

use tokio::time::Instant;

/// A connection up this long has earned a fresh backoff, even with no event on it.
pub const HEALTHY_AFTER: Duration = Duration::from_secs(30);

/// The handshake's end and whether events flowed, on one connection.
#[derive(Debug, Default)]
pub(super) struct Health {
    up_since: Option<Instant>,
    flowing: bool,
}

impl Health {
    /// The handshake is done: the welcome came (or, for an adapter, the socket is up).
    pub(super) fn up(&mut self) {
        self.up_since.get_or_insert_with(Instant::now);
    }

    /// Whether the handshake is done.
    pub(super) fn is_up(&self) -> bool {
        self.up_since.is_some()
    }

    /// A new stream event arrived: the platform is really serving.
    pub(super) fn event(&mut self) {
        self.flowing = true;
    }

    /// Whether the connection earned a fresh backoff by `now`: events flowed, or it
    /// stayed up a while.
    pub(super) fn healthy(&self, now: Instant) -> bool {
        self.flowing || self.up_since.is_some_and(|t| now.duration_since(t) >= HEALTHY_AFTER)
    }
}
