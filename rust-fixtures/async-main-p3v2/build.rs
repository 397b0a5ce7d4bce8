//! On wasm32-wasip3, std itself links wit-bindgen 0.57.1 (the bindings of its
//! own WASIp3 imports), and wit-bindgen defines the `#[no_mangle]` function
//! `cabi_realloc_wit_bindgen_0_57_1` on every target but p2. This crate's
//! wit-bindgen 0.57.1 (the only 0.57.x the wasip3 crate accepts) defines it a
//! second time: wasm-ld stops with "duplicate symbol". Both definitions are
//! the same code from the same release, so let the linker keep the first.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("p3") {
        println!("cargo:rustc-link-arg-cdylib=--allow-multiple-definition");
    }
}
