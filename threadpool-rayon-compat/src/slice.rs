//! Parallel iterators and sorts on slices, under rayon's `rayon::slice`
//! paths.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::slice::ParallelSliceMut;
//!
//! let mut v = vec![5, 3, 9, 1];
//! v.par_sort_unstable();
//! assert_eq!(v, [1, 3, 5, 9]);
//! ```

pub use crate::iter::slices::{
    ArrayWindows, ChunkBy, ChunkByMut, ChunksExact, ChunksExactMut, ChunksExactMutSlice,
    ChunksExactSlice, RChunks, RChunksExact, RChunksExactMut, RChunksExactMutSlice,
    RChunksExactSlice, RChunksMut, Split, SplitInclusive, SplitInclusiveMut, SplitMut, Windows,
    WithRemainder,
};
pub use crate::iter::source::Chunks;
pub use crate::iter::{ChunksMut, Iter, IterMut, ParallelSlice, ParallelSliceMut};
