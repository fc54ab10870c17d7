use threadpool_core::work_request;

#[work_request]
struct Job {
    input: u32,
}

#[work_request]
const LIMIT: u32 = 10;

fn main() {
    let _ = Job { input: LIMIT }.input;
}
