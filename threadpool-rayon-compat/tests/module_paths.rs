//! Code that names rayon's iterator types by their module paths
//! (`rayon::vec::IntoIter<T>`, `rayon::range::Iter<usize>`, the
//! `collections` submodules, `rayon::iter::MultiZip`, ...) compiles against
//! this crate with only the crate name changed, and gives rayon's results:
//! the same body is compiled once against each crate.

/// Defines each function twice, in `compat` (with `krate` naming this
/// crate) and in `rayon_twin` (naming rayon), and a test per function
/// comparing the two.
macro_rules! both {
    ($($name:ident => $body:block)*) => {
        #[allow(unused_imports)]
        mod compat {
            use threadpool_rayon_compat as krate;
            use krate::prelude::*;
            use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
            $(pub fn $name() -> String $body)*
        }
        #[allow(unused_imports)]
        mod rayon_twin {
            use rayon as krate;
            use krate::prelude::*;
            use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
            $(pub fn $name() -> String $body)*
        }
        $(
            #[test]
            fn $name() {
                assert_eq!(compat::$name(), rayon_twin::$name());
            }
        )*
    };
}

/// Sorted, so that unordered sources compare equal.
fn sorted<T: Ord + std::fmt::Debug>(mut items: Vec<T>) -> String {
    items.sort();
    format!("{items:?}")
}

both! {
    vec_into_iter_and_drain => {
        let it: krate::vec::IntoIter<u32> = vec![1, 2, 3].into_par_iter();
        let mut v = vec![1, 2, 3, 4];
        let drained: krate::vec::Drain<'_, u32> = v.par_drain(1..3);
        format!("{:?} {:?} {v:?}", it.collect::<Vec<_>>(), drained.collect::<Vec<_>>())
    }
    array_into_iter => {
        let it: krate::array::IntoIter<u32, 3> = [1, 2, 3].into_par_iter();
        format!("{:?}", it.map(|x| x * 2).collect::<Vec<_>>())
    }
    option_iters => {
        let mut x = Some(4);
        let it: krate::option::Iter<'_, u32> = x.par_iter();
        let n = it.count();
        let it: krate::option::IterMut<'_, u32> = x.par_iter_mut();
        it.for_each(|v| *v += 1);
        let it: krate::option::IntoIter<u32> = x.into_par_iter();
        format!("{n} {:?}", it.collect::<Vec<_>>())
    }
    result_iters => {
        let mut x: Result<u32, String> = Ok(4);
        let it: krate::result::Iter<'_, u32> = x.par_iter();
        let n = it.count();
        let it: krate::result::IterMut<'_, u32> = x.par_iter_mut();
        it.for_each(|v| *v += 1);
        let it: krate::result::IntoIter<u32> = x.into_par_iter();
        format!("{n} {:?}", it.collect::<Vec<_>>())
    }
    ranges => {
        let a: krate::range::Iter<usize> = (0..100).into_par_iter();
        let b: krate::range::Iter<i64> = (-5..5).into_par_iter();
        let c: krate::range::Iter<char> = ('a'..'e').into_par_iter();
        let d: krate::range_inclusive::Iter<u8> = (0..=255).into_par_iter();
        let e: krate::range_inclusive::Iter<char> = ('x'..='z').into_par_iter();
        format!(
            "{} {} {} {} {}",
            a.sum::<usize>(),
            b.sum::<i64>(),
            c.collect::<String>(),
            d.count(),
            e.collect::<String>()
        )
    }
    string_drain => {
        let mut s = String::from("hello world");
        let it: krate::string::Drain<'_> = s.par_drain(..6);
        format!("{:?} {s:?}", it.collect::<String>())
    }
    binary_heap => {
        let mut heap = BinaryHeap::from(vec![3, 1, 2]);
        let a: krate::collections::binary_heap::Iter<'_, u32> = heap.par_iter();
        let a = crate::sorted(a.copied().collect());
        let b: krate::collections::binary_heap::Drain<'_, u32> = heap.par_drain();
        let b = crate::sorted(b.collect());
        let c: krate::collections::binary_heap::IntoIter<u32> = BinaryHeap::from(vec![5, 4]).into_par_iter();
        format!("{a} {b} {} {}", crate::sorted(c.collect()), heap.len())
    }
    btree_map => {
        let mut map = BTreeMap::from([(1, 10), (2, 20)]);
        let a: krate::collections::btree_map::Iter<'_, i32, i32> = map.par_iter();
        let a = format!("{:?}", a.collect::<Vec<_>>());
        let b: krate::collections::btree_map::IterMut<'_, i32, i32> = map.par_iter_mut();
        b.for_each(|(_, v)| *v += 1);
        let c: krate::collections::btree_map::IntoIter<i32, i32> = map.into_par_iter();
        format!("{a} {:?}", c.collect::<Vec<_>>())
    }
    btree_set => {
        let set = BTreeSet::from([3, 1, 2]);
        let a: krate::collections::btree_set::Iter<'_, u32> = set.par_iter();
        let a = format!("{:?}", a.collect::<Vec<_>>());
        let b: krate::collections::btree_set::IntoIter<u32> = set.into_par_iter();
        format!("{a} {:?}", b.collect::<Vec<_>>())
    }
    hash_map => {
        let mut map = HashMap::from([(1, 10), (2, 20), (3, 30)]);
        let a: krate::collections::hash_map::Iter<'_, i32, i32> = map.par_iter();
        let a = crate::sorted(a.map(|(k, v)| (*k, *v)).collect());
        let b: krate::collections::hash_map::IterMut<'_, i32, i32> = map.par_iter_mut();
        b.for_each(|(_, v)| *v += 1);
        let c: krate::collections::hash_map::Drain<'_, i32, i32> = map.par_drain();
        let c = crate::sorted(c.collect());
        let d: krate::collections::hash_map::IntoIter<i32, i32> = HashMap::from([(9, 9)]).into_par_iter();
        format!("{a} {c} {} {}", crate::sorted(d.collect()), map.len())
    }
    hash_set => {
        let mut set = HashSet::from([3, 1, 2]);
        let a: krate::collections::hash_set::Iter<'_, u32> = set.par_iter();
        let a = crate::sorted(a.copied().collect());
        let b: krate::collections::hash_set::Drain<'_, u32> = set.par_drain();
        let b = crate::sorted(b.collect());
        let c: krate::collections::hash_set::IntoIter<u32> = HashSet::from([7]).into_par_iter();
        format!("{a} {b} {} {}", crate::sorted(c.collect()), set.len())
    }
    linked_list => {
        let mut list = LinkedList::from([1, 2, 3]);
        let a: krate::collections::linked_list::Iter<'_, u32> = list.par_iter();
        let a = format!("{:?}", a.collect::<Vec<_>>());
        let b: krate::collections::linked_list::IterMut<'_, u32> = list.par_iter_mut();
        b.for_each(|v| *v *= 2);
        let c: krate::collections::linked_list::IntoIter<u32> = list.into_par_iter();
        format!("{a} {:?}", c.collect::<Vec<_>>())
    }
    vec_deque => {
        let mut deque = VecDeque::from([1, 2, 3, 4]);
        deque.push_front(0);
        let a: krate::collections::vec_deque::Iter<'_, u32> = deque.par_iter();
        let a = format!("{:?}", a.collect::<Vec<_>>());
        let b: krate::collections::vec_deque::IterMut<'_, u32> = deque.par_iter_mut();
        b.for_each(|v| *v *= 2);
        let c: krate::collections::vec_deque::Drain<'_, u32> = deque.par_drain(1..3);
        let c = format!("{:?}", c.collect::<Vec<_>>());
        let d: krate::collections::vec_deque::IntoIter<u32> = deque.into_par_iter();
        format!("{a} {c} {:?}", d.collect::<Vec<_>>())
    }
    iter_multizip => {
        let (a, b) = (vec![1, 2, 3], vec![4, 5, 6]);
        let z: krate::iter::MultiZip<(krate::slice::Iter<'_, i32>, krate::slice::Iter<'_, i32>)> =
            (&a, &b).into_par_iter();
        format!("{:?}", z.map(|(x, y)| x * y).collect::<Vec<_>>())
    }
}
