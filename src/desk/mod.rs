//! The desk: all domain state and rules, as a pure state machine.
//!
//! Feed frames, connection news, operator actions and clock ticks come in through
//! [`Desk::apply`] together with the current time; commands for the platform come out.
//! The desk does no I/O and never reads the clock, so the same inputs always give the
//! same state: replays, headless runs and tests are exact.

pub mod action;
pub mod catalog;
pub mod chat;
pub mod claims;
pub mod classify;
pub mod explain;
pub mod health;
pub mod learned;
pub mod moderation;
pub mod money;
pub mod outbox;
pub mod regions;
pub mod replies;
pub mod sales;
pub mod send_queue;
pub mod shipping;
pub mod stats;
mod suggest;
mod summary;
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
use crate::protocol::{Command, Event, Frame, ModAction, StreamInfo, StreamState, User};
use catalog::{Catalog, Cover, Order, OrderEffect};
use chat::{ChatLog, MsgKind};
use claims::Claims;
use classify::{Classifier, Said, Tag, Tags};
use health::Health;
use moderation::Moderation;
use outbox::Outbox;
use replies::{Replies, TemplateContext};
use sales::{EndReason, SaleState, Sales};
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
    /// Time passed.
    Tick,
    /// `replies.toml` changed on disk and read well: the desk answers with these from now on.
    Replies(Vec<ReplySpec>),
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

/// All domain state of one stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Desk {
    pub source: String,
    pub demo: bool,
    pub stream: StreamInfo,
    pub stream_state: Option<StreamState>,
    pub link: Link,
    /// Platform time to desk time, for the last frame that carried a time.
    pub lag_ms: Option<i64>,
    /// When the platform last restarted its numbering, for the status bar to say so.
    pub renumbered_at: Option<DateTime<Utc>>,
    counters: Counters,
    /// Outages, gaps, replays dropped and quiet spells of the feed.
    pub health: Health,
    pub chat: ChatLog,
    pub catalog: Catalog,
    pub claims: Claims,
    pub sales: Sales,
    pub replies: Replies,
    /// Tags comments (question, buyer, spam…) from `chat.toml`.
    pub classifier: Classifier,
    /// Finds the buyers the shop cannot ship to.
    pub shipping: ShippingGate,
    /// "Can't ship" comments by the region asked for.
    pub cant_ship: BTreeMap<String, u64>,
    /// Blocked words, mutes and the pinned comment.
    pub moderation: Moderation,
    pub stats: Stats,
    /// Each viewer's part in the stream, their history and the operator's notes.
    pub viewers: Viewers,
    /// The product pinned on the stream.
    pub pinned: Option<String>,
    /// Chat sends waiting for the platform's send limit.
    pub send_queue: send_queue::SendQueue,
    /// Notices, commands and what else the desk says (see [`outbox::Outbox`]).
    outbox: Outbox,
    /// The time of the last input.
    pub now: DateTime<Utc>,
    /// The shop's own answers and fixes, this stream's and the earlier ones'.
    pub learned: learned::Memory,
    /// Examples this stream made (their `n`).
    examples_made: u64,
}

impl Desk {
    /// A desk for a shop, before any event.
    pub fn new(setup: DeskSetup) -> Self {
        let catalog = Catalog::new(&setup.shop.catalog);
        let mut sales = Sales::new(&setup.shop.sales.sales);
        for p in catalog.products() {
            sales.stock(&p.sku, p.on_hand, DateTime::<Utc>::UNIX_EPOCH);
        }
        Desk {
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
            replies: Replies::new(&setup.shop.replies.replies, setup.reply_uses),
            classifier: Classifier::new(&setup.shop.chat),
            shipping: ShippingGate::new(&setup.shop.shipping),
            cant_ship: BTreeMap::new(),
            moderation: Moderation::new(&setup.shop.chat),
            stats: Stats::default(),
            viewers: Viewers::new(setup.history),
            pinned: None,
            send_queue: send_queue::SendQueue::default(),
            outbox: Outbox::new(setup.ref_prefix, setup.replay),
            now: DateTime::<Utc>::UNIX_EPOCH,
            learned: learned::Memory::new(),
            examples_made: 0,
        }
    }

    /// This desk, knowing what the shop taught earlier streams (from the store).
    pub fn with_memory(mut self, memory: learned::Memory) -> Self {
        self.learned = memory;
        self
    }

    /// Applies one input at time `now` and returns the commands to send.
    pub fn apply(&mut self, input: Input, now: DateTime<Utc>) -> Vec<Output> {
        self.now = now;
        if !matches!(input, Input::Tick) {
            self.outbox.bump();
        }
        if self.health.settle(now) {
            // A quiet spell began with no input: the journal must keep this tick.
            self.outbox.bump();
        }
        // The clock first: a sale whose time is up ends before an order at this instant
        // can count towards it.
        let events = self.sales.tick(now);
        self.sale_events(events, now);
        match input {
            Input::Feed(frame) => self.apply_frame(frame, now),
            Input::Link(link) => self.apply_link(link, now),
            Input::Operator(action) => self.apply_action(action, now),
            Input::Tick => {}
            Input::Replies(replies) => {
                self.replies.reload(&replies);
                self.outbox.notice(
                    Level::Info,
                    format!("Reloaded replies.toml: {} replies", replies.len()),
                    self.now,
                );
            }
        }
        let events = self.sales.tick(now);
        self.sale_events(events, now);
        if self.claims.due(now) {
            // Expiry moves stock with no input: the journal must keep this tick.
            self.outbox.bump();
            let mut news = Vec::new();
            self.claims.expire(&mut self.catalog, now, &mut news);
            self.claim_news(news, now);
        }
        self.outbox.take()
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
        self.health.restarted(self.now);
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
            ..self.counters.clone()
        }
    }

    /// The product the stream is about now: the live sale's (the one started last), else
    /// the pinned one.
    pub fn current_product(&self) -> Option<&catalog::Product> {
        let sku = self.sales.live().map(|s| s.spec.sku.as_str()).or(self.pinned.as_deref())?;
        self.catalog.product(sku)
    }

    /// Whether this desk replays a recording (its commands reach no platform).
    pub fn replaying(&self) -> bool {
        self.outbox.replaying()
    }

    /// Whether the stream has ended (the headless run stops here).
    pub fn ended(&self) -> bool {
        self.stream_state == Some(StreamState::Ended)
    }

    /// The headless summary of the run so far.
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }

    fn apply_link(&mut self, link: LinkEvent, now: DateTime<Utc>) {
        self.health.link(&link, now);
        if matches!(
            link,
            LinkEvent::Connecting { .. }
                | LinkEvent::Disconnected { .. }
                | LinkEvent::Failed { .. }
                | LinkEvent::StreamEnded
        ) {
            // The feed client's queue went with the connection.
            self.send_queue.clear();
        }
        match link {
            LinkEvent::SendQueue { held, next_in_ms } => self.send_queue.set(held, next_in_ms, now),
            LinkEvent::Connecting { attempt } => {
                if !matches!(self.link, Link::Reconnecting { .. }) || attempt == 1 {
                    self.link = Link::Connecting { attempt };
                }
            }
            LinkEvent::Connected => self.link = Link::Live,
            LinkEvent::Platform { name, caps } => {
                let changed = self.outbox.set_caps(caps);
                if changed && !caps.send_chat {
                    let text = format!("{name} is read-only here: a reply key copies the reply to paste");
                    self.outbox.notice(Level::Info, text, self.now);
                }
            }
            LinkEvent::Disconnected { reason, retry_in_ms } => {
                let attempt = match &self.link {
                    Link::Reconnecting { attempt, .. } => attempt + 1,
                    _ => 1,
                };
                // One outage is one reconnect, however many attempts it takes.
                match self.link {
                    Link::Live => {
                        self.outbox.notice(
                            Level::Warn,
                            format!("Connection lost: {reason}. Reconnecting…"),
                            self.now,
                        );
                    }
                    Link::Connecting { .. } => {
                        self.outbox.notice(
                            Level::Warn,
                            format!("Cannot reach the platform: {reason}. Retrying…"),
                            self.now,
                        );
                    }
                    _ => {}
                }
                let retry_at = now + chrono::Duration::milliseconds(retry_in_ms as i64);
                self.link = Link::Reconnecting { attempt, retry_at, reason };
            }
            LinkEvent::Failed { reason } => {
                self.outbox.notice(Level::Error, reason.clone(), self.now);
                self.link = Link::Failed(reason);
            }
            LinkEvent::Malformed { reason } => tracing::debug!(%reason, "malformed frame dropped"),
            LinkEvent::Unknown { .. } => self.counters.unknown += 1,
            LinkEvent::Duplicate => {}
            LinkEvent::StreamEnded => {
                self.link = Link::Ended;
                if !self.ended() {
                    self.stream_state = Some(StreamState::Ended);
                    self.outbox.notice(Level::Info, "The stream has ended".into(), self.now);
                }
            }
            LinkEvent::Notice { level, text } => self.outbox.notice(level, text, self.now),
            LinkEvent::Gap { missed } => {
                self.outbox.notice(
                    Level::Warn,
                    format!("Missed {missed} event(s) from the platform"),
                    self.now,
                );
            }
            LinkEvent::Renumbered => {
                self.renumbered_at = Some(now);
                let text = "The platform restarted its numbering: its new events are shown, \
                            repeats of what the desk has are dropped, and events it sent while \
                            the link was down may be missing";
                self.outbox.notice(Level::Warn, text.into(), self.now);
            }
        }
    }

    /// Whether the desk already holds this comment: a chat or question whose msg_id is in
    /// the chat log. A platform that restarted its numbering, or a relay that replays its last
    /// comments on every connect (after the app restarts its adapter has forgotten them), may
    /// send again what the desk has, and only the ids can tell; as a rule of the desk it holds
    /// after a crash rebuild too, since the journal rebuilds the log. (An order is booked once by its order_id
    /// already: a second one only updates its status.)
    fn already_has(&self, event: &Event) -> bool {
        match event {
            Event::Chat { msg_id, .. } | Event::Question { msg_id, .. } => {
                !msg_id.is_empty() && self.chat.by_msg_id(msg_id).is_some()
            }
            _ => false,
        }
    }

    fn apply_frame(&mut self, frame: Frame, now: DateTime<Utc>) {
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
            Event::Welcome { stream, resumed, .. } => {
                let text = if resumed {
                    format!("Resumed {}", stream.title)
                } else {
                    format!(
                        "Connected to {}",
                        if stream.title.is_empty() { &stream.id } else { &stream.title }
                    )
                };
                if !stream.currency.is_empty() {
                    self.stream = stream;
                } else {
                    let currency = std::mem::take(&mut self.stream.currency);
                    self.stream = StreamInfo { currency, ..stream };
                }
                self.link = Link::Live;
                self.outbox.notice(Level::Info, text, self.now);
            }
            Event::Chat { msg_id, user, text, reply_to } => {
                if self.hide_blocked(&msg_id, &user, &text, now) {
                    return;
                }
                let claim = self.claim_in(&user, &text, &msg_id);
                let (kind, tags) = if is_operator(&user) {
                    // The shop's own words are never tagged; a reply answers its question,
                    // and the host's name is how viewers mention the stream.
                    self.classifier.learn_name(&user.name);
                    if let Some(to) = &reply_to {
                        self.chat.mark_answered(to);
                    }
                    (MsgKind::Operator, Tags::NONE)
                } else {
                    self.viewers.said(&user, now);
                    (MsgKind::Chat, self.tags_of(&user, &text, false, claim.is_some(), now))
                };
                let claimer = claim.as_ref().map(|_| user.clone());
                let index = self.chat.push_from(msg_id, user, text, kind, reply_to, now, tags);
                self.stats.chat_at(now.timestamp());
                self.gate_answer(index, now);
                if let (Some(claim), Some(user)) = (claim, claimer) {
                    self.read_claim(claim, &user, now);
                }
            }
            Event::Question { msg_id, user, text } => {
                if self.hide_blocked(&msg_id, &user, &text, now) {
                    return;
                }
                let claim = self.claim_in(&user, &text, &msg_id);
                let tags = self.tags_of(&user, &text, true, claim.is_some(), now);
                if !is_operator(&user) {
                    self.viewers.said(&user, now);
                }
                let claimer = claim.as_ref().map(|_| user.clone());
                let index = self.chat.push_from(msg_id, user, text, MsgKind::Question, None, now, tags);
                self.stats.chat_at(now.timestamp());
                self.gate_answer(index, now);
                if let (Some(claim), Some(user)) = (claim, claimer) {
                    self.read_claim(claim, &user, now);
                }
            }
            Event::Join { .. } => self.stats.joins += 1,
            Event::Viewers { count } => self.stats.set_viewers(count, now.timestamp()),
            Event::Like { count, .. } => self.stats.likes += count,
            Event::Follow { .. } => self.stats.follows += 1,
            Event::Share { .. } => self.stats.shares += 1,
            Event::Gift { user, gift, repeat } => {
                self.stats.gifts += u64::from(repeat);
                *self.stats.gift_value.entry(gift.currency.clone()).or_default() +=
                    gift.value * rust_decimal::Decimal::from(repeat);
                if !is_operator(&user) {
                    self.viewers.saw(&user, now);
                }
                let text = format!("sent {repeat}× {}", gift.name);
                self.chat.push_system(&user, text, now);
            }
            Event::Order { order_id, user, sku, qty, unit_price, currency, status } => {
                let order = Order {
                    order_id,
                    user_name: user.name.clone(),
                    sku,
                    qty,
                    unit_price,
                    currency,
                    status,
                    taken: 0,
                    sale: None,
                };
                self.apply_order(order, &user, now);
            }
            Event::OrderUpdate { order_id, status } => {
                if self.catalog.order(&order_id).is_none() {
                    self.outbox.notice(
                        Level::Warn,
                        format!("Update for unknown order {order_id} ignored"),
                        self.now,
                    );
                    return;
                }
                let effect = self.catalog.apply_status(&order_id, status, now);
                self.after_return(effect, &order_id, status, now);
            }
            Event::Stock { sku, available } => {
                self.catalog.set_available(&sku, available, now);
                self.settle_stock(&sku, now);
            }
            Event::Moderation { action, msg_id, user_id, by } => {
                let by = by.unwrap_or_else(|| "the platform".into());
                match (action, msg_id, user_id) {
                    (ModAction::Deleted, Some(id), _) => {
                        self.chat.mark_deleted(&id);
                    }
                    // A platform that deletes all of one viewer's messages (TikTok's imDelete).
                    (ModAction::Deleted, None, Some(user)) => {
                        self.chat.mark_user_deleted(&user);
                    }
                    (action @ (ModAction::Banned | ModAction::Muted), _, Some(user)) => {
                        self.removed_on_platform(action, &user, &by, now);
                    }
                    _ => {}
                }
            }
            Event::Stream { state } => {
                self.stream_state = Some(state);
                let text = match state {
                    StreamState::Live => "The stream is live",
                    StreamState::Paused => "The stream is paused",
                    StreamState::Ended => "The stream has ended",
                };
                self.outbox.notice(Level::Info, text.into(), self.now);
            }
            Event::Ack { reference, ok, error } => {
                self.moderation_answered(&reference, ok);
                self.send_queue.release(&reference);
                let Some(pending) = self.outbox.acked(&reference, ok) else { return };
                if !ok {
                    let why = error.unwrap_or_else(|| "no reason given".into());
                    self.outbox.notice(
                        Level::Error,
                        format!("The platform refused {}: {why}", pending.label),
                        self.now,
                    );
                }
            }
            Event::Error { code, message } => {
                self.outbox.notice(Level::Error, format!("Platform error {code}: {message}"), self.now);
            }
        }
    }

    fn apply_order(&mut self, mut order: Order, user: &User, now: DateTime<Utc>) {
        let is_new = self.catalog.order(&order.order_id).is_none();
        if !is_new {
            let (id, status) = (order.order_id.clone(), order.status);
            let effect = self.catalog.apply_status(&id, status, now);
            self.after_return(effect, &id, status, now);
            return;
        }
        self.viewers.ordered(user, &order.order_id, now);
        let mut sale_events = Vec::new();
        if order.status.is_live()
            && let Some(counted) =
                self.sales.record_order(&order.sku, order.qty, order.unit_price, &user.id, now)
        {
            if counted.over_limit() {
                let limit = counted.limit.unwrap_or_default();
                self.outbox.notice(
                    Level::Warn,
                    format!(
                        "{} has {} units of flash sale {}: over its limit of {limit} per customer",
                        user.name, counted.customer_units, counted.run.sale_id
                    ),
                    self.now,
                );
            }
            order.sale = Some(counted.run);
            sale_events = counted.events;
        }
        let amount =
            money::format(order.unit_price * rust_decimal::Decimal::from(order.qty), &order.currency);
        let (qty, sku) = (order.qty, order.sku.clone());
        let mut news = Vec::new();
        let mut billed = Vec::new();
        let cover = if order.status.is_live() && !user.id.is_empty() {
            self.claims.cover_order(&mut self.catalog, &user.id, &order, now, &mut news, &mut billed)
        } else {
            Cover::default()
        };
        for (claim, units) in billed {
            self.catalog.bill_claim_sale(&claim_order_id(claim), units);
        }
        let before = self.catalog.product(&sku).map(|p| (p.on_hand, p.available));
        if order.status.is_live() {
            self.stats.order_at(now.timestamp());
        }
        let effect = self.catalog.apply_order(order, cover, now);
        self.claims.settle(&mut self.catalog, &sku, now, &mut news);
        if let OrderEffect::Placed { oversold, .. } = effect {
            let name = self.catalog.product(&sku).map_or(sku.clone(), |p| p.name.clone());
            let line = if oversold > 0 {
                format!("ordered {qty}× {name} ({amount}): {oversold} OVERSOLD")
            } else {
                format!("ordered {qty}× {name} ({amount})")
            };
            self.chat.push_system(user, line, now);
            if oversold > 0 {
                self.outbox.notice(
                    Level::Error,
                    format!("OVERSOLD: {oversold}× {sku} ordered by {} with no stock", user.name),
                    self.now,
                );
            } else if let Some(p) = self.catalog.product(&sku) {
                // Said once, when this order ran it out.
                let (on_hand, available) = before.unwrap_or((1, 1));
                if p.on_hand == 0 && on_hand > 0 {
                    self.outbox.notice(Level::Warn, format!("{name} is SOLD OUT"), self.now);
                } else if p.sold_out() && available > 0 {
                    let text = format!("{name}: nothing left to sell, {} held for claims", p.on_hand);
                    self.outbox.notice(Level::Warn, text, self.now);
                }
            }
        }
        self.claim_news(news, now);
        self.sale_events(sale_events, now);
        self.sync_stock(&sku, now);
    }

    /// Tells the sales a product's stock after it changed: running out ends its sale. Units
    /// held for claims still count as stock here: a hold is not a sale, it may expire, and an
    /// order on the platform's checkout is served from them.
    fn sync_stock(&mut self, sku: &str, now: DateTime<Utc>) {
        let on_hand = self.catalog.product(sku).map_or(0, |p| p.on_hand);
        let events = self.sales.stock(sku, on_hand, now);
        self.sale_events(events, now);
    }

    fn after_return(
        &mut self,
        effect: OrderEffect,
        order_id: &str,
        status: crate::protocol::OrderStatus,
        now: DateTime<Utc>,
    ) {
        if let OrderEffect::Returned { sku, qty, sale } = effect {
            self.claims.order_returned(order_id);
            if let Some(run) = sale {
                let price =
                    self.catalog.order(order_id).map_or(rust_decimal::Decimal::ZERO, |o| o.unit_price);
                self.sales.record_return(&run, qty, price * rust_decimal::Decimal::from(qty));
            }
            let verb =
                if status == crate::protocol::OrderStatus::Refunded { "refunded" } else { "cancelled" };
            let user = self.catalog.order(order_id).map(|o| o.user_name.clone()).unwrap_or_default();
            let who = User { id: String::new(), name: user, region: None, badges: vec![], follower: false };
            self.chat.push_system(&who, format!("{verb} order {order_id}: {qty}× {sku} back in stock"), now);
            self.settle_stock(&sku, now);
        }
    }

    /// After a product's stock changed: holds back in line with it, the waitlist served,
    /// and its sale told what is left.
    fn settle_stock(&mut self, sku: &str, now: DateTime<Utc>) {
        let mut news = Vec::new();
        self.claims.settle(&mut self.catalog, sku, now, &mut news);
        self.claim_news(news, now);
        self.sync_stock(sku, now);
    }

    /// A viewer's comment's tags.
    fn tags_of(&mut self, user: &User, text: &str, question: bool, claim: bool, now: DateTime<Utc>) -> Tags {
        if is_operator(user) {
            return Tags::NONE;
        }
        let at_ms = now.timestamp_millis();
        let context = self.triage_context(user);
        let mut tags =
            self.classifier.classify(Said { user_id: &user.id, text, question, claim, at_ms, context });
        let norm = self.classifier.normalized();
        let region = self.shipping.cant_ship(norm, user.region.as_deref(), tags);
        if region.is_some() {
            tags.add(Tag::CantShip);
        }
        // The shop's own fixes have the last word.
        let tags = self.learned.override_tags(norm, tags);
        if let Some(region) = region.filter(|_| tags.has(Tag::CantShip)) {
            *self.cant_ship.entry(region).or_default() += 1;
        }
        tags
    }

    /// Where a comment is said, as chat triage's model reads it: the product on screen and
    /// the state of its flash sale, and the viewer's region against where the shop ships.
    fn triage_context(&self, user: &User) -> triage_features::Context {
        use triage_features::{RegionCue, SaleCue};
        let product = self.current_product();
        let sku = product.map(|p| p.sku.as_str());
        let sale = sku
            .and_then(|sku| self.sales.all().iter().rev().find(|s| s.spec.sku == sku && !s.runs.is_empty()));
        let sale = match sale.map(|s| s.state) {
            Some(SaleState::Preheat { .. }) => SaleCue::Preheat,
            Some(SaleState::Live { .. } | SaleState::Paused { .. }) => SaleCue::Live,
            Some(SaleState::Ended { reason: EndReason::SoldOut }) => SaleCue::SoldOut,
            Some(SaleState::Ended { .. }) => SaleCue::Ended,
            _ => SaleCue::None,
        };
        let region = match user.region.as_deref().filter(|r| !r.is_empty()) {
            None => RegionCue::Unknown,
            Some(r) if self.shipping.ships(r) || !self.shipping.enabled() => RegionCue::Served,
            Some(_) => RegionCue::Outside,
        };
        triage_features::Context { screen: product.is_some(), sale, region, ..Default::default() }
    }

    fn apply_action(&mut self, action: Action, now: DateTime<Utc>) {
        // Counting the shelf, noting a viewer or fixing a tag after the stream is still the
        // desk's own business; anything else would be sent.
        if (self.link == Link::Ended || self.ended())
            && !matches!(
                action,
                Action::AdjustStock { .. } | Action::NoteViewer { .. } | Action::Retag { .. }
            )
        {
            self.outbox.notice(Level::Warn, "The stream has ended: nothing was sent".into(), self.now);
            return;
        }
        match action {
            Action::NoteViewer { user_id, .. } if user_id.is_empty() => {
                self.outbox.notice(Level::Warn, "Cannot note a viewer with no id".into(), self.now);
            }
            Action::NoteViewer { user_id, note, tags } => {
                let note = viewers::Note::new(&note, &tags, now);
                let who = viewers::name_for(&self.viewers, &user_id);
                let text = if note.is_empty() {
                    format!("Cleared the note on @{who}")
                } else {
                    format!("Noted @{who}: {}", viewers::summary(&note))
                };
                self.viewers.set_note(&user_id, note);
                self.outbox.notice(Level::Info, text, self.now);
            }
            Action::AdjustStock { sku, change, reason } => {
                let Some(p) = self.catalog.product(&sku) else {
                    self.outbox.notice(
                        Level::Warn,
                        format!("Cannot adjust {sku}: not in the catalog"),
                        self.now,
                    );
                    return;
                };
                let before = p.on_hand;
                let reason = if reason.trim().is_empty() { "no reason given".to_owned() } else { reason };
                self.catalog.adjust(&sku, change, &reason, now);
                let after = self.catalog.product(&sku).map_or(0, |p| p.on_hand);
                self.outbox.notice(
                    Level::Info,
                    format!("Stock of {sku} {}: {before} → {after} on hand ({reason})", change.label()),
                    self.now,
                );
                self.settle_stock(&sku, now);
            }
            Action::ConfirmClaim { id } => {
                let sku = self.claims.get(id).map(|c| c.sku.clone());
                let mut news = Vec::new();
                match self.claims.confirm(&mut self.catalog, id, now, &mut news) {
                    Ok(()) => {
                        self.claim_news(news, now);
                        self.book_claim_sale(id, now);
                        // The units left the shelf: a sale on the product may have sold out.
                        if let Some(sku) = sku {
                            self.sync_stock(&sku, now);
                        }
                    }
                    Err(e) => self.outbox.notice(Level::Warn, format!("Cannot confirm: {e}"), self.now),
                }
            }
            Action::RejectClaim { id } => {
                let mut news = Vec::new();
                match self.claims.reject(&mut self.catalog, id, now, &mut news) {
                    Ok(()) => self.claim_news(news, now),
                    Err(e) => self.outbox.notice(Level::Warn, format!("Cannot reject: {e}"), self.now),
                }
            }
            Action::SendReply { key, to } => {
                let Some(reply) = self.replies.by_key(&key).cloned() else {
                    self.outbox.notice(Level::Warn, format!("No canned reply on key {key}"), self.now);
                    return;
                };
                self.replies.used(reply.id());
                if self.answer(&reply, to.as_deref(), now) {
                    self.taught(to.as_deref(), Some(reply.id()), Tags::NONE);
                }
            }
            Action::Answer { reply, to } => {
                let Some(reply) = self.replies.by_id(&reply).cloned() else {
                    self.outbox.notice(
                        Level::Warn,
                        format!("No canned reply “{reply}” in replies.toml"),
                        self.now,
                    );
                    return;
                };
                self.replies.used(reply.id());
                if self.answer(&reply, to.as_deref(), now) {
                    self.taught(to.as_deref(), Some(reply.id()), Tags::NONE);
                }
            }
            Action::Retag { msg_id, tag } => self.retag(&msg_id, &tag),
            Action::MarkHandled { msg_id } => {
                let Some(m) = self.chat.by_msg_id(&msg_id) else {
                    self.outbox.notice(
                        Level::Warn,
                        format!("Cannot mark {msg_id} handled: it is no longer in the chat"),
                        self.now,
                    );
                    return;
                };
                let who = m.user_name.clone();
                if self.chat.mark_answered(&msg_id) {
                    self.outbox.notice(Level::Info, format!("Marked @{who}'s comment handled"), self.now);
                    self.taught(Some(&msg_id), None, Tags::NONE);
                }
            }
            Action::DeleteMessage { msg_id } => self.delete_message(msg_id, now),
            Action::MuteViewer { user_id, name, seconds } => self.mute_viewer(user_id, name, seconds, now),
            Action::PinMessage { msg_id } => self.pin_message(msg_id, now),
            Action::StartSale { id } => {
                let result = self.sales.start(&id, now);
                self.sale_result(result, "start", now);
            }
            Action::ExtendSale { id, seconds } => {
                let result = self.sales.extend(id.as_deref(), seconds);
                self.sale_result(result, "extend", now);
            }
            Action::EndSale { id } => {
                let result = self.sales.end(id.as_deref(), EndReason::EndedByHand, now);
                self.sale_result(result, "end", now);
            }
            Action::PauseSale { id } => {
                let result = self.sales.pause(id.as_deref(), now);
                self.sale_result(result, "pause", now);
            }
            Action::ResumeSale { id } => {
                let result = self.sales.resume(id.as_deref(), now);
                self.sale_result(result, "resume", now);
            }
            Action::PinProduct { sku } => {
                if let Some(s) = &sku
                    && self.catalog.product(s).is_none()
                {
                    self.outbox.notice(Level::Warn, format!("Cannot pin {s}: not in the catalog"), self.now);
                    return;
                }
                let label = match &sku {
                    Some(s) => format!("pin {s}"),
                    None => "unpin".into(),
                };
                self.pinned = sku.clone();
                let reference = self.outbox.next_ref();
                self.outbox.send(Command::PinProduct { reference, sku }, label.clone(), now);
                self.outbox.notice(Level::Info, format!("Asked the platform to {label}"), self.now);
            }
        }
    }

    /// Sends a canned reply, filled for the message `to` (its viewer, the product it names,
    /// its language). On a read-only platform it goes to the clipboard for the operator to
    /// paste.
    /// Returns whether it went out (or to the clipboard).
    fn answer(&mut self, reply: &ReplySpec, to: Option<&str>, now: DateTime<Utc>) -> bool {
        let target = to.and_then(|id| self.chat.by_msg_id(id));
        let user = target.map(|m| m.user_name.clone());
        let text = match self.reply_text(reply, to, now) {
            Ok(text) => text,
            Err(missing) => {
                let fields: Vec<String> = missing.iter().map(|f| format!("{{{f}}}")).collect();
                let how = replies::how_to_fill(&missing);
                let text = format!("Not sent: “{}” needs {}; {how}", reply.title, fields.join(" "));
                self.outbox.notice(Level::Warn, text, self.now);
                return false;
            }
        };
        let label = match &user {
            Some(u) => format!("reply “{}” to @{u}", reply.title),
            None => format!("reply “{}”", reply.title),
        };
        let reply_to = target.map(|m| m.msg_id.clone()).filter(|id| !id.is_empty());
        if let Some(id) = &reply_to {
            // Answered now, whether the platform takes it or the operator pastes it.
            self.chat.mark_answered(id);
        }
        if self.outbox.caps().send_chat {
            self.outbox.send_chat(text, reply_to, label, now);
        } else {
            // The platform cannot take it: the operator pastes it in its own chat.
            self.outbox.bump();
            self.outbox.push(Output::Clipboard(text));
            self.outbox.notice(
                Level::Info,
                format!("Copied {label} to the clipboard: paste it in the chat"),
                self.now,
            );
        }
        true
    }

    /// Toggles one tag of a comment by the operator's hand: the fix shows at once, and the
    /// comments that read the same from now on take it (see [`learned::Memory::override_tags`]).
    fn retag(&mut self, msg_id: &str, tag: &str) {
        let Some(tag) = Tag::from_name(tag).filter(|t| learned::FIXABLE.contains(t)) else {
            let names: Vec<&str> = learned::FIXABLE.iter().map(|t| t.name()).collect();
            let text = format!("Cannot re-tag with “{tag}”: the tags are {}", names.join(", "));
            return self.outbox.notice(Level::Warn, text, self.now);
        };
        let Some(m) = self.chat.by_msg_id(msg_id) else {
            return self.outbox.notice(
                Level::Warn,
                format!("Cannot re-tag {msg_id}: it is no longer in the chat"),
                self.now,
            );
        };
        if !matches!(m.kind, MsgKind::Chat | MsgKind::Question) {
            return self.outbox.notice(
                Level::Warn,
                "Only a viewer's comment can be re-tagged".into(),
                self.now,
            );
        }
        let who = m.user_name.clone();
        let mut tags = m.tags;
        let verb = if tags.has(tag) {
            tags.remove(tag);
            "no longer"
        } else {
            tags.add(tag);
            "now"
        };
        self.chat.set_tags(msg_id, tags);
        self.outbox.notice(
            Level::Info,
            format!("@{who}'s comment is {verb} tagged {}", tag.name()),
            self.now,
        );
        self.taught(Some(msg_id), None, Tags::NONE.with(tag));
    }

    /// What the operator did to comment `to` (a reply sent, or `fixed` tags), as an example
    /// the desk learns now and the store keeps.
    fn taught(&mut self, to: Option<&str>, reply: Option<&str>, fixed: Tags) {
        let Some(m) = to.and_then(|id| self.chat.by_msg_id(id)) else { return };
        if !matches!(m.kind, MsgKind::Chat | MsgKind::Question) {
            return;
        }
        self.examples_made += 1;
        let example = learned::Example {
            n: self.examples_made,
            text: text::normalize(&m.text),
            lang: self.classifier.language(&m.text).map(str::to_owned),
            tags: learned::Example::names(m.tags),
            fixed: learned::Example::names(fixed),
            reply: reply.map(str::to_owned),
        };
        self.learned.learn(&example);
        self.outbox.push(Output::Learned(example));
    }

    /// A viewer the shop cannot ship to gets the polite reply by itself, when the shop
    /// turned that on, at most once per viewer in the set time.
    fn gate_answer(&mut self, index: u64, now: DateTime<Utc>) {
        let Some(m) = self.chat.get(index) else { return };
        if !m.tags.has(Tag::CantShip) || m.msg_id.is_empty() {
            return;
        }
        let (msg_id, user_id) = (m.msg_id.clone(), m.user_id.clone());
        let Some(reply) = self.replies.by_tag(replies::CANT_SHIP).cloned() else { return };
        if self.shipping.may_auto_answer(&user_id, now.timestamp_millis()) {
            self.answer(&reply, Some(&msg_id), now);
        }
    }

    /// The values for a reply template, for a message by `user` (if any).
    pub fn template_context(&self, user: Option<String>, now: DateTime<Utc>) -> TemplateContext {
        self.context_for(self.current_product(), user, now)
    }

    /// The values for a reply template about `product`, for a message by `user` (if any).
    fn context_for(
        &self,
        product: Option<&catalog::Product>,
        user: Option<String>,
        now: DateTime<Utc>,
    ) -> TemplateContext {
        let live = product.and_then(|p| self.sales.running().find(|s| s.is_live() && s.spec.sku == p.sku));
        let currency = &self.catalog.currency;
        TemplateContext {
            user,
            product: product.map(|p| p.name.clone()),
            price: live
                .map(|s| s.spec.price)
                .or(product.map(|p| p.price))
                .map(|p| money::format(p, currency)),
            stock: match live {
                Some(s) => product.map(|p| p.available.min(s.left()).to_string()),
                None => product.map(|p| p.available.to_string()),
            },
            time_left: live.map(|s| clock(s.remaining(now))),
            ships_to: self.shipping.enabled().then(|| self.shipping.ships_to()),
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
mod knowledge_tests;
#[cfg(test)]
mod learned_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod moderation_tests;
