//! Parallel iterators over strings: [`ParallelString`], under rayon's
//! `rayon::str` paths.
//!
//! A string is split near its middle at a place where the sequential
//! iterator's items do not change: a character boundary (`par_chars`,
//! `par_bytes`, `par_matches`, ...) or a separator (`par_split`,
//! `par_lines`, ...), whose two sides then iterate independently. The
//! concatenation of the pieces' items is exactly the sequential iterator's
//! sequence, so `collect` gives the same `Vec` as `str::split` and friends.
//! Patterns are characters, as in rayon: a `char`, a `&[char]`, a
//! `[char; N]`, or a `Fn(char) -> bool` closure.
//!
//! # Examples
//!
//! ```
//! use threadpool_rayon_compat::prelude::*;
//!
//! let text = "one two\nthree four five\nsix";
//! let words: usize = text.par_lines().map(|line| line.split_whitespace().count()).sum();
//! assert_eq!(words, 6);
//! ```

use crate::iter::ParallelIterator;
use crate::iter::pieces::{Piece, PieceCallback};

mod private {
    /// The character patterns of [`ParallelString`](super::ParallelString)
    /// methods: `char`, `&[char]`, `[char; N]`, `&[char; N]` and
    /// `Fn(char) -> bool` closures. Not implementable outside this crate.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let text = "a-b_c d";
    /// assert_eq!(text.par_split('-').count(), 2);
    /// assert_eq!(text.par_split(['-', '_']).count(), 3);
    /// assert_eq!(text.par_split(&['-', '_', ' '][..]).count(), 4);
    /// assert_eq!(text.par_split(|c: char| !c.is_alphabetic()).count(), 4);
    /// ```
    pub trait Pattern: Sync + Send {
        /// The byte range of the first match in `haystack`.
        fn find_in(&self, haystack: &str) -> Option<(usize, usize)>;
        /// The byte range of the last match in `haystack`.
        fn rfind_in(&self, haystack: &str) -> Option<(usize, usize)>;
    }
}

pub use private::Pattern;

/// The byte range of the character that starts at `at`.
fn char_at(haystack: &str, at: usize) -> (usize, usize) {
    let len = haystack[at..].chars().next().map_or(0, char::len_utf8);
    (at, at + len)
}

macro_rules! impl_pattern {
    ($(impl$([$($g:tt)*])? for $t:ty => |$s:ident| $pattern:expr;)*) => {$(
        impl$(<$($g)*>)? Pattern for $t {
            fn find_in(&self, haystack: &str) -> Option<(usize, usize)> {
                let $s = self;
                haystack.find($pattern).map(|at| char_at(haystack, at))
            }

            fn rfind_in(&self, haystack: &str) -> Option<(usize, usize)> {
                let $s = self;
                haystack.rfind($pattern).map(|at| char_at(haystack, at))
            }
        }
    )*};
}

impl_pattern! {
    impl for char => |s| *s;
    impl for &[char] => |s| *s;
    impl[const N: usize] for [char; N] => |s| *s;
    impl[const N: usize] for &[char; N] => |s| *s;
    impl[F: Fn(char) -> bool + Sync + Send] for F => |s| |c: char| s(c);
}

/// Parallel iterators over a string's characters, bytes, pieces and
/// matches: rayon's `ParallelString`, implemented for `str` (and so, by
/// auto-deref, for `String`).
///
/// # Examples
///
/// ```
/// use threadpool_rayon_compat::prelude::*;
///
/// let csv = String::from("3,1,4,1,5");
/// let total: u32 = csv.par_split(',').map(|n| n.parse::<u32>().unwrap()).sum();
/// assert_eq!(total, 14);
/// ```
pub trait ParallelString {
    /// The string.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("abc".as_parallel_string(), "abc");
    /// ```
    fn as_parallel_string(&self) -> &str;

    /// The characters, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("hello".par_chars().max(), Some('o'));
    /// ```
    fn par_chars(&self) -> Chars<'_> {
        Chars {
            text: self.as_parallel_string(),
        }
    }

    /// The characters with their byte positions.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<(usize, char)> = "aé b".par_char_indices().collect();
    /// assert_eq!(v, "aé b".char_indices().collect::<Vec<_>>());
    /// ```
    fn par_char_indices(&self) -> CharIndices<'_> {
        CharIndices {
            text: self.as_parallel_string(),
        }
    }

    /// The bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("abc".par_bytes().map(u32::from).sum::<u32>(), 294);
    /// ```
    fn par_bytes(&self) -> Bytes<'_> {
        Bytes {
            text: self.as_parallel_string(),
        }
    }

    /// The string as UTF-16 code units.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<u16> = "a𝄞".par_encode_utf16().collect();
    /// assert_eq!(v, "a𝄞".encode_utf16().collect::<Vec<_>>());
    /// ```
    fn par_encode_utf16(&self) -> EncodeUtf16<'_> {
        EncodeUtf16 {
            text: self.as_parallel_string(),
        }
    }

    /// The pieces between matches of `separator`, as `str::split`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&str> = "a,b,,c".par_split(',').collect();
    /// assert_eq!(v, ["a", "b", "", "c"]);
    /// ```
    fn par_split<P: Pattern>(&self, separator: P) -> Split<'_, P> {
        Split {
            text: self.as_parallel_string(),
            pattern: separator,
        }
    }

    /// The pieces each ending with its match of `separator`, as
    /// `str::split_inclusive`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&str> = "a\nb\n".par_split_inclusive('\n').collect();
    /// assert_eq!(v, ["a\n", "b\n"]);
    /// ```
    fn par_split_inclusive<P: Pattern>(&self, separator: P) -> SplitInclusive<'_, P> {
        SplitInclusive {
            text: self.as_parallel_string(),
            pattern: separator,
        }
    }

    /// As [`par_split`](Self::par_split), without a trailing empty piece,
    /// as `str::split_terminator`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&str> = "a;b;".par_split_terminator(';').collect();
    /// assert_eq!(v, ["a", "b"]);
    /// ```
    fn par_split_terminator<P: Pattern>(&self, terminator: P) -> SplitTerminator<'_, P> {
        SplitTerminator {
            text: self.as_parallel_string(),
            pattern: terminator,
        }
    }

    /// The lines, without their `\n` or `\r\n`, as `str::lines`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&str> = "one\r\ntwo\n\nthree\n".par_lines().collect();
    /// assert_eq!(v, ["one", "two", "", "three"]);
    /// ```
    fn par_lines(&self) -> Lines<'_> {
        Lines {
            text: self.as_parallel_string(),
        }
    }

    /// The pieces between runs of Unicode whitespace, as
    /// `str::split_whitespace`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("  a  b\tc\n".par_split_whitespace().count(), 3);
    /// ```
    fn par_split_whitespace(&self) -> SplitWhitespace<'_> {
        SplitWhitespace {
            text: self.as_parallel_string(),
        }
    }

    /// The pieces between runs of ASCII whitespace, as
    /// `str::split_ascii_whitespace`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&str> = " x  y ".par_split_ascii_whitespace().collect();
    /// assert_eq!(v, ["x", "y"]);
    /// ```
    fn par_split_ascii_whitespace(&self) -> SplitAsciiWhitespace<'_> {
        SplitAsciiWhitespace {
            text: self.as_parallel_string(),
        }
    }

    /// The matches of `pattern`, as `str::matches`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let digits: String = "a1b2c3".par_matches(char::is_numeric).collect();
    /// assert_eq!(digits, "123");
    /// ```
    fn par_matches<P: Pattern>(&self, pattern: P) -> Matches<'_, P> {
        Matches {
            text: self.as_parallel_string(),
            pattern,
        }
    }

    /// The matches of `pattern` with their byte positions, as
    /// `str::match_indices`.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<(usize, &str)> = "a-b-c".par_match_indices('-').collect();
    /// assert_eq!(v, [(1, "-"), (3, "-")]);
    /// ```
    fn par_match_indices<P: Pattern>(&self, pattern: P) -> MatchIndices<'_, P> {
        MatchIndices {
            text: self.as_parallel_string(),
            pattern,
        }
    }
}

impl ParallelString for str {
    fn as_parallel_string(&self) -> &str {
        self
    }
}

/// How one kind of string iterator cuts a piece and iterates it; each
/// public iterator is its own kind.
trait StrKind: Sync {
    type Item<'ch>: Send;
    type Iter<'ch, 'k>: Iterator<Item = Self::Item<'ch>>
    where
        Self: 'k;

    /// Where to cut `text` near `mid`: the end of the left piece and the
    /// start of the right one; `None` if it cannot be cut.
    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)>;

    /// The items of a piece: `text` (`None` for a piece with no items),
    /// which starts at byte `offset` of the whole string and, if `last`,
    /// ends it.
    fn iter<'ch, 'k>(
        &'k self,
        text: Option<&'ch str>,
        offset: usize,
        last: bool,
    ) -> Self::Iter<'ch, 'k>;
}

/// The character boundary nearest after `mid`, or else before it; `None`
/// if only the ends are boundaries.
fn boundary_near(text: &str, mid: usize) -> Option<usize> {
    let mid = mid.min(text.len());
    let after = (mid..text.len()).find(|&i| text.is_char_boundary(i));
    let at = after.or_else(|| (1..mid).rev().find(|&i| text.is_char_boundary(i)))?;
    (at > 0 && at < text.len()).then_some(at)
}

/// A cut at a character boundary: for iterators whose items are single
/// characters or matches of one.
fn cut_at_boundary(text: &str, mid: usize) -> Option<(usize, usize)> {
    boundary_near(text, mid).map(|at| (at, at))
}

/// The match of `pattern` nearest after `mid`, or else before it.
fn match_near<P: Pattern>(pattern: &P, text: &str, mid: usize) -> Option<(usize, usize)> {
    let from = boundary_near(text, mid).unwrap_or(0);
    match pattern.find_in(&text[from..]) {
        Some((start, end)) => Some((from + start, from + end)),
        None => pattern.rfind_in(&text[..from]),
    }
}

/// The longest piece of a string folded without trying to cut it, in
/// bytes: a string is cut into pieces of at most this much (where its
/// separators allow), whatever the number of threads, so that at the end of
/// a run the threads wait on one piece at most, a few tens of microseconds
/// of scanning; the splitting budget alone leaves pieces of an eighth of
/// the string, or more, which one descheduled thread can hold up.
const MAX_PIECE_BYTES: usize = 128 * 1024;

/// A piece of a string, cut by a [`StrKind`].
struct StrProducer<'ch, 'k, K> {
    /// `None`: a piece with no items (the empty side of a failed cut).
    text: Option<&'ch str>,
    offset: usize,
    last: bool,
    kind: &'k K,
    /// The length above which this piece must be cut:
    /// [`MAX_PIECE_BYTES`], or `usize::MAX` once a cut has failed (the
    /// piece has no place to be cut).
    cut_above: usize,
}

impl<'ch, 'k, K: StrKind> Piece for StrProducer<'ch, 'k, K> {
    type Item = K::Item<'ch>;
    type IntoIter = K::Iter<'ch, 'k>;

    fn len(&self) -> usize {
        self.text.map_or(0, str::len)
    }

    fn max_len(&self) -> usize {
        self.cut_above
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let cut = self.text.and_then(|text| {
            let (left_end, right_start) = self.kind.cut(text, index)?;
            Some((&text[..left_end], &text[right_start..], right_start))
        });
        match cut {
            Some((left, right, right_start)) => (
                StrProducer {
                    text: Some(left),
                    offset: self.offset,
                    last: false,
                    kind: self.kind,
                    cut_above: self.cut_above,
                },
                StrProducer {
                    text: Some(right),
                    offset: self.offset + right_start,
                    last: self.last,
                    kind: self.kind,
                    cut_above: self.cut_above,
                },
            ),
            None => {
                let empty = StrProducer {
                    text: None,
                    offset: self.offset + self.len(),
                    last: false,
                    kind: self.kind,
                    cut_above: usize::MAX,
                };
                let uncut = StrProducer {
                    cut_above: usize::MAX,
                    ..self
                };
                (uncut, empty)
            }
        }
    }

    fn into_seq_iter(self) -> Self::IntoIter {
        self.kind.iter(self.text, self.offset, self.last)
    }
}

/// Declares a public string iterator and its `ParallelIterator` impl; the
/// struct is its own [`StrKind`].
macro_rules! str_iter {
    (
        $(#[$doc:meta])*
        $name:ident $(<$p:ident>)? { $($field:ident: $fty:ty),* } => $item:ty
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<'ch $(, $p: Pattern)?> {
            text: &'ch str,
            $($field: $fty,)*
        }

        impl<'ch $(, $p: Pattern)?> ParallelIterator for $name<'ch $(, $p)?> {
            type Item = $item;

            fn with_pieces<CB>(self, callback: CB) -> CB::Output
            where
                CB: PieceCallback<Self::Item>,
            {
                callback.callback(StrProducer {
                    text: Some(self.text),
                    offset: 0,
                    last: true,
                    kind: &self,
                    cut_above: MAX_PIECE_BYTES,
                })
            }
        }
    };
}

str_iter!(
    /// The characters of a string; from
    /// [`par_chars`](ParallelString::par_chars).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("añb".par_chars().filter(|c| c.is_ascii()).count(), 2);
    /// ```
    Chars {} => char
);

impl StrKind for Chars<'_> {
    type Item<'ch> = char;
    type Iter<'ch, 'k>
        = std::str::Chars<'ch>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        cut_at_boundary(text, mid)
    }

    fn iter<'ch>(&self, text: Option<&'ch str>, _: usize, _: bool) -> std::str::Chars<'ch> {
        text.unwrap_or("").chars()
    }
}

str_iter!(
    /// The characters of a string with their byte positions; from
    /// [`par_char_indices`](ParallelString::par_char_indices).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("héllo".par_char_indices().map(|(i, _)| i).max(), Some(5));
    /// ```
    CharIndices {} => (usize, char)
);

/// `str::char_indices` of a piece, with positions in the whole string.
struct OffsetCharIndices<'ch> {
    inner: std::str::CharIndices<'ch>,
    offset: usize,
}

impl Iterator for OffsetCharIndices<'_> {
    type Item = (usize, char);

    fn next(&mut self) -> Option<(usize, char)> {
        self.inner.next().map(|(i, c)| (self.offset + i, c))
    }
}

impl StrKind for CharIndices<'_> {
    type Item<'ch> = (usize, char);
    type Iter<'ch, 'k>
        = OffsetCharIndices<'ch>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        cut_at_boundary(text, mid)
    }

    fn iter<'ch>(&self, text: Option<&'ch str>, offset: usize, _: bool) -> OffsetCharIndices<'ch> {
        OffsetCharIndices {
            inner: text.unwrap_or("").char_indices(),
            offset,
        }
    }
}

str_iter!(
    /// The bytes of a string; from [`par_bytes`](ParallelString::par_bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("é".par_bytes().count(), 2);
    /// ```
    Bytes {} => u8
);

impl StrKind for Bytes<'_> {
    type Item<'ch> = u8;
    type Iter<'ch, 'k>
        = std::str::Bytes<'ch>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        cut_at_boundary(text, mid)
    }

    fn iter<'ch>(&self, text: Option<&'ch str>, _: usize, _: bool) -> std::str::Bytes<'ch> {
        text.unwrap_or("").bytes()
    }
}

str_iter!(
    /// A string as UTF-16 code units; from
    /// [`par_encode_utf16`](ParallelString::par_encode_utf16).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("𝄞".par_encode_utf16().count(), 2); // a surrogate pair
    /// ```
    EncodeUtf16 {} => u16
);

impl StrKind for EncodeUtf16<'_> {
    type Item<'ch> = u16;
    type Iter<'ch, 'k>
        = std::str::EncodeUtf16<'ch>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        cut_at_boundary(text, mid)
    }

    fn iter<'ch>(&self, text: Option<&'ch str>, _: usize, _: bool) -> std::str::EncodeUtf16<'ch> {
        text.unwrap_or("").encode_utf16()
    }
}

/// `str::split` (and `split_terminator`) of a piece, by a [`Pattern`].
struct SplitIter<'ch, 'k, P> {
    rest: Option<&'ch str>,
    pattern: &'k P,
    /// `split_terminator` on the last piece: no trailing empty item.
    skip_empty_last: bool,
}

impl<'ch, P: Pattern> Iterator for SplitIter<'ch, '_, P> {
    type Item = &'ch str;

    fn next(&mut self) -> Option<&'ch str> {
        let rest = self.rest?;
        match self.pattern.find_in(rest) {
            Some((start, end)) => {
                self.rest = Some(&rest[end..]);
                Some(&rest[..start])
            }
            None => {
                self.rest = None;
                (!(self.skip_empty_last && rest.is_empty())).then_some(rest)
            }
        }
    }
}

/// `str::split_inclusive` of a piece, by a [`Pattern`].
struct SplitInclusiveIter<'ch, 'k, P> {
    rest: &'ch str,
    pattern: &'k P,
}

impl<'ch, P: Pattern> Iterator for SplitInclusiveIter<'ch, '_, P> {
    type Item = &'ch str;

    fn next(&mut self) -> Option<&'ch str> {
        if self.rest.is_empty() {
            return None;
        }
        let end = self
            .pattern
            .find_in(self.rest)
            .map_or(self.rest.len(), |(_, end)| end);
        let (item, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(item)
    }
}

/// `str::match_indices` of a piece, by a [`Pattern`], with positions in
/// the whole string.
struct MatchIndicesIter<'ch, 'k, P> {
    rest: &'ch str,
    offset: usize,
    pattern: &'k P,
}

impl<'ch, P: Pattern> Iterator for MatchIndicesIter<'ch, '_, P> {
    type Item = (usize, &'ch str);

    fn next(&mut self) -> Option<(usize, &'ch str)> {
        let (start, end) = self.pattern.find_in(self.rest)?;
        let item = (self.offset + start, &self.rest[start..end]);
        self.rest = &self.rest[end..];
        self.offset += end;
        Some(item)
    }
}

str_iter!(
    /// The pieces of a string between matches of a pattern; from
    /// [`par_split`](ParallelString::par_split).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&str> = "a b".par_split(' ').collect();
    /// assert_eq!(v, ["a", "b"]);
    /// ```
    Split<P> { pattern: P } => &'ch str
);

impl<P: Pattern> StrKind for Split<'_, P> {
    type Item<'ch> = &'ch str;
    type Iter<'ch, 'k>
        = SplitIter<'ch, 'k, P>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        match_near(&self.pattern, text, mid)
    }

    fn iter<'ch, 'k>(&'k self, text: Option<&'ch str>, _: usize, _: bool) -> SplitIter<'ch, 'k, P> {
        SplitIter {
            rest: text,
            pattern: &self.pattern,
            skip_empty_last: false,
        }
    }
}

str_iter!(
    /// The pieces of a string, each ending with its match of a pattern;
    /// from [`par_split_inclusive`](ParallelString::par_split_inclusive).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let v: Vec<&str> = "a.b".par_split_inclusive('.').collect();
    /// assert_eq!(v, ["a.", "b"]);
    /// ```
    SplitInclusive<P> { pattern: P } => &'ch str
);

impl<P: Pattern> StrKind for SplitInclusive<'_, P> {
    type Item<'ch> = &'ch str;
    type Iter<'ch, 'k>
        = SplitInclusiveIter<'ch, 'k, P>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        let (_, end) = match_near(&self.pattern, text, mid)?;
        (end < text.len()).then_some((end, end))
    }

    fn iter<'ch, 'k>(
        &'k self,
        text: Option<&'ch str>,
        _: usize,
        _: bool,
    ) -> SplitInclusiveIter<'ch, 'k, P> {
        SplitInclusiveIter {
            rest: text.unwrap_or(""),
            pattern: &self.pattern,
        }
    }
}

str_iter!(
    /// The pieces of a string between matches of a pattern, without a
    /// trailing empty one; from
    /// [`par_split_terminator`](ParallelString::par_split_terminator).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("a.b.".par_split_terminator('.').count(), 2);
    /// ```
    SplitTerminator<P> { pattern: P } => &'ch str
);

impl<P: Pattern> StrKind for SplitTerminator<'_, P> {
    type Item<'ch> = &'ch str;
    type Iter<'ch, 'k>
        = SplitIter<'ch, 'k, P>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        match_near(&self.pattern, text, mid)
    }

    fn iter<'ch, 'k>(
        &'k self,
        text: Option<&'ch str>,
        _: usize,
        last: bool,
    ) -> SplitIter<'ch, 'k, P> {
        SplitIter {
            rest: text,
            pattern: &self.pattern,
            skip_empty_last: last,
        }
    }
}

/// The line separator of [`Lines`].
static NEWLINE: char = '\n';

/// A line without its `\r`, if any (as rayon: also at the very end).
fn no_carriage_return(line: &str) -> &str {
    line.strip_suffix('\r').unwrap_or(line)
}

str_iter!(
    /// The lines of a string; from [`par_lines`](ParallelString::par_lines).
    /// As rayon's, a `\r` ending the last line is removed too, even with
    /// no `\n` after it.
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("a\nb\r\n".par_lines().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    Lines {} => &'ch str
);

impl StrKind for Lines<'_> {
    type Item<'ch> = &'ch str;
    type Iter<'ch, 'k>
        = std::iter::Chain<
        std::iter::Map<std::str::SplitTerminator<'ch, char>, fn(&'ch str) -> &'ch str>,
        std::option::IntoIter<&'ch str>,
    >
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        match_near(&NEWLINE, text, mid)
    }

    fn iter<'ch, 'k>(
        &'k self,
        text: Option<&'ch str>,
        _: usize,
        last: bool,
    ) -> Self::Iter<'ch, 'k> {
        // `str`'s own (memchr-based) splitter. A piece that is not the
        // last ends just before a `\n` the cut removed, so its empty
        // trailing line, which `split_terminator` drops, is a line.
        let text_or_empty = text.unwrap_or("");
        let trailing_empty =
            text.is_some() && !last && (text_or_empty.is_empty() || text_or_empty.ends_with('\n'));
        text_or_empty
            .split_terminator('\n')
            .map(no_carriage_return as fn(&'ch str) -> &'ch str)
            .chain(trailing_empty.then_some(""))
    }
}

str_iter!(
    /// The pieces of a string between runs of whitespace; from
    /// [`par_split_whitespace`](ParallelString::par_split_whitespace).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!(" a\u{2003}b ".par_split_whitespace().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    SplitWhitespace {} => &'ch str
);

impl StrKind for SplitWhitespace<'_> {
    type Item<'ch> = &'ch str;
    type Iter<'ch, 'k>
        = std::str::SplitWhitespace<'ch>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        match_near(&char::is_whitespace, text, mid)
    }

    fn iter<'ch>(
        &self,
        text: Option<&'ch str>,
        _: usize,
        _: bool,
    ) -> std::str::SplitWhitespace<'ch> {
        text.unwrap_or("").split_whitespace()
    }
}

str_iter!(
    /// The pieces of a string between runs of ASCII whitespace; from
    /// [`par_split_ascii_whitespace`](ParallelString::par_split_ascii_whitespace).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("a\tb".par_split_ascii_whitespace().count(), 2);
    /// ```
    SplitAsciiWhitespace {} => &'ch str
);

impl StrKind for SplitAsciiWhitespace<'_> {
    type Item<'ch> = &'ch str;
    type Iter<'ch, 'k>
        = std::str::SplitAsciiWhitespace<'ch>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        match_near(&|c: char| c.is_ascii_whitespace(), text, mid)
    }

    fn iter<'ch>(
        &self,
        text: Option<&'ch str>,
        _: usize,
        _: bool,
    ) -> std::str::SplitAsciiWhitespace<'ch> {
        text.unwrap_or("").split_ascii_whitespace()
    }
}

str_iter!(
    /// The matches of a pattern in a string; from
    /// [`par_matches`](ParallelString::par_matches).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// assert_eq!("banana".par_matches('a').count(), 3);
    /// ```
    Matches<P> { pattern: P } => &'ch str
);

/// The match of a `(position, match)` pair.
fn match_only((_, matched): (usize, &str)) -> &str {
    matched
}

impl<P: Pattern> StrKind for Matches<'_, P> {
    type Item<'ch> = &'ch str;
    type Iter<'ch, 'k>
        = std::iter::Map<MatchIndicesIter<'ch, 'k, P>, fn((usize, &'ch str)) -> &'ch str>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        cut_at_boundary(text, mid)
    }

    fn iter<'ch, 'k>(
        &'k self,
        text: Option<&'ch str>,
        offset: usize,
        _: bool,
    ) -> Self::Iter<'ch, 'k> {
        let matches = MatchIndicesIter {
            rest: text.unwrap_or(""),
            offset,
            pattern: &self.pattern,
        };
        matches.map(match_only as fn((usize, &'ch str)) -> &'ch str)
    }
}

str_iter!(
    /// The matches of a pattern in a string with their byte positions;
    /// from [`par_match_indices`](ParallelString::par_match_indices).
    ///
    /// # Examples
    ///
    /// ```
    /// use threadpool_rayon_compat::prelude::*;
    ///
    /// let at: Vec<usize> = "banana".par_match_indices('n').map(|(i, _)| i).collect();
    /// assert_eq!(at, [2, 4]);
    /// ```
    MatchIndices<P> { pattern: P } => (usize, &'ch str)
);

impl<P: Pattern> StrKind for MatchIndices<'_, P> {
    type Item<'ch> = (usize, &'ch str);
    type Iter<'ch, 'k>
        = MatchIndicesIter<'ch, 'k, P>
    where
        Self: 'k;

    fn cut(&self, text: &str, mid: usize) -> Option<(usize, usize)> {
        cut_at_boundary(text, mid)
    }

    fn iter<'ch, 'k>(
        &'k self,
        text: Option<&'ch str>,
        offset: usize,
        _: bool,
    ) -> MatchIndicesIter<'ch, 'k, P> {
        MatchIndicesIter {
            rest: text.unwrap_or(""),
            offset,
            pattern: &self.pattern,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Splits `producer` at every possible place, down to pieces that no
    /// longer split, and concatenates the pieces' items in order.
    fn all_pieces<P: Piece>(producer: P, out: &mut Vec<P::Item>) {
        let len = producer.len();
        if len < 2 {
            out.extend(producer.into_seq_iter());
            return;
        }
        let (left, right) = producer.split_at(len / 2);
        if left.len() == len {
            out.extend(left.into_seq_iter()); // could not be cut
            out.extend(right.into_seq_iter());
            return;
        }
        all_pieces(left, out);
        all_pieces(right, out);
    }

    fn pieces<'ch, K: StrKind>(kind: &K, text: &'ch str) -> Vec<K::Item<'ch>> {
        let mut out = Vec::new();
        let producer = StrProducer {
            text: Some(text),
            offset: 0,
            last: true,
            kind,
            cut_above: MAX_PIECE_BYTES,
        };
        all_pieces(producer, &mut out);
        out
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(&['a', 'b', ' ', ',', '\n', '\r', 'é', '𝄞', '\t'][..]),
            0..200,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn cutting_anywhere_keeps_the_sequential_items(t in text()) {
            let t = t.as_str();
            prop_assert_eq!(pieces(&Chars { text: t }, t), t.chars().collect::<Vec<_>>());
            prop_assert_eq!(pieces(&CharIndices { text: t }, t), t.char_indices().collect::<Vec<_>>());
            prop_assert_eq!(pieces(&Bytes { text: t }, t), t.bytes().collect::<Vec<_>>());
            prop_assert_eq!(pieces(&EncodeUtf16 { text: t }, t), t.encode_utf16().collect::<Vec<_>>());
            prop_assert_eq!(pieces(&Split { text: t, pattern: ',' }, t), t.split(',').collect::<Vec<_>>());
            prop_assert_eq!(pieces(&Split { text: t, pattern: ['a', 'é'] }, t), t.split(['a', 'é']).collect::<Vec<_>>());
            prop_assert_eq!(pieces(&SplitInclusive { text: t, pattern: '\n' }, t), t.split_inclusive('\n').collect::<Vec<_>>());
            prop_assert_eq!(pieces(&SplitTerminator { text: t, pattern: ',' }, t), t.split_terminator(',').collect::<Vec<_>>());
            let lines: Vec<&str> = t.split_terminator('\n').map(no_carriage_return).collect();
            prop_assert_eq!(pieces(&Lines { text: t }, t), lines);
            prop_assert_eq!(pieces(&SplitWhitespace { text: t }, t), t.split_whitespace().collect::<Vec<_>>());
            prop_assert_eq!(pieces(&SplitAsciiWhitespace { text: t }, t), t.split_ascii_whitespace().collect::<Vec<_>>());
            prop_assert_eq!(pieces(&Matches { text: t, pattern: |c: char| !c.is_ascii() }, t), t.matches(|c: char| !c.is_ascii()).collect::<Vec<_>>());
            prop_assert_eq!(pieces(&MatchIndices { text: t, pattern: &['b', '𝄞'][..] }, t), t.match_indices(&['b', '𝄞'][..]).collect::<Vec<_>>());
        }
    }
}
