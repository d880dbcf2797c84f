//! The feed: turns the outside world (a platform socket, a script file) into desk inputs.

mod adapted;
pub mod adapters;
mod outbound;
pub mod script;
pub mod seq;
pub mod tls;
pub mod ws;
