//! `par_extend` and `collect` into the standard collections, `unzip`,
//! `partition`, `partition_map` and `collect_vec_list`, against rayon and
//! `std` (order kept wherever the target keeps an order).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use proptest::prelude::*;

macro_rules! agree {
    ($seq:expr, $body:expr) => {{
        let seq = $seq;
        let ours = {
            use threadpool_rayon_compat::prelude::*;
            $body
        };
        let theirs = {
            use rayon::prelude::*;
            $body
        };
        prop_assert_eq!(&ours, &seq, "ours vs std");
        prop_assert_eq!(&theirs, &seq, "rayon vs std");
    }};
}

/// `$target` extended from `$start` by `$items` (a parallel iterator
/// expression over `v`), both ways, against `Extend`.
macro_rules! extend_agrees {
    ($v:ident, $start:expr, |$w:ident| $items:expr, $seq_items:expr) => {{
        let mut seq = $start;
        seq.extend($seq_items);
        agree!(seq, {
            let mut target = $start;
            let $w = &$v;
            target.par_extend($items);
            target
        });
    }};
}

fn items() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(-100..100_i32, 0..1500)
}

/// The concatenation of OS strings, sequentially.
trait ConcatOs {
    fn concat_os(&self) -> std::ffi::OsString;
}

impl ConcatOs for Vec<std::ffi::OsString> {
    fn concat_os(&self) -> std::ffi::OsString {
        let mut all = std::ffi::OsString::new();
        for s in self {
            all.push(s);
        }
        all
    }
}

fn sorted_heap(heap: BinaryHeap<i32>) -> Vec<i32> {
    heap.into_sorted_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn par_extend_every_collection(v in items()) {
        extend_agrees!(v, vec![1, 2], |w| w.par_iter().map(|x| x * 2), v.iter().map(|x| x * 2));
        extend_agrees!(v, vec![1, 2], |w| w.par_iter().filter(|x| **x > 0).copied(), v.iter().filter(|x| **x > 0).copied());
        extend_agrees!(v, vec![1, 2], |w| w.par_iter(), v.iter());
        extend_agrees!(v, VecDeque::from([5]), |w| w.par_iter().copied(), v.iter().copied());
        extend_agrees!(v, VecDeque::from([5]), |w| w.par_iter(), v.iter());
        extend_agrees!(v, LinkedList::from([5]), |w| w.par_iter().copied(), v.iter().copied());
        extend_agrees!(v, LinkedList::from([5]), |w| w.par_iter(), v.iter());
        extend_agrees!(v, BTreeSet::from([5]), |w| w.par_iter().copied(), v.iter().copied());
        extend_agrees!(v, BTreeSet::from([5]), |w| w.par_iter(), v.iter());
        extend_agrees!(v, HashSet::from([5]), |w| w.par_iter().copied(), v.iter().copied());
        extend_agrees!(v, HashSet::from([5]), |w| w.par_iter(), v.iter());
        extend_agrees!(v, BTreeMap::from([(5, 0)]), |w| w.par_iter().enumerate().map(|(i, x)| (*x, i)), v.iter().enumerate().map(|(i, x)| (*x, i)));
        extend_agrees!(v, HashMap::from([(5, 0)]), |w| w.par_iter().enumerate().map(|(i, x)| (*x, i)), v.iter().enumerate().map(|(i, x)| (*x, i)));
        let pairs: Vec<(i32, i32)> = v.iter().map(|x| (*x, x * 3)).collect();
        extend_agrees!(pairs, BTreeMap::<i32, i32>::new(), |w| w.par_iter().map(|(k, x)| (k, x)), pairs.iter().map(|(k, x)| (k, x)));
        extend_agrees!(pairs, HashMap::<i32, i32>::new(), |w| w.par_iter().map(|(k, x)| (k, x)), pairs.iter().map(|(k, x)| (k, x)));
        let mut seq = BinaryHeap::from([5]);
        seq.extend(v.iter().copied());
        agree!(sorted_heap(seq), {
            let mut heap = BinaryHeap::from([5]);
            heap.par_extend(v.par_iter().copied());
            heap.par_extend(Vec::<i32>::new().par_iter());
            sorted_heap(heap)
        });
    }

    #[test]
    fn par_extend_strings(v in items()) {
        let chars: Vec<char> = v.iter().map(|x| char::from(b'a' + x.rem_euclid(26) as u8)).collect();
        let words: Vec<String> = v.iter().map(i32::to_string).collect();
        extend_agrees!(chars, String::from(">"), |w| w.par_iter().copied(), chars.iter().copied());
        extend_agrees!(chars, String::from(">"), |w| w.par_iter(), chars.iter());
        extend_agrees!(words, String::from(">"), |w| w.par_iter().map(String::as_str), words.iter().map(String::as_str));
        extend_agrees!(words, String::from(">"), |w| w.par_iter().cloned(), words.iter().cloned());
        extend_agrees!(words, String::from(">"), |w| w.par_iter().map(|s| s.clone().into_boxed_str()), words.iter().map(|s| s.clone().into_boxed_str()));
        extend_agrees!(words, String::from(">"), |w| w.par_iter().map(|s| Cow::from(s.as_str())), words.iter().map(|s| Cow::from(s.as_str())));
        agree!(chars.iter().collect::<String>(), chars.par_iter().collect::<String>());
        agree!(words.concat().into_boxed_str(), words.par_iter().map(String::as_str).collect::<Box<str>>());
        agree!(words.concat(), words.par_iter().map(|s| Cow::from(s.as_str())).collect::<String>());
        agree!(words.concat(), words.par_iter().map(|s| s.clone().into_boxed_str()).collect::<String>());
        agree!(Cow::<str>::Owned(chars.iter().collect()), chars.par_iter().copied().collect::<Cow<'_, str>>());
        let os: Vec<std::ffi::OsString> = words.iter().map(std::ffi::OsString::from).collect();
        agree!(os.concat_os(), os.par_iter().map(|s| s.as_os_str()).collect::<std::ffi::OsString>());
        agree!(os.concat_os(), os.par_iter().cloned().collect::<std::ffi::OsString>());
        agree!(os.concat_os(), os.par_iter().map(|s| Cow::from(s.as_os_str())).collect::<std::ffi::OsString>());
        extend_agrees!(os, std::ffi::OsString::from(">"), |w| w.par_iter().map(|s| s.as_os_str()), os.iter().map(|s| s.as_os_str()));
    }

    #[test]
    fn collect_into_every_target(v in items()) {
        agree!(v.clone().into_boxed_slice(), v.par_iter().copied().collect::<Box<[i32]>>());
        agree!(Rc::<[i32]>::from(v.clone()), v.par_iter().copied().collect::<Rc<[i32]>>());
        agree!(Arc::<[i32]>::from(v.clone()), v.par_iter().copied().collect::<Arc<[i32]>>());
        agree!(VecDeque::from(v.clone()), v.par_iter().copied().collect::<VecDeque<i32>>());
        agree!(v.iter().copied().collect::<LinkedList<i32>>(), v.par_iter().copied().collect::<LinkedList<i32>>());
        agree!(sorted_heap(v.iter().copied().collect()), sorted_heap(v.par_iter().copied().collect::<BinaryHeap<i32>>()));
        agree!(v.iter().map(|x| (*x, x.to_string())).unzip::<_, _, Vec<_>, Vec<_>>(),
            v.par_iter().map(|x| (*x, x.to_string())).collect::<(Vec<_>, Vec<_>)>());
    }

    #[test]
    fn unzip_and_partitions(v in items()) {
        agree!(v.iter().map(|x| (*x, x % 7)).unzip::<_, _, Vec<_>, BTreeSet<_>>(),
            v.par_iter().map(|x| (*x, x % 7)).unzip::<_, _, Vec<_>, BTreeSet<_>>());
        agree!(v.iter().partition::<Vec<&i32>, _>(|x| **x > 0),
            v.par_iter().partition::<Vec<_>, Vec<_>, _>(|x| **x > 0));
        agree!(v.iter().filter(|x| **x % 3 == 0).map(|x| x / 3).collect::<Vec<_>>(),
            v.par_iter().partition_map::<Vec<i32>, Vec<i32>, _, _, _>(|x| if x % 3 == 0 {
                threadpool_rayon_compat::iter::Either::Left(x / 3)
            } else {
                threadpool_rayon_compat::iter::Either::Right(*x)
            }).0);
        let list = {
            use threadpool_rayon_compat::prelude::*;
            v.par_iter().filter(|x| **x > 0).collect_vec_list()
        };
        prop_assert_eq!(list.into_iter().flatten().collect::<Vec<_>>(), v.iter().filter(|x| **x > 0).collect::<Vec<_>>());
    }
}

#[test]
fn a_panic_while_extending_leaves_the_target_unchanged_and_the_pool_usable() {
    use threadpool_rayon_compat::prelude::*;
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut target = vec![String::from("kept")];
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| {
            target.par_extend((0..10_000_u32).into_par_iter().map(|n| {
                assert!(n != 777, "extend panicked");
                n.to_string()
            }));
        })
    }));
    assert_eq!(
        *result.unwrap_err().downcast::<&str>().unwrap(),
        "extend panicked"
    );
    assert_eq!(target, ["kept"]);
    let (even, odd): (Vec<u32>, Vec<u32>) =
        pool.install(|| (0..10_u32).into_par_iter().partition(|n| n % 2 == 0));
    assert_eq!((even.len(), odd.len()), (5, 5));
}
