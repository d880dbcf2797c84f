//! Comment-to-order claims, as live sellers on platforms without a checkout work: a viewer
//! comments "sold 2 almond pink" (or just "mine!" while a product is on screen), and the desk
//! holds the units for them until the operator confirms (or a matching `order` event arrives),
//! the operator rejects, or the hold runs out.
//!
//! Rules:
//! - a comment is a claim as the [`Matcher`] reads it (`matcher.rs`); a claim naming no
//!   product of ours is ignored and counted as unmatched;
//! - a viewer has at most one held and one waiting claim per product. The same comment again,
//!   or a bare "mine" while they already hold or wait (or within a hold's time of their claim
//!   being confirmed), is a repeat and changes nothing; any other claim adds its units, within
//!   the per-customer limit;
//! - a claim holds what is available; what is not waits, first come first served, per product.
//!   Nobody jumps the queue: while anyone waits, new claims wait behind them;
//! - when stock frees (cancel, refund, expiry, rejection, restock, adjust) the first waiting
//!   claims are held, in arrival order, as far as stock allows, each with a fresh hold;
//! - when on hand falls below what is held (a platform count, an order that took held units,
//!   an adjust), the newest holds go back to the waitlist, ahead of later arrivals;
//! - an `order` from the claimer for the product confirms their claims: held units convert into
//!   the order (no double take), and units the operator already confirmed are not taken again.
//!
//! That is the default policy, first-claimed; `policy.rs` holds the first-paid rules (claims
//! that hold nothing until paid) and the reminders before a claim runs out.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

pub use super::matcher::{MAX_QTY, Matcher, Parsed};
use crate::config::model::{Catalog as CatalogFile, ClaimPolicy, ClaimReplies, ClaimsConfig};
use crate::desk::catalog::{Catalog, Cover, Order};
pub use crate::desk::text::{compile, normalize};

/// Finished claims kept for the Claims pane (the counts go on for the summary).
pub const DONE_KEPT: usize = 200;
/// How long a buyer is not told the same news about their claim twice. During a flash sale
/// stock swings by the second (orders, cancels, platform counts), and a claim can go from
/// held to waiting and back several times a minute; five minutes spans a typical sale, and
/// news after a calm that long is worth hearing again. The operator sees every change.
pub const BUYER_NEWS_QUIET: Duration = Duration::minutes(5);

/// How a claim was confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmedBy {
    /// The operator confirmed it: its units left stock then.
    Operator,
    /// An order from the claimer confirmed it.
    Order(String),
}

/// Where a claim is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimState {
    /// Units are held until `expires_at`.
    Active {
        expires_at: DateTime<Utc>,
    },
    /// Waiting for stock, first come first served.
    Waiting,
    /// First-paid: the buyer's intent, holding nothing, until `expires_at` or their payment.
    Unpaid {
        expires_at: DateTime<Utc>,
    },
    Confirmed {
        at: DateTime<Utc>,
        by: ConfirmedBy,
    },
    Rejected {
        at: DateTime<Utc>,
    },
    Expired {
        at: DateTime<Utc>,
    },
    /// First-paid: another buyer paid for the last unit first, and the waitlist was closed.
    SoldOut {
        at: DateTime<Utc>,
    },
    /// The buyer took it back with a "pass" comment.
    Passed {
        at: DateTime<Utc>,
    },
}

impl ClaimState {
    /// Held, waiting or unpaid: the operator can still act on it.
    pub fn is_open(&self) -> bool {
        matches!(self, ClaimState::Active { .. } | ClaimState::Waiting | ClaimState::Unpaid { .. })
    }

    /// When a held or unpaid claim runs out.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match self {
            ClaimState::Active { expires_at } | ClaimState::Unpaid { expires_at } => Some(*expires_at),
            _ => None,
        }
    }

    /// A word for the operator.
    pub fn label(&self) -> &'static str {
        match self {
            ClaimState::Active { .. } => "held",
            ClaimState::Waiting => "waiting",
            ClaimState::Unpaid { .. } => "unpaid",
            ClaimState::Confirmed { .. } => "confirmed",
            ClaimState::Rejected { .. } => "rejected",
            ClaimState::Expired { .. } => "expired",
            ClaimState::SoldOut { .. } => "sold out",
            ClaimState::Passed { .. } => "passed",
        }
    }
}

/// One viewer's claim on one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub id: u64,
    /// Arrival order (the id of the first claim these units came from): the waitlist is
    /// served by it.
    pub seq: u64,
    pub sku: String,
    pub user_id: String,
    pub user_name: String,
    /// The comment that made the claim (or last added to it): replies answer it.
    pub msg_id: String,
    /// That comment, normalized: the same words again are a repeat.
    pub text: String,
    pub qty: u32,
    pub state: ClaimState,
    /// When the claim arrived.
    pub at: DateTime<Utc>,
}

/// What happened to claims, for the desk to tell the operator and the buyer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum News {
    /// `qty` units of a claim found no stock and the product's waitlist is closed: they were
    /// turned away, not put in line (`held` units of the same comment were held).
    TurnedAway {
        claim: Claim,
        qty: u32,
        held: u32,
    },
    /// Units are now held for a claim (`added` of its `qty`).
    Held {
        claim: Claim,
        added: u32,
    },
    /// A claim joined the waitlist at `position` (1 is next); `held` units of the same
    /// comment were held for it.
    Waitlisted {
        claim: Claim,
        position: usize,
        held: u32,
    },
    /// Units of a waiting claim are now held.
    Promoted {
        claim: Claim,
        added: u32,
    },
    /// A hold lost `qty` units back to the waitlist: the stock went below what was held.
    Bumped {
        claim: Claim,
        qty: u32,
    },
    Expired {
        claim: Claim,
    },
    Confirmed {
        claim: Claim,
    },
    Rejected {
        claim: Claim,
    },
    /// First-paid: a claim was noted; it holds nothing until paid.
    Unpaid {
        claim: Claim,
    },
    /// A held or unpaid claim runs out soon (`reminder_minutes`): said once per hold.
    Reminder {
        claim: Claim,
    },
    /// First-paid: a claim still unpaid when the product sold out was released (its
    /// waitlist closed; else the claim waits in line).
    SoldOut {
        claim: Claim,
    },
    /// First-paid: `added` units of a waiting claim were called from the line: the claim is
    /// unpaid again, with a fresh timer, and the first to pay wins.
    Called {
        claim: Claim,
        added: u32,
    },
    /// The buyer passed on a claim: its units went back, to the next in line first.
    Passed {
        claim: Claim,
    },
    /// A viewer asked for more than the per-customer limit; `kept` units were claimed.
    Limited {
        user_name: String,
        sku: String,
        limit: u32,
        kept: u32,
    },
}

/// The desk's own order for a claim the operator confirmed.
pub fn claim_order_id(claim: u64) -> String {
    format!("claim-{claim}")
}

/// Which way a buyer's claim moved: what they are told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// Units are now held for them.
    Held,
    /// They now wait for stock.
    Waiting,
}

/// Claim counts for the summary and the pane title: claims held and waiting now, and how
/// many ended each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClaimCounts {
    pub active: usize,
    pub waiting: usize,
    pub confirmed: u64,
    pub expired: u64,
    pub rejected: u64,
    /// Comments worded like claims that named no product of ours.
    pub unmatched: u64,
    /// Claims said again and ignored (for the pane, not the summary).
    #[serde(skip)]
    pub repeats: u64,
}

/// One viewer's claims on one product.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Holder {
    /// The held claim (first-paid: the unpaid one).
    pub(super) active: Option<u64>,
    pub(super) waiting: Option<u64>,
    /// Units held, waiting and confirmed: what the per-customer limit counts.
    pub(super) units: u32,
    /// Claims the operator confirmed, with their units no platform order has matched yet
    /// (already off on hand, and on the desk's books as `claim-ID` orders), oldest first.
    unbilled: Vec<(u64, u32)>,
    /// When the viewer's last claim on the product was confirmed: a bare "mine" soon after is
    /// the same excitement, not a second purchase.
    confirmed_at: Option<DateTime<Utc>>,
    /// When the buyer was last told their claim is held, and that it waits.
    told: [Option<DateTime<Utc>>; 2],
}

impl Holder {
    fn is_empty(&self) -> bool {
        self.active.is_none()
            && self.waiting.is_none()
            && self.units == 0
            && self.unbilled.is_empty()
            && self.confirmed_at.is_none()
    }
}

/// The units of one order that count against a viewer's per-customer limit: a cancel or
/// refund of the order gives them back.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Allowance {
    user_id: String,
    sku: String,
    units: u32,
}

/// A new claim from a comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRequest {
    pub sku: String,
    pub qty: u32,
    /// A flash sale running on the product caps this viewer's units too: its
    /// `per_customer` less what they already bought in it.
    pub sale_limit: Option<u32>,
    pub explicit: bool,
    pub user_id: String,
    pub user_name: String,
    pub msg_id: String,
    pub text: String,
}

/// Why the operator's confirm or reject did nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("no claim #{0}")]
    Unknown(u64),
    #[error("claim #{0} is {1} already")]
    Finished(u64, &'static str),
    #[error("claim #{0} is waiting for stock: only a held claim can be confirmed")]
    Waiting(u64),
    #[error("claim #{0} is unpaid and nothing is left to sell it")]
    NoStock(u64),
}

/// Every claim of the stream: open ones, the waitlists, and the latest finished ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    pub matcher: Matcher,
    pub(super) policy: ClaimPolicy,
    hold: Duration,
    /// How long before a claim runs out its buyer is reminded.
    pub(super) remind: Option<Duration>,
    /// What the buyer is told as a claim runs its course.
    replies: ClaimReplies,
    /// Claims whose buyer was reminded, with the expiry they were reminded of: once per hold.
    pub(super) reminded: BTreeMap<u64, DateTime<Utc>>,
    max_per_customer: Option<u32>,
    /// Held, waiting and unpaid claims by id.
    pub(super) open: BTreeMap<u64, Claim>,
    /// Waiting claims per sku as (arrival, id): the first is next in line.
    pub(super) waitlists: BTreeMap<String, BTreeSet<(u64, u64)>>,
    /// Products whose waitlist the operator closed (a product closes its variants' too).
    closed: BTreeSet<String>,
    /// Per sku, per user id: looked up without building a key.
    pub(super) holders: HashMap<String, HashMap<String, Holder>>,
    done: VecDeque<Claim>,
    /// Per order id (a `claim-ID` order, or a platform order that confirmed claims): the units
    /// it took from its buyer's limit.
    allowances: HashMap<String, Allowance>,
    /// First-paid: placed orders not paid yet, by order id, with the buyer and product of the
    /// unpaid claim each will win once paid: that claim is not released as sold out meanwhile.
    pub(super) paying: HashMap<String, (String, String)>,
    next_id: u64,
    next_expiry: Option<DateTime<Utc>>,
    /// When the next reminder is due.
    pub(super) next_reminder: Option<DateTime<Utc>>,
    counts: ClaimCounts,
    /// When a viewer was last asked which variant of a product they meant, per (user, sku).
    asked: HashMap<(String, String), DateTime<Utc>>,
    /// Viewers told a product's waitlist is closed, as (user id, sku): told once.
    told_closed: BTreeSet<(String, String)>,
}

impl Claims {
    /// No claims yet, for a shop's settings and catalog.
    pub fn new(config: &ClaimsConfig, catalog: &CatalogFile) -> Claims {
        Claims {
            matcher: Matcher::new(config, catalog),
            policy: config.policy,
            hold: Duration::minutes(i64::from(config.hold_minutes.max(1))),
            remind: config.reminder_minutes.map(|m| Duration::minutes(i64::from(m))),
            replies: config.replies.clone(),
            reminded: BTreeMap::new(),
            next_reminder: None,
            max_per_customer: config.max_per_customer,
            open: BTreeMap::new(),
            waitlists: BTreeMap::new(),
            closed: BTreeSet::new(),
            holders: HashMap::new(),
            done: VecDeque::new(),
            allowances: HashMap::new(),
            paying: HashMap::new(),
            next_id: 1,
            next_expiry: None,
            counts: ClaimCounts::default(),
            asked: HashMap::new(),
            told_closed: BTreeSet::new(),
        }
    }

    /// Whether the shop reads claims at all (the Claims pane shows only then).
    pub fn enabled(&self) -> bool {
        self.matcher.enabled()
    }

    /// Whether a claim on `sku` past the stock may wait in line (the operator can close it
    /// when the product is about to sell out). `product` is the product `sku` is a variant of.
    pub fn waitlist_open(&self, sku: &str, product: &str) -> bool {
        !self.closed.contains(sku) && !self.closed.contains(product)
    }

    /// Whether the operator closed `sku`'s own waitlist (not through its product).
    pub fn waitlist_closed(&self, sku: &str) -> bool {
        self.closed.contains(sku)
    }

    /// The products whose waitlist the operator closed, by sku.
    pub fn closed_waitlists(&self) -> impl Iterator<Item = &str> {
        self.closed.iter().map(String::as_str)
    }

    /// Closes or opens `sku`'s waitlist; whether that changed anything.
    pub fn set_waitlist(&mut self, sku: &str, open: bool) -> bool {
        if open { self.closed.remove(sku) } else { self.closed.insert(sku.to_owned()) }
    }

    /// How long a claim holds its units.
    pub fn hold(&self) -> Duration {
        self.hold
    }

    /// Who gets a unit: the first to claim it or the first to pay.
    pub fn policy(&self) -> ClaimPolicy {
        self.policy
    }

    /// What the buyer is told as a claim runs its course.
    pub fn replies(&self) -> &ClaimReplies {
        &self.replies
    }

    /// The counts so far.
    pub fn counts(&self) -> ClaimCounts {
        let active = self
            .open
            .values()
            .filter(|c| matches!(c.state, ClaimState::Active { .. } | ClaimState::Unpaid { .. }))
            .count();
        ClaimCounts { active, waiting: self.open.len() - active, ..self.counts }
    }

    /// Held and waiting claims, oldest first.
    pub fn open(&self) -> impl DoubleEndedIterator<Item = &Claim> {
        self.open.values()
    }

    /// The latest finished claims, oldest first.
    pub fn done(&self) -> impl DoubleEndedIterator<Item = &Claim> {
        self.done.iter()
    }

    /// A claim by id, open or among the latest finished.
    pub fn get(&self, id: u64) -> Option<&Claim> {
        self.open.get(&id).or_else(|| self.done.iter().rev().find(|c| c.id == id))
    }

    /// A waiting claim's place in its product's queue (1 is next).
    pub fn position(&self, id: u64) -> Option<usize> {
        let c = self.open.get(&id)?;
        let queue = self.waitlists.get(&c.sku)?;
        let key = (c.seq, c.id);
        // A new claim joins at the back; the pane asks about the front: both are quick.
        if queue.last() == Some(&key) {
            return Some(queue.len());
        }
        queue.contains(&key).then(|| queue.range(..key).count() + 1)
    }

    /// Units the operator confirmed, per (user id, sku), that no order has matched yet: they
    /// are off on hand already.
    pub fn unbilled(&self) -> impl Iterator<Item = (&str, &str, u32)> {
        self.holders.iter().flat_map(|(sku, users)| {
            users
                .iter()
                .filter(|(_, h)| !h.unbilled.is_empty())
                .map(move |(u, h)| (u.as_str(), sku.as_str(), h.unbilled.iter().map(|(_, n)| n).sum()))
        })
    }

    /// Whether to ask a viewer which variant of `sku` they meant: once, until they have not
    /// been asked for [`BUYER_NEWS_QUIET`] (a burst of "mine!" is asked once).
    pub fn ask_which(&mut self, user_id: &str, sku: &str, now: DateTime<Utc>) -> bool {
        let key = (user_id.to_owned(), sku.to_owned());
        if self.asked.get(&key).is_some_and(|&at| now - at < BUYER_NEWS_QUIET) {
            return false;
        }
        self.asked.insert(key, now);
        true
    }

    /// Whether to tell a viewer turned away that `sku`'s waitlist is closed: once per viewer
    /// and product, however often they comment again; a telling is recorded.
    pub fn tell_closed(&mut self, user_id: &str, sku: &str) -> bool {
        self.told_closed.insert((user_id.to_owned(), sku.to_owned()))
    }

    /// A comment counted as worded like a claim but naming nothing we sell.
    pub fn count_unmatched(&mut self) {
        self.counts.unmatched += 1;
    }

    /// Whether a hold has run out, or a reminder is due, by `now`.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.next_expiry.is_some_and(|t| now >= t) || self.next_reminder.is_some_and(|t| now >= t)
    }

    /// The id a new open claim made from `base` gets: `base`'s own when it is new or was just
    /// taken out of the open set (a claim moving between held and waiting keeps its id).
    pub(super) fn id_for(&mut self, base: u64) -> u64 {
        if base >= self.next_id {
            self.next_id = base + 1;
            base
        } else if !self.open.contains_key(&base) {
            base
        } else {
            let id = self.next_id;
            self.next_id += 1;
            id
        }
    }

    pub(super) fn holder(&mut self, user_id: &str, sku: &str) -> &mut Holder {
        if !self.holders.contains_key(sku) {
            self.holders.insert(sku.to_owned(), HashMap::new());
        }
        let users = self.holders.get_mut(sku).expect("just inserted");
        if !users.contains_key(user_id) {
            users.insert(user_id.to_owned(), Holder::default());
        }
        users.get_mut(user_id).expect("just inserted")
    }

    pub(super) fn find_holder(&self, user_id: &str, sku: &str) -> Option<&Holder> {
        self.holders.get(sku)?.get(user_id)
    }

    pub(super) fn tidy_holder(&mut self, user_id: &str, sku: &str) {
        let Some(users) = self.holders.get_mut(sku) else { return };
        if users.get(user_id).is_some_and(Holder::is_empty) {
            users.remove(user_id);
            if users.is_empty() {
                self.holders.remove(sku);
            }
        }
    }

    pub(super) fn refresh_expiry(&mut self) {
        self.next_expiry = self.open.values().filter_map(|c| c.state.expires_at()).min();
        self.refresh_reminder();
    }

    pub(super) fn finish(&mut self, mut claim: Claim, state: ClaimState) -> Claim {
        match state {
            ClaimState::Confirmed { .. } => self.counts.confirmed += 1,
            ClaimState::Rejected { .. } => self.counts.rejected += 1,
            ClaimState::Expired { .. } => self.counts.expired += 1,
            _ => {}
        }
        claim.state = state;
        if self.done.len() == DONE_KEPT {
            self.done.pop_front();
        }
        self.done.push_back(claim.clone());
        claim
    }

    /// Holds up to `want` available units on the viewer's held claim (a new one if none), with
    /// a fresh hold; returns the claim and how many units were added, if any.
    fn hold_units(
        &mut self,
        catalog: &mut Catalog,
        base: &Claim,
        want: u32,
        now: DateTime<Utc>,
    ) -> Option<(Claim, u32)> {
        let existing = self.find_holder(&base.user_id, &base.sku).and_then(|h| h.active);
        let id = existing.unwrap_or_else(|| {
            if base.id >= self.next_id || !self.open.contains_key(&base.id) { base.id } else { self.next_id }
        });
        let held = catalog.reserve(&base.sku, want, id, now);
        if held == 0 {
            return None;
        }
        let expires_at = now + self.hold;
        match existing.and_then(|id| self.open.get_mut(&id)) {
            Some(c) => {
                c.qty += held;
                c.state = ClaimState::Active { expires_at };
                c.seq = c.seq.min(base.seq);
            }
            None => {
                let id = self.id_for(id);
                let claim = Claim { id, qty: held, state: ClaimState::Active { expires_at }, ..base.clone() };
                self.open.insert(id, claim);
                self.holder(&base.user_id, &base.sku).active = Some(id);
            }
        }
        self.refresh_expiry();
        Some((self.open[&id].clone(), held))
    }

    /// Adds `qty` waiting units to the viewer's waiting claim (a new one at its place in the
    /// queue if none); returns the claim if it is new.
    pub(super) fn wait_units(&mut self, base: &Claim, qty: u32) -> Option<Claim> {
        let existing = self.find_holder(&base.user_id, &base.sku).and_then(|h| h.waiting);
        let (id, new) = match existing.and_then(|id| self.open.get_mut(&id)) {
            Some(c) => {
                // Units bumped from an earlier hold keep their earlier place in line.
                let queue = self.waitlists.entry(base.sku.clone()).or_default();
                queue.remove(&(c.seq, c.id));
                c.qty += qty;
                c.seq = c.seq.min(base.seq);
                queue.insert((c.seq, c.id));
                (c.id, false)
            }
            None => {
                let id = self.id_for(base.id);
                let claim = Claim { id, qty, state: ClaimState::Waiting, ..base.clone() };
                match self.waitlists.get_mut(&base.sku) {
                    Some(queue) => queue.insert((claim.seq, id)),
                    None => self.waitlists.entry(base.sku.clone()).or_default().insert((claim.seq, id)),
                };
                self.open.insert(id, claim);
                self.holder(&base.user_id, &base.sku).waiting = Some(id);
                (id, true)
            }
        };
        new.then(|| self.open[&id].clone())
    }

    /// The first in line for `sku` and up to `most` of their waiting units: taken out of the
    /// line when all are, else left waiting for the rest. The claim as it waited, and how
    /// many units were taken.
    pub(super) fn take_from_line(&mut self, sku: &str, most: u32) -> Option<(Claim, u32)> {
        let &(_, id) = self.waitlists.get(sku)?.first()?;
        let waiting = self.open[&id].clone();
        let taken = waiting.qty.min(most);
        if taken == waiting.qty {
            self.take_open(id);
        } else if let Some(c) = self.open.get_mut(&id) {
            c.qty -= taken;
        }
        Some((waiting, taken))
    }

    /// Takes a claim out of the open set and its queue.
    pub(super) fn take_open(&mut self, id: u64) -> Option<Claim> {
        let claim = self.open.remove(&id)?;
        let holder = self.holder(&claim.user_id, &claim.sku);
        if holder.active == Some(id) {
            holder.active = None;
        }
        if holder.waiting == Some(id) {
            holder.waiting = None;
        }
        if let Some(q) = self.waitlists.get_mut(&claim.sku) {
            q.remove(&(claim.seq, claim.id));
            if q.is_empty() {
                self.waitlists.remove(&claim.sku);
            }
        }
        self.reminded.remove(&id);
        if claim.state.expires_at().is_some() {
            self.refresh_expiry();
        }
        Some(claim)
    }

    /// A viewer's claim from a comment.
    pub fn claim(
        &mut self,
        catalog: &mut Catalog,
        req: ClaimRequest,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) {
        let holder = self.find_holder(&req.user_id, &req.sku).cloned().unwrap_or_default();
        let open: Vec<u64> = [holder.active, holder.waiting]
            .into_iter()
            .flatten()
            .filter(|id| self.open.contains_key(id))
            .collect();
        let said_before = open.iter().any(|id| self.open[id].text == req.text);
        let just_confirmed = holder.confirmed_at.is_some_and(|at| now < at + self.hold);
        if (!open.is_empty() || just_confirmed) && (!req.explicit || said_before) {
            self.counts.repeats += 1;
            return;
        }
        let mut qty = req.qty;
        let limit = match (self.max_per_customer, req.sale_limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(limit) = limit {
            let room = limit.saturating_sub(holder.units);
            if room < qty {
                news.push(News::Limited {
                    user_name: req.user_name.clone(),
                    sku: req.sku.clone(),
                    limit,
                    kept: room,
                });
                qty = room;
            }
        }
        if qty == 0 {
            return;
        }
        // The viewer's open claims now answer to this comment.
        for id in &open {
            if let Some(c) = self.open.get_mut(id) {
                c.text.clone_from(&req.text);
                c.msg_id.clone_from(&req.msg_id);
            }
        }
        self.holder(&req.user_id, &req.sku).units += qty;
        let first_paid = self.policy == ClaimPolicy::FirstPaid;
        let base = Claim {
            id: self.next_id,
            seq: self.next_id,
            sku: req.sku,
            user_id: req.user_id,
            user_name: req.user_name,
            msg_id: req.msg_id,
            text: req.text,
            qty,
            state: ClaimState::Waiting,
            at: now,
        };
        if first_paid {
            return self.note_intent(catalog, &base, now, news);
        }
        let nobody_waits = self.waitlists.get(&base.sku).is_none_or(BTreeSet::is_empty);
        let mut held = 0;
        if nobody_waits
            && holder.waiting.is_none()
            && let Some((claim, added)) = self.hold_units(catalog, &base, qty, now)
        {
            held = added;
            news.push(News::Held { claim, added });
        }
        if held < qty && !self.waitlist_open(&base.sku, catalog.product_of(&base.sku)) {
            let turned = qty - held;
            let h = self.holder(&base.user_id, &base.sku);
            h.units = h.units.saturating_sub(turned);
            self.tidy_holder(&base.user_id, &base.sku);
            news.push(News::TurnedAway { claim: Claim { qty: turned, ..base }, qty: turned, held });
        } else if held < qty
            && let Some(claim) = self.wait_units(&base, qty - held)
        {
            let position = self.position(claim.id).unwrap_or(1);
            news.push(News::Waitlisted { claim, position, held });
        }
    }

    /// Releases every hold that has run out by `now`, then serves the waitlists.
    /// Reminds the buyers of claims running out soon, then releases every hold (or unpaid
    /// claim) that has run out by `now`, then serves the waitlists.
    pub fn expire(&mut self, catalog: &mut Catalog, now: DateTime<Utc>, news: &mut Vec<News>) {
        self.remind(now, news);
        let due: Vec<u64> = self
            .open
            .values()
            .filter(|c| c.state.expires_at().is_some_and(|at| at <= now))
            .map(|c| c.id)
            .collect();
        let mut skus = Vec::new();
        for id in due {
            let Some(claim) = self.take_open(id) else { continue };
            if matches!(claim.state, ClaimState::Active { .. }) {
                catalog.release(&claim.sku, claim.qty, claim.id, now);
            }
            let holder = self.holder(&claim.user_id, &claim.sku);
            holder.units = holder.units.saturating_sub(claim.qty);
            self.tidy_holder(&claim.user_id, &claim.sku);
            if !skus.contains(&claim.sku) {
                skus.push(claim.sku.clone());
            }
            let claim = self.finish(claim, ClaimState::Expired { at: now });
            news.push(News::Expired { claim });
        }
        for sku in skus {
            self.settle(catalog, &sku, now, news);
        }
        self.refresh_expiry();
    }

    /// The operator confirms a held claim: its units are sold.
    pub fn confirm(
        &mut self,
        catalog: &mut Catalog,
        id: u64,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) -> Result<(), ClaimError> {
        match self.open.get(&id).map(|c| (&c.state, c.qty, c.sku.clone())) {
            Some((ClaimState::Active { .. }, ..)) => {}
            // First-paid: the operator saw the payment; the units come off what is left.
            Some((ClaimState::Unpaid { .. }, qty, sku)) => {
                let got = catalog.reserve(&sku, qty, id, now);
                if got < qty {
                    catalog.release(&sku, got, id, now);
                    return Err(ClaimError::NoStock(id));
                }
            }
            Some(_) => return Err(ClaimError::Waiting(id)),
            None => return Err(self.not_open(id)),
        }
        let claim = self.take_open(id).expect("an open claim");
        catalog.sell_reserved(&claim.sku, claim.qty, claim.id, now);
        let holder = self.holder(&claim.user_id, &claim.sku);
        holder.unbilled.push((claim.id, claim.qty));
        holder.confirmed_at = Some(now);
        self.count_against(&claim_order_id(claim.id), &claim.user_id, &claim.sku, claim.qty);
        let sku = claim.sku.clone();
        let claim = self.finish(claim, ClaimState::Confirmed { at: now, by: ConfirmedBy::Operator });
        news.push(News::Confirmed { claim });
        // First-paid: the last unit may be gone (the unpaid wait in line), or what the claim
        // wanted beyond it is free for the line.
        self.settle(catalog, &sku, now, news);
        Ok(())
    }

    /// The operator rejects a held or waiting claim: its units go to the next in line.
    pub fn reject(
        &mut self,
        catalog: &mut Catalog,
        id: u64,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) -> Result<(), ClaimError> {
        let claim = self.release(catalog, id, ClaimState::Rejected { at: now }, now)?;
        let sku = claim.sku.clone();
        news.push(News::Rejected { claim });
        self.settle(catalog, &sku, now, news);
        Ok(())
    }

    /// A viewer's "pass" on `sku` (a product takes its variants with it): their open claims
    /// on it are released, and the units go to the next in line. How many were released.
    ///
    /// Peers read the same word: a "pass" comment cancels the pending sale and hands the
    /// item to the next in the "sold next" queue (My Fashion Emporium's claim rules,
    /// https://www.myfashionemporium.com/faq/index.php?action=artikel&cat=8&id=4&artlang=en).
    pub fn pass(
        &mut self,
        catalog: &mut Catalog,
        user_id: &str,
        sku: &str,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) -> usize {
        let ids: Vec<u64> = self
            .open
            .values()
            .filter(|c| c.user_id == user_id && (c.sku == sku || catalog.product_of(&c.sku) == sku))
            .map(|c| c.id)
            .collect();
        let mut skus = Vec::new();
        for id in &ids {
            if let Ok(claim) = self.release(catalog, *id, ClaimState::Passed { at: now }, now) {
                if !skus.contains(&claim.sku) {
                    skus.push(claim.sku.clone());
                }
                news.push(News::Passed { claim });
            }
        }
        for sku in skus {
            self.settle(catalog, &sku, now, news);
        }
        ids.len()
    }

    /// Takes an open claim out of the ledger, giving back what it held, as finished `state`.
    fn release(
        &mut self,
        catalog: &mut Catalog,
        id: u64,
        state: ClaimState,
        now: DateTime<Utc>,
    ) -> Result<Claim, ClaimError> {
        let claim = self.take_open(id).ok_or_else(|| self.not_open(id))?;
        if matches!(claim.state, ClaimState::Active { .. }) {
            catalog.release(&claim.sku, claim.qty, claim.id, now);
        }
        let holder = self.holder(&claim.user_id, &claim.sku);
        holder.units = holder.units.saturating_sub(claim.qty);
        self.tidy_holder(&claim.user_id, &claim.sku);
        Ok(self.finish(claim, state))
    }

    fn not_open(&self, id: u64) -> ClaimError {
        match self.get(id) {
            Some(c) => ClaimError::Finished(id, c.state.label()),
            None => ClaimError::Unknown(id),
        }
    }

    /// A new live order from `user_id` for `qty` of `sku` confirms their claims on it; returns
    /// what the claims already cover, for the catalog to take the rest. Units of claims the
    /// operator confirmed that this order pays for go to `billed` as (claim id, units): the
    /// platform's order replaces the desk's `claim-ID` order for them.
    pub fn cover_order(
        &mut self,
        catalog: &mut Catalog,
        user_id: &str,
        order: &Order,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
        billed: &mut Vec<(u64, u32)>,
    ) -> Cover {
        let (sku, qty, order_id) = (order.sku.as_str(), order.qty, order.order_id.as_str());
        let Some(holder) = self.holders.get_mut(sku).and_then(|users| users.get_mut(user_id)) else {
            return Cover::default();
        };
        let mut confirmed = 0;
        let billed_from = billed.len();
        while confirmed < qty
            && let Some((claim, units)) = holder.unbilled.first_mut()
        {
            let used = (*units).min(qty - confirmed);
            billed.push((*claim, used));
            confirmed += used;
            *units -= used;
            if *units == 0 {
                holder.unbilled.remove(0);
            }
        }
        // The platform's order now carries the limit's units the desk's order had.
        for &(claim, used) in &billed[billed_from..] {
            let id = claim_order_id(claim);
            if let Some(a) = self.allowances.get_mut(&id) {
                a.units = a.units.saturating_sub(used);
                if a.units == 0 {
                    self.allowances.remove(&id);
                }
            }
        }
        let paid = order.status == crate::protocol::OrderStatus::Paid;
        let (held, counted) =
            self.confirm_from_order(catalog, user_id, order, qty - confirmed, paid, now, news);
        self.count_against(order_id, user_id, sku, confirmed + counted);
        self.tidy_holder(user_id, sku);
        Cover { reserved: held, confirmed }
    }

    /// First-paid: order `order`, placed before, is paid now: it wins its buyer's unpaid claim
    /// on its product, for the units no claim took when it was placed (those it took from
    /// stock then, so nothing moves now).
    pub fn cover_payment(
        &mut self,
        catalog: &mut Catalog,
        user_id: &str,
        order: &Order,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) {
        if self.paying.remove(&order.order_id).is_none() {
            return;
        }
        let counted_before = self.allowances.get(&order.order_id).map_or(0, |a| a.units);
        let rest = order.qty.saturating_sub(counted_before);
        let (_, counted) = self.confirm_from_order(catalog, user_id, order, rest, true, now, news);
        self.count_against(&order.order_id, user_id, &order.sku, counted);
        self.tidy_holder(user_id, &order.sku);
        // What the won claim wanted beyond its order is free for the line now.
        self.settle(catalog, &order.sku, now, news);
    }

    /// Confirms the buyer's open claims on the order's product from it, oldest first, up to
    /// `rest` units; an unpaid claim only by a `paid` order (a placed one is noted, so the
    /// claim waits for its payment). Returns the units that were held for them and the units
    /// counted.
    #[allow(clippy::too_many_arguments)]
    fn confirm_from_order(
        &mut self,
        catalog: &mut Catalog,
        user_id: &str,
        order: &Order,
        mut rest: u32,
        paid: bool,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) -> (u32, u32) {
        let (sku, order_id) = (order.sku.as_str(), order.order_id.as_str());
        let Some(holder) = self.holders.get(sku).and_then(|users| users.get(user_id)) else {
            return (0, 0);
        };
        let (active, waiting) = (holder.active, holder.waiting);
        let (mut held, mut counted) = (0, 0);
        for id in [active, waiting].into_iter().flatten() {
            if rest == 0 {
                break;
            }
            // First-paid: only a payment wins the unit; a placed order waits to be paid.
            let unpaid = self.open.get(&id).is_some_and(|c| matches!(c.state, ClaimState::Unpaid { .. }));
            if unpaid && !paid {
                if order.status.is_live() {
                    self.paying.insert(order_id.to_owned(), (user_id.to_owned(), sku.to_owned()));
                }
                continue;
            }
            let Some(mut claim) = self.take_open(id) else { continue };
            let used = rest.min(claim.qty);
            rest -= used;
            if matches!(claim.state, ClaimState::Active { .. }) {
                held = used;
                // The buyer ordered fewer than they held: the rest goes to the next in line.
                catalog.release(sku, claim.qty - used, claim.id, now);
            }
            let holder = self.holder(user_id, sku);
            holder.units = holder.units.saturating_sub(claim.qty - used);
            holder.confirmed_at = Some(now);
            counted += used;
            claim.qty = used;
            let claim = self
                .finish(claim, ClaimState::Confirmed { at: now, by: ConfirmedBy::Order(order_id.into()) });
            news.push(News::Confirmed { claim });
        }
        (held, counted)
    }

    /// Records that `units` of an order count against its buyer's limit on a product.
    fn count_against(&mut self, order_id: &str, user_id: &str, sku: &str, units: u32) {
        if units == 0 {
            return;
        }
        let a = self.allowances.entry(order_id.to_owned()).or_insert_with(|| Allowance {
            user_id: user_id.to_owned(),
            sku: sku.to_owned(),
            units: 0,
        });
        a.units += units;
    }

    /// A cancelled or refunded order gives its buyer back the part of their per-customer
    /// limit it used (the catalog gives back the units).
    pub fn order_returned(&mut self, order_id: &str) {
        self.paying.remove(order_id);
        let Some(a) = self.allowances.remove(order_id) else { return };
        let holder = self.holder(&a.user_id, &a.sku);
        holder.units = holder.units.saturating_sub(a.units);
        self.tidy_holder(&a.user_id, &a.sku);
    }

    /// Whether to tell the buyer their claim moved `way` now: each way at most once per
    /// [`BUYER_NEWS_QUIET`], however often the stock swings it; a telling is recorded.
    pub fn tell_buyer(&mut self, claim: &Claim, way: Way, now: DateTime<Utc>) -> bool {
        let Some(holder) = self.holders.get_mut(&claim.sku).and_then(|u| u.get_mut(&claim.user_id)) else {
            return true;
        };
        let told = &mut holder.told[way as usize];
        if told.is_some_and(|at| now < at + BUYER_NEWS_QUIET) {
            return false;
        }
        *told = Some(now);
        true
    }

    /// Brings a product's holds in line with its stock: while more is held than on hand, the
    /// newest holds go back to the waitlist; while units are available and claims wait, the
    /// first in line are held.
    pub fn settle(&mut self, catalog: &mut Catalog, sku: &str, now: DateTime<Utc>, news: &mut Vec<News>) {
        loop {
            let Some(p) = catalog.product(sku) else { return };
            if p.reserved <= p.on_hand {
                break;
            }
            let excess = p.reserved - p.on_hand;
            let newest = self
                .open
                .values()
                .filter(|c| c.sku == sku && matches!(c.state, ClaimState::Active { .. }))
                .max_by_key(|c| (c.seq, c.id))
                .map(|c| c.id);
            let Some(id) = newest else {
                // Held units with no claim behind them cannot happen; let them go.
                catalog.release(sku, excess, 0, now);
                break;
            };
            let back = excess.min(self.open[&id].qty);
            catalog.release(sku, back, id, now);
            let claim = self.open.get_mut(&id).expect("an open claim");
            claim.qty -= back;
            let base = claim.clone();
            if base.qty == 0 {
                self.take_open(id);
            }
            self.wait_units(&base, back);
            news.push(News::Bumped { claim: base, qty: back });
        }
        if self.policy == ClaimPolicy::FirstPaid {
            self.call_line(catalog, sku, now, news);
        }
        while self.policy == ClaimPolicy::FirstClaimed {
            let available = catalog.product(sku).map_or(0, |p| p.available);
            if available == 0 {
                break;
            }
            let Some((claim, want)) = self.take_from_line(sku, available) else { break };
            match self.hold_units(catalog, &claim, want, now) {
                Some((claim, added)) => news.push(News::Promoted { claim, added }),
                None => break,
            }
        }
        self.line_up_unpaid(catalog, sku, now, news);
        self.refresh_expiry();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{ClaimPattern, ProductSpec};

    fn catalog_file() -> CatalogFile {
        let product = |sku: &str, name: &str, stock: u32, aliases: &[&str]| ProductSpec {
            sku: sku.into(),
            name: name.into(),
            price: "8.99".parse().unwrap(),
            stock,
            low_stock: 2,
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            code: None,
            variants: vec![],
        };
        CatalogFile {
            currency: "GBP".into(),
            products: vec![
                product(
                    "ALMOND-PINK",
                    "Press-on nails, almond, blush pink",
                    3,
                    &["almond pink", "pink almond"],
                ),
                product(
                    "OVAL-GLITTER",
                    "Press-on nails, oval, champagne glitter",
                    5,
                    &["oval glitter", "glitter"],
                ),
                product("NAIL-GLUE-KIT", "Nail glue kit", 5, &["glue kit"]),
                product("MUG-2", "Mug 2", 5, &[]),
            ],
        }
    }

    fn matcher() -> Matcher {
        Matcher::new(&ClaimsConfig::default(), &catalog_file())
    }

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_763_000_000 + s, 0).unwrap()
    }

    #[test]
    fn sold_out_already_and_sold_out_and_mine_came_in_2_days_are_not_claims() {
        let m = matcher();
        for text in [
            "SOLD OUT ALREADY 😭",
            "sold out?!",
            "mine came in 2 days",
            "sold out already, you lot are savage",
        ] {
            assert_eq!(m.parse(text).0, Parsed::NotAClaim, "{text:?}");
        }
        // The claim words still claim.
        assert_eq!(m.parse("sold").0, Parsed::Claim { sku: None, qty: 1, explicit: false });
        assert_eq!(
            m.parse("mine almond pink").0,
            Parsed::Claim { sku: Some("ALMOND-PINK".into()), qty: 1, explicit: true }
        );
    }

    #[test]
    fn claims_are_read_from_tricky_comments() {
        let m = matcher();
        let claim = |sku: Option<&str>, qty: u32, explicit: bool| Parsed::Claim {
            sku: sku.map(String::from),
            qty,
            explicit,
        };
        let table = [
            ("sold ALMOND-PINK", claim(Some("ALMOND-PINK"), 1, true)),
            ("sold 2 almond-pink", claim(Some("ALMOND-PINK"), 2, true)),
            ("buy almond pink x2", claim(Some("ALMOND-PINK"), 2, true)),
            ("buy almond pink x 3 pls", claim(Some("ALMOND-PINK"), 3, true)),
            ("SOLD 2x Pink Almond 💅", claim(Some("ALMOND-PINK"), 2, true)),
            ("sold press-on nails, almond, blush pink", claim(Some("ALMOND-PINK"), 1, true)),
            ("oval glitter SOLD!!", claim(Some("OVAL-GLITTER"), 1, true)),
            ("2 glue kit mine", claim(Some("NAIL-GLUE-KIT"), 2, true)),
            ("mine mug 2", claim(Some("MUG-2"), 1, true)),
            ("claim glitter x2 po", claim(Some("OVAL-GLITTER"), 2, true)),
            ("sold", claim(None, 1, false)),
            ("MINE!", claim(None, 1, false)),
            ("mine pls", claim(None, 1, false)),
            ("MINE MINE", claim(None, 1, false)),
            ("mineee 🙋‍♀️", claim(None, 1, false)),
            ("SOLD 🙋", claim(None, 1, false)),
            ("me", claim(None, 1, false)),
            ("I'll take it!", claim(None, 1, false)),
            ("sold 2", claim(None, 2, true)),
            ("sold x3", claim(None, 3, true)),
            ("mine 2x", claim(None, 2, true)),
            // Worded like claims, but nothing we sell, or no sane quantity.
            ("buy the red ones", Parsed::Unmatched),
            ("sold 0 almond pink", Parsed::Unmatched),
            ("sold 500 almond pink", Parsed::Unmatched),
            ("sold 1000000000000 almond pink", Parsed::Unmatched),
            // Not claims at all.
            ("mine lasted 2 weeks with glue", Parsed::NotAClaim),
            ("sold out already?? 😭", Parsed::NotAClaim),
            ("do you ship to Manila?", Parsed::NotAClaim),
            ("love the almond pink", Parsed::NotAClaim),
            ("me too", Parsed::NotAClaim),
            ("💅💅💅", Parsed::NotAClaim),
            ("", Parsed::NotAClaim),
            ("someone sold me on these", Parsed::NotAClaim),
        ];
        for (text, want) in table {
            assert_eq!(m.parse(text).0, want, "{text:?}");
        }
    }

    #[test]
    fn a_name_shared_by_two_products_claims_neither() {
        let mut file = catalog_file();
        file.products[1].aliases.push("pink almond".into());
        let m = Matcher::new(&ClaimsConfig::default(), &file);
        assert_eq!(m.parse("sold pink almond").0, Parsed::Unmatched);
        assert_eq!(m.resolve("almond pink"), Some("ALMOND-PINK"));
    }

    #[test]
    fn claims_can_be_switched_off_and_patterns_replaced() {
        let off = ClaimsConfig { enabled: false, ..ClaimsConfig::default() };
        assert_eq!(Matcher::new(&off, &catalog_file()).parse("sold almond pink").0, Parsed::NotAClaim);
        let own = ClaimsConfig {
            bare: vec!["akin".into()],
            patterns: vec![ClaimPattern { regex: r"^kuha\s+(?P<item>.+)$".into() }],
            ..ClaimsConfig::default()
        };
        let m = Matcher::new(&own, &catalog_file());
        assert_eq!(m.parse("Akin!").0, Parsed::Claim { sku: None, qty: 1, explicit: false });
        assert_eq!(
            m.parse("KUHA oval glitter po").0,
            Parsed::Claim { sku: Some("OVAL-GLITTER".into()), qty: 1, explicit: true }
        );
        assert_eq!(m.parse("sold almond pink").0, Parsed::NotAClaim);
    }

    // ------------------------------------------------------------ the claims book

    struct Book {
        claims: Claims,
        catalog: Catalog,
        news: Vec<News>,
        msg: u64,
    }

    impl Book {
        fn new(config: ClaimsConfig) -> Book {
            let file = catalog_file();
            Book { claims: Claims::new(&config, &file), catalog: Catalog::new(&file), news: vec![], msg: 0 }
        }

        fn say(&mut self, user: &str, text: &str, now: DateTime<Utc>) {
            self.msg += 1;
            let (parsed, norm) = self.claims.matcher.parse(text);
            let Parsed::Claim { sku, qty, explicit } = parsed else { panic!("{text:?} is not a claim") };
            let req = ClaimRequest {
                sale_limit: None,
                sku: sku.unwrap_or_else(|| "ALMOND-PINK".into()),
                qty,
                explicit,
                user_id: format!("id-{user}"),
                user_name: user.into(),
                msg_id: format!("m{}", self.msg),
                text: norm,
            };
            self.claims.claim(&mut self.catalog, req, now, &mut self.news);
        }

        /// (user, qty, state) of every open claim, oldest first.
        fn open(&self) -> Vec<(String, u32, &'static str)> {
            self.claims.open().map(|c| (c.user_name.clone(), c.qty, c.state.label())).collect()
        }

        fn pink(&self) -> (u32, u32, u32) {
            let p = self.catalog.product("ALMOND-PINK").unwrap();
            (p.on_hand, p.reserved, p.available)
        }

        fn id_of(&self, user: &str, state: &str) -> u64 {
            self.claims.open().find(|c| c.user_name == user && c.state.label() == state).unwrap().id
        }
    }

    fn order(id: &str, qty: u32) -> Order {
        Order {
            order_id: id.into(),
            user_name: "x".into(),
            sku: "ALMOND-PINK".into(),
            qty,
            unit_price: "8.99".parse().unwrap(),
            currency: "GBP".into(),
            status: crate::protocol::OrderStatus::Paid,
            taken: 0,
            sale: None,
        }
    }

    fn open(list: &[(&str, u32, &'static str)]) -> Vec<(String, u32, &'static str)> {
        list.iter().map(|(u, q, s)| ((*u).to_owned(), *q, *s)).collect()
    }

    #[test]
    fn repeats_coalesce_and_explicit_claims_add_units() {
        let mut b = Book::new(ClaimsConfig::default());
        b.say("maria", "SOLD!!", t(0));
        b.say("maria", "mine!", t(1)); // a bare repeat
        b.say("maria", "sold", t(2)); // the same words again
        assert_eq!(b.open(), open(&[("maria", 1, "held")]));
        b.say("maria", "sold 1 almond pink", t(3)); // asks for one more
        b.say("maria", "SOLD 1 almond-pink!", t(4)); // the same comment again
        assert_eq!(b.open(), open(&[("maria", 2, "held")]));
        assert_eq!(b.claims.counts().repeats, 3);
        assert_eq!(b.pink(), (3, 2, 1));
        // The hold was refreshed by the addition.
        let c = b.claims.open().next().unwrap();
        assert_eq!(c.state, ClaimState::Active { expires_at: t(3) + Duration::minutes(10) });
        assert_eq!(c.msg_id, "m4");
    }

    #[test]
    fn the_per_customer_limit_caps_what_one_viewer_claims() {
        let mut b = Book::new(ClaimsConfig { max_per_customer: Some(2), ..ClaimsConfig::default() });
        b.say("jo", "sold 3 glitter", t(0));
        assert_eq!(b.claims.open().next().unwrap().qty, 2);
        assert!(matches!(&b.news[0], News::Limited { limit: 2, kept: 2, .. }));
        b.say("jo", "sold 1 oval glitter", t(1));
        assert_eq!(b.claims.open().next().unwrap().qty, 2);
        assert!(matches!(b.news.last().unwrap(), News::Limited { kept: 0, .. }));
        // Confirmed units still count; expired ones do not.
        let id = b.claims.open().next().unwrap().id;
        b.claims.confirm(&mut b.catalog, id, t(2), &mut b.news).unwrap();
        b.say("jo", "sold 1 oval glitter", t(3));
        assert_eq!(b.claims.open().count(), 0);
    }

    #[test]
    fn a_bare_claim_soon_after_a_confirmation_is_a_repeat() {
        let mut b = Book::new(ClaimsConfig::default());
        b.say("ann", "mine", t(0));
        let cover = b.claims.cover_order(
            &mut b.catalog,
            "id-ann",
            &order("o1", 1),
            t(5),
            &mut b.news,
            &mut Vec::new(),
        );
        assert_eq!(cover.reserved, 1);
        b.say("ann", "SOLD 🙋", t(6));
        assert_eq!(b.claims.open().count(), 0, "still the same excitement");
        b.say("ann", "sold 1 almond pink", t(7));
        assert_eq!(b.open(), open(&[("ann", 1, "held")]), "a claim that says what it wants counts");
        let id = b.id_of("ann", "held");
        b.claims.confirm(&mut b.catalog, id, t(8), &mut b.news).unwrap();
        b.say("ann", "mine", t(8 + 600));
        assert_eq!(b.open(), open(&[("ann", 1, "held")]), "a hold's time later, it is a new claim");
    }

    #[test]
    fn a_hold_expires_and_frees_its_units_for_the_waitlist() {
        let mut b = Book::new(ClaimsConfig { hold_minutes: 5, ..ClaimsConfig::default() });
        b.say("ann", "sold 3 almond pink", t(0));
        b.say("bea", "mine", t(60));
        assert_eq!(b.open(), open(&[("ann", 3, "held"), ("bea", 1, "waiting")]));
        assert!(!b.claims.due(t(299)));
        b.claims.expire(&mut b.catalog, t(299), &mut b.news);
        assert_eq!(b.pink(), (3, 3, 0));
        assert!(b.claims.due(t(300)));
        b.claims.expire(&mut b.catalog, t(300), &mut b.news);
        assert_eq!(b.open(), open(&[("bea", 1, "held")]));
        assert_eq!(b.pink(), (3, 1, 2));
        assert_eq!(b.claims.counts().expired, 1);
        // Bea's hold is fresh from the promotion.
        assert_eq!(b.claims.open().next().unwrap().state, ClaimState::Active { expires_at: t(600) });
        let kinds: Vec<&str> = b
            .news
            .iter()
            .map(|n| match n {
                News::Held { .. } => "held",
                News::Waitlisted { .. } => "waitlisted",
                News::Expired { .. } => "expired",
                News::Promoted { .. } => "promoted",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["held", "waitlisted", "expired", "promoted"]);
    }

    #[test]
    fn the_waitlist_is_served_in_arrival_order_and_nobody_jumps_it() {
        let mut b = Book::new(ClaimsConfig::default());
        b.say("ann", "sold 2 almond pink", t(0));
        b.say("bea", "sold 2 almond pink", t(1)); // 1 held, 1 waits
        b.say("cat", "mine", t(2));
        b.say("dee", "mine", t(3));
        assert_eq!(
            b.open(),
            open(&[
                ("ann", 2, "held"),
                ("bea", 1, "held"),
                ("bea", 1, "waiting"),
                ("cat", 1, "waiting"),
                ("dee", 1, "waiting")
            ])
        );
        assert_eq!(b.claims.position(b.id_of("cat", "waiting")), Some(2));
        // A restock of 2: bea's missing unit first, then cat.
        b.catalog.adjust("ALMOND-PINK", crate::desk::catalog::Adjust::Add(2), "restock", t(4));
        b.claims.settle(&mut b.catalog, "ALMOND-PINK", t(4), &mut b.news);
        assert_eq!(
            b.open(),
            open(&[("ann", 2, "held"), ("bea", 2, "held"), ("cat", 1, "held"), ("dee", 1, "waiting")])
        );
        // Stock freed while dee waits: a newcomer does not get it first.
        let ann = b.id_of("ann", "held");
        b.claims.reject(&mut b.catalog, ann, t(5), &mut b.news).unwrap();
        assert_eq!(b.open(), open(&[("bea", 2, "held"), ("cat", 1, "held"), ("dee", 1, "held")]));
        assert_eq!(b.pink(), (5, 4, 1));
        b.say("eve", "mine", t(6));
        assert_eq!(b.pink(), (5, 5, 0));
        assert_eq!(b.claims.counts().rejected, 1);
    }

    #[test]
    fn when_stock_falls_below_the_holds_the_newest_go_back_to_the_waitlist_first_in_line() {
        let mut b = Book::new(ClaimsConfig::default());
        b.say("ann", "mine", t(0));
        b.say("bea", "sold 2 almond pink", t(1));
        b.say("cat", "mine", t(2)); // waits
        b.catalog.set_available("ALMOND-PINK", 1, t(3));
        b.claims.settle(&mut b.catalog, "ALMOND-PINK", t(3), &mut b.news);
        assert_eq!(b.open(), open(&[("ann", 1, "held"), ("bea", 2, "waiting"), ("cat", 1, "waiting")]));
        // Bea came before cat: she is first in line.
        assert_eq!(b.claims.position(b.id_of("bea", "waiting")), Some(1));
        assert!(matches!(&b.news[b.news.len() - 1], News::Bumped { qty: 2, .. }));
        assert_eq!(b.pink(), (1, 1, 0));
        b.catalog.set_available("ALMOND-PINK", 2, t(4));
        b.claims.settle(&mut b.catalog, "ALMOND-PINK", t(4), &mut b.news);
        assert_eq!(
            b.open(),
            open(&[("ann", 1, "held"), ("bea", 1, "waiting"), ("cat", 1, "waiting"), ("bea", 1, "held")])
        );
        assert_eq!(b.claims.position(b.id_of("bea", "waiting")), Some(1));
    }

    #[test]
    fn an_order_from_the_claimer_converts_the_hold_without_a_second_take() {
        let mut b = Book::new(ClaimsConfig::default());
        b.say("ann", "sold 2 almond pink", t(0));
        let cover = b.claims.cover_order(
            &mut b.catalog,
            "id-ann",
            &order("o1", 1),
            t(1),
            &mut b.news,
            &mut Vec::new(),
        );
        assert_eq!(cover, Cover { reserved: 1, confirmed: 0 });
        // Ann ordered one of the two she held: the other is released.
        assert_eq!(b.pink(), (3, 1, 2));
        assert!(matches!(
            b.news.last().unwrap(),
            News::Confirmed {
                claim: Claim { qty: 1, state: ClaimState::Confirmed { by: ConfirmedBy::Order(_), .. }, .. }
            }
        ));
        assert_eq!(b.claims.open().count(), 0);
        // Someone with no claim: nothing is covered.
        let none = b.claims.cover_order(
            &mut b.catalog,
            "id-zed",
            &order("o2", 1),
            t(2),
            &mut b.news,
            &mut Vec::new(),
        );
        assert_eq!(none, Cover::default());
    }

    #[test]
    fn an_order_after_the_operator_confirmed_takes_nothing_more() {
        let mut b = Book::new(ClaimsConfig::default());
        b.say("ann", "sold 2 almond pink", t(0));
        let id = b.id_of("ann", "held");
        assert_eq!(b.claims.confirm(&mut b.catalog, id, t(1), &mut b.news), Ok(()));
        assert_eq!(b.pink(), (1, 0, 1));
        assert_eq!(b.claims.unbilled().collect::<Vec<_>>(), [("id-ann", "ALMOND-PINK", 2)]);
        let mut billed = Vec::new();
        let cover =
            b.claims.cover_order(&mut b.catalog, "id-ann", &order("o1", 3), t(2), &mut b.news, &mut billed);
        assert_eq!(cover, Cover { reserved: 0, confirmed: 2 });
        assert_eq!(billed, [(id, 2)], "the order pays for the confirmed claim");
        assert_eq!(b.claims.unbilled().count(), 0);
        assert_eq!(
            b.claims.confirm(&mut b.catalog, id, t(3), &mut b.news),
            Err(ClaimError::Finished(id, "confirmed"))
        );
        assert_eq!(b.claims.reject(&mut b.catalog, 99, t(3), &mut b.news), Err(ClaimError::Unknown(99)));
    }

    #[test]
    fn only_a_held_claim_can_be_confirmed_but_a_waiting_one_can_be_rejected() {
        let mut b = Book::new(ClaimsConfig::default());
        b.say("ann", "sold 3 almond pink", t(0));
        b.say("bea", "mine", t(1));
        let bea = b.id_of("bea", "waiting");
        assert_eq!(b.claims.confirm(&mut b.catalog, bea, t(2), &mut b.news), Err(ClaimError::Waiting(bea)));
        b.claims.reject(&mut b.catalog, bea, t(2), &mut b.news).unwrap();
        assert_eq!(b.open(), open(&[("ann", 3, "held")]));
        assert_eq!(b.pink(), (3, 3, 0));
        assert_eq!(b.claims.get(bea).unwrap().state, ClaimState::Rejected { at: t(2) });
    }
}
