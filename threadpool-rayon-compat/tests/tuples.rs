//! Differential tests against rayon for multizip: tuples of indexed
//! sources up to rayon's 12 elements, by value, by `&` (`par_iter`) and by
//! `&mut` (`par_iter_mut`). The same body is compiled once against each
//! crate.

macro_rules! both {
    ($($name:ident => $body:block)*) => {
        mod compat {
            use threadpool_rayon_compat::prelude::*;
            $(pub fn $name() -> String $body)*
        }
        mod rayon_twin {
            use rayon::prelude::*;
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

both! {
    seven_tuple_by_value => {
        let v: Vec<(u8, u16, u32, u64, i8, char, usize)> = (
            0..10u8,
            vec![1u16; 12],
            (0..9u32).rev().collect::<Vec<_>>(),
            (100..200u64).collect::<Vec<_>>(),
            [-1i8; 10],
            ('a'..='z').collect::<Vec<_>>(),
            (0..21usize),
        )
            .into_par_iter()
            .collect();
        format!("{v:?}")
    }
    twelve_tuple_by_value_is_as_long_as_the_shortest => {
        let v: Vec<_> = (
            0..5, 0..6, 0..7, 0..8, 0..9, 0..10, 0..11, 0..12, 0..13, 0..14, 0..15, 0..4,
        )
            .into_par_iter()
            .map(|(a, b, c, d, e, f, g, h, i, j, k, l)| a + b + c + d + e + f + g + h + i + j + k + l)
            .collect();
        format!("{v:?}")
    }
    one_tuple => {
        let v: Vec<(i32,)> = (vec![1, 2, 3],).into_par_iter().collect();
        format!("{v:?}")
    }
    pair_of_vecs_par_iter => {
        let pair = (vec![1, 2, 3], vec![10, 20, 30]);
        let dots: i32 = pair.par_iter().map(|(a, b)| a * b).sum();
        let by_ref: Vec<(&i32, &i32)> = (&pair).into_par_iter().collect();
        format!("{dots} {by_ref:?}")
    }
    triple_par_iter_mut => {
        let mut triple = (vec![1, 2, 3], vec![10, 20, 30], vec![0u8; 3]);
        triple.par_iter_mut().for_each(|(a, b, c)| {
            *a += *b;
            *c = 1;
        });
        format!("{triple:?}")
    }
    twelve_tuple_of_refs => {
        let v: Vec<u32> = (0..40).collect();
        let t = (
            v.clone(), v.clone(), v.clone(), v.clone(), v.clone(), v.clone(),
            v.clone(), v.clone(), v.clone(), v.clone(), v.clone(), v,
        );
        let sums: Vec<u32> = t
            .par_iter()
            .map(|(a, b, c, d, e, f, g, h, i, j, k, l)| a + b + c + d + e + f + g + h + i + j + k + l)
            .collect();
        format!("{sums:?}")
    }
    indexed_adaptors_on_a_multizip => {
        let z = (0..100, (0..100).rev().collect::<Vec<_>>(), vec![2; 100], 0..50)
            .into_par_iter()
            .rev()
            .skip(3)
            .step_by(7)
            .map(|(a, b, c, d)| a * c + b - d)
            .collect::<Vec<_>>();
        format!("{z:?}")
    }
}
