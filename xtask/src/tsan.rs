//! `cargo xtask tsan`: the stress and liveness tests under ThreadSanitizer.
//!
//! Flags:
//! - `RUSTFLAGS="-Zsanitizer=thread"`: instrument every memory access
//!   (nightly only). Set through the environment so that dependencies
//!   (crossbeam) are instrumented as well.
//! - `-Zbuild-std`: rebuild the standard library with the same
//!   instrumentation; an uninstrumented std makes TSan report false races
//!   on its synchronisation. Needs the `rust-src` component.
//! - `--target x86_64-unknown-linux-gnu`: `-Zbuild-std` requires an
//!   explicit target, and the sanitizer runtime exists for this one.
//! - `TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"`: the first
//!   report fails the run, with both stacks of a lock-order inversion.
//! - `suppressions=xtask/tsan.supp` (in `TSAN_OPTIONS`): the one report
//!   that is crossbeam-deque's and not ours, its speculative read of a
//!   deque slot; the file says why it is not a bug of this workspace, and
//!   `print_suppressions=1` shows in the log how often it matched.
//! - `CARGO_PROFILE_RELEASE_DEBUG=line-tables-only`: reports name the
//!   inlined frames with file and line, which the suppression needs to
//!   match the read itself rather than whatever function it was inlined
//!   into.
//! - `CARGO_TARGET_DIR=target/tsan`: instrumented builds kept apart from
//!   the shared cache.
//! - `--release`: the stress tests run in reasonable time under TSan's
//!   5-15x slowdown; debug assertions stay on via `-Cdebug-assertions`.
//! - `--test stress --test liveness`: the tests that drive the most
//!   threads through the protocols (the stress mix, and every hang the
//!   liveness fixes guard against). CI runs this on 2 cores; the build of
//!   the instrumented standard library dominates its time.

use std::process::Command;

use crate::util;

const TARGET: &str = "x86_64-unknown-linux-gnu";

pub fn run(args: &[String]) -> Result<(), String> {
    util::no_args("tsan", args)?;
    let has_src = Command::new("rustup")
        .args(["+nightly", "component", "list", "--installed"])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("rust-src"));
    if !has_src {
        return Err(
            "ThreadSanitizer needs nightly with `rust-src` for -Zbuild-std; run \
                    `rustup component add rust-src --toolchain nightly`"
                .to_owned(),
        );
    }
    let target_dir = util::root().join("target").join("tsan");
    let target_dir = target_dir.to_string_lossy();
    let suppressions = util::root().join("xtask").join("tsan.supp");
    let options = format!(
        "halt_on_error=1 second_deadlock_stack=1 print_suppressions=1 suppressions={}",
        suppressions.display()
    );
    crate::miri::rustup_cargo(
        &[
            "+nightly",
            "test",
            "-Zbuild-std",
            "--target",
            TARGET,
            "--release",
            "--package",
            "threadpool-core",
            "--test",
            "stress",
            "--test",
            "liveness",
        ],
        &[
            ("RUSTFLAGS", "-Zsanitizer=thread -Cdebug-assertions"),
            ("TSAN_OPTIONS", &options),
            ("CARGO_PROFILE_RELEASE_DEBUG", "line-tables-only"),
            ("CARGO_TARGET_DIR", &target_dir),
        ],
    )
}
