//! `par_map`: a lazy, order-preserving parallel map over any iterator, with
//! a bounded window of items in flight; and `par_map_unordered`.
//!
//! # How it runs
//!
//! The consumer's thread pulls items from the source only inside `next`,
//! in batches of `batch_size`, while fewer than `max_in_flight` items are
//! issued and not yet yielded. Each batch is parked in a shared *slot* and
//! a job is spawned on the pool that takes the batch out of the slot, maps
//! it, and sends the results (or the panic) with the batch's sequence
//! number down a channel. The consumer keeps issued batches in a window,
//! oldest first, and yields from the front (ordered) or from whichever
//! batch arrived first (unordered).
//!
//! A slot lets whichever thread comes first run the batch: a job, or the
//! consumer itself when it would otherwise wait for that batch. This is how
//! a consumer that is itself a worker of the pool (a `par_map` nested in a
//! job, even on a single worker) makes progress: it never blocks on a batch
//! nobody has started; it runs it. It blocks only on a batch that another
//! thread is already running.
//!
//! Dropping the iterator (or a panic reaching the consumer) raises a cancel
//! flag, and takes back and drops the batches no job has started; jobs that
//! start later see the flag and drop their batch unmapped; batches being
//! mapped finish and their results are dropped with the channel.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crossbeam_channel::{Receiver, Sender};
use threadpool_core::PoolHandle;

use crate::global::current_pool;

type Payload = Box<dyn Any + Send + 'static>;

/// The default window, per worker thread: `max_in_flight` is this many
/// times the pool's workers.
const IN_FLIGHT_PER_WORKER: usize = 4;

/// `par_map` and friends on every [`IntoIterator`] whose items are `Send`.
///
/// The map function and the items must be `'static` (they travel to the
/// pool's jobs, which may outlive any borrow); use the prelude's parallel
/// iterators to borrow.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::ParMap;
///
/// let first: Vec<u64> = (0_u64..).par_map(|n| n * n).take(5).collect();
/// assert_eq!(first, [0, 1, 4, 9, 16]);
/// ```
pub trait ParMap: IntoIterator + Sized {
    /// A lazy iterator of `f(item)`, in input order, computed on the current
    /// pool (the pool this thread works for, or else the global pool).
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

/// A mapped batch: the results, and the panic that cut it short, if any.
struct Mapped<R> {
    seq: u64,
    results: Vec<R>,
    panic: Option<Payload>,
}

/// Maps a batch, stopping at the first panic or on cancellation.
fn map_batch<T, R, F: Fn(T) -> R>(shared: &Shared<F>, seq: u64, items: Vec<T>) -> Mapped<R> {
    let mut results = Vec::with_capacity(items.len());
    let mut items = items.into_iter();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        for item in items.by_ref() {
            if shared.is_cancelled() {
                break;
            }
            results.push((shared.f)(item));
        }
    }));
    drop(items); // items not mapped (after a panic or a cancel)
    Mapped {
        seq,
        results,
        panic: outcome.err(),
    }
}

/// A batch in the window.
enum Batch<T, R> {
    /// Issued, not yet mapped (maybe being mapped).
    Pending(Arc<Slot<T>>),
    /// Mapped; results not all yielded (ordered mode).
    Ready(Ready<R>),
    /// All results handed over (unordered mode keeps its place until the
    /// batches before it are done).
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

/// The iterator of [`ParMap::par_map`] and its variants: yields `f(item)`
/// for each item of `I`, in input order or in completion order.
///
/// # Panics
///
/// If `f` panics, the panic is resumed on the thread calling `next`, when
/// the panicking item's turn comes (in input order) or as soon as it is
/// seen (unordered). The items not yet started are dropped unmapped first.
/// The iterator then ends.
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
    source: I,
    source_done: bool,
    pool: PoolHandle,
    shared: Arc<Shared<F>>,
    sender: Sender<Mapped<R>>,
    receiver: Receiver<Mapped<R>>,
    ordered: bool,
    batch_size: usize,
    max_in_flight: usize,
    /// Issued batches, oldest first; `window[0]` has sequence `first_seq`.
    window: VecDeque<Batch<I::Item, R>>,
    first_seq: u64,
    /// Items issued and not yet yielded.
    in_flight: usize,
    /// Unordered mode: the mapped batch being yielded.
    current: Option<Ready<R>>,
    /// Set after a panic: the iterator has ended.
    poisoned: bool,
}

impl<I, F, R> ParMapIter<I, F, R>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> R + Send + Sync + 'static,
    R: Send + 'static,
{
    fn new(source: I, f: F, pool: PoolHandle, ordered: bool) -> Self {
        let (sender, receiver) = crossbeam_channel::unbounded();
        let max_in_flight = IN_FLIGHT_PER_WORKER * pool.workers().max(1);
        ParMapIter {
            source,
            source_done: false,
            pool,
            shared: Arc::new(Shared {
                f,
                cancelled: AtomicBool::new(false),
            }),
            sender,
            receiver,
            ordered,
            batch_size: 1,
            max_in_flight,
            window: VecDeque::new(),
            first_seq: 0,
            in_flight: 0,
            current: None,
            poisoned: false,
        }
    }

    /// Bounds the items pulled from the source and not yet yielded (default:
    /// 4 per worker thread of the pool); at least 1, and at least one batch.
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
        self.max_in_flight = max.max(1);
        self
    }

    /// Items are mapped in batches of this many (default 1): a job per
    /// batch, which amortizes the cost of a job over cheap items. The window
    /// grows to at least one batch.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::ParMap;
    ///
    /// let total: u64 = (0..10_000_u64).par_map(|n| n % 7).batch_size(256).max_in_flight(4096).sum();
    /// assert_eq!(total, (0..10_000_u64).map(|n| n % 7).sum());
    /// ```
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = size.max(1);
        self
    }

    /// Pulls and issues batches while the window has room for a whole one.
    fn refill(&mut self) {
        let window = self.max_in_flight.max(self.batch_size);
        while !self.source_done && self.in_flight + self.batch_size <= window {
            let items: Vec<I::Item> = self.source.by_ref().take(self.batch_size).collect();
            if items.len() < self.batch_size {
                self.source_done = true;
            }
            if items.is_empty() {
                break;
            }
            self.in_flight += items.len();
            self.issue(items);
        }
    }

    fn issue(&mut self, items: Vec<I::Item>) {
        let seq = self.first_seq + self.window.len() as u64;
        let slot = Arc::new(Slot(Mutex::new(Some(items))));
        self.window.push_back(Batch::Pending(Arc::clone(&slot)));
        let shared = Arc::clone(&self.shared);
        let sender = self.sender.clone();
        self.pool.spawn(move || {
            let Some(items) = slot.take() else {
                return; // the consumer ran it
            };
            if shared.is_cancelled() {
                return; // drops the items unmapped
            }
            // The consumer may be gone: the results are then dropped.
            let _ = sender.send(map_batch(&shared, seq, items));
        });
    }

    /// Files a mapped batch in the window (ordered) or as the current batch
    /// (unordered; `current` is empty then).
    fn accept(&mut self, mapped: Mapped<R>) {
        let index = usize::try_from(mapped.seq - self.first_seq).expect("within the window");
        if self.ordered {
            self.window[index] = Batch::Ready(mapped.into());
        } else {
            self.window[index] = Batch::Done;
            while let Some(Batch::Done) = self.window.front() {
                self.window.pop_front();
                self.first_seq += 1;
            }
            self.current = Some(mapped.into());
        }
    }

    /// Takes the batch of the `index`th window entry, if no job has.
    fn take_pending(&self, index: usize) -> Option<(u64, Vec<I::Item>)> {
        match &self.window[index] {
            Batch::Pending(slot) => slot
                .take()
                .map(|items| (self.first_seq + index as u64, items)),
            _ => None,
        }
    }

    /// Maps, on this thread, the oldest batch that no job has started.
    fn run_any_pending(&mut self) -> bool {
        for index in 0..self.window.len() {
            if let Some((seq, items)) = self.take_pending(index) {
                let mapped = map_batch(&self.shared, seq, items);
                self.accept(mapped);
                return true;
            }
        }
        false
    }

    /// Waits for a mapped batch; helps instead where waiting could
    /// deadlock or waste the thread.
    fn wait_for_any(&mut self) {
        if self.pool.is_worker_thread() && self.run_any_pending() {
            return;
        }
        let mapped = self.receiver.recv().expect("the iterator holds a sender");
        self.accept(mapped);
    }

    /// Ends the iterator after a panic of `f`, and resumes it.
    fn fail(&mut self, payload: Payload) -> ! {
        self.cancel();
        resume_unwind(payload)
    }

    /// Stops issuing, and drops the batches no job has started.
    fn cancel(&mut self) {
        self.poisoned = true;
        self.shared.cancelled.store(true, Ordering::Relaxed);
        for batch in self.window.drain(..) {
            if let Batch::Pending(slot) = batch {
                drop(slot.take());
            }
        }
        self.current = None;
        self.in_flight = 0;
    }

    fn next_ordered(&mut self) -> Option<R> {
        loop {
            self.refill();
            match self.window.front_mut()? {
                Batch::Ready(ready) => {
                    if let Some(result) = ready.results.next() {
                        self.in_flight -= 1;
                        return Some(result);
                    }
                    if let Some(payload) = ready.panic.take() {
                        self.fail(payload);
                    }
                    self.window.pop_front();
                    self.first_seq += 1;
                }
                Batch::Pending(_) => {
                    // The next result is due: map it here if nobody has
                    // started it; otherwise wait (or help, on a worker).
                    if let Some((seq, items)) = self.take_pending(0) {
                        let mapped = map_batch(&self.shared, seq, items);
                        self.accept(mapped);
                    } else {
                        self.wait_for_any();
                    }
                }
                Batch::Done => unreachable!("ordered mode yields from `Ready` batches"),
            }
        }
    }

    fn next_unordered(&mut self) -> Option<R> {
        loop {
            if let Some(ready) = &mut self.current {
                if let Some(result) = ready.results.next() {
                    self.in_flight -= 1;
                    return Some(result);
                }
                if let Some(payload) = ready.panic.take() {
                    self.fail(payload);
                }
                self.current = None;
            }
            self.refill();
            if self.window.is_empty() {
                return None;
            }
            match self.receiver.try_recv() {
                Ok(mapped) => self.accept(mapped),
                Err(_) => self.wait_for_any(),
            }
        }
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

    fn next(&mut self) -> Option<R> {
        if self.poisoned {
            return None;
        }
        if self.ordered {
            self.next_ordered()
        } else {
            self.next_unordered()
        }
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
        (
            low.saturating_add(self.in_flight),
            high.and_then(|high| high.checked_add(self.in_flight)),
        )
    }
}

impl<I: Iterator, F, R> Drop for ParMapIter<I, F, R> {
    fn drop(&mut self) {
        self.shared.cancelled.store(true, Ordering::Relaxed);
        for batch in self.window.drain(..) {
            if let Batch::Pending(slot) = batch {
                drop(slot.take());
            }
        }
    }
}

impl<I: Iterator, F, R> fmt::Debug for ParMapIter<I, F, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParMapIter")
            .field("ordered", &self.ordered)
            .field("batch_size", &self.batch_size)
            .field("max_in_flight", &self.max_in_flight)
            .field("in_flight", &self.in_flight)
            .field("source_done", &self.source_done)
            .finish_non_exhaustive()
    }
}
