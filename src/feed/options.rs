//! Where the feed client connects and how, as the settings and the command line say it.

use std::path::PathBuf;

use super::adapters::Setup;
use crate::protocol::{Format, SendLimit};

/// Where to connect and how.
#[derive(Clone, Debug)]
pub struct FeedOptions {
    /// `ws://` or `wss://` address.
    pub url: String,
    /// Bearer token, if the platform wants one.
    pub token: Option<String>,
    /// The variable the token came from, to name it when the platform refuses it.
    pub token_env: String,
    /// Resume after this seq (from a previous run), or start from live.
    pub resume_after: Option<u64>,
    /// The stream `resume_after` belongs to; a welcome for another one starts over.
    pub resume_stream: Option<String>,
    /// What the feed speaks: livedesk's protocol, or a platform's through its adapter.
    pub format: Format,
    /// The channel or room to read, for platforms that serve many on one address (Twitch).
    pub channel: Option<String>,
    /// The login name to send with the token, where the platform wants one (Twitch).
    pub nick: Option<String>,
    /// Most chat messages to send in a window (`settings.toml`); more wait, in order.
    pub send_limit: Option<SendLimit>,
    /// More roots to trust for a `wss://` relay (`feed.ca_file`): a studio's own relay.
    pub ca_file: Option<PathBuf>,
}

impl FeedOptions {
    /// What an adapter is set up from: the address and whom it reads as.
    pub(super) fn setup(&self) -> Setup<'_> {
        Setup {
            url: &self.url,
            channel: self.channel.as_deref(),
            nick: self.nick.as_deref(),
            token: self.token.as_deref(),
            token_env: &self.token_env,
        }
    }

    /// What the operator reads when the platform refuses the token it was given (or its
    /// absence), with what to do.
    pub(super) fn token_refused(&self) -> String {
        let source = match &self.token {
            Some(_) => format!("the token in ${}", self.token_env),
            None => format!("no token (set ${})", self.token_env),
        };
        format!("The platform refused {source} (close 1008): set a valid token and start again")
    }
}
