//! `cargo xtask loom`: model-checks the pool's protocols with loom.
//!
//! Runs the `tests/loom_*.rs` models of `threadpool-core`:
//!
//! - `RUSTFLAGS="--cfg loom"` swaps loom's atomics, `Mutex` and `Condvar`
//!   in through `threadpool-core/src/sync.rs` and turns the models on (each
//!   file is `#![cfg(loom)]`). It is set through the environment so that it
//!   applies to dependencies too, which is why the build goes to its own
//!   target directory, `target/loom`: a different `cfg` would otherwise
//!   rebuild the shared cache every time.
//! - `LOOM_MAX_PREEMPTIONS` bounds how many times loom may preempt a
//!   running thread in one interleaving. Bugs of real protocols show with
//!   two or three preemptions; each one more multiplies the run time. The
//!   default here is 3 (the full run); CI passes `--preemptions 2`.
//! - `--release`: loom explores tens of thousands of interleavings; an
//!   optimised build is many times faster.
//! - `--test-threads=1 --nocapture`: one model at a time, so each prints
//!   its "N interleavings explored" line undisturbed.

use crate::util;

/// The model files, `threadpool-core/tests/<name>.rs`.
const MODELS: [&str; 10] = [
    "loom_sleep",
    "loom_dismiss",
    "loom_slots",
    "loom_results",
    "loom_liveness",
    "loom_take_back",
    "loom_notify",
    "loom_cancel",
    "loom_inbox",
    "loom_wake_deques",
];

/// The preemption bound of the full run.
const DEFAULT_PREEMPTIONS: &str = "3";

pub fn run(args: &[String]) -> Result<(), String> {
    let preemptions = match args {
        [] => DEFAULT_PREEMPTIONS.to_owned(),
        [flag, n] if flag == "--preemptions" => {
            n.parse::<u32>()
                .map_err(|_| format!("`--preemptions` takes a number (got `{n}`)"))?;
            n.clone()
        }
        _ => return Err("usage: cargo xtask loom [--preemptions N]".to_owned()),
    };
    let target_dir = util::root().join("target").join("loom");
    let target_dir = target_dir.to_string_lossy();
    let mut cargo_args = vec!["test", "--package", "threadpool-core", "--release"];
    for model in MODELS {
        cargo_args.extend(["--test", model]);
    }
    cargo_args.extend(["--", "--nocapture", "--test-threads=1"]);
    eprintln!("xtask: loom with LOOM_MAX_PREEMPTIONS={preemptions}");
    util::cargo_env(
        &cargo_args,
        &[
            ("RUSTFLAGS", "--cfg loom"),
            ("LOOM_MAX_PREEMPTIONS", &preemptions),
            ("CARGO_TARGET_DIR", &target_dir),
        ],
    )
}
