//! The adaptors: `map`, `filter`, `filter_map`, `cloned`, `copied`,
//! `fold`, `enumerate`, `zip`.
//!
//! Each wraps the producer of the iterator before it; the closures stay in
//! the adaptor, on the stack of the consuming call, and the producers borrow
//! them.

use super::pieces::{Piece, PieceCallback};
use super::{IndexedParallelIterator, ParallelIterator};

/// Declares the callback of an adaptor with one closure: it carries the
/// next callback and a borrow of the closure to the base's producer.
macro_rules! wrap_callback {
    ($callback:ident { $($field:ident: $fty:ident),* }) => {
        struct $callback<'f, CB, $($fty),*> {
            callback: CB,
            $($field: &'f $fty,)*
        }
    };
}

/// Applies a function to every item; from
/// [`map`](ParallelIterator::map).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let lengths: Vec<usize> = ["ab", "c"].par_iter().map(|s| s.len()).collect();
/// assert_eq!(lengths, [2, 1]);
/// ```
#[derive(Debug, Clone)]
pub struct Map<I, F> {
    base: I,
    map_op: F,
}

impl<I, F> Map<I, F> {
    pub(super) fn new(base: I, map_op: F) -> Self {
        Map { base, map_op }
    }
}

impl<I, F, R> ParallelIterator for Map<I, F>
where
    I: ParallelIterator,
    F: Fn(I::Item) -> R + Sync + Send,
    R: Send,
{
    type Item = R;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<R>,
    {
        let map_op = &self.map_op;
        self.base.with_pieces(MapCallback { callback, map_op })
    }

    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len()
    }
}

impl<I, F, R> IndexedParallelIterator for Map<I, F>
where
    I: IndexedParallelIterator,
    F: Fn(I::Item) -> R + Sync + Send,
    R: Send,
{
    fn len(&self) -> usize {
        self.base.len()
    }
}

wrap_callback!(MapCallback { map_op: F });

impl<T, R, F, CB> PieceCallback<T> for MapCallback<'_, CB, F>
where
    F: Fn(T) -> R + Sync,
    CB: PieceCallback<R>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(MapProducer {
            base,
            map_op: self.map_op,
        })
    }
}

struct MapProducer<'f, P, F> {
    base: P,
    map_op: &'f F,
}

impl<'f, P, F, R> Piece for MapProducer<'f, P, F>
where
    P: Piece,
    F: Fn(P::Item) -> R + Sync,
{
    type Item = R;
    type IntoIter = std::iter::Map<P::IntoIter, &'f F>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let map_op = self.map_op;
        (
            MapProducer { base: left, map_op },
            MapProducer {
                base: right,
                map_op,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.base.into_seq_iter().map(self.map_op)
    }

    forward_split_hints!(base);
}

/// Keeps the items a predicate accepts; from
/// [`filter`](ParallelIterator::filter).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!((0..10_u8).into_par_iter().filter(|n| *n > 6).count(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct Filter<I, P> {
    base: I,
    filter_op: P,
}

impl<I, P> Filter<I, P> {
    pub(super) fn new(base: I, filter_op: P) -> Self {
        Filter { base, filter_op }
    }
}

impl<I, P> ParallelIterator for Filter<I, P>
where
    I: ParallelIterator,
    P: Fn(&I::Item) -> bool + Sync + Send,
{
    type Item = I::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<I::Item>,
    {
        let filter_op = &self.filter_op;
        self.base.with_pieces(FilterCallback {
            callback,
            filter_op,
        })
    }
}

wrap_callback!(FilterCallback { filter_op: F });

impl<T, F, CB> PieceCallback<T> for FilterCallback<'_, CB, F>
where
    F: Fn(&T) -> bool + Sync,
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(FilterProducer {
            base,
            filter_op: self.filter_op,
        })
    }
}

struct FilterProducer<'f, P, F> {
    base: P,
    filter_op: &'f F,
}

impl<'f, P, F> Piece for FilterProducer<'f, P, F>
where
    P: Piece,
    F: Fn(&P::Item) -> bool + Sync,
{
    type Item = P::Item;
    type IntoIter = std::iter::Filter<P::IntoIter, &'f F>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let filter_op = self.filter_op;
        (
            FilterProducer {
                base: left,
                filter_op,
            },
            FilterProducer {
                base: right,
                filter_op,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.base.into_seq_iter().filter(self.filter_op)
    }

    forward_split_hints!(base);
}

/// Maps items to `Option`s and keeps the `Some` values; from
/// [`filter_map`](ParallelIterator::filter_map).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let halves: Vec<u8> = (0..6_u8).into_par_iter().filter_map(|n| (n % 2 == 0).then_some(n / 2)).collect();
/// assert_eq!(halves, [0, 1, 2]);
/// ```
#[derive(Debug, Clone)]
pub struct FilterMap<I, P> {
    base: I,
    filter_op: P,
}

impl<I, P> FilterMap<I, P> {
    pub(super) fn new(base: I, filter_op: P) -> Self {
        FilterMap { base, filter_op }
    }
}

impl<I, P, R> ParallelIterator for FilterMap<I, P>
where
    I: ParallelIterator,
    P: Fn(I::Item) -> Option<R> + Sync + Send,
    R: Send,
{
    type Item = R;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<R>,
    {
        let filter_op = &self.filter_op;
        self.base.with_pieces(FilterMapCallback {
            callback,
            filter_op,
        })
    }
}

wrap_callback!(FilterMapCallback { filter_op: F });

impl<T, R, F, CB> PieceCallback<T> for FilterMapCallback<'_, CB, F>
where
    F: Fn(T) -> Option<R> + Sync,
    CB: PieceCallback<R>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(FilterMapProducer {
            base,
            filter_op: self.filter_op,
        })
    }
}

struct FilterMapProducer<'f, P, F> {
    base: P,
    filter_op: &'f F,
}

impl<'f, P, F, R> Piece for FilterMapProducer<'f, P, F>
where
    P: Piece,
    F: Fn(P::Item) -> Option<R> + Sync,
{
    type Item = R;
    type IntoIter = std::iter::FilterMap<P::IntoIter, &'f F>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let filter_op = self.filter_op;
        (
            FilterMapProducer {
                base: left,
                filter_op,
            },
            FilterMapProducer {
                base: right,
                filter_op,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.base.into_seq_iter().filter_map(self.filter_op)
    }

    forward_split_hints!(base);
}

/// Implements an adaptor that changes only the sequential iterator of each
/// piece, with no closure: `cloned`, `copied`.
macro_rules! plain_adaptor {
    ($(#[$doc:meta])* $name:ident, $producer:ident, $callback:ident, $bound:ident, $std:ident, $method:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<I> {
            base: I,
        }

        impl<I> $name<I> {
            pub(super) fn new(base: I) -> Self {
                $name { base }
            }
        }

        impl<'a, T, I> ParallelIterator for $name<I>
        where
            I: ParallelIterator<Item = &'a T>,
            T: 'a + $bound + Send + Sync,
        {
            type Item = T;

            fn with_pieces<CB>(self, callback: CB) -> CB::Output
            where
                CB: PieceCallback<T>,
            {
                self.base.with_pieces($callback { callback })
            }

            fn opt_len(&self) -> Option<usize> {
                self.base.opt_len()
            }
        }

        impl<'a, T, I> IndexedParallelIterator for $name<I>
        where
            I: IndexedParallelIterator<Item = &'a T>,
            T: 'a + $bound + Send + Sync,
        {
            fn len(&self) -> usize {
                self.base.len()
            }
        }

        struct $callback<CB> {
            callback: CB,
        }

        impl<'a, T, CB> PieceCallback<&'a T> for $callback<CB>
        where
            T: 'a + $bound + Sync,
            CB: PieceCallback<T>,
        {
            type Output = CB::Output;

            fn callback<P>(self, base: P) -> CB::Output
            where
                P: Piece<Item = &'a T>,
            {
                self.callback.callback($producer { base })
            }
        }

        struct $producer<P> {
            base: P,
        }

        impl<'a, T, P> Piece for $producer<P>
        where
            P: Piece<Item = &'a T>,
            T: 'a + $bound,
        {
            type Item = T;
            type IntoIter = std::iter::$std<P::IntoIter>;

            fn len(&self) -> usize {
                self.base.len()
            }

            fn split_at(self, index: usize) -> (Self, Self) {
                let (left, right) = self.base.split_at(index);
                ($producer { base: left }, $producer { base: right })
            }

            fn into_seq_iter(self) -> Self::IntoIter {
                self.base.into_seq_iter().$method()
            }

            forward_split_hints!(base);
        }
    };
}

plain_adaptor!(
    /// Clones the items of an iterator over references; from
    /// [`cloned`](ParallelIterator::cloned).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v = vec![vec![1], vec![2, 3]];
    /// let lens: usize = v.par_iter().cloned().map(|inner| inner.len()).sum();
    /// assert_eq!(lens, 3);
    /// ```
    Cloned, ClonedProducer, ClonedCallback, Clone, Cloned, cloned
);

plain_adaptor!(
    /// Copies the items of an iterator over references; from
    /// [`copied`](ParallelIterator::copied).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([1_u64, 2].par_iter().copied().sum::<u64>(), 3);
    /// ```
    Copied, CopiedProducer, CopiedCallback, Copy, Copied, copied
);

/// Folds each piece into one accumulator; from
/// [`fold`](ParallelIterator::fold).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let longest = ["a", "abc"].par_iter().fold(|| 0, |m, w| w.len().max(m)).max();
/// assert_eq!(longest, Some(3));
/// ```
#[derive(Debug, Clone)]
pub struct Fold<I, ID, F> {
    base: I,
    identity: ID,
    fold_op: F,
}

impl<I, ID, F> Fold<I, ID, F> {
    pub(super) fn new(base: I, identity: ID, fold_op: F) -> Self {
        Fold {
            base,
            identity,
            fold_op,
        }
    }
}

impl<I, ID, F, U> ParallelIterator for Fold<I, ID, F>
where
    I: ParallelIterator,
    F: Fn(U, I::Item) -> U + Sync + Send,
    ID: Fn() -> U + Sync + Send,
    U: Send,
{
    type Item = U;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<U>,
    {
        self.base.with_pieces(FoldCallback {
            callback,
            identity: &self.identity,
            fold_op: &self.fold_op,
        })
    }
}

struct FoldCallback<'f, CB, ID, F> {
    callback: CB,
    identity: &'f ID,
    fold_op: &'f F,
}

impl<T, U, ID, F, CB> PieceCallback<T> for FoldCallback<'_, CB, ID, F>
where
    F: Fn(U, T) -> U + Sync,
    ID: Fn() -> U + Sync,
    CB: PieceCallback<U>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(FoldProducer {
            base,
            identity: self.identity,
            fold_op: self.fold_op,
        })
    }
}

struct FoldProducer<'f, P, ID, F> {
    base: P,
    identity: &'f ID,
    fold_op: &'f F,
}

impl<P, ID, F, U> Piece for FoldProducer<'_, P, ID, F>
where
    P: Piece,
    F: Fn(U, P::Item) -> U + Sync,
    ID: Fn() -> U + Sync,
{
    type Item = U;
    type IntoIter = std::iter::Once<U>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let (identity, fold_op) = (self.identity, self.fold_op);
        (
            FoldProducer {
                base: left,
                identity,
                fold_op,
            },
            FoldProducer {
                base: right,
                identity,
                fold_op,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        let acc = self
            .base
            .into_seq_iter()
            .fold((self.identity)(), self.fold_op);
        std::iter::once(acc)
    }

    forward_split_hints!(base);
}

/// Pairs every item with its position; from
/// [`enumerate`](IndexedParallelIterator::enumerate).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let at: Vec<usize> = [7, 8, 9].par_iter().enumerate().filter(|(_, x)| **x > 7).map(|(i, _)| i).collect();
/// assert_eq!(at, [1, 2]);
/// ```
#[derive(Debug, Clone)]
pub struct Enumerate<I> {
    base: I,
}

impl<I> Enumerate<I> {
    pub(super) fn new(base: I) -> Self {
        Enumerate { base }
    }
}

impl<I: IndexedParallelIterator> ParallelIterator for Enumerate<I> {
    type Item = (usize, I::Item);

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        self.base.with_pieces(EnumerateCallback { callback })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.base.len())
    }
}

impl<I: IndexedParallelIterator> IndexedParallelIterator for Enumerate<I> {
    fn len(&self) -> usize {
        self.base.len()
    }
}

struct EnumerateCallback<CB> {
    callback: CB,
}

impl<T, CB> PieceCallback<T> for EnumerateCallback<CB>
where
    CB: PieceCallback<(usize, T)>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback
            .callback(EnumerateProducer { base, offset: 0 })
    }
}

/// Items of an indexed producer with their positions; `offset` is the
/// position of its first item.
struct EnumerateProducer<P> {
    base: P,
    offset: usize,
}

impl<P: Piece> Piece for EnumerateProducer<P> {
    type Item = (usize, P::Item);
    type IntoIter = std::iter::Zip<std::ops::RangeFrom<usize>, P::IntoIter>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        (
            EnumerateProducer {
                base: left,
                offset: self.offset,
            },
            EnumerateProducer {
                base: right,
                offset: self.offset + index,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        (self.offset..).zip(self.base.into_seq_iter())
    }

    forward_split_hints!(base);
}

/// Pairs the items of two indexed iterators; from
/// [`zip`](IndexedParallelIterator::zip).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let sums: Vec<i32> = [1, 2].par_iter().zip([10, 20].par_iter()).map(|(a, b)| a + b).collect();
/// assert_eq!(sums, [11, 22]);
/// ```
#[derive(Debug, Clone)]
pub struct Zip<A, B> {
    a: A,
    b: B,
}

impl<A, B> Zip<A, B> {
    pub(super) fn new(a: A, b: B) -> Self {
        Zip { a, b }
    }
}

impl<A, B> ParallelIterator for Zip<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator,
{
    type Item = (A::Item, B::Item);

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        let len = IndexedParallelIterator::len(&self);
        self.a.with_pieces(ZipCallbackA {
            callback,
            b: self.b,
            len,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<A, B> IndexedParallelIterator for Zip<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator,
{
    fn len(&self) -> usize {
        self.a.len().min(self.b.len())
    }
}

struct ZipCallbackA<CB, B> {
    callback: CB,
    b: B,
    len: usize,
}

impl<TA, CB, B> PieceCallback<TA> for ZipCallbackA<CB, B>
where
    B: IndexedParallelIterator,
    CB: PieceCallback<(TA, B::Item)>,
{
    type Output = CB::Output;

    fn callback<P>(self, a: P) -> CB::Output
    where
        P: Piece<Item = TA>,
    {
        self.b.with_pieces(ZipCallbackB {
            callback: self.callback,
            a,
            len: self.len,
        })
    }
}

struct ZipCallbackB<CB, PA> {
    callback: CB,
    a: PA,
    len: usize,
}

impl<TB, CB, PA> PieceCallback<TB> for ZipCallbackB<CB, PA>
where
    PA: Piece,
    CB: PieceCallback<(PA::Item, TB)>,
{
    type Output = CB::Output;

    fn callback<P>(self, b: P) -> CB::Output
    where
        P: Piece<Item = TB>,
    {
        self.callback
            .callback(ZipProducer::new(self.a, b, self.len))
    }
}

/// The items of two indexed producers in pairs.
pub(super) struct ZipProducer<A, B> {
    a: A,
    b: B,
}

impl<A: Piece, B: Piece> ZipProducer<A, B> {
    /// Zips the first `len` items of `a` and `b`, each at least that long:
    /// the halves of a split then line up.
    pub(super) fn new(a: A, b: B, len: usize) -> Self {
        let a = if a.len() > len { a.split_at(len).0 } else { a };
        let b = if b.len() > len { b.split_at(len).0 } else { b };
        ZipProducer { a, b }
    }
}

impl<A: Piece, B: Piece> Piece for ZipProducer<A, B> {
    type Item = (A::Item, B::Item);
    type IntoIter = std::iter::Zip<A::IntoIter, B::IntoIter>;

    fn len(&self) -> usize {
        self.a.len().min(self.b.len())
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (a_left, a_right) = self.a.split_at(index);
        let (b_left, b_right) = self.b.split_at(index);
        (
            ZipProducer {
                a: a_left,
                b: b_left,
            },
            ZipProducer {
                a: a_right,
                b: b_right,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.a.into_seq_iter().zip(self.b.into_seq_iter())
    }

    fn min_len(&self) -> usize {
        self.a.min_len().max(self.b.min_len())
    }

    fn max_len(&self) -> usize {
        self.a.max_len().min(self.b.max_len())
    }
}
