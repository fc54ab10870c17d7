//! The compile errors of `#[work_request]`: each `tests/ui/X.rs` must fail
//! to build with exactly the messages in `tests/ui/X.stderr`.
//!
//! After an intended change to a message, regenerate the files with
//! `TRYBUILD=overwrite cargo test -p threadpool-macros --test compiletest`
//! and read the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
