//! `par_map`: a lazy, order-preserving parallel map over any iterator, with
//! a bounded window of items in flight; `par_map_unordered`; and
//! [`par_map_scope`], where the map function may borrow.
//!
//! # How it runs
//!
//! The consumer's thread pulls items from the source only inside `next`,
//! in *batches*, while the items issued and not yet yielded leave room for
//! another batch in the window. A batch is mapped either by the consumer at
//! once (*inline*), or parked in a shared *slot* with a job spawned on the
//! pool that takes the batch out of the slot, maps it, and sends the
//! results (or the panic) with the batch's sequence number down a channel.
//! The consumer keeps issued batches in a window, oldest first, and yields
//! from the front (ordered) or from whichever batch arrived first
//! (unordered).
//!
//! A slot lets whichever thread comes first run the batch: a job, or the
//! consumer itself when it would otherwise wait. The consumer never blocks
//! while a batch that nobody has started is in its window: it maps that
//! batch itself. It blocks only when every batch it is waiting for is being
//! mapped by a job, and every job that takes a batch sends exactly one
//! message (the panics of `f` and of the items' `Drop` are caught). So
//! `par_map` finishes on a pool whose workers cannot run its jobs (none,
//! all dismissed, shut down, or stuck in other work), and when the consumer
//! is itself a worker of the pool.
//!
//! # The adaptive default
//!
//! Unless [`batch_size`](ParMapIter::batch_size) is set, the batch size and
//! the window follow the measured cost of `f` per item. Every batch is
//! timed (one clock read before and after, so a batch costs two reads
//! whatever its size) and the times feed a decaying average per item:
//!
//! * At first the consumer maps batches of 1, 2, 4, ... items inline, until
//!   the batches measured add up to [`MIN_MEASURED_NANOS`].
//! * Items cheaper than [`PARALLEL_ABOVE_NANOS`], or a pool with no worker
//!   besides the consumer, stay on the consumer's thread: moving such an
//!   item to another thread costs more than mapping it, and the consumer,
//!   which must pull every item and yield every result, is the bottleneck
//!   either way. They are mapped in *direct runs*: `next` pulls one item
//!   and maps it, as a plain `map` does, with nothing buffered, for about
//!   [`TARGET_INLINE_NANOS`] of work; only the run as a whole is timed. A
//!   run whose time per item (an upper bound on the cost of `f`: it
//!   includes the caller's own work between the calls) reaches the
//!   threshold is followed by a measured batch, which tells whether `f`
//!   has become dearer.
//! * Dearer items go to jobs, in batches of about [`TARGET_BATCH_NANOS`] of
//!   work (which keeps the cost of a job, a slot and a message a small
//!   fraction), with [`BATCHES_PER_THREAD`] batches in flight per thread
//!   that can map them.
//!
//! [`max_in_flight`](ParMapIter::max_in_flight) caps the window, and the
//! batches with it, in every mode.
//!
//! `collect` into a `Vec` runs the same modes, but maps a direct run in one
//! loop that writes into the `Vec`, and appends each mapped batch whole,
//! instead of going through `next` for every item.
//!
//! Dropping the iterator (or a panic reaching the consumer) raises a cancel
//! flag, and takes back and drops the batches no job has started; jobs that
//! start later find their slot empty; batches being mapped stop at the next
//! item and their results are dropped with the channel.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use threadpool_core::{PoolHandle, Scope};

use crate::global::current_pool;

type Payload = Box<dyn Any + Send + 'static>;

/// Work per batch sent to a job that the adaptive default aims for, in ns.
const TARGET_BATCH_NANOS: f64 = 60_000.0;

/// Work per batch the consumer maps inline that the adaptive default aims
/// for, in ns.
const TARGET_INLINE_NANOS: f64 = 20_000.0;

/// Items whose map costs less than this (ns) are mapped by the consumer.
const PARALLEL_ABOVE_NANOS: f64 = 40.0;

/// The measured mapping time (ns) before the cost estimate is trusted.
const MIN_MEASURED_NANOS: f64 = 4_000.0;

/// The largest inline batch: enough to make the two clock reads vanish,
/// small enough that the batch stays in the cache.
const MAX_INLINE_BATCH: usize = 4_096;

/// The largest batch sent to a job.
const MAX_BATCH: usize = 16_384;

/// Batches in flight per thread that maps them, in the adaptive window.
const BATCHES_PER_THREAD: usize = 2;

/// The weight the cost estimate keeps of its past at each new batch.
const DECAY: f64 = 0.75;

/// `par_map` and friends on every [`IntoIterator`] whose items are `Send`.
///
/// The map function and the items must be `'static` (they travel to the
/// pool's jobs, which may outlive any borrow); to borrow, map inside
/// [`par_map_scope`].
///
/// # An order-preserving `par_bridge`
///
/// This is what rayon users ask for as an order-preserving `par_bridge`:
/// parallelism for an iterator that is not indexed (lines of a file,
/// records from a socket, an endless generator), with results in input
/// order. It differs from rayon's `par_bridge` in that:
///
/// * the results come back as a plain, lazy [`Iterator`] on the calling
///   thread, in input order ([`par_map`](Self::par_map)) or as they are
///   ready ([`par_map_unordered`](Self::par_map_unordered)); only `f` runs
///   in parallel, and what follows it (`filter`, `for_each`, writing out)
///   runs on the calling thread;
/// * only the calling thread pulls from the source, so the source need not
///   be `Send` (its items must be);
/// * a bounded window of items is in flight, so an endless or huge source
///   is mapped in flat memory, and nothing is pulled before the first
///   `next`;
/// * a panic of `f` comes out of `next` at the panicking item's turn.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::ParMap;
///
/// let first: Vec<u64> = (0_u64..).par_map(|n| n * n).take(5).collect();
/// assert_eq!(first, [0, 1, 4, 9, 16]);
/// ```
///
/// Neither the items nor the map function may borrow (use
/// [`par_map_scope`] for that):
///
/// ```compile_fail
/// use threadpool_rayon_compat::ParMap;
///
/// let words = vec![String::from("a"), String::from("bc")];
/// let suffix = String::from("!");
/// let v: Vec<String> = words.iter().par_map(move |w| format!("{w}{suffix}")).collect();
/// ```
pub trait ParMap: IntoIterator + Sized {
    /// A lazy iterator of `f(item)`, in input order, computed on the current
    /// pool (the pool this thread works for, or else the global pool).
    ///
    /// The batch size and window adapt to the cost of `f` (see
    /// [`ParMapIter`]); [`batch_size`](ParMapIter::batch_size) and
    /// [`max_in_flight`](ParMapIter::max_in_flight) override them.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ParMap;
    ///
    /// let lines = ["a b", "c", "d e f"].into_iter().map(String::from);
    /// let words: Vec<usize> = lines.par_map(|l| l.split(' ').count()).collect();
    /// assert_eq!(words, [2, 1, 3]);
    /// ```
    fn par_map<F, R>(self, f: F) -> ParMapIter<Self::IntoIter, F, R>
    where
        F: Fn(Self::Item) -> R + Send + Sync + 'static,
        Self::Item: Send + 'static,
        R: Send + 'static,
    {
        ParMapIter::new(self.into_iter(), f, current_pool(), true)
    }

    /// Like [`par_map`](Self::par_map), on `pool`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    /// use threadpool_rayon_compat::ParMap;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
    /// let v: Vec<i32> = vec![1, 2, 3].par_map_in(&pool, |n| -n).collect();
    /// assert_eq!(v, [-1, -2, -3]);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn par_map_in<F, R>(self, pool: &PoolHandle, f: F) -> ParMapIter<Self::IntoIter, F, R>
    where
        F: Fn(Self::Item) -> R + Send + Sync + 'static,
        Self::Item: Send + 'static,
        R: Send + 'static,
    {
        ParMapIter::new(self.into_iter(), f, pool.clone(), true)
    }

    /// A lazy iterator of `f(item)` in the order the results are ready,
    /// with the same bounds as [`par_map`](Self::par_map).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ParMap;
    ///
    /// let mut v: Vec<u32> = (1..=4_u32).par_map_unordered(|n| n * 10).collect();
    /// v.sort();
    /// assert_eq!(v, [10, 20, 30, 40]);
    /// ```
    fn par_map_unordered<F, R>(self, f: F) -> ParMapIter<Self::IntoIter, F, R>
    where
        F: Fn(Self::Item) -> R + Send + Sync + 'static,
        Self::Item: Send + 'static,
        R: Send + 'static,
    {
        ParMapIter::new(self.into_iter(), f, current_pool(), false)
    }

    /// Like [`par_map_unordered`](Self::par_map_unordered), on `pool`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::ThreadPoolBuilder;
    /// use threadpool_rayon_compat::ParMap;
    ///
    /// let pool = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
    /// let total: u32 = (1..=4_u32).par_map_unordered_in(&pool, |n| n * 10).sum();
    /// assert_eq!(total, 100);
    /// pool.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn par_map_unordered_in<F, R>(self, pool: &PoolHandle, f: F) -> ParMapIter<Self::IntoIter, F, R>
    where
        F: Fn(Self::Item) -> R + Send + Sync + 'static,
        Self::Item: Send + 'static,
        R: Send + 'static,
    {
        ParMapIter::new(self.into_iter(), f, pool.clone(), false)
    }
}

impl<I: IntoIterator> ParMap for I {}

/// Runs `op` with a [`ParMapScope`], in which `par_map` may borrow from the
/// enclosing stack frame: the map function, the items and the results need
/// only outlive the scope. Returns what `op` returns, once every job of the
/// scope has finished.
///
/// This is built on [`PoolHandle::scope`] of the current pool (the pool this
/// thread works for, or else the global pool), so like rayon's `scope`,
/// `op` runs on a worker of the pool (called from outside the pool, this
/// thread waits meanwhile): `op` and what it captures must be `Send`. The
/// iterators made in the scope cannot leave it. For a source that is not
/// `Send` (`stdin().lines()` holds a lock guard), use [`ParMap::par_map`]
/// on the calling thread, with what `f` needs moved into it or shared
/// through an `Arc`.
///
/// # Panics
///
/// Resumes a panic of `op` (a panic of a map function comes out of the
/// iterator's `next`, inside `op`) once the scope's jobs have finished.
/// Panics if the pool has no workers or is shut down.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::par_map_scope;
///
/// struct Config {
///     separator: char,
/// }
/// fn parse(line: &str, config: &Config) -> usize {
///     line.split(config.separator).count()
/// }
///
/// let config = Config { separator: ',' };
/// let lines = vec!["a,b", "c", "d,e,f"];
/// let fields: Vec<usize> = par_map_scope(|s| {
///     s.par_map(lines.iter(), |line| parse(line, &config)).collect()
/// });
/// assert_eq!(fields, [2, 1, 3]);
/// ```
///
/// An iterator of the scope cannot be taken out of it:
///
/// ```compile_fail
/// use threadpool_rayon_compat::par_map_scope;
///
/// let offset = 10;
/// let escaped = par_map_scope(|s| s.par_map(0..5, |n| n + offset));
/// let v: Vec<i32> = escaped.collect();
/// ```
///
/// Nor can what it borrows end before the scope:
///
/// ```compile_fail
/// use threadpool_rayon_compat::par_map_scope;
///
/// let total: usize = par_map_scope(|s| {
///     let words = vec![String::from("short"), String::from("lived")];
///     s.par_map(words.iter(), |w| w.len()).sum()
/// });
/// ```
pub fn par_map_scope<'scope, OP, T>(op: OP) -> T
where
    OP: FnOnce(&ParMapScope<'_, 'scope>) -> T + Send,
    T: Send,
{
    par_map_scope_in(&current_pool(), op)
}

/// Like [`par_map_scope`], on `pool`.
///
/// # Examples
///
/// ```
/// use threadpool_core::ThreadPoolBuilder;
/// use threadpool_rayon_compat::par_map_scope_in;
///
/// let pool = ThreadPoolBuilder::new().num_workers(2).build_handle()?;
/// let scale = 3;
/// let v: Vec<u32> = par_map_scope_in(&pool, |s| s.par_map(1..=3_u32, |n| n * scale).collect());
/// assert_eq!(v, [3, 6, 9]);
/// pool.shutdown();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn par_map_scope_in<'scope, OP, T>(pool: &PoolHandle, op: OP) -> T
where
    OP: FnOnce(&ParMapScope<'_, 'scope>) -> T + Send,
    T: Send,
{
    pool.scope(|scope| {
        op(&ParMapScope {
            scope,
            pool: pool.clone(),
        })
    })
}

/// The scope of [`par_map_scope`]: makes `par_map` iterators whose map
/// function, items and results may borrow anything that outlives `'scope`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::par_map_scope;
///
/// let words = ["pear", "fig", "banana"];
/// let min_len = 4;
/// let long: Vec<bool> = par_map_scope(|s| s.par_map(words, |w| w.len() >= min_len).collect());
/// assert_eq!(long, [true, false, true]);
/// ```
pub struct ParMapScope<'s, 'scope> {
    scope: &'s Scope<'scope>,
    pool: PoolHandle,
}

impl<'s, 'scope> ParMapScope<'s, 'scope> {
    /// A lazy iterator of `f(item)`, in input order, whose jobs run in this
    /// scope: like [`ParMap::par_map`], but `f`, the items and the results
    /// may borrow.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::par_map_scope;
    ///
    /// let names = vec![String::from("ada"), String::from("grace")];
    /// let greeting = String::from("hello");
    /// let lines: Vec<String> = par_map_scope(|s| {
    ///     s.par_map(&names, |name| format!("{greeting}, {name}")).collect()
    /// });
    /// assert_eq!(lines, ["hello, ada", "hello, grace"]);
    /// ```
    pub fn par_map<I, F, R>(&self, iter: I, f: F) -> ScopedParMapIter<'s, 'scope, I::IntoIter, F, R>
    where
        I: IntoIterator,
        I::Item: Send + 'scope,
        F: Fn(I::Item) -> R + Send + Sync + 'scope,
        R: Send + 'scope,
    {
        self.iter(iter, f, true)
    }

    /// A lazy iterator of `f(item)` in the order the results are ready,
    /// whose jobs run in this scope: like [`ParMap::par_map_unordered`], but
    /// `f`, the items and the results may borrow.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::par_map_scope;
    ///
    /// let weights = [1_u64, 10, 100];
    /// let total: u64 = par_map_scope(|s| {
    ///     s.par_map_unordered(0..3_usize, |i| weights[i] * 2).sum()
    /// });
    /// assert_eq!(total, 222);
    /// ```
    pub fn par_map_unordered<I, F, R>(
        &self,
        iter: I,
        f: F,
    ) -> ScopedParMapIter<'s, 'scope, I::IntoIter, F, R>
    where
        I: IntoIterator,
        I::Item: Send + 'scope,
        F: Fn(I::Item) -> R + Send + Sync + 'scope,
        R: Send + 'scope,
    {
        self.iter(iter, f, false)
    }

    fn iter<I, F, R>(
        &self,
        iter: I,
        f: F,
        ordered: bool,
    ) -> ScopedParMapIter<'s, 'scope, I::IntoIter, F, R>
    where
        I: IntoIterator,
        I::Item: Send + 'scope,
        F: Fn(I::Item) -> R + Send + Sync + 'scope,
        R: Send + 'scope,
    {
        let spawner = ScopeSpawner {
            scope: self.scope,
            pool: self.pool.clone(),
        };
        ScopedParMapIter {
            engine: Engine::new(iter.into_iter(), f, spawner, ordered),
        }
    }
}

impl fmt::Debug for ParMapScope<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParMapScope")
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

/// Where the jobs of a `par_map` go: the pool (`'static` jobs) or a scope
/// (jobs that borrow for `'a`).
trait Spawner<'a> {
    fn pool(&self) -> &PoolHandle;
    fn spawn_job<J: FnOnce() + Send + 'a>(&self, job: J);
}

impl Spawner<'static> for PoolHandle {
    fn pool(&self) -> &PoolHandle {
        self
    }

    fn spawn_job<J: FnOnce() + Send + 'static>(&self, job: J) {
        self.spawn(job);
    }
}

struct ScopeSpawner<'s, 'scope> {
    scope: &'s Scope<'scope>,
    pool: PoolHandle,
}

impl<'scope> Spawner<'scope> for ScopeSpawner<'_, 'scope> {
    fn pool(&self) -> &PoolHandle {
        &self.pool
    }

    fn spawn_job<J: FnOnce() + Send + 'scope>(&self, job: J) {
        self.scope.spawn(move |_| job());
    }
}

/// What the jobs of one `par_map` share: the function and the cancel flag.
struct Shared<F> {
    f: F,
    cancelled: AtomicBool,
}

impl<F> Shared<F> {
    fn is_cancelled(&self) -> bool {
        // Relaxed: the flag only spares work; a job that misses it maps its
        // batch and the result is dropped with the channel.
        self.cancelled.load(Ordering::Relaxed)
    }

    fn cancel(&self) {
        // Relaxed: see `is_cancelled`.
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

/// A batch waiting for a thread to map it; taken at most once.
struct Slot<T>(Mutex<Option<Vec<T>>>);

impl<T> Slot<T> {
    fn take(&self) -> Option<Vec<T>> {
        // A panic cannot happen while the lock is held (only `take`), so a
        // poisoned lock still holds a consistent value.
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Drops `value`, swallowing a panic of its `Drop` (and of dropping that
/// panic's payload): for items dropped unmapped after a cancel or a panic,
/// where no one could be told.
fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        forget_payload(payload);
    }
}

/// Drops a panic payload; if that panics too, leaks it instead.
fn forget_payload(payload: Payload) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// A mapped batch: the results, the panic that cut it short, if any, and
/// how long the mapping took.
struct Mapped<R> {
    seq: u64,
    results: Vec<R>,
    panic: Option<Payload>,
    nanos: u64,
}

/// Maps a batch, stopping at the first panic or, when `cancel` is given, on
/// cancellation. Never unwinds: a panic of `f` or of an item's `Drop` is
/// returned (the first one), so a job always gets to send its batch.
fn map_batch<T, R, F: Fn(T) -> R>(
    f: &F,
    cancel: Option<&AtomicBool>,
    seq: u64,
    items: Vec<T>,
) -> Mapped<R> {
    let mut results = Vec::with_capacity(items.len());
    let mut items = items.into_iter();
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| match cancel {
        None => results.extend(items.by_ref().map(f)),
        Some(cancelled) => {
            for item in items.by_ref() {
                // Relaxed: see `Shared::is_cancelled`.
                if cancelled.load(Ordering::Relaxed) {
                    break;
                }
                results.push(f(item));
            }
        }
    }));
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let mut panic = outcome.err();
    // The items not mapped (after a panic or a cancel): their `Drop` is
    // user code, which must not unwind past the send.
    if items.len() > 0
        && let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(items)))
    {
        match panic {
            None => panic = Some(payload),
            Some(_) => forget_payload(payload),
        }
    }
    Mapped {
        seq,
        results,
        panic,
        nanos,
    }
}

/// A decaying average of the time `f` takes per item.
#[derive(Debug, Default, Clone, Copy)]
struct CostEstimate {
    nanos: f64,
    items: f64,
    /// Total time measured so far, undecayed.
    measured: f64,
}

impl CostEstimate {
    fn record(&mut self, nanos: u64, items: usize) {
        let nanos = nanos as f64;
        self.nanos = self.nanos * DECAY + nanos;
        self.items = self.items * DECAY + items as f64;
        self.measured += nanos;
    }

    /// Nanoseconds per item, once enough has been measured.
    fn per_item(&self) -> Option<f64> {
        (self.measured >= MIN_MEASURED_NANOS && self.items > 0.0).then(|| self.nanos / self.items)
    }
}

/// How the next batches are issued.
struct Plan {
    /// Mapped by the consumer at once, or sent to a job.
    inline: bool,
    batch: usize,
    /// The most items issued and not yet yielded.
    window: usize,
}

/// A batch in the window.
enum Batch<T, R> {
    /// Issued, not yet mapped (maybe being mapped).
    Pending(Arc<Slot<T>>),
    /// Mapped; waiting for its turn (ordered mode).
    Ready(Ready<R>),
    /// Handed over (unordered mode keeps its place until the batches before
    /// it are done).
    Done,
}

struct Ready<R> {
    results: std::vec::IntoIter<R>,
    panic: Option<Payload>,
}

impl<R> From<Mapped<R>> for Ready<R> {
    fn from(mapped: Mapped<R>) -> Self {
        Ready {
            results: mapped.results.into_iter(),
            panic: mapped.panic,
        }
    }
}

/// The machinery behind [`ParMapIter`] and [`ScopedParMapIter`], which
/// differ only in where their jobs go.
struct Engine<I: Iterator, F, R, S> {
    source: I,
    source_done: bool,
    spawner: S,
    shared: Arc<Shared<F>>,
    sender: Sender<Mapped<R>>,
    receiver: Receiver<Mapped<R>>,
    ordered: bool,
    /// Overrides of the adaptive batch size and window.
    batch_size: Option<usize>,
    max_in_flight: Option<usize>,
    cost: CostEstimate,
    /// The next batch while the cost is being probed.
    probe_batch: usize,
    /// Issued batches, oldest first; `window[0]` has sequence `first_seq`.
    window: VecDeque<Batch<I::Item, R>>,
    first_seq: u64,
    /// Items issued and not yet yielded, not counting `current`.
    in_flight: usize,
    /// The results of the mapped batch being yielded: the front one
    /// (ordered), or the first to arrive (unordered); then its panic.
    current: std::vec::IntoIter<R>,
    current_panic: Option<Payload>,
    /// Items left to map one by one in `next`, with nothing in flight (see
    /// `start_direct`); the run's length and start.
    direct: usize,
    direct_run: usize,
    direct_started: Option<Instant>,
    /// Set after a panic: the iterator has ended.
    poisoned: bool,
}

impl<'a, I, F, R, S> Engine<I, F, R, S>
where
    I: Iterator,
    I::Item: Send + 'a,
    F: Fn(I::Item) -> R + Send + Sync + 'a,
    R: Send + 'a,
    S: Spawner<'a>,
{
    fn new(source: I, f: F, spawner: S, ordered: bool) -> Self {
        let (sender, receiver) = crossbeam_channel::unbounded();
        Engine {
            source,
            source_done: false,
            spawner,
            shared: Arc::new(Shared {
                f,
                cancelled: AtomicBool::new(false),
            }),
            sender,
            receiver,
            ordered,
            batch_size: None,
            max_in_flight: None,
            cost: CostEstimate::default(),
            probe_batch: 1,
            window: VecDeque::new(),
            first_seq: 0,
            in_flight: 0,
            current: Vec::new().into_iter(),
            current_panic: None,
            direct: 0,
            direct_run: 0,
            direct_started: None,
            poisoned: false,
        }
    }

    /// The next result: mapped here and now in a direct run, or from the
    /// current batch if it has one left.
    #[inline]
    fn next(&mut self) -> Option<R> {
        if self.direct > 0 {
            return self.next_direct();
        }
        if let Some(result) = self.current.next() {
            return Some(result);
        }
        self.next_batch()
    }

    /// Maps the next item of a direct run on this thread.
    #[inline]
    fn next_direct(&mut self) -> Option<R> {
        self.direct -= 1;
        let Some(item) = self.source.next() else {
            self.source_done = true;
            self.direct = 0;
            return None;
        };
        let f = &self.shared.f;
        match catch_unwind(AssertUnwindSafe(|| f(item))) {
            Ok(result) => Some(result),
            Err(payload) => self.fail(payload),
        }
    }

    /// The current batch is used up: resume its panic, or move on (a direct
    /// run, or the next batch) and yield the next result.
    #[inline(never)]
    fn next_batch(&mut self) -> Option<R> {
        loop {
            if self.poisoned {
                return None;
            }
            if let Some(result) = self.current.next() {
                return Some(result);
            }
            if let Some(payload) = self.current_panic.take() {
                self.fail(payload);
            }
            if self.direct > 0 {
                return self.next_direct();
            }
            if self.window.is_empty() && !self.source_done && self.start_direct() {
                continue;
            }
            self.refill();
            if self.current.len() > 0 || self.current_panic.is_some() {
                continue; // an inline batch (unordered mode)
            }
            if self.ordered {
                match self.window.front() {
                    None => return None,
                    Some(Batch::Ready(_)) => {
                        let Some(Batch::Ready(ready)) = self.window.pop_front() else {
                            unreachable!("just matched")
                        };
                        self.first_seq += 1;
                        self.make_current(ready);
                    }
                    Some(Batch::Pending(_)) => self.make_progress(),
                    Some(Batch::Done) => unreachable!("ordered mode yields from `Ready` batches"),
                }
            } else {
                if self.window.is_empty() {
                    return None;
                }
                self.make_progress();
            }
        }
    }

    fn make_current(&mut self, ready: Ready<R>) {
        self.in_flight -= ready.results.len();
        self.current = ready.results;
        self.current_panic = ready.panic;
    }

    /// Starts a direct run, where `next` maps the items one by one as they
    /// are pulled, if the items are known to be cheap enough to map here
    /// and nothing is in flight: a plain `map`, but for a clock read per
    /// run. A run whose time per item (an upper bound on the cost of `f`,
    /// as it includes the caller's work between the calls) says the items
    /// may have become dearer is followed by a measured batch instead.
    fn start_direct(&mut self) -> bool {
        if self.batch_size.is_some() {
            return false;
        }
        let Some(cost) = self.cost.per_item() else {
            return false;
        };
        if !self.plan().inline {
            return false;
        }
        if let Some(started) = self.direct_started.take() {
            let per_item = started.elapsed().as_nanos() as f64 / self.direct_run as f64;
            if per_item >= PARALLEL_ABOVE_NANOS {
                return false;
            }
        }
        // Nothing is in flight during a run: `max_in_flight` does not bound it.
        let run = items_for(TARGET_INLINE_NANOS, cost, MAX_INLINE_BATCH);
        self.direct = run;
        self.direct_run = run;
        self.direct_started = Some(Instant::now());
        true
    }

    /// `Iterator::fold`: direct runs and batches are folded in bulk.
    fn fold<B, G>(mut self, init: B, mut g: G) -> B
    where
        G: FnMut(B, R) -> B,
    {
        let mut acc = init;
        loop {
            if self.direct > 0 {
                let run = std::mem::take(&mut self.direct);
                let mut pulled = 0;
                let f = &self.shared.f;
                acc = self
                    .source
                    .by_ref()
                    .take(run)
                    .map(|item| {
                        pulled += 1;
                        f(item)
                    })
                    .fold(acc, &mut g);
                if pulled < run {
                    self.source_done = true;
                }
            }
            acc = self.current.by_ref().fold(acc, &mut g);
            match self.next_batch() {
                Some(result) => acc = g(acc, result),
                None => return acc,
            }
        }
    }

    /// `collect` into a `Vec`: each direct run is mapped by one call of
    /// [`map_run_into`], which writes straight into the `Vec`, and each
    /// mapped batch is appended whole, instead of one `next` per item.
    /// Everything else (the probing, the batches sent to jobs, the window,
    /// the panics) goes as in `next`.
    fn into_vec(mut self) -> Vec<R> {
        let mut out = Vec::with_capacity(self.size_hint().0);
        loop {
            if self.direct > 0 {
                let run = std::mem::take(&mut self.direct);
                if !map_run_into(&mut out, &mut self.source, &self.shared.f, run) {
                    self.source_done = true;
                }
            }
            if self.current.len() > 0 {
                out.extend(std::mem::take(&mut self.current));
            }
            match self.next_batch() {
                Some(result) => out.push(result),
                None => return out,
            }
        }
    }

    /// The threads that can map batches (the pool's workers, and the
    /// consumer if it is not one of them), and whether any of them is not
    /// the consumer.
    fn threads(&self) -> (usize, bool) {
        let pool = self.spawner.pool();
        let workers = pool.workers();
        if pool.is_worker_thread() {
            (workers.max(1), workers > 1)
        } else {
            (workers + 1, workers > 0)
        }
    }

    fn plan(&self) -> Plan {
        let (threads, helpers) = self.threads();
        let cap = self.max_in_flight;
        if let Some(batch) = self.batch_size {
            let window = cap.unwrap_or(batch * BATCHES_PER_THREAD * threads);
            return Plan {
                inline: false,
                batch,
                window: window.max(batch),
            };
        }
        let inline = |batch: usize| {
            let batch = cap.map_or(batch, |cap| batch.min(cap)).max(1);
            Plan {
                inline: true,
                batch,
                window: batch,
            }
        };
        match self.cost.per_item() {
            None => inline(self.probe_batch),
            Some(cost) if cost < PARALLEL_ABOVE_NANOS || !helpers => {
                inline(items_for(TARGET_INLINE_NANOS, cost, MAX_INLINE_BATCH))
            }
            Some(cost) => {
                let mut batch = items_for(TARGET_BATCH_NANOS, cost, MAX_BATCH);
                if let Some(cap) = cap {
                    batch = batch.min(cap / threads).max(1);
                }
                Plan {
                    inline: false,
                    batch,
                    window: cap.unwrap_or(batch * BATCHES_PER_THREAD * threads),
                }
            }
        }
    }

    /// Pulls and issues batches while the window has room for a whole one.
    /// An inline batch is issued only into an empty window, and mapped at
    /// once.
    fn refill(&mut self) {
        while !self.source_done {
            let plan = self.plan();
            let in_flight = self.in_flight + self.current.len();
            if in_flight + plan.batch > plan.window || (plan.inline && !self.window.is_empty()) {
                return;
            }
            let mut items = Vec::with_capacity(plan.batch);
            items.extend(self.source.by_ref().take(plan.batch));
            if items.len() < plan.batch {
                self.source_done = true;
            }
            if items.is_empty() {
                return;
            }
            self.in_flight += items.len();
            let seq = self.first_seq + self.window.len() as u64;
            if plan.inline {
                if self.cost.per_item().is_none() {
                    self.probe_batch = (self.probe_batch * 2).min(MAX_INLINE_BATCH);
                }
                self.window.push_back(Batch::Done);
                let mapped = map_batch(&self.shared.f, None, seq, items);
                self.accept(mapped);
                return;
            }
            self.issue(seq, items);
        }
    }

    fn issue(&mut self, seq: u64, items: Vec<I::Item>) {
        let slot = Arc::new(Slot(Mutex::new(Some(items))));
        self.window.push_back(Batch::Pending(Arc::clone(&slot)));
        let shared = Arc::clone(&self.shared);
        let sender = self.sender.clone();
        self.spawner.spawn_job(move || {
            let Some(items) = slot.take() else {
                return; // the consumer ran it, or dropped it
            };
            if shared.is_cancelled() {
                drop_quietly(items);
                return;
            }
            // Never unwinds, so this batch is always answered; the consumer
            // may be gone: the results are then dropped.
            let _ = sender.send(map_batch(&shared.f, Some(&shared.cancelled), seq, items));
        });
    }

    /// Files a mapped batch in the window (ordered) or as the current batch
    /// (unordered; `current` is empty then), and learns from its timing.
    fn accept(&mut self, mapped: Mapped<R>) {
        if mapped.panic.is_none() && !mapped.results.is_empty() {
            self.cost.record(mapped.nanos, mapped.results.len());
        }
        let index = usize::try_from(mapped.seq - self.first_seq).expect("within the window");
        if self.ordered {
            self.window[index] = Batch::Ready(mapped.into());
        } else {
            self.window[index] = Batch::Done;
            while let Some(Batch::Done) = self.window.front() {
                self.window.pop_front();
                self.first_seq += 1;
            }
            self.make_current(mapped.into());
        }
    }

    /// Maps, on this thread, the batch of the `index`th window entry if no
    /// job has taken it.
    fn run_pending(&mut self, index: usize) -> bool {
        let Batch::Pending(slot) = &self.window[index] else {
            return false;
        };
        let Some(items) = slot.take() else {
            return false;
        };
        let seq = self.first_seq + index as u64;
        let mapped = map_batch(&self.shared.f, None, seq, items);
        self.accept(mapped);
        true
    }

    /// Gets one more batch mapped (or its panic): the front one if nobody
    /// has started it (ordered), else one a job has finished, else the
    /// oldest one nobody has started; only when every pending batch is
    /// being mapped by a job does it wait for one.
    fn make_progress(&mut self) {
        if self.ordered && self.run_pending(0) {
            return;
        }
        if let Ok(mapped) = self.receiver.try_recv() {
            self.accept(mapped);
            return;
        }
        for index in 0..self.window.len() {
            if self.run_pending(index) {
                return;
            }
        }
        // Every batch in the window that is not mapped has been taken by a
        // job, and every job that takes a batch sends it.
        let mapped = self.receiver.recv().expect("the iterator holds a sender");
        self.accept(mapped);
    }

    /// Ends the iterator after a panic of `f`, and resumes it.
    #[cold]
    fn fail(&mut self, payload: Payload) -> ! {
        self.poisoned = true;
        self.cancel();
        self.in_flight = 0;
        resume_unwind(payload)
    }

    /// Stops the jobs, and drops the batches no job has started and the
    /// results not yielded.
    fn cancel(&mut self) {
        self.shared.cancel();
        for batch in self.window.drain(..) {
            match batch {
                Batch::Pending(slot) => drop_quietly(slot.take()),
                Batch::Ready(ready) => drop_quietly(ready.results),
                Batch::Done => {}
            }
        }
        drop_quietly(std::mem::take(&mut self.current));
        self.current_panic = None;
        self.direct = 0;
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.poisoned {
            return (0, Some(0));
        }
        let (low, high) = if self.source_done {
            (0, Some(0))
        } else {
            self.source.size_hint()
        };
        let in_flight = self.in_flight + self.current.len();
        (
            low.saturating_add(in_flight),
            high.and_then(|high| high.checked_add(in_flight)),
        )
    }
}

/// Maps up to `run` items of `source` onto the end of `out`; whether the
/// source had them all.
///
/// This is the loop of a direct run in `collect`, so it is written for the
/// compiler: out of line, so that `out` and `source` are known not to
/// overlap and the source's state stays in registers, and writing into
/// `out`'s spare room with a length kept in a local (as std's own
/// `collect` does for an iterator of known length), so that no write to an
/// item can be taken for a write to the `Vec`'s length.
#[inline(never)]
fn map_run_into<I: Iterator, R>(
    out: &mut Vec<R>,
    source: &mut I,
    f: &impl Fn(I::Item) -> R,
    run: usize,
) -> bool {
    let mut left = run;
    while left > 0 {
        // No more room than the source says it has (`out` was sized for all
        // of it, and a whole run past its end would reallocate), but room
        // for at least one item.
        out.reserve(left.min(source.size_hint().0).max(1));
        let mut filled = Filled {
            len: out.len(),
            out: &mut *out,
        };
        let slots = filled.out.spare_capacity_mut();
        let chunk = left.min(slots.len());
        for slot in &mut slots[..chunk] {
            let Some(item) = source.next() else {
                return false;
            };
            slot.write(f(item));
            filled.len += 1;
        }
        left -= chunk;
    }
    true
}

/// Sets the length of a `Vec` being written past its length when dropped,
/// at the end of the writing or when `f` panics during it, so the items
/// written are dropped with the `Vec`.
struct Filled<'a, R> {
    out: &'a mut Vec<R>,
    /// The items initialized from the start of `out`.
    len: usize,
}

impl<R> Drop for Filled<'_, R> {
    fn drop(&mut self) {
        // SAFETY: `len` starts at `out.len()` and is increased only right
        // after the slot at that index of `out`'s buffer (within its
        // capacity, from `spare_capacity_mut`) has been written, so the
        // first `len` items are initialized.
        unsafe { self.out.set_len(self.len) }
    }
}

/// Whether `B` is `Vec<R>`, for which `collect` builds the `Vec` in bulk
/// ([`Engine::into_vec`]) and hands it to `B::from_iter`, which takes its
/// buffer as it is. Only a choice of speed: any `B` gets the same items
/// from `from_iter`; a `Vec` is the one collection for which building it
/// first changes nothing else (a `Result` or an `Option` stops pulling at
/// its first failure, and other types may stream). A type name that is
/// not unique can only name a `Vec<R>` here, as `B: FromIterator<R>`.
fn collects_into_vec<B, R>() -> bool {
    std::any::type_name::<B>() == std::any::type_name::<Vec<R>>()
}

/// The number of items of `cost` ns each that make about `target` ns of
/// work, between 1 and `max`.
fn items_for(target: f64, cost: f64, max: usize) -> usize {
    let items = target / cost.max(f64::MIN_POSITIVE);
    if items >= max as f64 {
        max
    } else {
        (items as usize).max(1)
    }
}

impl<I: Iterator, F, R, S> Drop for Engine<I, F, R, S> {
    fn drop(&mut self) {
        self.shared.cancel();
        for batch in self.window.drain(..) {
            if let Batch::Pending(slot) = batch {
                drop_quietly(slot.take());
            }
        }
    }
}

impl<I: Iterator, F, R, S> fmt::Debug for Engine<I, F, R, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParMapIter")
            .field("ordered", &self.ordered)
            .field("batch_size", &self.batch_size)
            .field("max_in_flight", &self.max_in_flight)
            .field(
                "cost_per_item_ns",
                &self.cost.per_item().map(|ns| ns.round()),
            )
            .field("in_flight", &(self.in_flight + self.current.len()))
            .field("source_done", &self.source_done)
            .finish_non_exhaustive()
    }
}

/// The iterator of [`ParMap::par_map`] and its variants: yields `f(item)`
/// for each item of `I`, in input order or in completion order.
///
/// By default the batch size and the window adapt to the measured cost of
/// `f`: cheap items are mapped on the consumer's thread in batches (as fast
/// as a plain `map`), dearer ones in batches of some tens of microseconds of
/// work on the pool, a few batches per thread in flight. Memory stays
/// bounded whatever the length of the input. See
/// [`batch_size`](Self::batch_size) and
/// [`max_in_flight`](Self::max_in_flight) to set them instead.
///
/// `fold` and what is built on it (`for_each`, `sum`, `count`, ...) run the
/// cheap items in one tight loop, and `collect` into a `Vec` writes them
/// straight into the `Vec` and moves mapped batches into it whole, as fast
/// as a plain `map(f).collect()`; `next` (and so a `for` loop, `extend`, or
/// `collect` into another collection) costs a few nanoseconds more per item
/// than a plain `map` does.
///
/// # Panics
///
/// If `f` panics, the panic is resumed on the thread calling `next`, when
/// the panicking item's turn comes (in input order) or as soon as it is
/// seen (unordered). The items not yet started are dropped unmapped first
/// (a panic of their `Drop` is swallowed). The iterator then ends.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::ParMap;
///
/// let mut squares = (1..=3_u64).par_map(|n| n * n).max_in_flight(2);
/// assert_eq!(squares.next(), Some(1));
/// assert_eq!(squares.collect::<Vec<_>>(), [4, 9]);
/// ```
#[must_use = "par_map is lazy: nothing runs until the iterator is consumed"]
pub struct ParMapIter<I: Iterator, F, R> {
    engine: Engine<I, F, R, PoolHandle>,
}

impl<I, F, R> ParMapIter<I, F, R>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> R + Send + Sync + 'static,
    R: Send + 'static,
{
    fn new(source: I, f: F, pool: PoolHandle, ordered: bool) -> Self {
        ParMapIter {
            engine: Engine::new(source, f, pool, ordered),
        }
    }

    /// Bounds the items pulled from the source and not yet yielded; at
    /// least 1, and at least one batch. By default the window adapts: a few
    /// batches per thread of the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ParMap;
    ///
    /// let v: Vec<u8> = (0..10_u8).par_map(|n| n + 1).max_in_flight(1).collect();
    /// assert_eq!(v, (1..=10).collect::<Vec<_>>());
    /// ```
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.engine.max_in_flight = Some(max.max(1));
        self
    }

    /// Maps items in batches of exactly this many, each batch a job on the
    /// pool, instead of adapting the batch size to the cost of `f` (and
    /// mapping cheap items on the consumer's thread). The window grows to
    /// at least one batch.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ParMap;
    ///
    /// let total: u64 = (0..10_000_u64).par_map(|n| n % 7).batch_size(256).sum();
    /// assert_eq!(total, (0..10_000_u64).map(|n| n % 7).sum());
    /// ```
    pub fn batch_size(mut self, size: usize) -> Self {
        self.engine.batch_size = Some(size.max(1));
        self
    }
}

impl<I, F, R> Iterator for ParMapIter<I, F, R>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> R + Send + Sync + 'static,
    R: Send + 'static,
{
    type Item = R;

    #[inline]
    fn next(&mut self) -> Option<R> {
        self.engine.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.engine.size_hint()
    }

    fn fold<B, G>(self, init: B, g: G) -> B
    where
        G: FnMut(B, R) -> B,
    {
        self.engine.fold(init, g)
    }

    fn collect<B: FromIterator<R>>(self) -> B {
        if collects_into_vec::<B, R>() {
            B::from_iter(self.engine.into_vec())
        } else {
            B::from_iter(self)
        }
    }
}

impl<I: Iterator, F, R> fmt::Debug for ParMapIter<I, F, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.engine.fmt(f)
    }
}

/// The iterator of [`ParMapScope::par_map`] and
/// [`ParMapScope::par_map_unordered`]: [`ParMapIter`] with jobs that may
/// borrow, living in a [`par_map_scope`].
///
/// # Panics
///
/// As [`ParMapIter`].
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::par_map_scope;
///
/// let table = [10, 20, 30];
/// let mut iter_debug = String::new();
/// let v: Vec<i32> = par_map_scope(|s| {
///     let iter = s.par_map([2_usize, 0, 1], |i| table[i]).max_in_flight(2);
///     iter_debug = format!("{iter:?}");
///     iter.collect()
/// });
/// assert_eq!(v, [30, 10, 20]);
/// assert!(iter_debug.starts_with("ParMapIter"));
/// ```
#[must_use = "par_map is lazy: nothing runs until the iterator is consumed"]
pub struct ScopedParMapIter<'s, 'scope, I: Iterator, F, R> {
    engine: Engine<I, F, R, ScopeSpawner<'s, 'scope>>,
}

impl<'scope, I, F, R> ScopedParMapIter<'_, 'scope, I, F, R>
where
    I: Iterator,
    I::Item: Send + 'scope,
    F: Fn(I::Item) -> R + Send + Sync + 'scope,
    R: Send + 'scope,
{
    /// As [`ParMapIter::max_in_flight`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::par_map_scope;
    ///
    /// let base = 100;
    /// let v: Vec<u32> = par_map_scope(|s| s.par_map(0..4_u32, |n| base + n).max_in_flight(1).collect());
    /// assert_eq!(v, [100, 101, 102, 103]);
    /// ```
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.engine.max_in_flight = Some(max.max(1));
        self
    }

    /// As [`ParMapIter::batch_size`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::par_map_scope;
    ///
    /// let modulus = 7;
    /// let total: u64 = par_map_scope(|s| s.par_map(0..1_000_u64, |n| n % modulus).batch_size(64).sum());
    /// assert_eq!(total, (0..1_000_u64).map(|n| n % 7).sum());
    /// ```
    pub fn batch_size(mut self, size: usize) -> Self {
        self.engine.batch_size = Some(size.max(1));
        self
    }
}

impl<'scope, I, F, R> Iterator for ScopedParMapIter<'_, 'scope, I, F, R>
where
    I: Iterator,
    I::Item: Send + 'scope,
    F: Fn(I::Item) -> R + Send + Sync + 'scope,
    R: Send + 'scope,
{
    type Item = R;

    #[inline]
    fn next(&mut self) -> Option<R> {
        self.engine.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.engine.size_hint()
    }

    fn fold<B, G>(self, init: B, g: G) -> B
    where
        G: FnMut(B, R) -> B,
    {
        self.engine.fold(init, g)
    }

    fn collect<B: FromIterator<R>>(self) -> B {
        if collects_into_vec::<B, R>() {
            B::from_iter(self.engine.into_vec())
        } else {
            B::from_iter(self)
        }
    }
}

impl<I: Iterator, F, R> fmt::Debug for ScopedParMapIter<'_, '_, I, F, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.engine.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_waits_for_enough_measured_time() {
        let mut cost = CostEstimate::default();
        cost.record(1_000, 1_000);
        assert_eq!(cost.per_item(), None);
        cost.record(4_000, 4_000);
        assert_eq!(cost.per_item(), Some(1.0));
    }

    #[test]
    fn the_estimate_follows_a_change_of_cost() {
        let mut cost = CostEstimate::default();
        for _ in 0..10 {
            cost.record(10_000, 10);
        }
        assert!((cost.per_item().unwrap() - 1_000.0).abs() < 1e-6);
        for _ in 0..40 {
            cost.record(10_000, 1_000);
        }
        // Mostly the recent cost (10 ns) now.
        assert!(cost.per_item().unwrap() < 11.0);
    }

    type TestEngine = Engine<std::ops::Range<u64>, fn(u64) -> u64, u64, PoolHandle>;

    /// An engine on `pool`, consumed from this thread, whose cost estimate
    /// says `cost` ns per item (`None`: nothing measured yet).
    fn engine_with_cost(pool: &PoolHandle, cost: Option<f64>) -> TestEngine {
        let mut engine = Engine::new(0..u64::MAX, (|n| n) as fn(u64) -> u64, pool.clone(), true);
        if let Some(cost) = cost {
            let items = 1_000_000;
            engine.cost.record((cost * items as f64) as u64, items);
        }
        engine
    }

    fn pool(workers: usize) -> PoolHandle {
        threadpool_core::ThreadPoolBuilder::new()
            .num_workers(workers)
            .build_handle()
            .unwrap()
    }

    #[test]
    fn cheap_items_are_mapped_inline_and_dear_ones_in_jobs_sized_by_their_cost() {
        let pool = pool(2);
        let probe = engine_with_cost(&pool, None).plan();
        assert!(probe.inline);
        assert_eq!(probe.batch, 1, "the first item is timed alone");

        let cheap = engine_with_cost(&pool, Some(2.0)).plan();
        assert!(cheap.inline);
        assert_eq!(cheap.batch, MAX_INLINE_BATCH);

        let dear = engine_with_cost(&pool, Some(10_000.0)).plan();
        assert!(!dear.inline);
        assert_eq!(dear.batch, 6, "about 60 µs of work per job");
        // Two batches per thread: two workers and this thread.
        assert_eq!(dear.window, 6 * BATCHES_PER_THREAD * 3);

        let very_dear = engine_with_cost(&pool, Some(5e6)).plan();
        assert_eq!((very_dear.inline, very_dear.batch), (false, 1));
        pool.shutdown();
    }

    #[test]
    fn overrides_win_over_the_adaptive_plan() {
        let pool = pool(2);
        let mut engine = engine_with_cost(&pool, Some(10_000.0));
        engine.max_in_flight = Some(9);
        let capped = engine.plan();
        assert_eq!((capped.inline, capped.batch, capped.window), (false, 3, 9));
        engine.batch_size = Some(100);
        let fixed = engine.plan();
        assert_eq!((fixed.inline, fixed.batch, fixed.window), (false, 100, 100));
        engine.max_in_flight = None;
        let mut cheap = engine_with_cost(&pool, Some(1.0));
        cheap.batch_size = Some(100);
        let fixed_cheap = cheap.plan();
        assert!(!fixed_cheap.inline, "a set batch size always goes to jobs");
        assert_eq!(fixed_cheap.window, 100 * BATCHES_PER_THREAD * 3);
        pool.shutdown();
    }

    #[test]
    fn a_pool_with_no_other_thread_maps_inline_whatever_the_cost() {
        // No workers at all.
        let empty = pool(0);
        assert!(engine_with_cost(&empty, Some(1e6)).plan().inline);
        empty.shutdown();
        // One worker, and the consumer is that worker.
        let single = pool(1);
        let inner = single.clone();
        let inline = single.install(move || engine_with_cost(&inner, Some(1e6)).plan().inline);
        assert!(inline);
        single.shutdown();
    }

    #[test]
    fn batch_sizes_are_clamped() {
        assert_eq!(items_for(60_000.0, 10_000.0, 100), 6);
        assert_eq!(items_for(60_000.0, 1e9, 100), 1);
        assert_eq!(items_for(60_000.0, 0.0, 100), 100);
    }

    /// A source that says nothing of its length (`size_hint` 0), so
    /// `map_run_into` grows `out` as it goes.
    struct Unsized<I>(I);

    impl<I: Iterator> Iterator for Unsized<I> {
        type Item = I::Item;

        fn next(&mut self) -> Option<I::Item> {
            self.0.next()
        }
    }

    #[test]
    fn a_run_appends_to_what_is_there_and_stops_where_told() {
        let mut out = vec![String::from("kept")];
        let mut source = (0..10).map(|n| n.to_string());
        let f = |s: String| s + "!";
        assert!(map_run_into(&mut out, &mut source, &f, 4));
        assert_eq!(out, ["kept", "0!", "1!", "2!", "3!"]);
        // The rest of the source is still there, and ends the next run.
        assert!(!map_run_into(&mut out, &mut source, &f, 100));
        assert_eq!(out.len(), 11);
        assert_eq!(out[10], "9!");
        assert!(!map_run_into(&mut out, &mut source, &f, 1));
        assert_eq!(out.len(), 11);
    }

    #[test]
    fn a_run_grows_the_vec_when_the_source_hides_its_length() {
        let mut out: Vec<String> = Vec::new();
        let mut source = Unsized((0..300).map(|n| n.to_string()));
        assert!(map_run_into(&mut out, &mut source, &|s| s, 250));
        assert!(!map_run_into(&mut out, &mut source, &|s| s, 250));
        let expected: Vec<String> = (0..300).map(|n| n.to_string()).collect();
        assert_eq!(out, expected);
    }

    #[test]
    fn a_panic_in_a_run_keeps_and_later_drops_the_items_written() {
        let census = Arc::new(());
        let mut out = vec![Arc::clone(&census)];
        let mut source = Unsized(0..100);
        let f = |n: u32| {
            assert!(n != 37, "item 37");
            Arc::clone(&census)
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            map_run_into(&mut out, &mut source, &f, 100)
        }));
        let payload = outcome.expect_err("f panics at item 37");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"item 37"));
        // The first item, and the 37 results before the panic, are in the
        // `Vec` (so it drops them), and nothing else holds the census.
        assert_eq!(out.len(), 38);
        assert_eq!(Arc::strong_count(&census), 39);
        drop(out);
        assert_eq!(Arc::strong_count(&census), 1);
    }

    #[test]
    fn only_a_vec_of_the_results_is_collected_in_bulk() {
        assert!(collects_into_vec::<Vec<u64>, u64>());
        assert!(collects_into_vec::<Vec<&str>, &str>());
        assert!(!collects_into_vec::<Vec<u32>, u64>());
        assert!(!collects_into_vec::<Result<Vec<u64>, ()>, Result<u64, ()>>());
        assert!(!collects_into_vec::<std::collections::VecDeque<u64>, u64>());
        assert!(!collects_into_vec::<String, char>());
    }

    #[test]
    fn a_panicking_drop_after_a_panic_of_f_is_returned_not_unwound() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("drop bomb");
            }
        }
        let f = |(n, bomb): (u32, Option<Bomb>)| {
            std::mem::forget(bomb);
            assert!(n != 1, "f panics");
            n
        };
        // One bomb: a second one would go off while the first unwinds.
        let items = vec![(0, None), (1, None), (2, Some(Bomb)), (3, None)];
        let mapped = map_batch(&f, None, 0, items);
        assert_eq!(mapped.results, [0]);
        let payload = mapped.panic.expect("f's panic");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"f panics"));
    }
}
