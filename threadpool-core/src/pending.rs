//! The polling side's table of callbacks waiting for their request's result.
//!
//! A slab: a request's callbacks go into a free slot, whose number travels
//! with the job and comes back with its result, so filing and finding them
//! are an index each, in memory that stays small and warm however many
//! requests are outstanding (freed slots are reused first, and the table
//! grows a page at a time without moving what it holds).

use crate::request::Callbacks;
use crate::task::REMOTE;

enum Entry<'a> {
    Filed(Callbacks<'a>),
    /// A free slot, and the next free one (`REMOTE` ends the list).
    Free(u32),
}

/// Slots per page of the table (a power of two).
const PAGE: usize = 1024;

pub(crate) struct Pending<'a> {
    /// The slots, [`PAGE`] to a page: the table grows by a page at a time
    /// and never moves an entry. (A `Vec` that doubled copied every entry
    /// when it grew, into fresh memory that had to be faulted in: with a
    /// burst of a million puts outstanding, most of the page faults of the
    /// put path.) Only the last page may be partly filled.
    pages: Vec<Vec<Entry<'a>>>,
    first_free: u32,
    len: usize,
}

impl<'a> Pending<'a> {
    pub(crate) fn new() -> Self {
        Pending {
            pages: Vec::new(),
            first_free: REMOTE,
            len: 0,
        }
    }

    #[inline]
    fn entry(&mut self, slot: u32) -> Option<&mut Entry<'a>> {
        let slot = slot as usize;
        self.pages.get_mut(slot / PAGE)?.get_mut(slot % PAGE)
    }

    /// Files `callbacks` and returns their slot.
    #[inline]
    pub(crate) fn insert(&mut self, callbacks: Callbacks<'a>) -> u32 {
        self.len += 1;
        let slot = self.first_free;
        if slot != REMOTE {
            let Some(entry) = self.entry(slot) else {
                unreachable!("the free list holds slots of the table");
            };
            let Entry::Free(next) = *entry else {
                unreachable!("the free list holds free slots only");
            };
            *entry = Entry::Filed(callbacks);
            self.first_free = next;
            slot
        } else {
            self.push(callbacks)
        }
    }

    /// Files `callbacks` in a new slot at the end of the table.
    #[inline]
    fn push(&mut self, callbacks: Callbacks<'a>) -> u32 {
        let pages = self.pages.len();
        if let Some(page) = self.pages.last_mut()
            && page.len() < PAGE
        {
            // Below `REMOTE`: checked when the page was added.
            let slot = ((pages - 1) * PAGE + page.len()) as u32;
            page.push(Entry::Filed(callbacks));
            return slot;
        }
        self.push_on_new_page(callbacks)
    }

    #[cold]
    #[inline(never)]
    fn push_on_new_page(&mut self, callbacks: Callbacks<'a>) -> u32 {
        let slot = u32::try_from(self.pages.len() * PAGE)
            .ok()
            .filter(|&first| {
                first
                    .checked_add(PAGE as u32 - 1)
                    .is_some_and(|last| last < REMOTE)
            })
            .expect("more than 4 billion requests outstanding on one pool");
        let mut page = Vec::with_capacity(PAGE);
        page.push(Entry::Filed(callbacks));
        self.pages.push(page);
        slot
    }

    /// Takes the callbacks out of `slot`.
    #[inline]
    pub(crate) fn remove(&mut self, slot: u32) -> Option<Callbacks<'a>> {
        let first_free = self.first_free;
        let entry = self.entry(slot)?;
        if let Entry::Free(_) = entry {
            return None;
        }
        let Entry::Filed(callbacks) = std::mem::replace(entry, Entry::Free(first_free)) else {
            unreachable!("checked above");
        };
        self.first_free = slot;
        self.len -= 1;
        Some(callbacks)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callbacks<'a>() -> Callbacks<'a> {
        Callbacks {
            on_result: None,
            on_exception: crate::request::OnException::Ignore,
            state: None,
            extras: None,
        }
    }

    #[test]
    fn slots_are_reused_last_freed_first() {
        let mut pending = Pending::new();
        let a = pending.insert(callbacks());
        let b = pending.insert(callbacks());
        assert_eq!((a, b, pending.len()), (0, 1, 2));
        assert!(pending.remove(a).is_some());
        assert!(pending.remove(a).is_none(), "a slot is emptied once");
        assert_eq!(pending.insert(callbacks()), a);
        assert!(pending.remove(b).is_some());
        assert!(pending.remove(a).is_some());
        assert_eq!(pending.len(), 0);
        assert_eq!(pending.insert(callbacks()), a);
        assert_eq!(pending.insert(callbacks()), b);
        assert_eq!(pending.insert(callbacks()), 2);
        assert!(pending.remove(99).is_none());
    }

    #[test]
    fn the_table_grows_by_pages_and_reuses_slots_across_them() {
        let mut pending = Pending::new();
        let n = 3 * PAGE as u32 + 5;
        for expected in 0..n {
            assert_eq!(pending.insert(callbacks()), expected);
        }
        assert_eq!((pending.pages.len(), pending.len()), (4, n as usize));
        assert!(pending.pages[..3].iter().all(|page| page.len() == PAGE));
        let freed = [0, PAGE as u32 - 1, PAGE as u32, n - 1];
        for slot in freed {
            assert!(pending.remove(slot).is_some());
        }
        assert!(pending.remove(n).is_none(), "past the end");
        for slot in freed.into_iter().rev() {
            assert_eq!(pending.insert(callbacks()), slot, "last freed first");
        }
        assert_eq!(pending.insert(callbacks()), n);
        assert_eq!(pending.len(), n as usize + 1);
    }
}
