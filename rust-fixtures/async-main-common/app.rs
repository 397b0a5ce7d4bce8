// The async `fn main` of a WASIp3 command component, shared by the crates
// async-main-p3rc (wasip3 0.6.x: WASI 0.3.0-rc-2026-03-15) and async-main-p3
// (wasip3 0.7.x: the final WASI 0.3.0). Each crate's lib.rs `include!`s this
// file; the two differ only in which `wasip3` crate the name resolves to, so
// the matrix shows which runtime speaks which WASI 0.3 revision.
//
// It uses no std I/O at all: the check lines go through a `wasi:cli/stdout`
// stream (`write-via-stream`), stdin comes from a `wasi:cli/stdin` stream, and
// waiting is `wasi:clocks/monotonic-clock.wait-for`. The exit status is the
// result of the exported async `wasi:cli/run.run`: `Err(())` is exit status 1.
//
// Checks, one line each (suites/README.md conventions):
//   stdout-stream  the stream write to stdout works (this line arriving is the proof)
//   args           wasi:cli/environment.get-arguments is readable
//   timer-wait     wait-for(50ms) waits at least 50ms on the monotonic clock
//   interleave     two futures, each waiting on timers, make progress concurrently
//   stdin-stream   stdin read to its end through a stream equals what the suite feeds
//   exit-nonzero   (only with the argument `exit-nonzero`) run returns Err: exit status 1

use std::cell::RefCell;

use async_main_common::{join2, judge_interleave, STDIN};

use wasip3::cli::{environment, stdin, stdout};
use wasip3::clocks::monotonic_clock;
use wasip3::wit_bindgen::rt::async_support::StreamWriter;

const MS: u64 = 1_000_000;

struct App;

wasip3::cli::command::export!(App);

impl wasip3::exports::cli::run::Guest for App {
    async fn run() -> Result<(), ()> {
        let (tx, rx) = wasip3::wit_stream::new();
        // The host drains the stream while the checks write to it.
        let copied = stdout::write_via_stream(rx);
        let (status, copied) = join2(
            async move {
                let mut out = Out(tx);
                let status = checks(&mut out).await;
                drop(out); // end of stream: lets write-via-stream's future finish
                status
            },
            async move { copied.await },
        )
        .await;
        // A failed stdout stream cannot be reported on stdout: exit non-zero.
        copied.map_err(|_| ())?;
        status
    }
}

/// Line-oriented writer over the stdout stream.
struct Out(StreamWriter<u8>);

impl Out {
    async fn line(&mut self, text: &str) -> Result<(), ()> {
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(b'\n');
        let rest = self.0.write_all(bytes).await;
        if rest.is_empty() { Ok(()) } else { Err(()) }
    }
    async fn ok(&mut self, check: &str) -> Result<(), ()> {
        self.line(&format!("{check}: ok")).await
    }
    /// Print the failure line and make run return Err (exit status 1).
    async fn fail(&mut self, check: &str, why: impl std::fmt::Display) -> Result<(), ()> {
        let _ = self.line(&format!("{check}: FAILED: {why}")).await;
        Err(())
    }
}

async fn checks(out: &mut Out) -> Result<(), ()> {
    out.ok("stdout-stream").await?;

    let args = environment::get_arguments();
    out.line(&format!("# arguments: {args:?}")).await?;
    out.ok("args").await?;
    let exit_nonzero = args.iter().any(|a| a == "exit-nonzero");

    // A single timer wait.
    let start = monotonic_clock::now();
    monotonic_clock::wait_for(50 * MS).await;
    let waited = monotonic_clock::now().saturating_sub(start);
    if waited < 50 * MS {
        return out.fail("timer-wait", format!("wait-for(50ms) returned after {}us", waited / 1000)).await;
    }
    if waited > 5_000 * MS {
        return out.fail("timer-wait", format!("wait-for(50ms) took {}ms", waited / MS)).await;
    }
    out.ok("timer-wait").await?;

    // Two futures interleaving, each logging after every 150ms wait: A logs
    // at 150, 300, 450, 600 ms, B (starting 75ms late) at 225, 375, 525,
    // 675 ms. Run one after the other they would take 600 + 675 = 1275 ms.
    let log = RefCell::new(Vec::<String>::new());
    let worker = |name: &'static str, offset: u64| {
        let log = &log;
        async move {
            if offset > 0 {
                monotonic_clock::wait_for(offset * MS).await;
            }
            for i in 0..4 {
                monotonic_clock::wait_for(150 * MS).await;
                log.borrow_mut().push(format!("{name}{i}"));
            }
        }
    };
    let start = monotonic_clock::now();
    join2(worker("a", 0), worker("b", 75)).await;
    let took = monotonic_clock::now().saturating_sub(start) / MS;
    let log = log.into_inner();
    out.line(&format!("# interleave: order {} in {took}ms", log.join(" "))).await?;
    if let Err(why) = judge_interleave(&log, took) {
        return out.fail("interleave", why).await;
    }
    out.ok("interleave").await?;

    // stdin through a stream, to its end.
    let (reader, done) = stdin::read_via_stream();
    let bytes = reader.collect().await;
    if let Err(e) = done.await {
        return out.fail("stdin-stream", format!("stdin's result future: {e:?}")).await;
    }
    if bytes != STDIN.as_bytes() {
        return out.fail("stdin-stream", format!("read {:?}, expected {STDIN:?}", String::from_utf8_lossy(&bytes))).await;
    }
    out.ok("stdin-stream").await?;

    if exit_nonzero {
        out.line("exit-nonzero: returning Err(()) from run").await?;
        return Err(());
    }
    Ok(())
}
