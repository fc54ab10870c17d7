use threadpool_core::{RequestId, work_request};

fn done(_id: RequestId, value: u64) {
    println!("{value}");
}

// `on_ok` splits a `Result`; this function returns a plain value.
#[work_request(on_ok = done)]
fn double(x: u64) -> u64 {
    x * 2
}

struct Opaque;

fn parsed(_id: RequestId, value: u8) {
    println!("{value}");
}

// The error of a job whose `Err` goes to the exception callback must
// `Display`.
#[work_request(on_ok = parsed)]
fn parse(text: String) -> Result<u8, Opaque> {
    text.parse().map_err(|_| Opaque)
}

fn main() {
    let _ = double(2);
    let _ = parse("1".into());
}
