//! async fn main on WASIp3 (wasip3 0.6.x: WASI 0.3.0-rc-2026-03-15, what Wasmtime 43-45 link).
//! The program is async-main-common/app.rs; see there for the checks.

include!("../../async-main-common/app.rs");
