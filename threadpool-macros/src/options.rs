//! The options inside `#[work_request(...)]`.
//!
//! Each callback option is named for the request builder method that
//! installs it (`on_result_with = path` becomes `.on_result_with(path)`), so
//! an option reads the way the same request written by hand does.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Path, Token};

/// The option names, in the order the docs list them.
const KNOWN: &str = "`name`, `on_result`, `on_result_with`, `on_ok`, `on_ok_with`, \
                     `on_exception`, `on_exception_with`, `ignore_exception`";

/// The options that set the result callback, with the signature each
/// expects (for the messages).
const RESULT_OPTIONS: &[(&str, &str)] = &[
    ("on_result", "a `fn(RequestId, T)`"),
    (
        "on_result_with",
        "a `fn(&mut S, RequestId, T)`, `S` the pool's state",
    ),
    (
        "on_ok",
        "a `fn(RequestId, T)` for a function that returns `Result<T, E>`",
    ),
    (
        "on_ok_with",
        "a `fn(&mut S, RequestId, T)` for a function that returns `Result<T, E>`",
    ),
];

/// The options that set the exception callback, likewise.
const EXCEPTION_OPTIONS: &[(&str, &str)] = &[
    ("on_exception", "a `fn(RequestId, Exception)`"),
    (
        "on_exception_with",
        "a `fn(&mut S, RequestId, Exception)`, `S` the pool's state",
    ),
];

/// A default callback: the option that set it, which is also the name of
/// the builder method that installs it, and the function.
pub(crate) struct Callback {
    /// `on_result`, `on_ok_with`, ...: the user's token, so that an error
    /// about the method points at it.
    pub(crate) method: Ident,
    /// The function the user named.
    pub(crate) path: Path,
}

impl Callback {
    /// Whether the callback is handed the pool's state (`..._with`).
    pub(crate) fn takes_state(&self) -> bool {
        self.method.to_string().ends_with("_with")
    }

    /// Whether it is `on_ok` or `on_ok_with`, which send an `Err` to the
    /// exception path.
    pub(crate) fn splits_results(&self) -> bool {
        self.method.to_string().starts_with("on_ok")
    }
}

/// What a request built by the generated constructors does on a panic,
/// unless the caller changes it.
pub(crate) enum OnException {
    /// The pool's default report on stderr.
    Report,
    /// `ignore_exception`: nothing.
    Ignore,
    /// `on_exception = path` or `on_exception_with = path`.
    Call(Callback),
}

/// The parsed attribute arguments.
pub(crate) struct Options {
    /// `name = ident`: the name of the generated namespace type.
    pub(crate) name: Option<Ident>,
    /// `on_result`, `on_result_with`, `on_ok` or `on_ok_with`.
    pub(crate) on_result: Option<Callback>,
    /// `on_exception`, `on_exception_with` or `ignore_exception`.
    pub(crate) on_exception: OnException,
}

/// One `key` or `key = value` inside the parentheses.
struct Entry {
    key: Ident,
    value: Option<EntryValue>,
}

enum EntryValue {
    Ident(Ident),
    Path(Path),
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        if !input.peek(Token![=]) {
            return Ok(Entry { key, value: None });
        }
        input.parse::<Token![=]>()?;
        if input.peek(Token![|]) || input.peek(Token![||]) || input.peek(Token![move]) {
            let closure: syn::ExprClosure = input.parse()?;
            return Err(syn::Error::new_spanned(
                closure,
                format!(
                    "`{key}` takes the path of a function, not a closure: \
                     write the callback as a `fn` and name it here"
                ),
            ));
        }
        let value = if key == "name" {
            EntryValue::Ident(input.parse()?)
        } else {
            EntryValue::Path(input.parse()?)
        };
        Ok(Entry {
            key,
            value: Some(value),
        })
    }
}

impl Parse for Options {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let entries = Punctuated::<Entry, Token![,]>::parse_terminated(input)?;
        let mut options = Options {
            name: None,
            on_result: None,
            on_exception: OnException::Report,
        };
        // The key of the option that set `on_exception`, for the conflict
        // message.
        let mut exception_key: Option<Ident> = None;
        for Entry { key, value } in entries {
            let text = key.to_string();
            let expects = RESULT_OPTIONS
                .iter()
                .chain(EXCEPTION_OPTIONS)
                .find(|(name, _)| *name == text)
                .map(|(_, signature)| *signature);
            let is_result = RESULT_OPTIONS.iter().any(|(name, _)| *name == text);
            match (text.as_str(), value) {
                ("name", Some(EntryValue::Ident(name))) => {
                    once(&key, options.name.is_some())?;
                    options.name = Some(name);
                }
                (_, Some(EntryValue::Path(path))) if is_result => {
                    if let Some(earlier) = &options.on_result {
                        return Err(conflict(&key, &earlier.method, "one result callback"));
                    }
                    options.on_result = Some(Callback { method: key, path });
                }
                (_, Some(EntryValue::Path(path))) if expects.is_some() => {
                    exclusive(&key, exception_key.as_ref())?;
                    exception_key = Some(key.clone());
                    options.on_exception = OnException::Call(Callback { method: key, path });
                }
                ("ignore_exception", None) => {
                    exclusive(&key, exception_key.as_ref())?;
                    options.on_exception = OnException::Ignore;
                    exception_key = Some(key);
                }
                ("name", None) => {
                    return Err(syn::Error::new_spanned(
                        key,
                        "`name` needs a value: `name = my_requests`",
                    ));
                }
                (_, None) if expects.is_some() => {
                    let expects = expects.unwrap_or_default();
                    return Err(syn::Error::new_spanned(
                        &key,
                        format!(
                            "`{key}` needs a function path: `{key} = path::to::callback`, \
                             {expects}"
                        ),
                    ));
                }
                ("ignore_exception", Some(_)) => {
                    return Err(syn::Error::new_spanned(
                        key,
                        "`ignore_exception` takes no value: write `ignore_exception` alone",
                    ));
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &key,
                        format!("unknown option `{key}`; expected one of {KNOWN}"),
                    ));
                }
            }
        }
        Ok(options)
    }
}

/// Refuses an option given twice.
fn once(key: &Ident, seen: bool) -> syn::Result<()> {
    if seen {
        Err(syn::Error::new_spanned(
            key,
            format!("option `{key}` is given more than once"),
        ))
    } else {
        Ok(())
    }
}

/// Refuses a second option for one callback: the same option twice, or
/// two that would set the same callback.
fn conflict(key: &Ident, earlier: &Ident, what: &str) -> syn::Error {
    if earlier == key {
        syn::Error::new_spanned(key, format!("option `{key}` is given more than once"))
    } else {
        syn::Error::new_spanned(
            key,
            format!("`{key}` conflicts with `{earlier}`: a request has {what}"),
        )
    }
}

/// Refuses two exception options (`on_exception`, `on_exception_with`,
/// `ignore_exception`), or one twice.
fn exclusive(key: &Ident, earlier: Option<&Ident>) -> syn::Result<()> {
    match earlier {
        None => Ok(()),
        Some(earlier) => Err(conflict(key, earlier, "one exception behaviour")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tokens: &str) -> syn::Result<Options> {
        syn::parse_str(tokens)
    }

    #[test]
    fn empty_options_keep_the_defaults() {
        let options = parse("").unwrap();
        assert!(options.name.is_none());
        assert!(options.on_result.is_none());
        assert!(matches!(options.on_exception, OnException::Report));
    }

    #[test]
    fn every_option_parses() {
        let options =
            parse("name = Jobs, on_result = crate::log::done, on_exception = oops,").unwrap();
        assert_eq!(options.name.unwrap(), "Jobs");
        let on_result = options.on_result.unwrap();
        assert_eq!(on_result.method, "on_result");
        let path = &on_result.path;
        assert_eq!(quote::quote!(#path).to_string(), "crate :: log :: done");
        assert!(!on_result.takes_state() && !on_result.splits_results());
        assert!(matches!(options.on_exception, OnException::Call(_)));
        assert!(matches!(
            parse("ignore_exception").unwrap().on_exception,
            OnException::Ignore
        ));
    }

    #[test]
    fn state_and_ok_options_name_their_builder_method() {
        let options = parse("on_ok_with = Summary::record, on_exception_with = failed").unwrap();
        let on_result = options.on_result.unwrap();
        assert_eq!(on_result.method, "on_ok_with");
        assert!(on_result.takes_state() && on_result.splits_results());
        let OnException::Call(on_exception) = options.on_exception else {
            panic!("on_exception_with sets an exception callback");
        };
        assert_eq!(on_exception.method, "on_exception_with");
        assert!(on_exception.takes_state() && !on_exception.splits_results());
        let on_ok = parse("on_ok = done").unwrap().on_result.unwrap();
        assert!(on_ok.splits_results() && !on_ok.takes_state());
        let with = parse("on_result_with = add").unwrap().on_result.unwrap();
        assert!(with.takes_state() && !with.splits_results());
    }

    #[test]
    fn mistakes_are_refused_with_a_message() {
        let message = |tokens| parse(tokens).err().unwrap().to_string();
        assert!(message("callback = f").starts_with("unknown option `callback`"));
        assert!(message("name = a, name = b").contains("more than once"));
        assert!(message("ignore_exception, on_exception = f").contains("conflicts with"));
        assert!(message("ignore_exception, ignore_exception").contains("more than once"));
        assert!(message("on_result").contains("needs a function path"));
        assert!(message("ignore_exception = f").contains("takes no value"));
        assert!(
            message("on_result = f, on_ok_with = g")
                .starts_with("`on_ok_with` conflicts with `on_result`")
        );
        assert!(message("on_ok = f, on_ok = g").contains("more than once"));
        assert!(
            message("on_exception_with = f, ignore_exception")
                .starts_with("`ignore_exception` conflicts with `on_exception_with`")
        );
        assert!(message("on_result_with").contains("`fn(&mut S, RequestId, T)`"));
        assert!(message("on_exception_with = |s, id, e| ()").contains("not a closure"));
    }
}
