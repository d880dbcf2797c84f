//! The platform corpus: for each platform, frames in the shapes that public sources (the
//! platforms' documentation, and other projects' parsers and test suites) show, each case
//! naming its source. Every platform's whole corpus is played through the real binary,
//! headless, against a fake of that platform, and the summary is compared with the truth
//! computed from the corpus.

#[path = "../common/mod.rs"]
mod common;

mod corpus;
mod ssn;
mod tiktok;
mod twitch;
