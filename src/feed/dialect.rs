//! What differs between the feeds the one connection loop ([`super::ws`]) serves: livedesk's
//! own protocol ([`super::native`]) and a platform's through its adapter
//! ([`super::adapted`]). The loop owns the socket, the timers and the send queue; a dialect
//! says what to send first, what a frame means, how a command is carried and who answers it.

use std::collections::VecDeque;

use super::health::Health;
use super::socket::Ended;
use crate::desk::Input;
use crate::protocol::{Command, SendLimit};

/// One way of speaking over a feed connection. One lives as long as the client, across
/// reconnects, so it keeps its cursors and numbering.
pub(super) trait Dialect: Send {
    /// The frames to send as soon as the socket is open.
    fn hello(&mut self) -> Vec<String>;

    /// What the desk hears once they went, for a platform with no handshake of its own.
    fn opened(&mut self, _health: &mut Health) -> Vec<Input> {
        Vec::new()
    }

    /// What one text frame means. An ack in it takes its command off `unacked`; `health`
    /// hears how far the connection got.
    fn read(&mut self, text: &str, unacked: &mut VecDeque<Command>, health: &mut Health) -> Heard;

    /// The frames that carry `cmd`, or why it cannot be carried.
    fn write(&mut self, cmd: &Command) -> Result<Vec<String>, String>;

    /// The ack the client gives for `cmd` once it was written (`Ok`) or could not be, for a
    /// platform that gives none; `None` where the platform acks every command itself.
    fn answer(&mut self, _cmd: &Command, _outcome: Result<(), String>) -> Option<Input> {
        None
    }

    /// Whether `cmd` waits for the send limit, and behind every command it holds back.
    fn paced(&self, cmd: &Command) -> bool {
        matches!(cmd, Command::SendChat { .. })
    }

    /// The platform's own send limit as known now (it may change as the feed is read).
    fn send_limit(&self) -> Option<SendLimit> {
        None
    }

    /// What the operator reads when the platform closes with 1008 (it refuses the client),
    /// with the platform's `reason`.
    fn refused(&self, reason: &str) -> String;
}

/// What one frame said.
#[derive(Default)]
pub(super) struct Heard {
    /// Frames to send back at once (IRC `PONG`).
    pub replies: Vec<String>,
    /// For the desk, in order.
    pub inputs: Vec<Input>,
    /// The connection ends here, after the inputs.
    pub end: Option<Ended>,
}
