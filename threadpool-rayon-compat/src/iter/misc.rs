//! `inspect`, `update`, `panic_fuse` and `intersperse`.

use std::sync::atomic::{AtomicBool, Ordering};

use super::pieces::{Piece, PieceCallback};
use super::{IndexedParallelIterator, ParallelIterator};

/// Calls a closure on a reference to each item, passing the item on; from
/// [`inspect`](ParallelIterator::inspect).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use threadpool_rayon_compat::prelude::*;
///
/// let seen = AtomicUsize::new(0);
/// let v: Vec<u32> = (0..10_u32).into_par_iter().inspect(|_| { seen.fetch_add(1, Ordering::Relaxed); }).collect();
/// assert_eq!((v.len(), seen.into_inner()), (10, 10));
/// ```
#[derive(Debug, Clone)]
pub struct Inspect<I, F> {
    base: I,
    inspect_op: F,
}

impl<I, F> Inspect<I, F> {
    pub(super) fn new(base: I, inspect_op: F) -> Self {
        Inspect { base, inspect_op }
    }
}

impl<I, F> ParallelIterator for Inspect<I, F>
where
    I: ParallelIterator,
    F: Fn(&I::Item) + Sync + Send,
{
    type Item = I::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        let inspect_op = &self.inspect_op;
        self.base
            .map(move |item| {
                inspect_op(&item);
                item
            })
            .with_pieces(callback)
    }

    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len()
    }
}

impl<I, F> IndexedParallelIterator for Inspect<I, F>
where
    I: IndexedParallelIterator,
    F: Fn(&I::Item) + Sync + Send,
{
    fn len(&self) -> usize {
        self.base.len()
    }
}

/// Changes each item in place with a closure; from
/// [`update`](ParallelIterator::update).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<Vec<u8>> = vec![vec![2, 1], vec![4, 3]].into_par_iter().update(|v| v.sort()).collect();
/// assert_eq!(v, [vec![1, 2], vec![3, 4]]);
/// ```
#[derive(Debug, Clone)]
pub struct Update<I, F> {
    base: I,
    update_op: F,
}

impl<I, F> Update<I, F> {
    pub(super) fn new(base: I, update_op: F) -> Self {
        Update { base, update_op }
    }
}

impl<I, F> ParallelIterator for Update<I, F>
where
    I: ParallelIterator,
    F: Fn(&mut I::Item) + Sync + Send,
{
    type Item = I::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        let update_op = &self.update_op;
        self.base
            .map(move |mut item| {
                update_op(&mut item);
                item
            })
            .with_pieces(callback)
    }

    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len()
    }
}

impl<I, F> IndexedParallelIterator for Update<I, F>
where
    I: IndexedParallelIterator,
    F: Fn(&mut I::Item) + Sync + Send,
{
    fn len(&self) -> usize {
        self.base.len()
    }
}

/// Stops every piece once one has panicked; from
/// [`panic_fuse`](ParallelIterator::panic_fuse).
///
/// A piece that unwinds raises a shared flag as its iterator is dropped;
/// pieces not yet started are then empty and running ones end at their
/// next item. The panic itself is resumed in the caller, as always.
///
/// # Examples
///
/// ```
/// use std::panic::{AssertUnwindSafe, catch_unwind};
/// use threadpool_rayon_compat::prelude::*;
///
/// let r = catch_unwind(AssertUnwindSafe(|| {
///     (0..1_000_000_u32).into_par_iter().panic_fuse().for_each(|n| assert!(n != 10));
/// }));
/// assert!(r.is_err());
/// ```
#[derive(Debug, Clone)]
pub struct PanicFuse<I> {
    base: I,
}

impl<I> PanicFuse<I> {
    pub(super) fn new(base: I) -> Self {
        PanicFuse { base }
    }
}

impl<I: ParallelIterator> ParallelIterator for PanicFuse<I> {
    type Item = I::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        let panicked = AtomicBool::new(false);
        self.base.with_pieces(PanicFuseCallback {
            callback,
            panicked: &panicked,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len()
    }
}

impl<I: IndexedParallelIterator> IndexedParallelIterator for PanicFuse<I> {
    fn len(&self) -> usize {
        self.base.len()
    }
}

struct PanicFuseCallback<'f, CB> {
    callback: CB,
    panicked: &'f AtomicBool,
}

impl<T, CB: PieceCallback<T>> PieceCallback<T> for PanicFuseCallback<'_, CB> {
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(PanicFuseProducer {
            base,
            panicked: self.panicked,
        })
    }
}

struct PanicFuseProducer<'f, P> {
    base: P,
    panicked: &'f AtomicBool,
}

impl<'f, P: Piece> Piece for PanicFuseProducer<'f, P> {
    type Item = P::Item;
    type IntoIter = PanicFuseIter<'f, P::IntoIter>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let panicked = self.panicked;
        (
            PanicFuseProducer {
                base: left,
                panicked,
            },
            PanicFuseProducer {
                base: right,
                panicked,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        PanicFuseIter {
            iter: self.base.into_seq_iter(),
            panicked: self.panicked,
        }
    }

    forward_split_hints!(base);
}

/// The sequential side of [`PanicFuse`]: ends once any piece panicked, and
/// raises the flag when dropped by an unwinding piece.
struct PanicFuseIter<'f, I> {
    iter: I,
    panicked: &'f AtomicBool,
}

impl<I: Iterator> Iterator for PanicFuseIter<'_, I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        // Relaxed: the flag only stops work early; the panic itself travels
        // through `join`, which synchronizes.
        if self.panicked.load(Ordering::Relaxed) {
            return None;
        }
        self.iter.next()
    }
}

impl<I> Drop for PanicFuseIter<'_, I> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.panicked.store(true, Ordering::Relaxed);
        }
    }
}

/// A clone of `item` between every two items; from
/// [`intersperse`](ParallelIterator::intersperse). Indexed when the base
/// is; an unindexed base is first collected, in parallel, into a `Vec`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let s: String = ["a", "b", "c"].into_par_iter().intersperse(", ").collect();
/// assert_eq!(s, "a, b, c");
/// ```
#[derive(Debug, Clone)]
pub struct Intersperse<I: ParallelIterator> {
    base: I,
    item: I::Item,
}

impl<I: ParallelIterator> Intersperse<I> {
    pub(super) fn new(base: I, item: I::Item) -> Self {
        Intersperse { base, item }
    }
}

/// The number of items of an interspersed iterator over `n` items.
fn interspersed_len(n: usize) -> usize {
    n.checked_mul(2)
        .map_or(usize::MAX, |twice| twice.saturating_sub(1))
}

impl<I> ParallelIterator for Intersperse<I>
where
    I: ParallelIterator<Item: Clone>,
{
    type Item = I::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        match self.base.opt_len() {
            Some(n) => self.base.with_pieces(IntersperseCallback {
                callback,
                item: self.item,
                len: interspersed_len(n),
            }),
            None => {
                let items: Vec<I::Item> = self.base.collect();
                let len = interspersed_len(items.len());
                super::IntoParallelIterator::into_par_iter(items).with_pieces(IntersperseCallback {
                    callback,
                    item: self.item,
                    len,
                })
            }
        }
    }

    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len().map(interspersed_len)
    }
}

impl<I> IndexedParallelIterator for Intersperse<I>
where
    I: IndexedParallelIterator<Item: Clone>,
{
    fn len(&self) -> usize {
        interspersed_len(self.base.len())
    }
}

struct IntersperseCallback<CB, T> {
    callback: CB,
    item: T,
    len: usize,
}

impl<T, CB> PieceCallback<T> for IntersperseCallback<CB, T>
where
    T: Clone + Send,
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(IntersperseProducer {
            base,
            item: self.item,
            start_odd: false,
            len: self.len,
        })
    }
}

/// The output positions `a..a + len` of the interspersed sequence, whose
/// even positions are the base's items and odd ones separators; `base`
/// holds the items at the even positions among them.
struct IntersperseProducer<P, T> {
    base: P,
    item: T,
    start_odd: bool,
    len: usize,
}

impl<P, T> Piece for IntersperseProducer<P, T>
where
    P: Piece<Item = T>,
    T: Clone + Send,
{
    type Item = T;
    type IntoIter = IntersperseIter<P::IntoIter, T>;

    fn len(&self) -> usize {
        self.len
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        // The even positions among the first `index`.
        let items = if self.start_odd {
            index / 2
        } else {
            index.div_ceil(2)
        };
        let (left, right) = self.base.split_at(items);
        let right_item = self.item.clone();
        (
            IntersperseProducer {
                base: left,
                item: self.item,
                start_odd: self.start_odd,
                len: index,
            },
            IntersperseProducer {
                base: right,
                item: right_item,
                start_odd: self.start_odd != (index % 2 == 1),
                len: self.len - index,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        IntersperseIter {
            iter: self.base.into_seq_iter(),
            item: self.item,
            separator_next: self.start_odd,
            remaining: self.len,
        }
    }

    fn min_len(&self) -> usize {
        self.base.min_len()
    }

    fn max_len(&self) -> usize {
        self.base.max_len().saturating_mul(2)
    }
}

/// The sequential side of [`Intersperse`].
struct IntersperseIter<I, T> {
    iter: I,
    item: T,
    separator_next: bool,
    remaining: usize,
}

impl<I: Iterator<Item = T>, T: Clone> Iterator for IntersperseIter<I, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let separator = self.separator_next;
        self.separator_next = !separator;
        if separator {
            Some(self.item.clone())
        } else {
            self.iter.next()
        }
    }
}
