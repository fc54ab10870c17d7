//! Differential tests: the same random inputs through this crate, through
//! rayon and through sequential iterators, for every adaptor and consumer
//! of the prelude.

use proptest::prelude::*;

/// The same expression with this crate's prelude and with rayon's.
macro_rules! both {
    (|$v:ident| $body:expr) => {{
        let ours = {
            use threadpool_rayon_compat::prelude::*;
            let $v = &$v;
            $body
        };
        let theirs = {
            use rayon::prelude::*;
            let $v = &$v;
            $body
        };
        (ours, theirs)
    }};
}

/// Asserts that ours == rayon's == the sequential value.
macro_rules! check {
    ($v:ident, $seq:expr, |$p:ident| $body:expr) => {{
        let (ours, theirs) = both!(|$v| {
            let $p = $v;
            $body
        });
        let seq = {
            let $v = &$v;
            $seq
        };
        prop_assert_eq!(&ours, &seq, "ours vs sequential");
        prop_assert_eq!(&theirs, &seq, "rayon vs sequential");
    }};
}

fn items() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(-50..50_i32, 0..300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn map_collect(v in items()) {
        check!(v, v.iter().map(|x| x * 3).collect::<Vec<_>>(),
            |v| v.par_iter().map(|x| x * 3).collect::<Vec<_>>());
    }

    #[test]
    fn into_par_iter_on_vec(v in items()) {
        check!(v, v.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            |v| v.clone().into_par_iter().map(|x| x.to_string()).collect::<Vec<_>>());
    }

    #[test]
    fn into_par_iter_on_vec_dropped_partially(v in items()) {
        // any() stops early: the items not reached are dropped, not leaked.
        let strings: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        check!(strings, strings.iter().any(|s| s == "7"),
            |s| s.clone().into_par_iter().any(|s| s == "7"));
    }

    #[test]
    fn filter_collect(v in items()) {
        check!(v, v.iter().filter(|x| **x % 3 == 0).copied().collect::<Vec<_>>(),
            |v| v.par_iter().filter(|x| **x % 3 == 0).copied().collect::<Vec<_>>());
    }

    #[test]
    fn filter_map_collect(v in items()) {
        check!(v, v.iter().filter_map(|x| (x % 2 == 0).then_some(x / 2)).collect::<Vec<_>>(),
            |v| v.par_iter().filter_map(|x| (x % 2 == 0).then_some(x / 2)).collect::<Vec<_>>());
    }

    #[test]
    fn enumerate_collect(v in items()) {
        check!(v, v.iter().enumerate().map(|(i, x)| i as i64 * i64::from(*x)).collect::<Vec<_>>(),
            |v| v.par_iter().enumerate().map(|(i, x)| i as i64 * i64::from(*x)).collect::<Vec<_>>());
    }

    #[test]
    fn zip_collect(v in items(), w in items()) {
        let pair = (v, w);
        check!(pair, pair.0.iter().zip(&pair.1).map(|(a, b)| a - b).collect::<Vec<_>>(),
            |p| p.0.par_iter().zip(&p.1).map(|(a, b)| a - b).collect::<Vec<_>>());
    }

    #[test]
    fn zip_of_enumerated_ranges(n in 0..500_usize, m in 0..500_u32) {
        let nm = (n, m);
        check!(nm, (0..nm.0).zip(0..nm.1).enumerate().map(|(i, (a, b))| i + a + b as usize).collect::<Vec<_>>(),
            |p| (0..p.0).into_par_iter().zip(0..p.1).enumerate().map(|(i, (a, b))| i + a + b as usize).collect::<Vec<_>>());
    }

    #[test]
    fn cloned_and_copied(v in items()) {
        let strings: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        check!(strings, strings.to_vec(), |s| s.par_iter().cloned().collect::<Vec<_>>());
        check!(v, v.to_vec(), |v| v.par_iter().copied().collect::<Vec<_>>());
    }

    #[test]
    fn chunks(v in items(), size in 1..20_usize) {
        let vs = (v, size);
        check!(vs, vs.0.chunks(vs.1).map(|c| c.iter().sum::<i32>()).collect::<Vec<_>>(),
            |p| p.0.par_chunks(p.1).map(|c| c.iter().sum::<i32>()).collect::<Vec<_>>());
    }

    #[test]
    fn chunks_mut(v in items(), size in 1..20_usize) {
        let mut ours = v.clone();
        let mut theirs = v.clone();
        let mut seq = v.clone();
        {
            use threadpool_rayon_compat::prelude::*;
            ours.par_chunks_mut(size).enumerate().for_each(|(i, c)| c.iter_mut().for_each(|x| *x += i as i32));
        }
        {
            use rayon::prelude::*;
            theirs.par_chunks_mut(size).enumerate().for_each(|(i, c)| c.iter_mut().for_each(|x| *x += i as i32));
        }
        seq.chunks_mut(size).enumerate().for_each(|(i, c)| c.iter_mut().for_each(|x| *x += i as i32));
        prop_assert_eq!(&ours, &seq);
        prop_assert_eq!(&theirs, &seq);
    }

    #[test]
    fn par_iter_mut_for_each(v in items()) {
        let mut ours = v.clone();
        let mut theirs = v.clone();
        {
            use threadpool_rayon_compat::prelude::*;
            ours.par_iter_mut().for_each(|x| *x = *x * 2 - 1);
        }
        {
            use rayon::prelude::*;
            theirs.par_iter_mut().for_each(|x| *x = *x * 2 - 1);
        }
        let seq: Vec<i32> = v.iter().map(|x| x * 2 - 1).collect();
        prop_assert_eq!(&ours, &seq);
        prop_assert_eq!(&theirs, &seq);
    }

    #[test]
    fn for_each_visits_every_item(v in items()) {
        use std::sync::atomic::{AtomicI64, Ordering};
        let (ours, theirs) = both!(|v| {
            let total = AtomicI64::new(0);
            v.par_iter().for_each(|x| {
                total.fetch_add(i64::from(*x), Ordering::Relaxed);
            });
            total.into_inner()
        });
        let seq: i64 = v.iter().map(|x| i64::from(*x)).sum();
        prop_assert_eq!(ours, seq);
        prop_assert_eq!(theirs, seq);
    }

    #[test]
    fn sum_and_product(v in items()) {
        check!(v, v.iter().map(|x| i64::from(*x)).sum::<i64>(), |v| v.par_iter().map(|x| i64::from(*x)).sum::<i64>());
        check!(v, v.iter().sum::<i32>(), |v| v.par_iter().sum::<i32>());
        let small: Vec<i64> = v.iter().map(|x| i64::from(x.rem_euclid(3)) - 1).collect();
        check!(small, small.iter().product::<i64>(), |s| s.par_iter().product::<i64>());
    }

    #[test]
    fn reduce_and_reduce_with(v in items()) {
        check!(v, v.iter().copied().fold(0, i32::wrapping_add),
            |v| v.par_iter().copied().reduce(|| 0, i32::wrapping_add));
        check!(v, v.iter().copied().reduce(i32::max), |v| v.par_iter().copied().reduce_with(i32::max));
    }

    #[test]
    fn fold_then_reduce_and_sum(v in items()) {
        check!(v, v.iter().map(|x| i64::from(*x).abs()).sum::<i64>(),
            |v| v.par_iter().fold(|| 0_i64, |acc, x| acc + i64::from(*x).abs()).sum::<i64>());
        check!(v, v.iter().filter(|x| **x > 0).count(),
            |v| v.par_iter().fold(|| 0_usize, |acc, x| acc + usize::from(*x > 0)).reduce(|| 0, |a, b| a + b));
        // Concatenating per-piece vectors in order gives back the input.
        check!(v, v.to_vec(),
            |v| v.par_iter().fold(Vec::new, |mut acc, x| { acc.push(*x); acc })
                .reduce(Vec::new, |mut a, mut b| { a.append(&mut b); a }));
    }

    #[test]
    fn count(v in items()) {
        check!(v, v.len(), |v| v.par_iter().count());
        check!(v, v.iter().filter(|x| **x < 0).count(), |v| v.par_iter().filter(|x| **x < 0).count());
    }

    #[test]
    fn min_and_max(v in items()) {
        check!(v, v.iter().min(), |v| v.par_iter().min());
        check!(v, v.iter().max(), |v| v.par_iter().max());
    }

    #[test]
    fn min_and_max_by_key_break_ties_like_std(v in items()) {
        // Keys collide a lot; the position tells which of equal items won.
        check!(v, v.iter().enumerate().min_by_key(|(_, x)| *x / 10),
            |v| v.par_iter().enumerate().min_by_key(|(_, x)| *x / 10));
        check!(v, v.iter().enumerate().max_by_key(|(_, x)| *x / 10),
            |v| v.par_iter().enumerate().max_by_key(|(_, x)| *x / 10));
    }

    #[test]
    fn any_and_all(v in items(), target in -50..50_i32) {
        let vt = (v, target);
        check!(vt, vt.0.contains(&vt.1), |p| p.0.par_iter().any(|x| *x == p.1));
        check!(vt, vt.0.iter().all(|x| *x != vt.1), |p| p.0.par_iter().all(|x| *x != p.1));
    }

    #[test]
    fn find_any_finds_a_match_iff_there_is_one(v in items(), target in -50..50_i32) {
        let vt = (v, target);
        let (ours, theirs) = both!(|vt| vt.0.par_iter().find_any(|x| **x % 7 == vt.1 % 7).copied());
        let exists = vt.0.iter().any(|x| x % 7 == vt.1 % 7);
        prop_assert_eq!(ours.is_some(), exists);
        prop_assert_eq!(theirs.is_some(), exists);
        prop_assert!(ours.is_none_or(|x| x % 7 == vt.1 % 7));
    }

    #[test]
    fn ranges(start in -100..100_i64, len in 0..400_i64) {
        let r = (start, start + len);
        check!(r, (r.0..r.1).map(|n| n * n).collect::<Vec<_>>(),
            |r| (r.0..r.1).into_par_iter().map(|n| n * n).collect::<Vec<_>>());
        check!(r, (r.0..=r.1).filter(|n| n % 3 == 0).collect::<Vec<_>>(),
            |r| (r.0..=r.1).into_par_iter().filter(|n| n % 3 == 0).collect::<Vec<_>>());
        check!(r, (r.0 as i32..r.1 as i32).sum::<i32>(),
            |r| (r.0 as i32..r.1 as i32).into_par_iter().sum::<i32>());
    }

    #[test]
    fn collect_into_maps_and_strings(v in items()) {
        use std::collections::{BTreeMap, HashSet};
        check!(v, v.iter().map(|x| (*x, x.to_string())).collect::<BTreeMap<_, _>>(),
            |v| v.par_iter().map(|x| (*x, x.to_string())).collect::<BTreeMap<_, _>>());
        check!(v, v.iter().copied().collect::<HashSet<_>>(), |v| v.par_iter().copied().collect::<HashSet<_>>());
        check!(v, v.iter().map(|x| x.to_string()).collect::<String>(),
            |v| v.par_iter().map(|x| x.to_string()).collect::<String>());
    }

    #[test]
    fn par_map_matches_map(v in items(), window in 1..16_usize, batch in 1..8_usize) {
        use threadpool_rayon_compat::ParMap;
        let seq: Vec<i64> = v.iter().map(|x| i64::from(*x) * 7).collect();
        let ours: Vec<i64> = v.clone().par_map(|x| i64::from(x) * 7)
            .max_in_flight(window).batch_size(batch).collect();
        prop_assert_eq!(&ours, &seq);
        let mut unordered: Vec<i64> = v.clone().par_map_unordered(|x| i64::from(x) * 7)
            .max_in_flight(window).batch_size(batch).collect();
        unordered.sort_unstable();
        let mut sorted = seq.clone();
        sorted.sort_unstable();
        prop_assert_eq!(unordered, sorted);
    }
}
