//! Indexed adaptors and consumers, and the order-aware searches, against
//! rayon and `std`: `rev`, `step_by`, `skip`, `take`, `chunks`,
//! `fold_chunks*`, `with_min_len`/`with_max_len`, blocks, `zip_eq`,
//! `interleave*`, comparisons, `collect_into_vec`, `unzip_into_vecs`,
//! `position*`, `find_first`/`find_last`/`find_map_*`, `min_by`/`max_by`,
//! `take_any*`/`skip_any*`.

use std::cmp::Ordering;
use std::panic::{AssertUnwindSafe, catch_unwind};

use proptest::prelude::*;

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

/// ours == rayon's == `seq`.
macro_rules! agree {
    ($seq:expr, $body:expr) => {{
        let seq = $seq;
        let (ours, theirs) = both!($body);
        prop_assert_eq!(&ours, &seq, "ours vs std");
        prop_assert_eq!(&theirs, &seq, "rayon vs std");
    }};
}

fn items() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(-100..100_i32, 0..1500)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rev_step_by_skip_take(v in items(), step in 1..9_usize, n in 0..1600_usize) {
        agree!(v.iter().rev().collect::<Vec<_>>(), v.par_iter().rev().collect::<Vec<_>>());
        agree!(v.iter().step_by(step).collect::<Vec<_>>(), v.par_iter().step_by(step).collect::<Vec<_>>());
        agree!(v.iter().skip(n).collect::<Vec<_>>(), v.par_iter().skip(n).collect::<Vec<_>>());
        agree!(v.iter().take(n).collect::<Vec<_>>(), v.par_iter().take(n).collect::<Vec<_>>());
        agree!(v.iter().rev().step_by(step).skip(n / 3).take(n).enumerate().collect::<Vec<_>>(),
            v.par_iter().rev().step_by(step).skip(n / 3).take(n).enumerate().collect::<Vec<_>>());
        // Owned items out of a Vec, reversed and cut: nothing lost or doubled.
        let strings: Vec<String> = v.iter().map(i32::to_string).collect();
        agree!(strings.iter().rev().skip(n / 2).cloned().collect::<Vec<_>>(),
            strings.clone().into_par_iter().rev().skip(n / 2).collect::<Vec<_>>());
    }

    #[test]
    fn chunks_and_fold_chunks(v in items(), size in 1..50_usize) {
        agree!(v.chunks(size).map(<[i32]>::to_vec).collect::<Vec<_>>(), v.par_iter().copied().chunks(size).collect::<Vec<_>>());
        agree!(v.chunks(size).map(|c| c.iter().sum::<i32>()).collect::<Vec<_>>(),
            v.par_iter().fold_chunks(size, || 0, |a, x| a + x).collect::<Vec<_>>());
        agree!(v.chunks(size).map(|c| c.len()).collect::<Vec<_>>(),
            v.par_iter().fold_chunks_with(size, 0_usize, |a, _| a + 1).collect::<Vec<_>>());
    }

    #[test]
    fn min_and_max_len_keep_the_order(v in items(), min in 1..300_usize, max in 1..300_usize) {
        agree!(v.iter().map(|x| x * 2).collect::<Vec<_>>(), v.par_iter().with_min_len(min).map(|x| x * 2).collect::<Vec<_>>());
        agree!(v.iter().map(|x| x * 2).collect::<Vec<_>>(), v.par_iter().with_max_len(max).map(|x| x * 2).collect::<Vec<_>>());
        // Pieces of at most `max` items: at least len / max of them.
        let (ours, theirs) = both!(v.par_iter().with_max_len(max).fold(|| 0_usize, |n, _| n + 1).collect::<Vec<_>>());
        for pieces in [ours, theirs] {
            prop_assert!(pieces.iter().all(|n| *n <= max));
            prop_assert_eq!(pieces.iter().sum::<usize>(), v.len());
        }
    }

    #[test]
    fn blocks_keep_the_order(v in items(), size in 1..200_usize) {
        agree!(v.to_vec(), v.par_iter().copied().by_exponential_blocks().collect::<Vec<_>>());
        agree!(v.to_vec(), v.par_iter().copied().by_uniform_blocks(size).collect::<Vec<_>>());
        agree!(v.iter().find(|x| **x > 90), v.par_iter().by_uniform_blocks(size).find_first(|x| **x > 90));
    }

    #[test]
    fn zip_eq_and_interleave(v in items(), w in items()) {
        let n = v.len().min(w.len());
        agree!(v[..n].iter().zip(&w[..n]).collect::<Vec<_>>(), v[..n].par_iter().zip_eq(&w[..n]).collect::<Vec<_>>());
        let mut seq: Vec<&i32> = Vec::new();
        let (mut a, mut b) = (v.iter(), w.iter());
        loop {
            match (a.next(), b.next()) {
                (None, None) => break,
                (x, y) => seq.extend(x.into_iter().chain(y)),
            }
        }
        agree!(seq, v.par_iter().interleave(&w).collect::<Vec<_>>());
        let shortest: Vec<&i32> = if v.len() <= w.len() {
            v.iter().zip(&w).flat_map(|(x, y)| [x, y]).collect()
        } else {
            v.iter().zip(&w).flat_map(|(x, y)| [x, y]).chain(v.get(w.len())).collect()
        };
        agree!(shortest, v.par_iter().interleave_shortest(&w).collect::<Vec<_>>());
        // Interleave, then cut anywhere: still in order.
        agree!(v.iter().map(|x| x * 2).collect::<Vec<_>>(),
            v.par_iter().map(|x| x * 2).interleave(Vec::<i32>::new()).with_max_len(7).collect::<Vec<_>>());
    }

    #[test]
    fn comparisons(v in items(), w in items()) {
        let v: Vec<i32> = v.into_iter().map(|x| x / 40).collect();
        let w: Vec<i32> = w.into_iter().map(|x| x / 40).collect();
        agree!(v.iter().cmp(&w), v.par_iter().cmp(&w));
        agree!(v.iter().partial_cmp(&w), v.par_iter().partial_cmp(&w));
        agree!((v.iter().eq(&w), v.iter().ne(&w)), (v.par_iter().eq(&w), v.par_iter().ne(&w)));
        agree!((v.iter().lt(&w), v.iter().le(&w), v.iter().gt(&w), v.iter().ge(&w)),
            (v.par_iter().lt(&w), v.par_iter().le(&w), v.par_iter().gt(&w), v.par_iter().ge(&w)));
        agree!(v.iter().eq(&v), v.par_iter().eq(&v));
        let nan = [1.0, f64::NAN];
        agree!(nan.iter().partial_cmp(&[1.0, 2.0]), nan.par_iter().partial_cmp(&[1.0, 2.0]));
    }

    #[test]
    fn collect_and_unzip_into_vecs(v in items()) {
        let (ours, theirs) = both!({
            let mut target = vec![7; 3];
            v.par_iter().map(|x| x + 1).collect_into_vec(&mut target);
            let (mut a, mut b) = (vec![1], Vec::new());
            v.par_iter().map(|x| (*x, x.to_string())).unzip_into_vecs(&mut a, &mut b);
            (target, a, b)
        });
        let seq = (
            v.iter().map(|x| x + 1).collect::<Vec<_>>(),
            v.clone(),
            v.iter().map(i32::to_string).collect::<Vec<_>>(),
        );
        prop_assert_eq!(&ours, &seq);
        prop_assert_eq!(&theirs, &seq);
    }

    #[test]
    fn positions_and_ordered_searches(v in items(), target in -100..100_i32) {
        let t = target / 10;
        agree!(v.iter().position(|x| x / 10 == t), v.par_iter().position_first(|x| x / 10 == t));
        agree!(v.iter().rposition(|x| x / 10 == t), v.par_iter().position_last(|x| x / 10 == t));
        agree!(v.iter().positions_vec(|x| x / 10 == t), v.par_iter().positions(|x| x / 10 == t).collect::<Vec<_>>());
        agree!(v.iter().enumerate().find(|(_, x)| *x / 10 == t), v.par_iter().enumerate().find_first(|(_, x)| *x / 10 == t));
        agree!(v.iter().enumerate().rfind(|(_, x)| *x / 10 == t), v.par_iter().enumerate().find_last(|(_, x)| *x / 10 == t));
        // Unindexed: after a filter.
        agree!(v.iter().filter(|x| *x % 2 == 0).find(|x| *x / 10 == t),
            v.par_iter().filter(|x| *x % 2 == 0).find_first(|x| *x / 10 == t));
        agree!(v.iter().filter(|x| *x % 2 == 0).rfind(|x| *x / 10 == t),
            v.par_iter().filter(|x| *x % 2 == 0).find_last(|x| *x / 10 == t));
        let parse = |(i, x): (usize, &i32)| (x / 10 == t).then_some(i);
        agree!(v.iter().enumerate().find_map(parse), v.par_iter().enumerate().find_map_first(parse));
        agree!(v.iter().enumerate().filter_map(parse).next_back(), v.par_iter().enumerate().find_map_last(parse));
        let (any, theirs_any) = both!(v.par_iter().enumerate().find_map_any(parse));
        prop_assert_eq!(any.is_some(), v.iter().any(|x| x / 10 == t));
        prop_assert_eq!(theirs_any.is_some(), any.is_some());
        #[allow(deprecated)]
        let (found, theirs_found) = both!((v.par_iter().find(|x| **x / 10 == t).is_some(), v.par_iter().position(|x| x / 10 == t).is_some()));
        prop_assert_eq!(found, (v.iter().any(|x| x / 10 == t), v.iter().any(|x| x / 10 == t)));
        prop_assert_eq!(theirs_found, found);
        let (any, _) = both!(v.par_iter().position_any(|x| x / 10 == t));
        prop_assert!(any.is_none_or(|i| v[i] / 10 == t));
    }

    #[test]
    fn min_by_and_max_by_break_ties_like_std(v in items()) {
        let by_tens = |a: &(usize, &i32), b: &(usize, &i32)| (a.1 / 10).cmp(&(b.1 / 10));
        agree!(v.iter().enumerate().min_by(by_tens), v.par_iter().enumerate().min_by(by_tens));
        agree!(v.iter().enumerate().max_by(by_tens), v.par_iter().enumerate().max_by(by_tens));
    }

    #[test]
    fn take_and_skip_any(v in items(), n in 0..1600_usize, limit in -100..100_i32) {
        let (ours, theirs) = both!((
            v.par_iter().take_any(n).count(),
            v.par_iter().skip_any(n).count(),
            v.par_iter().take_any_while(|x| **x < limit).collect::<Vec<_>>(),
            v.par_iter().skip_any_while(|x| **x < limit).collect::<Vec<_>>(),
        ));
        for (take, skip, take_while, skip_while) in [ours, theirs] {
            prop_assert_eq!(take, n.min(v.len()));
            prop_assert_eq!(skip, v.len().saturating_sub(n));
            prop_assert!(take_while.iter().all(|x| **x < limit));
            // Every item at or over the limit is kept by skip_any_while.
            prop_assert_eq!(skip_while.iter().filter(|x| ***x >= limit).count(), v.iter().filter(|x| **x >= limit).count());
            // Order is kept within what is yielded.
            prop_assert!(is_subsequence(&skip_while, &v));
        }
    }
}

fn is_subsequence(sub: &[&i32], of: &[i32]) -> bool {
    let mut of = of.iter();
    sub.iter().all(|x| of.any(|y| y == *x))
}

trait PositionsVec: Iterator + Sized {
    fn positions_vec(self, mut f: impl FnMut(Self::Item) -> bool) -> Vec<usize> {
        self.enumerate()
            .filter_map(|(i, x)| f(x).then_some(i))
            .collect()
    }
}

impl<I: Iterator> PositionsVec for I {}

#[test]
fn find_first_stops_the_pieces_to_the_right() {
    // One thread: the leftmost piece runs first and finds the match at 0;
    // every other piece is then skipped or stopped at its first item.
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use threadpool_rayon_compat::prelude::*;
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let visited = AtomicUsize::new(0);
    let found = pool.install(|| {
        (0..1_000_000_u32).into_par_iter().find_first(|_| {
            visited.fetch_add(1, Relaxed);
            true
        })
    });
    assert_eq!(found, Some(0));
    assert_eq!(visited.into_inner(), 1);
}

#[test]
fn a_panic_in_a_reversed_collect_is_resumed_and_the_pool_survives() {
    use threadpool_rayon_compat::prelude::*;
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let strings: Vec<String> = (0..10_000).map(|i: i32| i.to_string()).collect();
    let result = catch_unwind(AssertUnwindSafe(|| {
        pool.install(|| {
            strings
                .clone()
                .into_par_iter()
                .rev()
                .map(|s| {
                    assert!(s != "1234", "panicked at {s}");
                    s
                })
                .collect::<Vec<_>>()
        })
    }));
    assert_eq!(
        *result.unwrap_err().downcast::<String>().unwrap(),
        "panicked at 1234"
    );
    let back: Vec<String> = pool.install(|| strings.clone().into_par_iter().rev().rev().collect());
    assert_eq!(back, strings);
    assert_eq!(
        pool.install(|| strings.par_iter().cmp(&strings)),
        Ordering::Equal
    );
}
