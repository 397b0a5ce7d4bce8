//! The parts of the async-main fixtures that do not depend on a WASI revision.
//! The program itself is `../app.rs`: it names `wasip3` items, so each fixture
//! crate `include!`s it against its own `wasip3` version. Depending on this
//! crate also makes app.rs part of each fixture's sources for the harness's
//! build cache (a path dependency's whole directory is hashed).

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

/// What the suite feeds on stdin (suites/async_main.yaml repeats it).
pub const STDIN: &str = "async stdin: line one\nzweite Zeile äöü 🦀\n";

/// Poll two futures in turn until both are done (no executor crate needed:
/// wit-bindgen's runtime drives `run`, this only multiplexes inside it).
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready((ra.take().unwrap(), rb.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Judge the interleaving log of two timer-driven futures `a` and `b` (4 steps
/// each) that took `took_ms` in all; `Err` says what is wrong.
pub fn judge_interleave(log: &[String], took_ms: u64) -> Result<(), String> {
    let first = |p: &str| log.iter().position(|e| e.starts_with(p)).unwrap_or(usize::MAX);
    let last = |p: &str| log.iter().rposition(|e| e.starts_with(p)).unwrap_or(0);
    if log.len() != 8 {
        return Err(format!("{} of 8 steps ran", log.len()));
    }
    if !(first("b") < last("a") && first("a") < last("b")) {
        return Err(format!("one future ran to its end before the other started: {log:?}"));
    }
    if took_ms < 600 {
        return Err(format!("finished after {took_ms}ms, before the 600ms the timers ask for"));
    }
    // No upper bound on the time: the order above already proves the two made
    // progress concurrently, and a loaded machine may stretch any timer.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn interleaved_in_time_passes() {
        assert_eq!(judge_interleave(&log("a0 b0 a1 b1 a2 b2 a3 b3"), 680), Ok(()));
    }

    #[test]
    fn sequential_fails() {
        assert!(judge_interleave(&log("a0 a1 a2 a3 b0 b1 b2 b3"), 680).is_err());
        assert!(judge_interleave(&log("a0 b0 a1 b1 a2 b2 a3 b3"), 10).is_err());
    }

    #[test]
    fn join2_returns_both() {
        // A trivial executor: both futures are ready at once.
        let fut = join2(async { 1 }, async { "two" });
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut fut = pin!(fut);
        assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready((1, "two")));
    }
}
