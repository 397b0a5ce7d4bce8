//! async fn main on WASIp3 (wasip3 0.7.x: the final WASI 0.3.0, what Wasmtime 46 and later link).
//! The program is async-main-common/app.rs; see there for the checks.

include!("../../async-main-common/app.rs");
