//! std::thread probes, one check group per invocation (`thread <group>`), so a
//! red cell names what broke. Every group that needs a second thread starts
//! with `thread::Builder::spawn` (which returns an `io::Result`, unlike
//! `thread::spawn`, which panics): where std has no threads (wasm32-wasip1,
//! wasm32-wasip2, wasm32-wasip3 today) it returns `ErrorKind::Unsupported` and
//! the fixture prints `spawn: unsupported: Unsupported` and exits 3.
//!
//! Every wait is bounded (timeouts on channels and condition variables), so a
//! broken runtime gives a FAILED line rather than a hang.

use fixture_check::{ensure, ensure_eq, fail, io, note, ok};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, RwLock};
use std::thread::{self, JoinHandle, Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

const GROUPS: &[&str] = &[
    "spawn-join",
    "scope",
    "mutex-atomics",
    "condvar",
    "mpsc",
    "thread-local",
    "sleep",
    "panic-join",
    "available-parallelism",
    "builder",
];

/// Bound on every wait for another thread.
const PATIENCE: Duration = Duration::from_secs(20);

fn main() {
    match fixture_check::group(GROUPS).as_str() {
        "spawn-join" => spawn_join(),
        "scope" => scope(),
        "mutex-atomics" => mutex_atomics(),
        "condvar" => condvar(),
        "mpsc" => channels(),
        "thread-local" => thread_local(),
        "sleep" => sleep(),
        "panic-join" => panic_join(),
        "available-parallelism" => available_parallelism(),
        "builder" => builder(),
        _ => unreachable!(),
    }
}

/// Spawn through `Builder` so a missing thread implementation is an error value.
fn spawn<T, F>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    io("spawn", "thread::Builder::spawn", thread::Builder::new().spawn(f))
}

fn spawn_scoped<'scope, 'env, T, F>(s: &'scope Scope<'scope, 'env>, f: F) -> ScopedJoinHandle<'scope, T>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    io("spawn", "thread::Builder::spawn_scoped", thread::Builder::new().spawn_scoped(s, f))
}

fn join<T>(check: &str, h: JoinHandle<T>) -> T {
    match h.join() {
        Ok(v) => v,
        Err(_) => fail(check, "a spawned thread panicked"),
    }
}

fn spawn_join() {
    let h = spawn(|| (1..=100u64).sum::<u64>());
    ok("spawn");
    ensure_eq("spawn-join", "value returned through join", join("spawn-join", h), 5050);
    // Several at once, each returning its own value.
    let hs: Vec<_> = (0..4u64).map(|i| spawn(move || i * i + 1)).collect();
    let got: Vec<u64> = hs.into_iter().map(|h| join("spawn-join", h)).collect();
    ensure_eq("spawn-join", "values from 4 threads", got, vec![1, 2, 5, 10]);
    ok("spawn-join");
    // The spawned thread has its own id.
    let main_id = thread::current().id();
    let other = join("thread-id", spawn(|| thread::current().id()));
    ensure("thread-id", other != main_id, || format!("spawned thread reports the main thread's id {main_id:?}"));
    ok("thread-id");
}

fn scope() {
    let data: Vec<u64> = (1..=1000).collect();
    let mut partial = [0u64; 4];
    thread::scope(|s| {
        let mut handles = Vec::new();
        for (chunk, slot) in data.chunks(250).zip(partial.iter_mut()) {
            // Borrows `data` immutably and one slot of `partial` mutably.
            handles.push(spawn_scoped(s, move || *slot = chunk.iter().sum()));
        }
        ok("spawn");
        for h in handles {
            if h.join().is_err() {
                fail("scope", "a scoped thread panicked");
            }
        }
    });
    ensure_eq("scope", "sum of borrowed chunks", partial.iter().sum::<u64>(), 500_500);
    ensure_eq("scope", "per-chunk sums", partial, [31_375, 93_875, 156_375, 218_875]);
    ok("scope");
}

fn mutex_atomics() {
    const THREADS: u64 = 8;
    const ROUNDS: u64 = 20_000;
    let counter = Arc::new(Mutex::new(0u64));
    let atomic = Arc::new(AtomicU64::new(0));
    let rw = Arc::new(RwLock::new(Vec::<u64>::new()));
    let hs: Vec<_> = (0..THREADS)
        .map(|t| {
            let (counter, atomic, rw) = (counter.clone(), atomic.clone(), rw.clone());
            spawn(move || {
                for i in 0..ROUNDS {
                    *counter.lock().unwrap() += 1;
                    atomic.fetch_add(1, Ordering::Relaxed);
                    if i % 1000 == 0 {
                        rw.write().unwrap().push(t);
                        black_box(rw.read().unwrap().len());
                    }
                    if i % 4096 == 0 {
                        thread::yield_now();
                    }
                }
            })
        })
        .collect();
    ok("spawn");
    for h in hs {
        join("mutex-atomics", h);
    }
    ensure_eq("mutex", "final count", *counter.lock().unwrap(), THREADS * ROUNDS);
    ok("mutex");
    ensure_eq("atomics", "final count", atomic.load(Ordering::SeqCst), THREADS * ROUNDS);
    ok("atomics");
    ensure_eq("rwlock", "entries", rw.read().unwrap().len() as u64, THREADS * ROUNDS / 1000);
    ok("rwlock");
    // compare_exchange under contention: every thread claims distinct tickets.
    let next = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let next = next.clone();
            spawn(move || {
                let mut mine = Vec::new();
                loop {
                    let cur = next.load(Ordering::Relaxed);
                    if cur >= 4000 {
                        break mine;
                    }
                    if next.compare_exchange_weak(cur, cur + 1, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
                        mine.push(cur);
                    }
                }
            })
        })
        .collect();
    let mut all: Vec<usize> = hs.into_iter().flat_map(|h| join("compare-exchange", h)).collect();
    all.sort_unstable();
    ensure("compare-exchange", all == (0..4000).collect::<Vec<_>>(), || {
        format!("tickets are not exactly 0..4000 once each ({} claimed)", all.len())
    });
    ok("compare-exchange");
}

fn condvar() {
    // Two threads hand a token back and forth ROUNDS times: `turn` says whose
    // move it is (0: main, 1: worker); each side waits for its turn.
    const ROUNDS: u32 = 200;
    let pair = Arc::new((Mutex::new((0u8, 0u32)), Condvar::new()));
    let worker = {
        let pair = pair.clone();
        spawn(move || -> Result<(), String> {
            let (lock, cv) = &*pair;
            for _ in 0..ROUNDS {
                let g = lock.lock().unwrap();
                let (mut g, t) = cv.wait_timeout_while(g, PATIENCE, |s| s.0 != 1).unwrap();
                if t.timed_out() {
                    return Err(format!("worker waited {PATIENCE:?} for its turn at count {}", g.1));
                }
                g.1 += 1;
                g.0 = 0;
                cv.notify_all();
            }
            Ok(())
        })
    };
    ok("spawn");
    let (lock, cv) = &*pair;
    for _ in 0..ROUNDS {
        let g = lock.lock().unwrap();
        let (mut g, t) = cv.wait_timeout_while(g, PATIENCE, |s| s.0 != 0).unwrap();
        if t.timed_out() {
            fail("condvar", format!("main waited {PATIENCE:?} for its turn at count {}", g.1));
        }
        g.1 += 1;
        g.0 = 1;
        cv.notify_all();
    }
    if let Err(why) = join("condvar", worker) {
        fail("condvar", why);
    }
    let g = lock.lock().unwrap();
    ensure_eq("condvar", "hand-offs", g.1, 2 * ROUNDS);
    drop(g);
    ok("condvar");
    // wait_timeout with nobody to notify returns after the timeout.
    let m = Mutex::new(());
    let start = Instant::now();
    let (_g, t) = cv.wait_timeout(m.lock().unwrap(), Duration::from_millis(50)).unwrap();
    let waited = start.elapsed();
    ensure("condvar-timeout", t.timed_out(), || "wait_timeout did not report a timeout".into());
    ensure("condvar-timeout", waited >= Duration::from_millis(45), || format!("returned after {waited:?}, before the 50ms timeout"));
    ok("condvar-timeout");
}

fn channels() {
    const PRODUCERS: u64 = 4;
    const EACH: u64 = 1000;
    let (tx, rx) = mpsc::channel::<u64>();
    let hs: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            spawn(move || {
                for j in 0..EACH {
                    tx.send(p * EACH + j).unwrap();
                }
            })
        })
        .collect();
    ok("spawn");
    drop(tx);
    let mut got = Vec::new();
    loop {
        match rx.recv_timeout(PATIENCE) {
            Ok(v) => got.push(v),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => fail("mpsc", format!("no message for {PATIENCE:?} after {} received", got.len())),
        }
    }
    for h in hs {
        join("mpsc", h);
    }
    ensure_eq("mpsc", "messages received", got.len() as u64, PRODUCERS * EACH);
    // Per-producer FIFO order.
    for p in 0..PRODUCERS {
        let mine: Vec<u64> = got.iter().copied().filter(|v| v / EACH == p).collect();
        ensure("mpsc", mine.windows(2).all(|w| w[0] < w[1]), || format!("producer {p}'s messages arrived out of order"));
    }
    got.sort_unstable();
    ensure("mpsc", got == (0..PRODUCERS * EACH).collect::<Vec<_>>(), || "messages lost or duplicated".into());
    ok("mpsc");
    // Rendezvous channel: every send waits for its receive.
    let (tx, rx) = mpsc::sync_channel::<u32>(0);
    let h = spawn(move || {
        for i in 0..100 {
            tx.send(i).unwrap();
        }
    });
    let got: Vec<u32> = (0..100).map(|_| rx.recv_timeout(PATIENCE).unwrap_or_else(|e| fail("sync-channel", e))).collect();
    join("sync-channel", h);
    ensure_eq("sync-channel", "values in order", got, (0..100).collect());
    ok("sync-channel");
}

thread_local! {
    static COUNTER: Cell<u64> = const { Cell::new(0) };
    static DROPS_ON_EXIT: DropCounter = const { DropCounter };
}

static TLS_DROPS: AtomicUsize = AtomicUsize::new(0);

struct DropCounter;
impl Drop for DropCounter {
    fn drop(&mut self) {
        TLS_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

fn thread_local() {
    COUNTER.with(|c| c.set(7));
    let hs: Vec<_> = (1..=4u64)
        .map(|k| {
            spawn(move || {
                let start = COUNTER.with(|c| c.get());
                for _ in 0..1000 {
                    COUNTER.with(|c| c.set(c.get() + k));
                    thread::yield_now();
                }
                DROPS_ON_EXIT.with(|d| black_box(d as *const DropCounter));
                (start, COUNTER.with(|c| c.get()))
            })
        })
        .collect();
    ok("spawn");
    let got: Vec<(u64, u64)> = hs.into_iter().map(|h| join("thread-local", h)).collect();
    ensure_eq("thread-local", "(initial, final) per thread", got, vec![(0, 1000), (0, 2000), (0, 3000), (0, 4000)]);
    ensure_eq("thread-local", "main thread's value", COUNTER.with(|c| c.get()), 7);
    ok("thread-local");
    // Destructors of thread-locals run when each thread exits (before join returns).
    ensure_eq("thread-local-dtor", "thread-local destructors run", TLS_DROPS.load(Ordering::SeqCst), 4);
    ok("thread-local-dtor");
}

fn sleep() {
    // thread::sleep needs no second thread: it works on every target.
    for ms in [1u64, 20, 100] {
        let want = Duration::from_millis(ms);
        let start = Instant::now();
        thread::sleep(want);
        let slept = start.elapsed();
        ensure("sleep", slept >= want, || format!("sleep({want:?}) returned after {slept:?}"));
        ensure("sleep", slept < want + Duration::from_secs(5), || format!("sleep({want:?}) took {slept:?}"));
    }
    ok("sleep");
    thread::sleep(Duration::ZERO);
    thread::yield_now();
    ok("yield-now");
}

fn panic_join() {
    // First show that threads exist at all (exit 3 here where they do not).
    join("spawn", spawn(|| ()));
    ok("spawn");
    if cfg!(panic = "abort") {
        // With panic=abort (the wasm targets' strategy) a panic in any thread
        // aborts the whole process, so it cannot surface through join.
        fixture_check::note("this build uses panic=abort: a panicking thread aborts the process");
        println!("panic-join: unsupported: panic=abort");
        std::process::exit(fixture_check::EXIT_UNSUPPORTED);
    }
    let lock = Arc::new(Mutex::new(0u32));
    let h = {
        let lock = lock.clone();
        spawn(move || {
            let _g = lock.lock().unwrap();
            panic!("deliberate panic in worker");
        })
    };
    match h.join() {
        Ok(()) => fail("panic-join", "join returned Ok for a thread that panicked"),
        Err(payload) => {
            let msg = payload.downcast_ref::<&str>().copied().unwrap_or("<not a &str>");
            ensure_eq("panic-join", "panic payload", msg, "deliberate panic in worker");
        }
    }
    ok("panic-join");
    ensure("poison", lock.is_poisoned() && lock.lock().is_err(), || "a mutex held across a panic is not poisoned".into());
    ok("poison");
    // The process goes on: another thread still runs.
    ensure_eq("after-panic", "value from a new thread", join("after-panic", spawn(|| 42)), 42);
    ok("after-panic");
}

fn available_parallelism() {
    let n = io("available-parallelism", "thread::available_parallelism", thread::available_parallelism());
    note(format!("available_parallelism = {n}"));
    ensure("available-parallelism", n.get() >= 1, || "zero".into());
    ok("available-parallelism");
}

fn builder() {
    let h = io(
        "spawn",
        "Builder::name.stack_size.spawn",
        thread::Builder::new()
            .name("worker-1".into())
            .stack_size(4 << 20)
            .spawn(|| {
                // About 1 MiB of live stack in 64 frames of 16 KiB each.
                fn deep(n: u32) -> u64 {
                    let mut buf = [0u8; 16 * 1024];
                    buf[(n as usize * 31) % buf.len()] = n as u8;
                    let buf = black_box(buf);
                    let here = buf.iter().map(|&b| b as u64).sum::<u64>();
                    if n == 0 { here } else { here + deep(n - 1) }
                }
                (thread::current().name().map(str::to_owned), deep(63))
            }),
    );
    ok("spawn");
    let (name, sum) = join("builder", h);
    ensure_eq("thread-name", "thread::current().name()", name.as_deref(), Some("worker-1"));
    ok("thread-name");
    ensure_eq("stack-size", "sum over 64 frames of 16 KiB", sum, (0..64u64).sum());
    ok("stack-size");
    ensure_eq("main-name", "main thread's name", thread::current().name(), Some("main"));
    ok("main-name");
}
