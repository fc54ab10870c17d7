use threadpool_core::work_request;

fn report(_id: threadpool_core::RequestId, _value: u32) {}

#[work_request(name = double_requests, callback = report)]
fn double(x: u32) -> u32 {
    x * 2
}

fn main() {
    let _ = double(2);
}
