//! Parallel iterators over a `BTreeMap`, under rayon's `rayon::collections::btree_map` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::collections::btree_map;
//!
//! use std::collections::BTreeMap;
//! let map = BTreeMap::from([(1, 'a'), (2, 'b')]);
//! let it: btree_map::IntoIter<i32, char> = map.into_par_iter();
//! assert_eq!(it.collect::<Vec<_>>(), [(1, 'a'), (2, 'b')]);
//! ```

use std::collections::BTreeMap;

use crate::iter::IntoParallelIterator;

/// The parallel iterator `BTreeMap::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::btree_map;
/// use std::collections::BTreeMap;
/// let map = BTreeMap::from([(1, 'a'), (2, 'b')]);
/// let it: btree_map::IntoIter<i32, char> = map.into_par_iter();
/// assert_eq!(it.collect::<Vec<_>>(), [(1, 'a'), (2, 'b')]);
/// ```
pub type IntoIter<K, V> = <BTreeMap<K, V> as IntoParallelIterator>::Iter;

/// The parallel iterator `BTreeMap::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::btree_map;
/// use std::collections::BTreeMap;
/// let map = BTreeMap::from([(1, 'a'), (2, 'b')]);
/// let it: btree_map::Iter<'_, i32, char> = map.par_iter();
/// assert_eq!(it.count(), 2);
/// ```
pub type Iter<'a, K, V> = <&'a BTreeMap<K, V> as IntoParallelIterator>::Iter;

/// The parallel iterator `BTreeMap::par_iter_mut` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::btree_map;
/// use std::collections::BTreeMap;
/// let mut map = BTreeMap::from([(1, 10), (2, 20)]);
/// let it: btree_map::IterMut<'_, i32, i32> = map.par_iter_mut();
/// it.for_each(|(_, v)| *v += 1);
/// assert_eq!(map[&2], 21);
/// ```
pub type IterMut<'a, K, V> = <&'a mut BTreeMap<K, V> as IntoParallelIterator>::Iter;
