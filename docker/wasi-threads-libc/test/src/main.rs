//! Smoke test for the threaded wasi-libc: std::thread on wasm32-wasip1-threads.
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::thread;

fn main() {
    // 1. spawn + join with return values
    let hs: Vec<_> = (0..4u64).map(|i| thread::spawn(move || i * 10 + 1)).collect();
    let vals: Vec<u64> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(vals, vec![1, 11, 21, 31]);
    println!("ok spawn-join {:?}", vals);

    // 2. Mutex<u64> and AtomicU64, 4 threads x 10_000
    let m = Arc::new(Mutex::new(0u64));
    let a = Arc::new(AtomicU64::new(0));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let (m, a) = (m.clone(), a.clone());
            thread::spawn(move || {
                for _ in 0..10_000 {
                    *m.lock().unwrap() += 1;
                    a.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(*m.lock().unwrap(), 40_000);
    assert_eq!(a.load(Ordering::SeqCst), 40_000);
    println!("ok mutex {} atomic {}", *m.lock().unwrap(), a.load(Ordering::SeqCst));

    // 3. Condvar handoff
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p2 = pair.clone();
    let h = thread::spawn(move || {
        let (l, c) = &*p2;
        *l.lock().unwrap() = true;
        c.notify_one();
    });
    let (l, c) = &*pair;
    let mut ready = l.lock().unwrap();
    while !*ready {
        ready = c.wait(ready).unwrap();
    }
    drop(ready);
    h.join().unwrap();
    println!("ok condvar");

    // 4. mpsc channel between threads
    let (tx, rx) = mpsc::channel();
    let producers: Vec<_> = (0..3u64)
        .map(|t| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..100u64 {
                    tx.send(t * 1000 + i).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let consumer = thread::spawn(move || rx.iter().count());
    for p in producers {
        p.join().unwrap();
    }
    let n = consumer.join().unwrap();
    assert_eq!(n, 300);
    println!("ok mpsc {}", n);

    // 5. thread_local! independent per thread
    thread_local!(static COUNTER: Cell<u32> = Cell::new(0));
    COUNTER.with(|c| c.set(100));
    let hs: Vec<_> = (0..4u32)
        .map(|i| {
            thread::spawn(move || {
                for _ in 0..=i {
                    COUNTER.with(|c| c.set(c.get() + 1));
                }
                COUNTER.with(|c| c.get())
            })
        })
        .collect();
    let got: Vec<u32> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(got, vec![1, 2, 3, 4]);
    assert_eq!(COUNTER.with(|c| c.get()), 100);
    println!("ok thread_local {:?} main={}", got, COUNTER.with(|c| c.get()));

    // 6. a panic in a spawned thread is an Err from join
    // (needs panic=unwind; under panic=abort a panic aborts the process, so
    // this check only runs when the guest was built with unwinding)
    if cfg!(panic = "unwind") {
        let r = thread::spawn(|| -> u32 { panic!("boom") }).join();
        assert!(r.is_err());
        println!("ok panic-join-err");
    } else {
        println!("skip panic-join-err (panic=abort)");
    }

    // 7. Builder::stack_size and a named thread
    let h = thread::Builder::new()
        .name("big".into())
        .stack_size(8 << 20)
        .spawn(|| {
            let buf = [7u8; 4 << 20];
            (thread::current().name().map(String::from), buf.iter().map(|&b| b as u64).sum::<u64>())
        })
        .unwrap();
    let (name, sum) = h.join().unwrap();
    assert_eq!(name.as_deref(), Some("big"));
    assert_eq!(sum, 7 * (4 << 20));
    println!("ok stack_size name={:?}", name);

    println!("all checks passed");
}
