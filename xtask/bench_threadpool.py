"""Times Python's `threadpool` module (1.3.2, the 1.2.6 API) for the python
scenario of `cargo xtask bench`: N requests made with `makeRequests`, put with
`putRequest`, collected with `wait`, their results summed by the callback.

Usage: python bench_threadpool.py N WORKERS
Prints the time per request in nanoseconds.
"""

import sys
import time

import threadpool


def main():
    n = int(sys.argv[1])
    workers = int(sys.argv[2])
    total = 0

    def job(x):
        return x * 2

    def callback(request, result):
        nonlocal total
        total += result

    pool = threadpool.ThreadPool(workers)
    started = time.perf_counter()
    for request in threadpool.makeRequests(job, range(n), callback):
        pool.putRequest(request)
    pool.wait()
    elapsed = time.perf_counter() - started
    if total != n * (n - 1):
        sys.exit("wrong sum: %d" % total)
    print(elapsed / n * 1e9)
    # The workers are daemon threads, waiting on the queue with a timeout;
    # exiting leaves them behind instead of waiting out the timeout.


if __name__ == "__main__":
    main()
