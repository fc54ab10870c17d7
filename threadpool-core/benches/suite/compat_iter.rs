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
    word_count(config, &compat, &rayon);
    flat_map(config, &compat, &rayon);
    find_first(config, &compat, &rayon);
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

/// A text of `lines` lines of 1 to 12 words each.
fn text(lines: u64) -> String {
    const WORDS: [&str; 8] = [
        "the", "pool", "steals", "work", "from", "idle", "threads", "quickly",
    ];
    let mut text = String::new();
    for line in 0..lines {
        let words = 1 + scrambled(line) % 12;
        for w in 0..words {
            if w > 0 {
                text.push(' ');
            }
            text.push_str(WORDS[(scrambled(line * 16 + w) % 8) as usize]);
        }
        text.push('\n');
    }
    text
}

fn word_count(
    config: &Config,
    compat: &threadpool_rayon_compat::ThreadPool,
    rayon: &rayon::ThreadPool,
) {
    let text = text(config.size(2_000_000, 400_000));
    let expected: usize = text
        .lines()
        .map(|line| line.split_whitespace().count())
        .sum();
    let mut samples = Samples::new("compat_iter/par_lines_word_count", "ms");
    interleave(config.rounds(9, 3), &[OURS, RAYON], |implementation| {
        let text = black_box(text.as_str());
        let started = Instant::now();
        let words: usize = match implementation {
            OURS => compat.install(|| {
                use threadpool_rayon_compat::prelude::*;
                text.par_lines()
                    .map(|line| line.split_whitespace().count())
                    .sum()
            }),
            _ => rayon.install(|| {
                use rayon::prelude::*;
                text.par_lines()
                    .map(|line| line.split_whitespace().count())
                    .sum()
            }),
        };
        let elapsed = started.elapsed();
        assert_eq!(words, expected, "{implementation}: wrong count");
        samples.push(implementation, elapsed.as_secs_f64() * 1e3);
    });
    samples.report(&[OURS], &[RAYON]);
}

fn flat_map(
    config: &Config,
    compat: &threadpool_rayon_compat::ThreadPool,
    rayon: &rayon::ThreadPool,
) {
    // 100,000 outer items, each an inner parallel iterator of 0 to 63.
    let n = config.size(100_000_u64, 20_000);
    let expected: u64 = (0..n)
        .flat_map(|i| (0..scrambled(i) % 64).map(move |j| scrambled(i ^ j) & 0xFF))
        .sum();
    let mut samples = Samples::new("compat_iter/flat_map", "ms");
    interleave(config.rounds(9, 3), &[OURS, RAYON], |implementation| {
        let n = black_box(n);
        let started = Instant::now();
        let total: u64 = match implementation {
            OURS => compat.install(|| {
                use threadpool_rayon_compat::prelude::*;
                (0..n)
                    .into_par_iter()
                    .flat_map(|i| {
                        (0..scrambled(i) % 64)
                            .into_par_iter()
                            .map(move |j| scrambled(i ^ j) & 0xFF)
                    })
                    .sum()
            }),
            _ => rayon.install(|| {
                use rayon::prelude::*;
                (0..n)
                    .into_par_iter()
                    .flat_map(|i| {
                        (0..scrambled(i) % 64)
                            .into_par_iter()
                            .map(move |j| scrambled(i ^ j) & 0xFF)
                    })
                    .sum()
            }),
        };
        let elapsed = started.elapsed();
        assert_eq!(total, expected, "{implementation}: wrong sum");
        samples.push(implementation, elapsed.as_secs_f64() * 1e3);
    });
    samples.report(&[OURS], &[RAYON]);
}

fn find_first(
    config: &Config,
    compat: &threadpool_rayon_compat::ThreadPool,
    rayon: &rayon::ThreadPool,
) {
    // The first match sits at 70% of 10,000,000 items: everything to its
    // left must be searched, everything to its right may be skipped.
    let n = config.size(10_000_000_u64, 2_000_000);
    let input: Vec<u64> = (0..n).map(scrambled).collect();
    let at = (n * 7 / 10) as usize;
    let needle = input[at];
    let expected = input.iter().position(|x| *x == needle);
    let mut samples = Samples::new("compat_iter/find_first", "ms");
    interleave(config.rounds(9, 3), &[OURS, RAYON], |implementation| {
        let input = black_box(&input);
        let started = Instant::now();
        let found = match implementation {
            OURS => compat.install(|| {
                use threadpool_rayon_compat::prelude::*;
                input.par_iter().position_first(|x| *x == needle)
            }),
            _ => rayon.install(|| {
                use rayon::prelude::*;
                input.par_iter().position_first(|x| *x == needle)
            }),
        };
        let elapsed = started.elapsed();
        assert_eq!(found, expected, "{implementation}: wrong position");
        samples.push(implementation, elapsed.as_secs_f64() * 1e3);
    });
    samples.report(&[OURS], &[RAYON]);
}
