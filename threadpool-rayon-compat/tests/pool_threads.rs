//! Differential tests against rayon for how pools start their threads and
//! what a pool thread may ask of its own queue: `spawn_handler` and
//! `ThreadBuilder`, `build_scoped`, `use_current_thread`, `breadth_first`,
//! `yield_now`/`yield_local`, `current_thread_has_pending_tasks`, and
//! `in_place_scope(_fifo)` with a body that is not `Send`. Each body runs
//! under a watchdog, so a hang fails the test instead of stalling it.

mod common;

use std::error::Error as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};

use common::watchdog;

/// The message of a caught panic.
fn message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// What a spawn handler saw of each thread.
type Seen = Vec<(usize, Option<String>, Option<usize>)>;

#[test]
fn a_spawn_handler_sees_and_names_the_threads_as_rayons_does() {
    watchdog(|| {
        let seen = Mutex::new(Seen::new());
        let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(3)
            .stack_size(2 << 20)
            .thread_name(|i| format!("named {i}"))
            .spawn_handler(|thread| {
                let name = thread.name().map(str::to_owned);
                seen.lock()
                    .unwrap()
                    .push((thread.index(), name.clone(), thread.stack_size()));
                std::thread::Builder::new()
                    .name(name.unwrap())
                    .spawn(|| thread.run())?;
                Ok(())
            })
            .build()
            .unwrap();
        let rayon_seen = Mutex::new(Seen::new());
        let rayon_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .stack_size(2 << 20)
            .thread_name(|i| format!("named {i}"))
            .spawn_handler(|thread| {
                let name = thread.name().map(str::to_owned);
                rayon_seen.lock().unwrap().push((
                    thread.index(),
                    name.clone(),
                    thread.stack_size(),
                ));
                std::thread::Builder::new()
                    .name(name.unwrap())
                    .spawn(|| thread.run())?;
                Ok(())
            })
            .build()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), *rayon_seen.lock().unwrap());
        assert_eq!(seen.lock().unwrap().len(), 3);
        let names = pool.broadcast(|ctx| {
            (
                ctx.index(),
                std::thread::current().name().map(str::to_owned),
            )
        });
        let rayon_names = rayon_pool.broadcast(|ctx| {
            (
                ctx.index(),
                std::thread::current().name().map(str::to_owned),
            )
        });
        assert_eq!(names, rayon_names);
        // Without `thread_name` the handler sees no name, in both.
        let unnamed = Mutex::new(Vec::new());
        let pool2 = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(1)
            .spawn_handler(|thread| {
                unnamed
                    .lock()
                    .unwrap()
                    .push(thread.name().map(str::to_owned));
                std::thread::spawn(|| thread.run());
                Ok(())
            })
            .build()
            .unwrap();
        let rayon_unnamed = Mutex::new(Vec::new());
        let rayon_pool2 = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .spawn_handler(|thread| {
                rayon_unnamed
                    .lock()
                    .unwrap()
                    .push(thread.name().map(str::to_owned));
                std::thread::spawn(|| thread.run());
                Ok(())
            })
            .build()
            .unwrap();
        assert_eq!(*unnamed.lock().unwrap(), *rayon_unnamed.lock().unwrap());
        // The pools work, and a panic inside comes back to the caller.
        let caught = catch_unwind(AssertUnwindSafe(|| pool.install(|| panic!("in the pool"))));
        let rayon_caught = catch_unwind(AssertUnwindSafe(|| {
            rayon_pool.install(|| panic!("in the pool"))
        }));
        assert_eq!(
            message(caught.unwrap_err()),
            message(rayon_caught.unwrap_err())
        );
        assert_eq!(pool.join(|| 1, || 2), rayon_pool.join(|| 1, || 2));
        assert_eq!(pool2.install(|| 3), rayon_pool2.install(|| 3));
    });
}

#[test]
fn a_failing_spawn_handler_fails_the_build_with_its_error_as_in_rayon() {
    watchdog(|| {
        let spawned = AtomicUsize::new(0);
        let err = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(3)
            .spawn_handler(|thread| {
                if thread.index() == 1 {
                    return Err(std::io::Error::other("no more threads"));
                }
                spawned.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(|| thread.run());
                Ok(())
            })
            .build()
            .unwrap_err();
        let rayon_spawned = AtomicUsize::new(0);
        let rayon_err = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .spawn_handler(|thread| {
                if thread.index() == 1 {
                    return Err(std::io::Error::other("no more threads"));
                }
                rayon_spawned.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(|| thread.run());
                Ok(())
            })
            .build()
            .unwrap_err();
        assert_eq!(
            err.source().map(|e| e.to_string()),
            rayon_err.source().map(|e| e.to_string())
        );
        assert_eq!(
            spawned.load(Ordering::SeqCst),
            rayon_spawned.load(Ordering::SeqCst)
        );
    });
}

#[test]
fn build_scoped_threads_borrow_from_the_caller_as_in_rayon() {
    watchdog(|| {
        let data: Vec<u64> = (1..=1000).collect();
        let wrapped = AtomicUsize::new(0);
        let ours = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(3)
            .thread_name(|i| format!("scoped-{i}"))
            .build_scoped(
                |thread| {
                    // Borrows `wrapped` from the caller's frame.
                    wrapped.fetch_add(1, Ordering::SeqCst);
                    thread.run();
                },
                |pool| {
                    use threadpool_rayon_compat::prelude::*;
                    let sum: u64 = pool.install(|| data.par_iter().sum());
                    let mut names =
                        pool.broadcast(|_| std::thread::current().name().map(str::to_owned));
                    names.sort();
                    (sum, names)
                },
            )
            .unwrap();
        let rayon_wrapped = AtomicUsize::new(0);
        let theirs = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .thread_name(|i| format!("scoped-{i}"))
            .build_scoped(
                |thread| {
                    rayon_wrapped.fetch_add(1, Ordering::SeqCst);
                    thread.run();
                },
                |pool| {
                    use rayon::prelude::*;
                    let sum: u64 = pool.install(|| data.par_iter().sum());
                    let mut names =
                        pool.broadcast(|_| std::thread::current().name().map(str::to_owned));
                    names.sort();
                    (sum, names)
                },
            )
            .unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.0, 500_500);
        // Every thread ran the wrapper and has exited: `build_scoped`
        // returned, and the scope joined them.
        assert_eq!(wrapped.load(Ordering::SeqCst), 3);
        assert_eq!(rayon_wrapped.load(Ordering::SeqCst), 3);
        // A panic in `with_pool` is resumed in the caller, after the threads
        // exit; building again works.
        let caught = catch_unwind(AssertUnwindSafe(|| {
            threadpool_rayon_compat::ThreadPoolBuilder::new()
                .num_threads(2)
                .build_scoped(|thread| thread.run(), |_| panic!("with_pool failed"))
        }));
        let rayon_caught = catch_unwind(AssertUnwindSafe(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build_scoped(|thread| thread.run(), |_| panic!("with_pool failed"))
        }));
        assert_eq!(
            message(caught.unwrap_err()),
            message(rayon_caught.unwrap_err())
        );
        let again = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(2)
            .build_scoped(|thread| thread.run(), |pool| pool.join(|| 1, || 2))
            .unwrap();
        assert_eq!(again, (1, 2));
    });
}

/// What `use_current_thread` shows on a fresh thread (rayon keeps such a
/// thread in its pool for good, so each run gets its own thread).
#[derive(Debug, PartialEq)]
struct Adopted {
    index: Option<usize>,
    threads: usize,
    spawned: usize,
    second_build_fails: bool,
    install_in_place: bool,
    join_panic: String,
    after_panic: (i32, i32),
    spawn_ran: bool,
}

#[test]
fn use_current_thread_makes_the_builder_thread_zero_as_in_rayon() {
    watchdog(|| {
        let ours = std::thread::spawn(|| {
            use threadpool_rayon_compat as r;
            let spawned = AtomicUsize::new(0);
            let pool = r::ThreadPoolBuilder::new()
                .num_threads(2)
                .use_current_thread()
                .spawn_handler(|thread| {
                    spawned.fetch_add(1, Ordering::SeqCst);
                    std::thread::spawn(|| thread.run());
                    Ok(())
                })
                .build()
                .unwrap();
            let me = std::thread::current().id();
            let second = r::ThreadPoolBuilder::new()
                .num_threads(2)
                .use_current_thread()
                .build();
            let join_panic = catch_unwind(AssertUnwindSafe(|| {
                pool.join(|| 1, || -> i32 { panic!("second half failed") })
            }));
            let (tx, rx) = channel();
            pool.spawn(move || tx.send(()).unwrap());
            // The other thread steals it, or this one runs it when it yields.
            let spawn_ran = loop {
                match rx.try_recv() {
                    Ok(()) => break true,
                    Err(_) => {
                        if r::yield_now().is_none() {
                            break false;
                        }
                        std::thread::yield_now();
                    }
                }
            };
            let result = Adopted {
                index: r::current_thread_index(),
                threads: pool.current_num_threads(),
                spawned: spawned.load(Ordering::SeqCst),
                second_build_fails: second.is_err(),
                install_in_place: pool.install(|| std::thread::current().id()) == me,
                join_panic: message(join_panic.unwrap_err()),
                after_panic: pool.join(|| 1, || 2),
                spawn_ran,
            };
            drop(pool);
            // Dropped here, the pool lets this thread go (rayon keeps it).
            assert_eq!(r::current_thread_index(), None);
            result
        })
        .join()
        .unwrap();
        let theirs = std::thread::spawn(|| {
            let spawned = AtomicUsize::new(0);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .use_current_thread()
                .spawn_handler(|thread| {
                    spawned.fetch_add(1, Ordering::SeqCst);
                    std::thread::spawn(|| thread.run());
                    Ok(())
                })
                .build()
                .unwrap();
            let me = std::thread::current().id();
            let second = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .use_current_thread()
                .build();
            let join_panic = catch_unwind(AssertUnwindSafe(|| {
                pool.join(|| 1, || -> i32 { panic!("second half failed") })
            }));
            let (tx, rx) = channel();
            pool.spawn(move || tx.send(()).unwrap());
            let spawn_ran = loop {
                match rx.try_recv() {
                    Ok(()) => break true,
                    Err(_) => {
                        if rayon::yield_now().is_none() {
                            break false;
                        }
                        std::thread::yield_now();
                    }
                }
            };
            Adopted {
                index: rayon::current_thread_index(),
                threads: pool.current_num_threads(),
                spawned: spawned.load(Ordering::SeqCst),
                second_build_fails: second.is_err(),
                install_in_place: pool.install(|| std::thread::current().id()) == me,
                join_panic: message(join_panic.unwrap_err()),
                after_panic: pool.join(|| 1, || 2),
                spawn_ran,
            }
        })
        .join()
        .unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.index, Some(0));
        assert_eq!(ours.spawned, 1);
    });
}

#[test]
fn yield_now_and_yield_local_run_a_pending_job_as_in_rayon() {
    watchdog(|| {
        use threadpool_rayon_compat as r;
        let pool = r::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let rayon_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let yields = |y: Option<r::Yield>| {
            y.map(|y| match y {
                r::Yield::Executed => "executed",
                r::Yield::Idle => "idle",
            })
        };
        let rayon_yields = |y: Option<rayon::Yield>| {
            y.map(|y| match y {
                rayon::Yield::Executed => "executed",
                rayon::Yield::Idle => "idle",
            })
        };
        // Off the pool.
        assert_eq!(yields(r::yield_now()), rayon_yields(rayon::yield_now()));
        assert_eq!(yields(r::yield_local()), rayon_yields(rayon::yield_local()));
        assert_eq!(
            yields(pool.yield_now()),
            rayon_yields(rayon_pool.yield_now())
        );
        // A spawned job pending in a scope runs at the yield.
        let ours = {
            let ran = AtomicUsize::new(0);
            pool.scope(|s| {
                s.spawn(|_| {
                    ran.fetch_add(1, Ordering::SeqCst);
                });
                let first = yields(r::yield_now());
                let after = ran.load(Ordering::SeqCst);
                (first, after, yields(r::yield_now()))
            })
        };
        let theirs = {
            let ran = AtomicUsize::new(0);
            rayon_pool.scope(|s| {
                s.spawn(|_| {
                    ran.fetch_add(1, Ordering::SeqCst);
                });
                let first = rayon_yields(rayon::yield_now());
                let after = ran.load(Ordering::SeqCst);
                (first, after, rayon_yields(rayon::yield_now()))
            })
        };
        assert_eq!(ours, theirs);
        assert_eq!(ours, (Some("executed"), 1, Some("idle")));
        // `yield_local` runs the pending second half of a `join`, nested
        // or not.
        let ours = pool.install(|| {
            r::join(
                || r::join(|| yields(r::yield_local()), || 5),
                || yields(pool.yield_local()),
            )
        });
        let theirs = rayon_pool.install(|| {
            rayon::join(
                || rayon::join(|| rayon_yields(rayon::yield_local()), || 5),
                || rayon_yields(rayon_pool.yield_local()),
            )
        });
        assert_eq!(ours, theirs);
        // A job that panics when a yield runs it: the panic reaches its
        // owner (the `join`), and the pool goes on.
        let ours = catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| r::join(|| yields(r::yield_local()), || panic!("yielded job failed")))
        }));
        let theirs = catch_unwind(AssertUnwindSafe(|| {
            rayon_pool.install(|| {
                rayon::join(
                    || rayon_yields(rayon::yield_local()),
                    || panic!("yielded job failed"),
                )
            })
        }));
        assert_eq!(message(ours.unwrap_err()), message(theirs.unwrap_err()));
        assert_eq!(pool.install(|| r::join(|| 1, || 2)), (1, 2));
    });
}

#[test]
fn pending_task_queries_answer_as_rayons() {
    watchdog(|| {
        use threadpool_rayon_compat as r;
        let pool = r::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let rayon_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        // rayon re-exports only the method; on a thread of `rayon_pool` the
        // free function of rayon-core answers the same.
        assert_eq!(
            r::current_thread_has_pending_tasks(),
            rayon_pool.current_thread_has_pending_tasks()
        );
        assert_eq!(
            pool.current_thread_has_pending_tasks(),
            rayon_pool.current_thread_has_pending_tasks()
        );
        let ours = pool.install(|| {
            let idle = r::current_thread_has_pending_tasks();
            let (in_join, ()) = r::join(r::current_thread_has_pending_tasks, || ());
            let in_scope = pool.scope(|s| {
                s.spawn(|_| ());
                pool.current_thread_has_pending_tasks()
            });
            (
                idle,
                in_join,
                in_scope,
                r::current_thread_has_pending_tasks(),
            )
        });
        let theirs = rayon_pool.install(|| {
            let idle = rayon_pool.current_thread_has_pending_tasks();
            let (in_join, ()) =
                rayon::join(|| rayon_pool.current_thread_has_pending_tasks(), || ());
            let in_scope = rayon_pool.scope(|s| {
                s.spawn(|_| ());
                rayon_pool.current_thread_has_pending_tasks()
            });
            (
                idle,
                in_join,
                in_scope,
                rayon_pool.current_thread_has_pending_tasks(),
            )
        });
        assert_eq!(ours, theirs);
        assert_eq!(ours, (Some(false), Some(true), Some(true), Some(false)));
    });
}

#[test]
fn in_place_scopes_run_a_non_send_body_here_as_in_rayon() {
    watchdog(|| {
        use threadpool_rayon_compat as r;
        let pool = r::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let rayon_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let me = std::thread::current().id();
        // `Rc` in the body: not `Send`, so the body cannot move.
        let run = |scope_with: &dyn Fn(&AtomicUsize) -> std::thread::ThreadId| {
            let total = AtomicUsize::new(0);
            let thread = scope_with(&total);
            (thread == me, total.into_inner())
        };
        let ours = run(&|total| {
            let local = Rc::new(3);
            r::in_place_scope(|s| {
                for i in 0..*local {
                    s.spawn(move |_| {
                        total.fetch_add(i + 1, Ordering::SeqCst);
                    });
                }
                std::thread::current().id()
            })
        });
        let theirs = run(&|total| {
            let local = Rc::new(3);
            rayon::in_place_scope(|s| {
                for i in 0..*local {
                    s.spawn(move |_| {
                        total.fetch_add(i + 1, Ordering::SeqCst);
                    });
                }
                std::thread::current().id()
            })
        });
        assert_eq!(ours, theirs);
        assert_eq!(ours, (true, 6));
        let ours_pool = run(&|total| {
            let local = Rc::new(4);
            pool.in_place_scope(|s| {
                let n = *local;
                s.spawn(move |_| {
                    total.fetch_add(n, Ordering::SeqCst);
                });
                std::thread::current().id()
            })
        });
        let theirs_pool = run(&|total| {
            let local = Rc::new(4);
            rayon_pool.in_place_scope(|s| {
                let n = *local;
                s.spawn(move |_| {
                    total.fetch_add(n, Ordering::SeqCst);
                });
                std::thread::current().id()
            })
        });
        assert_eq!(ours_pool, theirs_pool);
        // FIFO order on a one-thread pool, body here.
        let one = r::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let rayon_one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let order = Mutex::new(Vec::new());
        let counter = Rc::new(std::cell::Cell::new(0));
        one.in_place_scope_fifo(|s| {
            for i in 0..8 {
                counter.set(counter.get() + 1);
                let order = &order;
                s.spawn_fifo(move |_| order.lock().unwrap().push(i));
            }
        });
        let rayon_order = Mutex::new(Vec::new());
        rayon_one.in_place_scope_fifo(|s| {
            for i in 0..8 {
                counter.set(counter.get() + 1);
                let order = &rayon_order;
                s.spawn_fifo(move |_| order.lock().unwrap().push(i));
            }
        });
        assert_eq!(
            order.into_inner().unwrap(),
            rayon_order.into_inner().unwrap()
        );
        assert_eq!(counter.get(), 16);
        let free_order = Mutex::new(Vec::new());
        one.install(|| {
            let local = Rc::new(());
            r::in_place_scope_fifo(|s| {
                let _here = Rc::clone(&local);
                for i in 0..4 {
                    let order = &free_order;
                    s.spawn_fifo(move |_| order.lock().unwrap().push(i));
                }
            })
        });
        assert_eq!(free_order.into_inner().unwrap(), [0, 1, 2, 3]);
        // Panics in a job and in the body come back here; the pools go on.
        let job = catch_unwind(AssertUnwindSafe(|| {
            r::in_place_scope(|s| s.spawn(|_| panic!("job failed")))
        }));
        let rayon_job = catch_unwind(AssertUnwindSafe(|| {
            rayon::in_place_scope(|s| s.spawn(|_| panic!("job failed")))
        }));
        assert_eq!(message(job.unwrap_err()), message(rayon_job.unwrap_err()));
        let body = catch_unwind(AssertUnwindSafe(|| {
            pool.in_place_scope(|s| {
                s.spawn(|_| ());
                panic!("body failed")
            })
        }));
        let rayon_body = catch_unwind(AssertUnwindSafe(|| {
            rayon_pool.in_place_scope(|s| {
                s.spawn(|_| ());
                panic!("body failed")
            })
        }));
        assert_eq!(message(body.unwrap_err()), message(rayon_body.unwrap_err()));
        assert_eq!(pool.in_place_scope(|_| 9), rayon_pool.in_place_scope(|_| 9));
    });
}

#[test]
#[allow(deprecated)]
fn breadth_first_runs_a_threads_own_jobs_oldest_first_as_in_rayon() {
    watchdog(|| {
        let order = |pool: &threadpool_rayon_compat::ThreadPool| {
            let log = Mutex::new(Vec::new());
            pool.scope(|s| {
                for i in 0..6 {
                    let log = &log;
                    s.spawn(move |_| log.lock().unwrap().push(i));
                }
            });
            log.into_inner().unwrap()
        };
        let rayon_order = |pool: &rayon::ThreadPool| {
            let log = Mutex::new(Vec::new());
            pool.scope(|s| {
                for i in 0..6 {
                    let log = &log;
                    s.spawn(move |_| log.lock().unwrap().push(i));
                }
            });
            log.into_inner().unwrap()
        };
        let breadth = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(1)
            .breadth_first()
            .build()
            .unwrap();
        let rayon_breadth = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .breadth_first()
            .build()
            .unwrap();
        assert_eq!(order(&breadth), rayon_order(&rayon_breadth));
        assert_eq!(order(&breadth), [0, 1, 2, 3, 4, 5]);
        let depth = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let rayon_depth = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(order(&depth), rayon_order(&rayon_depth));
        // Nested work still completes; a panic comes back, the pool goes on.
        let sum = breadth.install(|| {
            use threadpool_rayon_compat::prelude::*;
            (0..10_000_u64).into_par_iter().map(|x| x * 2).sum::<u64>()
        });
        assert_eq!(sum, 99_990_000);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            breadth.scope(|s| s.spawn(|_| panic!("breadth job failed")))
        }));
        assert_eq!(message(caught.unwrap_err()), "breadth job failed");
        assert_eq!(breadth.join(|| 1, || 2), (1, 2));
    });
}

#[test]
fn handlers_skip_the_adopted_thread_as_rayons_do() {
    watchdog(|| {
        let run = || {
            let started = Arc::new(Mutex::new(Vec::new()));
            let exited = Arc::new(Mutex::new(Vec::new()));
            let (s, e) = (Arc::clone(&started), Arc::clone(&exited));
            std::thread::spawn(move || {
                let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
                    .num_threads(3)
                    .use_current_thread()
                    .start_handler(move |i| s.lock().unwrap().push(i))
                    .exit_handler(move |i| e.lock().unwrap().push(i))
                    .build()
                    .unwrap();
                let indices = pool.broadcast(|ctx| ctx.index());
                drop(pool);
                indices
            })
            .join()
            .map(|indices| {
                let mut started = started.lock().unwrap().clone();
                started.sort_unstable();
                let mut exited = exited.lock().unwrap().clone();
                exited.sort_unstable();
                (indices, started, exited)
            })
            .unwrap()
        };
        let (indices, started, exited) = run();
        assert_eq!(indices, [0, 1, 2]);
        // rayon runs neither handler on the building thread.
        assert_eq!(started, [1, 2]);
        assert_eq!(exited, [1, 2]);
    });
}

#[test]
fn workers_added_through_the_core_handle_after_a_spawn_handler_build_run() {
    watchdog(|| {
        let handled = AtomicUsize::new(0);
        let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(2)
            .spawn_handler(|thread| {
                handled.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(|| thread.run());
                Ok(())
            })
            .build()
            .unwrap();
        // The handler is done with once `build` returns; a worker added
        // later gets a standard thread.
        pool.handle().create_workers(1).unwrap();
        assert_eq!(handled.load(Ordering::SeqCst), 2);
        assert_eq!(pool.current_num_threads(), 3);
        assert_eq!(pool.broadcast(|ctx| ctx.index()), [0, 1, 2]);
    });
}

#[test]
fn a_spawn_handler_may_start_its_threads_after_build_returns_as_in_rayon() {
    watchdog(|| {
        let kept = Mutex::new(Vec::new());
        let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(2)
            .spawn_handler(|thread| {
                kept.lock().unwrap().push(thread);
                Ok(())
            })
            .build()
            .unwrap();
        let threads: Vec<_> = kept
            .into_inner()
            .unwrap()
            .into_iter()
            .map(|thread| std::thread::spawn(|| thread.run()))
            .collect();
        let rayon_kept = Mutex::new(Vec::new());
        let rayon_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .spawn_handler(|thread| {
                rayon_kept.lock().unwrap().push(thread);
                Ok(())
            })
            .build()
            .unwrap();
        let rayon_threads: Vec<_> = rayon_kept
            .into_inner()
            .unwrap()
            .into_iter()
            .map(|thread| std::thread::spawn(|| thread.run()))
            .collect();
        assert_eq!(threads.len(), rayon_threads.len());
        let (tx, rx) = channel();
        pool.spawn(move || {
            tx.send(threadpool_rayon_compat::current_thread_index())
                .unwrap()
        });
        let (rtx, rrx) = channel();
        rayon_pool.spawn(move || rtx.send(rayon::current_thread_index()).unwrap());
        assert_eq!(rx.recv().unwrap().is_some(), rrx.recv().unwrap().is_some());
        assert_eq!(pool.join(|| 1, || 2), rayon_pool.join(|| 1, || 2));
        drop(pool);
        drop(rayon_pool);
        for thread in threads.into_iter().chain(rayon_threads) {
            thread.join().unwrap();
        }
    });
}

#[test]
fn threads_without_thread_name_are_unnamed_as_in_rayon() {
    watchdog(|| {
        let name = || std::thread::current().name().map(str::to_owned);
        let compat = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let rayon = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(compat.broadcast(|_| name()), [None, None]);
        assert_eq!(compat.broadcast(|_| name()), rayon.broadcast(|_| name()));
        // The global pools too.
        let compat_global = threadpool_rayon_compat::broadcast(|_| name());
        let rayon_global = rayon::broadcast(|_| name());
        assert!(
            compat_global.iter().all(Option::is_none),
            "{compat_global:?}"
        );
        assert!(rayon_global.iter().all(Option::is_none), "{rayon_global:?}");
        // With `thread_name`, both name them.
        let named = threadpool_rayon_compat::ThreadPoolBuilder::new()
            .num_threads(2)
            .thread_name(|i| format!("w{i}"))
            .build()
            .unwrap();
        assert_eq!(
            named.broadcast(|_| name()),
            [Some("w0".to_owned()), Some("w1".to_owned())]
        );
    });
}
