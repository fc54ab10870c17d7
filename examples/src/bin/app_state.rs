//! An application that owns its thread pool and the model the pool's
//! callbacks update, as a GUI or game loop would: no `Rc<RefCell<..>>`, no
//! lifetimes to learn. Each tick polls the pool once (never blocking), then
//! draws a status line read straight from the model; the program ends when
//! every job has reported back.
//!
//! Run it with `cargo run -p examples --bin app_state`.

use std::error::Error;
use std::thread;
use std::time::{Duration, Instant};

use examples::Rng;
use threadpool_core::{PollError, ThreadPool, WorkRequest};

/// What the application shows: filled in by the callbacks, read by `draw`.
#[derive(Default)]
struct Model {
    /// Thumbnails made so far: (image number, pixels).
    thumbnails: Vec<(u32, u64)>,
    /// Images that could not be loaded, with the reason.
    errors: Vec<String>,
    /// Images asked for: changed by the application between polls.
    requested: usize,
}

/// The application: its pool holds the model, so both live in one struct.
struct App {
    pool: ThreadPool<'static, Model>,
    ticks: u64,
}

impl App {
    fn new(workers: usize) -> Result<Self, Box<dyn Error>> {
        Ok(App {
            pool: ThreadPool::with_state(workers, Model::default())?,
            ticks: 0,
        })
    }

    /// Asks for the thumbnail of `image`: a job that "decodes" it for a
    /// while on a worker and fails for a few images.
    fn open(&mut self, image: u32, millis: u64) -> Result<(), Box<dyn Error>> {
        self.pool.put_request(
            WorkRequest::new(move || {
                thread::sleep(Duration::from_millis(millis));
                if image % 11 == 5 {
                    Err(format!("image {image}: unsupported format"))
                } else {
                    Ok(u64::from(image) * 4096)
                }
            })
            .on_ok_with(move |model: &mut Model, _id, pixels| {
                model.thumbnails.push((image, pixels));
            })
            .on_exception_with(|model: &mut Model, _id, exc| model.errors.push(exc.to_string())),
        )?;
        self.pool.state_mut().requested += 1;
        Ok(())
    }

    /// One tick of the loop: run the callbacks of the results that are in,
    /// then draw. Returns whether any job is still out.
    fn tick(&mut self) -> Result<bool, Box<dyn Error>> {
        self.ticks += 1;
        let ran = match self.pool.poll() {
            Ok(ran) => ran,
            Err(PollError::NoResultsPending) => return Ok(false),
            Err(err) => return Err(err.into()),
        };
        if ran > 0 {
            self.draw();
        }
        Ok(true)
    }

    fn draw(&self) {
        let model = self.pool.state();
        let stats = self.pool.stats();
        println!(
            "tick {:>4}: {:>2}/{} thumbnails, {} errors, {:>2} running, {:>2} queued",
            self.ticks,
            model.thumbnails.len(),
            model.requested,
            model.errors.len(),
            stats.running,
            stats.queued,
        );
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let rng = Rng::from_time();
    let mut app = App::new(4)?;
    for image in 0..40 {
        app.open(image, rng.range(10, 120))?;
    }
    let began = Instant::now();
    // The loop a GUI toolkit would run: one poll per 16 ms frame.
    while app.tick()? {
        thread::sleep(Duration::from_millis(16));
    }
    let model = app.pool.state();
    println!(
        "done in {:.2?} over {} ticks: {} thumbnails, {} errors",
        began.elapsed(),
        app.ticks,
        model.thumbnails.len(),
        model.errors.len()
    );
    for error in &model.errors {
        println!("  {error}");
    }
    assert_eq!(model.thumbnails.len() + model.errors.len(), model.requested);
    Ok(())
}
