//! The twitch corpus, played through the real binary.
