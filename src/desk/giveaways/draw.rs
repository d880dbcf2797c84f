//! The draw: which entrants win, from a seed and the entrants in the order they entered.
//!
//! The algorithm is written out so that anyone holding the journal can draw again by hand
//! or in any language, and it never changes with a dependency's version:
//!
//! 1. A SplitMix64 generator starts at the seed (the 64-bit number shown as 16 hex digits).
//!    Each step adds `0x9E3779B97F4A7C15` to the state (wrapping), then mixes a copy `z`:
//!    `z = (z ^ z>>30) * 0xBF58476D1CE4E5B9`, `z = (z ^ z>>27) * 0x94D049BB133111EB`,
//!    `z ^ z>>31` (multiplications wrapping at 2^64).
//! 2. A number below `m` is a step's output `x` taken modulo `m`, with any `x` below
//!    `2^64 mod m` thrown away and another step drawn, so that every number is as likely.
//! 3. For `i` from 0 to `winners − 1`: pick `j` = `i` + a number below `n − i`, and swap the
//!    entrants at `i` and `j` (a Fisher–Yates shuffle stopped after `winners` places).
//!    The first `winners` entrants are the winners, in the order drawn.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A draw's seed: the console picks it at random when the giveaway starts, and the start
/// action carries it into the journal, so the desk itself never needs a random number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Seed(pub u64);

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl std::str::FromStr for Seed {
    type Err = String;

    fn from_str(s: &str) -> Result<Seed, String> {
        let digits = s.trim().trim_start_matches("0x");
        if digits.is_empty() || digits.len() > 16 {
            return Err(format!("a seed is 1 to 16 hex digits, found {s:?}"));
        }
        u64::from_str_radix(digits, 16).map(Seed).map_err(|_| format!("a seed is hex digits, found {s:?}"))
    }
}

// As hex text: a JSON number over 2^53 loses digits in many readers (jq, JavaScript), and
// the seed must read the same everywhere the draw is checked.
impl Serialize for Seed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Seed, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The SplitMix64 generator of step 1.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `m` (step 2), `m` > 0.
    fn below(&mut self, m: u64) -> u64 {
        let threshold = m.wrapping_neg() % m;
        loop {
            let x = self.next();
            if x >= threshold {
                return x % m;
            }
        }
    }
}

/// The indices of the winners among `entrants` entrants, in the order drawn (step 3): as
/// many as `winners`, or every entrant when fewer entered.
pub fn draw(seed: Seed, entrants: usize, winners: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entrants).collect();
    let mut rng = SplitMix64(seed.0);
    let k = winners.min(entrants);
    for i in 0..k {
        let j = i + rng.below((entrants - i) as u64) as usize;
        order.swap(i, j);
    }
    order.truncate(k);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_is_the_published_generator() {
        // The reference outputs for seed 1234567 (Vigna's splitmix64.c).
        let mut rng = SplitMix64(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| rng.next()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn a_draw_is_fixed_by_its_seed() {
        // Pinned: a change of algorithm would change every past draw's winners.
        assert_eq!(draw(Seed(42), 10, 3), draw(Seed(42), 10, 3));
        // The same as the README's algorithm written out in another language gives.
        assert_eq!(draw(Seed(42), 10, 3), [3, 2, 4]);
        assert_ne!(draw(Seed(43), 10, 3), draw(Seed(42), 10, 3));
        assert_eq!(draw(Seed(7), 2, 5).len(), 2, "fewer entrants than winners: all of them win");
        assert!(draw(Seed(7), 0, 1).is_empty());
    }

    #[test]
    fn every_entrant_is_as_likely_to_win() {
        let mut wins = [0u32; 5];
        for seed in 0..20_000u64 {
            wins[draw(Seed(seed), 5, 1)[0]] += 1;
        }
        for w in wins {
            assert!((3_700..4_300).contains(&w), "{wins:?}");
        }
    }

    #[test]
    fn below_never_reaches_its_bound_and_rejects_the_uneven_tail() {
        let mut rng = SplitMix64(9);
        assert!((0..1000).all(|_| rng.below(3) < 3));
        assert_eq!(SplitMix64(1).below(1), 0);
        // 2^64 mod m for an m just over half of 2^64: almost half the outputs are thrown away.
        let m = (1u64 << 63) + 1;
        assert_eq!(m.wrapping_neg() % m, (1u64 << 63) - 1);
    }

    #[test]
    fn seeds_read_and_write_as_hex() {
        let s = Seed(0x00ab_cdef_0123_4567);
        assert_eq!(s.to_string(), "00abcdef01234567");
        assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!("00abcdef01234567"));
        assert_eq!(serde_json::from_value::<Seed>(serde_json::json!("abcdef01234567")).unwrap(), s);
        assert_eq!("0x2a".parse::<Seed>().unwrap(), Seed(42));
        assert!("xyz".parse::<Seed>().is_err());
        assert!("11112222333344445".parse::<Seed>().is_err());
    }
}
