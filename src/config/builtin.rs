//! The default files compiled into the binary: used when the config dir lacks them, and
//! written out by `livedesk config init`.

/// The demo shop's catalogue.
pub const CATALOG: &str = include_str!("../../demos/catalog.toml");
/// The demo shop's flash-sale plan.
pub const SALES: &str = include_str!("../../demos/sales.toml");
/// The demo shop's giveaways.
pub const GIVEAWAYS: &str = include_str!("../../demos/giveaways.toml");
/// The demo shop's canned replies.
pub const REPLIES: &str = include_str!("../../demos/replies.toml");
/// How comments become claims: the words, patterns, hold time and limit.
pub const CLAIMS: &str = include_str!("../../demos/claims.toml");
/// How comments are tagged: question, buyer, shipping, complaint, spam, mention.
pub const CHAT: &str = include_str!("../../demos/chat.toml");

/// Built-in keymaps by name; a user's file with the same name overrides one.
pub const KEYMAPS: [(&str, &str); 2] = [
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

/// Built-in themes by name; a user's file with the same name overrides one.
pub const THEMES: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
];

/// `settings.toml` as `livedesk config init` writes it: every setting at its default, explained.
pub const SETTINGS: &str = r#"# livedesk settings. Every setting is shown with its default value; delete a line to go
# back to the default. `livedesk config check` tells you what is wrong and where.

# The colour theme: a file in themes/ (yours, or built in: default, light, high-contrast).
# Set NO_COLOR=1 in the environment for a theme with no colours at all.
theme = "default"

# The keymap: a file in keymaps/ (yours, or built in: default, vim).
keymap = "default"

# The most frames drawn per second (1 to 120). Frames are drawn only when something changed.
fps = 30

# Chat messages kept in memory for scrolling back (1000 to 1000000). Older ones leave
# the screen's history; a recording (`livedesk run --record FILE`) keeps everything.
scrollback = 100000

# Ring the terminal bell when a flash sale reaches its last 30 s and its last 10 s.
bell = false

# Your name on a team desk: every action you take is journaled with it, and the other
# consoles show it (default: your login name; `--operator NAME` overrides it).
# operator = "ana"

[feed]
# The platform's feed: a ws:// or wss:// address. Leave it out to run the built-in demo.
# url = "wss://live.example.com/feed"

# The environment variable that holds the feed's bearer token (never put the token here).
# On Twitch it is the chat token (oauth:...), sent with `nick`; without one the desk reads
# the channel anonymously and cannot send.
token_env = "LIVEDESK_TOKEN"

# What the feed speaks: "livedesk" (this project's protocol), "tiktok" (a TikTok LIVE relay
# such as TikFinity on ws://localhost:21213/), "twitch" or "ssn" (Social Stream Ninja).
# Left out, it is guessed from the address.
# format = "twitch"

# Twitch: the channel to read, and the login name that goes with the token.
# channel = "nailnook"
# nick = "nailnook_desk"

# The most chat messages livedesk sends in a window: "20/30s" is 20 in any 30 seconds, "100/1m"
# 100 in any minute. Replies over it wait in a queue (the status bar shows it) and go out in
# order, never dropped. Off by default on livedesk's protocol; set it to your platform's
# limit. Twitch has its own (20 per 30 s, 100 as a moderator), kept on top of this one.
# send_limit = "20/30s"

# Feed health: the status bar says "feed quiet" when no comment has come for quiet_after
# ("60s", "2m", or "off") while at least quiet_min_viewers watch. A silence like that while
# the link is up is a feed that stalled, not a quiet audience.
quiet_after = "60s"
quiet_min_viewers = 200

[store]
# Keep the journal in a PostgreSQL database instead of this machine's SQLite file (the
# default): postgres://USER@HOST:PORT/DB, with ?sslmode=require for TLS. --store and
# LIVEDESK_STORE override it. Never put the password here: it comes from PGPASSWORD, then
# ~/.pgpass, then password_file (its first line; relative to this directory).
# url = "postgres://desk@db.example.com:5432/livedesk?sslmode=require"
# password_file = "store.password"
# A PEM file of CA certificates to trust on top of the public roots, for the database's own CA.
# ca_file = "db-ca.pem"

[shipping]
# Where the shop ships: ISO 3166-1 alpha-2 region codes ("GB", "IE"). A shipping question
# about a place outside them, or a buying comment from a viewer whose region is outside
# them, is tagged "can't ship" and gets the reply tagged cant-ship. An empty list turns
# this off. The demo catalog is a UK shop's.
ships_to = ["GB"]

# Send the "can't ship" reply by itself, never twice to one viewer within
# auto_answer_minutes.
auto_answer = false
auto_answer_minutes = 30

# More place names viewers write, each to its region code.
# [shipping.aliases]
# ncr = "PH"
"#;
