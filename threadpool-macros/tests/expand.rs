//! What `#[work_request]` generates, driven through a real pool: generics,
//! argument patterns, visibility, docs, every option (the state-style and
//! `on_ok` ones included), and a request built by the macro behaving exactly
//! like one built by hand.
// Every generated public item must carry docs, or this test does not build.
#![deny(missing_docs)]

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::mpsc;

use threadpool_core::{
    Exception, PutErrorKind, RequestId, ThreadPool, WorkRequest, make_requests_with,
    make_requests_with_state, work_request,
};

/// Runs `requests` on a two-worker pool and returns the values in id order.
fn run_all<T: Send + 'static>(requests: Vec<WorkRequest<'_, T>>) -> Vec<T> {
    let mut pool = ThreadPool::with_state(2, Vec::<(RequestId, T)>::new()).unwrap();
    for request in requests {
        let request = request.on_result_with(|results: &mut Vec<(RequestId, T)>, id, value| {
            results.push((id, value));
        });
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    let mut results = pool.into_state();
    results.sort_by_key(|(id, _)| *id);
    results.into_iter().map(|(_, value)| value).collect()
}

/// Adds two numbers (a plain function with docs).
#[work_request]
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[test]
fn the_function_stays_callable_and_request_runs_it() {
    assert_eq!(add(2, 3), 5);
    assert_eq!(
        run_all(vec![
            add::request(2, 3).with_id(1),
            add::request(4, 5).with_id(2)
        ]),
        [5, 9]
    );
    assert_eq!(add::job((20, 22)), 42);
}

/// Formats a fixed-size array of any debuggable, cloneable items.
#[work_request]
pub fn describe<T: Clone, const N: usize>(items: [T; N], label: String) -> String
where
    [T; N]: std::fmt::Debug,
{
    format!("{label}: {items:?}")
}

#[test]
fn generics_and_where_clauses_are_kept() {
    let requests = vec![
        describe::request([1_u8, 2, 3], "bytes".into()).with_id(1),
        describe::request::<u8, 1>([9], "one".into()).with_id(2),
    ];
    assert_eq!(run_all(requests), ["bytes: [1, 2, 3]", "one: [9]"]);
    let words = describe::request(["a".to_owned(), "b".to_owned()], "words".into());
    assert_eq!(run_all(vec![words]), [r#"words: ["a", "b"]"#]);
}

/// A point on a grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Column.
    pub x: i64,
    /// Row.
    pub y: i64,
}

/// Taxicab distance, with every kind of argument pattern.
#[work_request]
pub fn manhattan(
    (a, b): (Point, Point),
    Point { x: scale, .. }: Point,
    mut bonus: i64,
    _: u8,
) -> i64 {
    bonus *= scale;
    (a.x - b.x).abs() + (a.y - b.y).abs() + bonus
}

#[test]
fn arguments_may_be_patterns() {
    let origin = Point { x: 0, y: 0 };
    let far = Point { x: 3, y: -4 };
    let scale = Point { x: 2, y: 0 };
    assert_eq!(manhattan((origin, far), scale, 1, 0), 9);
    assert_eq!(
        run_all(vec![manhattan::request((origin, far), scale, 1, 0)]),
        [9]
    );
    let requests = manhattan::requests([((origin, far), scale, 0, 0), ((far, far), scale, 5, 0)]);
    assert_eq!(run_all(requests), [7, 10]);
}

/// Takes nothing, returns nothing.
#[work_request]
pub fn tick() {}

/// Takes one argument.
#[work_request]
pub fn square(n: u64) -> u64 {
    n * n
}

#[test]
fn requests_take_one_item_per_call() {
    // One argument: the items are the arguments themselves.
    assert_eq!(run_all(square::requests(1..=4)), [1, 4, 9, 16]);
    // None: the items are `()`.
    assert_eq!(run_all(tick::requests([(), ()])).len(), 2);
    // Several: tuples, as in `add::requests`.
    assert_eq!(run_all(add::requests([(1, 1), (2, 2)])), [2, 4]);
}

mod shapes {
    use threadpool_core::work_request;

    /// Visible in the crate only, as are its constructors.
    #[work_request]
    pub(crate) fn area(width: u32, height: u32) -> u32 {
        width * height
    }

    /// Visible to the parent module only.
    #[work_request]
    pub(super) fn perimeter(width: u32, height: u32) -> u32 {
        2 * (width + height)
    }

    /// Private to this module; its constructors are used here.
    #[work_request]
    fn volume(width: u32, height: u32, depth: u32) -> u32 {
        width * height * depth
    }

    pub(crate) fn cube_request(side: u32) -> threadpool_core::WorkRequest<'static, u32> {
        volume::request(side, side, side)
    }
}

#[test]
fn constructors_have_the_functions_visibility() {
    let requests = vec![
        shapes::area::request(2, 3).with_id(1),
        shapes::perimeter::request(2, 3).with_id(2),
        shapes::cube_request(2).with_id(3),
    ];
    assert_eq!(run_all(requests), [6, 10, 8]);
}

/// Accepts `impl Trait` arguments, nested ones included.
#[work_request]
pub fn join_all(separator: impl std::fmt::Display, parts: Vec<impl ToString>) -> String {
    let parts: Vec<String> = parts.iter().map(ToString::to_string).collect();
    parts.join(&separator.to_string())
}

/// Owned and `'static` arguments that mention references are fine.
#[work_request]
pub fn apply(
    prefix: &'static str,
    f: fn(&str) -> usize,
    g: Box<dyn for<'s> Fn(&'s str) -> usize + Send>,
    path: PathBuf,
) -> usize {
    let text = path.to_string_lossy();
    prefix.len() + f(&text) + g(&text)
}

/// Explicit generics beside an `impl Trait` argument.
#[work_request]
pub fn labelled<T: std::fmt::Debug>(value: T, label: impl std::fmt::Display) -> String {
    format!("{label}={value:?}")
}

#[test]
fn impl_trait_and_static_references_are_accepted() {
    let joined = join_all::request('-', vec![1, 2, 3]);
    assert_eq!(run_all(vec![joined]), ["1-2-3"]);
    let labelled = labelled::requests([(3_u8, 'x'), (4, 'y')]);
    assert_eq!(run_all(labelled), ["x=3", "y=4"]);
    let applied = apply::request(
        "ab",
        str::len,
        Box::new(|s| s.matches('/').count()),
        "x/y".into(),
    );
    assert_eq!(run_all(vec![applied]), [2 + 3 + 1]);
}

#[test]
fn functions_declared_in_a_block_work() {
    struct Celsius(f64);
    #[work_request]
    fn to_fahrenheit(Celsius(c): Celsius) -> f64 {
        c * 9.0 / 5.0 + 32.0
    }
    assert_eq!(
        run_all(vec![to_fahrenheit::request(Celsius(100.0))]),
        [212.0]
    );
}

thread_local! {
    // The callbacks run on the polling thread, which is the test's own.
    static EVENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn record(event: String) {
    EVENTS.with(|events| events.borrow_mut().push(event));
}

fn take_events() -> Vec<String> {
    EVENTS.with(|events| events.take())
}

fn on_halved(id: RequestId, value: u32) {
    record(format!("{id}: {value}"));
}

fn on_halve_panic(id: RequestId, panic: Exception) {
    record(format!("{id} panicked: {panic}"));
}

/// Halves an even number; panics on an odd one.
#[work_request(name = Halve, on_result = on_halved, on_exception = crate::on_halve_panic)]
pub fn halve(n: u32) -> u32 {
    assert!(n.is_multiple_of(2), "{n} is odd");
    n / 2
}

#[test]
fn options_name_the_items_and_set_default_callbacks() {
    let mut pool = ThreadPool::new(2).unwrap();
    pool.put_request(Halve::request(10).with_id(1)).unwrap();
    pool.put_request(Halve::request(7).with_id(2)).unwrap();
    // A builder call still replaces the default.
    let mut replaced = None;
    pool.put_request(
        Halve::request(4)
            .with_id(3)
            .on_result(|_id, v| replaced = Some(v)),
    )
    .unwrap();
    pool.handle()
        .put_request(Halve::send_request(8).with_id(4))
        .unwrap();
    pool.wait().unwrap();
    drop(pool);
    let mut events = take_events();
    events.sort();
    assert_eq!(events, ["1: 5", "2 panicked: 7 is odd", "4: 4"]);
    assert_eq!(replaced, Some(2));
}

/// Always panics; its panics are ignored by default.
#[work_request(ignore_exception)]
pub fn doomed(n: u32) -> u32 {
    panic!("doomed {n}")
}

#[test]
fn ignore_exception_counts_the_panic_and_reports_nothing() {
    let mut pool = ThreadPool::new(1).unwrap();
    pool.put_request(doomed::request(1)).unwrap();
    pool.wait().unwrap();
    assert_eq!(pool.stats().panicked, 1);
}

/// Parses a number; panics on bad input.
#[work_request]
pub fn parse(text: String) -> i64 {
    text.trim().parse().expect("not a number")
}

#[test]
fn a_macro_request_behaves_like_a_hand_built_one() {
    let inputs = ["12", " -4 ", "x", "99"];
    let outcomes = |by_macro: bool| {
        let outcomes = RefCell::new(Vec::new());
        let mut pool = ThreadPool::new(2).unwrap();
        for (n, input) in inputs.iter().enumerate() {
            let text = (*input).to_owned();
            let request = if by_macro {
                parse::request(text)
            } else {
                WorkRequest::new(move || parse(text))
            };
            let request = request
                .with_id(n as u64)
                .on_result(|id, value| outcomes.borrow_mut().push((id, Ok(value))))
                .on_exception(|id, panic| outcomes.borrow_mut().push((id, Err(panic.to_string()))));
            pool.put_request(request).unwrap();
        }
        pool.wait().unwrap();
        drop(pool);
        let mut outcomes = outcomes.into_inner();
        outcomes.sort_by_key(|(id, _)| *id);
        outcomes
    };
    let by_macro = outcomes(true);
    assert_eq!(by_macro, outcomes(false));
    let expected: Vec<(RequestId, Result<i64, String>)> = vec![
        (0.into(), Ok(12)),
        (1.into(), Ok(-4)),
        (
            2.into(),
            Err("not a number: ParseIntError { kind: InvalidDigit }".to_owned()),
        ),
        (3.into(), Ok(99)),
    ];
    assert_eq!(by_macro, expected);
}

#[test]
fn job_feeds_make_requests_with_shared_callbacks() {
    let (mut sum, mut failures) = (0, 0);
    let mut pool = ThreadPool::new(2).unwrap();
    let texts = ["1", "2", "three", "4"].map(String::from);
    for request in make_requests_with(
        parse::job,
        texts,
        |_id, n| sum += n,
        |_id, _panic| failures += 1,
    ) {
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    drop(pool);
    assert_eq!((sum, failures), (7, 1));
}

#[test]
fn send_requests_can_be_put_from_another_thread() {
    let mut pool = ThreadPool::new(2).unwrap();
    let handle = pool.handle();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for n in 1..=3 {
            let tx = tx.clone();
            let request = square::send_request(n).on_result(move |_id, v| tx.send(v).unwrap());
            handle.put_request(request).unwrap();
        }
    })
    .join()
    .unwrap();
    pool.wait().unwrap();
    let mut squares: Vec<u64> = rx.try_iter().collect();
    squares.sort();
    assert_eq!(squares, [1, 4, 9]);
}

/// What the state-style callbacks below gather, in the pool.
#[derive(Debug, Default)]
pub struct Tally {
    /// Halves, by request.
    pub halves: Vec<(RequestId, u32)>,
    /// Exceptions, as text.
    pub odd: Vec<String>,
}

fn tally_half(tally: &mut Tally, id: RequestId, half: u32) {
    tally.halves.push((id, half));
}

fn tally_odd(tally: &mut Tally, id: RequestId, exception: Exception) {
    tally.odd.push(format!("{id}: {exception}"));
}

/// Halves an even number into the pool's state; panics on an odd one.
#[work_request(name = HalveInto, on_result_with = tally_half, on_exception_with = tally_odd)]
pub fn halve_into(n: u32) -> u32 {
    assert!(n.is_multiple_of(2), "{n} is odd");
    n / 2
}

#[test]
fn state_options_hand_the_pools_state_to_the_default_callbacks() {
    let mut pool = ThreadPool::with_state(2, Tally::default()).unwrap();
    pool.put_request(HalveInto::request(10).with_id(1)).unwrap();
    pool.put_request(HalveInto::request(7).with_id(2)).unwrap();
    let requests = HalveInto::requests([12, 14])
        .into_iter()
        .zip(3..)
        .map(|(request, id)| request.with_id(id));
    assert_eq!(pool.put_requests(requests).unwrap(), 2);
    // A request built on another thread updates the same state.
    let handle = pool.handle();
    std::thread::spawn(move || {
        handle
            .put_request(HalveInto::send_request(16).with_id(5))
            .unwrap();
    })
    .join()
    .unwrap();
    pool.wait().unwrap();
    let mut tally = pool.into_state();
    tally.halves.sort();
    let ids = |pairs: &[(u64, u32)]| -> Vec<(RequestId, u32)> {
        pairs.iter().map(|&(id, v)| (id.into(), v)).collect()
    };
    assert_eq!(tally.halves, ids(&[(1, 5), (3, 6), (4, 7), (5, 8)]));
    assert_eq!(tally.odd, ["2: 7 is odd"]);
}

#[test]
fn builder_methods_replace_the_state_style_defaults() {
    let mut seen = None;
    let mut pool = ThreadPool::with_state(1, Tally::default()).unwrap();
    pool.put_request(
        HalveInto::request(4)
            .with_id(1)
            .on_result(|_id, half| seen = Some(half)),
    )
    .unwrap();
    pool.put_request(
        HalveInto::request(3)
            .with_id(2)
            .on_exception_with(|tally: &mut Tally, _id, _exc| tally.odd.push("replaced".into())),
    )
    .unwrap();
    pool.wait().unwrap();
    let tally = pool.into_state();
    assert!(tally.halves.is_empty());
    assert_eq!(tally.odd, ["replaced"]);
    assert_eq!(seen, Some(2));
}

#[test]
fn a_pool_with_another_state_refuses_a_state_style_request() {
    let mut pool = ThreadPool::with_state(1, 0_u32).unwrap();
    let err = pool
        .put_request(HalveInto::request(2).with_id(9))
        .unwrap_err();
    assert_eq!(err.kind(), PutErrorKind::WrongState);
    assert_eq!(err.id(), RequestId::new(9));
}

/// What `checked_len` requests leave in the pool's state.
#[derive(Debug, Default, PartialEq)]
pub struct Lengths {
    /// The lengths of the texts accepted.
    pub total: usize,
    /// The errors the job returned.
    pub refused: Vec<String>,
    /// The panics.
    pub panics: Vec<String>,
}

impl Lengths {
    fn add(&mut self, _id: RequestId, len: usize) {
        self.total += len;
    }

    fn failed(&mut self, _id: RequestId, exception: Exception) {
        match exception {
            Exception::Failed(error) => self.refused.push(error.to_string()),
            Exception::Panicked(panic) => self.panics.push(panic.to_string()),
            other => panic!("unexpected {other}"),
        }
    }
}

/// The length of a non-empty text; an `Err` for an empty one, a panic for
/// `"boom"`.
#[work_request(on_ok_with = Lengths::add, on_exception_with = Lengths::failed)]
pub fn checked_len(text: String) -> Result<usize, String> {
    assert!(text != "boom", "boom");
    if text.is_empty() {
        Err("empty text".to_owned())
    } else {
        Ok(text.len())
    }
}

#[test]
fn on_ok_with_splits_values_from_errors_and_panics() {
    let mut pool = ThreadPool::with_state(2, Lengths::default()).unwrap();
    let texts = ["abc", "", "de", "boom"].map(String::from);
    pool.put_requests(checked_len::requests(texts)).unwrap();
    pool.wait().unwrap();
    assert_eq!(
        pool.into_state(),
        Lengths {
            total: 5,
            refused: vec!["empty text".into()],
            panics: vec!["boom".into()],
        }
    );
}

fn on_parsed(id: RequestId, n: i64) {
    record(format!("{id}: {n}"));
}

fn on_not_parsed(id: RequestId, exception: Exception) {
    let kind = match &exception {
        Exception::Failed(error) => match error.downcast_ref::<std::num::ParseIntError>() {
            Some(_) => "error",
            None => "other error",
        },
        Exception::Panicked(_) => "panic",
        other => panic!("unexpected {other}"),
    };
    record(format!("{id} {kind}: {exception}"));
}

/// Parses a number, returning the error.
#[work_request(on_ok = on_parsed, on_exception = on_not_parsed)]
pub fn try_parse(text: String) -> Result<i64, std::num::ParseIntError> {
    text.trim().parse()
}

/// Parses a number; an `Err` is ignored, like a panic.
#[work_request(on_ok = on_parsed, ignore_exception)]
pub fn quiet_parse(text: String) -> Result<i64, std::num::ParseIntError> {
    text.trim().parse()
}

#[test]
fn on_ok_sends_an_err_to_the_exception_callback_as_failed() {
    let mut pool = ThreadPool::new(2).unwrap();
    pool.put_request(try_parse::request("12".into()).with_id(1))
        .unwrap();
    pool.put_request(try_parse::request("x".into()).with_id(2))
        .unwrap();
    pool.put_request(quiet_parse::request("y".into()).with_id(3))
        .unwrap();
    pool.put_request(quiet_parse::request("-3".into()).with_id(4))
        .unwrap();
    pool.wait().unwrap();
    let mut events = take_events();
    events.sort();
    assert_eq!(
        events,
        ["1: 12", "2 error: invalid digit found in string", "4: -3"]
    );
    assert_eq!(pool.stats().panicked, 0);
}

#[test]
fn job_feeds_make_requests_with_state() {
    let mut pool = ThreadPool::with_state(2, (0_i64, 0_u32)).unwrap();
    let texts = ["1", "2", "three", "4"].map(String::from);
    let requests = make_requests_with_state(
        parse::job,
        texts,
        |(sum, _): &mut (i64, u32), _id, n| *sum += n,
        |(_, failures): &mut (i64, u32), _id, _exc| *failures += 1,
    );
    for request in requests {
        pool.put_request(request).unwrap();
    }
    pool.wait().unwrap();
    assert_eq!(pool.into_state(), (7, 1));
}

mod hygiene {
    use super::{Tally, tally_half, tally_odd};
    use threadpool_core::{ThreadPool, work_request};

    /// Named like the locals the expansion binds for the callbacks: the job
    /// must still call this function.
    #[work_request(on_result_with = tally_half, on_exception_with = tally_odd)]
    pub fn on_exception(n: u32) -> u32 {
        n + 1
    }

    /// Likewise.
    #[work_request(on_result_with = tally_half, on_exception_with = tally_odd)]
    pub fn callbacks_take_one_state(n: u32) -> u32 {
        n + 2
    }

    #[test]
    fn the_expansions_locals_shadow_nothing() {
        let mut pool = ThreadPool::with_state(1, Tally::default()).unwrap();
        pool.put_request(on_exception::request(1).with_id(1))
            .unwrap();
        pool.put_request(callbacks_take_one_state::request(1).with_id(2))
            .unwrap();
        pool.wait().unwrap();
        let mut tally = pool.into_state();
        tally.halves.sort();
        assert_eq!(tally.halves, [(1.into(), 2), (2.into(), 3)]);
        assert!(tally.odd.is_empty());
    }
}

fn keep<T>(kept: &mut Vec<T>, _id: RequestId, value: T) {
    kept.push(value);
}

fn forget<T>(_kept: &mut Vec<T>, _id: RequestId, _exception: Exception) {}

/// A generic function whose state-style callbacks are generic too.
#[work_request(on_result_with = keep, on_exception_with = forget)]
pub fn pair_up<T: Clone>(value: T) -> (T, T) {
    (value.clone(), value)
}

#[test]
fn state_options_work_on_generic_functions() {
    let mut pool = ThreadPool::with_state(1, Vec::<(char, char)>::new()).unwrap();
    pool.put_request(pair_up::request('x')).unwrap();
    pool.wait().unwrap();
    assert_eq!(pool.into_state(), [('x', 'x')]);
}
