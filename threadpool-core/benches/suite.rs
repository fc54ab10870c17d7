//! The side-by-side suite behind `cargo xtask bench`: this workspace against
//! its peers (the `threadpool` crate, rayon, a sequential loop, no pool at
//! all, the Python module) in one process run, each scenario's
//! implementations interleaved round by round so that a noisy machine slows
//! them all alike. The value of each implementation is the median of its
//! rounds.
//!
//! Output, one line per measurement and per comparison (lower is better for
//! every value measured here: time, CPU time, context switches, memory):
//!
//! ```text
//! RESULT <scenario> <implementation> <value> <unit>
//! RATIO <scenario> <ours> <peer> <ours/peer>
//! ```
//!
//! Progress goes to stderr. Run it through `cargo xtask bench`, which adds
//! the table, the CSV and the chart, or alone:
//!
//! `cargo bench -p threadpool-core --bench suite -- [--quick] [SCENARIO...]`
//!
//! The idle and memory scenarios measure each implementation in a fresh
//! child process (this binary again, with `--child`), so that one's threads
//! and heap do not show in another's numbers.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "suite/compat_iter.rs"]
mod compat_iter;

use threadpool_core::{
    PoolHandle, ThreadPool, ThreadPoolBuilder, WorkRequest, Worker, make_requests,
};

// Scenarios kept in files of their own, one line each.
#[path = "suite/par_map_defaults.rs"]
mod par_map_defaults;
#[path = "suite/tree_sum.rs"]
mod tree_sum;
#[path = "suite/wide.rs"]
mod wide;

const SCENARIOS: &[(&str, &str)] = &[
    (
        "submit",
        "1,000,000 tiny requests put from the main thread, results summed by callbacks there",
    ),
    (
        "par_map",
        "10,000,000 cheap u64 items map+collect; 100,000 items of ~10 µs each",
    ),
    (
        "fork_join",
        "fib(30) with join at every level, on all workers and on one; nested joins of blocking closures on 4 workers",
    ),
    (
        "tree_sum",
        "binary-tree sum with join at every node, 1,023 and 16,777,215 nodes",
    ),
    (
        "wide",
        "200,000 tiny requests on pools of 2, 64, 256 and 1,024 workers",
    ),
    (
        "blocking",
        "4,000 requests that each sleep 1 ms, on 256 workers, vs the ideal wall time",
    ),
    (
        "idle",
        "CPU time and context switches of an idle pool over 2 s after a burst",
    ),
    (
        "wake",
        "idle pool, one request: time until its callback runs (p50, p99)",
    ),
    (
        "memory",
        "peak RSS while 10,000,000 requests stream through the pool",
    ),
    (
        "compat_iter",
        "rayon-compat vs rayon: par_sort_unstable, par_lines word count, flat_map, find_first",
    ),
    (
        "python",
        "100,000 requests with make_requests + put_request + wait, per request, vs Python's threadpool",
    ),
];

const USAGE: &str = "\
suite [--quick] [--only IMPLEMENTATION] [--python PYTHON SCRIPT] [SCENARIO...]
      suite --list
      suite --child idle|memory IMPLEMENTATION ARGS...";

/// How the run was asked for.
struct Config {
    quick: bool,
    workers: usize,
    /// The interpreter (with `threadpool` installed) and the script that
    /// times the Python module; the python scenario needs both.
    python: Option<(String, String)>,
}

impl Config {
    /// Rounds per implementation: `full` normally, `quick` with `--quick`.
    fn rounds(&self, full: usize, quick: usize) -> usize {
        if self.quick { quick } else { full }
    }

    /// A size: `full` normally, `quick` with `--quick`.
    fn size<T>(&self, full: T, quick: T) -> T {
        if self.quick { quick } else { full }
    }
}

fn main() {
    // `cargo bench` appends `--bench`; it means nothing here.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1..]);
        return;
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut config = Config {
        quick: false,
        workers,
        python: None,
    };
    let mut selected = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => config.quick = true,
            "--only" => match args.next() {
                Some(implementation) => ONLY.set(implementation).expect("set once"),
                None => fail("--only takes an implementation's name"),
            },
            "--list" => {
                for (name, what) in SCENARIOS {
                    println!("{name:<10} {what}");
                }
                return;
            }
            "--python" => match (args.next(), args.next()) {
                (Some(python), Some(script)) => config.python = Some((python, script)),
                _ => fail("--python takes the interpreter and the script"),
            },
            "--help" | "-h" => {
                println!("{USAGE}");
                return;
            }
            name if SCENARIOS.iter().any(|(known, _)| *known == name) => {
                selected.push(name.to_owned());
            }
            other => fail(&format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if selected.is_empty() {
        selected = SCENARIOS
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .filter(|name| name != "python" || config.python.is_some())
            .collect();
    }
    eprintln!(
        "suite: {} workers per pool, {} mode",
        config.workers,
        if config.quick { "quick" } else { "full" }
    );
    for name in &selected {
        let started = Instant::now();
        eprintln!("suite: {name} ...");
        match name.as_str() {
            "submit" => submit(&config),
            "par_map" => par_map(&config),
            "fork_join" => fork_join(&config),
            "tree_sum" => tree_sum::tree_sum(&config),
            "wide" => wide::wide(&config),
            "blocking" => wide::blocking(&config),
            "idle" => idle(&config),
            "wake" => wake(&config),
            "memory" => memory(&config),
            "python" => python(&config),
            "compat_iter" => compat_iter::compat_iter(&config),
            _ => unreachable!("checked while parsing"),
        }
        eprintln!(
            "suite: {name} took {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
}

fn fail(message: &str) -> ! {
    eprintln!("suite: {message}");
    std::process::exit(2);
}

// ---------------------------------------------------------------------------
// Recording and reporting

/// The samples of one scenario's measurement, per implementation, in the
/// order the implementations were first seen.
struct Samples {
    scenario: String,
    unit: &'static str,
    order: Vec<String>,
    values: BTreeMap<String, Vec<f64>>,
}

impl Samples {
    fn new(scenario: &str, unit: &'static str) -> Self {
        Samples {
            scenario: scenario.to_owned(),
            unit,
            order: Vec::new(),
            values: BTreeMap::new(),
        }
    }

    fn push(&mut self, implementation: &str, value: f64) {
        if !self.values.contains_key(implementation) {
            self.order.push(implementation.to_owned());
        }
        self.values
            .entry(implementation.to_owned())
            .or_default()
            .push(value);
    }

    fn median(&self, implementation: &str) -> Option<f64> {
        self.values.get(implementation).map(|v| median(v))
    }

    /// Prints a `RESULT` line per implementation and a `RATIO` line per
    /// (ours, peer) pair whose peer value is not zero.
    fn report(&self, ours: &[&str], peers: &[&str]) {
        for implementation in &self.order {
            let value = self.median(implementation).expect("recorded");
            println!(
                "RESULT {} {} {} {}",
                self.scenario,
                implementation,
                fmt_value(value),
                self.unit
            );
        }
        for ours in ours {
            for peer in peers {
                if let (Some(a), Some(b)) = (self.median(ours), self.median(peer))
                    && b > 0.0
                {
                    println!("RATIO {} {ours} {peer} {:.4}", self.scenario, a / b);
                }
            }
        }
    }
}

fn fmt_value(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.4}")
    }
}

fn median(values: &[f64]) -> f64 {
    percentile(values, 0.5)
}

/// The value at `p` (0..=1) of the sorted samples, nearest rank.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// With `--only IMPLEMENTATION`, the one implementation measured (for
/// profiling it alone, e.g. under `perf record`).
static ONLY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Runs `rounds` rounds of every implementation, starting each round at the
/// next implementation so that none always runs right after the same one.
fn interleave<'a>(rounds: usize, implementations: &[&'a str], mut run: impl FnMut(&'a str)) {
    for round in 0..rounds {
        for k in 0..implementations.len() {
            let implementation = implementations[(round + k) % implementations.len()];
            if ONLY.get().is_none_or(|only| only == implementation) {
                run(implementation);
            }
        }
    }
}

fn ns_per(elapsed: Duration, n: u64) -> f64 {
    elapsed.as_nanos() as f64 / n as f64
}

// ---------------------------------------------------------------------------
// 1. submit → callback

const OURS_SUBMIT: &str = "threadpool-core";
const OURS_SUBMIT_BATCHED: &str = "threadpool-core-batched";

fn submit(config: &Config) {
    let n = config.size(1_000_000_u64, 200_000);
    let mut samples = Samples::new("submit", "ns/request");
    let implementations = [
        OURS_SUBMIT,
        OURS_SUBMIT_BATCHED,
        "threadpool-crate",
        "rayon-spawn",
        "sequential",
    ];
    interleave(config.rounds(9, 3), &implementations, |implementation| {
        let elapsed = submit_once(implementation, config.workers, n);
        samples.push(implementation, ns_per(elapsed, n));
    });
    samples.report(
        &[OURS_SUBMIT, OURS_SUBMIT_BATCHED],
        &["threadpool-crate", "rayon-spawn", "sequential"],
    );
}

/// One timed run of `n` requests on a fresh pool that has first run a
/// warm-up batch; the pool's start and stop are not timed.
fn submit_once(implementation: &str, workers: usize, n: u64) -> Duration {
    let expected = n * (n - 1) / 2;
    let warm_up = n / 10;
    match implementation {
        OURS_SUBMIT | OURS_SUBMIT_BATCHED => {
            let batched = implementation == OURS_SUBMIT_BATCHED;
            let sum = Cell::new(0_u64);
            let mut pool = ThreadPool::new(workers).expect("pool starts");
            let mut run = |n: u64| {
                if batched {
                    pool.put_requests((0..n).map(|i| {
                        WorkRequest::new(move || black_box(i))
                            .on_result(|_, v| sum.set(sum.get() + v))
                    }))
                    .expect("put");
                } else {
                    for i in 0..n {
                        let request = WorkRequest::new(move || black_box(i))
                            .on_result(|_, v| sum.set(sum.get() + v));
                        pool.put_request(request).expect("put");
                    }
                }
                pool.wait().expect("wait");
                sum.replace(0)
            };
            run(warm_up);
            let started = Instant::now();
            let total = run(n);
            let elapsed = started.elapsed();
            assert_eq!(total, expected, "{implementation}: wrong sum");
            elapsed
        }
        "threadpool-crate" => {
            let pool = threadpool::ThreadPool::new(workers);
            let run = |n: u64| {
                let (tx, rx) = mpsc::channel();
                for i in 0..n {
                    let tx = tx.clone();
                    pool.execute(move || tx.send(black_box(i)).unwrap());
                }
                drop(tx);
                rx.iter().sum::<u64>()
            };
            run(warm_up);
            let started = Instant::now();
            let total = run(n);
            let elapsed = started.elapsed();
            assert_eq!(total, expected, "{implementation}: wrong sum");
            elapsed
        }
        "rayon-spawn" => {
            let pool = rayon_pool(workers);
            let run = |n: u64| {
                let (tx, rx) = mpsc::channel();
                for i in 0..n {
                    let tx = tx.clone();
                    pool.spawn(move || tx.send(black_box(i)).unwrap());
                }
                drop(tx);
                rx.iter().sum::<u64>()
            };
            run(warm_up);
            let started = Instant::now();
            let total = run(n);
            let elapsed = started.elapsed();
            assert_eq!(total, expected, "{implementation}: wrong sum");
            elapsed
        }
        "sequential" => {
            // The same job and callback, called in a loop.
            let run = |n: u64| {
                let mut sum = 0_u64;
                let mut callback = |v: u64| sum += v;
                for i in 0..n {
                    let job = move || black_box(i);
                    callback(job());
                }
                sum
            };
            run(warm_up);
            let started = Instant::now();
            let total = run(n);
            let elapsed = started.elapsed();
            assert_eq!(total, expected, "{implementation}: wrong sum");
            elapsed
        }
        other => unreachable!("no submit implementation `{other}`"),
    }
}

fn rayon_pool(workers: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("rayon pool starts")
}

fn compat_pool(workers: usize) -> threadpool_rayon_compat::ThreadPool {
    threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("compat pool starts")
}

// ---------------------------------------------------------------------------
// 2. par_map

const OURS_PAR_ITER: &str = "compat-par_iter";
const OURS_PAR_MAP: &str = "compat-par_map";

fn cheap(n: u64) -> u64 {
    n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n >> 7)
}

/// `rounds` steps of dependent arithmetic that the compiler cannot skip.
fn heavy(seed: u64, rounds: u32) -> u64 {
    let mut x = seed;
    for _ in 0..rounds {
        x = black_box(x)
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
    }
    x >> 60
}

/// The number of `heavy` rounds that takes about `target` on this machine.
fn calibrate_heavy(target: Duration) -> u32 {
    let probe = 10_000_u32;
    let calls = 200;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        for i in 0..calls {
            black_box(heavy(i, probe));
        }
        best = best.min(started.elapsed() / calls as u32);
    }
    let rounds = probe as f64 * target.as_secs_f64() / best.as_secs_f64();
    rounds.max(1.0) as u32
}

fn par_map(config: &Config) {
    let compat = compat_pool(config.workers);
    let rayon = rayon_pool(config.workers);
    let implementations = [OURS_PAR_ITER, OURS_PAR_MAP, "rayon-par_iter", "sequential"];

    // 10,000,000 cheap items, map + collect into a Vec.
    let n = config.size(10_000_000_u64, 2_000_000);
    let input: Vec<u64> = (0..n).collect();
    let expected: Vec<u64> = input.iter().map(|&x| cheap(x)).collect();
    let mut samples = Samples::new("par_map/cheap", "ms");
    interleave(config.rounds(7, 3), &implementations, |implementation| {
        let started = Instant::now();
        let out: Vec<u64> = match implementation {
            OURS_PAR_ITER => compat.install(|| {
                use threadpool_rayon_compat::prelude::*;
                input.par_iter().map(|&x| cheap(x)).collect()
            }),
            OURS_PAR_MAP => compat.install(|| {
                use threadpool_rayon_compat::ParMap;
                input.iter().copied().par_map(cheap).collect()
            }),
            "rayon-par_iter" => rayon.install(|| {
                use rayon::prelude::*;
                input.par_iter().map(|&x| cheap(x)).collect()
            }),
            _ => input.iter().map(|&x| cheap(x)).collect(),
        };
        let elapsed = started.elapsed();
        assert!(out == expected, "{implementation}: wrong output");
        drop(out);
        samples.push(implementation, elapsed.as_secs_f64() * 1e3);
    });
    samples.report(
        &[OURS_PAR_ITER, OURS_PAR_MAP],
        &["rayon-par_iter", "sequential"],
    );
    drop((input, expected));

    // 100,000 items of about 10 µs each.
    let rounds = calibrate_heavy(Duration::from_micros(10));
    eprintln!("suite: ~10 µs of work = {rounds} rounds of `heavy`");
    let n = config.size(100_000_u64, 20_000);
    let input: Vec<u64> = (0..n).collect();
    let expected: u64 = input.iter().map(|&x| heavy(x, rounds)).sum();
    let mut samples = Samples::new("par_map/10us", "ms");
    interleave(config.rounds(5, 2), &implementations, |implementation| {
        let started = Instant::now();
        let out: Vec<u64> = match implementation {
            OURS_PAR_ITER => compat.install(|| {
                use threadpool_rayon_compat::prelude::*;
                input.par_iter().map(|&x| heavy(x, rounds)).collect()
            }),
            OURS_PAR_MAP => compat.install(|| {
                use threadpool_rayon_compat::ParMap;
                input
                    .iter()
                    .copied()
                    .par_map(move |x| heavy(x, rounds))
                    .collect()
            }),
            "rayon-par_iter" => rayon.install(|| {
                use rayon::prelude::*;
                input.par_iter().map(|&x| heavy(x, rounds)).collect()
            }),
            _ => input.iter().map(|&x| heavy(x, rounds)).collect(),
        };
        let elapsed = started.elapsed();
        assert_eq!(
            out.iter().sum::<u64>(),
            expected,
            "{implementation}: wrong output"
        );
        samples.push(implementation, elapsed.as_secs_f64() * 1e3);
    });
    samples.report(
        &[OURS_PAR_ITER, OURS_PAR_MAP],
        &["rayon-par_iter", "sequential"],
    );
    par_map_defaults::run(config);
}

// ---------------------------------------------------------------------------
// 3. fork-join

const OURS_JOIN: &str = "threadpool-core-join";
const OURS_COMPAT_JOIN: &str = "compat-join";
const OURS_WORKER_JOIN: &str = "threadpool-core-worker-join";

fn fib_sequential(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    fib_sequential(n - 1) + fib_sequential(n - 2)
}

/// fib with a real call at every node: the result goes through
/// `black_box`, so the compiler cannot turn the second call into a loop
/// (which it does to `fib_sequential`). The "plain function call" that a
/// `join` on one worker is measured against.
fn fib_plain_call(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    black_box(fib_plain_call(n - 1) + fib_plain_call(n - 2))
}

fn fib_core(pool: &PoolHandle, n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = pool.join(|| fib_core(pool, n - 1), || fib_core(pool, n - 2));
    a + b
}

fn fib_worker(worker: Worker<'_>, n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = worker.join(|w| fib_worker(w, n - 1), |w| fib_worker(w, n - 2));
    a + b
}

fn fib_compat(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = threadpool_rayon_compat::join(|| fib_compat(n - 1), || fib_compat(n - 2));
    a + b
}

fn fib_rayon(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = rayon::join(|| fib_rayon(n - 1), || fib_rayon(n - 2));
    a + b
}

fn fork_join(config: &Config) {
    const N: u32 = 30;
    let expected = fib_sequential(N);
    // fib(30) makes 2 fib(31) - 1 calls: the nodes of its call tree.
    let nodes = 2 * fib_sequential(N + 1) - 1;
    for workers in [config.workers, 1] {
        let core = ThreadPoolBuilder::new()
            .num_workers(workers)
            .build_handle()
            .expect("pool starts");
        let compat = compat_pool(workers);
        let rayon = rayon_pool(workers);
        let (mut samples, mut per_node) = if workers == 1 {
            (
                Samples::new("fork_join/1worker", "ms"),
                Samples::new("fork_join/1worker/node", "ns/node"),
            )
        } else {
            (
                Samples::new("fork_join", "ms"),
                Samples::new("fork_join/node", "ns/node"),
            )
        };
        let implementations = [
            OURS_JOIN,
            OURS_WORKER_JOIN,
            OURS_COMPAT_JOIN,
            "rayon-join",
            "sequential",
            "plain-call",
        ];
        interleave(config.rounds(11, 3), &implementations, |implementation| {
            let started = Instant::now();
            let value = match implementation {
                OURS_JOIN => core.install(|| fib_core(&core, black_box(N))),
                OURS_WORKER_JOIN => core.with_worker(|w| fib_worker(w, black_box(N))),
                OURS_COMPAT_JOIN => compat.install(|| fib_compat(black_box(N))),
                "rayon-join" => rayon.install(|| fib_rayon(black_box(N))),
                "plain-call" => fib_plain_call(black_box(N)),
                _ => fib_sequential(black_box(N)),
            };
            let elapsed = started.elapsed();
            assert_eq!(value, expected, "{implementation}: wrong fib");
            samples.push(implementation, elapsed.as_secs_f64() * 1e3);
            per_node.push(implementation, ns_per(elapsed, nodes));
        });
        core.shutdown();
        samples.report(
            &[OURS_JOIN, OURS_WORKER_JOIN, OURS_COMPAT_JOIN],
            &["rayon-join", "sequential", "plain-call"],
        );
        per_node.report(&[], &[]);
    }
    nested_blocking(config);
}

/// Nested joins of long closures that fork nothing more: four leaves, each
/// blocking for [`LEAF`], joined two by two, on a pool of four workers. The
/// ideal is one leaf's time; a fork that stays on its worker's fork list
/// while the others are idle runs after its sibling, doubling it.
fn nested_blocking(config: &Config) {
    const LEAF: Duration = Duration::from_micros(300);
    const WORKERS: usize = 4;
    fn leaf() {
        std::thread::sleep(LEAF);
    }
    let core = ThreadPoolBuilder::new()
        .num_workers(WORKERS)
        .build_handle()
        .expect("pool starts");
    let rayon = rayon_pool(WORKERS);
    let repeat = config.size(50, 20);
    let mut samples = Samples::new("fork_join/nested_blocking", "ms");
    interleave(
        config.rounds(9, 3),
        &[OURS_JOIN, "rayon-join"],
        |implementation| {
            let started = Instant::now();
            for _ in 0..repeat {
                match implementation {
                    OURS_JOIN => core
                        .install(|| core.join(|| core.join(leaf, leaf), || core.join(leaf, leaf))),
                    _ => rayon.install(|| {
                        rayon::join(|| rayon::join(leaf, leaf), || rayon::join(leaf, leaf))
                    }),
                };
            }
            samples.push(
                implementation,
                started.elapsed().as_secs_f64() * 1e3 / repeat as f64,
            );
        },
    );
    core.shutdown();
    samples.report(&[OURS_JOIN], &["rayon-join"]);
}

// ---------------------------------------------------------------------------
// 4. idle, 6. memory: measured in child processes

/// Runs this binary again as `--child <args>` and returns the numbers on
/// its last line of output.
fn run_child(args: &[String]) -> Vec<f64> {
    let exe = std::env::current_exe().expect("own path");
    let output = Command::new(exe)
        .arg("--child")
        .args(args)
        .output()
        .expect("child starts");
    if !output.status.success() {
        fail(&format!(
            "child {args:?} failed with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    line.split_whitespace()
        .map(|field| field.parse().expect("child prints numbers"))
        .collect()
}

fn child(args: &[String]) {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let workers: usize = arg(2).parse().expect("workers");
    match arg(0) {
        "idle" => {
            let seconds: f64 = arg(3).parse().expect("seconds");
            idle_child(arg(1), workers, Duration::from_secs_f64(seconds));
        }
        "memory" => {
            let n: u64 = arg(3).parse().expect("requests");
            memory_child(arg(1), workers, n);
        }
        other => fail(&format!("no child scenario `{other}`")),
    }
}

const IDLE_IMPLEMENTATIONS: [&str; 4] = ["threadpool-core", "none", "rayon", "threadpool-crate"];

fn idle(config: &Config) {
    let window = 2.0;
    let mut cpu = Samples::new("idle/cpu", "us");
    let mut switches = Samples::new("idle/ctxsw", "switches");
    interleave(
        config.rounds(5, 1),
        &IDLE_IMPLEMENTATIONS,
        |implementation| {
            let values = run_child(&[
                "idle".to_owned(),
                implementation.to_owned(),
                config.workers.to_string(),
                window.to_string(),
            ]);
            cpu.push(implementation, values[0]);
            switches.push(implementation, values[1]);
        },
    );
    let peers = ["none", "rayon", "threadpool-crate"];
    cpu.report(&["threadpool-core"], &peers);
    switches.report(&["threadpool-core"], &peers);
}

/// CPU time (user + system, µs) and context switches (voluntary +
/// involuntary) of the whole process so far, from `getrusage(RUSAGE_SELF)`.
fn rusage() -> (f64, f64) {
    // SAFETY: `getrusage` only writes the `rusage` it is handed, which is a
    // valid, writable, zero-initialised struct of the right type.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let micros = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    (
        micros(usage.ru_utime) + micros(usage.ru_stime),
        (usage.ru_nvcsw + usage.ru_nivcsw) as f64,
    )
}

/// A burst of 100,000 tiny jobs on a pool of `workers`, then `window` of
/// nothing; prints the CPU time and context switches of the window.
fn idle_child(implementation: &str, workers: usize, window: Duration) {
    const BURST: u64 = 100_000;
    let expected = BURST * (BURST - 1) / 2;
    let sum = Cell::new(0_u64);
    // Each arm leaves its pool alive (idle) through the window.
    let keep: Box<dyn std::any::Any> = match implementation {
        "none" => {
            let total: u64 = (0..BURST).map(black_box).sum();
            assert_eq!(total, expected);
            Box::new(())
        }
        "threadpool-core" => {
            let mut pool = ThreadPool::new(workers).expect("pool starts");
            for i in 0..BURST {
                let request =
                    WorkRequest::new(move || black_box(i)).on_result(|_, v| sum.set(sum.get() + v));
                pool.put_request(request).expect("put");
            }
            pool.wait().expect("wait");
            assert_eq!(sum.get(), expected);
            // The pool borrows `sum`; keep it through the window by hand.
            let before = rusage();
            std::thread::sleep(window);
            let after = rusage();
            drop(pool);
            println!("{} {}", after.0 - before.0, after.1 - before.1);
            return;
        }
        "rayon" => {
            let pool = rayon_pool(workers);
            let (tx, rx) = mpsc::channel();
            for i in 0..BURST {
                let tx = tx.clone();
                pool.spawn(move || tx.send(black_box(i)).unwrap());
            }
            drop(tx);
            assert_eq!(rx.iter().sum::<u64>(), expected);
            Box::new(pool)
        }
        "threadpool-crate" => {
            let pool = threadpool::ThreadPool::new(workers);
            let (tx, rx) = mpsc::channel();
            for i in 0..BURST {
                let tx = tx.clone();
                pool.execute(move || tx.send(black_box(i)).unwrap());
            }
            drop(tx);
            assert_eq!(rx.iter().sum::<u64>(), expected);
            Box::new(pool)
        }
        other => fail(&format!("no idle implementation `{other}`")),
    };
    let before = rusage();
    std::thread::sleep(window);
    let after = rusage();
    drop(keep);
    println!("{} {}", after.0 - before.0, after.1 - before.1);
}

/// The process's peak resident set so far (`VmHWM`), in KiB.
fn peak_rss_kib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

const MEMORY_IMPLEMENTATIONS: [&str; 3] = [
    "threadpool-core-bounded",
    "threadpool-crate",
    "threadpool-core-unbounded",
];

fn memory(config: &Config) {
    let n = config.size(10_000_000_u64, 2_000_000);
    let mut rss = Samples::new("memory/peak_rss", "MiB");
    let mut time = Samples::new("memory/time", "ns/request");
    interleave(
        config.rounds(3, 1),
        &MEMORY_IMPLEMENTATIONS,
        |implementation| {
            let values = run_child(&[
                "memory".to_owned(),
                implementation.to_owned(),
                config.workers.to_string(),
                n.to_string(),
            ]);
            rss.push(implementation, values[0] / 1024.0);
            time.push(implementation, values[1]);
        },
    );
    let peers = ["threadpool-crate", "threadpool-core-unbounded"];
    rss.report(&["threadpool-core-bounded"], &peers);
    time.report(&["threadpool-core-bounded"], &peers);
}

/// Streams `n` requests through a pool; prints the peak RSS (KiB) and the
/// time per request (ns).
fn memory_child(implementation: &str, workers: usize, n: u64) {
    /// Requests the bounded pool holds at most, and results.
    const BOUND: usize = 1024;
    let expected = n * (n - 1) / 2;
    let started = Instant::now();
    match implementation {
        "threadpool-core-bounded" | "threadpool-core-unbounded" => {
            let sum = Cell::new(0_u64);
            let mut pool = if implementation == "threadpool-core-bounded" {
                ThreadPool::builder()
                    .num_workers(workers)
                    .queue_size(BOUND)
                    .result_queue_size(BOUND)
                    .build()
            } else {
                ThreadPool::new(workers)
            }
            .expect("pool starts");
            for i in 0..n {
                let request =
                    WorkRequest::new(move || black_box(i)).on_result(|_, v| sum.set(sum.get() + v));
                pool.put_request(request).expect("put");
            }
            pool.wait().expect("wait");
            assert_eq!(sum.get(), expected);
        }
        "threadpool-crate" => {
            let pool = threadpool::ThreadPool::new(workers);
            let (tx, rx) = mpsc::channel();
            for i in 0..n {
                let tx = tx.clone();
                pool.execute(move || tx.send(black_box(i)).unwrap());
            }
            drop(tx);
            assert_eq!(rx.iter().sum::<u64>(), expected);
        }
        other => fail(&format!("no memory implementation `{other}`")),
    }
    let elapsed = started.elapsed();
    println!("{} {}", peak_rss_kib(), ns_per(elapsed, n));
}

// ---------------------------------------------------------------------------
// 5. wake-up latency

const WAKE_IMPLEMENTATIONS: [&str; 4] = [
    "threadpool-core",
    "rayon-spawn",
    "threadpool-crate",
    "thread-spawn",
];

fn wake(config: &Config) {
    let trials = config.size(800, 150);
    // Long enough for every pool's workers to stop spinning and sleep.
    let gap = Duration::from_millis(3);
    let workers = config.workers;
    let started_at = Cell::new(None);
    let mut ours = ThreadPool::new(workers).expect("pool starts");
    let rayon = rayon_pool(workers);
    let crate_pool = threadpool::ThreadPool::new(workers);
    let (tx, rx) = mpsc::channel::<Instant>();
    let mut callback = Samples::new("wake/p50", "us");
    let mut callback_p99 = Samples::new("wake/p99", "us");
    let mut job = Samples::new("wake/job_p50", "us");
    let mut all: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    interleave(trials, &WAKE_IMPLEMENTATIONS, |implementation| {
        std::thread::sleep(gap);
        let t0 = Instant::now();
        let (job_started, done) = match implementation {
            "threadpool-core" => {
                let request = WorkRequest::new(Instant::now).on_result(|_, job_started| {
                    started_at.set(Some((job_started, Instant::now())))
                });
                ours.put_request(request).expect("put");
                ours.wait().expect("wait");
                started_at.take().expect("callback ran")
            }
            "rayon-spawn" => {
                let tx = tx.clone();
                rayon.spawn(move || tx.send(Instant::now()).unwrap());
                (rx.recv().unwrap(), Instant::now())
            }
            "threadpool-crate" => {
                let tx = tx.clone();
                crate_pool.execute(move || tx.send(Instant::now()).unwrap());
                (rx.recv().unwrap(), Instant::now())
            }
            _ => {
                let tx = tx.clone();
                let thread = std::thread::spawn(move || tx.send(Instant::now()).unwrap());
                let got = (rx.recv().unwrap(), Instant::now());
                thread.join().unwrap();
                got
            }
        };
        let micros = |t: Instant| t.duration_since(t0).as_secs_f64() * 1e6;
        let entry = all.entry(implementation).or_default();
        entry.0.push(micros(done));
        entry.1.push(micros(job_started));
    });
    for implementation in WAKE_IMPLEMENTATIONS {
        let Some((done, started)) = all.get(implementation) else {
            continue;
        };
        callback.push(implementation, percentile(done, 0.5));
        callback_p99.push(implementation, percentile(done, 0.99));
        job.push(implementation, percentile(started, 0.5));
    }
    let peers = ["rayon-spawn", "threadpool-crate", "thread-spawn"];
    callback.report(&["threadpool-core"], &peers);
    callback_p99.report(&["threadpool-core"], &peers);
    job.report(&["threadpool-core"], &peers);
}

// ---------------------------------------------------------------------------
// 7. the Python original

fn python(config: &Config) {
    let Some((interpreter, script)) = &config.python else {
        fail("the python scenario needs --python PYTHON SCRIPT (cargo xtask bench sets them)");
    };
    let n = config.size(100_000_u64, 20_000);
    let workers = config.workers;
    let mut samples = Samples::new("python", "ns/request");
    let implementations = ["threadpool-core", "python-threadpool"];
    interleave(config.rounds(5, 1), &implementations, |implementation| {
        let value = if implementation == "python-threadpool" {
            let output = Command::new(interpreter)
                .arg(script)
                .arg(n.to_string())
                .arg(workers.to_string())
                .output()
                .unwrap_or_else(|err| fail(&format!("could not run {interpreter}: {err}")));
            if !output.status.success() {
                fail(&format!(
                    "{script} failed with {}: {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            String::from_utf8_lossy(&output.stdout)
                .trim()
                .parse()
                .unwrap_or_else(|_| fail(&format!("{script} printed no number")))
        } else {
            let mut pool = ThreadPool::new(workers).expect("pool starts");
            let mut total = 0_u64;
            let started = Instant::now();
            for request in make_requests(|x: u64| x * 2, 0..n, |_, v| total += v) {
                pool.put_request(request).expect("put");
            }
            pool.wait().expect("wait");
            let elapsed = started.elapsed();
            drop(pool);
            assert_eq!(total, n * (n - 1));
            ns_per(elapsed, n)
        };
        samples.push(implementation, value);
    });
    samples.report(&["threadpool-core"], &["python-threadpool"]);
}
