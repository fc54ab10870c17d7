//! The thread-start hooks and current-worker calls of `src/threads.rs`:
//! `spawn_handler` and its `ThreadBuilder`, `use_current_thread`,
//! `breadth_first`, `yield_now`/`yield_local`,
//! `current_thread_has_pending_tasks`, `current_thread_index` and
//! `in_place_scope`. Every test body runs under the watchdog.

mod common;
use common::watchdog;

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use threadpool_core::{
    PoolHandle, SpawnErrorKind, ThreadBuilder, ThreadPool, ThreadPoolBuilder, Yield,
};

#[test]
fn a_spawn_handler_starts_every_worker_with_its_index_name_and_stack_size() {
    watchdog("spawn_handler_starts_every_worker", || {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let pool = ThreadPoolBuilder::new()
            .num_workers(3)
            .thread_name("hook")
            .stack_size(1 << 20)
            .spawn_handler(move |thread: ThreadBuilder| {
                log.lock().unwrap().push((
                    thread.index(),
                    thread.name().to_owned(),
                    thread.stack_size(),
                ));
                std::thread::Builder::new()
                    .name(format!("custom-{}", thread.index()))
                    .spawn(|| thread.run())?;
                Ok(())
            })
            .build_handle()
            .unwrap();
        let expected: Vec<_> = (0..3)
            .map(|i| (i, format!("hook-{i}"), Some(1 << 20)))
            .collect();
        assert_eq!(*seen.lock().unwrap(), expected);
        let mut names = Mutex::new(Vec::new());
        pool.scope(|s| {
            for _ in 0..64 {
                let names = &names;
                s.spawn(move |_| {
                    let name = std::thread::current().name().unwrap().to_owned();
                    names.lock().unwrap().push(name);
                });
            }
        });
        assert!(
            names
                .get_mut()
                .unwrap()
                .iter()
                .all(|n| n.starts_with("custom-"))
        );
        assert_eq!(pool.join(|| 1, || 2), (1, 2));
        pool.shutdown();
    });
}

#[test]
fn a_handler_that_drops_its_builder_fails_the_start() {
    watchdog("handler_drops_builder", || {
        let mut calls = 0;
        let err = ThreadPoolBuilder::new()
            .num_workers(2)
            .spawn_handler(move |thread| {
                calls += 1;
                if calls == 2 {
                    drop(thread);
                } else {
                    std::thread::spawn(move || thread.run());
                }
                Ok(())
            })
            .build_handle()
            .unwrap_err();
        assert_eq!(err.kind(), SpawnErrorKind::Os);
        assert_eq!(err.created(), 1);
    });
}

#[test]
fn a_builder_kept_by_a_failing_handler_does_nothing_when_run() {
    watchdog("failing_handler_keeps_builder", || {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let err = ThreadPoolBuilder::new()
            .num_workers(1)
            .spawn_handler(move |thread| {
                tx.lock().unwrap().send(thread).unwrap();
                Err(io::Error::other("refused"))
            })
            .build_handle()
            .unwrap_err();
        assert_eq!((err.kind(), err.created()), (SpawnErrorKind::Os, 0));
        assert!(err.to_string().contains("refused"), "{err}");
        // Returns at once: the pool counted this worker out.
        rx.recv().unwrap().run();
    });
}

#[test]
fn a_panicking_handler_fails_the_start() {
    watchdog("panicking_handler", || {
        let err = ThreadPoolBuilder::new()
            .num_workers(1)
            .spawn_handler(|_| panic!("handler panicked"))
            .build_handle()
            .unwrap_err();
        assert_eq!(err.kind(), SpawnErrorKind::Os);
    });
}

#[test]
fn a_builder_dropped_after_it_was_handed_over_leaves_the_pool() {
    watchdog("builder_dropped_late", || {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let store = Arc::clone(&kept);
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .spawn_handler(move |thread| {
                store.lock().unwrap().push(thread);
                Ok(())
            })
            .build_handle()
            .unwrap();
        assert_eq!(pool.workers(), 2);
        let mut builders = std::mem::take(&mut *kept.lock().unwrap());
        drop(builders.pop().unwrap());
        assert_eq!(pool.workers(), 1);
        let first = builders.pop().unwrap();
        let thread = std::thread::spawn(move || first.run());
        assert_eq!(pool.install(|| 7), 7);
        pool.shutdown();
        thread.join().unwrap();
    });
}

#[test]
fn the_building_thread_becomes_worker_zero_and_runs_jobs_while_it_blocks() {
    watchdog("use_current_thread", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .use_current_thread()
            .build_handle()
            .unwrap();
        // No thread was started: the pool's only worker is this thread.
        assert_eq!(pool.workers(), 1);
        assert_eq!(pool.current_thread_index(), Some(0));
        assert!(PoolHandle::current().is_some());
        let me = std::thread::current().id();
        // A spawn goes on this thread's deque and waits for it to yield.
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&ran);
        pool.spawn(move || {
            assert_eq!(std::thread::current().id(), me);
            counter.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(pool.current_thread_has_pending_tasks(), Some(true));
        assert_eq!(pool.yield_now(), Some(Yield::Executed));
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        assert_eq!(pool.yield_now(), Some(Yield::Idle));
        // A scope's jobs all run here, while the scope waits.
        let threads = Mutex::new(Vec::new());
        pool.scope(|s| {
            for _ in 0..8 {
                s.spawn(|_| threads.lock().unwrap().push(std::thread::current().id()));
            }
        });
        assert_eq!(threads.into_inner().unwrap(), vec![me; 8]);
        // Work installed from another thread runs here once this thread
        // blocks on the pool.
        let remote = pool.clone();
        let other = std::thread::spawn(move || remote.install(|| std::thread::current().id()));
        let mut polls = 0_u64;
        while !other.is_finished() {
            pool.yield_now();
            polls += 1;
            if polls.is_multiple_of(1024) {
                std::thread::yield_now();
            }
        }
        assert_eq!(other.join().unwrap(), me);
        // A second pool cannot adopt a thread that is a worker already.
        let err = ThreadPoolBuilder::new()
            .num_workers(2)
            .use_current_thread()
            .build_handle()
            .unwrap_err();
        assert_eq!(err.kind(), SpawnErrorKind::CurrentThreadInPool);
        assert!(pool.release_current_thread());
        assert_eq!(pool.current_thread_index(), None);
        assert!(PoolHandle::current().is_none());
        pool.shutdown();
    });
}

#[test]
fn an_adopted_thread_shares_its_forks_with_the_started_workers() {
    watchdog("adopted_forks", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(3)
            .use_current_thread()
            .build_handle()
            .unwrap();
        fn sum(pool: &PoolHandle, range: std::ops::Range<u64>) -> u64 {
            if range.end - range.start <= 64 {
                return range.sum();
            }
            let mid = range.start + (range.end - range.start) / 2;
            let (a, b) = pool.join(|| sum(pool, range.start..mid), || sum(pool, mid..range.end));
            a + b
        }
        assert_eq!(sum(&pool, 0..100_000), (0..100_000).sum());
        // A panic in a join on worker 0 is resumed here; the pool goes on.
        let caught = catch_unwind(AssertUnwindSafe(|| pool.join(|| 1, || panic!("b failed"))));
        assert!(caught.is_err());
        assert_eq!(pool.join(|| 3, || 4), (3, 4));
        pool.shutdown();
        assert!(pool.release_current_thread());
    });
}

#[test]
fn dropping_the_owning_thread_pool_releases_the_adopted_thread() {
    watchdog("drop_releases", || {
        let mut pool = ThreadPool::builder()
            .num_workers(2)
            .use_current_thread()
            .build()
            .unwrap();
        let handle = pool.handle();
        assert_eq!(handle.current_thread_index(), Some(0));
        pool.put_request(threadpool_core::WorkRequest::new(|| 2))
            .unwrap();
        pool.wait().unwrap();
        drop(pool);
        assert_eq!(handle.current_thread_index(), None);
        assert!(PoolHandle::current().is_none());
    });
}

#[test]
fn breadth_first_workers_take_their_own_jobs_oldest_first() {
    watchdog("breadth_first", || {
        let order = |builder: ThreadPoolBuilder| {
            let pool = builder.num_workers(1).build_handle().unwrap();
            let log = Mutex::new(Vec::new());
            pool.scope(|s| {
                for i in 0..6 {
                    let log = &log;
                    s.spawn(move |_| log.lock().unwrap().push(i));
                }
            });
            pool.shutdown();
            log.into_inner().unwrap()
        };
        assert_eq!(
            order(ThreadPoolBuilder::new().breadth_first()),
            [0, 1, 2, 3, 4, 5]
        );
        assert_eq!(order(ThreadPoolBuilder::new()), [5, 4, 3, 2, 1, 0]);
    });
}

#[test]
fn yield_local_takes_only_the_workers_own_jobs() {
    watchdog("yield_local", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(1)
            .build_handle()
            .unwrap();
        assert_eq!(pool.yield_local(), None);
        assert_eq!(pool.current_thread_has_pending_tasks(), None);
        let ran = Arc::new(AtomicUsize::new(0));
        pool.install(|| {
            // From another thread: into the pool's queue, not this deque.
            let remote = pool.clone();
            let counter = Arc::clone(&ran);
            std::thread::spawn(move || {
                remote.spawn(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                })
            })
            .join()
            .unwrap();
            assert_eq!(pool.current_thread_has_pending_tasks(), Some(false));
            assert_eq!(pool.yield_local(), Some(Yield::Idle));
            assert_eq!(ran.load(Ordering::SeqCst), 0);
            assert_eq!(pool.yield_now(), Some(Yield::Executed));
            assert_eq!(ran.load(Ordering::SeqCst), 1);
            // A nested join's second half is the worker's own, pending job.
            let ((inner, _), _) = pool.join(|| pool.join(|| pool.yield_local(), || ()), || ());
            assert_eq!(inner, Some(Yield::Executed));
        });
    });
}

#[test]
fn in_place_scope_runs_a_non_send_body_on_the_calling_thread() {
    watchdog("in_place_scope", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .build_handle()
            .unwrap();
        let me = std::thread::current().id();
        let local = Rc::new(std::cell::Cell::new(0));
        let total = AtomicUsize::new(0);
        let body_thread = pool.in_place_scope(|s| {
            for i in 1..=10 {
                let total = &total;
                s.spawn(move |s| {
                    total.fetch_add(i, Ordering::SeqCst);
                    s.spawn(move |_| {
                        total.fetch_add(100, Ordering::SeqCst);
                    });
                });
                local.set(local.get() + 1);
            }
            std::thread::current().id()
        });
        assert_eq!(body_thread, me);
        assert_eq!(local.get(), 10);
        assert_eq!(total.load(Ordering::SeqCst), 55 + 1000);
        // From a worker: in place there too.
        let inner = pool.install(|| {
            let worker = std::thread::current().id();
            pool.in_place_scope(|_| std::thread::current().id()) == worker
        });
        assert!(inner);
        // Panics: a job's and the body's come back here; the pool goes on.
        let job_panic = catch_unwind(AssertUnwindSafe(|| {
            pool.in_place_scope(|s| s.spawn(|_| panic!("job failed")))
        }));
        assert_eq!(
            *job_panic.unwrap_err().downcast::<&str>().unwrap(),
            "job failed"
        );
        let body_panic = catch_unwind(AssertUnwindSafe(|| {
            pool.in_place_scope(|s| {
                s.spawn(|_| ());
                panic!("body failed")
            })
        }));
        assert_eq!(
            *body_panic.unwrap_err().downcast::<&str>().unwrap(),
            "body failed"
        );
        assert_eq!(pool.in_place_scope(|_| 5), 5);
        pool.shutdown();
        let refused = catch_unwind(AssertUnwindSafe(|| pool.in_place_scope(|_| ())));
        assert!(
            refused.is_err(),
            "a shut-down pool refuses an in-place scope"
        );
    });
}

#[test]
fn in_place_scopes_nest_and_work_from_another_pools_worker() {
    watchdog("in_place_scope_nesting", || {
        let pool = ThreadPoolBuilder::new()
            .num_workers(2)
            .build_handle()
            .unwrap();
        let other = ThreadPoolBuilder::new()
            .num_workers(1)
            .build_handle()
            .unwrap();
        let total = AtomicUsize::new(0);
        // From a worker of `other`: the body runs there, the jobs on `pool`.
        let body_on_other = other.install(|| {
            let here = std::thread::current().id();
            pool.in_place_scope(|s| {
                for _ in 0..4 {
                    s.spawn(|_| {
                        // Nested, on a worker of `pool`.
                        pool.in_place_scope(|inner| {
                            inner.spawn(|_| {
                                total.fetch_add(1, Ordering::SeqCst);
                            });
                        });
                    });
                }
                std::thread::current().id() == here && other.is_worker_thread()
            })
        });
        assert!(body_on_other);
        assert_eq!(total.load(Ordering::SeqCst), 4);
        // A body that spawns nothing returns without waiting on the pool.
        assert_eq!(pool.in_place_scope(|_| "done"), "done");
        pool.shutdown();
        other.shutdown();
    });
}
