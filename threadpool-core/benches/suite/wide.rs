//! Wide pools: what a request costs as the pool grows, and whether a wide
//! pool keeps every worker busy with requests that block.
//!
//! `wide/<W>`: tiny requests on a pool of `W` workers, ns per request, vs
//! the `threadpool` crate and rayon (spawn + channel) with as many threads.
//! A per-request path that cost O(workers) (a wake-up that scans every
//! deque, stealing that walks every victim) shows as `wide/scaling`, the
//! cost at the widest pool over the cost at the narrowest, far above 1.
//!
//! `blocking`: 4,000 requests that each sleep 1 ms on 256 workers, vs the
//! ideal wall time (requests x 1 ms / workers), the `threadpool` crate, and
//! the floor a sleeping thread can reach (requests / workers sleeps of 1 ms
//! in a row on one thread: timer slack and wake-up latency included).

use std::cell::Cell;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use threadpool_core::{ThreadPool, WorkRequest};

use super::{Config, OURS_SUBMIT, Samples, interleave, ns_per, submit_once};

/// Pool widths of the `wide` scenario.
pub(super) const WIDTHS: [usize; 4] = [2, 64, 256, 1024];

pub(super) fn wide(config: &Config) {
    let n = config.size(200_000_u64, 50_000);
    let implementations = [OURS_SUBMIT, "threadpool-crate", "rayon-spawn"];
    let mut ours_at = Vec::new();
    for workers in WIDTHS {
        let mut samples = Samples::new(&format!("wide/{workers}"), "ns/request");
        interleave(config.rounds(7, 3), &implementations, |implementation| {
            let elapsed = submit_once(implementation, workers, n);
            samples.push(implementation, ns_per(elapsed, n));
        });
        samples.report(&[OURS_SUBMIT], &["threadpool-crate", "rayon-spawn"]);
        if let Some(value) = samples.median(OURS_SUBMIT) {
            ours_at.push((workers, value));
        }
    }
    // The cost of a request at the widest pool over the narrowest: 1 when
    // no per-request path depends on the number of workers.
    if let (Some((narrow, base)), Some((wide, top))) = (ours_at.first(), ours_at.last())
        && *base > 0.0
    {
        println!(
            "RATIO wide/scaling {OURS_SUBMIT}@{wide} {OURS_SUBMIT}@{narrow} {:.4}",
            top / base
        );
    }
}

/// Requests and workers of the `blocking` scenario.
const BLOCKING_REQUESTS: u64 = 4_000;
const BLOCKING_WORKERS: usize = 256;
const BLOCK: Duration = Duration::from_millis(1);

pub(super) fn blocking(config: &Config) {
    let n = BLOCKING_REQUESTS;
    let workers = BLOCKING_WORKERS;
    let ideal = BLOCK.as_secs_f64() * 1e3 * n as f64 / workers as f64;
    let mut samples = Samples::new("blocking", "ms");
    let implementations = [OURS_SUBMIT, "threadpool-crate", "sleep-floor"];
    let done = Cell::new(0_u64);
    let mut ours = ThreadPool::new(workers).expect("pool starts");
    let crate_pool = threadpool::ThreadPool::new(workers);
    // Every thread of both pools has run once before the first sample.
    blocking_once(OURS_SUBMIT, &mut ours, &done, &crate_pool, n);
    blocking_once("threadpool-crate", &mut ours, &done, &crate_pool, n);
    interleave(config.rounds(11, 5), &implementations, |implementation| {
        let elapsed = blocking_once(implementation, &mut ours, &done, &crate_pool, n);
        samples.push(implementation, elapsed.as_secs_f64() * 1e3);
    });
    samples.push("ideal", ideal);
    drop(ours);
    drop(crate_pool);
    samples.report(
        &[OURS_SUBMIT],
        &["ideal", "threadpool-crate", "sleep-floor"],
    );
}

fn blocking_once<'a>(
    implementation: &str,
    ours: &mut ThreadPool<'a>,
    done: &'a Cell<u64>,
    crate_pool: &threadpool::ThreadPool,
    n: u64,
) -> Duration {
    let started = Instant::now();
    match implementation {
        OURS_SUBMIT => {
            done.set(0);
            for _ in 0..n {
                let request = WorkRequest::new(|| std::thread::sleep(BLOCK))
                    .on_result(|_, ()| done.set(done.get() + 1));
                ours.put_request(request).expect("put");
            }
            ours.wait().expect("wait");
            assert_eq!(done.get(), n, "{implementation}: lost requests");
        }
        "threadpool-crate" => {
            let (tx, rx) = mpsc::channel();
            for _ in 0..n {
                let tx = tx.clone();
                crate_pool.execute(move || {
                    std::thread::sleep(BLOCK);
                    tx.send(()).unwrap();
                });
            }
            drop(tx);
            assert_eq!(rx.iter().count() as u64, n, "{implementation}: lost jobs");
        }
        "sleep-floor" => {
            for _ in 0..n.div_ceil(BLOCKING_WORKERS as u64) {
                std::thread::sleep(BLOCK);
            }
        }
        other => unreachable!("no blocking implementation `{other}`"),
    }
    started.elapsed()
}
