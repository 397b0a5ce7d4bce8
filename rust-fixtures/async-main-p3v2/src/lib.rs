//! async fn main on WASIp3 (wasip3 0.10.x: WASI 0.3.2, the newest point release).
//! The program is async-main-common/app.rs; see there for the checks.

include!("../../async-main-common/app.rs");
