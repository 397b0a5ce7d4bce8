//! Loops forever without a side effect the optimiser could drop.
fn main() {
    println!("spin: started");
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}
