//! Threads started by a spawn handler: `ThreadBuilder::spawn` and
//! `std_builder` apply the pool's thread name and stack size, and the pool
//! knows when each such worker's `run` returns, so `dismiss_workers` with
//! `join` waits for it and `dismissed_workers` counts it until joined.
//! Each body runs under a watchdog, so a hang fails the test instead of
//! stalling it.

mod common;
use common::watchdog;

use std::sync::{Arc, Mutex};

use threadpool_core::ThreadPoolBuilder;

/// Recursion that needs about `n` KiB of stack.
fn deep(n: u32) -> u32 {
    let pad = std::hint::black_box([1_u8; 1024]);
    if n == 0 {
        u32::from(pad[0])
    } else {
        deep(n - 1) + u32::from(pad[1])
    }
}

#[test]
fn thread_builder_spawn_and_std_builder_apply_the_name_and_stack_size() {
    watchdog("spawn_handler", || {
        for use_std_builder in [false, true] {
            let handles = Arc::new(Mutex::new(Vec::new()));
            let kept = Arc::clone(&handles);
            let pool = ThreadPoolBuilder::new()
                .num_workers(2)
                .thread_name("crunch")
                .stack_size(64 << 20)
                .spawn_handler(move |thread| -> std::io::Result<()> {
                    let handle = if use_std_builder {
                        let builder = thread.std_builder();
                        builder.spawn(move || thread.run())?
                    } else {
                        thread.spawn()?
                    };
                    kept.lock().unwrap().push(handle);
                    Ok(())
                })
                .build_handle()
                .unwrap();
            let names = pool.broadcast(|_| std::thread::current().name().map(str::to_owned));
            assert_eq!(
                names,
                [
                    (0, Some("crunch-0".to_owned())),
                    (1, Some("crunch-1".to_owned()))
                ]
            );
            // About 16 MiB of stack: far past the default, within 64 MiB.
            assert_eq!(pool.install(|| deep(16 * 1024)), 16 * 1024 + 1);
            pool.shutdown();
            for handle in std::mem::take(&mut *handles.lock().unwrap()) {
                handle.join().unwrap();
            }
        }
    });
}
