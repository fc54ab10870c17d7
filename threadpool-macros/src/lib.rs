//! `#[work_request]`: work-request constructors for `threadpool-core`,
//! generated from an ordinary function.
//!
//! Annotate a function and call it through the pool without writing a
//! closure: the Rust counterpart of the Python module's
//! `WorkRequest(callable, args)` and `makeRequests(callable, args_list)`.
//! Use the attribute through `threadpool-core` with its `macros` feature
//! (`threadpool_core::work_request`); a build without the feature does not
//! compile this crate or `syn`.
//!
//! ```
//! use threadpool_core::{ThreadPool, work_request};
//!
//! /// Counts the words of at least `min_len` letters.
//! #[work_request]
//! pub fn count_words(text: String, min_len: usize) -> usize {
//!     text.split_whitespace().filter(|w| w.len() >= min_len).count()
//! }
//!
//! // The function is unchanged and still callable directly...
//! assert_eq!(count_words("a bb ccc".into(), 2), 2);
//!
//! // ...and `count_words::request` turns a call into a work request. The
//! // pool holds the total, and the callbacks are handed it.
//! let mut pool = ThreadPool::with_state(2, 0_usize)?;
//! pool.put_request(
//!     count_words::request("the quick brown fox".into(), 4)
//!         .on_result_with(|total: &mut usize, _id, n| *total += n),
//! )?;
//! // One request per argument tuple: `make_requests` for this function.
//! for request in count_words::requests([("a bb".into(), 2), ("ccc dddd".into(), 1)]) {
//!     pool.put_request(request.on_result_with(|total: &mut usize, _id, n| *total += n))?;
//! }
//! pool.wait()?;
//! assert_eq!(*pool.state(), 2 + 1 + 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is generated
//!
//! Beside the function (which stays exactly as written), an empty enum of
//! the same name serves as a namespace for its constructors. A function and
//! a type live in different namespaces, so `count_words(..)` still calls the
//! function and `count_words::request(..)` names a constructor. For
//! `fn f(a: A, b: B) -> T`:
//!
//! | item | builds |
//! |---|---|
//! | `f::request(a, b)` | a `WorkRequest<'a, T>` whose job calls `f(a, b)` on a worker |
//! | `f::send_request(a, b)` | a `SendWorkRequest<T>`, to put from another thread through a `PoolHandle` |
//! | `f::requests(args)` | a `Vec<WorkRequest<'a, T>>`, one per item of `args`: `(A, B)` tuples, the argument itself for a one-argument function, `()` for none |
//! | `f::job((a, b))` | `f(a, b)` from one tuple: the function to hand to `make_requests`, `make_requests_with` and `make_requests_with_state`, for callbacks shared by every request |
//!
//! Each generated item keeps the function's visibility, `#[cfg]`s, generics
//! and where-clause, and carries its doc comment after a generated line that
//! says what it builds. Arguments may be patterns (`(a, b): (u32, u32)`,
//! `mut x`, `Point { x, .. }: Point`); the constructors take plain
//! parameters of the same types. Argument types and the return type must be
//! `Send + 'static`, because the arguments move to a worker thread and the
//! value comes back; for generic functions that requirement is added to the
//! constructors' where-clauses. `impl Trait` arguments are accepted (the
//! constructors require them to be `Send + 'static` too).
//!
//! The namespace is an enum rather than a module so that the constructors
//! see what the function sees: they work for a function declared inside
//! another function (a test, or a doctest like the ones here) as well as at
//! module level.
//!
//! ```
//! use threadpool_core::{ThreadPool, make_requests_with_state};
//!
//! #[threadpool_core::work_request]
//! fn distance((x1, y1): (i64, i64), (x2, y2): (i64, i64)) -> i64 {
//!     (x1 - x2).abs() + (y1 - y2).abs()
//! }
//!
//! #[derive(Default)]
//! struct Trip { total: i64, failed: u32 }
//!
//! let mut pool = ThreadPool::with_state(2, Trip::default())?;
//! let pairs = [((0, 0), (3, 4)), ((1, 1), (1, 2))];
//! // `job` with `make_requests_with_state`: one pair of callbacks for
//! // every request, handed the pool's state.
//! let requests = make_requests_with_state(
//!     distance::job,
//!     pairs,
//!     |trip: &mut Trip, _id, d| trip.total += d,
//!     |trip: &mut Trip, _id, _exc| trip.failed += 1,
//! );
//! for request in requests {
//!     pool.put_request(request)?;
//! }
//! pool.wait()?;
//! assert_eq!((pool.state().total, pool.state().failed), (7 + 1, 0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Options
//!
//! `#[work_request(name = .., on_result = .., on_exception = .., ..)]`, in
//! any order; any other option is refused. Each callback option is named
//! for the request builder method it calls, and takes the path of a
//! function that returns nothing: a free function, or an associated one
//! such as `Summary::record` (a method taking `&mut self` is a state-style
//! callback of its type):
//!
//! - `name = Ident`: name the namespace `Ident` instead of the function's
//!   name.
//! - The result callback, at most one of:
//!   - `on_result = path`: the value goes to `fn(RequestId, T)` (Python's
//!     `callback`);
//!   - `on_result_with = path`: the value goes to `fn(&mut S, RequestId, T)`
//!     with the pool's state `S` (see `ThreadPool::with_state`);
//!   - `on_ok = path`, for a function that returns `Result<T, E>`: an `Ok`
//!     value goes to `fn(RequestId, T)`, and an `Err` takes the exception
//!     path as `Exception::Failed`, the way a Python job that raises
//!     reaches `exc_callback`;
//!   - `on_ok_with = path`: likewise, with the state,
//!     `fn(&mut S, RequestId, T)`.
//! - The exception behaviour, at most one of:
//!   - `on_exception = path`: a panic (or, with `on_ok`, an `Err`) goes to
//!     `fn(RequestId, Exception)` instead of the default report on stderr
//!     (Python's `exc_callback`);
//!   - `on_exception_with = path`: likewise, with the state,
//!     `fn(&mut S, RequestId, Exception)`;
//!   - `ignore_exception`: a panic is counted in the pool's stats and
//!     otherwise ignored, as is an `Err` with `on_ok`.
//!
//! The request's builder methods (`on_result`, `on_result_with`,
//! `on_exception`, `ignore_exception`, ...) replace these defaults on a
//! single request.
//!
//! The state-style options suit a program whose pool holds its state: the
//! callbacks are plain functions of that state, every request built by the
//! constructors carries them, and the requests from
//! `send_request` update the same state when another thread puts them
//! through a `PoolHandle`.
//!
//! ```
//! use threadpool_core::{Exception, RequestId, ThreadPool, work_request};
//!
//! /// What the callbacks gather, held by the pool.
//! #[derive(Default)]
//! struct Sizes {
//!     total: usize,
//!     problems: Vec<String>,
//! }
//!
//! impl Sizes {
//!     fn add(&mut self, _id: RequestId, len: usize) {
//!         self.total += len;
//!     }
//!
//!     fn problem(&mut self, id: RequestId, exception: Exception) {
//!         let what = if exception.is_panic() { "panicked" } else { "failed" };
//!         self.problems.push(format!("{id} {what}: {exception}"));
//!     }
//! }
//!
//! /// The length of a name; an empty one is an error.
//! #[work_request(on_ok_with = Sizes::add, on_exception_with = Sizes::problem)]
//! fn name_len(name: String) -> Result<usize, String> {
//!     if name.is_empty() { Err("no name".to_owned()) } else { Ok(name.len()) }
//! }
//!
//! let mut pool = ThreadPool::with_state(2, Sizes::default())?;
//! let names = ["ada", "", "grace"].map(String::from);
//! pool.put_requests(name_len::requests(names).into_iter().zip(1..).map(|(r, id)| r.with_id(id)))?;
//! // From another thread, into the same state.
//! let handle = pool.handle();
//! std::thread::spawn(move || handle.put_request(name_len::send_request("alan".into())))
//!     .join()
//!     .unwrap()?;
//! pool.wait()?;
//! assert_eq!(pool.state().total, 3 + 5 + 4);
//! assert_eq!(pool.state().problems, ["2 failed: no name"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Callbacks that are handed no state reach the program through whatever a
//! plain function can see:
//!
//! ```
//! use threadpool_core::{Exception, RequestId, ThreadPool, work_request};
//!
//! fn print_digest(id: RequestId, digest: u64) {
//!     println!("request {id}: {digest:016x}");
//! }
//!
//! fn print_failure(id: RequestId, exception: Exception) {
//!     println!("request {id} failed: {exception}");
//! }
//!
//! /// A small multiplicative digest of `data`; refuses empty input.
//! #[work_request(name = Digest, on_result = print_digest, on_exception = print_failure)]
//! fn digest(data: Vec<u8>) -> u64 {
//!     assert!(!data.is_empty(), "nothing to digest");
//!     data.iter().fold(7, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
//! }
//!
//! let mut mine = None;
//! let mut pool = ThreadPool::new(2)?;
//! let requests = [
//!     Digest::request(b"abc".to_vec()), // printed by print_digest
//!     Digest::request(Vec::new()),      // printed by print_failure
//!     Digest::request(b"x".to_vec()).on_result(|_id, d| mine = Some(d)),
//! ];
//! for request in requests {
//!     pool.put_request(request)?;
//! }
//! pool.wait()?;
//! drop(pool);
//! assert_eq!(mine, Some(7 * 31 + u64::from(b'x')));
//!
//! /// Panics are expected here and need no report.
//! #[work_request(ignore_exception)]
//! fn risky(n: u32) -> u32 {
//!     assert!(n < 10, "too big");
//!     n
//! }
//!
//! let mut pool = ThreadPool::new(1)?;
//! pool.put_request(risky::request(99))?;
//! pool.wait()?;
//! assert_eq!(pool.stats().panicked, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! The attribute refuses, with an error on the offending tokens, and still
//! emits the function unchanged so nothing else breaks:
//!
//! - an `async fn` (a worker has no executor) or an `unsafe fn` (the safe
//!   constructors could not uphold its contract);
//! - a method: a `self` receiver, or `Self` in the signature. Methods are
//!   not supported; annotate a free function that takes the value as an
//!   argument. (An associated function in an `impl` block that mentions
//!   neither is not detected, and rustc rejects the generated enum there.)
//! - an argument type that borrows (`&str`, `&[T]`, `&mut T`, `Cow<'_, str>`)
//!   or a lifetime parameter, with the owned type to use instead. `&'static`
//!   references and higher-ranked ones such as `fn(&str) -> usize` are fine;
//! - an `impl Trait` return type, which callbacks could not name;
//! - anything that is not a function; unknown, repeated or conflicting
//!   options (two result callbacks, two exception behaviours); a closure
//!   where an option wants a function path.
//!
//! rustc reports, at the option's path, a callback of the wrong signature,
//! `on_ok` on a function that does not return a `Result` (or whose error
//! type is not `Display`), and `on_result_with`/`on_ok_with` and
//! `on_exception_with` functions that take different state types: a pool
//! holds one state, so the attribute makes them agree at compile time
//! rather than leave the put to refuse the request at run time.
//!
//! ```compile_fail
//! #[threadpool_core::work_request]
//! fn count_words(text: &str) -> usize { // error: argument type `&str` borrows ...
//!     text.split_whitespace().count()
//! }
//! ```
//!
//! Argument or return types that are not `Send` are reported by rustc
//! (``"`Rc<String>` cannot be sent between threads safely"``) at the
//! attribute.
#![warn(missing_docs)]

mod expand;
mod options;

use proc_macro::TokenStream;

/// Generates work-request constructors beside a function: see the
/// [crate documentation](crate) for the items, options and errors.
///
/// # Examples
///
/// ```
/// use threadpool_core::{RequestId, ThreadPool, work_request};
///
/// fn add(sum: &mut u64, _id: RequestId, square: u64) {
///     *sum += square;
/// }
///
/// #[work_request(on_result_with = add)]
/// fn square(n: u64) -> u64 {
///     n * n
/// }
///
/// let mut pool = ThreadPool::with_state(2, 0_u64)?;
/// pool.put_requests(square::requests(1..=3))?;
/// pool.wait()?;
/// assert_eq!(pool.into_state(), 1 + 4 + 9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[proc_macro_attribute]
pub fn work_request(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
