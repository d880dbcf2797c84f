//! Comment-to-order claims: the ledger (holds, the waitlist, confirmations) with the matcher
//! that reads a comment as a claim, and the desk's rules that carry its news out.

mod ledger;
mod rules;

pub use ledger::*;
