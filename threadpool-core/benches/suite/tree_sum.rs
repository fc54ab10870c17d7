//! The binary-tree sum of the heartbeat-scheduling literature: a perfect
//! binary tree whose nodes hold numbers, summed with a `join` at every node.
//! Two sizes: 1,023 nodes (a fork costs as much as the work it forks) and
//! 16,777,215 nodes (memory-bound). ns per node, `PoolHandle::join` and
//! `Worker::join` vs rayon's `join` and a plain recursive sum, on the
//! suite's workers and on one worker.

use std::hint::black_box;
use std::time::Instant;

use threadpool_core::{PoolHandle, ThreadPoolBuilder, Worker};

use super::{Config, Samples, interleave, ns_per, rayon_pool};

/// No child.
const NONE: u32 = u32::MAX;

/// A node of the tree, in an arena: children by index.
struct Node {
    value: i64,
    left: u32,
    right: u32,
}

/// A perfect binary tree of `depth` levels (`2^depth - 1` nodes), laid out
/// in pre-order as a recursive builder would allocate it.
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn new(depth: u32) -> Tree {
        let mut nodes = Vec::with_capacity((1_usize << depth) - 1);
        fn build(nodes: &mut Vec<Node>, depth: u32) -> u32 {
            if depth == 0 {
                return NONE;
            }
            let index = nodes.len();
            nodes.push(Node {
                value: (index as i64 % 1_000) - 500,
                left: NONE,
                right: NONE,
            });
            let left = build(nodes, depth - 1);
            let right = build(nodes, depth - 1);
            nodes[index].left = left;
            nodes[index].right = right;
            index as u32
        }
        build(&mut nodes, depth);
        Tree { nodes }
    }

    fn len(&self) -> u64 {
        self.nodes.len() as u64
    }

    fn sum_sequential(&self, index: u32) -> i64 {
        if index == NONE {
            return 0;
        }
        let node = &self.nodes[index as usize];
        node.value + self.sum_sequential(node.left) + self.sum_sequential(node.right)
    }

    fn sum_core(&self, pool: &PoolHandle, index: u32) -> i64 {
        if index == NONE {
            return 0;
        }
        let node = &self.nodes[index as usize];
        let (a, b) = pool.join(
            || self.sum_core(pool, node.left),
            || self.sum_core(pool, node.right),
        );
        node.value + a + b
    }

    fn sum_worker(&self, worker: Worker<'_>, index: u32) -> i64 {
        if index == NONE {
            return 0;
        }
        let node = &self.nodes[index as usize];
        let (a, b) = worker.join(
            |w| self.sum_worker(w, node.left),
            |w| self.sum_worker(w, node.right),
        );
        node.value + a + b
    }

    fn sum_rayon(&self, index: u32) -> i64 {
        if index == NONE {
            return 0;
        }
        let node = &self.nodes[index as usize];
        let (a, b) = rayon::join(|| self.sum_rayon(node.left), || self.sum_rayon(node.right));
        node.value + a + b
    }
}

const OURS: &str = "threadpool-core-join";
const OURS_WORKER: &str = "threadpool-core-worker-join";

pub(super) fn tree_sum(config: &Config) {
    for (depth, label) in [(10, "1k"), (24, "16m")] {
        let tree = Tree::new(depth);
        let expected = tree.sum_sequential(0);
        // The small tree is summed many times per sample, so that a sample
        // lasts long enough to time.
        let repeat = if depth == 10 {
            config.size(20_000_u64, 5_000)
        } else {
            1
        };
        for workers in [config.workers, 1] {
            let core = ThreadPoolBuilder::new()
                .num_workers(workers)
                .build_handle()
                .expect("pool starts");
            let rayon = rayon_pool(workers);
            let scenario = if workers == 1 {
                format!("tree_sum/{label}/1worker")
            } else {
                format!("tree_sum/{label}")
            };
            let mut samples = Samples::new(&scenario, "ns/node");
            let implementations = [OURS, OURS_WORKER, "rayon-join", "sequential"];
            interleave(config.rounds(9, 3), &implementations, |implementation| {
                let started = Instant::now();
                let mut total = 0_i64;
                for _ in 0..repeat {
                    total += match implementation {
                        OURS => core.install(|| tree.sum_core(&core, black_box(0))),
                        OURS_WORKER => core.with_worker(|w| tree.sum_worker(w, black_box(0))),
                        "rayon-join" => rayon.install(|| tree.sum_rayon(black_box(0))),
                        _ => tree.sum_sequential(black_box(0)),
                    };
                }
                let elapsed = started.elapsed();
                assert_eq!(
                    total,
                    expected * repeat as i64,
                    "{implementation}: wrong sum"
                );
                samples.push(implementation, ns_per(elapsed, tree.len() * repeat));
            });
            core.shutdown();
            samples.report(&[OURS, OURS_WORKER], &["rayon-join", "sequential"]);
        }
    }
}
