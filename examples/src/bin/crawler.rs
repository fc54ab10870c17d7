//! A crawler: each fetched page's callback puts requests for the links it
//! found, until the frontier is empty. Both queues are bounded, so a
//! callback that puts more work may have to wait for room while results
//! wait to be polled; the pool keeps both moving. Every result lands in
//! one state, held by the pool.
//!
//! The web is simulated: page `n` links to a few pages chosen by a hash of
//! `n` (with cycles and repeats, as on the real web), and fetching takes a
//! few milliseconds. The crawl stops at depth 5.
//!
//! Run it with `cargo run -p examples --bin crawler`.

use std::collections::{BTreeMap, HashSet};
use std::error::Error;
use std::thread;
use std::time::{Duration, Instant};

use threadpool_core::{PoolHandle, SendWorkRequest, ThreadPool};

/// How deep to follow links from the start page.
const MAX_DEPTH: u32 = 5;

/// A fetched page: its links.
struct Page {
    links: Vec<u64>,
}

/// A well-mixed hash of `x` (splitmix64's finaliser).
fn hash(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fetches page `n` of the simulated web: 2 to 5 links among 5,000 pages,
/// 1 to 4 ms; one page in 20 is missing.
fn fetch(n: u64) -> Result<Page, String> {
    thread::sleep(Duration::from_millis(1 + hash(n) % 4));
    if hash(n ^ 0xdead).is_multiple_of(20) {
        return Err(format!("page {n}: 404 not found"));
    }
    let count = 2 + hash(n ^ 1) % 4;
    let links = (0..count).map(|i| hash(n * 8 + i) % 5000).collect();
    Ok(Page { links })
}

/// Everything the crawl learns, on the polling thread.
#[derive(Default)]
struct Crawl {
    seen: HashSet<u64>,
    /// Pages fetched per depth.
    fetched: BTreeMap<u32, usize>,
    links: usize,
    errors: Vec<String>,
}

impl Crawl {
    /// Queues a fetch of `page` at `depth` through `pool`, unless it was
    /// seen already. Called by callbacks, on the polling thread: the handle
    /// is how they reach the pool.
    fn visit(&mut self, pool: &PoolHandle, page: u64, depth: u32) {
        if depth > MAX_DEPTH || !self.seen.insert(page) {
            return;
        }
        let handle = pool.clone();
        let request = SendWorkRequest::new(move || fetch(page))
            .on_ok_with(move |crawl: &mut Crawl, _id, found: Page| {
                crawl.found(&handle, depth, found)
            })
            .on_exception_with(|crawl: &mut Crawl, _id, exc| crawl.errors.push(exc.to_string()));
        if let Err(refused) = pool.put_request(request) {
            self.errors.push(refused.to_string());
        }
    }

    fn found(&mut self, pool: &PoolHandle, depth: u32, page: Page) {
        *self.fetched.entry(depth).or_default() += 1;
        self.links += page.links.len();
        for link in page.links {
            self.visit(pool, link, depth + 1);
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let mut pool = ThreadPool::builder()
        .num_workers(4)
        .queue_size(2)
        .result_queue_size(2)
        .build_with_state(Crawl::default())?;
    let handle = pool.handle();
    pool.state_mut().visit(&handle, 1, 0);
    // Waits until no request is outstanding: the frontier is empty.
    pool.wait()?;
    let crawl = pool.into_state();
    println!(
        "crawled {} pages ({} links followed) in {:.2?}",
        crawl.fetched.values().sum::<usize>(),
        crawl.links,
        started.elapsed()
    );
    for (depth, pages) in &crawl.fetched {
        println!("  depth {depth}: {pages} pages");
    }
    println!(
        "  {} errors, e.g. {:?}",
        crawl.errors.len(),
        crawl.errors.first()
    );
    assert_eq!(
        crawl.fetched.values().sum::<usize>() + crawl.errors.len(),
        crawl.seen.len()
    );
    Ok(())
}
