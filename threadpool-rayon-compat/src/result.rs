//! Parallel iterators over a `Result`'s `Ok` value, under rayon's `rayon::result` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::result;
//!
//! let ok: Result<u32, ()> = Ok(4);
//! let it: result::IntoIter<u32> = ok.into_par_iter();
//! assert_eq!(it.collect::<Vec<_>>(), [4]);
//! ```

use crate::iter::IntoParallelIterator;

/// The parallel iterator `Result::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::result;
/// let ok: Result<u32, ()> = Ok(4);
/// let it: result::IntoIter<u32> = ok.into_par_iter();
/// assert_eq!(it.collect::<Vec<_>>(), [4]);
/// ```
pub type IntoIter<T> = <Option<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `Result::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::result;
/// let ok: Result<u32, ()> = Ok(4);
/// let it: result::Iter<'_, u32> = ok.par_iter();
/// assert_eq!(it.count(), 1);
/// ```
pub type Iter<'a, T> = <&'a Option<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `Result::par_iter_mut` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::result;
/// let mut ok: Result<u32, ()> = Ok(4);
/// let it: result::IterMut<'_, u32> = ok.par_iter_mut();
/// it.for_each(|v| *v += 1);
/// assert_eq!(ok, Ok(5));
/// ```
pub type IterMut<'a, T> = <&'a mut Option<T> as IntoParallelIterator>::Iter;
