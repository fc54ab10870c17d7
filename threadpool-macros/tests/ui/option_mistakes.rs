use threadpool_core::{Exception, RequestId, work_request};

fn failed(_id: RequestId, _panic: Exception) {}

#[work_request(on_exception = failed, ignore_exception)]
fn a(x: u32) -> u32 {
    x
}

#[work_request(name = first, name = second)]
fn b(x: u32) -> u32 {
    x
}

#[work_request(name)]
fn c(x: u32) -> u32 {
    x
}

#[work_request(ignore_exception = failed)]
fn d(x: u32) -> u32 {
    x
}

#[work_request(on_result)]
fn e(x: u32) -> u32 {
    x
}

fn main() {
    let _ = a(1) + b(2) + c(3) + d(4) + e(5);
}
