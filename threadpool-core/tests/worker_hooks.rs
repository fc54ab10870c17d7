//! Start and exit handlers: they run on every worker's own thread, those
//! the pool starts at `build` and later, and the building thread adopted
//! by `use_current_thread`. Each body runs under a watchdog.

mod common;
use common::watchdog;

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use threadpool_core::{ThreadPoolBuilder, WorkRequest};

thread_local!(static SET_UP: Cell<Option<usize>> = const { Cell::new(None) });

#[test]
fn the_start_handler_runs_on_every_worker_the_adopted_thread_and_later_ones_included() {
    watchdog("start handler", || {
        let started = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&started);
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .use_current_thread()
            .start_handler(move |index| {
                SET_UP.with(|set_up| set_up.set(Some(index)));
                log.lock().unwrap().push(index);
            })
            .build()
            .unwrap();
        assert_eq!(
            SET_UP.with(Cell::get),
            Some(0),
            "the adopted building thread is worker 0 and was set up"
        );
        pool.create_workers(2).unwrap();
        let mut seen = pool.broadcast(|_| SET_UP.with(Cell::get));
        seen.sort_unstable();
        assert_eq!(
            seen,
            [(0, Some(0)), (1, Some(1)), (2, Some(2)), (3, Some(3))],
            "every worker ran the handler, with its own index, on its own thread"
        );
        let mut started = started.lock().unwrap().clone();
        started.sort_unstable();
        assert_eq!(started, [0, 1, 2, 3], "once each");
        pool.shutdown().unwrap();
    });
}

#[test]
fn the_exit_handler_runs_when_a_worker_leaves_and_joins_wait_for_it() {
    watchdog("exit handler", || {
        let exited = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&exited);
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(3)
            .use_current_thread()
            .exit_handler(move |index| log.lock().unwrap().push(index))
            .build()
            .unwrap();
        let before = pool.worker_indices();
        assert_eq!(pool.dismiss_workers(1, true), 1);
        let after = pool.worker_indices();
        let gone: Vec<usize> = before.into_iter().filter(|i| !after.contains(i)).collect();
        assert_eq!(
            *exited.lock().unwrap(),
            gone,
            "the dismissed worker ran it before the join returned"
        );
        pool.handle().release_current_thread();
        assert!(
            exited.lock().unwrap().contains(&0),
            "the adopted thread ran it when let go"
        );
        pool.shutdown().unwrap();
        let mut exited = exited.lock().unwrap().clone();
        exited.sort_unstable();
        assert_eq!(
            exited,
            [0, 1, 2],
            "once each, all of them by the end of the shutdown"
        );
    });
}

#[test]
fn a_panicking_start_handler_is_reported_and_the_worker_still_works() {
    watchdog("panicking start handler", || {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let mut pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .start_handler(move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
                panic!("set-up failed");
            })
            .build_with_state(0_u32)
            .unwrap();
        pool.put_request(WorkRequest::new(|| 2).on_result_with(|n: &mut u32, _, v| *n += v))
            .unwrap();
        pool.wait().unwrap();
        assert_eq!(*pool.state(), 2);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        pool.shutdown().unwrap();
    });
}

#[test]
fn a_pool_with_handlers_stays_unwind_safe() {
    fn unwind_safe<T: std::panic::RefUnwindSafe + std::panic::UnwindSafe>(_: &T) {}
    let pool = ThreadPoolBuilder::new()
        .num_workers(1)
        .start_handler(|_| ())
        .exit_handler(|_| ())
        .build()
        .unwrap();
    let handle = pool.handle();
    unwind_safe(&handle);
    let joined = std::panic::catch_unwind(|| handle.join(|| 1, || 2));
    assert_eq!(joined.ok(), Some((1, 2)));
}
