//! `chain`, and the flattening adaptors: `flat_map`, `flat_map_iter`,
//! `flatten`, `flatten_iter`.
//!
//! The flattening adaptors split the outer iterator; each piece of it
//! yields the items of its outer items' inner iterators in order. An inner
//! *parallel* iterator (`flat_map`, `flatten`) is run sequentially inside
//! the piece that owns its outer item, through a buffer the piece reuses,
//! so the parallelism comes from the outer iterator; `flat_map_iter` and
//! `flatten_iter` iterate their inner iterators directly, with no buffer.

use std::collections::VecDeque;

use super::pieces::{Piece, PieceCallback};
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};

/// The items of `a`, then those of `b`; from
/// [`chain`](ParallelIterator::chain). Indexed when both are.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u32> = (0..3_u32).into_par_iter().chain(7..9_u32).collect();
/// assert_eq!(v, [0, 1, 2, 7, 8]);
/// ```
#[derive(Debug, Clone)]
pub struct Chain<A, B> {
    a: A,
    b: B,
}

impl<A, B> Chain<A, B> {
    pub(super) fn new(a: A, b: B) -> Self {
        Chain { a, b }
    }
}

impl<A, B> ParallelIterator for Chain<A, B>
where
    A: ParallelIterator,
    B: ParallelIterator<Item = A::Item>,
{
    type Item = A::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        self.a.with_pieces(ChainCallbackA {
            callback,
            b: self.b,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        self.a.opt_len()?.checked_add(self.b.opt_len()?)
    }
}

impl<A, B> IndexedParallelIterator for Chain<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator<Item = A::Item>,
{
    fn len(&self) -> usize {
        self.a.len() + self.b.len()
    }
}

struct ChainCallbackA<CB, B> {
    callback: CB,
    b: B,
}

impl<T, CB, B> PieceCallback<T> for ChainCallbackA<CB, B>
where
    B: ParallelIterator<Item = T>,
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, a: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.b.with_pieces(ChainCallbackB {
            callback: self.callback,
            a,
        })
    }
}

struct ChainCallbackB<CB, PA> {
    callback: CB,
    a: PA,
}

impl<T, CB, PA> PieceCallback<T> for ChainCallbackB<CB, PA>
where
    PA: Piece<Item = T>,
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, b: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(ChainProducer {
            a: Some(self.a),
            b: Some(b),
        })
    }
}

/// What is left of `a`, then of `b` (`None`: that side went to the other
/// half of a split).
struct ChainProducer<A, B> {
    a: Option<A>,
    b: Option<B>,
}

impl<A, B> Piece for ChainProducer<A, B>
where
    A: Piece,
    B: Piece<Item = A::Item>,
{
    type Item = A::Item;
    type IntoIter = std::iter::Chain<
        std::iter::Flatten<std::option::IntoIter<A::IntoIter>>,
        std::iter::Flatten<std::option::IntoIter<B::IntoIter>>,
    >;

    fn len(&self) -> usize {
        self.a.as_ref().map_or(0, A::len) + self.b.as_ref().map_or(0, B::len)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let a_len = self.a.as_ref().map_or(0, A::len);
        match (self.a, self.b) {
            (Some(a), b) if index <= a_len => {
                let (left, right) = a.split_at(index);
                (
                    ChainProducer {
                        a: Some(left),
                        b: None,
                    },
                    ChainProducer { a: Some(right), b },
                )
            }
            (a, Some(b)) => {
                let (left, right) = b.split_at(index - a_len);
                (
                    ChainProducer { a, b: Some(left) },
                    ChainProducer {
                        a: None,
                        b: Some(right),
                    },
                )
            }
            (a, None) => (
                ChainProducer { a, b: None },
                ChainProducer { a: None, b: None },
            ),
        }
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        let a = self.a.map(A::into_seq_iter).into_iter().flatten();
        let b = self.b.map(B::into_seq_iter).into_iter().flatten();
        a.chain(b)
    }

    fn min_len(&self) -> usize {
        let a = self.a.as_ref().map_or(1, A::min_len);
        let b = self.b.as_ref().map_or(1, B::min_len);
        a.max(b)
    }

    fn max_len(&self) -> usize {
        let a = self.a.as_ref().map_or(usize::MAX, A::max_len);
        let b = self.b.as_ref().map_or(usize::MAX, B::max_len);
        a.min(b)
    }
}

/// The items of the parallel iterators `map_op` makes of each item; from
/// [`flat_map`](ParallelIterator::flat_map).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u32> = (1..4_u32).into_par_iter().flat_map(|n| (0..n).into_par_iter()).collect();
/// assert_eq!(v, [0, 0, 1, 0, 1, 2]);
/// ```
#[derive(Debug, Clone)]
pub struct FlatMap<I, F> {
    base: I,
    map_op: F,
}

impl<I, F> FlatMap<I, F> {
    pub(super) fn new(base: I, map_op: F) -> Self {
        FlatMap { base, map_op }
    }
}

impl<I, F, PI> ParallelIterator for FlatMap<I, F>
where
    I: ParallelIterator,
    F: Fn(I::Item) -> PI + Sync + Send,
    PI: IntoParallelIterator,
{
    type Item = PI::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        self.base.with_pieces(FlatMapCallback {
            callback,
            map_op: &self.map_op,
        })
    }
}

struct FlatMapCallback<'f, CB, F> {
    callback: CB,
    map_op: &'f F,
}

impl<T, F, PI, CB> PieceCallback<T> for FlatMapCallback<'_, CB, F>
where
    F: Fn(T) -> PI + Sync,
    PI: IntoParallelIterator,
    CB: PieceCallback<PI::Item>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(FlatMapProducer {
            base,
            map_op: self.map_op,
        })
    }
}

struct FlatMapProducer<'f, P, F> {
    base: P,
    map_op: &'f F,
}

impl<'f, P, F, PI> Piece for FlatMapProducer<'f, P, F>
where
    P: Piece,
    F: Fn(P::Item) -> PI + Sync,
    PI: IntoParallelIterator,
{
    type Item = PI::Item;
    type IntoIter = FlatMapSeq<'f, P::IntoIter, F, PI::Item>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let map_op = self.map_op;
        (
            FlatMapProducer { base: left, map_op },
            FlatMapProducer {
                base: right,
                map_op,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        FlatMapSeq {
            outer: self.base.into_seq_iter(),
            map_op: self.map_op,
            buffer: VecDeque::new(),
        }
    }

    forward_split_hints!(base);
}

/// The sequential side of [`FlatMap`]: each inner parallel iterator is run
/// sequentially into `buffer`, then drained.
struct FlatMapSeq<'f, I, F, T> {
    outer: I,
    map_op: &'f F,
    buffer: VecDeque<T>,
}

impl<I, F, PI> Iterator for FlatMapSeq<'_, I, F, PI::Item>
where
    I: Iterator,
    F: Fn(I::Item) -> PI,
    PI: IntoParallelIterator,
{
    type Item = PI::Item;

    fn next(&mut self) -> Option<PI::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(item);
            }
            let inner = (self.map_op)(self.outer.next()?);
            inner
                .into_par_iter()
                .with_pieces(ExtendSequentially(&mut self.buffer));
        }
    }
}

/// Runs a producer sequentially into a buffer.
struct ExtendSequentially<'b, T>(&'b mut VecDeque<T>);

impl<T> PieceCallback<T> for ExtendSequentially<'_, T> {
    type Output = ();

    fn callback<P>(self, producer: P)
    where
        P: Piece<Item = T>,
    {
        self.0.extend(producer.into_seq_iter());
    }
}

/// The items of the sequential iterators `map_op` makes of each item;
/// from [`flat_map_iter`](ParallelIterator::flat_map_iter).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let words: Vec<&str> = ["a b", "c"].par_iter().flat_map_iter(|s| s.split(' ')).collect();
/// assert_eq!(words, ["a", "b", "c"]);
/// ```
#[derive(Debug, Clone)]
pub struct FlatMapIter<I, F> {
    base: I,
    map_op: F,
}

impl<I, F> FlatMapIter<I, F> {
    pub(super) fn new(base: I, map_op: F) -> Self {
        FlatMapIter { base, map_op }
    }
}

impl<I, F, SI> ParallelIterator for FlatMapIter<I, F>
where
    I: ParallelIterator,
    F: Fn(I::Item) -> SI + Sync + Send,
    SI: IntoIterator<Item: Send>,
{
    type Item = SI::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        self.base.with_pieces(FlatMapIterCallback {
            callback,
            map_op: &self.map_op,
        })
    }
}

struct FlatMapIterCallback<'f, CB, F> {
    callback: CB,
    map_op: &'f F,
}

impl<T, F, SI, CB> PieceCallback<T> for FlatMapIterCallback<'_, CB, F>
where
    F: Fn(T) -> SI + Sync,
    SI: IntoIterator,
    CB: PieceCallback<SI::Item>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(FlatMapIterProducer {
            base,
            map_op: self.map_op,
        })
    }
}

struct FlatMapIterProducer<'f, P, F> {
    base: P,
    map_op: &'f F,
}

impl<'f, P, F, SI> Piece for FlatMapIterProducer<'f, P, F>
where
    P: Piece,
    F: Fn(P::Item) -> SI + Sync,
    SI: IntoIterator,
{
    type Item = SI::Item;
    type IntoIter = std::iter::FlatMap<P::IntoIter, SI, &'f F>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let map_op = self.map_op;
        (
            FlatMapIterProducer { base: left, map_op },
            FlatMapIterProducer {
                base: right,
                map_op,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.base.into_seq_iter().flat_map(self.map_op)
    }

    forward_split_hints!(base);
}

/// The item itself, for `flatten` and `flatten_iter`.
fn itself<T>(item: T) -> T {
    item
}

/// The items of the items, themselves parallel iterators; from
/// [`flatten`](ParallelIterator::flatten).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u8> = vec![vec![1, 2], vec![], vec![3]].into_par_iter().flatten().collect();
/// assert_eq!(v, [1, 2, 3]);
/// ```
#[derive(Debug, Clone)]
pub struct Flatten<I> {
    base: I,
}

impl<I> Flatten<I> {
    pub(super) fn new(base: I) -> Self {
        Flatten { base }
    }
}

impl<I> ParallelIterator for Flatten<I>
where
    I: ParallelIterator<Item: IntoParallelIterator>,
{
    type Item = <I::Item as IntoParallelIterator>::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        FlatMap::new(self.base, itself::<I::Item> as fn(I::Item) -> I::Item).with_pieces(callback)
    }
}

/// The items of the items, themselves sequential iterators; from
/// [`flatten_iter`](ParallelIterator::flatten_iter).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u8> = vec![vec![1], vec![2, 3]].into_par_iter().flatten_iter().collect();
/// assert_eq!(v, [1, 2, 3]);
/// ```
#[derive(Debug, Clone)]
pub struct FlattenIter<I> {
    base: I,
}

impl<I> FlattenIter<I> {
    pub(super) fn new(base: I) -> Self {
        FlattenIter { base }
    }
}

impl<I> ParallelIterator for FlattenIter<I>
where
    I: ParallelIterator<Item: IntoIterator<Item: Send>>,
{
    type Item = <I::Item as IntoIterator>::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        FlatMapIter::new(self.base, itself::<I::Item> as fn(I::Item) -> I::Item)
            .with_pieces(callback)
    }
}
