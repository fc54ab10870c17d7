//! Every synchronisation primitive the pool's own protocols use, in one place.
//!
//! Under `cfg(loom)` the atomics, `Mutex`, `Condvar` and thread spawning come
//! from [`loom`](https://docs.rs/loom), so the sleep/wake and dismissal
//! protocols can be model-checked (`cargo xtask loom`); otherwise they are the
//! standard library's. The lock-free queues (`crossbeam-deque`,
//! `crossbeam-channel`) are not swapped: the models drive the protocols with
//! the queues' observable effects instead.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering, fence,
};
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering, fence,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

/// The standard `Arc`, under loom too.
///
/// Reference counts take part in none of the modelled protocols, and the
/// pool needs what `loom::sync::Arc` lacks: unsized contents (the stealer
/// set is an `Arc<[_]>`) and `self: &Arc<Self>` receivers.
pub(crate) use std::sync::Arc;

/// Worker threads, the standard library's under loom too: the models drive
/// the protocols from loom threads of their own, while a pool's workers
/// live as long as the pool and are never part of a model.
pub(crate) use std::thread;

/// Locks `mutex`, ignoring poisoning.
///
/// The pool never runs user code while holding one of its own locks, so a
/// poisoned lock can only come from a panic inside the pool's own short
/// critical sections, which leave the protected data consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(loom)]
    {
        mutex.lock().unwrap()
    }
    #[cfg(not(loom))]
    {
        mutex
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Waits on `condvar` for at most `timeout` (under loom: until notified),
/// ignoring poisoning (see [`lock`]).
pub(crate) fn wait_timeout<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    timeout: std::time::Duration,
) -> MutexGuard<'a, T> {
    #[cfg(loom)]
    {
        let _ = timeout;
        condvar.wait(guard).unwrap()
    }
    #[cfg(not(loom))]
    {
        condvar
            .wait_timeout(guard, timeout)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
    }
}

/// Waits on `condvar`, ignoring poisoning (see [`lock`]).
pub(crate) fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    #[cfg(loom)]
    {
        condvar.wait(guard).unwrap()
    }
    #[cfg(not(loom))]
    {
        condvar
            .wait(guard)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Lets other threads run, in a loop that waits for one of them: loom's
/// `yield_now` under loom, so the model checker switches threads there
/// (a spin it cannot see would look like an endless execution).
pub(crate) fn yield_now() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    std::thread::yield_now();
}
