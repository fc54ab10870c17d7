//! Parallel iterators with rayon's names and signatures: the traits, their
//! sources (slices, `Vec`, ranges, chunks), adaptors and consumers.
//!
//! Every parallel iterator hands its first piece (a `Piece`, see
//! `src/iter/pieces.rs`) to a consumer, which splits it adaptively over the
//! current pool with `join` and folds each piece sequentially; rayon's own
//! plumbing, for iterators and consumers written against it, is in
//! [`plumbing`].

/// Forwards a wrapping producer's split hints (`min_len`, `max_len`,
/// `next_block`) to the producer it wraps.
macro_rules! forward_split_hints {
    ($base:ident) => {
        fn min_len(&self) -> usize {
            self.$base.min_len()
        }

        fn max_len(&self) -> usize {
            self.$base.max_len()
        }

        fn next_block(&self) -> Option<usize> {
            self.$base.next_block()
        }
    };
}

mod adaptors;
mod consumers;
mod drain;
mod extend;
mod flatten;
mod indexed;
mod misc;
mod par_bridge;
pub(crate) mod pieces;
pub mod plumbing;
mod search;
pub(crate) mod slices;
pub(crate) mod source;
mod sources;
mod tree;
mod try_ops;
mod with;

pub use adaptors::{Cloned, Copied, Enumerate, Filter, FilterMap, Fold, Map, Zip};

/// rayon's `zip_eq` adaptor: a [`Zip`] of iterators checked to have the
/// same length.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::ZipEq;
/// use threadpool_rayon_compat::prelude::*;
///
/// let pairs: ZipEq<_, _> = [1, 2].par_iter().zip_eq(&[3, 4]);
/// assert_eq!(pairs.map(|(a, b)| a * b).sum::<i32>(), 11);
/// ```
pub type ZipEq<A, B> = Zip<A, B>;
pub use drain::{Drain, ParallelDrainFull, ParallelDrainRange, StringDrain};
pub use either::Either;
pub use extend::ParallelExtend;
pub use flatten::{Chain, FlatMap, FlatMapIter, Flatten, FlattenIter};
pub use indexed::{
    Blocks, Chunks, ExponentialBlocks, FoldChunks, FoldChunksWith, Interleave, InterleaveShortest,
    MaxLen, MinLen, Positions, Rev, Skip, StepBy, Take, UniformBlocks,
};
pub use misc::{Inspect, Intersperse, PanicFuse, Update};
pub use par_bridge::{IterBridge, ParallelBridge};
pub use search::{SkipAny, SkipAnyWhile, TakeAny, TakeAnyWhile};
pub use source::{
    ChunksMut, Iter, IterMut, RangeInclusiveIter, RangeInteger, RangeIter, VecIntoIter,
};
#[allow(deprecated)] // rayon's deprecated name, kept for code that uses it
pub use sources::repeatn;
pub use sources::{
    CharRangeIter, Empty, MultiZip, Once, OptionIter, Repeat, RepeatN, ZipTuple, empty, once,
    repeat, repeat_n,
};
pub use tree::{
    Split, WalkTree, WalkTreePostfix, WalkTreePrefix, split, walk_tree, walk_tree_postfix,
    walk_tree_prefix,
};
pub use try_ops::{Try, TryFold, TryFoldWith};
pub use with::{FoldWith, MapInit, MapWith, WhileSome};

use consumers::{
    All, Any, Count, FindAny, ForEach, Max, MaxByKey, Min, MinByKey, Product, Reduce, ReduceWith,
    Sum,
};
use std::cmp::Ordering;
use std::collections::LinkedList;

use crate::sort::Stability;
use pieces::{Bridge, PieceCallback};
use search::{FindFirst, FindLast};
use try_ops::{Stop, TryReduce, TryReduceWith};

/// A parallel iterator: rayon's `ParallelIterator`, for the adaptors and
/// consumers this crate provides.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u64> = (1..=10).collect();
/// let factor = 3;
/// let total: u64 = v.par_iter().map(|x| x * factor).filter(|x| x % 2 == 0).sum();
/// assert_eq!(total, 90);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a parallel iterator",
    label = "not a parallel iterator",
    note = "parallel iterators come from `par_iter()`, `par_iter_mut()`, `into_par_iter()`, `par_bridge()`, ... with `use threadpool_rayon_compat::prelude::*;` in scope"
)]
pub trait ParallelIterator: Sized + Send {
    /// The items produced.
    type Item: Send;

    /// Hands this iterator's first piece to `callback`. Not part of
    /// rayon's API: the way this crate's consumers run. Iterators written
    /// against rayon's plumbing implement
    /// [`drive_unindexed`](Self::drive_unindexed) instead; this then drives
    /// them into ordered pieces first.
    #[doc(hidden)]
    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        plumbing::pieces_of_driven(self, callback)
    }

    /// Drives a consumer written against rayon's plumbing with the items
    /// (see [`plumbing`]); an iterator written against rayon's plumbing
    /// implements this (it is rayon's one required method). Every iterator
    /// must implement it or the hidden `with_pieces`: each one's default
    /// calls the other.
    ///
    /// # Examples
    ///
    /// See [`plumbing::UnindexedConsumer`].
    fn drive_unindexed<C>(self, consumer: C) -> C::Result
    where
        C: plumbing::UnindexedConsumer<Self::Item>,
    {
        self.with_pieces(plumbing::DriveUnindexed { consumer })
    }

    /// The exact number of items, if known in advance (indexed iterators).
    #[doc(hidden)]
    fn opt_len(&self) -> Option<usize> {
        None
    }

    /// Calls `op` on every item, in parallel.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let total = AtomicU64::new(0);
    /// (1..=4_u64).into_par_iter().for_each(|n| {
    ///     total.fetch_add(n, Ordering::Relaxed);
    /// });
    /// assert_eq!(total.into_inner(), 10);
    /// ```
    fn for_each<OP>(self, op: OP)
    where
        OP: Fn(Self::Item) + Sync + Send,
    {
        self.with_pieces(Bridge(&ForEach(op)));
    }

    /// Applies `map_op` to every item.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let doubled: Vec<i32> = [1, 2, 3].par_iter().map(|x| x * 2).collect();
    /// assert_eq!(doubled, [2, 4, 6]);
    /// ```
    fn map<F, R>(self, map_op: F) -> Map<Self, F>
    where
        F: Fn(Self::Item) -> R + Sync + Send,
        R: Send,
    {
        Map::new(self, map_op)
    }

    /// Keeps the items for which `filter_op` returns `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let even: Vec<u32> = (0..10_u32).into_par_iter().filter(|n| n % 2 == 0).collect();
    /// assert_eq!(even, [0, 2, 4, 6, 8]);
    /// ```
    fn filter<P>(self, filter_op: P) -> Filter<Self, P>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        Filter::new(self, filter_op)
    }

    /// Maps every item to an `Option` and keeps the `Some` values.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let words = ["1", "two", "3"];
    /// let numbers: Vec<u8> = words.par_iter().filter_map(|w| w.parse().ok()).collect();
    /// assert_eq!(numbers, [1, 3]);
    /// ```
    fn filter_map<P, R>(self, filter_op: P) -> FilterMap<Self, P>
    where
        P: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        FilterMap::new(self, filter_op)
    }

    /// Clones the items of an iterator over references.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let names = vec![String::from("a"), String::from("b")];
    /// let copy: Vec<String> = names.par_iter().cloned().collect();
    /// assert_eq!(copy, names);
    /// ```
    fn cloned<'a, T>(self) -> Cloned<Self>
    where
        T: 'a + Clone + Send,
        Self: ParallelIterator<Item = &'a T>,
    {
        Cloned::new(self)
    }

    /// Copies the items of an iterator over references.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v = [1_u8, 2, 3];
    /// let copy: Vec<u8> = v.par_iter().copied().collect();
    /// assert_eq!(copy, v);
    /// ```
    fn copied<'a, T>(self) -> Copied<Self>
    where
        T: 'a + Copy + Send,
        Self: ParallelIterator<Item = &'a T>,
    {
        Copied::new(self)
    }

    /// Folds the items of each piece into an accumulator that starts at
    /// `identity()`; the result is a parallel iterator over the
    /// accumulators, one per piece, to be combined with
    /// [`reduce`](Self::reduce), [`sum`](Self::sum), ...
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let words = ["apple", "bob", "cat"];
    /// let letters = words
    ///     .par_iter()
    ///     .fold(|| 0_usize, |acc, w| acc + w.len())
    ///     .sum::<usize>();
    /// assert_eq!(letters, 11);
    /// ```
    fn fold<T, ID, F>(self, identity: ID, fold_op: F) -> Fold<Self, ID, F>
    where
        F: Fn(T, Self::Item) -> T + Sync + Send,
        ID: Fn() -> T + Sync + Send,
        T: Send,
    {
        Fold::new(self, identity, fold_op)
    }

    /// Combines all items with `op`, starting each piece at `identity()`.
    /// `op` should be associative; `identity()` its neutral element.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let longest = ["a", "abc", "ab"].par_iter().map(|w| w.len()).reduce(|| 0, usize::max);
    /// assert_eq!(longest, 3);
    /// ```
    fn reduce<OP, ID>(self, identity: ID, op: OP) -> Self::Item
    where
        OP: Fn(Self::Item, Self::Item) -> Self::Item + Sync + Send,
        ID: Fn() -> Self::Item + Sync + Send,
    {
        self.with_pieces(Bridge(&Reduce { identity, op }))
    }

    /// Combines all items with `op`; `None` if there are none.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((1..5_u32).into_par_iter().reduce_with(|a, b| a * b), Some(24));
    /// assert_eq!((0..0_u32).into_par_iter().reduce_with(|a, b| a * b), None);
    /// ```
    fn reduce_with<OP>(self, op: OP) -> Option<Self::Item>
    where
        OP: Fn(Self::Item, Self::Item) -> Self::Item + Sync + Send,
    {
        self.with_pieces(Bridge(&ReduceWith(op)))
    }

    /// The sum of the items.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let sum_of_squares: u64 = (1..=10_u64).into_par_iter().map(|n| n * n).sum();
    /// assert_eq!(sum_of_squares, 385);
    /// ```
    fn sum<S>(self) -> S
    where
        S: Send + std::iter::Sum<Self::Item> + std::iter::Sum<S>,
    {
        self.with_pieces(Bridge(&Sum::new()))
    }

    /// The product of the items.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let factorial: u64 = (1..=10_u64).into_par_iter().product();
    /// assert_eq!(factorial, 3_628_800);
    /// ```
    fn product<P>(self) -> P
    where
        P: Send + std::iter::Product<Self::Item> + std::iter::Product<P>,
    {
        self.with_pieces(Bridge(&Product::new()))
    }

    /// The number of items.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..100_u32).into_par_iter().filter(|n| n % 3 == 0).count(), 34);
    /// ```
    fn count(self) -> usize {
        self.with_pieces(Bridge(&Count))
    }

    /// The smallest item; the first of equal ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([3, 1, 2].par_iter().min(), Some(&1));
    /// ```
    fn min(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.with_pieces(Bridge(&Min))
    }

    /// The largest item; the last of equal ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([3, 1, 2].par_iter().max(), Some(&3));
    /// ```
    fn max(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.with_pieces(Bridge(&Max))
    }

    /// The item with the smallest key; the first of equal ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let words = ["ccc", "a", "bb", "d"];
    /// assert_eq!(words.par_iter().min_by_key(|w| w.len()), Some(&"a"));
    /// ```
    fn min_by_key<K, F>(self, f: F) -> Option<Self::Item>
    where
        K: Ord + Send,
        F: Sync + Send + Fn(&Self::Item) -> K,
    {
        self.with_pieces(Bridge(&MinByKey::new(f)))
            .map(|(_, item)| item)
    }

    /// The item with the largest key; the last of equal ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let words = ["a", "bb", "cc", "d"];
    /// assert_eq!(words.par_iter().max_by_key(|w| w.len()), Some(&"cc"));
    /// ```
    fn max_by_key<K, F>(self, f: F) -> Option<Self::Item>
    where
        K: Ord + Send,
        F: Sync + Send + Fn(&Self::Item) -> K,
    {
        self.with_pieces(Bridge(&MaxByKey::new(f)))
            .map(|(_, item)| item)
    }

    /// Whether `predicate` holds for any item; stops early once it does.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!((0..1_000_u32).into_par_iter().any(|n| n == 999));
    /// ```
    fn any<P>(self, predicate: P) -> bool
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.with_pieces(Bridge(&Any::new(predicate)))
    }

    /// Whether `predicate` holds for every item; stops early once it fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!(!(0..1_000_u32).into_par_iter().all(|n| n < 500));
    /// ```
    fn all<P>(self, predicate: P) -> bool
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.with_pieces(Bridge(&All::new(predicate)))
    }

    /// Some item for which `predicate` holds, not necessarily the first;
    /// stops early once one is found.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let found = (1..100_u32).into_par_iter().find_any(|n| n % 7 == 0);
    /// assert!(found.is_some_and(|n| n % 7 == 0));
    /// ```
    fn find_any<P>(self, predicate: P) -> Option<Self::Item>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        self.with_pieces(Bridge(&FindAny::new(predicate)))
    }

    /// Calls `op` on a piece's clone of `init` and every item, in parallel.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc::channel;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let (sender, receiver) = channel();
    /// (0..5_u32).into_par_iter().for_each_with(sender, |s, n| s.send(n).unwrap());
    /// let mut got: Vec<u32> = receiver.iter().collect();
    /// got.sort();
    /// assert_eq!(got, [0, 1, 2, 3, 4]);
    /// ```
    fn for_each_with<OP, T>(self, init: T, op: OP)
    where
        OP: Fn(&mut T, Self::Item) + Sync + Send,
        T: Send + Clone,
    {
        self.map_with(init, op).for_each(drop);
    }

    /// Calls `op` on a per-piece value from `init` and every item, in
    /// parallel; `init` runs once per piece, not per item.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let total = AtomicUsize::new(0);
    /// (0..100_usize).into_par_iter().for_each_init(Vec::new, |buf, n| {
    ///     buf.push(n);
    ///     total.fetch_add(n, Ordering::Relaxed);
    /// });
    /// assert_eq!(total.into_inner(), 4950);
    /// ```
    fn for_each_init<OP, INIT, T>(self, init: INIT, op: OP)
    where
        OP: Fn(&mut T, Self::Item) + Sync + Send,
        INIT: Fn() -> T + Sync + Send,
    {
        self.map_init(init, op).for_each(drop);
    }

    /// Calls the fallible `op` on every item, in parallel, stopping early
    /// at a failure (`Err`, `None`, `ControlFlow::Break`), which is
    /// returned; which one, if several, is unspecified.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let all_small = (0..1000_u32).into_par_iter().try_for_each(|n| if n < 2000 { Ok(()) } else { Err(n) });
    /// assert_eq!(all_small, Ok(()));
    /// let found = (0..1000_u32).into_par_iter().try_for_each(|n| if n != 7 { Some(()) } else { None });
    /// assert_eq!(found, None);
    /// ```
    fn try_for_each<OP, R>(self, op: OP) -> R
    where
        OP: Fn(Self::Item) -> R + Sync + Send,
        R: Try<Output = ()> + Send,
    {
        self.map(op).try_reduce(|| (), |(), ()| R::from_output(()))
    }

    /// [`try_for_each`](Self::try_for_each) with a per-piece clone of
    /// `init`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc::channel;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let (sender, receiver) = channel();
    /// let sent = (0..10_u32).into_par_iter().try_for_each_with(sender, |s, n| s.send(n));
    /// assert!(sent.is_ok());
    /// assert_eq!(receiver.iter().count(), 10);
    /// ```
    fn try_for_each_with<OP, T, R>(self, init: T, op: OP) -> R
    where
        OP: Fn(&mut T, Self::Item) -> R + Sync + Send,
        T: Send + Clone,
        R: Try<Output = ()> + Send,
    {
        self.map_with(init, op)
            .try_reduce(|| (), |(), ()| R::from_output(()))
    }

    /// [`try_for_each`](Self::try_for_each) with a per-piece value from
    /// `init`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let r = (0..10_u32).into_par_iter().try_for_each_init(String::new, |buf, n| {
    ///     buf.clear();
    ///     buf.push_str(&n.to_string());
    ///     if buf.len() == 1 { Ok(()) } else { Err(n) }
    /// });
    /// assert_eq!(r, Ok(()));
    /// ```
    fn try_for_each_init<OP, INIT, T, R>(self, init: INIT, op: OP) -> R
    where
        OP: Fn(&mut T, Self::Item) -> R + Sync + Send,
        INIT: Fn() -> T + Sync + Send,
        R: Try<Output = ()> + Send,
    {
        self.map_init(init, op)
            .try_reduce(|| (), |(), ()| R::from_output(()))
    }

    /// Applies `map_op` to a per-piece clone of `init` and every item.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let offset: Vec<u32> = (0..3_u32).into_par_iter().map_with(10, |ten, n| n + *ten).collect();
    /// assert_eq!(offset, [10, 11, 12]);
    /// ```
    fn map_with<F, T, R>(self, init: T, map_op: F) -> MapWith<Self, T, F>
    where
        F: Fn(&mut T, Self::Item) -> R + Sync + Send,
        T: Send + Clone,
        R: Send,
    {
        MapWith::new(self, init, map_op)
    }

    /// Applies `map_op` to a per-piece value from `init` and every item.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<usize> = (0..3_usize).into_par_iter().map_init(|| 100, |h, n| n + *h).collect();
    /// assert_eq!(v, [100, 101, 102]);
    /// ```
    fn map_init<F, INIT, T, R>(self, init: INIT, map_op: F) -> MapInit<Self, INIT, F>
    where
        F: Fn(&mut T, Self::Item) -> R + Sync + Send,
        INIT: Fn() -> T + Sync + Send,
        R: Send,
    {
        MapInit::new(self, init, map_op)
    }

    /// Combines fallible items with the fallible `op`, each piece starting
    /// at `identity()`; stops early at the first failure, which is
    /// returned.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let sum = (1..=10_u8).into_par_iter().map(Some).try_reduce(|| 0, |a, b| a.checked_add(b));
    /// assert_eq!(sum, Some(55));
    /// let overflow = (1..=100_u8).into_par_iter().map(Some).try_reduce(|| 0, |a, b| a.checked_add(b));
    /// assert_eq!(overflow, None);
    /// ```
    fn try_reduce<T, OP, ID>(self, identity: ID, op: OP) -> Self::Item
    where
        OP: Fn(T, T) -> Self::Item + Sync + Send,
        ID: Fn() -> T + Sync + Send,
        Self::Item: Try<Output = T>,
    {
        self.with_pieces(Bridge(&TryReduce {
            identity,
            op,
            stop: Stop::default(),
        }))
    }

    /// [`try_reduce`](Self::try_reduce) with no identity: `None` when
    /// there are no items.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let max = [3, 9, 4].par_iter().map(|&n| Ok::<i32, String>(n)).try_reduce_with(|a, b| Ok(a.max(b)));
    /// assert_eq!(max, Some(Ok(9)));
    /// let none = (0..0).into_par_iter().map(Ok::<i32, String>).try_reduce_with(|a, b| Ok(a + b));
    /// assert_eq!(none, None);
    /// ```
    fn try_reduce_with<T, OP>(self, op: OP) -> Option<Self::Item>
    where
        OP: Fn(T, T) -> Self::Item + Sync + Send,
        Self::Item: Try<Output = T>,
    {
        self.with_pieces(Bridge(&TryReduceWith {
            op,
            stop: Stop::default(),
        }))
    }

    /// [`fold`](Self::fold) starting each piece at a clone of `init`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let count: usize = ["a", "b", "c"].par_iter().fold_with(0, |n, _| n + 1).sum();
    /// assert_eq!(count, 3);
    /// ```
    fn fold_with<F, T>(self, init: T, fold_op: F) -> FoldWith<Self, T, F>
    where
        F: Fn(T, Self::Item) -> T + Sync + Send,
        T: Send + Clone,
    {
        FoldWith::new(self, init, fold_op)
    }

    /// A fallible [`fold`](Self::fold): each piece stops at its first
    /// failure, which becomes the piece's item.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let total = (1..=10_u32).into_par_iter().try_fold(|| 0_u32, |a, n| a.checked_add(n)).try_reduce(|| 0, |a, b| a.checked_add(b));
    /// assert_eq!(total, Some(55));
    /// ```
    fn try_fold<T, R, ID, F>(self, identity: ID, fold_op: F) -> TryFold<Self, R, ID, F>
    where
        F: Fn(T, Self::Item) -> R + Sync + Send,
        ID: Fn() -> T + Sync + Send,
        R: Try<Output = T> + Send,
    {
        TryFold::new(self, identity, fold_op)
    }

    /// [`try_fold`](Self::try_fold) starting each piece at a clone of
    /// `init`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let r = (1..=3_u32).into_par_iter().try_fold_with(0_u32, |a, n| Ok::<_, ()>(a + n)).try_reduce(|| 0, |a, b| Ok(a + b));
    /// assert_eq!(r, Ok(6));
    /// ```
    fn try_fold_with<F, T, R>(self, init: T, fold_op: F) -> TryFoldWith<Self, R, F>
    where
        F: Fn(T, Self::Item) -> R + Sync + Send,
        R: Try<Output = T> + Send,
        T: Clone + Send,
    {
        TryFoldWith::new(self, init, fold_op)
    }

    /// Yields the values of `Some` items until a `None` is met anywhere;
    /// items in other pieces around it may or may not be yielded.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = [Some(1), Some(2), None, Some(4)].into_par_iter().while_some().collect();
    /// assert!(v.starts_with(&[1, 2][..v.len().min(2)]) && !v.contains(&3));
    /// ```
    fn while_some<T>(self) -> WhileSome<Self>
    where
        Self: ParallelIterator<Item = Option<T>>,
        T: Send,
    {
        WhileSome::new(self)
    }

    /// rayon's deprecated `find`: [`find_any`](Self::find_any).
    ///
    /// # Examples
    ///
    /// ```
    /// #![allow(deprecated)]
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!((0..100_u32).into_par_iter().find(|n| *n == 5).is_some());
    /// ```
    #[deprecated(note = "parallel `find` does not search in order -- use `find_any`, \
                         `find_first`, or `find_last`")]
    fn find<P>(self, predicate: P) -> Option<Self::Item>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        self.find_any(predicate)
    }

    /// The first item, in order, for which `predicate` holds. Pieces to
    /// the right of a match stop early; those to its left still run.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..1_000_u32).into_par_iter().find_first(|n| n % 7 == 6), Some(6));
    /// ```
    fn find_first<P>(self, predicate: P) -> Option<Self::Item>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        self.with_pieces(Bridge(&FindFirst::new(predicate)))
    }

    /// The last item, in order, for which `predicate` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..1_000_u32).into_par_iter().find_last(|n| n % 7 == 6), Some(993));
    /// ```
    fn find_last<P>(self, predicate: P) -> Option<Self::Item>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        self.with_pieces(Bridge(&FindLast::new(predicate)))
    }

    /// Some `Some` value of `predicate`, not necessarily the first.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let n = ["x", "7", "y"].par_iter().find_map_any(|s| s.parse::<u8>().ok());
    /// assert_eq!(n, Some(7));
    /// ```
    fn find_map_any<P, R>(self, predicate: P) -> Option<R>
    where
        P: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        self.filter_map(predicate).find_any(|_| true)
    }

    /// The first `Some` value of `predicate`, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let n = ["x", "7", "8"].par_iter().find_map_first(|s| s.parse::<u8>().ok());
    /// assert_eq!(n, Some(7));
    /// ```
    fn find_map_first<P, R>(self, predicate: P) -> Option<R>
    where
        P: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        self.filter_map(predicate).find_first(|_| true)
    }

    /// The last `Some` value of `predicate`, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let n = ["x", "7", "8"].par_iter().find_map_last(|s| s.parse::<u8>().ok());
    /// assert_eq!(n, Some(8));
    /// ```
    fn find_map_last<P, R>(self, predicate: P) -> Option<R>
    where
        P: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        self.filter_map(predicate).find_last(|_| true)
    }

    /// The smallest item by `f`; the first of equal ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let shortest = ["ccc", "a", "b"].par_iter().min_by(|x, y| x.len().cmp(&y.len()));
    /// assert_eq!(shortest, Some(&"a"));
    /// ```
    fn min_by<F>(self, f: F) -> Option<Self::Item>
    where
        F: Sync + Send + Fn(&Self::Item, &Self::Item) -> Ordering,
    {
        self.reduce_with(|a, b| if f(&b, &a) == Ordering::Less { b } else { a })
    }

    /// The largest item by `f`; the last of equal ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let longest = ["a", "bb", "cc"].par_iter().max_by(|x, y| x.len().cmp(&y.len()));
    /// assert_eq!(longest, Some(&"cc"));
    /// ```
    fn max_by<F>(self, f: F) -> Option<Self::Item>
    where
        F: Sync + Send + Fn(&Self::Item, &Self::Item) -> Ordering,
    {
        self.reduce_with(|a, b| if f(&a, &b) == Ordering::Greater { a } else { b })
    }

    /// At most `n` items, taken from anywhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..100_u32).into_par_iter().take_any(5).count(), 5);
    /// ```
    fn take_any(self, n: usize) -> TakeAny<Self> {
        TakeAny::new(self, n)
    }

    /// All but `n` items, skipped from anywhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..100_u32).into_par_iter().skip_any(5).count(), 95);
    /// ```
    fn skip_any(self, n: usize) -> SkipAny<Self> {
        SkipAny::new(self, n)
    }

    /// Items from anywhere while `predicate` holds; once it fails for an
    /// item, no more are taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (0..100_u32).into_par_iter().take_any_while(|n| *n < 50).collect();
    /// assert!(v.iter().all(|n| *n < 50));
    /// ```
    fn take_any_while<P>(self, predicate: P) -> TakeAnyWhile<Self, P>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        TakeAnyWhile::new(self, predicate)
    }

    /// Skips items from anywhere while `predicate` holds; once it fails
    /// for an item, that one and all others are kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (0..100_u32).into_par_iter().skip_any_while(|n| *n < 50).collect();
    /// assert!(v.iter().filter(|n| **n >= 50).count() == 50);
    /// ```
    fn skip_any_while<P>(self, predicate: P) -> SkipAnyWhile<Self, P>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        SkipAnyWhile::new(self, predicate)
    }

    /// The items of `self`, then those of `chain`. Indexed when both are.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u8> = vec![1, 2].into_par_iter().chain(vec![3]).collect();
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    fn chain<C>(self, chain: C) -> Chain<Self, C::Iter>
    where
        C: IntoParallelIterator<Item = Self::Item>,
    {
        Chain::new(self, chain.into_par_iter())
    }

    /// The items of the parallel iterators `map_op` makes of each item, in
    /// order. Each inner iterator runs inside the piece of the outer
    /// iterator that holds its item.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let pairs: Vec<(u8, u8)> = (0..2_u8).into_par_iter().flat_map(|a| (0..2_u8).into_par_iter().map(move |b| (a, b))).collect();
    /// assert_eq!(pairs, [(0, 0), (0, 1), (1, 0), (1, 1)]);
    /// ```
    fn flat_map<F, PI>(self, map_op: F) -> FlatMap<Self, F>
    where
        F: Fn(Self::Item) -> PI + Sync + Send,
        PI: IntoParallelIterator,
    {
        FlatMap::new(self, map_op)
    }

    /// The items of the sequential iterators `map_op` makes of each item,
    /// in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let chars: String = ["ab", "c"].par_iter().flat_map_iter(|s| s.chars()).collect();
    /// assert_eq!(chars, "abc");
    /// ```
    fn flat_map_iter<F, SI>(self, map_op: F) -> FlatMapIter<Self, F>
    where
        F: Fn(Self::Item) -> SI + Sync + Send,
        SI: IntoIterator<Item: Send>,
    {
        FlatMapIter::new(self, map_op)
    }

    /// The items of the items, which are parallel iterators, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u8> = vec![vec![1], vec![2, 3]].into_par_iter().flatten().collect();
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    fn flatten(self) -> Flatten<Self>
    where
        Self::Item: IntoParallelIterator,
    {
        Flatten::new(self)
    }

    /// The items of the items, which are sequential iterators, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u8> = vec![Some(1), None, Some(3)].into_par_iter().flatten_iter().collect();
    /// assert_eq!(v, [1, 3]);
    /// ```
    fn flatten_iter(self) -> FlattenIter<Self>
    where
        Self::Item: IntoIterator<Item: Send>,
    {
        FlattenIter::new(self)
    }

    /// Splits the pairs into two collections, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let (a, b): (Vec<u32>, Vec<char>) = [(1, 'a'), (2, 'b')].into_par_iter().unzip();
    /// assert_eq!((a, b), (vec![1, 2], vec!['a', 'b']));
    /// ```
    fn unzip<A, B, FromA, FromB>(self) -> (FromA, FromB)
    where
        Self: ParallelIterator<Item = (A, B)>,
        FromA: Default + Send + ParallelExtend<A>,
        FromB: Default + Send + ParallelExtend<B>,
        A: Send,
        B: Send,
    {
        extend::unzip(self)
    }

    /// Splits the items into those `predicate` accepts and the others, in
    /// order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let (even, odd): (Vec<u32>, Vec<u32>) = (0..6_u32).into_par_iter().partition(|n| n % 2 == 0);
    /// assert_eq!((even, odd), (vec![0, 2, 4], vec![1, 3, 5]));
    /// ```
    fn partition<A, B, P>(self, predicate: P) -> (A, B)
    where
        A: Default + Send + ParallelExtend<Self::Item>,
        B: Default + Send + ParallelExtend<Self::Item>,
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        self.partition_map(|item| {
            if predicate(&item) {
                Either::Left(item)
            } else {
                Either::Right(item)
            }
        })
    }

    /// Splits the items by what `predicate` maps them to: `Left` values
    /// into the first collection, `Right` ones into the second, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::Either;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let (numbers, words): (Vec<u32>, Vec<&str>) = ["1", "a", "2"]
    ///     .into_par_iter()
    ///     .partition_map(|s| s.parse::<u32>().map_or(Either::Right(s), Either::Left));
    /// assert_eq!((numbers, words), (vec![1, 2], vec!["a"]));
    /// ```
    fn partition_map<A, B, P, L, R>(self, predicate: P) -> (A, B)
    where
        A: Default + Send + ParallelExtend<L>,
        B: Default + Send + ParallelExtend<R>,
        P: Fn(Self::Item) -> Either<L, R> + Sync + Send,
        L: Send,
        R: Send,
    {
        extend::partition_map(self.map(predicate))
    }

    /// The items, in order, as the list of the `Vec`s the pieces of the
    /// split collected (rayon's cheapest ordered collect).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let list = (0..100_u32).into_par_iter().collect_vec_list();
    /// assert!(list.into_iter().flatten().eq(0..100));
    /// ```
    fn collect_vec_list(self) -> LinkedList<Vec<Self::Item>> {
        consumers::collect_pieces(self)
    }

    /// Calls `inspect_op` on a reference to each item as it passes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let total = AtomicU32::new(0);
    /// let n = (1..=4_u32).into_par_iter().inspect(|x| { total.fetch_add(*x, Ordering::Relaxed); }).count();
    /// assert_eq!((n, total.into_inner()), (4, 10));
    /// ```
    fn inspect<OP>(self, inspect_op: OP) -> Inspect<Self, OP>
    where
        OP: Fn(&Self::Item) + Sync + Send,
    {
        Inspect::new(self, inspect_op)
    }

    /// Changes each item in place with `update_op`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (0..3_u32).into_par_iter().update(|x| *x *= 10).collect();
    /// assert_eq!(v, [0, 10, 20]);
    /// ```
    fn update<F>(self, update_op: F) -> Update<Self, F>
    where
        F: Fn(&mut Self::Item) + Sync + Send,
    {
        Update::new(self, update_op)
    }

    /// Once any piece panics, the other pieces stop early (the panic is
    /// resumed in the caller as always).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..100_u32).into_par_iter().panic_fuse().sum::<u32>(), 4950);
    /// ```
    fn panic_fuse(self) -> PanicFuse<Self> {
        PanicFuse::new(self)
    }

    /// A clone of `element` between every two items.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<i32> = [1, 2, 3].into_par_iter().intersperse(0).collect();
    /// assert_eq!(v, [1, 0, 2, 0, 3]);
    /// ```
    fn intersperse(self, element: Self::Item) -> Intersperse<Self>
    where
        Self::Item: Clone,
    {
        Intersperse::new(self, element)
    }

    /// Collects the items, in order, into a collection such as `Vec`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let squares: Vec<u32> = (0..5_u32).into_par_iter().map(|n| n * n).collect();
    /// assert_eq!(squares, [0, 1, 4, 9, 16]);
    /// ```
    fn collect<C>(self) -> C
    where
        C: FromParallelIterator<Self::Item>,
    {
        C::from_par_iter(self)
    }
}

/// A parallel iterator that knows its exact length and the position of
/// every item: rayon's `IndexedParallelIterator`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let a = [1, 2, 3];
/// let b = [10, 20, 30];
/// let dot: i32 = a.par_iter().zip(&b).map(|(x, y)| x * y).sum();
/// assert_eq!(dot, 140);
/// assert_eq!(a.par_iter().len(), 3);
/// ```
#[allow(clippy::len_without_is_empty)] // rayon's trait has no `is_empty`
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an indexed parallel iterator",
    label = "the number of items is not known in advance",
    note = "as in rayon, `filter`, `flat_map`, `par_bridge`, string splits, ... lose the exact length; `collect()` into a `Vec` first, or use the unordered methods (`find_any`, `take_any`, ...)"
)]
pub trait IndexedParallelIterator: ParallelIterator {
    /// The exact number of items.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..7_u8).into_par_iter().map(|n| n + 1).len(), 7);
    /// ```
    fn len(&self) -> usize;

    /// Drives an indexed consumer written against rayon's plumbing with the
    /// items (see [`plumbing`]).
    ///
    /// # Examples
    ///
    /// See [`plumbing::UnindexedConsumer`].
    fn drive<C>(self, consumer: C) -> C::Result
    where
        C: plumbing::Consumer<Self::Item>,
    {
        let len = self.len();
        self.with_pieces(plumbing::DriveIndexed { consumer, len })
    }

    /// Hands a rayon-style [`Producer`](plumbing::Producer) of the items to
    /// `callback` (see [`plumbing`]).
    ///
    /// # Examples
    ///
    /// See [`plumbing::ProducerCallback`].
    fn with_producer<CB>(self, callback: CB) -> CB::Output
    where
        CB: plumbing::ProducerCallback<Self::Item>,
    {
        let len = self.len();
        self.with_pieces(plumbing::AsProducer { callback, len })
    }

    /// Pairs every item with its position.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let pairs: Vec<(usize, char)> = ['a', 'b'].par_iter().copied().enumerate().collect();
    /// assert_eq!(pairs, [(0, 'a'), (1, 'b')]);
    /// ```
    fn enumerate(self) -> Enumerate<Self> {
        Enumerate::new(self)
    }

    /// Pairs items of two indexed iterators, up to the shorter one's end.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let names = vec!["a", "b", "c"];
    /// let ages = vec![1, 2];
    /// let pairs: Vec<(&&str, &i32)> = names.par_iter().zip(&ages).collect();
    /// assert_eq!(pairs, [(&"a", &1), (&"b", &2)]);
    /// ```
    fn zip<Z>(self, zip_op: Z) -> Zip<Self, Z::Iter>
    where
        Z: IntoParallelIterator,
        Z::Iter: IndexedParallelIterator,
    {
        Zip::new(self, zip_op.into_par_iter())
    }

    /// [`zip`](Self::zip), for iterators of the same length.
    ///
    /// # Panics
    ///
    /// If the lengths differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<(u8, char)> = [1, 2].into_par_iter().zip_eq(['a', 'b']).collect();
    /// assert_eq!(v, [(1, 'a'), (2, 'b')]);
    /// ```
    fn zip_eq<Z>(self, zip_op: Z) -> ZipEq<Self, Z::Iter>
    where
        Z: IntoParallelIterator,
        Z::Iter: IndexedParallelIterator,
    {
        let other = zip_op.into_par_iter();
        assert_eq!(
            self.len(),
            other.len(),
            "iterators must have the same length"
        );
        Zip::new(self, other)
    }

    /// The items of `self` and `other` alternately, then the rest of the
    /// longer.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u8> = [1, 3].into_par_iter().interleave([2, 4, 5]).collect();
    /// assert_eq!(v, [1, 2, 3, 4, 5]);
    /// ```
    fn interleave<I>(self, other: I) -> Interleave<Self, I::Iter>
    where
        I: IntoParallelIterator<Item = Self::Item>,
        I::Iter: IndexedParallelIterator<Item = Self::Item>,
    {
        Interleave::new(self, other.into_par_iter())
    }

    /// The items of `self` and `other` alternately, until the one whose
    /// turn it is runs out.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u8> = [1, 3, 5].into_par_iter().interleave_shortest([2]).collect();
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    fn interleave_shortest<I>(self, other: I) -> InterleaveShortest<Self, I::Iter>
    where
        I: IntoParallelIterator<Item = Self::Item>,
        I::Iter: IndexedParallelIterator<Item = Self::Item>,
    {
        InterleaveShortest::new(self, other.into_par_iter())
    }

    /// Groups of `chunk_size` items, as `Vec`s; the last may be shorter.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<Vec<u8>> = [1, 2, 3].into_par_iter().chunks(2).collect();
    /// assert_eq!(v, [vec![1, 2], vec![3]]);
    /// ```
    fn chunks(self, chunk_size: usize) -> indexed::Chunks<Self> {
        indexed::Chunks::new(self, chunk_size)
    }

    /// Each group of `chunk_size` items folded into one value starting at
    /// `identity()`.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (1..=4_u32).into_par_iter().fold_chunks(3, || 0, |a, n| a + n).collect();
    /// assert_eq!(v, [6, 4]);
    /// ```
    fn fold_chunks<T, ID, F>(
        self,
        chunk_size: usize,
        identity: ID,
        fold_op: F,
    ) -> FoldChunks<Self, ID, F>
    where
        ID: Fn() -> T + Send + Sync,
        F: Fn(T, Self::Item) -> T + Send + Sync,
        T: Send,
    {
        FoldChunks::new(self, chunk_size, identity, fold_op)
    }

    /// Each group of `chunk_size` items folded into one value starting as
    /// a clone of `init`.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (1..=4_u32).into_par_iter().fold_chunks_with(2, 0, |a, n| a + n).collect();
    /// assert_eq!(v, [3, 7]);
    /// ```
    fn fold_chunks_with<T, F>(
        self,
        chunk_size: usize,
        init: T,
        fold_op: F,
    ) -> FoldChunksWith<Self, T, F>
    where
        T: Send + Clone,
        F: Fn(T, Self::Item) -> T + Send + Sync,
    {
        FoldChunksWith::new(self, chunk_size, init, fold_op)
    }

    /// Compares the items with those of `other`, lexicographically, as
    /// `Iterator::cmp`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([1, 2, 3].par_iter().cmp(&[1, 2, 4]), Ordering::Less);
    /// assert_eq!([1, 2].par_iter().cmp(&[1]), Ordering::Greater);
    /// ```
    fn cmp<I>(self, other: I) -> Ordering
    where
        I: IntoParallelIterator<Item = Self::Item>,
        I::Iter: IndexedParallelIterator,
        Self::Item: Ord,
    {
        let other = other.into_par_iter();
        let by_len = self.len().cmp(&other.len());
        self.zip(other)
            .map(|(a, b)| Ord::cmp(&a, &b))
            .find_first(|ordering| *ordering != Ordering::Equal)
            .unwrap_or(by_len)
    }

    /// Compares the items with those of `other`, lexicographically, as
    /// `Iterator::partial_cmp`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([1.0, 2.0].par_iter().partial_cmp(&[1.0, 3.0]), Some(Ordering::Less));
    /// assert_eq!([f64::NAN].par_iter().partial_cmp(&[1.0]), None);
    /// ```
    fn partial_cmp<I>(self, other: I) -> Option<Ordering>
    where
        I: IntoParallelIterator,
        I::Iter: IndexedParallelIterator,
        Self::Item: PartialOrd<I::Item>,
    {
        let other = other.into_par_iter();
        let by_len = self.len().cmp(&other.len());
        self.zip(other)
            .map(|(a, b)| PartialOrd::partial_cmp(&a, &b))
            .find_first(|ordering| *ordering != Some(Ordering::Equal))
            .unwrap_or(Some(by_len))
    }

    /// Whether the items equal those of `other`, as `Iterator::eq`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!((0..3_u32).into_par_iter().eq(vec![0, 1, 2]));
    /// assert!(!(0..3_u32).into_par_iter().eq(vec![0, 1]));
    /// ```
    fn eq<I>(self, other: I) -> bool
    where
        I: IntoParallelIterator,
        I::Iter: IndexedParallelIterator,
        Self::Item: PartialEq<I::Item>,
    {
        let other = other.into_par_iter();
        self.len() == other.len() && self.zip(other).all(|(a, b)| a == b)
    }

    /// Whether the items differ from those of `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!([1, 2].par_iter().ne(&[2, 1]));
    /// ```
    fn ne<I>(self, other: I) -> bool
    where
        I: IntoParallelIterator,
        I::Iter: IndexedParallelIterator,
        Self::Item: PartialEq<I::Item>,
    {
        !self.eq(other)
    }

    /// Whether the items are lexicographically less than those of `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!([1, 2].par_iter().lt(&[1, 3]));
    /// ```
    fn lt<I>(self, other: I) -> bool
    where
        I: IntoParallelIterator,
        I::Iter: IndexedParallelIterator,
        Self::Item: PartialOrd<I::Item>,
    {
        self.partial_cmp(other) == Some(Ordering::Less)
    }

    /// Whether the items are lexicographically less than or equal to those
    /// of `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!([1, 2].par_iter().le(&[1, 2]));
    /// ```
    fn le<I>(self, other: I) -> bool
    where
        I: IntoParallelIterator,
        I::Iter: IndexedParallelIterator,
        Self::Item: PartialOrd<I::Item>,
    {
        matches!(
            self.partial_cmp(other),
            Some(Ordering::Less | Ordering::Equal)
        )
    }

    /// Whether the items are lexicographically greater than those of
    /// `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!([2].par_iter().gt(&[1, 9]));
    /// ```
    fn gt<I>(self, other: I) -> bool
    where
        I: IntoParallelIterator,
        I::Iter: IndexedParallelIterator,
        Self::Item: PartialOrd<I::Item>,
    {
        self.partial_cmp(other) == Some(Ordering::Greater)
    }

    /// Whether the items are lexicographically greater than or equal to
    /// those of `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert!([2].par_iter().ge(&[2]));
    /// ```
    fn ge<I>(self, other: I) -> bool
    where
        I: IntoParallelIterator,
        I::Iter: IndexedParallelIterator,
        Self::Item: PartialOrd<I::Item>,
    {
        matches!(
            self.partial_cmp(other),
            Some(Ordering::Greater | Ordering::Equal)
        )
    }

    /// Collects the items, in order, into `target`, replacing its
    /// contents (and keeping its allocation when it is large enough).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = vec![9, 9];
    /// (0..3_u32).into_par_iter().collect_into_vec(&mut v);
    /// assert_eq!(v, [0, 1, 2]);
    /// ```
    fn collect_into_vec(self, target: &mut Vec<Self::Item>) {
        target.clear();
        let len = self.len();
        consumers::collect_indexed_into(self, len, target);
    }

    /// Unzips the pairs, in order, into `left` and `right`, replacing
    /// their contents.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let (mut a, mut b) = (Vec::new(), Vec::new());
    /// (0..3_u32).into_par_iter().map(|n| (n, n * 10)).unzip_into_vecs(&mut a, &mut b);
    /// assert_eq!((a, b), (vec![0, 1, 2], vec![0, 10, 20]));
    /// ```
    fn unzip_into_vecs<A, B>(self, left: &mut Vec<A>, right: &mut Vec<B>)
    where
        Self: IndexedParallelIterator<Item = (A, B)>,
        A: Send,
        B: Send,
    {
        let len = self.len();
        consumers::unzip_indexed_into(self, len, left, right);
    }

    /// Every `step`-th item, from the first.
    ///
    /// # Panics
    ///
    /// If `step` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = (0..7_u32).into_par_iter().step_by(2).collect();
    /// assert_eq!(v, [0, 2, 4, 6]);
    /// ```
    fn step_by(self, step: usize) -> StepBy<Self> {
        indexed::step_by(self, step)
    }

    /// All but the first `n` items.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..10_u32).into_par_iter().skip(7).collect::<Vec<_>>(), [7, 8, 9]);
    /// ```
    fn skip(self, n: usize) -> Skip<Self> {
        indexed::skip(self, n)
    }

    /// The first `n` items.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..10_u32).into_par_iter().take(3).collect::<Vec<_>>(), [0, 1, 2]);
    /// ```
    fn take(self, n: usize) -> Take<Self> {
        indexed::take(self, n)
    }

    /// The position of some item for which `predicate` holds, not
    /// necessarily the first.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let at = [1, 2, 3, 2].par_iter().position_any(|x| *x == 2);
    /// assert!(at == Some(1) || at == Some(3));
    /// ```
    fn position_any<P>(self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.map(predicate)
            .enumerate()
            .find_any(|(_, found)| *found)
            .map(|(i, _)| i)
    }

    /// rayon's deprecated `position`: [`position_any`](Self::position_any).
    ///
    /// # Examples
    ///
    /// ```
    /// #![allow(deprecated)]
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([1, 2, 3].par_iter().position(|x| *x == 2), Some(1));
    /// ```
    #[deprecated(
        note = "parallel `position` does not search in order -- use `position_any`, \
                         `position_first`, or `position_last`"
    )]
    fn position<P>(self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.position_any(predicate)
    }

    /// The position of the first item for which `predicate` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([1, 2, 3, 2].par_iter().position_first(|x| *x == 2), Some(1));
    /// ```
    fn position_first<P>(self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.map(predicate)
            .enumerate()
            .find_first(|(_, found)| *found)
            .map(|(i, _)| i)
    }

    /// The position of the last item for which `predicate` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([1, 2, 3, 2].par_iter().position_last(|x| *x == 2), Some(3));
    /// ```
    fn position_last<P>(self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.map(predicate)
            .enumerate()
            .find_last(|(_, found)| *found)
            .map(|(i, _)| i)
    }

    /// The positions, in order, of the items for which `predicate` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let at: Vec<usize> = [1, 2, 3, 2].par_iter().positions(|x| *x == 2).collect();
    /// assert_eq!(at, [1, 3]);
    /// ```
    fn positions<P>(self, predicate: P) -> Positions<Self, P>
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        Positions::new(self, predicate)
    }

    /// The items in reverse order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<char> = ['a', 'b', 'c'].into_par_iter().rev().collect();
    /// assert_eq!(v, ['c', 'b', 'a']);
    /// ```
    fn rev(self) -> Rev<Self> {
        indexed::rev(self)
    }

    /// Pieces are not split below `min` items (fewer, larger jobs).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let pieces = (0..1000_u32).into_par_iter().with_min_len(500).fold(|| (), |(), _| ()).count();
    /// assert!(pieces <= 2);
    /// ```
    fn with_min_len(self, min: usize) -> MinLen<Self> {
        indexed::with_min_len(self, min)
    }

    /// Pieces are split down to at most `max` items (more, smaller jobs).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let pieces = (0..1000_u32).into_par_iter().with_max_len(10).fold(|| (), |(), _| ()).count();
    /// assert!(pieces >= 100);
    /// ```
    fn with_max_len(self, max: usize) -> MaxLen<Self> {
        indexed::with_max_len(self, max)
    }

    /// Runs the items as a sequence of parallel blocks, the first as long
    /// as the number of threads, each after it twice as long as the one
    /// before; a consumer that stops early starts no later block.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..100_u32).into_par_iter().by_exponential_blocks().find_first(|n| *n > 41), Some(42));
    /// ```
    fn by_exponential_blocks(self) -> ExponentialBlocks<Self> {
        indexed::Blocks::exponential(self)
    }

    /// Runs the items as a sequence of parallel blocks of `block_size`.
    ///
    /// # Panics
    ///
    /// If `block_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..100_u32).into_par_iter().by_uniform_blocks(8).sum::<u32>(), 4950);
    /// ```
    fn by_uniform_blocks(self, block_size: usize) -> UniformBlocks<Self> {
        indexed::Blocks::uniform(self, block_size)
    }
}

/// Something that can become a parallel iterator: rayon's
/// `IntoParallelIterator`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v = vec![String::from("x"), String::from("yy")];
/// let lengths: Vec<usize> = v.into_par_iter().map(|s| s.len()).collect();
/// assert_eq!(lengths, [1, 2]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be made into a parallel iterator",
    label = "not a parallel iterator source",
    note = "sources are `Vec`s, slices, arrays, ranges, the std collections, `Option`, `Result` and tuples of indexed sources; for any other `Iterator` use `.par_bridge()`"
)]
pub trait IntoParallelIterator {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items.
    type Item: Send;

    /// Converts `self` into a parallel iterator.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..=4_i32).into_par_iter().sum::<i32>(), 10);
    /// ```
    fn into_par_iter(self) -> Self::Iter;
}

impl<T: ParallelIterator> IntoParallelIterator for T {
    type Iter = T;
    type Item = T::Item;

    fn into_par_iter(self) -> T {
        self
    }
}

/// `par_iter()`: a parallel iterator over references, for anything whose
/// reference is [`IntoParallelIterator`] (`Vec`, slices, arrays).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v = vec![1, 2, 3];
/// assert_eq!(v.par_iter().sum::<i32>(), 6);
/// ```
pub trait IntoParallelRefIterator<'data> {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items: references into `self`.
    type Item: Send + 'data;

    /// A parallel iterator over references to the elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v = [1, 2, 3];
    /// assert_eq!(v.par_iter().max(), Some(&3));
    /// ```
    fn par_iter(&'data self) -> Self::Iter;
}

impl<'data, I: 'data + ?Sized> IntoParallelRefIterator<'data> for I
where
    &'data I: IntoParallelIterator,
{
    type Iter = <&'data I as IntoParallelIterator>::Iter;
    type Item = <&'data I as IntoParallelIterator>::Item;

    fn par_iter(&'data self) -> Self::Iter {
        self.into_par_iter()
    }
}

/// `par_iter_mut()`: a parallel iterator over mutable references.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut v = vec![1, 2, 3];
/// v.par_iter_mut().for_each(|x| *x *= 10);
/// assert_eq!(v, [10, 20, 30]);
/// ```
pub trait IntoParallelRefMutIterator<'data> {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items: mutable references into `self`.
    type Item: Send + 'data;

    /// A parallel iterator over mutable references to the elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// v.par_iter_mut().for_each(|x| *x += 1);
    /// assert_eq!(v, [2, 3, 4]);
    /// ```
    fn par_iter_mut(&'data mut self) -> Self::Iter;
}

impl<'data, I: 'data + ?Sized> IntoParallelRefMutIterator<'data> for I
where
    &'data mut I: IntoParallelIterator,
{
    type Iter = <&'data mut I as IntoParallelIterator>::Iter;
    type Item = <&'data mut I as IntoParallelIterator>::Item;

    fn par_iter_mut(&'data mut self) -> Self::Iter {
        self.into_par_iter()
    }
}

/// A collection that can be built from a parallel iterator, by
/// [`collect`](ParallelIterator::collect).
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use threadpool_rayon_compat::prelude::*;
///
/// let lengths: HashMap<&str, usize> = ["a", "bb"].par_iter().map(|w| (*w, w.len())).collect();
/// assert_eq!(lengths["bb"], 2);
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be collected from a parallel iterator over `{T}`",
    label = "collected here"
)]
pub trait FromParallelIterator<T: Send> {
    /// Builds `Self` from the items of `par_iter`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v = Vec::from_par_iter((0..3_u8).into_par_iter());
    /// assert_eq!(v, [0, 1, 2]);
    /// ```
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = T>;
}

/// `par_chunks()` on slices (and, through deref, `Vec`s and arrays).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u32> = (1..=10).collect();
/// let sums: Vec<u32> = v.par_chunks(4).map(|c| c.iter().sum()).collect();
/// assert_eq!(sums, [10, 26, 19]);
/// ```
pub trait ParallelSlice<T: Sync> {
    /// The slice.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([1, 2].as_parallel_slice(), &[1, 2]);
    /// ```
    fn as_parallel_slice(&self) -> &[T];

    /// A parallel iterator over chunks of `chunk_size` elements; the last
    /// may be shorter.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let chunks: Vec<&[u8]> = [1, 2, 3].par_chunks(2).collect();
    /// assert_eq!(chunks, [&[1, 2][..], &[3][..]]);
    /// ```
    fn par_chunks(&self, chunk_size: usize) -> source::Chunks<'_, T> {
        source::Chunks::new(self.as_parallel_slice(), chunk_size)
    }

    /// Overlapping windows of `window_size` elements.
    ///
    /// # Panics
    ///
    /// If `window_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let rising = [1, 3, 2, 5].par_windows(2).filter(|w| w[0] < w[1]).count();
    /// assert_eq!(rising, 2);
    /// ```
    fn par_windows(&self, window_size: usize) -> slices::Windows<'_, T> {
        slices::windows(self.as_parallel_slice(), window_size)
    }

    /// Overlapping windows of `N` elements, as arrays.
    ///
    /// # Panics
    ///
    /// If `N` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let sums: Vec<i32> = [1, 2, 3, 4].par_array_windows().map(|[a, b]| a + b).collect();
    /// assert_eq!(sums, [3, 5, 7]);
    /// ```
    fn par_array_windows<const N: usize>(&self) -> slices::ArrayWindows<'_, T, N> {
        slices::windows(self.as_parallel_slice(), N).map(slices::as_array::<T, N>)
    }

    /// Chunks of exactly `chunk_size` elements; the remainder is left out
    /// (and available from the iterator's `remainder()`).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let sums: Vec<i32> = [1, 2, 3, 4, 5].par_chunks_exact(2).map(|c| c.iter().sum()).collect();
    /// assert_eq!(sums, [3, 7]);
    /// ```
    fn par_chunks_exact(&self, chunk_size: usize) -> slices::ChunksExact<'_, T> {
        slices::chunks_exact(self.as_parallel_slice(), chunk_size)
    }

    /// Chunks of `chunk_size` elements from the end; the last may be
    /// shorter.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&[i32]> = [1, 2, 3, 4, 5].par_rchunks(2).collect();
    /// assert_eq!(v, [&[4, 5][..], &[2, 3][..], &[1][..]]);
    /// ```
    fn par_rchunks(&self, chunk_size: usize) -> slices::RChunks<'_, T> {
        slices::rchunks(self.as_parallel_slice(), chunk_size)
    }

    /// Chunks of exactly `chunk_size` elements from the end; the remainder
    /// (at the start) is left out.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&[i32]> = [1, 2, 3, 4, 5].par_rchunks_exact(2).collect();
    /// assert_eq!(v, [&[4, 5][..], &[2, 3][..]]);
    /// ```
    fn par_rchunks_exact(&self, chunk_size: usize) -> slices::RChunksExact<'_, T> {
        slices::rchunks_exact(self.as_parallel_slice(), chunk_size)
    }

    /// The pieces between elements for which `separator` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let lens: Vec<usize> = [1, 2, 0, 3].par_split(|x| *x == 0).map(|p| p.len()).collect();
    /// assert_eq!(lens, [2, 1]);
    /// ```
    fn par_split<P>(&self, separator: P) -> slices::Split<'_, T, P>
    where
        P: Fn(&T) -> bool + Sync + Send,
    {
        slices::Split::new(self.as_parallel_slice(), separator)
    }

    /// The pieces, each ending with an element for which `separator`
    /// holds (the last may not).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let lens: Vec<usize> = [1, 2, 0, 3].par_split_inclusive(|x| *x == 0).map(|p| p.len()).collect();
    /// assert_eq!(lens, [3, 1]);
    /// ```
    fn par_split_inclusive<P>(&self, separator: P) -> slices::SplitInclusive<'_, T, P>
    where
        P: Fn(&T) -> bool + Sync + Send,
    {
        slices::SplitInclusive::new(self.as_parallel_slice(), separator)
    }

    /// The runs: maximal pieces in which `pred` holds for every pair of
    /// neighbours.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let runs = [1, 2, 3, 1, 2].par_chunk_by(|a, b| a < b).count();
    /// assert_eq!(runs, 2);
    /// ```
    fn par_chunk_by<F>(&self, pred: F) -> slices::ChunkBy<'_, T, F>
    where
        F: Fn(&T, &T) -> bool + Send + Sync,
    {
        slices::ChunkBy::new(self.as_parallel_slice(), pred)
    }
}

impl<T: Sync> ParallelSlice<T> for [T] {
    fn as_parallel_slice(&self) -> &[T] {
        self
    }
}

/// `par_chunks_mut()` on mutable slices.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut v = vec![0_u32; 5];
/// v.par_chunks_mut(2).enumerate().for_each(|(i, c)| c.fill(i as u32));
/// assert_eq!(v, [0, 0, 1, 1, 2]);
/// ```
pub trait ParallelSliceMut<T: Send> {
    /// The slice.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2];
    /// v.as_parallel_slice_mut()[0] = 5;
    /// assert_eq!(v, [5, 2]);
    /// ```
    fn as_parallel_slice_mut(&mut self) -> &mut [T];

    /// A parallel iterator over mutable chunks of `chunk_size` elements;
    /// the last may be shorter.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// v.par_chunks_mut(2).for_each(|c| c.reverse());
    /// assert_eq!(v, [2, 1, 3]);
    /// ```
    fn par_chunks_mut(&mut self, chunk_size: usize) -> ChunksMut<'_, T> {
        ChunksMut::new(self.as_parallel_slice_mut(), chunk_size)
    }

    /// Mutable chunks of exactly `chunk_size` elements; the remainder is
    /// left out.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// v.par_chunks_exact_mut(2).for_each(|c| c.fill(0));
    /// assert_eq!(v, [0, 0, 3]);
    /// ```
    fn par_chunks_exact_mut(&mut self, chunk_size: usize) -> slices::ChunksExactMut<'_, T> {
        slices::chunks_exact_mut(self.as_parallel_slice_mut(), chunk_size)
    }

    /// Mutable chunks of `chunk_size` elements from the end.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// v.par_rchunks_mut(2).for_each(|c| c.fill(c.len() as i32));
    /// assert_eq!(v, [1, 2, 2]);
    /// ```
    fn par_rchunks_mut(&mut self, chunk_size: usize) -> slices::RChunksMut<'_, T> {
        slices::rchunks_mut(self.as_parallel_slice_mut(), chunk_size)
    }

    /// Mutable chunks of exactly `chunk_size` elements from the end.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// v.par_rchunks_exact_mut(2).for_each(|c| c.fill(0));
    /// assert_eq!(v, [1, 0, 0]);
    /// ```
    fn par_rchunks_exact_mut(&mut self, chunk_size: usize) -> slices::RChunksExactMut<'_, T> {
        slices::rchunks_exact_mut(self.as_parallel_slice_mut(), chunk_size)
    }

    /// The mutable pieces between elements for which `separator` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [2, 1, 0, 4, 3];
    /// v.par_split_mut(|x| *x == 0).for_each(|p| p.sort());
    /// assert_eq!(v, [1, 2, 0, 3, 4]);
    /// ```
    fn par_split_mut<P>(&mut self, separator: P) -> slices::SplitMut<'_, T, P>
    where
        P: Fn(&T) -> bool + Sync + Send,
    {
        slices::SplitMut::new(self.as_parallel_slice_mut(), separator)
    }

    /// The mutable pieces, each ending with an element for which
    /// `separator` holds (the last may not).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [2, 0, 4, 3];
    /// v.par_split_inclusive_mut(|x| *x == 0).for_each(|p| p.sort());
    /// assert_eq!(v, [0, 2, 3, 4]);
    /// ```
    fn par_split_inclusive_mut<P>(&mut self, separator: P) -> slices::SplitInclusiveMut<'_, T, P>
    where
        P: Fn(&T) -> bool + Sync + Send,
    {
        slices::SplitInclusiveMut::new(self.as_parallel_slice_mut(), separator)
    }

    /// The mutable runs: maximal pieces in which `pred` holds for every
    /// pair of neighbours.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 1, 2, 2, 2];
    /// v.par_chunk_by_mut(|a, b| a == b).for_each(|run| run[0] = 0);
    /// assert_eq!(v, [0, 1, 0, 2, 2]);
    /// ```
    fn par_chunk_by_mut<F>(&mut self, pred: F) -> slices::ChunkByMut<'_, T, F>
    where
        F: Fn(&T, &T) -> bool + Send + Sync,
    {
        slices::ChunkByMut::new(self.as_parallel_slice_mut(), pred)
    }

    /// Sorts the slice in parallel, stably: equal elements keep their order.
    /// A parallel merge sort (see [`par_sort_by`](Self::par_sort_by)).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v: Vec<i32> = (0..10_000).map(|i| (i * 7919) % 1000).collect();
    /// v.par_sort();
    /// assert!(v.windows(2).all(|w| w[0] <= w[1]));
    /// ```
    fn par_sort(&mut self)
    where
        T: Ord,
    {
        crate::sort::par_sort_by(self.as_parallel_slice_mut(), &T::cmp, Stability::Stable);
    }

    /// Sorts the slice in parallel by `compare`, stably.
    ///
    /// Leaves of the slice are sorted in parallel with `slice::sort_by`
    /// and merged in parallel. If `compare` panics, the panic is resumed
    /// here and the slice holds its elements in an unspecified order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut words = vec!["bb", "a", "ccc", "dd"];
    /// words.par_sort_by(|a, b| a.len().cmp(&b.len()));
    /// assert_eq!(words, ["a", "bb", "dd", "ccc"]); // "bb" stays before "dd"
    /// ```
    fn par_sort_by<F>(&mut self, compare: F)
    where
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        crate::sort::par_sort_by(self.as_parallel_slice_mut(), &compare, Stability::Stable);
    }

    /// Sorts the slice in parallel by the key `f` gives each element, stably.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')];
    /// v.par_sort_by_key(|p| p.0);
    /// assert_eq!(v, [(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    /// ```
    fn par_sort_by_key<K, F>(&mut self, f: F)
    where
        K: Ord,
        F: Fn(&T) -> K + Sync,
    {
        let compare = |a: &T, b: &T| f(a).cmp(&f(b));
        crate::sort::par_sort_by(self.as_parallel_slice_mut(), &compare, Stability::Stable);
    }

    /// Sorts the slice in parallel by the key `f` gives each element, stably,
    /// calling `f` once per element (the keys are computed in parallel and
    /// kept).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = vec![-5_i32, 4, 1, -3, 2];
    /// v.par_sort_by_cached_key(|x| x.to_string());
    /// assert_eq!(v, [-3, -5, 1, 2, 4]);
    /// ```
    fn par_sort_by_cached_key<K, F>(&mut self, f: F)
    where
        K: Ord + Send,
        F: Fn(&T) -> K + Sync,
    {
        crate::sort::par_sort_by_cached_key(self.as_parallel_slice_mut(), f);
    }

    /// Sorts the slice in parallel; equal elements may be reordered. The
    /// leaves are sorted with `slice::sort_unstable_by`, then merged in
    /// parallel.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v: Vec<u64> = (0..10_000).rev().collect();
    /// v.par_sort_unstable();
    /// assert!(v.iter().copied().eq(0..10_000));
    /// ```
    fn par_sort_unstable(&mut self)
    where
        T: Ord,
    {
        crate::sort::par_sort_by(self.as_parallel_slice_mut(), &T::cmp, Stability::Unstable);
    }

    /// Sorts the slice in parallel by `compare`; equal elements may be
    /// reordered.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = vec![3, 1, 2];
    /// v.par_sort_unstable_by(|a, b| b.cmp(a));
    /// assert_eq!(v, [3, 2, 1]);
    /// ```
    fn par_sort_unstable_by<F>(&mut self, compare: F)
    where
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        crate::sort::par_sort_by(self.as_parallel_slice_mut(), &compare, Stability::Unstable);
    }

    /// Sorts the slice in parallel by the key `f` gives each element; equal
    /// elements may be reordered.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = vec![-3_i32, 1, -2];
    /// v.par_sort_unstable_by_key(|x| x.abs());
    /// assert_eq!(v, [1, -2, -3]);
    /// ```
    fn par_sort_unstable_by_key<K, F>(&mut self, f: F)
    where
        K: Ord,
        F: Fn(&T) -> K + Sync,
    {
        let compare = |a: &T, b: &T| f(a).cmp(&f(b));
        crate::sort::par_sort_by(self.as_parallel_slice_mut(), &compare, Stability::Unstable);
    }
}

impl<T: Send> ParallelSliceMut<T> for [T] {
    fn as_parallel_slice_mut(&mut self) -> &mut [T] {
        self
    }
}
