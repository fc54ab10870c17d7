use threadpool_core::work_request;

#[work_request]
fn total<T: Copy + Into<u64>>(values: &[T], scale: &mut u64) -> u64 {
    values.iter().map(|&v| v.into()).sum::<u64>() * *scale
}

#[work_request]
fn nested(names: Vec<&str>) -> usize {
    names.len()
}

fn main() {
    let _ = total(&[1_u8, 2], &mut 3);
    let _ = nested(vec!["a"]);
}
