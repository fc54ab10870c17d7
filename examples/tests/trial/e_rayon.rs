// A rayon-style program on the compat crate. (Its first version sorted with a
// join-based quicksort of its own: the crate had no `par_sort_unstable` then.)
use threadpool_rayon_compat::prelude::*;

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
    numbers.par_sort_unstable();
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
