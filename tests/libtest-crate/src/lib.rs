//! A crate of "a user's", whose tests the harness runs on every target and runtime:
//! some pass, one fails an assertion, one aborts the process, one never returns, and the
//! ones after each of those must still get their results; one works a while.

pub fn double(x: u32) -> u32 {
    x * 2
}

#[cfg(test)]
mod tests {
    use super::double;

    #[test]
    fn a_passes() {
        assert_eq!(double(2), 4);
    }

    #[test]
    fn b_fails_deliberately() {
        assert_eq!(double(2), 5, "two doubled is not five");
    }

    #[test]
    fn c_aborts() {
        std::process::abort();
    }

    #[test]
    fn d_after_the_abort_still_runs() {
        assert_eq!(double(21), 42);
    }

    #[test]
    #[ignore = "slow on purpose"]
    fn e_ignored() {}

    #[test]
    fn f_hangs() {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    #[test]
    fn g_after_the_hang_still_runs() {
        assert_eq!(double(0), 0);
    }

    /// A fixed amount of work, about a second of CPU time on Wasmtime: on a busy machine it takes
    /// several times longer, which must not change its verdict (tests/test_load.py).
    #[test]
    fn h_works_for_a_while() {
        let mut x: u64 = 1;
        for i in 0..400_000_000u64 {
            x = std::hint::black_box(x).wrapping_mul(6364136223846793005).wrapping_add(i);
        }
        assert_ne!(x, 0);
    }
}
