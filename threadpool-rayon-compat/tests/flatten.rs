//! `chain`, `flat_map`, `flat_map_iter`, `flatten`, `flatten_iter`
//! against rayon and `std`; a panic inside an inner iterator is resumed in
//! the caller and the pool survives.

use std::panic::{AssertUnwindSafe, catch_unwind};

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

fn nested() -> impl Strategy<Value = Vec<Vec<i32>>> {
    prop::collection::vec(prop::collection::vec(-100..100_i32, 0..30), 0..200)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn chain_indexed_and_not(v in prop::collection::vec(-100..100_i32, 0..1000), w in prop::collection::vec(-100..100_i32, 0..1000), cut in 1..100_usize) {
        agree!(v.iter().chain(&w).collect::<Vec<_>>(), v.par_iter().chain(&w).collect::<Vec<_>>());
        agree!(v.iter().chain(&w).rev().skip(3).collect::<Vec<_>>(), v.par_iter().chain(&w).rev().skip(3).collect::<Vec<_>>());
        agree!(v.iter().chain(&w).enumerate().map(|(i, x)| i as i32 * x).collect::<Vec<_>>(),
            v.par_iter().chain(&w).with_max_len(cut).enumerate().map(|(i, x)| i as i32 * x).collect::<Vec<_>>());
        agree!(v.iter().filter(|x| **x > 0).chain(w.iter().filter(|x| **x < 0)).collect::<Vec<_>>(),
            v.par_iter().filter(|x| **x > 0).chain(w.par_iter().filter(|x| **x < 0)).collect::<Vec<_>>());
        agree!(v.iter().chain(&w).position(|x| *x == 42), v.par_iter().chain(&w).position_first(|x| *x == 42));
    }

    #[test]
    fn flat_maps(v in nested()) {
        agree!(v.iter().flatten().collect::<Vec<_>>(), v.par_iter().flat_map(|inner| inner.par_iter()).collect::<Vec<_>>());
        agree!(v.iter().flatten().collect::<Vec<_>>(), v.par_iter().flat_map_iter(|inner| inner.iter()).collect::<Vec<_>>());
        agree!(v.iter().flatten().copied().collect::<Vec<_>>(), v.clone().into_par_iter().flatten().collect::<Vec<_>>());
        agree!(v.iter().flatten().copied().collect::<Vec<_>>(), v.clone().into_par_iter().flatten_iter().collect::<Vec<_>>());
        agree!(v.iter().flatten().map(|x| i64::from(*x)).sum::<i64>(),
            v.par_iter().flat_map(|inner| inner.par_iter().map(|x| i64::from(*x))).sum::<i64>());
        // Searches through a flat_map keep their order.
        agree!(v.iter().flatten().find(|x| **x > 90), v.par_iter().flat_map(|i| i.par_iter()).find_first(|x| **x > 90));
        agree!(v.iter().flatten().rfind(|x| **x > 90), v.par_iter().flat_map_iter(|i| i.iter()).find_last(|x| **x > 90));
        agree!((0..v.len()).flat_map(|n| 0..n % 7).collect::<Vec<_>>(),
            (0..v.len()).into_par_iter().flat_map(|n| (0..n % 7).into_par_iter()).collect::<Vec<_>>());
    }
}

#[test]
fn a_panic_inside_an_inner_iterator_is_resumed_and_the_pool_survives() {
    use threadpool_rayon_compat::prelude::*;
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| {
        pool.install(|| {
            (0..1000_u32)
                .into_par_iter()
                .flat_map(|n| {
                    (0..10_u32).into_par_iter().map(move |m| {
                        assert!(n * 10 + m != 4321, "panicked at {n} {m}");
                        vec![n; 3]
                    })
                })
                .collect::<Vec<_>>()
        })
    }));
    assert_eq!(
        *result.unwrap_err().downcast::<String>().unwrap(),
        "panicked at 432 1"
    );
    let total: u32 = pool.install(|| (0..10_u32).into_par_iter().flat_map_iter(|n| 0..n).sum());
    assert_eq!(total, (0..10).map(|n| (0..n).sum::<u32>()).sum());
}
