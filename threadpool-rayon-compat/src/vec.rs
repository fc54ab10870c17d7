//! Parallel iterators over a `Vec`, under rayon's `rayon::vec` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::vec;
//!
//! let it: vec::IntoIter<u32> = vec![1, 2, 3].into_par_iter();
//! assert_eq!(it.sum::<u32>(), 6);
//! ```

use crate::iter::{IntoParallelIterator, ParallelDrainRange};

/// The parallel iterator `Vec::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::vec;
/// let it: vec::IntoIter<u32> = vec![1, 2, 3].into_par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type IntoIter<T> = <Vec<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `Vec::par_drain` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::vec;
/// let mut v = vec![1, 2, 3, 4];
/// let it: vec::Drain<'_, u32> = v.par_drain(1..3);
/// assert_eq!(it.collect::<Vec<_>>(), [2, 3]);
/// assert_eq!(v, [1, 4]);
/// ```
pub type Drain<'data, T> = <&'data mut Vec<T> as ParallelDrainRange<usize>>::Iter;
