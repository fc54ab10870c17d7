//! A terminal dashboard of a batch of simulated downloads of uneven size and
//! speed, some of which fail: a gauge per download fed by the job's progress
//! reports, the pool's worker, queued and completed counts, and a list of
//! failures. Keys: `+`/`-` grow or shrink the pool, up/down select a
//! download, `c` cancels it (taken out of the queue if it has not started,
//! stopped at its next chunk if it runs), `q` quits.
//!
//! The loop never polls in a busy loop: it sleeps on one channel until a key
//! arrives (from a thread reading the terminal) or the pool's notifier says
//! that results or progress are ready. It then polls, which runs the
//! callbacks that update the dashboard, and redraws.
//!
//! When stdout is not a terminal (in CI, or piped) it runs the same loop
//! against ratatui's `TestBackend` with a scripted grow and cancel, prints
//! the last frame as text and exits 0.
//!
//! Run it with `cargo run -p examples --bin tui_dashboard`.

use std::error::Error;
use std::io::IsTerminal;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use examples::Rng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Gauge, List, ListItem, Paragraph};
use ratatui::{DefaultTerminal, Frame};
use threadpool_core::{CancelOutcome, Exception, Progress, RequestId, ThreadPool, WorkRequest};

/// Downloads in the batch.
const DOWNLOADS: u64 = 14;
/// Bytes a simulated download receives per step.
const CHUNK: u64 = 256 * 1024;
/// Workers the pool starts with.
const WORKERS: usize = 3;

/// Where a download stands.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Queued,
    Running,
    Done,
    Failed(String),
    Cancelled,
}

/// One row of the dashboard.
#[derive(Debug)]
struct Download {
    id: RequestId,
    name: String,
    size: u64,
    received: u64,
    status: Status,
}

/// The pool's state: what the callbacks update and the screen shows.
#[derive(Debug, Default)]
struct Board {
    downloads: Vec<Download>,
    failures: Vec<String>,
    selected: usize,
    /// The last thing the user (or the script) did.
    note: String,
}

impl Board {
    fn get(&mut self, id: RequestId) -> Option<&mut Download> {
        self.downloads.iter_mut().find(|d| d.id == id)
    }

    fn count(&self, wanted: fn(&Status) -> bool) -> usize {
        self.downloads.iter().filter(|d| wanted(&d.status)).count()
    }

    fn finished(&self) -> bool {
        self.downloads
            .iter()
            .all(|d| !matches!(d.status, Status::Queued | Status::Running))
    }
}

/// What wakes the loop.
enum Wake {
    Key(KeyCode),
    Resize,
    Pool,
}

/// A simulated download: `size` bytes in chunks of `CHUNK`, one per
/// `step`, failing at `fail_at` bytes if given. It reports the bytes
/// received after every chunk and stops at the next chunk once cancelled.
fn download(
    id: u64,
    size: u64,
    step: Duration,
    fail_at: Option<u64>,
) -> WorkRequest<'static, Result<u64, String>> {
    WorkRequest::with_progress(move |progress: Progress<u64>| {
        let mut received = 0;
        progress.report(received);
        while received < size {
            if progress.is_cancelled() {
                return Err("cancelled".to_owned());
            }
            if fail_at.is_some_and(|at| received >= at) {
                return Err(format!("connection reset after {} KiB", received / 1024));
            }
            thread::sleep(step);
            received = (received + CHUNK).min(size);
            progress.report(received);
        }
        Ok(received)
    })
    .with_id(id)
    .on_progress_with(|board: &mut Board, id, bytes| {
        if let Some(d) = board.get(id) {
            d.received = bytes;
            d.status = Status::Running;
        }
    })
    .on_ok_with(|board: &mut Board, id, bytes| {
        if let Some(d) = board.get(id) {
            d.received = bytes;
            d.status = Status::Done;
        }
    })
    .on_exception_with(|board: &mut Board, id, exception| {
        let Some(d) = board.get(id) else { return };
        if let Exception::Cancelled = exception {
            d.status = Status::Cancelled;
        } else {
            let message = exception.to_string();
            let line = format!("{}: {message}", d.name);
            d.status = Status::Failed(message);
            board.failures.push(line);
        }
    })
}

/// Builds the pool, with its notifier sending `Wake::Pool` on `wake`, and
/// puts the batch. `step` is the time per chunk: short when headless.
fn start(
    wake: Sender<Wake>,
    step: Duration,
    rng: &Rng,
) -> Result<ThreadPool<'static, Board>, Box<dyn Error>> {
    let mut pool = ThreadPool::builder()
        .num_workers(WORKERS)
        .thread_name("download")
        .notify(move || {
            let _ = wake.send(Wake::Pool);
        })
        .build_with_state(Board::default())?;
    for n in 1..=DOWNLOADS {
        let size = rng.range(4, 48) * CHUNK;
        // About one in five fails part-way.
        let fail_at = (rng.range(1, 5) == 1).then(|| size * rng.range(1, 9) / 10);
        let step = step.mul_f64(0.5 + rng.unit() * 1.5);
        pool.state_mut().downloads.push(Download {
            id: RequestId::new(n),
            name: format!("file-{n:02}.tar"),
            size,
            received: 0,
            status: Status::Queued,
        });
        pool.put_request(download(n, size, step, fail_at))?;
    }
    Ok(pool)
}

/// Applies a key; returns `false` to quit.
fn on_key(pool: &mut ThreadPool<'static, Board>, key: KeyCode) -> bool {
    match key {
        KeyCode::Char('q') | KeyCode::Esc => return false,
        KeyCode::Char('+') => {
            let note = match pool.create_workers(1) {
                Ok(()) => format!("grew the pool to {} workers", pool.workers()),
                Err(err) => format!("could not grow the pool: {err}"),
            };
            pool.state_mut().note = note;
        }
        KeyCode::Char('-') => {
            // Without join: a dismissed worker finishes its download first.
            let dismissed = pool.dismiss_workers(1, false);
            pool.state_mut().note =
                format!("dismissed {dismissed} worker(s); {} left", pool.workers());
        }
        KeyCode::Up => {
            let board = pool.state_mut();
            board.selected = board.selected.saturating_sub(1);
        }
        KeyCode::Down => {
            let board = pool.state_mut();
            board.selected = (board.selected + 1).min(board.downloads.len().saturating_sub(1));
        }
        KeyCode::Char('c') => {
            let board = pool.state();
            if let Some(d) = board.downloads.get(board.selected) {
                let (id, name) = (d.id, d.name.clone());
                let note = match pool.cancel(id) {
                    CancelOutcome::Dequeued => format!("{name}: taken out of the queue"),
                    CancelOutcome::Signalled => format!("{name}: stopping at its next chunk"),
                    CancelOutcome::NotFound => format!("{name}: already finished"),
                };
                pool.state_mut().note = note;
            }
        }
        _ => {}
    }
    true
}

/// Draws the dashboard.
fn draw(frame: &mut Frame, board: &Board, workers: usize) {
    let [header, list, failures, help] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Min(4),
        Constraint::Length(7),
        Constraint::Length(1),
    ])
    .areas(frame.area());

    let counts = format!(
        "workers {workers}   queued {}   running {}   completed {}   failed {}   cancelled {}",
        board.count(|s| *s == Status::Queued),
        board.count(|s| *s == Status::Running),
        board.count(|s| *s == Status::Done),
        board.count(|s| matches!(s, Status::Failed(_))),
        board.count(|s| *s == Status::Cancelled),
    );
    frame.render_widget(
        Paragraph::new(vec![Line::from(counts), Line::from(board.note.as_str())]).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" threadpool downloads "),
        ),
        header,
    );

    let block = Block::default().borders(Borders::ALL).title(" requests ");
    let inner = block.inner(list);
    frame.render_widget(block, list);
    // Scroll so that the selected row is visible.
    let rows = usize::from(inner.height).max(1);
    let first = board.selected.saturating_sub(rows - 1);
    for (row, (index, d)) in board
        .downloads
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .enumerate()
    {
        let area = ratatui::layout::Rect {
            y: inner.y + row as u16,
            height: 1,
            ..inner
        };
        let [name, gauge] =
            Layout::horizontal([Constraint::Length(16), Constraint::Min(10)]).areas(area);
        let mut name_style = Style::default();
        if index == board.selected {
            name_style = name_style.add_modifier(Modifier::REVERSED);
        }
        frame.render_widget(Paragraph::new(d.name.as_str()).style(name_style), name);
        let ratio = if d.size == 0 {
            0.0
        } else {
            (d.received as f64 / d.size as f64).clamp(0.0, 1.0)
        };
        let mib = d.size as f64 / (1024.0 * 1024.0);
        let (label, color) = match &d.status {
            Status::Queued => (format!("queued ({mib:.2} MiB)"), Color::DarkGray),
            Status::Running => (
                format!("{:>3.0}% of {mib:.2} MiB", ratio * 100.0),
                Color::Cyan,
            ),
            Status::Done => (format!("done, {mib:.2} MiB"), Color::Green),
            Status::Failed(_) => (format!("failed at {:.0}%", ratio * 100.0), Color::Red),
            Status::Cancelled => (format!("cancelled at {:.0}%", ratio * 100.0), Color::Yellow),
        };
        frame.render_widget(
            Gauge::default()
                .gauge_style(Style::default().fg(color))
                .ratio(ratio)
                .label(label),
            gauge,
        );
    }

    // The latest failures that fit.
    let fit = usize::from(failures.height.saturating_sub(2));
    let items: Vec<ListItem> = board.failures[board.failures.len().saturating_sub(fit)..]
        .iter()
        .map(|f| ListItem::new(f.as_str()))
        .collect();
    frame.render_widget(
        List::new(items).block(Block::default().borders(Borders::ALL).title(" failures ")),
        failures,
    );
    frame.render_widget(
        Paragraph::new("q quit   + / - grow / shrink the pool   up / down select   c cancel"),
        help,
    );
}

/// The interactive loop on the real terminal.
fn run_terminal(
    terminal: &mut DefaultTerminal,
    pool: &mut ThreadPool<'static, Board>,
    wake: &Receiver<Wake>,
    keys: Sender<Wake>,
) -> Result<(), Box<dyn Error>> {
    thread::spawn(move || {
        loop {
            let sent = match event::read() {
                Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => {
                    keys.send(Wake::Key(key.code))
                }
                Ok(Event::Resize(..)) => keys.send(Wake::Resize),
                Ok(_) => Ok(()),
                Err(_) => return,
            };
            if sent.is_err() {
                return;
            }
        }
    });
    loop {
        // Runs the callbacks of what is ready, then arms the notifier.
        let _ = pool.poll();
        terminal.draw(|frame| draw(frame, pool.state(), pool.workers()))?;
        // Sleeps until a key or the notifier: no busy polling.
        let first = wake.recv()?;
        for woke in std::iter::once(first).chain(wake.try_iter()) {
            match woke {
                Wake::Key(key) if !on_key(pool, key) => return Ok(()),
                Wake::Key(_) | Wake::Resize | Wake::Pool => {}
            }
        }
    }
}

/// The same loop against a `TestBackend`, with a scripted grow and cancel;
/// returns the last frame as text.
fn run_headless(
    pool: &mut ThreadPool<'static, Board>,
    wake: &Receiver<Wake>,
) -> Result<String, Box<dyn Error>> {
    let mut terminal = Terminal::new(TestBackend::new(96, 30))?;
    let mut scripted = false;
    loop {
        let _ = pool.poll();
        if !scripted && pool.state().count(|s| *s == Status::Running) > 0 {
            // As if the user pressed `+`, then cancelled the last download
            // (still queued) and the first (running).
            scripted = true;
            on_key(pool, KeyCode::Char('+'));
            let last = pool.state().downloads.len() - 1;
            pool.state_mut().selected = last;
            on_key(pool, KeyCode::Char('c'));
            pool.state_mut().selected = 0;
            on_key(pool, KeyCode::Char('c'));
        }
        terminal.draw(|frame| draw(frame, pool.state(), pool.workers()))?;
        if pool.state().finished() && pool.outstanding() == 0 {
            return Ok(buffer_text(terminal.backend().buffer()));
        }
        // Sleeps until the notifier: results or progress are ready.
        while let Ok(Wake::Key(_) | Wake::Resize) = wake.recv() {}
    }
}

/// A buffer's text, one line per row, trailing blanks trimmed.
fn buffer_text(buffer: &Buffer) -> String {
    let width = usize::from(buffer.area.width).max(1);
    buffer
        .content()
        .chunks(width)
        .map(|row| {
            let line: String = row.iter().map(|cell| cell.symbol()).collect();
            line.trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn main() -> Result<(), Box<dyn Error>> {
    let interactive = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let (tx, rx) = mpsc::channel();
    if interactive {
        let rng = Rng::from_time();
        let mut pool = start(tx.clone(), Duration::from_millis(60), &rng)?;
        let mut terminal = ratatui::init();
        let outcome = run_terminal(&mut terminal, &mut pool, &rx, tx);
        ratatui::restore();
        // Stop what still runs (each download stops at its next chunk).
        let cancelled = pool.cancel_all();
        let board = pool.state();
        println!(
            "{} done, {} failed, {} cancelled ({cancelled} at exit)",
            board.count(|s| *s == Status::Done),
            board.count(|s| matches!(s, Status::Failed(_))),
            board.count(|s| *s == Status::Cancelled),
        );
        outcome
    } else {
        let rng = Rng::new(2024);
        let mut pool = start(tx, Duration::from_millis(2), &rng)?;
        let frame = run_headless(&mut pool, &rx)?;
        println!("{frame}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board() -> Board {
        let row = |n: u64, received: u64, status: Status| Download {
            id: RequestId::new(n),
            name: format!("file-{n:02}.tar"),
            size: 4 * CHUNK,
            received,
            status,
        };
        Board {
            downloads: vec![
                row(1, 2 * CHUNK, Status::Running),
                row(2, 0, Status::Queued),
                row(3, 4 * CHUNK, Status::Done),
                row(4, CHUNK, Status::Failed("connection reset".into())),
                row(5, 3 * CHUNK, Status::Cancelled),
            ],
            failures: vec!["file-04.tar: connection reset after 256 KiB".into()],
            selected: 1,
            note: "grew the pool to 4 workers".into(),
        }
    }

    fn render(board: &Board, workers: usize) -> String {
        let mut terminal = Terminal::new(TestBackend::new(96, 24)).unwrap();
        terminal.draw(|frame| draw(frame, board, workers)).unwrap();
        buffer_text(terminal.backend().buffer())
    }

    #[test]
    fn the_dashboard_shows_counts_gauges_and_failures() {
        let text = render(&board(), 4);
        assert!(
            text.contains(
                "workers 4   queued 1   running 1   completed 1   failed 1   cancelled 1"
            ),
            "{text}"
        );
        assert!(text.contains("grew the pool to 4 workers"), "{text}");
        assert!(text.contains(" 50% of 1.00 MiB"), "{text}");
        assert!(text.contains("queued (1.00 MiB)"), "{text}");
        assert!(text.contains("done, 1.00 MiB"), "{text}");
        assert!(text.contains("failed at 25%"), "{text}");
        assert!(text.contains("cancelled at 75%"), "{text}");
        assert!(
            text.contains("file-04.tar: connection reset after 256 KiB"),
            "{text}"
        );
        assert!(text.contains("c cancel"), "{text}");
    }

    #[test]
    fn the_selected_row_is_highlighted() {
        let mut terminal = Terminal::new(TestBackend::new(96, 24)).unwrap();
        let board = board();
        terminal.draw(|frame| draw(frame, &board, 2)).unwrap();
        let buffer = terminal.backend().buffer();
        // Row 0 of the list is at y = 5 (header of 4, border of 1), the
        // selected one (index 1) at y = 6, starting after the border.
        let reversed = |y: u16| buffer[(1, y)].modifier.contains(Modifier::REVERSED);
        assert!(!reversed(5));
        assert!(reversed(6));
    }

    #[test]
    fn a_headless_run_finishes_every_download_and_prints_its_last_frame() {
        let (tx, rx) = mpsc::channel();
        let rng = Rng::new(7);
        let mut pool = start(tx, Duration::from_micros(200), &rng).unwrap();
        let text = run_headless(&mut pool, &rx).unwrap();
        let board = pool.state();
        assert!(board.finished());
        assert!(board.count(|s| *s == Status::Cancelled) >= 1);
        assert_eq!(
            board.count(|s| matches!(s, Status::Failed(_))),
            board.failures.len()
        );
        assert!(text.contains("threadpool downloads"), "{text}");
        assert!(text.contains("workers 4"), "{text}");
    }
}
