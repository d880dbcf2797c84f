//! The hold policy's timed and first-paid rules: a reminder before a claim runs out, and,
//! under `policy = "first-paid"`, claims that hold nothing until paid.
//!
//! Rules:
//! - a reminder is due `reminder_minutes` before a held or unpaid claim runs out, once per
//!   hold (a hold renewed by more units is reminded again);
//! - first-paid: a claim records the buyer's intent for `hold_minutes` and reserves no stock;
//!   the first paid order from a claimer confirms their claim (see `cover_order`), and the
//!   units come off what is left like any order's;
//! - first-paid: when nothing is left to sell of a product, every claim on it still unpaid is
//!   released as sold out, once; a claim made while nothing is left is sold out at once.

use chrono::{DateTime, Utc};

use super::{Claim, ClaimState, Claims, News};
use crate::config::model::ClaimPolicy;
use crate::desk::catalog::Catalog;

impl Claims {
    /// First-paid: notes a claim's intent (adding to the buyer's unpaid claim if they have
    /// one, with a fresh timer), or sells it out at once when nothing is left.
    pub(super) fn note_intent(
        &mut self,
        catalog: &Catalog,
        base: &Claim,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) {
        let expires_at = now + self.hold();
        let left = catalog.product(&base.sku).map_or(0, |p| p.available);
        let existing = self.find_holder(&base.user_id, &base.sku).and_then(|h| h.active);
        if left == 0 {
            let id = self.id_for(base.id);
            let holder = self.holder(&base.user_id, &base.sku);
            holder.units = holder.units.saturating_sub(base.qty);
            self.tidy_holder(&base.user_id, &base.sku);
            let claim = Claim { id, ..base.clone() };
            let claim = self.finish(claim, ClaimState::SoldOut { at: now });
            news.push(News::SoldOut { claim });
            return;
        }
        let id = match existing.and_then(|id| self.open.get_mut(&id)) {
            Some(c) => {
                c.qty += base.qty;
                c.state = ClaimState::Unpaid { expires_at };
                c.id
            }
            None => {
                let id = self.id_for(base.id);
                let claim = Claim { id, state: ClaimState::Unpaid { expires_at }, ..base.clone() };
                self.open.insert(id, claim);
                self.holder(&base.user_id, &base.sku).active = Some(id);
                id
            }
        };
        self.refresh_expiry();
        news.push(News::Unpaid { claim: self.open[&id].clone() });
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

    /// First-paid: once nothing is left of `sku`, its unpaid claims are released as sold out
    /// (but those of buyers whose order, placed, waits to be paid).
    pub(super) fn sell_out_unpaid(
        &mut self,
        catalog: &Catalog,
        sku: &str,
        now: DateTime<Utc>,
        news: &mut Vec<News>,
    ) {
        if self.policy != ClaimPolicy::FirstPaid || catalog.product(sku).is_none_or(|p| p.available > 0) {
            return;
        }
        let unpaid: Vec<u64> = self
            .open
            .values()
            .filter(|c| c.sku == sku && matches!(c.state, ClaimState::Unpaid { .. }))
            // A buyer whose placed order took a unit keeps their claim until it is paid.
            .filter(|c| !self.awaits_payment(&c.user_id, sku))
            .map(|c| c.id)
            .collect();
        for id in unpaid {
            let Some(claim) = self.take_open(id) else { continue };
            let holder = self.holder(&claim.user_id, &claim.sku);
            holder.units = holder.units.saturating_sub(claim.qty);
            self.tidy_holder(&claim.user_id, &claim.sku);
            let claim = self.finish(claim, ClaimState::SoldOut { at: now });
            news.push(News::SoldOut { claim });
        }
    }
}
