//! The options inside `#[work_request(...)]`.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Path, Token};

/// The option names, in the order the docs list them.
const KNOWN: &str = "`name`, `on_result`, `on_exception`, `ignore_exception`";

/// What a request built by the generated constructors does on a panic,
/// unless the caller changes it.
pub(crate) enum OnException {
    /// The pool's default report on stderr.
    Report,
    /// `ignore_exception`: nothing.
    Ignore,
    /// `on_exception = path`: call this function.
    Call(Path),
}

/// The parsed attribute arguments.
pub(crate) struct Options {
    /// `name = ident`: the name of the generated namespace type.
    pub(crate) name: Option<Ident>,
    /// `on_result = path`: the default result callback.
    pub(crate) on_result: Option<Path>,
    /// `on_exception = path` or `ignore_exception`.
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
            match (key.to_string().as_str(), value) {
                ("name", Some(EntryValue::Ident(name))) => {
                    once(&key, options.name.is_some())?;
                    options.name = Some(name);
                }
                ("on_result", Some(EntryValue::Path(path))) => {
                    once(&key, options.on_result.is_some())?;
                    options.on_result = Some(path);
                }
                ("on_exception", Some(EntryValue::Path(path))) => {
                    exclusive(&key, exception_key.as_ref())?;
                    options.on_exception = OnException::Call(path);
                    exception_key = Some(key);
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
                ("on_result" | "on_exception", None) => {
                    return Err(syn::Error::new_spanned(
                        &key,
                        format!("`{key}` needs a function path: `{key} = path::to::callback`"),
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

/// Refuses `on_exception` together with `ignore_exception` (or either twice).
fn exclusive(key: &Ident, earlier: Option<&Ident>) -> syn::Result<()> {
    match earlier {
        None => Ok(()),
        Some(earlier) if earlier == key => once(key, true),
        Some(earlier) => Err(syn::Error::new_spanned(
            key,
            format!("`{key}` conflicts with `{earlier}`: a request has one exception behaviour"),
        )),
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
        assert_eq!(
            quote::quote!(#on_result).to_string(),
            "crate :: log :: done"
        );
        assert!(matches!(options.on_exception, OnException::Call(_)));
        assert!(matches!(
            parse("ignore_exception").unwrap().on_exception,
            OnException::Ignore
        ));
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
    }
}
