//! What this crate keeps about the worker threads of its pools: each
//! worker's index and its pool's settings (panic handler, the queue of
//! `spawn_fifo` jobs), and `broadcast`, which runs a closure once on every
//! worker.
//!
//! # Broadcast
//!
//! The core pool cannot address a job to one worker, so a broadcast to a
//! pool of `n` workers spawns `n` jobs that each wait at a barrier of `n`
//! before running the closure: a worker held at the barrier cannot take
//! another job, so the `n` jobs end up on `n` different workers, one each.
//! A broadcast therefore waits until every worker of the pool is free. Right
//! after a pool starts, a first broadcast gives every worker its index
//! (the number at the end of its thread name) and its pool's settings, and
//! runs the pool's start handler; a last one, when a `ThreadPool` is
//! dropped, runs the exit handler.

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Barrier, Mutex, PoisonError};

use threadpool_core::PoolHandle;

/// A panic handler, as given to
/// [`ThreadPoolBuilder::panic_handler`](crate::ThreadPoolBuilder::panic_handler).
pub(crate) type PanicHandler = Arc<dyn Fn(Box<dyn Any + Send>) + Send + Sync>;

/// A start or exit handler, called with the worker's index.
pub(crate) type ThreadHandler = Arc<dyn Fn(usize) + Send + Sync>;

/// The settings of one pool that its workers and its spawned jobs need.
pub(crate) struct PoolInfo {
    pub(crate) panic_handler: Option<PanicHandler>,
    pub(crate) exit_handler: Option<ThreadHandler>,
    /// Closures of `spawn_fifo`, oldest first; every `spawn_fifo` job runs
    /// the oldest one, so they start in the order they were spawned.
    fifo: Mutex<VecDeque<Box<dyn FnOnce() + Send>>>,
}

impl PoolInfo {
    pub(crate) fn new(
        panic_handler: Option<PanicHandler>,
        exit_handler: Option<ThreadHandler>,
    ) -> Arc<Self> {
        Arc::new(PoolInfo {
            panic_handler,
            exit_handler,
            fifo: Mutex::new(VecDeque::new()),
        })
    }
}

/// A worker's index in its pool and its pool's settings.
struct WorkerInfo {
    index: usize,
    pool: Arc<PoolInfo>,
}

thread_local! {
    static WORKER: RefCell<Option<WorkerInfo>> = const { RefCell::new(None) };
}

/// The index of the calling thread in its pool, if it is a worker of a pool
/// of this crate.
pub(crate) fn worker_index() -> Option<usize> {
    WORKER.with(|worker| worker.borrow().as_ref().map(|w| w.index))
}

/// The settings of the pool the calling thread works for, if any.
pub(crate) fn worker_pool_info() -> Option<Arc<PoolInfo>> {
    WORKER.with(|worker| worker.borrow().as_ref().map(|w| Arc::clone(&w.pool)))
}

/// The number at the end of the calling thread's name (`compat-3`: 3).
fn index_from_thread_name() -> Option<usize> {
    let thread = std::thread::current();
    let (_, digits) = thread.name()?.rsplit_once('-')?;
    digits.parse().ok()
}

/// Runs `op(index)` once on every worker of `handle` (see the module
/// documentation), and returns the results by worker index. `workers` is
/// the pool's number of workers.
pub(crate) fn broadcast_on<R, OP>(handle: &PoolHandle, workers: usize, op: OP) -> Vec<R>
where
    OP: Fn(usize) -> R + Sync,
    R: Send,
{
    let barrier = Barrier::new(workers);
    let results: Vec<Mutex<Option<R>>> = (0..workers).map(|_| Mutex::new(None)).collect();
    let arrivals = std::sync::atomic::AtomicUsize::new(0);
    handle.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                barrier.wait();
                // The worker's own index; a worker that has none yet (the
                // first broadcast assigns them) goes by its arrival.
                // Relaxed: the counter only hands out distinct numbers.
                let arrival = arrivals.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let index = worker_index()
                    .or_else(index_from_thread_name)
                    .filter(|i| *i < workers)
                    .unwrap_or(arrival);
                let value = op(index);
                *results[index]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(value);
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .expect("every worker ran the broadcast once")
        })
        .collect()
}

/// Gives every worker of a pool that just started its index and the pool's
/// settings, and runs the start handler there.
pub(crate) fn register_workers(
    handle: &PoolHandle,
    info: &Arc<PoolInfo>,
    start_handler: Option<&ThreadHandler>,
) {
    let workers = handle.workers();
    if workers == 0 {
        return;
    }
    broadcast_on(handle, workers, |index| {
        WORKER.with(|worker| {
            *worker.borrow_mut() = Some(WorkerInfo {
                index,
                pool: Arc::clone(info),
            });
        });
        if let Some(start) = start_handler {
            start(index);
        }
    });
}

/// Runs the pool's exit handler on every worker (before the pool stops).
pub(crate) fn run_exit_handlers(handle: &PoolHandle, info: &PoolInfo) {
    let Some(exit) = &info.exit_handler else {
        return;
    };
    let workers = handle.workers();
    if workers > 0 && !handle.is_shut_down() {
        broadcast_on(handle, workers, |index| exit(index));
    }
}

/// Runs a spawned job: a panic goes to the pool's panic handler if it has
/// one (a panicking handler aborts, as in rayon), and otherwise on to the
/// core pool, which reports it.
pub(crate) fn run_spawned(info: &PoolInfo, job: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(job)) {
        match &info.panic_handler {
            Some(handler) => {
                if catch_unwind(AssertUnwindSafe(|| handler(payload))).is_err() {
                    std::process::abort();
                }
            }
            None => resume_unwind(payload),
        }
    }
}

/// `spawn` on `handle`, whose settings are `info`.
pub(crate) fn spawn_on(
    handle: &PoolHandle,
    info: &Arc<PoolInfo>,
    job: impl FnOnce() + Send + 'static,
) {
    let info = Arc::clone(info);
    handle.spawn(move || run_spawned(&info, job));
}

/// `spawn_fifo` on `handle`: the closure joins the pool's FIFO queue, and
/// the job spawned for it runs whichever closure is oldest there.
pub(crate) fn spawn_fifo_on(
    handle: &PoolHandle,
    info: &Arc<PoolInfo>,
    job: impl FnOnce() + Send + 'static,
) {
    info.fifo
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push_back(Box::new(job));
    let info = Arc::clone(info);
    handle.spawn(move || {
        let oldest = info
            .fifo
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        if let Some(oldest) = oldest {
            run_spawned(&info, oldest);
        }
    });
}

/// A broadcast inside a scope: `n` jobs of the scope that each wait until
/// all `n` have a worker, then run the body there with its context.
pub(crate) struct ScopedBroadcast<BODY> {
    barrier: Barrier,
    arrivals: std::sync::atomic::AtomicUsize,
    workers: usize,
    pub(crate) body: BODY,
}

impl<BODY> ScopedBroadcast<BODY> {
    pub(crate) fn new(workers: usize, body: BODY) -> Arc<Self> {
        Arc::new(ScopedBroadcast {
            barrier: Barrier::new(workers),
            arrivals: std::sync::atomic::AtomicUsize::new(0),
            workers,
            body,
        })
    }

    /// How many jobs the broadcast spawns: one per worker.
    pub(crate) fn width(&self) -> usize {
        self.workers
    }

    /// Waits for the other jobs of the broadcast; then the index of this
    /// worker (its own, or else its arrival) and the number of workers.
    pub(crate) fn arrive(&self) -> (usize, usize) {
        self.barrier.wait();
        // Relaxed: the counter only hands out distinct numbers.
        let arrival = self
            .arrivals
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let index = worker_index()
            .filter(|i| *i < self.workers)
            .unwrap_or(arrival);
        (index, self.workers)
    }
}
