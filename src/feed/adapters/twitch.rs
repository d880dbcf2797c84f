//! Twitch chat over WebSocket (`wss://irc-ws.chat.twitch.tv:443`): IRC with IRCv3 tags.
//!
//! Written from Twitch's developer documentation:
//! - "IRC Concepts" (<https://dev.twitch.tv/docs/chat/irc/>): connecting, the
//!   `twitch.tv/tags` and `twitch.tv/commands` capabilities, `PING`/`PONG`.
//! - "Authenticating with the Twitch IRC Server" (<https://dev.twitch.tv/docs/irc/authenticate-bot/>):
//!   `PASS oauth:<token>` before `NICK`, and the `NOTICE *` a refused login gets.
//! - "Twitch IRC Tags" (<https://dev.twitch.tv/docs/irc/tags/>): every tag read here, and
//!   their escaping (the IRCv3 message-tags rules).
//! - "Twitch-specific IRC Commands" (<https://dev.twitch.tv/docs/irc/commands/>): `CLEARCHAT`,
//!   `CLEARMSG`, `NOTICE`, `RECONNECT`, `ROOMSTATE`, `USERNOTICE`, `USERSTATE`.
//! - "Sending and Receiving Chat Messages" (<https://dev.twitch.tv/docs/irc/send-receive-messages/>):
//!   replies as `@reply-parent-msg-id=<id> PRIVMSG #<channel> :<text>`.
//! - The rate limits (<https://dev.twitch.tv/docs/irc/guide/#rate-limits>, now in "Chat &
//!   Chatbots"): 20 messages per 30 s, 100 where the sender is the broadcaster or a moderator.
//! - "Using Twitch Chat Commands" (<https://dev.twitch.tv/docs/irc/chat-commands/>) and the
//!   forum post "Deprecation of chat commands through IRC": `/delete`, `/timeout`, `/ban` and
//!   the other moderation commands stopped working over IRC in February 2023 and moved to the
//!   Twitch API, so this adapter can neither delete nor mute.
//! - Other clients' readings of the same lines, whose test suites hold real ones:
//!   robotty/twitch-irc-rs (`src/message/commands/*.rs`) and tmijs/tmi.js (`test/events.js`,
//!   `lib/ClientBase.js`): a mass gift's count, paid upgrades, `jtv`'s host notices.
//!
//! What maps where, and why, is said at each mapping below; the README's platform table
//! says the one mapping every adapter follows (subs, raids, bits, moderation).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::bundles::Bundles;
use super::seen::Seen;
use super::{Adapter, Reading};
use crate::protocol::{Capabilities, Command, Event, Gift, ModAction, SendLimit, User};

/// Twitch's chat limit for a sender who is neither the broadcaster nor a moderator.
pub const USER_LIMIT: SendLimit = SendLimit::new(20, Duration::from_secs(30));
/// Twitch's chat limit where the sender is the broadcaster or a moderator.
pub const MODERATOR_LIMIT: SendLimit = SendLimit::new(100, Duration::from_secs(30));
/// The longest chat message Twitch takes, in characters.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// Why an anonymous connection refuses to send.
pub const READ_ONLY: &str = "read-only: log in with a token to send";

/// How many message ids are remembered to drop a message seen twice.
const SEEN_IDS: usize = 4096;
/// How many of the latest chat messages a whole-chat `CLEARCHAT` can delete.
const CLEARABLE: usize = 10_000;

/// The Twitch chat adapter for one channel.
#[derive(Debug)]
pub struct Twitch {
    /// The channel's login: lowercase, without `#`.
    channel: String,
    /// Our login: the account's, or `justinfan<digits>` when anonymous.
    nick: String,
    /// `None` when anonymous (read-only).
    token: Option<Token>,
    /// Whether Twitch says we are the broadcaster or a moderator in the channel.
    elevated: bool,
    seen: Seen,
    /// Ids given to messages that came without one (no tags).
    local_ids: u64,
    /// The chat shown since the chat was last cleared, newest last: what a whole-chat
    /// `CLEARCHAT` deletes.
    shown: VecDeque<String>,
    /// Mass gifts, whose gift subs then arrive one by one.
    bundles: Bundles,
}

/// An OAuth token, which never shows in logs or debug output.
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Twitch {
    /// An adapter for `channel` (with or without `#`, any case), logged in as `login`
    /// (nick, OAuth token with or without `oauth:`) or, without one, anonymous and read-only.
    pub fn new(channel: String, login: Option<(String, String)>) -> Self {
        let channel = login_name(&channel);
        let login = login.and_then(|(nick, token)| {
            let token = token.trim();
            let token = token.strip_prefix("oauth:").unwrap_or(token);
            let token: String = token.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
            (!token.is_empty()).then(|| (login_name(&nick), Token(token)))
        });
        let (nick, token) = match login {
            Some((nick, token)) => (nick, Some(token)),
            None => (format!("justinfan{}", fastrand::u32(10_000..100_000_000)), None),
        };
        let elevated = nick == channel;
        Twitch {
            channel,
            nick,
            token,
            elevated,
            seen: Seen::new(SEEN_IDS),
            local_ids: 0,
            shown: VecDeque::new(),
            bundles: Bundles::default(),
        }
    }

    /// Whether this connection is anonymous (cannot send).
    pub fn is_anonymous(&self) -> bool {
        self.token.is_none()
    }

    /// The login this connection uses (`justinfan<digits>` when anonymous).
    pub fn nick(&self) -> &str {
        &self.nick
    }

    fn line(&mut self, line: &IrcLine<'_>, out: &mut Reading) {
        // IRC commands are case-insensitive: a server may well send `ping`.
        let command = line.command.to_ascii_uppercase();
        match command.as_str() {
            "PRIVMSG" => self.privmsg(line, out),
            "USERNOTICE" => self.usernotice(line, out),
            "CLEARMSG" => clearmsg(line, out),
            "CLEARCHAT" => self.clearchat(line, out),
            "NOTICE" => notice(line, out),
            "USERSTATE" => {
                // Sent on joining and after each message we send: our standing in the channel.
                let badges = badges(line);
                self.elevated = self.nick == self.channel
                    || line.tag("mod").as_deref() == Some("1")
                    || badges.iter().any(|b| b == "broadcaster" || b == "moderator");
            }
            "PING" => {
                // "PING :tmi.twitch.tv" wants "PONG :tmi.twitch.tv" back.
                out.replies.push(match line.params.last() {
                    Some(server) => format!("PONG :{server}"),
                    None => "PONG".into(),
                });
            }
            "RECONNECT" => out.reconnect = true,
            "CAP" if line.param(1) == Some("NAK") => out.unknown.push("CAP NAK".into()),
            // Connection and channel bookkeeping: welcome numerics, the message of the day,
            // capability acks, our own JOIN and the NAMES list, the room's chat settings
            // (slow mode…) and our global state. All expected; none is a desk event.
            "001" | "002" | "003" | "004" | "372" | "375" | "376" | "353" | "366" | "CAP" | "JOIN"
            | "PART" | "PONG" | "ROOMSTATE" | "GLOBALUSERSTATE" => {}
            other => out.unknown.push(short_kind(other)),
        }
    }

    /// `PRIVMSG` to the channel → chat; cheered bits and a paid Hype Chat also → a gift.
    fn privmsg(&mut self, line: &IrcLine<'_>, out: &mut Reading) {
        let Some(text) = line.param(1) else {
            return malformed(out, "PRIVMSG without a message");
        };
        // Twitch's own account speaks as `jtv`: "<name> is now hosting you[ for N viewers]."
        // (tmi.js's `hosted`). A host brings another channel's audience, as a raid does.
        if line.nick() == Some("jtv") {
            return match text.split_once(" is now hosting you") {
                Some((name, _)) if !name.trim().is_empty() => {
                    let name = name.trim();
                    let id = login_name(name);
                    let user =
                        User { id, name: name.into(), region: None, badges: Vec::new(), follower: false };
                    out.events.push(Event::Join { user });
                }
                _ => out.unknown.push("PRIVMSG from jtv".into()),
            };
        }
        // Chat is said in a channel; anything else (a message to us) is not the stream's.
        if !line.param(0).is_some_and(|target| target.starts_with('#')) {
            return out.unknown.push("PRIVMSG (not to a channel)".into());
        }
        let Some(user) = sender(line) else {
            return malformed(out, "PRIVMSG without a sender");
        };
        let Some(msg_id) = self.message_id(line, out) else { return };
        let reply_to = line.tag("reply-parent-msg-id").filter(|id| !id.is_empty()).map(Cow::into_owned);
        self.chat(out, msg_id, user.clone(), action_text(text), reply_to);

        // "bits: The amount of Bits the user cheered" (IRC Tags, PRIVMSG). A cheer is
        // money sent with a chat message: the chat above, and the Bits as a gift.
        if let Some(bits) = line.tag("bits").and_then(|b| b.parse::<u64>().ok()).filter(|b| *b > 0) {
            let gift = Gift { name: "Bits".into(), value: Decimal::from(bits), currency: "BITS".into() };
            out.events.push(Event::Gift { user: user.clone(), gift, repeat: 1 });
        }
        // "pinned-chat-paid-amount/-currency/-exponent": a Hype Chat, paid in real money.
        if let Some(gift) = hype_chat(line) {
            out.events.push(Event::Gift { user, gift, repeat: 1 });
        }
    }

    /// `USERNOTICE`: subscriptions, gifted subscriptions, raids and the like.
    fn usernotice(&mut self, line: &IrcLine<'_>, out: &mut Reading) {
        let kind = line.tag("msg-id").unwrap_or_default();
        if kind.is_empty() {
            return malformed(out, "USERNOTICE without msg-id");
        }
        let Some(msg_id) = self.message_id(line, out) else { return };
        let user = sender(line).unwrap_or_else(|| User {
            id: "anonymous".into(),
            name: "An anonymous user".into(),
            region: None,
            badges: Vec::new(),
            follower: false,
        });
        let tier = tier(line.tag("msg-param-sub-plan").as_deref());
        match kind.as_ref() {
            // A subscription is paid support, like a gift: one gift named for its tier. Its
            // money value depends on the viewer's country and is not in the message, so the
            // unit is the subscription itself. Converting a Prime or gifted sub to a paid one
            // is a new paid subscription too.
            "sub" | "resub" | "primepaidupgrade" => out.events.push(subs(&user, format!("Sub ({tier})"), 1)),
            "giftpaidupgrade" | "anongiftpaidupgrade" => {
                out.events.push(subs(&user, "Sub (continued gift)".into(), 1));
            }
            // A mass gift announces N gifted subscriptions, which Twitch then sends one by one
            // as `subgift`s from the same gifter: the announcement counts all N at once (it may
            // be all that arrives), and the `subgift`s it announced add nothing more.
            "submysterygift" | "anonsubmysterygift" => {
                let count = line.tag("msg-param-mass-gift-count").and_then(|c| c.parse::<u32>().ok());
                let count = count.filter(|c| *c > 0).unwrap_or(1);
                self.bundles.announce(&user.id, count);
                out.events.push(subs(&user, format!("Gift sub ({tier})"), count));
            }
            // One gifted subscription, from the gifter (Twitch's anonymous gifter when hidden).
            "subgift" | "anonsubgift" => {
                if !self.bundles.announced(&user.id) {
                    out.events.push(subs(&user, format!("Gift sub ({tier})"), 1));
                }
            }
            // Paying a gift forward: the gift itself arrives as its own `subgift`.
            "standardpayforward" | "communitypayforward" => {}
            // A raid brings another channel's viewers (msg-param-viewerCount). The desk has no
            // raid event and `viewers` is the audience's size, not an arrival: the raiding
            // broadcaster is read as one arrival, and the number of raiders is not carried.
            "raid" => out.events.push(Event::Join { user: user.clone() }),
            // A moderator's /announce: its text is the chat below.
            "announcement" => {}
            other => out.unknown.push(format!("USERNOTICE {}", short_kind(other))),
        }
        // The viewer's own words with a sub or an announcement show in chat like a message.
        if let Some(text) = line.param(1).filter(|t| !t.trim().is_empty()) {
            self.chat(out, msg_id, user, text, None);
        }
    }

    /// A chat message, remembered for a whole-chat clear.
    fn chat(&mut self, out: &mut Reading, msg_id: String, user: User, text: &str, reply_to: Option<String>) {
        if self.shown.len() >= CLEARABLE {
            self.shown.pop_front();
        }
        self.shown.push_back(msg_id.clone());
        out.events.push(Event::Chat { msg_id, user, text: text.into(), reply_to });
    }

    /// `CLEARCHAT #channel :login` → the user timed out (`ban-duration` seconds) or banned, by
    /// `target-user-id`; the desk then removes their messages, as Twitch does.
    /// `CLEARCHAT #channel` alone empties the whole chat: the desk's moderation names one
    /// message or one viewer, so it is told as a deletion of every message shown since the
    /// last clear (the latest [`CLEARABLE`]), and a notice says who did what.
    fn clearchat(&mut self, line: &IrcLine<'_>, out: &mut Reading) {
        let Some(login) = line.param(1).map(str::trim).filter(|l| !l.is_empty()) else {
            out.notices.push("A moderator cleared the chat".into());
            out.events.extend(self.shown.drain(..).map(|id| Event::Moderation {
                action: ModAction::Deleted,
                msg_id: Some(id),
                user_id: None,
                by: None,
            }));
            return;
        };
        // Without tags only the login is known; chat read without tags uses logins as ids too.
        let user_id = line
            .tag("target-user-id")
            .filter(|id| !id.is_empty())
            .map_or_else(|| login.to_owned(), Cow::into_owned);
        let action = if line.tag("ban-duration").is_some() { ModAction::Muted } else { ModAction::Banned };
        out.events.push(Event::Moderation { action, msg_id: None, user_id: Some(user_id), by: None });
    }

    /// The message's `id` tag, or an id of our own when it has none (no tags, or the nil
    /// UUID, which names no message). `None` when the id was seen already: that is counted
    /// as a duplicate.
    fn message_id(&mut self, line: &IrcLine<'_>, out: &mut Reading) -> Option<String> {
        let named = |id: &Cow<'_, str>| id.bytes().any(|b| b != b'0' && b != b'-');
        match line.tag("id").filter(named) {
            Some(id) if !self.seen.insert(&id) => {
                out.duplicates += 1;
                None
            }
            Some(id) => Some(id.into_owned()),
            None => {
                self.local_ids += 1;
                Some(format!("twitch-local-{}", self.local_ids))
            }
        }
    }
}

impl Adapter for Twitch {
    fn capabilities(&self) -> Capabilities {
        // Only chat goes over IRC: deleting and timeouts need the Twitch API since 2023,
        // Twitch has no products or flash sales, and no seq to resume from.
        Capabilities { send_chat: self.token.is_some(), ..Capabilities::default() }
    }

    fn stream_id(&self) -> String {
        self.channel.clone()
    }

    fn greet(&mut self) -> Vec<String> {
        // Our standing is told again after the JOIN (USERSTATE).
        self.elevated = self.nick == self.channel;
        let mut frames = vec!["CAP REQ :twitch.tv/tags twitch.tv/commands".to_owned()];
        if let Some(Token(token)) = &self.token {
            // PASS must come before NICK, or Twitch answers "Improperly formatted auth".
            frames.push(format!("PASS oauth:{token}"));
        }
        frames.push(format!("NICK {}", self.nick));
        frames.push(format!("JOIN #{}", self.channel));
        frames
    }

    fn read(&mut self, text: &str, _now: DateTime<Utc>) -> Reading {
        let mut out = Reading::default();
        // One WebSocket frame may carry several lines, each ended by CRLF.
        for raw in text.split('\n') {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.trim().is_empty() {
                continue;
            }
            match parse_line(raw) {
                Ok(line) => self.line(&line, &mut out),
                Err(why) => malformed(&mut out, why),
            }
        }
        out
    }

    fn write(&mut self, cmd: &Command) -> Result<Vec<String>, String> {
        match cmd {
            Command::Hello { .. } => Ok(Vec::new()),
            Command::SendChat { text, reply_to, .. } => {
                if self.token.is_none() {
                    return Err(READ_ONLY.into());
                }
                let text = chat_text(text);
                if text.is_empty() {
                    return Err("nothing to send: the message is empty".into());
                }
                let tags = match reply_to.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
                    Some(id) => format!("@reply-parent-msg-id={} ", escape_tag(id)),
                    None => String::new(),
                };
                Ok(vec![format!("{tags}PRIVMSG #{} :{text}", self.channel)])
            }
            Command::DeleteChat { .. } => Err("Twitch stopped taking /delete over chat in February 2023: \
                 deleting a message needs the Twitch API, which livedesk does not call"
                .into()),
            Command::MuteUser { .. } => Err("Twitch stopped taking /timeout over chat in February 2023: \
                 a timeout needs the Twitch API, which livedesk does not call"
                .into()),
            Command::PinChat { .. } => Err("Twitch chat cannot pin a message from a chat connection".into()),
            Command::PinProduct { .. } => Err("Twitch has no products to pin".into()),
            Command::FlashSale { .. } => Err("Twitch has no flash sales".into()),
        }
    }

    fn send_limit(&self) -> Option<SendLimit> {
        self.token.as_ref().map(|_| if self.elevated { MODERATOR_LIMIT } else { USER_LIMIT })
    }
}

/// `CLEARMSG` → one message deleted (tag `target-msg-id`).
fn clearmsg(line: &IrcLine<'_>, out: &mut Reading) {
    match line.tag("target-msg-id").filter(|id| !id.is_empty()) {
        Some(id) => out.events.push(Event::Moderation {
            action: ModAction::Deleted,
            msg_id: Some(id.into_owned()),
            user_id: None,
            by: None,
        }),
        None => malformed(out, "CLEARMSG without target-msg-id"),
    }
}

/// `NOTICE`: a refused message becomes an error on the desk; a refused login stops the feed.
fn notice(line: &IrcLine<'_>, out: &mut Reading) {
    let text = line.params.last().copied().unwrap_or_default().trim();
    match line.tag("msg-id") {
        // The channel does not exist or is suspended: reconnecting cannot help.
        Some(id) if id == "msg_channel_suspended" => out.failed = Some(format!("Twitch: {text}")),
        // msg_ratelimit, msg_duplicate, msg_slowmode, msg_banned, msg_timedout, msg_subsonly…:
        // Twitch did not post what we sent, and says why.
        Some(id) if id.starts_with("msg_") => {
            out.events.push(Event::Error { code: id.into_owned(), message: text.to_owned() })
        }
        // Room settings changed (slow_on, emote_only_on…) and other notices: nothing to do.
        Some(id) => out.unknown.push(format!("NOTICE {}", short_kind(&id))),
        // ":tmi.twitch.tv NOTICE * :Login authentication failed" (or "Improperly formatted
        // auth"): the token was refused, and trying again with it cannot succeed.
        None if line.param(0) == Some("*") && mentions_login(text) => {
            out.failed = Some(format!("Twitch refused the login: {text}"));
        }
        None => out.unknown.push("NOTICE".into()),
    }
}

fn mentions_login(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    ["login", "auth", "nick"].iter().any(|w| text.contains(w))
}

fn malformed(out: &mut Reading, why: impl Into<String>) {
    // One frame, one reason: the first is kept (the others are usually the same).
    if out.malformed.is_none() {
        out.malformed = Some(why.into());
    }
}

/// Who sent a PRIVMSG or USERNOTICE: `user-id`, `display-name`, `badges`; the login from the
/// prefix (PRIVMSG) or the `login` tag (USERNOTICE) when tags are missing.
fn sender(line: &IrcLine<'_>) -> Option<User> {
    let login = line.tag("login").filter(|l| !l.is_empty()).or_else(|| line.nick().map(Cow::Borrowed));
    let login = login.filter(|l| !l.is_empty() && !l.contains('.'));
    let id = line.tag("user-id").filter(|id| !id.is_empty()).or_else(|| login.clone())?;
    let name = line
        .tag("display-name")
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .or_else(|| login.map(Cow::into_owned))
        .unwrap_or_else(|| id.to_string());
    Some(User { id: id.into_owned(), name, region: None, badges: badges(line), follower: false })
}

/// The badge names in `badges=moderator/1,subscriber/12`: `moderator`, `subscriber`.
fn badges(line: &IrcLine<'_>) -> Vec<String> {
    let Some(raw) = line.tag("badges") else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    for badge in raw.split(',') {
        let name = badge.split_once('/').map_or(badge, |(name, _)| name).trim();
        if !name.is_empty() && !out.iter().any(|b| b == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// `msg-param-sub-plan`: `Prime`, `1000`, `2000` or `3000`.
fn tier(plan: Option<&str>) -> &'static str {
    match plan {
        Some("Prime") => "Prime",
        Some("1000") => "Tier 1",
        Some("2000") => "Tier 2",
        Some("3000") => "Tier 3",
        _ => "unknown tier",
    }
}

/// `count` subscriptions: a gift of one `SUBS` each, named for the kind and tier.
fn subs(user: &User, name: String, count: u32) -> Event {
    let gift = Gift { name, value: Decimal::ONE, currency: "SUBS".into() };
    Event::Gift { user: user.clone(), gift, repeat: count }
}

/// A Hype Chat's price: `pinned-chat-paid-amount` in the currency's smallest unit, with
/// `pinned-chat-paid-exponent` decimal places, in `pinned-chat-paid-currency`.
fn hype_chat(line: &IrcLine<'_>) -> Option<Gift> {
    let amount = line.tag("pinned-chat-paid-amount")?.parse::<i64>().ok().filter(|a| *a > 0)?;
    let exponent = line.tag("pinned-chat-paid-exponent").map_or(Some(0), |e| e.parse::<u32>().ok())?;
    let currency = line.tag("pinned-chat-paid-currency").filter(|c| !c.is_empty())?;
    let value = Decimal::try_new(amount, exponent).ok()?;
    Some(Gift { name: "Hype Chat".into(), value, currency: currency.into_owned() })
}

/// A `/me` message arrives as `\x01ACTION text\x01`: its text.
fn action_text(text: &str) -> &str {
    match text.strip_prefix("\u{1}ACTION ") {
        Some(inner) => inner.strip_suffix('\u{1}').unwrap_or(inner),
        None => text,
    }
}

/// Text as one chat line: line breaks become spaces, other controls go, and at most
/// [`MAX_MESSAGE_CHARS`] characters are kept (whole characters: never a cut inside one).
fn chat_text(text: &str) -> String {
    let one_line = text
        .chars()
        .filter_map(|c| match c {
            '\r' | '\n' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect::<String>();
    one_line.trim().chars().take(MAX_MESSAGE_CHARS).collect::<String>().trim_end().to_owned()
}

/// A channel or nick as Twitch logins are written: lowercase letters, digits and `_` (any
/// other character, which could break the line it is written into, is dropped).
fn login_name(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('#')
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A command or notice name, kept short for the unknown counter.
fn short_kind(kind: &str) -> String {
    kind.chars().filter(|c| !c.is_control()).take(40).collect()
}

/// One IRC line, borrowing from the text it was read from:
/// `[@tags ][:prefix ]COMMAND[ params][ :trailing]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrcLine<'a> {
    /// Tags as they came (escaped); read them with [`IrcLine::tag`].
    tags: Vec<(&'a str, &'a str)>,
    /// `nick!user@host` or a server name, without the `:`.
    pub prefix: Option<&'a str>,
    /// `PRIVMSG`, `PING`, `001`…
    pub command: &'a str,
    /// The parameters, the trailing one (after ` :`, spaces and all) last.
    pub params: Vec<&'a str>,
}

impl<'a> IrcLine<'a> {
    /// The value of tag `key`, unescaped (`\s` space, `\:` `;`, `\\` `\`, `\r`, `\n`); the
    /// last one if the tag is repeated; `Some("")` for a tag without a value.
    pub fn tag(&self, key: &str) -> Option<Cow<'a, str>> {
        self.tags.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| unescape_tag(v))
    }

    /// Every tag, in order, unescaped.
    pub fn tags(&self) -> impl Iterator<Item = (&'a str, Cow<'a, str>)> + '_ {
        self.tags.iter().map(|(k, v)| (*k, unescape_tag(v)))
    }

    /// The `i`-th parameter.
    pub fn param(&self, i: usize) -> Option<&'a str> {
        self.params.get(i).copied()
    }

    /// The nick in a `nick!user@host` prefix (or the whole prefix, e.g. `tmi.twitch.tv`).
    pub fn nick(&self) -> Option<&'a str> {
        self.prefix.map(|p| p.split_once('!').map_or(p, |(nick, _)| nick))
    }
}

/// Reads one IRC line (without its CRLF). Never panics: every cut is at an ASCII space, `;`,
/// `=`, `:`, `!` or `@`, which are always character boundaries.
pub fn parse_line(line: &str) -> Result<IrcLine<'_>, &'static str> {
    let mut rest = line.trim_end_matches(['\r', '\n']).trim_start_matches(' ');
    let mut tags = Vec::new();
    if let Some(raw) = rest.strip_prefix('@') {
        let (raw, after) = raw.split_once(' ').ok_or("an IRC line with tags and no command")?;
        for tag in raw.split(';').filter(|t| !t.is_empty()) {
            let (key, value) = tag.split_once('=').unwrap_or((tag, ""));
            if !key.is_empty() {
                tags.push((key, value));
            }
        }
        rest = after.trim_start_matches(' ');
    }
    let mut prefix = None;
    if let Some(raw) = rest.strip_prefix(':') {
        let (raw, after) = raw.split_once(' ').ok_or("an IRC line with a prefix and no command")?;
        if raw.is_empty() {
            return Err("an IRC line with an empty prefix");
        }
        prefix = Some(raw);
        rest = after.trim_start_matches(' ');
    }
    let (command, mut rest) = rest.split_once(' ').unwrap_or((rest, ""));
    if command.is_empty() {
        return Err("an IRC line with no command");
    }
    if !command.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("an IRC line whose command is not a word or a number");
    }
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start_matches(' ');
        if rest.is_empty() {
            break;
        }
        if let Some(trailing) = rest.strip_prefix(':') {
            params.push(trailing);
            break;
        }
        let (param, after) = rest.split_once(' ').unwrap_or((rest, ""));
        params.push(param);
        rest = after;
    }
    Ok(IrcLine { tags, prefix, command, params })
}

/// Undoes IRCv3 tag escaping: `\:` `;`, `\s` space, `\\` `\`, `\r` CR, `\n` LF; any other
/// escaped character stands for itself, and a lone `\` at the end is dropped.
pub fn unescape_tag(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(':') => out.push(';'),
            Some('s') => out.push(' '),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    Cow::Owned(out)
}

/// IRCv3 tag escaping, for a value written into a tag.
pub fn escape_tag(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            ';' => out.push_str("\\:"),
            ' ' => out.push_str("\\s"),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
