//! `par_map` over a stream too long to hold: 5 million log lines made one
//! at a time by an iterator, parsed and hashed on the pool, and folded into
//! a summary in input order. Only a bounded window of lines is ever alive,
//! so the peak memory stays flat however long the stream runs.
//!
//! It runs at `par_map`'s default settings (the batch size and the window
//! follow the measured cost of a line), and the map function borrows its
//! settings, which `par_map_scope` allows.
//!
//! Run it with `cargo run --release -p examples --bin par_map_stream`
//! (optionally with a line count: `... -- 20000000`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use threadpool_rayon_compat::{current_num_threads, par_map_scope};

/// Lines alive right now (made and not yet dropped), and the most ever.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// A line of the stream, counted while it lives.
struct Line(String);

impl Line {
    fn new(text: String) -> Self {
        let live = LIVE.fetch_add(1, Ordering::Relaxed) + 1;
        PEAK.fetch_max(live, Ordering::Relaxed);
        Line(text)
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The `n`th line of a made-up access log.
fn make_line(n: u64) -> Line {
    let status = [200, 200, 200, 304, 404, 500][(n % 6) as usize];
    Line::new(format!(
        "10.0.{}.{} GET /item/{} {status} {}",
        n % 256,
        n / 256 % 256,
        n.wrapping_mul(2_654_435_761) % 100_000,
        n % 9_000 + 100,
    ))
}

/// How lines are digested; borrowed by the map function.
struct Settings {
    /// Rounds of hashing per line, to give the pool work.
    hash_rounds: usize,
    /// Statuses from this one up count as errors.
    error_status: u16,
}

/// What the pool computes per line: the status, the size, and an FNV-1a
/// hash of the whole line (stirred a few rounds, to give the pool work).
fn digest(line: Line, settings: &Settings) -> (u16, u64, u64) {
    let mut fields = line.0.split(' ');
    let status: u16 = fields.nth(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let bytes: u64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for _ in 0..settings.hash_rounds {
        for b in line.0.bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    (status, bytes, hash)
}

/// The peak resident set size of this process, from /proc (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let total: u64 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(5_000_000);
    let settings = Settings {
        hash_rounds: 4,
        error_status: 400,
    };
    println!(
        "mapping {total} lines on {} threads, default par_map settings",
        current_num_threads()
    );
    let start = Instant::now();
    let lines = (0..total).map(make_line); // lazy: nothing is made yet
    // The scope lets `digest` borrow `settings`; its body runs on the pool.
    let (errors, bytes, checksum) = par_map_scope(|s| {
        let mut errors = 0_u64;
        let mut bytes = 0_u64;
        let mut checksum = 0_u64;
        let digests = s.par_map(lines, |line| digest(line, &settings));
        for (i, (status, size, hash)) in digests.enumerate() {
            if status >= settings.error_status {
                errors += 1;
            }
            bytes += size;
            // Order-dependent: it would change if results came out of order.
            checksum = checksum.rotate_left(5) ^ hash;
            if (i + 1) % 1_000_000 == 0 {
                println!(
                    "{:>9} lines  {:>6.2} s  lines alive now {:>5}  peak {:>5}  peak RSS {} KiB",
                    i + 1,
                    start.elapsed().as_secs_f64(),
                    LIVE.load(Ordering::Relaxed),
                    PEAK.load(Ordering::Relaxed),
                    peak_rss_kib().map_or_else(|| "?".to_owned(), |kib| kib.to_string()),
                );
            }
        }
        (errors, bytes, checksum)
    });
    println!(
        "done in {:.2} s: {errors} errors, {bytes} bytes, checksum {checksum:016x}",
        start.elapsed().as_secs_f64()
    );
    println!(
        "peak lines alive: {} of {total} lines",
        PEAK.load(Ordering::Relaxed)
    );
}
