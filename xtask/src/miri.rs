//! `cargo xtask miri`: the core crate's unit tests and a selection of its
//! behaviour tests under miri, which reports undefined behaviour, data
//! races and leaks of the pool's own (unsafe and lock-free) code.
//!
//! miri needs the nightly toolchain with the `miri` and `rust-src`
//! components: `rustup component add miri rust-src --toolchain nightly`.
//! Pass `--install` to have this command run that first.
//!
//! Flags:
//! - `cargo +nightly miri test`: runs the test binaries in the interpreter.
//! - `MIRIFLAGS`:
//!   - `-Zmiri-ignore-leaks`: dropping a `ThreadPool` does not join its
//!     workers (by design: dropping never blocks), so a test may end while
//!     a worker thread still holds the pool's shared state; miri would count
//!     that as a leak.
//!   - `-Zmiri-tree-borrows`: check references with the Tree Borrows model.
//!     crossbeam-epoch's intrusive list (under crossbeam-deque) breaks the
//!     stricter Stacked Borrows rules (crossbeam-rs/crossbeam#545), which
//!     would stop every test at its first steal; crossbeam's own CI uses
//!     Tree Borrows for the same reason.
//!   - `-Zmiri-num-cpus=2`: what `available_parallelism` reports, so pools
//!     built with the default worker count stay small.
//! - `CARGO_TARGET_DIR=target/miri`: miri's builds differ from normal ones;
//!   keeping them apart spares the shared build cache.
//! - The behaviour tests check `cfg(miri)` to skip what miri cannot do
//!   (child processes, thousands of threads) or would take hours on.

use std::process::Command;

use crate::util;

/// Behaviour test files run under miri, besides the unit tests.
const SELECTION: [&str; 5] = ["faults", "bad_input", "stress", "fork_join", "worker_join"];

const MIRIFLAGS: &str = "-Zmiri-ignore-leaks -Zmiri-tree-borrows -Zmiri-num-cpus=2";

pub fn run(args: &[String]) -> Result<(), String> {
    match args {
        [] => {}
        [flag] if flag == "--install" => util::run(Command::new("rustup").args([
            "component",
            "add",
            "miri",
            "rust-src",
            "--toolchain",
            "nightly",
        ]))?,
        _ => return Err("usage: cargo xtask miri [--install]".to_owned()),
    }
    require_miri()?;
    let target_dir = util::root().join("target").join("miri");
    let target_dir = target_dir.to_string_lossy();
    let env = [("MIRIFLAGS", MIRIFLAGS), ("CARGO_TARGET_DIR", &*target_dir)];
    let mut cargo_args = vec![
        "+nightly",
        "miri",
        "test",
        "--package",
        "threadpool-core",
        "--lib",
    ];
    for test in SELECTION {
        cargo_args.extend(["--test", test]);
    }
    rustup_cargo(&cargo_args, &env)
}

/// Fails with the command to run when nightly miri is missing.
fn require_miri() -> Result<(), String> {
    let found = Command::new("cargo")
        .args(["+nightly", "miri", "--version"])
        .current_dir(util::root())
        .output()
        .is_ok_and(|out| out.status.success());
    if found {
        Ok(())
    } else {
        Err("miri is not installed for the nightly toolchain; run \
             `rustup component add miri rust-src --toolchain nightly` \
             or `cargo xtask miri --install`"
            .to_owned())
    }
}

/// Runs `cargo` through rustup's proxy, which understands `+nightly`
/// (`$CARGO`, set by `cargo xtask`, points at a toolchain's own cargo).
pub fn rustup_cargo(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let mut command = Command::new("cargo");
    command.args(args).current_dir(util::root());
    for (key, value) in env {
        command.env(key, value);
    }
    // Under `cargo xtask` these name the stable toolchain; the proxy must
    // choose the toolchain from `+nightly` instead.
    command
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO");
    util::run(&mut command)
}
