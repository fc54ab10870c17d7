// A crawler: callbacks put follow-up requests; both queues bounded.
use std::collections::HashSet;
use std::thread;
use std::time::Duration;

use threadpool_core::{PollError, ThreadPool, WorkRequest};

const MAX_DEPTH: u32 = 6;

struct Page {
    n: u64,
    depth: u32,
    links: Vec<u64>,
}

#[derive(Default)]
struct Crawl {
    seen: HashSet<u64>,
    pages: Vec<(u64, u32)>,
    errors: Vec<String>,
    /// Follow-ups found by callbacks, put by the main loop (see NOTES: putting them
    /// through a PoolHandle from inside the callback deadlocks with both queues bounded).
    pending: Vec<(u64, u32)>,
}

fn fetch(n: u64, depth: u32) -> Page {
    thread::sleep(Duration::from_millis(2 + n % 5));
    if n == 20 {
        panic!("page {n}: connection reset");
    }
    Page { n, depth, links: vec![2 * n + 1, 2 * n + 2] }
}

fn fetch_request(n: u64, depth: u32) -> WorkRequest<'static, Page> {
    WorkRequest::new(move || fetch(n, depth))
        .with_id(n)
        .on_result_with(|c: &mut Crawl, _id, page: Page| {
            c.pages.push((page.n, page.depth));
            if page.depth < MAX_DEPTH {
                for link in page.links {
                    if c.seen.insert(link) {
                        c.pending.push((link, page.depth + 1));
                    }
                }
            }
        })
        .on_exception_with(|c: &mut Crawl, id, exc| c.errors.push(format!("{id}: {exc}")))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = ThreadPool::builder()
        .num_workers(2)
        .queue_size(2)
        .result_queue_size(2)
        .build_with_state(Crawl::default())?;
    pool.state_mut().seen.insert(0);
    pool.put_request(fetch_request(0, 0))?;
    loop {
        // put_request may run callbacks while it waits for room, which may add more pending.
        while let Some((n, depth)) = pool.state_mut().pending.pop() {
            pool.put_request(fetch_request(n, depth))?;
        }
        match pool.poll_blocking() {
            Ok(_) => {}
            Err(PollError::NoResultsPending) => break,
            Err(e) => return Err(e.into()),
        }
    }
    let c = pool.into_state();
    let max_depth = c.pages.iter().map(|p| p.1).max().unwrap_or(0);
    println!(
        "crawled {} pages (max depth {max_depth}), {} errors: {:?}",
        c.pages.len(),
        c.errors.len(),
        c.errors
    );
    Ok(())
}
