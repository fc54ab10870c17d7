//! The sources: slices, `Vec`, integer ranges and slice chunks.

use std::mem::MaybeUninit;
use std::ops::{Range, RangeInclusive};

use super::pieces::{Piece, PieceCallback};
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};

/// A parallel iterator over `&T` in a slice; from `par_iter()`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::Iter;
/// use threadpool_rayon_compat::prelude::*;
///
/// let v = [1, 2, 3];
/// let iter: Iter<'_, i32> = v.par_iter();
/// assert_eq!(iter.sum::<i32>(), 6);
/// ```
#[derive(Debug)]
pub struct Iter<'data, T> {
    slice: &'data [T],
}

impl<'data, T: Sync> IntoParallelIterator for &'data [T] {
    type Iter = Iter<'data, T>;
    type Item = &'data T;

    fn into_par_iter(self) -> Iter<'data, T> {
        Iter { slice: self }
    }
}

impl<'data, T: Sync> IntoParallelIterator for &'data Vec<T> {
    type Iter = Iter<'data, T>;
    type Item = &'data T;

    fn into_par_iter(self) -> Iter<'data, T> {
        Iter { slice: self }
    }
}

impl<'data, T: Sync, const N: usize> IntoParallelIterator for &'data [T; N] {
    type Iter = Iter<'data, T>;
    type Item = &'data T;

    fn into_par_iter(self) -> Iter<'data, T> {
        Iter { slice: self }
    }
}

impl<'data, T: Sync> ParallelIterator for Iter<'data, T> {
    type Item = &'data T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        callback.callback(SliceProducer { slice: self.slice })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.slice.len())
    }
}

impl<T: Sync> IndexedParallelIterator for Iter<'_, T> {
    fn len(&self) -> usize {
        self.slice.len()
    }
}

struct SliceProducer<'data, T> {
    slice: &'data [T],
}

impl<'data, T: Sync> Piece for SliceProducer<'data, T> {
    type Item = &'data T;
    type IntoIter = std::slice::Iter<'data, T>;

    fn len(&self) -> usize {
        self.slice.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.slice.split_at(index);
        (
            SliceProducer { slice: left },
            SliceProducer { slice: right },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.slice.iter()
    }
}

/// A parallel iterator over `&mut T` in a slice; from `par_iter_mut()`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut v = vec![1, 2, 3];
/// v.par_iter_mut().for_each(|x| *x = -*x);
/// assert_eq!(v, [-1, -2, -3]);
/// ```
#[derive(Debug)]
pub struct IterMut<'data, T> {
    slice: &'data mut [T],
}

impl<'data, T: Send> IntoParallelIterator for &'data mut [T] {
    type Iter = IterMut<'data, T>;
    type Item = &'data mut T;

    fn into_par_iter(self) -> IterMut<'data, T> {
        IterMut { slice: self }
    }
}

impl<'data, T: Send> IntoParallelIterator for &'data mut Vec<T> {
    type Iter = IterMut<'data, T>;
    type Item = &'data mut T;

    fn into_par_iter(self) -> IterMut<'data, T> {
        IterMut { slice: self }
    }
}

impl<'data, T: Send, const N: usize> IntoParallelIterator for &'data mut [T; N] {
    type Iter = IterMut<'data, T>;
    type Item = &'data mut T;

    fn into_par_iter(self) -> IterMut<'data, T> {
        IterMut { slice: self }
    }
}

impl<'data, T: Send> ParallelIterator for IterMut<'data, T> {
    type Item = &'data mut T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        callback.callback(SliceMutProducer { slice: self.slice })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.slice.len())
    }
}

impl<T: Send> IndexedParallelIterator for IterMut<'_, T> {
    fn len(&self) -> usize {
        self.slice.len()
    }
}

pub(super) struct SliceMutProducer<'data, T> {
    pub(super) slice: &'data mut [T],
}

impl<'data, T: Send> Piece for SliceMutProducer<'data, T> {
    type Item = &'data mut T;
    type IntoIter = std::slice::IterMut<'data, T>;

    fn len(&self) -> usize {
        self.slice.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.slice.split_at_mut(index);
        (
            SliceMutProducer { slice: left },
            SliceMutProducer { slice: right },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.slice.iter_mut()
    }
}

/// A parallel iterator that moves the elements out of a `Vec`; from
/// `into_par_iter()`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v = vec![String::from("a"), String::from("b")];
/// let joined: Vec<String> = v.into_par_iter().map(|s| s + "!").collect();
/// assert_eq!(joined, ["a!", "b!"]);
/// ```
#[derive(Debug)]
pub struct VecIntoIter<T> {
    vec: Vec<T>,
}

impl<T: Send> IntoParallelIterator for Vec<T> {
    type Iter = VecIntoIter<T>;
    type Item = T;

    fn into_par_iter(self) -> VecIntoIter<T> {
        VecIntoIter { vec: self }
    }
}

/// Moves the elements out of the array, as rayon does (not references:
/// those come from `par_iter()`).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let owned: Vec<String> = [String::from("a"), String::from("b")].into_par_iter().collect();
/// assert_eq!(owned, ["a", "b"]);
/// ```
impl<T: Send, const N: usize> IntoParallelIterator for [T; N] {
    type Iter = VecIntoIter<T>;
    type Item = T;

    fn into_par_iter(self) -> VecIntoIter<T> {
        VecIntoIter {
            vec: Vec::from(self),
        }
    }
}

/// Moves the elements out of the boxed slice, as rayon does.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let boxed: Box<[u32]> = vec![1, 2, 3].into_boxed_slice();
/// let doubled: Vec<u32> = boxed.into_par_iter().map(|n| n * 2).collect();
/// assert_eq!(doubled, [2, 4, 6]);
/// ```
impl<T: Send> IntoParallelIterator for Box<[T]> {
    type Iter = VecIntoIter<T>;
    type Item = T;

    fn into_par_iter(self) -> VecIntoIter<T> {
        VecIntoIter {
            vec: self.into_vec(),
        }
    }
}

impl<T: Send> ParallelIterator for VecIntoIter<T> {
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        let mut vec = self.vec;
        let len = vec.len();
        // SAFETY: 0 <= capacity, and no element below 0 needs to be
        // initialized. The elements stay in the buffer, now owned by the
        // producer below (see `DrainProducer`); if anything unwinds they are
        // dropped there, not by `vec`, and if they are leaked `vec` still
        // frees only its buffer.
        unsafe { vec.set_len(0) };
        let slots = &mut vec.spare_capacity_mut()[..len];
        callback.callback(DrainProducer { slots })
        // `vec` frees its buffer here; every element has been moved out or
        // dropped by the producer and its iterators.
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.vec.len())
    }
}

impl<T: Send> IndexedParallelIterator for VecIntoIter<T> {
    fn len(&self) -> usize {
        self.vec.len()
    }
}

/// Owns the initialized elements in `slots`: each is moved out by
/// [`DrainIter`] or dropped by `Drop`, exactly once.
struct DrainProducer<'data, T> {
    slots: &'data mut [MaybeUninit<T>],
}

impl<'data, T: Send> Piece for DrainProducer<'data, T> {
    type Item = T;
    type IntoIter = DrainIter<'data, T>;

    fn len(&self) -> usize {
        self.slots.len()
    }

    fn split_at(mut self, index: usize) -> (Self, Self) {
        // Taking the slots leaves `self` empty, so its `Drop` does nothing;
        // ownership of every element passes to exactly one half.
        let (left, right) = std::mem::take(&mut self.slots).split_at_mut(index);
        (
            DrainProducer { slots: left },
            DrainProducer { slots: right },
        )
    }

    fn into_seq_iter(mut self) -> Self::IntoIter {
        DrainIter {
            slots: std::mem::take(&mut self.slots).iter_mut(),
        }
    }
}

impl<T> Drop for DrainProducer<'_, T> {
    fn drop(&mut self) {
        for slot in std::mem::take(&mut self.slots) {
            // SAFETY: the producer owns its slots, all initialized (the
            // struct's invariant), and this is the only time they are
            // touched: the slice was taken out of `self`.
            unsafe { slot.assume_init_drop() };
        }
    }
}

/// Moves elements out of the slots of a [`DrainProducer`]; drops those
/// not yielded.
struct DrainIter<'data, T> {
    slots: std::slice::IterMut<'data, MaybeUninit<T>>,
}

impl<T> Iterator for DrainIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let slot = self.slots.next()?;
        // SAFETY: every slot is initialized and owned by this iterator (it
        // took them from the producer), and `IterMut` hands out each slot
        // once, so the element is read out once and never dropped here.
        Some(unsafe { slot.assume_init_read() })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.slots.size_hint()
    }
}

impl<T> Drop for DrainIter<'_, T> {
    fn drop(&mut self) {
        for slot in &mut self.slots {
            // SAFETY: slots not yet yielded are initialized and owned by
            // this iterator; each is visited once.
            unsafe { slot.assume_init_drop() };
        }
    }
}

/// An integer type whose ranges are parallel iterators: `u8` to `u128`,
/// `i8` to `i128`, `usize`, `isize`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::RangeInteger;
///
/// assert_eq!(u8::span(3, 10), 7);
/// assert_eq!(i32::offset(-2, 5), 3);
/// ```
pub trait RangeInteger: Copy + Send + Sync + 'static {
    /// The number of values in `start..end` (0 if `end <= start`).
    fn span(start: Self, end: Self) -> usize;
    /// `start + n`, for `n` within a range's span.
    fn offset(start: Self, n: usize) -> Self;
}

macro_rules! range_integer {
    ($($t:ty),*) => {$(
        impl RangeInteger for $t {
            fn span(start: Self, end: Self) -> usize {
                if end <= start {
                    return 0;
                }
                let span = i128::from(end) - i128::from(start);
                usize::try_from(span).expect("the range is longer than usize::MAX")
            }

            fn offset(start: Self, n: usize) -> Self {
                let n = i128::try_from(n).expect("an index fits i128");
                <$t>::try_from(i128::from(start) + n).expect("the offset is within the range")
            }
        }
    )*};
}

range_integer!(u8, u16, u32, u64, i8, i16, i32, i64);

impl RangeInteger for u128 {
    fn span(start: Self, end: Self) -> usize {
        if end <= start {
            return 0;
        }
        usize::try_from(end - start).expect("the range is longer than usize::MAX")
    }

    fn offset(start: Self, n: usize) -> Self {
        start + n as u128
    }
}

impl RangeInteger for i128 {
    fn span(start: Self, end: Self) -> usize {
        if end <= start {
            return 0;
        }
        usize::try_from(end.abs_diff(start)).expect("the range is longer than usize::MAX")
    }

    fn offset(start: Self, n: usize) -> Self {
        start
            .checked_add_unsigned(n as u128)
            .expect("the offset is within the range")
    }
}

impl RangeInteger for usize {
    fn span(start: Self, end: Self) -> usize {
        end.saturating_sub(start)
    }

    fn offset(start: Self, n: usize) -> Self {
        start + n
    }
}

impl RangeInteger for isize {
    fn span(start: Self, end: Self) -> usize {
        if end <= start { 0 } else { end.abs_diff(start) }
    }

    fn offset(start: Self, n: usize) -> Self {
        start
            .checked_add_unsigned(n)
            .expect("the offset is within the range")
    }
}

/// A parallel iterator over an integer range; from `(a..b).into_par_iter()`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!((0..100_i64).into_par_iter().filter(|n| n % 10 == 0).count(), 10);
/// ```
#[derive(Debug, Clone)]
pub struct RangeIter<T> {
    range: Range<T>,
}

impl<T: RangeInteger> IntoParallelIterator for Range<T>
where
    Range<T>: Iterator<Item = T>,
{
    type Iter = RangeIter<T>;
    type Item = T;

    fn into_par_iter(self) -> RangeIter<T> {
        RangeIter { range: self }
    }
}

impl<T: RangeInteger> ParallelIterator for RangeIter<T>
where
    Range<T>: Iterator<Item = T>,
{
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        callback.callback(RangeProducer {
            range: self.range,
            last: None,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(T::span(self.range.start, self.range.end))
    }
}

impl<T: RangeInteger> IndexedParallelIterator for RangeIter<T>
where
    Range<T>: Iterator<Item = T>,
{
    fn len(&self) -> usize {
        T::span(self.range.start, self.range.end)
    }
}

/// A parallel iterator over an inclusive integer range; from
/// `(a..=b).into_par_iter()`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!((250..=u8::MAX).into_par_iter().count(), 6);
/// ```
#[derive(Debug, Clone)]
pub struct RangeInclusiveIter<T> {
    /// `start..end` and then `end`, or an empty range and `None`.
    range: Range<T>,
    last: Option<T>,
}

impl<T: RangeInteger + PartialOrd> IntoParallelIterator for RangeInclusive<T>
where
    Range<T>: Iterator<Item = T>,
{
    type Iter = RangeInclusiveIter<T>;
    type Item = T;

    fn into_par_iter(self) -> RangeInclusiveIter<T> {
        let (start, end) = self.into_inner();
        if start <= end {
            RangeInclusiveIter {
                range: start..end,
                last: Some(end),
            }
        } else {
            RangeInclusiveIter {
                range: start..start,
                last: None,
            }
        }
    }
}

impl<T: RangeInteger> ParallelIterator for RangeInclusiveIter<T>
where
    Range<T>: Iterator<Item = T>,
{
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        callback.callback(RangeProducer {
            range: self.range,
            last: self.last,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<T: RangeInteger> IndexedParallelIterator for RangeInclusiveIter<T>
where
    Range<T>: Iterator<Item = T>,
{
    fn len(&self) -> usize {
        T::span(self.range.start, self.range.end) + usize::from(self.last.is_some())
    }
}

/// `range`, then `last` if any (the end of an inclusive range).
struct RangeProducer<T> {
    range: Range<T>,
    last: Option<T>,
}

impl<T: RangeInteger> Piece for RangeProducer<T>
where
    Range<T>: Iterator<Item = T>,
{
    type Item = T;
    type IntoIter = std::iter::Chain<Range<T>, std::option::IntoIter<T>>;

    fn len(&self) -> usize {
        T::span(self.range.start, self.range.end) + usize::from(self.last.is_some())
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let span = T::span(self.range.start, self.range.end);
        if index <= span {
            let mid = T::offset(self.range.start, index);
            let left = RangeProducer {
                range: self.range.start..mid,
                last: None,
            };
            let right = RangeProducer {
                range: mid..self.range.end,
                last: self.last,
            };
            (left, right)
        } else {
            // Only `index == len` gets here: everything goes left.
            let end = self.range.end;
            (
                self,
                RangeProducer {
                    range: end..end,
                    last: None,
                },
            )
        }
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.range.chain(self.last)
    }
}

/// A parallel iterator over chunks of a slice; from `par_chunks()`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v = [1, 2, 3, 4, 5];
/// assert_eq!(v.par_chunks(2).len(), 3);
/// ```
#[derive(Debug)]
pub struct Chunks<'data, T> {
    slice: &'data [T],
    size: usize,
}

impl<'data, T: Sync> Chunks<'data, T> {
    pub(super) fn new(slice: &'data [T], size: usize) -> Self {
        assert!(size != 0, "chunk_size must not be zero");
        Chunks { slice, size }
    }
}

impl<'data, T: Sync> ParallelIterator for Chunks<'data, T> {
    type Item = &'data [T];

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        callback.callback(ChunksProducer {
            slice: self.slice,
            size: self.size,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<T: Sync> IndexedParallelIterator for Chunks<'_, T> {
    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.size)
    }
}

struct ChunksProducer<'data, T> {
    slice: &'data [T],
    size: usize,
}

impl<'data, T: Sync> Piece for ChunksProducer<'data, T> {
    type Item = &'data [T];
    type IntoIter = std::slice::Chunks<'data, T>;

    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.size)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let at = index.saturating_mul(self.size).min(self.slice.len());
        let (left, right) = self.slice.split_at(at);
        let size = self.size;
        (
            ChunksProducer { slice: left, size },
            ChunksProducer { slice: right, size },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.slice.chunks(self.size)
    }
}

/// A parallel iterator over mutable chunks of a slice; from
/// `par_chunks_mut()`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut v = [0_u8; 7];
/// assert_eq!(v.par_chunks_mut(3).len(), 3);
/// ```
#[derive(Debug)]
pub struct ChunksMut<'data, T> {
    slice: &'data mut [T],
    size: usize,
}

impl<'data, T: Send> ChunksMut<'data, T> {
    pub(super) fn new(slice: &'data mut [T], size: usize) -> Self {
        assert!(size != 0, "chunk_size must not be zero");
        ChunksMut { slice, size }
    }
}

impl<'data, T: Send> ParallelIterator for ChunksMut<'data, T> {
    type Item = &'data mut [T];

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        callback.callback(ChunksMutProducer {
            slice: self.slice,
            size: self.size,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<T: Send> IndexedParallelIterator for ChunksMut<'_, T> {
    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.size)
    }
}

struct ChunksMutProducer<'data, T> {
    slice: &'data mut [T],
    size: usize,
}

impl<'data, T: Send> Piece for ChunksMutProducer<'data, T> {
    type Item = &'data mut [T];
    type IntoIter = std::slice::ChunksMut<'data, T>;

    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.size)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let at = index.saturating_mul(self.size).min(self.slice.len());
        let (left, right) = self.slice.split_at_mut(at);
        let size = self.size;
        (
            ChunksMutProducer { slice: left, size },
            ChunksMutProducer { slice: right, size },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.slice.chunks_mut(self.size)
    }
}
