use threadpool_core::work_request;

#[work_request]
async fn fetch(url: String) -> usize {
    url.len()
}

fn main() {
    // The function is still emitted: no second error here.
    let _future = fetch(String::from("x"));
}
