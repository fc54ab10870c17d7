//! Parallel iterators over a `String`, under rayon's `rayon::string` names.
//!
//! Each name is the type this crate's corresponding call returns, so code
//! that names rayon's type compiles unchanged.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//! use threadpool_rayon_compat::string;
//!
//! let mut s = String::from("hello");
//! let it: string::Drain<'_> = s.par_drain(1..3);
//! assert_eq!(it.collect::<String>(), "el");
//! assert_eq!(s, "hlo");
//! ```

use crate::iter::ParallelDrainRange;

/// The parallel iterator `String::par_drain` returns.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
/// use threadpool_rayon_compat::string;
/// let mut s = String::from("hello");
/// let it: string::Drain<'_> = s.par_drain(1..3);
/// assert_eq!(it.collect::<String>(), "el");
/// assert_eq!(s, "hlo");
/// ```
pub type Drain<'a> = <&'a mut String as ParallelDrainRange<usize>>::Iter;
