//! Searches that care where an item is (`find_first`, `find_last`) and the
//! adaptors that let items through a shared gate (`take_any`, `skip_any`,
//! `take_any_while`, `skip_any_while`).
//!
//! `find_first` and `find_last` use the position of each piece in the
//! producer's index range (see [`Reducer::fold_at`]): once a piece finds a
//! match, pieces entirely on the wrong side of it are skipped or stopped,
//! while those on the right side still run, so the answer is the same as
//! the sequential one.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::ParallelIterator;
use super::pieces::{Piece, PieceCallback, Reducer};

/// `find_first`: the leftmost match. `best` is the start of the leftmost
/// piece known to hold a match (`usize::MAX`: none yet). Relaxed: it only
/// lets pieces stop early; results travel back through `join`.
pub(super) struct FindFirst<P> {
    predicate: P,
    best: AtomicUsize,
}

impl<P> FindFirst<P> {
    pub(super) fn new(predicate: P) -> Self {
        FindFirst {
            predicate,
            best: AtomicUsize::new(usize::MAX),
        }
    }
}

impl<T, P> Reducer<T> for FindFirst<P>
where
    T: Send,
    P: Fn(&T) -> bool + Sync,
{
    type Output = Option<T>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> Option<T> {
        self.fold_at(0, usize::MAX, iter)
    }

    fn fold_at<I: Iterator<Item = T>>(&self, start: usize, _: usize, iter: I) -> Option<T> {
        for item in iter {
            if self.best.load(Ordering::Relaxed) < start {
                return None; // a piece to the left has a match
            }
            if (self.predicate)(&item) {
                self.best.fetch_min(start, Ordering::Relaxed);
                return Some(item);
            }
        }
        None
    }

    fn reduce(&self, left: Option<T>, right: Option<T>) -> Option<T> {
        left.or(right)
    }

    fn full_at(&self, start: usize, _: usize) -> bool {
        self.best.load(Ordering::Relaxed) < start
    }
}

/// `find_last`: the rightmost match. `best` is one past the start of the
/// rightmost piece known to hold a match (0: none yet); a piece that ends
/// at or before that start cannot hold the answer.
pub(super) struct FindLast<P> {
    predicate: P,
    best: AtomicUsize,
}

impl<P> FindLast<P> {
    pub(super) fn new(predicate: P) -> Self {
        FindLast {
            predicate,
            best: AtomicUsize::new(0),
        }
    }

    fn beaten(&self, end: usize) -> bool {
        // Relaxed: see `FindFirst`.
        self.best.load(Ordering::Relaxed) > end
    }
}

impl<T, P> Reducer<T> for FindLast<P>
where
    T: Send,
    P: Fn(&T) -> bool + Sync,
{
    type Output = Option<T>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> Option<T> {
        self.fold_at(0, usize::MAX - 1, iter)
    }

    fn fold_at<I: Iterator<Item = T>>(&self, start: usize, end: usize, iter: I) -> Option<T> {
        let mut last = None;
        for item in iter {
            if self.beaten(end) {
                return None; // a piece to the right has a match
            }
            if (self.predicate)(&item) {
                if last.is_none() {
                    self.best.fetch_max(start + 1, Ordering::Relaxed);
                }
                last = Some(item);
            }
        }
        last
    }

    fn reduce(&self, left: Option<T>, right: Option<T>) -> Option<T> {
        right.or(left)
    }

    fn full_at(&self, _: usize, end: usize) -> bool {
        self.beaten(end)
    }
}

/// Decides, for every item, whether it goes on, is dropped, or ends the
/// iteration (everywhere: a gate is shared by all pieces).
trait Gate<T>: Sync {
    /// `Some(Some(item))`: yield it; `Some(None)`: drop it; `None`: stop.
    fn pass(&self, item: T) -> Option<Option<T>>;
    /// Whether to stop before taking another item.
    fn closed(&self) -> bool {
        false
    }
}

/// Declares a gated adaptor: the struct and its `ParallelIterator` impl,
/// which builds the gate with `$gate` on its own stack.
macro_rules! gated_adaptor {
    (
        $(#[$doc:meta])*
        $name:ident<I $(, $p:ident)?> { $($field:ident: $fty:ty),* },
        $(where [$($bound:tt)*])?
        gate: $gate:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<I $(, $p)?> {
            base: I,
            $($field: $fty,)*
        }

        impl<I $(, $p)?> $name<I $(, $p)?> {
            pub(super) fn new(base: I, $($field: $fty),*) -> Self {
                $name { base, $($field),* }
            }
        }

        impl<I $(, $p)?> ParallelIterator for $name<I $(, $p)?>
        where
            I: ParallelIterator,
            $($($bound)*)?
        {
            type Item = I::Item;

            fn with_pieces<CB>(self, callback: CB) -> CB::Output
            where
                CB: PieceCallback<Self::Item>,
            {
                let $name { base, $($field),* } = self;
                $(let $field = &$field;)*
                let gate = $gate;
                base.with_pieces(GateCallback { callback, gate: &gate })
            }
        }
    };
}

gated_adaptor!(
    /// At most `n` items, from anywhere; from
    /// [`take_any`](ParallelIterator::take_any).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let some: Vec<u32> = (0..1000_u32).into_par_iter().take_any(10).collect();
    /// assert_eq!(some.len(), 10);
    /// ```
    TakeAny<I> { n: usize },
    gate: Counted { limit: *n, seen: AtomicUsize::new(0), take: true }
);

gated_adaptor!(
    /// All but `n` items, skipped from anywhere; from
    /// [`skip_any`](ParallelIterator::skip_any).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!((0..1000_u32).into_par_iter().skip_any(10).count(), 990);
    /// ```
    SkipAny<I> { n: usize },
    gate: Counted { limit: *n, seen: AtomicUsize::new(0), take: false }
);

/// `take_any` (`take`) and `skip_any`: the first `limit` items to arrive
/// are taken (or skipped).
struct Counted {
    limit: usize,
    seen: AtomicUsize,
    take: bool,
}

impl<T> Gate<T> for Counted {
    fn pass(&self, item: T) -> Option<Option<T>> {
        // Relaxed: the count only needs to be atomic (each ticket is handed
        // out once); results travel back through `join`.
        let ticket = self.seen.fetch_add(1, Ordering::Relaxed);
        match (self.take, ticket < self.limit) {
            (true, true) | (false, false) => Some(Some(item)),
            (true, false) => None,
            (false, true) => Some(None),
        }
    }

    fn closed(&self) -> bool {
        self.take && self.seen.load(Ordering::Relaxed) >= self.limit
    }
}

gated_adaptor!(
    /// Items for which `predicate` holds, from anywhere, until it fails
    /// for one (anywhere); from
    /// [`take_any_while`](ParallelIterator::take_any_while).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let small: Vec<u32> = (0..1000_u32).into_par_iter().take_any_while(|n| *n < 500).collect();
    /// assert!(small.iter().all(|n| *n < 500));
    /// ```
    TakeAnyWhile<I, P> { predicate: P },
    where [P: Fn(&I::Item) -> bool + Sync + Send,]
    gate: While { predicate, failed: AtomicBool::new(false), take: true }
);

gated_adaptor!(
    /// Skips items for which `predicate` holds, from anywhere, until it
    /// fails for one; every item after that is kept; from
    /// [`skip_any_while`](ParallelIterator::skip_any_while).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let rest: Vec<u32> = (0..1000_u32).into_par_iter().skip_any_while(|n| *n < 500).collect();
    /// assert!(rest.iter().filter(|n| **n >= 500).count() == 500);
    /// ```
    SkipAnyWhile<I, P> { predicate: P },
    where [P: Fn(&I::Item) -> bool + Sync + Send,]
    gate: While { predicate, failed: AtomicBool::new(false), take: false }
);

/// `take_any_while` (`take`) and `skip_any_while`.
struct While<'p, P> {
    predicate: &'p P,
    failed: AtomicBool,
    take: bool,
}

impl<T, P: Fn(&T) -> bool + Sync> Gate<T> for While<'_, P> {
    fn pass(&self, item: T) -> Option<Option<T>> {
        // Relaxed: see `Counted`.
        if self.take {
            if self.failed.load(Ordering::Relaxed) {
                return None;
            }
            if (self.predicate)(&item) {
                return Some(Some(item));
            }
            self.failed.store(true, Ordering::Relaxed);
            None
        } else {
            if self.failed.load(Ordering::Relaxed) {
                return Some(Some(item));
            }
            if (self.predicate)(&item) {
                return Some(None);
            }
            self.failed.store(true, Ordering::Relaxed);
            Some(Some(item))
        }
    }

    fn closed(&self) -> bool {
        self.take && self.failed.load(Ordering::Relaxed)
    }
}

struct GateCallback<'g, CB, G> {
    callback: CB,
    gate: &'g G,
}

impl<T, CB, G> PieceCallback<T> for GateCallback<'_, CB, G>
where
    G: Gate<T>,
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = T>,
    {
        self.callback.callback(GateProducer {
            base,
            gate: self.gate,
        })
    }
}

struct GateProducer<'g, P, G> {
    base: P,
    gate: &'g G,
}

impl<'g, P, G> Piece for GateProducer<'g, P, G>
where
    P: Piece,
    G: Gate<P::Item>,
{
    type Item = P::Item;
    type IntoIter = GateIter<'g, P::IntoIter, G>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        (
            GateProducer {
                base: left,
                gate: self.gate,
            },
            GateProducer {
                base: right,
                gate: self.gate,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        GateIter {
            iter: self.base.into_seq_iter(),
            gate: self.gate,
        }
    }

    forward_split_hints!(base);
}

/// The sequential side of a gated adaptor.
struct GateIter<'g, I, G> {
    iter: I,
    gate: &'g G,
}

impl<I, G> Iterator for GateIter<'_, I, G>
where
    I: Iterator,
    G: Gate<I::Item>,
{
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        loop {
            if self.gate.closed() {
                return None;
            }
            if let Some(item) = self.gate.pass(self.iter.next()?)? {
                return Some(item);
            }
        }
    }
}
