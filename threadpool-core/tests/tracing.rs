//! With the `tracing` feature, every request gets a `request` span on its
//! worker and a `callback` span on the polling thread, each with its id.
#![cfg(feature = "tracing")]

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use threadpool_core::{ThreadPool, WorkRequest};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records the name and `id` field of every span created.
#[derive(Default)]
struct Spans {
    next: AtomicU64,
    seen: Mutex<Vec<(&'static str, String)>>,
    entered: AtomicUsize,
}

struct IdField<'a>(&'a mut String);

impl tracing::field::Visit for IdField<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "id" {
            *self.0 = format!("{value:?}");
        }
    }
}

/// A handle on the shared record, installed as the global subscriber.
#[derive(Clone)]
struct Recorder(Arc<Spans>);

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut id = String::new();
        span.record(&mut IdField(&mut id));
        self.0
            .seen
            .lock()
            .unwrap()
            .push((span.metadata().name(), id));
        Id::from_u64(self.0.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {
        self.0.entered.fetch_add(1, Ordering::Relaxed);
    }
    fn exit(&self, _: &Id) {}
}

#[test]
fn each_request_gets_a_span_for_its_job_and_its_callback() {
    let spans = Arc::new(Spans::default());
    tracing::subscriber::set_global_default(Recorder(Arc::clone(&spans))).unwrap();
    let mut pool = ThreadPool::new(2).unwrap();
    for n in 1..=3_u64 {
        pool.put_request(WorkRequest::new(move || n).with_id(n).on_result(|_, _| ()))
            .unwrap();
    }
    pool.wait().unwrap();
    let mut seen = spans.seen.lock().unwrap().clone();
    seen.sort();
    let expected: Vec<(&str, String)> = ["callback", "request"]
        .iter()
        .flat_map(|name| (1..=3).map(move |n| (*name, n.to_string())))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(spans.entered.load(Ordering::Relaxed), 6);
}
