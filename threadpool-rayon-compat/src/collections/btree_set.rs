//! Parallel iterators over a `BTreeSet`, under rayon's `rayon::collections::btree_set` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::collections::btree_set;
//!
//! use std::collections::BTreeSet;
//! let it: btree_set::IntoIter<u32> = BTreeSet::from([1, 2, 3]).into_par_iter();
//! assert_eq!(it.collect::<Vec<_>>(), [1, 2, 3]);
//! ```

use std::collections::BTreeSet;

use crate::iter::IntoParallelIterator;

/// The parallel iterator `BTreeSet::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::btree_set;
/// use std::collections::BTreeSet;
/// let it: btree_set::IntoIter<u32> = BTreeSet::from([1, 2, 3]).into_par_iter();
/// assert_eq!(it.collect::<Vec<_>>(), [1, 2, 3]);
/// ```
pub type IntoIter<T> = <BTreeSet<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `BTreeSet::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::btree_set;
/// use std::collections::BTreeSet;
/// let set = BTreeSet::from([1, 2, 3]);
/// let it: btree_set::Iter<'_, u32> = set.par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type Iter<'a, T> = <&'a BTreeSet<T> as IntoParallelIterator>::Iter;
