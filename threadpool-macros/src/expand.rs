//! The expansion of `#[work_request]`: checks the function, then generates
//! the namespace type and its request constructors beside it.
//!
//! For `fn count_words(path: PathBuf, min_len: usize) -> io::Result<usize>`
//! the output is, in outline:
//!
//! ```text
//! fn count_words(...) { ... }                 // unchanged
//!
//! enum count_words {}                         // a namespace, never a value
//! impl count_words {
//!     fn request<'a>(path: PathBuf, min_len: usize) -> WorkRequest<'a, io::Result<usize>>
//!     where PathBuf: Send + 'static, usize: Send + 'static, io::Result<usize>: Send + 'static;
//!     fn send_request(path: PathBuf, min_len: usize) -> SendWorkRequest<io::Result<usize>> ...;
//!     fn requests<'a>(args: impl IntoIterator<Item = (PathBuf, usize)>)
//!         -> Vec<WorkRequest<'a, io::Result<usize>>> ...;
//!     fn job((path, min_len): (PathBuf, usize)) -> io::Result<usize>;
//! }
//! ```
//!
//! `send_request` is the one constructor that installs the attribute's
//! default callbacks; `request` converts what it builds and `requests` calls
//! `request`, so a mistake in a callback option is reported once.
//!
//! The namespace is an empty enum rather than a module because an `impl`
//! resolves names where it stands: the constructors see the function, its
//! argument types and the caller's `use`s even when the function is declared
//! inside a block (a doctest's `main`, a test), where a module's
//! `use super::*` would not.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, FnArg, GenericParam, Ident, Item, ItemFn, Lifetime, Pat, Path, ReturnType, Type,
    TypeImplTrait, TypeReference,
};

use crate::options::{Callback, OnException, Options};

/// Expands `#[work_request(args)] item`. On any error the output is the
/// errors followed by the item unchanged, so the function still exists and
/// no secondary errors follow.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match try_expand(args, item.clone()) {
        Ok(output) => output,
        Err(error) => {
            let mut output = error.to_compile_error();
            output.extend(item);
            output
        }
    }
}

fn try_expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options = syn::parse2::<Options>(args);
    let function = syn::parse2::<Item>(item).and_then(into_function);
    let (options, function) = match (options, function) {
        (Ok(options), Ok(function)) => (options, function),
        (Err(mut first), Err(second)) => {
            first.combine(second);
            return Err(first);
        }
        (Err(error), _) | (_, Err(error)) => return Err(error),
    };
    let errors = check(&function);
    if let Some(error) = errors.into_iter().reduce(|mut all, next| {
        all.combine(next);
        all
    }) {
        return Err(error);
    }
    Ok(generate(&options, function))
}

/// The item as a function, or an error naming what it is instead.
fn into_function(item: Item) -> syn::Result<ItemFn> {
    let item = match item {
        Item::Fn(function) => return Ok(function),
        other => other,
    };
    let (tokens, what) = match &item {
        Item::Struct(s) => (pair(&s.struct_token, &s.ident), "a struct"),
        Item::Enum(e) => (pair(&e.enum_token, &e.ident), "an enum"),
        Item::Union(u) => (pair(&u.union_token, &u.ident), "a union"),
        Item::Trait(t) => (pair(&t.trait_token, &t.ident), "a trait"),
        Item::Impl(i) => (pair(&i.impl_token, &i.self_ty), "an impl block"),
        Item::Mod(m) => (pair(&m.mod_token, &m.ident), "a module"),
        Item::Const(c) => (pair(&c.const_token, &c.ident), "a constant"),
        Item::Static(s) => (pair(&s.static_token, &s.ident), "a static"),
        Item::Type(t) => (pair(&t.type_token, &t.ident), "a type alias"),
        Item::Use(u) => (u.use_token.to_token_stream(), "a `use` declaration"),
        other => (other.to_token_stream(), "this item"),
    };
    Err(syn::Error::new_spanned(
        tokens,
        format!(
            "`#[work_request]` goes on a function, not on {what}; \
             it generates work-request constructors from a function's arguments"
        ),
    ))
}

/// The keyword and name of an item, the tokens an error points at.
fn pair(keyword: &impl ToTokens, name: &impl ToTokens) -> TokenStream {
    quote!(#keyword #name)
}

/// Everything that keeps the function from becoming a work request.
fn check(function: &ItemFn) -> Vec<syn::Error> {
    let sig = &function.sig;
    let mut errors = Vec::new();
    if let Some(asyncness) = &sig.asyncness {
        errors.push(syn::Error::new_spanned(
            asyncness,
            "`#[work_request]` cannot be used on an `async fn`: a worker thread calls the \
             function to completion and has no executor to drive a future; \
             make it a plain `fn` (block on the future inside it if you must)",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            "`#[work_request]` cannot be used on an `unsafe fn`: the generated constructors \
             are safe to call and could not uphold its safety contract; annotate a safe \
             function that calls it instead",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "`#[work_request]` cannot be used on a variadic function",
        ));
    }
    let declared: Vec<&Ident> = sig
        .generics
        .lifetimes()
        .map(|l| &l.lifetime.ident)
        .collect();
    for param in sig.generics.lifetimes() {
        errors.push(syn::Error::new_spanned(
            &param.lifetime,
            format!(
                "`#[work_request]` functions cannot have lifetime parameters such as `{}`: \
                 the arguments move to a worker thread that may outlive the caller, so \
                 they must own their data; take owned types (`String`, `Vec<T>`, `PathBuf`, \
                 `Arc<T>`) instead",
                param.lifetime
            ),
        ));
    }
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                receiver,
                "`#[work_request]` cannot be used on a method: the generated constructors \
                 stand beside the function, where `self` means nothing; make it a free \
                 function that takes the value as an ordinary argument",
            )),
            FnArg::Typed(arg) => {
                let mut borrows = Borrows {
                    errors: &mut errors,
                    declared: &declared,
                    higher_ranked: Vec::new(),
                };
                borrows.visit_type(&arg.ty);
            }
        }
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        let mut returned = ReturnCheck {
            errors: &mut errors,
        };
        returned.visit_type(ty);
    }
    errors
}

/// Finds what an argument type borrows, and `Self`.
struct Borrows<'e> {
    errors: &'e mut Vec<syn::Error>,
    /// The function's lifetime parameters, already reported once each.
    declared: &'e [&'e Ident],
    /// Lifetimes bound by an enclosing `for<'x>`, which borrow nothing.
    higher_ranked: Vec<Ident>,
}

impl<'ast> Visit<'ast> for Borrows<'_> {
    fn visit_type_reference(&mut self, reference: &'ast TypeReference) {
        let lifetime = reference.lifetime.as_ref();
        let owned = |l: &Lifetime| l.ident == "static" || self.higher_ranked.contains(&l.ident);
        if lifetime.is_some_and(owned) {
            self.visit_type(&reference.elem);
            return;
        }
        self.errors.push(syn::Error::new_spanned(
            reference,
            format!(
                "argument type `{}` borrows: the arguments of a `#[work_request]` \
                 function move to a worker thread that may outlive the caller, so they must \
                 own their data; {}",
                shown(reference),
                owned_suggestion(reference)
            ),
        ));
    }

    fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
        let ident = &lifetime.ident;
        if ident == "static" || self.higher_ranked.contains(ident) || self.declared.contains(&ident)
        {
            return;
        }
        self.errors.push(syn::Error::new_spanned(
            lifetime,
            format!(
                "argument type borrows for `{lifetime}`: the arguments of a \
                 `#[work_request]` function move to a worker thread, so they must own \
                 their data (be `'static`)"
            ),
        ));
    }

    fn visit_bound_lifetimes(&mut self, bound: &'ast syn::BoundLifetimes) {
        // `for<'x>` binds names; the types under it are checked by the
        // callers below with these names counted as owned.
        let _ = bound;
    }

    fn visit_trait_bound(&mut self, bound: &'ast syn::TraitBound) {
        self.with_higher_ranked(bound.lifetimes.as_ref(), |this| {
            syn::visit::visit_path(this, &bound.path);
        });
    }

    fn visit_type_bare_fn(&mut self, bare_fn: &'ast syn::TypeBareFn) {
        // A function pointer's own elided lifetimes are higher-ranked:
        // `fn(&str) -> usize` borrows nothing.
        self.with_higher_ranked(bare_fn.lifetimes.as_ref(), |this| {
            for input in &bare_fn.inputs {
                this.visit_type_without_elided_refs(&input.ty);
            }
            if let ReturnType::Type(_, ty) = &bare_fn.output {
                this.visit_type_without_elided_refs(ty);
            }
        });
    }

    fn visit_parenthesized_generic_arguments(
        &mut self,
        arguments: &'ast syn::ParenthesizedGenericArguments,
    ) {
        // `Fn(&str) -> usize`: higher-ranked like a function pointer.
        for input in &arguments.inputs {
            self.visit_type_without_elided_refs(input);
        }
        if let ReturnType::Type(_, ty) = &arguments.output {
            self.visit_type_without_elided_refs(ty);
        }
    }

    fn visit_type_path(&mut self, path: &'ast syn::TypePath) {
        if path.qself.is_none()
            && path
                .path
                .segments
                .first()
                .is_some_and(|s| s.ident == "Self")
        {
            self.errors.push(self_error(path));
            return;
        }
        syn::visit::visit_type_path(self, path);
    }
}

impl Borrows<'_> {
    fn with_higher_ranked(
        &mut self,
        bound: Option<&syn::BoundLifetimes>,
        f: impl FnOnce(&mut Self),
    ) {
        let before = self.higher_ranked.len();
        if let Some(bound) = bound {
            for param in &bound.lifetimes {
                if let GenericParam::Lifetime(param) = param {
                    self.higher_ranked.push(param.lifetime.ident.clone());
                }
            }
        }
        f(self);
        self.higher_ranked.truncate(before);
    }

    /// Checks a type inside `fn(..)` or `Fn(..)`, where an elided `&T` is
    /// higher-ranked; named lifetimes are still checked.
    fn visit_type_without_elided_refs(&mut self, ty: &Type) {
        match ty {
            Type::Reference(reference) if reference.lifetime.is_none() => {
                self.visit_type_without_elided_refs(&reference.elem);
            }
            other => self.visit_type(other),
        }
    }
}

/// What to take instead of a borrowed `&elem`, for the error message.
fn owned_suggestion(reference: &TypeReference) -> String {
    let elem = &*reference.elem;
    let text = shown(elem);
    if reference.mutability.is_some() {
        return format!("take `{text}` by value and return what the caller needs in the result");
    }
    let owned = match elem {
        Type::Slice(slice) => format!("Vec<{}>", shown(&slice.elem)),
        Type::TraitObject(_) => format!("Box<{text} + Send>"),
        _ => match text.as_str() {
            "str" => "String".to_owned(),
            "Path" | "std::path::Path" => "PathBuf".to_owned(),
            "OsStr" | "std::ffi::OsStr" => "OsString".to_owned(),
            "CStr" | "std::ffi::CStr" => "CString".to_owned(),
            _ => {
                return format!("use an owned type such as `{text}`, or `Arc<{text}>` to share it");
            }
        },
    };
    format!("use an owned type such as `{owned}`")
}

/// Tokens as a reader would write them: `&mut Vec<u8>`, not `& mut Vec < u8 >`.
fn shown(tokens: &impl ToTokens) -> String {
    let mut text = tokens.to_token_stream().to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        ("[ ", "["),
        (" ]", "]"),
        ("( ", "("),
        (" )", ")"),
        (" ;", ";"),
    ] {
        text = text.replace(from, to);
    }
    text
}

fn self_error(tokens: impl ToTokens) -> syn::Error {
    syn::Error::new_spanned(
        tokens,
        "`#[work_request]` works on free functions only, where `Self` means nothing; \
         move the function out of the `impl` block",
    )
}

/// Finds what the return type cannot be.
struct ReturnCheck<'e> {
    errors: &'e mut Vec<syn::Error>,
}

impl<'ast> Visit<'ast> for ReturnCheck<'_> {
    fn visit_type_impl_trait(&mut self, impl_trait: &'ast TypeImplTrait) {
        self.errors.push(syn::Error::new_spanned(
            impl_trait,
            "a `#[work_request]` function cannot return `impl Trait`: the request's result \
             type must be nameable by its callbacks; return a concrete type \
             (or `Box<dyn Trait + Send>`)",
        ));
    }

    fn visit_type_path(&mut self, path: &'ast syn::TypePath) {
        if path.qself.is_none()
            && path
                .path
                .segments
                .first()
                .is_some_and(|s| s.ident == "Self")
        {
            self.errors.push(self_error(path));
            return;
        }
        syn::visit::visit_type_path(self, path);
    }
}

/// Adds `Send + 'static` to every `impl Trait` in an argument type, since
/// such a type cannot be named in a where-clause.
struct SendImpls;

impl VisitMut for SendImpls {
    fn visit_type_impl_trait_mut(&mut self, impl_trait: &mut TypeImplTrait) {
        syn::visit_mut::visit_type_impl_trait_mut(self, impl_trait);
        let span = impl_trait.span();
        impl_trait
            .bounds
            .push(syn::parse_quote_spanned!(span=> ::threadpool_core::__private::Send));
        impl_trait
            .bounds
            .push(syn::parse_quote_spanned!(span=> 'static));
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}

/// One argument of the generated constructors.
struct Arg {
    /// The parameter name: the function's own when it is a plain name,
    /// `argN` for a pattern.
    name: Ident,
    /// The type, with `Send + 'static` added to any `impl Trait` in it.
    ty: Type,
}

fn generate(options: &Options, function: ItemFn) -> TokenStream {
    let sig = &function.sig;
    let fn_name = &sig.ident;
    let vis = &function.vis;
    let name = options.name.as_ref().unwrap_or(fn_name);
    let cfgs: Vec<&Attribute> = attrs_named(&function.attrs, "cfg");
    let docs: Vec<&Attribute> = attrs_named(&function.attrs, "doc");
    let private = quote!(::threadpool_core::__private);

    let args = arguments(sig);
    let names: Vec<&Ident> = args.iter().map(|arg| &arg.name).collect();
    let types: Vec<&Type> = args.iter().map(|arg| &arg.ty).collect();
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };

    // `where` predicates: the caller's, then `T: Send + 'static` for every
    // argument type and the return type, each pointing at its type.
    let mut predicates: Vec<TokenStream> = sig
        .generics
        .where_clause
        .iter()
        .flat_map(|clause| clause.predicates.iter().map(ToTokens::to_token_stream))
        .collect();
    for arg in &args {
        if !contains_impl_trait(&arg.ty) {
            let ty = &arg.ty;
            predicates.push(quote_spanned!(ty.span()=> #ty: #private::Send + 'static));
        }
    }
    let output_span = match &sig.output {
        ReturnType::Default => sig.ident.span(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    predicates.push(quote_spanned!(output_span=> #output: #private::Send + 'static));

    let params: Vec<&GenericParam> = sig.generics.params.iter().collect();
    let turbofish = {
        let generic_names: Vec<&Ident> = sig
            .generics
            .params
            .iter()
            .filter_map(|param| match param {
                GenericParam::Type(t) => Some(&t.ident),
                GenericParam::Const(c) => Some(&c.ident),
                GenericParam::Lifetime(_) => None,
            })
            .collect();
        if generic_names.is_empty() {
            quote!()
        } else {
            quote!(::<#(#generic_names),*>)
        }
    };

    let lifetime = Lifetime::new("'a", Span::call_site());
    let call = quote!(#fn_name #turbofish (#(#names),*));
    // Every constructor goes through `send_request`, so the default
    // callbacks are installed, and a mistake in them reported, once.
    let build_send = build_with_options(
        options,
        quote!(#private::SendWorkRequest::new(move || #call)),
    );
    let build_local = quote! {
        <#private::WorkRequest<#lifetime, #output> as ::core::convert::From<_>>::from(
            Self::send_request #turbofish (#(#names),*)
        )
    };

    let item_type = match types.as_slice() {
        [single] => quote!(#single),
        many => quote!((#(#many),*)),
    };
    let item_pattern = match names.as_slice() {
        [single] => quote!(#single),
        many => quote!((#(#many),*)),
    };
    let args_name = Ident::new("args", Span::mixed_site());

    let fn_link = format!("[`{fn_name}`](fn@{fn_name})");
    let defaults = defaults_doc(options);
    let doc_namespace = format!(
        "Work-request constructors for {fn_link}, generated by `#[work_request]`: \
         `request`, `send_request`, `requests` and `job`."
    );
    let doc_request = format!(
        "Builds a `WorkRequest` that calls {fn_link} with these arguments on a pool worker.{defaults}"
    );
    let doc_send = format!(
        "Builds a `SendWorkRequest` that calls {fn_link} with these arguments on a pool \
         worker; it can be put from any thread through a `PoolHandle`.{defaults}"
    );
    let doc_requests = format!(
        "Builds one `WorkRequest` per item of `args`, calling {fn_link} with the item as \
         its arguments (a tuple when it takes several): `make_requests` for this function.\
         {defaults}"
    );
    let doc_job = format!(
        "Calls {fn_link} with the fields of one argument tuple (the argument itself when \
         it takes one): the form `make_requests`, `make_requests_with` and \
         `make_requests_with_state` take, for callbacks shared by all the requests."
    );
    let original_docs = if docs.is_empty() {
        quote!()
    } else {
        quote!(#[doc = ""] #(#docs)*)
    };

    quote! {
        #function

        #(#cfgs)*
        #[doc = #doc_namespace]
        #original_docs
        #[allow(non_camel_case_types, dead_code)]
        #vis enum #name {}

        #(#cfgs)*
        // The `Send + 'static` predicates name the argument types, which may be
        // generic parameters with bounds of their own.
        #[allow(dead_code, clippy::too_many_arguments, clippy::multiple_bound_locations)]
        impl #name {
            #[doc = #doc_request]
            #original_docs
            #vis fn request<#lifetime, #(#params),*>(#(#names: #types),*)
                -> #private::WorkRequest<#lifetime, #output>
            where
                #(#predicates,)*
            {
                #build_local
            }

            #[doc = #doc_send]
            #original_docs
            #vis fn send_request<#(#params),*>(#(#names: #types),*)
                -> #private::SendWorkRequest<#output>
            where
                #(#predicates,)*
            {
                #build_send
            }

            #[doc = #doc_job]
            #original_docs
            #vis fn job<#(#params),*>(#item_pattern: #item_type) -> #output
            where
                #(#predicates,)*
            {
                #call
            }

            #[doc = #doc_requests]
            #original_docs
            #vis fn requests<#lifetime, #(#params),*>(
                #args_name: impl #private::IntoIterator<Item = #item_type>,
            ) -> #private::Vec<#private::WorkRequest<#lifetime, #output>>
            where
                #(#predicates,)*
            {
                #private::Iterator::collect(#private::Iterator::map(
                    #private::IntoIterator::into_iter(#args_name),
                    |#item_pattern| Self::request #turbofish (#(#names),*),
                ))
            }
        }
    }
}

/// `request` with the builder calls that install the attribute's default
/// callbacks, each pointing at the option's tokens so that a wrong
/// signature is reported there.
///
/// When both callbacks take the pool's state, they are first passed
/// through a generic function that makes them take the same type: a
/// request whose callbacks disagree would be refused at run time, and this
/// refuses it at compile time instead, at the exception callback's path.
fn build_with_options(options: &Options, request: TokenStream) -> TokenStream {
    let on_result = options.on_result.as_ref();
    let on_exception = match &options.on_exception {
        OnException::Call(callback) => Some(callback),
        OnException::Report | OnException::Ignore => None,
    };
    let private = quote!(::threadpool_core::__private);
    // Names placed at the user's path (for the errors), resolved
    // hygienically: locals so named cannot shadow the function the job
    // calls, whatever its name.
    let local = |name: &str, at: &Path| Ident::new(name, at.span().resolved_at(Span::mixed_site()));
    let mut prelude = TokenStream::new();
    let mut result_arg = on_result.map(|c| c.path.to_token_stream());
    let mut exception_arg = on_exception.map(|c| c.path.to_token_stream());
    if let (Some(r), Some(e)) = (on_result, on_exception)
        && r.takes_state()
        && e.takes_state()
    {
        let (r_local, e_local) = (local("on_result", &r.path), local("on_exception", &e.path));
        let (r_path, e_path) = (&r.path, &e.path);
        let check = local("callbacks_take_one_state", &e.path);
        // The paths are evaluated before, and the check declared inside, a
        // block of its own: an item is not hygienic, and must neither
        // shadow the function the job calls nor a callback of the same name.
        prelude = quote_spanned! {e.path.span()=>
            let (#r_local, #e_local) = (#r_path, #e_path);
            let (#r_local, #e_local) = {
                fn #check<S, T, X, R, E>(on_result: R, on_exception: E) -> (R, E)
                where
                    R: ::core::ops::FnOnce(&mut S, #private::RequestId, T),
                    E: ::core::ops::FnOnce(&mut S, #private::RequestId, X),
                {
                    (on_result, on_exception)
                }
                #check(#r_local, #e_local)
            };
        };
        result_arg = Some(r_local.to_token_stream());
        exception_arg = Some(e_local.to_token_stream());
    }
    let mut calls = TokenStream::new();
    if let (Some(callback), Some(arg)) = (on_result, result_arg) {
        let method = &callback.method;
        calls.extend(quote_spanned!(callback.path.span()=> .#method(#arg)));
    }
    match (&options.on_exception, exception_arg) {
        (OnException::Call(callback), Some(arg)) => {
            let method = &callback.method;
            calls.extend(quote_spanned!(callback.path.span()=> .#method(#arg)));
        }
        (OnException::Ignore, _) => calls.extend(quote!(.ignore_exception())),
        _ => {}
    }
    quote! {
        #prelude
        #request #calls
    }
}

/// The sentence that names the attribute's default callbacks, if any.
fn defaults_doc(options: &Options) -> String {
    let with_state = |c: &Callback| {
        if c.takes_state() {
            " (with the pool's state)"
        } else {
            ""
        }
    };
    let mut parts = Vec::new();
    let mut exception = "a panic";
    if let Some(on_result) = &options.on_result {
        let path = shown(&on_result.path);
        if on_result.splits_results() {
            parts.push(format!(
                "an `Ok` value goes to `{path}`{}",
                with_state(on_result)
            ));
            exception = "a panic or an `Err`";
        } else {
            parts.push(format!(
                "its value goes to `{path}`{}",
                with_state(on_result)
            ));
        }
    }
    match &options.on_exception {
        OnException::Report if exception == "a panic" => {}
        OnException::Report => parts.push(format!("{exception} is reported on stderr")),
        OnException::Ignore => parts.push(format!("{exception} is ignored")),
        OnException::Call(on_exception) => parts.push(format!(
            "{exception} goes to `{}`{}",
            shown(&on_exception.path),
            with_state(on_exception)
        )),
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(
            " Unless changed with the request's builder methods, {}.",
            parts.join("; ")
        )
    }
}

fn attrs_named<'f>(attrs: &'f [Attribute], name: &str) -> Vec<&'f Attribute> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident(name))
        .collect()
}

/// The generated constructors' parameters, one per argument of the function.
fn arguments(sig: &syn::Signature) -> Vec<Arg> {
    let plain_name = |arg: &syn::PatType| match &*arg.pat {
        Pat::Ident(ident) if ident.subpat.is_none() => Some(ident.ident.clone()),
        _ => None,
    };
    let taken: Vec<String> = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(arg) => plain_name(arg).map(|name| name.to_string()),
            FnArg::Receiver(_) => None,
        })
        .collect();
    sig.inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| match input {
            FnArg::Typed(arg) => Some((index, arg)),
            FnArg::Receiver(_) => None,
        })
        .map(|(index, arg)| {
            let mut name = plain_name(arg).unwrap_or_else(|| {
                let mut name = format_ident!("arg{index}");
                while taken.contains(&name.to_string()) {
                    name = format_ident!("_{name}");
                }
                name
            });
            // Hygienic: the constructors' own locals cannot clash with the
            // caller's constants or statics of the same name.
            name.set_span(Span::mixed_site());
            let mut ty = (*arg.ty).clone();
            SendImpls.visit_type_mut(&mut ty);
            Arg { name, ty }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(options: &str) -> String {
        defaults_doc(&syn::parse_str(options).unwrap())
    }

    #[test]
    fn the_docs_name_each_default_callback() {
        assert_eq!(doc(""), "");
        assert_eq!(
            doc("on_result = crate::done, on_exception = failed"),
            " Unless changed with the request's builder methods, its value goes to \
             `crate::done`; a panic goes to `failed`."
        );
        assert_eq!(
            doc("on_ok_with = Summary::record, ignore_exception"),
            " Unless changed with the request's builder methods, an `Ok` value goes to \
             `Summary::record` (with the pool's state); a panic or an `Err` is ignored."
        );
        assert_eq!(
            doc("on_ok = done"),
            " Unless changed with the request's builder methods, an `Ok` value goes to \
             `done`; a panic or an `Err` is reported on stderr."
        );
        assert_eq!(
            doc("on_exception_with = failed"),
            " Unless changed with the request's builder methods, a panic goes to \
             `failed` (with the pool's state)."
        );
    }
}
