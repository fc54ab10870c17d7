//! Panics inside parallel iterators: resumed in the caller, nothing leaked,
//! the pool usable afterwards.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicIsize, Ordering};

use threadpool_rayon_compat::ThreadPoolBuilder;
use threadpool_rayon_compat::prelude::*;

/// Counts the values alive: +1 when made, -1 when dropped.
struct Counted<'a>(&'a AtomicIsize);

impl<'a> Counted<'a> {
    fn new(alive: &'a AtomicIsize) -> Self {
        alive.fetch_add(1, Ordering::Relaxed);
        Counted(alive)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[test]
fn a_panicking_indexed_collect_drops_the_items_already_written() {
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    for panic_at in [0, 1, 500, 999, 4_000, 9_999] {
        let alive = AtomicIsize::new(0);
        let result = catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| {
                (0..10_000_u32)
                    .into_par_iter()
                    .map(|i| {
                        assert!(i != panic_at, "boom at {i}");
                        Counted::new(&alive)
                    })
                    .collect::<Vec<_>>()
            })
        }));
        let message = result.err().and_then(|e| e.downcast::<String>().ok());
        assert_eq!(
            message.as_deref().map(String::as_str),
            Some(&*format!("boom at {panic_at}"))
        );
        assert_eq!(
            alive.load(Ordering::Relaxed),
            0,
            "panic at {panic_at}: values leaked"
        );
        // The pool is still usable.
        assert_eq!(
            pool.install(|| (0..100_u32).into_par_iter().sum::<u32>()),
            4950
        );
    }
}

#[test]
fn a_successful_indexed_collect_keeps_every_item() {
    let alive = AtomicIsize::new(0);
    let v: Vec<Counted<'_>> = (0..5_000)
        .into_par_iter()
        .map(|_| Counted::new(&alive))
        .collect();
    assert_eq!(alive.load(Ordering::Relaxed), 5_000);
    drop(v);
    assert_eq!(alive.load(Ordering::Relaxed), 0);
}
