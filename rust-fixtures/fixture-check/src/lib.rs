//! The fixture output convention (suites/README.md, "Fixture conventions"):
//!
//! * `<check>: ok` on stdout for every check that passed;
//! * `<check>: FAILED: <why>` on stdout and exit status 1 on the first wrong result;
//! * `<check>: unsupported: <io::ErrorKind>` on stdout and exit status 3 where the
//!   platform documents that the feature is missing.
//!
//! A verdict must rest on the guest's own output, so every line is flushed
//! before the process exits.

use std::fmt::Display;
use std::io::{self, Write};
use std::process;

/// Exit status of a fixture that found a wrong result.
pub const EXIT_FAILED: i32 = 1;
/// Exit status of a fixture that met a documented missing feature.
pub const EXIT_UNSUPPORTED: i32 = 3;

fn line(text: &str) {
    let mut out = io::stdout().lock();
    // Ignore write errors: there is nobody left to tell.
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Report a passed check.
pub fn ok(check: &str) {
    line(&format!("{check}: ok"));
}

/// Report a wrong result and exit 1.
pub fn fail(check: &str, why: impl Display) -> ! {
    line(&format!("{check}: FAILED: {why}"));
    process::exit(EXIT_FAILED)
}

/// Report a documented missing feature and exit 3.
pub fn unsupported(check: &str, kind: io::ErrorKind) -> ! {
    line(&format!("{check}: unsupported: {kind:?}"));
    process::exit(EXIT_UNSUPPORTED)
}

/// Report something that is not a check result (context for a human reader).
pub fn note(text: impl Display) {
    line(&format!("# {text}"));
}

/// Fail `check` unless `cond` holds.
pub fn ensure(check: &str, cond: bool, why: impl FnOnce() -> String) {
    if !cond {
        fail(check, why());
    }
}

/// Fail `check` unless `actual == expected`.
pub fn ensure_eq<T: PartialEq + std::fmt::Debug>(check: &str, what: &str, actual: T, expected: T) {
    if actual != expected {
        fail(check, format!("{what}: got {actual:?}, expected {expected:?}"));
    }
}

/// Unwrap an io::Result: an `Unsupported` error is the documented missing
/// feature (exit 3), any other error is a failure (exit 1).
pub fn io<T>(check: &str, what: &str, r: io::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) if e.kind() == io::ErrorKind::Unsupported => unsupported(check, e.kind()),
        Err(e) => fail(check, format!("{what}: {e} (kind {:?})", e.kind())),
    }
}

/// Unwrap an io::Result where every error, `Unsupported` included, is a failure.
pub fn must<T>(check: &str, what: &str, r: io::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => fail(check, format!("{what}: {e} (kind {:?})", e.kind())),
    }
}

/// The first argument after argv[0]: the check group a multi-check fixture runs.
pub fn group(all: &[&str]) -> String {
    let g = std::env::args().nth(1).unwrap_or_default();
    if !all.contains(&g.as_str()) {
        line(&format!("usage: FAILED: unknown check group {g:?}; one of {all:?}"));
        process::exit(2);
    }
    g
}
