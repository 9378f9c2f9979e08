//! Tiny deterministic hashing and random numbers (SplitMix64, FNV-1a), stable across Rust
//! releases and platforms unlike `std`'s hashers, so a seed replays the same prices everywhere.

/// One SplitMix64 finalisation step: a well-mixed 64-bit hash of `x`.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of `bytes`.
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// A SplitMix64 stream.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    /// A stream starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// A number in `0..n` (`n > 0`; the modulo bias is irrelevant for simulation).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_seed_dependent() {
        let a: Vec<u64> = (0..5).scan(SplitMix::new(1), |r, _| Some(r.below(1000))).collect();
        let b: Vec<u64> = (0..5).scan(SplitMix::new(1), |r, _| Some(r.below(1000))).collect();
        let c: Vec<u64> = (0..5).scan(SplitMix::new(2), |r, _| Some(r.below(1000))).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|v| *v < 1000));
    }

    #[test]
    fn fnv_matches_the_reference_vector() {
        // FNV-1a 64 of "a" from the reference implementation.
        assert_eq!(fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
