//! What a feed speaks and what its platform lets the desk do: plain words the desk, the
//! config and the feed client all use, so they live below all three.

/// The feed formats livedesk reads.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// livedesk's own protocol v1.
    #[default]
    Livedesk,
    /// A TikTok LIVE relay forwarding TikTok-Live-Connector events as JSON.
    Tiktok,
    /// Twitch chat over WebSocket (IRC with tags).
    Twitch,
    /// Social Stream Ninja's WebSocket API.
    Ssn,
}

impl Format {
    /// The format a feed address most likely speaks, when none is configured.
    pub fn guess(url: &str) -> Format {
        let url = url.to_ascii_lowercase();
        if url.contains("twitch.tv") {
            Format::Twitch
        } else if url.contains("socialstream") {
            Format::Ssn
        } else if url.contains(":21213") || url.contains("tiktok") || url.contains("tikfinity") {
            Format::Tiktok
        } else {
            Format::Livedesk
        }
    }

    /// Its name, as `feed.format` and `--format` write it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Livedesk => "livedesk",
            Format::Tiktok => "tiktok",
            Format::Twitch => "twitch",
            Format::Ssn => "ssn",
        }
    }
}

/// What a platform's feed lets the desk do. A command the platform cannot carry is refused
/// on the desk with the reason, never sent and lost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Capabilities {
    /// Send chat messages (canned replies, announcements).
    pub send_chat: bool,
    /// Delete a chat message.
    pub delete: bool,
    /// Mute or time out a viewer.
    pub mute: bool,
    /// Pin a message or a product.
    pub pin: bool,
    /// Start and end flash sales on the platform.
    pub flash_sale: bool,
    /// Resume after a reconnect without losing events (a `seq` to resume from).
    pub resume: bool,
}

impl Capabilities {
    /// Everything: livedesk's own protocol.
    pub const ALL: Capabilities =
        Capabilities { send_chat: true, delete: true, mute: true, pin: true, flash_sale: true, resume: true };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_guessed_from_the_address() {
        let table = [
            ("wss://irc-ws.chat.twitch.tv:443", Format::Twitch),
            ("ws://localhost:21213/", Format::Tiktok),
            ("wss://relay.example/tiktok/shop", Format::Tiktok),
            ("wss://io.socialstream.ninja/api", Format::Ssn),
            ("wss://live.example/feed", Format::Livedesk),
            ("ws://127.0.0.1:8765/", Format::Livedesk),
        ];
        for (url, format) in table {
            assert_eq!(Format::guess(url), format, "{url}");
        }
    }
}
