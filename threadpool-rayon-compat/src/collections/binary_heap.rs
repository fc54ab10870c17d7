//! Parallel iterators over a `BinaryHeap`, under rayon's `rayon::collections::binary_heap` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::collections::binary_heap;
//!
//! use std::collections::BinaryHeap;
//! let it: binary_heap::IntoIter<u32> = BinaryHeap::from(vec![1, 2, 3]).into_par_iter();
//! assert_eq!(it.sum::<u32>(), 6);
//! ```

use std::collections::BinaryHeap;

use crate::iter::{IntoParallelIterator, ParallelDrainFull};

/// The parallel iterator `BinaryHeap::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::binary_heap;
/// use std::collections::BinaryHeap;
/// let it: binary_heap::IntoIter<u32> = BinaryHeap::from(vec![1, 2, 3]).into_par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type IntoIter<T> = <BinaryHeap<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `BinaryHeap::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::binary_heap;
/// use std::collections::BinaryHeap;
/// let heap = BinaryHeap::from(vec![1, 2, 3]);
/// let it: binary_heap::Iter<'_, u32> = heap.par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type Iter<'a, T> = <&'a BinaryHeap<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `BinaryHeap::par_drain` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::binary_heap;
/// use std::collections::BinaryHeap;
/// let mut heap = BinaryHeap::from(vec![1, 2, 3]);
/// let it: binary_heap::Drain<'_, u32> = heap.par_drain();
/// assert_eq!(it.sum::<u32>(), 6);
/// assert!(heap.is_empty());
/// ```
pub type Drain<'a, T> = <&'a mut BinaryHeap<T> as ParallelDrainFull>::Iter;
