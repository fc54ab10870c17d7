//! Adaptors that give each piece its own state: `map_with` and `fold_with`
//! (a clone of a value per piece), `map_init` (a value made by a closure
//! per piece), and `while_some`.

use std::sync::atomic::{AtomicBool, Ordering};

use super::pieces::{Piece, PieceCallback};
use super::{IndexedParallelIterator, ParallelIterator};

/// Where a piece's state comes from: a clone of a value, or a closure.
pub(super) trait State<T>: Send {
    /// The state of a piece about to be folded.
    fn make(&mut self) -> T;
    /// The state source of the right half of a split.
    fn split(&self) -> Self;
}

/// `map_with`, `fold_with`: the value, cloned for every split.
pub(super) struct Cloned<T>(pub(super) T);

impl<T: Clone + Send> State<T> for Cloned<T> {
    fn make(&mut self) -> T {
        self.0.clone()
    }

    fn split(&self) -> Self {
        Cloned(self.0.clone())
    }
}

/// `map_init`: the closure, called once per piece.
pub(super) struct Init<'f, INIT>(pub(super) &'f INIT);

impl<T, INIT: Fn() -> T + Sync> State<T> for Init<'_, INIT> {
    fn make(&mut self) -> T {
        (self.0)()
    }

    fn split(&self) -> Self {
        Init(self.0)
    }
}

/// Applies `map_op` to a piece's state and each item; from
/// [`map_with`](ParallelIterator::map_with).
///
/// # Examples
///
/// ```
/// use std::sync::mpsc::channel;
/// use threadpool_rayon_compat::prelude::*;
///
/// let (sender, receiver) = channel();
/// let doubled: Vec<u32> = (0..5_u32)
///     .into_par_iter()
///     .map_with(sender, |s, n| {
///         s.send(n).unwrap();
///         n * 2
///     })
///     .collect();
/// assert_eq!(doubled, [0, 2, 4, 6, 8]);
/// let mut sent: Vec<u32> = receiver.iter().collect();
/// sent.sort();
/// assert_eq!(sent, [0, 1, 2, 3, 4]);
/// ```
#[derive(Debug, Clone)]
pub struct MapWith<I, T, F> {
    base: I,
    item: T,
    map_op: F,
}

impl<I, T, F> MapWith<I, T, F> {
    pub(super) fn new(base: I, item: T, map_op: F) -> Self {
        MapWith { base, item, map_op }
    }
}

impl<I, T, F, R> ParallelIterator for MapWith<I, T, F>
where
    I: ParallelIterator,
    T: Send + Clone,
    F: Fn(&mut T, I::Item) -> R + Sync + Send,
    R: Send,
{
    type Item = R;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<R>,
    {
        self.base.with_pieces(StateMapCallback {
            callback,
            state: Cloned(self.item),
            map_op: &self.map_op,
            _item: std::marker::PhantomData,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len()
    }
}

impl<I, T, F, R> IndexedParallelIterator for MapWith<I, T, F>
where
    I: IndexedParallelIterator,
    T: Send + Clone,
    F: Fn(&mut T, I::Item) -> R + Sync + Send,
    R: Send,
{
    fn len(&self) -> usize {
        self.base.len()
    }
}

/// Applies `map_op` to a per-piece value from `init` and each item; from
/// [`map_init`](ParallelIterator::map_init).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// // One scratch buffer per piece, not per item.
/// let lengths: Vec<usize> = (0..4_u32)
///     .into_par_iter()
///     .map_init(String::new, |buf, n| {
///         buf.clear();
///         buf.push_str(&n.to_string().repeat(3));
///         buf.len()
///     })
///     .collect();
/// assert_eq!(lengths, [3, 3, 3, 3]);
/// ```
#[derive(Debug, Clone)]
pub struct MapInit<I, INIT, F> {
    base: I,
    init: INIT,
    map_op: F,
}

impl<I, INIT, F> MapInit<I, INIT, F> {
    pub(super) fn new(base: I, init: INIT, map_op: F) -> Self {
        MapInit { base, init, map_op }
    }
}

impl<I, INIT, T, F, R> ParallelIterator for MapInit<I, INIT, F>
where
    I: ParallelIterator,
    INIT: Fn() -> T + Sync + Send,
    F: Fn(&mut T, I::Item) -> R + Sync + Send,
    R: Send,
{
    type Item = R;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<R>,
    {
        self.base.with_pieces(StateMapCallback {
            callback,
            state: Init(&self.init),
            map_op: &self.map_op,
            _item: std::marker::PhantomData,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len()
    }
}

impl<I, INIT, T, F, R> IndexedParallelIterator for MapInit<I, INIT, F>
where
    I: IndexedParallelIterator,
    INIT: Fn() -> T + Sync + Send,
    F: Fn(&mut T, I::Item) -> R + Sync + Send,
    R: Send,
{
    fn len(&self) -> usize {
        self.base.len()
    }
}

struct StateMapCallback<'f, CB, S, F, T> {
    callback: CB,
    state: S,
    map_op: &'f F,
    _item: std::marker::PhantomData<fn() -> T>,
}

impl<Item, T, R, S, F, CB> PieceCallback<Item> for StateMapCallback<'_, CB, S, F, T>
where
    S: State<T>,
    F: Fn(&mut T, Item) -> R + Sync,
    CB: PieceCallback<R>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = Item>,
    {
        self.callback.callback(StateMapProducer {
            base,
            state: self.state,
            map_op: self.map_op,
            _item: std::marker::PhantomData,
        })
    }
}

struct StateMapProducer<'f, P, S, F, T> {
    base: P,
    state: S,
    map_op: &'f F,
    _item: std::marker::PhantomData<fn() -> T>,
}

impl<'f, P, T, R, S, F> Piece for StateMapProducer<'f, P, S, F, T>
where
    P: Piece,
    S: State<T>,
    F: Fn(&mut T, P::Item) -> R + Sync,
{
    type Item = R;
    type IntoIter = StateMapIter<'f, P::IntoIter, T, F>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let right_state = self.state.split();
        (
            StateMapProducer {
                base: left,
                state: self.state,
                map_op: self.map_op,
                _item: std::marker::PhantomData,
            },
            StateMapProducer {
                base: right,
                state: right_state,
                map_op: self.map_op,
                _item: std::marker::PhantomData,
            },
        )
    }

    fn into_seq_iter(mut self) -> Self::IntoIter {
        StateMapIter {
            iter: self.base.into_seq_iter(),
            state: self.state.make(),
            map_op: self.map_op,
        }
    }

    forward_split_hints!(base);
}

/// The sequential side of `map_with` and `map_init`: one state, every item.
pub(super) struct StateMapIter<'f, I, T, F> {
    iter: I,
    state: T,
    map_op: &'f F,
}

impl<I, T, F, R> Iterator for StateMapIter<'_, I, T, F>
where
    I: Iterator,
    F: Fn(&mut T, I::Item) -> R,
{
    type Item = R;

    fn next(&mut self) -> Option<R> {
        let item = self.iter.next()?;
        Some((self.map_op)(&mut self.state, item))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

/// Folds each piece into an accumulator that starts as a clone of `init`;
/// from [`fold_with`](ParallelIterator::fold_with).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let total: u32 = (1..=4_u32)
///     .into_par_iter()
///     .fold_with(0_u32, |acc, n| acc + n)
///     .sum();
/// assert_eq!(total, 10);
/// ```
#[derive(Debug, Clone)]
pub struct FoldWith<I, T, F> {
    base: I,
    init: T,
    fold_op: F,
}

impl<I, T, F> FoldWith<I, T, F> {
    pub(super) fn new(base: I, init: T, fold_op: F) -> Self {
        FoldWith {
            base,
            init,
            fold_op,
        }
    }
}

impl<I, T, F> ParallelIterator for FoldWith<I, T, F>
where
    I: ParallelIterator,
    T: Send + Clone,
    F: Fn(T, I::Item) -> T + Sync + Send,
{
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        self.base.with_pieces(FoldWithCallback {
            callback,
            init: self.init,
            fold_op: &self.fold_op,
        })
    }
}

struct FoldWithCallback<'f, CB, T, F> {
    callback: CB,
    init: T,
    fold_op: &'f F,
}

impl<Item, T, F, CB> PieceCallback<Item> for FoldWithCallback<'_, CB, T, F>
where
    T: Send + Clone,
    F: Fn(T, Item) -> T + Sync,
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = Item>,
    {
        self.callback.callback(FoldWithProducer {
            base,
            init: self.init,
            fold_op: self.fold_op,
        })
    }
}

struct FoldWithProducer<'f, P, T, F> {
    base: P,
    init: T,
    fold_op: &'f F,
}

impl<P, T, F> Piece for FoldWithProducer<'_, P, T, F>
where
    P: Piece,
    T: Send + Clone,
    F: Fn(T, P::Item) -> T + Sync,
{
    type Item = T;
    type IntoIter = std::iter::Once<T>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let right_init = self.init.clone();
        (
            FoldWithProducer {
                base: left,
                init: self.init,
                fold_op: self.fold_op,
            },
            FoldWithProducer {
                base: right,
                init: right_init,
                fold_op: self.fold_op,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        std::iter::once(self.base.into_seq_iter().fold(self.init, self.fold_op))
    }

    forward_split_hints!(base);
}

/// Yields the `Some` values until the first `None` (anywhere: items after
/// it in other pieces may or may not have been yielded); from
/// [`while_some`](ParallelIterator::while_some).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let taken: Vec<u32> = (0..100_u32)
///     .into_par_iter()
///     .map(|n| (n != 50).then_some(n))
///     .while_some()
///     .collect();
/// assert!(!taken.contains(&50));
/// assert!(taken.windows(2).all(|w| w[0] < w[1]));
/// ```
#[derive(Debug, Clone)]
pub struct WhileSome<I> {
    base: I,
}

impl<I> WhileSome<I> {
    pub(super) fn new(base: I) -> Self {
        WhileSome { base }
    }
}

impl<I, T> ParallelIterator for WhileSome<I>
where
    I: ParallelIterator<Item = Option<T>>,
    T: Send,
{
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        let stop = AtomicBool::new(false);
        self.base.with_pieces(WhileSomeCallback {
            callback,
            stop: &stop,
        })
    }
}

struct WhileSomeCallback<'s, CB> {
    callback: CB,
    stop: &'s AtomicBool,
}

impl<T, CB> PieceCallback<Option<T>> for WhileSomeCallback<'_, CB>
where
    CB: PieceCallback<T>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = Option<T>>,
    {
        self.callback.callback(WhileSomeProducer {
            base,
            stop: self.stop,
        })
    }
}

struct WhileSomeProducer<'s, P> {
    base: P,
    stop: &'s AtomicBool,
}

impl<'s, P, T> Piece for WhileSomeProducer<'s, P>
where
    P: Piece<Item = Option<T>>,
{
    type Item = T;
    type IntoIter = WhileSomeIter<'s, P::IntoIter>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        (
            WhileSomeProducer {
                base: left,
                stop: self.stop,
            },
            WhileSomeProducer {
                base: right,
                stop: self.stop,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        WhileSomeIter {
            iter: self.base.into_seq_iter(),
            stop: self.stop,
        }
    }

    forward_split_hints!(base);
}

/// The sequential side of [`WhileSome`]: ends at a `None`, or once any
/// piece has met one.
pub(super) struct WhileSomeIter<'s, I> {
    iter: I,
    stop: &'s AtomicBool,
}

impl<I, T> Iterator for WhileSomeIter<'_, I>
where
    I: Iterator<Item = Option<T>>,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        // Relaxed: the flag only ends other pieces early; their results
        // travel back through `join`, which synchronizes.
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        match self.iter.next()? {
            Some(item) => Some(item),
            None => {
                self.stop.store(true, Ordering::Relaxed);
                None
            }
        }
    }
}
