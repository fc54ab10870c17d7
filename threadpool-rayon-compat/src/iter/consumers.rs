//! The consumers: each is a [`Reducer`] that folds a piece sequentially
//! and combines neighbouring pieces, left before right, so order-sensitive
//! results (`collect`, `min_by_key` on ties) match the sequential ones.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, LinkedList};
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};

use super::adaptors::ZipProducer;
use super::pieces::{Bridge, Piece, PieceCallback, Reducer, bridge};
use super::source::SliceMutProducer;
use super::{FromParallelIterator, IntoParallelIterator, ParallelIterator};

pub(super) struct ForEach<OP>(pub(super) OP);

impl<T, OP> Reducer<T> for ForEach<OP>
where
    OP: Fn(T) + Sync,
{
    type Output = ();

    fn fold<I: Iterator<Item = T>>(&self, iter: I) {
        iter.for_each(&self.0);
    }

    fn reduce(&self, (): (), (): ()) {}
}

pub(super) struct Reduce<ID, OP> {
    pub(super) identity: ID,
    pub(super) op: OP,
}

impl<T, ID, OP> Reducer<T> for Reduce<ID, OP>
where
    T: Send,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> T + Sync,
{
    type Output = T;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> T {
        iter.fold((self.identity)(), &self.op)
    }

    fn reduce(&self, left: T, right: T) -> T {
        (self.op)(left, right)
    }
}

pub(super) struct ReduceWith<OP>(pub(super) OP);

impl<T, OP> Reducer<T> for ReduceWith<OP>
where
    T: Send,
    OP: Fn(T, T) -> T + Sync,
{
    type Output = Option<T>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> Option<T> {
        iter.reduce(&self.0)
    }

    fn reduce(&self, left: Option<T>, right: Option<T>) -> Option<T> {
        match (left, right) {
            (Some(left), Some(right)) => Some((self.0)(left, right)),
            (left, right) => left.or(right),
        }
    }
}

/// `sum`; `S` is the sum's type.
pub(super) struct Sum<S>(PhantomData<fn() -> S>);

impl<S> Sum<S> {
    pub(super) fn new() -> Self {
        Sum(PhantomData)
    }
}

impl<T, S> Reducer<T> for Sum<S>
where
    S: Send + std::iter::Sum<T> + std::iter::Sum<S>,
{
    type Output = S;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> S {
        iter.sum()
    }

    fn reduce(&self, left: S, right: S) -> S {
        [left, right].into_iter().sum()
    }
}

/// `product`; `P` is the product's type.
pub(super) struct Product<P>(PhantomData<fn() -> P>);

impl<P> Product<P> {
    pub(super) fn new() -> Self {
        Product(PhantomData)
    }
}

impl<T, P> Reducer<T> for Product<P>
where
    P: Send + std::iter::Product<T> + std::iter::Product<P>,
{
    type Output = P;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> P {
        iter.product()
    }

    fn reduce(&self, left: P, right: P) -> P {
        [left, right].into_iter().product()
    }
}

pub(super) struct Count;

impl<T> Reducer<T> for Count {
    type Output = usize;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> usize {
        iter.count()
    }

    fn reduce(&self, left: usize, right: usize) -> usize {
        left + right
    }
}

/// `min`: the first of equal items, as `Iterator::min`.
pub(super) struct Min;

impl<T: Ord + Send> Reducer<T> for Min {
    type Output = Option<T>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> Option<T> {
        iter.min()
    }

    fn reduce(&self, left: Option<T>, right: Option<T>) -> Option<T> {
        match (left, right) {
            // `cmp::min` returns its first argument when they are equal.
            (Some(left), Some(right)) => Some(std::cmp::min(left, right)),
            (left, right) => left.or(right),
        }
    }
}

/// `max`: the last of equal items, as `Iterator::max`.
pub(super) struct Max;

impl<T: Ord + Send> Reducer<T> for Max {
    type Output = Option<T>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> Option<T> {
        iter.max()
    }

    fn reduce(&self, left: Option<T>, right: Option<T>) -> Option<T> {
        match (left, right) {
            // `cmp::max` returns its second argument when they are equal.
            (Some(left), Some(right)) => Some(std::cmp::max(left, right)),
            (left, right) => left.or(right),
        }
    }
}

/// `min_by_key`: the first of items with equal keys.
pub(super) struct MinByKey<F>(F);

impl<F> MinByKey<F> {
    pub(super) fn new(f: F) -> Self {
        MinByKey(f)
    }
}

impl<T, K, F> Reducer<T> for MinByKey<F>
where
    T: Send,
    K: Ord + Send,
    F: Fn(&T) -> K + Sync,
{
    type Output = Option<(K, T)>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> Option<(K, T)> {
        iter.map(|item| ((self.0)(&item), item))
            .min_by(|(a, _), (b, _)| a.cmp(b))
    }

    fn reduce(&self, left: Option<(K, T)>, right: Option<(K, T)>) -> Option<(K, T)> {
        match (left, right) {
            (Some(left), Some(right)) => Some(if right.0 < left.0 { right } else { left }),
            (left, right) => left.or(right),
        }
    }
}

/// `max_by_key`: the last of items with equal keys.
pub(super) struct MaxByKey<F>(F);

impl<F> MaxByKey<F> {
    pub(super) fn new(f: F) -> Self {
        MaxByKey(f)
    }
}

impl<T, K, F> Reducer<T> for MaxByKey<F>
where
    T: Send,
    K: Ord + Send,
    F: Fn(&T) -> K + Sync,
{
    type Output = Option<(K, T)>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> Option<(K, T)> {
        iter.map(|item| ((self.0)(&item), item))
            .max_by(|(a, _), (b, _)| a.cmp(b))
    }

    fn reduce(&self, left: Option<(K, T)>, right: Option<(K, T)>) -> Option<(K, T)> {
        match (left, right) {
            (Some(left), Some(right)) => Some(if right.0 >= left.0 { right } else { left }),
            (left, right) => left.or(right),
        }
    }
}

/// The flag a short-circuiting consumer raises once its answer is known.
/// Relaxed throughout: it only lets other pieces stop early; the answer
/// itself travels back through `join`, which synchronizes.
#[derive(Default)]
struct Done(AtomicBool);

impl Done {
    fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

pub(super) struct Any<P> {
    predicate: P,
    found: Done,
}

impl<P> Any<P> {
    pub(super) fn new(predicate: P) -> Self {
        Any {
            predicate,
            found: Done::default(),
        }
    }
}

impl<T, P> Reducer<T> for Any<P>
where
    P: Fn(T) -> bool + Sync,
{
    type Output = bool;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> bool {
        for item in iter {
            if self.found.is_set() {
                return false; // the answer is found elsewhere
            }
            if (self.predicate)(item) {
                self.found.set();
                return true;
            }
        }
        false
    }

    fn reduce(&self, left: bool, right: bool) -> bool {
        left || right
    }

    fn full(&self) -> bool {
        self.found.is_set()
    }
}

pub(super) struct All<P> {
    predicate: P,
    failed: Done,
}

impl<P> All<P> {
    pub(super) fn new(predicate: P) -> Self {
        All {
            predicate,
            failed: Done::default(),
        }
    }
}

impl<T, P> Reducer<T> for All<P>
where
    P: Fn(T) -> bool + Sync,
{
    type Output = bool;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> bool {
        for item in iter {
            if self.failed.is_set() {
                return true; // the answer is found elsewhere
            }
            if !(self.predicate)(item) {
                self.failed.set();
                return false;
            }
        }
        true
    }

    fn reduce(&self, left: bool, right: bool) -> bool {
        left && right
    }

    fn full(&self) -> bool {
        self.failed.is_set()
    }
}

pub(super) struct FindAny<P> {
    predicate: P,
    found: Done,
}

impl<P> FindAny<P> {
    pub(super) fn new(predicate: P) -> Self {
        FindAny {
            predicate,
            found: Done::default(),
        }
    }
}

impl<T, P> Reducer<T> for FindAny<P>
where
    T: Send,
    P: Fn(&T) -> bool + Sync,
{
    type Output = Option<T>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> Option<T> {
        for item in iter {
            if self.found.is_set() {
                return None;
            }
            if (self.predicate)(&item) {
                self.found.set();
                return Some(item);
            }
        }
        None
    }

    fn reduce(&self, left: Option<T>, right: Option<T>) -> Option<T> {
        left.or(right)
    }

    fn full(&self) -> bool {
        self.found.is_set()
    }
}

/// Collects the items of each piece into a `Vec`; the pieces stay in order
/// in a list, so combining them copies nothing.
struct CollectPieces;

impl<T: Send> Reducer<T> for CollectPieces {
    type Output = LinkedList<Vec<T>>;

    fn fold<I: Iterator<Item = T>>(&self, iter: I) -> LinkedList<Vec<T>> {
        let mut list = LinkedList::new();
        list.push_back(iter.collect());
        list
    }

    fn reduce(
        &self,
        mut left: LinkedList<Vec<T>>,
        mut right: LinkedList<Vec<T>>,
    ) -> LinkedList<Vec<T>> {
        left.append(&mut right);
        left
    }
}

/// The items in order, as pieces to be concatenated.
pub(super) fn collect_pieces<I: ParallelIterator>(par_iter: I) -> LinkedList<Vec<I::Item>> {
    par_iter.with_pieces(Bridge(&CollectPieces))
}

/// A run of consecutive initialized slots of a collect's output, which it
/// owns: dropped with it unless [`forget`](Self::forget)ten. A piece that
/// unwinds drops the items it wrote, and when one half of a split panics
/// the other half's run is dropped by the unwinding `join`, so a panicking
/// `collect` leaks nothing.
pub(super) struct WrittenRun<T> {
    start: *mut T,
    len: usize,
}

// SAFETY: the run owns `len` values of `T` at `start` (no one else reads
// or drops them), so moving it to another thread moves those values, which
// is sound when `T: Send`.
unsafe impl<T: Send> Send for WrittenRun<T> {}

impl<T> WrittenRun<T> {
    fn empty() -> Self {
        WrittenRun {
            start: std::ptr::null_mut(),
            len: 0,
        }
    }

    /// Writes `item` into `slot`, which must directly follow the run (any
    /// slot if the run is empty).
    fn push(&mut self, slot: &mut MaybeUninit<T>, item: T) {
        let slot = slot.write(item);
        if self.len == 0 {
            self.start = slot;
        }
        debug_assert_eq!(self.start.wrapping_add(self.len), std::ptr::from_mut(slot));
        self.len += 1;
    }

    /// Appends `right` if it starts where `self` ends; otherwise drops it
    /// (an iterator that produced fewer items than its length).
    fn append(mut self, right: Self) -> Self {
        if self.len == 0 {
            return right;
        }
        if right.len > 0 && self.start.wrapping_add(self.len) == right.start {
            self.len += right.len;
            std::mem::forget(right);
        }
        self
    }

    /// Gives up ownership: the output now owns the values.
    fn forget(self) -> usize {
        let len = self.len;
        std::mem::forget(self);
        len
    }
}

impl<T> Drop for WrittenRun<T> {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: the run owns `len` initialized values at `start`
            // (written by `push`, contiguous by `append`'s check), and is
            // dropped once; the output never sets its length over them.
            unsafe { std::ptr::slice_from_raw_parts_mut(self.start, self.len).drop_in_place() };
        }
    }
}

/// Writes each item into its slot of the output; the result is the run of
/// slots written.
struct WriteSlots;

impl<'s, T: Send> Reducer<(T, &'s mut MaybeUninit<T>)> for WriteSlots {
    type Output = WrittenRun<T>;

    fn fold<I: Iterator<Item = (T, &'s mut MaybeUninit<T>)>>(&self, iter: I) -> WrittenRun<T> {
        let mut run = WrittenRun::empty();
        for (item, slot) in iter {
            run.push(slot, item);
        }
        run
    }

    fn reduce(&self, left: WrittenRun<T>, right: WrittenRun<T>) -> WrittenRun<T> {
        left.append(right)
    }
}

/// Pairs the producer of an indexed iterator with the output's slots.
struct CollectCallback<'s, T> {
    slots: &'s mut [MaybeUninit<T>],
}

impl<T: Send> PieceCallback<T> for CollectCallback<'_, T> {
    type Output = WrittenRun<T>;

    fn callback<P>(self, producer: P) -> WrittenRun<T>
    where
        P: Piece<Item = T>,
    {
        let len = self.slots.len();
        let slots = SliceMutProducer { slice: self.slots };
        bridge(ZipProducer::new(producer, slots, len), &WriteSlots)
    }
}

/// Writes the items of the indexed `par_iter`, of length `len`, into the
/// spare capacity of `vec` after its current elements, and extends its
/// length over them.
pub(super) fn collect_indexed_into<I>(par_iter: I, len: usize, vec: &mut Vec<I::Item>)
where
    I: ParallelIterator,
{
    vec.reserve(len);
    let old_len = vec.len();
    let slots = &mut vec.spare_capacity_mut()[..len];
    let first = slots.as_mut_ptr().cast::<I::Item>();
    let run = par_iter.with_pieces(CollectCallback { slots });
    let complete = run.len == len && (len == 0 || run.start == first);
    assert!(
        complete,
        "an indexed parallel iterator produced a different number of items than its length"
    );
    let written = run.forget();
    // SAFETY: the slots `old_len..old_len + len` are within the capacity
    // (reserved above) and initialized: the run of written slots starts at
    // the first of them and is `len` long (checked above), and it handed
    // its values over to `vec` by `forget`.
    unsafe { vec.set_len(old_len + written) };
}

/// Writes both halves of each pair into their slots; the result is the
/// two runs of slots written.
struct WritePairSlots;

type PairSlot<'s, A, B> = (((A, B), &'s mut MaybeUninit<A>), &'s mut MaybeUninit<B>);

impl<'s, A: Send, B: Send> Reducer<PairSlot<'s, A, B>> for WritePairSlots {
    type Output = (WrittenRun<A>, WrittenRun<B>);

    fn fold<I: Iterator<Item = PairSlot<'s, A, B>>>(&self, iter: I) -> Self::Output {
        let (mut runs_a, mut runs_b) = (WrittenRun::empty(), WrittenRun::empty());
        for (((a, b), slot_a), slot_b) in iter {
            runs_a.push(slot_a, a);
            runs_b.push(slot_b, b);
        }
        (runs_a, runs_b)
    }

    fn reduce(&self, left: Self::Output, right: Self::Output) -> Self::Output {
        (left.0.append(right.0), left.1.append(right.1))
    }
}

struct UnzipCallback<'s, A, B> {
    slots_a: &'s mut [MaybeUninit<A>],
    slots_b: &'s mut [MaybeUninit<B>],
}

impl<A: Send, B: Send> PieceCallback<(A, B)> for UnzipCallback<'_, A, B> {
    type Output = (WrittenRun<A>, WrittenRun<B>);

    fn callback<P>(self, producer: P) -> Self::Output
    where
        P: Piece<Item = (A, B)>,
    {
        let len = self.slots_a.len();
        let slots_a = SliceMutProducer {
            slice: self.slots_a,
        };
        let slots_b = SliceMutProducer {
            slice: self.slots_b,
        };
        let pairs = ZipProducer::new(ZipProducer::new(producer, slots_a, len), slots_b, len);
        bridge(pairs, &WritePairSlots)
    }
}

/// [`collect_indexed_into`] for pairs: the first halves into `left`, the
/// second into `right`, each replacing their contents.
pub(super) fn unzip_indexed_into<I, A, B>(
    par_iter: I,
    len: usize,
    left: &mut Vec<A>,
    right: &mut Vec<B>,
) where
    I: ParallelIterator<Item = (A, B)>,
    A: Send,
    B: Send,
{
    left.clear();
    right.clear();
    left.reserve(len);
    right.reserve(len);
    let slots_a = &mut left.spare_capacity_mut()[..len];
    let slots_b = &mut right.spare_capacity_mut()[..len];
    let (first_a, first_b) = (
        slots_a.as_mut_ptr().cast::<A>(),
        slots_b.as_mut_ptr().cast::<B>(),
    );
    let (run_a, run_b) = par_iter.with_pieces(UnzipCallback { slots_a, slots_b });
    let complete = run_a.len == len
        && run_b.len == len
        && (len == 0 || (run_a.start == first_a && run_b.start == first_b));
    assert!(
        complete,
        "an indexed parallel iterator produced a different number of items than its length"
    );
    let (written_a, written_b) = (run_a.forget(), run_b.forget());
    // SAFETY: as in `collect_indexed_into`, for each vector: its first
    // `len` spare slots (reserved above, the vector empty) are initialized
    // and were handed over by `forget`.
    unsafe {
        left.set_len(written_a);
        right.set_len(written_b);
    }
}

impl<T: Send> FromParallelIterator<T> for Vec<T> {
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = T>,
    {
        let par_iter = par_iter.into_par_iter();
        match par_iter.opt_len() {
            Some(len) => {
                // Indexed: every item goes straight into its place.
                let mut vec = Vec::new();
                collect_indexed_into(par_iter, len, &mut vec);
                vec
            }
            None => {
                let pieces = collect_pieces(par_iter);
                let mut vec = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
                for mut piece in pieces {
                    vec.append(&mut piece);
                }
                vec
            }
        }
    }
}

/// Implements `FromParallelIterator` for a collection built sequentially
/// from the ordered pieces.
macro_rules! collect_sequentially {
    ($(#[$doc:meta])* impl<$($p:ident),*> for $target:ty, item $item:ty, where $($bounds:tt)*) => {
        $(#[$doc])*
        impl<$($p),*> FromParallelIterator<$item> for $target
        where
            $($bounds)*
        {
            fn from_par_iter<I>(par_iter: I) -> Self
            where
                I: IntoParallelIterator<Item = $item>,
            {
                collect_pieces(par_iter.into_par_iter()).into_iter().flatten().collect()
            }
        }
    };
}

collect_sequentially!(impl<K, V, S> for HashMap<K, V, S>, item (K, V), where K: Eq + Hash + Send, V: Send, S: BuildHasher + Default);
collect_sequentially!(impl<K, V> for BTreeMap<K, V>, item (K, V), where K: Ord + Send, V: Send);
collect_sequentially!(impl<T, S> for HashSet<T, S>, item T, where T: Eq + Hash + Send, S: BuildHasher + Default);
collect_sequentially!(impl<T> for BTreeSet<T>, item T, where T: Ord + Send);
collect_sequentially!(impl<> for String, item char, where);
collect_sequentially!(impl<> for String, item String, where);

impl<'a> FromParallelIterator<&'a str> for String {
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = &'a str>,
    {
        collect_pieces(par_iter.into_par_iter())
            .into_iter()
            .flatten()
            .collect()
    }
}

impl FromParallelIterator<()> for () {
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = ()>,
    {
        par_iter.into_par_iter().for_each(drop);
    }
}
