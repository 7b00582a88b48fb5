//! Non-cryptographic random numbers for jitter and fresh ids: one splitmix64 stream per
//! process, seeded from the OS (std's `RandomState` keys), the process id and the clock, so two
//! processes started in the same millisecond still draw different numbers.

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The golden-ratio increment of splitmix64.
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// splitmix64's output function: a well-mixed 64-bit value for any `z`.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A per-process seed: OS randomness (through `RandomState`), the process id and the time.
pub fn process_seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        h.write_u64(nanos);
        h.finish()
    })
}

/// The next number of the process's stream.
pub fn next_u64() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let step = STATE.fetch_add(GAMMA, Ordering::Relaxed).wrapping_add(GAMMA);
    mix(process_seed().wrapping_add(step))
}

/// A number in [0, 1) with 53 random bits.
pub fn unit() -> f64 {
    to_unit(next_u64())
}

/// Maps 64 random bits to [0, 1).
pub fn to_unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// A seeded splitmix64 stream (the same seed gives the same numbers), for reproducible draws.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_known_answers() {
        // The reference implementation's first outputs for seed 0 (Vigna, splitmix64.c).
        let mut s = SplitMix64::new(0);
        assert_eq!(s.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(s.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn the_process_stream_is_spread_over_the_unit_interval() {
        let draws: Vec<f64> = (0..10_000).map(|_| unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        // Each tenth of [0, 1) gets its share (1,000 ± 20 %).
        for decile in 0..10 {
            let n = draws.iter().filter(|u| (**u * 10.0) as usize == decile).count();
            assert!((800..1200).contains(&n), "decile {decile}: {n}");
        }
        let distinct: std::collections::HashSet<u64> = (0..1000).map(|_| next_u64()).collect();
        assert_eq!(distinct.len(), 1000);
    }
}
