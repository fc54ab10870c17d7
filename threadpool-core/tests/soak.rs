//! The soak: a random mix of everything the pool offers, from several
//! threads, for `SOAK_SECONDS`, checked after every phase. Run it with
//! `cargo xtask soak --seconds N`; `cargo test` skips it (ignored).
//!
//! A phase builds a pool with random worker count and queue bounds, then
//! the test thread and two producer threads (through `PoolHandle`s) put
//! requests every way there is (blocking, with a timeout, non-blocking,
//! batches, batches whose iterator panics), poll, wait, create and dismiss
//! workers, and block the polling thread on the workers (`install`,
//! `join`, `scope`, `dismiss_workers(n, true)` and
//! `join_all_dismissed_workers` through the handle) while results may sit
//! unpolled; meanwhile jobs panic, put further requests through the handle
//! (non-blocking and blocking, into queues that may be full), callbacks put
//! follow-up requests with blocking puts (the crawler pattern), and
//! everything captures values that count their drops. A phase ends with
//! `wait` and `shutdown`, or by dropping the pool with work in flight.
//! Then it checks:
//!
//! - every request put got exactly one callback (result or exception) or,
//!   if its pool was dropped first, none; every refused request came back
//!   to its caller inside the error; nothing else (lost = 0, and
//!   duplicated, more than one callback, = 0);
//! - no captured value outlives its pool (the drop counter returns to 0);
//! - resident memory stays flat over the run.
//!
//! A watchdog thread fails the run, with a dump of the pool's counters,
//! when the test thread makes no progress for a minute (a hang).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use threadpool_core::{
    PollError, PoolHandle, PutErrorKind, SendWorkRequest, ThreadPool, WorkRequest,
};

/// How many requests each producer thread puts in one phase.
const PUTS_PER_PRODUCER: usize = 2000;

/// How long the test thread may make no progress before the run fails.
const HANG: Duration = Duration::from_secs(60);

/// xorshift64*: reproducible from the printed seed.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

/// Values captured by jobs and results: alive now.
static LIVE: AtomicUsize = AtomicUsize::new(0);

struct Tracked;

impl Tracked {
    fn new() -> Self {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Tracked
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What became of one request.
#[derive(Default)]
struct Fate {
    put: bool,
    handed_back: bool,
    callbacks: u32,
}

/// Every request of a phase, by serial number, from every thread.
#[derive(Default)]
struct Ledger {
    fates: Mutex<HashMap<u64, Fate>>,
    next: AtomicU64,
}

impl Ledger {
    fn serial(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn record(&self, serial: u64, f: impl FnOnce(&mut Fate)) {
        f(self.fates.lock().unwrap().entry(serial).or_default());
    }
}

#[derive(Default)]
struct Counts {
    phases: AtomicU64,
    requests: AtomicU64,
    put_blocking: AtomicU64,
    put_timeout: AtomicU64,
    put_try: AtomicU64,
    put_batch: AtomicU64,
    from_jobs: AtomicU64,
    from_jobs_blocking: AtomicU64,
    from_callbacks: AtomicU64,
    panicking_batches: AtomicU64,
    blocking_calls_on_poller: AtomicU64,
    duplicated: AtomicU64,
    handed_back: AtomicU64,
    results: AtomicU64,
    exceptions: AtomicU64,
    panics: AtomicU64,
    dropped_with_pool: AtomicU64,
    polls: AtomicU64,
    waits: AtomicU64,
    creates: AtomicU64,
    dismissals: AtomicU64,
    pools_dropped_in_flight: AtomicU64,
    par_maps: AtomicU64,
    par_map_items: AtomicU64,
    par_map_panics: AtomicU64,
    lost: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// What the watchdog sees of the test thread.
#[derive(Default)]
struct Watch {
    heartbeat: AtomicU64,
    phase: Mutex<String>,
    handle: Mutex<Option<PoolHandle>>,
    done: AtomicBool,
}

impl Watch {
    fn beat(&self) {
        self.heartbeat.fetch_add(1, Ordering::Relaxed);
    }

    fn run(&self) {
        let mut last = (self.heartbeat.load(Ordering::Relaxed), Instant::now());
        while !self.done.load(Ordering::Relaxed) {
            std::thread::park_timeout(Duration::from_millis(500));
            let now = self.heartbeat.load(Ordering::Relaxed);
            if now != last.0 {
                last = (now, Instant::now());
            } else if last.1.elapsed() > HANG {
                eprintln!("soak: no progress for {HANG:?}: a hang");
                eprintln!("soak: phase: {}", self.phase.lock().unwrap());
                if let Some(handle) = &*self.handle.lock().unwrap() {
                    eprintln!("soak: pool: {handle:?}, stats {:?}", handle.stats());
                }
                eprintln!(
                    "soak: live captured values: {}",
                    LIVE.load(Ordering::SeqCst)
                );
                std::process::abort();
            }
        }
    }
}

/// A request's job: returns a tracked value, panics, or puts more requests
/// through the pool's handle.
fn job(
    rng: &mut Rng,
    handle: &PoolHandle,
    ledger: &Arc<Ledger>,
    counts: &Arc<Counts>,
) -> impl FnOnce() -> Tracked + Send + 'static {
    let kind = rng.below(8);
    let captured = Tracked::new();
    // Only a job that submits more holds a handle.
    let handle = (kind == 1 || kind == 2).then(|| handle.clone());
    let ledger = Arc::clone(ledger);
    let counts = Arc::clone(counts);
    move || {
        let _captured = captured;
        match kind {
            0 => {
                bump(&counts.panics);
                panic!("soak: a job panics");
            }
            1 => {
                // A job that submits jobs, without blocking its worker.
                for _ in 0..2 {
                    let serial = ledger.serial();
                    let request = send_request(serial, &ledger, &counts, Tracked::new);
                    bump(&counts.requests);
                    bump(&counts.from_jobs);
                    put_outcome(
                        &ledger,
                        &counts,
                        serial,
                        handle
                            .as_ref()
                            .expect("a nesting job holds a handle")
                            .try_put_request(request)
                            .map(drop)
                            .map_err(|e| e.kind()),
                    );
                }
                Tracked::new()
            }
            2 => {
                // A job that puts with a blocking put, into queues that may
                // be full: its worker runs queued work while it waits.
                for _ in 0..2 {
                    let serial = ledger.serial();
                    let request = send_request(serial, &ledger, &counts, Tracked::new);
                    bump(&counts.requests);
                    bump(&counts.from_jobs_blocking);
                    put_outcome(
                        &ledger,
                        &counts,
                        serial,
                        handle
                            .as_ref()
                            .expect("a nesting job holds a handle")
                            .put_request(request)
                            .map(drop)
                            .map_err(|e| e.kind()),
                    );
                }
                Tracked::new()
            }
            _ => Tracked::new(),
        }
    }
}

/// A request whose callback, on the polling thread, puts `n` follow-up
/// requests through the handle with blocking puts (the crawler pattern),
/// into queues that may be full.
fn crawler_request<'a>(
    n: usize,
    rng: &mut Rng,
    handle: &PoolHandle,
    ledger: &Arc<Ledger>,
    counts: &Arc<Counts>,
) -> (u64, WorkRequest<'a, Tracked>) {
    let serial = ledger.serial();
    let f = job(rng, handle, ledger, counts);
    let mut follow_ups = Vec::new();
    for _ in 0..n {
        let serial = ledger.serial();
        let f = job(rng, handle, ledger, counts);
        follow_ups.push((serial, send_request(serial, ledger, counts, f)));
    }
    let (handle, l1, l2, c1, c2) = (
        handle.clone(),
        Arc::clone(ledger),
        Arc::clone(ledger),
        Arc::clone(counts),
        Arc::clone(counts),
    );
    let put_follow_ups = move |handle: &PoolHandle,
                               follow_ups: Vec<(u64, SendWorkRequest<Tracked>)>,
                               ledger: &Ledger,
                               counts: &Counts| {
        for (serial, request) in follow_ups {
            bump(&counts.requests);
            bump(&counts.from_callbacks);
            let outcome = handle.put_request(request).map(drop).map_err(|e| e.kind());
            put_outcome(ledger, counts, serial, outcome);
        }
    };
    let request = WorkRequest::new(f)
        .on_result(move |_, value| {
            drop(value);
            bump(&c1.results);
            l1.record(serial, |fate| fate.callbacks += 1);
            put_follow_ups(&handle, follow_ups, &l1, &c1);
        })
        .on_exception(move |_, _| {
            bump(&c2.exceptions);
            l2.record(serial, |fate| fate.callbacks += 1);
        });
    (serial, request)
}

/// A `SendWorkRequest` whose callbacks record its fate.
fn send_request(
    serial: u64,
    ledger: &Arc<Ledger>,
    counts: &Arc<Counts>,
    f: impl FnOnce() -> Tracked + Send + 'static,
) -> SendWorkRequest<Tracked> {
    let (l1, l2) = (Arc::clone(ledger), Arc::clone(ledger));
    let (c1, c2) = (Arc::clone(counts), Arc::clone(counts));
    SendWorkRequest::new(f)
        .on_result(move |_, value| {
            drop(value);
            bump(&c1.results);
            l1.record(serial, |fate| fate.callbacks += 1);
        })
        .on_exception(move |_, _| {
            bump(&c2.exceptions);
            l2.record(serial, |fate| fate.callbacks += 1);
        })
}

fn put_outcome(ledger: &Ledger, counts: &Counts, serial: u64, outcome: Result<(), PutErrorKind>) {
    match outcome {
        Ok(()) => ledger.record(serial, |fate| fate.put = true),
        Err(kind) => {
            assert!(
                matches!(
                    kind,
                    PutErrorKind::Full
                        | PutErrorKind::Timeout
                        | PutErrorKind::NoWorkersAvailable
                        | PutErrorKind::ShutDown
                ),
                "unexpected refusal {kind:?}"
            );
            bump(&counts.handed_back);
            ledger.record(serial, |fate| fate.handed_back = true);
        }
    }
}

/// A producer thread: puts through a `PoolHandle` until told to stop.
fn producer(
    mut rng: Rng,
    handle: PoolHandle,
    ledger: Arc<Ledger>,
    counts: Arc<Counts>,
    stop: Arc<AtomicBool>,
    pause: Arc<Pause>,
) {
    // Bounded, so that an unbounded queue cannot grow without limit while
    // the test thread is busy elsewhere.
    for _ in 0..PUTS_PER_PRODUCER {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        pause.point();
        let serial = ledger.serial();
        let f = job(&mut rng, &handle, &ledger, &counts);
        let request = send_request(serial, &ledger, &counts, f);
        bump(&counts.requests);
        let outcome = match rng.below(3) {
            0 => {
                bump(&counts.put_blocking);
                handle.put_request(request)
            }
            1 => {
                bump(&counts.put_timeout);
                let timeout = Duration::from_micros(rng.below(300));
                handle.put_request_timeout(request, timeout)
            }
            _ => {
                bump(&counts.put_try);
                handle.try_put_request(request)
            }
        };
        // The refused request comes back inside the error; dropping it
        // drops its captured value.
        put_outcome(
            &ledger,
            &counts,
            serial,
            outcome.map(drop).map_err(|e| e.kind()),
        );
        if rng.chance(50) && handle.workers() < 8 {
            bump(&counts.creates);
            let _ = handle.create_workers(1);
        }
        if handle.is_shut_down() {
            return;
        }
    }
    while !stop.load(Ordering::Relaxed) {
        pause.point();
        std::thread::yield_now();
    }
}

/// Lets the test thread hold the producers still, so that a `wait` in the
/// middle of a phase has an end.
#[derive(Default)]
struct Pause {
    requested: AtomicBool,
    parked: AtomicUsize,
}

impl Pause {
    /// Called by a producer between puts.
    fn point(&self) {
        if self.requested.load(Ordering::SeqCst) {
            self.parked.fetch_add(1, Ordering::SeqCst);
            while self.requested.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
            self.parked.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

/// A streaming `par_map` on the compat crate's global pool (a phase's own
/// pool may have no workers): random length, now and then an item that
/// panics, now and then the iterator dropped early. Checks the order, that
/// the panic arrives exactly when its item's turn comes, and (through the
/// drop counter at the end of the phase) that no item is leaked.
fn par_map_op(rng: &mut Rng, counts: &Counts) {
    use threadpool_rayon_compat::ParMap;
    bump(&counts.par_maps);
    let n = rng.below(200) as usize;
    let fail_at = if rng.chance(4) {
        Some(rng.below(n as u64 + 1) as usize)
    } else {
        None
    };
    let take = if rng.chance(3) {
        rng.below(n as u64 + 1) as usize
    } else {
        n
    };
    let items: Vec<(usize, Tracked)> = (0..n).map(|i| (i, Tracked::new())).collect();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        items
            .into_iter()
            .par_map(move |(i, tracked)| {
                drop(tracked);
                if Some(i) == fail_at {
                    panic!("soak: a job panics (par_map item {i})");
                }
                i * 2
            })
            .take(take)
            .collect::<Vec<_>>()
    }));
    let panics_in_view = fail_at.is_some_and(|at| at < take);
    match outcome {
        Ok(values) => {
            assert!(
                !panics_in_view,
                "par_map: the panic of item {fail_at:?} was lost"
            );
            assert_eq!(values, (0..take).map(|i| i * 2).collect::<Vec<_>>());
            counts
                .par_map_items
                .fetch_add(take as u64, Ordering::Relaxed);
        }
        Err(_) => {
            assert!(
                panics_in_view,
                "par_map: a panic from beyond the items taken"
            );
            bump(&counts.par_map_panics);
        }
    }
}

/// `put_requests` with an iterator that panics after a random number of
/// requests: the ones it yielded are put (and must run: their wake-up comes
/// from the batch's guard during the unwind), the panic reaches the caller.
fn panicking_batch(
    rng: &mut Rng,
    pool: &mut ThreadPool<'_>,
    handle: &PoolHandle,
    ledger: &Arc<Ledger>,
    counts: &Arc<Counts>,
) {
    bump(&counts.panicking_batches);
    let panic_at = rng.below(8) as usize;
    let mut jobs = Vec::new();
    for _ in 0..panic_at {
        jobs.push((ledger.serial(), job(rng, handle, ledger, counts)));
    }
    let yielded = std::cell::RefCell::new(Vec::new());
    let outcome = {
        let mut jobs = jobs.into_iter();
        let requests = std::iter::from_fn(|| {
            let Some((serial, f)) = jobs.next() else {
                panic!("soak: an iterator panics");
            };
            yielded.borrow_mut().push(serial);
            bump(&counts.requests);
            bump(&counts.put_batch);
            let (l1, l2) = (Arc::clone(ledger), Arc::clone(ledger));
            let (c1, c2) = (Arc::clone(counts), Arc::clone(counts));
            Some(
                WorkRequest::new(f)
                    .on_result(move |_, value| {
                        drop(value);
                        bump(&c1.results);
                        l1.record(serial, |fate| fate.callbacks += 1);
                    })
                    .on_exception(move |_, _| {
                        bump(&c2.exceptions);
                        l2.record(serial, |fate| fate.callbacks += 1);
                    }),
            )
        });
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pool.put_requests(requests)))
    };
    let yielded = yielded.into_inner();
    let refused = match outcome {
        Err(_) => None,
        Ok(Err(err)) => {
            assert_eq!(err.kind(), PutErrorKind::NoWorkersAvailable);
            yielded.last().copied()
        }
        Ok(Ok(_)) => unreachable!("the iterator always ends in a panic"),
    };
    for serial in yielded {
        if Some(serial) == refused {
            bump(&counts.handed_back);
            ledger.record(serial, |fate| fate.handed_back = true);
        } else {
            ledger.record(serial, |fate| fate.put = true);
        }
    }
}

/// A call that blocks the polling thread on the workers, made while
/// results may sit unpolled in a bounded result queue: `install`, `join`,
/// `scope`, or (through the handle) `dismiss_workers(n, true)` and
/// `join_all_dismissed_workers`.
fn blocking_call_on_poller(
    rng: &mut Rng,
    pool: &ThreadPool<'_>,
    handle: &PoolHandle,
    counts: &Counts,
) {
    bump(&counts.blocking_calls_on_poller);
    let which = rng.below(5);
    if which < 3 && pool.workers() == 0 {
        // `install` refuses a pool without workers (it would wait for ever).
        return;
    }
    match which {
        0 => assert_eq!(handle.install(|| 6 * 7), 42),
        1 => assert_eq!(handle.join(|| 1, || 2), (1, 2)),
        2 => {
            let total = AtomicU64::new(0);
            handle.scope(|s| {
                for n in 0..4 {
                    let total = &total;
                    s.spawn(move |_| {
                        total.fetch_add(n, Ordering::Relaxed);
                    });
                }
            });
            assert_eq!(total.into_inner(), 6);
        }
        3 => {
            bump(&counts.dismissals);
            handle.dismiss_workers(1, true);
        }
        _ => {
            bump(&counts.dismissals);
            handle.dismiss_workers(1, false);
            handle.join_all_dismissed_workers();
        }
    }
}

/// One phase: a fresh pool, a random mix, then the checks.
fn phase(rng: &mut Rng, counts: &Arc<Counts>, watch: &Watch, ops: usize) {
    let ledger = Arc::new(Ledger::default());
    let drop_in_flight = rng.chance(4);
    let workers = rng.below(4) as usize;
    let queue = [0, 1, 4, 64][rng.below(4) as usize];
    let result_queue = [0, 0, 1, 8][rng.below(4) as usize];
    *watch.phase.lock().unwrap() = format!(
        "#{} workers {workers} queue {queue} result queue {result_queue}",
        counts.phases.load(Ordering::Relaxed)
    );
    let mut pool = ThreadPool::builder()
        .num_workers(workers)
        .queue_size(queue)
        .result_queue_size(result_queue)
        .build()
        .unwrap();
    let handle = pool.handle();
    *watch.handle.lock().unwrap() = Some(handle.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let pause = Arc::new(Pause::default());
    let producers: Vec<_> = (0..2)
        .map(|_| {
            let (rng, handle, ledger, counts, stop, pause) = (
                Rng(rng.next() | 1),
                handle.clone(),
                Arc::clone(&ledger),
                Arc::clone(counts),
                Arc::clone(&stop),
                Arc::clone(&pause),
            );
            std::thread::spawn(move || producer(rng, handle, ledger, counts, stop, pause))
        })
        .collect();

    for _ in 0..ops {
        watch.beat();
        match rng.below(24) {
            20 => par_map_op(rng, counts),
            21 => {
                let n = 1 + rng.below(5) as usize;
                let (serial, request) = crawler_request(n, rng, &handle, &ledger, counts);
                bump(&counts.requests);
                bump(&counts.put_blocking);
                let outcome = pool.put_request(request).map(drop).map_err(|e| e.kind());
                put_outcome(&ledger, counts, serial, outcome);
            }
            22 => panicking_batch(rng, &mut pool, &handle, &ledger, counts),
            23 => blocking_call_on_poller(rng, &pool, &handle, counts),
            0..=8 => {
                let serial = ledger.serial();
                let f = job(rng, &handle, &ledger, counts);
                let (l1, l2) = (Arc::clone(&ledger), Arc::clone(&ledger));
                let (c1, c2) = (Arc::clone(counts), Arc::clone(counts));
                let request = WorkRequest::new(f)
                    .on_result(move |_, value| {
                        drop(value);
                        bump(&c1.results);
                        l1.record(serial, |fate| fate.callbacks += 1);
                    })
                    .on_exception(move |_, _| {
                        bump(&c2.exceptions);
                        l2.record(serial, |fate| fate.callbacks += 1);
                    });
                bump(&counts.requests);
                let outcome = match rng.below(3) {
                    0 => {
                        bump(&counts.put_blocking);
                        pool.put_request(request)
                    }
                    1 => {
                        bump(&counts.put_timeout);
                        let timeout = Duration::from_micros(rng.below(300));
                        pool.put_request_timeout(request, timeout)
                    }
                    _ => {
                        bump(&counts.put_try);
                        pool.try_put_request(request)
                    }
                };
                put_outcome(
                    &ledger,
                    counts,
                    serial,
                    outcome.map(drop).map_err(|e| e.kind()),
                );
            }
            9 => {
                let n = rng.below(16);
                let serials: Vec<u64> = (0..n).map(|_| ledger.serial()).collect();
                let mut requests = Vec::new();
                for &serial in &serials {
                    let f = job(rng, &handle, &ledger, counts);
                    let l = Arc::clone(&ledger);
                    let l2 = Arc::clone(&ledger);
                    let (c1, c2) = (Arc::clone(counts), Arc::clone(counts));
                    requests.push(
                        WorkRequest::new(f)
                            .on_result(move |_, _| {
                                bump(&c1.results);
                                l.record(serial, |fate| fate.callbacks += 1);
                            })
                            .on_exception(move |_, _| {
                                bump(&c2.exceptions);
                                l2.record(serial, |fate| fate.callbacks += 1);
                            }),
                    );
                    bump(&counts.requests);
                    bump(&counts.put_batch);
                }
                let mut requests = requests.into_iter();
                let put = match pool.put_requests(requests.by_ref()) {
                    Ok(put) => put,
                    Err(err) => {
                        assert_eq!(err.kind(), PutErrorKind::NoWorkersAvailable);
                        // The refused request is dropped; the ones after
                        // it stay with the caller, in the iterator.
                        serials.len() - requests.len() - 1
                    }
                };
                drop(requests);
                for (i, &serial) in serials.iter().enumerate() {
                    if i < put {
                        ledger.record(serial, |fate| fate.put = true);
                    } else {
                        bump(&counts.handed_back);
                        ledger.record(serial, |fate| fate.handed_back = true);
                    }
                }
            }
            10..=12 => {
                bump(&counts.polls);
                match pool.poll() {
                    Ok(_) | Err(PollError::NoResultsPending) => {}
                    Err(err) => panic!("poll: {err:?}"),
                }
            }
            13 => {
                bump(&counts.polls);
                let _ = pool.poll_timeout(Duration::from_micros(rng.below(500)));
            }
            14 => {
                bump(&counts.waits);
                // Hold the producers still (polling meanwhile: one may be
                // blocked on a queue only polling drains), then wait.
                pause.requested.store(true, Ordering::SeqCst);
                while pause.parked.load(Ordering::SeqCst)
                    < producers.iter().filter(|p| !p.is_finished()).count()
                {
                    watch.beat();
                    let _ = pool.poll();
                    if pool.workers() == 0 {
                        pool.create_workers(1).unwrap();
                    }
                    std::thread::yield_now();
                }
                let waited = pool.wait();
                pause.requested.store(false, Ordering::SeqCst);
                match waited {
                    Ok(()) | Err(PollError::NoWorkersAvailable) => {}
                    Err(err) => panic!("wait: {err:?}"),
                }
            }
            15..=16 => {
                if pool.workers() < 8 {
                    bump(&counts.creates);
                    pool.create_workers(1 + rng.below(2) as usize).unwrap();
                }
            }
            _ => {
                bump(&counts.dismissals);
                let join = rng.chance(2);
                pool.dismiss_workers(1 + rng.below(2) as usize, join);
            }
        }
    }

    if drop_in_flight {
        bump(&counts.pools_dropped_in_flight);
        stop.store(true, Ordering::Relaxed);
        drop(pool);
        for producer in producers {
            producer.join().unwrap();
        }
    } else {
        if pool.workers() == 0 {
            pool.create_workers(1).unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        // Keep polling while the producers finish: a bounded result queue
        // would otherwise hold up the workers their puts wait for.
        while producers.iter().any(|p| !p.is_finished()) {
            watch.beat();
            let _ = pool.poll();
            std::thread::yield_now();
        }
        for producer in producers {
            producer.join().unwrap();
        }
        // Requests put by jobs may still be arriving while `wait` runs; it
        // returns when none is outstanding.
        pool.wait().unwrap();
        pool.shutdown().unwrap();
    }
    *watch.handle.lock().unwrap() = None;
    // Spawned work and jobs still queued go with the last reference to
    // the pool's shared state, which a leaving worker may hold a moment
    // longer: the drop counter reaching zero is the signal.
    drop(handle);
    while LIVE.load(Ordering::SeqCst) != 0 {
        std::thread::yield_now();
    }
    watch.beat();

    for (serial, fate) in ledger.fates.lock().unwrap().iter() {
        let ok = match (fate.put, fate.handed_back, fate.callbacks) {
            (true, false, 1) | (false, true, 0) => true,
            (true, false, 0) => {
                // Unrun or undelivered: only when the pool was dropped.
                bump(&counts.dropped_with_pool);
                drop_in_flight
            }
            (true, false, n) if n > 1 => {
                bump(&counts.duplicated);
                false
            }
            _ => false,
        };
        if !ok {
            bump(&counts.lost);
            eprintln!(
                "soak: request {serial}: put {} handed back {} callbacks {}",
                fate.put, fate.handed_back, fate.callbacks
            );
        }
    }
    bump(&counts.phases);
}

#[test]
#[ignore = "the soak runs from `cargo xtask soak --seconds N`"]
fn soak() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let seed: u64 = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("soak: {seconds} s, seed {seed} (SOAK_SEED={seed} repeats it)");
    // Job panics are expected by the thousand; keep stderr readable.
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        if !message.contains("soak: a job panics") && !message.contains("soak: an iterator panics")
        {
            eprintln!("{info}");
        }
    }));
    let mut rng = Rng(seed | 1);
    let counts = Arc::new(Counts::default());
    let watch = Arc::new(Watch::default());
    let watchdog = {
        let watch = Arc::clone(&watch);
        std::thread::spawn(move || watch.run())
    };
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut rss_start = None;
    let mut rss_peak = 0;
    while Instant::now() < deadline {
        let ops = 50 + rng.below(400) as usize;
        phase(&mut rng, &counts, &watch, ops);
        let rss = rss_kib();
        // Measure from a warmed-up process: allocator pools and thread
        // stacks reach their working size in the first phases.
        if counts.phases.load(Ordering::Relaxed) == 20 {
            rss_start = Some(rss);
        }
        rss_peak = rss_peak.max(rss);
    }
    watch.done.store(true, Ordering::Relaxed);
    watchdog.thread().unpark();
    watchdog.join().unwrap();
    let rss_end = rss_kib();

    let c = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
    eprintln!(
        "soak: ran {:.1} s, {} phases",
        start.elapsed().as_secs_f64(),
        c(&counts.phases)
    );
    eprintln!(
        "soak: requests {} (blocking {}, timeout {}, non-blocking {}, batched {}, put by jobs {} non-blocking + {} blocking, put by callbacks {})",
        c(&counts.requests),
        c(&counts.put_blocking),
        c(&counts.put_timeout),
        c(&counts.put_try),
        c(&counts.put_batch),
        c(&counts.from_jobs),
        c(&counts.from_jobs_blocking),
        c(&counts.from_callbacks),
    );
    eprintln!(
        "soak: batches whose iterator panicked {}, blocking calls on the polling thread (install/join/scope/dismiss/join dismissed) {}",
        c(&counts.panicking_batches),
        c(&counts.blocking_calls_on_poller),
    );
    eprintln!(
        "soak: results {}, exceptions {} (panicking jobs {}), handed back {}, dropped unrun with their pool {}",
        c(&counts.results),
        c(&counts.exceptions),
        c(&counts.panics),
        c(&counts.handed_back),
        c(&counts.dropped_with_pool),
    );
    eprintln!(
        "soak: par_maps {} ({} items delivered in order, {} panics resumed)",
        c(&counts.par_maps),
        c(&counts.par_map_items),
        c(&counts.par_map_panics),
    );
    eprintln!(
        "soak: polls {}, waits {}, creates {}, dismissals {}, pools dropped in flight {}",
        c(&counts.polls),
        c(&counts.waits),
        c(&counts.creates),
        c(&counts.dismissals),
        c(&counts.pools_dropped_in_flight),
    );
    eprintln!(
        "soak: live captured values at the end {}, RSS {} KiB after warm-up, {} KiB peak, {} KiB at the end",
        LIVE.load(Ordering::SeqCst),
        rss_start.unwrap_or(0),
        rss_peak,
        rss_end,
    );
    // A hang aborts the run from the watchdog, so reaching here means none.
    eprintln!(
        "soak: lost {}, duplicated {}, hung 0",
        c(&counts.lost) - c(&counts.duplicated),
        c(&counts.duplicated)
    );
    assert_eq!(c(&counts.lost), 0, "requests lost or delivered twice");
    assert_eq!(LIVE.load(Ordering::SeqCst), 0);
    if let Some(rss_start) = rss_start {
        assert!(
            rss_end <= rss_start * 2 + 64 * 1024,
            "RSS grew from {rss_start} KiB to {rss_end} KiB"
        );
    }
}
