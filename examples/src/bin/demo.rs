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
use threadpool_core::{Panic, PollError, RequestId, ThreadPool, make_requests_with};

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

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let rng = Rng::from_time();
    // The exception callback below reports each panic; keep the standard
    // hook from printing it a second time.
    std::panic::set_hook(Box::new(|_| {}));

    // Called on this (the main) thread for every finished job...
    let mut results = 0;
    let print_result = |id: RequestId, result: f64| {
        results += 1;
        println!("**** Result from request {id}: {result}");
    };
    // ...and for every job that panicked. Leave this out (use
    // `make_requests`) to get the default report on stderr instead.
    let mut failures = 0;
    let handle_exception = |id: RequestId, panic: Panic| {
        failures += 1;
        println!("**** Exception in request {id}: {panic}");
    };

    // One request per argument: the module's `makeRequests`.
    let data: Vec<u64> = (0..40).map(|_| rng.range(1, 10)).collect();
    let requests = make_requests_with(do_something, data, print_result, handle_exception);

    println!("Creating a thread pool with 3 worker threads.");
    // The pool's callbacks borrow `results` and `failures`, so the pool is
    // made after them and dropped before they are read.
    let mut pool = ThreadPool::new(3)?;

    for request in requests {
        let id = pool.put_request(request).map_err(|e| e.kind())?;
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
        println!(
            "Main thread working... (worker threads: {})",
            pool.workers()
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

    println!("Joining all dismissed worker threads...");
    pool.join_all_dismissed_workers();
    let stats = pool.stats();
    drop(pool);
    println!(
        "Done: {results} results, {failures} exceptions ({} completed, {} panicked).",
        stats.completed, stats.panicked
    );
    Ok(())
}
