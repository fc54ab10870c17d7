//! The default global pool, and which pool "the current pool" is.
//!
//! A thread that is a worker of a pool built by this crate (or of the global
//! pool) uses that pool: inside [`ThreadPool::install`](crate::ThreadPool::install),
//! in jobs it forks, and in jobs stolen from them. Every other thread uses
//! the global pool, started on first use with `RAYON_NUM_THREADS` workers
//! (see `pool::default_num_threads`), else one per available core.
//!
//! A worker finds its pool with [`PoolHandle::current`].

use std::sync::{Arc, OnceLock};

use threadpool_core::PoolHandle;

use crate::threads::{self, PoolInfo};

/// The global pool and its settings, once started.
static GLOBAL: OnceLock<(PoolHandle, Arc<PoolInfo>)> = OnceLock::new();

/// The global pool and its settings, started with default settings (and
/// `RAYON_NUM_THREADS`) on first use.
fn global() -> &'static (PoolHandle, Arc<PoolInfo>) {
    GLOBAL.get_or_init(|| {
        let handle = threadpool_core::ThreadPoolBuilder::new()
            .thread_name("compat-global")
            .num_workers(crate::pool::default_num_threads())
            // Unnamed threads, as rayon's global pool has (the core
            // pool's default spawn would name them).
            .spawn_handler(|thread| {
                std::thread::Builder::new().spawn(|| thread.run())?;
                Ok(())
            })
            .build_handle()
            .expect("threadpool-rayon-compat: could not start the global pool");
        let info = PoolInfo::new(None, None, false);
        threads::register_workers(&handle, &info, None);
        (handle, info)
    })
}

/// The global pool, started with default settings on first use.
pub(crate) fn global_pool() -> &'static PoolHandle {
    &global().0
}

/// Installs `handle` (with its settings) as the global pool; gives it back
/// if there already is one.
pub(crate) fn set_global_pool(handle: PoolHandle, info: Arc<PoolInfo>) -> Result<(), PoolHandle> {
    GLOBAL.set((handle, info)).map_err(|(handle, _)| handle)
}

/// The settings of the current pool (see [`with_current_pool`]).
pub(crate) fn current_pool_info() -> Arc<PoolInfo> {
    threads::worker_pool_info().unwrap_or_else(|| Arc::clone(&global().1))
}

/// Whether the global pool has been started.
pub(crate) fn global_pool_started() -> bool {
    GLOBAL.get().is_some()
}

/// Calls `f` with the current pool: the pool the calling thread is a worker
/// of, or else the global pool.
#[inline]
pub(crate) fn with_current_pool<R>(f: impl FnOnce(&PoolHandle) -> R) -> R {
    PoolHandle::with_current(|current| match current {
        Some(pool) => f(pool),
        None => f(global_pool()),
    })
}

/// A clone of the current pool's handle.
pub(crate) fn current_pool() -> PoolHandle {
    with_current_pool(PoolHandle::clone)
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
