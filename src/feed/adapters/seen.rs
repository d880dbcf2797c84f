//! Telling a message read twice. Relays replay their recent messages on every connect and
//! a source may send one twice, so each adapter remembers the ids it read last (a bounded
//! memory), and names a message that came without an id by a hash of what it says, the
//! same on every run and build (std's hasher is seeded anew each run).

use std::collections::{HashMap, VecDeque};

/// The last `cap` ids read, each with the kinds of event (bits) it came as.
#[derive(Debug)]
pub struct Seen {
    pub(super) order: VecDeque<String>,
    pub(super) kinds: HashMap<String, u8>,
    pub(super) cap: usize,
}

impl Seen {
    /// A memory of the last `cap` ids (at least one).
    pub fn new(cap: usize) -> Seen {
        Seen { order: VecDeque::new(), kinds: HashMap::new(), cap }
    }

    /// Remembers `id` as read as `kind`, forgetting the oldest id when full. Returns the kinds
    /// it was read as before, or `None` for an id not seen yet.
    pub fn mark(&mut self, id: &str, kind: u8) -> Option<u8> {
        if let Some(kinds) = self.kinds.get_mut(id) {
            let before = *kinds;
            *kinds |= kind;
            return Some(before);
        }
        while self.order.len() >= self.cap.max(1) {
            let Some(oldest) = self.order.pop_front() else { break };
            self.kinds.remove(&oldest);
        }
        self.order.push_back(id.to_owned());
        self.kinds.insert(id.to_owned(), kind);
        None
    }

    /// Remembers `id`; false when it was remembered already.
    pub fn insert(&mut self, id: &str) -> bool {
        self.mark(id, 1).is_none()
    }
}

/// FNV-1a over `what` and `parts`, each prefixed with its length (so `["ab", "c"]` and
/// `["a", "bc"]` differ): the same parts give the same hash on every run and build.
pub fn stable_hash(what: &str, parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for part in std::iter::once(&what).chain(parts) {
        eat(&(part.len() as u64).to_le_bytes());
        eat(part.as_bytes());
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_new_once_and_then_tells_the_kinds_it_came_as() {
        let mut seen = Seen::new(8);
        assert_eq!(seen.mark("m1", 0b01), None);
        assert_eq!(seen.mark("m1", 0b10), Some(0b01));
        assert_eq!(seen.mark("m1", 0b01), Some(0b11));
        assert!(seen.insert("m2"));
        assert!(!seen.insert("m2"));
    }

    #[test]
    fn the_oldest_id_is_forgotten_when_the_memory_is_full() {
        let mut seen = Seen::new(2);
        for id in ["a", "b", "c"] {
            assert!(seen.insert(id));
        }
        assert!(!seen.insert("c"));
        assert!(seen.insert("a"), "a was forgotten to make room for c");
        let mut one = Seen::new(0);
        assert!(one.insert("x") && !one.insert("x"), "a memory of none still holds the last id");
    }

    #[test]
    fn the_hash_is_fixed_and_tells_where_the_parts_split() {
        assert_eq!(stable_hash("", &[]), 0xa8c7_f832_281a_39c5);
        assert_ne!(stable_hash("chat", &["ab", "c"]), stable_hash("chat", &["a", "bc"]));
        assert_eq!(stable_hash("chat", &["u1", "hi"]), stable_hash("chat", &["u1", "hi"]));
    }
}
