//! Parallel iterators over arrays, under rayon's `rayon::array` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::array;
//!
//! let it: array::IntoIter<u32, 3> = [1, 2, 3].into_par_iter();
//! assert_eq!(it.sum::<u32>(), 6);
//! ```

use crate::iter::IntoParallelIterator;

/// The parallel iterator `<[T; N]>::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::array;
/// let it: array::IntoIter<u32, 3> = [1, 2, 3].into_par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type IntoIter<T, const N: usize> = <[T; N] as IntoParallelIterator>::Iter;
