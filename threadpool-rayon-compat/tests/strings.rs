//! `ParallelString` against rayon and `str`'s own iterators, through the
//! pool (random text with multi-byte characters, separators at the ends).

use proptest::prelude::*;

macro_rules! all_agree {
    ($t:ident, $seq:expr, |$s:ident| $par:expr) => {{
        let ours = {
            use threadpool_rayon_compat::prelude::*;
            let $s = $t.as_str();
            $par
        };
        let theirs = {
            use rayon::prelude::*;
            let $s = $t.as_str();
            $par
        };
        let seq = {
            let $s = $t.as_str();
            $seq
        };
        prop_assert_eq!(&ours, &seq, "ours vs str");
        prop_assert_eq!(&theirs, &seq, "rayon vs str");
    }};
}

fn text() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(
        &[
            'w', 'o', 'r', 'd', ' ', ' ', ',', '\n', '\n', 'é', '😀', '\t',
        ][..],
    );
    prop::collection::vec(chars, 0..3000).prop_map(|c| c.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn characters_and_bytes(t in text()) {
        all_agree!(t, s.chars().collect::<Vec<_>>(), |s| s.par_chars().collect::<Vec<_>>());
        all_agree!(t, s.char_indices().collect::<Vec<_>>(), |s| s.par_char_indices().collect::<Vec<_>>());
        all_agree!(t, s.bytes().collect::<Vec<_>>(), |s| s.par_bytes().collect::<Vec<_>>());
        all_agree!(t, s.encode_utf16().collect::<Vec<_>>(), |s| s.par_encode_utf16().collect::<Vec<_>>());
    }

    #[test]
    fn splits(t in text()) {
        all_agree!(t, s.split(',').collect::<Vec<_>>(), |s| s.par_split(',').collect::<Vec<_>>());
        all_agree!(t, s.split(['o', 'é']).collect::<Vec<_>>(), |s| s.par_split(['o', 'é']).collect::<Vec<_>>());
        all_agree!(t, s.split(&['d', '😀'][..]).collect::<Vec<_>>(), |s| s.par_split(&['d', '😀'][..]).collect::<Vec<_>>());
        all_agree!(t, s.split(char::is_whitespace).collect::<Vec<_>>(), |s| s.par_split(char::is_whitespace).collect::<Vec<_>>());
        all_agree!(t, s.split_inclusive('\n').collect::<Vec<_>>(), |s| s.par_split_inclusive('\n').collect::<Vec<_>>());
        all_agree!(t, s.split_terminator(',').collect::<Vec<_>>(), |s| s.par_split_terminator(',').collect::<Vec<_>>());
        all_agree!(t, s.lines().collect::<Vec<_>>(), |s| s.par_lines().collect::<Vec<_>>());
        all_agree!(t, s.split_whitespace().collect::<Vec<_>>(), |s| s.par_split_whitespace().collect::<Vec<_>>());
        all_agree!(t, s.split_ascii_whitespace().collect::<Vec<_>>(), |s| s.par_split_ascii_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn matches(t in text()) {
        all_agree!(t, s.matches('o').collect::<Vec<_>>(), |s| s.par_matches('o').collect::<Vec<_>>());
        all_agree!(t, s.match_indices(|c: char| !c.is_ascii()).collect::<Vec<_>>(),
            |s| s.par_match_indices(|c: char| !c.is_ascii()).collect::<Vec<_>>());
    }

    #[test]
    fn word_count(t in text()) {
        all_agree!(t, s.lines().map(|l| l.split_whitespace().count()).sum::<usize>(),
            |s| s.par_lines().map(|l| l.split_whitespace().count()).sum::<usize>());
    }

    #[test]
    fn a_trailing_carriage_return_goes_as_in_rayon(t in text()) {
        let t = format!("{t}\r");
        let ours: Vec<&str> = {
            use threadpool_rayon_compat::prelude::*;
            t.par_lines().collect()
        };
        let theirs: Vec<&str> = {
            use rayon::prelude::*;
            t.par_lines().collect()
        };
        prop_assert_eq!(ours, theirs);
    }
}

#[test]
fn a_panic_while_splitting_lines_is_resumed_and_the_pool_survives() {
    use threadpool_rayon_compat::prelude::*;
    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let text: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| {
            text.par_lines()
                .map(|line| {
                    assert!(line != "line 4321", "bad line");
                    line.len()
                })
                .sum::<usize>()
        })
    }));
    assert_eq!(*result.unwrap_err().downcast::<&str>().unwrap(), "bad line");
    let words = pool.install(|| text.par_split_whitespace().count());
    assert_eq!(words, 20_000);
}

/// Texts of a few hundred kilobytes, longer than a piece a string is folded
/// in whole, so they are cut into many: dense separators, separators only
/// near the start (the rest cannot be cut), none at all, and multi-byte
/// characters at the cuts.
fn long_texts() -> Vec<String> {
    let dense: String = (0..60_000)
        .map(|i| match i % 7 {
            0 => "é\n",
            1 => "pool steals",
            2 => " \r\n",
            3 => "😀",
            4 => "\n\n",
            5 => "a,b",
            _ => "\tword ",
        })
        .collect();
    let sparse_then_none = format!("{}{}", "x y\n".repeat(100), "z".repeat(600_000));
    let none = "é".repeat(300_000);
    vec![dense, sparse_then_none, none]
}

#[test]
fn long_texts_cut_into_many_pieces_agree_with_str() {
    use threadpool_rayon_compat::prelude::*;

    let pool = threadpool_rayon_compat::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    for text in long_texts() {
        let t = text.as_str();
        pool.install(|| {
            assert_eq!(
                t.par_lines().collect::<Vec<_>>(),
                t.lines().collect::<Vec<_>>()
            );
            assert_eq!(
                t.par_lines()
                    .map(|line| line.split_whitespace().count())
                    .sum::<usize>(),
                t.split_whitespace().count()
            );
            assert_eq!(
                t.par_split(',').collect::<Vec<_>>(),
                t.split(',').collect::<Vec<_>>()
            );
            assert_eq!(
                t.par_split_whitespace().collect::<Vec<_>>(),
                t.split_whitespace().collect::<Vec<_>>()
            );
            assert_eq!(t.par_chars().count(), t.chars().count());
            assert_eq!(
                t.par_match_indices('\n').collect::<Vec<_>>(),
                t.match_indices('\n').collect::<Vec<_>>()
            );
        });
    }
}
