//! rayon's plumbing, so that parallel iterators and consumers written
//! against `rayon::iter::plumbing` port: [`Producer`], [`UnindexedProducer`],
//! [`Consumer`], [`UnindexedConsumer`], [`Folder`], [`Reducer`],
//! [`ProducerCallback`], and [`bridge`], [`bridge_producer_consumer`],
//! [`bridge_unindexed`], which split on the current pool with the same
//! adaptive budget as this crate's own iterators.
//!
//! This crate's iterators run on a pull-based plumbing of their own (each
//! piece is folded through a sequential iterator); the two meet here:
//!
//! - An iterator written for rayon implements `drive_unindexed` (and, if
//!   indexed, `drive` and `with_producer`). When it is consumed by this
//!   crate's adaptors and consumers, it is first driven into ordered `Vec`
//!   pieces in parallel (through its own `drive_unindexed`), which then run
//!   through the rest of the pipeline as a `Vec` source does.
//! - A consumer written for rayon is driven over this crate's iterators with
//!   [`ParallelIterator::drive_unindexed`] and
//!   [`IndexedParallelIterator::drive`], which split the iterator's pieces
//!   and the consumer together.
//!
//! # Examples
//!
//! An indexed parallel iterator written against rayon's traits:
//!
//! ```
//! use threadpool_rayon_compat::iter::plumbing::*;
//! use threadpool_rayon_compat::prelude::*;
//!
//! /// The numbers `0..n`, doubled.
//! struct Doubles(usize);
//!
//! impl ParallelIterator for Doubles {
//!     type Item = usize;
//!     fn drive_unindexed<C: UnindexedConsumer<usize>>(self, consumer: C) -> C::Result {
//!         bridge(self, consumer)
//!     }
//!     fn opt_len(&self) -> Option<usize> {
//!         Some(self.0)
//!     }
//! }
//!
//! impl IndexedParallelIterator for Doubles {
//!     fn len(&self) -> usize {
//!         self.0
//!     }
//!     fn drive<C: Consumer<usize>>(self, consumer: C) -> C::Result {
//!         bridge(self, consumer)
//!     }
//!     fn with_producer<CB: ProducerCallback<usize>>(self, callback: CB) -> CB::Output {
//!         callback.callback(DoublesProducer(0..self.0))
//!     }
//! }
//!
//! struct DoublesProducer(std::ops::Range<usize>);
//!
//! impl Producer for DoublesProducer {
//!     type Item = usize;
//!     type IntoIter = std::iter::Map<std::ops::Range<usize>, fn(usize) -> usize>;
//!     fn into_iter(self) -> Self::IntoIter {
//!         self.0.map(|n| n * 2)
//!     }
//!     fn split_at(self, index: usize) -> (Self, Self) {
//!         let mid = self.0.start + index;
//!         (DoublesProducer(self.0.start..mid), DoublesProducer(mid..self.0.end))
//!     }
//! }
//!
//! let v: Vec<usize> = Doubles(5).rev().collect();
//! assert_eq!(v, [8, 6, 4, 2, 0]);
//! assert_eq!(Doubles(100).sum::<usize>(), 9900);
//! ```

use std::collections::LinkedList;

use super::pieces::{Piece, PieceCallback, Splitter, thread_marker};
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};
use crate::global::with_current_pool;

/// Receives the [`Producer`] of an indexed iterator, from
/// [`IndexedParallelIterator::with_producer`]: rayon's `ProducerCallback`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::plumbing::{Producer, ProducerCallback};
/// use threadpool_rayon_compat::prelude::*;
///
/// struct Total;
///
/// impl ProducerCallback<u32> for Total {
///     type Output = u32;
///     fn callback<P: Producer<Item = u32>>(self, producer: P) -> u32 {
///         producer.into_iter().sum()
///     }
/// }
///
/// assert_eq!((1..=4_u32).into_par_iter().with_producer(Total), 10);
/// ```
pub trait ProducerCallback<T> {
    /// What the callback returns.
    type Output;

    /// Consumes `producer`.
    fn callback<P>(self, producer: P) -> Self::Output
    where
        P: Producer<Item = T>;
}

/// A splittable source of a known number of items: rayon's `Producer`.
///
/// # Examples
///
/// See the [module documentation](self).
pub trait Producer: Send + Sized {
    /// The items produced.
    type Item;
    /// The sequential iterator over the items.
    type IntoIter: Iterator<Item = Self::Item> + DoubleEndedIterator + ExactSizeIterator;

    /// The items, in order.
    fn into_iter(self) -> Self::IntoIter;

    /// The smallest piece worth splitting off.
    fn min_len(&self) -> usize {
        1
    }

    /// The largest piece to process without splitting.
    fn max_len(&self) -> usize {
        usize::MAX
    }

    /// Splits into the first `index` items and the rest.
    fn split_at(self, index: usize) -> (Self, Self);

    /// Feeds the items to `folder`, stopping once it is full.
    fn fold_with<F>(self, folder: F) -> F
    where
        F: Folder<Self::Item>,
    {
        folder.consume_iter(self.into_iter())
    }
}

/// The receiving end of a parallel iterator, splittable by index: rayon's
/// `Consumer`.
///
/// # Examples
///
/// See [`UnindexedConsumer`].
pub trait Consumer<Item>: Send + Sized {
    /// Folds one piece.
    type Folder: Folder<Item, Result = Self::Result>;
    /// Combines the results of two pieces.
    type Reducer: Reducer<Self::Result>;
    /// The result.
    type Result: Send;

    /// Splits into the consumers of the first `index` items and of the
    /// rest, and the reducer that combines their results.
    fn split_at(self, index: usize) -> (Self, Self, Self::Reducer);

    /// The folder of a piece that is not split further.
    fn into_folder(self) -> Self::Folder;

    /// Whether the result is known already (no more items are needed).
    fn full(&self) -> bool;
}

/// Folds the items of one piece: rayon's `Folder`.
///
/// # Examples
///
/// See [`UnindexedConsumer`].
pub trait Folder<Item>: Sized {
    /// The result of the piece.
    type Result;

    /// Takes one item.
    fn consume(self, item: Item) -> Self;

    /// Takes the items of `iter`, until full.
    fn consume_iter<I>(mut self, iter: I) -> Self
    where
        I: IntoIterator<Item = Item>,
    {
        for item in iter {
            self = self.consume(item);
            if self.full() {
                break;
            }
        }
        self
    }

    /// The piece's result.
    fn complete(self) -> Self::Result;

    /// Whether no more items are needed.
    fn full(&self) -> bool;
}

/// Combines the results of two adjacent pieces, left before right: rayon's
/// `Reducer`.
///
/// # Examples
///
/// See [`UnindexedConsumer`].
pub trait Reducer<Result> {
    /// Combines `left` and `right`.
    fn reduce(self, left: Result, right: Result) -> Result;
}

/// A [`Consumer`] that can also be split where the length is unknown:
/// rayon's `UnindexedConsumer`.
///
/// # Examples
///
/// A consumer that counts the items, driven over this crate's iterators:
///
/// ```
/// use threadpool_rayon_compat::iter::plumbing::*;
/// use threadpool_rayon_compat::prelude::*;
///
/// struct Count;
/// struct CountFolder(usize);
/// struct Add;
///
/// impl<T> Consumer<T> for Count {
///     type Folder = CountFolder;
///     type Reducer = Add;
///     type Result = usize;
///     fn split_at(self, _: usize) -> (Self, Self, Add) {
///         (Count, Count, Add)
///     }
///     fn into_folder(self) -> CountFolder {
///         CountFolder(0)
///     }
///     fn full(&self) -> bool {
///         false
///     }
/// }
///
/// impl<T> UnindexedConsumer<T> for Count {
///     fn split_off_left(&self) -> Self {
///         Count
///     }
///     fn to_reducer(&self) -> Add {
///         Add
///     }
/// }
///
/// impl<T> Folder<T> for CountFolder {
///     type Result = usize;
///     fn consume(self, _: T) -> Self {
///         CountFolder(self.0 + 1)
///     }
///     fn complete(self) -> usize {
///         self.0
///     }
///     fn full(&self) -> bool {
///         false
///     }
/// }
///
/// impl Reducer<usize> for Add {
///     fn reduce(self, a: usize, b: usize) -> usize {
///         a + b
///     }
/// }
///
/// assert_eq!((0..1000_u32).into_par_iter().filter(|n| n % 3 == 0).drive_unindexed(Count), 334);
/// assert_eq!((0..1000_u32).into_par_iter().drive(Count), 1000);
/// ```
pub trait UnindexedConsumer<I>: Consumer<I> {
    /// A consumer for items that come before this one's.
    fn split_off_left(&self) -> Self;

    /// The reducer combining the results of a split.
    fn to_reducer(&self) -> Self::Reducer;
}

/// A splittable source whose number of items is unknown: rayon's
/// `UnindexedProducer`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::plumbing::*;
/// use threadpool_rayon_compat::prelude::*;
///
/// /// The numbers of a range, split in halves down to 16.
/// struct Halves(std::ops::Range<u64>);
///
/// impl UnindexedProducer for Halves {
///     type Item = u64;
///     fn split(self) -> (Self, Option<Self>) {
///         let r = self.0;
///         if r.end - r.start <= 16 {
///             return (Halves(r), None);
///         }
///         let mid = r.start + (r.end - r.start) / 2;
///         (Halves(r.start..mid), Some(Halves(mid..r.end)))
///     }
///     fn fold_with<F: Folder<u64>>(self, folder: F) -> F {
///         folder.consume_iter(self.0)
///     }
/// }
///
/// struct ParHalves(std::ops::Range<u64>);
///
/// impl ParallelIterator for ParHalves {
///     type Item = u64;
///     fn drive_unindexed<C: UnindexedConsumer<u64>>(self, consumer: C) -> C::Result {
///         bridge_unindexed(Halves(self.0), consumer)
///     }
/// }
///
/// assert_eq!(ParHalves(0..1000).map(|n| n * 2).sum::<u64>(), 999_000);
/// assert!(ParHalves(0..1000).collect::<Vec<_>>().into_iter().eq(0..1000));
/// ```
pub trait UnindexedProducer: Send + Sized {
    /// The items produced.
    type Item;

    /// Splits in two, or returns `(self, None)` if it should not be split.
    fn split(self) -> (Self, Option<Self>);

    /// Feeds the items to `folder`, stopping once it is full.
    fn fold_with<F>(self, folder: F) -> F
    where
        F: Folder<Self::Item>;
}

/// Drives `consumer` with the items of the indexed `par_iter`: rayon's
/// `bridge`, for `drive` and `drive_unindexed` implementations.
///
/// # Examples
///
/// See the [module documentation](self).
pub fn bridge<I, C>(par_iter: I, consumer: C) -> C::Result
where
    I: IndexedParallelIterator,
    C: Consumer<I::Item>,
{
    let len = par_iter.len();
    par_iter.with_producer(BridgeCallback { len, consumer })
}

struct BridgeCallback<C> {
    len: usize,
    consumer: C,
}

impl<T, C: Consumer<T>> ProducerCallback<T> for BridgeCallback<C> {
    type Output = C::Result;

    fn callback<P>(self, producer: P) -> C::Result
    where
        P: Producer<Item = T>,
    {
        bridge_producer_consumer(self.len, producer, self.consumer)
    }
}

/// Splits `producer` (of `len` items) and `consumer` together on the
/// current pool and reduces the results: rayon's
/// `bridge_producer_consumer`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::plumbing::*;
/// use threadpool_rayon_compat::prelude::*;
///
/// struct Sum;
///
/// impl ProducerCallback<u64> for Sum {
///     type Output = u64;
///     fn callback<P: Producer<Item = u64>>(self, producer: P) -> u64 {
///         // Any consumer will do; here, this crate's own `sum` through a
///         // `Vec` (see `bridge` for driving rayon-style consumers).
///         producer.into_iter().sum()
///     }
/// }
///
/// assert_eq!((0..10_u64).into_par_iter().with_producer(Sum), 45);
/// ```
pub fn bridge_producer_consumer<P, C>(len: usize, producer: P, consumer: C) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    with_current_pool(|pool| {
        let splitter = Splitter::new(pool.workers());
        pool.install(|| indexed_piece(pool, len, producer, consumer, splitter, false))
    })
}

fn indexed_piece<P, C>(
    pool: &threadpool_core::PoolHandle,
    len: usize,
    producer: P,
    consumer: C,
    mut splitter: Splitter,
    migrated: bool,
) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    if consumer.full() {
        return consumer.into_folder().complete();
    }
    let mid = len / 2;
    let must_split = len > producer.max_len();
    if len < 2 || mid < producer.min_len() || !(must_split || splitter.try_split(migrated)) {
        return producer.fold_with(consumer.into_folder()).complete();
    }
    let (left_producer, right_producer) = producer.split_at(mid);
    let (left_consumer, right_consumer, reducer) = consumer.split_at(mid);
    let forked_on = thread_marker();
    let (left, right) = pool.join(
        || indexed_piece(pool, mid, left_producer, left_consumer, splitter, false),
        || {
            let migrated = thread_marker() != forked_on;
            indexed_piece(
                pool,
                len - mid,
                right_producer,
                right_consumer,
                splitter,
                migrated,
            )
        },
    );
    reducer.reduce(left, right)
}

/// Splits `producer` and `consumer` together on the current pool, for as
/// long as the producer splits and the split budget lasts: rayon's
/// `bridge_unindexed`.
///
/// # Examples
///
/// See [`UnindexedProducer`].
pub fn bridge_unindexed<P, C>(producer: P, consumer: C) -> C::Result
where
    P: UnindexedProducer,
    C: UnindexedConsumer<P::Item>,
{
    with_current_pool(|pool| {
        let splitter = Splitter::new(pool.workers());
        pool.install(|| unindexed_piece(pool, producer, consumer, splitter, false))
    })
}

fn unindexed_piece<P, C>(
    pool: &threadpool_core::PoolHandle,
    producer: P,
    consumer: C,
    mut splitter: Splitter,
    migrated: bool,
) -> C::Result
where
    P: UnindexedProducer,
    C: UnindexedConsumer<P::Item>,
{
    if consumer.full() {
        return consumer.into_folder().complete();
    }
    if !splitter.try_split(migrated) {
        return producer.fold_with(consumer.into_folder()).complete();
    }
    match producer.split() {
        (left_producer, Some(right_producer)) => {
            let left_consumer = consumer.split_off_left();
            let reducer = consumer.to_reducer();
            let forked_on = thread_marker();
            let (left, right) = pool.join(
                || unindexed_piece(pool, left_producer, left_consumer, splitter, false),
                || {
                    let migrated = thread_marker() != forked_on;
                    unindexed_piece(pool, right_producer, consumer, splitter, migrated)
                },
            );
            reducer.reduce(left, right)
        }
        (whole, None) => whole.fold_with(consumer.into_folder()).complete(),
    }
}

/// This crate's piece of `len` items, as a rayon-style [`Producer`]. Its
/// `into_iter` collects the piece (rayon's producers iterate from both
/// ends); `fold_with` does not.
pub(super) struct PieceProducer<P> {
    piece: P,
    len: usize,
}

impl<P: Piece> Producer for PieceProducer<P> {
    type Item = P::Item;
    type IntoIter = std::vec::IntoIter<P::Item>;

    fn into_iter(self) -> Self::IntoIter {
        let items: Vec<P::Item> = self.piece.into_seq_iter().collect();
        items.into_iter()
    }

    fn min_len(&self) -> usize {
        self.piece.min_len()
    }

    fn max_len(&self) -> usize {
        self.piece.max_len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.piece.split_at(index);
        (
            PieceProducer {
                piece: left,
                len: index,
            },
            PieceProducer {
                piece: right,
                len: self.len - index,
            },
        )
    }

    fn fold_with<F>(self, folder: F) -> F
    where
        F: Folder<Self::Item>,
    {
        folder.consume_iter(self.piece.into_seq_iter())
    }
}

/// This crate's piece of unknown length, as a rayon-style
/// [`UnindexedProducer`].
struct PieceUnindexed<P> {
    piece: P,
}

impl<P: Piece> UnindexedProducer for PieceUnindexed<P> {
    type Item = P::Item;

    fn split(self) -> (Self, Option<Self>) {
        let len = self.piece.len();
        if len < 2 {
            return (self, None);
        }
        let (left, right) = self.piece.split_at(len / 2);
        (
            PieceUnindexed { piece: left },
            Some(PieceUnindexed { piece: right }),
        )
    }

    fn fold_with<F>(self, folder: F) -> F
    where
        F: Folder<Self::Item>,
    {
        folder.consume_iter(self.piece.into_seq_iter())
    }
}

/// `with_producer` on this crate's indexed iterators.
pub(super) struct AsProducer<CB> {
    pub(super) callback: CB,
    pub(super) len: usize,
}

impl<T, CB: ProducerCallback<T>> PieceCallback<T> for AsProducer<CB> {
    type Output = CB::Output;

    fn callback<P>(self, piece: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(PieceProducer {
            piece,
            len: self.len,
        })
    }
}

/// `drive` on this crate's indexed iterators.
pub(super) struct DriveIndexed<C> {
    pub(super) consumer: C,
    pub(super) len: usize,
}

impl<T, C: Consumer<T>> PieceCallback<T> for DriveIndexed<C> {
    type Output = C::Result;

    fn callback<P>(self, piece: P) -> C::Result
    where
        P: Piece<Item = T>,
    {
        let producer = PieceProducer {
            piece,
            len: self.len,
        };
        bridge_producer_consumer(self.len, producer, self.consumer)
    }
}

/// `drive_unindexed` on this crate's iterators.
pub(super) struct DriveUnindexed<C> {
    pub(super) consumer: C,
}

impl<T, C: UnindexedConsumer<T>> PieceCallback<T> for DriveUnindexed<C> {
    type Output = C::Result;

    fn callback<P>(self, piece: P) -> C::Result
    where
        P: Piece<Item = T>,
    {
        bridge_unindexed(PieceUnindexed { piece }, self.consumer)
    }
}

/// Runs an iterator written against rayon's plumbing (it implements only
/// `drive_unindexed`) into this crate's pipeline: drives it into ordered
/// pieces in parallel, then hands them on as a `Vec` source.
pub(super) fn pieces_of_driven<I, CB>(par_iter: I, callback: CB) -> CB::Output
where
    I: ParallelIterator,
    CB: PieceCallback<I::Item>,
{
    let pieces = par_iter.drive_unindexed(ListConsumer);
    let mut items = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
    for mut piece in pieces {
        items.append(&mut piece);
    }
    items.into_par_iter().with_pieces(callback)
}

/// Collects ordered `Vec` pieces into a list.
struct ListConsumer;

struct ListFolder<T>(Vec<T>);

struct ListReducer;

impl<T: Send> Consumer<T> for ListConsumer {
    type Folder = ListFolder<T>;
    type Reducer = ListReducer;
    type Result = LinkedList<Vec<T>>;

    fn split_at(self, _: usize) -> (Self, Self, ListReducer) {
        (ListConsumer, ListConsumer, ListReducer)
    }

    fn into_folder(self) -> ListFolder<T> {
        ListFolder(Vec::new())
    }

    fn full(&self) -> bool {
        false
    }
}

impl<T: Send> UnindexedConsumer<T> for ListConsumer {
    fn split_off_left(&self) -> Self {
        ListConsumer
    }

    fn to_reducer(&self) -> ListReducer {
        ListReducer
    }
}

impl<T> Folder<T> for ListFolder<T> {
    type Result = LinkedList<Vec<T>>;

    fn consume(mut self, item: T) -> Self {
        self.0.push(item);
        self
    }

    fn consume_iter<I>(mut self, iter: I) -> Self
    where
        I: IntoIterator<Item = T>,
    {
        self.0.extend(iter);
        self
    }

    fn complete(self) -> LinkedList<Vec<T>> {
        let mut list = LinkedList::new();
        list.push_back(self.0);
        list
    }

    fn full(&self) -> bool {
        false
    }
}

impl<T> Reducer<LinkedList<Vec<T>>> for ListReducer {
    fn reduce(
        self,
        mut left: LinkedList<Vec<T>>,
        mut right: LinkedList<Vec<T>>,
    ) -> LinkedList<Vec<T>> {
        left.append(&mut right);
        left
    }
}
