//! `par_drain`: [`ParallelDrainRange`] for `Vec`, `VecDeque` and `String`,
//! [`ParallelDrainFull`] for `HashMap`, `HashSet` and `BinaryHeap`.
//!
//! The drained items are moved out of the collection when `par_drain` is
//! called (the collection keeps its allocation and the items outside the
//! range), and the returned iterator owns them: it yields each exactly
//! once, and those it does not yield are dropped with it.

use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::marker::PhantomData;
use std::ops::RangeBounds;

use super::pieces::PieceCallback;
use super::source::VecIntoIter;
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};

/// Moves a range of items out of a collection, as a parallel iterator:
/// rayon's `ParallelDrainRange`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut v: Vec<u32> = (0..10).collect();
/// let drained: Vec<u32> = v.par_drain(2..5).collect();
/// assert_eq!(drained, [2, 3, 4]);
/// assert_eq!(v, [0, 1, 5, 6, 7, 8, 9]);
/// ```
pub trait ParallelDrainRange<Idx = usize> {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items.
    type Item: Send;

    /// Moves the items in `range` out of the collection.
    ///
    /// # Panics
    ///
    /// If the range is out of bounds (or, for a `String`, not on character
    /// boundaries).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut s = String::from("héllo");
    /// let drained: String = s.par_drain(1..3).collect();
    /// assert_eq!((drained.as_str(), s.as_str()), ("é", "hllo"));
    /// ```
    fn par_drain<R: RangeBounds<Idx>>(self, range: R) -> Self::Iter;
}

/// Moves every item out of a collection, as a parallel iterator: rayon's
/// `ParallelDrainFull`.
///
/// # Examples
///
/// ```
/// use std::collections::HashSet;
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut set: HashSet<u32> = (0..10).collect();
/// assert_eq!(set.par_drain().sum::<u32>(), 45);
/// assert!(set.is_empty());
/// ```
pub trait ParallelDrainFull {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items.
    type Item: Send;

    /// Moves every item out of the collection.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BinaryHeap;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut heap = BinaryHeap::from([3, 1, 2]);
    /// let mut v: Vec<i32> = heap.par_drain().collect();
    /// v.sort();
    /// assert_eq!(v, [1, 2, 3]);
    /// assert!(heap.is_empty());
    /// ```
    fn par_drain(self) -> Self::Iter;
}

/// The items drained from a collection borrowed for `'a`.
///
/// # Examples
///
/// ```
/// use std::collections::VecDeque;
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut d: VecDeque<u8> = (0..5).collect();
/// assert_eq!(d.par_drain(..2).rev().collect::<Vec<_>>(), [1, 0]);
/// assert_eq!(d, [2, 3, 4]);
/// ```
#[derive(Debug)]
pub struct Drain<'a, T> {
    items: VecIntoIter<T>,
    _collection: PhantomData<&'a mut T>,
}

impl<T: Send> Drain<'_, T> {
    fn new(items: Vec<T>) -> Self {
        Drain {
            items: items.into_par_iter(),
            _collection: PhantomData,
        }
    }
}

impl<T: Send> ParallelIterator for Drain<'_, T> {
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        self.items.with_pieces(callback)
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

impl<T: Send> IndexedParallelIterator for Drain<'_, T> {
    fn len(&self) -> usize {
        self.items.len()
    }
}

impl<'a, T: Send> ParallelDrainRange<usize> for &'a mut Vec<T> {
    type Iter = Drain<'a, T>;
    type Item = T;

    fn par_drain<R: RangeBounds<usize>>(self, range: R) -> Drain<'a, T> {
        Drain::new(self.drain(range).collect())
    }
}

impl<'a, T: Send> ParallelDrainRange<usize> for &'a mut VecDeque<T> {
    type Iter = Drain<'a, T>;
    type Item = T;

    fn par_drain<R: RangeBounds<usize>>(self, range: R) -> Drain<'a, T> {
        Drain::new(self.drain(range).collect())
    }
}

/// The characters drained from a `String`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut s = String::from("abcdef");
/// assert_eq!(s.par_drain(..3).count(), 3);
/// assert_eq!(s, "def");
/// ```
#[derive(Debug)]
pub struct StringDrain<'a> {
    text: String,
    _string: PhantomData<&'a mut String>,
}

impl ParallelIterator for StringDrain<'_> {
    type Item = char;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<char>,
    {
        use crate::str::ParallelString;
        self.text.par_chars().with_pieces(callback)
    }
}

impl<'a> ParallelDrainRange<usize> for &'a mut String {
    type Iter = StringDrain<'a>;
    type Item = char;

    fn par_drain<R: RangeBounds<usize>>(self, range: R) -> StringDrain<'a> {
        StringDrain {
            text: self.drain(range).collect(),
            _string: PhantomData,
        }
    }
}

impl<'a, K: Send + Eq + Hash, V: Send, S> ParallelDrainFull for &'a mut HashMap<K, V, S> {
    type Iter = Drain<'a, (K, V)>;
    type Item = (K, V);

    fn par_drain(self) -> Drain<'a, (K, V)> {
        Drain::new(self.drain().collect())
    }
}

impl<'a, T: Send + Eq + Hash, S> ParallelDrainFull for &'a mut HashSet<T, S> {
    type Iter = Drain<'a, T>;
    type Item = T;

    fn par_drain(self) -> Drain<'a, T> {
        Drain::new(self.drain().collect())
    }
}

impl<'a, T: Send> ParallelDrainFull for &'a mut BinaryHeap<T> {
    type Iter = Drain<'a, T>;
    type Item = T;

    fn par_drain(self) -> Drain<'a, T> {
        Drain::new(self.drain().collect())
    }
}
