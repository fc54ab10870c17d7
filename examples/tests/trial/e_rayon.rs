// A rayon-style program on the compat crate.
use threadpool_rayon_compat::prelude::*;

fn par_quicksort(v: &mut [u64]) {
    if v.len() <= 4096 {
        v.sort_unstable();
        return;
    }
    let pivot = v[v.len() / 2];
    let mut i = 0;
    for j in 0..v.len() {
        if v[j] < pivot {
            v.swap(i, j);
            i += 1;
        }
    }
    let (lo, hi) = v.split_at_mut(i);
    // hi starts with elements >= pivot; make sure it shrinks
    let k = hi.iter().position(|&x| x == pivot).unwrap();
    hi.swap(0, k);
    let (_, rest) = hi.split_at_mut(1);
    threadpool_rayon_compat::join(|| par_quicksort(lo), || par_quicksort(rest));
}

fn main() {
    let words: Vec<String> = "the quick brown fox jumps over the lazy dog again and again"
        .split(' ')
        .map(String::from)
        .collect();

    // par_iter map/filter/collect
    let long_upper: Vec<String> = words
        .par_iter()
        .filter(|w| w.len() > 3)
        .map(|w| w.to_uppercase())
        .collect();
    println!("long words: {long_upper:?}");

    // a sort
    let mut numbers: Vec<u64> = (0..100_000u64).map(|n| (n * 7919) % 100_003).collect();
    // no par_sort / par_sort_unstable in the compat crate: a join-based quicksort instead
    par_quicksort(&mut numbers);
    assert!(numbers.is_sorted());
    println!("sorted: first {:?}, last {:?}", &numbers[..3], &numbers[numbers.len() - 3..]);

    // par_chunks sums
    let chunk_sums: Vec<u64> = numbers.par_chunks(10_000).map(|c| c.iter().sum::<u64>()).collect();
    println!("chunk sums: {chunk_sums:?}");

    // fold/reduce
    let (count, total) = numbers
        .par_iter()
        .fold(|| (0usize, 0u64), |(c, t), &x| (c + 1, t + x))
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("fold/reduce: {count} items, total {total}");
    assert_eq!(total, numbers.iter().sum::<u64>());

    // par_map on an endless iterator with take
    let squares: Vec<u64> = (1u64..).par_map(|n| n * n).take(10).collect();
    println!("first squares: {squares:?}");

    println!("threads: {}", threadpool_rayon_compat::current_num_threads());
}
