//! [`ParallelExtend`] for the standard collections, the remaining
//! [`FromParallelIterator`] targets, and what splits one iterator into two
//! collections: `unzip`, `partition`, `partition_map`.
//!
//! An indexed iterator extends a `Vec` by writing every item straight into
//! its slot; anything else is collected in parallel into ordered pieces
//! (one `Vec` per piece of the split) which are then appended in order, so
//! every target sees the items in the iterator's order.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::ffi::{OsStr, OsString};
use std::hash::{BuildHasher, Hash};
use std::rc::Rc;
use std::sync::Arc;

use either::Either;

use super::consumers::{collect_indexed_into, collect_pieces};
use super::{FromParallelIterator, IntoParallelIterator, ParallelIterator};

/// A collection that can be extended with the items of a parallel
/// iterator, in order: rayon's `ParallelExtend`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut v = vec![0_u32];
/// v.par_extend((1..4_u32).into_par_iter().map(|n| n * 10));
/// assert_eq!(v, [0, 10, 20, 30]);
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be extended from a parallel iterator over `{T}`",
    label = "extended here"
)]
pub trait ParallelExtend<T: Send> {
    /// Extends `self` with the items of `par_iter`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut set = BTreeSet::from([1]);
    /// set.par_extend(vec![3, 2, 1]);
    /// assert_eq!(set.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = T>;
}

impl<T: Send> ParallelExtend<T> for Vec<T> {
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = T>,
    {
        let par_iter = par_iter.into_par_iter();
        match par_iter.opt_len() {
            Some(len) => collect_indexed_into(par_iter, len, self),
            None => {
                let pieces = collect_pieces(par_iter);
                self.reserve(pieces.iter().map(Vec::len).sum());
                for mut piece in pieces {
                    self.append(&mut piece);
                }
            }
        }
    }
}

impl<'a, T: Copy + Send + Sync + 'a> ParallelExtend<&'a T> for Vec<T> {
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = &'a T>,
    {
        self.par_extend(par_iter.into_par_iter().copied());
    }
}

/// Implements `ParallelExtend` by collecting ordered pieces in parallel
/// and extending sequentially from them.
macro_rules! extend_from_pieces {
    ($(impl[$($p:tt)*] for $target:ty, item $item:ty $(, where [$($bounds:tt)*])?;)*) => {$(
        impl<$($p)*> ParallelExtend<$item> for $target
        where
            $($($bounds)*)?
        {
            fn par_extend<I>(&mut self, par_iter: I)
            where
                I: IntoParallelIterator<Item = $item>,
            {
                let pieces = collect_pieces(par_iter.into_par_iter());
                for piece in pieces {
                    self.extend(piece);
                }
            }
        }
    )*};
}

extend_from_pieces! {
    impl[T] for VecDeque<T>, item T, where [T: Send];
    impl['a, T] for VecDeque<T>, item &'a T, where [T: 'a + Copy + Send + Sync];
    impl[T] for BinaryHeap<T>, item T, where [T: Ord + Send];
    impl['a, T] for BinaryHeap<T>, item &'a T, where [T: 'a + Ord + Copy + Send + Sync];
    impl[T] for LinkedList<T>, item T, where [T: Send];
    impl['a, T] for LinkedList<T>, item &'a T, where [T: 'a + Copy + Send + Sync];
    impl[K, V, S] for HashMap<K, V, S>, item (K, V), where [K: Eq + Hash + Send, V: Send, S: BuildHasher + Send];
    impl['a, K, V, S] for HashMap<K, V, S>, item (&'a K, &'a V),
        where [K: 'a + Copy + Eq + Hash + Send + Sync, V: 'a + Copy + Send + Sync, S: BuildHasher + Send];
    impl[K, V] for BTreeMap<K, V>, item (K, V), where [K: Ord + Send, V: Send];
    impl['a, K, V] for BTreeMap<K, V>, item (&'a K, &'a V),
        where [K: 'a + Copy + Ord + Send + Sync, V: 'a + Copy + Send + Sync];
    impl[T, S] for HashSet<T, S>, item T, where [T: Eq + Hash + Send, S: BuildHasher + Send];
    impl['a, T, S] for HashSet<T, S>, item &'a T, where [T: 'a + Copy + Eq + Hash + Send + Sync, S: BuildHasher + Send];
    impl[T] for BTreeSet<T>, item T, where [T: Ord + Send];
    impl['a, T] for BTreeSet<T>, item &'a T, where [T: 'a + Copy + Ord + Send + Sync];
    impl[] for String, item char;
    impl['a] for String, item &'a char;
    impl['a] for String, item &'a str;
    impl[] for String, item String;
    impl[] for String, item Box<str>;
    impl['a] for String, item Cow<'a, str>;
    impl['a] for OsString, item &'a OsStr;
    impl[] for OsString, item OsString;
    impl['a] for OsString, item Cow<'a, OsStr>;
}

impl ParallelExtend<()> for () {
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = ()>,
    {
        par_iter.into_par_iter().for_each(drop);
    }
}

/// Extends both collections of a pair with the halves of the items.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut pair = (vec![0], String::new());
/// pair.par_extend((1..3_u32).into_par_iter().map(|n| (n, 'x')));
/// assert_eq!(pair, (vec![0, 1, 2], String::from("xx")));
/// ```
impl<A, B, FromA, FromB> ParallelExtend<(A, B)> for (FromA, FromB)
where
    A: Send,
    B: Send,
    FromA: Send + ParallelExtend<A>,
    FromB: Send + ParallelExtend<B>,
{
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = (A, B)>,
    {
        let (a, b) = unzip_pieces(par_iter.into_par_iter());
        self.0.par_extend(a.into_par_iter().flatten_iter());
        self.1.par_extend(b.into_par_iter().flatten_iter());
    }
}

/// Extends the first collection with the `Left` values, the second with
/// the `Right` ones.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::Either;
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut pair = (Vec::new(), Vec::new());
/// pair.par_extend((0..5_u32).into_par_iter().map(|n| if n % 2 == 0 { Either::Left(n) } else { Either::Right(n) }));
/// assert_eq!(pair, (vec![0, 2, 4], vec![1, 3]));
/// ```
impl<L, R, A, B> ParallelExtend<Either<L, R>> for (A, B)
where
    L: Send,
    R: Send,
    A: Send + ParallelExtend<L>,
    B: Send + ParallelExtend<R>,
{
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = Either<L, R>>,
    {
        let (a, b) = partition_pieces(par_iter.into_par_iter());
        self.0.par_extend(a.into_par_iter().flatten_iter());
        self.1.par_extend(b.into_par_iter().flatten_iter());
    }
}

/// The halves of the pairs, as ordered pieces.
fn unzip_pieces<I, A, B>(par_iter: I) -> (Vec<Vec<A>>, Vec<Vec<B>>)
where
    I: ParallelIterator<Item = (A, B)>,
    A: Send,
    B: Send,
{
    let pieces: Vec<(Vec<A>, Vec<B>)> = par_iter
        .fold(
            || (Vec::new(), Vec::new()),
            |(mut a, mut b), (x, y)| {
                a.push(x);
                b.push(y);
                (a, b)
            },
        )
        .collect();
    pieces.into_iter().unzip()
}

/// The `Left` and the `Right` values, as ordered pieces.
fn partition_pieces<I, L, R>(par_iter: I) -> (Vec<Vec<L>>, Vec<Vec<R>>)
where
    I: ParallelIterator<Item = Either<L, R>>,
    L: Send,
    R: Send,
{
    let pieces: Vec<(Vec<L>, Vec<R>)> = par_iter
        .fold(
            || (Vec::new(), Vec::new()),
            |(mut left, mut right), item| {
                match item {
                    Either::Left(l) => left.push(l),
                    Either::Right(r) => right.push(r),
                }
                (left, right)
            },
        )
        .collect();
    pieces.into_iter().unzip()
}

/// `unzip`: both halves, in order, into two collections.
pub(super) fn unzip<I, A, B, FromA, FromB>(par_iter: I) -> (FromA, FromB)
where
    I: ParallelIterator<Item = (A, B)>,
    A: Send,
    B: Send,
    FromA: Default + Send + ParallelExtend<A>,
    FromB: Default + Send + ParallelExtend<B>,
{
    let mut pair = (FromA::default(), FromB::default());
    pair.par_extend(par_iter);
    pair
}

/// `partition_map`: `Left` values into one collection, `Right` values
/// into the other, in order.
pub(super) fn partition_map<I, L, R, A, B>(par_iter: I) -> (A, B)
where
    I: ParallelIterator<Item = Either<L, R>>,
    L: Send,
    R: Send,
    A: Default + Send + ParallelExtend<L>,
    B: Default + Send + ParallelExtend<R>,
{
    let mut pair = (A::default(), B::default());
    pair.par_extend(par_iter);
    pair
}

/// Implements `FromParallelIterator` by way of another collection.
macro_rules! collect_via {
    ($(impl[$($p:tt)*] for $target:ty, item $item:ty, via $via:ty $(, where [$($bounds:tt)*])?;)*) => {$(
        impl<$($p)*> FromParallelIterator<$item> for $target
        where
            $($($bounds)*)?
        {
            fn from_par_iter<I>(par_iter: I) -> Self
            where
                I: IntoParallelIterator<Item = $item>,
            {
                <$via>::from_par_iter(par_iter).into()
            }
        }
    )*};
}

collect_via! {
    impl[T] for Box<[T]>, item T, via Vec<T>, where [T: Send];
    impl[T] for Rc<[T]>, item T, via Vec<T>, where [T: Send];
    impl[T] for Arc<[T]>, item T, via Vec<T>, where [T: Send];
    impl[T] for VecDeque<T>, item T, via Vec<T>, where [T: Send];
    impl[T] for BinaryHeap<T>, item T, via Vec<T>, where [T: Ord + Send];
    impl[] for Box<str>, item char, via String;
    impl['a] for Box<str>, item &'a char, via String;
    impl['a] for Box<str>, item &'a str, via String;
    impl[] for Box<str>, item String, via String;
    impl[] for Box<str>, item Box<str>, via String;
    impl['a] for Box<str>, item Cow<'a, str>, via String;
}

/// Implements `FromParallelIterator` with `ParallelExtend` on a default
/// value.
macro_rules! collect_by_extending {
    ($(impl[$($p:tt)*] for $target:ty, item $item:ty;)*) => {$(
        impl<$($p)*> FromParallelIterator<$item> for $target {
            fn from_par_iter<I>(par_iter: I) -> Self
            where
                I: IntoParallelIterator<Item = $item>,
            {
                let mut target = <$target>::default();
                target.par_extend(par_iter);
                target
            }
        }
    )*};
}

collect_by_extending! {
    impl['a] for OsString, item &'a OsStr;
    impl[] for OsString, item OsString;
    impl['a] for OsString, item Cow<'a, OsStr>;
    impl['a] for String, item &'a char;
    impl[] for String, item Box<str>;
    impl['a] for String, item Cow<'a, str>;
}

impl<T: Send> FromParallelIterator<T> for LinkedList<T> {
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = T>,
    {
        collect_pieces(par_iter.into_par_iter())
            .into_iter()
            .flatten()
            .collect()
    }
}

/// Collects into the owned form of `C`.
///
/// # Examples
///
/// ```
/// use std::borrow::Cow;
/// use threadpool_rayon_compat::prelude::*;
///
/// let s: Cow<'_, str> = ['h', 'i'].into_par_iter().collect();
/// assert_eq!(s, "hi");
/// ```
impl<'a, C, T> FromParallelIterator<T> for Cow<'a, C>
where
    C: ToOwned<Owned: FromParallelIterator<T>> + ?Sized,
    T: Send,
{
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = T>,
    {
        Cow::Owned(C::Owned::from_par_iter(par_iter))
    }
}

/// Collects the halves of the pairs, in order, into two collections.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let (numbers, names): (Vec<u32>, Vec<String>) = (1..3_u32).into_par_iter().map(|n| (n, n.to_string())).collect();
/// assert_eq!((numbers, names), (vec![1, 2], vec!["1".to_string(), "2".to_string()]));
/// ```
impl<A, B, FromA, FromB> FromParallelIterator<(A, B)> for (FromA, FromB)
where
    A: Send,
    B: Send,
    FromA: Send + FromParallelIterator<A>,
    FromB: Send + FromParallelIterator<B>,
{
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = (A, B)>,
    {
        let (a, b) = unzip_pieces(par_iter.into_par_iter());
        crate::join(
            || FromA::from_par_iter(a.into_par_iter().flatten_iter()),
            || FromB::from_par_iter(b.into_par_iter().flatten_iter()),
        )
    }
}

/// Collects the `Left` values, in order, into the first collection and the
/// `Right` ones into the second.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::Either;
/// use threadpool_rayon_compat::prelude::*;
///
/// let (even, odd): (Vec<u32>, Vec<u32>) = (0..5_u32)
///     .into_par_iter()
///     .map(|n| if n % 2 == 0 { Either::Left(n) } else { Either::Right(n) })
///     .collect();
/// assert_eq!((even, odd), (vec![0, 2, 4], vec![1, 3]));
/// ```
impl<L, R, A, B> FromParallelIterator<Either<L, R>> for (A, B)
where
    L: Send,
    R: Send,
    A: Send + FromParallelIterator<L>,
    B: Send + FromParallelIterator<R>,
{
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = Either<L, R>>,
    {
        let (a, b) = partition_pieces(par_iter.into_par_iter());
        crate::join(
            || A::from_par_iter(a.into_par_iter().flatten_iter()),
            || B::from_par_iter(b.into_par_iter().flatten_iter()),
        )
    }
}
