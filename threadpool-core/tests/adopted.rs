//! The owner thread adopted as a worker (`use_current_thread`) runs the
//! pool's queued jobs while it blocks on the pool's results (`wait`,
//! `poll_blocking`, `poll_timeout`) and while its put waits for room: a
//! pool whose only worker is its owner finishes its requests, and with
//! more workers the owner runs requests too. Each body runs under a
//! watchdog, so a hang fails the test instead of stalling it.

mod common;
use common::watchdog;

use std::sync::mpsc;
use std::time::Duration;

use threadpool_core::{PollError, ThreadPoolBuilder, WorkRequest};

#[test]
fn wait_on_a_pool_whose_only_worker_is_its_owner_runs_the_requests() {
    watchdog("adopted", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .use_current_thread()
            .build_with_state(0_u64)
            .unwrap();
        assert_eq!(pool.workers(), 1);
        let me = std::thread::current().id();
        for n in 1..=10_u64 {
            pool.put_request(
                WorkRequest::new(move || {
                    assert_eq!(std::thread::current().id(), me, "only the owner works");
                    n
                })
                .on_result_with(|sum: &mut u64, _, n| *sum += n),
            )
            .unwrap();
        }
        pool.wait().unwrap();
        assert_eq!(*pool.state(), 55);

        // `poll_blocking` and `poll_timeout` run them too.
        pool.put_request(WorkRequest::new(|| 1).on_result_with(|sum: &mut u64, _, n| *sum += n))
            .unwrap();
        assert_eq!(pool.poll_blocking(), Ok(1));
        pool.put_request(WorkRequest::new(|| 1).on_result_with(|sum: &mut u64, _, n| *sum += n))
            .unwrap();
        assert_eq!(pool.poll_timeout(Duration::from_secs(30)), Ok(1));
        assert_eq!(
            pool.poll_timeout(Duration::ZERO),
            Err(PollError::NoResultsPending)
        );
        assert_eq!(pool.shutdown().unwrap(), 57);
    });
}

/// Request `a` holds the started worker until request `b` has run: only
/// the owner, while it waits, can run `b`.
#[test]
fn the_owner_runs_requests_the_started_workers_cannot_get_to() {
    watchdog("adopted", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .use_current_thread()
            .build_with_state(Vec::<&str>::new())
            .unwrap();
        let (b_ran, a_waits) = mpsc::channel::<()>();
        let (a_started_tx, a_started) = mpsc::channel::<()>();
        pool.put_request(
            WorkRequest::new(move || {
                a_started_tx.send(()).unwrap();
                a_waits.recv().unwrap();
                "a"
            })
            .on_result_with(|log: &mut Vec<&str>, _, s| log.push(s)),
        )
        .unwrap();
        // The started worker has `a`; `b` waits in the queue.
        a_started.recv().unwrap();
        let me = std::thread::current().id();
        pool.put_request(
            WorkRequest::new(move || {
                let on = std::thread::current().id();
                b_ran.send(()).unwrap();
                on
            })
            .on_result_with(move |log: &mut Vec<&str>, _, on| {
                assert_eq!(on, me, "the owner ran `b`");
                log.push("b");
            }),
        )
        .unwrap();
        pool.wait().unwrap();
        let mut log = pool.shutdown().unwrap();
        log.sort_unstable();
        assert_eq!(log, ["a", "b"]);
    });
}

#[test]
fn a_put_waiting_for_room_on_an_owner_only_pool_runs_the_queued_requests() {
    watchdog("adopted", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .use_current_thread()
            .queue_size(2)
            .build_with_state(0_u32)
            .unwrap();
        for _ in 0..20 {
            pool.put_request(
                WorkRequest::new(|| 1).on_result_with(|n: &mut u32, _, one| *n += one),
            )
            .unwrap();
        }
        pool.wait().unwrap();
        assert_eq!(pool.shutdown().unwrap(), 20);
    });
}

#[test]
fn a_released_owner_no_longer_runs_jobs_and_wait_reports_no_workers() {
    watchdog("adopted", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .use_current_thread()
            .build()
            .unwrap();
        assert!(pool.handle().release_current_thread());
        pool.put_request(WorkRequest::new(|| ())).unwrap();
        assert_eq!(pool.wait(), Err(PollError::NoWorkersAvailable));
        pool.create_workers(1).unwrap();
        pool.wait().unwrap();
    });
}

/// A frame loop's `poll` on a pool whose only worker is its owner: each
/// poll first runs the requests queued when it started, so the results
/// come back on the first poll, never on none.
#[test]
fn poll_on_a_pool_whose_only_worker_is_its_owner_runs_what_is_queued() {
    watchdog("adopted poll", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .use_current_thread()
            .build_with_state(0_u64)
            .unwrap();
        for n in 1..=3_u64 {
            pool.put_request(
                WorkRequest::new(move || n).on_result_with(|sum: &mut u64, _, n| *sum += n),
            )
            .unwrap();
        }
        assert_eq!(pool.poll(), Ok(3), "one poll runs and delivers all three");
        assert_eq!(*pool.state(), 6);
        assert_eq!(pool.poll(), Err(PollError::NoResultsPending));
    });
}

/// A `broadcast` from another thread needs the adopted owner to run its
/// share: the owner's polls do, even with no requests of its own waiting.
#[test]
fn a_broadcast_from_another_thread_completes_while_the_owner_polls() {
    watchdog("adopted broadcast", || {
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .use_current_thread()
            .build()
            .unwrap();
        let handle = pool.handle();
        let (done, finished) = mpsc::channel();
        let caller = std::thread::spawn(move || {
            let mut indices: Vec<usize> = handle
                .broadcast(|index| index)
                .into_iter()
                .map(|(index, _)| index)
                .collect();
            indices.sort_unstable();
            done.send(indices).unwrap();
        });
        let indices = loop {
            // Polls that find nothing to deliver, as a frame loop's do.
            assert_eq!(pool.poll(), Err(PollError::NoResultsPending));
            if let Ok(indices) = finished.try_recv() {
                break indices;
            }
            std::thread::yield_now();
        };
        caller.join().unwrap();
        assert_eq!(indices, vec![0, 1]);
    });
}

/// Dropping a pool whose only worker is its owner drains it as a worker's
/// loop does at shutdown: a spawned job runs, on the owner, instead of
/// being dropped unrun.
#[test]
fn dropping_a_pool_whose_only_worker_is_its_owner_runs_its_spawned_jobs() {
    watchdog("adopted drop", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .use_current_thread()
            .build()
            .unwrap();
        let me = std::thread::current().id();
        let (ran, on) = mpsc::channel();
        pool.spawn(move || ran.send(std::thread::current().id()).unwrap());
        drop(pool);
        assert_eq!(
            on.try_recv(),
            Ok(me),
            "the spawned job ran on the owner as the pool dropped"
        );
    });
}
