// A parallel iterator, an unindexed producer and a consumer written
// against rayon's plumbing; `tests/plumbing.rs` compiles this file against
// rayon's traits and against this crate's, and compares the results. It
// names nothing from either crate itself.

/// The squares of `start..end`: an indexed iterator with its own producer.
pub struct Squares {
    pub start: usize,
    pub end: usize,
}

impl ParallelIterator for Squares {
    type Item = usize;

    fn drive_unindexed<C: UnindexedConsumer<usize>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.end - self.start)
    }
}

impl IndexedParallelIterator for Squares {
    fn len(&self) -> usize {
        self.end - self.start
    }

    fn drive<C: Consumer<usize>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }

    fn with_producer<CB: ProducerCallback<usize>>(self, callback: CB) -> CB::Output {
        callback.callback(SquaresProducer(self.start..self.end))
    }
}

pub struct SquaresProducer(std::ops::Range<usize>);

fn square(n: usize) -> usize {
    n * n
}

impl Producer for SquaresProducer {
    type Item = usize;
    type IntoIter = std::iter::Map<std::ops::Range<usize>, fn(usize) -> usize>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.map(square as fn(usize) -> usize)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let mid = self.0.start + index;
        (SquaresProducer(self.0.start..mid), SquaresProducer(mid..self.0.end))
    }
}

/// The leaves of a binary tree of ranges: an unindexed iterator.
pub struct Leaves(pub std::ops::Range<usize>);

struct LeavesProducer(std::ops::Range<usize>);

impl UnindexedProducer for LeavesProducer {
    type Item = usize;

    fn split(self) -> (Self, Option<Self>) {
        let r = self.0;
        if r.end - r.start < 64 {
            return (LeavesProducer(r), None);
        }
        let mid = r.start + (r.end - r.start) / 2;
        (LeavesProducer(r.start..mid), Some(LeavesProducer(mid..r.end)))
    }

    fn fold_with<F: Folder<usize>>(self, folder: F) -> F {
        folder.consume_iter(self.0.filter(|n| n % 3 != 0))
    }
}

impl ParallelIterator for Leaves {
    type Item = usize;

    fn drive_unindexed<C: UnindexedConsumer<usize>>(self, consumer: C) -> C::Result {
        bridge_unindexed(LeavesProducer(self.0), consumer)
    }
}

/// Keeps the largest item and its count of appearances; stops once it has
/// seen `limit` items in a piece (a consumer that can be full).
pub struct MaxCount {
    pub limit: usize,
}

pub struct MaxCountFolder {
    best: Option<usize>,
    seen: usize,
    limit: usize,
}

pub struct MaxCountReducer;

impl Consumer<usize> for MaxCount {
    type Folder = MaxCountFolder;
    type Reducer = MaxCountReducer;
    type Result = (Option<usize>, usize);

    fn split_at(self, _: usize) -> (Self, Self, MaxCountReducer) {
        (MaxCount { limit: self.limit }, MaxCount { limit: self.limit }, MaxCountReducer)
    }

    fn into_folder(self) -> MaxCountFolder {
        MaxCountFolder { best: None, seen: 0, limit: self.limit }
    }

    fn full(&self) -> bool {
        false
    }
}

impl UnindexedConsumer<usize> for MaxCount {
    fn split_off_left(&self) -> Self {
        MaxCount { limit: self.limit }
    }

    fn to_reducer(&self) -> MaxCountReducer {
        MaxCountReducer
    }
}

impl Folder<usize> for MaxCountFolder {
    type Result = (Option<usize>, usize);

    fn consume(mut self, item: usize) -> Self {
        self.best = Some(self.best.map_or(item, |b| b.max(item)));
        self.seen += 1;
        self
    }

    fn complete(self) -> (Option<usize>, usize) {
        (self.best, self.seen)
    }

    fn full(&self) -> bool {
        self.seen >= self.limit
    }
}

impl Reducer<(Option<usize>, usize)> for MaxCountReducer {
    fn reduce(self, left: (Option<usize>, usize), right: (Option<usize>, usize)) -> (Option<usize>, usize) {
        let best = match (left.0, right.0) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        (best, left.1 + right.1)
    }
}

/// Everything the test compares, computed with this file's crate.
pub fn results(n: usize) -> Vec<String> {
    vec![
        format!("{:?}", Squares { start: 0, end: n }.collect::<Vec<_>>()),
        format!("{:?}", Squares { start: 3, end: n + 3 }.rev().skip(2).collect::<Vec<_>>()),
        format!("{}", Squares { start: 0, end: n }.zip(0..n).map(|(s, i)| s - i).sum::<usize>()),
        format!("{:?}", Squares { start: 0, end: n }.enumerate().filter(|(i, _)| i % 5 == 0).map(|(_, s)| s).collect::<Vec<_>>()),
        format!("{:?}", Leaves(0..n * 7).collect::<Vec<_>>()),
        format!("{}", Leaves(0..n * 7).map(|x| x % 11).sum::<usize>()),
        format!("{:?}", Leaves(0..n * 7).find_first(|x| *x > n)),
        format!("{:?}", (0..n).into_par_iter().map(|x| x * 3).drive_unindexed(MaxCount { limit: usize::MAX })),
        format!("{:?}", (0..n).into_par_iter().filter(|x| x % 2 == 0).drive_unindexed(MaxCount { limit: usize::MAX })),
        format!("{:?}", (0..n).into_par_iter().drive(MaxCount { limit: usize::MAX })),
        format!("{:?}", Squares { start: 0, end: n }.drive_unindexed(MaxCount { limit: usize::MAX })),
        format!("{:?}", Leaves(0..n).drive_unindexed(MaxCount { limit: usize::MAX })),
    ]
}
