// `?` on every call, into Box<dyn Error> and into anyhow::Error.
use std::error::Error;
use std::time::Duration;

use threadpool_core::{SendWorkRequest, ThreadPool, WorkRequest};

fn with_box() -> Result<(), Box<dyn Error>> {
    let total = std::cell::Cell::new(0_u64);
    let mut pool = ThreadPool::builder().num_workers(2).queue_size(8).build()?;
    pool.put_request(WorkRequest::new(|| 21_u64).on_result(|_, v| total.set(total.get() + v)))?;
    pool.offer(WorkRequest::new(|| 21_u64).on_result(|_, v| total.set(total.get() + v)))
        .map_err(|refused| refused.error())?; // `?` alone: see NOTES
    pool.put_request_timeout(WorkRequest::new(|| 0_u64), Duration::from_secs(1))?;
    pool.poll_timeout(Duration::from_secs(1))?;
    pool.wait()?;
    pool.create_workers(1)?;
    let handle = pool.handle();
    handle.put_request(SendWorkRequest::new(|| 1_u64))?;
    pool.wait()?;
    handle.shutdown();
    println!("[box] shut down through the handle: {}", handle.is_shut_down());
    // Now both puts must fail; `?` should give a readable message.
    if let Err(e) = pool.put_request(WorkRequest::new(|| 2_u64)) {
        println!("[box] pool.put_request after shutdown: {e}");
    }
    handle.put_request(SendWorkRequest::new(|| 3_u64))?;
    println!("[box] not reached");
    Ok(())
}

fn with_anyhow() -> anyhow::Result<()> {
    let total = std::cell::Cell::new(0_u64);
    let mut pool = ThreadPool::builder().num_workers(2).queue_size(8).build()?;
    pool.put_request(WorkRequest::new(|| 21_u64).on_result(|_, v| total.set(total.get() + v)))?;
    pool.offer(WorkRequest::new(|| 21_u64).on_result(|_, v| total.set(total.get() + v)))
        .map_err(|refused| refused.error())?; // `?` alone: see NOTES
    pool.put_request_timeout(WorkRequest::new(|| 0_u64), Duration::from_secs(1))?;
    pool.poll_timeout(Duration::from_secs(1))?;
    pool.wait()?;
    pool.create_workers(1)?;
    let handle = pool.handle();
    handle.put_request(SendWorkRequest::new(|| 1_u64))?;
    pool.wait()?;
    handle.shutdown();
    handle.put_request(SendWorkRequest::new(|| 3_u64))?;
    println!("[anyhow] not reached");
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    if let Err(e) = with_box() {
        println!("[box] error: {e}  (debug: {e:?})");
    }
    if let Err(e) = with_anyhow() {
        println!("[anyhow] error: {e:#}  (debug: {e:?})");
    }
    // anyhow::Error into Box<dyn Error>, with the message intact.
    let boxed: Box<dyn Error> = with_anyhow().unwrap_err().into();
    assert!(boxed.to_string().ends_with("not queued: the pool has shut down"));
    Ok(())
}
