//! Fallible pipelines against rayon and `std`: `collect` into `Result` and
//! `Option`, `try_for_each*`, `try_reduce*`, `try_fold*`; failures stop
//! the work early; a panic is resumed in the caller and the pool survives.

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use threadpool_rayon_compat::ThreadPoolBuilder;

/// The same expression with this crate's prelude and with rayon's.
macro_rules! both {
    ($body:expr) => {{
        let ours = {
            use threadpool_rayon_compat::prelude::*;
            $body
        };
        let theirs = {
            use rayon::prelude::*;
            $body
        };
        (ours, theirs)
    }};
}

fn items() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(-1000..1000_i32, 0..2000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn collect_into_result(v in items(), bad in -1000..1000_i32) {
        let check = |x: &i32| if *x == bad { Err(format!("bad {x}")) } else { Ok(x * 2) };
        let seq: Result<Vec<i32>, String> = v.iter().map(check).collect();
        let (ours, theirs) = both!(v.par_iter().map(check).collect::<Result<Vec<i32>, String>>());
        prop_assert_eq!(&ours, &seq); // one error value possible: all errors are equal
        prop_assert_eq!(&theirs, &seq);
    }

    #[test]
    fn collect_into_option(v in items(), bad in -1000..1000_i32) {
        let check = |x: &i32| (*x != bad).then_some(*x);
        let seq: Option<Vec<i32>> = v.iter().map(check).collect();
        let (ours, theirs) = both!(v.par_iter().map(check).collect::<Option<Vec<i32>>>());
        prop_assert_eq!(&ours, &seq);
        prop_assert_eq!(&theirs, &seq);
        // And into other collections.
        let seq: Option<std::collections::BTreeSet<i32>> = v.iter().map(check).collect();
        let (ours, theirs) = both!(v.par_iter().map(check).collect::<Option<std::collections::BTreeSet<i32>>>());
        prop_assert_eq!(&ours, &seq);
        prop_assert_eq!(&theirs, &seq);
    }

    #[test]
    fn try_for_each_finds_a_failure_iff_there_is_one(v in items(), bad in -1000..1000_i32) {
        let check = |x: &i32| if *x % 97 == bad % 97 { Err(*x) } else { Ok(()) };
        let (ours, theirs) = both!(v.par_iter().try_for_each(check));
        let seq = v.iter().try_for_each(check);
        prop_assert_eq!(ours.is_err(), seq.is_err());
        prop_assert_eq!(theirs.is_err(), seq.is_err());
        if let Err(x) = ours {
            prop_assert_eq!(x % 97, bad % 97);
        }
        let flow = |x: &i32| if *x == bad { ControlFlow::Break(*x) } else { ControlFlow::Continue(()) };
        let (ours, theirs) = both!(v.par_iter().try_for_each(flow));
        prop_assert_eq!(ours, v.iter().try_for_each(flow));
        prop_assert_eq!(theirs, v.iter().try_for_each(flow));
    }

    #[test]
    fn try_for_each_with_and_init(v in items(), bad in -1000..1000_i32) {
        let seq = v.iter().all(|x| *x != bad);
        let (ours, theirs) = both!((
            v.par_iter().try_for_each_with(bad, |b, x| if x == b { Err(()) } else { Ok(()) }).is_ok(),
            v.par_iter().try_for_each_init(|| bad, |b, x| if x == b { None } else { Some(()) }).is_some(),
        ));
        prop_assert_eq!(ours, (seq, seq));
        prop_assert_eq!(theirs, (seq, seq));
    }

    #[test]
    fn try_reduce_and_try_reduce_with(v in prop::collection::vec(0..40_u8, 0..40)) {
        // Non-negative u8: any grouping of the sum overflows iff the total does.
        let seq = v.iter().try_fold(0_u8, |a, b| a.checked_add(*b));
        let (ours, theirs) = both!(v.par_iter().map(|x| Some(*x)).try_reduce(|| 0, |a, b| a.checked_add(b)));
        prop_assert_eq!(ours, seq);
        prop_assert_eq!(theirs, seq);
        let seq_with = if v.is_empty() { None } else { Some(seq) };
        let (ours, theirs) = both!(v.par_iter().map(|x| Some(*x)).try_reduce_with(|a, b| a.checked_add(b)));
        prop_assert_eq!(ours, seq_with);
        prop_assert_eq!(theirs, seq_with);
    }

    #[test]
    fn try_fold_and_try_fold_with(v in prop::collection::vec(0..40_u8, 0..40)) {
        let seq = v.iter().try_fold(0_u8, |a, b| a.checked_add(*b));
        let (ours, theirs) = both!((
            v.par_iter().try_fold(|| 0_u8, |a, b| a.checked_add(*b)).try_reduce(|| 0, |a, b| a.checked_add(b)),
            v.par_iter().try_fold_with(0_u8, |a, b| a.checked_add(*b).ok_or(())).try_reduce(|| 0, |a, b| a.checked_add(b).ok_or(())).ok(),
        ));
        prop_assert_eq!(ours, (seq, seq));
        prop_assert_eq!(theirs, (seq, seq));
    }

    #[test]
    fn while_some_stops_before_the_first_none(n in 0..3000_u32, stop_at in 0..3000_u32) {
        let (ours, theirs) = both!((0..n).into_par_iter().map(|x| (x != stop_at).then_some(x)).while_some().collect::<Vec<u32>>());
        for got in [&ours, &theirs] {
            prop_assert!(!got.contains(&stop_at));
            prop_assert!(got.windows(2).all(|w| w[0] < w[1]));
            if stop_at >= n {
                prop_assert_eq!(got.len(), n as usize);
            }
        }
    }
}

#[test]
fn a_failure_stops_the_remaining_work() {
    // On one thread the leftmost piece runs first; once it fails, nothing
    // else is visited.
    let pool = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let visited = AtomicUsize::new(0);
    let result = pool.install(|| {
        use threadpool_rayon_compat::prelude::*;
        (0..1_000_000_u32).into_par_iter().try_for_each(|n| {
            visited.fetch_add(1, Ordering::Relaxed);
            if n == 0 { Err(n) } else { Ok(()) }
        })
    });
    assert_eq!(result, Err(0));
    assert_eq!(visited.into_inner(), 1);

    let visited = AtomicUsize::new(0);
    let collected: Result<Vec<u32>, u32> = pool.install(|| {
        use threadpool_rayon_compat::prelude::*;
        (0..1_000_000_u32)
            .into_par_iter()
            .map(|n| {
                visited.fetch_add(1, Ordering::Relaxed);
                if n == 0 { Err(n) } else { Ok(n) }
            })
            .collect()
    });
    assert_eq!(collected, Err(0));
    assert_eq!(visited.into_inner(), 1);
}

#[test]
fn a_panic_in_try_for_each_is_resumed_and_the_pool_survives() {
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| {
        pool.install(|| {
            use threadpool_rayon_compat::prelude::*;
            (0..10_000_u32).into_par_iter().try_for_each(|n| {
                assert!(n != 5_000, "panicked at {n}");
                Ok::<(), ()>(())
            })
        })
    }));
    let message = result.unwrap_err().downcast::<String>().unwrap();
    assert_eq!(*message, "panicked at 5000");
    let sum: Result<Vec<u32>, ()> = pool.install(|| {
        use threadpool_rayon_compat::prelude::*;
        (0..10_u32).into_par_iter().map(Ok).collect()
    });
    assert_eq!(sum, Ok((0..10).collect()));
}
