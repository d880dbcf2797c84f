//! One pass over a session's journal: a fresh desk replays it, so every figure follows the
//! desk's own rules exactly, while the pass notes what happened when (the desk keeps totals
//! and a bounded chat log, not the stream's history).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::desk::chat::Message;
use crate::desk::classify::Tags;
use crate::desk::team::Hand;
use crate::desk::{
    Action, Desk, DeskSetup, Input, Output, claim_order_id as claim_id, is_operator as is_shop,
};
use crate::protocol::{Command, Event, Frame, ModAction, User};
use crate::store::{Archive, Item};

/// How a comment stopped waiting for an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The operator sent this canned reply (its id) to it.
    Reply { id: String },
    /// The shop answered it in its own words (the platform echoed a reply to it).
    ShopReply,
    /// The operator marked it handled.
    Handled,
}

/// A viewer's comment as the desk read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub msg_id: String,
    pub at: DateTime<Utc>,
    pub user_id: String,
    pub user_name: String,
    pub region: Option<String>,
    pub text: String,
    /// The platform marked it a question (rather than triage reading it as one).
    pub platform_question: bool,
    /// What triage made of it when it arrived.
    pub tags: Tags,
    /// When and how it was answered.
    pub answered: Option<(DateTime<Utc>, Answer)>,
    /// Removed by the platform's moderation.
    pub deleted: bool,
    /// The reply the desk suggested when it arrived: its id and its text as it would
    /// have been sent then (`None` when nothing could fill its fields).
    pub suggestion: Option<(String, Option<String>)>,
}

/// A new order as it arrived (its final figures are the desk's, at the end).
#[derive(Clone, Debug, PartialEq)]
pub struct OrderSeen {
    pub order_id: String,
    pub at: DateTime<Utc>,
    pub user_id: String,
    pub user_name: String,
    pub region: Option<String>,
    /// The flash sale it counted for, if any.
    pub sale: Option<String>,
}

/// A canned reply the operator sent (or copied, on a read-only platform).
#[derive(Clone, Debug, PartialEq)]
pub struct ReplySent {
    pub at: DateTime<Utc>,
    /// The reply's id (replies.toml `id`, else its title).
    pub id: String,
    pub title: String,
    /// The comment it answered, and its viewer.
    pub to_msg: Option<String>,
    pub to_user: Option<String>,
}

/// A viewer seen anywhere in the stream (a comment, a join, a like, an order…).
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub name: String,
    pub region: Option<String>,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// A flash sale's units counted so far in one run, whenever they changed.
#[derive(Clone, Debug, PartialEq)]
pub struct SalePoint {
    pub sale_id: String,
    /// Index of the run (0 for the first).
    pub run: usize,
    pub at: DateTime<Utc>,
    pub units: u32,
}

/// A stretch of time during which a flash sale was live (a pause splits a run in two).
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub sale_id: String,
    pub from: DateTime<Utc>,
    /// `None`: still live when the journal ends.
    pub to: Option<DateTime<Utc>>,
}

/// Everything one pass found.
#[derive(Debug)]
pub struct Collected {
    /// The desk at the end of the journal.
    pub desk: Desk,
    /// Time of the first and the last input.
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub comments: Vec<Comment>,
    pub orders: Vec<OrderSeen>,
    /// Every viewer count the platform sent, in order.
    pub viewers: Vec<(DateTime<Utc>, u64)>,
    pub replies: Vec<ReplySent>,
    /// Per SKU, when its units on hand first ran out during the stream.
    pub sold_out: BTreeMap<String, DateTime<Utc>>,
    pub sale_points: Vec<SalePoint>,
    pub windows: Vec<Window>,
    /// Viewers by user id.
    pub people: HashMap<String, Person>,
    /// Inputs applied.
    pub inputs: u64,
}

/// Replays session `id` of `store` into a fresh desk set up by `setup`, noting the stream's
/// history on the way.
pub fn collect(store: &dyn Archive, id: i64, setup: DeskSetup) -> anyhow::Result<Collected> {
    let mut pass = Pass::new(Desk::new(setup));
    store.each_item(id, &mut |at, item| {
        match item {
            Item::Input(input) => pass.input(input, at),
            // A new run of the app, as a rebuild sees it (refs, and the feed dialled again).
            Item::Run { ref_prefix } => pass.c.desk.renew_refs(ref_prefix),
            Item::Output(_) => {}
        }
        Ok(())
    })?;
    Ok(pass.done())
}

/// The pass in progress.
struct Pass {
    c: Collected,
    /// msg_id → index in `comments`.
    by_msg: HashMap<String, usize>,
    /// Units on hand per product (catalog order) after the last input.
    on_hand: Vec<u32>,
    /// Per sale (plan order): live after the last input, and (runs, units) last seen.
    live: Vec<bool>,
    units: Vec<(usize, u32)>,
}

impl Pass {
    fn new(desk: Desk) -> Pass {
        let on_hand = desk.catalog().products().iter().map(|p| p.on_hand).collect();
        let sales = desk.sales().all().len();
        Pass {
            c: Collected {
                desk,
                start: None,
                end: None,
                comments: Vec::new(),
                orders: Vec::new(),
                viewers: Vec::new(),
                replies: Vec::new(),
                sold_out: BTreeMap::new(),
                sale_points: Vec::new(),
                windows: Vec::new(),
                people: HashMap::new(),
                inputs: 0,
            },
            by_msg: HashMap::new(),
            on_hand,
            live: vec![false; sales],
            units: vec![(0, 0); sales],
        }
    }

    fn input(&mut self, input: Input, at: DateTime<Utc>) {
        self.c.start.get_or_insert(at);
        self.c.end = Some(at);
        self.c.inputs += 1;
        let next_msg = self.c.desk.chat().next_index();
        // What to look at once the desk has applied the input.
        let mut answer_check: Option<(String, Answer)> = None;
        let mut new_comment: Option<bool> = None;
        let mut new_order: Option<(String, User)> = None;
        let mut claim_order: Option<u64> = None;
        let mut reply: Option<(String, Option<String>)> = None;
        let mut moderation: Option<(Option<String>, Option<String>)> = None;
        match &input {
            Input::Feed(Frame { event, .. }) => {
                if let Some(user) = event_user(event) {
                    self.seen(user, at);
                }
                match event {
                    Event::Chat { user, reply_to, .. } => {
                        if is_shop(user) {
                            if let Some(to) = reply_to {
                                answer_check = Some((to.clone(), Answer::ShopReply));
                            }
                        } else {
                            new_comment = Some(false);
                        }
                    }
                    Event::Question { user, .. } if !is_shop(user) => new_comment = Some(true),
                    Event::Viewers { count } => self.c.viewers.push((at, *count)),
                    Event::Order { order_id, user, .. }
                        if self.c.desk.catalog().order(order_id).is_none() =>
                    {
                        new_order = Some((order_id.clone(), user.clone()));
                    }
                    Event::Moderation {
                        action: ModAction::Deleted | ModAction::Banned,
                        msg_id,
                        user_id,
                        ..
                    } => {
                        moderation = Some((msg_id.clone(), user_id.clone()));
                    }
                    _ => {}
                }
            }
            Input::Operator(Action::SendReply { key, to })
            | Input::Hand(Hand { action: Action::SendReply { key, to }, .. }) => {
                let id = self.c.desk.replies().by_key(key).map_or_else(|| key.clone(), |r| r.id().to_owned());
                if let Some(to) = to {
                    answer_check = Some((to.clone(), Answer::Reply { id: id.clone() }));
                }
                reply = Some((id, to.clone()));
            }
            Input::Operator(Action::Answer { reply: id, to })
            | Input::Hand(Hand { action: Action::Answer { reply: id, to }, .. }) => {
                if let Some(to) = to {
                    answer_check = Some((to.clone(), Answer::Reply { id: id.clone() }));
                }
                reply = Some((id.clone(), to.clone()));
            }
            Input::Operator(Action::MarkHandled { msg_id })
            | Input::Hand(Hand { action: Action::MarkHandled { msg_id }, .. }) => {
                answer_check = Some((msg_id.clone(), Answer::Handled));
            }
            Input::Operator(Action::ConfirmClaim { id })
            | Input::Hand(Hand { action: Action::ConfirmClaim { id }, .. }) => claim_order = Some(*id),
            _ => {}
        }
        let claim_before = claim_order.map(|id| self.c.desk.catalog().order(&claim_id(id)).is_some());

        let outputs = self.c.desk.apply(input, at);

        if let Some(question) = new_comment
            && let Some(m) = self.c.desk.chat().get(next_msg)
        {
            let mut comment = comment_of(m, question);
            comment.suggestion = self.c.desk.suggest(&m.msg_id).map(|s| {
                let text = self.c.desk.reply_text(s.reply, Some(&m.msg_id), at).ok();
                (s.reply.id().to_owned(), text)
            });
            if !comment.msg_id.is_empty() {
                self.by_msg.insert(comment.msg_id.clone(), self.c.comments.len());
            }
            self.c.comments.push(comment);
        }
        let desk = &self.c.desk;
        if let Some((order_id, user)) = new_order
            && let Some(order) = desk.catalog().order(&order_id)
        {
            let sale = order.sale.as_ref().map(|r| r.sale_id.clone());
            self.c.orders.push(OrderSeen {
                order_id,
                at,
                user_id: user.id,
                user_name: user.name,
                region: user.region,
                sale,
            });
        }
        if let (Some(id), Some(false)) = (claim_order, claim_before)
            && let Some(claim) = desk.claims().get(id)
            && desk.catalog().order(&claim_id(id)).is_some()
        {
            let region = self.c.people.get(&claim.user_id).and_then(|p| p.region.clone());
            self.c.orders.push(OrderSeen {
                order_id: claim_id(id),
                at,
                user_id: claim.user_id.clone(),
                user_name: claim.user_name.clone(),
                region,
                sale: None,
            });
        }
        if let Some((id, to)) = reply {
            let went = outputs
                .iter()
                .any(|o| matches!(o, Output::Send(Command::SendChat { .. }) | Output::Clipboard(_)));
            if went {
                let title = desk.replies().by_id(&id).map_or_else(|| id.clone(), |r| r.title.clone());
                let to_user =
                    to.as_ref().and_then(|m| self.by_msg.get(m)).map(|&i| self.c.comments[i].user_id.clone());
                self.c.replies.push(ReplySent { at, id, title, to_msg: to, to_user });
            }
        }
        if let Some((msg_id, how)) = answer_check
            && let Some(&i) = self.by_msg.get(&msg_id)
            && self.c.comments[i].answered.is_none()
            && self.c.desk.chat().by_msg_id(&msg_id).is_some_and(|m| m.answered)
        {
            self.c.comments[i].answered = Some((at, how));
        }
        if let Some((msg_id, user_id)) = moderation {
            self.moderated(msg_id, user_id);
        }
        self.watch_stock(at);
        self.watch_sales(at);
    }

    /// Notes a viewer (never the shop) seen at `at`.
    fn seen(&mut self, user: &User, at: DateTime<Utc>) {
        if user.id.is_empty() || is_shop(user) {
            return;
        }
        match self.c.people.get_mut(&user.id) {
            Some(p) => {
                p.last = at;
                p.name.clone_from(&user.name);
                if user.region.is_some() {
                    p.region.clone_from(&user.region);
                }
            }
            None => {
                let person =
                    Person { name: user.name.clone(), region: user.region.clone(), first: at, last: at };
                self.c.people.insert(user.id.clone(), person);
            }
        }
    }

    /// A deletion or ban: the comments the desk now shows struck through.
    fn moderated(&mut self, msg_id: Option<String>, user_id: Option<String>) {
        let chat = &self.c.desk.chat();
        let deleted = |m: &str| chat.by_msg_id(m).is_some_and(|m| m.deleted);
        match (msg_id, user_id) {
            (Some(id), _) => {
                if let Some(&i) = self.by_msg.get(&id)
                    && deleted(&id)
                {
                    self.c.comments[i].deleted = true;
                }
            }
            (None, Some(user)) => {
                for c in self.c.comments.iter_mut().filter(|c| c.user_id == user) {
                    if deleted(&c.msg_id) {
                        c.deleted = true;
                    }
                }
            }
            (None, None) => {}
        }
    }

    /// Notes the first time each product's units on hand ran out.
    fn watch_stock(&mut self, at: DateTime<Utc>) {
        let products = self.c.desk.catalog().products();
        self.on_hand.resize(products.len(), 0);
        for (p, before) in products.iter().zip(self.on_hand.iter_mut()) {
            if p.on_hand == 0 && *before > 0 && !self.c.sold_out.contains_key(&p.sku) {
                self.c.sold_out.insert(p.sku.clone(), at);
            }
            *before = p.on_hand;
        }
    }

    /// Notes when each sale went live or stopped, and its units whenever they changed.
    fn watch_sales(&mut self, at: DateTime<Utc>) {
        for (i, sale) in self.c.desk.sales().all().iter().enumerate() {
            let live = sale.is_live();
            if live != self.live[i] {
                self.live[i] = live;
                if live {
                    self.c.windows.push(Window { sale_id: sale.spec.id.clone(), from: at, to: None });
                } else if let Some(w) =
                    self.c.windows.iter_mut().rev().find(|w| w.sale_id == sale.spec.id && w.to.is_none())
                {
                    w.to = Some(at);
                }
            }
            let now = (sale.runs.len(), sale.sold());
            if now != self.units[i] {
                self.units[i] = now;
                if let Some(run) = sale.runs.len().checked_sub(1) {
                    let point = SalePoint { sale_id: sale.spec.id.clone(), run, at, units: now.1 };
                    self.c.sale_points.push(point);
                }
            }
        }
    }

    fn done(self) -> Collected {
        self.c
    }
}

/// A comment as the desk read it when it arrived.
fn comment_of(m: &Message, platform_question: bool) -> Comment {
    Comment {
        msg_id: m.msg_id.clone(),
        at: m.at,
        user_id: m.user_id.clone(),
        user_name: m.user_name.clone(),
        region: m.region.clone(),
        text: m.text.clone(),
        platform_question,
        tags: m.tags,
        answered: None,
        deleted: false,
        suggestion: None,
    }
}

/// The viewer an event is about, if any.
fn event_user(event: &Event) -> Option<&User> {
    match event {
        Event::Chat { user, .. }
        | Event::Question { user, .. }
        | Event::Join { user }
        | Event::Follow { user }
        | Event::Share { user }
        | Event::Gift { user, .. }
        | Event::Order { user, .. } => Some(user),
        Event::Like { user, .. } => user.as_ref(),
        _ => None,
    }
}
