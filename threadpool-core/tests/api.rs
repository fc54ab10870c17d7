//! The request API as real programs use it: `?` on every fallible call,
//! state held by the pool and handed to callbacks (local and remote), a
//! pool inside an application struct, failed jobs on the exception path,
//! handled panics that print nothing, and one behaviour after shutdown.

use std::error::Error;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use threadpool_core::{
    Exception, PollError, PutErrorKind, RequestId, SendWorkRequest, SpawnErrorKind, ThreadPool,
    WorkRequest, make_requests_with_state,
};

/// Runs `body` on a thread of its own and fails the test if it has not
/// finished within a minute: a hang fails instead of stalling the run.
fn watchdog<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = tx.send(body());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test body hung for 60 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: show its panic, not a channel error.
            std::panic::resume_unwind(worker.join().unwrap_err())
        }
    }
}

/// The program a new user wrote first: a borrowing callback and `?` on the
/// put, in a function returning `Box<dyn Error>`. It must compile as
/// written and count right (the compiler's old hint, `move`, counted 0).
fn question_mark_on_put() -> Result<i32, Box<dyn Error>> {
    let mut count = 0;
    let mut pool = ThreadPool::new(2)?;
    pool.put_request(WorkRequest::new(|| 1).on_result(|_, v| count += v))?;
    pool.wait()?;
    drop(pool);
    println!("{count}");
    Ok(count)
}

#[test]
fn question_mark_on_put_compiles_and_counts() {
    assert_eq!(watchdog(|| question_mark_on_put().unwrap()), 1);
}

/// The same with `anyhow`, whose errors must be `Send + Sync + 'static`.
fn question_mark_with_anyhow() -> anyhow::Result<u64> {
    let mut pool = ThreadPool::with_state(2, 0_u64)?;
    let handle = pool.handle();
    for n in 1..=3 {
        pool.put_request(
            WorkRequest::new(move || n).on_result_with(|sum: &mut u64, _, v| *sum += v),
        )?;
        handle.put_request(
            SendWorkRequest::new(move || n * 10).on_result_with(|sum: &mut u64, _, v| *sum += v),
        )?;
    }
    pool.wait()?;
    Ok(pool.into_state())
}

#[test]
fn question_mark_works_with_anyhow_for_pool_and_handle_puts() {
    assert_eq!(watchdog(|| question_mark_with_anyhow().unwrap()), 66);
}

#[test]
fn put_errors_say_what_happened_and_offer_hands_the_request_back() {
    let mut pool = ThreadPool::new(1).unwrap();
    pool.handle().shutdown();
    let err = pool
        .put_request(WorkRequest::new(|| ()).with_id(7))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "request 7 not queued: the pool has shut down"
    );
    let boxed: Box<dyn Error + Send + Sync> = err.into();
    assert_eq!(
        boxed.to_string(),
        "request 7 not queued: the pool has shut down"
    );
    let refused = pool.offer(WorkRequest::new(|| 5).with_id(8)).unwrap_err();
    assert_eq!(refused.kind(), PutErrorKind::ShutDown);
    assert_eq!(refused.into_request().id(), RequestId::new(8));
}

#[derive(Default)]
struct Progress {
    done: Vec<u32>,
    failed: Vec<String>,
}

#[test]
fn state_is_readable_between_polls_and_both_callbacks_change_it() {
    watchdog(|| {
        let mut pool = ThreadPool::with_state(2, Progress::default()).unwrap();
        for n in 0..20_u32 {
            pool.put_request(
                WorkRequest::new(move || if n % 7 == 3 { panic!("job {n}") } else { n })
                    .on_result_with(|p: &mut Progress, _, n| p.done.push(n))
                    .on_exception_with(|p: &mut Progress, _, exc| p.failed.push(exc.to_string())),
            )
            .unwrap();
        }
        let mut seen = Vec::new();
        loop {
            match pool.poll() {
                Ok(_) => {
                    // Between polls the state is the caller's to read...
                    seen.push(pool.state().done.len() + pool.state().failed.len());
                    thread::yield_now();
                }
                Err(PollError::NoResultsPending) => break,
                Err(err) => panic!("{err}"),
            }
        }
        // ...and to change.
        pool.state_mut().done.sort_unstable();
        let progress = pool.into_state();
        assert_eq!(progress.done.len(), 17);
        assert_eq!(progress.failed.len(), 3);
        assert!(progress.failed.iter().all(|m| m.starts_with("job ")));
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only grows");
    });
}

#[test]
fn requests_from_other_threads_update_the_same_state() {
    watchdog(|| {
        let mut pool = ThreadPool::builder()
            .num_workers(2)
            .queue_size(4)
            .result_queue_size(4)
            .build_with_state(Vec::<(u64, u64)>::new())
            .unwrap();
        let handle = pool.handle();
        let producer = thread::spawn(move || {
            for i in 0..50_u64 {
                handle
                    .put_request(
                        SendWorkRequest::new(move || i * i)
                            .with_id(i)
                            .on_result_with(|results: &mut Vec<(u64, u64)>, id, v| {
                                results.push((id.as_u64(), v));
                            }),
                    )
                    .unwrap();
            }
        });
        // Local requests into the same state, while the producer runs.
        for i in 50..60_u64 {
            pool.put_request(
                WorkRequest::new(move || i * i).on_result_with(
                    move |results: &mut Vec<(u64, u64)>, _, v| results.push((i, v)),
                ),
            )
            .unwrap();
        }
        loop {
            let producer_done = producer.is_finished();
            match pool.poll_timeout(Duration::from_millis(1)) {
                Ok(_) | Err(PollError::Timeout) => {}
                Err(PollError::NoResultsPending) if producer_done => break,
                Err(PollError::NoResultsPending) => thread::yield_now(),
                Err(err) => panic!("{err}"),
            }
        }
        producer.join().unwrap();
        let mut results = pool.into_state();
        results.sort_unstable();
        assert_eq!(results, (0..60).map(|i| (i, i * i)).collect::<Vec<_>>());
    });
}

#[test]
fn callbacks_of_another_state_type_are_refused_at_the_put() {
    let mut pool = ThreadPool::with_state(1, 0_u32).unwrap();
    let request = WorkRequest::new(|| 1).on_result_with(|_: &mut String, _, _| {});
    let refused = pool.offer(request).unwrap_err();
    assert_eq!(refused.kind(), PutErrorKind::WrongState);
    assert!(
        refused.to_string().ends_with(
            "its callbacks take a `&mut alloc::string::String`, but the pool's state is a `u32`"
        ),
        "{refused}"
    );
    let refused = pool
        .handle()
        .put_request(SendWorkRequest::new(|| 1).on_result_with(|_: &mut String, _, _| {}))
        .unwrap_err();
    assert_eq!(refused.kind(), PutErrorKind::WrongState);
    // Callbacks that take `()` need no state and fit every pool.
    pool.put_request(WorkRequest::new(|| 1).on_result_with(|(): &mut (), _, _| {}))
        .unwrap();
    pool.wait().unwrap();
}

#[test]
#[should_panic(expected = "a request's callbacks take one state type")]
fn one_request_with_two_state_types_is_a_clear_panic() {
    let _ = WorkRequest::new(|| 1)
        .on_result_with(|_: &mut u8, _, _| {})
        .on_exception_with(|_: &mut u16, _, _| {});
}

/// An application in the style of a GUI or game loop: it owns the pool and
/// the model its callbacks update, with no `Rc<RefCell<..>>`.
struct App {
    pool: ThreadPool<'static, Model>,
    frames: u64,
}

#[derive(Default)]
struct Model {
    thumbnails: Vec<(u32, usize)>,
    errors: Vec<String>,
}

impl App {
    fn new() -> Result<Self, Box<dyn Error>> {
        Ok(App {
            pool: ThreadPool::with_state(2, Model::default())?,
            frames: 0,
        })
    }

    fn open(&mut self, image: u32) -> Result<(), Box<dyn Error>> {
        self.pool.put_request(
            WorkRequest::new(move || {
                if image == 13 {
                    Err(format!("image {image} is corrupt"))
                } else {
                    Ok(image as usize * 100)
                }
            })
            .on_ok_with(move |m: &mut Model, _, bytes| m.thumbnails.push((image, bytes)))
            .on_exception_with(|m: &mut Model, _, exc| m.errors.push(exc.to_string())),
        )?;
        Ok(())
    }

    fn frame(&mut self) -> Result<bool, Box<dyn Error>> {
        self.frames += 1;
        match self.pool.poll() {
            Ok(_) => Ok(true),
            Err(PollError::NoResultsPending) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }
}

#[test]
fn a_pool_and_its_state_live_in_an_application_struct() {
    let (thumbnails, errors) = watchdog(|| {
        let mut app = App::new().unwrap();
        for image in 10..16 {
            app.open(image).unwrap();
        }
        while app.frame().unwrap() {
            let model = app.pool.state();
            assert!(model.thumbnails.len() + model.errors.len() <= 6);
            thread::yield_now();
        }
        assert!(app.frames >= 1);
        let mut model = app.pool.into_state();
        model.thumbnails.sort_unstable();
        (model.thumbnails, model.errors)
    });
    assert_eq!(
        thumbnails,
        [(10, 1000), (11, 1100), (12, 1200), (14, 1400), (15, 1500)]
    );
    assert_eq!(errors, ["image 13 is corrupt"]);
}

#[test]
fn a_failed_job_reaches_the_exception_callback_distinct_from_a_panic() {
    let outcomes = watchdog(|| {
        let mut pool = ThreadPool::with_state(2, Vec::<String>::new()).unwrap();
        for text in ["4", "x", "panic"] {
            pool.put_request(
                WorkRequest::new(move || {
                    if text == "panic" {
                        panic!("bad job");
                    }
                    text.parse::<u8>()
                })
                .on_ok_with(|log: &mut Vec<String>, _, n| log.push(format!("ok {n}")))
                .on_exception_with(|log: &mut Vec<String>, _, exc| {
                    log.push(match &exc {
                        Exception::Panicked(panic) => format!("panic {panic}"),
                        Exception::Failed(err) => {
                            assert!(err.downcast_ref::<std::num::ParseIntError>().is_some());
                            format!("error {err}")
                        }
                        other => panic!("unexpected {other}"),
                    })
                }),
            )
            .unwrap();
        }
        pool.wait().unwrap();
        let mut log = pool.into_state();
        log.sort();
        log
    });
    assert_eq!(
        outcomes,
        [
            "error invalid digit found in string",
            "ok 4",
            "panic bad job"
        ]
    );
}

#[test]
fn without_on_ok_a_result_is_a_value() {
    let mut got = None;
    let mut pool = ThreadPool::new(1).unwrap();
    pool.put_request(WorkRequest::new(|| "x".parse::<u8>()).on_result(|_, r| got = Some(r)))
        .unwrap();
    pool.wait().unwrap();
    drop(pool);
    assert!(matches!(got, Some(Err(_))));
}

#[test]
fn make_requests_with_state_shares_two_callbacks() {
    watchdog(|| {
        let mut pool = ThreadPool::with_state(2, (0_u32, 0_u32)).unwrap();
        let requests = make_requests_with_state(
            |n: u32| {
                if n.is_multiple_of(3) {
                    panic!("three")
                } else {
                    n
                }
            },
            1..=9,
            |(sum, _): &mut (u32, u32), _, n| *sum += n,
            |(_, failed): &mut (u32, u32), _, _| *failed += 1,
        );
        for request in requests {
            pool.put_request(request).unwrap();
        }
        pool.wait().unwrap();
        assert_eq!(*pool.state(), (1 + 2 + 4 + 5 + 7 + 8, 3));
    });
}

#[test]
fn after_a_shutdown_through_a_handle_every_call_says_so() {
    let mut pool = ThreadPool::new(1).unwrap();
    let handle = pool.handle();
    handle.shutdown();
    assert!(handle.is_shut_down());
    let err = pool.put_request(WorkRequest::new(|| ())).unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::ShutDown);
    let err = pool.try_put_request(WorkRequest::new(|| ())).unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::ShutDown);
    let err = pool.put_requests([WorkRequest::new(|| ())]).unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::ShutDown);
    let refused = handle.put_request(SendWorkRequest::new(|| ())).unwrap_err();
    assert_eq!(refused.kind(), PutErrorKind::ShutDown);
    let err = pool.create_workers(1).unwrap_err();
    assert_eq!(err.kind(), SpawnErrorKind::ShutDown);
    let err = handle.create_workers(1).unwrap_err();
    assert_eq!(err.kind(), SpawnErrorKind::ShutDown);
    assert_eq!(pool.outstanding(), 0);
    assert_eq!(pool.wait(), Ok(()));
}

#[test]
fn after_a_shutdown_join_scope_and_install_panic_naming_the_function_called() {
    let pool = ThreadPool::new(1).unwrap();
    let handle = pool.handle();
    handle.shutdown();
    let message = |caught: std::thread::Result<()>| {
        let payload = caught.expect_err("a panic");
        threadpool_core::Panic::new(payload).to_string()
    };
    let quiet = std::panic::AssertUnwindSafe(&handle);
    let join = message(std::panic::catch_unwind(|| {
        let _ = quiet.join(|| 1, || 2);
    }));
    assert_eq!(join, "PoolHandle::join: the pool is shut down");
    let scope = message(std::panic::catch_unwind(|| quiet.scope(|_| ())));
    assert_eq!(scope, "PoolHandle::scope: the pool is shut down");
    let install = message(std::panic::catch_unwind(|| quiet.install(|| ())));
    assert_eq!(install, "PoolHandle::install: the pool is shut down");
    drop(pool);
}

#[test]
fn dismissed_workers_counts_those_not_joined_yet() {
    let mut pool = ThreadPool::new(4).unwrap();
    assert_eq!(pool.dismissed_workers(), 0);
    pool.dismiss_workers(3, false);
    assert_eq!(pool.dismissed_workers(), 3);
    pool.handle().join_all_dismissed_workers();
    assert_eq!(pool.dismissed_workers(), 0);
    pool.dismiss_workers(1, true);
    assert_eq!((pool.dismissed_workers(), pool.workers()), (0, 0));
}

/// The child half of the quiet-panic tests: panicking jobs whose panics
/// are handled, ignored, or left to the default report.
#[test]
#[ignore = "run in a child process by handled_panics_print_nothing"]
fn child_panicking_jobs() {
    let mut pool = ThreadPool::new(2).unwrap();
    for n in 0..10 {
        pool.put_request(
            WorkRequest::new(move || -> u32 { panic!("handled {n}") }).on_exception(|_, _| {}),
        )
        .unwrap();
        pool.put_request(WorkRequest::new(|| -> u32 { panic!("ignored") }).ignore_exception())
            .unwrap();
    }
    pool.put_request(WorkRequest::new(|| -> u32 { panic!("unhandled") }).with_id(99))
        .unwrap();
    pool.wait().unwrap();
    assert_eq!(pool.stats().panicked, 21);
}

fn child_stderr(backtrace: &str) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_panicking_jobs",
            "--ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("RUST_BACKTRACE", backtrace)
        .output()
        .unwrap();
    assert!(output.status.success(), "the child failed: {output:?}");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn handled_panics_print_nothing_and_an_unhandled_one_is_reported_once() {
    for backtrace in ["0", "1", "full"] {
        let stderr = child_stderr(backtrace);
        assert_eq!(
            stderr, "threadpool: request 99 panicked: unhandled\n",
            "with RUST_BACKTRACE={backtrace}"
        );
    }
}

/// A panic outside any job still reaches the program's own hook.
#[test]
#[ignore = "run in a child process by panics_outside_jobs_reach_the_users_hook"]
fn child_panic_outside_a_job() {
    std::panic::set_hook(Box::new(|_| eprintln!("user hook")));
    let mut pool = ThreadPool::new(1).unwrap();
    pool.put_request(WorkRequest::new(|| -> u8 { panic!("quiet") }).ignore_exception())
        .unwrap();
    pool.wait().unwrap();
    let _ = std::panic::catch_unwind(|| panic!("loud"));
    let _ = thread::spawn(|| panic!("loud on a thread")).join();
}

#[test]
fn panics_outside_jobs_reach_the_users_hook() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_panic_outside_a_job",
            "--ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "the child failed: {output:?}");
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "user hook\nuser hook\n"
    );
}
