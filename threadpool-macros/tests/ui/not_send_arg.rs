use std::rc::Rc;
use threadpool_core::work_request;

#[work_request]
fn length(text: Rc<String>) -> usize {
    text.len()
}

#[work_request]
fn share(n: usize) -> Rc<usize> {
    Rc::new(n)
}

fn main() {
    let _ = length(Rc::new(String::new())) + *share(1);
}
