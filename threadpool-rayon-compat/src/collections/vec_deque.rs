//! Parallel iterators over a `VecDeque`, under rayon's `rayon::collections::vec_deque` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::collections::vec_deque;
//!
//! use std::collections::VecDeque;
//! let it: vec_deque::IntoIter<u32> = VecDeque::from([1, 2, 3]).into_par_iter();
//! assert_eq!(it.collect::<Vec<_>>(), [1, 2, 3]);
//! ```

use std::collections::VecDeque;

use crate::iter::{IntoParallelIterator, ParallelDrainRange};

/// The parallel iterator `VecDeque::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::vec_deque;
/// use std::collections::VecDeque;
/// let it: vec_deque::IntoIter<u32> = VecDeque::from([1, 2, 3]).into_par_iter();
/// assert_eq!(it.collect::<Vec<_>>(), [1, 2, 3]);
/// ```
pub type IntoIter<T> = <VecDeque<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `VecDeque::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::vec_deque;
/// use std::collections::VecDeque;
/// let deque = VecDeque::from([1, 2, 3]);
/// let it: vec_deque::Iter<'_, u32> = deque.par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type Iter<'a, T> = <&'a VecDeque<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `VecDeque::par_iter_mut` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::vec_deque;
/// use std::collections::VecDeque;
/// let mut deque = VecDeque::from([1, 2, 3]);
/// let it: vec_deque::IterMut<'_, u32> = deque.par_iter_mut();
/// it.for_each(|v| *v *= 2);
/// assert_eq!(deque, [2, 4, 6]);
/// ```
pub type IterMut<'a, T> = <&'a mut VecDeque<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `VecDeque::par_drain` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::vec_deque;
/// use std::collections::VecDeque;
/// let mut deque = VecDeque::from([1, 2, 3, 4]);
/// let it: vec_deque::Drain<'_, u32> = deque.par_drain(1..3);
/// assert_eq!(it.collect::<Vec<_>>(), [2, 3]);
/// assert_eq!(deque, [1, 4]);
/// ```
pub type Drain<'a, T> = <&'a mut VecDeque<T> as ParallelDrainRange<usize>>::Iter;
