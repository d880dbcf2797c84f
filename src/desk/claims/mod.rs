//! Comment-to-order claims: the matcher that reads a comment as a claim, the ledger (holds,
//! the waitlist, confirmations), and the desk's rules that carry its news out.

mod ledger;
mod matcher;
mod rules;

pub use ledger::*;
