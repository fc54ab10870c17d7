//! Parallel iterators over a `HashSet`, under rayon's `rayon::collections::hash_set` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::collections::hash_set;
//!
//! use std::collections::HashSet;
//! let it: hash_set::IntoIter<u32> = HashSet::from([1, 2, 3]).into_par_iter();
//! assert_eq!(it.sum::<u32>(), 6);
//! ```

use std::collections::HashSet;

use crate::iter::{IntoParallelIterator, ParallelDrainFull};

/// The parallel iterator `HashSet::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::hash_set;
/// use std::collections::HashSet;
/// let it: hash_set::IntoIter<u32> = HashSet::from([1, 2, 3]).into_par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type IntoIter<T> = <HashSet<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `HashSet::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::hash_set;
/// use std::collections::HashSet;
/// let set = HashSet::from([1, 2, 3]);
/// let it: hash_set::Iter<'_, u32> = set.par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type Iter<'a, T> = <&'a HashSet<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `HashSet::par_drain` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::hash_set;
/// use std::collections::HashSet;
/// let mut set = HashSet::from([1, 2, 3]);
/// let it: hash_set::Drain<'_, u32> = set.par_drain();
/// assert_eq!(it.sum::<u32>(), 6);
/// assert!(set.is_empty());
/// ```
pub type Drain<'a, T> = <&'a mut HashSet<T> as ParallelDrainFull>::Iter;
