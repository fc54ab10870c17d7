//! Waking the owner's event loop when results arrive: the notifier of
//! [`ThreadPoolBuilder::notify`](crate::ThreadPoolBuilder::notify), and the
//! wakers of the async calls (`future.rs`).
//!
//! # The handshake
//!
//! A GUI or TUI loop polls the pool, then sleeps until input or results
//! arrive. Calling the notifier for every result would flood the loop (a
//! batch of a thousand tiny results would post a thousand events); calling
//! it only when the loop asked for it needs care, because a result may land
//! between the loop's last poll and its sleep. The protocol is one atomic
//! flag, `armed`, and two steps on each side:
//!
//! - the poller, at the end of [`ThreadPool::poll`](crate::ThreadPool::poll):
//!   (P1) sets `armed = true` (with a swap), then, after a SeqCst fence, (P2) looks at
//!   the result queue; if a result is there after all, it takes the flag
//!   back with a swap and, if it got it, calls the notifier itself (after
//!   its callbacks, outside any of them);
//! - a worker, after it sent a result: (W1) a SeqCst fence, then (W2) loads
//!   `armed`; if set, swaps it off and, if it got it, calls the notifier.
//!
//! The two fences order P1 before P2 and the result's send before W2 in one
//! total order, so either the poller's P2 sees the result or the worker's W2
//! sees the flag (or both): a wake-up is never lost. Whoever calls the
//! notifier first swapped the flag from `true` to `false`, and only a poll
//! sets it again, so the notifier runs at most once per poll, however many
//! results arrive: once per batch. The model is `tests/loom_notify.rs`.
//!
//! W1 runs after every result, in every pool: the async calls may arm the
//! flag at any time, and a cheaper "is anyone listening" check before the
//! fence would itself need the fence to be read reliably. The fence is the
//! one the result queue's push issues for its own handshake (`results.rs`),
//! so W1 costs nothing more; the load after it reads a line that only
//! changes once per poll.
//!
//! The async calls use the same flag with a [`Waker`] beside the notifier,
//! and a second flag, `room_armed`, for room in a bounded request queue
//! (set by an async put that found the queue full; taken by a worker that
//! freed a slot).

use std::fmt;
use std::task::Waker;

use crate::sync::{AtomicBool, Mutex, Ordering, fence, lock};

/// The user's notifier, as the builder and the pool keep it.
#[derive(Clone)]
pub(crate) struct NotifyFn(pub(crate) std::sync::Arc<dyn Fn() + Send + Sync>);

impl fmt::Debug for NotifyFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NotifyFn(..)")
    }
}

/// One event the poller waits for: a flag a waiting side arms, and the
/// waker to call when a producer takes the flag.
struct Watch {
    armed: AtomicBool,
    /// The waker of an async call waiting for this event, if any.
    waker: Mutex<Option<Waker>>,
}

impl Watch {
    fn new() -> Self {
        Watch {
            armed: AtomicBool::new(false),
            waker: Mutex::new(None),
        }
    }

    /// W1 and W2: after the producer's event is visible to the poller's
    /// check, takes the flag if it is armed. Returns whether it took it.
    #[inline]
    fn fire(&self) -> bool {
        // Pairs with the fence in `arm` (step P1 to P2).
        fence(Ordering::SeqCst);
        self.fire_fenced()
    }

    /// W2 alone, for a producer that issued the fence of W1 itself.
    #[inline]
    fn fire_fenced(&self) -> bool {
        // Relaxed: ordered by the caller's fence; the swap decides.
        self.armed.load(Ordering::Relaxed) && self.armed.swap(false, Ordering::SeqCst)
    }

    /// P1 and P2: arms the flag, then checks `ready`; if the event happened
    /// already, takes the flag back. Returns whether this call took it back
    /// (and so must do the waking itself).
    fn arm(&self, ready: impl FnOnce() -> bool) -> bool {
        // A swap, not a store: an RMW is ordered after every earlier
        // change of the flag, which the model (`tests/loom_notify.rs`)
        // needs; with a plain SeqCst store loom reports a lost wake-up
        // (loom models SeqCst stores as Release ones). Once per poll, on
        // the polling thread: its cost does not show.
        self.armed.swap(true, Ordering::SeqCst);
        // Pairs with the fence in `fire`.
        fence(Ordering::SeqCst);
        ready() && self.armed.swap(false, Ordering::SeqCst)
    }

    fn take_waker(&self) -> Option<Waker> {
        lock(&self.waker).take()
    }

    fn set_waker(&self, waker: &Waker) {
        let mut slot = lock(&self.waker);
        match &*slot {
            Some(have) if have.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }
}

/// What the pool's threads share to wake the polling side.
pub(crate) struct Notify {
    /// Results (or progress, or the last worker leaving) arrived.
    results: Watch,
    /// A slot of the bounded request queue was freed.
    room: Watch,
    /// The user's notifier: read by the worker that takes the flag (once
    /// per poll, so a lock costs nothing), replaced by `set_notifier`.
    notifier: Mutex<Option<NotifyFn>>,
    /// Whether `notifier` is set: read by `poll` to decide whether to arm.
    /// Written and read by the polling thread only (the builder's value is
    /// published with the pool).
    has_notifier: AtomicBool,
}

impl Notify {
    pub(crate) fn new(notifier: Option<NotifyFn>) -> Self {
        Notify {
            results: Watch::new(),
            room: Watch::new(),
            has_notifier: AtomicBool::new(notifier.is_some()),
            notifier: Mutex::new(notifier),
        }
    }

    /// Called by a producer after it put a message on the result queue.
    /// (The pool's producers use `results_sent_fenced`; this is the
    /// handshake as the models and tests drive it.)
    #[cfg(any(test, loom))]
    #[inline]
    pub(crate) fn results_sent(&self) {
        if self.results.fire() {
            self.wake_results();
        }
    }

    /// [`results_sent`](Self::results_sent) for a producer that issued a
    /// SeqCst fence after its message went on the result queue (the
    /// queue's push does: `results.rs`).
    #[inline]
    pub(crate) fn results_sent_fenced(&self) {
        if self.results.fire_fenced() {
            self.wake_results();
        }
    }

    /// Called by a worker after it freed a slot of the bounded queue.
    #[inline]
    pub(crate) fn room_made(&self) {
        if self.room.fire()
            && let Some(waker) = self.room.take_waker()
        {
            user_code("an async waker", || waker.wake());
        }
    }

    #[cold]
    fn wake_results(&self) {
        // Cloned, so that the user's code runs with no lock held.
        let notifier = lock(&self.notifier).clone();
        if let Some(notifier) = notifier {
            user_code("the notifier", || (notifier.0)());
        }
        if let Some(waker) = self.results.take_waker() {
            user_code("an async waker", || waker.wake());
        }
    }

    /// The end of a `poll` that found no more results: arms the notifier
    /// (if the pool has one), re-checking the queue with `has_results`.
    pub(crate) fn arm_notifier(&self, has_results: impl FnOnce() -> bool) {
        // Relaxed: only the polling thread writes it (see the field).
        if self.has_notifier.load(Ordering::Relaxed) && self.results.arm(has_results) {
            self.wake_results();
        }
    }

    /// Replaces the notifier (`None` removes it); on the polling thread.
    pub(crate) fn set_notifier(&self, notifier: Option<NotifyFn>) {
        // Relaxed: only the polling thread reads it.
        self.has_notifier
            .store(notifier.is_some(), Ordering::Relaxed);
        // The old one drops outside the lock: it is user code.
        let old = std::mem::replace(&mut *lock(&self.notifier), notifier);
        drop(old);
    }

    /// A blocking call (`wait`, `poll_blocking`) is about to wait itself:
    /// the notifier need not fire for the results it will take.
    pub(crate) fn disarm(&self) {
        // Relaxed: at worst one notifier call more, which the flag's
        // contract allows (once per poll).
        self.results.armed.store(false, Ordering::Relaxed);
    }

    /// An async call waits for a result: registers `waker` and arms.
    /// Returns `false` when `has_results` already holds (no waiting).
    pub(crate) fn watch_results(&self, waker: &Waker, has_results: impl FnOnce() -> bool) -> bool {
        self.results.set_waker(waker);
        if self.results.arm(has_results) {
            // A result is there: the caller polls again instead of waiting
            // (and so the notifier need not run: somebody is polling).
            self.results.take_waker();
            return false;
        }
        true
    }

    /// An async put waits for room: registers `waker` and arms. Returns
    /// `false` when `has_room` already holds.
    pub(crate) fn watch_room(&self, waker: &Waker, has_room: impl FnOnce() -> bool) -> bool {
        self.room.set_waker(waker);
        if self.room.arm(has_room) {
            self.room.take_waker();
            return false;
        }
        true
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify")
            .field("notifier", &self.has_notifier.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    fn counting() -> (Arc<AtomicUsize>, Notify) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let notify = Notify::new(Some(NotifyFn(Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }))));
        (calls, notify)
    }

    #[test]
    fn unarmed_results_call_nothing_and_armed_ones_call_once() {
        let (calls, notify) = counting();
        notify.results_sent();
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        notify.arm_notifier(|| false);
        notify.results_sent();
        notify.results_sent();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_result_seen_while_arming_is_notified_by_the_poller() {
        let (calls, notify) = counting();
        notify.arm_notifier(|| true);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        notify.results_sent();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the flag was taken back");
    }

    #[test]
    fn disarm_suppresses_the_next_call() {
        let (calls, notify) = counting();
        notify.arm_notifier(|| false);
        notify.disarm();
        notify.results_sent();
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }
}

/// Runs the notifier or a waker, user code called from workers (and from
/// their exit path): a panic is reported on stderr and goes no further, so
/// that it cannot take a worker, or the pool's invariants, down with it.
pub(crate) fn user_code(what: &str, f: impl FnOnce()) {
    if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        let panic = crate::panic::Panic::new(payload);
        // Not `eprintln!`, which panics when stderr is gone.
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "threadpool: {what} panicked: {panic}");
        crate::task::drop_quietly(panic);
    }
}
