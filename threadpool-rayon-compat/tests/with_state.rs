//! `map_with`, `map_init`, `for_each_with`, `for_each_init`, `inspect`,
//! `update`, `fold_with`, `panic_fuse`, `intersperse` against rayon and
//! `std`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;

macro_rules! agree {
    ($seq:expr, $body:expr) => {{
        let seq = $seq;
        let ours = {
            use threadpool_rayon_compat::prelude::*;
            $body
        };
        let theirs = {
            use rayon::prelude::*;
            $body
        };
        prop_assert_eq!(&ours, &seq, "ours vs std");
        prop_assert_eq!(&theirs, &seq, "rayon vs std");
    }};
}

fn items() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(-100..100_i32, 0..1500)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn per_piece_state(v in items(), offset in -10..10_i32) {
        agree!(v.iter().map(|x| x + offset).collect::<Vec<_>>(), v.par_iter().map_with(offset, |o, x| x + *o).collect::<Vec<_>>());
        agree!(v.iter().map(|x| x + offset).collect::<Vec<_>>(), v.par_iter().map_init(|| offset, |o, x| x + *o).collect::<Vec<_>>());
        // The state really is per piece: a scratch buffer reused in place.
        agree!(v.iter().map(|x| x.to_string().len()).collect::<Vec<_>>(),
            v.par_iter().map_init(String::new, |buf, x| { buf.clear(); buf.push_str(&x.to_string()); buf.len() }).collect::<Vec<_>>());
        agree!(v.iter().map(|x| i64::from(*x)).sum::<i64>(), v.par_iter().fold_with(0_i64, |a, x| a + i64::from(*x)).sum::<i64>());
        agree!(v.iter().map(|x| x * 2).rev().collect::<Vec<_>>(), v.par_iter().map_with(2, |k, x| x * *k).rev().collect::<Vec<_>>());
    }

    #[test]
    fn for_each_with_and_init_visit_everything(v in items()) {
        let expected: i64 = v.iter().map(|x| i64::from(*x)).sum();
        agree!(expected, {
            let total = Mutex::new(0_i64);
            v.par_iter().for_each_with(&total, |t, x| *t.lock().unwrap() += i64::from(*x));
            let with = total.into_inner().unwrap();
            let total = Mutex::new(0_i64);
            v.par_iter().for_each_init(|| &total, |t, x| *t.lock().unwrap() += i64::from(*x));
            assert_eq!(with, total.into_inner().unwrap());
            with
        });
    }

    #[test]
    fn inspect_update_and_intersperse(v in items(), sep in -5..5_i32) {
        agree!((v.iter().map(|x| x - 1).collect::<Vec<_>>(), v.len()), {
            let seen = AtomicUsize::new(0);
            let out: Vec<i32> = v.par_iter().copied().inspect(|_| { seen.fetch_add(1, Ordering::Relaxed); }).update(|x| *x -= 1).collect();
            (out, seen.into_inner())
        });
        let mut seq = Vec::new();
        for (i, x) in v.iter().enumerate() {
            if i > 0 { seq.push(sep); }
            seq.push(*x);
        }
        agree!(seq.clone(), v.par_iter().copied().intersperse(sep).collect::<Vec<_>>());
        agree!(seq.iter().rev().copied().collect::<Vec<_>>(), v.par_iter().copied().intersperse(sep).rev().collect::<Vec<_>>());
        agree!(seq.len(), v.par_iter().copied().intersperse(sep).count());
        // Unindexed: after a filter.
        let kept: Vec<i32> = v.iter().copied().filter(|x| x % 3 == 0).collect();
        let mut seq = Vec::new();
        for (i, x) in kept.iter().enumerate() {
            if i > 0 { seq.push(sep); }
            seq.push(*x);
        }
        // Checked against `std` only: rayon 1.12 puts a separator in front
        // when the pieces before the first kept item are empty (e.g.
        // [1, 0, 0, 0] filtered to [0, 0, 0] gives six items, not five).
        let ours: Vec<i32> = {
            use threadpool_rayon_compat::prelude::*;
            v.par_iter().copied().filter(|x| x % 3 == 0).intersperse(sep).collect()
        };
        prop_assert_eq!(ours, seq);
        agree!(v.iter().map(|x| x * 3).collect::<Vec<_>>(), v.par_iter().map(|x| x * 3).panic_fuse().collect::<Vec<_>>());
    }
}

#[test]
fn panic_fuse_stops_the_other_pieces_and_the_pool_survives() {
    use threadpool_rayon_compat::prelude::*;
    // One thread: the leftmost piece panics at its first item; every other
    // piece then sees the fuse blown and runs no item.
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let visited = AtomicUsize::new(0);
    let result = catch_unwind(AssertUnwindSafe(|| {
        pool.install(|| {
            (0..1_000_000_u32)
                .into_par_iter()
                .panic_fuse()
                .for_each(|n| {
                    visited.fetch_add(1, Ordering::Relaxed);
                    assert!(n != 0, "fuse blown");
                });
        })
    }));
    assert_eq!(
        *result.unwrap_err().downcast::<&str>().unwrap(),
        "fuse blown"
    );
    assert_eq!(visited.into_inner(), 1);
    assert_eq!(
        pool.install(|| (0..10_u32).into_par_iter().panic_fuse().sum::<u32>()),
        45
    );
}
