//! The parallel sorts behind `par_sort*`: a merge sort on the current pool.
//!
//! The slice is cut into about four leaves per worker thread; the leaves
//! are sorted in parallel with the standard library's sequential sort
//! (`sort_by` for the stable sorts, `sort_unstable_by` for the unstable
//! ones), then neighbouring runs are merged in parallel, level by level, up
//! to the whole slice. A merge of two runs is itself split in parallel: the
//! middle element of the longer run is located in the shorter one by binary
//! search, which cuts both runs and the output into two independent merges.
//! Merging is stable (of equal elements, the left run's come first), so the
//! stable sorts are stable.
//!
//! # Panics in the comparator
//!
//! A merge only *reads* the runs, bitwise-copying elements into a scratch
//! buffer that never drops anything; the buffer is copied back over the
//! runs once the whole merge has finished. If the comparator panics
//! mid-merge, the slice still holds every element exactly once (in an
//! unspecified order, as with `slice::sort_by`), the scratch copies are
//! forgotten, and the panic is resumed in the caller.

use std::cmp::Ordering;
use std::mem::MaybeUninit;

use crate::global::with_current_pool;

/// Below this many elements a slice is sorted sequentially.
const SEQUENTIAL_BELOW: usize = 4096;

/// Below this many elements (both runs together) a merge runs
/// sequentially, as does a copy back from the scratch buffer.
const SEQUENTIAL_MERGE_BELOW: usize = 8192;

/// Whether the leaves are sorted with a stable sort.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stability {
    Stable,
    Unstable,
}

/// Sorts `v` by `compare` in parallel on the current pool.
pub(crate) fn par_sort_by<T, F>(v: &mut [T], compare: &F, stability: Stability)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    let len = v.len();
    let threads = with_current_pool(|pool| pool.workers());
    if len < SEQUENTIAL_BELOW || threads < 2 || size_of::<T>() == 0 {
        sort_leaf(v, compare, stability);
        return;
    }
    let leaves = threads.next_power_of_two() * 2;
    let leaf_len = len.div_ceil(leaves).max(SEQUENTIAL_BELOW / 2);
    let mut scratch: Vec<T> = Vec::with_capacity(len);
    // The scratch buffer's length stays 0: it never owns (or drops) the
    // copies written into it.
    let scratch = &mut scratch.spare_capacity_mut()[..len];
    with_current_pool(|pool| {
        pool.install(|| sort_run(v, scratch, leaf_len, compare, stability));
    });
}

fn sort_leaf<T, F>(v: &mut [T], compare: &F, stability: Stability)
where
    F: Fn(&T, &T) -> Ordering,
{
    match stability {
        Stability::Stable => v.sort_by(compare),
        Stability::Unstable => v.sort_unstable_by(compare),
    }
}

/// Sorts `v`, using `scratch` (as long as `v`) as the merge buffer.
fn sort_run<T, F>(
    v: &mut [T],
    scratch: &mut [MaybeUninit<T>],
    leaf_len: usize,
    compare: &F,
    stability: Stability,
) where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    if v.len() <= leaf_len {
        sort_leaf(v, compare, stability);
        return;
    }
    let mid = v.len() / 2;
    {
        let (left, right) = v.split_at_mut(mid);
        let (scratch_left, scratch_right) = scratch.split_at_mut(mid);
        crate::join(
            || sort_run(left, scratch_left, leaf_len, compare, stability),
            || sort_run(right, scratch_right, leaf_len, compare, stability),
        );
    }
    let is_less = |a: &T, b: &T| compare(a, b) == Ordering::Less;
    let (left, right) = v.split_at_mut(mid);
    par_merge(left, right, scratch, &is_less);
    par_copy_back(scratch, v);
}

/// Merges the sorted runs `left` and `right` into `out` (exactly as long
/// as both), by bitwise copies: the runs keep owning their elements.
fn par_merge<T, F>(left: &mut [T], right: &mut [T], out: &mut [MaybeUninit<T>], is_less: &F)
where
    T: Send,
    F: Fn(&T, &T) -> bool + Sync,
{
    debug_assert_eq!(left.len() + right.len(), out.len());
    if out.len() < SEQUENTIAL_MERGE_BELOW || left.is_empty() || right.is_empty() {
        merge(left, right, out, is_less);
        return;
    }
    // Cut both runs so that everything in the first parts goes before
    // everything in the second ones, equal elements of `left` first.
    let (cut_left, cut_right) = if left.len() >= right.len() {
        let cut_left = left.len() / 2;
        let pivot = &left[cut_left];
        (cut_left, right.partition_point(|x| is_less(x, pivot)))
    } else {
        let cut_right = right.len() / 2;
        let pivot = &right[cut_right];
        (left.partition_point(|x| !is_less(pivot, x)), cut_right)
    };
    let (left_a, left_b) = left.split_at_mut(cut_left);
    let (right_a, right_b) = right.split_at_mut(cut_right);
    let (out_a, out_b) = out.split_at_mut(cut_left + cut_right);
    crate::join(
        || par_merge(left_a, right_a, out_a, is_less),
        || par_merge(left_b, right_b, out_b, is_less),
    );
}

/// The sequential merge of [`par_merge`].
fn merge<T, F>(left: &[T], right: &[T], out: &mut [MaybeUninit<T>], is_less: &F)
where
    F: Fn(&T, &T) -> bool,
{
    let (mut i, mut j) = (0, 0);
    let mut k = 0;
    while i < left.len() && j < right.len() {
        let take_right = is_less(&right[j], &left[i]);
        let from = if take_right { &right[j] } else { &left[i] };
        // SAFETY: a bitwise copy into scratch space that never drops it;
        // the element stays owned by its run until the copy back (see the
        // module documentation), so it is neither dropped twice nor lost.
        out[k].write(unsafe { std::ptr::read(from) });
        k += 1;
        j += usize::from(take_right);
        i += usize::from(!take_right);
    }
    for rest in [&left[i..], &right[j..]] {
        let out = &mut out[k..k + rest.len()];
        // SAFETY: `rest` and `out` are distinct allocations (a run and the
        // scratch buffer) of `rest.len()` elements each; the copies are
        // bitwise and not owned by `out`, as above.
        unsafe {
            std::ptr::copy_nonoverlapping(rest.as_ptr(), out.as_mut_ptr().cast::<T>(), rest.len());
        }
        k += rest.len();
    }
}

/// Moves the merged elements from `scratch` back over `v`, in parallel.
fn par_copy_back<T: Send>(scratch: &mut [MaybeUninit<T>], v: &mut [T]) {
    debug_assert_eq!(scratch.len(), v.len());
    if v.len() < SEQUENTIAL_MERGE_BELOW * 4 {
        // SAFETY: `scratch` holds a bitwise copy of every element of `v`
        // exactly once (a completed merge of its two runs); overwriting `v`
        // without dropping its old contents therefore leaves each element
        // owned once, by `v`. The two buffers do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(scratch.as_ptr().cast::<T>(), v.as_mut_ptr(), v.len());
        }
        return;
    }
    let mid = v.len() / 2;
    let (scratch_a, scratch_b) = scratch.split_at_mut(mid);
    let (v_a, v_b) = v.split_at_mut(mid);
    crate::join(
        || par_copy_back(scratch_a, v_a),
        || par_copy_back(scratch_b, v_b),
    );
}

/// Sorts `v` by keys computed once per element, in parallel: the keys are
/// computed in parallel, sorted (with their positions, so the sort is
/// stable) in parallel, and the permutation is then applied in place.
pub(crate) fn par_sort_by_cached_key<T, K, F>(v: &mut [T], f: F)
where
    T: Send,
    K: Ord + Send,
    F: Fn(&T) -> K + Sync,
{
    use crate::iter::{IndexedParallelIterator, IntoParallelRefMutIterator, ParallelIterator};

    if v.len() < 2 {
        return;
    }
    let mut keys: Vec<(K, usize)> = v
        .par_iter_mut()
        .enumerate()
        .map(|(i, x)| (f(x), i))
        .collect();
    par_sort_by(
        &mut keys,
        &|a: &(K, usize), b: &(K, usize)| a.cmp(b),
        Stability::Unstable,
    );
    // Apply the permutation: position `i` receives the element that was at
    // `keys[i].1`. Elements already moved away were swapped to a later
    // position, found by following the chain of earlier swaps.
    for i in 0..v.len() {
        let mut from = keys[i].1;
        while from < i {
            from = keys[from].1;
        }
        keys[i].1 = from;
        v.swap(i, from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pseudo_random(n: usize, seed: u64) -> Vec<u64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % 1000
            })
            .collect()
    }

    #[test]
    fn merge_keeps_equal_elements_of_the_left_run_first() {
        let left = [(1, 'a'), (2, 'a'), (2, 'b')];
        let right = [(0, 'c'), (2, 'c'), (3, 'c')];
        let mut out = [MaybeUninit::uninit(); 6];
        merge(
            &left,
            &right,
            &mut out,
            &|a: &(i32, char), b: &(i32, char)| a.0 < b.0,
        );
        // SAFETY: `merge` initialized all six slots (the runs' lengths add
        // up to six), and the elements are `Copy`.
        let out = out.map(|slot| unsafe { slot.assume_init() });
        assert_eq!(
            out,
            [(0, 'c'), (1, 'a'), (2, 'a'), (2, 'b'), (2, 'c'), (3, 'c')]
        );
    }

    #[test]
    fn a_large_sort_is_stable() {
        let pool = crate::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let mut v: Vec<(u64, usize)> = pseudo_random(100_000, 7).into_iter().zip(0..).collect();
        pool.install(|| {
            par_sort_by(
                &mut v,
                &|a: &(u64, usize), b: &(u64, usize)| a.0.cmp(&b.0),
                Stability::Stable,
            )
        });
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn cached_key_sort_applies_the_permutation() {
        let mut v = pseudo_random(20_000, 3);
        let mut expected = v.clone();
        expected.sort_by_key(|x| x % 17);
        par_sort_by_cached_key(&mut v, |x| x % 17);
        assert_eq!(v, expected);
    }
}
