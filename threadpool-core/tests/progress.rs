//! Progress from running jobs: values arrive on the polling thread in
//! order, coalesced to the latest when the poller is slower than the job,
//! before the request's result, in bounded memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use threadpool_core::{Progress, ThreadPool, WorkRequest};

mod common;
use common::watchdog;

#[derive(Debug, PartialEq)]
enum Event {
    Progress(u64),
    Result(u64),
}

#[test]
fn values_arrive_in_order_and_before_the_result() {
    watchdog("values_arrive_in_order_and_before_the_result", || {
        let mut pool = ThreadPool::with_state(4, Vec::<Vec<Event>>::new()).unwrap();
        let jobs = 8;
        pool.state_mut().resize_with(jobs, Vec::new);
        for job in 0..jobs {
            pool.put_request(
                WorkRequest::with_progress(move |p: Progress<u64>| {
                    for v in 0..20_000 {
                        p.report(v);
                    }
                    job as u64
                })
                .on_progress_with(move |log: &mut Vec<Vec<Event>>, _, v| {
                    log[job].push(Event::Progress(v));
                })
                .on_result_with(move |log: &mut Vec<Vec<Event>>, _, r| {
                    log[job].push(Event::Result(r));
                }),
            )
            .unwrap();
        }
        // Poll as a frame loop would, more slowly than the jobs report.
        while pool.outstanding() > 0 {
            pool.poll().unwrap();
            std::thread::yield_now();
        }
        for (job, events) in pool.state().iter().enumerate() {
            let (last, values) = events.split_last().unwrap();
            assert_eq!(*last, Event::Result(job as u64), "the result comes last");
            let values: Vec<u64> = values
                .iter()
                .map(|e| match e {
                    Event::Progress(v) => *v,
                    Event::Result(_) => panic!("two results"),
                })
                .collect();
            assert!(
                values.windows(2).all(|w| w[0] < w[1]),
                "in order, no repeats"
            );
            assert_eq!(values.last(), Some(&19_999), "the last value is never lost");
        }
    });
}

#[test]
fn values_reported_while_nobody_polls_coalesce_to_the_latest() {
    watchdog(
        "values_reported_while_nobody_polls_coalesce_to_the_latest",
        || {
            let mut pool = ThreadPool::with_state(1, Vec::<u64>::new()).unwrap();
            let (finished_tx, finished) = mpsc::channel();
            pool.put_request(
                WorkRequest::with_progress(move |p: Progress<u64>| {
                    for v in 1..=1000 {
                        p.report(v);
                    }
                    finished_tx.send(()).unwrap();
                })
                .on_progress_with(|seen: &mut Vec<u64>, _, v| seen.push(v)),
            )
            .unwrap();
            finished.recv().unwrap(); // all 1000 reported, none polled
            pool.wait().unwrap();
            assert_eq!(pool.state(), &[1000], "one notice, the latest value");
        },
    );
}

/// A value that counts how many of its kind are alive.
struct Counted(Arc<AtomicUsize>, #[allow(dead_code)] Vec<u8>);

impl Counted {
    fn new(live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, Ordering::SeqCst);
        Counted(Arc::clone(live), vec![0; 4096])
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn a_fast_job_and_a_slow_poller_keep_at_most_one_value_waiting() {
    watchdog(
        "a_fast_job_and_a_slow_poller_keep_at_most_one_value_waiting",
        || {
            let live = Arc::new(AtomicUsize::new(0));
            let peak = Arc::new(AtomicUsize::new(0));
            let delivered = Arc::new(Mutex::new(0_usize));
            let mut pool = ThreadPool::new(1).unwrap();
            let (job_live, job_peak) = (Arc::clone(&live), Arc::clone(&peak));
            let count = Arc::clone(&delivered);
            pool.put_request(
                WorkRequest::with_progress(move |p: Progress<Counted>| {
                    for _ in 0..5_000 {
                        p.report(Counted::new(&job_live));
                        // The one waiting in the slot, and none other (the
                        // replaced one is dropped by `report`).
                        job_peak.fetch_max(job_live.load(Ordering::SeqCst), Ordering::SeqCst);
                    }
                })
                .on_progress(move |_, value: Counted| {
                    *count.lock().unwrap() += 1;
                    drop(value);
                }),
            )
            .unwrap();
            while pool.outstanding() > 0 {
                pool.poll().unwrap();
                std::thread::yield_now();
            }
            // The poller holds one value while its callback runs, the slot
            // another: never more than two alive, however many reported.
            assert!(
                peak.load(Ordering::SeqCst) <= 2,
                "peak {}",
                peak.load(Ordering::SeqCst)
            );
            assert!(*delivered.lock().unwrap() >= 1);
            drop(pool);
            assert_eq!(live.load(Ordering::SeqCst), 0, "nothing leaked");
        },
    );
}

#[test]
#[should_panic(expected = "the job reports `u64`, this callback takes `u32`")]
fn a_progress_callback_of_another_type_is_refused() {
    let _ = WorkRequest::with_progress(|p: Progress<u64>| p.report(1)).on_progress(|_, _v: u32| {});
}

#[test]
#[should_panic(expected = "was not made by `WorkRequest::with_progress`")]
fn a_progress_callback_needs_a_progress_request() {
    let _ = WorkRequest::new(|| 1).on_progress(|_, _v: u32| {});
}

#[test]
fn requests_put_through_a_handle_report_progress_too() {
    watchdog("requests_put_through_a_handle_report_progress_too", || {
        let mut pool = ThreadPool::with_state(2, Vec::<Vec<Event>>::new()).unwrap();
        pool.state_mut().resize_with(4, Vec::new);
        let handle = pool.handle();
        std::thread::spawn(move || {
            for job in 0..4_usize {
                let request =
                    threadpool_core::SendWorkRequest::with_progress(move |p: Progress<u64>| {
                        for v in 0..5_000 {
                            p.report(v);
                        }
                        job as u64
                    })
                    .on_progress_with(move |log: &mut Vec<Vec<Event>>, _, v: u64| {
                        log[job].push(Event::Progress(v));
                    })
                    .on_result_with(move |log: &mut Vec<Vec<Event>>, _, r| {
                        log[job].push(Event::Result(r));
                    });
                handle.put_request(request).unwrap();
            }
        })
        .join()
        .unwrap();
        while pool.outstanding() > 0 {
            pool.poll().unwrap();
            std::thread::yield_now();
        }
        for (job, events) in pool.state().iter().enumerate() {
            let (last, values) = events.split_last().unwrap();
            assert_eq!(*last, Event::Result(job as u64), "the result comes last");
            let values: Vec<u64> = values
                .iter()
                .map(|e| match e {
                    Event::Progress(v) => *v,
                    Event::Result(_) => panic!("two results"),
                })
                .collect();
            assert!(values.windows(2).all(|w| w[0] < w[1]), "in order");
            assert_eq!(values.last(), Some(&4_999), "the last value is never lost");
        }
    });
}
