//! More sources: `Option` and `Result`, the standard collections (by
//! value, `&` and `&mut`), `char` ranges, tuples of indexed iterators
//! (multizip), and the free functions `empty`, `once`, `repeat`,
//! `repeat_n`.
//!
//! A collection without a contiguous buffer (maps, sets, lists, heaps) is
//! first gathered into a `Vec` of its items (or of references to them),
//! which is then split by index, as rayon does.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::ops::{Range, RangeInclusive};

use super::pieces::{Piece, PieceCallback};
use super::source::VecIntoIter;
use super::{
    Chain, IndexedParallelIterator, IntoParallelIterator, Iter, IterMut, Map, ParallelIterator, Zip,
};

/// Zero or one item: `Option` and `Result` by value, and [`once`].
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(Some(3).into_par_iter().sum::<i32>(), 3);
/// assert_eq!(None::<i32>.into_par_iter().count(), 0);
/// assert_eq!(Ok::<u8, ()>(1).into_par_iter().collect::<Vec<_>>(), [1]);
/// ```
#[derive(Debug, Clone)]
pub struct OptionIter<T> {
    item: Option<T>,
}

/// rayon's name for the iterator of [`once`].
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::{Once, once};
/// use threadpool_rayon_compat::prelude::*;
///
/// let one: Once<u8> = once(7);
/// assert_eq!(one.collect::<Vec<_>>(), [7]);
/// ```
pub type Once<T> = OptionIter<T>;

impl<T: Send> ParallelIterator for OptionIter<T> {
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        callback.callback(OptionProducer { item: self.item })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(usize::from(self.item.is_some()))
    }
}

impl<T: Send> IndexedParallelIterator for OptionIter<T> {
    fn len(&self) -> usize {
        usize::from(self.item.is_some())
    }
}

struct OptionProducer<T> {
    item: Option<T>,
}

impl<T: Send> Piece for OptionProducer<T> {
    type Item = T;
    type IntoIter = std::option::IntoIter<T>;

    fn len(&self) -> usize {
        usize::from(self.item.is_some())
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let none = OptionProducer { item: None };
        if index == 0 {
            (none, self)
        } else {
            (self, none)
        }
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.item.into_iter()
    }
}

impl<T: Send> IntoParallelIterator for Option<T> {
    type Iter = OptionIter<T>;
    type Item = T;

    fn into_par_iter(self) -> OptionIter<T> {
        OptionIter { item: self }
    }
}

impl<T: Send, E> IntoParallelIterator for Result<T, E> {
    type Iter = OptionIter<T>;
    type Item = T;

    fn into_par_iter(self) -> OptionIter<T> {
        OptionIter { item: self.ok() }
    }
}

impl<'a, T: Sync> IntoParallelIterator for &'a Option<T> {
    type Iter = Iter<'a, T>;
    type Item = &'a T;

    fn into_par_iter(self) -> Iter<'a, T> {
        self.as_slice().into_par_iter()
    }
}

impl<'a, T: Send> IntoParallelIterator for &'a mut Option<T> {
    type Iter = IterMut<'a, T>;
    type Item = &'a mut T;

    fn into_par_iter(self) -> IterMut<'a, T> {
        self.as_mut_slice().into_par_iter()
    }
}

impl<'a, T: Sync, E> IntoParallelIterator for &'a Result<T, E> {
    type Iter = Iter<'a, T>;
    type Item = &'a T;

    fn into_par_iter(self) -> Iter<'a, T> {
        match self {
            Ok(item) => std::slice::from_ref(item).into_par_iter(),
            Err(_) => (&[] as &[T]).into_par_iter(),
        }
    }
}

impl<'a, T: Send, E> IntoParallelIterator for &'a mut Result<T, E> {
    type Iter = IterMut<'a, T>;
    type Item = &'a mut T;

    fn into_par_iter(self) -> IterMut<'a, T> {
        match self {
            Ok(item) => std::slice::from_mut(item).into_par_iter(),
            Err(_) => (&mut [] as &mut [T]).into_par_iter(),
        }
    }
}

/// Implements `IntoParallelIterator` by gathering the collection's
/// sequential items into a `Vec`.
macro_rules! into_par_vec {
    ($(impl[$($p:tt)*] for $t:ty, item $item:ty $(, where [$($bounds:tt)*])?;)*) => {$(
        impl<$($p)*> IntoParallelIterator for $t
        where
            $($($bounds)*)?
        {
            type Iter = VecIntoIter<$item>;
            type Item = $item;

            fn into_par_iter(self) -> VecIntoIter<$item> {
                self.into_iter().collect::<Vec<$item>>().into_par_iter()
            }
        }
    )*};
}

into_par_vec! {
    impl[T] for VecDeque<T>, item T, where [T: Send];
    impl[T] for LinkedList<T>, item T, where [T: Send];
    impl['a, T] for &'a LinkedList<T>, item &'a T, where [T: Sync];
    impl['a, T] for &'a mut LinkedList<T>, item &'a mut T, where [T: Send];
    impl[T] for BinaryHeap<T>, item T, where [T: Send];
    impl[K, V, S] for HashMap<K, V, S>, item (K, V), where [K: Send, V: Send];
    impl['a, K, V, S] for &'a HashMap<K, V, S>, item (&'a K, &'a V), where [K: Sync, V: Sync];
    impl['a, K, V, S] for &'a mut HashMap<K, V, S>, item (&'a K, &'a mut V), where [K: Sync, V: Send];
    impl[K, V] for BTreeMap<K, V>, item (K, V), where [K: Send, V: Send];
    impl['a, K, V] for &'a BTreeMap<K, V>, item (&'a K, &'a V), where [K: Sync, V: Sync];
    impl['a, K, V] for &'a mut BTreeMap<K, V>, item (&'a K, &'a mut V), where [K: Sync, V: Send];
    impl[T, S] for HashSet<T, S>, item T, where [T: Send];
    impl['a, T, S] for &'a HashSet<T, S>, item &'a T, where [T: Sync];
    impl[T] for BTreeSet<T>, item T, where [T: Send];
    impl['a, T] for &'a BTreeSet<T>, item &'a T, where [T: Sync];
}

impl<'a, T: Sync> IntoParallelIterator for &'a BinaryHeap<T> {
    type Iter = Iter<'a, T>;
    type Item = &'a T;

    fn into_par_iter(self) -> Iter<'a, T> {
        self.as_slice().into_par_iter()
    }
}

impl<'a, T: Sync> IntoParallelIterator for &'a VecDeque<T> {
    type Iter = Chain<Iter<'a, T>, Iter<'a, T>>;
    type Item = &'a T;

    fn into_par_iter(self) -> Self::Iter {
        let (front, back) = self.as_slices();
        front.into_par_iter().chain(back)
    }
}

impl<'a, T: Send> IntoParallelIterator for &'a mut VecDeque<T> {
    type Iter = Chain<IterMut<'a, T>, IterMut<'a, T>>;
    type Item = &'a mut T;

    fn into_par_iter(self) -> Self::Iter {
        let (front, back) = self.as_mut_slices();
        front.into_par_iter().chain(back)
    }
}

/// The number of `char` values below `c`, surrogates (never chars) left
/// out: `char` ranges are integer ranges in that numbering.
fn char_index(c: char) -> u32 {
    let code = u32::from(c);
    if code < 0xD800 { code } else { code - 0x800 }
}

/// The `char` numbered `index` (see [`char_index`]).
fn index_char(index: u32) -> char {
    let code = if index < 0xD800 { index } else { index + 0x800 };
    char::from_u32(code).expect("an index below char::MAX's")
}

/// A parallel iterator over a `char` range: an integer range in the
/// numbering that skips surrogates, mapped back to `char`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::{CharRangeIter, RangeIter};
/// use threadpool_rayon_compat::prelude::*;
///
/// let letters: CharRangeIter<RangeIter<u32>> = ('a'..'d').into_par_iter();
/// assert_eq!(letters.collect::<String>(), "abc");
/// ```
pub type CharRangeIter<R> = Map<R, fn(u32) -> char>;

impl IntoParallelIterator for Range<char> {
    type Iter = CharRangeIter<super::RangeIter<u32>>;
    type Item = char;

    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let letters: String = ('a'..'e').into_par_iter().collect();
    /// assert_eq!(letters, "abcd");
    /// assert_eq!(('\u{D7FF}'..'\u{E001}').into_par_iter().count(), 2); // no surrogates
    /// ```
    fn into_par_iter(self) -> Self::Iter {
        (char_index(self.start)..char_index(self.end))
            .into_par_iter()
            .map(index_char as fn(u32) -> char)
    }
}

impl IntoParallelIterator for RangeInclusive<char> {
    type Iter = CharRangeIter<super::RangeInclusiveIter<u32>>;
    type Item = char;

    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!(('a'..='z').into_par_iter().count(), 26);
    /// assert_eq!((char::MAX..=char::MAX).into_par_iter().collect::<Vec<_>>(), [char::MAX]);
    /// ```
    fn into_par_iter(self) -> Self::Iter {
        let (start, end) = self.into_inner();
        (char_index(start)..=char_index(end))
            .into_par_iter()
            .map(index_char as fn(u32) -> char)
    }
}

/// A tuple of indexed parallel iterators that [`MultiZip`] zips: what
/// `into_par_iter` of a tuple (or of `&` or `&mut` a tuple) of up to 12
/// indexed sources builds. Implemented for tuples only.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::ZipTuple;
/// use threadpool_rayon_compat::prelude::*;
///
/// let zipped = ([1, 2].into_par_iter(), ["a", "b"].into_par_iter()).zip_all();
/// assert_eq!(zipped.collect::<Vec<_>>(), [(1, "a"), (2, "b")]);
/// ```
pub trait ZipTuple {
    /// The zipped iterator, whose items are tuples of the iterators' items.
    type Zipped: IndexedParallelIterator;

    /// Zips the tuple's iterators in lockstep, as long as the shortest.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::ZipTuple;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let three = ((0..3).into_par_iter(), (10..20).into_par_iter(), vec!['x'; 5].into_par_iter());
    /// assert_eq!(three.zip_all().len(), 3);
    /// ```
    fn zip_all(self) -> Self::Zipped;
}

/// rayon's multizip: the parallel iterator over a tuple of indexed
/// iterators `T`, yielding tuples of their items in lockstep, as long as
/// the shortest; what `(a, b, ..).into_par_iter()` and
/// `(a, b, ..).par_iter()` return (up to 12 elements, as in rayon).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::{self, MultiZip};
/// use threadpool_rayon_compat::prelude::*;
///
/// let (a, b) = (vec![1, 2, 3], vec![4, 5, 6]);
/// let pairs: MultiZip<(iter::Iter<'_, i32>, iter::Iter<'_, i32>)> = (&a, &b).into_par_iter();
/// assert_eq!(pairs.map(|(x, y)| x * y).sum::<i32>(), 32);
/// assert_eq!((a, b).par_iter().count(), 3);
/// ```
pub type MultiZip<T> = <T as ZipTuple>::Zipped;

/// Implements [`ZipTuple`] and `IntoParallelIterator` (by value, `&` and
/// `&mut`) for one tuple length: the zipped iterators' type, the nested
/// item type of that zip, and a pattern that takes the nesting apart.
macro_rules! multizip {
    ($($name:ident $var:ident),+; $zipped:ty, $nested:ty, $pattern:pat) => {
        impl<$($name: IndexedParallelIterator),+> ZipTuple for ($($name,)+) {
            type Zipped = Map<$zipped, fn($nested) -> ($($name::Item,)+)>;

            fn zip_all(self) -> Self::Zipped {
                let ($($var,)+) = self;
                let flatten: fn($nested) -> ($($name::Item,)+) = |$pattern| ($($var,)+);
                multizip!(@zip $($var),+).map(flatten)
            }
        }

        impl<$($name),+> IntoParallelIterator for ($($name,)+)
        where
            $($name: IntoParallelIterator<Iter: IndexedParallelIterator>,)+
        {
            type Iter = MultiZip<($($name::Iter,)+)>;
            type Item = ($($name::Item,)+);

            fn into_par_iter(self) -> Self::Iter {
                let ($($var,)+) = self;
                ($($var.into_par_iter(),)+).zip_all()
            }
        }

        impl<'a, $($name),+> IntoParallelIterator for &'a ($($name,)+)
        where
            $(&'a $name: IntoParallelIterator<Iter: IndexedParallelIterator>,)+
        {
            type Iter = MultiZip<($(<&'a $name as IntoParallelIterator>::Iter,)+)>;
            type Item = ($(<&'a $name as IntoParallelIterator>::Item,)+);

            fn into_par_iter(self) -> Self::Iter {
                let ($($var,)+) = self;
                ($($var.into_par_iter(),)+).zip_all()
            }
        }

        impl<'a, $($name),+> IntoParallelIterator for &'a mut ($($name,)+)
        where
            $(&'a mut $name: IntoParallelIterator<Iter: IndexedParallelIterator>,)+
        {
            type Iter = MultiZip<($(<&'a mut $name as IntoParallelIterator>::Iter,)+)>;
            type Item = ($(<&'a mut $name as IntoParallelIterator>::Item,)+);

            fn into_par_iter(self) -> Self::Iter {
                let ($($var,)+) = self;
                ($($var.into_par_iter(),)+).zip_all()
            }
        }
    };
    (@zip $a:expr) => { $a };
    (@zip $a:expr, $b:expr $(, $rest:expr)*) => { multizip!(@zipacc $a.zip($b) $(, $rest)*) };
    (@zipacc $acc:expr) => { $acc };
    (@zipacc $acc:expr, $next:expr $(, $rest:expr)*) => { multizip!(@zipacc $acc.zip($next) $(, $rest)*) };
}

multizip!(A a;
    A,
    A::Item,
    a);
multizip!(A a, B b;
    Zip<A, B>,
    (A::Item, B::Item),
    (a, b));
multizip!(A a, B b, C c;
    Zip<Zip<A, B>, C>,
    ((A::Item, B::Item), C::Item),
    ((a, b), c));
multizip!(A a, B b, C c, D d;
    Zip<Zip<Zip<A, B>, C>, D>,
    (((A::Item, B::Item), C::Item), D::Item),
    (((a, b), c), d));
multizip!(A a, B b, C c, D d, E e;
    Zip<Zip<Zip<Zip<A, B>, C>, D>, E>,
    ((((A::Item, B::Item), C::Item), D::Item), E::Item),
    ((((a, b), c), d), e));
multizip!(A a, B b, C c, D d, E e, F f;
    Zip<Zip<Zip<Zip<Zip<A, B>, C>, D>, E>, F>,
    (((((A::Item, B::Item), C::Item), D::Item), E::Item), F::Item),
    (((((a, b), c), d), e), f));
multizip!(A a, B b, C c, D d, E e, F f, G g;
    Zip<Zip<Zip<Zip<Zip<Zip<A, B>, C>, D>, E>, F>, G>,
    ((((((A::Item, B::Item), C::Item), D::Item), E::Item), F::Item), G::Item),
    ((((((a, b), c), d), e), f), g));
multizip!(A a, B b, C c, D d, E e, F f, G g, H h;
    Zip<Zip<Zip<Zip<Zip<Zip<Zip<A, B>, C>, D>, E>, F>, G>, H>,
    (((((((A::Item, B::Item), C::Item), D::Item), E::Item), F::Item), G::Item), H::Item),
    (((((((a, b), c), d), e), f), g), h));
multizip!(A a, B b, C c, D d, E e, F f, G g, H h, I i;
    Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<A, B>, C>, D>, E>, F>, G>, H>, I>,
    ((((((((A::Item, B::Item), C::Item), D::Item), E::Item), F::Item), G::Item), H::Item), I::Item),
    ((((((((a, b), c), d), e), f), g), h), i));
multizip!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j;
    Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<A, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    (((((((((A::Item, B::Item), C::Item), D::Item), E::Item), F::Item), G::Item), H::Item), I::Item), J::Item),
    (((((((((a, b), c), d), e), f), g), h), i), j));
multizip!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k;
    Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<A, B>, C>, D>, E>, F>, G>, H>, I>, J>, K>,
    ((((((((((A::Item, B::Item), C::Item), D::Item), E::Item), F::Item), G::Item), H::Item), I::Item), J::Item), K::Item),
    ((((((((((a, b), c), d), e), f), g), h), i), j), k));
multizip!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l;
    Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<Zip<A, B>, C>, D>, E>, F>, G>, H>, I>, J>, K>, L>,
    (((((((((((A::Item, B::Item), C::Item), D::Item), E::Item), F::Item), G::Item), H::Item), I::Item), J::Item), K::Item), L::Item),
    (((((((((((a, b), c), d), e), f), g), h), i), j), k), l));

/// No items; from [`empty`].
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::empty;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(empty::<u8>().chain([1, 2]).collect::<Vec<_>>(), [1, 2]);
/// ```
#[derive(Debug, Clone)]
pub struct Empty<T> {
    _item: PhantomData<fn() -> T>,
}

/// A parallel iterator with no items, as rayon's `iter::empty`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::empty;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(empty::<u32>().sum::<u32>(), 0);
/// ```
pub fn empty<T: Send>() -> Empty<T> {
    Empty { _item: PhantomData }
}

impl<T: Send> ParallelIterator for Empty<T> {
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        callback.callback(OptionProducer { item: None })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(0)
    }
}

impl<T: Send> IndexedParallelIterator for Empty<T> {
    fn len(&self) -> usize {
        0
    }
}

/// A parallel iterator with one item, as rayon's `iter::once`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::once;
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<u8> = once(0).chain([1, 2]).collect();
/// assert_eq!(v, [0, 1, 2]);
/// ```
pub fn once<T: Send>(item: T) -> Once<T> {
    OptionIter { item: Some(item) }
}

/// `n` clones of an item; from [`repeat_n`] or [`Repeat::take`].
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::repeat_n;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(repeat_n("ab", 3).collect::<String>(), "ababab");
/// ```
#[derive(Debug, Clone)]
pub struct RepeatN<T> {
    item: Option<T>,
    n: usize,
}

/// `n` clones of `item`, as rayon's `iter::repeat_n`; indexed.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::repeat_n;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(repeat_n(2_u32, 10).sum::<u32>(), 20);
/// ```
pub fn repeat_n<T: Clone + Send>(item: T, n: usize) -> RepeatN<T> {
    RepeatN {
        item: (n > 0).then_some(item),
        n,
    }
}

/// rayon's deprecated name for [`repeat_n`].
///
/// # Examples
///
/// ```
/// #![allow(deprecated)]
/// use threadpool_rayon_compat::iter::repeatn;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(repeatn(1_u8, 3).count(), 3);
/// ```
#[deprecated(note = "use `repeat_n`")]
pub fn repeatn<T: Clone + Send>(item: T, n: usize) -> RepeatN<T> {
    repeat_n(item, n)
}

impl<T: Clone + Send> ParallelIterator for RepeatN<T> {
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        callback.callback(RepeatProducer {
            item: self.item,
            n: self.n,
        })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.n)
    }
}

impl<T: Clone + Send> IndexedParallelIterator for RepeatN<T> {
    fn len(&self) -> usize {
        self.n
    }
}

/// `n` clones of `item` (`None` when `n` is 0).
struct RepeatProducer<T> {
    item: Option<T>,
    n: usize,
}

impl<T: Clone + Send> Piece for RepeatProducer<T> {
    type Item = T;
    type IntoIter = std::iter::Flatten<std::option::IntoIter<std::iter::RepeatN<T>>>;

    fn len(&self) -> usize {
        self.n
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let right_n = self.n - index;
        let right_item = if right_n > 0 { self.item.clone() } else { None };
        let left_item = if index > 0 { self.item } else { None };
        (
            RepeatProducer {
                item: left_item,
                n: index,
            },
            RepeatProducer {
                item: right_item,
                n: right_n,
            },
        )
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        let n = self.n;
        self.item
            .map(|item| std::iter::repeat_n(item, n))
            .into_iter()
            .flatten()
    }
}

/// An endless sequence of clones of an item, as rayon's `iter::repeat`:
/// not indexed; use it with [`take`](Repeat::take), [`zip`](Repeat::zip)
/// or a consumer that stops (`find_any`, `take_any`, ...).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::repeat;
/// use threadpool_rayon_compat::prelude::*;
///
/// let v: Vec<(char, u32)> = repeat('x').zip(0..3_u32).collect();
/// assert_eq!(v, [('x', 0), ('x', 1), ('x', 2)]);
/// ```
#[derive(Debug, Clone)]
pub struct Repeat<T> {
    item: T,
}

/// Endless clones of `item`, as rayon's `iter::repeat`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::repeat;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(repeat(1_u8).take_any(5).count(), 5);
/// ```
pub fn repeat<T: Clone + Send>(item: T) -> Repeat<T> {
    Repeat { item }
}

impl<T: Clone + Send> Repeat<T> {
    /// The first `n` clones, as an indexed iterator.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::repeat;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!(repeat(3_u32).take(4).sum::<u32>(), 12);
    /// ```
    pub fn take(self, n: usize) -> RepeatN<T> {
        repeat_n(self.item, n)
    }

    /// Pairs a clone with every item of the indexed `zip_op`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::repeat;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!(repeat(2_u32).zip(0..3_u32).map(|(a, b)| a * b).sum::<u32>(), 6);
    /// ```
    pub fn zip<Z>(self, zip_op: Z) -> Zip<RepeatN<T>, Z::Iter>
    where
        Z: IntoParallelIterator<Iter: IndexedParallelIterator>,
    {
        let other = zip_op.into_par_iter();
        let n = other.len();
        self.take(n).zip(other)
    }
}

impl<T: Clone + Send> ParallelIterator for Repeat<T> {
    type Item = T;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<T>,
    {
        // Endless in effect: `usize::MAX` clones.
        callback.callback(RepeatProducer {
            item: Some(self.item),
            n: usize::MAX,
        })
    }
}
