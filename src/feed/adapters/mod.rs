//! One adapter per platform feed that does not speak livedesk's own protocol: each maps its
//! platform's frames onto the desk's [`Event`]s and the desk's [`Command`]s onto its
//! platform's frames, so that nothing past the adapter knows the platform.
//!
//! The feed client ([`super::ws`]) owns the connection (connect, keepalive, reconnect with
//! backoff); an adapter only translates, and says what its platform can do.

pub mod bundles;
mod json;
mod seen;
pub mod ssn;
pub mod tiktok;
pub mod twitch;

use chrono::{DateTime, Utc};

use crate::protocol::{Capabilities, Command, Event, Format, SendLimit};

/// What one received text frame said.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading {
    /// Desk events, in order (the feed client validates and sanitizes them).
    pub events: Vec<Event>,
    /// Frames to send back at once (IRC `PONG`).
    pub replies: Vec<String>,
    /// Events already seen (a relay replays recent comments on every connect).
    pub duplicates: u32,
    /// Frame or event kinds with no meaning for the desk, by name (counted as unknown).
    pub unknown: Vec<String>,
    /// Why the frame could not be read, if it could not.
    pub malformed: Option<String>,
    /// News for the operator that no desk event carries (a pinned comment, the product card
    /// on screen), shown as notices.
    pub notices: Vec<String>,
    /// The platform asked the client to reconnect (Twitch `RECONNECT`).
    pub reconnect: bool,
    /// The platform refused the connection for good (a login refused, a channel that does
    /// not exist): reconnecting cannot help, so the client stops and says this.
    pub failed: Option<String>,
}

/// A platform feed's translator. One lives as long as the desk's connection to the feed,
/// across reconnects, so it remembers what it has seen (for dedup) and what it sent.
pub trait Adapter: Send {
    /// What the platform lets the desk do.
    fn capabilities(&self) -> Capabilities;

    /// The stream this feed is about (a channel, a room), for the desk's `welcome`.
    fn stream_id(&self) -> String;

    /// Frames to send as soon as the connection is open (log in, join a channel).
    fn greet(&mut self) -> Vec<String>;

    /// Reads one text frame that arrived at `now`.
    fn read(&mut self, text: &str, now: DateTime<Utc>) -> Reading;

    /// The frames that carry `cmd` to the platform, or why it cannot be carried.
    fn write(&mut self, cmd: &Command) -> Result<Vec<String>, String>;

    /// How many frames from [`Adapter::write`] the platform takes per stretch of time, if it
    /// limits them (`None`: no known limit). It may change as the feed is read (Twitch allows
    /// more once it says the account moderates the channel), so ask again after each read.
    /// Frames over the limit wait in the client's queue; they are never dropped.
    fn send_limit(&self) -> Option<SendLimit> {
        None
    }
}

/// What an adapter is set up from: the feed's address and whom it reads as.
#[derive(Clone, Copy, Debug, Default)]
pub struct Setup<'a> {
    /// The feed's address (some name the stream or the session in it).
    pub url: &'a str,
    /// The channel or room to read (`feed.channel`).
    pub channel: Option<&'a str>,
    /// The login name that goes with the token (`feed.nick`).
    pub nick: Option<&'a str>,
    /// The token, if one is set.
    pub token: Option<&'a str>,
    /// The variable the token comes from, to name it when something is missing.
    pub token_env: &'a str,
}

/// The adapter for `format`, set up from where the feed is and whom it reads as.
pub fn open(format: Format, setup: &Setup<'_>) -> Result<Box<dyn Adapter>, String> {
    match format {
        Format::Twitch => {
            let Some(channel) = setup.channel.filter(|c| !c.trim().is_empty()).map(str::to_owned) else {
                return Err("Twitch needs the channel to read: set feed.channel in settings.toml".into());
            };
            let login = match (setup.nick, setup.token) {
                (Some(nick), Some(token)) => Some((nick.to_owned(), token.to_owned())),
                (None, Some(_)) => {
                    return Err(format!(
                        "Twitch needs the login name that goes with ${}: set feed.nick in settings.toml",
                        setup.token_env
                    ));
                }
                _ => None,
            };
            Ok(Box::new(twitch::Twitch::new(channel, login)))
        }
        Format::Tiktok => Ok(Box::new(tiktok::TikTok::new(stream_name(setup)))),
        Format::Ssn => match ssn_session(setup) {
            Some(session) => Ok(Box::new(ssn::Ssn::new(session))),
            None => Err("Social Stream Ninja needs the session to join: set feed.channel in settings.toml \
                 to your session id (the `?session=` value of your SSN dock address)"
                .into()),
        },
        Format::Livedesk => Err("livedesk's own protocol needs no adapter".into()),
    }
}

/// The Social Stream Ninja session to join: `feed.channel`, else the one the address names
/// (`wss://io.socialstream.ninja/join/SESSION/…`, or a `session=` parameter).
fn ssn_session(setup: &Setup<'_>) -> Option<String> {
    if let Some(channel) = setup.channel.map(str::trim).filter(|c| !c.is_empty()) {
        return Some(channel.to_owned());
    }
    let url = setup.url;
    let (address, query) = url.split_once('?').unwrap_or((url, ""));
    let path = address.split_once("://").map_or(address, |(_, rest)| rest);
    let mut segments = path.split('/').skip(1);
    if segments.any(|s| s == "join")
        && let Some(session) = segments.next().filter(|s| !s.is_empty())
    {
        return Some(session.to_owned());
    }
    query.split('&').find_map(|kv| kv.strip_prefix("session=")).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The stream's name for a feed with no welcome of its own: `feed.channel`, else the relay's
/// `uniqueId` query parameter (hosted relays choose the streamer that way), else its host.
fn stream_name(setup: &Setup<'_>) -> String {
    if let Some(channel) = setup.channel.filter(|c| !c.trim().is_empty()) {
        return channel.to_owned();
    }
    let url = setup.url;
    let query = url.split_once('?').map_or("", |(_, q)| q);
    if let Some(id) = query.split('&').find_map(|kv| kv.strip_prefix("uniqueId=")).filter(|v| !v.is_empty()) {
        return id.trim_start_matches('@').to_owned();
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest).to_owned()
}

/// Random JSON for the adapters' property tests: no frame may make an adapter panic.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// Any JSON value, nested a few levels, whose objects mostly use `keys` (the platform's
    /// field names, so the adapter gets past its first checks) and whose strings sometimes
    /// match one of `texts` (regexes for text the platform's fields hold).
    pub fn json_value(keys: &'static [&'static str], texts: &'static [&'static str]) -> BoxedStrategy<Value> {
        let mut leaves = vec![
            Just(Value::Null).boxed(),
            any::<bool>().prop_map(Value::Bool).boxed(),
            any::<i64>().prop_map(|n| json!(n)).boxed(),
            any::<u64>().prop_map(|n| json!(n)).boxed(),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)).boxed(),
            ".{0,12}".prop_map(Value::String).boxed(),
        ];
        leaves.extend(texts.iter().map(|re| re.prop_map(Value::String).boxed()));
        let leaf = proptest::strategy::Union::new(leaves);
        leaf.prop_recursive(4, 48, 6, move |inner| {
            let key = prop_oneof![4 => proptest::sample::select(keys).prop_map(str::to_owned), 1 => ".{0,6}"];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key, inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A feed at `url`, reading `channel`.
    fn opts<'a>(url: &'a str, channel: Option<&'a str>) -> Setup<'a> {
        Setup { url, channel, nick: None, token: None, token_env: "T" }
    }

    #[test]
    fn a_stream_without_a_welcome_is_named_by_channel_then_uniqueid_then_host() {
        assert_eq!(stream_name(&opts("ws://localhost:21213/", Some("nailnook"))), "nailnook");
        assert_eq!(stream_name(&opts("wss://relay.example/ws?uniqueId=@nail.nook&key=1", None)), "nail.nook");
        assert_eq!(stream_name(&opts("ws://localhost:21213/", None)), "localhost:21213");
    }

    #[test]
    fn an_ssn_session_comes_from_the_channel_then_the_address() {
        let table = [
            (opts("wss://io.socialstream.ninja", Some(" abc123 ")), Some("abc123")),
            (opts("wss://io.socialstream.ninja/join/xyz789/4", None), Some("xyz789")),
            (opts("wss://io.socialstream.ninja/join/xyz789", Some("abc123")), Some("abc123")),
            (opts("wss://io.socialstream.ninja/api?session=s1&x=2", None), Some("s1")),
            (opts("wss://io.socialstream.ninja/join/", None), None),
            (opts("wss://io.socialstream.ninja", Some("  ")), None),
        ];
        for (o, want) in &table {
            assert_eq!(ssn_session(o).as_deref(), *want, "{}", o.url);
        }
        let Err(why) = open(Format::Ssn, &opts("wss://io.socialstream.ninja", None)) else { panic!() };
        assert!(why.contains("feed.channel") && why.contains("session"), "{why}");
        let Ok(adapter) = open(Format::Ssn, &opts("wss://io.socialstream.ninja/join/xyz789/4", None)) else {
            panic!()
        };
        assert!(adapter.capabilities().send_chat);
    }
}
