//! Prints each argument it got, debug-quoted, one per line.
fn main() {
    for (index, arg) in std::env::args().enumerate().skip(1) {
        println!("arg[{index}]={arg:?}");
    }
}
