//! [`RequestId`]: how a request is named from the moment it is built until
//! its callback has run.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Identifies a work request while it is outstanding.
///
/// Every request gets a fresh id when it is built, unique in the process;
/// [`WorkRequest::with_id`](crate::WorkRequest::with_id) sets one of the caller's choosing instead. An id
/// the caller chose is refused by `put_request` while another request with
/// the same id is outstanding. Automatic ids print as `#17`, chosen ones as
/// the plain number, and the two never compare equal.
///
/// # Examples
///
/// ```
/// use threadpool_core::{RequestId, WorkRequest};
///
/// let auto = WorkRequest::new(|| 1).id();
/// let chosen = WorkRequest::new(|| 1).with_id(7).id();
/// assert_eq!(chosen, RequestId::new(7));
/// assert_ne!(auto, chosen);
/// assert!(auto.to_string().starts_with('#'));
/// assert_eq!(chosen.to_string(), "7");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(Repr);

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Repr {
    Auto(u64),
    Chosen(u64),
}

impl RequestId {
    /// A caller-chosen id, as given to [`WorkRequest::with_id`](crate::WorkRequest::with_id).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::RequestId;
    ///
    /// assert_eq!(RequestId::new(3).chosen(), Some(3));
    /// ```
    pub const fn new(id: u64) -> Self {
        RequestId(Repr::Chosen(id))
    }

    /// The number of a caller-chosen id; `None` for an automatic one.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::WorkRequest;
    ///
    /// assert_eq!(WorkRequest::new(|| ()).id().chosen(), None);
    /// assert_eq!(WorkRequest::new(|| ()).with_id(9).id().chosen(), Some(9));
    /// ```
    pub const fn chosen(self) -> Option<u64> {
        match self.0 {
            Repr::Chosen(id) => Some(id),
            Repr::Auto(_) => None,
        }
    }

    /// The id's number, automatic or chosen.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_core::RequestId;
    ///
    /// assert_eq!(RequestId::new(12).as_u64(), 12);
    /// ```
    pub const fn as_u64(self) -> u64 {
        match self.0 {
            Repr::Auto(id) | Repr::Chosen(id) => id,
        }
    }

    /// Rebuilds an id from [`as_u64`](Self::as_u64) and whether it was
    /// chosen (a task cell keeps it so, in 9 bytes rather than 16).
    #[inline]
    pub(crate) const fn from_parts(id: u64, chosen: bool) -> Self {
        if chosen {
            RequestId(Repr::Chosen(id))
        } else {
            RequestId(Repr::Auto(id))
        }
    }

    pub(crate) fn next_auto() -> Self {
        /// Ids a thread reserves at a time, so that most ids cost no atomic.
        const BLOCK: u64 = 1024;
        static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);
        thread_local! {
            /// The next id of this thread's block, and the block's end.
            static BLOCK_IDS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
        }
        BLOCK_IDS.with(|ids| {
            let (mut next, mut end) = ids.get();
            if next == end {
                // Relaxed: only uniqueness matters, which the RMW gives.
                next = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
                end = next + BLOCK;
            }
            ids.set((next + 1, end));
            RequestId(Repr::Auto(next))
        })
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Auto(id) => write!(f, "#{id}"),
            Repr::Chosen(id) => write!(f, "{id}"),
        }
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Auto(id) => write!(f, "RequestId(#{id})"),
            Repr::Chosen(id) => write!(f, "RequestId({id})"),
        }
    }
}

impl From<u64> for RequestId {
    fn from(id: u64) -> Self {
        RequestId::new(id)
    }
}
