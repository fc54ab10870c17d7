// Six small rayon programs, each stopping at one of the items the compat
// crate used to lack: `par_sort_unstable`, `par_lines`, `flat_map`, `rev`,
// `collect::<Result<Vec<_>, _>>()` and `par_bridge`. `tests/migration.rs`
// compiles this file under rayon's prelude and under the compat prelude
// and compares what they print. It names nothing from either crate itself.

use std::fmt::Write as _;

/// A log of "user,latency_ms" lines, some malformed.
fn log_text(lines: usize) -> String {
    let mut text = String::new();
    for i in 0..lines {
        let user = ["ann", "bob", "cy", "dee"][i % 4];
        if i % 97 == 13 {
            writeln!(text, "{user};corrupt").unwrap();
        } else {
            writeln!(text, "{user},{}", (i * 7919) % 1000).unwrap();
        }
    }
    text
}

/// Program 1: sort a million scrambled keys and report percentiles.
fn percentiles() -> String {
    let mut v: Vec<u64> = (0..1_000_000_u64)
        .into_par_iter()
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20) % 1_000_000)
        .collect();
    v.par_sort_unstable();
    let mut by_digits: Vec<u64> = v.par_iter().step_by(1000).copied().collect();
    by_digits.par_sort_by_key(|x| (x.to_string().len(), *x));
    format!(
        "p50 {} p99 {} min {} max {} sampled {}",
        v[v.len() / 2],
        v[v.len() * 99 / 100],
        v[0],
        v[v.len() - 1],
        by_digits.len()
    )
}

/// Program 2: a word count over lines, and the longest line.
fn word_count(text: &str) -> String {
    let words: usize = text.par_lines().map(|line| line.split(',').count()).sum();
    let longest = text.par_lines().max_by_key(|line| line.len()).unwrap_or("");
    let with_digit_nine = text.par_lines().filter(|l| l.contains('9')).count();
    format!("fields {words} longest {longest:?} nines {with_digit_nine}")
}

/// Program 3: every (user, hour) pair, flattened.
fn pairs() -> String {
    let users = ["ann", "bob", "cy"];
    let slots: Vec<String> = users
        .par_iter()
        .flat_map(|user| (0..4_u32).into_par_iter().map(move |h| format!("{user}@{h}")))
        .collect();
    let chars: usize = users.par_iter().flat_map_iter(|u| u.chars()).count();
    format!("{} slots, first {:?}, last {:?}, {chars} chars", slots.len(), slots[0], slots[slots.len() - 1])
}

/// Program 4: the latest entries first.
fn latest(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let latest: Vec<&str> = lines.par_iter().rev().take(3).copied().collect();
    let first_bad = lines.par_iter().position_first(|l| l.contains("corrupt"));
    let last_bad = lines.par_iter().rposition_like();
    format!("latest {latest:?}, first bad {first_bad:?}, last bad {last_bad:?}")
}

/// `position_last`, through a trait so the call reads the same for both.
trait RPositionLike {
    fn rposition_like(self) -> Option<usize>;
}

impl<'a, I> RPositionLike for I
where
    I: IndexedParallelIterator<Item = &'a &'a str>,
{
    fn rposition_like(self) -> Option<usize> {
        self.position_last(|l| l.contains("corrupt"))
    }
}

/// Program 5: parse every line or report the first failure.
fn parse_all(text: &str) -> String {
    let parse = |line: &str| -> Result<(String, u32), String> {
        let (user, ms) = line.split_once(',').ok_or_else(|| format!("bad line {line:?}"))?;
        let ms = ms.parse::<u32>().map_err(|e| e.to_string())?;
        Ok((user.to_owned(), ms))
    };
    let all: Result<Vec<(String, u32)>, String> = text.par_lines().map(parse).collect();
    let clean: Vec<&str> = text.lines().filter(|l| !l.contains("corrupt")).collect();
    let good: Result<Vec<(String, u32)>, String> = clean.par_iter().map(|l| parse(l)).collect();
    let total: u64 = good.as_ref().map_or(0, |v| v.par_iter().map(|(_, ms)| u64::from(*ms)).sum());
    format!("all ok: {}, clean ok: {}, total {total}", all.is_ok(), good.is_ok())
}

/// Program 6: a stream of lines bridged into parallel work.
fn bridged(text: &str) -> String {
    let mut slow: Vec<u32> = text
        .lines()
        .par_bridge()
        .filter_map(|line| line.split_once(',')?.1.parse::<u32>().ok())
        .filter(|ms| *ms > 990)
        .collect();
    slow.sort_unstable();
    format!("slow {slow:?}")
}

pub fn run() -> String {
    let text = log_text(5_000);
    let mut out = String::new();
    writeln!(out, "{}", percentiles()).unwrap();
    writeln!(out, "{}", word_count(&text)).unwrap();
    writeln!(out, "{}", pairs()).unwrap();
    writeln!(out, "{}", latest(&text)).unwrap();
    writeln!(out, "{}", parse_all(&text)).unwrap();
    writeln!(out, "{}", bridged(&text)).unwrap();
    out
}
