//! Parallel iterators over an `Option`, under rayon's `rayon::option` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::option;
//!
//! let it: option::IntoIter<u32> = Some(4).into_par_iter();
//! assert_eq!(it.collect::<Vec<_>>(), [4]);
//! ```

use crate::iter::IntoParallelIterator;

/// The parallel iterator `Option::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::option;
/// let it: option::IntoIter<u32> = Some(4).into_par_iter();
/// assert_eq!(it.collect::<Vec<_>>(), [4]);
/// ```
pub type IntoIter<T> = <Option<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `Option::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::option;
/// let x = Some(4);
/// let it: option::Iter<'_, u32> = x.par_iter();
/// assert_eq!(it.count(), 1);
/// ```
pub type Iter<'a, T> = <&'a Option<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `Option::par_iter_mut` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::option;
/// let mut x = Some(4);
/// let it: option::IterMut<'_, u32> = x.par_iter_mut();
/// it.for_each(|v| *v += 1);
/// assert_eq!(x, Some(5));
/// ```
pub type IterMut<'a, T> = <&'a mut Option<T> as IntoParallelIterator>::Iter;
