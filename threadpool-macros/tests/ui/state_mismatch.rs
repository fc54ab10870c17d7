use threadpool_core::{Exception, RequestId, work_request};

struct Totals {
    sum: u64,
}

struct Failures {
    count: u32,
}

fn add(totals: &mut Totals, _id: RequestId, value: u64) {
    totals.sum += value;
}

fn failed(failures: &mut Failures, _id: RequestId, _exception: Exception) {
    failures.count += 1;
}

// A pool has one state, so the two callbacks must take the same type.
#[work_request(on_result_with = add, on_exception_with = failed)]
fn double(x: u64) -> u64 {
    x * 2
}

fn main() {
    let _ = double(2);
}
