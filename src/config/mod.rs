//! Local configuration files: where they are, how they are read, what is wrong with them.

pub mod keymap;
pub mod model;
