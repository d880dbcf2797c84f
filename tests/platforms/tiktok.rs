//! The tiktok corpus, played through the real binary.
