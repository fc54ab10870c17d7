use std::cell::Cell;
use std::time::Instant;
use threadpool_core::{ThreadPool, WorkRequest};
fn main() {
    let sum = Cell::new(0u64);
    let mut pool = ThreadPool::new(2).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        for i in 0..1_000_000u64 {
            pool.put_request(
                WorkRequest::new(move || std::hint::black_box(i))
                    .on_result(|_, v| sum.set(sum.get() + v)),
            )
            .unwrap();
        }
        let put = t.elapsed();
        pool.wait().unwrap();
        let total = t.elapsed();
        println!("put {:?} total {:?}", put, total);
    }
    let tp = threadpool::ThreadPool::new(2);
    for _ in 0..3 {
        let t = Instant::now();
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..1_000_000u64 {
            let tx = tx.clone();
            tp.execute(move || tx.send(std::hint::black_box(i)).unwrap());
        }
        let put = t.elapsed();
        drop(tx);
        let s: u64 = rx.iter().sum();
        println!(
            "threadpool crate: put {:?} total {:?} {}",
            put,
            t.elapsed(),
            s
        );
    }
}
