//! Parallel iterators over a range `a..b`, under rayon's `rayon::range` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::range;
//!
//! let it: range::Iter<usize> = (0..4).into_par_iter();
//! assert_eq!(it.sum::<usize>(), 6);
//! let letters: range::Iter<char> = ('a'..'d').into_par_iter();
//! assert_eq!(letters.collect::<String>(), "abc");
//! ```

use crate::iter::IntoParallelIterator;

/// The parallel iterator `(a..b).into_par_iter()` returns, for integers and `char`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::range;
/// let it: range::Iter<usize> = (0..4).into_par_iter();
/// assert_eq!(it.sum::<usize>(), 6);
/// let letters: range::Iter<char> = ('a'..'d').into_par_iter();
/// assert_eq!(letters.collect::<String>(), "abc");
/// ```
pub type Iter<T> = <std::ops::Range<T> as IntoParallelIterator>::Iter;
