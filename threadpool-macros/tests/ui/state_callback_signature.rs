use threadpool_core::{Exception, RequestId, work_request};

struct Totals {
    sum: u64,
}

// Forgot the state: `on_result_with` passes `&mut S` first.
fn add(_id: RequestId, value: u64) {
    println!("{value}");
}

#[work_request(on_result_with = add)]
fn double(x: u64) -> u64 {
    x * 2
}

// The state comes first, then the id and the exception.
fn failed(_id: RequestId, totals: &mut Totals, _exception: Exception) {
    totals.sum = 0;
}

#[work_request(on_exception_with = failed)]
fn triple(x: u64) -> u64 {
    x * 3
}

fn main() {
    let _ = double(2) + triple(3);
}
