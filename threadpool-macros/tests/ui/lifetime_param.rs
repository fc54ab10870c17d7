use std::borrow::Cow;
use threadpool_core::work_request;

#[work_request]
fn shout<'a>(text: Cow<'a, str>) -> String {
    text.to_uppercase()
}

#[work_request]
fn first(text: Cow<'_, str>) -> Option<char> {
    text.chars().next()
}

fn main() {
    let _ = shout(Cow::Borrowed("hi"));
    let _ = first(Cow::Borrowed("hi"));
}
