//! Latches: one-shot signals that a forked job has finished.
//!
//! A thread that waits for a forked job either is a worker of the pool, and
//! then keeps running other jobs while it waits ([`WorkerLatch`], waited on
//! with `WorkerContext::wait_for`), or is an outside thread that blocks
//! ([`LockLatch`]). The setter is the thread that ran the job; once it has
//! set the latch the waiter may return and free the job's memory, so `set`
//! takes a raw pointer and touches nothing of the latch after the store that
//! releases the waiter.

use crate::sleep::Sleep;
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::time::{Duration, Instant};

use crate::sync::{
    AtomicBool, AtomicUsize, Condvar, Mutex, Ordering, lock, wait_timeout, yield_now,
};

/// Something a finished job signals.
pub(crate) trait Latch {
    /// Signals the waiter.
    ///
    /// # Safety
    ///
    /// `this` points to a live latch. It may be freed as soon as the waiter
    /// sees the signal, so the implementation must not touch `*this` after
    /// the store that the waiter observes.
    unsafe fn set(this: *const Self);
}

/// Nobody waits yet, or the waiter is running other jobs.
const UNSET: usize = 0;
/// The waiter found no work and is about to sleep (or sleeps) in `Sleep`;
/// the setter must wake it.
const SLEEPY: usize = 1;
/// The job has finished.
const SET: usize = 2;

/// A latch waited on by a worker of the pool that owns `sleep`.
pub(crate) struct WorkerLatch {
    state: AtomicUsize,
    /// The pool's sleep state, which outlives the latch's setters.
    sleep: *const Sleep,
}

// SAFETY: `Sleep` is `Sync`, and `new`'s contract keeps the pointer valid for
// every thread that may set the latch.
unsafe impl Send for WorkerLatch {}
// SAFETY: as for `Send`; the state is an atomic.
unsafe impl Sync for WorkerLatch {}

impl WorkerLatch {
    /// # Safety
    ///
    /// `sleep` must outlive every call of `set` on this latch: it belongs to
    /// the pool whose workers set it, and they keep the pool alive.
    #[inline]
    pub(crate) unsafe fn new(sleep: &Sleep) -> Self {
        WorkerLatch {
            state: AtomicUsize::new(UNSET),
            sleep,
        }
    }

    /// Whether the job has finished.
    #[inline]
    pub(crate) fn probe(&self) -> bool {
        // Acquire: pairs with the AcqRel swap in `set`, so the job's result,
        // written before the swap, is visible after this returns true.
        self.state.load(Ordering::Acquire) == SET
    }

    /// Marks that the waiter will sleep. Returns false if the latch was set
    /// meanwhile (then the waiter must not sleep).
    pub(crate) fn prepare_to_sleep(&self) -> bool {
        // SeqCst: ordered before the sleeper's announcement in `Sleep::sleep`.
        match self
            .state
            .compare_exchange(UNSET, SLEEPY, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => true,
            Err(state) => state == SLEEPY,
        }
    }
}

impl Latch for WorkerLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: `this` is live until the swap below releases the waiter
        // (the caller's contract). `sleep` outlives the latch's setters
        // (`new`'s contract), so the copied pointer stays valid after.
        let (sleep, previous) = unsafe {
            let sleep: &Sleep = &*(*this).sleep;
            (sleep, (*this).state.swap(SET, Ordering::AcqRel))
        };
        if previous == SLEEPY {
            // The waiter checks the latch under the sleep lock before it
            // waits, and `notify_all` takes that lock: it cannot be missed.
            sleep.notify_all();
        }
    }
}

/// The latch of a `join`'s fork: a [`WorkerLatch`] that exists only once
/// the fork is promoted onto the deque, where another worker may run it.
/// Most forks never are, and then building the latch would be the only
/// cost a fork has beyond a push and a pop; so until then it holds nothing.
///
/// The forking worker initializes it when it promotes the fork, before the
/// deque push that publishes the job, and looks at it only once it found
/// the fork promoted.
pub(crate) struct ForkLatch(UnsafeCell<MaybeUninit<WorkerLatch>>);

// SAFETY: the latch is written once, by the owner, before the job is
// published to other threads (the deque push orders the write before any
// thief's use); from then on it is a `WorkerLatch`, which is `Sync`.
unsafe impl Sync for ForkLatch {}

impl ForkLatch {
    /// A latch not yet made.
    #[inline]
    pub(crate) const fn new() -> Self {
        ForkLatch(UnsafeCell::new(MaybeUninit::uninit()))
    }

    /// Makes the latch, unset.
    ///
    /// # Safety
    ///
    /// `this` points to a live `ForkLatch` that no other thread can reach
    /// yet, made at most once; `sleep` is as for [`WorkerLatch::new`].
    #[inline]
    pub(crate) unsafe fn init(this: *const Self, sleep: &Sleep) {
        // SAFETY: the caller's contract: nobody else reads or writes the
        // cell meanwhile.
        unsafe { (*(*this).0.get()).write(WorkerLatch::new(sleep)) };
    }

    /// The latch.
    ///
    /// # Safety
    ///
    /// It was made ([`init`](Self::init)).
    #[inline]
    pub(crate) unsafe fn get(&self) -> &WorkerLatch {
        // SAFETY: the caller's contract; after `init`, the cell is only
        // read (the latch's state is an atomic of its own).
        unsafe { (*self.0.get()).assume_init_ref() }
    }
}

impl Latch for ForkLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: a latch is set only by whoever ran the job, which was
        // promoted first, so the latch was made; `this` is live as
        // `Latch::set` requires, and the `WorkerLatch` sits in place.
        unsafe { Latch::set((*this).0.get().cast::<WorkerLatch>().cast_const()) }
    }
}

/// A latch for a thread outside the pool, which first watches it for a
/// while ([`spin`](Self::spin)) and then blocks until it is set.
///
/// A short job (an `install` of a few microseconds) then costs no sleep
/// and no wake-up on either side: the caller sees the flag at once, and
/// the worker, which notifies only a caller that blocks, makes no system
/// call.
pub(crate) struct LockLatch {
    /// Set, while the setter holds `state`'s lock, after `state.set`. A
    /// waiter that sees it takes that lock once before it returns, so it
    /// never frees the latch while the setter still holds the lock.
    done: AtomicBool,
    state: Mutex<LockState>,
    condvar: Condvar,
}

struct LockState {
    set: bool,
    /// A waiter blocks (or is about to) on the condvar: the setter must
    /// notify it.
    waiting: bool,
}

impl LockLatch {
    pub(crate) fn new() -> Self {
        LockLatch {
            done: AtomicBool::new(false),
            state: Mutex::new(LockState {
                set: false,
                waiting: false,
            }),
            condvar: Condvar::new(),
        }
    }

    /// Watches the latch, spinning and then yielding, for about `budget`;
    /// returns whether it is set.
    pub(crate) fn spin(&self, budget: Duration) -> bool {
        let started = Instant::now();
        let mut round = 0_u32;
        loop {
            // Acquire: pairs with the Release store in `set`, so the job's
            // result, written before, is visible.
            if self.done.load(Ordering::Acquire) {
                // The setter set `done` under the lock: once this thread
                // had the lock, the setter is done with the latch.
                drop(lock(&self.state));
                return true;
            }
            if round < SPINS {
                for _ in 0..1_u32 << round {
                    std::hint::spin_loop();
                }
                round += 1;
            } else {
                if started.elapsed() >= budget {
                    return false;
                }
                yield_now();
            }
        }
    }

    /// Blocks until the latch is set or `timeout` has passed; returns
    /// whether it is set.
    pub(crate) fn wait_timeout(&self, timeout: Duration) -> bool {
        let mut state = lock(&self.state);
        if state.set {
            return true;
        }
        state.waiting = true;
        wait_timeout(&self.condvar, state, timeout).set
    }
}

/// Rounds of growing spins (1, 2, 4, ... 128 spin-loop hints) a
/// [`LockLatch`] waiter makes before it starts yielding.
const SPINS: u32 = 8;

impl Latch for LockLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: a waiter cannot return before it acquires the mutex
        // after this guard is released (`spin` takes it once, and a
        // blocked waiter re-acquires it); until then `*this` is live (the
        // caller's contract).
        unsafe {
            let mut state = lock(&(*this).state);
            state.set = true;
            // Release: pairs with the Acquire load in `spin`.
            (*this).done.store(true, Ordering::Release);
            if state.waiting {
                (*this).condvar.notify_all();
            }
        }
    }
}

/// Counts a scope's unfinished jobs (plus one for the scope's own body);
/// the last to finish sets the latch the scope's owner waits on.
pub(crate) struct CountLatch {
    count: AtomicUsize,
    latch: WorkerLatch,
}

impl CountLatch {
    /// # Safety
    ///
    /// As for [`WorkerLatch::new`].
    pub(crate) unsafe fn new(sleep: &Sleep) -> Self {
        CountLatch {
            count: AtomicUsize::new(1),
            // SAFETY: the caller's contract.
            latch: unsafe { WorkerLatch::new(sleep) },
        }
    }

    pub(crate) fn increment(&self) {
        // Relaxed: the count cannot reach zero while the caller holds one
        // of the counted references (its own job or the scope body).
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn latch(&self) -> &WorkerLatch {
        &self.latch
    }
}

impl Latch for CountLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: the owner waits for `latch`, which is set only after the
        // count reaches zero here, so `*this` is live until then.
        unsafe {
            // AcqRel: every job's writes happen before the owner's wake-up.
            if (*this).count.fetch_sub(1, Ordering::AcqRel) == 1 {
                Latch::set(&raw const (*this).latch);
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_lock_latch_is_seen_by_spinning_and_by_blocking() {
        // Not set: the watch gives up (a zero budget ends it after the
        // spins), and a wait times out.
        let latch = LockLatch::new();
        assert!(!latch.spin(Duration::ZERO));
        assert!(!latch.wait_timeout(Duration::from_millis(1)));
        // Set by another thread, whichever way the waiter is waiting then:
        // the waiter keeps waiting (watching, then blocking) until it is.
        for spin in [Duration::from_secs(60), Duration::ZERO] {
            let latch = LockLatch::new();
            std::thread::scope(|s| {
                s.spawn(|| {
                    // SAFETY: the latch lives until the scope ends, after
                    // this thread.
                    unsafe { Latch::set(&raw const latch) };
                });
                let mut seen = latch.spin(spin);
                // At most a minute of waiting: a lost wake-up fails the
                // test instead of hanging it.
                for _ in 0..60_000 {
                    if seen {
                        break;
                    }
                    seen = latch.wait_timeout(Duration::from_millis(1));
                }
                assert!(seen, "the latch was set");
            });
        }
    }
}
