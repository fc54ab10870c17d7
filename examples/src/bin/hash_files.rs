//! Hashes every file under a directory on a thread pool, with a request per
//! file built by `#[work_request]` and the results gathered by callbacks on
//! the main thread into a summary that the pool holds.
//!
//! ```text
//! cargo run -p examples --bin hash_files [DIR]
//! ```
//!
//! Without `DIR` it hashes this workspace, leaving out the `target` and
//! `.git` directories. Files and directories that cannot be read are
//! skipped, counted and reported; symbolic links are not followed. The
//! summary gives the file count, bytes, wall time, a digest of the whole
//! tree, and each worker's share and throughput.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use threadpool_core::{Exception, Panic, RequestId, ThreadPoolBuilder, work_request};

/// FNV-1a, 64-bit: for each byte, xor it into the state, then multiply by
/// the FNV prime. Simple and fast, and plenty for spotting changed files
/// (it is not a cryptographic hash).
#[derive(Debug, Clone, Copy)]
struct Fnv1a64(u64);

impl Fnv1a64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Self {
        Fnv1a64(Self::OFFSET_BASIS)
    }

    fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn finish(self) -> u64 {
        self.0
    }
}

/// What hashing one file found, and which worker spent how long on it.
#[derive(Debug)]
struct FileHash {
    path: PathBuf,
    bytes: u64,
    hash: u64,
    worker: String,
    busy: Duration,
}

/// Reads the file at `path` in 64 KiB chunks and hashes its contents with
/// FNV-1a (64-bit). Runs on a pool worker. An error names the path.
///
/// Every request built from it hands its outcome to the pool's [`Summary`]:
/// `on_ok_with` sends a `FileHash` to `Summary::record` and an `Err` (or a
/// panic) to `Summary::failed`.
#[work_request(on_ok_with = Summary::record, on_exception_with = Summary::failed)]
fn hash_file(path: PathBuf) -> io::Result<FileHash> {
    let started = Instant::now();
    let named = |err: io::Error| io::Error::new(err.kind(), format!("{}: {err}", path.display()));
    let mut file = File::open(&path).map_err(named)?;
    let mut hasher = Fnv1a64::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut bytes = 0;
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(named(err)),
        };
        hasher.update(&buffer[..read]);
        bytes += read as u64;
    }
    let worker = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned();
    Ok(FileHash {
        path,
        bytes,
        hash: hasher.finish(),
        worker,
        busy: started.elapsed(),
    })
}

/// The regular files under `root`, depth first, and the directories that
/// could not be listed. `skip` names directories left out by name.
fn collect_files(root: &Path, skip: &[&str]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) => {
                unreadable.push(format!("{}: {err}", dir.display()));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    unreadable.push(format!("{}: {err}", dir.display()));
                    continue;
                }
            };
            // `file_type` does not follow symbolic links, so links (and
            // any cycles through them) are left alone.
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => {
                    let name = entry.file_name();
                    if !skip.iter().any(|s| name == *s) {
                        pending.push(entry.path());
                    }
                }
                Ok(kind) if kind.is_file() => files.push(entry.path()),
                Ok(_) => {}
                Err(err) => unreadable.push(format!("{}: {err}", entry.path().display())),
            }
        }
    }
    files.sort();
    (files, unreadable)
}

/// One worker's share of the work.
#[derive(Debug, Default)]
struct WorkerShare {
    files: u64,
    bytes: u64,
    busy: Duration,
}

/// Everything the callbacks gather: the pool's state, which they change on
/// the main thread, inside `wait`.
#[derive(Debug, Default)]
struct Summary {
    hashes: Vec<(PathBuf, u64)>,
    bytes: u64,
    workers: BTreeMap<String, WorkerShare>,
    /// Files and directories that could not be read, with the reason.
    unreadable: Vec<String>,
    panicked: Vec<(RequestId, Panic)>,
}

impl Summary {
    /// A file hashed.
    fn record(&mut self, _id: RequestId, file: FileHash) {
        let share = self.workers.entry(file.worker).or_default();
        share.files += 1;
        share.bytes += file.bytes;
        share.busy += file.busy;
        self.bytes += file.bytes;
        self.hashes.push((file.path, file.hash));
    }

    /// A file that could not be read (the job's `io::Error`, which names
    /// it), or a job that panicked.
    fn failed(&mut self, id: RequestId, exception: Exception) {
        match exception {
            Exception::Failed(err) => self.unreadable.push(err.to_string()),
            Exception::Panicked(panic) => self.panicked.push((id, panic)),
            other => self.unreadable.push(other.to_string()),
        }
    }

    /// A digest of the whole tree: FNV-1a over every path and file hash,
    /// in path order, so it does not depend on which worker finished first.
    fn tree_digest(&mut self) -> u64 {
        self.hashes.sort();
        let mut hasher = Fnv1a64::new();
        for (path, hash) in &self.hashes {
            hasher.update(path.as_os_str().as_encoded_bytes());
            hasher.update(&hash.to_le_bytes());
        }
        hasher.finish()
    }
}

/// Bytes per second as MiB/s; zero for no time.
fn mib_per_s(bytes: u64, time: Duration) -> f64 {
    let secs = time.as_secs_f64();
    if secs > 0.0 {
        bytes as f64 / (1024.0 * 1024.0) / secs
    } else {
        0.0
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hash_files: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Hashes `files` on a pool of `workers` threads and returns what the
/// callbacks gathered, starting from the directories in `unlisted` that
/// could not be read.
fn hash_all(
    files: Vec<PathBuf>,
    unlisted: Vec<String>,
    workers: usize,
) -> Result<Summary, Box<dyn std::error::Error>> {
    let summary = Summary {
        unreadable: unlisted,
        ..Summary::default()
    };
    let mut pool = ThreadPoolBuilder::new()
        .num_workers(workers)
        .thread_name("hasher")
        .build_with_state(summary)?;
    // One request per file, each carrying the callbacks named in the
    // attribute; they run here on the main thread, inside `wait`.
    pool.put_requests(hash_file::requests(files))?;
    pool.wait()?;
    Ok(pool.into_state())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (root, skip): (PathBuf, &[&str]) = match std::env::args_os().nth(1) {
        Some(dir) => (PathBuf::from(dir), &[]),
        None => {
            let examples = Path::new(env!("CARGO_MANIFEST_DIR"));
            let workspace = examples.parent().unwrap_or(examples).to_path_buf();
            (workspace, &["target", ".git"])
        }
    };
    if !root.is_dir() {
        return Err(format!("{} is not a directory", root.display()).into());
    }

    let started = Instant::now();
    let (files, unlisted) = collect_files(&root, skip);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!(
        "Hashing {} files under {} with {workers} workers.",
        files.len(),
        root.display()
    );
    let mut summary = hash_all(files, unlisted, workers)?;
    let elapsed = started.elapsed();

    let digest = summary.tree_digest();
    println!();
    println!("files hashed   {}", summary.hashes.len());
    println!(
        "bytes          {} ({:.1} MiB)",
        summary.bytes,
        summary.bytes as f64 / (1024.0 * 1024.0)
    );
    println!("wall time      {:.3} s", elapsed.as_secs_f64());
    println!(
        "throughput     {:.1} MiB/s",
        mib_per_s(summary.bytes, elapsed)
    );
    println!("tree digest    {digest:016x}");
    println!("skipped        {} unreadable", summary.unreadable.len());
    for reason in summary.unreadable.iter().take(10) {
        println!("    {reason}");
    }
    if summary.unreadable.len() > 10 {
        println!("    ... and {} more", summary.unreadable.len() - 10);
    }
    for (id, panic) in &summary.panicked {
        println!("request {id} panicked: {panic}");
    }
    println!();
    println!(
        "{:<12} {:>7} {:>14} {:>10} {:>10}",
        "worker", "files", "bytes", "busy s", "MiB/s"
    );
    for (worker, share) in &summary.workers {
        println!(
            "{worker:<12} {:>7} {:>14} {:>10.3} {:>10.1}",
            share.files,
            share.bytes,
            share.busy.as_secs_f64(),
            mib_per_s(share.bytes, share.busy),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        let hash = |bytes: &[u8]| {
            let mut hasher = Fnv1a64::new();
            hasher.update(bytes);
            hasher.finish()
        };
        assert_eq!(hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_panic() {
        let missing = PathBuf::from("/nonexistent/hash_files/input");
        assert!(hash_file(missing).is_err());
    }

    #[test]
    fn the_pool_gathers_every_hash_and_every_unreadable_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let readable = [dir.join("Cargo.toml"), dir.join("README.md")];
        let missing = dir.join("no-such-file");
        let mut files = readable.to_vec();
        files.push(missing.clone());
        let mut summary = hash_all(files, vec!["listed earlier".into()], 2).unwrap();
        summary.hashes.sort();
        let expected: Vec<(PathBuf, u64)> = readable
            .iter()
            .map(|path| {
                let file = hash_file(path.clone()).unwrap();
                (file.path, file.hash)
            })
            .collect();
        assert_eq!(summary.hashes, expected);
        let bytes: u64 = readable
            .iter()
            .map(|p| fs::metadata(p).unwrap().len())
            .sum();
        assert_eq!(summary.bytes, bytes);
        let files: u64 = summary.workers.values().map(|share| share.files).sum();
        assert_eq!(files, 2);
        assert_eq!(summary.unreadable.len(), 2);
        assert_eq!(summary.unreadable[0], "listed earlier");
        assert!(
            summary.unreadable[1].starts_with(&missing.display().to_string()),
            "{}",
            summary.unreadable[1]
        );
        assert!(summary.panicked.is_empty());
    }
}
