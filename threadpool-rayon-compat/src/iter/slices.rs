//! The slice iterators besides `par_iter` and `par_chunks`: windows,
//! exact and reverse chunks, splits by a separator predicate, and runs
//! (`par_chunk_by`), shared and mutable.
//!
//! The chunk and window iterators are indexed: a split position maps to an
//! element position. The split and run iterators are not: they cut a slice
//! near its middle at a separator (or between two elements of different
//! runs), where the two sides' sequential iterators together give exactly
//! the whole slice's items.

use super::pieces::{Piece, PieceCallback};
use super::{IndexedParallelIterator, ParallelIterator};

/// Declares an indexed slice iterator whose producer is the struct itself:
/// `$len` is its item count, `$split` cuts the slice for a split at item
/// `index`, `$seq` is the sequential iterator.
macro_rules! indexed_slice_iter {
    (
        $(#[$doc:meta])*
        $name:ident<$T:ident: $bound:ident>, $slice:ty, item $item:ty,
        len: |$ls:ident, $lsize:ident| $len:expr,
        split: |$ss:ident, $ssize:ident, $index:ident| $split:expr,
        seq: $seq:ty = |$qs:ident, $qsize:ident| $seqexpr:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name<'data, $T> {
            slice: $slice,
            size: usize,
        }

        impl<'data, $T: $bound> ParallelIterator for $name<'data, $T> {
            type Item = $item;

            fn with_pieces<CB>(self, callback: CB) -> CB::Output
            where
                CB: PieceCallback<Self::Item>,
            {
                callback.callback(self)
            }

            fn opt_len(&self) -> Option<usize> {
                Some(Piece::len(self))
            }
        }

        impl<'data, $T: $bound> IndexedParallelIterator for $name<'data, $T> {
            fn len(&self) -> usize {
                Piece::len(self)
            }
        }

        impl<'data, $T: $bound> Piece for $name<'data, $T> {
            type Item = $item;
            type IntoIter = $seq;

            fn len(&self) -> usize {
                let ($ls, $lsize) = (&self.slice, self.size);
                $len
            }

            fn split_at(self, $index: usize) -> (Self, Self) {
                let ($ss, $ssize) = (self.slice, self.size);
                let (left, right) = $split;
                (
                    $name { slice: left, size: $ssize },
                    $name { slice: right, size: $ssize },
                )
            }

            fn into_seq_iter(self) -> Self::IntoIter {
                let ($qs, $qsize) = (self.slice, self.size);
                $seqexpr
            }
        }
    };
}

indexed_slice_iter!(
    /// Overlapping windows of a slice; from
    /// [`par_windows`](super::ParallelSlice::par_windows).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let sums: Vec<i32> = [1, 2, 3, 4].par_windows(2).map(|w| w[0] + w[1]).collect();
    /// assert_eq!(sums, [3, 5, 7]);
    /// ```
    Windows<T: Sync>, &'data [T], item &'data [T],
    len: |slice, size| (slice.len() + 1).saturating_sub(size),
    split: |slice, size, index| {
        let len = slice.len();
        (&slice[..(index + size - 1).min(len)], &slice[index.min(len)..])
    },
    seq: std::slice::Windows<'data, T> = |slice, size| slice.windows(size)
);

indexed_slice_iter!(
    /// Chunks of exactly `chunk_size` elements, the remainder left out;
    /// from [`par_chunks_exact`](super::ParallelSlice::par_chunks_exact).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v = [1, 2, 3, 4, 5];
    /// let chunks = v.par_chunks_exact(2);
    /// assert_eq!(chunks.remainder(), [5]);
    /// assert_eq!(chunks.map(|c| c.len()).collect::<Vec<_>>(), [2, 2]);
    /// ```
    ChunksExactSlice<T: Sync>, &'data [T], item &'data [T],
    len: |slice, size| slice.len() / size,
    split: |slice, size, index| slice.split_at(index * size),
    seq: std::slice::ChunksExact<'data, T> = |slice, size| slice.chunks_exact(size)
);

indexed_slice_iter!(
    /// Mutable chunks of exactly `chunk_size` elements; from
    /// [`par_chunks_exact_mut`](super::ParallelSliceMut::par_chunks_exact_mut).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3, 4, 5];
    /// v.par_chunks_exact_mut(2).for_each(|c| c.swap(0, 1));
    /// assert_eq!(v, [2, 1, 4, 3, 5]);
    /// ```
    ChunksExactMutSlice<T: Send>, &'data mut [T], item &'data mut [T],
    len: |slice, size| slice.len() / size,
    split: |slice, size, index| slice.split_at_mut(index * size),
    seq: std::slice::ChunksExactMut<'data, T> = |slice, size| slice.chunks_exact_mut(size)
);

indexed_slice_iter!(
    /// Chunks from the end of a slice, the first one possibly shorter;
    /// from [`par_rchunks`](super::ParallelSlice::par_rchunks).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&[u8]> = [1, 2, 3].par_rchunks(2).collect();
    /// assert_eq!(v, [&[2, 3][..], &[1][..]]);
    /// ```
    RChunks<T: Sync>, &'data [T], item &'data [T],
    len: |slice, size| slice.len().div_ceil(size),
    split: |slice, size, index| {
        let (front, back) = slice.split_at(slice.len().saturating_sub(index * size));
        (back, front)
    },
    seq: std::slice::RChunks<'data, T> = |slice, size| slice.rchunks(size)
);

indexed_slice_iter!(
    /// Mutable chunks from the end of a slice; from
    /// [`par_rchunks_mut`](super::ParallelSliceMut::par_rchunks_mut).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// v.par_rchunks_mut(2).enumerate().for_each(|(i, c)| c[0] = i as i32 * 10);
    /// assert_eq!(v, [10, 0, 3]);
    /// ```
    RChunksMut<T: Send>, &'data mut [T], item &'data mut [T],
    len: |slice, size| slice.len().div_ceil(size),
    split: |slice, size, index| {
        let at = slice.len().saturating_sub(index * size);
        let (front, back) = slice.split_at_mut(at);
        (back, front)
    },
    seq: std::slice::RChunksMut<'data, T> = |slice, size| slice.rchunks_mut(size)
);

indexed_slice_iter!(
    /// Chunks of exactly `chunk_size` elements from the end of a slice,
    /// the remainder (at the start) left out; from
    /// [`par_rchunks_exact`](super::ParallelSlice::par_rchunks_exact).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v = [1, 2, 3];
    /// let chunks = v.par_rchunks_exact(2);
    /// assert_eq!(chunks.remainder(), [1]);
    /// assert_eq!(chunks.collect::<Vec<_>>(), [&[2, 3][..]]);
    /// ```
    RChunksExactSlice<T: Sync>, &'data [T], item &'data [T],
    len: |slice, size| slice.len() / size,
    split: |slice, size, index| {
        let (front, back) = slice.split_at(slice.len() - index * size);
        (back, front)
    },
    seq: std::slice::RChunksExact<'data, T> = |slice, size| slice.rchunks_exact(size)
);

indexed_slice_iter!(
    /// Mutable chunks of exactly `chunk_size` elements from the end of a
    /// slice; from
    /// [`par_rchunks_exact_mut`](super::ParallelSliceMut::par_rchunks_exact_mut).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// v.par_rchunks_exact_mut(2).for_each(|c| c.reverse());
    /// assert_eq!(v, [1, 3, 2]);
    /// ```
    RChunksExactMutSlice<T: Send>, &'data mut [T], item &'data mut [T],
    len: |slice, size| slice.len() / size,
    split: |slice, size, index| {
        let at = slice.len() - index * size;
        let (front, back) = slice.split_at_mut(at);
        (back, front)
    },
    seq: std::slice::RChunksExactMut<'data, T> = |slice, size| slice.rchunks_exact_mut(size)
);

/// rayon's `ChunksExact`: [`ChunksExactSlice`] and its remainder.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::slice::ChunksExact;
///
/// let v = [1, 2, 3];
/// let chunks: ChunksExact<'_, i32> = v.par_chunks_exact(2);
/// assert_eq!(chunks.remainder(), [3]);
/// ```
pub type ChunksExact<'data, T> = WithRemainder<ChunksExactSlice<'data, T>, &'data [T]>;
/// rayon's `ChunksExactMut`: [`ChunksExactMutSlice`] and its remainder.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::slice::ChunksExactMut;
///
/// let mut v = [1, 2, 3];
/// let chunks: ChunksExactMut<'_, i32> = v.par_chunks_exact_mut(2);
/// assert_eq!(chunks.into_remainder(), [3]);
/// ```
pub type ChunksExactMut<'data, T> = WithRemainder<ChunksExactMutSlice<'data, T>, &'data mut [T]>;
/// rayon's `RChunksExact`: [`RChunksExactSlice`] and its remainder.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::slice::RChunksExact;
///
/// let v = [1, 2, 3];
/// let chunks: RChunksExact<'_, i32> = v.par_rchunks_exact(2);
/// assert_eq!(chunks.remainder(), [1]);
/// ```
pub type RChunksExact<'data, T> = WithRemainder<RChunksExactSlice<'data, T>, &'data [T]>;
/// rayon's `RChunksExactMut`: [`RChunksExactMutSlice`] and its remainder.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::slice::RChunksExactMut;
///
/// let mut v = [1, 2, 3];
/// let chunks: RChunksExactMut<'_, i32> = v.par_rchunks_exact_mut(2);
/// assert_eq!(chunks.count(), 1);
/// ```
pub type RChunksExactMut<'data, T> = WithRemainder<RChunksExactMutSlice<'data, T>, &'data mut [T]>;

/// An exact-chunks iterator with the elements its chunks leave out.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let mut v = [1, 2, 3, 4, 5];
/// let mut chunks = v.par_chunks_exact_mut(2);
/// chunks.remainder()[0] = 50;
/// assert_eq!(chunks.count(), 2);
/// assert_eq!(v, [1, 2, 3, 4, 50]);
/// ```
#[derive(Debug)]
pub struct WithRemainder<I, R> {
    iter: I,
    remainder: R,
}

impl<'data, I, T> WithRemainder<I, &'data [T]> {
    /// The elements left out.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!([1, 2, 3].par_chunks_exact(2).remainder(), [3]);
    /// ```
    pub fn remainder(&self) -> &'data [T] {
        self.remainder
    }
}

impl<'data, I, T> WithRemainder<I, &'data mut [T]> {
    /// The elements left out.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// assert_eq!(v.par_chunks_exact_mut(2).remainder(), [3]);
    /// ```
    pub fn remainder(&mut self) -> &mut [T] {
        self.remainder
    }

    /// The elements left out, for as long as the slice is borrowed.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// let rest = v.par_rchunks_exact_mut(2).into_remainder();
    /// assert_eq!(rest, [1]);
    /// ```
    pub fn into_remainder(self) -> &'data mut [T] {
        self.remainder
    }

    /// Takes the elements left out; the iterator keeps an empty remainder.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3];
    /// let mut chunks = v.par_chunks_exact_mut(2);
    /// assert_eq!(chunks.take_remainder(), [3]);
    /// assert!(chunks.remainder().is_empty());
    /// ```
    pub fn take_remainder(&mut self) -> &'data mut [T] {
        std::mem::take(&mut self.remainder)
    }
}

impl<I: IndexedParallelIterator, R: Send> ParallelIterator for WithRemainder<I, R> {
    type Item = I::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        self.iter.with_pieces(callback)
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

impl<I: IndexedParallelIterator, R: Send> IndexedParallelIterator for WithRemainder<I, R> {
    fn len(&self) -> usize {
        self.iter.len()
    }
}

/// Windows of `N` elements as arrays; from
/// [`par_array_windows`](super::ParallelSlice::par_array_windows).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::slice::ArrayWindows;
///
/// let v = [1, 2, 3];
/// let windows: ArrayWindows<'_, i32, 2> = v.par_array_windows();
/// assert_eq!(windows.collect::<Vec<_>>(), [&[1, 2], &[2, 3]]);
/// ```
pub type ArrayWindows<'data, T, const N: usize> =
    super::Map<Windows<'data, T>, fn(&'data [T]) -> &'data [T; N]>;

/// A window of `N` elements as an array.
pub(super) fn as_array<T, const N: usize>(window: &[T]) -> &[T; N] {
    window.try_into().expect("a window has N elements")
}

pub(super) fn windows<T>(slice: &[T], size: usize) -> Windows<'_, T> {
    assert!(size != 0, "window_size must not be zero");
    Windows { slice, size }
}

pub(super) fn chunks_exact<T>(slice: &[T], size: usize) -> ChunksExact<'_, T> {
    assert!(size != 0, "chunk_size must not be zero");
    let (exact, remainder) = slice.split_at(slice.len() / size * size);
    WithRemainder {
        iter: ChunksExactSlice { slice: exact, size },
        remainder,
    }
}

pub(super) fn chunks_exact_mut<T>(slice: &mut [T], size: usize) -> ChunksExactMut<'_, T> {
    assert!(size != 0, "chunk_size must not be zero");
    let at = slice.len() / size * size;
    let (exact, remainder) = slice.split_at_mut(at);
    WithRemainder {
        iter: ChunksExactMutSlice { slice: exact, size },
        remainder,
    }
}

pub(super) fn rchunks<T>(slice: &[T], size: usize) -> RChunks<'_, T> {
    assert!(size != 0, "chunk_size must not be zero");
    RChunks { slice, size }
}

pub(super) fn rchunks_mut<T>(slice: &mut [T], size: usize) -> RChunksMut<'_, T> {
    assert!(size != 0, "chunk_size must not be zero");
    RChunksMut { slice, size }
}

pub(super) fn rchunks_exact<T>(slice: &[T], size: usize) -> RChunksExact<'_, T> {
    assert!(size != 0, "chunk_size must not be zero");
    let (remainder, exact) = slice.split_at(slice.len() % size);
    WithRemainder {
        iter: RChunksExactSlice { slice: exact, size },
        remainder,
    }
}

pub(super) fn rchunks_exact_mut<T>(slice: &mut [T], size: usize) -> RChunksExactMut<'_, T> {
    assert!(size != 0, "chunk_size must not be zero");
    let at = slice.len() % size;
    let (remainder, exact) = slice.split_at_mut(at);
    WithRemainder {
        iter: RChunksExactMutSlice { slice: exact, size },
        remainder,
    }
}

/// How an unindexed slice iterator cuts a slice near `mid`: the end of the
/// left part and the start of the right one.
fn separator_near<T>(slice: &[T], mid: usize, is_separator: impl Fn(&T) -> bool) -> Option<usize> {
    let after = slice[mid..].iter().position(&is_separator).map(|i| mid + i);
    after.or_else(|| slice[..mid].iter().rposition(&is_separator))
}

/// A place between two elements of different runs, near `mid`.
fn run_boundary_near<T>(
    slice: &[T],
    mid: usize,
    same_run: impl Fn(&T, &T) -> bool,
) -> Option<usize> {
    let mid = mid.clamp(1, slice.len().max(1));
    let after = (mid..slice.len()).find(|&i| !same_run(&slice[i - 1], &slice[i]));
    after.or_else(|| {
        (1..mid)
            .rev()
            .find(|&i| !same_run(&slice[i - 1], &slice[i]))
    })
}

/// Declares an unindexed slice iterator (a separator or run predicate),
/// its producer, and its `ParallelIterator` impl.
macro_rules! cut_slice_iter {
    (
        $(#[$doc:meta])*
        $name:ident, $producer:ident, <$T:ident: $bound:ident, $P:ident: $pbound:path>,
        $slice:ty, item $item:ty, empty: $empty:expr,
        cut: |$cs:ident, $cp:ident, $mid:ident| $cut:expr,
        split: $split_at:ident,
        seq: $seq:ty = |$qs:ident, $qp:ident, $qpresent:ident| $seqexpr:expr
    ) => {
        $(#[$doc])*
        pub struct $name<'data, $T, $P> {
            slice: $slice,
            pred: $P,
        }

        impl<'data, $T, $P> $name<'data, $T, $P> {
            pub(super) fn new(slice: $slice, pred: $P) -> Self {
                $name { slice, pred }
            }
        }

        impl<'data, $T: std::fmt::Debug, $P> std::fmt::Debug for $name<'data, $T, $P> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).field("slice", &self.slice).finish()
            }
        }

        impl<'data, $T: $bound, $P: $pbound + Sync + Send> ParallelIterator for $name<'data, $T, $P> {
            type Item = $item;

            fn with_pieces<CB>(self, callback: CB) -> CB::Output
            where
                CB: PieceCallback<Self::Item>,
            {
                callback.callback($producer {
                    slice: Some(self.slice),
                    pred: &self.pred,
                })
            }
        }

        struct $producer<'data, 'p, $T, $P> {
            /// `None`: no items (the empty side of a failed cut).
            slice: Option<$slice>,
            pred: &'p $P,
        }

        impl<'data, 'p, $T: $bound, $P: $pbound + Sync> Piece for $producer<'data, 'p, $T, $P> {
            type Item = $item;
            type IntoIter = $seq;

            fn len(&self) -> usize {
                self.slice.as_ref().map_or(0, |s| s.len())
            }

            fn split_at(self, index: usize) -> (Self, Self) {
                let pred = self.pred;
                let Some(slice) = self.slice else {
                    return ($producer { slice: None, pred }, $producer { slice: None, pred });
                };
                let cut = {
                    let ($cs, $cp, $mid) = (&*slice, pred, index.min(slice.len()));
                    $cut
                };
                match cut {
                    Some((left_end, right_start)) => {
                        let (left, right) = slice.$split_at(right_start);
                        let left = left.$split_at(left_end).0;
                        ($producer { slice: Some(left), pred }, $producer { slice: Some(right), pred })
                    }
                    None => ($producer { slice: Some(slice), pred }, $producer { slice: None, pred }),
                }
            }

            fn into_seq_iter(self) -> Self::IntoIter {
                let $qpresent = self.slice.is_some();
                let ($qs, $qp) = (self.slice.unwrap_or($empty), self.pred);
                $seqexpr
            }
        }
    };
}

cut_slice_iter!(
    /// The pieces of a slice between separator elements; from
    /// [`par_split`](super::ParallelSlice::par_split).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&[i32]> = [1, 0, 2, 3, 0].par_split(|x| *x == 0).collect();
    /// assert_eq!(v, [&[1][..], &[2, 3][..], &[][..]]);
    /// ```
    Split, SplitProducer, <T: Sync, P: Fn(&T) -> bool>,
    &'data [T], item &'data [T], empty: &[],
    cut: |slice, pred, mid| separator_near(slice, mid, pred).map(|at| (at, at + 1)),
    split: split_at,
    seq: std::iter::Take<std::slice::Split<'data, T, &'p P>> = |slice, pred, present| {
        // The empty side of a failed cut has no items; an empty slice that
        // is a piece has one (the empty piece), as `slice::split` gives.
        slice.split(pred).take(if present { usize::MAX } else { 0 })
    }
);

cut_slice_iter!(
    /// The pieces of a slice, each ending with its separator; from
    /// [`par_split_inclusive`](super::ParallelSlice::par_split_inclusive).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&[i32]> = [1, 0, 2].par_split_inclusive(|x| *x == 0).collect();
    /// assert_eq!(v, [&[1, 0][..], &[2][..]]);
    /// ```
    SplitInclusive, SplitInclusiveProducer, <T: Sync, P: Fn(&T) -> bool>,
    &'data [T], item &'data [T], empty: &[],
    cut: |slice, pred, mid| separator_near(slice, mid, pred).map(|at| (at + 1, at + 1)),
    split: split_at,
    seq: std::slice::SplitInclusive<'data, T, &'p P> = |slice, pred, _present| slice.split_inclusive(pred)
);

cut_slice_iter!(
    /// The mutable pieces of a slice between separator elements; from
    /// [`par_split_mut`](super::ParallelSliceMut::par_split_mut).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [3, 1, 0, 5, 4];
    /// v.par_split_mut(|x| *x == 0).for_each(|piece| piece.sort());
    /// assert_eq!(v, [1, 3, 0, 4, 5]);
    /// ```
    SplitMut, SplitMutProducer, <T: Send, P: Fn(&T) -> bool>,
    &'data mut [T], item &'data mut [T], empty: &mut [],
    cut: |slice, pred, mid| separator_near(slice, mid, pred).map(|at| (at, at + 1)),
    split: split_at_mut,
    seq: std::iter::Take<std::slice::SplitMut<'data, T, &'p P>> = |slice, pred, present| {
        slice.split_mut(pred).take(if present { usize::MAX } else { 0 })
    }
);

cut_slice_iter!(
    /// The mutable pieces of a slice, each ending with its separator; from
    /// [`par_split_inclusive_mut`](super::ParallelSliceMut::par_split_inclusive_mut).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [2, 1, 0, 9];
    /// v.par_split_inclusive_mut(|x| *x == 0).for_each(|piece| piece.reverse());
    /// assert_eq!(v, [0, 1, 2, 9]);
    /// ```
    SplitInclusiveMut, SplitInclusiveMutProducer, <T: Send, P: Fn(&T) -> bool>,
    &'data mut [T], item &'data mut [T], empty: &mut [],
    cut: |slice, pred, mid| separator_near(slice, mid, pred).map(|at| (at + 1, at + 1)),
    split: split_at_mut,
    seq: std::slice::SplitInclusiveMut<'data, T, &'p P> = |slice, pred, _present| slice.split_inclusive_mut(pred)
);

cut_slice_iter!(
    /// The runs of a slice: maximal pieces whose neighbours all satisfy
    /// the predicate; from [`par_chunk_by`](super::ParallelSlice::par_chunk_by).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let runs: Vec<&[i32]> = [1, 1, 2, 3, 3].par_chunk_by(|a, b| a == b).collect();
    /// assert_eq!(runs, [&[1, 1][..], &[2][..], &[3, 3][..]]);
    /// ```
    ChunkBy, ChunkByProducer, <T: Sync, P: Fn(&T, &T) -> bool>,
    &'data [T], item &'data [T], empty: &[],
    cut: |slice, pred, mid| run_boundary_near(slice, mid, pred).map(|at| (at, at)),
    split: split_at,
    seq: std::slice::ChunkBy<'data, T, &'p P> = |slice, pred, _present| slice.chunk_by(pred)
);

cut_slice_iter!(
    /// The mutable runs of a slice; from
    /// [`par_chunk_by_mut`](super::ParallelSliceMut::par_chunk_by_mut).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let mut v = [1, 2, 3, 1, 2];
    /// v.par_chunk_by_mut(|a, b| a < b).for_each(|run| run.reverse());
    /// assert_eq!(v, [3, 2, 1, 2, 1]);
    /// ```
    ChunkByMut, ChunkByMutProducer, <T: Send, P: Fn(&T, &T) -> bool>,
    &'data mut [T], item &'data mut [T], empty: &mut [],
    cut: |slice, pred, mid| run_boundary_near(slice, mid, pred).map(|at| (at, at)),
    split: split_at_mut,
    seq: std::slice::ChunkByMut<'data, T, &'p P> = |slice, pred, _present| slice.chunk_by_mut(pred)
);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Splits `producer` everywhere it can be cut and concatenates the
    /// pieces' items in order.
    fn all_pieces<P: Piece>(producer: P, out: &mut Vec<P::Item>) {
        let len = producer.len();
        if len < 2 {
            out.extend(producer.into_seq_iter());
            return;
        }
        let (left, right) = producer.split_at(len / 2);
        if left.len() == len {
            out.extend(left.into_seq_iter());
            out.extend(right.into_seq_iter());
            return;
        }
        all_pieces(left, out);
        all_pieces(right, out);
    }

    fn pieces<P: Piece>(producer: P) -> Vec<P::Item> {
        let mut out = Vec::new();
        all_pieces(producer, &mut out);
        out
    }

    proptest! {
        #[test]
        fn cutting_anywhere_keeps_the_sequential_items(v in prop::collection::vec(0..4_u8, 0..200), size in 1..9_usize) {
            let zero = |x: &u8| *x == 0;
            let same = |a: &u8, b: &u8| a == b;
            let split = SplitProducer { slice: Some(&v[..]), pred: &zero };
            prop_assert_eq!(pieces(split), v.split(zero).collect::<Vec<_>>());
            let inclusive = SplitInclusiveProducer { slice: Some(&v[..]), pred: &zero };
            prop_assert_eq!(pieces(inclusive), v.split_inclusive(zero).collect::<Vec<_>>());
            let runs = ChunkByProducer { slice: Some(&v[..]), pred: &same };
            prop_assert_eq!(pieces(runs), v.chunk_by(same).collect::<Vec<_>>());
            prop_assert_eq!(pieces(windows(&v, size)), v.windows(size).collect::<Vec<_>>());
            prop_assert_eq!(pieces(rchunks(&v, size)), v.rchunks(size).collect::<Vec<_>>());
            prop_assert_eq!(pieces(rchunks_exact(&v, size).iter), v.rchunks_exact(size).collect::<Vec<_>>());
            prop_assert_eq!(pieces(chunks_exact(&v, size).iter), v.chunks_exact(size).collect::<Vec<_>>());
            let mut w = v.clone();
            let expected: Vec<Vec<u8>> = v.split(zero).map(<[u8]>::to_vec).collect();
            let got: Vec<Vec<u8>> = pieces(SplitMutProducer { slice: Some(&mut w[..]), pred: &zero }).into_iter().map(|p| p.to_vec()).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
