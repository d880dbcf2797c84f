//! The desk: all domain state and rules, as a pure state machine.

pub mod action;
pub mod chat;
pub mod money;

pub use action::Action;
