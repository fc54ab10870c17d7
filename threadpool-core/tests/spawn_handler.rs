//! Threads started by a spawn handler: `ThreadBuilder::spawn` and
//! `std_builder` apply the pool's thread name and stack size, and the pool
//! knows when each such worker's `run` returns, so `dismiss_workers` with
//! `join` waits for it and `dismissed_workers` counts it until joined.
//! Each body runs under a watchdog, so a hang fails the test instead of
//! stalling it.

mod common;
use common::watchdog;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use threadpool_core::{ThreadPoolBuilder, WorkRequest};

/// Recursion that needs about `n` KiB of stack.
fn deep(n: u32) -> u32 {
    let pad = std::hint::black_box([1_u8; 1024]);
    if n == 0 {
        u32::from(pad[0])
    } else {
        deep(n - 1) + u32::from(pad[1])
    }
}

#[test]
fn thread_builder_spawn_and_std_builder_apply_the_name_and_stack_size() {
    watchdog("spawn_handler", || {
        for use_std_builder in [false, true] {
            let handles = Arc::new(Mutex::new(Vec::new()));
            let kept = Arc::clone(&handles);
            let pool = ThreadPoolBuilder::new()
                .num_workers(2)
                .thread_name("crunch")
                .stack_size(64 << 20)
                .spawn_handler(move |thread| -> std::io::Result<()> {
                    let handle = if use_std_builder {
                        let builder = thread.std_builder();
                        builder.spawn(move || thread.run())?
                    } else {
                        thread.spawn()?
                    };
                    kept.lock().unwrap().push(handle);
                    Ok(())
                })
                .build_handle()
                .unwrap();
            let names = pool.broadcast(|_| std::thread::current().name().map(str::to_owned));
            assert_eq!(
                names,
                [
                    (0, Some("crunch-0".to_owned())),
                    (1, Some("crunch-1".to_owned()))
                ]
            );
            // About 16 MiB of stack: far past the default, within 64 MiB.
            assert_eq!(pool.install(|| deep(16 * 1024)), 16 * 1024 + 1);
            pool.shutdown();
            for handle in std::mem::take(&mut *handles.lock().unwrap()) {
                handle.join().unwrap();
            }
        }
    });
}

type Handles = Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>;

/// A builder whose handler starts every worker with `ThreadBuilder::spawn`
/// and keeps the join handles.
fn handler_pool(workers: usize) -> (ThreadPoolBuilder, Handles) {
    let handles = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&handles);
    let builder = ThreadPoolBuilder::new()
        .num_workers(workers)
        .spawn_handler(move |thread| {
            kept.lock().unwrap().push(thread.spawn()?);
            Ok(())
        });
    (builder, handles)
}

#[test]
fn dismissing_handler_threads_with_join_waits_for_their_running_jobs() {
    watchdog("spawn_handler", || {
        let (builder, handles) = handler_pool(2);
        let mut pool = builder.build().unwrap();
        let handle = pool.handle();
        let (started_tx, started) = mpsc::channel();
        let finished = Arc::new(AtomicUsize::new(0));
        for _ in 0..2 {
            let (handle, started_tx, finished) =
                (handle.clone(), started_tx.clone(), Arc::clone(&finished));
            pool.put_request(WorkRequest::new(move || {
                started_tx.send(()).unwrap();
                // Runs on until its worker is dismissed.
                while handle.workers() > 0 {
                    std::thread::yield_now();
                }
                finished.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap();
        }
        started.recv().unwrap();
        started.recv().unwrap();
        assert_eq!(pool.dismiss_workers(2, true), 2);
        // Both jobs were running on the dismissed workers: `join` waited
        // for them, and for `run` to return.
        assert_eq!(finished.load(Ordering::SeqCst), 2);
        assert_eq!(pool.dismissed_workers(), 0);
        pool.create_workers(1).unwrap();
        pool.shutdown().unwrap();
        for thread in std::mem::take(&mut *handles.lock().unwrap()) {
            thread.join().unwrap();
        }
    });
}

#[test]
fn dismissed_handler_threads_count_until_joined() {
    watchdog("spawn_handler", || {
        let (builder, handles) = handler_pool(3);
        let mut pool = builder.build().unwrap();
        let (release, hold) = mpsc::channel::<()>();
        let hold = Arc::new(Mutex::new(hold));
        let (started_tx, started) = mpsc::channel();
        let finished = Arc::new(AtomicUsize::new(0));
        {
            let (finished, hold) = (Arc::clone(&finished), Arc::clone(&hold));
            pool.put_request(WorkRequest::new(move || {
                started_tx.send(()).unwrap();
                hold.lock().unwrap().recv().unwrap();
                finished.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap();
        }
        started.recv().unwrap();
        assert_eq!(pool.dismiss_workers(3, false), 3);
        // Not joined yet: all three count, one of them still in its job.
        assert_eq!(pool.dismissed_workers(), 3);
        release.send(()).unwrap();
        pool.join_all_dismissed_workers();
        assert_eq!(pool.dismissed_workers(), 0);
        assert_eq!(finished.load(Ordering::SeqCst), 1);
        pool.wait().unwrap();
        drop(pool);
        for thread in std::mem::take(&mut *handles.lock().unwrap()) {
            thread.join().unwrap();
        }
    });
}

/// Many rounds of short requests and dismissals racing: once
/// `dismiss_workers(n, true)` has returned with every worker dismissed, no
/// job is still running on a handler thread.
#[test]
fn stress_dismiss_with_join_never_returns_before_handler_threads_end() {
    watchdog("spawn_handler", || {
        for round in 0..100 {
            let (builder, handles) = handler_pool(4);
            let mut pool = builder.build().unwrap();
            let started = Arc::new(AtomicUsize::new(0));
            let finished = Arc::new(AtomicUsize::new(0));
            for n in 0..40_u64 {
                let (started, finished) = (Arc::clone(&started), Arc::clone(&finished));
                pool.put_request(WorkRequest::new(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    let mut x = n;
                    for _ in 0..(round % 7) * 500 {
                        x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                    }
                    finished.fetch_add(1, Ordering::SeqCst);
                    x
                }))
                .unwrap();
            }
            assert_eq!(pool.dismiss_workers(4, true), 4);
            assert_eq!(
                started.load(Ordering::SeqCst),
                finished.load(Ordering::SeqCst),
                "round {round}: a job still ran after the join"
            );
            assert_eq!(pool.dismissed_workers(), 0);
            pool.create_workers(1).unwrap();
            pool.shutdown().unwrap();
            assert_eq!(finished.load(Ordering::SeqCst), 40);
            for thread in std::mem::take(&mut *handles.lock().unwrap()) {
                thread.join().unwrap();
            }
        }
    });
}
