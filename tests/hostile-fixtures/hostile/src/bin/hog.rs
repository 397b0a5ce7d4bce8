//! Allocates 16 MiB blocks and touches every page, without bound.
use std::io::Write;

fn main() {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    loop {
        kept.push(vec![1u8; 16 << 20]);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "hog: {} MiB", kept.len() * 16);
        let _ = out.flush();
    }
}
