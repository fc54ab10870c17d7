//! Fallible pipelines: the [`Try`] types (`Option`, `Result`,
//! `ControlFlow`), `try_fold`, `try_fold_with`, the `try_reduce` and
//! `try_for_each` consumers, and `collect` into `Result` and `Option`.
//!
//! A failure anywhere raises a shared flag: pieces not yet started are then
//! skipped and running ones stop at their next item, as in rayon. Which
//! failure is returned when several happen is unspecified.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::pieces::{Piece, PieceCallback, Reducer};
use super::{FromParallelIterator, IntoParallelIterator, ParallelIterator};

/// A value that either continues with an output or stops with a residual:
/// `Option<T>`, `Result<T, E>` and `ControlFlow<B, C>`, as in rayon (whose
/// trait of this name is not nameable either). The closures of
/// `try_for_each`, `try_fold`, `try_reduce` return one.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let r: Result<(), u32> = (0..100_u32).into_par_iter().try_for_each(|n| if n == 42 { Err(n) } else { Ok(()) });
/// assert_eq!(r, Err(42));
/// ```
pub trait Try {
    /// What a success carries.
    type Output;
    /// What a failure carries, without its success type.
    type Residual;

    /// A success.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::Try;
    ///
    /// assert_eq!(<Option<u8> as Try>::from_output(3), Some(3));
    /// ```
    fn from_output(output: Self::Output) -> Self;

    /// A failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::Try;
    ///
    /// let failed: Result<u8, &str> = Try::from_residual(Err("no"));
    /// assert_eq!(failed, Err("no"));
    /// ```
    fn from_residual(residual: Self::Residual) -> Self;

    /// Continue with the output, or break with the residual.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use threadpool_rayon_compat::iter::Try;
    ///
    /// assert_eq!(Some(1).branch(), ControlFlow::Continue(1));
    /// assert!(None::<u8>.branch().is_break());
    /// ```
    fn branch(self) -> ControlFlow<Self::Residual, Self::Output>;
}

impl<T> Try for Option<T> {
    type Output = T;
    type Residual = Option<Infallible>;

    fn from_output(output: T) -> Self {
        Some(output)
    }

    fn from_residual(_: Option<Infallible>) -> Self {
        None
    }

    fn branch(self) -> ControlFlow<Option<Infallible>, T> {
        match self {
            Some(output) => ControlFlow::Continue(output),
            None => ControlFlow::Break(None),
        }
    }
}

impl<T, E> Try for Result<T, E> {
    type Output = T;
    type Residual = Result<Infallible, E>;

    fn from_output(output: T) -> Self {
        Ok(output)
    }

    fn from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(err) => Err(err),
        }
    }

    fn branch(self) -> ControlFlow<Result<Infallible, E>, T> {
        match self {
            Ok(output) => ControlFlow::Continue(output),
            Err(err) => ControlFlow::Break(Err(err)),
        }
    }
}

impl<B, C> Try for ControlFlow<B, C> {
    type Output = C;
    type Residual = ControlFlow<B, Infallible>;

    fn from_output(output: C) -> Self {
        ControlFlow::Continue(output)
    }

    fn from_residual(residual: ControlFlow<B, Infallible>) -> Self {
        match residual {
            ControlFlow::Break(b) => ControlFlow::Break(b),
        }
    }

    fn branch(self) -> ControlFlow<ControlFlow<B, Infallible>, C> {
        match self {
            ControlFlow::Continue(c) => ControlFlow::Continue(c),
            ControlFlow::Break(b) => ControlFlow::Break(ControlFlow::Break(b)),
        }
    }
}

/// The flag raised by the first failure. Relaxed: it only lets other
/// pieces stop early; the failure itself travels back through `join`,
/// which synchronizes.
#[derive(Default)]
pub(super) struct Stop(AtomicBool);

impl Stop {
    pub(super) fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    pub(super) fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// `try_reduce`: items are `R`, combined with `op`, each piece starting at
/// `identity()`.
pub(super) struct TryReduce<ID, OP> {
    pub(super) identity: ID,
    pub(super) op: OP,
    pub(super) stop: Stop,
}

impl<ID, OP> TryReduce<ID, OP> {
    /// `op(a, b)`, raising the flag if it fails.
    fn combine<T, R>(&self, a: T, b: T) -> ControlFlow<R::Residual, T>
    where
        R: Try<Output = T>,
        OP: Fn(T, T) -> R,
    {
        let combined = (self.op)(a, b).branch();
        if combined.is_break() {
            self.stop.set();
        }
        combined
    }
}

impl<T, R, ID, OP> Reducer<R> for TryReduce<ID, OP>
where
    R: Try<Output = T> + Send,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> R + Sync,
{
    type Output = R;

    fn fold<I: Iterator<Item = R>>(&self, iter: I) -> R {
        let mut acc = (self.identity)();
        for item in iter {
            if self.stop.is_set() {
                break; // the result is a failure found elsewhere
            }
            let item = match item.branch() {
                ControlFlow::Continue(item) => item,
                ControlFlow::Break(residual) => {
                    self.stop.set();
                    return R::from_residual(residual);
                }
            };
            match self.combine(acc, item) {
                ControlFlow::Continue(next) => acc = next,
                ControlFlow::Break(residual) => return R::from_residual(residual),
            }
        }
        R::from_output(acc)
    }

    fn reduce(&self, left: R, right: R) -> R {
        match (left.branch(), right.branch()) {
            (ControlFlow::Continue(a), ControlFlow::Continue(b)) => match self.combine(a, b) {
                ControlFlow::Continue(c) => R::from_output(c),
                ControlFlow::Break(residual) => R::from_residual(residual),
            },
            (ControlFlow::Break(residual), _) | (_, ControlFlow::Break(residual)) => {
                R::from_residual(residual)
            }
        }
    }

    fn full(&self) -> bool {
        self.stop.is_set()
    }
}

/// `try_reduce_with`: as [`TryReduce`] with no identity; `None` for no
/// items.
pub(super) struct TryReduceWith<OP> {
    pub(super) op: OP,
    pub(super) stop: Stop,
}

impl<OP> TryReduceWith<OP> {
    fn combine<T, R>(&self, a: T, b: T) -> R
    where
        R: Try<Output = T>,
        OP: Fn(T, T) -> R,
    {
        let combined = (self.op)(a, b);
        match combined.branch() {
            ControlFlow::Continue(c) => R::from_output(c),
            ControlFlow::Break(residual) => {
                self.stop.set();
                R::from_residual(residual)
            }
        }
    }
}

impl<T, R, OP> Reducer<R> for TryReduceWith<OP>
where
    R: Try<Output = T> + Send,
    OP: Fn(T, T) -> R + Sync,
{
    type Output = Option<R>;

    fn fold<I: Iterator<Item = R>>(&self, iter: I) -> Option<R> {
        let mut acc: Option<T> = None;
        for item in iter {
            if self.stop.is_set() {
                break; // the result is a failure found elsewhere
            }
            let item = match item.branch() {
                ControlFlow::Continue(item) => item,
                ControlFlow::Break(residual) => {
                    self.stop.set();
                    return Some(R::from_residual(residual));
                }
            };
            acc = Some(match acc {
                None => item,
                Some(prev) => match (self.op)(prev, item).branch() {
                    ControlFlow::Continue(next) => next,
                    ControlFlow::Break(residual) => {
                        self.stop.set();
                        return Some(R::from_residual(residual));
                    }
                },
            });
        }
        acc.map(R::from_output)
    }

    fn reduce(&self, left: Option<R>, right: Option<R>) -> Option<R> {
        match (left, right) {
            (Some(left), Some(right)) => Some(self.reduce_two(left, right)),
            (left, right) => left.or(right),
        }
    }

    fn full(&self) -> bool {
        self.stop.is_set()
    }
}

impl<OP> TryReduceWith<OP> {
    fn reduce_two<T, R>(&self, left: R, right: R) -> R
    where
        R: Try<Output = T>,
        OP: Fn(T, T) -> R,
    {
        match (left.branch(), right.branch()) {
            (ControlFlow::Continue(a), ControlFlow::Continue(b)) => self.combine(a, b),
            (ControlFlow::Break(residual), _) | (_, ControlFlow::Break(residual)) => {
                self.stop.set();
                R::from_residual(residual)
            }
        }
    }
}

/// Folds each piece with a fallible `fold_op`, stopping the piece at its
/// first failure; from [`try_fold`](ParallelIterator::try_fold).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let sums: Option<u8> = (0..100_u8)
///     .into_par_iter()
///     .try_fold(|| 0_u8, |acc, n| acc.checked_add(n))
///     .try_reduce(|| 0, |a, b| a.checked_add(b));
/// assert_eq!(sums, None); // 4950 overflows u8
/// ```
#[derive(Debug, Clone)]
pub struct TryFold<I, R, ID, F> {
    base: I,
    identity: ID,
    fold_op: F,
    _result: PhantomData<fn() -> R>,
}

impl<I, R, ID, F> TryFold<I, R, ID, F> {
    pub(super) fn new(base: I, identity: ID, fold_op: F) -> Self {
        TryFold {
            base,
            identity,
            fold_op,
            _result: PhantomData,
        }
    }
}

/// Where a piece's accumulator starts: `identity()` for `try_fold`, a
/// clone of the value for `try_fold_with`.
pub(super) trait Seed<T>: Send {
    fn seed(&self) -> T;
    fn split(&self) -> Self;
}

/// The identity closure of `try_fold`, borrowed.
pub(super) struct IdentitySeed<'f, ID>(&'f ID);

impl<T, ID: Fn() -> T + Sync> Seed<T> for IdentitySeed<'_, ID> {
    fn seed(&self) -> T {
        (self.0)()
    }

    fn split(&self) -> Self {
        IdentitySeed(self.0)
    }
}

/// The initial value of `try_fold_with`, cloned for every piece.
pub(super) struct CloneSeed<T>(pub(super) T);

impl<T: Clone + Send> Seed<T> for CloneSeed<T> {
    fn seed(&self) -> T {
        self.0.clone()
    }

    fn split(&self) -> Self {
        CloneSeed(self.0.clone())
    }
}

impl<I, R, ID, F, T> ParallelIterator for TryFold<I, R, ID, F>
where
    I: ParallelIterator,
    F: Fn(T, I::Item) -> R + Sync + Send,
    ID: Fn() -> T + Sync + Send,
    R: Try<Output = T> + Send,
{
    type Item = R;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<R>,
    {
        self.base.with_pieces(TryFoldCallback {
            callback,
            seed: IdentitySeed(&self.identity),
            fold_op: &self.fold_op,
            _types: PhantomData,
        })
    }
}

/// Folds each piece, starting from a clone of `init`, with a fallible
/// `fold_op`; from [`try_fold_with`](ParallelIterator::try_fold_with).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let r: Result<u32, String> = (1..=10_u32)
///     .into_par_iter()
///     .try_fold_with(0, |acc, n| Ok::<u32, String>(acc + n))
///     .try_reduce(|| 0, |a, b| Ok(a + b));
/// assert_eq!(r, Ok(55));
/// ```
#[derive(Debug, Clone)]
pub struct TryFoldWith<I, R: Try, F> {
    base: I,
    init: R::Output,
    fold_op: F,
}

impl<I, R: Try, F> TryFoldWith<I, R, F> {
    pub(super) fn new(base: I, init: R::Output, fold_op: F) -> Self {
        TryFoldWith {
            base,
            init,
            fold_op,
        }
    }
}

impl<I, R, F, T> ParallelIterator for TryFoldWith<I, R, F>
where
    I: ParallelIterator,
    F: Fn(T, I::Item) -> R + Sync + Send,
    R: Try<Output = T> + Send,
    T: Clone + Send,
{
    type Item = R;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<R>,
    {
        self.base.with_pieces(TryFoldCallback {
            callback,
            seed: CloneSeed(self.init),
            fold_op: &self.fold_op,
            _types: PhantomData,
        })
    }
}

struct TryFoldCallback<'f, CB, S, F, T, R> {
    callback: CB,
    seed: S,
    fold_op: &'f F,
    _types: PhantomData<fn() -> (T, R)>,
}

impl<Item, T, R, S, F, CB> PieceCallback<Item> for TryFoldCallback<'_, CB, S, F, T, R>
where
    S: Seed<T>,
    F: Fn(T, Item) -> R + Sync,
    R: Try<Output = T>,
    CB: PieceCallback<R>,
{
    type Output = CB::Output;

    fn callback<P>(self, base: P) -> CB::Output
    where
        P: Piece<Item = Item>,
    {
        self.callback.callback(TryFoldProducer {
            base,
            seed: self.seed,
            fold_op: self.fold_op,
            _types: PhantomData,
        })
    }
}

struct TryFoldProducer<'f, P, S, F, T, R> {
    base: P,
    seed: S,
    fold_op: &'f F,
    _types: PhantomData<fn() -> (T, R)>,
}

impl<P, T, R, S, F> Piece for TryFoldProducer<'_, P, S, F, T, R>
where
    P: Piece,
    S: Seed<T>,
    F: Fn(T, P::Item) -> R + Sync,
    R: Try<Output = T>,
{
    type Item = R;
    type IntoIter = std::iter::Once<R>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let right_seed = self.seed.split();
        (
            TryFoldProducer {
                base: left,
                seed: self.seed,
                fold_op: self.fold_op,
                _types: PhantomData,
            },
            TryFoldProducer {
                base: right,
                seed: right_seed,
                fold_op: self.fold_op,
                _types: PhantomData,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        let mut acc = self.seed.seed();
        for item in self.base.into_seq_iter() {
            match (self.fold_op)(acc, item).branch() {
                ControlFlow::Continue(next) => acc = next,
                ControlFlow::Break(residual) => return std::iter::once(R::from_residual(residual)),
            }
        }
        std::iter::once(R::from_output(acc))
    }

    forward_split_hints!(base);
}

/// Collects `Ok` values into `C`, or returns an error if any item is an
/// `Err` (stopping early); which error, when there are several, is
/// unspecified.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let parsed: Result<Vec<u8>, _> = ["1", "2", "3"].par_iter().map(|s| s.parse::<u8>()).collect();
/// assert_eq!(parsed, Ok(vec![1, 2, 3]));
/// let failed: Result<Vec<u8>, _> = ["1", "x"].par_iter().map(|s| s.parse::<u8>()).collect();
/// assert!(failed.is_err());
/// ```
impl<C, T, E> FromParallelIterator<Result<T, E>> for Result<C, E>
where
    C: FromParallelIterator<T>,
    T: Send,
    E: Send,
{
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = Result<T, E>>,
    {
        let error = Mutex::new(None);
        let collection = par_iter
            .into_par_iter()
            .map(|item| match item {
                Ok(value) => Some(value),
                Err(err) => {
                    let mut error = error
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    error.get_or_insert(err);
                    None
                }
            })
            .while_some()
            .collect();
        match error
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            Some(err) => Err(err),
            None => Ok(collection),
        }
    }
}

/// Collects `Some` values into `C`, or returns `None` if any item is
/// `None` (stopping early).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let halves: Option<Vec<u32>> = [2, 4, 6].par_iter().map(|n| (n % 2 == 0).then_some(n / 2)).collect();
/// assert_eq!(halves, Some(vec![1, 2, 3]));
/// let odd: Option<Vec<u32>> = [2, 3].par_iter().map(|n| (n % 2 == 0).then_some(n / 2)).collect();
/// assert_eq!(odd, None);
/// ```
impl<C, T> FromParallelIterator<Option<T>> for Option<C>
where
    C: FromParallelIterator<T>,
    T: Send,
{
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = Option<T>>,
    {
        let found_none = AtomicBool::new(false);
        let collection = par_iter
            .into_par_iter()
            .map(|item| {
                if item.is_none() {
                    // Relaxed: read after the collect, which joined every
                    // piece (join synchronizes).
                    found_none.store(true, Ordering::Relaxed);
                }
                item
            })
            .while_some()
            .collect();
        (!found_none.into_inner()).then_some(collection)
    }
}
