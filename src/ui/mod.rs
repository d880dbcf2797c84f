//! The terminal interface: panes drawn from `&Desk` plus view state.

pub mod theme;
