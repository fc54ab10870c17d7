// A "GUI-style" app struct that owns the pool and its state; tick() polls once.
use std::thread;
use std::time::{Duration, Instant};

use threadpool_core::{PollError, ThreadPool, WorkRequest};

#[derive(Default)]
struct Model {
    started: usize,
    finished: usize,
    failed: usize,
    last: Option<String>,
}

struct App {
    pool: ThreadPool<'static, Model>,
    frame: u64,
}

impl App {
    fn new() -> Result<Self, Box<dyn std::error::Error>> {
        Ok(App { pool: ThreadPool::with_state(3, Model::default())?, frame: 0 })
    }

    fn start_job(&mut self, n: u64) -> Result<(), Box<dyn std::error::Error>> {
        self.pool.put_request(
            WorkRequest::new(move || {
                thread::sleep(Duration::from_millis(20 + (n * 37) % 150));
                if n == 7 {
                    panic!("job {n} blew up");
                }
                format!("job {n} -> {}", n * n)
            })
            .on_result_with(|m: &mut Model, _id, text| {
                m.finished += 1;
                m.last = Some(text);
            })
            .on_exception_with(|m: &mut Model, id, exc| {
                m.failed += 1;
                m.last = Some(format!("request {id} failed: {exc}"));
            }),
        )?;
        self.pool.state_mut().started += 1;
        Ok(())
    }

    /// One frame: poll once, draw. Returns false when all work is done.
    fn tick(&mut self) -> Result<bool, Box<dyn std::error::Error>> {
        self.frame += 1;
        match self.pool.poll() {
            Ok(0) => return Ok(true),
            Ok(_) => {}
            Err(PollError::NoResultsPending) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let m = self.pool.state();
        println!(
            "frame {:4}: {}/{} done, {} failed, last: {}",
            self.frame,
            m.finished + m.failed,
            m.started,
            m.failed,
            m.last.as_deref().unwrap_or("-")
        );
        Ok(true)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut app = App::new()?;
    for n in 0..12 {
        app.start_job(n)?;
    }
    let t0 = Instant::now();
    while app.tick()? {
        thread::sleep(Duration::from_millis(16));
    }
    let m = app.pool.state();
    println!(
        "all done after {} frames ({:?}): {} ok, {} failed",
        app.frame,
        t0.elapsed(),
        m.finished,
        m.failed
    );
    Ok(())
}
