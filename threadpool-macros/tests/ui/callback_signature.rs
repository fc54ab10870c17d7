use threadpool_core::{RequestId, work_request};

fn print_text(id: RequestId, text: String) {
    println!("{id}: {text}");
}

#[work_request(on_result = print_text)]
fn double(x: u32) -> u32 {
    x * 2
}

fn main() {
    let _ = double(2);
}
