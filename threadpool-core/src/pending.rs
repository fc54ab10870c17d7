//! The polling side's table of callbacks waiting for their request's result.
//!
//! A slab: a request's callbacks go into a free slot, whose number travels
//! with the job and comes back with its result, so filing and finding them
//! are an index each, in memory that stays small and warm however many
//! requests are outstanding (freed slots are reused first).

use crate::request::Callbacks;
use crate::task::REMOTE;

enum Entry<'a> {
    Filed(Callbacks<'a>),
    /// A free slot, and the next free one (`REMOTE` ends the list).
    Free(u32),
}

pub(crate) struct Pending<'a> {
    entries: Vec<Entry<'a>>,
    first_free: u32,
    len: usize,
}

impl<'a> Pending<'a> {
    pub(crate) fn new() -> Self {
        Pending {
            entries: Vec::new(),
            first_free: REMOTE,
            len: 0,
        }
    }

    /// Files `callbacks` and returns their slot.
    #[inline]
    pub(crate) fn insert(&mut self, callbacks: Callbacks<'a>) -> u32 {
        self.len += 1;
        if self.first_free != REMOTE {
            let slot = self.first_free;
            let entry = &mut self.entries[slot as usize];
            let Entry::Free(next) = *entry else {
                unreachable!("the free list holds free slots only");
            };
            self.first_free = next;
            *entry = Entry::Filed(callbacks);
            slot
        } else {
            let slot = u32::try_from(self.entries.len())
                .ok()
                .filter(|&slot| slot != REMOTE)
                .expect("more than 4 billion requests outstanding on one pool");
            self.entries.push(Entry::Filed(callbacks));
            slot
        }
    }

    /// Takes the callbacks out of `slot`.
    #[inline]
    pub(crate) fn remove(&mut self, slot: u32) -> Option<Callbacks<'a>> {
        let entry = self.entries.get_mut(slot as usize)?;
        match std::mem::replace(entry, Entry::Free(self.first_free)) {
            Entry::Filed(callbacks) => {
                self.first_free = slot;
                self.len -= 1;
                Some(callbacks)
            }
            free => {
                *entry = free;
                None
            }
        }
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
}
