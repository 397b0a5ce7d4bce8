//! std basics, one check group per invocation (`std-basics <group> [...]`).
//! The values the suite feeds in (arguments, environment, stdin, preopened
//! files) are repeated here as constants: the fixture compares what it
//! received with what suites/std_basics.yaml sends, byte for byte.

use fixture_check::{ensure, ensure_eq, fail, io, must, note, ok};
use std::collections::{BTreeSet, HashSet};
use std::env;
use std::fs;
use std::hash::{BuildHasher, DefaultHasher, Hash, Hasher, RandomState};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::process;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const GROUPS: &[&str] = &[
    "args", "env", "stdin", "exit", "main-err", "panic", "fs", "instant", "system-time", "random", "big-stdout",
];

/// argv[1..] as suites/std_basics.yaml passes it to the `args` group.
pub const ARGS: &[&str] = &["args", "plain", "with space", "héllo wörld", "日本語 🦀", "--flag=x=y", "'quoted'"];
/// Environment as the suite sets it for the `env` group.
pub const ENV: &[(&str, &str)] = &[("FIXTURE_GREETING", "hello"), ("FIXTURE_UNICODE", "grüße ✓ 🦀"), ("FIXTURE_EMPTY", "")];
/// stdin as the suite feeds it to the `stdin` group.
pub const STDIN: &str = "line one\nzweite Zeile: äöü\n🦀 third line without newline";
/// The preopened file the suite provides for the `fs` group (at /data/input.txt).
pub const INPUT_TXT: &str = "preloaded by the harness\nsecond line\n";

fn main() -> Result<(), std::io::Error> {
    match fixture_check::group(GROUPS).as_str() {
        "args" => args(),
        "env" => env_vars(),
        "stdin" => stdin(),
        "exit" => exit(),
        "main-err" => return main_err(),
        "panic" => panic(),
        "fs" => files(),
        "instant" => instant(),
        "system-time" => system_time(),
        "random" => random(),
        "big-stdout" => big_stdout(),
        _ => unreachable!(),
    }
    Ok(())
}

fn args() {
    let all: Vec<String> = env::args().collect();
    ensure("args", !all.is_empty(), || "no argv[0]".into());
    note(format!("argv[0] = {:?}", all[0]));
    ensure_eq("args", "argv[1..]", all[1..].iter().map(String::as_str).collect::<Vec<_>>(), ARGS.to_vec());
    ok("args");
    ensure_eq("args-os", "args_os().count()", env::args_os().count(), ARGS.len() + 1);
    ensure("args-os", env::args_os().skip(1).zip(ARGS).all(|(a, b)| a == *b), || "args_os differs from args".into());
    ok("args-os");
}

fn env_vars() {
    for (k, v) in ENV {
        match env::var(k) {
            Ok(got) => ensure_eq("env", k, got.as_str(), *v),
            Err(e) => fail("env", format!("{k}: {e}")),
        }
    }
    ok("env");
    match env::var("FIXTURE_MISSING") {
        Err(env::VarError::NotPresent) => ok("env-missing"),
        other => fail("env-missing", format!("FIXTURE_MISSING: expected NotPresent, got {other:?}")),
    }
    let all: Vec<(String, String)> = env::vars().collect();
    for (k, v) in ENV {
        ensure("env-vars", all.iter().any(|(a, b)| a == k && b == v), || format!("env::vars() lacks {k}={v:?}"));
    }
    ok("env-vars");
    // The process's own changes are visible to itself.
    // SAFETY: single-threaded at this point; edition 2021 keeps these safe to call.
    env::set_var("FIXTURE_SET_AT_RUNTIME", "yes ✓");
    ensure_eq("env-set", "after set_var", env::var("FIXTURE_SET_AT_RUNTIME").ok().as_deref(), Some("yes ✓"));
    env::remove_var("FIXTURE_GREETING");
    ensure("env-set", env::var_os("FIXTURE_GREETING").is_none(), || "remove_var had no effect".into());
    ok("env-set");
    // Only what the harness passes is visible: no host variables leak in.
    let names: BTreeSet<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
    note(format!("guest environment names: {names:?}"));
    let leaked: Vec<&str> = ["PATH", "HOME", "USER", "PWD", "SHELL"].into_iter().filter(|k| names.contains(k)).collect();
    ensure("env-isolation", leaked.is_empty(), || format!("host variables visible to the guest: {leaked:?}"));
    ok("env-isolation");
}

fn stdin() {
    let mut got = Vec::new();
    must("stdin", "read_to_end", std::io::stdin().lock().read_to_end(&mut got));
    ensure_eq("stdin", "bytes", String::from_utf8_lossy(&got).as_ref(), STDIN);
    // At end of input, further reads keep returning 0.
    let mut more = [0u8; 16];
    ensure_eq("stdin", "read after EOF", must("stdin", "read", std::io::stdin().read(&mut more)), 0);
    ok("stdin");
    // Echo it: the suite matches the echo on stdout, so both directions are checked.
    let mut out = std::io::stdout().lock();
    must("stdout-echo", "write", out.write_all(b"--- echo ---\n"));
    must("stdout-echo", "write", out.write_all(&got));
    must("stdout-echo", "write", out.write_all(b"\n--- end ---\n"));
    must("stdout-echo", "flush", out.flush());
    drop(out);
    ok("stdout-echo");
    let mut err = std::io::stderr().lock();
    must("stderr", "write", writeln!(err, "stderr line: äöü 🦀"));
    drop(err);
    ok("stderr");
}

/// `exit <code> [nested]`: print, then `process::exit(code)` directly or from three calls deep.
fn exit() {
    let code: i32 = env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or_else(|| fail("exit", "usage: exit <code> [nested]"));
    let nested = env::args().nth(3).as_deref() == Some("nested");
    fn level(n: u32, code: i32) -> u32 {
        if n == 0 {
            println!("exit: calling process::exit({code}) from a nested call");
            process::exit(code)
        }
        // Not a tail call: there is work left after the call returns (it never does).
        level(n - 1, code) + n
    }
    if nested {
        let unreachable = level(3, code);
        fail("exit", format!("process::exit returned ({unreachable})"));
    }
    println!("exit: calling process::exit({code})");
    process::exit(code)
}

fn main_err() -> Result<(), std::io::Error> {
    println!("main-err: returning Err from main");
    Err(std::io::Error::other("deliberate error from main"))
}

fn panic() {
    println!("panic: about to panic");
    let n = std::hint::black_box(42);
    panic!("deliberate panic: {n}");
}

fn files() {
    let root = PathBuf::from(env::args().nth(2).unwrap_or_else(|| "/data".into()));
    // Read what the harness preopened.
    let text = must("fs-read-preopened", &format!("read {}/input.txt", root.display()), fs::read_to_string(root.join("input.txt")));
    ensure_eq("fs-read-preopened", "content", text.as_str(), INPUT_TXT);
    ok("fs-read-preopened");
    let work = root.join("work");
    if work.exists() {
        must("fs-create-dir", "remove leftover", fs::remove_dir_all(&work));
    }
    must("fs-create-dir", "create_dir", fs::create_dir(&work));
    must("fs-create-dir", "create_dir_all", fs::create_dir_all(work.join("sub/deeper")));
    ensure("fs-create-dir", work.join("sub/deeper").is_dir(), || "sub/deeper is not a directory".into());
    ok("fs-create-dir");
    // Write and read back 100 KiB.
    let data: Vec<u8> = (0..100 * 1024u32).map(|i| (i % 251) as u8).collect();
    let a = work.join("a.bin");
    must("fs-write-read", "write", fs::write(&a, &data));
    ensure("fs-write-read", must("fs-write-read", "read", fs::read(&a)) == data, || "read back differs".into());
    ok("fs-write-read");
    // Append and seek.
    {
        let mut f = must("fs-append", "open append", fs::OpenOptions::new().append(true).open(&a));
        must("fs-append", "write", f.write_all(b"TAIL"));
    }
    let mut f = must("fs-seek", "open", fs::File::open(&a));
    must("fs-seek", "seek", f.seek(SeekFrom::End(-4)));
    let mut tail = [0u8; 4];
    must("fs-seek", "read", f.read_exact(&mut tail));
    ensure_eq("fs-append", "appended bytes", &tail, b"TAIL");
    ok("fs-append");
    must("fs-seek", "seek", f.seek(SeekFrom::Start(1000)));
    let mut four = [0u8; 4];
    must("fs-seek", "read", f.read_exact(&mut four));
    ensure_eq("fs-seek", "bytes at 1000", four, [(1000 % 251) as u8, (1001 % 251) as u8, (1002 % 251) as u8, (1003 % 251) as u8]);
    drop(f);
    ok("fs-seek");
    // Metadata.
    let md = must("fs-metadata", "metadata", fs::metadata(&a));
    ensure_eq("fs-metadata", "len", md.len(), data.len() as u64 + 4);
    ensure("fs-metadata", md.is_file() && !md.is_dir(), || "a.bin is not a plain file".into());
    ensure("fs-metadata", must("fs-metadata", "metadata(dir)", fs::metadata(&work)).is_dir(), || "work is not a directory".into());
    let modified = must("fs-metadata", "modified", md.modified());
    let age = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
    ensure("fs-metadata", age > Duration::from_secs(1_704_067_200), || format!("mtime {age:?} after the epoch is before 2024"));
    ok("fs-metadata");
    // Rename.
    let b = work.join("b.bin");
    must("fs-rename", "rename", fs::rename(&a, &b));
    match fs::metadata(&a) {
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        other => fail("fs-rename", format!("old name still resolves: {other:?}")),
    }
    ensure_eq("fs-rename", "len after rename", must("fs-rename", "metadata", fs::metadata(&b)).len(), data.len() as u64 + 4);
    ok("fs-rename");
    // read_dir, order-insensitive.
    must("fs-read-dir", "write c.txt", fs::write(work.join("c.txt"), "c"));
    let mut seen = HashSet::new();
    for entry in must("fs-read-dir", "read_dir", fs::read_dir(&work)) {
        let entry = must("fs-read-dir", "entry", entry);
        let ft = must("fs-read-dir", "file_type", entry.file_type());
        seen.insert((entry.file_name().to_string_lossy().into_owned(), ft.is_dir()));
    }
    let want: HashSet<(String, bool)> = [("b.bin", false), ("c.txt", false), ("sub", true)].into_iter().map(|(n, d)| (n.to_string(), d)).collect();
    ensure_eq("fs-read-dir", "entries (name, is_dir)", sorted(&seen), sorted(&want));
    ok("fs-read-dir");
    // Errors carry the right kind.
    match fs::File::open(work.join("missing.txt")) {
        Err(e) if e.kind() == ErrorKind::NotFound => ok("fs-not-found"),
        other => fail("fs-not-found", format!("expected NotFound, got {other:?}")),
    }
    match fs::create_dir(&work) {
        Err(e) if e.kind() == ErrorKind::AlreadyExists => ok("fs-already-exists"),
        other => fail("fs-already-exists", format!("expected AlreadyExists, got {other:?}")),
    }
    // Remove everything this run created.
    must("fs-remove", "remove_file", fs::remove_file(&b));
    must("fs-remove", "remove_dir_all", fs::remove_dir_all(&work));
    ensure("fs-remove", !work.exists(), || "work still exists".into());
    let left: Vec<String> = must("fs-remove", "read_dir", fs::read_dir(&root))
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default())
        .collect();
    ensure_eq("fs-remove", "what is left in the preopened dir", left, vec!["input.txt".to_string()]);
    ok("fs-remove");
    // The sandbox: paths outside the preopened directory are not reachable.
    if cfg!(target_os = "wasi") {
        for outside in ["/etc/passwd", "/proc/self/status", "../../../../etc/passwd"] {
            let p = if outside.starts_with('/') { PathBuf::from(outside) } else { root.join(outside) };
            ensure("fs-sandbox", fs::read(&p).is_err(), || format!("{} is readable from the guest", p.display()));
        }
        ok("fs-sandbox");
    }
}

fn sorted(s: &HashSet<(String, bool)>) -> Vec<(String, bool)> {
    let mut v: Vec<_> = s.iter().cloned().collect();
    v.sort();
    v
}

fn instant() {
    let mut prev = Instant::now();
    for _ in 0..10_000 {
        let now = Instant::now();
        ensure("instant-monotonic", now >= prev, || format!("Instant went backwards by {:?}", prev - now));
        prev = now;
    }
    ok("instant-monotonic");
    let want = Duration::from_millis(50);
    let start = Instant::now();
    thread::sleep(want);
    let slept = start.elapsed();
    ensure("instant-sleep", slept >= want, || format!("sleep({want:?}) measured as {slept:?}"));
    ensure("instant-sleep", slept < want + Duration::from_secs(5), || format!("sleep({want:?}) measured as {slept:?}"));
    ok("instant-sleep");
    let later = start + Duration::from_secs(3600);
    ensure_eq("instant-arith", "(start + 1h) - start", later.duration_since(start), Duration::from_secs(3600));
    ensure_eq("instant-arith", "checked_duration_since backwards", start.checked_duration_since(later), None);
    ok("instant-arith");
}

fn system_time() {
    let now = must("system-time", "duration_since(UNIX_EPOCH)", SystemTime::now().duration_since(UNIX_EPOCH).map_err(std::io::Error::other));
    note(format!("seconds since the epoch: {}", now.as_secs()));
    // 2024-01-01T00:00:00Z and 2100-01-01T00:00:00Z
    ensure("system-time", now.as_secs() > 1_704_067_200 && now.as_secs() < 4_102_444_800, || format!("{now:?} since the epoch is not between 2024 and 2100"));
    ensure("system-time", now.subsec_nanos() != 0 || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos() != 0, || "no sub-second resolution".into());
    ok("system-time");
    let a = SystemTime::now();
    thread::sleep(Duration::from_millis(20));
    let b = SystemTime::now();
    match b.duration_since(a) {
        Ok(d) => ensure("system-time-advances", d >= Duration::from_millis(10) && d < Duration::from_secs(60), || format!("advanced {d:?} over a 20ms sleep")),
        Err(e) => fail("system-time-advances", format!("went backwards by {:?}", e.duration())),
    }
    ok("system-time-advances");
}

extern "C" {
    /// POSIX getentropy, from wasi-libc on WASI (random_get / wasi:random) and libc natively.
    fn getentropy(buf: *mut u8, len: usize) -> i32;
}

fn entropy(check: &str) -> [u8; 32] {
    let mut buf = [0u8; 32];
    // SAFETY: buf is valid for 32 bytes, within getentropy's 256-byte limit.
    if unsafe { getentropy(buf.as_mut_ptr(), buf.len()) } != 0 {
        io::<()>(check, "getentropy", Err(std::io::Error::last_os_error()));
    }
    buf
}

fn random() {
    let (a, b) = (entropy("random-bytes"), entropy("random-bytes"));
    ensure("random-bytes", a.iter().any(|&x| x != 0) && b.iter().any(|&x| x != 0), || "32 random bytes are all zero".into());
    ensure("random-bytes", a != b, || "two draws of 32 random bytes are equal".into());
    ok("random-bytes");
    // std's own use of the platform's randomness: HashMap's RandomState keys.
    let zero_keys = {
        let mut h = DefaultHasher::new();
        "probe".hash(&mut h);
        h.finish()
    };
    let seeded = RandomState::new().hash_one("probe");
    ensure("random-hashmap-keys", seeded != zero_keys, || "RandomState hashes like all-zero keys".into());
    ok("random-hashmap-keys");
}

fn big_stdout() {
    // 163840 lines of 64 bytes = 10 MiB exactly, then the check line.
    // Each line: 8-digit line number, a space, 54 letters, newline.
    const LINES: usize = 10 * 1024 * 1024 / 64;
    let out = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    let mut line = [0u8; 64];
    for i in 0..LINES {
        line[..8].copy_from_slice(format!("{i:08}").as_bytes());
        line[8] = b' ';
        for (k, c) in line[9..63].iter_mut().enumerate() {
            *c = b'a' + ((i + k) % 26) as u8;
        }
        line[63] = b'\n';
        must("big-stdout", &format!("write line {i}"), out.write_all(&line));
    }
    must("big-stdout", "flush", out.flush());
    drop(out);
    ok("big-stdout");
}

