//! `par_bridge`: a sequential iterator shared by the pieces of a parallel
//! one.
//!
//! The iterator sits behind a mutex. The bridge splits into about one piece
//! per worker thread (more if idle threads steal), and each piece, on
//! whichever thread runs it, takes items from the shared iterator one at a
//! time until it is exhausted; the items are therefore in no particular
//! order, as with rayon's `par_bridge`. A panic in the iterator's `next`
//! ends every piece (the mutex is poisoned) and is resumed in the caller.

use std::sync::Mutex;

use super::ParallelIterator;
use super::pieces::{Piece, PieceCallback};

/// `par_bridge()` on any `Iterator + Send` whose items are `Send`: rayon's
/// `ParallelBridge`.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc::channel;
/// use threadpool_rayon_compat::prelude::*;
///
/// let (sender, receiver) = channel();
/// for n in 0..100_u32 {
///     sender.send(n).unwrap();
/// }
/// drop(sender);
/// let mut doubled: Vec<u32> = receiver.into_iter().par_bridge().map(|n| n * 2).collect();
/// doubled.sort();
/// assert_eq!(doubled, (0..100).map(|n| n * 2).collect::<Vec<_>>());
/// ```
pub trait ParallelBridge: Sized {
    /// A parallel iterator over the items of `self`, in no particular
    /// order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let total: u64 = (1..=100_u64).par_bridge().sum();
    /// assert_eq!(total, 5050);
    /// ```
    fn par_bridge(self) -> IterBridge<Self>;
}

impl<I> ParallelBridge for I
where
    I: Iterator + Send,
    I::Item: Send,
{
    fn par_bridge(self) -> IterBridge<Self> {
        IterBridge { iter: self }
    }
}

/// A sequential iterator run as a parallel one; from
/// [`par_bridge`](ParallelBridge::par_bridge).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let count = "a b c".split(' ').par_bridge().filter(|w| *w != "b").count();
/// assert_eq!(count, 2);
/// ```
#[derive(Debug, Clone)]
pub struct IterBridge<I> {
    iter: I,
}

impl<I> ParallelIterator for IterBridge<I>
where
    I: Iterator + Send,
    I::Item: Send,
{
    type Item = I::Item;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<Self::Item>,
    {
        let shared = Mutex::new(Some(self.iter));
        // As many pieces as threads, to begin with: every piece drains the
        // same iterator, so the count only bounds how many threads join in.
        let width = crate::current_num_threads().max(1) * 2;
        callback.callback(BridgeProducer {
            shared: &shared,
            width,
        })
    }
}

struct BridgeProducer<'s, I> {
    /// `None` once exhausted (or after a panic in `next`).
    shared: &'s Mutex<Option<I>>,
    /// How many pieces this one may still be split into.
    width: usize,
}

impl<'s, I> Piece for BridgeProducer<'s, I>
where
    I: Iterator + Send,
    I::Item: Send,
{
    type Item = I::Item;
    type IntoIter = BridgeIter<'s, I>;

    fn len(&self) -> usize {
        self.width
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let index = index.min(self.width);
        (
            BridgeProducer {
                shared: self.shared,
                width: index,
            },
            BridgeProducer {
                shared: self.shared,
                width: self.width - index,
            },
        )
    }

    fn into_seq_iter(self) -> BridgeIter<'s, I> {
        BridgeIter {
            shared: self.shared,
        }
    }
}

/// The sequential side of a piece: takes items from the shared iterator.
struct BridgeIter<'s, I> {
    shared: &'s Mutex<Option<I>>,
}

impl<I: Iterator> Iterator for BridgeIter<'_, I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        // A poisoned lock means `next` panicked on another piece: that
        // panic is on its way to the caller; this piece just ends.
        let mut guard = self.shared.lock().ok()?;
        let iter = guard.as_mut()?;
        let item = iter.next();
        if item.is_none() {
            *guard = None; // exhausted: drop the iterator, end the others
        }
        item
    }
}
