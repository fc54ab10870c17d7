// Resize at run time: 1 worker -> 8 -> 0 (queued work waits) -> 4 again.
use std::thread;
use std::time::Duration;

use threadpool_core::{PollError, ThreadPool, WorkRequest};

const N: usize = 200;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = ThreadPool::with_state(1, vec![0_u32; N])?;
    for n in 0..N as u64 {
        pool.put_request(
            WorkRequest::new(move || {
                thread::sleep(Duration::from_millis(5));
                n
            })
            .with_id(n)
            .on_result_with(|seen: &mut Vec<u32>, _id, n| seen[n as usize] += 1),
        )?;
    }
    let done = |pool: &ThreadPool<'_, Vec<u32>>| pool.state().iter().filter(|&&c| c > 0).count();

    thread::sleep(Duration::from_millis(100));
    pool.poll()?;
    println!("1 worker:  {} done, {} outstanding", done(&pool), pool.outstanding());

    pool.create_workers(7)?;
    println!("grown to {} workers", pool.workers());
    thread::sleep(Duration::from_millis(50));
    pool.poll()?;
    println!("8 workers: {} done, {} outstanding", done(&pool), pool.outstanding());

    let dismissed = pool.dismiss_workers(pool.workers(), false);
    println!(
        "dismissed {dismissed}; workers now {}, dismissed not yet joined: {}",
        pool.workers(),
        pool.dismissed_workers()
    );
    // Give the dismissed workers time to finish their current jobs; nothing more may start.
    thread::sleep(Duration::from_millis(100));
    pool.poll()?;
    let frozen = done(&pool);
    println!("0 workers: {frozen} done, {} outstanding, dismissed not yet joined: {}",
        pool.outstanding(), pool.dismissed_workers());
    thread::sleep(Duration::from_millis(200));
    pool.poll()?;
    assert_eq!(done(&pool), frozen, "work ran with no workers");
    match pool.wait() {
        Err(PollError::NoWorkersAvailable) => println!("wait() with no workers: NoWorkersAvailable (good)"),
        other => println!("wait() with no workers returned {other:?}"),
    }
    pool.join_all_dismissed_workers();
    println!("after join_all_dismissed_workers: {}", pool.dismissed_workers());

    pool.create_workers(4)?;
    println!("recreated {} workers", pool.workers());
    pool.wait()?;
    let seen = pool.into_state();
    let exactly_once = seen.iter().all(|&c| c == 1);
    println!(
        "results: {} distinct, {} total, every result exactly once: {exactly_once}",
        seen.iter().filter(|&&c| c > 0).count(),
        seen.iter().sum::<u32>()
    );
    assert!(exactly_once);
    Ok(())
}
