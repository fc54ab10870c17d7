//! The sources against rayon and `std`: `par_bridge`, `Option`/`Result`,
//! the collections by value, `&` and `&mut`, `char` and 128-bit ranges,
//! tuples (multizip), `empty`/`once`/`repeat`/`repeat_n`, `split`, the tree
//! walks, `par_drain`, and the slice windows, chunks, splits and runs.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};

use proptest::prelude::*;

macro_rules! agree {
    ($seq:expr, $body:expr) => {{
        let seq = $seq;
        let ours = {
            #[allow(unused_imports, deprecated)]
            use threadpool_rayon_compat::iter::{
                empty, once, repeat, repeat_n, repeatn, split, walk_tree, walk_tree_postfix,
                walk_tree_prefix,
            };
            use threadpool_rayon_compat::prelude::*;
            $body
        };
        let theirs = {
            #[allow(unused_imports, deprecated)]
            use rayon::iter::{
                empty, once, repeat, repeat_n, repeatn, split, walk_tree, walk_tree_postfix,
                walk_tree_prefix,
            };
            use rayon::prelude::*;
            $body
        };
        prop_assert_eq!(&ours, &seq, "ours vs std");
        prop_assert_eq!(&theirs, &seq, "rayon vs std");
    }};
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn items() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(-100..100_i32, 0..1000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn par_bridge_sees_every_item_once(v in items()) {
        agree!(sorted(v.iter().map(|x| x * 2).collect()), sorted(v.iter().par_bridge().map(|x| x * 2).collect::<Vec<_>>()));
        agree!(v.iter().filter(|x| **x > 0).count(), v.iter().par_bridge().filter(|x| **x > 0).count());
        agree!(v.contains(&42), v.iter().par_bridge().any(|x| *x == 42));
    }

    #[test]
    fn options_results_and_collections(v in items(), x in proptest::option::of(-5..5_i32)) {
        agree!(x.into_iter().collect::<Vec<_>>(), x.into_par_iter().collect::<Vec<_>>());
        agree!(x.iter().collect::<Vec<_>>(), x.par_iter().collect::<Vec<_>>());
        let r: Result<i32, ()> = x.ok_or(());
        agree!(r.iter().collect::<Vec<_>>(), r.par_iter().collect::<Vec<_>>());
        agree!(r.into_iter().collect::<Vec<_>>(), r.into_par_iter().collect::<Vec<_>>());
        let deque: VecDeque<i32> = v.iter().copied().collect();
        agree!(deque.iter().collect::<Vec<_>>(), deque.par_iter().collect::<Vec<_>>());
        agree!(deque.clone().into_iter().collect::<Vec<_>>(), deque.clone().into_par_iter().collect::<Vec<_>>());
        let list: LinkedList<i32> = v.iter().copied().collect();
        agree!(list.iter().collect::<Vec<_>>(), list.par_iter().collect::<Vec<_>>());
        let set: BTreeSet<i32> = v.iter().copied().collect();
        agree!(set.iter().collect::<Vec<_>>(), set.par_iter().collect::<Vec<_>>());
        let map: BTreeMap<i32, usize> = v.iter().enumerate().map(|(i, x)| (*x, i)).collect();
        agree!(map.iter().collect::<Vec<_>>(), map.par_iter().collect::<Vec<_>>());
        let hash: HashMap<i32, usize> = map.clone().into_iter().collect();
        agree!(sorted(hash.iter().collect()), sorted(hash.par_iter().collect::<Vec<_>>()));
        let hash_set: HashSet<i32> = set.iter().copied().collect();
        agree!(sorted(hash_set.iter().collect()), sorted(hash_set.par_iter().collect::<Vec<_>>()));
        let heap: BinaryHeap<i32> = v.iter().copied().collect();
        agree!(sorted(heap.iter().collect()), sorted(heap.par_iter().collect::<Vec<_>>()));
        agree!(sorted(heap.clone().into_iter().collect()), sorted(heap.clone().into_par_iter().collect::<Vec<_>>()));
        // &mut: every value reached once.
        let mut ours = map.clone();
        {
            use threadpool_rayon_compat::prelude::*;
            ours.par_iter_mut().for_each(|(_, i)| *i += 1);
            let mut d = deque.clone();
            d.par_iter_mut().for_each(|x| *x -= 1);
            prop_assert!(d.iter().zip(&deque).all(|(a, b)| *a == b - 1));
        }
        prop_assert!(ours.iter().all(|(k, i)| map[k] + 1 == *i));
    }

    #[test]
    fn ranges_of_chars_and_wide_integers(a in any::<char>(), b in any::<char>(), start in any::<i128>(), len in 0..500_u32) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let n = (lo..hi).count();
        prop_assume!(n < 200_000);
        agree!((lo..hi).collect::<Vec<char>>(), (lo..hi).into_par_iter().collect::<Vec<char>>());
        agree!((lo..=hi).count(), (lo..=hi).into_par_iter().count());
        let start = start.min(i128::MAX - i128::from(len));
        agree!((start..start + i128::from(len)).collect::<Vec<_>>(), (start..start + i128::from(len)).into_par_iter().collect::<Vec<_>>());
        let ustart = start.unsigned_abs().min(u128::MAX - u128::from(len));
        agree!((ustart..=ustart + u128::from(len)).collect::<Vec<_>>(), (ustart..=ustart + u128::from(len)).into_par_iter().collect::<Vec<_>>());
    }

    #[test]
    fn tuples_zip_in_lockstep(v in items(), w in items()) {
        agree!(v.iter().zip(&w).collect::<Vec<_>>(), (&v, &w).into_par_iter().collect::<Vec<_>>());
        agree!(v.iter().zip(&w).zip(0..).map(|((a, b), c)| (a, b, c)).collect::<Vec<_>>(),
            (&v, &w, 0..v.len().min(w.len())).into_par_iter().collect::<Vec<_>>());
        agree!(v.iter().zip(&w).map(|(a, b)| (a, b, a, b)).collect::<Vec<_>>(),
            (v.par_iter(), w.par_iter(), &v, &w).into_par_iter().collect::<Vec<_>>());
    }

    #[test]
    fn empty_once_repeat(n in 0..2000_usize, x in -5..5_i32) {
        agree!(Vec::<i32>::new(), empty::<i32>().collect::<Vec<_>>());
        agree!(vec![x], once(x).collect::<Vec<_>>());
        agree!(vec![x; n], repeat_n(x, n).collect::<Vec<_>>());
        #[allow(deprecated)]
        {
            agree!(vec![x; n], repeatn(x, n).collect::<Vec<_>>());
        }
        agree!(vec![x; n], repeat(x).take(n).collect::<Vec<_>>());
        agree!((0..n).map(|i| (x, i)).collect::<Vec<_>>(), repeat(x).zip(0..n).collect::<Vec<_>>());
        agree!(n.min(10), repeat(x).take_any(n.min(10)).count());
        agree!((0..n).map(|i| i as i32 + x).collect::<Vec<_>>(), repeat_n(x, n).enumerate().map(|(i, y)| i as i32 + y).collect::<Vec<_>>());
    }

    #[test]
    fn split_and_tree_walks(n in 0..3000_u32, fanout in 1..4_u32) {
        let halves = |r: std::ops::Range<u32>| {
            if r.len() < 8 { (r, None) } else {
                let mid = r.start + r.len() as u32 / 2;
                (r.start..mid, Some(mid..r.end))
            }
        };
        agree!((0..n).collect::<Vec<_>>(), split(0..n, halves).flat_map_iter(|r| r).collect::<Vec<_>>());
        let children = |x: &u32| (1..=fanout).map(|k| x * (fanout + 1) + k).filter(|c| *c < n).collect::<Vec<_>>();
        let mut prefix = Vec::new();
        let mut stack = vec![0_u32];
        while let Some(x) = stack.pop() {
            prefix.push(x);
            stack.extend(children(&x).into_iter().rev());
        }
        fn post(x: u32, children: &impl Fn(&u32) -> Vec<u32>, out: &mut Vec<u32>) {
            for c in children(&x) {
                post(c, children, out);
            }
            out.push(x);
        }
        let mut postfix = Vec::new();
        post(0, &children, &mut postfix);
        agree!(prefix.clone(), walk_tree_prefix(0_u32, children).collect::<Vec<_>>());
        agree!(postfix, walk_tree_postfix(0_u32, children).collect::<Vec<_>>());
        agree!(sorted(prefix), sorted(walk_tree(0_u32, children).collect::<Vec<_>>()));
    }

    #[test]
    fn drains(v in items(), a in 0..1000_usize, b in 0..1000_usize) {
        let (a, b) = (a.min(v.len()), b.min(v.len()));
        let (a, b) = (a.min(b), a.max(b));
        let mut seq_v = v.clone();
        let seq = (seq_v.drain(a..b).collect::<Vec<_>>(), seq_v);
        agree!(seq, { let mut w = v.clone(); let d: Vec<i32> = w.par_drain(a..b).collect(); (d, w) });
        let mut seq_d: VecDeque<i32> = v.iter().copied().collect();
        let seq = (seq_d.drain(a..).collect::<Vec<_>>(), seq_d);
        agree!(seq, { let mut w: VecDeque<i32> = v.iter().copied().collect(); let d: Vec<i32> = w.par_drain(a..).collect(); (d, w) });
        let text: String = v.iter().map(|x| char::from(b'a' + x.rem_euclid(26) as u8)).collect();
        let mut seq_s = text.clone();
        let seq = (seq_s.drain(..a).collect::<String>(), seq_s);
        agree!(seq, { let mut s = text.clone(); let d: String = s.par_drain(..a).collect(); (d, s) });
        let set: HashSet<i32> = v.iter().copied().collect();
        agree!((sorted(set.iter().copied().collect()), 0), { let mut s = set.clone(); (sorted(s.par_drain().collect::<Vec<_>>()), s.len()) });
    }

    #[test]
    fn slice_windows_and_chunks(v in items(), size in 1..40_usize) {
        agree!(v.windows(size).collect::<Vec<_>>(), v.par_windows(size).collect::<Vec<_>>());
        agree!(v.windows(3).map(|w| [w[0], w[1], w[2]]).collect::<Vec<_>>(), v.par_array_windows::<3>().map(|w| *w).collect::<Vec<_>>());
        agree!(v.chunks_exact(size).collect::<Vec<_>>(), v.par_chunks_exact(size).collect::<Vec<_>>());
        agree!(v.chunks_exact(size).remainder(), v.par_chunks_exact(size).remainder());
        agree!(v.rchunks(size).collect::<Vec<_>>(), v.par_rchunks(size).collect::<Vec<_>>());
        agree!(v.rchunks_exact(size).collect::<Vec<_>>(), v.par_rchunks_exact(size).collect::<Vec<_>>());
        agree!(v.rchunks_exact(size).remainder(), v.par_rchunks_exact(size).remainder());
        agree!(v.windows(size).enumerate().rev().map(|(i, w)| (i, w[0])).collect::<Vec<_>>(),
            v.par_windows(size).enumerate().rev().map(|(i, w)| (i, w[0])).collect::<Vec<_>>());
        let mutated = |f: &dyn Fn(&mut [i32])| { let mut w = v.clone(); f(&mut w); w };
        let mut seq = v.clone();
        seq.chunks_exact_mut(size).enumerate().for_each(|(i, c)| c[0] = i as i32);
        seq.rchunks_mut(size).enumerate().for_each(|(i, c)| c[c.len() - 1] += i as i32);
        seq.rchunks_exact_mut(size).for_each(|c| c.reverse());
        agree!(seq, mutated(&|w| {
            w.par_chunks_exact_mut(size).enumerate().for_each(|(i, c)| c[0] = i as i32);
            w.par_rchunks_mut(size).enumerate().for_each(|(i, c)| c[c.len() - 1] += i as i32);
            w.par_rchunks_exact_mut(size).for_each(|c| c.reverse());
        }));
    }

    #[test]
    fn slice_splits_and_runs(v in prop::collection::vec(-3..3_i32, 0..1000)) {
        agree!(v.split(|x| *x == 0).collect::<Vec<_>>(), v.par_split(|x| *x == 0).collect::<Vec<_>>());
        agree!(v.split_inclusive(|x| *x == 0).collect::<Vec<_>>(), v.par_split_inclusive(|x| *x == 0).collect::<Vec<_>>());
        agree!(v.chunk_by(|a, b| a <= b).collect::<Vec<_>>(), v.par_chunk_by(|a, b| a <= b).collect::<Vec<_>>());
        let mut seq = v.clone();
        seq.split_mut(|x| *x == 0).for_each(|p| p.sort());
        seq.split_inclusive_mut(|x| *x == 1).for_each(|p| p.reverse());
        seq.chunk_by_mut(|a, b| a == b).for_each(|p| p[0] *= 10);
        agree!(seq, { let mut w = v.clone();
            w.par_split_mut(|x| *x == 0).for_each(|p| p.sort());
            w.par_split_inclusive_mut(|x| *x == 1).for_each(|p| p.reverse());
            w.par_chunk_by_mut(|a, b| a == b).for_each(|p| p[0] *= 10);
            w });
    }
}

#[test]
fn a_panicking_bridged_iterator_is_resumed_and_the_pool_survives() {
    use threadpool_rayon_compat::prelude::*;
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| {
        pool.install(|| {
            (0..10_000_u32)
                .inspect(|n| assert!(*n != 5_000, "iterator panicked"))
                .par_bridge()
                .count()
        })
    }));
    assert_eq!(
        *result.unwrap_err().downcast::<&str>().unwrap(),
        "iterator panicked"
    );
    assert_eq!(
        pool.install(|| (0..100_u32).par_bridge().sum::<u32>()),
        4950
    );
}
