//! `RAYON_NUM_THREADS` sizes pools built without `num_threads`, and the
//! global pool, as in rayon. Alone in its test binary: it sets the variable
//! before any pool starts.

#[test]
fn rayon_num_threads_sizes_the_default_and_global_pools() {
    // SAFETY: this binary's only test, run before any other thread of it
    // reads the environment.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", "3") };
    let ours = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .build()
        .unwrap();
    let theirs = rayon::ThreadPoolBuilder::new().build().unwrap();
    assert_eq!(ours.current_num_threads(), 3);
    assert_eq!(ours.current_num_threads(), theirs.current_num_threads());
    assert_eq!(
        threadpool_rayon_compat::current_num_threads(),
        rayon::current_num_threads()
    );
    assert_eq!(threadpool_rayon_compat::current_num_threads(), 3);
    // An explicit count wins over the variable.
    let explicit = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    assert_eq!(explicit.current_num_threads(), 2);
}
