//! The default global pool, and which pool "the current pool" is.
//!
//! A thread that is a worker of a pool built by this crate (or of the global
//! pool) uses that pool: inside [`ThreadPool::install`](crate::ThreadPool::install),
//! in jobs it forks, and in jobs stolen from them. Every other thread uses
//! the global pool, started on first use with one worker per available core.
//!
//! `threadpool-core` has no "pool of this worker thread" query, so pools
//! built here are listed in a registry, and each thread looks itself up once
//! (with `PoolHandle::is_worker_thread`) and caches the answer in a
//! thread-local. The answer never changes: a thread is a worker of one pool
//! from its start, and a pool is registered before any job can reach it.

use std::cell::OnceCell;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use threadpool_core::PoolHandle;

/// The global pool, once started.
static GLOBAL: OnceLock<PoolHandle> = OnceLock::new();

/// Pools built by [`ThreadPoolBuilder::build`](crate::ThreadPoolBuilder::build)
/// and not yet dropped, with their ids.
static REGISTRY: Mutex<Vec<(u64, PoolHandle)>> = Mutex::new(Vec::new());

thread_local! {
    /// The pool this thread is a worker of, if any; looked up on first use.
    static MEMBER_OF: OnceCell<Option<PoolHandle>> = const { OnceCell::new() };
}

fn registry() -> MutexGuard<'static, Vec<(u64, PoolHandle)>> {
    // The list stays consistent under a panic (a push or a retain), so a
    // poisoned lock is still usable.
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The global pool, started with default settings on first use.
pub(crate) fn global_pool() -> &'static PoolHandle {
    GLOBAL.get_or_init(|| {
        threadpool_core::ThreadPoolBuilder::new()
            .thread_name("compat-global")
            .build_handle()
            .expect("threadpool-rayon-compat: could not start the global pool")
    })
}

/// Installs `handle` as the global pool; gives it back if there already is
/// one.
pub(crate) fn set_global_pool(handle: PoolHandle) -> Result<(), PoolHandle> {
    GLOBAL.set(handle)
}

/// Whether the global pool has been started.
pub(crate) fn global_pool_started() -> bool {
    GLOBAL.get().is_some()
}

/// Lists a pool built by this crate, so that its workers find it.
pub(crate) fn register(id: u64, handle: PoolHandle) {
    registry().push((id, handle));
}

/// Removes a pool from the list when it is dropped.
pub(crate) fn unregister(id: u64) {
    registry().retain(|(listed, _)| *listed != id);
}

/// Calls `f` with the current pool: the pool the calling thread is a worker
/// of, or else the global pool.
pub(crate) fn with_current_pool<R>(f: impl FnOnce(&PoolHandle) -> R) -> R {
    MEMBER_OF.with(|member| match member.get_or_init(find_membership) {
        Some(pool) => f(pool),
        None => f(global_pool()),
    })
}

/// A clone of the current pool's handle.
pub(crate) fn current_pool() -> PoolHandle {
    with_current_pool(PoolHandle::clone)
}

fn find_membership() -> Option<PoolHandle> {
    if let Some(global) = GLOBAL.get()
        && global.is_worker_thread()
    {
        return Some(global.clone());
    }
    registry()
        .iter()
        .find(|(_, pool)| pool.is_worker_thread())
        .map(|(_, pool)| pool.clone())
}

/// The number of worker threads of the current pool: the pool the calling
/// thread works for (inside [`ThreadPool::install`](crate::ThreadPool::install),
/// the installed pool), or else the global pool.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::{ThreadPoolBuilder, current_num_threads};
///
/// let pool = ThreadPoolBuilder::new().num_threads(3).build()?;
/// assert_eq!(pool.install(current_num_threads), 3);
/// assert!(current_num_threads() >= 1); // the global pool, outside
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn current_num_threads() -> usize {
    with_current_pool(PoolHandle::workers)
}
