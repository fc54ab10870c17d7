use threadpool_core::work_request;

struct Counter(u64);

impl Counter {
    #[work_request]
    fn add(&self, n: u64) -> u64 {
        self.0 + n
    }

    #[work_request]
    fn make(start: u64) -> Self {
        Counter(start)
    }
}

fn main() {
    let _ = Counter(1).add(2);
    let _ = Counter::make(3);
}
