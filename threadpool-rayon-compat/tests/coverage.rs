//! The coverage table in the README against the list of rayon 1.12's
//! public items below: every item appears in the table exactly once, with a
//! valid status, and the summary line's counts are the table's. Adding an
//! item here without a row there (or the reverse) fails the test.

use std::collections::BTreeMap;

/// rayon 1.12's public API, as probed: traits, their methods, the `iter`
/// functions, sources and collect/extend targets, the crate-root functions
/// and the pool types and methods.
const RAYON_ITEMS: &[&str] = &[
    // Already covered before: the core traits, adaptors, consumers and pools
    "ParallelIterator",
    "IndexedParallelIterator",
    "IntoParallelIterator",
    "IntoParallelRefIterator",
    "IntoParallelRefMutIterator",
    "FromParallelIterator",
    "ParallelSlice",
    "ParallelSliceMut",
    "ParallelIterator::for_each",
    "ParallelIterator::map",
    "ParallelIterator::filter",
    "ParallelIterator::filter_map",
    "ParallelIterator::cloned",
    "ParallelIterator::copied",
    "ParallelIterator::fold",
    "ParallelIterator::reduce",
    "ParallelIterator::reduce_with",
    "ParallelIterator::sum",
    "ParallelIterator::product",
    "ParallelIterator::count",
    "ParallelIterator::min",
    "ParallelIterator::max",
    "ParallelIterator::min_by_key",
    "ParallelIterator::max_by_key",
    "ParallelIterator::any",
    "ParallelIterator::all",
    "ParallelIterator::find_any",
    "ParallelIterator::collect",
    "ParallelIterator::opt_len",
    "IndexedParallelIterator::len",
    "IndexedParallelIterator::enumerate",
    "IndexedParallelIterator::zip",
    "ParallelSlice::as_parallel_slice",
    "ParallelSlice::par_chunks",
    "ParallelSliceMut::as_parallel_slice_mut",
    "ParallelSliceMut::par_chunks_mut",
    "IntoParallelIterator<Vec>",
    "IntoParallelIterator<&[T]>",
    "IntoParallelIterator<&mut",
    "[T]>",
    "IntoParallelIterator<Range>",
    "IntoParallelIterator<RangeInclusive>",
    "FromParallelIterator<Vec>",
    "FromParallelIterator<HashMap>",
    "FromParallelIterator<BTreeMap>",
    "FromParallelIterator<HashSet>",
    "FromParallelIterator<BTreeSet>",
    "FromParallelIterator<()>",
    "join",
    "scope",
    "spawn",
    "current_num_threads",
    "ThreadPool",
    "ThreadPoolBuilder",
    "ThreadPoolBuildError",
    "Scope",
    "Scope::spawn",
    "ThreadPoolBuilder::new",
    "ThreadPoolBuilder::num_threads",
    "ThreadPoolBuilder::stack_size",
    "ThreadPoolBuilder::build",
    "ThreadPoolBuilder::build_global",
    "ThreadPool::install",
    "ThreadPool::join",
    "ThreadPool::scope",
    "ThreadPool::spawn",
    "ThreadPool::current_num_threads",
    // 1. Parallel sorts
    "ParallelSliceMut::par_sort",
    "ParallelSliceMut::par_sort_by",
    "ParallelSliceMut::par_sort_by_key",
    "ParallelSliceMut::par_sort_by_cached_key",
    "ParallelSliceMut::par_sort_unstable",
    "ParallelSliceMut::par_sort_unstable_by",
    "ParallelSliceMut::par_sort_unstable_by_key",
    // 2. Fallible pipelines
    "ParallelIterator::try_for_each",
    "ParallelIterator::try_for_each_with",
    "ParallelIterator::try_for_each_init",
    "ParallelIterator::try_reduce",
    "ParallelIterator::try_reduce_with",
    "ParallelIterator::try_fold",
    "ParallelIterator::try_fold_with",
    "FromParallelIterator<Result>",
    "FromParallelIterator<Option>",
    // 3. `ParallelString`
    "ParallelString",
    "ParallelString::as_parallel_string",
    "ParallelString::par_chars",
    "ParallelString::par_char_indices",
    "ParallelString::par_bytes",
    "ParallelString::par_encode_utf16",
    "ParallelString::par_split",
    "ParallelString::par_split_inclusive",
    "ParallelString::par_split_terminator",
    "ParallelString::par_lines",
    "ParallelString::par_split_whitespace",
    "ParallelString::par_split_ascii_whitespace",
    "ParallelString::par_matches",
    "ParallelString::par_match_indices",
    // 4. Indexed adaptors and consumers
    "IndexedParallelIterator::rev",
    "IndexedParallelIterator::step_by",
    "IndexedParallelIterator::skip",
    "IndexedParallelIterator::take",
    "IndexedParallelIterator::chunks",
    "IndexedParallelIterator::fold_chunks",
    "IndexedParallelIterator::fold_chunks_with",
    "IndexedParallelIterator::with_min_len",
    "IndexedParallelIterator::with_max_len",
    "IndexedParallelIterator::by_exponential_blocks",
    "IndexedParallelIterator::by_uniform_blocks",
    "IndexedParallelIterator::zip_eq",
    "IndexedParallelIterator::interleave",
    "IndexedParallelIterator::interleave_shortest",
    "IndexedParallelIterator::cmp",
    "IndexedParallelIterator::partial_cmp",
    "IndexedParallelIterator::eq",
    "IndexedParallelIterator::ne",
    "IndexedParallelIterator::lt",
    "IndexedParallelIterator::le",
    "IndexedParallelIterator::gt",
    "IndexedParallelIterator::ge",
    "IndexedParallelIterator::collect_into_vec",
    "IndexedParallelIterator::unzip_into_vecs",
    "IndexedParallelIterator::position_any",
    "IndexedParallelIterator::position_first",
    "IndexedParallelIterator::position_last",
    "IndexedParallelIterator::position",
    "IndexedParallelIterator::positions",
    // 5. Flattening and chaining
    "ParallelIterator::flat_map",
    "ParallelIterator::flat_map_iter",
    "ParallelIterator::flatten",
    "ParallelIterator::flatten_iter",
    "ParallelIterator::chain",
    // 6. Searches
    "ParallelIterator::find_first",
    "ParallelIterator::find_last",
    "ParallelIterator::find_map_any",
    "ParallelIterator::find_map_first",
    "ParallelIterator::find_map_last",
    "ParallelIterator::find",
    "ParallelIterator::min_by",
    "ParallelIterator::max_by",
    "ParallelIterator::while_some",
    "ParallelIterator::take_any",
    "ParallelIterator::skip_any",
    "ParallelIterator::take_any_while",
    "ParallelIterator::skip_any_while",
    // 7. Collections: `par_extend`, `collect` targets, `unzip`, `partition`
    "ParallelExtend",
    "ParallelExtend<Vec>",
    "ParallelExtend<String>",
    "ParallelExtend<HashMap>",
    "ParallelExtend<BTreeMap>",
    "ParallelExtend<HashSet>",
    "ParallelExtend<BTreeSet>",
    "ParallelExtend<VecDeque>",
    "ParallelExtend<LinkedList>",
    "ParallelExtend<BinaryHeap>",
    "ParallelExtend<()>",
    "ParallelExtend<(A,B)>",
    "ParallelExtend<Either>",
    "FromParallelIterator<Box<[T]>>",
    "FromParallelIterator<Rc<[T]>>",
    "FromParallelIterator<Arc<[T]>>",
    "FromParallelIterator<VecDeque>",
    "FromParallelIterator<BinaryHeap>",
    "FromParallelIterator<LinkedList>",
    "FromParallelIterator<Cow>",
    "FromParallelIterator<Box<str>>",
    "FromParallelIterator<String>",
    "FromParallelIterator<(A,B)>",
    "FromParallelIterator<Either>",
    "ParallelIterator::unzip",
    "ParallelIterator::partition",
    "ParallelIterator::partition_map",
    "ParallelIterator::collect_vec_list",
    "iter::Either",
    "ParallelExtend<OsString>",
    "FromParallelIterator<OsString>",
    // 8. Sources
    "ParallelBridge",
    "ParallelBridge::par_bridge",
    "IntoParallelIterator<Option>",
    "IntoParallelIterator<Result>",
    "IntoParallelIterator<VecDeque>",
    "IntoParallelIterator<LinkedList>",
    "IntoParallelIterator<HashMap>",
    "IntoParallelIterator<HashSet>",
    "IntoParallelIterator<BTreeMap>",
    "IntoParallelIterator<BTreeSet>",
    "IntoParallelIterator<BinaryHeap>",
    "IntoParallelIterator<Range<char>>",
    "IntoParallelIterator<RangeInclusive<char>>",
    "IntoParallelIterator<Range<u128>>",
    "IntoParallelIterator<Range<i128>>",
    "IntoParallelIterator<tuples>",
    "iter::empty",
    "iter::once",
    "iter::repeat",
    "iter::repeat_n",
    "iter::split",
    "iter::walk_tree",
    "iter::walk_tree_prefix",
    "iter::walk_tree_postfix",
    "ParallelDrainRange",
    "ParallelDrainFull",
    "ParallelSlice::par_windows",
    "ParallelSlice::par_array_windows",
    "ParallelSlice::par_split",
    "ParallelSlice::par_split_inclusive",
    "ParallelSliceMut::par_split_mut",
    "ParallelSliceMut::par_split_inclusive_mut",
    "ParallelSlice::par_chunks_exact",
    "ParallelSliceMut::par_chunks_exact_mut",
    "ParallelSlice::par_rchunks",
    "ParallelSliceMut::par_rchunks_mut",
    "ParallelSlice::par_rchunks_exact",
    "ParallelSliceMut::par_rchunks_exact_mut",
    "ParallelSlice::par_chunk_by",
    "ParallelSliceMut::par_chunk_by_mut",
    "IntoParallelIterator<[T;N]>",
    "IntoParallelIterator<Box<[T]>>",
    "iter::repeatn",
    // 9. Per-piece state and the remaining adaptors
    "ParallelIterator::map_with",
    "ParallelIterator::map_init",
    "ParallelIterator::for_each_with",
    "ParallelIterator::for_each_init",
    "ParallelIterator::inspect",
    "ParallelIterator::update",
    "ParallelIterator::fold_with",
    "ParallelIterator::panic_fuse",
    "ParallelIterator::intersperse",
    // 10. Crate root and pools
    "Scope::spawn_broadcast",
    "ScopeFifo::spawn_broadcast",
    "join_context",
    "scope_fifo",
    "spawn_fifo",
    "broadcast",
    "spawn_broadcast",
    "current_thread_index",
    "max_num_threads",
    "FnContext",
    "BroadcastContext",
    "ScopeFifo",
    "ScopeFifo::spawn_fifo",
    "ThreadPoolBuilder::thread_name",
    "ThreadPoolBuilder::panic_handler",
    "ThreadPoolBuilder::start_handler",
    "ThreadPoolBuilder::exit_handler",
    "RAYON_NUM_THREADS",
    "ThreadPool::broadcast",
    "ThreadPool::spawn_broadcast",
    "ThreadPool::current_thread_index",
    "ThreadPool::scope_fifo",
    "ThreadPool::spawn_fifo",
    "in_place_scope",
    "in_place_scope_fifo",
    "ThreadPool::in_place_scope",
    "ThreadPool::in_place_scope_fifo",
    "yield_now",
    "yield_local",
    "Yield",
    "ThreadPool::yield_now",
    "ThreadPool::yield_local",
    "ThreadPoolBuilder::build_scoped",
    "ThreadPoolBuilder::spawn_handler",
    "ThreadPoolBuilder::use_current_thread",
    "ThreadPoolBuilder::breadth_first",
    "ThreadBuilder",
    "current_thread_has_pending_tasks",
    "ThreadPool::current_thread_has_pending_tasks",
    // 11. Plumbing
    "plumbing::Producer",
    "plumbing::UnindexedProducer",
    "plumbing::Consumer",
    "plumbing::UnindexedConsumer",
    "plumbing::Folder",
    "plumbing::Reducer",
    "plumbing::ProducerCallback",
    "plumbing::bridge",
    "plumbing::bridge_producer_consumer",
    "plumbing::bridge_unindexed",
    "ParallelIterator::drive_unindexed",
    "IndexedParallelIterator::drive",
    "IndexedParallelIterator::with_producer",
];

/// The `(item, status)` rows of the README's coverage table.
fn table_rows(readme: &str) -> Vec<(String, String)> {
    let start = readme
        .find("<!-- coverage:begin")
        .expect("the README has a coverage table");
    let end = readme
        .find("<!-- coverage:end -->")
        .expect("the coverage table ends");
    readme[start..end]
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("| `")?;
            let (item, rest) = rest.split_once("` | ")?;
            let status = rest.split(" |").next()?.trim();
            Some((item.to_owned(), status.to_owned()))
        })
        .collect()
}

#[test]
fn the_readme_table_lists_every_rayon_item_once() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let rows = table_rows(&readme);
    let mut seen = BTreeMap::new();
    for (item, status) in &rows {
        assert!(
            ["yes", "partial", "no"].contains(&status.as_str()),
            "`{item}`: status `{status}`"
        );
        assert!(
            seen.insert(item.as_str(), status.as_str()).is_none(),
            "`{item}` twice in the table"
        );
    }
    let mut listed = std::collections::BTreeSet::new();
    for item in RAYON_ITEMS {
        assert!(listed.insert(*item), "`{item}` twice in the list");
        assert!(
            seen.contains_key(item),
            "`{item}` has no row in the README table"
        );
    }
    for item in seen.keys() {
        assert!(
            listed.contains(item),
            "`{item}` is in the README table but not in the list"
        );
    }
    let count = |status: &str| seen.values().filter(|s| **s == status).count();
    let summary = format!(
        "Covered: {} of {} items; partial: {}; not covered: {}.",
        count("yes"),
        RAYON_ITEMS.len(),
        count("partial"),
        count("no")
    );
    assert!(
        readme.contains(&summary),
        "the README's summary should read: {summary}"
    );
}
