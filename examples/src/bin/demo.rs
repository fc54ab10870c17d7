//! The thread pool's tour, following the annotated demo that ships with
//! Python's `threadpool` module: 40 requests of a job that sleeps a random
//! short time and sometimes fails, results printed by callbacks on the main
//! thread while it polls in a loop, the pool grown by 3 workers and later
//! shrunk by 2, and the dismissed workers joined at the end.
//!
//! Run it with `cargo run -p examples --bin demo` (or just `cargo run`).

use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use examples::Rng;
use threadpool_core::{Exception, PollError, RequestId, ThreadPool, make_requests_with_state};

/// The job: sleep a random short while, then return a random fraction of
/// `data`. Now and then it panics, to show how failures come back.
fn do_something(data: u64) -> f64 {
    let rng = Rng::from_time();
    thread::sleep(Duration::from_millis(rng.range(50, 250)));
    let result = (rng.unit() * data as f64 * 1000.0).round() / 1000.0;
    if result > 5.0 {
        panic!("the result {result} is out of range");
    }
    result
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("demo: {err}");
            ExitCode::FAILURE
        }
    }
}

/// What the callbacks record, held by the pool and read between polls.
#[derive(Default)]
struct Tally {
    results: u32,
    failures: u32,
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let rng = Rng::from_time();

    println!("Creating a thread pool with 3 worker threads.");
    // The pool holds the tally and hands it to the callbacks, which run on
    // this (the main) thread inside `poll`; between polls it is ours to read.
    let mut pool = ThreadPool::with_state(3, Tally::default())?;

    // One request per argument: the module's `makeRequests`. The result
    // callback runs for every finished job, the exception callback for
    // every job that panicked (a handled panic prints nothing else).
    let data: Vec<u64> = (0..40).map(|_| rng.range(1, 10)).collect();
    let requests = make_requests_with_state(
        do_something,
        data,
        |tally: &mut Tally, id: RequestId, result: f64| {
            tally.results += 1;
            println!("**** Result from request {id}: {result}");
        },
        |tally: &mut Tally, id: RequestId, exc: Exception| {
            tally.failures += 1;
            println!("**** Exception in request {id}: {exc}");
        },
    );

    for request in requests {
        let id = pool.put_request(request)?;
        println!("Work request {id} added.");
    }

    // `pool.wait()` would block until every result is in. Instead, poll
    // between pieces of the main thread's own work, as a GUI or game loop
    // would once per frame.
    let mut round = 0;
    loop {
        thread::sleep(Duration::from_millis(100));
        match pool.poll() {
            Ok(_) => {}
            Err(PollError::NoResultsPending) => {
                println!("**** No pending results.");
                break;
            }
            Err(err) => return Err(err.into()),
        }
        let tally = pool.state();
        println!(
            "Main thread working... (worker threads: {}, {} results, {} exceptions so far)",
            pool.workers(),
            tally.results,
            tally.failures
        );
        if round == 5 {
            println!("**** Adding 3 more worker threads...");
            pool.create_workers(3)?;
        }
        if round == 10 {
            println!("**** Dismissing 2 worker threads...");
            pool.dismiss_workers(2, false);
        }
        round += 1;
    }

    println!(
        "Joining all {} dismissed worker threads...",
        pool.dismissed_workers()
    );
    pool.join_all_dismissed_workers();
    let stats = pool.stats();
    let tally = pool.into_state();
    println!(
        "Done: {} results, {} exceptions ({} completed, {} panicked).",
        tally.results, tally.failures, stats.completed, stats.panicked
    );
    Ok(())
}
