//! Which built events Reddit would drop as duplicates: the same conversion id and event type
//! (and custom name) within 48 h of an earlier one (the emulator's rule, by `event_at`).
//!
//! Memory is bounded: the index keeps a 64-bit fingerprint, the `event_at` and nothing else per
//! conversion id (24 bytes), at most [`CAPACITY`] of them. When it is full, ids more than 48 h
//! older than the newest `event_at` seen are dropped (they can no longer match a time-ordered
//! stream); if it is still full, a new id is counted as unchecked instead of stored. Time is
//! bounded too: a sweep of the full index runs only once it can free a sixteenth of it (the
//! horizon has passed the `event_at` below which a sixteenth of the ids lie), so a stream of new
//! ids into a full index costs a lookup each, not a pass over a million ids each. Two ids share a
//! fingerprint with probability about n²/2⁶⁵ (3 × 10⁻⁸ for a million).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use crate::reddit::DEDUP_WINDOW_MS;

/// Distinct conversion ids held at most.
pub const CAPACITY: usize = 1 << 20;

/// The deduplication key of an event: its conversion id, tracking type (case and `_` folded,
/// so v2 `AddToCart` and v3 `ADD_TO_CART` agree) and custom event name.
pub fn key(conversion_id: &str, tracking_type: &str, custom_name: Option<&str>) -> u64 {
    let tracking: String = tracking_type.chars().filter(|c| *c != '_').flat_map(char::to_uppercase).collect();
    BuildHasherDefault::<DefaultHasher>::default().hash_one((conversion_id.trim(), tracking, custom_name))
}

/// What the index says of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Unique,
    /// Within 48 h of an earlier event with the same key.
    Duplicate,
    /// The index is full of recent ids: not checked.
    Unchecked,
}

/// Keys are already hashes: the table uses them as they are.
#[derive(Debug, Default, Clone, Copy)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The bounded index.
#[derive(Debug, Default)]
pub struct Index {
    /// Fingerprint → `event_at` of the event that opened its window.
    seen: HashMap<u64, i64, BuildHasherDefault<Prehashed>>,
    newest: i64,
    capacity: Option<usize>,
    /// The next sweep waits until the horizon passes this `event_at` (a sixteenth of the ids
    /// kept at the last sweep are older): before that it could free too little to be worth it.
    sweep_after: Option<i64>,
    /// Sweeps of the full index so far.
    sweeps: usize,
}

impl Index {
    /// An index holding at most `capacity` ids (tests use small ones).
    pub fn with_capacity(capacity: usize) -> Index {
        Index { capacity: Some(capacity), ..Index::default() }
    }

    /// Checks an event with `key` at `at_ms` and records it.
    pub fn check(&mut self, key: u64, at_ms: i64) -> Verdict {
        self.newest = self.newest.max(at_ms);
        if let Some(opened) = self.seen.get_mut(&key) {
            if (at_ms - *opened).abs() <= DEDUP_WINDOW_MS {
                return Verdict::Duplicate;
            }
            *opened = at_ms;
            return Verdict::Unique;
        }
        let capacity = self.capacity.unwrap_or(CAPACITY);
        if self.seen.len() >= capacity && !self.sweep(capacity) {
            return Verdict::Unchecked;
        }
        self.seen.insert(key, at_ms);
        Verdict::Unique
    }

    /// Drops the ids out of every window, when that can free a sixteenth of the index; whether
    /// there is room now.
    fn sweep(&mut self, capacity: usize) -> bool {
        let horizon = self.newest - DEDUP_WINDOW_MS;
        if self.sweep_after.is_some_and(|after| horizon <= after) {
            return false;
        }
        self.sweeps += 1;
        self.seen.retain(|_, at| *at >= horizon);
        let mut times: Vec<i64> = self.seen.values().copied().collect();
        let sixteenth = capacity / 16;
        self.sweep_after = (times.len() > sixteenth).then(|| *times.select_nth_unstable(sixteenth).1);
        self.seen.len() < capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn same_id_and_type_within_48_hours_is_a_duplicate() {
        let mut index = Index::default();
        let purchase = key("c1", "Purchase", None);
        assert_eq!(index.check(purchase, 0), Verdict::Unique);
        assert_eq!(index.check(purchase, 48 * H), Verdict::Duplicate);
        assert_eq!(index.check(key("c1", "PURCHASE", None), H), Verdict::Duplicate);
        assert_eq!(index.check(key("c1", "AddToCart", None), H), Verdict::Unique);
        assert_eq!(index.check(key("c1", "Custom", Some("a")), H), Verdict::Unique);
        assert_eq!(index.check(key("c1", "Custom", Some("b")), H), Verdict::Unique);
        // Past the window a new one opens.
        assert_eq!(index.check(purchase, 49 * H), Verdict::Unique);
        assert_eq!(index.check(purchase, 50 * H), Verdict::Duplicate);
    }

    #[test]
    fn a_full_index_drops_old_ids_then_stops_checking() {
        let mut index = Index::with_capacity(2);
        assert_eq!(index.check(1, 0), Verdict::Unique);
        assert_eq!(index.check(2, 0), Verdict::Unique);
        // Full of recent ids: not checked, and not stored.
        assert_eq!(index.check(3, H), Verdict::Unchecked);
        assert_eq!(index.check(3, H), Verdict::Unchecked);
        // 49 h later ids 1 and 2 are out of every window: they go.
        assert_eq!(index.check(4, 49 * H), Verdict::Unique);
        assert_eq!(index.check(4, 49 * H), Verdict::Duplicate);
        assert_eq!(index.seen.len(), 1);
    }

    #[test]
    fn a_full_index_is_swept_only_when_a_sixteenth_of_it_can_go() {
        let mut index = Index::with_capacity(1600);
        for id in 0..1600 {
            assert_eq!(index.check(id, 0), Verdict::Unique);
        }
        // 10,000 new ids at the same time: nothing can go, so one sweep, not 10,000.
        for id in 1600..11_600 {
            assert_eq!(index.check(id, H), Verdict::Unchecked);
        }
        assert_eq!(index.sweeps, 1);
        // Duplicates are still found meanwhile.
        assert_eq!(index.check(7, H), Verdict::Duplicate);
        // Once the horizon passes the ids' time, the next new id sweeps them out.
        assert_eq!(index.check(20_000, 49 * H), Verdict::Unique);
        assert_eq!(index.sweeps, 2);
        assert_eq!(index.seen.len(), 1);
        // Ids spread over time: a sweep frees at least a sixteenth, so sweeps stay rare.
        let mut index = Index::with_capacity(1600);
        let mut unchecked = 0;
        for id in 0..50_000u64 {
            let at = id as i64 * 60_000; // one a minute: 2,880 within 48 h, more than the index holds
            unchecked += usize::from(index.check(id, at) == Verdict::Unchecked);
        }
        assert!(index.sweeps < 50_000 / 100, "{} sweeps", index.sweeps);
        assert!(unchecked < 50_000, "{unchecked} unchecked");
    }
}
