//! Parallel iterators over a `HashMap`, under rayon's `rayon::collections::hash_map` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::collections::hash_map;
//!
//! use std::collections::HashMap;
//! let map = HashMap::from([(1, 10), (2, 20)]);
//! let it: hash_map::IntoIter<i32, i32> = map.into_par_iter();
//! assert_eq!(it.map(|(_, v)| v).sum::<i32>(), 30);
//! ```

use std::collections::HashMap;

use crate::iter::{IntoParallelIterator, ParallelDrainFull};

/// The parallel iterator `HashMap::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::hash_map;
/// use std::collections::HashMap;
/// let map = HashMap::from([(1, 10), (2, 20)]);
/// let it: hash_map::IntoIter<i32, i32> = map.into_par_iter();
/// assert_eq!(it.map(|(_, v)| v).sum::<i32>(), 30);
/// ```
pub type IntoIter<K, V> = <HashMap<K, V> as IntoParallelIterator>::Iter;

/// The parallel iterator `HashMap::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::hash_map;
/// use std::collections::HashMap;
/// let map = HashMap::from([(1, 10), (2, 20)]);
/// let it: hash_map::Iter<'_, i32, i32> = map.par_iter();
/// assert_eq!(it.count(), 2);
/// ```
pub type Iter<'a, K, V> = <&'a HashMap<K, V> as IntoParallelIterator>::Iter;

/// The parallel iterator `HashMap::par_iter_mut` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::hash_map;
/// use std::collections::HashMap;
/// let mut map = HashMap::from([(1, 10), (2, 20)]);
/// let it: hash_map::IterMut<'_, i32, i32> = map.par_iter_mut();
/// it.for_each(|(_, v)| *v += 1);
/// assert_eq!(map[&1], 11);
/// ```
pub type IterMut<'a, K, V> = <&'a mut HashMap<K, V> as IntoParallelIterator>::Iter;

/// The parallel iterator `HashMap::par_drain` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::hash_map;
/// use std::collections::HashMap;
/// let mut map = HashMap::from([(1, 10), (2, 20)]);
/// let it: hash_map::Drain<'_, i32, i32> = map.par_drain();
/// assert_eq!(it.count(), 2);
/// assert!(map.is_empty());
/// ```
pub type Drain<'a, K, V> = <&'a mut HashMap<K, V> as ParallelDrainFull>::Iter;
