//! `cargo xtask <command>`: the workspace's CI, benchmark and slow-check driver.
//!
//! Run `cargo xtask help` for the commands.

use std::process::ExitCode;

mod bench;
mod loom;
mod miri;
mod soak;
mod tsan;
mod util;

const HELP: &str = "\
cargo xtask <command> [options]

Commands:
  ci         cargo fmt --check, clippy (warnings denied), the tests, cargo doc (warnings denied)
  bench      side-by-side benchmarks vs the threadpool crate, rayon, Python [--quick] [SCENARIO...]
             (RATIO = ours/peer, lower is better; `cargo xtask bench --help`)
  loom       model-check the pool's protocols with loom [--preemptions N] (default 3)
  miri       the core crate's unit tests and selected behaviour tests under miri [--install]
  tsan       the stress and liveness tests under ThreadSanitizer (nightly, -Zbuild-std);
             the one report suppressed, crossbeam-deque's own, is explained in xtask/tsan.supp
  soak       a random mix of every operation from several threads [--seconds N] [--seed S]
  help       this text
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_else(|| "help".to_owned());
    let rest: Vec<String> = args.collect();
    let result = match command.as_str() {
        "ci" => ci(&rest),
        "bench" => bench::run(&rest),
        "loom" => loom::run(&rest),
        "miri" => miri::run(&rest),
        "tsan" => tsan::run(&rest),
        "soak" => soak::run(&rest),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The checks CI runs, in the order that fails fastest.
fn ci(args: &[String]) -> Result<(), String> {
    util::no_args("ci", args)?;
    util::cargo(&["fmt", "--all", "--check"])?;
    util::cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    util::cargo(&["test", "--workspace"])?;
    util::cargo_env(
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    Ok(())
}
