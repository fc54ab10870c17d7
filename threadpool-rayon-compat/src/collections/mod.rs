//! Parallel iterators over the standard collections, under rayon's
//! `rayon::collections` module names: each submodule names the types this
//! crate's `into_par_iter`, `par_iter`, `par_iter_mut` and `par_drain`
//! return for that collection.
//!
//! # Examples
//!
//! ```
//! use std::collections::HashSet;
//! use threadpool_rayon_compat::collections::hash_set;
//! use threadpool_rayon_compat::prelude::*;
//!
//! let set: HashSet<u32> = (1..=3).collect();
//! let it: hash_set::Iter<'_, u32> = set.par_iter();
//! assert_eq!(it.sum::<u32>(), 6);
//! ```

pub mod binary_heap;
pub mod btree_map;
pub mod btree_set;
pub mod hash_map;
pub mod hash_set;
pub mod linked_list;
pub mod vec_deque;
