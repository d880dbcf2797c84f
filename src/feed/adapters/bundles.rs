//! Gift subs announced as a bundle and then sent again one by one (Twitch's mass gift and
//! its `subgift`s, SSN's `giftpurchase` and its `subscription_gift`s): the bundle counts
//! them all at once, since it may be all that arrives, and the single gifts that follow it
//! from the same gifter are its parts, not more.

use std::collections::HashMap;

/// How many gifters' bundles are followed at once (their single gifts follow in seconds).
const GIFTERS: usize = 256;

/// The gift subs announced by each gifter's bundles and not yet seen one by one.
#[derive(Debug, Default)]
pub struct Bundles {
    left: HashMap<String, u64>,
}

impl Bundles {
    /// `gifter` announced `count` gift subs.
    pub fn announce(&mut self, gifter: &str, count: u32) {
        if self.left.len() >= GIFTERS && !self.left.contains_key(gifter) {
            self.left.clear();
        }
        *self.left.entry(gifter.to_owned()).or_default() += u64::from(count);
    }

    /// Whether a single gift sub from `gifter` is one of those a bundle announced.
    pub fn announced(&mut self, gifter: &str) -> bool {
        match self.left.get_mut(gifter) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundles_single_gifts_are_its_own_and_one_past_it_is_new() {
        let mut b = Bundles::default();
        assert!(!b.announced("ann"), "nothing announced");
        b.announce("ann", 2);
        assert_eq!(
            [b.announced("bob"), b.announced("ann"), b.announced("ann"), b.announced("ann")],
            [false, true, true, false]
        );
    }
}
