//! Moving rayon code onto the threadpool: the program below is ordinary
//! rayon code; only its `use` lines differ from the rayon version, which
//! reads:
//!
//! ```text
//! use rayon::prelude::*;
//! use rayon::{ThreadPoolBuilder, broadcast, in_place_scope, join};
//! ```
//!
//! Run it with `cargo run --release -p examples --bin rayon_migration`.

use threadpool_rayon_compat::prelude::*;
use threadpool_rayon_compat::{ThreadPoolBuilder, broadcast, in_place_scope, join};

fn fib(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (a, b) = join(|| fib(n - 1), || fib(n - 2));
    a + b
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let numbers: Vec<u64> = (1..=1_000_000).collect();
    let sum_of_squares: u64 = numbers.par_iter().map(|&n| n * n).sum();
    println!("sum of squares of 1..=1e6: {sum_of_squares}");

    let text = "it was the best of times it was the worst of times";
    let words: Vec<&str> = text.split(' ').collect();
    let longest = words.par_iter().max_by_key(|w| w.len()).copied();
    let of_four: Vec<&str> = words.par_iter().filter(|w| w.len() == 4).copied().collect();
    println!("longest word: {longest:?}; four letters: {of_four:?}");

    let mut pixels = vec![0_u8; 16];
    pixels
        .par_chunks_mut(4)
        .enumerate()
        .for_each(|(row, px)| px.fill(row as u8 * 50));
    println!("pixels: {pixels:?}");

    // Sorting, string splitting, flattening, reversing, fallible collects
    // and bridging a sequential iterator: all rayon's, unchanged.
    let mut scrambled: Vec<u64> = (0..1_000_000_u64)
        .into_par_iter()
        .map(|i| i * 7919 % 1_000_003)
        .collect();
    scrambled.par_sort_unstable();
    println!(
        "sorted: first {:?}, last {:?}",
        &scrambled[..3],
        scrambled.last()
    );

    let csv = "3,1,4\n1,5,9\n2,6,5\n";
    let rows: Result<Vec<Vec<u32>>, std::num::ParseIntError> = csv
        .par_lines()
        .map(|line| line.par_split(',').map(str::parse::<u32>).collect())
        .collect();
    let rows = rows?;
    let cells: Vec<u32> = rows
        .par_iter()
        .flat_map(|row| row.par_iter().copied())
        .collect();
    let last_two: Vec<u32> = cells.par_iter().rev().take(2).copied().collect();
    println!("csv rows: {rows:?}; cells: {cells:?}; last two, reversed: {last_two:?}");

    let first_even_square = (1..100_u64)
        .into_par_iter()
        .map(|n| n * n)
        .find_first(|n| n % 2 == 0);
    let bridged: u64 = text.split(' ').par_bridge().map(|w| w.len() as u64).sum();
    println!("first even square: {first_even_square:?}; letters via par_bridge: {bridged}");

    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .thread_name(|i| format!("migrated-{i}"))
        .build()?;
    let (fib_25, primes) = pool.install(|| {
        let primes = (2..10_000_u32)
            .into_par_iter()
            .filter(|&n| (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0))
            .count();
        (fib(25), primes)
    });
    println!("on a pool of 2: fib(25) = {fib_25}, primes below 10000: {primes}");
    let names = pool.broadcast(|ctx| {
        format!(
            "{}={}",
            ctx.index(),
            std::thread::current().name().unwrap_or("?")
        )
    });
    println!("its threads: {names:?}");

    // A pool on scoped threads that borrow from this frame, a scope whose
    // body is not `Send`, and broadcasts from busy workers: rayon's too.
    let hits = std::sync::atomic::AtomicUsize::new(0);
    let answered = ThreadPoolBuilder::new().num_threads(2).build_scoped(
        |thread| {
            hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            thread.run()
        },
        |pool| {
            pool.install(|| {
                (0..4)
                    .into_par_iter()
                    .map(|_| broadcast(|ctx| ctx.index()).len())
                    .sum::<usize>()
            })
        },
    )?;
    let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let mut squares = [0_u64; 4];
    in_place_scope(|s| {
        log.borrow_mut().push("body on the calling thread");
        for (i, slot) in squares.iter_mut().enumerate() {
            s.spawn(move |_| *slot = (i as u64) * (i as u64));
        }
    });
    println!(
        "scoped threads started: {}; broadcasts answered: {answered}; {:?}; squares {squares:?}",
        hits.into_inner(),
        log.borrow()
    );
    Ok(())
}
