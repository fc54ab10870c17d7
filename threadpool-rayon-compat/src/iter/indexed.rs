//! The adaptors of indexed iterators: `rev`, `step_by`, `skip`, `take`,
//! `chunks`, `fold_chunks`, `fold_chunks_with`, `with_min_len`,
//! `with_max_len`, `by_exponential_blocks`, `by_uniform_blocks`,
//! `zip_eq`, `interleave`, `interleave_shortest`.
//!
//! Each one knows its exact length and how a split position maps onto the
//! iterator it wraps, so it stays indexed (blocks excepted, as in rayon).

use super::pieces::{Piece, PieceCallback};
use super::{IndexedParallelIterator, ParallelIterator};

/// Declares an indexed adaptor over one base: the struct, its
/// `ParallelIterator` and `IndexedParallelIterator` impls (with its length
/// computed by `$len` from `base` and the fields), and a callback that
/// wraps the base's producer with `$wrap`.
macro_rules! indexed_adaptor {
    (
        $(#[$doc:meta])*
        $name:ident { $($field:ident: $fty:ty),* },
        len: |$base:ident, $this:ident| $len:expr,
        callback: $callback:ident,
        wrap: |$p:ident, $cb:ident| $wrap:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<I> {
            base: I,
            $($field: $fty,)*
        }

        impl<I: IndexedParallelIterator> ParallelIterator for $name<I> {
            type Item = I::Item;

            fn with_pieces<CB>(self, callback: CB) -> CB::Output
            where
                CB: PieceCallback<Self::Item>,
            {
                self.base.with_pieces($callback {
                    callback,
                    $($field: self.$field,)*
                })
            }

            fn opt_len(&self) -> Option<usize> {
                Some(IndexedParallelIterator::len(self))
            }
        }

        impl<I: IndexedParallelIterator> IndexedParallelIterator for $name<I> {
            fn len(&self) -> usize {
                let $base = self.base.len();
                let $this = self;
                let _ = $this;
                $len
            }
        }

        struct $callback<CB> {
            callback: CB,
            $($field: $fty,)*
        }

        impl<T, CB: PieceCallback<T>> PieceCallback<T> for $callback<CB> {
            type Output = CB::Output;

            fn callback<P>(self, $p: P) -> CB::Output
            where
                P: Piece<Item = T>,
            {
                let $cb = &self;
                let _ = $cb;
                let wrapped = $wrap;
                self.callback.callback(wrapped)
            }
        }
    };
}

indexed_adaptor!(
    /// The items in reverse order; from
    /// [`rev`](IndexedParallelIterator::rev).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (0..5_u32).into_par_iter().rev().collect();
    /// assert_eq!(v, [4, 3, 2, 1, 0]);
    /// ```
    Rev {},
    len: |base, this| base,
    callback: RevCallback,
    wrap: |base, cb| RevProducer { base }
);

struct RevProducer<P> {
    base: P,
}

impl<P: Piece> Piece for RevProducer<P> {
    type Item = P::Item;
    type IntoIter = RevIter<P>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let len = self.base.len();
        let (left, right) = self.base.split_at(len - index);
        (RevProducer { base: right }, RevProducer { base: left })
    }

    fn into_seq_iter(self) -> RevIter<P> {
        RevIter {
            rest: Some(self.base),
            back: None,
        }
    }

    fn min_len(&self) -> usize {
        self.base.min_len()
    }

    fn max_len(&self) -> usize {
        self.base.max_len()
    }
}

/// A piece backwards: the piece's producer is cut into its last
/// `BACK_BLOCK` items (collected, then yielded from the end) and the rest,
/// block after block, so an indexed producer needs no double-ended
/// iterator.
struct RevIter<P: Piece> {
    rest: Option<P>,
    back: Option<std::iter::Rev<std::vec::IntoIter<P::Item>>>,
}

/// How many items a [`RevIter`] buffers at a time.
const BACK_BLOCK: usize = 256;

impl<P: Piece> Iterator for RevIter<P> {
    type Item = P::Item;

    fn next(&mut self) -> Option<P::Item> {
        loop {
            if let Some(item) = self.back.as_mut().and_then(Iterator::next) {
                return Some(item);
            }
            let rest = self.rest.take()?;
            let len = rest.len();
            let (front, block) = rest.split_at(len - len.min(BACK_BLOCK));
            if front.len() > 0 {
                self.rest = Some(front);
            }
            let block: Vec<P::Item> = block.into_seq_iter().collect();
            self.back = Some(block.into_iter().rev());
        }
    }
}

indexed_adaptor!(
    /// Every `step`-th item, from the first; from
    /// [`step_by`](IndexedParallelIterator::step_by).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (0..10_u32).into_par_iter().step_by(3).collect();
    /// assert_eq!(v, [0, 3, 6, 9]);
    /// ```
    StepBy { step: usize },
    len: |base, this| base.div_ceil(this.step),
    callback: StepByCallback,
    wrap: |base, cb| StepByProducer { base, step: cb.step }
);

struct StepByProducer<P> {
    base: P,
    step: usize,
}

impl<P: Piece> Piece for StepByProducer<P> {
    type Item = P::Item;
    type IntoIter = std::iter::StepBy<P::IntoIter>;

    fn len(&self) -> usize {
        self.base.len().div_ceil(self.step)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let at = index.saturating_mul(self.step).min(self.base.len());
        let (left, right) = self.base.split_at(at);
        let step = self.step;
        (
            StepByProducer { base: left, step },
            StepByProducer { base: right, step },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.base.into_seq_iter().step_by(self.step)
    }

    fn min_len(&self) -> usize {
        self.base.min_len().div_ceil(self.step)
    }

    fn max_len(&self) -> usize {
        (self.base.max_len() / self.step).max(1)
    }
}

indexed_adaptor!(
    /// All but the first `n` items; from
    /// [`skip`](IndexedParallelIterator::skip).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (0..5_u32).into_par_iter().skip(3).collect();
    /// assert_eq!(v, [3, 4]);
    /// ```
    Skip { n: usize },
    len: |base, this| base.saturating_sub(this.n),
    callback: SkipCallback,
    wrap: |base, cb| {
        let at = cb.n.min(base.len());
        base.split_at(at).1
    }
);

indexed_adaptor!(
    /// The first `n` items; from [`take`](IndexedParallelIterator::take).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (0..5_u32).into_par_iter().take(2).collect();
    /// assert_eq!(v, [0, 1]);
    /// ```
    Take { n: usize },
    len: |base, this| base.min(this.n),
    callback: TakeCallback,
    wrap: |base, cb| {
        let at = cb.n.min(base.len());
        base.split_at(at).0
    }
);

indexed_adaptor!(
    /// Pieces no shorter than `min` items; from
    /// [`with_min_len`](IndexedParallelIterator::with_min_len).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// // At most 4 pieces of 25 or more: at most 4 accumulators.
    /// let pieces = (0..100_u32).into_par_iter().with_min_len(25).fold(|| 0, |n, _| n + 1).count();
    /// assert!((1..=4).contains(&pieces));
    /// ```
    MinLen { min: usize },
    len: |base, this| base,
    callback: MinLenCallback,
    wrap: |base, cb| LengthsProducer { base, min: cb.min, max: usize::MAX }
);

indexed_adaptor!(
    /// Pieces no longer than `max` items; from
    /// [`with_max_len`](IndexedParallelIterator::with_max_len).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// // Pieces of at most 10: at least 10 accumulators for 100 items.
    /// let pieces = (0..100_u32).into_par_iter().with_max_len(10).fold(|| 0, |n, _| n + 1).count();
    /// assert!(pieces >= 10);
    /// ```
    MaxLen { max: usize },
    len: |base, this| base,
    callback: MaxLenCallback,
    wrap: |base, cb| LengthsProducer { base, min: 1, max: cb.max }
);

struct LengthsProducer<P> {
    base: P,
    min: usize,
    max: usize,
}

impl<P: Piece> Piece for LengthsProducer<P> {
    type Item = P::Item;
    type IntoIter = P::IntoIter;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let (min, max) = (self.min, self.max);
        (
            LengthsProducer {
                base: left,
                min,
                max,
            },
            LengthsProducer {
                base: right,
                min,
                max,
            },
        )
    }

    fn into_seq_iter(self) -> P::IntoIter {
        self.base.into_seq_iter()
    }

    fn min_len(&self) -> usize {
        self.base.min_len().max(self.min)
    }

    fn max_len(&self) -> usize {
        self.base.max_len().min(self.max)
    }
}

/// Groups of `size` items (the last may be shorter), as `Vec`s; from
/// [`chunks`](IndexedParallelIterator::chunks).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<Vec<u32>> = (0..5_u32).into_par_iter().chunks(2).collect();
/// assert_eq!(v, [vec![0, 1], vec![2, 3], vec![4]]);
/// ```
#[derive(Debug, Clone)]
pub struct Chunks<I> {
    base: I,
    size: usize,
}

impl<I> Chunks<I> {
    pub(super) fn new(base: I, size: usize) -> Self {
        assert!(size != 0, "chunk_size must not be zero");
        Chunks { base, size }
    }
}

impl<I: IndexedParallelIterator> ParallelIterator for Chunks<I> {
    type Item = Vec<I::Item>;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        let size = self.size;
        self.base.with_pieces(GroupsCallback {
            callback,
            size,
            group: CollectGroup,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<I: IndexedParallelIterator> IndexedParallelIterator for Chunks<I> {
    fn len(&self) -> usize {
        self.base.len().div_ceil(self.size)
    }
}

/// Each chunk of `size` items folded into one value that starts at
/// `identity()`; from [`fold_chunks`](IndexedParallelIterator::fold_chunks).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let sums: Vec<u32> = (1..=5_u32).into_par_iter().fold_chunks(2, || 0, |a, n| a + n).collect();
/// assert_eq!(sums, [3, 7, 5]);
/// ```
#[derive(Debug, Clone)]
pub struct FoldChunks<I, ID, F> {
    base: I,
    size: usize,
    identity: ID,
    fold_op: F,
}

impl<I, ID, F> FoldChunks<I, ID, F> {
    pub(super) fn new(base: I, size: usize, identity: ID, fold_op: F) -> Self {
        assert!(size != 0, "chunk_size must not be zero");
        FoldChunks {
            base,
            size,
            identity,
            fold_op,
        }
    }
}

impl<I, ID, F, T> ParallelIterator for FoldChunks<I, ID, F>
where
    I: IndexedParallelIterator,
    ID: Fn() -> T + Send + Sync,
    F: Fn(T, I::Item) -> T + Send + Sync,
    T: Send,
{
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        let group = FoldGroup {
            identity: &self.identity,
            fold_op: &self.fold_op,
        };
        self.base.with_pieces(GroupsCallback {
            callback,
            size: self.size,
            group,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<I, ID, F, T> IndexedParallelIterator for FoldChunks<I, ID, F>
where
    I: IndexedParallelIterator,
    ID: Fn() -> T + Send + Sync,
    F: Fn(T, I::Item) -> T + Send + Sync,
    T: Send,
{
    fn len(&self) -> usize {
        self.base.len().div_ceil(self.size)
    }
}

/// Each chunk of `size` items folded into one value that starts as a clone
/// of `init`; from
/// [`fold_chunks_with`](IndexedParallelIterator::fold_chunks_with).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<String> = ["a", "b", "c"].into_par_iter().fold_chunks_with(2, String::new(), |s, x| s + x).collect();
/// assert_eq!(v, ["ab", "c"]);
/// ```
#[derive(Debug, Clone)]
pub struct FoldChunksWith<I, T, F> {
    base: I,
    size: usize,
    init: T,
    fold_op: F,
}

impl<I, T, F> FoldChunksWith<I, T, F> {
    pub(super) fn new(base: I, size: usize, init: T, fold_op: F) -> Self {
        assert!(size != 0, "chunk_size must not be zero");
        FoldChunksWith {
            base,
            size,
            init,
            fold_op,
        }
    }
}

impl<I, T, F> ParallelIterator for FoldChunksWith<I, T, F>
where
    I: IndexedParallelIterator,
    T: Send + Clone,
    F: Fn(T, I::Item) -> T + Send + Sync,
{
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        let group = FoldWithGroup {
            init: self.init,
            fold_op: &self.fold_op,
        };
        self.base.with_pieces(GroupsCallback {
            callback,
            size: self.size,
            group,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<I, T, F> IndexedParallelIterator for FoldChunksWith<I, T, F>
where
    I: IndexedParallelIterator,
    T: Send + Clone,
    F: Fn(T, I::Item) -> T + Send + Sync,
{
    fn len(&self) -> usize {
        self.base.len().div_ceil(self.size)
    }
}

/// What a group of consecutive items becomes: a `Vec` (`chunks`) or a
/// folded value (`fold_chunks`, `fold_chunks_with`).
trait Group<T>: Send {
    type Output;
    fn group(&self, items: impl Iterator<Item = T>, len: usize) -> Self::Output;
    fn split(&self) -> Self;
}

struct CollectGroup;

impl<T> Group<T> for CollectGroup {
    type Output = Vec<T>;

    fn group(&self, items: impl Iterator<Item = T>, len: usize) -> Vec<T> {
        let mut group = Vec::with_capacity(len);
        group.extend(items);
        group
    }

    fn split(&self) -> Self {
        CollectGroup
    }
}

struct FoldGroup<'f, ID, F> {
    identity: &'f ID,
    fold_op: &'f F,
}

impl<T, U, ID, F> Group<T> for FoldGroup<'_, ID, F>
where
    ID: Fn() -> U + Sync,
    F: Fn(U, T) -> U + Sync,
{
    type Output = U;

    fn group(&self, items: impl Iterator<Item = T>, _: usize) -> U {
        items.fold((self.identity)(), self.fold_op)
    }

    fn split(&self) -> Self {
        FoldGroup {
            identity: self.identity,
            fold_op: self.fold_op,
        }
    }
}

struct FoldWithGroup<'f, U, F> {
    init: U,
    fold_op: &'f F,
}

impl<T, U, F> Group<T> for FoldWithGroup<'_, U, F>
where
    U: Clone + Send,
    F: Fn(U, T) -> U + Sync,
{
    type Output = U;

    fn group(&self, items: impl Iterator<Item = T>, _: usize) -> U {
        items.fold(self.init.clone(), self.fold_op)
    }

    fn split(&self) -> Self {
        FoldWithGroup {
            init: self.init.clone(),
            fold_op: self.fold_op,
        }
    }
}

struct GroupsCallback<CB, G> {
    callback: CB,
    size: usize,
    group: G,
}

impl<T, G, CB> PieceCallback<T> for GroupsCallback<CB, G>
where
    G: Group<T>,
    CB: PieceCallback<G::Output>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(GroupsProducer {
            base,
            size: self.size,
            group: self.group,
        })
    }
}

struct GroupsProducer<P, G> {
    base: P,
    size: usize,
    group: G,
}

impl<P, G> Piece for GroupsProducer<P, G>
where
    P: Piece,
    G: Group<P::Item>,
{
    type Item = G::Output;
    type IntoIter = GroupsIter<P::IntoIter, G>;

    fn len(&self) -> usize {
        self.base.len().div_ceil(self.size)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let at = index.saturating_mul(self.size).min(self.base.len());
        let (left, right) = self.base.split_at(at);
        let right_group = self.group.split();
        (
            GroupsProducer {
                base: left,
                size: self.size,
                group: self.group,
            },
            GroupsProducer {
                base: right,
                size: self.size,
                group: right_group,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        GroupsIter {
            remaining: self.base.len(),
            iter: self.base.into_seq_iter(),
            size: self.size,
            group: self.group,
        }
    }

    fn min_len(&self) -> usize {
        self.base.min_len().div_ceil(self.size)
    }

    fn max_len(&self) -> usize {
        (self.base.max_len() / self.size).max(1)
    }
}

/// The sequential side of [`GroupsProducer`]: `remaining` items left, in
/// groups of `size`.
struct GroupsIter<I, G> {
    iter: I,
    remaining: usize,
    size: usize,
    group: G,
}

impl<I, G> Iterator for GroupsIter<I, G>
where
    I: Iterator,
    G: Group<I::Item>,
{
    type Item = G::Output;

    fn next(&mut self) -> Option<G::Output> {
        if self.remaining == 0 {
            return None;
        }
        let len = self.remaining.min(self.size);
        self.remaining -= len;
        Some(self.group.group(self.iter.by_ref().take(len), len))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let groups = self.remaining.div_ceil(self.size);
        (groups, Some(groups))
    }
}

/// The items, run as a sequence of blocks, each in parallel, of growing
/// (`by_exponential_blocks`) or equal (`by_uniform_blocks`) size; a
/// consumer that stops early (`find_first`, `take_any_while`, ...) then
/// starts no later block. Not indexed, as in rayon.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let first = (0..1_000_000_u32).into_par_iter().by_exponential_blocks().find_first(|n| n % 1000 == 999);
/// assert_eq!(first, Some(999));
/// let v: Vec<u32> = (0..10_u32).into_par_iter().by_uniform_blocks(3).collect();
/// assert_eq!(v, (0..10).collect::<Vec<_>>());
/// ```
#[derive(Debug, Clone)]
pub struct Blocks<I> {
    base: I,
    /// The first block's size; 0: the number of threads.
    first: usize,
    /// Whether each block doubles the one before.
    grow: bool,
}

/// rayon's name for [`Blocks`] from `by_exponential_blocks`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::ExponentialBlocks;
/// use threadpool_rayon_compat::prelude::*;
///
/// let blocks: ExponentialBlocks<_> = (0..10_u32).into_par_iter().by_exponential_blocks();
/// assert_eq!(blocks.count(), 10);
/// ```
pub type ExponentialBlocks<I> = Blocks<I>;

/// rayon's name for [`Blocks`] from `by_uniform_blocks`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::UniformBlocks;
/// use threadpool_rayon_compat::prelude::*;
///
/// let blocks: UniformBlocks<_> = (0..10_u32).into_par_iter().by_uniform_blocks(4);
/// assert_eq!(blocks.max(), Some(9));
/// ```
pub type UniformBlocks<I> = Blocks<I>;

impl<I> Blocks<I> {
    pub(super) fn exponential(base: I) -> Self {
        Blocks {
            base,
            first: 0,
            grow: true,
        }
    }

    pub(super) fn uniform(base: I, size: usize) -> Self {
        assert!(size != 0, "block_size must not be zero");
        Blocks {
            base,
            first: size,
            grow: false,
        }
    }
}

impl<I: IndexedParallelIterator> ParallelIterator for Blocks<I> {
    type Item = I::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        let first = if self.first == 0 {
            crate::current_num_threads()
        } else {
            self.first
        };
        self.base.with_pieces(BlocksCallback {
            callback,
            first,
            grow: self.grow,
        })
    }
}

struct BlocksCallback<CB> {
    callback: CB,
    first: usize,
    grow: bool,
}

impl<T, CB: PieceCallback<T>> PieceCallback<T> for BlocksCallback<CB> {
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(BlocksProducer {
            base,
            block: Some(self.first),
            grow: self.grow,
        })
    }
}

struct BlocksProducer<P> {
    base: P,
    /// `None` once cut off as a block (it then splits as usual).
    block: Option<usize>,
    grow: bool,
}

impl<P: Piece> Piece for BlocksProducer<P> {
    type Item = P::Item;
    type IntoIter = P::IntoIter;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let next = if self.grow {
            self.block.map(|block| block.saturating_mul(2))
        } else {
            self.block
        };
        (
            BlocksProducer {
                base: left,
                block: None,
                grow: self.grow,
            },
            BlocksProducer {
                base: right,
                block: next,
                grow: self.grow,
            },
        )
    }

    fn into_seq_iter(self) -> P::IntoIter {
        self.base.into_seq_iter()
    }

    fn min_len(&self) -> usize {
        self.base.min_len()
    }

    fn max_len(&self) -> usize {
        self.base.max_len()
    }

    fn next_block(&self) -> Option<usize> {
        self.block
    }
}

/// The items of `a` and `b` alternately, then the rest of the longer; from
/// [`interleave`](IndexedParallelIterator::interleave).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u32> = (0..3_u32).into_par_iter().interleave(10..15_u32).collect();
/// assert_eq!(v, [0, 10, 1, 11, 2, 12, 13, 14]);
/// ```
#[derive(Debug, Clone)]
pub struct Interleave<A, B> {
    a: A,
    b: B,
}

impl<A, B> Interleave<A, B> {
    pub(super) fn new(a: A, b: B) -> Self {
        Interleave { a, b }
    }
}

impl<A, B> ParallelIterator for Interleave<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator<Item = A::Item>,
{
    type Item = A::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        self.a.with_pieces(InterleaveCallbackA {
            callback,
            b: self.b,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<A, B> IndexedParallelIterator for Interleave<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator<Item = A::Item>,
{
    fn len(&self) -> usize {
        self.a.len() + self.b.len()
    }
}

struct InterleaveCallbackA<CB, B> {
    callback: CB,
    b: B,
}

impl<T, CB, B> PieceCallback<T> for InterleaveCallbackA<CB, B>
where
    B: IndexedParallelIterator<Item = T>,
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, a: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.b.with_pieces(InterleaveCallbackB {
            callback: self.callback,
            a,
        })
    }
}

struct InterleaveCallbackB<CB, PA> {
    callback: CB,
    a: PA,
}

impl<T, CB, PA> PieceCallback<T> for InterleaveCallbackB<CB, PA>
where
    PA: Piece<Item = T>,
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, b: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(InterleaveProducer {
            a: self.a,
            b,
            a_next: true,
        })
    }
}

struct InterleaveProducer<A, B> {
    a: A,
    b: B,
    /// Whether, while both have items, `a` gives the next one.
    a_next: bool,
}

impl<A, B> Piece for InterleaveProducer<A, B>
where
    A: Piece,
    B: Piece<Item = A::Item>,
{
    type Item = A::Item;
    type IntoIter = InterleaveIter<A::IntoIter, B::IntoIter>;

    fn len(&self) -> usize {
        self.a.len() + self.b.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (a_len, b_len) = (self.a.len(), self.b.len());
        // How many of the first `index` items come from `a` and from `b`
        // if both were endless; then corrected for the one that runs out.
        let a_alternating = if self.a_next {
            index.div_ceil(2)
        } else {
            index / 2
        };
        let b_alternating = index - a_alternating;
        let (a_count, b_count) = if a_alternating > a_len {
            (a_len, index - a_len)
        } else if b_alternating > b_len {
            (index - b_len, b_len)
        } else {
            (a_alternating, b_alternating)
        };
        let (a_left, a_right) = self.a.split_at(a_count);
        let (b_left, b_right) = self.b.split_at(b_count);
        (
            InterleaveProducer {
                a: a_left,
                b: b_left,
                a_next: self.a_next,
            },
            InterleaveProducer {
                a: a_right,
                b: b_right,
                a_next: self.a_next == index.is_multiple_of(2),
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        InterleaveIter {
            a: self.a.into_seq_iter().fuse(),
            b: self.b.into_seq_iter().fuse(),
            a_next: self.a_next,
        }
    }

    fn min_len(&self) -> usize {
        self.a.min_len().max(self.b.min_len())
    }

    fn max_len(&self) -> usize {
        self.a.max_len().min(self.b.max_len())
    }
}

/// The sequential side of [`Interleave`].
struct InterleaveIter<A, B> {
    a: std::iter::Fuse<A>,
    b: std::iter::Fuse<B>,
    a_next: bool,
}

impl<A, B> Iterator for InterleaveIter<A, B>
where
    A: Iterator,
    B: Iterator<Item = A::Item>,
{
    type Item = A::Item;

    fn next(&mut self) -> Option<A::Item> {
        let a_next = self.a_next;
        self.a_next = !a_next;
        if a_next {
            self.a.next().or_else(|| self.b.next())
        } else {
            self.b.next().or_else(|| self.a.next())
        }
    }
}

/// The items of `a` and `b` alternately, until the one whose turn it is
/// has none left; from
/// [`interleave_shortest`](IndexedParallelIterator::interleave_shortest).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u32> = (0..3_u32).into_par_iter().interleave_shortest(10..15_u32).collect();
/// assert_eq!(v, [0, 10, 1, 11, 2, 12]);
/// ```
#[derive(Debug, Clone)]
pub struct InterleaveShortest<A, B> {
    inner: Interleave<Take<A>, Take<B>>,
}

impl<A: IndexedParallelIterator, B: IndexedParallelIterator> InterleaveShortest<A, B> {
    pub(super) fn new(a: A, b: B) -> Self {
        let (a_len, b_len) = (a.len(), b.len());
        let (a_take, b_take) = if a_len <= b_len {
            (a_len, a_len)
        } else {
            (b_len + 1, b_len)
        };
        InterleaveShortest {
            inner: Interleave::new(take(a, a_take), take(b, b_take)),
        }
    }
}

impl<A, B> ParallelIterator for InterleaveShortest<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator<Item = A::Item>,
{
    type Item = A::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        self.inner.with_pieces(callback)
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.inner.len())
    }
}

impl<A, B> IndexedParallelIterator for InterleaveShortest<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator<Item = A::Item>,
{
    fn len(&self) -> usize {
        self.inner.len()
    }
}

pub(super) fn rev<I>(base: I) -> Rev<I> {
    Rev { base }
}

pub(super) fn step_by<I>(base: I, step: usize) -> StepBy<I> {
    assert!(step != 0, "step must not be zero");
    StepBy { base, step }
}

pub(super) fn skip<I>(base: I, n: usize) -> Skip<I> {
    Skip { base, n }
}

pub(super) fn take<I>(base: I, n: usize) -> Take<I> {
    Take { base, n }
}

pub(super) fn with_min_len<I>(base: I, min: usize) -> MinLen<I> {
    MinLen { base, min }
}

pub(super) fn with_max_len<I>(base: I, max: usize) -> MaxLen<I> {
    MaxLen { base, max }
}

/// The positions of the items a predicate accepts; from
/// [`positions`](IndexedParallelIterator::positions).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let at: Vec<usize> = "a1b22".par_chars().collect::<Vec<_>>().into_par_iter().positions(|c| c.is_numeric()).collect();
/// assert_eq!(at, [1, 3, 4]);
/// ```
#[derive(Debug, Clone)]
pub struct Positions<I, P> {
    base: I,
    predicate: P,
}

impl<I, P> Positions<I, P> {
    pub(super) fn new(base: I, predicate: P) -> Self {
        Positions { base, predicate }
    }
}

impl<I, P> ParallelIterator for Positions<I, P>
where
    I: IndexedParallelIterator,
    P: Fn(I::Item) -> bool + Sync + Send,
{
    type Item = usize;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<usize>,
    {
        let Positions { base, predicate } = self;
        let predicate = &predicate;
        base.enumerate()
            .filter_map(move |(i, item)| predicate(item).then_some(i))
            .with_pieces(callback)
    }
}
