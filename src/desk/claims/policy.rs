//! The hold policy's timed and first-paid rules: a reminder before a claim runs out, and,
//! under `policy = "first-paid"`, claims that hold nothing until paid.
//!
//! Rules:
//! - a reminder is due `reminder_minutes` before a held or unpaid claim runs out, once per
//!   hold (a hold renewed by more units is reminded again);
//! - first-paid: a claim records the buyer's intent for `hold_minutes` and reserves no stock;
//!   the first paid order from a claimer confirms their claim (see `cover_order`), and the
//!   units come off what is left like any order's;
//! - first-paid: when nothing is left to sell of a product, every claim on it still unpaid
//!   goes to the product's waitlist, at its place by arrival, and a new claim waits behind
//!   them; while anyone waits, a new claim waits too (nobody jumps the line);
//! - first-paid: when units come back (restock, cancel, refund, expiry), the first in line
//!   are called, in arrival order, for as many units as are free and not already wanted by an
//!   unpaid claim: each becomes an unpaid claim again with a fresh timer;
//! - first-paid: with the product's waitlist closed, a claim still unpaid when nothing is
//!   left is released as sold out, and a new claim is turned away.

use chrono::{DateTime, Utc};

use std::collections::BTreeSet;

use super::{Claim, ClaimState, Claims, News};
use crate::config::model::ClaimPolicy;
use crate::desk::catalog::Catalog;

impl Claims {
    /// First-paid: notes a claim's intent (adding to the buyer's unpaid claim if they have
    /// one, with a fresh timer), or puts it in line when nothing is free for it.
    pub(super) fn note_intent(
        &mut self,
        catalog: &Catalog,
        base: &Claim,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) {
        let left = catalog.product(&base.sku).map_or(0, |p| p.available);
        let nobody_waits = self.waitlists.get(&base.sku).is_none_or(BTreeSet::is_empty);
        if left == 0 || !nobody_waits {
            return self.line_up(catalog, base, news);
        }
        self.intend(base, base.qty, now);
        let id = self.find_holder(&base.user_id, &base.sku).and_then(|h| h.active).expect("just noted");
        news.push(News::Unpaid { claim: self.open[&id].clone() });
    }

    /// First-paid: `qty` units of `base` become the buyer's unpaid claim (added to theirs if
    /// they have one), with a fresh timer.
    fn intend(&mut self, base: &Claim, qty: u32, now: DateTime<Utc>) -> Claim {
        let expires_at = now + self.hold();
        let existing = self.find_holder(&base.user_id, &base.sku).and_then(|h| h.active);
        let id = match existing.and_then(|id| self.open.get_mut(&id)) {
            Some(c) => {
                c.qty += qty;
                c.state = ClaimState::Unpaid { expires_at };
                c.seq = c.seq.min(base.seq);
                c.id
            }
            None => {
                let id = self.id_for(base.id);
                let claim = Claim { id, qty, state: ClaimState::Unpaid { expires_at }, ..base.clone() };
                self.open.insert(id, claim);
                self.holder(&base.user_id, &base.sku).active = Some(id);
                id
            }
        };
        self.refresh_expiry();
        self.open[&id].clone()
    }

    /// First-paid: a claim that finds nothing free waits in line, or is turned away while the
    /// product's waitlist is closed.
    fn line_up(&mut self, catalog: &Catalog, base: &Claim, news: &mut Vec<News>) {
        if !self.waitlist_open(&base.sku, catalog.product_of(&base.sku)) {
            let holder = self.holder(&base.user_id, &base.sku);
            holder.units = holder.units.saturating_sub(base.qty);
            self.tidy_holder(&base.user_id, &base.sku);
            news.push(News::TurnedAway { claim: base.clone(), qty: base.qty, held: 0 });
            return;
        }
        self.wait_in_line(base, news);
    }

    /// Puts `claim`'s units in line (joining the buyer's waiting claim if they have one) and
    /// tells of their place.
    fn wait_in_line(&mut self, claim: &Claim, news: &mut Vec<News>) {
        self.wait_units(claim, claim.qty);
        let Some(id) = self.find_holder(&claim.user_id, &claim.sku).and_then(|h| h.waiting) else { return };
        let position = self.position(id).unwrap_or(1);
        news.push(News::Waitlisted { claim: self.open[&id].clone(), position, held: 0 });
    }

    /// Tells of every held or unpaid claim whose reminder is due by `now` and not yet told.
    pub(super) fn remind(&mut self, now: DateTime<Utc>, news: &mut Vec<News>) {
        let Some(ahead) = self.remind else { return };
        let due: Vec<(u64, DateTime<Utc>)> = self
            .open
            .values()
            .filter_map(|c| c.state.expires_at().map(|at| (c.id, at)))
            .filter(|&(id, at)| now >= at - ahead && now < at && self.reminded.get(&id) != Some(&at))
            .collect();
        for (id, at) in due {
            self.reminded.insert(id, at);
            news.push(News::Reminder { claim: self.open[&id].clone() });
        }
        self.refresh_reminder();
    }

    /// When the next reminder not yet told is due.
    pub(super) fn refresh_reminder(&mut self) {
        let Some(ahead) = self.remind else {
            self.next_reminder = None;
            return;
        };
        self.next_reminder = self
            .open
            .values()
            .filter_map(|c| c.state.expires_at().map(|at| (c.id, at)))
            .filter(|(id, at)| self.reminded.get(id) != Some(at))
            .map(|(_, at)| at - ahead)
            .min();
    }

    /// First-paid: whether the buyer's order of `sku`, placed, waits to be paid (their unpaid
    /// claim on it is theirs once it is).
    pub fn awaits_payment(&self, user_id: &str, sku: &str) -> bool {
        self.paying.values().any(|(user, s)| user == user_id && s == sku)
    }

    /// Units of `sku` free for the line: available, less what unpaid claims want (one whose
    /// placed order waits to be paid counts whole too, though its order took units already:
    /// the line is called for too few until it is paid, never for too many).
    fn free_for_line(&self, catalog: &Catalog, sku: &str) -> u32 {
        let wanted: u32 = self
            .open
            .values()
            .filter(|c| c.sku == sku && matches!(c.state, ClaimState::Unpaid { .. }))
            .map(|c| c.qty)
            .sum();
        catalog.product(sku).map_or(0, |p| p.available).saturating_sub(wanted)
    }

    /// First-paid: calls the first in line of `sku`, in arrival order, for the units free for
    /// them: each called claim is unpaid again, with a fresh timer.
    pub(super) fn call_line(
        &mut self,
        catalog: &Catalog,
        sku: &str,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) {
        let mut free = self.free_for_line(catalog, sku);
        while free > 0 {
            let Some((waiting, called)) = self.take_from_line(sku, free) else { break };
            free -= called;
            let claim = self.intend(&waiting, called, now);
            news.push(News::Called { claim, added: called });
        }
    }

    /// First-paid: once nothing is left of `sku`, its unpaid claims go to the waitlist by
    /// arrival (but those of buyers whose order, placed, waits to be paid); with the waitlist
    /// closed they are released as sold out.
    pub(super) fn line_up_unpaid(
        &mut self,
        catalog: &Catalog,
        sku: &str,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) {
        if self.policy != ClaimPolicy::FirstPaid || catalog.product(sku).is_none_or(|p| p.available > 0) {
            return;
        }
        let mut unpaid: Vec<(u64, u64)> = self
            .open
            .values()
            .filter(|c| c.sku == sku && matches!(c.state, ClaimState::Unpaid { .. }))
            // A buyer whose placed order took a unit keeps their claim until it is paid.
            .filter(|c| !self.awaits_payment(&c.user_id, sku))
            .map(|c| (c.seq, c.id))
            .collect();
        unpaid.sort_unstable();
        let open = self.waitlist_open(sku, catalog.product_of(sku));
        for (_, id) in unpaid {
            let Some(claim) = self.take_open(id) else { continue };
            if open {
                self.wait_in_line(&claim, news);
                continue;
            }
            let holder = self.holder(&claim.user_id, &claim.sku);
            holder.units = holder.units.saturating_sub(claim.qty);
            self.tidy_holder(&claim.user_id, &claim.sku);
            let claim = self.finish(claim, ClaimState::SoldOut { at: now });
            news.push(News::SoldOut { claim });
        }
    }
}
