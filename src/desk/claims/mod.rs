//! Comment-to-order claims: the matcher that reads a comment as a claim, the ledger (holds,
//! the waitlist, confirmations), the hold policy (reminders, first-paid), and the desk's
//! rules that carry its news out.

mod grammar;
mod ledger;
mod matcher;
mod policy;
mod rules;
mod words;

#[cfg(test)]
mod tests;

pub use ledger::*;
pub use words::Pick;
