// A producer thread puts 50 requests into a bounded pool while main polls.
use std::thread;
use std::time::Duration;

use threadpool_core::{PollError, SendWorkRequest, ThreadPool};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = ThreadPool::builder()
        .num_workers(3)
        .queue_size(4)
        .result_queue_size(4)
        .build_with_state(Vec::<u64>::new())?;
    let handle = pool.handle();
    let producer = thread::spawn(move || -> Result<(), threadpool_core::PutError> {
        for i in 0..50_u64 {
            handle.put_request(
                SendWorkRequest::new(move || {
                    thread::sleep(Duration::from_millis(10));
                    i * i
                })
                .on_result_with(|results: &mut Vec<u64>, _id, sq| results.push(sq)),
            )?;
        }
        Ok(())
    });
    loop {
        match pool.poll_blocking() {
            Ok(_) => {}
            Err(PollError::NoResultsPending) => {
                if producer.is_finished() {
                    break;
                }
                thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(e.into()),
        }
    }
    producer.join().unwrap()?;
    pool.wait()?;
    let results = pool.into_state();
    println!("gathered {} results, sum {}", results.len(), results.iter().sum::<u64>());
    Ok(())
}
