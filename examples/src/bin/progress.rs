//! A progress bar driven by callbacks: 10,000 requests of uneven CPU work,
//! about 1% of which panic, on a pool with one worker per core. The main
//! thread waits for results with `poll_timeout` in a loop; each result's
//! callback runs on the main thread, updates the tally the pool holds, and
//! advances an `indicatif` bar that shows throughput and the time left. A
//! panicking job does not stop the run, nor print over the bar: its
//! exception callback counts it, and the failures are listed at the end with
//! their request ids and messages.
//!
//! Run it with `cargo run -p examples --bin progress`. The bar is drawn only
//! when stderr is a terminal; the summary goes to stdout either way.

use std::error::Error;
use std::hint::black_box;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use examples::Rng;
use indicatif::{ProgressBar, ProgressStyle};
use threadpool_core::{Exception, PollError, RequestId, ThreadPool, make_requests_with_state};

/// Requests in a run.
const REQUESTS: u64 = 10_000;
/// One request in how many panics on purpose.
const FAIL_ONE_IN: u64 = 100;

/// One piece of work: how long to crunch, and whether to fail at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Task {
    index: u64,
    work: Duration,
    fails: bool,
}

/// `count` tasks of uneven length: most take 0.1 to 0.5 ms, one in twenty
/// takes 1 to 2 ms, and about one in [`FAIL_ONE_IN`] panics. The same seed
/// gives the same plan.
fn plan(count: u64, seed: u64) -> Vec<Task> {
    let rng = Rng::new(seed);
    (0..count)
        .map(|index| {
            let micros = if rng.range(1, 20) == 1 {
                rng.range(1_000, 2_000)
            } else {
                rng.range(100, 500)
            };
            Task {
                index,
                work: Duration::from_micros(micros),
                fails: rng.range(1, FAIL_ONE_IN) == 1,
            }
        })
        .collect()
}

/// The job: mixes a checksum on the CPU for `task.work`, then returns it, or
/// panics if the task is one meant to fail.
fn crunch(task: Task) -> u64 {
    let start = Instant::now();
    let mut sum = task.index.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    loop {
        // Check the clock only now and then: the loop is the work.
        for _ in 0..256 {
            sum ^= sum << 13;
            sum ^= sum >> 7;
            sum ^= sum << 17;
            sum = black_box(sum);
        }
        if start.elapsed() >= task.work {
            break;
        }
    }
    if task.fails {
        panic!(
            "task {}: checksum {sum:#018x} failed verification",
            task.index
        );
    }
    sum
}

/// What the callbacks keep up to date: the pool's state.
#[derive(Debug)]
struct Tally {
    /// The bar on screen (a handle onto it: clones draw the same bar).
    bar: ProgressBar,
    results: u64,
    checksum: u64,
    failures: Vec<(RequestId, String)>,
}

impl Tally {
    fn new(bar: ProgressBar) -> Self {
        Tally {
            bar,
            results: 0,
            checksum: 0,
            failures: Vec::new(),
        }
    }

    /// A job's checksum.
    fn result(&mut self, _id: RequestId, sum: u64) {
        self.results += 1;
        self.checksum ^= sum;
        self.bar.inc(1);
    }

    /// A job that panicked.
    fn failure(&mut self, id: RequestId, exception: Exception) {
        self.failures.push((id, exception.to_string()));
        self.bar
            .set_message(format!("{} panicked", self.failures.len()));
        self.bar.inc(1);
    }
}

/// What a run produced.
#[derive(Debug)]
struct Summary {
    results: u64,
    checksum: u64,
    failures: Vec<(RequestId, String)>,
    elapsed: Duration,
}

/// Runs `tasks` on `workers` threads, advancing `bar` from the callbacks.
fn run(tasks: Vec<Task>, workers: usize, bar: &ProgressBar) -> Result<Summary, Box<dyn Error>> {
    let start = Instant::now();
    let mut pool = ThreadPool::builder()
        .num_workers(workers)
        .thread_name("progress")
        .build_with_state(Tally::new(bar.clone()))?;
    // One request per task; every one shares the two callbacks, which the
    // pool hands its `Tally`.
    let requests = make_requests_with_state(crunch, tasks, Tally::result, Tally::failure);
    for request in requests {
        pool.put_request(request)?;
    }
    // Wait for results a tenth of a second at a time; a CLI could check for
    // Ctrl-C or redraw something else between two polls.
    loop {
        match pool.poll_timeout(Duration::from_millis(100)) {
            Ok(_) | Err(PollError::Timeout) => {}
            Err(PollError::NoResultsPending) => break,
            Err(err) => return Err(err.into()),
        }
    }
    let tally = pool.into_state();

    Ok(Summary {
        results: tally.results,
        checksum: tally.checksum,
        failures: tally.failures,
        elapsed: start.elapsed(),
    })
}

fn main() -> ExitCode {
    match try_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("progress: {err}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> Result<(), Box<dyn Error>> {
    let workers = thread::available_parallelism().map_or(2, usize::from);
    let tasks = plan(REQUESTS, Rng::from_time().next_u64());
    let bar = ProgressBar::new(REQUESTS);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] [{wide_bar}] {pos}/{len} ({per_sec}, ETA {eta}) {msg}",
        )?
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(100));

    let summary = run(tasks, workers, &bar)?;
    bar.finish();

    let secs = summary.elapsed.as_secs_f64();
    println!(
        "{REQUESTS} requests on {workers} workers in {secs:.2} s ({:.0} requests/s)",
        REQUESTS as f64 / secs
    );
    println!(
        "{} results (checksum {:#018x}), {} panicked:",
        summary.results,
        summary.checksum,
        summary.failures.len()
    );
    for (id, message) in &summary.failures {
        println!("  request {id}: {message}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_reproducible_uneven_and_fails_about_one_percent() {
        let tasks = plan(REQUESTS, 42);
        assert_eq!(tasks, plan(REQUESTS, 42));
        assert!(tasks.iter().enumerate().all(|(i, t)| t.index == i as u64));
        let micros = |t: &Task| t.work.as_micros();
        assert!(tasks.iter().all(|t| (100..=2_000).contains(&micros(t))));
        assert!(tasks.iter().any(|t| micros(t) < 200));
        assert!(tasks.iter().any(|t| micros(t) >= 1_000));
        let failing = tasks.iter().filter(|t| t.fails).count();
        assert!((50..=200).contains(&failing), "{failing} failing tasks");
    }

    #[test]
    fn crunch_returns_a_checksum_that_depends_on_the_task() {
        let task = |index| Task {
            index,
            work: Duration::ZERO,
            fails: false,
        };
        assert_ne!(crunch(task(1)), crunch(task(2)));
    }

    #[test]
    #[should_panic(expected = "task 7: checksum")]
    fn crunch_panics_for_a_failing_task() {
        crunch(Task {
            index: 7,
            work: Duration::ZERO,
            fails: true,
        });
    }

    #[test]
    fn every_request_reaches_the_bar_and_every_panic_is_listed() {
        let tasks: Vec<Task> = (0..200)
            .map(|index| Task {
                index,
                work: Duration::ZERO,
                fails: index % 50 == 3,
            })
            .collect();
        let bar = ProgressBar::hidden();
        bar.set_length(200);
        let summary = run(tasks, 2, &bar).unwrap();
        assert_eq!(bar.position(), 200);
        assert_eq!(summary.results, 196);
        let mut failed: Vec<&str> = summary.failures.iter().map(|(_, m)| m.as_str()).collect();
        failed.sort_unstable();
        let prefixes = ["task 103:", "task 153:", "task 3:", "task 53:"];
        assert_eq!(failed.len(), prefixes.len());
        for (message, prefix) in failed.iter().zip(prefixes) {
            assert!(message.starts_with(prefix), "{message}");
        }
    }
}
