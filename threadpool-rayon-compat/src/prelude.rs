//! `use threadpool_rayon_compat::prelude::*;` in place of
//! `use rayon::prelude::*;`: the parallel iterator traits under rayon's
//! names, and [`ParMap`] for `par_map` on plain iterators.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//!
//! let v: Vec<u64> = (0..1000).collect();
//! let sum_of_squares: u64 = v.par_iter().map(|x| x * x).sum();
//! assert_eq!(sum_of_squares, v.iter().map(|x| x * x).sum());
//! ```

pub use crate::iter::{
    FromParallelIterator, IndexedParallelIterator, IntoParallelIterator, IntoParallelRefIterator,
    IntoParallelRefMutIterator, ParallelBridge, ParallelDrainFull, ParallelDrainRange,
    ParallelExtend, ParallelIterator, ParallelSlice, ParallelSliceMut,
};
pub use crate::par_map::ParMap;
pub use crate::scope_fifo::ScopeSpawnBroadcast;
pub use crate::str::ParallelString;
