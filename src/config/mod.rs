//! Local configuration files: where they are, how they are read, what is wrong with them.

pub mod builtin;
pub mod certs;
pub mod error;
pub mod init;
pub mod keymap;
pub(crate) mod library;
pub mod load;
pub mod model;
pub mod paths;
pub mod theme;
pub mod validate;
mod variants;
pub mod watch;

pub use error::{ConfigError, ConfigErrors};
pub use init::init;
pub use keymap::{KeyAction, KeyChord, Keymap, Mode};
pub use load::{Config, check, load};
pub use paths::Paths;
pub use theme::EnvInfo;
