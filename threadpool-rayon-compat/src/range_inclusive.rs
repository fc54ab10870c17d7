//! Parallel iterators over a range `a..=b`, under rayon's `rayon::range_inclusive` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::range_inclusive;
//!
//! let it: range_inclusive::Iter<u8> = (0..=255).into_par_iter();
//! assert_eq!(it.count(), 256);
//! let letters: range_inclusive::Iter<char> = ('a'..='c').into_par_iter();
//! assert_eq!(letters.collect::<String>(), "abc");
//! ```

use crate::iter::IntoParallelIterator;

/// The parallel iterator `(a..=b).into_par_iter()` returns, for integers and `char`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::range_inclusive;
/// let it: range_inclusive::Iter<u8> = (0..=255).into_par_iter();
/// assert_eq!(it.count(), 256);
/// let letters: range_inclusive::Iter<char> = ('a'..='c').into_par_iter();
/// assert_eq!(letters.collect::<String>(), "abc");
/// ```
pub type Iter<T> = <std::ops::RangeInclusive<T> as IntoParallelIterator>::Iter;
