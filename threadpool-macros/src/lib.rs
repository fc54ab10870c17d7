//! Placeholder docs, replaced below.
#![warn(missing_docs)]

mod expand;
mod options;

use proc_macro::TokenStream;

/// Generates work-request constructors for a function.
#[proc_macro_attribute]
pub fn work_request(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}
