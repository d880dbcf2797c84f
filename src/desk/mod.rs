//! The desk: all domain state and rules, as a pure state machine.
//!
//! Feed frames, connection news, operator actions and clock ticks come in through
//! [`Desk::apply`] together with the current time; commands for the platform come out.
//! The desk does no I/O and never reads the clock, so the same inputs always give the
//! same state: replays, headless runs and tests are exact.
//!
//! Here are the types, [`Desk::apply`] and its dispatch: one line an input; what the ui, the
//! report and the store read of the desk is in `read`. Every rule lives in the file its domain
//! names (`link`, `comments`, `orders`, `answers`, `held`, `teaching`, `moderation`,
//! `viewers`, `team`, `forecast`, `show`, `sales/platform`, `claims/rules`, `giveaways/rules`) as a method of
//! [`State`], the domain state, and speaks through the [`Outbox`] it is handed: no rule
//! reaches the desk.

pub mod action;
mod answers;
pub mod catalog;
pub mod chat;
mod checks;
pub mod claims;
pub mod classify;
mod comments;
mod digest;
pub mod explain;
pub mod forecast;
pub mod giveaways;
pub mod health;
pub mod held;
pub mod learned;
mod link;
pub mod moderation;
pub mod money;
mod orders;
pub mod outbox;
mod read;
pub mod regions;
pub mod replies;
pub mod sales;
pub mod send_queue;
pub mod shipping;
pub mod show;
pub mod stats;
mod summary;
mod teaching;
pub mod team;
pub use crate::text;
pub mod triage_features;
pub mod viewers;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use action::Action;
pub use claims::claim_order_id;
pub use summary::{FeedHealth, Summary};

use crate::config::model::{ReplySpec, ShopConfig};
pub use crate::protocol::Capabilities;
use crate::protocol::{Command, Event, Frame, StreamInfo, StreamState, User};
use answers::ReplyBy;
use catalog::{Catalog, Order};
use chat::ChatLog;
use claims::Claims;
use classify::Classifier;
use comments::Comment;
use health::Health;
use moderation::Moderation;
use outbox::Outbox;
use replies::Replies;
use sales::Sales;
use shipping::ShippingGate;
use stats::Stats;
use viewers::{History, Viewers};

/// Everything that can happen to the desk (journaled as `kind` and `body`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Input {
    /// A new frame from the feed (the feed client already dropped duplicates).
    Feed(Frame),
    /// News about the connection to the platform.
    Link(LinkEvent),
    /// The operator did something.
    Operator(Action),
    /// A named operator did something (a team desk names every hand).
    Hand(team::Hand),
    /// Time passed.
    Tick,
    /// `replies.toml` changed on disk and read well: the desk answers with these from now on.
    Replies(Vec<ReplySpec>),
}

impl Input {
    /// The operator's action this input carries, named or not.
    pub fn action(&self) -> Option<&Action> {
        match self {
            Input::Operator(action) | Input::Hand(team::Hand { action, .. }) => Some(action),
            _ => None,
        }
    }
}

/// What the feed client tells the desk about the connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "link", rename_all = "snake_case")]
pub enum LinkEvent {
    /// Dialing the platform (attempt 1 is the first connection).
    Connecting { attempt: u32 },
    /// The connection is live: the platform said `welcome` (an adapter: the socket is up).
    Connected,
    /// The connection dropped; the client will retry in `retry_in_ms`.
    Disconnected { reason: String, retry_in_ms: u64 },
    /// The client gave up and will not retry (bad token, stream ended).
    Failed { reason: String },
    /// A frame was dropped because it could not be read.
    Malformed { reason: String },
    /// A frame of an unknown type was ignored.
    Unknown { kind: String },
    /// A frame already applied arrived again and was dropped.
    Duplicate,
    /// Events were missed: `missed` seqs were skipped.
    Gap { missed: u64 },
    /// The platform restarted its numbering (a new epoch, or its head behind the cursor):
    /// its events are applied from now on, and repeats are told by their own ids.
    Renumbered,
    /// The platform closed the stream for good (close 4000).
    StreamEnded,
    /// Word from the app around the feed (the store restored or began a stream), as an
    /// input so that a rebuilt desk shows it too.
    Notice { level: Level, text: String },
    /// The feed is a platform's, read through its adapter, and can do only this.
    Platform { name: String, caps: Capabilities },
    /// Chat sends the send limit holds back, by ref, oldest first, and how long until the
    /// next may go (none held: the queue is empty).
    SendQueue { held: Vec<String>, next_in_ms: u64 },
}

/// What the desk asks the outside world to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Output {
    /// Send this command to the platform.
    Send(Command),
    /// Ring the terminal bell (a flash sale's last seconds), if the operator wants it.
    Bell,
    /// Put this text on the operator's clipboard (OSC 52, which works over SSH): a reply
    /// for a platform the desk cannot send to, for the operator to paste there.
    Clipboard(String),
    /// The operator answered or corrected a comment: an example for the store to keep
    /// across streams (the desk has learned it already).
    Learned(learned::Example),
}

/// The state of the connection as the operator sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    Connecting {
        attempt: u32,
    },
    Live,
    Reconnecting {
        attempt: u32,
        retry_at: DateTime<Utc>,
        reason: String,
    },
    Failed(String),
    /// The platform ended the stream: nothing more comes, nothing can be sent.
    Ended,
}

/// How loud a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// A line for the operator: what just happened or went wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub text: String,
}

/// Counters of events and commands, as the summary reports them (the feed's own health is
/// in [`health::Health`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub events_applied: u64,
    pub unknown: u64,
    pub commands_sent: u64,
    pub commands_acked: u64,
    pub commands_refused: u64,
}

/// How a desk starts.
#[derive(Clone, Debug)]
pub struct DeskSetup {
    pub shop: ShopConfig,
    /// Chat messages kept in memory.
    pub scrollback: usize,
    /// Unique per run, so command refs never repeat across restarts.
    pub ref_prefix: String,
    /// Where the feed comes from, as the status bar says it (`DEMO`, a host, a file).
    pub source: String,
    /// Whether this is the built-in demo.
    pub demo: bool,
    /// How often each canned reply (by id) was sent in earlier streams.
    pub reply_uses: BTreeMap<String, u64>,
    /// What earlier streams on this feed knew of its viewers (from the store).
    pub history: Arc<History>,
    /// Whether this desk replays a recording: no platform hears its commands, so none is
    /// left waiting for an ack (with a store or without, a replay ends the same).
    pub replay: bool,
}

/// A command sent and not yet answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub label: String,
    pub sent_at: DateTime<Utc>,
}

/// The desk of one stream: its state, and the outbox its rules speak through.
#[derive(Clone, Debug, PartialEq)]
pub struct Desk {
    state: State,
    /// Notices, commands and what else the desk says (see [`outbox::Outbox`]).
    outbox: Outbox,
}

/// All domain state of one stream. Its rules (in the domain files) change it and speak
/// through the [`Outbox`] they are handed.
#[derive(Clone, Debug, PartialEq)]
struct State {
    source: String,
    demo: bool,
    stream: StreamInfo,
    stream_state: Option<StreamState>,
    link: Link,
    /// Platform time to desk time, for the last frame that carried a time.
    lag_ms: Option<i64>,
    /// When the platform last restarted its numbering, for the status bar to say so.
    renumbered_at: Option<DateTime<Utc>>,
    counters: Counters,
    /// Outages, gaps, replays dropped and quiet spells of the feed.
    health: Health,
    chat: ChatLog,
    catalog: Catalog,
    claims: Claims,
    sales: Sales,
    giveaways: giveaways::Giveaways,
    replies: Replies,
    /// Tags comments (question, buyer, spam…) from `chat.toml`.
    classifier: Classifier,
    /// Finds the buyers the shop cannot ship to.
    shipping: ShippingGate,
    /// "Can't ship" comments by the region asked for.
    cant_ship: BTreeMap<String, u64>,
    /// Blocked words, mutes and the pinned comment.
    moderation: Moderation,
    stats: Stats,
    /// Each viewer's part in the stream, their history and the operator's notes.
    viewers: Viewers,
    /// The product pinned on the stream.
    pinned: Option<String>,
    /// Chat sends waiting for the platform's send limit.
    send_queue: send_queue::SendQueue,
    /// The time of the last input.
    now: DateTime<Utc>,
    /// The shop's own answers and fixes, this stream's and the earlier ones'.
    learned: learned::Memory,
    /// Examples this stream made (their `n`).
    examples_made: u64,
    /// The platform the feed's adapter named, for the links a reply may carry.
    platform: Option<String>,
    /// Hosts the shop's replies may link to (replies.toml).
    allowed_links: Vec<String>,
    /// The reply the pre-send check holds for the operator.
    held: Option<held::Held>,
    /// Who did what, on a team desk.
    hands: team::Hands,
    /// The run of show: the cue on now, and the timed cues due.
    show: show::Show,
}

impl Desk {
    /// A desk for a shop, before any event.
    pub fn new(setup: DeskSetup) -> Self {
        let catalog = Catalog::new(&setup.shop.catalog);
        let mut sales = Sales::new(&setup.shop.sales.sales);
        for p in catalog.products() {
            sales.stock(&p.sku, p.on_hand, DateTime::<Utc>::UNIX_EPOCH);
        }
        let state = State {
            source: setup.source,
            demo: setup.demo,
            stream: StreamInfo { currency: setup.shop.catalog.currency.clone(), ..Default::default() },
            stream_state: None,
            link: Link::Connecting { attempt: 1 },
            lag_ms: None,
            renumbered_at: None,
            counters: Counters::default(),
            health: Health::new(setup.shop.quiet),
            chat: ChatLog::new(setup.scrollback),
            catalog,
            claims: Claims::new(&setup.shop.claims, &setup.shop.catalog),
            sales,
            giveaways: giveaways::Giveaways::new(&setup.shop.giveaways.giveaways),
            replies: Replies::new(&setup.shop.replies.replies, setup.reply_uses),
            classifier: Classifier::new(&setup.shop.chat),
            shipping: ShippingGate::new(&setup.shop.shipping),
            cant_ship: BTreeMap::new(),
            moderation: Moderation::new(&setup.shop.chat),
            stats: Stats::default(),
            viewers: Viewers::new(setup.history),
            pinned: None,
            send_queue: send_queue::SendQueue::default(),
            now: DateTime::<Utc>::UNIX_EPOCH,
            learned: learned::Memory::new(),
            examples_made: 0,
            platform: None,
            allowed_links: setup.shop.replies.allowed_links.clone(),
            held: None,
            hands: team::Hands::default(),
            show: show::Show::new(&setup.shop.show),
        };
        Desk { state, outbox: Outbox::new(setup.ref_prefix, setup.replay) }
    }

    /// This desk, knowing what the shop taught earlier streams (from the store).
    pub fn with_memory(mut self, memory: learned::Memory) -> Self {
        self.state.learned = memory;
        self
    }

    /// Applies one input at time `now` and returns the commands to send.
    pub fn apply(&mut self, input: Input, now: DateTime<Utc>) -> Vec<Output> {
        let (state, out) = (&mut self.state, &mut self.outbox);
        state.now = now;
        if !matches!(input, Input::Tick) {
            out.bump();
        }
        if state.health.settle(now) {
            // A quiet spell began with no input: the journal must keep this tick.
            out.bump();
        }
        // The clock first: a sale whose time is up ends before an order at this instant
        // can count towards it.
        let events = state.sales.tick(now);
        state.sale_events(out, events, now);
        state.giveaway_tick(out, now);
        state.show_tick(out, now);
        match input {
            Input::Feed(frame) => state.apply_frame(out, frame, now),
            Input::Link(link) => state.link_news(out, link, now),
            Input::Operator(action) => state.apply_action(out, action, now),
            Input::Hand(hand) => state.apply_hand(out, hand, now),
            Input::Tick => {}
            Input::Replies(replies) => state.reload_replies(out, &replies),
        }
        let events = state.sales.tick(now);
        state.sale_events(out, events, now);
        if state.claims.due(now) {
            // Expiry moves stock with no input: the journal must keep this tick.
            out.bump();
            let mut news = Vec::new();
            state.claims.expire(&mut state.catalog, now, &mut news);
            state.claim_news(out, news, now);
        }
        out.take()
    }

    /// Names the stream before any feed does (a replay, after its file); the platform's
    /// welcome names it from then on.
    pub fn name_stream(&mut self, id: String) {
        self.state.stream.id = id;
    }

    /// Moves the clock on to `now` with no rule run: a console that follows a team's journal
    /// shows countdowns on its own clock, while the rules run on the journal's ticks alone.
    pub fn watch_clock(&mut self, now: DateTime<Utc>) {
        self.state.now = self.state.now.max(now);
    }

    /// This desk with its clock at `now`, as an idle tick would leave it: a journal keeps no
    /// idle tick, so a rebuilt desk's clock stops at the last input it kept.
    #[cfg(test)]
    pub(crate) fn clock_at(mut self, now: DateTime<Utc>) -> Self {
        self.state.now = now;
        self
    }

    /// Changes so far: a tick that leaves it alone changed nothing but `now`, so the
    /// journal need not keep it.
    pub fn revision(&self) -> u64 {
        self.outbox.revision()
    }

    /// Gives the commands from here on refs with a new prefix, so that a restarted run
    /// never reuses a ref that went out before a crash. A new run starts here (the journal
    /// marks it): the feed is dialled again, and the time the app was away is no silence.
    pub fn renew_refs(&mut self, prefix: String) {
        self.outbox.renew_refs(prefix);
        self.state.health.restarted(self.state.now);
    }

    /// Notices, oldest first.
    pub fn notices(&self) -> impl DoubleEndedIterator<Item = &Notice> {
        self.outbox.notices()
    }

    /// What the feed's platform can do (everything, on livedesk's protocol).
    pub fn caps(&self) -> Capabilities {
        self.outbox.caps()
    }

    /// Commands sent and not yet answered, by ref.
    pub fn pending(&self) -> &BTreeMap<String, Pending> {
        self.outbox.pending()
    }

    /// Counters of events and commands.
    pub fn counters(&self) -> Counters {
        let sent = self.outbox.counts();
        Counters {
            commands_sent: sent.sent,
            commands_acked: sent.acked,
            commands_refused: sent.refused,
            ..self.state.counters.clone()
        }
    }

    /// Whether this desk replays a recording (its commands reach no platform).
    pub fn replaying(&self) -> bool {
        self.outbox.replaying()
    }

    /// Whether the stream has ended (the headless run stops here).
    pub fn ended(&self) -> bool {
        self.state.ended()
    }

    /// The headless summary of the run so far.
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }
}

impl State {
    /// The product the stream is about now: the live sale's, else the pinned one.
    fn current_product(&self) -> Option<&catalog::Product> {
        let sku = self.sales.live().map(|s| s.spec.sku.as_str()).or(self.pinned.as_deref())?;
        self.catalog.product(sku)
    }

    fn ended(&self) -> bool {
        self.stream_state == Some(StreamState::Ended)
    }

    /// `replies.toml` changed on disk: the desk answers with these from now on.
    fn reload_replies(&mut self, out: &mut Outbox, replies: &[ReplySpec]) {
        self.replies.reload(replies);
        out.notice(Level::Info, format!("Reloaded replies.toml: {} replies", replies.len()), self.now);
    }

    fn apply_frame(&mut self, out: &mut Outbox, frame: Frame, now: DateTime<Utc>) {
        if self.already_has(&frame.event) {
            self.health.duplicates += 1;
            return;
        }
        if let Ok(ts) = DateTime::parse_from_rfc3339(&frame.ts) {
            self.lag_ms = Some((now - ts.with_timezone(&Utc)).num_milliseconds());
        }
        if !frame.event.is_connection_level() {
            self.counters.events_applied += 1;
        }
        self.health.event(&frame.event, now);
        match frame.event {
            Event::Welcome { stream, resumed, .. } => self.welcome(out, stream, resumed),
            Event::Chat { msg_id, user, text, reply_to } => {
                self.comment(out, Comment { msg_id, user, text, reply_to, asked: false }, now);
            }
            Event::Question { msg_id, user, text } => {
                self.comment(out, Comment { msg_id, user, text, reply_to: None, asked: true }, now);
            }
            Event::Join { user } => self.joined(&user, now),
            Event::Viewers { count } => self.stats.set_viewers(count, now.timestamp()),
            Event::Like { count, .. } => self.stats.likes += count,
            Event::Follow { user } => self.followed(&user),
            Event::Share { .. } => self.stats.shares += 1,
            Event::Gift { user, gift, repeat } => self.gift(&user, &gift, repeat, now),
            Event::Order { order_id, user, sku, qty, unit_price, currency, status } => {
                let order = Order::placed(order_id, &user.name, sku, qty, unit_price, currency, status);
                self.apply_order(out, order, &user, now);
            }
            Event::OrderUpdate { order_id, status } => self.order_update(out, &order_id, status, now),
            Event::Stock { sku, available } => self.stock_is(out, &sku, available, now),
            Event::Moderation { action, msg_id, user_id, by } => {
                self.moderated_on_platform(out, action, msg_id, user_id, by, now);
            }
            Event::Stream { state } => self.stream_is(out, state),
            Event::Ack { reference, ok, error } => self.acked(out, &reference, ok, error),
            Event::Error { code, message } => {
                out.notice(Level::Error, format!("Platform error {code}: {message}"), self.now);
            }
        }
    }

    fn apply_action(&mut self, out: &mut Outbox, action: Action, now: DateTime<Utc>) {
        if (self.link == Link::Ended || self.ended()) && !action.after_the_stream() {
            return out.notice(Level::Warn, "The stream has ended: nothing was sent".into(), self.now);
        }
        match action {
            Action::NoteViewer { user_id, note, tags } => self.note_viewer(out, &user_id, &note, &tags, now),
            Action::AdjustStock { sku, change, reason } => self.adjust_stock(out, &sku, change, reason, now),
            Action::ConfirmClaim { id } => self.confirm_claim(out, id, now),
            Action::RejectClaim { id } => self.reject_claim(out, id, now),
            Action::Waitlist { sku, open } => self.set_waitlist(out, &sku, open),
            Action::SendReply { key, to } => self.send_reply(out, ReplyBy::Key(key), to, now),
            Action::Answer { reply, to } => self.send_reply(out, ReplyBy::Id(reply), to, now),
            Action::Retag { msg_id, tag } => self.retag(out, &msg_id, &tag),
            Action::MarkHandled { msg_id } => self.mark_handled(out, &msg_id),
            Action::DeleteMessage { msg_id } => self.delete_message(out, msg_id, now),
            Action::MuteViewer { user_id, name, seconds } => {
                self.mute_viewer(out, user_id, name, seconds, now)
            }
            Action::PinMessage { msg_id } => self.pin_message(out, msg_id, now),
            Action::PinProduct { sku } => self.pin_product(out, sku, now),
            Action::SendHeld {} => self.send_held(out, now),
            Action::DropHeld {} => self.drop_held(out),
            Action::NextCue { seed } => self.show_step(out, true, seed, now),
            Action::PreviousCue {} => self.show_step(out, false, None, now),
            a @ (Action::StartGiveaway { .. } | Action::DrawGiveaway { .. }) => {
                self.giveaway_action(out, a, now)
            }
            sale @ (Action::StartSale { .. }
            | Action::ExtendSale { .. }
            | Action::EndSale { .. }
            | Action::PauseSale { .. }
            | Action::ResumeSale { .. }) => self.sale_action(out, &sale, now),
        }
    }
}

/// Whether a chat message is the shop's own (our replies, echoed by the platform).
pub fn is_operator(user: &User) -> bool {
    user.badges.iter().any(|b| matches!(b.as_str(), "operator" | "host" | "broadcaster"))
}

/// `m:ss` for a countdown.
pub fn clock(d: chrono::Duration) -> String {
    let secs = (d.num_milliseconds() + 999) / 1000;
    let secs = secs.max(0);
    format!("{}:{:02}", secs / 60, secs % 60)
}

#[cfg(test)]
mod tests;
