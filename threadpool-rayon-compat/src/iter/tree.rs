//! Recursive sources: [`split`] (data cut by a user's splitter) and the
//! tree walks [`walk_tree_prefix`], [`walk_tree_postfix`], [`walk_tree`].
//!
//! Neither knows its length, so a piece reports a *width* that halves at
//! every split: it tells the bridge how much splitting is left (and keeps
//! the pieces' positions ordered), not how many items there are. A tree
//! walk keeps a forest of subtrees to visit in order: a forest is cut
//! between its trees; a single tree is cut between its root and its
//! children's subtrees, which keeps prefix (root first) or postfix (root
//! last) order.

use super::ParallelIterator;
use super::pieces::{Piece, PieceCallback};

/// The width of a whole source: halved at each split, so that at most
/// about 2^40 pieces are ever made.
const WIDTH: usize = 1 << 40;

/// The pieces of `data` as cut by `splitter`; from [`split`].
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::split;
/// use threadpool_rayon_compat::prelude::*;
///
/// let total: u64 = split(0..1000_u64, |r| {
///     let mid = r.start + (r.end - r.start) / 2;
///     if r.end - r.start < 10 { (r, None) } else { (r.start..mid, Some(mid..r.end)) }
/// })
/// .map(|r| r.sum::<u64>())
/// .sum();
/// assert_eq!(total, 499_500);
/// ```
#[derive(Debug, Clone)]
pub struct Split<D, S> {
    data: D,
    splitter: S,
}

/// A parallel iterator over the pieces `splitter` cuts `data` into, as
/// rayon's `iter::split`: `splitter` returns the two halves, or the data
/// and `None` when it should not be cut further. The pieces come in order
/// (left half before right).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::split;
/// use threadpool_rayon_compat::prelude::*;
///
/// let pieces: Vec<Vec<u8>> = split(vec![1_u8, 2, 3, 4], |mut v| {
///     if v.len() < 2 { return (v, None); }
///     let right = v.split_off(v.len() / 2);
///     (v, Some(right))
/// })
/// .collect();
/// assert_eq!(pieces.concat(), [1, 2, 3, 4]);
/// ```
pub fn split<D, S>(data: D, splitter: S) -> Split<D, S>
where
    D: Send,
    S: Fn(D) -> (D, Option<D>) + Sync,
{
    Split { data, splitter }
}

impl<D, S> ParallelIterator for Split<D, S>
where
    D: Send,
    S: Fn(D) -> (D, Option<D>) + Sync + Send,
{
    type Item = D;

    fn with_pieces<CB>(self, callback: CB) -> CB::Output
    where
        CB: PieceCallback<D>,
    {
        callback.callback(SplitProducer {
            data: Some(self.data),
            splitter: &self.splitter,
            width: WIDTH,
        })
    }
}

struct SplitProducer<'s, D, S> {
    data: Option<D>,
    splitter: &'s S,
    /// 1 once the splitter declined to cut (or the width ran out).
    width: usize,
}

impl<D, S> Piece for SplitProducer<'_, D, S>
where
    D: Send,
    S: Fn(D) -> (D, Option<D>) + Sync,
{
    type Item = D;
    type IntoIter = std::option::IntoIter<D>;

    fn len(&self) -> usize {
        if self.data.is_some() { self.width } else { 0 }
    }

    fn split_at(self, _: usize) -> (Self, Self) {
        let splitter = self.splitter;
        let Some(data) = self.data else {
            let none = || SplitProducer {
                data: None,
                splitter,
                width: 0,
            };
            return (none(), none());
        };
        match splitter(data) {
            (left, Some(right)) => (
                SplitProducer {
                    data: Some(left),
                    splitter,
                    width: self.width / 2,
                },
                SplitProducer {
                    data: Some(right),
                    splitter,
                    width: self.width - self.width / 2,
                },
            ),
            (whole, None) => (
                SplitProducer {
                    data: Some(whole),
                    splitter,
                    width: 1,
                },
                SplitProducer {
                    data: None,
                    splitter,
                    width: 0,
                },
            ),
        }
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

/// A subtree still to visit: whole, or its root alone (its children were
/// split off into another piece).
enum Node<S> {
    Whole(S),
    Alone(S),
}

/// Which order a walk yields.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Prefix,
    Postfix,
}

macro_rules! walk_tree_iter {
    ($(#[$doc:meta])* $name:ident, $order:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<S, B> {
            root: S,
            children_of: B,
        }

        impl<S, B, I> ParallelIterator for $name<S, B>
        where
            S: Send,
            B: Fn(&S) -> I + Send + Sync,
            I: IntoIterator<Item = S>,
        {
            type Item = S;

            fn with_pieces<CB>(self, callback: CB) -> CB::Output
            where
                CB: PieceCallback<S>,
            {
                callback.callback(TreeProducer {
                    nodes: vec![Node::Whole(self.root)],
                    children_of: &self.children_of,
                    width: WIDTH,
                    order: $order,
                })
            }
        }
    };
}

walk_tree_iter!(
    /// The nodes of a tree, each before its children; from
    /// [`walk_tree_prefix`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::walk_tree_prefix;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = walk_tree_prefix(1_u32, |n| if *n < 4 { vec![n * 2, n * 2 + 1] } else { vec![] }).collect();
    /// assert_eq!(v, [1, 2, 4, 5, 3, 6, 7]);
    /// ```
    WalkTreePrefix,
    Order::Prefix
);

walk_tree_iter!(
    /// The nodes of a tree, each after its children; from
    /// [`walk_tree_postfix`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::walk_tree_postfix;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u32> = walk_tree_postfix(1_u32, |n| if *n < 4 { vec![n * 2, n * 2 + 1] } else { vec![] }).collect();
    /// assert_eq!(v, [4, 5, 2, 6, 7, 3, 1]);
    /// ```
    WalkTreePostfix,
    Order::Postfix
);

walk_tree_iter!(
    /// The nodes of a tree, in no specified order; from [`walk_tree`].
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::iter::walk_tree;
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let sum: u32 = walk_tree(1_u32, |n| if *n < 64 { vec![n * 2, n * 2 + 1] } else { vec![] }).sum();
    /// assert_eq!(sum, (1..128).sum());
    /// ```
    WalkTree,
    Order::Prefix
);

/// The nodes of the tree rooted at `root`, where `children_of` gives a
/// node's children, each node before its children (and a node's children
/// in order), as rayon's `iter::walk_tree_prefix`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::walk_tree_prefix;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(walk_tree_prefix(0_u8, |n| (*n < 3).then_some(n + 1)).collect::<Vec<_>>(), [0, 1, 2, 3]);
/// ```
pub fn walk_tree_prefix<S, B, I>(root: S, children_of: B) -> WalkTreePrefix<S, B>
where
    S: Send,
    B: Fn(&S) -> I + Send + Sync,
    I: IntoIterator<Item = S>,
{
    WalkTreePrefix { root, children_of }
}

/// The nodes of the tree rooted at `root`, each node after its children,
/// as rayon's `iter::walk_tree_postfix`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::walk_tree_postfix;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(walk_tree_postfix(0_u8, |n| (*n < 3).then_some(n + 1)).collect::<Vec<_>>(), [3, 2, 1, 0]);
/// ```
pub fn walk_tree_postfix<S, B, I>(root: S, children_of: B) -> WalkTreePostfix<S, B>
where
    S: Send,
    B: Fn(&S) -> I + Send + Sync,
    I: IntoIterator<Item = S>,
{
    WalkTreePostfix { root, children_of }
}

/// The nodes of the tree rooted at `root`, in no specified order, as
/// rayon's `iter::walk_tree`.
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::iter::walk_tree;
/// use threadpool_rayon_compat::prelude::*;
///
/// assert_eq!(walk_tree(0_u8, |n| (*n < 3).then_some(n + 1)).count(), 4);
/// ```
pub fn walk_tree<S, B, I>(root: S, children_of: B) -> WalkTree<S, B>
where
    S: Send,
    B: Fn(&S) -> I + Send + Sync,
    I: IntoIterator<Item = S>,
{
    WalkTree { root, children_of }
}

/// A forest of subtrees to visit, in order.
struct TreeProducer<'b, S, B> {
    nodes: Vec<Node<S>>,
    children_of: &'b B,
    width: usize,
    order: Order,
}

impl<'b, S, B, I> Piece for TreeProducer<'b, S, B>
where
    S: Send,
    B: Fn(&S) -> I + Sync,
    I: IntoIterator<Item = S>,
{
    type Item = S;
    type IntoIter = TreeIter<'b, S, B>;

    fn len(&self) -> usize {
        match self.nodes.as_slice() {
            [] => 0,
            [Node::Alone(_)] => 1,
            _ => self.width,
        }
    }

    fn split_at(mut self, _: usize) -> (Self, Self) {
        let piece = |nodes, width| TreeProducer {
            nodes,
            children_of: self.children_of,
            width,
            order: self.order,
        };
        let (left_width, right_width) = (self.width / 2, self.width - self.width / 2);
        if self.nodes.len() >= 2 {
            let right = self.nodes.split_off(self.nodes.len() / 2);
            return (piece(self.nodes, left_width), piece(right, right_width));
        }
        match self.nodes.pop() {
            Some(Node::Whole(root)) => {
                let children: Vec<Node<S>> = (self.children_of)(&root)
                    .into_iter()
                    .map(Node::Whole)
                    .collect();
                let root = vec![Node::Alone(root)];
                match self.order {
                    _ if children.is_empty() => (piece(root, 1), piece(Vec::new(), 0)),
                    Order::Prefix => (piece(root, left_width), piece(children, right_width)),
                    Order::Postfix => (piece(children, left_width), piece(root, right_width)),
                }
            }
            alone => (piece(alone.into_iter().collect(), 1), piece(Vec::new(), 0)),
        }
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        let mut nodes = self.nodes;
        nodes.reverse();
        TreeIter {
            pending: nodes,
            stack: Vec::new(),
            children_of: self.children_of,
            order: self.order,
        }
    }
}

/// The sequential walk of a forest.
struct TreeIter<'b, S, B> {
    /// The trees not yet started, last first.
    pending: Vec<Node<S>>,
    /// Postfix only: the nodes being visited, with their children not yet
    /// visited.
    stack: Vec<(S, std::vec::IntoIter<S>)>,
    children_of: &'b B,
    order: Order,
}

impl<S, B, I> TreeIter<'_, S, B>
where
    B: Fn(&S) -> I,
    I: IntoIterator<Item = S>,
{
    fn children(&self, node: &S) -> Vec<S> {
        (self.children_of)(node).into_iter().collect()
    }
}

impl<S, B, I> Iterator for TreeIter<'_, S, B>
where
    B: Fn(&S) -> I,
    I: IntoIterator<Item = S>,
{
    type Item = S;

    fn next(&mut self) -> Option<S> {
        match self.order {
            Order::Prefix => match self.pending.pop()? {
                Node::Alone(node) => Some(node),
                Node::Whole(node) => {
                    let children = self.children(&node);
                    self.pending
                        .extend(children.into_iter().rev().map(Node::Whole));
                    Some(node)
                }
            },
            Order::Postfix => loop {
                if let Some((_, children)) = self.stack.last_mut() {
                    if let Some(child) = children.next() {
                        let grandchildren = self.children(&child).into_iter();
                        self.stack.push((child, grandchildren));
                        continue;
                    }
                    return self.stack.pop().map(|(node, _)| node);
                }
                match self.pending.pop()? {
                    Node::Alone(node) => return Some(node),
                    Node::Whole(node) => {
                        let children = self.children(&node).into_iter();
                        self.stack.push((node, children));
                    }
                }
            },
        }
    }
}
