// Port of a typical Python threadpool script: 20 simulated downloads.
use std::thread;
use std::time::Duration;

use threadpool_core::{PollError, ThreadPool, WorkRequest};

fn pseudo_random(n: u64) -> u64 {
    // splitmix64
    let mut z = n.wrapping_add(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^ (z >> 31)
}

fn download(n: u64) -> Result<String, String> {
    let r = pseudo_random(n);
    thread::sleep(Duration::from_millis(50 + r % 200));
    if n % 7 == 6 {
        panic!("download {n} crashed");
    }
    if n % 5 == 3 {
        return Err(format!("http 404 for item {n}"));
    }
    Ok("x".repeat((r % 5000) as usize))
}

#[derive(Default)]
struct Tally {
    successes: Vec<(u64, usize)>,
    failures: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = ThreadPool::with_state(4, Tally::default())?;
    for n in 0..20_u64 {
        pool.put_request(
            WorkRequest::new(move || download(n))
                .with_id(n)
                .on_ok_with(|t: &mut Tally, id, body| t.successes.push((id.as_u64(), body.len())))
                .on_exception_with(|t: &mut Tally, id, exc| t.failures.push(format!("{id}: {exc}"))),
        )?;
    }
    loop {
        thread::sleep(Duration::from_millis(100));
        match pool.poll() {
            Ok(_) => {}
            Err(PollError::NoResultsPending) => break,
            Err(e) => return Err(e.into()),
        }
        let t = pool.state();
        println!(
            "progress: {} ok, {} errors, {} outstanding",
            t.successes.len(),
            t.failures.len(),
            pool.outstanding()
        );
    }
    let t = pool.into_state();
    let bytes: usize = t.successes.iter().map(|(_, n)| n).sum();
    println!("done: {} ok ({bytes} bytes), {} failed", t.successes.len(), t.failures.len());
    for f in &t.failures {
        println!("  failed {f}");
    }
    Ok(())
}
