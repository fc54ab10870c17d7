use threadpool_core::work_request;

#[work_request]
unsafe fn read_at(address: usize) -> u8 {
    // SAFETY: the caller promises `address` is valid.
    unsafe { *(address as *const u8) }
}

fn main() {
    let byte = 7_u8;
    // SAFETY: the address of a live local.
    let _ = unsafe { read_at(&byte as *const u8 as usize) };
}
