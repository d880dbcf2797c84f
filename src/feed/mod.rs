//! The feed: turns the outside world (a platform socket, a script file) into desk inputs.

mod adapted;
pub mod adapters;
mod dialect;
mod health;
mod native;
mod options;
mod outbound;
pub mod script;
pub mod seq;
mod socket;
pub mod tls;
pub mod window;
pub mod ws;
