//! The `compat_iter` scenario: rayon-compat parallel iterators beside rayon
//! on the same inputs, pool sizes and rounds: `par_sort_unstable` of
//! 10,000,000 u64, a `par_lines` word count, a `flat_map`, a `find_first`.

use std::hint::black_box;
use std::time::Instant;

use super::{Config, Samples, compat_pool, interleave, rayon_pool};

const OURS: &str = "compat";
const RAYON: &str = "rayon";

/// Runs every part of the scenario.
pub(super) fn compat_iter(config: &Config) {
    let compat = compat_pool(config.workers);
    let rayon = rayon_pool(config.workers);
    sort_unstable(config, &compat, &rayon);
}

/// A pseudo-random u64 per index (xorshift-multiply), the same every run.
fn scrambled(i: u64) -> u64 {
    let mut x = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn sort_unstable(
    config: &Config,
    compat: &threadpool_rayon_compat::ThreadPool,
    rayon: &rayon::ThreadPool,
) {
    let n = config.size(10_000_000_u64, 2_000_000);
    let input: Vec<u64> = (0..n).map(scrambled).collect();
    let mut expected = input.clone();
    expected.sort_unstable();
    let mut samples = Samples::new("compat_iter/par_sort_unstable", "ms");
    interleave(config.rounds(7, 3), &[OURS, RAYON], |implementation| {
        let mut v = input.clone();
        let started = Instant::now();
        match implementation {
            OURS => compat.install(|| {
                use threadpool_rayon_compat::prelude::*;
                black_box(&mut v).par_sort_unstable();
            }),
            _ => rayon.install(|| {
                use rayon::prelude::*;
                black_box(&mut v).par_sort_unstable();
            }),
        }
        let elapsed = started.elapsed();
        assert!(v == expected, "{implementation}: wrong order");
        samples.push(implementation, elapsed.as_secs_f64() * 1e3);
    });
    samples.report(&[OURS], &[RAYON]);
}
