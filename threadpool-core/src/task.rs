//! What travels through the scheduler: [`Job`]s, and the type-erased
//! [`Task`] a [`WorkRequest`](crate::WorkRequest) becomes.
//!
//! A request's job and the slot for its result share one allocation, a
//! [`TaskCell`]. A worker runs the cell in place and sends the same box to
//! the result queue, where the polling thread hands the value to the
//! request's callback. The callback never crosses threads: it waits in the
//! pool's table of pending requests (see `pool.rs`).

use std::any::Any;
use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::Panic;
use crate::raw::JobRef;
use crate::request::RequestId;

/// A request's job and result slot, with the concrete types erased.
pub(crate) trait Task: Send {
    /// The request's id.
    fn id(&self) -> RequestId;
    /// Replaces the id given at construction by one the caller chose.
    fn set_id(&mut self, id: RequestId);
    /// Runs the job, catching its panic. Returns `false` if it panicked.
    fn run(&mut self) -> bool;
    /// What the job left behind; taken once, on the polling thread.
    fn outcome(&mut self) -> Outcome<'_>;
}

/// The result of a finished [`Task`].
pub(crate) enum Outcome<'t> {
    /// The job returned: an `&mut Option<T>` holding the value, as `Any` so
    /// the request's typed callback can take it out.
    Value(&'t mut dyn Any),
    /// The job panicked.
    Panicked(Panic),
}

enum State<F, T> {
    Ready(F),
    Returned(Option<T>),
    Panicked(Option<Panic>),
}

/// The one allocation behind a request: its job until it runs, then its result.
pub(crate) struct TaskCell<F, T> {
    id: RequestId,
    state: State<F, T>,
}

impl<F, T> TaskCell<F, T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    pub(crate) fn boxed(id: RequestId, job: F) -> Box<dyn Task> {
        Box::new(TaskCell {
            id,
            state: State::Ready(job),
        })
    }
}

impl<F, T> Task for TaskCell<F, T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    fn id(&self) -> RequestId {
        self.id
    }

    fn set_id(&mut self, id: RequestId) {
        self.id = id;
    }

    fn run(&mut self) -> bool {
        let State::Ready(_) = self.state else {
            unreachable!("a request's job runs once");
        };
        // Move the job out by swapping in an empty result; the job may panic,
        // and the cell must hold a valid state whatever it does.
        let State::Ready(job) = std::mem::replace(&mut self.state, State::Returned(None)) else {
            unreachable!()
        };
        match catch_unwind(AssertUnwindSafe(job)) {
            Ok(value) => {
                self.state = State::Returned(Some(value));
                true
            }
            Err(payload) => {
                self.state = State::Panicked(Some(Panic::new(payload)));
                false
            }
        }
    }

    fn outcome(&mut self) -> Outcome<'_> {
        match &mut self.state {
            State::Returned(value) => Outcome::Value(value),
            State::Panicked(panic) => {
                Outcome::Panicked(panic.take().expect("a request's outcome is taken once"))
            }
            State::Ready(_) => unreachable!("outcome of a job that has not run"),
        }
    }
}

/// A request on its way to a worker and back.
pub(crate) struct Envelope {
    pub(crate) task: Box<dyn Task>,
    /// Where the request's callbacks wait: a slot of the polling side's
    /// table, or [`REMOTE`](crate::pending::REMOTE) for a request put through
    /// a [`PoolHandle`](crate::PoolHandle), whose callbacks wait in the
    /// shared table.
    pub(crate) filed: u32,
    /// The request holds a slot of the bounded request queue until it starts.
    pub(crate) holds_slot: bool,
}

/// One unit of work in the scheduler's queues.
pub(crate) enum Job {
    /// A work request: its result goes to the result queue.
    Request(Envelope),
    /// A fire-and-forget closure from [`PoolHandle::spawn`](crate::PoolHandle::spawn).
    Spawned(Box<dyn FnOnce() + Send>),
    /// A job that lives elsewhere, e.g. on the stack of a thread in `join`.
    Raw(JobRef),
}

/// Runs a spawned closure, reporting (not propagating) its panic. Never
/// unwinds.
pub(crate) fn run_spawned(job: Box<dyn FnOnce() + Send>) -> bool {
    match catch_unwind(AssertUnwindSafe(job)) {
        Ok(()) => true,
        Err(payload) => {
            let panic = Panic::new(payload);
            // `eprintln!` would panic if stderr is gone; a report is not
            // worth unwinding a worker for.
            let _ = writeln!(io::stderr(), "threadpool: a spawned job panicked: {panic}");
            drop_quietly(panic);
            false
        }
    }
}

/// Drops user data on a worker without letting a panic escape: a panic in
/// its destructor is caught, and that panic's own payload is forgotten, not
/// dropped (its destructor is user code too, and may panic again).
pub(crate) fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        std::mem::forget(payload);
    }
}

/// Aborts the process if dropped during an unwind.
///
/// Placed over regions that must not unwind because another thread may
/// still use memory the unwind would free (a `join`'s stack job while a
/// thief runs it, a `scope` while its jobs run). The pool catches every
/// panic of user code, so this only fires on a bug in the pool itself.
pub(crate) struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = writeln!(
                io::stderr(),
                "threadpool: a panic escaped a region that must not unwind; aborting"
            );
            std::process::abort();
        }
    }
}
