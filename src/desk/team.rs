//! Who did what on a team desk: every named action is credited to its operator, and a claim
//! settled by one operator is answered to the next who tries with the name of the first.
//! Names come in with the actions (the journal keeps them), so every console that applied
//! the same journal credits the same people.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::claims::ClaimState;
use super::outbox::Outbox;
use super::{Action, Level, State};

/// An operator's action with the operator's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hand {
    pub by: String,
    #[serde(flatten)]
    pub action: Action,
    /// The team desk's request it came from (the store's id), journaled with it so that it
    /// is applied once however often the feed changes hands; none for the feed holder's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<i64>,
}

/// What one operator did on this stream (the headless summary's `operators`, the report's
/// credits).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Credit {
    /// Every action applied.
    pub actions: u64,
    /// Replies sent (a key, the picker, a suggestion, a held reply sent anyway).
    pub answers: u64,
    /// Claims confirmed.
    pub confirmations: u64,
    /// Viewer notes written.
    pub notes: u64,
}

/// The operators of this stream, and who settled each claim.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hands {
    credits: BTreeMap<String, Credit>,
    /// Claim id to who settled it and how ("confirmed", "rejected").
    settled: BTreeMap<u64, (String, &'static str)>,
}

impl Hands {
    /// Each operator who acted, by name.
    pub fn credits(&self) -> &BTreeMap<String, Credit> {
        &self.credits
    }
}

impl State {
    /// Applies an operator's action and credits it; a claim another operator settled first
    /// is not touched again, and the one who tried is told who did.
    pub(in crate::desk) fn apply_hand(&mut self, out: &mut Outbox, hand: Hand, now: DateTime<Utc>) {
        let Hand { by, action, .. } = hand;
        let claim = match &action {
            Action::ConfirmClaim { id } | Action::RejectClaim { id } => Some(*id),
            _ => None,
        };
        if let Some(id) = claim
            && let Some((first, how)) = self.hands.settled.get(&id)
        {
            let text = format!("{by}: claim #{id} was {how} by {first} first; nothing changed");
            return out.notice(Level::Warn, text, now);
        }
        let was_open = claim.and_then(|id| self.claims.get(id)).is_some_and(|c| c.state.is_open());
        let credit = self.hands.credits.entry(by.clone()).or_default();
        credit.actions += 1;
        match &action {
            Action::SendReply { .. } | Action::Answer { .. } | Action::SendHeld {} => credit.answers += 1,
            Action::NoteViewer { .. } => credit.notes += 1,
            _ => {}
        }
        self.apply_action(out, action, now);
        let Some(id) = claim.filter(|_| was_open) else { return };
        let how = match self.claims.get(id).map(|c| &c.state) {
            Some(ClaimState::Confirmed { .. }) => "confirmed",
            Some(ClaimState::Rejected { .. }) => "rejected",
            _ => return,
        };
        if how == "confirmed" {
            self.hands.credits.entry(by.clone()).or_default().confirmations += 1;
        }
        self.hands.settled.insert(id, (by, how));
    }
}
