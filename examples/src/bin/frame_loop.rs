//! A fixed-rate loop that never waits for the pool: 60 frames a second for
//! about two seconds, as a game or GUI would run. Every frame does a little
//! work of its own, calls `pool.poll()` exactly once, and sleeps until the
//! next frame's deadline. At a few frames it submits jobs that take tens to
//! hundreds of milliseconds (standing in for loading a texture or a level);
//! their results come back to callbacks inside `poll()` some frames later,
//! on the loop's own thread, and no frame waits for them. The callbacks
//! record what arrived in the pool's state, which the loop takes out after
//! each poll.
//!
//! Each line shows the frame number, the results that arrived in that frame,
//! how long the frame's own work and the poll took ("busy"), and the time
//! since the previous frame. At the end it reports the mean and worst frame
//! time against the 16.7 ms budget, and the worst busy time: a fraction of a
//! millisecond, however long the jobs run. (On a heavily loaded machine a
//! frame can still start late when the OS wakes the loop late from its
//! sleep; the busy time shows that the poll did not cause it.)
//!
//! Run it with `cargo run -p examples --bin frame_loop`.

use std::error::Error;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use threadpool_core::{Exception, PollError, RequestId, ThreadPool, WorkRequest};

/// Frames per second.
const FPS: u32 = 60;
/// Frames the loop runs at least; it then runs on until no job is left.
const FRAMES: u64 = 120;
/// Print every frame with this many frames between them, besides the frames
/// in which something happened.
const PRINT_EVERY: u64 = 15;

/// The jobs to submit at a frame: a name and how long the job takes, in ms.
fn jobs_at(frame: u64) -> &'static [(&'static str, u64)] {
    match frame {
        0 => &[("terrain", 400), ("sky", 60), ("music", 250)],
        20 => &[("texture a", 30), ("texture b", 90), ("texture c", 150)],
        45 => &[("level 2", 600)],
        70 => &[
            ("sound 1", 20),
            ("sound 2", 40),
            ("sound 3", 80),
            ("sound 4", 160),
        ],
        _ => &[],
    }
}

/// When each frame starts and must end, counted from the loop's start so
/// that a late frame does not push every later frame back.
#[derive(Debug, Clone, Copy)]
struct FrameClock {
    start: Instant,
    budget: Duration,
}

impl FrameClock {
    fn new(start: Instant, fps: u32) -> Self {
        FrameClock {
            start,
            budget: Duration::from_secs(1) / fps,
        }
    }

    /// The instant `frame` (counted from 0) must be done by.
    fn deadline(&self, frame: u64) -> Instant {
        let ends = u32::try_from(frame + 1).expect("frame count fits in u32");
        self.start + self.budget * ends
    }
}

/// The worst and the total of a series of durations.
#[derive(Debug, Default, Clone, Copy)]
struct Worst {
    worst: Duration,
    total: Duration,
    count: u32,
}

impl Worst {
    fn record(&mut self, d: Duration) {
        self.worst = self.worst.max(d);
        self.total += d;
        self.count += 1;
    }

    fn mean(&self) -> Duration {
        self.total.checked_div(self.count).unwrap_or_default()
    }
}

/// A job's result as its callback saw it.
#[derive(Debug)]
struct Arrival {
    name: &'static str,
    outcome: Result<u64, String>,
}

/// The job: stands in for loading something, and returns its "size".
fn load(name: &'static str, millis: u64) -> u64 {
    thread::sleep(Duration::from_millis(millis));
    name.len() as u64 * 1024 + millis
}

/// What arrived since the loop last looked: the pool's state.
type Arrivals = Vec<Arrival>;

/// A request for a job whose callbacks push what arrived onto the pool's
/// [`Arrivals`]. They borrow nothing, so the request is `'static`.
fn request(name: &'static str, millis: u64) -> WorkRequest<'static, u64> {
    WorkRequest::new(move || load(name, millis))
        .on_result_with(move |arrivals: &mut Arrivals, _id: RequestId, size| {
            arrivals.push(Arrival {
                name,
                outcome: Ok(size),
            });
        })
        .on_exception_with(move |arrivals: &mut Arrivals, _id, exception: Exception| {
            arrivals.push(Arrival {
                name,
                outcome: Err(exception.to_string()),
            });
        })
}

/// Polls once: the number of callbacks run, 0 when nothing is outstanding.
fn poll_once<S>(pool: &mut ThreadPool<'_, S>) -> Result<usize, PollError> {
    match pool.poll() {
        Err(PollError::NoResultsPending) => Ok(0),
        other => other,
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("frame_loop: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut pool = ThreadPool::builder()
        .num_workers(3)
        .thread_name("loader")
        .build_with_state(Arrivals::new())?;

    let clock = FrameClock::new(Instant::now(), FPS);
    println!(
        "{FPS} frames per second: a budget of {:.1} ms a frame",
        ms(clock.budget)
    );
    let mut busy = Worst::default();
    let mut interval = Worst::default();
    let mut late = 0;
    let mut position = 0.0_f64;
    let mut previous_start = clock.start;
    let mut frame = 0;
    while frame < FRAMES || pool.outstanding() > 0 {
        let frame_start = Instant::now();

        for &(name, millis) in jobs_at(frame) {
            pool.put_request(request(name, millis))?;
            println!("frame {frame:3}: submitted {name} ({millis} ms)");
        }
        // The frame's own work: move a sprite along.
        position = std::hint::black_box((position + 0.6 / f64::from(FPS)).fract());
        let ran = poll_once(&mut pool)?;

        let spent = frame_start.elapsed();
        let since_previous = frame_start - previous_start;
        busy.record(spent);
        if frame > 0 {
            interval.record(since_previous);
            if since_previous > clock.budget * 3 / 2 {
                late += 1;
            }
        }
        // Between polls the state is the loop's: take what arrived.
        let arrived = std::mem::take(pool.state_mut());
        if !arrived.is_empty() || frame % PRINT_EVERY == 0 {
            let names: Vec<String> = arrived
                .iter()
                .map(|a| match &a.outcome {
                    Ok(size) => format!("{} ({size} bytes)", a.name),
                    Err(message) => format!("{} failed: {message}", a.name),
                })
                .collect();
            println!(
                "frame {frame:3}: {ran} result(s), busy {:.3} ms, frame time {:.1} ms{}{}",
                ms(spent),
                ms(since_previous),
                if names.is_empty() { "" } else { ": " },
                names.join(", ")
            );
        }

        previous_start = frame_start;
        // Sleep until this frame's deadline; a frame that overran starts the
        // next one at once.
        let deadline = clock.deadline(frame);
        if let Some(rest) = deadline.checked_duration_since(Instant::now()) {
            thread::sleep(rest);
        }
        frame += 1;
    }
    pool.shutdown()?;

    println!(
        "{frame} frames in {:.2} s",
        clock.start.elapsed().as_secs_f64()
    );
    println!(
        "frame time: mean {:.1} ms, worst {:.1} ms (budget {:.1} ms); {late} frame(s) over 1.5x the budget",
        ms(interval.mean()),
        ms(interval.worst),
        ms(clock.budget)
    );
    println!(
        "busy (own work + poll): mean {:.3} ms, worst {:.3} ms",
        ms(busy.mean()),
        ms(busy.worst)
    );
    Ok(())
}

/// A duration in milliseconds, for printing.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn deadlines_are_one_budget_apart_from_the_start() {
        let start = Instant::now();
        let clock = FrameClock::new(start, 50);
        assert_eq!(clock.budget, Duration::from_millis(20));
        assert_eq!(clock.deadline(0), start + Duration::from_millis(20));
        assert_eq!(clock.deadline(99), start + Duration::from_secs(2));
    }

    #[test]
    fn worst_keeps_the_maximum_and_the_mean() {
        let mut worst = Worst::default();
        assert_eq!(worst.mean(), Duration::ZERO);
        for millis in [3, 9, 6] {
            worst.record(Duration::from_millis(millis));
        }
        assert_eq!(worst.worst, Duration::from_millis(9));
        assert_eq!(worst.mean(), Duration::from_millis(6));
    }

    #[test]
    fn jobs_are_submitted_before_the_last_frame_and_vary_in_length() {
        let jobs: Vec<u64> = (0..FRAMES)
            .flat_map(jobs_at)
            .map(|&(_, millis)| millis)
            .collect();
        assert!(jobs.len() >= 5);
        assert!(jobs.iter().any(|&m| m < 50) && jobs.iter().any(|&m| m >= 300));
        assert!((FRAMES..FRAMES * 2).all(|frame| jobs_at(frame).is_empty()));
    }

    #[test]
    fn polling_returns_at_once_while_a_job_runs_and_delivers_it_later() {
        let mut pool = ThreadPool::with_state(1, Vec::<u64>::new()).unwrap();
        let (go, gate) = mpsc::channel::<()>();
        let job = WorkRequest::new(move || gate.recv().map_or(0, |()| 7_u64))
            .on_result_with(|seen: &mut Vec<u64>, _, v| seen.push(v));
        pool.put_request(job).unwrap();

        // The job cannot finish before `go` is sent: `poll` must not wait.
        assert_eq!(poll_once(&mut pool), Ok(0));
        assert!(pool.state().is_empty());

        go.send(()).unwrap();
        pool.wait().unwrap();
        assert_eq!(poll_once(&mut pool), Ok(0));
        assert_eq!(pool.into_state(), [7]);
    }

    #[test]
    fn the_request_reports_the_name_and_the_result() {
        let mut pool = ThreadPool::with_state(1, Arrivals::new()).unwrap();
        pool.put_request(request("sky", 0)).unwrap();
        pool.wait().unwrap();
        let arrived = pool.into_state();
        assert_eq!(arrived.len(), 1);
        assert_eq!(arrived[0].name, "sky");
        assert_eq!(arrived[0].outcome, Ok(3 * 1024));
    }
}
