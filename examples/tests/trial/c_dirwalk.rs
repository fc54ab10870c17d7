// #[work_request] directory checksum: one request per file, Adler-32.
use std::path::{Path, PathBuf};

use threadpool_core::{work_request, Exception, RequestId, ThreadPool};

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

#[work_request]
fn checksum(path: PathBuf) -> std::io::Result<(PathBuf, u32, usize)> {
    if path.file_name().is_some_and(|n| n.to_string_lossy().contains("panic")) {
        panic!("refusing to checksum {}", path.display());
    }
    let data = std::fs::read(&path)?;
    Ok((path, adler32(&data), data.len()))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Default)]
struct Summary {
    ok: Vec<(PathBuf, u32, usize)>,
    io_errors: Vec<String>,
    panics: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = Vec::new();
    walk(Path::new(&dir), &mut files)?;
    files.sort();

    // The callbacks only get a RequestId, so number the requests and keep the names
    // (declared before the pool: the callbacks borrow it).
    let names = files.clone();
    let names = &names;
    let mut pool = ThreadPool::with_state(4, Summary::default())?;
    for (i, request) in checksum::requests(files).into_iter().enumerate() {
        pool.put_request(
            request
                .with_id(i as u64)
                .on_ok_with(|s: &mut Summary, _id, entry| s.ok.push(entry))
                .on_exception_with(move |s: &mut Summary, id: RequestId, exc| {
                    let name = names[id.as_u64() as usize].display();
                    match exc {
                        Exception::Failed(err) => s.io_errors.push(format!("{name}: {err}")),
                        Exception::Panicked(p) => s.panics.push(format!("{name}: {p}")),
                        other => s.panics.push(format!("{name}: {other}")),
                    }
                }),
        )?;
    }
    pool.wait()?;
    let s = pool.into_state();
    for (path, sum, len) in &s.ok {
        println!("{sum:08x} {len:>8} {}", path.display());
    }
    for e in &s.io_errors {
        println!("I/O error: {e}");
    }
    for p in &s.panics {
        println!("panic: {p}");
    }
    let bytes: usize = s.ok.iter().map(|e| e.2).sum();
    println!(
        "summary: {} files, {bytes} bytes, {} I/O errors, {} panics",
        s.ok.len(),
        s.io_errors.len(),
        s.panics.len()
    );
    Ok(())
}
