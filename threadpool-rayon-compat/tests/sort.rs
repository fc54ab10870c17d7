//! The `par_sort*` family against rayon's and the standard library's
//! sorts: same order (stability included), comparator panics resumed with
//! every element kept, the pool usable afterwards.

// The std sorts are the reference for the same-named parallel ones.
#![allow(clippy::unnecessary_sort_by)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use threadpool_rayon_compat::{ThreadPool, ThreadPoolBuilder};

/// Four workers whatever the machine, so the sorts really split.
fn pool() -> &'static ThreadPool {
    static POOL: OnceLock<ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| ThreadPoolBuilder::new().num_threads(4).build().unwrap())
}

/// Keys collide often (so stability shows); the position tells equal keys
/// apart. Lengths cross the parallel thresholds.
fn items() -> impl Strategy<Value = Vec<(u16, u32)>> {
    (0..40_000_usize, 1..2_000_u16).prop_flat_map(|(len, keys)| {
        prop::collection::vec(0..keys, len)
            .prop_map(|keys| keys.into_iter().zip(0..).collect::<Vec<(u16, u32)>>())
    })
}

/// Runs `sort` with this crate (on the pool of four), with rayon and with
/// `std`; all three must agree.
macro_rules! sorts_agree {
    ($v:expr, |$s:ident| $ours:expr, $theirs:expr, $std:expr) => {{
        let mut ours = $v.clone();
        let mut theirs = $v.clone();
        let mut seq = $v.clone();
        pool().install(|| {
            use threadpool_rayon_compat::prelude::*;
            let $s = &mut ours;
            $ours;
        });
        {
            use rayon::prelude::*;
            let $s = &mut theirs;
            $theirs;
        }
        {
            let $s = &mut seq;
            $std;
        }
        prop_assert!(ours == seq, "ours differs from std");
        prop_assert!(theirs == seq, "rayon differs from std");
    }};
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn stable_sorts_match_rayon_and_std(v in items()) {
        let by_key = |p: &(u16, u32)| p.0;
        sorts_agree!(v, |s| s.par_sort(), s.par_sort(), s.sort());
        sorts_agree!(v, |s| s.par_sort_by(|a, b| b.0.cmp(&a.0)), s.par_sort_by(|a, b| b.0.cmp(&a.0)), s.sort_by(|a, b| b.0.cmp(&a.0)));
        sorts_agree!(v, |s| s.par_sort_by_key(by_key), s.par_sort_by_key(by_key), s.sort_by_key(by_key));
        sorts_agree!(v, |s| s.par_sort_by_cached_key(|p| p.0 % 7), s.par_sort_by_cached_key(|p| p.0 % 7), s.sort_by_cached_key(|p| p.0 % 7));
    }

    #[test]
    fn unstable_sorts_match_rayon_and_std(v in items()) {
        // Keys only: the order of equal keys is unspecified.
        let keys: Vec<u16> = v.iter().map(|p| p.0).collect();
        sorts_agree!(keys, |s| s.par_sort_unstable(), s.par_sort_unstable(), s.sort_unstable());
        sorts_agree!(keys, |s| s.par_sort_unstable_by(|a, b| b.cmp(a)), s.par_sort_unstable_by(|a, b| b.cmp(a)), s.sort_unstable_by(|a, b| b.cmp(a)));
        // By a coarser key: the keys' order is fixed, and no element is lost.
        let mut ours = keys.clone();
        pool().install(|| {
            use threadpool_rayon_compat::prelude::*;
            ours.par_sort_unstable_by_key(|k| k % 100);
        });
        let mut expected = keys.clone();
        expected.sort_by_key(|k| k % 100);
        prop_assert!(ours.iter().map(|k| k % 100).eq(expected.iter().map(|k| k % 100)));
        ours.sort_unstable();
        expected.sort_unstable();
        prop_assert_eq!(ours, expected);
        // With the position in the element, the order is total and fixed.
        sorts_agree!(v, |s| s.par_sort_unstable(), s.par_sort_unstable(), s.sort_unstable());
    }

    #[test]
    fn a_panicking_comparator_keeps_every_element(v in items(), panic_after in 0..200_000_usize) {
        let compared = AtomicUsize::new(0);
        let mut ours: Vec<String> = v.iter().map(|p| p.0.to_string()).collect();
        let result = catch_unwind(AssertUnwindSafe(|| {
            pool().install(|| {
                use threadpool_rayon_compat::prelude::*;
                ours.par_sort_by(|a, b| {
                    assert!(compared.fetch_add(1, Ordering::Relaxed) != panic_after, "comparator panicked");
                    a.cmp(b)
                });
            });
        }));
        let mut expected: Vec<String> = v.iter().map(|p| p.0.to_string()).collect();
        expected.sort();
        if let Err(payload) = result {
            prop_assert_eq!(payload.downcast_ref::<&str>(), Some(&"comparator panicked"));
            ours.sort(); // every element is still there, once
        }
        prop_assert_eq!(ours, expected);
        // The pool is still usable.
        let mut after = vec![3, 1, 2];
        pool().install(|| {
            use threadpool_rayon_compat::prelude::*;
            after.par_sort();
        });
        prop_assert_eq!(after, [1, 2, 3]);
    }
}

#[test]
fn the_sorts_run_in_parallel() {
    // The comparator is called from more than one thread of the pool, for
    // the stable and the unstable sorts alike. Which threads take part
    // depends on who steals what, so a sort is repeated (up to 20 times)
    // until a second thread has been seen; a sequential sort never shows
    // one.
    for stable in [true, false] {
        let threads = std::sync::Mutex::new(std::collections::HashSet::new());
        for _ in 0..20 {
            let mut v: Vec<u32> = (0..200_000_u32)
                .map(|i| i.wrapping_mul(2_654_435_761))
                .collect();
            let compare = |a: &u32, b: &u32| {
                let id = std::thread::current().id();
                let mut seen = threads.lock().unwrap();
                if seen.len() < 2 {
                    seen.insert(id);
                }
                a.cmp(b)
            };
            pool().install(|| {
                use threadpool_rayon_compat::prelude::*;
                if stable {
                    v.par_sort_by(compare);
                } else {
                    v.par_sort_unstable_by(compare);
                }
            });
            assert!(v.windows(2).all(|w| w[0] <= w[1]));
            if threads.lock().unwrap().len() >= 2 {
                break;
            }
        }
        assert!(threads.into_inner().unwrap().len() >= 2, "stable: {stable}");
    }
}
