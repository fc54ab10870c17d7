//! A program written against `rayon::prelude::*` compiles and gives the same
//! output with only its `use` lines switched to this crate: the same source
//! file is included into two modules that differ only in those lines.

mod with_rayon {
    use rayon::prelude::*;
    use rayon::{current_num_threads, join};

    include!("migration/program.rs");

    pub fn output() -> String {
        run()
    }
}

mod with_compat {
    use threadpool_rayon_compat::prelude::*;
    use threadpool_rayon_compat::{current_num_threads, join};

    include!("migration/program.rs");

    pub fn output() -> String {
        run()
    }
}

#[test]
fn the_program_gives_the_same_output_on_both() {
    let rayon = with_rayon::output();
    let compat = with_compat::output();
    assert_eq!(compat, rayon);
    assert!(
        compat.starts_with("sum of squares: 333383335000\n"),
        "{compat}"
    );
    assert!(compat.contains("the: 9\n"), "{compat}");
    assert!(compat.contains("fib(20) = 6765\n"), "{compat}");
}

#[test]
fn the_program_runs_inside_a_pool_of_one_thread() {
    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let compat_pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let rayon = rayon_pool.install(with_rayon::output);
    let compat = compat_pool.install(with_compat::output);
    assert_eq!(compat, rayon);
}

mod pipelines_with_rayon {
    use rayon::prelude::*;

    include!("migration/pipelines.rs");
}

mod pipelines_with_compat {
    use threadpool_rayon_compat::prelude::*;

    include!("migration/pipelines.rs");
}

#[test]
fn the_six_programs_that_used_to_stop_give_the_same_output() {
    let rayon = pipelines_with_rayon::run();
    let compat = pipelines_with_compat::run();
    assert_eq!(compat, rayon);
    assert_eq!(compat.lines().count(), 6, "{compat}");
    assert!(compat.contains("all ok: false, clean ok: true"), "{compat}");
    assert!(
        compat.contains("12 slots, first \"ann@0\", last \"cy@3\""),
        "{compat}"
    );
}

#[test]
fn the_six_programs_run_on_a_pool_of_one_thread() {
    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let compat_pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(
        compat_pool.install(pipelines_with_compat::run),
        rayon_pool.install(pipelines_with_rayon::run)
    );
}
