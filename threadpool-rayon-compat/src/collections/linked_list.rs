//! Parallel iterators over a `LinkedList`, under rayon's `rayon::collections::linked_list` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::collections::linked_list;
//!
//! use std::collections::LinkedList;
//! let it: linked_list::IntoIter<u32> = LinkedList::from([1, 2, 3]).into_par_iter();
//! assert_eq!(it.collect::<Vec<_>>(), [1, 2, 3]);
//! ```

use std::collections::LinkedList;

use crate::iter::IntoParallelIterator;

/// The parallel iterator `LinkedList::into_par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::linked_list;
/// use std::collections::LinkedList;
/// let it: linked_list::IntoIter<u32> = LinkedList::from([1, 2, 3]).into_par_iter();
/// assert_eq!(it.collect::<Vec<_>>(), [1, 2, 3]);
/// ```
pub type IntoIter<T> = <LinkedList<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `LinkedList::par_iter` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::linked_list;
/// use std::collections::LinkedList;
/// let list = LinkedList::from([1, 2, 3]);
/// let it: linked_list::Iter<'_, u32> = list.par_iter();
/// assert_eq!(it.sum::<u32>(), 6);
/// ```
pub type Iter<'a, T> = <&'a LinkedList<T> as IntoParallelIterator>::Iter;

/// The parallel iterator `LinkedList::par_iter_mut` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::collections::linked_list;
/// use std::collections::LinkedList;
/// let mut list = LinkedList::from([1, 2, 3]);
/// let it: linked_list::IterMut<'_, u32> = list.par_iter_mut();
/// it.for_each(|v| *v *= 2);
/// assert_eq!(list.into_iter().collect::<Vec<_>>(), [2, 4, 6]);
/// ```
pub type IterMut<'a, T> = <&'a mut LinkedList<T> as IntoParallelIterator>::Iter;
