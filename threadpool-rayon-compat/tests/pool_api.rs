//! The crate-root and pool functions beside rayon's: `join_context`,
//! `scope_fifo`, `in_place_scope(_fifo)`, `spawn_fifo`, `broadcast`,
//! `current_thread_index`, `max_num_threads`, `yield_now`, and the
//! builder's `thread_name`, `panic_handler`, `start_handler`,
//! `exit_handler`. Each body runs under a watchdog: a broadcast that never
//! completes fails the test instead of hanging it.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};

use common::watchdog;

fn ours(n: usize) -> threadpool_rayon_compat::ThreadPool {
    threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

fn theirs(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn join_context_reports_migration_as_rayon_does() {
    watchdog(|| {
        let outside = threadpool_rayon_compat::join_context(|a| a.migrated(), |b| b.migrated());
        assert_eq!(
            outside,
            rayon::join_context(|a| a.migrated(), |b| b.migrated())
        );
        let inside = ours(1)
            .install(|| threadpool_rayon_compat::join_context(|a| a.migrated(), |b| b.migrated()));
        assert_eq!(
            inside,
            theirs(1).install(|| rayon::join_context(|a| a.migrated(), |b| b.migrated()))
        );
    });
}

#[test]
fn fifo_scopes_and_spawns_run_in_spawn_order_on_one_thread() {
    watchdog(|| {
        let order = |run: &dyn Fn(&Mutex<Vec<usize>>)| {
            let log = Mutex::new(Vec::new());
            run(&log);
            log.into_inner().unwrap()
        };
        let pool = ours(1);
        let rayon_pool = theirs(1);
        let ours_scope = order(&|log| {
            pool.scope_fifo(|s| {
                (0..20).for_each(|i| s.spawn_fifo(move |_| log.lock().unwrap().push(i)))
            })
        });
        let rayon_scope = order(&|log| {
            rayon_pool.scope_fifo(|s| {
                (0..20).for_each(|i| s.spawn_fifo(move |_| log.lock().unwrap().push(i)))
            })
        });
        assert_eq!(ours_scope, rayon_scope);
        assert_eq!(ours_scope, (0..20).collect::<Vec<_>>());
        let ours_in_place = order(&|log| {
            pool.in_place_scope_fifo(|s| {
                (0..5).for_each(|i| s.spawn_fifo(move |_| log.lock().unwrap().push(i)))
            })
        });
        assert_eq!(ours_in_place, [0, 1, 2, 3, 4]);
        // spawn_fifo from inside the pool: FIFO among themselves.
        let (tx, rx) = channel();
        pool.install(|| {
            for i in 0..10 {
                let tx = tx.clone();
                threadpool_rayon_compat::spawn_fifo(move || tx.send(i).unwrap());
            }
        });
        drop(tx);
        assert_eq!(rx.iter().collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
        // in_place_scope: jobs may borrow mutably.
        let mut v = vec![0; 8];
        threadpool_rayon_compat::in_place_scope(|s| {
            for (i, x) in v.iter_mut().enumerate() {
                s.spawn(move |_| *x = i * i);
            }
        });
        assert_eq!(v, (0..8).map(|i| i * i).collect::<Vec<_>>());
    });
}

#[test]
fn broadcast_runs_once_on_every_worker_with_its_index() {
    watchdog(|| {
        for n in [1, 2, 5] {
            let pool = ours(n);
            let contexts =
                pool.broadcast(|ctx| (ctx.index(), ctx.num_threads(), std::thread::current().id()));
            let rayon_contexts = theirs(n).broadcast(|ctx| (ctx.index(), ctx.num_threads()));
            assert_eq!(
                contexts.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>(),
                rayon_contexts
            );
            let mut threads: Vec<_> = contexts.iter().map(|c| c.2).collect();
            threads.dedup();
            assert_eq!(threads.len(), n, "one call per distinct worker");
            // The index is the worker's own, also outside broadcasts.
            let indices = pool
                .broadcast(|ctx| (ctx.index(), threadpool_rayon_compat::current_thread_index()));
            assert!(indices.iter().all(|(i, current)| Some(*i) == *current));
            // Broadcast from inside the pool works too.
            let inner = pool.install(|| threadpool_rayon_compat::broadcast(|ctx| ctx.index()));
            assert_eq!(inner, (0..n).collect::<Vec<_>>());
        }
    });
}

#[test]
fn thread_indices_names_and_limits_match_rayon() {
    watchdog(|| {
        assert_eq!(
            threadpool_rayon_compat::current_thread_index(),
            rayon::current_thread_index()
        );
        assert_eq!(
            threadpool_rayon_compat::max_num_threads(),
            rayon::max_num_threads()
        );
        assert_eq!(
            threadpool_rayon_compat::yield_now().is_none(),
            rayon::yield_now().is_none()
        );
        let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(3)
            .thread_name(|i| format!("probe-{i}"))
            .build()
            .unwrap();
        let rayon_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .thread_name(|i| format!("probe-{i}"))
            .build()
            .unwrap();
        let names = pool.broadcast(|_| std::thread::current().name().map(str::to_owned));
        let rayon_names =
            rayon_pool.broadcast(|_| std::thread::current().name().map(str::to_owned));
        assert_eq!(names, rayon_names);
        let index = pool.install(threadpool_rayon_compat::current_thread_index);
        assert!(index.is_some_and(|i| i < 3));
        assert!(pool.install(threadpool_rayon_compat::yield_now).is_some());
    });
}

#[test]
fn start_exit_and_panic_handlers_run_as_in_rayon() {
    watchdog(|| {
        let started = Arc::new(AtomicUsize::new(0));
        let exited = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = channel::<String>();
        let tx = Mutex::new(tx);
        let (s, e) = (Arc::clone(&started), Arc::clone(&exited));
        let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(3)
            .start_handler(move |_| {
                s.fetch_add(1, Ordering::SeqCst);
            })
            .exit_handler(move |_| {
                e.fetch_add(1, Ordering::SeqCst);
            })
            .panic_handler(move |payload| {
                let message = payload
                    .downcast_ref::<&str>()
                    .copied()
                    .unwrap_or("?")
                    .to_owned();
                tx.lock().unwrap().send(message).unwrap();
            })
            .build()
            .unwrap();
        assert_eq!(started.load(Ordering::SeqCst), 3);
        pool.spawn(|| panic!("spawned job panicked"));
        assert_eq!(rx.recv().unwrap(), "spawned job panicked");
        pool.spawn_fifo(|| panic!("fifo job panicked"));
        assert_eq!(rx.recv().unwrap(), "fifo job panicked");
        pool.install(|| threadpool_rayon_compat::spawn(|| panic!("free spawn panicked")));
        assert_eq!(rx.recv().unwrap(), "free spawn panicked");
        // The pool is still usable.
        assert_eq!(
            pool.install(|| threadpool_rayon_compat::join(|| 1, || 2)),
            (1, 2)
        );
        drop(pool);
        assert_eq!(exited.load(Ordering::SeqCst), 3);
    });
}

#[test]
fn spawn_broadcast_reaches_every_worker_in_the_background() {
    watchdog(|| {
        let pool = ours(3);
        let (tx, rx) = channel();
        let tx = Mutex::new(tx);
        pool.spawn_broadcast(move |ctx| {
            tx.lock()
                .unwrap()
                .send((ctx.index(), ctx.num_threads()))
                .unwrap()
        });
        let mut got: Vec<(usize, usize)> = (0..3).map(|_| rx.recv().unwrap()).collect();
        got.sort_unstable();
        let rayon_pool = theirs(3);
        let (rtx, rrx) = channel();
        let rtx = Mutex::new(rtx);
        rayon_pool.spawn_broadcast(move |ctx| {
            rtx.lock()
                .unwrap()
                .send((ctx.index(), ctx.num_threads()))
                .unwrap()
        });
        let mut expected: Vec<(usize, usize)> = (0..3).map(|_| rrx.recv().unwrap()).collect();
        expected.sort_unstable();
        assert_eq!(got, expected);
    });
}

/// What a broadcast body records: its index and the number of workers.
type Log = Mutex<Vec<(usize, usize)>>;

#[test]
fn scoped_broadcasts_reach_every_worker_once_as_in_rayon() {
    watchdog(|| {
        let indices = |run: &dyn Fn(&Log)| {
            let log = Mutex::new(Vec::new());
            run(&log);
            let mut log = log.into_inner().unwrap();
            log.sort_unstable();
            log
        };
        let pool = ours(3);
        let rayon_pool = theirs(3);
        let ours_scope = indices(&|log| {
            use threadpool_rayon_compat::prelude::*;
            pool.scope(|s| {
                s.spawn_broadcast(|_, ctx| {
                    log.lock().unwrap().push((ctx.index(), ctx.num_threads()))
                })
            });
        });
        let rayon_scope = indices(&|log| {
            rayon_pool.scope(|s| {
                s.spawn_broadcast(|_, ctx| {
                    log.lock().unwrap().push((ctx.index(), ctx.num_threads()))
                })
            });
        });
        assert_eq!(ours_scope, rayon_scope);
        let ours_fifo = indices(&|log| {
            pool.scope_fifo(|s| {
                s.spawn_broadcast(|_, ctx| {
                    log.lock().unwrap().push((ctx.index(), ctx.num_threads()))
                })
            });
        });
        let rayon_fifo = indices(&|log| {
            rayon_pool.scope_fifo(|s| {
                s.spawn_broadcast(|_, ctx| {
                    log.lock().unwrap().push((ctx.index(), ctx.num_threads()))
                })
            });
        });
        assert_eq!(ours_fifo, rayon_fifo);
        assert_eq!(ours_fifo, [(0, 3), (1, 3), (2, 3)]);
    });
}
