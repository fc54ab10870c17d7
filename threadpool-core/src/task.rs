//! What travels through the scheduler: [`Job`]s, and the type-erased
//! [`Task`] a [`WorkRequest`](crate::WorkRequest) becomes.
//!
//! A request's job and the slot for its result share one allocation, a
//! [`TaskCell`], owned through a [`TaskBox`] (its memory comes from the
//! cell arena, `task/arena.rs`). A worker runs the cell in place and sends
//! the same cell to the result queue, where the polling thread hands the
//! value to the request's callback. The callback never crosses threads: it
//! waits in the pool's table of pending requests (see `pool.rs`).

use std::alloc::Layout;
use std::any::Any;
use std::io::{self, Write};
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;

use crate::id::RequestId;
use crate::panic::{Panic, catch_request_panic};
use crate::registry::Message;
use crate::results::Link;

mod arena;

/// Marks a request whose callbacks are not in the polling side's table
/// (they were put through a `PoolHandle` and wait in the shared table).
pub(crate) const REMOTE: u32 = u32::MAX;

/// What runs jobs: the worker that took one. Requests hand their erased
/// task to it, to run and to send the result on; the trait keeps this
/// module below the worker's.
pub(crate) trait Runner {
    /// Runs a request's job and sends the cell to the result queue.
    fn run_request(&self, task: TaskBox, holds_slot: bool);
    /// The worker running the job: the one a fork-join job hands on to
    /// its closure (`join.rs`), whatever the thread's `CURRENT` says (a
    /// thread that released itself from its pool still runs that pool's
    /// jobs while it waits in a join it started as a worker).
    fn context(&self) -> &crate::worker::WorkerContext;
}

/// A request's job and result slot, with the concrete types erased.
pub(crate) trait Task: Send {
    /// Replaces the id given at construction by one the caller chose.
    fn set_id(&mut self, id: RequestId);
    /// Makes the request cancellable: checked before the job starts.
    fn set_control(&mut self, control: std::sync::Arc<crate::cancel::Control>);
    /// Runs the job, catching its panic. Returns `false` if it panicked.
    fn run(&mut self) -> bool;
    /// What the job left behind; taken once, on the polling thread.
    fn outcome(&mut self) -> Outcome<'_>;
    /// Notes where the callbacks wait and whether the request holds a slot
    /// of the bounded queue, for the worker that runs it.
    fn set_route(&mut self, filed: u32, holds_slot: bool);
    /// How the scheduler runs and drops this type of cell.
    fn job_vtable(&self) -> &'static JobVTable;
}

/// An owned [`Task`] cell: like a `Box<dyn Task>`, but its memory comes
/// from the cell arena (`task/arena.rs`) when the cell fits a chunk, and
/// from the system allocator otherwise (its [`Header`] says which).
pub(crate) struct TaskBox(NonNull<dyn Task>);

// SAFETY: a `TaskBox` owns its cell alone, and every `Task` is `Send`.
unsafe impl Send for TaskBox {}

impl TaskBox {
    /// Moves `cell` into memory of its own.
    fn new<F, T>(mut cell: TaskCell<F, T>) -> TaskBox
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let layout = Layout::new::<TaskCell<F, T>>();
        let memory = match arena::alloc_cell(layout) {
            Some(memory) => {
                cell.header.arena = true;
                memory
            }
            None => {
                // SAFETY: a cell's size is not zero (it has a header).
                let memory = unsafe { std::alloc::alloc(layout) };
                NonNull::new(memory).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
            }
        };
        let memory = memory.cast::<TaskCell<F, T>>();
        // SAFETY: fresh memory of the cell's layout, written once.
        unsafe { memory.write(cell) };
        TaskBox(memory)
    }

    /// Gives up ownership; [`from_raw`](Self::from_raw) takes it back.
    fn into_raw(self) -> NonNull<dyn Task> {
        ManuallyDrop::new(self).0
    }

    /// # Safety
    ///
    /// `cell` came from [`into_raw`](Self::into_raw), and is taken back once.
    unsafe fn from_raw(cell: NonNull<dyn Task>) -> TaskBox {
        TaskBox(cell)
    }

    /// The request's id, read from the cell's header (no virtual call).
    #[inline]
    pub(crate) fn id(&self) -> RequestId {
        // SAFETY: the cell is live; every `Task` is a `TaskCell`, which
        // starts with its `Header` (`repr(C)`).
        let header = unsafe { &*self.0.as_ptr().cast::<Header>() };
        RequestId::from_parts(header.id, header.chosen)
    }

    /// Gives the cell up to the result queue: its link, which turns back
    /// into `Message::Done` with the cell and the slot its callbacks wait
    /// in (`results.rs`).
    pub(crate) fn into_link(self) -> NonNull<Link> {
        // Every `Task` is a `TaskCell`, which starts with its `Header`,
        // which starts with its link (both `repr(C)`).
        self.into_raw().cast::<Link>()
    }
}

impl Deref for TaskBox {
    type Target = dyn Task;

    fn deref(&self) -> &(dyn Task + 'static) {
        // SAFETY: the cell is live and owned by `self`.
        unsafe { self.0.as_ref() }
    }
}

impl DerefMut for TaskBox {
    fn deref_mut(&mut self) -> &mut (dyn Task + 'static) {
        // SAFETY: the cell is live and owned by `self`, borrowed mutably.
        unsafe { self.0.as_mut() }
    }
}

impl Drop for TaskBox {
    fn drop(&mut self) {
        let cell = self.0.as_ptr();
        // SAFETY: the cell is live and ours; every `Task` is a `TaskCell`,
        // which starts with its `Header` (`repr(C)`). It is dropped in
        // place once, then its memory goes back where it came from.
        unsafe {
            let layout = Layout::for_value(&*cell);
            let in_arena = (*cell.cast::<Header>()).arena;
            std::ptr::drop_in_place(cell);
            if in_arena {
                arena::free_cell(NonNull::new_unchecked(cell.cast::<u8>()));
            } else {
                std::alloc::dealloc(cell.cast::<u8>(), layout);
            }
        }
    }
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

/// What a queued request carries besides its job, readable without its
/// types: it is the first field of every `TaskCell`.
///
/// 40 bytes, so that the cell of a job and value of up to 16 bytes each
/// fills one cache line (the arena aligns it to one): the cell crosses to
/// a worker and back, and a cell on two lines moved both each way.
#[repr(C)]
struct Header {
    /// How the cell travels through the result queue; first, so that the
    /// cell's address is the link's.
    link: Link,
    /// The request's id, as `RequestId::as_u64`, and `chosen` below.
    id: u64,
    /// A cancellable request's control block (`cancel.rs`); `None` for
    /// the others, which pay one branch for it.
    control: Option<std::sync::Arc<crate::cancel::Control>>,
    /// Where the callbacks wait (see `Envelope::filed`).
    filed: u32,
    /// The id was chosen by the caller.
    chosen: bool,
    /// The request holds a slot of the bounded queue until it starts.
    holds_slot: bool,
    /// The cell's memory is from the cell arena, not the system allocator.
    arena: bool,
}

impl Header {
    fn set_id(&mut self, id: RequestId) {
        self.id = id.as_u64();
        self.chosen = id.chosen().is_some();
    }
}

/// The one allocation behind a request: its job until it runs, then its result.
#[repr(C)]
pub(crate) struct TaskCell<F, T> {
    header: Header,
    state: State<F, T>,
}

impl<F, T> TaskCell<F, T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    pub(crate) fn boxed(id: RequestId, job: F) -> TaskBox {
        TaskBox::new(TaskCell {
            header: Header {
                link: Link::new(Self::decode_result),
                id: id.as_u64(),
                control: None,
                filed: 0,
                chosen: id.chosen().is_some(),
                holds_slot: false,
                arena: false,
            },
            state: State::Ready(job),
        })
    }

    /// Runs the request whose cell `data` points to, on `worker`.
    ///
    /// # Safety
    ///
    /// `data` is the pointer `Envelope::into_job` made from a `TaskBox`
    /// of `Self`, and this is the only use of it.
    unsafe fn run_job(data: NonNull<()>, worker: &dyn Runner) {
        let typed = data.cast::<Self>();
        // SAFETY: the caller's contract: the cell is live and ours.
        let header = unsafe { &typed.as_ref().header };
        let holds_slot = header.holds_slot;
        let cancelled = header.control.as_ref().is_some_and(|c| !c.start());
        // SAFETY: the caller's contract: the cell is taken back once.
        let cell = unsafe { TaskBox::from_raw(typed) };
        if cancelled {
            // Cancelled while queued: `ThreadPool::cancel` reported it, took
            // its callbacks and gave its queue slot back; nothing goes back.
            drop_quietly(cell);
            return;
        }
        worker.run_request(cell, holds_slot);
    }

    /// Takes a finished cell back from the result queue.
    ///
    /// # Safety
    ///
    /// `link` is the link of a `TaskBox` of `Self` given up with
    /// `TaskBox::into_link`, taken back once.
    unsafe fn decode_result(link: NonNull<Link>) -> Message {
        let typed = link.cast::<Self>();
        // SAFETY: the caller's contract: the cell is live and ours again.
        let filed = unsafe { typed.as_ref().header.filed };
        Message::Done(Envelope {
            // SAFETY: the caller's contract: taken back once.
            task: unsafe { TaskBox::from_raw(typed) },
            filed,
            holds_slot: false,
        })
    }

    /// Drops the request unrun.
    ///
    /// # Safety
    ///
    /// As for `run_job`.
    unsafe fn discard_job(data: NonNull<()>) {
        // SAFETY: the caller's contract: the cell is taken back once.
        drop_quietly(unsafe { TaskBox::from_raw(data.cast::<Self>()) });
    }
}

impl<F, T> Task for TaskCell<F, T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    fn set_id(&mut self, id: RequestId) {
        self.header.set_id(id);
    }

    fn set_control(&mut self, control: std::sync::Arc<crate::cancel::Control>) {
        self.header.control = Some(control);
    }

    fn set_route(&mut self, filed: u32, holds_slot: bool) {
        self.header.filed = filed;
        self.header.holds_slot = holds_slot;
    }

    fn job_vtable(&self) -> &'static JobVTable {
        const {
            &JobVTable {
                run: Self::run_job,
                discard: Self::discard_job,
                kind: JobKind::Request,
            }
        }
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
        match catch_request_panic(job) {
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
    pub(crate) task: TaskBox,
    /// Where the request's callbacks wait: a slot of the polling side's
    /// table, or [`REMOTE`] for a request put through
    /// a [`PoolHandle`](crate::PoolHandle), whose callbacks wait in the
    /// shared table.
    pub(crate) filed: u32,
    /// The request holds a slot of the bounded request queue until it starts.
    pub(crate) holds_slot: bool,
}

impl Envelope {
    /// The request as a job for the scheduler.
    #[inline]
    pub(crate) fn into_job(self) -> Job {
        let mut task = self.task;
        task.set_route(self.filed, self.holds_slot);
        let vtable = task.job_vtable();
        let data = task.into_raw().cast::<()>();
        // SAFETY: `data` is a `TaskBox`'s cell given up, which the
        // vtable's `run_job` and `discard_job` (for this cell's type) take
        // back once; a `TaskCell` is `Send`.
        unsafe { Job::new(data, vtable) }
    }
}

/// One unit of work in the scheduler's queues: a pointer to the job's data
/// and the functions that run or drop it.
///
/// Two words, like a trait object, but one type for the three kinds of job
/// (requests, spawned closures, and fork-join jobs on a waiting thread's
/// stack) with no tag beside it: small enough to travel in registers into a
/// deque slot. (A tagged enum of three such variants is three words, and
/// copying it through the stack into the slot stalled every `join` on a
/// failed store-to-load forward.)
pub(crate) struct Job {
    data: NonNull<()>,
    vtable: &'static JobVTable,
}

/// How to run and drop one type of job.
pub(crate) struct JobVTable {
    /// Runs the job, consuming `data`.
    pub(crate) run: unsafe fn(NonNull<()>, &dyn Runner),
    /// Drops the job unrun, consuming `data`; must not unwind.
    pub(crate) discard: unsafe fn(NonNull<()>),
    pub(crate) kind: JobKind,
}

/// The kinds of [`Job`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum JobKind {
    /// A work request: dropped unrun at shutdown; its result goes to the
    /// result queue.
    Request,
    /// A closure from `PoolHandle::spawn` or `Scope::spawn`: run even at
    /// shutdown (a scope may wait for it).
    Spawned,
    /// A job on a waiting thread's stack (`join`, `install`): always run;
    /// dropping it unrun would strand its waiter.
    Fork,
}

// SAFETY: every constructor takes only `Send` job data (a `TaskCell`, a
// `Send` closure) or, for `Fork` jobs, data the forking thread shares for
// the job's lifetime under `StackJob::as_job`'s contract.
unsafe impl Send for Job {}

impl Job {
    /// # Safety
    ///
    /// `vtable`'s functions must be sound to call once, from any thread,
    /// with `data`, which must stay valid until then.
    pub(crate) unsafe fn new(data: NonNull<()>, vtable: &'static JobVTable) -> Job {
        Job { data, vtable }
    }

    /// A fire-and-forget closure.
    pub(crate) fn spawned<F: FnOnce() + Send + 'static>(f: F) -> Job {
        // SAFETY: `F: 'static` borrows nothing.
        unsafe { Job::spawned_unchecked(f) }
    }

    /// A closure that may borrow: `Scope::spawn`'s jobs.
    ///
    /// # Safety
    ///
    /// Everything `f` borrows must outlive the job's run or drop.
    pub(crate) unsafe fn spawned_unchecked<F: FnOnce() + Send>(f: F) -> Job {
        let data = NonNull::from(Box::leak(Box::new(f))).cast();
        // SAFETY: `data` is a leaked `Box<F>`, rebuilt once by either
        // function; `F: Send`; its borrows are the caller's contract.
        unsafe {
            Job::new(
                data,
                const {
                    &JobVTable {
                        run: run_spawned_job::<F>,
                        discard: discard_spawned_job::<F>,
                        kind: JobKind::Spawned,
                    }
                },
            )
        }
    }

    pub(crate) fn kind(&self) -> JobKind {
        self.vtable.kind
    }

    /// Identifies the job: a fork-join job by the address of its stack
    /// frame's job.
    #[inline]
    pub(crate) fn id(&self) -> *const () {
        self.data.as_ptr()
    }

    /// Whether this is a request holding a slot of the bounded queue.
    pub(crate) fn holds_slot(&self) -> bool {
        self.kind() == JobKind::Request && {
            // SAFETY: a request's data is a `TaskCell`, which starts with
            // its `Header` (`repr(C)`), and is live until the job is consumed.
            let header = unsafe { self.data.cast::<Header>().as_ref() };
            // A request `cancel` took out gave its slot back already.
            header.holds_slot && !header.control.as_ref().is_some_and(|c| c.dequeued())
        }
    }

    /// Runs the job on `worker`.
    #[inline]
    pub(crate) fn run(self, worker: &dyn Runner) {
        let job = ManuallyDrop::new(self);
        // SAFETY: `new`'s contract; `ManuallyDrop` keeps `Drop` from
        // consuming `data` a second time.
        unsafe { (job.vtable.run)(job.data, worker) }
    }
}

impl Drop for Job {
    /// Drops the job unrun (a `Fork` job has nothing to drop).
    fn drop(&mut self) {
        // SAFETY: `new`'s contract; a job is run or dropped, once.
        unsafe { (self.vtable.discard)(self.data) }
    }
}

/// A `discard` for jobs that own nothing.
pub(crate) unsafe fn discard_nothing(_: NonNull<()>) {}

/// # Safety
///
/// `data` is a leaked `Box<F>`, used once.
unsafe fn run_spawned_job<F: FnOnce() + Send>(data: NonNull<()>, _: &dyn Runner) {
    // SAFETY: the caller's contract.
    let f = unsafe { Box::from_raw(data.cast::<F>().as_ptr()) };
    run_spawned(*f);
}

/// # Safety
///
/// `data` is a leaked `Box<F>`, used once.
unsafe fn discard_spawned_job<F>(data: NonNull<()>) {
    // SAFETY: the caller's contract.
    drop_quietly(unsafe { Box::from_raw(data.cast::<F>().as_ptr()) });
}

/// Runs a spawned closure, reporting (not propagating) its panic. Never
/// unwinds.
pub(crate) fn run_spawned(job: impl FnOnce()) -> bool {
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

/// Aborts the process if dropped: an unwind left a region that must not
/// unwind. The normal way out is [`AbortOnUnwind::disarm`].
///
/// Placed over regions that must not unwind because another thread may
/// still use memory the unwind would free (a `join`'s stack job while a
/// thief runs it, a `scope` while its jobs run). The pool catches every
/// panic of user code, so this only fires on a bug in the pool itself.
pub(crate) struct AbortOnUnwind;

impl AbortOnUnwind {
    /// Leaves the region normally.
    #[inline]
    pub(crate) fn disarm(self) {
        std::mem::forget(self);
    }
}

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        let _ = writeln!(
            io::stderr(),
            "threadpool: a panic escaped a region that must not unwind; aborting"
        );
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_requests_cell_fills_one_cache_line() {
        assert_eq!(std::mem::size_of::<Header>(), 40);
        let x = 7_u64;
        let job = move || x;
        fn cell_size<F: FnOnce() -> T, T>(_: &F) -> usize {
            std::mem::size_of::<TaskCell<F, T>>()
        }
        assert_eq!(cell_size(&job), 64);
        let cell = TaskCell::boxed(RequestId::new(3), job);
        assert_eq!(cell.id(), RequestId::new(3));
        let auto = RequestId::next_auto();
        let mut cell = TaskCell::boxed(auto, || ());
        assert_eq!(cell.id(), auto);
        cell.set_id(RequestId::new(9));
        assert_eq!(cell.id(), RequestId::new(9));
    }
}
