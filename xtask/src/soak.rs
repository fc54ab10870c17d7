//! `cargo xtask soak --seconds N`: drives the pool with a random mix of
//! everything it offers, from several threads, for N seconds, checking
//! after every phase that no request was lost, nothing hung and nothing
//! leaked. The soak itself is `threadpool-core/tests/soak.rs` (an ignored
//! test); this command runs it in release mode and prints its report.
//!
//! Flags and environment:
//! - `--release`: the soak measures how much it can push through; a debug
//!   build would cover a tenth of the interleavings.
//! - `--ignored --nocapture --test-threads=1`: the soak test is ignored in
//!   `cargo test` and prints its counts as it goes.
//! - `SOAK_SECONDS`: the run time, from `--seconds` (default 60).
//! - `SOAK_SEED`: from `--seed`, to repeat a run (default: from the clock;
//!   the soak prints the seed it used).

use crate::util;

pub fn run(args: &[String]) -> Result<(), String> {
    let mut seconds = "60".to_owned();
    let mut seed = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("`{arg}` takes a value"))?;
        value
            .parse::<u64>()
            .map_err(|_| format!("`{arg}` takes a number (got `{value}`)"))?;
        match arg.as_str() {
            "--seconds" => seconds = value.clone(),
            "--seed" => seed = Some(value.clone()),
            _ => return Err("usage: cargo xtask soak [--seconds N] [--seed S]".to_owned()),
        }
    }
    let mut env = vec![("SOAK_SECONDS", seconds.as_str())];
    if let Some(seed) = &seed {
        env.push(("SOAK_SEED", seed));
    }
    util::cargo_env(
        &[
            "test",
            "--package",
            "threadpool-core",
            "--release",
            "--test",
            "soak",
            "--",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ],
        &env,
    )
}
