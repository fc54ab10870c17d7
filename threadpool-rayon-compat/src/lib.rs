//! rayon's data-parallel API on the `threadpool-core` pool, and an
//! order-preserving, streaming `par_map` for any iterator.
//!
//! # Moving from rayon
//!
//! Change the `use` lines:
//!
//! ```
//! // use rayon::prelude::*;
//! use threadpool_rayon_compat::prelude::*;
//!
//! let words = vec!["apple", "bob", "kayak", "level", "rust"];
//! let palindromes: Vec<&str> = words
//!     .par_iter()
//!     .filter(|w| w.chars().eq(w.chars().rev()))
//!     .copied()
//!     .collect();
//! assert_eq!(palindromes, ["bob", "kayak", "level"]);
//! ```
//!
//! The crate covers rayon 1.12's API under rayon's paths and with its
//! semantics (the README has the item-by-item table): the [`prelude`]
//! traits with all their adaptors and consumers, parallel sorts
//! ([`slice::ParallelSliceMut`]), [`str::ParallelString`], fallible
//! pipelines, `par_extend` and the standard collections as sources and
//! targets, `par_bridge`, [`iter`]'s free functions (`empty`, `once`,
//! `repeat`, `split`, `walk_tree`, ...), rayon's [`iter::plumbing`] for
//! iterators and consumers written against it, and at the root [`join`],
//! [`join_context`], [`scope`], [`scope_fifo`], [`spawn`], [`spawn_fifo`],
//! [`broadcast`], [`current_num_threads`], [`current_thread_index`],
//! [`yield_now`], [`current_thread_has_pending_tasks`] and
//! [`ThreadPoolBuilder`]/[`ThreadPool`] (spawn handlers with
//! [`ThreadBuilder`], `build_scoped`, `use_current_thread`).
//!
//! Work runs on the *current pool*: inside [`ThreadPool::install`] (and in
//! every job of that pool) the installed pool, elsewhere a global pool
//! started on first use (or by [`ThreadPoolBuilder::build_global`]) with
//! `RAYON_NUM_THREADS` threads when that variable is a positive number
//! (else the older `RAYON_RS_NUM_CPUS`), otherwise one thread per
//! available core, as in rayon. Indexed work is split adaptively (see
//! `src/iter/pieces.rs`); a thread waiting for the other half of a split
//! runs other jobs, so nested parallelism never deadlocks, even on one
//! thread.
//!
//! # `par_map`
//!
//! [`ParMap::par_map`] maps any iterator, endless ones included, lazily and
//! in order, keeping a bounded number of items in flight, so memory stays
//! flat however long the input:
//!
//! ```
//! use threadpool_rayon_compat::ParMap;
//!
//! let lines = (0..).map(|n| format!("line {n}"));
//! let lengths: Vec<usize> = lines.par_map(|line| line.len()).take(3).collect();
//! assert_eq!(lengths, [6, 6, 6]);
//! ```
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod array;
pub mod collections;
mod global;
pub mod iter;
pub mod option;
mod par_map;
mod pool;
pub mod prelude;
pub mod range;
pub mod range_inclusive;
pub mod result;
mod scope_fifo;
pub mod slice;
mod sort;
pub mod str;
pub mod string;
mod threads;
pub mod vec;

pub use crate::global::current_num_threads;
pub use crate::par_map::{
    ParMap, ParMapIter, ParMapScope, ScopedParMapIter, par_map_scope, par_map_scope_in,
};
pub use crate::pool::{
    BroadcastContext, FnContext, ThreadPool, ThreadPoolBuildError, ThreadPoolBuilder, broadcast,
    current_thread_has_pending_tasks, current_thread_index, in_place_scope, in_place_scope_fifo,
    join, join_context, max_num_threads, scope, scope_fifo, spawn, spawn_broadcast, spawn_fifo,
    yield_local, yield_now,
};
pub use crate::scope_fifo::{ScopeFifo, ScopeSpawnBroadcast};
pub use crate::threads::ThreadBuilder;
/// A scope for spawning jobs that may borrow from the stack frame that
/// made it, as made by [`scope`], [`ThreadPool::scope`] and
/// [`in_place_scope`]; rayon's `Scope`. It is the core pool's
/// `threadpool_core::Scope` under rayon's name: its `spawn` gives the job
/// the scope, to spawn more,
/// and `spawn_broadcast` comes from [`ScopeSpawnBroadcast`] in the
/// [`prelude`]. The scope returns once every job spawned in it has
/// finished.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// let words = ["alpha", "beta", "gamma"];
/// let letters = AtomicUsize::new(0);
/// threadpool_rayon_compat::scope(|s| {
///     for word in &words {
///         let letters = &letters;
///         s.spawn(move |s| {
///             letters.fetch_add(word.len(), Ordering::Relaxed);
///             // A job may spawn more jobs into the same scope.
///             s.spawn(move |_| {
///                 letters.fetch_add(1, Ordering::Relaxed);
///             });
///         });
///     }
/// });
/// assert_eq!(letters.into_inner(), 5 + 4 + 5 + 3);
/// ```
pub type Scope<'scope> = threadpool_core::Scope<'scope>;
/// What [`yield_now`] and [`yield_local`] did; rayon's `Yield`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::{ThreadPoolBuilder, Yield};
///
/// let pool = ThreadPoolBuilder::new().num_threads(1).build()?;
/// assert_eq!(pool.install(threadpool_rayon_compat::yield_now), Some(Yield::Idle));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use threadpool_core::Yield;
