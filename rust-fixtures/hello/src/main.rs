//! The smallest guest: prints a known line and a check line, exits 0.
//! Used by suites/hello.yaml on every target and by the plain synchronous
//! `fn main` case of suites/async_main.yaml on wasm32-wasip3.

fn main() {
    println!("Hello, world!");
    println!("hello: ok");
}
