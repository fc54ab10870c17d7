//! How this crate's parallel iterators run: a [`Piece`] splits by index
//! and is folded through a sequential iterator, a [`Reducer`] folds the
//! pieces and combines their results, and `bridge` splits adaptively on top
//! of the pool's `join`. (rayon's own plumbing, for iterators and
//! consumers written against it, is in [`plumbing`](super::plumbing).)
//!
//! # Adaptive splitting
//!
//! A producer is split in halves while its *split budget* lasts. The budget
//! starts at the number of worker threads and halves at every split, so an
//! iterator that nobody steals from ends up in about as many pieces as there
//! are threads, each folded sequentially with no further overhead: cheap
//! items stay cheap. When the right half of a split runs on another thread
//! than the one that forked it (it was stolen, so some thread was idle), the
//! budget of that half is reset to at least the number of threads, and the
//! half splits again: heavy or uneven items keep every thread busy. A piece
//! of one item is never split.
//!
//! These types are public because the iterator traits name them; they are
//! not meant to be implemented outside this crate.

use std::cell::Cell;

use threadpool_core::PoolHandle;

use crate::global::with_current_pool;

/// A splittable source of items: the parallel form of an iterator.
///
/// For an indexed iterator, `len` is the exact number of items and
/// `split_at(i)` leaves exactly `i` items on the left. For the others
/// (after `filter`, `fold`, ...) `len` is the length of the underlying
/// indexed source, used only to decide where to split.
#[allow(clippy::len_without_is_empty)] // `len` only decides where to split
pub trait Piece: Send + Sized {
    /// The items produced.
    type Item;
    /// The sequential iterator a piece is folded with.
    type IntoIter: Iterator<Item = Self::Item>;

    /// The length of the underlying index range.
    fn len(&self) -> usize;

    /// Splits into `[0, index)` and `[index, len)`.
    fn split_at(self, index: usize) -> (Self, Self);

    /// The items of this piece, in order.
    fn into_seq_iter(self) -> Self::IntoIter;

    /// The smallest piece worth splitting off (from
    /// [`with_min_len`](crate::iter::IndexedParallelIterator::with_min_len)).
    fn min_len(&self) -> usize {
        1
    }

    /// The largest piece to fold without splitting (from
    /// [`with_max_len`](crate::iter::IndexedParallelIterator::with_max_len)).
    fn max_len(&self) -> usize {
        usize::MAX
    }

    /// With `by_exponential_blocks`/`by_uniform_blocks`: the length of the
    /// next block, to be run (in parallel) before the rest is started.
    /// `split_at` then leaves a left part that is no longer in blocks.
    fn next_block(&self) -> Option<usize> {
        None
    }
}

/// Receives the producer of a parallel iterator. Adaptors wrap the callback
/// of the adaptor after them; consumers end the chain.
pub trait PieceCallback<T> {
    /// What the consumer returns.
    type Output;

    /// Consumes `producer`.
    fn callback<P>(self, producer: P) -> Self::Output
    where
        P: Piece<Item = T>;
}

/// Folds the pieces of a split producer and combines their results, left
/// before right.
pub trait Reducer<T>: Sync {
    /// The result of one piece, and of the whole.
    type Output: Send;

    /// Folds one piece sequentially.
    fn fold<I>(&self, iter: I) -> Self::Output
    where
        I: Iterator<Item = T>;

    /// Combines the results of two adjacent pieces.
    fn reduce(&self, left: Self::Output, right: Self::Output) -> Self::Output;

    /// Whether the result is already known (short-circuiting consumers):
    /// pieces not yet started are then skipped.
    fn full(&self) -> bool {
        false
    }

    /// Folds the piece `start..end` of the producer's index range;
    /// consumers that care where a piece lies (`find_first`,
    /// `find_last`, ...) override it. The pieces' ranges are disjoint and
    /// ordered as the pieces are.
    fn fold_at<I>(&self, start: usize, end: usize, iter: I) -> Self::Output
    where
        I: Iterator<Item = T>,
    {
        let _ = (start, end);
        self.fold(iter)
    }

    /// Whether the piece `start..end` cannot change the result any more;
    /// it is then folded empty.
    fn full_at(&self, start: usize, end: usize) -> bool {
        let _ = (start, end);
        self.full()
    }
}

/// A [`PieceCallback`] that runs a [`Reducer`] over the producer with
/// [`bridge`].
pub(crate) struct Bridge<'r, C>(pub(crate) &'r C);

impl<T, C> PieceCallback<T> for Bridge<'_, C>
where
    C: Reducer<T>,
{
    type Output = C::Output;

    fn callback<P>(self, producer: P) -> C::Output
    where
        P: Piece<Item = T>,
    {
        bridge(producer, self.0)
    }
}

/// Runs `reducer` over `producer` on the current pool (see
/// [`current_num_threads`](crate::current_num_threads)), splitting
/// adaptively.
pub(crate) fn bridge<P, C>(producer: P, reducer: &C) -> C::Output
where
    P: Piece,
    C: Reducer<P::Item>,
{
    with_current_pool(|pool| {
        let splitter = Splitter::new(pool.workers());
        pool.install(|| bridge_piece(pool, producer, 0, splitter, reducer, false))
    })
}

fn bridge_piece<P, C>(
    pool: &PoolHandle,
    producer: P,
    start: usize,
    mut splitter: Splitter,
    reducer: &C,
    migrated: bool,
) -> C::Output
where
    P: Piece,
    C: Reducer<P::Item>,
{
    if producer.next_block().is_some() {
        return bridge_blocks(pool, producer, start, reducer);
    }
    let len = producer.len();
    let end = start + len;
    if reducer.full_at(start, end) {
        return reducer.fold_at(start, end, std::iter::empty());
    }
    let mid = len / 2;
    let must_split = len > producer.max_len();
    if len < 2 || mid < producer.min_len() || !(must_split || splitter.try_split(migrated)) {
        return reducer.fold_at(start, end, producer.into_seq_iter());
    }
    let (left, right) = producer.split_at(mid);
    // Not `start + mid`: an unindexed producer may split near `mid`.
    let right_start = start + left.len();
    let forked_on = thread_marker();
    let (left, right) = pool.join(
        || bridge_piece(pool, left, start, splitter, reducer, false),
        || {
            let migrated = thread_marker() != forked_on;
            bridge_piece(pool, right, right_start, splitter, reducer, migrated)
        },
    );
    reducer.reduce(left, right)
}

/// Runs a producer that is in blocks: each block in parallel, one block
/// after the other, stopping once the result is known.
fn bridge_blocks<P, C>(
    pool: &PoolHandle,
    mut producer: P,
    mut start: usize,
    reducer: &C,
) -> C::Output
where
    P: Piece,
    C: Reducer<P::Item>,
{
    let mut result: Option<C::Output> = None;
    while let Some(block) = producer.next_block() {
        let len = producer.len();
        if len == 0 || reducer.full_at(start, start + len) {
            break;
        }
        let (first, rest) = producer.split_at(block.clamp(1, len));
        producer = rest;
        let first_len = first.len();
        let splitter = Splitter::new(pool.workers());
        let done = bridge_piece(pool, first, start, splitter, reducer, false);
        start += first_len;
        result = Some(match result {
            None => done,
            Some(before) => reducer.reduce(before, done),
        });
    }
    // What is left (nothing, or the part after the result was known) is
    // dropped unfolded.
    result.unwrap_or_else(|| reducer.fold_at(start, start, std::iter::empty()))
}

/// The split budget of one piece; see the module documentation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Splitter {
    threads: usize,
    splits: usize,
}

impl Splitter {
    pub(crate) fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        Splitter {
            threads,
            splits: threads,
        }
    }

    /// Whether to split once more; spends budget, or refills it for a piece
    /// that was stolen.
    pub(crate) fn try_split(&mut self, migrated: bool) -> bool {
        if migrated {
            self.splits = self.threads.max(self.splits / 2);
            true
        } else if self.splits > 0 {
            self.splits /= 2;
            true
        } else {
            false
        }
    }
}

thread_local! {
    static MARKER: Cell<u8> = const { Cell::new(0) };
}

/// A number unique to the calling thread among live threads: the address of
/// a thread-local, cheaper than `thread::current().id()`.
pub(crate) fn thread_marker() -> usize {
    MARKER.with(|marker| std::ptr::from_ref(marker).addr())
}

#[cfg(test)]
mod tests {
    use super::Splitter;

    #[test]
    fn an_unstolen_piece_splits_about_log2_threads_times() {
        let mut splitter = Splitter::new(8);
        let mut splits = 0;
        while splitter.try_split(false) {
            splits += 1;
        }
        assert_eq!(splits, 4); // 8 -> 4 -> 2 -> 1 -> 0
    }

    #[test]
    fn a_stolen_piece_gets_its_budget_back() {
        let mut splitter = Splitter::new(4);
        while splitter.try_split(false) {}
        assert!(splitter.try_split(true));
        assert_eq!(splitter.splits, 4);
    }
}
