//! Parallel iterators and a consumer written against rayon's plumbing
//! (`tests/plumbing/custom.rs`), compiled against rayon and against this
//! crate: the same results, through both crates' adaptors and consumers.

use proptest::prelude::*;

mod with_rayon {
    use rayon::iter::plumbing::*;
    use rayon::prelude::*;

    include!("plumbing/custom.rs");
}

mod with_compat {
    use threadpool_rayon_compat::iter::plumbing::*;
    use threadpool_rayon_compat::prelude::*;

    include!("plumbing/custom.rs");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn custom_iterators_and_consumers_port(n in 0..3000_usize) {
        prop_assert_eq!(with_compat::results(n), with_rayon::results(n));
    }
}

#[test]
fn a_full_consumer_stops_early_on_both() {
    // Each piece stops once its folder is full: fewer items seen than there
    // are, on both crates, with one thread.
    let ours = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let seen = ours.install(|| {
        use threadpool_rayon_compat::prelude::*;
        (0..100_000_usize)
            .into_par_iter()
            .drive_unindexed(with_compat::MaxCount { limit: 10 })
            .1
    });
    assert!(seen < 100_000, "{seen}");
    assert!(seen >= 10, "{seen}");
}

#[test]
fn a_panic_in_a_custom_producer_is_resumed_and_the_pool_survives() {
    use threadpool_rayon_compat::prelude::*;
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| {
            with_compat::Squares {
                start: 0,
                end: 10_000,
            }
            .map(|s| {
                assert!(s != 49, "custom panicked");
                s
            })
            .sum::<usize>()
        })
    }));
    assert_eq!(
        *result.unwrap_err().downcast::<&str>().unwrap(),
        "custom panicked"
    );
    assert_eq!(
        pool.install(|| with_compat::Squares { start: 0, end: 4 }.sum::<usize>()),
        14
    );
}
