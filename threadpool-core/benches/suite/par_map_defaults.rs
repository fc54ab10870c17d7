//! `par_map` at its default settings (no `batch_size`, no `max_in_flight`)
//! against a sequential `map`, rayon's `par_iter` and the compat crate's
//! `par_iter`, on a pool of the same size: 10,000,000 cheap items and
//! 100,000 items of about 10 µs, mapped and collected into a `Vec`.
//!
//! Part of the `par_map` scenario. Our implementations:
//!
//! * `compat-par_map-installed`: `par_map` inside the pool's `install`,
//!   so the consumer is one of the pool's workers;
//! * `compat-par_map-caller`: `par_map_in(handle, ..)` from the calling
//!   thread, which is not a worker (it maps batches too while it waits);
//! * `compat-par_map_scope`: the borrowing form, `par_map_scope_in` mapping
//!   `input.iter()` with a closure that borrows;
//! * `compat-par_map_unordered`: `par_map_unordered_in` from the calling
//!   thread.

use std::time::{Duration, Instant};

use threadpool_rayon_compat::{ParMap, par_map_scope_in};

use super::{
    Config, OURS_PAR_ITER, Samples, calibrate_heavy, cheap, compat_pool, heavy, interleave,
    rayon_pool,
};

const INSTALLED: &str = "compat-par_map-installed";
const CALLER: &str = "compat-par_map-caller";
const SCOPED: &str = "compat-par_map_scope";
const UNORDERED: &str = "compat-par_map_unordered";
const OURS: [&str; 4] = [INSTALLED, CALLER, SCOPED, UNORDERED];
const PEERS: [&str; 3] = ["sequential", "rayon-par_iter", OURS_PAR_ITER];

/// Runs both measurements and prints their `RESULT` and `RATIO` lines.
pub(super) fn run(config: &Config) {
    let compat = compat_pool(config.workers);
    let rayon = rayon_pool(config.workers);
    let implementations = [OURS.as_slice(), PEERS.as_slice()].concat();

    let n = config.size(10_000_000_u64, 2_000_000);
    measure(
        "par_map_defaults/cheap",
        config.rounds(7, 3),
        &implementations,
        n,
        &compat,
        &rayon,
        cheap,
    );

    let rounds = calibrate_heavy(Duration::from_micros(10));
    let n = config.size(100_000_u64, 20_000);
    measure(
        "par_map_defaults/10us",
        config.rounds(5, 2),
        &implementations,
        n,
        &compat,
        &rayon,
        move |x| heavy(x, rounds),
    );
}

/// Times `map(f)` + `collect` of `0..n` for every implementation.
#[allow(clippy::too_many_arguments)]
fn measure(
    scenario: &str,
    rounds: usize,
    implementations: &[&str],
    n: u64,
    compat: &threadpool_rayon_compat::ThreadPool,
    rayon: &rayon::ThreadPool,
    f: impl Fn(u64) -> u64 + Copy + Send + Sync + 'static,
) {
    let input: Vec<u64> = (0..n).collect();
    let expected: Vec<u64> = input.iter().map(|&x| f(x)).collect();
    let mut samples = Samples::new(scenario, "ms");
    interleave(rounds, implementations, |implementation| {
        let started = Instant::now();
        let mut out: Vec<u64> = match implementation {
            INSTALLED => compat.install(|| input.iter().copied().par_map(f).collect()),
            CALLER => input
                .iter()
                .copied()
                .par_map_in(compat.handle(), f)
                .collect(),
            SCOPED => par_map_scope_in(compat.handle(), |s| {
                s.par_map(input.iter(), |&x| f(x)).collect()
            }),
            UNORDERED => input
                .iter()
                .copied()
                .par_map_unordered_in(compat.handle(), f)
                .collect(),
            OURS_PAR_ITER => compat.install(|| {
                use threadpool_rayon_compat::prelude::*;
                input.par_iter().map(|&x| f(x)).collect()
            }),
            "rayon-par_iter" => rayon.install(|| {
                use rayon::prelude::*;
                input.par_iter().map(|&x| f(x)).collect()
            }),
            "sequential" => input.iter().map(|&x| f(x)).collect(),
            other => unreachable!("no par_map_defaults implementation `{other}`"),
        };
        let elapsed = started.elapsed();
        if implementation == UNORDERED {
            out.sort_unstable();
            let mut sorted = expected.clone();
            sorted.sort_unstable();
            assert!(out == sorted, "{implementation}: wrong output");
        } else {
            assert!(out == expected, "{implementation}: wrong output");
        }
        drop(out);
        samples.push(implementation, elapsed.as_secs_f64() * 1e3);
    });
    samples.report(&OURS, &PEERS);
}
