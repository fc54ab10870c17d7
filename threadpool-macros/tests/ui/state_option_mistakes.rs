use threadpool_core::{Exception, RequestId, work_request};

fn done(_id: RequestId, _value: u32) {}
fn add(_state: &mut u32, _id: RequestId, _value: u32) {}
fn failed(_state: &mut u32, _id: RequestId, _exception: Exception) {}

#[work_request(on_result = done, on_ok_with = add)]
fn a(x: u32) -> u32 {
    x
}

#[work_request(on_exception_with = failed, ignore_exception)]
fn b(x: u32) -> u32 {
    x
}

#[work_request(on_ok_with)]
fn c(x: u32) -> Result<u32, String> {
    Ok(x)
}

#[work_request(on_result_with = |total: &mut u32, _id, value: u32| *total += value)]
fn d(x: u32) -> u32 {
    x
}

#[work_request(on_result_with = add, on_result_with = add)]
fn e(x: u32) -> u32 {
    x
}

fn main() {
    let _ = a(1) + b(2) + c(3).unwrap_or(0) + d(4) + e(5);
}
