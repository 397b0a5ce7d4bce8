"""One pytest run: what it selects, the checks before it, timings and estimates, its end (the
reports) and its recovery."""
