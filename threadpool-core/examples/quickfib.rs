use std::time::Instant;
use threadpool_core::{PoolHandle, ThreadPoolBuilder};
fn fib(p: &PoolHandle, n: u64) -> u64 { if n < 2 { return n } let (a, b) = p.join(|| fib(p, n-1), || fib(p, n-2)); a + b }
fn rfib(n: u64) -> u64 { if n < 2 { return n } let (a, b) = rayon::join(|| rfib(n-1), || rfib(n-2)); a + b }
fn sfib(n: u64) -> u64 { if n < 2 { return n } sfib(n-1) + sfib(n-2) }
fn main() {
    let h = ThreadPoolBuilder::new().num_workers(2).build_handle().unwrap();
    let rp = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    for _ in 0..3 {
        let t = Instant::now(); let a = h.install(|| fib(&h, 30)); let ours = t.elapsed();
        let t = Instant::now(); let b = rp.install(|| rfib(30)); let theirs = t.elapsed();
        let t = Instant::now(); let c = sfib(std::hint::black_box(30)); let seq = t.elapsed();
        assert_eq!(a, b); assert_eq!(b, c);
        println!("ours {:?} rayon {:?} seq {:?} ratio {:.2}", ours, theirs, seq, ours.as_secs_f64()/theirs.as_secs_f64());
    }
}
