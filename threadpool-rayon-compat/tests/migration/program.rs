// A program written against rayon's API. `tests/migration.rs` compiles this
// very file twice, once after `use rayon::prelude::*;` and once after
// `use threadpool_rayon_compat::prelude::*;`, and compares the outputs.
// It names nothing from either crate itself.

use std::collections::HashMap;
use std::fmt::Write as _;

const TEXT: &str = "the quick brown fox jumps over the lazy dog \
    the dog sleeps and the fox runs over the hill while the quick cat \
    watches the lazy dog and the brown fox from the hill";

fn sum_of_squares(input: &[u64]) -> u64 {
    input.par_iter().map(|&i| i * i).sum()
}

fn word_frequency(text: &str) -> Vec<(String, usize)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let counts = words
        .par_iter()
        .fold(HashMap::new, |mut counts: HashMap<&str, usize>, word| {
            *counts.entry(word).or_default() += 1;
            counts
        })
        .reduce(HashMap::new, |mut a, b| {
            for (word, n) in b {
                *a.entry(word).or_default() += n;
            }
            a
        });
    let mut counts: Vec<(String, usize)> =
        counts.into_iter().map(|(w, n)| (w.to_owned(), n)).collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

/// An expensive sort key, computed once per element in parallel.
fn sort_key(name: &str) -> (usize, u64) {
    let vowels = name.chars().filter(|c| "aeiou".contains(*c)).count();
    let hash = name
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    (vowels, hash)
}

fn sorted_by_computed_key(names: &[String]) -> Vec<String> {
    let keys: Vec<(usize, u64)> = names.par_iter().map(|n| sort_key(n)).collect();
    let mut order: Vec<usize> = (0..names.len()).into_par_iter().collect();
    order.sort_by_key(|&i| keys[i]);
    order.into_iter().map(|i| names[i].clone()).collect()
}

fn fib(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = join(|| fib(n - 1), || fib(n - 2));
    a + b
}

fn quick_sort<T: PartialOrd + Send>(v: &mut [T]) {
    if v.len() <= 1 {
        return;
    }
    let mid = partition(v);
    let (lo, hi) = v.split_at_mut(mid);
    join(|| quick_sort(lo), || quick_sort(&mut hi[1..]));
}

fn partition<T: PartialOrd>(v: &mut [T]) -> usize {
    let pivot = v.len() - 1;
    let mut i = 0;
    for j in 0..pivot {
        if v[j] <= v[pivot] {
            v.swap(i, j);
            i += 1;
        }
    }
    v.swap(i, pivot);
    i
}

fn run() -> String {
    let mut out = String::new();
    let numbers: Vec<u64> = (1..=10_000).collect();
    writeln!(out, "sum of squares: {}", sum_of_squares(&numbers)).unwrap();

    for (word, n) in word_frequency(TEXT).iter().take(5) {
        writeln!(out, "{word}: {n}").unwrap();
    }

    let names: Vec<String> = (0..200).map(|i| format!("item-{}", i * 7919 % 1000)).collect();
    let sorted = sorted_by_computed_key(&names);
    writeln!(out, "first by key: {:?}", &sorted[..3]).unwrap();

    writeln!(out, "fib(20) = {}", fib(20)).unwrap();
    let mut shuffled: Vec<u32> = (0..2_000).map(|i| (i * 7_919) % 2_000).collect();
    quick_sort(&mut shuffled);
    writeln!(out, "sorted: {}", shuffled.windows(2).all(|w| w[0] <= w[1])).unwrap();

    let mut grid = vec![0_u32; 64];
    grid.par_chunks_mut(8).enumerate().for_each(|(row, cells)| {
        for (col, cell) in cells.iter_mut().enumerate() {
            *cell = (row * col) as u32;
        }
    });
    let row_sums: Vec<u32> = grid.par_chunks(8).map(|r| r.iter().sum()).collect();
    writeln!(out, "row sums: {row_sums:?}").unwrap();

    let a: Vec<f64> = (0..1_000).map(f64::from).collect();
    let b: Vec<f64> = (0..1_000).map(|i| f64::from(i) * 0.5).collect();
    let dot: f64 = a.par_iter().zip(&b).map(|(x, y)| x * y).sum();
    writeln!(out, "dot: {dot}").unwrap();

    let longest = names.par_iter().max_by_key(|n| n.len()).cloned();
    let any_big = numbers.par_iter().any(|&n| n > 9_999);
    let all_pos = numbers.par_iter().all(|&n| n > 0);
    let evens = numbers.par_iter().filter(|n| *n % 2 == 0).count();
    writeln!(out, "{longest:?} {any_big} {all_pos} {evens}").unwrap();
    writeln!(out, "threads >= 1: {}", current_num_threads() >= 1).unwrap();
    out
}
