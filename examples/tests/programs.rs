//! The example programs run as a user runs them, their output checked
//! against what their doc comments promise.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `program` with `args` and returns its output; kills it and fails
/// the test if it has not finished after a minute.
fn run(program: &str, args: &[&Path]) -> Output {
    let child = Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the example starts");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("the example's output is readable"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("{program} did not finish within a minute");
        }
    }
}

/// FNV-1a, 64-bit, as `hash_files` computes it.
fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for &byte in bytes {
        *hash ^= u64::from(byte);
        *hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

/// A fresh directory under the system's temporary directory, removed when
/// dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn hash_files_hashes_every_file_and_digests_the_tree() {
    let dir = TempDir::new("hash_files_test");
    let files = [("a.txt", "hello"), ("sub/b.txt", "world!")];
    std::fs::create_dir_all(dir.0.join("sub")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.0.join(name), text).unwrap();
    }
    let output = run(env!("CARGO_BIN_EXE_hash_files"), &[&dir.0]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("files hashed   2\n"), "{stdout}");
    assert!(stdout.contains("bytes          11 "), "{stdout}");
    assert!(stdout.contains("skipped        0 unreadable"), "{stdout}");
    // The tree digest: FNV-1a over each path and its file's hash, in path
    // order.
    let mut paths: Vec<(PathBuf, &str)> = files
        .iter()
        .map(|&(name, text)| (dir.0.join(name), text))
        .collect();
    paths.sort();
    let mut tree = 0xcbf2_9ce4_8422_2325;
    for (path, text) in paths {
        let mut file = 0xcbf2_9ce4_8422_2325;
        fnv1a(&mut file, text.as_bytes());
        fnv1a(&mut tree, path.as_os_str().as_encoded_bytes());
        fnv1a(&mut tree, &file.to_le_bytes());
    }
    assert!(
        stdout.contains(&format!("tree digest    {tree:016x}")),
        "{stdout}"
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn hash_files_refuses_a_path_that_is_not_a_directory() {
    let dir = TempDir::new("hash_files_not_a_dir");
    let file = dir.0.join("plain");
    std::fs::write(&file, "x").unwrap();
    let output = run(env!("CARGO_BIN_EXE_hash_files"), &[&file]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a directory"), "{stderr}");
}

#[test]
fn frame_loop_delivers_every_job_and_reports_the_frame_times() {
    let output = run(env!("CARGO_BIN_EXE_frame_loop"), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let jobs = [
        "terrain",
        "sky",
        "music",
        "texture a",
        "texture b",
        "texture c",
        "level 2",
        "sound 1",
        "sound 2",
        "sound 3",
        "sound 4",
    ];
    for job in jobs {
        assert!(
            stdout.contains(&format!("submitted {job} (")),
            "{job}: {stdout}"
        );
        let arrived = format!(": {job} (");
        let arrived_later = format!(", {job} (");
        assert!(
            stdout.contains(&arrived) || stdout.contains(&arrived_later),
            "{job} never arrived: {stdout}"
        );
    }
    assert!(!stdout.contains("failed:"), "{stdout}");
    assert!(stdout.contains("frame time: mean "), "{stdout}");
    assert!(stdout.contains("busy (own work + poll): mean "), "{stdout}");
}

#[test]
fn app_state_ends_when_every_image_has_reported() {
    let output = run(env!("CARGO_BIN_EXE_app_state"), &[]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let done = stdout
        .lines()
        .find(|l| l.starts_with("done in"))
        .expect("a summary");
    assert!(done.ends_with("36 thumbnails, 4 errors"), "{done}");
    assert!(output.stderr.is_empty(), "handled failures print nothing");
}

#[test]
fn crawler_crawls_through_bounded_queues_until_the_frontier_is_empty() {
    let output = run(env!("CARGO_BIN_EXE_crawler"), &[]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("crawled "), "{stdout}");
    assert!(stdout.contains("depth 5:"), "{stdout}");
}

#[test]
fn rayon_migration_prints_what_rayon_would() {
    let output = run(env!("CARGO_BIN_EXE_rayon_migration"), &[]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("sum of squares of 1..=1e6: 333333833333500000"));
    assert!(stdout.contains("on a pool of 2: fib(25) = 75025, primes below 10000: 1229"));
    assert!(stdout.contains(r#"its threads: ["0=migrated-0", "1=migrated-1"]"#));
    // Four broadcasts from inside a parallel iterator, each answered by
    // both threads of the scoped pool.
    assert!(stdout.contains(
        "scoped threads started: 2; broadcasts answered: 8; \
         [\"body on the calling thread\"]; squares [0, 1, 4, 9]"
    ));
}

#[test]
fn worker_threads_sets_up_every_worker_and_reaches_exactly_the_live_ones() {
    let output = run(env!("CARGO_BIN_EXE_worker_threads"), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "worker_threads failed:\n{stdout}");
    let sections: Vec<&str> = stdout.split("after dismissing 2").collect();
    assert_eq!(sections.len(), 2, "two reports:\n{stdout}");
    let workers = |section: &str| -> Vec<(String, u64)> {
        section
            .lines()
            .filter_map(|line| line.trim().strip_prefix("worker "))
            .map(|line| {
                assert!(line.contains("thread packer-"), "a named thread: {line}");
                assert!(
                    line.ends_with("scratch buffer of 4096 bytes"),
                    "set up: {line}"
                );
                let jobs = line
                    .split(", ")
                    .nth(1)
                    .and_then(|part| part.strip_suffix(" jobs"));
                (
                    line.to_owned(),
                    jobs.and_then(|n| n.parse().ok()).expect("a job count"),
                )
            })
            .collect()
    };
    let before = workers(sections[0]);
    let after = workers(sections[1]);
    assert_eq!(before.len(), 4, "two at build, two added:\n{stdout}");
    assert_eq!(
        before.iter().map(|(_, jobs)| jobs).sum::<u64>(),
        400,
        "every job ran once"
    );
    assert_eq!(
        after.len(),
        2,
        "the broadcast after dismissing reaches the two left:\n{stdout}"
    );
    assert!(
        stdout.contains("workers that left: 4 (2 dismissed, 2 at shutdown)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("every job found its thread's scratch buffer"),
        "{stdout}"
    );
}

#[test]
fn fork_join_sorts_and_counts_the_same_with_either_join() {
    let output = run(env!("CARGO_BIN_EXE_fork_join"), &[]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("merge sort of 2000000 numbers: sorted;"),
        "{stdout}"
    );
    assert!(
        stdout.contains("binary tree of depth 22: 4194303 nodes;"),
        "{stdout}"
    );
}
