use threadpool_core::work_request;

#[work_request]
fn count_words(text: &str, path: &std::path::Path) -> usize {
    text.split_whitespace().count() + path.as_os_str().len()
}

fn main() {
    let _ = count_words("a b", std::path::Path::new("c"));
}
