//! How idle workers sleep and how submitters wake them.
//!
//! The protocol, its invariants and why no wake-up is lost are in
//! `README.md`
//! beside this file; the comments here name the steps it describes.

use crossbeam_utils::CachePadded;

use crate::sync::{AtomicUsize, Condvar, Mutex, Ordering, fence, lock, wait, yield_now};

/// The sleep state shared by all workers of a pool.
pub(crate) struct Sleep {
    /// Workers that announced they are going to sleep and that no waker has
    /// claimed yet. Written with SeqCst RMWs, read after a SeqCst fence.
    sleepers: AtomicUsize,
    /// Idle workers that are awake: searching for work, spinning, or woken
    /// by a claim and not yet back to work (a claim counts its sleeper here
    /// at once). A submitter that sees one skips the wake-up, which that
    /// worker then owes (the note's "idle" rule). Padded away from
    /// `sleepers`: idle workers write it while submitters read both.
    idle: CachePadded<AtomicUsize>,
    /// Wake tokens: claims made by wakers and not yet consumed by a sleeper.
    tokens: Mutex<usize>,
    /// Sleepers wait here for a token (or for a reason to leave).
    condvar: Condvar,
    /// Wake-ups in flight: claims whose token no sleeper has consumed yet
    /// (the claimed workers are counted in `idle` meanwhile).
    waking: AtomicUsize,
    /// The most wake-ups in flight a push onto the injector starts while
    /// an idle worker is awake (the "cap" rule of the note): the cores the
    /// process may run on.
    max_waking: usize,
}

impl Sleep {
    /// `max_waking`: see the field; at least 1.
    pub(crate) fn new(max_waking: usize) -> Self {
        Sleep {
            sleepers: AtomicUsize::new(0),
            idle: CachePadded::new(AtomicUsize::new(0)),
            tokens: Mutex::new(0),
            condvar: Condvar::new(),
            waking: AtomicUsize::new(0),
            max_waking: max_waking.max(1),
        }
    }

    /// Counts the calling worker as idle and awake: it found no work and
    /// is about to search again, spin, or sleep. Pairs with
    /// [`end_idle`](Self::end_idle); [`sleep`](Self::sleep) is called only
    /// between the two.
    #[inline]
    pub(crate) fn start_idle(&self) {
        self.idle.fetch_add(1, Ordering::SeqCst);
    }

    /// The calling worker, counted idle, found work. If it was the last idle
    /// worker, a submitter may have skipped a wake-up because of it: when
    /// `queued` (the injector's length, read after a fence that pairs with
    /// the submitters') says work is still waiting, it wakes a sleeper for
    /// that work (the note's "idle" rule).
    #[inline]
    pub(crate) fn end_idle(&self, queued: impl Fn() -> usize) {
        if self.idle.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.hand_on(queued);
        }
    }

    #[cold]
    fn hand_on(&self, queued: impl Fn() -> usize) {
        // Pairs with the fence in `notify_queued`: either this load of the
        // queue sees the push, or that submitter saw `idle` at zero.
        fence(Ordering::SeqCst);
        // Nobody sleeps: nobody to wake, and `queued` (which may look at
        // every deque) is not read.
        if self.sleepers.load(Ordering::SeqCst) == 0 {
            return;
        }
        if queued() > 0 {
            self.notify_queued(queued);
        }
    }

    /// Puts the calling worker, counted idle ([`start_idle`](Self::start_idle)),
    /// to sleep until a waker claims it or `leave` returns true; it is
    /// counted idle again when this returns. Returns whether a claim woke
    /// it: the caller then passes the wake-up on ([`woken`](Self::woken)).
    ///
    /// `has_work` re-checks every queue the worker can take work from; it
    /// runs after the worker is counted as a sleeper (step 2 of the note), so
    /// work pushed before that point is seen here and work pushed after it
    /// sees the sleeper. `leave` is checked under the token lock, so a thread
    /// that makes it true and then calls [`Sleep::notify_all`] cannot be missed.
    pub(crate) fn sleep(&self, has_work: impl Fn() -> bool, leave: impl Fn() -> bool) -> bool {
        // Step 1: announce, and stop counting as idle (in this order, so
        // that a submitter never sees neither). SeqCst RMWs, then a SeqCst
        // fence that pairs with the fence in `notify_one`: either this
        // worker's re-check sees the submitter's push, or the submitter's
        // loads see these writes.
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        self.idle.fetch_sub(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        // Step 2: re-check.
        if has_work() || leave() {
            self.cancel();
            return false;
        }
        // Step 3: wait for a token.
        let mut tokens = lock(&self.tokens);
        loop {
            if *tokens > 0 {
                // The claim that added the token counted this worker idle.
                *tokens -= 1;
                self.consumed();
                return true;
            }
            if leave() {
                drop(tokens);
                self.cancel();
                return false;
            }
            tokens = wait(&self.condvar, tokens);
        }
    }

    /// A token was consumed: one wake-up in flight fewer.
    fn consumed(&self) {
        // Relaxed: a count for the cap rule, which no liveness argument
        // rests on. The token was added under the lock after the claim's
        // increment, so this decrement never comes first.
        self.waking.fetch_sub(1, Ordering::Relaxed);
    }

    /// A worker that a claim woke ([`sleep`](Self::sleep) returned true)
    /// and that is about to search: starts the next wake-up if the cap
    /// rule held one back, so that `max_waking` wake-ups stay in flight
    /// while the backlog lasts, whoever puts (the note's cap rule).
    pub(crate) fn woken(&self, queued: impl FnOnce() -> usize) {
        self.notify_queued(queued);
    }

    /// Leaves the sleep phase without having been woken: un-announce (and
    /// count as idle again), or, if a waker already claimed this sleeper's
    /// count (and counted it idle), consume its token.
    fn cancel(&self) {
        loop {
            if self.take_unclaimed() {
                self.idle.fetch_add(1, Ordering::SeqCst);
                return;
            }
            // Every announced sleeper, this one included, has been claimed.
            // A claim's token is in `tokens`, or about to be (its waker is
            // between its CAS and its lock). Tokens are anonymous: another
            // sleeper may take the one this claim adds, and then this
            // worker's count is back among the unclaimed. So never wait on
            // the condvar here (nobody need notify it); retry both ways.
            {
                let mut tokens = lock(&self.tokens);
                if *tokens > 0 {
                    *tokens -= 1;
                    self.consumed();
                    return;
                }
            }
            yield_now();
        }
    }

    /// Wakes one sleeping worker, if there is one, after work was pushed
    /// where only a full search finds it (a worker's own deque), or to pass
    /// a wake-up on. Returns whether it claimed one.
    ///
    /// When no worker sleeps this is a fence and a load: no lock, no system
    /// call.
    #[inline]
    pub(crate) fn notify_one(&self) -> bool {
        // Pairs with the fence in `sleep` (step 1).
        fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) == 0 {
            return false;
        }
        self.claim_sleeper()
    }

    /// Wakes one sleeping worker after a push onto the injector, unless the
    /// idle workers already awake are at least as many as the jobs waiting
    /// there (`queued`, read only then), or unless an idle worker is awake
    /// and `max_waking` wake-ups are in flight (the cap rule): one of those
    /// owes the wake-up (see [`end_idle`](Self::end_idle)). Returns whether
    /// it claimed a sleeper.
    ///
    /// So a stream of requests that one awake worker keeps up with wakes
    /// nobody else, and a backlog wakes one more worker per push, at most
    /// `max_waking` at a time (each woken worker starts the next one:
    /// [`woken`](Self::woken)).
    #[inline]
    pub(crate) fn notify_queued(&self, queued: impl FnOnce() -> usize) -> bool {
        // Pairs with the fences in `sleep` (step 1) and `hand_on`.
        fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) == 0 {
            return false;
        }
        let idle = self.idle.load(Ordering::SeqCst);
        if idle > 0 && queued() <= idle {
            return false;
        }
        // The cap rule: with an idle worker awake, which owes the wake-up
        // (the idle rule), start no more wake-ups than `max_waking` at a
        // time. Relaxed: a count; the idle load above is what the skip
        // rests on.
        if idle > 0 && self.waking.load(Ordering::Relaxed) >= self.max_waking {
            return false;
        }
        self.claim_sleeper()
    }

    /// Claims a sleeper, counts it idle, and hands it a token, if one is
    /// still unclaimed.
    #[cold]
    fn claim_sleeper(&self) -> bool {
        if !self.take_unclaimed() {
            return false;
        }
        // Counted idle before the token exists, so that no submitter sees
        // the woken worker as neither sleeping nor idle.
        self.idle.fetch_add(1, Ordering::SeqCst);
        // Relaxed: see `consumed`.
        self.waking.fetch_add(1, Ordering::Relaxed);
        *lock(&self.tokens) += 1;
        self.condvar.notify_one();
        true
    }

    /// Takes one unclaimed sleeper off the count, if there is one: a waker
    /// claiming it, or a sleeper leaving on its own.
    fn take_unclaimed(&self) -> bool {
        let mut sleepers = self.sleepers.load(Ordering::SeqCst);
        while sleepers > 0 {
            match self.sleepers.compare_exchange_weak(
                sleepers,
                sleepers - 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return true,
                Err(now) => sleepers = now,
            }
        }
        false
    }

    /// Like [`notify_one`](Self::notify_one) without the fence, and only
    /// when no idle worker is awake to steal, for forks that the forking
    /// worker runs itself if nobody steals them (see
    /// `WorkerContext::push_fork`): a missed wake-up costs parallelism, not
    /// progress.
    #[inline]
    pub(crate) fn notify_fork(&self) {
        // Relaxed: hints; the fenced path in `notify_one` does the rest.
        if self.sleepers.load(Ordering::Relaxed) > 0 && self.idle.load(Ordering::Relaxed) == 0 {
            self.notify_one();
        }
    }

    /// Wakes sleeping workers after `n` jobs were pushed onto the injector,
    /// until as many idle workers are awake as there are jobs (or nobody
    /// sleeps).
    pub(crate) fn notify_many(&self, n: usize) {
        for _ in 0..n {
            if !self.notify_queued(|| n) {
                return;
            }
        }
    }

    /// Wakes every sleeper so that each re-checks its `leave` condition
    /// (dismissal, shutdown, a latch it waits on). Issues no tokens.
    ///
    /// The caller makes the condition true *before* calling this; taking the
    /// token lock here orders that write before any sleeper's next check.
    pub(crate) fn notify_all(&self) {
        let _tokens = lock(&self.tokens);
        self.condvar.notify_all();
    }
}
