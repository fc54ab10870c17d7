//! Memory for task cells: chunks that each thread fills with a bump pointer.
//!
//! Every request is one cell, made by `WorkRequest::new` and freed on the
//! polling thread after its callback ran. With the system allocator that
//! was the most expensive step of a tiny request: a burst of puts takes
//! every cell from the allocator's slow path (its per-thread cache holds a
//! handful), and the frees after the burst merge them back one by one. A
//! cell is instead carved from the thread's current chunk (32 KiB, aligned
//! to its size) by moving a pointer, and freeing it is one atomic
//! decrement of its chunk's count of live cells, found by masking the
//! cell's address. The last free of a chunk that is no longer being filled
//! gives the chunk back: kept as the freeing thread's spare (the polling
//! thread frees most cells, so its next chunk costs nothing), or returned
//! to the system allocator.
//!
//! The price: one live cell keeps its whole chunk (32 KiB) allocated.
//! Cells larger than [`MAX_CELL`] or more aligned than [`MAX_ALIGN`], and
//! cells made while the thread's chunk state is being torn down (a request
//! made in another thread-local's destructor), use the system allocator;
//! the cell's header says which.
//!
//! The atomics here are `std`'s even under loom: cells are made and freed
//! outside the models, which check the protocols around them.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::cell::Cell;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Size and alignment of a chunk.
/// (32 KiB: the system allocator serves an allocation aligned to 64 KiB
/// from a mapping of its own, one system call to map and one to unmap.)
const CHUNK: usize = 32 << 10;

/// Bytes at the start of a chunk that hold its [`ChunkHeader`]: a cache
/// line, so that the frees counting down do not share it with a cell the
/// worker writes.
const HEADER: usize = 64;

/// The largest cell carved from a chunk.
pub(crate) const MAX_CELL: usize = 1024;

/// The most alignment a cell carved from a chunk may need.
pub(crate) const MAX_ALIGN: usize = 64;

/// Added to a chunk's live count while a thread fills it, so that frees
/// cannot bring the count to zero before the filling thread lets go.
const FILLING: usize = usize::MAX / 2;

#[repr(C)]
struct ChunkHeader {
    /// Cells handed out and not yet freed, plus [`FILLING`] while the chunk
    /// is some thread's current one. Whoever brings it to zero frees the
    /// chunk.
    live: AtomicUsize,
}

fn chunk_layout() -> Layout {
    // Both are powers of two and the size is a multiple of the alignment.
    match Layout::from_size_align(CHUNK, CHUNK) {
        Ok(layout) => layout,
        Err(_) => unreachable!("the chunk layout is valid"),
    }
}

/// One thread's chunk being filled, and its spare.
struct Bump {
    /// The current chunk, or null.
    chunk: Cell<*mut u8>,
    /// Offset of the first free byte in `chunk`.
    next: Cell<usize>,
    /// Cells handed out from `chunk`.
    handed: Cell<usize>,
    /// An empty chunk kept for the next refill, or null.
    spare: Cell<*mut u8>,
}

thread_local! {
    static BUMP: Bump = const {
        Bump {
            chunk: Cell::new(ptr::null_mut()),
            next: Cell::new(0),
            handed: Cell::new(0),
            spare: Cell::new(ptr::null_mut()),
        }
    };
}

impl Bump {
    /// Carves `layout` from the current chunk, starting a new one if it
    /// does not fit.
    #[inline]
    fn alloc(&self, layout: Layout) -> NonNull<u8> {
        let chunk = self.chunk.get();
        if !chunk.is_null() {
            let start = self.next.get().next_multiple_of(line_align(layout));
            if start + layout.size() <= CHUNK {
                self.next.set(start + layout.size());
                self.handed.set(self.handed.get() + 1);
                // SAFETY: `start + size <= CHUNK`: inside the chunk's
                // allocation, from whose pointer this one derives.
                return unsafe { NonNull::new_unchecked(chunk.add(start)) };
            }
        }
        self.refill(layout)
    }

    #[cold]
    #[inline(never)]
    fn refill(&self, layout: Layout) -> NonNull<u8> {
        self.retire();
        let mut chunk = self.spare.replace(ptr::null_mut());
        if chunk.is_null() {
            // SAFETY: the layout's size is not zero.
            chunk = unsafe { alloc(chunk_layout()) };
            if chunk.is_null() {
                handle_alloc_error(chunk_layout());
            }
        }
        // SAFETY: the chunk is ours alone (fresh, or a spare nobody else
        // sees) and starts with room for its header.
        unsafe {
            chunk.cast::<ChunkHeader>().write(ChunkHeader {
                live: AtomicUsize::new(FILLING),
            })
        };
        let start = HEADER.next_multiple_of(line_align(layout));
        self.chunk.set(chunk);
        self.next.set(start + layout.size());
        self.handed.set(1);
        // SAFETY: `start + size <= HEADER + MAX_ALIGN + MAX_CELL < CHUNK`.
        unsafe { NonNull::new_unchecked(chunk.add(start)) }
    }

    /// Stops filling the current chunk: drops the [`FILLING`] bias,
    /// freeing the chunk if every cell from it is freed already.
    fn retire(&self) {
        let chunk = self.chunk.replace(ptr::null_mut());
        if chunk.is_null() {
            return;
        }
        let handed = self.handed.replace(0);
        // SAFETY: a current chunk is live: its count holds the bias.
        unsafe { release(chunk.cast::<ChunkHeader>(), FILLING - handed) };
    }
}

impl Drop for Bump {
    fn drop(&mut self) {
        self.retire();
        let spare = self.spare.replace(ptr::null_mut());
        if !spare.is_null() {
            // SAFETY: the spare came from `alloc(chunk_layout())`.
            unsafe { dealloc(spare, chunk_layout()) };
        }
    }
}

/// Where a cell of `layout` may start: at its alignment, raised to the
/// smallest power of two not below its size, up to a cache line (64
/// bytes). So a cell of at most 64 bytes never straddles two lines: it
/// moves to a worker and back, and a straddling cell moved two lines each
/// way. (A 48-byte cell wastes 16 bytes for it.)
#[inline]
fn line_align(layout: Layout) -> usize {
    layout
        .align()
        .max(layout.size().next_power_of_two().min(MAX_ALIGN))
}

/// Takes `n` off a chunk's count; frees the chunk if that was the rest.
///
/// # Safety
///
/// `header` is a live chunk's header, and `n` counts cells (or the bias)
/// the caller owns and gives up.
#[inline]
unsafe fn release(header: *mut ChunkHeader, n: usize) {
    // SAFETY: the chunk is live until its count reaches zero, which only
    // this call or a later one can make happen.
    let live = unsafe { &(*header).live };
    // Release: pairs with the Acquire load of whoever takes the count to
    // zero, so that every use of the chunk's cells comes before its free.
    if live.fetch_sub(n, Ordering::Release) == n {
        // Acquire: reads the zero at the end of the release sequence of
        // every earlier decrement, so it synchronizes with all of them. A
        // load rather than a fence, which ThreadSanitizer cannot see (as
        // `std`'s `Arc` does under it).
        live.load(Ordering::Acquire);
        free_chunk(header.cast::<u8>());
    }
}

#[cold]
fn free_chunk(chunk: *mut u8) {
    let kept = BUMP
        .try_with(|bump| {
            if bump.spare.get().is_null() {
                bump.spare.set(chunk);
                true
            } else {
                false
            }
        })
        .unwrap_or(false);
    if !kept {
        // SAFETY: chunks come from `alloc(chunk_layout())`, and nothing
        // refers to this one any more (its count reached zero).
        unsafe { dealloc(chunk, chunk_layout()) };
    }
}

/// Memory for a cell of `layout`: from the thread's chunk if the layout
/// fits one and the thread's chunk state is available, `None` otherwise
/// (the caller uses the system allocator).
#[inline]
pub(crate) fn alloc_cell(layout: Layout) -> Option<NonNull<u8>> {
    if layout.size() > MAX_CELL || layout.align() > MAX_ALIGN || layout.size() == 0 {
        return None;
    }
    BUMP.try_with(|bump| bump.alloc(layout)).ok()
}

/// Frees a cell that [`alloc_cell`] returned.
///
/// # Safety
///
/// `cell` came from `alloc_cell`, is freed once, and is not used after.
#[inline]
pub(crate) unsafe fn free_cell(cell: NonNull<u8>) {
    // The chunk is aligned to its size, so its header is at the cell's
    // address rounded down to a multiple of `CHUNK`; the pointer keeps the
    // cell's provenance, which is the whole chunk's.
    let header = cell
        .as_ptr()
        .map_addr(|addr| addr & !(CHUNK - 1))
        .cast::<ChunkHeader>();
    // SAFETY: the caller's contract: the chunk holds this live cell.
    unsafe { release(header, 1) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_come_from_one_chunk_and_the_last_free_returns_it_as_the_spare() {
        let layout = Layout::new::<[u64; 8]>();
        // Start from a fresh chunk on this test's own thread.
        std::thread::spawn(move || {
            let cells: Vec<_> = (0..100).map(|_| alloc_cell(layout).unwrap()).collect();
            let chunk = |p: NonNull<u8>| p.as_ptr().addr() & !(CHUNK - 1);
            assert!(cells.iter().all(|&p| chunk(p) == chunk(cells[0])));
            assert!(cells.iter().all(|p| p.as_ptr().addr() % 8 == 0));
            for (i, &cell) in cells.iter().enumerate() {
                // SAFETY: a fresh cell of 64 bytes.
                unsafe { cell.cast::<u64>().write(i as u64) };
            }
            for &cell in &cells {
                // SAFETY: each cell once.
                unsafe { free_cell(cell) };
            }
            BUMP.with(|bump| {
                assert!(bump.spare.get().is_null(), "a chunk being filled stays");
                bump.retire();
                assert_eq!(bump.spare.get().addr(), chunk(cells[0]));
            });
            // The spare is reused.
            let again = alloc_cell(layout).unwrap();
            assert_eq!(chunk(again), chunk(cells[0]));
            // SAFETY: once.
            unsafe { free_cell(again) };
        })
        .join()
        .unwrap();
    }

    /// Cells moved to another thread (the tests' stand-in for a task).
    struct Cells(Vec<NonNull<u8>>);
    // SAFETY: the cells are plain memory the receiving thread owns alone.
    unsafe impl Send for Cells {}

    #[test]
    fn a_chunk_outlives_its_thread_while_a_cell_from_it_lives() {
        let layout = Layout::new::<[u8; 600]>();
        let cells = std::thread::spawn(move || {
            // 600-byte cells fill a chunk every fifty or so: these span
            // a few chunks, the last one still being filled at exit.
            let cells: Vec<_> = (0..300).map(|_| alloc_cell(layout).unwrap()).collect();
            for &cell in &cells {
                // SAFETY: a fresh cell of 600 bytes.
                unsafe { cell.as_ptr().write_bytes(7, 600) };
            }
            Cells(cells)
        })
        .join()
        .unwrap();
        // The thread is gone and its chunks retired; the cells still hold
        // what it wrote, and freeing them here frees the chunks.
        for &cell in &cells.0 {
            // SAFETY: live cells of 600 bytes, each freed once.
            unsafe {
                assert_eq!(*cell.as_ptr().add(599), 7);
                free_cell(cell);
            }
        }
    }

    #[test]
    fn cells_of_a_cache_line_or_less_never_straddle_two() {
        std::thread::spawn(|| {
            for size in [8, 24, 40, 64, 72, 200] {
                let layout = Layout::from_size_align(size, 8).unwrap();
                for _ in 0..50 {
                    let cell = alloc_cell(layout).unwrap();
                    let start = cell.as_ptr().addr();
                    if size <= 64 {
                        assert_eq!(start / 64, (start + size - 1) / 64, "size {size}");
                    }
                    // SAFETY: a fresh cell, freed once.
                    unsafe { free_cell(cell) };
                }
            }
        })
        .join()
        .unwrap();
    }

    #[test]
    fn large_or_overaligned_layouts_are_refused() {
        assert!(alloc_cell(Layout::from_size_align(MAX_CELL + 1, 8).unwrap()).is_none());
        assert!(alloc_cell(Layout::from_size_align(64, 128).unwrap()).is_none());
    }
}
