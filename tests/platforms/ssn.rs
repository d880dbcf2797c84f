//! The ssn corpus, played through the real binary.
