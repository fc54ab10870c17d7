//! The result queue: finished requests (and progress notices, and the
//! last worker's note) on their way from any thread to the polling thread.
//!
//! It is a stack of intrusive links (a Treiber stack), each the first
//! field of what it carries: a finished request's task cell links itself,
//! so handing in a result allocates nothing and costs one compare-and-swap
//! on the stack's head. The polling thread takes the whole stack with one
//! swap and reverses it: messages come out in the order they went in, so
//! each producer's messages keep their order (a progress notice before its
//! request's result, a worker's results in the order it produced them).
//! The queue is unbounded: no producer ever waits (`worker/README.md`,
//! "Liveness with bounded queues").
//!
//! # Waiting for a message
//!
//! A polling thread with nothing to do waits on a *bell*, a channel of
//! one `()` that producers ring only when it asked them to, so a stream of
//! results costs producers no system call and no channel operation. The
//! handshake (`README.md` of `sleep/` has the same shape):
//!
//! - the poller *arms*: `waiting = true` (a swap), a SeqCst fence, then it
//!   loads the head; if a message is there it disarms and takes it, else
//!   it waits on the bell;
//! - a producer pushes (a compare-and-swap of the head), a SeqCst fence,
//!   then it loads `waiting`; if set, it swaps it off and, if it got it,
//!   rings.
//!
//! The two fences are ordered one way or the other: if the producer's
//! comes first, the poller's load of the head sees the message; otherwise
//! the producer's load of `waiting` sees the poller's swap, and it rings
//! (or another producer swapped the flag off first and rang). A ring that
//! finds the poller busy stays in the channel and only makes its next wait
//! return at once: it then takes what is there or waits again. The
//! producer's fence is also step W1 of the notifier's handshake
//! (`notify.rs`), so a result costs one fence for both. (SeqCst loads
//! after SeqCst read-modify-writes, without the fences, would be enough
//! in the C++ model, but loom models such loads as Acquire ones and finds
//! the lost ring.) The model is `tests/loom_results.rs` (`bell_*`).
//!
//! # The result bound
//!
//! A pool with a bounded result queue counts what waits unpolled
//! (`unpolled`): producers add one before they push, the poller takes one
//! off for each message it takes out of the queue. So the count may be one
//! too many for a moment, never too few. Pools without the bound keep no
//! count.
//!
//! # Closing
//!
//! When the polling side goes, it swaps a closed marker into the head and
//! drops what it took; a later push sees the marker and gets its message
//! back, to drop itself. So no message outlives the polling side in the
//! queue (a result may hold a handle to the pool, which would keep the
//! queue, and so the result, alive for ever).

use std::ptr::{self, NonNull};

use crossbeam_utils::CachePadded;

use crate::id::RequestId;
use crate::registry::Message;
use crate::sync::{AtomicBool, AtomicPtr, AtomicUsize, Ordering, fence};

/// The head of anything that travels through the queue: its first field,
/// in a `repr(C)` struct.
#[repr(C)]
pub(crate) struct Link {
    /// The next link: older in the stack, newer once the poller reversed
    /// it. Written by the one thread that owns the link.
    next: *mut Link,
    /// Takes back ownership of what this link heads, as a message.
    decode: unsafe fn(NonNull<Link>) -> Message,
}

// SAFETY: a link is a plain pointer and a function pointer; its `next` is
// only touched by the thread that owns the link (its producer until the
// push, then the poller).
unsafe impl Send for Link {}

impl Link {
    /// A link for a value whose `decode` takes it back.
    pub(crate) const fn new(decode: unsafe fn(NonNull<Link>) -> Message) -> Link {
        Link {
            next: ptr::null_mut(),
            decode,
        }
    }
}

/// A message that is no request's result: a progress notice, or the last
/// worker's note. Rare, so boxed.
#[repr(C)]
struct Notice {
    link: Link,
    id: RequestId,
}

/// A progress notice of request `id`, ready to send.
pub(crate) fn progress_notice(id: RequestId) -> NonNull<Link> {
    notice(id, decode_progress)
}

/// The last worker's note (`Message::Recheck`), ready to send.
pub(crate) fn recheck_notice() -> NonNull<Link> {
    notice(RequestId::new(0), decode_recheck)
}

fn notice(id: RequestId, decode: unsafe fn(NonNull<Link>) -> Message) -> NonNull<Link> {
    let notice = Box::new(Notice {
        link: Link::new(decode),
        id,
    });
    NonNull::from(Box::leak(notice)).cast()
}

/// # Safety
///
/// `link` heads a `Notice` leaked by `notice`, taken back once.
unsafe fn decode_progress(link: NonNull<Link>) -> Message {
    // SAFETY: the caller's contract; a `Notice` starts with its link.
    let notice = unsafe { Box::from_raw(link.cast::<Notice>().as_ptr()) };
    Message::Progress(notice.id)
}

/// # Safety
///
/// As for `decode_progress`.
unsafe fn decode_recheck(link: NonNull<Link>) -> Message {
    // SAFETY: as in `decode_progress`.
    drop(unsafe { Box::from_raw(link.cast::<Notice>().as_ptr()) });
    Message::Recheck
}

/// Turns a link back into its message.
///
/// # Safety
///
/// `link` heads a value given up to the queue (`Shared::send`), taken out
/// of it once.
pub(crate) unsafe fn decode(link: NonNull<Link>) -> Message {
    // SAFETY: the caller's contract; `decode` was set by the value's maker.
    unsafe { ((*link.as_ptr()).decode)(link) }
}

/// The marker a closed queue's head holds; never a real link (no
/// allocation lives at the address of the alignment).
fn closed() -> *mut Link {
    NonNull::<Link>::dangling().as_ptr()
}

/// The producers' side of the queue and the handshake state; see the
/// module's documentation. `Send` and `Sync` through its atomics, which
/// is sound because everything its links carry is `Send` (task cells,
/// notices) and only the poller takes it out.
pub(crate) struct ResultStack {
    /// The newest message, or null, or [`closed`].
    head: CachePadded<AtomicPtr<Link>>,
    /// The poller waits (or is about to) on the bell.
    waiting: CachePadded<AtomicBool>,
    /// Messages pushed and not taken out, when `counted`.
    unpolled: CachePadded<AtomicUsize>,
    counted: bool,
}

impl ResultStack {
    /// An empty queue; `counted` keeps the count of unpolled messages (for
    /// the result bound).
    pub(crate) fn new(counted: bool) -> Self {
        ResultStack {
            head: CachePadded::new(AtomicPtr::new(ptr::null_mut())),
            waiting: CachePadded::new(AtomicBool::new(false)),
            unpolled: CachePadded::new(AtomicUsize::new(0)),
            counted,
        }
    }

    /// Pushes a message, then issues the handshake's SeqCst fence;
    /// `counts` says whether it takes room in the result bound. `Ok(true)`:
    /// the poller waits, ring its bell. `Err`: the queue is closed, and the
    /// message comes back.
    #[inline]
    pub(crate) fn push(&self, link: NonNull<Link>, counts: bool) -> Result<bool, NonNull<Link>> {
        let counts = counts && self.counted;
        if counts {
            // SeqCst: read by puts deciding on room (`unpolled`).
            self.unpolled.fetch_add(1, Ordering::SeqCst);
        }
        // Relaxed: only a guess for the first compare-and-swap.
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if head == closed() {
                if counts {
                    self.unpolled.fetch_sub(1, Ordering::SeqCst);
                }
                return Err(link);
            }
            // SAFETY: the link is the caller's until the swap below
            // publishes it.
            unsafe { (*link.as_ptr()).next = head };
            // Release: pairs with the poller's Acquire swap in `take_all`,
            // so that what the producer wrote into the message is visible.
            match self.head.compare_exchange_weak(
                head,
                link.as_ptr(),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => head = now,
            }
        }
        // The handshake's fence: pairs with the fence in `arm` (and with
        // the notifier's in `Watch::arm`, `notify.rs`).
        fence(Ordering::SeqCst);
        // Relaxed: ordered by the fence; the swap decides who rings.
        Ok(self.waiting.load(Ordering::Relaxed) && self.waiting.swap(false, Ordering::Relaxed))
    }

    /// The poller is about to wait on the bell: `false` if it may (a
    /// producer will ring), `true` if a message is there already (it is
    /// disarmed again and should take it).
    pub(crate) fn arm(&self) -> bool {
        // A swap: ordered after every earlier change of the flag (as the
        // notifier's `Watch::arm`). Pairs with the load in `push`.
        self.waiting.swap(true, Ordering::SeqCst);
        // Pairs with the fence in `push`.
        fence(Ordering::SeqCst);
        if self.is_empty() {
            return false;
        }
        self.disarm();
        true
    }

    /// The poller no longer waits: producers need not ring.
    pub(crate) fn disarm(&self) {
        // Relaxed: a stale `true` costs a producer one needless ring.
        if self.waiting.load(Ordering::Relaxed) {
            self.waiting.store(false, Ordering::Relaxed);
        }
    }

    /// Whether no message waits in the stack.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        // SeqCst: after the fence in `arm` (or the notifier's, `notify.rs`)
        // it reads the head as the handshake needs.
        let head = self.head.load(Ordering::SeqCst);
        head.is_null() || head == closed()
    }

    /// Messages pushed and not yet taken out (0 when not `counted`): may
    /// count one too many for a moment, never too few.
    pub(crate) fn unpolled(&self) -> usize {
        self.unpolled.load(Ordering::SeqCst)
    }

    /// Takes every message in the stack, oldest first.
    #[inline]
    fn take_all(&self) -> Chain {
        if self.is_empty() {
            return Chain::EMPTY;
        }
        // Acquire: pairs with the Release of the pushes' compare-and-swap.
        let lifo = self.head.swap(ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: the links were published by their producers and are now
        // the poller's alone.
        unsafe { Chain::reversed(lifo) }
    }

    /// Closes the queue and returns what it held: later pushes fail.
    fn close(&self) -> Chain {
        // AcqRel: as `take_all`; later pushes see the marker.
        let lifo = self.head.swap(closed(), Ordering::AcqRel);
        if lifo == closed() {
            return Chain::EMPTY;
        }
        // SAFETY: as in `take_all`.
        unsafe { Chain::reversed(lifo) }
    }
}

impl Drop for ResultStack {
    fn drop(&mut self) {
        // A queue that was never closed (no poller took it): drop what is in it.
        let mut rest = self.close();
        while let Some(message) = rest.pop() {
            crate::task::drop_quietly(message);
        }
    }
}

/// Messages taken out of the stack, oldest first: the poller's own.
struct Chain {
    first: *mut Link,
}

impl Chain {
    const EMPTY: Chain = Chain {
        first: ptr::null_mut(),
    };

    /// Reverses a stack's links (newest first) into a chain.
    ///
    /// # Safety
    ///
    /// The links are the caller's alone, and end with a null `next`.
    unsafe fn reversed(mut lifo: *mut Link) -> Chain {
        let mut first = ptr::null_mut();
        while !lifo.is_null() {
            prefetch(lifo.wrapping_byte_sub(PREFETCH_BEHIND));
            // SAFETY: the caller's contract.
            unsafe {
                let next = (*lifo).next;
                (*lifo).next = first;
                first = lifo;
                lifo = next;
            }
        }
        Chain { first }
    }

    fn is_empty(&self) -> bool {
        self.first.is_null()
    }

    fn pop(&mut self) -> Option<Message> {
        let link = NonNull::new(self.first)?;
        // SAFETY: the chain's links are ours; each is taken out once.
        unsafe {
            self.first = (*link.as_ptr()).next;
            Some(decode(link))
        }
    }
}

/// How far below a link [`Chain::reversed`] asks for memory ahead of its
/// walk: eight cells of one cache line. The walk follows the links one by
/// one, each load waiting for the one before, and with many results
/// waiting, each misses the cache. But the cells of consecutive requests
/// are cut one after the other from the same arena chunk
/// (`task/arena.rs`), and their results come back in roughly that order,
/// so the link a few steps on is usually a few cells lower in memory. A
/// wrong guess costs one useless prefetch.
const PREFETCH_BEHIND: usize = 8 * 64;

/// Asks the processor to bring the line at `address` into the cache.
#[inline(always)]
fn prefetch<T>(address: *const T) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: a prefetch is only a hint: it reads nothing the program
    // sees and cannot fault, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(address.cast::<i8>());
    }
    #[cfg(any(not(target_arch = "x86_64"), miri))]
    let _ = address;
}

/// The poller's side: the messages it took out of the stack and has not
/// handled yet. Owned by the `ThreadPool`.
pub(crate) struct ResultReceiver {
    ready: Chain,
}

impl ResultReceiver {
    pub(crate) fn new() -> Self {
        ResultReceiver {
            ready: Chain::EMPTY,
        }
    }

    /// The next message, taking the stack's messages if none is ready.
    #[inline]
    pub(crate) fn try_recv(&mut self, stack: &ResultStack) -> Option<Message> {
        if self.ready.is_empty() {
            self.ready = stack.take_all();
        }
        self.next_ready(stack)
    }

    /// Takes the stack's messages, if none is ready: what `recv_ready`
    /// then hands out is what was there at this point.
    #[inline]
    pub(crate) fn refill(&mut self, stack: &ResultStack) {
        if self.ready.is_empty() {
            self.ready = stack.take_all();
        }
    }

    /// The next message taken out already, if any.
    #[inline]
    pub(crate) fn next_ready(&mut self, stack: &ResultStack) -> Option<Message> {
        let message = self.ready.pop()?;
        if stack.counted && !matches!(message, Message::Recheck) {
            // SeqCst: as in `push`.
            stack.unpolled.fetch_sub(1, Ordering::SeqCst);
        }
        Some(message)
    }

    /// Whether no message is ready or waits in the stack.
    pub(crate) fn is_empty(&self, stack: &ResultStack) -> bool {
        self.ready.is_empty() && stack.is_empty()
    }

    /// Closes the queue and drops every message in it or ready here;
    /// returns how many.
    pub(crate) fn close(&mut self, stack: &ResultStack) -> usize {
        let mut rest = stack.close();
        let mut dropped = 0;
        while let Some(message) = self.ready.pop().or_else(|| rest.pop()) {
            if stack.counted && !matches!(message, Message::Recheck) {
                stack.unpolled.fetch_sub(1, Ordering::SeqCst);
            }
            // A value's destructor is user code; this may run during an
            // unwind, where a second panic would abort.
            crate::task::drop_quietly(message);
            dropped += 1;
        }
        dropped
    }
}

impl Drop for ResultReceiver {
    fn drop(&mut self) {
        while let Some(message) = self.ready.pop() {
            crate::task::drop_quietly(message);
        }
    }
}
