//! [`ResultCallback`]: a request's result callback, type-erased, stored
//! inline when it is small.
//!
//! Most callbacks capture a reference or two. Boxing each would cost an
//! allocation and a free per request on the polling thread, the pool's
//! bottleneck when requests are tiny. A closure of up to three words (with
//! at most word alignment) is stored in place instead; larger ones are
//! boxed, and the box's pointer is stored in place.
//!
//! The callback is only ever called or dropped on the thread that owns the
//! pool (the type is neither `Send` nor `Sync`), so nothing here crosses
//! threads.

use std::any::Any;
use std::marker::PhantomData;
use std::mem::{self, MaybeUninit};
use std::ptr;

use crate::id::RequestId;
use crate::panic::Exception;

/// What a `ResultCallback` stands for.
type Erased<'a, S> = dyn FnOnce(&mut S, RequestId, &mut dyn Any) -> Option<Exception> + 'a;

/// Room for a closure kept in place: three words.
type Storage = MaybeUninit<[usize; 3]>;

/// A `FnOnce(&mut S, RequestId, &mut dyn Any) -> Option<Exception> + 'a`,
/// stored inline when small. It receives the pool's state, the request's
/// id and its value; a fallible request's callback returns the job's error
/// as an `Exception`, for the exception callback.
pub(crate) struct ResultCallback<'a, S: ?Sized> {
    storage: Storage,
    /// Moves the closure out of the storage and calls it.
    call: unsafe fn(*mut Storage, &mut S, RequestId, &mut dyn Any) -> Option<Exception>,
    /// Drops the closure in the storage without calling it.
    drop: unsafe fn(*mut Storage),
    /// Owns an `F: 'a` that may be neither `Send` nor `Sync`: this makes the
    /// type `!Send`, `!Sync` and covariant in `'a`, as a box of it would be.
    marker: PhantomData<Box<Erased<'a, S>>>,
}

impl<'a, S: ?Sized> ResultCallback<'a, S> {
    pub(crate) fn new<F>(f: F) -> Self
    where
        F: FnOnce(&mut S, RequestId, &mut dyn Any) -> Option<Exception> + 'a,
    {
        let mut storage = Storage::uninit();
        let fits = mem::size_of::<F>() <= mem::size_of::<Storage>()
            && mem::align_of::<F>() <= mem::align_of::<Storage>();
        if fits {
            // SAFETY: `F` fits the storage in size and alignment (checked
            // above), and the storage is uninitialised, so nothing is
            // overwritten.
            unsafe { ptr::write(storage.as_mut_ptr().cast::<F>(), f) };
            ResultCallback {
                storage,
                call: call_inline::<S, F>,
                drop: drop_inline::<F>,
                marker: PhantomData,
            }
        } else {
            let boxed: *mut F = Box::into_raw(Box::new(f));
            // SAFETY: a thin pointer fits three words at word alignment.
            unsafe { ptr::write(storage.as_mut_ptr().cast::<*mut F>(), boxed) };
            ResultCallback {
                storage,
                call: call_boxed::<S, F>,
                drop: drop_boxed::<F>,
                marker: PhantomData,
            }
        }
    }

    /// Calls the callback, consuming it.
    pub(crate) fn call(
        self,
        state: &mut S,
        id: RequestId,
        value: &mut dyn Any,
    ) -> Option<Exception> {
        let mut this = mem::ManuallyDrop::new(self);
        // SAFETY: the storage holds the closure (or its box) that `call`
        // was made for; `ManuallyDrop` keeps `Drop` from dropping it again
        // after `call` has moved it out.
        unsafe { (this.call)(&mut this.storage, state, id, value) }
    }
}

impl<S: ?Sized> Drop for ResultCallback<'_, S> {
    fn drop(&mut self) {
        // SAFETY: a callback not consumed by `call` still holds the
        // closure `drop` was made for.
        unsafe { (self.drop)(&mut self.storage) }
    }
}

/// # Safety
///
/// `storage` holds an initialised `F`, which the caller gives up.
unsafe fn call_inline<
    S: ?Sized,
    F: FnOnce(&mut S, RequestId, &mut dyn Any) -> Option<Exception>,
>(
    storage: *mut Storage,
    state: &mut S,
    id: RequestId,
    value: &mut dyn Any,
) -> Option<Exception> {
    // SAFETY: the caller's contract; the read moves `F` out.
    let f = unsafe { ptr::read(storage.cast::<F>()) };
    f(state, id, value)
}

/// # Safety
///
/// `storage` holds an initialised `F`, which the caller gives up.
unsafe fn drop_inline<F>(storage: *mut Storage) {
    // SAFETY: the caller's contract.
    unsafe { ptr::drop_in_place(storage.cast::<F>()) }
}

/// # Safety
///
/// `storage` holds a pointer from `Box::<F>::into_raw`, which the caller
/// gives up.
unsafe fn call_boxed<S: ?Sized, F: FnOnce(&mut S, RequestId, &mut dyn Any) -> Option<Exception>>(
    storage: *mut Storage,
    state: &mut S,
    id: RequestId,
    value: &mut dyn Any,
) -> Option<Exception> {
    // SAFETY: the caller's contract; the box is rebuilt once.
    let f = unsafe { Box::from_raw(ptr::read(storage.cast::<*mut F>())) };
    f(state, id, value)
}

/// # Safety
///
/// `storage` holds a pointer from `Box::<F>::into_raw`, which the caller
/// gives up.
unsafe fn drop_boxed<F>(storage: *mut Storage) {
    // SAFETY: the caller's contract; the box is rebuilt once.
    drop(unsafe { Box::from_raw(ptr::read(storage.cast::<*mut F>())) });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    fn id() -> RequestId {
        RequestId::new(1)
    }

    #[test]
    fn small_and_large_closures_are_called_once_with_their_captures() {
        let hits = Cell::new(0);
        let small = ResultCallback::new(|_: &mut (), _, v: &mut dyn Any| {
            hits.set(hits.get() + *v.downcast_ref::<u32>().unwrap());
            None
        });
        let big = [7_u64; 8];
        let large = ResultCallback::new(move |_: &mut (), _, v: &mut dyn Any| {
            assert_eq!(big.iter().sum::<u64>(), 56);
            *v.downcast_mut::<u32>().unwrap() = 99;
            None
        });
        small.call(&mut (), id(), &mut 5_u32);
        let mut value = 0_u32;
        large.call(&mut (), id(), &mut value);
        assert_eq!((hits.get(), value), (5, 99));
    }

    #[test]
    fn dropping_an_uncalled_callback_drops_its_captures_once() {
        let token = Rc::new(());
        let small = {
            let token = Rc::clone(&token);
            ResultCallback::new(move |_: &mut (), _, _: &mut dyn Any| {
                drop(token);
                None
            })
        };
        let large = {
            let token = Rc::clone(&token);
            let pad = [0_u64; 8];
            ResultCallback::new(move |_: &mut (), _, _: &mut dyn Any| {
                drop((token, pad));
                None
            })
        };
        assert_eq!(Rc::strong_count(&token), 3);
        drop(small);
        drop(large);
        assert_eq!(Rc::strong_count(&token), 1);
        let called = {
            let token = Rc::clone(&token);
            ResultCallback::new(move |_: &mut (), _, _: &mut dyn Any| {
                drop(token);
                None
            })
        };
        called.call(&mut (), id(), &mut ());
        assert_eq!(Rc::strong_count(&token), 1);
    }

    #[test]
    fn over_aligned_closures_are_boxed() {
        #[repr(align(32))]
        struct Aligned(u8);
        let aligned = Aligned(3);
        let got = Cell::new(0);
        let callback = ResultCallback::new(|_: &mut (), _, _: &mut dyn Any| {
            got.set(aligned.0);
            None
        });
        callback.call(&mut (), id(), &mut ());
        assert_eq!(got.get(), 3);
    }
}
