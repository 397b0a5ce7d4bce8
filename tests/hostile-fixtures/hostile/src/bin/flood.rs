//! Writes exactly 1 GiB to stdout, then says so on stderr.
use std::io::Write;

fn main() {
    let block = [b'y'; 64 << 10];
    let mut out = std::io::stdout().lock();
    for _ in 0..(1usize << 30) / block.len() {
        out.write_all(&block).expect("write stdout");
    }
    out.flush().expect("flush stdout");
    eprintln!("flood: done");
}
